/* Unit tests for src/lib/runtime/spec.c: the generated config.json (checked
 * field by field and then run by the real runc) and the lookup of users in
 * the container's own passwd and group files.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "runtime/mount_flags.h"
#include "runtime/spec.h"
#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define RUNC "runc"
#define BUSYBOX "/bin/busybox"
#define CGROUP_PARENT "ferry-test"
#define MAX_CONTAINERS 8

static const char *const EXPECTED_CAPABILITIES[]
    = { "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",     "CAP_FSETID",
        "CAP_KILL",    "CAP_NET_BIND_SERVICE", "CAP_SETFCAP",    "CAP_SETGID",
        "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT", NULL };

static const char *const DEFAULT_DESTINATIONS[] = { "/proc",
                                                    "/dev",
                                                    "/dev/pts",
                                                    "/dev/mqueue",
                                                    "/sys",
                                                    "/sys/fs/cgroup",
                                                    "/dev/shm",
                                                    "/etc/hosts",
                                                    "/etc/resolv.conf",
                                                    "/etc/hostname",
                                                    "/run/.containerenv",
                                                    NULL };

struct fixture
{
  char *dir; /* a fresh temporary directory */
  char *rootfs, *shm, *hosts, *resolv, *hostname, *containerenv;
  char *args[8];
  char *env[4];
  gid_t gids[2];
  struct ferry_spec_params params;
  char *containers[MAX_CONTAINERS]; /* runc ids to delete in teardown */
  size_t n_containers;
};

static void
write_file (const char *path, const char *content)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  assert_true (fd >= 0);
  assert_int_equal (ferry_write_all (fd, content, strlen (content)), 0);
}

static void
make_dir (const char *path)
{
  cleanup_error ferry_error_t err = NULL;

  assert_int_equal (ferry_mkdir_p (path, 0755, &err), 0);
}

static char *
path_in (struct fixture *f, const char *name)
{
  return xasprintf ("%s/%s", f->dir, name);
}

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  char tmpl[] = "/tmp/ferry-test-spec-XXXXXX";
  struct ferry_spec_params *p = &f->params;

  if (mkdtemp (tmpl) == NULL)
    return -1;
  f->dir = xstrdup (tmpl);
  f->rootfs = path_in (f, "rootfs");
  f->shm = path_in (f, "shm");
  f->hosts = path_in (f, "hosts");
  f->resolv = path_in (f, "resolv.conf");
  f->hostname = path_in (f, "hostname");
  f->containerenv = path_in (f, "containerenv");
  if (mkdir (f->rootfs, 0755) < 0 || mkdir (f->shm, 01777) < 0)
    return -1;

  f->args[0] = "/bin/app";
  f->args[1] = "--serve";
  f->env[0] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  f->env[1] = "HOME=/root";
  f->gids[0] = 10;
  f->gids[1] = 27;

  p->id = "c0ffee";
  p->rootfs = f->rootfs;
  p->args = f->args;
  p->env = f->env;
  p->cwd = "/srv";
  p->uid = 1000;
  p->gid = 1001;
  p->additional_gids = f->gids;
  p->n_additional_gids = 2;
  p->hostname = "ferryhost";
  p->terminal = 1;
  p->hosts_path = f->hosts;
  p->resolv_path = f->resolv;
  p->hostname_path = f->hostname;
  p->containerenv_path = f->containerenv;
  p->shm_path = f->shm;
  p->cgroups_path = "/ferry/c0ffee";
  *state = f;
  return 0;
}

static void
run_quietly (char *const argv[])
{
  posix_spawn_file_actions_t actions;
  pid_t pid;
  int status;

  posix_spawn_file_actions_init (&actions);
  posix_spawn_file_actions_addopen (&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen (&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen (&actions, 2, "/dev/null", O_WRONLY, 0);
  if (posix_spawnp (&pid, argv[0], &actions, NULL, argv, environ) == 0)
    waitpid (pid, &status, 0);
  posix_spawn_file_actions_destroy (&actions);
}

/* Removes the "/ferry-test" parents runc left in each cgroup hierarchy; a
 * hierarchy still in use by another test keeps it (rmdir refuses).  */
static void
remove_cgroup_parents (void)
{
  cleanup_dir DIR *d = opendir ("/sys/fs/cgroup");
  struct dirent *de;

  if (d == NULL)
    return;
  while ((de = readdir (d)) != NULL)
    {
      cleanup_free char *path = NULL;

      if (de->d_name[0] == '.')
        continue;
      path = xasprintf ("/sys/fs/cgroup/%s/" CGROUP_PARENT, de->d_name);
      rmdir (path);
    }
  rmdir ("/sys/fs/cgroup/" CGROUP_PARENT);
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *runc_root = path_in (f, "runc-root");
  size_t i;
  int ret;

  for (i = 0; i < f->n_containers; i++)
    {
      char *argv[] = { RUNC, "--root", runc_root, "delete", "-f", f->containers[i], NULL };

      run_quietly (argv);
      free (f->containers[i]);
    }
  if (f->n_containers > 0)
    remove_cgroup_parents ();
  ret = ferry_rm_rf (f->dir, &err);
  free (f->rootfs);
  free (f->shm);
  free (f->hosts);
  free (f->resolv);
  free (f->hostname);
  free (f->containerenv);
  free (f->dir);
  free (f);
  return ret;
}

/* --- reading the generated spec ---------------------------------------- */

/* Whether this process holds CAP_SYS_RESOURCE, read from /proc rather than
 * with capget(2) as the code under test does.  */
static bool
have_cap_sys_resource (void)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *status = NULL;
  const char *line;

  assert_int_equal (ferry_read_file ("/proc/self/status", &status, NULL, &err), 0);
  line = strstr (status, "\nCapEff:");
  assert_non_null (line);
  return (strtoull (line + strlen ("\nCapEff:"), NULL, 16) >> 24) & 1;
}

/* Podman's default, or our own hard limit when runc could not raise it.  */
static int64_t
expected_rlimit (int resource, int64_t podman_default, bool soft)
{
  struct rlimit current;
  rlim_t ours;

  assert_int_equal (getrlimit (resource, &current), 0);
  ours = soft ? current.rlim_cur : current.rlim_max;
  if (have_cap_sys_resource () || ours == RLIM_INFINITY || ours >= (rlim_t) podman_default)
    return podman_default;
  return (int64_t) ours;
}

static json_object *
get_path (json_object *obj, const char *a, const char *b)
{
  json_object *v = NULL;

  assert_true (json_object_object_get_ex (obj, a, &v));
  if (b)
    assert_true (json_object_object_get_ex (v, b, &v));
  return v;
}

static const char *
get_string (json_object *obj, const char *a, const char *b)
{
  json_object *v = get_path (obj, a, b);

  assert_true (json_object_is_type (v, json_type_string));
  return json_object_get_string (v);
}

static void
assert_strv_equal (json_object *array, char *const *expected)
{
  size_t i;

  assert_non_null (array);
  assert_true (json_object_is_type (array, json_type_array));
  for (i = 0; expected[i]; i++)
    {
      assert_true (i < json_object_array_length (array));
      assert_string_equal (json_object_get_string (json_object_array_get_idx (array, i)), expected[i]);
    }
  assert_int_equal (json_object_array_length (array), i);
}

static bool
array_has_string (json_object *array, const char *s)
{
  size_t i;

  for (i = 0; array && i < json_object_array_length (array); i++)
    if (strcmp (json_object_get_string (json_object_array_get_idx (array, i)), s) == 0)
      return true;
  return false;
}

/* The exact set: same length, every expected name present once.  */
static void
assert_capability_set (json_object *array)
{
  size_t i, n = 0;

  assert_non_null (array);
  for (i = 0; EXPECTED_CAPABILITIES[i]; i++, n++)
    assert_true (array_has_string (array, EXPECTED_CAPABILITIES[i]));
  assert_int_equal (json_object_array_length (array), n);
}

static size_t
count_mounts (json_object *spec, const char *destination, json_object **last)
{
  json_object *mounts = ferry_json_get_array (spec, "mounts");
  size_t i, count = 0;

  assert_non_null (mounts);
  for (i = 0; i < json_object_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);

      if (strcmp (ferry_json_get_string (m, "destination"), destination) != 0)
        continue;
      count++;
      if (last)
        *last = m;
    }
  return count;
}

