/* Unit tests for the parsing of --group-add, --umask and --hosts-file.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "engine/ns_modes.h"
#include "engine/process_options.h"
#include "network/ports.h"
#include "util/cleanup.h"
#include "util/json.h"

static void
test_umask (void **state)
{
  unsigned m = 1;

  (void) state;
  assert_int_equal (ferry_umask_parse ("0027", &m), 0);
  assert_int_equal (m, 027);
  assert_int_equal (ferry_umask_parse ("77", &m), 0);
  assert_int_equal (m, 077);
  assert_int_equal (ferry_umask_parse ("0", &m), 0);
  assert_int_equal (m, 0);
  assert_int_equal (ferry_umask_parse ("0777", &m), 0);
  assert_int_equal (m, 0777);
  assert_int_equal (ferry_umask_parse ("999", &m), -1);
  assert_int_equal (ferry_umask_parse ("1000", &m), -1);
  assert_int_equal (ferry_umask_parse ("01777", &m), -1);
  assert_int_equal (ferry_umask_parse ("", &m), -1);
  assert_int_equal (ferry_umask_parse ("-1", &m), -1);
  assert_int_equal (ferry_umask_parse ("0x1", &m), -1);
  assert_int_equal (ferry_umask_parse (" 22", &m), -1);
}

static void
test_group_add (void **state)
{
  (void) state;
  assert_true (ferry_group_add_is_valid ("0"));
  assert_true (ferry_group_add_is_valid ("2147483647"));
  assert_true (ferry_group_add_is_valid ("wheel"));
  assert_true (ferry_group_add_is_valid ("my_group-1.x"));
  assert_false (ferry_group_add_is_valid ("2147483648"));
  assert_false (ferry_group_add_is_valid ("99999999999999999999"));
  assert_false (ferry_group_add_is_valid (""));
  assert_false (ferry_group_add_is_valid ("a:b"));
  assert_false (ferry_group_add_is_valid ("a,b"));
  assert_false (ferry_group_add_is_valid ("a b"));
  assert_false (ferry_group_add_is_valid ("a\nb"));
  assert_false (ferry_group_add_is_valid ("-1"));
  assert_false (ferry_group_add_is_valid ("../x"));
  assert_false (ferry_group_add_is_valid ("abcdefghijklmnopqrstuvwxyz0123456"));
}

static void
test_hosts_file (void **state)
{
  (void) state;
  assert_true (ferry_hosts_file_is_valid ("none"));
  assert_true (ferry_hosts_file_is_valid ("image"));
  assert_true (ferry_hosts_file_is_valid ("/etc/hosts"));
  assert_false (ferry_hosts_file_is_valid ("/"));
  assert_false (ferry_hosts_file_is_valid ("hosts"));
  assert_false (ferry_hosts_file_is_valid (""));
  assert_false (ferry_hosts_file_is_valid ("/a\nb"));
}

/* What create records: keep-groups as its annotation, alone only.  */
static void
test_record (void **state)
{
  char *groups[] = { "1234", "wheel", NULL }, *keep[] = { "keep-groups", NULL },
       *both[] = { "keep-groups", "5", NULL };
  struct ferry_create_options o = { .group_add = groups, .umask = "27", .hosts_file = "none" };
  cleanup_json json_object *rec = json_object_new_object ();
  cleanup_json json_object *rec2 = json_object_new_object ();
  ferry_error_t err = NULL;

  (void) state;
  assert_int_equal (ferry_process_options_record (&o, rec, &err), 0);
  assert_string_equal (json_object_to_json_string_ext (rec, JSON_C_TO_STRING_PLAIN),
                       "{\"GroupAdd\":[\"1234\",\"wheel\"],\"Umask\":\"0027\",\"HostsFile\":\"none\"}");
  o = (struct ferry_create_options){ .group_add = keep };
  assert_int_equal (ferry_process_options_record (&o, rec2, &err), 0);
  assert_string_equal (json_object_to_json_string_ext (rec2, JSON_C_TO_STRING_PLAIN),
                       "{\"Annotations\":{\"run.oci.keep_original_groups\":\"1\"}}");
  o = (struct ferry_create_options){ .group_add = both };
  assert_int_equal (ferry_process_options_record (&o, rec2, &err), -1);
  assert_non_null (strstr (err->msg, "keep-groups"));
  ferry_error_release (&err);
  o = (struct ferry_create_options){ .hosts_file = "/etc/hosts", .no_hosts = 1 };
  assert_int_equal (ferry_process_options_record (&o, rec2, &err), -1);
  ferry_error_release (&err);
}

/* --env-merge expands from the image's variables, one after another;
 * --unsetenv and --unsetenv-all act on those only.  */
static void
test_env_base (void **state)
{
  char *merge[] = { "PATH=${PATH}:/x", "B=a${NOPE}b$PATH$", "C=${unclosed", NULL }, *unset[] = { "D", NULL },
       *bad[] = { "PATH", NULL };
  struct ferry_create_options o = { .env_merge = merge, .unsetenv = unset };
  cleanup_json json_object *env = json_tokener_parse ("[\"PATH=/bin\", \"D=1\"]");
  ferry_error_t err = NULL;

  (void) state;
  assert_int_equal (ferry_env_base_adjust (&o, env, &err), 0);
  assert_string_equal (json_object_to_json_string_ext (env, JSON_C_TO_STRING_PLAIN),
                       "[\"PATH=\\/bin:\\/x\",\"B=ab\\/bin:\\/x$\",\"C=${unclosed\"]");
  assert_true (ferry_env_is_unset (&o, "D"));
  assert_false (ferry_env_is_unset (&o, "PATH"));
  o = (struct ferry_create_options){ .unsetenv_all = 1 };
  assert_int_equal (ferry_env_base_adjust (&o, env, &err), 0);
  assert_int_equal (json_object_array_length (env), 0);
  assert_true (ferry_env_is_unset (&o, "PATH"));
  o = (struct ferry_create_options){ .env_merge = bad };
  assert_int_equal (ferry_env_base_adjust (&o, env, &err), -1);
  assert_non_null (strstr (err->msg, "missing `=`"));
  ferry_error_release (&err);
}

