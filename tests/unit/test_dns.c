/* Unit tests for src/lib/network/dns.c: the checks of --dns, --dns-search,
 * --dns-option and --add-host, and the resolv.conf and hosts files built
 * from them as Podman builds them.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "network/dns.h"

#include <stdlib.h>
#include <string.h>

static void
test_ip (void **state)
{
  static const char *const bad[]
      = { "", "1.2.3", "01.2.3.4", "1.2.3.4 ", "example.com", "::1%lo", "1:2", NULL };
  char ip[FERRY_IP_TEXT_MAX];

  (void) state;
  assert_int_equal (ferry_dns_ip_canonical ("10.89.0.1", ip), 0);
  assert_string_equal (ip, "10.89.0.1");
  assert_int_equal (ferry_dns_ip_canonical ("2001:DB8:0:0::0001", ip), 0);
  assert_string_equal (ip, "2001:db8::1");
  for (size_t i = 0; bad[i]; i++)
    assert_int_equal (ferry_dns_ip_canonical (bad[i], ip), -1);
  assert_int_equal (ferry_dns_ip_canonical (NULL, ip), -1);
}

static void
test_names_and_options (void **state)
{
  static const char *const good[] = { "example.com", "example.com.", "a", "a-b.c0", "xn--nxasmq6b", NULL };
  static const char *const bad[]
      = { "", ".", "a..b", "-a.com", "a-.com", "a_b", "a b", "a/b", "exa\nmple", ".com", NULL };
  char long_label[70], long_name[300];

  (void) state;
  for (size_t i = 0; good[i]; i++)
    assert_true (ferry_dns_name_is_valid (good[i]));
  for (size_t i = 0; bad[i]; i++)
    assert_false (ferry_dns_name_is_valid (bad[i]));
  memset (long_label, 'a', 64);
  long_label[64] = '\0';
  assert_false (ferry_dns_name_is_valid (long_label));
  long_label[63] = '\0';
  assert_true (ferry_dns_name_is_valid (long_label));
  for (size_t i = 0; i < 254; i++)
    long_name[i] = i % 2 ? '.' : 'a';
  long_name[253] = '\0'; /* "a.a....a": 253 */
  assert_true (ferry_dns_name_is_valid (long_name));
  long_name[253] = '.';
  long_name[254] = 'a';
  long_name[255] = '\0';
  assert_false (ferry_dns_name_is_valid (long_name));

  assert_true (ferry_dns_option_is_valid ("ndots:2"));
  assert_true (ferry_dns_option_is_valid ("edns0"));
  assert_true (ferry_dns_option_is_valid ("single-request-reopen"));
  assert_false (ferry_dns_option_is_valid (""));
  assert_false (ferry_dns_option_is_valid ("ndots:2 rotate"));
  assert_false (ferry_dns_option_is_valid ("a\nnameserver 1.1.1.1"));
}

static void
test_host_entries (void **state)
{
  static const char *const bad[]
      = { "",           "host",       ":1.2.3.4",   "host:",       "host:name", "a b:1.2.3.4", "a;;b:1.2.3.4",
          ";a:1.2.3.4", "a;:1.2.3.4", "a:01.2.3.4", "a:1.2.3.4\n", NULL };
  char *c;

  (void) state;
  assert_true (ferry_host_entry_is_valid ("db:10.0.0.5"));
  assert_true (ferry_host_entry_is_valid ("db;db.local:10.0.0.5"));
  assert_true (ferry_host_entry_is_valid ("v6:2001:db8::1"));
  assert_true (ferry_host_entry_is_valid ("gw:host-gateway"));
  for (size_t i = 0; bad[i]; i++)
    assert_false (ferry_host_entry_is_valid (bad[i]));
  /* An archive holds only what create writes: canonical addresses.  */
  assert_false (ferry_host_entry_is_valid ("v6:2001:DB8::1"));
  c = ferry_host_entry_canonical ("v6:2001:DB8:0::1");
  assert_string_equal (c, "v6:2001:db8::1");
  free (c);
  assert_null (ferry_host_entry_canonical ("v6:nothing"));
  assert_null (ferry_host_entry_canonical ("a b:1.2.3.4"));
}

