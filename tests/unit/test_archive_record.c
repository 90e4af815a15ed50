/* Unit tests for the check of an archive's container record: a record
 * ferry writes passes, and each kind of bad field is refused by name.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "engine/archive_record.h"
#include "util/cleanup.h"
#include "util/json.h"

static const char GOOD[]
    = "{ \"Id\": \"20ceefc664562fd3095935ae6df97442200ee349799ebb91bb3b181ea07401b8\","
      "  \"Name\": \"src\", \"Image\": \"ferry-test\", \"ImageName\": \"localhost/ferry-test:latest\","
      "  \"ImageID\": \"3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449\","
      "  \"ImageDigest\": \"sha256:44d9e46969dbeaee9a6899feba5e25847d5bceb3821b98ed381d58cb59093b87\","
      "  \"Created\": \"2026-12-05T01:22:32.663481436Z\","
      "  \"Env\": [ \"PATH=/usr/bin:/bin\", \"container=ferry\" ], \"Entrypoint\": [],"
      "  \"Cmd\": [ \"sleep\", \"1000\" ], \"Args\": [ \"sleep\", \"1000\" ], \"Labels\": { \"a\": \"b\" },"
      "  \"WorkingDir\": \"/\", \"User\": \"\", \"Hostname\": \"20ceefc66456\", \"Tty\": false,"
      "  \"OpenStdin\": false, \"AutoRemove\": false, \"Network\": \"none\", \"ShmSize\": 67108864,"
      "  \"StopTimeout\": 10, \"StopSignal\": 15,"
      "  \"Mounts\": [ { \"Type\": \"volume\", \"Name\": \"vol1\", \"Destination\": \"/data\", \"RW\": true "
      "},"
      "              { \"Type\": \"volume\", \"Name\": \"0123abcd\", \"Destination\": \"/anon\", \"RW\": "
      "true,"
      "                \"Anonymous\": true },"
      "              { \"Type\": \"tmpfs\", \"Destination\": \"/tt\", \"RW\": true } ] }";

static const char BIND[]
    = "{ \"Type\": \"bind\", \"Source\": \"/\", \"Destination\": \"/host\", \"RW\": false }";

/* Checks GOOD with KEY set to VALUE (JSON text; NULL removes KEY).  Returns
 * the error message, or NULL when the record passed.  */
static char *
check_with (const char *key, const char *value, int trust)
{
  cleanup_json json_object *rec = json_tokener_parse (GOOD);
  struct ferry_restore_request r = { .import_path = "/tmp/x.tar", .trust_archive = trust };
  ferry_error_t err = NULL;
  char *msg;

  assert_non_null (rec);
  if (key && value)
    {
      json_object *v = json_tokener_parse (value);
      assert_true (v != NULL || strcmp (value, "null") == 0);
      json_object_object_add (rec, key, v);
    }
  else if (key)
    json_object_object_del (rec, key);
  if (ferry_archive_record_check (rec, &r, &err) == 0)
    {
      assert_null (err);
      return NULL;
    }
  assert_non_null (err);
  msg = strdup (err->msg);
  ferry_error_release (&err);
  /* One line, naming the archive.  */
  assert_null (strchr (msg, '\n'));
  assert_non_null (strstr (msg, "/tmp/x.tar"));
  return msg;
}

static void
expect_refused (const char *key, const char *value, const char *field)
{
  cleanup_free char *msg = check_with (key, value, 0);
  cleanup_free char *quoted = NULL;

  if (msg == NULL)
    fail_msg ("%s = %s passed", key, value ? value : "(removed)");
  if (asprintf (&quoted, "field `%s`", field) < 0)
    abort ();
  if (strstr (msg, quoted) == NULL)
    fail_msg ("%s = %s: the error does not name %s: %s", key, value ? value : "(removed)", field, msg);
}

static void
test_good_record_passes (void **state)
{
  (void) state;
  assert_null (check_with (NULL, NULL, 0));
  assert_null (check_with ("Network", "\"host\"", 1));
  assert_null (check_with ("WorkingDirGiven", "true", 0));
  assert_null (check_with ("LabelDisable", "true", 0));
  assert_null (check_with ("Ulimits",
                           "[ { \"Name\": \"RLIMIT_NOFILE\", \"Soft\": 5, \"Hard\": 10 }, { \"Name\": "
                           "\"RLIMIT_NPROC\", \"Soft\": 5, \"Hard\": -1 } ]",
                           0));
  expect_refused ("WorkingDirGiven", "\"yes\"", "WorkingDirGiven");
  expect_refused ("LabelDisable", "1", "LabelDisable");
  expect_refused ("Ulimits", "[ { \"Name\": \"RLIMIT_NOFILE\", \"Soft\": 10, \"Hard\": 5 } ]", "Ulimits");
  expect_refused ("Ulimits", "[ { \"Name\": \"RLIMIT_NOFILE\", \"Soft\": -1, \"Hard\": 5 } ]", "Ulimits");
}

