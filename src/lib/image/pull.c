#include "pull.h"
#include "encrypt.h"
#include "policy.h"
#include "load.h"
#include "media.h"
#include "progress.h"
#include "reference.h"
#include "registries.h"
#include "schema.h"
#include "../storage/unpack.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "../util/parallel.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_MANIFEST (4u << 20)
#define MAX_CONFIG (16u << 20)
#define PULL_THREADS 4
/* overlayfs stacks at most 500 lower layers (OVL_MAX_STACK): an image with
 * more could never run, and a manifest of megabytes could name tens of
 * thousands.  */
#define MAX_LAYERS 500

int
ferry_platform_parse (const char *p, char **os, char **arch, char **variant, ferry_error_t *err)
{
  cleanup_strv char **parts = NULL;
  const char *s = p;
  size_t n = 0;

  *os = *arch = *variant = NULL;
  parts = xmalloc0 (sizeof (char *) * 4);
  while (n < 3)
    {
      size_t len = strcspn (s, "/");
      if (len == 0)
        break;
      parts[n++] = xstrndup (s, len);
      s += len;
      if (*s != '/')
        break;
      s++;
    }
  if (n < 2 || *s != '\0')
    return ferry_make_error (err, 0, "invalid platform `%s`: give it as OS/ARCH[/VARIANT], e.g. linux/arm64",
                             p);
  *os = steal_pointer (&parts[0]);
  *arch = steal_pointer (&parts[1]);
  *variant = n > 2 ? steal_pointer (&parts[2]) : NULL;
  return 0;
}

/* "docker://" is the transport Podman's users write; it is the only one.  */
static const char *
strip_transport (const char *ref)
{
  if (strncmp (ref, "docker://", 9) == 0)
    return ref + 9;
  return ref;
}

struct pull
{
  ferry_store_t *s;
  ferry_registry_t *reg;
  struct ferry_reference ref;
  /* Where it is fetched from: REF, or where registries.conf sends it (a
   * mirror, or a location that replaces a prefix).  */
  const struct ferry_reference *src;
  struct ferry_pull_source *sources;
  size_t n_sources;
  char *what;  /* the reference, for messages */
  char *scope; /* "repository:REPO:pull" */
  char *tmp;   /* our directory under <root>/storage/tmp */
  ferry_progress_t *progress;
  char *want_os, *want_arch, *want_variant;
  ferry_policy_t *policy; /* checked against the top-level manifest, when set */
  const char *registries_d;
  ferry_crypt_keys_t *keys; /* --decryption-key's, or NULL */
  /* Per layer of the image: what an encrypted one needs (NULL when the
   * image has none).  */
  struct encrypted_layer *enc;
  struct ferry_new_layer *layers;
  size_t n_layers;
};

struct encrypted_layer
{
  bool encrypted;
  char blob_digest[FERRY_DIGEST_LEN + 1]; /* the encrypted blob's, from the manifest */
  struct ferry_layer_key key;
};

/* ---- manifests -------------------------------------------------------------- */

static char *
bare_media_type (const char *content_type)
{
  size_t n;

  if (content_type == NULL)
    return NULL;
  n = strcspn (content_type, ";");
  while (n > 0 && content_type[n - 1] == ' ')
    n--;
  return xstrndup (content_type, n);
}

/* The media type of a manifest: its own mediaType field when it has one
 * (what the digest covers), else what the registry said, else its shape.  */
static char *
manifest_media_type (json_object *m, const char *content_type)
{
  const char *field = ferry_json_get_string (m, "mediaType");
  cleanup_free char *ct = bare_media_type (content_type);

  if (field && *field)
    return xstrdup (field);
  if (ct && (ferry_media_is_manifest (ct) || ferry_media_is_index (ct)))
    return steal_pointer (&ct);
  if (ferry_json_get_array (m, "manifests"))
    return xstrdup (FERRY_MEDIA_OCI_INDEX);
  if (ferry_json_get_object (m, "config") && ferry_json_get_array (m, "layers"))
    return xstrdup (FERRY_MEDIA_OCI_MANIFEST);
  return ct ? steal_pointer (&ct) : xstrdup ("(none)");
}

static int
not_found_error (struct pull *p, const struct ferry_http_response *resp, const char *what, ferry_error_t *err)
{
  cleanup_free char *why = ferry_registry_error_text (resp);

  /* Podman's words for a tag or digest the registry does not have.  */
  if (resp->status == 404 && strncmp (what, "manifest ", 9) == 0)
    return ferry_make_error_kind (
        err, FERRY_ERROR_NOT_FOUND,
        "initializing source docker://%s: reading manifest %s in %s/%s: %s: check the "
        "repository and tag",
        p->what, what + 9, p->src->registry, p->src->repository, why);
  if (resp->status == 404)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                  "%s: %s not found in registry %s (%s): check the repository and tag",
                                  p->what, what, p->src->registry, why);
  if (resp->status == 403)
    return ferry_make_error (err, 0, "%s: registry %s denies access (%s)", p->what, p->src->registry, why);
  return ferry_make_error (err, 0, "%s: cannot fetch %s from registry %s: %s", p->what, what,
                           p->src->registry, why);
}

/* Fetches manifest REFERENCE (a tag or a digest) and checks it against
 * WANT_DIGEST when given.  */
static int
fetch_manifest (struct pull *p, const char *reference, const char *want_digest, char **body, size_t *len,
                char **media_type, char digest[FERRY_DIGEST_LEN + 1], ferry_error_t *err)
{
  cleanup_free char *url = xasprintf ("/v2/%s/manifests/%s", p->src->repository, reference);
  struct ferry_http_request req = {
    .method = "GET",
    .url = url,
    .scope = p->scope,
    .accept = FERRY_MEDIA_OCI_MANIFEST ", " FERRY_MEDIA_DOCKER_MANIFEST ", " FERRY_MEDIA_OCI_INDEX
                                       ", " FERRY_MEDIA_DOCKER_LIST,
    .max_body = MAX_MANIFEST,
  };
  struct ferry_http_response resp;
  cleanup_json json_object *m = NULL;
  cleanup_free char *what = xasprintf ("manifest %s", reference);

  if (ferry_registry_do (p->reg, &req, &resp, err) < 0)
    {
      /* In Podman's words, which users grep for: a token refused stops
       * it before the manifest is asked for.  */
      if ((*err)->kind == FERRY_ERROR_UNAUTHORIZED
          && strncmp ((*err)->msg, "unable to retrieve auth token", 29) == 0)
        return ferry_error_wrap (err, "initializing source docker://%s", p->what);
      if ((*err)->kind == FERRY_ERROR_UNAUTHORIZED)
        return ferry_error_wrap (err, "initializing source docker://%s: reading manifest %s in %s/%s",
                                 p->what, reference, p->src->registry, p->src->repository);
      return ferry_error_wrap (err, "%s", p->what);
    }
  if (resp.status != 200)
    {
      not_found_error (p, &resp, what, err);
      ferry_http_response_free (&resp);
      return -1;
    }
  if (resp.too_large)
    {
      ferry_http_response_free (&resp);
      return ferry_make_error (err, 0, "%s: the %s is larger than %u MiB: refusing it", p->what, what,
                               MAX_MANIFEST >> 20);
    }
  ferry_sha256_buffer (resp.body, resp.body_len, digest);
  if (want_digest && strcmp (digest, want_digest) != 0)
    {
      ferry_http_response_free (&resp);
      return ferry_make_error (err, 0, "%s: registry %s sent a %s whose digest is %s: refusing it", p->what,
                               p->src->registry, what, digest);
    }
  m = json_tokener_parse (resp.body);
  if (m == NULL || ! json_object_is_type (m, json_type_object))
    {
      ferry_http_response_free (&resp);
      return ferry_make_error (err, 0, "%s: the %s is not a JSON object", p->what, what);
    }
  *media_type = manifest_media_type (m, resp.content_type);
  *body = steal_pointer (&resp.body);
  *len = resp.body_len;
  ferry_http_response_free (&resp);
  return 0;
}

