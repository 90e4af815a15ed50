#include "pull.h"
#include "compress.h"
#include "convert.h"
#include "encrypt.h"
#include "manifest_list.h"
#include "media.h"
#include "progress.h"
#include "reference.h"
#include "registries.h"
#include "schema.h"
#include "../util/base64.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "../util/parallel.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PUSH_THREADS 4
/* Layers compressed anew at once: each takes this host's cores already
 * (zstd) or one (gzip).  */
#define COMPRESS_THREADS 2

/* A layer compressed anew for this push, in a file of the push's own.  */
struct fresh_layer
{
  ferry_store_t *s;
  char *stored_digest; /* in the stored manifest */
  const char *diff_id; /* the image's */
  const char *what;    /* the destination, for messages */
  size_t index;        /* among the manifest's layers */
  enum ferry_compression to;
  int level;
  char *path;
  struct ferry_recompressed out;
  ferry_error_t err;
};

struct push
{
  ferry_store_t *s;
  ferry_registry_t *reg;
  struct ferry_reference dest;
  char *what;  /* the destination, for messages */
  char *scope; /* "repository:REPO:pull,push" */
  ferry_progress_t *progress;
  char *work;           /* <root>/storage/tmp/push-XXXXXX, when layers are compressed anew */
  const char *blob_dir; /* an artifact's: its blobs as BLOB_DIR/<hex>, S is NULL */
  struct fresh_layer *fresh;
  size_t n_fresh;
};

struct blob_job
{
  struct push *p;
  const char *digest;
  uint64_t size;
  const char *kind; /* "blob" or "config" */
  const char *data; /* the config, from memory */
  const char *path; /* a layer compressed anew: its file, not the store's blob */
  int line;
  ferry_error_t err;
};

static int
http_failure (struct push *p, const struct ferry_http_response *resp, const char *action, ferry_error_t *err)
{
  cleanup_free char *why = ferry_registry_error_text (resp);

  if (resp->status == 401 || resp->status == 403)
    return ferry_make_error (err, 0, "cannot push to %s: registry %s denies %s (%s)", p->what,
                             p->dest.registry, action, why);
  return ferry_make_error (err, 0, "cannot push to %s: %s failed: %s", p->what, action, why);
}

/* HEAD: does the repository already have the blob?  */
static int
blob_exists (struct push *p, const char *digest, ferry_error_t *err)
{
  cleanup_free char *url = xasprintf ("/v2/%s/blobs/%s", p->dest.repository, digest);
  struct ferry_http_request req = { .method = "HEAD", .url = url, .scope = p->scope };
  struct ferry_http_response resp;
  int ret;

  if (ferry_registry_do (p->reg, &req, &resp, err) < 0)
    {
      /* In Podman's words, which users grep for.  */
      if ((*err)->kind == FERRY_ERROR_UNAUTHORIZED)
        return ferry_error_wrap (err,
                                 "trying to reuse blob %s at destination: checking whether a blob %s exists "
                                 "in %s/%s",
                                 digest, digest, p->dest.registry, p->dest.repository);
      return ferry_error_wrap (err, "cannot push to %s", p->what);
    }
  if (resp.status == 200)
    ret = 1;
  else if (resp.status == 404)
    ret = 0;
  else
    ret = http_failure (p, &resp, "checking a blob", err);
  ferry_http_response_free (&resp);
  return ret;
}

/* Starts an upload, mounting from FROM when given.  Returns 1 when the
 * registry mounted the blob, 0 with *LOCATION set when the data must be
 * sent.  */
static int
start_upload (struct push *p, const char *digest, const char *from, char **location, ferry_error_t *err)
{
  cleanup_free char *url = NULL, *scope = NULL;
  struct ferry_http_request req = { .method = "POST" };
  struct ferry_http_response resp;
  int ret = -1;

  *location = NULL;
  if (from)
    {
      url = xasprintf ("/v2/%s/blobs/uploads/?mount=%s&from=%s", p->dest.repository, digest, from);
      scope = xasprintf ("%s repository:%s:pull", p->scope, from);
    }
  else
    {
      url = xasprintf ("/v2/%s/blobs/uploads/", p->dest.repository);
      scope = xstrdup (p->scope);
    }
  req.url = url;
  req.scope = scope;
  if (ferry_registry_do (p->reg, &req, &resp, err) < 0)
    return ferry_error_wrap (err, "cannot push to %s", p->what);
  if (from && resp.status == 201)
    ret = 1;
  else if (resp.status == 202 && resp.location)
    {
      *location = steal_pointer (&resp.location);
      ret = 0;
    }
  else
    http_failure (p, &resp, "starting a blob upload", err);
  ferry_http_response_free (&resp);
  return ret;
}

static int
send_blob (struct blob_job *job, const char *location)
{
  struct push *p = job->p;
  cleanup_free char *url
      = xasprintf ("%s%cdigest=%s", location, strchr (location, '?') ? '&' : '?', job->digest);
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;
  struct ferry_http_request req = {
    .method = "PUT",
    .url = url,
    .scope = p->scope,
    .content_type = "application/octet-stream",
    .body_len = job->size,
  };
  struct ferry_http_response resp;
  struct stat st;
  int ret = -1;

  if (job->data)
    req.body = job->data;
  else
    {
      path = job->path     ? xstrdup (job->path)
             : p->blob_dir ? xasprintf ("%s/%s", p->blob_dir, job->digest + strlen ("sha256:"))
                           : ferry_store_blob_path (p->s, job->digest);
      fd = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT)
        return ferry_make_error (&job->err, 0,
                                 "cannot push to %s: layer blob %s is not in the image store (the image was "
                                 "stored by an older ferry): pull or load the image again",
                                 p->what, job->digest);
      if (fd < 0)
        return ferry_make_error (&job->err, errno, "cannot open `%s`", path);
      if (fstat (fd, &st) < 0 || (uint64_t) st.st_size != job->size)
        return ferry_make_error (
            &job->err, 0,
            "cannot push to %s: layer blob `%s` does not have the %llu bytes the manifest "
            "says: the image store is damaged; pull or load the image again",
            p->what, path, (unsigned long long) job->size);
      req.body_fd = fd;
    }
  /* The whole blob in one PUT, as the distribution spec allows.  */
  if (ferry_registry_do (p->reg, &req, &resp, &job->err) < 0)
    return ferry_error_wrap (&job->err, "cannot push to %s: uploading %s", p->what, job->digest);
  if (resp.status == 201 || resp.status == 204)
    ret = 0;
  else
    http_failure (p, &resp, "a blob upload", &job->err);
  ferry_http_response_free (&resp);
  return ret;
}