static void
test_ids_and_names (void **state)
{
  (void) state;
  expect_refused ("Id", "\"..\"", "Id");
  expect_refused ("Id", "\"\"", "Id");
  expect_refused ("Id", "\"a/b\"", "Id");
  expect_refused ("Id", "\"20ceefc664562fd3095935ae6df97442200ee349799ebb91bb3b181ea07401b\"", "Id");
  expect_refused ("Id", "\"20CEEFC664562FD3095935AE6DF97442200EE349799EBB91BB3B181EA07401B8\"", "Id");
  expect_refused ("Id", "42", "Id");
  expect_refused ("Id", NULL, "Id");
  expect_refused ("Name", "\"../x\"", "Name");
  expect_refused ("Name", "\"a\\nb\"", "Name");
  expect_refused ("Name", "\"a\\u0000b\"", "Name");
  expect_refused ("Name", "\"\"", "Name");
  expect_refused ("Name", "null", "Name");
}

static void
test_image_fields (void **state)
{
  (void) state;
  expect_refused ("ImageID", "\"../../x\"", "ImageID");
  expect_refused ("ImageID", "\"sha256:3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449\"",
                  "ImageID");
  expect_refused ("ImageName", "\"../../x\"", "ImageName");
  expect_refused ("ImageName", "\"docker.io/a/../b\"", "ImageName");
  expect_refused ("Image", "\"a b\"", "Image");
  expect_refused ("ImageDigest", "\"sha256:1234\"", "ImageDigest");
  expect_refused ("ImageDigest", NULL, "ImageDigest");
}

/* GOOD as a --rootfs container's record: no image, a host directory.  */
static json_object *
rootfs_record (const char *rootfs)
{
  json_object *rec = json_tokener_parse (GOOD);

  assert_non_null (rec);
  json_object_object_add (rec, "Image", json_object_new_string (""));
  json_object_object_add (rec, "ImageName", json_object_new_string (""));
  json_object_object_add (rec, "ImageID", json_object_new_string (""));
  json_object_object_add (rec, "ImageDigest", json_object_new_string (""));
  json_object_object_add (rec, "Rootfs", json_object_new_string (rootfs));
  return rec;
}

static char *
check_rootfs (json_object *rec, int trust)
{
  struct ferry_restore_request r = { .import_path = "/tmp/x.tar", .trust_archive = trust };
  ferry_error_t err = NULL;
  char *msg;

  if (ferry_archive_record_check (rec, &r, &err) == 0)
    return NULL;
  msg = strdup (err->msg);
  ferry_error_release (&err);
  return msg;
}

/* A host directory as the root: only with trust, only clean absolute
 * paths other than /, and never with an image.  */
static void
test_rootfs_fields (void **state)
{
  static const char *const bad[] = { "/", "rel/dir", "/a/../etc", "/a/./b", "/a\nb", NULL };
  (void) state;
  {
    cleanup_json json_object *rec = rootfs_record ("/srv/root");
    cleanup_free char *untrusted = check_rootfs (rec, 0);

    assert_null (check_rootfs (rec, 1));
    assert_non_null (untrusted);
    assert_non_null (strstr (untrusted, "the host directory `/srv/root` as its root file system"));
    assert_non_null (strstr (untrusted, "--trust-archive"));
    json_object_object_add (rec, "RootfsOverlay", json_object_new_boolean (1));
    assert_null (check_rootfs (rec, 1));
    json_object_object_add (rec, "RootfsOverlay", json_object_new_boolean (0));
    {
      cleanup_free char *overlay_false = check_rootfs (rec, 1);

      assert_non_null (overlay_false);
    }
  }
  for (size_t i = 0; bad[i]; i++)
    {
      cleanup_json json_object *rec = rootfs_record (bad[i]);
      cleanup_free char *msg = check_rootfs (rec, 1);

      if (msg == NULL || strstr (msg, "field `Rootfs`") == NULL)
        fail_msg ("Rootfs `%s`: %s", bad[i], msg ? msg : "passed");
    }
  {
    /* Empty: no directory, so the empty image fields are refused.  */
    cleanup_json json_object *rec = rootfs_record ("");
    cleanup_free char *msg = check_rootfs (rec, 1);
    assert_non_null (msg);
  }
  {
    cleanup_json json_object *rec = rootfs_record ("/srv/root");
    cleanup_free char *msg = NULL;

    json_object_object_add (
        rec, "ImageID",
        json_object_new_string ("3bb7d0590f13230620823d444d8bdfbd09a108666f25bf8340361056077cf449"));
    msg = check_rootfs (rec, 1);
    assert_non_null (msg);
    assert_non_null (strstr (msg, "field `Rootfs`"));
  }
  /* An image record keeps needing its image fields and may not ask for
   * an overlay of a directory it does not name.  */
  expect_refused ("ImageID", "\"\"", "ImageID");
  expect_refused ("RootfsOverlay", "true", "RootfsOverlay");
}

