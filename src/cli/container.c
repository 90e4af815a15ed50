/* ferry CLI: containers: run, create, start, stop, kill, rm, ps, logs,
 * inspect, wait, exec, pause, unpause, diff.  */
#include "common.h"
#include "attach.h"
#include "transfer.h"
#include "resources.h"
#include "userns.h"
#include "systemd.h"
#include "cdi.h"
#include "image/pull.h"
#include "image/transport.h"
#include "commands.h"
#include "engine/image_diff.h"
#include "container_filter.h"
#include "mount.h"
#include "external.h"
#include "engine/container.h"
#include "engine/exec_session.h"
#include "engine/health.h"
#include "engine/logs.h"
#include "engine/mount.h"
#include "engine/namespaces.h"
#include "network/ports.h"
#include "runtime/conmon.h"
#include "runtime/mount_flags.h"
#include "runtime/mount_options.h"
#include "util/cleanup.h"
#include "util/fault.h"
#include "util/json.h"
#include "util/parallel.h"
#include "util/parse.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <regex.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Exit code for a failure to start a container's command, as Podman's.  */
static int
exit_code_for (ferry_error_t err)
{
  if (err == NULL)
    return FERRY_EXIT_ERROR;
  if (err->kind == FERRY_ERROR_COMMAND_NOT_FOUND)
    return FERRY_EXIT_NOT_FOUND;
  if (err->kind == FERRY_ERROR_COMMAND_NOT_EXECUTABLE || err->kind == FERRY_ERROR_RUNTIME)
    return FERRY_EXIT_CANNOT_INVOKE;
  return FERRY_EXIT_ERROR;
}

static int
fail_with_code (ferry_error_t *err)
{
  int code = exit_code_for (*err);
  ferry_cli_fail (err);
  return code;
}

/* Pushes each of the colon-separated PATHS (empty ones skipped).  */
static char **
push_paths (char **v, size_t *n, const char *paths)
{
  cleanup_free char *copy = xstrdup (paths);
  char *save = NULL, *one;

  for (one = strtok_r (copy, ":", &save); one; one = strtok_r (NULL, ":", &save))
    ferry_strv_append (&v, n, one);
  return v;
}

/* Pushes each of the comma-separated items of LIST (empty ones skipped),
 * as Podman's string-slice flags take them.  */
static char **
push_list (char **v, size_t *n, const char *list)
{
  cleanup_free char *copy = xstrdup (list);
  char *save = NULL, *one;

  for (one = strtok_r (copy, ",", &save); one; one = strtok_r (NULL, ",", &save))
    ferry_strv_append (&v, n, one);
  return v;
}

/* Go's strconv.ParseBool of ARG: 1 or 0 in *OUT, or -1 when it is no
 * bool.  */
static int
go_bool (const char *arg, int *out)
{
  static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
  static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

  for (size_t i = 0; i < 6; i++)
    {
      if (strcmp (arg, yes[i]) == 0)
        {
          *out = 1;
          return 0;
        }
      if (strcmp (arg, no[i]) == 0)
        {
          *out = 0;
          return 0;
        }
    }
  return -1;
}

/* A Go bool flag's value (none: true), with cobra's message for a bad one.  */
static int
parse_go_bool (const char *flag, const char *arg, const char *cmd, int *out)
{
  *out = 1;
  if (arg == NULL || go_bool (arg, out) == 0)
    return 0;
  return ferry_cli_failf (
      "invalid argument \"%s\" for \"--%s\" flag: strconv.ParseBool: parsing \"%s\": invalid syntax\nSee "
      "'ferry %s --help'",
      arg, flag, arg, cmd);
}

/* The groups of -v's options of which one may be given once, with the
 * words of Podman's refusal of a second.  */
static const struct
{
  const char *const words[9];
  const char *which;
} VOLUME_OPTION_GROUPS[] = {
  { { "ro", "rw" }, "'rw' or 'ro'" },
  { { "exec", "noexec" }, "'noexec' or 'exec'" },
  { { "suid", "nosuid" }, "'nosuid' or 'suid'" },
  { { "dev", "nodev" }, "'nodev' or 'dev'" },
  { { "shared", "rshared", "slave", "rslave", "private", "rprivate", "unbindable", "runbindable" },
    "'[r]shared', '[r]private', '[r]slave' or '[r]unbindable'" },
  { { "z", "Z", "O" }, "'z', 'Z', or 'O'" },
  { { "U" }, "'U'" },
  { { "copy", "nocopy" }, "'copy' or 'nocopy'" },
  { { "bind", "rbind" }, "'[r]bind'" },
};

/* The group of -v's options WORD is in; -1 for none.  */
static int
volume_option_group (const char *word)
{
  for (size_t g = 0; g < sizeof (VOLUME_OPTION_GROUPS) / sizeof (VOLUME_OPTION_GROUPS[0]); g++)
    for (size_t k = 0; VOLUME_OPTION_GROUPS[g].words[k]; k++)
      if (strcmp (VOLUME_OPTION_GROUPS[g].words[k], word) == 0)
        return (int) g;
  return -1;
}

static void
volume_add_option (struct ferry_mount_spec *m, size_t *n, const char *o)
{
  m->options = xrealloc (m->options, sizeof (char *) * (*n + 2));
  m->options[(*n)++] = xstrdup (o);
  m->options[*n] = NULL;
}

/* OPTS, -v's comma-separated options, into M; IS_BIND: the source is a
 * host path.  Each group's words once, as Podman takes them.  */
static int
parse_volume_options (const char *spec, char *opts, int is_bind, struct ferry_mount_spec *m,
                      ferry_error_t *err)
{
  const char *seen[sizeof (VOLUME_OPTION_GROUPS) / sizeof (VOLUME_OPTION_GROUPS[0])] = { NULL };
  size_t n_options = 0;
  char *o = opts;

  while (o)
    {
      char *comma = strchr (o, ',');
      int g;

      if (comma)
        *comma = '\0';
      g = volume_option_group (o);
      if (g < 0)
        {
          if (strcmp (o, "idmap") == 0 || strncmp (o, "idmap=", 6) == 0)
            return ferry_make_error (err, 0,
                                     "invalid option type \"%s\" in volume `%s`: ferry makes no idmapped "
                                     "mounts; leave it out",
                                     o, spec);
          return ferry_make_error (
              err, 0,
              "invalid option type \"%s\" in volume `%s`: use ro, rw, copy, nocopy, U, z, "
              "Z, [no]exec, [no]suid, [no]dev, [r]shared, [r]slave, [r]private, "
              "[r]unbindable, and for a bind mount bind or rbind",
              o, spec);
        }
      if (seen[g])
        return ferry_make_error (err, 0, "invalid options \"%s, %s\", can only specify 1 %s option", seen[g],
                                 o, VOLUME_OPTION_GROUPS[g].which);
      seen[g] = o;
      if (strcmp (o, "O") == 0)
        return ferry_make_error (err, 0,
                                 "invalid option type \"O\" in volume `%s`: ferry makes no overlay volumes; "
                                 "leave O out, or mount it read-only with ro",
                                 spec);
      /* As typed, for inspect; each word once, as the groups checked.  */
      ferry_strv_add (&m->typed, o);
      /* rbind is the default; bind is --mount's bind-nonrecursive.  */
      if (ferry_mount_propagation_is_valid (o) || ferry_mount_flag_is_valid (o) || strcmp (o, "bind") == 0)
        volume_add_option (m, &n_options, o);
      else if (strcmp (o, "ro") == 0)
        m->readonly = 1;
      else if (strcmp (o, "nocopy") == 0)
        m->nocopy = 1;
      else if (strcmp (o, "U") == 0)
        m->chown = 1;
      else if (strcmp (o, "z") == 0 || strcmp (o, "Z") == 0)
        {
          /* Recorded, as Podman does; ferry relabels nothing.  */
          free (m->mode);
          m->mode = xstrdup (o);
        }
      o = comma ? comma + 1 : NULL;
    }
  if (m->nocopy && is_bind)
    return ferry_make_error (
        err, 0, "invalid option `nocopy` in volume `%s`: only a named volume is copied into", spec);
  return 0;
}

/* -v NAME:/DEST[:OPTS], -v /SRC:/DEST[:OPTS], -v /DEST; a malformed one
 * refused in Podman's words and checks, in its order, with the fix.  */
static int
parse_volume (const char *spec, struct ferry_mount_spec *m, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (spec);
  char *parts[3] = { NULL };
  char *p = copy;
  size_t n = 0;
  int is_bind;
  const char *dest;

  memset (m, 0, sizeof (*m));
  while (p)
    {
      if (n == 3)
        return ferry_make_error (err, 0,
                                 "%s: incorrect volume format, should be [host-dir:]ctr-dir[:option]: give "
                                 "-v [SRC:]/DEST[:OPTIONS], with no more colons",
                                 spec);
      parts[n++] = p;
      p = strchr (p, ':');
      if (p)
        *p++ = '\0';
    }
  is_bind = parts[0][0] == '/' || parts[0][0] == '.';
  if (n == 3 && parse_volume_options (spec, parts[2], is_bind, m, err) < 0)
    {
      ferry_cli_mount_spec_clear (m);
      return -1;
    }
  if (n > 1 && *parts[0] == '\0')
    {
      ferry_cli_mount_spec_clear (m);
      return ferry_make_error (
          err, 0,
          "host directory cannot be empty: give -v /SRC:/DEST or NAME:/DEST, or -v /DEST "
          "for an anonymous volume");
    }
  dest = parts[n > 1 ? 1 : 0];
  if (*dest == '\0')
    {
      ferry_cli_mount_spec_clear (m);
      return ferry_make_error (err, 0, "container directory cannot be empty: give -v [SRC:]/DEST[:OPTIONS]");
    }
  if (dest[0] != '/')
    {
      ferry_cli_mount_spec_clear (m);
      if (n == 2 && parts[0][0] == '/')
        return ferry_make_error (err, 0,
                                 "invalid container path \"%s\", must be an absolute path: an anonymous "
                                 "volume takes options as --mount type=volume,dst=%s,%s",
                                 dest, parts[0], dest);
      return ferry_make_error (err, 0,
                               "invalid container path \"%s\", must be an absolute path: give -v "
                               "[SRC:]/DEST[:OPTIONS]",
                               dest);
    }
  if (n == 1)
    {
      m->type = xstrdup ("volume");
      m->destination = xstrdup (dest);
      return 0;
    }
  if (is_bind)
    {
      char resolved[PATH_MAX];
      m->type = xstrdup ("bind");
      m->source = xstrdup (realpath (parts[0], resolved) ? resolved : parts[0]);
    }
  else
    {
      m->type = xstrdup ("volume");
      m->source = xstrdup (parts[0]);
    }
  m->destination = xstrdup (dest);
  return 0;
}

/* What the engine passes over while it creates a container, as Podman
 * warns of it.  */
static void
create_warn (const char *msg)
{
  ferry_cli_podman_warnf ("%s", msg);
}

/* A notification that could not be sent, once the container runs: a
 * warning, as the container stays.  */
static void
notify_warn (ferry_error_t *err)
{
  ferry_cli_podman_warnf ("%s", (*err)->msg);
  ferry_error_release (err);
}

enum pull_policy
{
  PULL_MISSING,
  PULL_ALWAYS,
  PULL_NEVER,
  PULL_NEWER, /* pull when the registry's manifest is not the stored one's */
};

struct create_args
{
  struct ferry_create_options o;
  struct ferry_transfer_options pull;
  enum pull_policy pull_policy;
  char **env, **env_files, **labels, **tmpfs, **cap_add, **cap_drop, **ulimits, **devices, **sysctls, **mask,
      **unmask, **publish, **dns, **dns_search, **dns_options, **add_hosts, **network_aliases, **annotations,
      **log_opts, **more_networks;
  size_t n_log_opts, n_env, n_env_files, n_labels, n_tmpfs, n_cap_add, n_cap_drop, n_ulimits, n_devices,
      n_sysctls, n_mask, n_unmask, n_publish, n_dns, n_dns_search, n_dns_options, n_add_hosts,
      n_network_aliases, n_annotations, n_more_networks;
  struct ferry_health_options health;
  char **secrets; /* --secret */
  size_t n_secrets;
  int detach;
  int quiet;
  int rm_given;      /* --rm, of any value */
  int kernel_memory; /* --kernel-memory, a noop */
  /* -a/--attach: the streams run connects (all three when none given).  */
  int attach_stdin, attach_stdout, attach_stderr, attach_given;
  struct ferry_cli_attach attach; /* --detach-keys, --sig-proxy */
  char **volumes_from;            /* --volumes-from */
  size_t n_volumes_from;
  /* --preserve-fds N and --preserve-fd FD: the container's 3, 4, ... */
  int *preserve_fds;
  size_t n_preserve_fds;
  /* --arch, --os, --variant, --retry, --retry-delay for the pull.  */
  struct ferry_cli_transfer_flags transfer;
  /* --cpu-shares, --memory-swap, --cgroup-parent, ... (resources.h).  */
  struct ferry_cli_resources resources;
  /* --userns, --uidmap, --gidmap, ... (userns.h).  */
  struct ferry_cli_userns userns;
  /* --systemd, --sdnotify, --requires ... (systemd.h).  */
  struct ferry_cli_systemd systemd;
  /* --gpus, --seccomp-policy, --rdt-class (cdi.h).  */
  struct ferry_cli_cdi cdi;
  /* --group-add, --umask, --hosts-file ... (engine/process_options.h) */
  char **group_add;
  size_t n_group_add;
  char **env_merge, **unsetenv, **label_files, **expose, **chrootdirs, **host_users;
  size_t n_env_merge, n_unsetenv, n_label_files, n_expose, n_chrootdirs, n_host_users;
  /* The image pulled from a transport (oci-archive:...): o.image then.  */
  char *image_owned;
};

static void
create_args_free (struct create_args *a)
{
  ferry_cli_resources_release (&a->resources);
  ferry_cli_userns_release (&a->userns);
  ferry_cli_systemd_release (&a->systemd);
  ferry_cli_cdi_release (&a->cdi);
  ferry_cleanup_strvp (&a->env);
  ferry_cleanup_strvp (&a->env_files);
  ferry_cleanup_strvp (&a->labels);
  ferry_cleanup_strvp (&a->tmpfs);
  ferry_cleanup_strvp (&a->cap_add);
  ferry_cleanup_strvp (&a->cap_drop);
  ferry_cleanup_strvp (&a->ulimits);
  ferry_cleanup_strvp (&a->devices);
  ferry_cleanup_strvp (&a->sysctls);
  ferry_cleanup_strvp (&a->mask);
  ferry_cleanup_strvp (&a->unmask);
  ferry_cleanup_strvp (&a->publish);
  ferry_cleanup_strvp (&a->dns);
  ferry_cleanup_strvp (&a->dns_search);
  ferry_cleanup_strvp (&a->dns_options);
  ferry_cleanup_strvp (&a->add_hosts);
  ferry_cleanup_strvp (&a->network_aliases);
  ferry_cleanup_strvp (&a->more_networks);
  ferry_cleanup_strvp (&a->annotations);
  ferry_cleanup_strvp (&a->log_opts);
  ferry_cleanup_strvp (&a->secrets);
  free (a->preserve_fds);
  ferry_cli_transfer_flags_free (&a->transfer);
  ferry_cleanup_strvp (&a->group_add);
  ferry_cleanup_strvp (&a->env_merge);
  ferry_cleanup_strvp (&a->unsetenv);
  ferry_cleanup_strvp (&a->label_files);
  ferry_cleanup_strvp (&a->expose);
  ferry_cleanup_strvp (&a->chrootdirs);
  ferry_cleanup_strvp (&a->host_users);
  ferry_cleanup_strvp (&a->volumes_from);
  free (a->image_owned);
  for (size_t i = 0; i < a->o.n_mounts; i++)
    ferry_cli_mount_spec_clear (&a->o.mounts[i]);
  free (a->o.mounts);
}

static const char create_usage[]
    = "Usage: ferry %s [options] IMAGE [COMMAND [ARG...]]\n\n"
      "%s\n\n"
      "Options:\n"
      "%s"
      "      --annotation K=V     add an annotation to the container's OCI spec (repeatable)\n"
      "      --cidfile FILE       write the container's ID to FILE (removed with the container)\n"
      "      --conmon-pidfile FILE  write the PID of the container's conmon to FILE at each start\n"
      "      --entrypoint CMD     override the image's ENTRYPOINT (one word or a JSON array)\n"
      "  -e, --env K=V            set an environment variable (K alone: take it from ferry's)\n"
      "      --env-file FILE      read K=V lines from FILE\n"
      "      --health-cmd CMD     a health check: a command for /bin/sh -c, or a JSON array\n"
      "                           [\"CMD\", \"ARG\"...]; none disables the image's (see\n"
      "                           ferry healthcheck run, which runs it)\n"
      "      --health-interval D  how often it runs where systemd runs it (default 30s; disable)\n"
      "      --health-log-destination DEST  local (default: with the container), events_logger,\n"
      "                           or a directory for ID-healthcheck.log\n"
      "      --health-max-log-count N  results kept in the log (default 5; 0: all)\n"
      "      --health-max-log-size N   characters of output kept per result (default 500; 0: all)\n"
      "      --health-on-failure ACTION  once unhealthy: none (default), kill, restart or stop\n"
      "      --health-retries N   failures in a row that make it unhealthy (default 3)\n"
      "      --health-start-period D  time to start in, when failures do not count (default 0s)\n"
      "      --health-startup-cmd CMD  a check to pass first, before the regular one runs\n"
      "      --health-startup-interval D  how often it runs where systemd runs it (default 30s)\n"
      "      --health-startup-retries N  its failures that restart the container (default 0: none)\n"
      "      --health-startup-success N  its passes in a row that end it (default 0: one)\n"
      "      --health-startup-timeout D  the longest it may take (default 30s)\n"
      "      --health-timeout D   the longest a check may take (default 30s)\n"
      "  -h, --hostname NAME      the container's host name (default: 12 digits of its ID)\n"
      "  -i, --interactive        keep standard input open\n"
      "  -l, --label K=V          set a label\n"
      "      --log-driver DRIVER  where conmon puts the container's output: k8s-file (a file\n"
      "                           that ferry logs reads; json-file is the same), journald,\n"
      "                           none, or passthrough (ferry's own standard streams, not on\n"
      "                           a terminal; passthrough-tty: also there) (default:\n"
      "                           containers.conf's log_driver, else k8s-file)\n"
      "      --log-opt OPT        path=FILE (the k8s-file log's file), max-size=SIZE (conmon\n"
      "                           truncates the log when it would grow past SIZE, such as 10m)\n"
      "                           or tag=TAG (journald's CONTAINER_TAG); repeatable\n"
      "  -q, --quiet              no progress output while pulling the image\n"
      "      --pull POLICY        missing (default: pull IMAGE when it is not stored),\n"
      "                           always, never, or newer (when the registry's differs)\n"
      "      --platform OS/ARCH   the platform to pull (default: this host's)\n" FERRY_PULL_FLAGS_HELP
      "      --name NAME          the container's name (default: generated)\n"
      "      --no-healthcheck     no health check, not even the image's\n"
      "      --oom-score-adj N    the container's OOM score adjustment (-1000 to 1000)\n"
      "      --network MODE       bridge, default or private (the default network, `ferry`;\n"
      "                           the default unless ferry.conf sets netns), none (loopback\n"
      "                           only), host, ns:PATH, container:CTR, or networks by name:\n"
      "                           NAME[,NAME...];\n"
      "                           again for another network, each NAME[:OPTIONS] with\n"
      "                           OPTIONS ip=,ip6=,mac=,alias=,interface_name=,\n"
      "                           host_interface_name= (comma-separated)\n"
      "      --ip IP              with one network: this IPv4 address on it\n"
      "      --ip6 IP             with one network that has IPv6: this IPv6 address on it\n"
      "      --mac-address MAC    with one network: this MAC address on it\n"
      "  -p, --publish [IP:][HOSTPORT:]PORT[/PROTO]  publish a container port (or range, 80-81)\n"
      "                           on the host (default: all addresses, a free host port); needs\n"
      "                           a bridge network\n"
      "  -P, --publish-all        publish every port the image exposes on free host ports\n"
      "      --network-alias NAME another name of the container on its networks, which\n"
      "                           their DNS server (networks with DNS) answers for\n"
      "      --dns IP             a DNS server (IPv4 or IPv6; repeatable), or none: no\n"
      "                           /etc/resolv.conf from ferry, the image's stays. On a network\n"
      "                           with DNS the container asks the network's server, which\n"
      "                           forwards to these, as Podman does\n"
      "      --dns-search DOMAIN  a DNS search domain (repeatable; . for none)\n"
      "      --dns-option OPT     a resolv.conf option, such as ndots:2 (repeatable)\n"
      "      --add-host HOST:IP   a line in /etc/hosts (repeatable; HOST;HOST2:IP for several\n"
      "                           names; IP host-gateway: the network's gateway)\n"
      "      --no-hosts           no /etc/hosts from ferry: the image's stays\n"
      "      --cap-add CAP        add a capability to the default set (NET_ADMIN, ..., or ALL)\n"
      "      --cgroupns MODE      host (the host's cgroup namespace; the default on cgroups v1)\n"
      "                           or private (one of its own; the default on cgroups v2)\n"
      "                           or container:NAME (that container's)\n"
      "      --cap-drop CAP       drop a capability from it (or ALL)\n"
      "      --cpus N             the CPUs the container may use, such as 1.5\n"
      "      --device HOST[:CONTAINER][:PERMISSIONS]  add a host device (/dev/fuse,\n"
      "                           /dev/null:/dev/mynull:rw; permissions of r, w and m, default rwm)\n"
      "  -m, --memory SIZE        the memory the container may use, such as 512m\n"
      "      --mount type=TYPE,OPT[,OPT...]  attach a mount: type=bind (src, dst, ro,\n"
      "                           bind-propagation, bind-nonrecursive, relabel, z, Z, U),\n"
      "                           type=volume (src: a named volume, else an anonymous one; dst,\n"
      "                           ro, U, subpath), type=tmpfs (dst, ro, tmpfs-size, tmpfs-mode,\n"
      "                           notmpcopyup, noswap, U); bind, volume, tmpfs and ramfs take\n"
      "                           [no]exec, [no]suid and [no]dev (a volume or tmpfs: nosuid,nodev\n"
      "                           unless told; a bind or ramfs: none), type=ramfs\n"
      "                           (dst, ro), type=devpts (dst, uid, gid, mode, max), type=glob\n"
      "                           (src: a pattern, dst, and a bind's options: a bind of each\n"
      "                           match, found at create) or type=image (src: an image, dst,\n"
      "                           rw, subpath); U gives the source to the container's user\n"
      "      --volumes-from CTR[:ro|rw]  mount the volumes (not binds or tmpfs) of container\n"
      "                           CTR at the same places, read-only or writable (default: as\n"
      "                           CTR has them); -v and --mount of a place win\n"
      "      --image-volume MODE  the image's VOLUMEs: anonymous (default: a new anonymous\n"
      "                           volume each), tmpfs, or ignore\n"
      "      --pids-limit N       the most processes the container may have (default 2048;\n"
      "                           -1 or 0: no limit)\n"
      "      --privileged         all capabilities, no seccomp filter, no masked or read-only\n"
      "                           paths, /sys writable and the host's devices, as Podman gives\n"
      "                           (--cap-add, --cap-drop and --device then change nothing)\n"
      "      --read-only[=BOOL]   mount the root file system read-only (with tmpfs on /tmp,\n"
      "                           /var/tmp and /run, as Podman does); =false overrides\n"
      "                           containers.conf's read_only\n"
      "      --read-only-tmpfs=false  with --read-only: no tmpfs on /tmp, /var/tmp and /run, and\n"
      "                           /dev and /dev/shm read-only too (default true)\n"
      "      --restart POLICY     when the container exits by itself: no (default), always,\n"
      "                           on-failure[:N] (a non-zero code; at most N times) or\n"
      "                           unless-stopped; never after ferry stop or kill (see\n"
      "                           docs/restart-policy.md)\n"
      "      --rm                 remove the container when it exits\n"
      "      --rootfs             IMAGE is not an image but a directory holding the root file\n"
      "                           system, which the container writes into; DIR:O makes it the\n"
      "                           lower layer of an overlay whose changes the container keeps\n"
      "                           (removed with it); COMMAND is then needed\n"
      "      --init               run catatonit as the container's PID 1, which reaps zombies and\n"
      "                           forwards signals to the command, as Podman does\n"
      "      --security-opt OPT   seccomp=unconfined (no filter) or seccomp=PROFILE (a profile in\n"
      "                           containers' seccomp.json format; the default is the profile\n"
      "                           /usr/share/containers/seccomp.json, as Podman applies),\n"
      "                           no-new-privileges, label=disable (recorded; ferry gives no\n"
      "                           SELinux labels), mask=PATH[:PATH...] (hide more paths) or\n"
      "                           unmask=PATH[:PATH...]|ALL (paths or patterns such as /proc/*\n"
      "                           to leave out of the default masked and read-only ones)\n"
      "      --secret NAME[,OPT...]  give the container a secret (ferry secret create): a file,\n"
      "                           /run/secrets/NAME or target=PATH (type=mount, uid=, gid=,\n"
      "                           mode=), or a variable, NAME or target=VAR (type=env)\n"
      "      --shm-size SIZE      size of /dev/shm (default: containers.conf's shm_size, else\n"
      "                           65536000 bytes, as Podman's)\n"
      "      --stop-signal SIG    the signal stop sends first (default: the image's, else SIGTERM)\n"
      "      --stop-timeout SECS  how long stop waits before SIGKILL (default 10)\n"
      "      --sysctl NAME=VALUE  a namespaced kernel parameter: net.* (not with --network host),\n"
      "                           kernel.shm*, kernel.msg*, kernel.sem or fs.mqueue.*\n"
      "      --timeout SECS       kill the container (SIGKILL) once it has run SECS seconds\n"
      "  -t, --tty                allocate a pseudo-terminal\n"
      "      --tmpfs DEST[:OPTS]  mount a tmpfs at DEST; OPTS: ro, rw, size=, mode=, noexec, ...\n"
      "      --tz TIMEZONE        the container's /etc/localtime: a zone such as Europe/Paris\n"
      "                           (from the host's /usr/share/zoneinfo), or local (the host's)\n"
      "      --ulimit NAME=SOFT[:HARD]  a resource limit (nofile=1024:2048, nproc=512, ...);\n"
      "                           host: the limits the container gets without --ulimit\n"
      "  -u, --user USER[:GROUP]  run as this user\n"
      "  -v, --volume SPEC        NAME:/DEST[:OPTS], /SRC:/DEST[:OPTS] (bind) or /DEST (anonymous);\n"
      "                           OPTS: ro, rw, nocopy, U (give the source to the container's\n"
      "                           user), z, Z (recorded only), copy, [no]exec, [no]suid, [no]dev\n"
      "                           (a volume: nosuid,nodev unless told; a bind: the host's flags),\n"
      "                           a propagation ([r]shared, [r]slave, [r]private, [r]unbindable)\n"
      "                           and for a bind, bind (not recursive);\n"
      "                           a new volume is filled from what the image has at DEST\n"
      "                           the first time it is mounted, unless :nocopy\n"
      "  -w, --workdir DIR        working directory inside the container\n"
      "      --group-add GROUP    an additional group of the container's process: a name of the\n"
      "                           image's /etc/group or a gid (repeatable, or GROUP,GROUP...);\n"
      "                           keep-groups alone: the annotation that makes crun keep the\n"
      "                           caller's groups (runc ignores it, as with Podman)\n"
      "      --hosts-file FILE    the lines /etc/hosts starts with: those of FILE (read at each\n"
      "                           start), none, or image (the image's /etc/hosts)\n"
      "      --umask MASK         the umask of the container's process (octal, default 0022)\n"
      "      --env-host[=BOOL]    pass all of ferry's environment into the container (under\n"
      "                           --env-file and -e)\n"
      "      --env-merge K=VALUE  set K from VALUE, in which $NAME and ${NAME} are the image's\n"
      "                           variables, such as PATH=${PATH}:/opt/bin (repeatable)\n"
      "      --http-proxy[=BOOL]  pass ferry's http_proxy, https_proxy, ftp_proxy and no_proxy\n"
      "                           (either case) into the container (default true, as Podman)\n"
      "      --unsetenv K         leave out K of the image's and the default variables (PATH,\n"
      "                           container, TERM) (repeatable)\n"
      "      --unsetenv-all[=BOOL]  leave out all of the image's and the default variables\n"
      "      --label-file FILE    read K=V label lines from FILE (under --label; repeatable)\n"
      "      --no-hostname        no /etc/hostname from ferry: the image's stays\n"
      "      --pid MODE           the PID namespace: private (default: its own), host (the\n"
      "                           host's; no checkpoint then), container:CTR (a running\n"
      "                           container's) or ns:PATH\n"
      "      --ipc MODE           the IPC namespace: shareable or private (default: its own),\n"
      "                           none (its own, without /dev/shm), host (with the host's\n"
      "                           /dev/shm), container:CTR or ns:PATH\n"
      "      --uts MODE           the UTS namespace (host name): private (default), host,\n"
      "                           container:CTR or ns:PATH\n"
      "      --pidfile FILE       write the container's PID to FILE at each start and restore\n"
      "      --replace            with --name: stop and remove a container of that name first\n"
      "      --expose PORT[-PORT][/PROTO]  a port the container offers (tcp, udp or sctp),\n"
      "                           which -P publishes (repeatable)\n"
      "      --init-path FILE     with --init: the init binary to run instead of catatonit\n"
      "                           (without --init it changes nothing, as with Podman)\n"
      "      --chrootdirs DIR     a chroot directory in the container, which gets ferry's\n"
      "                           /etc/hosts too, at DIR/etc/hosts (repeatable)\n"
      "      --passwd[=BOOL]      with --user: add a line for a uid (gid) the image's\n"
      "                           /etc/passwd (/etc/group) lacks (default true, as Podman)\n"
      "      --passwd-entry TEMPLATE  that line: $USERNAME, $UID, $GID, $NAME, $HOME replaced\n"
      "      --group-entry TEMPLATE  the /etc/group line: $GROUPNAME, $GID, $USERNAME replaced\n"
      "      --hostuser USER      add this host's user USER (name or uid) to the container's\n"
      "                           /etc/passwd, read at each start (repeatable)\n"
      "      --personality DOMAIN LINUX or LINUX32, the execution domain, in the spec for the\n"
      "                           runtime (runc before 1.2, this host's, ignores it, as with\n"
      "                           Podman)\n"
      "      --kernel-memory SIZE taken with Podman's warning that it is a noop, and ignored\n"
      "User namespace:\n" FERRY_USERNS_OPTIONS_HELP "Resources (cgroups):\n" FERRY_RESOURCE_OPTIONS_HELP
      "systemd:\n" FERRY_SYSTEMD_OPTIONS_HELP "Devices (CDI) and platform:\n" FERRY_CDI_OPTIONS_HELP
      "Pulling (see ferry pull):\n" FERRY_REGISTRY_OPTIONS_HELP;