static int
push_blob (struct blob_job *job)
{
  struct push *p = job->p;
  cleanup_strv char **repos = NULL;
  cleanup_free char *location = NULL;
  const char *from = NULL;
  size_t i;
  int r;

  r = blob_exists (p, job->digest, &job->err);
  if (r < 0)
    return -1;
  if (r > 0)
    {
      ferry_progress_status (p->progress, job->line, "skipped: already exists");
      return 0;
    }
  repos = p->s ? ferry_store_blob_repositories (p->s, job->digest, p->dest.registry) : NULL;
  for (i = 0; repos && repos[i]; i++)
    if (strcmp (repos[i], p->dest.repository) != 0)
      {
        from = repos[i];
        break;
      }
  r = start_upload (p, job->digest, from, &location, &job->err);
  if (r < 0 && from)
    {
      /* A registry that cannot mount (or forgot the blob) still takes an
       * upload.  */
      ferry_error_release (&job->err);
      from = NULL;
      r = start_upload (p, job->digest, NULL, &location, &job->err);
    }
  if (r < 0)
    return -1;
  if (r > 0)
    {
      cleanup_free char *status = xasprintf ("mounted from %s", from);
      ferry_progress_status (p->progress, job->line, status);
      return 0;
    }
  ferry_progress_status (p->progress, job->line, "uploading");
  if (send_blob (job, location) < 0)
    return -1;
  ferry_progress_status (p->progress, job->line, "done");
  return 0;
}

struct blob_queue
{
  struct blob_job *jobs;
  size_t n;
};

static int
push_nth (size_t i, void *arg)
{
  struct blob_queue *q = arg;

  return push_blob (&q->jobs[i]);
}

/* Queues the blob DESC describes; its progress line names SHOWN when
 * given, else its digest.  */
static int
queue_add_shown (struct blob_queue *q, struct push *p, json_object *desc, const char *kind, const char *data,
                 const char *shown, ferry_error_t *err)
{
  const char *dg = ferry_json_get_string (desc, "digest");
  int64_t size = ferry_json_get_int (desc, "size", -1);
  const char *path = NULL;
  size_t k;

  if (dg == NULL || ! ferry_digest_is_valid (dg) || size < 0)
    return ferry_make_error (err, 0, "cannot push to %s: the stored manifest has an invalid %s descriptor",
                             p->what, kind);
  for (k = 0; k < q->n; k++)
    if (strcmp (q->jobs[k].digest, dg) == 0)
      return 0;
  for (k = 0; data == NULL && k < p->n_fresh; k++)
    if (strcmp (p->fresh[k].out.digest, dg) == 0)
      path = p->fresh[k].path;
  q->jobs = xrealloc (q->jobs, sizeof (*q->jobs) * (q->n + 1));
  q->jobs[q->n++] = (struct blob_job){
    .p = p,
    .digest = dg,
    .size = (uint64_t) size,
    .kind = kind,
    .data = data,
    .path = path,
    .line = ferry_progress_add (p->progress, kind, shown ? shown : dg, (uint64_t) size),
  };
  return 0;
}

static int
queue_add (struct blob_queue *q, struct push *p, json_object *desc, const char *kind, const char *data,
           ferry_error_t *err)
{
  return queue_add_shown (q, p, desc, kind, data, NULL, err);
}

/* What Podman's push names layer I by: its diff_id, as its store gives
 * the layers, whatever blob goes; NULL (the blob's digest is shown) when
 * the manifest's layers are not the image's.  */
static const char *
layer_shown (const struct ferry_image *img, json_object *layers, size_t i)
{
  return img->n_layers == json_object_array_length (layers) ? img->diff_ids[i] : NULL;
}

/* Sends Q's blobs, several at a time: the first error is the one told.  */
static int
run_queue (struct blob_queue *q, ferry_error_t *err)
{
  int ret = 0;

  ferry_parallel_for (q->n, PUSH_THREADS, push_nth, q);
  for (size_t k = 0; k < q->n; k++)
    if (q->jobs[k].err)
      {
        if (ret == 0)
          *err = steal_pointer (&q->jobs[k].err);
        else
          ferry_error_release (&q->jobs[k].err);
        ret = -1;
      }
  return ret;
}

static int
push_blobs (struct push *p, json_object *manifest, const struct ferry_image *img, ferry_error_t *err)
{
  struct blob_queue q = { 0 };
  json_object *layers = ferry_json_get_array (manifest, "layers");
  json_object *config = ferry_json_get_object (manifest, "config");
  size_t i;
  int ret;

  if (layers == NULL || config == NULL)
    return ferry_make_error (
        err, 0, "cannot push to %s: the stored manifest of %.12s has no config or layers", p->what, img->id);
  for (i = 0; i < json_object_array_length (layers); i++)
    if (queue_add_shown (&q, p, json_object_array_get_idx (layers, i), "blob", NULL,
                         layer_shown (img, layers, i), err)
        < 0)
      goto out;
  if (queue_add (&q, p, config, "config", img->config_text, err) < 0)
    goto out;
  if (strcmp (q.jobs[q.n - 1].digest, img->config_digest) != 0
      || q.jobs[q.n - 1].size != strlen (img->config_text))
    {
      ferry_make_error (err, 0, "cannot push to %s: the stored manifest of %.12s does not name its config",
                        p->what, img->id);
      goto out;
    }

  ret = run_queue (&q, err);
  free (q.jobs);
  return ret;

out:
  free (q.jobs);
  return -1;
}

/* PUTs TEXT (of MEDIA_TYPE and DIGEST) as REFERENCE (a tag or its
 * digest).  */
static int
put_manifest_text (struct push *p, const char *text, const char *media_type, const char *digest,
                   const char *reference, ferry_error_t *err)
{
  cleanup_free char *url = xasprintf ("/v2/%s/manifests/%s", p->dest.repository, reference);
  struct ferry_http_request req = {
    .method = "PUT",
    .url = url,
    .scope = p->scope,
    .content_type = media_type && *media_type ? media_type : FERRY_MEDIA_OCI_MANIFEST,
    .body = text,
    .body_len = strlen (text),
  };
  struct ferry_http_response resp;
  int ret = -1;

  ferry_progress_say (p->progress, "Writing manifest%s to image destination",
                      ferry_media_is_index (req.content_type) ? " list" : "");
  if (ferry_registry_do (p->reg, &req, &resp, err) < 0)
    return ferry_error_wrap (err, "cannot push to %s", p->what);
  if (resp.status != 201 && resp.status != 200)
    http_failure (p, &resp, "storing the manifest", err);
  else if (resp.docker_content_digest && strcmp (resp.docker_content_digest, digest) != 0)
    {
      cleanup_free char *shown = ferry_registry_printable (resp.docker_content_digest);
      ferry_make_error (err, 0, "cannot push to %s: registry %s stored the manifest as %s, not %s", p->what,
                        p->dest.registry, shown, digest);
    }
  else
    ret = 0;
  ferry_http_response_free (&resp);
  return ret;
}

