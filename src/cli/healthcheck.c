/* ferry CLI: healthcheck run, a container's health check once.  */
#include "commands.h"
#include "common.h"
#include "../lib/engine/container.h"
#include "../lib/engine/health.h"

#include "../lib/util/parse.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char healthcheck_run_usage[]
    = "Usage: ferry healthcheck run CONTAINER\n\n"
      "Run the health check of a running container once (its --health-cmd, or its\n"
      "image's HEALTHCHECK) and record the result in its health log, which inspect\n"
      "shows as .State.Health and ps as its status.  Exits 0 when the check passed;\n"
      "prints `unhealthy` and exits 1 when it failed; exits 125 when the container is\n"
      "not running or has no check, or the check ran past its --health-timeout.\n\n"
      "Where systemd is PID 1, a transient systemd timer runs this every\n"
      "--health-interval, as Podman's; elsewhere nothing runs it but this command,\n"
      "in ferry as in Podman.\n";

static int
cmd_healthcheck_run (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_engine struct ferry_engine *e = NULL;
  struct ferry_health_report report = { 0 };
  ferry_error_t err = NULL;
  int c, r;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      r = ferry_cli_parse_or_help (c, "healthcheck run", argv, healthcheck_run_usage);
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  r = ferry_container_healthcheck_run (e, argv[optind], &report, &err);
  if (report.stopped && report.stop.killed)
    ferry_cli_warn_killed (report.name, &report.stop);
  if (r < 0)
    return ferry_cli_fail (&err);
  if (report.outcome != FERRY_HEALTH_PASSED)
    {
      puts (report.outcome == FERRY_HEALTH_STARTING ? "starting" : "unhealthy");
      return 1;
    }
  return 0;
}

int
ferry_cmd_healthcheck (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "run", cmd_healthcheck_run, "Run the health check of a container" },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("healthcheck", table, argc - 1, argv + 1);
}
