/* ferry: the container record of a checkpoint archive that Podman wrote,
 * or CRI-O (for the kubelet's checkpoint API) in the same layout.
 *
 * Such an archive holds the container's configuration in its writer's
 * shape: config.dump (libpod's container config, or CRI-O's reduced copy
 * of it) and spec.dump (the OCI spec it ran with; CRI-O's annotations say
 * which pod it ran in).  The record made here takes only what ferry's record holds,
 * each value as ferry would have written it; everything else (Podman's
 * paths, its runtime settings) is left behind, and the spec is built
 * here, as for any restore.  What comes from the archive is untrusted:
 * the record goes through ferry_archive_record_check afterwards, so here
 * only the types are checked that the translation reads.  */
#include "podman_archive.h"
#include "internal.h"
#include "resources.h"
#include "../network/addr.h"
#include "../network/dns.h"
#include "../image/reference.h"
#include "../network/netopts.h"
#include "../runtime/mount_options.h"
#include "../runtime/spec.h"
#include "../util/cleanup.h"
#include "../util/hash.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

/* The container's / in Podman's overlay store.  */
#define PODMAN_ROOT_MODE 0555

/* The tmpfs mounts Podman gives a read-only root, as ferry does.  */
static const char *const READ_ONLY_TMPFS[] = { "/run", "/tmp", "/var/tmp", NULL };

static bool
in_list (const char *const *list, const char *s)
{
  for (; *list; list++)
    if (strcmp (*list, s) == 0)
      return true;
  return false;
}

static bool
has_string (json_object *array, const char *s)
{
  for (size_t i = 0; i < ferry_json_array_length (array); i++)
    {
      const char *v = ferry_json_string_value (json_object_array_get_idx (array, i));
      if (v && strcmp (v, s) == 0)
        return true;
    }
  return false;
}

/* A copy of the array of strings MEMBER of OBJ ([] when it is absent);
 * NULL when it is something else.  */
static json_object *
strings_of (json_object *obj, const char *member)
{
  json_object *v = NULL, *out;

  if (! json_object_object_get_ex (obj, member, &v) || v == NULL)
    return json_object_new_array ();
  if (! json_object_is_type (v, json_type_array))
    return NULL;
  out = json_object_new_array ();
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      const char *s = ferry_json_string_value (json_object_array_get_idx (v, i));
      if (s == NULL)
        {
          json_object_put (out);
          return NULL;
        }
      json_object_array_add (out, json_object_new_string (s));
    }
  return out;
}

static int
bad (const char *what, const char *entry, const char *field, ferry_error_t *err)
{
  return ferry_make_error (err, 0, "%s: its %s has no valid `%s`: refusing it", what, entry, field);
}

/* The namespace of TYPE in SPEC: *PATH its path (NULL: a new one).  */
static bool
spec_namespace (json_object *spec, const char *type, const char **path)
{
  json_object *nss = ferry_json_get_array (ferry_json_get_object (spec, "linux"), "namespaces");

  *path = NULL;
  for (size_t i = 0; i < ferry_json_array_length (nss); i++)
    {
      json_object *ns = json_object_array_get_idx (nss, i);
      if (ferry_json_string_equals (ns, "type", type))
        {
          *path = ferry_json_get_string (ns, "path");
          return true;
        }
    }
  return false;
}

static int add_userns (json_object *rec, json_object *spec, const char *what, ferry_error_t *err);

/* The options of a mount of KIND (volume, bind or tmpfs) in Podman's
 * spec OPTIONS that differ from ferry's defaults for it, as the record
 * keeps them: a flag (nosuid, exec, ...) other than a volume's or tmpfs's
 * nosuid and nodev, a propagation other than rprivate, and a bind's
 * "bind".  NULL when there are none.  */
