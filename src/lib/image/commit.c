#include "commit.h"
#include "load.h"
#include "reference.h"
#include "../storage/unpack.h"
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

#define OCI_LAYER_TAR "application/vnd.oci.image.layer.v1.tar"

char *
ferry_image_commit_name (const char *name, ferry_error_t *err)
{
  struct ferry_reference r;
  char *s;

  if (ferry_reference_parse (name, FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, err) < 0)
    {
      ferry_error_release (err);
      ferry_make_error (err, 0, "parsing reference \"%s\": invalid reference format", name);
      return NULL;
    }
  if (r.digest)
    {
      ferry_reference_free (&r);
      ferry_make_error (
          err, 0, "parsing reference \"%s\": an image made by commit cannot be named by a digest", name);
      return NULL;
    }
  s = ferry_reference_string (&r);
  ferry_reference_free (&r);
  return s;
}

/* An OCI manifest has OCI media types: a docker-archive's layers keep
 * their bytes and take the OCI name of the same thing.  */
static const char *
oci_media_type (const char *media_type)
{
  if (media_type == NULL || strcmp (media_type, "application/vnd.docker.image.rootfs.diff.tar.gzip") == 0)
    return "application/vnd.oci.image.layer.v1.tar+gzip";
  if (strcmp (media_type, "application/vnd.docker.image.rootfs.diff.tar") == 0)
    return OCI_LAYER_TAR;
  return media_type;
}

/* The base's layers, which the store has: nothing to move in.  */
static int
base_layers (const struct ferry_image *base, struct ferry_new_layer *out, ferry_error_t *err)
{
  cleanup_json json_object *m = ferry_json_parse (base->manifest, strlen (base->manifest), "manifest", err);
  json_object *layers = m ? ferry_json_get_array (m, "layers") : NULL;
  size_t i;

  if (m == NULL)
    return ferry_error_wrap (err, "the image %s", base->id);
  if (layers == NULL || json_object_array_length (layers) != base->n_layers)
    return ferry_make_error (err, 0, "the manifest of image %s does not list its %zu layers", base->id,
                             base->n_layers);
  for (i = 0; i < base->n_layers; i++)
    {
      json_object *l = json_object_array_get_idx (layers, i);
      const char *digest = ferry_json_get_string (l, "digest");

      if (digest == NULL || strlen (digest) != FERRY_DIGEST_LEN
          || strlen (base->diff_ids[i]) != FERRY_DIGEST_LEN)
        return ferry_make_error (err, 0, "the manifest of image %s has a bad layer digest", base->id);
      memcpy (out[i].blob_digest, digest, FERRY_DIGEST_LEN + 1);
      memcpy (out[i].diff_id, base->diff_ids[i], FERRY_DIGEST_LEN + 1);
      out[i].media_type = xstrdup (oci_media_type (ferry_json_get_string (l, "mediaType")));
      out[i].blob_size = ferry_json_get_int (l, "size", 0);
    }
  return 0;
}

