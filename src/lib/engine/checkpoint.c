/* ferry: checkpoint and restore, in place and through archives.  */
#include "ns_modes.h"
#include "userns.h"
#include "checkpoint.h"
#include "image_mount.h"
#include "checkpoint_image.h"
#include "internal.h"
#include "migrate.h"
#include "network.h"
#include "operation.h"
#include "volume.h"
#include "../archive/archive.h"
#include "../archive/criu_stats.h"
#include "../archive/prepack.h"
#include "../image/reference.h"
#include "../network/netns.h"
#include "../runtime/mount_options.h"
#include "../runtime/runtime.h"
#include "../state/lock.h"
#include "../storage/dirtar.h"
#include "../storage/overlay.h"
#include "../storage/rootfs_diff.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "../util/process.h"
#include "../util/sign.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void
ferry_cr_stats_release (struct ferry_cr_stats *s)
{
  json_object_put (s->criu);
  s->criu = NULL;
  for (size_t i = 0; s->networks_made && s->networks_made[i]; i++)
    free (s->networks_made[i]);
  free (s->networks_made);
  s->networks_made = NULL;
}

int
ferry_checkpoint_precopy (ferry_error_t *err)
{
  if (! ferry_runtime_criu_has_dirty_tracking ())
    return ferry_make_error (err, 0,
                             "pre-copy (--pre-checkpoint) needs the kernel's soft-dirty page tracking, which "
                             "this kernel lacks (`criu check --feature mem_dirty_track` fails): checkpoint "
                             "without it");
  return ferry_make_error (err, 0,
                           "pre-copy (--pre-checkpoint) is not supported by ferry: checkpoint without it");
}

/* Podman's words for an export file that cannot be made: Go's "open
 * PATH: " and the system's reason as Go words it, in lower case.  */
static int
export_file_error (ferry_error_t *err, int errno_, const char *path)
{
  char reason[256];

  snprintf (reason, sizeof (reason), "%s", strerror (errno_));
  reason[0] = (char) tolower ((unsigned char) reason[0]);
  return ferry_make_error (err, 0, "creating checkpoint export file \"%s\": open %s: %s", path, path, reason);
}

/* ---- what goes into an archive ------------------------------------------- */

/* Whether OPTIONS hold A or B.  */
static int
options_have (json_object *options, const char *a, const char *b)
{
  for (size_t i = 0; i < ferry_json_array_length (options); i++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (options, i));
      if (o && (strcmp (o, a) == 0 || strcmp (o, b) == 0))
        return 1;
    }
  return 0;
}

/* What Podman's restore reads of its own container config (libpod's keys)
 * to make the container again: its network namespace made anew (the
 * images have it external), volumes, command and settings.  */
static void
add_podman_config (json_object *o, const struct ferry_container *c)
{
  json_object *rec = c->record;
  json_object *mounts = ferry_json_get_array (rec, "Mounts");
  json_object *volumes = json_object_new_array ();
  json_object *nets = ferry_json_get_object (rec, "Networks");
  const char *user = ferry_json_get_string (rec, "User");
  static const struct
  {
    const char *from, *to;
  } copied[] = {
    { "Cmd", "command" },
    { "Entrypoint", "entrypoint" },
    { "Labels", "labels" },
    { "ShmSize", "shmSize" },
    { "StopSignal", "stopSignal" },
    { "StopTimeout", "stopTimeout" },
    { "Hostname", "hostname" },
    { "OpenStdin", "stdin" },
    { "Privileged", "privileged" },
    { "ImageName", "rawImageName" },
    /* Not LogPath: the log's place on the host Podman restores on is
     * Podman's to choose.  */
    { "LogDriver", "logDriver" },
    { "LogTag", "logTag" },
    { "LogSize", "logSize" },
  };

  for (size_t i = 0; i < sizeof (copied) / sizeof (copied[0]); i++)
    {
      json_object *v = json_object_object_get (rec, copied[i].from);
      if (v)
        json_object_object_add (o, copied[i].to, json_object_get (v));
    }
  if (user && *user)
    json_object_object_add (o, "user", json_object_new_string (user));
  json_object_object_add (o, "createNetNS",
                          json_object_new_boolean (! ferry_json_string_equals (rec, "Network", "host")));
  if (ferry_json_string_equals (rec, "Network", "bridge") && nets)
    {
      json_object *pn = json_object_new_object ();
      int place = 0;

      json_object_object_foreach (nets, name, att)
      {
        json_object *opts = json_object_new_object ();
        const char *ip = ferry_json_get_string (att, "IP"), *mac = ferry_json_get_string (att, "MAC");
        const char *iface = ferry_json_get_string (att, "Interface");
        cleanup_free char *ifname = iface ? xstrdup (iface) : xasprintf ("eth%d", place);

        place++;
        json_object_object_add (opts, "interface_name", json_object_new_string (ifname));
        if (ferry_json_get_array (att, "Aliases"))
          json_object_object_add (opts, "aliases", json_object_get (ferry_json_get_array (att, "Aliases")));
        if (ferry_json_get_object (att, "Options"))
          json_object_object_add (opts, "options", json_object_get (ferry_json_get_object (att, "Options")));
        if (ip)
          {
            json_object *ips = json_object_new_array ();
            json_object_array_add (ips, json_object_new_string (ip));
            if (ferry_json_get_string (att, "IPv6"))
              json_object_array_add (ips, json_object_new_string (ferry_json_get_string (att, "IPv6")));
            json_object_object_add (opts, "static_ips", ips);
          }
        if (mac)
          json_object_object_add (opts, "static_mac", json_object_new_string (mac));
        json_object_object_add (pn, name, opts);
      }
      json_object_object_add (o, "networkMode", json_object_new_string ("bridge"));
      json_object_object_add (o, "newNetworks", pn);
    }
  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      json_object *v, *opts, *given = ferry_json_get_array (m, "Options");
      int rw = json_object_get_boolean (json_object_object_get (m, "RW")), propagation_given = 0;

      if (! ferry_json_string_equals (m, "Type", "volume"))
        continue;
      v = json_object_new_object ();
      opts = json_object_new_array ();
      /* As Podman writes them: the options given, then the defaults
       * they leave unset.  */
      for (size_t k = 0; k < ferry_json_array_length (given); k++)
        {
          const char *word = json_object_get_string (json_object_array_get_idx (given, k));
          if (word && (ferry_mount_flag_is_valid (word) || ferry_mount_propagation_is_valid (word)))
            {
              json_object_array_add (opts, json_object_new_string (word));
              propagation_given |= ferry_mount_propagation_is_valid (word);
            }
        }
      json_object_array_add (opts, json_object_new_string (rw ? "rw" : "ro"));
      if (! propagation_given)
        json_object_array_add (opts, json_object_new_string ("rprivate"));
      if (! options_have (given, "suid", "nosuid"))
        json_object_array_add (opts, json_object_new_string ("nosuid"));
      if (! options_have (given, "dev", "nodev"))
        json_object_array_add (opts, json_object_new_string ("nodev"));
      json_object_array_add (opts, json_object_new_string ("rbind"));
      json_object_object_add (v, "volumeName", json_object_get (json_object_object_get (m, "Name")));
      json_object_object_add (v, "dest", json_object_get (json_object_object_get (m, "Destination")));
      json_object_object_add (v, "options", opts);
      json_object_array_add (volumes, v);
    }
  json_object_object_add (o, "namedVolumes", volumes);
}