static json_object *
record_options (const char *kind, json_object *options)
{
  json_object *out = json_object_new_array ();
  int is_bind = strcmp (kind, "bind") == 0;

  for (size_t i = 0; i < ferry_json_array_length (options); i++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (options, i));

      if (o == NULL)
        continue;
      if (ferry_mount_flag_is_valid (o)
          && (is_bind || (strcmp (o, "nosuid") != 0 && strcmp (o, "nodev") != 0)))
        json_object_array_add (out, json_object_new_string (o));
      else if (strcmp (kind, "tmpfs") != 0 && ferry_mount_propagation_is_valid (o)
               && strcmp (o, "rprivate") != 0
               && ! (is_bind && strcmp (o, "private") == 0 && has_string (options, "bind")))
        json_object_array_add (out, json_object_new_string (o));
      else if (is_bind && strcmp (o, "bind") == 0)
        json_object_array_add (out, json_object_new_string (o));
    }
  if (json_object_array_length (out) == 0)
    {
      json_object_put (out);
      return NULL;
    }
  return out;
}

/* Mounts: Podman's named volumes, and the user's binds and tmpfs.  */
static int
add_mounts (json_object *rec, json_object *dump, json_object *spec, bool read_only, const char *what,
            ferry_error_t *err)
{
  json_object *volumes = ferry_json_get_array (dump, "namedVolumes");
  json_object *mounts = ferry_json_get_array (spec, "mounts");
  json_object *out = json_object_new_array ();

  json_object_object_add (rec, "Mounts", out);
  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      const char *dest = ferry_json_get_string (m, "destination");
      const char *type = ferry_json_get_string (m, "type");
      json_object *options = ferry_json_get_array (m, "options");
      json_object *entry;
      const char *volume = NULL;
      bool anonymous = false;

      if (dest == NULL || type == NULL)
        return bad (what, "spec.dump", "mounts", err);
      if (ferry_spec_is_default_destination (dest)
          || (read_only && strcmp (type, "tmpfs") == 0 && in_list (READ_ONLY_TMPFS, dest)))
        continue;
      for (size_t k = 0; k < ferry_json_array_length (volumes); k++)
        {
          json_object *v = json_object_array_get_idx (volumes, k);
          if (ferry_json_string_equals (v, "dest", dest))
            {
              volume = ferry_json_get_string (v, "volumeName");
              anonymous = json_object_get_boolean (json_object_object_get (v, "isAnonymous"));
              if (volume == NULL)
                return bad (what, "config.dump", "namedVolumes", err);
            }
        }
      entry = json_object_new_object ();
      json_object_array_add (out, entry);
      if (volume)
        {
          json_object_object_add (entry, "Type", json_object_new_string ("volume"));
          json_object_object_add (entry, "Name", json_object_new_string (volume));
          if (anonymous)
            json_object_object_add (entry, "Anonymous", json_object_new_boolean (1));
        }
      else if (strcmp (type, "bind") == 0)
        {
          const char *source = ferry_json_get_string (m, "source");
          if (source == NULL)
            return bad (what, "spec.dump", "mounts", err);
          json_object_object_add (entry, "Type", json_object_new_string ("bind"));
          json_object_object_add (entry, "Source", json_object_new_string (source));
        }
      else if (strcmp (type, "tmpfs") == 0)
        json_object_object_add (entry, "Type", json_object_new_string ("tmpfs"));
      else
        {
          cleanup_free char *shown_type = ferry_error_quotable (type, 64);
          cleanup_free char *shown_dest = ferry_error_quotable (dest, 256);
          return ferry_make_error (err, 0,
                                   "%s: the container has a %s mount at %s, which ferry cannot restore", what,
                                   shown_type, shown_dest);
        }
      json_object_object_add (entry, "Destination", json_object_new_string (dest));
      json_object_object_add (entry, "RW", json_object_new_boolean (! has_string (options, "ro")));
      {
        json_object *kept = record_options (ferry_json_get_string (entry, "Type"), options);
        if (kept)
          json_object_object_add (entry, "Options", kept);
      }
    }
  return 0;
}

