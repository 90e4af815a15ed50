/* ferry CLI: generate systemd, a systemd unit for a container
 * (engine/generate.h).  */
#include "commands.h"
#include "common.h"
#include "../lib/engine/engine.h"
#include "../lib/engine/generate.h"
#include "../lib/util/cleanup.h"
#include "../lib/util/fs.h"
#include "../lib/util/json.h"
#include "../lib/util/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char generate_systemd_usage[]
    = "Usage: ferry generate systemd [options] CONTAINER\n\n"
      "Print a systemd unit that runs the container through ferry, as Podman's\n"
      "generate systemd (deprecated there for Quadlet, which ferry has not).\n\n"
      "Options:\n"
      "      --after UNIT         add After=UNIT to the unit (repeatable)\n"
      "      --container-prefix PREFIX  the unit name's prefix (default container)\n"
      "  -e, --env KEY=VALUE      set a variable in the unit's environment; KEY alone takes\n"
      "                           ferry's own (repeatable)\n"
      "  -f, --files              write NAME.service in the current directory and print its\n"
      "                           path instead of the unit\n"
      "      --format json        print {NAME: unit} (with --files, {NAME: path})\n"
      "  -n, --name               name the unit and the container by its name, not its ID\n"
      "      --new                run a new container (ferry run --rm -d --replace ... from the\n"
      "                           command line that created this one) instead of starting\n"
      "                           this one; the unit is Type=notify (--sdnotify=conmon)\n"
      "      --no-header          leave out the comment lines at the top\n"
      "      --requires UNIT      add Requires=UNIT to the unit (repeatable)\n"
      "      --restart-policy POLICY  systemd's Restart=: no, on-success, on-failure (default),\n"
      "                           on-abnormal, on-watchdog, on-abort or always\n"
      "      --restart-sec SECS   systemd's RestartSec=\n"
      "      --separator SEP      between the prefix and the name or ID (default -)\n"
      "      --start-timeout SECS systemd's TimeoutStartSec=\n"
      "      --stop-timeout SECS  the stop timeout (default: the container's)\n"
      "      --template           a template unit, NAME@.service, whose container is named\n"
      "                           NAME-%i (implies --new)\n"
      "      --wants UNIT         add Wants=UNIT to the unit (repeatable)\n";

enum
{
  OPT_GEN_AFTER = OPT_COMMAND_FIRST,
  OPT_GEN_CONTAINER_PREFIX,
  OPT_GEN_FORMAT,
  OPT_GEN_NEW,
  OPT_GEN_NO_HEADER,
  OPT_GEN_REQUIRES,
  OPT_GEN_RESTART_POLICY,
  OPT_GEN_RESTART_SEC,
  OPT_GEN_SEPARATOR,
  OPT_GEN_START_TIMEOUT,
  OPT_GEN_STOP_TIMEOUT,
  OPT_GEN_TEMPLATE,
  OPT_GEN_WANTS,
};

struct strv
{
  char **v;
  size_t n;
};

/* A Go uint flag, with cobra's words for a bad one.  */
static int
parse_uint (const char *arg, const char *flag, long long *out)
{
  char *end;
  unsigned long long v;

  errno = 0;
  v = strtoull (arg, &end, 10);
  if (*arg < '0' || *arg > '9' || *end != '\0' || errno || v > LLONG_MAX)
    {
      int syntax = *arg < '0' || *arg > '9' || *end != '\0';

      ferry_cli_failf (
          "invalid argument \"%s\" for \"--%s\" flag: strconv.ParseUint: parsing \"%s\": %s\nSee "
          "'ferry generate systemd --help'",
          arg, flag, arg, syntax ? "invalid syntax" : "value out of range");
      return -1;
    }
  *out = (long long) v;
  return 0;
}

/* A JSON string as Podman's output has it.  */
static const char *
json_text (json_object *holder, const char *s)
{
  json_object *str = json_object_new_string (s);

  json_object_array_add (holder, str);
  return json_object_to_json_string_ext (str, JSON_C_TO_STRING_NOSLASHESCAPE);
}

