/* ferry CLI: system df|prune|reset (and the system group), printed as
 * Podman 5.4 prints them.  */
#include "columns.h"
#include "commands.h"
#include "common.h"
#include "../lib/engine/prune.h"
#include "../lib/engine/sweep.h"
#include "../lib/engine/system.h"
#include "../lib/util/cleanup.h"
#include "../lib/util/json.h"
#include "../lib/util/xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Go's units.HumanSize: four significant digits, powers of 1000, no
 * space ("2.152MB", "0B"), as `system df` and `system prune` print.  */
static char *
go_human_size (uint64_t bytes)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
  double v = (double) bytes;
  size_t u = 0;

  while (v >= 1000 && u + 1 < sizeof (units) / sizeof (units[0]))
    {
      v /= 1000;
      u++;
    }
  return xasprintf ("%.4g%s", v, units[u]);
}

/* Go's units.HumanDuration since RFC3339: "56 years", "Less than a second".  */
static char *
go_human_duration (const char *rfc3339)
{
  char *ago = ferry_cli_time_ago (rfc3339);
  size_t len = strlen (ago);

  if (len > 4 && strcmp (ago + len - 4, " ago") == 0)
    ago[len - 4] = '\0';
  return ago;
}

/* ---- df ------------------------------------------------------------------- */

static const char df_usage[]
    = "Usage: ferry system df [options]\n\n"
      "Show how much disk space images, containers and volumes take, and how much\n"
      "of it a prune could free.\n\n"
      "Options:\n"
      "      --format FORMAT  json, or a Go template of .Type, .Total, .Active, .Size,\n"
      "                       .Reclaimable, .RawSize and .RawReclaimable ('table ...' for\n"
      "                       a table)\n"
      "  -v, --verbose        the images, containers and volumes one by one\n";

static const struct ferry_cli_column df_columns[] = {
  { "Type", NULL },
  { "Total", NULL },
  { "Active", NULL },
  { "Size", "SIZE" },
  { "Reclaimable", "RECLAIMABLE" },
  { "RawSize", NULL },
  { "RawReclaimable", NULL },
  { NULL, NULL },
};

static json_object *
df_summary (const char *type, size_t total, size_t active, uint64_t size, uint64_t reclaimable,
            int with_count)
{
  json_object *o = json_object_new_object ();
  cleanup_free char *hsize = go_human_size (size), *hrec = go_human_size (reclaimable);
  cleanup_free char *rec = NULL;
  int percent = size > 0 ? (int) ((double) reclaimable / (double) size * 100 + 0.5) : 0;

  rec = xasprintf ("%s (%d%%)", hrec, percent);
  json_object_object_add (o, "Type", json_object_new_string (type));
  json_object_object_add (o, "Total", json_object_new_int64 (total));
  json_object_object_add (o, "Active", json_object_new_int64 (active));
  json_object_object_add (o, "RawSize", json_object_new_int64 (size));
  json_object_object_add (o, "RawReclaimable", json_object_new_int64 (reclaimable));
  /* Docker's names, in the JSON only, as Podman gives them.  */
  if (with_count)
    json_object_object_add (o, "TotalCount", json_object_new_int64 (total));
  json_object_object_add (o, "Size", json_object_new_string (hsize));
  json_object_object_add (o, "Reclaimable", json_object_new_string (rec));
  return o;
}

/* The three rows of Podman's summary: images (active: used by a
 * container; reclaimable: the layers of the unused ones), containers
 * (active: running; reclaimable: the others' files), volumes (active:
 * uses by containers; reclaimable: the unused ones' data).  */
