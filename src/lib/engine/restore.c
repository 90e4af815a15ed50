/* ferry: restore of a checkpointed container, in place or from an
 * exported archive.  */
#include "archive_record.h"
#include "checkpoint.h"
#include "internal.h"
#include "network.h"
#include "../network/ports.h"
#include "operation.h"
#include "podman_archive.h"
#include "trust.h"
#include "volume.h"
#include "../archive/archive.h"
#include "../archive/criu_stats.h"
#include "../image/reference.h"
#include "../runtime/conmon.h"
#include "../runtime/runtime.h"
#include "../state/lock.h"
#include "../storage/rootfs_diff.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "../util/process.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* ---- restore --------------------------------------------------------------- */

static int
archive_entry_allowed (const char *name)
{
  static const char *const fixed[]
      = { "spec.dump", "config.dump", "network.status", "rootfs-diff.tar", "deleted.files",
          "devshm-checkpoint.tar", "ctr.log", "stats-dump", "manifest.json", "checkpoint", "volumes",
          /* CRI-O's: CRIU's log, its bind mounts, the container's log.  */
          "dump.log", "bind.mounts", FERRY_CRIO_LOG_ENTRY, NULL };
  size_t i;

  for (i = 0; fixed[i]; i++)
    if (strcmp (name, fixed[i]) == 0)
      return 1;
  if (strncmp (name, "checkpoint/", 11) == 0)
    return 1;
  /* Podman's archives have it (and nothing ferry reads in it).  */
  if (strcmp (name, "artifacts") == 0 || strncmp (name, "artifacts/", 10) == 0)
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
  if (r->import_path && can_punch_holes (images) && ! r->lazy_daemon)
    v[n++] = xstrdup ("--auto-dedup");
  if (r->lazy_daemon)
    v[n++] = xstrdup ("--lazy-pages");
  return v;
}

struct lazy_launch
{
  const char *images;
  const struct ferry_restore_request *r;
  int status_fd;
};

/* CRIU's restore meets the daemon in its work directory, the bundle.  It
 * starts up (about 0.1 s here) while the container's files are made.  */
static int
start_lazy_pages (const char *bundle, void *arg, ferry_error_t *err)
{
  struct lazy_launch *l = arg;

  return ferry_runtime_criu_lazy_pages_start (l->images, bundle, l->r->lazy_pages_fd, l->r->lazy_daemon,
                                              &l->status_fd, err);
}

static int
lazy_pages_ready (const char *bundle, void *arg, ferry_error_t *err)
{
  struct lazy_launch *l = arg;
  int fd = l->status_fd;

  l->status_fd = -1;
  return ferry_runtime_criu_lazy_pages_ready (l->r->lazy_daemon, fd, bundle, err);
}

/* The container does not stay: neither do the pages still coming.  */
static void
stop_lazy_pages (const struct ferry_restore_request *r)
{
  if (r->lazy_daemon && *r->lazy_daemon > 0)
    {
      ferry_runtime_criu_lazy_pages_wait (*r->lazy_daemon, 1);
      *r->lazy_daemon = -1;
    }
}

static int
launch_restored (ferry_engine_t *e, struct ferry_container *c, const char *images, const char *devshm,
                 const struct ferry_restore_request *r, struct ferry_cr_stats *stats, ferry_error_t *err)
{
  cleanup_strv char **opts = restore_runtime_opts (r, images);
  struct lazy_launch lazy = { images, r, -1 };
  struct ferry_launch_hook hook = { start_lazy_pages, lazy_pages_ready, &lazy };
  long long t1 = ferry_time_monotonic_us ();
  int ret;

  c->criu_options = r->tcp_close ? "tcp-close\n" : NULL;
  ret = ferry_container_launch (e, c, images, opts, devshm, NULL, r->lazy_daemon ? &hook : NULL, err);
  if (lazy.status_fd >= 0)
    close (lazy.status_fd);
  if (ret < 0)
    stop_lazy_pages (r);
  c->criu_options = NULL;
  stats->runtime_us = ferry_time_monotonic_us () - t1;
  return ret;
}

/* ---- the operation: phases, forward and back ------------------------------
 *
 * A restore records, before it acts, what it made and its options: for an
 * import, the staging directory, whether it brings the container's
 * volumes, the image a pull brought for it, and (with the container's
 * row, in one transaction) the volumes it made.  It has one phase:
 *
 *   restoring   the container may be half made (import), and conmon may
 *               be running the runtime's restore.
 *               Forward when the runtime knows the container with a
 *               process (CRIU's restore finished): adopt it, with conmon
 *               as its monitor, record it running and remove the images
 *               (in place, unless -k) or the staging directory.  Never
 *               back then: the restored process has run, and its images
 *               must not be replayed.
 *               Back otherwise: end conmon and the restore it runs, delete
 *               the runtime's container; an import also removes the
 *               container, the volumes it made and the image it pulled.
 *               In place, the images stay for another try.
 *   handover    (an import that migrate's target makes) the container
 *               runs, and waits for the source to say it is to stay.
 *               Back: the source may have resumed its own.  So is an
 *               import for a migration in any phase (detail "migrate"):
 *               only its owner, told by the source, keeps it.
 */

#define PHASE_RESTORING "restoring"
#define PHASE_HANDOVER "handover"

static const char *
import_staging (ferry_engine_t *e, const struct ferry_operation *op)
{
  cleanup_free char *ckroot = xasprintf ("%s/checkpoints", e->runroot);
  return ferry_operation_path_in (op, "staging", ckroot, "import-");
}

/* The restored container runs: record it so, with PID under the conmon
 * CONMON_PID, and end the operation.  */