static const char HOST_RESOLV[] = "# written by someone\n"
                                  "nameserver 127.0.0.53\n"
                                  "nameserver 192.0.2.1 ; a comment\n"
                                  "nameserver 2001:db8::53\n"
                                  "search old.example\n"
                                  "search corp.example lab.example\n"
                                  "options ndots:1\n"
                                  "options timeout:2 attempts:3\n";

static void
assert_resolv (const struct ferry_resolv_params *p, const char *want)
{
  char *got = ferry_resolv_conf_build (HOST_RESOLV, p);

  assert_string_equal (got, want);
  free (got);
}

static void
test_resolv_conf (void **state)
{
  char *servers[] = { "1.1.1.1", "2606:4700::1111", NULL };
  char *search[] = { "example.com", NULL }, *none[] = { ".", NULL };
  char *options[] = { "ndots:3", "edns0", NULL };
  char *aardvark[] = { "10.201.3.1", NULL }, *podman[] = { "dns.podman", NULL };
  struct ferry_resolv_params p = { 0 };

  (void) state;
  /* --network host: the host's, all of it.  */
  assert_resolv (&p, "search corp.example lab.example\nnameserver 127.0.0.53\nnameserver 192.0.2.1\n"
                     "nameserver 2001:db8::53\noptions timeout:2 attempts:3\n");
  /* A namespace of its own: no loopback or IPv6 servers.  */
  p.own_netns = true;
  assert_resolv (&p, "search corp.example lab.example\nnameserver 192.0.2.1\noptions timeout:2 attempts:3\n");
  /* No network at all.  */
  p.no_host_nameservers = true;
  assert_resolv (&p, "search corp.example lab.example\noptions timeout:2 attempts:3\n");
  /* What the user gives replaces the host's.  */
  p.nameservers = servers;
  p.searches = search;
  p.options = options;
  assert_resolv (&p, "search example.com\nnameserver 1.1.1.1\nnameserver 2606:4700::1111\n"
                     "options ndots:3 edns0\n");
  p.searches = none;
  assert_resolv (&p, "nameserver 1.1.1.1\nnameserver 2606:4700::1111\noptions ndots:3 edns0\n");
  /* With aardvark-dns: its address alone (it forwards to --dns), its
   * domain before the host's unless --dns-search.  */
  p.no_host_nameservers = false;
  p.network_nameservers = aardvark;
  p.network_searches = podman;
  p.searches = NULL;
  p.options = NULL;
  assert_resolv (&p, "search dns.podman corp.example lab.example\nnameserver 10.201.3.1\n"
                     "options timeout:2 attempts:3\n");
  p.searches = search;
  assert_resolv (&p, "search example.com\nnameserver 10.201.3.1\noptions timeout:2 attempts:3\n");
}

static void
assert_hosts (const struct ferry_hosts_params *p, const char *want)
{
  char *got = ferry_etc_hosts_build (p);

  assert_string_equal (got, want);
  free (got);
}

static void
test_hosts (void **state)
{
  char *extra[] = { "db;db.local:10.0.0.5", "gw:host-gateway", "web:2001:db8::1", NULL };
  char *mine[] = { "box:10.0.0.9", NULL };
  char *ips[] = { "10.201.3.2", NULL };
  struct ferry_hosts_params p = { .localhost = true, .ips = ips, .hostname = "box", .name = "c1" };

  (void) state;
  assert_hosts (&p, "127.0.0.1\tlocalhost\n::1\tlocalhost\n10.201.3.2\tbox c1\n");
  p.extra_hosts = extra;
  p.gateway = "10.201.3.1";
  p.internal_ip = "10.201.3.1";
  assert_hosts (&p, "10.0.0.5\tdb db.local\n10.201.3.1\tgw\n2001:db8::1\tweb\n"
                    "127.0.0.1\tlocalhost\n::1\tlocalhost\n"
                    "10.201.3.1\thost.containers.internal host.docker.internal\n10.201.3.2\tbox c1\n");
  /* A name the user maps is not mapped again; no gateway, no line.  */
  p.extra_hosts = mine;
  p.ips = NULL;
  p.localhost = false;
  p.internal_ip = NULL;
  p.name = "box";
  assert_hosts (&p, "10.0.0.9\tbox\n");
  /* The base file's lines as Podman writes them: no comments, no address
   * alone, a tab after the address; their names are not mapped again.  */
  p.extra_hosts = extra;
  p.gateway = NULL;
  p.localhost = true;
  p.internal_ip = "192.0.2.2";
  p.base_text = "# the host's\n127.0.0.1   localhost  # loopback\n10.9.9.9\n::1 localhost ip6-localhost\n"
                "192.0.2.9 host.docker.internal";
  assert_hosts (
      &p, "10.0.0.5\tdb db.local\n2001:db8::1\tweb\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n"
          "192.0.2.9\thost.docker.internal\n192.0.2.2\thost.containers.internal\n127.0.0.1\tbox box\n");
  /* On the host's network: no line of its own.  */
  p.no_own_line = true;
  p.base_text = NULL;
  p.extra_hosts = NULL;
  assert_hosts (
      &p, "127.0.0.1\tlocalhost\n::1\tlocalhost\n192.0.2.2\thost.containers.internal host.docker.internal\n");
}

