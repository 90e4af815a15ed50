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

/* TEXT, as --network n1:TEXT, into a new attachment as JSON text; NULL
 * and *MSG the error when refused.  */
static char *
attach (const char *text, char **msg)
{
  json_object *att = json_object_new_object ();
  ferry_error_t err = NULL;
  char *out = NULL;

  *msg = NULL;
  if (ferry_network_attach_parse ("n1", text, att, &err) == 0)
    out = strdup (json_object_to_json_string_ext (att, JSON_C_TO_STRING_PLAIN));
  else
    {
      *msg = strdup (err->msg);
      assert_null (strchr (*msg, '\n'));
      ferry_error_release (&err);
    }
  json_object_put (att);
  return out;
}

static void
test_attach_parse (void **state)
{
  static const char *const good[][2] = {
    { "", "{}" },
    { "ip=10.1.2.3", "{\"IP\":\"10.1.2.3\"}" },
    /* Either family through either key; the first of each counts.  */
    { "ip6=10.1.2.3,ip=10.1.2.4,ip=FD00::0:5,ip6=fd00::6", "{\"IP\":\"10.1.2.3\",\"IPv6\":\"fd00::5\"}" },
    { "mac=02:AA:bb:cc:dd:ee,mac=02:00:00:00:00:01", "{\"MAC\":\"02:00:00:00:00:01\"}" },
    { "alias=web,alias=db.internal", "{\"Aliases\":[\"web\",\"db.internal\"]}" },
    { "interface_name=wan0", "{\"Interface\":\"wan0\"}" },
    { "host_interface_name=vethweb,foo=bar,flag",
      "{\"Options\":{\"host_interface_name\":\"vethweb\",\"foo\":\"bar\",\"flag\":\"\"}}" },
    { ",,ip=10.1.2.3,,", "{\"IP\":\"10.1.2.3\"}" },
  };
  static const char *const bad[][2] = {
    { "ip=1.2.3", "invalid option for network n1: invalid ip address \"1.2.3\"" },
    { "ip", "invalid option for network n1: invalid ip address \"\"" },
    { "ip6=fe80::1%eth0", "invalid option for network n1: invalid ip address" },
    { "mac=zz", "invalid option for network n1: address zz: invalid MAC address" },
    { "mac=01:00:5e:00:00:01", "invalid option for network n1: address" },
    { "alias=", "invalid option for network n1: alias cannot be empty" },
    { "alias=a b", "invalid option for network n1: invalid alias" },
    { "alias=db.", "invalid option for network n1: invalid alias" },
    { "interface_name=", "invalid option for network n1: interface_name cannot be empty" },
    { "interface_name=../x", "invalid option for network n1: invalid interface_name" },
    { "interface_name=sixteen_chars_xx", "invalid option for network n1: invalid interface_name" },
    { "host_interface_name=", "invalid option for network n1: invalid host_interface_name" },
    { "host_interface_name=a/b", "invalid option for network n1: invalid host_interface_name" },
    { "=x", "invalid option for network n1: invalid option" },
    { "k=a\tb", "invalid option for network n1: invalid option" },
    { "k\x1b[2J=1", "invalid option for network n1: invalid option \"k\\x1b[2J\"" },
  };

  (void) state;
  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++)
    {
      char *msg, *out = attach (good[i][0], &msg);
      if (out == NULL)
        fail_msg ("`%s` refused: %s", good[i][0], msg);
      if (strcmp (out, good[i][1]) != 0)
        fail_msg ("`%s`: %s, not %s", good[i][0], out, good[i][1]);
      free (out);
    }
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      char *msg, *out = attach (bad[i][0], &msg);
      if (out)
        fail_msg ("`%s` passed: %s", bad[i][0], out);
      if (strncmp (msg, bad[i][1], strlen (bad[i][1])) != 0)
        fail_msg ("`%s`: `%s` does not start with `%s`", bad[i][0], msg, bad[i][1]);
      free (msg);
    }
  /* At most 32 options.  */
  {
    char text[32 * 8 + 16] = "", *msg, *out;
    for (int i = 0; i < 33; i++)
      snprintf (text + strlen (text), sizeof (text) - strlen (text), "%sk%d=1", i ? "," : "", i);
    out = attach (text, &msg);
    assert_null (out);
    assert_non_null (strstr (msg, "too many options"));
    free (msg);
  }
}

static void
test_attach_options_check (void **state)
{
  static const char *const good[] = { "{}", "{\"host_interface_name\":\"veth1\",\"foo\":\"\"}" };
  static const char *const bad[] = {
    "[]",
    "{\"foo\":1}",
    "{\"\":\"x\"}",
    "{\"a=b\":\"x\"}",
    "{\"a\":\"x,y\"}",
    "{\"a\":\"x\\ny\"}",
    "{\"host_interface_name\":\"../../x\"}",
    "{\"host_interface_name\":\"\"}",
  };

  (void) state;
  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++)
    {
      json_object *o = json_tokener_parse (good[i]);
      ferry_error_t err = NULL;
      if (ferry_network_attach_options_check (o, &err) < 0)
        fail_msg ("%s refused: %s", good[i], err->msg);
      json_object_put (o);
    }
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      json_object *o = json_tokener_parse (bad[i]);
      ferry_error_t err = NULL;
      assert_non_null (o);
      if (ferry_network_attach_options_check (o, &err) == 0)
        fail_msg ("%s passed", bad[i]);
      ferry_error_release (&err);
      json_object_put (o);
    }
  {
    json_object *o = json_object_new_object ();
    ferry_error_t err = NULL;
    char key[8];
    for (int i = 0; i < 33; i++)
      {
        snprintf (key, sizeof (key), "k%d", i);
        json_object_object_add (o, key, json_object_new_string ("1"));
      }
    assert_int_equal (ferry_network_attach_options_check (o, &err), -1);
    ferry_error_release (&err);
    json_object_put (o);
  }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_route),
    cmocka_unit_test (test_routes_check),
    cmocka_unit_test (test_dns_and_bridge_options),
    cmocka_unit_test (test_attach_parse),
    cmocka_unit_test (test_attach_options_check),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