static int
restore_forward (ferry_engine_t *e, struct ferry_container *c, const struct ferry_operation *op,
                 ferry_error_t *err)
{
  const char *staging = import_staging (e, op);

  c->status = FERRY_CONTAINER_RUNNING;
  c->exit_code = 0;
  free (c->restored_at);
  c->restored_at = ferry_time_now ();
  /* The checkpoint is spent: Podman's CheckpointedAt goes back to zero.  */
  free (c->checkpointed_at);
  c->checkpointed_at = xstrdup ("");
  /* In place the run carries on: as in Podman, it keeps its start (ps's
   * "Up" counts from it) and the checkpoint's end.  An imported container
   * starts here, when it is restored.  inspect's Restored holds while
   * the start is not later than the restore.  */
  if (op->kind != FERRY_OPERATION_RESTORE || *c->started_at == '\0')
    {
      free (c->started_at);
      c->started_at = xstrdup (c->restored_at);
      free (c->finished_at);
      c->finished_at = xstrdup ("");
    }
  if (ferry_operation_end_with (e, c, op, err) < 0)
    return ferry_error_wrap (err,
                             "container %s is restored and runs, but that cannot be recorded yet (the next "
                             "ferry command records it)",
                             c->name);
  if (op->kind == FERRY_OPERATION_RESTORE && ! ferry_operation_detail_bool (op, "keep"))
    {
      cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
      cleanup_free char *images = xasprintf ("%s/checkpoint", cdir);
      cleanup_free char *devshm = xasprintf ("%s/devshm-checkpoint.tar", cdir);
      ferry_rm_rf_quietly (images);
      unlink (devshm);
    }
  if (staging)
    ferry_rm_rf_quietly (staging);
  return 0;
}

/* conmon's PID from its pidfile in the bundle, if that process is a live
 * conmon; else 0.  */
static pid_t
bundle_conmon (ferry_engine_t *e, const char *id)
{
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, id);
  cleanup_free char *path = xasprintf ("%s/conmon.pid", bundle);
  cleanup_error ferry_error_t ignored = NULL;
  pid_t pid;

  if (ferry_conmon_read_pid_file (path, &pid, &ignored) < 0 || pid <= 1 || ! ferry_process_is_conmon (pid))
    return 0;
  return pid;
}

static const char *const RESTORE_HELPERS[] = { "conmon", "runc", "crun", "criu", NULL };

/* Back to the state before: nothing of the restore left, and for an
 * import nothing of the container.  ID is the operation's, checked.  */
static int
restore_back (ferry_engine_t *e, const struct ferry_operation *op, ferry_error_t *err)
{
  const char *id = op->container_id;
  struct ferry_container *c = NULL;
  pid_t conmon = bundle_conmon (e, id);
  const char *staging = import_staging (e, op);
  cleanup_error ferry_error_t ignored = NULL;
  struct ferry_process_info info;

  if (conmon && ferry_process_info (conmon, &info) == 0)
    ferry_process_group_kill (info.pgrp, RESTORE_HELPERS, 10000);
  if (ferry_runtime_delete (ferry_engine_runtime_or_own_id (e, id), id, 1, &ignored) < 0)
    ferry_error_release (&ignored);
  if (ferry_container_find (e, id, &c, &ignored) < 0)
    ferry_error_release (&ignored);
  if (c)
    ferry_container_end_launch (e, c);
  if (op->kind == FERRY_OPERATION_RESTORE)
    {
      if (c)
        ferry_container_teardown (e, c);
    }
  else
    {
      json_object *volumes = ferry_json_get_array (op->detail, "volumes");
      const char *pulled = ferry_json_get_string (op->detail, "pulled");

      if (c && ferry_container_remove_locked (e, c, 1, 1, 0, err) < 0)
        {
          ferry_container_free (c);
          return -1;
        }
      ferry_container_remove_dirs (e, id);
      /* The volumes this import made held only the archive's copy.  */
      for (size_t i = 0; volumes && i < json_object_array_length (volumes); i++)
        {
          json_object *v = json_object_array_get_idx (volumes, i);
          const char *name = json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL;
          cleanup_error ferry_error_t verr = NULL;
          if (ferry_volume_name_is_valid (name))
            ferry_volume_remove (e->db, e->root, name, 0, &verr);
        }
      /* Networks made from the archive's definitions, unless something
       * joined them since.  */
      json_object *nets = ferry_json_get_array (op->detail, "networks");
      for (size_t i = 0; nets && i < json_object_array_length (nets); i++)
        {
          json_object *v = json_object_array_get_idx (nets, i);
          const char *name = ferry_json_get_string (v, "name");
          cleanup_json json_object *def = NULL;
          cleanup_error ferry_error_t nerr = NULL;

          /* Only the one made here: the same name and ID.  */
          if (name && ferry_network_name_is_valid (name) && ferry_network_get (e, name, &def, &nerr) == 0
              && ferry_json_string_equals (
                  def, "id", ferry_json_get_string (v, "id") ? ferry_json_get_string (v, "id") : ""))
            ferry_network_remove (e, name, 0, &nerr);
        }
      /* The image came for this restore only: it goes with it (unless
       * something uses it by now, which the store refuses).  */
      if (ferry_id_is_full (pulled))
        {
          struct ferry_remove_report report;
          cleanup_error ferry_error_t rerr = NULL;
          if (ferry_store_remove (e->store, pulled, 1, &report, &rerr) == 0)
            ferry_remove_report_free (&report);
        }
    }
  ferry_container_free (c);
  if (staging)
    ferry_rm_rf_quietly (staging);
  return ferry_operation_end_with (e, NULL, op, err);
}

