/* ferry: ferry.conf and Podman's containers.conf (see config.h).  */
#include "config.h"
#include "internal.h"
#include "../network/addr.h"
#include "../runtime/spec.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/toml.h"
#include "../util/xalloc.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CONFIG_MAX_SIZE (256 * 1024)
/* conmon reads the container's output 8 KiB at a time: a smaller limit
 * could not hold one read (Podman's rule).  */
#define LOG_SIZE_MAX_LEAST 8192

/* ---- the settings --------------------------------------------------------- */

struct config_source
{
  const char *path;
  int strict; /* ferry.conf: an unknown section or key is an error */
};

static char *
where_of (const struct ferry_toml_where *t)
{
  return xasprintf ("%s:%d", t->path, t->line);
}

static void
set_string (char **slot, struct ferry_toml_value *v)
{
  free (*slot);
  *slot = steal_pointer (&v->string);
}

/* A list setting: replaced, or added to with {append=true}.  */
static void
set_list (char ***slot, struct ferry_toml_value *v)
{
  size_t n = 0, i;
  char **list;

  if (! v->append)
    {
      ferry_cleanup_strvp (slot);
      *slot = xmalloc0 (sizeof (char *));
    }
  list = *slot;
  while (list && list[n])
    n++;
  list = xrealloc (list, (n + v->n_strings + 1) * sizeof (char *));
  for (i = 0; i < v->n_strings; i++)
    list[n + i] = steal_pointer (&v->strings[i]);
  list[n + i] = NULL;
  *slot = list;
}

static int
check_env_list (const struct ferry_toml_where *t, struct ferry_toml_value *v, ferry_error_t *err)
{
  for (size_t i = 0; i < v->n_strings; i++)
    {
      const char *eq = strchr (v->strings[i], '=');

      if (eq == NULL || eq == v->strings[i] || strchr (v->strings[i], '\n'))
        return ferry_make_error (err, 0, "%s:%d: invalid env entry `%s`: use \"NAME=VALUE\"", t->path,
                                 t->line, v->strings[i]);
    }
  return 0;
}

static int
check_ulimit_list (const struct ferry_toml_where *t, struct ferry_toml_value *v, ferry_error_t *err)
{
  for (size_t i = 0; i < v->n_strings; i++)
    {
      struct ferry_spec_rlimit l;

      if (ferry_spec_parse_ulimit (v->strings[i], &l) < 0)
        return ferry_make_error (err, 0,
                                 "%s:%d: invalid default_ulimits entry `%s`: use \"NAME=SOFT[:HARD]\" with a "
                                 "limit such as nofile or nproc",
                                 t->path, t->line, v->strings[i]);
    }
  return 0;
}

static int
check_sysctl_list (const struct ferry_toml_where *t, struct ferry_toml_value *v, ferry_error_t *err)
{
  for (size_t i = 0; i < v->n_strings; i++)
    {
      const char *eq = strchr (v->strings[i], '=');
      cleanup_free char *name = eq ? xstrndup (v->strings[i], eq - v->strings[i]) : NULL;

      if (name == NULL || ferry_spec_sysctl_namespace (name) == FERRY_SYSCTL_REFUSED
          || ! ferry_spec_sysctl_value_is_valid (eq + 1))
        return ferry_make_error (
            err, 0,
            "%s:%d: invalid default_sysctls entry `%s`: use \"NAME=VALUE\" with a "
            "namespaced sysctl (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*)",
            t->path, t->line, v->strings[i]);
    }
  return 0;
}

/* Podman's words for a value of KEY in TABLE that is not of the Go type
 * GO_TYPE, with ferry's fix after them.  */
static int
toml_type_error (const struct ferry_toml_where *t, const char *table, const char *key,
                 const struct ferry_toml_value *v, const char *go_type, ferry_error_t *err)
{
  return ferry_make_error (err, 0,
                           "reading system config \"%s\": decode configuration %s: toml: line %d (last key "
                           "\"%s.%s\"): incompatible types: TOML value has type %s; destination has type %s: "
                           "give %s as a string in double quotes",
                           t->path, t->path, t->line, table, key, v->go_type ? v->go_type : "float64",
                           go_type, key);
}

int
ferry_config_cgroupns_host (const struct ferry_config *c, int cgroup2_only, ferry_error_t *err)
{
  const char *mode = c->cgroupns ? c->cgroupns : "";

  /* As Podman: on cgroups v1 and hybrid hosts the host's namespace,
   * whatever containers.conf says.  */
  if (! cgroup2_only)
    return 1;
  if (strcmp (mode, "host") == 0)
    return 1;
  if (strcmp (mode, "private") == 0 || *mode == '\0')
    return 0;
  return ferry_make_error (err, 0,
                           "unrecognized cgroup namespace mode %s passed: set cgroupns in containers.conf to "
                           "host or private, or give --cgroupns",
                           mode);
}

static int want_podman_type (const struct ferry_toml_where *t, const char *section, const char *key,
                             const struct ferry_toml_value *v, ferry_error_t *err);

