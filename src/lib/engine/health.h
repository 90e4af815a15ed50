/* ferry: health checks, as Podman 5.4 runs them.
 *
 * A container's check is in its record: "Healthcheck" (Docker's
 * HealthConfig: Test, Interval, Timeout, StartPeriod, Retries, the times
 * in nanoseconds), "HealthcheckOnFailureAction" (kill, restart or stop;
 * absent: none), "HealthLogDestination" (events_logger or a directory;
 * absent: local), "HealthcheckMaxLogCount" and "HealthcheckMaxLogSize"
 * (absent: 5 and 500).  It comes from run/create's --health-* flags, or
 * else from a Docker-format image's HEALTHCHECK.
 *
 * `healthcheck run` runs it once, through exec, and records the result in
 * the container's health log, a JSON file ({"Status", "FailingStreak",
 * "Log"}) replaced atomically under the container's lock, so a ferry
 * killed at any point leaves the old record or the new one.  Each start
 * begins it again as "starting".  Where systemd is PID 1 a transient
 * timer runs the check every interval, as Podman's; elsewhere nothing
 * does, as with Podman: see ferry-healthcheck-run(1).  */
#ifndef FERRY_ENGINE_HEALTH_H
#define FERRY_ENGINE_HEALTH_H

#include "container.h"
#include "../image/store.h"

#include <json-c/json.h>
#include <stdint.h>

#define FERRY_HEALTH_DEFAULT_INTERVAL_NS 30000000000LL
#define FERRY_HEALTH_DEFAULT_TIMEOUT_NS 30000000000LL
#define FERRY_HEALTH_DEFAULT_RETRIES 3
#define FERRY_HEALTH_DEFAULT_MAX_LOG_COUNT 5
#define FERRY_HEALTH_DEFAULT_MAX_LOG_SIZE 500

/* run/create's flags, as typed (NULL: not given); the numbers are parsed
 * by the caller (*_set: given).  */
struct ferry_health_options
{
  const char *cmd; /* a command for /bin/sh -c, a JSON array, or "none" */
  const char *interval;
  const char *timeout;
  const char *start_period;
  uint64_t retries;
  int retries_set;
  const char *on_failure; /* none, kill, restart or stop */
  const char *log_destination;
  uint64_t max_log_count;
  int max_log_count_set;
  uint64_t max_log_size;
  int max_log_size_set;
  int no_healthcheck;
  /* --health-startup-*: the command, interval and timeout as typed, the
   * retries and successes parsed (0: not given).  */
  const char *startup_cmd;
  const char *startup_interval;
  const char *startup_timeout;
  uint64_t startup_retries;
  uint64_t startup_successes;
  /* For update: the two above were given (create takes 0 as not given).  */
  int startup_retries_set;
  int startup_successes_set;
};

/* Puts the health check of O, else of IMG (a Docker-format image's),
 * into REC; Podman's errors for bad flags.  */
int ferry_health_record (const struct ferry_health_options *o, const struct ferry_image *img,
                         json_object *rec, ferry_error_t *err);

/* update's --health-* flags and --no-healthcheck into REC, as Podman's
 * update: each check (the regular one, then the startup one) is made
 * again from its current settings with the given flags over them (a
 * check's Test joined at spaces and read as --health-cmd reads it, as
 * Podman reads it back), so Podman's errors come where Podman's come; a
 * check none of whose flags is given stays as it is.  --no-healthcheck
 * makes the regular check NONE and drops the startup one.  The log
 * destination, its limits and the on-failure action are set when given
 * (the action needs no check, as with Podman).  *CHECK_CHANGED: a
 * check was made again, so that its timer must be too.  */
int ferry_health_update_record (const struct ferry_health_options *o, json_object *rec, int *check_changed,
                                ferry_error_t *err);

/* For a record read from an archive: NULL when REC's health fields are
 * sound, else the name of the first bad one, and *WHY what is wrong.  */
const char *ferry_health_record_problem (json_object *rec, const char **why);

/* True when C has a check to run (a Test other than NONE).  */
int ferry_container_has_healthcheck (const struct ferry_container *c);

/* .State.Health of inspect: {"Status", "FailingStreak", "Log"}, Status ""
 * before the first start; NULL without a check.  */
json_object *ferry_container_health_json (ferry_engine_t *e, const struct ferry_container *c);
/* Its status ("starting", "healthy", "unhealthy", "" before the first
 * start or without a check), as `ps` shows it; never NULL.  */
char *ferry_container_health_status (ferry_engine_t *e, const struct ferry_container *c);

/* Begins C's health log again, "starting", as each start does; a
 * container without a check has none.  */
int ferry_container_health_reset (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err);

/* Where systemd is PID 1 and C's check has an interval, a transient
 * systemd timer runs `ferry healthcheck run` every interval, as Podman's
 * (systemd-run, unit ID-XXXXXXXX), from each start until the container's
 * teardown stops it; elsewhere nothing.  */
int ferry_container_health_timer_start (ferry_engine_t *e, const struct ferry_container *c,
                                        ferry_error_t *err);
void ferry_container_health_timer_stop (ferry_engine_t *e, const char *id);

/* The outcome of one check, as `healthcheck run` tells it.  */
enum ferry_health_outcome
{
  FERRY_HEALTH_PASSED,   /* the command exited 0 */
  FERRY_HEALTH_FAILED,   /* it did not, or could not run: "unhealthy" */
  FERRY_HEALTH_STARTING, /* the startup check did not pass: "starting" */
};

/* Runs REF's check once, records it, reports a health_status event and
 * takes the container's --health-on-failure action once it is unhealthy.
 * Not running, no check: kind STATE, Podman's messages.  A check that ran
 * past its timeout is recorded as failed (exit code -1) and is an error,
 * as Podman's.  */
struct ferry_health_report
{
  enum ferry_health_outcome outcome;
  /* The container stopped (--health-on-failure stop or restart, or a
   * failed startup check's restart): how, for the warning stop gives.  */
  int stopped;
  struct ferry_stop_report stop;
  char name[256]; /* the container's name, for that warning */
};
int ferry_container_healthcheck_run (ferry_engine_t *e, const char *ref, struct ferry_health_report *out,
                                     ferry_error_t *err);

#endif
