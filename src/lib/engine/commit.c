#include "commit.h"
#include "container.h"
#include "copy.h"
#include "../image/change.h"
#include "../image/commit.h"
#include "../storage/rootfs_diff.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
ferry_commit_change_check (const char *change, ferry_error_t *err)
{
  if (ferry_image_change_apply (NULL, change, err) < 0)
    return ferry_error_wrap (err, "processing change \"%s\"", change);
  return 0;
}

/* ---- --config ------------------------------------------------------------ */

/* V as a list of strings: Go's strslice takes one string for a list of
 * it.  NULL when it is neither.  */
static json_object *
string_list (json_object *v)
{
  if (json_object_is_type (v, json_type_string))
    {
      json_object *a = json_object_new_array ();
      json_object_array_add (a, json_object_get (v));
      return a;
    }
  if (! json_object_is_type (v, json_type_array))
    return NULL;
  for (size_t i = 0; i < json_object_array_length (v); i++)
    if (! json_object_is_type (json_object_array_get_idx (v, i), json_type_string))
      return NULL;
  return json_object_get (v);
}

static int
is_string_map (json_object *v)
{
  if (! json_object_is_type (v, json_type_object))
    return 0;
  json_object_object_foreach (v, key, value)
  {
    (void) key;
    if (! json_object_is_type (value, json_type_string))
      return 0;
  }
  return 1;
}

/* The fields of the file at PATH that a commit uses, checked: a new
 * object; NULL with the reason.  Other fields are ignored, as Go's JSON
 * ignores them.  */
static json_object *
override_config (const char *path, ferry_error_t *err)
{
  static const char *const lists[] = { "Cmd", "Entrypoint", "Env" };
  static const char *const strings[] = { "User", "WorkingDir", "StopSignal" };
  static const char *const sets[] = { "ExposedPorts", "Volumes" };
  cleanup_free char *what = xasprintf ("the --config file `%s`", path);
  cleanup_json json_object *file = ferry_json_parse_file (path, what, err);
  cleanup_json json_object *out = NULL;
  json_object *v;
  size_t i;

  if (file == NULL)
    return NULL;
  if (! json_object_is_type (file, json_type_object))
    {
      ferry_make_error (err, 0, "invalid --config `%s`: it holds no JSON object (a container configuration)",
                        path);
      return NULL;
    }
  out = json_object_new_object ();
  for (i = 0; i < 3; i++)
    if ((v = json_object_object_get (file, lists[i])) != NULL)
      {
        /* Env has no one-string form.  */
        json_object *a = i < 2 || json_object_is_type (v, json_type_array) ? string_list (v) : NULL;
        if (a == NULL)
          {
            ferry_make_error (err, 0, "invalid --config `%s`: %s is not a list of strings", path, lists[i]);
            return NULL;
          }
        json_object_object_add (out, lists[i], a);
      }
  for (i = 0; i < 3; i++)
    if ((v = json_object_object_get (file, strings[i])) != NULL)
      {
        if (! json_object_is_type (v, json_type_string))
          {
            ferry_make_error (err, 0, "invalid --config `%s`: %s is not a string", path, strings[i]);
            return NULL;
          }
        json_object_object_add (out, strings[i], json_object_get (v));
      }
  for (i = 0; i < 2; i++)
    if ((v = json_object_object_get (file, sets[i])) != NULL)
      {
        if (! json_object_is_type (v, json_type_object))
          {
            ferry_make_error (err, 0, "invalid --config `%s`: %s is not an object", path, sets[i]);
            return NULL;
          }
        json_object_object_add (out, sets[i], json_object_get (v));
      }
  if ((v = json_object_object_get (file, "Labels")) != NULL)
    {
      if (! is_string_map (v))
        {
          ferry_make_error (err, 0, "invalid --config `%s`: Labels is not an object of strings", path);
          return NULL;
        }
      json_object_object_add (out, "Labels", json_object_get (v));
    }
  return steal_pointer (&out);
}