static void
test_process_fields (void **state)
{
  (void) state;
  expect_refused ("Env", "\"PATH=/bin\"", "Env");
  expect_refused ("Env", "[ \"A=1\", { } ]", "Env[1]");
  expect_refused ("Cmd", "[ 1, 2 ]", "Cmd[0]");
  expect_refused ("Entrypoint", "{ }", "Entrypoint");
  expect_refused ("Args", "[]", "Args");
  expect_refused ("Labels", "{ \"a\": 1 }", "Labels.a");
  expect_refused ("WorkingDir", "\"tmp\"", "WorkingDir");
  expect_refused ("User", "0", "User");
  expect_refused ("Hostname", "\"a\\nb\"", "Hostname");
  expect_refused ("Tty", "\"yes\"", "Tty");
  expect_refused ("Network", "\"bridge\"", "Networks");
  expect_refused ("Network", "\"slirp4netns\"", "Network");
  expect_refused ("ShmSize", "0", "ShmSize");
  expect_refused ("ShmSize", "\"64m\"", "ShmSize");
  expect_refused ("StopTimeout", "-1", "StopTimeout");
  expect_refused ("StopSignal", "99", "StopSignal");
  expect_refused ("Created", "\"2026-12-05T01:22:32Z\\nx\"", "Created");
  expect_refused ("Userns", "\"host\"", "Userns");
}

static void
test_confinement_fields (void **state)
{
  (void) state;
  expect_refused ("Privileged", "\"yes\"", "Privileged");
  expect_refused ("ReadOnlyTmpfs", "0", "ReadOnlyTmpfs");
  expect_refused ("CgroupNs", "\"private\"", "CgroupNs");
  expect_refused ("CgroupNs", "true", "CgroupNs");
  expect_refused ("RootMode", "1023", "RootMode");
  expect_refused ("RootMode", "\"0555\"", "RootMode");
  expect_refused ("Devices", "[]", "Devices");
  expect_refused ("Devices", "{ }", "Devices");
  expect_refused ("Devices",
                  "[ { \"PathOnHost\": \"/dev/../etc/shadow\", \"PathInContainer\": \"/dev/x\","
                  "    \"CgroupPermissions\": \"rwm\" } ]",
                  "Devices");
  expect_refused ("Devices",
                  "[ { \"PathOnHost\": \"/dev/fuse\", \"PathInContainer\": \"/dev/x\","
                  "    \"CgroupPermissions\": \"rwmm\" } ]",
                  "Devices");
  expect_refused ("Devices", "[ { \"PathOnHost\": \"/dev/fuse\", \"PathInContainer\": \"/dev/x\" } ]",
                  "Devices");
  expect_refused (
      "Devices",
      "[ { \"PathOnHost\": \"/dev/fuse\", \"PathInContainer\": \"/dev/x\", \"CgroupPermissions\": "
      "\"r\" },"
      "  { \"PathOnHost\": \"/dev/null\", \"PathInContainer\": \"/dev/x\", \"CgroupPermissions\": "
      "\"r\" } ]",
      "Devices");
  expect_refused ("Sysctls", "{ }", "Sysctls");
  expect_refused ("Sysctls", "{ \"kernel.core_pattern\": \"|/x\" }", "Sysctls");
  expect_refused ("Sysctls", "{ \"net.ipv4/../../kernel/x\": \"1\" }", "Sysctls");
  expect_refused ("Sysctls", "{ \"net.ipv4.ip_forward\": 1 }", "Sysctls");
  expect_refused ("Sysctls", "{ \"net.ipv4.ip_forward\": \"1\\n\" }", "Sysctls");
  expect_refused ("Mask", "[]", "Mask");
  expect_refused ("Mask", "[ \"proc/kcore\" ]", "Mask");
  expect_refused ("Mask", "[ \"/proc/../etc\" ]", "Mask");
  expect_refused ("Unmask", "[ \"ALL\", \"/proc/kcore\" ]", "Unmask");
  expect_refused ("Unmask", "[ \"kcore\" ]", "Unmask");
  expect_refused ("Unmask", "\"ALL\"", "Unmask");
}

/* Checks GOOD with the KEY, VALUE pairs of KV set (NULL-terminated).
 * Returns the error message, or NULL when the record passed.  */
static char *
check_pairs_trust (const char *const *kv, int trust)
{
  cleanup_json json_object *rec = json_tokener_parse (GOOD);
  struct ferry_restore_request r = { .import_path = "/tmp/x.tar", .trust_archive = trust };
  ferry_error_t err = NULL;
  char *msg;

  for (size_t i = 0; kv[i]; i += 2)
    {
      json_object *v = json_tokener_parse (kv[i + 1]);
      assert_non_null (v);
      json_object_object_add (rec, kv[i], v);
    }
  if (ferry_archive_record_check (rec, &r, &err) == 0)
    return NULL;
  msg = strdup (err->msg);
  ferry_error_release (&err);
  assert_null (strchr (msg, '\n'));
  return msg;
}