static int
platform_matches (struct pull *p, json_object *desc)
{
  json_object *plat = ferry_json_get_object (desc, "platform");
  const char *os, *arch, *variant;

  if (plat == NULL)
    return 0;
  os = ferry_json_get_string (plat, "os");
  arch = ferry_json_get_string (plat, "architecture");
  variant = ferry_json_get_string (plat, "variant");
  if (os == NULL || arch == NULL || strcmp (os, p->want_os) != 0 || strcmp (arch, p->want_arch) != 0)
    return 0;
  if (p->want_variant && (variant == NULL || strcmp (variant, p->want_variant) != 0))
    return 0;
  return 1;
}

/* Picks this host's (or --platform's) manifest from INDEX.  */
static int
choose_from_index (struct pull *p, json_object *index, char digest[FERRY_DIGEST_LEN + 1], ferry_error_t *err)
{
  json_object *list = ferry_json_get_array (index, "manifests");
  cleanup_free char *seen = xstrdup ("");
  size_t i, n = list ? json_object_array_length (list) : 0;

  for (i = 0; i < n; i++)
    {
      json_object *d = json_object_array_get_idx (list, i);
      const char *dg = ferry_json_get_string (d, "digest");
      json_object *plat = ferry_json_get_object (d, "platform");

      if (platform_matches (p, d))
        {
          if (dg == NULL || ! ferry_digest_is_valid (dg))
            {
              cleanup_free char *shown = ferry_registry_printable (dg ? dg : "");
              return ferry_make_error (err, 0, "%s: the image index names an invalid digest `%s`", p->what,
                                       shown);
            }
          snprintf (digest, FERRY_DIGEST_LEN + 1, "%s", dg);
          return 0;
        }
      if (plat && ferry_json_get_string (plat, "os") && ferry_json_get_string (plat, "architecture")
          && ! ferry_json_string_equals (plat, "os", "unknown"))
        {
          const char *v = ferry_json_get_string (plat, "variant");
          char *more
              = xasprintf ("%s%s%s/%s%s%s", seen, *seen ? ", " : "", ferry_json_get_string (plat, "os"),
                           ferry_json_get_string (plat, "architecture"), v ? "/" : "", v ? v : "");
          free (seen);
          seen = more;
        }
    }
  {
    cleanup_free char *shown = ferry_registry_printable (*seen ? seen : "nothing");
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "%s has no image for %s/%s%s%s (it has: %s)",
                                  p->what, p->want_os, p->want_arch, p->want_variant ? "/" : "",
                                  p->want_variant ? p->want_variant : "", shown);
  }
}

/* The trust policy looks at the image manifest that is pulled, as
 * containers/image does: for an index, the instance chosen from it (whose
 * signatures are its own, by its digest), under the reference pulled.  */
static int
check_policy (struct pull *p, const char *body, size_t len, const char *digest, ferry_error_t *err)
{
  cleanup_free char *shown = NULL;
  struct ferry_policy_image img = { 0 };

  if (p->policy == NULL)
    return 0;
  shown = xasprintf ("docker://%s", p->what);
  img.transport = "docker";
  img.shown = shown;
  img.ref = &p->ref;
  img.manifest = body;
  img.manifest_len = len;
  img.manifest_digest = digest;
  img.registries_d = p->registries_d;
  img.registry = p->reg;
  return ferry_policy_check (p->policy, &img, err);
}

/* Resolves the reference to one image manifest.  */
static int
resolve_manifest (struct pull *p, char **body, size_t *len, char digest[FERRY_DIGEST_LEN + 1],
                  ferry_error_t *err)
{
  const char *reference = p->ref.digest ? p->ref.digest : p->ref.tag;
  const char *want = p->ref.digest;
  char next[FERRY_DIGEST_LEN + 1];
  int depth;

  for (depth = 0; depth < 3; depth++)
    {
      cleanup_free char *media_type = NULL;
      cleanup_json json_object *m = NULL;

      free (*body);
      *body = NULL;
      if (fetch_manifest (p, reference, want, body, len, &media_type, digest, err) < 0)
        return -1;
      if (ferry_media_is_manifest (media_type))
        {
          /* As Podman copies "the system image": the image chosen from an
           * index is what the policy judges, by its own digest and
           * signatures.  */
          if (check_policy (p, *body, *len, digest, err) < 0)
            return depth > 0 ? ferry_error_wrap (err, "copying system image from manifest list") : -1;
          return 0;
        }
      if (! ferry_media_is_index (media_type))
        {
          if (strncmp (media_type, "application/vnd.docker.distribution.manifest.v1", 47) == 0)
            return ferry_make_error (err, 0,
                                     "%s uses Docker's schema 1 manifest format, which ferry does not "
                                     "support: push it again with a current tool",
                                     p->what);
          {
            cleanup_free char *shown = ferry_registry_printable (media_type);
            return ferry_make_error (err, 0, "%s: unsupported manifest type `%s`", p->what, shown);
          }
        }
      m = ferry_json_parse (*body, *len, "image index", err);
      if (m == NULL)
        return ferry_error_wrap (err, "%s", p->what);
      if (ferry_image_check_index (m, err) < 0)
        return ferry_error_wrap (err, "%s: the image index %s", p->what, digest);
      if (choose_from_index (p, m, next, err) < 0)
        return -1;
      reference = want = next;
    }
  return ferry_make_error (err, 0, "%s: image indexes nest too deeply", p->what);
}

/* ---- blobs -------------------------------------------------------------------- */

struct blob_sink
{
  int fd;   /* the blob's file, or -1 */
  int pipe; /* the unpacker's stream, or -1 */
  ferry_sha256_t *hash;
  uint64_t got, want;
  ferry_progress_t *progress;
  int line;
  ferry_error_t err;
  const char *digest;
  const char *what;
};

