/* ferry CLI: events, the event log (state/events.h) as Podman shows its
 * own: one line per event, JSON with --format json, or a Go template;
 * --filter, --since, --until, and by default it keeps following the log.  */
#include "commands.h"
#include "common.h"
#include "state/events.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum
{
  OPT_SINCE = OPT_COMMAND_FIRST,
  OPT_UNTIL,
  OPT_STREAM,
  OPT_NO_TRUNC,
};

struct filter
{
  char *key, *value;
};

struct events_args
{
  const char *format;
  struct filter *filters;
  size_t n_filters;
  int has_since, has_until, stream, no_trunc;
  /* The last line read, to find in what a rotation kept.  */
  char *last_line;
  struct timespec since, until;
};

static int
parse_bool (const char *s, int *out)
{
  if (s == NULL || strcmp (s, "true") == 0)
    *out = 1;
  else if (strcmp (s, "false") == 0)
    *out = 0;
  else
    return -1;
  return 0;
}

static int
add_filter (struct events_args *a, const char *spec)
{
  static const char *const keys[]
      = { "container", "event", "status", "image", "type", "label", "volume", "network", NULL };
  const char *eq = strchr (spec, '=');
  size_t i;

  /* Podman's words, then the keys there are.  */
  if (eq == NULL || eq == spec)
    return ferry_cli_failf ("failed to parse event filters: %s is an invalid filter: use KEY=VALUE", spec);
  for (i = 0; keys[i]; i++)
    if (strlen (keys[i]) == (size_t) (eq - spec) && strncmp (keys[i], spec, eq - spec) == 0)
      break;
  if (keys[i] == NULL)
    return ferry_cli_failf ("failed to parse event filters: %.*s is an invalid filter: use container, event, "
                            "image, label, network, type or volume",
                            (int) (eq - spec), spec);
  a->filters = xrealloc (a->filters, sizeof (*a->filters) * (a->n_filters + 1));
  a->filters[a->n_filters].key = xstrndup (spec, eq - spec);
  a->filters[a->n_filters].value = xstrdup (eq + 1);
  if (strcmp (a->filters[a->n_filters].key, "status") == 0)
    {
      free (a->filters[a->n_filters].key);
      a->filters[a->n_filters].key = xstrdup ("event");
    }
  a->n_filters++;
  return 0;
}

/* Whether EV passes one filter.  */
static int
filter_matches (json_object *ev, const struct filter *f)
{
  const char *type = ferry_json_get_string (ev, "Type");
  const char *id = ferry_json_get_string (ev, "ID");
  const char *name = ferry_json_get_string (ev, "Name");

  if (strcmp (f->key, "type") == 0)
    return type && strcmp (type, f->value) == 0;
  /* As Podman's: die is died's other name (Docker's).  */
  if (strcmp (f->key, "event") == 0)
    return ferry_json_string_equals (ev, "Status", strcmp (f->value, "die") == 0 ? "died" : f->value);
  if (strcmp (f->key, "container") == 0 || strcmp (f->key, "volume") == 0 || strcmp (f->key, "network") == 0)
    {
      const char *want = strcmp (f->key, "container") == 0 ? "container" : f->key;

      return type && strcmp (type, want) == 0
             && ((name && strcmp (name, f->value) == 0)
                 || (id && *f->value && strncmp (id, f->value, strlen (f->value)) == 0));
    }
  /* As Podman's: the image's own events, not its containers'.  */
  if (strcmp (f->key, "image") == 0)
    return type && strcmp (type, "image") == 0
           && ((name && strcmp (name, f->value) == 0)
               || (id && *f->value && strncmp (id, f->value, strlen (f->value)) == 0));
  if (strcmp (f->key, "label") == 0)
    {
      json_object *attrs = json_object_object_get (ev, "Attributes");
      const char *eq = strchr (f->value, '=');
      cleanup_free char *key = eq ? xstrndup (f->value, eq - f->value) : xstrdup (f->value);
      const char *v = ferry_json_get_string (attrs, key);

      return v && (eq == NULL || strcmp (v, eq + 1) == 0);
    }
  return 0;
}

/* Filters of one key match when any does; all keys must match.  */
static int
matches (const struct events_args *a, json_object *ev)
{
  for (size_t i = 0; i < a->n_filters; i++)
    {
      int any = 0, first = 1;

      for (size_t j = 0; j < i; j++)
        if (strcmp (a->filters[j].key, a->filters[i].key) == 0)
          first = 0;
      if (! first)
        continue;
      for (size_t j = i; j < a->n_filters; j++)
        if (strcmp (a->filters[j].key, a->filters[i].key) == 0 && filter_matches (ev, &a->filters[j]))
          any = 1;
      if (! any)
        return 0;
    }
  return 1;
}