/* The runtime's view of the container after its restore: 1 when it knows
 * it with a process (running, paused, or already exited), else 0.  */
static int
restored_process (ferry_engine_t *e, const char *id, pid_t *pid)
{
  cleanup_error ferry_error_t err = NULL;
  struct ferry_runtime_state st;

  if (ferry_runtime_state (ferry_engine_runtime_or_own_id (e, id), id, &st, &err) < 0 || st.pid <= 0)
    return 0;
  *pid = st.pid;
  return strcmp (st.status, "running") == 0 || strcmp (st.status, "paused") == 0
         || strcmp (st.status, "stopped") == 0;
}

int
ferry_restore_settle (ferry_engine_t *e, struct ferry_operation *op, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  long long deadline = ferry_time_monotonic_ms () + 60000;
  struct ferry_process_info info;
  pid_t conmon, pid = 0;
  int ret;

  if (strcmp (op->phase, PHASE_HANDOVER) == 0 || ferry_operation_detail_bool (op, "migrate"))
    return restore_back (e, op, err);
  /* A restore conmon still runs finishes first (or fails): the outcome
   * decides the way.  */
  while ((conmon = bundle_conmon (e, op->container_id)) > 0 && ferry_process_info (conmon, &info) == 0
         && ferry_process_group_count (info.pgrp, RESTORE_HELPERS + 1) > 0
         && ferry_time_monotonic_ms () < deadline)
    usleep (20000);
  if (! restored_process (e, op->container_id, &pid)
      || ferry_container_find (e, op->container_id, &c, err) < 0)
    {
      ferry_error_release (err);
      return restore_back (e, op, err);
    }
  c->pid = pid;
  c->conmon_pid = conmon;
  ret = restore_forward (e, c, op, err);
  ferry_container_free (c);
  return ret;
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

/* Without --keep, CRIU's restore log and statistics go once the restore
 * is recorded and its statistics read, as Podman removes them: they are
 * the restore's, not the running container's (its size counts them).  */
static void
restore_drop_logs (ferry_engine_t *e, const struct ferry_container *c, int keep)
{
  cleanup_free char *bundle = NULL, *log = NULL, *stats = NULL;

  if (keep)
    return;
  bundle = ferry_engine_bundle_dir (e, c->id);
  log = xasprintf ("%s/restore.log", bundle);
  stats = xasprintf ("%s/stats-restore", bundle);
  unlink (log);
  unlink (stats);
}

static int
restore_in_place (ferry_engine_t *e, const char *ref, const struct ferry_restore_request *r, char **id,
                  struct ferry_cr_stats *stats, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  cleanup_free char *cdir = NULL, *images = NULL, *devshm = NULL, *inventory = NULL;
  struct ferry_operation op = { 0 };
  json_object *detail;
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
                             "container %s is running or paused, cannot restore: container state improper",
                             c->id);
      goto out;
    }
  if (! ferry_path_exists (inventory))
    {
      ferry_make_error_kind (
          err, FERRY_ERROR_STATE,
          "a complete checkpoint for this container cannot be found, cannot restore: container %s has "
          "none; checkpoint it first (ferry container checkpoint %s)",
          ref, ref);
      goto out;
    }
  detail = json_object_new_object ();
  json_object_object_add (detail, "keep", json_object_new_boolean (r->keep));
  if (ferry_operation_begin (e, &op, c->id, FERRY_OPERATION_RESTORE, PHASE_RESTORING, detail, err) < 0)
    goto out;
  ferry_fault_point ("restore-recorded");
  if (launch_restored (e, c, images, devshm, r, stats, err) < 0)
    {
      cleanup_error ferry_error_t ignored = NULL;
      restore_back (e, &op, &ignored);
      goto out;
    }
  ferry_fault_point ("restore-launched");
  if (restore_forward (e, c, &op, err) < 0)
    goto out;
  restore_stats (e, c, stats);
  restore_drop_logs (e, c, r->keep);
  *id = xstrdup (c->id);
  ret = 0;
out:
  ferry_operation_release (&op);
  ferry_container_free (c);
  return ret;
}

/* The image REC needs could be pulled: there is a registry to ask, and
 * REC names the image and its manifest digest.  */
static bool
pullable (json_object *rec, const struct ferry_restore_request *r)
{
  const char *image_name = ferry_json_get_string (rec, "ImageName");
  const char *digest = ferry_json_get_string (rec, "ImageDigest");
  struct ferry_reference parsed;
  cleanup_error ferry_error_t ignored = NULL;

  if (ferry_json_get_string (rec, "ImageID") == NULL || r->pull == NULL || image_name == NULL
      || digest == NULL || ! ferry_digest_is_valid (digest)
      || ferry_reference_parse (image_name, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &parsed, &ignored) < 0)
    return false;
  ferry_reference_free (&parsed);
  return true;
}

