/* ferry CLI: volume create|ls|rm|inspect|exists|prune.  */
#include "common.h"
#include "engine/engine.h"
#include "commands.h"
#include "engine/container.h"
#include "engine/volume.h"
#include "engine/volume_mount.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
ferry_cleanup_dbp (ferry_db_t **db)
{
  ferry_db_close (*db);
}
#define cleanup_db __attribute__ ((cleanup (ferry_cleanup_dbp)))

static void
ferry_cleanup_volumep (struct ferry_volume **v)
{
  ferry_volume_free (*v);
}
#define cleanup_volume __attribute__ ((cleanup (ferry_cleanup_volumep)))

/* Volume names never start with '-', so options and names may mix in any
 * order, as Podman allows: no '+' in the option strings.  */

static ferry_db_t *
open_db (void)
{
  ferry_error_t err = NULL;
  ferry_db_t *db = NULL;

  if (ferry_db_open (ferry_global.root, &db, &err) < 0)
    {
      ferry_cli_fail (&err);
      return NULL;
    }
  return db;
}

/* Handles a global option, help or a parsing error.  Returns 0 to go on,
 * otherwise 1 + the exit code.  */
static int
other_option (int opt, const char *cmd, char **argv, const char *usage)
{
  int r = ferry_cli_common_option (opt, cmd, argv);

  if (r > 0)
    {
      ferry_cli_print_usage (usage);
      return 1;
    }
  return r < 0 ? 1 + FERRY_EXIT_ERROR : 0;
}

/* The engine inspect and ls opened, for MountCount; NULL: 0.  */
static ferry_engine_t *count_engine;

static json_object *
volume_json (const struct ferry_volume *v)
{
  json_object *o = json_object_new_object ();
  long long uid = ferry_volume_options_id (v->options, "UID");
  long long gid = ferry_volume_options_id (v->options, "GID");

  json_object_object_add (o, "Name", json_object_new_string (v->name));
  json_object_object_add (o, "Driver", json_object_new_string (v->driver));
  json_object_object_add (o, "Mountpoint", json_object_new_string (v->mountpoint));
  json_object_object_add (o, "CreatedAt", json_object_new_string (v->created));
  json_object_object_add (o, "Labels", json_object_get (v->labels));
  json_object_object_add (o, "Scope", json_object_new_string ("local"));
  json_object_object_add (o, "Options", json_object_get (v->options));
  /* -o o=uid=,gid=, shown when set as Podman shows them; the owner they
   * set is not changed to the image's by a copy-up (NeedsChown).  */
  if (uid != FERRY_VOLUME_ID_UNSET && uid != 0)
    json_object_object_add (o, "UID", json_object_new_int64 (uid));
  if (gid != FERRY_VOLUME_ID_UNSET && gid != 0)
    json_object_object_add (o, "GID", json_object_new_int64 (gid));
  /* Its users while a file system is mounted on it (type=, device=);
   * a volume that mounts nothing has none, as in Podman.  */
  json_object_object_add (
      o, "MountCount",
      json_object_new_int (count_engine ? ferry_volume_mount_count (count_engine, v->name) : 0));
  json_object_object_add (o, "NeedsCopyUp", json_object_new_boolean (v->needs_copy_up));
  /* Podman leaves it out when false (omitempty).  */
  if (v->needs_chown)
    json_object_object_add (o, "NeedsChown", json_object_new_boolean (1));
  /* Podman leaves it out when false (omitempty).  */
  if (v->anonymous)
    json_object_object_add (o, "Anonymous", json_object_new_boolean (1));
  return o;
}

/* The object a --format template renders: volume_json's members as the
 * Go types Podman's templates see (.Labels a map, .CreatedAt a time).  */
static json_object *
volume_report (const struct ferry_volume *v)
{
  json_object *o = volume_json (v);
  long long uid = ferry_volume_options_id (v->options, "UID");
  long long gid = ferry_volume_options_id (v->options, "GID");

  json_object_object_add (o, "CreatedAt", ferry_cli_tpl_time (v->created));
  json_object_object_add (o, "Labels", ferry_cli_tpl_map (v->labels));
  json_object_object_add (o, "Options", ferry_cli_tpl_map (v->options));
  json_object_object_add (o, "Status", ferry_cli_tpl_map (NULL));
  /* Templates see Podman's ints: 0 when not set.  */
  json_object_object_add (o, "UID", json_object_new_int64 (uid == FERRY_VOLUME_ID_UNSET ? 0 : uid));
  json_object_object_add (o, "GID", json_object_new_int64 (gid == FERRY_VOLUME_ID_UNSET ? 0 : gid));
  if (! json_object_object_get_ex (o, "NeedsChown", NULL))
    json_object_object_add (o, "NeedsChown", json_object_new_boolean (0));
  json_object_object_add (o, "Anonymous", json_object_new_boolean (v->anonymous));
  return o;
}

