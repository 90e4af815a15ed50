/* Unit tests for src/lib/engine/userns.c: the mappings as a record (and
 * so an archive) carries them, and the host IDs they give.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/userns.h"
#include "util/json.h"

#include <stdlib.h>
#include <string.h>

static int
parses (const char *text, size_t *n)
{
  json_object *v = json_tokener_parse (text);
  struct ferry_idmap *m = NULL;
  const char *why = NULL;
  int r = ferry_idmap_parse_list (v, &m, n, &why);

  if (r < 0)
    assert_non_null (why);
  free (m);
  json_object_put (v);
  return r;
}

static void
test_parse_list (void **state)
{
  static const char *const good[]
      = { "[\"0:100000:65536\"]", "[\"0:100000:1000\",\"1000:300000:10\"]", "[\"0:0:4294967295\"]", NULL };
  static const char *const bad[] = { "[]",
                                     "\"0:1:1\"",
                                     "[\"0:1\"]",
                                     "[\"0:1:0\"]",
                                     "[\"a:1:1\"]",
                                     "[\"-1:1:1\"]",
                                     "[1]",
                                     "[\"0:1:1:1\"]",
                                     "[\"0:1:1 \"]",
                                     "[\"0:4294967000:65536\"]",
                                     "[\"0:100:10\",\"5:200:10\"]",
                                     "[\"0:100:10\",\"20:105:10\"]",
                                     "[\"0:4294967296:1\"]",
                                     NULL };
  size_t n;

  (void) state;
  for (size_t i = 0; good[i]; i++)
    assert_int_equal (parses (good[i], &n), 0);
  assert_int_equal (parses (good[1], &n), 0);
  assert_int_equal (n, 2);
  for (size_t i = 0; bad[i]; i++)
    {
      if (parses (bad[i], &n) != -1)
        fail_msg ("accepted %s", bad[i]);
    }
}

static void
test_host_ids (void **state)
{
  json_object *rec
      = json_tokener_parse ("{\"UsernsMode\":\"private\",\"UidMap\":[\"0:100000:1000\",\"1000:300000:"
                            "10\"],\"GidMap\":[\"0:200000:65536\"]}");
  uid_t uid;
  gid_t gid;

  (void) state;
  assert_int_equal (ferry_userns_host_root (rec, &uid, &gid), 1);
  assert_int_equal (uid, 100000);
  assert_int_equal (gid, 200000);
  uid = 1005;
  gid = 5;
  ferry_userns_to_host (rec, &uid, &gid);
  assert_int_equal (uid, 300005);
  assert_int_equal (gid, 200005);
  uid = 2000; /* unmapped: the overflow ID */
  ferry_userns_to_host (rec, &uid, &gid);
  assert_int_equal (uid, 65534);
  json_object_put (rec);
  rec = json_tokener_parse ("{}");
  assert_int_equal (ferry_userns_host_root (rec, &uid, &gid), 0);
  uid = 7;
  gid = 8;
  ferry_userns_to_host (rec, &uid, &gid);
  assert_int_equal (uid, 7);
  assert_int_equal (gid, 8);
  json_object_put (rec);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_parse_list),
    cmocka_unit_test (test_host_ids),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
