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