static json_object *
df_summaries (const struct ferry_df_report *r, int with_count)
{
  json_object *all = json_object_new_array ();
  uint64_t used = 0, csize = 0, creclaim = 0, vsize = 0, vreclaim = 0;
  size_t active = 0, cactive = 0, vactive = 0, i, j;

  for (i = 0; i < r->n_images; i++)
    {
      int seen = 0;
      for (j = 0; j < i && ! seen; j++)
        seen = strcmp (r->images[j].id, r->images[i].id) == 0;
      if (seen || r->images[i].containers == 0)
        continue;
      active++;
      used += r->images[i].size - r->images[i].shared_size;
    }
  json_object_array_add (all, df_summary ("Images", r->n_images, active, r->images_size,
                                          r->images_size > used ? r->images_size - used : 0, with_count));
  for (i = 0; i < r->n_containers; i++)
    {
      if (strcmp (r->containers[i].status, "running") == 0)
        cactive++;
      else
        creclaim += r->containers[i].rw_size;
      csize += r->containers[i].rw_size;
    }
  json_object_array_add (all,
                         df_summary ("Containers", r->n_containers, cactive, csize, creclaim, with_count));
  for (i = 0; i < r->n_volumes; i++)
    {
      vactive += r->volumes[i].links;
      vsize += r->volumes[i].size;
      if (r->volumes[i].links == 0)
        vreclaim += r->volumes[i].size;
    }
  json_object_array_add (all,
                         df_summary ("Local Volumes", r->n_volumes, vactive, vsize, vreclaim, with_count));
  return all;
}

