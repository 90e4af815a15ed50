/* ferry CLI: generate kube, and its other name kube generate: Kubernetes
 * YAML of containers and volumes (engine/kube.h).  */
#include "commands.h"
#include "common.h"
#include "../lib/engine/engine.h"
#include "../lib/engine/kube.h"
#include "../lib/util/cleanup.h"
#include "../lib/util/fs.h"
#include "../lib/util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char kube_generate_usage[]
    = "Usage: ferry %s [options] CONTAINER...|VOLUME...\n\n"
      "Print Kubernetes YAML of containers and volumes, as Podman's kube generate: the\n"
      "containers as one Pod (or a Deployment, DaemonSet or Job), each volume as a\n"
      "PersistentVolumeClaim.  ferry has no pods.\n\n"
      "Options:\n"
      "  -f, --filename FILE      write the YAML to FILE (which must not exist) instead\n"
      "      --podman-only        add Podman's reserved annotations (Kubernetes cannot use them)\n"
      "  -r, --replicas N         the replicas of a Deployment (default 1)\n"
      "  -s, --service            a NodePort Service for the containers' ports as well\n"
      "  -t, --type KIND          pod (default), deployment, daemonset or job\n";

enum
{
  OPT_KUBE_PODMAN_ONLY = 0x2200,
  OPT_KUBE_NO_TRUNC,
};

/* A Go int32 flag (cobra parses base 0), with cobra's words for a bad
 * one: negative then.  */
static int
parse_replicas (const char *cmd, const char *arg, int *out)
{
  char *end;
  long long v;

  errno = 0;
  v = strtoll (arg, &end, 0);
  if (*arg == '\0' || *end != '\0' || isspace ((unsigned char) *arg))
    return -ferry_cli_failf ("invalid argument \"%s\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing "
                             "\"%s\": invalid syntax\nSee 'ferry %s --help'",
                             arg, arg, cmd);
  if (errno == ERANGE || v > INT_MAX || v < INT_MIN)
    return -ferry_cli_failf ("invalid argument \"%s\" for \"-r, --replicas\" flag: strconv.ParseInt: parsing "
                             "\"%s\": value out of range\nSee 'ferry %s --help'",
                             arg, arg, cmd);
  *out = (int) v;
  return 0;
}

/* TEXT into PATH, which must not exist yet, as Podman refuses to
 * overwrite: 0, or the exit code.  */
static int
write_new_file (const char *path, const char *text)
{
  struct stat st;
  ferry_error_t err = NULL;
  char *slash;
  cleanup_free char *dir = xstrdup (path);

  if (lstat (path, &st) == 0)
    return ferry_cli_failf ("cannot write to \"%s\"; file exists", path);
  slash = strrchr (dir, '/');
  if (slash)
    {
      int why = 0;

      *slash = '\0';
      if (stat (*dir ? dir : "/", &st) < 0)
        why = errno;
      else if (! S_ISDIR (st.st_mode))
        why = ENOTDIR;
      if (why)
        {
          /* Go's words: lower case.  */
          cleanup_free char *lower = xstrdup (strerror (why));
          lower[0] = (char) tolower ((unsigned char) lower[0]);
          return ferry_cli_failf ("cannot write to \"%s\": open %s: %s", path, path, lower);
        }
    }
  if (ferry_write_file_atomic (path, text, strlen (text), 0644, &err) < 0)
    {
      ferry_error_wrap (&err, "cannot write to \"%s\"", path);
      return ferry_cli_fail (&err);
    }
  return 0;
}

static int
kube_generate (int argc, char **argv, const char *cmd)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "filename", required_argument, NULL, 'f' },
    { "podman-only", no_argument, NULL, OPT_KUBE_PODMAN_ONLY },
    { "replicas", required_argument, NULL, 'r' },
    { "service", no_argument, NULL, 's' },
    { "type", required_argument, NULL, 't' },
    /* Podman 5.4 hides it: generate never truncates annotations.  */
    { "no-trunc", no_argument, NULL, OPT_KUBE_NO_TRUNC },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct ferry_kube_options o = { .type = NULL, .replicas = 1 };
  cleanup_engine struct ferry_engine *e = NULL;
  cleanup_free char *yaml = NULL, *usage = NULL;
  const char *filename = NULL;
  ferry_error_t err = NULL;
  int c, r;

  usage = xasprintf (kube_generate_usage, cmd);
  while ((c = getopt_long (argc, argv, ":f:r:st:h", opts, NULL)) != -1)
    {
      switch (c)
        {
        case 'f':
          filename = optarg;
          continue;
        case 'r':
          if (parse_replicas (cmd, optarg, &o.replicas) < 0)
            return FERRY_EXIT_ERROR;
          continue;
        case 's':
          o.service = 1;
          continue;
        case 't':
          o.type = optarg;
          continue;
        case OPT_KUBE_PODMAN_ONLY:
          o.podman_only = 1;
          continue;
        case OPT_KUBE_NO_TRUNC:
          continue;
        default:
          break;
        }
      r = ferry_cli_parse_or_help (c, cmd, argv, usage);
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind < 1)
    return ferry_cli_failf ("requires at least 1 arg(s), only received %d", argc - optind);
  if (o.replicas < 1)
    return ferry_cli_failf (
        "--replicas has to be greater than or equal to 1. By default, --replicas is set to 1");
  if (o.replicas > 1 && ! (o.type && strcmp (o.type, "deployment") == 0))
    return ferry_cli_failf ("--replicas can only be set when --type is set to deployment");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_kube_generate (e, argv + optind, (size_t) (argc - optind), &o, &yaml, &err) < 0)
    return ferry_cli_fail (&err);
  if (filename)
    return write_new_file (filename, yaml);
  /* Podman prints the YAML with a line of its own after it.  */
  printf ("%s\n", yaml);
  return 0;
}

int
ferry_cmd_generate_kube (int argc, char **argv)
{
  return kube_generate (argc, argv, "generate kube");
}

static int
cmd_kube_generate (int argc, char **argv)
{
  return kube_generate (argc, argv, "kube generate");
}

int
ferry_cmd_kube (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "generate", cmd_kube_generate, "Generate Kubernetes YAML from containers or volumes" },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("kube", table, argc - 1, argv + 1);
}
