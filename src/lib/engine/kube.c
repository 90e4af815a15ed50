/* ferry: generate kube (kube.h).
 *
 * Each container's record is turned into a Kubernetes container as
 * Podman's libpod/kube.go turns its containers: what the image already
 * gives (its command, environment, working directory, user) is left out,
 * so the YAML says only what the user asked for.  */
#include "kube.h"
#include "container.h"
#include "internal.h"
#include "volume.h"
#include "../image/store.h"
#include "../runtime/spec.h"
#include "../state/lock.h"
#include "../storage/overlay.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"
#include "../util/yaml.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

/* Podman's default stop timeout: a container with another one gives the
 * pod its terminationGracePeriodSeconds.  */
#define DEFAULT_STOP_TIMEOUT 10
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define CPU_PERIOD 100000
#define NODE_PORT_MIN 30000
#define NODE_PORT_MAX 32767

static const char KUBE_HEADER[] = "# Save the output of this file and use kubectl create -f to import\n"
                                  "# it into Kubernetes.\n"
                                  "#\n"
                                  "# Created with ferry-" FERRY_VERSION "\n";

static const char VOLUME_NOTE[]
    = "\n# NOTE: If you generated this yaml from an unprivileged and rootless podman container on an "
      "SELinux\n"
      "# enabled system, check the podman generate kube man page for steps to follow to ensure that your "
      "pod/container\n"
      "# has the right permissions to access the volumes added.\n";

enum ferry_kube_type
{
  FERRY_KUBE_POD,
  FERRY_KUBE_DEPLOYMENT,
  FERRY_KUBE_DAEMONSET,
  FERRY_KUBE_JOB,
};

