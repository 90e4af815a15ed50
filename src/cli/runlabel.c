/* ferry CLI: container runlabel, Podman's: run (or with --display show)
 * the command an image label describes.  The image is pulled when it is
 * not here; engine/runlabel.c builds the command.  */
#include "commands.h"
#include "common.h"
#include "engine/container.h"
#include "engine/engine.h"
#include "engine/runlabel.h"
#include "image/pull.h"
#include "image/store.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum
{
  /* up6 */
  OPT_RUNLABEL_DISPLAY = 0x5110,
  OPT_RUNLABEL_OPT1,
  OPT_RUNLABEL_OPT2,
  OPT_RUNLABEL_OPT3,
  OPT_RUNLABEL_REPLACE,
  OPT_RUNLABEL_SIGNATURE_POLICY,
};

static const char runlabel_usage[]
    = "Usage: ferry container runlabel [options] LABEL IMAGE [ARG...]\n\n"
      "Run the command the image's label LABEL (any case) describes, ARGs appended,\n"
      "as Podman does: the image is pulled when it is not here; in the label, IMAGE,\n"
      "$IMAGE and ${IMAGE} stand for the image's name, NAME, $NAME and ${NAME} for the\n"
      "container's, $OPT1..$OPT3 for --opt1..--opt3, and a program podman or docker for\n"
      "ferry itself (which then uses its default roots).\n\n"
      "Options:\n"
      "      --display            print the command instead of running it\n"
      "  -n, --name NAME          the container's name (default: the image's, tag left\n"
      "                           out)\n"
      "  -q, --quiet              no pull progress; the command's input and output go\n"
      "                           nowhere\n"
      "      --replace            remove first the container the command names with\n"
      "                           --name\n" FERRY_REGISTRY_OPTIONS_HELP;

struct runlabel_flags
{
  struct ferry_transfer_options o;
  const char *name, *opt[3];
  bool display, quiet, replace;
  int pull;
};

/* The label LABEL of IMG, its key matched in any case; NULL when it has
 * none or it is empty.  */
static const char *
find_label (const struct ferry_image *img, const char *label)
{
  json_object *config = NULL, *labels = NULL;

  if (! json_object_object_get_ex (img->config, "config", &config)
      || ! json_object_object_get_ex (config, "Labels", &labels)
      || ! json_object_is_type (labels, json_type_object))
    return NULL;
  json_object_object_foreach (labels, key, value)
  {
    const char *text = json_object_get_string (value);
    if (strcasecmp (key, label) == 0 && text && *text)
      return text;
  }
  return NULL;
}

/* IMAGE from the store, or pulled when it is not here (and F lets it).  */
static int
find_image (ferry_engine_t *e, const char *image, struct runlabel_flags *f, struct ferry_image **img,
            ferry_error_t *err)
{
  cleanup_free char *id = NULL;

  if (ferry_store_lookup (e->store, image, img, err) == 0)
    return 0;
  if (! f->pull || (*err)->kind != FERRY_ERROR_NOT_FOUND)
    return -1;
  ferry_error_release (err);
  f->o.progress = ferry_cli_progress_mode (f->quiet);
  if (ferry_image_pull (e->store, image, &f->o, &id, err) < 0)
    return -1;
  return ferry_store_lookup (e->store, id, img, err);
}

/* --replace: the container the command names with --name goes first,
 * stopped if it runs, as Podman's runlabel removes it.  */
static int
replace_named (ferry_engine_t *e, char **cmd, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_free char *id = NULL, *name = NULL;

  for (size_t i = 1; cmd[i]; i++)
    {
      if (strcmp (cmd[i], "--name") != 0 || cmd[i + 1] == NULL)
        continue;
      if (ferry_container_lookup (e, cmd[i + 1], &c, err) < 0)
        {
          if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
            return -1;
          ferry_error_release (err);
          return 0;
        }
      id = xstrdup (c->id);
      name = xstrdup (c->name);
      ferry_container_free (c);
      return ferry_cli_remove_stopping (e, id, name, FERRY_STOP_TIMEOUT_OWN, 0, err);
    }
  return 0;
}

/* PROG as the command runs it: a name without a slash found on $PATH, as
 * Go's exec does; NULL when it is nowhere.  */
