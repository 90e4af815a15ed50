/* Unit tests for src/lib/network/addr.c: addresses, subnets and MACs as
 * they come from users, archives and netavark.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "network/addr.h"
#include "network/ports.h"
#include "util/error.h"
#include "util/json.h"

#include <json-c/json.h>

#include <string.h>

static void
test_ip (void **state)
{
  static const char *const bad[]
      = { "",         "1.2.3",  "1.2.3.4.5", "256.1.1.1",  "01.2.3.4",    "1.2.3.4 ",
          "-1.2.3.4", "1..2.3", "a.b.c.d",   "1.2.3.4/24", "99999.1.1.1", NULL };
  char buf[16];
  uint32_t ip;

  (void) state;
  assert_int_equal (ferry_ip_parse ("10.89.0.2", &ip), 0);
  assert_int_equal (ip, 0x0a590002u);
  assert_string_equal (ferry_ip_format (ip, buf), "10.89.0.2");
  assert_int_equal (ferry_ip_parse ("0.0.0.0", &ip), 0);
  assert_int_equal (ferry_ip_parse ("255.255.255.255", &ip), 0);
  for (size_t i = 0; bad[i]; i++)
    assert_int_equal (ferry_ip_parse (bad[i], &ip), -1);
}

static void
test_subnet (void **state)
{
  struct ferry_subnet a, b;
  char buf[19];

  (void) state;
  assert_int_equal (ferry_subnet_parse ("10.89.0.0/24", &a), 0);
  assert_string_equal (ferry_subnet_format (&a, buf), "10.89.0.0/24");
  assert_int_equal (ferry_subnet_first_host (&a), 0x0a590001u);
  assert_int_equal (ferry_subnet_last_host (&a), 0x0a5900feu);
  assert_true (ferry_subnet_contains (&a, 0x0a5900ffu));
  assert_false (ferry_subnet_contains (&a, 0x0a590100u));
  /* Host bits set, a bad prefix, no prefix.  */
  assert_int_equal (ferry_subnet_parse ("10.89.0.1/24", &b), -1);
  assert_int_equal (ferry_subnet_parse ("10.89.0.0/33", &b), -1);
  assert_int_equal (ferry_subnet_parse ("10.89.0.0/", &b), -1);
  assert_int_equal (ferry_subnet_parse ("10.89.0.0", &b), -1);
  assert_int_equal (ferry_subnet_parse ("10.89.0.0/024", &b), -1);
  assert_int_equal (ferry_subnet_parse ("10.88.0.0/16", &b), 0);
  assert_false (ferry_subnets_overlap (&a, &b));
  assert_int_equal (ferry_subnet_parse ("10.89.0.128/25", &b), 0);
  assert_true (ferry_subnets_overlap (&a, &b));
  assert_true (ferry_subnets_overlap (&b, &a));
  assert_int_equal (ferry_subnet_parse ("0.0.0.0/0", &b), 0);
  assert_true (ferry_subnets_overlap (&a, &b));
}

static void
test_mac (void **state)
{
  unsigned char mac[6];
  char buf[18];

  (void) state;
  assert_int_equal (ferry_mac_parse ("02:42:0A:59:00:02", mac), 0);
  assert_string_equal (ferry_mac_format (mac, buf), "02:42:0a:59:00:02");
  assert_int_equal (ferry_mac_parse ("01:00:5e:00:00:01", mac), -1); /* multicast */
  assert_int_equal (ferry_mac_parse ("02:42:0a:59:00", mac), -1);
  assert_int_equal (ferry_mac_parse ("02-42-0a-59-00-02", mac), -1);
  assert_int_equal (ferry_mac_parse ("02:42:0a:59:00:0g", mac), -1);
  for (int i = 0; i < 100; i++)
    {
      ferry_mac_random (mac);
      assert_int_equal (mac[0] & 1, 0);
      assert_int_equal (mac[0] & 2, 2);
    }
}

/* A published port as an archive's record carries it: every number any
 * int64, bounded before it is added (fuzz_records found the sum
 * overflowing, and a wrapped one passed).  */
