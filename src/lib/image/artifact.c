/* ferry: OCI artifacts (artifact.h).  */
#include "artifact.h"
#include "media.h"
#include "reference.h"
#include "schema.h"
#include "../state/lock.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INDEX_MAX (16u << 20)
#define MANIFEST_MAX (4u << 20)
#define REF_NAME "org.opencontainers.image.ref.name"
#define TITLE "org.opencontainers.image.title"
#define EMPTY_MEDIA_TYPE "application/vnd.oci.empty.v1+json"
/* The sha256 of "{}", the empty config every artifact carries.  */
#define EMPTY_DIGEST "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"

struct ferry_artifacts
{
  char *root;     /* <root>/artifacts */
  char *blob_dir; /* its blobs/sha256 */
  int lock_fd;
  bool write;
  struct ferry_artifact *v;
  size_t n;
};

const char *
ferry_artifacts_blob_dir (ferry_artifacts_t *a)
{
  return a->blob_dir;
}

size_t
ferry_artifacts_count (ferry_artifacts_t *a)
{
  return a->n;
}

const struct ferry_artifact *
ferry_artifacts_at (ferry_artifacts_t *a, size_t i)
{
  return i < a->n ? &a->v[i] : NULL;
}

char *
ferry_artifact_name (const char *name, ferry_error_t *err)
{
  struct ferry_reference r;
  char *s;

  if (ferry_reference_parse (name, FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, err) < 0)
    return NULL;
  if (r.tag == NULL)
    {
      ferry_reference_free (&r);
      ferry_make_error (err, 0, "artifact name `%s` names a digest: give NAME[:TAG]", name);
      return NULL;
    }
  s = ferry_reference_string (&r);
  ferry_reference_free (&r);
  return s;
}

static void
artifact_release (struct ferry_artifact *x)
{
  free (x->name);
  free (x->manifest);
}

void
ferry_artifacts_close (ferry_artifacts_t *a)
{
  if (a == NULL)
    return;
  for (size_t i = 0; i < a->n; i++)
    artifact_release (&a->v[i]);
  free (a->v);
  if (a->lock_fd >= 0)
    ferry_lock_release (a->lock_fd);
  free (a->root);
  free (a->blob_dir);
  free (a);
}

/* The manifest blob DIGEST, checked against its digest and type-checked:
 * the store is trusted no more than what came into it.  */
static int
read_manifest (ferry_artifacts_t *a, const char *digest, char **text, uint64_t *size, ferry_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/%s", a->blob_dir, digest + strlen ("sha256:"));
  cleanup_json json_object *m = NULL;
  char got[FERRY_DIGEST_LEN + 1];
  json_object *layers;
  struct stat st;
  size_t len;

  if (stat (path, &st) < 0 || ! S_ISREG (st.st_mode) || st.st_size > MANIFEST_MAX)
    return ferry_make_error (err, 0, "artifact manifest %s is missing or too large in `%s`", digest, a->root);
  if (ferry_read_file (path, text, &len, err) < 0)
    return -1;
  ferry_sha256_buffer (*text, len, got);
  if (strcmp (got, digest) != 0 || strlen (*text) != len)
    return ferry_make_error (err, 0, "artifact manifest %s in `%s` is damaged (its content hashes to %s)",
                             digest, a->root, got);
  m = ferry_json_parse (*text, len, "artifact manifest", err);
  if (m == NULL || ferry_image_check_manifest (m, err) < 0)
    return ferry_error_wrap (err, "artifact manifest %s in `%s`", digest, a->root);
  *size = 0;
  layers = ferry_json_get_array (m, "layers");
  for (size_t i = 0; i < json_object_array_length (layers); i++)
    *size += (uint64_t) ferry_json_get_int (json_object_array_get_idx (layers, i), "size", 0);
  return 0;
}