static const struct ferry_cli_column volume_columns[] = {
  { "Name", "VOLUME NAME" }, { "Driver", NULL },     { "Mountpoint", NULL }, { "CreatedAt", NULL },
  { "Labels", NULL },        { "Scope", NULL },      { "Options", NULL },    { "MountCount", NULL },
  { "NeedsCopyUp", NULL },   { "NeedsChown", NULL }, { "Anonymous", NULL },  { "Status", NULL },
  { "UID", NULL },           { "GID", NULL },        { NULL, NULL },
};

/* --label K=V (or just K, for an empty value) into LABELS.  */
static int
add_label (json_object *labels, const char *arg)
{
  const char *eq = strchr (arg, '=');
  cleanup_free char *key = eq ? xstrndup (arg, eq - arg) : xstrdup (arg);

  if (*key == '\0')
    {
      ferry_cli_failf ("invalid label `%s`: give it as KEY=VALUE", arg);
      return -1;
    }
  json_object_object_add (labels, key, json_object_new_string (eq ? eq + 1 : ""));
  return 0;
}

static const char create_usage[]
    = "Usage: ferry volume create [options] [NAME]\n\n"
      "Create a volume (a random 64-hex name when NAME is not given) and print its name.\n\n"
      "Options:\n"
      "  -d, --driver DRIVER    volume driver: only local\n"
      "      --ignore           an existing volume of that name is not an error\n"
      "  -l, --label KEY=VALUE  set a label (repeatable)\n"
      "  -o, --opt KEY=VALUE    a local driver option (repeatable): type=FSTYPE, device=DEV\n"
      "                         and o=MOUNT-OPTIONS (a file system mounted while in use),\n"
      "                         o=uid=N,gid=N (owner of the volume), nocopy (never filled\n"
      "                         from an image), copy\n";

