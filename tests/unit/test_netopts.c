/* Unit tests for src/lib/network/netopts.c: --route, --dns and the bridge
 * driver's -o values, as users and archives give them.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "network/netopts.h"
#include "util/json.h"

#include <string.h>

/* TEXT is refused with a message that starts with WORDS.  */
static void
route_refused (const char *text, const char *words)
{
  struct ferry_route r;
  ferry_error_t err = NULL;

  assert_int_equal (ferry_route_parse (text, &r, &err) < 0, 1);
  assert_non_null (err);
  if (strncmp (err->msg, words, strlen (words)) != 0)
    fail_msg ("route `%s`: `%s` does not start with `%s`", text, err->msg, words);
  ferry_error_release (&err);
}

static void
test_route (void **state)
{
  struct ferry_route r;
  ferry_error_t err = NULL;
  json_object *j;

  (void) state;
  assert_int_equal (ferry_route_parse ("10.20.0.0/16,10.89.0.5", &r, &err), 0);
  assert_int_equal (r.destination.addr, 0x0a140000u);
  assert_int_equal (r.destination.prefix, 16);
  assert_int_equal (r.gateway, 0x0a590005u);
  assert_int_equal (r.has_metric, 0);
  j = ferry_route_json (&r);
  assert_string_equal (
      json_object_to_json_string_ext (j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
      "{\"destination\":\"10.20.0.0/16\",\"gateway\":\"10.89.0.5\"}");
  json_object_put (j);
  assert_int_equal (ferry_route_parse ("0.0.0.0/0,10.89.0.5,4294967295", &r, &err), 0);
  assert_int_equal (r.has_metric, 1);
  assert_int_equal (r.metric, 4294967295u);
  j = ferry_route_json (&r);
  assert_string_equal (
      json_object_to_json_string_ext (j, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
      "{\"destination\":\"0.0.0.0/0\",\"gateway\":\"10.89.0.5\",\"metric\":4294967295}");
  json_object_put (j);
  route_refused ("10.20.0.0/16", "invalid route: 10.20.0.0/16");
  route_refused ("10.20.0.0/16,10.0.0.1,1,2", "invalid route: ");
  route_refused ("", "invalid route: ");
  route_refused ("10.20.0.0/16,bad", "invalid route gateway bad");
  route_refused ("10.20.0.0/16,", "invalid route gateway ");
  route_refused ("10.20.0.1/16,10.0.0.1", "route destination invalid");
  route_refused ("10.20.0.0/33,10.0.0.1", "invalid route destination 10.20.0.0/33");
  route_refused ("bad,10.0.0.1", "invalid route destination bad");
  route_refused ("10.20.0.0,10.0.0.1", "invalid route destination");
  route_refused ("10.20.0.0/16,10.0.0.1,abc", "invalid route metric abc");
  route_refused ("10.20.0.0/16,10.0.0.1,-1", "invalid route metric -1");
  route_refused ("10.20.0.0/16,10.0.0.1,4294967296", "invalid route metric");
  route_refused ("10.20.0.0/16,10.0.0.1,", "invalid route metric");
}

static void
test_routes_check (void **state)
{
  static const char *const bad[] = {
    "{}",
    "[1]",
    "[{\"destination\":\"10.20.0.0/16\"}]",
    "[{\"destination\":\"10.20.0.1/16\",\"gateway\":\"10.0.0.1\"}]",
    "[{\"destination\":\"10.20.0.0/16\",\"gateway\":\"10.0.0.1\",\"metric\":-1}]",
    "[{\"destination\":\"10.20.0.0/16\",\"gateway\":\"10.0.0.1\",\"metric\":\"1\"}]",
    "[{\"destination\":\"10.20.0.0/16\",\"gateway\":\"10.0.0.1\",\"extra\":1}]",
    NULL,
  };
  ferry_error_t err = NULL;

  (void) state;
  {
    json_object *ok
        = json_tokener_parse ("[{\"destination\":\"10.20.0.0/"
                              "16\",\"gateway\":\"10.0.0.1\",\"metric\":5},{\"destination\":\"10.21.0.0/"
                              "16\",\"gateway\":\"10.0.0.2\"}]");
    assert_int_equal (ferry_routes_check (ok, "test", &err), 0);
    json_object_put (ok);
  }
  for (size_t i = 0; bad[i]; i++)
    {
      json_object *j = json_tokener_parse (bad[i]);
      assert_int_equal (ferry_routes_check (j, "test", &err) < 0, 1);
      ferry_error_release (&err);
      json_object_put (j);
    }
}

static void
test_dns_and_bridge_options (void **state)
{
  static const char *const good[][2] = {
    { "mtu", "1400" },
    { "mtu", "0" },
    { "mtu", "65535" },
    { "vlan", "0" },
    { "vlan", "4094" },
    { "isolate", "true" },
    { "isolate", "strict" },
    { "isolate", "0" },
    { "metric", "200" },
    { "no_default_route", "true" },
    { "no_default_route", "false" },
    { "mode", "managed" },
    { "mode", "unmanaged" },
    { "vrf", "vrf1" },
  };
  static const char *const bad[][2] = {
    { "mtu", "abc" },       { "mtu", "-1" },
    { "mtu", "65536" },     { "mtu", "10" },
    { "vlan", "4095" },     { "vlan", "x" },
    { "isolate", "maybe" }, { "metric", "x" },
    { "metric", "-1" },     { "no_default_route", "yes" },
    { "bogus", "1" },       { "parent", "eth0" },
    { "mode", "bridge" },   { "vrf", "../x" },
    { "vrf", "" },
  };
  ferry_error_t err = NULL;

  (void) state;
  assert_true (ferry_dns_server_is_valid ("192.0.2.1"));
  assert_true (ferry_dns_server_is_valid ("2001:db8::1"));
  assert_false (ferry_dns_server_is_valid ("192.0.2"));
  assert_false (ferry_dns_server_is_valid ("bogus"));
  assert_false (ferry_dns_server_is_valid (""));
  assert_false (ferry_dns_server_is_valid (NULL));
  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++)
    assert_int_equal (ferry_bridge_option_check (good[i][0], good[i][1], &err), 0);
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      if (ferry_bridge_option_check (bad[i][0], bad[i][1], &err) == 0)
        fail_msg ("-o %s=%s was taken", bad[i][0], bad[i][1]);
      ferry_error_release (&err);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_route),
    cmocka_unit_test (test_routes_check),
    cmocka_unit_test (test_dns_and_bridge_options),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
