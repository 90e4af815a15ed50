/* ferry CLI: commit, an image of a container's changes.  */
#include "commands.h"
#include "common.h"
#include "resources.h"
#include "../lib/engine/commit.h"
#include "../lib/util/cleanup.h"
#include "../lib/util/fs.h"
#include "../lib/util/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char commit_usage[]
    = "Usage: ferry commit [options] CONTAINER [IMAGE]\n\n"
      "Create an image from a container: its image's layers, one more layer of its\n"
      "changes, and its settings (command, environment, labels, working directory,\n"
      "user).  Prints the new image's ID.\n\n"
      "Options:\n"
      "  -a, --author AUTHOR       the image's author\n"
      "  -c, --change INSTRUCTION  apply a Dockerfile instruction: CMD, ENTRYPOINT, ENV,\n"
      "                            EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME or\n"
      "                            WORKDIR (repeatable)\n"
      "      --config FILE         merge the container configuration in FILE (JSON: Cmd,\n"
      "                            Entrypoint, Env, Labels, ExposedPorts, Volumes, User,\n"
      "                            WorkingDir, StopSignal) into the image's, after the\n"
      "                            --change instructions went onto it\n"
      "  -f, --format FORMAT       oci, the only one ferry writes (docker is refused)\n"
      "      --iidfile FILE        also write the image ID to FILE\n"
      "      --include-volumes     list every mount's destination in the image's volumes\n"
      "                            (without it: only those of its anonymous volumes)\n"
      "  -m, --message MESSAGE     refused, as Podman refuses it for OCI images\n"
      "  -p, --pause[=BOOL]        pause the container while its changes are read\n"
      "  -s, --squash[=BOOL]       one layer of the container's whole root file system, none\n"
      "                            of the base image's\n"
      "  -q, --quiet               print nothing but the image ID (no progress on\n"
      "                            standard error)\n";

enum
{
  OPT_IIDFILE = OPT_COMMAND_FIRST,
  OPT_INCLUDE_VOLUMES,
  OPT_CONFIG,
};

/* Podman's lines on standard error for the image it copied into the
 * store: the blobs (the layers, uncompressed, as the store serves them),
 * the config, the manifest.  ferry's image is made by then; these say
 * what it holds.  */
static void
print_committed (ferry_engine_t *e, const char *id)
{
  struct ferry_image *img = NULL;
  ferry_error_t err = NULL;

  if (ferry_store_lookup (e->store, id, &img, &err) < 0)
    {
      ferry_error_release (&err);
      return;
    }
  fputs ("Getting image source signatures\n", stderr);
  for (size_t i = 0; img->diff_ids && img->diff_ids[i]; i++)
    fprintf (stderr, "Copying blob %s\n", img->diff_ids[i]);
  fprintf (stderr, "Copying config %s\n", img->config_digest);
  fputs ("Writing manifest to image destination\n", stderr);
  ferry_image_free (img);
}

int
ferry_cmd_commit (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "author", required_argument, NULL, 'a' },
    { "change", required_argument, NULL, 'c' },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "format", required_argument, NULL, 'f' },
    { "iidfile", required_argument, NULL, OPT_IIDFILE },
    { "include-volumes", no_argument, NULL, OPT_INCLUDE_VOLUMES },
    { "message", required_argument, NULL, 'm' },
    { "pause", optional_argument, NULL, 'p' },
    { "quiet", no_argument, NULL, 'q' },
    { "squash", optional_argument, NULL, 's' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct ferry_commit_options o = { 0 };
  cleanup_engine struct ferry_engine *e = NULL;
  cleanup_strv char **changes = xmalloc0 (sizeof (char *));
  cleanup_free char *id = NULL;
  const char *format = "oci", *message = NULL, *iidfile = NULL;
  ferry_error_t err = NULL;
  size_t n_changes = 0;
  int c, r, quiet = 0;

  while ((c = getopt_long (argc, argv, ":a:c:f:m:pqsh", opts, NULL)) != -1)
    {
      switch (c)
        {
        case 'a':
          o.author = optarg;
          continue;
        case 'c':
          changes = xrealloc (changes, sizeof (char *) * (n_changes + 2));
          changes[n_changes++] = xstrdup (optarg);
          changes[n_changes] = NULL;
          continue;
        case 'f':
          format = optarg;
          continue;
        case OPT_IIDFILE:
          iidfile = optarg;
          continue;
        case OPT_INCLUDE_VOLUMES:
          o.include_volumes = 1;
          continue;
        case OPT_CONFIG:
          o.config_file = optarg;
          continue;
        case 'm':
          message = optarg;
          continue;
        case 'p':
          if (ferry_cli_bool_flag (optarg, "-p, --pause", "commit", &o.pause) != 0)
            return FERRY_EXIT_ERROR;
          continue;
        case 'q':
          quiet = 1;
          continue;
        case 's':
          if (ferry_cli_bool_flag (optarg, "-s, --squash", "commit", &o.squash) != 0)
            return FERRY_EXIT_ERROR;
          continue;
        }
      r = ferry_cli_parse_or_help (c, "commit", argv, commit_usage);
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind < 1 || argc - optind > 2)
    return ferry_cli_failf ("accepts between 1 and 2 arg(s), received %d", argc - optind);
  if (strcmp (format, "docker") == 0)
    return ferry_cli_failf ("ferry writes OCI images only: drop --format docker");
  if (strcmp (format, "oci") != 0)
    return ferry_cli_failf ("unrecognized image format \"%s\"", format);
  if (message)
    return ferry_cli_failf ("messages are only compatible with the docker image format (-f docker)");
  o.name = argc - optind == 2 ? argv[optind + 1] : NULL;
  o.changes = changes;
  /* Podman reads the file before it looks at the container.  */
  if (o.config_file && access (o.config_file, R_OK) < 0)
    return ferry_cli_failf ("--config: open %s: %s", o.config_file,
                            errno == ENOENT ? "no such file or directory" : strerror (errno));
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_container_commit (e, argv[optind], &o, &id, &err) < 0)
    return ferry_cli_fail (&err);
  if (iidfile)
    {
      if (ferry_write_file_atomic (iidfile, id, strlen (id), 0644, &err) < 0)
        return ferry_cli_fail (&err);
    }
  if (! quiet)
    print_committed (e, id);
  printf ("%s\n", id);
  return 0;
}
