/* ferry: --systemd, --shm-size-systemd, --sdnotify and --requires
 * (systemd.h).  */
#include "systemd.h"
#include "health.h"
#include "internal.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* How deep --requires may chain: records from archives are checked one
 * by one, so a cycle across two of them must end somewhere.  */
#define REQUIRES_DEPTH_MAX 32

/* How often a --sdnotify healthy start looks at the health status.  */
#define HEALTHY_POLL_MS 200

/* The tmpfs mounts of systemd mode, in mount order.  */
static const char *const SYSTEMD_TMPFS[] = { "/tmp", "/run", "/run/lock", "/var/log/journal", NULL };

#define HOST_SYSTEMD_CGROUP "/sys/fs/cgroup/systemd"

int
ferry_systemd_command_is_init (char *const *args)
{
  static const char *const inits[] = { "/sbin/init", "/usr/sbin/init", "/usr/local/sbin/init", NULL };
  const char *cmd, *base;

  if (args == NULL || args[0] == NULL)
    return 0;
  cmd = args[0];
  if (args[1] && args[2] && strcmp (args[0], "/bin/sh") == 0 && strcmp (args[1], "-c") == 0)
    cmd = args[2];
  for (size_t i = 0; inits[i]; i++)
    if (strcmp (cmd, inits[i]) == 0)
      return 1;
  base = strrchr (cmd, '/');
  return strcmp (base ? base + 1 : cmd, "systemd") == 0;
}

int
ferry_systemd_mode (json_object *rec)
{
  return json_object_get_boolean (json_object_object_get (rec, "SystemdMode"));
}

const char *
ferry_systemd_sdnotify_mode (json_object *rec)
{
  const char *mode = ferry_json_get_string (rec, "SdNotifyMode");

  return mode ? mode : "container";
}

static int
sdnotify_mode_is_valid (const char *mode)
{
  return strcmp (mode, "container") == 0 || strcmp (mode, "conmon") == 0 || strcmp (mode, "healthy") == 0
         || strcmp (mode, "ignore") == 0;
}

static char **
record_args (json_object *rec)
{
  json_object *a = ferry_json_get_array (rec, "Args");
  size_t n = ferry_json_array_length (a);
  char **v = xmalloc0 (sizeof (char *) * (n + 1));

  for (size_t i = 0; i < n; i++)
    v[i] = xstrdup (json_object_get_string (json_object_array_get_idx (a, i)) ?: "");
  return v;
}

static int
record_requires (ferry_engine_t *e, char **requires, json_object *rec, ferry_error_t *err)
{
  cleanup_json json_object *ids = json_object_new_array ();

  for (size_t i = 0; requires && requires[i]; i++)
    {
      cleanup_free char *list = xstrdup (requires[i]);
      char *save = NULL, *one;

      for (one = strtok_r (list, ",", &save); one; one = strtok_r (NULL, ",", &save))
        {
          struct ferry_container *c = NULL;
          int seen = 0;

          if (ferry_container_lookup (e, one, &c, err) < 0)
            return ferry_error_wrap (err, "\"%s\" is not a valid container, cannot be used as a dependency",
                                     one);
          for (size_t k = 0; k < json_object_array_length (ids); k++)
            if (strcmp (json_object_get_string (json_object_array_get_idx (ids, k)), c->id) == 0)
              seen = 1;
          if (! seen)
            json_object_array_add (ids, json_object_new_string (c->id));
          ferry_container_free (c);
        }
    }
  /* In the order given: Podman's, from a map, comes in any order.  */
  if (json_object_array_length (ids))
    json_object_object_add (rec, "Requires", steal_pointer (&ids));
  return 0;
}