static int
read_index (ferry_artifacts_t *a, ferry_error_t *err)
{
  cleanup_free char *path = xasprintf ("%s/index.json", a->root);
  cleanup_free char *text = NULL;
  cleanup_json json_object *index = NULL;
  json_object *manifests;
  struct stat st;
  size_t len, i;

  if (stat (path, &st) < 0)
    return errno == ENOENT ? 0 : ferry_make_error (err, errno, "cannot read `%s`", path);
  if (! S_ISREG (st.st_mode) || st.st_size > INDEX_MAX)
    return ferry_make_error (err, 0, "`%s` is not a file of at most 16 MiB", path);
  if (ferry_read_file (path, &text, &len, err) < 0)
    return -1;
  index = ferry_json_parse (text, len, path, err);
  if (index == NULL || ferry_image_check_index (index, err) < 0)
    return ferry_error_wrap (err, "artifact index `%s`", path);
  manifests = ferry_json_get_array (index, "manifests");
  a->v = xmalloc0 (sizeof (*a->v) * (json_object_array_length (manifests) + 1));
  for (i = 0; i < json_object_array_length (manifests); i++)
    {
      json_object *d = json_object_array_get_idx (manifests, i);
      const char *digest = ferry_json_get_string (d, "digest");
      const char *name = ferry_json_get_string (ferry_json_get_object (d, "annotations"), REF_NAME);
      struct ferry_artifact *x = &a->v[a->n];
      cleanup_free char *full = NULL;

      if (! ferry_digest_is_valid (digest) || name == NULL || (full = ferry_artifact_name (name, err)) == NULL
          || strcmp (full, name) != 0)
        {
          ferry_error_release (err);
          return ferry_make_error (err, 0, "artifact index `%s`: entry %zu has no valid name or digest", path,
                                   i);
        }
      x->name = xstrdup (name);
      strcpy (x->digest, digest);
      if (read_manifest (a, digest, &x->manifest, &x->size, err) < 0)
        {
          artifact_release (x);
          return -1;
        }
      a->n++;
    }
  return 0;
}

