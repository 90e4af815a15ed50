/* ferry: ferry info (info.h).  */
#include "info.h"
#include "container.h"
#include "host_packages.h"
#include "volume.h"
#include "../image/load.h"
#include "../image/registries.h"
#include "../network/netavark.h"
#include "../state/events.h"
#include "../runtime/conmon.h"
#include "../runtime/seccomp.h"
#include "../runtime/spec.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static void
add_string (json_object *o, const char *key, const char *value)
{
  json_object_object_add (o, key, json_object_new_string (value ? value : ""));
}

enum version_form
{
  VERSION_FIRST_LINE,
  VERSION_WHOLE,
  VERSION_ONE_LINE, /* its lines joined with ", " */
};

/* { path, version } of PROGRAM, from what it says to --version.  */
static json_object *
program (const char *name, enum version_form form)
{
  json_object *o = json_object_new_object ();
  cleanup_free char *path = NULL;
  cleanup_free char *version = ferry_program_version (name, &path);

  if (version && form == VERSION_FIRST_LINE)
    version[strcspn (version, "\n")] = '\0';
  if (version && form == VERSION_ONE_LINE)
    {
      cleanup_free char *joined = xstrdup ("");

      for (char *l = strtok (version, "\n"); l; l = strtok (NULL, "\n"))
        {
          char *more = xasprintf ("%s%s%s", joined, *joined ? ", " : "", l);
          free (joined);
          joined = more;
        }
      free (version);
      version = steal_pointer (&joined);
    }
  add_string (o, "path", path);
  add_string (o, "version", version);
  return o;
}

/* NAME's value in /etc/os-release, unquoted.  */
static char *
os_release (const char *text, const char *name)
{
  size_t len = strlen (name);

  for (const char *l = text; l && *l; l = strchr (l, '\n') ? strchr (l, '\n') + 1 : NULL)
    if (strncmp (l, name, len) == 0 && l[len] == '=')
      {
        const char *v = l + len + 1;
        size_t n = strcspn (v, "\n");

        if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
          return xstrndup (v + 1, n - 2);
        return xstrndup (v, n);
      }
  return xstrdup ("");
}

char *
ferry_engine_os_release (const char *name)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_free char *text = NULL;
  size_t len;

  if (ferry_read_file ("/etc/os-release", &text, &len, &ignored) < 0)
    return xstrdup ("");
  return os_release (text, name);
}

static json_object *
distribution (void)
{
  json_object *o = json_object_new_object ();
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_free char *text = NULL;
  size_t len;

  if (ferry_read_file ("/etc/os-release", &text, &len, &ignored) < 0)
    text = xstrdup ("");
  {
    cleanup_free char *id = os_release (text, "ID");
    cleanup_free char *version = os_release (text, "VERSION_ID");
    cleanup_free char *codename = os_release (text, "VERSION_CODENAME");

    add_string (o, "distribution", id);
    add_string (o, "version", version);
    add_string (o, "codename", codename);
  }
  return o;
}

/* The cgroup controllers this host has enabled: v2's cgroup.controllers,
 * else v1's /proc/cgroups.  */
static json_object *
cgroup_controllers (int v2)
{
  json_object *a = json_object_new_array ();
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_free char *text = NULL;
  size_t len;

  if (ferry_read_file (v2 ? "/sys/fs/cgroup/cgroup.controllers" : "/proc/cgroups", &text, &len, &ignored) < 0)
    return a;
  for (char *l = text, *next; l && *l; l = next)
    {
      char name[64];
      int hierarchy, groups, enabled;

      next = strchr (l, '\n');
      if (next)
        *next++ = '\0';
      if (v2)
        {
          for (char *w = strtok (l, " "); w; w = strtok (NULL, " "))
            json_object_array_add (a, json_object_new_string (w));
        }
      else if (l[0] != '#' && sscanf (l, "%63s %d %d %d", name, &hierarchy, &groups, &enabled) == 4
               && enabled)
        {
          /* As Podman: only those mounted under /sys/fs/cgroup.  */
          cleanup_free char *mounted = xasprintf ("/sys/fs/cgroup/%s", name);

          if (ferry_path_exists (mounted))
            json_object_array_add (a, json_object_new_string (name));
        }
    }
  return a;
}

