/* ferry: generate systemd (generate.h).  */
#include "generate.h"
#include "container.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What systemd gives on top of the container's stop timeout before it
 * kills the unit, as Podman's units.  */
#define STOP_TIMEOUT_MARGIN 60

#define CIDFILE_ARG "--cidfile=%t/%n.ctr-id"

struct text
{
  char *s;
  size_t len;
};

static void text_add (struct text *t, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
text_add (struct text *t, const char *fmt, ...)
{
  cleanup_free char *piece = NULL;
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vasprintf (&piece, fmt, ap);
  va_end (ap);
  if (n < 0)
    abort ();
  t->s = xrealloc (t->s, t->len + n + 1);
  memcpy (t->s + t->len, piece, n + 1);
  t->len += n;
}

int
ferry_generate_restart_policy_is_valid (const char *name)
{
  static const char *const policies[]
      = { "no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort", "always", NULL };

  for (size_t i = 0; policies[i]; i++)
    if (strcmp (name, policies[i]) == 0)
      return 1;
  return 0;
}

/* ARG as one word of a systemd command line: `$` and `%` doubled (no
 * variable or specifier of the user's is expanded), in double quotes
 * with `"` and `\` escaped when it holds blanks or quotes.  */
static char *
systemd_word (const char *arg)
{
  int quote = arg[0] == '\0' || strpbrk (arg, " \t\n\"'\\") != NULL;
  struct text t = { NULL, 0 };

  text_add (&t, "%s", quote ? "\"" : "");
  for (const char *p = arg; *p; p++)
    switch (*p)
      {
      case '$':
        text_add (&t, "$$");
        break;
      case '%':
        text_add (&t, "%%%%");
        break;
      case '"':
      case '\\':
        text_add (&t, quote ? "\\%c" : "%c", *p);
        break;
      case '\n':
        text_add (&t, "\\n");
        break;
      default:
        text_add (&t, "%c", *p);
      }
  text_add (&t, "%s", quote ? "\"" : "");
  return t.s;
}

/* WORDS as Podman lays out a long command line: a new line before each
 * word that starts with `-`.  The words are already escaped.  */
static void
add_command (struct text *t, char **words)
{
  for (size_t i = 0; words[i]; i++)
    text_add (t, "%s%s", i == 0 ? "" : words[i][0] == '-' ? " \\\n\t" : " ", words[i]);
}

struct words
{
  char **v;
  size_t n;
};

static void
words_add (struct words *w, char *owned)
{
  w->v = xrealloc (w->v, sizeof (char *) * (w->n + 2));
  w->v[w->n++] = owned;
  w->v[w->n] = NULL;
}

/* Options of the user's that the unit's own replace.  */
static int
dropped_flag (const char *a)
{
  return strcmp (a, "-d") == 0 || strcmp (a, "--detach") == 0 || strcmp (a, "--rm") == 0
         || strncmp (a, "--rm=", 5) == 0;
}

/* Those of them with a value, as the next word or after `=`.  */
static int
dropped_option (const char *a, int *next_too)
{
  static const char *const options[] = { "--cgroups", "--cidfile", "--pidfile", "--conmon-pidfile", NULL };

  for (size_t i = 0; options[i]; i++)
    {
      size_t n = strlen (options[i]);
      if (strncmp (a, options[i], n) == 0 && (a[n] == '\0' || a[n] == '='))
        {
          *next_too = a[n] == '\0';
          return 1;
        }
    }
  return 0;
}

/* Podman's rewrite of the creating command line: the executable is this
 * ferry, `create` becomes `run`, which gets --cidfile, --cgroups=no-conmon,
 * --rm, --sdnotify=conmon (unless given), -d and --replace (with --name,
 * unless given); the user's -d, --detach, --rm, --cidfile, --cgroups and
 * --pidfile go.  With TEMPLATE the name gets -%i.  */
static int
new_command (json_object *rec, const struct ferry_generate_systemd_options *o, struct words *w,
             ferry_error_t *err)
{
  json_object *cmd = ferry_json_get_array (rec, "CreateCommand");
  size_t n = ferry_json_array_length (cmd), verb = 0, image, i;
  int has_sdnotify = 0, has_replace = 0, has_name = 0;

  if (n < 2)
    return ferry_make_error (err, 0,
                             "cannot use --new on container %s: no create command found: only works on "
                             "containers created with ferry run or ferry create",
                             ferry_json_get_string (rec, "Name"));
  image = (size_t) ferry_json_get_int (rec, "CreateCommandImage", (int64_t) n);
  for (i = 1; i < image && verb == 0; i++)
    {
      const char *a = json_object_get_string (json_object_array_get_idx (cmd, i));
      if (strcmp (a, "run") == 0 || strcmp (a, "create") == 0)
        verb = i;
    }
  if (verb == 0 || image > n)
    return ferry_make_error (err, 0,
                             "cannot use --new on container %s: its create command has no run or create",
                             ferry_json_get_string (rec, "Name"));
  for (i = verb + 1; i < image; i++)
    {
      const char *a = json_object_get_string (json_object_array_get_idx (cmd, i));

      has_sdnotify |= strcmp (a, "--sdnotify") == 0 || strncmp (a, "--sdnotify=", 11) == 0;
      has_replace |= strcmp (a, "--replace") == 0 || strncmp (a, "--replace=", 10) == 0;
      has_name |= strcmp (a, "--name") == 0 || strncmp (a, "--name=", 7) == 0;
    }
  words_add (w, systemd_word (o->executable));
  for (i = 1; i < verb; i++)
    words_add (w, systemd_word (json_object_get_string (json_object_array_get_idx (cmd, i))));
  words_add (w, xstrdup ("run"));
  words_add (w, xstrdup (CIDFILE_ARG));
  words_add (w, xstrdup ("--cgroups=no-conmon"));
  words_add (w, xstrdup ("--rm"));
  if (! has_sdnotify)
    words_add (w, xstrdup ("--sdnotify=conmon"));
  words_add (w, xstrdup ("-d"));
  if (has_name && ! has_replace)
    words_add (w, xstrdup ("--replace"));
  for (i = verb + 1; i < n; i++)
    {
      const char *a = json_object_get_string (json_object_array_get_idx (cmd, i));
      int next_too = 0;

      if (i < image && dropped_flag (a))
        continue;
      if (i < image && dropped_option (a, &next_too))
        {
          i += next_too;
          continue;
        }
      if (i < image && o->template_unit && strncmp (a, "--name=", 7) == 0)
        {
          cleanup_free char *escaped = systemd_word (a);
          words_add (w, xasprintf ("%s-%%i", escaped));
          continue;
        }
      if (i + 1 < image && o->template_unit && strcmp (a, "--name") == 0)
        {
          cleanup_free char *escaped
              = systemd_word (json_object_get_string (json_object_array_get_idx (cmd, ++i)));
          words_add (w, xstrdup (a));
          words_add (w, xasprintf ("%s-%%i", escaped));
          continue;
        }
      words_add (w, systemd_word (a));
    }
  return 0;
}

static int
env_compare (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
add_environment (struct text *t, char **env)
{
  size_t n = 0, k = 0;
  cleanup_free char **sorted = NULL;

  while (env && env[n])
    n++;
  sorted = xmalloc0 (sizeof (char *) * (n + 1));
  for (size_t i = 0; i < n; i++)
    {
      const char *value = strchr (env[i], '=') ? NULL : getenv (env[i]);

      if (strchr (env[i], '='))
        sorted[k++] = xstrdup (env[i]);
      else if (value)
        sorted[k++] = xasprintf ("%s=%s", env[i], value);
    }
  qsort (sorted, k, sizeof (char *), env_compare);
  for (size_t i = 0; i < k; i++)
    {
      cleanup_free char *word = systemd_word (sorted[i]);
      text_add (t, "Environment=%s\n", word);
      free (sorted[i]);
    }
}

static void
add_dependencies (struct text *t, const struct ferry_generate_systemd_options *o)
{
  struct
  {
    const char *key;
    char **list;
  } deps[] = { { "Wants", o->wants }, { "After", o->after }, { "Requires", o->requires } };
  int any = 0;

  for (size_t i = 0; i < 3; i++)
    any |= deps[i].list && deps[i].list[0];
  if (! any)
    return;
  text_add (t, "\n# User-defined dependencies\n");
  for (size_t i = 0; i < 3; i++)
    for (size_t k = 0; deps[i].list && deps[i].list[k]; k++)
      text_add (t, "%s=%s\n", deps[i].key, deps[i].list[k]);
}

static char *
header_time (void)
{
  char stamp[64];
  time_t now = time (NULL);
  struct tm tm;

  localtime_r (&now, &tm);
  strftime (stamp, sizeof (stamp), "%a %b %e %H:%M:%S %Z %Y", &tm);
  return xstrdup (stamp);
}

/* ferry [root flags] VERB ..., as one line.  */
static char *
root_command (const struct ferry_generate_systemd_options *o, const char *verb)
{
  struct text t = { NULL, 0 };
  cleanup_free char *exe = systemd_word (o->executable);

  text_add (&t, "%s", exe);
  for (size_t i = 0; o->root_flags && o->root_flags[i]; i++)
    {
      cleanup_free char *w = systemd_word (o->root_flags[i]);
      text_add (&t, " %s", w);
    }
  text_add (&t, " %s", verb);
  return t.s;
}

int
ferry_generate_systemd (ferry_engine_t *e, const char *ref, const struct ferry_generate_systemd_options *o,
                        char **name_out, char **text_out, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  struct text t = { NULL, 0 };
  struct words w = { NULL, 0 };
  int new_container = o->new_container || o->template_unit;
  cleanup_free char *name = NULL, *unit = NULL, *target = NULL, *bundle = NULL;
  long long stop_timeout;
  int ret = -1;

  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return ferry_error_wrap (err, "%s does not refer to a container", ref);
  if (new_container && new_command (c->record, o, &w, err) < 0)
    goto out;
  target = xstrdup (o->use_name ? c->name : c->id);
  name = xasprintf ("%s%s%s", o->prefix ? o->prefix : "container", o->separator ? o->separator : "-", target);
  unit = xasprintf ("%s%s.service", name, o->template_unit ? "@" : "");
  stop_timeout = o->stop_timeout >= 0 ? o->stop_timeout : ferry_json_get_int (c->record, "StopTimeout", 10);
  bundle = ferry_engine_bundle_dir (e, c->id);
  /* --no-header leaves the unit's name, as Podman's.  */
  text_add (&t, "# %s\n", unit);
  if (! o->no_header)
    {
      cleanup_free char *stamp = header_time ();
      text_add (&t, "# autogenerated by ferry %s\n# %s\n", FERRY_VERSION, stamp);
    }
  text_add (&t, "\n");
  text_add (&t, "[Unit]\nDescription=ferry %s.service%s\n", name, o->template_unit ? " for %I" : "");
  text_add (&t, "Documentation=man:ferry-generate-systemd(1)\n");
  text_add (&t, "Wants=network-online.target\nAfter=network-online.target\n");
  text_add (&t, "RequiresMountsFor=%s\n", e->runroot);
  add_dependencies (&t, o);
  text_add (&t, "\n[Service]\nEnvironment=PODMAN_SYSTEMD_UNIT=%s\n", o->template_unit ? "%n-%i" : "%n");
  add_environment (&t, o->env);
  text_add (&t, "Restart=%s\n", o->restart ? o->restart : "on-failure");
  if (o->restart_sec >= 0)
    text_add (&t, "RestartSec=%lld\n", o->restart_sec);
  if (o->start_timeout >= 0)
    text_add (&t, "TimeoutStartSec=%lld\n", o->start_timeout);
  text_add (&t, "TimeoutStopSec=%lld\n", stop_timeout + STOP_TIMEOUT_MARGIN);
  if (new_container)
    {
      /* The roots too, unlike Podman's: a unit of a root other than the
       * default one must stop its own container.  */
      cleanup_free char *stop = root_command (o, "stop");
      cleanup_free char *rm = root_command (o, "rm");

      text_add (&t, "ExecStart=");
      add_command (&t, w.v);
      text_add (&t, "\nExecStop=%s \\\n\t--ignore -t %lld \\\n\t%s\n", stop, stop_timeout, CIDFILE_ARG);
      text_add (&t, "ExecStopPost=%s \\\n\t-f \\\n\t--ignore -t %lld \\\n\t%s\n", rm, stop_timeout,
                CIDFILE_ARG);
      text_add (&t, "Type=notify\nNotifyAccess=all\n");
    }
  else
    {
      cleanup_free char *start = root_command (o, "start");
      cleanup_free char *stop = root_command (o, "stop");

      text_add (&t, "ExecStart=%s %s\n", start, target);
      text_add (&t, "ExecStop=%s  \\\n\t-t %lld %s\n", stop, stop_timeout, target);
      text_add (&t, "ExecStopPost=%s  \\\n\t-t %lld %s\n", stop, stop_timeout, target);
      text_add (&t, "PIDFile=%s/conmon.pid\nType=forking\n", bundle);
    }
  text_add (&t, "\n[Install]\nWantedBy=default.target\n");
  *name_out = steal_pointer (&name);
  *text_out = steal_pointer (&t.s);
  ret = 0;
out:
  free (t.s);
  ferry_cleanup_strvp (&w.v);
  ferry_container_free (c);
  return ret;
}

/* ---- generate spec ---------------------------------------------------- */

/* Podman's CheckName for a clone: NAME-clone, or for a clone already the
 * next NAME-cloneN that no container has.  */
static char *
clone_name (ferry_engine_t *e, const char *name)
{
  const char *at = strstr (name, "-clone");
  cleanup_free char *base = NULL;
  long num = 0;
  int numeric;

  if (at == NULL)
    return xasprintf ("%s-clone", name);
  base = xstrndup (name, (size_t) (at - name) + 6);
  numeric = at[6] != '\0' && strspn (at + 6, "0123456789") == strlen (at + 6);
  if (numeric)
    num = strtol (at + 6, NULL, 10);
  if (num == 0 && ! numeric)
    {
      cleanup_free char *one = xasprintf ("%s1", name);
      struct ferry_container *c = NULL;
      ferry_error_t ignored = NULL;

      if (ferry_container_lookup (e, one, &c, &ignored) < 0)
        {
          ferry_error_release (&ignored);
          return steal_pointer (&one);
        }
      ferry_container_free (c);
      free (base);
      base = xstrdup (name);
    }
  for (long count = num + 1;; count++)
    {
      cleanup_free char *candidate = xasprintf ("%s%ld", base, count);
      struct ferry_container *c = NULL;
      ferry_error_t ignored = NULL;

      if (ferry_container_lookup (e, candidate, &c, &ignored) < 0)
        {
          ferry_error_release (&ignored);
          return steal_pointer (&candidate);
        }
      ferry_container_free (c);
    }
}

static json_object *
spec_namespace (const char *mode)
{
  json_object *ns = json_object_new_object ();

  json_object_object_add (ns, "nsmode", json_object_new_string (mode));
  return ns;
}

/* The record's environment as a map, without the HOSTNAME ferry sets for
 * every container (Podman's spec has one only for a --hostname).  */
static json_object *
spec_env (const struct ferry_container *c)
{
  json_object *env = ferry_json_get_array (c->record, "Env");
  const char *hostname = ferry_json_get_string (c->record, "Hostname");
  json_object *map = json_object_new_object ();
  size_t n = ferry_json_array_length (env), k = 0;
  cleanup_free char **sorted = xmalloc0 (sizeof (char *) * (n + 1));

  /* Go writes a map's keys sorted.  */
  for (size_t i = 0; i < n; i++)
    {
      const char *s = json_object_get_string (json_object_array_get_idx (env, i));
      if (s && strchr (s, '='))
        sorted[k++] = (char *) s;
    }
  qsort (sorted, k, sizeof (char *), env_compare);
  for (size_t i = 0; i < k; i++)
    {
      const char *eq = strchr (sorted[i], '=');
      cleanup_free char *name = xstrndup (sorted[i], (size_t) (eq - sorted[i]));

      if (strcmp (name, "HOSTNAME") == 0 && hostname && strstr (c->id, hostname)
          && strcmp (eq + 1, hostname) == 0)
        continue;
      json_object_object_add (map, name, json_object_new_string (eq + 1));
    }
  return map;
}

static void
add_bool (json_object *o, const char *key, int v)
{
  json_object_object_add (o, key, json_object_new_boolean (v));
}

/* Whether the tmpfs options OPTS (comma-separated, as typed) hold any of
 * WORDS.  */
static int
tmpfs_says (const char *opts, const char *const *words)
{
  cleanup_free char *copy = xstrdup (opts ? opts : "");
  char *save = NULL;

  for (char *w = strtok_r (copy, ",", &save); w; w = strtok_r (NULL, ",", &save))
    for (size_t k = 0; words[k]; k++)
      if (strcmp (w, words[k]) == 0)
        return 1;
  return 0;
}

/* A tmpfs's options as Podman's spec holds them: those typed (but
 * notmpcopyup), then MODE, rprivate, nosuid, nodev and tmpcopyup where
 * they did not say them.  */
static void
tmpfs_spec_options (json_object *opts, json_object *m, const char *mode)
{
  static const char *const RO_RW[] = { "ro", "rw", NULL }, *const SUID[] = { "suid", "nosuid", NULL };
  static const char *const DEV[] = { "dev", "nodev", NULL };
  static const char *const COPYUP[] = { "tmpcopyup", "notmpcopyup", NULL };
  static const char *const PROPAGATION[]
      = { "shared", "rshared", "slave", "rslave", "private", "rprivate", "unbindable", "runbindable", NULL };
  const char *typed = ferry_json_get_string (m, "TmpfsOptions");
  cleanup_free char *copy = xstrdup (typed ? typed : "");
  char *save = NULL;

  for (char *w = strtok_r (copy, ",", &save); w; w = strtok_r (NULL, ",", &save))
    if (strcmp (w, "notmpcopyup") != 0)
      json_object_array_add (opts, json_object_new_string (w));
  if (! tmpfs_says (typed, RO_RW))
    json_object_array_add (opts, json_object_new_string (mode));
  if (! tmpfs_says (typed, PROPAGATION))
    json_object_array_add (opts, json_object_new_string ("rprivate"));
  if (! tmpfs_says (typed, SUID))
    json_object_array_add (opts, json_object_new_string ("nosuid"));
  if (! tmpfs_says (typed, DEV))
    json_object_array_add (opts, json_object_new_string ("nodev"));
  if (! tmpfs_says (typed, COPYUP))
    json_object_array_add (opts, json_object_new_string ("tmpcopyup"));
}

/* Bind and tmpfs mounts as OCI mounts, with the options Podman's spec
 * holds for them.  */
static json_object *
spec_mounts (json_object *rec, int named)
{
  json_object *list = ferry_json_get_array (rec, "Mounts");
  json_object *out = json_object_new_array ();

  for (size_t i = 0; i < ferry_json_array_length (list); i++)
    {
      json_object *m = json_object_array_get_idx (list, i);
      const char *type = ferry_json_get_string (m, "Type");
      const char *dest = ferry_json_get_string (m, "Destination");
      json_object *rw = json_object_object_get (m, "RW");
      const char *mode = rw && ! json_object_get_boolean (rw) ? "ro" : "rw";
      json_object *o = json_object_new_object (), *opts = json_object_new_array ();

      if (type == NULL || dest == NULL || ferry_mount_is_carried_bind (m)
          || named != (strcmp (type, "volume") == 0)
          || (! named && strcmp (type, "bind") != 0 && strcmp (type, "tmpfs") != 0))
        {
          json_object_put (o);
          json_object_put (opts);
          continue;
        }
      if (strcmp (type, "tmpfs") == 0)
        tmpfs_spec_options (opts, m, mode);
      else
        {
          /* The words inspect's HostConfig.Binds shows, as Podman's spec
           * holds them.  */
          cleanup_free char *words = ferry_mount_binds_options (m);
          char *save = NULL;

          for (char *w = strtok_r (words, ",", &save); w; w = strtok_r (NULL, ",", &save))
            json_object_array_add (opts, json_object_new_string (w));
        }
      if (named)
        {
          const char *sub = ferry_json_get_string (m, "SubPath");
          json_object_object_add (o, "Name",
                                  json_object_new_string (ferry_json_get_string (m, "Name") ?: ""));
          json_object_object_add (o, "Dest", json_object_new_string (dest));
          json_object_object_add (o, "Options", opts);
          add_bool (o, "IsAnonymous", 0);
          json_object_object_add (o, "SubPath", json_object_new_string (sub ? sub : ""));
        }
      else
        {
          const char *source = strcmp (type, "tmpfs") == 0 ? "tmpfs" : ferry_json_get_string (m, "Source");
          json_object_object_add (o, "destination", json_object_new_string (dest));
          json_object_object_add (o, "type", json_object_new_string (type));
          json_object_object_add (o, "source", json_object_new_string (source ? source : ""));
          json_object_object_add (o, "options", opts);
        }
      json_object_array_add (out, o);
    }
  return out;
}

/* Podman's IDMappings: the host's own for a container without a user
 * namespace of its own.  */
static json_object *
spec_idmappings (json_object *rec)
{
  json_object *m = json_object_new_object (), *auto_opts = json_object_new_object ();
  json_object *uid_map = ferry_json_get_array (rec, "UidMap"),
              *gid_map = ferry_json_get_array (rec, "GidMap");

  add_bool (m, "HostUIDMapping", uid_map == NULL);
  add_bool (m, "HostGIDMapping", gid_map == NULL);
  json_object_object_add (m, "UIDMap", uid_map ? json_object_get (uid_map) : NULL);
  json_object_object_add (m, "GIDMap", gid_map ? json_object_get (gid_map) : NULL);
  add_bool (m, "AutoUserNs", 0);
  json_object_object_add (auto_opts, "Size", json_object_new_int (0));
  json_object_object_add (auto_opts, "InitialSize", json_object_new_int (0));
  json_object_object_add (auto_opts, "PasswdFile", json_object_new_string (""));
  json_object_object_add (auto_opts, "GroupFile", json_object_new_string (""));
  json_object_object_add (auto_opts, "AdditionalUIDMappings", NULL);
  json_object_object_add (auto_opts, "AdditionalGIDMappings", NULL);
  json_object_object_add (m, "AutoUserNsOpts", auto_opts);
  return m;
}

static json_object *
spec_ports (json_object *rec)
{
  json_object *ports = ferry_json_get_array (rec, "Ports");
  json_object *out = json_object_new_array ();

  for (size_t i = 0; i < ferry_json_array_length (ports); i++)
    {
      json_object *p = json_object_array_get_idx (ports, i), *o = json_object_new_object ();
      const char *ip = ferry_json_get_string (p, "host_ip"), *proto = ferry_json_get_string (p, "protocol");

      json_object_object_add (o, "host_ip", json_object_new_string (ip ? ip : ""));
      json_object_object_add (o, "container_port",
                              json_object_new_int64 (ferry_json_get_int (p, "container_port", 0)));
      json_object_object_add (o, "host_port", json_object_new_int64 (ferry_json_get_int (p, "host_port", 0)));
      json_object_object_add (o, "range", json_object_new_int64 (ferry_json_get_int (p, "range", 1)));
      json_object_object_add (o, "protocol", json_object_new_string (proto ? proto : "tcp"));
      json_object_array_add (out, o);
    }
  return out;
}

static json_object *
spec_networks (const struct ferry_container *c)
{
  json_object *nets = ferry_json_get_object (c->record, "Networks");
  json_object *out = json_object_new_object ();
  char short_id[13];

  snprintf (short_id, sizeof (short_id), "%s", c->id);
  if (nets)
    {
      json_object_object_foreach (nets, name, n)
      {
        json_object *o = json_object_new_object (), *aliases = json_object_new_array ();
        const char *iface = ferry_json_get_string (n, "Interface");

        json_object_array_add (aliases, json_object_new_string (short_id));
        json_object_object_add (o, "aliases", aliases);
        json_object_object_add (o, "interface_name", json_object_new_string (iface ? iface : "eth0"));
        json_object_object_add (out, name, o);
      }
    }
  /* Left on no network by a disconnect: null, as Podman's.  */
  if (json_object_object_length (out) == 0)
    {
      json_object_put (out);
      return NULL;
    }
  return out;
}

static json_object *
spec_resources (json_object *rec, int privileged)
{
  json_object *res = json_object_new_object ();
  int64_t memory = ferry_json_get_int (rec, "Memory", 0), nano = ferry_json_get_int (rec, "NanoCpus", 0);
  int64_t quota = ferry_json_get_int (rec, "CpuQuota", 0), period = ferry_json_get_int (rec, "CpuPeriod", 0);

  if (! privileged)
    {
      json_object *devices = json_object_new_array (), *d = json_object_new_object ();
      add_bool (d, "allow", 0);
      json_object_object_add (d, "access", json_object_new_string ("rwm"));
      json_object_array_add (devices, d);
      json_object_object_add (res, "devices", devices);
    }
  if (memory > 0)
    {
      json_object *m = json_object_new_object ();
      /* Podman's swap limit is twice the memory unless given.  */
      json_object_object_add (m, "limit", json_object_new_int64 (memory));
      json_object_object_add (m, "swap",
                              json_object_new_int64 (ferry_json_get_int (rec, "MemorySwap", 2 * memory)));
      json_object_object_add (res, "memory", m);
    }
  if (nano > 0)
    {
      period = 100000;
      quota = (int64_t) ((double) nano / 1e9 * 100000);
    }
  if (quota > 0)
    {
      json_object *cpu = json_object_new_object ();
      json_object_object_add (cpu, "quota", json_object_new_int64 (quota));
      json_object_object_add (cpu, "period", json_object_new_int64 (period > 0 ? period : 100000));
      json_object_object_add (res, "cpu", cpu);
    }
  {
    json_object *pids = json_object_new_object ();
    int64_t limit = ferry_json_get_int (rec, "PidsLimit", 2048);
    json_object_object_add (pids, "limit", json_object_new_int64 (limit));
    json_object_object_add (res, "pids", pids);
  }
  return res;
}

int
ferry_generate_spec (ferry_engine_t *e, const char *ref, int use_clone_name, json_object **out,
                     ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  json_object *rec, *s, *a, *mounts, *volumes;
  const char *network, *user, *policy, *umask_text, *log_dest;
  int privileged;

  if (ferry_container_lookup (e, ref, &c, err) < 0)
    {
      if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
        return -1;
      ferry_error_release (err);
      return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                    "could not find a pod or container with the id %s", ref);
    }
  rec = c->record;
  s = json_object_new_object ();
  privileged = json_object_get_boolean (json_object_object_get (rec, "Privileged"));
  network = ferry_json_get_string (rec, "Network");
  {
    cleanup_free char *name = use_clone_name ? clone_name (e, c->name) : xstrdup (c->name);
    json_object_object_add (s, "name", json_object_new_string (name));
  }
  a = ferry_json_get_array (rec, "Entrypoint");
  if (ferry_json_array_length (a))
    json_object_object_add (s, "entrypoint", json_object_get (a));
  a = ferry_json_get_array (rec, "Cmd");
  if (ferry_json_array_length (a))
    json_object_object_add (s, "command", json_object_get (a));
  json_object_object_add (s, "env", spec_env (c));
  if (json_object_get_boolean (json_object_object_get (rec, "OpenStdin")))
    add_bool (s, "stdin", 1);
  a = ferry_json_get_object (rec, "Labels");
  if (a && json_object_object_length (a))
    json_object_object_add (s, "labels", json_object_get (a));
  policy = ferry_json_get_string (rec, "RestartPolicy");
  if (policy && *policy)
    json_object_object_add (s, "restart_policy", json_object_new_string (policy));
  json_object_object_add (s, "sdnotifyMode", json_object_new_string ("container"));
  json_object_object_add (s, "pidns", spec_namespace ("default"));
  json_object_object_add (s, "utsns", spec_namespace ("private"));
  a = ferry_json_get_array (rec, "CreateCommand");
  if (a)
    json_object_object_add (s, "containerCreateCommand", json_object_get (a));
  json_object_object_add (s, "init_container_type", json_object_new_string (""));
  json_object_object_add (s, "image", json_object_new_string (c->image_id ? c->image_id : ""));
  mounts = spec_mounts (rec, 0);
  volumes = spec_mounts (rec, 1);
  if (json_object_array_length (mounts))
    json_object_object_add (s, "mounts", mounts);
  else
    json_object_put (mounts);
  if (json_object_array_length (volumes))
    json_object_object_add (s, "volumes", volumes);
  else
    json_object_put (volumes);
  json_object_object_add (s, "ipcns", spec_namespace ("default"));
  json_object_object_add (s, "shm_size",
                          json_object_new_int64 (ferry_json_get_int (rec, "ShmSize", 65536000)));
  json_object_object_add (s, "shm_size_systemd", json_object_new_int64 (0));
  if (json_object_get_boolean (json_object_object_get (rec, "AutoRemove")))
    add_bool (s, "volatile", 1);
  add_bool (s, "privileged", privileged);
  user = ferry_json_get_string (rec, "User");
  if (user && *user)
    json_object_object_add (s, "user", json_object_new_string (user));
  json_object_object_add (s, "userns", spec_namespace ("default"));
  json_object_object_add (s, "idmappings", spec_idmappings (rec));
  umask_text = ferry_json_get_string (rec, "Umask");
  json_object_object_add (s, "umask", json_object_new_string (umask_text ? umask_text : "0022"));
  json_object_object_add (s, "cgroupns", spec_namespace ("default"));
  if (network && strcmp (network, "none") != 0 && strcmp (network, "host") != 0)
    {
      json_object_object_add (s, "netns", spec_namespace ("bridge"));
      json_object_object_add (s, "portmappings", spec_ports (rec));
      json_object_object_add (s, "Networks", spec_networks (c));
    }
  else
    {
      /* Podman's spec says private for --network none.  */
      json_object_object_add (s, "netns",
                              spec_namespace (network && strcmp (network, "host") == 0 ? "host" : "private"));
      json_object_object_add (s, "Networks", NULL);
    }
  add_bool (s, "use_image_hostname", 0);
  add_bool (s, "use_image_hosts", 0);
  json_object_object_add (s, "resource_limits", spec_resources (rec, privileged));
  log_dest = ferry_json_get_string (rec, "HealthLogDestination");
  json_object_object_add (s, "healthLogDestination", json_object_new_string (log_dest ? log_dest : "local"));
  json_object_object_add (s, "healthMaxLogCount",
                          json_object_new_int64 (ferry_json_get_int (rec, "HealthcheckMaxLogCount", 5)));
  json_object_object_add (s, "healthMaxLogSize",
                          json_object_new_int64 (ferry_json_get_int (rec, "HealthcheckMaxLogSize", 500)));
  ferry_container_free (c);
  *out = s;
  return 0;
}
