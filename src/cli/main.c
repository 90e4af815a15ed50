/* ferry: a daemonless container engine for moving running containers.  */
#include "common.h"
#include "commands.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmd_version (int argc, char **argv);
static int cmd_help (int argc, char **argv);

static const struct ferry_command commands[] = {
  { "archive", ferry_cmd_archive, "Inspect checkpoint archives" },
  { "checkpoint", ferry_cmd_checkpoint, "Checkpoint one or more running containers" },
  { "commit", ferry_cmd_commit, "Create new image based on the changed container" },
  { "container", ferry_cmd_container, "Manage containers" },
  { "cp", ferry_cmd_cp, "Copy files/folders between a container and the local filesystem" },
  { "create", ferry_cmd_create, "Create but do not start a container" },
  { "diff", ferry_cmd_diff, "Inspect changes to a container's file system" },
  { "exec", ferry_cmd_exec, "Run a process in a running container" },
  { "export", ferry_cmd_export, "Export a container's file system contents as a tar archive" },
  { "image", ferry_cmd_image, "Manage images" },
  { "images", ferry_cmd_images, "List images in local storage" },
  { "import", ferry_cmd_import, "Import a tarball to create a filesystem image" },
  { "inspect", ferry_cmd_inspect, "Display the configuration of containers or images" },
  { "kill", ferry_cmd_kill, "Kill one or more running containers with a signal" },
  { "load", ferry_cmd_load, "Load image(s) from an OCI or docker archive" },
  { "login", ferry_cmd_login, "Log in to a container registry" },
  { "logout", ferry_cmd_logout, "Log out of a container registry" },
  { "logs", ferry_cmd_logs, "Fetch the logs of a container" },
  { "pause", ferry_cmd_pause, "Pause all the processes in one or more containers" },
  { "network", ferry_cmd_network, "Manage networks" },
  { "port", ferry_cmd_port, "List a container's published ports" },
  { "ps", ferry_cmd_ps, "List containers" },
  { "pull", ferry_cmd_pull, "Pull an image from a registry" },
  { "push", ferry_cmd_push, "Push an image to a registry" },
  { "rename", ferry_cmd_rename, "Rename an existing container" },
  { "restart", ferry_cmd_restart, "Restart one or more containers" },
  { "restore", ferry_cmd_restore, "Restore one or more checkpointed containers" },
  { "rm", ferry_cmd_rm, "Remove one or more containers" },
  { "rmi", ferry_cmd_rmi, "Remove one or more images from local storage" },
  { "run", ferry_cmd_run, "Run a command in a new container" },
  { "start", ferry_cmd_start, "Start one or more containers" },
  { "stats", ferry_cmd_stats, "Display a live stream of container resource usage statistics" },
  { "stop", ferry_cmd_stop, "Stop one or more containers" },
  { "tag", ferry_cmd_tag, "Add an additional name to a local image" },
  { "top", ferry_cmd_top, "Display the running processes of a container" },
  { "unpause", ferry_cmd_unpause, "Unpause the processes in one or more containers" },
  { "untag", ferry_cmd_untag, "Remove a name from a local image" },
  { "volume", ferry_cmd_volume, "Manage volumes" },
  { "wait", ferry_cmd_wait, "Block on one or more containers" },
  { "version", cmd_version, "Display the ferry version" },
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
         "  --log-level LEVEL   debug, info, warn or error; accepted as Podman does,\n"
         "                      though ferry prints errors only\n"
         "  -v, --version       print the version\n"
         "\nSettings (the default network and mode) come from $FERRY_CONFIG, else\n"
         "/etc/ferry/ferry.conf when it exists; see docs/configuration.md.\n",
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
  ferry_global.config = (v = getenv ("FERRY_CONFIG")) && *v ? v : NULL;
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
  /* Output cut short (`ferry logs c | head`) is an error to handle, not a
   * reason to die.  */
  signal (SIGPIPE, SIG_IGN);
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