/* --pid, --ipc, --uts as create reads them.  */
static void
test_ns_modes (void **state)
{
  const char *out = "x";
  ferry_error_t err = NULL;

  (void) state;
  assert_int_equal (ferry_ns_mode_check (FERRY_NS_PID, "private", &out, &err), 0);
  assert_null (out);
  assert_int_equal (ferry_ns_mode_check (FERRY_NS_IPC, "shareable", &out, &err), 0);
  assert_null (out);
  assert_int_equal (ferry_ns_mode_check (FERRY_NS_IPC, "private", &out, &err), 0);
  assert_string_equal (out, "private");
  assert_int_equal (ferry_ns_mode_check (FERRY_NS_IPC, "none", &out, &err), 0);
  assert_string_equal (out, "none");
  assert_int_equal (ferry_ns_mode_check (FERRY_NS_UTS, "host", &out, &err), 0);
  assert_string_equal (out, "host");
  assert_int_equal (ferry_ns_mode_check (FERRY_NS_PID, "container:x", &out, &err), 0);
  assert_int_equal (ferry_ns_mode_check (FERRY_NS_UTS, "ns:/proc/self/ns/uts", &out, &err), 0);
  assert_int_equal (ferry_ns_mode_check (FERRY_NS_PID, "none", &out, &err), -1);
  assert_non_null (strstr (err->msg, "unrecognized namespace mode none"));
  ferry_error_release (&err);
  assert_int_equal (ferry_ns_mode_check (FERRY_NS_UTS, "shareable", &out, &err), -1);
  ferry_error_release (&err);
  assert_true (ferry_ns_mode_check (FERRY_NS_PID, "ns:relative", &out, &err) < 0);
  ferry_error_release (&err);
  assert_int_equal (ferry_ns_mode_check (FERRY_NS_PID, "container:", &out, &err), -1);
  ferry_error_release (&err);
}

/* --expose as Podman reads it, sorted and without repeats, and how ps
 * shows what is not published.  */
static void
test_expose (void **state)
{
  cleanup_json json_object *list = json_object_new_array ();
  cleanup_json json_object *ports
      = json_tokener_parse ("[{\"host_ip\": \"\", \"host_port\": 8080, \"container_port\": 80, \"range\": 1, "
                            "\"protocol\": \"tcp\"}]");
  cleanup_free char *shown = NULL;
  ferry_error_t err = NULL;

  (void) state;
  assert_int_equal (ferry_ports_expose_parse ("90-91/udp", list, &err), 0);
  assert_int_equal (ferry_ports_expose_parse ("80", list, &err), 0);
  assert_int_equal (ferry_ports_expose_parse ("81", list, &err), 0);
  assert_int_equal (ferry_ports_expose_parse ("7/tcp", list, &err), 0);
  assert_int_equal (ferry_ports_expose_parse ("80/tcp", list, &err), 0);
  assert_string_equal (json_object_to_json_string_ext (list, JSON_C_TO_STRING_PLAIN),
                       "[\"7\\/tcp\",\"80\\/tcp\",\"81\\/tcp\",\"90\\/udp\",\"91\\/udp\"]");
  shown = ferry_ports_expose_format (list, ports);
  assert_string_equal (shown, "7/tcp, 81/tcp, 90-91/udp");
  assert_int_equal (ferry_ports_expose_parse ("abc", list, &err), -1);
  assert_non_null (strstr (err->msg, "invalid syntax"));
  ferry_error_release (&err);
  assert_int_equal (ferry_ports_expose_parse ("70000", list, &err), -1);
  assert_non_null (strstr (err->msg, "value out of range"));
  ferry_error_release (&err);
  assert_int_equal (ferry_ports_expose_parse ("0", list, &err), -1);
  ferry_error_release (&err);
  assert_int_equal (ferry_ports_expose_parse ("80/foo", list, &err), -1);
  ferry_error_release (&err);
  assert_int_equal (ferry_ports_expose_parse ("9-8", list, &err), -1);
  ferry_error_release (&err);
  assert_true (ferry_ports_expose_is_valid ("80/sctp"));
  assert_false (ferry_ports_expose_is_valid ("80"));
  assert_false (ferry_ports_expose_is_valid ("080/tcp"));
  assert_false (ferry_ports_expose_is_valid ("80-81/tcp"));
}

/* --passwd-entry and --group-entry templates.  */
static void
test_passwd_entry (void **state)
{
  cleanup_free char *a
      = ferry_passwd_entry_expand ("$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/sh", "u", 12, 34, "g");
  cleanup_free char *b
      = ferry_passwd_entry_expand ("$GROUPNAME:x:$GID:$USERNAME\nroot:x:0:", "u", 12, 34, "g");
  cleanup_free char *c = ferry_passwd_entry_expand ("$NOPE$", "u", 1, 2, "g");

  (void) state;
  assert_string_equal (a, "u:x:12:34:container user:/:/bin/sh");
  assert_string_equal (b, "g:x:34:u root:x:0:");
  assert_string_equal (c, "$NOPE$");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_umask),  cmocka_unit_test (test_group_add),    cmocka_unit_test (test_hosts_file),
    cmocka_unit_test (test_record), cmocka_unit_test (test_env_base),     cmocka_unit_test (test_ns_modes),
    cmocka_unit_test (test_expose), cmocka_unit_test (test_passwd_entry),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