static int
kube_type_parse (const char *name, enum ferry_kube_type *out)
{
  static const char *const names[] = { "pod", "deployment", "daemonset", "job" };

  for (size_t i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    if (strcmp (name, names[i]) == 0)
      {
        *out = (enum ferry_kube_type) i;
        return 0;
      }
  return -1;
}

/* Kubernetes names have no underscores: Podman drops them.  */
static char *
remove_underscores (const char *s)
{
  char *out = xstrdup (s);
  size_t k = 0;

  for (const char *p = s; *p; p++)
    if (*p != '_')
      out[k++] = *p;
  out[k] = '\0';
  return out;
}

/* A volume's name or a host path as a Kubernetes volume's: no slashes at
 * either end, the others and underscores dashes, lower case.  */
static char *
kube_volume_name (const char *source)
{
  size_t len = strlen (source);
  const char *start = source;
  char *out;

  if (strcmp (source, "/") == 0)
    return xstrdup ("root");
  while (*start == '/')
    start++, len--;
  while (len > 0 && start[len - 1] == '/')
    len--;
  out = xstrndup (start, len);
  for (char *p = out; *p; p++)
    *p = *p == '/' || *p == '_' ? '-' : (char) tolower ((unsigned char) *p);
  return out;
}

static ferry_yaml_t *
string_seq (json_object *array)
{
  ferry_yaml_t *seq = ferry_yaml_seq ();

  for (size_t i = 0; i < ferry_json_array_length (array); i++)
    ferry_yaml_append (seq, ferry_yaml_str (json_object_get_string (json_object_array_get_idx (array, i))));
  return seq;
}

static int
string_arrays_equal (json_object *a, json_object *b)
{
  size_t n = ferry_json_array_length (a);

  /* Go's reflect.DeepEqual: a missing list is not an empty one.  */
  if ((a == NULL) != (b == NULL) || n != ferry_json_array_length (b))
    return 0;
  for (size_t i = 0; i < n; i++)
    if (strcmp (json_object_get_string (json_object_array_get_idx (a, i)),
                json_object_get_string (json_object_array_get_idx (b, i)))
        != 0)
      return 0;
  return 1;
}

static const char *
env_value (json_object *env, const char *name)
{
  size_t len = strlen (name);

  for (size_t i = 0; i < ferry_json_array_length (env); i++)
    {
      const char *e = json_object_get_string (json_object_array_get_idx (env, i));
      if (strncmp (e, name, len) == 0 && e[len] == '=')
        return e + len + 1;
    }
  return NULL;
}

/* The variables the user set: not ferry's defaults, not the image's.  */
static ferry_yaml_t *
kube_env (const struct ferry_container *c, json_object *image_env)
{
  json_object *env = ferry_json_get_array (c->record, "Env");
  const char *hostname = ferry_json_get_string (c->record, "Hostname");
  ferry_yaml_t *seq = ferry_yaml_seq ();

  for (size_t i = 0; i < ferry_json_array_length (env); i++)
    {
      const char *e = json_object_get_string (json_object_array_get_idx (env, i));
      const char *eq = strchr (e, '=');
      cleanup_free char *name = NULL;
      const char *image_value;
      ferry_yaml_t *var;

      if (eq == NULL)
        continue;
      name = xstrndup (e, eq - e);
      if ((strcmp (name, "PATH") == 0 && strcmp (eq + 1, DEFAULT_PATH) == 0)
          || (strcmp (name, "container") == 0 && strcmp (eq + 1, "ferry") == 0))
        continue;
      /* ferry sets HOSTNAME for every container; Podman's spec has it
       * only for a --hostname of the user's.  */
      if (strcmp (name, "HOSTNAME") == 0 && hostname && strstr (c->id, hostname)
          && strcmp (eq + 1, hostname) == 0)
        continue;
      /* Podman compares with Go maps, where a missing name reads as "":
       * a variable set empty is left out too.  */
      image_value = env_value (image_env, name);
      if (eq[1] == '\0' || (image_value && strcmp (image_value, eq + 1) == 0))
        continue;
      var = ferry_yaml_map ();
      ferry_yaml_set (var, "name", ferry_yaml_str (name));
      ferry_yaml_set (var, "value", ferry_yaml_str (eq + 1));
      ferry_yaml_append (seq, var);
    }
  return seq;
}

struct kube_port
{
  const char *host_ip, *protocol; /* protocol: NULL for TCP */
  int64_t host_port, ctr_port;
  size_t group; /* the first port of its host address and protocol */
};

/* Podman keeps the ports of one host address and protocol sorted by
 * container port; the groups come in the order they were given (Podman's
 * own order of them varies).  */
static int
kube_port_compare (const void *pa, const void *pb)
{
  const struct kube_port *a = pa, *b = pb;

  if (a->group != b->group)
    return a->group < b->group ? -1 : 1;
  if (a->ctr_port != b->ctr_port)
    return a->ctr_port < b->ctr_port ? -1 : 1;
  return 0;
}

static size_t
kube_port_group (const struct kube_port *ports, size_t n, const char *host_ip, const char *protocol)
{
  for (size_t i = 0; i < n; i++)
    if (strcmp (ports[i].host_ip, host_ip) == 0
        && (ports[i].protocol == protocol
            || (ports[i].protocol && protocol && strcmp (ports[i].protocol, protocol) == 0)))
      return ports[i].group;
  return n;
}

/* The record's port mappings, one per port and protocol.  */
static ferry_yaml_t *
kube_ports (json_object *rec, int service, ferry_error_t *err)
{
  json_object *list = ferry_json_get_array (rec, "Ports");
  cleanup_free struct kube_port *ports = NULL;
  size_t n = 0;
  ferry_yaml_t *seq;

  for (size_t i = 0; i < ferry_json_array_length (list); i++)
    {
      json_object *p = json_object_array_get_idx (list, i);
      const char *protocols = ferry_json_get_string (p, "protocol");
      const char *host_ip = ferry_json_get_string (p, "host_ip");
      int64_t range = ferry_json_get_int (p, "range", 1);
      cleanup_free char *copy = xstrdup (protocols && *protocols ? protocols : "tcp");
      char *save = NULL;

      if (range < 1 || range > 65536)
        range = 1;
      for (char *proto = strtok_r (copy, ",", &save); proto; proto = strtok_r (NULL, ",", &save))
        {
          const char *kube_proto = NULL;

          if (strcasecmp (proto, "udp") == 0)
            kube_proto = "UDP";
          else if (strcasecmp (proto, "sctp") == 0)
            kube_proto = "SCTP";
          else if (strcasecmp (proto, "tcp") != 0)
            {
              ferry_make_error (err, 0, "unknown network protocol %s", protocols);
              return NULL;
            }
          for (int64_t k = 0; k < range; k++)
            {
              ports = xrealloc (ports, sizeof (*ports) * (n + 1));
              ports[n].host_ip = host_ip ? host_ip : "";
              ports[n].protocol = kube_proto;
              ports[n].host_port = ferry_json_get_int (p, "host_port", 0) + k;
              ports[n].ctr_port = ferry_json_get_int (p, "container_port", 0) + k;
              ports[n].group = kube_port_group (ports, n, ports[n].host_ip, kube_proto);
              n++;
            }
        }
    }
  if (n > 0)
    qsort (ports, n, sizeof (*ports), kube_port_compare);
  seq = ferry_yaml_seq ();
  for (size_t i = 0; i < n; i++)
    {
      ferry_yaml_t *cp = ferry_yaml_map ();

      ferry_yaml_set (cp, "containerPort", ferry_yaml_int (ports[i].ctr_port));
      if (*ports[i].host_ip)
        ferry_yaml_set (cp, "hostIP", ferry_yaml_str (ports[i].host_ip));
      if (! service && ports[i].host_port != 0)
        ferry_yaml_set (cp, "hostPort", ferry_yaml_int (ports[i].host_port));
      if (ports[i].protocol)
        ferry_yaml_set (cp, "protocol", ferry_yaml_str (ports[i].protocol));
      ferry_yaml_append (seq, cp);
    }
  return seq;
}

static const char *
host_path_type (const char *path)
{
  struct stat st;

  if (stat (path, &st) < 0)
    return "DirectoryOrCreate";
  return S_ISDIR (st.st_mode) ? "Directory" : "File";
}

/* Bind and tmpfs mounts first, as Podman lists them, each named after its
 * source and its place among them; then named volumes, as claims.  */
static void
kube_volumes (json_object *rec, ferry_yaml_t *mounts, ferry_yaml_t *volumes)
{
  json_object *list = ferry_json_get_array (rec, "Mounts");
  size_t index = 0;

  for (int named = 0; named < 2; named++)
    for (size_t i = 0; i < ferry_json_array_length (list); i++)
      {
        json_object *m = json_object_array_get_idx (list, i);
        const char *type = ferry_json_get_string (m, "Type");
        const char *dest = ferry_json_get_string (m, "Destination");
        const char *sub = ferry_json_get_string (m, "SubPath");
        json_object *rw = json_object_object_get (m, "RW");
        int ro = rw && ! json_object_get_boolean (rw);
        ferry_yaml_t *vm, *vo;
        cleanup_free char *name = NULL;

        if (type == NULL || dest == NULL || ferry_mount_is_carried_bind (m))
          continue;
        if (named != (strcmp (type, "volume") == 0))
          continue;
        if (! named && strcmp (type, "bind") != 0 && strcmp (type, "tmpfs") != 0)
          continue;
        vm = ferry_yaml_map ();
        vo = ferry_yaml_map ();
        if (named)
          {
            cleanup_free char *claim = kube_volume_name (ferry_json_get_string (m, "Name") ?: "");
            ferry_yaml_t *pvc = ferry_yaml_map ();

            name = xasprintf ("%s-pvc", claim);
            ferry_yaml_set (pvc, "claimName", ferry_yaml_str (claim));
            if (ro)
              ferry_yaml_set (pvc, "readOnly", ferry_yaml_bool (1));
            ferry_yaml_set (vo, "persistentVolumeClaim", pvc);
            if (sub && *sub)
              ferry_yaml_set (vm, "subPath", ferry_yaml_str (sub));
          }
        else if (strcmp (type, "tmpfs") == 0)
          {
            ferry_yaml_t *empty = ferry_yaml_map ();

            name = xasprintf ("tmp-%zu", index++);
            ferry_yaml_set (empty, "medium", ferry_yaml_str ("Memory"));
            ferry_yaml_set (vo, "emptyDir", empty);
          }
        else
          {
            const char *source = ferry_json_get_string (m, "Source") ?: "";
            cleanup_free char *base = kube_volume_name (source);
            ferry_yaml_t *hp = ferry_yaml_map ();

            name = xasprintf ("%s-host-%zu", base, index++);
            ferry_yaml_set (hp, "path", ferry_yaml_str (source));
            ferry_yaml_set (hp, "type", ferry_yaml_str (host_path_type (source)));
            ferry_yaml_set (vo, "hostPath", hp);
          }
        ferry_yaml_set (vm, "mountPath", ferry_yaml_str (dest));
        ferry_yaml_set (vm, "name", ferry_yaml_str (name));
        if (ro)
          ferry_yaml_set (vm, "readOnly", ferry_yaml_bool (1));
        ferry_yaml_set (vo, "name", ferry_yaml_str (name));
        ferry_yaml_append (mounts, vm);
        ferry_yaml_append (volumes, vo);
      }
}

static int
string_compare (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The container's capabilities against the defaults: drops in the
 * defaults' order, additions sorted, as Podman's spec holds them.  */
static ferry_yaml_t *
kube_capabilities (json_object *rec)
{
  cleanup_strv char **add = NULL, **drop = NULL, **caps = NULL;
  json_object *a = ferry_json_get_array (rec, "CapAdd"), *d = ferry_json_get_array (rec, "CapDrop");
  const char *const *defaults = ferry_spec_default_capabilities ();
  ferry_yaml_t *out, *adds = ferry_yaml_seq (), *drops = ferry_yaml_seq ();
  size_t n = 0, k = 0;

  add = xmalloc0 (sizeof (char *) * (ferry_json_array_length (a) + 1));
  drop = xmalloc0 (sizeof (char *) * (ferry_json_array_length (d) + 1));
  for (size_t i = 0; i < ferry_json_array_length (a); i++)
    add[k++] = xstrdup (json_object_get_string (json_object_array_get_idx (a, i)));
  k = 0;
  for (size_t i = 0; i < ferry_json_array_length (d); i++)
    drop[k++] = xstrdup (json_object_get_string (json_object_array_get_idx (d, i)));
  caps = ferry_spec_capabilities (add, drop);
  for (size_t i = 0; defaults[i]; i++)
    if (! ferry_strv_contains (caps, defaults[i]))
      ferry_yaml_append (drops, ferry_yaml_str (defaults[i]));
  while (caps[n])
    n++;
  qsort (caps, n, sizeof (char *), string_compare);
  for (size_t i = 0; i < n; i++)
    if (! ferry_strv_contains ((char *const *) defaults, caps[i]))
      ferry_yaml_append (adds, ferry_yaml_str (caps[i]));
  if (ferry_yaml_length (adds) == 0 && ferry_yaml_length (drops) == 0)
    {
      ferry_yaml_free (adds);
      ferry_yaml_free (drops);
      return NULL;
    }
  out = ferry_yaml_map ();
  if (ferry_yaml_length (adds))
    ferry_yaml_set (out, "add", adds);
  else
    ferry_yaml_free (adds);
  if (ferry_yaml_length (drops))
    ferry_yaml_set (out, "drop", drops);
  else
    ferry_yaml_free (drops);
  return out;
}

/* USER as "uid:gid" numbers alone: no file to read.  */
static int
numeric_user (const char *user, uid_t *uid, gid_t *gid)
{
  char *end;
  unsigned long u, g;

  errno = 0;
  u = strtoul (user, &end, 10);
  if (end == user || *end != ':' || errno || u > UINT32_MAX)
    return 0;
  user = end + 1;
  g = strtoul (user, &end, 10);
  if (end == user || *end != '\0' || errno || g > UINT32_MAX)
    return 0;
  *uid = (uid_t) u;
  *gid = (gid_t) g;
  return 1;
}

/* USER (uid[:gid] or names) as numbers, from the container's own passwd
 * and group files, as Podman resolves it.  A running container's are
 * read through its init process's root; a stopped one's root file system
 * is mounted in a mount namespace of this process's own, so that the
 * mount goes with it however it ends and nothing is left to settle (nor
 * a mount event, which Podman's generate does not give either).  */
static int
resolve_user (ferry_engine_t *e, const struct ferry_container *c, const char *user, uid_t *uid, gid_t *gid,
              ferry_error_t *err)
{
  cleanup_free char *root = NULL, *home = NULL;
  cleanup_free gid_t *extra = NULL;
  struct ferry_container *locked = NULL;
  struct ferry_overlay ov = { 0 };
  cleanup_lock int lock = -1;
  size_t n_extra = 0;
  int ret = -1;

  if (numeric_user (user, uid, gid))
    return 0;
  if ((c->status == FERRY_CONTAINER_RUNNING || c->status == FERRY_CONTAINER_PAUSED) && c->pid > 0)
    {
      root = xasprintf ("/proc/%d/root", (int) c->pid);
      return ferry_spec_resolve_user (root, user, uid, gid, &extra, &n_extra, &home, err);
    }
  if (unshare (CLONE_NEWNS) < 0 || mount ("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return ferry_make_error (
        err, errno, "cannot read the user %s of container %s: no mount namespace of its own", user, c->name);
  lock = ferry_container_find_locked (e, c->id, &locked, err);
  if (lock < 0)
    return -1;
  if (ferry_container_mount_rootfs (e, locked, &ov, err) < 0)
    {
      ferry_error_wrap (err, "cannot read the user %s of container %s", user, c->name);
      goto out;
    }
  ret = ferry_spec_resolve_user (ov.merged, user, uid, gid, &extra, &n_extra, &home, err);
out:
  ferry_overlay_free (&ov);
  ferry_container_free (locked);
  return ret;
}

static int
kube_security_context (ferry_engine_t *e, const struct ferry_container *c, json_object *image_cfg,
                       ferry_yaml_t **out, ferry_error_t *err)
{
  json_object *rec = c->record;
  const char *user = ferry_json_get_string (rec, "User");
  const char *image_user = ferry_json_get_string (image_cfg, "User");
  int privileged = json_object_get_boolean (json_object_object_get (rec, "Privileged"));
  ferry_yaml_t *sc = ferry_yaml_map ();
  char *end;
  long image_uid;

  *out = NULL;
  if (! privileged)
    {
      ferry_yaml_t *caps = kube_capabilities (rec);
      if (caps)
        ferry_yaml_set (sc, "capabilities", caps);
    }
  if (json_object_get_boolean (json_object_object_get (rec, "NoNewPrivileges")))
    ferry_yaml_set (sc, "allowPrivilegeEscalation", ferry_yaml_bool (0));
  if (privileged)
    {
      ferry_yaml_set (sc, "privileged", ferry_yaml_bool (1));
      ferry_yaml_set (sc, "procMount", ferry_yaml_str ("Unmasked"));
    }
  if (json_object_get_boolean (json_object_object_get (rec, "ReadOnly")))
    ferry_yaml_set (sc, "readOnlyRootFilesystem", ferry_yaml_bool (1));
  /* Podman leaves the user out when it is the image's.  */
  if (user && *user && ! (image_user && strcmp (image_user, user) == 0))
    {
      uid_t uid;
      gid_t gid;

      if (resolve_user (e, c, user, &uid, &gid, err) < 0)
        {
          ferry_yaml_free (sc);
          return -1;
        }
      ferry_yaml_set (sc, "runAsUser", ferry_yaml_int (uid));
      ferry_yaml_set (sc, "runAsGroup", ferry_yaml_int (gid));
    }
  errno = 0;
  image_uid = image_user && *image_user ? strtol (image_user, &end, 10) : 0;
  if (image_user && *image_user && *end == '\0' && errno == 0 && image_uid > 0)
    ferry_yaml_set (sc, "runAsNonRoot", ferry_yaml_bool (1));
  if (ferry_yaml_length (sc) == 0)
    ferry_yaml_free (sc);
  else
    *out = sc;
  return 0;
}

/* Kubernetes' canonical form of a byte count: the largest power of 1024
 * that divides it (Ki, Mi, ...), else the largest power of 1000 (k, M,
 * ...), as resource.Quantity writes a BinarySI one.  */
static char *
memory_quantity (int64_t bytes)
{
  static const char *const binary[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
  static const char *const decimal[] = { "", "k", "M", "G", "T", "P", "E" };
  int64_t v = bytes;
  int k = 0;

  if (bytes > -1024 && bytes < 1024)
    return xasprintf ("%lld", (long long) bytes);
  while (v != 0 && v % 1024 == 0 && k < 6)
    v /= 1024, k++;
  if (k > 0)
    return xasprintf ("%lld%s", (long long) v, binary[k]);
  v = bytes;
  while (v != 0 && v % 1000 == 0 && k < 6)
    v /= 1000, k++;
  return xasprintf ("%lld%s", (long long) v, decimal[k]);
}

/* Millicores as resource.Quantity writes a DecimalSI one.  */
static char *
cpu_quantity (int64_t milli)
{
  if (milli % 1000 != 0)
    return xasprintf ("%lldm", (long long) milli);
  return memory_quantity (milli / 1000) /* whole cores: k, M above 999 */;
}

static ferry_yaml_t *
kube_resources (json_object *rec)
{
  int64_t memory = ferry_json_get_int (rec, "Memory", 0);
  int64_t nano = ferry_json_get_int (rec, "NanoCpus", 0);
  int64_t quota = ferry_json_get_int (rec, "CpuQuota", 0), period = ferry_json_get_int (rec, "CpuPeriod", 0);
  ferry_yaml_t *limits = ferry_yaml_map (), *res;

  if (nano > 0)
    {
      period = CPU_PERIOD;
      quota = (int64_t) ((double) nano / 1e9 * CPU_PERIOD);
    }
  else if (quota > 0 && period <= 0)
    period = CPU_PERIOD;
  if (memory > 0)
    {
      cleanup_free char *q = memory_quantity (memory);
      ferry_yaml_set (limits, "memory", ferry_yaml_str (q));
    }
  if (quota > 0 && period > 0)
    {
      int64_t milli = (int64_t) (1000 * ((double) quota / (double) period));
      if (milli >= 1)
        {
          cleanup_free char *q = cpu_quantity (milli);
          ferry_yaml_set (limits, "cpu", ferry_yaml_str (q));
        }
    }
  if (ferry_yaml_length (limits) == 0)
    {
      ferry_yaml_free (limits);
      return NULL;
    }
  res = ferry_yaml_map ();
  ferry_yaml_set (res, "limits", limits);
  return res;
}

/* The image's config ("config" of its JSON), or an empty object.  */
static json_object *
image_config (ferry_engine_t *e, const struct ferry_container *c)
{
  struct ferry_image *img = NULL;
  ferry_error_t ignored = NULL;
  json_object *cfg = NULL;

  if (c->image_id && *c->image_id && ferry_store_lookup (e->store, c->image_id, &img, &ignored) == 0)
    {
      cfg = json_object_get (ferry_json_get_object (img->config, "config"));
      ferry_image_free (img);
    }
  ferry_error_release (&ignored);
  return cfg ? cfg : json_object_new_object ();
}

static int
kube_container (ferry_engine_t *e, const struct ferry_container *c, int service, ferry_yaml_t **out,
                ferry_yaml_t *volumes, ferry_error_t *err)
{
  json_object *rec = c->record;
  cleanup_json json_object *cfg = image_config (e, c);
  json_object *entrypoint = ferry_json_get_array (rec, "Entrypoint");
  json_object *cmd = ferry_json_get_array (rec, "Cmd");
  json_object *command = cmd;
  const char *workdir = ferry_json_get_string (rec, "WorkingDir");
  const char *image_workdir = ferry_json_get_string (cfg, "WorkingDir");
  cleanup_free char *name = remove_underscores (c->name);
  ferry_yaml_t *k = ferry_yaml_map (), *env, *ports, *mounts, *sc = NULL, *res;

  if (ferry_json_array_length (entrypoint) > 0)
    {
      command = entrypoint;
      if (ferry_json_array_length (cmd) > 0)
        ferry_yaml_set (k, "args", string_seq (cmd));
    }
  if (ferry_json_array_length (command) > 0
      && ! string_arrays_equal (ferry_json_get_array (cfg, "Cmd"), command)
      && ! string_arrays_equal (ferry_json_get_array (cfg, "Entrypoint"), command))
    ferry_yaml_set (k, "command", string_seq (command));
  env = kube_env (c, ferry_json_get_array (cfg, "Env"));
  if (ferry_yaml_length (env))
    ferry_yaml_set (k, "env", env);
  else
    ferry_yaml_free (env);
  ferry_yaml_set (k, "image", ferry_yaml_str (ferry_json_get_string (rec, "ImageName") ?: ""));
  ferry_yaml_set (k, "name", ferry_yaml_str (name));
  ports = kube_ports (rec, service, err);
  if (ports == NULL)
    goto fail;
  if (ferry_yaml_length (ports))
    ferry_yaml_set (k, "ports", ports);
  else
    ferry_yaml_free (ports);
  res = kube_resources (rec);
  if (res)
    ferry_yaml_set (k, "resources", res);
  if (kube_security_context (e, c, cfg, &sc, err) < 0)
    goto fail;
  if (sc)
    ferry_yaml_set (k, "securityContext", sc);
  if (json_object_get_boolean (json_object_object_get (rec, "OpenStdin")))
    ferry_yaml_set (k, "stdin", ferry_yaml_bool (1));
  if (json_object_get_boolean (json_object_object_get (rec, "Tty")))
    ferry_yaml_set (k, "tty", ferry_yaml_bool (1));
  mounts = ferry_yaml_seq ();
  kube_volumes (rec, mounts, volumes);
  if (ferry_yaml_length (mounts))
    ferry_yaml_set (k, "volumeMounts", mounts);
  else
    ferry_yaml_free (mounts);
  if (workdir && *workdir && strcmp (workdir, "/") != 0
      && ! (image_workdir && strcmp (image_workdir, workdir) == 0))
    ferry_yaml_set (k, "workingDir", ferry_yaml_str (workdir));
  *out = k;
  return 0;
fail:
  ferry_yaml_free (k);
  return -1;
}

/* True when the command line that created the container gave SHORT or
 * LONG (or LONG=true) before the image: ferry keeps --publish-all only
 * there.  */
static int
create_flag (json_object *rec, const char *short_flag, const char *long_flag)
{
  json_object *cmd = ferry_json_get_array (rec, "CreateCommand");
  size_t n = ferry_json_array_length (cmd);
  int64_t image = ferry_json_get_int (rec, "CreateCommandImage", (int64_t) n);

  for (size_t i = 1; i < n && (int64_t) i < image; i++)
    {
      const char *a = json_object_get_string (json_object_array_get_idx (cmd, i));
      size_t len = strlen (long_flag);

      if (a == NULL)
        continue;
      if (strcmp (a, short_flag) == 0 || strcmp (a, long_flag) == 0
          || (strncmp (a, long_flag, len) == 0 && strcmp (a + len, "=true") == 0))
        return 1;
    }
  return 0;
}

static int
record_flag (json_object *rec, const char *key)
{
  if (strcmp (key, "PublishAll") == 0)
    return create_flag (rec, "-P", "--publish-all");
  return json_object_get_boolean (json_object_object_get (rec, key));
}

/* The annotations of the pod: each container's, KEY/NAME; its
 * auto-update labels, the same way; its ulimits (one for the pod: the
 * last container's wins, as in Podman's).  PODMAN_ONLY: Podman's reserved
 * ones too, which ferry keeps as flags of the record.  */
static void
pod_annotations (const struct ferry_container *c, const char *name, int podman_only, ferry_yaml_t *ann)
{
  json_object *rec = c->record;
  json_object *ulimits = ferry_json_get_array (rec, "Ulimits");
  static const struct
  {
    const char *record_key, *annotation;
  } reserved[] = {
    { "AutoRemove", "io.podman.annotations.autoremove" },
    { "Init", "io.podman.annotations.init" },
    { "Privileged", "io.podman.annotations.privileged" },
    { "PublishAll", "io.podman.annotations.publish-all" },
  };

  json_object *annotations = ferry_json_get_object (rec, "Annotations");
  json_object *labels = ferry_json_get_object (rec, "Labels");

  if (annotations)
    {
      json_object_object_foreach (annotations, k, v)
      {
        cleanup_free char *key = NULL;
        if (! podman_only && strncmp (k, "io.podman.annotations.", 22) == 0)
          continue;
        key = xasprintf ("%s/%s", k, name);
        ferry_yaml_set (ann, key, ferry_yaml_str (json_object_get_string (v)));
      }
    }
  if (podman_only)
    for (size_t i = 0; i < sizeof (reserved) / sizeof (reserved[0]); i++)
      if (record_flag (rec, reserved[i].record_key))
        {
          cleanup_free char *key = xasprintf ("%s/%s", reserved[i].annotation, name);
          ferry_yaml_set (ann, key, ferry_yaml_str ("TRUE"));
        }
  if (labels)
    {
      json_object_object_foreach (labels, lk, lv)
      {
        cleanup_free char *key = NULL;
        if (strstr (lk, "io.containers.autoupdate") == NULL)
          continue;
        key = xasprintf ("%s/%s", lk, name);
        ferry_yaml_set (ann, key, ferry_yaml_str (json_object_get_string (lv)));
      }
    }
  if (ferry_json_array_length (ulimits) > 0)
    {
      char *text = NULL;
      size_t len = 0;
      FILE *f = open_memstream (&text, &len);

      for (size_t i = 0; i < ferry_json_array_length (ulimits); i++)
        {
          json_object *u = json_object_array_get_idx (ulimits, i);
          const char *n = ferry_json_get_string (u, "Name") ?: "";
          if (strncmp (n, "RLIMIT_", 7) == 0)
            n += 7;
          fprintf (f, "%s", i ? "," : "");
          for (const char *p = n; *p; p++)
            fputc (tolower ((unsigned char) *p), f);
          fprintf (f, "=%lld:%lld", (long long) ferry_json_get_int (u, "Soft", 0),
                   (long long) ferry_json_get_int (u, "Hard", 0));
        }
      fclose (f);
      ferry_yaml_set (ann, "io.podman.annotations.ulimit", ferry_yaml_str (text));
      free (text);
    }
}

struct dns
{
  char **servers, **searches;
  ferry_yaml_t *options;
};

static void
strv_add_unique (char ***v, const char *s)
{
  size_t n = 0;

  if (ferry_strv_contains (*v, s))
    return;
  while (*v && (*v)[n])
    n++;
  *v = xrealloc (*v, sizeof (char *) * (n + 2));
  (*v)[n] = xstrdup (s);
  (*v)[n + 1] = NULL;
}

static void
collect_dns (json_object *rec, struct dns *d)
{
  json_object *servers = ferry_json_get_array (rec, "Dns");
  json_object *searches = ferry_json_get_array (rec, "DnsSearch");
  json_object *options = ferry_json_get_array (rec, "DnsOptions");

  for (size_t i = 0; i < ferry_json_array_length (servers); i++)
    strv_add_unique (&d->servers, json_object_get_string (json_object_array_get_idx (servers, i)));
  for (size_t i = 0; i < ferry_json_array_length (searches); i++)
    strv_add_unique (&d->searches, json_object_get_string (json_object_array_get_idx (searches, i)));
  for (size_t i = 0; i < ferry_json_array_length (options); i++)
    {
      const char *opt = json_object_get_string (json_object_array_get_idx (options, i));
      const char *colon = strchr (opt, ':');
      cleanup_free char *name = colon ? xstrndup (opt, colon - opt) : xstrdup (opt);
      ferry_yaml_t *o = ferry_yaml_map ();

      ferry_yaml_set (o, "name", ferry_yaml_str (name));
      ferry_yaml_set (o, "value", ferry_yaml_str (colon ? colon + 1 : ""));
      if (d->options == NULL)
        d->options = ferry_yaml_seq ();
      ferry_yaml_append (d->options, o);
    }
}

static ferry_yaml_t *
dns_config (struct dns *d)
{
  ferry_yaml_t *cfg;

  if (d->servers == NULL && d->searches == NULL && d->options == NULL)
    return NULL;
  cfg = ferry_yaml_map ();
  if (d->servers)
    {
      ferry_yaml_t *s = ferry_yaml_seq ();
      for (size_t i = 0; d->servers[i]; i++)
        ferry_yaml_append (s, ferry_yaml_str (d->servers[i]));
      ferry_yaml_set (cfg, "nameservers", s);
    }
  if (d->searches)
    {
      ferry_yaml_t *s = ferry_yaml_seq ();
      for (size_t i = 0; d->searches[i]; i++)
        ferry_yaml_append (s, ferry_yaml_str (d->searches[i]));
      ferry_yaml_set (cfg, "searches", s);
    }
  if (d->options)
    ferry_yaml_set (cfg, "options", steal_pointer (&d->options));
  return cfg;
}

static const char *
restart_policy (const char *policy)
{
  if (policy == NULL)
    return NULL;
  if (strcmp (policy, "always") == 0)
    return "Always";
  if (strcmp (policy, "on-failure") == 0)
    return "OnFailure";
  if (strcmp (policy, "no") == 0)
    return "Never";
  return NULL;
}

static char *
now_stamp (void)
{
  char buf[32];
  time_t now = time (NULL);
  struct tm tm;

  gmtime_r (&now, &tm);
  strftime (buf, sizeof (buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return xstrdup (buf);
}

/* The Pod of containers CS (N), as Podman's simplePodWithV1Containers.  */
static int
kube_pod (ferry_engine_t *e, struct ferry_container **cs, size_t n, const struct ferry_kube_options *o,
          const char *stamp, ferry_yaml_t **out, ferry_error_t *err)
{
  cleanup_yaml ferry_yaml_t *pod = ferry_yaml_map ();
  ferry_yaml_t *meta = ferry_yaml_map (), *spec = ferry_yaml_map (), *labels = ferry_yaml_map ();
  ferry_yaml_t *containers = ferry_yaml_seq (), *volumes = ferry_yaml_seq (), *ann = ferry_yaml_map ();
  ferry_yaml_t *dns;
  struct dns d = { NULL, NULL, NULL };
  cleanup_free char *pod_name = remove_underscores (cs[0]->name);
  const char *hostname = NULL, *policy = NULL;
  int host_network = 1, host_users = 1, have_timeout = 0, ret = -1;
  int64_t timeout = 0;

  ferry_yaml_set (pod, "apiVersion", ferry_yaml_str ("v1"));
  ferry_yaml_set (pod, "kind", ferry_yaml_str ("Pod"));
  ferry_yaml_set (pod, "metadata", meta);
  ferry_yaml_set (pod, "spec", spec);
  ferry_yaml_set (spec, "containers", containers);
  for (size_t i = 0; i < n; i++)
    {
      json_object *rec = cs[i]->record;
      cleanup_free char *name = remove_underscores (cs[i]->name);
      const char *h = ferry_json_get_string (rec, "Hostname");
      int64_t stop_timeout = ferry_json_get_int (rec, "StopTimeout", DEFAULT_STOP_TIMEOUT);
      ferry_yaml_t *k = NULL;

      pod_annotations (cs[i], name, o->podman_only, ann);
      if (hostname == NULL && h && *h && strstr (cs[i]->id, h) == NULL)
        hostname = h;
      if (! have_timeout && stop_timeout != DEFAULT_STOP_TIMEOUT)
        {
          have_timeout = 1;
          timeout = stop_timeout;
        }
      if (i == 0)
        policy = restart_policy (ferry_json_get_string (rec, "RestartPolicy"));
      if (! ferry_json_string_equals (rec, "Network", "host"))
        host_network = 0;
      if (json_object_object_get (rec, "UidMap"))
        host_users = 0;
      if (kube_container (e, cs[i], o->service, &k, volumes, err) < 0)
        goto out;
      ferry_yaml_append (containers, k);
      collect_dns (rec, &d);
    }
  /* The pod is named after the first container, -pod when that is a
   * container's name.  */
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *name = remove_underscores (cs[i]->name);
      if (strcmp (name, pod_name) == 0)
        {
          char *longer = xasprintf ("%s-pod", pod_name);
          free (pod_name);
          pod_name = longer;
          break;
        }
    }
  if (ferry_yaml_length (ann))
    ferry_yaml_set (meta, "annotations", ann);
  else
    ferry_yaml_free (ann);
  ann = NULL;
  ferry_yaml_set (meta, "creationTimestamp", ferry_yaml_str (stamp));
  ferry_yaml_set (labels, "app", ferry_yaml_str (pod_name));
  ferry_yaml_set (meta, "labels", labels);
  ferry_yaml_set (meta, "name", ferry_yaml_str (pod_name));
  dns = dns_config (&d);
  if (dns)
    ferry_yaml_set (spec, "dnsConfig", dns);
  if (host_network)
    ferry_yaml_set (spec, "hostNetwork", ferry_yaml_bool (1));
  if (! host_users)
    ferry_yaml_set (spec, "hostUsers", ferry_yaml_bool (0));
  if (hostname)
    ferry_yaml_set (spec, "hostname", ferry_yaml_str (hostname));
  if (policy)
    ferry_yaml_set (spec, "restartPolicy", ferry_yaml_str (policy));
  if (have_timeout)
    ferry_yaml_set (spec, "terminationGracePeriodSeconds", ferry_yaml_int (timeout));
  if (ferry_yaml_length (volumes))
    ferry_yaml_set (spec, "volumes", steal_pointer (&volumes));
  *out = steal_pointer (&pod);
  ret = 0;
out:
  ferry_yaml_free (volumes);
  ferry_yaml_free (ann);
  ferry_cleanup_strvp (&d.servers);
  ferry_cleanup_strvp (&d.searches);
  ferry_yaml_free (d.options);
  return ret;
}

/* A Deployment, DaemonSet or Job around POD's template.  */
static int
kube_workload (ferry_yaml_t *pod, enum ferry_kube_type type, const struct ferry_kube_options *o,
               ferry_yaml_t **out, ferry_error_t *err)
{
  static const struct
  {
    const char *kind, *api, *suffix;
  } kinds[] = {
    [FERRY_KUBE_DEPLOYMENT] = { "Deployment", "apps/v1", "-deployment" },
    [FERRY_KUBE_DAEMONSET] = { "DaemonSet", "apps/v1", "-daemonset" },
    [FERRY_KUBE_JOB] = { "Job", "batch/v1", "-job" },
  };
  ferry_yaml_t *pod_meta = ferry_yaml_get (pod, "metadata"), *pod_spec = ferry_yaml_get (pod, "spec");
  ferry_yaml_t *policy = ferry_yaml_get (pod_spec, "restartPolicy");
  ferry_yaml_t *w, *meta, *spec, *template, *labels;
  cleanup_free char *name = NULL;
  const char *policy_text = ferry_yaml_text (policy);

  if (type == FERRY_KUBE_DEPLOYMENT && policy_text && strcmp (policy_text, "Always") != 0)
    return ferry_make_error (err, 0, "k8s Deployments can only have restartPolicy set to Always");
  if (type == FERRY_KUBE_DAEMONSET && policy_text && strcmp (policy_text, "Always") != 0)
    return ferry_make_error (err, 0, "k8s DaemonSets can only have restartPolicy set to Always");
  if (type == FERRY_KUBE_DAEMONSET && o->replicas > 1)
    return ferry_make_error (err, 0, "k8s DaemonSets don't allow setting replicas");
  if (type == FERRY_KUBE_JOB && policy_text && strcmp (policy_text, "Always") == 0)
    return ferry_make_error (err, 0,
                             "k8s Jobs can not have restartPolicy set to Always; only Never and OnFailure "
                             "policies allowed");
  name = xasprintf ("%s%s", ferry_yaml_text (ferry_yaml_get (pod_meta, "name")), kinds[type].suffix);
  w = ferry_yaml_map ();
  meta = ferry_yaml_map ();
  spec = ferry_yaml_map ();
  template = ferry_yaml_map ();
  ferry_yaml_set (w, "apiVersion", ferry_yaml_str (kinds[type].api));
  ferry_yaml_set (w, "kind", ferry_yaml_str (kinds[type].kind));
  ferry_yaml_set (meta, "creationTimestamp",
                  ferry_yaml_copy (ferry_yaml_get (pod_meta, "creationTimestamp")));
  ferry_yaml_set (meta, "labels", ferry_yaml_copy (ferry_yaml_get (pod_meta, "labels")));
  ferry_yaml_set (meta, "name", ferry_yaml_str (name));
  ferry_yaml_set (w, "metadata", meta);
  ferry_yaml_set (template, "metadata", ferry_yaml_copy (pod_meta));
  ferry_yaml_set (template, "spec", ferry_yaml_copy (pod_spec));
  if (type == FERRY_KUBE_JOB)
    {
      ferry_yaml_set (ferry_yaml_get (template, "spec"), "restartPolicy", ferry_yaml_str ("Never"));
      ferry_yaml_set (spec, "completions", ferry_yaml_int (1));
      ferry_yaml_set (spec, "parallelism", ferry_yaml_int (1));
    }
  else
    {
      ferry_yaml_t *selector = ferry_yaml_map ();
      labels = ferry_yaml_copy (ferry_yaml_get (pod_meta, "labels"));
      ferry_yaml_set (selector, "matchLabels", labels);
      ferry_yaml_set (spec, "selector", selector);
      if (type == FERRY_KUBE_DEPLOYMENT && o->replicas > 1)
        ferry_yaml_set (spec, "replicas", ferry_yaml_int (o->replicas));
      /* Podman's DaemonSet spec holds an empty update strategy.  */
      if (type == FERRY_KUBE_DAEMONSET)
        ferry_yaml_set (spec, "updateStrategy", ferry_yaml_map ());
    }
  ferry_yaml_set (spec, "template", template);
  ferry_yaml_set (w, "spec", spec);
  *out = w;
  return 0;
}

static unsigned
random_below (unsigned n)
{
  unsigned v = 0;

  if (getrandom (&v, sizeof (v), 0) != (ssize_t) sizeof (v))
    v = (unsigned) rand ();
  return v % n;
}

/* A NodePort Service in front of every port of POD's containers, each
 * with a NodePort drawn at random and unused by the others, as Podman
 * draws them.  */
static int
kube_service (ferry_yaml_t *pod, ferry_yaml_t **out, ferry_error_t *err)
{
  ferry_yaml_t *pod_meta = ferry_yaml_get (pod, "metadata");
  ferry_yaml_t *containers = ferry_yaml_get (ferry_yaml_get (pod, "spec"), "containers");
  ferry_yaml_t *svc = ferry_yaml_map (), *meta = ferry_yaml_map (), *spec = ferry_yaml_map ();
  ferry_yaml_t *ports = ferry_yaml_seq (), *selector = ferry_yaml_map ();
  unsigned char used[NODE_PORT_MAX - NODE_PORT_MIN + 1] = { 0 };

  ferry_yaml_set (svc, "apiVersion", ferry_yaml_str ("v1"));
  ferry_yaml_set (svc, "kind", ferry_yaml_str ("Service"));
  ferry_yaml_set (meta, "creationTimestamp",
                  ferry_yaml_copy (ferry_yaml_get (pod_meta, "creationTimestamp")));
  ferry_yaml_set (meta, "labels", ferry_yaml_copy (ferry_yaml_get (pod_meta, "labels")));
  ferry_yaml_set (meta, "name", ferry_yaml_copy (ferry_yaml_get (pod_meta, "name")));
  ferry_yaml_set (svc, "metadata", meta);
  for (size_t i = 0; i < ferry_yaml_length (containers); i++)
    {
      ferry_yaml_t *cps = ferry_yaml_get (ferry_yaml_item (containers, i), "ports");

      for (size_t k = 0; k < ferry_yaml_length (cps); k++)
        {
          ferry_yaml_t *cp = ferry_yaml_item (cps, k), *sp = ferry_yaml_map ();
          ferry_yaml_t *port = ferry_yaml_get (cp, "containerPort"), *proto = ferry_yaml_get (cp, "protocol");
          const char *text = ferry_yaml_text (port);
          unsigned node = 0;
          int attempt = 0;

          for (;;)
            {
              node = random_below (NODE_PORT_MAX - NODE_PORT_MIN + 1);
              if (! used[node])
                break;
              if (++attempt >= 100)
                {
                  ferry_yaml_free (sp);
                  ferry_yaml_free (ports);
                  ferry_yaml_free (selector);
                  ferry_yaml_free (spec);
                  ferry_yaml_free (svc);
                  return ferry_make_error (err, 0,
                                           "too many attempts trying to generate a unique NodePort number");
                }
            }
          used[node] = 1;
          ferry_yaml_set (sp, "name", ferry_yaml_str (text));
          ferry_yaml_set (sp, "nodePort", ferry_yaml_int (NODE_PORT_MIN + node));
          ferry_yaml_set (sp, "port", ferry_yaml_copy (port));
          if (proto)
            ferry_yaml_set (sp, "protocol", ferry_yaml_copy (proto));
          ferry_yaml_set (sp, "targetPort", ferry_yaml_copy (port));
          ferry_yaml_append (ports, sp);
        }
    }
  if (ferry_yaml_length (ports))
    ferry_yaml_set (spec, "ports", ports);
  else
    ferry_yaml_free (ports);
  ferry_yaml_set (selector, "app",
                  ferry_yaml_copy (ferry_yaml_get (ferry_yaml_get (pod_meta, "labels"), "app")));
  ferry_yaml_set (spec, "selector", selector);
  ferry_yaml_set (spec, "type", ferry_yaml_str ("NodePort"));
  ferry_yaml_set (svc, "spec", spec);
  *out = svc;
  return 0;
}

/* A volume's claim, as Podman's Volume.GenerateForKube.  */
static ferry_yaml_t *
kube_claim (const struct ferry_volume *v, const char *stamp)
{
  static const struct
  {
    const char *option, *annotation;
  } options[] = {
    { "o", "volume.podman.io/mount-options" }, { "device", "volume.podman.io/device" },
    { "type", "volume.podman.io/type" },       { "UID", "volume.podman.io/uid" },
    { "GID", "volume.podman.io/gid" },
  };
  ferry_yaml_t *pvc = ferry_yaml_map (), *meta = ferry_yaml_map (), *ann = ferry_yaml_map ();
  ferry_yaml_t *spec = ferry_yaml_map (), *modes = ferry_yaml_seq (), *res = ferry_yaml_map ();
  ferry_yaml_t *req = ferry_yaml_map (), *labels = ferry_yaml_map ();

  ferry_yaml_set (pvc, "apiVersion", ferry_yaml_str ("v1"));
  ferry_yaml_set (pvc, "kind", ferry_yaml_str ("PersistentVolumeClaim"));
  ferry_yaml_set (ann, "volume.podman.io/driver", ferry_yaml_str (v->driver ? v->driver : "local"));
  for (size_t i = 0; i < sizeof (options) / sizeof (options[0]); i++)
    {
      const char *value = ferry_json_get_string (v->options, options[i].option);
      if (value)
        ferry_yaml_set (ann, options[i].annotation, ferry_yaml_str (value));
    }
  ferry_yaml_set (meta, "annotations", ann);
  ferry_yaml_set (meta, "creationTimestamp", ferry_yaml_str (stamp));
  if (v->labels && json_object_is_type (v->labels, json_type_object))
    {
      json_object_object_foreach (v->labels, k, val)
      {
        ferry_yaml_set (labels, k, ferry_yaml_str (json_object_get_string (val)));
      }
    }
  if (ferry_yaml_length (labels))
    ferry_yaml_set (meta, "labels", labels);
  else
    ferry_yaml_free (labels);
  ferry_yaml_set (meta, "name", ferry_yaml_str (v->name));
  ferry_yaml_set (pvc, "metadata", meta);
  ferry_yaml_append (modes, ferry_yaml_str ("ReadWriteOnce"));
  ferry_yaml_set (spec, "accessModes", modes);
  ferry_yaml_set (req, "storage", ferry_yaml_str ("1Gi"));
  ferry_yaml_set (res, "requests", req);
  ferry_yaml_set (spec, "resources", res);
  ferry_yaml_set (pvc, "spec", spec);
  ferry_yaml_set (pvc, "status", ferry_yaml_map ());
  return pvc;
}

struct parts
{
  char **v;
  size_t n;
};

static void
parts_add (struct parts *p, char *owned)
{
  p->v = xrealloc (p->v, sizeof (char *) * (p->n + 1));
  p->v[p->n++] = owned;
}

static void
parts_add_yaml (struct parts *p, ferry_yaml_t *y)
{
  parts_add (p, ferry_yaml_emit (y));
}

int
ferry_kube_generate (ferry_engine_t *e, char *const *refs, size_t n, const struct ferry_kube_options *o,
                     char **yaml, ferry_error_t *err)
{
  struct ferry_container **cs = xmalloc0 (sizeof (*cs) * (n + 1));
  struct ferry_volume **vs = xmalloc0 (sizeof (*vs) * (n + 1));
  size_t n_cs = 0, n_vs = 0, len = 0;
  struct parts parts = { NULL, 0 };
  cleanup_free char *stamp = now_stamp ();
  cleanup_yaml ferry_yaml_t *pod = NULL;
  char *text = NULL;
  int ret = -1;

  for (size_t i = 0; i < n; i++)
    {
      ferry_error_t lookup_err = NULL;

      if (ferry_container_lookup (e, refs[i], &cs[n_cs], &lookup_err) == 0)
        {
          n_cs++;
          continue;
        }
      if (lookup_err->kind != FERRY_ERROR_NOT_FOUND)
        {
          *err = lookup_err;
          goto out;
        }
      ferry_error_release (&lookup_err);
      if (ferry_volume_get (e->db, e->root, refs[i], &vs[n_vs], &lookup_err) == 0)
        {
          n_vs++;
          continue;
        }
      if (lookup_err->kind != FERRY_ERROR_NOT_FOUND)
        {
          *err = lookup_err;
          goto out;
        }
      ferry_error_release (&lookup_err);
      ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "name or ID \"%s\" not found", refs[i]);
      goto out;
    }
  /* In Helm's install order: claims, then services, then the pod.  */
  for (size_t i = 0; i < n_vs; i++)
    {
      cleanup_yaml ferry_yaml_t *pvc = kube_claim (vs[i], stamp);
      parts_add_yaml (&parts, pvc);
    }
  if (n_cs > 0)
    {
      cleanup_yaml ferry_yaml_t *svc = NULL, *workload = NULL;
      enum ferry_kube_type type = FERRY_KUBE_POD;

      if (o->type && kube_type_parse (o->type, &type) < 0)
        {
          ferry_make_error (
              err, 0,
              "invalid generation type - only pods, deployments, jobs, and daemonsets are currently "
              "supported: %s",
              o->type);
          goto out;
        }

      if (kube_pod (e, cs, n_cs, o, stamp, &pod, err) < 0)
        goto out;
      if (ferry_yaml_get (ferry_yaml_get (pod, "spec"), "volumes"))
        parts_add (&parts, xstrdup (VOLUME_NOTE));
      if (o->service)
        {
          if (kube_service (pod, &svc, err) < 0)
            goto out;
          parts_add_yaml (&parts, svc);
        }
      if (type != FERRY_KUBE_POD)
        {
          if (kube_workload (pod, type, o, &workload, err) < 0)
            goto out;
          parts_add_yaml (&parts, workload);
        }
      else
        parts_add_yaml (&parts, pod);
    }
  len = strlen (KUBE_HEADER);
  for (size_t i = 0; i < parts.n; i++)
    len += strlen (parts.v[i]) + 4;
  text = xmalloc (len + 1);
  strcpy (text, KUBE_HEADER);
  for (size_t i = 0; i < parts.n; i++)
    {
      if (i > 0)
        strcat (text, "---\n");
      strcat (text, parts.v[i]);
    }
  *yaml = text;
  ret = 0;
out:
  for (size_t i = 0; i < parts.n; i++)
    free (parts.v[i]);
  free (parts.v);
  ferry_containers_free (cs, n_cs);
  ferry_volumes_free (vs, n_vs);
  return ret;
}
