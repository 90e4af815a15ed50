/* ferry CLI: cp, files between the host and a container.  */
#include "commands.h"
#include "common.h"
#include "../lib/engine/copy.h"
#include "../lib/util/cleanup.h"
#include "../lib/util/xalloc.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char cp_usage[]
    = "Usage: ferry cp [options] CONTAINER:SRC_PATH DEST_PATH|-\n"
      "       ferry cp [options] SRC_PATH|- CONTAINER:DEST_PATH\n"
      "       ferry cp [options] CONTAINER:SRC_PATH CONTAINER:DEST_PATH\n\n"
      "Copy files or directories between a container and the host.  `-` is a tar\n"
      "stream on standard output (from a container) or standard input (into one);\n"
      "SRC_PATH/. copies a directory's content.  Paths in the container are resolved\n"
      "inside it: its symlinks never lead out of it.  Copies to the host belong to\n"
      "the caller, lose setuid and setgid bits, and device nodes are refused (unlike\n"
      "Podman, which keeps both); a tar stream on standard output keeps everything.\n\n"
      "Options:\n"
      "  -a, --archive[=BOOL]  copies into the container belong to its user (default\n"
      "                        true); false keeps the owners they have\n"
      "      --overwrite       let a directory replace a non-directory, and the reverse\n";

enum
{
  OPT_OVERWRITE = OPT_COMMAND_FIRST,
};
enum
{
  /* Podman's hidden --pause, which it takes and ignores.  */
  OPT_PAUSE = OPT_COMMAND_FIRST + 0x4E00,
};

/* An argument "CTR:PATH" names a container's path; a path that starts with
 * `/` or `.` is the host's even with a colon in it, as Podman reads it.  */
static bool
split_container_path (const char *arg, char **ctr, const char **path)
{
  const char *colon = strchr (arg, ':');

  if (arg[0] == '/' || arg[0] == '.' || colon == NULL)
    return false;
  *ctr = xstrndup (arg, colon - arg);
  *path = colon + 1;
  return true;
}

int
ferry_cmd_cp (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "archive", optional_argument, NULL, 'a' },
    { "overwrite", no_argument, NULL, OPT_OVERWRITE },
    { "pause", optional_argument, NULL, OPT_PAUSE },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct ferry_copy_options o = { .archive = 1 };
  cleanup_engine struct ferry_engine *e = NULL;
  cleanup_free char *src_ctr = NULL, *dest_ctr = NULL;
  const char *src, *dest, *src_path = NULL, *dest_path = NULL;
  ferry_error_t err = NULL;
  int c, r;

  while ((c = getopt_long (argc, argv, ":a::h", opts, NULL)) != -1)
    {
      if (c == 'a')
        {
          if (ferry_cli_go_bool ("-a, --archive", optarg, "cp", &o.archive) != 0)
            return FERRY_EXIT_ERROR;
          continue;
        }
      if (c == OPT_PAUSE)
        {
          int ignored;

          /* A copy never pauses the container: the value is only checked.  */
          if (ferry_cli_go_bool ("--pause", optarg, "cp", &ignored) != 0)
            return FERRY_EXIT_ERROR;
          continue;
        }
      if (c == OPT_OVERWRITE)
        {
          o.overwrite = 1;
          continue;
        }
      r = ferry_cli_parse_or_help (c, "cp", argv, cp_usage);
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind != 2)
    return ferry_cli_failf ("accepts 2 arg(s), received %d", argc - optind);
  src = argv[optind];
  dest = argv[optind + 1];
  if (*src == '\0' || *dest == '\0')
    return ferry_cli_failf ("invalid arguments \"%s\", \"%s\": you must specify paths", src, dest);
  split_container_path (src, &src_ctr, &src_path);
  split_container_path (dest, &dest_ctr, &dest_path);
  if ((src_ctr == NULL && dest_ctr == NULL) || (src_ctr && *src_ctr == '\0')
      || (dest_ctr && *dest_ctr == '\0'))
    return ferry_cli_failf ("name or ID cannot be empty");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (src_ctr && dest_ctr)
    r = ferry_copy_between_containers (e, src_ctr, src_path, dest_ctr, dest_path, &o, &err);
  else if (src_ctr)
    r = ferry_copy_from_container (e, src_ctr, src_path, strcmp (dest, "-") == 0 ? NULL : dest,
                                   ferry_cli_stdout_fd (), &o, &err);
  else
    r = ferry_copy_into_container (e, strcmp (src, "-") == 0 ? NULL : src, STDIN_FILENO, dest_ctr, dest_path,
                                   &o, &err);
  if (r < 0)
    return ferry_cli_fail (&err);
  return 0;
}
