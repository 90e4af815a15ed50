/* ferry: restore of a checkpointed container, in place or from an
 * exported archive.  */
#include "archive_record.h"
#include "checkpoint.h"
#include "internal.h"
#include "volume.h"
#include "../archive/archive.h"
#include "../archive/criu_stats.h"
#include "../image/reference.h"
#include "../runtime/runtime.h"
#include "../state/lock.h"
#include "../storage/dirtar.h"
#include "../storage/rootfs_diff.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- restore --------------------------------------------------------------- */

static int
archive_entry_allowed (const char *name)
{
  static const char *const fixed[] = { "spec.dump",       "config.dump",   "network.status",
                                       "rootfs-diff.tar", "deleted.files", "devshm-checkpoint.tar",
                                       "ctr.log",         "stats-dump",    "manifest.json",
                                       "checkpoint",      "volumes",       NULL };
  size_t i;

  for (i = 0; fixed[i]; i++)
    if (strcmp (name, fixed[i]) == 0)
      return 1;
  if (strncmp (name, "checkpoint/", 11) == 0)
    return 1;
  if (strncmp (name, "volumes/", 8) == 0)
    {
      const char *v = name + 8;
      size_t n = strlen (v);
      cleanup_free char *vol = NULL;
      if (n <= 4 || strcmp (v + n - 4, ".tar") != 0 || strchr (v, '/'))
        return 0;
      vol = xstrndup (v, n - 4);
      return ferry_volume_name_is_valid (vol);
    }
  return 0;
}

/* True when files in DIR can have holes punched in them, which CRIU's
 * --auto-dedup needs (it fails the restore otherwise).  */
static int
can_punch_holes (const char *dir)
{
  cleanup_free char *path = xasprintf ("%s/.punch-test", dir);
  cleanup_close int fd = open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  static const char page[4096];
  int ok;

  if (fd < 0)
    return 0;
  unlink (path);
  ok = ferry_write_all (fd, page, sizeof (page)) == 0
       && fallocate (fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, sizeof (page)) == 0;
  return ok;
}

static char **
restore_runtime_opts (const struct ferry_restore_request *r, const char *images)
{
  char **v = xmalloc0 (sizeof (char *) * 5);
  size_t n = 0;

  if (r->tcp_established)
    v[n++] = xstrdup ("--tcp-established");
  if (r->file_locks)
    v[n++] = xstrdup ("--file-locks");
  /* An import's images are a staging copy, gone after the restore: CRIU
   * may punch out each run of pages once it has read it, so the memory
   * the restored process takes is the memory those pages free, not as
   * much again (on this VM fresh pages cost a gigabyte's restore 0.5 to
   * 1.5 s more).  Images restored in place stay intact for a retry.  */
  if (r->import_path && can_punch_holes (images))
    v[n++] = xstrdup ("--auto-dedup");
  return v;
}

/* A CRIU configuration file for what runc has no flag for.  */
static char *
criu_config_for (const char *dir, const struct ferry_restore_request *r, ferry_error_t *err)
{
  cleanup_free char *path = NULL;

  if (! r->tcp_close)
    return NULL;
  path = xasprintf ("%s/criu-restore.conf", dir);
  if (ferry_write_file_atomic (path, "tcp-close\n", 10, 0600, err) < 0)
    return NULL;
  return steal_pointer (&path);
}

static int
launch_restored (ferry_engine_t *e, struct ferry_container *c, const char *images, const char *devshm,
                 const struct ferry_restore_request *r, struct ferry_cr_stats *stats, ferry_error_t *err)
{
  cleanup_strv char **opts = restore_runtime_opts (r, images);
  cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *criu_config = NULL;
  long long t1 = ferry_time_monotonic_us ();

  if (r->tcp_close)
    {
      criu_config = criu_config_for (cdir, r, err);
      if (criu_config == NULL)
        return -1;
      c->criu_config = criu_config;
    }
  if (ferry_container_launch (e, c, images, opts, devshm, NULL, err) < 0)
    {
      c->criu_config = NULL;
      return -1;
    }
  c->criu_config = NULL;
  stats->runtime_us = ferry_time_monotonic_us () - t1;
  c->status = FERRY_CONTAINER_RUNNING;
  c->exit_code = 0;
  free (c->restored_at);
  c->restored_at = ferry_time_now ();
  free (c->started_at);
  c->started_at = ferry_time_now ();
  free (c->finished_at);
  c->finished_at = xstrdup ("");
  return ferry_container_save_state (e, c, err);
}

/* CRIU's restore statistics, which runc leaves in the bundle (its work
 * path under conmon).  */
