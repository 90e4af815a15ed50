/* ferry CLI: run and create's cgroup resource flags (--cpu-shares,
 * --cpuset-cpus, --memory-swap, --device-read-bps, --cgroup-parent, ...),
 * parsed as Podman parses them, into engine/resources.h's options.  */
#ifndef FERRY_CLI_RESOURCES_H
#define FERRY_CLI_RESOURCES_H

#include "engine/resources.h"

#include <getopt.h>
#include <stddef.h>

enum
{
  OPT_RESOURCE_CPU_SHARES = 0x1900,
  OPT_RESOURCE_CPU_PERIOD,
  OPT_RESOURCE_CPU_QUOTA,
  OPT_RESOURCE_CPU_RT_PERIOD,
  OPT_RESOURCE_CPU_RT_RUNTIME,
  OPT_RESOURCE_CPUSET_CPUS,
  OPT_RESOURCE_CPUSET_MEMS,
  OPT_RESOURCE_MEMORY_RESERVATION,
  OPT_RESOURCE_MEMORY_SWAP,
  OPT_RESOURCE_MEMORY_SWAPPINESS,
  OPT_RESOURCE_OOM_KILL_DISABLE,
  OPT_RESOURCE_BLKIO_WEIGHT,
  OPT_RESOURCE_BLKIO_WEIGHT_DEVICE,
  OPT_RESOURCE_DEVICE_READ_BPS,
  OPT_RESOURCE_DEVICE_WRITE_BPS,
  OPT_RESOURCE_DEVICE_READ_IOPS,
  OPT_RESOURCE_DEVICE_WRITE_IOPS,
  OPT_RESOURCE_DEVICE_CGROUP_RULE,
  OPT_RESOURCE_CGROUP_PARENT,
  OPT_RESOURCE_CGROUP_CONF,
  OPT_RESOURCE_CGROUPS,
};

/* Those update takes too.  -c is --cpu-shares: add "c:" to the short
 * options and map 'c' to OPT_RESOURCE_CPU_SHARES.  */
#define FERRY_RESOURCE_UPDATE_OPTIONS                                                                        \
  { "cpu-shares", required_argument, NULL, OPT_RESOURCE_CPU_SHARES },                                        \
      { "cpu-period", required_argument, NULL, OPT_RESOURCE_CPU_PERIOD },                                    \
      { "cpu-quota", required_argument, NULL, OPT_RESOURCE_CPU_QUOTA },                                      \
      { "cpu-rt-period", required_argument, NULL, OPT_RESOURCE_CPU_RT_PERIOD },                              \
      { "cpu-rt-runtime", required_argument, NULL, OPT_RESOURCE_CPU_RT_RUNTIME },                            \
      { "cpuset-cpus", required_argument, NULL, OPT_RESOURCE_CPUSET_CPUS },                                  \
      { "cpuset-mems", required_argument, NULL, OPT_RESOURCE_CPUSET_MEMS },                                  \
      { "memory-reservation", required_argument, NULL, OPT_RESOURCE_MEMORY_RESERVATION },                    \
      { "memory-swap", required_argument, NULL, OPT_RESOURCE_MEMORY_SWAP },                                  \
      { "memory-swappiness", required_argument, NULL, OPT_RESOURCE_MEMORY_SWAPPINESS },                      \
      { "blkio-weight", required_argument, NULL, OPT_RESOURCE_BLKIO_WEIGHT },                                \
      { "blkio-weight-device", required_argument, NULL, OPT_RESOURCE_BLKIO_WEIGHT_DEVICE },                  \
      { "device-read-bps", required_argument, NULL, OPT_RESOURCE_DEVICE_READ_BPS },                          \
      { "device-write-bps", required_argument, NULL, OPT_RESOURCE_DEVICE_WRITE_BPS },                        \
      { "device-read-iops", required_argument, NULL, OPT_RESOURCE_DEVICE_READ_IOPS },                        \
  {                                                                                                          \
    "device-write-iops", required_argument, NULL, OPT_RESOURCE_DEVICE_WRITE_IOPS                             \
  }

/* Those container clone takes: update's but the I/O operation limits, as
 * Podman's clone.  */