static void
assert_edit (char *got, const char *want)
{
  assert_string_equal (got, want);
  free (got);
}

/* The live edits of connect and disconnect: appended once, taken out
 * with the container's own names only, the rest rewritten as Podman
 * does; the container's own (untrusted) lines survive.  */
static void
test_live_edits (void **state)
{
  const char *names[] = { "abc123", "c1", NULL };
  char *ips[] = { "10.0.2.3", NULL };
  char *v6[] = { "fd00::3", NULL };
  char *ns_add[] = { "10.0.2.1", NULL };
  const char *hosts = "127.0.0.1\tlocalhost\n10.0.1.2\tabc123 c1\n# comment\n\n1.1.1.1   edited  x # tail";

  (void) state;
  assert_edit (ferry_etc_hosts_add_entries (hosts, ips, names),
               "127.0.0.1\tlocalhost\n10.0.1.2\tabc123 c1\n# comment\n\n1.1.1.1   edited  x # tail\n"
               "10.0.2.3\tabc123 c1\n");
  /* Twice is once: a settle may do it again.  */
  {
    char *once = ferry_etc_hosts_add_entries (hosts, ips, names);
    assert_edit (ferry_etc_hosts_add_entries (once, ips, names),
                 "127.0.0.1\tlocalhost\n10.0.1.2\tabc123 c1\n# comment\n\n1.1.1.1   edited  x # tail\n"
                 "10.0.2.3\tabc123 c1\n");
    free (once);
  }
  assert_edit (ferry_etc_hosts_add_entries ("", v6, names), "fd00::3\tabc123 c1\n");
  /* The address in another form is the same address; another name on
   * it is not the container's.  */
  assert_edit (ferry_etc_hosts_remove_entries ("10.0.2.3 abc123 c1\nfd00:0::3\tabc123 c1\n10.0.2.3 other\n"
                                               "10.0.2.3 abc123\n",
                                               (char *[]){ "10.0.2.3", "fd00::3", NULL }, names),
               "10.0.2.3\tother\n10.0.2.3\tabc123\n");
  assert_edit (ferry_etc_hosts_remove_entries (hosts, (char *[]){ "10.0.1.2", NULL }, names),
               "127.0.0.1\tlocalhost\n1.1.1.1\tedited x\n");
  assert_edit (ferry_resolv_conf_edit ("# rc\nsearch dns.podman\nnameserver 10.0.1.1\nnameserver   8.8.8.8\n"
                                       "options ndots:2\ndomain x\n",
                                       ns_add, NULL),
               "search dns.podman\nnameserver 10.0.2.1\nnameserver 10.0.1.1\nnameserver 8.8.8.8\n"
               "options ndots:2\n");
  assert_edit (ferry_resolv_conf_edit ("search dns.podman\nnameserver 10.0.2.1\n", ns_add, NULL),
               "search dns.podman\nnameserver 10.0.2.1\n");
  assert_edit (ferry_resolv_conf_edit ("search dns.podman\nnameserver 10.0.2.1\n", NULL, ns_add),
               "search dns.podman\n");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_ip),           cmocka_unit_test (test_names_and_options),
    cmocka_unit_test (test_host_entries), cmocka_unit_test (test_resolv_conf),
    cmocka_unit_test (test_hosts),        cmocka_unit_test (test_live_edits),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