int
ferry_systemd_record (ferry_engine_t *e, const struct ferry_systemd_options *o, int stop_signal_given,
                      json_object *rec, ferry_error_t *err)
{
  const char *systemd = o && o->systemd ? o->systemd : "true";
  const char *sdnotify = o && o->sdnotify ? o->sdnotify : "container";
  int mode;

  if (strcmp (systemd, "true") != 0 && strcmp (systemd, "false") != 0 && strcmp (systemd, "always") != 0)
    return ferry_make_error (err, 0,
                             "invalid config provided: --systemd values must be one of \"true, false, "
                             "always\": invalid configuration");
  if (! sdnotify_mode_is_valid (sdnotify))
    return ferry_make_error (err, 0,
                             "invalid config provided: invalid argument: invalid sdnotify value \"%s\": must "
                             "be conmon, container, healthy or ignore",
                             sdnotify);
  if (strcmp (sdnotify, "healthy") == 0)
    {
      json_object *hc = ferry_json_get_object (rec, "Healthcheck");
      json_object *test = hc ? ferry_json_get_array (hc, "Test") : NULL;
      const char *first = ferry_json_array_length (test)
                              ? json_object_get_string (json_object_array_get_idx (test, 0))
                              : NULL;

      if (first == NULL || strcmp (first, "NONE") == 0)
        return ferry_make_error (err, 0,
                                 "invalid argument: sdnotify policy \"healthy\" requires a healthcheck to be "
                                 "set");
    }
  if (strcmp (systemd, "always") == 0)
    mode = 1;
  else if (strcmp (systemd, "true") == 0)
    {
      cleanup_strv char **args = record_args (rec);
      mode = ferry_systemd_command_is_init (args);
    }
  else
    mode = 0;
  if (mode)
    {
      json_object_object_add (rec, "SystemdMode", json_object_new_boolean (1));
      /* systemd stops on SIGRTMIN+3, unless the user said otherwise.  */
      if (! stop_signal_given)
        json_object_object_add (rec, "StopSignal", json_object_new_int (SIGRTMIN + 3));
    }
  if (o && o->shm_size_systemd > 0)
    json_object_object_add (rec, "ShmSizeSystemd", json_object_new_int64 (o->shm_size_systemd));
  if (strcmp (sdnotify, "container") != 0)
    json_object_object_add (rec, "SdNotifyMode", json_object_new_string (sdnotify));
  if (o && o->create_command && o->create_command[0])
    {
      json_object *cmd = json_object_new_array ();
      size_t n = 0;

      for (; o->create_command[n]; n++)
        json_object_array_add (cmd, json_object_new_string (o->create_command[n]));
      json_object_object_add (rec, "CreateCommand", cmd);
      json_object_object_add (
          rec, "CreateCommandImage",
          json_object_new_int64 ((int64_t) (o->create_command_image < n ? o->create_command_image : n)));
    }
  return o ? record_requires (e, o->requires, rec, err) : 0;
}

/* NOTIFY_SOCKET, when it names a socket conmon can reach by path.  */
static const char *
notify_socket_path (void)
{
  const char *s = getenv ("NOTIFY_SOCKET");
  struct sockaddr_un addr;

  if (s == NULL || s[0] != '/' || strlen (s) >= sizeof (addr.sun_path))
    return NULL;
  return s;
}

const char *
ferry_systemd_conmon_socket (json_object *rec)
{
  if (strcmp (ferry_systemd_sdnotify_mode (rec), "container") != 0)
    return NULL;
  return notify_socket_path ();
}

/* ---- the spec ------------------------------------------------------------- */

static int
spec_has_mount (json_object *mounts, const char *destination)
{
  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    if (ferry_json_string_equals (json_object_array_get_idx (mounts, i), "destination", destination))
      return 1;
  return 0;
}

static json_object *
strings_json (const char *const *v)
{
  json_object *a = json_object_new_array ();

  for (; *v; v++)
    json_object_array_add (a, json_object_new_string (*v));
  return a;
}

static json_object *
make_mount (const char *destination, const char *type, const char *source, json_object *options)
{
  json_object *m = json_object_new_object ();

  json_object_object_add (m, "destination", json_object_new_string (destination));
  json_object_object_add (m, "type", json_object_new_string (type));
  json_object_object_add (m, "source", json_object_new_string (source));
  json_object_object_add (m, "options", options);
  return m;
}