static char *
check_pairs (const char *const *kv)
{
  return check_pairs_trust (kv, 0);
}

#define BRIDGED(aliases)                                                                                     \
  "Network", "\"bridge\"", "Networks",                                                                       \
      "{ \"n1\": { \"IP\": \"10.201.3.2\", \"MAC\": \"02:42:0a:c9:03:02\", \"Aliases\": " aliases " } }"

static void
expect_pairs_refused (const char *const *kv, const char *field)
{
  cleanup_free char *msg = check_pairs (kv);

  if (msg == NULL)
    fail_msg ("%s = %s ... passed", kv[0], kv[1]);
  if (strstr (msg, field) == NULL)
    fail_msg ("%s = %s ...: the error does not name %s: %s", kv[0], kv[1], field, msg);
}

/* A bridge container that network disconnect left on no network: its
 * Networks empty, as Podman keeps it; still an object.  */
static void
test_bridge_on_no_network (void **state)
{
  static const char *const empty[] = { "Network", "\"bridge\"", "Networks", "{ }", NULL };
  static const char *const list[] = { "Network", "\"bridge\"", "Networks", "[ ]", NULL };
  cleanup_free char *msg = check_pairs (empty);

  (void) state;
  if (msg)
    fail_msg ("an empty Networks was refused: %s", msg);
  expect_pairs_refused (list, "Networks");
}

/* The record check's error for a bridge container whose network n1 has
 * attachment ATT (JSON) and n2 interface eth1; NULL when it passes.  */
static char *
check_attached_trust (const char *att, int trust)
{
  cleanup_free char *nets = NULL;

  assert_true (asprintf (&nets, "{ \"n1\": %s, \"n2\": { \"Interface\": \"eth1\" } }", att) > 0);
  {
    const char *const kv[] = { "Network", "\"bridge\"", "Networks", nets, NULL };
    return check_pairs_trust (kv, trust);
  }
}

/* Trusted: the checks of the record's shape alone.  */
static char *
check_attached (const char *att)
{
  return check_attached_trust (att, 1);
}

/* --network NAME:interface_name=,host_interface_name=,KEY=VALUE: an
 * interface name of the user's and netavark's options pass; names that
 * are no interface names, the same interface twice, and options that are
 * not printable strings are refused.  */
static void
test_attach_options (void **state)
{
  static const char *const good[] = {
    "{ \"Interface\": \"wan0\" }",
    "{ \"Interface\": \"eth0\", \"Options\": { \"host_interface_name\": \"vethweb\", \"foo\": \"bar\" } }",
  };
  static const char *const bad[] = {
    "{ \"Interface\": \"../x\" }",
    "{ \"Interface\": \"eth1\" }",
    "{ \"Interface\": \"sixteen_chars_xx\" }",
    "{ \"Options\": [] }",
    "{ \"Options\": { \"host_interface_name\": \"a/b\" } }",
    "{ \"Options\": { \"foo\": 1 } }",
    "{ \"Options\": { \"foo\": \"a\\nb\" } }",
    "{ \"Options\": { \"a,b\": \"c\" } }",
  };

  (void) state;
  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++)
    {
      cleanup_free char *msg = check_attached (good[i]);
      if (msg)
        fail_msg ("%s refused: %s", good[i], msg);
    }
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      cleanup_free char *msg = check_attached (bad[i]);
      if (msg == NULL)
        fail_msg ("%s passed", bad[i]);
      if (strstr (msg, "Networks") == NULL)
        fail_msg ("%s: the error does not name Networks: %s", bad[i], msg);
    }
}

/* netavark's options name the host's end of the pair
 * (host_interface_name): an archive from elsewhere would choose a name
 * in the host's namespace (a name the host, or another network's bridge,
 * is to take), so it asks for --trust-archive, naming them.  An interface
 * name inside the container needs no trust.  */
static void
test_network_options_need_trust (void **state)
{
  cleanup_free char *msg = NULL;

  (void) state;
  msg = check_attached_trust ("{ \"Options\": { \"host_interface_name\": \"eth0\" } }", 0);
  if (msg == NULL || strstr (msg, "netavark options `host_interface_name=eth0` on network n1") == NULL
      || strstr (msg, "--trust-archive") == NULL)
    fail_msg ("expected a refusal naming the options, got %s", msg ? msg : "none");
  free (msg);
  msg = check_attached_trust ("{ \"Options\": { \"foo\": \"bar\", \"a\": \"\" } }", 0);
  if (msg == NULL || strstr (msg, "netavark options `foo=bar,a=` on network n1") == NULL)
    fail_msg ("expected a refusal naming the options, got %s", msg ? msg : "none");
  assert_null (check_attached_trust ("{ \"Options\": { \"host_interface_name\": \"eth0\" } }", 1));
  assert_null (check_attached_trust ("{ \"Interface\": \"wan0\", \"Options\": { } }", 0));
}