/* The address of the first IPv4 subnet in a network's status.  */
static const char *
status_ip (json_object *iface, char *buf, size_t len)
{
  json_object *subnets = ferry_json_get_array (iface, "subnets");

  for (size_t i = 0; i < ferry_json_array_length (subnets); i++)
    {
      const char *net = ferry_json_get_string (json_object_array_get_idx (subnets, i), "ipnet");
      size_t n = net ? strcspn (net, "/") : 0;
      if (net && strchr (net, '.') && n < len)
        {
          memcpy (buf, net, n);
          buf[n] = '\0';
          return buf;
        }
    }
  return NULL;
}

/* What the user gave for a network, in config.dump's newNetworks member
 * GIVEN: its aliases and netavark's options (host_interface_name among
 * them), checked as ferry's own archives are.  */
static int
add_network_given (json_object *att, json_object *given, const char *what, ferry_error_t *err)
{
  json_object *aliases = ferry_json_get_array (given, "aliases");
  json_object *options = ferry_json_get_object (given, "options");

  if (aliases && json_object_array_length (aliases) > 0)
    {
      json_object *list = json_object_new_array ();

      json_object_object_add (att, "Aliases", list);
      for (size_t i = 0; i < json_object_array_length (aliases); i++)
        {
          const char *a = ferry_json_string_value (json_object_array_get_idx (aliases, i));
          if (a == NULL || ! ferry_dns_name_is_valid (a) || a[strlen (a) - 1] == '.')
            return bad (what, "config.dump", "newNetworks aliases", err);
          json_object_array_add (list, json_object_new_string (a));
        }
    }
  if (options)
    {
      cleanup_error ferry_error_t why = NULL;
      if (ferry_network_attach_options_check (options, &why) < 0)
        return bad (what, "config.dump", "newNetworks options", err);
      json_object_object_add (att, "Options", json_object_get (options));
    }
  return 0;
}

/* Network: the host's when the spec has no network namespace, none when
 * it has a new one, and else the bridge networks network.status names,
 * with their addresses; none at all when network disconnect left it on
 * none (Podman writes "null" then, and keeps its mode bridge in
 * config.dump DUMP).  */
static int
add_network (json_object *rec, json_object *spec, json_object *dump, bool cri_o, const char *staging,
             const char *what, ferry_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/network.status", staging);
  cleanup_free char *text = NULL;
  cleanup_json json_object *status = NULL;
  json_object *nets;
  const char *netns;
  size_t len = 0;

  if (! spec_namespace (spec, "network", &netns))
    {
      json_object_object_add (rec, "Network", json_object_new_string ("host"));
      return 0;
    }
  /* A pod's container ran in its pod's namespace, which stays with the
   * pod: here it gets one of its own, with loopback only.  */
  if (netns == NULL || cri_o)
    {
      json_object_object_add (rec, "Network", json_object_new_string ("none"));
      return 0;
    }
  if (ferry_read_file (path, &text, &len, err) < 0)
    return ferry_error_wrap (err, "%s", what);
  if (len == 4 && memcmp (text, "null", 4) == 0 && ferry_json_string_equals (dump, "networkMode", "bridge"))
    {
      json_object_object_add (rec, "Network", json_object_new_string ("bridge"));
      json_object_object_add (rec, "Networks", json_object_new_object ());
      return 0;
    }
  status = ferry_json_parse (text, len, "network.status", err);
  if (status == NULL)
    return ferry_error_wrap (err, "%s", what);
  if (! json_object_is_type (status, json_type_object) || json_object_object_length (status) == 0)
    return ferry_make_error (err, 0,
                             "%s: the container's network is neither none, host nor a bridge network "
                             "(its network.status names none): ferry cannot restore it",
                             what);
  json_object_object_add (rec, "Network", json_object_new_string ("bridge"));
  nets = json_object_new_object ();
  json_object_object_add (rec, "Networks", nets);
  json_object_object_foreach (status, name, st)
  {
    json_object *ifaces = ferry_json_get_object (st, "interfaces");
    json_object *att = json_object_new_object ();
    char ip[64];

    json_object_object_add (nets, name, att);
    if (ifaces == NULL)
      return bad (what, "network.status", "interfaces", err);
    json_object_object_foreach (ifaces, ifname, iface)
    {
      const char *mac = ferry_json_get_string (iface, "mac_address");
      if (status_ip (iface, ip, sizeof (ip)))
        json_object_object_add (att, "IP", json_object_new_string (ip));
      if (mac)
        json_object_object_add (att, "MAC", json_object_new_string (mac));
      if (ferry_ifname_is_valid (ifname))
        json_object_object_add (att, "Interface", json_object_new_string (ifname));
      break;
    }
    if (add_network_given (att, ferry_json_get_object (ferry_json_get_object (dump, "newNetworks"), name),
                           what, err)
        < 0)
      return -1;
  }
  return 0;
}