#define FERRY_RESOURCE_CLONE_OPTIONS                                                                         \
  { "cpu-shares", required_argument, NULL, OPT_RESOURCE_CPU_SHARES },                                        \
      { "cpu-period", required_argument, NULL, OPT_RESOURCE_CPU_PERIOD },                                    \
      { "cpu-quota", required_argument, NULL, OPT_RESOURCE_CPU_QUOTA },                                      \
      { "cpu-rt-period", required_argument, NULL, OPT_RESOURCE_CPU_RT_PERIOD },                              \
      { "cpu-rt-runtime", required_argument, NULL, OPT_RESOURCE_CPU_RT_RUNTIME },                            \
      { "cpuset-cpus", required_argument, NULL, OPT_RESOURCE_CPUSET_CPUS },                                  \
      { "cpuset-mems", required_argument, NULL, OPT_RESOURCE_CPUSET_MEMS },                                  \
      { "memory-reservation", required_argument, NULL, OPT_RESOURCE_MEMORY_RESERVATION },                    \
      { "memory-swap", required_argument, NULL, OPT_RESOURCE_MEMORY_SWAP },                                  \
      { "memory-swappiness", required_argument, NULL, OPT_RESOURCE_MEMORY_SWAPPINESS },                      \
      { "blkio-weight", required_argument, NULL, OPT_RESOURCE_BLKIO_WEIGHT },                                \
      { "blkio-weight-device", required_argument, NULL, OPT_RESOURCE_BLKIO_WEIGHT_DEVICE },                  \
      { "device-read-bps", required_argument, NULL, OPT_RESOURCE_DEVICE_READ_BPS },                          \
  {                                                                                                          \
    "device-write-bps", required_argument, NULL, OPT_RESOURCE_DEVICE_WRITE_BPS                               \
  }

#define FERRY_RESOURCE_OPTIONS                                                                               \
  { "cpu-shares", required_argument, NULL, OPT_RESOURCE_CPU_SHARES },                                        \
      { "cpu-period", required_argument, NULL, OPT_RESOURCE_CPU_PERIOD },                                    \
      { "cpu-quota", required_argument, NULL, OPT_RESOURCE_CPU_QUOTA },                                      \
      { "cpu-rt-period", required_argument, NULL, OPT_RESOURCE_CPU_RT_PERIOD },                              \
      { "cpu-rt-runtime", required_argument, NULL, OPT_RESOURCE_CPU_RT_RUNTIME },                            \
      { "cpuset-cpus", required_argument, NULL, OPT_RESOURCE_CPUSET_CPUS },                                  \
      { "cpuset-mems", required_argument, NULL, OPT_RESOURCE_CPUSET_MEMS },                                  \
      { "memory-reservation", required_argument, NULL, OPT_RESOURCE_MEMORY_RESERVATION },                    \
      { "memory-swap", required_argument, NULL, OPT_RESOURCE_MEMORY_SWAP },                                  \
      { "memory-swappiness", required_argument, NULL, OPT_RESOURCE_MEMORY_SWAPPINESS },                      \
      { "oom-kill-disable", optional_argument, NULL, OPT_RESOURCE_OOM_KILL_DISABLE },                        \
      { "blkio-weight", required_argument, NULL, OPT_RESOURCE_BLKIO_WEIGHT },                                \
      { "blkio-weight-device", required_argument, NULL, OPT_RESOURCE_BLKIO_WEIGHT_DEVICE },                  \
      { "device-read-bps", required_argument, NULL, OPT_RESOURCE_DEVICE_READ_BPS },                          \
      { "device-write-bps", required_argument, NULL, OPT_RESOURCE_DEVICE_WRITE_BPS },                        \
      { "device-read-iops", required_argument, NULL, OPT_RESOURCE_DEVICE_READ_IOPS },                        \
      { "device-write-iops", required_argument, NULL, OPT_RESOURCE_DEVICE_WRITE_IOPS },                      \
      { "device-cgroup-rule", required_argument, NULL, OPT_RESOURCE_DEVICE_CGROUP_RULE },                    \
      { "cgroup-parent", required_argument, NULL, OPT_RESOURCE_CGROUP_PARENT },                              \
      { "cgroup-conf", required_argument, NULL, OPT_RESOURCE_CGROUP_CONF },                                  \
  {                                                                                                          \
    "cgroups", required_argument, NULL, OPT_RESOURCE_CGROUPS                                                 \
  }