/* The [containers] settings that both files give: containers.conf's.  */
static int
set_containers_value (struct ferry_config *c, const struct ferry_toml_where *t, const char *key,
                      struct ferry_toml_value *v, int *known, ferry_error_t *err)
{
  *known = 1;
  if (strcmp (key, "env") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_ARRAY, err) < 0 || check_env_list (t, v, err) < 0)
        return -1;
      set_list (&c->env, v);
    }
  else if (strcmp (key, "default_ulimits") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_ARRAY, err) < 0 || check_ulimit_list (t, v, err) < 0)
        return -1;
      set_list (&c->default_ulimits, v);
    }
  else if (strcmp (key, "default_sysctls") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_ARRAY, err) < 0 || check_sysctl_list (t, v, err) < 0)
        return -1;
      set_list (&c->default_sysctls, v);
    }
  else if (strcmp (key, "dns_servers") == 0 || strcmp (key, "dns_searches") == 0
           || strcmp (key, "dns_options") == 0)
    {
      /* Checked where they are used, as Podman, which starts no
       * container with a bad one but runs every other command; another
       * type in Podman's words, as when ferry did not read them.  */
      if (want_podman_type (t, "containers", key, v, err) < 0
          || ferry_toml_want (t, key, v, FERRY_TOML_ARRAY, err) < 0)
        return -1;
      /* Each goes on a line of resolv.conf of its own: a line break in one
       * would write lines of its own into every container's.  */
      for (size_t i = 0; i < v->n_strings; i++)
        if (strpbrk (v->strings[i], "\n\r"))
          return ferry_make_error (err, 0,
                                   "%s:%d: invalid %s entry: it holds a line break: give one value per entry",
                                   t->path, t->line, key);
      set_list (strcmp (key, "dns_servers") == 0    ? &c->dns_servers
                : strcmp (key, "dns_searches") == 0 ? &c->dns_searches
                                                    : &c->dns_options,
                v);
    }
  else if (strcmp (key, "annotations") == 0)
    {
      /* Taken as Podman takes them: "K" is K with an empty value; another
       * type in Podman's words, as when ferry did not read them.  */
      if (want_podman_type (t, "containers", key, v, err) < 0
          || ferry_toml_want (t, key, v, FERRY_TOML_ARRAY, err) < 0)
        return -1;
      set_list (&c->annotations, v);
    }
  else if (strcmp (key, "read_only") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_BOOLEAN, err) < 0)
        return -1;
      c->read_only = (int) v->integer;
    }
  else if (strcmp (key, "log_driver") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      if (*v->string == '\0')
        {
          free (c->log_driver);
          c->log_driver = NULL;
          return 0;
        }
      if (ferry_log_driver_canonical (v->string) == NULL)
        return ferry_make_error (
            err, 0, "%s:%d: invalid log_driver `%s`: use k8s-file, journald, none or passthrough", t->path,
            t->line, v->string);
      set_string (&c->log_driver, v);
    }
  else if (strcmp (key, "log_size_max") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_INTEGER, err) < 0)
        return -1;
      if (v->integer >= 0 && v->integer < LOG_SIZE_MAX_LEAST)
        return ferry_make_error (
            err, 0, "%s:%d: invalid log_size_max %" PRId64 ": log size max should be negative or >= %d",
            t->path, t->line, v->integer, LOG_SIZE_MAX_LEAST);
      c->log_size_max = v->integer < 0 ? -1 : v->integer;
    }
  else if (strcmp (key, "log_tag") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      if (strchr (v->string, '\n'))
        return ferry_make_error (err, 0, "%s:%d: invalid log_tag: use one line", t->path, t->line);
      set_string (&c->log_tag, v);
    }
  else if (strcmp (key, "tz") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      if (*v->string && ! ferry_timezone_is_valid (v->string))
        return ferry_make_error (
            err, 0,
            "%s:%d: invalid tz `%s`: no such time zone in /usr/share/zoneinfo: use a zone "
            "such as Europe/Paris, or local",
            t->path, t->line, v->string);
      set_string (&c->tz, v);
    }
  else if (strcmp (key, "pids_limit") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_INTEGER, err) < 0)
        return -1;
      if (v->integer < -1 || v->integer > INT32_MAX)
        return ferry_make_error (err, 0,
                                 "%s:%d: invalid pids_limit %" PRId64
                                 ": give a number of processes, or 0 for "
                                 "no limit",
                                 t->path, t->line, v->integer);
      c->pids_limit = v->integer < 0 ? 0 : v->integer;
    }
  else if (strcmp (key, "oom_score_adj") == 0)
    {
      /* Podman's words for another type, as when ferry did not read it.  */
      if (ferry_toml_want_go (t, "containers", key, v, FERRY_TOML_INTEGER, err) < 0)
        return ferry_error_wrap (err, "reading system config \"%s\": decode configuration %s", t->path,
                                 t->path);
      /* Unchecked, as Podman's: the runtime refuses what is out of range.  */
      if (v->integer < INT32_MIN || v->integer > INT32_MAX)
        return ferry_make_error (err, 0,
                                 "%s:%d: invalid oom_score_adj %" PRId64 ": give a number from -1000 to 1000",
                                 t->path, t->line, v->integer);
      c->oom_score_adj = (int) v->integer;
      c->oom_score_adj_set = 1;
    }
  else if (strcmp (key, "base_hosts_file") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      if (*v->string && strcmp (v->string, "image") != 0 && strcmp (v->string, "none") != 0
          && (*v->string != '/' || strchr (v->string, '\n')))
        return ferry_make_error (err, 0,
                                 "%s:%d: invalid base_hosts_file `%s`: use an absolute path, image or none",
                                 t->path, t->line, v->string);
      set_string (&c->base_hosts_file, v);
    }
  else if (strcmp (key, "cgroupns") == 0)
    {
      /* Any text: Podman checks it only where it applies, on cgroup v2
       * (ferry_config_cgroupns_host).  */
      if (v->type != FERRY_TOML_STRING)
        return toml_type_error (t, "containers", key, v, "string", err);
      set_string (&c->cgroupns, v);
    }
  else if (strcmp (key, "userns") == 0)
    {
      if (v->type != FERRY_TOML_STRING)
        return toml_type_error (t, "containers", key, v, "string", err);
      set_string (&c->userns, v);
    }
  else if (strcmp (key, "host_containers_internal_ip") == 0)
    {
      uint32_t v4;
      struct in6_addr v6;

      if (ferry_toml_want (t, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      if (*v->string && strcmp (v->string, "none") != 0 && ferry_ip_parse (v->string, &v4) < 0
          && inet_pton (AF_INET6, v->string, &v6) != 1)
        return ferry_make_error (err, 0,
                                 "%s:%d: invalid host_containers_internal_ip `%s`: use an IP address or none",
                                 t->path, t->line, v->string);
      set_string (&c->host_containers_internal_ip, v);
    }
  else if (strcmp (key, "shm_size") == 0)
    {
      int64_t size;

      if (ferry_toml_want (t, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      /* Podman reads it in powers of 1000: its "65536k" is 65536000.  */
      if (ferry_parse_size_decimal (v->string, &size) < 0 || size <= 0)
        return ferry_make_error (err, 0,
                                 "%s:%d: invalid shm_size `%s`: use a size such as \"65536k\" or \"1g\"",
                                 t->path, t->line, v->string);
      c->shm_size = size;
    }
  else
    *known = 0;
  return 0;
}

/* ferry.conf's own settings, all strings.  */
static int
set_ferry_value (struct ferry_config *c, const char *section, const char *key, char *value, const char *where,
                 int *known, ferry_error_t *err)
{
  char **slot = NULL;
  struct ferry_subnet s;

  *known = 1;
  if (strcmp (section, "containers") == 0 && strcmp (key, "netns") == 0)
    {
      if (strcmp (value, "private") == 0)
        {
          free (value);
          value = xstrdup ("bridge");
        }
      if (strcmp (value, "bridge") != 0 && strcmp (value, "none") != 0 && strcmp (value, "host") != 0)
        {
          ferry_make_error (err, 0, "%s: invalid netns `%s`: use bridge, none or host", where, value);
          free (value);
          return -1;
        }
      slot = &c->netns;
    }
  else if (strcmp (section, "network") == 0 && strcmp (key, "default_subnet") == 0)
    {
      if (ferry_subnet_parse (value, &s) < 0 || s.prefix < 8 || s.prefix > 30)
        {
          ferry_make_error (err, 0, "%s: invalid default_subnet `%s`: use an IPv4 subnet like 10.88.0.0/16",
                            where, value);
          free (value);
          return -1;
        }
      slot = &c->default_subnet;
    }
  else if (strcmp (section, "network") == 0 && strcmp (key, "default_interface") == 0)
    {
      if (! ferry_ifname_is_valid (value))
        {
          ferry_make_error (err, 0, "%s: invalid default_interface `%s`: use an interface name like ferry0",
                            where, value);
          free (value);
          return -1;
        }
      slot = &c->default_interface;
    }
  else if (strcmp (section, "checkpoint") == 0 && strcmp (key, "podman_volume_path") == 0)
    {
      if (value[0] != '/' || ! ferry_path_is_clean_relative (value + 1))
        {
          ferry_make_error (err, 0,
                            "%s: invalid podman_volume_path `%s`: use an absolute path without . or .. like "
                            "%s",
                            where, value, FERRY_CONFIG_PODMAN_VOLUME_PATH);
          free (value);
          return -1;
        }
      slot = &c->podman_volume_path;
    }
  else
    {
      free (value);
      *known = 0;
      return 0;
    }
  free (*slot);
  *slot = value;
  return 0;
}

/* containers.conf's [engine] settings that push and exec take.  */
static int
set_engine_value (struct ferry_config *c, const struct ferry_toml_where *t, const char *key,
                  struct ferry_toml_value *v, ferry_error_t *err)
{
  if (strcmp (key, "compression_format") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      if (*v->string == '\0')
        {
          free (c->compression_format);
          c->compression_format = NULL;
          return 0;
        }
      set_string (&c->compression_format, v);
    }
  else if (strcmp (key, "runtime") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      /* Empty: the built-in runc, as when it is left out.  */
      free (c->runtime);
      c->runtime = NULL;
      if (*v->string != '\0')
        set_string (&c->runtime, v);
    }
  else if (strcmp (key, "image_volume_mode") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      if (strcmp (v->string, "anonymous") != 0 && strcmp (v->string, "tmpfs") != 0
          && strcmp (v->string, "ignore") != 0)
        return ferry_make_error (
            err, 0, "%s:%d: invalid image volume mode \"%s\" required value: anonymous, tmpfs, ignore",
            t->path, t->line, v->string);
      set_string (&c->image_volume_mode, v);
    }
  else if (strcmp (key, "detach_keys") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      set_string (&c->detach_keys, v);
    }
  else if (strcmp (key, "compression_level") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_INTEGER, err) < 0)
        return -1;
      if (v->integer < INT32_MIN || v->integer > INT32_MAX)
        return ferry_make_error (err, 0, "%s:%d: invalid compression_level %" PRId64, t->path, t->line,
                                 v->integer);
      c->compression_level = (int) v->integer;
      c->compression_level_set = 1;
    }
  else if (strcmp (key, "retry") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_INTEGER, err) < 0)
        return -1;
      if (v->integer < 0 || v->integer > UINT32_MAX)
        return ferry_make_error (err, 0, "%s:%d: invalid retry %" PRId64, t->path, t->line, v->integer);
      c->retry = v->integer;
    }
  else if (strcmp (key, "retry_delay") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      set_string (&c->retry_delay, v);
    }
  else if (strcmp (key, "stop_timeout") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_INTEGER, err) < 0)
        return -1;
      c->stop_timeout = v->integer < 0 || v->integer > INT_MAX ? INT_MAX : (int) v->integer;
    }
  else if (strcmp (key, "cdi_spec_dirs") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_ARRAY, err) < 0)
        return -1;
      set_list (&c->cdi_spec_dirs, v);
    }
  else if (strcmp (key, "events_logger") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      if (strcmp (v->string, "file") != 0 && strcmp (v->string, "none") != 0
          && strcmp (v->string, "journald") != 0)
        return ferry_make_error (err, 0, "unknown event logger type: %s (%s:%d: use file, journald or none)",
                                 v->string, t->path, t->line);
      free (c->events_logger);
      c->events_logger = xstrdup (strcmp (v->string, "none") == 0 ? "none" : "file");
    }
  else if (strcmp (key, "events_logfile_path") == 0)
    {
      if (ferry_toml_want (t, key, v, FERRY_TOML_STRING, err) < 0)
        return -1;
      free (c->events_logfile_path);
      c->events_logfile_path = *v->string ? xstrdup (v->string) : NULL;
    }
  else if (strcmp (key, "events_logfile_max_size") == 0)
    {
      bool is_float = v->type == FERRY_TOML_OTHER && v->go_type && strcmp (v->go_type, "float64") == 0;
      double d = is_float && v->go_text ? strtod (v->go_text, NULL) : -1;
      int64_t size = 0;

      /* "" leaves it as it was, as in Podman.  */
      if (v->type == FERRY_TOML_STRING && *v->string == '\0')
        return 0;
      /* A number of bytes (of a float, its whole part), or a size in
       * words, in powers of 1000, as Podman reads it.  */
      if (v->type == FERRY_TOML_INTEGER)
        size = v->integer;
      else if (is_float && d >= 0 && d < 0x1p63)
        size = (int64_t) d;
      else if (v->type != FERRY_TOML_STRING || ferry_parse_size_decimal (v->string, &size) < 0)
        size = -1;
      if (size < 0)
        {
          cleanup_free char *shown = v->type == FERRY_TOML_STRING    ? xstrdup (v->string)
                                     : v->type == FERRY_TOML_INTEGER ? xasprintf ("%" PRId64, v->integer)
                                                                     : xstrdup (v->go_text   ? v->go_text
                                                                                : v->go_type ? v->go_type
                                                                                             : "?");
          return ferry_make_error (
              err, 0,
              "reading system config \"%s\": decode configuration %s: toml: line %d (last "
              "key \"engine.events_logfile_max_size\"): invalid size: '%s': use a number of "
              "bytes or a size such as \"1m\"",
              t->path, t->path, t->line, shown);
        }
      c->events_logfile_max_size = size;
    }
  return 0;
}

