/* ferry CLI: image scp, an image copied to, from or between other hosts
 * through ssh.  */
#include "commands.h"
#include "common.h"
#include "engine/image_scp.h"
#include "util/cleanup.h"

#include <getopt.h>
#include <stdio.h>

static const char scp_usage[]
    = "Usage: ferry image scp [options] IMAGE [USER@]HOST[:PORT]::\n"
      "       ferry image scp [options] [USER@]HOST[:PORT]::IMAGE [[USER@]HOST[:PORT]::]\n\n"
      "Securely copy an image from one host to another: from this host to HOST, from HOST\n"
      "to this host, or from one host to another.  HOST may be a connection's name (ferry\n"
      "system connection), for its user, host, port and identity.  ferry on each other host is reached\n"
      "through the system's ssh client (the user's keys, ~/.ssh/config and known_hosts;\n"
      "$FERRY_SSH_COMMAND replaces it), must be in the PATH of its ssh sessions, and uses\n"
      "its default --root there.  The image streams from save into load, with no file on\n"
      "either side, as an OCI archive, so its digests and names stay.\n\n"
      "Options:\n"
      "  -q, --quiet   suppress the output\n";

int
ferry_cmd_image_scp (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "quiet", no_argument, NULL, 'q' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  struct ferry_scp_end src = { 0 }, dest = { 0 };
  struct ferry_image_scp_request req = { .out = stdout, .progress = stderr };
  cleanup_store ferry_store_t *s = NULL;
  ferry_error_t err = NULL;
  int c, r, ret = FERRY_EXIT_ERROR;

  while ((c = getopt_long (argc, argv, ":qh", opts, NULL)) != -1)
    switch (c)
      {
      case 'q':
        req.quiet = true;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "image scp", argv, scp_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind >= argc || argc - optind > 2)
    return ferry_cli_failf ("accepts between 1 and 2 arg(s), received %d: ferry image scp IMAGE HOST::",
                            argc - optind);
  if (ferry_scp_end_parse (argv[optind], &src, &err) < 0)
    return ferry_cli_fail (&err);
  if (optind + 1 < argc && ferry_scp_end_parse (argv[optind + 1], &dest, &err) < 0)
    goto out;
  req.source = &src;
  req.destination = optind + 1 < argc ? &dest : NULL;
  /* This host's store only when one end is here.  */
  if (! src.remote || req.destination == NULL)
    {
      s = ferry_cli_open_store ();
      if (s == NULL)
        goto out;
    }
  if (ferry_image_scp (s, &req, &err) < 0)
    goto out;
  ret = 0;

out:
  if (err)
    ret = ferry_cli_fail (&err);
  ferry_scp_end_release (&src);
  ferry_scp_end_release (&dest);
  return ret;
}
