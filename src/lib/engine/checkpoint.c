/* ferry: checkpoint and restore, in place and through archives.  */
#include "checkpoint.h"
#include "internal.h"
#include "volume.h"
#include "../archive/archive.h"
#include "../archive/criu_stats.h"
#include "../archive/prepack.h"
#include "../image/reference.h"
#include "../runtime/runtime.h"
#include "../state/lock.h"
#include "../storage/dirtar.h"
#include "../storage/overlay.h"
#include "../storage/rootfs_diff.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void
ferry_cr_stats_release (struct ferry_cr_stats *s)
{
  json_object_put (s->criu);
  s->criu = NULL;
}

/* ---- what goes into an archive ------------------------------------------- */

/* The record checkpointctl reads (its keys, as Podman writes them), with
 * ferry's own record under "ferry".  */
static char *
config_dump (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_json json_object *o = json_object_new_object ();
  cleanup_free char *now = ferry_time_now ();

  json_object_object_add (o, "id", json_object_new_string (c->id));
  json_object_object_add (o, "name", json_object_new_string (c->name));
  json_object_object_add (o, "rootfsImage", json_object_new_string (c->image_id));
  json_object_object_add (o, "rootfsImageRef", json_object_new_string (c->image_id));
  json_object_object_add (o, "rootfsImageName",
                          json_object_new_string (ferry_json_get_string (c->record, "ImageName")));
  json_object_object_add (o, "runtime", json_object_new_string (e->runtime.name));
  json_object_object_add (o, "createdTime", json_object_new_string (c->created));
  json_object_object_add (o, "checkpointedTime", json_object_new_string (now));
  json_object_object_add (o, "restoredTime", json_object_new_string ("0001-01-01T00:00:00Z"));
  json_object_object_add (o, "restored", json_object_new_boolean (0));
  json_object_object_add (o, "ferry", json_object_get (c->record));
  return xstrdup (ferry_json_to_string (o, 1));
}

/* The runtime spec as the archive carries it.  The layout is Podman's, and
 * checkpointctl reads an archive the Podman way (container name from
 * config.dump) only when the spec says io.container.manager=libpod;
 * otherwise it shows no name.  */
static char *
spec_dump (const char *path, ferry_error_t *err)
{
  cleanup_json json_object *spec = ferry_json_parse_file (path, "the container's config.json", err);
  json_object *ann;

  if (spec == NULL)
    return NULL;
  ann = json_object_object_get (spec, "annotations");
  if (ann == NULL)
    {
      ann = json_object_new_object ();
      json_object_object_add (spec, "annotations", ann);
    }
  json_object_object_add (ann, "io.container.manager", json_object_new_string ("libpod"));
  json_object_object_add (ann, "io.ferry.engine", json_object_new_string ("ferry " FERRY_VERSION));
  return xstrdup (ferry_json_to_string (spec, 1));
}

static int
volume_mount_names (const struct ferry_container *c, char ***out)
{
  json_object *mounts = ferry_json_get_array (c->record, "Mounts");
  size_t n = 0, i;

  *out = xmalloc0 (sizeof (char *));
  for (i = 0; mounts && i < json_object_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      if (strcmp (ferry_json_get_string (m, "Type"), "volume") != 0)
        continue;
      *out = xrealloc (*out, sizeof (char *) * (n + 2));
      (*out)[n++] = xstrdup (ferry_json_get_string (m, "Name"));
      (*out)[n] = NULL;
    }
  return 0;
}

/* The files that must match the memory image, taken while the container
 * is frozen: rootfs changes, volumes, /dev/shm.  */
static int
collect_files (ferry_engine_t *e, const struct ferry_container *c, const struct ferry_checkpoint_request *r,
               const char *work, ferry_error_t *err)
{
  cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *shm = xasprintf ("%s/shm", cdir);
  cleanup_free char *devshm = xasprintf ("%s/devshm-checkpoint.tar", work);
  cleanup_strv char **volumes = NULL;
  size_t i;

  if (ferry_tar_directory (shm, devshm, err) < 0)
    return ferry_error_wrap (err, "cannot save /dev/shm of container %s", c->name);
  if (r->export_path == NULL)
    return 0;
  if (! r->ignore_rootfs)
    {
      struct ferry_changes ch = { 0 };
      cleanup_free char *odir = ferry_engine_overlay_dir (e, c->id);
      cleanup_free char *upper = xasprintf ("%s/upper", odir);
      cleanup_free char *tar = xasprintf ("%s/rootfs-diff.tar", work);
      cleanup_free char *deleted = xasprintf ("%s/deleted.files", work);
      int ret;

      if (ferry_container_changes (e, c->id, &ch, err) < 0)
        return -1;
      ret = ferry_rootfs_diff_export (upper, &ch, tar, deleted, err);
      ferry_changes_free (&ch);
      if (ret < 0)
        return ferry_error_wrap (err, "cannot save the root file system changes of container %s", c->name);
    }
  if (r->ignore_volumes)
    return 0;
  volume_mount_names (c, &volumes);
  if (volumes[0])
    {
      cleanup_free char *vdir = xasprintf ("%s/volumes", work);
      if (mkdir (vdir, 0700) < 0)
        return ferry_make_error (err, errno, "cannot create `%s`", vdir);
    }
  for (i = 0; volumes[i]; i++)
    {
      cleanup_free char *data = xasprintf ("%s/volumes/%s/_data", e->root, volumes[i]);
      cleanup_free char *tar = xasprintf ("%s/volumes/%s.tar", work, volumes[i]);
      if (ferry_tar_directory (data, tar, err) < 0)
        return ferry_error_wrap (err, "cannot save volume %s of container %s", volumes[i], c->name);
    }
  return 0;
}

