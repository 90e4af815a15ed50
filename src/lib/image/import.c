#include "load.h"
#include "policy.h"
#include "change.h"
#include "reference.h"
#include "../storage/unpack.h"
#include "../util/decompress.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/prefetch.h"
#include "../util/json.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The config of a one-layer image made from a tarball: no command, no
 * environment, as `podman import` without --change; O's changes, message
 * and platform on top, and a history entry as Podman's import writes it
 * ("imported from tarball" unless --message gives other words).  O is
 * NULL for ferry's own images (a checkpoint image): then the config and
 * history are those of Podman's checkpoint images (working directory /,
 * made by /bin/sh, no comment).  */
static char *
import_config (const char *diff_id, const struct ferry_import_options *o, ferry_error_t *err)
{
  cleanup_free char *now = ferry_time_now ();
  cleanup_json json_object *c = json_object_new_object ();
  json_object *rootfs = json_object_new_object (), *config = json_object_new_object ();
  json_object *ids = json_object_new_array (), *history = json_object_new_array ();
  json_object *h = json_object_new_object ();
  cleanup_free char *created_by
      = o ? xasprintf ("/bin/sh -c #(nop) ADD file:%s in /", ferry_digest_hex (diff_id))
          : xstrdup ("/bin/sh");
  size_t failed = 0;

  json_object_object_add (c, "created", json_object_new_string (now));
  json_object_object_add (c, "architecture",
                          json_object_new_string (o && o->arch ? o->arch : ferry_image_host_arch ()));
  json_object_object_add (c, "os", json_object_new_string (o && o->os ? o->os : "linux"));
  if (o && o->variant)
    json_object_object_add (c, "variant", json_object_new_string (o->variant));
  json_object_object_add (c, "config", config);
  if (o == NULL)
    json_object_object_add (config, "WorkingDir", json_object_new_string ("/"));
  if (o && ferry_image_changes_apply (config, o->changes, &failed, err) < 0)
    {
      ferry_error_wrap (err, "invalid change \"%s\"", o->changes[failed]);
      return NULL;
    }
  json_object_array_add (ids, json_object_new_string (diff_id));
  json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
  json_object_object_add (rootfs, "diff_ids", ids);
  json_object_object_add (c, "rootfs", rootfs);
  json_object_object_add (h, "created", json_object_new_string (now));
  json_object_object_add (h, "created_by", json_object_new_string (created_by));
  if (o)
    json_object_object_add (h, "comment",
                            json_object_new_string (o->message ? o->message : "imported from tarball"));
  json_object_array_add (history, h);
  json_object_object_add (c, "history", history);
  return xstrdup (ferry_json_to_string (c, 0));
}

int
ferry_image_import_check (const struct ferry_import_options *o, ferry_error_t *err)
{
  for (size_t i = 0; o && o->changes && o->changes[i]; i++)
    if (ferry_image_change_apply (NULL, o->changes[i], err) < 0)
      return ferry_error_wrap (err, "invalid change \"%s\"", o->changes[i]);
  return 0;
}

char *
ferry_image_manifest_text (const struct ferry_new_image *img, json_object *annotations)
{
  json_object *m = json_object_new_object (), *c = json_object_new_object ();
  json_object *ls = json_object_new_array ();
  char *text;

  json_object_object_add (m, "schemaVersion", json_object_new_int (2));
  json_object_object_add (m, "mediaType",
                          json_object_new_string ("application/vnd.oci.image.manifest.v1+json"));
  json_object_object_add (c, "mediaType",
                          json_object_new_string ("application/vnd.oci.image.config.v1+json"));
  json_object_object_add (c, "digest", json_object_new_string (img->config_digest));
  json_object_object_add (c, "size", json_object_new_int64 (strlen (img->config)));
  json_object_object_add (m, "config", c);
  for (size_t i = 0; i < img->n_layers; i++)
    {
      json_object *l = json_object_new_object ();

      json_object_object_add (l, "mediaType", json_object_new_string (img->layers[i].media_type));
      json_object_object_add (l, "digest", json_object_new_string (img->layers[i].blob_digest));
      json_object_object_add (l, "size", json_object_new_int64 (img->layers[i].blob_size));
      json_object_array_add (ls, l);
    }
  json_object_object_add (m, "layers", ls);
  if (annotations)
    json_object_object_add (m, "annotations", json_object_get (annotations));
  text = xstrdup (ferry_json_to_string (m, 0));
  json_object_put (m);
  return text;
}