/* Podman's log driver, tag and size (config.dump's logDriver, logTag,
 * logSize), when ferry has them: not its logPath, a path on the host the
 * archive came from.  */
static void
add_log_config (json_object *rec, json_object *dump)
{
  const char *driver = ferry_json_get_string (dump, "logDriver");
  const char *tag = ferry_json_get_string (dump, "logTag");
  int64_t size = ferry_json_get_int (dump, "logSize", 0);

  if (driver && ferry_log_driver_canonical (driver))
    json_object_object_add (rec, "LogDriver", json_object_new_string (driver));
  if (tag && *tag && strchr (tag, '\n') == NULL)
    json_object_object_add (rec, "LogTag", json_object_new_string (tag));
  if (size > 0)
    json_object_object_add (rec, "LogSize", json_object_new_int64 (size));
}

/* ID as an image ID (64 lowercase hex digits, with or without
 * "sha256:"), or NULL.  */
static const char *
image_id_of (const char *id)
{
  if (id && strncmp (id, "sha256:", 7) == 0)
    id += 7;
  if (! ferry_id_is_full (id))
    return NULL;
  return id;
}

/* CRI-O's pod and container names, as labels.  */
static void
add_kubernetes_labels (json_object *labels, json_object *annotations)
{
  static const char *const keys[] = { "io.kubernetes.container.name", "io.kubernetes.pod.name",
                                      "io.kubernetes.pod.namespace", "io.kubernetes.pod.uid", NULL };

  for (size_t i = 0; keys[i]; i++)
    {
      const char *v = ferry_json_get_string (annotations, keys[i]);
      if (v)
        json_object_object_add (labels, keys[i], json_object_new_string (v));
    }
}

