#include "common.h"
#include "state/events.h"
#include "image/registry.h"
#include "engine/engine.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ferry_global ferry_global;

int
ferry_cli_common_option (int opt, const char *cmd, char **argv)
{
  switch (opt)
    {
    case OPT_GLOBAL_ROOT:
      ferry_global.root = optarg;
      return 0;
    case OPT_GLOBAL_RUNROOT:
      ferry_global.runroot = optarg;
      return 0;
    case OPT_GLOBAL_RUNTIME:
      ferry_global.runtime = optarg;
      return 0;
    case OPT_GLOBAL_LOG_LEVEL:
      if (strcmp (optarg, "debug") && strcmp (optarg, "info") && strcmp (optarg, "warn")
          && strcmp (optarg, "error"))
        {
          fprintf (stderr, "Error: invalid --log-level `%s`: use debug, info, warn or error\n", optarg);
          return -1;
        }
      ferry_global.log_level = optarg;
      return 0;
    case OPT_GLOBAL_EVENTS_BACKEND:
      if (! ferry_events_backend_is_valid (optarg))
        {
          fprintf (
              stderr,
              "Error: invalid --events-backend `%s`: use file or none (ferry keeps no journald events)\n",
              optarg);
          return -1;
        }
      ferry_events_set_backend (optarg);
      return 0;
    case OPT_GLOBAL_CGROUP_MANAGER:
      if (strcmp (optarg, "cgroupfs") != 0)
        {
          fprintf (stderr, "Error: invalid --cgroup-manager `%s`: ferry manages cgroups with cgroupfs only\n",
                   optarg);
          return -1;
        }
      return 0;
    case OPT_GLOBAL_NOOUT:
    case OPT_GLOBAL_OUT:
      {
        const char *path = opt == OPT_GLOBAL_NOOUT ? "/dev/null" : optarg;
        int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

        fflush (stdout);
        if (fd < 0 || dup2 (fd, STDOUT_FILENO) < 0)
          {
            fprintf (stderr, "Error: cannot write the output to `%s`: %s\n", path, strerror (errno));
            if (fd >= 0)
              close (fd);
            return -1;
          }
        close (fd);
        return 0;
      }
    case 'h':
      return 1;
    case ':':
      fprintf (stderr, "Error: flag needs an argument: %s\nSee 'ferry %s --help'\n", argv[optind - 1], cmd);
      return -1;
    default:
      fprintf (stderr, "Error: unknown flag: %s\nSee 'ferry %s --help'\n", argv[optind - 1], cmd);
      return -1;
    }
}

void
ferry_cli_registry_defaults (struct ferry_registry_options *o)
{
  memset (o, 0, sizeof (*o));
  o->tls_verify = 1;
}

int
ferry_cli_registry_option (int opt, const char *arg, struct ferry_registry_options *o)
{
  switch (opt)
    {
    case OPT_REGISTRY_TLS_VERIFY:
      if (arg == NULL || strcmp (arg, "true") == 0)
        o->tls_verify = 1;
      else if (strcmp (arg, "false") == 0)
        o->tls_verify = 0;
      else
        {
          fprintf (stderr, "Error: invalid --tls-verify `%s`: use true or false\n", arg);
          return -1;
        }
      return 1;
    case OPT_REGISTRY_CREDS:
      if (strchr (arg, ':') == NULL || arg[0] == ':')
        {
          fprintf (stderr, "Error: invalid --creds: give them as USER:PASSWORD\n");
          return -1;
        }
      o->creds = arg;
      return 1;
    case OPT_REGISTRY_AUTHFILE:
      o->authfile = arg;
      return 1;
    case OPT_REGISTRY_CERT_DIR:
      o->cert_dir = arg;
      return 1;
    default:
      return 0;
    }
}

int
ferry_cli_parse_or_help (int opt, const char *cmd, char **argv, const char *usage)
{
  int r = ferry_cli_common_option (opt, cmd, argv);

  if (r > 0)
    fputs (usage, stdout);
  return r;
}

int
ferry_cli_dispatch (const char *group, const struct ferry_command *table, int argc, char **argv)
{
  size_t i;

  if (argc < 1 || strcmp (argv[0], "--help") == 0 || strcmp (argv[0], "-h") == 0
      || strcmp (argv[0], "help") == 0)
    {
      FILE *out = argc < 1 ? stderr : stdout;
      fprintf (out, "Usage: ferry %s COMMAND\n\nCommands:\n", group);
      for (i = 0; table[i].name; i++)
        if (table[i].summary)
          fprintf (out, "  %-10s %s\n", table[i].name, table[i].summary);
      return argc < 1 ? FERRY_EXIT_ERROR : 0;
    }
  for (i = 0; table[i].name; i++)
    if (strcmp (table[i].name, argv[0]) == 0)
      return table[i].run (argc, argv);
  return ferry_cli_failf ("unknown command `ferry %s %s`: see 'ferry %s --help'", group, argv[0], group);
}

