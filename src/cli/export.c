/* ferry CLI: export, a container's file system as a tar archive.  */
#include "commands.h"
#include "common.h"
#include "../lib/engine/copy.h"
#include "../lib/util/cleanup.h"
#include "../lib/util/fault.h"
#include "../lib/util/fs.h"
#include "../lib/util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char export_usage[]
    = "Usage: ferry export [options] CONTAINER\n\n"
      "Export a container's file system (without its volumes and mounts) as a tar\n"
      "archive, on standard output unless -o names a file.  `ferry import` makes an\n"
      "image of it.\n\n"
      "Options:\n"
      "  -o, --output FILE  write the archive to FILE (made whole, then renamed into place)\n";

/* Exports REF into a file with no name (or a hidden one) beside PATH,
 * which is named PATH once whole: killed meanwhile, ferry leaves nothing
 * there.  */
static int
export_to_file (struct ferry_engine *e, const char *ref, const char *path)
{
  cleanup_free char *named = NULL;
  cleanup_close int fd = -1, dirfd = -1;
  ferry_error_t err = NULL;

  fd = ferry_output_file_open (path, 0644, &dirfd, &named, &err);
  if (fd < 0)
    return ferry_cli_fail (&err);
  if (ferry_container_export (e, ref, fd, &err) < 0
      || (ferry_fault_point ("export-written"), ferry_output_file_commit (fd, dirfd, path, named, &err) < 0))
    {
      if (named)
        unlink (named);
      /* The writer names the entry; the file it could not write is ours.  */
      if (err->status == ENOSPC || err->status == EDQUOT)
        ferry_error_wrap (&err, "cannot export container %s to `%s`", ref, path);
      return ferry_cli_fail (&err);
    }
  return 0;
}

int
ferry_cmd_export (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "output", required_argument, NULL, 'o' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_engine struct ferry_engine *e = NULL;
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
      r = ferry_cli_parse_or_help (c, "export", argv, export_usage);
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  if ((output == NULL || strcmp (output, "-") == 0) && isatty (ferry_cli_stdout_fd ()))
    return ferry_cli_failf ("refusing to export to terminal. Use -o flag or redirect");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (output && strcmp (output, "-") != 0)
    return export_to_file (e, argv[optind], output);
  if (ferry_container_export (e, argv[optind], ferry_cli_stdout_fd (), &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}