static int
blob_sink_write (const void *data, size_t len, void *arg)
{
  struct blob_sink *b = arg;

  if (b->got + len > b->want)
    {
      ferry_make_error (&b->err, 0, "%s: blob %s is larger than the %llu bytes its manifest says", b->what,
                        b->digest, (unsigned long long) b->want);
      return -1;
    }
  if (b->fd >= 0 && ferry_write_all (b->fd, data, len) < 0)
    {
      ferry_make_error (&b->err, errno, "%s: cannot store blob %s", b->what, b->digest);
      return -1;
    }
  if (b->pipe >= 0 && ferry_write_all (b->pipe, data, len) < 0)
    {
      /* The unpacker stopped reading: its error is the one to tell.  */
      ferry_make_error (&b->err, errno, "%s: layer %s stopped unpacking", b->what, b->digest);
      return -1;
    }
  ferry_sha256_update (b->hash, data, len);
  b->got += len;
  ferry_progress_set (b->progress, b->line, b->got);
  return 0;
}

/* GETs blob DIGEST of SIZE bytes into FD and PIPE_FD (or memory when FD <
 * 0: *MEM), verifying size and digest.  */
static int
fetch_blob (struct pull *p, const char *digest, uint64_t size, int fd, int pipe_fd, int line, char **mem,
            size_t *mem_len, ferry_error_t *err)
{
  cleanup_free char *url = xasprintf ("/v2/%s/blobs/%s", p->src->repository, digest);
  struct blob_sink b = {
    .fd = fd,
    .pipe = pipe_fd,
    .hash = ferry_sha256_new (),
    .want = size,
    .progress = p->progress,
    .line = line,
    .digest = digest,
    .what = p->what,
  };
  struct ferry_http_request req = {
    .method = "GET",
    .url = url,
    .scope = p->scope,
    .sink = blob_sink_write,
    .sink_arg = &b,
  };
  struct ferry_http_response resp;
  char got[FERRY_DIGEST_LEN + 1];
  int ret = -1;

  if (fd < 0)
    {
      /* Small blobs (the config) are kept in memory.  */
      req.sink = NULL;
      req.max_body = size + 1;
    }
  if (ferry_registry_do (p->reg, &req, &resp, err) < 0)
    {
      ferry_sha256_free (b.hash);
      if (b.err)
        {
          ferry_error_release (err);
          *err = steal_pointer (&b.err);
          return -1;
        }
      return ferry_error_wrap (err, "%s: cannot fetch blob %s", p->what, digest);
    }
  if (resp.status != 200)
    {
      cleanup_free char *what = xasprintf ("blob %s", digest);
      not_found_error (p, &resp, what, err);
      goto out;
    }
  if (fd < 0)
    {
      if (resp.too_large || resp.body_len > size)
        {
          ferry_make_error (err, 0, "%s: blob %s is larger than the %llu bytes its manifest says", p->what,
                            digest, (unsigned long long) size);
          goto out;
        }
      ferry_sha256_update (b.hash, resp.body, resp.body_len);
      b.got = resp.body_len;
    }
  if (b.got != size)
    {
      ferry_make_error (err, 0, "%s: blob %s is truncated: %llu of %llu bytes arrived", p->what, digest,
                        (unsigned long long) b.got, (unsigned long long) size);
      goto out;
    }
  ferry_sha256_finish (b.hash, got);
  b.hash = NULL;
  if (strcmp (got, digest) != 0)
    {
      ferry_make_error (err, 0, "%s: blob %s from registry %s is corrupt: its content hashes to %s", p->what,
                        digest, p->src->registry, got);
      goto out;
    }
  if (mem)
    {
      *mem = steal_pointer (&resp.body);
      *mem_len = resp.body_len;
    }
  ret = 0;

out:
  if (b.hash)
    ferry_sha256_free (b.hash);
  ferry_http_response_free (&resp);
  return ret;
}

/* ---- layers ------------------------------------------------------------------- */

struct layer_job
{
  struct pull *p;
  struct ferry_new_layer *l;
  int line;
  ferry_error_t err;
};

struct job_queue
{
  struct layer_job *jobs;
  size_t n;
};

/* Unpacks a layer from a pipe while its blob downloads.  */
struct unpacker
{
  int fd;
  const char *what;
  const char *dir;
  struct ferry_unpack_result res;
  ferry_error_t err;
  int rc;
};

/* A layer kept as its blob (store.h) is only read for its diff_id.  */
static int
digest_only (struct unpacker *u)
{
  ferry_decompress_t *d = ferry_decompress_open (u->fd, u->what, &u->err);
  int rc;

  if (d == NULL)
    return -1;
  rc = ferry_decompress_drain_parallel (d, &u->err);
  if (rc == 0)
    {
      ferry_decompress_digests (d, u->res.compressed_digest, u->res.diff_digest, &u->res.compressed_size,
                                &u->res.diff_size);
      u->res.compression = ferry_decompress_kind (d);
    }
  ferry_decompress_close (d);
  return rc;
}

static void *
unpacker_main (void *arg)
{
  struct unpacker *u = arg;

  if (u->dir == NULL)
    u->rc = digest_only (u);
  else
    u->rc = ferry_unpack_tar_named (u->fd, u->what, u->dir, FERRY_UNPACK_OVERLAY_WHITEOUTS, &u->res, &u->err);
  /* Closing our end makes a download we can no longer use fail at once.  */
  close (u->fd);
  u->fd = -1;
  return NULL;
}

/* An encrypted layer: its blob in full into ENC_FD, verified against
 * the manifest's digest and then against its HMAC, before any of it is
 * decrypted.  */