/* The record checkpointctl reads (its keys, as Podman writes them), what
 * Podman's restore reads besides, and ferry's own record under "ferry".  */
static char *
config_dump (ferry_engine_t *e, const struct ferry_container *c, const char *criu_version)
{
  cleanup_json json_object *o = json_object_new_object ();
  cleanup_free char *now = ferry_time_now ();

  json_object_object_add (o, "id", json_object_new_string (c->id));
  json_object_object_add (o, "name", json_object_new_string (c->name));
  json_object_object_add (o, "rootfsImage", json_object_new_string (c->image_id));
  json_object_object_add (o, "rootfsImageRef", json_object_new_string (c->image_id));
  json_object_object_add (o, "rootfsImageID", json_object_new_string (c->image_id));
  json_object_object_add (o, "rootfsImageName",
                          json_object_new_string (ferry_json_get_string (c->record, "ImageName")));
  json_object_object_add (o, "runtime", json_object_new_string (ferry_engine_runtime_or_own (e, c)->name));
  json_object_object_add (o, "createdTime", json_object_new_string (c->created));
  json_object_object_add (o, "checkpointedTime", json_object_new_string (now));
  json_object_object_add (o, "restoredTime", json_object_new_string ("0001-01-01T00:00:00Z"));
  json_object_object_add (o, "restored", json_object_new_boolean (0));
  if (criu_version)
    json_object_object_add (o, "criuVersion", json_object_new_string (criu_version));
  add_podman_config (o, c);
  json_object_object_add (o, "ferry", json_object_get (c->record));
  return xstrdup (ferry_json_to_string (o, 1));
}

/* The runtime spec as the archive carries it.  The layout is Podman's, and
 * checkpointctl reads an archive the Podman way (container name from
 * config.dump) only when the spec says io.container.manager=libpod;
 * otherwise it shows no name.  */
static char *
spec_dump (ferry_engine_t *e, const struct ferry_container *c, const char *path, ferry_error_t *err)
{
  cleanup_json json_object *spec = ferry_json_parse_file (path, "the container's config.json", err);
  json_object *ann, *sm, *mounts = ferry_json_get_array (c->record, "Mounts");
  const char *volumes
      = e->config.podman_volume_path ? e->config.podman_volume_path : FERRY_CONFIG_PODMAN_VOLUME_PATH;

  if (spec == NULL)
    return NULL;
  /* Podman binds a volume from the source this names, as it stands,
   * after it made the volume and filled it from the archive.  */
  sm = ferry_json_get_array (spec, "mounts");
  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      const char *name = ferry_json_get_string (m, "Name");

      if (! ferry_json_string_equals (m, "Type", "volume") || name == NULL)
        continue;
      for (size_t k = 0; k < ferry_json_array_length (sm); k++)
        {
          json_object *s = json_object_array_get_idx (sm, k);
          if (ferry_json_string_equals (s, "destination", ferry_json_get_string (m, "Destination")))
            {
              cleanup_free char *source = xasprintf ("%s/%s/_data", volumes, name);
              json_object_object_add (s, "source", json_object_new_string (source));
            }
        }
    }
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
      if (! ferry_json_string_equals (m, "Type", "volume"))
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
  /* Without :O a --rootfs container's root is the host directory itself,
   * which stays where it is: there are no changes of its own to carry, as
   * in Podman's archive.  */
  if (! r->ignore_rootfs
      && ! (ferry_container_rootfs (c->record) && ! ferry_container_rootfs_overlay (c->record)))
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
 * renamed into place only when complete and synced.  Its name is chosen
 * and recorded in the operation before the file is made.  */
struct export
{
  const char *tmp;
  /* Encrypted to these (age); none: plain.  */
  struct ferry_age_key *recipients;
  size_t n_recipients;
  const char *criu_version; /* for config.dump; may be NULL */
  /* --export naming a device, a FIFO or a link to one: written there as
   * a stream (-1: none).  */
  int in_place;
  int fd;
  ferry_archive_writer_t *w;
};

static void
export_close (struct export *x)
{
  ferry_archive_writer_free (x->w);
  x->w = NULL;
  if (x->fd >= 0)
    close (x->fd);
  x->fd = -1;
  if (x->in_place >= 0)
    close (x->in_place);
  x->in_place = -1;
}

/* Opens the archive and writes what was taken before the dump: spec,
 * record, rootfs changes, volumes, /dev/shm, log.  */
/* What netavark reported for each network (rebuilt from the record: the
 * address and MAC it holds), each network's definition, and with
 * --tcp-established the host's tracked connections into the container.  */
static int
add_network_status (ferry_engine_t *e, const struct ferry_container *c,
                    const struct ferry_checkpoint_request *r, ferry_archive_writer_t *w, ferry_error_t *err)
{
  cleanup_json json_object *status = ferry_network_status_json (e, c->record, err);
  cleanup_free char *text = NULL;

  if (status == NULL)
    return -1;
  /* Frozen now: the connections it has are the ones it will have.  */
  if (r->tcp_established && ferry_network_conntrack_save (c->record, status, err) < 0)
    return -1;
  text = xasprintf ("%s\n", ferry_json_to_string (status, 1));
  return ferry_archive_writer_add_data (w, "network.status", text, strlen (text), err);
}