/* "19h 16m 35.00s (Approximately 0.80 days)", as Podman says it.  */
static char *
uptime_text (long seconds)
{
  return xasprintf ("%ldh %ldm %ld.00s (Approximately %.2f days)", seconds / 3600, seconds % 3600 / 60,
                    seconds % 60, seconds / 86400.0);
}

/* FRACTION (0 to 1) in percent, rounded to hundredths as Go's
 * math.Round(x*100)/100 rounds it.  */
static json_object *
percent (double fraction)
{
  return ferry_json_new_go_double ((double) (long long) (fraction * 10000 + 0.5) / 100);
}

/* The host's CPU time since boot in user, system and idle mode, each in
 * percent of the three together, as Podman's cpuUtilization counts it
 * (nice, iowait and the interrupts count in none of them).  */
static json_object *
cpu_utilization (void)
{
  json_object *o = json_object_new_object ();
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_free char *text = NULL;
  unsigned long long user, nice, system, idle;
  double total;
  size_t len;

  if (ferry_read_file ("/proc/stat", &text, &len, &ignored) < 0
      || sscanf (text, "cpu %llu %llu %llu %llu", &user, &nice, &system, &idle) != 4)
    return o;
  total = (double) user + (double) system + (double) idle;
  if (total == 0)
    return o;
  json_object_object_add (o, "userPercent", percent (user / total));
  json_object_object_add (o, "systemPercent", percent (system / total));
  json_object_object_add (o, "idlePercent", percent (idle / total));
  return o;
}

/* What confines the containers ferry starts: its default capabilities
 * and seccomp profile; ferry applies no AppArmor or SELinux profile.  */
static json_object *
security_info (void)
{
  json_object *o = json_object_new_object ();
  const char *const *caps = ferry_spec_default_capabilities ();
  const char *seccomp = ferry_seccomp_default_profile_path ();
  char *joined = xstrdup (""), *next;

  for (size_t i = 0; caps[i]; i++)
    {
      next = xasprintf ("%s%s%s", joined, i ? "," : "", caps[i]);
      free (joined);
      joined = next;
    }
  json_object_object_add (o, "apparmorEnabled", json_object_new_boolean (0));
  add_string (o, "capabilities", joined);
  free (joined);
  json_object_object_add (o, "rootless", json_object_new_boolean (geteuid () != 0));
  json_object_object_add (o, "seccompEnabled", json_object_new_boolean (seccomp != NULL));
  add_string (o, "seccompProfilePath", seccomp ? seccomp : "");
  json_object_object_add (o, "selinuxEnabled", json_object_new_boolean (0));
  return o;
}

/* "dynamic" when a dynamic loader started this ferry, else "static".  */
static const char *
link_mode (void)
{
  return getauxval (AT_BASE) != 0 ? "dynamic" : "static";
}

/* The CPU variant an image for this host would name ("v8" on arm64),
 * "" where the architecture has none.  */
static const char *
host_variant (void)
{
  return strcmp (ferry_image_host_arch (), "arm64") == 0 ? "v8" : "";
}

/* { path, version } of a program that is not there.  */
static json_object *
empty_program (void)
{
  json_object *o = json_object_new_object ();

  add_string (o, "path", "");
  add_string (o, "version", "");
  return o;
}

/* Where Podman looks for its helper programs (containers.conf's
 * helper_binaries_dir), before $PATH.  */
static const char *const HELPER_DIRS[] = { "/usr/local/libexec/podman", "/usr/local/lib/podman",
                                           "/usr/libexec/podman", "/usr/lib/podman", NULL };

/* { PATH_KEY, version } of helper NAME (pasta, slirp4netns) where Podman
 * would find it, all "" where it would find none: ferry runs neither (it
 * has no rootless networking), but says what this host has.  */
