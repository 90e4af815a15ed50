#include "common.h"
#include "template.h"
#include "state/events.h"
#include "image/progress.h"
#include "image/pull.h"
#include "image/registry.h"
#include "engine/engine.h"
#include "engine/container.h"
#include "engine/cdi.h"
#include "engine/config.h"
#include "engine/hooks.h"
#include "util/parse.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#undef getopt_long

/* The long option ARG ("--name" or "--name=v") names in LONGOPTS, exactly
 * or as the one option it abbreviates; NULL for none.  */
static const struct option *
pflag_long_option (const char *arg, const struct option *longopts)
{
  const struct option *found = NULL;
  size_t len = strcspn (arg, "=");

  for (const struct option *o = longopts; o && o->name; o++)
    if (strncmp (o->name, arg, len) == 0)
      {
        if (strlen (o->name) == len)
          return o;
        if (found)
          return NULL;
        found = o;
      }
  return found;
}

/* Rewrites ARGV's "-X=VALUE" arguments for getopt: "-XVALUE" for an X
 * that takes a value (pflag gives X "VALUE", getopt "=VALUE"),
 * "--LONG=VALUE" for an X of no value whose long name takes an optional
 * one (Podman's booleans: -d=false).  Only arguments getopt would read as
 * options: not values of the options before them, nor after "--" or,
 * with a '+' OPTSTRING, the first operand.  */
static void
pflag_short_values (int argc, char **argv, const char *optstring, const struct option *longopts)
{
  bool in_order = optstring[0] == '+';
  const char *letters = optstring + strspn (optstring, "+-:");

  for (int i = 1; i < argc; i++)
    {
      char *arg = argv[i];
      const char *at;

      if (strcmp (arg, "--") == 0)
        return;
      if (arg[0] != '-' || arg[1] == '\0')
        {
          if (in_order)
            return;
          continue;
        }
      if (arg[1] == '-')
        {
          const struct option *o = pflag_long_option (arg + 2, longopts);

          if (o && o->has_arg == required_argument && strchr (arg, '=') == NULL)
            i++;
          continue;
        }
      /* "-X=" alone pflag reads as "-XVALUE": X gets "=", as getopt gives.  */
      if (arg[1] != ':' && arg[2] == '=' && arg[3] != '\0' && (at = strchr (letters, arg[1])) != NULL)
        {
          if (at[1] == ':')
            argv[i] = xasprintf ("-%c%s", arg[1], arg + 3);
          else
            for (const struct option *o = longopts; o && o->name; o++)
              if (o->val == arg[1] && o->has_arg == optional_argument)
                {
                  argv[i] = xasprintf ("--%s=%s", o->name, arg + 3);
                  break;
                }
          continue;
        }
      /* A cluster: a letter that takes a value takes the rest, or the
       * next argument.  */
      for (int j = 1; arg[j]; j++)
        {
          at = arg[j] == ':' ? NULL : strchr (letters, arg[j]);
          if (at && at[1] == ':')
            {
              if (arg[j + 1] == '\0' && at[2] != ':')
                i++;
              break;
            }
        }
    }
}

int
ferry_cli_getopt_long (int argc, char *const argv[], const char *optstring, const struct option *longopts,
                       int *longindex)
{
  static char *const *done;

  if (argv != done && optind <= 1)
    {
      pflag_short_values (argc, (char **) argv, optstring, longopts);
      done = argv;
    }
  return getopt_long (argc, argv, optstring, longopts, longindex);
}

struct ferry_global ferry_global;

static int stdout_fd = STDOUT_FILENO;

int
ferry_cli_stdout_fd (void)
{
  return stdout_fd;
}

int
ferry_cli_apply_output (void)
{
  const char *path = ferry_global.noout ? "/dev/null" : ferry_global.out;
  FILE *f;
  int fd;

  if (path == NULL)
    return 0;
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      cleanup_free char *why = xstrdup (strerror (errno));

      why[0] = (char) tolower ((unsigned char) why[0]);
      fprintf (stderr, "Error: unable to open file for standard output: open %s: %s\n", path, why);
      return -1;
    }
  f = fdopen (fd, "w");
  if (f == NULL)
    {
      close (fd);
      fprintf (stderr, "Error: unable to open file for standard output: %s\n", strerror (errno));
      return -1;
    }
  /* Only the stream: descriptor 1, which containers' output uses and
   * helpers inherit, stays.  */
  fflush (stdout);
  if (stdout_fd != STDOUT_FILENO)
    fclose (stdout);
  stdout = f;
  stdout_fd = fd;
  ferry_global.out = NULL;
  return 0;
}