/* Options of run and create given numbers from this file's own base.  */
enum
{
  OPT_KERNEL_MEMORY = 0x4C00,
};

enum
{
  OPT_ENTRYPOINT = OPT_COMMAND_FIRST,
  OPT_SECURITY_OPT,
  OPT_PIDS_LIMIT,
  OPT_CAP_ADD,
  OPT_CAP_DROP,
  OPT_READ_ONLY,
  OPT_READ_ONLY_TMPFS,
  OPT_PRIVILEGED,
  OPT_DEVICE,
  OPT_SYSCTL,
  OPT_CPUS,
  OPT_ULIMIT,
  OPT_ENV_FILE,
  OPT_NAME,
  OPT_NETWORK,
  OPT_IP,
  OPT_IP6,
  OPT_MAC_ADDRESS,
  OPT_NETWORK_ALIAS,
  OPT_DNS,
  OPT_DNS_SEARCH,
  OPT_DNS_OPTION,
  OPT_ADD_HOST,
  OPT_NO_HOSTS,
  OPT_RM,
  OPT_SHM_SIZE,
  OPT_CGROUPNS,
  OPT_STOP_TIMEOUT,
  OPT_TMPFS,
  OPT_NO_TRUNC,
  OPT_SINCE,
  OPT_PULL,
  OPT_PLATFORM,
  OPT_ANNOTATION,
  OPT_SECRET,
  OPT_STOP_SIGNAL,
  OPT_CIDFILE,
  OPT_TZ,
  OPT_OOM_SCORE_ADJ,
  OPT_TIMEOUT,
  OPT_CONMON_PIDFILE,
  OPT_RESTART,
  OPT_ROOTFS,
  OPT_UNTIL,
  OPT_TAIL,
  OPT_INIT,
  OPT_HEALTH_CMD,
  OPT_HEALTH_INTERVAL,
  OPT_HEALTH_RETRIES,
  OPT_HEALTH_START_PERIOD,
  OPT_HEALTH_TIMEOUT,
  OPT_HEALTH_ON_FAILURE,
  OPT_HEALTH_LOG_DESTINATION,
  OPT_HEALTH_MAX_LOG_COUNT,
  OPT_HEALTH_MAX_LOG_SIZE,
  OPT_NO_HEALTHCHECK,
  OPT_HEALTH_STARTUP_CMD,
  OPT_HEALTH_STARTUP_INTERVAL,
  OPT_HEALTH_STARTUP_RETRIES,
  OPT_HEALTH_STARTUP_SUCCESS,
  OPT_HEALTH_STARTUP_TIMEOUT,
  OPT_LOG_DRIVER,
  OPT_LOG_OPT,
  OPT_DETACH_KEYS,
  OPT_SIG_PROXY,
  OPT_PRESERVE_FDS,
  OPT_PRESERVE_FD,
  OPT_GROUP_ADD,
  OPT_UMASK,
  OPT_HOSTS_FILE,
  OPT_ENV_HOST,
  OPT_ENV_MERGE,
  OPT_HTTP_PROXY,
  OPT_UNSETENV,
  OPT_UNSETENV_ALL,
  OPT_LABEL_FILE,
  OPT_NO_HOSTNAME,
  OPT_PID,
  OPT_IPC,
  OPT_UTS,
  OPT_PIDFILE,
  OPT_REPLACE,
  OPT_EXPOSE,
  OPT_INIT_PATH,
  OPT_PERSONALITY,
  OPT_RMI,
  OPT_CHROOTDIRS,
  OPT_PASSWD,
  OPT_PASSWD_ENTRY,
  OPT_GROUP_ENTRY,
  OPT_HOSTUSER,
  OPT_MOUNT,
  OPT_VOLUMES_FROM,
  OPT_IMAGE_VOLUME,
};

/* -a/--attach STREAM[,STREAM...]: stdin, stdout or stderr.  */
static int
parse_attach (const char *arg, struct create_args *a)
{
  cleanup_free char *list = xstrdup (arg);
  char *save = NULL, *one;

  a->attach_given = 1;
  for (one = strtok_r (list, ",", &save); one; one = strtok_r (NULL, ",", &save))
    {
      if (strcasecmp (one, "stdin") == 0)
        a->attach_stdin = 1;
      else if (strcasecmp (one, "stdout") == 0)
        a->attach_stdout = 1;
      else if (strcasecmp (one, "stderr") == 0)
        a->attach_stderr = 1;
      else
        return ferry_cli_failf (
            "invalid stream \"%s\" for --attach - must be one of stdin, stdout, or stderr", one);
    }
  return 0;
}

/* A whole number from MIN to MAX, for FLAG.  */
static int
parse_int_flag (const char *arg, const char *flag, long long min, long long max, const char *what,
                long long *out)
{
  char *end;
  long long v;

  errno = 0;
  v = strtoll (arg, &end, 10);
  if (*arg == '\0' || *end != '\0' || errno || v < min || v > max)
    return ferry_cli_failf ("invalid %s `%s`: give %s", flag, arg, what);
  *out = v;
  return 0;
}

/* A Go uint flag, with cobra's message for a bad one.  */
static int
parse_uint_flag (const char *arg, const char *flag, const char *cmd, uint64_t *out)
{
  char *end;
  unsigned long long v;

  errno = 0;
  v = strtoull (arg, &end, 10);
  if (*arg < '0' || *arg > '9' || *end != '\0' || errno)
    return ferry_cli_failf (
        "invalid argument \"%s\" for \"--%s\" flag: strconv.ParseUint: parsing \"%s\": %s\nSee 'ferry %s "
        "--help'",
        arg, flag, arg, errno == ERANGE ? "value out of range" : "invalid syntax", cmd);
  *out = v;
  return 0;
}

/* run and create's --health-* options.  */
#define HEALTH_OPTIONS                                                                                       \
  { "health-cmd", required_argument, NULL, OPT_HEALTH_CMD },                                                 \
      { "health-interval", required_argument, NULL, OPT_HEALTH_INTERVAL },                                   \
      { "health-retries", required_argument, NULL, OPT_HEALTH_RETRIES },                                     \
      { "health-start-period", required_argument, NULL, OPT_HEALTH_START_PERIOD },                           \
      { "health-timeout", required_argument, NULL, OPT_HEALTH_TIMEOUT },                                     \
      { "health-on-failure", required_argument, NULL, OPT_HEALTH_ON_FAILURE },                               \
      { "health-log-destination", required_argument, NULL, OPT_HEALTH_LOG_DESTINATION },                     \
      { "health-max-log-count", required_argument, NULL, OPT_HEALTH_MAX_LOG_COUNT },                         \
      { "health-max-log-size", required_argument, NULL, OPT_HEALTH_MAX_LOG_SIZE },                           \
      { "health-startup-cmd", required_argument, NULL, OPT_HEALTH_STARTUP_CMD },                             \
      { "health-startup-interval", required_argument, NULL, OPT_HEALTH_STARTUP_INTERVAL },                   \
      { "health-startup-retries", required_argument, NULL, OPT_HEALTH_STARTUP_RETRIES },                     \
      { "health-startup-success", required_argument, NULL, OPT_HEALTH_STARTUP_SUCCESS },                     \
      { "health-startup-timeout", required_argument, NULL, OPT_HEALTH_STARTUP_TIMEOUT },                     \
  {                                                                                                          \
    "no-healthcheck", no_argument, NULL, OPT_NO_HEALTHCHECK                                                  \
  }

/* Whether descriptor FD is open in ferry, as it must be to be passed on.  */
static int
fd_is_open (long fd)
{
  return fd <= INT_MAX && fcntl ((int) fd, F_GETFD) >= 0;
}

/* The next item of the comma-separated list at *REST (cut out of it in
 * place, empty ones too, as Go splits), or NULL after the last.  */
static char *
next_list_item (char **rest)
{
  char *item = *rest, *comma;

  if (item == NULL)
    return NULL;
  comma = strchr (item, ',');
  *rest = comma ? comma + 1 : NULL;
  if (comma)
    *comma = '\0';
  return item;
}

/* --preserve-fd FD[,FD...]: the container gets FD as FD; the numbers
 * between 3 and the highest that are not given are /dev/null in it.
 * Refused in Podman's words and order: a list that is not of Go uints
 * (cobra's, naming CMD), then a descriptor not open, then a standard
 * stream.  */
static int
parse_preserve_fd (const char *arg, const char *cmd, int **fds, size_t *n_fds)
{
  cleanup_free char *list = xstrdup (arg);
  char *rest = list, *one;

  while ((one = next_list_item (&rest)))
    {
      int digits = *one && strspn (one, "0123456789") == strlen (one);

      errno = 0;
      if (digits)
        strtoull (one, NULL, 10);
      if (! digits || errno)
        return ferry_cli_failf (
            "invalid argument \"%s\" for \"--preserve-fd\" flag: strconv.ParseUint: parsing \"%s\": %s\nSee "
            "'ferry %s --help'",
            arg, one, digits ? "value out of range" : "invalid syntax", cmd);
    }
  for (rest = strcpy (list, arg); (one = next_list_item (&rest));)
    {
      unsigned long long fd = strtoull (one, NULL, 10);

      if (fd > LONG_MAX || ! fd_is_open ((long) fd))
        return ferry_cli_failf ("file descriptor %llu is not available - the preserve-fd option requires "
                                "that file descriptors must be passed",
                                fd);
    }
  for (rest = strcpy (list, arg); (one = next_list_item (&rest));)
    {
      unsigned long long fd = strtoull (one, NULL, 10);
      size_t old = *n_fds;

      if (fd < 3)
        return ferry_cli_failf (
            "cannot preserve FD %llu, consider using the passthrough log-driver to pass STDIO "
            "streams into the container: invalid argument",
            fd);
      if (fd > 2 + FERRY_PRESERVE_FDS_MAX)
        return ferry_cli_failf ("invalid --preserve-fd `%llu`: give descriptors from 3 to %d", fd,
                                2 + FERRY_PRESERVE_FDS_MAX);
      if ((size_t) fd - 2 > *n_fds)
        {
          *n_fds = (size_t) fd - 2;
          *fds = xrealloc (*fds, sizeof (int) * *n_fds);
          for (size_t i = old; i < *n_fds; i++)
            (*fds)[i] = -1;
        }
      (*fds)[fd - 3] = (int) fd;
    }
  return 0;
}

/* --preserve-fds N: the container gets descriptors 3 to 3+N-1.  */
static int
parse_preserve_fds (const char *arg, const char *cmd, int **fds, size_t *n_fds)
{
  uint64_t u;
  long long n;

  /* Not a number: cobra's words, as Podman's flag is a uint.  */
  if (parse_uint_flag (arg, "preserve-fds", cmd, &u) != 0)
    return -1;
  if (parse_int_flag (arg, "--preserve-fds", 0, FERRY_PRESERVE_FDS_MAX, "a number of descriptors", &n) != 0)
    return -1;
  for (long long fd = 3; fd < 3 + n; fd++)
    if (! fd_is_open (fd))
      return ferry_cli_failf ("file descriptor %lld is not available - the preserve-fds option requires "
                              "that file descriptors must be passed",
                              fd);
  free (*fds);
  *fds = xmalloc (sizeof (int) * (n > 0 ? n : 1));
  for (long long i = 0; i < n; i++)
    (*fds)[i] = (int) (3 + i);
  *n_fds = (size_t) n;
  return 0;
}

static int
run_only_option (int c, const char *arg, struct create_args *a)
{
  switch (c)
    {
    case OPT_DETACH_KEYS:
      {
        struct ferry_attach_io io;
        ferry_error_t err = NULL;

        /* Checked before anything is made, with Podman's code for it.  */
        if (ferry_attach_parse_detach_keys (arg, &io, &err) < 0)
          {
            ferry_cli_fail (&err);
            return FERRY_EXIT_CANNOT_INVOKE;
          }
        a->attach.detach_keys = arg;
        return 0;
      }
    case OPT_SIG_PROXY:
      if (arg == NULL || strcmp (arg, "true") == 0)
        a->attach.sig_proxy = 1;
      else if (strcmp (arg, "false") == 0)
        a->attach.sig_proxy = 0;
      else
        return ferry_cli_failf ("invalid argument \"%s\" for \"--sig-proxy\" flag: use true or false", arg);
      return 0;
    case OPT_PRESERVE_FDS:
      return parse_preserve_fds (arg, "run", &a->preserve_fds, &a->n_preserve_fds);
    default:
      return parse_preserve_fd (arg, "run", &a->preserve_fds, &a->n_preserve_fds);
    }
}

/* Parses run/create options up to IMAGE; returns the index of IMAGE, or -1
 * after printing an error (exit 125), -3 after one whose code is 126, or
 * -2 after printing help.  */
/* As Podman: ports are checked, then, with --network none, host or
 * another's namespace, where nothing could reach them, left out with a
 * warning rather than refused.  */
static int
discard_ports (struct create_args *a)
{
  const char *net = a->o.network;
  cleanup_json json_object *ports = json_object_new_array ();
  ferry_error_t err = NULL;

  for (size_t i = 0; i < a->n_publish; i++)
    if (ferry_ports_parse (a->publish[i], ports, &err) < 0)
      {
        ferry_cli_fail (&err);
        return -1;
      }
  if (net == NULL || (a->n_publish == 0 && ! a->o.publish_all))
    return 0;
  if (strcmp (net, "none") != 0 && strcmp (net, "host") != 0 && strncmp (net, "container:", 10) != 0
      && strncmp (net, "ns:", 3) != 0)
    return 0;
  fputs (
      "Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in "
      "use\n",
      stderr);
  a->o.publish = NULL;
  a->o.publish_all = 0;
  return 0;
}

/* As Podman: DNS options with --network none or another's namespace,
 * where ferry writes no resolv.conf of the container's own, are refused,
 * and so are hosts entries in another's namespace (its /etc/hosts is
 * that container's).  */
static int
check_network_conflicts (const struct create_args *a)
{
  const char *net = a->o.network;

  if (net == NULL)
    return 0;
  if ((strcmp (net, "none") == 0 || strncmp (net, "container:", 10) == 0)
      && (a->n_dns || a->n_dns_search || a->n_dns_options))
    {
      ferry_cli_failf ("conflicting options: dns and the network mode: %s",
                       strcmp (net, "none") == 0 ? "none" : "container");
      return -1;
    }
  if (strncmp (net, "container:", 10) == 0 && a->n_add_hosts)
    {
      ferry_cli_failf ("invalid config provided: cannot set extra host entries when the container is joined "
                       "to another containers network namespace: invalid configuration");
      return -1;
    }
  return 0;
}