/* True when DESTINATION is DIR or below it.  */
static int
is_under (const char *destination, const char *dir)
{
  size_t n = strlen (dir);

  return strncmp (destination, dir, n) == 0 && (destination[n] == '\0' || destination[n] == '/');
}

/* The tmpfs mounts go before any mount below them (/run/secrets,
 * /run/.containerenv, ...), which they would hide otherwise.  */
static void
add_systemd_tmpfs (json_object *spec, int64_t size)
{
  json_object *mounts = json_object_object_get (spec, "mounts");
  json_object *grown = json_object_new_array ();
  size_t n = ferry_json_array_length (mounts), at = n;
  cleanup_free char *size_opt = size > 0 ? xasprintf ("size=%lld", (long long) size) : NULL;

  for (size_t i = 0; i < n && at == n; i++)
    {
      const char *dst = ferry_json_get_string (json_object_array_get_idx (mounts, i), "destination");
      for (size_t k = 0; dst && SYSTEMD_TMPFS[k]; k++)
        if (is_under (dst, SYSTEMD_TMPFS[k]))
          at = i;
    }
  for (size_t i = 0; i <= n; i++)
    {
      if (i == at)
        for (size_t k = 0; SYSTEMD_TMPFS[k]; k++)
          {
            const char *opts[] = { "rw", "rprivate", "nosuid", "nodev", "tmpcopyup", size_opt, NULL };
            if (spec_has_mount (mounts, SYSTEMD_TMPFS[k]))
              continue;
            json_object_array_add (grown,
                                   make_mount (SYSTEMD_TMPFS[k], "tmpfs", "tmpfs", strings_json (opts)));
          }
      if (i < n)
        json_object_array_add (grown, json_object_get (json_object_array_get_idx (mounts, i)));
    }
  json_object_object_add (spec, "mounts", grown);
}

/* systemd writes its own cgroups: on cgroups v2 the whole tree is
 * writable; on v1 (and hybrid) the name=systemd hierarchy is bound
 * writable, its release_agent masked, as Podman does.  */
static void
add_systemd_cgroup (json_object *spec)
{
  json_object *mounts = json_object_object_get (spec, "mounts");
  json_object *linux_ = json_object_object_get (spec, "linux");

  if (ferry_path_exists ("/sys/fs/cgroup/cgroup.controllers"))
    {
      for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
        {
          json_object *m = json_object_array_get_idx (mounts, i);
          json_object *opts = ferry_json_get_array (m, "options");

          if (! ferry_json_string_equals (m, "destination", "/sys/fs/cgroup"))
            continue;
          for (size_t k = 0; k < ferry_json_array_length (opts); k++)
            if (strcmp (json_object_get_string (json_object_array_get_idx (opts, k)), "ro") == 0)
              json_object_array_put_idx (opts, k, json_object_new_string ("rw"));
        }
      return;
    }
  if (! ferry_path_exists (HOST_SYSTEMD_CGROUP) || spec_has_mount (mounts, HOST_SYSTEMD_CGROUP))
    return;
  {
    static const char *const opts[] = { "bind", "rprivate", "nosuid", "noexec", "nodev", NULL };
    json_object *masked = json_object_object_get (linux_, "maskedPaths");

    json_object_array_add (
        mounts, make_mount (HOST_SYSTEMD_CGROUP, "bind", HOST_SYSTEMD_CGROUP, strings_json (opts)));
    if (masked == NULL)
      {
        masked = json_object_new_array ();
        json_object_object_add (linux_, "maskedPaths", masked);
      }
    json_object_array_add (masked, json_object_new_string (HOST_SYSTEMD_CGROUP "/release_agent"));
  }
}

static void
add_env (json_object *spec, const char *key, const char *value)
{
  json_object *env = json_object_object_get (json_object_object_get (spec, "process"), "env");
  size_t n = strlen (key);

  if (env == NULL)
    return;
  for (size_t i = 0; i < json_object_array_length (env); i++)
    {
      const char *kv = json_object_get_string (json_object_array_get_idx (env, i));
      if (kv && strncmp (kv, key, n) == 0 && kv[n] == '=')
        return;
    }
  {
    cleanup_free char *kv = xasprintf ("%s=%s", key, value);
    json_object_array_add (env, json_object_new_string (kv));
  }
}