static int
fetch_encrypted (struct layer_job *job, struct encrypted_layer *e, int *enc_fd)
{
  struct pull *p = job->p;
  cleanup_free char *file = xasprintf ("%s/%s.enc", p->tmp, ferry_digest_hex (e->blob_digest));

  *enc_fd = open (file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (*enc_fd < 0)
    return ferry_make_error (&job->err, errno, "cannot create `%s`", file);
  unlink (file); /* the open file is all we need; pull_free removes the rest */
  if (fetch_blob (p, e->blob_digest, job->l->blob_size, *enc_fd, -1, job->line, NULL, NULL, &job->err) < 0)
    return -1;
  if (ferry_layer_hmac_check (&e->key, *enc_fd, e->blob_digest, &job->err) < 0)
    return ferry_error_wrap (&job->err, "%s", p->what);
  return 0;
}

/* Decrypts ENC_FD into the blob's file and the unpacker, as fetch_blob
 * would send a plain blob; *DIGEST gets the plain blob's digest.  */
static int
decrypt_into (struct layer_job *job, struct encrypted_layer *e, int enc_fd, int fd, int pipe_fd,
              char digest[FERRY_DIGEST_LEN + 1])
{
  struct blob_sink b = {
    .fd = fd,
    .pipe = pipe_fd,
    .hash = ferry_sha256_new (),
    .want = job->l->blob_size, /* CTR: as many bytes as the encrypted blob */
    .line = -1,
    .digest = e->blob_digest,
    .what = job->p->what,
  };

  if (ferry_layer_decrypt (&e->key, enc_fd, blob_sink_write, &b, e->blob_digest, &job->err) < 0)
    {
      ferry_sha256_free (b.hash);
      if (b.err)
        {
          ferry_error_release (&job->err);
          job->err = steal_pointer (&b.err);
        }
      return -1;
    }
  ferry_sha256_finish (b.hash, digest);
  return 0;
}

static int
fetch_layer (struct layer_job *job)
{
  struct pull *p = job->p;
  struct ferry_new_layer *l = job->l;
  cleanup_free char *file = xasprintf ("%s/%s", p->tmp, ferry_digest_hex (l->blob_digest));
  cleanup_close int fd = -1, enc_fd = -1;
  struct unpacker u = { .fd = -1, .what = l->blob_digest };
  struct encrypted_layer *e = p->enc && p->enc[l - p->layers].encrypted ? &p->enc[l - p->layers] : NULL;
  char plain[FERRY_DIGEST_LEN + 1] = "";
  pthread_t thread;
  int pipe_fds[2], rc;
  char *dir;

  if (e && fetch_encrypted (job, e, &enc_fd) < 0)
    return -1;
  fd = open (file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return ferry_make_error (&job->err, errno, "cannot create `%s`", file);
  l->blob_file = xstrdup (file);
  if (! l->blob_only)
    {
      dir = ferry_mkdtemp_in (p->tmp, "layer-", &job->err);
      if (dir == NULL)
        return -1;
      l->unpacked = dir;
      if (chmod (dir, 0755) < 0)
        return ferry_make_error (&job->err, errno, "cannot set the mode of `%s`", dir);
      u.dir = dir;
    }
  if (pipe2 (pipe_fds, O_CLOEXEC) < 0)
    return ferry_make_error (&job->err, errno, "cannot create a pipe");
  /* A larger pipe lets the download run ahead of the unpacker a little.  */
  fcntl (pipe_fds[1], F_SETPIPE_SZ, 1 << 20);
  u.fd = pipe_fds[0];
  if (pthread_create (&thread, NULL, unpacker_main, &u) != 0)
    {
      close (pipe_fds[0]);
      close (pipe_fds[1]);
      return ferry_make_error (&job->err, EAGAIN, "cannot start a thread");
    }
  {
    /* A write into the pipe of an unpacker that gave up must fail with
     * EPIPE, not kill the process: a library cannot count on its caller
     * ignoring SIGPIPE.  */
    sigset_t pipe_signal, saved;
    struct timespec now = { 0, 0 };

    sigemptyset (&pipe_signal);
    sigaddset (&pipe_signal, SIGPIPE);
    pthread_sigmask (SIG_BLOCK, &pipe_signal, &saved);
    if (e)
      rc = decrypt_into (job, e, enc_fd, fd, pipe_fds[1], plain);
    else
      rc = fetch_blob (p, l->blob_digest, l->blob_size, fd, pipe_fds[1], job->line, NULL, NULL, &job->err);
    while (sigtimedwait (&pipe_signal, NULL, &now) > 0)
      ;
    pthread_sigmask (SIG_SETMASK, &saved, NULL);
  }
  close (pipe_fds[1]);
  pthread_join (thread, NULL);
  if (u.rc < 0 && (rc == 0 || (job->err && strstr (job->err->msg, "stopped unpacking"))))
    {
      /* The layer itself is bad (its blob may be fine).  */
      ferry_error_release (&job->err);
      job->err = steal_pointer (&u.err);
      return ferry_error_wrap (&job->err, "%s: layer %s", p->what, l->blob_digest);
    }
  ferry_error_release (&u.err);
  if (rc < 0)
    return -1;
  if (strcmp (u.res.diff_digest, l->diff_id) != 0)
    return ferry_make_error (&job->err, 0,
                             "%s: layer %s is corrupt: it unpacks to %s but the image config says %s",
                             p->what, l->blob_digest, u.res.diff_digest, l->diff_id);
  l->size = u.res.diff_size;
  if (e)
    {
      /* The options name the plain blob, or (Podman's, from its store of
       * plain layers) the layer's diff_id, just checked.  */
      if (strcmp (e->key.digest, plain) != 0 && strcmp (e->key.digest, l->diff_id) != 0)
        return ferry_make_error (&job->err, 0,
                                 "%s: layer %s decrypts to blob %s, but its options name %s: refusing it",
                                 p->what, e->blob_digest, plain, e->key.digest);
      /* Stored as the plain layer it is.  */
      snprintf (l->blob_digest, sizeof (l->blob_digest), "%s", plain);
      l->media_type[strlen (l->media_type) - strlen (FERRY_ENC_SUFFIX)] = '\0';
    }
  ferry_progress_status (p->progress, job->line, "done");
  return 0;
}

static int
fetch_nth (size_t i, void *arg)
{
  struct job_queue *q = arg;

  return fetch_layer (&q->jobs[i]);
}

static int
fetch_layers (struct pull *p, struct ferry_new_image *img, ferry_error_t *err)
{
  struct job_queue q = { 0 };
  size_t i, k;
  int ret = 0;

  q.jobs = xmalloc0 (sizeof (*q.jobs) * (img->n_layers + 1));
  for (i = 0; i < img->n_layers; i++)
    {
      struct ferry_new_layer *l = &img->layers[i];
      char known[FERRY_DIGEST_LEN + 1];
      int dup = 0;

      /* An unpacked layer whose directory or row went (a damaged image
       * pulled again) is fetched anew.  */
      if ((l->blob_only ? ferry_store_has_blob_stored (p->s, l->blob_digest, known)
                        : ferry_store_has_blob_file (p->s, l->blob_digest, known)
                              && ferry_store_layer_present (p->s, l->diff_id))
          && strcmp (known, l->diff_id) == 0)
        {
          int line = ferry_progress_add (p->progress, "blob", l->blob_digest, l->blob_size);
          ferry_progress_status (p->progress, line, "skipped: already exists");
          continue;
        }
      /* The same blob twice in one image is fetched once, and only
       * verified once: it must stand for the same layer both times.  */
      for (k = 0; k < q.n && ! dup; k++)
        if (strcmp (q.jobs[k].l->blob_digest, l->blob_digest) == 0)
          {
            if (strcmp (q.jobs[k].l->diff_id, l->diff_id) != 0)
              {
                ferry_make_error (err, 0,
                                  "%s: the manifest lists blob %s twice but the image config gives it two "
                                  "diff_ids (%s and %s): refusing the image",
                                  p->what, l->blob_digest, q.jobs[k].l->diff_id, l->diff_id);
                free (q.jobs);
                return -1;
              }
            dup = 1;
          }
      if (dup)
        continue;
      q.jobs[q.n++] = (struct layer_job){
        .p = p, .l = l, .line = ferry_progress_add (p->progress, "blob", l->blob_digest, l->blob_size)
      };
    }

  ferry_parallel_for (q.n, PULL_THREADS, fetch_nth, &q);
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
}

/* ---- the image ------------------------------------------------------------------ */

/* Fills IMG's layers from MANIFEST and CONFIG.  */
static int
describe_layers (struct pull *p, json_object *manifest, json_object *config, struct ferry_new_image *img,
                 ferry_error_t *err)
{
  json_object *layers = ferry_json_get_array (manifest, "layers");
  json_object *rootfs = ferry_json_get_object (config, "rootfs");
  json_object *diff_ids = rootfs ? ferry_json_get_array (rootfs, "diff_ids") : NULL;
  size_t i, n;

  if (layers == NULL || diff_ids == NULL)
    return ferry_make_error (err, 0, "%s: the manifest has no layers or the config no rootfs.diff_ids",
                             p->what);
  n = json_object_array_length (layers);
  if (n > MAX_LAYERS)
    return ferry_make_error (err, 0,
                             "%s: the manifest lists %zu layers, more than the %d an overlay can stack",
                             p->what, n, MAX_LAYERS);
  if (n != json_object_array_length (diff_ids))
    return ferry_make_error (err, 0, "%s: the manifest has %zu layers but the config lists %zu diff_ids",
                             p->what, n, json_object_array_length (diff_ids));
  img->layers = xmalloc0 (sizeof (*img->layers) * (n + 1));
  p->layers = img->layers;
  p->n_layers = n;
  for (i = 0; i < n; i++)
    {
      json_object *d = json_object_array_get_idx (layers, i);
      const char *mt = ferry_json_get_string (d, "mediaType");
      const char *dg = ferry_json_get_string (d, "digest");
      const char *diff = ferry_json_string_value (json_object_array_get_idx (diff_ids, i));
      int64_t size = ferry_json_get_int (d, "size", -1);
      struct ferry_new_layer *l = &img->layers[i];

      img->n_layers++;
      if (mt && ferry_media_is_encrypted (mt) && dg && ferry_digest_is_valid (dg))
        {
          cleanup_free char *plain = xstrndup (mt, strlen (mt) - strlen (FERRY_ENC_SUFFIX));

          if (ferry_media_is_layer (plain))
            {
              if (p->enc == NULL)
                p->enc = xmalloc0 (sizeof (*p->enc) * n);
              p->enc[i].encrypted = true;
              snprintf (p->enc[i].blob_digest, sizeof (p->enc[i].blob_digest), "%s", dg);
              /* Without a key, as Podman says it (which stores the
               * blob as it is, then finds it is not the config's
               * DiffID); ferry fetches nothing.  */
              if (p->keys == NULL && ferry_layer_key_is_jwe (d))
                return ferry_make_error (
                    err, 0,
                    "writing blob: layer %zu (blob \"%s\") is encrypted and cannot match "
                    "config's DiffID: missing private key needed for decryption: pass "
                    "its private key with --decryption-key KEY.pem",
                    i, dg);
              if (ferry_layer_key_open (p->keys, d, dg, &p->enc[i].key, err) < 0)
                return -1;
            }
        }
      if (mt == NULL || ! (ferry_media_is_layer (mt) || (p->enc && p->enc[i].encrypted)))
        {
          cleanup_free char *shown = ferry_registry_printable (mt ? mt : "(none)");
          return ferry_make_error (err, 0, "%s: layer %zu has an unsupported media type `%s`", p->what, i,
                                   shown);
        }
      if (dg == NULL || ! ferry_digest_is_valid (dg) || diff == NULL || ! ferry_digest_is_valid (diff))
        return ferry_make_error (err, 0, "%s: layer %zu has an invalid or unsupported digest", p->what, i);
      if (size < 0)
        return ferry_make_error (err, 0, "%s: layer %zu has no size", p->what, i);
      snprintf (l->blob_digest, sizeof (l->blob_digest), "%s", dg);
      snprintf (l->diff_id, sizeof (l->diff_id), "%s", diff);
      l->media_type = xstrdup (mt);
      /* A checkpoint image's layer is its archive: a restore reads it as
       * it is, so it is verified but never unpacked.  */
      l->blob_only = ferry_image_manifest_is_checkpoint (manifest);
      l->blob_size = (uint64_t) size;
    }
  return 0;
}

/* The manifest of the image as stored once its encrypted layers are
 * decrypted, as Podman stores it: each such layer named by its plain
 * blob (digest, size and media type), without the encryption's
 * annotations.  A layer listed twice was fetched once: the other copy
 * takes what the first became.  */
static int
decrypted_manifest (struct pull *p, json_object *manifest, struct ferry_new_image *img, ferry_error_t *err)
{
  json_object *layers = ferry_json_get_array (manifest, "layers");
  const char *text;
  size_t i, j;

  for (i = 0; i < img->n_layers; i++)
    {
      struct ferry_new_layer *l = &img->layers[i];
      json_object *d = json_object_array_get_idx (layers, i), *ann;

      if (! p->enc[i].encrypted)
        continue;
      if (strcmp (l->blob_digest, p->enc[i].blob_digest) == 0)
        for (j = 0; j < i; j++)
          if (p->enc[j].encrypted && strcmp (p->enc[j].blob_digest, p->enc[i].blob_digest) == 0)
            {
              snprintf (l->blob_digest, sizeof (l->blob_digest), "%s", img->layers[j].blob_digest);
              free (l->media_type);
              l->media_type = xstrdup (img->layers[j].media_type);
              break;
            }
      if (strcmp (l->blob_digest, p->enc[i].blob_digest) == 0)
        return ferry_make_error (err, 0, "%s: layer %zu was not decrypted", p->what, i);
      json_object_object_add (d, "mediaType", json_object_new_string (l->media_type));
      json_object_object_add (d, "digest", json_object_new_string (l->blob_digest));
      ann = ferry_json_get_object (d, "annotations");
      if (ann)
        {
          json_object_object_del (ann, FERRY_ENC_ANNOTATION_JWE);
          json_object_object_del (ann, FERRY_ENC_ANNOTATION_PUBOPTS);
          json_object_object_del (ann, FERRY_ENC_ANNOTATION_PREFIX "keys.pgp");
          json_object_object_del (ann, FERRY_ENC_ANNOTATION_PREFIX "keys.pkcs7");
          if (json_object_object_length (ann) == 0)
            json_object_object_del (d, "annotations");
        }
    }
  text = json_object_to_json_string_ext (manifest, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  free (img->manifest);
  img->manifest = xstrdup (text);
  ferry_sha256_buffer (img->manifest, strlen (img->manifest), img->manifest_digest);
  return 0;
}

static int
fetch_config (struct pull *p, json_object *manifest, struct ferry_new_image *img, json_object **config,
              ferry_error_t *err)
{
  json_object *d = ferry_json_get_object (manifest, "config");
  const char *dg = d ? ferry_json_get_string (d, "digest") : NULL;
  int64_t size = d ? ferry_json_get_int (d, "size", -1) : -1;
  size_t len;

  if (dg == NULL || ! ferry_digest_is_valid (dg) || size < 0)
    return ferry_make_error (err, 0, "%s: the manifest has no valid config descriptor", p->what);
  if ((uint64_t) size > MAX_CONFIG)
    return ferry_make_error (err, 0, "%s: the image config is larger than %u MiB: refusing it", p->what,
                             MAX_CONFIG >> 20);
  if (fetch_blob (p, dg, (uint64_t) size, -1, -1, -1, &img->config, &len, err) < 0)
    return -1;
  snprintf (img->config_digest, sizeof (img->config_digest), "%s", dg);
  *config = ferry_json_parse (img->config, len, "image config", err);
  if (*config == NULL)
    return ferry_error_wrap (err, "%s", p->what);
  if (ferry_image_check_config (*config, err) < 0)
    return ferry_error_wrap (err, "%s: the image config %s", p->what, dg);
  return 0;
}

/* The config was fetched first (the layers are checked against it), but
 * is told after them, where Podman tells it.  */
static void
say_config (struct pull *p, const struct ferry_new_image *img)
{
  int line = ferry_progress_add (p->progress, "config", img->config_digest, strlen (img->config));

  ferry_progress_status (p->progress, line, "done");
}

static void
pull_free (struct pull *p)
{
  if (p->tmp)
    {
      ferry_error_t ignored = NULL;
      ferry_rm_rf (p->tmp, &ignored);
      ferry_error_release (&ignored);
      free (p->tmp);
    }
  ferry_registry_close (p->reg);
  ferry_policy_free (p->policy);
  ferry_crypt_keys_free (p->keys);
  if (p->enc)
    OPENSSL_cleanse (p->enc, sizeof (*p->enc) * p->n_layers);
  free (p->enc);
  ferry_reference_free (&p->ref);
  ferry_pull_sources_free (p->sources, p->n_sources);
  free (p->what);
  free (p->scope);
  free (p->want_os);
  free (p->want_arch);
  free (p->want_variant);
}

/* Opens the session and resolves the manifest at the first of the places
 * registries.conf gives for P->REF (its mirrors, then its location) that
 * has it, as Podman tries them.  */
static int
open_source (struct pull *p, const struct ferry_transfer_options *o, char **body, size_t *len,
             char digest[FERRY_DIGEST_LEN + 1], ferry_error_t *err)
{
  const struct ferry_registries_conf *conf;
  cleanup_free char *earlier = NULL;

  if (ferry_registries_conf_get (&conf, err) < 0
      || ferry_registries_pull_sources (conf, &p->ref, &p->sources, &p->n_sources, err) < 0)
    return ferry_error_wrap (err, "initializing source docker://%s", p->what);
  for (size_t i = 0; i < p->n_sources; i++)
    {
      struct ferry_registry_options ro = o->registry;
      ferry_error_t failed = NULL;

      p->src = &p->sources[i].ref;
      free (p->scope);
      p->scope = xasprintf ("repository:%s:pull", p->src->repository);
      if (ro.tls_verify < 0)
        ro.tls_verify = ! p->sources[i].insecure;
      if (ferry_registry_open_repository (p->src->registry, p->src->repository, &ro, &p->reg, &failed) < 0)
        ferry_error_wrap (&failed, "initializing source docker://%s", p->what);
      else if (resolve_manifest (p, body, len, digest, &failed) == 0)
        return 0;
      ferry_registry_close (p->reg);
      p->reg = NULL;
      if (i + 1 == p->n_sources)
        {
          if (earlier == NULL)
            {
              *err = failed;
              return -1;
            }
          ferry_make_error_kind (err, failed->kind, "(Mirrors also failed: %s): %s", earlier, failed->msg);
          ferry_error_release (&failed);
          return -1;
        }
      {
        cleanup_free char *where = ferry_reference_string (p->src);
        char *more
            = xasprintf ("%s%s[%s: %s]", earlier ? earlier : "", earlier ? " " : "", where, failed->msg);

        free (earlier);
        earlier = more;
      }
      ferry_error_release (&failed);
    }
  return ferry_make_error (err, 0, "initializing source docker://%s: nowhere to pull it from", p->what);
}

static int
pull_once (ferry_store_t *s, const char *ref, const struct ferry_transfer_options *o, char **id,
           ferry_error_t *err)
{
  struct pull p = { .s = s };
  struct ferry_new_image img = { 0 };
  cleanup_json json_object *manifest = NULL, *config = NULL;
  size_t len = 0, i;
  int ret = -1;

  *id = NULL;
  if (ferry_reference_parse (strip_transport (ref), FERRY_REFERENCE_DEFAULT_DOCKER_IO, &p.ref, err) < 0)
    return -1;
  p.what = ferry_reference_string (&p.ref);
  p.registries_d = o->registries_d;
  if (ferry_policy_load (o->signature_policy, &p.policy, err) < 0)
    goto out;
  if (o->decryption_keys && ferry_crypt_keys_for_decryption (o->decryption_keys, &p.keys, err) < 0)
    goto out;
  if (o->platform)
    {
      if (ferry_platform_parse (o->platform, &p.want_os, &p.want_arch, &p.want_variant, err) < 0)
        goto out;
    }
  else
    {
      p.want_os = xstrdup ("linux");
      p.want_arch = xstrdup (ferry_image_host_arch ());
    }
  p.progress = ferry_progress_new (o->progress);
  if (open_source (&p, o, &img.manifest, &len, img.manifest_digest, err) < 0)
    goto out;
  manifest = ferry_json_parse (img.manifest, len, "the manifest", err);
  if (manifest == NULL)
    {
      ferry_error_wrap (err, "%s", p.what);
      goto out;
    }
  if (strlen (img.manifest) != len)
    {
      ferry_make_error (err, 0, "%s: the manifest holds a NUL byte", p.what);
      goto out;
    }
  if (ferry_image_check_manifest (manifest, err) < 0)
    {
      ferry_error_wrap (err, "%s: the manifest %s", p.what, img.manifest_digest);
      goto out;
    }
  ferry_progress_say (p.progress, "Getting image source signatures");
  if (fetch_config (&p, manifest, &img, &config, err) < 0
      || describe_layers (&p, manifest, config, &img, err) < 0)
    goto out;

  p.tmp = ferry_mkdtemp_in (ferry_store_tmp_dir (s), "pull-", err);
  if (p.tmp == NULL || fetch_layers (&p, &img, err) < 0)
    goto out;
  say_config (&p, &img);
  if (p.enc && decrypted_manifest (&p, manifest, &img, err) < 0)
    goto out;
  ferry_progress_say (p.progress, "Writing manifest to image destination");

  img.names = xmalloc0 (sizeof (char *) * 2);
  if (p.ref.tag)
    {
      /* Tagged: the image takes the name (a digest alongside is only a check).  */
      struct ferry_reference named = p.ref;
      named.digest = NULL;
      img.names[0] = ferry_reference_string (&named);
    }
  else
    img.names[0] = ferry_reference_string (&p.ref);
  if (ferry_store_add_image (s, &img, err) < 0)
    {
      ferry_error_wrap (err, "cannot store %s", p.what);
      goto out;
    }
  /* Where the blobs came from, for cross-repository mounts on push: not
   * a decrypted one, which the registry has only encrypted.  */
  for (i = 0; i < img.n_layers; i++)
    {
      cleanup_error ferry_error_t ignored = NULL;

      if (p.enc && p.enc[i].encrypted)
        continue;
      ferry_store_add_blob_location (s, img.layers[i].blob_digest, p.src->registry, p.src->repository,
                                     &ignored);
    }
  *id = xstrdup (ferry_digest_hex (img.config_digest));
  ret = 0;

out:
  ferry_progress_finish (p.progress);
  ferry_new_image_free (&img);
  pull_free (&p);
  return ret;
}

struct pull_call
{
  ferry_store_t *s;
  const char *ref;
  const struct ferry_transfer_options *o;
  char **id;
};

static int
pull_call (void *arg, ferry_error_t *err)
{
  struct pull_call *c = arg;

  return pull_once (c->s, c->ref, c->o, c->id, err);
}

/* The name the user picked, as an alias for the next pulls (Podman's);
 * a failure is told, never fatal, as Podman's.  */
static void
record_choice (const struct ferry_pull_candidates *cand, const struct ferry_transfer_options *o)
{
  struct ferry_reference r;
  ferry_error_t err = NULL;
  cleanup_free char *value = NULL;

  if (ferry_reference_parse (cand->names[0], FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, &err) == 0)
    {
      value = ferry_reference_name (&r);
      ferry_reference_free (&r);
      if (ferry_registries_record_alias (cand->short_name, value, &err) == 0)
        return;
    }
  if (o->warn)
    {
      cleanup_free char *msg = xasprintf ("recording short-name alias (\"%s\"=\"%s\"): %s", cand->short_name,
                                          cand->names[0], err->msg);
      o->warn (msg);
    }
  ferry_error_release (&err);
}

int
ferry_image_pull (ferry_store_t *s, const char *ref, const struct ferry_transfer_options *o, char **id,
                  ferry_error_t *err)
{
  const struct ferry_registries_conf *conf;
  struct ferry_pull_candidates cand;
  struct ferry_reference r;
  ferry_progress_t *progress;
  cleanup_free char *errors = NULL;
  enum ferry_error_kind kind = FERRY_ERROR_GENERIC;
  size_t n = 0, failed = 0;
  int ret = -1;

  /* A name that does not parse is refused in its own words first.  */
  if (ferry_reference_parse (strip_transport (ref), FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, err) < 0)
    return -1;
  ferry_reference_free (&r);
  if (ferry_registries_conf_get (&conf, err) < 0
      || ferry_registries_resolve (conf, strip_transport (ref), o->choose_name != NULL, &cand, err) < 0)
    return -1;
  if (cand.choose)
    {
      /* The user's pick is the one name tried.  */
      int k = o->choose_name (cand.names, err);

      if (k < 0)
        {
          ferry_pull_candidates_free (&cand);
          return -1;
        }
      for (int i = 0; cand.names[i]; i++)
        if (i != k)
          {
            free (cand.names[i]);
            cand.names[i] = NULL;
          }
      cand.names[0] = cand.names[k];
      cand.names[1] = NULL;
    }
  if (cand.description)
    {
      progress = ferry_progress_new (o->progress);
      ferry_progress_say (progress, "%s", cand.description);
      ferry_progress_finish (progress);
    }
  for (n = 0; cand.names[n]; n++)
    ;
  for (size_t i = 0; i < n; i++)
    {
      struct pull_call c = { s, cand.names[i], o, id };
      ferry_error_t one = NULL;

      /* Once per name, before any retry, as Podman says it.  */
      progress = ferry_progress_new (o->progress);
      ferry_progress_say (progress, "Trying to pull %s...", cand.names[i]);
      ferry_progress_finish (progress);
      if (ferry_retry_run (&o->retry, pull_call, &c, &one) == 0)
        {
          ret = 0;
          if (cand.choose)
            record_choice (&cand, o);
          break;
        }
      if (n == 1)
        {
          *err = one;
          break;
        }
      /* Every name's failure, as Podman lists them.  */
      {
        char *more = xasprintf ("%s\n * %s", errors ? errors : "", one->msg);
        free (errors);
        errors = more;
      }
      kind = failed++ == 0 || kind == one->kind ? one->kind : FERRY_ERROR_GENERIC;
      ferry_error_release (&one);
    }
  if (ret < 0 && n > 1)
    ferry_make_error_kind (err, kind, "%zu errors occurred while pulling:%s", failed, errors);
  ferry_pull_candidates_free (&cand);
  return ret;
}

int
ferry_image_fetch_manifest (const char *ref, const struct ferry_transfer_options *o, char **body, size_t *len,
                            char **media_type, char digest[FERRY_DIGEST_LEN + 1], ferry_error_t *err)
{
  struct pull p = { 0 };
  cleanup_json json_object *m = NULL;
  int ret = -1;

  *body = *media_type = NULL;
  if (ferry_reference_parse (strip_transport (ref), FERRY_REFERENCE_DEFAULT_DOCKER_IO, &p.ref, err) < 0)
    return -1;
  p.what = ferry_reference_string (&p.ref);
  p.src = &p.ref;
  p.scope = xasprintf ("repository:%s:pull", p.ref.repository);
  if (ferry_registry_open_repository (p.ref.registry, p.ref.repository, &o->registry, &p.reg, err) < 0)
    {
      ferry_error_wrap (err, "reading image %s", p.what);
      goto out;
    }
  if (fetch_manifest (&p, p.ref.digest ? p.ref.digest : p.ref.tag, p.ref.digest, body, len, media_type,
                      digest, err)
      < 0)
    goto out;
  if (strlen (*body) != *len)
    {
      ferry_make_error (err, 0, "%s: the manifest holds a NUL byte", p.what);
      goto out;
    }
  m = ferry_json_parse (*body, *len, "the manifest", err);
  if (m == NULL)
    goto out;
  if (ferry_media_is_index (*media_type))
    ret = ferry_image_check_index (m, err);
  else if (ferry_media_is_manifest (*media_type))
    ret = ferry_image_check_manifest (m, err);
  else
    {
      cleanup_free char *shown = ferry_registry_printable (*media_type);
      ferry_make_error (err, 0, "%s: unsupported manifest type `%s`", p.what, shown);
    }
  if (ret < 0 && *err)
    ferry_error_wrap (err, "%s: the manifest %s", p.what, digest);

out:
  if (ret < 0)
    {
      free (*body);
      free (*media_type);
      *body = *media_type = NULL;
    }
  pull_free (&p);
  return ret;
}

/* ---- artifacts ------------------------------------------------------------------ */

/* Blob DESC into DIR/<hex>, unless it is there already (put there, whole
 * and checked, by an earlier fetch or add).  */
static int
fetch_into_dir (struct pull *p, json_object *desc, const char *dir, const char *kind, ferry_error_t *err)
{
  const char *dg = ferry_json_get_string (desc, "digest");
  int64_t size = ferry_json_get_int (desc, "size", -1);
  cleanup_free char *path = xasprintf ("%s/%s", dir, dg + strlen ("sha256:"));
  cleanup_free char *tmp = xasprintf ("%s/.fetch-XXXXXX", dir);
  struct stat st;
  int fd, line;

  if (stat (path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size == size)
    return 0;
  fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    return ferry_make_error (err, errno, "%s: cannot make a file in `%s`", p->what, dir);
  line = ferry_progress_add (p->progress, kind, dg, (uint64_t) size);
  if (fetch_blob (p, dg, (uint64_t) size, fd, -1, line, NULL, NULL, err) < 0 || fsync (fd) < 0
      || rename (tmp, path) < 0)
    {
      if (err && *err == NULL)
        ferry_make_error (err, errno, "%s: cannot store blob %s", p->what, dg);
      close (fd);
      unlink (tmp);
      return -1;
    }
  ferry_progress_status (p->progress, line, "done");
  close (fd);
  return 0;
}

/* An encrypted blob DESC names, with --decryption-key: fetched whole into
 * a file of our own, checked against its digest and HMAC, then decrypted
 * into DIR/<hex of the plain blob>.  DESC becomes the plain blob's.  Its
 * options' digest is not held against the plain blob: Podman names there
 * what its store kept (an image layer's diff_id), and an artifact has no
 * diff_id to check it with; the encrypted blob's digest and its HMAC are
 * what prove it.  */
static int
fetch_decrypted_into_dir (struct pull *p, json_object *desc, const char *dir, ferry_error_t *err)
{
  const char *dg = ferry_json_get_string (desc, "digest");
  const char *mt = ferry_json_get_string (desc, "mediaType");
  int64_t size = ferry_json_get_int (desc, "size", -1);
  cleanup_free char *enc_path = xasprintf ("%s/.fetch-XXXXXX", dir);
  cleanup_free char *tmp = xasprintf ("%s/.fetch-XXXXXX", dir), *path = NULL, *plain_mt = NULL;
  cleanup_close int enc_fd = -1, fd = -1;
  struct ferry_layer_key key;
  char plain[FERRY_DIGEST_LEN + 1];
  struct blob_sink b = { .pipe = -1, .line = -1, .digest = dg, .what = p->what };
  json_object *ann;
  int line, r;

  if (ferry_layer_key_open (p->keys, desc, dg, &key, err) < 0)
    return -1;
  enc_fd = mkostemp (enc_path, O_CLOEXEC);
  if (enc_fd < 0)
    return ferry_make_error (err, errno, "%s: cannot make a file in `%s`", p->what, dir);
  unlink (enc_path);
  line = ferry_progress_add (p->progress, "blob", dg, (uint64_t) size);
  if (fetch_blob (p, dg, (uint64_t) size, enc_fd, -1, line, NULL, NULL, err) < 0)
    return -1;
  if (ferry_layer_hmac_check (&key, enc_fd, dg, err) < 0)
    return ferry_error_wrap (err, "%s", p->what);
  fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    return ferry_make_error (err, errno, "%s: cannot make a file in `%s`", p->what, dir);
  b.fd = fd;
  b.hash = ferry_sha256_new ();
  b.want = (uint64_t) size;
  r = ferry_layer_decrypt (&key, enc_fd, blob_sink_write, &b, dg, err);
  OPENSSL_cleanse (&key, sizeof (key));
  if (r < 0)
    {
      ferry_sha256_free (b.hash);
      if (b.err)
        {
          ferry_error_release (err);
          *err = steal_pointer (&b.err);
        }
      unlink (tmp);
      return -1;
    }
  ferry_sha256_finish (b.hash, plain);
  path = xasprintf ("%s/%s", dir, ferry_digest_hex (plain));
  if (fsync (fd) < 0 || rename (tmp, path) < 0)
    {
      ferry_make_error (err, errno, "%s: cannot store blob %s", p->what, plain);
      unlink (tmp);
      return -1;
    }
  ferry_progress_status (p->progress, line, "done");
  plain_mt = xstrndup (mt, strlen (mt) - strlen (FERRY_ENC_SUFFIX));
  json_object_object_add (desc, "mediaType", json_object_new_string (plain_mt));
  json_object_object_add (desc, "digest", json_object_new_string (plain));
  ann = ferry_json_get_object (desc, "annotations");
  if (ann)
    {
      json_object_object_del (ann, FERRY_ENC_ANNOTATION_JWE);
      json_object_object_del (ann, FERRY_ENC_ANNOTATION_PUBOPTS);
      if (json_object_object_length (ann) == 0)
        json_object_object_del (desc, "annotations");
    }
  return 0;
}

int
ferry_artifact_fetch (const char *ref, const struct ferry_transfer_options *o, const char *blob_dir,
                      char **manifest, char digest[FERRY_DIGEST_LEN + 1], ferry_error_t *err)
{
  struct pull p = { 0 };
  cleanup_json json_object *m = NULL;
  cleanup_free char *media_type = NULL;
  json_object *layers;
  size_t len = 0, i;
  bool decrypted = false;
  int ret = -1;

  *manifest = NULL;
  if (ferry_reference_parse (strip_transport (ref), FERRY_REFERENCE_DEFAULT_DOCKER_IO, &p.ref, err) < 0)
    return -1;
  p.what = ferry_reference_string (&p.ref);
  p.src = &p.ref;
  p.scope = xasprintf ("repository:%s:pull", p.ref.repository);
  p.registries_d = o->registries_d;
  if (ferry_policy_load (o->signature_policy, &p.policy, err) < 0)
    goto out;
  if (o->decryption_keys && ferry_crypt_keys_for_decryption (o->decryption_keys, &p.keys, err) < 0)
    goto out;
  if (ferry_registry_open_repository (p.ref.registry, p.ref.repository, &o->registry, &p.reg, err) < 0)
    {
      ferry_error_wrap (err, "cannot pull %s", p.what);
      goto out;
    }
  p.progress = ferry_progress_new (o->progress);
  if (fetch_manifest (&p, p.ref.digest ? p.ref.digest : p.ref.tag, p.ref.digest, manifest, &len, &media_type,
                      digest, err)
          < 0
      || check_policy (&p, *manifest, len, digest, err) < 0)
    goto out;
  if (! ferry_media_is_manifest (media_type) || strlen (*manifest) != len)
    {
      cleanup_free char *shown = ferry_registry_printable (media_type);
      ferry_make_error (err, 0, "%s: not an artifact: its manifest is a `%s`, not an OCI image manifest",
                        p.what, shown);
      goto out;
    }
  m = ferry_json_parse (*manifest, len, "the manifest", err);
  if (m == NULL || ferry_image_check_manifest (m, err) < 0)
    {
      ferry_error_wrap (err, "%s: the manifest %s", p.what, digest);
      goto out;
    }
  ferry_progress_say (p.progress, "Getting image source signatures");
  layers = ferry_json_get_array (m, "layers");
  for (i = 0; i < json_object_array_length (layers); i++)
    {
      json_object *d = json_object_array_get_idx (layers, i);

      /* Without a key an encrypted blob is kept as it is, as Podman keeps it.  */
      if (p.keys && ferry_media_is_encrypted (ferry_json_get_string (d, "mediaType")))
        {
          if (fetch_decrypted_into_dir (&p, d, blob_dir, err) < 0)
            goto out;
          decrypted = true;
        }
      else if (fetch_into_dir (&p, d, blob_dir, "blob", err) < 0)
        goto out;
    }
  if (fetch_into_dir (&p, ferry_json_get_object (m, "config"), blob_dir, "config", err) < 0)
    goto out;
  if (decrypted)
    {
      /* Recorded as it now is: the plain blobs.  */
      free (*manifest);
      *manifest = xstrdup (
          json_object_to_json_string_ext (m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
      ferry_sha256_buffer (*manifest, strlen (*manifest), digest);
    }
  ferry_progress_say (p.progress, "Writing manifest to image destination");
  ret = 0;

out:
  if (ret < 0)
    {
      free (*manifest);
      *manifest = NULL;
    }
  ferry_progress_finish (p.progress);
  pull_free (&p);
  return ret;
}