int
ferry_cli_fail (ferry_error_t *err)
{
  ferry_error_print (*err);
  ferry_error_release (err);
  return FERRY_EXIT_ERROR;
}

int
ferry_cli_failf (const char *fmt, ...)
{
  va_list ap;

  fputs ("Error: ", stderr);
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  return FERRY_EXIT_ERROR;
}

ferry_store_t *
ferry_cli_open_store (void)
{
  ferry_error_t err = NULL;
  ferry_store_t *s;

  if (ferry_store_open (ferry_global.root, &s, &err) < 0)
    {
      ferry_cli_fail (&err);
      return NULL;
    }
  return s;
}

struct ferry_engine *
ferry_cli_open_engine (void)
{
  ferry_error_t err = NULL;
  ferry_engine_t *e;

  if (ferry_engine_open (ferry_global.root, ferry_global.runroot, ferry_global.runtime,
                         ferry_global.log_level, ferry_global.config, &e, &err)
      < 0)
    {
      ferry_cli_fail (&err);
      return NULL;
    }
  return e;
}

void
ferry_cli_cleanup_enginep (struct ferry_engine **e)
{
  ferry_engine_close (*e);
}

char *
ferry_cli_human_size (uint64_t bytes)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
  double v = bytes;
  size_t u = 0;

  while (v >= 1000 && u < sizeof (units) / sizeof (units[0]) - 1)
    {
      v /= 1000;
      u++;
    }
  if (u == 0)
    return xasprintf ("%llu %s", (unsigned long long) bytes, units[0]);
  /* Three significant digits, as Go's units.HumanSize.  */
  return xasprintf ("%.3g %s", v, units[u]);
}

char *
ferry_cli_time_ago (const char *rfc3339)
{
  struct timespec then;
  double d;

  if (ferry_time_parse (rfc3339, &then) < 0)
    return xstrdup ("unknown");
  d = difftime (time (NULL), then.tv_sec);
  if (d < 1)
    return xstrdup ("Less than a second ago");
  if (d < 60)
    return (int) d == 1 ? xstrdup ("1 second ago") : xasprintf ("%d seconds ago", (int) d);
  if (d < 3600)
    return (int) (d / 60) == 1 ? xstrdup ("About a minute ago")
                               : xasprintf ("%d minutes ago", (int) (d / 60));
  if (d < 86400 * 2)
    return (int) (d / 3600) == 1 ? xstrdup ("About an hour ago")
                                 : xasprintf ("%d hours ago", (int) (d / 3600));
  if (d < 86400 * 7 * 2)
    return xasprintf ("%d days ago", (int) (d / 86400));
  if (d < 86400 * 30 * 3)
    return xasprintf ("%d weeks ago", (int) (d / 86400 / 7));
  if (d < 86400 * 365 * 2)
    return xasprintf ("%d months ago", (int) (d / 86400 / 30));
  return xasprintf ("%d years ago", (int) (d / 86400 / 365));
}

/* The template engine: a cursor over one action's words.  */
struct tpl
{
  const char *p;
  const char *end;
  const char *format;
};

static void
tpl_skip_space (struct tpl *t)
{
  while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
    t->p++;
}

static json_object *
tpl_field_path (struct tpl *t, json_object *obj, ferry_error_t *err)
{
  json_object *cur = obj;

  if (t->p >= t->end || *t->p != '.')
    {
      ferry_make_error (err, 0, "template: expected a field like .Name in `%s`", t->format);
      return NULL;
    }
  t->p++;
  while (t->p < t->end && *t->p != ' ' && *t->p != ')')
    {
      const char *start = t->p;
      cleanup_free char *key = NULL;

      while (t->p < t->end && *t->p != '.' && *t->p != ' ' && *t->p != ')')
        t->p++;
      key = xstrndup (start, t->p - start);
      if (*key
          && (cur == NULL || ! json_object_is_type (cur, json_type_object)
              || ! json_object_object_get_ex (cur, key, &cur)))
        {
          ferry_make_error (err, 0, "template: can't evaluate field %s in `%s`", key, t->format);
          return NULL;
        }
      if (t->p < t->end && *t->p == '.')
        t->p++;
    }
  return cur ? cur : NULL;
}

static json_object *tpl_expr (struct tpl *t, json_object *obj, int *missing, ferry_error_t *err);

static char *
tpl_string_literal (struct tpl *t, ferry_error_t *err)
{
  const char *start;

  if (t->p >= t->end || *t->p != '"')
    {
      ferry_make_error (err, 0, "template: expected a quoted key in `%s`", t->format);
      return NULL;
    }
  start = ++t->p;
  while (t->p < t->end && *t->p != '"')
    t->p++;
  if (t->p >= t->end)
    {
      ferry_make_error (err, 0, "template: unterminated string in `%s`", t->format);
      return NULL;
    }
  return xstrndup (start, t->p++ - start);
}