/* containers.conf's [engine.runtimes]: NAME = ["PATH", ...], a later file's
 * over an earlier one's.  */
static int
set_engine_runtime (struct ferry_config *c, const struct ferry_toml_where *t, const char *key,
                    struct ferry_toml_value *v, ferry_error_t *err)
{
  size_t i;

  if (ferry_toml_want (t, key, v, FERRY_TOML_ARRAY, err) < 0)
    return -1;
  for (i = 0; i < c->n_runtimes && strcmp (c->runtimes[i].name, key) != 0; i++)
    ;
  if (i == c->n_runtimes)
    {
      c->runtimes = xrealloc (c->runtimes, (c->n_runtimes + 1) * sizeof (*c->runtimes));
      c->runtimes[c->n_runtimes++] = (struct ferry_config_runtime){ .name = xstrdup (key) };
    }
  set_list (&c->runtimes[i].paths, v);
  return 0;
}

static int
set_value (struct ferry_config *c, const struct config_source *src, const struct ferry_toml_where *t,
           const char *section, const char *key, struct ferry_toml_value *v, ferry_error_t *err)
{
  int known = 0;

  if (! src->strict && strcmp (section, "engine") == 0)
    return set_engine_value (c, t, key, v, err);
  if (! src->strict && strcmp (section, "engine.runtimes") == 0)
    return set_engine_runtime (c, t, key, v, err);
  if (strcmp (section, "containers") == 0)
    {
      if (set_containers_value (c, t, key, v, &known, err) < 0)
        return -1;
      if (known)
        return 0;
    }
  if (src->strict)
    {
      cleanup_free char *where = where_of (t), *shown = ferry_toml_key_text (key);

      if (strcmp (section, "containers") == 0 && strcmp (key, "netns") != 0)
        ;
      else if (v->type != FERRY_TOML_STRING)
        return ferry_make_error (err, 0, "%s: invalid value of `%s`: use a string in double quotes", where,
                                 shown);
      else if (set_ferry_value (c, section, key, steal_pointer (&v->string), where, &known, err) < 0)
        return -1;
      if (! known)
        return ferry_make_error (err, 0, "%s: unknown setting `%s` in [%s]", where, shown, section);
    }
  return 0;
}

