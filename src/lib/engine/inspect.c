/* ferry: `inspect` of a container, in the shape Podman users script against. */
#include "container.h"
#include "exec_session.h"
#include "health.h"
#include "internal.h"
#include "ns_modes.h"
#include "userns.h"
#include "network.h"
#include "resources.h"
#include "../runtime/mount_options.h"
#include "../runtime/spec.h"
#include "mount.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

static json_object *
member_or (json_object *obj, const char *key, json_object *def)
{
  json_object *v;

  if (obj && json_object_object_get_ex (obj, key, &v) && v)
    {
      json_object_put (def);
      return json_object_get (v);
    }
  return def;
}

/* The container's cgroup (as /proc/PID/cgroup names it on cgroup v2, or
 * the memory hierarchy's on v1), NULL when it cannot be read.  */
static char *
cgroup_path_of (pid_t pid)
{
  cleanup_free char *path = xasprintf ("/proc/%d/cgroup", (int) pid), *text = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  char *line, *save = NULL, *v1 = NULL;

  if (ferry_read_file (path, &text, NULL, &ignored) < 0)
    return NULL;
  for (line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *controllers = strchr (line, ':'), *where;
      if (controllers == NULL || (where = strchr (controllers + 1, ':')) == NULL)
        continue;
      *where++ = '\0';
      if (strncmp (line, "0:", 2) == 0 && controllers[1] == '\0')
        return xstrdup (where);
      if (v1 == NULL && strcmp (controllers + 1, "memory") == 0)
        v1 = where;
    }
  return v1 ? xstrdup (v1) : NULL;
}

/* Sets KEY to V when SHOW.  Else, with OMITTED (Podman leaves the member
 * out of its JSON, omitempty, while its templates find it), to ZERO, the
 * value a template of Podman's finds, and KEY goes into OMITTED; without,
 * drops both.  */
static void
add_omitempty (json_object *o, const char *key, json_object *v, int show, json_object *omitted,
               json_object *zero)
{
  if (show)
    {
      json_object_object_add (o, key, v);
      json_object_put (zero);
      return;
    }
  json_object_put (v);
  if (omitted)
    {
      json_object_object_add (o, key, zero);
      json_object_object_add (omitted, key, json_object_new_boolean (1));
    }
  else
    json_object_put (zero);
}

/* Whether the container's present (or last) run came from a restore: a
 * plain start after it clears that, as in Podman.  */
static int
restored_run (const struct ferry_container *c)
{
  return *c->restored_at && (*c->started_at == '\0' || strcmp (c->restored_at, c->started_at) >= 0);
}

static json_object *
state_json (ferry_engine_t *e, const struct ferry_container *c, json_object *omitted)
{
  json_object *health = ferry_container_health_json (e, c);
  int monitored = ferry_container_has_monitor (c), checkpointed = ferry_container_is_checkpointed (c);
  cleanup_free char *cgroup = monitored && c->pid > 0 ? cgroup_path_of (c->pid) : NULL;
  cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *images = xasprintf ("%s/checkpoint", cdir);
  cleanup_free char *dump_log = xasprintf ("%s/dump.log", images);
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, c->id);
  cleanup_free char *restore_log = xasprintf ("%s/restore.log", bundle);
  json_object *s = json_object_new_object ();

  /* The version of the runtime spec ferry writes for it.  */
  json_object_object_add (s, "OciVersion", json_object_new_string (FERRY_SPEC_OCI_VERSION));
  json_object_object_add (s, "Status", json_object_new_string (ferry_container_status_name (c->status)));
  json_object_object_add (s, "Running", json_object_new_boolean (c->status == FERRY_CONTAINER_RUNNING));
  json_object_object_add (s, "Paused", json_object_new_boolean (c->status == FERRY_CONTAINER_PAUSED));
  json_object_object_add (s, "Restarting", json_object_new_boolean (0));
  json_object_object_add (s, "OOMKilled", json_object_new_boolean (0));
  json_object_object_add (s, "Dead", json_object_new_boolean (0));
  json_object_object_add (s, "Pid", json_object_new_int (monitored ? c->pid : 0));
  add_omitempty (s, "ConmonPid", json_object_new_int (monitored ? c->conmon_pid : 0),
                 monitored && c->conmon_pid > 0, omitted, json_object_new_int (0));
  json_object_object_add (s, "ExitCode", json_object_new_int (c->exit_code));
  json_object_object_add (s, "Error", json_object_new_string (c->error ? c->error : ""));
  json_object_object_add (s, "StartedAt",
                          json_object_new_string (*c->started_at ? c->started_at : "0001-01-01T00:00:00Z"));
  json_object_object_add (s, "FinishedAt",
                          json_object_new_string (*c->finished_at ? c->finished_at : "0001-01-01T00:00:00Z"));
  /* As Podman's: only a container with a check has it.  */
  if (health)
    json_object_object_add (s, "Health", health);
  add_omitempty (s, "Checkpointed", json_object_new_boolean (1), checkpointed, omitted,
                 json_object_new_boolean (0));
  add_omitempty (s, "CgroupPath", json_object_new_string (cgroup ? cgroup : ""), cgroup != NULL, omitted,
                 json_object_new_string (""));
  json_object_object_add (
      s, "CheckpointedAt",
      json_object_new_string (*c->checkpointed_at ? c->checkpointed_at : "0001-01-01T00:00:00Z"));
  json_object_object_add (
      s, "RestoredAt", json_object_new_string (restored_run (c) ? c->restored_at : "0001-01-01T00:00:00Z"));
  /* CRIU's logs and the images while they are kept: the images of a
   * checkpoint in place, for the restore to come, or after --keep, and the
   * logs after --keep, as Podman shows them.  */
  add_omitempty (s, "CheckpointLog", json_object_new_string (dump_log), ferry_path_exists (dump_log), omitted,
                 json_object_new_string (""));
  add_omitempty (s, "CheckpointPath", json_object_new_string (images), ferry_path_exists (images), omitted,
                 json_object_new_string (""));
  add_omitempty (s, "RestoreLog", json_object_new_string (restore_log), ferry_path_exists (restore_log),
                 omitted, json_object_new_string (""));
  add_omitempty (s, "Restored", json_object_new_boolean (1), restored_run (c), omitted,
                 json_object_new_boolean (0));
  add_omitempty (s, "StoppedByUser", json_object_new_boolean (1),
                 json_object_get_boolean (json_object_object_get (c->record, "StoppedByUser")), omitted,
                 json_object_new_boolean (0));
  if (c->operation)
    {
      /* ferry's own: a checkpoint or restore in progress.  */
      json_object *op = json_object_new_object ();
      json_object_object_add (op, "Kind", json_object_new_string (c->operation));
      json_object_object_add (op, "Phase", json_object_new_string (c->operation_phase));
      json_object_object_add (op, "Pid", json_object_new_int (c->operation_pid));
      json_object_object_add (op, "StartedAt", json_object_new_string (c->operation_started));
      json_object_object_add (s, "Operation", op);
    }
  return s;
}

/* "mask=/a:/b", as the option was given.  */
static void
add_paths_opt (json_object *opts, const char *name, json_object *paths)
{
  char *text;

  if (ferry_json_array_length (paths) == 0)
    return;
  text = xasprintf ("%s=", name);
  for (size_t i = 0; i < json_object_array_length (paths); i++)
    {
      char *next = xasprintf ("%s%s%s", text, i ? ":" : "",
                              json_object_get_string (json_object_array_get_idx (paths, i)));
      free (text);
      text = next;
    }
  json_object_array_add (opts, json_object_new_string (text));
  free (text);
}

/* Whether C has no path masked: --privileged, or unmask=ALL.  */
static int
unmasks_all (const struct ferry_container *c)
{
  json_object *unmask = ferry_json_get_array (c->record, "Unmask");

  if (json_object_get_boolean (json_object_object_get (c->record, "Privileged")))
    return 1;
  for (size_t i = 0; i < ferry_json_array_length (unmask); i++)
    {
      const char *path = ferry_json_string_value (json_object_array_get_idx (unmask, i));
      if (path && strcasecmp (path, "ALL") == 0)
        return 1;
    }
  return 0;
}