static int
compare_keys (const void *x, const void *y)
{
  return strcmp (*(char *const *) x, *(char *const *) y);
}

static void
print_plain (const struct events_args *a, json_object *ev)
{
  const char *type = ferry_json_get_string (ev, "Type");
  const char *status = ferry_json_get_string (ev, "Status");
  const char *id = ferry_json_get_string (ev, "ID");
  const char *name = ferry_json_get_string (ev, "Name");
  cleanup_free char *when = ferry_cli_go_time (ferry_json_get_int (ev, "timeNano", 0));
  cleanup_free char *shown_id = id ? xstrndup (id, a->no_trunc ? strlen (id) : 12) : NULL;

  printf ("%s %s %s", when, type ? type : "", status ? status : "");
  if (type && strcmp (type, "container") == 0)
    {
      json_object *attrs = json_object_object_get (ev, "Attributes");
      const char *image = ferry_json_get_string (ev, "Image");
      size_t n = 0, i = 0;
      cleanup_free char **keys = NULL;

      printf (" %s (image=%s, name=%s", shown_id ? shown_id : "", image ? image : "", name ? name : "");
      if (ferry_json_get_string (ev, "health_status"))
        printf (", health_status=%s, health_failing_streak=%lld, health_log=",
                ferry_json_get_string (ev, "health_status"),
                (long long) ferry_json_get_int (ev, "health_failing_streak", 0));
      if (json_object_is_type (attrs, json_type_object))
        {
          n = json_object_object_length (attrs);
          keys = xmalloc0 (sizeof (char *) * (n + 1));
          json_object_object_foreach (attrs, k, unused)
          {
            (void) unused;
            keys[i++] = k;
          }
          qsort (keys, n, sizeof (char *), compare_keys);
          for (i = 0; i < n; i++)
            printf (", %s=%s", keys[i], ferry_json_get_string (attrs, keys[i]) ?: "");
        }
      puts (")");
    }
  else if (type && strcmp (type, "image") == 0)
    printf (" %s %s\n", shown_id ? shown_id : "", name ? name : "");
  else
    printf (" %s\n", name ? name : (shown_id ? shown_id : ""));
}

/* Prints EV if it passes; 1 when it is past --until (the end of a stream).  */
static int
show (const struct events_args *a, json_object *ev)
{
  int64_t nano = ferry_json_get_int (ev, "timeNano", -1);
  int64_t since = ferry_timespec_ns (&a->since);
  int64_t until = ferry_timespec_ns (&a->until);

  if (nano < 0)
    return 0;
  if (a->has_until && nano > until)
    return 1;
  if ((a->has_since && nano < since) || ! matches (a, ev))
    return 0;
  if (a->format == NULL)
    print_plain (a, ev);
  else if (ferry_cli_format_is_json (a->format))
    puts (ferry_json_to_string (ev, 0));
  else
    {
      cleanup_json json_object *t = NULL;

      /* Podman's template sees its Go struct (times in Unix seconds and
       * nanoseconds), and {{json .}} writes what --format json does.  */
      if (json_object_deep_copy (ev, &t, NULL) != 0)
        abort ();
      ferry_cli_tpl_json_as (t, ev);
      if (json_object_object_get (t, "Attributes") == NULL)
        json_object_object_add (t, "Attributes", ferry_cli_tpl_map (NULL));
      ferry_cli_tpl_go_struct (t, "system.Event");
      if (ferry_cli_print_template (a->format, t) != 0)
        return -1;
    }
  fflush (stdout);
  return 0;
}

/* Whether the log at PATH is another file than FD now (a rotation put a
 * new one in its place).  */
static int
log_replaced (const char *path, int fd)
{
  struct stat now, open_one;

  return stat (path, &now) == 0 && fstat (fd, &open_one) == 0
         && (now.st_ino != open_one.st_ino || now.st_dev != open_one.st_dev);
}

/* Shows LINE (NUL-terminated, no newline) if it is an event that
 * passes, and remembers it; returns show's answer.  */
static int
show_line (struct events_args *a, const char *line)
{
  json_object *ev = json_tokener_parse (line);
  int r = 0;

  /* A line a crash cut short, or not JSON: not an event.  */
  if (json_object_is_type (ev, json_type_object))
    r = show (a, ev);
  json_object_put (ev);
  free (a->last_line);
  a->last_line = xstrdup (line);
  return r;
}

/* Shows the whole lines of BUF (LEN bytes), keeping a last partial line
 * for later: its length goes to *KEPT.  Returns show's answer.  */
