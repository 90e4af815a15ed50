/* ferry: the OCI runtime spec (config.json) of a container, generated from
 * its image and options with Podman's defaults: namespaces (pid, ipc, uts,
 * mount, cgroup, and network unless the host's is shared), the default
 * capability set, masked and read-only paths, /proc, /dev, /dev/pts,
 * /dev/shm, /dev/mqueue, /sys, /sys/fs/cgroup, and ferry's own /etc/hosts,
 * /etc/resolv.conf and /etc/hostname files bound in.  */
#ifndef FERRY_RUNTIME_SPEC_H
#define FERRY_RUNTIME_SPEC_H

#include "../util/error.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The runtime spec version of the config.json ferry writes: what Podman
 * 5.4 writes (its runtime-spec library's), and what ferry's config.json
 * is: linux.personality came with 1.1.0, and 1.2.0 added only optional
 * members.  runc 1.1's own "spec: 1.0.2-dev" is the version it was built
 * against; it reads newer configs and ignores what it does not know.  */
#define FERRY_SPEC_OCI_VERSION "1.2.0"

enum ferry_mount_type
{
  FERRY_MOUNT_BIND,   /* a host path (a bind mount or a volume's _data) */
  FERRY_MOUNT_TMPFS,  /* a fresh tmpfs */
  FERRY_MOUNT_RAMFS,  /* a fresh ramfs */
  FERRY_MOUNT_DEVPTS, /* a new devpts instance */
};

struct ferry_spec_mount
{
  enum ferry_mount_type type;
  const char *source; /* host path for BIND; unused for the others */
  const char *destination;
  int readonly;
  /* Strings: OCI options beyond the defaults, each one that
   * ferry_mount_option_is_valid takes (others are refused); may be NULL.  */
  json_object *options;
  int chown; /* a TMPFS owned by the process's uid and gid (--mount U) */
  /* A BIND of the user's own host path (-v /SRC:/DEST, --mount type=bind):
   * no nosuid or nodev unless its options say so, as with Podman.  Every
   * other BIND (volumes, ferry's own files) is nosuid and nodev unless its
   * options say suid or dev.  */
  int host_bind;
};

/* A device node the container gets (linux.devices), with the cgroup rule
 * that lets it use the node as ACCESS says.  */
struct ferry_spec_device
{
  char *path; /* in the container */
  char type;  /* 'c' or 'b' */
  int64_t major;
  int64_t minor;
  uint32_t file_mode; /* the permission bits */
  uint32_t uid;
  uint32_t gid;
  char access[4]; /* "rwm", or a part of it */
};

struct ferry_spec_params
{
  const char *id;
  const char *rootfs; /* the mounted overlay (merged dir) */
  char **args;        /* final process args, NULL-terminated, non-empty */
  char **env;         /* final environment, NULL-terminated */
  const char *cwd;    /* "/" when NULL or empty */
  uid_t uid;
  gid_t gid;
  gid_t *additional_gids;
  size_t n_additional_gids;
  const char *hostname;
  int terminal;
  int stdin_open;
  int host_network;                      /* share the host's network namespace */
  int host_cgroupns;                     /* share the host's cgroup namespace */
  const char *hosts_path;                /* bound to /etc/hosts */
  const char *resolv_path;               /* bound to /etc/resolv.conf */
  const char *hostname_path;             /* bound to /etc/hostname */
  const char *containerenv_path;         /* bound to /run/.containerenv */
  int no_hosts;                          /* no /etc/hosts bound: the image's stays */
  int no_resolv_conf;                    /* no /etc/resolv.conf bound: the same */
  int no_hostname;                       /* no /etc/hostname bound (--no-hostname) */
  const char *shm_path;                  /* a tmpfs mounted by the engine, bound to /dev/shm */
  const struct ferry_spec_mount *mounts; /* user mounts, in order */
  size_t n_mounts;
  const char *cgroups_path; /* e.g. "/ferry/<id>" */
  json_object *annotations; /* may be NULL; copied */
  /* A seccomp profile in containers' seccomp.json format (seccomp.h),
   * applied for the container's capabilities; NULL: unconfined.  */
  json_object *seccomp_profile;
  /* The most processes the container may have; <= 0: no limit.  */
  int64_t pids_limit;
  /* The capability set ("CAP_CHOWN", ...; NULL-terminated); NULL: the
   * default one.  */
  char **capabilities;
  int read_only; /* the root file system */
  int no_new_privileges;
  int64_t memory;                          /* bytes; 0: no limit */
  int64_t nano_cpus;                       /* CPUs * 1e9; 0: no limit */
  const struct ferry_spec_rlimit *rlimits; /* beyond or instead of the defaults */
  size_t n_rlimits;
  /* Podman's --privileged: /sys and /sys/fs/cgroup writable, no default
   * masked or read-only paths, every device allowed in the cgroup.  The
   * caller gives the capabilities (ferry_spec_privileged_capabilities)
   * and the host's devices (ferry_spec_host_devices).  */
  int privileged;
  const struct ferry_spec_device *devices; /* nodes to create, allowed in the cgroup */
  size_t n_devices;
  json_object *sysctls; /* { "net.ipv4.ip_forward": "1" }; may be NULL; copied */
  char **mask;          /* paths masked beyond the defaults; may be NULL */
  /* A directory of the caller's, in which ferry_spec_generate makes an
   * empty directory for each masked directory under /sys, bound read-only
   * over it instead of runc's tmpfs: only to restore checkpoints taken
   * when ferry masked so (ferry_spec_images_bind_masks); NULL: all masked
   * as runc does.  */
  const char *mask_dir;
  /* Default masked and read-only paths left out: fnmatch patterns
   * such as "/proc/k*", or "ALL"; may be NULL.  */
  char **unmask;
  /* A read-only root without its tmpfs mounts: /dev and /dev/shm
   * read-only too, as Podman's --read-only-tmpfs=false makes them.  */
  int dev_read_only;
  int oom_score_adj; /* the process's, -1000 to 1000 */
  /* The process's umask when UMASK_SET (--umask), else 0022.  */
  int umask_set;
  unsigned umask;
};

struct ferry_spec_rlimit
{
  char type[32]; /* "RLIMIT_NOFILE" */
  int64_t soft;  /* -1: unlimited */
  int64_t hard;
};

/* The limits a container's process gets: LIMITS (N of them, its own) as
 * they are, then Podman's defaults for RLIMIT_NOFILE and RLIMIT_NPROC
 * where LIMITS has none, at most our own where runc could not raise them.
 * OUT has room for N + 2; returns how many it holds.  */
size_t ferry_spec_effective_rlimits (const struct ferry_spec_rlimit *limits, size_t n,
                                     struct ferry_spec_rlimit *out);

/* "nofile=1024:2048", "nproc=512" (soft and hard alike), "-1" for
 * unlimited, into *OUT.  -1 when it is not one.  */
int ferry_spec_parse_ulimit (const char *text, struct ferry_spec_rlimit *out);

/* True when TYPE ("RLIMIT_NOFILE") is a limit ferry knows.  */
int ferry_spec_rlimit_known (const char *type);

/* Podman's default capability set (NULL-terminated).  */
const char *const *ferry_spec_default_capabilities (void);

/* NAME ("net_admin", "CAP_NET_ADMIN", "all") as ferry keeps it
 * ("CAP_NET_ADMIN", "ALL"), or NULL when it is no capability.  */
char *ferry_spec_capability_name (const char *name);

/* The default set less DROP and with ADD (kept names, "ALL" allowed;
 * either may be NULL), NULL-terminated, newly allocated.  */
char **ferry_spec_capabilities (char *const *add, char *const *drop);

/* The capabilities of a privileged container: every one this ferry knows
 * that is in its own bounding set (runc cannot give more).  */
char **ferry_spec_privileged_capabilities (void);

/* Parses --device HOST[:CONTAINER][:ACCESS] as Podman does: CONTAINER
 * defaults to HOST, ACCESS to "rwm".  -1 when malformed.  */
int ferry_spec_parse_device (const char *text, char **host, char **container, char access[4]);

/* True when S is r, w and m, each at most once, at least one.  */
int ferry_spec_device_access_is_valid (const char *s);

/* The device node at HOST (symbolic links followed), for CONTAINER with
 * ACCESS.  Not a character or block device: an error naming HOST.  */
int ferry_spec_device_from_path (const char *host, const char *container, const char *access,
                                 struct ferry_spec_device *out, ferry_error_t *err);

/* Every device node under /dev, as Podman gives a privileged container
 * (not /dev/pts, /dev/shm, /dev/mqueue, /dev/fd, /dev/console, links).  */
int ferry_spec_host_devices (struct ferry_spec_device **out, size_t *n, ferry_error_t *err);

void ferry_spec_devices_free (struct ferry_spec_device *devices, size_t n);

enum ferry_sysctl_namespace
{
  FERRY_SYSCTL_REFUSED, /* not namespaced (or not a sysctl name) */
  FERRY_SYSCTL_NET,     /* net.*: the network namespace's */
  FERRY_SYSCTL_IPC,     /* kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*: the IPC namespace's */
};

/* Which namespace the sysctl NAME belongs to, by Podman's list of the
 * ones a container may set.  */
enum ferry_sysctl_namespace ferry_spec_sysctl_namespace (const char *name);

/* True when VALUE may be written to a sysctl: not empty, no control
 * characters, no space at either end.  */
int ferry_spec_sysctl_value_is_valid (const char *value);

/* Podman's default --pids-limit.  */
#define FERRY_DEFAULT_PIDS_LIMIT 2048

/* Returns a new config.json object.  */
json_object *ferry_spec_generate (const struct ferry_spec_params *p, ferry_error_t *err);

/* True when the CRIU images in IMAGES_DIR (a checkpoint's) hold masked
 * directories that were binds of a ferry bundle's masked/N directories
 * (ferry_spec_params.mask_dir), as ferry made them before it went back to
 * runc's tmpfs: their restore must offer the same binds.  */
bool ferry_spec_images_bind_masks (const char *images_dir);

/* True when every container gets a mount at DESTINATION (/proc, /dev,
 * /etc/hosts, /run/.containerenv, ...), which a user mount there replaces.  */
bool ferry_spec_is_default_destination (const char *destination);

/* Resolves USER ("", "name", "uid", "name:group", "uid:gid") against the
 * container's /etc/passwd and /etc/group, read inside ROOTFS without
 * following links out of it.  A numeric uid missing from passwd is fine
 * (gid 0 unless given); a missing name is an error naming it.
 * *ADDITIONAL gets the groups that list the user (malloc'ed, may be NULL).  */
int ferry_spec_resolve_user (const char *rootfs, const char *user, uid_t *uid, gid_t *gid, gid_t **additional,
                             size_t *n_additional, char **home, ferry_error_t *err);

/* Adds to *GIDS (N of them, malloc'ed) the gid of each of GROUPS (names
 * of ROOTFS's /etc/group, read as ferry_spec_resolve_user reads it, or
 * numbers), leaving out those already there.  A name not found: kind
 * COMMAND_NOT_EXECUTABLE, as Podman exits 126 there.  */
int ferry_spec_resolve_groups (const char *rootfs, char *const *groups, gid_t **gids, size_t *n,
                               ferry_error_t *err);

/* The text of /NAME in ROOTFS, read without following links out of it,
 * into *TEXT; *TEXT stays NULL when there is no such file.  */
int ferry_spec_read_root_file (const char *rootfs, const char *name, char **text, ferry_error_t *err);

#endif