static size_t
env_key_length (const char *kv)
{
  const char *eq = strchr (kv, '=');

  return eq ? (size_t) (eq - kv) : strlen (kv);
}

/* Buildah's merge of environments: OVER's variables replace BASE's of
 * the same name where they stand, the others follow; a name without a
 * value takes ferry's own (else none).  */
static void
merge_env (json_object *conf, json_object *over)
{
  json_object *base = ferry_json_get_array (conf, "Env");
  json_object *out = json_object_new_array ();
  json_object *lists[2] = { base, over };

  for (size_t l = 0; l < 2; l++)
    for (size_t i = 0; i < ferry_json_array_length (lists[l]); i++)
      {
        const char *kv = json_object_get_string (json_object_array_get_idx (lists[l], i));
        size_t klen = env_key_length (kv), j;
        char *full;

        if (kv[klen] == '=')
          full = xstrdup (kv);
        else
          {
            const char *own = getenv (kv);
            full = xasprintf ("%s=%s", kv, own ? own : "");
          }
        for (j = 0; j < json_object_array_length (out); j++)
          {
            const char *have = json_object_get_string (json_object_array_get_idx (out, j));
            if (env_key_length (have) == klen && strncmp (have, full, klen) == 0)
              break;
          }
        if (j < json_object_array_length (out))
          json_object_array_put_idx (out, j, json_object_new_string (full));
        else
          json_object_array_add (out, json_object_new_string (full));
        free (full);
      }
  json_object_object_add (conf, "Env", out);
}

/* The keys of OVER's object KEY join CONF's.  */
static void
merge_set (json_object *conf, json_object *over, const char *key)
{
  json_object *from = ferry_json_get_object (over, key), *to;

  if (from == NULL || json_object_object_length (from) == 0)
    return;
  to = ferry_json_get_object (conf, key);
  if (to == NULL)
    {
      to = json_object_new_object ();
      json_object_object_add (conf, key, to);
    }
  json_object_object_foreach (from, k, v)
  {
    json_object_object_add (to, k, json_object_get (v));
  }
}

static void
take_string (json_object *conf, json_object *over, const char *key)
{
  const char *v = ferry_json_get_string (over, key);

  if (v && *v)
    json_object_object_add (conf, key, json_object_new_string (v));
}

/* OVER (a --config file's, with the --change instructions on it) into
 * the image's CONF, as Buildah's commit merges them.  */
static void
merge_override (json_object *conf, json_object *over)
{
  json_object *cmd = ferry_json_get_array (over, "Cmd"), *entry = ferry_json_get_array (over, "Entrypoint");
  const char *stop = ferry_json_get_string (over, "StopSignal");

  take_string (conf, over, "User");
  merge_set (conf, over, "ExposedPorts");
  if (ferry_json_array_length (ferry_json_get_array (over, "Env")) > 0)
    merge_env (conf, ferry_json_get_array (over, "Env"));
  /* The command and entry point go together: both of OVER's when it
   * has either.  */
  if (ferry_json_array_length (cmd) > 0 || ferry_json_array_length (entry) > 0)
    {
      const char *const keys[] = { "Entrypoint", "Cmd" };
      json_object *v[] = { entry, cmd };

      for (size_t i = 0; i < 2; i++)
        if (ferry_json_array_length (v[i]) > 0)
          json_object_object_add (conf, keys[i], json_object_get (v[i]));
        else
          json_object_object_del (conf, keys[i]);
    }
  merge_set (conf, over, "Volumes");
  take_string (conf, over, "WorkingDir");
  merge_set (conf, over, "Labels");
  /* Buildah takes the file's stop signal as it is, none included.  */
  if (stop && *stop)
    json_object_object_add (conf, "StopSignal", json_object_new_string (stop));
  else
    json_object_object_del (conf, "StopSignal");
}