static int
df_print_format (const struct ferry_df_report *r, const char *format)
{
  cleanup_json json_object *rows = NULL;
  cleanup_list struct ferry_cli_list l = { 0 };
  ferry_error_t err = NULL;
  size_t i;

  if (ferry_cli_format_is_json (format) || strcmp (format, "{{json .}}") == 0)
    {
      rows = df_summaries (r, 1);
      puts ("[");
      for (i = 0; i < json_object_array_length (rows); i++)
        printf ("    %s%s\n",
                json_object_to_json_string_ext (json_object_array_get_idx (rows, i),
                                                JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                i + 1 < json_object_array_length (rows) ? "," : "");
      puts ("]");
      return 0;
    }
  rows = df_summaries (r, 0);
  ferry_cli_template_root_type ("*system.dfSummary");
  ferry_cli_list_init (&l, format, df_columns, 1);
  for (i = 0; i < json_object_array_length (rows); i++)
    if (ferry_cli_list_row (&l, json_object_array_get_idx (rows, i), &err) < 0)
      return ferry_cli_fail (&err);
  if (ferry_cli_list_end (&l, &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

static void
df_print_summary (const struct ferry_df_report *r)
{
  cleanup_json json_object *rows = df_summaries (r, 0);
  char *cells[4 * 5] = { "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE" };
  size_t i, k;

  for (i = 0; i < 3; i++)
    {
      json_object *row = json_object_array_get_idx (rows, i);
      char **c = &cells[(i + 1) * 5];

      c[0] = xstrdup (ferry_json_get_string (row, "Type"));
      c[1] = xasprintf ("%lld", (long long) ferry_json_get_int (row, "Total", 0));
      c[2] = xasprintf ("%lld", (long long) ferry_json_get_int (row, "Active", 0));
      c[3] = xstrdup (ferry_json_get_string (row, "Size"));
      c[4] = xstrdup (ferry_json_get_string (row, "Reclaimable"));
    }
  ferry_cli_print_columns (stdout, cells, 4, 5);
  for (k = 5; k < 20; k++)
    free (cells[k]);
}

/* Prints the table of HEADINGS (N_COLS of them) and ROWS rows of CELLS
 * (which it frees).  */
static void
print_table (const char *const *headings, size_t n_cols, char **cells, size_t rows)
{
  cleanup_free char **all = xmalloc0 (sizeof (char *) * n_cols * (rows + 1));
  size_t i;

  for (i = 0; i < n_cols; i++)
    all[i] = (char *) headings[i];
  memcpy (all + n_cols, cells, sizeof (char *) * n_cols * rows);
  ferry_cli_print_columns (stdout, all, rows + 1, n_cols);
  for (i = 0; i < n_cols * rows; i++)
    free (cells[i]);
}

static void
df_print_verbose (const struct ferry_df_report *r)
{
  static const char *const image_heads[]
      = { "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS" };
  static const char *const ctr_heads[]
      = { "CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES" };
  static const char *const vol_heads[] = { "VOLUME NAME", "LINKS", "SIZE" };
  cleanup_free char **cells = NULL;
  size_t i;

  fputs ("Images space usage:\n\n", stdout);
  cells = xmalloc0 (sizeof (char *) * 8 * (r->n_images + 1));
  for (i = 0; i < r->n_images; i++)
    {
      const struct ferry_df_image *m = &r->images[i];
      char **c = &cells[i * 8];
      const char *colon = m->name ? strrchr (m->name, ':') : NULL;

      if (colon && strchr (colon, '/'))
        colon = NULL;
      c[0] = m->name ? xstrndup (m->name, colon ? (size_t) (colon - m->name) : strlen (m->name))
                     : xstrdup ("<none>");
      c[1] = xstrdup (colon ? colon + 1 : "<none>");
      c[2] = xstrndup (m->id, 12);
      c[3] = go_human_duration (m->created);
      c[4] = go_human_size (m->size);
      c[5] = go_human_size (m->shared_size);
      c[6] = go_human_size (m->size - m->shared_size);
      c[7] = xasprintf ("%d", m->containers);
    }
  print_table (image_heads, 8, cells, r->n_images);
  free (cells);

  fputs ("\nContainers space usage:\n\n", stdout);
  cells = xmalloc0 (sizeof (char *) * 8 * (r->n_containers + 1));
  for (i = 0; i < r->n_containers; i++)
    {
      const struct ferry_df_container *m = &r->containers[i];
      char **c = &cells[i * 8];

      c[0] = xstrndup (m->id, 12);
      c[1] = xstrndup (m->image_id, strlen (m->image_id) >= 12 ? 12 : 0);
      c[2] = xstrdup (m->command);
      c[3] = xasprintf ("%d", m->local_volumes);
      c[4] = go_human_size (m->rw_size);
      c[5] = go_human_duration (m->created);
      c[6] = xstrdup (m->status);
      c[7] = xstrdup (m->name);
    }
  print_table (ctr_heads, 8, cells, r->n_containers);
  free (cells);

  fputs ("\nLocal Volumes space usage:\n\n", stdout);
  cells = xmalloc0 (sizeof (char *) * 3 * (r->n_volumes + 1));
  for (i = 0; i < r->n_volumes; i++)
    {
      char **c = &cells[i * 3];

      c[0] = xstrdup (r->volumes[i].name);
      c[1] = xasprintf ("%d", r->volumes[i].links);
      c[2] = go_human_size (r->volumes[i].size);
    }
  print_table (vol_heads, 3, cells, r->n_volumes);
}

static int
system_df (int argc, char **argv)
{
  enum
  {
    OPT_FORMAT = OPT_COMMAND_FIRST,
  };
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "format", required_argument, NULL, OPT_FORMAT },
    { "verbose", no_argument, NULL, 'v' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_df_report report;
  ferry_error_t err = NULL;
  const char *format = NULL;
  int verbose = 0, c, r;

  while ((c = getopt_long (argc, argv, ":vh", opts, NULL)) != -1)
    switch (c)
      {
      case 'v':
        verbose = 1;
        break;
      case OPT_FORMAT:
        format = optarg;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "system df", argv, df_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind < argc)
    return ferry_cli_failf ("`ferry system df` takes no arguments");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_system_df (e, &report, &err) < 0)
    return ferry_cli_fail (&err);
  /* As Podman, the combination is refused once the store was read.  */
  r = 0;
  if (format && verbose)
    r = ferry_cli_failf ("cannot combine --format and --verbose flags");
  else if (verbose)
    df_print_verbose (&report);
  else if (format)
    r = df_print_format (&report, format);
  else
    df_print_summary (&report);
  ferry_df_report_release (&report);
  return r;
}

/* ---- prune and reset: confirmation ----------------------------------------- */

/* ---- prune ------------------------------------------------------------------ */

static const char prune_usage[]
    = "Usage: ferry system prune [options]\n\n"
      "Remove the containers that do not run, the networks no container uses (not the\n"
      "default one) and the images without a name that no container uses; asks first\n"
      "unless --force.\n\n"
      "Options:\n"
      "  -a, --all            every image no container uses, named or not\n"
      "      --external       only remove the container and layer directories that no\n"
      "                       database row names (what a killed ferry can leave);\n"
      "                       asks nothing, prints nothing, takes no other option\n"
      "      --filter FILTER  only what matches: label=KEY[=VALUE], label!=KEY[=VALUE],\n"
      "                       until=TIME|DURATION (repeatable)\n"
      "  -f, --force          do not ask for confirmation\n"
      "      --volumes        the volumes no container uses too\n";

static void
print_section (const char *heading, char **items)
{
  size_t i;

  if (items[0] == NULL)
    return;
  puts (heading);
  for (i = 0; items[i]; i++)
    puts (items[i]);
}

/* --external, which Podman runs without asking and without a word.  */
static int
system_prune_external (int other_options)
{
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_strv char **removed = NULL;
  ferry_error_t err = NULL;

  if (other_options)
    return ferry_cli_failf ("system prune --external cannot be combined with other options");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_storage_sweep (e, &removed, &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

static int
system_prune (int argc, char **argv)
{
  enum
  {
    OPT_FILTER = OPT_COMMAND_FIRST,
    OPT_VOLUMES,
    OPT_EXTERNAL,
  };
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "all", no_argument, NULL, 'a' },
    { "external", no_argument, NULL, OPT_EXTERNAL },
    { "filter", required_argument, NULL, OPT_FILTER },
    { "force", no_argument, NULL, 'f' },
    { "volumes", no_argument, NULL, OPT_VOLUMES },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_strv char **filters = xmalloc0 (sizeof (char *));
  struct ferry_system_prune_report report;
  cleanup_free char *reclaimed = NULL;
  ferry_error_t err = NULL;
  size_t n_filters = 0, i;
  int all = 0, force = 0, volumes = 0, external = 0, c, r;

  while ((c = getopt_long (argc, argv, ":afh", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        all = 1;
        break;
      case OPT_EXTERNAL:
        external = 1;
        break;
      case 'f':
        force = 1;
        break;
      case OPT_VOLUMES:
        volumes = 1;
        break;
      case OPT_FILTER:
        filters = xrealloc (filters, sizeof (char *) * (n_filters + 2));
        filters[n_filters++] = xstrdup (optarg);
        filters[n_filters] = NULL;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "system prune", argv, prune_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind < argc)
    return ferry_cli_failf ("`ferry system prune` takes no arguments");
  if (external)
    return system_prune_external (all || volumes || n_filters);
  if (! force)
    {
      cleanup_free char *prompt = xasprintf (
          "WARNING! This command removes:\n"
          "\t- all stopped containers\n"
          "\t- all networks not used by at least one container%s\n"
          "\t- %s\n"
          "\t- %s\n\n"
          "Are you sure you want to continue? [y/N] ",
          volumes ? "\n\t- all volumes not used by at least one container" : "",
          all ? "all images without at least one container associated with them" : "all dangling images",
          all ? "all build cache" : "all dangling build cache");

      r = ferry_cli_ask (prompt);
      if (r < 0)
        return ferry_cli_failf ("EOF");
      if (r == 0)
        return 0;
    }
  /* Podman reads the filters once the answer is yes.  */
  for (i = 0; i < n_filters; i++)
    if (ferry_system_prune_filter_check (filters[i], &err) < 0)
      return ferry_cli_fail (&err);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  r = ferry_system_prune (e, all, volumes, filters, &report, &err);
  for (i = 0; report.images && report.images[i]; i++)
    ferry_cli_event ("image", "remove", report.images[i], NULL);
  for (i = 0; report.volumes && report.volumes[i]; i++)
    {
      ferry_cli_event ("volume", "remove", NULL, report.volumes[i]);
      ferry_cli_event ("volume", "prune", NULL, report.volumes[i]);
    }
  for (i = 0; report.networks && report.networks[i]; i++)
    ferry_cli_event ("network", "remove", NULL, report.networks[i]);
  if (report.containers)
    {
      print_section ("Deleted Containers", report.containers);
      print_section ("Deleted Volumes", report.volumes);
      print_section ("Deleted Images", report.images);
      print_section ("Deleted Networks", report.networks);
    }
  reclaimed = go_human_size (report.reclaimed);
  ferry_system_prune_report_release (&report);
  if (r < 0)
    return ferry_cli_fail (&err);
  printf ("Total reclaimed space: %s\n", reclaimed);
  return 0;
}

/* ---- reset ------------------------------------------------------------------ */

static const char reset_usage[]
    = "Usage: ferry system reset [options]\n\n"
      "Stop and remove every container, and remove every image, volume and network\n"
      "(but the default one), then the files ferry keeps under --root and --runroot;\n"
      "nothing else in those directories.  Asks first unless --force.\n\n"
      "Options:\n"
      "  -f, --force  do not ask for confirmation\n";

static int
system_reset (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "force", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  ferry_engine_t *e = NULL;
  struct ferry_reset_report report;
  ferry_error_t err = NULL;
  int force = 0, c, r;

  while ((c = getopt_long (argc, argv, ":fh", opts, NULL)) != -1)
    if (c == 'f')
      force = 1;
    else if ((r = ferry_cli_parse_or_help (c, "system reset", argv, reset_usage)) != 0)
      return r > 0 ? 0 : FERRY_EXIT_ERROR;
  if (optind < argc)
    return ferry_cli_failf ("`ferry system reset` takes no arguments");
  if (! force)
    {
      cleanup_free char *prompt = xasprintf ("WARNING! This will remove:\n"
                                             "        - all containers\n"
                                             "        - all pods\n"
                                             "        - all images\n"
                                             "        - all networks\n"
                                             "        - all build cache\n"
                                             "        - all machines\n"
                                             "        - all volumes\n"
                                             "        - the graphRoot directory: \"%s\"\n"
                                             "        - the runRoot directory: \"%s\"\n"
                                             "Are you sure you want to continue? [y/N] ",
                                             ferry_global.root, ferry_global.runroot);

      r = ferry_cli_ask (prompt);
      /* Podman logs the end of its input and exits 1.  */
      if (r < 0)
        {
          ferry_cli_failf ("EOF");
          return 1;
        }
      if (r == 0)
        return 0;
    }
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  r = ferry_system_reset (&e, &report, &err);
  if (e)
    ferry_engine_close (e);
  if (r < 0)
    return ferry_cli_fail (&err);
  return 0;
}

int
ferry_cmd_system (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "check", ferry_cmd_system_check, "Check storage consistency" },
    { "connection", ferry_cmd_system_connection, "Manage destinations for ferry's ssh commands" },
    { "df", system_df, "Show ferry disk usage" },
    { "events", ferry_cmd_events, "Show system events" },
    { "info", ferry_cmd_info, "Display ferry system information" },
    { "migrate", ferry_cmd_system_migrate, "Migrate containers" },
    { "prune", system_prune, "Remove unused data" },
    { "renumber", ferry_cmd_system_renumber, "Migrate lock numbers (ferry has none: changes nothing)" },
    { "reset", system_reset, "Reset ferry storage" },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("system", table, argc - 1, argv + 1);
}
