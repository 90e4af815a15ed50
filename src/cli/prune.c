/* ferry CLI: container prune.  */
#include "commands.h"
#include "common.h"
#include "../lib/engine/prune.h"
#include "../lib/util/cleanup.h"
#include "../lib/util/xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char prune_usage[]
    = "Usage: ferry container prune [options]\n\n"
      "Remove every container that is not running (created or exited; paused ones\n"
      "stay), and print their IDs.  Asks first unless --force.\n\n"
      "Options:\n"
      "      --filter FILTER  only containers that match: label=KEY[=VALUE],\n"
      "                       label!=KEY[=VALUE], until=TIME|DURATION (repeatable)\n"
      "  -f, --force          do not ask for confirmation\n";

enum
{
  OPT_FILTER = OPT_COMMAND_FIRST,
};

/* Asks on standard input; 1 for yes, 0 for no, -1 at its end.  */
static int
confirm (void)
{
  char line[256];

  fputs ("WARNING! This will remove all non running containers.\n"
         "Are you sure you want to continue? [y/N] ",
         stdout);
  fflush (stdout);
  if (fgets (line, sizeof (line), stdin) == NULL)
    return -1;
  line[strcspn (line, "\r\n")] = '\0';
  return strcasecmp (line, "y") == 0 || strcasecmp (line, "yes") == 0;
}

int
ferry_cmd_container_prune (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "filter", required_argument, NULL, OPT_FILTER },
    { "force", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_engine struct ferry_engine *e = NULL;
  cleanup_strv char **filters = xmalloc0 (sizeof (char *));
  cleanup_strv char **removed = NULL;
  ferry_error_t err = NULL;
  size_t n_filters = 0, i;
  int force = 0, c, r;

  while ((c = getopt_long (argc, argv, ":fh", opts, NULL)) != -1)
    {
      if (c == 'f')
        {
          force = 1;
          continue;
        }
      if (c == OPT_FILTER)
        {
          if (ferry_prune_filter_check (optarg, &err) < 0)
            return ferry_cli_fail (&err);
          filters = xrealloc (filters, sizeof (char *) * (n_filters + 2));
          filters[n_filters++] = xstrdup (optarg);
          filters[n_filters] = NULL;
          continue;
        }
      r = ferry_cli_parse_or_help (c, "container prune", argv, prune_usage);
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (optind < argc)
    return ferry_cli_failf ("`ferry container prune` takes no arguments");
  if (! force)
    {
      r = confirm ();
      if (r < 0)
        return ferry_cli_failf ("EOF: no answer on standard input (use --force to prune without asking)");
      if (r == 0)
        return 0;
    }
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  r = ferry_container_prune (e, filters, &removed, &err);
  for (i = 0; removed && removed[i]; i++)
    printf ("%s\n", removed[i]);
  if (r < 0)
    return ferry_cli_fail (&err);
  return 0;
}