static void
restore_stats (ferry_engine_t *e, const struct ferry_container *c, struct ferry_cr_stats *stats)
{
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, c->id);
  cleanup_free char *path = xasprintf ("%s/stats-restore", bundle);
  cleanup_error ferry_error_t ignored = NULL;

  stats->criu = ferry_criu_stats_parse (path, &ignored);
}

static int
restore_in_place (ferry_engine_t *e, const char *ref, const struct ferry_restore_request *r, char **id,
                  struct ferry_cr_stats *stats, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  cleanup_free char *cdir = NULL, *images = NULL, *devshm = NULL, *inventory = NULL;
  int ret = -1;

  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  cdir = ferry_engine_container_dir (e, c->id);
  images = xasprintf ("%s/checkpoint", cdir);
  devshm = xasprintf ("%s/devshm-checkpoint.tar", cdir);
  inventory = xasprintf ("%s/inventory.img", images);
  if (ferry_container_is_active (c))
    {
      ferry_make_error_kind (err, FERRY_ERROR_STATE,
                             "container %s is %s: only a checkpointed container can be restored", ref,
                             ferry_container_status_name (c->status));
      goto out;
    }
  if (! ferry_path_exists (inventory))
    {
      ferry_make_error_kind (
          err, FERRY_ERROR_STATE,
          "container %s has no checkpoint to restore: checkpoint it first (ferry container "
          "checkpoint %s)",
          ref, ref);
      goto out;
    }
  if (launch_restored (e, c, images, devshm, r, stats, err) < 0)
    goto out;
  restore_stats (e, c, stats);
  if (! r->keep)
    {
      ferry_rm_rf_quietly (images);
      unlink (devshm);
    }
  *id = xstrdup (c->id);
  ret = 0;
out:
  ferry_container_free (c);
  return ret;
}

/* Fetches the image a checkpoint needs by the manifest digest recorded
 * when its container was created, so the target runs the very image the
 * source ran even if the tag has moved since.  *PULLED gets its ID.  */
static int
pull_image (ferry_engine_t *e, json_object *rec, const struct ferry_restore_request *r, char **pulled,
            ferry_error_t *err)
{
  const char *image_id = ferry_json_get_string (rec, "ImageID");
  const char *image_name = ferry_json_get_string (rec, "ImageName");
  const char *digest = ferry_json_get_string (rec, "ImageDigest");
  cleanup_free char *name = NULL, *ref = NULL, *id = NULL;
  struct ferry_reference parsed;
  struct ferry_image **before = NULL;
  size_t n_before = 0, i;

  if (image_id == NULL || r->pull == NULL || image_name == NULL || digest == NULL
      || ! ferry_digest_is_valid (digest)
      || ferry_reference_parse (image_name, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &parsed, err) < 0)
    {
      ferry_error_release (err);
      return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                    "the checkpoint needs image %s (ID %.12s), which is not on this host: "
                                    "load it first (ferry load -i FILE)",
                                    image_name ? image_name : "?", image_id ? image_id : "?");
    }
  name = ferry_reference_name (&parsed);
  ferry_reference_free (&parsed);
  ref = xasprintf ("%s@%s", name, digest);
  if (ferry_store_list (e->store, &before, &n_before, err) < 0)
    return -1;
  if (ferry_image_pull (e->store, ref, r->pull, &id, err) < 0)
    {
      ferry_images_free (before, n_before);
      return ferry_error_wrap (err, "the checkpoint needs image %s (ID %.12s), which is not on this host",
                               image_name, image_id);
    }
  /* Undoing the restore removes the image only if this pull brought it:
   * an archive whose digest and ID disagree must not cost the host an
   * image it had.  */
  for (i = 0; i < n_before && strcmp (before[i]->id, id) != 0; i++)
    ;
  if (i == n_before)
    *pulled = xstrdup (id);
  ferry_images_free (before, n_before);
  if (strcmp (id, image_id) != 0)
    return ferry_make_error (err, 0,
                             "the checkpoint needs image %s with ID %.12s, but %s is image %.12s: refusing "
                             "to restore onto another image",
                             image_name, image_id, ref, id);
  return 0;
}

/* The checks an imported container must pass before anything is created:
 * its name and ID are free, its image is here (or pulled), its bind
 * sources exist, and its volumes are (or, with --ignore-volumes, are not)
 * to be created.  */
