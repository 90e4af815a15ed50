/* Unit tests for src/lib/engine/resources.c: run and create's cgroup
 * resource values as users type them and archives carry them.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/resources.h"
#include "util/json.h"

#include <stdlib.h>
#include <string.h>

static void
test_cpuset (void **state)
{
  static const char *const good[] = { "0", "0-2", "0,1", "0-2,4", "3,1", "8191", "0-0", NULL };
  static const char *const bad[]
      = { "", "a", "0-", "-1", "1-0", "0,", ",0", " 0", "0 ", "0--1", "8192", "0,,1", "0-1-2", NULL };
  uint64_t mask[FERRY_CPUSET_WORDS];

  (void) state;
  for (size_t i = 0; good[i]; i++)
    assert_int_equal (ferry_resources_parse_cpuset (good[i], NULL), 0);
  for (size_t i = 0; bad[i]; i++)
    assert_int_equal (ferry_resources_parse_cpuset (bad[i], NULL), -1);
  assert_int_equal (ferry_resources_parse_cpuset ("0-2,4,64", mask), 0);
  assert_int_equal (mask[0], 0x17);
  assert_int_equal (mask[1], 1);
  assert_int_equal (mask[2], 0);
}

static void
expect_rule (const char *text, const char *json)
{
  char *why = NULL;
  json_object *rule = ferry_resources_parse_device_rule (text, &why);

  assert_non_null (rule);
  assert_null (why);
  assert_string_equal (ferry_json_to_string (rule, 0), json);
  json_object_put (rule);
}

static void
expect_bad_rule (const char *text, const char *message)
{
  char *why = NULL;

  assert_null (ferry_resources_parse_device_rule (text, &why));
  assert_non_null (why);
  assert_string_equal (why, message);
  free (why);
}

static void
test_device_rule (void **state)
{
  (void) state;
  expect_rule ("c 1:3 rwm", "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"}");
  expect_rule ("b *:* r", "{\"allow\":true,\"type\":\"b\",\"access\":\"r\"}");
  expect_rule ("c 1 w", "{\"allow\":true,\"type\":\"c\",\"major\":1,\"access\":\"w\"}");
  expect_rule ("a *:5 m", "{\"allow\":true,\"type\":\"a\",\"minor\":5,\"access\":\"m\"}");
  expect_bad_rule ("c 1:3",
                   "invalid device cgroup rule requires type, major:Minor, and access rules: \"c 1:3\"");
  expect_bad_rule ("c  1:3 r",
                   "invalid device cgroup rule requires type, major:Minor, and access rules: \"c  1:3 r\"");
  expect_bad_rule ("c 1:3 r x",
                   "invalid device cgroup rule requires type, major:Minor, and access rules: \"c 1:3 r x\"");
  expect_bad_rule ("x 1:3 rwm", "invalid device type in device-access-add: x");
  expect_bad_rule ("cc 1:3 rwm", "invalid device type in device-access-add: cc");
  expect_bad_rule ("c 1:3 rwx", "invalid device access in device-access-add: x");
  expect_bad_rule ("c abc:1 r", "strconv.ParseUint: parsing \"abc\": invalid syntax");
  expect_bad_rule ("c 1:-1 r", "strconv.ParseUint: parsing \"-1\": invalid syntax");
  expect_bad_rule ("c 1:2:3 r", "strconv.ParseUint: parsing \"2:3\": invalid syntax");
}

static void
expect_throttle (const char *text, enum ferry_throttle_kind kind, const char *path, int64_t value)
{
  char *got = NULL, *why = NULL;
  int64_t v = -1;

  assert_int_equal (ferry_resources_parse_throttle (text, kind, &got, &v, &why), 0);
  assert_string_equal (got, path);
  assert_int_equal (v, value);
  free (got);
}

static void
expect_bad_throttle (const char *text, enum ferry_throttle_kind kind, const char *prefix)
{
  char *got = NULL, *why = NULL;
  int64_t v;

  assert_int_equal (ferry_resources_parse_throttle (text, kind, &got, &v, &why), -1);
  assert_null (got);
  assert_non_null (why);
  assert_int_equal (strncmp (why, prefix, strlen (prefix)), 0);
  free (why);
}

static void
test_throttle (void **state)
{
  (void) state;
  expect_throttle ("/dev/vda:1mb", FERRY_THROTTLE_BPS, "/dev/vda", 1048576);
  expect_throttle ("/dev/vda:1m", FERRY_THROTTLE_BPS, "/dev/vda", 1048576);
  expect_throttle ("/dev/vda:1.5m", FERRY_THROTTLE_BPS, "/dev/vda", 1572864);
  expect_throttle ("/dev/vda:0", FERRY_THROTTLE_BPS, "/dev/vda", 0);
  expect_throttle ("/dev/sda:100", FERRY_THROTTLE_IOPS, "/dev/sda", 100);
  expect_throttle ("/dev/sda:10", FERRY_THROTTLE_WEIGHT, "/dev/sda", 10);
  expect_throttle ("/dev/sda:1000", FERRY_THROTTLE_WEIGHT, "/dev/sda", 1000);
  expect_bad_throttle ("/dev/vda", FERRY_THROTTLE_BPS, "bad format: /dev/vda");
  expect_bad_throttle ("vda:1m", FERRY_THROTTLE_BPS, "bad format for device path: vda:1m");
  expect_bad_throttle ("/dev/vda:abc", FERRY_THROTTLE_BPS,
                       "invalid rate for device: /dev/vda:abc. The correct "
                       "format is <device-path>:<number>[<unit>].");
  expect_bad_throttle ("/dev/vda:1x", FERRY_THROTTLE_BPS, "invalid rate for device");
  expect_bad_throttle ("/dev/vda:-1", FERRY_THROTTLE_IOPS,
                       "invalid rate for device: /dev/vda:-1. The correct "
                       "format is <device-path>:<number>. Number");
  expect_bad_throttle ("/dev/vda:1.5", FERRY_THROTTLE_IOPS, "invalid rate for device");
  expect_bad_throttle ("/dev/vda:9", FERRY_THROTTLE_WEIGHT, "invalid weight for device: /dev/vda:9");
  expect_bad_throttle ("/dev/vda:1001", FERRY_THROTTLE_WEIGHT, "invalid weight for device: /dev/vda:1001");
  expect_bad_throttle ("/dev/vda:", FERRY_THROTTLE_WEIGHT, "invalid weight for device");
}

static void
expect_field (const char *field, const char *json, int good)
{
  json_object *v = json_tokener_parse (json);
  const char *why = NULL;

  assert_int_equal (ferry_resources_field_check (field, v, &why), 1);
  if (good)
    assert_null (why);
  else
    assert_non_null (why);
  json_object_put (v);
}

static void
test_record_fields (void **state)
{
  const char *why = NULL;

  (void) state;
  expect_field ("CpuShares", "512", 1);
  expect_field ("CpuShares", "0", 0);
  expect_field ("CpuShares", "\"512\"", 0);
  expect_field ("CpuPeriod", "999", 0);
  expect_field ("MemorySwap", "-1", 1);
  expect_field ("MemorySwap", "-2", 0);
  expect_field ("MemorySwappiness", "101", 0);
  expect_field ("CpusetCpus", "\"0-2,4\"", 1);
  expect_field ("CpusetMems", "\"0-\"", 0);
  expect_field ("OomKillDisable", "true", 1);
  expect_field ("OomKillDisable", "false", 0);
  expect_field ("BlkioDeviceReadBps", "[{\"Path\":\"/dev/vda\",\"Rate\":1048576}]", 1);
  expect_field ("BlkioDeviceReadBps", "[{\"Path\":\"/etc/passwd\",\"Rate\":1}]", 0);
  expect_field ("BlkioDeviceReadBps", "[{\"Path\":\"/dev/vda\",\"Rate\":-1}]", 0);
  expect_field ("BlkioDeviceReadBps", "[{\"Path\":\"/dev/vda\",\"Rate\":1,\"More\":1}]", 0);
  expect_field ("BlkioWeightDevice", "[{\"Path\":\"/dev/vda\",\"Weight\":5}]", 0);
  expect_field ("BlkioWeightDevice", "[]", 0);
  expect_field ("DeviceCgroupRules", "[\"c 1:3 rwm\"]", 1);
  expect_field ("DeviceCgroupRules", "[\"c 1:3\"]", 0);
  expect_field ("CgroupParent", "\"/mygroup/sub\"", 1);
  expect_field ("CgroupParent", "\"mygroup\"", 1);
  expect_field ("CgroupParent", "\"/a/../b\"", 0);
  expect_field ("CgroupParent", "\"/\"", 0);
  expect_field ("CgroupParent", "\"a\\nb\"", 0);
  expect_field ("CgroupConf", "{\"memory.high\":\"1000\"}", 1);
  expect_field ("CgroupConf", "{\"../memory.high\":\"1000\"}", 0);
  assert_int_equal (ferry_resources_field_check ("Memory", NULL, &why), 0);
}

static void
test_cgroups_path (void **state)
{
  json_object *rec = json_object_new_object ();
  char *path;

  (void) state;
  path = ferry_resources_cgroups_path (rec, "abc");
  assert_string_equal (path, "/ferry/abc");
  free (path);
  json_object_object_add (rec, "CgroupParent", json_object_new_string ("/my/group/"));
  path = ferry_resources_cgroups_path (rec, "abc");
  assert_string_equal (path, "/my/group/abc");
  free (path);
  json_object_object_add (rec, "CgroupParent", json_object_new_string ("rel"));
  path = ferry_resources_cgroups_path (rec, "abc");
  assert_string_equal (path, "/rel/abc");
  free (path);
  /* A record that got past its checks still cannot leave the hierarchy.  */
  json_object_object_add (rec, "CgroupParent", json_object_new_string ("/../../x"));
  path = ferry_resources_cgroups_path (rec, "abc");
  assert_string_equal (path, "/ferry/abc");
  free (path);
  json_object_put (rec);
}