static int
export_begin (ferry_engine_t *e, const struct ferry_container *c, const struct ferry_checkpoint_request *r,
              const char *work, EVP_PKEY *sign_key, struct export *x, ferry_error_t *err)
{
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, c->id);
  cleanup_free char *spec = xasprintf ("%s/config.json", bundle);
  /* Where the container's log is (--log-opt path), none with a driver
   * that keeps no file.  */
  cleanup_free char *log = ferry_container_log_path (e, c);
  cleanup_free char *config = config_dump (e, c, x->criu_version);
  cleanup_free char *spec_text = spec_dump (e, c, spec, err);
  cleanup_free char *vdir = xasprintf ("%s/volumes", work);
  static const char *const work_files[]
      = { "rootfs-diff.tar", "deleted.files", "devshm-checkpoint.tar", NULL };
  size_t i;

  if (spec_text == NULL)
    return -1;
  if (x->tmp == NULL)
    {
      /* --export -: standard output, whatever it is.  */
      x->fd = fcntl (x->in_place >= 0 ? x->in_place
                     : r->export_fd   ? r->export_fd
                                      : STDOUT_FILENO,
                     F_DUPFD_CLOEXEC, 3);
      if (x->fd < 0)
        return ferry_make_error (err, errno, "cannot write the checkpoint archive to standard output");
    }
  else
    {
      x->fd = open (x->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (x->fd < 0)
        return export_file_error (err, errno, r->export_path);
      if (fchmod (x->fd, 0600) < 0)
        return ferry_make_error (err, errno, "cannot set the mode of `%s`", x->tmp);
    }
  x->w = ferry_archive_writer_new (x->fd, r->compression, 0, err);
  if (x->w == NULL)
    return -1;
  /* A migration's pipe goes to a ferry: CRIU's pages go out in parts as
   * they are dumped, not after the dump.  */
  if (r->handover)
    ferry_archive_writer_stream_in_parts (x->w);
  if (x->n_recipients && ferry_archive_writer_encrypt (x->w, x->recipients, x->n_recipients, err) < 0)
    return -1;
  if (sign_key)
    ferry_archive_writer_set_signing_key (x->w, sign_key);
  if (ferry_archive_writer_add_data (x->w, "spec.dump", spec_text, strlen (spec_text), err) < 0
      || ferry_archive_writer_add_data (x->w, "config.dump", config, strlen (config), err) < 0
      || add_network_status (e, c, r, x->w, err) < 0)
    return -1;
  for (i = 0; work_files[i]; i++)
    {
      cleanup_free char *path = xasprintf ("%s/%s", work, work_files[i]);
      if (add_if_present (x->w, work_files[i], path, err) < 0)
        return -1;
    }
  if (ferry_path_exists (vdir) && ferry_archive_writer_add_dir (x->w, "volumes", vdir, err) < 0)
    return -1;
  if (log && add_if_present (x->w, "ctr.log", log, err) < 0)
    return -1;
  /* Before any streamed page image: readers create it as they go.  */
  return ferry_archive_writer_add_directory (x->w, "checkpoint", err);
}

/* Adds the rest of CRIU's images and its statistics, closes the archive
 * and syncs it: from here it is whole, under its temporary name.  */
static int
export_seal (const struct ferry_checkpoint_request *r, const char *work, const char *images, struct export *x,
             ferry_error_t *err)
{
  cleanup_free char *stats = xasprintf ("%s/stats-dump", work);

  if (ferry_archive_writer_add_dir (x->w, "checkpoint", images, err) < 0
      || add_if_present (x->w, "stats-dump", stats, err) < 0 || ferry_archive_writer_finish (x->w, err) < 0)
    return -1;
  ferry_archive_writer_free (x->w);
  x->w = NULL;
  /* A stream is the reader's to keep.  */
  if (x->tmp && fsync (x->fd) < 0)
    return ferry_make_error (err, errno, "cannot write checkpoint archive `%s`", r->export_path);
  close (x->fd);
  x->fd = -1;
  return 0;
}

static int
export_commit (const struct ferry_checkpoint_request *r, const struct export *x, ferry_error_t *err)
{
  cleanup_free char *dir_copy = xstrdup (r->export_path);
  cleanup_error ferry_error_t ignored = NULL;

  if (rename (x->tmp, r->export_path) < 0)
    return ferry_make_error (err, errno, "creating checkpoint export file \"%s\"", r->export_path);
  ferry_fsync_path (dirname (dir_copy), &ignored);
  return 0;
}

/* CRIU's log is in the work dir, which a failure removes: keep it with
 * the container (it goes when the container does) and say what CRIU
 * said, in one line.  On a full disk the copy may fail: what CRIU said
 * is told all the same, and that the disk is full.  */
static void
explain_dump_failure (ferry_engine_t *e, const struct ferry_container *c, const char *work,
                      ferry_error_t *err)
{
  cleanup_free char *log = xasprintf ("%s/dump.log", work);
  cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *kept = xasprintf ("%s/dump.log", cdir);
  cleanup_free char *text = NULL, *criu = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  bool is_kept;
  size_t len;

  if (ferry_read_file (log, &text, &len, &ignored) < 0)
    {
      ferry_error_release (&ignored);
      free ((*err)->msg);
      (*err)->msg = xasprintf ("CRIU could not checkpoint container %s, and left no log", c->name);
      if (ferry_fs_is_full (work))
        (*err)->status = ENOSPC;
      return;
    }
  is_kept = ferry_write_file_atomic (kept, text, len, 0600, &ignored) == 0;
  criu = ferry_runtime_criu_log_errors (log);
  free ((*err)->msg);
  (*err)->msg = xasprintf ("CRIU could not checkpoint container %s%s%s (log: %s)", c->name, criu ? ": " : "",
                           criu ? criu : "", is_kept ? kept : "not kept");
  if (strstr (text, "No space left on device") || (ignored && ignored->status == ENOSPC)
      || ferry_fs_is_full (work))
    (*err)->status = ENOSPC;
}

/* Kills a frozen container and waits for conmon to see it go.  */
static void
stop_frozen (ferry_engine_t *e, struct ferry_container *c)
{
  cleanup_error ferry_error_t err = NULL;

  ferry_runtime_kill_frozen (ferry_engine_runtime_or_own (e, c), c->id, c->pid, &err);
  ferry_container_wait_exit_file (e, c, 30000);
}

/* ---- the operation: phases, forward and back ------------------------------
 *
 * A checkpoint records, before it touches the container: the export path,
 * the temporary archive's name ("tmp"), its work directory ("work": CRIU's
 * images and the files taken while frozen), and its options; then the
 * runtime's process group ("helper_pgid") before the runtime runs.
 *
 *   dumping     the container may be frozen, CRIU may be running, the
 *               temporary archive is incomplete.
 *               Back: kill what is left of the runtime and CRIU, thaw,
 *               remove the temporary archive and the work directory.
 *               In place without -R, CRIU ends the container only after a
 *               complete dump: if it is gone and the images are complete
 *               (in the work directory, or already kept), forward.  In
 *               place, the work directory is beside the last checkpoint's
 *               images, which stay until the new ones are kept.
 *   committing  the archive is whole and synced under its temporary name,
 *               and is being renamed.  Forward when the rename happened
 *               (the temporary name is gone), back otherwise.  A stream
 *               (--export -, recorded as export "-" with no temporary
 *               name) is whole once written: forward.  A migration's
 *               stream (detail "migrate") is not the container's new home
 *               until the target runs it: back.  With --create-image
 *               (detail "image") the archive becomes the image's layer,
 *               then its name goes: forward once it is gone, back
 *               otherwise (an image made just before the kill stays: it is
 *               whole).
 *   handover    (migrate) the archive is whole and the target may run the
 *               container, and may have been told to keep it.  The target
 *               knows the outcome:
 *               asked (engine/migrate.h), forward when it kept it, back
 *               when it undid it, and left recorded, the container frozen,
 *               while it cannot be asked.
 *   dumped      the archive (or the in-place images) is complete.
 *               Forward: without -R the container is ended and recorded
 *               checkpointed; with -R it is thawed; the images in place,
 *               or with -k, become the container's;
 *               with "remove" (migrate) the container is removed.
 */