static json_object *
the_mount (json_object *spec, const char *destination)
{
  json_object *m = NULL;

  assert_int_equal (count_mounts (spec, destination, &m), 1);
  return m;
}

static ssize_t
mount_index (json_object *spec, const char *destination)
{
  json_object *mounts = ferry_json_get_array (spec, "mounts");
  size_t i;

  for (i = 0; i < json_object_array_length (mounts); i++)
    if (strcmp (ferry_json_get_string (json_object_array_get_idx (mounts, i), "destination"), destination)
        == 0)
      return (ssize_t) i;
  return -1;
}

static bool
has_namespace (json_object *spec, const char *type)
{
  json_object *namespaces = get_path (spec, "linux", "namespaces");
  size_t i;

  for (i = 0; i < json_object_array_length (namespaces); i++)
    if (strcmp (ferry_json_get_string (json_object_array_get_idx (namespaces, i), "type"), type) == 0)
      return true;
  return false;
}

static json_object *
generate_ok (struct fixture *f)
{
  cleanup_error ferry_error_t err = NULL;
  json_object *spec = ferry_spec_generate (&f->params, &err);

  if (spec == NULL)
    fail_msg ("ferry_spec_generate: %s", err->msg);
  return spec;
}

static void
assert_generate_fails (struct fixture *f, const char *expected_in_message)
{
  cleanup_error ferry_error_t err = NULL;
  json_object *spec = ferry_spec_generate (&f->params, &err);

  assert_null (spec);
  assert_non_null (err);
  if (strstr (err->msg, expected_in_message) == NULL)
    fail_msg ("error `%s` does not mention `%s`", err->msg, expected_in_message);
}

/* --- the generated spec ------------------------------------------------- */

static void
test_generate_typical_container (void **state)
{
  struct fixture *f = *state;
  cleanup_json json_object *annotations = json_object_new_object ();
  cleanup_json json_object *spec = NULL;
  json_object *process, *user, *caps, *rlimits, *masked, *readonly;
  ssize_t previous = -1;
  size_t i;

  json_object_object_add (annotations, "io.ferry.test", json_object_new_string ("yes"));
  f->params.annotations = annotations;
  spec = generate_ok (f);

  assert_string_equal (get_string (spec, "ociVersion", NULL), "1.2.0");
  process = get_path (spec, "process", NULL);
  assert_true (json_object_get_boolean (get_path (process, "terminal", NULL)));
  assert_strv_equal (get_path (process, "args", NULL), f->args);
  assert_strv_equal (get_path (process, "env", NULL), f->env);
  assert_string_equal (get_string (process, "cwd", NULL), "/srv");

  user = get_path (process, "user", NULL);
  assert_int_equal (ferry_json_get_int (user, "uid", -1), 1000);
  assert_int_equal (ferry_json_get_int (user, "gid", -1), 1001);
  assert_int_equal (ferry_json_get_int (user, "umask", -1), 022);
  assert_int_equal (json_object_array_length (get_path (user, "additionalGids", NULL)), 2);
  assert_int_equal (
      json_object_get_int (json_object_array_get_idx (get_path (user, "additionalGids", NULL), 0)), 10);
  assert_int_equal (
      json_object_get_int (json_object_array_get_idx (get_path (user, "additionalGids", NULL), 1)), 27);

  caps = get_path (process, "capabilities", NULL);
  assert_capability_set (ferry_json_get_array (caps, "bounding"));
  assert_capability_set (ferry_json_get_array (caps, "effective"));
  assert_capability_set (ferry_json_get_array (caps, "permitted"));
  assert_false (array_has_string (ferry_json_get_array (caps, "bounding"), "CAP_SYS_ADMIN"));
  assert_int_equal (json_object_array_length (get_path (caps, "inheritable", NULL)), 0);
  assert_int_equal (json_object_array_length (get_path (caps, "ambient", NULL)), 0);

  rlimits = get_path (process, "rlimits", NULL);
  assert_int_equal (json_object_array_length (rlimits), 2);
  assert_string_equal (ferry_json_get_string (json_object_array_get_idx (rlimits, 0), "type"),
                       "RLIMIT_NOFILE");
  assert_int_equal (ferry_json_get_int (json_object_array_get_idx (rlimits, 0), "hard", 0),
                    expected_rlimit (RLIMIT_NOFILE, 1048576, false));
  assert_int_equal (ferry_json_get_int (json_object_array_get_idx (rlimits, 0), "soft", 0),
                    expected_rlimit (RLIMIT_NOFILE, 1048576, true));
  assert_string_equal (ferry_json_get_string (json_object_array_get_idx (rlimits, 1), "type"),
                       "RLIMIT_NPROC");
  assert_int_equal (ferry_json_get_int (json_object_array_get_idx (rlimits, 1), "hard", 0),
                    expected_rlimit (RLIMIT_NPROC, 1048576, false));
  assert_int_equal (ferry_json_get_int (json_object_array_get_idx (rlimits, 1), "soft", 0),
                    expected_rlimit (RLIMIT_NPROC, 1048576, true));
  assert_false (json_object_get_boolean (get_path (process, "noNewPrivileges", NULL)));
  assert_int_equal (ferry_json_get_int (process, "oomScoreAdj", -1), 0);

  assert_string_equal (get_string (spec, "root", "path"), f->rootfs);
  assert_false (json_object_get_boolean (get_path (spec, "root", "readonly")));
  assert_string_equal (get_string (spec, "hostname", NULL), "ferryhost");

  /* Each default once; parents before what lies below them (by depth,
   * as Podman orders mounts).  */
  for (i = 0; DEFAULT_DESTINATIONS[i]; i++)
    {
      ssize_t at = mount_index (spec, DEFAULT_DESTINATIONS[i]);

      assert_true (at >= 0);
      assert_int_equal (count_mounts (spec, DEFAULT_DESTINATIONS[i], NULL), 1);
    }
  for (size_t k = 0; k < json_object_array_length (ferry_json_get_array (spec, "mounts")); k++)
    {
      const char *d = ferry_json_get_string (
          json_object_array_get_idx (ferry_json_get_array (spec, "mounts"), k), "destination");
      ssize_t depth = 0;

      for (; *d; d++)
        depth += *d == '/';
      assert_true (depth >= previous);
      previous = depth;
    }
  assert_int_equal (json_object_array_length (ferry_json_get_array (spec, "mounts")), i);
  assert_string_equal (ferry_json_get_string (the_mount (spec, "/dev/shm"), "source"), f->shm);
  assert_string_equal (ferry_json_get_string (the_mount (spec, "/dev/shm"), "type"), "bind");
  assert_string_equal (ferry_json_get_string (the_mount (spec, "/etc/hosts"), "source"), f->hosts);
  assert_string_equal (ferry_json_get_string (the_mount (spec, "/etc/resolv.conf"), "source"), f->resolv);
  assert_string_equal (ferry_json_get_string (the_mount (spec, "/etc/hostname"), "source"), f->hostname);
  assert_string_equal (ferry_json_get_string (the_mount (spec, "/run/.containerenv"), "source"),
                       f->containerenv);
  assert_string_equal (ferry_json_get_string (the_mount (spec, "/proc"), "type"), "proc");
  assert_true (array_has_string (ferry_json_get_array (the_mount (spec, "/sys"), "options"), "ro"));
  assert_true (array_has_string (ferry_json_get_array (the_mount (spec, "/dev/pts"), "options"), "gid=5"));

  assert_true (has_namespace (spec, "pid"));
  assert_true (has_namespace (spec, "network"));
  assert_true (has_namespace (spec, "ipc"));
  assert_true (has_namespace (spec, "uts"));
  assert_true (has_namespace (spec, "mount"));
  assert_true (has_namespace (spec, "cgroup"));
  assert_false (has_namespace (spec, "user"));
  assert_string_equal (get_string (spec, "linux", "cgroupsPath"), "/ferry/c0ffee");
  {
    json_object *devices = get_path (get_path (spec, "linux", "resources"), "devices", NULL);

    assert_int_equal (json_object_array_length (devices), 1);
    assert_false (json_object_get_boolean (get_path (json_object_array_get_idx (devices, 0), "allow", NULL)));
    assert_string_equal (get_string (json_object_array_get_idx (devices, 0), "access", NULL), "rwm");
  }
  /* No profile given: unconfined; the default pids limit is the caller's.  */
  assert_null (ferry_json_get_object (get_path (spec, "linux", NULL), "seccomp"));
  assert_null (ferry_json_get_object (get_path (spec, "linux", "resources"), "pids"));

  masked = get_path (spec, "linux", "maskedPaths");
  assert_int_equal (json_object_array_length (masked), 13);
  assert_true (array_has_string (masked, "/proc/kcore"));
  assert_true (array_has_string (masked, "/proc/interrupts"));
  assert_true (array_has_string (masked, "/sys/devices/virtual/powercap"));
  readonly = get_path (spec, "linux", "readonlyPaths");
  assert_int_equal (json_object_array_length (readonly), 6);
  assert_true (array_has_string (readonly, "/proc/sys"));
  assert_true (array_has_string (readonly, "/proc/sysrq-trigger"));

  /* A copy: changing the caller's object later does not reach the spec.  */
  json_object_object_add (annotations, "io.ferry.later", json_object_new_string ("no"));
  assert_string_equal (get_string (spec, "annotations", "io.ferry.test"), "yes");
  assert_null (ferry_json_get_string (ferry_json_get_object (spec, "annotations"), "io.ferry.later"));
}

