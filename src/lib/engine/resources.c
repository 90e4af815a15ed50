/* ferry: a container's cgroup resources (resources.h).  */
#include "resources.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/parse.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define CPUSET_MAX 8192
#define CFS_PERIOD_MIN 1000
#define CFS_PERIOD_MAX 1000000
#define BLKIO_WEIGHT_MIN 10
#define BLKIO_WEIGHT_MAX 1000

/* The throttle and weight lists: their record field, flag, and OCI key.  */
static const struct
{
  const char *field;
  const char *flag;
  const char *oci;
  enum ferry_throttle_kind kind;
} DEVICE_LISTS[] = {
  { "BlkioWeightDevice", "blkio-weight-device", "weightDevice", FERRY_THROTTLE_WEIGHT },
  { "BlkioDeviceReadBps", "device-read-bps", "throttleReadBpsDevice", FERRY_THROTTLE_BPS },
  { "BlkioDeviceWriteBps", "device-write-bps", "throttleWriteBpsDevice", FERRY_THROTTLE_BPS },
  { "BlkioDeviceReadIOps", "device-read-iops", "throttleReadIOPSDevice", FERRY_THROTTLE_IOPS },
  { "BlkioDeviceWriteIOps", "device-write-iops", "throttleWriteIOPSDevice", FERRY_THROTTLE_IOPS },
};

#define N_DEVICE_LISTS (sizeof (DEVICE_LISTS) / sizeof (DEVICE_LISTS[0]))