/* Podman's form: "no-new-privileges", "label=disable", then [] for the
 * default profile, "seccomp=unconfined", or "seccomp=<profile>" for a
 * profile of the container's own.  */
static json_object *
security_opt_json (const struct ferry_container *c)
{
  json_object *opts = json_object_new_array ();
  json_object *seccomp = json_object_object_get (c->record, "Seccomp");

  if (json_object_get_boolean (json_object_object_get (c->record, "NoNewPrivileges")))
    json_object_array_add (opts, json_object_new_string ("no-new-privileges"));
  if (json_object_get_boolean (json_object_object_get (c->record, "LabelDisable")))
    json_object_array_add (opts, json_object_new_string ("label=disable"));
  if (ferry_json_string_equals (c->record, "Seccomp", "unconfined"))
    json_object_array_add (opts, json_object_new_string ("seccomp=unconfined"));
  else if (json_object_is_type (seccomp, json_type_object))
    json_object_array_add (opts, json_object_new_string ("seccomp=<profile>"));
  add_paths_opt (opts, "mask", ferry_json_get_array (c->record, "Mask"));
  /* Everything unmasked, by unmask=ALL or --privileged, is Podman's
   * "unmask=all"; paths as they were given (Podman shows none).  */
  if (unmasks_all (c))
    json_object_array_add (opts, json_object_new_string ("unmask=all"));
  else
    add_paths_opt (opts, "unmask", ferry_json_get_array (c->record, "Unmask"));
  return opts;
}

/* What a record mount's Options say about a bind: *RECURSIVE unless
 * "bind", and the propagation given (NULL: none).  */
static const char *
bind_propagation (json_object *m, int *recursive)
{
  json_object *opts = ferry_json_get_array (m, "Options");
  const char *propagation = NULL;

  *recursive = 1;
  for (size_t i = 0; i < ferry_json_array_length (opts); i++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (opts, i));
      if (o && strcmp (o, "bind") == 0)
        *recursive = 0;
      else if (o && ferry_mount_propagation_is_valid (o))
        propagation = o;
    }
  return propagation;
}

/* The record's exec, nosuid, ... words of mount M, and with WITH_BIND
 * its "bind", in their order (the order typed).  */
static void
add_mount_flags (json_object *opts, json_object *m, int with_bind)
{
  json_object *given = ferry_json_get_array (m, "Options");

  for (size_t i = 0; i < ferry_json_array_length (given); i++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (given, i));
      if (ferry_mount_flag_is_valid (o) || (with_bind && o && strcmp (o, "bind") == 0))
        json_object_array_add (opts, json_object_new_string (o));
    }
}

/* An image VOLUME's anonymous volume, as create records it (and
 * --volumes-from copies it): Podman shows its options in an order of
 * their own.  */
static int
is_image_volume (json_object *m)
{
  json_object *given = ferry_json_get_array (m, "Options");
  static const char *const words[] = { "nodev", "exec", "nosuid" };

  if (ferry_json_array_length (given) != 3)
    return 0;
  for (size_t i = 0; i < 3; i++)
    {
      const char *w = json_object_get_string (json_object_array_get_idx (given, i));
      if (w == NULL || strcmp (w, words[i]) != 0)
        return 0;
    }
  return 1;
}

/* Whether mount M's options say FLAG or its opposite.  */
static int
mount_sets_flag (json_object *m, const char *flag)
{
  json_object *given = ferry_json_get_array (m, "Options");
  const char *other = ferry_mount_flag_opposite (flag);

  for (size_t i = 0; i < ferry_json_array_length (given); i++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (given, i));
      if (o && (strcmp (o, flag) == 0 || strcmp (o, other) == 0))
        return 1;
    }
  return 0;
}

/* Whether mount M's options give a propagation.  */
static int
mount_sets_propagation (json_object *m)
{
  json_object *given = ferry_json_get_array (m, "Options");

  for (size_t i = 0; i < ferry_json_array_length (given); i++)
    if (ferry_mount_propagation_is_valid (json_object_get_string (json_object_array_get_idx (given, i))))
      return 1;
  return 0;
}

/* A volume's nosuid and nodev, each unless its options set it.  */
static void
add_volume_defaults (json_object *opts, json_object *m)
{
  if (! mount_sets_flag (m, "nosuid"))
    json_object_array_add (opts, json_object_new_string ("nosuid"));
  if (! mount_sets_flag (m, "nodev"))
    json_object_array_add (opts, json_object_new_string ("nodev"));
}

/* MOUNT's options as HostConfig.Binds shows them: each word of OPTS
 * and a comma after it.  */
static char *
words_with_commas (json_object *opts)
{
  size_t cap = 1;
  char *text;

  for (size_t i = 0; i < json_object_array_length (opts); i++)
    cap += strlen (json_object_get_string (json_object_array_get_idx (opts, i))) + 1;
  text = xmalloc0 (cap);
  for (size_t i = 0; i < json_object_array_length (opts); i++)
    strcat (strcat (text, json_object_get_string (json_object_array_get_idx (opts, i))), ",");
  return text;
}

static int
mount_is_writable (json_object *m)
{
  json_object *rw = json_object_object_get (m, "RW");
  return rw == NULL || json_object_get_boolean (rw);
}

static json_object *typed_options (json_object *m);
static int typed_has (json_object *typed, const char *const *words);

/* .Mounts' Options of a bind or VOLUME from the words typed, as Podman
 * shows them: all but ro, rw, z, Z and the propagation, then a volume's
 * nosuid and nodev and rbind where the words did not say them.  */
static void
add_typed_mount_options (json_object *opts, json_object *typed, int volume)
{
  static const char *const SUID[] = { "suid", "nosuid", NULL }, *const DEV[] = { "dev", "nodev", NULL };
  static const char *const BIND_RBIND[] = { "bind", "rbind", NULL };

  for (size_t i = 0; i < json_object_array_length (typed); i++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (typed, i));

      if (strcmp (o, "ro") != 0 && strcmp (o, "rw") != 0 && strcmp (o, "z") != 0 && strcmp (o, "Z") != 0
          && ! ferry_mount_propagation_is_valid (o))
        json_object_array_add (opts, json_object_new_string (o));
    }
  if (volume && ! typed_has (typed, SUID))
    json_object_array_add (opts, json_object_new_string ("nosuid"));
  if (volume && ! typed_has (typed, DEV))
    json_object_array_add (opts, json_object_new_string ("nodev"));
  if (! typed_has (typed, BIND_RBIND))
    json_object_array_add (opts, json_object_new_string ("rbind"));
}

/* One of .Mounts, as Podman shows it: volumes and binds with their
 * options; a ramfs or devpts as a "bind" of that name.  */