/* Podman's flags for its remote client, NULL for any other: LONG the
 * flag's word without its dashes and value, SHORT its letter (0 when
 * LONG is given).  */
static const char *
remote_client_flag (const char *long_name, size_t len, int short_name)
{
  static const char *const flags[][2]
      = { { "remote", "r" }, { "url", NULL }, { "connection", "c" }, { "identity", NULL } };

  for (size_t i = 0; i < sizeof (flags) / sizeof (flags[0]); i++)
    if (long_name ? strlen (flags[i][0]) == len && strncmp (long_name, flags[i][0], len) == 0
                  : flags[i][1] && short_name == flags[i][1][0])
      return flags[i][0];
  return NULL;
}

/* A flag of Podman's remote client, which a daemonless ferry has no use
 * for: one line that says so, rather than "unknown flag".  */
static int
refuse_remote_client_flag (const char *flag)
{
  fprintf (stderr,
           "Error: --%s: ferry has no remote client, as it has no service to reach: run ferry on the "
           "host that has the containers (over ssh, for one elsewhere)\n",
           flag);
  return -1;
}

/* The command as Podman names it (ferry_cli_set_command_path).  */
static char command_path[128];

int
ferry_cli_common_option (int opt, const char *cmd, char **argv)
{
  /* The help a flag's error points to: the command's as it was typed,
   * under Podman's name (See 'podman container create --help').  */
  const char *see = *cmd && command_path[0] ? command_path : cmd;

  switch (opt)
    {
    case OPT_GLOBAL_TMPDIR:
      ferry_global.tmpdir = optarg;
      return 0;
    case OPT_GLOBAL_CDI_SPEC_DIR:
      ferry_global.cdi_spec_dirs
          = xrealloc (ferry_global.cdi_spec_dirs, sizeof (char *) * (ferry_global.n_cdi_spec_dirs + 2));
      ferry_global.cdi_spec_dirs[ferry_global.n_cdi_spec_dirs++] = optarg;
      ferry_global.cdi_spec_dirs[ferry_global.n_cdi_spec_dirs] = NULL;
      return 0;
    case OPT_GLOBAL_HOOKS_DIR:
      if (*optarg == '\0')
        {
          /* Podman's words, for every command.  */
          fputs ("Error: configuring runtime: empty-string hook directories are not supported: invalid "
                 "argument\n",
                 stderr);
          return -1;
        }
      ferry_strv_push (&ferry_global.hooks_dirs, &ferry_global.n_hooks_dirs, xstrdup (optarg));
      return 0;
    case OPT_GLOBAL_RUNTIME_FLAG:
      ferry_global.runtime_flags
          = xrealloc (ferry_global.runtime_flags, sizeof (char *) * (ferry_global.n_runtime_flags + 2));
      ferry_global.runtime_flags[ferry_global.n_runtime_flags++] = optarg;
      ferry_global.runtime_flags[ferry_global.n_runtime_flags] = NULL;
      return 0;
    case OPT_GLOBAL_OUT:
      if (ferry_global.noout)
        return 0;
      ferry_global.out = optarg;
      if (! ferry_global.out_deferred && ferry_cli_apply_output () < 0)
        return -1;
      return 0;
    case OPT_GLOBAL_NOOUT:
      if (ferry_global.noout)
        return 0;
      ferry_global.noout = 1;
      if (! ferry_global.out_deferred && ferry_cli_apply_output () < 0)
        return -1;
      return 0;
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
      {
        /* Podman's levels, each as the nearest of ferry's four.  */
        static const char *const levels[][2]
            = { { "trace", "debug" },  { "debug", "debug" }, { "info", "info" },   { "warn", "warn" },
                { "warning", "warn" }, { "error", "error" }, { "fatal", "error" }, { "panic", "error" } };

        for (size_t i = 0; i < sizeof (levels) / sizeof (levels[0]); i++)
          if (strcmp (optarg, levels[i][0]) == 0)
            {
              ferry_global.log_level = levels[i][1];
              return 0;
            }
        /* Podman's words and exit code, before anything has been done.  */
        fprintf (stderr,
                 "Log Level \"%s\" is not supported, choose from: trace, debug, info, warn, warning, error, "
                 "fatal, panic\n",
                 optarg);
        exit (1);
      }
    case OPT_GLOBAL_STORAGE_DRIVER:
      /* ferry's store is overlay's layout; Podman refuses a driver that
       * is not the one its database was made with.  */
      if (strcmp (optarg, "overlay") != 0)
        {
          fprintf (stderr,
                   "Error: database graph driver \"overlay\" does not match our graph driver \"%s\": ferry "
                   "stores images with overlay only: drop --storage-driver or give overlay\n",
                   optarg);
          return -1;
        }
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
    case 'h':
      return 1;
    case ':':
      /* A letter is named as Podman names it, the last of its cluster.  */
      if (optopt > 0 && optopt != '-' && strncmp (argv[optind - 1], "--", 2) != 0)
        fprintf (stderr, "Error: flag needs an argument: '%c' in -%c\nSee 'ferry%s%s --help'\n", optopt,
                 optopt, *see ? " " : "", see);
      else
        fprintf (stderr, "Error: flag needs an argument: %s\nSee 'ferry%s%s --help'\n", argv[optind - 1],
                 *see ? " " : "", see);
      return -1;
    default:
      /* -h of a command whose letters have no -h: its help, as Podman's.  */
      if (optopt == 'h' && opt == '?')
        return 1;
      if (optopt > 0 && optopt != '-')
        {
          /* A letter of a cluster: getopt stays on its word until the
           * word's last letter.  Podman shows the cluster from it on.  */
          const char *word = argv[optind - 1], *at;

          if (argv[optind] && argv[optind][0] == '-' && argv[optind][1] != '-'
              && strchr (argv[optind], optopt))
            word = argv[optind];
          at = strchr (word + 1, optopt);
          if (remote_client_flag (NULL, 0, optopt))
            return refuse_remote_client_flag (remote_client_flag (NULL, 0, optopt));
          fprintf (stderr, "Error: unknown shorthand flag: '%c' in -%s\nSee 'ferry%s%s --help'\n", optopt,
                   at ? at : word + 1, *see ? " " : "", see);
          return -1;
        }
      {
        const char *word = argv[optind - 1];

        if (strncmp (word, "--", 2) == 0 && remote_client_flag (word + 2, strcspn (word + 2, "="), 0))
          return refuse_remote_client_flag (remote_client_flag (word + 2, strcspn (word + 2, "="), 0));
      }
      fprintf (stderr, "Error: unknown flag: %.*s\nSee 'ferry%s%s --help'\n",
               (int) strcspn (argv[optind - 1], "="), argv[optind - 1], *see ? " " : "", see);
      return -1;
    }
}

