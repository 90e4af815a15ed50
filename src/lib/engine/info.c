/* ferry: ferry info (info.h).  */
#include "info.h"
#include "container.h"
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

    add_string (o, "codename", codename);
    add_string (o, "distribution", id);
    add_string (o, "version", version);
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
        json_object_array_add (a, json_object_new_string (name));
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

/* The host's CPU time since boot in user, system and idle mode, in
 * percent of all of it, as Podman's cpuUtilization.  */
static json_object *
cpu_utilization (void)
{
  json_object *o = json_object_new_object ();
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_free char *text = NULL;
  unsigned long long v[10] = { 0 }, total = 0;
  size_t len;
  int n, i;

  if (ferry_read_file ("/proc/stat", &text, &len, &ignored) < 0)
    return o;
  n = sscanf (text, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
              &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
  for (i = 0; i < n; i++)
    total += v[i];
  if (n < 4 || total == 0)
    return o;
  json_object_object_add (o, "userPercent",
                          json_object_new_double (((long long) (v[0] * 10000.0 / total + 0.5)) / 100.0));
  json_object_object_add (o, "systemPercent",
                          json_object_new_double (((long long) (v[2] * 10000.0 / total + 0.5)) / 100.0));
  json_object_object_add (o, "idlePercent",
                          json_object_new_double (((long long) (v[3] * 10000.0 / total + 0.5)) / 100.0));
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

static json_object *
host_info (ferry_engine_t *e)
{
  json_object *h = json_object_new_object ();
  json_object *rt = program (e->runtime.path, VERSION_WHOLE);
  json_object *net
      = program (getenv ("FERRY_NETAVARK") && *getenv ("FERRY_NETAVARK") ? getenv ("FERRY_NETAVARK")
                                                                         : FERRY_NETAVARK_BINARY,
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
                          conmon_path ? program (conmon_path, VERSION_ONE_LINE) : json_object_new_object ());
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
    json_object_object_add (h, "networkBackendInfo", nb);
    json_object_put (net);
  }
  add_string (rt, "name", e->runtime.name);
  json_object_object_add (h, "ociRuntime", rt);
  add_string (h, "os", "linux");
  json_object_object_add (h, "security", security_info ());
  json_object_object_add (h, "serviceIsRemote", json_object_new_boolean (0));
  if (sysinfo (&si) == 0)
    {
      cleanup_free char *up = uptime_text (si.uptime);

      json_object_object_add (h, "swapFree", json_object_new_int64 ((int64_t) si.freeswap * si.mem_unit));
      json_object_object_add (h, "swapTotal", json_object_new_int64 ((int64_t) si.totalswap * si.mem_unit));
      add_string (h, "uptime", up);
    }
  add_string (h, "variant", host_variant ());
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
  add_string (o, "Supports d_type", supports_d_type (dir) ? "true" : "false");
  /* ferry mounts its overlays with metacopy=off.  */
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

    json_object_array_add (net, json_object_new_string ("bridge"));
    json_object_array_add (vol, json_object_new_string ("local"));
    json_object_array_add (log, json_object_new_string ("k8s-file"));
    json_object_object_add (plugins, "log", log);
    json_object_object_add (plugins, "network", net);
    json_object_object_add (plugins, "volume", vol);
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