static void
test_ports_check_bounds (void **state)
{
  static const char *const bad[] = {
    "{\"host_ip\":\"\",\"host_port\":0,\"container_port\":9223372036854775807,\"range\":2,\"protocol\":"
    "\"tcp\"}",
    "{\"host_ip\":\"\",\"host_port\":9223372036854775807,\"container_port\":80,\"range\":2,\"protocol\":"
    "\"tcp\"}",
    "{\"host_ip\":\"\",\"host_port\":8080,\"container_port\":80,\"range\":9223372036854775807,\"protocol\":"
    "\"tcp\"}",
    "{\"host_ip\":\"\",\"host_port\":65535,\"container_port\":80,\"range\":2,\"protocol\":\"tcp\"}",
  };
  json_object *good = json_tokener_parse (
      "{\"host_ip\":\"\",\"host_port\":65534,\"container_port\":80,\"range\":2,\"protocol\":\"tcp\"}");

  (void) state;
  assert_null (ferry_ports_check (good));
  json_object_put (good);
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      json_object *m = json_tokener_parse (bad[i]);
      const char *why;

      assert_non_null (m);
      why = ferry_ports_check (m);
      if (why == NULL || strcmp (why, "has a port out of 1-65535") != 0)
        fail_msg ("%s: %s", bad[i], why ? why : "passed");
      json_object_put (m);
    }
}

/* -p with an IPv6 host address, in brackets as Podman takes it, kept as
 * inet_ntop writes it; an archive's host_ip only in that form.  */
static void
test_ports_ipv6_host (void **state)
{
  static const char *const good[][2] = {
    { "[::1]:8080:80", "::1" },
    { "[0:0::1]:8080:80/udp", "::1" },
    { "[FD00::A]:8080:80", "fd00::a" },
    { "[::ffff:127.0.0.1]:8080:80", "127.0.0.1" },
    { "[127.0.0.1]:8080:80", "127.0.0.1" },
    { "[::]::80", "::" },
  };
  static const char *const bad[] = { "[::1:8080:80", "[::1]8080:80", "[::1]:8080",        "[]:8080:80",
                                     "[zz]:1:80",    "::1:8080:80",  "[fe80::1%lo]:1:80", "[::1]:1:2:3" };
  static const char *const bad_ip[]
      = { "::FFFF:1.2.3.4", "0:0::1", "FD00::A", "[::1]", "fe80::1%lo", "1.2.3" };

  (void) state;
  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++)
    {
      json_object *ports = json_object_new_array ();
      ferry_error_t err = NULL;

      if (ferry_ports_parse (good[i][0], ports, &err) < 0)
        fail_msg ("%s: %s", good[i][0], err->msg);
      assert_string_equal (ferry_json_get_string (json_object_array_get_idx (ports, 0), "host_ip"),
                           good[i][1]);
      assert_null (ferry_ports_check (json_object_array_get_idx (ports, 0)));
      json_object_put (ports);
    }
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      json_object *ports = json_object_new_array ();
      ferry_error_t err = NULL;

      if (ferry_ports_parse (bad[i], ports, &err) == 0)
        fail_msg ("%s: passed", bad[i]);
      assert_int_equal (json_object_array_length (ports), 0);
      ferry_error_release (&err);
      json_object_put (ports);
    }
  for (size_t i = 0; i < sizeof (bad_ip) / sizeof (bad_ip[0]); i++)
    {
      json_object *m = json_tokener_parse (
          "{\"host_ip\":\"\",\"host_port\":8080,\"container_port\":80,\"range\":1,\"protocol\":\"tcp\"}");

      json_object_object_add (m, "host_ip", json_object_new_string (bad_ip[i]));
      if (ferry_ports_check (m) == NULL)
        fail_msg ("%s: passed", bad_ip[i]);
      json_object_put (m);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_ip),
    cmocka_unit_test (test_subnet),
    cmocka_unit_test (test_mac),
    cmocka_unit_test (test_ports_check_bounds),
    cmocka_unit_test (test_ports_ipv6_host),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
