/* ferry: --pid, --ipc and --uts (ns_modes.h).  */
#include "ns_modes.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

static const struct
{
  const char *flag;   /* --pid */
  const char *record; /* "PidMode" */
  const char *type;   /* the spec's namespace type */
  const char *what;   /* Podman's word in its errors */
} KINDS[] = {
  [FERRY_NS_PID] = { "--pid", "PidMode", "pid", "PID" },
  [FERRY_NS_IPC] = { "--ipc", "IpcMode", "ipc", "IPC" },
  [FERRY_NS_UTS] = { "--uts", "UTSMode", "uts", "UTS" },
  [FERRY_NS_CGROUP] = { "--cgroupns", "CgroupNs", "cgroup", "cgroup" },
};

int
ferry_ns_mode_check (enum ferry_ns_kind kind, const char *mode, const char **out, ferry_error_t *err)
{
  *out = NULL;
  if (mode == NULL || (kind != FERRY_NS_IPC && strcmp (mode, "private") == 0)
      || (kind == FERRY_NS_IPC && strcmp (mode, "shareable") == 0))
    return 0;
  /* Podman shows an IPC namespace of its own as shareable unless told
   * private, though the two are one here.  */
  if (strcmp (mode, "host") == 0
      || (kind == FERRY_NS_IPC && (strcmp (mode, "none") == 0 || strcmp (mode, "private") == 0)))
    {
      *out = mode;
      return 0;
    }
  if (strncmp (mode, "container:", 10) == 0 && mode[10] != '\0' && strchr (mode, '\n') == NULL)
    {
      *out = mode;
      return 0;
    }
  if (strcmp (mode, "container:") == 0)
    return ferry_make_error (err, 0,
                             "invalid config provided: namespace mode container requires a value: give %s "
                             "container:NAME",
                             KINDS[kind].flag);
  if (strncmp (mode, "ns:", 3) == 0)
    {
      int e = mode[3] != '/' || strchr (mode, '\n') ? ENOENT : access (mode + 3, F_OK) < 0 ? errno : 0;

      if (e)
        return ferry_make_error (err, e,
                                 "cannot find specified %s namespace path `%s`: give the absolute path of a "
                                 "namespace file, such as ns:/proc/PID/ns/%s",
                                 KINDS[kind].what, mode + 3, KINDS[kind].type);
      *out = mode;
      return 0;
    }
  return ferry_make_error (err, 0, "unrecognized namespace mode %s passed to %s: use %s", mode,
                           KINDS[kind].flag,
                           kind == FERRY_NS_IPC ? "private, shareable, none, host, container:ID or ns:PATH"
                                                : "private, host, container:ID or ns:PATH");
}

/* The host's name, as the container sees it in the host's UTS namespace
 * (and Podman shows it), in Hostname and HOSTNAME.  */
static void
record_host_name (json_object *rec)
{
  json_object *env = ferry_json_get_array (rec, "Env");
  char name[HOST_NAME_MAX + 1] = "";

  if (gethostname (name, sizeof (name)) < 0 || name[0] == '\0')
    return;
  json_object_object_add (rec, "Hostname", json_object_new_string (name));
  for (size_t i = 0; i < ferry_json_array_length (env); i++)
    if (strncmp (json_object_get_string (json_object_array_get_idx (env, i)), "HOSTNAME=", 9) == 0)
      {
        cleanup_free char *kv = xasprintf ("HOSTNAME=%s", name);
        json_object_array_put_idx (env, i, json_object_new_string (kv));
      }
}

int
ferry_ns_modes_record (ferry_engine_t *e, const struct ferry_create_options *o, json_object *rec,
                       ferry_error_t *err)
{
  const char *given[]
      = { [FERRY_NS_PID] = o->pid_mode, [FERRY_NS_IPC] = o->ipc_mode, [FERRY_NS_UTS] = o->uts_mode };

  for (int k = FERRY_NS_PID; k <= FERRY_NS_UTS; k++)
    {
      const char *mode;
      struct ferry_container *peer = NULL;
      cleanup_free char *by_id = NULL;

      if (ferry_ns_mode_check (k, given[k], &mode, err) < 0)
        return -1;
      if (mode == NULL)
        continue;
      if (strncmp (mode, "container:", 10) == 0)
        {
          /* By ID, which outlives a rename.  */
          if (ferry_container_lookup (e, mode + 10, &peer, err) < 0)
            return ferry_error_wrap (err, "looking up container to share %s namespace with (%s %s)",
                                     KINDS[k].type, KINDS[k].flag, mode);
          /* Podman keeps a private IPC namespace to its container.  */
          if (k == FERRY_NS_IPC && ferry_json_string_equals (peer->record, "IpcMode", "private"))
            {
              ferry_make_error (err, 0,
                                "joining IPC of container %s is not allowed: non-shareable IPC (hint: use "
                                "IpcMode:shareable for the donor container)",
                                peer->id);
              ferry_container_free (peer);
              return -1;
            }
          by_id = xasprintf ("container:%s", peer->id);
          ferry_container_free (peer);
          mode = by_id;
        }
      json_object_object_add (rec, KINDS[k].record, json_object_new_string (mode));
    }
  if (o->hostname && *o->hostname && ferry_json_string_equals (rec, "UTSMode", "host"))
    return ferry_make_error (
        err, 0,
        "--hostname and --uts host cannot be set together: the host's UTS namespace keeps "
        "the host's name");
  if (ferry_json_string_equals (rec, "UTSMode", "host"))
    record_host_name (rec);
  return 0;
}

