/* ferry: manifest lists of the store: what `manifest create` and `add`
 * put in them, found here or on a registry (and then pulled), and the
 * list's change in one transaction of the store.  */
#include "manifest_list.h"
#include "artifact.h"
#include "load.h"
#include "media.h"
#include "reference.h"
#include "../util/base64.h"
#include "../util/cleanup.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The most images an index from a registry may have us pull with --all:
 * far beyond any real multi-platform image, far below what 4 MiB of index
 * (pull.c's bound) could name.  */
#define MAX_REMOTE_ENTRIES 256

struct add_request
{
  char **digests; /* manifest digests of stored images, NULL-terminated */
  const struct ferry_list_platform *platform;
  json_object *annotations; /* the index's own, may be NULL */
  json_object *marks;       /* digest: the annotations a registry's index gave it; may be NULL */
};

/* P, with the annotations MARKS has for DIGEST under its own (which win);
 * *OWNED holds what the caller frees.  */
static struct ferry_list_platform
with_marks (const struct ferry_list_platform *p, json_object *marks, const char *digest, json_object **owned)
{
  struct ferry_list_platform out = *p;
  json_object *had = ferry_json_get_object (marks, digest);

  *owned = NULL;
  if (had == NULL)
    return out;
  *owned = json_object_new_object ();
  json_object_object_foreach (had, k, v) json_object_object_add (*owned, k, json_object_get (v));
  if (p->annotations)
    {
      json_object_object_foreach (p->annotations, k2, v2)
          json_object_object_add (*owned, k2, json_object_get (v2));
    }
  out.annotations = *owned;
  return out;
}

static char *
edit_add (ferry_store_t *s, const struct ferry_image *list, void *arg, ferry_error_t *err)
{
  struct add_request *a = arg;
  cleanup_free char *text = xstrdup (list->manifest);
  size_t i;

  for (i = 0; a->digests && a->digests[i]; i++)
    {
      struct ferry_image *img = NULL;
      cleanup_json json_object *owned = NULL;
      struct ferry_list_platform p = with_marks (a->platform, a->marks, a->digests[i], &owned);
      char *next;

      if (ferry_store_lookup_manifest_digest (s, a->digests[i], &img, err) < 0)
        return NULL;
      next = ferry_manifest_list_add_image (text, img, &p, err);
      ferry_image_free (img);
      if (next == NULL)
        return NULL;
      free (text);
      text = next;
    }
  if (a->annotations && json_object_object_length (a->annotations) > 0)
    {
      struct ferry_list_platform none = { 0 };
      char *next = ferry_manifest_list_annotate (text, NULL, &none, a->annotations, err);

      if (next == NULL)
        return NULL;
      free (text);
      text = next;
    }
  return steal_pointer (&text);
}

/* Pulls the image DIGEST of REPOSITORY (a name without tag) and adds its
 * manifest digest to *DIGESTS.  */
static int
pull_by_digest (ferry_store_t *s, const char *name, const char *digest,
                const struct ferry_transfer_options *o, char ***digests, ferry_error_t *err)
{
  cleanup_free char *ref = xasprintf ("%s@%s", name, digest);
  cleanup_free char *id = NULL;

  if (ferry_image_pull (s, ref, o, &id, err) < 0)
    return -1;
  ferry_strv_add (digests, digest);
  return 0;
}

/* The registry's REF, pulled into the store (a list: this host's image, or
 * with ALL every one).  *REACHED tells whether the registry sent REF's
 * manifest: a failure before is the registry's absence, after it a fault
 * of what it sent.  */
static int
add_remote (ferry_store_t *s, const char *ref, bool all, const struct ferry_transfer_options *o,
            char ***digests, json_object *marks, bool *reached, ferry_error_t *err)
{
  cleanup_free char *body = NULL, *media_type = NULL, *name = NULL;
  cleanup_json json_object *m = NULL;
  struct ferry_reference r;
  char digest[FERRY_DIGEST_LEN + 1];
  json_object *entries;
  size_t len, i;
  int found = 0;

  if (ferry_reference_parse (strncmp (ref, "docker://", 9) == 0 ? ref + 9 : ref,
                             FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, err)
      < 0)
    return -1;
  name = ferry_reference_name (&r);
  if (ferry_image_fetch_manifest (ref, o, &body, &len, &media_type, digest, err) < 0)
    {
      if ((*err)->kind == FERRY_ERROR_NOT_FOUND)
        {
          /* Podman's words, then ours.  */
          cleanup_error ferry_error_t cause = steal_pointer (err);
          ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                 "reading manifest %s in %s: manifest unknown (%s)",
                                 r.digest ? r.digest : r.tag, name, cause->msg);
        }
      ferry_reference_free (&r);
      return ferry_error_wrap (err, "setting up to read manifest and configuration from \"docker://%s\"",
                               strncmp (ref, "docker://", 9) == 0 ? ref + 9 : ref);
    }
  ferry_reference_free (&r);
  *reached = true;
  if (! ferry_media_is_index (media_type))
    return pull_by_digest (s, name, digest, o, digests, err);
  m = ferry_json_parse (body, len, "image index", err);
  if (m == NULL)
    return -1;
  entries = ferry_json_get_array (m, "manifests");
  if (all && json_object_array_length (entries) > MAX_REMOTE_ENTRIES)
    return ferry_make_error (err, 0,
                             "%s: the image index names %zu images, more than the %d ferry adds at once", ref,
                             json_object_array_length (entries), MAX_REMOTE_ENTRIES);
  for (i = 0; i < json_object_array_length (entries); i++)
    {
      json_object *e = json_object_array_get_idx (entries, i);
      json_object *plat = ferry_json_get_object (e, "platform");
      const char *dg = ferry_json_get_string (e, "digest");
      const char *mt = ferry_json_get_string (e, "mediaType");

      if (mt == NULL || ! ferry_media_is_manifest (mt))
        continue;
      if (! all
          && (plat == NULL || ! ferry_json_string_equals (plat, "os", "linux")
              || ! ferry_json_string_equals (plat, "architecture", ferry_image_host_arch ())))
        continue;
      if (pull_by_digest (s, name, dg, o, digests, err) < 0)
        return -1;
      /* As Podman's add, the entry keeps what the index said of it (its
       * zstd mark among them).  */
      if (marks && ferry_json_get_object (e, "annotations"))
        json_object_object_add (marks, dg, json_object_get (ferry_json_get_object (e, "annotations")));
      found = 1;
      if (! all)
        break;
    }
  if (! found)
    return ferry_make_error_kind (
        err, FERRY_ERROR_NOT_FOUND,
        "%s: no image found in image index for architecture \"%s\", variant \"\", OS "
        "\"linux\"",
        ref, ferry_image_host_arch ());
  return 0;
}

