/* ferry CLI: system connection, Podman's named destinations, which ferry
 * uses for the ferry it reaches through ssh.  */
#include "commands.h"
#include "common.h"
#include "template.h"
#include "engine/connections.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum
{
  OPT_IDENTITY = OPT_COMMAND_FIRST,
  OPT_SOCKET_PATH,
  OPT_FORMAT,
};

static int
connections_open (bool write, ferry_connections_t **c)
{
  ferry_error_t err = NULL;

  if (ferry_connections_open (write, c, &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

static int
connections_save (ferry_connections_t *c)
{
  ferry_error_t err = NULL;

  if (ferry_connections_save (c, &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

static int
check_destination (const char *uri, const char *identity)
{
  ferry_error_t err = NULL;

  if (ferry_connection_probe (uri, identity, &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

static const char add_usage[]
    = "Usage: ferry system connection add [options] NAME DESTINATION\n\n"
      "Record a destination under NAME, in Podman's connections file, so that NAME:: in\n"
      "image scp and NAME in container migrate reach ferry there through ssh.\n"
      "DESTINATION is [ssh://][USER@]HOST[:PORT][/PATH].  Unless --socket-path is given,\n"
      "ferry first runs `ferry version` there through ssh, as Podman asks its service.\n\n"
      "Options:\n"
      "  -d, --default            make it the default connection\n"
      "      --identity FILE      the ssh identity (private key) file\n"
      "  -p, --port N             the ssh port when DESTINATION has none (default 22)\n"
      "      --socket-path PATH   the path of Podman's socket there, recorded in the URI for\n"
      "                           Podman (ferry runs no service); no check is made\n";

static int
connection_add (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "default", no_argument, NULL, 'd' },
                                        { "identity", required_argument, NULL, OPT_IDENTITY },
                                        { "port", required_argument, NULL, 'p' },
                                        { "socket-path", required_argument, NULL, OPT_SOCKET_PATH },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  ferry_connections_t *cs = NULL;
  cleanup_free char *uri = NULL, *identity = NULL;
  const char *socket_path = NULL;
  ferry_error_t err = NULL;
  bool make_default = false;
  int port = 0, c, r, ret;

  while ((c = getopt_long (argc, argv, ":dp:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'd':
        make_default = true;
        break;
      case OPT_IDENTITY:
        free (identity);
        identity = realpath (optarg, NULL);
        if (identity == NULL)
          return ferry_cli_failf ("cannot use identity file `%s`: %s", optarg, strerror (errno));
        break;
      case 'p':
        {
          char *end;
          long v;

          errno = 0;
          v = strtol (optarg, &end, 10);
          if (*optarg == '\0' || *end || errno || v < 1 || v > 65535)
            return ferry_cli_failf (
                "invalid argument \"%s\" for \"-p, --port\" flag: give a port, 1 to 65535", optarg);
          port = (int) v;
          break;
        }
      case OPT_SOCKET_PATH:
        socket_path = optarg;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "system connection add", argv, add_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (argc - optind != 2)
    return ferry_cli_failf ("accepts 2 arg(s), received %d", argc - optind);
  if (! ferry_connection_name_is_valid (argv[optind]))
    return ferry_cli_failf ("invalid connection name `%s`: use letters, digits, `_`, `.` and `-`, not first",
                            argv[optind]);
  uri = ferry_connection_uri (argv[optind + 1], port, socket_path, &err);
  if (uri == NULL)
    return ferry_cli_fail (&err);
  if (socket_path == NULL && (ret = check_destination (uri, identity)) != 0)
    return ret;
  if ((ret = connections_open (true, &cs)) != 0)
    return ret;
  if (ferry_connections_add (cs, argv[optind], uri, identity, make_default, &err) < 0)
    ret = ferry_cli_fail (&err);
  else
    ret = connections_save (cs);
  ferry_connections_close (cs);
  return ret;
}

static const struct ferry_cli_column connection_columns[] = {
  { "Name", "Name" },           { "URI", "URI" }, { "Identity", "Identity" }, { "Default", "Default" },
  { "ReadWrite", "ReadWrite" }, { NULL, NULL },
};

static const char list_usage[]
    = "Usage: ferry system connection list [options]\n\n"
      "List the connections, from Podman's connections file.\n\n"
      "Options:\n"
      "  -f, --format FORMAT  json, or a Go template per connection ({{.Name}} {{.URI}}\n"
      "                       {{.Identity}} {{.Default}} {{.ReadWrite}}); \"table TEMPLATE\"\n"
      "                       adds headings\n"
      "  -q, --quiet          print only the names\n";

static json_object *
connection_json (const struct ferry_connection *v)
{
  json_object *o = json_object_new_object ();

  json_object_object_add (o, "Name", json_object_new_string (v->name));
  json_object_object_add (o, "URI", json_object_new_string (v->uri));
  if (v->identity)
    json_object_object_add (o, "Identity", json_object_new_string (v->identity));
  json_object_object_add (o, "Default", json_object_new_boolean (v->is_default));
  json_object_object_add (o, "ReadWrite", json_object_new_boolean (1));
  return o;
}

static int
connection_list (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "format", required_argument, NULL, 'f' },
                                        { "quiet", no_argument, NULL, 'q' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_list struct ferry_cli_list out = { 0 };
  const char *format = "table {{.Name}}\t{{.URI}}\t{{.Identity}}\t{{.Default}}\t{{.ReadWrite}}";
  struct ferry_connection *v = NULL;
  ferry_connections_t *cs = NULL;
  ferry_error_t err = NULL;
  size_t n = 0, i;
  int quiet = 0, c, r, ret;

  while ((c = getopt_long (argc, argv, ":f:qh", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        format = optarg;
        break;
      case 'q':
        quiet = 1;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "system connection list", argv, list_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind < argc)
    return ferry_cli_failf ("`ferry system connection list` takes no arguments");
  if ((ret = connections_open (false, &cs)) != 0)
    return ret;
  ferry_connections_list (cs, &v, &n, &err);
  ferry_connections_close (cs);
  if (quiet)
    for (i = 0; i < n; i++)
      puts (v[i].name);
  else if (ferry_cli_format_is_json (format))
    {
      cleanup_json json_object *all = json_object_new_array ();

      for (i = 0; i < n; i++)
        json_object_array_add (all, connection_json (&v[i]));
      ferry_cli_print_inspected (all);
    }
  else
    {
      ferry_cli_list_init (&out, format, connection_columns, 1);
      for (i = 0; i < n && ret == 0; i++)
        {
          cleanup_json json_object *row = connection_json (&v[i]);

          if (! v[i].identity)
            json_object_object_add (row, "Identity", json_object_new_string (""));
          if (ferry_cli_list_row (&out, row, &err) < 0)
            ret = ferry_cli_fail (&err);
        }
      if (ret == 0 && ferry_cli_list_end (&out, &err) < 0)
        ret = ferry_cli_fail (&err);
    }
  ferry_connections_free (v, n);
  return ret;
}

static const char remove_usage[] = "Usage: ferry system connection remove [options] NAME\n\n"
                                   "Delete a connection (a name that is none is no error, as in Podman).\n\n"
                                   "Options:\n"
                                   "  -a, --all   remove all connections\n";

static int
connection_remove (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  ferry_connections_t *cs = NULL;
  int all = 0, c, r, ret;

  while ((c = getopt_long (argc, argv, ":ah", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        all = 1;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "system connection remove", argv, remove_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (! all && argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  if ((ret = connections_open (true, &cs)) != 0)
    return ret;
  if (all)
    ferry_connections_remove_all (cs);
  if (all || ferry_connections_remove (cs, argv[optind]))
    ret = connections_save (cs);
  ferry_connections_close (cs);
  return ret;
}

static const char rename_usage[] = "Usage: ferry system connection rename OLD NEW\n\n"
                                   "Rename connection OLD to NEW (replacing a connection named NEW).\n";

static const char default_usage[] = "Usage: ferry system connection default NAME\n\n"
                                    "Make connection NAME the default.\n";

/* rename OLD NEW, default NAME: the same shape.  */
static int
connection_change (int argc, char **argv, bool rename)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  ferry_connections_t *cs = NULL;
  ferry_error_t err = NULL;
  int want = rename ? 2 : 1, c, r, ret;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      r = ferry_cli_parse_or_help (c, rename ? "system connection rename" : "system connection default", argv,
                                   rename ? rename_usage : default_usage);
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind != want)
    return ferry_cli_failf ("accepts %d arg(s), received %d", want, argc - optind);
  if ((ret = connections_open (true, &cs)) != 0)
    return ret;
  if ((rename ? ferry_connections_rename (cs, argv[optind], argv[optind + 1], &err)
              : ferry_connections_set_default (cs, argv[optind], &err))
      < 0)
    ret = ferry_cli_fail (&err);
  else
    ret = connections_save (cs);
  ferry_connections_close (cs);
  return ret;
}

static int
connection_rename (int argc, char **argv)
{
  return connection_change (argc, argv, true);
}

static int
connection_default (int argc, char **argv)
{
  return connection_change (argc, argv, false);
}

int
ferry_cmd_system_connection (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "add", connection_add, "Record destination for ferry's ssh commands (and the Podman service)" },
    { "default", connection_default, "Set named destination as default" },
    { "list", connection_list, "List destinations" },
    { "ls", connection_list, NULL },
    { "remove", connection_remove, "Delete named destination" },
    { "rename", connection_rename, "Rename \"old\" to \"new\"" },
    { "rm", connection_remove, NULL },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("system connection", table, argc - 1, argv + 1);
}
