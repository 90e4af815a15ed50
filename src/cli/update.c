/* ferry CLI: update, Podman's: new cgroup limits, health check or restart
 * policy for an existing container.  */
#include "common.h"
#include "commands.h"
#include "resources.h"
#include "engine/update.h"
#include "util/cleanup.h"
#include "util/parse.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char update_usage[]
    = "Usage: ferry update [options] CONTAINER\n\n"
      "Change the cgroup limits of a container. A running or paused container gets them at\n"
      "once; every later start, restart and restore (in place or from an archive) keeps them.\n"
      "Limits not named stay as they were. Also its health check and restart policy, which the\n"
      "next check, exit and restore use. Prints the container's ID.\n\n"
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
      "      --health-cmd CMD     a new health check command: for /bin/sh -c, or a JSON array\n"
      "                           (none: disable the check)\n"
      "      --health-interval D  how often it runs where systemd runs it (disable: never)\n"
      "      --health-log-destination DEST  local, events_logger or a directory (the log\n"
      "                           kept so far stays where it was)\n"
      "      --health-max-log-count N  results kept in the log (0: all)\n"
      "      --health-max-log-size N   characters of output kept per result (0: all)\n"
      "      --health-on-failure ACTION  once unhealthy: none, kill, restart or stop\n"
      "      --health-retries N   failures in a row that make it unhealthy\n"
      "      --health-start-period D  time to start in, when failures do not count\n"
      "      --health-startup-cmd CMD  a check to pass first, before the regular one runs\n"
      "      --health-startup-interval D  how often it runs where systemd runs it\n"
      "      --health-startup-retries N  its failures that restart the container\n"
      "      --health-startup-success N  its passes in a row that end it (0: one)\n"
      "      --health-startup-timeout D  the longest it may take\n"
      "      --health-timeout D   the longest a check may take\n"
      "                           (a check's settings not given stay as they were; a\n"
      "                           container without a check needs --health-cmd first)\n"
      "  -m, --memory SIZE        the memory the container may use, such as 512m (its swap\n"
      "                           limit becomes twice that unless --memory-swap is given)\n"
      "      --memory-reservation SIZE  memory soft limit, such as 256m\n"
      "      --memory-swap SIZE   memory plus swap limit (-1 changes nothing, as with Podman)\n"
      "      --memory-swappiness N  the kernel's swappiness for it, 0 to 100\n"
      "      --no-healthcheck     no health check any more (nor a startup check)\n"
      "      --pids-limit N       the most processes the container may have (-1 or 0: no limit)\n"
      "      --restart POLICY     new restart policy: no, always, on-failure[:N] or\n"
      "                           unless-stopped (used from the container's next exit)\n";

enum
{
  OPT_UPDATE_CPUS = OPT_COMMAND_FIRST,
  OPT_UPDATE_PIDS_LIMIT,
  OPT_UPDATE_RESTART,
  OPT_UPDATE_NO_HEALTHCHECK,
  OPT_UPDATE_HEALTH_CMD,
  OPT_UPDATE_HEALTH_INTERVAL,
  OPT_UPDATE_HEALTH_RETRIES,
  OPT_UPDATE_HEALTH_START_PERIOD,
  OPT_UPDATE_HEALTH_TIMEOUT,
  OPT_UPDATE_HEALTH_ON_FAILURE,
  OPT_UPDATE_HEALTH_LOG_DESTINATION,
  OPT_UPDATE_HEALTH_MAX_LOG_COUNT,
  OPT_UPDATE_HEALTH_MAX_LOG_SIZE,
  OPT_UPDATE_HEALTH_STARTUP_CMD,
  OPT_UPDATE_HEALTH_STARTUP_INTERVAL,
  OPT_UPDATE_HEALTH_STARTUP_RETRIES,
  OPT_UPDATE_HEALTH_STARTUP_SUCCESS,
  OPT_UPDATE_HEALTH_STARTUP_TIMEOUT,
};

/* cobra's words for a number Go could not parse.  */
static int
health_count (const char *arg, const char *flag, uint64_t *out, int *set)
{
  char *end;

  errno = 0;
  *out = strtoull (arg, &end, 10);
  if (*arg < '0' || *arg > '9' || *end != '\0' || errno)
    {
      ferry_cli_failf ("invalid argument \"%s\" for \"--%s\" flag: strconv.ParseUint: parsing \"%s\": %s\n"
                       "See 'ferry update --help'",
                       arg, flag, arg, errno == ERANGE ? "value out of range" : "invalid syntax");
      return -1;
    }
  *set = 1;
  return 0;
}

/* The --health-* flags, --no-healthcheck and --restart: 1 when C is none
 * of them, 0 when taken, -1 after printing the error.  */