static int
add_if_present (ferry_archive_writer_t *w, const char *name, const char *path, ferry_error_t *err)
{
  if (! ferry_path_exists (path))
    return 0;
  return ferry_archive_writer_add_file (w, name, path, err);
}

/* An archive being written: a temporary file beside the export path,
 * renamed into place only when complete and synced.  */
struct export
{
  char *tmp;
  int fd;
  ferry_archive_writer_t *w;
};

static void
export_abort (struct export *x)
{
  ferry_archive_writer_free (x->w);
  x->w = NULL;
  if (x->fd >= 0)
    close (x->fd);
  x->fd = -1;
  if (x->tmp)
    unlink (x->tmp);
  free (x->tmp);
  x->tmp = NULL;
}

/* Opens the archive and writes what was taken before the dump: spec,
 * record, rootfs changes, volumes, /dev/shm, log.  */
static int
export_begin (ferry_engine_t *e, const struct ferry_container *c, const struct ferry_checkpoint_request *r,
              const char *work, struct export *x, ferry_error_t *err)
{
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, c->id);
  cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *spec = xasprintf ("%s/config.json", bundle);
  cleanup_free char *log = xasprintf ("%s/ctr.log", cdir);
  cleanup_free char *dir_copy = xstrdup (r->export_path);
  cleanup_free char *config = config_dump (e, c);
  cleanup_free char *spec_text = spec_dump (spec, err);
  cleanup_free char *vdir = xasprintf ("%s/volumes", work);
  static const char *const work_files[]
      = { "rootfs-diff.tar", "deleted.files", "devshm-checkpoint.tar", NULL };
  size_t i;

  x->fd = -1;
  if (spec_text == NULL)
    return -1;
  x->tmp = xasprintf ("%s/.checkpoint.ferry-tmp-XXXXXX", dirname (dir_copy));
  x->fd = mkostemp (x->tmp, O_CLOEXEC);
  if (x->fd < 0)
    {
      int saved = errno;
      free (x->tmp);
      x->tmp = NULL;
      return ferry_make_error (err, saved, "cannot create checkpoint archive `%s`", r->export_path);
    }
  if (fchmod (x->fd, 0600) < 0)
    return ferry_make_error (err, errno, "cannot set the mode of `%s`", x->tmp);
  x->w = ferry_archive_writer_new (x->fd, r->compression, 0, err);
  if (x->w == NULL)
    return -1;
  if (ferry_archive_writer_add_data (x->w, "spec.dump", spec_text, strlen (spec_text), err) < 0
      || ferry_archive_writer_add_data (x->w, "config.dump", config, strlen (config), err) < 0
      || ferry_archive_writer_add_data (x->w, "network.status", "{}\n", 3, err) < 0)
    return -1;
  for (i = 0; work_files[i]; i++)
    {
      cleanup_free char *path = xasprintf ("%s/%s", work, work_files[i]);
      if (add_if_present (x->w, work_files[i], path, err) < 0)
        return -1;
    }
  if (ferry_path_exists (vdir) && ferry_archive_writer_add_dir (x->w, "volumes", vdir, err) < 0)
    return -1;
  if (add_if_present (x->w, "ctr.log", log, err) < 0)
    return -1;
  /* Before any streamed page image: readers create it as they go.  */
  return ferry_archive_writer_add_directory (x->w, "checkpoint", err);
}

/* Adds the rest of CRIU's images and its statistics, closes the archive,
 * syncs it and renames it into place.  */