static int
volume_create (int argc, char **argv)
{
  enum
  {
    OPT_IGNORE = OPT_COMMAND_FIRST,
  };
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "driver", required_argument, NULL, 'd' },
                                        { "ignore", no_argument, NULL, OPT_IGNORE },
                                        { "label", required_argument, NULL, 'l' },
                                        { "opt", required_argument, NULL, 'o' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_json json_object *labels = json_object_new_object ();
  cleanup_strv char **opt_args = xmalloc0 (sizeof (char *));
  struct ferry_volume_options vopts = { 0 };
  size_t n_opts = 0;
  cleanup_db ferry_db_t *db = NULL;
  cleanup_free char *created = NULL;
  ferry_error_t err = NULL;
  const char *name, *driver = NULL;
  int ignore = 0, c, r;

  while ((c = getopt_long (argc, argv, ":d:l:o:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'o':
        opt_args = xrealloc (opt_args, sizeof (char *) * (n_opts + 2));
        opt_args[n_opts++] = xstrdup (optarg);
        opt_args[n_opts] = NULL;
        break;
      case 'd':
        driver = optarg;
        break;
      case OPT_IGNORE:
        ignore = 1;
        break;
      case 'l':
        if (add_label (labels, optarg) < 0)
          return FERRY_EXIT_ERROR;
        break;
      default:
        if ((r = other_option (c, "volume create", argv, create_usage)))
          return r - 1;
      }
  if (argc - optind > 1)
    return ferry_cli_failf ("accepts at most 1 arg(s), received %d", argc - optind);
  name = optind < argc ? argv[optind] : NULL;
  if (driver && strcmp (driver, "local") != 0)
    return ferry_cli_failf (
        "volume %s uses volume plugin %s but it could not be retrieved: ferry has only the "
        "local driver",
        name ? name : "(unnamed)", driver);
  if (ferry_volume_options_parse (opt_args, &vopts, &err) < 0)
    {
      ferry_volume_options_release (&vopts);
      return ferry_cli_fail (&err);
    }
  db = open_db ();
  if (db == NULL)
    {
      ferry_volume_options_release (&vopts);
      return FERRY_EXIT_ERROR;
    }
  r = ferry_volume_create_with_options (db, ferry_global.root, name, labels, &vopts, &created, &err);
  ferry_volume_options_release (&vopts);
  if (r == 0)
    ferry_cli_event ("volume", "create", NULL, created);
  else
    {
      if (ignore && err->kind == FERRY_ERROR_EXISTS)
        {
          ferry_error_release (&err);
          puts (name);
          return 0;
        }
      /* Podman's first words for a bad name.  */
      if (name && ! ferry_volume_name_is_valid (name))
        ferry_error_wrap (&err, "running volume create option");
      return ferry_cli_fail (&err);
    }
  puts (created);
  return 0;
}

/* The --filter options of ls and prune.  As in Podman, a volume is
 * listed when any one filter takes it: each value of a key is a filter of
 * its own, except labels, whose values together are one (all must
 * match).  */
struct filters
{
  int given;    /* any filter at all */
  char **names; /* regular expressions */
  char **drivers;
  char **scopes;
  char **labels;     /* KEY or KEY=VALUE */
  char **not_labels; /* label! */
  char **opts;       /* opt=KEY[=VALUE] */
  int dangling[2];   /* dangling=false, dangling=true given */
  int has_until;     /* until=TIME: made before it (one only, as Podman) */
  struct timespec until;
};

static void
filters_free (struct filters *f)
{
  char **lists[] = { f->names, f->drivers, f->scopes, f->labels, f->not_labels, f->opts };
  size_t i;

  for (i = 0; i < sizeof (lists) / sizeof (lists[0]); i++)
    {
      char **it;
      for (it = lists[i]; it && *it; it++)
        free (*it);
      free (lists[i]);
    }
}

static int
filters_add (struct filters *f, const char *arg)
{
  const char *eq = strchr (arg, '=');
  cleanup_free char *key = eq ? xstrndup (arg, eq - arg) : NULL;
  const char *value = eq ? eq + 1 : NULL;

  if (key == NULL)
    return ferry_cli_failf ("invalid filter `%s`: give it as KEY=VALUE", arg);
  f->given = 1;
  if (strcmp (key, "name") == 0)
    {
      regex_t re;
      if (regcomp (&re, value, REG_EXTENDED | REG_NOSUB) != 0)
        return ferry_cli_failf ("invalid filter `%s`: not a regular expression", arg);
      regfree (&re);
      ferry_strv_add (&f->names, value);
    }
  else if (strcmp (key, "driver") == 0)
    ferry_strv_add (&f->drivers, value);
  else if (strcmp (key, "scope") == 0)
    ferry_strv_add (&f->scopes, value);
  else if (strcmp (key, "label") == 0)
    ferry_strv_add (&f->labels, value);
  else if (strcmp (key, "label!") == 0)
    ferry_strv_add (&f->not_labels, value);
  else if (strcmp (key, "opt") == 0)
    ferry_strv_add (&f->opts, value);
  else if (strcmp (key, "until") == 0)
    {
      struct timespec now;

      if (f->has_until)
        return ferry_cli_failf ("specify exactly one timestamp for until: give --filter until=TIME once");
      clock_gettime (CLOCK_REALTIME, &now);
      if (ferry_time_parse_user (value, &now, 1, &f->until) < 0)
        return ferry_cli_failf ("failed to parse value as time or duration: \"%s\"", value);
      f->has_until = 1;
    }
  else if (strcmp (key, "dangling") == 0)
    {
      if (strcmp (value, "true") == 0 || strcmp (value, "1") == 0)
        f->dangling[1] = 1;
      else if (strcmp (value, "false") == 0 || strcmp (value, "0") == 0)
        f->dangling[0] = 1;
      else
        return ferry_cli_failf (
            "\"%s\" is not a valid value for the \"dangling\" filter - must be true or false", value);
    }
  else
    return ferry_cli_failf (
        "\"%s\" is an invalid volume filter: use name, driver, scope, label, label!, opt, "
        "dangling or until",
        key);
  return 0;
}

/* Whether MAP (labels or options) has KEY[=VALUE] of SPEC.  */
static int
has_pair (json_object *map, const char *spec)
{
  const char *eq = strchr (spec, '=');
  cleanup_free char *key = eq ? xstrndup (spec, eq - spec) : xstrdup (spec);
  json_object *value;

  if (! json_object_object_get_ex (map, key, &value))
    return 0;
  return eq == NULL || strcmp (json_object_get_string (value), eq + 1) == 0;
}

static int
has_label (const struct ferry_volume *v, const char *spec)
{
  return has_pair (v->labels, spec);
}

static int
any_name_matches (char **patterns, const char *name)
{
  size_t i;

  for (i = 0; patterns[i]; i++)
    {
      regex_t re;
      int hit;

      if (regcomp (&re, patterns[i], REG_EXTENDED | REG_NOSUB) != 0)
        continue;
      hit = regexec (&re, name, 0, NULL, 0) == 0;
      regfree (&re);
      if (hit)
        return 1;
    }
  return 0;
}

/* Whether LIST holds S.  */
static int
listed (char **list, const char *s)
{
  for (size_t i = 0; list && list[i]; i++)
    if (strcmp (list[i], s) == 0)
      return 1;
  return 0;
}

static int
made_before (const struct ferry_volume *v, const struct timespec *until)
{
  struct timespec created;

  return v->created && ferry_time_parse (v->created, &created) == 0
         && (created.tv_sec < until->tv_sec
             || (created.tv_sec == until->tv_sec && created.tv_nsec < until->tv_nsec));
}

static int
all_labels_match (const struct filters *f, const struct ferry_volume *v)
{
  for (size_t i = 0; f->labels[i]; i++)
    if (! has_label (v, f->labels[i]))
      return 0;
  return 1;
}

/* Any one filter takes V, or none was given.  */
static int
filters_match (const struct filters *f, const struct ferry_volume *v)
{
  if (! f->given)
    return 1;
  if (f->names && any_name_matches (f->names, v->name))
    return 1;
  if (listed (f->drivers, v->driver) || listed (f->scopes, "local"))
    return 1;
  if (f->labels && all_labels_match (f, v))
    return 1;
  for (size_t i = 0; f->not_labels && f->not_labels[i]; i++)
    if (! has_label (v, f->not_labels[i]))
      return 1;
  for (size_t i = 0; f->opts && f->opts[i]; i++)
    if (has_pair (v->options, f->opts[i]))
      return 1;
  if (f->dangling[v->users[0] == NULL])
    return 1;
  return f->has_until && made_before (v, &f->until);
}

static const char ls_usage[]
    = "Usage: ferry volume ls [options]\n\n"
      "List volumes.\n\n"
      "Options:\n"
      "  -f, --filter KEY=VALUE  name=REGEX, driver=D, scope=local, label=K[=V], label!=K[=V],\n"
      "                          opt=K[=V], dangling=true|false, until=TIME (repeatable)\n"
      "      --format FORMAT     json, or a Go template per volume ({{.Name}} {{.Mountpoint}}\n"
      "                          {{.Labels}}); \"table TEMPLATE\" adds headings and aligns the columns\n"
      "  -n, --noheading         do not print the column headings\n"
      "  -q, --quiet             print only volume names\n";

static int
volume_ls (int argc, char **argv)
{
  enum
  {
    OPT_FORMAT = OPT_COMMAND_FIRST,
  };
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "filter", required_argument, NULL, 'f' },
                                        { "format", required_argument, NULL, OPT_FORMAT },
                                        { "noheading", no_argument, NULL, 'n' },
                                        { "quiet", no_argument, NULL, 'q' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  struct filters filters = { 0 };
  cleanup_engine ferry_engine_t *e = NULL;
  ferry_db_t *db = NULL;
  struct ferry_volume **vols = NULL;
  ferry_error_t err = NULL;
  const char *format = NULL;
  int quiet = 0, heading = 1, c, r, ret = 0;
  size_t n = 0, kept = 0, i;

  while ((c = getopt_long (argc, argv, ":f:nqh", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        if (filters_add (&filters, optarg) != 0)
          {
            filters_free (&filters);
            return FERRY_EXIT_ERROR;
          }
        break;
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
        if ((r = other_option (c, "volume ls", argv, ls_usage)))
          {
            filters_free (&filters);
            return r - 1;
          }
      }
  if (optind < argc)
    {
      filters_free (&filters);
      return ferry_cli_failf ("`ferry volume ls` takes no arguments (got `%s`): select volumes with --filter",
                              argv[optind]);
    }
  e = ferry_cli_open_engine ();
  db = e ? e->db : NULL;
  count_engine = e;
  if (db == NULL || ferry_volume_list (db, ferry_global.root, &vols, &n, &err) < 0)
    {
      filters_free (&filters);
      return db ? ferry_cli_fail (&err) : FERRY_EXIT_ERROR;
    }
  for (i = 0; i < n; i++)
    if (filters_match (&filters, vols[i]))
      vols[kept++] = vols[i];
    else
      ferry_volume_free (vols[i]);
  filters_free (&filters);

  if (quiet && format)
    ret = ferry_cli_failf ("quiet and format flags cannot be used together");
  else if (quiet)
    for (i = 0; i < kept; i++)
      puts (vols[i]->name);
  else if (format && ferry_cli_format_is_json (format))
    {
      cleanup_json json_object *all = json_object_new_array ();
      for (i = 0; i < kept; i++)
        json_object_array_add (all, volume_json (vols[i]));
      cleanup_free char *text = ferry_json_to_podman_list (all);
      puts (text);
    }
  else if (kept > 0) /* Podman prints not even the headings for none */
    {
      cleanup_list struct ferry_cli_list out = { 0 };

      ferry_cli_template_root_type ("*types.VolumeListReport");
      ferry_cli_list_init (&out, format ? format : "table {{.Driver}}\t{{.Name}}", volume_columns, heading);
      for (i = 0; i < kept && ret == 0; i++)
        {
          cleanup_json json_object *o = volume_report (vols[i]);
          if (ferry_cli_list_row (&out, o, &err) < 0)
            ret = ferry_cli_fail (&err);
        }
      if (ret == 0 && ferry_cli_list_end (&out, &err) < 0)
        ret = ferry_cli_fail (&err);
    }
  ferry_volumes_free (vols, kept);
  count_engine = NULL;
  return ret;
}

static const char inspect_usage[]
    = "Usage: ferry volume inspect [options] VOLUME [VOLUME...]\n\n"
      "Display the details of volumes as JSON.\n\n"
      "Options:\n"
      "  -a, --all            inspect every volume\n"
      "  -f, --format FORMAT  render with a Go template ({{.Mountpoint}}, {{json .Labels}})\n";

/* The inspect object of volume NAME (its template form when FOR_TEMPLATE);
 * NULL and Podman's "no such volume" when there is none.  */
static json_object *
volume_inspect_object (ferry_db_t *db, const char *name, int for_template, ferry_error_t *err)
{
  cleanup_volume struct ferry_volume *v = NULL;

  if (ferry_volume_get (db, ferry_global.root, name, &v, err) < 0)
    {
      if ((*err)->kind == FERRY_ERROR_NOT_FOUND)
        {
          ferry_error_release (err);
          ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "no such volume %s", name);
        }
      return NULL;
    }
  return for_template ? volume_report (v) : volume_json (v);
}

json_object *
ferry_cli_volume_inspect_lookup (const char *name, bool for_template, void *engine, ferry_error_t *err)
{
  ferry_engine_t *e = engine;
  json_object *o;

  count_engine = e;
  o = volume_inspect_object (e->db, name, for_template, err);
  count_engine = NULL;
  return o;
}

static int
volume_inspect (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "format", required_argument, NULL, 'f' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_cli_inspected in = { .only_not_found = true };
  int every = 0, c, r;

  while ((c = getopt_long (argc, argv, ":af:h", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        every = 1;
        break;
      case 'f':
        in.format = optarg;
        break;
      default:
        if ((r = other_option (c, "volume inspect", argv, inspect_usage)))
          return r - 1;
      }
  in.format = ferry_cli_inspect_format (in.format);
  if (every && optind < argc)
    return ferry_cli_failf ("provide one or more volume names or use --all, not both");
  if (! every && optind >= argc)
    return ferry_cli_failf ("provide one or more volume names or use --all");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (every)
    {
      struct ferry_volume **vols = NULL;
      ferry_error_t err = NULL;
      size_t n = 0, i;

      if (ferry_volume_list (e->db, ferry_global.root, &vols, &n, &err) < 0)
        return ferry_cli_fail (&err);
      count_engine = e;
      for (i = 0; i < n; i++)
        ferry_cli_inspected_add (&in, in.format ? volume_report (vols[i]) : volume_json (vols[i]));
      count_engine = NULL;
      ferry_volumes_free (vols, n);
    }
  return ferry_cli_inspect_names (&in, argv + optind, argc - optind, ferry_cli_volume_inspect_lookup, e);
}

static int
volume_exists (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  cleanup_db ferry_db_t *db = NULL;
  int c, r;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    if ((r = other_option (c, "volume exists", argv,
                           "Usage: ferry volume exists VOLUME\n\nExit 0 if VOLUME exists, 1 if not.\n")))
      return r - 1;
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  db = open_db ();
  if (db == NULL)
    return FERRY_EXIT_ERROR;
  return ferry_volume_exists (db, argv[optind]) ? 0 : 1;
}

/* The exit of a volume command that failed with *ERR: Podman's "no
 * such volume" for one that is not there.  */
static int
fail_volume (const char *name, ferry_error_t *err)
{
  if ((*err)->kind == FERRY_ERROR_NOT_FOUND)
    {
      ferry_error_release (err);
      return ferry_cli_failf ("no such volume %s", name);
    }
  return ferry_cli_fail (err);
}

static int
volume_export (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "output", required_argument, NULL, 'o' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_db ferry_db_t *db = NULL;
  const char *output = NULL;
  ferry_error_t err = NULL;
  int c, r;

  while ((c = getopt_long (argc, argv, ":o:h", opts, NULL)) != -1)
    {
      if (c == 'o')
        {
          output = optarg;
          continue;
        }
      if ((r = other_option (c, "volume export", argv,
                             "Usage: ferry volume export [options] VOLUME\n\n"
                             "Write a volume's content as a tar archive to standard output or FILE,\n"
                             "owners, modes, links and extended attributes kept.\n\n"
                             "Options:\n"
                             "  -o, --output FILE  write to FILE instead of standard output\n")))
        return r - 1;
    }
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  if (output == NULL && isatty (STDOUT_FILENO))
    return ferry_cli_failf (
        "refusing to write a tar archive to a terminal: use -o FILE or redirect the output");
  db = open_db ();
  if (db == NULL)
    return FERRY_EXIT_ERROR;
  /* As Podman: the volume first, then the file, in Go's words.  */
  if (output)
    {
      struct ferry_volume *v = NULL;
      int fd;

      if (ferry_volume_get (db, ferry_global.root, argv[optind], &v, &err) < 0)
        return fail_volume (argv[optind], &err);
      ferry_volume_free (v);
      fd = open (output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0)
        return ferry_cli_failf ("could not create tarball file '%s': open %s: %s", output, output,
                                errno == ENOENT ? "no such file or directory" : strerror (errno));
      close (fd);
    }
  if (ferry_volume_export (db, ferry_global.root, argv[optind], output ? output : "/dev/stdout", &err) < 0)
    return fail_volume (argv[optind], &err);
  return 0;
}

static int
volume_import (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  cleanup_db ferry_db_t *db = NULL;
  const char *input;
  ferry_error_t err = NULL;
  int c, r;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    if ((r = other_option (c, "volume import", argv,
                           "Usage: ferry volume import VOLUME FILE|-\n\n"
                           "Unpack a tar archive (FILE, or standard input for -) into an existing\n"
                           "volume; an entry that would land outside the volume is refused.\n")))
      return r - 1;
  if (argc - optind != 2)
    return ferry_cli_failf ("accepts 2 arg(s), received %d", argc - optind);
  input = strcmp (argv[optind + 1], "-") == 0 ? "/dev/stdin" : argv[optind + 1];
  if (access (input, R_OK) < 0)
    return ferry_cli_failf ("open %s: %s", argv[optind + 1],
                            errno == ENOENT ? "no such file or directory" : strerror (errno));
  db = open_db ();
  if (db == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_volume_import (db, ferry_global.root, argv[optind], input, &err) < 0)
    return fail_volume (argv[optind], &err);
  return 0;
}

/* Removes NAME, prints it, and returns the exit code its failure asks for
 * (Podman's: 1 for no such volume, 2 for one in use).  FORCE removes the
 * containers using it first, as podman volume rm -f does.  */
static int
remove_one (ferry_db_t *db, const char *name, int force, int timeout)
{
  ferry_error_t err = NULL;
  int code;

  if (force && ferry_volume_exists (db, name))
    {
      cleanup_engine ferry_engine_t *e = ferry_cli_open_engine ();
      if (e == NULL)
        return FERRY_EXIT_ERROR;
      if (ferry_cli_remove_containers_using_within (e, NULL, name, timeout, &err) < 0)
        return ferry_cli_fail (&err);
    }
  if (ferry_volume_remove (db, ferry_global.root, name, 0, &err) == 0)
    {
      ferry_cli_event ("volume", "remove", NULL, name);
      puts (name);
      return 0;
    }
  /* As Podman's: -f passes over a volume that is not there.  */
  if (force && err->kind == FERRY_ERROR_NOT_FOUND)
    {
      ferry_error_release (&err);
      return 0;
    }
  code = err->kind == FERRY_ERROR_NOT_FOUND ? 1 : err->kind == FERRY_ERROR_IN_USE ? 2 : FERRY_EXIT_ERROR;
  ferry_cli_fail (&err);
  return code;
}

static const char rm_usage[] = "Usage: ferry volume rm [options] VOLUME [VOLUME...]\n\n"
                               "Remove volumes and their data.  Exit 1 if a volume does not exist,\n"
                               "2 if one is used by a container.\n\n"
                               "Options:\n"
                               "  -a, --all    remove every volume\n"
                               "  -f, --force  also remove the containers that use it\n"
                               "  -t, --time SECONDS\n"
                               "               with -f: stop a running one with its stop signal, then\n"
                               "               SIGKILL after SECONDS (-1: wait without end; default: its\n"
                               "               stop timeout)\n";

static int
volume_rm (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "force", no_argument, NULL, 'f' },
                                        { "time", required_argument, NULL, 't' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_db ferry_db_t *db = NULL;
  int every = 0, force = 0, timeout = FERRY_STOP_TIMEOUT_OWN, timeout_given = 0, c, r, ret = 0;
  char *end;
  long v;

  while ((c = getopt_long (argc, argv, ":afht:", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        every = 1;
        break;
      case 'f':
        force = 1;
        break;
      case 't':
        errno = 0;
        v = strtol (optarg, &end, 10);
        if (errno || end == optarg || *end || v > INT_MAX || v < INT_MIN)
          return ferry_cli_failf ("invalid argument \"%s\" for \"-t, --time\" flag: give whole seconds",
                                  optarg);
        timeout = v < 0 ? -1 : (int) v;
        timeout_given = 1;
        break;
      default:
        if ((r = other_option (c, "volume rm", argv, rm_usage)))
          return r - 1;
      }
  if (timeout_given && ! force)
    return ferry_cli_failf ("--force option must be specified to use the --time option");
  if (every && optind < argc)
    return ferry_cli_failf ("choose either one or more volumes or all, not both");
  if (! every && optind >= argc)
    return ferry_cli_failf ("choose either one or more volumes or all");
  db = open_db ();
  if (db == NULL)
    return FERRY_EXIT_ERROR;
  if (every)
    {
      struct ferry_volume **vols = NULL;
      ferry_error_t err = NULL;
      size_t n = 0, i;

      if (ferry_volume_list (db, ferry_global.root, &vols, &n, &err) < 0)
        return ferry_cli_fail (&err);
      for (i = 0; i < n; i++)
        {
          int code = remove_one (db, vols[i]->name, force, timeout);
          if (code != 0 && (ret == 0 || code == FERRY_EXIT_ERROR))
            ret = code;
        }
      ferry_volumes_free (vols, n);
    }
  for (; optind < argc; optind++)
    {
      int code = remove_one (db, argv[optind], force, timeout);
      if (code != 0 && (ret == 0 || code == FERRY_EXIT_ERROR))
        ret = code;
    }
  return ret;
}

/* Asks on standard input, a terminal or not as with Podman, whether to
 * remove the volumes in VOLS: 1 for yes, 0 for no (none to ask about
 * among them), -1 at the input's end.  */
static int
confirm_prune (struct ferry_volume **vols, size_t n)
{
  size_t i;

  fputs ("WARNING! This will remove all volumes not used by at least one container. "
         "The following volumes will be removed:\n",
         stdout);
  if (n == 0)
    {
      puts ("No dangling volumes found");
      return 0;
    }
  for (i = 0; i < n; i++)
    puts (vols[i]->name);
  return ferry_cli_ask ("Are you sure you want to continue? [y/N] ");
}

static const char prune_usage[]
    = "Usage: ferry volume prune [options]\n\n"
      "Remove every volume that no container uses, and print their names.\n\n"
      "Options:\n"
      "      --filter KEY=VALUE  only volumes that match (as in ferry volume ls)\n"
      "  -f, --force             do not ask for confirmation\n";

static int
volume_prune (int argc, char **argv)
{
  enum
  {
    OPT_FILTER = OPT_COMMAND_FIRST,
  };
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "filter", required_argument, NULL, OPT_FILTER },
                                        { "force", no_argument, NULL, 'f' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  struct filters filters = { 0 };
  cleanup_db ferry_db_t *db = NULL;
  struct ferry_volume **vols = NULL;
  ferry_error_t err = NULL;
  int force = 0, c, r, ret = 0;
  size_t n = 0, kept = 0, i;

  while ((c = getopt_long (argc, argv, ":fh", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_FILTER:
        if (filters_add (&filters, optarg) != 0)
          {
            filters_free (&filters);
            return FERRY_EXIT_ERROR;
          }
        break;
      case 'f':
        force = 1;
        break;
      default:
        if ((r = other_option (c, "volume prune", argv, prune_usage)))
          {
            filters_free (&filters);
            return r - 1;
          }
      }
  if (optind < argc)
    {
      filters_free (&filters);
      return ferry_cli_failf ("`ferry volume prune` takes no arguments (got `%s`)", argv[optind]);
    }
  db = open_db ();
  if (db == NULL || ferry_volume_list (db, ferry_global.root, &vols, &n, &err) < 0)
    {
      filters_free (&filters);
      return db ? ferry_cli_fail (&err) : FERRY_EXIT_ERROR;
    }
  for (i = 0; i < n; i++)
    if (vols[i]->users[0] == NULL && filters_match (&filters, vols[i]))
      vols[kept++] = vols[i];
    else
      ferry_volume_free (vols[i]);
  filters_free (&filters);
  if (! force && (r = confirm_prune (vols, kept)) <= 0)
    {
      ferry_volumes_free (vols, kept);
      return r < 0 ? ferry_cli_failf ("EOF") : 0;
    }
  for (i = 0; i < kept; i++)
    {
      if (ferry_volume_remove (db, ferry_global.root, vols[i]->name, 0, &err) == 0)
        {
          /* Podman logs a prune after each remove.  */
          ferry_cli_event ("volume", "remove", NULL, vols[i]->name);
          ferry_cli_event ("volume", "prune", NULL, vols[i]->name);
          puts (vols[i]->name);
          continue;
        }
      /* Taken into use or removed by someone else since the listing.  */
      if (err->kind == FERRY_ERROR_IN_USE || err->kind == FERRY_ERROR_NOT_FOUND)
        {
          ferry_error_release (&err);
          continue;
        }
      ret = ferry_cli_fail (&err);
    }
  ferry_volumes_free (vols, kept);
  return ret;
}

/* ---- mount and unmount ------------------------------------------------------- */

/* A volume whose options mount a file system (type=, device=) is
 * mounted, one more user of it, as Podman's; unmount takes one away and
 * unmounts with the last.  For any other the mountpoint, or the name, and
 * no change, as Podman answers for a volume of the local driver.  */
static int
volume_mount_or_unmount (int argc, char **argv, int mount)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  const char *cmd = mount ? "volume mount" : "volume unmount";
  cleanup_free char *usage = xasprintf (
      "Usage: ferry %s NAME\n\n%s\n", cmd,
      mount ? "Mount volume NAME's file system (type=, device=) on the host, one more user of it, and\n"
              "print the directory where the host can reach it."
            : "One user less of volume NAME from volume mount (unmounted with the last), and print its\n"
              "name.");
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_volume *v = NULL;
  ferry_error_t err = NULL;
  int c, r;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    if ((r = other_option (c, cmd, argv, usage)))
      return r - 1;
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_volume_get (e->db, ferry_global.root, argv[optind], &v, &err) < 0)
    return ferry_cli_fail (&err);
  if ((mount ? ferry_volume_user_mount (e, v->name, &err) : ferry_volume_user_unmount (e, v->name, &err)) < 0)
    {
      ferry_volume_free (v);
      return ferry_cli_fail (&err);
    }
  puts (mount ? v->mountpoint : v->name);
  ferry_volume_free (v);
  return 0;
}

static int
volume_mount (int argc, char **argv)
{
  return volume_mount_or_unmount (argc, argv, 1);
}

static int
volume_unmount (int argc, char **argv)
{
  return volume_mount_or_unmount (argc, argv, 0);
}

/* Podman asks its volume plugins which volumes they have and brings its
 * records in line.  ferry has no volume plugins: every volume is the
 * local driver's and its record is the volume, so there is nothing to
 * reload, and, as Podman without plugins, nothing is printed.  */
static int
volume_reload (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  static const char usage[]
      = "Usage: ferry volume reload\n\n"
        "Reload the volumes of volume plugins. ferry has none (only the local driver),\n"
        "so there is nothing to reload and nothing is printed.\n";
  cleanup_db ferry_db_t *db = NULL;
  int c, r;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    if ((r = other_option (c, "volume reload", argv, usage)))
      return r - 1;
  if (optind < argc)
    return ferry_cli_failf ("`ferry volume reload` takes no arguments");
  /* The root must open, as for any command.  */
  db = open_db ();
  return db ? 0 : FERRY_EXIT_ERROR;
}

int
ferry_cmd_volume (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "create", volume_create, "Create a new volume" },
    { "exists", volume_exists, "Check if a volume exists" },
    { "export", volume_export, "Export a volume's content as a tar archive" },
    { "import", volume_import, "Import a tar archive into a volume" },
    { "inspect", volume_inspect, "Display detailed information on one or more volumes" },
    { "list", volume_ls, NULL },
    { "ls", volume_ls, "List volumes" },
    { "mount", volume_mount, "Mount volume" },
    { "prune", volume_prune, "Remove all unused volumes" },
    { "reload", volume_reload, "Reload all volumes from volume plugins" },
    { "remove", volume_rm, NULL },
    { "rm", volume_rm, "Remove one or more volumes" },
    { "unmount", volume_unmount, "Unmount volume" },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("volume", table, argc - 1, argv + 1);
}