static json_object *
mount_entry_json (ferry_engine_t *e, json_object *m)
{
  json_object *o = json_object_new_object (), *opts = json_object_new_array ();
  const char *type = ferry_json_get_string (m, "Type"), *mode = ferry_json_get_string (m, "Mode");
  const char *propagation = "";
  int recursive = 1;

  if (strcmp (type, "image") == 0)
    {
      /* As Podman shows it: the reference given, no options.  */
      json_object_put (opts);
      json_object_object_add (o, "Type", json_object_new_string ("image"));
      json_object_object_add (o, "Source", json_object_new_string (ferry_json_get_string (m, "ImageName")));
      json_object_object_add (o, "Destination",
                              json_object_new_string (ferry_json_get_string (m, "Destination")));
      json_object_object_add (o, "Driver", json_object_new_string (""));
      json_object_object_add (o, "Mode", json_object_new_string (""));
      json_object_object_add (o, "Options", NULL);
      json_object_object_add (o, "RW", json_object_new_boolean (mount_is_writable (m)));
      json_object_object_add (o, "Propagation", json_object_new_string (""));
      return o;
    }
  json_object_object_add (o, "Type", json_object_new_string (strcmp (type, "volume") == 0 ? type : "bind"));
  if (json_object_get_boolean (json_object_object_get (m, "Chown")) && typed_options (m) == NULL)
    json_object_array_add (opts, json_object_new_string ("U"));
  if (strcmp (type, "volume") == 0)
    {
      cleanup_free char *src = xasprintf ("%s/volumes/%s/_data", e->root, ferry_json_get_string (m, "Name"));
      json_object_object_add (o, "Name", json_object_new_string (ferry_json_get_string (m, "Name")));
      const char *given = bind_propagation (m, &recursive);
      json_object_object_add (o, "Source", json_object_new_string (src));
      if (typed_options (m))
        add_typed_mount_options (opts, typed_options (m), 1);
      else
        {
          add_mount_flags (opts, m, 0);
          add_volume_defaults (opts, m);
          json_object_array_add (opts, json_object_new_string (recursive ? "rbind" : "bind"));
        }
      propagation = given ? given : recursive ? "rprivate" : "private";
    }
  else if (strcmp (type, "bind") == 0)
    {
      const char *given = bind_propagation (m, &recursive);
      json_object_object_add (o, "Source", json_object_new_string (ferry_json_get_string (m, "Source")));
      if (typed_options (m))
        add_typed_mount_options (opts, typed_options (m), 0);
      else
        {
          add_mount_flags (opts, m, 1);
          if (recursive)
            json_object_array_add (opts, json_object_new_string ("rbind"));
        }
      propagation = given ? given : recursive ? "rprivate" : "private";
    }
  else
    {
      json_object_object_add (o, "Source", json_object_new_string (type));
      add_mount_flags (opts, m, 0);
    }
  json_object_object_add (o, "Destination",
                          json_object_new_string (ferry_json_get_string (m, "Destination")));
  json_object_object_add (o, "Driver", json_object_new_string (strcmp (type, "volume") == 0 ? "local" : ""));
  json_object_object_add (o, "Mode", json_object_new_string (mode ? mode : ""));
  json_object_object_add (o, "Options", opts);
  json_object_object_add (o, "RW", json_object_new_boolean (mount_is_writable (m)));
  json_object_object_add (o, "Propagation", json_object_new_string (propagation));
  return o;
}

/* Where Podman lists a mount of TYPE in .Mounts and HostConfig.Binds:
 * volumes, then ramfs and devpts, then binds; -1: not there (a tmpfs).  */
static int
mount_rank (const char *type)
{
  if (type == NULL || strcmp (type, "tmpfs") == 0)
    return -1;
  if (strcmp (type, "image") == 0)
    return 3;
  if (strcmp (type, "volume") == 0)
    return 0;
  return strcmp (type, "bind") == 0 ? 2 : 1;
}

/* As Podman orders .Mounts: volumes, then ramfs and devpts, then binds;
 * a tmpfs is not there (HostConfig.Tmpfs has it).  */
static json_object *
mounts_json (ferry_engine_t *e, const struct ferry_container *c)
{
  json_object *out = json_object_new_array ();
  json_object *mounts = ferry_json_get_array (c->record, "Mounts");

  for (int k = 0; k < 4; k++)
    for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
      {
        json_object *m = json_object_array_get_idx (mounts, i);
        const char *type = ferry_json_get_string (m, "Type");
        if (mount_rank (type) == k && ! ferry_mount_is_carried_bind (m))
          json_object_array_add (out, mount_entry_json (e, m));
      }
  return out;
}

/* Mount M's TypedOptions (the options of -v or --mount as typed) when
 * the record holds them as create writes them, else NULL: a record is
 * untrusted, and one without them shows the words ferry makes up.  */
static json_object *
typed_options (json_object *m)
{
  json_object *t = json_object_object_get (m, "TypedOptions");

  if (! json_object_is_type (t, json_type_array) || json_object_array_length (t) == 0)
    return NULL;
  for (size_t i = 0; i < json_object_array_length (t); i++)
    if (! ferry_mount_typed_option_is_valid (ferry_json_string_value (json_object_array_get_idx (t, i))))
      return NULL;
  return t;
}

/* Whether TYPED holds any of WORDS, or a propagation with WORDS NULL.  */
static int
typed_has (json_object *typed, const char *const *words)
{
  for (size_t i = 0; i < json_object_array_length (typed); i++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (typed, i));

      if (words == NULL && ferry_mount_propagation_is_valid (o))
        return 1;
      for (size_t k = 0; words && words[k]; k++)
        if (strcmp (o, words[k]) == 0)
          return 1;
    }
  return 0;
}

static const char *const RO_RW[] = { "ro", "rw", NULL };

/* As Podman completes a bind's or VOLUME's options: the words typed,
 * then rw, the propagation, a volume's nosuid and nodev and rbind, each
 * where the words did not say it.  */
static char *
typed_binds_options (json_object *typed, int volume)
{
  cleanup_json json_object *words = json_object_new_array ();
  static const char *const BIND[] = { "bind", NULL }, *const SUID[] = { "suid", "nosuid", NULL };
  static const char *const DEV[] = { "dev", "nodev", NULL }, *const BIND_RBIND[] = { "bind", "rbind", NULL };

  for (size_t i = 0; i < json_object_array_length (typed); i++)
    json_object_array_add (words, json_object_get (json_object_array_get_idx (typed, i)));
  if (! typed_has (typed, RO_RW))
    json_object_array_add (words, json_object_new_string ("rw"));
  if (! typed_has (typed, NULL))
    json_object_array_add (words, json_object_new_string (typed_has (typed, BIND) ? "private" : "rprivate"));
  if (volume && ! typed_has (typed, SUID))
    json_object_array_add (words, json_object_new_string ("nosuid"));
  if (volume && ! typed_has (typed, DEV))
    json_object_array_add (words, json_object_new_string ("nodev"));
  if (! typed_has (typed, BIND_RBIND))
    json_object_array_add (words, json_object_new_string ("rbind"));
  {
    char *text = words_with_commas (words);
    text[strlen (text) - 1] = '\0';
    return text;
  }
}

int
ferry_mount_is_carried_bind (json_object *m)
{
  json_object *v = json_object_object_get (m, "FromContainer");

  return json_object_is_type (v, json_type_boolean) && json_object_get_boolean (v);
}

char *
ferry_mount_binds_options (json_object *m)
{
  const char *type = ferry_json_get_string (m, "Type");
  const char *rw = mount_is_writable (m) ? "rw" : "ro", *mode = ferry_json_get_string (m, "Mode");
  const char *u = json_object_get_boolean (json_object_object_get (m, "Chown")) ? "U," : "";
  cleanup_free char *z = mode ? xasprintf ("%s,", mode) : xstrdup ("");
  cleanup_free char *flags = NULL, *defaults = NULL;
  json_object *typed = typed_options (m);
  const char *given;
  int recursive;

  if (type == NULL || (strcmp (type, "volume") != 0 && strcmp (type, "bind") != 0))
    return NULL;
  if (strcmp (type, "volume") == 0 && is_image_volume (m))
    /* Podman writes an image VOLUME's options in this order.  */
    return xasprintf ("rprivate,%s,nodev,exec,nosuid,rbind", rw);
  if (typed)
    return typed_binds_options (typed, strcmp (type, "volume") == 0);
  {
    cleanup_json json_object *f = json_object_new_array (), *d = json_object_new_array ();
    add_mount_flags (f, m, 0);
    if (strcmp (type, "volume") == 0)
      add_volume_defaults (d, m);
    flags = words_with_commas (f);
    defaults = words_with_commas (d);
  }
  given = bind_propagation (m, &recursive);
  if (strcmp (type, "volume") == 0)
    {
      cleanup_free char *prop = given ? xasprintf ("%s,", given) : xstrdup ("");
      return xasprintf ("%s%s%s%s%s%s%s,%srbind", u, prop, flags, rw, mode ? "," : "", mode ? mode : "",
                        given ? "" : ",rprivate", defaults);
    }
  if (! recursive)
    return xasprintf ("%sbind,%s%s%s,%s", u, flags, z, rw, given ? given : "private");
  if (given)
    return xasprintf ("%s%s,%s%s%s,rbind", u, given, flags, z, rw);
  return xasprintf ("%s%s%s%s,rprivate,rbind", u, flags, z, rw);
}

/* HostConfig.Binds as Podman writes it: SOURCE:DEST:OPTIONS for volumes
 * and binds, the bare name of a ramfs or devpts.  */