static int
parse_create (int argc, char **argv, const char *cmd, int is_run, struct create_args *a)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "detach", optional_argument, NULL, 'd' },
                                        { "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
                                        { "env", required_argument, NULL, 'e' },
                                        { "env-file", required_argument, NULL, OPT_ENV_FILE },
                                        { "hostname", required_argument, NULL, 'h' },
                                        { "interactive", optional_argument, NULL, 'i' },
                                        { "label", required_argument, NULL, 'l' },
                                        { "name", required_argument, NULL, OPT_NAME },
                                        { "network", required_argument, NULL, OPT_NETWORK },
                                        { "net", required_argument, NULL, OPT_NETWORK },
                                        { "ip", required_argument, NULL, OPT_IP },
                                        { "ip6", required_argument, NULL, OPT_IP6 },
                                        { "mac-address", required_argument, NULL, OPT_MAC_ADDRESS },
                                        { "network-alias", required_argument, NULL, OPT_NETWORK_ALIAS },
                                        { "dns", required_argument, NULL, OPT_DNS },
                                        { "dns-search", required_argument, NULL, OPT_DNS_SEARCH },
                                        { "dns-option", required_argument, NULL, OPT_DNS_OPTION },
                                        { "dns-opt", required_argument, NULL, OPT_DNS_OPTION },
                                        { "add-host", required_argument, NULL, OPT_ADD_HOST },
                                        { "no-hosts", optional_argument, NULL, OPT_NO_HOSTS },
                                        { "cap-add", required_argument, NULL, OPT_CAP_ADD },
                                        { "cap-drop", required_argument, NULL, OPT_CAP_DROP },
                                        { "cpus", required_argument, NULL, OPT_CPUS },
                                        { "memory", required_argument, NULL, 'm' },
                                        { "ulimit", required_argument, NULL, OPT_ULIMIT },
                                        { "publish", required_argument, NULL, 'p' },
                                        { "publish-all", optional_argument, NULL, 'P' },
                                        { "pids-limit", required_argument, NULL, OPT_PIDS_LIMIT },
                                        { "read-only", optional_argument, NULL, OPT_READ_ONLY },
                                        { "log-driver", required_argument, NULL, OPT_LOG_DRIVER },
                                        { "log-opt", required_argument, NULL, OPT_LOG_OPT },
                                        { "read-only-tmpfs", optional_argument, NULL, OPT_READ_ONLY_TMPFS },
                                        { "privileged", optional_argument, NULL, OPT_PRIVILEGED },
                                        { "device", required_argument, NULL, OPT_DEVICE },
                                        { "sysctl", required_argument, NULL, OPT_SYSCTL },
                                        { "rm", optional_argument, NULL, OPT_RM },
                                        { "init", optional_argument, NULL, OPT_INIT },
                                        { "security-opt", required_argument, NULL, OPT_SECURITY_OPT },
                                        { "shm-size", required_argument, NULL, OPT_SHM_SIZE },
                                        { "cgroupns", required_argument, NULL, OPT_CGROUPNS },
                                        { "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
                                        { "tty", optional_argument, NULL, 't' },
                                        { "tmpfs", required_argument, NULL, OPT_TMPFS },
                                        { "user", required_argument, NULL, 'u' },
                                        { "volume", required_argument, NULL, 'v' },
                                        { "workdir", required_argument, NULL, 'w' },
                                        { "pull", required_argument, NULL, OPT_PULL },
                                        { "platform", required_argument, NULL, OPT_PLATFORM },
                                        { "annotation", required_argument, NULL, OPT_ANNOTATION },
                                        { "secret", required_argument, NULL, OPT_SECRET },
                                        { "stop-signal", required_argument, NULL, OPT_STOP_SIGNAL },
                                        { "cidfile", required_argument, NULL, OPT_CIDFILE },
                                        { "quiet", no_argument, NULL, 'q' },
                                        { "tz", required_argument, NULL, OPT_TZ },
                                        { "oom-score-adj", required_argument, NULL, OPT_OOM_SCORE_ADJ },
                                        { "timeout", required_argument, NULL, OPT_TIMEOUT },
                                        { "conmon-pidfile", required_argument, NULL, OPT_CONMON_PIDFILE },
                                        { "restart", required_argument, NULL, OPT_RESTART },
                                        HEALTH_OPTIONS,
                                        { "rootfs", no_argument, NULL, OPT_ROOTFS },
                                        { "attach", required_argument, NULL, 'a' },
                                        { "detach-keys", required_argument, NULL, OPT_DETACH_KEYS },
                                        { "sig-proxy", optional_argument, NULL, OPT_SIG_PROXY },
                                        { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
                                        { "preserve-fd", required_argument, NULL, OPT_PRESERVE_FD },
                                        { "group-add", required_argument, NULL, OPT_GROUP_ADD },
                                        { "umask", required_argument, NULL, OPT_UMASK },
                                        { "hosts-file", required_argument, NULL, OPT_HOSTS_FILE },
                                        { "env-host", optional_argument, NULL, OPT_ENV_HOST },
                                        { "env-merge", required_argument, NULL, OPT_ENV_MERGE },
                                        { "http-proxy", optional_argument, NULL, OPT_HTTP_PROXY },
                                        { "unsetenv", required_argument, NULL, OPT_UNSETENV },
                                        { "unsetenv-all", optional_argument, NULL, OPT_UNSETENV_ALL },
                                        { "label-file", required_argument, NULL, OPT_LABEL_FILE },
                                        { "no-hostname", no_argument, NULL, OPT_NO_HOSTNAME },
                                        { "pid", required_argument, NULL, OPT_PID },
                                        { "ipc", required_argument, NULL, OPT_IPC },
                                        { "uts", required_argument, NULL, OPT_UTS },
                                        { "pidfile", required_argument, NULL, OPT_PIDFILE },
                                        { "replace", no_argument, NULL, OPT_REPLACE },
                                        { "expose", required_argument, NULL, OPT_EXPOSE },
                                        { "init-path", required_argument, NULL, OPT_INIT_PATH },
                                        { "personality", required_argument, NULL, OPT_PERSONALITY },
                                        { "kernel-memory", required_argument, NULL, OPT_KERNEL_MEMORY },
                                        { "rmi", no_argument, NULL, OPT_RMI },
                                        { "chrootdirs", required_argument, NULL, OPT_CHROOTDIRS },
                                        { "passwd", optional_argument, NULL, OPT_PASSWD },
                                        { "passwd-entry", required_argument, NULL, OPT_PASSWD_ENTRY },
                                        { "group-entry", required_argument, NULL, OPT_GROUP_ENTRY },
                                        { "hostuser", required_argument, NULL, OPT_HOSTUSER },
                                        { "mount", required_argument, NULL, OPT_MOUNT },
                                        { "volumes-from", required_argument, NULL, OPT_VOLUMES_FROM },
                                        { "image-volume", required_argument, NULL, OPT_IMAGE_VOLUME },
                                        FERRY_REGISTRY_OPTIONS,
                                        FERRY_PULL_FLAGS,
                                        FERRY_RESOURCE_OPTIONS,
                                        FERRY_USERNS_OPTIONS,
                                        FERRY_SYSTEMD_OPTIONS,
                                        FERRY_CDI_OPTIONS,
                                        { "help", no_argument, NULL, 'H' },
                                        { NULL, 0, NULL, 0 } };
  ferry_error_t err = NULL;
  int c, r;

  a->o.stop_timeout = -1;
  a->o.health = &a->health;
  a->attach.sig_proxy = 1;
  ferry_cli_registry_defaults (&a->pull.registry);
  if (ferry_cli_transfer_defaults (&a->transfer, &a->pull) < 0)
    return -1;
  while ((c = getopt_long (argc, argv,
                           is_run ? "+:a:c:de:h:il:m:p:Pqtu:v:w:" : "+:a:c:e:h:il:m:p:Pqtu:v:w:", opts, NULL))
         != -1)
    switch (c)
      {
      case OPT_REGISTRY_TLS_VERIFY:
      case OPT_REGISTRY_CREDS:
      case OPT_REGISTRY_AUTHFILE:
      case OPT_REGISTRY_CERT_DIR:
        if (ferry_cli_registry_option (c, optarg, &a->pull.registry) < 0)
          return -1;
        break;
      case OPT_USERNS_MODE ... OPT_USERNS_SUBGIDNAME:
        ferry_cli_userns_option (c, optarg, &a->userns);
        break;
      case 'c':
      case OPT_RESOURCE_CPU_SHARES ... OPT_RESOURCE_CGROUPS:
        if (ferry_cli_resource_option (c == 'c' ? OPT_RESOURCE_CPU_SHARES : c, optarg, cmd, &a->resources)
            != 0)
          return -1;
        break;
      case OPT_SYSTEMD_MODE ... OPT_SYSTEMD_REQUIRES:
        if (ferry_cli_systemd_option (c, optarg, &a->systemd) != 0)
          return -1;
        break;
      case OPT_CDI_GPUS ... OPT_CDI_RDT_CLASS:
        if (ferry_cli_cdi_option (c, optarg, &a->cdi) != 0)
          return -1;
        break;
      case OPT_PULL:
        if (strcmp (optarg, "missing") == 0)
          a->pull_policy = PULL_MISSING;
        else if (strcmp (optarg, "always") == 0)
          a->pull_policy = PULL_ALWAYS;
        else if (strcmp (optarg, "never") == 0)
          a->pull_policy = PULL_NEVER;
        else if (strcmp (optarg, "newer") == 0)
          a->pull_policy = PULL_NEWER;
        else
          {
            /* Podman's words first.  */
            ferry_cli_failf ("unsupported pull policy \"%s\": use missing, always, never or newer", optarg);
            return -1;
          }
        break;
      case OPT_PLATFORM:
        a->pull.platform = optarg;
        break;
      case OPT_ANNOTATION:
        if (strchr (optarg, '=') == NULL)
          {
            ferry_cli_failf ("invalid --annotation `%s`: annotations must be formatted KEY=VALUE", optarg);
            return -1;
          }
        ferry_strv_append (&a->annotations, &a->n_annotations, optarg);
        break;
      case OPT_SECRET:
        ferry_strv_append (&a->secrets, &a->n_secrets, optarg);
        break;
      case OPT_STOP_SIGNAL:
        a->o.stop_signal = optarg;
        break;
      case OPT_CIDFILE:
        a->o.cidfile = optarg;
        break;
      case 'q':
        a->quiet = 1;
        break;
      case OPT_TZ:
        a->o.timezone = optarg;
        break;
      case OPT_OOM_SCORE_ADJ:
        {
          long long v;
          if (parse_int_flag (optarg, "--oom-score-adj", -1000, 1000, "a number from -1000 to 1000", &v) != 0)
            return -1;
          a->o.oom_score_adj = (int) v;
          a->o.oom_score_adj_set = 1;
        }
        break;
      case OPT_TIMEOUT:
        {
          long long v;
          if (parse_int_flag (optarg, "--timeout", 0, INT32_MAX, "a number of seconds (0: no limit)", &v)
              != 0)
            return -1;
          a->o.timeout = (int) v;
        }
        break;
      case OPT_CONMON_PIDFILE:
        a->o.conmon_pidfile = optarg;
        break;
      case OPT_RESTART:
        a->o.restart = optarg;
        break;
      case OPT_HEALTH_CMD:
        a->health.cmd = optarg;
        break;
      case OPT_HEALTH_INTERVAL:
        a->health.interval = optarg;
        break;
      case OPT_HEALTH_RETRIES:
        if (parse_uint_flag (optarg, "health-retries", cmd, &a->health.retries) != 0)
          return -1;
        a->health.retries_set = 1;
        break;
      case OPT_HEALTH_START_PERIOD:
        a->health.start_period = optarg;
        break;
      case OPT_HEALTH_TIMEOUT:
        a->health.timeout = optarg;
        break;
      case OPT_HEALTH_ON_FAILURE:
        a->health.on_failure = optarg;
        break;
      case OPT_HEALTH_LOG_DESTINATION:
        a->health.log_destination = optarg;
        break;
      case OPT_HEALTH_MAX_LOG_COUNT:
        if (parse_uint_flag (optarg, "health-max-log-count", cmd, &a->health.max_log_count) != 0)
          return -1;
        a->health.max_log_count_set = 1;
        break;
      case OPT_HEALTH_MAX_LOG_SIZE:
        if (parse_uint_flag (optarg, "health-max-log-size", cmd, &a->health.max_log_size) != 0)
          return -1;
        a->health.max_log_size_set = 1;
        break;
      case OPT_NO_HEALTHCHECK:
        a->health.no_healthcheck = 1;
        break;
      case OPT_HEALTH_STARTUP_CMD:
        a->health.startup_cmd = optarg;
        break;
      case OPT_HEALTH_STARTUP_INTERVAL:
        a->health.startup_interval = optarg;
        break;
      case OPT_HEALTH_STARTUP_TIMEOUT:
        a->health.startup_timeout = optarg;
        break;
      case OPT_HEALTH_STARTUP_RETRIES:
        if (parse_uint_flag (optarg, "health-startup-retries", cmd, &a->health.startup_retries) != 0)
          return -1;
        break;
      case OPT_HEALTH_STARTUP_SUCCESS:
        if (parse_uint_flag (optarg, "health-startup-success", cmd, &a->health.startup_successes) != 0)
          return -1;
        break;
      case 'a':
        /* Podman 5.4's create takes --attach, any value, and keeps none
         * of it: start --attach connects every stream all the same.  */
        if (! is_run)
          break;
        if (parse_attach (optarg, a) != 0)
          return -1;
        break;
      case OPT_DETACH_KEYS:
      case OPT_SIG_PROXY:
      case OPT_PRESERVE_FDS:
      case OPT_PRESERVE_FD:
        /* run's: create starts nothing to attach to or pass to.  */
        if (! is_run)
          {
            ferry_cli_failf ("unknown flag: --%s\nSee 'ferry %s --help'",
                             c == OPT_DETACH_KEYS   ? "detach-keys"
                             : c == OPT_SIG_PROXY   ? "sig-proxy"
                             : c == OPT_PRESERVE_FD ? "preserve-fd"
                                                    : "preserve-fds",
                             ferry_cli_command_path ());
            return -1;
          }
        r = run_only_option (c, optarg, a);
        if (r != 0)
          return r == FERRY_EXIT_CANNOT_INVOKE ? -3 : -1;
        break;
      case 'd':
        if (ferry_cli_bool_flag (optarg, "-d, --detach", cmd, &a->detach) != 0)
          return -1;
        break;
      case OPT_GROUP_ADD:
        a->group_add = push_list (a->group_add, &a->n_group_add, optarg);
        break;
      case OPT_UMASK:
        a->o.umask = optarg;
        break;
      case OPT_HOSTS_FILE:
        a->o.hosts_file = optarg;
        break;
      case OPT_ENV_HOST:
      case OPT_HTTP_PROXY:
      case OPT_UNSETENV_ALL:
        {
          int v;
          if (parse_go_bool (c == OPT_ENV_HOST     ? "env-host"
                             : c == OPT_HTTP_PROXY ? "http-proxy"
                                                   : "unsetenv-all",
                             optarg, cmd, &v)
              != 0)
            return -1;
          if (c == OPT_ENV_HOST)
            a->o.env_host = v;
          else if (c == OPT_HTTP_PROXY)
            a->o.no_http_proxy = ! v;
          else
            a->o.unsetenv_all = v;
        }
        break;
      case OPT_ENV_MERGE:
        ferry_strv_append (&a->env_merge, &a->n_env_merge, optarg);
        break;
      case OPT_UNSETENV:
        ferry_strv_append (&a->unsetenv, &a->n_unsetenv, optarg);
        break;
      case OPT_LABEL_FILE:
        ferry_strv_append (&a->label_files, &a->n_label_files, optarg);
        break;
      case OPT_NO_HOSTNAME:
        a->o.no_hostname = 1;
        break;
      case OPT_PID:
        a->o.pid_mode = optarg;
        break;
      case OPT_IPC:
        a->o.ipc_mode = optarg;
        break;
      case OPT_UTS:
        a->o.uts_mode = optarg;
        break;
      case OPT_PIDFILE:
        a->o.pidfile = optarg;
        break;
      case OPT_REPLACE:
        a->o.replace = 1;
        break;
      case OPT_PASSWD:
        {
          int v;
          if (parse_go_bool ("passwd", optarg, cmd, &v) != 0)
            return -1;
          a->o.no_passwd = ! v;
        }
        break;
      case OPT_PASSWD_ENTRY:
        a->o.passwd_entry = optarg;
        break;
      case OPT_GROUP_ENTRY:
        a->o.group_entry = optarg;
        break;
      case OPT_HOSTUSER:
        ferry_strv_append (&a->host_users, &a->n_host_users, optarg);
        break;
      case OPT_CHROOTDIRS:
        ferry_strv_append (&a->chrootdirs, &a->n_chrootdirs, optarg);
        break;
      case OPT_EXPOSE:
        a->expose = push_list (a->expose, &a->n_expose, optarg);
        break;
      case OPT_INIT_PATH:
        a->o.init_path = optarg;
        break;
      case OPT_KERNEL_MEMORY:
        a->kernel_memory = 1;
        break;
      case OPT_PERSONALITY:
        a->o.personality = optarg;
        break;
      case OPT_RMI:
        /* run's: a created container has not exited to clean up after.  */
        if (! is_run)
          {
            ferry_cli_failf ("unknown flag: --rmi\nSee 'ferry %s --help'", ferry_cli_command_path ());
            return -1;
          }
        a->o.remove_image = 1;
        break;
      case OPT_ENTRYPOINT:
        a->o.entrypoint = optarg;
        break;
      case 'e':
        ferry_strv_append (&a->env, &a->n_env, optarg);
        break;
      case OPT_ENV_FILE:
        ferry_strv_append (&a->env_files, &a->n_env_files, optarg);
        break;
      case 'h':
        a->o.hostname = optarg;
        break;
      case 'i':
        if (ferry_cli_bool_flag (optarg, "-i, --interactive", cmd, &a->o.interactive) != 0)
          return -1;
        break;
      case 'l':
        ferry_strv_append (&a->labels, &a->n_labels, optarg);
        break;
      case OPT_NAME:
        a->o.name = optarg;
        break;
      case OPT_NETWORK:
        /* Again: another network, as Podman takes it.  */
        if (a->o.network)
          ferry_strv_append (&a->more_networks, &a->n_more_networks, optarg);
        else
          a->o.network = optarg;
        break;
      case OPT_IP:
        a->o.ip = optarg;
        break;
      case OPT_IP6:
        a->o.ip6 = optarg;
        break;
      case OPT_MAC_ADDRESS:
        a->o.mac = optarg;
        break;
      case OPT_NETWORK_ALIAS:
        ferry_strv_append (&a->network_aliases, &a->n_network_aliases, optarg);
        break;
      case OPT_DNS:
        ferry_strv_append (&a->dns, &a->n_dns, optarg);
        break;
      case OPT_DNS_SEARCH:
        ferry_strv_append (&a->dns_search, &a->n_dns_search, optarg);
        break;
      case OPT_DNS_OPTION:
        ferry_strv_append (&a->dns_options, &a->n_dns_options, optarg);
        break;
      case OPT_ADD_HOST:
        ferry_strv_append (&a->add_hosts, &a->n_add_hosts, optarg);
        break;
      case OPT_NO_HOSTS:
        if (ferry_cli_bool_flag (optarg, "--no-hosts", cmd, &a->o.no_hosts) != 0)
          return -1;
        break;
      case OPT_RM:
        if (ferry_cli_bool_flag (optarg, "--rm", cmd, &a->o.auto_remove) != 0)
          return -1;
        a->rm_given = 1;
        break;
      case OPT_INIT:
        if (ferry_cli_bool_flag (optarg, "--init", cmd, &a->o.init) != 0)
          return -1;
        break;
      case OPT_ROOTFS:
        a->o.rootfs = 1;
        break;
      case OPT_SHM_SIZE:
        if (ferry_parse_size (optarg, &a->o.shm_size) < 0 || a->o.shm_size <= 0)
          {
            ferry_cli_failf ("unable to translate --shm-size: invalid size: '%s': use a size like 64m or 1g",
                             optarg);
            return -1;
          }
        break;
      case OPT_STOP_TIMEOUT:
        {
          uint64_t secs;
          if (parse_uint_flag (optarg, "stop-timeout", cmd, &secs) != 0)
            return -1;
          a->o.stop_timeout = secs > INT_MAX ? INT_MAX : (int) secs;
        }
        break;
      case OPT_PIDS_LIMIT:
        if (ferry_cli_parse_pids_limit (optarg, cmd, &a->o.pids_limit) < 0)
          return -1;
        break;
      case OPT_SECURITY_OPT:
        if (strcmp (optarg, "no-new-privileges") == 0)
          a->o.no_new_privileges = 1;
        else if (strncmp (optarg, "no-new-privileges", 17) == 0 && (optarg[17] == '=' || optarg[17] == ':'))
          {
            /* A bool after = or :, as Podman reads it.  */
            if (go_bool (optarg + 18, &a->o.no_new_privileges) < 0)
              {
                ferry_cli_failf ("invalid --security-opt 2: \"%s\"", optarg);
                return -1;
              }
          }
        else if (strcmp (optarg, "label=disable") == 0)
          a->o.label_disable = 1;
        else if (strncmp (optarg, "seccomp=", 8) == 0 && optarg[8] != '\0')
          a->o.seccomp = optarg + 8;
        else if (strncmp (optarg, "mask=", 5) == 0 && optarg[5] != '\0')
          a->mask = push_paths (a->mask, &a->n_mask, optarg + 5);
        else if (strncmp (optarg, "unmask=", 7) == 0 && optarg[7] != '\0')
          a->unmask = push_paths (a->unmask, &a->n_unmask, optarg + 7);
        else
          {
            ferry_cli_failf (
                "unsupported --security-opt `%s`: ferry takes seccomp=unconfined, "
                "seccomp=PROFILE, no-new-privileges, label=disable, mask=PATHS or unmask=PATHS|ALL",
                optarg);
            return -1;
          }
        break;
      case OPT_CAP_ADD:
      case OPT_CAP_DROP:
        {
          /* Repeatable, and each may be a comma-separated list.  */
          cleanup_free char *list = xstrdup (optarg);
          char *save = NULL, *one;
          for (one = strtok_r (list, ",", &save); one; one = strtok_r (NULL, ",", &save))
            {
              if (c == OPT_CAP_ADD)
                ferry_strv_append (&a->cap_add, &a->n_cap_add, one);
              else
                ferry_strv_append (&a->cap_drop, &a->n_cap_drop, one);
            }
        }
        break;
      case OPT_READ_ONLY:
        if (optarg == NULL || strcmp (optarg, "true") == 0)
          a->o.read_only = 1;
        else if (strcmp (optarg, "false") == 0)
          a->o.read_only = 0;
        else
          {
            ferry_cli_failf ("invalid --read-only `%s`: use --read-only, --read-only=true or =false", optarg);
            return -1;
          }
        a->o.read_only_set = 1;
        break;
      case OPT_LOG_DRIVER:
        a->o.log_driver = optarg;
        break;
      case OPT_LOG_OPT:
        ferry_strv_append (&a->log_opts, &a->n_log_opts, optarg);
        break;
      case OPT_READ_ONLY_TMPFS:
        if (optarg == NULL || strcmp (optarg, "true") == 0)
          a->o.no_read_only_tmpfs = 0;
        else if (strcmp (optarg, "false") == 0)
          a->o.no_read_only_tmpfs = 1;
        else
          {
            ferry_cli_failf ("invalid --read-only-tmpfs `%s`: use --read-only-tmpfs=true or =false", optarg);
            return -1;
          }
        break;
      case OPT_PRIVILEGED:
        if (ferry_cli_bool_flag (optarg, "--privileged", cmd, &a->o.privileged) != 0)
          return -1;
        break;
      case OPT_CGROUPNS:
        if (strcmp (optarg, "host") == 0)
          a->o.cgroupns = FERRY_CGROUPNS_HOST;
        else if (strcmp (optarg, "private") == 0)
          a->o.cgroupns = FERRY_CGROUPNS_PRIVATE;
        else if (strncmp (optarg, "container:", 10) == 0 && optarg[10] != '\0')
          {
            a->o.cgroupns = FERRY_CGROUPNS_CONTAINER;
            a->o.cgroupns_container = optarg + 10;
          }
        else if (strcmp (optarg, "container:") == 0)
          {
            ferry_cli_failf ("invalid config provided: namespace mode container requires a value: give "
                             "--cgroupns container:NAME");
            return -1;
          }
        else
          {
            ferry_cli_failf ("unrecognized namespace mode %s passed: --cgroupns takes private, host or "
                             "container:NAME",
                             optarg);
            return -1;
          }
        break;
      case OPT_DEVICE:
        ferry_strv_append (&a->devices, &a->n_devices, optarg);
        break;
      case OPT_SYSCTL:
        ferry_strv_append (&a->sysctls, &a->n_sysctls, optarg);
        break;
      case 'm':
        if (ferry_cli_parse_memory (optarg, &a->o.memory) < 0)
          return -1;
        /* As Podman, a limit too small for the container is left to the
         * runtime, whose refusal at start is an OCI runtime error (126).  */
        break;
      case OPT_CPUS:
        if (ferry_cli_parse_cpus (optarg, cmd, &a->o.nano_cpus) < 0)
          return -1;
        break;
      case OPT_ULIMIT:
        ferry_strv_append (&a->ulimits, &a->n_ulimits, optarg);
        break;
      case 'p':
        ferry_strv_append (&a->publish, &a->n_publish, optarg);
        break;
      case 'P':
        if (ferry_cli_bool_flag (optarg, "-P, --publish-all", cmd, &a->o.publish_all) != 0)
          return -1;
        break;
      case 't':
        if (ferry_cli_bool_flag (optarg, "-t, --tty", cmd, &a->o.tty) != 0)
          return -1;
        break;
      case OPT_TMPFS:
        ferry_strv_append (&a->tmpfs, &a->n_tmpfs, optarg);
        break;
      case 'u':
        a->o.user = optarg;
        break;
      case 'v':
        a->o.mounts = xrealloc (a->o.mounts, sizeof (*a->o.mounts) * (a->o.n_mounts + 1));
        if (parse_volume (optarg, &a->o.mounts[a->o.n_mounts], &err) < 0)
          {
            ferry_cli_mount_spec_clear (&a->o.mounts[a->o.n_mounts]);
            ferry_cli_fail (&err);
            return -1;
          }
        a->o.n_mounts++;
        break;
      case OPT_MOUNT:
        a->o.mounts = xrealloc (a->o.mounts, sizeof (*a->o.mounts) * (a->o.n_mounts + 1));
        if (ferry_cli_parse_mount (optarg, &a->o.mounts[a->o.n_mounts], &err) < 0)
          {
            ferry_cli_fail (&err);
            return -1;
          }
        a->o.n_mounts++;
        break;
      case OPT_VOLUMES_FROM:
        ferry_strv_append (&a->volumes_from, &a->n_volumes_from, optarg);
        break;
      case OPT_IMAGE_VOLUME:
        a->o.image_volume = optarg;
        break;
      case 'w':
        a->o.workdir = optarg;
        break;
      case 'H':
        {
          cleanup_free char *text = xasprintf (
              create_usage, cmd,
              is_run ? "Create a container from IMAGE and start it." : "Create a container from IMAGE.",
              is_run ? "  -a, --attach STREAM      connect only these of the container's streams: stdin,\n"
                       "                           stdout, stderr (repeatable; default all three)\n"
                       "  -d, --detach             run in the background and print the ID\n"
                       "      --detach-keys KEYS   the keys that detach from the container, leaving it\n"
                       "                           running (default: containers.conf's detach_keys,\n"
                       "                           else \"" FERRY_DEFAULT_DETACH_KEYS "\"; \"\" for none)\n"
                       "      --preserve-fds N     pass ferry's file descriptors 3 to 3+N-1 into the\n"
                       "                           container, as the same numbers\n"
                       "      --rmi                with --rm's removal of the container, remove its image\n"
                       "                           too, unless another container uses it\n"
                       "      --preserve-fd FD     pass descriptor FD into the container as FD (repeatable,\n"
                       "                           or FD,FD...); the numbers below it from 3 are /dev/null\n"
                       "      --sig-proxy[=BOOL]   pass the signals ferry gets on to the container\n"
                       "                           (default true)\n"
                     : "  -a, --attach STREAM      taken and kept nowhere, as by Podman 5.4's create:\n"
                       "                           start --attach connects every stream anyway\n");

          ferry_cli_print_usage (text);
        }
        return -2;
      default:
        r = ferry_cli_transfer_option (c, optarg, &a->transfer, &a->pull);
        if (r > 0)
          break;
        if (r == 0)
          r = ferry_cli_common_option (c, cmd, argv);
        if (r != 0)
          return -1;
      }
  if (ferry_cli_transfer_finish (&a->transfer, &a->pull) < 0)
    return -1;
  if (optind >= argc && a->o.rootfs)
    {
      /* Podman's words.  */
      ferry_cli_failf ("requires at least 1 arg(s), only received 0");
      return -1;
    }
  if (optind >= argc)
    {
      /* Podman's words first.  */
      ferry_cli_failf (
          "requires at least 1 arg(s), only received 0: ferry %s needs an image (ferry %s [OPTIONS] "
          "IMAGE [COMMAND...])",
          cmd, cmd);
      return -1;
    }
  a->o.image = argv[optind];
  /* --rmi implies --rm, and refuses the user's --rm=false (Podman's).  */
  if (a->o.remove_image && a->rm_given && ! a->o.auto_remove)
    {
      ferry_cli_failf ("the --rmi option does not work without --rm");
      return -1;
    }
  if (a->o.remove_image)
    a->o.auto_remove = 1;
  if (a->kernel_memory)
    ferry_cli_podman_warnf ("The --kernel-memory flag is no longer supported. This flag is a noop.");
  a->o.command = argv + optind + 1;
  a->o.env = a->env;
  a->o.env_files = a->env_files;
  a->o.labels = a->labels;
  a->o.tmpfs = a->tmpfs;
  a->o.volumes_from = a->volumes_from;
  a->o.warn = create_warn;
  a->o.cap_add = a->cap_add;
  a->o.cap_drop = a->cap_drop;
  a->o.ulimits = a->ulimits;
  a->o.publish = a->publish;
  if (discard_ports (a) < 0 || check_network_conflicts (a) < 0)
    return -1;
  a->o.devices = a->devices;
  a->o.cdi = &a->cdi.o;
  a->o.sysctls = a->sysctls;
  a->o.mask = a->mask;
  a->o.unmask = a->unmask;
  a->o.dns = a->dns;
  a->o.dns_search = a->dns_search;
  a->o.dns_options = a->dns_options;
  a->o.add_hosts = a->add_hosts;
  a->o.network_aliases = a->network_aliases;
  a->o.more_networks = a->more_networks;
  a->o.annotations = a->annotations;
  a->o.log_opts = a->log_opts;
  a->o.secrets = a->secrets;
  a->o.resources = &a->resources.o;
  a->o.userns = &a->userns.o;
  a->o.systemd = &a->systemd.o;
  a->o.group_add = a->group_add;
  a->o.env_merge = a->env_merge;
  a->o.unsetenv = a->unsetenv;
  a->o.label_files = a->label_files;
  a->o.expose = a->expose;
  a->o.chrootdirs = a->chrootdirs;
  a->o.host_users = a->host_users;
  return optind;
}

/* --rmi: the image goes after the container, unless another container
 * uses it (Podman's warning says so) or the container's own cleanup
 * removed it first.  */
static void
remove_image_after (ferry_engine_t *e, const struct create_args *a)
{
  struct ferry_remove_report rep = { 0 };
  cleanup_error ferry_error_t err = NULL;

  if (! a->o.remove_image)
    return;
  if (ferry_store_remove (e->store, a->o.image, 0, &rep, &err) == 0)
    ferry_remove_report_free (&rep);
  else if (err->kind != FERRY_ERROR_NOT_FOUND)
    ferry_cli_podman_warnf ("Failed to remove image: %s", err->msg);
}

/* The exit code for a run or start that waited on container ID and found
 * it gone: the code it had when another's rm -f removed it, as Podman
 * keeps it; 0 when none was kept (--rm's own removal, whose exit file the
 * wait took).  */
static int
code_of_removed (ferry_engine_t *e, const char *id)
{
  int code = 0;

  ferry_container_removed_exit_code (e, id, &code);
  return code;
}

/* The size of the terminal on ferry's standard input, as Podman takes
 * it for a -t container; 0 when there is none.  */
static void
terminal_size (unsigned *rows, unsigned *cols)
{
  struct winsize ws;

  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    {
      *rows = ws.ws_row;
      *cols = ws.ws_col;
    }
}

static int
run_attached (ferry_engine_t *e, const char *id, const struct create_args *a)
{
  struct ferry_start_options so = { 0 };
  struct ferry_attach_io io = { 0 };
  struct ferry_cli_attach at = a->attach;
  ferry_error_t err = NULL;
  int fd = -1, code = 0, r;

  at.default_keys = e->config.detach_keys;
  if (ferry_cli_attach_check (&at, &io, NULL) < 0)
    {
      if (a->o.auto_remove && ferry_container_remove (e, id, 1, 1, &err) < 0)
        ferry_error_release (&err);
      return FERRY_EXIT_ERROR;
    }
  so.attach = 1;
  so.attach_fd = &fd;
  so.preserve_fds = a->preserve_fds;
  so.n_preserve_fds = a->n_preserve_fds;
  if (a->o.tty)
    terminal_size (&so.rows, &so.cols);
  if (ferry_container_start (e, id, &so, &err) < 0)
    {
      code = fail_with_code (&err);
      if (a->o.auto_remove && ferry_container_remove (e, id, 1, 1, &err) < 0)
        ferry_error_release (&err);
      return code;
    }
  /* Attached, READY=1 of --sdnotify healthy waits for nothing.  */
  if (ferry_systemd_notify_started (e, id, 0, &err) < 0)
    notify_warn (&err);
  /* With neither output attached (-a stdin alone), Podman prints the ID
   * once the container started, so the caller knows what runs.  */
  if (a->attach_given && ! a->attach_stdout && ! a->attach_stderr)
    {
      printf ("%s\n", id);
      fflush (stdout);
    }
  /* -i passes the standard input whatever -a names, as Podman's.  */
  io.in_fd = a->o.interactive ? STDIN_FILENO : -1;
  io.out_fd = ! a->attach_given || a->attach_stdout ? STDOUT_FILENO : -1;
  io.err_fd = ! a->attach_given || a->attach_stderr ? STDERR_FILENO : -1;
  r = ferry_cli_attach_stream (e, id, fd, a->o.tty, &io, &at);
  close (fd);
  /* Detached: the container runs on, as with Podman.  */
  if (r > 0)
    return 0;
  if (ferry_container_wait (e, id, &code, &err) < 0)
    {
      /* --rm: conmon's cleanup may have removed it already; or another's
       * rm -f did.  */
      if (err->kind == FERRY_ERROR_NOT_FOUND)
        {
          ferry_error_release (&err);
          return code_of_removed (e, id);
        }
      return ferry_cli_fail (&err);
    }
  if (a->o.auto_remove && ferry_container_remove (e, id, 1, 1, &err) < 0)
    {
      if (err->kind != FERRY_ERROR_NOT_FOUND)
        ferry_error_print (err);
      ferry_error_release (&err);
    }
  /* conmon's cleanup removed it first, keeping its exit file for a
   * waiter: this one, which has the code.  */
  if (a->o.auto_remove)
    ferry_container_drop_exit_file (e, id);
  remove_image_after (e, a);
  /* -1: conmon ended it (--timeout) without an exit status; Podman's
   * exit code is then 255.  */
  return code < 0 ? code & 0xff : code;
}

/* IMAGE with a file transport (oci-archive:...) is pulled whatever the
 * policy, as Podman pulls it, and the container's image is then the
 * image's name (its ID when it has none).  */
static int
pull_transport_image (ferry_engine_t *e, struct create_args *a, ferry_error_t *err)
{
  struct ferry_transport_ref src;
  struct ferry_image *img = NULL;
  cleanup_strv char **ids = NULL;
  int r;

  if (ferry_transport_parse (a->o.image, &src, err) < 0)
    return -1;
  r = ferry_transport_pull (e->store, &src, ! a->quiet, &ids, err);
  ferry_transport_ref_free (&src);
  if (r < 0)
    return -1;
  /* A docker-archive image comes once per tag: the same ID again.  */
  for (size_t i = 1; ids[0] && ids[i]; i++)
    if (strcmp (ids[i], ids[0]) != 0)
      return ferry_make_error (err, 0, "%s holds several images: name one, as %s:REF (see ferry-pull(1))",
                               a->o.image, ferry_transport_name (src.transport));
  if (ids[0] == NULL)
    return ferry_make_error (err, 0, "%s holds no image", a->o.image);
  if (ferry_store_lookup (e->store, ids[0], &img, err) < 0)
    return -1;
  a->image_owned = xstrdup (img->names[0] ? img->names[0] : img->id);
  a->o.image = a->image_owned;
  ferry_image_free (img);
  return 0;
}

/* --pull: fetch IMAGE before creating the container, as the policy says.  */
/* --pull=newer of a stored IMG: whether the registry has another manifest
 * under its name.  A registry that cannot say (unreachable, no such name)
 * leaves the stored image in use, as Podman's check does, after one try
 * and without a word.  */
static int
pull_is_newer (const struct create_args *a, const struct ferry_image *img)
{
  struct ferry_transfer_options o = a->pull;
  cleanup_free char *body = NULL, *media_type = NULL;
  char digest[FERRY_DIGEST_LEN + 1];
  ferry_error_t err = NULL;
  size_t len = 0;

  o.retry = (struct ferry_retry){ 0 };
  o.progress = 0;
  if (ferry_image_fetch_manifest (a->o.image, &o, &body, &len, &media_type, digest, &err) < 0)
    {
      ferry_error_release (&err);
      return 0;
    }
  return img->manifest_digest == NULL || strcmp (digest, img->manifest_digest) != 0;
}

static int
pull_image (ferry_engine_t *e, struct create_args *a, ferry_error_t *err)
{
  struct ferry_image *img = NULL;
  cleanup_free char *id = NULL;

  if (a->o.rootfs)
    return 0;
  if (ferry_transport_is_prefixed (a->o.image) && strncmp (a->o.image, "docker://", 9) != 0)
    {
      if (a->pull.decryption_keys)
        return ferry_make_error (
            err, 0,
            "--decryption-key: ferry decrypts layers pulled from a registry (docker://), "
            "not from %s",
            a->o.image);
      return pull_transport_image (e, a, err);
    }
  if (a->pull_policy == PULL_NEVER)
    return 0;
  if (a->pull_policy == PULL_MISSING || a->pull_policy == PULL_NEWER)
    {
      if (ferry_store_lookup (e->store, a->o.image, &img, err) == 0
          && ferry_store_image_check_layers (e->store, img, err) == 0)
        {
          int same = a->pull_policy == PULL_MISSING || ! pull_is_newer (a, img);

          ferry_image_free (img);
          if (same)
            return 0;
        }
      else
        {
          ferry_image_free (img);
          if ((*err)->kind != FERRY_ERROR_NOT_FOUND && (*err)->kind != FERRY_ERROR_DAMAGED)
            return -1;
          /* As Podman: an image whose files are gone is pulled again.  */
          if ((*err)->kind == FERRY_ERROR_DAMAGED)
            ferry_cli_podman_errorf (
                "Image %s exists in local storage but may be corrupted (remove the image "
                "to resolve the issue): %s",
                a->o.image, (*err)->msg);
          ferry_error_release (err);
        }
    }
  a->pull.progress = ferry_cli_progress_mode (a->quiet);
  return ferry_image_pull (e->store, a->o.image, &a->pull, &id, err);
}

/* As Podman's create and run: an image pull event for the image the new
 * container ID uses, named as given, whether it was pulled or found here
 * (none for --rootfs, an image given by its ID or another transport's).  */
static void
log_image_pull (ferry_engine_t *e, const struct create_args *a, const char *id)
{
  struct ferry_container *c = NULL;
  ferry_error_t err = NULL;
  const char *ref = a->o.image;

  if (a->o.rootfs || ref == NULL || (ferry_transport_is_prefixed (ref) && strncmp (ref, "docker://", 9) != 0))
    return;
  if (ferry_container_lookup (e, id, &c, &err) < 0)
    {
      ferry_error_release (&err);
      return;
    }
  if (strncmp (ref, "sha256:", 7) == 0)
    ref += 7;
  if (c->image_id && strncmp (c->image_id, ref, strlen (ref)) != 0)
    ferry_cli_event ("image", "pull", c->image_id, a->o.image);
  ferry_container_free (c);
}

/* True when container ID's log driver is passthrough: its standard
 * streams are ferry's own, so there is nothing to attach to.  */
static int
is_passthrough (ferry_engine_t *e, const char *id)
{
  struct ferry_container *c = NULL;
  ferry_error_t err = NULL;
  int r;

  if (ferry_container_lookup (e, id, &c, &err) < 0)
    {
      ferry_error_release (&err);
      return 0;
    }
  r = strcmp (ferry_container_log_driver (c), "passthrough") == 0;
  ferry_container_free (c);
  return r;
}

/* run of a passthrough container: the container writes to ferry's own
 * streams; ferry starts it and waits, and -d prints no ID (the streams
 * are the container's), as Podman.  */
static int
run_passthrough (ferry_engine_t *e, const char *id, const struct create_args *a)
{
  ferry_error_t err = NULL;
  int code = 0;

  if (ferry_container_start (e, id, NULL, &err) < 0)
    {
      code = fail_with_code (&err);
      if (a->o.auto_remove && ferry_container_remove (e, id, 1, 1, &err) < 0)
        ferry_error_release (&err);
      return code;
    }
  if (a->detach)
    return 0;
  if (ferry_container_wait (e, id, &code, &err) < 0)
    {
      if (err->kind == FERRY_ERROR_NOT_FOUND)
        {
          ferry_error_release (&err);
          return code_of_removed (e, id);
        }
      return ferry_cli_fail (&err);
    }
  if (a->o.auto_remove && ferry_container_remove (e, id, 1, 1, &err) < 0)
    ferry_error_release (&err);
  if (a->o.auto_remove)
    ferry_container_drop_exit_file (e, id);
  remove_image_after (e, a);
  return code < 0 ? code & 0xff : code;
}

/* What create and run do once the container ID is made: create prints
 * its ID, run starts it, attached or not; the exit code.  */
static int
after_create (ferry_engine_t *e, const char *id, const struct create_args *a, int is_run)
{
  ferry_error_t err = NULL;
  int ret = 0;

  /* A passthrough container's streams are ferry's: no ID there, as
   * Podman prints none.  */
  if (! is_run && ! is_passthrough (e, id))
    printf ("%s\n", id);
  else if (! is_run)
    ;
  else if (is_passthrough (e, id))
    ret = run_passthrough (e, id, a);
  else if (! a->detach)
    ret = run_attached (e, id, a);
  else if (ferry_container_start (e, id,
                                  &(struct ferry_start_options){ .preserve_fds = a->preserve_fds,
                                                                 .n_preserve_fds = a->n_preserve_fds },
                                  &err)
           < 0)
    {
      ret = fail_with_code (&err);
      if (a->o.auto_remove && ferry_container_remove (e, id, 1, 1, &err) < 0)
        ferry_error_release (&err);
    }
  /* --sdnotify: run -d returns once systemd was told, as Podman's.  */
  else if (ferry_systemd_notify_started (e, id, 1, &err) < 0)
    ret = ferry_cli_fail (&err);
  else
    printf ("%s\n", id);
  return ret;
}

/* create and run: the same options, then run also starts (and attaches). */
static int
create_command (int argc, char **argv, int is_run)
{
  struct create_args a = { 0 };
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_free char *id = NULL;
  ferry_error_t err = NULL;
  struct ferry_stop_report replaced = { 0 };
  int r, ret = 0;

  r = parse_create (argc, argv, is_run ? "run" : "create", is_run, &a);
  if (r < 0)
    {
      create_args_free (&a);
      return r == -2 ? 0 : r == -3 ? FERRY_EXIT_CANNOT_INVOKE : FERRY_EXIT_ERROR;
    }
  ferry_cli_systemd_command_line (&a.systemd, argc - r);
  /* Podman's run warns, detached too, and goes on.  */
  if (is_run && a.o.tty && a.o.interactive && ! isatty (STDIN_FILENO))
    ferry_cli_podman_warnf ("The input device is not a TTY. The --tty and --interactive flags might not work "
                            "properly");
  /* A terminal's TIOCSTI would let the container type into it.  */
  if (a.o.log_driver && strcmp (a.o.log_driver, "passthrough") == 0
      && (isatty (STDIN_FILENO) || isatty (STDOUT_FILENO) || isatty (STDERR_FILENO)))
    {
      create_args_free (&a);
      return ferry_cli_failf ("the '--log-driver passthrough' option cannot be used on a TTY.  If you really "
                              "want it, use '--log-driver passthrough-tty'");
    }
  a.o.replace_report = &replaced;
  e = ferry_cli_open_engine ();
  if (e == NULL)
    ret = FERRY_EXIT_ERROR;
  else if (pull_image (e, &a, &err) < 0 || ferry_container_create (e, &a.o, &id, &err) < 0)
    {
      /* The replaced one went before whatever failed after.  */
      if (replaced.killed)
        ferry_cli_warn_killed (a.o.name, &replaced);
      /* run's code for a command that is not there (--rootfs without one)
       * is the container's would-be 127, as Podman's; create's is 125.  */
      ret = is_run ? fail_with_code (&err) : ferry_cli_fail (&err);
    }
  else
    {
      if (replaced.killed)
        ferry_cli_warn_killed (a.o.name, &replaced);
      log_image_pull (e, &a, id);
      ret = after_create (e, id, &a, is_run);
    }
  create_args_free (&a);
  return ret;
}

int
ferry_cmd_create (int argc, char **argv)
{
  return create_command (argc, argv, 0);
}

int
ferry_cmd_run (int argc, char **argv)
{
  return create_command (argc, argv, 1);
}

/* How the lifecycle commands pick their containers, as Podman's do: the
 * names, IDs or ID prefixes given, --all (those ELIGIBLE takes; NULL:
 * every one), --latest (the one created last) or --cidfile FILE (the ID
 * it holds).  --ignore (and rm -f) pass over names that are no container.  */
struct target;

struct targets
{
  int all, latest, ignore;
  char **cidfiles;
  size_t n_cidfiles;
  int (*eligible) (const struct ferry_container *c);
  /* What Podman says when nothing is named, and (NULL: its usual words)
   * when --all comes with names.  */
  const char *none_given, *all_and_names;
  /* rm: "no container with ID or name", exit 1 for no such container
   * and 2 for a running one.  */
  int rm_codes;
  /* --filter: every container that passes, whatever its state (start:
   * those named that pass).  */
  struct container_filters filters;
  int filter_names;
  /* Whether the containers picked may be acted on side by side, each in
   * a process of its own, as Podman's stop and rm do (NULL: one after
   * another).  */
  int (*parallel) (ferry_engine_t *e, const struct target *v, size_t n, void *arg);
  /* rm: a container named twice is acted on (and printed) once.  */
  int unique;
};

/* One container picked: its full ID (acted on, so that a rename meanwhile
 * changes nothing), its name, and what is printed when done: the
 * reference as given, or the full ID for --all and --latest.  */
struct target
{
  char *id, *name, *shown;
};

static void
targets_release (struct targets *t)
{
  for (size_t i = 0; i < t->n_cidfiles; i++)
    free (t->cidfiles[i]);
  free (t->cidfiles);
  container_filters_release (&t->filters);
}

/* Handles the options every lifecycle command shares: 0 when C was one.  */
enum
{
  OPT_TARGET_ALL = OPT_COMMAND_FIRST + 0x100,
  OPT_TARGET_CIDFILE,
  OPT_STOP_TIME,
  OPT_RUNNING,
  OPT_TARGET_FILTER,
};

static int
target_option (int c, const char *arg, struct targets *t)
{
  switch (c)
    {
    case 'a':
    case OPT_TARGET_ALL:
      t->all = 1;
      return 0;
    case 'l':
      t->latest = 1;
      return 0;
    case OPT_TARGET_CIDFILE:
      t->cidfiles = xrealloc (t->cidfiles, sizeof (char *) * (t->n_cidfiles + 1));
      t->cidfiles[t->n_cidfiles++] = xstrdup (arg);
      return 0;
    case 'f':
    case OPT_TARGET_FILTER:
      return container_filters_add (&t->filters, arg) < 0 ? -1 : 0;
    default:
      return 1;
    }
}

/* Podman's checks of names against --all, --latest and --cidfile.  */
static int
targets_check (const struct targets *t, int nargs)
{
  /* As Podman's: --filter outweighs --all and --latest.  */
  if (t->filters.n && nargs && ! t->filter_names)
    return ferry_cli_failf ("--filter takes no arguments");
  if (t->filters.n)
    return 0;
  if (t->n_cidfiles && (t->all || t->latest))
    return ferry_cli_failf ("--all, --latest, and --cidfile cannot be used together");
  if (t->all && t->latest)
    return ferry_cli_failf ("--all and --latest cannot be used together");
  if (t->all && nargs)
    return ferry_cli_failf ("%s", t->all_and_names ? t->all_and_names : "no arguments are needed with --all");
  if (t->latest && nargs)
    return ferry_cli_failf ("--latest and containers cannot be used together");
  if (t->n_cidfiles && nargs)
    return ferry_cli_failf ("no arguments are needed with --latest or --cidfile");
  if (! t->all && ! t->latest && ! t->n_cidfiles && nargs == 0)
    return ferry_cli_failf ("%s", t->none_given);
  return 0;
}

static void
target_push (struct target **v, size_t *n, const struct ferry_container *c, const char *shown)
{
  *v = xrealloc (*v, sizeof (**v) * (*n + 1));
  (*v)[*n].id = xstrdup (c->id);
  (*v)[*n].name = xstrdup (c->name);
  /* A "/NAME" given is shown as the NAME it found, as Podman's.  */
  (*v)[*n].shown = xstrdup (shown[0] == '/' ? shown + 1 : shown);
  (*n)++;
}

static void
targets_free (struct target *v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (v[i].id);
      free (v[i].name);
      free (v[i].shown);
    }
  free (v);
}

