/* Unit tests for src/lib/util/query.c: a token request's query as Go's
 * net/url reads the realm's and writes the whole.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/query.h"
#include "util/cleanup.h"

#include <stdlib.h>
#include <string.h>

/* RAW read, then KEY=VALUE pairs added, written again.  */
static char *
rewrite (const char *raw, const char *const *added)
{
  struct ferry_query q = { 0 };
  char *out;

  ferry_query_parse (&q, raw);
  for (size_t i = 0; added && added[i]; i += 2)
    ferry_query_add (&q, added[i], added[i + 1]);
  out = ferry_query_encode (&q);
  ferry_query_release (&q);
  return out;
}

static void
test_sorted_by_key_values_in_order (void **state)
{
  static const char *const added[]
      = { "service",           "reg", "scope", "repository:b:pull", "account", "alice", "scope",
          "repository:a:push", NULL };
  cleanup_free char *out = rewrite ("", added);

  (void) state;
  /* url.Values.Encode: keys sorted, one key's values as added.  */
  assert_string_equal (out,
                       "account=alice&scope=repository%3Ab%3Apull&scope=repository%3Aa%3Apush&service=reg");
}

static void
test_realm_query_kept_and_sorted_in (void **state)
{
  static const char *const added[] = { "service", "reg", "account", "bob", NULL };
  cleanup_free char *out = rewrite ("tenant=t1&zone=a+b&client=x%2Fy", added);

  (void) state;
  assert_string_equal (out, "account=bob&client=x%2Fy&service=reg&tenant=t1&zone=a+b");
}

static void
test_pairs_go_leaves_out (void **state)
{
  cleanup_free char *out = rewrite ("a=1&&b;c=2&d=%zz&e&=f&g=%41%00&h=x=y", NULL);

  (void) state;
  /* An empty pair, one with ';', a bad escape (and %00) go; a key
   * without '=' has an empty value; only the first '=' splits.  */
  assert_string_equal (out, "=f&a=1&e=&h=x%3Dy");
}

static void
test_escape_as_go (void **state)
{
  cleanup_free char *out = ferry_query_escape ("a b+c/d:e~f-g_h.i@j&k=\xc3\xa9");

  (void) state;
  assert_string_equal (out, "a+b%2Bc%2Fd%3Ae~f-g_h.i%40j%26k%3D%C3%A9");
}

static void
test_empty (void **state)
{
  cleanup_free char *out = rewrite ("", NULL);

  (void) state;
  assert_string_equal (out, "");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_sorted_by_key_values_in_order),
    cmocka_unit_test (test_realm_query_kept_and_sorted_in),
    cmocka_unit_test (test_pairs_go_leaves_out),
    cmocka_unit_test (test_escape_as_go),
    cmocka_unit_test (test_empty),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