static json_object *
binds_json (const struct ferry_container *c)
{
  json_object *out = json_object_new_array ();
  json_object *mounts = ferry_json_get_array (c->record, "Mounts");

  for (int k = 0; k < 3; k++)
    for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
      {
        json_object *m = json_object_array_get_idx (mounts, i);
        const char *type = ferry_json_get_string (m, "Type"), *dst = ferry_json_get_string (m, "Destination");
        cleanup_free char *text = NULL, *options = NULL;

        if (mount_rank (type) != k || ferry_mount_is_carried_bind (m))
          continue;
        options = ferry_mount_binds_options (m);
        if (options)
          text = xasprintf ("%s:%s:%s",
                            ferry_json_get_string (m, strcmp (type, "volume") == 0 ? "Name" : "Source"), dst,
                            options);
        else
          {
            cleanup_json json_object *f = json_object_new_array ();
            cleanup_free char *flags = NULL;

            add_mount_flags (f, m, 0);
            flags = words_with_commas (f);
            if (*flags)
              {
                /* ramfs:/DEST:noexec,suid, as Podman writes it.  */
                flags[strlen (flags) - 1] = '\0';
                text = xasprintf ("%s:%s:%s", type, dst, flags);
              }
            else
              text = xasprintf ("%s:%s", type, dst);
          }
        json_object_array_add (out, json_object_new_string (text));
      }
  return out;
}

/* Whether WORD is one of comma-separated LIST's.  */
static int
has_word (const char *list, const char *word)
{
  size_t n = strlen (word);
  const char *p = list;

  for (;;)
    {
      if (strncmp (p, word, n) == 0 && (p[n] == ',' || p[n] == '\0'))
        return 1;
      p = strchr (p, ',');
      if (p == NULL)
        return 0;
      p++;
    }
}

/* HostConfig.Tmpfs as Podman writes it: each destination's options.  */
static json_object *
tmpfs_json (const struct ferry_container *c)
{
  json_object *out = json_object_new_object ();
  json_object *mounts = ferry_json_get_array (c->record, "Mounts");

  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i), *opts = ferry_json_get_array (m, "Options");
      size_t cap = 64;
      cleanup_free char *text = NULL;
      const char *typed;
      int copyup = 1;

      if (! ferry_json_string_equals (m, "Type", "tmpfs"))
        continue;
      typed = ferry_json_get_string (m, "TmpfsOptions");
      for (size_t k = 0; k < ferry_json_array_length (opts); k++)
        cap += strlen (json_object_get_string (json_object_array_get_idx (opts, k))) + 1;
      cap += typed ? strlen (typed) + 1 : 0;
      text = xmalloc0 (cap);
      for (size_t k = 0; k < ferry_json_array_length (opts); k++)
        {
          const char *o = json_object_get_string (json_object_array_get_idx (opts, k));
          if (strcmp (o, "notmpcopyup") == 0)
            copyup = 0;
          else if (typed == NULL)
            strcat (strcat (text, o), ",");
        }
      /* --tmpfs DEST:OPTIONS: the options as typed, with rw unless ro
       * or rw is among them.  */
      if (typed)
        strcat (strcat (text, typed), ",");
      if (! typed || ! (has_word (typed, "ro") || has_word (typed, "rw")))
        strcat (strcat (text, mount_is_writable (m) ? "rw" : "ro"), ",");
      if (! mount_sets_propagation (m))
        strcat (text, "rprivate,");
      if (! mount_sets_flag (m, "nosuid"))
        strcat (text, "nosuid,");
      if (! mount_sets_flag (m, "nodev"))
        strcat (text, "nodev,");
      if (copyup)
        strcat (text, "tmpcopyup,");
      text[strlen (text) - 1] = '\0';
      json_object_object_add (out, ferry_json_get_string (m, "Destination"), json_object_new_string (text));
    }
  {
    /* Go writes the map's keys sorted.  */
    json_object *sorted = ferry_json_sorted_object (out);
    json_object_put (out);
    return sorted;
  }
}

/* Member KEY of OBJ with its keys sorted, as Go writes a map; DEF when
 * missing.  */
static json_object *
sorted_member_or (json_object *obj, const char *key, json_object *def)
{
  json_object *v = member_or (obj, key, def);
  json_object *out = ferry_json_sorted_object (v);

  json_object_put (v);
  return out;
}

/* As Podman's: the annotations given, null when none.  */
static json_object *
annotations_json (const struct ferry_container *c)
{
  return sorted_member_or (c->record, "Annotations", NULL);
}

/* As Podman's: the signal's name, "SIGTERM".  */
static json_object *
stop_signal_json (const struct ferry_container *c)
{
  int sig = ferry_json_get_int (c->record, "StopSignal", SIGTERM);
  const char *name = ferry_signal_name (sig);
  cleanup_free char *text = name                                ? xasprintf ("SIG%s", name)
                            : sig > SIGRTMIN && sig <= SIGRTMAX ? xasprintf ("SIGRTMIN+%d", sig - SIGRTMIN)
                                                                : xasprintf ("%d", sig);

  return json_object_new_string (text);
}

/* O (taken) with ORDER's members first, in that order, then the others
 * as they came: Podman's order, whichever helper added a member.  */
static json_object *
in_order (json_object *o, const char *const *order)
{
  json_object *out = json_object_new_object ();

  for (size_t i = 0; order[i]; i++)
    {
      json_object *v;
      if (json_object_object_get_ex (o, order[i], &v))
        json_object_object_add (out, order[i], json_object_get (v));
    }
  json_object_object_foreach (o, key, val)
  {
    if (! json_object_object_get_ex (out, key, NULL))
      json_object_object_add (out, key, json_object_get (val));
  }
  json_object_put (o);
  return out;
}

static const char *const config_order[] = { "Hostname",
                                            "Domainname",
                                            "User",
                                            "AttachStdin",
                                            "AttachStdout",
                                            "AttachStderr",
                                            "Tty",
                                            "OpenStdin",
                                            "StdinOnce",
                                            "Env",
                                            "Cmd",
                                            "Image",
                                            "Volumes",
                                            "WorkingDir",
                                            "Entrypoint",
                                            "OnBuild",
                                            "Labels",
                                            "Annotations",
                                            "StopSignal",
                                            "StartupHealthCheck",
                                            "Healthcheck",
                                            "HealthcheckOnFailureAction",
                                            "HealthLogDestination",
                                            "HealthcheckMaxLogCount",
                                            "HealthcheckMaxLogSize",
                                            "CreateCommand",
                                            "Timezone",
                                            "SystemdMode",
                                            "Umask",
                                            "Secrets",
                                            "Timeout",
                                            "StopTimeout",
                                            "Passwd",
                                            "sdNotifyMode",
                                            "ExposedPorts",
                                            NULL };

static const char *const host_config_order[] = { "Binds",
                                                 "CgroupManager",
                                                 "CgroupMode",
                                                 "ContainerIDFile",
                                                 "LogConfig",
                                                 "NetworkMode",
                                                 "PortBindings",
                                                 "RestartPolicy",
                                                 "AutoRemove",
                                                 "AutoRemoveImage",
                                                 "Annotations",
                                                 "VolumeDriver",
                                                 "VolumesFrom",
                                                 "CapAdd",
                                                 "CapDrop",
                                                 "Dns",
                                                 "DnsOptions",
                                                 "DnsSearch",
                                                 "ExtraHosts",
                                                 "HostsFile",
                                                 "GroupAdd",
                                                 "IpcMode",
                                                 "Cgroup",
                                                 "Cgroups",
                                                 "Links",
                                                 "OomScoreAdj",
                                                 "PidMode",
                                                 "Privileged",
                                                 "PublishAllPorts",
                                                 "ReadonlyRootfs",
                                                 "SecurityOpt",
                                                 "Tmpfs",
                                                 "UTSMode",
                                                 "UsernsMode",
                                                 "IDMappings",
                                                 "ShmSize",
                                                 "Runtime",
                                                 "ConsoleSize",
                                                 "Isolation",
                                                 "CpuShares",
                                                 "Memory",
                                                 "NanoCpus",
                                                 "CgroupParent",
                                                 "BlkioWeight",
                                                 "BlkioWeightDevice",
                                                 "BlkioDeviceReadBps",
                                                 "BlkioDeviceWriteBps",
                                                 "BlkioDeviceReadIOps",
                                                 "BlkioDeviceWriteIOps",
                                                 "CpuPeriod",
                                                 "CpuQuota",
                                                 "CpuRealtimePeriod",
                                                 "CpuRealtimeRuntime",
                                                 "CpusetCpus",
                                                 "CpusetMems",
                                                 "Devices",
                                                 "DiskQuota",
                                                 "KernelMemory",
                                                 "MemoryReservation",
                                                 "MemorySwap",
                                                 "MemorySwappiness",
                                                 "OomKillDisable",
                                                 "Init",
                                                 "PidsLimit",
                                                 "Ulimits",
                                                 "CpuCount",
                                                 "CpuPercent",
                                                 "IOMaximumIOps",
                                                 "IOMaximumBandwidth",
                                                 "CgroupConf",
                                                 NULL };