/* The host's end of two networks' pairs under one name: netavark made
 * the first and failed at the second, leaving the first's bridge.  */
static void
test_host_interface_twice (void **state)
{
  static const char *const twice[] = {
    "Network", "\"bridge\"", "Networks",
    "{ \"n1\": { \"Options\": { \"host_interface_name\": \"h0\" } }, \"n2\": { \"Interface\": \"eth1\", "
    "\"Options\": { \"host_interface_name\": \"h0\" } } }",
    NULL
  };
  static const char *const apart[]
      = { "Network", "\"bridge\"", "Networks",
          "{ \"n1\": { \"Options\": { \"host_interface_name\": \"h0\" } }, \"n2\": { \"Interface\": \"h0\", "
          "\"Options\": { \"host_interface_name\": \"h1\" } } }",
          NULL };
  cleanup_free char *msg = check_pairs_trust (twice, 1);

  (void) state;
  if (msg == NULL || strstr (msg, "gives host interface h0 to two networks") == NULL)
    fail_msg ("expected a refusal, got %s", msg ? msg : "none");
  assert_null (check_pairs_trust (apart, 1));
}

/* --dns, --dns-search, --dns-option, --add-host, --no-hosts and
 * --network-alias: what create writes passes, anything else that would
 * reach the container's resolv.conf or hosts, or netavark, is refused.  */
static void
test_name_resolution_fields (void **state)
{
  static const char *const good[][2] = {
    { "Dns", "[ \"1.1.1.1\", \"2001:db8::1\" ]" },
    { "DnsSearch", "[ \"example.com\", \"lab.example.\" ]" },
    { "DnsSearch", "[ \".\" ]" },
    { "DnsOptions", "[ \"ndots:2\", \"edns0\" ]" },
    { "ExtraHosts", "[ \"db;db.local:10.0.0.5\", \"v6:2001:db8::1\" ]" },
    { "UseImageResolvConf", "true" },
    { "UseImageHosts", "true" },
  };
  static const char *const bad[][2] = {
    { "Dns", "[]" },
    { "Dns", "\"1.1.1.1\"" },
    { "Dns", "[ \"1.1.1.1\\nnameserver 6.6.6.6\" ]" },
    { "Dns", "[ \"2001:DB8::1\" ]" },
    { "Dns", "[ \"none\" ]" },
    { "DnsSearch", "[ \".\", \"example.com\" ]" },
    { "DnsSearch", "[ \"a b\" ]" },
    { "DnsSearch", "[ \"a\\noptions debug\" ]" },
    { "DnsOptions", "[]" },
    { "DnsOptions", "[ \"ndots:2 debug\" ]" },
    { "ExtraHosts", "[ \"db\" ]" },
    { "ExtraHosts", "[ \"db:10.0.0.5\\n6.6.6.6 evil\" ]" },
    { "ExtraHosts", "[ \"a b:10.0.0.5\" ]" },
    { "ExtraHosts", "[ \"gw:host-gateway\" ]" }, /* no bridge network */
    { "UseImageResolvConf", "false" },
    { "UseImageHosts", "\"yes\"" },
  };

  (void) state;
  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++)
    {
      cleanup_free char *msg = check_with (good[i][0], good[i][1], 0);
      if (msg)
        fail_msg ("%s = %s refused: %s", good[i][0], good[i][1], msg);
    }
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    expect_refused (bad[i][0], bad[i][1], bad[i][0]);

  {
    const char *const aliases[]
        = { BRIDGED ("[ \"db\", \"db.internal\" ]"), "ExtraHosts", "[ \"gw:host-gateway\" ]", NULL };
    const char *const no_aliases[] = { BRIDGED ("[]"), NULL };
    const char *const bad_alias[] = { BRIDGED ("[ \"a b\" ]"), NULL };
    const char *const dotted_alias[] = { BRIDGED ("[ \"db.\" ]"), NULL };
    const char *const number_alias[] = { BRIDGED ("[ 1 ]"), NULL };
    const char *const dns_and_none[] = { "UseImageResolvConf", "true", "Dns", "[ \"1.1.1.1\" ]", NULL };
    const char *const search_and_none[]
        = { "UseImageResolvConf", "true", "DnsSearch", "[ \"example.com\" ]", NULL };
    const char *const hosts_and_none[]
        = { "UseImageHosts", "true", "ExtraHosts", "[ \"db:10.0.0.5\" ]", NULL };
    cleanup_free char *msg = check_pairs (aliases);

    if (msg)
      fail_msg ("aliases and host-gateway on a bridge network refused: %s", msg);
    expect_pairs_refused (no_aliases, "Networks.n1.Aliases");
    expect_pairs_refused (bad_alias, "Networks.n1.Aliases");
    expect_pairs_refused (dotted_alias, "Networks.n1.Aliases");
    expect_pairs_refused (number_alias, "Networks.n1.Aliases");
    expect_pairs_refused (dns_and_none, "UseImageResolvConf");
    expect_pairs_refused (search_and_none, "UseImageResolvConf");
    expect_pairs_refused (hosts_and_none, "UseImageHosts");
  }
}

