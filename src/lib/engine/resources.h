/* ferry: a container's cgroup resources beyond --memory, --cpus and
 * --pids-limit, as Podman 5.4 takes them (run/create's --cpu-shares,
 * --cpuset-cpus, --memory-swap, --device-read-bps, --cgroup-parent, ...).
 *
 * They live in the container's record under Podman's HostConfig names
 * ("CpuShares", "MemorySwap", "BlkioDeviceReadBps", ...), each only when
 * given, so that a record without them is a container without them.  The
 * OCI spec's linux.resources is made from the record at every start and
 * restore (ferry_resources_apply), so a checkpoint restored in place or
 * on another root keeps them; device numbers are looked up on the host
 * that starts it, from the paths the record keeps.  */
#ifndef FERRY_ENGINE_RESOURCES_H
#define FERRY_ENGINE_RESOURCES_H

#include "../util/error.h"

#include <json-c/json.h>
#include <stdint.h>

/* run/create's flags; 0, NULL or unset: not given.  Numbers are parsed by
 * the caller; lists are as typed.  */
struct ferry_resource_options
{
  uint64_t cpu_shares;
  uint64_t cpu_period;
  int64_t cpu_quota;
  uint64_t cpu_rt_period;
  int64_t cpu_rt_runtime;
  const char *cpuset_cpus;
  const char *cpuset_mems;
  int64_t memory_reservation;
  int64_t memory_swap; /* -1: no limit on swap */
  int memory_swap_set;
  int64_t memory_swappiness; /* with memory_swappiness_set: 0 to 100 */
  int memory_swappiness_set;
  int oom_kill_disable;
  uint64_t blkio_weight; /* with blkio_weight_set */
  int blkio_weight_set;
  /* "PATH:WEIGHT" and "PATH:RATE"; NULL-terminated, may be NULL.  */
  char **blkio_weight_device;
  char **device_read_bps;
  char **device_write_bps;
  char **device_read_iops;
  char **device_write_iops;
  char **device_cgroup_rules; /* "TYPE MAJOR:MINOR ACCESS" */
  const char *cgroup_parent;
  char **cgroup_conf;  /* "KEY=VALUE" (cgroups v2 only) */
  const char *cgroups; /* enabled, no-conmon, disabled, split; NULL: enabled */
};

/* True when this host's blkio controller takes a weight (blkio.weight or
 * blkio.bfq.weight); Podman discards --blkio-weight with a warning when not.  */
int ferry_resources_blkio_weight_supported (void);

/* Whether the host has cgroups v2 alone (a unified hierarchy at
 * /sys/fs/cgroup), not v1 or the hybrid of both.  */
int ferry_resources_cgroup2_only (void);

/* Checks O against the container's --memory and --cpus (bytes, CPUs *
 * 1e9; 0: not given) and RUNTIME's name, and adds the fields to REC.
 * Errors are Podman's words.  */
int ferry_resources_record (const struct ferry_resource_options *o, int64_t memory, int64_t nano_cpus,
                            const char *runtime, json_object *rec, ferry_error_t *err);

/* Checks one of the record's resource fields as create writes it (an
 * archive's record is untrusted).  1 when FIELD is one of them; then
 * *WHY is NULL when V is good, else what is wrong with it (static).  */
int ferry_resources_field_check (const char *field, json_object *v, const char **why);

/* What create refuses together (a swap limit without or below the memory
 * limit, a reservation above it, --cpus with a period or quota): NULL when
 * REC has none of it, else the field at fault, with *WHY (static).  */
const char *ferry_resources_record_conflict (json_object *rec, const char **why);

/* What the record's resources grant beyond a plain run (device cgroup
 * rules, a cgroup parent), appended to *LIST as "a, b" (newly allocated).  */
void ferry_resources_privileges (json_object *rec, char **list);

/* The cgroup the container runs in: LEAF under the record's cgroup
 * parent, else under /ferry.  Newly allocated.  */
char *ferry_resources_cgroups_path (json_object *rec, const char *leaf);

/* Adds the record's resources to SPEC's linux.resources (made by
 * ferry_spec_generate with its memory, cpu, pids and devices).  */
int ferry_resources_apply (json_object *rec, json_object *spec, ferry_error_t *err);

/* `update`: REC with O's changes and MEMORY, NANO_CPUS (0: unchanged)
 * and PIDS_LIMIT (0: unchanged, -1: none), each checked as create checks
 * it and the result as a whole too; REC is the caller's copy, and is
 * partly changed when this fails.  */
int ferry_resources_update_record (json_object *rec, const struct ferry_resource_options *o, int64_t memory,
                                   int64_t nano_cpus, int64_t pids_limit, const char *runtime,
                                   ferry_error_t *err);

/* The linux.resources a runtime's `update` takes for the record REC, every
 * limit it has included (DEFAULT_PIDS_LIMIT when it gives none), and no
 * limit where none is set; a new reference.  */
json_object *ferry_resources_runtime_update (json_object *rec, int64_t default_pids_limit,
                                             ferry_error_t *err);

/* The limits in RESOURCES (an OCI spec's linux.resources, from another
 * engine's checkpoint archive: untrusted, checked afterwards with the
 * whole record) into REC: memory, CPU and pids limits, not block I/O
 * (the devices are numbers of that host) or device rules (the record's
 * --device-cgroup-rule would need --trust-archive).  A --cpus limit comes
 * as the CFS period and quota it made.  */
void ferry_resources_from_oci (json_object *resources, json_object *rec);

/* Adds Podman's HostConfig resource fields to HOST, with Podman's values
 * when they are not set.  */
void ferry_resources_inspect (json_object *rec, json_object *host);

/* ---- pure parsing, for the above and unit tests ---------------------- */

/* A cpuset list ("0-2,4"): 0 when S is one, into a bit mask of CPUs or
 * nodes 0 to 8191 (MASK may be NULL).  */
#define FERRY_CPUSET_WORDS 128
int ferry_resources_parse_cpuset (const char *s, uint64_t mask[FERRY_CPUSET_WORDS]);

/* "TYPE MAJOR:MINOR ACCESS" into an OCI device rule (allow: true); NULL
 * with *WHY (newly allocated, Podman's words) when it is not one.  */
json_object *ferry_resources_parse_device_rule (const char *rule, char **why);

enum ferry_throttle_kind
{
  FERRY_THROTTLE_WEIGHT, /* PATH:WEIGHT, 10 to 1000 */
  FERRY_THROTTLE_BPS,    /* PATH:RATE, a size such as 1mb */
  FERRY_THROTTLE_IOPS,   /* PATH:RATE, a number */
};

/* "PATH:VALUE" as KIND takes it: *PATH newly allocated, *VALUE; -1 with
 * *WHY (newly allocated, Podman's words) when malformed.  The device
 * itself is not looked at.  */
int ferry_resources_parse_throttle (const char *text, enum ferry_throttle_kind kind, char **path,
                                    int64_t *value, char **why);

#endif