/* ---- the image ------------------------------------------------------------ */

/* The destinations of C's anonymous volumes (of all its mounts, with
 * ALL) join CONF's Volumes, as Podman's commit (--include-volumes) adds
 * them.  */
static void
add_volumes (json_object *conf, const struct ferry_container *c, int all)
{
  json_object *mounts = ferry_json_get_array (c->record, "Mounts");

  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i), *anon, *volumes;
      const char *dest = ferry_json_get_string (m, "Destination");

      if (dest == NULL
          || ! (all || (json_object_object_get_ex (m, "Anonymous", &anon) && json_object_get_boolean (anon))))
        continue;
      volumes = ferry_json_get_object (conf, "Volumes");
      if (volumes == NULL)
        {
          volumes = json_object_new_object ();
          json_object_object_add (conf, "Volumes", volumes);
        }
      json_object_object_add (volumes, dest, json_object_new_object ());
    }
}

/* The base's config with the container's own settings: what a new
 * container of the image would start with.  */
static json_object *
container_config (const struct ferry_image *base, const struct ferry_container *c, int include_volumes)
{
  json_object *ic = ferry_json_get_object (base->config, "config");
  json_object *conf = NULL, *env = json_object_new_array (),
              *rec_env = ferry_json_get_array (c->record, "Env");
  const char *user = ferry_json_get_string (c->record, "User");
  const char *workdir = ferry_json_get_string (c->record, "WorkingDir");
  json_object *labels = ferry_json_get_object (c->record, "Labels");
  const char *const keys[] = { "Entrypoint", "Cmd" };
  size_t i;

  if (ic == NULL || json_object_deep_copy (ic, &conf, NULL) < 0)
    conf = json_object_new_object ();
  /* The hostname is the container's, not the image's.  */
  for (i = 0; rec_env && i < json_object_array_length (rec_env); i++)
    {
      json_object *v = json_object_array_get_idx (rec_env, i);
      if (strncmp (json_object_get_string (v), "HOSTNAME=", 9) != 0)
        json_object_array_add (env, json_object_get (v));
    }
  json_object_object_add (conf, "Env", env);
  for (i = 0; i < 2; i++)
    {
      json_object *a = ferry_json_get_array (c->record, keys[i]);
      if (a && json_object_array_length (a) > 0)
        json_object_object_add (conf, keys[i], json_object_get (a));
      else
        json_object_object_del (conf, keys[i]);
    }
  if (user && *user)
    json_object_object_add (conf, "User", json_object_new_string (user));
  else
    json_object_object_del (conf, "User");
  json_object_object_add (conf, "WorkingDir", json_object_new_string (workdir && *workdir ? workdir : "/"));
  if (labels && json_object_object_length (labels) > 0)
    json_object_object_add (conf, "Labels", json_object_get (labels));
  add_volumes (conf, c, include_volumes);
  return conf;
}

/* --squash: the container's whole root file system (as `export` writes
 * it, its mounts left out) into the new file LAYER, synced.  */