static int
image_missing_error (json_object *rec, ferry_error_t *err)
{
  const char *image_id = ferry_json_get_string (rec, "ImageID");
  const char *image_name = ferry_json_get_string (rec, "ImageName");

  return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                "the checkpoint needs image %s (ID %.12s), which is not on this host: "
                                "load it first (ferry load -i FILE)",
                                image_name ? image_name : "?", image_id ? image_id : "?");
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

  /* The callers found it pullable (check_import_here).  */
  if (ferry_reference_parse (image_name, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &parsed, err) < 0)
    {
      ferry_error_release (err);
      return image_missing_error (rec, err);
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

static void remove_pulled (ferry_engine_t *e, const char *pulled);

/* The checks an imported container must pass that need nothing made: its
 * name and ID are free, its image is here (*NEED_PULL: or can be pulled),
 * its bind sources exist, and its volumes are (or, with --ignore-volumes,
 * are not) to be created.  */
static int
check_import_here (ferry_engine_t *e, json_object *rec, const struct ferry_restore_request *r,
                   bool *need_pull, ferry_error_t *err)
{
  const char *name = ferry_json_get_string (rec, "Name");
  const char *id = ferry_json_get_string (rec, "Id");
  const char *image_id = ferry_json_get_string (rec, "ImageID");
  json_object *mounts = ferry_json_get_array (rec, "Mounts");
  struct ferry_image *img = NULL;
  size_t i;
  int taken;

  /* A volume of the archive's that is here already, before the name and
   * ID, as Podman looks at them, and in its words.  */
  for (i = 0; ! r->ignore_volumes && mounts && i < json_object_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      const char *vol = ferry_json_get_string (m, "Name");

      if (strcmp (ferry_json_get_string (m, "Type"), "volume") == 0 && vol && ferry_volume_name_is_valid (vol)
          && ferry_volume_exists (e->db, vol))
        return ferry_make_error_kind (
            err, FERRY_ERROR_EXISTS,
            "volume with name %s already exists. Use --ignore-volumes to not restore "
            "content of volumes (or remove it)",
            vol);
    }
  taken = ferry_container_taken (e, name, id);
  if (taken)
    {
      /* Podman's words first.  */
      if (taken == 2)
        return ferry_make_error_kind (err, FERRY_ERROR_EXISTS,
                                      "creating container storage: that ID is already in use: a container "
                                      "with the ID of the checkpointed one (%s) already exists on this host: "
                                      "remove it, or restore under a new name with --name",
                                      id);
      return ferry_make_error_kind (err, FERRY_ERROR_EXISTS,
                                    "creating container storage: the container name \"%s\" is already in "
                                    "use: a container with the name of the checkpointed one (%s) already "
                                    "exists on this host: remove it, or restore under a new name with --name",
                                    name, name);
    }
  for (i = 0; mounts && i < json_object_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      const char *type = ferry_json_get_string (m, "Type");
      const char *vol = ferry_json_get_string (m, "Name");

      if (strcmp (type, "bind") == 0 && ! ferry_path_exists (ferry_json_get_string (m, "Source")))
        return ferry_make_error (
            err, 0, "bind mount source `%s` (for %s) does not exist on this host: create it first",
            ferry_json_get_string (m, "Source"), ferry_json_get_string (m, "Destination"));
      if (strcmp (type, "image") == 0)
        {
          struct ferry_image *mounted = NULL;
          const char *mid = ferry_json_get_string (m, "Source");

          if (mid == NULL || ferry_store_lookup (e->store, mid, &mounted, err) < 0)
            {
              ferry_error_release (err);
              return ferry_make_error (
                  err, 0,
                  "the checkpointed container mounts image %s (%.12s) at %s, which is not "
                  "on this host: pull or load it first",
                  ferry_json_get_string (m, "ImageName"), mid ? mid : "?",
                  ferry_json_get_string (m, "Destination"));
            }
          ferry_image_free (mounted);
          continue;
        }
      if (strcmp (type, "volume") != 0 || vol == NULL || ! ferry_volume_name_is_valid (vol))
        continue;
      if (r->ignore_volumes && ! ferry_volume_exists (e->db, vol))
        return ferry_make_error (
            err, 0,
            "volume %s does not exist on this host: with --ignore-volumes the container's "
            "volumes must exist already (ferry volume create %s)",
            vol, vol);
    }
  /* A --rootfs container's root is a host directory, not an image: the
   * same path must hold it here.  Only checked: nothing is made there.  */
  if (ferry_container_rootfs (rec))
    {
      if (ferry_container_rootfs_check (ferry_container_rootfs (rec), err) < 0)
        {
          ferry_error_release (err);
          return ferry_make_error (err, 0,
                                   "the checkpointed container runs from the host directory %s (--rootfs), "
                                   "which is not a directory on this host: restore where it is, or put the "
                                   "container's files there first",
                                   ferry_container_rootfs (rec));
        }
      *need_pull = false;
      return 0;
    }
  *need_pull = image_id == NULL || ferry_store_lookup (e->store, image_id, &img, err) < 0;
  ferry_error_release (err);
  ferry_image_free (img);
  if (*need_pull && ! pullable (rec, r))
    return image_missing_error (rec, err);
  return 0;
}

/* What of container C the network's DNS answers NAME for: aardvark-dns
 * keeps and looks up names in lower case (RFC 4343), so "DB" is db's
 * name there too.  NULL: nothing.  */
static const char *
dns_name_of (const struct ferry_container *c, const char *name)
{
  if (strcasecmp (c->name, name) == 0)
    return "name";
  if (strlen (name) == 12 && strncasecmp (c->id, name, 12) == 0)
    return "short ID";
  return NULL;
}

/* A name the restored container would take in a network's DNS (KIND: its
 * "alias", "name" or "short ID") that is another container's name or
 * short ID on NETWORK: that DNS would answer it with both addresses
 * (aardvark-dns takes them all), so an archive from a stranger could draw
 * part of that container's traffic.  */
static int
check_dns_name (struct ferry_container **list, size_t n, const char *self_id, const char *network,
                const char *name, const char *kind, const char *what, ferry_error_t *err)
{
  for (size_t i = 0; name && i < n; i++)
    {
      const char *as;

      /* The same container, or its name taken: restore's own check says
       * that one is in use.  */
      if ((self_id && strcmp (list[i]->id, self_id) == 0)
          || (strcmp (kind, "name") == 0 && strcmp (list[i]->name, name) == 0))
        continue;
      if (ferry_json_get_object (ferry_json_get_object (list[i]->record, "Networks"), network) == NULL)
        continue;
      as = dns_name_of (list[i], name);
      if (as)
        {
          cleanup_free char *q = ferry_error_quotable (name, 64);
          return ferry_make_error (err, 0,
                                   "%s gives its container the %s \"%s\" on network %s, which is the %s of "
                                   "container %s there: restore with --trust-archive if you trust its origin",
                                   what, kind, q, network, as, list[i]->name);
        }
    }
  return 0;
}

/* An archive's names in a network's DNS (its aliases, and unless --name
 * renames it, its name and short ID) that another container on that
 * network answers to.  Refused unless whoever restores vouches for the
 * archive (R's trust).  An alias that is another container's alias stays
 * allowed: that is how the copies of one service share a name.  */
static int
check_import_aliases (ferry_engine_t *e, json_object *rec, const struct ferry_restore_request *r,
                      const char *what, ferry_error_t *err)
{
  json_object *nets = ferry_json_get_object (rec, "Networks");
  const char *id = ferry_json_get_string (rec, "Id");
  const char *name = r->name ? NULL : ferry_json_get_string (rec, "Name");
  struct ferry_container **list = NULL;
  char short_id[13] = "";
  size_t n = 0;
  int ret = 0;

  if (nets == NULL || r->trust_archive)
    return 0;
  if (ferry_container_list (e, &list, &n, err) < 0)
    return -1;
  if (! r->name && id && strlen (id) >= 12)
    snprintf (short_id, sizeof (short_id), "%s", id);
  json_object_object_foreach (nets, network, att)
  {
    json_object *aliases = ferry_json_get_array (att, "Aliases");

    if (check_dns_name (list, n, id, network, name, "name", what, err) < 0
        || check_dns_name (list, n, id, network, *short_id ? short_id : NULL, "short ID", what, err) < 0)
      ret = -1;
    for (size_t i = 0; ret == 0 && aliases && i < json_object_array_length (aliases); i++)
      ret = check_dns_name (list, n, id, network,
                            json_object_get_string (json_object_array_get_idx (aliases, i)), "alias", what,
                            err);
    if (ret < 0)
      break;
  }
  ferry_containers_free (list, n);
  return ret;
}

/* check_import_here, then the pull of a missing image.  */
static int
check_import (ferry_engine_t *e, json_object *rec, const struct ferry_restore_request *r, char **pulled,
              ferry_error_t *err)
{
  bool need_pull = false;

  if (check_import_here (e, rec, r, &need_pull, err) < 0)
    return -1;
  return need_pull ? pull_image (e, rec, r, pulled, err) : 0;
}

int
ferry_restore_preflight (ferry_engine_t *e, json_object *rec, const struct ferry_restore_request *r,
                         char **pulled, ferry_error_t *err)
{
  struct ferry_restore_request here = *r;

  *pulled = NULL;
  here.plain_default_sysctls = e->config.default_sysctls;
  if (ferry_archive_record_check (rec, &here, err) < 0)
    return -1;
  if (r->name)
    {
      cleanup_free char *new_id = ferry_random_hex (32);
      json_object_object_add (rec, "Id", json_object_new_string (new_id));
      json_object_object_add (rec, "Name", json_object_new_string (r->name));
    }
  /* A program named by an archive is not one to run: the container is
   * this ferry's runtime's from now on.  */
  json_object_object_add (rec, "OCIRuntime", json_object_new_string (e->runtime.requested));
  if (check_import (e, rec, r, pulled, err) < 0)
    {
      remove_pulled (e, *pulled);
      free (*pulled);
      *pulled = NULL;
      return -1;
    }
  return 0;
}

void
ferry_restore_preflight_undo (ferry_engine_t *e, const char *pulled)
{
  remove_pulled (e, pulled);
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
      cleanup_free char *tar = NULL;

      if (! ferry_json_string_equals (m, "Type", "volume") || vol == NULL)
        continue;
      tar = xasprintf ("%s/volumes/%s.tar", staging, vol);
      /* All of it or nothing: a bad entry late in the tar leaves the
       * volume as it was, for the restore's own undo.  */
      if (ferry_path_exists (tar) && ferry_volume_fill_from_tar (e->db, e->root, vol, tar, err) < 0)
        return ferry_error_wrap (err, "cannot restore volume %s", vol);
      /* Its content is the archive's, also when the archive had none.  */
      if (ferry_volume_mark_filled (e->db, vol, err) < 0)
        return ferry_error_wrap (err, "cannot restore volume %s", vol);
    }
  return 0;
}