/* The local image or list REF names (a list's image for this host, or
 * with ALL all of its images).  */
static int
add_local (ferry_store_t *s, const char *ref, bool all, char ***digests, ferry_error_t *err)
{
  struct ferry_image *img = NULL;

  if (all && ferry_store_lookup_list (s, ref, &img, err) == 0)
    {
      cleanup_json json_object *m = json_tokener_parse (img->manifest);
      json_object *entries = ferry_json_get_array (m, "manifests");
      size_t i;

      for (i = 0; i < json_object_array_length (entries); i++)
        ferry_strv_add (digests, ferry_json_get_string (json_object_array_get_idx (entries, i), "digest"));
      ferry_image_free (img);
      return 0;
    }
  ferry_error_release (err);
  if (ferry_store_lookup (s, ref, &img, err) < 0)
    return -1;
  ferry_strv_add (digests, img->manifest_digest);
  ferry_image_free (img);
  return 0;
}

/* Whether REF names a registry's image before a local one: a full name
 * of a registry other than localhost, as Podman looks there first.  Short
 * names and IDs are looked up here first (Podman would ask docker.io).  */
static bool
registry_first (const char *ref)
{
  struct ferry_reference r;
  ferry_error_t ignored = NULL;
  bool remote;

  if (ferry_reference_is_short (ref)
      || ferry_reference_parse (ref, FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, &ignored) < 0)
    {
      ferry_error_release (&ignored);
      return false;
    }
  remote = strcmp (r.registry, "localhost") != 0;
  ferry_reference_free (&r);
  return remote;
}

/* The manifest digests of the stored images REF stands for: with
 * docker://, a registry's (pulled); a full name of a registry, the
 * registry's when it answers, else the store's; anything else the store's
 * (a list's image for this host, or with ALL all of its images), else the
 * registry's.  */