#define FERRY_RESOURCE_OPTIONS_HELP                                                                          \
  "      --blkio-weight N     block I/O weight, 10 to 1000 (discarded with a warning where\n"                \
  "                           the kernel has no blkio weight, as Podman does)\n"                             \
  "      --blkio-weight-device DEV:N  block I/O weight of device DEV (/dev/...; repeatable)\n"               \
  "      --cgroup-conf K=V    a cgroup v2 file and its value (refused on cgroups v1)\n"                      \
  "      --cgroup-parent PATH the cgroup under which its own is made (default /ferry)\n"                     \
  "      --cgroups MODE       enabled (default) or no-conmon: conmon stays where ferry runs\n"               \
  "                           with either; disabled and split are refused, as by Podman with\n"              \
  "                           runc on this kind of host\n"                                                   \
  "      --cpu-period US      CPU CFS period in microseconds (1000 to 1000000)\n"                            \
  "      --cpu-quota US       CPU CFS quota in microseconds per period (1000 at least)\n"                    \
  "      --cpu-rt-period US   real-time period in microseconds\n"                                            \
  "      --cpu-rt-runtime US  real-time runtime in microseconds per period\n"                                \
  "  -c, --cpu-shares N       relative CPU weight (the kernel takes 2 to 262144)\n"                          \
  "      --cpuset-cpus LIST   the CPUs it may run on, such as 0-2,4\n"                                       \
  "      --cpuset-mems LIST   the memory nodes it may use, such as 0\n"                                      \
  "      --device-cgroup-rule RULE  allow a device in its cgroup: TYPE MAJOR:MINOR ACCESS\n"                 \
  "                           (c 1:3 rwm; * for any number; repeatable)\n"                                   \
  "      --device-read-bps DEV:RATE   read rate limit of device DEV, such as /dev/vda:1mb\n"                 \
  "      --device-read-iops DEV:N     read limit in operations per second of device DEV\n"                   \
  "      --device-write-bps DEV:RATE  write rate limit of device DEV\n"                                      \
  "      --device-write-iops DEV:N    write limit in operations per second of device DEV\n"                  \
  "      --memory-reservation SIZE  memory soft limit, such as 256m\n"                                       \
  "      --memory-swap SIZE   memory plus swap limit, with --memory (-1: no swap limit;\n"                   \
  "                           default twice --memory)\n"                                                     \
  "      --memory-swappiness N  the kernel's swappiness for it, 0 to 100 (-1: the host's)\n"                 \
  "      --oom-kill-disable[=BOOL]  the kernel's OOM killer spares it\n"

/* The options with the lists they collect.  */
struct ferry_cli_resources
{
  struct ferry_resource_options o;
  size_t n_blkio_weight_device, n_device_read_bps, n_device_write_bps, n_device_read_iops,
      n_device_write_iops, n_device_cgroup_rules, n_cgroup_conf;
};

/* Takes option C (ARG) of command CMD into R: 1 when C is none of these,
 * 0 when taken, -1 after printing the error.  */
int ferry_cli_resource_option (int c, const char *arg, const char *cmd, struct ferry_cli_resources *r);

void ferry_cli_resources_release (struct ferry_cli_resources *r);

/* --cpus, --pids-limit and --memory of command CMD (run, create, update,
 * container clone), as Podman parses them: what Go cannot read is cobra's
 * flag error; 0, or -1 after printing the error.  *NANO_CPUS gets CPUs *
 * 1e9; *PIDS_LIMIT the most processes (-1: no limit, as 0 is);
 * *MEMORY bytes.  */
int ferry_cli_parse_cpus (const char *arg, const char *cmd, int64_t *nano_cpus);
int ferry_cli_parse_pids_limit (const char *arg, const char *cmd, int64_t *pids_limit);
int ferry_cli_parse_memory (const char *arg, int64_t *memory);

/* A boolean flag FLAG ("--pause") of command CMD as Go's ParseBool reads
 * ARG (NULL, the flag alone, is true) into *OUT: 0, or 125 after
 * printing cobra's error.  */
int ferry_cli_bool_flag (const char *arg, const char *flag, const char *cmd, int *out);

#endif
