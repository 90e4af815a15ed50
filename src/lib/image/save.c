#include "save.h"
#include "media.h"
#include "reference.h"
#include "../util/cleanup.h"
#include "../util/decompress.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/gotar.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define MEDIA_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MEDIA_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MEDIA_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"
#define MEDIA_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define OCI_LAYOUT "{\"imageLayoutVersion\":\"1.0.0\"}"
#define DIR_TRANSPORT_VERSION "Directory Transport Version: 1.1\n"

static const char *const format_names[] = {
  [FERRY_SAVE_DOCKER_ARCHIVE] = "docker-archive",
  [FERRY_SAVE_OCI_ARCHIVE] = "oci-archive",
  [FERRY_SAVE_OCI_DIR] = "oci-dir",
  [FERRY_SAVE_DOCKER_DIR] = "docker-dir",
};

int
ferry_save_format_parse (const char *name, enum ferry_save_format *out)
{
  size_t i;

  for (i = 0; i < sizeof (format_names) / sizeof (format_names[0]); i++)
    if (strcmp (name, format_names[i]) == 0)
      {
        *out = (enum ferry_save_format) i;
        return 0;
      }
  return -1;
}

const char *
ferry_save_format_name (enum ferry_save_format f)
{
  return format_names[f];
}

/* One image to write, with the names it carries in the output.  */
struct entry
{
  struct ferry_image *img;
  char **tags; /* NULL-terminated */
};

/* Where the files go: a tar stream, or a directory.  */
struct sink
{
  ferry_gotar_t *tar; /* NULL for a directory */
  uint32_t file_mode; /* of a file in the tar: 0444 in a docker-archive, as Podman's */
  int dirfd;
  char *what;     /* the output, for messages */
  char **written; /* names already written: layers shared by images go once */
  size_t n_written;
  /* An OCI layout in a tar is written in the order of its names, as
   * Podman's (the tar of a directory it wrote): its entries wait here
   * until sink_flush_sorted.  */
  bool sorted;
  struct pending *pending;
  size_t n_pending;
};

/* An entry of a sorted tar: a directory, a file to copy or bytes.  */
struct pending
{
  char *name;
  bool dir;
  char *path;
  char *data;
  size_t len;
};

struct save
{
  ferry_store_t *s;
  const struct ferry_save_request *req;
  struct entry *entries;
  size_t n;
  char *stage; /* under the store's tmp dir: decompressed layers */
  struct sink sink;
  bool made_dir; /* the oci-dir or docker-dir is this save's own */
  /* While the sink holds back a sorted tar, its progress lines, "KIND
   * DIGEST" each, told once the tar is out: none for a save cut short
   * (another end gone), as when each was told after its blob.  */
  char **held_progress;
};

/* Podman's lines name a layer by its diff_id whatever the blob written
 * (its store keeps layers uncompressed).  */
static void
progress (struct save *sv, const char *kind, const char *digest)
{
  cleanup_free char *line = NULL;

  if (sv->req->progress == NULL)
    return;
  if (! sv->sink.sorted)
    {
      sv->req->progress (sv->req->progress_ctx, kind, digest);
      return;
    }
  line = xasprintf ("%s %s", kind, digest ? digest : "");
  ferry_strv_add (&sv->held_progress, line);
}

static void
tell_held_progress (struct save *sv)
{
  size_t i;

  for (i = 0; sv->held_progress && sv->held_progress[i]; i++)
    {
      char *space = strchr (sv->held_progress[i], ' ');

      *space = '\0';
      sv->req->progress (sv->req->progress_ctx, sv->held_progress[i], space[1] ? space + 1 : NULL);
    }
}

static int
strv_has (char *const *v, const char *s)
{
  for (; v && *v; v++)
    if (strcmp (*v, s) == 0)
      return 1;
  return 0;
}

/* ---- the sink ---- */

static int
sink_seen (struct sink *k, const char *name)
{
  size_t i;

  for (i = 0; i < k->n_written; i++)
    if (strcmp (k->written[i], name) == 0)
      return 1;
  k->written = xrealloc (k->written, sizeof (char *) * (k->n_written + 1));
  k->written[k->n_written++] = xstrdup (name);
  return 0;
}

static int
tar_header (struct sink *k, const char *name, char type, uint64_t size, const char *link, ferry_error_t *err)
{
  struct ferry_gotar_entry e = {
    .name = name,
    .type = type,
    .mode = type == FERRY_GOTAR_DIR       ? 0755
            : type == FERRY_GOTAR_SYMLINK ? 0
                                          : k->file_mode,
    .size = type == FERRY_GOTAR_FILE ? size : 0,
    .linkname = link,
  };

  return ferry_gotar_header (k->tar, &e, err);
}

static int
tar_data (struct sink *k, const void *buf, size_t len, ferry_error_t *err)
{
  return ferry_gotar_data (k->tar, buf, len, err);
}

static void
sink_defer (struct sink *k, const char *name, bool dir, const char *path, const void *data, size_t len)
{
  struct pending *p;

  k->pending = xrealloc (k->pending, sizeof (*k->pending) * (k->n_pending + 1));
  p = &k->pending[k->n_pending++];
  p->name = xstrdup (name);
  p->dir = dir;
  p->path = path ? xstrdup (path) : NULL;
  p->data = NULL;
  p->len = len;
  if (data)
    {
      p->data = xmalloc (len + 1);
      memcpy (p->data, data, len);
    }
}

static int
sink_dir_entry (struct sink *k, const char *name, ferry_error_t *err)
{
  if (k->tar)
    {
      /* A directory's entry ends in a slash, as in Podman's archives.  */
      cleanup_free char *entry = xasprintf ("%s/", name);
      return tar_header (k, entry, FERRY_GOTAR_DIR, 0, NULL, err);
    }
  if (mkdirat (k->dirfd, name, 0755) < 0 && errno != EEXIST)
    return ferry_make_error (err, errno, "cannot create `%s/%s`", k->what, name);
  return 0;
}

static int
sink_dir (struct sink *k, const char *name, ferry_error_t *err)
{
  if (sink_seen (k, name))
    return 0;
  if (k->tar && k->sorted)
    {
      sink_defer (k, name, true, NULL, NULL, 0);
      return 0;
    }
  return sink_dir_entry (k, name, err);
}

/* A file of the directory sink is written as an unnamed file and linked
 * in once whole, so that a reader never sees half a blob under its digest
 * and a killed save leaves no temporary file; where the file system has no
 * unnamed files, under a temporary name (*TMP) that is renamed.  */