#define PHASE_DUMPING "dumping"
#define PHASE_COMMITTING "committing"
#define PHASE_DUMPED "dumped"
#define PHASE_HANDOVER "handover"

/* The temporary archive the record names, if it is one ferry makes: a
 * ".checkpoint.ferry-tmp-<hex>" beside the export path.  */
static const char *
checkpoint_tmp (const struct ferry_operation *op)
{
  static const char prefix[] = ".checkpoint.ferry-tmp-";
  const char *tmp = ferry_json_get_string (op->detail, "tmp");
  const char *export_path = ferry_json_get_string (op->detail, "export");
  cleanup_free char *a = NULL, *b = NULL;
  const char *base;

  if (tmp == NULL || export_path == NULL)
    return NULL;
  base = strrchr (tmp, '/');
  base = base ? base + 1 : tmp;
  if (strncmp (base, prefix, sizeof (prefix) - 1) != 0
      || strspn (base + sizeof (prefix) - 1, "0123456789abcdef") != strlen (base + sizeof (prefix) - 1))
    return NULL;
  a = xstrdup (tmp);
  b = xstrdup (export_path);
  return strcmp (dirname (a), dirname (b)) == 0 ? tmp : NULL;
}

/* The work directory the record names, if ferry could have made it: a
 * dump-<owner>-<random> directory in the container's directory (in place,
 * or an export with -k) or under <runroot>/checkpoints.  */
static const char *
checkpoint_work (ferry_engine_t *e, const struct ferry_operation *op)
{
  cleanup_free char *cdir = ferry_engine_container_dir (e, op->container_id);
  cleanup_free char *ckroot = xasprintf ("%s/checkpoints", e->runroot);
  const char *p;

  if (ferry_json_get_string (op->detail, "export") == NULL)
    return ferry_operation_path_in (op, "work", cdir, "dump-");
  p = ferry_operation_path_in (op, "work", ckroot, "dump-");
  return p ? p : ferry_operation_path_in (op, "work", cdir, "dump-");
}

/* The images, CRIU's log and statistics and /dev/shm of a checkpoint in
 * place (or an export with -k) become the container's, in place of the
 * last ones only now, when the new ones are complete.  The last images
 * go aside into WORK (and with it) only by a rename, so that neither set
 * is ever lost: a failure puts them back, and a kill leaves both in WORK,
 * where the settle's forward finds the new ones still to be kept.  /dev/shm
 * goes first, since the images in WORK are what says the swap is not
 * done.  */
static int
keep_images (ferry_engine_t *e, const struct ferry_container *c, const char *work, int keep_log,
             ferry_error_t *err)
{
  cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *images = xasprintf ("%s/checkpoint", work);
  cleanup_free char *aside = xasprintf ("%s/checkpoint.last", work);
  cleanup_free char *kept = xasprintf ("%s/checkpoint", cdir);
  cleanup_free char *log = xasprintf ("%s/dump.log", work);
  cleanup_free char *klog = xasprintf ("%s/dump.log", images);
  cleanup_free char *stats = xasprintf ("%s/stats-dump", work);
  cleanup_free char *kstats = xasprintf ("%s/stats-dump", images);
  cleanup_free char *shm = xasprintf ("%s/devshm-checkpoint.tar", work);
  cleanup_free char *kshm = xasprintf ("%s/devshm-checkpoint.tar", cdir);
  cleanup_error ferry_error_t ignored = NULL;
  int saved;

  /* Kept already, by a forward that could not record its end.  */
  if (! ferry_path_exists (images))
    return 0;
  /* CRIU's log only when asked (--keep), as Podman keeps it: inspect's
   * CheckpointLog shows it while it is there.  */
  if (keep_log)
    rename (log, klog);
  else
    unlink (log);
  rename (stats, kstats);
  if (ferry_path_exists (shm) && rename (shm, kshm) < 0)
    goto fail;
  if (ferry_path_exists (kept))
    {
      /* Aside already (a kill after it) only when the last ones are not
       * in place: what is in place now is older still.  */
      if (ferry_rm_rf (aside, &ignored) < 0 || rename (kept, aside) < 0)
        goto fail;
    }
  ferry_fault_point ("checkpoint-images-aside");
  if (rename (images, kept) < 0)
    {
      saved = errno;
      if (! ferry_path_exists (kept))
        rename (aside, kept);
      errno = saved;
      goto fail;
    }
  return 0;

fail:
  return ferry_make_error (err, errno,
                           "the checkpoint of container %s is complete, but cannot be kept in `%s` (the next "
                           "ferry command tries again)",
                           c->name, kept);
}

/* The new state is complete: end the container (or thaw it, with -R),
 * record it checkpointed, and end the operation.  */
static int
checkpoint_forward (ferry_engine_t *e, struct ferry_container *c, const struct ferry_operation *op,
                    ferry_error_t *err)
{
  const char *export_path = ferry_json_get_string (op->detail, "export");
  const char *work = checkpoint_work (e, op);

  if (ferry_operation_detail_bool (op, "leave_running"))
    {
      cleanup_error ferry_error_t ignored = NULL;
      ferry_runtime_resume (ferry_engine_runtime_or_own (e, c), c->id, c->pid, &ignored);
    }
  else
    {
      if (export_path)
        {
          /* Off its networks first: the sockets that die with it must
           * not tell their peers (a FIN would end a connection that the
           * restored container is to carry on).  */
          ferry_container_teardown_network (e, c);
          stop_frozen (e, c);
        }
      else /* CRIU ended it.  */
        ferry_container_wait_exit_file (e, c, 30000);
      /* Before the teardown: images in place keep the network attached
       * for their restore.  */
      /* Not kept: the record stays for the next command's settle, which
       * tries again, and WORK with both sets of images.  */
      if (export_path == NULL && work
          && keep_images (e, c, work, ferry_operation_detail_bool (op, "keep"), err) < 0)
        return -1;
      c->status = FERRY_CONTAINER_EXITED;
      c->exit_code = 0;
      c->pid = 0;
      free (c->finished_at);
      c->finished_at = ferry_time_now ();
      /* Checkpointed first: images in place keep the network attached
       * for their restore.  */
      free (c->checkpointed_at);
      c->checkpointed_at = ferry_time_now ();
      /* No longer the run a restore started, as Podman's RestoredAt and
       * Restored say.  */
      free (c->restored_at);
      c->restored_at = xstrdup ("");
      ferry_container_teardown (e, c);
    }
  free (c->checkpointed_at);
  c->checkpointed_at = ferry_time_now ();
  if (work
      && ((export_path && ferry_operation_detail_bool (op, "keep"))
          || (export_path == NULL && ferry_operation_detail_bool (op, "leave_running")))
      && keep_images (e, c, work, ferry_operation_detail_bool (op, "keep"), err) < 0)
    return -1;
  /* The dump's directory goes while the record still names it: killed
   * after the record's end, nothing would (its images are a container's
   * memory), and a settle's forward needs nothing in it once the images
   * are kept.  */
  if (work)
    ferry_rm_rf_quietly (work);
  if (ferry_operation_end_with (e, c, op, err) < 0)
    return ferry_error_wrap (err,
                             "container %s is checkpointed, but that cannot be recorded yet (the next ferry "
                             "command records it)",
                             c->name);
  ferry_fault_point ("checkpoint-ended");
  /* Migrated: the target has it.  A crash before this leaves it stopped
   * and checkpointed here, which the user removes.  */
  if (ferry_operation_detail_bool (op, "remove") && ! ferry_operation_detail_bool (op, "leave_running")
      && ferry_container_remove_locked (e, c, 1, 0, 0, err) < 0)
    return ferry_error_wrap (err, "container %s runs on the target, but its stopped copy here remains",
                             c->name);
  return 0;
}

