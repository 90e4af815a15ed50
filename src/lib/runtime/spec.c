/* ferry: the OCI runtime spec of a container, shaped like the one Podman 5
 * (rootful) writes for `podman run --network none IMAGE`, and the lookup of
 * a `--user` value in the container's own passwd and group files.  */
#include "spec.h"
#include "seccomp.h"
#include "mount_options.h"
#include "../util/json.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <fnmatch.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Podman's default capability set (containers.conf `default_capabilities`). */
static const char *const DEFAULT_CAPABILITIES[]
    = { "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",     "CAP_FSETID",
        "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",    "CAP_SETGID",
        "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT", NULL };

static const char *const MASKED_PATHS[] = { "/proc/acpi",
                                            "/proc/kcore",
                                            "/proc/keys",
                                            "/proc/latency_stats",
                                            "/proc/timer_list",
                                            "/proc/timer_stats",
                                            "/proc/sched_debug",
                                            "/proc/scsi",
                                            "/sys/firmware",
                                            "/sys/fs/selinux",
                                            "/sys/dev/block",
                                            "/proc/interrupts",
                                            "/sys/devices/virtual/powercap",
                                            NULL };

static const char *const READONLY_PATHS[]
    = { "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL };

static const char *const PROC_OPTIONS[] = { "nosuid", "noexec", "nodev", NULL };
static const char *const DEV_OPTIONS[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
static const char *const DEVPTS_OPTIONS[]
    = { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", NULL };
static const char *const MQUEUE_OPTIONS[] = { "nosuid", "noexec", "nodev", NULL };
static const char *const SYSFS_OPTIONS[] = { "nosuid", "noexec", "nodev", "ro", NULL };
static const char *const CGROUP_OPTIONS[]
    = { "rprivate", "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
static const char *const SHM_OPTIONS[] = { "bind", "rprivate", "nosuid", "noexec", "nodev", NULL };
/* --privileged: /sys and the cgroup tree writable, as Podman mounts them.  */
static const char *const SYSFS_RW_OPTIONS[] = { "nosuid", "noexec", "nodev", "rw", NULL };
static const char *const CGROUP_RW_OPTIONS[]
    = { "rprivate", "nosuid", "noexec", "nodev", "relatime", "rw", NULL };
/* --read-only --read-only-tmpfs=false: nothing writable at all.  */
static const char *const DEV_RO_OPTIONS[]
    = { "nosuid", "strictatime", "mode=755", "size=65536k", "ro", NULL };
static const char *const SHM_RO_OPTIONS[] = { "bind", "rprivate", "nosuid", "noexec", "nodev", "ro", NULL };
static const char *const ETC_FILE_OPTIONS[] = { "bind", "rprivate", NULL };

static const char *const MASK_BIND_OPTIONS[]
    = { "bind", "rprivate", "nosuid", "nodev", "noexec", "ro", NULL };

struct mount_entry
{
  const char *destination;
  const char *type;
  const char *source; /* NULL for a bind means the caller gave no path */
  const char *const *options;
};

enum
{
  N_DEFAULT_MOUNTS = 11
};

static void
default_mounts (const struct ferry_spec_params *p, struct mount_entry out[N_DEFAULT_MOUNTS])
{
  const struct mount_entry defaults[N_DEFAULT_MOUNTS] = {
    { "/proc", "proc", "proc", PROC_OPTIONS },
    { "/dev", "tmpfs", "tmpfs", p->dev_read_only ? DEV_RO_OPTIONS : DEV_OPTIONS },
    { "/dev/pts", "devpts", "devpts", DEVPTS_OPTIONS },
    { "/dev/mqueue", "mqueue", "mqueue", MQUEUE_OPTIONS },
    { "/sys", "sysfs", "sysfs", p->privileged ? SYSFS_RW_OPTIONS : SYSFS_OPTIONS },
    { "/sys/fs/cgroup", "cgroup", "cgroup", p->privileged ? CGROUP_RW_OPTIONS : CGROUP_OPTIONS },
    { "/dev/shm", "bind", p->shm_path, p->dev_read_only ? SHM_RO_OPTIONS : SHM_OPTIONS },
    { "/etc/hosts", "bind", p->hosts_path, ETC_FILE_OPTIONS },
    { "/etc/resolv.conf", "bind", p->resolv_path, ETC_FILE_OPTIONS },
    { "/etc/hostname", "bind", p->hostname_path, ETC_FILE_OPTIONS },
    { "/run/.containerenv", "bind", p->containerenv_path, ETC_FILE_OPTIONS },
  };

  memcpy (out, defaults, sizeof (defaults));
}

/* "containers/<64 hex>/masked/<digit>" in BUF: a bundle's mask.  */
static bool
names_bundle_mask (const char *buf, size_t len)
{
  static const char needle[] = "/masked/";
  const size_t id_len = 64, prefix = sizeof ("containers/") - 1;
  const char *p = buf, *end = buf + len;

  while ((p = memmem (p, end - p, needle, sizeof (needle) - 1)) != NULL)
    {
      const char *digit = p + sizeof (needle) - 1;
      const char *id = (size_t) (p - buf) >= id_len + prefix ? p - id_len : NULL;

      if (id && digit < end && *digit >= '0' && *digit <= '9'
          && memcmp (id - prefix, "containers/", prefix) == 0)
        {
          size_t i;
          for (i = 0; i < id_len && strchr ("0123456789abcdef", id[i]) && id[i]; i++)
            ;
          if (i == id_len)
            return true;
        }
      p += sizeof (needle) - 1;
    }
  return false;
}

bool
ferry_spec_images_bind_masks (const char *images_dir)
{
  cleanup_dir DIR *d = opendir (images_dir);
  struct dirent *de;

  while (d && (de = readdir (d)))
    {
      cleanup_free char *path = NULL, *text = NULL;
      size_t len = 0;
      cleanup_error ferry_error_t ignored = NULL;

      if (strncmp (de->d_name, "mountpoints-", 12) != 0)
        continue;
      path = xasprintf ("%s/%s", images_dir, de->d_name);
      if (ferry_read_file (path, &text, &len, &ignored) == 0 && names_bundle_mask (text, len))
        return true;
    }
  return false;
}

bool
ferry_spec_is_default_destination (const char *destination)
{
  struct ferry_spec_params p = { 0 };
  struct mount_entry defaults[N_DEFAULT_MOUNTS];

  default_mounts (&p, defaults);
  for (size_t i = 0; i < N_DEFAULT_MOUNTS; i++)
    if (strcmp (defaults[i].destination, destination) == 0)
      return true;
  return false;
}

static json_object *
json_strv (const char *const *v)
{
  json_object *array = json_object_new_array ();

  for (; v && *v; v++)
    json_object_array_add (array, json_object_new_string (*v));
  return array;
}

static json_object *
make_user (const struct ferry_spec_params *p)
{
  json_object *user = json_object_new_object ();
  json_object *gids = json_object_new_array ();
  size_t i;

  for (i = 0; i < p->n_additional_gids; i++)
    json_object_array_add (gids, json_object_new_int64 (p->additional_gids[i]));
  json_object_object_add (user, "uid", json_object_new_int64 (p->uid));
  json_object_object_add (user, "gid", json_object_new_int64 (p->gid));
  json_object_object_add (user, "umask", json_object_new_int (p->umask_set ? (int) p->umask : 022));
  json_object_object_add (user, "additionalGids", gids);
  return user;
}

const char *const *
ferry_spec_default_capabilities (void)
{
  return DEFAULT_CAPABILITIES;
}

/* Every capability this ferry knows, in the kernel's order.  */
static const char *const ALL_CAPABILITIES[] = { "CAP_CHOWN",
                                                "CAP_DAC_OVERRIDE",
                                                "CAP_DAC_READ_SEARCH",
                                                "CAP_FOWNER",
                                                "CAP_FSETID",
                                                "CAP_KILL",
                                                "CAP_SETGID",
                                                "CAP_SETUID",
                                                "CAP_SETPCAP",
                                                "CAP_LINUX_IMMUTABLE",
                                                "CAP_NET_BIND_SERVICE",
                                                "CAP_NET_BROADCAST",
                                                "CAP_NET_ADMIN",
                                                "CAP_NET_RAW",
                                                "CAP_IPC_LOCK",
                                                "CAP_IPC_OWNER",
                                                "CAP_SYS_MODULE",
                                                "CAP_SYS_RAWIO",
                                                "CAP_SYS_CHROOT",
                                                "CAP_SYS_PTRACE",
                                                "CAP_SYS_PACCT",
                                                "CAP_SYS_ADMIN",
                                                "CAP_SYS_BOOT",
                                                "CAP_SYS_NICE",
                                                "CAP_SYS_RESOURCE",
                                                "CAP_SYS_TIME",
                                                "CAP_SYS_TTY_CONFIG",
                                                "CAP_MKNOD",
                                                "CAP_LEASE",
                                                "CAP_AUDIT_WRITE",
                                                "CAP_AUDIT_CONTROL",
                                                "CAP_SETFCAP",
                                                "CAP_MAC_OVERRIDE",
                                                "CAP_MAC_ADMIN",
                                                "CAP_SYSLOG",
                                                "CAP_WAKE_ALARM",
                                                "CAP_BLOCK_SUSPEND",
                                                "CAP_AUDIT_READ",
                                                "CAP_PERFMON",
                                                "CAP_BPF",
                                                "CAP_CHECKPOINT_RESTORE",
                                                NULL };

char *
ferry_spec_capability_name (const char *name)
{
  cleanup_free char *upper = xasprintf ("%s%s", strncasecmp (name, "CAP_", 4) == 0 ? "" : "CAP_", name);
  size_t i;

  for (i = 0; upper[i]; i++)
    upper[i] = (char) toupper ((unsigned char) upper[i]);
  if (strcmp (upper, "CAP_ALL") == 0)
    return xstrdup ("ALL");
  for (i = 0; ALL_CAPABILITIES[i]; i++)
    if (strcmp (upper, ALL_CAPABILITIES[i]) == 0)
      return steal_pointer (&upper);
  return NULL;
}

static bool
strv_contains (const char *const *v, const char *s)
{
  for (; v && *v; v++)
    if (strcmp (*v, s) == 0)
      return true;
  return false;
}

char **
ferry_spec_capabilities (char *const *add, char *const *drop)
{
  char **set = xmalloc0 (sizeof (char *) * (sizeof (ALL_CAPABILITIES) / sizeof (ALL_CAPABILITIES[0])));
  size_t n = 0, i;

  /* In the kernel's order, whatever order they were asked in.  */
  for (i = 0; ALL_CAPABILITIES[i]; i++)
    {
      const char *c = ALL_CAPABILITIES[i];
      const char *const *d = (const char *const *) drop, *const *a = (const char *const *) add;
      int is_default = strv_contains (DEFAULT_CAPABILITIES, c);
      int dropped = strv_contains (d, "ALL") || strv_contains (d, c);
      int added = strv_contains (a, "ALL") || strv_contains (a, c);

      if ((is_default && ! dropped) || added)
        set[n++] = xstrdup (c);
    }
  return set;
}

char **
ferry_spec_privileged_capabilities (void)
{
  char **set = xmalloc0 (sizeof (char *) * (sizeof (ALL_CAPABILITIES) / sizeof (ALL_CAPABILITIES[0])));
  size_t n = 0;

  /* ALL_CAPABILITIES is in the kernel's order: index i is capability i.  */
  for (size_t i = 0; ALL_CAPABILITIES[i]; i++)
    if (prctl (PR_CAPBSET_READ, (unsigned long) i, 0, 0, 0) == 1)
      set[n++] = xstrdup (ALL_CAPABILITIES[i]);
  return set;
}

/* --- devices ------------------------------------------------------------ */

int
ferry_spec_device_access_is_valid (const char *s)
{
  bool seen[3] = { false, false, false };

  if (s == NULL || *s == '\0')
    return 0;
  for (; *s; s++)
    {
      const char *at = strchr ("rwm", *s);
      if (at == NULL || seen[at - "rwm"])
        return 0;
      seen[at - "rwm"] = true;
    }
  return 1;
}

int
ferry_spec_parse_device (const char *text, char **host, char **container, char access[4])
{
  cleanup_free char *copy = xstrdup (text);
  char *parts[3] = { NULL, NULL, NULL };
  char *p = copy;
  size_t n = 0;

  while (p && n < 3)
    {
      parts[n++] = p;
      p = strchr (p, ':');
      if (p)
        *p++ = '\0';
    }
  if (p || parts[0][0] != '/')
    return -1;
  snprintf (access, 4, "rwm");
  if (n == 3)
    {
      if (! ferry_spec_device_access_is_valid (parts[2]) || parts[1][0] != '/')
        return -1;
      snprintf (access, 4, "%s", parts[2]);
    }
  else if (n == 2 && ferry_spec_device_access_is_valid (parts[1]))
    {
      snprintf (access, 4, "%s", parts[1]);
      parts[1] = NULL;
    }
  else if (n == 2 && parts[1][0] != '/')
    return -1;
  *host = xstrdup (parts[0]);
  *container = xstrdup (n >= 2 && parts[1] ? parts[1] : parts[0]);
  return 0;
}

static void
device_from_stat (const struct stat *st, const char *container, const char *access,
                  struct ferry_spec_device *out)
{
  out->path = xstrdup (container);
  out->type = S_ISBLK (st->st_mode) ? 'b' : 'c';
  out->major = major (st->st_rdev);
  out->minor = minor (st->st_rdev);
  out->file_mode = st->st_mode & 07777;
  out->uid = st->st_uid;
  out->gid = st->st_gid;
  snprintf (out->access, sizeof (out->access), "%s", access);
}

int
ferry_spec_device_from_path (const char *host, const char *container, const char *access,
                             struct ferry_spec_device *out, ferry_error_t *err)
{
  struct stat st;

  memset (out, 0, sizeof (*out));
  if (stat (host, &st) < 0)
    return ferry_make_error (err, errno,
                             "cannot use device `%s`: give the path of a device node on this host", host);
  if (! S_ISCHR (st.st_mode) && ! S_ISBLK (st.st_mode))
    return ferry_make_error (
        err, 0, "`%s` is not a device: give a character or block device such as /dev/fuse", host);
  device_from_stat (&st, container, access, out);
  return 0;
}

void
ferry_spec_devices_free (struct ferry_spec_device *devices, size_t n)
{
  for (size_t i = 0; devices && i < n; i++)
    free (devices[i].path);
  free (devices);
}

static int
collect_devices (const char *dir, struct ferry_spec_device **out, size_t *n, ferry_error_t *err)
{
  static const char *const SKIPPED_DIRS[] = { "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", NULL };
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  if (d == NULL)
    return ferry_make_error (err, errno, "cannot list the host's devices in `%s`", dir);
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *path = NULL;
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      path = xasprintf ("%s/%s", dir, de->d_name);
      /* Links are left out, and a node that went away meanwhile too.  */
      if (lstat (path, &st) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          if (! strv_contains (SKIPPED_DIRS, de->d_name) && collect_devices (path, out, n, err) < 0)
            return -1;
          continue;
        }
      if ((! S_ISCHR (st.st_mode) && ! S_ISBLK (st.st_mode)) || strcmp (path, "/dev/console") == 0)
        continue;
      *out = xrealloc (*out, sizeof (**out) * (*n + 1));
      device_from_stat (&st, path, "rwm", &(*out)[(*n)++]);
    }
  return 0;
}

int
ferry_spec_host_devices (struct ferry_spec_device **out, size_t *n, ferry_error_t *err)
{
  *out = NULL;
  *n = 0;
  if (collect_devices ("/dev", out, n, err) == 0)
    return 0;
  ferry_spec_devices_free (*out, *n);
  *out = NULL;
  *n = 0;
  return -1;
}

/* --- sysctls ------------------------------------------------------------ */

/* Podman's list: the IPC namespace's sysctls.  */
static const char *const IPC_SYSCTLS[]
    = { "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",          "kernel.sem", "kernel.shmall",
        "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", NULL };

/* Dot-separated words of letters, digits, '_' and '-': never a path
 * that could leave /proc/sys once runc turns the dots into slashes.  */
static bool
sysctl_name_is_clean (const char *name)
{
  size_t i, n = strlen (name);

  if (n == 0 || n > 255 || name[0] == '.' || name[n - 1] == '.' || strstr (name, "..") != NULL)
    return false;
  for (i = 0; i < n; i++)
    if (! isalnum ((unsigned char) name[i]) && strchr ("._-", name[i]) == NULL)
      return false;
  return true;
}

enum ferry_sysctl_namespace
ferry_spec_sysctl_namespace (const char *name)
{
  if (! sysctl_name_is_clean (name))
    return FERRY_SYSCTL_REFUSED;
  if (strncmp (name, "net.", 4) == 0)
    return FERRY_SYSCTL_NET;
  if (strncmp (name, "fs.mqueue.", 10) == 0 || strv_contains (IPC_SYSCTLS, name))
    return FERRY_SYSCTL_IPC;
  return FERRY_SYSCTL_REFUSED;
}

int
ferry_spec_sysctl_value_is_valid (const char *value)
{
  size_t n = value ? strlen (value) : 0;

  if (n == 0 || n > 4096 || isspace ((unsigned char) value[0]) || isspace ((unsigned char) value[n - 1]))
    return 0;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char) value[i] < ' ' || value[i] == 0x7f)
      return 0;
  return 1;
}

static const char *const *
capabilities_of (const struct ferry_spec_params *p)
{
  return p->capabilities ? (const char *const *) p->capabilities : DEFAULT_CAPABILITIES;
}

static json_object *
make_capabilities (const struct ferry_spec_params *p)
{
  json_object *caps = json_object_new_object ();
  const char *const *set = capabilities_of (p);

  json_object_object_add (caps, "bounding", json_strv (set));
  json_object_object_add (caps, "effective", json_strv (set));
  json_object_object_add (caps, "permitted", json_strv (set));
  json_object_object_add (caps, "inheritable", json_object_new_array ());
  json_object_object_add (caps, "ambient", json_object_new_array ());
  return caps;
}

static bool
can_raise_hard_rlimits (void)
{
  struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { 0 };

  if (syscall (SYS_capget, &header, data) < 0)
    return false;
  return (data[CAP_TO_INDEX (CAP_SYS_RESOURCE)].effective & CAP_TO_MASK (CAP_SYS_RESOURCE)) != 0;
}

static const struct
{
  const char *name;
  const char *type;
  int resource;
} RLIMITS[] = {
  { "as", "RLIMIT_AS", RLIMIT_AS },
  { "core", "RLIMIT_CORE", RLIMIT_CORE },
  { "cpu", "RLIMIT_CPU", RLIMIT_CPU },
  { "data", "RLIMIT_DATA", RLIMIT_DATA },
  { "fsize", "RLIMIT_FSIZE", RLIMIT_FSIZE },
  { "locks", "RLIMIT_LOCKS", RLIMIT_LOCKS },
  { "memlock", "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
  { "msgqueue", "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
  { "nice", "RLIMIT_NICE", RLIMIT_NICE },
  { "nofile", "RLIMIT_NOFILE", RLIMIT_NOFILE },
  { "nproc", "RLIMIT_NPROC", RLIMIT_NPROC },
  { "rss", "RLIMIT_RSS", RLIMIT_RSS },
  { "rtprio", "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
  { "rttime", "RLIMIT_RTTIME", RLIMIT_RTTIME },
  { "sigpending", "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
  { "stack", "RLIMIT_STACK", RLIMIT_STACK },
};
#define N_RLIMITS (sizeof (RLIMITS) / sizeof (RLIMITS[0]))

int
ferry_spec_rlimit_known (const char *type)
{
  for (size_t i = 0; i < N_RLIMITS; i++)
    if (strcmp (RLIMITS[i].type, type) == 0)
      return 1;
  return 0;
}

static int
parse_limit_value (const char *s, const char *end, int64_t *out)
{
  char *stop;
  long long v;

  if (s == end)
    return -1;
  v = strtoll (s, &stop, 10);
  if (stop != end || v < -1)
    return -1;
  *out = v;
  return 0;
}

int
ferry_spec_parse_ulimit (const char *text, struct ferry_spec_rlimit *out)
{
  const char *eq = strchr (text, '='), *colon;
  size_t i;

  if (eq == NULL)
    return -1;
  for (i = 0; i < N_RLIMITS; i++)
    if (strlen (RLIMITS[i].name) == (size_t) (eq - text) && strncmp (RLIMITS[i].name, text, eq - text) == 0)
      break;
  if (i == N_RLIMITS)
    return -1;
  snprintf (out->type, sizeof (out->type), "%s", RLIMITS[i].type);
  colon = strchr (eq + 1, ':');
  if (parse_limit_value (eq + 1, colon ? colon : eq + 1 + strlen (eq + 1), &out->soft) < 0)
    return -1;
  out->hard = out->soft;
  if (colon && parse_limit_value (colon + 1, colon + 1 + strlen (colon + 1), &out->hard) < 0)
    return -1;
  /* -1 is the largest of all.  */
  if (out->hard != -1 && (out->soft == -1 || out->soft > out->hard))
    return -1;
  return 0;
}

static int
resource_of (const char *type)
{
  for (size_t i = 0; i < N_RLIMITS; i++)
    if (strcmp (RLIMITS[i].type, type) == 0)
      return RLIMITS[i].resource;
  return -1;
}

/* A limit the user asked for, within what runc can set here (see
 * make_rlimit); -1 stands for unlimited.  */
static json_object *
make_user_rlimit (const struct ferry_spec_rlimit *l)
{
  json_object *rlimit = json_object_new_object ();
  uint64_t soft = l->soft < 0 ? (uint64_t) RLIM_INFINITY : (uint64_t) l->soft;
  uint64_t hard = l->hard < 0 ? (uint64_t) RLIM_INFINITY : (uint64_t) l->hard;
  struct rlimit current;
  int resource = resource_of (l->type);

  if (resource >= 0 && ! can_raise_hard_rlimits () && getrlimit (resource, &current) == 0
      && hard > current.rlim_max)
    hard = current.rlim_max;
  if (soft > hard)
    soft = hard;
  json_object_object_add (rlimit, "type", json_object_new_string (l->type));
  json_object_object_add (rlimit, "hard", json_object_new_uint64 (hard));
  json_object_object_add (rlimit, "soft", json_object_new_uint64 (soft));
  return rlimit;
}

static int
rlimit_given (const struct ferry_spec_rlimit *limits, size_t n, const char *type)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (limits[i].type, type) == 0)
      return 1;
  return 0;
}

/* Podman's default for RESOURCE, 1048576 soft and hard, except that runc
 * (which sets the limits with our privileges) cannot raise a hard limit
 * without CAP_SYS_RESOURCE and would fail the start with "error setting
 * rlimits": then each is at most our own, as Podman clamps them.  */
static void
default_rlimit (const char *type, int resource, struct ferry_spec_rlimit *out)
{
  const int64_t limit = 1048576;
  struct rlimit current;

  snprintf (out->type, sizeof (out->type), "%s", type);
  out->soft = out->hard = limit;
  if (can_raise_hard_rlimits () || getrlimit (resource, &current) < 0)
    return;
  if (current.rlim_cur != RLIM_INFINITY && current.rlim_cur < (rlim_t) limit)
    out->soft = (int64_t) current.rlim_cur;
  if (current.rlim_max != RLIM_INFINITY && current.rlim_max < (rlim_t) limit)
    out->hard = (int64_t) current.rlim_max;
}

size_t
ferry_spec_effective_rlimits (const struct ferry_spec_rlimit *limits, size_t n, struct ferry_spec_rlimit *out)
{
  size_t count = n;

  memcpy (out, limits, n * sizeof (*limits));
  if (! rlimit_given (limits, n, "RLIMIT_NOFILE"))
    default_rlimit ("RLIMIT_NOFILE", RLIMIT_NOFILE, &out[count++]);
  if (! rlimit_given (limits, n, "RLIMIT_NPROC"))
    default_rlimit ("RLIMIT_NPROC", RLIMIT_NPROC, &out[count++]);
  return count;
}

static json_object *
make_process (const struct ferry_spec_params *p)
{
  json_object *process = json_object_new_object ();
  json_object *rlimits = json_object_new_array ();
  const char *cwd = p->cwd && *p->cwd ? p->cwd : "/";
  cleanup_free struct ferry_spec_rlimit *limits = NULL;
  size_t i, n_limits;

  /* stdin_open has no place in the spec: conmon decides whether the
   * container's stdin is a pipe that stays open.  */
  json_object_object_add (process, "terminal", json_object_new_boolean (p->terminal));
  json_object_object_add (process, "user", make_user (p));
  json_object_object_add (process, "args", json_strv ((const char *const *) p->args));
  json_object_object_add (process, "env", json_strv ((const char *const *) p->env));
  json_object_object_add (process, "cwd", json_object_new_string (cwd));
  json_object_object_add (process, "capabilities", make_capabilities (p));
  limits = xmalloc (sizeof (*limits) * (p->n_rlimits + 2));
  n_limits = ferry_spec_effective_rlimits (p->rlimits, p->n_rlimits, limits);
  for (i = 0; i < n_limits; i++)
    json_object_array_add (rlimits, make_user_rlimit (&limits[i]));
  json_object_object_add (process, "rlimits", rlimits);
  json_object_object_add (process, "noNewPrivileges", json_object_new_boolean (p->no_new_privileges));
  json_object_object_add (process, "oomScoreAdj", json_object_new_int (p->oom_score_adj));
  return process;
}

static json_object *
make_mount (const struct mount_entry *m)
{
  json_object *mount = json_object_new_object ();

  json_object_object_add (mount, "destination", json_object_new_string (m->destination));
  json_object_object_add (mount, "type", json_object_new_string (m->type));
  json_object_object_add (mount, "source", json_object_new_string (m->source));
  json_object_object_add (mount, "options", json_strv (m->options));
  return mount;
}

/* A copy of DEST with repeated slashes, "." components and a trailing slash
 * dropped ("/a//./b/" is "/a/b"), or NULL when DEST is relative, is the root
 * itself, or has a ".." component.  */
static char *
clean_destination (const char *dest)
{
  cleanup_free char *out = NULL;
  const char *s = dest;
  char *o;

  if (dest == NULL || dest[0] != '/')
    return NULL;
  out = xmalloc (strlen (dest) + 1);
  o = out;
  while (*s)
    {
      const char *end;
      size_t len;

      while (*s == '/')
        s++;
      end = strchrnul (s, '/');
      len = end - s;
      if (len == 0 || (len == 1 && s[0] == '.'))
        {
          s = end;
          continue;
        }
      if (len == 2 && s[0] == '.' && s[1] == '.')
        return NULL;
      *o++ = '/';
      memcpy (o, s, len);
      o += len;
      s = end;
    }
  if (o == out)
    return NULL;
  *o = '\0';
  return steal_pointer (&out);
}

/* Fills DESTS (N_MOUNTS + 1 slots, NULL-terminated) with the clean
 * destinations of the user mounts, refusing what runc could not or should
 * not mount.  */
static int
check_user_mounts (const struct ferry_spec_params *p, char **dests, ferry_error_t *err)
{
  size_t i;

  for (i = 0; i < p->n_mounts; i++)
    {
      const struct ferry_spec_mount *m = &p->mounts[i];
      const char *source = m->type == FERRY_MOUNT_BIND    ? m->source
                           : m->type == FERRY_MOUNT_TMPFS ? "tmpfs"
                                                          : "";
      char *clean = clean_destination (m->destination);

      if (clean == NULL)
        return ferry_make_error (err, 0,
                                 "invalid mount `%s:%s`: the destination must be an absolute path below `/`"
                                 " without `..`",
                                 source ? source : "", m->destination ? m->destination : "");
      if (strv_contains ((const char *const *) dests, clean))
        {
          ferry_make_error (err, 0, "invalid mount `%s:%s`: duplicate mount destination `%s`",
                            source ? source : "", m->destination, clean);
          free (clean);
          return -1;
        }
      dests[i] = clean;
      if (m->type == FERRY_MOUNT_BIND && (source == NULL || source[0] != '/'))
        return ferry_make_error (err, 0, "invalid mount `%s:%s`: the source must be an absolute host path",
                                 source ? source : "", m->destination);
      if (m->type != FERRY_MOUNT_BIND && m->type != FERRY_MOUNT_TMPFS && m->type != FERRY_MOUNT_RAMFS
          && m->type != FERRY_MOUNT_DEVPTS)
        return ferry_make_error (err, 0, "invalid mount `%s`: unknown mount type %d", m->destination,
                                 (int) m->type);
    }
  return 0;
}

static const char *const USER_MOUNT_TYPES[] = { "bind", "tmpfs", "ramfs", "devpts" };

/* Whether the options of a mount hold FLAG or its opposite (suid or
 * nosuid, ...): then ferry's default for it is left out.  */
static int
options_set_flag (json_object *options, const char *flag)
{
  const char *other = ferry_mount_flag_opposite (flag);

  for (size_t i = 0; i < ferry_json_array_length (options); i++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (options, i));
      if (o && (strcmp (o, flag) == 0 || (other && strcmp (o, other) == 0)))
        return 1;
    }
  return 0;
}

/* nosuid and nodev into OPTS, each unless OPTIONS set it otherwise.  */
static void
add_default_flags (json_object *opts, json_object *options)
{
  if (! options_set_flag (options, "nosuid"))
    json_object_array_add (opts, json_object_new_string ("nosuid"));
  if (! options_set_flag (options, "nodev"))
    json_object_array_add (opts, json_object_new_string ("nodev"));
}

/* A user mount's entry, as Podman mounts it: volumes and tmpfs without
 * set-user-ID programs or device nodes unless asked (suid, dev), a bind
 * of the user's host path with the host's flags unless asked (nosuid,
 * ...); a tmpfs starts with a copy of what the image has at its
 * destination (runc's "tmpcopyup", since 1.0).  The entry: ferry's
 * defaults for its type, changed by the extra options the record carries
 * (runtime/mount_options.h), each checked again since a record may come
 * from an archive.  */
static json_object *
make_user_mount (const struct ferry_spec_mount *m, const char *destination, uid_t owner_uid, gid_t owner_gid,
                 ferry_error_t *err)
{
  const char *type = USER_MOUNT_TYPES[m->type], *propagation = NULL;
  json_object *mount = json_object_new_object (), *opts = json_object_new_array ();
  size_t n = ferry_json_array_length (m->options), i;
  int recursive = 1, copyup = 1;

  for (i = 0; i < n; i++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (m->options, i));

      if (! ferry_mount_option_is_valid (type, o))
        {
          json_object_put (mount);
          json_object_put (opts);
          ferry_make_error (err, 0, "invalid mount `%s`: `%s` is not an option of a %s mount", destination,
                            o ? o : "", type);
          return NULL;
        }
      if (strcmp (o, "bind") == 0)
        recursive = 0;
      else if (strcmp (o, "notmpcopyup") == 0)
        copyup = 0;
      else
        {
          if (ferry_mount_propagation_is_valid (o))
            propagation = o;
          json_object_array_add (opts, json_object_new_string (o));
        }
    }
  /* In the order Podman writes them: the options given, then ro or rw,
   * the default propagation and flags, and rbind or bind.  */
  if (m->type == FERRY_MOUNT_BIND)
    {
      json_object_array_add (opts, json_object_new_string (m->readonly ? "ro" : "rw"));
      if (propagation == NULL)
        json_object_array_add (opts, json_object_new_string (recursive ? "rprivate" : "private"));
      if (! m->host_bind)
        add_default_flags (opts, m->options);
      json_object_array_add (opts, json_object_new_string (recursive ? "rbind" : "bind"));
    }
  else if (m->type == FERRY_MOUNT_TMPFS)
    {
      if (m->chown)
        {
          cleanup_free char *uid = xasprintf ("uid=%u", (unsigned) owner_uid);
          cleanup_free char *gid = xasprintf ("gid=%u", (unsigned) owner_gid);
          json_object_array_add (opts, json_object_new_string (uid));
          json_object_array_add (opts, json_object_new_string (gid));
        }
      json_object_array_add (opts, json_object_new_string (m->readonly ? "ro" : "rw"));
      if (propagation == NULL)
        json_object_array_add (opts, json_object_new_string ("rprivate"));
      add_default_flags (opts, m->options);
      if (copyup)
        json_object_array_add (opts, json_object_new_string ("tmpcopyup"));
    }
  if (m->readonly && m->type != FERRY_MOUNT_TMPFS && m->type != FERRY_MOUNT_BIND)
    json_object_array_add (opts, json_object_new_string ("ro"));
  json_object_object_add (mount, "destination", json_object_new_string (destination));
  json_object_object_add (mount, "type", json_object_new_string (type));
  json_object_object_add (mount, "source",
                          json_object_new_string (m->type == FERRY_MOUNT_BIND ? m->source : type));
  json_object_object_add (mount, "options", opts);
  return mount;
}

/* The number of components of a clean absolute DESTINATION.  */
static size_t
destination_depth (json_object *mount)
{
  const char *d = json_object_get_string (json_object_object_get (mount, "destination"));
  size_t n = 0;

  for (; d && *d; d++)
    n += *d == '/';
  return n;
}

/* MOUNTS with parents before what lies below them, as Podman orders them:
 * a user's tmpfs on /etc no longer hides the /etc/hosts bound before it.
 * Stable, so mounts of one depth keep their order.  */
static json_object *
sort_mounts_by_depth (json_object *mounts)
{
  size_t n = json_object_array_length (mounts), i, j;
  cleanup_free json_object **v = xmalloc0 (sizeof (json_object *) * (n + 1));
  json_object *sorted = json_object_new_array ();

  for (i = 0; i < n; i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      for (j = i; j > 0 && destination_depth (v[j - 1]) > destination_depth (m); j--)
        v[j] = v[j - 1];
      v[j] = m;
    }
  for (i = 0; i < n; i++)
    json_object_array_add (sorted, json_object_get (v[i]));
  json_object_put (mounts);
  return sorted;
}

static json_object *
make_mounts (const struct ferry_spec_params *p, ferry_error_t *err)
{
  cleanup_json json_object *mounts = json_object_new_array ();
  cleanup_strv char **dests = xmalloc0 ((p->n_mounts + 1) * sizeof (char *));
  struct mount_entry defaults[N_DEFAULT_MOUNTS];
  size_t i;

  if (p->n_mounts > 0 && p->mounts == NULL)
    {
      ferry_make_error (err, 0, "%zu mounts given without their list", p->n_mounts);
      return NULL;
    }
  if (check_user_mounts (p, dests, err) < 0)
    return NULL;

  /* A user mount on a default destination takes that default's place.  */
  default_mounts (p, defaults);
  for (i = 0; i < N_DEFAULT_MOUNTS; i++)
    {
      if (strv_contains ((const char *const *) dests, defaults[i].destination))
        continue;
      if ((p->no_hosts && strcmp (defaults[i].destination, "/etc/hosts") == 0)
          || (p->no_resolv_conf && strcmp (defaults[i].destination, "/etc/resolv.conf") == 0)
          || (p->no_hostname && strcmp (defaults[i].destination, "/etc/hostname") == 0))
        continue;
      if (defaults[i].source == NULL)
        {
          ferry_make_error (err, 0, "no host path to bind to the container's `%s`", defaults[i].destination);
          return NULL;
        }
      json_object_array_add (mounts, make_mount (&defaults[i]));
    }

  for (i = 0; i < p->n_mounts; i++)
    {
      json_object *mount = make_user_mount (&p->mounts[i], dests[i], p->uid, p->gid, err);

      if (mount == NULL)
        return NULL;
      json_object_array_add (mounts, mount);
    }
  return sort_mounts_by_depth (steal_pointer (&mounts));
}

static json_object *
make_namespace (const char *type)
{
  json_object *ns = json_object_new_object ();

  json_object_object_add (ns, "type", json_object_new_string (type));
  return ns;
}

static json_object *
make_device (const struct ferry_spec_device *d)
{
  json_object *o = json_object_new_object ();
  char type[2] = { d->type, '\0' };

  json_object_object_add (o, "path", json_object_new_string (d->path));
  json_object_object_add (o, "type", json_object_new_string (type));
  json_object_object_add (o, "major", json_object_new_int64 (d->major));
  json_object_object_add (o, "minor", json_object_new_int64 (d->minor));
  json_object_object_add (o, "fileMode", json_object_new_int64 (d->file_mode));
  json_object_object_add (o, "uid", json_object_new_int64 (d->uid));
  json_object_object_add (o, "gid", json_object_new_int64 (d->gid));
  return o;
}

static json_object *
make_device_rule (const struct ferry_spec_device *d)
{
  json_object *o = json_object_new_object ();
  char type[2] = { d->type, '\0' };

  json_object_object_add (o, "allow", json_object_new_boolean (1));
  json_object_object_add (o, "type", json_object_new_string (type));
  json_object_object_add (o, "major", json_object_new_int64 (d->major));
  json_object_object_add (o, "minor", json_object_new_int64 (d->minor));
  json_object_object_add (o, "access", json_object_new_string (d->access));
  return o;
}

/* As Podman's --security-opt unmask: "ALL" (any case) or a pattern that
 * matches PATH as filepath.Match would.  */
static bool
unmasked (const struct ferry_spec_params *p, const char *path)
{
  for (size_t i = 0; p->unmask && p->unmask[i]; i++)
    if (strcasecmp (p->unmask[i], "ALL") == 0 || fnmatch (p->unmask[i], path, FNM_PATHNAME) == 0)
      return true;
  return false;
}

/* DEFAULTS (none when privileged) less the unmasked ones, then EXTRA.  */
static json_object *
make_paths (const struct ferry_spec_params *p, const char *const *defaults, char *const *extra)
{
  json_object *paths = json_object_new_array ();
  size_t i, j;

  for (i = 0; ! p->privileged && defaults[i]; i++)
    if (! unmasked (p, defaults[i]))
      json_object_array_add (paths, json_object_new_string (defaults[i]));
  for (i = 0; extra && extra[i]; i++)
    {
      for (j = 0; j < json_object_array_length (paths); j++)
        if (strcmp (json_object_get_string (json_object_array_get_idx (paths, j)), extra[i]) == 0)
          break;
      if (j == json_object_array_length (paths))
        json_object_array_add (paths, json_object_new_string (extra[i]));
    }
  return paths;
}

static json_object *
make_linux (const struct ferry_spec_params *p, ferry_error_t *err)
{
  json_object *linux_ = json_object_new_object ();
  json_object *namespaces = json_object_new_array ();
  json_object *resources = json_object_new_object ();
  json_object *devices = json_object_new_array ();
  json_object *deny_all = json_object_new_object ();

  json_object_array_add (namespaces, make_namespace ("pid"));
  if (! p->host_network)
    json_object_array_add (namespaces, make_namespace ("network"));
  json_object_array_add (namespaces, make_namespace ("ipc"));
  json_object_array_add (namespaces, make_namespace ("uts"));
  json_object_array_add (namespaces, make_namespace ("mount"));
  if (! p->host_cgroupns)
    json_object_array_add (namespaces, make_namespace ("cgroup"));
  json_object_object_add (linux_, "namespaces", namespaces);

  /* runc appends its own allow-list of the usual devices (null, zero,
   * full, tty, urandom, random, ptmx, pts) after this deny-all; a
   * privileged container may use every device instead.  */
  json_object_object_add (deny_all, "allow", json_object_new_boolean (p->privileged));
  json_object_object_add (deny_all, "access", json_object_new_string ("rwm"));
  json_object_array_add (devices, deny_all);
  for (size_t i = 0; ! p->privileged && i < p->n_devices; i++)
    json_object_array_add (devices, make_device_rule (&p->devices[i]));
  json_object_object_add (resources, "devices", devices);
  if (p->n_devices > 0)
    {
      json_object *nodes = json_object_new_array ();
      for (size_t i = 0; i < p->n_devices; i++)
        json_object_array_add (nodes, make_device (&p->devices[i]));
      json_object_object_add (linux_, "devices", nodes);
    }
  if (p->memory > 0)
    {
      json_object *memory = json_object_new_object ();
      json_object_object_add (memory, "limit", json_object_new_int64 (p->memory));
      json_object_object_add (resources, "memory", memory);
    }
  if (p->nano_cpus > 0)
    {
      /* Podman's: a period of 100 ms and the quota the CPUs make of it.  */
      json_object *cpu = json_object_new_object ();
      json_object_object_add (cpu, "period", json_object_new_int64 (100000));
      json_object_object_add (cpu, "quota", json_object_new_int64 (p->nano_cpus / 10000));
      json_object_object_add (resources, "cpu", cpu);
    }
  if (p->pids_limit > 0)
    {
      json_object *pids = json_object_new_object ();
      json_object_object_add (pids, "limit", json_object_new_int64 (p->pids_limit));
      json_object_object_add (resources, "pids", pids);
    }
  json_object_object_add (linux_, "resources", resources);

  if (p->cgroups_path)
    json_object_object_add (linux_, "cgroupsPath", json_object_new_string (p->cgroups_path));
  json_object_object_add (linux_, "maskedPaths", make_paths (p, MASKED_PATHS, p->mask));
  json_object_object_add (linux_, "readonlyPaths", make_paths (p, READONLY_PATHS, NULL));
  if (p->sysctls && json_object_object_length (p->sysctls) > 0)
    {
      json_object *copy = NULL;

      if (json_object_deep_copy (p->sysctls, &copy, NULL) < 0)
        abort ();
      json_object_object_add (linux_, "sysctl", copy);
    }
  /* CRIU checkpoints and restores the filter with the processes.  */
  if (p->seccomp_profile)
    {
      cleanup_free char *what = xasprintf ("the seccomp profile of container %s", p->id ? p->id : "");
      json_object *seccomp = ferry_seccomp_to_oci (p->seccomp_profile, capabilities_of (p), what, err);

      if (seccomp == NULL)
        {
          json_object_put (linux_);
          return NULL;
        }
      json_object_object_add (linux_, "seccomp", seccomp);
    }
  return linux_;
}

static int
check_params (const struct ferry_spec_params *p, ferry_error_t *err)
{
  const char *what = p->id ? p->id : "(unnamed)";

  if (p->rootfs == NULL || p->rootfs[0] != '/')
    return ferry_make_error (err, 0, "container %s: its root file system must be an absolute path", what);
  if (p->args == NULL || p->args[0] == NULL)
    return ferry_make_error (err, 0, "container %s: no command given", what);
  if (p->cwd && *p->cwd && p->cwd[0] != '/')
    return ferry_make_error (err, 0, "container %s: working directory `%s` must be an absolute path", what,
                             p->cwd);
  if (p->n_additional_gids > 0 && p->additional_gids == NULL)
    return ferry_make_error (err, 0, "container %s: %zu additional groups given without their list", what,
                             p->n_additional_gids);
  if (p->annotations && ! json_object_is_type (p->annotations, json_type_object))
    return ferry_make_error (err, 0, "container %s: annotations must be a JSON object", what);
  if (p->n_devices > 0 && p->devices == NULL)
    return ferry_make_error (err, 0, "container %s: %zu devices given without their list", what,
                             p->n_devices);
  for (size_t i = 0; i < p->n_devices; i++)
    {
      cleanup_free char *clean = clean_destination (p->devices[i].path);
      if (clean == NULL || strcmp (clean, p->devices[i].path) != 0
          || (p->devices[i].type != 'c' && p->devices[i].type != 'b')
          || ! ferry_spec_device_access_is_valid (p->devices[i].access))
        return ferry_make_error (err, 0, "container %s: invalid device `%s`", what,
                                 p->devices[i].path ? p->devices[i].path : "");
    }
  if (p->sysctls && ! json_object_is_type (p->sysctls, json_type_object))
    return ferry_make_error (err, 0, "container %s: sysctls must be a JSON object", what);
  return 0;
}

/* Moves the masked directories under /sys (those the host has) from
 * LINUX_'s maskedPaths to MOUNTS, as read-only binds of empty directories
 * made in P->mask_dir.  runc masks a directory with a tmpfs of its own,
 * whose (empty) content CRIU copies with tar on every checkpoint and
 * restore; a bind mount is external to CRIU and costs nothing.  One
 * directory each: CRIU restores a second bind of the same directory from
 * the first, and loses its read-only flag on the way (seen with CRIU
 * 4.2).  Under /proc runc takes no binds.  */
static int
bind_masked_dirs (const struct ferry_spec_params *p, json_object *mounts, json_object *linux_,
                  ferry_error_t *err)
{
  json_object *masked = json_object_object_get (linux_, "maskedPaths");
  cleanup_json json_object *kept = json_object_new_array ();
  size_t n = 0;

  for (size_t i = 0; i < json_object_array_length (masked); i++)
    {
      const char *path = json_object_get_string (json_object_array_get_idx (masked, i));
      struct stat st;

      if (strncmp (path, "/sys/", 5) == 0 && stat (path, &st) == 0 && S_ISDIR (st.st_mode))
        {
          cleanup_free char *source = xasprintf ("%s/%zu", p->mask_dir, n++);
          struct mount_entry entry = { path, "bind", source, MASK_BIND_OPTIONS };

          if (mkdir (source, 0555) < 0 && errno != EEXIST)
            return ferry_make_error (err, errno, "cannot create `%s`", source);
          json_object_array_add (mounts, make_mount (&entry));
        }
      else
        json_object_array_add (kept, json_object_new_string (path));
    }
  json_object_object_add (linux_, "maskedPaths", steal_pointer (&kept));
  return 0;
}

json_object *
ferry_spec_generate (const struct ferry_spec_params *p, ferry_error_t *err)
{
  cleanup_json json_object *spec = NULL;
  json_object *mounts, *root, *linux_;

  if (check_params (p, err) < 0)
    return NULL;
  mounts = make_mounts (p, err);
  if (mounts == NULL)
    return NULL;

  spec = json_object_new_object ();
  json_object_object_add (spec, "ociVersion", json_object_new_string (FERRY_SPEC_OCI_VERSION));
  json_object_object_add (spec, "process", make_process (p));
  root = json_object_new_object ();
  json_object_object_add (root, "path", json_object_new_string (p->rootfs));
  json_object_object_add (root, "readonly", json_object_new_boolean (p->read_only));
  json_object_object_add (spec, "root", root);
  if (p->hostname)
    json_object_object_add (spec, "hostname", json_object_new_string (p->hostname));
  json_object_object_add (spec, "mounts", mounts);
  linux_ = make_linux (p, err);
  if (linux_ == NULL)
    return NULL;
  if (p->mask_dir && bind_masked_dirs (p, mounts, linux_, err) < 0)
    {
      json_object_put (linux_);
      return NULL;
    }
  json_object_object_add (spec, "linux", linux_);
  if (p->annotations)
    {
      json_object *copy = NULL;

      if (json_object_deep_copy (p->annotations, &copy, NULL) < 0)
        {
          ferry_make_error (err, ENOMEM, "cannot copy the annotations of container %s", p->id ? p->id : "");
          return NULL;
        }
      json_object_object_add (spec, "annotations", copy);
    }
  return steal_pointer (&spec);
}

/* --- users and groups --------------------------------------------------- */

/* Bytes of a container's passwd or group file ferry reads: the container
 * writes them, and a sparse file of terabytes without a newline was read
 * whole into ferry's memory as one line, at every start.  */
#define ROOT_FILE_MAX (16u << 20)

/* Opens /NAME of the container's root ROOTFD for reading, resolving every
 * symlink as if ROOTFD were "/", so that an image cannot make ferry read a
 * host file.  *OUT stays NULL when the file does not exist.  */
static int
open_in_root (int rootfd, const char *rootfs, const char *name, FILE **out, ferry_error_t *err)
{
  cleanup_close int fd = -1;
  cleanup_free char *text = NULL;
  size_t len = 0;
  ssize_t r;
  struct stat st;

  *out = NULL;
  fd = ferry_openat2 (rootfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0,
                      RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
    return 0;
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open `/%s` in `%s`", name, rootfs);
  if (fstat (fd, &st) < 0)
    return ferry_make_error (err, errno, "cannot stat `/%s` in `%s`", name, rootfs);
  if (! S_ISREG (st.st_mode))
    return ferry_make_error (err, 0, "`/%s` in `%s` is not a regular file", name, rootfs);
  /* Read here up to the limit, whatever the file claims or becomes
   * meanwhile, and handed out from memory.  */
  text = xmalloc (ROOT_FILE_MAX + 1);
  while (len <= ROOT_FILE_MAX && (r = read (fd, text + len, ROOT_FILE_MAX + 1 - len)) != 0)
    {
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return ferry_make_error (err, errno, "cannot read `/%s` in `%s`", name, rootfs);
      len += (size_t) r;
    }
  if (len > ROOT_FILE_MAX)
    return ferry_make_error (err, 0,
                             "`/%s` in `%s` is larger than %u MiB: ferry does not read it for the user", name,
                             rootfs, ROOT_FILE_MAX >> 20);
  *out = fmemopen (NULL, len + 1, "w+");
  if (*out && (fwrite (text, 1, len, *out) != len || fseek (*out, 0, SEEK_SET) < 0))
    {
      fclose (*out);
      *out = NULL;
    }
  if (*out == NULL)
    return ferry_make_error (err, errno, "cannot read `/%s` in `%s`", name, rootfs);
  return 0;
}

/* Parses a decimal id; (uint32_t) -1 is not one (it means "unchanged" to
 * setresuid).  */
static bool
parse_id (const char *s, uint32_t *out)
{
  unsigned long long v;
  char *end;

  if (*s < '0' || *s > '9')
    return false;
  errno = 0;
  v = strtoull (s, &end, 10);
  if (errno != 0 || *end != '\0' || v >= UINT32_MAX)
    return false;
  *out = (uint32_t) v;
  return true;
}

/* Splits LINE (its newline dropped) at ':' into up to N fields; returns how
 * many it found.  */
static size_t
split_fields (char *line, char **fields, size_t n)
{
  size_t count = 0;

  line[strcspn (line, "\r\n")] = '\0';
  while (count < n)
    {
      fields[count++] = line;
      line = strchr (line, ':');
      if (line == NULL)
        break;
      *line++ = '\0';
    }
  return count;
}

/* True for lines a passwd or group parser skips: empty, comments, and
 * NIS "+"/"-" entries.  */
static bool
skip_line (const char *line)
{
  return line[0] == '\0' || line[0] == '\n' || line[0] == '#' || line[0] == '+' || line[0] == '-';
}

struct passwd_entry
{
  bool found;
  char *name;
  uid_t uid;
  gid_t gid;
  char *home;
};

/* Finds the first passwd entry named NAME, or with uid UID when NAME is
 * NULL.  */
static void
find_passwd_entry (FILE *f, const char *name, uid_t uid, struct passwd_entry *out)
{
  cleanup_free char *line = NULL;
  size_t size = 0;

  while (getline (&line, &size, f) >= 0)
    {
      char *fields[7];
      uint32_t entry_uid, entry_gid;

      if (skip_line (line) || split_fields (line, fields, 7) < 6)
        continue;
      if (! parse_id (fields[2], &entry_uid) || ! parse_id (fields[3], &entry_gid))
        continue;
      if (name ? strcmp (fields[0], name) != 0 : entry_uid != uid)
        continue;
      out->found = true;
      out->name = xstrdup (fields[0]);
      out->uid = entry_uid;
      out->gid = entry_gid;
      out->home = xstrdup (fields[5]);
      return;
    }
}

static bool
find_group_gid (FILE *f, const char *name, gid_t *gid)
{
  cleanup_free char *line = NULL;
  size_t size = 0;

  while (getline (&line, &size, f) >= 0)
    {
      char *fields[4];
      uint32_t entry_gid;

      if (skip_line (line) || split_fields (line, fields, 4) < 3)
        continue;
      if (strcmp (fields[0], name) == 0 && parse_id (fields[2], &entry_gid))
        {
          *gid = entry_gid;
          return true;
        }
    }
  return false;
}

static bool
member_list_names (char *list, const char *user)
{
  char *member;

  while ((member = strsep (&list, ",")) != NULL)
    if (strcmp (member, user) == 0)
      return true;
  return false;
}

/* The gids of the groups whose member list names USER, without PRIMARY and
 * without repeats.  */
static void
find_member_groups (FILE *f, const char *user, gid_t primary, gid_t **gids, size_t *n)
{
  cleanup_free char *line = NULL;
  size_t size = 0, i;

  while (getline (&line, &size, f) >= 0)
    {
      char *fields[4];
      uint32_t gid;
      bool seen = false;

      if (skip_line (line) || split_fields (line, fields, 4) < 4)
        continue;
      if (! parse_id (fields[2], &gid) || gid == primary || ! member_list_names (fields[3], user))
        continue;
      for (i = 0; i < *n; i++)
        seen = seen || (*gids)[i] == gid;
      if (seen)
        continue;
      *gids = xrealloc (*gids, (*n + 1) * sizeof (gid_t));
      (*gids)[(*n)++] = gid;
    }
}

static void
passwd_entry_release (struct passwd_entry *e)
{
  free (e->name);
  free (e->home);
}

#define cleanup_passwd_entry __attribute__ ((cleanup (passwd_entry_release)))

/* As runc and Docker do: the user is a name or a uid (a uid missing from
 * passwd is fine, with gid 0); the group, when given, is a name or a gid and
 * replaces the user's primary group.  Only without an explicit group does
 * the user also get the groups that list it as a member.  */
int
ferry_spec_resolve_user (const char *rootfs, const char *user, uid_t *uid, gid_t *gid, gid_t **additional,
                         size_t *n_additional, char **home, ferry_error_t *err)
{
  cleanup_free char *user_part = xstrdup (user ? user : "");
  cleanup_passwd_entry struct passwd_entry entry = { 0 };
  cleanup_fclose FILE *passwd = NULL;
  cleanup_fclose FILE *group = NULL;
  cleanup_free gid_t *gids = NULL;
  cleanup_close int rootfd = -1;
  size_t n_gids = 0;
  char *group_part = strchr (user_part, ':');
  uint32_t id;
  bool numeric;

  if (group_part)
    *group_part++ = '\0';
  if (group_part && *group_part == '\0')
    group_part = NULL;
  /* No user is root, looked up by uid 0 for its home and groups.  */
  id = 0;
  numeric = user_part[0] == '\0' || parse_id (user_part, &id);

  rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return ferry_make_error (err, errno, "cannot open the container root `%s`", rootfs);
  if (open_in_root (rootfd, rootfs, "etc/passwd", &passwd, err) < 0)
    return -1;

  if (passwd)
    find_passwd_entry (passwd, numeric ? NULL : user_part, id, &entry);
  /* Podman exits 126 here: the command cannot be run as that user.  */
  if (! entry.found && ! numeric)
    return ferry_make_error_kind (err, FERRY_ERROR_COMMAND_NOT_EXECUTABLE,
                                  "unable to find user %s: no matching entries in passwd file", user_part);
  if (! entry.found)
    {
      entry.uid = id;
      entry.gid = 0;
    }

  if (open_in_root (rootfd, rootfs, "etc/group", &group, err) < 0)
    return -1;
  if (group_part)
    {
      if (parse_id (group_part, &id))
        entry.gid = id;
      else if (group == NULL || ! find_group_gid (group, group_part, &entry.gid))
        return ferry_make_error_kind (err, FERRY_ERROR_COMMAND_NOT_EXECUTABLE,
                                      "unable to find group %s: no matching entries in group file",
                                      group_part);
    }
  else if (group && entry.found)
    find_member_groups (group, entry.name, entry.gid, &gids, &n_gids);

  *uid = entry.uid;
  *gid = entry.gid;
  if (additional)
    *additional = steal_pointer (&gids);
  if (n_additional)
    *n_additional = additional ? n_gids : 0;
  if (home)
    *home = xstrdup (entry.home && *entry.home ? entry.home : "/");
  return 0;
}

int
ferry_spec_resolve_groups (const char *rootfs, char *const *groups, gid_t **gids, size_t *n,
                           ferry_error_t *err)
{
  cleanup_close int rootfd = -1;

  for (size_t i = 0; groups && groups[i]; i++)
    {
      uint32_t gid;
      size_t k;

      if (! parse_id (groups[i], &gid))
        {
          cleanup_fclose FILE *group = NULL;

          if (rootfd < 0)
            {
              rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
              if (rootfd < 0)
                return ferry_make_error (err, errno, "cannot open the container root `%s`", rootfs);
            }
          if (open_in_root (rootfd, rootfs, "etc/group", &group, err) < 0)
            return -1;
          /* Podman's words here start with a capital, unlike --user's.  */
          if (group == NULL || ! find_group_gid (group, groups[i], &gid))
            return ferry_make_error_kind (err, FERRY_ERROR_COMMAND_NOT_EXECUTABLE,
                                          "Unable to find group %s: no matching entries in group file",
                                          groups[i]);
        }
      for (k = 0; k < *n && (*gids)[k] != gid; k++)
        ;
      if (k < *n)
        continue;
      *gids = xrealloc (*gids, sizeof (gid_t) * (*n + 1));
      (*gids)[(*n)++] = gid;
    }
  return 0;
}

int
ferry_spec_read_root_file (const char *rootfs, const char *name, char **text, ferry_error_t *err)
{
  cleanup_close int rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  cleanup_fclose FILE *f = NULL;
  cleanup_free char *buf = NULL;
  size_t len = 0;
  FILE *mem;

  *text = NULL;
  if (rootfd < 0)
    return ferry_make_error (err, errno, "cannot open the container root `%s`", rootfs);
  if (open_in_root (rootfd, rootfs, name, &f, err) < 0)
    return -1;
  if (f == NULL)
    return 0;
  mem = open_memstream (&buf, &len);
  if (mem == NULL)
    abort ();
  {
    char chunk[4096];
    size_t got;
    while ((got = fread (chunk, 1, sizeof (chunk), f)) > 0)
      fwrite (chunk, 1, got, mem);
  }
  fclose (mem);
  if (ferror (f))
    return ferry_make_error (err, EIO, "cannot read `/%s` in `%s`", name, rootfs);
  *text = steal_pointer (&buf);
  return 0;
}
