/* Unit tests for --change (image/change.c), the Dockerfile instructions of
 * commit and import, for --retry-delay's parser and the retry loop
 * (image/retry.c), and for push --format's manifest conversion
 * (image/convert.c).  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "image/change.h"
#include "image/convert.h"
#include "image/retry.h"
#include "util/cleanup.h"
#include "util/json.h"

/* CONF after CHANGES (NULL-terminated), as compact JSON.  */
static char *
applied (const char *start, char *const *changes)
{
  ferry_error_t err = NULL;
  json_object *conf = json_tokener_parse (start);
  char *out;

  assert_int_equal (ferry_image_changes_apply (conf, changes, NULL, &err), 0);
  out = strdup (
      json_object_to_json_string_ext (conf, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (conf);
  return out;
}

#define EXPECT(start, want, ...)                                                                             \
  do                                                                                                         \
    {                                                                                                        \
      char *changes_[] = { __VA_ARGS__, NULL };                                                              \
      cleanup_free char *got_ = applied (start, changes_);                                                   \
      assert_string_equal (got_, want);                                                                      \
    }                                                                                                        \
  while (0)

static void
test_command_forms (void **state)
{
  EXPECT ("{}", "{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo hi\"]}", "CMD echo hi");
  EXPECT ("{}", "{\"Cmd\":[\"a\",\"b c\"]}", "cmd [\"a\", \"b c\"]");
  EXPECT ("{}", "{\"Entrypoint\":[\"/bin/sh\",\"-c\",\"sh\"]}", "ENTRYPOINT sh");
  /* Not an array of strings: the shell form.  */
  EXPECT ("{}", "{\"Cmd\":[\"/bin/sh\",\"-c\",\"[1, 2]\"]}", "CMD [1, 2]");
}

static void
test_entrypoint_keeps_a_given_cmd (void **state)
{
  /* The config's own command goes with a new entrypoint...  */
  EXPECT ("{\"Cmd\":[\"/bin/sh\"]}", "{\"Entrypoint\":[\"/bin/env\"]}", "ENTRYPOINT [\"/bin/env\"]");
  /* ...but not one that a change gives, before or after it.  */
  EXPECT ("{\"Cmd\":[\"/bin/sh\"]}", "{\"Entrypoint\":[\"/bin/env\"],\"Cmd\":[\"a\"]}", "CMD [\"a\"]",
          "ENTRYPOINT [\"/bin/env\"]");
  EXPECT ("{}", "{\"Entrypoint\":[\"/bin/env\"],\"Cmd\":[\"a\"]}", "ENTRYPOINT [\"/bin/env\"]",
          "CMD [\"a\"]");
}

static void
test_env_label_expose_volume (void **state)
{
  EXPECT ("{}", "{\"Env\":[\"A=1\",\"B=x y\"]}", "ENV A=1 B=\"x y\"");
  EXPECT ("{\"Env\":[\"A=0\"]}", "{\"Env\":[\"A=old form\"]}", "ENV A old form");
  EXPECT ("{}", "{\"Labels\":{\"a\":\"b\",\"c\":\"d e\"}}", "LABEL a=b c='d e'");
  EXPECT ("{}", "{\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}}}", "EXPOSE 80 53/udp");
  EXPECT ("{}", "{\"Volumes\":{\"/a\":{},\"/b\":{}}}", "VOLUME [\"/a\", \"/b\"]");
  EXPECT ("{}", "{\"Volumes\":{\"/a\":{},\"/b\":{}}}", "VOLUME /a /b");
}

static void
test_one_word_instructions (void **state)
{
  EXPECT ("{}", "{\"User\":\"1000:1000\",\"StopSignal\":\"SIGINT\"}", "USER 1000:1000", "STOPSIGNAL SIGINT");
  EXPECT ("{}", "{\"WorkingDir\":\"/srv/app\"}", "WORKDIR /srv", "WORKDIR app");
  EXPECT ("{}", "{}", "ONBUILD RUN make");
}

static void
expect_refused (const char *change, const char *words)
{
  ferry_error_t err = NULL;
  json_object *conf = json_object_new_object ();
  char *changes[] = { (char *) "ENV OK=1", (char *) change, NULL };
  size_t failed = 99;

  assert_true (ferry_image_changes_apply (conf, changes, &failed, &err) < 0);
  assert_int_equal (failed, 1);
  assert_non_null (strstr (err->msg, words));
  ferry_error_release (&err);
  /* With no config, only the check.  */
  assert_true (ferry_image_change_apply (NULL, change, &err) < 0);
  ferry_error_release (&err);
  json_object_put (conf);
}

static void
test_refused (void **state)
{
  expect_refused ("RUN make", "did not understand");
  expect_refused ("FROM x", "did not understand");
  expect_refused ("ENV", "at least one argument");
  expect_refused ("LABEL a", "KEY=VALUE");
  expect_refused ("ENV =x", "KEY=VALUE");
  expect_refused ("USER a b", "exactly one argument");
  expect_refused ("WORKDIR", "exactly one argument");
}

static void
expect_delay (const char *in, int64_t want)
{
  ferry_error_t err = NULL;
  int64_t got = -5;

  assert_int_equal (ferry_retry_delay_parse (in, &got, &err), 0);
  assert_int_equal (got, want);
}

static void
expect_delay_refused (const char *in, const char *words)
{
  ferry_error_t err = NULL;
  int64_t got;

  assert_true (ferry_retry_delay_parse (in, &got, &err) < 0);
  assert_non_null (strstr (err->msg, words));
  ferry_error_release (&err);
}

static void
test_retry_delay (void **state)
{
  expect_delay ("1s", 1000000000LL);
  expect_delay ("250ms", 250000000LL);
  expect_delay ("1m30s", 90000000000LL);
  expect_delay ("0", 0);
  /* Told as given and not waited, as Podman does.  */
  expect_delay ("-1s", -1000000000LL);
  expect_delay_refused ("2", "missing unit in duration \"2\"");
  expect_delay_refused ("soon", "invalid duration \"soon\"");
  expect_delay_refused ("", "invalid duration");
}

static int tries;

static int
fail_unreachable (void *arg, ferry_error_t *err)
{
  tries++;
  return ferry_make_error_kind (err, *(enum ferry_error_kind *) arg, "try %d failed", tries);
}

static unsigned warned;

static void
count_warning (void *arg, unsigned attempt, unsigned max, int64_t delay_ns, ferry_error_t failure)
{
  assert_int_equal (attempt, warned + 1);
  assert_int_equal (max, 2);
  assert_non_null (failure);
  warned++;
}

static void
test_retry_only_unreachable (void **state)
{
  struct ferry_retry r = { .max = 2, .delay_ns = -1, .on_retry = count_warning };
  enum ferry_error_kind kind = FERRY_ERROR_UNREACHABLE;
  ferry_error_t err = NULL;

  tries = 0;
  warned = 0;
  assert_true (ferry_retry_run (&r, fail_unreachable, &kind, &err) < 0);
  assert_int_equal (tries, 3);
  assert_int_equal (warned, 2);
  assert_string_equal (err->msg, "try 3 failed");
  ferry_error_release (&err);

  kind = FERRY_ERROR_NOT_FOUND;
  tries = 0;
  assert_true (ferry_retry_run (&r, fail_unreachable, &kind, &err) < 0);
  assert_int_equal (tries, 1);
  ferry_error_release (&err);
}

#define OCI_M                                                                                                \
  "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{"           \
  "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:c\",\"size\":7},"          \
  "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:l1\","     \
  "\"size\":10},{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:l2\","         \
  "\"size\":20}],\"annotations\":{\"a\":\"b\"}}"
#define DOCKER_M                                                                                             \
  "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{" \
  "\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":7,\"digest\":\"sha256:c\"},"    \
  "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":10,"            \
  "\"digest\":\"sha256:l1\"},{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar\",\"size\":20,"   \
  "\"digest\":\"sha256:l2\"}]}"

static void
test_manifest_convert (void **state)
{
  ferry_error_t err = NULL;
  int same = 0;
  cleanup_free char *v2 = ferry_manifest_convert (OCI_M, "v2s2", &same, &err);
  cleanup_free char *back = NULL;

  /* Docker's key order, no annotations (schema 2 has none).  */
  assert_non_null (v2);
  assert_false (same);
  assert_string_equal (v2, DOCKER_M);
  back = ferry_manifest_convert (v2, "oci", &same, &err);
  assert_non_null (back);
  assert_non_null (strstr (back, "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                                 "\"digest\":\"sha256:l1\",\"size\":10}"));
  /* Already in the format: nothing to do.  */
  assert_null (ferry_manifest_convert (OCI_M, "oci", &same, &err));
  assert_true (same);
  assert_null (ferry_manifest_convert (DOCKER_M, "v2s2", &same, &err));
  assert_true (same);
  /* "docker" is Podman's other name for v2s2.  */
  {
    cleanup_free char *d = ferry_manifest_convert (OCI_M, "docker", &same, &err);
    assert_non_null (d);
    assert_string_equal (d, DOCKER_M);
  }
}

static void
test_manifest_convert_refused (void **state)
{
  ferry_error_t err = NULL;
  int same = 0;

  assert_null (
      ferry_manifest_convert ("{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:c\",\"size\":1},"
                              "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\","
                              "\"digest\":\"sha256:l\",\"size\":1}]}",
                              "v2s2", &same, &err));
  assert_false (same);
  assert_non_null (strstr (err->msg, "--format oci"));
  ferry_error_release (&err);
  assert_null (ferry_manifest_convert (OCI_M, "v2s1", &same, &err));
  ferry_error_release (&err);
  assert_null (ferry_manifest_convert (OCI_M, "bogus", &same, &err));
  assert_non_null (strstr (err->msg, "unknown format \"bogus\""));
  ferry_error_release (&err);
  assert_null (ferry_manifest_convert (OCI_M, "", &same, &err));
  ferry_error_release (&err);
  assert_null (ferry_manifest_convert ("{\"schemaVersion\":2}", "v2s2", &same, &err));
  ferry_error_release (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_command_forms),
    cmocka_unit_test (test_entrypoint_keeps_a_given_cmd),
    cmocka_unit_test (test_env_label_expose_volume),
    cmocka_unit_test (test_one_word_instructions),
    cmocka_unit_test (test_refused),
    cmocka_unit_test (test_retry_delay),
    cmocka_unit_test (test_retry_only_unreachable),
    cmocka_unit_test (test_manifest_convert),
    cmocka_unit_test (test_manifest_convert_refused),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