static void
test_generate_pids_limit_and_seccomp (void **state)
{
  struct fixture *f = *state;
  cleanup_json json_object *spec = NULL, *profile = NULL;
  ferry_error_t err = NULL;
  json_object *pids;

  static const char text[] = "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": []}";

  profile = ferry_json_parse (text, sizeof (text) - 1, "p", &err);
  assert_non_null (profile);
  f->params.pids_limit = 2048;
  f->params.seccomp_profile = profile;
  spec = generate_ok (f);
  pids = ferry_json_get_object (get_path (spec, "linux", "resources"), "pids");
  assert_int_equal (ferry_json_get_int (pids, "limit", 0), 2048);
  assert_true (ferry_json_string_equals (ferry_json_get_object (get_path (spec, "linux", NULL), "seccomp"),
                                         "defaultAction", "SCMP_ACT_ERRNO"));
}

static bool
strv_has (char **v, const char *s)
{
  for (; v && *v; v++)
    if (strcmp (*v, s) == 0)
      return true;
  return false;
}

static void
test_generate_devices_sysctls_and_masks (void **state)
{
  struct fixture *f = *state;
  cleanup_json json_object *spec = NULL, *sysctls = json_object_new_object ();
  struct ferry_spec_device dev
      = { .path = "/dev/myfuse", .type = 'c', .major = 10, .minor = 229, .file_mode = 0600, .access = "r" };
  char *mask[] = { "/proc/cpuinfo", "/proc/kcore", NULL };
  char *unmask[] = { "/proc/inter*", "/proc/sys", NULL };
  json_object *linux_, *node, *rules, *masked, *readonly;

  json_object_object_add (sysctls, "net.ipv4.ip_forward", json_object_new_string ("1"));
  f->params.devices = &dev;
  f->params.n_devices = 1;
  f->params.sysctls = sysctls;
  f->params.mask = mask;
  f->params.unmask = unmask;
  spec = generate_ok (f);
  linux_ = get_path (spec, "linux", NULL);

  assert_int_equal (json_object_array_length (ferry_json_get_array (linux_, "devices")), 1);
  node = json_object_array_get_idx (ferry_json_get_array (linux_, "devices"), 0);
  assert_string_equal (get_string (node, "path", NULL), "/dev/myfuse");
  assert_string_equal (get_string (node, "type", NULL), "c");
  assert_int_equal (ferry_json_get_int (node, "major", -1), 10);
  assert_int_equal (ferry_json_get_int (node, "minor", -1), 229);
  assert_int_equal (ferry_json_get_int (node, "fileMode", -1), 0600);
  /* The deny-all first, then the device's own rule.  */
  rules = get_path (linux_, "resources", "devices");
  assert_int_equal (json_object_array_length (rules), 2);
  assert_false (json_object_get_boolean (get_path (json_object_array_get_idx (rules, 0), "allow", NULL)));
  assert_true (json_object_get_boolean (get_path (json_object_array_get_idx (rules, 1), "allow", NULL)));
  assert_string_equal (get_string (json_object_array_get_idx (rules, 1), "access", NULL), "r");
  assert_int_equal (ferry_json_get_int (json_object_array_get_idx (rules, 1), "minor", -1), 229);

  assert_string_equal (get_string (linux_, "sysctl", "net.ipv4.ip_forward"), "1");
  masked = get_path (linux_, "maskedPaths", NULL);
  /* 13 defaults less /proc/interrupts, plus /proc/cpuinfo (kcore is one).  */
  assert_int_equal (json_object_array_length (masked), 13);
  assert_false (array_has_string (masked, "/proc/interrupts"));
  assert_true (array_has_string (masked, "/proc/cpuinfo"));
  assert_true (array_has_string (masked, "/sys/firmware"));
  readonly = get_path (linux_, "readonlyPaths", NULL);
  assert_int_equal (json_object_array_length (readonly), 5);
  assert_false (array_has_string (readonly, "/proc/sys"));
  /* Nothing of a privileged container.  */
  assert_true (array_has_string (ferry_json_get_array (the_mount (spec, "/sys"), "options"), "ro"));
  assert_false (array_has_string (ferry_json_get_array (the_mount (spec, "/dev"), "options"), "ro"));
}

static void
test_generate_privileged_and_read_only_dev (void **state)
{
  struct fixture *f = *state;
  cleanup_json json_object *spec = NULL;
  char *mask[] = { "/proc/cpuinfo", NULL };
  char *all[] = { "all", NULL };
  json_object *linux_, *rules;

  f->params.privileged = 1;
  f->params.mask = mask;
  f->params.dev_read_only = 1;
  spec = generate_ok (f);
  linux_ = get_path (spec, "linux", NULL);
  /* No default masked or read-only path; the user's mask still counts.  */
  assert_int_equal (json_object_array_length (get_path (linux_, "maskedPaths", NULL)), 1);
  assert_true (array_has_string (get_path (linux_, "maskedPaths", NULL), "/proc/cpuinfo"));
  assert_int_equal (json_object_array_length (get_path (linux_, "readonlyPaths", NULL)), 0);
  rules = get_path (linux_, "resources", "devices");
  assert_int_equal (json_object_array_length (rules), 1);
  assert_true (json_object_get_boolean (get_path (json_object_array_get_idx (rules, 0), "allow", NULL)));
  assert_true (array_has_string (ferry_json_get_array (the_mount (spec, "/sys"), "options"), "rw"));
  assert_false (array_has_string (ferry_json_get_array (the_mount (spec, "/sys"), "options"), "ro"));
  assert_true (array_has_string (ferry_json_get_array (the_mount (spec, "/sys/fs/cgroup"), "options"), "rw"));
  assert_true (array_has_string (ferry_json_get_array (the_mount (spec, "/dev"), "options"), "ro"));
  assert_true (array_has_string (ferry_json_get_array (the_mount (spec, "/dev/shm"), "options"), "ro"));
  json_object_put (spec);

  /* unmask=ALL (any case) leaves out every default, privileged or not.  */
  f->params.privileged = 0;
  f->params.mask = NULL;
  f->params.unmask = all;
  spec = generate_ok (f);
  assert_int_equal (json_object_array_length (get_path (spec, "linux", "maskedPaths")), 0);
  assert_int_equal (json_object_array_length (get_path (spec, "linux", "readonlyPaths")), 0);
}

