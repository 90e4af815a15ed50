#include "pull.h"
#include "convert.h"
#include "manifest_list.h"
#include "media.h"
#include "progress.h"
#include "reference.h"
#include "../util/cleanup.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "../util/parallel.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PUSH_THREADS 4

struct push
{
  ferry_store_t *s;
  ferry_registry_t *reg;
  struct ferry_reference dest;
  char *what;  /* the destination, for messages */
  char *scope; /* "repository:REPO:pull,push" */
  ferry_progress_t *progress;
};

struct blob_job
{
  struct push *p;
  const char *digest;
  uint64_t size;
  const char *kind; /* "blob" or "config" */
  const char *data; /* the config, from memory */
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
    return ferry_error_wrap (err, "cannot push to %s", p->what);
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
      path = ferry_store_blob_path (p->s, job->digest);
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
  repos = ferry_store_blob_repositories (p->s, job->digest, p->dest.registry);
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

static int
queue_add (struct blob_queue *q, struct push *p, json_object *desc, const char *kind, const char *data,
           ferry_error_t *err)
{
  const char *dg = ferry_json_get_string (desc, "digest");
  int64_t size = ferry_json_get_int (desc, "size", -1);
  size_t k;

  if (dg == NULL || ! ferry_digest_is_valid (dg) || size < 0)
    return ferry_make_error (err, 0, "cannot push to %s: the stored manifest has an invalid %s descriptor",
                             p->what, kind);
  for (k = 0; k < q->n; k++)
    if (strcmp (q->jobs[k].digest, dg) == 0)
      return 0;
  q->jobs = xrealloc (q->jobs, sizeof (*q->jobs) * (q->n + 1));
  q->jobs[q->n++] = (struct blob_job){
    .p = p,
    .digest = dg,
    .size = (uint64_t) size,
    .kind = kind,
    .data = data,
    .line = ferry_progress_add (p->progress, kind, dg, (uint64_t) size),
  };
  return 0;
}

static int
push_blobs (struct push *p, json_object *manifest, const struct ferry_image *img, ferry_error_t *err)
{
  struct blob_queue q = { 0 };
  json_object *layers = ferry_json_get_array (manifest, "layers");
  json_object *config = ferry_json_get_object (manifest, "config");
  size_t i, k;
  int ret = 0;

  if (layers == NULL || config == NULL)
    return ferry_make_error (
        err, 0, "cannot push to %s: the stored manifest of %.12s has no config or layers", p->what, img->id);
  for (i = 0; i < json_object_array_length (layers); i++)
    if (queue_add (&q, p, json_object_array_get_idx (layers, i), "blob", NULL, err) < 0)
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

  ferry_parallel_for (q.n, PUSH_THREADS, push_nth, &q);
  for (k = 0; k < q.n; k++)
    if (q.jobs[k].err)
      {
        if (ret == 0)
          *err = steal_pointer (&q.jobs[k].err);
        else
          ferry_error_release (&q.jobs[k].err);
        ret = -1;
      }
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

  ferry_progress_say (p->progress, "Writing manifest to image destination");
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

static int
push_once (ferry_store_t *s, const char *image, const char *dest, const struct ferry_transfer_options *o,
           char **digest, ferry_error_t *err)
{
  struct push p = { .s = s };
  struct ferry_image *img = NULL;
  cleanup_json json_object *manifest = NULL;
  cleanup_free char *dest_owned = NULL;
  size_t i;
  int ret = -1;

  if (digest)
    *digest = NULL;
  if (ferry_store_lookup (s, image, &img, err) < 0)
    return -1;
  if (dest == NULL)
    {
      if (default_destination (image, img, &dest_owned, err) < 0)
        goto out;
      dest = dest_owned;
    }
  if (strncmp (dest, "docker://", 9) == 0)
    dest += 9;
  if (ferry_reference_parse (dest, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &p.dest, err) < 0)
    goto out;
  p.what = ferry_reference_string (&p.dest);
  if (p.dest.tag == NULL)
    {
      ferry_make_error (err, 0, "cannot push to %s: a destination names a tag, not a digest", p.what);
      goto out;
    }
  if (o->format && convert_manifest (img, o->format, p.what, err) < 0)
    goto out;
  manifest = ferry_json_parse (img->manifest, strlen (img->manifest), "stored manifest", err);
  if (manifest == NULL)
    goto out;
  p.scope = xasprintf ("repository:%s:pull,push", p.dest.repository);
  if (ferry_registry_open (p.dest.registry, &o->registry, &p.reg, err) < 0)
    {
      ferry_error_wrap (err, "cannot push to %s", p.what);
      goto out;
    }
  p.progress = ferry_progress_new (o->progress);
  ferry_progress_say (p.progress, "Getting image source signatures");
  if (push_blobs (&p, manifest, img, err) < 0 || put_manifest (&p, img, manifest, err) < 0)
    goto out;
  {
    json_object *layers = ferry_json_get_array (manifest, "layers");
    for (i = 0; layers && i < json_object_array_length (layers); i++)
      {
        cleanup_error ferry_error_t ignored = NULL;
        const char *dg = ferry_json_get_string (json_object_array_get_idx (layers, i), "digest");
        if (dg)
          ferry_store_add_blob_location (s, dg, p.dest.registry, p.dest.repository, &ignored);
      }
  }
  if (digest)
    *digest = xstrdup (img->manifest_digest);
  ret = 0;

out:
  ferry_progress_finish (p.progress);
  ferry_registry_close (p.reg);
  ferry_reference_free (&p.dest);
  free (p.what);
  free (p.scope);
  ferry_image_free (img);
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

static void
record_locations (struct push *p, json_object *manifest)
{
  json_object *layers = ferry_json_get_array (manifest, "layers");
  size_t i;

  for (i = 0; layers && i < json_object_array_length (layers); i++)
    {
      cleanup_error ferry_error_t ignored = NULL;
      const char *dg = ferry_json_get_string (json_object_array_get_idx (layers, i), "digest");
      if (dg)
        ferry_store_add_blob_location (p->s, dg, p->dest.registry, p->dest.repository, &ignored);
    }
}

/* Pushes the image of the list entry DIGEST (its blobs, then its manifest
 * by digest), converted to FORMAT when given; a conversion's new
 * descriptor goes into CHANGED under the old digest.  */
static int
push_instance (struct push *p, const char *digest, const char *format, json_object *changed,
               ferry_error_t *err)
{
  struct ferry_image *img = NULL;
  cleanup_json json_object *manifest = NULL;
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
  if (format && convert_manifest (img, format, p->what, err) < 0)
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
  if (strcmp (img->manifest_digest, digest) != 0)
    {
      json_object *d = json_object_new_object ();
      const char *mt = ferry_json_get_string (manifest, "mediaType");

      json_object_object_add (d, "mediaType", json_object_new_string (mt ? mt : FERRY_MEDIA_OCI_MANIFEST));
      json_object_object_add (d, "size", json_object_new_int64 ((int64_t) strlen (img->manifest)));
      json_object_object_add (d, "digest", json_object_new_string (img->manifest_digest));
      json_object_object_add (changed, digest, d);
    }
  ret = 0;

out:
  ferry_image_free (img);
  return ret;
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
  if (strncmp (dest, "docker://", 9) == 0)
    dest += 9;
  if (ferry_reference_parse (dest, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &p.dest, err) < 0)
    goto out;
  p.what = ferry_reference_string (&p.dest);
  if (p.dest.tag == NULL)
    {
      ferry_make_error (err, 0, "cannot push to %s: a destination names a tag, not a digest", p.what);
      goto out;
    }
  index = ferry_json_parse (list->manifest, strlen (list->manifest), "manifest list", err);
  if (index == NULL)
    goto out;
  entries = ferry_json_get_array (index, "manifests");
  p.scope = xasprintf ("repository:%s:pull,push", p.dest.repository);
  if (ferry_registry_open (p.dest.registry, &c->o->registry, &p.reg, err) < 0)
    {
      ferry_error_wrap (err, "cannot push to %s", p.what);
      goto out;
    }
  p.progress = ferry_progress_new (c->o->progress);
  ferry_progress_say (p.progress, "Getting image list signatures");
  for (i = 0; c->all && i < json_object_array_length (entries); i++)
    {
      const char *dg = ferry_json_get_string (json_object_array_get_idx (entries, i), "digest");

      ferry_progress_say (p.progress, "Copying %zu images generated from %zu images in list", i + 1,
                          json_object_array_length (entries));
      if (push_instance (&p, dg, c->o->format, changed, err) < 0)
        goto out;
    }
  text = ferry_manifest_list_convert (list->manifest, c->o->format, changed, err);
  if (text == NULL)
    goto out;
  ferry_sha256_buffer (text, strlen (text), digest);
  {
    cleanup_json json_object *pushed = json_tokener_parse (text);
    if (put_manifest_text (&p, text, ferry_json_get_string (pushed, "mediaType"), digest, p.dest.tag, err)
        < 0)
      goto out;
  }
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
