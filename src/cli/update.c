/* ferry CLI: update, Podman's: new cgroup limits for an existing container.  */
#include "common.h"
#include "commands.h"
#include "resources.h"
#include "engine/update.h"
#include "util/cleanup.h"
#include "util/parse.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char update_usage[]
    = "Usage: ferry update [OPTIONS] CONTAINER\n\n"
      "Change the cgroup limits of a container. A running or paused container gets them at\n"
      "once; every later start, restart and restore (in place or from an archive) keeps them.\n"
      "Limits not named stay as they were. Prints the container's ID.\n\n"
      "Options:\n"
      "      --blkio-weight N     block I/O weight, 10 to 1000 (discarded with a warning where\n"
      "                           the kernel has no blkio weight, as Podman does)\n"
      "      --blkio-weight-device DEV:N  block I/O weight of device DEV (repeatable)\n"
      "      --cpu-period US      CPU CFS period in microseconds (1000 to 1000000)\n"
      "      --cpu-quota US       CPU CFS quota in microseconds per period (1000 at least;\n"
      "                           -1: none)\n"
      "      --cpu-rt-period US   real-time period in microseconds\n"
      "      --cpu-rt-runtime US  real-time runtime in microseconds per period\n"
      "  -c, --cpu-shares N       relative CPU weight (the kernel takes 2 to 262144)\n"
      "      --cpus N             the CPUs the container may use, such as 1.5 (replaces\n"
      "                           --cpu-period and --cpu-quota)\n"
      "      --cpuset-cpus LIST   the CPUs it may run on, such as 0-2,4\n"
      "      --cpuset-mems LIST   the memory nodes it may use, such as 0\n"
      "      --device-read-bps DEV:RATE   read rate limit of device DEV, such as /dev/vda:1mb\n"
      "      --device-read-iops DEV:N     read limit in operations per second of device DEV\n"
      "      --device-write-bps DEV:RATE  write rate limit of device DEV\n"
      "      --device-write-iops DEV:N    write limit in operations per second of device DEV\n"
      "  -m, --memory SIZE        the memory the container may use, such as 512m (its swap\n"
      "                           limit becomes twice that unless --memory-swap is given)\n"
      "      --memory-reservation SIZE  memory soft limit, such as 256m\n"
      "      --memory-swap SIZE   memory plus swap limit (-1 changes nothing, as with Podman)\n"
      "      --memory-swappiness N  the kernel's swappiness for it, 0 to 100\n"
      "      --pids-limit N       the most processes the container may have (-1 or 0: no limit)\n";

enum
{
  OPT_UPDATE_CPUS = OPT_COMMAND_FIRST,
  OPT_UPDATE_PIDS_LIMIT,
};

/* --memory, --cpus and --pids-limit, as run and create take them: 1 when
 * C is none of them, 0 when taken, -1 after printing the error.  */
static int
update_option (int c, const char *arg, struct ferry_update_options *o)
{
  char *end;

  switch (c)
    {
    case 'm':
      if (ferry_parse_size (arg, &o->memory) < 0 || o->memory < 6 * 1024 * 1024)
        {
          ferry_cli_failf ("invalid --memory `%s`: give a size such as 512m or 2g (6m at least)", arg);
          return -1;
        }
      return 0;
    case OPT_UPDATE_CPUS:
      {
        double cpus = strtod (arg, &end);
        if (*arg == '\0' || *end != '\0' || ! (cpus > 0) || cpus > 1024)
          {
            ferry_cli_failf ("invalid --cpus `%s`: give a number of CPUs such as 1.5", arg);
            return -1;
          }
        o->nano_cpus = (int64_t) (cpus * 1e9 + 0.5);
        return 0;
      }
    case OPT_UPDATE_PIDS_LIMIT:
      {
        long long v = strtoll (arg, &end, 10);
        if (*arg == '\0' || *end != '\0' || v < -1 || v > INT32_MAX)
          {
            ferry_cli_failf ("invalid --pids-limit `%s`: give a number of processes, or -1 for no limit",
                             arg);
            return -1;
          }
        o->pids_limit = v == 0 ? -1 : v;
        return 0;
      }
    default:
      return 1;
    }
}

int
ferry_cmd_update (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        FERRY_RESOURCE_UPDATE_OPTIONS,
                                        { "cpus", required_argument, NULL, OPT_UPDATE_CPUS },
                                        { "memory", required_argument, NULL, 'm' },
                                        { "pids-limit", required_argument, NULL, OPT_UPDATE_PIDS_LIMIT },
                                        { "help", no_argument, NULL, 'H' },
                                        { NULL, 0, NULL, 0 } };
  struct ferry_cli_resources r = { 0 };
  struct ferry_update_options o = { 0 };
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_free char *id = NULL;
  ferry_error_t err = NULL;
  int c, ret = FERRY_EXIT_ERROR;

  while ((c = getopt_long (argc, argv, "+:c:m:", opts, NULL)) != -1)
    {
      int taken;

      if (c == 'H')
        {
          fputs (update_usage, stdout);
          ret = 0;
          goto out;
        }
      taken = ferry_cli_resource_option (c == 'c' ? OPT_RESOURCE_CPU_SHARES : c, optarg, "update", &r);
      if (taken == 1)
        taken = update_option (c, optarg, &o);
      if (taken == 1)
        {
          taken = ferry_cli_common_option (c, "update", argv);
          if (taken > 0)
            {
              fputs (update_usage, stdout);
              ret = 0;
              goto out;
            }
        }
      if (taken < 0)
        goto out;
    }
  if (argc - optind != 1)
    {
      ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
      goto out;
    }
  o.resources = r.o;
  e = ferry_cli_open_engine ();
  if (e == NULL)
    goto out;
  if (ferry_container_update (e, argv[optind], &o, &id, &err) < 0)
    {
      ret = ferry_cli_fail (&err);
      goto out;
    }
  printf ("%s\n", id);
  ret = 0;
out:
  ferry_cli_resources_release (&r);
  return ret;
}
