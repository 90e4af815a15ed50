/* ferry: health checks (health.h).  */
#include "health.h"
#include "internal.h"
#include "../image/media.h"
#include "../state/events.h"
#include "../state/lock.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

/* What a health log may hold before ferry stops reading it, and the most
 * of a check's output it keeps when --health-max-log-size is 0 (no limit
 * in Podman; a bound here, so that a runaway check cannot fill the log).  */
#define HEALTH_LOG_MAX_FILE (64 * 1024 * 1024)
#define HEALTH_OUTPUT_MAX (1024 * 1024)

static const char *const ON_FAILURE_ACTIONS[] = { "none", "kill", "restart", "stop", NULL };

/* ---- the check's configuration ------------------------------------------ */

static json_object *
strings_json (char **v, size_t n)
{
  json_object *a = json_object_new_array ();

  for (size_t i = 0; i < n; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

/* TEXT as a JSON array of strings, as Go's json.Unmarshal into []string
 * takes it (the whole text, spaces around it allowed); NULL when it is not
 * one.  */
static json_object *
json_string_array (const char *text)
{
  json_tokener *tok = json_tokener_new ();
  json_object *v;
  int ok;
  size_t len = strlen (text), end;

  /* With its NUL, so that a bare word ends where the text does.  */
  v = json_tokener_parse_ex (tok, text, (int) len + 1);
  ok = json_tokener_get_error (tok) == json_tokener_success;
  end = ok ? json_tokener_get_parse_end (tok) : 0;
  if (end > len)
    end = len;
  json_tokener_free (tok);
  if (! ok || text[end + strspn (text + end, " \t\r\n")] != '\0')
    {
      json_object_put (v);
      return NULL;
    }
  /* null unmarshals into an empty list.  */
  if (v == NULL)
    return json_object_new_array ();
  if (! json_object_is_type (v, json_type_array))
    {
      json_object_put (v);
      return NULL;
    }
  for (size_t i = 0; i < json_object_array_length (v); i++)
    if (ferry_json_string_value (json_object_array_get_idx (v, i)) == NULL)
      {
        json_object_put (v);
        return NULL;
      }
  return v;
}

/* The words of S split at runs of white space, as Go's strings.Fields.  */
static json_object *
fields_json (const char *s)
{
  json_object *a = json_object_new_array ();

  while (*s)
    {
      size_t n;

      s += strspn (s, " \t\n\v\f\r");
      n = strcspn (s, " \t\n\v\f\r");
      if (n)
        json_object_array_add (a, json_object_new_string_len (s, (int) n));
      s += n;
    }
  return a;
}

/* --health-cmd into the check's Test, as Podman reads it: a JSON array of
 * several words runs them (CMD), anything else goes to /bin/sh -c
 * (CMD-SHELL), and a text starting with CMD or NONE is split at spaces;
 * "none" disables the image's check.  */
static json_object *
health_test (const char *cmd, ferry_error_t *err)
{
  cleanup_json json_object *arr = json_string_array (cmd);
  cleanup_json json_object *words = NULL;
  json_object *first;
  const char *w0;
  int is_array = arr != NULL;

  if (arr == NULL)
    {
      const char *space = strchr (cmd, ' ');
      arr = json_object_new_array ();
      json_object_array_add (arr, space ? json_object_new_string_len (cmd, (int) (space - cmd))
                                        : json_object_new_string (cmd));
      if (space)
        json_object_array_add (arr, json_object_new_string (space + 1));
    }
  if (json_object_array_length (arr) == 0)
    {
      ferry_make_error (err, 0, "must define a healthcheck command for all healthchecks");
      return NULL;
    }
  first = json_object_array_get_idx (arr, 0);
  w0 = json_object_get_string (first);
  if (strcasecmp (w0, "CMD") == 0 || strcasecmp (w0, "NONE") == 0)
    words = fields_json (cmd);
  else if (strcasecmp (w0, "CMD-SHELL") == 0)
    words = json_object_get (arr);
  else if (is_array && json_object_array_length (arr) > 1)
    {
      words = json_object_new_array ();
      json_object_array_add (words, json_object_new_string ("CMD"));
      for (size_t i = 0; i < json_object_array_length (arr); i++)
        json_object_array_add (words, json_object_get (json_object_array_get_idx (arr, i)));
    }
  else
    {
      /* One command line for the shell: the words joined again.  */
      char *line = xstrdup ("");
      for (size_t i = 0; i < json_object_array_length (arr); i++)
        {
          char *next = xasprintf ("%s%s%s", line, i ? " " : "",
                                  json_object_get_string (json_object_array_get_idx (arr, i)));
          free (line);
          line = next;
        }
      words = json_object_new_array ();
      json_object_array_add (words, json_object_new_string ("CMD-SHELL"));
      json_object_array_add (words, json_object_new_string (line));
      free (line);
    }
  if (json_object_array_length (words) > 0
      && strcasecmp (json_object_get_string (json_object_array_get_idx (words, 0)), "NONE") == 0)
    {
      json_object_put (words);
      words = strings_json ((char *[]){ (char *) "NONE" }, 1);
    }
  return json_object_get (words);
}

static int
duration_flag (const char *flag, const char *value, int64_t *out, ferry_error_t *err)
{
  if (ferry_duration_parse (value, out) < 0)
    return ferry_make_error (err, 0, "invalid %s: time: invalid duration \"%s\"", flag, value);
  return 0;
}

/* A Docker HealthConfig from the flags; its zero times are left out, as
 * Go's omitempty leaves them.  */
/* The flags of one check, the regular one or the startup one.  */
struct check_flags
{
  const char *cmd, *interval, *timeout, *start_period;
  uint64_t retries;
  int startup;
};

static json_object *
health_config_from_flags (const struct check_flags *o, ferry_error_t *err)
{
  cleanup_json json_object *hc = json_object_new_object ();
  json_object *test;
  int64_t interval = FERRY_HEALTH_DEFAULT_INTERVAL_NS, timeout = FERRY_HEALTH_DEFAULT_TIMEOUT_NS, start = 0;

  test = health_test (o->cmd, err);
  if (test == NULL)
    return NULL;
  json_object_object_add (hc, "Test", test);
  if (o->interval && strcmp (o->interval, "disable") == 0)
    interval = 0;
  else if (o->interval && duration_flag ("healthcheck-interval", o->interval, &interval, err) < 0)
    return NULL;
  /* A startup check may fail forever: 0 retries.  */
  if (o->retries < 1 && ! o->startup)
    {
      ferry_make_error (err, 0, "healthcheck-retries must be greater than 0");
      return NULL;
    }
  if (o->timeout && duration_flag ("healthcheck-timeout", o->timeout, &timeout, err) < 0)
    return NULL;
  if (timeout < 1)
    {
      ferry_make_error (err, 0, "healthcheck-timeout must be at least 1 second");
      return NULL;
    }
  if (o->start_period && duration_flag ("healthcheck-start-period", o->start_period, &start, err) < 0)
    return NULL;
  if (start < 0)
    {
      ferry_make_error (err, 0, "healthcheck-start-period must be 0 seconds or greater");
      return NULL;
    }
  if (start)
    json_object_object_add (hc, "StartPeriod", json_object_new_int64 (start));
  if (interval)
    json_object_object_add (hc, "Interval", json_object_new_int64 (interval));
  json_object_object_add (hc, "Timeout", json_object_new_int64 (timeout));
  if (o->retries)
    json_object_object_add (hc, "Retries",
                            o->retries > INT64_MAX ? json_object_new_uint64 (o->retries)
                                                   : json_object_new_int64 ((int64_t) o->retries));
  return json_object_get (hc);
}

/* --health-startup-*: a check that runs until it has passed
 * --health-startup-success times in a row, and restarts the container
 * after --health-startup-retries failures; then the regular one.  */
static int
record_startup_check (const struct ferry_health_options *o, json_object *hc, json_object *rec,
                      ferry_error_t *err)
{
  struct check_flags f = {
    .cmd = o->startup_cmd,
    .interval = o->startup_interval,
    .timeout = o->startup_timeout,
    .retries = o->startup_retries,
    .startup = 1,
  };
  json_object *startup;

  if (o->startup_cmd == NULL || *o->startup_cmd == '\0')
    return 0;
  if (o->no_healthcheck)
    return ferry_make_error (err, 0, "cannot specify both --no-healthcheck and --health-startup-cmd");
  if (hc == NULL)
    return ferry_make_error (err, 0,
                             "cannot set a startup healthcheck when there is no regular healthcheck: invalid "
                             "argument");
  startup = health_config_from_flags (&f, err);
  if (startup == NULL)
    return -1;
  if (o->startup_successes)
    json_object_object_add (startup, "Successes",
                            o->startup_successes > INT64_MAX
                                ? json_object_new_uint64 (o->startup_successes)
                                : json_object_new_int64 ((int64_t) o->startup_successes));
  json_object_object_add (rec, "StartupHealthCheck", startup);
  return 0;
}

/* A Docker image's HEALTHCHECK: only an image in Docker's format has one,
 * as Podman reads it (an OCI image config has no such field, and Podman
 * ignores one there), from container_config first, then config.  NULL
 * when it has none; an error when it is malformed.  */
static int
image_health_config (const struct ferry_image *img, json_object **out, ferry_error_t *err)
{
  cleanup_json json_object *manifest = NULL;
  json_object *hc, *fixed;

  *out = NULL;
  if (img == NULL || img->manifest == NULL)
    return 0;
  manifest = json_tokener_parse (img->manifest);
  if (! ferry_json_string_equals (manifest, "mediaType", FERRY_MEDIA_DOCKER_MANIFEST))
    return 0;
  hc = ferry_json_get_object (ferry_json_get_object (img->config, "container_config"), "Healthcheck");
  if (hc == NULL)
    hc = ferry_json_get_object (ferry_json_get_object (img->config, "config"), "Healthcheck");
  if (hc == NULL)
    return 0;
  {
    json_object *test = ferry_json_get_array (hc, "Test");
    static const char *const times[] = { "StartPeriod", "Interval", "Timeout", "Retries" };

    for (size_t i = 0; i < ferry_json_array_length (test); i++)
      if (ferry_json_string_value (json_object_array_get_idx (test, i)) == NULL)
        test = NULL;
    for (size_t i = 0; i < 4; i++)
      {
        json_object *v = json_object_object_get (hc, times[i]);
        if (v && (! json_object_is_type (v, json_type_int) || json_object_get_int64 (v) < 0))
          test = NULL;
      }
    if (test == NULL || json_object_array_length (test) == 0)
      return ferry_make_error (err, 0,
                               "image %s has an invalid Healthcheck in its config: override it with "
                               "--health-cmd or --no-healthcheck",
                               img->id);
    fixed = json_object_new_object ();
    json_object_object_add (fixed, "Test", json_object_get (test));
  }
  {
    int64_t start = ferry_json_get_int (hc, "StartPeriod", 0);
    int64_t interval = ferry_json_get_int (hc, "Interval", 0);
    int64_t timeout = ferry_json_get_int (hc, "Timeout", 0);
    int64_t retries = ferry_json_get_int (hc, "Retries", 0);

    /* Podman gives the image's check its default times when it has none.  */
    if (start)
      json_object_object_add (fixed, "StartPeriod", json_object_new_int64 (start));
    json_object_object_add (fixed, "Interval",
                            json_object_new_int64 (interval ? interval : FERRY_HEALTH_DEFAULT_INTERVAL_NS));
    json_object_object_add (fixed, "Timeout",
                            json_object_new_int64 (timeout ? timeout : FERRY_HEALTH_DEFAULT_TIMEOUT_NS));
    if (retries)
      json_object_object_add (fixed, "Retries", json_object_new_int64 (retries));
  }
  *out = fixed;
  return 0;
}

static int
record_log_destination (const char *dest, json_object *rec, ferry_error_t *err)
{
  cleanup_free char *real = NULL;
  struct stat st;

  if (dest == NULL || strcmp (dest, "local") == 0)
    return 0;
  if (strcmp (dest, "events_logger") == 0)
    {
      json_object_object_add (rec, "HealthLogDestination", json_object_new_string (dest));
      return 0;
    }
  if (stat (dest, &st) < 0)
    {
      /* As Go words it: "no such file or directory".  */
      cleanup_free char *why = xstrdup (strerror (errno));
      why[0] = (char) tolower ((unsigned char) why[0]);
      return ferry_make_error (err, 0,
                               "running container create option: HealthCheck Log '%s' destination error: "
                               "stat %s: %s",
                               dest, dest, why);
    }
  if (! S_ISDIR (st.st_mode) || (real = realpath (dest, NULL)) == NULL || strchr (real, '\n'))
    return ferry_make_error (err, 0,
                             "running container create option: HealthCheck Log '%s' destination error: not a "
                             "directory: give local, events_logger or a directory",
                             dest);
  json_object_object_add (rec, "HealthLogDestination", json_object_new_string (real));
  return 0;
}

int
ferry_health_record (const struct ferry_health_options *o, const struct ferry_image *img, json_object *rec,
                     ferry_error_t *err)
{
  json_object *hc = NULL;
  size_t i;

  for (i = 0; o->on_failure && ON_FAILURE_ACTIONS[i] && strcmp (ON_FAILURE_ACTIONS[i], o->on_failure); i++)
    ;
  if (o->on_failure && *o->on_failure && ON_FAILURE_ACTIONS[i] == NULL)
    return ferry_make_error (err, 0,
                             "invalid on-failure action \"%s\" for health check: supported actions are "
                             "none,kill,restart,stop",
                             o->on_failure);
  if (o->cmd && *o->cmd)
    {
      if (o->no_healthcheck)
        return ferry_make_error (err, 0, "cannot specify both --no-healthcheck and --health-cmd");
      struct check_flags f = {
        .cmd = o->cmd,
        .interval = o->interval,
        .timeout = o->timeout,
        .start_period = o->start_period,
        .retries = o->retries_set ? o->retries : FERRY_HEALTH_DEFAULT_RETRIES,
      };
      hc = health_config_from_flags (&f, err);
      if (hc == NULL)
        return -1;
    }
  else if (o->no_healthcheck)
    {
      hc = json_object_new_object ();
      json_object_object_add (hc, "Test", strings_json ((char *[]){ (char *) "NONE" }, 1));
    }
  else if (image_health_config (img, &hc, err) < 0)
    return -1;
  if (o->on_failure && *o->on_failure && strcmp (o->on_failure, "none") != 0)
    {
      if (hc == NULL)
        {
          return ferry_make_error (err, 0, "cannot set on-failure action to %s without a health check",
                                   o->on_failure);
        }
      json_object_object_add (rec, "HealthcheckOnFailureAction", json_object_new_string (o->on_failure));
    }
  if (record_startup_check (o, hc, rec, err) < 0)
    {
      json_object_put (hc);
      return -1;
    }
  if (hc)
    json_object_object_add (rec, "Healthcheck", hc);
  if (record_log_destination (o->log_destination, rec, err) < 0)
    return -1;
  if (o->max_log_count_set && o->max_log_count != FERRY_HEALTH_DEFAULT_MAX_LOG_COUNT)
    json_object_object_add (rec, "HealthcheckMaxLogCount", json_object_new_uint64 (o->max_log_count));
  if (o->max_log_size_set && o->max_log_size != FERRY_HEALTH_DEFAULT_MAX_LOG_SIZE)
    json_object_object_add (rec, "HealthcheckMaxLogSize", json_object_new_uint64 (o->max_log_size));
  return 0;
}

/* ---- update's changes ----------------------------------------------------- */

/* TEST's words joined at spaces, as Podman hands a check back to the
 * parser of --health-cmd.  */
static char *
test_joined (json_object *test)
{
  char *line = xstrdup ("");

  for (size_t i = 0; i < ferry_json_array_length (test); i++)
    {
      const char *w = ferry_json_string_value (json_object_array_get_idx (test, i));
      char *next = xasprintf ("%s%s%s", line, i ? " " : "", w ? w : "");
      free (line);
      line = next;
    }
  return line;
}

/* One check's settings: its current ones, or Podman's defaults.  */
struct check_values
{
  char *cmd;
  int64_t interval, timeout, start;
  uint64_t retries, successes;
};

static json_object *
uint_json (uint64_t v)
{
  return v > INT64_MAX ? json_object_new_uint64 (v) : json_object_new_int64 ((int64_t) v);
}

/* The check KEY of REC made again with O's flags over its settings, into
 * *OUT (NULL: drop it), as Podman's update; *CHANGED when a flag of it
 * was given (else REC's check stays as it is).  */
static int
updated_check (const struct ferry_health_options *o, json_object *rec, int startup, json_object **out,
               int *changed, ferry_error_t *err)
{
  json_object *orig = ferry_json_get_object (rec, startup ? "StartupHealthCheck" : "Healthcheck");
  const char *cmd = startup ? o->startup_cmd : o->cmd;
  const char *interval = startup ? o->startup_interval : o->interval;
  const char *timeout = startup ? o->startup_timeout : o->timeout;
  const char *start = startup ? NULL : o->start_period;
  int retries_set = startup ? o->startup_retries_set : o->retries_set;
  int others = interval || timeout || start || retries_set || (startup && o->startup_successes_set);
  struct check_values v = {
    .interval = FERRY_HEALTH_DEFAULT_INTERVAL_NS,
    .timeout = FERRY_HEALTH_DEFAULT_TIMEOUT_NS,
    .retries = startup ? 0 : FERRY_HEALTH_DEFAULT_RETRIES,
  };
  cleanup_free char *joined = NULL;
  cleanup_json json_object *hc = NULL;
  json_object *test;

  *out = NULL;
  *changed = cmd != NULL || others;
  /* Podman's words, for either check.  */
  if (orig == NULL && cmd == NULL && others)
    return ferry_make_error (err, 0, "startup healthcheck command is not set");
  if (o->no_healthcheck && *changed)
    return ferry_make_error (err, 0, "cannot specify both --no-healthcheck and other HealthCheck flags");
  if (o->no_healthcheck)
    {
      *changed = 1;
      if (! startup)
        {
          *out = json_object_new_object ();
          json_object_object_add (*out, "Test", strings_json ((char *[]){ (char *) "NONE" }, 1));
        }
      return 0;
    }
  if (! *changed)
    return 0;
  if (orig)
    {
      joined = test_joined (ferry_json_get_array (orig, "Test"));
      v.interval = ferry_json_get_int (orig, "Interval", 0);
      v.timeout = ferry_json_get_int (orig, "Timeout", 0);
      v.start = ferry_json_get_int (orig, "StartPeriod", 0);
      v.retries = (uint64_t) ferry_json_get_int (orig, "Retries", 0);
      v.successes = (uint64_t) ferry_json_get_int (orig, "Successes", 0);
    }
  v.cmd = cmd ? (char *) cmd : joined ? joined : (char *) "";
  /* In the order Podman reads them.  */
  test = health_test (v.cmd, err);
  if (test == NULL)
    return -1;
  hc = json_object_new_object ();
  json_object_object_add (hc, "Test", test);
  if (interval && strcmp (interval, "disable") == 0)
    v.interval = 0;
  else if (interval && duration_flag ("healthcheck-interval", interval, &v.interval, err) < 0)
    return -1;
  if (retries_set)
    v.retries = startup ? o->startup_retries : o->retries;
  if (timeout && duration_flag ("healthcheck-timeout", timeout, &v.timeout, err) < 0)
    return -1;
  if (v.timeout < 1)
    return ferry_make_error (err, 0, "healthcheck-timeout must be at least 1 second");
  if (start && duration_flag ("healthcheck-start-period", start, &v.start, err) < 0)
    return -1;
  if (v.start < 0)
    return ferry_make_error (err, 0, "healthcheck-start-period must be 0 seconds or greater");
  /* Podman gives a startup check made by update a start period of 1s.  */
  if (startup)
    v.start = 1000000000LL;
  if (startup && o->startup_successes_set)
    v.successes = o->startup_successes;
  if (v.start)
    json_object_object_add (hc, "StartPeriod", json_object_new_int64 (v.start));
  if (v.interval)
    json_object_object_add (hc, "Interval", json_object_new_int64 (v.interval));
  json_object_object_add (hc, "Timeout", json_object_new_int64 (v.timeout));
  if (v.retries)
    json_object_object_add (hc, "Retries", uint_json (v.retries));
  if (startup && v.successes)
    json_object_object_add (hc, "Successes", uint_json (v.successes));
  *out = steal_pointer (&hc);
  return 0;
}

static int
update_log_destination (const char *dest, json_object *rec, ferry_error_t *err)
{
  cleanup_free char *real = NULL;
  struct stat st;

  if (strcmp (dest, "local") == 0)
    {
      json_object_object_del (rec, "HealthLogDestination");
      return 0;
    }
  if (strcmp (dest, "events_logger") == 0)
    {
      json_object_object_add (rec, "HealthLogDestination", json_object_new_string (dest));
      return 0;
    }
  if (stat (dest, &st) < 0)
    {
      cleanup_free char *why = xstrdup (strerror (errno));
      why[0] = (char) tolower ((unsigned char) why[0]);
      return ferry_make_error (err, 0, "HealthCheck Log '%s' destination error: stat %s: %s", dest, dest,
                               why);
    }
  if (! S_ISDIR (st.st_mode) || (real = realpath (dest, NULL)) == NULL || strchr (real, '\n'))
    return ferry_make_error (err, 0, "HealthCheck Log '%s' destination must be directory", dest);
  json_object_object_add (rec, "HealthLogDestination", json_object_new_string (real));
  return 0;
}

static void
set_count (json_object *rec, const char *key, uint64_t v, uint64_t def)
{
  if (v == def)
    json_object_object_del (rec, key);
  else
    json_object_object_add (rec, key, json_object_new_uint64 (v));
}

int
ferry_health_update_record (const struct ferry_health_options *o, json_object *rec, int *check_changed,
                            ferry_error_t *err)
{
  json_object *hc = NULL, *startup = NULL;
  int changed = 0, startup_changed = 0;
  size_t i;

  *check_changed = 0;
  if (updated_check (o, rec, 0, &hc, &changed, err) < 0)
    return -1;
  if (updated_check (o, rec, 1, &startup, &startup_changed, err) < 0)
    {
      json_object_put (hc);
      return -1;
    }
  /* Taken only once both are sound: REC is the caller's copy, but a
   * half-changed one is no use to anyone.  */
  if (changed)
    json_object_object_add (rec, "Healthcheck", hc);
  if (startup_changed && startup)
    json_object_object_add (rec, "StartupHealthCheck", startup);
  else if (startup_changed)
    json_object_object_del (rec, "StartupHealthCheck");
  *check_changed = changed || startup_changed;
  if (o->log_destination && update_log_destination (o->log_destination, rec, err) < 0)
    return -1;
  if (o->max_log_size_set)
    set_count (rec, "HealthcheckMaxLogSize", o->max_log_size, FERRY_HEALTH_DEFAULT_MAX_LOG_SIZE);
  if (o->max_log_count_set)
    set_count (rec, "HealthcheckMaxLogCount", o->max_log_count, FERRY_HEALTH_DEFAULT_MAX_LOG_COUNT);
  if (o->on_failure == NULL)
    return 0;
  for (i = 0; ON_FAILURE_ACTIONS[i] && strcmp (ON_FAILURE_ACTIONS[i], o->on_failure); i++)
    ;
  if (*o->on_failure && ON_FAILURE_ACTIONS[i] == NULL)
    return ferry_make_error (err, 0,
                             "invalid on-failure action \"%s\" for health check: supported actions are "
                             "none,kill,restart,stop",
                             o->on_failure);
  if (*o->on_failure == '\0' || strcmp (o->on_failure, "none") == 0)
    json_object_object_del (rec, "HealthcheckOnFailureAction");
  else
    json_object_object_add (rec, "HealthcheckOnFailureAction", json_object_new_string (o->on_failure));
  return 0;
}

static int
is_count (json_object *v)
{
  return json_object_is_type (v, json_type_int)
         && (json_object_get_int64 (v) >= 0 || json_object_get_uint64 (v) > (uint64_t) INT64_MAX);
}

const char *
ferry_health_record_problem (json_object *rec, const char **why)
{
  json_object *hc = json_object_object_get (rec, "Healthcheck"), *v;
  const char *s;
  size_t i;

  if (hc)
    {
      static const char *const keys[] = { "Test", "StartPeriod", "Interval", "Timeout", "Retries", NULL };
      json_object *test = json_object_object_get (hc, "Test");

      if (! json_object_is_type (hc, json_type_object))
        return *why = "must be an object", "Healthcheck";
      json_object_object_foreach (hc, key, val)
      {
        (void) val;
        for (i = 0; keys[i] && strcmp (keys[i], key); i++)
          ;
        if (keys[i] == NULL)
          return *why = "has a member this ferry does not know", "Healthcheck";
      }
      if (! json_object_is_type (test, json_type_array) || json_object_array_length (test) == 0)
        return *why = "must have a Test of one or more strings", "Healthcheck";
      for (i = 0; i < json_object_array_length (test); i++)
        if (ferry_json_string_value (json_object_array_get_idx (test, i)) == NULL)
          return *why = "must have a Test of strings", "Healthcheck";
      for (i = 1; keys[i]; i++)
        if ((v = json_object_object_get (hc, keys[i])) && ! json_object_is_type (v, json_type_int))
          return *why = "must have whole numbers for its times and retries", "Healthcheck";
      if (ferry_json_get_int (hc, "StartPeriod", 0) < 0 || ferry_json_get_int (hc, "Timeout", 0) < 0
          || ((v = json_object_object_get (hc, "Retries")) && ! is_count (v)))
        return *why = "has a negative time or retry count", "Healthcheck";
    }
  if ((v = json_object_object_get (rec, "StartupHealthCheck")))
    {
      /* StartPeriod: update gives a startup check one, as Podman's.  */
      static const char *const keys[]
          = { "Test", "StartPeriod", "Interval", "Timeout", "Retries", "Successes", NULL };
      json_object *test = json_object_object_get (v, "Test");

      if (! json_object_is_type (v, json_type_object))
        return *why = "must be an object", "StartupHealthCheck";
      if (hc == NULL)
        return *why = "comes without a Healthcheck", "StartupHealthCheck";
      json_object_object_foreach (v, key, val)
      {
        (void) val;
        for (i = 0; keys[i] && strcmp (keys[i], key); i++)
          ;
        if (keys[i] == NULL || (i > 0 && ! json_object_is_type (val, json_type_int)))
          return *why = "has a member this ferry does not know or one that is no whole number",
                 "StartupHealthCheck";
      }
      if (! json_object_is_type (test, json_type_array) || json_object_array_length (test) == 0)
        return *why = "must have a Test of one or more strings", "StartupHealthCheck";
      for (i = 0; i < json_object_array_length (test); i++)
        if (ferry_json_string_value (json_object_array_get_idx (test, i)) == NULL)
          return *why = "must have a Test of strings", "StartupHealthCheck";
      if (ferry_json_get_int (v, "Timeout", 0) < 0 || ferry_json_get_int (v, "Retries", 0) < 0
          || ferry_json_get_int (v, "Successes", 0) < 0 || ferry_json_get_int (v, "StartPeriod", 0) < 0)
        return *why = "has a negative time or count", "StartupHealthCheck";
    }
  if ((v = json_object_object_get (rec, "HealthcheckOnFailureAction")))
    {
      s = ferry_json_string_value (v);
      for (i = 1; s && ON_FAILURE_ACTIONS[i] && strcmp (ON_FAILURE_ACTIONS[i], s); i++)
        ;
      if (s == NULL || ON_FAILURE_ACTIONS[i] == NULL)
        return *why = "must be kill, restart or stop", "HealthcheckOnFailureAction";
      /* Without a check it does nothing; update sets it so, as Podman's.  */
    }
  if ((v = json_object_object_get (rec, "HealthLogDestination")))
    {
      s = ferry_json_string_value (v);
      if (s == NULL
          || (strcmp (s, "events_logger") != 0
              && (s[0] != '/' || strchr (s, '\n') || (s[1] && ! ferry_path_is_clean_relative (s + 1)))))
        return *why = "must be events_logger or an absolute clean path", "HealthLogDestination";
    }
  if ((v = json_object_object_get (rec, "HealthcheckMaxLogCount")) && ! is_count (v))
    return *why = "must be a whole number of 0 or more", "HealthcheckMaxLogCount";
  if ((v = json_object_object_get (rec, "HealthcheckMaxLogSize")) && ! is_count (v))
    return *why = "must be a whole number of 0 or more", "HealthcheckMaxLogSize";
  return NULL;
}

int
ferry_container_has_healthcheck (const struct ferry_container *c)
{
  json_object *test = ferry_json_get_array (ferry_json_get_object (c->record, "Healthcheck"), "Test");
  const char *first;

  if (ferry_json_array_length (test) == 0)
    return 0;
  first = ferry_json_string_value (json_object_array_get_idx (test, 0));
  return first && strcmp (first, "NONE") != 0;
}

/* ---- the health log -------------------------------------------------------- */

static char *
health_log_path (ferry_engine_t *e, const struct ferry_container *c)
{
  const char *dest = ferry_json_get_string (c->record, "HealthLogDestination");

  if (dest && strcmp (dest, "events_logger") != 0)
    return xasprintf ("%s/%s-healthcheck.log", dest, c->id);
  {
    cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
    return xasprintf ("%s/healthcheck.log", cdir);
  }
}

/* The startup check's state, kept in the log (which each start begins
 * again, as Podman's start resets it), and left out of inspect's view.  */
static const char *const STARTUP_KEYS[] = { "StartupPassed", "StartupSuccesses", "StartupFailures", NULL };

/* The log as recorded, or a new one (Status "") when there is none or it
 * cannot be read: {"Status", "FailingStreak", "Log"}, always those three
 * of the right types, and the startup check's whole numbers.  */
static json_object *
health_log_read (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_free char *path = health_log_path (e, c);
  cleanup_free char *text = NULL;
  cleanup_json json_object *v = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  json_object *out = json_object_new_object (), *log;
  struct stat st;
  size_t len = 0;

  if (stat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size <= HEALTH_LOG_MAX_FILE
      && ferry_read_file (path, &text, &len, &ignored) == 0)
    v = ferry_json_parse (text, len, "health log", &ignored);
  json_object_object_add (out, "Status", json_object_new_string (ferry_json_get_string (v, "Status") ?: ""));
  json_object_object_add (out, "FailingStreak",
                          json_object_new_int64 (ferry_json_get_int (v, "FailingStreak", 0)));
  log = ferry_json_get_array (v, "Log");
  json_object_object_add (out, "Log", log ? json_object_get (log) : NULL);
  for (size_t i = 0; STARTUP_KEYS[i]; i++)
    if (ferry_json_get_int (v, STARTUP_KEYS[i], 0) > 0)
      json_object_object_add (out, STARTUP_KEYS[i],
                              json_object_new_int64 (ferry_json_get_int (v, STARTUP_KEYS[i], 0)));
  return out;
}

static int
health_log_write (ferry_engine_t *e, const struct ferry_container *c, json_object *log, ferry_error_t *err)
{
  cleanup_free char *path = health_log_path (e, c);
  const char *text = ferry_json_to_string (log, 0);

  /* Writers hold the container's lock, as the caller.  */
  ferry_remove_stale_temporaries (path);

  if (ferry_write_file_atomic (path, text, strlen (text), 0600, err) < 0)
    return ferry_error_wrap (err, "unable to update health check log %s for %s", path, c->id);
  return 0;
}

json_object *
ferry_container_health_json (ferry_engine_t *e, const struct ferry_container *c)
{
  json_object *log;

  if (! ferry_container_has_healthcheck (c))
    return NULL;
  log = health_log_read (e, c);
  for (size_t i = 0; STARTUP_KEYS[i]; i++)
    json_object_object_del (log, STARTUP_KEYS[i]);
  return log;
}

char *
ferry_container_health_status (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_json json_object *log = ferry_container_health_json (e, c);

  return xstrdup (ferry_json_get_string (log, "Status") ?: "");
}

int
ferry_container_health_reset (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err)
{
  cleanup_json json_object *log = NULL;

  if (! ferry_container_has_healthcheck (c))
    return 0;
  log = json_object_new_object ();
  json_object_object_add (log, "Status", json_object_new_string ("starting"));
  json_object_object_add (log, "FailingStreak", json_object_new_int (0));
  json_object_object_add (log, "Log", NULL);
  return health_log_write (e, c, log, err);
}

/* ---- systemd's timers ------------------------------------------------------ */

extern char **environ;

/* Where Podman makes timers: only where systemd is PID 1.  */
static int
systemd_is_init (void)
{
  cleanup_free char *comm = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  size_t len = 0;

  if (ferry_read_file ("/proc/1/comm", &comm, &len, &ignored) < 0)
    return 0;
  return strcmp (comm, "systemd\n") == 0 || strcmp (comm, "systemd") == 0;
}

/* Runs ARGV (found in PATH) with no input or output; its exit status, or
 * -1 when it could not run.  */
static int
run_quietly (char *const argv[])
{
  posix_spawn_file_actions_t fa;
  pid_t pid;
  int status = 0, r;

  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_addopen (&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen (&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen (&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  r = posix_spawnp (&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  if (r != 0)
    return -1;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/* True when this process runs in systemd unit UNIT.  */
static int
in_unit (const char *unit)
{
  cleanup_free char *cgroup = NULL, *needle = xasprintf ("/%s\n", unit);
  cleanup_error ferry_error_t ignored = NULL;
  size_t len = 0;

  return ferry_read_file ("/proc/self/cgroup", &cgroup, &len, &ignored) == 0 && strstr (cgroup, needle);
}

/* The file in C's bundle (gone with its teardown) that names its timer.  */
static char *
timer_file (ferry_engine_t *e, const char *id)
{
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, id);

  return xasprintf ("%s/healthcheck.unit", bundle);
}

int
ferry_container_health_timer_start (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err)
{
  json_object *startup = ferry_json_get_object (c->record, "StartupHealthCheck");
  int64_t interval = ferry_json_get_int (ferry_json_get_object (c->record, "Healthcheck"), "Interval", 0);
  unsigned char rnd[4];
  cleanup_free char *unit = NULL, *service = NULL, *every = NULL, *inactive = NULL, *path_env = NULL;
  cleanup_free char *file = NULL;
  const char *path = getenv ("PATH");
  char *argv[32];
  size_t n = 0;

  if (! ferry_container_has_healthcheck (c) || ! systemd_is_init ())
    return 0;
  /* Until the startup check has passed, its own interval.  */
  if (startup)
    {
      cleanup_json json_object *log = health_log_read (e, c);
      if (ferry_json_get_int (log, "StartupPassed", 0) == 0)
        interval = ferry_json_get_int (startup, "Interval", 0);
    }
  if (interval <= 0)
    return 0;
  {
    cleanup_close int rfd = open ("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (rfd < 0 || read (rfd, rnd, sizeof (rnd)) != (ssize_t) sizeof (rnd))
      return ferry_make_error (err, errno, "cannot read /dev/urandom for the health check's timer");
  }
  /* Podman's names: the container's ID and 8 hex digits.  */
  unit = xasprintf ("%s-%02x%02x%02x%02x", c->id, rnd[0], rnd[1], rnd[2], rnd[3]);
  every = ferry_duration_format (interval);
  inactive = xasprintf ("--on-unit-inactive=%s", every);
  argv[n++] = (char *) "systemd-run";
  argv[n++] = (char *) "--property";
  argv[n++] = (char *) "LogLevelMax=notice";
  if (path && *path)
    argv[n++] = path_env = xasprintf ("--setenv=PATH=%s", path);
  argv[n++] = (char *) "--unit";
  argv[n++] = unit;
  argv[n++] = inactive;
  argv[n++] = (char *) "--timer-property=AccuracySec=1s";
  argv[n++] = e->exe;
  argv[n++] = (char *) "--root";
  argv[n++] = e->root;
  argv[n++] = (char *) "--runroot";
  argv[n++] = e->runroot;
  argv[n++] = (char *) "--runtime";
  argv[n++] = e->runtime.path;
  argv[n++] = (char *) "--events-backend";
  argv[n++] = (char *) ferry_events_backend ();
  argv[n++] = (char *) "healthcheck";
  argv[n++] = (char *) "run";
  argv[n++] = c->id;
  argv[n] = NULL;
  if (run_quietly (argv) != 0)
    return ferry_make_error (err, 0, "cannot make the systemd timer %s.timer of the health check of %s", unit,
                             c->name);
  file = timer_file (e, c->id);
  if (ferry_write_file_atomic (file, unit, strlen (unit), 0600, err) < 0)
    return -1;
  /* The first check now, as Podman starts the unit at once.  */
  service = xasprintf ("%s.service", unit);
  {
    char *const start[] = { (char *) "systemctl", (char *) "start", (char *) "--no-block", service, NULL };
    run_quietly (start);
  }
  return 0;
}

void
ferry_container_health_timer_stop (ferry_engine_t *e, const char *id)
{
  cleanup_free char *file = timer_file (e, id), *unit = NULL, *timer = NULL, *service = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  size_t len = 0;

  if (ferry_read_file (file, &unit, &len, &ignored) < 0 || len == 0 || strlen (unit) != len
      || strchr (unit, '/') || strchr (unit, '\n'))
    return;
  timer = xasprintf ("%s.timer", unit);
  service = xasprintf ("%s.service", unit);
  {
    /* A check that stops its container runs in the service: stopping
     * that would end this very ferry.  */
    int inside = in_unit (service);
    char *const stop[] = { (char *) "systemctl", (char *) "stop", timer, inside ? NULL : service, NULL };
    char *const reset[] = { (char *) "systemctl", (char *) "reset-failed", timer, NULL };
    run_quietly (stop);
    run_quietly (reset);
  }
  unlink (file);
}

/* ---- one check ------------------------------------------------------------ */

/* The command of C's Test (its startup check's with STARTUP), as Podman runs it: CMD's words, CMD-SHELL's
 * joined for /bin/sh -c, any other list as it is; NULL when there is
 * none to run.  */
static char **
health_command (const struct ferry_container *c, int startup)
{
  json_object *test = ferry_json_get_array (
      ferry_json_get_object (c->record, startup ? "StartupHealthCheck" : "Healthcheck"), "Test");
  size_t n = ferry_json_array_length (test), i, k = 0, skip = 0;
  const char *first = n ? json_object_get_string (json_object_array_get_idx (test, 0)) : "";
  char **argv;

  if (n == 0 || *first == '\0' || strcmp (first, "NONE") == 0)
    return NULL;
  if (strcmp (first, "CMD-SHELL") == 0)
    {
      char *line = xstrdup ("");
      for (i = 1; i < n; i++)
        {
          char *next = xasprintf ("%s%s%s", line, i > 1 ? " " : "",
                                  json_object_get_string (json_object_array_get_idx (test, i)));
          free (line);
          line = next;
        }
      argv = xmalloc0 (4 * sizeof (char *));
      argv[0] = xstrdup ("/bin/sh");
      argv[1] = xstrdup ("-c");
      argv[2] = line;
      return argv;
    }
  if (strcmp (first, "CMD") == 0)
    skip = 1;
  if (n == skip || *json_object_get_string (json_object_array_get_idx (test, skip)) == '\0')
    return NULL;
  argv = xmalloc0 ((n + 1) * sizeof (char *));
  for (i = skip; i < n; i++)
    argv[k++] = xstrdup (json_object_get_string (json_object_array_get_idx (test, i)));
  return argv;
}

/* Reads what the check wrote to FD, at most MAX bytes (0: the bound of
 * HEALTH_OUTPUT_MAX).  */
static char *
read_output (int fd, uint64_t max)
{
  size_t cap = max && max < HEALTH_OUTPUT_MAX ? (size_t) max : HEALTH_OUTPUT_MAX, len = 0;
  char *buf = xmalloc (cap + 1);
  ssize_t r;

  while (len < cap && (r = pread (fd, buf + len, cap - len, (off_t) len)) != 0)
    {
      if (r < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      len += (size_t) r;
    }
  buf[len] = '\0';
  /* The log is text: a NUL would end it early.  */
  for (size_t i = 0; i < len; i++)
    if (buf[i] == '\0')
      buf[i] = '?';
  return buf;
}

/* Within the start period: failures do not count.  */
static int
in_start_period (const struct ferry_container *c, const struct timespec *start)
{
  int64_t period = ferry_json_get_int (ferry_json_get_object (c->record, "Healthcheck"), "StartPeriod", 0);
  struct timespec started;

  if (period <= 0 || c->started_at == NULL || ferry_time_parse (c->started_at, &started) < 0)
    return 0;
  return (__int128) start->tv_sec * 1000000000 + start->tv_nsec
         < (__int128) started.tv_sec * 1000000000 + started.tv_nsec + period;
}

static uint64_t
record_count (const struct ferry_container *c, const char *key, uint64_t def)
{
  json_object *v = json_object_object_get (c->record, key);

  return json_object_is_type (v, json_type_int) ? json_object_get_uint64 (v) : def;
}

/* Adds ENTRY to C's log under its lock and works out the new status, as
 * Podman's updateHealthCheckLog; *STATUS and *STREAK get them.  */
static int
record_result (ferry_engine_t *e, const struct ferry_container *c, json_object *entry, int passed,
               int starting, char **status, int64_t *streak, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  cleanup_json json_object *log = NULL;
  json_object *hc = ferry_json_get_object (c->record, "Healthcheck"), *entries, *kept;
  uint64_t max_count = record_count (c, "HealthcheckMaxLogCount", FERRY_HEALTH_DEFAULT_MAX_LOG_COUNT);
  json_object *retries_v = json_object_object_get (hc, "Retries");
  uint64_t retries = json_object_is_type (retries_v, json_type_int) ? json_object_get_uint64 (retries_v) : 0;
  const char *now_status;
  int64_t failing;

  lock = ferry_container_lock (e, c->id, err);
  if (lock < 0)
    return -1;
  log = health_log_read (e, c);
  now_status = ferry_json_get_string (log, "Status");
  failing = ferry_json_get_int (log, "FailingStreak", 0);
  if (passed)
    {
      now_status = "healthy";
      failing = 0;
    }
  else
    {
      if (*now_status == '\0')
        now_status = "healthy";
      if (! starting)
        {
          failing++;
          if ((uint64_t) failing >= retries)
            now_status = "unhealthy";
        }
    }
  *status = xstrdup (now_status);
  *streak = failing;
  json_object_object_add (log, "Status", json_object_new_string (*status));
  json_object_object_add (log, "FailingStreak", json_object_new_int64 (failing));
  entries = ferry_json_get_array (log, "Log");
  kept = json_object_new_array ();
  for (size_t i = 0; i < ferry_json_array_length (entries); i++)
    json_object_array_add (kept, json_object_get (json_object_array_get_idx (entries, i)));
  json_object_array_add (kept, json_object_get (entry));
  /* Podman drops the oldest one entry at a time.  */
  if (max_count != 0 && json_object_array_length (kept) > max_count)
    json_object_array_del_idx (kept, 0, 1);
  json_object_object_add (log, "Log", kept);
  return health_log_write (e, c, log, err);
}

static void
health_event (ferry_engine_t *e, const struct ferry_container *c, const char *status, int64_t streak)
{
  struct ferry_event ev = {
    .type = "container",
    .status = "health_status",
    .id = c->id,
    .name = c->name,
    .image = ferry_json_get_string (c->record, "ImageName"),
    .attributes = ferry_json_get_object (c->record, "Labels"),
    .health_status = status,
    .health_failing_streak = streak,
  };

  ferry_event_log (e->runroot, &ev);
}

/* Counts a startup check's result in C's log, as Podman's: enough
 * successes in a row pass it (*PASSED), enough failures (*RESTART) call
 * for the container to start again; a passed check counts no more.  */
static int
count_startup_result (ferry_engine_t *e, const struct ferry_container *c, int success, int *passed,
                      int *restart, ferry_error_t *err)
{
  json_object *startup = ferry_json_get_object (c->record, "StartupHealthCheck");
  uint64_t need = (uint64_t) ferry_json_get_int (startup, "Successes", 0);
  uint64_t retries = (uint64_t) ferry_json_get_int (startup, "Retries", 0);
  cleanup_lock int lock = -1;
  cleanup_json json_object *log = NULL;
  int64_t successes, failures;

  *passed = *restart = 0;
  lock = ferry_container_lock (e, c->id, err);
  if (lock < 0)
    return -1;
  log = health_log_read (e, c);
  if (ferry_json_get_int (log, "StartupPassed", 0) > 0)
    return 0;
  successes = ferry_json_get_int (log, "StartupSuccesses", 0);
  failures = ferry_json_get_int (log, "StartupFailures", 0);
  if (success)
    successes++;
  else
    failures++;
  if (success && (need == 0 || (uint64_t) successes >= need))
    {
      *passed = 1;
      successes = failures = 0;
      json_object_object_add (log, "StartupPassed", json_object_new_int (1));
    }
  else if (! success && retries != 0 && (uint64_t) failures >= retries)
    *restart = 1;
  json_object_object_add (log, "StartupSuccesses", json_object_new_int64 (successes));
  json_object_object_add (log, "StartupFailures", json_object_new_int64 (failures));
  for (size_t i = 0; STARTUP_KEYS[i]; i++)
    if (ferry_json_get_int (log, STARTUP_KEYS[i], 0) == 0)
      json_object_object_del (log, STARTUP_KEYS[i]);
  return health_log_write (e, c, log, err);
}

/* --health-on-failure, once the container is unhealthy.  */
static int
on_failure (ferry_engine_t *e, const struct ferry_container *c, struct ferry_health_report *out,
            ferry_error_t *err)
{
  const char *action = ferry_json_get_string (c->record, "HealthcheckOnFailureAction");

  if (action == NULL)
    return 0;
  if (strcmp (action, "kill") == 0)
    {
      if (ferry_container_kill (e, c->id, SIGKILL, err) < 0)
        return ferry_error_wrap (err, "killing container health-check turned unhealthy");
    }
  else if (strcmp (action, "stop") == 0)
    {
      out->stopped = 1;
      if (ferry_container_stop (e, c->id, -1, &out->stop, err) < 0)
        return ferry_error_wrap (err, "stopping container after health-check turned unhealthy");
    }
  else if (strcmp (action, "restart") == 0)
    {
      out->stopped = 1;
      if (ferry_container_restart (e, c->id, -1, &out->stop, err) < 0)
        return ferry_error_wrap (err, "restarting/stopping container after health-check turned unhealthy");
    }
  return 0;
}

int
ferry_container_healthcheck_run (ferry_engine_t *e, const char *ref, struct ferry_health_report *out,
                                 ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_strv char **argv = NULL;
  cleanup_free char *output = NULL, *status = NULL, *start_text = NULL, *end_text = NULL;
  cleanup_free char *timeout_text = NULL;
  cleanup_close int fd = -1;
  cleanup_json json_object *entry = NULL;
  cleanup_error ferry_error_t exec_err = NULL;
  struct ferry_exec_request r = { 0 };
  struct timespec start, end;
  long long t0, elapsed_ns;
  int64_t timeout, streak = 0;
  int code = 0, ret = -1, return_code, timed_out, exec_failed = 0, startup = 0, passed = 0, restart = 0;

  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return ferry_error_wrap (err, "unable to look up %s to perform a health check", ref);
  if (c->status != FERRY_CONTAINER_RUNNING)
    {
      ferry_make_error_kind (err, FERRY_ERROR_STATE, "container %s is not running", c->id);
      goto out;
    }
  if (ferry_container_has_healthcheck (c) && ferry_json_get_object (c->record, "StartupHealthCheck"))
    {
      cleanup_json json_object *log = health_log_read (e, c);
      startup = ferry_json_get_int (log, "StartupPassed", 0) == 0;
    }
  argv = ferry_container_has_healthcheck (c) ? health_command (c, startup) : NULL;
  if (argv == NULL)
    {
      ferry_make_error_kind (err, FERRY_ERROR_STATE, "container %s has no defined healthcheck", c->id);
      goto out;
    }
  /* Appending: the check's stdout and stderr may reach it by two ways
   * that do not share an offset.  */
  fd = memfd_create ("ferry-healthcheck", MFD_CLOEXEC);
  if (fd >= 0 && fcntl (fd, F_SETFL, O_APPEND) < 0)
    {
      close (fd);
      fd = -1;
    }
  if (fd < 0)
    {
      ferry_make_error (err, errno, "cannot make a buffer for the health check's output");
      goto out;
    }
  r.args = argv;
  r.capture_output = 1;
  r.output_fd = fd;
  clock_gettime (CLOCK_REALTIME, &start);
  t0 = ferry_time_monotonic_us ();
  /* A check that cannot run (no such command, ...) fails as one whose
   * command exits 1, as Podman counts it.  */
  if (ferry_container_exec_in (e, c, &r, &code, &exec_err) < 0)
    exec_failed = 1;
  elapsed_ns = (ferry_time_monotonic_us () - t0) * 1000;
  clock_gettime (CLOCK_REALTIME, &end);

  /* What the runtime said of it is no output of the check's.  */
  output
      = exec_failed
            ? xstrdup ("")
            : read_output (fd, record_count (c, "HealthcheckMaxLogSize", FERRY_HEALTH_DEFAULT_MAX_LOG_SIZE));
  if (exec_failed)
    code = 1;
  timeout = ferry_json_get_int (ferry_json_get_object (c->record, "Healthcheck"), "Timeout",
                                FERRY_HEALTH_DEFAULT_TIMEOUT_NS);
  timed_out = elapsed_ns > timeout;
  return_code = timed_out ? -1 : code != 0 ? 1 : 0;
  start_text = ferry_time_format_nano (&start);
  end_text = ferry_time_format_nano (&end);
  entry = json_object_new_object ();
  json_object_object_add (entry, "Start", json_object_new_string (start_text));
  json_object_object_add (entry, "End", json_object_new_string (end_text));
  json_object_object_add (entry, "ExitCode", json_object_new_int (return_code));
  json_object_object_add (entry, "Output", json_object_new_string (output));
  /* A startup check counts first: failed often enough, it restarts the
   * container (whose log begins again) before its result is recorded,
   * as Podman's.  */
  if (startup && count_startup_result (e, c, return_code == 0, &passed, &restart, err) < 0)
    goto out;
  snprintf (out->name, sizeof (out->name), "%s", c->name);
  out->stopped = restart;
  if (restart && ferry_container_restart (e, c->id, -1, &out->stop, err) < 0)
    {
      ferry_error_wrap (err, "restarting container %s after its startup healthcheck failed", c->name);
      goto out;
    }
  if (record_result (e, c, entry, return_code == 0, startup || in_start_period (c, &start), &status, &streak,
                     err)
      < 0)
    goto out;
  health_event (e, c, status, streak);
  out->outcome = return_code == 0 ? FERRY_HEALTH_PASSED
                 : startup        ? FERRY_HEALTH_STARTING
                                  : FERRY_HEALTH_FAILED;
  /* Passed: the regular check's timer takes over from the startup one.  */
  if (passed)
    {
      cleanup_error ferry_error_t ignored = NULL;
      ferry_container_health_timer_stop (e, c->id);
      ferry_container_health_timer_start (e, c, &ignored);
    }
  if (! startup && strcmp (status, "unhealthy") == 0 && on_failure (e, c, out, err) < 0)
    goto out;
  if (timed_out)
    {
      timeout_text = ferry_duration_format (timeout);
      ferry_make_error (err, 0, "healthcheck command exceeded timeout of %s", timeout_text);
      goto out;
    }
  ret = 0;
out:
  ferry_container_free (c);
  return ret;
}
