/* Unit tests for src/cli/container_filter.c: the --filter KEY=VALUE that
 * ps, stop, start, restart, pause, unpause and rm take, as Podman's:
 * refused keys and values, values of one key as alternatives, different
 * keys all holding.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli/container_filter.h"
#include "util/json.h"

#include <string.h>

static struct ferry_container
make (const char *name, const char *id, enum ferry_container_status status, const char *labels_json)
{
  struct ferry_container c = { 0 };

  c.name = (char *) name;
  c.id = (char *) id;
  c.image_id = (char *) "0123";
  c.created = (char *) "2026-12-01T10:00:00Z";
  c.status = status;
  c.record = json_object_new_object ();
  json_object_object_add (c.record, "Labels", json_tokener_parse (labels_json));
  return c;
}

static void
bad_filters_are_refused (void **state)
{
  struct container_filters f = { 0 };

  (void) state;
  assert_int_equal (container_filters_add (&f, "bogus=1"), -1);
  assert_int_equal (container_filters_add (&f, "noequals"), -1);
  assert_int_equal (container_filters_add (&f, "status=sleeping"), -1);
  assert_int_equal (container_filters_add (&f, "exited=256"), -1);
  assert_int_equal (container_filters_add (&f, "name=("), -1);
  assert_int_equal (f.n, 0);
  assert_int_equal (container_filters_add (&f, "until=1h"), 0);
  assert_int_equal (container_filters_add (&f, "until=2h"), -1);
  assert_int_equal (f.n, 1);
  container_filters_release (&f);
}

static void
one_key_alternatives_different_keys_all (void **state)
{
  struct ferry_container a = make ("alpha", "aaaa1111", FERRY_CONTAINER_RUNNING, "{\"x\":\"1\"}");
  struct ferry_container b = make ("beta", "bbbb2222", FERRY_CONTAINER_CREATED, "{}");
  struct container_filters f = { 0 };

  (void) state;
  assert_int_equal (container_filters_add (&f, "name=^al"), 0);
  assert_int_equal (container_filters_add (&f, "name=eta$"), 0);
  assert_true (container_filters_match (&f, &a, ""));
  assert_true (container_filters_match (&f, &b, ""));
  assert_true (container_filters_have (&f, "name"));
  assert_false (container_filters_have (&f, "label"));
  assert_int_equal (container_filters_add (&f, "label=x=1"), 0);
  assert_true (container_filters_match (&f, &a, ""));
  assert_false (container_filters_match (&f, &b, ""));
  container_filters_release (&f);

  assert_int_equal (container_filters_add (&f, "status=created"), 0);
  assert_int_equal (container_filters_add (&f, "id=aaaa"), 0);
  assert_false (container_filters_match (&f, &a, ""));
  assert_false (container_filters_match (&f, &b, ""));
  container_filters_release (&f);

  assert_int_equal (container_filters_add (&f, "label!=x"), 0);
  assert_false (container_filters_match (&f, &a, ""));
  assert_true (container_filters_match (&f, &b, ""));
  container_filters_release (&f);
  json_object_put (a.record);
  json_object_put (b.record);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (bad_filters_are_refused),
    cmocka_unit_test (one_key_alternatives_different_keys_all),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