/* The exit code for ERR, as Podman picks it for the command.  */
static int
target_exit_code (const struct targets *t, ferry_error_t err)
{
  if (t->rm_codes && err->kind == FERRY_ERROR_NOT_FOUND)
    return 1;
  if (t->rm_codes && err->kind == FERRY_ERROR_STATE)
    return 2;
  /* Only run exits 126 for what the runtime would not create.  */
  if (err->kind == FERRY_ERROR_RUNTIME)
    return FERRY_EXIT_ERROR;
  return exit_code_for (err);
}

/* Finds REF (SHOWN when done) and adds it; 0 also when --ignore passes over
 * it, else the exit code after printing why.  */
static int
target_resolve (ferry_engine_t *e, const struct targets *t, const char *ref, const char *shown,
                struct target **v, size_t *n)
{
  struct ferry_container *c = NULL;
  ferry_error_t err = NULL;
  int code;

  /* Refused before the lookup, --ignore or not, as Podman's.  */
  if (ref[0] == '\0' || strcmp (ref, "/") == 0)
    return ferry_cli_failf ("name or ID cannot be empty");
  if (ferry_container_lookup (e, ref, &c, &err) == 0)
    {
      size_t i;

      for (i = 0; t->unique && i < *n && strcmp ((*v)[i].id, c->id) != 0; i++)
        ;
      if (! t->unique || i == *n)
        target_push (v, n, c, shown);
      ferry_container_free (c);
      return 0;
    }
  if (err->kind == FERRY_ERROR_NOT_FOUND && t->ignore)
    {
      ferry_error_release (&err);
      return 0;
    }
  code = target_exit_code (t, err);
  if (err->kind == FERRY_ERROR_NOT_FOUND && t->rm_codes)
    {
      ferry_error_release (&err);
      ferry_make_error_kind (&err, FERRY_ERROR_NOT_FOUND,
                             "no container with ID or name \"%s\" found: no such container",
                             ref[0] == '/' ? ref + 1 : ref);
    }
  ferry_cli_fail (&err);
  return code;
}

/* The ID in --cidfile FILE, trimmed; NULL (and *CODE 0 for --ignore, else
 * an exit code after printing why) when it cannot be read.  */
static char *
read_cidfile (const struct targets *t, const char *path, int *code)
{
  cleanup_fclose FILE *f = fopen (path, "re");
  char buf[256];
  size_t len;

  *code = 0;
  if (f == NULL)
    {
      cleanup_free char *why = xstrdup (strerror (errno));
      if (t->ignore)
        return NULL;
      why[0] = (char) tolower ((unsigned char) why[0]);
      *code = ferry_cli_failf ("reading CIDFile: open %s: %s", path, why);
      return NULL;
    }
  len = fread (buf, 1, sizeof (buf) - 1, f);
  buf[len] = '\0';
  while (len > 0 && strchr (" \t\r\n", buf[len - 1]))
    buf[--len] = '\0';
  return xstrdup (buf);
}

/* --filter: the containers that pass T's filters, printed by full ID; for
 * start, those of the names given that pass, printed as given.  */
static int
targets_filter (ferry_engine_t *e, const struct targets *t, int argc, char **argv, struct target **v,
                size_t *n)
{
  struct ferry_container **list = NULL;
  ferry_error_t err = NULL;
  size_t count = 0, i;

  if (container_filters_resolve ((struct container_filters *) &t->filters, e) < 0)
    return FERRY_EXIT_ERROR;
  if (optind < argc)
    {
      for (; optind < argc; optind++)
        {
          struct ferry_container *c = NULL;
          cleanup_free char *health = NULL;
          int code;

          if (ferry_container_lookup (e, argv[optind], &c, &err) < 0)
            {
              code = target_exit_code (t, err);
              ferry_cli_fail (&err);
              return code;
            }
          health = ferry_container_health_status (e, c);
          if (container_filters_match (&t->filters, c, health))
            target_push (v, n, c, argv[optind]);
          ferry_container_free (c);
        }
      return 0;
    }
  if (ferry_container_list (e, &list, &count, &err) < 0)
    return ferry_cli_fail (&err);
  for (i = 0; i < count; i++)
    {
      cleanup_free char *health = ferry_container_health_status (e, list[i]);
      if (container_filters_match (&t->filters, list[i], health))
        target_push (v, n, list[i], list[i]->id);
    }
  ferry_containers_free (list, count);
  return 0;
}

/* Every container T picks, each once, before any is acted on: a name that
 * is no container fails the command with nothing done, as Podman's.
 * Returns 0 or an exit code (the error printed).  */
static int
targets_resolve (ferry_engine_t *e, const struct targets *t, int argc, char **argv, struct target **v,
                 size_t *n)
{
  struct ferry_container **list = NULL, *c = NULL;
  ferry_error_t err = NULL;
  size_t count = 0, i;
  int code = 0;

  *v = NULL;
  *n = 0;
  if (t->filters.n)
    return targets_filter (e, t, argc, argv, v, n);
  if (t->all)
    {
      if (ferry_container_list (e, &list, &count, &err) < 0)
        return ferry_cli_fail (&err);
      for (i = 0; i < count; i++)
        if (t->eligible == NULL || t->eligible (list[i]))
          target_push (v, n, list[i], list[i]->id);
      ferry_containers_free (list, count);
      return 0;
    }
  if (t->latest)
    {
      if (ferry_container_latest (e, &c, &err) < 0)
        {
          code = target_exit_code (t, err);
          ferry_cli_fail (&err);
          return code;
        }
      target_push (v, n, c, c->id);
      ferry_container_free (c);
      return 0;
    }
  for (i = 0; i < t->n_cidfiles && code == 0; i++)
    {
      cleanup_free char *id = read_cidfile (t, t->cidfiles[i], &code);
      if (id)
        code = target_resolve (e, t, id, id, v, n);
    }
  for (; optind < argc && code == 0; optind++)
    code = target_resolve (e, t, argv[optind], argv[optind], v, n);
  return code;
}

/* Acts on each of the containers T picks with FN, printing each done and
 * each failure.  Exit code: 0, or Podman's for the failures.  */
typedef int (*target_fn) (ferry_engine_t *e, const struct target *t, void *arg, ferry_error_t *err);

/* What the command says when it has acted on T (R from its target_fn),
 * folding the exit code into *RET.  */
static void
target_ended (const struct targets *t, const struct target *v, int r, ferry_error_t *err, int *ret)
{
  int code;

  /* 1: done already (rm --all took it with another), nothing to say.  */
  if (r >= 0)
    {
      if (r == 0)
        printf ("%s\n", v->shown);
      return;
    }
  code = target_exit_code (t, *err);
  ferry_cli_fail (err);
  /* Podman's rm codes (1, 2) outlast a plain failure's 125.  */
  if (code != FERRY_EXIT_ERROR || *ret == 0)
    *ret = code;
}

/* The containers of one command acted on side by side: each worker
 * process opens an engine of its own, and what is printed comes in the
 * order the containers were given, each as soon as it and those before
 * it are done.  */
struct target_jobs
{
  const struct targets *t;
  const struct target *v;
  target_fn fn;
  void *arg;
  int ret;
};

static void *
target_worker_start (void *arg, ferry_error_t *err)
{
  ferry_engine_t *e = NULL;

  (void) arg;
  if (ferry_cli_engine_open (&e, err) < 0)
    return NULL;
  return e;
}

static int
target_job (size_t i, void *worker, void *arg, ferry_error_t *err)
{
  struct target_jobs *j = arg;

  return j->fn (worker, &j->v[i], j->arg, err);
}

static void
target_worker_end (void *worker)
{
  ferry_engine_close (worker);
}

static void
target_job_done (size_t i, int r, ferry_error_t *err, void *arg)
{
  struct target_jobs *j = arg;

  target_ended (j->t, &j->v[i], r, err, &j->ret);
}

static char *
target_job_name (size_t i, void *arg)
{
  struct target_jobs *j = arg;

  return xasprintf ("container %s", j->v[i].shown);
}

/* Podman's number of workers: three for each processor.  */
static size_t
target_workers (void)
{
  long cpus = sysconf (_SC_NPROCESSORS_ONLN);

  return cpus < 1 ? 3 : (size_t) cpus * 3;
}

static int
for_each_target (int argc, char **argv, const struct targets *t, target_fn fn, void *arg)
{
  cleanup_engine ferry_engine_t *e = NULL;
  struct target *v = NULL;
  size_t n = 0, i;
  int ret;

  ret = targets_check (t, argc - optind);
  if (ret)
    return ret;
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  ret = targets_resolve (e, t, argc, argv, &v, &n);
  if (ret)
    {
      targets_free (v, n);
      return ret;
    }
  if (n > 1 && t->parallel && t->parallel (e, v, n, arg))
    {
      struct target_jobs j = { .t = t, .v = v, .fn = fn, .arg = arg };
      struct ferry_parallel_procs p = {
        .n = n,
        .max_procs = target_workers (),
        .arg = &j,
        .worker_start = target_worker_start,
        .job = target_job,
        .worker_end = target_worker_end,
        .done = target_job_done,
        .name = target_job_name,
      };

      /* The workers open their own: a database connection must not cross
       * a fork.  */
      ferry_engine_close (e);
      e = NULL;
      ferry_parallel_procs_run (&p);
      targets_free (v, n);
      return j.ret;
    }
  for (i = 0; i < n; i++)
    {
      ferry_error_t err = NULL;
      int r = fn (e, &v[i], arg, &err);

      target_ended (t, &v[i], r, &err, &ret);
    }
  targets_free (v, n);
  return ret;
}

/* Parses options that are all flags or take one value into SPEC-driven
 * handlers; returns 1 to continue, 0 after --help, -1 on error.  */
static int
simple_options (int argc, char **argv, const char *cmd, const char *shortopts, const struct option *opts,
                const char *usage, int (*handle) (int c, const char *arg, void *data), void *data)
{
  int c;

  while ((c = getopt_long (argc, argv, shortopts, opts, NULL)) != -1)
    {
      int r;
      if (c == 'H' || (c == 'h' && strchr (shortopts, 'h') == NULL))
        {
          ferry_cli_print_usage (usage);
          return 0;
        }
      if (handle && (r = handle (c, optarg, data)) <= 0)
        {
          if (r < 0)
            return -1;
          continue;
        }
      r = ferry_cli_common_option (c, cmd, argv);
      if (r > 0)
        {
          ferry_cli_print_usage (usage);
          return 0;
        }
      if (r < 0)
        return -1;
    }
  return 1;
}

#define HELP_OPTION                                                                                          \
  {                                                                                                          \
    "help", no_argument, NULL, 'H'                                                                           \
  }

/* What start says when a container does not start, as Podman's: the
 * container named (its ID QUOTED without -a), and 125 where run exits 126
 * or 127.  */
static void
start_failed (ferry_error_t *err, const char *id, int quoted)
{
  static const char oci[] = "OCI runtime error: ";

  /* Podman puts the container after its "OCI runtime error: ".  */
  if ((*err)->kind == FERRY_ERROR_RUNTIME && strncmp ((*err)->msg, oci, strlen (oci)) == 0)
    {
      char *msg = xasprintf (quoted ? "%sunable to start container \"%s\": %s"
                                    : "%sunable to start container %s: %s",
                             oci, id, (*err)->msg + strlen (oci));

      free ((*err)->msg);
      (*err)->msg = msg;
      (*err)->kind = FERRY_ERROR_GENERIC;
      return;
    }
  if ((*err)->kind == FERRY_ERROR_COMMAND_NOT_FOUND || (*err)->kind == FERRY_ERROR_COMMAND_NOT_EXECUTABLE
      || (*err)->kind == FERRY_ERROR_RUNTIME)
    (*err)->kind = FERRY_ERROR_GENERIC;
  if (strncmp ((*err)->msg, "unable to start container", 25) != 0)
    ferry_error_wrap (err, quoted ? "unable to start container \"%s\"" : "unable to start container %s", id);
}

static int
do_start (ferry_engine_t *e, const struct target *t, void *arg, ferry_error_t *err)
{
  (void) arg;
  if (ferry_container_start (e, t->id, NULL, err) < 0)
    {
      start_failed (err, t->id, 1);
      return -1;
    }
  return ferry_systemd_notify_started (e, t->id, 1, err);
}

struct start_flags
{
  struct targets t;
  int attach, interactive;
  struct ferry_cli_attach a; /* --detach-keys, --sig-proxy */
  int sig_proxy_given;
};

static int start_attached (int argc, char **argv, struct start_flags *f);

/* start -a --filter: the first container that passes (of those named, or
 * of all, oldest first), attached as start -a NAME, the others left as
 * they are, as Podman's; none is nothing to do.  */
static int
start_attached_filtered (int argc, char **argv, struct start_flags *f)
{
  struct target *v = NULL;
  size_t n = 0;
  int ret;

  {
    cleanup_engine ferry_engine_t *e = ferry_cli_open_engine ();
    if (e == NULL)
      return FERRY_EXIT_ERROR;
    ret = targets_filter (e, &f->t, argc, argv, &v, &n);
  }
  if (ret == 0 && n >= 1)
    {
      char *args[] = { argv[0], v[0].id, NULL };
      struct start_flags one = *f;

      one.t.filters = (struct container_filters){ 0 };
      one.t.all = one.t.latest = 0;
      optind = 1;
      ret = start_attached (2, args, &one);
    }
  targets_free (v, n);
  return ret;
}

/* start -a: one container, its output (and with -i, its input when it
 * keeps one open) streamed until it exits; its code is the command's.  */
static int
start_attached (int argc, char **argv, struct start_flags *f)
{
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_start_options so = { 0 };
  struct ferry_attach_io io = { .in_fd = -1, .out_fd = STDOUT_FILENO, .err_fd = STDERR_FILENO };
  struct ferry_container *c = NULL;
  cleanup_free char *id = NULL, *context = NULL;
  ferry_error_t err = NULL;
  int fd = -1, code = 0, r, tty;

  if (f->t.filters.n)
    return start_attached_filtered (argc, argv, f);
  if (f->t.all)
    return ferry_cli_failf ("you cannot start and attach all containers at once");
  if (argc - optind > 1 || (f->t.latest && argc - optind > 0))
    return ferry_cli_failf ("you cannot start and attach multiple containers at once");
  if (! f->t.latest && argc - optind != 1)
    return ferry_cli_failf ("%s", f->t.none_given);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if ((f->t.latest ? ferry_container_latest (e, &c, &err)
                   : ferry_container_lookup (e, argv[optind], &c, &err))
      < 0)
    return ferry_cli_fail (&err);
  id = xstrdup (c->id);
  tty = json_object_get_boolean (json_object_object_get (c->record, "Tty"));
  if (json_object_get_boolean (json_object_object_get (c->record, "OpenStdin")))
    io.in_fd = STDIN_FILENO;
  ferry_container_free (c);
  context = xasprintf ("unable to start container %s", id);
  f->a.default_keys = e->config.detach_keys;
  if (ferry_cli_attach_check (&f->a, &io, context) < 0)
    return FERRY_EXIT_ERROR;
  so.attach = 1;
  so.attach_fd = &fd;
  if (tty)
    terminal_size (&so.rows, &so.cols);
  if (ferry_container_start (e, id, &so, &err) < 0)
    {
      start_failed (&err, id, 0);
      return fail_with_code (&err);
    }
  if (ferry_systemd_notify_started (e, id, 0, &err) < 0)
    notify_warn (&err);
  r = ferry_cli_attach_stream (e, id, fd, tty, &io, &f->a);
  close (fd);
  if (r > 0)
    return 0;
  if (ferry_container_wait (e, id, &code, &err) < 0)
    return err->kind == FERRY_ERROR_NOT_FOUND ? (ferry_error_release (&err), code_of_removed (e, id))
                                              : ferry_cli_fail (&err);
  return code < 0 ? code & 0xff : code;
}

enum
{
  OPT_START_DETACH_KEYS = OPT_COMMAND_FIRST + 0x200,
  OPT_START_SIG_PROXY,
};

static int
start_option (int c, const char *arg, void *data)
{
  struct start_flags *f = data;

  switch (c)
    {
    case 'a':
      f->attach = 1;
      return 0;
    case 'i':
      f->interactive = 1;
      return 0;
    case OPT_START_DETACH_KEYS:
      f->a.detach_keys = arg;
      return 0;
    case OPT_START_SIG_PROXY:
      f->sig_proxy_given = 1;
      if (arg == NULL || strcmp (arg, "true") == 0)
        f->a.sig_proxy = 1;
      else if (strcmp (arg, "false") == 0)
        f->a.sig_proxy = 0;
      else
        {
          ferry_cli_failf ("invalid argument \"%s\" for \"--sig-proxy\" flag: use true or false", arg);
          return -1;
        }
      return 0;
    default:
      return target_option (c, arg, &f->t);
    }
}

/* start --all passes over running containers, as Podman's (a paused
 * one it tries, and fails).  */
static int
is_not_running (const struct ferry_container *c)
{
  return c->status != FERRY_CONTAINER_RUNNING;
}

int
ferry_cmd_start (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, OPT_TARGET_ALL },
                                        { "attach", no_argument, NULL, 'a' },
                                        { "detach-keys", required_argument, NULL, OPT_START_DETACH_KEYS },
                                        { "filter", required_argument, NULL, 'f' },
                                        { "interactive", no_argument, NULL, 'i' },
                                        { "latest", no_argument, NULL, 'l' },
                                        { "sig-proxy", optional_argument, NULL, OPT_START_SIG_PROXY },
                                        HELP_OPTION,
                                        { NULL, 0, NULL, 0 } };
  struct start_flags f
      = { .t = { .none_given = "start requires at least one argument",
                 .all_and_names = "either start all containers or the container(s) provided in the arguments",
                 .eligible = is_not_running,
                 .filter_names = 1 } };
  int r;

  r = simple_options (argc, argv, "start", ":af:il", opts,
                      "Usage: ferry start [options] CONTAINER...\n\nStart created or exited "
                      "containers (a running one is left as it is).\n\n"
                      "Options:\n"
                      "      --all               start every container (printing their IDs)\n"
                      "  -a, --attach            attach to the container's output (and its input when it\n"
                      "                          keeps one open) and exit with its code\n"
                      "      --detach-keys KEYS  with -a: the keys that detach, leaving the container\n"
                      "                          running (default: containers.conf's detach_keys,\n"
                      "                          else \"" FERRY_DEFAULT_DETACH_KEYS "\"; \"\" for none)\n"
                      "  -f, --filter KEY=VALUE  of the containers named, start those that pass (keys as\n"
                      "                          ps --filter; repeatable)\n"
                      "  -i, --interactive       attach the container's input too (with -a; else as -a)\n"
                      "  -l, --latest            start the container created last (printing its ID)\n"
                      "      --sig-proxy[=BOOL]  with -a: pass the signals ferry gets on to the container\n"
                      "                          (default true when attached)\n",
                      start_option, &f);
  if (r <= 0)
    return r < 0 ? FERRY_EXIT_ERROR : 0;
  /* Podman's: the proxy is on when attached unless turned off, and only
   * then.  */
  if (! f.sig_proxy_given)
    f.a.sig_proxy = f.attach;
  if (f.sig_proxy_given && f.a.sig_proxy && ! f.attach)
    return ferry_cli_failf ("you cannot use sig-proxy without --attach: invalid argument");
  if (f.attach)
    return start_attached (argc, argv, &f);
  return for_each_target (argc, argv, &f.t, do_start, NULL);
}

struct stop_flags
{
  struct targets t;
  int timeout;
};

/* -t/--time SECONDS (and --timeout, which Podman takes too): a negative
 * number is the container's own timeout, as Podman's.  */
static int
parse_timeout (const char *arg, const char *flag, const char *cmd, int *out)
{
  char *end;
  long long v;

  errno = 0;
  v = strtoll (arg, &end, 10);
  /* Podman's words (a Go int64), then its hint.  */
  if (errno || end == arg || *end)
    return ferry_cli_failf (
        "invalid argument \"%s\" for \"%s\" flag: strconv.ParseInt: parsing \"%s\": %s\nSee "
        "'ferry %s --help'",
        arg, flag, arg, errno == ERANGE ? "value out of range" : "invalid syntax", cmd);
  *out = v < 0 ? -1 : v > INT_MAX ? INT_MAX : (int) v;
  return 0;
}

/* Removals and restarts go side by side unless one of them has
 * dependents: its removal takes them along or is refused for them (two
 * workers would race for them), and a container that joins another's
 * namespaces starts only once that one runs again (side by side, restart
 * of both failed more often than not; Podman's restarts them).  */
static int
side_by_side_unless_dependents (ferry_engine_t *e, const struct target *v, size_t n, void *arg)
{
  cleanup_free const char **ids = xmalloc0 (n * sizeof (*ids));
  ferry_error_t err = NULL;
  int r;

  (void) arg;
  for (size_t i = 0; i < n; i++)
    ids[i] = v[i].id;
  /* One listing of the containers for all: one a target cost a removal of
   * many the time of as many listings before its first worker began.  */
  r = ferry_containers_have_dependents (e, ids, n, &err);
  if (r < 0)
    ferry_error_release (&err);
  return r == 0;
}

/* Containers stopped or signalled do not wait for each other.  */
static int
side_by_side (ferry_engine_t *e, const struct target *v, size_t n, void *arg)
{
  (void) e;
  (void) v;
  (void) n;
  (void) arg;
  return 1;
}

static int
stop_option (int c, const char *arg, void *data)
{
  struct stop_flags *f = data;

  if (c == 't' || c == OPT_STOP_TIME)
    return parse_timeout (arg, "-t, --time", "stop", &f->timeout) ? -1 : 0;
  if (c == 'i')
    {
      f->t.ignore = 1;
      return 0;
    }
  return target_option (c, arg, &f->t);
}

static int
do_stop (ferry_engine_t *e, const struct target *t, void *arg, ferry_error_t *err)
{
  struct ferry_stop_report report = { 0 };
  struct ferry_container *c = NULL;
  int paused;

  /* As Podman's stop, a paused container is refused and left as it is
   * (rm -f and restart's callers stop it, thawing it first).  */
  if (ferry_container_lookup (e, t->id, &c, err) < 0)
    return -1;
  paused = c->status == FERRY_CONTAINER_PAUSED;
  ferry_container_free (c);
  if (paused)
    return ferry_make_error_kind (err, FERRY_ERROR_STATE,
                                  "container %s is running or paused, refusing to clean up: container "
                                  "state improper: unpause it first",
                                  t->id);
  if (ferry_container_stop (e, t->id, *(int *) arg, &report, err) < 0)
    return -1;
  if (report.killed)
    ferry_cli_warn_killed (t->name, &report);
  return 0;
}