static int
write_unit (const char *name, int template_unit, const char *text, char **path)
{
  char cwd[PATH_MAX];
  ferry_error_t err = NULL;

  if (getcwd (cwd, sizeof (cwd)) == NULL)
    return ferry_cli_failf ("cannot tell the current directory: %s", strerror (errno));
  *path = xasprintf ("%s/%s%s.service", strcmp (cwd, "/") == 0 ? "" : cwd, name, template_unit ? "@" : "");
  if (ferry_write_file_atomic (*path, text, strlen (text), 0644, &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

/* The roots the unit's ferry must use, when they are not its defaults.  */
static char **
root_flags (const struct ferry_engine *e)
{
  struct strv s = { NULL, 0 };

  if (strcmp (e->root, "/var/lib/ferry") != 0)
    {
      ferry_strv_append (&s.v, &s.n, "--root");
      ferry_strv_append (&s.v, &s.n, e->root);
    }
  if (strcmp (e->runroot, "/run/ferry") != 0)
    {
      ferry_strv_append (&s.v, &s.n, "--runroot");
      ferry_strv_append (&s.v, &s.n, e->runroot);
    }
  if (ferry_global.runtime && strcmp (ferry_global.runtime, "runc") != 0)
    {
      ferry_strv_append (&s.v, &s.n, "--runtime");
      ferry_strv_append (&s.v, &s.n, ferry_global.runtime);
    }
  return s.v;
}

static int
cmd_generate_systemd (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "after", required_argument, NULL, OPT_GEN_AFTER },
    { "container-prefix", required_argument, NULL, OPT_GEN_CONTAINER_PREFIX },
    { "env", required_argument, NULL, 'e' },
    { "files", no_argument, NULL, 'f' },
    { "format", required_argument, NULL, OPT_GEN_FORMAT },
    { "name", no_argument, NULL, 'n' },
    { "new", no_argument, NULL, OPT_GEN_NEW },
    { "no-header", no_argument, NULL, OPT_GEN_NO_HEADER },
    { "requires", required_argument, NULL, OPT_GEN_REQUIRES },
    { "restart-policy", required_argument, NULL, OPT_GEN_RESTART_POLICY },
    { "restart-sec", required_argument, NULL, OPT_GEN_RESTART_SEC },
    { "separator", required_argument, NULL, OPT_GEN_SEPARATOR },
    { "start-timeout", required_argument, NULL, OPT_GEN_START_TIMEOUT },
    { "stop-timeout", required_argument, NULL, OPT_GEN_STOP_TIMEOUT },
    { "template", no_argument, NULL, OPT_GEN_TEMPLATE },
    { "wants", required_argument, NULL, OPT_GEN_WANTS },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct ferry_generate_systemd_options o = { .restart_sec = -1, .start_timeout = -1, .stop_timeout = -1 };
  struct strv env = { NULL, 0 }, after = { NULL, 0 }, requires = { NULL, 0 }, wants = { NULL, 0 };
  cleanup_engine struct ferry_engine *e = NULL;
  cleanup_free char *name = NULL, *text = NULL, *path = NULL, *exe = NULL;
  cleanup_strv char **roots = NULL;
  const char *format = NULL;
  ferry_error_t err = NULL;
  int files = 0, c, r, ret = FERRY_EXIT_ERROR;

  while ((c = getopt_long (argc, argv, ":e:fnh", opts, NULL)) != -1)
    {
      switch (c)
        {
        case OPT_GEN_AFTER:
          ferry_strv_append (&after.v, &after.n, optarg);
          continue;
        case OPT_GEN_REQUIRES:
          ferry_strv_append (&requires.v, &requires.n, optarg);
          continue;
        case OPT_GEN_WANTS:
          ferry_strv_append (&wants.v, &wants.n, optarg);
          continue;
        case 'e':
          ferry_strv_append (&env.v, &env.n, optarg);
          continue;
        case 'f':
          files = 1;
          continue;
        case 'n':
          o.use_name = 1;
          continue;
        case OPT_GEN_NEW:
          o.new_container = 1;
          continue;
        case OPT_GEN_NO_HEADER:
          o.no_header = 1;
          continue;
        case OPT_GEN_TEMPLATE:
          o.template_unit = 1;
          continue;
        case OPT_GEN_FORMAT:
          format = optarg;
          continue;
        case OPT_GEN_CONTAINER_PREFIX:
          o.prefix = optarg;
          continue;
        case OPT_GEN_SEPARATOR:
          o.separator = optarg;
          continue;
        case OPT_GEN_RESTART_POLICY:
          o.restart = optarg;
          continue;
        case OPT_GEN_RESTART_SEC:
          if (parse_uint (optarg, "restart-sec", &o.restart_sec) < 0)
            goto out;
          continue;
        case OPT_GEN_START_TIMEOUT:
          if (parse_uint (optarg, "start-timeout", &o.start_timeout) < 0)
            goto out;
          continue;
        case OPT_GEN_STOP_TIMEOUT:
          if (parse_uint (optarg, "stop-timeout", &o.stop_timeout) < 0)
            goto out;
          continue;
        default:
          break;
        }
      r = ferry_cli_parse_or_help (c, "generate systemd", argv, generate_systemd_usage);
      if (r != 0)
        {
          ret = r > 0 ? 0 : FERRY_EXIT_ERROR;
          goto out;
        }
    }
  if (argc - optind != 1)
    {
      ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
      goto out;
    }
  if (format && ! ferry_cli_format_is_json (format))
    {
      ferry_cli_failf ("unknown --format argument: %s", format);
      goto out;
    }
  if (o.restart && ! ferry_generate_restart_policy_is_valid (o.restart))
    {
      ferry_cli_failf ("%s is not a valid restart policy", o.restart);
      goto out;
    }
  exe = realpath ("/proc/self/exe", NULL);
  if (exe == NULL)
    {
      ferry_cli_failf ("cannot tell where ferry is (/proc/self/exe): %s", strerror (errno));
      goto out;
    }
  e = ferry_cli_open_engine ();
  if (e == NULL)
    goto out;
  roots = root_flags (e);
  o.executable = exe;
  o.root_flags = roots;
  o.env = env.v;
  o.after = after.v;
  o.requires = requires.v;
  o.wants = wants.v;
  if (ferry_generate_systemd (e, argv[optind], &o, &name, &text, &err) < 0)
    {
      ferry_cli_fail (&err);
      goto out;
    }
  if (files && write_unit (name, o.template_unit, text, &path) < 0)
    goto out;
  if (format)
    {
      cleanup_json json_object *holder = json_object_new_array ();
      printf ("{\n %s: ", json_text (holder, name));
      printf ("%s\n}\n", json_text (holder, files ? path : text));
    }
  else if (files)
    printf ("%s\n", path);
  else
    fputs (text, stdout);
  ret = 0;
out:
  ferry_cleanup_strvp (&env.v);
  ferry_cleanup_strvp (&after.v);
  ferry_cleanup_strvp (&requires.v);
  ferry_cleanup_strvp (&wants.v);
  return ret;
}

static const char generate_spec_usage[]
    = "Usage: ferry generate spec [options] CONTAINER\n\n"
      "Print the SpecGenerator JSON of a container, as Podman's generate spec: the members\n"
      "Podman writes, for what ferry records.  ferry has no pods.\n\n"
      "Options:\n"
      "  -c, --compact            the JSON on one line\n"
      "  -f, --filename FILE      write the JSON to FILE and print its name\n"
      "  -n, --name[=BOOL]        name the spec NAME-clone, as a clone of the container would be\n"
      "                           (default true); --name=false keeps the container's name\n";

/* A Go bool flag's optional value (cobra's "-n=false", "--name=false"). */
static int
parse_bool_flag (const char *arg, const char *flag, int *out)
{
  static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
  static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False", NULL };

  if (arg == NULL)
    {
      *out = 1;
      return 0;
    }
  if (*arg == '=')
    arg++;
  for (size_t i = 0; yes[i]; i++)
    if (strcmp (arg, yes[i]) == 0 || strcmp (arg, no[i]) == 0)
      {
        *out = strcmp (arg, yes[i]) == 0;
        return 0;
      }
  ferry_cli_failf (
      "invalid argument \"%s\" for \"%s\" flag: strconv.ParseBool: parsing \"%s\": invalid syntax", arg, flag,
      arg);
  return -1;
}

static int
cmd_generate_spec (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "compact", optional_argument, NULL, 'c' },
    { "filename", required_argument, NULL, 'f' },
    { "name", optional_argument, NULL, 'n' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_engine struct ferry_engine *e = NULL;
  cleanup_json json_object *spec = NULL;
  cleanup_free char *text = NULL;
  const char *filename = NULL;
  ferry_error_t err = NULL;
  int compact = 0, use_clone_name = 1, c, r;

  while ((c = getopt_long (argc, argv, ":c::f:n::h", opts, NULL)) != -1)
    {
      switch (c)
        {
        case 'c':
          if (parse_bool_flag (optarg, "-c, --compact", &compact) < 0)
            return FERRY_EXIT_ERROR;
          continue;
        case 'n':
          if (parse_bool_flag (optarg, "-n, --name", &use_clone_name) < 0)
            return FERRY_EXIT_ERROR;
          continue;
        case 'f':
          filename = optarg;
          continue;
        default:
          break;
        }
      r = ferry_cli_parse_or_help (c, "generate spec", argv, generate_spec_usage);
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_generate_spec (e, argv[optind], use_clone_name, &spec, &err) < 0)
    return ferry_cli_fail (&err);
  /* Go's json.MarshalIndent with one space, or json.Marshal.  */
  text = compact && ! filename ? xstrdup (ferry_json_to_string (spec, 0)) : ferry_json_to_indented (spec, 1);
  if (filename)
    {
      if (ferry_write_file_atomic (filename, text, strlen (text), 0644, &err) < 0)
        {
          ferry_error_wrap (&err, "cannot write to \"%s\"", filename);
          return ferry_cli_fail (&err);
        }
      printf ("%s\n", filename);
      return 0;
    }
  printf ("%s\n", text);
  return 0;
}

int
ferry_cmd_generate (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "kube", ferry_cmd_generate_kube, "Generate Kubernetes YAML from containers or volumes" },
    { "spec", cmd_generate_spec, "Generate Specgen JSON based on containers" },
    { "systemd", cmd_generate_systemd, "Generate systemd units" },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("generate", table, argc - 1, argv + 1);
}