/* The variables as given, then what the last start added (StartEnv), as
 * Podman shows its spec's once the container started.  */
static json_object *
config_env (json_object *r)
{
  json_object *given = ferry_json_get_array (r, "Env"), *added = ferry_json_get_array (r, "StartEnv");
  json_object *env = json_object_new_array ();
  size_t i;

  for (i = 0; i < ferry_json_array_length (given); i++)
    json_object_array_add (env, json_object_get (json_object_array_get_idx (given, i)));
  for (i = 0; i < ferry_json_array_length (added); i++)
    json_object_array_add (env, json_object_get (json_object_array_get_idx (added, i)));
  return env;
}

static json_object *
config_json (const struct ferry_container *c, json_object *omitted)
{
  json_object *r = c->record, *o = json_object_new_object (), *labels;
  int stdin_open = json_object_get_boolean (json_object_object_get (r, "OpenStdin"));
  size_t i;

  json_object_object_add (o, "Hostname", member_or (r, "Hostname", json_object_new_string ("")));
  json_object_object_add (o, "Domainname", json_object_new_string (""));
  json_object_object_add (o, "User", member_or (r, "User", json_object_new_string ("")));
  json_object_object_add (o, "AttachStdin", json_object_new_boolean (stdin_open));
  json_object_object_add (o, "AttachStdout", json_object_new_boolean (0));
  json_object_object_add (o, "AttachStderr", json_object_new_boolean (0));
  json_object_object_add (o, "Tty", member_or (r, "Tty", json_object_new_boolean (0)));
  json_object_object_add (o, "OpenStdin", json_object_new_boolean (stdin_open));
  json_object_object_add (o, "StdinOnce", json_object_new_boolean (0));
  json_object_object_add (o, "Env", config_env (r));
  /* As Podman's: null when there is none (an --entrypoint without
   * a command).  */
  json_object_object_add (
      o, "Cmd",
      ferry_json_array_length (ferry_json_get_array (r, "Cmd")) ? member_or (r, "Cmd", NULL) : NULL);
  json_object_object_add (o, "Image", member_or (r, "ImageName", json_object_new_string ("")));
  /* As Podman 5's: null, the volumes (the image's too) are in Mounts.  */
  json_object_object_add (o, "Volumes", NULL);
  json_object_object_add (o, "WorkingDir", member_or (r, "WorkingDir", json_object_new_string ("/")));
  json_object_object_add (o, "Entrypoint",
                          ferry_json_array_length (ferry_json_get_array (r, "Entrypoint"))
                              ? member_or (r, "Entrypoint", NULL)
                              : NULL);
  /* A container has no ONBUILD triggers (an image's, for a build).  */
  json_object_object_add (o, "OnBuild", NULL);
  /* As Podman's: null when there are none (a nil map).  */
  labels = ferry_json_get_object (r, "Labels");
  json_object_object_add (
      o, "Labels", labels && json_object_object_length (labels) ? ferry_json_sorted_object (labels) : NULL);
  json_object_object_add (o, "Annotations", annotations_json (c));
  json_object_object_add (o, "StopSignal", stop_signal_json (c));
  /* As Podman's: the check when there is one (Test NONE too), the rest
   * always.  */
  if (json_object_object_get (r, "StartupHealthCheck"))
    json_object_object_add (o, "StartupHealthCheck", member_or (r, "StartupHealthCheck", NULL));
  if (json_object_object_get (r, "Healthcheck"))
    json_object_object_add (o, "Healthcheck", member_or (r, "Healthcheck", NULL));
  json_object_object_add (o, "HealthcheckOnFailureAction",
                          member_or (r, "HealthcheckOnFailureAction", json_object_new_string ("none")));
  json_object_object_add (o, "HealthLogDestination",
                          member_or (r, "HealthLogDestination", json_object_new_string ("local")));
  /* Podman leaves a limit of 0 (none) out.  */
  {
    static const struct
    {
      const char *key;
      int def;
    } limits[] = { { "HealthcheckMaxLogCount", FERRY_HEALTH_DEFAULT_MAX_LOG_COUNT },
                   { "HealthcheckMaxLogSize", FERRY_HEALTH_DEFAULT_MAX_LOG_SIZE } };

    for (size_t k = 0; k < 2; k++)
      if (ferry_json_get_int (r, limits[k].key, limits[k].def) != 0)
        json_object_object_add (o, limits[k].key,
                                member_or (r, limits[k].key, json_object_new_int (limits[k].def)));
  }
  /* As Podman's: present when the container has secrets.  */
  if (ferry_json_array_length (ferry_json_get_array (r, "Secrets")))
    {
      json_object *list = ferry_json_get_array (r, "Secrets"), *shown = json_object_new_array ();

      for (size_t k = 0; k < json_object_array_length (list); k++)
        {
          json_object *entry = json_object_array_get_idx (list, k), *one = json_object_new_object ();

          json_object_object_add (one, "Name", member_or (entry, "Name", json_object_new_string ("")));
          json_object_object_add (one, "ID", member_or (entry, "ID", json_object_new_string ("")));
          json_object_object_add (one, "UID", member_or (entry, "UID", json_object_new_int (0)));
          json_object_object_add (one, "GID", member_or (entry, "GID", json_object_new_int (0)));
          json_object_object_add (one, "Mode", member_or (entry, "Mode", json_object_new_int (0444)));
          json_object_array_add (shown, one);
        }
      json_object_object_add (o, "Secrets", shown);
    }
  if (ferry_json_get_string (r, "Timezone"))
    json_object_object_add (o, "Timezone", member_or (r, "Timezone", NULL));
  json_object_object_add (o, "Timeout", member_or (r, "Timeout", json_object_new_int (0)));
  json_object_object_add (o, "StopTimeout", member_or (r, "StopTimeout", json_object_new_int (10)));
  /* As Podman's: the command line that created it, when known.  */
  if (json_object_object_get (r, "CreateCommand"))
    json_object_object_add (o, "CreateCommand", member_or (r, "CreateCommand", NULL));
  {
    int systemd = json_object_get_boolean (json_object_object_get (r, "SystemdMode"));
    add_omitempty (o, "SystemdMode", json_object_new_boolean (systemd), systemd, omitted,
                   json_object_new_boolean (0));
  }
  json_object_object_add (o, "Umask", member_or (r, "Umask", json_object_new_string ("0022")));
  {
    /* As Podman's: there when it has ports, exposed or published, an
     * empty map for a template.  */
    json_object *expose = ferry_json_get_array (r, "Expose"), *shown = json_object_new_object ();
    json_object *ports = ferry_network_ports_json (r);
    for (i = 0; i < ferry_json_array_length (expose); i++)
      json_object_object_add (shown, json_object_get_string (json_object_array_get_idx (expose, i)),
                              json_object_new_object ());
    json_object_object_foreach (ports, key, val)
    {
      (void) val;
      if (! json_object_object_get_ex (shown, key, NULL))
        json_object_object_add (shown, key, json_object_new_object ());
    }
    json_object_put (ports);
    /* Go writes the map's keys sorted.  */
    {
      json_object *sorted = ferry_json_sorted_object (shown);
      json_object_put (shown);
      shown = sorted;
    }
    add_omitempty (o, "ExposedPorts", shown, json_object_object_length (shown) > 0, omitted,
                   json_object_new_object ());
  }
  /* Whether ferry adds the user to the container's /etc/passwd.  */
  json_object_object_add (o, "Passwd", member_or (r, "Passwd", json_object_new_boolean (1)));
  json_object_object_add (o, "sdNotifyMode",
                          member_or (r, "SdNotifyMode", json_object_new_string ("container")));
  return in_order (o, config_order);
}

