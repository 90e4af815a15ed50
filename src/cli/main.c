/* ferry: a daemonless container engine for moving running containers.  */
#include "common.h"
#include "commands.h"
#include "template.h"
#include "image/auth.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int cmd_version (int argc, char **argv);
static int cmd_help (int argc, char **argv);

static const struct ferry_command commands[] = {
  { "artifact", ferry_cmd_artifact, "Manage OCI artifacts" },
  { "archive", ferry_cmd_archive, "Inspect checkpoint archives" },
  { "attach", ferry_cmd_attach, "Attach to a running container" },
  { "checkpoint", ferry_cmd_checkpoint, "Checkpoint one or more running containers" },
  { "commit", ferry_cmd_commit, "Create new image based on the changed container" },
  { "container", ferry_cmd_container, "Manage containers" },
  { "cp", ferry_cmd_cp, "Copy files/folders between a container and the local filesystem" },
  { "create", ferry_cmd_create, "Create but do not start a container" },
  { "diff", ferry_cmd_diff, "Inspect changes to a container's file system" },
  { "events", ferry_cmd_events, "Show system events" },
  { "exec", ferry_cmd_exec, "Run a process in a running container" },
  { "export", ferry_cmd_export, "Export a container's file system contents as a tar archive" },
  { "generate", ferry_cmd_generate, "Generate structured data based on containers" },
  { "healthcheck", ferry_cmd_healthcheck, "Manage health checks on containers" },
  { "history", ferry_cmd_image_history, "Show history of a specified image" },
  { "image", ferry_cmd_image, "Manage images" },
  { "images", ferry_cmd_images, "List images in local storage" },
  { "import", ferry_cmd_import, "Import a tarball to create a filesystem image" },
  { "info", ferry_cmd_info, "Display ferry system information" },
  { "init", ferry_cmd_init, "Initialize one or more containers" },
  { "inspect", ferry_cmd_inspect, "Display the configuration of containers or images" },
  { "kill", ferry_cmd_kill, "Kill one or more running containers with a signal" },
  { "kube", ferry_cmd_kube, "Generate Kubernetes YAML from containers or volumes" },
  { "load", ferry_cmd_load, "Load image(s) from an OCI or docker archive" },
  { "login", ferry_cmd_login, "Log in to a container registry" },
  { "logout", ferry_cmd_logout, "Log out of a container registry" },
  { "logs", ferry_cmd_logs, "Fetch the logs of a container" },
  { "manifest", ferry_cmd_manifest, "Manipulate manifest lists and image indexes" },
  { "mount", ferry_cmd_mount, "Mount a working container's root filesystem" },
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
  { "save", ferry_cmd_save, "Save image(s) to an archive" },
  { "search", ferry_cmd_search, "Search a registry for images" },
  { "secret", ferry_cmd_secret, "Manage secrets" },
  { "start", ferry_cmd_start, "Start one or more containers" },
  { "stats", ferry_cmd_stats, "Display a live stream of container resource usage statistics" },
  { "stop", ferry_cmd_stop, "Stop one or more containers" },
  { "system", ferry_cmd_system, "Manage ferry" },
  { "tag", ferry_cmd_tag, "Add an additional name to a local image" },
  { "top", ferry_cmd_top, "Display the running processes of a container" },
  { "umount", ferry_cmd_unmount, NULL },
  { "unmount", ferry_cmd_unmount, "Unmount working container's root filesystem" },
  { "unpause", ferry_cmd_unpause, "Unpause the processes in one or more containers" },
  { "unshare", ferry_cmd_unshare, "Refused, as Podman's unshare is when run by root" },
  { "untag", ferry_cmd_untag, "Remove a name from a local image" },
  { "update", ferry_cmd_update, "Update an existing container" },
  { "volume", ferry_cmd_volume, "Manage volumes" },
  { "wait", ferry_cmd_wait, "Block on one or more containers" },
  { "version", ferry_cmd_version, "Display the ferry version" },
  { "help", cmd_help, "Help about any command" },
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
  fputs ("\n'ferry help COMMAND [SUBCOMMAND]' shows a command's manual page, or its usage.\n"
         "\nGlobal options:\n"
         "  --root DIR          persistent storage (env FERRY_ROOT, default /var/lib/ferry)\n"
         "  --runroot DIR       volatile state (env FERRY_RUNROOT, default /run/ferry)\n"
         "  --runtime NAME|PATH OCI runtime (default containers.conf's [engine] runtime, else runc)\n"
         "  --log-level LEVEL   trace, debug, info, warn, error, fatal or panic, accepted as\n"
         "                      Podman does, though ferry prints errors only\n"
         "  --runtime-flag FLAG pass --FLAG to every runtime invocation (repeatable)\n"
         "  --storage-driver NAME\n"
         "                      overlay, the one ferry's store is laid out as (others refused)\n"
         "  --cdi-spec-dir DIR  read CDI device specs in DIR (repeatable; the last wins)\n"
         "                      instead of containers.conf's cdi_spec_dirs (default /etc/cdi,\n"
         "                      /var/run/cdi)\n"
         "  --hooks-dir DIR     read OCI hooks (oci-hooks(5)) from DIR (repeatable; a file of a later\n"
         "                      one masks the same name in an earlier) instead of containers.conf's\n"
         "                      hooks_dir (default /usr/share/containers/oci/hooks.d)\n"
         "  --tmpdir DIR        where exit files and attach sockets are (default: the runroot);\n"
         "                      every command of those containers needs the same --tmpdir\n"
         "  --out FILE          send ferry's own output to FILE; what containers write still\n"
         "                      goes to the standard output\n"
         "  --noout             discard ferry's own output (containers' output stays)\n"
         "  --module NAME       read the containers.conf module NAME (a path, or a file of\n"
         "                      /etc/containers/containers.conf.modules) after containers.conf\n"
         "                      (repeatable; before the command only)\n"
         "  --config DIR        login and logout keep credentials in DIR/config.json, which\n"
         "                      the other commands read in place of ~/.docker/config.json\n"
         "                      (before the command only)\n"
         "  -v, --version       print the version\n"
         "\nSettings (the default network and mode) come from $FERRY_CONFIG, else\n"
         "/etc/ferry/ferry.conf when it exists, over the [containers] settings of\n"
         "Podman's containers.conf ($CONTAINERS_CONF, else Podman's places); see\n"
         "docs/configuration.md.\n",
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

/* The commands that group subcommands: `ferry help GROUP SUB` asks
 * GROUP for SUB's usage.  */
static int
is_group (const struct ferry_command *c)
{
  return c->run == ferry_cmd_archive || c->run == ferry_cmd_artifact || c->run == ferry_cmd_container
         || c->run == ferry_cmd_image || c->run == ferry_cmd_network || c->run == ferry_cmd_volume
         || c->run == ferry_cmd_system || c->run == ferry_cmd_healthcheck || c->run == ferry_cmd_manifest
         || c->run == ferry_cmd_secret || c->run == ferry_cmd_generate || c->run == ferry_cmd_kube;
}

/* True when `man` is there and finds PAGE in section 1.  */
static int
man_page_installed (const char *page)
{
  char *const argv[] = { (char *) "man", (char *) "-w", (char *) "1", (char *) page, NULL };
  posix_spawn_file_actions_t actions;
  pid_t pid;
  int status = 0, r;

  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_addopen (&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen (&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  r = posix_spawnp (&pid, "man", &actions, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&actions);
  if (r != 0)
    return 0;
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return 0;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

/* `ferry help COMMAND [SUBCOMMAND]`: the manual page ferry-COMMAND[-SUB]
 * when man and the page are installed, else the command's --help, as
 * `podman help` prints usage.  */
static int
cmd_help (int argc, char **argv)
{
  static const char help_usage[]
      = "Usage: ferry help [COMMAND [SUBCOMMAND]]\n\n"
        "Show a command's manual page (ferry-COMMAND[-SUBCOMMAND](1)) where man and the page\n"
        "are installed, else its usage; with no command, ferry's usage.\n\n"
        "Options:\n"
        "  -h, --help   print this usage\n";
  const struct ferry_command *c = NULL;
  char *help_argv[5] = { NULL };
  char page[256];
  size_t i, words;

  if (argc < 2)
    {
      usage (stdout);
      return 0;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0
      || (strcmp (argv[1], "help") == 0 && argc == 2))
    {
      ferry_cli_print_usage (help_usage);
      return 0;
    }
  if (argv[1][0] == '-' && argv[1][1] != '\0')
    return ferry_cli_failf ("unknown flag: %s\nSee 'ferry help --help'", argv[1]);
  for (i = 0; commands[i].name && c == NULL; i++)
    if (strcmp (commands[i].name, argv[1]) == 0)
      c = &commands[i];
  /* umount too, which Podman's help finds as unmount's other name.  */
  if (c == NULL)
    {
      /* Podman's: no error, the topic and the usage on standard error.  */
      fputs ("Unknown help topic [", stderr);
      for (i = 1; i < (size_t) argc; i++)
        fprintf (stderr, "%s`%s`", i > 1 ? " " : "", argv[i]);
      fputs ("]\n", stderr);
      usage (stderr);
      return 0;
    }
  /* The words that name a command, as Podman's help looks them up: a
   * group's subcommand, and one more for a group's group; the words
   * after them are left out (`help run busybox` is run's help).  */
  words = 1;
  if (argc >= 3 && is_group (c))
    words = 2;
  if (argc >= 4 && words == 2
      && ((strcmp (argv[1], "system") == 0 && strcmp (argv[2], "connection") == 0)
          || (strcmp (argv[1], "image") == 0 && strcmp (argv[2], "trust") == 0)))
    words = 3;
  if ((size_t) snprintf (page, sizeof (page), "ferry-%s%s%s%s%s", argv[1], words >= 2 ? "-" : "",
                         words >= 2 ? argv[2] : "", words == 3 ? "-" : "", words == 3 ? argv[3] : "")
          < sizeof (page)
      && man_page_installed (page))
    {
      char *const man_argv[] = { (char *) "man", (char *) "1", page, NULL };

      fflush (stdout);
      execvp ("man", man_argv);
      /* man went away since it was found: the usage will do.  */
    }
  for (i = 0; i < words; i++)
    help_argv[i] = argv[i + 1];
  help_argv[words] = (char *) "--help";
  ferry_cli_set_command_path (NULL, argv[1]);
  optind = 0;
  return c->run ((int) words + 1, help_argv);
}

static void
defaults_from_env (void)
{
  const char *v;

  ferry_global.root = (v = getenv ("FERRY_ROOT")) && *v ? v : "/var/lib/ferry";
  ferry_global.runroot = (v = getenv ("FERRY_RUNROOT")) && *v ? v : "/run/ferry";
  /* NULL: containers.conf's [engine] runtime, else runc.  */
  ferry_global.runtime = NULL;
  ferry_global.log_level = "warn";
  ferry_global.config = (v = getenv ("FERRY_CONFIG")) && *v ? v : NULL;
}

/* Options of main's own, before the command.  */
enum
{
  OPT_MAIN_MODULE = 0x4D00,
  OPT_MAIN_CONFIG = 0x5200,
};

/* --module NAME, as Podman resolves it for root: an absolute path as it
 * is, else NAME under /etc's module directory, then /usr/share's; NULL
 * (and said why, in Podman's words and shape) when none is there.  */
static char *
resolve_module (const char *name, char **why)
{
  static const char *const dirs[]
      = { "/etc/containers/containers.conf.modules", "/usr/share/containers/containers.conf.modules", NULL };
  cleanup_free char *first = NULL;
  int first_errno = ENOENT;

  if (name[0] == '/')
    {
      if (access (name, F_OK) == 0)
        return xstrdup (name);
      first_errno = errno;
      first = xstrdup (name);
    }
  else
    for (size_t i = 0; dirs[i]; i++)
      {
        char *path = name[0] ? xasprintf ("%s/%s", dirs[i], name) : xstrdup (dirs[i]);

        if (name[0] && access (path, F_OK) == 0)
          return path;
        if (first == NULL)
          {
            first_errno = name[0] ? errno : ENOENT;
            first = path;
          }
        else
          free (path);
      }
  *why = xasprintf ("could not resolve module \"%s\": faccessat %s: %s", name, first,
                    first_errno == ENOENT ? "no such file or directory" : strerror (first_errno));
  return NULL;
}

/* Whether ARGV (the command and its arguments) is conmon's exit command,
 * `container cleanup`: it settles a container whose run read a module
 * that has gone since, rather than leave its mounts and network behind.  */
static int
is_cleanup (int argc, char **argv)
{
  return argc >= 2 && strcmp (argv[0], "container") == 0 && strcmp (argv[1], "cleanup") == 0;
}

/* An auth-file entry passed over, told as Podman tells it.  */
static void
warn_auth (const char *msg)
{
  ferry_cli_podman_warnf ("%s", msg);
}

int
main (int argc, char **argv)
{
  static const struct option long_options[] = {
    FERRY_GLOBAL_OPTIONS,
    /* Before the command only, as Podman's.  */
    { "module", required_argument, NULL, OPT_MAIN_MODULE },
    { "config", required_argument, NULL, OPT_MAIN_CONFIG },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_free char *module_error = NULL;
  char *ignored = NULL;
  size_t i;
  int c;

  defaults_from_env ();
  ferry_auth_set_warn (warn_auth);
  /* --out and --noout before the command take effect once all of them are
   * read: --noout wins wherever it is, and no file is made for nothing.  */
  ferry_global.out_deferred = 1;
  /* Output cut short (`ferry logs c | head`) is an error to handle, not a
   * reason to die.  */
  signal (SIGPIPE, SIG_IGN);
  opterr = 0;
  while ((c = getopt_long (argc, argv, "+:hv", long_options, NULL)) != -1)
    {
      int r;

      if (c == 'v')
        return cmd_version (0, NULL);
      if (c == OPT_MAIN_MODULE)
        {
          char *path = resolve_module (optarg, module_error ? &ignored : &module_error);

          if (path)
            ferry_strv_push (&ferry_global.modules, &ferry_global.n_modules, path);
          free (ignored);
          ignored = NULL;
          continue;
        }
      if (c == OPT_MAIN_CONFIG)
        {
          ferry_auth_set_config_dir (optarg);
          continue;
        }
      r = ferry_cli_common_option (c, "", argv);
      if (r < 0)
        return FERRY_EXIT_ERROR;
      if (r > 0)
        {
          usage (stdout);
          return 0;
        }
    }
  ferry_global.out_deferred = 0;
  if (module_error && ! is_cleanup (argc - optind, argv + optind))
    {
      /* Podman's words and exit code for a configuration it cannot read.  */
      fflush (stdout);
      fprintf (stderr,
               "Failed to obtain ferry configuration: %s: give --module an absolute path or the name of a "
               "file in /etc/containers/containers.conf.modules\n",
               module_error);
      return 1;
    }
  if (module_error)
    ferry_cli_podman_warnf ("%s: cleaning up without it", module_error);
  if (ferry_cli_apply_output () < 0)
    return 1;
  if (optind >= argc)
    {
      /* As Podman: the usage, then the error.  */
      usage (stdout);
      fflush (stdout);
      return ferry_cli_failf ("missing command 'ferry COMMAND'");
    }
  argc -= optind;
  argv += optind;
  optind = 0; /* a fresh getopt scan for the command */
  for (i = 0; commands[i].name; i++)
    if (strcmp (commands[i].name, argv[0]) == 0)
      {
        ferry_cli_template_name (NULL, argv[0]);
        ferry_cli_set_command_path (NULL, argv[0]);
        return commands[i].run (argc, argv);
      }
  switch (ferry_cli_unknown_command_flags (argc, argv, ""))
    {
    case 1:
      usage (stdout);
      return 0;
    case -1:
      return FERRY_EXIT_ERROR;
    }
  /* Podman's words, its pointer to the help on a line of its own.  */
  return ferry_cli_failf ("unrecognized command `ferry %s`\nTry 'ferry --help' for more information",
                          argv[0]);
}