struct parse_state
{
  const struct config_source *src;
  struct ferry_config *c;
};

/* The settings of containers.conf that Podman 5.4.2 reads as a value, each
 * of the type it decodes (a table given for one of them was refused by it,
 * found so one by one on this project's machine): a table there is refused
 * as Podman refuses it, whether ferry reads the setting or not.  */
static const struct podman_setting
{
  const char *table, *key;
  enum ferry_toml_type type;
} podman_settings[] = {
  { "containers", "annotations", FERRY_TOML_ARRAY },
  { "containers", "apparmor_profile", FERRY_TOML_STRING },
  { "containers", "base_hosts_file", FERRY_TOML_STRING },
  { "containers", "cgroupns", FERRY_TOML_STRING },
  { "containers", "cgroups", FERRY_TOML_STRING },
  { "containers", "container_name_as_hostname", FERRY_TOML_BOOLEAN },
  { "containers", "default_capabilities", FERRY_TOML_ARRAY },
  { "containers", "default_sysctls", FERRY_TOML_ARRAY },
  { "containers", "default_ulimits", FERRY_TOML_ARRAY },
  { "containers", "devices", FERRY_TOML_ARRAY },
  { "containers", "dns_options", FERRY_TOML_ARRAY },
  { "containers", "dns_searches", FERRY_TOML_ARRAY },
  { "containers", "dns_servers", FERRY_TOML_ARRAY },
  { "containers", "env", FERRY_TOML_ARRAY },
  { "containers", "env_host", FERRY_TOML_BOOLEAN },
  { "containers", "host_containers_internal_ip", FERRY_TOML_STRING },
  { "containers", "http_proxy", FERRY_TOML_BOOLEAN },
  { "containers", "init", FERRY_TOML_BOOLEAN },
  { "containers", "init_path", FERRY_TOML_STRING },
  { "containers", "interface_name", FERRY_TOML_STRING },
  { "containers", "ipcns", FERRY_TOML_STRING },
  { "containers", "keyring", FERRY_TOML_BOOLEAN },
  { "containers", "label", FERRY_TOML_BOOLEAN },
  { "containers", "label_users", FERRY_TOML_BOOLEAN },
  { "containers", "log_driver", FERRY_TOML_STRING },
  { "containers", "log_size_max", FERRY_TOML_INTEGER },
  { "containers", "log_tag", FERRY_TOML_STRING },
  { "containers", "mounts", FERRY_TOML_ARRAY },
  { "containers", "netns", FERRY_TOML_STRING },
  { "containers", "no_hosts", FERRY_TOML_BOOLEAN },
  { "containers", "oom_score_adj", FERRY_TOML_INTEGER },
  { "containers", "pidns", FERRY_TOML_STRING },
  { "containers", "pids_limit", FERRY_TOML_INTEGER },
  { "containers", "prepare_volume_on_create", FERRY_TOML_BOOLEAN },
  { "containers", "privileged", FERRY_TOML_BOOLEAN },
  { "containers", "read_only", FERRY_TOML_BOOLEAN },
  { "containers", "seccomp_profile", FERRY_TOML_STRING },
  { "containers", "shm_size", FERRY_TOML_STRING },
  { "containers", "tz", FERRY_TOML_STRING },
  { "containers", "umask", FERRY_TOML_STRING },
  { "containers", "userns", FERRY_TOML_STRING },
  { "containers", "userns_size", FERRY_TOML_INTEGER },
  { "containers", "utsns", FERRY_TOML_STRING },
  { "containers", "volumes", FERRY_TOML_ARRAY },
  { "engine", "active_service", FERRY_TOML_STRING },
  { "engine", "add_compression", FERRY_TOML_ARRAY },
  { "engine", "cdi_spec_dirs", FERRY_TOML_ARRAY },
  { "engine", "cgroup_manager", FERRY_TOML_STRING },
  { "engine", "chown_copied_files", FERRY_TOML_BOOLEAN },
  { "engine", "compat_api_enforce_docker_hub", FERRY_TOML_BOOLEAN },
  { "engine", "compression_format", FERRY_TOML_STRING },
  { "engine", "compression_level", FERRY_TOML_INTEGER },
  { "engine", "conmon_env_vars", FERRY_TOML_ARRAY },
  { "engine", "conmon_path", FERRY_TOML_ARRAY },
  { "engine", "database_backend", FERRY_TOML_STRING },
  { "engine", "detach_keys", FERRY_TOML_STRING },
  { "engine", "enable_port_reservation", FERRY_TOML_BOOLEAN },
  { "engine", "env", FERRY_TOML_ARRAY },
  { "engine", "events_container_create_inspect_data", FERRY_TOML_BOOLEAN },
  { "engine", "events_logfile_max_size", FERRY_TOML_STRING },
  { "engine", "events_logfile_path", FERRY_TOML_STRING },
  { "engine", "events_logger", FERRY_TOML_STRING },
  { "engine", "exit_command_delay", FERRY_TOML_INTEGER },
  { "engine", "healthcheck_events", FERRY_TOML_BOOLEAN },
  { "engine", "helper_binaries_dir", FERRY_TOML_ARRAY },
  { "engine", "hooks_dir", FERRY_TOML_ARRAY },
  { "engine", "image_copy_tmp_dir", FERRY_TOML_STRING },
  { "engine", "image_default_format", FERRY_TOML_STRING },
  { "engine", "image_default_transport", FERRY_TOML_STRING },
  { "engine", "image_parallel_copies", FERRY_TOML_INTEGER },
  { "engine", "image_volume_mode", FERRY_TOML_STRING },
  { "engine", "infra_command", FERRY_TOML_STRING },
  { "engine", "infra_image", FERRY_TOML_STRING },
  { "engine", "kube_generate_type", FERRY_TOML_STRING },
  { "engine", "lock_type", FERRY_TOML_STRING },
  { "engine", "multi_image_archive", FERRY_TOML_BOOLEAN },
  { "engine", "namespace", FERRY_TOML_STRING },
  { "engine", "network_cmd_options", FERRY_TOML_ARRAY },
  { "engine", "network_cmd_path", FERRY_TOML_STRING },
  { "engine", "no_pivot_root", FERRY_TOML_BOOLEAN },
  { "engine", "num_locks", FERRY_TOML_INTEGER },
  { "engine", "pod_exit_policy", FERRY_TOML_STRING },
  { "engine", "pull_policy", FERRY_TOML_STRING },
  { "engine", "remote", FERRY_TOML_BOOLEAN },
  { "engine", "retry", FERRY_TOML_INTEGER },
  { "engine", "retry_delay", FERRY_TOML_STRING },
  { "engine", "runtime", FERRY_TOML_STRING },
  { "engine", "runtime_supports_json", FERRY_TOML_ARRAY },
  { "engine", "runtime_supports_kvm", FERRY_TOML_ARRAY },
  { "engine", "service_timeout", FERRY_TOML_INTEGER },
  { "engine", "ssh_config", FERRY_TOML_STRING },
  { "engine", "static_dir", FERRY_TOML_STRING },
  { "engine", "stop_timeout", FERRY_TOML_INTEGER },
  { "engine", "tmp_dir", FERRY_TOML_STRING },
  { "engine", "volume_path", FERRY_TOML_STRING },
  { "engine", "volume_plugin_timeout", FERRY_TOML_INTEGER },
  { "machine", "cpus", FERRY_TOML_INTEGER },
  { "machine", "disk_size", FERRY_TOML_INTEGER },
  { "machine", "image", FERRY_TOML_STRING },
  { "machine", "memory", FERRY_TOML_INTEGER },
  { "machine", "user", FERRY_TOML_STRING },
  { "machine", "volumes", FERRY_TOML_ARRAY },
  { "network", "cni_plugin_dirs", FERRY_TOML_ARRAY },
  { "network", "default_network", FERRY_TOML_STRING },
  { "network", "default_subnet", FERRY_TOML_STRING },
  { "network", "dns_bind_port", FERRY_TOML_INTEGER },
  { "network", "firewall_driver", FERRY_TOML_STRING },
  { "network", "netavark_plugin_dirs", FERRY_TOML_ARRAY },
  { "network", "network_backend", FERRY_TOML_STRING },
  { "network", "network_config_dir", FERRY_TOML_STRING },
  { "network", "pasta_options", FERRY_TOML_ARRAY },
  { "secrets", "driver", FERRY_TOML_STRING },
};