static char *
look_path (const char *prog)
{
  const char *path = getenv ("PATH");
  cleanup_free char *copy = xstrdup (path ? path : "");
  char *save = NULL, *dir;

  if (strchr (prog, '/'))
    return xstrdup (prog);
  for (dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      cleanup_free char *full = xasprintf ("%s/%s", *dir ? dir : ".", prog);
      struct stat st;

      if (stat (full, &st) == 0 && S_ISREG (st.st_mode) && (st.st_mode & 0111))
        return xstrdup (full);
    }
  return NULL;
}

/* How a finished command ended, as Go's exec says it: "exit status N" or
 * "signal: killed".  NULL for success.  */
static char *
ended (int status)
{
  cleanup_free char *sig = NULL;

  if (WIFEXITED (status))
    return WEXITSTATUS (status) == 0 ? NULL : xasprintf ("exit status %d", WEXITSTATUS (status));
  sig = xstrdup (strsignal (WTERMSIG (status)));
  sig[0] = (char) tolower ((unsigned char) sig[0]);
  return xasprintf ("signal: %s", sig);
}

/* Runs CMD with this environment, --opt1..3 and PODMAN_RUNLABEL_NESTED=1
 * added, and waits for it.  */
static int
run_command (char **cmd, const struct runlabel_flags *f)
{
  static const char *const opt_names[] = { "OPT1", "OPT2", "OPT3" };
  cleanup_strv char **env = NULL;
  cleanup_free char *path = look_path (cmd[0]), *joined = NULL, *how = NULL;
  posix_spawn_file_actions_t actions;
  size_t n = 0, i;
  pid_t pid;
  int r, status;

  for (i = 1; cmd[i]; i++)
    {
      char *prev = joined;
      joined = xasprintf ("%s%s%s", prev ? prev : "", prev ? " " : "", cmd[i]);
      free (prev);
    }
  if (path == NULL)
    return ferry_cli_failf ("`%s %s` failed: exec: \"%s\": executable file not found in $PATH", cmd[0],
                            joined ? joined : "", cmd[0]);
  for (i = 0; environ[i]; i++)
    ferry_strv_append (&env, &n, environ[i]);
  for (i = 0; i < 3; i++)
    if (f->opt[i] && *f->opt[i])
      ferry_strv_push (&env, &n, xasprintf ("%s=%s", opt_names[i], f->opt[i]));
  ferry_strv_append (&env, &n, "PODMAN_RUNLABEL_NESTED=1");
  posix_spawn_file_actions_init (&actions);
  if (f->quiet)
    for (i = 0; i < 3; i++)
      posix_spawn_file_actions_addopen (&actions, (int) i, "/dev/null", i == 0 ? O_RDONLY : O_WRONLY, 0);
  r = posix_spawn (&pid, path, &actions, NULL, cmd, env);
  posix_spawn_file_actions_destroy (&actions);
  if (r != 0)
    return ferry_cli_failf ("`%s %s` failed: fork/exec %s: %s", cmd[0], joined ? joined : "", path,
                            strerror (r));
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return ferry_cli_failf ("`%s %s` failed: wait: %s", cmd[0], joined ? joined : "", strerror (errno));
  how = ended (status);
  if (how)
    return ferry_cli_failf ("`%s %s` failed: %s", cmd[0], joined ? joined : "", how);
  return 0;
}

/* "command: " and the words, the program shown as this ferry was called
 * (whatever the label runs), as Podman shows it.  */
static void
display (char **cmd)
{
  printf ("command: %s", program_invocation_name);
  for (size_t i = 1; cmd[i]; i++)
    printf (" %s", cmd[i]);
  putchar ('\n');
}