json_object *
ferry_podman_archive_record (ferry_engine_t *e, json_object *dump, const char *staging, const char *what,
                             ferry_error_t *err)
{
  cleanup_free char *spec_path = xasprintf ("%s/spec.dump", staging);
  cleanup_json json_object *spec = NULL, *rec = json_object_new_object ();
  json_object *process, *annotations, *v;
  const char *id = ferry_json_get_string (dump, "id");
  const char *name = ferry_json_get_string (dump, "name");
  const char *image_name = ferry_json_get_string (dump, "rootfsImageName");
  const char *created = ferry_json_get_string (dump, "createdTime");
  const char *hostname, *cwd, *cgroupns, *image_id;
  struct ferry_image *img = NULL;
  bool read_only, cri_o;

  if (id == NULL || name == NULL || created == NULL)
    {
      bad (what, "config.dump", id == NULL ? "id" : name == NULL ? "name" : "createdTime", err);
      return NULL;
    }
  spec = ferry_json_parse_file (spec_path, "spec.dump", err);
  if (spec == NULL)
    {
      ferry_error_wrap (err, "%s", what);
      return NULL;
    }
  annotations = ferry_json_get_object (spec, "annotations");
  cri_o = ferry_json_string_equals (annotations, "io.container.manager", "cri-o");
  process = ferry_json_get_object (spec, "process");
  cwd = ferry_json_get_string (process, "cwd");
  if (process == NULL || cwd == NULL)
    {
      bad (what, "spec.dump", "process", err);
      return NULL;
    }
  /* Podman names the image's ID rootfsImageID, CRI-O rootfsImageRef.  */
  image_id = image_id_of (ferry_json_get_string (dump, cri_o ? "rootfsImageRef" : "rootfsImageID"));
  if (image_name == NULL || image_id == NULL)
    {
      ferry_make_error (err, 0,
                        "%s: its config.dump names no image (rootfsImageName and %s): a container made "
                        "from a root file system and not an image cannot be restored",
                        what, cri_o ? "rootfsImageRef" : "rootfsImageID");
      return NULL;
    }
  /* It goes into the message below, before the record check would
   * judge it: a reference, as that check wants (not a line of the
   * archive's own).  */
  {
    struct ferry_reference parsed;
    cleanup_error ferry_error_t ignored = NULL;

    if (ferry_reference_parse (image_name, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &parsed, &ignored) < 0)
      {
        bad (what, "config.dump", "rootfsImageName", err);
        return NULL;
      }
    ferry_reference_free (&parsed);
  }
  /* Named by ID and tag only: the image must be here, and its manifest
   * digest is the store's.  */
  if (ferry_store_lookup (e->store, image_id, &img, err) < 0)
    {
      ferry_error_release (err);
      ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                             "the checkpoint needs image %s (ID %.12s), which is not on this host: pull or "
                             "load it first (ferry pull %s)",
                             image_name, image_id, image_name);
      return NULL;
    }
  json_object_object_add (rec, "Id", json_object_new_string (id));
  json_object_object_add (rec, "Name", json_object_new_string (name));
  json_object_object_add (rec, "Image", json_object_new_string (image_name));
  json_object_object_add (rec, "ImageName", json_object_new_string (image_name));
  json_object_object_add (rec, "ImageID", json_object_new_string (img->id));
  json_object_object_add (rec, "ImageDigest",
                          json_object_new_string (img->manifest_digest ? img->manifest_digest : ""));
  ferry_image_free (img);
  json_object_object_add (rec, "Created", json_object_new_string (created));
  {
    const struct
    {
      json_object *from;
      const char *member, *key;
    } lists[] = {
      { process, "env", "Env" },
      { dump, "entrypoint", "Entrypoint" },
      { dump, "command", "Cmd" },
      { process, "args", "Args" },
    };
    for (size_t i = 0; i < sizeof (lists) / sizeof (lists[0]); i++)
      {
        if ((v = strings_of (lists[i].from, lists[i].member)) == NULL)
          {
            bad (what, lists[i].from == process ? "spec.dump" : "config.dump", lists[i].member, err);
            return NULL;
          }
        json_object_object_add (rec, lists[i].key, v);
      }
  }
  v = json_object_new_object ();
  json_object_object_add (rec, "Labels", v);
  if (ferry_json_get_object (dump, "labels"))
    {
      json_object_object_foreach (ferry_json_get_object (dump, "labels"), key, label)
      {
        const char *s = ferry_json_string_value (label);
        if (s == NULL)
          {
            bad (what, "config.dump", "labels", err);
            return NULL;
          }
        json_object_object_add (v, key, json_object_new_string (s));
      }
    }
  if (cri_o)
    add_kubernetes_labels (v, annotations);
  json_object_object_add (rec, "WorkingDir", json_object_new_string (cwd));
  json_object_object_add (rec, "User",
                          json_object_new_string (ferry_json_get_string (dump, "user")
                                                      ? ferry_json_get_string (dump, "user")
                                                      : ""));
  hostname = ferry_json_get_string (spec, "hostname");
  json_object_object_add (rec, "Hostname",
                          hostname ? json_object_new_string (hostname) : json_object_new_string_len (id, 12));
  json_object_object_add (
      rec, "Tty",
      json_object_new_boolean (json_object_get_boolean (json_object_object_get (process, "terminal"))));
  json_object_object_add (
      rec, "OpenStdin",
      json_object_new_boolean (json_object_get_boolean (json_object_object_get (dump, "stdin"))));
  json_object_object_add (rec, "AutoRemove", json_object_new_boolean (0));
  if (add_network (rec, spec, dump, cri_o, staging, what, err) < 0)
    return NULL;
  json_object_object_add (rec, "ShmSize",
                          json_object_new_int64 (ferry_json_get_int (dump, "shmSize", 64 << 20)));
  json_object_object_add (rec, "StopTimeout",
                          json_object_new_int64 (ferry_json_get_int (dump, "stopTimeout", 10)));
  json_object_object_add (rec, "StopSignal",
                          json_object_new_int64 (ferry_json_get_int (dump, "stopSignal", 15)));
  read_only
      = json_object_get_boolean (json_object_object_get (ferry_json_get_object (spec, "root"), "readonly"));
  if (add_mounts (rec, dump, spec, read_only, what, err) < 0)
    return NULL;
  if (read_only)
    json_object_object_add (rec, "ReadOnly", json_object_new_boolean (1));
  if (json_object_get_boolean (json_object_object_get (dump, "privileged")))
    json_object_object_add (rec, "Privileged", json_object_new_boolean (1));
  if (! spec_namespace (spec, "cgroup", &cgroupns))
    json_object_object_add (rec, "CgroupNs", json_object_new_string ("host"));
  json_object_object_add (rec, "RootMode", json_object_new_int (PODMAN_ROOT_MODE));
  add_log_config (rec, dump);
  ferry_resources_from_oci (ferry_json_get_object (ferry_json_get_object (spec, "linux"), "resources"), rec);
  if (add_userns (rec, spec, what, err) < 0)
    return NULL;
  return steal_pointer (&rec);
}