int
ferry_cmd_stop (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, OPT_TARGET_ALL },
                                        { "cidfile", required_argument, NULL, OPT_TARGET_CIDFILE },
                                        { "filter", required_argument, NULL, 'f' },
                                        { "ignore", no_argument, NULL, 'i' },
                                        { "latest", no_argument, NULL, 'l' },
                                        { "time", required_argument, NULL, 't' },
                                        { "timeout", required_argument, NULL, OPT_STOP_TIME },
                                        HELP_OPTION,
                                        { NULL, 0, NULL, 0 } };
  struct stop_flags f = {
    .t = { .none_given = "you must provide at least one name or id", .parallel = side_by_side },
    .timeout = -1,
  };
  int r;

  r = simple_options (
      argc, argv, "stop", ":af:ilt:", opts,
      "Usage: ferry stop [options] CONTAINER...\n\nStop containers: the "
      "stop signal, then SIGKILL after the timeout.  A container that is not running is\nleft as it is "
      "(and printed).\n\nOptions:\n"
      "  -a, --all             stop every container (printing their IDs)\n"
      "      --cidfile FILE    stop the container whose ID FILE holds (repeatable)\n"
      "  -f, --filter KEY=VALUE\n"
      "                        stop every container that passes (keys as ps --filter;\n"
      "                        repeatable; printing their IDs)\n"
      "  -i, --ignore          pass over names that are no container\n"
      "  -l, --latest          stop the container created last (printing its ID)\n"
      "  -t, --time SECONDS    wait this long before SIGKILL (default: the container's, 10;\n"
      "                        also --timeout)\n",
      stop_option, &f);
  if (r <= 0)
    {
      targets_release (&f.t);
      return r < 0 ? FERRY_EXIT_ERROR : 0;
    }
  r = for_each_target (argc, argv, &f.t, do_stop, &f.timeout);
  targets_release (&f.t);
  return r;
}

struct kill_flags
{
  struct targets t;
  int signal;
};

static int
kill_option (int c, const char *arg, void *data)
{
  struct kill_flags *f = data;

  if (c != 's')
    return target_option (c, arg, &f->t);
  /* As Podman's kill, one leading dash is dropped, as in kill(1)'s -HUP.  */
  if (arg[0] == '-')
    arg++;
  f->signal = ferry_signal_parse (arg);
  if (f->signal < 0)
    {
      /* Podman's words: a number out of range (a negative one after the
       * dash dropped too), or anything else.  */
      if (ferry_signal_is_number (arg))
        ferry_cli_failf ("valid signals are 1 through 64");
      else
        ferry_cli_failf ("invalid signal: %s", arg);
      return -1;
    }
  return 0;
}

static int
do_kill (ferry_engine_t *e, const struct target *t, void *arg, ferry_error_t *err)
{
  return ferry_container_kill (e, t->id, *(int *) arg, err);
}

int
ferry_cmd_kill (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, OPT_TARGET_ALL },
                                        { "cidfile", required_argument, NULL, OPT_TARGET_CIDFILE },
                                        { "latest", no_argument, NULL, 'l' },
                                        { "signal", required_argument, NULL, 's' },
                                        HELP_OPTION,
                                        { NULL, 0, NULL, 0 } };
  struct kill_flags f = {
    .t = { .none_given = "you must provide at least one name or id",
           .eligible = ferry_container_is_active,
           .parallel = side_by_side },
    .signal = SIGKILL,
  };
  int r;

  r = simple_options (argc, argv, "kill", ":als:", opts,
                      "Usage: ferry kill [options] CONTAINER...\n\nSend a signal "
                      "(default KILL) to running containers.\n\nOptions:\n"
                      "  -a, --all            signal every running or paused container (printing their IDs)\n"
                      "      --cidfile FILE   signal the container whose ID FILE holds (repeatable)\n"
                      "  -l, --latest         signal the container created last (printing its ID)\n"
                      "  -s, --signal SIGNAL  a name (TERM, SIGHUP, hup) or a number\n",
                      kill_option, &f);
  if (r <= 0)
    {
      targets_release (&f.t);
      return r < 0 ? FERRY_EXIT_ERROR : 0;
    }
  r = for_each_target (argc, argv, &f.t, do_kill, &f.signal);
  targets_release (&f.t);
  return r;
}

struct rm_flags
{
  struct targets t;
  int force, volumes;
  int depend;
  int timeout, timeout_given; /* -t: seconds before SIGKILL, -1 without end */
};

enum
{
  OPT_RM_DEPEND = OPT_COMMAND_FIRST + 0x300,
};

static int
rm_option (int c, const char *arg, void *data)
{
  struct rm_flags *f = data;

  if (c == 'f')
    f->force = 1;
  else if (c == 'v')
    f->volumes = 1;
  else if (c == 'i')
    f->t.ignore = 1;
  else if (c == OPT_RM_DEPEND)
    f->depend = 1;
  else if (c == 't')
    {
      f->timeout_given = 1;
      return parse_timeout (arg, "-t, --time", "rm", &f->timeout) ? -1 : 0;
    }
  else
    return target_option (c, arg, &f->t);
  return 0;
}

/* Removes ID, with --depend first the containers that joined
 * its namespaces, each printed by ID; without, those refuse the removal,
 * as Podman's.  */
static int
rm_with_dependents (ferry_engine_t *e, const char *id, struct rm_flags *f, int depth, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_strv char **deps = NULL;
  cleanup_free char *own_name = NULL;
  size_t i;

  if (depth > 64)
    return ferry_make_error (err, 0, "container %s: dependents nest deeper than 64", id);
  if (ferry_container_lookup (e, id, &c, err) < 0)
    return -1;
  /* A running container without --force is refused before any dependent
   * goes.  */
  if (! f->force && ferry_container_is_active (c))
    {
      ferry_container_free (c);
      return ferry_container_remove (e, id, 0, f->volumes, err);
    }
  /* Podman's warning names it, a dependent (known by ID) too.  */
  own_name = xstrdup (c->name);
  ferry_container_free (c);
  if (ferry_container_dependents (e, id, &deps, err) < 0)
    return -1;
  if (deps[0] && ! f->depend)
    {
      cleanup_free char *list = xstrdup (deps[0]);
      for (i = 1; deps[i]; i++)
        {
          char *more = xasprintf ("%s, %s", list, deps[i]);
          free (list);
          list = more;
        }
      return ferry_make_error (err, 0,
                               "container %s has dependent containers which must be removed before it: %s: "
                               "container already exists",
                               id, list);
    }
  for (i = 0; deps[i]; i++)
    {
      if (rm_with_dependents (e, deps[i], f, depth + 1, err) < 0)
        return -1;
      printf ("%s\n", deps[i]);
    }
  /* Without -t, as Podman's rm -f: the container's own stop signal and
   * timeout before SIGKILL, so that what it holds is written out.  */
  return ferry_cli_remove_stopping (e, id, own_name, f->timeout_given ? f->timeout : FERRY_STOP_TIMEOUT_OWN,
                                    f->volumes, err);
}

static int
do_rm (ferry_engine_t *e, const struct target *t, void *arg, ferry_error_t *err)
{
  struct rm_flags *f = arg;
  struct ferry_container *c = NULL;

  ferry_fault_point ("rm-resolved");
  if (rm_with_dependents (e, t->id, f, 0, err) == 0)
    return 0;
  /* Gone since it was picked (another rm took it meanwhile, as side by
   * side it more often can): what was asked is done, as Podman's rm
   * says, and --all, whose dependents' removal may have taken it, says
   * nothing more.  */
  if ((*err)->kind == FERRY_ERROR_NOT_FOUND)
    {
      cleanup_error ferry_error_t again = NULL;

      if (ferry_container_lookup (e, t->id, &c, &again) == 0)
        ferry_container_free (c);
      else if (again->kind == FERRY_ERROR_NOT_FOUND)
        {
          ferry_error_release (err);
          return f->t.all ? 1 : 0;
        }
    }
  return -1;
}

int
ferry_cmd_rm (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, OPT_TARGET_ALL },
                                        { "cidfile", required_argument, NULL, OPT_TARGET_CIDFILE },
                                        { "depend", no_argument, NULL, OPT_RM_DEPEND },
                                        { "filter", required_argument, NULL, OPT_TARGET_FILTER },
                                        { "force", no_argument, NULL, 'f' },
                                        { "ignore", no_argument, NULL, 'i' },
                                        { "latest", no_argument, NULL, 'l' },
                                        { "volumes", no_argument, NULL, 'v' },
                                        { "time", required_argument, NULL, 't' },
                                        HELP_OPTION,
                                        { NULL, 0, NULL, 0 } };
  struct rm_flags f = {
    .t = { .none_given = "you must provide at least one name or id",
           .rm_codes = 1,
           .parallel = side_by_side_unless_dependents,
           .unique = 1 },
  };
  int r;

  r = simple_options (argc, argv, "rm", ":afilvt:", opts,
                      "Usage: ferry rm [options] CONTAINER...\n\nRemove containers.  Exit 1 "
                      "if a container is not known, 2 if one is running without -f.\n\nOptions:\n"
                      "  -a, --all           remove every container (printing their IDs)\n"
                      "      --cidfile FILE  remove the container whose ID FILE holds (repeatable)\n"
                      "      --depend        first remove the containers that joined its namespaces\n"
                      "                      (--network container:NAME) or require it (--requires),\n"
                      "                      printing their IDs\n"
                      "      --filter KEY=VALUE\n"
                      "                      remove every container that passes (keys as ps --filter;\n"
                      "                      repeatable; printing their IDs)\n"
                      "  -f, --force         stop running containers first (their stop signal, then SIGKILL\n"
                      "                      after their stop timeout; a paused one is killed); names that\n"
                      "                      are no container are passed over\n"
                      "  -i, --ignore        pass over names that are no container\n"
                      "  -l, --latest        remove the container created last (printing its ID)\n"
                      "  -t, --time SECONDS  with -f: SIGKILL after SECONDS instead (0: at once; -1: wait\n"
                      "                      without end)\n"
                      "  -v, --volumes       also remove their anonymous volumes\n",
                      rm_option, &f);
  if (r <= 0)
    {
      targets_release (&f.t);
      return r < 0 ? FERRY_EXIT_ERROR : 0;
    }
  if (f.timeout_given && ! f.force)
    {
      targets_release (&f.t);
      return ferry_cli_failf ("--force option must be specified to use the --time option");
    }
  if (f.force)
    f.t.ignore = 1;
  /* As Podman's: --all takes dependents along, in whatever order.  */
  if (f.t.all && f.t.filters.n == 0)
    f.depend = 1;
  r = for_each_target (argc, argv, &f.t, do_rm, &f);
  targets_release (&f.t);
  return r;
}

static int
do_pause (ferry_engine_t *e, const struct target *t, void *arg, ferry_error_t *err)
{
  return (arg ? ferry_container_unpause : ferry_container_pause) (e, t->id, err);
}

static int
is_running (const struct ferry_container *c)
{
  return c->status == FERRY_CONTAINER_RUNNING;
}

static int
is_paused (const struct ferry_container *c)
{
  return c->status == FERRY_CONTAINER_PAUSED;
}

static int
pause_option (int c, const char *arg, void *data)
{
  return target_option (c, arg, data);
}

static int
pause_command (int argc, char **argv, int unpause)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, OPT_TARGET_ALL },
                                        { "cidfile", required_argument, NULL, OPT_TARGET_CIDFILE },
                                        { "filter", required_argument, NULL, 'f' },
                                        { "latest", no_argument, NULL, 'l' },
                                        HELP_OPTION,
                                        { NULL, 0, NULL, 0 } };
  struct targets t = { .none_given = "you must provide at least one name or id",
                       .eligible = unpause ? is_paused : is_running };
  int r = simple_options (
      argc, argv, unpause ? "unpause" : "pause", ":af:l", opts,
      unpause ? "Usage: ferry unpause [options] CONTAINER...\n\nResume paused containers.\n\n"
                "Options:\n"
                "  -a, --all           resume every paused container (printing their IDs)\n"
                "      --cidfile FILE  resume the container whose ID FILE holds (repeatable)\n"
                "  -f, --filter KEY=VALUE\n"
                "                      resume every container that passes (keys as ps --filter;\n"
                "                      repeatable; printing their IDs)\n"
                "  -l, --latest        resume the container created last (printing its ID)\n"
              : "Usage: ferry pause [options] CONTAINER...\n\nFreeze running containers "
                "(cgroup freezer).\n\nOptions:\n"
                "  -a, --all           freeze every running container (printing their IDs)\n"
                "      --cidfile FILE  freeze the container whose ID FILE holds (repeatable)\n"
                "  -f, --filter KEY=VALUE\n"
                "                      freeze every container that passes (keys as ps --filter;\n"
                "                      repeatable; printing their IDs)\n"
                "  -l, --latest        freeze the container created last (printing its ID)\n",
      pause_option, &t);
  if (r > 0)
    r = for_each_target (argc, argv, &t, do_pause, unpause ? (void *) 1 : NULL);
  else
    r = r < 0 ? FERRY_EXIT_ERROR : 0;
  targets_release (&t);
  return r;
}

int
ferry_cmd_pause (int argc, char **argv)
{
  return pause_command (argc, argv, 0);
}

int
ferry_cmd_unpause (int argc, char **argv)
{
  return pause_command (argc, argv, 1);
}

/* ---- init ------------------------------------------------------------------ */

/* With --all, as Podman's, a container already in the runtime (running,
 * or initialized before) is no failure: it is printed with the rest.  */
static int
do_init (ferry_engine_t *e, const struct target *t, void *arg, ferry_error_t *err)
{
  const struct targets *ts = arg;

  if (ferry_container_init (e, t->id, err) == 0)
    return 0;
  if (ts->all && (*err)->kind == FERRY_ERROR_STATE)
    {
      ferry_error_release (err);
      return 0;
    }
  /* Podman's init exits 125 for a command the runtime cannot run, where
   * run exits 126 or 127.  */
  if ((*err)->kind == FERRY_ERROR_COMMAND_NOT_FOUND || (*err)->kind == FERRY_ERROR_COMMAND_NOT_EXECUTABLE
      || (*err)->kind == FERRY_ERROR_RUNTIME)
    (*err)->kind = FERRY_ERROR_GENERIC;
  return -1;
}

int
ferry_cmd_init (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "latest", no_argument, NULL, 'l' },
                                        HELP_OPTION,
                                        { NULL, 0, NULL, 0 } };
  struct targets t = { .none_given = "you must provide at least one name or id" };
  int r = simple_options (argc, argv, "init", ":al", opts,
                          "Usage: ferry init [options] CONTAINER...\n\n"
                          "Create containers in the runtime without starting their process: they "
                          "are initialized,\nand ferry start runs them.\n\nOptions:\n"
                          "  -a, --all      initialize every container (printing their IDs)\n"
                          "  -l, --latest   initialize the container created last (printing its ID)\n",
                          pause_option, &t);
  if (r > 0)
    r = for_each_target (argc, argv, &t, do_init, &t);
  else
    r = r < 0 ? FERRY_EXIT_ERROR : 0;
  targets_release (&t);
  return r;
}

/* ---- mount and unmount ----------------------------------------------------- */

struct mount_flags
{
  struct targets t;
  const char *format;
  int notruncate, force;
};

enum
{
  OPT_MOUNT_FORMAT = OPT_COMMAND_FIRST + 0x180,
  OPT_MOUNT_NOTRUNCATE,
};

static int
mount_option (int c, const char *arg, void *data)
{
  struct mount_flags *f = data;

  switch (c)
    {
    case OPT_MOUNT_FORMAT:
      f->format = arg;
      return 0;
    case OPT_MOUNT_NOTRUNCATE:
      f->notruncate = 1;
      return 0;
    case 'f':
      f->force = 1;
      return 0;
    default:
      return target_option (c, arg, &f->t);
    }
}

/* A JSON string as Go writes it (no escaped slashes).  */
static const char *
json_text (json_object **holder, const char *s)
{
  json_object_put (*holder);
  *holder = json_object_new_string (s);
  return json_object_to_json_string_ext (*holder, JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* `ferry mount` with no container: those whose root file system is
 * mounted, as Podman lists them (its JSON indented by one space).  */
static int
mount_list (const struct mount_flags *f)
{
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_container **list = NULL;
  json_object *holder = NULL;
  ferry_error_t err = NULL;
  size_t n = 0, i, shown = 0;
  bool json = f->format && ferry_cli_format_is_json (f->format);

  if (f->format && ! json)
    return ferry_cli_failf ("unknown --format argument: \"%s\"", f->format);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_container_list (e, &list, &n, &err) < 0)
    return ferry_cli_fail (&err);
  if (json)
    fputs ("[", stdout);
  for (i = 0; i < n; i++)
    {
      cleanup_free char *path = ferry_container_mountpoint (e, list[i]);

      if (path == NULL)
        continue;
      if (! json)
        printf ("%.*s  %s\n", f->notruncate ? 64 : 12, list[i]->id, path);
      else
        {
          printf ("%s\n {\n  \"id\": %s,\n", shown ? "," : "", json_text (&holder, list[i]->id));
          printf ("  \"Names\": [\n   %s\n  ],\n", json_text (&holder, list[i]->name));
          printf ("  \"mountpoint\": %s\n }", json_text (&holder, path));
        }
      shown++;
    }
  if (json)
    puts (shown ? "\n]" : "]");
  json_object_put (holder);
  ferry_containers_free (list, n);
  return 0;
}

static int
do_mount (ferry_engine_t *e, const struct target *t, void *arg, ferry_error_t *err)
{
  cleanup_free char *path = NULL;

  (void) arg;
  if (ferry_container_mount (e, t->id, &path, err) < 0)
    return -1;
  /* for_each_target prints what a target shows: here its mount point.  */
  free (((struct target *) t)->shown);
  ((struct target *) t)->shown = path;
  path = NULL;
  return 0;
}

/* The containers named, as Podman's mount and unmount take them: each
 * that exists is acted on even when another does not; then a name that
 * is no container fails the command, and nothing is printed.  */
static int
mount_each (int argc, char **argv, target_fn fn, void *arg)
{
  cleanup_engine ferry_engine_t *e = NULL;
  ferry_error_t missing = NULL;
  char **out = NULL;
  size_t n = 0, i;
  int ret = 0, quiet = 0;

  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  for (; optind < argc; optind++)
    {
      struct ferry_container *c = NULL;
      ferry_error_t err = NULL;
      struct target t = { 0 };

      if (ferry_container_lookup (e, argv[optind], &c, &err) < 0)
        {
          if (err->kind == FERRY_ERROR_NOT_FOUND && missing == NULL)
            missing = err;
          else if (err->kind == FERRY_ERROR_NOT_FOUND)
            ferry_error_release (&err);
          else
            ret = ferry_cli_fail (&err);
          continue;
        }
      t.id = c->id;
      t.name = c->name;
      t.shown = xstrdup (argv[optind]);
      if (fn (e, &t, arg, &err) < 0)
        ret = ferry_cli_fail (&err);
      else
        {
          out = xrealloc (out, sizeof (char *) * (n + 1));
          out[n++] = t.shown;
          t.shown = NULL;
        }
      free (t.shown);
      ferry_container_free (c);
    }
  if (missing)
    {
      quiet = 1;
      ret = ferry_cli_fail (&missing);
    }
  for (i = 0; i < n; i++)
    {
      if (! quiet)
        puts (out[i]);
      free (out[i]);
    }
  free (out);
  return ret;
}

int
ferry_cmd_mount (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "format", required_argument, NULL, OPT_MOUNT_FORMAT },
                                        { "latest", no_argument, NULL, 'l' },
                                        { "no-trunc", no_argument, NULL, OPT_MOUNT_NOTRUNCATE },
                                        { "notruncate", no_argument, NULL, OPT_MOUNT_NOTRUNCATE },
                                        HELP_OPTION,
                                        { NULL, 0, NULL, 0 } };
  struct mount_flags f = { .t = { .none_given = "you must provide at least one name or id" } };
  int r = simple_options (
      argc, argv, "mount", ":al", opts,
      "Usage: ferry mount [options] [CONTAINER...]\n\n"
      "Mount containers' root file systems on the host and print where; with no container, list\n"
      "the containers whose root file system is mounted.\n\nOptions:\n"
      "  -a, --all          mount every container's root file system\n"
      "      --format json  list as JSON (the only format)\n"
      "  -l, --latest       mount the root file system of the container created last\n"
      "      --no-trunc     list full container IDs (also --notruncate, as Podman takes it)\n",
      mount_option, &f);

  if (r > 0 && optind == argc && ! f.t.all && ! f.t.latest)
    r = mount_list (&f);
  else if (r > 0 && optind < argc && ! f.t.all && ! f.t.latest)
    r = mount_each (argc, argv, do_mount, NULL);
  else if (r > 0)
    r = for_each_target (argc, argv, &f.t, do_mount, NULL);
  else
    r = r < 0 ? FERRY_EXIT_ERROR : 0;
  targets_release (&f.t);
  return r;
}

static int
do_unmount (ferry_engine_t *e, const struct target *t, void *arg, ferry_error_t *err)
{
  return ferry_container_unmount (e, t->id, *(int *) arg, err);
}

/* --all: the containers `mount` mounted that do not run; a running
 * container's root file system stays, as Podman's --all leaves it.  */
static int
unmount_all (int force)
{
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_container **list = NULL;
  ferry_error_t err = NULL;
  size_t n = 0, i;
  int ret = 0;

  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_container_list (e, &list, &n, &err) < 0)
    return ferry_cli_fail (&err);
  for (i = 0; i < n; i++)
    {
      if (ferry_container_has_monitor (list[i]) || ferry_container_mount_count (e, list[i]->id) == 0)
        continue;
      if (ferry_container_unmount (e, list[i]->id, force, &err) < 0)
        ret = ferry_cli_fail (&err);
      else
        puts (list[i]->id);
    }
  ferry_containers_free (list, n);
  return ret;
}

int
ferry_cmd_unmount (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "force", no_argument, NULL, 'f' },
                                        { "latest", no_argument, NULL, 'l' },
                                        HELP_OPTION,
                                        { NULL, 0, NULL, 0 } };
  struct mount_flags f = { .t = { .none_given = "you must provide at least one name or id" } };
  int r = simple_options (
      argc, argv, "unmount", ":afl", opts,
      "Usage: ferry unmount [options] CONTAINER...\n\n"
      "Undo one ferry mount of each container; the root file system is unmounted when no mount\n"
      "is left and the container does not run.\n\nOptions:\n"
      "  -a, --all      unmount every container mounted with ferry mount (printing their IDs)\n"
      "  -f, --force    undo every ferry mount of the containers at once\n"
      "  -l, --latest   unmount the container created last (printing its ID)\n",
      mount_option, &f);

  if (r > 0 && f.t.all && ! f.t.latest && optind == argc)
    r = unmount_all (f.force);
  else if (r > 0 && optind < argc && ! f.t.all && ! f.t.latest)
    r = mount_each (argc, argv, do_unmount, &f.force);
  else if (r > 0)
    r = for_each_target (argc, argv, &f.t, do_unmount, &f.force);
  else
    r = r < 0 ? FERRY_EXIT_ERROR : 0;
  targets_release (&f.t);
  return r;
}

/* ---- container clone ------------------------------------------------------- */

enum
{
  OPT_CLONE_NAME = OPT_COMMAND_FIRST + 0x1c0,
  OPT_CLONE_DESTROY,
  OPT_CLONE_RUN,
  OPT_CLONE_CPUS,
};

/* clone --destroy: the original goes, with --force stopped first as
 * Podman's rm -f stops it.  */
static int
clone_destroy (ferry_engine_t *e, const char *ref, int force, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_free char *id = NULL, *name = NULL;

  if (! force)
    return ferry_container_remove (e, ref, 0, 0, err);
  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return -1;
  id = xstrdup (c->id);
  name = xstrdup (c->name);
  ferry_container_free (c);
  return ferry_cli_remove_stopping (e, id, name, FERRY_STOP_TIMEOUT_OWN, 0, err);
}

static int
container_clone (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        FERRY_RESOURCE_CLONE_OPTIONS,
                                        { "cpus", required_argument, NULL, OPT_CLONE_CPUS },
                                        { "destroy", no_argument, NULL, OPT_CLONE_DESTROY },
                                        { "force", no_argument, NULL, 'f' },
                                        { "memory", required_argument, NULL, 'm' },
                                        { "name", required_argument, NULL, OPT_CLONE_NAME },
                                        { "run", no_argument, NULL, OPT_CLONE_RUN },
                                        HELP_OPTION,
                                        { NULL, 0, NULL, 0 } };
  static const char usage[]
      = "Usage: ferry container clone [options] CONTAINER [NAME [IMAGE]]\n\n"
        "Create a new container with the options of CONTAINER, and print its ID; with IMAGE\n"
        "(stored here), it runs that image with CONTAINER's command and settings.  The\n"
        "resource options change the copy's limits as ferry update would (the others stay\n"
        "the original's).\n\nOptions:\n"
        "      --blkio-weight N     block I/O weight, 10 to 1000\n"
        "      --blkio-weight-device DEV:N  block I/O weight of device DEV (repeatable)\n"
        "      --cpu-period US      CPU CFS period in microseconds (1000 to 1000000)\n"
        "      --cpu-quota US       CPU CFS quota in microseconds per period (1000 at least)\n"
        "      --cpu-rt-period US   real-time period in microseconds\n"
        "      --cpu-rt-runtime US  real-time runtime in microseconds per period\n"
        "  -c, --cpu-shares N       relative CPU weight\n"
        "      --cpus N             the CPUs the copy may use, such as 1.5\n"
        "      --cpuset-cpus LIST   the CPUs it may run on, such as 0-2,4\n"
        "      --cpuset-mems LIST   the memory nodes it may use, such as 0\n"
        "      --destroy            remove the original once copied\n"
        "      --device-read-bps DEV:RATE   read rate limit of device DEV, such as /dev/vda:1mb\n"
        "      --device-write-bps DEV:RATE  write rate limit of device DEV\n"
        "  -f, --force              with --destroy: remove the original even when it runs\n"
        "  -m, --memory SIZE        the memory the copy may use, such as 512m (its swap limit\n"
        "                           becomes twice that unless --memory-swap is given)\n"
        "      --memory-reservation SIZE  memory soft limit, such as 256m\n"
        "      --memory-swap SIZE   memory plus swap limit, with --memory (-1 changes nothing)\n"
        "      --memory-swappiness N  the kernel's swappiness for it, 0 to 100 (-1: the host's)\n"
        "      --name NAME          the copy's name (default: CONTAINER-clone, CONTAINER-clone1, ...)\n"
        "      --run                start the copy\n";
  struct ferry_clone_options o = { 0 };
  struct ferry_cli_resources res = { 0 };
  cleanup_engine ferry_engine_t *e = NULL;
  cleanup_free char *id = NULL;
  ferry_error_t err = NULL;
  int destroy = 0, force = 0, run = 0, c, r;

  while ((c = getopt_long (argc, argv, ":c:fm:", opts, NULL)) != -1)
    {
      r = ferry_cli_resource_option (c == 'c' ? OPT_RESOURCE_CPU_SHARES : c, optarg, "container clone", &res);
      if (r < 0)
        {
          ferry_cli_resources_release (&res);
          return FERRY_EXIT_ERROR;
        }
      if (r == 0)
        continue;
      switch (c)
        {
        case 'H':
          ferry_cli_print_usage (usage);
          return 0;
        case OPT_CLONE_NAME:
          o.name = optarg;
          break;
        case OPT_CLONE_DESTROY:
          destroy = 1;
          break;
        case OPT_CLONE_RUN:
          run = 1;
          break;
        case 'f':
          force = 1;
          break;
        case 'm':
          if (ferry_cli_parse_memory (optarg, &o.memory) < 0)
            return FERRY_EXIT_ERROR;
          break;
        case OPT_CLONE_CPUS:
          if (ferry_cli_parse_cpus (optarg, "container clone", &o.nano_cpus) < 0)
            return FERRY_EXIT_ERROR;
          break;
        default:
          r = ferry_cli_common_option (c, "container clone", argv);
          if (r > 0)
            {
              ferry_cli_print_usage (usage);
              return 0;
            }
          if (r < 0)
            return FERRY_EXIT_ERROR;
        }
    }
  if (argc - optind < 1 || argc - optind > 3)
    return ferry_cli_failf ("accepts between 1 and 3 arg(s), received %d", argc - optind);
  if (force && ! destroy)
    return ferry_cli_failf ("cannot set --force without --destroy: invalid argument");
  /* NAME as the second argument, as Podman takes it; --name wins.  */
  if (o.name == NULL && argc - optind >= 2)
    o.name = argv[optind + 1];
  /* IMAGE third, the original's command on it, as Podman's.  */
  if (argc - optind == 3)
    o.image = argv[optind + 2];
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  o.resources = &res.o;
  r = ferry_container_clone (e, argv[optind], &o, &id, &err);
  ferry_cli_resources_release (&res);
  if (r < 0)
    return ferry_cli_fail (&err);
  /* As Podman's: the copy stays when the original cannot go.  */
  if (destroy && clone_destroy (e, argv[optind], force, &err) < 0)
    return ferry_cli_fail (&err);
  if (run && ferry_container_start (e, id, NULL, &err) < 0)
    return ferry_cli_fail (&err);
  puts (id);
  return 0;
}

static int
restart_option (int c, const char *arg, void *data)
{
  struct stop_flags *f = data;

  if (c == OPT_RUNNING)
    {
      f->t.eligible = is_running;
      return 0;
    }
  if (c == 't')
    return parse_timeout (arg, "-t, --time", "restart", &f->timeout) ? -1 : 0;
  return target_option (c, arg, &f->t);
}

