/* Unit tests for src/lib/network/addr6.c: IPv6 addresses and subnets as
 * users, archives and netavark give them.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "network/addr6.h"

#include <string.h>

static void
test_ip6 (void **state)
{
  static const char *const bad[]
      = { "",          "fd00::1::2", "fd00::g",  "::ffff:1.2.3.4", "fe80::1%eth0",
          "fd00::/64", "10.0.0.1",   "fd00:::1", " fd00::1",       "1:2:3:4:5:6:7:8:9",
          NULL };
  struct ferry_ip6 ip;
  char buf[FERRY_IP6_TEXT_MAX];

  (void) state;
  assert_int_equal (ferry_ip6_parse ("fd00:0:0:0:0:0:0:2", &ip), 0);
  assert_string_equal (ferry_ip6_format (&ip, buf), "fd00::2");
  assert_int_equal (ferry_ip6_parse ("FD00:231:1::A", &ip), 0);
  assert_string_equal (ferry_ip6_format (&ip, buf), "fd00:231:1::a");
  assert_int_equal (ferry_ip6_parse ("::", &ip), 0);
  for (size_t i = 0; bad[i]; i++)
    if (ferry_ip6_parse (bad[i], &ip) == 0)
      fail_msg ("`%s` was taken for an IPv6 address", bad[i]);
}

static void
test_subnet6 (void **state)
{
  struct ferry_subnet6 a, b;
  struct ferry_ip6 ip;
  char buf[FERRY_SUBNET6_TEXT_MAX], text[FERRY_IP6_TEXT_MAX];

  (void) state;
  assert_int_equal (ferry_subnet6_parse ("fd00:231:1::/64", 64, 120, &a), 0);
  assert_string_equal (ferry_subnet6_format (&a, buf), "fd00:231:1::/64");
  /* Host bits set, prefixes out of range, no prefix, leading zeros.  */
  assert_int_equal (ferry_subnet6_parse ("fd00:231:1::1/64", 64, 120, &b), -1);
  assert_int_equal (ferry_subnet6_parse ("fd00::/48", 64, 120, &b), -1);
  assert_int_equal (ferry_subnet6_parse ("fd00::/121", 64, 120, &b), -1);
  assert_int_equal (ferry_subnet6_parse ("fd00::/129", 0, 128, &b), -1);
  assert_int_equal (ferry_subnet6_parse ("fd00::", 0, 128, &b), -1);
  assert_int_equal (ferry_subnet6_parse ("fd00::/", 0, 128, &b), -1);
  assert_int_equal (ferry_subnet6_parse ("fd00::/064", 0, 128, &b), -1);
  assert_int_equal (ferry_subnet6_parse ("fd00::/64x", 0, 128, &b), -1);
  assert_int_equal (ferry_subnet6_parse ("10.0.0.0/8", 0, 128, &b), -1);
  assert_int_equal (ferry_subnet6_parse ("fd00:231:1::/48", 0, 128, &b), 0);
  assert_true (ferry_subnets6_overlap (&a, &b));
  assert_true (ferry_subnets6_overlap (&b, &a));
  assert_int_equal (ferry_subnet6_parse ("fd00:231:2::/64", 64, 120, &b), 0);
  assert_false (ferry_subnets6_overlap (&a, &b));
  /* Hosts by offset, and back.  */
  ip = ferry_subnet6_host (&a, 1);
  assert_string_equal (ferry_ip6_format (&ip, text), "fd00:231:1::1");
  ip = ferry_subnet6_host (&a, 0x1ff);
  assert_string_equal (ferry_ip6_format (&ip, text), "fd00:231:1::1ff");
  assert_true (ferry_subnet6_contains (&a, &ip));
  assert_false (ferry_subnet6_contains (&b, &ip));
  assert_int_equal (ferry_subnet6_offset (&a, &ip), 0x1ff);
  assert_true (ferry_subnet6_last_offset (&a) == UINT64_MAX);
  assert_int_equal (ferry_subnet6_parse ("fd00::100/120", 64, 120, &b), 0);
  assert_int_equal (ferry_subnet6_last_offset (&b), 255);
  ip = ferry_subnet6_host (&b, 255);
  assert_string_equal (ferry_ip6_format (&ip, text), "fd00::1ff");
}

static void
test_random_ula (void **state)
{
  struct ferry_subnet6 a, b;
  char buf[FERRY_SUBNET6_TEXT_MAX];

  (void) state;
  ferry_subnet6_random_ula (&a);
  ferry_subnet6_random_ula (&b);
  assert_int_equal (a.prefix, 64);
  assert_int_equal (a.addr.b[0], 0xfd);
  for (int i = 8; i < 16; i++)
    assert_int_equal (a.addr.b[i], 0);
  assert_memory_not_equal (a.addr.b, b.addr.b, 8);
  assert_int_equal (ferry_subnet6_parse (ferry_subnet6_format (&a, buf), 64, 64, &b), 0);
  assert_memory_equal (a.addr.b, b.addr.b, 16);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_ip6),
    cmocka_unit_test (test_subnet6),
    cmocka_unit_test (test_random_ula),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