static void
test_generate_rejects_bad_devices (void **state)
{
  struct fixture *f = *state;
  struct ferry_spec_device dev = { .path = "/dev/../x", .type = 'c', .access = "rwm" };

  f->params.devices = &dev;
  f->params.n_devices = 1;
  assert_generate_fails (f, "invalid device `/dev/../x`");
  dev.path = "/dev/x";
  dev.type = 'p';
  assert_generate_fails (f, "invalid device `/dev/x`");
  dev.type = 'b';
  snprintf (dev.access, sizeof (dev.access), "rr");
  assert_generate_fails (f, "invalid device `/dev/x`");
}

static void
test_parse_device (void **state)
{
  static const struct
  {
    const char *text, *host, *container, *access;
  } good[] = {
    { "/dev/fuse", "/dev/fuse", "/dev/fuse", "rwm" },
    { "/dev/fuse:r", "/dev/fuse", "/dev/fuse", "r" },
    { "/dev/null:/dev/mynull", "/dev/null", "/dev/mynull", "rwm" },
    { "/dev/null:/dev/mynull:mw", "/dev/null", "/dev/mynull", "mw" },
  };
  static const char *const bad[] = { "dev/fuse", "/dev/fuse:rwx", "/dev/fuse:x", "/dev/fuse:/a:rr",
                                     "/a:/b:/c", "/a:b:rw",       "/a:/b:rw:m",  NULL };
  (void) state;

  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++)
    {
      cleanup_free char *host = NULL, *container = NULL;
      char access[4];

      assert_int_equal (ferry_spec_parse_device (good[i].text, &host, &container, access), 0);
      assert_string_equal (host, good[i].host);
      assert_string_equal (container, good[i].container);
      assert_string_equal (access, good[i].access);
    }
  for (size_t i = 0; bad[i]; i++)
    {
      cleanup_free char *host = NULL, *container = NULL;
      char access[4];

      if (ferry_spec_parse_device (bad[i], &host, &container, access) == 0)
        fail_msg ("`%s` parsed", bad[i]);
    }
}

static void
test_device_from_path (void **state)
{
  cleanup_error ferry_error_t err = NULL;
  struct ferry_spec_device d;

  (void) state;
  assert_int_equal (ferry_spec_device_from_path ("/dev/null", "/dev/n", "rw", &d, &err), 0);
  assert_string_equal (d.path, "/dev/n");
  assert_int_equal (d.type, 'c');
  assert_int_equal (d.major, 1);
  assert_int_equal (d.minor, 3);
  assert_string_equal (d.access, "rw");
  free (d.path);
  assert_true (ferry_spec_device_from_path ("/etc/passwd", "/dev/p", "rwm", &d, &err) < 0);
  assert_non_null (strstr (err->msg, "`/etc/passwd` is not a device"));
  ferry_error_release (&err);
  assert_true (ferry_spec_device_from_path ("/dev/no-such-device", "/dev/x", "rwm", &d, &err) < 0);
  assert_non_null (strstr (err->msg, "/dev/no-such-device"));
}

static void
test_host_devices_and_privileged_capabilities (void **state)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_strv char **caps = ferry_spec_privileged_capabilities ();
  struct ferry_spec_device *devices = NULL;
  size_t n = 0, i;
  bool null_found = false;

  (void) state;
  assert_int_equal (ferry_spec_host_devices (&devices, &n, &err), 0);
  for (i = 0; i < n; i++)
    {
      assert_true (strncmp (devices[i].path, "/dev/", 5) == 0);
      assert_null (strstr (devices[i].path, "/dev/pts/"));
      assert_string_not_equal (devices[i].path, "/dev/console");
      null_found = null_found || strcmp (devices[i].path, "/dev/null") == 0;
    }
  assert_true (null_found);
  ferry_spec_devices_free (devices, n);
  /* Ours: each in our bounding set, and CAP_SYS_ADMIN (root's) among them.  */
  for (i = 0; caps[i]; i++)
    ;
  assert_true (i > 11);
  assert_true (strv_has (caps, "CAP_SYS_ADMIN"));
  assert_int_equal (strv_has (caps, "CAP_SYS_RESOURCE"), have_cap_sys_resource ());
}

static void
test_sysctl_namespaces (void **state)
{
  (void) state;
  assert_int_equal (ferry_spec_sysctl_namespace ("net.ipv4.ip_forward"), FERRY_SYSCTL_NET);
  assert_int_equal (ferry_spec_sysctl_namespace ("net.ipv4.conf.eth0.rp_filter"), FERRY_SYSCTL_NET);
  assert_int_equal (ferry_spec_sysctl_namespace ("kernel.msgmax"), FERRY_SYSCTL_IPC);
  assert_int_equal (ferry_spec_sysctl_namespace ("kernel.shm_rmid_forced"), FERRY_SYSCTL_IPC);
  assert_int_equal (ferry_spec_sysctl_namespace ("fs.mqueue.msg_max"), FERRY_SYSCTL_IPC);
  assert_int_equal (ferry_spec_sysctl_namespace ("kernel.core_pattern"), FERRY_SYSCTL_REFUSED);
  assert_int_equal (ferry_spec_sysctl_namespace ("kernel.shmfoo"), FERRY_SYSCTL_REFUSED);
  assert_int_equal (ferry_spec_sysctl_namespace ("vm.swappiness"), FERRY_SYSCTL_REFUSED);
  assert_int_equal (ferry_spec_sysctl_namespace ("net"), FERRY_SYSCTL_REFUSED);
  assert_int_equal (ferry_spec_sysctl_namespace ("net..ipv4"), FERRY_SYSCTL_REFUSED);
  assert_int_equal (ferry_spec_sysctl_namespace ("net.ipv4/../../kernel/x"), FERRY_SYSCTL_REFUSED);
  assert_int_equal (ferry_spec_sysctl_namespace ("net.ipv4."), FERRY_SYSCTL_REFUSED);
  assert_true (ferry_spec_sysctl_value_is_valid ("4096 87380 6291456"));
  assert_false (ferry_spec_sysctl_value_is_valid (""));
  assert_false (ferry_spec_sysctl_value_is_valid (" 1"));
  assert_false (ferry_spec_sysctl_value_is_valid ("1\n2"));
  assert_false (ferry_spec_sysctl_value_is_valid (NULL));
}

static void
test_generate_host_network (void **state)
{
  struct fixture *f = *state;
  cleanup_json json_object *spec = NULL;

  f->params.host_network = 1;
  f->params.host_cgroupns = 1;
  f->params.terminal = 0;
  f->params.cwd = NULL;
  f->params.annotations = NULL;
  spec = generate_ok (f);

  assert_false (has_namespace (spec, "network"));
  assert_false (has_namespace (spec, "cgroup"));
  assert_true (has_namespace (spec, "pid"));
  assert_true (has_namespace (spec, "mount"));
  assert_false (json_object_get_boolean (get_path (spec, "process", "terminal")));
  assert_string_equal (get_string (spec, "process", "cwd"), "/");
  assert_string_equal (ferry_json_get_string (the_mount (spec, "/etc/hosts"), "source"), f->hosts);
  assert_string_equal (ferry_json_get_string (the_mount (spec, "/etc/resolv.conf"), "source"), f->resolv);
  assert_null (ferry_json_get_object (spec, "annotations"));
}

