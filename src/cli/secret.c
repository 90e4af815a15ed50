/* ferry CLI: secret create, ls, inspect, rm and exists, as Podman's.  */
#include "commands.h"
#include "common.h"
#include "template.h"
#include "engine/secret.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum
{
  OPT_DRIVER_OPTS = OPT_COMMAND_FIRST,
  OPT_ENV,
  OPT_REPLACE,
  OPT_FORMAT,
  OPT_PRETTY,
  OPT_SHOWSECRET,
};

/* Secrets bigger than this are refused, as Podman refuses them.  */
#define SECRET_MAX_SIZE (512 * 1024)

static const char create_usage[]
    = "Usage: ferry secret create [options] NAME FILE|-\n\n"
      "Create a secret holding the content of FILE (- : standard input), or with --env the\n"
      "value of the environment variable FILE names.  Prints its ID.\n\n"
      "Options:\n"
      "  -d, --driver NAME        file, the only driver (default)\n"
      "      --driver-opts K=V    driver options: the file driver takes none, and ignores them\n"
      "      --env                FILE is an environment variable's name\n"
      "  -l, --label K=V          add a label (repeatable)\n"
      "      --replace            replace a secret of that name\n";

static int
read_all (int fd, char **data, size_t *len)
{
  size_t size = 4096;

  *data = xmalloc (size);
  *len = 0;
  for (;;)
    {
      ssize_t n;

      if (*len == size)
        {
          if (size > SECRET_MAX_SIZE)
            return -2;
          size *= 2;
          *data = xrealloc (*data, size);
        }
      n = read (fd, *data + *len, size - *len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        return 0;
      *len += (size_t) n;
    }
}

static int
secret_create (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "driver", required_argument, NULL, 'd' },
                                        { "driver-opts", required_argument, NULL, OPT_DRIVER_OPTS },
                                        { "env", no_argument, NULL, OPT_ENV },
                                        { "label", required_argument, NULL, 'l' },
                                        { "replace", no_argument, NULL, OPT_REPLACE },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_json json_object *labels = json_object_new_object ();
  cleanup_free char *data = NULL, *id = NULL;
  const char *driver = "file", *source;
  bool from_env = false, replace = false;
  ferry_error_t err = NULL;
  size_t len = 0;
  int c, r;

  while ((c = getopt_long (argc, argv, ":d:l:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'd':
        driver = optarg;
        break;
      case OPT_DRIVER_OPTS:
        break;
      case OPT_ENV:
        from_env = true;
        break;
      case 'l':
        {
          const char *eq = strchr (optarg, '=');
          cleanup_free char *key = eq ? xstrndup (optarg, eq - optarg) : xstrdup (optarg);

          json_object_object_add (labels, key, json_object_new_string (eq ? eq + 1 : ""));
          break;
        }
      case OPT_REPLACE:
        replace = true;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "secret create", argv, create_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (argc - optind != 2)
    return ferry_cli_failf ("accepts 2 arg(s), received %d", argc - optind);
  if (strcmp (driver, "file") != 0)
    return ferry_cli_failf ("secret driver %s is not supported: ferry keeps secrets with the file driver",
                            driver);
  source = argv[optind + 1];
  if (from_env)
    {
      const char *v = getenv (source);

      if (v == NULL)
        return ferry_cli_failf ("cannot create store secret data: environment variable %s is not set",
                                source);
      data = xstrdup (v);
      len = strlen (v);
    }
  else
    {
      int fd = strcmp (source, "-") == 0 ? STDIN_FILENO : open (source, O_RDONLY | O_CLOEXEC);

      if (fd < 0)
        {
          /* Go's words: "no such file or directory".  */
          cleanup_free char *why = xstrdup (strerror (errno));

          why[0] = (char) tolower ((unsigned char) why[0]);
          return ferry_cli_failf ("open %s: %s", source, why);
        }
      r = read_all (fd, &data, &len);
      if (fd != STDIN_FILENO)
        close (fd);
      if (r == -2)
        return ferry_cli_failf ("secret %s is too big: at most 512 KiB", argv[optind]);
      if (r < 0)
        return ferry_cli_failf ("read %s: %s", source, strerror (errno));
    }
  if (len == 0)
    return ferry_cli_failf ("secret data must be larger than 0 and less than 512000 bytes");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  r = ferry_secret_create (e, argv[optind], data, len, labels, replace, &id, &err);
  explicit_bzero (data, len);
  if (r < 0)
    return ferry_cli_fail (&err);
  puts (id);
  return 0;
}

static const struct ferry_cli_column secret_columns[] = {
  { "ID", "ID" },
  { "Name", "NAME" },
  { "Driver", "DRIVER" },
  { "CreatedAt", "CREATED" },
  { "UpdatedAt", "UPDATED" },
  { NULL, NULL },
};

static const char ls_usage[]
    = "Usage: ferry secret ls [options]\n\n"
      "List secrets.\n\n"
      "Options:\n"
      "  -f, --filter KEY=VALUE  name=NAME or id=ID (prefixes match; repeatable)\n"
      "      --format FORMAT     a Go template per secret ({{.ID}} {{.Name}} {{.Driver}}\n"
      "                          {{.CreatedAt}} {{.UpdatedAt}}); \"table TEMPLATE\" adds headings\n"
      "  -n, --noheading         do not print the column headings\n"
      "  -q, --quiet             print only the IDs\n";

static bool
filters_match (char **filters, const struct ferry_secret *s)
{
  bool name_given = false, name_ok = false, id_given = false, id_ok = false;

  for (size_t i = 0; filters && filters[i]; i++)
    {
      const char *v = strchr (filters[i], '=') + 1;

      if (strncmp (filters[i], "name=", 5) == 0)
        {
          name_given = true;
          name_ok = name_ok || strncmp (s->name, v, strlen (v)) == 0;
        }
      else
        {
          id_given = true;
          id_ok = id_ok || strncmp (s->id, v, strlen (v)) == 0;
        }
    }
  return (! name_given || name_ok) && (! id_given || id_ok);
}

static int
secret_ls (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "filter", required_argument, NULL, 'f' },
                                        { "format", required_argument, NULL, OPT_FORMAT },
                                        { "noheading", no_argument, NULL, 'n' },
                                        { "quiet", no_argument, NULL, 'q' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_strv char **filters = xmalloc0 (sizeof (char *));
  cleanup_list struct ferry_cli_list out = { 0 };
  struct ferry_secret **secrets = NULL;
  const char *format = "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}";
  ferry_error_t err = NULL;
  size_t n = 0, n_filters = 0, i;
  int heading = 1, quiet = 0, c, r, ret = 0;

  while ((c = getopt_long (argc, argv, ":f:nqh", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        {
          const char *eq = strchr (optarg, '=');
          cleanup_free char *key = eq ? xstrndup (optarg, eq - optarg) : xstrdup (optarg);

          if (eq == NULL || (strcmp (key, "name") != 0 && strcmp (key, "id") != 0))
            return ferry_cli_failf ("invalid filter \"%s\"", key);
          filters = xrealloc (filters, sizeof (char *) * (n_filters + 2));
          filters[n_filters++] = xstrdup (optarg);
          filters[n_filters] = NULL;
          break;
        }
      case OPT_FORMAT:
        format = optarg;
        break;
      case 'n':
        heading = 0;
        break;
      case 'q':
        quiet = 1;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "secret ls", argv, ls_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind < argc)
    return ferry_cli_failf ("`ferry secret ls` takes no arguments (got `%s`)", argv[optind]);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_secret_list (e, &secrets, &n, &err) < 0)
    return ferry_cli_fail (&err);
  ferry_cli_list_init (&out, format, secret_columns, heading);
  for (i = 0; i < n && ret == 0; i++)
    {
      cleanup_json json_object *row = NULL;
      cleanup_free char *created = NULL, *updated = NULL;

      if (! filters_match (filters, secrets[i]))
        continue;
      if (quiet)
        {
          puts (secrets[i]->id);
          continue;
        }
      created = ferry_cli_time_ago (secrets[i]->created);
      updated = ferry_cli_time_ago (secrets[i]->updated);
      row = json_object_new_object ();
      json_object_object_add (row, "ID", json_object_new_string (secrets[i]->id));
      json_object_object_add (row, "Name", json_object_new_string (secrets[i]->name));
      json_object_object_add (row, "Driver", json_object_new_string (secrets[i]->driver));
      json_object_object_add (row, "CreatedAt", json_object_new_string (created));
      json_object_object_add (row, "UpdatedAt", json_object_new_string (updated));
      if (ferry_cli_list_row (&out, row, &err) < 0)
        ret = ferry_cli_fail (&err);
    }
  /* Podman prints the headings even for none.  */
  if (ret == 0 && ! quiet && ferry_cli_list_end (&out, &err) < 0)
    ret = ferry_cli_fail (&err);
  ferry_secrets_free (secrets, n);
  return ret;
}

static const char inspect_usage[]
    = "Usage: ferry secret inspect [options] SECRET [SECRET...]\n\n"
      "Display the details of secrets as JSON (without their data, unless --showsecret).\n\n"
      "Options:\n"
      "  -a, --all            inspect every secret\n"
      "  -f, --format FORMAT  render with a Go template ({{.ID}} {{.Spec.Name}} {{.CreatedAt}}\n"
      "                       {{.SecretData}} ...)\n"
      "      --pretty         print in a human-readable form\n"
      "      --showsecret     include the secret's data (SecretData)\n";

static int64_t
nanos_of (const char *rfc3339)
{
  struct timespec ts = { 0, 0 };

  ferry_time_parse (rfc3339, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Podman's SecretInfoReport; times as TEMPLATE wants them (Go's time
 * printing for a template, RFC 3339 in JSON).  */
static json_object *
secret_json (ferry_engine_t *e, const struct ferry_secret *s, bool template, bool show, ferry_error_t *err)
{
  json_object *o = json_object_new_object (), *spec = json_object_new_object ();
  json_object *driver = json_object_new_object ();
  cleanup_free char *created = template ? ferry_cli_go_time (nanos_of (s->created)) : xstrdup (s->created);
  cleanup_free char *updated = template ? ferry_cli_go_time (nanos_of (s->updated)) : xstrdup (s->updated);

  json_object_object_add (o, "ID", json_object_new_string (s->id));
  json_object_object_add (o, "CreatedAt", json_object_new_string (created));
  json_object_object_add (o, "UpdatedAt", json_object_new_string (updated));
  json_object_object_add (driver, "Name", json_object_new_string (s->driver));
  json_object_object_add (driver, "Options", json_object_new_object ());
  json_object_object_add (spec, "Name", json_object_new_string (s->name));
  json_object_object_add (spec, "Driver", driver);
  json_object_object_add (spec, "Labels", json_object_get (s->labels));
  json_object_object_add (o, "Spec", spec);
  if (show)
    {
      cleanup_free char *data = NULL;
      size_t len;

      if (ferry_secret_data (e, s->id, &data, &len, err) < 0)
        {
          json_object_put (o);
          return NULL;
        }
      json_object_object_add (o, "SecretData", json_object_new_string_len (data, (int) len));
      explicit_bzero (data, len);
    }
  return o;
}

static int
compare_keys (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
print_pretty (const struct ferry_secret *s)
{
  cleanup_free char *created = ferry_cli_go_time (nanos_of (s->created));
  cleanup_free char *updated = ferry_cli_go_time (nanos_of (s->updated));

  printf ("ID:              %s\n", s->id);
  printf ("Name:              %s\n", s->name);
  /* As Podman: the labels, when there are any, one a line.  */
  if (s->labels && json_object_object_length (s->labels) > 0)
    {
      size_t n = 0;
      cleanup_free const char **keys = xmalloc (json_object_object_length (s->labels) * sizeof (*keys));

      json_object_object_foreach (s->labels, k, v)
      {
        (void) v;
        keys[n++] = k;
      }
      qsort (keys, n, sizeof (*keys), compare_keys);
      puts ("Labels:");
      for (size_t i = 0; i < n; i++)
        printf (" - %s=%s\n", keys[i], ferry_json_get_string (s->labels, keys[i]) ?: "");
    }
  printf ("Driver:            %s\n", s->driver);
  printf ("Created at:        %s\n", created);
  printf ("Updated at:        %s\n", updated);
}

static int
secret_inspect (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "format", required_argument, NULL, 'f' },
                                        { "pretty", no_argument, NULL, OPT_PRETTY },
                                        { "showsecret", no_argument, NULL, OPT_SHOWSECRET },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_json json_object *all = json_object_new_array ();
  cleanup_strv char **wanted = NULL;
  struct ferry_secret **secrets = NULL;
  const char *format = NULL;
  bool every = false, pretty = false, show = false;
  ferry_error_t err = NULL;
  size_t n = 0, i;
  int c, r, ret = 0;

  while ((c = getopt_long (argc, argv, ":af:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        every = true;
        break;
      case 'f':
        format = optarg;
        break;
      case OPT_PRETTY:
        pretty = true;
        break;
      case OPT_SHOWSECRET:
        show = true;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "secret inspect", argv, inspect_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (! every && optind >= argc)
    return ferry_cli_failf ("requires at least 1 arg(s), only received 0");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (every)
    {
      if (ferry_secret_list (e, &secrets, &n, &err) < 0)
        return ferry_cli_fail (&err);
    }
  else
    {
      secrets = xmalloc0 (sizeof (*secrets) * (size_t) (argc - optind));
      for (; optind < argc; optind++)
        {
          if (ferry_secret_lookup (e, argv[optind], &secrets[n], &err) < 0)
            {
              /* Said after what was found, as Podman.  */
              if (ret == 0)
                wanted = xmalloc0 (sizeof (char *) * (size_t) (argc - optind + 1));
              ret = FERRY_EXIT_ERROR;
              for (i = 0; wanted[i]; i++)
                ;
              wanted[i] = xasprintf ("inspecting secret: %s", err->msg);
              ferry_error_release (&err);
              continue;
            }
          n++;
        }
    }
  for (i = 0; i < n; i++)
    {
      json_object *o;

      if (pretty && format == NULL)
        {
          print_pretty (secrets[i]);
          continue;
        }
      o = secret_json (e, secrets[i], format != NULL, show, &err);
      if (o == NULL)
        {
          ret = ferry_cli_fail (&err);
          break;
        }
      if (format == NULL)
        json_object_array_add (all, o);
      else
        {
          if (ferry_cli_print_template (format, o) != 0)
            ret = FERRY_EXIT_ERROR;
          json_object_put (o);
        }
    }
  if (format == NULL && ! pretty)
    {
      /* Indented by four, where Podman's other inspect commands take five.  */
      cleanup_free char *text = ferry_json_to_indented (all, 4);

      puts (text);
    }
  fflush (stdout);
  for (i = 0; wanted && wanted[i]; i++)
    ferry_cli_failf ("%s", wanted[i]);
  ferry_secrets_free (secrets, n);
  return ret;
}

static const char rm_usage[]
    = "Usage: ferry secret rm [options] SECRET [SECRET...]\n\n"
      "Remove secrets (containers made with them keep their copies).  Prints their IDs.\n\n"
      "Options:\n"
      "  -a, --all     remove every secret\n"
      "  -i, --ignore  a secret that is not there is no error\n";

static int
secret_rm (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "ignore", no_argument, NULL, 'i' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  bool every = false, ignore = false;
  ferry_error_t err = NULL;
  int c, r, ret = 0;

  while ((c = getopt_long (argc, argv, ":aih", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        every = true;
        break;
      case 'i':
        ignore = true;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "secret rm", argv, rm_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (every && optind < argc)
    return ferry_cli_failf ("when using the --all switch, you may not pass any secret names or IDs");
  if (! every && optind >= argc)
    return ferry_cli_failf ("`ferry secret rm` requires one argument, or the --all flag");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (every)
    {
      struct ferry_secret **secrets = NULL;
      size_t n = 0, i;

      if (ferry_secret_list (e, &secrets, &n, &err) < 0)
        return ferry_cli_fail (&err);
      for (i = 0; i < n; i++)
        if (ferry_secret_remove (e, secrets[i]->id, &err) < 0)
          ret = ferry_cli_fail (&err);
        else
          puts (secrets[i]->id);
      ferry_secrets_free (secrets, n);
      return ret;
    }
  for (; optind < argc; optind++)
    {
      struct ferry_secret *s = NULL;

      if (ferry_secret_lookup (e, argv[optind], &s, &err) < 0)
        {
          if (ignore && err->kind == FERRY_ERROR_NOT_FOUND)
            ferry_error_release (&err);
          else
            ret = ferry_cli_fail (&err);
          continue;
        }
      if (ferry_secret_remove (e, s->id, &err) < 0)
        ret = ferry_cli_fail (&err);
      else
        puts (s->id);
      ferry_secret_free (s);
    }
  return ret;
}

static int
secret_exists (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_secret *s = NULL;
  ferry_error_t err = NULL;
  int c, r;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      r = ferry_cli_parse_or_help (
          c, "secret exists", argv,
          "Usage: ferry secret exists SECRET\n\nExit 0 if SECRET exists, 1 if not.\n");
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_secret_lookup (e, argv[optind], &s, &err) < 0)
    {
      if (err->kind != FERRY_ERROR_NOT_FOUND)
        return ferry_cli_fail (&err);
      ferry_error_release (&err);
      return 1;
    }
  ferry_secret_free (s);
  return 0;
}

int
ferry_cmd_secret (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "create", secret_create, "Create a new secret" },
    { "exists", secret_exists, "Check if a secret exists" },
    { "inspect", secret_inspect, "Display detailed information on one or more secrets" },
    { "list", secret_ls, NULL },
    { "ls", secret_ls, "List secrets" },
    { "remove", secret_rm, NULL },
    { "rm", secret_rm, "Remove one or more secrets" },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("secret", table, argc - 1, argv + 1);
}