int
ferry_cli_go_bool (const char *flag, const char *arg, const char *cmd, int *out)
{
  static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
  static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

  if (arg && *arg == '=')
    arg++;
  *out = 1;
  if (arg == NULL)
    return 0;
  for (size_t i = 0; i < sizeof (yes) / sizeof (yes[0]); i++)
    {
      if (strcmp (arg, yes[i]) == 0)
        return 0;
      if (strcmp (arg, no[i]) == 0)
        {
          *out = 0;
          return 0;
        }
    }
  fprintf (stderr,
           "Error: invalid argument \"%s\" for \"%s\" flag: strconv.ParseBool: parsing \"%s\": invalid "
           "syntax\nSee 'ferry %s --help'\n",
           arg, flag, arg, cmd);
  return -1;
}

void
ferry_cli_registry_defaults (struct ferry_registry_options *o)
{
  memset (o, 0, sizeof (*o));
  o->tls_verify = -1; /* not given: registries.conf says */
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
      /* Podman refuses an --authfile that is not there (login, which
       * makes it, takes the option itself), in these words.  */
      if (access (arg, F_OK) < 0)
        {
          fprintf (stderr, "Error: credential file is not accessible: faccessat %s: %s\n", arg,
                   errno == ENOENT ? "no such file or directory" : strerror (errno));
          return -1;
        }
      o->authfile = arg;
      return 1;
    case OPT_REGISTRY_CERT_DIR:
      o->cert_dir = arg;
      return 1;
    default:
      return 0;
    }
}