static int
do_restart (ferry_engine_t *e, const struct target *t, void *arg, ferry_error_t *err)
{
  struct ferry_stop_report report = { 0 };
  int ret = ferry_container_restart (e, t->id, *(int *) arg, &report, err);

  if (report.killed)
    ferry_cli_warn_killed (t->name, &report);
  return ret;
}

int
ferry_cmd_restart (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "cidfile", required_argument, NULL, OPT_TARGET_CIDFILE },
                                        { "filter", required_argument, NULL, 'f' },
                                        { "latest", no_argument, NULL, 'l' },
                                        { "running", no_argument, NULL, OPT_RUNNING },
                                        { "time", required_argument, NULL, 't' },
                                        HELP_OPTION,
                                        { NULL, 0, NULL, 0 } };
  struct stop_flags f = {
    .t = { .none_given = "you must provide at least one name or id",
           .parallel = side_by_side_unless_dependents },
    .timeout = -1,
  };
  int r;

  r = simple_options (argc, argv, "restart", ":af:lt:", opts,
                      "Usage: ferry restart [options] CONTAINER...\n\n"
                      "Stop containers (as ferry stop) and start them again.\n\nOptions:\n"
                      "  -a, --all            restart every container (printing their IDs)\n"
                      "      --cidfile FILE   restart the container whose ID FILE holds (repeatable)\n"
                      "  -f, --filter KEY=VALUE\n"
                      "                       restart every container that passes (keys as ps --filter;\n"
                      "                       repeatable; printing their IDs)\n"
                      "  -l, --latest         restart the container created last (printing its ID)\n"
                      "      --running        with --all: only the running ones\n"
                      "  -t, --time SECONDS   wait this long before SIGKILL (default: the container's, 10)\n",
                      restart_option, &f);
  if (r <= 0)
    {
      targets_release (&f.t);
      return r < 0 ? FERRY_EXIT_ERROR : 0;
    }
  r = for_each_target (argc, argv, &f.t, do_restart, &f.timeout);
  targets_release (&f.t);
  return r;
}