static int
export_end (const struct ferry_checkpoint_request *r, const char *work, const char *images, struct export *x,
            ferry_error_t *err)
{
  cleanup_free char *stats = xasprintf ("%s/stats-dump", work);
  cleanup_free char *dir_copy = xstrdup (r->export_path);
  cleanup_error ferry_error_t ignored = NULL;

  if (ferry_archive_writer_add_dir (x->w, "checkpoint", images, err) < 0
      || add_if_present (x->w, "stats-dump", stats, err) < 0 || ferry_archive_writer_finish (x->w, err) < 0)
    return -1;
  ferry_archive_writer_free (x->w);
  x->w = NULL;
  if (fsync (x->fd) < 0)
    return ferry_make_error (err, errno, "cannot write checkpoint archive `%s`", r->export_path);
  if (rename (x->tmp, r->export_path) < 0)
    return ferry_make_error (err, errno, "cannot create checkpoint archive `%s`", r->export_path);
  free (x->tmp);
  x->tmp = NULL;
  close (x->fd);
  x->fd = -1;
  ferry_fsync_path (dirname (dir_copy), &ignored);
  return 0;
}

/* CRIU's log is in the work dir, which a failure removes: keep it beside
 * the checkpoints and say what CRIU said, in one line.  */
static void
explain_dump_failure (ferry_engine_t *e, const struct ferry_container *c, const char *work,
                      ferry_error_t *err)
{
  cleanup_free char *log = xasprintf ("%s/dump.log", work);
  cleanup_free char *dir = xasprintf ("%s/checkpoints", e->runroot);
  cleanup_free char *kept = xasprintf ("%s/dump-%s.log", dir, c->id);
  cleanup_free char *text = NULL, *criu = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  size_t len;

  if (ferry_read_file (log, &text, &len, &ignored) < 0 || ferry_mkdir_p (dir, 0700, &ignored) < 0
      || ferry_write_file_atomic (kept, text, len, 0600, &ignored) < 0)
    return;
  criu = ferry_runtime_criu_log_errors (kept);
  free ((*err)->msg);
  (*err)->msg = criu ? xasprintf ("CRIU could not checkpoint container %s: %s (log: %s)", c->name, criu, kept)
                     : xasprintf ("CRIU could not checkpoint container %s (log: %s)", c->name, kept);
}

/* Kills a frozen container and waits for conmon to see it go.  */
static void
stop_frozen (ferry_engine_t *e, struct ferry_container *c)
{
  cleanup_error ferry_error_t err = NULL;

  ferry_runtime_kill (&e->runtime, c->id, SIGKILL, 1, &err);
  ferry_error_release (&err);
  ferry_runtime_resume (&e->runtime, c->id, &err);
  ferry_error_release (&err);
  ferry_container_wait_exit_file (e, c, 30000);
}

static void
record_checkpointed (ferry_engine_t *e, struct ferry_container *c, int still_running)
{
  cleanup_error ferry_error_t err = NULL;

  free (c->checkpointed_at);
  c->checkpointed_at = ferry_time_now ();
  if (! still_running)
    {
      c->status = FERRY_CONTAINER_EXITED;
      c->exit_code = 0;
      c->pid = 0;
      free (c->finished_at);
      c->finished_at = ferry_time_now ();
      ferry_container_teardown (e, c);
    }
  ferry_container_save_state (e, c, &err);
}

/* More than the page images of most containers (one per process, and one
 * per shared memory segment); CRIU writes any beyond into files.  */
#define PREPACK_FIFOS 64