static json_object *
tpl_index (struct tpl *t, json_object *obj, int *missing, ferry_error_t *err)
{
  json_object *cur;

  tpl_skip_space (t);
  cur = tpl_expr (t, obj, missing, err);
  if (cur == NULL && (*err || *missing))
    return NULL;
  for (;;)
    {
      cleanup_free char *key = NULL;
      json_object *next = NULL;

      tpl_skip_space (t);
      if (t->p >= t->end || *t->p == ')')
        return cur;
      if (*t->p != '"')
        {
          char *endp;
          long i = strtol (t->p, &endp, 10);
          if (endp == t->p || cur == NULL || ! json_object_is_type (cur, json_type_array))
            {
              ferry_make_error (err, 0, "template: bad index argument in `%s`", t->format);
              return NULL;
            }
          t->p = endp;
          next = i >= 0 && (size_t) i < json_object_array_length (cur) ? json_object_array_get_idx (cur, i)
                                                                       : NULL;
          if (next == NULL)
            {
              ferry_make_error (err, 0, "template: index %ld out of range in `%s`", i, t->format);
              return NULL;
            }
          cur = next;
          continue;
        }
      key = tpl_string_literal (t, err);
      if (key == NULL)
        return NULL;
      if (cur == NULL || ! json_object_is_type (cur, json_type_object)
          || ! json_object_object_get_ex (cur, key, &next))
        {
          *missing = 1;
          return NULL;
        }
      cur = next;
    }
}

static json_object *
tpl_expr (struct tpl *t, json_object *obj, int *missing, ferry_error_t *err)
{
  tpl_skip_space (t);
  if (t->p < t->end && *t->p == '(')
    {
      json_object *v;
      t->p++;
      v = tpl_expr (t, obj, missing, err);
      tpl_skip_space (t);
      if (t->p < t->end && *t->p == ')')
        t->p++;
      return v;
    }
  if (t->end - t->p >= 6 && strncmp (t->p, "index ", 6) == 0)
    {
      t->p += 6;
      return tpl_index (t, obj, missing, err);
    }
  return tpl_field_path (t, obj, err);
}

static void
tpl_print_value (FILE *out, json_object *v, int as_json)
{
  if (as_json)
    {
      fputs (v ? ferry_json_to_string (v, 0) : "null", out);
      return;
    }
  if (v == NULL)
    fputs ("<no value>", out);
  else if (json_object_is_type (v, json_type_string))
    fputs (json_object_get_string (v), out);
  else
    fputs (ferry_json_to_string (v, 0), out);
}

static int
tpl_action (struct tpl *t, json_object *obj, FILE *out, ferry_error_t *err)
{
  int as_json = 0, missing = 0;
  json_object *v;

  tpl_skip_space (t);
  if (t->end - t->p >= 5 && strncmp (t->p, "json ", 5) == 0)
    {
      as_json = 1;
      t->p += 5;
    }
  v = tpl_expr (t, obj, &missing, err);
  if (v == NULL && *err)
    return -1;
  tpl_skip_space (t);
  if (t->p != t->end)
    return ferry_make_error (err, 0, "template: unsupported action in `%s`", t->format);
  tpl_print_value (out, v, as_json);
  return 0;
}

int
ferry_cli_template (const char *format, json_object *obj, char **result, ferry_error_t *err)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&buf, &len);
  const char *p = format;

  while (*p)
    {
      if (p[0] == '{' && p[1] == '{')
        {
          const char *close = strstr (p + 2, "}}");
          struct tpl t;

          if (close == NULL)
            {
              fclose (out);
              free (buf);
              return ferry_make_error (err, 0, "template: unclosed action in `%s`", format);
            }
          t = (struct tpl){ .p = p + 2, .end = close, .format = format };
          if (tpl_action (&t, obj, out, err) < 0)
            {
              fclose (out);
              free (buf);
              return -1;
            }
          p = close + 2;
          continue;
        }
      if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n'))
        {
          fputc (p[1] == 't' ? '\t' : '\n', out);
          p += 2;
          continue;
        }
      fputc (*p++, out);
    }
  fclose (out);
  *result = buf;
  return 0;
}

int
ferry_cli_print_template (const char *format, json_object *obj)
{
  cleanup_free char *text = NULL;
  ferry_error_t err = NULL;

  if (ferry_cli_template (format, obj, &text, &err) < 0)
    return ferry_cli_fail (&err);
  puts (text);
  return 0;
}

const char *
ferry_cli_list_format (const char *format)
{
  return strncmp (format, "table ", 6) == 0 ? format + 6 : format;
}

void
ferry_cli_event (const char *type, const char *status, const char *id, const char *name)
{
  struct ferry_event ev = { .type = type, .status = status, .id = id, .name = name };

  ferry_event_log (ferry_global.runroot, &ev);
}