static int
show_lines (struct events_args *a, char *buf, size_t len, size_t *kept)
{
  char *line = buf, *nl;
  int r = 0;

  while (r == 0 && (nl = memchr (line, '\n', len - (line - buf))) != NULL)
    {
      *nl = '\0';
      r = show_line (a, line);
      line = nl + 1;
    }
  *kept = len - (line - buf);
  memmove (buf, line, *kept);
  return r;
}

/* Shows the lines of FD up to its end, in *BUF (*CAP bytes, grown for a
 * long line), a last partial line kept there (*KEPT bytes) for the next
 * read.  Returns show's answer.  */
static int
show_to_end (struct events_args *a, int fd, char **buf, size_t *cap, size_t *kept)
{
  ssize_t n;
  int r = 0;

  while (r == 0 && (n = read (fd, *buf + *kept, *cap - *kept)) > 0)
    {
      r = show_lines (a, *buf, *kept + (size_t) n, kept);
      if (*kept == *cap)
        *buf = xrealloc (*buf, *cap *= 2);
    }
  return r;
}

/* The timeNano of LINE if it is a rotation marker WHICH ("begin",
 * "end"); -1 if not.  */
static int64_t
rotation_marker (const char *line, const char *which)
{
  cleanup_json json_object *ev = json_tokener_parse (line);

  if (ferry_json_string_equals (ev, "Type", "system")
      && ferry_json_string_equals (ev, "Status", FERRY_EVENTS_ROTATE)
      && ferry_json_string_equals (json_object_object_get (ev, "Attributes"), FERRY_EVENTS_ROTATE_ATTRIBUTE,
                                   which))
    return ferry_json_get_int (ev, "timeNano", 0);
  return -1;
}

/* Shows the whole lines of BUF (LEN bytes), the start of a log that a
 * rotation put in place of the one read so far: its "begin" marker, the
 * lines it kept of the old log, its "end" marker (the first one written
 * after the begin: older markers may be among the kept lines), then new
 * events.  Of the kept lines, those up to the last line read from the old
 * log were shown already; those after it were not (the old log may have
 * been rotated more than once since).  As show_lines otherwise.  */
static int
resume_lines (struct events_args *a, char *buf, size_t len, size_t *kept)
{
  cleanup_free char **lines = NULL;
  size_t n = 0, end = 0, from = 1;
  char *p = buf, *nl;
  int64_t begin;
  int r = 0;

  while ((nl = memchr (p, '\n', len - (p - buf))) != NULL)
    {
      lines = xrealloc (lines, (n + 1) * sizeof (*lines));
      *nl = '\0';
      lines[n++] = p;
      p = nl + 1;
    }
  *kept = len - (p - buf);
  begin = n ? rotation_marker (lines[0], "begin") : -1;
  if (begin < 0)
    from = 0, end = n;
  else
    {
      for (end = 1; end < n; end++)
        {
          int64_t t = rotation_marker (lines[end], "end");
          if (t >= begin)
            break;
        }
      for (size_t i = end; a->last_line && i-- > 1;)
        if (strcmp (lines[i], a->last_line) == 0)
          {
            from = i + 1;
            break;
          }
    }
  /* Of the markers, only this rotation's end shows: one a rotation.  */
  for (size_t i = from; r == 0 && i < n; i++)
    if (begin < 0 || i >= end
        || (rotation_marker (lines[i], "begin") < 0 && rotation_marker (lines[i], "end") < 0))
      r = show_line (a, lines[i]);
  memmove (buf, p, *kept);
  return r;
}

static const char events_usage[]
    = "Usage: ferry events [options]\n\n"
      "Show the events of containers, images, volumes and networks of this runroot\n"
      "(<runroot>/events/events.log), and keep showing new ones until interrupted.\n\n"
      "Options:\n"
      "  -f, --filter KEY=VALUE  container=NAME|ID, event=STATUS, image=NAME|ID, label=K[=V],\n"
      "                          type=container|image|volume|network, volume=NAME, network=NAME;\n"
      "                          one key given twice matches either value\n"
      "      --format FORMAT     json, or a Go template (.Type, .Status, .ID, .Name, .Image,\n"
      "                          .Time and .TimeNano (Unix), .Attributes, .ContainerExitCode)\n"
      "      --since TIME        only events from TIME: Unix seconds, a duration before now\n"
      "                          (10m, 1h30m), an RFC 3339 time or a date\n"
      "      --until TIME        only events until TIME, and stop there\n"
      "      --stream[=BOOL]     keep showing new events (default true)\n"
      "      --no-trunc[=BOOL]   full IDs (default true)\n\n"
      "The global option --events-backend none keeps ferry from logging events.\n";