int
ferry_container_checkpoint (ferry_engine_t *e, const char *ref, const struct ferry_checkpoint_request *r,
                            struct ferry_cr_stats *stats, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  cleanup_free char *cdir = NULL, *work = NULL, *images = NULL, *ckroot = NULL;
  struct ferry_checkpoint_options co = { 0 };
  ferry_prepack_t *prepack = NULL;
  struct export x = { .fd = -1 };
  long long t0 = ferry_time_monotonic_us (), t1;
  int frozen = 0, ret = -1;

  memset (stats, 0, sizeof (*stats));
  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    {
      stats->total_us = ferry_time_monotonic_us () - t0;
      return -1;
    }
  if (c->status != FERRY_CONTAINER_RUNNING)
    {
      ferry_make_error_kind (err, FERRY_ERROR_STATE,
                             "container %s is %s: only a running container can be checkpointed", ref,
                             ferry_container_status_name (c->status));
      goto out;
    }
  cdir = ferry_engine_container_dir (e, c->id);
  if (r->export_path)
    {
      /* With -k the images stay with the container: dump them beside it,
       * so keeping them is a rename, not a copy across file systems.  */
      ckroot = r->keep ? xstrdup (cdir) : xasprintf ("%s/checkpoints", e->runroot);
      if (ferry_mkdir_p (ckroot, 0700, err) < 0 || (work = ferry_mkdtemp_in (ckroot, "dump-", err)) == NULL)
        goto out;
    }
  else
    {
      work = xasprintf ("%s/checkpoint", cdir);
      if (ferry_rm_rf (work, err) < 0 || mkdir (work, 0700) < 0)
        {
          if (*err == NULL)
            ferry_make_error (err, errno, "cannot create `%s`", work);
          goto out;
        }
    }
  images = xasprintf ("%s/checkpoint", work);
  if (r->export_path == NULL)
    {
      free (images);
      images = xstrdup (work);
    }
  else if (mkdir (images, 0700) < 0)
    {
      ferry_make_error (err, errno, "cannot create `%s`", images);
      goto out;
    }

  /* Frozen from here until files and memory are both taken.  */
  if (ferry_runtime_pause (&e->runtime, c->id, err) < 0)
    goto out;
  frozen = 1;
  if (collect_files (e, c, r, r->export_path ? work : cdir, err) < 0)
    goto fail;

  if (r->export_path && export_begin (e, c, r, work, &x, err) < 0)
    goto fail;
  /* Memory pages go into the archive while CRIU writes them
   * (archive/prepack.h).  */
  if (r->export_path && ferry_archive_writer_can_stream (x.w))
    {
      /* Kept images (-k) must be files; otherwise the pages need never be
       * stored: CRIU writes them into FIFOs we read (archive/prepack.h).  */
      prepack = ferry_prepack_start (images, "checkpoint", x.w, r->keep ? 0 : PREPACK_FIFOS, err);
      if (prepack == NULL)
        goto fail;
    }
  co.image_path = images;
  co.work_path = work;
  /* An export keeps the container until the archive is safe; in place,
   * CRIU may end it at once unless asked to leave it running.  */
  co.leave_running = r->leave_running || r->export_path != NULL;
  co.tcp_established = r->tcp_established;
  co.file_locks = r->file_locks;
  t1 = ferry_time_monotonic_us ();
  if (ferry_runtime_checkpoint (&e->runtime, c->id, &co, err) < 0)
    {
      explain_dump_failure (e, c, work, err);
      goto fail;
    }
  stats->runtime_us = ferry_time_monotonic_us () - t1;
  if (prepack && ferry_prepack_finish (prepack, err) < 0)
    goto fail;
  {
    cleanup_free char *stats_path = xasprintf ("%s/stats-dump", work);
    cleanup_error ferry_error_t ignored = NULL;
    stats->criu = ferry_criu_stats_parse (stats_path, &ignored);
  }
  /* CRIU may thaw what it froze: freeze again until the archive is done.  */
  if (co.leave_running && ! r->leave_running)
    {
      cleanup_error ferry_error_t ignored = NULL;
      ferry_runtime_pause (&e->runtime, c->id, &ignored);
    }
  if (r->export_path && r->leave_running)
    {
      /* The files are in WORK already; the archive can be written while
       * the container runs again.  */
      cleanup_error ferry_error_t ignored = NULL;
      ferry_runtime_resume (&e->runtime, c->id, &ignored);
      frozen = 0;
    }
  if (r->export_path && export_end (r, work, images, &x, err) < 0)
    {
      ferry_error_wrap (err, "cannot export container %s", c->name);
      goto fail;
    }

  if (r->leave_running)
    {
      if (frozen && ferry_runtime_resume (&e->runtime, c->id, err) < 0)
        goto out;
      frozen = 0;
      record_checkpointed (e, c, 1);
    }
  else
    {
      if (co.leave_running)
        stop_frozen (e, c);
      else
        ferry_container_wait_exit_file (e, c, 30000);
      frozen = 0;
      record_checkpointed (e, c, 0);
    }
  if (r->export_path && r->keep)
    {
      /* -k: the images, CRIU's log and /dev/shm stay with the container too. */
      cleanup_free char *kept = xasprintf ("%s/checkpoint", cdir);
      cleanup_free char *log = xasprintf ("%s/dump.log", work);
      cleanup_free char *klog = xasprintf ("%s/dump.log", images);
      cleanup_free char *shm = xasprintf ("%s/devshm-checkpoint.tar", work);
      cleanup_free char *kshm = xasprintf ("%s/devshm-checkpoint.tar", cdir);
      cleanup_error ferry_error_t ignored = NULL;

      rename (log, klog);
      if (ferry_rm_rf (kept, &ignored) < 0 || rename (images, kept) < 0 || rename (shm, kshm) < 0)
        {
          ferry_make_error (err, errno,
                            "the archive `%s` is complete, but the images could not be kept in `%s`",
                            r->export_path, kept);
          goto out;
        }
    }
  ret = 0;
  goto out;

fail:
  if (frozen)
    {
      cleanup_error ferry_error_t ignored = NULL;
      ferry_runtime_resume (&e->runtime, c->id, &ignored);
    }
  if (r->export_path == NULL && ! r->keep && work)
    ferry_rm_rf_quietly (work);
out:
  ferry_prepack_free (prepack);
  export_abort (&x);
  if (r->export_path && work)
    ferry_rm_rf_quietly (work);
  stats->total_us = ferry_time_monotonic_us () - t0;
  ferry_container_free (c);
  return ret;
}