/* Whether CRIU's images in DIR have a mount at /run/notify: the restored
 * container must get the mounts it was dumped with.  */
static int
images_have_notify_mount (const char *dir)
{
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  while (d && (de = readdir (d)))
    {
      cleanup_free char *path = NULL, *text = NULL;
      cleanup_error ferry_error_t ignored = NULL;
      size_t len = 0;

      if (strncmp (de->d_name, "mountpoints-", 12) != 0)
        continue;
      path = xasprintf ("%s/%s", dir, de->d_name);
      if (ferry_read_file (path, &text, &len, &ignored) == 0 && memmem (text, len, FERRY_NOTIFY_DIR, 11))
        return 1;
    }
  return 0;
}

int
ferry_systemd_apply (ferry_engine_t *e, const struct ferry_container *c, json_object *spec,
                     const char *bundle, const char *restore_from, ferry_error_t *err)
{
  int notify;

  (void) e;
  if (ferry_systemd_mode (c->record))
    {
      cleanup_free char *uuid = xstrndup (c->id, 32);

      add_systemd_tmpfs (spec, ferry_json_get_int (c->record, "ShmSizeSystemd", 0));
      add_systemd_cgroup (spec);
      add_env (spec, "container_uuid", uuid);
    }
  if (strcmp (ferry_systemd_sdnotify_mode (c->record), "container") != 0)
    return 0;
  notify = restore_from ? images_have_notify_mount (restore_from)
                        : ferry_systemd_conmon_socket (c->record) != NULL;
  if (! notify)
    return 0;
  {
    static const char *const opts[] = { "bind", "rprivate", NULL };
    cleanup_free char *dir = xasprintf ("%s/notify", bundle);

    if (mkdir (dir, 0755) < 0 && errno != EEXIST)
      return ferry_make_error (err, errno, "cannot create the notify socket's directory `%s`", dir);
    json_object_array_add (json_object_object_get (spec, "mounts"),
                           make_mount (FERRY_NOTIFY_DIR, "bind", dir, strings_json (opts)));
    add_env (spec, "NOTIFY_SOCKET", FERRY_NOTIFY_SOCKET);
  }
  return 0;
}

void
ferry_systemd_exec_env (json_object *rec, json_object *env)
{
  static const char added[] = "NOTIFY_SOCKET=" FERRY_NOTIFY_SOCKET;
  json_object *own = ferry_json_get_array (rec, "Env");
  json_object *kept;

  for (size_t i = 0; i < ferry_json_array_length (own); i++)
    if (strncmp (json_object_get_string (json_object_array_get_idx (own, i)) ?: "", "NOTIFY_SOCKET=", 14)
        == 0)
      return;
  kept = json_object_new_array ();
  for (size_t i = 0; i < ferry_json_array_length (env); i++)
    {
      json_object *kv = json_object_array_get_idx (env, i);
      if (strcmp (json_object_get_string (kv) ?: "", added) != 0)
        json_object_array_add (kept, json_object_get (kv));
    }
  json_object_array_del_idx (env, 0, json_object_array_length (env));
  for (size_t i = 0; i < json_object_array_length (kept); i++)
    json_object_array_add (env, json_object_get (json_object_array_get_idx (kept, i)));
  json_object_put (kept);
}

/* ---- --requires ----------------------------------------------------------- */