/* The spec's user namespace (linux.uidMappings, gidMappings) as
 * UidMap/GidMap, "CONTAINER:HOST:SIZE" each, for the record check to
 * judge; one Podman joined by path cannot be restored.  */
static int
add_userns (json_object *rec, json_object *spec, const char *what, ferry_error_t *err)
{
  static const char *const fields[][2] = { { "uidMappings", "UidMap" }, { "gidMappings", "GidMap" } };
  json_object *linux_ = ferry_json_get_object (spec, "linux");
  const char *path;

  if (! spec_namespace (spec, "user", &path))
    return 0;
  if (path)
    return ferry_make_error (err, 0,
                             "%s: its container joined the user namespace `%s`, which ferry cannot restore "
                             "it into: refusing it",
                             what, path);
  for (size_t f = 0; f < 2; f++)
    {
      json_object *maps = ferry_json_get_array (linux_, fields[f][0]);
      json_object *out = json_object_new_array ();

      json_object_object_add (rec, fields[f][1], out);
      for (size_t i = 0; i < ferry_json_array_length (maps); i++)
        {
          json_object *m = json_object_array_get_idx (maps, i);
          json_object *c = json_object_object_get (m, "containerID"),
                      *h = json_object_object_get (m, "hostID"), *n = json_object_object_get (m, "size");
          char text[64];

          if (! json_object_is_type (c, json_type_int) || ! json_object_is_type (h, json_type_int)
              || ! json_object_is_type (n, json_type_int) || json_object_get_int64 (c) < 0
              || json_object_get_int64 (h) < 0 || json_object_get_int64 (n) < 0
              || json_object_get_int64 (c) > UINT32_MAX || json_object_get_int64 (h) > UINT32_MAX
              || json_object_get_int64 (n) > UINT32_MAX)
            return bad (what, "spec.dump", fields[f][0], err);
          snprintf (text, sizeof (text), "%lld:%lld:%lld", (long long) json_object_get_int64 (c),
                    (long long) json_object_get_int64 (h), (long long) json_object_get_int64 (n));
          json_object_array_add (out, json_object_new_string (text));
        }
    }
  json_object_object_add (rec, "UsernsMode", json_object_new_string ("private"));
  return 0;
}

int
ferry_podman_archive_stage (const char *staging, ferry_error_t *err)
{
  cleanup_free char *crio_log = xasprintf ("%s/%s", staging, FERRY_CRIO_LOG_ENTRY);
  cleanup_free char *log = xasprintf ("%s/ctr.log", staging);

  if (ferry_path_exists (log) || ! ferry_path_exists (crio_log))
    return 0;
  if (rename (crio_log, log) < 0)
    return ferry_make_error (err, errno, "cannot move `%s` to `%s`", crio_log, log);
  return 0;
}