int
ferry_cmd_rename (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS, HELP_OPTION, { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  ferry_error_t err = NULL;
  int r;

  r = simple_options (argc, argv, "rename", ":", opts,
                      "Usage: ferry rename CONTAINER NEW-NAME\n\nGive a container another name (letters, "
                      "digits, `_`, `.` and `-`, not first).\n",
                      NULL, NULL);
  if (r <= 0)
    return r < 0 ? FERRY_EXIT_ERROR : 0;
  if (argc - optind != 2)
    return ferry_cli_failf ("accepts 2 arg(s), received %d", argc - optind);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_container_rename (e, argv[optind], argv[optind + 1], &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

static int
exists_option (int c, const char *arg, void *data)
{
  (void) arg;
  if (c != OPT_EXTERNAL)
    return 1;
  *(int *) data = 1;
  return 0;
}

/* Exit 0 when the container exists, 1 when not, with no output.  */
static int
container_exists (int argc, char **argv)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, FERRY_EXTERNAL_OPTION, HELP_OPTION, { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_container *c = NULL;
  ferry_error_t err = NULL;
  int external = 0, r;

  r = simple_options (argc, argv, "container exists", ":", opts,
                      "Usage: ferry container exists [options] CONTAINER\n\nExit 0 if the container "
                      "exists, 1 if not.\n\nOptions:\n"
                      "      --external   also a container in ferry's storage that no record names\n"
                      "                   (by ID or ID prefix; see ferry ps --external)\n",
                      exists_option, &external);
  if (r <= 0)
    return r < 0 ? FERRY_EXIT_ERROR : 0;
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  if (argv[optind][0] == '\0' || strcmp (argv[optind], "/") == 0)
    return ferry_cli_failf ("name or ID cannot be empty");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_container_lookup (e, argv[optind], &c, &err) == 0)
    {
      ferry_container_free (c);
      return 0;
    }
  if (err->kind != FERRY_ERROR_NOT_FOUND)
    return ferry_cli_fail (&err);
  ferry_error_release (&err);
  if (! external)
    return 1;
  r = ferry_cli_external_exists (e, argv[optind]);
  return r < 0 ? FERRY_EXIT_ERROR : r ? 0 : 1;
}

/* Podman's wait: --condition STATE... (default: until it exited), each
 * container's exit code printed, or -1 when it reached another state or
 * --ignore passed over it.  */
struct wait_options
{
  unsigned states; /* 0: until it exited */
  unsigned health; /* FERRY_WAIT_HEALTHY, FERRY_WAIT_UNHEALTHY */
  long long interval_ms;
  int ignore, latest;
};

#define WAIT_REMOVING (1u << 30)
#define WAIT_UNKNOWN (1u << 29)

static const struct
{
  const char *name;
  unsigned states;
} WAIT_CONDITIONS[] = {
  { "created", 1u << FERRY_CONTAINER_CREATED },
  { "running", 1u << FERRY_CONTAINER_RUNNING },
  { "paused", 1u << FERRY_CONTAINER_PAUSED },
  { "stopped", 1u << FERRY_CONTAINER_EXITED },
  { "exited", 1u << FERRY_CONTAINER_EXITED },
  { "initialized", 1u << FERRY_CONTAINER_INITIALIZED },
  /* Podman's names of states ferry's containers are never found in: the
   * wait lasts until the container is removed, which ends a wait for
   * removing with its exit code and one for unknown with the error.
   * Podman has no condition stopping.  */
  { "removing", WAIT_REMOVING },
  { "unknown", WAIT_UNKNOWN },
};

static int
wait_add_conditions (struct wait_options *o, const char *arg)
{
  cleanup_free char *copy = xstrdup (arg);
  char *save = NULL, *tok;

  for (tok = strtok_r (copy, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
    {
      size_t i;

      if (strcmp (tok, "healthy") == 0 || strcmp (tok, "unhealthy") == 0)
        {
          o->health |= tok[0] == 'h' ? FERRY_WAIT_HEALTHY : FERRY_WAIT_UNHEALTHY;
          continue;
        }
      for (i = 0; i < sizeof (WAIT_CONDITIONS) / sizeof (WAIT_CONDITIONS[0]); i++)
        if (strcmp (tok, WAIT_CONDITIONS[i].name) == 0)
          break;
      if (i == sizeof (WAIT_CONDITIONS) / sizeof (WAIT_CONDITIONS[0]))
        return ferry_cli_failf ("unknown container state: %s: invalid argument", tok);
      o->states |= WAIT_CONDITIONS[i].states;
    }
  return 0;
}

/* Podman's --interval: a Go duration, else one with "ms" added (250,
 * 1.5, 1h2), in Go's words when neither is.  A negative one too, as
 * Podman takes it: ferry then looks every millisecond.  */
static int
wait_parse_interval (struct wait_options *o, const char *arg)
{
  cleanup_free char *ms = xasprintf ("%sms", arg);
  int64_t ns;

  if (ferry_duration_parse (arg, &ns) < 0 && ferry_duration_parse (ms, &ns) < 0)
    {
      cleanup_free char *why = ferry_duration_error (arg);

      return ferry_cli_failf ("%s", why);
    }
  o->interval_ms = ns / 1000000;
  return 0;
}

static int
wait_one (ferry_engine_t *e, const char *id, const struct wait_options *o, ferry_error_t *err)
{
  enum ferry_container_status reached;
  long long interval = o->interval_ms > 0 ? o->interval_ms : 1;
  int code;

  if (o->health)
    {
      if (ferry_container_wait_health (e, id, o->states, o->health, interval, err) < 0)
        return -1;
      puts ("-1");
      return 0;
    }
  /* stopped and exited alone are a plain wait, as in Podman: a container
   * that never ran answers 0 at once.  */
  if (o->states == 0 || o->states == 1u << FERRY_CONTAINER_EXITED)
    {
      if (ferry_container_wait_every (e, id, interval, &code, err) < 0)
        return -1;
      printf ("%d\n", code);
      return 0;
    }
  code = INT_MIN;
  if (ferry_container_wait_states (e, id, o->states, interval, &reached, &code, err) < 0)
    {
      /* Found once (its code set), then removed: what a wait for
       * removing waited for.  */
      if (! (o->states & WAIT_REMOVING) || (*err)->kind != FERRY_ERROR_NOT_FOUND || code == INT_MIN)
        return -1;
      ferry_error_release (err);
    }
  printf ("%d\n", reached == FERRY_CONTAINER_EXITED ? code : -1);
  return 0;
}

static const char wait_usage[]
    = "Usage: ferry wait [options] CONTAINER...\n\n"
      "Wait for containers to exit (or reach another state) and print their exit codes.\n\n"
      "Options:\n"
      "      --condition STATE   wait until created, initialized, running, paused,\n"
      "                          stopped, exited, removing, healthy or unhealthy\n"
      "                          (repeatable, or comma-separated; default: exited)\n"
      "      --ignore            print -1 for a container that does not exist\n"
      "  -i, --interval TIME     how often to look, as a Go duration or milliseconds\n"
      "                          (default 250ms)\n"
      "  -l, --latest            the container created last\n";

int
ferry_cmd_wait (int argc, char **argv)
{
  enum
  {
    OPT_CONDITION = OPT_COMMAND_FIRST,
    OPT_IGNORE,
  };
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "condition", required_argument, NULL, OPT_CONDITION },
                                        { "ignore", no_argument, NULL, OPT_IGNORE },
                                        { "interval", required_argument, NULL, 'i' },
                                        { "latest", no_argument, NULL, 'l' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  struct wait_options o = { .interval_ms = 250 };
  cleanup_engine ferry_engine_t *e = NULL;
  char **ids = NULL;
  size_t n = 0, i;
  int c, r, ret = 0;

  while ((c = getopt_long (argc, argv, ":i:lh", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_CONDITION:
        if (wait_add_conditions (&o, optarg) != 0)
          return FERRY_EXIT_ERROR;
        break;
      case OPT_IGNORE:
        o.ignore = 1;
        break;
      case 'i':
        if (wait_parse_interval (&o, optarg) != 0)
          return FERRY_EXIT_ERROR;
        break;
      case 'l':
        o.latest = 1;
        break;
      case 'H':
        ferry_cli_print_usage (wait_usage);
        return 0;
      default:
        if ((r = ferry_cli_parse_or_help (c, "wait", argv, wait_usage)))
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (o.latest && optind < argc)
    return ferry_cli_failf ("--latest and containers cannot be used together");
  if (! o.latest && optind >= argc)
    return ferry_cli_failf ("\"ferry %s\" requires a name, id, or the \"--latest\" flag",
                            ferry_cli_command_path ());
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  /* Every name is looked up before any wait, as Podman does: one that is
   * no container fails the command with nothing printed.  */
  ids = xmalloc0 (sizeof (char *) * ((size_t) (argc - optind) + 1));
  for (; o.latest || optind < argc; optind++)
    {
      struct ferry_container *ctr = NULL;
      ferry_error_t err = NULL;

      if ((o.latest ? ferry_container_latest (e, &ctr, &err)
                    : ferry_container_lookup (e, argv[optind], &ctr, &err))
          == 0)
        {
          ids[n++] = xstrdup (ctr->id);
          ferry_container_free (ctr);
        }
      else if (err->kind == FERRY_ERROR_NOT_FOUND && o.ignore && ! o.latest)
        {
          ferry_error_release (&err);
          ids[n++] = NULL;
        }
      else
        {
          ret = exit_code_for (err);
          ferry_cli_fail (&err);
          break;
        }
      if (o.latest)
        break;
    }
  for (i = 0; ret == 0 && i < n; i++)
    {
      ferry_error_t err = NULL;

      if (ids[i] == NULL)
        puts ("-1");
      else if (wait_one (e, ids[i], &o, &err) < 0)
        {
          ret = exit_code_for (err);
          ferry_cli_fail (&err);
        }
    }
  for (i = 0; i < n; i++)
    free (ids[i]);
  free (ids);
  return ret;
}

struct diff_flags
{
  const char *format;
  int latest;
};

static int
diff_option (int c, const char *arg, void *data)
{
  struct diff_flags *f = data;

  if (c == 'f')
    {
      if (strcmp (arg, "json") != 0)
        {
          ferry_cli_failf ("only supported value for '--format' is 'json'");
          return -1;
        }
      f->format = arg;
      return 0;
    }
  if (c == 'l')
    {
      f->latest = 1;
      return 0;
    }
  return 1;
}

/* diff --format json: Podman's object, a kind with no paths left out.  */
static void
diff_print_json (const struct ferry_changes *ch)
{
  static const enum ferry_change_kind kinds[]
      = { FERRY_CHANGE_MODIFIED, FERRY_CHANGE_ADDED, FERRY_CHANGE_DELETED };
  static const char *const names[] = { "changed", "added", "deleted" };
  cleanup_json json_object *o = json_object_new_object ();
  size_t i, k;

  for (k = 0; k < 3; k++)
    {
      json_object *paths = json_object_new_array ();
      for (i = 0; i < ch->n; i++)
        if (ch->items[i].kind == kinds[k])
          json_object_array_add (paths, json_object_new_string (ch->items[i].path));
      if (json_object_array_length (paths))
        json_object_object_add (o, names[k], paths);
      else
        json_object_put (paths);
    }
  /* Indented by five, as Podman's.  */
  if (json_object_object_length (o))
    {
      cleanup_free char *text = ferry_json_to_indented (o, 5);
      puts (text);
    }
  else
    puts ("{}");
}

/* diff and container diff, which looks for containers alone (OF).  */
static int
diff_main (int argc, char **argv, enum ferry_diff_of of)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "format", required_argument, NULL, 'f' },
                                        { "latest", no_argument, NULL, 'l' },
                                        HELP_OPTION,
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_changes ch = { 0 };
  struct ferry_container *latest = NULL;
  cleanup_free char *ref = NULL;
  struct diff_flags f = { 0 };
  ferry_error_t err = NULL;
  size_t i;
  int r;

  r = simple_options (
      argc, argv, of == FERRY_DIFF_CONTAINER ? "container diff" : "diff", ":l", opts,
      of == FERRY_DIFF_CONTAINER
          ? "Usage: ferry container diff [options] CONTAINER [CONTAINER]\n\n"
            "List the files a container added (A), changed (C) or deleted (D) in its\n"
            "root filesystem (against itself, nothing).\n\nOptions:\n"
            "      --format json  one JSON object: the paths under \"changed\", \"added\" and\n"
            "                     \"deleted\" (a kind without any left out)\n"
            "  -l, --latest       the container created last\n"
          : "Usage: ferry diff [options] CONTAINER|IMAGE [PARENT]\n\n"
            "List the files a container added (A), changed (C) or deleted (D) in its\n"
            "root filesystem, or an image's top layer over the layers below it.  With\n"
            "PARENT (the container's image, or the image below the image's top layer;\n"
            "or the object itself, which lists nothing), the changes over it.\n\nOptions:\n"
            "      --format json  one JSON object: the paths under \"changed\", \"added\" and\n"
            "                     \"deleted\" (a kind without any left out)\n"
            "  -l, --latest       the container created last\n",
      diff_option, &f);
  if (r <= 0)
    return r < 0 ? FERRY_EXIT_ERROR : 0;
  if (f.latest && argc - optind > 0)
    return ferry_cli_failf ("--latest and containers cannot be used together");
  if (! f.latest && argc - optind == 0)
    return ferry_cli_failf ("\"ferry %s\" requires a name, id, or the \"--latest\" flag",
                            ferry_cli_command_path ());
  if (argc - optind > 2)
    return ferry_cli_failf ("accepts between 1 and 2 arg(s), received %d", argc - optind);
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (f.latest)
    {
      if (ferry_container_latest (e, &latest, &err) < 0)
        {
          ferry_error_wrap (&err, "unable to get latest container");
          return ferry_cli_fail (&err);
        }
      ref = xstrdup (latest->id);
      ferry_container_free (latest);
    }
  else
    ref = xstrdup (argv[optind]);
  if (ferry_object_diff (e, of, ref, argc - optind == 2 ? argv[optind + 1] : NULL, &ch, &err) < 0)
    return ferry_cli_fail (&err);
  if (f.format)
    diff_print_json (&ch);
  else
    for (i = 0; i < ch.n; i++)
      printf ("%c %s\n", ferry_change_kind_letter (ch.items[i].kind), ch.items[i].path);
  ferry_changes_free (&ch);
  return 0;
}

int
ferry_cmd_diff (int argc, char **argv)
{
  return diff_main (argc, argv, FERRY_DIFF_ANY);
}

static int
container_diff (int argc, char **argv)
{
  return diff_main (argc, argv, FERRY_DIFF_CONTAINER);
}

enum
{
  OPT_EXEC_DETACH_KEYS = OPT_COMMAND_FIRST + 0x2300,
};

struct exec_args
{
  struct ferry_exec_request r;
  const char *detach_keys; /* NULL: the default */
  char **env, **env_files;
  size_t n_env, n_env_files;
  int *preserve_fds;
  size_t n_preserve_fds;
  int latest;
};

static void
exec_args_free (struct exec_args *a)
{
  ferry_cleanup_strvp (&a->env);
  ferry_cleanup_strvp (&a->env_files);
  free (a->preserve_fds);
}

static int
exec_option (int c, const char *arg, void *data)
{
  struct exec_args *a = data;

  switch (c)
    {
    /* Podman's booleans take =true and =false.  */
    case 'd':
      return ferry_cli_bool_flag (arg, "-d, --detach", "exec", &a->r.detach) != 0 ? -1 : 0;
    case 'e':
      ferry_strv_append (&a->env, &a->n_env, arg);
      return 0;
    case 'w':
      a->r.workdir = arg;
      return 0;
    case 'u':
      a->r.user = arg;
      return 0;
    case 'i':
      return ferry_cli_bool_flag (arg, "-i, --interactive", "exec", &a->r.interactive) != 0 ? -1 : 0;
    case 't':
      return ferry_cli_bool_flag (arg, "-t, --tty", "exec", &a->r.tty) != 0 ? -1 : 0;
    case 'l':
      return ferry_cli_bool_flag (arg, "-l, --latest", "exec", &a->latest) != 0 ? -1 : 0;
    case OPT_ENV_FILE:
      ferry_strv_append (&a->env_files, &a->n_env_files, arg);
      return 0;
    case OPT_PRIVILEGED:
      return ferry_cli_bool_flag (arg, "--privileged", "exec", &a->r.privileged) != 0 ? -1 : 0;
    case OPT_PRESERVE_FDS:
      return parse_preserve_fds (arg, "exec", &a->preserve_fds, &a->n_preserve_fds) != 0 ? -1 : 0;
    case OPT_PRESERVE_FD:
      return parse_preserve_fd (arg, "exec", &a->preserve_fds, &a->n_preserve_fds) != 0 ? -1 : 0;
    case OPT_EXEC_DETACH_KEYS:
      a->detach_keys = arg;
      return 0;
    default:
      return 1;
    }
}

/* An exec session started (exec -d, exec -it): prints its ID when
 * detached, as Podman, else streams this terminal to it until it ends,
 * with its exit code, or the user detaches (0, the session goes on).  */
static int
exec_session_follow (ferry_engine_t *e, struct exec_args *a, struct ferry_exec_session *s,
                     struct ferry_attach_io *io)
{
  struct ferry_cli_attach at
      = { .detach_keys = a->detach_keys, .default_keys = e->config.detach_keys, .exec_session = s->id };
  ferry_error_t err = NULL;
  int r, code = 0;

  if (a->r.detach)
    {
      puts (s->id);
      return 0;
    }
  io->in_fd = STDIN_FILENO;
  r = ferry_cli_attach_stream (e, s->container_id, s->attach_fd, 1, io, &at);
  if (r < 0)
    return FERRY_EXIT_ERROR;
  if (r == 1)
    return 0;
  if (ferry_exec_session_finish (e, s, &code, &err) < 0)
    return ferry_cli_fail (&err);
  return code;
}

/* 0 when the container REF runs; else the exit code after saying why,
 * in Podman's words for one that does not (255).  */
static int
exec_container_runs (ferry_engine_t *e, const char *ref)
{
  struct ferry_container *c = NULL;
  ferry_error_t err = NULL;
  bool runs;

  if (ferry_container_lookup (e, ref, &c, &err) < 0)
    return ferry_cli_fail (&err);
  runs = c->status == FERRY_CONTAINER_RUNNING;
  ferry_container_free (c);
  if (runs)
    return 0;
  ferry_cli_failf ("can only create exec sessions on running containers: container state improper");
  return FERRY_EXIT_EXEC_NOT_RUNNING;
}

int
ferry_cmd_exec (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "detach", optional_argument, NULL, 'd' },
                                        { "env", required_argument, NULL, 'e' },
                                        { "workdir", required_argument, NULL, 'w' },
                                        { "user", required_argument, NULL, 'u' },
                                        { "interactive", optional_argument, NULL, 'i' },
                                        { "tty", optional_argument, NULL, 't' },
                                        { "latest", optional_argument, NULL, 'l' },
                                        { "env-file", required_argument, NULL, OPT_ENV_FILE },
                                        { "privileged", optional_argument, NULL, OPT_PRIVILEGED },
                                        { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
                                        { "preserve-fd", required_argument, NULL, OPT_PRESERVE_FD },
                                        { "detach-keys", required_argument, NULL, OPT_EXEC_DETACH_KEYS },
                                        HELP_OPTION,
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_container *latest = NULL;
  struct exec_args a = { 0 };
  struct ferry_exec_session session = { .attach_fd = -1, .sync_fd = -1 };
  struct ferry_attach_io io = { .in_fd = -1, .out_fd = STDOUT_FILENO, .err_fd = STDERR_FILENO };
  struct ferry_cli_attach keys = { 0 };
  ferry_error_t err = NULL;
  const char *ref;
  int r, code = 0, first;

  r = simple_options (argc, argv, "exec", "+:de:w:u:itl", opts,
                      "Usage: ferry exec [options] CONTAINER COMMAND [ARG...]\n"
                      "       ferry exec [options] --latest COMMAND [ARG...]\n\nRun a command in a running "
                      "container.\n\nOptions:\n"
                      "  -d, --detach         run in the background (prints the exec session's ID)\n"
                      "      --detach-keys KEYS with -it: the keys that detach, leaving the command\n"
                      "                       running (default: containers.conf's detach_keys, else\n"
                      "                       \"" FERRY_DEFAULT_DETACH_KEYS "\"; \"\" for none)\n"
                      "  -e, --env K=V        set an environment variable (K alone: take it from ferry's)\n"
                      "      --env-file FILE  read K=V lines from FILE (before the -e ones)\n"
                      "  -i, --interactive    keep standard input open\n"
                      "  -l, --latest         run it in the container created last\n"
                      "      --preserve-fds N pass ferry's file descriptors 3 to 3+N-1 into the command\n"
                      "      --preserve-fd FD pass descriptor FD into the command as FD (repeatable,\n"
                      "                       or FD,FD...; those below it that are not given are\n"
                      "                       /dev/null)\n"
                      "      --privileged     every capability (that ferry has) for the command\n"
                      "  -t, --tty            allocate a pseudo-terminal\n"
                      "  -u, --user USER      run as this user\n"
                      "  -w, --workdir DIR    working directory\n",
                      exec_option, &a);
  if (r <= 0)
    {
      exec_args_free (&a);
      return r < 0 ? FERRY_EXIT_ERROR : 0;
    }
  first = a.latest ? optind : optind + 1;
  if (! a.latest && argc - optind < 1)
    {
      exec_args_free (&a);
      return ferry_cli_failf ("exec requires the name or ID of a container or the --latest flag");
    }
  e = ferry_cli_open_engine ();
  if (e == NULL)
    {
      exec_args_free (&a);
      return FERRY_EXIT_ERROR;
    }
  if (a.latest && ferry_container_latest (e, &latest, &err) < 0)
    {
      exec_args_free (&a);
      return ferry_cli_fail (&err);
    }
  ref = latest ? latest->id : argv[optind];
  /* Detached, the keys are not looked at (as Podman); attached, bad ones
   * are the failure of an attached exec, 255, said after a container that
   * is not there or not running, as Podman looks at those first.  */
  keys.detach_keys = a.detach_keys;
  keys.default_keys = e->config.detach_keys;
  if (! a.r.detach && a.detach_keys && (code = exec_container_runs (e, ref)) != 0)
    {
      ferry_container_free (latest);
      exec_args_free (&a);
      return code;
    }
  if (! a.r.detach && ferry_cli_attach_check (&keys, &io, NULL) < 0)
    {
      ferry_container_free (latest);
      exec_args_free (&a);
      return FERRY_EXIT_EXEC_NOT_RUNNING;
    }
  /* Under conmon only where it is needed: a terminal that can detach, a
   * terminal when ferry's standard input is none (the runtime would make
   * one from it; conmon makes its own, as Podman's), or a command that
   * goes on by itself; the rest is a plain runtime exec.  */
  if (a.r.detach || (a.r.tty && ((a.r.interactive && io.n_detach_keys > 0) || ! isatty (STDIN_FILENO))))
    {
      struct winsize ws;

      a.r.session = &session;
      if (! a.r.detach && ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
        {
          a.r.rows = ws.ws_row;
          a.r.cols = ws.ws_col;
        }
    }
  /* As Podman: a container that is not there is said before a command
   * that is missing.  */
  if (argc - first < 1)
    {
      struct ferry_container *found = NULL;

      if (! latest && ferry_container_lookup (e, ref, &found, &err) < 0)
        code = ferry_cli_fail (&err);
      else
        code
            = ferry_cli_failf ("must provide a non-empty command to start an exec session: invalid argument");
      ferry_container_free (found);
      ferry_container_free (latest);
      exec_args_free (&a);
      return code;
    }
  a.r.args = argv + first;
  a.r.env = a.env;
  a.r.env_files = a.env_files;
  a.r.preserve_fds = a.preserve_fds;
  a.r.n_preserve_fds = a.n_preserve_fds;
  if (ferry_container_exec (e, ref, &a.r, &code, &err) < 0)
    {
      /* Detached, a command that cannot run is a failure to start the
       * session, 125, as in Podman; attached it is the command's 126/127,
       * and a container that is not running or a runtime that would not
       * start the process (Podman's "OCI runtime error") Podman's 255.  */
      int state = err->kind == FERRY_ERROR_STATE || err->kind == FERRY_ERROR_RUNTIME;

      code = a.r.detach ? ferry_cli_fail (&err) : fail_with_code (&err);
      if (state && ! a.r.detach)
        code = FERRY_EXIT_EXEC_NOT_RUNNING;
    }
  else if (a.r.session)
    code = exec_session_follow (e, &a, &session, &io);
  ferry_exec_session_release (&session);
  ferry_container_free (latest);
  exec_args_free (&a);
  return code;
}

struct logs_args
{
  struct ferry_log_options o;
  ferry_engine_t *e;
  char *id;
  int names;
  struct timespec now;
  int color, latest;
};

enum
{
  OPT_LOGS_COLOR = OPT_COMMAND_FIRST + 0x400,
};

/* logs --color: the colours Podman gives the containers, in the order
 * they are named, over again after the seventh.  */
static const char *const logs_colors[]
    = { "\033[37m", "\033[31m", "\033[33m", "\033[34m", "\033[35m", "\033[36m", "\033[32m" };

static int
logs_done (void *arg)
{
  struct logs_args *a = arg;
  struct ferry_container *c = NULL;
  ferry_error_t err = NULL;
  int done;

  if (ferry_container_lookup (a->e, a->id, &c, &err) < 0)
    {
      ferry_error_release (&err);
      return 1;
    }
  done = ! ferry_container_has_monitor (c) && c->status != FERRY_CONTAINER_CREATED;
  ferry_container_free (c);
  return done;
}

/* --since and --until as Podman takes them (util/timeutil.h), into
 * nanoseconds.  */
static int
logs_time (struct logs_args *a, const char *arg, const char *flag, int *has, int64_t *ns)
{
  struct timespec t;

  if (ferry_time_parse_user (arg, &a->now, strcmp (flag, "since") == 0, &t) < 0)
    {
      ferry_cli_failf ("parsing --%s \"%s\": use Unix seconds, a duration such as 10m, or an RFC 3339 time",
                       flag, arg);
      return -1;
    }
  *has = 1;
  *ns = ferry_timespec_ns (&t);
  return 0;
}

static int
logs_option (int c, const char *arg, void *data)
{
  struct logs_args *a = data;
  char *end;

  switch (c)
    {
    case 'f':
      a->o.follow = 1;
      return 0;
    case 't':
      a->o.timestamps = 1;
      return 0;
    case 'n':
      a->names = 1;
      return 0;
    case 'l':
      a->latest = 1;
      return 0;
    case OPT_LOGS_COLOR:
      if (arg == NULL || strcmp (arg, "true") == 0)
        a->color = 1;
      else if (strcmp (arg, "false") == 0)
        a->color = 0;
      else
        {
          ferry_cli_failf ("invalid argument \"%s\" for \"--color\" flag: use true or false", arg);
          return -1;
        }
      return 0;
    case OPT_TAIL:
      errno = 0;
      a->o.tail = strtoll (arg, &end, 10);
      if (*end || *arg == '\0' || errno)
        {
          ferry_cli_failf (
              "invalid argument \"%s\" for \"--tail\" flag: strconv.ParseInt: parsing \"%s\": %s\nSee "
              "'ferry logs --help'",
              arg, arg, errno == ERANGE ? "value out of range" : "invalid syntax");
          return -1;
        }
      /* Any negative number is all of it, as in Podman.  */
      if (a->o.tail < -1)
        a->o.tail = -1;
      return 0;
    case OPT_SINCE:
      return logs_time (a, arg, "since", &a->o.has_since_ns, &a->o.since_ns);
    case OPT_UNTIL:
      return logs_time (a, arg, "until", &a->o.has_until_ns, &a->o.until_ns);
    default:
      return 1;
    }
}

/* The reader of the output went away (`ferry logs c | head`): the end
 * Podman's logs has there, by SIGPIPE and without a word, where ferry
 * otherwise ignores the signal to handle the error.  */
static void __attribute__ ((noreturn)) logs_reader_gone (void)
{
  signal (SIGPIPE, SIG_DFL);
  raise (SIGPIPE);
  _exit (128 + SIGPIPE);
}

/* The log of C, the INDEXth container named, its lines prefixed with
 * PREFIX (may be NULL).  */
static int
logs_of (struct logs_args *a, const struct ferry_container *c, const char *prefix, size_t index)
{
  cleanup_free char *path = NULL;
  ferry_error_t err = NULL;
  int r = ferry_container_log_source (a->e, c, &path, &err);

  if (r < 0)
    return ferry_cli_fail (&err);
  if (r > 0)
    return 0;
  a->id = c->id;
  a->o.done = logs_done;
  a->o.done_arg = a;
  a->o.prefix = prefix;
  a->o.color = a->color ? logs_colors[index % (sizeof (logs_colors) / sizeof (*logs_colors))] : NULL;
  if (ferry_logs_read (path, &a->o, ferry_cli_stdout_fd (), STDERR_FILENO, &err) < 0)
    {
      if (err->status == EPIPE)
        {
          ferry_error_release (&err);
          logs_reader_gone ();
        }
      return ferry_cli_fail (&err);
    }
  return 0;
}

int
ferry_cmd_logs (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "color", optional_argument, NULL, OPT_LOGS_COLOR },
                                        { "follow", no_argument, NULL, 'f' },
                                        { "latest", no_argument, NULL, 'l' },
                                        { "names", no_argument, NULL, 'n' },
                                        { "tail", required_argument, NULL, OPT_TAIL },
                                        { "timestamps", no_argument, NULL, 't' },
                                        { "since", required_argument, NULL, OPT_SINCE },
                                        { "until", required_argument, NULL, OPT_UNTIL },
                                        HELP_OPTION,
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  struct logs_args a = { .o = { .tail = -1 } };
  struct ferry_container **cs = NULL;
  size_t n, i;
  int r, ret = 0;

  clock_gettime (CLOCK_REALTIME, &a.now);
  r = simple_options (
      argc, argv, "logs", ":flnt", opts,
      "Usage: ferry logs [options] CONTAINER [CONTAINER...]\n\nPrint the output of containers.  With "
      "several, each line starts\nwith the container's short ID (its name with --names).\n\nOptions:\n"
      "      --color[=BOOL] write each container's lines in a colour of its own, as Podman\n"
      "  -f, --follow       keep printing until the containers exit\n"
      "  -l, --latest       the container created last\n"
      "  -n, --names        start each line with the container's name\n"
      "      --tail N       only the last N lines\n"
      "  -t, --timestamps   prefix each line with its time\n"
      "      --since TIME   only lines from TIME: Unix seconds, a duration before now (10m,\n"
      "                     1h30m), an RFC 3339 time or a date\n"
      "      --until TIME   only lines until TIME, in the same forms\n",
      logs_option, &a);
  if (r <= 0)
    return r < 0 ? FERRY_EXIT_ERROR : 0;
  if (a.latest && argc - optind > 0)
    return ferry_cli_failf ("--latest and containers cannot be used together");
  if (! a.latest && argc - optind < 1)
    return ferry_cli_failf ("specify at least one container name or ID to log");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  a.e = e;
  if (a.latest)
    {
      struct ferry_container *c = NULL;
      ferry_error_t err = NULL;

      if (ferry_container_latest (e, &c, &err) < 0)
        return ferry_cli_fail (&err);
      ret = logs_of (&a, c, NULL, 0);
      ferry_container_free (c);
      return ret;
    }
  n = (size_t) (argc - optind);
  cs = xmalloc0 (sizeof (*cs) * (n + 1));
  /* Every name is looked up before any log is shown, as Podman does.  */
  for (i = 0; i < n; i++)
    {
      ferry_error_t err = NULL;

      if (ferry_container_lookup (e, argv[optind + i], &cs[i], &err) < 0)
        {
          ferry_containers_free (cs, i);
          return ferry_cli_fail (&err);
        }
    }
  if (n == 1)
    ret = logs_of (&a, cs[0], NULL, 0);
  else if (! a.o.follow)
    for (i = 0; i < n; i++)
      {
        cleanup_free char *prefix = a.names ? xstrdup (cs[i]->name) : xstrndup (cs[i]->id, 12);

        if (logs_of (&a, cs[i], prefix, i) != 0)
          ret = FERRY_EXIT_ERROR;
      }
  else
    {
      cleanup_free pid_t *followers = xmalloc0 (n * sizeof (*followers));

      /* Followed side by side, one process each: a line is written whole
       * by its own follower.  */
      for (i = 0; i < n; i++)
        {
          pid_t pid;

          fflush (stdout);
          pid = followers[i] = fork ();
          if (pid < 0)
            {
              ret = ferry_cli_failf ("cannot follow the log of %s: %s", cs[i]->name, strerror (errno));
              break;
            }
          if (pid == 0)
            {
              cleanup_free char *prefix = a.names ? xstrdup (cs[i]->name) : xstrndup (cs[i]->id, 12);

              _exit (logs_of (&a, cs[i], prefix, i));
            }
        }
      for (;;)
        {
          int status;
          pid_t w = wait (&status);

          if (w < 0)
            break;
          /* Reaped: its PID may be another process's from now on.  */
          for (i = 0; i < n; i++)
            if (followers[i] == w)
              followers[i] = 0;
          /* The others would follow on for no one.  */
          if (WIFSIGNALED (status) && WTERMSIG (status) == SIGPIPE)
            {
              for (i = 0; i < n; i++)
                if (followers[i] > 0 && followers[i] != w)
                  kill (followers[i], SIGKILL);
              logs_reader_gone ();
            }
          if (! WIFEXITED (status) || WEXITSTATUS (status) != 0)
            ret = FERRY_EXIT_ERROR;
        }
    }
  ferry_containers_free (cs, n);
  return ret;
}

static char *
status_base_text (const struct ferry_container *c)
{
  cleanup_free char *ago = NULL;

  switch (c->status)
    {
    case FERRY_CONTAINER_CREATED:
      return xstrdup ("Created");
    case FERRY_CONTAINER_INITIALIZED:
      return xstrdup ("Initialized");
    case FERRY_CONTAINER_PAUSED:
      return xstrdup ("Paused");
    case FERRY_CONTAINER_STOPPING:
      return xstrdup ("Stopping");
    case FERRY_CONTAINER_RUNNING:
      ago = ferry_cli_time_ago (c->started_at);
      /* "Up 5 seconds": Podman drops the " ago".  */
      if (strlen (ago) > 4 && strcmp (ago + strlen (ago) - 4, " ago") == 0)
        ago[strlen (ago) - 4] = '\0';
      return xasprintf ("Up %s", ago);
    default:
      ago = ferry_cli_time_ago (c->finished_at);
      return xasprintf ("Exited (%d) %s", c->exit_code, ago);
    }
}

/* With a checkpoint or restore in progress: "Up 5 seconds (checkpointing)";
 * with a health check, its status as Podman adds it: "Up 5 seconds
 * (healthy)".  HEALTH may be NULL.  */
static char *
status_text (const struct ferry_container *c, const char *health)
{
  char *base = status_base_text (c);
  char *out;

  if (c->operation == NULL && health && *health)
    {
      out = xasprintf ("%s (%s)", base, health);
      free (base);
      return out;
    }
  if (c->operation == NULL)
    return base;
  out = xasprintf ("%s (%s)", base,
                   strcmp (c->operation, "checkpoint") == 0 ? "checkpointing"
                   : strcmp (c->operation, "migrate") == 0  ? "migrating"
                   : strcmp (c->operation, "init") == 0     ? "initializing"
                                                            : "restoring");
  free (base);
  return out;
}

/* As Podman's ps shows a container's command: its Cmd (the image's when
 * none was given), without the entrypoint.  */
static char *
command_text (const struct ferry_container *c, int no_trunc)
{
  json_object *args = ferry_json_get_array (c->record, "Cmd");
  char *out = xstrdup ("");
  size_t i;

  for (i = 0; args && i < json_object_array_length (args); i++)
    {
      char *next = xasprintf ("%s%s%s", out, i ? " " : "",
                              json_object_get_string (json_object_array_get_idx (args, i)));
      free (out);
      out = next;
    }
  if (! no_trunc && strlen (out) > 20)
    strcpy (out + 17, "...");
  return out;
}

/* Go's zero time in Unix seconds: Podman's StartedAt and ExitedAt of a
 * container that never started or exited.  */
#define GO_ZERO_TIME_UNIX (-62135596800LL)

static long long
unix_time_or_zero (const char *rfc3339)
{
  struct timespec ts;

  if (rfc3339 == NULL || *rfc3339 == '\0' || ferry_time_parse (rfc3339, &ts) < 0)
    return GO_ZERO_TIME_UNIX;
  return ts.tv_sec;
}

/* ps --ns: C's namespaces under KEYS' names (JSON's or the template's,
 * which differ in Podman), none of them when it is not running.  */
static json_object *
ps_namespaces (const struct ferry_container *c, int template_names)
{
  json_object *o = json_object_new_object ();
  struct ferry_namespaces ns;
  const char *const json_keys[] = { "Mnt", "Cgroup", "Ipc", "Net", "Pidns", "Uts", "User" };
  const char *const tpl_keys[] = { "MNT", "Cgroup", "IPC", "NET", "PIDNS", "UTS", "User" };
  const char *values[7];

  if (ferry_container_namespaces (c, &ns) == 0 && ! template_names)
    return o;
  values[0] = ns.mnt;
  values[1] = ns.cgroup;
  values[2] = ns.ipc;
  values[3] = ns.net;
  values[4] = ns.pid;
  values[5] = ns.uts;
  values[6] = ns.user;
  for (size_t i = 0; i < 7; i++)
    json_object_object_add (o, template_names ? tpl_keys[i] : json_keys[i],
                            json_object_new_string (values[i]));
  return o;
}

/* The ports C exposes as Podman's ps JSON has them, port to protocols
 * ({"80":["tcp"]}); null when none.  */
static json_object *
ps_exposed (const struct ferry_container *c)
{
  json_object *expose = ferry_json_get_array (c->record, "Expose"), *out = NULL;

  for (size_t i = 0; i < ferry_json_array_length (expose); i++)
    {
      const char *spec = ferry_json_string_value (json_object_array_get_idx (expose, i));
      const char *slash = spec ? strchr (spec, '/') : NULL;
      cleanup_free char *port
          = spec ? xstrndup (spec, slash ? (size_t) (slash - spec) : strlen (spec)) : NULL;
      json_object *protos = NULL;

      if (port == NULL)
        continue;
      if (out == NULL)
        out = json_object_new_object ();
      if (! json_object_object_get_ex (out, port, &protos))
        {
          protos = json_object_new_array ();
          json_object_object_add (out, port, protos);
        }
      json_object_array_add (protos, json_object_new_string (slash ? slash + 1 : "tcp"));
    }
  return out;
}

/* The networks of C, sorted, as Podman's ps JSON lists them.  */
static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static json_object *
ps_networks (const struct ferry_container *c)
{
  json_object *nets = ferry_json_get_object (c->record, "Networks"), *out = json_object_new_array ();
  cleanup_free const char **names = NULL;
  size_t i, n = 0;

  if (nets == NULL)
    return out;
  names = xmalloc ((json_object_object_length (nets) + 1) * sizeof (*names));
  json_object_object_foreach (nets, name, v)
  {
    (void) v;
    names[n++] = name;
  }
  qsort (names, n, sizeof (*names), compare_names);
  for (i = 0; i < n; i++)
    json_object_array_add (out, json_object_new_string (names[i]));
  return out;
}

/* Go's time.Time{}.Unix(): the seconds of a time never set.  */
#define PS_GO_ZERO_UNIX (-62135596800LL)

static int64_t
ps_unix_or_zero (const char *text, const struct timespec *t)
{
  if (text == NULL || *text == '\0' || strncmp (text, "0001-01-01", 10) == 0)
    return PS_GO_ZERO_UNIX;
  return t->tv_sec;
}

/* O's members in the order of Podman's ListContainer's JSON (Created,
 * its own marshaller's, last); O is released.  */
static json_object *
ps_json_podman_order (json_object *o)
{
  static const char *const order[]
      = { "AutoRemove",   "Command",    "CreatedAt", "CIDFile", "Exited",  "ExitedAt", "ExitCode",
          "ExposedPorts", "Id",         "Image",     "ImageID", "IsInfra", "Labels",   "Mounts",
          "Names",        "Namespaces", "Networks",  "Pid",     "Pod",     "PodName",  "Ports",
          "Restarts",     "Size",       "StartedAt", "State",   "Status",  "Created",  NULL };
  json_object *out = json_object_new_object (), *v;

  for (size_t i = 0; order[i]; i++)
    if (json_object_object_get_ex (o, order[i], &v))
      json_object_object_add (out, order[i], json_object_get (v));
  json_object_put (o);
  return out;
}

/* SIZE: with --size, the container's own bytes and those with its
 * image's, as Podman's {"rootFsSize", "rwSize"}; NULL without.  */
static json_object *
ps_json (const struct ferry_container *c, const char *health, int ns, json_object *size)
{
  json_object *o = json_object_new_object (), *names = json_object_new_array (),
              *mounts = json_object_new_array ();
  json_object *m = ferry_json_get_array (c->record, "Mounts");
  json_object *labels = ferry_json_get_object (c->record, "Labels");
  struct timespec created = { 0 }, started = { 0 }, finished = { 0 };
  cleanup_free char *status = status_text (c, health);
  cleanup_free char *ago = ferry_cli_time_ago (c->created);
  size_t i;

  ferry_time_parse (c->created, &created);
  ferry_time_parse (c->started_at, &started);
  ferry_time_parse (c->finished_at, &finished);
  json_object_array_add (names, json_object_new_string (c->name));
  for (i = 0; m && i < json_object_array_length (m); i++)
    if (! ferry_mount_is_carried_bind (json_object_array_get_idx (m, i)))
      json_object_array_add (mounts, json_object_new_string (ferry_json_get_string (
                                         json_object_array_get_idx (m, i), "Destination")));
  json_object_object_add (o, "Id", json_object_new_string (c->id));
  json_object_object_add (o, "Names", names);
  {
    json_object *ports = ferry_json_get_array (c->record, "Ports");
    json_object_object_add (o, "Ports", ferry_json_array_length (ports) ? json_object_get (ports) : NULL);
  }
  json_object_object_add (o, "Image",
                          json_object_new_string (ferry_json_get_string (c->record, "ImageName")));
  json_object_object_add (o, "ImageID", json_object_new_string (c->image_id));
  {
    json_object *cmd = ferry_json_get_array (c->record, "Cmd");
    json_object_object_add (o, "Command", ferry_json_array_length (cmd) ? json_object_get (cmd) : NULL);
  }
  json_object_object_add (o, "Created", json_object_new_int64 (created.tv_sec));
  /* Podman's --format json says how long ago, as its CREATED column.  */
  json_object_object_add (o, "CreatedAt", json_object_new_string (ago));
  json_object_object_add (o, "State", json_object_new_string (ferry_container_status_name (c->status)));
  json_object_object_add (o, "Status", json_object_new_string (status));
  /* Podman's Exited is its exit's: a checkpoint ends the container
   * without one.  */
  json_object_object_add (
      o, "Exited",
      json_object_new_boolean (c->status == FERRY_CONTAINER_EXITED && ! ferry_container_is_checkpointed (c)));
  json_object_object_add (o, "ExitCode", json_object_new_int (c->exit_code));
  json_object_object_add (o, "Pid", json_object_new_int (ferry_container_has_monitor (c) ? c->pid : 0));
  /* Go's nil map without labels, and its zero time's seconds for a time
   * never set.  */
  json_object_object_add (o, "Labels",
                          labels && json_object_object_length (labels) > 0 ? ferry_json_sorted_object (labels)
                                                                           : NULL);
  json_object_object_add (o, "Mounts", mounts);
  json_object_object_add (o, "StartedAt", json_object_new_int64 (ps_unix_or_zero (c->started_at, &started)));
  json_object_object_add (o, "ExitedAt", json_object_new_int64 (ps_unix_or_zero (c->finished_at, &finished)));
  json_object_object_add (o, "Namespaces", ns ? ps_namespaces (c, 0) : json_object_new_object ());
  /* The rest of Podman's members: ferry has no pods, and sizes only with
   * --size (the template rows).  */
  json_object_object_add (
      o, "AutoRemove",
      json_object_new_boolean (json_object_get_boolean (json_object_object_get (c->record, "AutoRemove"))));
  json_object_object_add (
      o, "CIDFile", json_object_new_string (ferry_json_get_string (c->record, "ContainerIDFile") ?: ""));
  json_object_object_add (o, "ExposedPorts", ps_exposed (c));
  json_object_object_add (o, "IsInfra", json_object_new_boolean (0));
  json_object_object_add (o, "Networks", ps_networks (c));
  json_object_object_add (o, "Pod", json_object_new_string (""));
  json_object_object_add (o, "PodName", json_object_new_string (""));
  json_object_object_add (o, "Restarts",
                          json_object_new_int ((int) ferry_json_get_int (c->record, "RestartCount", 0)));
  json_object_object_add (o, "Size", size);
  return ps_json_podman_order (o);
}

/* The networks, sorted and joined by commas, as Podman's {{.Networks}}.  */
static char *
networks_text (const struct ferry_container *c)
{
  json_object *nets = ferry_json_get_object (c->record, "Networks");
  size_t i, n = 0, len = 1;
  cleanup_free const char **names = NULL;
  char *out;

  if (nets == NULL)
    return xstrdup ("");
  names = xmalloc ((json_object_object_length (nets) + 1) * sizeof (*names));
  json_object_object_foreach (nets, name, v)
  {
    (void) v;
    names[n++] = name;
    len += strlen (name) + 1;
  }
  qsort (names, n, sizeof (*names), compare_names);
  out = xmalloc (len);
  *out = '\0';
  for (i = 0; i < n; i++)
    {
      if (i)
        strcat (out, ",");
      strcat (out, names[i]);
    }
  return out;
}

/* A whole number from MIN to MAX, for an option's value.  */
static int
parse_number (const char *s, long min, long max, long *out)
{
  char *end;

  errno = 0;
  *out = strtol (s, &end, 10);
  return *s && *end == '\0' && errno == 0 && *out >= min && *out <= max ? 0 : -1;
}

/* What Podman logs for each row whose template asks for .Size without
 * --size (which it prints empty).  */
static void
size_unasked (void)
{
  char stamp[32];
  time_t now = time (NULL);
  struct tm tm;

  gmtime_r (&now, &tm);
  strftime (stamp, sizeof (stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
  fprintf (stderr, "time=\"%s\" level=error msg=\"Size format requires --size option\"\n", stamp);
}

/* {{json .}} of a ps row: --format json's object but for what Podman's
 * row struct holds apart from its JSON: Created the time itself (after
 * Command), CreatedAt and Status empty.  */
static json_object *
ps_template_json (const struct ferry_container *c, const char *health, int ns)
{
  cleanup_json json_object *full = ps_json (c, health, ns, NULL);
  json_object *o = json_object_new_object ();

  json_object_object_foreach (full, key, value)
  {
    if (strcmp (key, "Created") == 0)
      continue;
    if (strcmp (key, "CreatedAt") == 0)
      json_object_object_add (o, "Created", json_object_new_string (c->created ? c->created : ""));
    if (strcmp (key, "CreatedAt") == 0 || strcmp (key, "Status") == 0)
      json_object_object_add (o, key, json_object_new_string (""));
    else
      json_object_object_add (o, key, json_object_get (value));
  }
  return o;
}

/* A row of `ps --format TEMPLATE`: the fields of Podman's, as Go prints
 * them (.Names a string, .Created a time, .Labels a map).  */
static json_object *
ps_report (const struct ferry_container *c, const char *health, int no_trunc, const char *size, int ns)
{
  json_object *o = json_object_new_object (), *mounts = json_object_new_array ();
  json_object *m = ferry_json_get_array (c->record, "Mounts"), *labels;
  cleanup_free char *status = status_text (c, health), *cmd = command_text (c, no_trunc);
  cleanup_free char *ago = ferry_cli_time_ago (c->created);
  cleanup_free char *published = ferry_ports_format (ferry_json_get_array (c->record, "Ports"));
  cleanup_free char *exposed = ferry_ports_expose_format (ferry_json_get_array (c->record, "Expose"),
                                                          ferry_json_get_array (c->record, "Ports"));
  cleanup_free char *ports = xasprintf ("%s%s%s", published, *published && *exposed ? ", " : "", exposed);
  cleanup_free char *networks = networks_text (c);
  int id_len = no_trunc ? 64 : 12;
  size_t i;

  for (i = 0; i < ferry_json_array_length (m); i++)
    if (! ferry_mount_is_carried_bind (json_object_array_get_idx (m, i)))
      json_object_array_add (mounts, json_object_new_string (ferry_json_get_string (
                                         json_object_array_get_idx (m, i), "Destination")));
  json_object_object_add (o, "ID", json_object_new_string_len (c->id, strnlen (c->id, id_len)));
  json_object_object_add (o, "Names", json_object_new_string (c->name));
  json_object_object_add (o, "Image",
                          json_object_new_string (ferry_json_get_string (c->record, "ImageName")));
  json_object_object_add (o, "ImageID",
                          json_object_new_string_len (c->image_id, strnlen (c->image_id, id_len)));
  json_object_object_add (o, "Command", json_object_new_string (cmd));
  json_object_object_add (o, "Created", ferry_cli_tpl_time (c->created));
  json_object_object_add (o, "CreatedAt", ferry_cli_tpl_time_text (c->created));
  json_object_object_add (o, "CreatedHuman", json_object_new_string (ago));
  json_object_object_add (o, "RunningFor", json_object_new_string (ago));
  json_object_object_add (o, "Status", json_object_new_string (status));
  json_object_object_add (o, "State", json_object_new_string (ferry_container_status_name (c->status)));
  json_object_object_add (o, "Ports", json_object_new_string (ports));
  /* No labels are a nil map in Podman: JSON null.  */
  labels = ferry_json_get_object (c->record, "Labels");
  json_object_object_add (o, "Labels",
                          ferry_cli_tpl_map (labels && json_object_object_length (labels) ? labels : NULL));
  json_object_object_add (o, "Mounts", mounts);
  json_object_object_add (o, "Networks", json_object_new_string (networks));
  json_object_object_add (o, "ExitCode", json_object_new_int (c->exit_code));
  /* Podman's Exited is its exit's: a checkpoint ends the container
   * without one.  */
  json_object_object_add (
      o, "Exited",
      json_object_new_boolean (c->status == FERRY_CONTAINER_EXITED && ! ferry_container_is_checkpointed (c)));
  json_object_object_add (o, "ExitedAt", json_object_new_int64 (unix_time_or_zero (c->finished_at)));
  json_object_object_add (o, "StartedAt", json_object_new_int64 (unix_time_or_zero (c->started_at)));
  json_object_object_add (o, "Pid", json_object_new_int (ferry_container_has_monitor (c) ? c->pid : 0));
  json_object_object_add (
      o, "AutoRemove",
      json_object_new_boolean (json_object_get_boolean (json_object_object_get (c->record, "AutoRemove"))));
  json_object_object_add (o, "Restarts",
                          json_object_new_int ((int) ferry_json_get_int (c->record, "RestartCount", 0)));
  json_object_object_add (
      o, "CIDFile", json_object_new_string (ferry_json_get_string (c->record, "ContainerIDFile") ?: ""));
  /* A nil map prints as map[].  */
  json_object_object_add (o, "ExposedPorts", ps_exposed (c) ?: json_object_new_object ());
  json_object_object_add (o, "Pod", json_object_new_string (""));
  json_object_object_add (o, "PodName", json_object_new_string (""));
  json_object_object_add (o, "IsInfra", json_object_new_boolean (0));
  /* Without --size, Podman's .Size is "" (and it logs an error).  */
  json_object_object_add (o, "Size", json_object_new_string (size ? size : ""));
  /* A struct of strings, empty without --ns ({      } to print).  */
  json_object_object_add (o, "Namespaces", ns ? ps_namespaces (c, 1) : json_object_new_object ());
  ferry_cli_tpl_go_members (o, "ferry.PsRow");
  return o;
}

/* The bytes C holds of its own and with its image's: "10.7kB (virtual
 * 2.16MB)".  */
static int
ps_size (ferry_engine_t *e, const struct ferry_container *c, uint64_t *rw, uint64_t *virtual_size,
         char **text, ferry_error_t *err)
{
  struct ferry_image *img = NULL;
  uint64_t image_size = 0;
  cleanup_free char *own = NULL, *virt = NULL;

  if (ferry_container_rw_size (e, c, rw, err) < 0)
    return -1;
  if (ferry_store_lookup (e->store, c->image_id, &img, err) < 0)
    ferry_error_release (err); /* its image gone: only its own bytes */
  else
    {
      image_size = ferry_image_reported_size (img);
      ferry_image_free (img);
    }
  *virtual_size = *rw + image_size;
  own = ferry_cli_go_human_size (*rw, 3);
  virt = ferry_cli_go_human_size (*virtual_size, 3);
  *text = xasprintf ("%s (virtual %s)", own, virt);
  return 0;
}

static const struct ferry_cli_column ps_columns[] = {
  { "ID", "CONTAINER ID" },
  { "Names", NULL },
  { "Image", NULL },
  { "ImageID", NULL },
  { "Command", NULL },
  { "Created", NULL },
  { "CreatedAt", NULL },
  { "CreatedHuman", "CREATED" },
  { "RunningFor", NULL },
  { "Status", NULL },
  { "State", NULL },
  { "Ports", NULL },
  { "Labels", NULL },
  { "Mounts", NULL },
  { "Networks", NULL },
  { "ExitCode", NULL },
  { "Exited", NULL },
  { "ExitedAt", NULL },
  { "StartedAt", NULL },
  { "Pid", "PID" },
  { "AutoRemove", NULL },
  { "Restarts", NULL },
  { "Pod", "POD ID" },
  { "PodName", "PODNAME" },
  { "IsInfra", NULL },
  { "Size", NULL },
  /* ps --ns */
  { "Namespaces.Cgroup", "CGROUPNS" },
  { "Namespaces.IPC", "IPC" },
  { "Namespaces.MNT", "MNT" },
  { "Namespaces.NET", "NET" },
  { "Namespaces.PIDNS", "PIDNS" },
  { "Namespaces.User", "USERNS" },
  { "Namespaces.UTS", "UTS" },
  { NULL, NULL },
};

#define PS_DEFAULT_FORMAT                                                                                    \
  "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
#define PS_NS_FORMAT                                                                                         \
  "table {{.ID}}\t{{.Names}}\t{{.Pid}}\t{{.Namespaces.Cgroup}}\t{{.Namespaces.IPC}}\t{{.Namespaces.MNT}}\t"  \
  "{{.Namespaces.NET}}\t{{.Namespaces.PIDNS}}\t{{.Namespaces.User}}\t{{.Namespaces.UTS}}"

enum
{
  OPT_PS_FORMAT = OPT_COMMAND_FIRST + 0x200, /* past the numbers of the options above */
  OPT_PS_NOHEADING,
  OPT_PS_SORT,
  OPT_PS_SYNC,
  OPT_PS_NS,
};

struct ps_flags
{
  int all, quiet, no_trunc, heading, size, ns, external, latest;
  uint64_t watch; /* seconds; 0: once */
  long last;
  const char *format;
  const char *sort;
  struct container_filters filters;
};

static void
ps_flags_release (struct ps_flags *f)
{
  container_filters_release (&f->filters);
}

/* A container and the text --sort orders it by.  */
struct ps_row
{
  struct ferry_container *c;
  const char *health; /* its health check's status, "" without one */
  char *key;
  char *size; /* with --size or --sort size */
  uint64_t rw_size, virtual_size;
  long long created;
  size_t index;
};

static int
ps_row_compare (const void *a, const void *b)
{
  const struct ps_row *x = a, *y = b;
  int r = x->key && y->key ? strcmp (x->key, y->key) : 0;

  if (r == 0 && x->size && y->size)
    r = x->rw_size < y->rw_size ? -1 : x->rw_size > y->rw_size;
  if (r == 0)
    r = x->created < y->created ? -1 : x->created > y->created;
  if (r == 0)
    r = x->index < y->index ? -1 : x->index > y->index;
  return r;
}

static char *
ps_sort_key (const char *sort, const struct ferry_container *c, const char *health)
{
  if (sort == NULL || strcmp (sort, "created") == 0 || strcmp (sort, "size") == 0)
    return NULL;
  if (strcmp (sort, "command") == 0)
    return command_text (c, 1);
  if (strcmp (sort, "id") == 0)
    return xstrdup (c->id);
  if (strcmp (sort, "image") == 0)
    return xstrdup (ferry_json_get_string (c->record, "ImageName") ?: "");
  if (strcmp (sort, "names") == 0)
    return xstrdup (c->name);
  if (strcmp (sort, "runningfor") == 0)
    return ferry_cli_time_ago (c->created);
  return status_text (c, health);
}

static int
ps_option (int c, const char *arg, void *data)
{
  static const char *const sorts[]
      = { "command", "created", "id", "image", "names", "runningfor", "size", "status", NULL };
  struct ps_flags *f = data;
  size_t i;

  switch (c)
    {
    case 'a':
      f->all = 1;
      return 0;
    case 'q':
      f->quiet = 1;
      return 0;
    case OPT_NO_TRUNC:
      f->no_trunc = 1;
      return 0;
    case OPT_PS_NS:
      f->ns = 1;
      return 0;
    case OPT_PS_SYNC:
      /* What ferry ps does anyway: every container's state is settled
       * (its monitor's exit file read) before it is listed.  */
      return 0;
    case OPT_PS_FORMAT:
      f->format = arg;
      return 0;
    case OPT_PS_NOHEADING:
      f->heading = 0;
      return 0;
    case 'f':
      return container_filters_add (&f->filters, arg) < 0 ? -1 : 0;
    case 'l':
      f->last = 1;
      f->latest = 1;
      return 0;
    case 's':
      f->size = 1;
      return 0;
    case OPT_EXTERNAL:
      f->external = 1;
      return 0;
    case 'w':
    case OPT_EXTERNAL_WATCH:
      {
        char *end;
        errno = 0;
        f->watch = strtoull (arg, &end, 10);
        if (*arg < '0' || *arg > '9' || *end != '\0' || errno)
          {
            ferry_cli_failf ("invalid argument \"%s\" for \"-w, --watch\" flag: strconv.ParseUint: parsing "
                             "\"%s\": %s\nSee 'ferry ps --help'",
                             arg, arg, errno == ERANGE ? "value out of range" : "invalid syntax");
            return -1;
          }
        return 0;
      }
    case 'n':
      if (parse_number (arg, -1, LONG_MAX, &f->last) < 0)
        {
          ferry_cli_failf ("invalid argument \"%s\" for \"-n, --last\" flag: strconv.ParseInt: parsing "
                           "\"%s\": %s\nSee 'ferry ps --help'",
                           arg, arg, errno == ERANGE ? "value out of range" : "invalid syntax");
          return -1;
        }
      return 0;
    case OPT_PS_SORT:
      for (i = 0; sorts[i] && strcmp (sorts[i], arg); i++)
        ;
      if (sorts[i] == NULL)
        {
          ferry_cli_failf (
              "invalid argument \"%s\" for \"--sort\" flag: \"%s\" is not a valid value.  Choose "
              "from: \"command, created, id, image, names, runningfor, size, status\"\nSee 'ferry ps "
              "--help'",
              arg, arg);
          return -1;
        }
      f->sort = arg;
      return 0;
    default:
      return 1;
    }
}

static const char ps_usage[]
    = "Usage: ferry ps [options]\n\n"
      "List containers (running ones; -a: all).\n\n"
      "Options:\n"
      "  -a, --all              all containers, not only running ones\n"
      "  -f, --filter KEY=VALUE name=REGEX, id=PREFIX, status=created|running|paused|exited|stopped,\n"
      "                         label=K[=V], label!=K[=V], ancestor=IMAGE, exited=CODE,\n"
      "                         before=CONTAINER, since=CONTAINER, until=TIME|DURATION,\n"
      "                         volume=NAME|DESTINATION, network=NAME,\n"
      "                         health=healthy|unhealthy|starting (repeatable: values of one\n"
      "                         key are alternatives,\n"
      "                         different keys must all hold)\n"
      "      --external         also the containers in ferry's storage that no record names\n"
      "                         (left by a killed ferry: status Storage, no name)\n"
      "      --format FORMAT    json, or a Go template per container ({{.ID}} {{.Names}} {{.Status}});\n"
      "                         \"table TEMPLATE\" adds headings and aligns the columns\n"
      "  -n, --last N           the N containers created last (all states)\n"
      "      --ns, --namespace  the namespaces of each container's process, by inode number\n"
      "                         ({{.Namespaces.NET}}, ...; none when it is not running)\n"
      "  -l, --latest           the container created last\n"
      "      --no-trunc         full IDs and commands\n"
      "      --noheading        no heading row\n"
      "  -q, --quiet            print only container IDs\n"
      "  -s, --size             the bytes each holds of its own and with its image ({{.Size}})\n"
      "      --sort KEY         order by command, created (the default), id, image, names,\n"
      "                         runningfor, size or status\n"
      "      --sync             settle each container's state first (ferry always does)\n"
      "  -w, --watch N          list again every N seconds until interrupted, the screen\n"
      "                         cleared first on a terminal (not with -q or --format json,\n"
      "                         which list once)\n";

/* One listing of ps, as F asks.  */
static int
ps_once (ferry_engine_t *e, struct ps_flags *f)
{
  struct ferry_container **list = NULL;
  cleanup_free struct ps_row *rows = NULL;
  char **health = NULL;
  cleanup_list struct ferry_cli_list out = { 0 };
  json_object **external = NULL;
  ferry_error_t err = NULL;
  size_t n = 0, n_rows = 0, n_external = 0, first = 0, i;
  int ret = 0, all;

  if (ferry_container_list (e, &list, &n, &err) < 0)
    return ferry_cli_fail (&err);

  /* As Podman: a status filter or --last looks at every container.  */
  all = f->all || f->last >= 0;
  all |= container_filters_have (&f->filters, "status");
  rows = xmalloc ((n + 1) * sizeof (*rows));
  health = xmalloc0 ((n + 1) * sizeof (*health));
  for (i = 0; i < n; i++)
    health[i] = ferry_container_health_status (e, list[i]);
  for (i = 0; i < n; i++)
    /* A stopping or paused container is not running: Podman's ps lists it
     * with -a only.  */
    if ((all || list[i]->status == FERRY_CONTAINER_RUNNING)
        && container_filters_match (&f->filters, list[i], health[i]))
      {
        rows[n_rows] = (struct ps_row){
          .c = list[i], .health = health[i], .created = unix_time_or_zero (list[i]->created), .index = n_rows
        };
        n_rows++;
      }
  /* --last: the ones created last, then in the order asked for.  */
  qsort (rows, n_rows, sizeof (*rows), ps_row_compare);
  if (f->last > 0 && (size_t) f->last < n_rows)
    first = n_rows - f->last;
  for (i = first; i < n_rows; i++)
    {
      rows[i].key = ps_sort_key (f->sort, rows[i].c, rows[i].health);
      if ((f->size || (f->sort && strcmp (f->sort, "size") == 0))
          && ps_size (e, rows[i].c, &rows[i].rw_size, &rows[i].virtual_size, &rows[i].size, &err) < 0)
        {
          ret = ferry_cli_fail (&err);
          goto out;
        }
    }
  qsort (rows + first, n_rows - first, sizeof (*rows), ps_row_compare);
  if (f->external
      && (external = ferry_cli_external_rows (
              e, f->no_trunc || (f->format && ferry_cli_format_is_json (f->format)), &n_external))
             == NULL)
    {
      ret = FERRY_EXIT_ERROR;
      goto out;
    }
  if (isatty (STDOUT_FILENO) && f->watch && ! f->quiet
      && ! (f->format && ferry_cli_format_is_json (f->format)))
    fputs ("\033[2J\033[1;1H", stdout);

  if (f->format && ferry_cli_format_is_json (f->format))
    {
      cleanup_json json_object *arr = json_object_new_array ();
      for (i = first; i < n_rows; i++)
        {
          json_object *size = NULL;

          if (f->size)
            {
              size = json_object_new_object ();
              json_object_object_add (size, "rootFsSize",
                                      json_object_new_int64 ((int64_t) rows[i].virtual_size));
              json_object_object_add (size, "rwSize", json_object_new_int64 ((int64_t) rows[i].rw_size));
            }
          json_object_array_add (arr, ps_json (rows[i].c, rows[i].health, f->ns, size));
        }
      for (i = 0; i < n_external; i++)
        json_object_array_add (arr, json_object_get (external[i]));
      cleanup_free char *text = ferry_json_to_podman_list (arr);
      puts (text);
    }
  else if (f->quiet && f->format == NULL)
    {
      for (i = first; i < n_rows; i++)
        printf ("%.*s\n", f->no_trunc ? 64 : 12, rows[i].c->id);
      for (i = 0; i < n_external; i++)
        printf ("%s\n", ferry_json_get_string (external[i], "ID"));
    }
  else
    {
      const char *format = f->format ? f->format
                           : f->ns   ? PS_NS_FORMAT
                           : f->size ? PS_DEFAULT_FORMAT "\t{{.Size}}"
                                     : PS_DEFAULT_FORMAT;

      ferry_cli_template_root_type ("containers.psReporter");
      ferry_cli_list_init (&out, format, ps_columns, f->heading);
      for (i = first; i < n_rows && ret == 0; i++)
        {
          cleanup_json json_object *o
              = ps_report (rows[i].c, rows[i].health, f->no_trunc, f->size ? rows[i].size : NULL, f->ns);

          if (! f->size && strstr (format, ".Size"))
            size_unasked ();
          /* {{json .}} writes the row as --format json does: Podman's
           * row is a struct whose methods (.Names a string) are not its
           * JSON (Names a list).  */
          if (strstr (format, "json"))
            {
              cleanup_json json_object *as = ps_template_json (rows[i].c, rows[i].health, f->ns);
              ferry_cli_tpl_json_as (o, as);
            }
          ret = ferry_cli_list_row (&out, o, &err);
        }
      for (i = 0; i < n_external && ret == 0; i++)
        ret = ferry_cli_list_row (&out, external[i], &err);
      if (ret == 0)
        ret = ferry_cli_list_end (&out, &err);
      if (ret < 0)
        ret = ferry_cli_fail (&err);
    }
out:
  for (i = 0; i < n_rows; i++)
    {
      free (rows[i].key);
      free (rows[i].size);
    }
  for (i = 0; health && i < n; i++)
    free (health[i]);
  free (health);
  for (i = 0; external && i < n_external; i++)
    json_object_put (external[i]);
  free (external);
  ferry_containers_free (list, n);
  return ret;
}

int
ferry_cmd_ps (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "quiet", no_argument, NULL, 'q' },
                                        { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
                                        { "format", required_argument, NULL, OPT_PS_FORMAT },
                                        { "filter", required_argument, NULL, 'f' },
                                        { "last", required_argument, NULL, 'n' },
                                        { "latest", no_argument, NULL, 'l' },
                                        { "noheading", no_argument, NULL, OPT_PS_NOHEADING },
                                        { "sort", required_argument, NULL, OPT_PS_SORT },
                                        { "size", no_argument, NULL, 's' },
                                        { "sync", no_argument, NULL, OPT_PS_SYNC },
                                        { "ns", no_argument, NULL, OPT_PS_NS },
                                        { "namespace", no_argument, NULL, OPT_PS_NS },
                                        FERRY_EXTERNAL_OPTION,
                                        { "watch", required_argument, NULL, OPT_EXTERNAL_WATCH },
                                        HELP_OPTION,
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  struct ps_flags f = { .heading = 1, .last = -1 };
  int r, ret;

  r = simple_options (argc, argv, "ps", ":aqf:ln:sw:", opts, ps_usage, ps_option, &f);
  if (r <= 0 || optind < argc)
    {
      ps_flags_release (&f);
      if (r > 0)
        return ferry_cli_failf ("`ferry %s` takes no arguments (got `%s`)", ferry_cli_command_path (),
                                argv[optind]);
      return r < 0 ? FERRY_EXIT_ERROR : 0;
    }
  /* Podman's checks, in its words.  */
  if (f.quiet && (f.size || f.ns))
    {
      ps_flags_release (&f);
      return ferry_cli_failf ("quiet conflicts with size and namespace");
    }
  if (f.size && f.ns)
    {
      ps_flags_release (&f);
      return ferry_cli_failf ("size and namespace options conflict");
    }
  if (f.watch && f.latest)
    {
      ps_flags_release (&f);
      return ferry_cli_failf ("the watch and latest flags cannot be used together");
    }
  e = ferry_cli_open_engine ();
  if (e == NULL || container_filters_resolve (&f.filters, e) < 0)
    {
      ps_flags_release (&f);
      return FERRY_EXIT_ERROR;
    }
  ret = ps_once (e, &f);
  /* As Podman's: -q and json list once.  */
  while (ret == 0 && f.watch && ! f.quiet && ! (f.format && ferry_cli_format_is_json (f.format)))
    {
      fflush (stdout);
      sleep (f.watch > UINT_MAX ? UINT_MAX : (unsigned) f.watch);
      ret = ps_once (e, &f);
    }
  ps_flags_release (&f);
  return ret;
}

static const char cleanup_usage[]
    = "Usage: ferry container cleanup [options] CONTAINER [CONTAINER...]\n\n"
      "Unmount the root file system and /dev/shm of exited containers, take down their\n"
      "network, and record their exit; what ferry does by itself when a container exits,\n"
      "run by hand when that did not happen.  A running container is left as it is.  When\n"
      "one container given is unknown, none is touched, and that is no error (as Podman).\n"
      "Prints each container as given.\n\n"
      "Options:\n"
      "  -a, --all          every container (printed by ID)\n"
      "      --exec SESSION clean up this exec session of the one container instead, which\n"
      "                     stays listed in inspect's .ExecIDs (with --rm: removed); one that\n"
      "                     is not there is no error\n"
      "  -l, --latest       the container created last (printed by ID)\n"
      "      --rm           then remove the container (not a running one)\n"
      "      --rmi          then remove its image, unless a container still uses it\n";

/* `container cleanup --exec SESSION`: Podman reports a session that still
 * runs as its log's error, then as the command's.  */
static int
cleanup_exec_session (ferry_engine_t *e, const char *ref, const char *session, int rm)
{
  ferry_error_t err = NULL;
  char stamp[32];
  time_t now = time (NULL);
  struct tm tm;

  if (ferry_exec_session_cleanup (e, ref, session, rm, &err) == 0)
    return 0;
  gmtime_r (&now, &tm);
  strftime (stamp, sizeof (stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
  fprintf (stderr, "time=\"%s\" level=error msg=\"Running container cleanup: %s\"\n", stamp, err->msg);
  return ferry_cli_fail (&err);
}

/* Cleans up REF, then removes it (RM) and its image (RMI); prints SHOWN
 * when all went.  Not found is not an error: conmon's cleanup of a
 * container removed meanwhile lands here.  */
static int
cleanup_one (ferry_engine_t *e, const char *ref, const char *shown, int rm, int rmi)
{
  cleanup_free char *image_id = NULL, *id = NULL;
  ferry_error_t err = NULL;

  if (ferry_container_identify (e, ref, &id, &image_id, &err) < 0)
    {
      if (err->kind != FERRY_ERROR_NOT_FOUND)
        return ferry_cli_fail (&err);
      ferry_error_release (&err);
      return 0;
    }
  if (ferry_container_cleanup (e, id, &err) < 0)
    return ferry_cli_fail (&err);
  if (rm && ferry_container_remove (e, id, 0, 1, &err) < 0)
    {
      if (err->kind != FERRY_ERROR_NOT_FOUND)
        {
          ferry_error_wrap (&err, "failed to clean up and remove container %s", id);
          return ferry_cli_fail (&err);
        }
      ferry_error_release (&err);
    }
  if (rmi)
    {
      struct ferry_remove_report rep = { 0 };

      if (ferry_store_remove (e->store, image_id, 1, &rep, &err) < 0)
        return ferry_cli_fail (&err);
      for (size_t k = 0; rep.untagged && rep.untagged[k]; k++)
        ferry_cli_event ("image", "untag", image_id, rep.untagged[k]);
      ferry_cli_event ("image", "remove", image_id, NULL);
      ferry_remove_report_free (&rep);
    }
  puts (shown);
  return 0;
}

static int
container_cleanup (int argc, char **argv)
{
  enum
  {
    OPT_CLEANUP_RM = OPT_COMMAND_FIRST,
    OPT_CLEANUP_RMI,
  };
  enum
  {
    OPT_CLEANUP_EXEC = OPT_COMMAND_FIRST + 0x2300,
  };
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "all", no_argument, NULL, 'a' },
    { "latest", no_argument, NULL, 'l' },
    { "rm", no_argument, NULL, OPT_CLEANUP_RM },
    { "rmi", no_argument, NULL, OPT_CLEANUP_RMI },
    { "exec", required_argument, NULL, OPT_CLEANUP_EXEC },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_engine ferry_engine_t *e = NULL;
  ferry_error_t err = NULL;
  const char *exec_session = NULL;
  int all = 0, latest = 0, rm = 0, rmi = 0, c, r, ret = 0;

  while ((c = getopt_long (argc, argv, ":alh", opts, NULL)) != -1)
    switch (c)
      {
      case 'a':
        all = 1;
        break;
      case 'l':
        latest = 1;
        break;
      case OPT_CLEANUP_RM:
        rm = 1;
        break;
      case OPT_CLEANUP_RMI:
        rmi = 1;
        break;
      case OPT_CLEANUP_EXEC:
        exec_session = optarg;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "container cleanup", argv, cleanup_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (all && latest)
    return ferry_cli_failf ("--all and --latest cannot be used together");
  if (all && optind < argc)
    return ferry_cli_failf ("no arguments are needed with --all");
  if (latest && optind < argc)
    return ferry_cli_failf ("--latest and containers cannot be used together");
  if (! all && ! latest && optind >= argc)
    return ferry_cli_failf ("you must provide at least one name or id");
  if (exec_session && all)
    return ferry_cli_failf ("--all and --exec cannot be set together");
  if (exec_session && argc - optind > 1)
    return ferry_cli_failf ("cannot use exec option when more than one container is given");
  if (exec_session && rmi)
    return ferry_cli_failf ("--exec and --rmi cannot be set together");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (exec_session && latest)
    {
      struct ferry_container *last = NULL;

      if (ferry_container_latest (e, &last, &err) < 0)
        {
          /* No container at all: nothing to clean up, as Podman.  */
          if (err->kind != FERRY_ERROR_NOT_FOUND)
            return ferry_cli_fail (&err);
          ferry_error_release (&err);
          return 0;
        }
      ret = cleanup_exec_session (e, last->id, exec_session, rm);
      ferry_container_free (last);
      return ret;
    }
  if (exec_session)
    return cleanup_exec_session (e, argv[optind], exec_session, rm);
  if (all || latest)
    {
      struct ferry_container **list = NULL, *last = NULL;
      size_t n = 0, i;

      if (latest ? ferry_container_latest (e, &last, &err) : ferry_container_list (e, &list, &n, &err))
        return ferry_cli_fail (&err);
      if (latest)
        {
          list = xmalloc0 (sizeof (*list));
          list[0] = last;
          n = 1;
        }
      for (i = 0; i < n; i++)
        if (cleanup_one (e, list[i]->id, list[i]->id, rm, rmi) != 0)
          ret = FERRY_EXIT_ERROR;
      ferry_containers_free (list, n);
      return ret;
    }
  /* As Podman: one container that does not exist, and none is touched
   * (nor is it an error).  */
  for (int i = optind; i < argc; i++)
    {
      cleanup_free char *id = NULL, *image_id = NULL;

      if (ferry_container_identify (e, argv[i], &id, &image_id, &err) < 0)
        {
          if (err->kind != FERRY_ERROR_NOT_FOUND)
            return ferry_cli_fail (&err);
          ferry_error_release (&err);
          return 0;
        }
    }
  for (; optind < argc; optind++)
    if (cleanup_one (e, argv[optind], argv[optind], rm, rmi) != 0)
      ret = FERRY_EXIT_ERROR;
  return ret;
}

/* CRIU's action script for a restore (runtime/mount_flags.h): CONFIG is
 * the restored container's config.json, PID its first process.  Not for
 * users, and not in --help.  */
static int
container_restore_mount_flags (int argc, char **argv)
{
  ferry_error_t err = NULL;
  char *end;
  long pid;

  if (argc != 3)
    return ferry_cli_failf ("usage: ferry container restore-mount-flags CONFIG PID");
  errno = 0;
  pid = strtol (argv[2], &end, 10);
  if (errno || end == argv[2] || *end || pid <= 0 || pid > INT32_MAX)
    return ferry_cli_failf ("restore-mount-flags: `%s` is not a process ID", argv[2]);
  if (ferry_mount_flags_restore (argv[1], (pid_t) pid, &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

int
ferry_cli_remove_containers_using (ferry_engine_t *e, const char *image_id, const char *volume,
                                   ferry_error_t *err)
{
  return ferry_cli_remove_containers_using_within (e, image_id, volume, FERRY_STOP_TIMEOUT_OWN, err);
}

int
ferry_cli_remove_containers_using_within (ferry_engine_t *e, const char *image_id, const char *volume,
                                          int timeout, ferry_error_t *err)
{
  struct ferry_container **list = NULL;
  size_t n = 0, i, j;
  int ret = 0;

  if (ferry_container_list (e, &list, &n, err) < 0)
    return -1;
  for (i = 0; i < n && ret == 0; i++)
    {
      json_object *mounts = ferry_json_get_array (list[i]->record, "Mounts");
      int uses = image_id && strcmp (list[i]->image_id, image_id) == 0;

      for (j = 0; volume && ! uses && mounts && j < json_object_array_length (mounts); j++)
        {
          const char *name = ferry_json_get_string (json_object_array_get_idx (mounts, j), "Name");
          uses = name && strcmp (name, volume) == 0;
        }
      if (uses && timeout == 0)
        ret = ferry_container_remove (e, list[i]->id, 1, 0, err);
      else if (uses)
        ret = ferry_cli_remove_stopping (e, list[i]->id, list[i]->name, timeout, 0, err);
    }
  ferry_containers_free (list, n);
  return ret;
}

static int
container_list (int argc, char **argv)
{
  return ferry_cmd_ps (argc, argv);
}

/* Prints C's published ports (each after PREFIX), or with WANT where that
 * one is published; 0, or the exit code after saying WANT is none.  */
static int
port_print (const struct ferry_container *c, const char *want, const char *prefix)
{
  json_object *ports = ferry_json_get_array (c->record, "Ports");
  int shown = 0;

  /* Podman reads WANT's number first (a Go uint16), in its words.  */
  if (want)
    {
      size_t n = strcspn (want, "/");
      char *end;
      unsigned long v;

      errno = 0;
      v = strtoul (want, &end, 10);
      if (n == 0 || strspn (want, "0123456789") < n)
        return ferry_cli_failf (
            "strconv.ParseUint: parsing \"%.*s\": invalid syntax: give a port, such as 80 or "
            "80/udp",
            (int) n, want);
      if (errno || v > 65535)
        return ferry_cli_failf (
            "strconv.ParseUint: parsing \"%.*s\": value out of range: give a port from 1 to "
            "65535",
            (int) n, want);
    }
  /* Only a running container's ports are published, as Podman says.  */
  if (c->status != FERRY_CONTAINER_RUNNING && c->status != FERRY_CONTAINER_PAUSED)
    return 0;
  for (size_t i = 0; i < ferry_json_array_length (ports); i++)
    {
      json_object *m = json_object_array_get_idx (ports, i);
      const char *ip = ferry_json_get_string (m, "host_ip"), *proto = ferry_json_get_string (m, "protocol");

      for (int64_t k = 0; k < ferry_json_get_int (m, "range", 1); k++)
        {
          long long ctr = ferry_json_get_int (m, "container_port", 0) + k;
          long long host = ferry_json_get_int (m, "host_port", 0) + k;
          cleanup_free char *key = xasprintf ("%lld/%s", ctr, proto), *bare = xasprintf ("%lld", ctr);

          if (want && strcmp (want, key) != 0 && ! (strcmp (want, bare) == 0 && strcmp (proto, "tcp") == 0))
            continue;
          if (want)
            printf ("%s:%lld\n", *ip ? ip : "0.0.0.0", host);
          else
            printf ("%s%s -> %s:%lld\n", prefix, key, *ip ? ip : "0.0.0.0", host);
          shown++;
        }
    }
  /* As Podman: a container that publishes nothing has nothing to say.  */
  if (want && shown == 0 && ferry_json_array_length (ports) > 0)
    return ferry_cli_failf ("failed to find published port \"%s\"", want);
  return 0;
}

/* port --all: every running container's ports, each line after its short
 * ID and a tab.  */
static int
port_all (ferry_engine_t *e)
{
  struct ferry_container **list = NULL;
  ferry_error_t err = NULL;
  size_t n = 0, i;

  if (ferry_container_list (e, &list, &n, &err) < 0)
    return ferry_cli_fail (&err);
  for (i = 0; i < n; i++)
    if (list[i]->status == FERRY_CONTAINER_RUNNING)
      {
        cleanup_free char *prefix = xasprintf ("%.12s\t", list[i]->id);
        port_print (list[i], NULL, prefix);
      }
  ferry_containers_free (list, n);
  return 0;
}

static int
port_option (int c, const char *arg, void *data)
{
  int *flags = data;

  (void) arg;
  if (c == 'a')
    flags[0] = 1;
  else if (c == 'l')
    flags[1] = 1;
  else
    return 1;
  return 0;
}

int
ferry_cmd_port (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "all", no_argument, NULL, 'a' },
                                        { "latest", no_argument, NULL, 'l' },
                                        { "help", no_argument, NULL, 'H' },
                                        { NULL, 0, NULL, 0 } };
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_container *c = NULL;
  ferry_error_t err = NULL;
  int flags[2] = { 0, 0 }; /* --all, --latest */
  int r, nargs;

  r = simple_options (argc, argv, "port", ":al", opts,
                      "Usage: ferry port [options] CONTAINER [PORT[/PROTOCOL]]\n\n"
                      "List a container's published ports, or where one of them is published.\n\n"
                      "Options:\n"
                      "  -a, --all     every running container's, each line after its ID and a tab\n"
                      "  -l, --latest  the container created last's (then PORT may follow alone)\n",
                      port_option, flags);
  if (r <= 0)
    return r < 0 ? FERRY_EXIT_ERROR : 0;
  nargs = argc - optind;
  if (flags[0] && nargs > 0)
    return ferry_cli_failf ("no arguments are needed with --all");
  if (! flags[0] && ! flags[1] && nargs < 1)
    return ferry_cli_failf ("you must supply a running container name or id");
  /* Podman's words for three or more.  */
  if (nargs > 2)
    return ferry_cli_failf ("`port` accepts at most 2 arguments: ferry port CONTAINER [PORT[/PROTO]]");
  if (nargs > (flags[1] ? 1 : 2))
    return ferry_cli_failf (
        "ferry port takes a container and maybe a port: ferry port CONTAINER [PORT[/PROTO]]");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (flags[0])
    return port_all (e);
  if ((flags[1] ? ferry_container_latest (e, &c, &err) : ferry_container_lookup (e, argv[optind++], &c, &err))
      < 0)
    return ferry_cli_fail (&err);
  r = port_print (c, optind < argc ? argv[optind] : NULL, "");
  ferry_container_free (c);
  return r;
}

int
ferry_cmd_container (int argc, char **argv)
{
  static const struct ferry_command table[] = {
    { "attach", ferry_cmd_attach, "Attach to a running container" },
    { "checkpoint", ferry_cmd_checkpoint, "Checkpoint one or more running containers" },
    { "cleanup", container_cleanup, "Clean up network and mountpoints of one or more containers" },
    { "clone", container_clone, "Clone an existing container" },
    { "commit", ferry_cmd_commit, "Create new image based on the changed container" },
    { "cp", ferry_cmd_cp, "Copy files/folders between a container and the local filesystem" },
    { "create", ferry_cmd_create, "Create but do not start a container" },
    { "diff", container_diff, "Inspect changes to a container's file system" },
    { "exec", ferry_cmd_exec, "Run a process in a running container" },
    { "exists", container_exists, "Check if a container exists" },
    { "export", ferry_cmd_export, "Export a container's file system contents as a tar archive" },
    { "init", ferry_cmd_init, "Initialize one or more containers" },
    { "inspect", ferry_cmd_container_inspect, "Display the configuration of a container" },
    { "kill", ferry_cmd_kill, "Kill one or more running containers with a signal" },
    { "list", container_list, NULL },
    { "logs", ferry_cmd_logs, "Fetch the logs of a container" },
    { "mount", ferry_cmd_mount, "Mount a working container's root filesystem" },
    { "ls", container_list, "List containers" },
    { "migrate", ferry_cmd_migrate, "Move a running container to another host" },
    { "pause", ferry_cmd_pause, "Pause all the processes in one or more containers" },
    { "port", ferry_cmd_port, "List a container's published ports" },
    { "prune", ferry_cmd_container_prune, "Remove all non running containers" },
    { "ps", container_list, NULL },
    { "rename", ferry_cmd_rename, "Rename an existing container" },
    { "restart", ferry_cmd_restart, "Restart one or more containers" },
    { "restore", ferry_cmd_restore, "Restore one or more checkpointed containers" },
    { "restore-mount-flags", container_restore_mount_flags, NULL },
    { "rm", ferry_cmd_rm, "Remove one or more containers" },
    { "run", ferry_cmd_run, "Run a command in a new container" },
    { "runlabel", ferry_cmd_container_runlabel, "Execute the command described by an image label" },
    { "start", ferry_cmd_start, "Start one or more containers" },
    { "stats", ferry_cmd_stats, "Display a live stream of container resource usage statistics" },
    { "stop", ferry_cmd_stop, "Stop one or more containers" },
    { "top", ferry_cmd_top, "Display the running processes of a container" },
    { "umount", ferry_cmd_unmount, NULL },
    { "unmount", ferry_cmd_unmount, "Unmount working container's root filesystem" },
    { "unpause", ferry_cmd_unpause, "Unpause the processes in one or more containers" },
    { "update", ferry_cmd_update, "Update an existing container" },
    { "wait", ferry_cmd_wait, "Block on one or more containers" },
    { NULL, NULL, NULL },
  };

  return ferry_cli_dispatch ("container", table, argc - 1, argv + 1);
}