static const struct podman_setting *
podman_setting_find (const char *table, const char *key)
{
  for (size_t i = 0; i < sizeof (podman_settings) / sizeof (podman_settings[0]); i++)
    if (strcmp (podman_settings[i].table, table) == 0 && strcmp (podman_settings[i].key, key) == 0)
      return &podman_settings[i];
  return NULL;
}

/* NAME, a table under a table of containers.conf (KEY = { ... }, a dotted
 * KEY.x = ..., [[containers.KEY]]), when KEY is a setting of a value:
 * refused as a value of the wrong type, as Podman refuses it.  */
static int
refuse_table_setting (struct parse_state *st, const struct ferry_toml_where *t, const char *name,
                      ferry_error_t *err)
{
  struct ferry_toml_value v = { .type = FERRY_TOML_OTHER, .go_type = "map[string]any" };
  const char *dot = strchr (name, '.'), *key = dot ? dot + 1 : NULL;
  cleanup_free char *table = dot ? xstrndup (name, dot - name) : NULL;
  const struct podman_setting *p;

  if (key == NULL || *key == '\0' || strcspn (key, ".\"") != strlen (key))
    return 0;
  /* Ferry's own words for what it reads.  */
  if (set_value (st->c, st->src, t, table, key, &v, err) < 0)
    return -1;
  p = podman_setting_find (table, key);
  return p ? ferry_toml_want (t, key, &v, p->type, err) : 0;
}