/* A net.* sysctl is the container's own only in a network namespace of
 * its own.  */
static void
test_net_sysctls_need_their_namespace (void **state)
{
  cleanup_json json_object *rec = json_tokener_parse (GOOD);
  struct ferry_restore_request r = { .import_path = "/tmp/x.tar", .trust_archive = 1 };
  ferry_error_t err = NULL;
  json_object *sysctls = json_object_new_object ();

  (void) state;
  json_object_object_add (sysctls, "net.ipv4.ip_forward", json_object_new_string ("1"));
  json_object_object_add (rec, "Sysctls", sysctls);
  assert_int_equal (ferry_archive_record_check (rec, &r, &err), 0);
  json_object_object_add (rec, "Network", json_object_new_string ("host"));
  assert_true (ferry_archive_record_check (rec, &r, &err) < 0);
  assert_non_null (strstr (err->msg, "field `Sysctls`"));
  ferry_error_release (&err);
}

static void
test_mounts (void **state)
{
  (void) state;
  expect_refused ("Mounts", "{ }", "Mounts");
  expect_refused ("Mounts", "[ \"x\" ]", "Mounts[0]");
  /* The record's own key in the field's name, escaped: one line
   * (fuzz_records).  */
  expect_refused ("Mounts",
                  "[ { \"Type\": \"volume\", \"Name\": \"v\", \"Destination\": \"/d\", \"RW\": true, "
                  "\"Dest\\nnation\": 1 } ]",
                  "Mounts[0].Dest\\x0anation");
  expect_refused ("Mounts", "[ { \"Destination\": \"/d\", \"RW\": true } ]", "Mounts[0].Type");
  expect_refused ("Mounts", "[ { \"Type\": 1, \"Destination\": \"/d\", \"RW\": true } ]", "Mounts[0].Type");
  expect_refused ("Mounts", "[ { \"Type\": \"overlay\", \"Destination\": \"/d\", \"RW\": true } ]",
                  "Mounts[0].Type");
  expect_refused ("Mounts",
                  "[ { \"Type\": \"volume\", \"Name\": \"../bad\", \"Destination\": \"/d\", \"RW\": true } ]",
                  "Mounts[0].Name");
  expect_refused ("Mounts",
                  "[ { \"Type\": \"volume\", \"Name\": \".\", \"Destination\": \"/d\", \"RW\": true } ]",
                  "Mounts[0].Name");
  expect_refused ("Mounts", "[ { \"Type\": \"volume\", \"Destination\": \"/d\", \"RW\": true } ]",
                  "Mounts[0].Name");
  expect_refused ("Mounts", "[ { \"Type\": \"tmpfs\", \"Destination\": \"d\", \"RW\": true } ]",
                  "Mounts[0].Destination");
  expect_refused ("Mounts", "[ { \"Type\": \"tmpfs\", \"Destination\": \"/a/../b\", \"RW\": true } ]",
                  "Mounts[0].Destination");
  expect_refused ("Mounts", "[ { \"Type\": \"tmpfs\", \"Destination\": \"/\", \"RW\": true } ]",
                  "Mounts[0].Destination");
  expect_refused ("Mounts",
                  "[ { \"Type\": \"tmpfs\", \"Destination\": \"/d\", \"RW\": true },"
                  "  { \"Type\": \"tmpfs\", \"Destination\": \"/d/\", \"RW\": true } ]",
                  "Mounts[1].Destination");
  expect_refused ("Mounts", "[ { \"Type\": \"tmpfs\", \"Destination\": \"/d\", \"RW\": 1 } ]",
                  "Mounts[0].RW");
  expect_refused ("Mounts",
                  "[ { \"Type\": \"tmpfs\", \"Source\": \"/x\", \"Destination\": \"/d\", \"RW\": true } ]",
                  "Mounts[0].Source");
  expect_refused (
      "Mounts", "[ { \"Type\": \"bind\", \"Source\": \"/a/../..\", \"Destination\": \"/d\", \"RW\": true } ]",
      "Mounts[0].Source");
  /* --tmpfs DEST:OPTIONS's options as typed.  */
  assert_null (check_with ("Mounts",
                           "[ { \"Type\": \"tmpfs\", \"Destination\": \"/d\", \"RW\": false, \"Options\": "
                           "[ \"size=1m\" ], \"TmpfsOptions\": \"ro,size=1m,tmpcopyup\" } ]",
                           0));
  expect_refused ("Mounts",
                  "[ { \"Type\": \"tmpfs\", \"Destination\": \"/d\", \"RW\": true, \"TmpfsOptions\": 1 } ]",
                  "Mounts[0].TmpfsOptions");
  expect_refused ("Mounts",
                  "[ { \"Type\": \"tmpfs\", \"Destination\": \"/d\", \"RW\": true, \"TmpfsOptions\": "
                  "\"size=1m,\\nX\" } ]",
                  "Mounts[0].TmpfsOptions");
  expect_refused ("Mounts",
                  "[ { \"Type\": \"volume\", \"Name\": \"v\", \"Destination\": \"/d\", \"RW\": true, "
                  "\"TmpfsOptions\": \"ro\" } ]",
                  "Mounts[0].TmpfsOptions");
}