static void
test_generate_user_mounts (void **state)
{
  struct fixture *f = *state;
  const struct ferry_spec_mount mounts[] = {
    { FERRY_MOUNT_BIND, "/srv/data", "/data", 1, NULL, 0, 0 },
    { FERRY_MOUNT_BIND, "/srv/cache", "/var/cache/app/", 0, NULL, 0, 0 },
    { FERRY_MOUNT_TMPFS, NULL, "/run/scratch", 0, NULL, 0, 0 },
  };
  cleanup_json json_object *spec = NULL;
  json_object *m, *options;

  f->params.mounts = mounts;
  f->params.n_mounts = 3;
  spec = generate_ok (f);

  m = the_mount (spec, "/data");
  assert_string_equal (ferry_json_get_string (m, "type"), "bind");
  assert_string_equal (ferry_json_get_string (m, "source"), "/srv/data");
  options = ferry_json_get_array (m, "options");
  assert_true (array_has_string (options, "rbind"));
  assert_true (array_has_string (options, "rprivate"));
  assert_true (array_has_string (options, "ro"));
  assert_true (array_has_string (options, "nosuid"));
  assert_true (array_has_string (options, "nodev"));

  /* The trailing slash is dropped: runc compares destinations as given.  */
  m = the_mount (spec, "/var/cache/app");
  assert_string_equal (ferry_json_get_string (m, "source"), "/srv/cache");
  assert_true (array_has_string (ferry_json_get_array (m, "options"), "rbind"));
  assert_false (array_has_string (ferry_json_get_array (m, "options"), "ro"));

  m = the_mount (spec, "/run/scratch");
  assert_string_equal (ferry_json_get_string (m, "type"), "tmpfs");
  assert_string_equal (ferry_json_get_string (m, "source"), "tmpfs");
  {
    char *expected[] = { "rw", "rprivate", "nosuid", "nodev", "tmpcopyup", NULL };
    assert_strv_equal (ferry_json_get_array (m, "options"), expected);
  }

  /* Parents first (a tmpfs on /etc must not hide /etc/hosts); of one
   * depth, defaults first, then the user's in the order given.  */
  assert_true (mount_index (spec, "/data") < mount_index (spec, "/etc/hostname"));
  assert_true (mount_index (spec, "/etc/hostname") < mount_index (spec, "/run/scratch"));
  assert_true (mount_index (spec, "/run/scratch") < mount_index (spec, "/var/cache/app"));
  assert_int_equal (json_object_array_length (ferry_json_get_array (spec, "mounts")), 14);
}

/* Podman's defaults: a bind of the user's host path gets no nosuid or
 * nodev; a volume and a tmpfs get both unless their options set them
 * otherwise, and never a word and its opposite together.  */
static void
test_generate_mount_flag_defaults (void **state)
{
  struct fixture *f = *state;
  cleanup_json json_object *suid = json_tokener_parse ("[\"suid\", \"noexec\"]");
  cleanup_json json_object *all = json_tokener_parse ("[\"exec\", \"suid\", \"dev\"]");
  cleanup_json json_object *nosuid = json_tokener_parse ("[\"nosuid\"]");
  const struct ferry_spec_mount mounts[] = {
    { FERRY_MOUNT_BIND, "/srv/host", "/host", 0, NULL, 0, 1 },
    { FERRY_MOUNT_BIND, "/srv/host", "/host-nosuid", 0, nosuid, 0, 1 },
    { FERRY_MOUNT_BIND, "/srv/vol", "/vol", 0, NULL, 0, 0 },
    { FERRY_MOUNT_BIND, "/srv/vol", "/vol-suid", 0, suid, 0, 0 },
    { FERRY_MOUNT_TMPFS, NULL, "/tmp-all", 0, all, 0, 0 },
  };
  cleanup_json json_object *spec = NULL;

  f->params.mounts = mounts;
  f->params.n_mounts = 5;
  spec = generate_ok (f);
  {
    char *expected[] = { "rw", "rprivate", "rbind", NULL };
    assert_strv_equal (ferry_json_get_array (the_mount (spec, "/host"), "options"), expected);
  }
  {
    char *expected[] = { "nosuid", "rw", "rprivate", "rbind", NULL };
    assert_strv_equal (ferry_json_get_array (the_mount (spec, "/host-nosuid"), "options"), expected);
  }
  {
    char *expected[] = { "rw", "rprivate", "nosuid", "nodev", "rbind", NULL };
    assert_strv_equal (ferry_json_get_array (the_mount (spec, "/vol"), "options"), expected);
  }
  {
    char *expected[] = { "suid", "noexec", "rw", "rprivate", "nodev", "rbind", NULL };
    assert_strv_equal (ferry_json_get_array (the_mount (spec, "/vol-suid"), "options"), expected);
  }
  {
    char *expected[] = { "exec", "suid", "dev", "rw", "rprivate", "tmpcopyup", NULL };
    assert_strv_equal (ferry_json_get_array (the_mount (spec, "/tmp-all"), "options"), expected);
  }
}

static void
test_generate_user_mount_replaces_default (void **state)
{
  struct fixture *f = *state;
  const struct ferry_spec_mount mounts[] = {
    { FERRY_MOUNT_BIND, "/srv/my-hosts", "/etc//hosts", 1, NULL, 0, 0 },
    { FERRY_MOUNT_TMPFS, NULL, "/dev/shm", 0, NULL, 0, 0 },
  };
  cleanup_json json_object *spec = NULL;
  json_object *m;

  f->params.mounts = mounts;
  f->params.n_mounts = 2;
  spec = generate_ok (f);

  m = the_mount (spec, "/etc/hosts");
  assert_string_equal (ferry_json_get_string (m, "source"), "/srv/my-hosts");
  assert_true (array_has_string (ferry_json_get_array (m, "options"), "ro"));
  m = the_mount (spec, "/dev/shm");
  assert_string_equal (ferry_json_get_string (m, "type"), "tmpfs");
  assert_int_equal (count_mounts (spec, "/etc/resolv.conf", NULL), 1);
  assert_int_equal (json_object_array_length (ferry_json_get_array (spec, "mounts")), 11);
}

static void
test_generate_rejects_bad_destinations (void **state)
{
  struct fixture *f = *state;
  const char *bad[] = { "data", "./data", "/data/../etc", "/..", "..", "", "/", "//./", NULL };
  size_t i;

  for (i = 0; bad[i]; i++)
    {
      struct ferry_spec_mount m = { FERRY_MOUNT_BIND, "/srv/data", bad[i], 0, NULL, 0, 0 };
      cleanup_free char *named = xasprintf ("`/srv/data:%s`", bad[i]);

      f->params.mounts = &m;
      f->params.n_mounts = 1;
      assert_generate_fails (f, named);
    }
}

static void
test_generate_rejects_bad_mounts (void **state)
{
  struct fixture *f = *state;
  const struct ferry_spec_mount duplicate[] = {
    { FERRY_MOUNT_BIND, "/srv/a", "/data", 0, NULL, 0, 0 },
    { FERRY_MOUNT_TMPFS, NULL, "/data/", 0, NULL, 0, 0 },
  };
  const struct ferry_spec_mount relative_source[] = { { FERRY_MOUNT_BIND, "srv/a", "/data", 0, NULL, 0, 0 } };
  const struct ferry_spec_mount no_source[] = { { FERRY_MOUNT_BIND, NULL, "/data", 0, NULL, 0, 0 } };

  f->params.mounts = duplicate;
  f->params.n_mounts = 2;
  assert_generate_fails (f, "duplicate mount destination `/data`");
  f->params.mounts = relative_source;
  f->params.n_mounts = 1;
  assert_generate_fails (f, "`srv/a:/data`: the source must be an absolute host path");
  f->params.mounts = no_source;
  assert_generate_fails (f, "the source must be an absolute host path");
}

static void
test_generate_needs_default_sources (void **state)
{
  struct fixture *f = *state;
  const struct ferry_spec_mount mounts[] = { { FERRY_MOUNT_BIND, "/srv/h", "/etc/hosts", 0, NULL, 0, 0 } };
  cleanup_json json_object *spec = NULL;

  f->params.hosts_path = NULL;
  assert_generate_fails (f, "`/etc/hosts`");
  f->params.mounts = mounts;
  f->params.n_mounts = 1;
  spec = generate_ok (f);
  assert_string_equal (ferry_json_get_string (the_mount (spec, "/etc/hosts"), "source"), "/srv/h");
}

static void
test_generate_rejects_bad_params (void **state)
{
  struct fixture *f = *state;
  char *no_args[] = { NULL };

  f->params.cwd = "srv";
  assert_generate_fails (f, "working directory `srv` must be an absolute path");
  f->params.cwd = "/";
  f->params.args = no_args;
  assert_generate_fails (f, "no command given");
  f->params.args = NULL;
  assert_generate_fails (f, "no command given");
}