int
ferry_manifest_images_to_add (ferry_store_t *s, const char *ref, bool all,
                              const struct ferry_transfer_options *o, char ***digests, json_object *marks,
                              ferry_error_t *err)
{
  cleanup_error ferry_error_t remote_err = NULL;
  bool reached = false;

  if (strncmp (ref, "docker://", 9) == 0)
    return add_remote (s, ref, all, o, digests, marks, &reached, err);
  if (registry_first (ref))
    {
      if (add_remote (s, ref, all, o, digests, marks, &reached, &remote_err) == 0)
        return 0;
      if (reached)
        {
          *err = steal_pointer (&remote_err);
          return -1;
        }
      if (add_local (s, ref, all, digests, err) == 0)
        return 0;
      if ((*err)->kind == FERRY_ERROR_NOT_FOUND && strstr ((*err)->msg, "image index") == NULL)
        {
          cleanup_error ferry_error_t local_err = steal_pointer (err);
          return ferry_make_error (err, 0,
                                   "locating image to add to manifest list: \"docker://%s\": %s; \"%s\": %s",
                                   ref, remote_err->msg, ref, local_err->msg);
        }
      return -1;
    }
  if (add_local (s, ref, all, digests, err) == 0)
    return 0;
  if ((*err)->kind != FERRY_ERROR_NOT_FOUND || strstr ((*err)->msg, "image index"))
    return -1;
  {
    cleanup_error ferry_error_t local_err = steal_pointer (err);

    if (add_remote (s, ref, all, o, digests, marks, &reached, &remote_err) == 0)
      return 0;
    /* Found nowhere: Podman's words, both places' causes.  */
    if (reached && remote_err->kind != FERRY_ERROR_NOT_FOUND)
      {
        *err = steal_pointer (&remote_err);
        return -1;
      }
    return ferry_make_error (err, 0,
                             "locating image to add to manifest list: \"docker://%s\": %s; \"%s\": %s", ref,
                             remote_err->msg, ref, local_err->msg);
  }
}

json_object *
ferry_manifest_subject (ferry_store_t *s, const char *ref, ferry_error_t *err)
{
  cleanup_json json_object *m = NULL;
  struct ferry_image *img = NULL;
  json_object *d;
  char digest[FERRY_DIGEST_LEN + 1];
  const char *mt;

  if (ferry_store_lookup_list (s, ref, &img, err) < 0)
    {
      ferry_error_release (err);
      if (ferry_store_lookup (s, ref, &img, err) < 0)
        {
          if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
            return NULL;
          ferry_error_release (err);
          ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                 "locating subject for image index: \"%s\": %s: image not known (ferry looks "
                                 "for it in the store: pull or load it first)",
                                 ref, ref);
          return NULL;
        }
    }
  m = json_tokener_parse (img->manifest);
  mt = ferry_json_get_string (m, "mediaType");
  if (mt == NULL)
    mt = img->is_list ? FERRY_MEDIA_OCI_INDEX : FERRY_MEDIA_OCI_MANIFEST;
  if (img->manifest_digest && ferry_digest_is_valid (img->manifest_digest))
    snprintf (digest, sizeof (digest), "%s", img->manifest_digest);
  else
    ferry_sha256_buffer (img->manifest, strlen (img->manifest), digest);
  d = json_object_new_object ();
  json_object_object_add (d, "mediaType", json_object_new_string (mt));
  json_object_object_add (d, "size", json_object_new_int64 ((int64_t) strlen (img->manifest)));
  json_object_object_add (d, "digest", json_object_new_string (digest));
  ferry_image_free (img);
  return d;
}

/* ---- artifacts (manifest add --artifact) ------------------------------------------- */

#define ARTIFACT_TYPE_DEFAULT "application/vnd.unknown.artifact.v1"
#define EMPTY_CONFIG_TYPE "application/vnd.oci.empty.v1+json"
#define OCI_CONFIG_TYPE "application/vnd.oci.image.config.v1+json"
/* A config goes inline in the manifest (as Podman writes it): a manifest a
 * registry takes (4 MiB) bounds it.  */
#define ARTIFACT_CONFIG_MAX (1024 * 1024)

/* ERRNUM's text as Go writes it (lower case), for Podman's messages.  */
static char *
go_error_text (int errnum)
{
  char *t = xstrdup (strerror (errnum));

  t[0] = (char) tolower ((unsigned char) t[0]);
  return t;
}

/* PATH as the list records it: absolute, as given otherwise (Podman reads
 * it again at push).  */
static char *
absolute_path (const char *path)
{
  char cwd[PATH_MAX];

  if (path[0] == '/' || getcwd (cwd, sizeof (cwd)) == NULL)
    return xstrdup (path);
  return xasprintf ("%s/%s", cwd, path);
}

