/* ferry CLI: system check and system migrate.  */
#include "common.h"
#include "commands.h"
#include "engine/container.h"
#include "engine/engine.h"
#include "engine/storage_check.h"
#include "util/cleanup.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <string.h>

/* ---- check ------------------------------------------------------------------ */

static const char check_usage[]
    = "Usage: ferry system check [options]\n\n"
      "Check storage for consistency and remove anything that looks damaged: layers\n"
      "against the blobs they came from, images and containers whose layers are\n"
      "missing or damaged, and directories no record accounts for.\n\n"
      "Options:\n"
      "  -f, --force          Remove inconsistent images and containers\n"
      "  -m, --max DURATION   Maximum allowed age of unreferenced layers (default 24h0m0s)\n"
      "  -q, --quick          Skip time-consuming checks. The default is to include\n"
      "                       time-consuming checks\n"
      "  -r, --repair         Remove inconsistent images\n";

/* As Go's multierror prints a list of errors.  */
static void
print_damage (const char *what, const struct ferry_damage_list *list)
{
  for (size_t i = 0; i < list->n; i++)
    {
      size_t n = 0;

      while (list->items[i].errors[n])
        n++;
      printf ("Damaged %s %s:\n", what, list->items[i].id);
      if (n == 1)
        printf ("1 error occurred:\n");
      else
        printf ("%zu errors occurred:\n", n);
      for (size_t k = 0; k < n; k++)
        printf ("\t* %s\n", list->items[i].errors[k]);
      printf ("\n");
    }
}

static void
print_removed (const char *what, char **ids)
{
  for (; ids && *ids; ids++)
    printf ("Deleted damaged %s: %s\n", what, *ids);
}

static void
print_report (const struct ferry_check_report *r)
{
  print_damage ("layer", &r->layers);
  print_removed ("layer", r->removed_layers);
  print_damage ("image", &r->images);
  print_removed ("image", r->removed_images);
  print_damage ("container", &r->containers);
  print_removed ("container", r->removed_containers);
}

