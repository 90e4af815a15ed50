/* Unit tests for src/lib/network/conntrack.c: tracked connections as the
 * archive carries them, read strictly (the kernel side is the system
 * tests').  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "network/conntrack.h"

#include <string.h>

static void
test_round_trip (void **state)
{
  struct ferry_conntrack_entry e
      = { 0x7f000001u, 0x7f000001u, 0x0ac80007u, 0x0ac80001u, 40004, 8088, 8080, 40004, 300 };
  struct ferry_conntrack_entry back;
  json_object *j = ferry_conntrack_entry_json (&e);

  (void) state;
  assert_string_equal (
      json_object_get_string (json_object_object_get (json_object_object_get (j, "reply"), "src")),
      "10.200.0.7");
  assert_int_equal (ferry_conntrack_entry_parse (j, &back), 0);
  assert_memory_equal (&e, &back, sizeof (e));
  json_object_put (j);

  /* A timeout past the kernel's longest is cut to it.  */
  j = json_tokener_parse (
      "{\"orig\": {\"src\": \"1.2.3.4\", \"dst\": \"5.6.7.8\", \"sport\": 1, \"dport\": 2},"
      " \"reply\": {\"src\": \"9.9.9.9\", \"dst\": \"1.2.3.4\", \"sport\": 3, \"dport\": 1},"
      " \"timeout\": 99999999999}");
  assert_int_equal (ferry_conntrack_entry_parse (j, &back), 0);
  assert_int_equal (back.timeout, FERRY_CONNTRACK_TIMEOUT_MAX);
  json_object_put (j);
}

static void
test_bad (void **state)
{
  static const char *const bad[] = {
    "[]",
    "{}",
    "{\"orig\": {\"src\": \"1.2.3.4\", \"dst\": \"5.6.7.8\", \"sport\": 1, \"dport\": 2}, \"timeout\": 5}",
    "{\"orig\": {\"src\": \"1.2.3\", \"dst\": \"5.6.7.8\", \"sport\": 1, \"dport\": 2},"
    " \"reply\": {\"src\": \"9.9.9.9\", \"dst\": \"1.2.3.4\", \"sport\": 3, \"dport\": 1}, \"timeout\": 5}",
    "{\"orig\": {\"src\": \"1.2.3.4\", \"dst\": \"5.6.7.8\", \"sport\": 0, \"dport\": 2},"
    " \"reply\": {\"src\": \"9.9.9.9\", \"dst\": \"1.2.3.4\", \"sport\": 3, \"dport\": 1}, \"timeout\": 5}",
    "{\"orig\": {\"src\": \"1.2.3.4\", \"dst\": \"5.6.7.8\", \"sport\": 1, \"dport\": 65536},"
    " \"reply\": {\"src\": \"9.9.9.9\", \"dst\": \"1.2.3.4\", \"sport\": 3, \"dport\": 1}, \"timeout\": 5}",
    "{\"orig\": {\"src\": \"1.2.3.4\", \"dst\": \"5.6.7.8\", \"sport\": \"1\", \"dport\": 2},"
    " \"reply\": {\"src\": \"9.9.9.9\", \"dst\": \"1.2.3.4\", \"sport\": 3, \"dport\": 1}, \"timeout\": 5}",
    "{\"orig\": {\"src\": \"1.2.3.4\", \"dst\": \"5.6.7.8\", \"sport\": 1, \"dport\": 2},"
    " \"reply\": {\"src\": \"9.9.9.9\", \"dst\": \"1.2.3.4\", \"sport\": 3, \"dport\": 1}, \"timeout\": 0}",
    "{\"orig\": {\"src\": \"1.2.3.4\", \"dst\": \"5.6.7.8\", \"sport\": 1, \"dport\": 2},"
    " \"reply\": {\"src\": \"9.9.9.9\", \"dst\": \"1.2.3.4\", \"sport\": 3, \"dport\": 1}, \"timeout\": 1.5}",
    "{\"orig\": {\"src\": \"1.2.3.4\", \"dst\": \"5.6.7.8\", \"sport\": 1, \"dport\": 2},"
    " \"reply\": [], \"timeout\": 5}",
    NULL,
  };
  struct ferry_conntrack_entry e;

  (void) state;
  assert_int_equal (ferry_conntrack_entry_parse (NULL, &e), -1);
  for (size_t i = 0; bad[i]; i++)
    {
      json_object *j = json_tokener_parse (bad[i]);

      assert_non_null (j);
      if (ferry_conntrack_entry_parse (j, &e) == 0)
        fail_msg ("accepted: %s", bad[i]);
      json_object_put (j);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_round_trip),
    cmocka_unit_test (test_bad),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
