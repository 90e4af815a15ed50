/* ferry CLI: save, images out as a docker-archive, an OCI archive or a
 * directory.  */
#include "commands.h"
#include "common.h"
#include "image/reference.h"
#include "image/save.h"
#include "image/transport.h"
#include "util/cleanup.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char save_usage[]
    = "Usage: ferry save [options] IMAGE [IMAGE...]\n\n"
      "Save an image to docker-archive or oci-archive on the local machine. Default is docker-archive.\n"
      "Without -m, further arguments are names the image gets in a docker-archive.\n\n"
      "Options:\n"
      "      --compress               gzip the layers (only with --format docker-dir, whose layers are\n"
      "                               otherwise uncompressed)\n"
      "      --format FORMAT          oci-archive, oci-dir (directory with oci manifest type), "
      "docker-archive,\n"
      "                               docker-dir (directory with v2s2 manifest type) (default "
      "\"docker-archive\")\n"
      "  -m, --multi-image-archive    interpret additional arguments as images not tags and create a\n"
      "                               multi-image-archive (only for docker-archive)\n"
      "  -o, --output FILE            write to FILE (default: stdout, which must be redirected); an archive\n"
      "                               appears there only once complete\n"
      "  -q, --quiet                  suppress the output\n"
      "      --uncompressed           accept uncompressed layers when copying OCI images (ferry keeps the\n"
      "                               layers as stored, and never compresses them)\n";

enum
{
  OPT_FORMAT = OPT_COMMAND_FIRST,
  OPT_UNCOMPRESSED,
  OPT_COMPRESS,
};

/* Podman's lines, on standard error.  */
static void
print_progress (void *ctx, const char *kind, const char *digest)
{
  (void) ctx;
  if (strcmp (kind, "manifest") == 0)
    fputs ("Writing manifest to image destination\n", stderr);
  else
    fprintf (stderr, "Copying %s %s\n", kind, digest);
}

int
ferry_cmd_save (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "output", required_argument, NULL, 'o' },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "multi-image-archive", no_argument, NULL, 'm' },
    { "quiet", no_argument, NULL, 'q' },
    { "uncompressed", no_argument, NULL, OPT_UNCOMPRESSED },
    { "compress", no_argument, NULL, OPT_COMPRESS },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct ferry_save_request req = { .format = FERRY_SAVE_DOCKER_ARCHIVE, .out_fd = STDOUT_FILENO };
  cleanup_store ferry_store_t *s = NULL;
  cleanup_strv char **saved = NULL;
  ferry_error_t err = NULL;
  int quiet = 0, c, r;

  while ((c = getopt_long (argc, argv, ":o:mqh", opts, NULL)) != -1)
    switch (c)
      {
      case 'o':
        req.output = optarg;
        break;
      case OPT_FORMAT:
        if (ferry_save_format_parse (optarg, &req.format) < 0)
          return ferry_cli_failf (
              "format value must be one of oci-dir oci-archive docker-dir docker-archive");
        break;
      case 'm':
        req.multi_image = true;
        break;
      case 'q':
        quiet = 1;
        break;
      case OPT_UNCOMPRESSED:
        break;
      case OPT_COMPRESS:
        req.compress = true;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "save", argv, save_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (optind >= argc)
    return ferry_cli_failf ("need at least 1 argument");
  if (req.output && strcmp (req.output, "-") == 0)
    req.output = NULL;
  /* Podman's refusal, which also keeps "oci-archive:FILE" (a push's
   * destination) from becoming a file of that name.  */
  if (req.output && strchr (req.output, ':'))
    return ferry_cli_failf ("invalid filename (should not contain ':') \"%s\"", req.output);
  if (req.output == NULL && isatty (STDOUT_FILENO))
    return ferry_cli_failf ("refusing to save to terminal. Use -o flag or redirect");
  /* As Podman: an archive on standard output is saved quietly, so that
   * its reader's other stream holds only errors.  */
  if (req.output == NULL)
    quiet = 1;
  /* Podman parses every image's name before it saves anything; without
   * -m the further names are the first image's tags, and one that is no
   * name is left out (ferry_image_save).  */
  for (int i = optind; i < (req.multi_image ? argc : optind + 1); i++)
    {
      struct ferry_reference ref;

      if (ferry_transport_is_prefixed (argv[i]))
        continue;
      if (ferry_reference_parse (argv[i], FERRY_REFERENCE_DEFAULT_LOCALHOST, &ref, &err) < 0)
        return ferry_cli_fail (&err);
      ferry_reference_free (&ref);
    }
  req.refs = argv + optind;
  req.n_refs = (size_t) (argc - optind);
  if (! quiet)
    req.progress = print_progress;
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_image_save (s, &req, &saved, &err) < 0)
    return ferry_cli_fail (&err);
  /* Podman's event names the output, as the image's name.  */
  for (size_t i = 0; saved[i]; i++)
    ferry_cli_event ("image", "save", saved[i], req.output ? req.output : "/dev/stdout");
  return 0;
}