int
ferry_cmd_events (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "filter", required_argument, NULL, 'f' },
                                        { "format", required_argument, NULL, 'F' },
                                        { "since", required_argument, NULL, OPT_SINCE },
                                        { "until", required_argument, NULL, OPT_UNTIL },
                                        { "stream", optional_argument, NULL, OPT_STREAM },
                                        { "no-trunc", optional_argument, NULL, OPT_NO_TRUNC },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  struct events_args a = { .stream = 1, .no_trunc = 1 };
  cleanup_free char *path = NULL;
  cleanup_free char *buf = NULL;
  cleanup_close int fd = -1;
  struct timespec now;
  size_t kept = 0, cap = 1 << 16;
  int c, r = 0, ret = 0, resume = 0;

  ferry_cli_template_unranged ();
  clock_gettime (CLOCK_REALTIME, &now);
  while ((c = getopt_long (argc, argv, ":f:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        if (add_filter (&a, optarg) != 0)
          return FERRY_EXIT_ERROR;
        break;
      case 'F':
        a.format = optarg;
        break;
      case OPT_SINCE:
      case OPT_UNTIL:
        if (ferry_time_parse_user (optarg, &now, c == OPT_SINCE, c == OPT_SINCE ? &a.since : &a.until) < 0)
          return ferry_cli_failf ("failed to parse event filters: unable to convert %s time of %s: unable to "
                                  "interpret time value: use Unix seconds, a duration such as 10m, or an RFC "
                                  "3339 time",
                                  c == OPT_SINCE ? "since" : "until", optarg);
        *(c == OPT_SINCE ? &a.has_since : &a.has_until) = 1;
        break;
      case OPT_STREAM:
      case OPT_NO_TRUNC:
        if (parse_bool (optarg, c == OPT_STREAM ? &a.stream : &a.no_trunc) < 0)
          return ferry_cli_failf ("invalid value `%s` for --%s: use true or false", optarg,
                                  c == OPT_STREAM ? "stream" : "no-trunc");
        break;
      default:
        r = ferry_cli_parse_or_help (c, "events", argv, events_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind < argc)
    return ferry_cli_failf ("`ferry %s` takes no arguments", ferry_cli_command_path ());
  {
    /* Where containers.conf puts the log, and whether it keeps one.  */
    ferry_error_t err = NULL;

    if (ferry_cli_events_configure (&err) < 0)
      return ferry_cli_fail (&err);
  }
  if (strcmp (ferry_events_backend (), "none") == 0)
    return ferry_cli_failf ("cannot read events with the \"none\" backend: use --events-backend file");
  path = ferry_events_path (ferry_global.runroot);
  buf = xmalloc (cap);
  for (;;)
    {
      ssize_t n;

      if (fd < 0)
        {
          fd = open (path, O_RDONLY | O_CLOEXEC);
          if (fd < 0 && errno != ENOENT)
            return ferry_cli_failf ("cannot read the event log `%s`: %s", path, strerror (errno));
        }
      if (fd >= 0 && resume)
        {
          /* All of the new log's start at once: what a rotation kept
           * ends before its "end" marker.  */
          size_t len = 0;

          resume = 0;
          while ((n = read (fd, buf + len, cap - len)) > 0)
            if ((len += (size_t) n) == cap)
              buf = xrealloc (buf, cap *= 2);
          r = resume_lines (&a, buf, len, &kept);
          if (r != 0)
            goto out;
        }
      if (fd >= 0 && (r = show_to_end (&a, fd, &buf, &cap, &kept)) != 0)
        goto out;
      if (! a.stream)
        break;
      /* Rotated: the old log has had its last event (a writer appends
       * and a rotation replaces under one lock), which may have come
       * after the read above: read it to its end again.  */
      if (fd >= 0 && log_replaced (path, fd))
        {
          if ((r = show_to_end (&a, fd, &buf, &cap, &kept)) != 0)
            goto out;
          close (fd);
          fd = -1;
          kept = 0;
          resume = 1;
          continue;
        }
      if (a.has_until)
        {
          clock_gettime (CLOCK_REALTIME, &now);
          if (now.tv_sec > a.until.tv_sec || (now.tv_sec == a.until.tv_sec && now.tv_nsec > a.until.tv_nsec))
            break;
        }
      usleep (100000);
    }
out:
  if (r < 0)
    ret = FERRY_EXIT_ERROR;
  for (size_t i = 0; i < a.n_filters; i++)
    {
      free (a.filters[i].key);
      free (a.filters[i].value);
    }
  free (a.filters);
  free (a.last_line);
  return ret;
}