static int
parse_flags (int argc, char **argv, struct runlabel_flags *f)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS,
          FERRY_REGISTRY_OPTIONS,
          { "display", no_argument, NULL, OPT_RUNLABEL_DISPLAY },
          { "name", required_argument, NULL, 'n' },
          { "opt1", required_argument, NULL, OPT_RUNLABEL_OPT1 },
          { "opt2", required_argument, NULL, OPT_RUNLABEL_OPT2 },
          { "opt3", required_argument, NULL, OPT_RUNLABEL_OPT3 },
          { "pull", optional_argument, NULL, 'p' },
          { "quiet", no_argument, NULL, 'q' },
          { "replace", no_argument, NULL, OPT_RUNLABEL_REPLACE },
          { "signature-policy", required_argument, NULL, OPT_RUNLABEL_SIGNATURE_POLICY },
          { "help", no_argument, NULL, 'h' },
          { NULL, 0, NULL, 0 } };
  bool pull_warned = false;
  int c, rc;

  ferry_cli_registry_defaults (&f->o.registry);
  f->pull = 1;
  while ((c = getopt_long (argc, argv, ":n:p::qh", opts, NULL)) != -1)
    {
      rc = ferry_cli_registry_option (c, optarg, &f->o.registry);
      if (rc < 0)
        return -1;
      if (rc > 0)
        continue;
      switch (c)
        {
        case OPT_RUNLABEL_DISPLAY:
          f->display = true;
          break;
        case 'n':
          f->name = optarg;
          break;
        case OPT_RUNLABEL_OPT1:
        case OPT_RUNLABEL_OPT2:
        case OPT_RUNLABEL_OPT3:
          f->opt[c - OPT_RUNLABEL_OPT1] = optarg;
          break;
        case 'p':
          if (ferry_cli_go_bool ("-p, --pull", optarg, "container runlabel", &f->pull) < 0)
            return -1;
          /* Deprecated in Podman, which says so once.  */
          if (! pull_warned)
            fprintf (stderr,
                     "Flag --pull has been deprecated, ferry will pull if not found in local storage\n");
          pull_warned = true;
          break;
        case 'q':
          f->quiet = true;
          break;
        case OPT_RUNLABEL_REPLACE:
          f->replace = true;
          break;
        case OPT_RUNLABEL_SIGNATURE_POLICY:
          f->o.signature_policy = optarg;
          break;
        default:
          rc = ferry_cli_parse_or_help (c, "container runlabel", argv, runlabel_usage);
          if (rc != 0)
            return rc > 0 ? 1 : -1;
        }
    }
  return 0;
}

int
ferry_cmd_container_runlabel (int argc, char **argv)
{
  static const char *const opt_names[] = { "OPT1", "OPT2", "OPT3" };
  struct runlabel_flags f = { 0 };
  struct ferry_runlabel r = { 0 };
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_strv char **cmd = NULL;
  cleanup_free char *name = NULL, *cwd = getcwd (NULL, 0);
  struct ferry_image *img = NULL;
  const char *label, *text, *home = getenv ("HOME");
  ferry_error_t err = NULL;
  int rc;

  rc = parse_flags (argc, argv, &f);
  if (rc != 0)
    return rc > 0 ? 0 : FERRY_EXIT_ERROR;
  if (argc - optind < 2)
    return ferry_cli_failf ("requires at least 2 arg(s), only received %d", argc - optind);
  label = argv[optind][0] == '/' ? argv[optind] + 1 : argv[optind];
  if (ferry_cli_engine_open (&e, &err) < 0 || find_image (e, argv[optind + 1], &f, &img, &err) < 0)
    return ferry_cli_fail (&err);
  text = find_label (img, label);
  if (text == NULL)
    {
      ferry_image_free (img);
      return ferry_cli_failf ("cannot find the value of label: %s in image: %s", label, argv[optind + 1]);
    }
  r.text = text;
  r.image = img->names_history && img->names_history[0] ? img->names_history[0] : img->id;
  name = f.name && *f.name ? xstrdup (f.name)
                           : ferry_runlabel_default_name (argv[optind + 1], img->id, r.image);
  r.name = name;
  r.args = argv + optind + 2;
  r.n_args = argc - optind - 2;
  /* Podman's environment holds the flags' values after its own, so an
   * OPTn of the environment counts where the flag is not given.  */
  for (size_t i = 0; i < 3; i++)
    r.opt[i] = f.opt[i] && *f.opt[i] ? f.opt[i] : getenv (opt_names[i]);
  r.cwd = cwd;
  r.home = home;
  rc = ferry_runlabel_command (&r, &cmd, &err);
  ferry_image_free (img);
  if (rc < 0)
    return ferry_cli_fail (&err);
  if (f.display)
    {
      display (cmd);
      return 0;
    }
  if (f.replace && replace_named (e, cmd, &err) < 0)
    return ferry_cli_fail (&err);
  /* The command may well be ferry again, on the same root: nothing of
   * this one stays open meanwhile.  */
  ferry_cli_cleanup_enginep (&e);
  e = NULL;
  return run_command (cmd, &f) == 0 ? 0 : FERRY_EXIT_ERROR;
}