static int
health_option (int c, const char *arg, struct ferry_health_options *h, const char **restart, int *any)
{
  *any = 1;
  switch (c)
    {
    case OPT_UPDATE_RESTART:
      *restart = arg;
      *any = 0;
      return 0;
    case OPT_UPDATE_NO_HEALTHCHECK:
      h->no_healthcheck = 1;
      return 0;
    case OPT_UPDATE_HEALTH_CMD:
      h->cmd = arg;
      return 0;
    case OPT_UPDATE_HEALTH_INTERVAL:
      h->interval = arg;
      return 0;
    case OPT_UPDATE_HEALTH_RETRIES:
      return health_count (arg, "health-retries", &h->retries, &h->retries_set);
    case OPT_UPDATE_HEALTH_START_PERIOD:
      h->start_period = arg;
      return 0;
    case OPT_UPDATE_HEALTH_TIMEOUT:
      h->timeout = arg;
      return 0;
    case OPT_UPDATE_HEALTH_ON_FAILURE:
      h->on_failure = arg;
      return 0;
    case OPT_UPDATE_HEALTH_LOG_DESTINATION:
      h->log_destination = arg;
      return 0;
    case OPT_UPDATE_HEALTH_MAX_LOG_COUNT:
      return health_count (arg, "health-max-log-count", &h->max_log_count, &h->max_log_count_set);
    case OPT_UPDATE_HEALTH_MAX_LOG_SIZE:
      return health_count (arg, "health-max-log-size", &h->max_log_size, &h->max_log_size_set);
    case OPT_UPDATE_HEALTH_STARTUP_CMD:
      h->startup_cmd = arg;
      return 0;
    case OPT_UPDATE_HEALTH_STARTUP_INTERVAL:
      h->startup_interval = arg;
      return 0;
    case OPT_UPDATE_HEALTH_STARTUP_RETRIES:
      return health_count (arg, "health-startup-retries", &h->startup_retries, &h->startup_retries_set);
    case OPT_UPDATE_HEALTH_STARTUP_SUCCESS:
      return health_count (arg, "health-startup-success", &h->startup_successes, &h->startup_successes_set);
    case OPT_UPDATE_HEALTH_STARTUP_TIMEOUT:
      h->startup_timeout = arg;
      return 0;
    default:
      *any = 0;
      return 1;
    }
}

/* --memory, --cpus and --pids-limit, as run and create take them: 1 when
 * C is none of them, 0 when taken, -1 after printing the error.  */
static int
update_option (int c, const char *arg, struct ferry_update_options *o)
{

  switch (c)
    {
    case 'm':
      if (ferry_cli_parse_memory (arg, &o->memory) < 0)
        return -1;
      if (o->memory < 6 * 1024 * 1024)
        {
          ferry_cli_failf ("invalid --memory `%s`: give a size such as 512m or 2g (6m at least)", arg);
          return -1;
        }
      return 0;
    case OPT_UPDATE_CPUS:
      return ferry_cli_parse_cpus (arg, "update", &o->nano_cpus);
    case OPT_UPDATE_PIDS_LIMIT:
      return ferry_cli_parse_pids_limit (arg, "update", &o->pids_limit);
    default:
      return 1;
    }
}

int
ferry_cmd_update (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS,
          FERRY_RESOURCE_UPDATE_OPTIONS,
          { "cpus", required_argument, NULL, OPT_UPDATE_CPUS },
          { "memory", required_argument, NULL, 'm' },
          { "pids-limit", required_argument, NULL, OPT_UPDATE_PIDS_LIMIT },
          { "restart", required_argument, NULL, OPT_UPDATE_RESTART },
          { "no-healthcheck", no_argument, NULL, OPT_UPDATE_NO_HEALTHCHECK },
          { "health-cmd", required_argument, NULL, OPT_UPDATE_HEALTH_CMD },
          { "health-interval", required_argument, NULL, OPT_UPDATE_HEALTH_INTERVAL },
          { "health-retries", required_argument, NULL, OPT_UPDATE_HEALTH_RETRIES },
          { "health-start-period", required_argument, NULL, OPT_UPDATE_HEALTH_START_PERIOD },
          { "health-timeout", required_argument, NULL, OPT_UPDATE_HEALTH_TIMEOUT },
          { "health-on-failure", required_argument, NULL, OPT_UPDATE_HEALTH_ON_FAILURE },
          { "health-log-destination", required_argument, NULL, OPT_UPDATE_HEALTH_LOG_DESTINATION },
          { "health-max-log-count", required_argument, NULL, OPT_UPDATE_HEALTH_MAX_LOG_COUNT },
          { "health-max-log-size", required_argument, NULL, OPT_UPDATE_HEALTH_MAX_LOG_SIZE },
          { "health-startup-cmd", required_argument, NULL, OPT_UPDATE_HEALTH_STARTUP_CMD },
          { "health-startup-interval", required_argument, NULL, OPT_UPDATE_HEALTH_STARTUP_INTERVAL },
          { "health-startup-retries", required_argument, NULL, OPT_UPDATE_HEALTH_STARTUP_RETRIES },
          { "health-startup-success", required_argument, NULL, OPT_UPDATE_HEALTH_STARTUP_SUCCESS },
          { "health-startup-timeout", required_argument, NULL, OPT_UPDATE_HEALTH_STARTUP_TIMEOUT },
          { "help", no_argument, NULL, 'H' },
          { NULL, 0, NULL, 0 } };
  struct ferry_cli_resources r = { 0 };
  struct ferry_update_options o = { 0 };
  struct ferry_health_options health = { 0 };
  int health_given = 0;
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_free char *id = NULL;
  ferry_error_t err = NULL;
  int c, ret = FERRY_EXIT_ERROR;

  while ((c = getopt_long (argc, argv, ":c:m:", opts, NULL)) != -1)
    {
      int taken;

      if (c == 'H')
        {
          ferry_cli_print_usage (update_usage);
          ret = 0;
          goto out;
        }
      taken = ferry_cli_resource_option (c == 'c' ? OPT_RESOURCE_CPU_SHARES : c, optarg, "update", &r);
      if (taken == 1)
        taken = update_option (c, optarg, &o);
      if (taken == 1)
        {
          int any;
          taken = health_option (c, optarg, &health, &o.restart, &any);
          health_given |= any;
        }
      if (taken == 1)
        {
          taken = ferry_cli_common_option (c, "update", argv);
          if (taken > 0)
            {
              ferry_cli_print_usage (update_usage);
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
  if (health_given)
    o.health = &health;
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