static int
on_table (void *data, const struct ferry_toml_where *t, const char *name, int array, ferry_error_t *err)
{
  struct parse_state *st = data;

  (void) array;
  if (! st->src->strict)
    return refuse_table_setting (st, t, name, err);
  if (st->src->strict && strcmp (name, "containers") != 0 && strcmp (name, "network") != 0
      && strcmp (name, "checkpoint") != 0)
    return ferry_make_error (err, 0,
                             "%s:%d: unknown section [%s]: ferry.conf has [containers], [network] and "
                             "[checkpoint]",
                             t->path, t->line, name);
  return 0;
}

/* V, the value of KEY in SECTION of containers.conf, refused as Podman
 * refuses it when it is not of the type Podman decodes KEY into, in its
 * TOML decoder's words (a list of strings is an "attributed string
 * slice"), whether ferry reads KEY or not.  */
static int
want_podman_type (const struct ferry_toml_where *t, const char *section, const char *key,
                  const struct ferry_toml_value *v, ferry_error_t *err)
{
  const struct podman_setting *p = podman_setting_find (section, key);
  cleanup_free char *shown = NULL;
  const char *why = NULL, *what = NULL;

  /* Podman reads it as a size, from a number or a string, in words of
   * its own.  */
  if (p == NULL || strcmp (key, "events_logfile_max_size") == 0)
    return 0;
  if (p->type != FERRY_TOML_ARRAY)
    {
      if (ferry_toml_want_go (t, section, key, v, p->type, err) < 0)
        return ferry_error_wrap (err, "reading system config \"%s\": decode configuration %s", t->path,
                                 t->path);
      return 0;
    }
  if (v->type != FERRY_TOML_ARRAY)
    why = "unable to cast to interface array", what = v->go_text ? v->go_text : v->go_type;
  else if (v->mixed)
    why = "unsupported item in attributed string slice",
    what = v->go_element_text ? v->go_element_text : v->go_element;
  if (why == NULL)
    return 0;
  shown = ferry_toml_key_text (key);
  return ferry_make_error (err, 0,
                           "reading system config \"%s\": decode configuration %s: toml: line %d (last key "
                           "\"%s.%s\"): %s: %s: use "
                           "a list of strings",
                           t->path, t->path, t->line, section, shown, why, what ? what : "");
}