static int
put_manifest (struct push *p, const struct ferry_image *img, json_object *manifest, ferry_error_t *err)
{
  return put_manifest_text (p, img->manifest, ferry_json_get_string (manifest, "mediaType"),
                            img->manifest_digest, p->dest.tag, err);
}

/* DEST (docker:// optional) into P's destination and name for messages:
 * a tag, as a push needs one.  */
static int
push_destination (struct push *p, const char *dest, ferry_error_t *err)
{
  if (strncmp (dest, "docker://", 9) == 0)
    dest += 9;
  if (ferry_reference_parse (dest, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &p->dest, err) < 0)
    return -1;
  p->what = ferry_reference_string (&p->dest);
  if (p->dest.tag == NULL)
    return ferry_make_error (err, 0, "cannot push to %s: a destination names a tag, not a digest", p->what);
  /* registries.conf may block the name (a prefix with a namespace, which
   * the session's look at the registry alone does not see).  */
  {
    const struct ferry_registries_conf *conf;
    cleanup_free char *name = ferry_reference_name (&p->dest);
    int insecure;

    if (ferry_registries_conf_get (&conf, err) < 0
        || ferry_registries_check_access (conf, name, &insecure, err) < 0)
      return -1;
  }
  return 0;
}

/* The destination when none is given: the name IMAGE was found by.  */
static int
default_destination (const char *image, const struct ferry_image *img, char **dest, ferry_error_t *err)
{
  struct ferry_reference r;
  ferry_error_t ignored = NULL;
  size_t i;

  if (ferry_reference_parse (image, FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, &ignored) == 0)
    {
      cleanup_free char *given = ferry_reference_string (&r);

      ferry_reference_free (&r);
      for (i = 0; img->names[i]; i++)
        if (strcmp (given, img->names[i]) == 0)
          {
            *dest = xstrdup (img->names[i]);
            return 0;
          }
    }
  ferry_error_release (&ignored);
  return ferry_make_error (
      err, 0, "ferry push %s: give a destination (ferry push %s REGISTRY/REPOSITORY:TAG)", image, image);
}

/* --format: IMG's manifest (its copy here, not the store's) in FORMAT,
 * with its digest.  */
static int
convert_manifest (struct ferry_image *img, const char *format, const char *what, ferry_error_t *err)
{
  char digest[FERRY_DIGEST_LEN + 1];
  int same = 0;
  char *text = ferry_manifest_convert (img->manifest, format, &same, err);

  if (text == NULL)
    return same ? 0 : ferry_error_wrap (err, "cannot push to %s as %s", what, format);
  ferry_sha256_buffer (text, strlen (text), digest);
  free (img->manifest);
  img->manifest = text;
  free (img->manifest_digest);
  img->manifest_digest = xstrdup (digest);
  return 0;
}

/* ---- layers compressed anew ------------------------------------------- */

/* The compression of a stored layer: from its blob's bytes, else (a store
 * from before blobs were kept) from its media type.  */
static enum ferry_compression
stored_compression (ferry_store_t *s, const char *digest, const char *media_type)
{
  cleanup_free char *path = ferry_store_blob_path (s, digest);
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd >= 0)
    return ferry_compression_of_fd (fd);
  if (media_type && strstr (media_type, "zstd"))
    return FERRY_COMPRESSION_ZSTD;
  if (media_type && strstr (media_type, "gzip"))
    return FERRY_COMPRESSION_GZIP;
  return FERRY_COMPRESSION_NONE;
}

/* What a stored layer compressed with STORED becomes: NONE, as it is.
 * DOCKER_ONLY: the manifest must stay Docker's schema 2 (--format v2s2).  */
static enum ferry_compression
layer_target (enum ferry_compression stored, enum ferry_compression want, bool force, bool docker_only)
{
  if (stored == FERRY_COMPRESSION_NONE)
    return want;
  if (stored != want && force)
    return want;
  if (stored == FERRY_COMPRESSION_ZSTD && docker_only)
    return FERRY_COMPRESSION_GZIP;
  return FERRY_COMPRESSION_NONE;
}

/* A layer's media type once compressed with TO, in the manifest's schema.  */
static const char *
fresh_media_type (const char *old, enum ferry_compression to, bool docker)
{
  bool foreign = old && (strstr (old, "nondistributable") || strstr (old, "foreign"));

  if (docker)
    return foreign ? "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
                   : "application/vnd.docker.image.rootfs.diff.tar.gzip";
  if (to == FERRY_COMPRESSION_ZSTD)
    return foreign ? "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
                   : "application/vnd.oci.image.layer.v1.tar+zstd";
  return foreign ? "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
                 : "application/vnd.oci.image.layer.v1.tar+gzip";
}

