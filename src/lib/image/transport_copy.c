/* Pull from and push to the file transports (transport.h) by way of load
 * and save, which read and write these layouts and check what they read.  */
#include "transport.h"
#include "load.h"
#include "reference.h"
#include "save.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define DOCKER_SOCKET "/var/run/docker.sock"

/* Podman's lines for one copy of image ID: BLOBS (the source's layer
 * digests), its config, its manifest.  */
static void
say_blobs (char *const *blobs, const char *id)
{
  fprintf (stderr, "Getting image source signatures\n");
  for (; blobs && *blobs; blobs++)
    fprintf (stderr, "Copying blob %s\n", *blobs);
  fprintf (stderr, "Copying config sha256:%s\n", id);
  fprintf (stderr, "Writing manifest to image destination\n");
}

/* The same for the stored image ID, its layers named by their diff_ids
 * as Podman's store gives them, whatever blobs the manifest names.  */
static void
say_copy (ferry_store_t *s, const char *id)
{
  struct ferry_image *img = NULL;
  ferry_error_t ignored = NULL;
  size_t i;

  fprintf (stderr, "Getting image source signatures\n");
  if (ferry_store_lookup (s, id, &img, &ignored) < 0)
    {
      ferry_error_release (&ignored);
      return;
    }
  for (i = 0; i < img->n_layers; i++)
    fprintf (stderr, "Copying blob %s\n", img->diff_ids[i]);
  fprintf (stderr, "Copying config %s\n", img->config_digest);
  fprintf (stderr, "Writing manifest to image destination\n");
  ferry_image_free (img);
}

/* The error Podman gives where no Docker daemon answers; ferry reads no
 * daemon's images even where one does.  */
static int
docker_daemon (const char *dir, const struct ferry_transport_ref *r, ferry_error_t *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  snprintf (addr.sun_path, sizeof (addr.sun_path), "%s", DOCKER_SOCKET);
  if (fd < 0 || connect (fd, (struct sockaddr *) &addr, sizeof (addr)) < 0)
    return ferry_make_error (err, 0,
                             "initializing %s docker-daemon:%s: loading image from docker engine: Cannot "
                             "connect to the Docker daemon at unix://" DOCKER_SOCKET
                             ". Is the docker daemon running?",
                             dir, r->ref);
  return ferry_make_error (err, 0,
                           "docker-daemon:%s: ferry does not talk to the Docker daemon: copy the image with "
                           "`docker save` and `ferry load`",
                           r->ref);
}

/* containers-storage:[driver@root+runroot]REF names a store of Podman's,
 * which ferry does not read.  */
static int
other_store (const struct ferry_transport_ref *r, ferry_error_t *err)
{
  return ferry_make_error (err, 0,
                           "containers-storage:%s names another engine's store: ferry's is its own --root; "
                           "copy the image with `podman save` and `ferry load`",
                           r->ref);
}

/* What a path must be before load reads it, in Podman's words.  */
static int
check_source_path (const struct ferry_transport_ref *r, ferry_error_t *err)
{
  struct stat st;
  int found = stat (r->path, &st) == 0;

  switch (r->transport)
    {
    case FERRY_TRANSPORT_OCI_ARCHIVE:
      if (! found)
        return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                      "creating temp directory: archive file not found: \"%s\"", r->path);
      if (S_ISDIR (st.st_mode))
        return ferry_make_error (err, 0,
                                 "oci-archive:%s is a directory: pull an OCI layout directory as oci:%s",
                                 r->path, r->path);
      return 0;
    case FERRY_TRANSPORT_DOCKER_ARCHIVE:
      if (! found)
        return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                      "opening file \"%s\": open %s: no such file or directory", r->path,
                                      r->path);
      if (S_ISDIR (st.st_mode))
        return ferry_make_error (err, 0, "opening file \"%s\": read %s: is a directory", r->path, r->path);
      return 0;
    default:
      if (! found || ! S_ISDIR (st.st_mode))
        return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "open %s/%s: %s", r->path,
                                      r->transport == FERRY_TRANSPORT_OCI ? "index.json" : "manifest.json",
                                      found ? "not a directory" : "no such file or directory");
      return 0;
    }
}