static int
on_value (void *data, const struct ferry_toml_where *t, const char *section, const char *key,
          struct ferry_toml_value *v, ferry_error_t *err)
{
  struct parse_state *st = data;

  if (*section == '\0' && st->src->strict)
    {
      cleanup_free char *shown = ferry_toml_key_text (key);

      return ferry_make_error (err, 0,
                               "%s:%d: `%s` outside a section: put it under [containers] or [network]",
                               t->path, t->line, shown);
    }
  if (set_value (st->c, st->src, t, section, key, v, err) < 0)
    return -1;
  return st->src->strict ? 0 : want_podman_type (t, section, key, v, err);
}

static int
read_config_file (const struct config_source *src, struct ferry_config *c, ferry_error_t *err)
{
  const struct ferry_toml_handler h = {
    .table = on_table,
    .value = on_value,
    .bad_header = src->strict ? "invalid section line: use [containers], [network] or [checkpoint]"
                              : "invalid table header: use [name]",
    .bad_line = src->strict ? "invalid line: use key = \"value\"" : "invalid line: use key = value",
  };
  struct parse_state st = { src, c };
  cleanup_free char *text = NULL;

  if (ferry_toml_read_file (src->path, CONFIG_MAX_SIZE,
                            src->strict ? "ferry configuration" : "containers.conf", &text, err)
      < 0)
    return -1;
  return ferry_toml_parse (src->path, text, &h, &st, err);
}