static const char *const HELPERS[] = { "runc", "crun", "criu", NULL };

/* The runtime's process group OP recorded, or 0 when its number is now
 * another group's: PIDs come round again (32768 of them on some hosts),
 * and a settle may come long after, or after a reboot, when a group led
 * by another engine's runc can have it.  The group's leader, while it
 * lives, started when the record says.  */
static pid_t
helper_group (const struct ferry_operation *op)
{
  int64_t pgid = ferry_json_get_int (op->detail, "helper_pgid", 0);
  int64_t start = ferry_json_get_int (op->detail, "helper_start", 0);
  struct ferry_process_info leader;

  if (pgid <= 1 || pgid >= INT32_MAX)
    return 0;
  if (start > 0 && ferry_process_info ((pid_t) pgid, &leader) == 0 && leader.state != 'Z'
      && leader.start_time != (unsigned long long) start)
    return 0;
  return (pid_t) pgid;
}

/* The runtime's process group OP recorded, left to end by itself for up to
 * FERRY_RUNTIME_GRACE_MS: CRIU killed while it holds the container's
 * processes kills them too, and the watchdog of the ferry that died sees
 * that it does not block on a page FIFO (struct ferry_runtime_hook).  */
static void
helpers_wait (const struct ferry_operation *op)
{
  pid_t pgid = helper_group (op);
  long long deadline = ferry_time_monotonic_ms () + FERRY_RUNTIME_GRACE_MS;

  if (pgid == 0)
    return;
  while (ferry_process_group_count (pgid, HELPERS) > 0 && ferry_time_monotonic_ms () < deadline)
    usleep (10000);
}

/* Back to the state before: the container thawed and running as it was,
 * nothing of the checkpoint left.  */
static int
checkpoint_back (ferry_engine_t *e, const char *id, const struct ferry_operation *op, ferry_error_t *err)
{
  pid_t pgid = helper_group (op);
  const char *tmp = checkpoint_tmp (op);
  const char *work = checkpoint_work (e, op);
  cleanup_error ferry_error_t ignored = NULL;

  /* CRIU first: it holds the container's processes.  Killed only when it
   * does not end by itself (blocked on a page FIFO for good, the watchdog
   * gone too).  */
  helpers_wait (op);
  if (pgid)
    ferry_process_group_kill (pgid, HELPERS, 10000);
  if (ferry_runtime_resume (ferry_engine_runtime_or_own_id (e, id), id, 0, &ignored) < 0)
    ferry_error_release (&ignored);
  if (tmp)
    unlink (tmp);
  if (work)
    {
      cleanup_free char *cdir = ferry_engine_container_dir (e, id);
      cleanup_free char *aside = xasprintf ("%s/checkpoint.last", work);
      cleanup_free char *kept = xasprintf ("%s/checkpoint", cdir);

      /* The last images, set aside by a swap that did not finish.  */
      if (ferry_path_exists (aside) && ! ferry_path_exists (kept))
        rename (aside, kept);
      ferry_rm_rf_quietly (work);
    }
  return ferry_operation_end_with (e, NULL, op, err);
}

/* True when the container's process is gone (the runtime says stopped,
 * or knows it no more).  */
static int
container_process_gone (ferry_engine_t *e, const char *id)
{
  cleanup_error ferry_error_t err = NULL;
  struct ferry_runtime_state st;

  if (ferry_runtime_state (ferry_engine_runtime_or_own_id (e, id), id, &st, &err) < 0)
    return err->kind == FERRY_ERROR_NOT_FOUND;
  return strcmp (st.status, "stopped") == 0;
}

/* CRIU writes inventory.img and, at its very end, stats-dump: complete
 * when DIR (a work directory, or the container's once they are kept)
 * holds both.  */
static int
images_complete (const char *dir)
{
  cleanup_free char *inventory = xasprintf ("%s/checkpoint/inventory.img", dir);
  cleanup_free char *stats = xasprintf ("%s/stats-dump", dir);
  cleanup_free char *kept_stats = xasprintf ("%s/checkpoint/stats-dump", dir);

  return ferry_path_exists (inventory) && (ferry_path_exists (stats) || ferry_path_exists (kept_stats));
}

/* A dump in place that CRIU finished: in WORK, or moved into the
 * container's directory by a forward that could not record its end.  */
static int
in_place_dump_complete (ferry_engine_t *e, const char *id, const char *work)
{
  cleanup_free char *cdir = ferry_engine_container_dir (e, id);
  cleanup_free char *images = xasprintf ("%s/checkpoint", work);

  if (ferry_path_exists (images))
    return images_complete (work);
  return images_complete (cdir);
}

int
ferry_checkpoint_settle (ferry_engine_t *e, struct ferry_operation *op, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  const char *export_path = ferry_json_get_string (op->detail, "export");
  const char *tmp = checkpoint_tmp (op);
  const char *work = checkpoint_work (e, op);
  int forward = 0, ret;

  if (ferry_container_find (e, op->container_id, &c, err) < 0)
    {
      if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
        return -1;
      ferry_error_release (err);
      return checkpoint_back (e, op->container_id, op, err);
    }
  /* What CRIU leaves decides the way: it ends first.  */
  if (strcmp (op->phase, PHASE_DUMPING) == 0)
    helpers_wait (op);
  if (strcmp (op->phase, PHASE_DUMPED) == 0)
    forward = 1;
  else if (json_object_object_get (op->detail, "migrate"))
    {
      /* A copy (-R) runs here whatever the target did.  */
      forward = strcmp (op->phase, PHASE_HANDOVER) != 0             ? 0
                : ferry_operation_detail_bool (op, "leave_running") ? 1
                                                                    : ferry_migrate_outcome (e, op, err);
      if (forward < 0)
        {
          ferry_container_free (c);
          return -1;
        }
    }
  else if (strcmp (op->phase, PHASE_COMMITTING) == 0 && ferry_json_get_string (op->detail, "image"))
    /* The archive's name goes once the image holds it.  */
    forward = tmp && ! ferry_path_exists (tmp);
  else if (strcmp (op->phase, PHASE_COMMITTING) == 0)
    forward = export_path && strcmp (export_path, "-") == 0
                  ? 1
                  : tmp && ! ferry_path_exists (tmp) && export_path && ferry_path_exists (export_path);
  else if (strcmp (op->phase, PHASE_DUMPING) == 0 && export_path == NULL
           && ! ferry_operation_detail_bool (op, "leave_running"))
    {
      forward = work && container_process_gone (e, c->id) && in_place_dump_complete (e, c->id, work);
    }
  ret = forward ? checkpoint_forward (e, c, op, err) : checkpoint_back (e, c->id, op, err);
  ferry_container_free (c);
  return ret;
}

