/* ferry: a daemonless container engine for moving running containers.  */
#include "common.h"
#include "commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmd_version (int argc, char **argv);
static int cmd_help (int argc, char **argv);

static const struct ferry_command commands[] = {
  { "image", ferry_cmd_image, "Manage images" },
  { "images", ferry_cmd_images, "List images in local storage" },
  { "import", ferry_cmd_import, "Import a tarball to create a filesystem image" },
  { "load", ferry_cmd_load, "Load image(s) from an OCI or docker archive" },
  { "rmi", ferry_cmd_rmi, "Remove one or more images from local storage" },
  { "version", cmd_version, "Display the ferry version" },
  { "volume", ferry_cmd_volume, "Manage volumes" },
  { "help", cmd_help, NULL },
  { NULL, NULL, NULL },
};

static void
usage (FILE *out)
{
  size_t i;

  fputs ("Usage: ferry [GLOBAL OPTIONS] COMMAND [ARG...]\n\n"
         "ferry runs OCI containers without a daemon, checkpoints them with CRIU\n"
         "and moves them between hosts.\n\n"
         "Commands:\n",
         out);
  for (i = 0; commands[i].name; i++)
    if (commands[i].summary)
      fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fputs ("\nGlobal options:\n"
         "  --root DIR          persistent storage (env FERRY_ROOT, default /var/lib/ferry)\n"
         "  --runroot DIR       volatile state (env FERRY_RUNROOT, default /run/ferry)\n"
         "  --runtime NAME|PATH OCI runtime (default runc)\n"
         "  --log-level LEVEL   debug, info, warn or error (default warn)\n"
         "  -v, --version       print the version\n",
         out);
}

static int
cmd_version (int argc, char **argv)
{
  (void) argc;
  (void) argv;
  printf ("ferry version %s\n", FERRY_VERSION);
  return 0;
}

static int
cmd_help (int argc, char **argv)
{
  (void) argc;
  (void) argv;
  usage (stdout);
  return 0;
}

static void
defaults_from_env (void)
{
  const char *v;

  ferry_global.root = (v = getenv ("FERRY_ROOT")) && *v ? v : "/var/lib/ferry";
  ferry_global.runroot = (v = getenv ("FERRY_RUNROOT")) && *v ? v : "/run/ferry";
  ferry_global.runtime = "runc";
  ferry_global.log_level = "warn";
}

int
main (int argc, char **argv)
{
  static const struct option long_options[] = {
    FERRY_GLOBAL_OPTIONS,
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  size_t i;
  int c;

  defaults_from_env ();
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+:hv", long_options, NULL)) != -1)
    {
      int r;

      if (c == 'v')
        return cmd_version (0, NULL);
      r = ferry_cli_common_option (c, "", argv);
      if (r < 0)
        return FERRY_EXIT_ERROR;
      if (r > 0)
        {
          usage (stdout);
          return 0;
        }
    }
  if (optind >= argc)
    {
      usage (stderr);
      return FERRY_EXIT_ERROR;
    }
  argc -= optind;
  argv += optind;
  optind = 0; /* a fresh getopt scan for the command */
  for (i = 0; commands[i].name; i++)
    if (strcmp (commands[i].name, argv[0]) == 0)
      return commands[i].run (argc, argv);
  return ferry_cli_failf ("unrecognized command `ferry %s`: see 'ferry --help'", argv[0]);
}