int
ferry_config_read (const char *path, int containers_conf, struct ferry_config *c, ferry_error_t *err)
{
  struct config_source src = { .path = path, .strict = ! containers_conf };

  return read_config_file (&src, c, err);
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* DIR/ *.conf in the byte order of their names.  */
static int
read_conf_dir (const char *dir, struct ferry_config *c, ferry_error_t *err)
{
  DIR *d = opendir (dir);
  struct dirent *de;
  char **names = NULL;
  size_t n = 0;
  int ret = 0;

  if (d == NULL)
    return 0;
  while ((de = readdir (d)) != NULL)
    {
      size_t len = strlen (de->d_name);
      if (len <= 5 || strcmp (de->d_name + len - 5, ".conf") != 0)
        continue;
      names = xrealloc (names, (n + 1) * sizeof (char *));
      names[n++] = xasprintf ("%s/%s", dir, de->d_name);
    }
  closedir (d);
  if (n)
    qsort (names, n, sizeof (char *), compare_names);
  for (size_t i = 0; i < n; i++)
    {
      if (ret == 0 && ferry_config_read (names[i], 1, c, err) < 0)
        ret = -1;
      free (names[i]);
    }
  free (names);
  return ret;
}

static int
read_if_exists (const char *path, struct ferry_config *c, ferry_error_t *err)
{
  if (! ferry_path_exists (path))
    return 0;
  return ferry_config_read (path, 1, c, err);
}

/* As Podman reads containers.conf (containers.conf(5)) for root:
 * $CONTAINERS_CONF alone when set, else the distribution's file, the
 * administrator's and the drop-ins; then the --module files MODULES; then
 * $CONTAINERS_CONF_OVERRIDE.  */
static int
read_containers_conf (struct ferry_config *c, char *const *modules, ferry_error_t *err)
{
  const char *env = getenv ("CONTAINERS_CONF");
  const char *override = getenv ("CONTAINERS_CONF_OVERRIDE");

  if (env && *env)
    {
      if (ferry_config_read (env, 1, c, err) < 0)
        return -1;
    }
  else if (read_if_exists (FERRY_CONTAINERS_CONF_DISTRIBUTION, c, err) < 0
           || read_if_exists (FERRY_CONTAINERS_CONF_ADMIN, c, err) < 0
           || read_conf_dir (FERRY_CONTAINERS_CONF_ADMIN ".d", c, err) < 0)
    return -1;
  for (size_t i = 0; modules && modules[i]; i++)
    if (ferry_config_read (modules[i], 1, c, err) < 0)
      return -1;
  if (override && *override && ferry_config_read (override, 1, c, err) < 0)
    return -1;
  return 0;
}

void
ferry_config_init (struct ferry_config *c)
{
  memset (c, 0, sizeof (*c));
  c->read_only = -1;
  c->log_size_max = -1;
  c->pids_limit = -1;
  c->stop_timeout = -1;
  c->events_logfile_max_size = -1;
  c->retry = -1;
}

/* $FERRY_CONMON_TIMEOUT, when set: whole seconds, 1 to a day.  */
static int
read_conmon_timeout (struct ferry_config *c, ferry_error_t *err)
{
  const char *v = getenv ("FERRY_CONMON_TIMEOUT");
  char *end;
  long n;

  if (v == NULL || *v == '\0')
    return 0;
  errno = 0;
  n = strtol (v, &end, 10);
  if (errno || *end || end == v || n < 1 || n > 86400)
    return ferry_make_error (err, EINVAL,
                             "invalid FERRY_CONMON_TIMEOUT `%s`: give the seconds to wait for conmon, 1 to "
                             "86400, or unset it",
                             v);
  c->conmon_timeout = (int) n;
  return 0;
}

int
ferry_config_load (const char *path, struct ferry_config *out, ferry_error_t *err)
{
  return ferry_config_load_modules (path, NULL, out, err);
}

int
ferry_config_load_modules (const char *path, char *const *modules, struct ferry_config *out,
                           ferry_error_t *err)
{
  struct ferry_config c;
  int optional = path == NULL;

  ferry_config_init (&c);
  if (read_conmon_timeout (&c, err) < 0 || read_containers_conf (&c, modules, err) < 0)
    goto fail;
  if (path == NULL)
    path = FERRY_CONFIG_DEFAULT_PATH;
  if (! (optional && ! ferry_path_exists (path)))
    {
      if (ferry_config_read (path, 0, &c, err) < 0)
        goto fail;
      c.path = xstrdup (path);
    }
  if (c.netns == NULL)
    c.netns = xstrdup ("bridge");
  *out = c;
  return 0;

fail:
  ferry_config_release (&c);
  return -1;
}

const char *
ferry_log_driver_canonical (const char *name)
{
  if (strcmp (name, "k8s-file") == 0 || strcmp (name, "json-file") == 0)
    return "k8s-file";
  if (strcmp (name, "journald") == 0)
    return "journald";
  if (strcmp (name, "none") == 0)
    return "none";
  if (strcmp (name, "passthrough") == 0 || strcmp (name, "passthrough-tty") == 0)
    return "passthrough";
  return NULL;
}

void
ferry_config_release (struct ferry_config *c)
{
  free (c->netns);
  free (c->default_subnet);
  free (c->default_interface);
  free (c->podman_volume_path);
  free (c->path);
  free (c->log_driver);
  free (c->log_tag);
  free (c->tz);
  free (c->compression_format);
  free (c->retry_delay);
  free (c->runtime);
  free (c->detach_keys);
  free (c->image_volume_mode);
  free (c->events_logger);
  free (c->events_logfile_path);
  ferry_cleanup_strvp (&c->env);
  ferry_cleanup_strvp (&c->default_ulimits);
  ferry_cleanup_strvp (&c->default_sysctls);
  ferry_cleanup_strvp (&c->dns_servers);
  ferry_cleanup_strvp (&c->dns_searches);
  ferry_cleanup_strvp (&c->dns_options);
  ferry_cleanup_strvp (&c->annotations);
  free (c->base_hosts_file);
  free (c->host_containers_internal_ip);
  free (c->cgroupns);
  free (c->userns);
  ferry_cleanup_strvp (&c->cdi_spec_dirs);
  for (size_t i = 0; i < c->n_runtimes; i++)
    {
      free (c->runtimes[i].name);
      ferry_cleanup_strvp (&c->runtimes[i].paths);
    }
  free (c->runtimes);
  ferry_config_init (c);
}