void
ferry_cli_set_command_path (const char *group, const char *cmd)
{
  const char *name = cmd;

  /* Podman's own names of the commands ferry also knows by another.  */
  if (group
      && (strcmp (group, "container") == 0 || strcmp (group, "image") == 0
          || strcmp (group, "system connection") == 0))
    name = strcmp (cmd, "ls") == 0 ? "list" : cmd;
  else if (group && strcmp (cmd, "list") == 0)
    name = "ls";
  snprintf (command_path, sizeof (command_path), "%s%s%s", group ? group : "", group ? " " : "", name);
}

const char *
ferry_cli_command_path (void)
{
  return command_path;
}

/* The length of the command words at the start of S: lower-case words,
 * up to the first option, argument or end of line.  */
static size_t
command_words_length (const char *s)
{
  size_t n = 0, end = 0;

  while (s[n] >= 'a' && s[n] <= 'z')
    {
      n += strspn (s + n, "abcdefghijklmnopqrstuvwxyz0123456789-");
      if (s[n] != ' ' && s[n] != '\n' && s[n] != '\0')
        return end;
      end = n;
      if (s[n] == ' ')
        n++;
    }
  return end;
}

void
ferry_cli_print_usage (const char *usage)
{
  static const char *const leads[] = { "Usage: ferry ", "       ferry ", NULL };
  const char *line = usage;

  while (*line)
    {
      size_t len = strcspn (line, "\n"), i, lead, words;

      for (i = 0; leads[i] && strncmp (line, leads[i], strlen (leads[i])) != 0; i++)
        ;
      if (leads[i] == NULL)
        printf ("%.*s", (int) len, line);
      else
        {
          /* Podman's shape: "Usage:", then each synopsis on a line of
           * its own, indented.  */
          lead = strlen (leads[i]);
          words = command_path[0] ? command_words_length (line + lead) : 0;
          printf ("%s  ferry %s%.*s", i == 0 ? "Usage:\n" : "", words > 0 ? command_path : "",
                  (int) (len - lead - words), line + lead + words);
        }
      line += len;
      if (*line == '\n')
        {
          putchar ('\n');
          line++;
        }
    }
}

int
ferry_cli_parse_or_help (int opt, const char *cmd, char **argv, const char *usage)
{
  int r = ferry_cli_common_option (opt, cmd, argv);

  if (r > 0)
    ferry_cli_print_usage (usage);
  return r;
}

int
ferry_cli_format_option_only (int argc, char **argv, const char *cmd, const char *usage, const char **format)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "format", required_argument, NULL, 'f' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  int c, r;

  while ((c = ferry_cli_getopt_long (argc, argv, ":f:h", opts, NULL)) != -1)
    {
      if (c == 'f')
        {
          *format = optarg;
          continue;
        }
      r = ferry_cli_parse_or_help (c, cmd, argv, usage);
      if (r != 0)
        return r > 0 ? 1 : 1 + FERRY_EXIT_ERROR;
    }
  return 0;
}

int
ferry_cli_unknown_command_flags (int argc, char **argv, const char *cmd)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  int c;

  optind = 0;
  opterr = 0;
  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      if (c == 'h')
        return 1;
      /* A global option is taken and changes nothing: the command is
       * still unknown.  */
      if (c == '?' || c == ':')
        return ferry_cli_common_option (c, cmd, argv) < 0 ? -1 : 0;
    }
  return 0;
}

