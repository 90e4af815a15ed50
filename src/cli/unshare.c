/* ferry CLI: unshare, Podman's.  Podman's unshare runs a command in the
 * user namespace of rootless Podman; run by root, Podman refuses it, as
 * there is no such namespace.  ferry runs as root only, so it has none
 * either, and says what Podman says as root.  */
#include "commands.h"
#include "common.h"

#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

static const char unshare_usage[]
    = "Usage: ferry unshare [options] [COMMAND [ARG...]]\n\n"
      "Podman's command to run COMMAND in rootless Podman's user namespace.  ferry has no\n"
      "rootless mode, so there is no such namespace: as Podman does when run by root, it\n"
      "refuses (\"please use unshare with rootless\", exit 125) and runs nothing.\n\n"
      "Options:\n"
      "      --rootless-netns  join rootless Podman's network namespace as well (refused\n"
      "                        the same way)\n";

enum
{
  OPT_UNSHARE_ROOTLESS_NETNS = OPT_COMMAND_FIRST,
};

int
ferry_cmd_unshare (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "rootless-netns", no_argument, NULL, OPT_UNSHARE_ROOTLESS_NETNS },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  int c, r;

  /* The command's own options are its own: "+" stops at the first word.  */
  while ((c = getopt_long (argc, argv, "+:h", opts, NULL)) != -1)
    {
      if (c == OPT_UNSHARE_ROOTLESS_NETNS)
        continue;
      r = ferry_cli_parse_or_help (c, "unshare", argv, unshare_usage);
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (geteuid () != 0)
    return ferry_cli_failf (
        "ferry has no rootless mode, so no user namespace for unshare: run ferry as root");
  return ferry_cli_failf ("please use unshare with rootless");
}