/* An image a pull brought for a restore that did not happen goes again
 * (unless something uses it by now, which the store refuses).  */
static void
remove_pulled (ferry_engine_t *e, const char *pulled)
{
  struct ferry_remove_report report;
  cleanup_error ferry_error_t ignored = NULL;

  if (pulled && ferry_store_remove (e->store, pulled, 1, &report, &ignored) == 0)
    ferry_remove_report_free (&report);
}

static json_object *
import_detail (const char *staging, const struct ferry_restore_request *r, const char *pulled)
{
  json_object *d = json_object_new_object ();

  json_object_object_add (d, "staging", json_object_new_string (staging));
  json_object_object_add (d, "ignore_volumes", json_object_new_boolean (r->ignore_volumes));
  if (pulled)
    json_object_object_add (d, "pulled", json_object_new_string (pulled));
  /* Made for a migration: it stays only when its source says so.  */
  if (r->handover)
    json_object_object_add (d, "migrate", json_object_new_boolean (1));
  return d;
}

/* BYTES in words for an error: KiB below a MiB (rounded up, so that
 * something never reads as nothing), else MiB with a decimal.  */
static char *
size_words (uint64_t bytes)
{
  if (bytes < (1 << 20))
    return xasprintf ("%" PRIu64 " KiB", (bytes + 1023) >> 10);
  return xasprintf ("%.1f MiB", (double) bytes / (1 << 20));
}