static int
write_squashed (ferry_engine_t *e, const struct ferry_container *c, const char *layer, ferry_error_t *err)
{
  cleanup_close int fd = open (layer, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot create `%s`", layer);
  if (ferry_container_export (e, c->id, fd, err) < 0)
    return -1;
  if (fsync (fd) < 0)
    return ferry_make_error (err, errno, "cannot write `%s`", layer);
  return 0;
}

/* Writes the container's changes (with SQUASH, its whole root file
 * system) as a layer tar in a new directory of the store's tmp dir (*DIR,
 * for the caller to remove).  */
static int
write_layer (ferry_engine_t *e, const struct ferry_container *c, int pause, int squash, char **dir,
             char **layer, ferry_error_t *err)
{
  struct ferry_changes changes = { 0 };
  cleanup_free char *odir = ferry_engine_overlay_dir (e, c->id);
  cleanup_free char *upper = xasprintf ("%s/upper", odir);
  int paused = 0, ret = -1;

  *dir = ferry_mkdtemp_in (ferry_store_tmp_dir (e->store), "commit-layer-", err);
  if (*dir == NULL)
    return -1;
  *layer = xasprintf ("%s/layer.tar", *dir);
  if (pause && c->status == FERRY_CONTAINER_RUNNING)
    {
      if (ferry_container_pause (e, c->id, err) < 0)
        return -1;
      paused = 1;
    }
  if (squash)
    ret = write_squashed (e, c, *layer, err);
  /* The whole upper layer, as Podman commits it: with the files the
   * engine mounts over (left empty there, or written by a container that
   * has none mounted, --no-hosts), which only `diff` leaves out.  */
  else if (ferry_container_changes (e, c->id, &changes, err) == 0)
    ret = ferry_rootfs_diff_layer (upper, &changes, *layer, err);
  ferry_changes_free (&changes);
  if (paused)
    {
      cleanup_error ferry_error_t unpause_err = NULL;
      if (ferry_container_unpause (e, c->id, &unpause_err) < 0 && ret == 0)
        {
          *err = steal_pointer (&unpause_err);
          ret = -1;
        }
    }
  return ret;
}

int
ferry_container_commit (ferry_engine_t *e, const char *ref, const struct ferry_commit_options *o, char **id,
                        ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  struct ferry_image *base = NULL;
  cleanup_free char *name = NULL, *dir = NULL, *layer = NULL, *created_by = NULL, *comment = NULL;
  cleanup_json json_object *conf = NULL;
  struct ferry_image_commit ic = { 0 };
  size_t i;
  int ret = -1;

  if (o->name && (name = ferry_image_commit_name (o->name, err)) == NULL)
    return -1;
  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return -1;
  /* After the container, in the words of Podman's, which reads the
   * changes as it copies the container's layer.  */
  for (i = 0; o->changes && o->changes[i]; i++)
    if (ferry_commit_change_check (o->changes[i], err) < 0)
      {
        ferry_error_wrap (err, "copying layers and metadata for container \"%s\": applying changes", c->id);
        goto out;
      }
  /* Podman's words: there is no image to put the changes on.  */
  if (ferry_container_rootfs (c->record))
    {
      ferry_make_error (err, 0, "cannot commit a container that uses an exploded rootfs");
      goto out;
    }
  if (ferry_store_lookup (e->store, c->image_id, &base, err) < 0)
    {
      ferry_error_wrap (err, "the image of container %s", c->name);
      goto out;
    }
  conf = container_config (base, c, o->include_volumes);
  if (o->config_file)
    {
      cleanup_json json_object *over = override_config (o->config_file, err);

      if (over == NULL || ferry_image_changes_apply (over, o->changes, NULL, err) < 0)
        goto out;
      merge_override (conf, over);
    }
  else if (ferry_image_changes_apply (conf, o->changes, NULL, err) < 0)
    goto out;
  if (write_layer (e, c, o->pause, o->squash, &dir, &layer, err) < 0)
    goto out;
  /* Podman's (buildah's) entry for a commit, whatever the command.  */
  created_by = xstrdup ("/bin/sh");
  comment = o->comment ? xstrdup (o->comment)
                       : xasprintf ("FROM %s", ferry_json_get_string (c->record, "ImageName") ?: base->id);
  ic.base = base;
  ic.layer = layer;
  ic.config = conf;
  ic.author = o->author;
  ic.created_by = created_by;
  ic.comment = comment;
  ic.name = name;
  ic.squash = o->squash;
  ret = ferry_image_commit (e->store, &ic, id, err);
  /* Podman's event: the container's, once its image is there.  */
  if (ret == 0)
    ferry_container_event (e, c, "commit");
out:
  if (dir)
    ferry_rm_rf_quietly (dir);
  ferry_image_free (base);
  ferry_container_free (c);
  return ret;
}