static char *
commit_config (const struct ferry_image_commit *c, const char *diff_id, ferry_error_t *err)
{
  cleanup_json json_object *conf
      = ferry_json_parse (c->base->config_text, strlen (c->base->config_text), "image config", err);
  cleanup_free char *now = ferry_time_now ();
  json_object *rootfs, *ids, *history, *h;

  if (conf == NULL)
    return NULL;
  json_object_object_add (conf, "created", json_object_new_string (now));
  json_object_object_add (conf, "config", json_object_get (c->config));
  if (c->author)
    json_object_object_add (conf, "author", json_object_new_string (c->author));
  rootfs = ferry_json_get_object (conf, "rootfs");
  if (rootfs == NULL)
    {
      rootfs = json_object_new_object ();
      json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
      json_object_object_add (conf, "rootfs", rootfs);
    }
  ids = ferry_json_get_array (rootfs, "diff_ids");
  if (c->squash)
    {
      json_object_object_del (rootfs, "diff_ids");
      json_object_object_del (conf, "history");
      ids = NULL;
    }
  if (ids == NULL)
    {
      ids = json_object_new_array ();
      json_object_object_add (rootfs, "diff_ids", ids);
    }
  json_object_array_add (ids, json_object_new_string (diff_id));
  history = ferry_json_get_array (conf, "history");
  if (history == NULL)
    {
      history = json_object_new_array ();
      json_object_object_add (conf, "history", history);
    }
  h = json_object_new_object ();
  json_object_object_add (h, "created", json_object_new_string (now));
  json_object_object_add (h, "created_by", json_object_new_string (c->created_by));
  if (c->author)
    json_object_object_add (h, "author", json_object_new_string (c->author));
  if (c->comment)
    json_object_object_add (h, "comment", json_object_new_string (c->comment));
  json_object_array_add (history, h);
  return xstrdup (ferry_json_to_string (conf, 0));
}

/* Unpacks the new layer L (its blob_file) into WORK/layer.  */
static int
unpack_new_layer (struct ferry_new_layer *l, const char *work, ferry_error_t *err)
{
  cleanup_close int fd = open (l->blob_file, O_RDONLY | O_CLOEXEC);
  struct ferry_unpack_result res;

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", l->blob_file);
  l->unpacked = xasprintf ("%s/layer", work);
  if (mkdir (l->unpacked, 0755) < 0 || chmod (l->unpacked, 0755) < 0)
    return ferry_make_error (err, errno, "cannot create `%s`", l->unpacked);
  if (ferry_unpack_tar_named (fd, "the container's changes", l->unpacked, FERRY_UNPACK_OVERLAY_WHITEOUTS,
                              &res, err)
      < 0)
    return -1;
  memcpy (l->diff_id, res.diff_digest, sizeof (res.diff_digest));
  memcpy (l->blob_digest, res.compressed_digest, sizeof (res.compressed_digest));
  l->blob_size = res.compressed_size;
  l->size = res.diff_size;
  l->media_type = xstrdup (OCI_LAYER_TAR);
  return 0;
}

static int
build_image (ferry_store_t *s, const struct ferry_image_commit *c, struct ferry_new_image *img,
             const char *work, ferry_error_t *err)
{
  struct ferry_new_layer *top;

  size_t n_base = c->squash ? 0 : c->base->n_layers;

  img->n_layers = n_base + 1;
  img->layers = xmalloc0 (sizeof (*img->layers) * img->n_layers);
  img->names = xmalloc0 (sizeof (char *) * 2);
  if (c->name)
    img->names[0] = xstrdup (c->name);
  if (! c->squash && base_layers (c->base, img->layers, err) < 0)
    return -1;
  top = &img->layers[n_base];
  top->blob_file = xstrdup (c->layer);
  if (unpack_new_layer (top, work, err) < 0)
    return -1;
  img->config = commit_config (c, top->diff_id, err);
  if (img->config == NULL)
    return -1;
  ferry_sha256_buffer (img->config, strlen (img->config), img->config_digest);
  img->manifest = ferry_image_manifest_text (img, NULL);
  ferry_sha256_buffer (img->manifest, strlen (img->manifest), img->manifest_digest);
  return ferry_store_add_image (s, img, err);
}

int
ferry_image_commit (ferry_store_t *s, const struct ferry_image_commit *c, char **id, ferry_error_t *err)
{
  struct ferry_new_image img = { 0 };
  cleanup_free char *work = ferry_mkdtemp_in (ferry_store_tmp_dir (s), "commit-", err);
  int ret;

  if (work == NULL)
    return -1;
  ret = build_image (s, c, &img, work, err);
  if (ret == 0)
    *id = xstrdup (ferry_digest_hex (img.config_digest));
  ferry_new_image_free (&img);
  ferry_rm_rf_quietly (work);
  return ret;
}