static int
pull_file (ferry_store_t *s, const struct ferry_transport_ref *src, bool say, char ***ids, ferry_error_t *err)
{
  struct ferry_load_selection sel = { .ref = src->ref, .index = src->index };
  struct ferry_load_report report = { 0 };
  cleanup_free char *name = NULL;
  size_t i, j, n = 0;

  if (check_source_path (src, err) < 0)
    return -1;
  switch (src->transport)
    {
    case FERRY_TRANSPORT_OCI_ARCHIVE:
      sel.layout = FERRY_LOAD_OCI;
      break;
    case FERRY_TRANSPORT_OCI:
      sel.layout = FERRY_LOAD_OCI;
      sel.naming = FERRY_LOAD_NAMES_NONE;
      if (src->ref)
        {
          struct ferry_reference r;

          /* The image gets the ref given, as a name to fetch reads it.  */
          if (ferry_reference_parse (src->ref, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, err) < 0)
            return ferry_error_wrap (err, "oci:%s:%s", src->path, src->ref);
          name = ferry_reference_string (&r);
          ferry_reference_free (&r);
          sel.naming = FERRY_LOAD_NAMES_GIVEN;
          sel.name = name;
        }
      break;
    case FERRY_TRANSPORT_DOCKER_ARCHIVE:
      sel.layout = FERRY_LOAD_DOCKER_ARCHIVE;
      break;
    default:
      sel.layout = FERRY_LOAD_DOCKER_DIR;
      sel.naming = FERRY_LOAD_NAMES_NONE;
      break;
    }
  if (ferry_image_load_selected (s, src->path, &sel, &report, err) < 0)
    {
      if (src->transport == FERRY_TRANSPORT_OCI && src->ref)
        return ferry_error_wrap (err, "initializing source oci:%s:%s", src->path, src->ref);
      if (src->transport == FERRY_TRANSPORT_OCI_ARCHIVE && src->ref)
        return ferry_error_wrap (err, "loading index");
      return -1;
    }
  *ids = xmalloc0 (sizeof (char *));
  for (i = 0; report.ids[i]; i++)
    {
      size_t copies = 1;

      /* A docker-archive image goes once per tag, as Podman copies it.  */
      if (src->transport == FERRY_TRANSPORT_DOCKER_ARCHIVE && src->ref == NULL)
        {
          for (copies = 0; report.names[i][copies]; copies++)
            ;
          copies = copies ? copies : 1;
        }
      for (j = 0; j < copies; j++)
        {
          if (say)
            say_blobs (report.blobs[i], report.ids[i]);
          ferry_strv_push (ids, &n, xstrdup (report.ids[i]));
        }
    }
  ferry_load_report_free (&report);
  return 0;
}

/* The image REF names in ferry's store, as Podman reads its own store
 * for containers-storage: (a short name is docker.io's there).  */
static int
pull_own_store (ferry_store_t *s, const struct ferry_transport_ref *src, bool say, char ***ids,
                ferry_error_t *err)
{
  struct ferry_image *img = NULL;
  cleanup_free char *full = NULL;
  struct ferry_reference r;
  ferry_error_t ignored = NULL;
  size_t n = 0;

  if (src->ref[0] == '[')
    return other_store (src, err);
  if (strspn (src->ref, "0123456789abcdef") == strlen (src->ref) && strlen (src->ref) >= 3)
    full = xstrdup (src->ref);
  else if (ferry_reference_parse (src->ref, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, &ignored) == 0)
    {
      full = ferry_reference_string (&r);
      ferry_reference_free (&r);
    }
  ferry_error_release (&ignored);
  if (full == NULL || ferry_store_lookup (s, full, &img, &ignored) < 0)
    {
      ferry_error_release (&ignored);
      return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                    "initializing source containers-storage:%s: reference \"%s\" does not "
                                    "resolve to an image ID",
                                    full ? full : src->ref, full ? full : src->ref);
    }
  if (say)
    say_copy (s, img->id);
  *ids = NULL;
  ferry_strv_push (ids, &n, xstrdup (img->id));
  ferry_image_free (img);
  return 0;
}

int
ferry_transport_pull (ferry_store_t *s, const struct ferry_transport_ref *src, bool say, char ***ids,
                      ferry_error_t *err)
{
  *ids = NULL;
  switch (src->transport)
    {
    case FERRY_TRANSPORT_CONTAINERS_STORAGE:
      return pull_own_store (s, src, say, ids, err);
    case FERRY_TRANSPORT_DOCKER_DAEMON:
      return docker_daemon ("source", src, err);
    case FERRY_TRANSPORT_NONE:
    case FERRY_TRANSPORT_DOCKER:
      return ferry_make_error (err, 0, "`%s` names a registry's image, not a file's", src->ref);
    default:
      return pull_file (s, src, say, ids, err);
    }
}