/* The archive's volumes and rootfs changes (their tars' sizes, close to
 * what they unpack to) must fit on the root's file system, keeping 5% of
 * it free: checked before the container is made, so a restore that
 * cannot fit creates nothing.  */
static int
check_space (ferry_engine_t *e, const char *staging, const struct ferry_restore_request *r, const char *what,
             ferry_error_t *err)
{
  cleanup_free char *vdir = xasprintf ("%s/volumes", staging);
  cleanup_free char *diff = xasprintf ("%s/rootfs-diff.tar", staging);
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  struct statvfs sv;
  struct stat st;
  uint64_t need = 0, avail, reserve;

  if (! r->ignore_rootfs && stat (diff, &st) == 0)
    need += (uint64_t) st.st_size;
  if (! r->ignore_volumes && (d = opendir (vdir)) != NULL)
    while ((de = readdir (d)))
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG (st.st_mode))
        need += (uint64_t) st.st_size;
  if (statvfs (e->root, &sv) < 0)
    return ferry_make_error (err, errno, "cannot read the free space of `%s`", e->root);
  avail = (uint64_t) sv.f_bavail * sv.f_frsize;
  reserve = (uint64_t) sv.f_blocks * sv.f_frsize / 20;
  if (need + reserve > avail)
    {
      cleanup_free char *need_s = size_words (need);
      cleanup_free char *avail_s = size_words (avail > reserve ? avail - reserve : 0);
      return ferry_make_error (
          err, ENOSPC,
          "%s needs %s for its volumes and root file system changes, but `%s` has %s "
          "free beyond the 5%% kept free (or restore with --ignore-volumes/--ignore-rootfs)",
          what, need_s, e->root, avail_s);
    }
  return 0;
}

/* Puts the archive's files in place: volumes, rootfs changes, log.  */
static int
unpack_files (ferry_engine_t *e, const struct ferry_container *c, json_object *rec, const char *staging,
              const struct ferry_restore_request *r, ferry_error_t *err)
{
  cleanup_free char *log = xasprintf ("%s/ctr.log", staging);
  /* The restored container's own log: its directory's ctr.log, or the
   * path of its --log-opt path, which only a trusted archive may name
   * (ferry_archive_record_privileges); none for a driver without a file.  */
  cleanup_free char *dest = ferry_container_log_path (e, c);

  if (! r->ignore_volumes && fill_volumes (e, rec, staging, err) < 0)
    return -1;
  /* Without :O a --rootfs container writes into its host directory,
   * which an archive never changes: it carries no changes for it.  */
  if (! r->ignore_rootfs && ! (ferry_container_rootfs (rec) && ! ferry_container_rootfs_overlay (rec)))
    {
      cleanup_free char *odir = ferry_engine_overlay_dir (e, c->id);
      cleanup_free char *upper = xasprintf ("%s/upper", odir);
      cleanup_free char *tar = xasprintf ("%s/rootfs-diff.tar", staging);
      cleanup_free char *deleted = xasprintf ("%s/deleted.files", staging);
      if (ferry_rootfs_diff_apply (upper, tar, deleted, err) < 0)
        return -1;
    }
  if (dest && ferry_path_exists (log) && rename (log, dest) < 0)
    {
      /* Across file systems: copy.  */
      cleanup_free char *text = NULL;
      size_t len;
      if (ferry_read_file (log, &text, &len, err) < 0
          || ferry_write_file_atomic (dest, text, len, 0600, err) < 0)
        return -1;
    }
  return 0;
}

/* Makes the networks REC joins that this host lacks, from the definitions
 * the archive's network.status carries; their names go into OP's detail
 * first, so that undoing the import removes them.  The network.status,
 * checked, goes to *STATUS (NULL when REC joins no network), for its
 * tracked connections.  */
static int
adopt_networks (ferry_engine_t *e, json_object *rec, const char *staging, struct ferry_operation *op,
                struct ferry_cr_stats *stats, json_object **out_status, ferry_error_t *err)
{
  json_object *nets = ferry_json_get_object (rec, "Networks");
  cleanup_free char *path = xasprintf ("%s/network.status", staging);
  json_object *status = NULL;
  json_object *made = json_object_new_array ();

  json_object_object_add (op->detail, "networks", made);
  if (nets == NULL || json_object_object_length (nets) == 0)
    return 0;
  status = *out_status = ferry_json_parse_file (path, "network.status", err);
  if (status == NULL || ferry_network_conntrack_check (status, err) < 0)
    return -1;
  json_object_object_foreach (nets, name, unused)
  {
    json_object *def = ferry_json_get_object (ferry_json_get_object (status, name), "ferry_definition");
    cleanup_json json_object *here = NULL;
    cleanup_error ferry_error_t missing = NULL;
    int created = 0;

    (void) unused;
    if (ferry_network_get (e, name, &here, &missing) == 0)
      {
        /* There: it must be the same network.  */
        if (def && ferry_network_adopt (e, name, def, &created, err) < 0)
          return -1;
        continue;
      }
    if (missing->kind != FERRY_ERROR_NOT_FOUND)
      {
        *err = steal_pointer (&missing);
        return -1;
      }
    if (def == NULL)
      {
        if (strcmp (name, FERRY_DEFAULT_NETWORK) == 0)
          continue;
        return ferry_make_error (
            err, 0,
            "the archive joins network %s, which this host lacks and the archive does not "
            "define: create it (ferry network create %s)",
            name, name);
      }
    /* Recorded before it is made: a crash in between leaves a name to
     * try, never a network that was here before.  */
    {
      json_object *m = json_object_new_object ();
      json_object_object_add (m, "name", json_object_new_string (name));
      json_object_object_add (m, "id", json_object_new_string (ferry_json_get_string (def, "id")));
      json_object_array_add (made, m);
    }
    if (ferry_operation_advance (e, op, op->phase, err) < 0
        || ferry_network_adopt (e, name, def, &created, err) < 0)
      return -1;
    {
      size_t n = 0;
      while (stats->networks_made && stats->networks_made[n])
        n++;
      stats->networks_made = xrealloc (stats->networks_made, (n + 2) * sizeof (char *));
      stats->networks_made[n] = xstrdup (name);
      stats->networks_made[n + 1] = NULL;
    }
  }
  return ferry_operation_advance (e, op, op->phase, err);
}