/* A bind of a host path and the host's network are more than a plain run
 * gives: refused, with what is asked for, unless the archive is trusted.  */
static void
test_privileges_need_trust (void **state)
{
  cleanup_free char *mounts = NULL;
  cleanup_free char *msg = NULL;

  (void) state;
  if (asprintf (&mounts, "[ %s ]", BIND) < 0)
    abort ();
  msg = check_with ("Mounts", mounts, 0);
  assert_non_null (msg);
  assert_non_null (strstr (msg, "bind mount of host `/` at /host"));
  assert_non_null (strstr (msg, "--trust-archive"));
  free (msg);
  msg = check_with ("Network", "\"host\"", 0);
  assert_non_null (msg);
  assert_non_null (strstr (msg, "host network"));
  assert_non_null (strstr (msg, "--trust-archive"));
  assert_null (check_with ("Mounts", mounts, 1));
}

/* Privileged mode, a device, a sysctl, unmasked paths: more than a plain
 * run.  A mask and no tmpfs take away, so they need no trust.  */
static void
test_confinement_privileges (void **state)
{
  static const struct
  {
    const char *key, *value, *asked;
  } asks[] = {
    { "Privileged", "true", "privileged mode" },
    { "Devices",
      "[ { \"PathOnHost\": \"/dev/fuse\", \"PathInContainer\": \"/dev/f\", \"CgroupPermissions\": \"rw\" } ]",
      "device `/dev/fuse` at /dev/f" },
    { "Sysctls", "{ \"kernel.msgmax\": \"4096\" }", "sysctl `kernel.msgmax=4096`" },
    /* Another host's containers.conf's: no more than --sysctl's.  */
    { "DefaultSysctls", "{ \"kernel.msgmax\": \"4096\" }", "sysctl `kernel.msgmax=4096`" },
    { "Unmask", "[ \"ALL\" ]", "unmasked paths [\"ALL\"]" },
  };
  (void) state;

  for (size_t i = 0; i < sizeof (asks) / sizeof (asks[0]); i++)
    {
      cleanup_free char *msg = check_with (asks[i].key, asks[i].value, 0);

      if (msg == NULL || strstr (msg, asks[i].asked) == NULL || strstr (msg, "--trust-archive") == NULL)
        fail_msg ("%s: expected a refusal naming %s, got %s", asks[i].key, asks[i].asked, msg ? msg : "none");
      assert_null (check_with (asks[i].key, asks[i].value, 1));
    }
  assert_null (check_with ("Privileged", "false", 0));
  assert_null (check_with ("CgroupNs", "\"host\"", 0));
  assert_null (check_with ("RootMode", "365", 0));
  assert_null (check_with ("Mask", "[ \"/proc/cpuinfo\" ]", 0));
  assert_null (check_with ("ReadOnlyTmpfs", "false", 0));
}

/* --group-add, --umask, --hosts-file: as create writes them, and a host
 * file only when trusted.  */
static void
test_process_options_fields (void **state)
{
  cleanup_free char *msg = NULL;

  (void) state;
  assert_null (check_with ("GroupAdd", "[ \"1234\", \"wheel\" ]", 0));
  assert_null (check_with ("Umask", "\"0027\"", 0));
  assert_null (check_with ("HostsFile", "\"none\"", 0));
  assert_null (check_with ("HostsFile", "\"image\"", 0));
  assert_null (check_with ("HostsFile", "\"/etc/hosts\"", 1));
  expect_refused ("GroupAdd", "[]", "GroupAdd");
  expect_refused ("GroupAdd", "[ \"a:b\" ]", "GroupAdd");
  expect_refused ("GroupAdd", "[ \"keep-groups\" ]", "GroupAdd");
  expect_refused ("GroupAdd", "[ \"2147483648\" ]", "GroupAdd");
  expect_refused ("GroupAdd", "[ 5 ]", "GroupAdd");
  expect_refused ("Umask", "\"027\"", "Umask");
  expect_refused ("Umask", "\"0999\"", "Umask");
  expect_refused ("Umask", "18", "Umask");
  expect_refused ("HostsFile", "\"relative\"", "HostsFile");
  expect_refused ("HostsFile", "\"/a\\nb\"", "HostsFile");
  msg = check_with ("HostsFile", "\"/etc/shadow\"", 0);
  assert_non_null (msg);
  assert_non_null (strstr (msg, "hosts file (--hosts-file) on the host at `/etc/shadow`"));
}