/* --- the spec run by runc ----------------------------------------------- */

static bool
have_runc (void)
{
  return geteuid () == 0 && access ("/usr/sbin/runc", X_OK) == 0 && access (BUSYBOX, X_OK) == 0;
}

static void
copy_file (const char *from, const char *to, mode_t mode)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *data = NULL;
  cleanup_close int fd = -1;
  size_t len;

  assert_int_equal (ferry_read_file (from, &data, &len, &err), 0);
  fd = open (to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  assert_true (fd >= 0);
  assert_int_equal (ferry_write_all (fd, data, len), 0);
  assert_int_equal (fchmod (fd, mode), 0);
}

/* A busybox root file system and the files the engine would prepare.  */
static void
prepare_bundle (struct fixture *f)
{
  cleanup_free char *bin = xasprintf ("%s/bin", f->rootfs);
  cleanup_free char *busybox = xasprintf ("%s/bin/busybox", f->rootfs);
  cleanup_free char *sh = xasprintf ("%s/bin/sh", f->rootfs);
  cleanup_free char *bundle = path_in (f, "bundle");

  make_dir (bin);
  make_dir (bundle);
  copy_file (BUSYBOX, busybox, 0755);
  assert_int_equal (symlink ("busybox", sh), 0);
  write_file (f->hosts, "127.0.0.1 localhost\n");
  write_file (f->resolv, "nameserver 127.0.0.1\n");
  write_file (f->hostname, "ferryhost\n");
  write_file (f->containerenv, "");

  f->params.terminal = 0;
  f->params.uid = 0;
  f->params.gid = 0;
  f->params.n_additional_gids = 0;
  f->params.cwd = "/";
}

/* Writes the spec of F into the bundle, runs it with runc, and returns the
 * container's exit status; its stdout goes to *OUT.  */
