/* Unit tests for src/lib/runtime/seccomp.c: containers' seccomp.json turned
 * into the OCI spec's linux.seccomp.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "runtime/seccomp.h"
#include "util/cleanup.h"
#include "util/json.h"

#include <string.h>

static json_object *
parse (const char *text)
{
  ferry_error_t err = NULL;
  json_object *o = ferry_json_parse (text, strlen (text), "profile", &err);

  assert_non_null (o);
  return o;
}

/* The rule of OCI whose names hold NAME, or NULL.  */
static json_object *
rule_for (json_object *oci, const char *name)
{
  json_object *rules = json_object_object_get (oci, "syscalls");

  for (size_t i = 0; i < json_object_array_length (rules); i++)
    {
      json_object *r = json_object_array_get_idx (rules, i);
      json_object *names = json_object_object_get (r, "names");
      for (size_t j = 0; j < json_object_array_length (names); j++)
        if (strcmp (json_object_get_string (json_object_array_get_idx (names, j)), name) == 0)
          return r;
    }
  return NULL;
}

static const char PROFILE[]
    = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,"
      " \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_X86\"]},"
      "               {\"architecture\": \"SCMP_ARCH_AARCH64\", \"subArchitectures\": [\"SCMP_ARCH_ARM\"]}],"
      " \"syscalls\": ["
      "  {\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [], \"includes\": {}, "
      "\"excludes\": {}},"
      "  {\"names\": [\"bpf\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"caps\": "
      "[\"CAP_SYS_ADMIN\"]}},"
      "  {\"names\": [\"bpf2\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 1,"
      "   \"excludes\": {\"caps\": [\"CAP_SYS_ADMIN\"]}},"
      "  {\"names\": [\"arch_prctl\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"arches\": "
      "[\"amd64\"]}},"
      "  {\"names\": [\"s390_only\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"arches\": "
      "[\"s390x\"]}},"
      "  {\"names\": [\"future\"], \"action\": \"SCMP_ACT_ALLOW\", \"includes\": {\"minKernel\": \"99.0\"}},"
      "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
      "   \"args\": [{\"index\": 0, \"value\": 4294967295, \"valueTwo\": 0, \"op\": \"SCMP_CMP_EQ\"}]}"
      " ]}";

static void
test_default_shape (void **state)
{
  cleanup_json json_object *profile = parse (PROFILE);
  static const char *const caps[] = { "CAP_CHOWN", NULL };
  ferry_error_t err = NULL;
  cleanup_json json_object *oci = ferry_seccomp_to_oci (profile, caps, "p", &err);
  json_object *arches, *args;

  (void) state;
  assert_non_null (oci);
  assert_true (ferry_json_string_equals (oci, "defaultAction", "SCMP_ACT_ERRNO"));
  assert_int_equal (ferry_json_get_int (oci, "defaultErrnoRet", 0), 38);
  arches = json_object_object_get (oci, "architectures");
#ifdef __x86_64__
  assert_int_equal (json_object_array_length (arches), 2);
  assert_string_equal (json_object_get_string (json_object_array_get_idx (arches, 1)), "SCMP_ARCH_X86");
  assert_non_null (rule_for (oci, "arch_prctl"));
#endif
  assert_non_null (rule_for (oci, "read"));
  /* Without CAP_SYS_ADMIN: the include is dropped, the exclude kept.  */
  assert_null (rule_for (oci, "bpf"));
  assert_non_null (rule_for (oci, "bpf2"));
  assert_int_equal (ferry_json_get_int (rule_for (oci, "bpf2"), "errnoRet", 0), 1);
  assert_null (rule_for (oci, "s390_only"));
  assert_null (rule_for (oci, "future"));
  /* Values above INT64_MAX... and 0xffffffff survive as unsigned.  */
  args = json_object_object_get (rule_for (oci, "personality"), "args");
  assert_int_equal (
      json_object_get_uint64 (json_object_object_get (json_object_array_get_idx (args, 0), "value")),
      4294967295ULL);
}

static void
test_capabilities_pick_rules (void **state)
{
  cleanup_json json_object *profile = parse (PROFILE);
  static const char *const caps[] = { "CAP_SYS_ADMIN", NULL };
  ferry_error_t err = NULL;
  cleanup_json json_object *oci = ferry_seccomp_to_oci (profile, caps, "p", &err);

  (void) state;
  assert_non_null (oci);
  assert_non_null (rule_for (oci, "bpf"));
  assert_null (rule_for (oci, "bpf2"));
}

static void
test_malformed_profiles (void **state)
{
  static const char *const bad[] = {
    "{}",
    "{\"defaultAction\": 3}",
    "{\"defaultAction\": \"SCMP_ACT_NOPE\"}",
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": \"x\"}",
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}",
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": \"read\", \"action\": "
    "\"SCMP_ACT_ALLOW\"}]}",
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [1], \"action\": "
    "\"SCMP_ACT_ALLOW\"}]}",
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": \"x\"}]}",
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
    "\"SCMP_ACT_ALLOW\","
    " \"includes\": []}]}",
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
    "\"SCMP_ACT_ALLOW\","
    " \"includes\": {\"caps\": \"CAP_X\"}}]}",
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
    "\"SCMP_ACT_ALLOW\","
    " \"args\": [{\"index\": 9, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}]}]}",
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], \"action\": "
    "\"SCMP_ACT_ALLOW\","
    " \"args\": [{\"index\": 0, \"value\": 0, \"op\": \"LT\"}]}]}",
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": {}}",
    NULL,
  };
  size_t i;

  (void) state;
  for (i = 0; bad[i]; i++)
    {
      cleanup_json json_object *profile = parse (bad[i]);
      ferry_error_t err = NULL;
      json_object *oci = ferry_seccomp_to_oci (profile, NULL, "p", &err);

      if (oci != NULL)
        fail_msg ("accepted: %s", bad[i]);
      ferry_error_release (&err);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_default_shape),
    cmocka_unit_test (test_capabilities_pick_rules),
    cmocka_unit_test (test_malformed_profiles),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
