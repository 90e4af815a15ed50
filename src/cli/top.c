/* ferry CLI: top, the processes of a container.  */
#include "columns.h"
#include "commands.h"
#include "common.h"
#include "../lib/engine/container.h"
#include "../lib/engine/top.h"
#include "../lib/util/cleanup.h"
#include "../lib/util/xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char top_usage[]
    = "Usage: ferry top [OPTIONS] CONTAINER [DESCRIPTORS...]\n\n"
      "Display the processes of a running container, read from /proc.  DESCRIPTORS\n"
      "(separate words or comma-separated) choose the columns: args, comm, etime,\n"
      "group, hgroup, hpid, huser, nice, pcpu, pgid, pid, ppid, rgroup, ruser, seccomp,\n"
      "state, stime, time, tty, user, vsz; by default user, pid, ppid, pcpu, etime,\n"
      "tty, time, args.  Options of ps(1) instead (`-ef`, `-o pid,comm`) run the\n"
      "container's own ps with them.\n\n"
      "Options:\n"
      "  -l, --latest  the container created last\n";

/* ps(1) options rather than descriptors: the container's ps shows them.  */
static int
top_with_ps (struct ferry_engine *e, const char *ref, char **args)
{
  cleanup_free char **argv = NULL;
  struct ferry_exec_request r = { 0 };
  ferry_error_t err = NULL;
  size_t n = 0, i;
  int code = 0;

  while (args[n])
    n++;
  argv = xmalloc0 (sizeof (char *) * (n + 2));
  argv[0] = (char *) "ps";
  for (i = 0; i < n; i++)
    argv[i + 1] = args[i];
  r.args = argv;
  if (ferry_container_exec (e, ref, &r, &code, &err) < 0)
    return ferry_cli_fail (&err);
  if (code != 0)
    return ferry_cli_failf ("ps(1) failed with exit code %d: check the options given to ps", code);
  return 0;
}

int
ferry_cmd_top (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "latest", no_argument, NULL, 'l' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_engine struct ferry_engine *e = NULL;
  cleanup_free char *latest_id = NULL;
  struct ferry_table t = { 0 };
  ferry_error_t err = NULL;
  const char *ref;
  char **descriptors;
  int latest = 0, c, r, i;

  while ((c = getopt_long (argc, argv, "+:lh", opts, NULL)) != -1)
    {
      if (c == 'l')
        {
          latest = 1;
          continue;
        }
      r = ferry_cli_parse_or_help (c, "top", argv, top_usage);
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (! latest && optind >= argc)
    return ferry_cli_failf ("you must provide the name or id of a running container");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (latest)
    {
      struct ferry_container *ctr = NULL;

      if (ferry_container_latest (e, &ctr, &err) < 0)
        return ferry_cli_fail (&err);
      latest_id = xstrdup (ctr->id);
      ferry_container_free (ctr);
    }
  ref = latest ? latest_id : argv[optind];
  descriptors = argv + optind + (latest ? 0 : 1);
  for (i = 0; descriptors[i]; i++)
    if (descriptors[i][0] == '-')
      return top_with_ps (e, ref, descriptors);
  if (ferry_container_top (e, ref, descriptors, &t, &err) < 0)
    return ferry_cli_fail (&err);
  ferry_cli_print_columns (stdout, t.cells, t.rows, t.cols);
  ferry_table_free (&t);
  return 0;
}