/* The layer descriptor of file PATH, with Podman's words when it cannot be
 * read.  */
static json_object *
artifact_layer (const char *path, const struct ferry_list_artifact *a, ferry_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  unsigned char head[512];
  char digest[FERRY_DIGEST_LEN + 1];
  struct stat st;
  ssize_t n = 0;
  json_object *d;

  if (fd < 0)
    {
      cleanup_free char *why = go_error_text (errno);
      ferry_make_error (err, 0, "reading \"%s\" to determine its digest: open %s: %s", path, path, why);
      return NULL;
    }
  if (fstat (fd, &st) < 0 || ! S_ISREG (st.st_mode))
    {
      cleanup_free char *why = go_error_text (S_ISDIR (st.st_mode) ? EISDIR : EINVAL);
      ferry_make_error (err, 0, "reading \"%s\" to determine its digest: read %s: %s", path, path, why);
      return NULL;
    }
  do
    n = pread (fd, head, sizeof (head), 0);
  while (n < 0 && errno == EINTR);
  if (n < 0 || ferry_sha256_file (path, digest, err) < 0)
    {
      if (n < 0)
        ferry_make_error (err, errno, "reading \"%s\" to determine its digest", path);
      return NULL;
    }
  d = json_object_new_object ();
  if (a->layer_type && *a->layer_type)
    json_object_object_add (d, "mediaType", json_object_new_string (a->layer_type));
  else
    {
      const char *sniffed = ferry_artifact_sniff_media_type (head, (size_t) n);
      /* Podman records the type without its parameters.  */
      json_object_object_add (d, "mediaType",
                              json_object_new_string_len (sniffed, (int) strcspn (sniffed, ";")));
    }
  json_object_object_add (d, "digest", json_object_new_string (digest));
  json_object_object_add (d, "size", json_object_new_int64 ((int64_t) st.st_size));
  if (! a->exclude_titles)
    {
      cleanup_free char *copy = xstrdup (path);
      json_object *ann = json_object_new_object ();
      json_object_object_add (ann, "org.opencontainers.image.title",
                              json_object_new_string (basename (copy)));
      json_object_object_add (d, "annotations", ann);
    }
  return d;
}

static json_object *
artifact_config (const struct ferry_list_artifact *a, ferry_error_t *err)
{
  cleanup_free char *data = NULL, *b64 = NULL;
  char digest[FERRY_DIGEST_LEN + 1];
  size_t len = 2;
  json_object *d;

  if (a->config)
    {
      cleanup_close int fd = open (a->config, O_RDONLY | O_CLOEXEC);
      struct stat st;

      if (fd < 0 || fstat (fd, &st) < 0)
        {
          ferry_make_error (err, errno, "reading artifact config \"%s\"", a->config);
          return NULL;
        }
      if (! S_ISREG (st.st_mode) || st.st_size > ARTIFACT_CONFIG_MAX)
        {
          ferry_make_error (err, 0, "artifact config \"%s\" is not a regular file of at most %d bytes",
                            a->config, ARTIFACT_CONFIG_MAX);
          return NULL;
        }
      data = xmalloc ((size_t) st.st_size + 1);
      len = 0;
      while (len < (size_t) st.st_size)
        {
          ssize_t r = read (fd, data + len, (size_t) st.st_size - len);
          if (r < 0 && errno == EINTR)
            continue;
          if (r <= 0)
            {
              ferry_make_error (err, r < 0 ? errno : 0, "reading artifact config \"%s\"", a->config);
              return NULL;
            }
          len += (size_t) r;
        }
    }
  else
    data = xstrdup ("{}");
  ferry_sha256_buffer (data, len, digest);
  b64 = ferry_base64_encode (FERRY_BASE64_STD, data, len);
  d = json_object_new_object ();
  json_object_object_add (d, "mediaType",
                          json_object_new_string (a->config_type && *a->config_type ? a->config_type
                                                  : a->config                       ? OCI_CONFIG_TYPE
                                                                                    : EMPTY_CONFIG_TYPE));
  json_object_object_add (d, "digest", json_object_new_string (digest));
  json_object_object_add (d, "size", json_object_new_int64 ((int64_t) len));
  json_object_object_add (d, "data", json_object_new_string (b64));
  return d;
}

/* The list entry of artifact A: its descriptor and, for the push, the
 * manifest's text and the files' paths.  */