int
ferry_systemd_start_required (ferry_engine_t *e, json_object *rec, int depth, ferry_error_t *err)
{
  json_object *ids = ferry_json_get_array (rec, "Requires");

  if (depth > REQUIRES_DEPTH_MAX)
    return ferry_make_error (err, 0, "containers required by container %s nest deeper than %d",
                             ferry_json_get_string (rec, "Name"), REQUIRES_DEPTH_MAX);
  for (size_t i = 0; i < ferry_json_array_length (ids); i++)
    {
      const char *id = json_object_get_string (json_object_array_get_idx (ids, i));
      struct ferry_container *dep = NULL;
      int active, r;

      if (ferry_container_lookup (e, id, &dep, err) < 0)
        {
          if ((*err)->kind == FERRY_ERROR_NOT_FOUND)
            return ferry_error_wrap (err,
                                     "container %s requires container %s, which is not on this host: "
                                     "create it, or recreate %s without --requires",
                                     ferry_json_get_string (rec, "Name"), id,
                                     ferry_json_get_string (rec, "Name"));
          return -1;
        }
      active = ferry_container_is_active (dep);
      r = active ? 0 : ferry_systemd_start_required (e, dep->record, depth + 1, err);
      ferry_container_free (dep);
      if (r < 0)
        return -1;
      if (! active && ferry_container_start (e, id, NULL, err) < 0)
        return ferry_error_wrap (err, "cannot start container %s, which container %s requires", id,
                                 ferry_json_get_string (rec, "Name"));
    }
  return 0;
}

/* ---- sd_notify ------------------------------------------------------------ */

int
ferry_sd_notify_send (const char *path, const char *message, ferry_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  size_t n = strlen (path);
  socklen_t len;
  cleanup_close int fd = -1;

  if (n == 0 || n >= sizeof (addr.sun_path) || (path[0] != '/' && path[0] != '@'))
    return ferry_make_error (err, 0,
                             "NOTIFY_SOCKET `%s` is no socket path: give an absolute path or @NAME, or "
                             "unset it",
                             path);
  memcpy (addr.sun_path, path, n);
  if (path[0] == '@')
    addr.sun_path[0] = '\0';
  len = offsetof (struct sockaddr_un, sun_path) + n + (path[0] == '/');
  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot make a socket to notify `%s`", path);
  if (sendto (fd, message, strlen (message), MSG_NOSIGNAL, (struct sockaddr *) &addr, len) < 0)
    return ferry_make_error (err, errno, "cannot notify `%s` (NOTIFY_SOCKET)", path);
  return 0;
}

static int
wait_healthy (ferry_engine_t *e, const char *ref, ferry_error_t *err)
{
  for (;;)
    {
      struct ferry_container *c = NULL;
      cleanup_free char *status = NULL;
      int active;

      if (ferry_container_lookup (e, ref, &c, err) < 0)
        return -1;
      status = ferry_container_health_status (e, c);
      active = ferry_container_is_active (c);
      ferry_container_free (c);
      if (strcmp (status, "healthy") == 0)
        return 0;
      if (! active)
        return ferry_make_error_kind (err, FERRY_ERROR_STATE,
                                      "container %s stopped before its health check passed (--sdnotify "
                                      "healthy): see ferry logs %s",
                                      ref, ref);
      poll (NULL, 0, HEALTHY_POLL_MS);
    }
}

int
ferry_systemd_notify_started (ferry_engine_t *e, const char *ref, int wait, ferry_error_t *err)
{
  const char *socket_path = getenv ("NOTIFY_SOCKET");
  struct ferry_container *c = NULL;
  cleanup_free char *mode = NULL, *message = NULL;
  pid_t conmon_pid;

  if (socket_path == NULL || *socket_path == '\0')
    return 0;
  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return -1;
  mode = xstrdup (ferry_systemd_sdnotify_mode (c->record));
  conmon_pid = c->conmon_pid;
  ferry_container_free (c);
  if (strcmp (mode, "ignore") == 0)
    return 0;
  if (strcmp (mode, "conmon") == 0)
    message = xasprintf ("MAINPID=%d\nREADY=1", (int) conmon_pid);
  else
    message = xasprintf ("MAINPID=%d", (int) conmon_pid);
  if (ferry_sd_notify_send (socket_path, message, err) < 0)
    return -1;
  if (strcmp (mode, "healthy") != 0 || ! wait)
    return 0;
  if (wait_healthy (e, ref, err) < 0)
    return -1;
  return ferry_sd_notify_send (socket_path, "READY=1", err);
}
