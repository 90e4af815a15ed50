/* Unit tests for src/lib/engine/system.c and the filters of
 * src/lib/engine/prune.c: what `system df` counts of a directory, and
 * which objects `system prune --filter` keeps.  (tests/system/081-podman-
 * system.bats drives the commands and compares them with Podman.)  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/prune.h"
#include "engine/system.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/ferry-test-system-XXXXXX";

static void
write_bytes (const char *name, size_t n)
{
  cleanup_free char *path = xasprintf ("%s/%s", dir, name);
  cleanup_free char *data = xmalloc0 (n + 1);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  assert_true (fd >= 0);
  assert_int_equal (ferry_write_all (fd, data, n), 0);
  close (fd);
}

static void
test_path_usage_counts_files_once_and_never_follows_links (void **state)
{
  cleanup_free char *sub = xasprintf ("%s/d/e", dir);
  cleanup_free char *a = xasprintf ("%s/a", dir), *hard = xasprintf ("%s/d/hard", dir);
  cleanup_free char *outlink = xasprintf ("%s/d/out", dir), *missing = xasprintf ("%s/nosuch", dir);
  ferry_error_t err = NULL;
  uint64_t n = 1;

  (void) state;
  assert_int_equal (ferry_mkdir_p (sub, 0755, &err), 0);
  write_bytes ("a", 1000);
  write_bytes ("d/e/b", 234);
  /* A second name of a: its bytes are there once.  */
  assert_int_equal (link (a, hard), 0);
  /* A link out of the directory: what is in /usr is not counted.  */
  assert_int_equal (symlink ("/usr", outlink), 0);
  assert_int_equal (ferry_path_usage (dir, "test", &n, &err), 0);
  /* The link itself counts its own bytes (those of "/usr"), as du's
   * apparent size and Podman's sizes count them.  */
  assert_int_equal (n, 1234 + 4);
  /* Missing: nothing, not an error.  */
  assert_int_equal (ferry_path_usage (missing, "test", &n, &err), 0);
  assert_int_equal (n, 0);
  /* A symbolic link as the directory itself is not followed.  */
  assert_int_not_equal (ferry_path_usage (outlink, "test", &n, &err), 0);
  ferry_error_release (&err);
}

static void
test_system_prune_filters_are_podmans (void **state)
{
  ferry_error_t err = NULL;

  (void) state;
  assert_int_equal (ferry_system_prune_filter_check ("label=a", &err), 0);
  assert_int_equal (ferry_system_prune_filter_check ("label!=a=b", &err), 0);
  assert_int_equal (ferry_system_prune_filter_check ("until=10m", &err), 0);
  assert_int_equal (ferry_system_prune_filter_check ("until=2024-05-01T10:00:00Z", &err), 0);
  assert_true (ferry_system_prune_filter_check ("bogus=1", &err) < 0);
  assert_string_equal (err->msg, "bogus is an invalid filter");
  ferry_error_release (&err);
  assert_true (ferry_system_prune_filter_check ("until=garbage", &err) < 0);
  assert_string_equal (err->msg, "failed to parse value as time or duration: \"garbage\"");
  ferry_error_release (&err);
  assert_true (ferry_system_prune_filter_check ("label", &err) < 0);
  ferry_error_release (&err);
}

static void
test_prune_filters_pass_labels_and_until (void **state)
{
  cleanup_json json_object *labels = json_tokener_parse ("{\"team\": \"a\", \"keep\": \"\"}");
  char *team[] = { (char *) "label=team=a", NULL };
  char *other[] = { (char *) "label=team=b", NULL };
  char *keep[] = { (char *) "label!=keep", NULL };
  char *old[] = { (char *) "until=2000-01-01T00:00:00Z", NULL };
  char *both[] = { (char *) "label=team", (char *) "until=2099-01-01T00:00:00Z", NULL };

  (void) state;
  assert_true (ferry_prune_filters_pass (NULL, NULL, NULL));
  assert_true (ferry_prune_filters_pass (team, labels, "2020-01-01T00:00:00Z"));
  assert_false (ferry_prune_filters_pass (other, labels, "2020-01-01T00:00:00Z"));
  assert_false (ferry_prune_filters_pass (team, NULL, "2020-01-01T00:00:00Z"));
  assert_false (ferry_prune_filters_pass (keep, labels, "2020-01-01T00:00:00Z"));
  assert_true (ferry_prune_filters_pass (keep, NULL, "2020-01-01T00:00:00Z"));
  assert_false (ferry_prune_filters_pass (old, labels, "2020-01-01T00:00:00Z"));
  assert_true (ferry_prune_filters_pass (old, labels, "1999-01-01T00:00:00Z"));
  /* Without a creation time, until= cannot hold.  */
  assert_false (ferry_prune_filters_pass (old, labels, NULL));
  assert_true (ferry_prune_filters_pass (both, labels, "2020-01-01T00:00:00Z"));
}

static int
setup (void **state)
{
  (void) state;
  return mkdtemp (dir) ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  ferry_rm_rf_quietly (dir);
  return 0;
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_path_usage_counts_files_once_and_never_follows_links),
    cmocka_unit_test (test_system_prune_filters_are_podmans),
    cmocka_unit_test (test_prune_filters_pass_labels_and_until),
  };

  return cmocka_run_group_tests (tests, setup, teardown);
}