struct push_say
{
  bool say, started;
};

/* The first line only once save has checked the image and the
 * destination: a bad one is all Podman says about it.  */
static void
push_progress (void *ctx, const char *kind, const char *digest)
{
  struct push_say *p = ctx;

  if (! p->say)
    return;
  if (! p->started)
    fprintf (stderr, "Getting image source signatures\n");
  p->started = true;
  if (digest)
    fprintf (stderr, "Copying %s %s\n", kind, digest);
  else
    fprintf (stderr, "Writing manifest to image destination\n");
}

/* push IMAGE containers-storage:NAME: in ferry's own store, a tag.  */
static int
push_own_store (ferry_store_t *s, const char *image, const struct ferry_transport_ref *dest, bool say,
                char **digest, ferry_error_t *err)
{
  struct ferry_image *img = NULL;
  cleanup_free char *name = NULL;
  struct ferry_reference r;

  if (dest->ref[0] == '[')
    return other_store (dest, err);
  /* A short name is docker.io's there, as Podman reads it.  */
  if (ferry_reference_parse (dest->ref, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, err) < 0)
    return ferry_error_wrap (err, "containers-storage:%s", dest->ref);
  name = ferry_reference_string (&r);
  ferry_reference_free (&r);
  if (ferry_store_lookup (s, image, &img, err) < 0)
    return -1;
  if (ferry_store_tag (s, img->id, name, err) < 0)
    {
      ferry_image_free (img);
      return -1;
    }
  if (say)
    say_copy (s, img->id);
  if (digest)
    *digest = xstrdup (img->manifest_digest);
  ferry_image_free (img);
  return 0;
}

/* A docker-archive cannot be added to, in Podman's words; an unknown
 * image is said first, as Podman says it.  */
static int
existing_archive (ferry_store_t *s, const char *image, const struct ferry_transport_ref *dest,
                  ferry_error_t *err)
{
  struct ferry_image *img = NULL;
  struct stat st;

  if (ferry_store_lookup (s, image, &img, err) < 0)
    return -1;
  ferry_image_free (img);
  if (stat (dest->path, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0)
    return ferry_make_error (err, 0,
                             "initializing destination docker-archive:%s: docker-archive doesn't support "
                             "modifying existing images",
                             dest->path);
  return 0;
}

int
ferry_transport_push (ferry_store_t *s, const char *image, const struct ferry_transport_ref *dest, bool say,
                      bool compress, char **digest, ferry_error_t *err)
{
  struct push_say ps = { .say = say };
  char written[FERRY_DIGEST_LEN + 1] = "";
  char *refs[2] = { (char *) image, dest->ref };
  struct ferry_save_request req = {
    .refs = refs,
    .n_refs = 1,
    .output = dest->path,
    .out_fd = -1,
    .progress = push_progress,
    .progress_ctx = &ps,
    .manifest_digest = written,
  };

  switch (dest->transport)
    {
    case FERRY_TRANSPORT_CONTAINERS_STORAGE:
      return push_own_store (s, image, dest, say, digest, err);
    case FERRY_TRANSPORT_DOCKER_DAEMON:
      return docker_daemon ("destination", dest, err);
    case FERRY_TRANSPORT_NONE:
    case FERRY_TRANSPORT_DOCKER:
      return ferry_make_error (err, 0, "`%s` names a registry, not a file", dest->ref);
    case FERRY_TRANSPORT_OCI_ARCHIVE:
    case FERRY_TRANSPORT_OCI:
      req.format = dest->transport == FERRY_TRANSPORT_OCI ? FERRY_SAVE_OCI_DIR : FERRY_SAVE_OCI_ARCHIVE;
      req.ref_name_set = true;
      req.ref_name = dest->ref;
      break;
    case FERRY_TRANSPORT_DOCKER_ARCHIVE:
      if (dest->index >= 0)
        return ferry_make_error (err, 0, "docker-archive:%s:@%d: a destination takes a name, not an index",
                                 dest->path, dest->index);
      req.format = FERRY_SAVE_DOCKER_ARCHIVE;
      /* The REF given is the image's first RepoTag, before its own name.  */
      req.n_refs = dest->ref ? 2 : 1;
      if (existing_archive (s, image, dest, err) < 0)
        return -1;
      break;
    default:
      req.format = FERRY_SAVE_DOCKER_DIR;
      req.compress = compress;
      break;
    }
  if (ferry_image_save (s, &req, NULL, err) < 0)
    return -1;
  if (digest)
    *digest = xstrdup (written);
  return 0;
}