static int
system_check (int argc, char **argv)
{
  enum
  {
    OPT_MAX = 'm',
  };
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "force", no_argument, NULL, 'f' },
    { "max", required_argument, NULL, OPT_MAX },
    { "quick", no_argument, NULL, 'q' },
    { "repair", no_argument, NULL, 'r' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct ferry_check_options o = { .max_age = 24 * 3600 };
  struct ferry_check_report report;
  cleanup_engine ferry_engine_t *e = NULL;
  ferry_error_t err = NULL;
  int64_t ns;
  int c, r, damaged;

  while ((c = getopt_long (argc, argv, ":fm:qrh", opts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        o.force = 1;
        break;
      case 'm':
        if (ferry_duration_parse (optarg, &ns) < 0 || ns < 0)
          return ferry_cli_failf (
              "invalid argument \"%s\" for \"-m, --max\" flag: time: invalid duration \"%s\"", optarg,
              optarg);
        o.max_age = ns / 1000000000LL;
        break;
      case 'q':
        o.quick = 1;
        break;
      case 'r':
        o.repair = 1;
        break;
      default:
        if ((r = ferry_cli_parse_or_help (c, "system check", argv, check_usage)) != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind < argc)
    return ferry_cli_failf ("`ferry system check` takes no arguments");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_system_check (e, &o, &report, &err) < 0)
    return ferry_cli_fail (&err);
  print_report (&report);
  damaged = ferry_check_report_damaged (&report);
  ferry_check_report_release (&report);
  fflush (stdout);
  if (! damaged)
    return 0;
  if (! o.repair && ! o.force)
    return ferry_cli_failf ("damage detected in local storage");
  /* What the repair left, as Podman looks again.  */
  o.repair = o.force = 0;
  if (ferry_system_check (e, &o, &report, &err) < 0)
    return ferry_cli_fail (&err);
  damaged = ferry_check_report_damaged (&report);
  ferry_check_report_release (&report);
  if (damaged)
    return ferry_cli_failf (
        "damage in local storage still present after repair attempt: a damaged image in use "
        "by a container stays without --force");
  return 0;
}

/* ---- migrate ---------------------------------------------------------------- */

static const char migrate_usage[]
    = "Usage: ferry system migrate [options]\n\n"
      "Migrate existing containers to a new version of ferry: the state database is\n"
      "brought to this version's schema (as every command does when it opens the root),\n"
      "and every running container is stopped, so that it starts again under this\n"
      "version.\n\n"
      "Options:\n"
      "      --new-runtime NAME|PATH  Specify a new runtime for all containers\n";

enum
{
  /* compat-manifest2 */
  OPT_NEW_RUNTIME = 0x2400,
};

static int
stop_running (ferry_engine_t *e)
{
  struct ferry_container **cs = NULL;
  ferry_error_t err = NULL;
  size_t n = 0, i;
  int ret = 0;

  if (ferry_container_list (e, &cs, &n, &err) < 0)
    return ferry_cli_fail (&err);
  for (i = 0; i < n; i++)
    {
      struct ferry_stop_report report = { 0 };

      if (! ferry_container_is_active (cs[i]))
        continue;
      if (ferry_container_stop (e, cs[i]->id, -1, &report, &err) < 0)
        {
          ferry_cli_fail (&err);
          ret = FERRY_EXIT_ERROR;
          continue;
        }
      if (report.killed)
        ferry_cli_warn_killed (cs[i]->name, &report);
      printf ("stopped %s\n", cs[i]->id);
    }
  ferry_containers_free (cs, n);
  return ret;
}

/* Podman stops the running containers first and then checks the runtime
 * asked for, and says what is wrong on standard output, without "Error:":
 * ferry does the same, word for word.  */
static int
change_runtime (ferry_engine_t *e, const char *requested)
{
  ferry_error_t err = NULL;
  size_t changed = 0;

  if (! ferry_engine_runtime_is_known (e, requested))
    {
      printf ("change to runtime \"%s\" requested but no such runtime is defined: invalid argument\n",
              requested);
      fflush (stdout);
      return FERRY_EXIT_ERROR;
    }
  if (ferry_container_set_runtime_all (e, requested, &changed, &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

static int
system_migrate (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "new-runtime", required_argument, NULL, OPT_NEW_RUNTIME },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_engine ferry_engine_t *e = NULL;
  const char *new_runtime = NULL;
  int c, r, ret;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      if (c == OPT_NEW_RUNTIME)
        {
          new_runtime = optarg;
          continue;
        }
      if ((r = ferry_cli_parse_or_help (c, "system migrate", argv, migrate_usage)) != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (optind < argc)
    return ferry_cli_failf ("`ferry system migrate` takes no arguments");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  ret = stop_running (e);
  if (ret == 0 && new_runtime)
    ret = change_runtime (e, new_runtime);
  return ret;
}

int
ferry_cmd_system_check (int argc, char **argv)
{
  return system_check (argc, argv);
}

int
ferry_cmd_system_migrate (int argc, char **argv)
{
  return system_migrate (argc, argv);
}

/* ---- renumber --------------------------------------------------------------- */

static const char renumber_usage[]
    = "Usage: ferry system renumber\n\n"
      "Podman's command to give every container, pod and volume a new lock number\n"
      "after containers.conf's num_locks changed.  ferry locks each container with a\n"
      "file of its own and has no lock numbers: it opens the root (settling any\n"
      "operation a killed ferry left) and changes nothing, so that scripts written\n"
      "for Podman run.\n";

static int
system_renumber (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_engine ferry_engine_t *e = NULL;
  int c, r;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    if ((r = ferry_cli_parse_or_help (c, "system renumber", argv, renumber_usage)) != 0)
      return r > 0 ? 0 : FERRY_EXIT_ERROR;
  if (optind < argc)
    return ferry_cli_failf ("`ferry system renumber` takes no arguments");
  e = ferry_cli_open_engine ();
  return e ? 0 : FERRY_EXIT_ERROR;
}

int
ferry_cmd_system_renumber (int argc, char **argv)
{
  return system_renumber (argc, argv);
}