static json_object *
updated (const char *before, const struct ferry_resource_options *o, int64_t memory, int64_t nano_cpus,
         int64_t pids_limit, const char *want_error)
{
  json_object *rec = json_tokener_parse (before);
  ferry_error_t err = NULL;
  int r = ferry_resources_update_record (rec, o, memory, nano_cpus, pids_limit, "runc", &err);

  if (want_error)
    {
      assert_int_equal (r, -1);
      assert_string_equal (err->msg, want_error);
      ferry_error_release (&err);
    }
  else
    assert_int_equal (r, 0);
  return rec;
}

static void
expect_record (json_object *rec, const char *json)
{
  assert_string_equal (ferry_json_to_string (rec, 0), json);
  json_object_put (rec);
}

static void
test_update_record (void **state)
{
  struct ferry_resource_options none = { 0 }, o;
  static char *bps[] = { "/dev/null:2m", NULL };

  (void) state;
  /* A new memory limit takes the default swap limit (twice) again.  */
  expect_record (updated ("{\"Memory\":100,\"MemorySwap\":300}", &none, 209715200, 0, 0, NULL),
                 "{\"Memory\":209715200}");
  o = none;
  o.memory_swap_set = 1;
  o.memory_swap = -1;
  expect_record (updated ("{\"Memory\":104857600,\"MemorySwap\":209715200}", &o, 0, 0, 0, NULL),
                 "{\"Memory\":104857600,\"MemorySwap\":209715200}");
  o.memory_swap = 52428800;
  json_object_put (updated ("{\"Memory\":104857600}", &o, 0, 0, 0,
                            "minimum memoryswap limit should be larger than memory limit, see usage"));
  o = none;
  o.memory_reservation = 209715200;
  json_object_put (updated ("{\"Memory\":104857600}", &o, 0, 0, 0,
                            "minimum memory limit cannot be less than memory reservation limit, see usage"));
  /* --cpus and a period and quota replace each other.  */
  expect_record (updated ("{\"CpuPeriod\":50000,\"CpuQuota\":20000}", &none, 0, 500000000, 0, NULL),
                 "{\"NanoCpus\":500000000}");
  o = none;
  o.cpu_period = 50000;
  expect_record (updated ("{\"NanoCpus\":500000000}", &o, 0, 0, 0, NULL),
                 "{\"CpuQuota\":50000,\"CpuPeriod\":50000}");
  o = none;
  o.cpu_quota = -1;
  expect_record (updated ("{\"CpuPeriod\":50000,\"CpuQuota\":20000}", &o, 0, 0, 0, NULL),
                 "{\"CpuPeriod\":50000}");
  o = none;
  o.cpu_period = 50000;
  json_object_put (updated ("{}", &o, 0, 500000000, 0, "--cpu-period and --cpus cannot be set together"));
  /* Devices: a new entry for a path replaces the old one.  */
  o = none;
  o.device_read_bps = bps;
  expect_record (updated ("{\"BlkioDeviceReadBps\":[{\"Path\":\"/dev/null\",\"Rate\":1},"
                          "{\"Path\":\"/dev/zero\",\"Rate\":5}]}",
                          &o, 0, 0, 0, NULL),
                 "{\"BlkioDeviceReadBps\":[{\"Path\":\"/dev/zero\",\"Rate\":5},"
                 "{\"Path\":\"/dev/null\",\"Rate\":2097152}]}");
  o = none;
  o.memory_swappiness_set = 1;
  o.memory_swappiness = -1;
  expect_record (updated ("{\"MemorySwappiness\":10}", &o, 0, 0, -1, NULL), "{\"PidsLimit\":-1}");
}