int
ferry_resources_cgroup2_only (void)
{
  struct statfs fs;

  return statfs ("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

int
ferry_resources_blkio_weight_supported (void)
{
  if (ferry_resources_cgroup2_only ())
    return access ("/sys/fs/cgroup/cgroup.subtree_control", F_OK) == 0;
  return access ("/sys/fs/cgroup/blkio/blkio.weight", F_OK) == 0
         || access ("/sys/fs/cgroup/blkio/blkio.bfq.weight", F_OK) == 0;
}

/* ---- parsing --------------------------------------------------------------- */

static int
parse_decimal (const char *s, const char **end, uint64_t max, uint64_t *out)
{
  uint64_t v = 0;
  const char *p = s;

  if (*p < '0' || *p > '9')
    return -1;
  for (; *p >= '0' && *p <= '9'; p++)
    {
      v = v * 10 + (uint64_t) (*p - '0');
      if (v > max)
        return -1;
    }
  *end = p;
  *out = v;
  return 0;
}

int
ferry_resources_parse_cpuset (const char *s, uint64_t mask[FERRY_CPUSET_WORDS])
{
  const char *p = s;

  if (mask)
    memset (mask, 0, sizeof (uint64_t) * FERRY_CPUSET_WORDS);
  for (;;)
    {
      uint64_t lo, hi;

      if (parse_decimal (p, &p, CPUSET_MAX - 1, &lo) < 0)
        return -1;
      hi = lo;
      if (*p == '-' && parse_decimal (p + 1, &p, CPUSET_MAX - 1, &hi) < 0)
        return -1;
      if (hi < lo)
        return -1;
      for (uint64_t i = lo; mask && i <= hi; i++)
        mask[i / 64] |= 1ULL << (i % 64);
      if (*p == '\0')
        return 0;
      if (*p++ != ',')
        return -1;
    }
}

/* A Go ParseUint of S for a device rule, with its message.  */
static int
rule_number (const char *s, json_object *rule, const char *key, char **why)
{
  const char *end;
  uint64_t v;

  if (strcmp (s, "*") == 0)
    return 0;
  if (parse_decimal (s, &end, UINT32_MAX, &v) < 0 || *end != '\0')
    {
      *why = xasprintf ("strconv.ParseUint: parsing \"%s\": invalid syntax", s);
      return -1;
    }
  json_object_object_add (rule, key, json_object_new_int64 ((int64_t) v));
  return 0;
}

json_object *
ferry_resources_parse_device_rule (const char *text, char **why)
{
  cleanup_free char *copy = xstrdup (text);
  cleanup_json json_object *rule = NULL;
  char *fields[4] = { NULL }, *p = copy, *colon;
  size_t n = 0;

  *why = NULL;
  /* Split at each single space, as Podman does: two spaces make an
   * empty field, and so a malformed rule.  */
  while (n < 4)
    {
      fields[n++] = p;
      p = strchr (p, ' ');
      if (p == NULL)
        break;
      *p++ = '\0';
    }
  if (n != 3 || p != NULL)
    {
      *why = xasprintf ("invalid device cgroup rule requires type, major:Minor, and access rules: \"%s\"",
                        text);
      return NULL;
    }
  if (strlen (fields[0]) != 1 || strchr ("abc", fields[0][0]) == NULL)
    {
      *why = xasprintf ("invalid device type in device-access-add: %s", fields[0]);
      return NULL;
    }
  rule = json_object_new_object ();
  json_object_object_add (rule, "allow", json_object_new_boolean (1));
  json_object_object_add (rule, "type", json_object_new_string (fields[0]));
  colon = strchr (fields[1], ':');
  if (colon)
    *colon = '\0';
  if (rule_number (fields[1], rule, "major", why) < 0
      || (colon && strchr (colon + 1, ':') == NULL && rule_number (colon + 1, rule, "minor", why) < 0))
    return NULL;
  if (colon && strchr (colon + 1, ':'))
    {
      *why = xasprintf ("strconv.ParseUint: parsing \"%s\": invalid syntax", colon + 1);
      return NULL;
    }
  for (const char *a = fields[2]; *a; a++)
    if (strchr ("rwm", *a) == NULL)
      {
        *why = xasprintf ("invalid device access in device-access-add: %c", *a);
        return NULL;
      }
  json_object_object_add (rule, "access", json_object_new_string (fields[2]));
  return steal_pointer (&rule);
}

int
ferry_resources_parse_throttle (const char *text, enum ferry_throttle_kind kind, char **path, int64_t *value,
                                char **why)
{
  const char *colon = strrchr (text, ':'), *rate;
  const char *end;
  uint64_t v;
  int64_t size;

  *why = NULL;
  if (colon == NULL)
    {
      *why = xasprintf ("bad format: %s", text);
      return -1;
    }
  if (strncmp (text, "/dev/", 5) != 0)
    {
      *why = xasprintf ("bad format for device path: %s", text);
      return -1;
    }
  rate = colon + 1;
  switch (kind)
    {
    case FERRY_THROTTLE_WEIGHT:
      if (parse_decimal (rate, &end, UINT16_MAX, &v) < 0 || *end != '\0' || v < BLKIO_WEIGHT_MIN
          || v > BLKIO_WEIGHT_MAX)
        {
          *why = xasprintf ("invalid weight for device: %s", text);
          return -1;
        }
      *value = (int64_t) v;
      break;
    case FERRY_THROTTLE_BPS:
      if (*rate < '0' || *rate > '9' || ferry_parse_size (rate, &size) < 0)
        {
          *why = xasprintf (
              "invalid rate for device: %s. The correct format is <device-path>:<number>[<unit>]. "
              "Number must be a positive integer. Unit is optional and can be kb, mb, or gb",
              text);
          return -1;
        }
      *value = size;
      break;
    case FERRY_THROTTLE_IOPS:
      if (parse_decimal (rate, &end, INT64_MAX, &v) < 0 || *end != '\0')
        {
          *why = xasprintf (
              "invalid rate for device: %s. The correct format is <device-path>:<number>. Number "
              "must be a positive integer",
              text);
          return -1;
        }
      *value = (int64_t) v;
      break;
    }
  *path = xstrndup (text, (size_t) (colon - text));
  return 0;
}

/* ---- create ----------------------------------------------------------- */

/* The host's cpuset (cpus or mems) as its root cgroup has it; NULL when
 * it cannot be read (then nothing is checked).  */
static char *
host_cpuset (const char *what)
{
  cleanup_free char *path = ferry_resources_cgroup2_only ()
                                ? xasprintf ("/sys/fs/cgroup/cpuset.%s.effective", what)
                                : xasprintf ("/sys/fs/cgroup/cpuset/cpuset.%s", what);
  cleanup_error ferry_error_t ignored = NULL;
  char *text = NULL;
  size_t len;

  if (ferry_read_file (path, &text, &len, &ignored) < 0)
    return NULL;
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
    text[--len] = '\0';
  return text;
}

static int
record_cpuset (const char *given, const char *what, const char *field, const char *noun, json_object *rec,
               ferry_error_t *err)
{
  uint64_t want[FERRY_CPUSET_WORDS], have[FERRY_CPUSET_WORDS];
  cleanup_free char *host = NULL;

  if (given == NULL || *given == '\0')
    return 0;
  if (ferry_resources_parse_cpuset (given, want) < 0)
    return ferry_make_error (err, 0, "invalid value %s for cpuset %s", given, what);
  host = host_cpuset (what);
  if (host && ferry_resources_parse_cpuset (host, have) == 0)
    for (int i = 0; i < FERRY_CPUSET_WORDS; i++)
      if (want[i] & ~have[i])
        return ferry_make_error (err, 0, "requested %s are not available - requested %s, available: %s", noun,
                                 given, host);
  json_object_object_add (rec, field, json_object_new_string (given));
  return 0;
}

static int
record_device_list (char **given, size_t which, json_object *rec, ferry_error_t *err)
{
  json_object *list;

  if (given == NULL || given[0] == NULL)
    return 0;
  list = json_object_new_array ();
  json_object_object_add (rec, DEVICE_LISTS[which].field, list);
  for (size_t i = 0; given[i]; i++)
    {
      cleanup_free char *path = NULL, *why = NULL;
      json_object *entry;
      struct stat st;
      int64_t value;

      if (ferry_resources_parse_throttle (given[i], DEVICE_LISTS[which].kind, &path, &value, &why) < 0)
        return ferry_make_error (err, 0, "%s", why);
      if (strchr (path, '\n'))
        return ferry_make_error (err, 0, "bad format for device path: %s", given[i]);
      if (stat (path, &st) < 0)
        {
          /* Go's words for errno: lower case.  */
          cleanup_free char *what = xstrdup (strerror (errno));
          what[0] = (char) tolower ((unsigned char) what[0]);
          return DEVICE_LISTS[which].kind == FERRY_THROTTLE_WEIGHT
                     ? ferry_make_error (err, 0, "failed to inspect '%s' in --%s: %s", path,
                                         DEVICE_LISTS[which].flag, what)
                     : ferry_make_error (err, 0, "could not parse throttle device at %s: %s", path, what);
        }
      entry = json_object_new_object ();
      json_object_object_add (entry, "Path", json_object_new_string (path));
      json_object_object_add (entry, DEVICE_LISTS[which].kind == FERRY_THROTTLE_WEIGHT ? "Weight" : "Rate",
                              json_object_new_int64 (value));
      json_object_array_add (list, entry);
    }
  return 0;
}

static int
record_device_rules (char **rules, json_object *rec, ferry_error_t *err)
{
  json_object *list;

  if (rules == NULL || rules[0] == NULL)
    return 0;
  list = json_object_new_array ();
  json_object_object_add (rec, "DeviceCgroupRules", list);
  for (size_t i = 0; rules[i]; i++)
    {
      cleanup_free char *why = NULL;
      cleanup_json json_object *rule = ferry_resources_parse_device_rule (rules[i], &why);

      if (rule == NULL)
        return ferry_make_error (err, 0, "%s", why);
      json_object_array_add (list, json_object_new_string (rules[i]));
    }
  return 0;
}

/* PARENT below the root of the hierarchy, without slashes at either end;
 * NULL when it is not a cgroup path there: "." or "..", several lines.  */
static char *
cgroup_parent_relative (const char *parent)
{
  cleanup_free char *rest = NULL;

  if (parent == NULL || strchr (parent, '\n'))
    return NULL;
  while (*parent == '/')
    parent++;
  rest = ferry_path_normalize_entry (parent);
  if (*rest == '\0' || strcmp (rest, "/") == 0 || strncmp (rest, "./", 2) == 0
      || ! ferry_path_is_clean_relative (rest))
    return NULL;
  return steal_pointer (&rest);
}

static int
cgroup_parent_is_valid (const char *parent)
{
  cleanup_free char *rest = cgroup_parent_relative (parent);

  return rest != NULL;
}

static int
record_cgroup_parent (const char *parent, json_object *rec, ferry_error_t *err)
{
  size_t n;

  if (parent == NULL || *parent == '\0')
    return 0;
  n = strlen (parent);
  if (n >= 6 && strcmp (parent + n - 6, ".slice") == 0)
    return ferry_make_error (err, 0,
                             "systemd slice received as cgroup parent when using cgroupfs: invalid argument");
  if (strchr (parent, '\n'))
    return ferry_make_error (err, 0,
                             "invalid --cgroup-parent: give a cgroup path on one line, such as /mygroup");
  if (! cgroup_parent_is_valid (parent))
    return ferry_make_error (err, 0,
                             "invalid --cgroup-parent `%s`: give a cgroup path such as /mygroup, without `.` "
                             "or `..`",
                             parent);
  json_object_object_add (rec, "CgroupParent", json_object_new_string (parent));
  return 0;
}

static int
record_cgroup_conf (char **conf, json_object *rec, ferry_error_t *err)
{
  json_object *map;

  if (conf == NULL || conf[0] == NULL)
    return 0;
  for (size_t i = 0; conf[i]; i++)
    if (strchr (conf[i], '=') == NULL)
      return ferry_make_error (err, 0, "--cgroup-conf must be formatted KEY=VALUE");
  if (! ferry_resources_cgroup2_only ())
    return ferry_make_error (err, 0, "cannot use --cgroup-conf without cgroup v2");
  map = json_object_new_object ();
  json_object_object_add (rec, "CgroupConf", map);
  for (size_t i = 0; conf[i]; i++)
    {
      cleanup_free char *key = xstrndup (conf[i], (size_t) (strchr (conf[i], '=') - conf[i]));

      if (*key == '\0' || strchr (key, '/') || strchr (conf[i], '\n') || key[0] == '.')
        return ferry_make_error (err, 0, "invalid --cgroup-conf `%s`: give a cgroup file name and a value",
                                 conf[i]);
      json_object_object_add (map, key, json_object_new_string (strchr (conf[i], '=') + 1));
    }
  return 0;
}

static int
check_cgroups_mode (const char *mode, const char *runtime, ferry_error_t *err)
{
  if (mode == NULL || strcmp (mode, "enabled") == 0 || strcmp (mode, "no-conmon") == 0)
    return 0;
  if (strcmp (mode, "disabled") == 0)
    return ferry_make_error (
        err, 0, "requested OCI runtime %s is not compatible with NoCgroups: invalid argument", runtime);
  if (strcmp (mode, "split") == 0)
    return ferry_make_error (err, 0, "could not find cgroup mount in \"/proc/self/cgroup\"");
  return ferry_make_error (
      err, 0, "running container create option: invalid cgroup mode \"%s\": invalid argument", mode);
}

static void
add_int (json_object *rec, const char *field, int64_t v)
{
  json_object_object_add (rec, field, json_object_new_int64 (v));
}

static int
record_cpu (const struct ferry_resource_options *o, int64_t nano_cpus, json_object *rec, ferry_error_t *err)
{
  if (nano_cpus > 0 && o->cpu_period)
    return ferry_make_error (err, 0, "--cpu-period and --cpus cannot be set together");
  if (nano_cpus > 0 && o->cpu_quota > 0)
    return ferry_make_error (err, 0, "--cpu-quota and --cpus cannot be set together");
  if (o->cpu_period && (o->cpu_period < CFS_PERIOD_MIN || o->cpu_period > CFS_PERIOD_MAX))
    return ferry_make_error (
        err, 0, "CPU cfs period cannot be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
  if (o->cpu_quota > 0 && o->cpu_quota < CFS_PERIOD_MIN)
    return ferry_make_error (err, 0, "CPU cfs quota cannot be less than 1ms (i.e. 1000)");
  if (o->cpu_shares)
    add_int (rec, "CpuShares", (int64_t) (o->cpu_shares > INT64_MAX ? INT64_MAX : o->cpu_shares));
  if (o->cpu_period)
    add_int (rec, "CpuPeriod", (int64_t) o->cpu_period);
  if (o->cpu_quota > 0)
    add_int (rec, "CpuQuota", o->cpu_quota);
  if (o->cpu_rt_period)
    add_int (rec, "CpuRealtimePeriod",
             (int64_t) (o->cpu_rt_period > INT64_MAX ? INT64_MAX : o->cpu_rt_period));
  if (o->cpu_rt_runtime > 0)
    add_int (rec, "CpuRealtimeRuntime", o->cpu_rt_runtime);
  if (record_cpuset (o->cpuset_cpus, "cpus", "CpusetCpus", "CPUs", rec, err) < 0
      || record_cpuset (o->cpuset_mems, "mems", "CpusetMems", "memory nodes", rec, err) < 0)
    return -1;
  return 0;
}

static int
record_memory (const struct ferry_resource_options *o, int64_t memory, json_object *rec, ferry_error_t *err)
{
  if (o->memory_swap_set && o->memory_swap != -1)
    {
      if (memory <= 0)
        return ferry_make_error (err, 0,
                                 "you should always set a memory limit when using a memoryswap limit, see "
                                 "usage");
      if (o->memory_swap < memory)
        return ferry_make_error (err, 0,
                                 "minimum memoryswap limit should be larger than memory limit, see usage");
    }
  if (memory > 0 && o->memory_reservation > memory)
    return ferry_make_error (err, 0,
                             "minimum memory limit cannot be less than memory reservation limit, see usage");
  if (o->memory_swappiness_set && (o->memory_swappiness < -1 || o->memory_swappiness > 100))
    return ferry_make_error (err, 0, "invalid value: %" PRId64 ", valid memory swappiness range is 0-100",
                             o->memory_swappiness);
  if (o->memory_reservation > 0)
    add_int (rec, "MemoryReservation", o->memory_reservation);
  if (o->memory_swap_set)
    add_int (rec, "MemorySwap", o->memory_swap);
  if (o->memory_swappiness_set && o->memory_swappiness >= 0)
    add_int (rec, "MemorySwappiness", o->memory_swappiness);
  if (o->oom_kill_disable)
    json_object_object_add (rec, "OomKillDisable", json_object_new_boolean (1));
  return 0;
}

int
ferry_resources_record (const struct ferry_resource_options *o, int64_t memory, int64_t nano_cpus,
                        const char *runtime, json_object *rec, ferry_error_t *err)
{
  if (o == NULL)
    return 0;
  if (check_cgroups_mode (o->cgroups, runtime, err) < 0)
    return -1;
  if (record_cpu (o, nano_cpus, rec, err) < 0 || record_memory (o, memory, rec, err) < 0)
    return -1;
  if (o->blkio_weight_set)
    {
      if (o->blkio_weight < BLKIO_WEIGHT_MIN || o->blkio_weight > BLKIO_WEIGHT_MAX)
        return ferry_make_error (err, 0, "invalid --blkio-weight %" PRIu64 ": give a weight from 10 to 1000",
                                 o->blkio_weight);
      add_int (rec, "BlkioWeight", (int64_t) o->blkio_weight);
    }
  {
    char **lists[N_DEVICE_LISTS] = { o->blkio_weight_device, o->device_read_bps, o->device_write_bps,
                                     o->device_read_iops, o->device_write_iops };
    for (size_t i = 0; i < N_DEVICE_LISTS; i++)
      if (record_device_list (lists[i], i, rec, err) < 0)
        return -1;
  }
  if (record_device_rules (o->device_cgroup_rules, rec, err) < 0
      || record_cgroup_parent (o->cgroup_parent, rec, err) < 0
      || record_cgroup_conf (o->cgroup_conf, rec, err) < 0)
    return -1;
  return 0;
}

/* ---- the record, untrusted ------------------------------------------------- */

static int
int_in (json_object *v, int64_t min, int64_t max)
{
  return json_object_is_type (v, json_type_int) && json_object_get_int64 (v) >= min
         && json_object_get_int64 (v) <= max;
}

static const char *
check_device_list (json_object *v, enum ferry_throttle_kind kind)
{
  const char *key = kind == FERRY_THROTTLE_WEIGHT ? "Weight" : "Rate";

  if (! json_object_is_type (v, json_type_array) || json_object_array_length (v) == 0)
    return "must be a list of devices";
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      json_object *e = json_object_array_get_idx (v, i);
      const char *path = ferry_json_string_value (json_object_object_get (e, "Path"));

      if (! json_object_is_type (e, json_type_object) || json_object_object_length (e) != 2 || path == NULL
          || strncmp (path, "/dev/", 5) != 0 || strchr (path, '\n') || strchr (path, ':'))
        return "holds an entry without a device path under /dev";
      if (kind == FERRY_THROTTLE_WEIGHT ? ! int_in (json_object_object_get (e, key), 10, 1000)
                                        : ! int_in (json_object_object_get (e, key), 0, INT64_MAX))
        return "holds an entry without a valid weight or rate";
    }
  return NULL;
}

static const char *
check_strings_with (json_object *v, int (*valid) (const char *))
{
  if (! json_object_is_type (v, json_type_array) || json_object_array_length (v) == 0)
    return "must be a list of strings";
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      const char *s = ferry_json_string_value (json_object_array_get_idx (v, i));
      if (s == NULL || ! valid (s))
        return "holds a malformed entry";
    }
  return NULL;
}

static int
device_rule_is_valid (const char *s)
{
  cleanup_free char *why = NULL;
  cleanup_json json_object *rule = ferry_resources_parse_device_rule (s, &why);

  return rule != NULL;
}

static const char *
check_cgroup_conf (json_object *v)
{
  if (! json_object_is_type (v, json_type_object) || json_object_object_length (v) == 0)
    return "must be a map of cgroup files to values";
  json_object_object_foreach (v, key, value)
  {
    const char *s = ferry_json_string_value (value);
    if (*key == '\0' || key[0] == '.' || strchr (key, '/') || strchr (key, '\n') || s == NULL
        || strchr (s, '\n'))
      return "holds a malformed entry";
  }
  return NULL;
}

const char *
ferry_resources_record_conflict (json_object *rec, const char **why)
{
  int64_t memory = ferry_json_get_int (rec, "Memory", 0);
  int64_t swap = ferry_json_get_int (rec, "MemorySwap", 0);

  *why = NULL;
  if (swap > 0 && (memory <= 0 || swap < memory))
    *why = "is not at least the memory limit (Memory)";
  else if (memory > 0 && ferry_json_get_int (rec, "MemoryReservation", 0) > memory)
    {
      *why = "is above the memory limit (Memory)";
      return "MemoryReservation";
    }
  else if (json_object_object_get (rec, "NanoCpus")
           && (json_object_object_get (rec, "CpuPeriod") || json_object_object_get (rec, "CpuQuota")))
    {
      *why = "comes with CpuPeriod or CpuQuota";
      return "NanoCpus";
    }
  return *why ? "MemorySwap" : NULL;
}

int
ferry_resources_field_check (const char *field, json_object *v, const char **why)
{
  static const struct
  {
    const char *field;
    int64_t min, max;
  } ints[] = {
    { "CpuShares", 1, INT64_MAX },
    { "CpuPeriod", CFS_PERIOD_MIN, CFS_PERIOD_MAX },
    { "CpuQuota", CFS_PERIOD_MIN, INT64_MAX },
    { "CpuRealtimePeriod", 1, INT64_MAX },
    { "CpuRealtimeRuntime", 1, INT64_MAX },
    { "MemoryReservation", 1, INT64_MAX },
    { "MemorySwap", -1, INT64_MAX },
    { "MemorySwappiness", 0, 100 },
    { "BlkioWeight", BLKIO_WEIGHT_MIN, BLKIO_WEIGHT_MAX },
  };
  const char *s;

  *why = NULL;
  for (size_t i = 0; i < sizeof (ints) / sizeof (ints[0]); i++)
    if (strcmp (field, ints[i].field) == 0)
      {
        if (! int_in (v, ints[i].min, ints[i].max))
          *why = "is not a number in its range";
        return 1;
      }
  for (size_t i = 0; i < N_DEVICE_LISTS; i++)
    if (strcmp (field, DEVICE_LISTS[i].field) == 0)
      {
        *why = check_device_list (v, DEVICE_LISTS[i].kind);
        return 1;
      }
  if (strcmp (field, "CpusetCpus") == 0 || strcmp (field, "CpusetMems") == 0)
    {
      s = ferry_json_string_value (v);
      if (s == NULL || ferry_resources_parse_cpuset (s, NULL) < 0)
        *why = "is not a cpuset list such as 0-2,4";
      return 1;
    }
  if (strcmp (field, "OomKillDisable") == 0)
    {
      if (! json_object_is_type (v, json_type_boolean) || ! json_object_get_boolean (v))
        *why = "must be true";
      return 1;
    }
  if (strcmp (field, "DeviceCgroupRules") == 0)
    {
      *why = check_strings_with (v, device_rule_is_valid);
      return 1;
    }
  if (strcmp (field, "CgroupParent") == 0)
    {
      s = ferry_json_string_value (v);
      if (! cgroup_parent_is_valid (s))
        *why = "is not a cgroup path without `.` or `..`";
      return 1;
    }
  if (strcmp (field, "CgroupConf") == 0)
    {
      *why = check_cgroup_conf (v);
      return 1;
    }
  return 0;
}

static void
append (char **list, const char *item)
{
  char *joined = *list ? xasprintf ("%s, %s", *list, item) : xstrdup (item);

  free (*list);
  *list = joined;
}

void
ferry_resources_privileges (json_object *rec, char **list)
{
  json_object *rules = ferry_json_get_array (rec, "DeviceCgroupRules");
  const char *parent = ferry_json_get_string (rec, "CgroupParent");

  if (ferry_json_array_length (rules))
    {
      cleanup_free char *item = xasprintf ("device cgroup rules %s", ferry_json_to_string (rules, 0));
      append (list, item);
    }
  if (parent && cgroup_parent_is_valid (parent))
    {
      cleanup_free char *item = xasprintf ("the cgroup parent `%s`", parent);
      append (list, item);
    }
}

/* ---- the spec -------------------------------------------------------------- */

char *
ferry_resources_cgroups_path (json_object *rec, const char *leaf)
{
  cleanup_free char *rest = cgroup_parent_relative (ferry_json_get_string (rec, "CgroupParent"));

  if (rest == NULL)
    return xasprintf ("/ferry/%s", leaf);
  return xasprintf ("/%s/%s", rest, leaf);
}

static json_object *
member (json_object *obj, const char *key)
{
  json_object *v = json_object_object_get (obj, key);

  if (v == NULL)
    {
      v = json_object_new_object ();
      json_object_object_add (obj, key, v);
    }
  return v;
}

static void
copy_int (json_object *rec, const char *field, json_object *to, const char *key)
{
  json_object *v = json_object_object_get (rec, field);

  if (v && json_object_is_type (v, json_type_int))
    json_object_object_add (to, key, json_object_new_int64 (json_object_get_int64 (v)));
}

static void
copy_string (json_object *rec, const char *field, json_object *to, const char *key)
{
  const char *s = ferry_json_get_string (rec, field);

  if (s)
    json_object_object_add (to, key, json_object_new_string (s));
}

/* True when the host limits memory and swap together (cgroups v1's memsw
 * files need swap accounting; v2 always has memory.swap.max).  */
static int
swap_limit_supported (void)
{
  return ferry_resources_cgroup2_only ()
         || access ("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) == 0;
}

/* Podman's swap limit: the one given (-1: none), else twice the memory.  */
static int64_t
memory_swap (json_object *rec)
{
  int64_t memory = ferry_json_get_int (rec, "Memory", 0);
  int64_t swap = ferry_json_get_int (rec, "MemorySwap", 0);

  if (swap != 0)
    return swap;
  return memory > 0 && memory <= INT64_MAX / 2 ? memory * 2 : 0;
}

static int
has_memory_settings (json_object *rec)
{
  static const char *const fields[]
      = { "Memory", "MemoryReservation", "MemorySwap", "MemorySwappiness", "OomKillDisable", NULL };

  for (size_t i = 0; fields[i]; i++)
    if (json_object_object_get (rec, fields[i]))
      return 1;
  return 0;
}

static int
has_cpu_settings (json_object *rec)
{
  static const char *const fields[] = { "CpuShares",          "CpuPeriod",  "CpuQuota",   "CpuRealtimePeriod",
                                        "CpuRealtimeRuntime", "CpusetCpus", "CpusetMems", NULL };

  for (size_t i = 0; fields[i]; i++)
    if (json_object_object_get (rec, fields[i]))
      return 1;
  return 0;
}

static int
has_blkio_settings (json_object *rec)
{
  if (json_object_object_get (rec, "BlkioWeight"))
    return 1;
  for (size_t i = 0; i < N_DEVICE_LISTS; i++)
    if (json_object_object_get (rec, DEVICE_LISTS[i].field))
      return 1;
  return 0;
}

static int
apply_device_list (json_object *rec, size_t which, json_object *block_io, ferry_error_t *err)
{
  json_object *given = ferry_json_get_array (rec, DEVICE_LISTS[which].field), *out;
  const char *key = DEVICE_LISTS[which].kind == FERRY_THROTTLE_WEIGHT ? "Weight" : "Rate";

  if (ferry_json_array_length (given) == 0)
    return 0;
  out = json_object_new_array ();
  json_object_object_add (block_io, DEVICE_LISTS[which].oci, out);
  for (size_t i = 0; i < json_object_array_length (given); i++)
    {
      json_object *e = json_object_array_get_idx (given, i), *entry;
      const char *path = ferry_json_get_string (e, "Path");
      struct stat st;

      if (path == NULL || stat (path, &st) < 0)
        return ferry_make_error (err, errno,
                                 "the device `%s` of --%s is not on this host: create the container again "
                                 "without it",
                                 path ? path : "?", DEVICE_LISTS[which].flag);
      entry = json_object_new_object ();
      json_object_object_add (entry, "major", json_object_new_int64 (major (st.st_rdev)));
      json_object_object_add (entry, "minor", json_object_new_int64 (minor (st.st_rdev)));
      json_object_object_add (entry, DEVICE_LISTS[which].kind == FERRY_THROTTLE_WEIGHT ? "weight" : "rate",
                              json_object_new_int64 (ferry_json_get_int (e, key, 0)));
      json_object_array_add (out, entry);
    }
  return 0;
}

int
ferry_resources_apply (json_object *rec, json_object *spec, ferry_error_t *err)
{
  json_object *resources = member (member (spec, "linux"), "resources");
  json_object *rules = ferry_json_get_array (rec, "DeviceCgroupRules");
  json_object *conf = ferry_json_get_object (rec, "CgroupConf");

  if (has_memory_settings (rec))
    {
      json_object *memory = member (resources, "memory");
      int64_t swap = memory_swap (rec);

      copy_int (rec, "MemoryReservation", memory, "reservation");
      if (swap > 0 && swap_limit_supported ())
        json_object_object_add (memory, "swap", json_object_new_int64 (swap));
      copy_int (rec, "MemorySwappiness", memory, "swappiness");
      if (json_object_get_boolean (json_object_object_get (rec, "OomKillDisable")))
        json_object_object_add (memory, "disableOOMKiller", json_object_new_boolean (1));
    }
  if (has_cpu_settings (rec))
    {
      json_object *cpu = member (resources, "cpu");

      copy_int (rec, "CpuShares", cpu, "shares");
      copy_int (rec, "CpuQuota", cpu, "quota");
      copy_int (rec, "CpuPeriod", cpu, "period");
      copy_int (rec, "CpuRealtimeRuntime", cpu, "realtimeRuntime");
      copy_int (rec, "CpuRealtimePeriod", cpu, "realtimePeriod");
      copy_string (rec, "CpusetCpus", cpu, "cpus");
      copy_string (rec, "CpusetMems", cpu, "mems");
    }
  if (has_blkio_settings (rec))
    {
      json_object *block_io = member (resources, "blockIO");

      copy_int (rec, "BlkioWeight", block_io, "weight");
      for (size_t i = 0; i < N_DEVICE_LISTS; i++)
        if (apply_device_list (rec, i, block_io, err) < 0)
          return -1;
    }
  if (ferry_json_array_length (rules))
    {
      json_object *devices = json_object_object_get (resources, "devices");

      if (devices == NULL)
        {
          devices = json_object_new_array ();
          json_object_object_add (resources, "devices", devices);
        }
      for (size_t i = 0; i < json_object_array_length (rules); i++)
        {
          cleanup_free char *why = NULL;
          const char *text = json_object_get_string (json_object_array_get_idx (rules, i));
          json_object *rule = ferry_resources_parse_device_rule (text, &why);

          if (rule == NULL)
            return ferry_make_error (err, 0, "%s", why);
          json_object_array_add (devices, rule);
        }
    }
  if (conf && json_object_object_length (conf) > 0)
    {
      json_object *unified = member (resources, "unified");
      json_object_object_foreach (conf, key, value)
          json_object_object_add (unified, key, json_object_get (value));
    }
  return 0;
}

/* ---- another engine's spec ------------------------------------------------ */

static void
take_int (json_object *from, const char *key, json_object *rec, const char *field, int64_t min)
{
  json_object *v = json_object_object_get (from, key);

  if (v && json_object_is_type (v, json_type_int) && json_object_get_int64 (v) >= min)
    add_int (rec, field, json_object_get_int64 (v));
}

void
ferry_resources_from_oci (json_object *resources, json_object *rec)
{
  json_object *memory = ferry_json_get_object (resources, "memory");
  json_object *cpu = ferry_json_get_object (resources, "cpu");
  json_object *pids = ferry_json_get_object (resources, "pids");
  int64_t limit = ferry_json_get_int (memory, "limit", 0), swap = ferry_json_get_int (memory, "swap", 0);

  if (limit > 0)
    {
      add_int (rec, "Memory", limit);
      /* Podman's default swap limit (twice) is ferry's too; none in the
       * spec is Podman's --memory-swap -1.  */
      if (swap > 0 && (limit > INT64_MAX / 2 || swap != limit * 2))
        add_int (rec, "MemorySwap", swap);
      else if (swap <= 0)
        add_int (rec, "MemorySwap", -1);
    }
  take_int (memory, "reservation", rec, "MemoryReservation", 1);
  take_int (memory, "swappiness", rec, "MemorySwappiness", 0);
  if (json_object_get_boolean (json_object_object_get (memory, "disableOOMKiller")))
    json_object_object_add (rec, "OomKillDisable", json_object_new_boolean (1));
  take_int (cpu, "shares", rec, "CpuShares", 1);
  take_int (cpu, "period", rec, "CpuPeriod", 1);
  take_int (cpu, "quota", rec, "CpuQuota", 1);
  take_int (cpu, "realtimePeriod", rec, "CpuRealtimePeriod", 1);
  take_int (cpu, "realtimeRuntime", rec, "CpuRealtimeRuntime", 1);
  if (ferry_json_get_string (cpu, "cpus") && *ferry_json_get_string (cpu, "cpus"))
    copy_string (cpu, "cpus", rec, "CpusetCpus");
  if (ferry_json_get_string (cpu, "mems") && *ferry_json_get_string (cpu, "mems"))
    copy_string (cpu, "mems", rec, "CpusetMems");
  /* No pids limit in the spec is none at all, not ferry's default.  */
  add_int (rec, "PidsLimit",
           ferry_json_get_int (pids, "limit", 0) > 0 ? ferry_json_get_int (pids, "limit", 0) : -1);
}

/* ---- inspect ------------------------------------------------------------- */

static json_object *
int_or (json_object *rec, const char *field, int64_t def)
{
  return json_object_new_int64 (ferry_json_get_int (rec, field, def));
}

static json_object *
string_or_empty (json_object *rec, const char *field)
{
  const char *s = ferry_json_get_string (rec, field);

  return json_object_new_string (s ? s : "");
}

/* Podman's lists: null when the spec has no blockIO, else the entries.  */
static json_object *
device_list_json (json_object *rec, size_t which)
{
  json_object *given = ferry_json_get_array (rec, DEVICE_LISTS[which].field);
  json_object *copy = NULL;

  if (! has_blkio_settings (rec))
    return NULL;
  if (given == NULL)
    return json_object_new_array ();
  if (json_object_deep_copy (given, &copy, NULL) < 0)
    abort ();
  return copy;
}

void
ferry_resources_inspect (json_object *rec, json_object *host)
{
  int64_t nano_cpus = ferry_json_get_int (rec, "NanoCpus", 0);
  int64_t swap = memory_swap (rec);
  json_object *conf = ferry_json_get_object (rec, "CgroupConf");

  json_object_object_add (host, "Cgroups", json_object_new_string ("default"));
  json_object_object_add (host, "CpuShares", int_or (rec, "CpuShares", 0));
  json_object_object_add (host, "CgroupParent", string_or_empty (rec, "CgroupParent"));
  json_object_object_add (host, "BlkioWeight", int_or (rec, "BlkioWeight", 0));
  for (size_t i = 0; i < N_DEVICE_LISTS; i++)
    json_object_object_add (host, DEVICE_LISTS[i].field, device_list_json (rec, i));
  /* --cpus is a quota of a 100 ms period, which Podman shows too.  */
  json_object_object_add (host, "CpuPeriod", int_or (rec, "CpuPeriod", nano_cpus > 0 ? 100000 : 0));
  json_object_object_add (host, "CpuQuota", int_or (rec, "CpuQuota", nano_cpus > 0 ? nano_cpus / 10000 : 0));
  json_object_object_add (host, "CpuRealtimePeriod", int_or (rec, "CpuRealtimePeriod", 0));
  json_object_object_add (host, "CpuRealtimeRuntime", int_or (rec, "CpuRealtimeRuntime", 0));
  json_object_object_add (host, "CpusetCpus", string_or_empty (rec, "CpusetCpus"));
  json_object_object_add (host, "CpusetMems", string_or_empty (rec, "CpusetMems"));
  json_object_object_add (host, "MemoryReservation", int_or (rec, "MemoryReservation", 0));
  json_object_object_add (host, "MemorySwap", json_object_new_int64 (swap > 0 ? swap : 0));
  json_object_object_add (host, "MemorySwappiness",
                          int_or (rec, "MemorySwappiness", has_memory_settings (rec) ? -1 : 0));
  json_object_object_add (
      host, "OomKillDisable",
      json_object_new_boolean (json_object_get_boolean (json_object_object_get (rec, "OomKillDisable"))));
  json_object_object_add (host, "CgroupConf", conf ? json_object_get (conf) : NULL);
  /* Docker's fields that Podman shows and never sets on Linux.  */
  json_object_object_add (host, "DiskQuota", json_object_new_int64 (0));
  json_object_object_add (host, "KernelMemory", json_object_new_int64 (0));
  json_object_object_add (host, "CpuCount", json_object_new_int64 (0));
  json_object_object_add (host, "CpuPercent", json_object_new_int64 (0));
  json_object_object_add (host, "IOMaximumIOps", json_object_new_int64 (0));
  json_object_object_add (host, "IOMaximumBandwidth", json_object_new_int64 (0));
}

/* ---- update ----------------------------------------------------------------- */

/* Entries of LIST (as the record keeps them) with the same Path as one
 * of ADDED give way to it; the others stay, ADDED's new ones follow.  */
static json_object *
merge_device_list (json_object *list, json_object *added)
{
  json_object *out = json_object_new_array ();

  for (size_t i = 0; i < ferry_json_array_length (list); i++)
    {
      json_object *e = json_object_array_get_idx (list, i);
      const char *path = ferry_json_get_string (e, "Path");
      int replaced = 0;

      for (size_t j = 0; path && j < ferry_json_array_length (added); j++)
        if (ferry_json_string_equals (json_object_array_get_idx (added, j), "Path", path))
          replaced = 1;
      if (! replaced)
        json_object_array_add (out, json_object_get (e));
    }
  for (size_t j = 0; j < ferry_json_array_length (added); j++)
    json_object_array_add (out, json_object_get (json_object_array_get_idx (added, j)));
  return out;
}

/* What create refuses together, on the record as an update leaves it.  */
static int
check_memory_together (json_object *rec, ferry_error_t *err)
{
  int64_t memory = ferry_json_get_int (rec, "Memory", 0);
  int64_t swap = ferry_json_get_int (rec, "MemorySwap", 0);
  int64_t reservation = ferry_json_get_int (rec, "MemoryReservation", 0);

  if (swap > 0 && memory <= 0)
    return ferry_make_error (err, 0,
                             "you should always set a memory limit when using a memoryswap limit, see usage");
  if (swap > 0 && swap < memory)
    return ferry_make_error (err, 0,
                             "minimum memoryswap limit should be larger than memory limit, see usage");
  if (memory > 0 && reservation > memory)
    return ferry_make_error (err, 0,
                             "minimum memory limit cannot be less than memory reservation limit, see usage");
  return 0;
}

/* --cpus and --cpu-period/--cpu-quota are two ways to give one quota:
 * the one the update names wins, and a --cpus limit turned into a period
 * keeps its quota, as Podman shows it.  */
static void
merge_cpu_quota (json_object *rec, json_object *given, const struct ferry_resource_options *o,
                 int64_t nano_cpus)
{
  int64_t old_nano = ferry_json_get_int (rec, "NanoCpus", 0);

  if (nano_cpus > 0)
    {
      json_object_object_add (rec, "NanoCpus", json_object_new_int64 (nano_cpus));
      json_object_object_del (rec, "CpuPeriod");
      json_object_object_del (rec, "CpuQuota");
      return;
    }
  if (! o->cpu_period && ! o->cpu_quota)
    return;
  if (old_nano > 0)
    {
      json_object_object_del (rec, "NanoCpus");
      if (json_object_object_get (given, "CpuPeriod") == NULL)
        add_int (rec, "CpuPeriod", 100000);
      if (json_object_object_get (given, "CpuQuota") == NULL)
        add_int (rec, "CpuQuota", old_nano / 10000);
    }
  if (o->cpu_quota < 0)
    json_object_object_del (rec, "CpuQuota");
}

int
ferry_resources_update_record (json_object *rec, const struct ferry_resource_options *asked, int64_t memory,
                               int64_t nano_cpus, int64_t pids_limit, const char *runtime, ferry_error_t *err)
{
  cleanup_json json_object *given = json_object_new_object ();
  int64_t memory_now = memory > 0 ? memory : ferry_json_get_int (rec, "Memory", 0);
  struct ferry_resource_options copy = *asked;
  const struct ferry_resource_options *o = &copy;

  /* Podman's update takes --memory-swap -1 and changes nothing.  */
  if (copy.memory_swap_set && copy.memory_swap == -1)
    copy.memory_swap_set = 0;

  if (ferry_resources_record (o, memory_now, nano_cpus, runtime, given, err) < 0)
    return -1;
  if (memory > 0)
    {
      add_int (rec, "Memory", memory);
      /* A new memory limit takes a new default swap limit with it, as
       * Podman's update does, unless the update gives one.  */
      if (! o->memory_swap_set && ferry_json_get_int (rec, "MemorySwap", 0) > 0)
        json_object_object_del (rec, "MemorySwap");
    }
  merge_cpu_quota (rec, given, o, nano_cpus);
  if (o->memory_swappiness_set && o->memory_swappiness < 0)
    json_object_object_del (rec, "MemorySwappiness");
  if (pids_limit)
    add_int (rec, "PidsLimit", pids_limit > 0 ? pids_limit : -1);
  json_object_object_foreach (given, key, value)
  {
    int is_list = 0;

    for (size_t i = 0; i < N_DEVICE_LISTS; i++)
      if (strcmp (key, DEVICE_LISTS[i].field) == 0)
        is_list = 1;
    if (is_list)
      json_object_object_add (rec, key, merge_device_list (json_object_object_get (rec, key), value));
    else
      json_object_object_add (rec, key, json_object_get (value));
  }
  return check_memory_together (rec, err);
}

json_object *
ferry_resources_runtime_update (json_object *rec, int64_t default_pids_limit, ferry_error_t *err)
{
  cleanup_json json_object *spec = json_object_new_object ();
  json_object *resources = member (member (spec, "linux"), "resources");
  json_object *memory, *cpu, *pids = member (resources, "pids");
  int64_t nano_cpus = ferry_json_get_int (rec, "NanoCpus", 0);
  int64_t pids_limit = ferry_json_get_int (rec, "PidsLimit", default_pids_limit);

  if (ferry_json_get_int (rec, "Memory", 0) > 0)
    add_int (member (resources, "memory"), "limit", ferry_json_get_int (rec, "Memory", 0));
  if (nano_cpus > 0)
    {
      add_int (member (resources, "cpu"), "period", 100000);
      add_int (member (resources, "cpu"), "quota", nano_cpus / 10000);
    }
  /* -1: no limit, which the runtime writes as such (0 changes nothing).  */
  add_int (pids, "limit", pids_limit > 0 ? pids_limit : -1);
  if (ferry_resources_apply (rec, spec, err) < 0)
    return NULL;
  memory = json_object_object_get (resources, "memory");
  if (memory && ferry_json_get_int (rec, "MemorySwap", 0) == -1 && swap_limit_supported ())
    add_int (memory, "swap", -1);
  cpu = member (resources, "cpu");
  if (json_object_object_get (cpu, "quota") == NULL)
    add_int (cpu, "quota", -1);
  /* The kernel's default weight, where the record has none: what a
   * refused update put there goes back (cgroups v1's figure).  */
  if (json_object_object_get (cpu, "shares") == NULL && ! ferry_resources_cgroup2_only ())
    add_int (cpu, "shares", 1024);
  json_object_object_del (resources, "devices");
  json_object_object_del (resources, "unified");
  return json_object_get (resources);
}