static const char *
layer_media_type (const char *compressed, const char *uncompressed, enum ferry_compression kind)
{
  if (strcmp (compressed, uncompressed) == 0)
    return "application/vnd.oci.image.layer.v1.tar";
  return kind == FERRY_COMPRESSION_ZSTD ? "application/vnd.oci.image.layer.v1.tar+zstd"
                                        : "application/vnd.oci.image.layer.v1.tar+gzip";
}

/* Copies the tarball at FD to the new file BLOB as it is: the blob of the
 * image's one layer, which a push sends unchanged.  *SIZE gets its length.
 * This is the one read of the input: standard input cannot be read twice.  */
static int
spool_tarball (int fd, const char *source, const char *blob, uint64_t *size, ferry_error_t *err)
{
  cleanup_close int out = open (blob, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  char buf[1 << 17];

  if (out < 0)
    return ferry_make_error (err, errno, "cannot create `%s`", blob);
  *size = 0;
  for (;;)
    {
      ssize_t r = read (fd, buf, sizeof (buf));

      if (r == 0)
        return 0;
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return ferry_make_error (err, errno, "cannot read tarball `%s`", source);
      if (ferry_write_all (out, buf, r) < 0)
        return ferry_make_error (err, errno, "cannot copy tarball `%s` into the image store", source);
      *size += r;
    }
}

/* Unpacks the spooled BLOB of L into a new directory beside it.  The blob
 * digest is computed from every byte of BLOB as unpacking reads it to its
 * end, so it names exactly the bytes kept.  */
static int
unpack_spooled (struct ferry_new_layer *l, const char *work, const char *source,
                struct ferry_unpack_result *res, ferry_error_t *err)
{
  cleanup_close int fd = open (l->blob_file, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", l->blob_file);
  l->unpacked = xasprintf ("%s/layer", work);
  /* Not left to the umask: the layer's root is the container's "/".  */
  if (mkdir (l->unpacked, 0755) < 0 || chmod (l->unpacked, 0755) < 0)
    return ferry_make_error (err, errno, "cannot create `%s`", l->unpacked);
  if (ferry_unpack_tar_named (fd, source, l->unpacked, FERRY_UNPACK_OVERLAY_WHITEOUTS, res, err) < 0)
    return ferry_error_wrap (err, "cannot import `%s`", source);
  return 0;
}

/* The digests and sizes of the spooled BLOB of L, which stays packed: read
 * to its end once, ahead and around the page cache (util/prefetch.h: a
 * checkpoint image's archive was just written around it too), hashed on
 * both sides on threads of their own.  */
static int
digest_spooled (struct ferry_new_layer *l, const char *source, struct ferry_unpack_result *res,
                ferry_error_t *err)
{
  cleanup_close int fd = open (l->blob_file, O_RDONLY | O_CLOEXEC);
  ferry_prefetch_t *ahead;
  ferry_decompress_t *d;
  int ret;

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", l->blob_file);
  ahead = ferry_prefetch_start (fd);
  d = ferry_decompress_open_with (fd, ahead ? ferry_prefetch_read : NULL, ahead, source, err);
  if (d == NULL)
    {
      ferry_prefetch_stop (ahead);
      return ferry_error_wrap (err, "cannot import `%s`", source);
    }
  ret = ferry_decompress_drain_parallel (d, err);
  if (ret == 0)
    {
      memset (res, 0, sizeof (*res));
      ferry_decompress_digests (d, res->compressed_digest, res->diff_digest, &res->compressed_size,
                                &res->diff_size);
      res->compression = ferry_decompress_kind (d);
      /* Not counted: the archive reader checks its entries on restore.  */
      res->entries = 1;
    }
  else
    ferry_error_wrap (err, "cannot import `%s`", source);
  ferry_decompress_close (d);
  ferry_prefetch_stop (ahead);
  return ret;
}

/* Makes the one-layer image whose blob is the file L->blob_file (under
 * the store's tmp directory, WORK beside it for the unpacked layer), named
 * NAMES, with ANNOTATIONS (may be NULL) in its manifest.  */
static int
import_blob (ferry_store_t *s, struct ferry_new_image *img, const char *work, const char *source,
             json_object *annotations, unsigned flags, const struct ferry_import_options *o, char **id,
             ferry_error_t *err)
{
  struct ferry_unpack_result res;
  struct stat st;

  if (stat (img->layers[0].blob_file, &st) < 0)
    return ferry_make_error (err, errno, "cannot read `%s`", img->layers[0].blob_file);
  img->layers[0].blob_only = (flags & FERRY_IMPORT_BLOB_ONLY) != 0;
  if (img->layers[0].blob_only ? digest_spooled (&img->layers[0], source, &res, err) < 0
                               : unpack_spooled (&img->layers[0], work, source, &res, err) < 0)
    return -1;
  if (res.compressed_size != (uint64_t) st.st_size)
    return ferry_make_error (err, 0, "cannot import `%s`: %llu of its %llu bytes were read", source,
                             (unsigned long long) res.compressed_size, (unsigned long long) st.st_size);
  if (res.entries == 0)
    return ferry_make_error (
        err, 0, "cannot import `%s`: it holds no files (is it a root file system tarball?)", source);
  memcpy (img->layers[0].diff_id, res.diff_digest, sizeof (res.diff_digest));
  memcpy (img->layers[0].blob_digest, res.compressed_digest, sizeof (res.compressed_digest));
  img->layers[0].blob_size = res.compressed_size;
  img->layers[0].size = res.diff_size;
  /* What unpacking found the blob to be, whatever the file is called.  */
  img->layers[0].media_type
      = xstrdup (layer_media_type (res.compressed_digest, res.diff_digest, res.compression));

  img->config = import_config (res.diff_digest, o, err);
  if (img->config == NULL)
    return -1;
  ferry_sha256_buffer (img->config, strlen (img->config), img->config_digest);
  img->manifest = ferry_image_manifest_text (img, annotations);
  ferry_sha256_buffer (img->manifest, strlen (img->manifest), img->manifest_digest);
  if (ferry_store_add_image (s, img, err) < 0)
    return -1;
  *id = xstrdup (ferry_digest_hex (img->config_digest));
  return 0;
}

/* NAME normalised (localhost/ by default) into IMG's names.  */
static int
import_names (struct ferry_new_image *img, const char *name, ferry_error_t *err)
{
  struct ferry_reference r;

  img->names = xmalloc0 (sizeof (char *) * 2);
  if (name == NULL)
    return 0;
  if (ferry_reference_parse (name, FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, err) < 0)
    return -1;
  img->names[0] = ferry_reference_string (&r);
  ferry_reference_free (&r);
  return 0;
}

/* ferry_image_import_file, with O (may be NULL).  */
static int
import_file_with (ferry_store_t *s, const char *blob, const char *name, json_object *annotations,
                  const char *source, unsigned flags, const struct ferry_import_options *o, char **id,
                  ferry_error_t *err)
{
  struct ferry_new_image img = { 0 };
  cleanup_free char *work = NULL;
  int ret = -1;

  if (import_names (&img, name, err) < 0)
    goto out;
  img.n_layers = 1;
  img.layers = xmalloc0 (sizeof (*img.layers));
  work = ferry_mkdtemp_in (ferry_store_tmp_dir (s), "import-", err);
  if (work == NULL)
    goto out;
  img.layers[0].blob_file = xstrdup (blob);
  ret = import_blob (s, &img, work, source, annotations, flags, o, id, err);
out:
  ferry_new_image_free (&img);
  if (work)
    {
      cleanup_error ferry_error_t ignored = NULL;
      ferry_rm_rf (work, &ignored);
    }
  return ret;
}

int
ferry_image_import (ferry_store_t *s, const char *path, const char *name,
                    const struct ferry_import_options *o, char **id, ferry_error_t *err)
{
  struct ferry_new_image named = { 0 };
  cleanup_free char *spool = NULL, *blob = NULL;
  cleanup_close int fd = -1;
  uint64_t size;
  int ret = -1;

  /* A bad name or change is said before the input is read.  */
  ret = import_names (&named, name, err);
  ferry_new_image_free (&named);
  if (ret < 0 || ferry_image_import_check (o, err) < 0)
    return -1;
  {
    cleanup_free char *shown = xasprintf ("tarball:%s", path);
    struct ferry_policy_image img = { .transport = "tarball", .shown = shown, .path = path };
    if (ferry_policy_check_path (o ? o->signature_policy : NULL, &img, err) < 0)
      return -1;
  }
  ret = -1;
  fd = strcmp (path, "-") == 0 ? dup (STDIN_FILENO) : open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open tarball `%s`", path);
  spool = ferry_mkdtemp_in (ferry_store_tmp_dir (s), "spool-", err);
  if (spool == NULL)
    return -1;
  blob = xasprintf ("%s/blob", spool);
  if (spool_tarball (fd, path, blob, &size, err) == 0)
    ret = import_file_with (s, blob, name, NULL,
                            strcmp (path, "-") == 0 ? "imported from standard input" : path, 0, o, id, err);
  {
    cleanup_error ferry_error_t ignored = NULL;
    ferry_rm_rf (spool, &ignored);
  }
  return ret;
}

int
ferry_image_import_file (ferry_store_t *s, const char *blob, const char *name, json_object *annotations,
                         const char *source, unsigned flags, char **id, ferry_error_t *err)
{
  return import_file_with (s, blob, name, annotations, source, flags, NULL, id, err);
}