const char *
ferry_ns_mode_shown (const struct ferry_container *c, enum ferry_ns_kind kind)
{
  const char *mode = ferry_json_get_string (c->record, KINDS[kind].record);

  return mode ? mode : kind == FERRY_NS_IPC ? "shareable" : "private";
}

/* The namespace file to join for MODE: a path of ns:, a running peer's. */
static char *
join_path (ferry_engine_t *e, const struct ferry_container *c, enum ferry_ns_kind kind, const char *mode,
           ferry_error_t *err)
{
  struct ferry_container *peer = NULL;
  char *path;

  if (strncmp (mode, "ns:", 3) == 0)
    return xstrdup (mode + 3);
  if (ferry_container_lookup (e, mode + 10, &peer, err) < 0)
    {
      ferry_error_wrap (err, "container %s shares the %s namespace of container %.12s", c->name,
                        KINDS[kind].type, mode + 10);
      return NULL;
    }
  if (peer->status != FERRY_CONTAINER_RUNNING && peer->status != FERRY_CONTAINER_PAUSED)
    {
      ferry_make_error_kind (
          err, FERRY_ERROR_STATE,
          "container %s shares the %s namespace of container %s, which is %s: start %s first", c->name,
          KINDS[kind].type, peer->name, ferry_container_status_name (peer->status), peer->name);
      ferry_container_free (peer);
      return NULL;
    }
  path = xasprintf ("/proc/%d/ns/%s", (int) peer->pid, KINDS[kind].type);
  ferry_container_free (peer);
  return path;
}

/* /dev/shm as IPC host and none want it: the host's, or none at all.  */
static void
apply_shm (json_object *spec, const char *mode)
{
  json_object *mounts = json_object_object_get (spec, "mounts");

  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      if (! ferry_json_string_equals (m, "destination", "/dev/shm"))
        continue;
      if (strcmp (mode, "none") == 0)
        json_object_array_del_idx (mounts, i, 1);
      else
        json_object_object_add (m, "source", json_object_new_string ("/dev/shm"));
      return;
    }
}

int
ferry_ns_modes_apply (ferry_engine_t *e, const struct ferry_container *c, json_object *spec,
                      ferry_error_t *err)
{
  json_object *nss = json_object_object_get (json_object_object_get (spec, "linux"), "namespaces");

  for (int k = FERRY_NS_PID; k <= FERRY_NS_CGROUP; k++)
    {
      const char *mode = ferry_json_get_string (c->record, KINDS[k].record);
      cleanup_free char *path = NULL;

      if (mode == NULL)
        continue;
      if (k == FERRY_NS_IPC && (strcmp (mode, "host") == 0 || strcmp (mode, "none") == 0))
        apply_shm (spec, mode);
      if (strcmp (mode, "none") == 0 || strcmp (mode, "private") == 0)
        continue;
      if (strcmp (mode, "host") != 0 && (path = join_path (e, c, k, mode, err)) == NULL)
        return -1;
      for (size_t i = 0; i < ferry_json_array_length (nss); i++)
        {
          json_object *ns = json_object_array_get_idx (nss, i);
          if (! ferry_json_string_equals (ns, "type", KINDS[k].type))
            continue;
          if (path)
            json_object_object_add (ns, "path", json_object_new_string (path));
          else
            json_object_array_del_idx (nss, i, 1);
          break;
        }
      /* runc sets no host name without a UTS namespace of the
       * container's own.  */
      if (k == FERRY_NS_UTS)
        json_object_object_del (spec, "hostname");
    }
  return 0;
}

int
ferry_ns_modes_checkpoint_check (const struct ferry_container *c, ferry_error_t *err)
{
  const char *pid = ferry_json_get_string (c->record, "PidMode");
  const char *cgroupns = ferry_json_get_string (c->record, "CgroupNs");

  if (pid && strcmp (pid, "host") == 0)
    return ferry_make_error (
        err, 0,
        "cannot checkpoint container %s: it shares the host's PID namespace (--pid host), "
        "which CRIU cannot dump or restore: run it with a PID namespace of its own (the "
        "default) to checkpoint it",
        c->name);
  /* Its PIDs are numbers in a namespace ferry does not own: the restored
   * processes need them back there, and other processes may hold them
   * by then (CRIU fails half-way, "Can't fork for N: File exists").  */
  if (pid)
    return ferry_make_error (
        err, 0,
        "cannot checkpoint container %s: it runs in another PID namespace (--pid %s), "
        "whose PIDs CRIU cannot promise to restore: run it with a PID namespace of its own "
        "(the default) to checkpoint it",
        c->name, pid);
  /* runc hands CRIU the other namespaces a container joins, but refuses
   * to restore into a cgroup namespace it did not make: refused here,
   * the container keeps running instead of being dumped for good.  */
  if (cgroupns && strncmp (cgroupns, "container:", 10) == 0)
    return ferry_make_error (
        err, 0,
        "cannot checkpoint container %s: it runs in another container's cgroup namespace "
        "(--cgroupns %s), which runc cannot restore it into: run it with --cgroupns private "
        "or host to checkpoint it",
        c->name, cgroupns);
  return 0;
}