int
ferry_cli_dispatch (const char *group, const struct ferry_command *table, int argc, char **argv)
{
  size_t i;

  if (argc < 1 || strcmp (argv[0], "--help") == 0 || strcmp (argv[0], "-h") == 0
      || strcmp (argv[0], "help") == 0)
    {
      /* Without a command, as Podman: the help, then the error.  */
      printf ("Usage:\n  ferry %s [command]\n\nCommands:\n", group);
      for (i = 0; table[i].name; i++)
        if (table[i].summary)
          printf ("  %-10s %s\n", table[i].name, table[i].summary);
      if (argc < 1)
        {
          fflush (stdout);
          return ferry_cli_failf ("missing command 'ferry %s COMMAND'", group);
        }
      return 0;
    }
  for (i = 0; table[i].name; i++)
    if (strcmp (table[i].name, argv[0]) == 0)
      {
        ferry_cli_template_name (group, argv[0]);
        ferry_cli_set_command_path (group, argv[0]);
        return table[i].run (argc, argv);
      }
  switch (ferry_cli_unknown_command_flags (argc, argv, group))
    {
    case 1:
      {
        char *help[] = { (char *) "--help", NULL };
        return ferry_cli_dispatch (group, table, 1, help);
      }
    case -1:
      return FERRY_EXIT_ERROR;
    }
  /* Podman's words, its pointer to the help on a line of its own.  */
  return ferry_cli_failf ("unrecognized command `ferry %s %s`\nTry 'ferry %s --help' for more information",
                          group, argv[0], group);
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

int
ferry_cli_progress_mode (int quiet)
{
  if (quiet)
    return FERRY_PROGRESS_OFF;
  return isatty (STDERR_FILENO) ? FERRY_PROGRESS_TERMINAL : FERRY_PROGRESS_LINES;
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

/* Whether the event settings are read: by ferry_cli_events_configure, or
 * by the engine as it opened.  */
static bool events_configured;

int
ferry_cli_engine_open (ferry_engine_t **out, ferry_error_t *err)
{
  if (ferry_engine_open_full (ferry_global.root, ferry_global.runroot, ferry_global.runtime,
                              ferry_global.log_level, ferry_global.config, ferry_global.tmpdir,
                              ferry_global.runtime_flags, ferry_global.modules, out, err)
      < 0)
    return -1;
  events_configured = true;
  ferry_cdi_set_spec_dirs (*out, ferry_global.cdi_spec_dirs);
  ferry_hooks_set_dirs (*out, ferry_global.hooks_dirs);
  return 0;
}

struct ferry_engine *
ferry_cli_open_engine (void)
{
  ferry_error_t err = NULL;
  ferry_engine_t *e = NULL;

  if (ferry_cli_engine_open (&e, &err) < 0)
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
ferry_cli_go_human_size (uint64_t bytes, int precision)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
  double v = (double) bytes;
  size_t u = 0;

  while (v >= 1000 && u < sizeof (units) / sizeof (units[0]) - 1)
    {
      v /= 1000;
      u++;
    }
  return xasprintf ("%.*g%s", precision, v, units[u]);
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

int
ferry_cli_events_configure (ferry_error_t *err)
{
  struct ferry_config c;

  if (events_configured)
    return 0;
  if (ferry_config_load_modules (ferry_global.config, ferry_global.modules, &c, err) < 0)
    return -1;
  ferry_events_configure (c.events_logger, c.events_logfile_path, c.events_logfile_max_size);
  ferry_config_release (&c);
  events_configured = true;
  return 0;
}

void
ferry_cli_event (const char *type, const char *status, const char *id, const char *name)
{
  struct ferry_event ev = { .type = type, .status = status, .id = id, .name = name };
  cleanup_error ferry_error_t ignored = NULL;

  /* A command that opens no engine has not read where events go: an
   * event is best effort, so a containers.conf it cannot read leaves
   * the defaults (a command that opens the engine fails on it).  */
  (void) ferry_cli_events_configure (&ignored);
  ferry_event_log (ferry_global.runroot, &ev);
}

void
ferry_cli_print_inspected (json_object *all)
{
  cleanup_free char *text = ferry_json_to_indented (all, 5);

  puts (text);
}

bool
ferry_cli_format_is_json (const char *format)
{
  const char *p = format;
  size_t n;

  while (isspace ((unsigned char) *p))
    p++;
  n = strlen (p);
  while (n > 0 && isspace ((unsigned char) p[n - 1]))
    n--;
  if (n == 4 && memcmp (p, "json", 4) == 0)
    return true;
  if (n < 8 || memcmp (p, "{{", 2) != 0 || memcmp (p + n - 2, "}}", 2) != 0)
    return false;
  p += 2;
  n -= 4;
  while (n > 0 && isspace ((unsigned char) *p))
    p++, n--;
  while (n > 0 && isspace ((unsigned char) p[n - 1]))
    n--;
  return n == 4 && memcmp (p, "json", 4) == 0;
}

const char *
ferry_cli_inspect_format (const char *format)
{
  return format && ! ferry_cli_format_is_json (format) ? format : NULL;
}

/* MSG as Podman's logger prints it at LEVEL: time="..." level=LEVEL
 * msg="..." (quotes and backslashes escaped), on standard error.  */
static void
podman_log (const char *level, const char *msg)
{
  char stamp[32];
  time_t now = time (NULL);
  struct tm tm;

  gmtime_r (&now, &tm);
  strftime (stamp, sizeof (stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
  fprintf (stderr, "time=\"%s\" level=%s msg=\"", stamp, level);
  for (const char *p = msg; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        fputc ('\\', stderr);
      fputc (*p, stderr);
    }
  fputs ("\"\n", stderr);
}

void
ferry_cli_podman_warnf (const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;

  if (ferry_global.log_level && strcmp (ferry_global.log_level, "error") == 0)
    return;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (msg)
    podman_log ("warning", msg);
}

void
ferry_cli_podman_errorf (const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (msg)
    podman_log ("error", msg);
}

void
ferry_cli_warn_killed (const char *name, const struct ferry_stop_report *r)
{
  const char *sig = ferry_signal_name (r->stop_signal);

  if (sig)
    ferry_cli_podman_warnf (
        "StopSignal SIG%s failed to stop container %s in %d seconds, resorting to SIGKILL", sig, name,
        r->timeout);
  else
    ferry_cli_podman_warnf ("StopSignal %d failed to stop container %s in %d seconds, resorting to SIGKILL",
                            r->stop_signal, name, r->timeout);
}

int
ferry_cli_remove_stopping (ferry_engine_t *e, const char *id, const char *name, int timeout, int volumes,
                           ferry_error_t *err)
{
  struct ferry_stop_report report = { 0 };

  if (ferry_container_remove_stopping (e, id, timeout, volumes, &report, err) < 0)
    return -1;
  if (report.killed)
    ferry_cli_warn_killed (name, &report);
  return 0;
}

int
ferry_cli_ask (const char *prompt)
{
  char line[256];

  fputs (prompt, stdout);
  fflush (stdout);
  if (fgets (line, sizeof (line), stdin) == NULL)
    return -1;
  return line[0] == 'y' || line[0] == 'Y';
}

/* ---- choosing a short name's registry ------------------------------------ */

/* The list as Podman's prompt draws it: the current line marked and
 * underlined.  */
static void
draw_choices (char *const *names, size_t cur)
{
  printf ("\r\033[2K\033[34m?\033[0m Please select an image: \n");
  for (size_t i = 0; names[i]; i++)
    if (i == cur)
      printf ("\r\033[2K  \033[1m\u25b8\033[0m \033[4m%s\033[0m\n", names[i]);
    else
      printf ("\r\033[2K    %s\n", names[i]);
  fflush (stdout);
}

/* One key from the terminal, the arrows up and down as ctrl-p and ctrl-n;
 * -1 at its end.  An Escape that starts no arrow's sequence is dropped and
 * the key after it is a key of its own, as in Podman's prompt (where a
 * lone Escape does nothing and the Enter after it still chooses).  */
static int
read_key (void)
{
  unsigned char c;
  int escaped = 0;

  for (;;)
    {
      ssize_t r = read (STDIN_FILENO, &c, 1);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return -1;
      if (c == 0x1b)
        {
          escaped = 1;
          continue;
        }
      if (! escaped || (c != '[' && c != 'O'))
        return c;
      do
        r = read (STDIN_FILENO, &c, 1);
      while (r < 0 && errno == EINTR);
      if (r <= 0)
        return -1;
      return c == 'A' ? 0x10 : c == 'B' ? 0x0e : 0;
    }
}

/* Podman's prompt: up and down (or ctrl-p and ctrl-n) move, enter takes,
 * ctrl-c and ctrl-d give up ("^C", "^D"); other keys, typed text and
 * "/" included, change nothing (Podman 5.4's prompt has no filter).  The
 * terminal is put back as it was whatever happens.  */
static int
choose_name (char *const *names, ferry_error_t *err)
{
  struct termios old, raw;
  size_t n = 0, cur = 0;
  int ret = -1;

  while (names[n])
    n++;
  if (tcgetattr (STDIN_FILENO, &old) < 0)
    return ferry_make_error (err, errno, "cannot read the terminal's settings");
  raw = old;
  raw.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
  raw.c_iflag &= ~(IXON | ICRNL);
  raw.c_cc[VMIN] = 1;
  raw.c_cc[VTIME] = 0;
  if (tcsetattr (STDIN_FILENO, TCSAFLUSH, &raw) < 0)
    return ferry_make_error (err, errno, "cannot set the terminal up");
  printf ("\033[?25l");
  draw_choices (names, cur);
  for (;;)
    {
      int c = read_key ();

      if (c < 0 || c == 0x04)
        {
          ferry_make_error (err, 0, "^D");
          break;
        }
      if (c == 0x03)
        {
          ferry_make_error (err, 0, "^C");
          break;
        }
      if (c == '\r' || c == '\n')
        {
          ret = (int) cur;
          break;
        }
      if (c == 0x10 && cur > 0)
        cur--;
      else if (c == 0x0e && cur + 1 < n)
        cur++;
      else
        continue;
      printf ("\033[%zuA", n + 1);
      draw_choices (names, cur);
    }
  /* The list goes; the choice stays, as Podman's.  */
  printf ("\033[%zuA\r\033[J", n + 1);
  if (ret >= 0)
    printf ("\033[32m\u2714\033[0m \033[2m%s\033[0m\n", names[ret]);
  printf ("\033[?25h");
  fflush (stdout);
  tcsetattr (STDIN_FILENO, TCSAFLUSH, &old);
  return ret;
}

static void
warn_pull (const char *msg)
{
  podman_log ("error", msg);
}

void
ferry_cli_transfer_interactive (struct ferry_transfer_options *o)
{
  o->warn = warn_pull;
  /* Podman asks only with both ends on a terminal.  */
  if (isatty (STDIN_FILENO) && isatty (STDOUT_FILENO))
    o->choose_name = choose_name;
}

char *
ferry_cli_go_time (int64_t nano)
{
  time_t sec = (time_t) (nano / 1000000000);
  long ns = (long) (nano % 1000000000);
  char buf[64], frac[16] = "";
  struct tm tm;
  int n;

  gmtime_r (&sec, &tm);
  strftime (buf, sizeof (buf), "%Y-%m-%d %H:%M:%S", &tm);
  if (ns)
    {
      snprintf (frac, sizeof (frac), ".%09ld", ns);
      for (n = strlen (frac); n > 1 && frac[n - 1] == '0'; n--)
        frac[n - 1] = '\0';
    }
  return xasprintf ("%s%s +0000 UTC", buf, frac);
}

static void
inspected_missed (struct ferry_cli_inspected *in, ferry_error_t *err)
{
  in->missed = xrealloc (in->missed, sizeof (ferry_error_t) * (in->n_missed + 1));
  in->missed[in->n_missed++] = *err;
  *err = NULL;
}

void
ferry_cli_inspected_add (struct ferry_cli_inspected *in, json_object *o)
{
  if (in->all == NULL)
    in->all = json_object_new_array ();
  json_object_array_add (in->all, o);
}

static void
inspected_free (struct ferry_cli_inspected *in)
{
  json_object_put (in->all);
  in->all = NULL;
  for (size_t i = 0; i < in->n_missed; i++)
    ferry_error_release (&in->missed[i]);
  free (in->missed);
  in->missed = NULL;
  in->n_missed = 0;
  ferry_error_release (&in->template_err);
}

/* Prints the JSON, then says what was missed: the template's error and
 * the others bare, the first as the error.  */
static int
inspected_end (struct ferry_cli_inspected *in)
{
  int ret = 0;

  if (in->all == NULL)
    in->all = json_object_new_array ();
  /* Podman runs an inspect's template once over all it found ($ is
   * the list): the first error ends the output, and what came before it
   * is out.  */
  if (in->format)
    ferry_cli_template_each_line (in->format, in->all, stdout, &in->template_err);
  else
    ferry_cli_print_inspected (in->all);
  fflush (stdout);
  if (in->template_err && in->n_missed == 0)
    ret = ferry_cli_fail (&in->template_err);
  else if (in->n_missed)
    {
      if (in->template_err)
        {
          ferry_error_fputs (in->template_err->msg, stderr);
          fputc ('\n', stderr);
        }
      for (size_t i = 1; i < in->n_missed; i++)
        {
          ferry_error_fputs (in->missed[i]->msg, stderr);
          fputc ('\n', stderr);
        }
      ret = ferry_cli_fail (&in->missed[0]);
    }
  inspected_free (in);
  return ret;
}

int
ferry_cli_inspect_names (struct ferry_cli_inspected *in, char **names, int n,
                         ferry_cli_inspect_lookup_fn lookup, void *data)
{
  for (int i = 0; i < n; i++)
    {
      ferry_error_t err = NULL;
      json_object *o = lookup (names[i], in->format != NULL, data, &err);

      if (o)
        ferry_cli_inspected_add (in, o);
      else if (in->only_not_found && err->kind != FERRY_ERROR_NOT_FOUND)
        {
          inspected_free (in);
          return ferry_cli_fail (&err);
        }
      else
        inspected_missed (in, &err);
    }
  return inspected_end (in);
}
