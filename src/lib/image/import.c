#include "load.h"
#include "reference.h"
#include "../storage/unpack.h"
#include "../util/decompress.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
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
 * environment, as `podman import` without --change.  */
static char *
import_config (const char *diff_id, const char *source)
{
  cleanup_free char *now = ferry_time_now ();
  json_object *c = json_object_new_object (), *rootfs = json_object_new_object ();
  json_object *ids = json_object_new_array (), *history = json_object_new_array ();
  json_object *h = json_object_new_object ();
  cleanup_free char *created_by
      = xasprintf ("/bin/sh -c #(nop) ADD file:%s in /", ferry_digest_hex (diff_id));
  char *text;

  json_object_object_add (c, "created", json_object_new_string (now));
  json_object_object_add (c, "architecture", json_object_new_string (ferry_image_host_arch ()));
  json_object_object_add (c, "os", json_object_new_string ("linux"));
  json_object_object_add (c, "config", json_object_new_object ());
  json_object_array_add (ids, json_object_new_string (diff_id));
  json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
  json_object_object_add (rootfs, "diff_ids", ids);
  json_object_object_add (c, "rootfs", rootfs);
  json_object_object_add (h, "created", json_object_new_string (now));
  json_object_object_add (h, "created_by", json_object_new_string (created_by));
  json_object_object_add (h, "comment", json_object_new_string (source));
  json_object_array_add (history, h);
  json_object_object_add (c, "history", history);
  text = xstrdup (ferry_json_to_string (c, 0));
  json_object_put (c);
  return text;
}

static char *
import_manifest (const struct ferry_new_image *img)
{
  json_object *m = json_object_new_object (), *c = json_object_new_object ();
  json_object *ls = json_object_new_array (), *l = json_object_new_object ();
  char *text;

  json_object_object_add (m, "schemaVersion", json_object_new_int (2));
  json_object_object_add (m, "mediaType",
                          json_object_new_string ("application/vnd.oci.image.manifest.v1+json"));
  json_object_object_add (c, "mediaType",
                          json_object_new_string ("application/vnd.oci.image.config.v1+json"));
  json_object_object_add (c, "digest", json_object_new_string (img->config_digest));
  json_object_object_add (c, "size", json_object_new_int64 (strlen (img->config)));
  json_object_object_add (m, "config", c);
  json_object_object_add (l, "mediaType", json_object_new_string (img->layers[0].media_type));
  json_object_object_add (l, "digest", json_object_new_string (img->layers[0].blob_digest));
  json_object_object_add (l, "size", json_object_new_int64 (img->layers[0].blob_size));
  json_object_array_add (ls, l);
  json_object_object_add (m, "layers", ls);
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

int
ferry_image_import (ferry_store_t *s, const char *path, const char *name, char **id, ferry_error_t *err)
{
  struct ferry_new_image img = { 0 };
  struct ferry_unpack_result res;
  cleanup_close int fd = -1;
  int ret = -1;

  img.names = xmalloc0 (sizeof (char *) * 2);
  if (name)
    {
      struct ferry_reference r;

      if (ferry_reference_parse (name, FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, err) < 0)
        goto out;
      img.names[0] = ferry_reference_string (&r);
      ferry_reference_free (&r);
    }
  fd = strcmp (path, "-") == 0 ? dup (STDIN_FILENO) : open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    {
      ferry_make_error (err, errno, "cannot open tarball `%s`", path);
      goto out;
    }
  img.n_layers = 1;
  img.layers = xmalloc0 (sizeof (*img.layers));
  img.layers[0].unpacked = ferry_mkdtemp_in (ferry_store_tmp_dir (s), "import-", err);
  if (img.layers[0].unpacked == NULL)
    goto out;
  if (chmod (img.layers[0].unpacked, 0755) < 0)
    {
      ferry_make_error (err, errno, "cannot set the mode of `%s`", img.layers[0].unpacked);
      goto out;
    }
  if (ferry_unpack_tar_named (fd, path, img.layers[0].unpacked, FERRY_UNPACK_OVERLAY_WHITEOUTS, &res, err)
      < 0)
    {
      ferry_error_wrap (err, "cannot import `%s`", path);
      goto out;
    }
  if (res.entries == 0)
    {
      ferry_make_error (err, 0, "cannot import `%s`: it holds no files (is it a root file system tarball?)",
                        path);
      goto out;
    }
  memcpy (img.layers[0].diff_id, res.diff_digest, sizeof (res.diff_digest));
  memcpy (img.layers[0].blob_digest, res.compressed_digest, sizeof (res.compressed_digest));
  img.layers[0].blob_size = res.compressed_size;
  img.layers[0].size = res.diff_size;
  /* From the stream itself: standard input cannot be peeked at.  */
  img.layers[0].media_type
      = xstrdup (layer_media_type (res.compressed_digest, res.diff_digest, res.compression));

  img.config
      = import_config (res.diff_digest, strcmp (path, "-") == 0 ? "imported from standard input" : path);
  ferry_sha256_buffer (img.config, strlen (img.config), img.config_digest);
  img.manifest = import_manifest (&img);
  ferry_sha256_buffer (img.manifest, strlen (img.manifest), img.manifest_digest);
  if (ferry_store_add_image (s, &img, err) < 0)
    goto out;
  *id = xstrdup (ferry_digest_hex (img.config_digest));
  ret = 0;
out:
  ferry_new_image_free (&img);
  return ret;
}