static int
check_import (ferry_engine_t *e, json_object *rec, const struct ferry_restore_request *r, char **pulled,
              ferry_error_t *err)
{
  const char *name = ferry_json_get_string (rec, "Name");
  const char *id = ferry_json_get_string (rec, "Id");
  const char *image_id = ferry_json_get_string (rec, "ImageID");
  json_object *mounts = ferry_json_get_array (rec, "Mounts");
  struct ferry_image *img = NULL;
  size_t i;
  int taken;

  taken = ferry_container_taken (e, name, id);
  if (taken)
    {
      int same_id = taken == 2;
      return ferry_make_error_kind (
          err, FERRY_ERROR_EXISTS,
          "a container with the %s of the checkpointed one (%s) already exists on this "
          "host: remove it, or restore under a new name with --name",
          same_id ? "ID" : "name", same_id ? id : name);
    }
  if (image_id == NULL || ferry_store_lookup (e->store, image_id, &img, err) < 0)
    {
      ferry_error_release (err);
      if (pull_image (e, rec, r, pulled, err) < 0)
        return -1;
    }
  ferry_image_free (img);
  for (i = 0; mounts && i < json_object_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      const char *type = ferry_json_get_string (m, "Type");
      const char *vol = ferry_json_get_string (m, "Name");

      if (strcmp (type, "bind") == 0 && ! ferry_path_exists (ferry_json_get_string (m, "Source")))
        return ferry_make_error (
            err, 0, "bind mount source `%s` (for %s) does not exist on this host: create it first",
            ferry_json_get_string (m, "Source"), ferry_json_get_string (m, "Destination"));
      if (strcmp (type, "volume") != 0 || vol == NULL || ! ferry_volume_name_is_valid (vol))
        continue;
      if (r->ignore_volumes && ! ferry_volume_exists (e->db, vol))
        return ferry_make_error (
            err, 0,
            "volume %s does not exist on this host: with --ignore-volumes the container's "
            "volumes must exist already (ferry volume create %s)",
            vol, vol);
      if (! r->ignore_volumes && ferry_volume_exists (e->db, vol))
        return ferry_make_error_kind (err, FERRY_ERROR_EXISTS,
                                      "volume %s already exists on this host: remove it, or restore with "
                                      "--ignore-volumes to use it as it is",
                                      vol);
    }
  return 0;
}

static int
fill_volumes (ferry_engine_t *e, json_object *rec, const char *staging, ferry_error_t *err)
{
  json_object *mounts = ferry_json_get_array (rec, "Mounts");
  size_t i;

  for (i = 0; mounts && i < json_object_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      const char *vol = ferry_json_get_string (m, "Name");
      cleanup_free char *tar = NULL, *data = NULL;

      if (strcmp (ferry_json_get_string (m, "Type"), "volume") != 0 || vol == NULL)
        continue;
      tar = xasprintf ("%s/volumes/%s.tar", staging, vol);
      data = xasprintf ("%s/volumes/%s/_data", e->root, vol);
      if (ferry_path_exists (tar) && ferry_untar_directory (tar, data, err) < 0)
        return ferry_error_wrap (err, "cannot restore volume %s", vol);
    }
  return 0;
}