static int
run_in_runc (struct fixture *f, char **out)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *runc_root = path_in (f, "runc-root");
  cleanup_free char *bundle = path_in (f, "bundle");
  cleanup_free char *config = path_in (f, "bundle/config.json");
  cleanup_free char *out_path = path_in (f, "stdout");
  cleanup_free char *err_path = path_in (f, "stderr");
  cleanup_free char *cgroup = NULL;
  cleanup_free char *errors = NULL;
  cleanup_json json_object *spec = NULL;
  posix_spawn_file_actions_t actions;
  const char *text;
  char *id;
  pid_t pid;
  int status;

  assert_true (f->n_containers < MAX_CONTAINERS);
  id = xasprintf ("ferry-spec-%d-%zu-%ld", (int) getpid (), f->n_containers, random ());
  f->containers[f->n_containers++] = id;
  cgroup = xasprintf ("/" CGROUP_PARENT "/%s", id);
  f->params.cgroups_path = cgroup;
  spec = generate_ok (f);
  text = ferry_json_to_string (spec, 1);
  assert_int_equal (ferry_write_file_atomic (config, text, strlen (text), 0644, &err), 0);

  {
    char *argv[] = { RUNC, "--root", runc_root, "run", "--bundle", bundle, id, NULL };

    posix_spawn_file_actions_init (&actions);
    posix_spawn_file_actions_addopen (&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen (&actions, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen (&actions, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_int_equal (posix_spawnp (&pid, argv[0], &actions, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy (&actions);
  }
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status));
  assert_int_equal (ferry_read_file (out_path, out, NULL, &err), 0);
  assert_int_equal (ferry_read_file (err_path, &errors, NULL, &err), 0);
  if (*errors)
    print_message ("runc stderr: %s", errors);
  return WEXITSTATUS (status);
}

static void
test_runc_runs_the_spec (void **state)
{
  struct fixture *f = *state;
  char *args[] = { "/bin/busybox", "true", NULL };
  cleanup_free char *out = NULL;

  if (! have_runc ())
    skip ();
  prepare_bundle (f);
  f->params.args = args;
  assert_int_equal (run_in_runc (f, &out), 0);
  assert_string_equal (out, "");
}

static void
test_runc_runs_as_user_with_exit_code (void **state)
{
  struct fixture *f = *state;
  char *args[] = { "/bin/busybox", "sh", "-c", "cat /etc/hostname; id -u; exit 3", NULL };
  cleanup_free char *out = NULL;

  if (! have_runc ())
    skip ();
  prepare_bundle (f);
  f->params.args = args;
  f->params.uid = 1000;
  f->params.gid = 1000;
  assert_int_equal (run_in_runc (f, &out), 3);
  assert_string_equal (out, "ferryhost\n1000\n");
}

/* What the spec asks for is what the process gets: Podman's bounding set
 * (0x800405fb), the rlimit, its own hostname and a network namespace with
 * nothing but lo.  */
static void
test_runc_applies_isolation (void **state)
{
  struct fixture *f = *state;
  char *args[] = {
    "/bin/busybox", "sh", "-c",
    "grep CapBnd /proc/self/status; ulimit -n; hostname; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '",
    NULL
  };
  cleanup_free char *out = NULL;
  cleanup_free char *expected = NULL;

  if (! have_runc ())
    skip ();
  prepare_bundle (f);
  f->params.args = args;
  f->params.env = (char *[]){ "PATH=/bin", NULL };
  assert_int_equal (run_in_runc (f, &out), 0);
  expected = xasprintf ("CapBnd:\t00000000800405fb\n%lld\nferryhost\nlo\n",
                        (long long) expected_rlimit (RLIMIT_NOFILE, 1048576, true));
  assert_string_equal (out, expected);
}

/* runc 1.1 accepts "tmpcopyup" (the tmpfs starts with the image's files)
 * and a read-only bind cannot be written.  */
static void
test_runc_applies_user_mounts (void **state)
{
  struct fixture *f = *state;
  char *args[] = { "/bin/busybox", "sh", "-c",
                   "cat /seeded/seed; echo new > /seeded/new && cat /seeded/new; "
                   "cat /ro/file; (echo x > /ro/file) 2>/dev/null || echo refused; cat /etc/hosts",
                   NULL };
  cleanup_free char *seeded = xasprintf ("%s/seeded", f->rootfs);
  cleanup_free char *seed = xasprintf ("%s/seeded/seed", f->rootfs);
  cleanup_free char *seeded_new = xasprintf ("%s/seeded/new", f->rootfs);
  cleanup_free char *host_dir = path_in (f, "volume");
  cleanup_free char *host_file = path_in (f, "volume/file");
  cleanup_free char *my_hosts = path_in (f, "my-hosts");
  cleanup_free char *out = NULL;
  cleanup_free char *after = NULL;
  cleanup_error ferry_error_t err = NULL;
  const struct ferry_spec_mount mounts[] = {
    { FERRY_MOUNT_TMPFS, NULL, "/seeded", 0, NULL, 0, 0 },
    { FERRY_MOUNT_BIND, host_dir, "/ro", 1, NULL, 0, 0 },
    { FERRY_MOUNT_BIND, my_hosts, "/etc/hosts", 0, NULL, 0, 0 },
  };

  if (! have_runc ())
    skip ();
  prepare_bundle (f);
  make_dir (seeded);
  write_file (seed, "from the image\n");
  make_dir (host_dir);
  write_file (host_file, "from the host\n");
  write_file (my_hosts, "10.0.0.1 mine\n");
  f->params.args = args;
  f->params.mounts = mounts;
  f->params.n_mounts = 3;
  assert_int_equal (run_in_runc (f, &out), 0);
  assert_string_equal (out, "from the image\nnew\nfrom the host\nrefused\n10.0.0.1 mine\n");

  /* The tmpfs took the write, not the image.  */
  assert_int_equal (access (seed, F_OK), 0);
  assert_false (ferry_path_exists (seeded_new));
  assert_int_equal (ferry_read_file (host_file, &after, NULL, &err), 0);
  assert_string_equal (after, "from the host\n");
}

/* --- users and groups --------------------------------------------------- */

static const char PASSWD[] = "root:x:0:0:root:/root:/bin/sh\n"
                             "# a comment\n"
                             "\n"
                             "alice:x:1000:1001:Alice:/home/alice:/bin/sh\n"
                             "bob:x:1002:1002::/home/bob:/bin/sh\n"
                             "nohome:x:1003:1003:::/bin/sh\n";

static const char GROUP[] = "root:x:0:root\n"
                            "wheel:x:10:root,alice\n"
                            "staff:x:50:bob,alice\n"
                            "alice:x:1001:alice\n"
                            "video:x:27:alice\n"
                            "bob:x:1002:\n"
                            "devs:x:2000:\n"
                            "notalice:x:3000:alicex,xalice\n";

static void
make_etc (struct fixture *f, const char *passwd, const char *group)
{
  cleanup_free char *etc = xasprintf ("%s/etc", f->rootfs);
  cleanup_free char *passwd_path = xasprintf ("%s/etc/passwd", f->rootfs);
  cleanup_free char *group_path = xasprintf ("%s/etc/group", f->rootfs);

  make_dir (etc);
  if (passwd)
    write_file (passwd_path, passwd);
  if (group)
    write_file (group_path, group);
}

struct resolved
{
  uid_t uid;
  gid_t gid;
  gid_t *gids;
  size_t n_gids;
  char *home;
};

static void
resolved_release (struct resolved *r)
{
  free (r->gids);
  free (r->home);
  memset (r, 0, sizeof (*r));
}

static void
resolve_ok (struct fixture *f, const char *user, struct resolved *r)
{
  cleanup_error ferry_error_t err = NULL;

  resolved_release (r);
  if (ferry_spec_resolve_user (f->rootfs, user, &r->uid, &r->gid, &r->gids, &r->n_gids, &r->home, &err) < 0)
    fail_msg ("resolving `%s`: %s", user, err->msg);
}

static void
assert_resolve_fails (struct fixture *f, const char *user, const char *message)
{
  cleanup_error ferry_error_t err = NULL;
  uid_t uid = 12345;
  gid_t gid = 12345;
  gid_t *gids = NULL;
  size_t n = 0;
  char *home = NULL;

  assert_true (ferry_spec_resolve_user (f->rootfs, user, &uid, &gid, &gids, &n, &home, &err) < 0);
  assert_non_null (err);
  assert_string_equal (err->msg, message);
  assert_null (home);
  assert_null (gids);
}

static void
assert_gids (const struct resolved *r, const gid_t *expected, size_t n)
{
  size_t i;

  assert_int_equal (r->n_gids, n);
  for (i = 0; i < n; i++)
    assert_int_equal (r->gids[i], expected[i]);
}

static void
test_resolve_user_by_name_and_uid (void **state)
{
  struct fixture *f = *state;
  struct resolved r = { 0 };
  const gid_t alice_groups[] = { 10, 50, 27 };
  const gid_t root_groups[] = { 10 };

  make_etc (f, PASSWD, GROUP);

  resolve_ok (f, "alice", &r);
  assert_int_equal (r.uid, 1000);
  assert_int_equal (r.gid, 1001);
  assert_string_equal (r.home, "/home/alice");
  assert_gids (&r, alice_groups, 3);

  resolve_ok (f, "1000", &r);
  assert_int_equal (r.uid, 1000);
  assert_int_equal (r.gid, 1001);
  assert_string_equal (r.home, "/home/alice");
  assert_gids (&r, alice_groups, 3);

  resolve_ok (f, "", &r);
  assert_int_equal (r.uid, 0);
  assert_int_equal (r.gid, 0);
  assert_string_equal (r.home, "/root");
  assert_gids (&r, root_groups, 1);

  resolve_ok (f, "bob", &r);
  assert_int_equal (r.uid, 1002);
  assert_string_equal (r.home, "/home/bob");
  assert_gids (&r, (const gid_t[]){ 50 }, 1);

  resolve_ok (f, "nohome", &r);
  assert_string_equal (r.home, "/");
  assert_gids (&r, NULL, 0);

  /* A uid nobody has: fine, with gid 0 and "/".  */
  resolve_ok (f, "4242", &r);
  assert_int_equal (r.uid, 4242);
  assert_int_equal (r.gid, 0);
  assert_string_equal (r.home, "/");
  assert_gids (&r, NULL, 0);
  resolved_release (&r);
}

static void
test_resolve_user_with_group (void **state)
{
  struct fixture *f = *state;
  struct resolved r = { 0 };

  make_etc (f, PASSWD, GROUP);

  /* An explicit group replaces the primary one and brings no others.  */
  resolve_ok (f, "alice:staff", &r);
  assert_int_equal (r.uid, 1000);
  assert_int_equal (r.gid, 50);
  assert_string_equal (r.home, "/home/alice");
  assert_gids (&r, NULL, 0);

  resolve_ok (f, "1000:2000", &r);
  assert_int_equal (r.uid, 1000);
  assert_int_equal (r.gid, 2000);

  resolve_ok (f, "alice:2000", &r);
  assert_int_equal (r.uid, 1000);
  assert_int_equal (r.gid, 2000);

  resolve_ok (f, "4242:devs", &r);
  assert_int_equal (r.uid, 4242);
  assert_int_equal (r.gid, 2000);

  resolve_ok (f, "4242:4343", &r);
  assert_int_equal (r.uid, 4242);
  assert_int_equal (r.gid, 4343);
  resolved_release (&r);
}

static void
test_resolve_user_errors (void **state)
{
  struct fixture *f = *state;

  make_etc (f, PASSWD, GROUP);
  assert_resolve_fails (f, "nobody", "unable to find user nobody: no matching entries in passwd file");
  assert_resolve_fails (f, "alic", "unable to find user alic: no matching entries in passwd file");
  assert_resolve_fails (f, "alice:nogroup",
                        "unable to find group nogroup: no matching entries in group file");
  assert_resolve_fails (f, "1000:wheel2", "unable to find group wheel2: no matching entries in group file");
}

static void
test_resolve_user_without_passwd (void **state)
{
  struct fixture *f = *state;
  struct resolved r = { 0 };

  resolve_ok (f, "1234", &r);
  assert_int_equal (r.uid, 1234);
  assert_int_equal (r.gid, 0);
  assert_string_equal (r.home, "/");
  resolve_ok (f, "1234:55", &r);
  assert_int_equal (r.gid, 55);
  resolve_ok (f, "", &r);
  assert_int_equal (r.uid, 0);
  assert_int_equal (r.gid, 0);
  assert_string_equal (r.home, "/");
  assert_gids (&r, NULL, 0);
  resolved_release (&r);
  assert_resolve_fails (f, "alice", "unable to find user alice: no matching entries in passwd file");
  assert_resolve_fails (f, "1234:staff", "unable to find group staff: no matching entries in group file");
}

/* /etc/passwd symlinked out of the root is read inside it: an absolute
 * target, a target climbing with "..", and a path that only exists on the
 * host all resolve under the container's root.  */
static void
test_resolve_user_symlinks_stay_in_root (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *outside = path_in (f, "outside");
  cleanup_free char *outside_passwd = path_in (f, "outside/passwd");
  cleanup_free char *inside_outside = xasprintf ("%s%s", f->rootfs, outside);
  cleanup_free char *inside_outside_passwd = xasprintf ("%s/passwd", inside_outside);
  cleanup_free char *rootfs_outside = xasprintf ("%s/outside", f->rootfs);
  cleanup_free char *rootfs_outside_passwd = xasprintf ("%s/outside/passwd", f->rootfs);
  cleanup_free char *real = xasprintf ("%s/etc/real-passwd", f->rootfs);
  cleanup_free char *link = xasprintf ("%s/etc/passwd", f->rootfs);
  struct resolved r = { 0 };

  make_etc (f, NULL, NULL);
  make_dir (outside);
  write_file (outside_passwd, "mallory:x:666:666::/host:/bin/sh\n");
  make_dir (inside_outside);
  write_file (inside_outside_passwd, "mallory:x:777:777::/inside-abs:/bin/sh\n");
  make_dir (rootfs_outside);
  write_file (rootfs_outside_passwd, "mallory:x:778:778::/inside-rel:/bin/sh\n");
  write_file (real, "mallory:x:779:779::/inside-real:/bin/sh\n");

  /* An absolute host path that exists on the host.  */
  assert_int_equal (symlink (outside_passwd, link), 0);
  resolve_ok (f, "mallory", &r);
  assert_int_equal (r.uid, 777);
  assert_string_equal (r.home, "/inside-abs");

  /* Climbing out: rootfs/etc/../../outside is the host's f->dir/outside.  */
  assert_int_equal (unlink (link), 0);
  assert_int_equal (symlink ("../../outside/passwd", link), 0);
  resolve_ok (f, "mallory", &r);
  assert_int_equal (r.uid, 778);
  assert_string_equal (r.home, "/inside-rel");

  assert_int_equal (unlink (link), 0);
  assert_int_equal (symlink ("/../../../etc/real-passwd", link), 0);
  resolve_ok (f, "mallory", &r);
  assert_int_equal (r.uid, 779);

  /* The host's own /etc/passwd is never read, not even through a magic
   * link: the host's root (home /root) is not the container's.  */
  assert_int_equal (access ("/proc/self/root/etc/passwd", R_OK), 0);
  assert_int_equal (unlink (link), 0);
  assert_int_equal (symlink ("/proc/self/root/etc/passwd", link), 0);
  resolve_ok (f, "", &r);
  assert_string_equal (r.home, "/");
  assert_resolve_fails (f, "root", "unable to find user root: no matching entries in passwd file");
  resolved_release (&r);
}

static void
test_resolve_user_refuses_odd_files (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *passwd = xasprintf ("%s/etc/passwd", f->rootfs);
  cleanup_error ferry_error_t err = NULL;
  uid_t uid;
  gid_t gid;

  make_etc (f, NULL, GROUP);
  /* A FIFO would block a plain open for ever.  */
  assert_int_equal (mkfifo (passwd, 0644), 0);
  assert_true (ferry_spec_resolve_user (f->rootfs, "alice", &uid, &gid, NULL, NULL, NULL, &err) < 0);
  assert_non_null (strstr (err->msg, "is not a regular file"));
}

/* Images dumped while ferry bound its masks name the bundle's masked/N
 * directories in their mount image; Podman's and newer ferry's do not.  */
static void
test_images_bind_masks (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *images = path_in (f, "images");
  cleanup_free char *mounts = xasprintf ("%s/mountpoints-13.img", images);
  static const char id[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  cleanup_free char *bound = xasprintf ("\x1a\x0d/sys/firmware\x22\x4a/ferry/containers/%s/masked/0\x30", id);
  cleanup_free char *other = xasprintf ("\x1a\x05/data\x22\x30/srv/containers/%.60s/masked/0", id);

  make_dir (images);
  assert_false (ferry_spec_images_bind_masks (images));
  write_file (mounts, "\x1a\x0d/sys/firmware\x22\x01/ tmpfs /run/.containerenv");
  assert_false (ferry_spec_images_bind_masks (images));
  write_file (mounts, other);
  assert_false (ferry_spec_images_bind_masks (images));
  write_file (mounts, bound);
  assert_true (ferry_spec_images_bind_masks (images));
  assert_false (ferry_spec_images_bind_masks (f->dir));
}

/* With a mask_dir (restoring such images), masked directories under /sys
 * become read-only binds of empty directories of their own; the rest stay
 * masked by runc.  Two binds of one source are told apart.  */
static void
test_spec_mask_dir_binds (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *mask_dir = path_in (f, "masked");
  cleanup_json json_object *spec = NULL;
  json_object *masked, *fw;
  struct stat st;

  if (stat ("/sys/firmware", &st) < 0 || ! S_ISDIR (st.st_mode))
    skip ();
  assert_int_equal (mkdir (mask_dir, 0755), 0);
  f->params.mask_dir = mask_dir;
  spec = ferry_spec_generate (&f->params, &err);
  assert_non_null (spec);
  masked = get_path (spec, "linux", "maskedPaths");
  assert_false (array_has_string (masked, "/sys/firmware"));
  assert_true (array_has_string (masked, "/proc/acpi"));
  assert_true (array_has_string (masked, "/proc/kcore"));
  fw = the_mount (spec, "/sys/firmware");
  assert_non_null (fw);
  assert_string_equal (ferry_json_get_string (fw, "type"), "bind");
  assert_true (array_has_string (ferry_json_get_array (fw, "options"), "ro"));
  assert_int_equal (stat (ferry_json_get_string (fw, "source"), &st), 0);
  assert_true (S_ISDIR (st.st_mode));
  assert_int_equal (st.st_mode & 07777, 0555);
  assert_true (strncmp (ferry_json_get_string (fw, "source"), mask_dir, strlen (mask_dir)) == 0);
  /* Each its own source: no two binds share one.  */
  assert_false (ferry_mount_flags_shared_sources (spec));
  json_object_array_add (ferry_json_get_array (spec, "mounts"), json_object_get (fw));
  assert_true (ferry_mount_flags_shared_sources (spec));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_generate_typical_container, setup, teardown),
    cmocka_unit_test_setup_teardown (test_generate_pids_limit_and_seccomp, setup, teardown),
    cmocka_unit_test_setup_teardown (test_generate_host_network, setup, teardown),
    cmocka_unit_test_setup_teardown (test_generate_devices_sysctls_and_masks, setup, teardown),
    cmocka_unit_test_setup_teardown (test_generate_privileged_and_read_only_dev, setup, teardown),
    cmocka_unit_test_setup_teardown (test_generate_rejects_bad_devices, setup, teardown),
    cmocka_unit_test (test_parse_device),
    cmocka_unit_test (test_device_from_path),
    cmocka_unit_test (test_host_devices_and_privileged_capabilities),
    cmocka_unit_test (test_sysctl_namespaces),
    cmocka_unit_test_setup_teardown (test_generate_user_mounts, setup, teardown),
    cmocka_unit_test_setup_teardown (test_generate_mount_flag_defaults, setup, teardown),
    cmocka_unit_test_setup_teardown (test_generate_user_mount_replaces_default, setup, teardown),
    cmocka_unit_test_setup_teardown (test_generate_rejects_bad_destinations, setup, teardown),
    cmocka_unit_test_setup_teardown (test_generate_rejects_bad_mounts, setup, teardown),
    cmocka_unit_test_setup_teardown (test_generate_needs_default_sources, setup, teardown),
    cmocka_unit_test_setup_teardown (test_generate_rejects_bad_params, setup, teardown),
    cmocka_unit_test_setup_teardown (test_runc_runs_the_spec, setup, teardown),
    cmocka_unit_test_setup_teardown (test_runc_runs_as_user_with_exit_code, setup, teardown),
    cmocka_unit_test_setup_teardown (test_runc_applies_isolation, setup, teardown),
    cmocka_unit_test_setup_teardown (test_runc_applies_user_mounts, setup, teardown),
    cmocka_unit_test_setup_teardown (test_resolve_user_by_name_and_uid, setup, teardown),
    cmocka_unit_test_setup_teardown (test_resolve_user_with_group, setup, teardown),
    cmocka_unit_test_setup_teardown (test_resolve_user_errors, setup, teardown),
    cmocka_unit_test_setup_teardown (test_resolve_user_without_passwd, setup, teardown),
    cmocka_unit_test_setup_teardown (test_resolve_user_symlinks_stay_in_root, setup, teardown),
    cmocka_unit_test_setup_teardown (test_resolve_user_refuses_odd_files, setup, teardown),
    cmocka_unit_test_setup_teardown (test_spec_mask_dir_binds, setup, teardown),
    cmocka_unit_test_setup_teardown (test_images_bind_masks, setup, teardown),
  };

  srandom ((unsigned) getpid ());
  return cmocka_run_group_tests (tests, NULL, NULL);
}