struct dump_watch
{
  ferry_engine_t *e;
  struct ferry_operation *op;
};

/* The runtime's process group is recorded before the runtime runs.  */
static int
record_helper (pid_t pgid, void *arg, ferry_error_t *err)
{
  struct dump_watch *w = arg;

  struct ferry_process_info leader;

  json_object_object_add (w->op->detail, "helper_pgid", json_object_new_int64 (pgid));
  /* To know the group from another that gets its number later.  */
  if (ferry_process_info (pgid, &leader) == 0)
    json_object_object_add (w->op->detail, "helper_start",
                            json_object_new_int64 ((int64_t) leader.start_time));
  if (ferry_operation_advance (w->e, w->op, PHASE_DUMPING, err) < 0)
    return -1;
  ferry_fault_point ("checkpoint-runtime-started");
  return 0;
}

/* PATH made absolute against the current directory.  */
static char *
absolute_path (const char *path)
{
  char cwd[PATH_MAX];

  if (path[0] == '/' || getcwd (cwd, sizeof (cwd)) == NULL)
    return xstrdup (path);
  return xasprintf ("%s/%s", cwd, path);
}

/* An export PATH that is a device, a FIFO or a symlink (/dev/null,
 * /dev/stdout) is opened into *FD, to be written as a stream where it
 * leads (ferry_open_in_place): renaming the archive over it would replace
 * the host's device node or link.  *FD stays -1 otherwise.  */
static int
export_open_in_place (const char *path, int *fd, ferry_error_t *err)
{
  *fd = ferry_open_in_place (path, 0600, err);
  if (*fd == -2)
    *fd = -1;
  else if (*fd < 0)
    {
      int status = (*err)->status;

      ferry_error_release (err);
      return export_file_error (err, status, path);
    }
  return 0;
}

static json_object *
checkpoint_detail (const struct ferry_checkpoint_request *r, const char *export_abs, const char *work,
                   const char *tmp)
{
  json_object *d = json_object_new_object ();

  json_object_object_add (d, "work", json_object_new_string (work));
  if (r->export_path)
    {
      json_object_object_add (d, "export", json_object_new_string (export_abs));
      if (tmp)
        json_object_object_add (d, "tmp", json_object_new_string (tmp));
    }
  if (r->create_image)
    json_object_object_add (d, "image", json_object_new_string (r->create_image));
  json_object_object_add (d, "leave_running", json_object_new_boolean (r->leave_running));
  json_object_object_add (d, "keep", json_object_new_boolean (r->keep));
  if (r->remove)
    json_object_object_add (d, "remove", json_object_new_boolean (1));
  if (r->handover)
    json_object_object_add (d, "migrate", json_object_get (r->handover->detail));
  return d;
}

/* ---- post-copy: the dump that serves its memory later ---------------------
 *
 * CRIU's lazy dump writes every image but the memory pages, then serves
 * those from a page server until its peer has them all, and only then
 * lets the runtime return.  Its page server listens on every address of
 * its network namespace, and hands the container's memory to whoever
 * connects first: so the runtime runs on a thread of its own in a private
 * namespace that has only a loopback, and ferry is that first peer, with
 * a socket made in there.  The connection succeeding says the dump is
 * done: CRIU listens only once every image is written.  */

#define LAZY_PAGES_PORT 27345

struct lazy_dump
{
  const struct ferry_runtime *rt; /* the container's */
  const char *id;
  const struct ferry_checkpoint_options *co;
  pthread_t thread;
  int started;
  int sock;  /* made in the private namespace, for the page server */
  int ready; /* a pipe: the thread has made SOCK (or failed), then ends */
  int done;  /* the runtime returned */
  int ret;
  ferry_error_t err;
};

static int lazy_dump_finish (struct lazy_dump *d, int abort, ferry_error_t *err);