static json_object *
helper (const char *name, const char *path_key)
{
  json_object *o = json_object_new_object ();
  cleanup_free char *found = NULL, *version = NULL;
  const char *env_path = getenv ("PATH");

  for (size_t i = 0; HELPER_DIRS[i] && found == NULL; i++)
    {
      cleanup_free char *p = xasprintf ("%s/%s", HELPER_DIRS[i], name);

      if (access (p, X_OK) == 0)
        found = steal_pointer (&p);
    }
  if (found == NULL && env_path)
    {
      cleanup_free char *copy = xstrdup (env_path);
      char *save = NULL;

      for (char *d = strtok_r (copy, ":", &save); d && found == NULL; d = strtok_r (NULL, ":", &save))
        {
          cleanup_free char *p = *d == '/' ? xasprintf ("%s/%s", d, name) : NULL;

          if (p && access (p, X_OK) == 0)
            found = steal_pointer (&p);
        }
    }
  if (found)
    {
      cleanup_free char *ignored = NULL;

      version = ferry_program_version (found, &ignored);
      if (version)
        version[strcspn (version, "\n")] = '\0';
    }
  add_string (o, path_key, found);
  add_string (o, "package", "");
  add_string (o, "version", version);
  return o;
}

/* O's members KEYS moved, in that order, before any other: Podman's
 * struct order, which {{json .Host.Conmon}} writes.  */
static void
order_members (json_object *o, const char *const *keys)
{
  cleanup_json json_object *all = NULL;
  json_object *v;

  if (o == NULL)
    return;
  all = json_object_new_object ();
  json_object_object_foreach (o, k, value) json_object_object_add (all, k, json_object_get (value));
  json_object_object_foreach (all, key, unused)
  {
    (void) unused;
    json_object_object_del (o, key);
  }
  for (size_t i = 0; keys[i]; i++)
    if (json_object_object_get_ex (all, keys[i], &v))
      json_object_object_add (o, keys[i], json_object_get (v));
  json_object_object_foreach (all, rest, rv) if (! json_object_object_get_ex (o, rest, NULL))
      json_object_object_add (o, rest, json_object_get (rv));
}

/* The "package" of each program info names, from dpkg's database read
 * once (host_packages.h).  */
static void
add_packages (json_object *h)
{
  json_object *nb = ferry_json_get_object (h, "networkBackendInfo");
  json_object *owners[] = {
    ferry_json_get_object (h, "conmon"),
    ferry_json_get_object (h, "ociRuntime"),
    nb,
    nb ? ferry_json_get_object (nb, "dns") : NULL,
    ferry_json_get_object (h, "criu"),
    ferry_json_get_object (h, "pasta"),
    ferry_json_get_object (h, "slirp4netns"),
  };
  const size_t n = sizeof (owners) / sizeof (owners[0]);
  const char *paths[sizeof (owners) / sizeof (owners[0])];
  char *packages[sizeof (owners) / sizeof (owners[0])];

  for (size_t i = 0; i < n; i++)
    {
      const char *p = owners[i] ? ferry_json_get_string (owners[i], "path") : NULL;

      paths[i] = p ? p : owners[i] ? ferry_json_get_string (owners[i], "executable") : NULL;
    }
  ferry_host_packages ("/var/lib/dpkg", paths, n, packages);
  for (size_t i = 0; i < n; i++)
    {
      if (owners[i])
        add_string (owners[i], "package", packages[i]);
      free (packages[i]);
    }
  {
    static const char *const program_order[] = { "name", "package", "path", "version", NULL };
    static const char *const helper_order[] = { "executable", "package", "version", NULL };
    static const char *const backend_order[] = { "backend", "version", "package", "path", "dns", NULL };
    static const char *const dns_order[] = { "version", "package", "path", NULL };

    order_members (owners[0], program_order);
    order_members (owners[1], program_order);
    order_members (owners[4], program_order);
    order_members (owners[5], helper_order);
    order_members (owners[6], helper_order);
    order_members (owners[3], dns_order);
    order_members (nb, backend_order);
  }
}