/* HostConfig.LogConfig as Podman shows it: the path only of a k8s-file
 * log or one given, the size only when given.  */
static json_object *
log_config_json (ferry_engine_t *e, const struct ferry_container *c, const char *log)
{
  json_object *lc = json_object_new_object ();
  const char *path = ferry_json_get_string (c->record, "LogPath");
  cleanup_free char *size = ferry_log_size_text (ferry_json_get_int (c->record, "LogSize", 0));
  cleanup_free char *cdir = NULL, *tty_log = NULL;

  json_object_object_add (lc, "Type",
                          member_or (c->record, "LogDriver", json_object_new_string ("k8s-file")));
  json_object_object_add (lc, "Config", NULL);
  /* passthrough-tty shows the ctr.log it never writes, as Podman 5.4.  */
  if (log == NULL && ferry_json_string_equals (c->record, "LogDriver", "passthrough-tty"))
    {
      cdir = ferry_engine_container_dir (e, c->id);
      log = tty_log = xasprintf ("%s/ctr.log", cdir);
    }
  json_object_object_add (lc, "Path", json_object_new_string (path ? path : log ? log : ""));
  json_object_object_add (lc, "Tag", member_or (c->record, "LogTag", json_object_new_string ("")));
  json_object_object_add (lc, "Size", json_object_new_string (size));
  return lc;
}

/* BoundingCaps and EffectiveCaps: the set ferry gives the process, in
 * the order Podman lists them.  */
static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static json_object *
capabilities_json (const struct ferry_container *c)
{
  cleanup_strv char **caps = ferry_container_capabilities (c);
  json_object *list = json_object_new_array ();
  size_t n = 0;

  while (caps[n])
    n++;
  qsort (caps, n, sizeof (char *), compare_names);
  for (size_t i = 0; i < n; i++)
    json_object_array_add (list, json_object_new_string (caps[i]));
  return list;
}

/* GraphDriver as Podman's overlay shows it, with ferry's directories:
 * the image's layers (top first) below, the container's upper and work
 * directories, and the mount point while mounted.  */
static json_object *
graph_driver_json (ferry_engine_t *e, const struct ferry_container *c)
{
  json_object *gd = json_object_new_object (), *data = json_object_new_object ();
  cleanup_free char *odir = ferry_engine_overlay_dir (e, c->id);
  cleanup_free char *upper = xasprintf ("%s/upper", odir), *work = xasprintf ("%s/work", odir);
  cleanup_free char *merged = ferry_container_mountpoint (e, c);
  cleanup_error ferry_error_t ignored = NULL;
  struct ferry_image *img = NULL;

  if (ferry_container_rootfs (c->record) == NULL && c->image_id && *c->image_id
      && ferry_store_lookup (e->store, c->image_id, &img, &ignored) == 0 && img)
    {
      cleanup_strv char **lowers = ferry_store_image_layer_paths (e->store, img);
      cleanup_free char *joined = xstrdup ("");

      for (size_t i = 0; lowers && lowers[i]; i++)
        {
          char *next = xasprintf ("%s%s%s", joined, i ? ":" : "", lowers[i]);
          free (joined);
          joined = next;
        }
      if (*joined)
        json_object_object_add (data, "LowerDir", json_object_new_string (joined));
      ferry_image_free (img);
    }
  if (merged)
    json_object_object_add (data, "MergedDir", json_object_new_string (merged));
  json_object_object_add (data, "UpperDir", json_object_new_string (upper));
  if (ferry_path_exists (work))
    json_object_object_add (data, "WorkDir", json_object_new_string (work));
  json_object_object_add (gd, "Name", json_object_new_string ("overlay"));
  json_object_object_add (gd, "Data", data);
  return gd;
}

/* NetworkSettings as Podman's: the members ferry has no use for empty,
 * the mode's entry for a container on no network of ferry's, and the
 * network namespace while there is one.  */
static json_object *
network_settings_json (ferry_engine_t *e, const struct ferry_container *c, json_object *omitted)
{
  static const char *const order[] = { "EndpointID",
                                       "Gateway",
                                       "IPAddress",
                                       "IPPrefixLen",
                                       "IPv6Gateway",
                                       "GlobalIPv6Address",
                                       "GlobalIPv6PrefixLen",
                                       "MacAddress",
                                       "Bridge",
                                       "SandboxID",
                                       "HairpinMode",
                                       "LinkLocalIPv6Address",
                                       "LinkLocalIPv6PrefixLen",
                                       "Ports",
                                       "SandboxKey",
                                       "Networks",
                                       NULL };
  static const char *const entry_order[] = { "EndpointID",
                                             "Gateway",
                                             "IPAddress",
                                             "IPPrefixLen",
                                             "IPv6Gateway",
                                             "GlobalIPv6Address",
                                             "GlobalIPv6PrefixLen",
                                             "MacAddress",
                                             "NetworkID",
                                             "DriverOpts",
                                             "IPAMConfig",
                                             "Links",
                                             "Aliases",
                                             NULL };
  json_object *o = ferry_network_settings_json (e, c->record);
  json_object *nets = json_object_object_get (o, "Networks"), *fixed = json_object_new_object ();
  const char *mode = ferry_json_get_string (c->record, "Network");
  int bridged = ferry_network_record_bridge_mode (c->record), running = ferry_container_has_monitor (c);
  cleanup_free char *netns = ferry_engine_netns_path (e, c->id), *key = NULL;
  int no_network = bridged && ! ferry_network_record_bridged (c->record);

  json_object_object_add (o, "EndpointID", json_object_new_string (""));
  json_object_object_add (o, "Bridge", json_object_new_string (""));
  json_object_object_add (o, "SandboxID", json_object_new_string (""));
  json_object_object_add (o, "HairpinMode", json_object_new_boolean (0));
  json_object_object_add (o, "LinkLocalIPv6Address", json_object_new_string (""));
  json_object_object_add (o, "LinkLocalIPv6PrefixLen", json_object_new_int (0));
  if (bridged && ferry_path_exists (netns))
    key = xstrdup (netns);
  else if (! bridged && running && c->pid > 0 && mode
           && (strcmp (mode, "none") == 0 || strcmp (mode, "private") == 0))
    key = xasprintf ("/proc/%d/ns/net", (int) c->pid);
  json_object_object_add (o, "SandboxKey", json_object_new_string (key ? key : ""));
  if ((! bridged && mode && (strcmp (mode, "none") == 0 || strcmp (mode, "host") == 0))
      || (no_network && ! running))
    {
      static const char *const empty[]
          = { "Gateway", "IPAddress", "IPv6Gateway", "GlobalIPv6Address", "MacAddress", NULL };
      json_object *n = json_object_new_object ();

      for (size_t i = 0; empty[i]; i++)
        json_object_object_add (n, empty[i], json_object_new_string (""));
      json_object_object_add (n, "IPPrefixLen", json_object_new_int (0));
      json_object_object_add (n, "GlobalIPv6PrefixLen", json_object_new_int (0));
      json_object_object_add (n, "NetworkID", json_object_new_string (mode));
      json_object_object_add (nets, mode, n);
    }
  /* As Podman's: the addresses are the running network's, none while the
   * container does not run (what it asked for is in its HostConfig).  */
  if (! running)
    {
      static const char *const addresses[]
          = { "Gateway", "IPAddress", "IPv6Gateway", "GlobalIPv6Address", "MacAddress", NULL };
      static const char *const lengths[] = { "IPPrefixLen", "GlobalIPv6PrefixLen", NULL };

      for (size_t i = 0; addresses[i]; i++)
        json_object_object_add (o, addresses[i], json_object_new_string (""));
      for (size_t i = 0; lengths[i]; i++)
        json_object_object_add (o, lengths[i], json_object_new_int (0));
      json_object_object_foreach (nets, name, entry)
      {
        (void) name;
        for (size_t i = 0; addresses[i]; i++)
          json_object_object_add (entry, addresses[i], json_object_new_string (""));
        for (size_t i = 0; lengths[i]; i++)
          json_object_object_add (entry, lengths[i], json_object_new_int (0));
      }
    }
  json_object_object_foreach (nets, name, entry)
  {
    json_object_object_add (entry, "EndpointID", json_object_new_string (""));
    json_object_object_add (entry, "DriverOpts", NULL);
    json_object_object_add (entry, "IPAMConfig", NULL);
    json_object_object_add (entry, "Links", NULL);
    json_object_object_add (fixed, name, in_order (json_object_get (entry), entry_order));
  }
  /* A bridge container left on no network, as Podman shows it: the
   * mode's entry while it does not run, no Networks at all while it
   * does.  */
  json_object_object_del (o, "Networks");
  /* In the order of their names, as Go marshals Podman's map.  */
  {
    json_object *sorted = ferry_json_sorted_object (fixed);

    json_object_put (fixed);
    fixed = sorted;
  }
  add_omitempty (o, "Networks", fixed, ! (no_network && running), omitted, NULL);
  return in_order (o, order);
}