static int
write_index (ferry_artifacts_t *a, ferry_error_t *err)
{
  cleanup_json json_object *index = json_object_new_object ();
  json_object *manifests = json_object_new_array ();
  cleanup_free char *path = xasprintf ("%s/index.json", a->root);
  const char *text;

  json_object_object_add (index, "schemaVersion", json_object_new_int (2));
  json_object_object_add (index, "mediaType", json_object_new_string (FERRY_MEDIA_OCI_INDEX));
  json_object_object_add (index, "manifests", manifests);
  for (size_t i = 0; i < a->n; i++)
    {
      json_object *d = json_object_new_object ();
      json_object *ann = json_object_new_object ();

      json_object_object_add (d, "mediaType", json_object_new_string (FERRY_MEDIA_OCI_MANIFEST));
      json_object_object_add (d, "digest", json_object_new_string (a->v[i].digest));
      json_object_object_add (d, "size", json_object_new_int64 ((int64_t) strlen (a->v[i].manifest)));
      json_object_object_add (ann, REF_NAME, json_object_new_string (a->v[i].name));
      json_object_object_add (d, "annotations", ann);
      json_object_array_add (manifests, d);
    }
  text = json_object_to_json_string_ext (index, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  return ferry_write_file_atomic (path, text, strlen (text), 0644, err);
}

/* Marks DIGEST's hex in USED when it is a sha256 digest.  */
static void
mark_used (json_object *used, const char *digest)
{
  if (digest && strncmp (digest, "sha256:", 7) == 0)
    json_object_object_add (used, digest + 7, NULL);
}

/* The blobs the recorded artifacts use (their manifests, configs and
 * layers), as the keys of a new object.  */
static json_object *
blobs_in_use (ferry_artifacts_t *a)
{
  json_object *used = json_object_new_object ();

  for (size_t i = 0; i < a->n; i++)
    {
      cleanup_json json_object *m = json_tokener_parse (a->v[i].manifest);
      json_object *layers = ferry_json_get_array (m, "layers");

      mark_used (used, a->v[i].digest);
      mark_used (used, ferry_json_get_string (ferry_json_get_object (m, "config"), "digest"));
      for (size_t k = 0; layers && k < json_object_array_length (layers); k++)
        mark_used (used, ferry_json_get_string (json_object_array_get_idx (layers, k), "digest"));
    }
  return used;
}

/* Removes the blobs (and temporary files) no recorded artifact uses: what
 * a ferry killed before it wrote the index left, or what a removal
 * freed.  Only under the write lock.  */
static void
sweep (ferry_artifacts_t *a)
{
  cleanup_json json_object *used = NULL;
  DIR *d = opendir (a->blob_dir);
  struct dirent *de;

  if (d == NULL)
    return;
  used = blobs_in_use (a);
  while ((de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (de->d_name[0] != '.' && json_object_object_get_ex (used, de->d_name, NULL))
        continue;
      unlinkat (dirfd (d), de->d_name, 0);
    }
  closedir (d);
}

int
ferry_artifacts_open (const char *root, bool write, ferry_artifacts_t **out, ferry_error_t *err)
{
  ferry_artifacts_t *a = xmalloc0 (sizeof (*a));
  cleanup_free char *layout = NULL;

  a->root = xasprintf ("%s/artifacts", root);
  a->blob_dir = xasprintf ("%s/blobs/sha256", a->root);
  a->write = write;
  a->lock_fd = ferry_lock_acquire (root, "artifacts", write, err);
  if (a->lock_fd < 0)
    goto fail;
  if (write)
    {
      static const char oci_layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

      layout = xasprintf ("%s/oci-layout", a->root);
      if (ferry_mkdir_p (a->blob_dir, 0755, err) < 0
          || (! ferry_path_exists (layout)
              && ferry_write_file_atomic (layout, oci_layout, strlen (oci_layout), 0644, err) < 0))
        goto fail;
    }
  if (read_index (a, err) < 0)
    goto fail;
  if (write)
    sweep (a);
  *out = a;
  return 0;

fail:
  ferry_artifacts_close (a);
  return -1;
}

const struct ferry_artifact *
ferry_artifacts_find (ferry_artifacts_t *a, const char *ref, ferry_error_t *err)
{
  cleanup_free char *full = NULL;
  const struct ferry_artifact *found = NULL;
  ferry_error_t ignored = NULL;
  const char *hex = strncmp (ref, "sha256:", 7) == 0 ? ref + 7 : ref;
  size_t i, n = strlen (hex);

  full = ferry_artifact_name (ref, &ignored);
  ferry_error_release (&ignored);
  for (i = 0; full && i < a->n; i++)
    if (strcmp (a->v[i].name, full) == 0)
      return &a->v[i];
  if (n >= 3 && strspn (hex, "0123456789abcdef") == n)
    for (i = 0; i < a->n; i++)
      if (strncmp (a->v[i].digest + 7, hex, n) == 0)
        {
          if (found && strcmp (found->digest, a->v[i].digest) != 0)
            {
              ferry_make_error (err, 0, "digest prefix %s matches more than one artifact: give more of it",
                                ref);
              return NULL;
            }
          found = &a->v[i];
        }
  if (found == NULL)
    ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "no artifact found with name or digest of %s", ref);
  return found;
}

/* ---- add ------------------------------------------------------------------------ */

/* Go's http.DetectContentType, for the signatures files carry most: the
 * media type Podman gives a layer.  */
const char *
ferry_artifact_sniff_media_type (const unsigned char *b, size_t n)
{
  static const struct
  {
    const char *magic;
    size_t len;
    const char *type;
  } sigs[] = {
    { "\x89PNG\r\n\x1a\n", 8, "image/png" },
    { "\xff\xd8\xff", 3, "image/jpeg" },
    { "GIF87a", 6, "image/gif" },
    { "GIF89a", 6, "image/gif" },
    { "%PDF-", 5, "application/pdf" },
    { "\x1f\x8b\x08", 3, "application/x-gzip" },
    { "PK\x03\x04", 4, "application/zip" },
    { "BZh", 3, "application/x-bzip2" },
    { "\x7f"
      "ELF",
      4, "application/octet-stream" },
  };
  size_t i, start = 0;

  for (i = 0; i < sizeof (sigs) / sizeof (sigs[0]); i++)
    if (n >= sigs[i].len && memcmp (b, sigs[i].magic, sigs[i].len) == 0)
      return sigs[i].type;
  while (start < n && (b[start] == ' ' || b[start] == '\t' || b[start] == '\n' || b[start] == '\r'))
    start++;
  if (n - start >= 5 && memcmp (b + start, "<?xml", 5) == 0)
    return "text/xml; charset=utf-8";
  if (n - start >= 14 && strncasecmp ((const char *) b + start, "<!DOCTYPE HTML", 14) == 0)
    return "text/html; charset=utf-8";
  if (n - start >= 5 && strncasecmp ((const char *) b + start, "<html", 5) == 0)
    return "text/html; charset=utf-8";
  /* Text: no byte of binary data in the first 512.  */
  for (i = 0; i < n; i++)
    if (b[i] <= 0x08 || b[i] == 0x0b || (b[i] >= 0x0e && b[i] <= 0x1a) || (b[i] >= 0x1c && b[i] <= 0x1f))
      return "application/octet-stream";
  return "text/plain; charset=utf-8";
}

static int
compare_keys (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* ANNOTATIONS and the file's TITLE, by key, as Podman (Go) writes a map:
 * so that the manifest, and its digest, are Podman's.  */
static json_object *
sorted_annotations (json_object *annotations, const char *title)
{
  json_object *out = json_object_new_object ();
  size_t n = 0, i;
  char **keys = xmalloc0 (sizeof (char *) * ((size_t) json_object_object_length (annotations) + 2));

  json_object_object_foreach (annotations, k, v)
  {
    (void) v;
    keys[n++] = k;
  }
  keys[n++] = (char *) TITLE;
  qsort (keys, n, sizeof (char *), compare_keys);
  for (i = 0; i < n; i++)
    json_object_object_add (out, keys[i],
                            strcmp (keys[i], TITLE) == 0
                                ? json_object_new_string (title)
                                : json_object_get (json_object_object_get (annotations, keys[i])));
  free (keys);
  return out;
}

/* Copies PATH into the blob directory under its digest: *DESC gets its
 * layer descriptor.  */
static int
add_file (ferry_artifacts_t *a, const char *path, json_object *annotations, json_object **desc,
          ferry_error_t *err)
{
  cleanup_close int in = open (path, O_RDONLY | O_CLOEXEC);
  cleanup_free char *tmp = xasprintf ("%s/.add-XXXXXX", a->blob_dir);
  cleanup_free char *dest = NULL, *base = NULL;
  unsigned char head[512], buf[1 << 16];
  size_t head_len = 0;
  ferry_sha256_t *h = NULL;
  char digest[FERRY_DIGEST_LEN + 1];
  uint64_t total = 0;
  struct stat st;
  ssize_t r;
  int out = -1;

  /* Go's words, as Podman's: "open PATH: no such file or directory".  */
  if (in < 0)
    return ferry_make_error (err, 0, "open %s: %s", path,
                             errno == ENOENT ? "no such file or directory" : strerror (errno));
  if (fstat (in, &st) < 0 || ! S_ISREG (st.st_mode))
    return ferry_make_error (err, 0, "`%s` is not a regular file: an artifact holds files", path);
  out = mkostemp (tmp, O_CLOEXEC);
  if (out < 0)
    return ferry_make_error (err, errno, "cannot make a file in `%s`", a->blob_dir);
  h = ferry_sha256_new ();
  while ((r = read (in, buf, sizeof (buf))) != 0)
    {
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 || ferry_write_all (out, buf, (size_t) r) < 0)
        {
          ferry_make_error (err, errno, "cannot copy `%s` into the artifact store", path);
          goto fail;
        }
      if (head_len < sizeof (head))
        {
          size_t k = (size_t) r < sizeof (head) - head_len ? (size_t) r : sizeof (head) - head_len;
          memcpy (head + head_len, buf, k);
          head_len += k;
        }
      ferry_sha256_update (h, buf, (size_t) r);
      total += (uint64_t) r;
    }
  ferry_sha256_finish (h, digest);
  h = NULL;
  dest = xasprintf ("%s/%s", a->blob_dir, digest + strlen ("sha256:"));
  if (fsync (out) < 0 || rename (tmp, dest) < 0)
    {
      ferry_make_error (err, errno, "cannot store `%s` in the artifact store", path);
      goto fail;
    }
  close (out);
  base = xstrdup (path);
  *desc = json_object_new_object ();
  json_object_object_add (*desc, "mediaType",
                          json_object_new_string (ferry_artifact_sniff_media_type (head, head_len)));
  json_object_object_add (*desc, "digest", json_object_new_string (digest));
  json_object_object_add (*desc, "size", json_object_new_int64 ((int64_t) total));
  json_object_object_add (*desc, "annotations", sorted_annotations (annotations, basename (base)));
  return 0;

fail:
  if (h)
    ferry_sha256_free (h);
  close (out);
  unlink (tmp);
  return -1;
}

/* Writes manifest TEXT as a blob, and records it as NAME (replacing an
 * artifact of that name).  */
static int
record (ferry_artifacts_t *a, const char *name, const char *text, char digest[FERRY_DIGEST_LEN + 1],
        ferry_error_t *err)
{
  cleanup_free char *path = NULL;
  struct ferry_artifact x = { 0 };
  size_t i;

  ferry_sha256_buffer (text, strlen (text), digest);
  path = xasprintf ("%s/%s", a->blob_dir, digest + strlen ("sha256:"));
  if (ferry_write_file_atomic (path, text, strlen (text), 0644, err) < 0)
    return -1;
  x.name = xstrdup (name);
  strcpy (x.digest, digest);
  if (read_manifest (a, digest, &x.manifest, &x.size, err) < 0)
    {
      artifact_release (&x);
      return -1;
    }
  for (i = 0; i < a->n; i++)
    if (strcmp (a->v[i].name, name) == 0)
      break;
  if (i < a->n)
    artifact_release (&a->v[i]);
  else
    a->v = xrealloc (a->v, sizeof (*a->v) * (++a->n));
  a->v[i] = x;
  if (write_index (a, err) < 0)
    return -1;
  /* What the artifact it replaced used alone.  */
  sweep (a);
  return 0;
}

int
ferry_artifacts_add (ferry_artifacts_t *a, const char *name, char *const *paths, size_t n_paths,
                     const char *type, char *const *annotations, char digest[FERRY_DIGEST_LEN + 1],
                     ferry_error_t *err)
{
  cleanup_json json_object *manifest = json_object_new_object ();
  cleanup_json json_object *ann = json_object_new_object ();
  cleanup_free char *empty_path = xasprintf ("%s/%s", a->blob_dir, EMPTY_DIGEST + strlen ("sha256:"));
  json_object *config, *layers;
  size_t i, k;

  for (i = 0; i < a->n; i++)
    if (strcmp (a->v[i].name, name) == 0)
      return ferry_make_error (err, 0, "artifact %s already exists: remove it first (ferry artifact rm %s)",
                               name, name);
  for (i = 0; annotations && annotations[i]; i++)
    {
      const char *eq = strchr (annotations[i], '=');
      cleanup_free char *key = eq ? xstrndup (annotations[i], (size_t) (eq - annotations[i])) : NULL;

      if (key == NULL || *key == '\0')
        return ferry_make_error (err, 0, "invalid annotation `%s`: give KEY=VALUE", annotations[i]);
      if (strcmp (key, TITLE) == 0)
        return ferry_make_error (err, 0, "cannot override filename with %s annotation", TITLE);
      json_object_object_add (ann, key, json_object_new_string (eq + 1));
    }
  for (i = 0; i < n_paths; i++)
    for (k = 0; k < i; k++)
      {
        cleanup_free char *x = xstrdup (paths[i]), *y = xstrdup (paths[k]);
        if (strcmp (basename (x), basename (y)) == 0)
          return ferry_make_error (
              err, 0, "`%s` and `%s` have one file name, which an artifact's layers cannot share", paths[k],
              paths[i]);
      }
  /* Made once the checks are done: nothing owns them before they are in
   * MANIFEST, after the members that come first.  */
  config = json_object_new_object ();
  layers = json_object_new_array ();
  json_object_object_add (manifest, "schemaVersion", json_object_new_int (2));
  json_object_object_add (manifest, "mediaType", json_object_new_string (FERRY_MEDIA_OCI_MANIFEST));
  if (type && *type)
    json_object_object_add (manifest, "artifactType", json_object_new_string (type));
  json_object_object_add (config, "mediaType", json_object_new_string (EMPTY_MEDIA_TYPE));
  json_object_object_add (config, "digest", json_object_new_string (EMPTY_DIGEST));
  json_object_object_add (config, "size", json_object_new_int (2));
  json_object_object_add (config, "data", json_object_new_string ("e30="));
  json_object_object_add (manifest, "config", config);
  json_object_object_add (manifest, "layers", layers);
  for (i = 0; i < n_paths; i++)
    {
      json_object *desc = NULL;

      if (add_file (a, paths[i], ann, &desc, err) < 0)
        return -1;
      json_object_array_add (layers, desc);
    }
  if (ferry_write_file_atomic (empty_path, "{}", 2, 0644, err) < 0)
    return -1;
  return record (
      a, name,
      json_object_to_json_string_ext (manifest, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
      digest, err);
}

int
ferry_artifacts_record (ferry_artifacts_t *a, const char *name, const char *manifest, ferry_error_t *err)
{
  char digest[FERRY_DIGEST_LEN + 1];

  return record (a, name, manifest, digest, err);
}

int
ferry_artifacts_remove (ferry_artifacts_t *a, const char *ref, char digest[FERRY_DIGEST_LEN + 1],
                        ferry_error_t *err)
{
  const struct ferry_artifact *x = ferry_artifacts_find (a, ref, err);
  size_t i;

  if (x == NULL)
    return -1;
  i = (size_t) (x - a->v);
  strcpy (digest, x->digest);
  artifact_release (&a->v[i]);
  memmove (&a->v[i], &a->v[i + 1], sizeof (*a->v) * (a->n - i - 1));
  a->n--;
  if (write_index (a, err) < 0)
    return -1;
  sweep (a);
  return 0;
}