/* restore --import -p: the mappings given instead of the recorded ones,
 * as Podman does.  */
static int
replace_ports (json_object *rec, char **publish, ferry_error_t *err)
{
  cleanup_json json_object *ports = json_object_new_array ();

  if (! ferry_network_record_bridge_mode (rec))
    return ferry_make_error (err, 0,
                             "--publish needs a container on a bridge network; this one's network is %s",
                             ferry_json_get_string (rec, "Network"));
  for (size_t i = 0; publish[i]; i++)
    if (ferry_ports_parse (publish[i], ports, err) < 0)
      return -1;
  if (ferry_ports_assign (ports, err) < 0)
    return -1;
  json_object_object_add (rec, "Ports", steal_pointer (&ports));
  return 0;
}

static void
release_keys (struct ferry_archive_keys *k)
{
  ferry_age_keys_free ((struct ferry_age_key *) k->identities, k->n);
}

static int
restore_import (ferry_engine_t *e, const struct ferry_restore_request *r, char **out_id,
                struct ferry_cr_stats *stats, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  cleanup_free char *ckroot = xasprintf ("%s/checkpoints", e->runroot);
  int from_stdin = strcmp (r->import_path, "-") == 0;
  cleanup_free char *staging = NULL;
  cleanup_free char *what = r->image     ? xasprintf ("checkpoint image %s", r->image)
                            : from_stdin ? xstrdup ("checkpoint archive on standard input")
                                         : xasprintf ("checkpoint archive `%s`", r->import_path);
  cleanup_free char *prefix = NULL, *tag = ferry_operation_owner_tag ();
  cleanup_json json_object *dump = NULL, *net_status = NULL, *podman = NULL;
  cleanup_close int fd = -1;
  cleanup_free char *pulled = NULL;
  struct ferry_container *c = NULL;
  struct ferry_operation op = { 0 };
  __attribute__ ((cleanup (ferry_trust_release))) struct ferry_trust trust = { 0 };
  __attribute__ ((cleanup (ferry_archive_proof_release))) struct ferry_archive_proof proof = { 0 };
  struct ferry_restore_request trusted = *r;
  __attribute__ ((cleanup (release_keys))) struct ferry_archive_keys keys = { NULL, 0 };
  struct ferry_age_key *identities = NULL;
  const char *id;
  json_object *rec;
  int ret = -1, signed_by;

  if (r->name && ! ferry_container_name_is_valid (r->name))
    return ferry_make_error (err, 0,
                             "invalid container name `%s` for --name: names must match "
                             "[a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument",
                             r->name);
  /* The keys first: a key that cannot be read stops the restore before
   * the archive is.  */
  if (ferry_trust_load (e, r->verify_keys, &trust, err) < 0)
    return -1;
  if (r->decrypt_key && ferry_age_identities_load (r->decrypt_key, &identities, &keys.n, err) < 0)
    return -1;
  keys.identities = identities;
  /* --import -: the archive is read, checked and staged as it arrives.  */
  fd = from_stdin ? fcntl (r->import_fd ? r->import_fd : STDIN_FILENO, F_DUPFD_CLOEXEC, 3)
                  : open (r->import_path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open %s", what);
  /* The owner's tag in its name: a sweep removes it once its owner is
   * gone, whatever happens before the operation is recorded.  */
  prefix = xasprintf ("import-%s-", tag);
  if (ferry_mkdir_p (ckroot, 0700, err) < 0 || (staging = ferry_mkdtemp_in (ckroot, prefix, err)) == NULL)
    return -1;
  /* Decrypted as it is read: the plaintext lands in the staging
   * directory in the runroot only.  */
  if (ferry_archive_extract_proven (fd, &keys, staging, archive_entry_allowed, FERRY_ARCHIVE_UNVERIFIED_OK,
                                    what, &proof, err)
      < 0)
    {
      /* Podman's words for an archive file it cannot unpack come first.  */
      if (! from_stdin && r->image == NULL)
        ferry_error_wrap (err, "failed extracting runtime information from %s", r->import_path);
      goto out;
    }
  ferry_fault_point ("import-staged");
  /* Signed by a trusted key: the archive restores as recorded.  */
  signed_by = ferry_trust_check (&trust, &proof, what, NULL, err);
  if (signed_by < 0)
    goto out;
  if (signed_by)
    trusted.trust_archive = 1;
  trusted.plain_default_sysctls = e->config.default_sysctls;
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
  /* No manifest: Podman's, whose configuration becomes a record; a ferry
   * record without its manifest was cut or tampered with.  */
  if (proof.unverified)
    {
      if (rec != NULL || ! json_object_is_type (dump, json_type_object))
        {
          ferry_make_error (err, 0, "%s has no manifest.json: it is truncated, or was tampered with", what);
          goto out;
        }
      podman = ferry_podman_archive_record (e, dump, staging, what, err);
      if (podman == NULL || ferry_podman_archive_stage (staging, err) < 0)
        goto out;
      rec = podman;
      stats->unverified = 1;
    }
  /* Before anything is created: the record names paths, rows and mounts
   * (and a missing record is an archive ferry did not write).  */
  if (ferry_archive_record_check (rec, &trusted, err) < 0)
    goto out;
  if (r->name)
    {
      cleanup_free char *new_id = ferry_random_hex (32);
      json_object_object_add (rec, "Id", json_object_new_string (new_id));
      json_object_object_add (rec, "Name", json_object_new_string (r->name));
    }
  /* A program named by an archive is not one to run: the container is
   * this ferry's runtime's from now on.  */
  json_object_object_add (rec, "OCIRuntime", json_object_new_string (e->runtime.requested));
  /* A copy (--name) gets addresses of its own; the same container asks
   * for those it had, unless told otherwise.  */
  {
    json_object *nets = ferry_json_get_object (rec, "Networks");
    json_object *none = json_object_new_object ();
    json_object_object_foreach (nets ? nets : none, unused, att)
    {
      (void) unused;
      if (r->name || r->ignore_static_ip)
        {
          json_object_object_del (att, "IP");
          json_object_object_del (att, "IPv6");
        }
      if (r->name || r->ignore_static_mac)
        json_object_object_del (att, "MAC");
    }
    json_object_put (none);
  }
  if (r->publish && replace_ports (rec, r->publish, err) < 0)
    goto out;
  id = ferry_json_get_string (rec, "Id");
  if (check_import_aliases (e, rec, &trusted, what, err) < 0)
    goto out;
  if (check_space (e, staging, r, what, err) < 0)
    goto out;
  if (check_import (e, rec, r, &pulled, err) < 0)
    {
      remove_pulled (e, pulled);
      goto out;
    }
  /* Held until the state says running: conmon's cleanup of a process that
   * exits at once must find it so, not "created".  Another restore of the
   * same archive may have made the container meanwhile.  */
  lock = ferry_container_lock (e, id, err);
  if (lock < 0 || ferry_container_taken (e, ferry_json_get_string (rec, "Name"), id))
    {
      if (lock >= 0)
        ferry_make_error_kind (
            err, FERRY_ERROR_EXISTS,
            "creating container storage: that name or ID is already in use: a container with the "
            "name or ID of the checkpointed one (%s) already exists on this host: remove it, or "
            "restore under a new name with --name",
            ferry_json_get_string (rec, "Name"));
      remove_pulled (e, pulled);
      goto out;
    }
  if (ferry_operation_begin (e, &op, id, FERRY_OPERATION_IMPORT, PHASE_RESTORING,
                             import_detail (staging, r, pulled), err)
      < 0)
    {
      remove_pulled (e, pulled);
      goto out;
    }
  if (adopt_networks (e, rec, staging, &op, stats, &net_status, err) < 0)
    goto fail;
  ferry_fault_point ("import-networks-made");
  if (ferry_container_insert (e, ferry_json_get_string (rec, "ImageID"), rec, &op, err) < 0)
    {
      if ((*err)->kind == FERRY_ERROR_IN_USE)
        ferry_error_wrap (
            err, "%s: restore with --ignore-static-ip for another address, or as a copy with --name", what);
      goto fail;
    }
  if (ferry_container_find (e, id, &c, err) < 0)
    goto fail;
  ferry_fault_point ("import-created");
  if (unpack_files (e, c, rec, staging, r, err) < 0)
    goto fail;
  ferry_fault_point ("import-unpacked");
  {
    cleanup_free char *images = xasprintf ("%s/checkpoint", staging);
    cleanup_free char *devshm = xasprintf ("%s/devshm-checkpoint.tar", staging);
    int launched;

    c->conntrack = r->tcp_established ? net_status : NULL;
    launched = launch_restored (e, c, images, devshm, r, stats, err);
    c->conntrack = NULL;
    if (launched < 0)
      goto fail;
  }
  ferry_fault_point ("import-launched");
  if (r->handover)
    {
      int keep;

      if (ferry_operation_advance (e, &op, PHASE_HANDOVER, err) < 0)
        goto fail;
      ferry_fault_point ("import-handover");
      keep = r->handover (c->id, r->handover_arg, err);
      if (keep == 0)
        ferry_make_error (err, 0, "the container was not to stay");
      if (keep <= 0)
        goto fail;
      ferry_fault_point ("import-kept");
    }
  if (restore_forward (e, c, &op, err) < 0)
    goto out;
  restore_stats (e, c, stats);
  restore_drop_logs (e, c, r->keep);
  *out_id = xstrdup (c->id);
  ret = 0;
  goto out;

fail:
  {
    cleanup_error ferry_error_t ignored = NULL;
    restore_back (e, &op, &ignored);
  }
  stop_lazy_pages (r);
out:
  ferry_operation_release (&op);
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
  ferry_crypto_preload ();
  if (r->import_path)
    ret = restore_import (e, r, id, stats, err);
  else
    ret = restore_in_place (e, ref, r, id, stats, err);
  stats->total_us = ferry_time_monotonic_us () - t0;
  if (ret == 0 && *id)
    {
      struct ferry_container *c = NULL;
      cleanup_error ferry_error_t ignored = NULL;

      if (ferry_container_lookup (e, *id, &c, &ignored) == 0)
        ferry_container_event (e, c, "restore");
      ferry_container_free (c);
    }
  return ret;
}