/* PATH when the file is there, else "": ferry makes it at the first
 * start, as Podman does.  */
static json_object *
made_file (const char *path, int disabled)
{
  return json_object_new_string (! disabled && ferry_path_exists (path) ? path : "");
}

/* HostConfig.Ulimits as Podman shows them: the container's own until it
 * first starts, then what its spec holds (with the defaults for nofile
 * and nproc it did not give).  */
static json_object *
inspect_ulimits (const struct ferry_container *c)
{
  size_t n, i;
  cleanup_free struct ferry_spec_rlimit *own = ferry_container_record_rlimits (c->record, &n);
  cleanup_free struct ferry_spec_rlimit *all = xmalloc (sizeof (*all) * (n + 2));
  json_object *list;

  if (*c->started_at == '\0')
    return member_or (c->record, "Ulimits", json_object_new_array ());
  list = json_object_new_array ();
  n = ferry_spec_effective_rlimits (own, n, all);
  for (i = 0; i < n; i++)
    {
      json_object *o = json_object_new_object ();

      json_object_object_add (o, "Name", json_object_new_string (all[i].type));
      json_object_object_add (o, "Soft", json_object_new_int64 (all[i].soft));
      json_object_object_add (o, "Hard", json_object_new_int64 (all[i].hard));
      json_object_array_add (list, o);
    }
  return list;
}
static json_object *
host_config_json (ferry_engine_t *e, const struct ferry_container *c, const char *log, json_object *omitted)
{
  json_object *host = json_object_new_object (), *r = c->record;
  int init = json_object_get_boolean (json_object_object_get (r, "Init"));
  int64_t pids = ferry_json_get_int (r, "PidsLimit", FERRY_DEFAULT_PIDS_LIMIT);
  json_object *sysctls = ferry_json_get_object (r, "Sysctls"),
              *ro_tmpfs = json_object_object_get (r, "ReadOnlyTmpfs");

  json_object_object_add (host, "Binds", binds_json (c));
  /* ferry manages cgroups itself, through cgroupfs.  */
  json_object_object_add (host, "CgroupManager", json_object_new_string ("cgroupfs"));
  json_object_object_add (host, "CgroupMode", member_or (r, "CgroupNs", json_object_new_string ("private")));
  json_object_object_add (host, "ContainerIDFile",
                          member_or (r, "ContainerIDFile", json_object_new_string ("")));
  json_object_object_add (host, "LogConfig", log_config_json (e, c, log));
  json_object_object_add (host, "NetworkMode", member_or (r, "Network", json_object_new_string ("none")));
  json_object_object_add (host, "PortBindings", ferry_network_ports_json (r));
  {
    json_object *policy = json_object_new_object ();
    json_object_object_add (policy, "Name", member_or (r, "RestartPolicy", json_object_new_string ("no")));
    json_object_object_add (policy, "MaximumRetryCount",
                            member_or (r, "RestartRetries", json_object_new_int (0)));
    json_object_object_add (host, "RestartPolicy", policy);
  }
  json_object_object_add (host, "AutoRemove", member_or (r, "AutoRemove", json_object_new_boolean (0)));
  json_object_object_add (
      host, "AutoRemoveImage",
      json_object_new_boolean (json_object_get_boolean (json_object_object_get (r, "RemoveImage"))));
  json_object_object_add (host, "Annotations", annotations_json (c));
  /* Named volumes are ferry's own, with no volume plugins.  */
  json_object_object_add (host, "VolumeDriver", json_object_new_string (""));
  json_object_object_add (host, "VolumesFrom", member_or (r, "VolumesFrom", NULL));
  json_object_object_add (host, "CapAdd", member_or (r, "CapAdd", json_object_new_array ()));
  json_object_object_add (host, "CapDrop", member_or (r, "CapDrop", json_object_new_array ()));
  json_object_object_add (host, "Dns", member_or (r, "Dns", json_object_new_array ()));
  json_object_object_add (host, "DnsOptions", member_or (r, "DnsOptions", json_object_new_array ()));
  json_object_object_add (host, "DnsSearch", member_or (r, "DnsSearch", json_object_new_array ()));
  json_object_object_add (host, "ExtraHosts", member_or (r, "ExtraHosts", json_object_new_array ()));
  json_object_object_add (host, "HostsFile", member_or (r, "HostsFile", json_object_new_string ("")));
  json_object_object_add (host, "GroupAdd", member_or (r, "GroupAdd", json_object_new_array ()));
  json_object_object_add (host, "IpcMode", json_object_new_string (ferry_ns_mode_shown (c, FERRY_NS_IPC)));
  /* Docker's --cgroup, which neither Podman nor ferry takes.  */
  json_object_object_add (host, "Cgroup", json_object_new_string (""));
  /* Docker's --link, which neither Podman nor ferry takes.  */
  json_object_object_add (host, "Links", NULL);
  json_object_object_add (host, "OomScoreAdj", member_or (r, "OomScoreAdj", json_object_new_int (0)));
  json_object_object_add (host, "PidMode", json_object_new_string (ferry_ns_mode_shown (c, FERRY_NS_PID)));
  json_object_object_add (host, "Privileged", member_or (r, "Privileged", json_object_new_boolean (0)));
  json_object_object_add (
      host, "PublishAllPorts",
      json_object_new_boolean (json_object_get_boolean (json_object_object_get (r, "PublishAllPorts"))));
  json_object_object_add (host, "ReadonlyRootfs", member_or (r, "ReadOnly", json_object_new_boolean (0)));
  json_object_object_add (host, "SecurityOpt", security_opt_json (c));
  json_object_object_add (host, "Tmpfs", tmpfs_json (c));
  json_object_object_add (host, "UTSMode", json_object_new_string (ferry_ns_mode_shown (c, FERRY_NS_UTS)));
  ferry_userns_inspect (c, host);
  /* --rdt-class, which Podman shows only when given.  */
  if (ferry_json_get_string (r, "IntelRdtClosID"))
    json_object_object_add (host, "IntelRdtClosID", member_or (r, "IntelRdtClosID", NULL));
  json_object_object_add (host, "ShmSize", member_or (r, "ShmSize", json_object_new_int64 (0)));
  /* The kind of runtime: an OCI one, whichever.  */
  json_object_object_add (host, "Runtime", json_object_new_string ("oci"));
  {
    /* ferry never sets the console's size: 0x0, as Podman shows it then.  */
    json_object *size = json_object_new_array ();
    json_object_array_add (size, json_object_new_int (0));
    json_object_array_add (size, json_object_new_int (0));
    json_object_object_add (host, "ConsoleSize", size);
  }
  /* Windows' isolation technology.  */
  json_object_object_add (host, "Isolation", json_object_new_string (""));
  json_object_object_add (host, "Memory", member_or (r, "Memory", json_object_new_int64 (0)));
  json_object_object_add (host, "NanoCpus", member_or (r, "NanoCpus", json_object_new_int64 (0)));
  /* As Podman's: a privileged container has all, listed as none.  */
  json_object_object_add (host, "Devices",
                          json_object_get_boolean (json_object_object_get (r, "Privileged"))
                              ? json_object_new_array ()
                              : member_or (r, "Devices", json_object_new_array ()));
  add_omitempty (host, "Init", json_object_new_boolean (init), init, omitted, json_object_new_boolean (0));
  json_object_object_add (host, "PidsLimit", json_object_new_int64 (pids > 0 ? pids : 0));
  json_object_object_add (host, "Ulimits", inspect_ulimits (c));
  ferry_resources_inspect (r, host);
  /* ferry's own, which Podman does not show: the --sysctl settings and
   * --read-only-tmpfs, each when it was given.  */
  add_omitempty (host, "Sysctls", json_object_get (sysctls),
                 sysctls && json_object_object_length (sysctls) > 0, omitted, json_object_new_object ());
  add_omitempty (host, "ReadOnlyTmpfs", member_or (r, "ReadOnlyTmpfs", json_object_new_boolean (1)),
                 ro_tmpfs != NULL, omitted, json_object_new_boolean (1));
  return in_order (host, host_config_order);
}