static json_object *
host_info (ferry_engine_t *e)
{
  json_object *h = json_object_new_object ();
  json_object *rt = program (e->runtime.path, VERSION_WHOLE);
  json_object *net
      = program (getenv ("FERRY_NETAVARK") && *getenv ("FERRY_NETAVARK") ? getenv ("FERRY_NETAVARK")
                                                                         : FERRY_NETAVARK_BINARY,
                 0);
  json_object *dns
      = program (getenv ("FERRY_AARDVARK") && *getenv ("FERRY_AARDVARK") ? getenv ("FERRY_AARDVARK")
                                                                         : FERRY_AARDVARK_BINARY,
                 0);
  cleanup_free char *conmon_path = ferry_conmon_path ();
  struct utsname u;
  struct sysinfo si;
  struct statfs fs;
  int v2 = statfs ("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
  char hostname[256] = "";

  add_string (h, "arch", ferry_image_host_arch ());
  add_string (h, "cgroupManager", "cgroupfs");
  add_string (h, "cgroupVersion", v2 ? "v2" : "v1");
  json_object_object_add (h, "cgroupControllers", cgroup_controllers (v2));
  json_object_object_add (h, "conmon",
                          conmon_path ? program (conmon_path, VERSION_ONE_LINE) : empty_program ());
  json_object_object_add (h, "cpuUtilization", cpu_utilization ());
  json_object_object_add (h, "cpus", json_object_new_int64 (sysconf (_SC_NPROCESSORS_ONLN)));
  {
    json_object *criu = program ("criu", VERSION_WHOLE);
    const char *out = ferry_json_get_string (criu, "version");
    cleanup_free char *number = ferry_criu_version_number (out);

    add_string (criu, "version", number ? number : out);
    json_object_object_add (h, "criu", criu);
  }
  add_string (h, "databaseBackend", "sqlite");
  json_object_object_add (h, "distribution", distribution ());
  add_string (h, "eventLogger", ferry_events_backend ());
  gethostname (hostname, sizeof (hostname) - 1);
  add_string (h, "hostname", hostname);
  {
    /* ferry maps no user namespace of its own: the identity.  */
    json_object *ids = json_object_new_object ();

    json_object_object_add (ids, "gidmap", NULL);
    json_object_object_add (ids, "uidmap", NULL);
    json_object_object_add (h, "idMappings", ids);
  }
  add_string (h, "kernel", uname (&u) == 0 ? u.release : "");
  add_string (h, "linkmode", link_mode ());
  add_string (h, "logDriver", "k8s-file");
  if (sysinfo (&si) == 0)
    {
      json_object_object_add (h, "memFree", json_object_new_int64 ((int64_t) si.freeram * si.mem_unit));
      json_object_object_add (h, "memTotal", json_object_new_int64 ((int64_t) si.totalram * si.mem_unit));
    }
  add_string (h, "networkBackend", "netavark");
  {
    json_object *nb = json_object_new_object ();

    add_string (nb, "backend", "netavark");
    add_string (nb, "package", "");
    add_string (nb, "path", ferry_json_get_string (net, "path"));
    add_string (nb, "version", ferry_json_get_string (net, "version"));
    json_object_object_add (nb, "dns", dns);
    json_object_object_add (h, "networkBackendInfo", nb);
    json_object_put (net);
  }
  add_string (rt, "name", e->runtime.name);
  json_object_object_add (h, "ociRuntime", rt);
  add_string (h, "os", "linux");
  json_object_object_add (h, "pasta", helper ("pasta", "executable"));
  json_object_object_add (h, "security", security_info ());
  json_object_object_add (h, "serviceIsRemote", json_object_new_boolean (0));
  json_object_object_add (h, "slirp4netns", helper ("slirp4netns", "executable"));
  if (sysinfo (&si) == 0)
    {
      cleanup_free char *up = uptime_text (si.uptime);

      json_object_object_add (h, "swapFree", json_object_new_int64 ((int64_t) si.freeswap * si.mem_unit));
      json_object_object_add (h, "swapTotal", json_object_new_int64 ((int64_t) si.totalswap * si.mem_unit));
      add_string (h, "uptime", up);
    }
  add_string (h, "variant", host_variant ());
  add_packages (h);
  {
    /* Podman's HostInfo struct order, which --format json writes; criu
     * is ferry's, beside the other programs.  */
    static const char *const host_order[] = { "arch",
                                              "buildahVersion",
                                              "cgroupManager",
                                              "cgroupVersion",
                                              "cgroupControllers",
                                              "conmon",
                                              "criu",
                                              "cpus",
                                              "cpuUtilization",
                                              "databaseBackend",
                                              "distribution",
                                              "eventLogger",
                                              "freeLocks",
                                              "hostname",
                                              "idMappings",
                                              "kernel",
                                              "logDriver",
                                              "memFree",
                                              "memTotal",
                                              "networkBackend",
                                              "networkBackendInfo",
                                              "ociRuntime",
                                              "os",
                                              "remoteSocket",
                                              "rootlessNetworkCmd",
                                              "serviceIsRemote",
                                              "security",
                                              "slirp4netns",
                                              "pasta",
                                              "swapFree",
                                              "swapTotal",
                                              "uptime",
                                              "variant",
                                              "linkmode",
                                              NULL };
    order_members (h, host_order);
  }
  return h;
}

/* Podman's name of the file system a statfs type is ("extfs" for the
 * ext family), NULL for one ferry does not know.  */
static const char *
filesystem_name (long type)
{
  static const struct
  {
    long magic;
    const char *name;
  } names[] = {
    { EXT4_SUPER_MAGIC, "extfs" },
    { XFS_SUPER_MAGIC, "xfs" },
    { BTRFS_SUPER_MAGIC, "btrfs" },
    { TMPFS_MAGIC, "tmpfs" },
    { OVERLAYFS_SUPER_MAGIC, "overlayfs" },
    { 0x2fc12fc1, "zfs" },
    { 0x6969, "nfs" },
    { 0x5346544e, "ntfs" },
    { 0xf2f52010, "f2fs" },
  };

  for (size_t i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    if (names[i].magic == type)
      return names[i].name;
  return NULL;
}

/* Whether the file system of DIR says what kind each directory entry is
 * (overlay needs it).  */
static int
supports_d_type (const char *dir)
{
  DIR *d = opendir (dir);
  struct dirent *de;
  int known = 1;

  if (d == NULL)
    return 0;
  while ((de = readdir (d)))
    if (de->d_type == DT_UNKNOWN)
      {
        known = 0;
        break;
      }
  closedir (d);
  return known;
}

/* Whether the running kernel is MAJOR.MINOR or later.  */
static int
kernel_at_least (int major, int minor)
{
  struct utsname u;
  int ma = 0, mi = 0;

  if (uname (&u) < 0 || sscanf (u.release, "%d.%d", &ma, &mi) != 2)
    return 0;
  return ma > major || (ma == major && mi >= minor);
}

/* Whether ferry can give a container's layers other owners through
 * idmapped mounts (storage/overlay.h): overlay over idmapped layers came
 * with Linux 5.19, and the file system under them must support idmapped
 * mounts (tmpfs only from 6.3).  */
static int
supports_shifting (const char *fs_name)
{
  static const char *const idmappable[] = { "extfs", "xfs", "btrfs", "f2fs", NULL };

  if (fs_name == NULL || ! kernel_at_least (5, 19))
    return 0;
  if (strcmp (fs_name, "tmpfs") == 0)
    return kernel_at_least (6, 3);
  for (size_t i = 0; idmappable[i]; i++)
    if (strcmp (fs_name, idmappable[i]) == 0)
      return 1;
  return 0;
}

/* What ferry knows of its overlay store, in Podman's graphStatus words.  */
static json_object *
graph_status (ferry_engine_t *e)
{
  json_object *o = json_object_new_object ();
  cleanup_free char *storage = xasprintf ("%s/storage", e->root);
  const char *dir = ferry_path_exists (storage) ? storage : e->root;
  const char *fs_name = NULL;
  struct statfs fs;

  if (statfs (dir, &fs) == 0)
    fs_name = filesystem_name ((long) fs.f_type);
  if (fs_name)
    add_string (o, "Backing Filesystem", fs_name);
  /* ferry mounts its overlays with redirect_dir=off and metacopy=off, so
   * that an upper directory is the container's whole diff: the diff
   * overlay keeps natively is the one ferry reads.  */
  add_string (o, "Native Overlay Diff", "true");
  add_string (o, "Supports d_type", supports_d_type (dir) ? "true" : "false");
  add_string (o, "Supports shifting", supports_shifting (fs_name) ? "true" : "false");
  /* overlay's volatile option came with Linux 5.10.  */
  add_string (o, "Supports volatile", kernel_at_least (5, 10) ? "true" : "false");
  add_string (o, "Using metacopy", "false");
  return o;
}

static json_object *
store_info (ferry_engine_t *e, ferry_error_t *err)
{
  json_object *s = json_object_new_object ();
  json_object *cs = json_object_new_object (), *is = json_object_new_object (),
              *vs = json_object_new_object ();
  struct ferry_container **ctrs = NULL;
  struct ferry_image **imgs = NULL;
  struct ferry_volume **vols = NULL;
  size_t n_ctrs = 0, n_imgs = 0, n_vols = 0, running = 0, paused = 0, stopped = 0;
  cleanup_free char *volumes = xasprintf ("%s/volumes", e->root);
  struct statvfs vfs;

  if (ferry_container_list (e, &ctrs, &n_ctrs, err) < 0
      || ferry_store_list (e->store, &imgs, &n_imgs, err) < 0
      || ferry_volume_list (e->db, e->root, &vols, &n_vols, err) < 0)
    {
      ferry_containers_free (ctrs, n_ctrs);
      ferry_images_free (imgs, n_imgs);
      json_object_put (s);
      json_object_put (cs);
      json_object_put (is);
      json_object_put (vs);
      return NULL;
    }
  for (size_t i = 0; i < n_ctrs; i++)
    if (ctrs[i]->status == FERRY_CONTAINER_RUNNING)
      running++;
    else if (ctrs[i]->status == FERRY_CONTAINER_PAUSED)
      paused++;
    else
      stopped++;
  add_string (s, "configFile", e->config.path);
  json_object_object_add (cs, "number", json_object_new_int64 (n_ctrs));
  json_object_object_add (cs, "paused", json_object_new_int64 (paused));
  json_object_object_add (cs, "running", json_object_new_int64 (running));
  json_object_object_add (cs, "stopped", json_object_new_int64 (stopped));
  json_object_object_add (s, "containerStore", cs);
  add_string (s, "graphDriverName", "overlay");
  json_object_object_add (s, "graphOptions", json_object_new_object ());
  json_object_object_add (s, "graphStatus", graph_status (e));
  add_string (s, "graphRoot", e->root);
  if (statvfs (e->root, &vfs) == 0)
    {
      json_object_object_add (s, "graphRootAllocated",
                              json_object_new_int64 ((int64_t) vfs.f_blocks * vfs.f_frsize));
      json_object_object_add (s, "graphRootUsed",
                              json_object_new_int64 ((int64_t) (vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize));
    }
  json_object_object_add (is, "number", json_object_new_int64 (n_imgs));
  json_object_object_add (s, "imageStore", is);
  {
    cleanup_free char *tmp = xasprintf ("%s/storage/tmp", e->root);

    add_string (s, "imageCopyTmpDir", tmp);
  }
  add_string (s, "runRoot", e->runroot);
  json_object_object_add (s, "transientStore", json_object_new_boolean (0));
  add_string (s, "volumePath", volumes);
  json_object_object_add (vs, "number", json_object_new_int64 (n_vols));
  json_object_object_add (s, "volumeStore", vs);
  ferry_containers_free (ctrs, n_ctrs);
  ferry_images_free (imgs, n_imgs);
  ferry_volumes_free (vols, n_vols);
  {
    /* Podman's StoreInfo struct order; volumeStore is ferry's.  */
    static const char *const store_order[] = { "configFile",    "containerStore", "graphDriverName",
                                               "graphOptions",  "graphRoot",      "graphRootAllocated",
                                               "graphRootUsed", "graphStatus",    "imageCopyTmpDir",
                                               "imageStore",    "runRoot",        "volumePath",
                                               "volumeStore",   "transientStore", NULL };
    order_members (s, store_order);
  }
  return s;
}

static json_object *
endpoint_info (const struct ferry_registry_endpoint *ep, int mirror)
{
  static const char *const uses[] = { "all", "digest-only", "tag-only" };
  json_object *o = json_object_new_object ();

  json_object_object_add (o, "Location", json_object_new_string (ep->location ? ep->location : ""));
  json_object_object_add (o, "Insecure", json_object_new_boolean (ep->insecure));
  json_object_object_add (
      o, "PullFromMirror",
      json_object_new_string (mirror && ep->pull_from_mirror_set ? uses[ep->pull_from_mirror] : ""));
  return o;
}

/* registries.conf as Podman's info shows it: the search list, then each
 * [[registry]] by its prefix.  */
static json_object *
registries_info (void)
{
  const struct ferry_registries_conf *c;
  json_object *o = json_object_new_object ();
  ferry_error_t ignored = NULL;

  if (ferry_registries_conf_get (&c, &ignored) < 0)
    {
      ferry_error_release (&ignored);
      return o;
    }
  if (c->search && c->search[0])
    {
      json_object *list = json_object_new_array ();

      for (size_t i = 0; c->search[i]; i++)
        json_object_array_add (list, json_object_new_string (c->search[i]));
      json_object_object_add (o, "search", list);
    }
  for (size_t i = 0; i < c->n_registries; i++)
    {
      const struct ferry_registry_entry *r = &c->registries[i];
      json_object *reg = json_object_new_object (), *ep = endpoint_info (&r->endpoint, 0);
      json_object *mirrors = NULL;

      json_object_object_add (reg, "Prefix", json_object_new_string (r->prefix));
      json_object_object_foreach (ep, k, v) json_object_object_add (reg, k, json_object_get (v));
      json_object_put (ep);
      if (r->n_mirrors)
        {
          mirrors = json_object_new_array ();
          for (size_t m = 0; m < r->n_mirrors; m++)
            json_object_array_add (mirrors, endpoint_info (&r->mirrors[m], 1));
        }
      json_object_object_add (reg, "Mirrors", mirrors);
      json_object_object_add (reg, "Blocked", json_object_new_boolean (r->blocked));
      json_object_object_add (reg, "MirrorByDigestOnly", json_object_new_boolean (r->mirror_by_digest_only));
      json_object_object_add (o, r->prefix, reg);
    }
  return o;
}

json_object *
ferry_engine_info (ferry_engine_t *e, ferry_error_t *err)
{
  json_object *o = json_object_new_object (), *v = json_object_new_object ();
  json_object *plugins = json_object_new_object ();
  json_object *store = store_info (e, err);
  cleanup_free char *osarch = xasprintf ("linux/%s", ferry_image_host_arch ());

  if (store == NULL)
    {
      json_object_put (o);
      json_object_put (v);
      json_object_put (plugins);
      return NULL;
    }
  json_object_object_add (o, "host", host_info (e));
  json_object_object_add (o, "store", store);
  json_object_object_add (o, "registries", registries_info ());
  {
    json_object *net = json_object_new_array (), *vol = json_object_new_array (),
                *log = json_object_new_array ();

    /* The drivers ferry has, in the order Podman lists its own; no
     * authorization plugins, as Podman has none.  */
    static const char *const nets[] = { "bridge", "macvlan", "ipvlan", NULL };
    static const char *const logs[] = { "k8s-file", "none", "passthrough", "journald", NULL };

    for (size_t i = 0; nets[i]; i++)
      json_object_array_add (net, json_object_new_string (nets[i]));
    for (size_t i = 0; logs[i]; i++)
      json_object_array_add (log, json_object_new_string (logs[i]));
    json_object_array_add (vol, json_object_new_string ("local"));
    json_object_object_add (plugins, "volume", vol);
    json_object_object_add (plugins, "network", net);
    json_object_object_add (plugins, "log", log);
    json_object_object_add (plugins, "authorization", NULL);
  }
  json_object_object_add (o, "plugins", plugins);
  /* As ferry version: the version of ferry's interface is its own.  */
  add_string (v, "APIVersion", FERRY_VERSION);
  add_string (v, "Version", FERRY_VERSION);
  /* ferry is no Go program (no GoVersion), and its build records no
   * commit: "" as Podman's own builds show.  */
  add_string (v, "GitCommit", "");
  {
    /* When this ferry binary was written.  */
    struct stat st;

    if (stat ("/proc/self/exe", &st) == 0)
      {
        char text[64] = "";
        struct tm tm;
        time_t t = st.st_mtime;

        if (localtime_r (&t, &tm))
          strftime (text, sizeof (text), "%a %b %e %H:%M:%S %Y", &tm);
        add_string (v, "BuiltTime", text);
        json_object_object_add (v, "Built", json_object_new_int64 ((int64_t) t));
      }
  }
  add_string (v, "OsArch", osarch);
  add_string (v, "Os", "linux");
  json_object_object_add (o, "version", v);
  return o;
}