static int
dir_open_tmp (struct sink *k, const char *name, char **tmp, ferry_error_t *err)
{
  cleanup_free char *parent = xstrdup (name);
  char *slash = strrchr (parent, '/');
  int fd;

  *tmp = NULL;
  if (slash)
    *slash = '\0';
  fd = openat (k->dirfd, slash ? parent : ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
    {
      if (fd < 0)
        return ferry_make_error (err, errno, "cannot create `%s/%s`", k->what, name);
      return fd;
    }
  *tmp = xasprintf ("%s.tmp-%d", name, (int) getpid ());
  fd = openat (k->dirfd, *tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot create `%s/%s`", k->what, name);
  return fd;
}

static void
dir_drop_tmp (struct sink *k, const char *tmp)
{
  if (tmp)
    unlinkat (k->dirfd, tmp, 0);
}

/* Gives the unnamed file FD the name NAME, replacing what had it.  */
static int
dir_link (struct sink *k, int fd, const char *name)
{
  cleanup_free char *tmp = NULL;
  char proc[64];

  snprintf (proc, sizeof (proc), "/proc/self/fd/%d", fd);
  if (linkat (AT_FDCWD, proc, k->dirfd, name, AT_SYMLINK_FOLLOW) == 0)
    return 0;
  if (errno != EEXIST)
    return -1;
  tmp = xasprintf ("%s.tmp-%d", name, (int) getpid ());
  unlinkat (k->dirfd, tmp, 0);
  if (linkat (AT_FDCWD, proc, k->dirfd, tmp, AT_SYMLINK_FOLLOW) < 0)
    return -1;
  if (renameat (k->dirfd, tmp, k->dirfd, name) < 0)
    {
      int saved = errno;
      unlinkat (k->dirfd, tmp, 0);
      errno = saved;
      return -1;
    }
  return 0;
}

static int
dir_finish (struct sink *k, int fd, const char *tmp, const char *name, ferry_error_t *err)
{
  if (fsync (fd) < 0 || (tmp ? renameat (k->dirfd, tmp, k->dirfd, name) : dir_link (k, fd, name)) < 0)
    {
      int saved = errno;
      dir_drop_tmp (k, tmp);
      return ferry_make_error (err, saved, "cannot write `%s/%s`", k->what, name);
    }
  return 0;
}

static int
sink_data (struct sink *k, const char *name, const void *data, size_t len, ferry_error_t *err)
{
  cleanup_free char *tmp = NULL;
  cleanup_close int fd = -1;

  if (sink_seen (k, name))
    return 0;
  if (k->tar && k->sorted)
    {
      sink_defer (k, name, false, NULL, data, len);
      return 0;
    }
  if (k->tar)
    return tar_header (k, name, FERRY_GOTAR_FILE, len, NULL, err) < 0 ? -1 : tar_data (k, data, len, err);
  fd = dir_open_tmp (k, name, &tmp, err);
  if (fd < 0)
    return -1;
  if (ferry_write_all (fd, data, len) < 0)
    {
      int saved = errno;
      dir_drop_tmp (k, tmp);
      return ferry_make_error (err, saved, "cannot write `%s/%s`", k->what, name);
    }
  return dir_finish (k, fd, tmp, name, err);
}

/* Copies the file PATH (SIZE bytes as the caller stat'ed it) in as NAME.  */
static int
sink_file_entry (struct sink *k, const char *name, const char *path, ferry_error_t *err)
{
  cleanup_close int in = open (path, O_RDONLY | O_CLOEXEC);
  cleanup_close int out = -1;
  cleanup_free char *tmp = NULL;
  char buf[1 << 17];
  struct stat st;
  uint64_t left;

  if (in < 0 || fstat (in, &st) < 0)
    return ferry_make_error (err, errno, "cannot read `%s`", path);
  if (k->tar && tar_header (k, name, FERRY_GOTAR_FILE, (uint64_t) st.st_size, NULL, err) < 0)
    return -1;
  if (k->tar == NULL && (out = dir_open_tmp (k, name, &tmp, err)) < 0)
    return -1;
  for (left = (uint64_t) st.st_size; left > 0;)
    {
      ssize_t r = read (in, buf, left < sizeof (buf) ? left : sizeof (buf));

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        {
          dir_drop_tmp (k, tmp);
          return ferry_make_error (err, r < 0 ? errno : 0, "cannot read `%s`%s", path,
                                   r == 0 ? ": it shrank while being saved" : "");
        }
      if (k->tar && tar_data (k, buf, (size_t) r, err) < 0)
        return -1;
      if (k->tar == NULL && ferry_write_all (out, buf, (size_t) r) < 0)
        {
          int saved = errno;
          dir_drop_tmp (k, tmp);
          return ferry_make_error (err, saved, "cannot write `%s/%s`", k->what, name);
        }
      left -= (uint64_t) r;
    }
  return k->tar ? 0 : dir_finish (k, out, tmp, name, err);
}

static int
sink_file (struct sink *k, const char *name, const char *path, ferry_error_t *err)
{
  if (sink_seen (k, name))
    return 0;
  if (k->tar && k->sorted)
    {
      sink_defer (k, name, false, path, NULL, 0);
      return 0;
    }
  return sink_file_entry (k, name, path, err);
}

static int
compare_pending (const void *a, const void *b)
{
  return strcmp (((const struct pending *) a)->name, ((const struct pending *) b)->name);
}

/* Writes the entries that waited, in the order of their names.  */
static int
sink_flush_sorted (struct sink *k, ferry_error_t *err)
{
  size_t i;
  int r = 0;

  k->sorted = false;
  if (k->n_pending > 0)
    qsort (k->pending, k->n_pending, sizeof (*k->pending), compare_pending);
  for (i = 0; i < k->n_pending && r == 0; i++)
    {
      struct pending *p = &k->pending[i];

      if (p->dir)
        r = sink_dir_entry (k, p->name, err);
      else if (p->path)
        r = sink_file_entry (k, p->name, p->path, err);
      else
        r = tar_header (k, p->name, FERRY_GOTAR_FILE, p->len, NULL, err) < 0
                ? -1
                : tar_data (k, p->data, p->len, err);
    }
  return r;
}

static void
sink_pending_free (struct sink *k)
{
  size_t i;

  for (i = 0; i < k->n_pending; i++)
    {
      free (k->pending[i].name);
      free (k->pending[i].path);
      free (k->pending[i].data);
    }
  free (k->pending);
  k->pending = NULL;
  k->n_pending = 0;
}

/* ---- the images ---- */

/* The file holding a layer blob, which the store must have.  */
static char *
blob_file (struct save *sv, const struct entry *e, const char *digest, ferry_error_t *err)
{
  char *path = ferry_store_blob_path (sv->s, digest);

  if (access (path, R_OK) == 0)
    return path;
  free (path);
  ferry_make_error (
      err, 0,
      "cannot save image %.12s: layer blob %s is not in the image store (the image was stored by "
      "an older ferry): pull or load the image again",
      e->img->id, digest);
  return NULL;
}

/* The error for IMG's stored layer DIFF_ID whose content is not what its
 * digest says: GOT is what it hashes to, or NULL when its length already
 * differs from the store's record.  */
static int
damaged_layer (const struct entry *e, const char *diff_id, const char *got, ferry_error_t *err)
{
  return ferry_make_error (err, 0,
                           "cannot save image %.12s: its stored layer %s is damaged (its content %s%s): "
                           "remove the image and pull or load it again",
                           e->img->id, diff_id, got ? "hashes to " : "is not the size the store recorded",
                           got ? got : "");
}

/* A file holding the layer uncompressed, whose digest is DIFF_ID: the
 * stored blob when it is not compressed, else its decompression into the
 * stage, checked as it is written.  */
static char *
layer_tar (struct save *sv, const struct entry *e, const char *blob_digest, const char *diff_id,
           ferry_error_t *err)
{
  cleanup_free char *blob = blob_file (sv, e, blob_digest, err);
  cleanup_free char *out_path = NULL;
  cleanup_close int in = -1, out = -1;
  ferry_decompress_t *d;
  char got_blob[FERRY_DIGEST_LEN + 1], got_diff[FERRY_DIGEST_LEN + 1];
  char buf[1 << 17];
  uint64_t csize, usize;
  ssize_t r;

  if (blob == NULL)
    return NULL;
  in = open (blob, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    {
      ferry_make_error (err, errno, "cannot read layer blob `%s`", blob);
      return NULL;
    }
  if (strcmp (blob_digest, diff_id) == 0 && ferry_compression_of_fd (in) == FERRY_COMPRESSION_NONE)
    return steal_pointer (&blob);
  out_path = xasprintf ("%s/%s", sv->stage, ferry_digest_hex (diff_id));
  if (access (out_path, F_OK) == 0)
    return steal_pointer (&out_path); /* another image of this save had it */
  out = open (out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0)
    {
      ferry_make_error (err, errno, "cannot create `%s`", out_path);
      return NULL;
    }
  d = ferry_decompress_open (in, blob, err);
  if (d == NULL)
    return NULL;
  while ((r = ferry_decompress_read (d, buf, sizeof (buf), err)) > 0)
    if (ferry_write_all (out, buf, (size_t) r) < 0)
      {
        ferry_decompress_close (d);
        ferry_make_error (err, errno, "cannot write `%s`", out_path);
        return NULL;
      }
  if (r < 0)
    {
      ferry_decompress_close (d);
      return NULL;
    }
  ferry_decompress_digests (d, got_blob, got_diff, &csize, &usize);
  ferry_decompress_close (d);
  if (strcmp (got_blob, blob_digest) != 0 || strcmp (got_diff, diff_id) != 0)
    {
      damaged_layer (e, diff_id, got_diff, err);
      return NULL;
    }
  return steal_pointer (&out_path);
}

static int
sink_layer_write (struct sink *k, int out, const char *name, const void *buf, size_t len, ferry_error_t *err)
{
  if (k->tar)
    return tar_data (k, buf, len, err);
  if (ferry_write_all (out, buf, len) < 0)
    return ferry_make_error (err, errno, "cannot write `%s/%s`", k->what, name);
  return 0;
}

/* Writes IMG's layer DIFF_ID as NAME, SIZE bytes by the store's record,
 * decompressed from its blob BLOB_DIGEST on the way: no copy is staged, so
 * a save needs no room in the store for the layers it writes.  The content
 * is checked against both digests before the file counts; on a mismatch
 * the save fails, and its output never gets its name (an archive is named
 * only once complete, a directory's file only once checked).  */
static int
sink_layer (struct save *sv, const struct entry *e, const char *name, const char *blob_digest,
            const char *diff_id, uint64_t size, ferry_error_t *err)
{
  struct sink *k = &sv->sink;
  cleanup_free char *blob = NULL, *tmp = NULL;
  cleanup_close int in = -1, out = -1;
  ferry_decompress_t *d = NULL;
  char got_blob[FERRY_DIGEST_LEN + 1], got_diff[FERRY_DIGEST_LEN + 1];
  char buf[1 << 17];
  uint64_t csize, usize, total = 0;
  ssize_t r;

  if (sink_seen (k, name))
    return 0;
  blob = blob_file (sv, e, blob_digest, err);
  if (blob == NULL)
    return -1;
  in = open (blob, O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return ferry_make_error (err, errno, "cannot read layer blob `%s`", blob);
  if (k->tar && tar_header (k, name, FERRY_GOTAR_FILE, size, NULL, err) < 0)
    return -1;
  if (k->tar == NULL && (out = dir_open_tmp (k, name, &tmp, err)) < 0)
    return -1;
  d = ferry_decompress_open (in, blob, err);
  if (d == NULL)
    goto fail;
  while ((r = ferry_decompress_read (d, buf, sizeof (buf), err)) > 0)
    {
      if ((uint64_t) r > size - total)
        {
          damaged_layer (e, diff_id, NULL, err);
          goto fail;
        }
      if (sink_layer_write (k, out, name, buf, (size_t) r, err) < 0)
        goto fail;
      total += (uint64_t) r;
    }
  if (r < 0)
    goto fail;
  ferry_decompress_digests (d, got_blob, got_diff, &csize, &usize);
  ferry_decompress_close (d);
  d = NULL;
  if (total != size)
    {
      damaged_layer (e, diff_id, NULL, err);
      goto fail;
    }
  if (strcmp (got_blob, blob_digest) != 0 || strcmp (got_diff, diff_id) != 0)
    {
      damaged_layer (e, diff_id, got_diff, err);
      goto fail;
    }
  return k->tar ? 0 : dir_finish (k, out, tmp, name, err);
fail:
  if (d)
    ferry_decompress_close (d);
  dir_drop_tmp (k, tmp);
  return -1;
}

/* The manifest's layer blob digests, checked against the image's layers.  */
static int
manifest_layers (const struct entry *e, json_object **manifest, json_object **layers, ferry_error_t *err)
{
  *manifest = ferry_json_parse (e->img->manifest, strlen (e->img->manifest), "image manifest", err);
  if (*manifest == NULL)
    return ferry_error_wrap (err, "cannot save image %.12s", e->img->id);
  *layers = ferry_json_get_array (*manifest, "layers");
  if (*layers == NULL || json_object_array_length (*layers) != e->img->n_layers)
    return ferry_make_error (
        err, 0,
        "cannot save image %.12s: its stored manifest does not match its layers: remove the "
        "image and pull or load it again",
        e->img->id);
  return 0;
}

static const char *
layer_digest (json_object *layers, size_t i)
{
  const char *d = ferry_json_get_string (json_object_array_get_idx (layers, i), "digest");

  return d && ferry_digest_is_valid (d) ? d : NULL;
}

/* The uncompressed layer tar PATH gzip-compressed into the stage, for
 * docker-dir --compress; *DIGEST gets the digest of what was written.  */
static char *
gzip_layer (struct save *sv, const char *path, const char *diff_id, char digest[FERRY_DIGEST_LEN + 1],
            ferry_error_t *err)
{
  cleanup_free char *out_path = xasprintf ("%s/%s.gz", sv->stage, ferry_digest_hex (diff_id));
  cleanup_close int in = open (path, O_RDONLY | O_CLOEXEC);
  char buf[1 << 17];
  gzFile gz;
  int out;
  ssize_t r;

  if (in < 0)
    {
      ferry_make_error (err, errno, "cannot read `%s`", path);
      return NULL;
    }
  out = open (out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out < 0 || (gz = gzdopen (out, "wb")) == NULL)
    {
      ferry_make_error (err, errno, "cannot create `%s`", out_path);
      if (out >= 0)
        close (out);
      return NULL;
    }
  while ((r = read (in, buf, sizeof (buf))) > 0)
    if (gzwrite (gz, buf, (unsigned) r) != (int) r)
      {
        gzclose (gz);
        ferry_make_error (err, EIO, "cannot write `%s`", out_path);
        return NULL;
      }
  if (gzclose (gz) != Z_OK || r < 0)
    {
      ferry_make_error (err, r < 0 ? errno : EIO, "cannot compress `%s` into `%s`", path, out_path);
      return NULL;
    }
  if (ferry_sha256_file (out_path, digest, err) < 0)
    return NULL;
  return steal_pointer (&out_path);
}

/* The size of the layer DIFF_ID when sink_layer can write it straight
 * from its blob BLOB_DIGEST, else 0: the blob is compressed (an
 * uncompressed one is copied as it is), the store recorded the layer's
 * size, no --compress (which gzips a staged copy) and a sink that writes
 * in order (a sorted one copies its files at the end).  */
static uint64_t
streamed_layer_size (struct save *sv, const char *blob_digest, const char *diff_id)
{
  if (sv->req->compress || sv->sink.sorted || strcmp (blob_digest, diff_id) == 0)
    return 0;
  return ferry_store_layer_size (sv->s, diff_id);
}

/* Writes IMG's layers, uncompressed (gzip-compressed with the request's
 * COMPRESS), each named by the hex of its digest and SUFFIX; adds their
 * names to LAYER_NAMES and, when not NULL, their descriptors to DESCS.  */
static int
write_docker_layers (struct save *sv, const struct entry *e, const char *suffix, json_object *layer_names,
                     json_object *descs, ferry_error_t *err)
{
  cleanup_json json_object *manifest = NULL;
  json_object *layers;
  size_t i;

  if (manifest_layers (e, &manifest, &layers, err) < 0)
    return -1;
  for (i = 0; i < e->img->n_layers; i++)
    {
      const char *blob_digest = layer_digest (layers, i), *diff_id = e->img->diff_ids[i];
      cleanup_free char *name = NULL, *path = NULL, *gz = NULL;
      char digest[FERRY_DIGEST_LEN + 1];
      struct stat st;
      uint64_t size;

      if (blob_digest == NULL)
        return ferry_make_error (err, 0, "cannot save image %.12s: its stored manifest names no layer %zu",
                                 e->img->id, i);
      snprintf (digest, sizeof (digest), "%s", diff_id);
      size = streamed_layer_size (sv, blob_digest, diff_id);
      if (size > 0)
        {
          name = xasprintf ("%s%s", ferry_digest_hex (digest), suffix);
          if (sink_layer (sv, e, name, blob_digest, diff_id, size, err) < 0)
            return -1;
        }
      else
        {
          path = layer_tar (sv, e, blob_digest, diff_id, err);
          if (path == NULL)
            return -1;
          if (sv->req->compress && (gz = gzip_layer (sv, path, diff_id, digest, err)) == NULL)
            return -1;
          name = xasprintf ("%s%s", ferry_digest_hex (digest), suffix);
          if (sink_file (&sv->sink, name, gz ? gz : path, err) < 0)
            return -1;
          if (stat (gz ? gz : path, &st) < 0)
            return ferry_make_error (err, errno, "cannot stat `%s`", gz ? gz : path);
          size = (uint64_t) st.st_size;
        }
      progress (sv, "blob", diff_id);
      json_object_array_add (layer_names, json_object_new_string (name));
      if (descs == NULL)
        continue;
      json_object *l = json_object_new_object ();
      json_object_object_add (l, "mediaType",
                              json_object_new_string (gz ? MEDIA_DOCKER_LAYER_GZIP : MEDIA_DOCKER_LAYER));
      json_object_object_add (l, "size", json_object_new_int64 ((int64_t) size));
      json_object_object_add (l, "digest", json_object_new_string (digest));
      json_object_array_add (descs, l);
    }
  return 0;
}

/* The Docker schema 2 manifest of E, its layer descriptors LAYERS (taken,
 * filled by write_docker_layers), as a docker-dir holds it.  */
static json_object *
docker_manifest_new (const struct entry *e, json_object *layers)
{
  json_object *m = json_object_new_object (), *config = json_object_new_object ();

  json_object_object_add (m, "schemaVersion", json_object_new_int (2));
  json_object_object_add (m, "mediaType", json_object_new_string (FERRY_MEDIA_DOCKER_MANIFEST));
  json_object_object_add (config, "mediaType", json_object_new_string (MEDIA_DOCKER_CONFIG));
  json_object_object_add (config, "size", json_object_new_int64 ((int64_t) strlen (e->img->config_text)));
  json_object_object_add (config, "digest", json_object_new_string (e->img->config_digest));
  json_object_object_add (m, "config", config);
  json_object_object_add (m, "layers", layers);
  return m;
}

static void
set_manifest_digest (struct save *sv, const char *text)
{
  if (sv->req->manifest_digest)
    ferry_sha256_buffer (text, strlen (text), sv->req->manifest_digest);
}

/* ---- the legacy layout of a docker-archive ---- */

/* The image configuration's members a legacy top layer repeats, in the
 * order of their names (Go marshals its map so).  */
static const char *const legacy_config_members[]
    = { "architecture", "config", "container", "container_config", "created", "docker_version" };

/* A legacy layer's "json": {"id"} or {"layer_id"} (the ID's seed, as
 * Podman makes it) with "parent" when it has one, and for the top layer
 * the members of CONFIG_TEXT it repeats ("null" for those it lacks).  */
static char *
legacy_layer_json (const char *config_text, bool top, const char *id_key, const char *id, const char *parent)
{
  char *out = xstrdup ("{");
  size_t i;

  for (i = 0; top && i < sizeof (legacy_config_members) / sizeof (legacy_config_members[0]); i++)
    {
      cleanup_free char *raw = ferry_json_go_raw_member (config_text, legacy_config_members[i]);
      char *more = xasprintf ("%s\"%s\":%s,", out, legacy_config_members[i], raw ? raw : "null");
      free (out);
      out = more;
    }
  {
    cleanup_free char *os = top ? ferry_json_go_raw_member (config_text, "os") : NULL;
    char *more = xasprintf ("%s\"%s\":\"%s\"%s%s%s%s%s}", out, id_key, id, top ? ",\"os\":" : "",
                            top ? (os ? os : "null") : "", parent ? ",\"parent\":\"" : "",
                            parent ? parent : "", parent ? "\"" : "");
    free (out);
    out = more;
  }
  return out;
}

/* The legacy directories of E's layers that the archive lacks: each
 * <id>/layer.tar (a link to the layer file), <id>/VERSION and <id>/json,
 * the ID the digest of the layer's json with the layer's chain ID in it;
 * TOP_ID gets the top layer's ID ("" for an image without layers).  */
static int
write_legacy_layers (struct save *sv, const struct entry *e, char top_id[FERRY_DIGEST_LEN + 1],
                     ferry_error_t *err)
{
  char chain[FERRY_DIGEST_LEN + 1] = "", id[FERRY_DIGEST_LEN + 1] = "", parent[FERRY_DIGEST_LEN + 1] = "";
  size_t i;

  for (i = 0; i < e->img->n_layers; i++)
    {
      bool top = i + 1 == e->img->n_layers;
      cleanup_free char *seed = NULL, *json = NULL, *dir = NULL, *link = NULL, *target = NULL;
      cleanup_free char *version = NULL, *json_name = NULL;

      if (*chain == '\0')
        snprintf (chain, sizeof (chain), "%s", e->img->diff_ids[i]);
      else
        {
          cleanup_free char *pair = xasprintf ("%s %s", chain, e->img->diff_ids[i]);
          ferry_sha256_buffer (pair, strlen (pair), chain);
        }
      seed = legacy_layer_json (e->img->config_text, top, "layer_id", chain, *parent ? parent : NULL);
      ferry_sha256_buffer (seed, strlen (seed), id);
      json = legacy_layer_json (e->img->config_text, top, "id", ferry_digest_hex (id),
                                *parent ? parent : NULL);
      dir = xstrdup (ferry_digest_hex (id));
      link = xasprintf ("%s/layer.tar", dir);
      version = xasprintf ("%s/VERSION", dir);
      json_name = xasprintf ("%s/json", dir);
      target = xasprintf ("../%s.tar", ferry_digest_hex (e->img->diff_ids[i]));
      if (! sink_seen (&sv->sink, link))
        {
          if (tar_header (&sv->sink, link, FERRY_GOTAR_SYMLINK, 0, target, err) < 0
              || sink_data (&sv->sink, version, "1.0", 3, err) < 0
              || sink_data (&sv->sink, json_name, json, strlen (json), err) < 0)
            return -1;
        }
      snprintf (parent, sizeof (parent), "%s", ferry_digest_hex (id));
    }
  snprintf (top_id, FERRY_DIGEST_LEN + 1, "%s", parent);
  return 0;
}

/* Adds E's names to the legacy "repositories": name -> tag -> top layer. */
static void
add_repositories (json_object *repos, const struct entry *e, const char *top_id)
{
  size_t i;

  for (i = 0; *top_id && e->tags[i]; i++)
    {
      const char *slash = strrchr (e->tags[i], '/');
      const char *colon = strrchr (slash ? slash : e->tags[i], ':');
      cleanup_free char *name = NULL;
      json_object *tags;

      if (colon == NULL || strchr (e->tags[i], '@'))
        continue;
      name = xstrndup (e->tags[i], (size_t) (colon - e->tags[i]));
      if (! json_object_object_get_ex (repos, name, &tags))
        {
          tags = json_object_new_object ();
          json_object_object_add (repos, name, tags);
        }
      json_object_object_add (tags, colon + 1, json_object_new_string (top_id));
    }
}

/* REPOS with its names and their tags in order, as Go marshals maps.  */
static char *
repositories_text (json_object *repos)
{
  cleanup_json json_object *sorted = ferry_json_sorted_object (repos);

  json_object_object_foreach (sorted, name, tags)
  {
    json_object_object_add (sorted, name, ferry_json_sorted_object (tags));
  }
  return xstrdup (ferry_json_to_string (sorted, 0));
}

static int
save_docker_archive (struct save *sv, ferry_error_t *err)
{
  cleanup_json json_object *list = json_object_new_array ();
  cleanup_json json_object *repos = json_object_new_object ();
  cleanup_free char *repos_text = NULL;
  const char *text;
  size_t i, j;

  for (i = 0; i < sv->n; i++)
    {
      const struct entry *e = &sv->entries[i];
      json_object *item = json_object_new_object (), *tags = json_object_new_array ();
      json_object *layers = json_object_new_array ();
      cleanup_free char *config_name = xasprintf ("%s.json", e->img->id);
      cleanup_json json_object *m = NULL;
      json_object *descs = NULL;

      json_object_array_add (list, item);
      json_object_object_add (item, "Config", json_object_new_string (config_name));
      for (j = 0; e->tags[j]; j++)
        json_object_array_add (tags, json_object_new_string (e->tags[j]));
      json_object_object_add (item, "RepoTags", tags);
      json_object_object_add (item, "Layers", layers);
      if (i == 0 && sv->req->manifest_digest)
        {
          descs = json_object_new_array ();
          m = docker_manifest_new (e, descs);
        }
      if (write_docker_layers (sv, e, ".tar", layers, descs, err) < 0)
        return -1;
      if (m)
        set_manifest_digest (sv, ferry_json_to_string (m, 0));
      if (sink_data (&sv->sink, config_name, e->img->config_text, strlen (e->img->config_text), err) < 0)
        return -1;
      progress (sv, "config", e->img->config_digest);
      ferry_fault_point ("save-blobs-written");
      if (sv->sink.tar)
        {
          char top_id[FERRY_DIGEST_LEN + 1];

          if (write_legacy_layers (sv, e, top_id, err) < 0)
            return -1;
          add_repositories (repos, e, top_id);
        }
    }
  text = ferry_json_to_string (list, 0);
  if (sink_data (&sv->sink, "manifest.json", text, strlen (text), err) < 0)
    return -1;
  repos_text = repositories_text (repos);
  if (sink_data (&sv->sink, "repositories", repos_text, strlen (repos_text), err) < 0)
    return -1;
  progress (sv, "manifest", NULL);
  return 0;
}

static int
save_docker_dir (struct save *sv, ferry_error_t *err)
{
  const struct entry *e = &sv->entries[0];
  json_object *layers = json_object_new_array ();
  cleanup_json json_object *m = docker_manifest_new (e, layers);
  cleanup_json json_object *names = json_object_new_array ();
  const char *text;

  if (write_docker_layers (sv, e, "", names, layers, err) < 0)
    return -1;
  if (sink_data (&sv->sink, ferry_digest_hex (e->img->config_digest), e->img->config_text,
                 strlen (e->img->config_text), err)
      < 0)
    return -1;
  progress (sv, "config", e->img->config_digest);
  ferry_fault_point ("save-blobs-written");
  text = ferry_json_to_string (m, 0);
  set_manifest_digest (sv, text);
  if (sink_data (&sv->sink, "manifest.json", text, strlen (text), err) < 0
      || sink_data (&sv->sink, "version", DIR_TRANSPORT_VERSION, strlen (DIR_TRANSPORT_VERSION), err) < 0)
    return -1;
  progress (sv, "manifest", NULL);
  return 0;
}

/* The OCI media type of a Docker schema 2 one, or MT itself.  */
static const char *
oci_media_type (const char *mt)
{
  static const char *const map[][2] = {
    { FERRY_MEDIA_DOCKER_MANIFEST, FERRY_MEDIA_OCI_MANIFEST },
    { MEDIA_DOCKER_CONFIG, MEDIA_OCI_CONFIG },
    { MEDIA_DOCKER_LAYER, "application/vnd.oci.image.layer.v1.tar" },
    { MEDIA_DOCKER_LAYER_GZIP, "application/vnd.oci.image.layer.v1.tar+gzip" },
    { "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
      "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip" },
  };
  size_t i;

  for (i = 0; mt && i < sizeof (map) / sizeof (map[0]); i++)
    if (strcmp (mt, map[i][0]) == 0)
      return map[i][1];
  return mt;
}

static void
set_oci_media_type (json_object *obj)
{
  const char *mt = ferry_json_get_string (obj, "mediaType");
  const char *oci = oci_media_type (mt);

  if (mt && oci != mt)
    json_object_object_add (obj, "mediaType", json_object_new_string (oci));
}

/* The manifest an OCI layout gets: the stored one as it is when it is
 * OCI's (its digest survives), else the stored Docker schema 2 manifest
 * (MANIFEST, parsed) with OCI media types, as Podman writes an OCI layout.  */
static char *
oci_manifest_text (const struct entry *e, json_object *manifest, char digest[FERRY_DIGEST_LEN + 1])
{
  json_object *layers = ferry_json_get_array (manifest, "layers");
  char *text;
  size_t i;

  if (! ferry_json_string_equals (manifest, "mediaType", FERRY_MEDIA_DOCKER_MANIFEST))
    {
      snprintf (digest, FERRY_DIGEST_LEN + 1, "%s", e->img->manifest_digest);
      return xstrdup (e->img->manifest);
    }
  set_oci_media_type (manifest);
  set_oci_media_type (ferry_json_get_object (manifest, "config"));
  for (i = 0; i < json_object_array_length (layers); i++)
    set_oci_media_type (json_object_array_get_idx (layers, i));
  text = xstrdup (ferry_json_to_string (manifest, 0));
  ferry_sha256_buffer (text, strlen (text), digest);
  return text;
}

/* An OCI layout's blobs: the manifest, config and layer blobs as stored.
 * *MANIFEST_TEXT and MANIFEST_DIGEST get the manifest written.  */
static int
write_oci_blobs (struct save *sv, const struct entry *e, char **manifest_text,
                 char manifest_digest[FERRY_DIGEST_LEN + 1], ferry_error_t *err)
{
  cleanup_json json_object *manifest = NULL;
  cleanup_free char *config_name = xasprintf ("blobs/sha256/%s", ferry_digest_hex (e->img->config_digest));
  cleanup_free char *manifest_name = NULL;
  json_object *layers;
  size_t i;

  if (manifest_layers (e, &manifest, &layers, err) < 0)
    return -1;
  if (sink_dir (&sv->sink, "blobs", err) < 0 || sink_dir (&sv->sink, "blobs/sha256", err) < 0)
    return -1;
  for (i = 0; i < e->img->n_layers; i++)
    {
      const char *digest = layer_digest (layers, i);
      cleanup_free char *name = NULL, *path = NULL;

      if (digest == NULL)
        return ferry_make_error (err, 0, "cannot save image %.12s: its stored manifest names no layer %zu",
                                 e->img->id, i);
      name = xasprintf ("blobs/sha256/%s", ferry_digest_hex (digest));
      path = blob_file (sv, e, digest, err);
      if (path == NULL || sink_file (&sv->sink, name, path, err) < 0)
        return -1;
      progress (sv, "blob", e->img->diff_ids[i]);
    }
  if (sink_data (&sv->sink, config_name, e->img->config_text, strlen (e->img->config_text), err) < 0)
    return -1;
  progress (sv, "config", e->img->config_digest);
  ferry_fault_point ("save-blobs-written");
  *manifest_text = oci_manifest_text (e, manifest, manifest_digest);
  manifest_name = xasprintf ("blobs/sha256/%s", ferry_digest_hex (manifest_digest));
  return sink_data (&sv->sink, manifest_name, *manifest_text, strlen (*manifest_text), err);
}

static json_object *
oci_descriptor (const char *manifest_text, const char *manifest_digest, const char *ref_name)
{
  json_object *desc = json_object_new_object ();

  json_object_object_add (desc, "mediaType", json_object_new_string (FERRY_MEDIA_OCI_MANIFEST));
  json_object_object_add (desc, "digest", json_object_new_string (manifest_digest));
  json_object_object_add (desc, "size", json_object_new_int64 ((int64_t) strlen (manifest_text)));
  if (ref_name)
    {
      json_object *ann = json_object_new_object ();
      json_object_object_add (ann, "org.opencontainers.image.ref.name", json_object_new_string (ref_name));
      json_object_object_add (desc, "annotations", ann);
    }
  return desc;
}

/* The index.json an oci-dir already has, or a new one.  */
static json_object *
existing_index (struct save *sv, ferry_error_t *err)
{
  cleanup_free char *text = NULL;
  json_object *index;
  size_t len;

  if (sv->sink.tar || faccessat (sv->sink.dirfd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
    {
      index = json_object_new_object ();
      json_object_object_add (index, "schemaVersion", json_object_new_int (2));
      json_object_object_add (index, "manifests", json_object_new_array ());
      return index;
    }
  if (ferry_read_file_at (sv->sink.dirfd, "index.json", &text, &len, err) < 0)
    return NULL;
  index = ferry_json_parse (text, len, "index.json", err);
  if (index && ! json_object_is_type (ferry_json_get_array (index, "manifests"), json_type_array))
    {
      json_object_put (index);
      index = NULL;
      ferry_make_error (err, 0, "its index.json lists no manifests");
    }
  if (index == NULL)
    ferry_error_wrap (err, "cannot add the image to the OCI layout `%s`", sv->sink.what);
  return index;
}

/* MANIFESTS with DESC (taken), as containers/image adds an image to a
 * layout: an unnamed entry of the same manifest goes (the image now has
 * DESC's), and a name moves to the new image, as a tag does, keeping its
 * place in the index; else DESC is added at the end.  */
static json_object *
with_descriptor (json_object *manifests, json_object *desc, const char *ref_name)
{
  json_object *out = json_object_new_array ();
  const char *digest = ferry_json_get_string (desc, "digest");
  size_t i;
  bool placed = false;

  for (i = 0; i < json_object_array_length (manifests); i++)
    {
      json_object *d = json_object_array_get_idx (manifests, i);
      const char *n = ferry_json_get_string (ferry_json_get_object (d, "annotations"),
                                             "org.opencontainers.image.ref.name");

      if (n == NULL && ferry_json_string_equals (d, "digest", digest))
        continue;
      if (ref_name && n && strcmp (n, ref_name) == 0 && ! placed)
        {
          json_object_array_add (out, desc);
          placed = true;
        }
      else
        json_object_array_add (out, json_object_get (d));
    }
  if (! placed)
    json_object_array_add (out, desc);
  return out;
}

static int
save_oci (struct save *sv, ferry_error_t *err)
{
  const struct entry *e = &sv->entries[0];
  const char *ref_name = sv->req->ref_name_set ? sv->req->ref_name : e->tags[0];
  cleanup_json json_object *index = NULL;
  cleanup_free char *manifest_text = NULL;
  char manifest_digest[FERRY_DIGEST_LEN + 1];
  json_object *kept;
  const char *text;

  if (write_oci_blobs (sv, e, &manifest_text, manifest_digest, err) < 0)
    return -1;
  if (sv->req->manifest_digest)
    snprintf (sv->req->manifest_digest, FERRY_DIGEST_LEN + 1, "%s", manifest_digest);
  index = existing_index (sv, err);
  if (index == NULL)
    return -1;
  kept = with_descriptor (ferry_json_get_array (index, "manifests"),
                          oci_descriptor (manifest_text, manifest_digest, ref_name), ref_name);
  json_object_object_add (index, "manifests", kept);
  if (sink_data (&sv->sink, "oci-layout", OCI_LAYOUT, strlen (OCI_LAYOUT), err) < 0)
    return -1;
  text = ferry_json_to_string (index, 0);
  if (sink_data (&sv->sink, "index.json", text, strlen (text), err) < 0)
    return -1;
  progress (sv, "manifest", NULL);
  return 0;
}

/* ---- which images, under which names ---- */

static void
entries_free (struct save *sv)
{
  size_t i;

  for (i = 0; i < sv->n; i++)
    {
      ferry_image_free (sv->entries[i].img);
      ferry_cleanup_strvp (&sv->entries[i].tags);
    }
  free (sv->entries);
}

static struct entry *
entry_for (struct save *sv, struct ferry_image *img)
{
  size_t i;

  for (i = 0; i < sv->n; i++)
    if (strcmp (sv->entries[i].img->id, img->id) == 0)
      {
        ferry_image_free (img);
        return &sv->entries[i];
      }
  sv->entries = xrealloc (sv->entries, sizeof (*sv->entries) * (sv->n + 1));
  sv->entries[sv->n].img = img;
  sv->entries[sv->n].tags = xmalloc0 (sizeof (char *));
  return &sv->entries[sv->n++];
}

/* Without -m the further arguments are names the image gets in a
 * docker-archive: in the order given, then the name it was found by, each
 * once, as Podman orders them (its additional tags first).  */
static void
extra_tags (struct save *sv, struct entry *e, char *matched)
{
  size_t i;

  for (i = 1; sv->req->format == FERRY_SAVE_DOCKER_ARCHIVE && i < sv->req->n_refs; i++)
    {
      struct ferry_reference r;
      cleanup_free char *name = NULL;

      ferry_error_t ignored = NULL;

      /* Podman leaves out a name that is no reference, and says nothing.  */
      if (ferry_reference_parse (sv->req->refs[i], FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, &ignored) < 0)
        {
          ferry_error_release (&ignored);
          continue;
        }
      name = ferry_reference_string (&r);
      ferry_reference_free (&r);
      if (! strv_has (e->tags, name))
        ferry_strv_add (&e->tags, name);
    }
  if (matched && ! strv_has (e->tags, matched))
    ferry_strv_add (&e->tags, matched);
}

/* A further name of a docker-archive must be a tag: Podman refuses one
 * with a digest (it drops the tag of "name:tag@digest"), in its words,
 * before it looks the image up.  */
static int
check_extra_tags (struct save *sv, ferry_error_t *err)
{
  size_t i;

  for (i = 1; sv->req->format == FERRY_SAVE_DOCKER_ARCHIVE && ! sv->req->multi_image && i < sv->req->n_refs;
       i++)
    {
      struct ferry_reference r;
      ferry_error_t ignored = NULL;
      int ret = 0;

      if (ferry_reference_parse (sv->req->refs[i], FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, &ignored) < 0)
        {
          ferry_error_release (&ignored);
          continue;
        }
      if (r.digest)
        ret = ferry_make_error (
            err, 0,
            "invalid additional tag \"%s\": normalized to untagged \"%s/%s@%s\": give further names as "
            "NAME:TAG, without a digest",
            sv->req->refs[i], r.registry, r.repository, r.digest);
      ferry_reference_free (&r);
      if (ret < 0)
        return -1;
    }
  return 0;
}

static int
resolve (struct save *sv, ferry_error_t *err)
{
  size_t i, n = sv->req->multi_image ? sv->req->n_refs : 1;

  if (check_extra_tags (sv, err) < 0)
    return -1;
  for (i = 0; i < n; i++)
    {
      struct ferry_image *img = NULL;
      cleanup_free char *matched = NULL;
      struct entry *e;

      if (ferry_store_lookup_matched (sv->s, sv->req->refs[i], &img, &matched, err) < 0)
        return -1;
      e = entry_for (sv, img);
      if (! sv->req->multi_image)
        {
          extra_tags (sv, e, matched);
          return 0;
        }
      if (matched && ! strv_has (e->tags, matched))
        ferry_strv_add (&e->tags, matched);
    }
  return 0;
}

/* ---- the output ---- */

static int
is_image_dir (int dirfd, enum ferry_save_format f)
{
  cleanup_free char *text = NULL;
  ferry_error_t ignored = NULL;
  size_t len;

  if (f == FERRY_SAVE_OCI_DIR)
    return faccessat (dirfd, "oci-layout", F_OK, 0) == 0;
  if (ferry_read_file_at (dirfd, "version", &text, &len, &ignored) < 0)
    {
      ferry_error_release (&ignored);
      return 0;
    }
  return strncmp (text, "Directory Transport Version:", 28) == 0;
}

static int
dir_is_empty (int dirfd)
{
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int fd = dup (dirfd);

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return 0;
    }
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      return 0;
  return 1;
}

/* The directory of an oci-dir or docker-dir: made when missing, else one
 * that is empty or already such a layout (Podman refuses to write into
 * anything else).  */
static int
open_output_dir (struct save *sv, ferry_error_t *err)
{
  const char *path = sv->req->output;

  if (mkdir (path, 0755) == 0)
    sv->made_dir = true;
  else if (errno != EEXIST)
    return ferry_make_error (err, errno, "cannot create directory `%s`", path);
  sv->sink.dirfd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (sv->sink.dirfd < 0)
    return ferry_make_error (err, errno, "cannot open directory `%s`", path);
  if (! dir_is_empty (sv->sink.dirfd) && ! is_image_dir (sv->sink.dirfd, sv->req->format))
    return ferry_make_error (
        err, 0,
        "initializing destination dir:%s: not a containers image directory, don't want to "
        "overwrite important data",
        path);
  /* The mark of the layout first: a save killed halfway leaves a
   * directory the next save recognises and completes.  */
  if (sv->req->format == FERRY_SAVE_OCI_DIR)
    return sink_data (&sv->sink, "oci-layout", OCI_LAYOUT, strlen (OCI_LAYOUT), err);
  return sink_data (&sv->sink, "version", DIR_TRANSPORT_VERSION, strlen (DIR_TRANSPORT_VERSION), err);
}

/* An archive file: unnamed in the target's directory until complete
 * (ferry_output_file_open), or the target itself when it is no regular
 * file (/dev/stdout, a FIFO).  */
static int
open_output_file (const char *path, int *direct, int *dirfd, char **named, ferry_error_t *err)
{
  int fd = ferry_output_file_open (path, 0644, dirfd, named, err);

  *direct = *dirfd < 0;
  return fd;
}

static int
write_layout (struct save *sv, ferry_error_t *err)
{
  switch (sv->req->format)
    {
    case FERRY_SAVE_DOCKER_ARCHIVE:
      return save_docker_archive (sv, err);
    case FERRY_SAVE_DOCKER_DIR:
      return save_docker_dir (sv, err);
    default:
      return save_oci (sv, err);
    }
}

static int
save_archive (struct save *sv, ferry_error_t *err)
{
  cleanup_close int own_fd = -1, dirfd = -1;
  cleanup_free char *named = NULL;
  int fd = sv->req->out_fd, direct = 1, ret = -1;

  if (sv->req->output)
    {
      own_fd = open_output_file (sv->req->output, &direct, &dirfd, &named, err);
      if (own_fd < 0)
        return -1;
      fd = own_fd;
    }
  sv->sink.tar = ferry_gotar_new (fd, sv->sink.what);
  sv->sink.file_mode = sv->req->format == FERRY_SAVE_DOCKER_ARCHIVE ? 0444 : 0644;
  sv->sink.sorted = sv->req->format == FERRY_SAVE_OCI_ARCHIVE;
  if (write_layout (sv, err) < 0 || sink_flush_sorted (&sv->sink, err) < 0
      || ferry_gotar_finish (sv->sink.tar, err) < 0)
    goto out;
  tell_held_progress (sv);
  if (! direct && ferry_output_file_commit (fd, dirfd, sv->req->output, named, err) < 0)
    goto out;
  if (named)
    {
      free (named);
      named = NULL;
    }
  ret = 0;
out:
  if (named)
    unlink (named);
  ferry_gotar_free (sv->sink.tar);
  sv->sink.tar = NULL;
  sink_pending_free (&sv->sink);
  return ret;
}

int
ferry_image_save (ferry_store_t *s, const struct ferry_save_request *req, char ***saved, ferry_error_t *err)
{
  struct save sv = { .s = s, .req = req, .sink = { .dirfd = -1 } };
  int archive = req->format == FERRY_SAVE_DOCKER_ARCHIVE || req->format == FERRY_SAVE_OCI_ARCHIVE;
  struct stat st;
  int ret = -1;
  size_t i;

  if (req->n_refs == 0)
    return ferry_make_error (err, 0, "need at least 1 argument");
  if (req->multi_image && req->n_refs > 1 && req->format != FERRY_SAVE_DOCKER_ARCHIVE)
    return ferry_make_error (err, 0,
                             "unsupported format \"%s\" for saving multiple images (only docker-archive)",
                             ferry_save_format_name (req->format));
  if (req->compress && req->format != FERRY_SAVE_DOCKER_DIR)
    return ferry_make_error (err, 0, "--compress can only be set when --format is 'docker-dir'");
  if (! archive && req->output == NULL)
    return ferry_make_error (err, 0, "--format %s writes a directory: name it with -o DIR",
                             ferry_save_format_name (req->format));
  if (resolve (&sv, err) < 0)
    goto out;
  if (req->format == FERRY_SAVE_DOCKER_ARCHIVE && req->output && stat (req->output, &st) == 0
      && S_ISREG (st.st_mode) && st.st_size > 0)
    {
      /* Podman's refusal: it would add to the archive, which it cannot.  */
      ferry_make_error (err, 0, "docker-archive doesn't support modifying existing images");
      goto out;
    }
  sv.stage = ferry_mkdtemp_in (ferry_store_tmp_dir (s), "save-", err);
  if (sv.stage == NULL)
    goto out;
  sv.sink.what = xstrdup (req->output ? req->output : "standard output");
  if (archive)
    ret = save_archive (&sv, err);
  else if (open_output_dir (&sv, err) == 0)
    ret = write_layout (&sv, err);

  if (ret == 0 && saved)
    {
      *saved = xmalloc0 (sizeof (char *) * (sv.n + 1));
      for (i = 0; i < sv.n; i++)
        (*saved)[i] = xstrdup (sv.entries[i].img->id);
    }

out:
  if (sv.stage)
    ferry_rm_rf_quietly (sv.stage);
  free (sv.stage);
  if (sv.sink.dirfd >= 0)
    close (sv.sink.dirfd);
  /* A directory this save made holds nothing else: a failure (a full
   * disk) leaves no half layout behind.  One that was there keeps what
   * it had and what was added, which the next save completes.  */
  if (ret < 0 && sv.made_dir)
    ferry_rm_rf_quietly (req->output);
  ferry_cleanup_strvp (&sv.held_progress);
  for (i = 0; i < sv.sink.n_written; i++)
    free (sv.sink.written[i]);
  free (sv.sink.written);
  free (sv.sink.what);
  entries_free (&sv);
  return ret;
}