json_object *
ferry_container_inspect_json (ferry_engine_t *e, const struct ferry_container *c, json_object *omitted)
{
  json_object *om_state = NULL, *om_config = NULL, *om_host = NULL;
  json_object *o = json_object_new_object ();
  json_object *args = ferry_json_get_array (c->record, "Args");
  json_object *rest = json_object_new_array ();
  cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, c->id);
  cleanup_free char *oci_config = xasprintf ("%s/config.json", bundle);
  cleanup_free char *last_spec = xasprintf ("%s/" FERRY_CONTAINER_LAST_SPEC, cdir);
  cleanup_free char *hosts = xasprintf ("%s/hosts", cdir), *resolv = xasprintf ("%s/resolv.conf", cdir);
  cleanup_free char *hostname = xasprintf ("%s/hostname", cdir), *log = ferry_container_log_path (e, c);
  cleanup_free char *conmon_pidfile = xasprintf ("%s/conmon.pid", bundle),
                    *pidfile = xasprintf ("%s/pidfile", bundle);
  int init = json_object_get_boolean (json_object_object_get (c->record, "Init"));
  const char *rootfs = ferry_container_rootfs (c->record);
  size_t i;

  /* With --init, catatonit runs the command, as Podman shows it.  */
  if (init)
    json_object_array_add (rest, json_object_new_string ("--"));
  /* As Podman's: the arguments after the first, or the whole command
   * when it is one word.  */
  for (i = init || ferry_json_array_length (args) == 1 ? 0 : 1; i < ferry_json_array_length (args); i++)
    json_object_array_add (rest, json_object_get (json_object_array_get_idx (args, i)));
  json_object_object_add (o, "Id", json_object_new_string (c->id));
  json_object_object_add (o, "Created", json_object_new_string (c->created));
  json_object_object_add (
      o, "Path",
      json_object_new_string (init ? FERRY_INIT_DESTINATION
                              : args && json_object_array_length (args)
                                  ? json_object_get_string (json_object_array_get_idx (args, 0))
                                  : ""));
  json_object_object_add (o, "Args", rest);
  if (omitted)
    {
      om_state = json_object_new_object ();
      om_config = json_object_new_object ();
      om_host = json_object_new_object ();
      json_object_object_add (omitted, "State", om_state);
      json_object_object_add (omitted, "Config", om_config);
      json_object_object_add (omitted, "HostConfig", om_host);
    }
  json_object_object_add (o, "State", state_json (e, c, om_state));
  json_object_object_add (o, "Image", json_object_new_string (c->image_id));
  json_object_object_add (o, "ImageDigest",
                          member_or (c->record, "ImageDigest", json_object_new_string ("")));
  json_object_object_add (o, "ImageName", member_or (c->record, "ImageName", json_object_new_string ("")));
  json_object_object_add (o, "Rootfs", json_object_new_string (rootfs ? rootfs : ""));
  json_object_object_add (o, "Pod", json_object_new_string (""));
  /* As Podman's: empty when ferry binds none (--dns none, --no-hosts)
   * or has not made it yet.  */
  json_object_object_add (
      o, "ResolvConfPath",
      made_file (resolv, json_object_get_boolean (json_object_object_get (c->record, "UseImageResolvConf"))));
  json_object_object_add (
      o, "HostnamePath",
      made_file (hostname, json_object_get_boolean (json_object_object_get (c->record, "NoHostname"))));
  json_object_object_add (
      o, "HostsPath",
      made_file (hosts, json_object_get_boolean (json_object_object_get (c->record, "UseImageHosts"))));
  json_object_object_add (o, "StaticDir", json_object_new_string (cdir));
  /* The runtime's config.json, while the container has one, else the
   * one its last run kept, as Podman's.  */
  if (! ferry_path_exists (oci_config) && ferry_path_exists (last_spec))
    {
      free (oci_config);
      oci_config = xstrdup (last_spec);
    }
  add_omitempty (o, "OCIConfigPath", json_object_new_string (oci_config), ferry_path_exists (oci_config),
                 omitted, json_object_new_string (""));
  json_object_object_add (o, "OCIRuntime", json_object_new_string (ferry_engine_runtime_recorded (e, c)));
  json_object_object_add (o, "ConmonPidFile",
                          member_or (c->record, "ConmonPidFile", json_object_new_string (conmon_pidfile)));
  json_object_object_add (o, "PidFile", member_or (c->record, "PidFile", json_object_new_string (pidfile)));
  json_object_object_add (o, "Name", json_object_new_string (c->name));
  json_object_object_add (o, "RestartCount", member_or (c->record, "RestartCount", json_object_new_int (0)));
  json_object_object_add (o, "Driver", json_object_new_string ("overlay"));
  /* ferry applies no SELinux labels and no AppArmor profile.  */
  json_object_object_add (o, "MountLabel", json_object_new_string (""));
  json_object_object_add (o, "ProcessLabel", json_object_new_string (""));
  json_object_object_add (o, "AppArmorProfile", json_object_new_string (""));
  json_object_object_add (o, "EffectiveCaps", capabilities_json (c));
  json_object_object_add (o, "BoundingCaps", capabilities_json (c));
  {
    /* The exec sessions that run, or ended since the container started,
     * as Podman lists them.  */
    size_t n = 0;
    cleanup_strv char **ids = ferry_exec_session_list (e, c->id, &n);
    json_object *list = json_object_new_array ();

    for (size_t k = 0; k < n; k++)
      json_object_array_add (list, json_object_new_string (ids[k]));
    json_object_object_add (o, "ExecIDs", list);
  }
  json_object_object_add (o, "GraphDriver", graph_driver_json (e, c));
  json_object_object_add (o, "Mounts", mounts_json (e, c));
  /* As Podman's: the IDs of --requires' containers, [] when none.  */
  json_object_object_add (o, "Dependencies", member_or (c->record, "Requires", json_object_new_array ()));
  {
    json_object *om_net = NULL;

    if (omitted)
      {
        om_net = json_object_new_object ();
        json_object_object_add (omitted, "NetworkSettings", om_net);
      }
    json_object_object_add (o, "NetworkSettings", network_settings_json (e, c, om_net));
  }
  /* ferry has no libpod namespaces, pods (infra containers), kube
   * services, and no lock table (a container's lock is a file named by
   * its ID): Podman's lockNumber has no counterpart.  */
  json_object_object_add (o, "Namespace", json_object_new_string (""));
  json_object_object_add (o, "IsInfra", json_object_new_boolean (0));
  json_object_object_add (o, "IsService", json_object_new_boolean (0));
  json_object_object_add (o, "KubeExitCodePropagation", json_object_new_string ("invalid"));
  json_object_object_add (o, "Config", config_json (c, om_config));
  json_object_object_add (o, "HostConfig", host_config_json (e, c, log, om_host));
  json_object_object_add (o, "UseImageHosts",
                          json_object_new_boolean (
                              json_object_get_boolean (json_object_object_get (c->record, "UseImageHosts"))));
  json_object_object_add (
      o, "UseImageHostname",
      json_object_new_boolean (json_object_get_boolean (json_object_object_get (c->record, "NoHostname"))));
  return o;
}