static void
test_from_oci (void **state)
{
  json_object *res = json_tokener_parse (
      "{\"memory\":{\"limit\":67108864,\"swap\":134217728,\"reservation\":\"x\",\"swappiness\":10},"
      "\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000,\"cpus\":\"0\",\"mems\":\"\"},"
      "\"pids\":{\"limit\":100},\"blockIO\":{\"weight\":10}}");
  json_object *rec = json_object_new_object ();

  (void) state;
  ferry_resources_from_oci (res, rec);
  assert_string_equal (ferry_json_to_string (rec, 0),
                       "{\"Memory\":67108864,\"MemorySwappiness\":10,\"CpuShares\":512,\"CpuPeriod\":100000,"
                       "\"CpuQuota\":50000,\"CpusetCpus\":\"0\",\"PidsLimit\":100}");
  json_object_put (rec);
  json_object_put (res);
  /* No swap limit in the spec: none (--memory-swap -1); no pids: none.  */
  res = json_tokener_parse ("{\"memory\":{\"limit\":67108864,\"swap\":100663296}}");
  rec = json_object_new_object ();
  ferry_resources_from_oci (res, rec);
  assert_string_equal (ferry_json_to_string (rec, 0),
                       "{\"Memory\":67108864,\"MemorySwap\":100663296,\"PidsLimit\":-1}");
  json_object_put (rec);
  json_object_put (res);
  res = json_tokener_parse ("{\"memory\":{\"limit\":67108864}}");
  rec = json_object_new_object ();
  ferry_resources_from_oci (res, rec);
  assert_string_equal (ferry_json_to_string (rec, 0),
                       "{\"Memory\":67108864,\"MemorySwap\":-1,\"PidsLimit\":-1}");
  json_object_put (rec);
  json_object_put (res);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_cpuset),       cmocka_unit_test (test_device_rule),
    cmocka_unit_test (test_throttle),     cmocka_unit_test (test_record_fields),
    cmocka_unit_test (test_cgroups_path), cmocka_unit_test (test_update_record),
    cmocka_unit_test (test_from_oci),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