/* --pid, --ipc, --uts: as create writes them; anything but the
 * container's own asks for trust.  */
static void
test_namespace_modes (void **state)
{
  cleanup_free char *msg = NULL;

  (void) state;
  assert_null (check_with ("IpcMode", "\"none\"", 0));
  assert_null (check_with ("IpcMode", "\"private\"", 0));
  assert_null (check_with ("PidMode", "\"host\"", 1));
  assert_null (check_with ("UTSMode", "\"ns:/run/netns/x\"", 1));
  assert_null (check_with (
      "PidMode", "\"container:20ceefc664562fd3095935ae6df97442200ee349799ebb91bb3b181ea07401b8\"", 1));
  expect_refused ("PidMode", "\"none\"", "PidMode");
  expect_refused ("PidMode", "\"private\"", "PidMode");
  expect_refused ("UTSMode", "\"container:peer\"", "UTSMode");
  expect_refused ("IpcMode", "\"ns:rel\"", "IpcMode");
  expect_refused ("IpcMode", "\"ns:/a/../b\"", "IpcMode");
  expect_refused ("UTSMode", "true", "UTSMode");
  msg = check_with ("UTSMode", "\"host\"", 0);
  assert_non_null (msg);
  assert_non_null (strstr (msg, "asks for host UTS namespace"));
}

/* A volume's or tmpfs's options: what only takes away, exec and a
 * propagation that does not reach the host pass; suid, dev and shared
 * ask for trust, naming the mount; a word of no mount's is refused.  */
static void
test_mount_options_trust (void **state)
{
  cleanup_free char *suid = NULL, *dev = NULL, *shared = NULL;

  (void) state;
  assert_null (check_with ("Mounts",
                           "[ { \"Type\": \"volume\", \"Name\": \"v\", \"Destination\": \"/d\", \"RW\": "
                           "true, \"Options\": [ \"noexec\", \"exec\", \"nosuid\", \"rslave\" ] } ]",
                           0));
  suid = check_with ("Mounts",
                     "[ { \"Type\": \"volume\", \"Name\": \"v\", \"Destination\": \"/d\", \"RW\": true, "
                     "\"Options\": [ \"suid\" ] } ]",
                     0);
  assert_non_null (suid);
  assert_non_null (strstr (suid, "mount option suid on volume `v` at /d of container"));
  assert_non_null (strstr (suid, "--trust-archive"));
  dev = check_with (
      "Mounts",
      "[ { \"Type\": \"tmpfs\", \"Destination\": \"/t\", \"RW\": true, \"Options\": [ \"dev\" ] } ]", 0);
  assert_non_null (dev);
  assert_non_null (strstr (dev, "mount option dev on the tmpfs at /t"));
  shared = check_with ("Mounts",
                       "[ { \"Type\": \"volume\", \"Name\": \"v\", \"Destination\": \"/d\", \"RW\": "
                       "true, \"Options\": [ \"rshared\" ] } ]",
                       0);
  assert_non_null (shared);
  assert_non_null (strstr (shared, "mount option rshared on volume `v`"));
  assert_null (check_with ("Mounts",
                           "[ { \"Type\": \"volume\", \"Name\": \"v\", \"Destination\": \"/d\", \"RW\": "
                           "true, \"Options\": [ \"suid\", \"shared\" ] } ]",
                           1));
  /* bind (the volume's directory alone) asks for nothing more.  */
  assert_null (check_with ("Mounts",
                           "[ { \"Type\": \"volume\", \"Name\": \"v\", \"Destination\": \"/d\", \"RW\": "
                           "true, \"Options\": [ \"bind\" ] } ]",
                           0));
  expect_refused ("Mounts",
                  "[ { \"Type\": \"volume\", \"Name\": \"v\", \"Destination\": \"/d\", \"RW\": true, "
                  "\"Options\": [ \"noswap\" ] } ]",
                  "Mounts[0].Options");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_good_record_passes),
    cmocka_unit_test (test_ids_and_names),
    cmocka_unit_test (test_image_fields),
    cmocka_unit_test (test_rootfs_fields),
    cmocka_unit_test (test_process_fields),
    cmocka_unit_test (test_mounts),
    cmocka_unit_test (test_privileges_need_trust),
    cmocka_unit_test (test_network_options_need_trust),
    cmocka_unit_test (test_host_interface_twice),
    cmocka_unit_test (test_confinement_fields),
    cmocka_unit_test (test_net_sysctls_need_their_namespace),
    cmocka_unit_test (test_confinement_privileges),
    cmocka_unit_test (test_name_resolution_fields),
    cmocka_unit_test (test_bridge_on_no_network),
    cmocka_unit_test (test_attach_options),
    cmocka_unit_test (test_process_options_fields),
    cmocka_unit_test (test_namespace_modes),
    cmocka_unit_test (test_mount_options_trust),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
