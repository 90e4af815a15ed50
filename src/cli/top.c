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
    = "Usage: ferry top [options] CONTAINER [DESCRIPTORS...]\n\n"
      "Display the processes of a running container, read from /proc.  DESCRIPTORS\n"
      "(separate words or comma-separated) choose the columns: args, capamb, capbnd,\n"
      "capeff, capinh, capprm, comm, etime, group, hgroup, hpid, huser, label, nice,\n"
      "pcpu, pgid, pid, ppid, rgroup, rss, ruser, seccomp, state, stime, time, tty,\n"
      "user, vsz; by default user, pid, ppid, pcpu, etime,\n"
      "tty, time, args.  Any other descriptors (ps(1) options such as `-ef`, `aux` or\n"
      "`-o pid,comm`) are given to the host's ps(1), run in the container's PID\n"
      "namespace.\n\n"
      "Options:\n"
      "  -l, --latest  the container created last\n";

/* Descriptors of ps(1) rather than top's own: the host's ps shows them,
 * as Podman's top does.  */
static int
top_with_ps (struct ferry_engine *e, const char *ref, char **descriptors)
{
  cleanup_free char *out = NULL;
  ferry_error_t err = NULL;

  if (ferry_container_top_ps (e, ref, descriptors, &out, &err) < 0)
    return ferry_cli_fail (&err);
  fputs (out, stdout);
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
  int latest = 0, c, r;

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
  if (! ferry_top_descriptors_known (descriptors))
    return top_with_ps (e, ref, descriptors);
  if (ferry_container_top (e, ref, descriptors, &t, &err) < 0)
    return ferry_cli_fail (&err);
  ferry_cli_print_columns (stdout, t.cells, t.rows, t.cols);
  ferry_table_free (&t);
  return 0;
}