static json_object *
artifact_entry (const struct ferry_list_artifact *a, ferry_error_t *err)
{
  cleanup_json json_object *m = json_object_new_object ();
  json_object *layers, *files, *config, *entry;
  const char *type = a->type && *a->type ? a->type : ARTIFACT_TYPE_DEFAULT;
  char digest[FERRY_DIGEST_LEN + 1];
  const char *text;

  json_object_object_add (m, "schemaVersion", json_object_new_int (2));
  json_object_object_add (m, "mediaType", json_object_new_string (FERRY_MEDIA_OCI_MANIFEST));
  json_object_object_add (m, "artifactType", json_object_new_string (type));
  config = artifact_config (a, err);
  if (config == NULL)
    return NULL;
  json_object_object_add (m, "config", config);
  layers = json_object_new_array ();
  json_object_object_add (m, "layers", layers);
  files = json_object_new_array ();
  for (size_t i = 0; a->files[i]; i++)
    {
      cleanup_free char *path = absolute_path (a->files[i]);
      json_object *d = artifact_layer (path, a, err);

      if (d == NULL)
        {
          json_object_put (files);
          return NULL;
        }
      json_object_array_add (layers, d);
      json_object_array_add (files, json_object_new_string (path));
    }
  text = json_object_to_json_string_ext (m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  ferry_sha256_buffer (text, strlen (text), digest);
  entry = json_object_new_object ();
  json_object_object_add (entry, "mediaType", json_object_new_string (FERRY_MEDIA_OCI_MANIFEST));
  json_object_object_add (entry, "size", json_object_new_int64 ((int64_t) strlen (text)));
  json_object_object_add (entry, "digest", json_object_new_string (digest));
  json_object_object_add (entry, "artifactType", json_object_new_string (type));
  json_object_object_add (entry, FERRY_LIST_ARTIFACT_FILES, files);
  json_object_object_add (entry, FERRY_LIST_ARTIFACT_MANIFEST, json_object_new_string (text));
  return entry;
}

struct add_artifact_request
{
  json_object *entry;
  const struct ferry_list_platform *platform;
  json_object *subject;
};

static char *
edit_add_artifact (ferry_store_t *s, const struct ferry_image *list, void *arg, ferry_error_t *err)
{
  struct add_artifact_request *a = arg;

  (void) s;
  return ferry_manifest_list_add_artifact_entry (list->manifest, a->entry, a->platform, a->subject, err);
}

int
ferry_manifest_list_add_artifact (ferry_store_t *s, const char *list, const struct ferry_list_artifact *a,
                                  const struct ferry_list_platform *p, json_object *subject,
                                  ferry_error_t *err)
{
  cleanup_json json_object *entry = artifact_entry (a, err);
  struct add_artifact_request r = { entry, p, subject };

  if (entry == NULL)
    return -1;
  return ferry_store_edit_list (s, list, edit_add_artifact, &r, err);
}

int
ferry_manifest_list_add_stored (ferry_store_t *s, const char *list, char **digests,
                                const struct ferry_list_platform *p, json_object *annotations,
                                json_object *marks, ferry_error_t *err)
{
  struct add_request a = { digests, p, annotations, marks };

  return ferry_store_edit_list (s, list, edit_add, &a, err);
}

int
ferry_manifest_list_create (ferry_store_t *s, const char *name, char **digests, json_object *annotations,
                            bool amend, char **id, ferry_error_t *err)
{
  struct ferry_list_platform none = { 0 };
  struct ferry_image *existing = NULL;
  cleanup_free char *text = NULL;
  size_t i;

  *id = NULL;
  if (amend && ferry_store_lookup_list (s, name, &existing, err) == 0)
    {
      *id = xstrdup (existing->id);
      ferry_image_free (existing);
      if ((digests || (annotations && json_object_object_length (annotations) > 0))
          && ferry_manifest_list_add_stored (s, *id, digests, &none, annotations, NULL, err) < 0)
        {
          free (*id);
          *id = NULL;
          return -1;
        }
      return 0;
    }
  ferry_error_release (err);
  text = ferry_manifest_list_new (annotations);
  for (i = 0; digests && digests[i]; i++)
    {
      struct ferry_image *img = NULL;
      char *next;

      if (ferry_store_lookup_manifest_digest (s, digests[i], &img, err) < 0)
        return -1;
      next = ferry_manifest_list_add_image (text, img, &none, err);
      ferry_image_free (img);
      if (next == NULL)
        return -1;
      free (text);
      text = next;
    }
  return ferry_store_add_list (s, text, name, id, err);
}