static int
restore_import (ferry_engine_t *e, const struct ferry_restore_request *r, char **out_id,
                struct ferry_cr_stats *stats, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  cleanup_free char *ckroot = xasprintf ("%s/checkpoints", e->runroot);
  cleanup_free char *staging = NULL, *what = xasprintf ("checkpoint archive `%s`", r->import_path);
  cleanup_json json_object *dump = NULL;
  cleanup_close int fd = -1;
  cleanup_free char *pulled = NULL;
  struct ferry_container *c = NULL;
  json_object *rec;
  int created = 0, ret = -1;

  if (r->name && ! ferry_container_name_is_valid (r->name))
    return ferry_make_error (err, 0,
                             "invalid container name `%s` for --name: use a letter or digit, then letters, "
                             "digits, `_`, `.` and `-`",
                             r->name);
  fd = open (r->import_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open checkpoint archive `%s`", r->import_path);
  if (ferry_mkdir_p (ckroot, 0700, err) < 0 || (staging = ferry_mkdtemp_in (ckroot, "import-", err)) == NULL)
    return -1;
  if (ferry_archive_extract_verified (fd, staging, archive_entry_allowed, what, err) < 0)
    goto out;
  {
    cleanup_free char *path = xasprintf ("%s/config.dump", staging);
    dump = ferry_json_parse_file (path, "config.dump", err);
    if (dump == NULL)
      {
        ferry_error_wrap (err, "%s", what);
        goto out;
      }
  }
  rec = ferry_json_get_object (dump, "ferry");
  /* Before anything is created: the record names paths, rows and mounts
   * (and a missing record is an archive ferry did not write).  */
  if (ferry_archive_record_check (rec, r, err) < 0)
    goto out;
  if (r->name)
    {
      cleanup_free char *new_id = ferry_random_hex (32);
      json_object_object_add (rec, "Id", json_object_new_string (new_id));
      json_object_object_add (rec, "Name", json_object_new_string (r->name));
    }
  if (check_import (e, rec, r, &pulled, err) < 0)
    goto fail;
  /* Held until the state says running: conmon's cleanup of a process that
   * exits at once must find it so, not "created".  */
  lock = ferry_container_lock (e, ferry_json_get_string (rec, "Id"), err);
  if (lock < 0)
    goto out;
  if (ferry_container_insert (e, ferry_json_get_string (rec, "ImageID"), rec, err) < 0)
    goto out;
  created = 1;
  if (ferry_container_find (e, ferry_json_get_string (rec, "Id"), &c, err) < 0)
    goto fail;
  if (! r->ignore_volumes && fill_volumes (e, rec, staging, err) < 0)
    goto fail;
  if (! r->ignore_rootfs)
    {
      cleanup_free char *odir = ferry_engine_overlay_dir (e, c->id);
      cleanup_free char *upper = xasprintf ("%s/upper", odir);
      cleanup_free char *tar = xasprintf ("%s/rootfs-diff.tar", staging);
      cleanup_free char *deleted = xasprintf ("%s/deleted.files", staging);
      if (ferry_rootfs_diff_apply (upper, tar, deleted, err) < 0)
        goto fail;
    }
  {
    cleanup_free char *log = xasprintf ("%s/ctr.log", staging);
    cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
    cleanup_free char *dest = xasprintf ("%s/ctr.log", cdir);
    if (ferry_path_exists (log) && rename (log, dest) < 0)
      {
        /* Across file systems: copy.  */
        cleanup_free char *text = NULL;
        size_t len;
        if (ferry_read_file (log, &text, &len, err) < 0
            || ferry_write_file_atomic (dest, text, len, 0600, err) < 0)
          goto fail;
      }
  }
  {
    cleanup_free char *images = xasprintf ("%s/checkpoint", staging);
    cleanup_free char *devshm = xasprintf ("%s/devshm-checkpoint.tar", staging);
    if (launch_restored (e, c, images, devshm, r, stats, err) < 0)
      goto fail;
  }
  restore_stats (e, c, stats);
  *out_id = xstrdup (c->id);
  ret = 0;
  goto out;

fail:
  if (created)
    {
      cleanup_error ferry_error_t ignored = NULL;
      /* remove takes the lock itself (flock on another descriptor would
       * wait for this one).  Volumes that were there before the restore
       * (--ignore-volumes) are not its to remove.  */
      ferry_lock_release (lock);
      lock = -1;
      ferry_container_remove (e, ferry_json_get_string (rec, "Id"), 1, ! r->ignore_volumes, &ignored);
      /* Named volumes this restore created go too: they held only the
       * archive's copy.  */
      if (! r->ignore_volumes)
        {
          json_object *mounts = ferry_json_get_array (rec, "Mounts");
          for (size_t i = 0; mounts && i < json_object_array_length (mounts); i++)
            {
              json_object *m = json_object_array_get_idx (mounts, i);
              const char *vol = ferry_json_get_string (m, "Name");
              cleanup_error ferry_error_t verr = NULL;
              if (strcmp (ferry_json_get_string (m, "Type"), "volume") == 0 && vol)
                ferry_volume_remove (e->db, e->root, vol, 0, &verr);
            }
        }
    }
  if (pulled)
    {
      /* The image came for this restore only: it goes with it.  */
      struct ferry_remove_report report;
      cleanup_error ferry_error_t ignored = NULL;
      if (ferry_store_remove (e->store, pulled, 1, &report, &ignored) == 0)
        ferry_remove_report_free (&report);
    }
out:
  ferry_container_free (c);
  if (staging)
    ferry_rm_rf_quietly (staging);
  return ret;
}

int
ferry_container_restore (ferry_engine_t *e, const char *ref, const struct ferry_restore_request *r, char **id,
                         struct ferry_cr_stats *stats, ferry_error_t *err)
{
  long long t0 = ferry_time_monotonic_us ();
  int ret;

  memset (stats, 0, sizeof (*stats));
  if (r->import_path)
    ret = restore_import (e, r, id, stats, err);
  else
    ret = restore_in_place (e, ref, r, id, stats, err);
  stats->total_us = ferry_time_monotonic_us () - t0;
  return ret;
}