static void *
lazy_dump_main (void *arg)
{
  struct lazy_dump *d = arg;

  d->ret = ferry_netns_unshare_private (&d->err);
  if (d->ret == 0 && (d->sock = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
    d->ret = ferry_make_error (&d->err, errno, "cannot make a socket");
  ferry_write_all (d->ready, "s", 1);
  if (d->ret == 0)
    d->ret = ferry_runtime_checkpoint (d->rt, d->id, d->co, &d->err);
  __atomic_store_n (&d->done, 1, __ATOMIC_RELEASE);
  return NULL;
}

/* Starts the lazy dump and returns once its page server is ready, with
 * D->sock connected to it.  */
static int
lazy_dump_start (struct lazy_dump *d, ferry_error_t *err)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (LAZY_PAGES_PORT) };
  int p[2];
  char c;

  d->sock = -1;
  if (pipe2 (p, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot make a pipe");
  d->ready = p[1];
  if (pthread_create (&d->thread, NULL, lazy_dump_main, d) != 0)
    {
      close (p[0]);
      close (p[1]);
      return ferry_make_error (err, errno, "cannot start a thread");
    }
  d->started = 1;
  if (read (p[0], &c, 1) != 1)
    d->sock = -1;
  close (p[0]);
  close (p[1]);
  sa.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  /* Refused until CRIU listens; a refused TCP socket may connect again.  */
  while (d->sock >= 0 && ! __atomic_load_n (&d->done, __ATOMIC_ACQUIRE))
    {
      if (connect (d->sock, (struct sockaddr *) &sa, sizeof (sa)) == 0)
        return 0;
      if (errno != ECONNREFUSED && errno != EINTR)
        {
          ferry_make_error (err, errno, "cannot connect to CRIU's page server");
          break;
        }
      usleep (2000);
    }
  /* The runtime failed (its error is the one to tell), or ended without
   * serving any page.  */
  if (lazy_dump_finish (d, 1, *err ? NULL : err) == 0 && *err == NULL)
    ferry_make_error (err, 0, "CRIU's page server did not start");
  return -1;
}

/* Waits for the runtime (which returns once the peer has every page, or
 * went: ABORT makes it go) and returns its result.  */
static int
lazy_dump_finish (struct lazy_dump *d, int abort, ferry_error_t *err)
{
  int ret;

  if (! d->started)
    return 0;
  if (abort && d->sock >= 0)
    shutdown (d->sock, SHUT_RDWR);
  pthread_join (d->thread, NULL);
  d->started = 0;
  if (d->sock >= 0)
    close (d->sock);
  d->sock = -1;
  ret = d->ret;
  if (ret < 0 && err && *err == NULL)
    *err = steal_pointer (&d->err);
  ferry_error_release (&d->err);
  return ret;
}

/* More than the page images of most containers (one per process, and one
 * per shared memory segment); CRIU writes any beyond into files.  */
#define PREPACK_FIFOS FERRY_RUNTIME_DRAIN_FIFOS

static int
checkpoint_container (ferry_engine_t *e, const char *ref, const struct ferry_checkpoint_request *r,
                      struct ferry_cr_stats *stats, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  cleanup_free char *cdir = NULL, *work = NULL, *images = NULL, *ckroot = NULL, *tmp = NULL;
  struct ferry_checkpoint_options co = { 0 };
  struct ferry_operation op = { 0 };
  struct ferry_runtime_hook hook;
  struct dump_watch watch = { e, &op };
  ferry_prepack_t *prepack = NULL;
  struct lazy_dump lazy = { .co = &co, .sock = -1 };
  int post_copy = r->handover && r->handover->pages;
  struct export x = { .fd = -1, .in_place = -1 };
  struct ferry_runtime_warm_up warm = { 0 };
  cleanup_pkey EVP_PKEY *sign_key = NULL;
  cleanup_free char *criu_version = NULL, *export_abs = NULL;
  long long t0 = ferry_time_monotonic_us (), t1;
  int ret = -1;

  memset (stats, 0, sizeof (*stats));
  ferry_crypto_preload ();
  /* A key that cannot sign, or a recipient that is none, is found out
   * before the container is touched.  */
  if (r->sign_key && (sign_key = ferry_sign_key_load (r->sign_key, 1, err)) == NULL)
    return -1;
  for (char **it = r->encrypt_recipients; it && *it; it++)
    if (ferry_age_recipients_add (*it, &x.recipients, &x.n_recipients, err) < 0)
      {
        free (x.recipients);
        return -1;
      }
  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    {
      free (x.recipients);
      stats->total_us = ferry_time_monotonic_us () - t0;
      return -1;
    }
  /* CRIU is read from the disk, and its version asked, while the
   * container is being frozen and its files taken.  */
  ferry_runtime_warm_up_start (&warm, NULL, NULL);
  if (c->status != FERRY_CONTAINER_RUNNING)
    {
      ferry_make_error_kind (err, FERRY_ERROR_STATE,
                             "\"%s\" is not running, cannot checkpoint: container state improper",
                             ferry_container_status_name (c->status));
      goto out;
    }
  if (ferry_ns_modes_checkpoint_check (c, err) < 0 || ferry_userns_checkpoint_check (c, err) < 0)
    goto out;
  /* Its exit removes it (and with --rmi its image): the checkpoint kept
   * beside it would go too, so only one taken away is worth making, as
   * Podman says.  */
  if (json_object_get_boolean (json_object_object_get (c->record, "AutoRemove")) && r->export_path == NULL
      && r->create_image == NULL)
    {
      ferry_make_error (
          err, 0,
          "cannot checkpoint containers that have been started with '--rm' unless '--export' is "
          "used: checkpoint %s with --export FILE (or --create-image), or run it without --rm",
          c->name);
      goto out;
    }
  if ((r->export_path || r->handover) && ferry_image_mounts_check_portable (c, err) < 0)
    goto out;
  cdir = ferry_engine_container_dir (e, c->id);
  if (r->export_path)
    {
      /* Absolute: whoever settles this may run elsewhere.  */
      cleanup_free char *dir_copy = NULL;
      cleanup_free char *random = ferry_random_hex (8);

      export_abs = strcmp (r->export_path, "-") == 0 ? xstrdup ("-") : absolute_path (r->export_path);
      if (strcmp (export_abs, "-") != 0 && export_open_in_place (r->export_path, &x.in_place, err) < 0)
        goto out;
      if (x.in_place >= 0)
        {
          free (export_abs);
          export_abs = xstrdup ("-");
        }
      dir_copy = xstrdup (export_abs);

      /* With -k the images stay with the container: dump them beside it,
       * so keeping them is a rename, not a copy across file systems.  */
      ckroot = r->keep ? xstrdup (cdir) : xasprintf ("%s/checkpoints", e->runroot);
      if (ferry_mkdir_p (ckroot, 0700, err) < 0)
        goto out;
      work = ferry_operation_make_name (ckroot, "dump-");
      images = xasprintf ("%s/checkpoint", work);
      if (strcmp (export_abs, "-") != 0)
        tmp = xasprintf ("%s/.checkpoint.ferry-tmp-%s", dirname (dir_copy), random);
    }
  else
    {
      /* Beside the last checkpoint, which stays until this one is
       * complete: a dump that fails (a full disk) loses neither.  */
      work = ferry_operation_make_name (cdir, "dump-");
      images = xasprintf ("%s/checkpoint", work);
    }
  if (ferry_engine_runtime_of (e, c, err) == NULL)
    goto out;
  /* Recorded before anything is touched; from here every failure goes
   * back through checkpoint_back, as a settle after a crash would.  */
  if (ferry_operation_begin (e, &op, c->id, FERRY_OPERATION_CHECKPOINT, PHASE_DUMPING,
                             checkpoint_detail (r, export_abs, work, tmp), err)
      < 0)
    goto out;
  x.tmp = tmp;
  /* How CRIU locks the network (it may ask CRIU, once): before the
   * freeze.  This also drops what the last restore wanted (tcp-close).  */
  if (ferry_container_criu_config (e, c, NULL, NULL, err) < 0)
    goto fail;
  if (mkdir (work, 0700) < 0 || mkdir (images, 0700) < 0)
    {
      ferry_make_error (err, errno, "cannot create `%s`", work);
      goto fail;
    }

  /* Frozen from here until files and memory are both taken.  */
  stats->frozen_at_us = ferry_time_monotonic_us ();
  if (ferry_runtime_pause (ferry_engine_runtime_or_own (e, c), c->id, c->pid, err) < 0)
    goto fail;
  stats->freeze_us = ferry_time_monotonic_us () - stats->frozen_at_us;
  ferry_fault_point ("checkpoint-frozen");
  if (collect_files (e, c, r, work, err) < 0)
    goto fail;

  if (r->export_path)
    criu_version = ferry_runtime_warm_up_finish (&warm);
  x.criu_version = criu_version;
  if (r->export_path && export_begin (e, c, r, work, sign_key, &x, err) < 0)
    goto fail;
  /* Memory pages go into the archive while CRIU writes them
   * (archive/prepack.h).  */
  if (r->export_path && ferry_archive_writer_can_stream (x.w) && ! post_copy)
    {
      /* Kept images (-k) must be files; otherwise the pages need never be
       * stored: CRIU writes them into FIFOs we read (archive/prepack.h).  */
      prepack = ferry_prepack_start (images, "checkpoint", x.w, r->keep ? 0 : PREPACK_FIFOS, err);
      if (prepack == NULL)
        goto fail;
    }
  hook.started = record_helper;
  hook.arg = &watch;
  hook.drain_dir = prepack && ! r->keep ? images : NULL;
  co.hook = &hook;
  co.image_path = images;
  co.work_path = work;
  /* An export keeps the container until the archive is safe; in place,
   * CRIU may end it at once unless asked to leave it running.  */
  co.leave_running = r->leave_running || r->export_path != NULL;
  co.tcp_established = r->tcp_established;
  co.file_locks = r->file_locks;
  if (post_copy)
    co.lazy_pages_address = xasprintf ("127.0.0.1:%d", LAZY_PAGES_PORT);
  lazy.id = c->id;
  lazy.rt = ferry_engine_runtime_or_own (e, c);
  t1 = ferry_time_monotonic_us ();
  if (post_copy ? lazy_dump_start (&lazy, err) < 0
                : ferry_runtime_checkpoint (ferry_engine_runtime_or_own (e, c), c->id, &co, err) < 0)
    {
      explain_dump_failure (e, c, work, err);
      goto fail;
    }
  stats->runtime_us = ferry_time_monotonic_us () - t1;
  /* The pages go to the other end from here, on its demand.  */
  if (post_copy && r->handover->pages (lazy.sock, r->handover->arg, err) < 0)
    goto fail;
  ferry_fault_point ("checkpoint-dumped");
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
      ferry_runtime_pause (ferry_engine_runtime_or_own (e, c), c->id, c->pid, &ignored);
    }
  if (r->export_path && r->leave_running && ! post_copy)
    {
      /* The files are in WORK already; the archive can be written while
       * the container runs again.  (Not while CRIU still serves its
       * pages: they are the container's own.)  */
      cleanup_error ferry_error_t ignored = NULL;
      ferry_runtime_resume (ferry_engine_runtime_or_own (e, c), c->id, c->pid, &ignored);
    }
  if (r->export_path)
    {
      if (export_seal (r, work, images, &x, err) < 0
          || ferry_operation_advance (e, &op, PHASE_COMMITTING, err) < 0)
        {
          ferry_error_wrap (err, "cannot export container %s", c->name);
          goto fail;
        }
      ferry_fault_point ("checkpoint-sealed");
      if (r->create_image)
        {
          if (ferry_checkpoint_image_commit (e, c, r->create_image, x.tmp, criu_version, err) < 0)
            goto fail;
          ferry_fault_point ("checkpoint-image-made");
          unlink (x.tmp);
        }
      else if (x.tmp && export_commit (r, &x, err) < 0)
        {
          ferry_error_wrap (err, "cannot export container %s", c->name);
          goto fail;
        }
      ferry_fault_point ("checkpoint-renamed");
    }
  if (r->handover)
    {
      int kept;

      /* From here the other end may run it: only it can tell.  */
      if (ferry_operation_advance (e, &op, PHASE_HANDOVER, err) < 0)
        goto fail;
      ferry_fault_point ("checkpoint-handover");
      kept = r->handover->await (r->handover->arg, err);
      if (kept > 0)
        kept = r->handover->commit (r->handover->arg, err);
      /* Post-copy: kept means the other end has every page, and the
       * page server has nothing left to do.  */
      if (kept > 0)
        {
          cleanup_error ferry_error_t ignored = NULL;
          lazy_dump_finish (&lazy, 0, &ignored);
        }
      if (kept == 0)
        goto fail;
      if (kept < 0)
        {
          /* Neither way is safe: resumed, it might run twice; ended, it
           * might run nowhere.  Left frozen and recorded, for the next
           * command to ask again.  A copy (-R) runs here anyway.  */
          if (! r->leave_running)
            goto out;
          ferry_error_release (err);
        }
    }
  if (ferry_operation_advance (e, &op, PHASE_DUMPED, err) < 0)
    {
      /* The archive or image is whole, or CRIU ended the container after
       * a complete dump: going back would lose it, so forward, as the
       * settle of this record will (a full disk fails here).  */
      if (! r->export_path
          && (r->leave_running || ! container_process_gone (e, c->id) || ! images_complete (work)))
        goto fail;
      ferry_error_release (err);
    }
  ferry_fault_point ("checkpoint-complete");
  ret = checkpoint_forward (e, c, &op, err);
  goto out;

fail:
  ferry_prepack_free (prepack);
  prepack = NULL;
  lazy_dump_finish (&lazy, 1, NULL);
  export_close (&x);
  {
    cleanup_error ferry_error_t ignored = NULL;
    checkpoint_back (e, c->id, &op, &ignored);
  }
out:
  free (ferry_runtime_warm_up_finish (&warm));
  ferry_prepack_free (prepack);
  /* Not known to be kept: the other end must not finish taking it.  */
  lazy_dump_finish (&lazy, 1, NULL);
  free ((char *) co.lazy_pages_address);
  export_close (&x);
  free (x.recipients);
  ferry_operation_release (&op);
  stats->total_us = ferry_time_monotonic_us () - t0;
  ferry_container_free (c);
  return ret;
}

/* The event of a checkpoint that worked: the container may be gone
 * (migrated), and then there is none to tell of here.  */
static int
checkpoint_event (ferry_engine_t *e, const char *ref, int ret)
{
  struct ferry_container *c = NULL;
  cleanup_error ferry_error_t ignored = NULL;

  if (ret == 0 && ferry_container_lookup (e, ref, &c, &ignored) == 0)
    ferry_container_event (e, c, "checkpoint");
  ferry_container_free (c);
  return ret;
}

int
ferry_container_checkpoint (ferry_engine_t *e, const char *ref, const struct ferry_checkpoint_request *r,
                            struct ferry_cr_stats *stats, ferry_error_t *err)
{
  struct ferry_checkpoint_request image = *r;
  cleanup_free char *archive = NULL, *random = NULL, *dir = NULL;
  struct ferry_reference parsed;

  if (r->create_image == NULL)
    return checkpoint_event (e, ref, checkpoint_container (e, ref, r, stats, err));
  memset (stats, 0, sizeof (*stats));
  /* The parser's words alone, as Podman says them for --create-image.  */
  if (ferry_reference_parse (r->create_image, FERRY_REFERENCE_DEFAULT_LOCALHOST, &parsed, err) < 0)
    return -1;
  ferry_reference_free (&parsed);
  /* The archive is written beside the store, whose blob is then a link
   * to it; not in the store's tmp directory, which the next ferry to open
   * the store empties when this one is killed, before the operation is
   * settled.  */
  dir = xasprintf ("%s/checkpoint-images", e->root);
  if (ferry_mkdir_p (dir, 0700, err) < 0)
    return -1;
  random = ferry_random_hex (8);
  archive = xasprintf ("%s/checkpoint-image-%s", dir, random);
  image.export_path = archive;
  return checkpoint_event (e, ref, checkpoint_container (e, ref, &image, stats, err));
}