static int
compress_nth (size_t i, void *arg)
{
  struct push *p = arg;
  struct fresh_layer *l = &p->fresh[i];
  cleanup_free char *src = ferry_store_blob_path (l->s, l->stored_digest);
  cleanup_free char *what = xasprintf ("layer blob %s", l->stored_digest);
  cleanup_close int in = -1, out = -1;

  in = open (src, O_RDONLY | O_CLOEXEC);
  if (in < 0 && errno == ENOENT)
    return ferry_make_error (&l->err, 0,
                             "cannot push to %s: layer blob %s is not in the image store (the image was "
                             "stored by an older ferry): pull or load the image again",
                             l->what, l->stored_digest);
  if (in < 0)
    return ferry_make_error (&l->err, errno, "cannot open `%s`", src);
  out = open (l->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (out < 0)
    return ferry_make_error (&l->err, errno, "cannot create `%s`", l->path);
  if (ferry_layer_recompress (in, what, l->diff_id, l->to, l->level, out, &l->out, &l->err) < 0)
    return ferry_error_wrap (&l->err, "cannot push to %s", l->what);
  return 0;
}

/* Drops the zstd:chunked annotations of a layer's descriptor, which name
 * offsets in the old blob.  */
static void
drop_chunked_annotations (json_object *desc)
{
  json_object *a = ferry_json_get_object (desc, "annotations");
  struct json_object_iterator it, end;
  cleanup_strv char **gone = NULL;
  size_t n = 0;

  if (a == NULL)
    return;
  it = json_object_iter_begin (a);
  end = json_object_iter_end (a);
  for (; ! json_object_iter_equal (&it, &end); json_object_iter_next (&it))
    if (strncmp (json_object_iter_peek_name (&it), "io.github.containers.zstd-chunked.", 34) == 0)
      {
        gone = xrealloc (gone, sizeof (char *) * (n + 2));
        gone[n++] = xstrdup (json_object_iter_peek_name (&it));
        gone[n] = NULL;
      }
  for (size_t i = 0; i < n; i++)
    json_object_object_del (a, gone[i]);
  if (json_object_object_length (a) == 0)
    json_object_object_del (desc, "annotations");
}

static void
replace_manifest (struct ferry_image *img, char *text)
{
  char digest[FERRY_DIGEST_LEN + 1];

  ferry_sha256_buffer (text, strlen (text), digest);
  free (img->manifest);
  img->manifest = text;
  free (img->manifest_digest);
  img->manifest_digest = xstrdup (digest);
}

/* Writes IMG's manifest (its copy here) again with the fresh layers.  A
 * schema 2 manifest that gets a zstd layer becomes an OCI one first.  */
static int
rewrite_manifest (struct push *p, struct ferry_image *img, bool to_oci, ferry_error_t *err)
{
  cleanup_json json_object *m = NULL;
  json_object *layers;
  const char *mt;
  bool docker;

  if (to_oci)
    {
      int same = 0;
      char *text = ferry_manifest_convert (img->manifest, "oci", &same, err);

      if (text == NULL && ! same)
        return ferry_error_wrap (err, "cannot push to %s with zstd layers", p->what);
      if (text)
        replace_manifest (img, text);
    }
  m = ferry_json_parse (img->manifest, strlen (img->manifest), "stored manifest", err);
  if (m == NULL)
    return -1;
  mt = ferry_json_get_string (m, "mediaType");
  docker = mt && strcmp (mt, FERRY_MEDIA_DOCKER_MANIFEST) == 0;
  layers = ferry_json_get_array (m, "layers");
  for (size_t i = 0; i < p->n_fresh; i++)
    {
      struct fresh_layer *l = &p->fresh[i];
      json_object *d = json_object_array_get_idx (layers, l->index);
      const char *old = ferry_json_get_string (d, "mediaType");

      json_object_object_add (d, "mediaType", json_object_new_string (fresh_media_type (old, l->to, docker)));
      json_object_object_add (d, "digest", json_object_new_string (l->out.digest));
      json_object_object_add (d, "size", json_object_new_int64 ((int64_t) l->out.size));
      drop_chunked_annotations (d);
    }
  replace_manifest (img, xstrdup (json_object_to_json_string_ext (m, JSON_C_TO_STRING_PLAIN
                                                                         | JSON_C_TO_STRING_NOSLASHESCAPE)));
  return 0;
}

/* Compresses anew the layers that must be (see ferry_image_push), and
 * writes IMG's manifest (its copy here) with them.  */
static int
compress_layers (struct push *p, struct ferry_image *img, const struct ferry_transfer_options *o,
                 ferry_error_t *err)
{
  cleanup_json json_object *m
      = ferry_json_parse (img->manifest, strlen (img->manifest), "stored manifest", err);
  enum ferry_compression want = o->compression.format ? o->compression.format : FERRY_COMPRESSION_GZIP;
  bool force = o->compression.force, docker_only = o->format && strcmp (o->format, "v2s2") == 0;
  bool docker_stored, to_oci = false;
  int level;
  json_object *layers;
  const char *mt;
  size_t i, n;

  if (m == NULL)
    return -1;
  mt = ferry_json_get_string (m, "mediaType");
  docker_stored = mt && strcmp (mt, FERRY_MEDIA_DOCKER_MANIFEST) == 0;
  layers = ferry_json_get_array (m, "layers");
  n = layers ? json_object_array_length (layers) : 0;
  if (layers == NULL || n != img->n_layers)
    return ferry_make_error (err, 0,
                             "cannot push to %s: the stored manifest of %.12s does not list its %zu layers",
                             p->what, img->id, img->n_layers);
  if (want == FERRY_COMPRESSION_ZSTD && docker_only)
    {
      /* Podman: a forced zstd cannot go in a schema 2 manifest, and an
       * unforced one gives way to gzip, which it can.  */
      if (force)
        return ferry_make_error (err, 0,
                                 "cannot use --compression-format zstd with --format v2s2: Docker's schema 2 "
                                 "has no zstd layer type; use --format oci");
      want = FERRY_COMPRESSION_GZIP;
    }
  level = o->compression.level_set         ? o->compression.level
          : want == FERRY_COMPRESSION_ZSTD ? FERRY_ZSTD_DEFAULT_LEVEL
                                           : FERRY_GZIP_DEFAULT_LEVEL;
  if (ferry_compression_level_check (want, level, err) < 0)
    return -1;
  for (i = 0; i < n; i++)
    {
      json_object *d = json_object_array_get_idx (layers, i);
      const char *dg = ferry_json_get_string (d, "digest");
      enum ferry_compression to;

      if (dg == NULL || ! ferry_digest_is_valid (dg))
        return ferry_make_error (
            err, 0, "cannot push to %s: the stored manifest has an invalid blob descriptor", p->what);
      to = layer_target (stored_compression (p->s, dg, ferry_json_get_string (d, "mediaType")), want, force,
                         docker_only);
      if (to == FERRY_COMPRESSION_NONE)
        continue;
      if (to == FERRY_COMPRESSION_ZSTD && docker_stored && ! o->format)
        to_oci = true;
      p->fresh = xrealloc (p->fresh, sizeof (*p->fresh) * (p->n_fresh + 1));
      p->fresh[p->n_fresh++] = (struct fresh_layer){
        .s = p->s,
        .stored_digest = xstrdup (dg),
        .diff_id = img->diff_ids[i],
        .what = p->what,
        .index = i,
        .to = to,
        .level = level,
      };
    }
  if (p->n_fresh == 0)
    return 0;
  p->work = ferry_mkdtemp_in (ferry_store_tmp_dir (p->s), "push-", err);
  if (p->work == NULL)
    return -1;
  for (i = 0; i < p->n_fresh; i++)
    p->fresh[i].path = xasprintf ("%s/%zu", p->work, i);
  ferry_parallel_for (p->n_fresh, COMPRESS_THREADS, compress_nth, p);
  for (i = 0; i < p->n_fresh; i++)
    if (p->fresh[i].err)
      {
        *err = steal_pointer (&p->fresh[i].err);
        return -1;
      }
  return rewrite_manifest (p, img, to_oci, err);
}

/* ---- layers encrypted ------------------------------------------------- */

/* --encrypt-layer's indexes as a mask of IMG's N layers (all of them when
 * none is given); Podman's words for one out of range.  */
static int
layers_to_encrypt (const struct ferry_transfer_options *o, size_t n, bool *mask, ferry_error_t *err)
{
  size_t i;

  for (i = 0; i < n; i++)
    mask[i] = o->n_encrypt_layers == 0;
  for (i = 0; i < o->n_encrypt_layers; i++)
    {
      long long idx = o->encrypt_layers[i];

      if (idx < 0)
        idx += (long long) n;
      if (idx < 0 || idx >= (long long) n)
        return ferry_make_error (
            err, 0, "when choosing layers to encrypt, layer index %d out of range (%zu layers exist)",
            o->encrypt_layers[i], n);
      mask[idx] = true;
    }
  return 0;
}

/* Encrypts the layers --encrypt-layer chooses for KEYS' recipients into
 * files of the push's own, and writes IMG's manifest (its copy here)
 * naming them: an OCI one, the only kind with encrypted layer types.  */
static int
encrypt_layers (struct push *p, struct ferry_image *img, const struct ferry_transfer_options *o,
                const ferry_crypt_keys_t *keys, ferry_error_t *err)
{
  cleanup_json json_object *m = NULL;
  cleanup_free bool *mask = NULL;
  json_object *layers;
  const char *mt;
  size_t i, n;

  if (o->format && strcmp (o->format, "v2s2") == 0)
    return ferry_make_error (
        err, 0,
        "encryption required together with format %s, which does not support encryption: "
        "use --format oci",
        FERRY_MEDIA_DOCKER_MANIFEST);
  m = ferry_json_parse (img->manifest, strlen (img->manifest), "stored manifest", err);
  if (m == NULL)
    return -1;
  mt = ferry_json_get_string (m, "mediaType");
  if (mt && strcmp (mt, FERRY_MEDIA_DOCKER_MANIFEST) == 0)
    {
      json_object_put (m);
      m = NULL;
      if (convert_manifest (img, "oci", p->what, err) < 0)
        return -1;
      m = ferry_json_parse (img->manifest, strlen (img->manifest), "stored manifest", err);
      if (m == NULL)
        return -1;
    }
  layers = ferry_json_get_array (m, "layers");
  n = ferry_json_array_length (layers);
  mask = xmalloc0 (sizeof (bool) * (n + 1));
  if (layers_to_encrypt (o, n, mask, err) < 0)
    return -1;
  if (p->work == NULL && (p->work = ferry_mkdtemp_in (ferry_store_tmp_dir (p->s), "push-", err)) == NULL)
    return -1;
  for (i = 0; i < n; i++)
    {
      json_object *d = json_object_array_get_idx (layers, i), *ann = NULL, *old;
      const char *dg = ferry_json_get_string (d, "digest"), *lmt = ferry_json_get_string (d, "mediaType");
      cleanup_free char *src = NULL, *path = NULL, *enc_mt = NULL, *stored_digest = NULL;
      cleanup_close int in = -1, out = -1;
      char digest[FERRY_DIGEST_LEN + 1];
      uint64_t size = 0;
      size_t k;

      if (! mask[i])
        continue;
      if (dg == NULL || ! ferry_digest_is_valid (dg) || lmt == NULL)
        return ferry_make_error (
            err, 0, "cannot push to %s: the stored manifest has an invalid layer descriptor", p->what);
      if (ferry_media_is_encrypted (lmt))
        continue;
      for (k = 0; k < p->n_fresh; k++)
        if (strcmp (p->fresh[k].out.digest, dg) == 0)
          src = xstrdup (p->fresh[k].path);
      if (src == NULL)
        src = ferry_store_blob_path (p->s, dg);
      in = open (src, O_RDONLY | O_CLOEXEC);
      if (in < 0)
        return ferry_make_error (err, errno, "cannot push to %s: cannot open layer blob %s", p->what, dg);
      path = xasprintf ("%s/enc-%zu", p->work, i);
      out = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (out < 0)
        return ferry_make_error (err, errno, "cannot create `%s`", path);
      if (ferry_layer_encrypt (keys, in, out, dg, digest, &size, &ann, err) < 0)
        return ferry_error_wrap (err, "cannot push to %s: encrypting layer %s", p->what, dg);
      enc_mt = xasprintf ("%s%s", lmt, FERRY_ENC_SUFFIX);
      /* DG and LMT are D's own strings, freed as their members are replaced.  */
      stored_digest = xstrdup (dg);
      json_object_object_add (d, "mediaType", json_object_new_string (enc_mt));
      json_object_object_add (d, "digest", json_object_new_string (digest));
      json_object_object_add (d, "size", json_object_new_int64 ((int64_t) size));
      drop_chunked_annotations (d);
      old = ferry_json_get_object (d, "annotations");
      if (old)
        {
          json_object_object_foreach (ann, key, val) json_object_object_add (old, key, json_object_get (val));
          json_object_put (ann);
        }
      else
        json_object_object_add (d, "annotations", ann);
      /* queue_add sends it from its file, as a layer compressed anew.  */
      p->fresh = xrealloc (p->fresh, sizeof (*p->fresh) * (p->n_fresh + 1));
      p->fresh[p->n_fresh]
          = (struct fresh_layer){ .stored_digest = steal_pointer (&stored_digest), .index = i };
      p->fresh[p->n_fresh].path = steal_pointer (&path);
      snprintf (p->fresh[p->n_fresh].out.digest, sizeof (p->fresh[p->n_fresh].out.digest), "%s", digest);
      p->fresh[p->n_fresh].out.size = size;
      p->n_fresh++;
    }
  replace_manifest (img, xstrdup (json_object_to_json_string_ext (m, JSON_C_TO_STRING_PLAIN
                                                                         | JSON_C_TO_STRING_NOSLASHESCAPE)));
  return 0;
}

static void
fresh_layers_free (struct push *p)
{
  for (size_t i = 0; i < p->n_fresh; i++)
    {
      free (p->fresh[i].stored_digest);
      free (p->fresh[i].path);
      ferry_error_release (&p->fresh[i].err);
    }
  free (p->fresh);
  if (p->work)
    ferry_rm_rf_quietly (p->work);
  free (p->work);
}

/* Where the registry now has each of MANIFEST's layers, for later pushes
 * to mount them from.  */
static void
record_locations (struct push *p, json_object *manifest)
{
  json_object *layers = ferry_json_get_array (manifest, "layers");
  size_t i;

  for (i = 0; layers && i < json_object_array_length (layers); i++)
    {
      cleanup_error ferry_error_t ignored = NULL;
      json_object *d = json_object_array_get_idx (layers, i);
      const char *dg = ferry_json_get_string (d, "digest");

      /* An encrypted blob is not the store's: nothing to mount later.  */
      if (dg && ! ferry_media_is_encrypted (ferry_json_get_string (d, "mediaType")))
        ferry_store_add_blob_location (p->s, dg, p->dest.registry, p->dest.repository, &ignored);
    }
}

static int
push_once (ferry_store_t *s, const char *image, const char *dest, const struct ferry_transfer_options *o,
           char **digest, ferry_error_t *err)
{
  struct push p = { .s = s };
  struct ferry_image *img = NULL;
  cleanup_json json_object *manifest = NULL;
  cleanup_free char *dest_owned = NULL;
  ferry_crypt_keys_t *keys = NULL;
  int ret = -1;

  if (digest)
    *digest = NULL;
  if (o->encryption_keys && ferry_crypt_keys_for_encryption (o->encryption_keys, &keys, err) < 0)
    return -1;
  if (ferry_store_lookup (s, image, &img, err) < 0)
    {
      ferry_crypt_keys_free (keys);
      return -1;
    }
  if (dest == NULL)
    {
      if (default_destination (image, img, &dest_owned, err) < 0)
        goto out;
      dest = dest_owned;
    }
  if (push_destination (&p, dest, err) < 0)
    goto out;
  if (compress_layers (&p, img, o, err) < 0)
    goto out;
  if (o->format && convert_manifest (img, o->format, p.what, err) < 0)
    goto out;
  if (keys && encrypt_layers (&p, img, o, keys, err) < 0)
    goto out;
  manifest = ferry_json_parse (img->manifest, strlen (img->manifest), "stored manifest", err);
  if (manifest == NULL)
    goto out;
  p.scope = xasprintf ("repository:%s:pull,push", p.dest.repository);
  if (ferry_registry_open_repository (p.dest.registry, p.dest.repository, &o->registry, &p.reg, err) < 0)
    {
      ferry_error_wrap (err, "cannot push to %s", p.what);
      goto out;
    }
  p.progress = ferry_progress_new (o->progress);
  ferry_progress_say (p.progress, "Getting image source signatures");
  if (push_blobs (&p, manifest, img, err) < 0 || put_manifest (&p, img, manifest, err) < 0)
    goto out;
  record_locations (&p, manifest);
  if (digest)
    *digest = xstrdup (img->manifest_digest);
  ret = 0;

out:
  ferry_progress_finish (p.progress);
  ferry_registry_close (p.reg);
  ferry_reference_free (&p.dest);
  fresh_layers_free (&p);
  free (p.what);
  free (p.scope);
  ferry_image_free (img);
  ferry_crypt_keys_free (keys);
  return ret;
}

struct push_call
{
  ferry_store_t *s;
  const char *image, *dest;
  const struct ferry_transfer_options *o;
  char **digest;
};

static int
push_call (void *arg, ferry_error_t *err)
{
  struct push_call *c = arg;

  return push_once (c->s, c->image, c->dest, c->o, c->digest, err);
}

int
ferry_image_push (ferry_store_t *s, const char *image, const char *dest,
                  const struct ferry_transfer_options *o, char **digest, ferry_error_t *err)
{
  struct push_call c = { s, image, dest, o, digest };

  return ferry_retry_run (&o->retry, push_call, &c, err);
}

/* ---- manifest lists ------------------------------------------------------------ */

static bool
manifest_has_zstd_layer (json_object *manifest)
{
  json_object *layers = ferry_json_get_array (manifest, "layers");

  for (size_t i = 0; layers && i < json_object_array_length (layers); i++)
    {
      const char *mt = ferry_json_get_string (json_object_array_get_idx (layers, i), "mediaType");
      if (mt && strstr (mt, "zstd"))
        return true;
    }
  return false;
}

/* Pushes the image of the list entry ENTRY (its blobs, then its manifest
 * by digest), its layers as O says, converted to O->format when given.
 * VARIANT NONE: the entry itself, whose new descriptor, when it changed or
 * has zstd layers, goes into CHANGED under the old digest.  Else a copy
 * with every layer in VARIANT, whose descriptor for the list is *ADDED.  */
static int
push_instance (struct push *p, json_object *entry, const struct ferry_transfer_options *o,
               enum ferry_compression variant, json_object *changed, json_object **added, ferry_error_t *err)
{
  const char *digest = ferry_json_get_string (entry, "digest");
  struct ferry_transfer_options io = *o;
  struct ferry_image *img = NULL;
  cleanup_json json_object *manifest = NULL;
  json_object *d = NULL;
  const char *mt;
  bool zstd;
  int ret = -1;

  if (ferry_store_lookup_manifest_digest (p->s, digest, &img, err) < 0)
    {
      if (err && *err && (*err)->kind == FERRY_ERROR_NOT_FOUND)
        {
          ferry_error_release (err);
          return ferry_make_error (
              err, 0,
              "cannot push to %s: image %s of the manifest list is not in the store: pull "
              "or load it, or remove it from the list (ferry manifest remove)",
              p->what, digest);
        }
      return -1;
    }
  if (variant != FERRY_COMPRESSION_NONE)
    {
      io.compression.format = variant;
      io.compression.force = true;
      io.compression.level_set = false;
    }
  if (compress_layers (p, img, &io, err) < 0)
    goto out;
  if (o->format && convert_manifest (img, o->format, p->what, err) < 0)
    goto out;
  manifest = ferry_json_parse (img->manifest, strlen (img->manifest), "stored manifest", err);
  if (manifest == NULL)
    goto out;
  if (push_blobs (p, manifest, img, err) < 0
      || put_manifest_text (p, img->manifest, ferry_json_get_string (manifest, "mediaType"),
                            img->manifest_digest, img->manifest_digest, err)
             < 0)
    goto out;
  record_locations (p, manifest);
  mt = ferry_json_get_string (manifest, "mediaType");
  zstd = manifest_has_zstd_layer (manifest);
  if (variant != FERRY_COMPRESSION_NONE || strcmp (img->manifest_digest, digest) != 0 || zstd)
    {
      d = json_object_new_object ();
      json_object_object_add (d, "mediaType", json_object_new_string (mt ? mt : FERRY_MEDIA_OCI_MANIFEST));
      json_object_object_add (d, "size", json_object_new_int64 ((int64_t) strlen (img->manifest)));
      json_object_object_add (d, "digest", json_object_new_string (img->manifest_digest));
    }
  if (variant != FERRY_COMPRESSION_NONE)
    {
      json_object *a = NULL, *plat = ferry_json_get_object (entry, "platform");
      json_object *had = ferry_json_get_object (entry, "annotations");

      if (had && json_object_deep_copy (had, &a, NULL) < 0)
        abort ();
      if (zstd)
        {
          if (a == NULL)
            a = json_object_new_object ();
          json_object_object_add (a, FERRY_ANNOTATION_ZSTD, json_object_new_string ("true"));
        }
      if (plat)
        json_object_object_add (d, "platform", json_object_get (plat));
      if (a)
        json_object_object_add (d, "annotations", a);
      *added = steal_pointer (&d);
    }
  else if (d)
    {
      if (zstd)
        {
          json_object *a = json_object_new_object ();
          json_object_object_add (a, FERRY_ANNOTATION_ZSTD, json_object_new_string ("true"));
          json_object_object_add (d, "annotations", a);
        }
      json_object_object_add (changed, digest, steal_pointer (&d));
    }
  ret = 0;

out:
  json_object_put (d);
  fresh_layers_free (p);
  p->fresh = NULL;
  p->n_fresh = 0;
  p->work = NULL;
  ferry_image_free (img);
  return ret;
}

/* Pushes the artifact of the list entry ENTRY (manifest add --artifact):
 * its config from the manifest, its layers from the files the entry names,
 * each checked against the manifest first, so that a file changed since
 * it was added stops the push before anything is sent.  */
static int
push_artifact (struct push *p, json_object *entry, ferry_error_t *err)
{
  const char *text = ferry_json_get_string (entry, FERRY_LIST_ARTIFACT_MANIFEST);
  const char *digest = ferry_json_get_string (entry, "digest");
  json_object *files = ferry_json_get_array (entry, FERRY_LIST_ARTIFACT_FILES);
  cleanup_json json_object *m = NULL;
  cleanup_free unsigned char *config = NULL;
  struct blob_queue q = { 0 };
  char dg[FERRY_DIGEST_LEN + 1];
  json_object *layers, *cd;
  const char *b64;
  size_t i, n, len = 0;
  int ret = -1;

  ferry_sha256_buffer (text, strlen (text), dg);
  if (digest == NULL || strcmp (dg, digest) != 0)
    return ferry_make_error (err, 0, "cannot push to %s: the list's artifact %s does not match its manifest",
                             p->what, digest ? digest : "(none)");
  m = ferry_json_parse (text, strlen (text), "the artifact's manifest", err);
  if (m == NULL || ferry_image_check_manifest (m, err) < 0)
    return -1;
  layers = ferry_json_get_array (m, "layers");
  n = json_object_array_length (layers);
  if (files == NULL || json_object_array_length (files) != n)
    return ferry_make_error (err, 0,
                             "cannot push to %s: the list's artifact %s names %zu files for %zu layers",
                             p->what, digest, files ? json_object_array_length (files) : 0, n);
  for (i = 0; i < n; i++)
    {
      json_object *d = json_object_array_get_idx (layers, i);
      const char *path = json_object_get_string (json_object_array_get_idx (files, i));
      char fd_digest[FERRY_DIGEST_LEN + 1];
      struct stat st;

      if (path == NULL || stat (path, &st) < 0 || ! S_ISREG (st.st_mode)
          || (int64_t) st.st_size != ferry_json_get_int (d, "size", -1)
          || ferry_sha256_file (path, fd_digest, err) < 0
          || ! ferry_json_string_equals (d, "digest", fd_digest))
        {
          ferry_error_release (err);
          return ferry_make_error (
              err, 0,
              "cannot push to %s: file `%s` of artifact %s is gone or changed since it was "
              "added to the list: add it again (ferry manifest add --artifact)",
              p->what, path ? path : "?", digest);
        }
    }
  /* The config travels in the manifest ("data"): its bytes are the blob.  */
  cd = ferry_json_get_object (m, "config");
  b64 = ferry_json_get_string (cd, "data");
  if (b64 == NULL || strlen (b64) % 4 != 0)
    return ferry_make_error (err, 0, "cannot push to %s: artifact %s has no config data", p->what, digest);
  config = ferry_base64_decode (FERRY_BASE64_STD, 0, b64, strlen (b64), &len, NULL);
  if (config == NULL || (int64_t) len != ferry_json_get_int (cd, "size", -1))
    return ferry_make_error (err, 0, "cannot push to %s: artifact %s has a damaged config", p->what, digest);
  ferry_sha256_buffer (config, len, dg);
  if (! ferry_json_string_equals (cd, "digest", dg))
    return ferry_make_error (err, 0, "cannot push to %s: artifact %s has a damaged config", p->what, digest);
  if (queue_add (&q, p, cd, "config", (const char *) config, err) < 0)
    goto out;
  for (i = 0; i < n; i++)
    {
      size_t before = q.n;

      if (queue_add (&q, p, json_object_array_get_idx (layers, i), "blob", NULL, err) < 0)
        goto out;
      if (q.n > before)
        q.jobs[q.n - 1].path = json_object_get_string (json_object_array_get_idx (files, i));
    }
  if (run_queue (&q, err) < 0
      || put_manifest_text (p, text, ferry_json_get_string (m, "mediaType"), digest, digest, err) < 0)
    goto out;
  ret = 0;

out:
  free (q.jobs);
  return ret;
}

/* Which compressions the entries of each platform have, as Podman counts
 * them before it pushes: an entry marked zstd has zstd, any other gzip.  */
static json_object *
compressions_by_platform (json_object *entries)
{
  json_object *by = json_object_new_object ();

  for (size_t i = 0; i < json_object_array_length (entries); i++)
    {
      json_object *e = json_object_array_get_idx (entries, i);
      const char *key = ferry_json_to_string (ferry_json_get_object (e, "platform"), 0);
      bool zstd = ferry_json_string_equals (ferry_json_get_object (e, "annotations"), FERRY_ANNOTATION_ZSTD,
                                            "true");
      int has = ferry_json_get_int (by, key, 0);

      json_object_object_add (
          by, key,
          json_object_new_int (has | (1 << (zstd ? FERRY_COMPRESSION_ZSTD : FERRY_COMPRESSION_GZIP))));
    }
  return by;
}

/* The entry ENTRY, then the copies of it in the compressions its
 * platform lacks (recorded in BY as it gets them).  */
static int
push_entry (struct push *p, json_object *entry, const struct ferry_transfer_options *o, json_object *by,
            json_object *changed, json_object *added, ferry_error_t *err)
{
  const char *key = ferry_json_to_string (ferry_json_get_object (entry, "platform"), 0);
  cleanup_free char *key_copy = xstrdup (key);

  /* An artifact goes as it is: no compression of its own to add.  */
  if (ferry_json_get_string (entry, FERRY_LIST_ARTIFACT_MANIFEST))
    return push_artifact (p, entry, err);
  if (push_instance (p, entry, o, FERRY_COMPRESSION_NONE, changed, NULL, err) < 0)
    return -1;
  for (size_t k = 0; k < 2 && o->add_compression[k] != FERRY_COMPRESSION_NONE; k++)
    {
      int has = ferry_json_get_int (by, key_copy, 0), bit = 1 << o->add_compression[k];
      json_object *d = NULL;

      if (has & bit)
        continue;
      if (push_instance (p, entry, o, o->add_compression[k], NULL, &d, err) < 0)
        return -1;
      json_object_array_add (added, d);
      json_object_object_add (by, key_copy, json_object_new_int (has | bit));
    }
  return 0;
}

struct push_list_call
{
  ferry_store_t *s;
  const char *list, *dest;
  const struct ferry_transfer_options *o;
  int all;
  char **digest;
};

static int
push_list_once (void *arg, ferry_error_t *err)
{
  struct push_list_call *c = arg;
  struct push p = { .s = c->s };
  struct ferry_image *list = NULL;
  cleanup_json json_object *index = NULL, *changed = json_object_new_object ();
  cleanup_json json_object *added = json_object_new_array (), *by = NULL;
  cleanup_free char *dest_owned = NULL, *text = NULL;
  const char *dest = c->dest;
  char digest[FERRY_DIGEST_LEN + 1];
  json_object *entries;
  size_t i;
  int ret = -1;

  if (c->digest)
    *c->digest = NULL;
  if (ferry_store_lookup_list (c->s, c->list, &list, err) < 0)
    return -1;
  if (dest == NULL)
    {
      if (default_destination (c->list, list, &dest_owned, err) < 0)
        goto out;
      dest = dest_owned;
    }
  if (push_destination (&p, dest, err) < 0)
    goto out;
  index = ferry_json_parse (list->manifest, strlen (list->manifest), "manifest list", err);
  if (index == NULL)
    goto out;
  entries = ferry_json_get_array (index, "manifests");
  for (i = 0; c->o->format && strcmp (c->o->format, "v2s2") == 0 && i < json_object_array_length (entries);
       i++)
    if (ferry_json_get_string (json_object_array_get_idx (entries, i), FERRY_LIST_ARTIFACT_MANIFEST))
      {
        ferry_make_error (
            err, 0,
            "cannot push to %s with --format v2s2: the list holds an artifact, which only an OCI "
            "index can list: use --format oci",
            p.what);
        goto out;
      }
  for (i = 0; i < 2 && c->o->add_compression[i] != FERRY_COMPRESSION_NONE; i++)
    if (c->o->add_compression[i] == FERRY_COMPRESSION_ZSTD && c->o->format
        && strcmp (c->o->format, "v2s2") == 0)
      {
        ferry_make_error (err, 0,
                          "cannot push to %s: --add-compression zstd makes images with zstd layers, which "
                          "Docker's schema 2 (--format v2s2) has no name for: use --format oci",
                          p.what);
        goto out;
      }
  p.scope = xasprintf ("repository:%s:pull,push", p.dest.repository);
  if (ferry_registry_open_repository (p.dest.registry, p.dest.repository, &c->o->registry, &p.reg, err) < 0)
    {
      ferry_error_wrap (err, "cannot push to %s", p.what);
      goto out;
    }
  p.progress = ferry_progress_new (c->o->progress);
  ferry_progress_say (p.progress, "Getting image list signatures");
  by = compressions_by_platform (entries);
  if (c->all)
    ferry_progress_say (p.progress, "Copying %zu images generated from %zu images in list",
                        json_object_array_length (entries), json_object_array_length (entries));
  for (i = 0; c->all && i < json_object_array_length (entries); i++)
    {
      ferry_progress_say (p.progress, "Copying image %s (%zu/%zu)",
                          ferry_json_get_string (json_object_array_get_idx (entries, i), "digest"), i + 1,
                          json_object_array_length (entries));
      ferry_progress_say (p.progress, "Getting image source signatures");
      if (push_entry (&p, json_object_array_get_idx (entries, i), c->o, by, changed, added, err) < 0)
        goto out;
    }
  text = ferry_manifest_list_for_push (list->manifest, c->o->format, changed, added, err);
  if (text == NULL)
    goto out;
  ferry_sha256_buffer (text, strlen (text), digest);
  {
    cleanup_json json_object *pushed = json_tokener_parse (text);
    if (put_manifest_text (&p, text, ferry_json_get_string (pushed, "mediaType"), digest, p.dest.tag, err)
        < 0)
      goto out;
  }
  ferry_progress_say (p.progress, "Storing list signatures");
  if (c->digest)
    *c->digest = xstrdup (digest);
  ret = 0;

out:
  ferry_progress_finish (p.progress);
  ferry_registry_close (p.reg);
  ferry_reference_free (&p.dest);
  free (p.what);
  free (p.scope);
  ferry_image_free (list);
  return ret;
}

int
ferry_image_push_list (ferry_store_t *s, const char *list, const char *dest, int all,
                       const struct ferry_transfer_options *o, char **digest, ferry_error_t *err)
{
  struct push_list_call c = { s, list, dest, o, all, digest };

  return ferry_retry_run (&o->retry, push_list_once, &c, err);
}

/* ---- artifacts ------------------------------------------------------------------ */

int
ferry_artifact_push (const char *dest, const struct ferry_transfer_options *o, const char *blob_dir,
                     const char *manifest_text, char **digest, ferry_error_t *err)
{
  struct push p = { .blob_dir = blob_dir };
  struct blob_queue q = { 0 };
  cleanup_json json_object *manifest = NULL;
  char dg[FERRY_DIGEST_LEN + 1];
  json_object *layers;
  size_t i;
  int ret = -1;

  if (digest)
    *digest = NULL;
  if (push_destination (&p, dest, err) < 0)
    goto out;
  manifest = ferry_json_parse (manifest_text, strlen (manifest_text), "the artifact's manifest", err);
  if (manifest == NULL || ferry_image_check_manifest (manifest, err) < 0)
    goto out;
  p.scope = xasprintf ("repository:%s:pull,push", p.dest.repository);
  if (ferry_registry_open_repository (p.dest.registry, p.dest.repository, &o->registry, &p.reg, err) < 0)
    {
      ferry_error_wrap (err, "cannot push to %s", p.what);
      goto out;
    }
  p.progress = ferry_progress_new (o->progress);
  ferry_progress_say (p.progress, "Getting image source signatures");
  layers = ferry_json_get_array (manifest, "layers");
  for (i = 0; i < json_object_array_length (layers); i++)
    if (queue_add (&q, &p, json_object_array_get_idx (layers, i), "blob", NULL, err) < 0)
      goto out;
  if (queue_add (&q, &p, ferry_json_get_object (manifest, "config"), "config", NULL, err) < 0)
    goto out;
  ferry_sha256_buffer (manifest_text, strlen (manifest_text), dg);
  if (run_queue (&q, err) < 0
      || put_manifest_text (&p, manifest_text, ferry_json_get_string (manifest, "mediaType"), dg, p.dest.tag,
                            err)
             < 0)
    goto out;
  if (digest)
    *digest = xstrdup (dg);
  ret = 0;

out:
  free (q.jobs);
  ferry_progress_finish (p.progress);
  ferry_registry_close (p.reg);
  ferry_reference_free (&p.dest);
  free (p.what);
  free (p.scope);
  return ret;
}
