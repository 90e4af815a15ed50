#include "manifest_list.h"
#include "media.h"
#include "schema.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <stdbool.h>
#include <string.h>

/* ---- the canonical shape -------------------------------------------------------- */

static void
copy_member (json_object *to, json_object *from, const char *key)
{
  json_object *v;

  if (json_object_object_get_ex (from, key, &v) && v != NULL)
    json_object_object_add (to, key, json_object_get (v));
}

static json_object *
canonical_platform (json_object *p)
{
  json_object *out = json_object_new_object ();

  copy_member (out, p, "architecture");
  copy_member (out, p, "os");
  copy_member (out, p, "os.version");
  copy_member (out, p, "os.features");
  copy_member (out, p, "variant");
  copy_member (out, p, "features");
  return out;
}

/* An entry as Podman stores and pushes it: in the order of the Go
 * structure of its list's type, the OCI descriptor's (mediaType,
 * digest, size, urls, annotations, platform, artifactType) in an index,
 * the Docker one's (mediaType, size, digest, urls, platform) in a Docker
 * list; ferry's own records last.  */
static json_object *
canonical_entry (json_object *e, bool oci)
{
  json_object *out = json_object_new_object ();
  json_object *p = ferry_json_get_object (e, "platform");
  json_object *a = ferry_json_get_object (e, "annotations");
  bool has_annotations = a && json_object_object_length (a) > 0;

  copy_member (out, e, "mediaType");
  copy_member (out, e, oci ? "digest" : "size");
  copy_member (out, e, oci ? "size" : "digest");
  copy_member (out, e, "urls");
  if (oci && has_annotations)
    json_object_object_add (out, "annotations", ferry_json_sorted_object (a));
  if (p)
    json_object_object_add (out, "platform", canonical_platform (p));
  if (! oci && has_annotations)
    json_object_object_add (out, "annotations", ferry_json_sorted_object (a));
  copy_member (out, e, "artifactType");
  copy_member (out, e, FERRY_LIST_ARTIFACT_FILES);
  copy_member (out, e, FERRY_LIST_ARTIFACT_MANIFEST);
  return out;
}

/* An entry as Podman's manifest inspect shows it, whatever the list's
 * type: mediaType, size, digest, urls, platform, annotations, then the
 * artifact's type and ferry's records.  */
static json_object *
displayed_entry (json_object *e)
{
  json_object *out = json_object_new_object ();
  json_object *p = ferry_json_get_object (e, "platform");
  json_object *a = ferry_json_get_object (e, "annotations");

  copy_member (out, e, "mediaType");
  copy_member (out, e, "size");
  copy_member (out, e, "digest");
  copy_member (out, e, "urls");
  if (p)
    json_object_object_add (out, "platform", canonical_platform (p));
  if (a && json_object_object_length (a) > 0)
    json_object_object_add (out, "annotations", ferry_json_sorted_object (a));
  copy_member (out, e, "artifactType");
  copy_member (out, e, FERRY_LIST_ARTIFACT_FILES);
  copy_member (out, e, FERRY_LIST_ARTIFACT_MANIFEST);
  return out;
}

/* Podman's choice of type for a list: the OCI index when it holds what
 * only an index can say (annotations), Docker's list when it holds what
 * only that can (platform features), else the index, except for an empty
 * list, which is Docker's.  */
static const char *
choose_media_type (json_object *entries, json_object *annotations, json_object *subject)
{
  size_t i, n = json_object_array_length (entries);

  if ((annotations && json_object_object_length (annotations) > 0) || subject)
    return FERRY_MEDIA_OCI_INDEX;
  for (i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (entries, i);
      json_object *a = ferry_json_get_object (e, "annotations");

      if ((a && json_object_object_length (a) > 0) || ferry_json_get_string (e, "artifactType"))
        return FERRY_MEDIA_OCI_INDEX;
    }
  for (i = 0; i < n; i++)
    {
      json_object *plat = ferry_json_get_object (json_object_array_get_idx (entries, i), "platform");
      json_object *f = plat ? ferry_json_get_array (plat, "features") : NULL;

      if (f && json_object_array_length (f) > 0)
        return FERRY_MEDIA_DOCKER_LIST;
    }
  return n > 0 ? FERRY_MEDIA_OCI_INDEX : FERRY_MEDIA_DOCKER_LIST;
}

/* The text of the list ENTRIES with ANNOTATIONS, in MEDIA_TYPE (NULL:
 * chosen).  */
static char *
list_text (json_object *entries, json_object *subject, json_object *annotations, const char *media_type)
{
  cleanup_json json_object *out = json_object_new_object ();
  json_object *list = json_object_new_array ();
  const char *type = media_type ? media_type : choose_media_type (entries, annotations, subject);
  bool oci = strcmp (type, FERRY_MEDIA_DOCKER_LIST) != 0;
  size_t i;

  json_object_object_add (out, "schemaVersion", json_object_new_int (2));
  json_object_object_add (out, "mediaType", json_object_new_string (type));
  for (i = 0; i < json_object_array_length (entries); i++)
    json_object_array_add (list, canonical_entry (json_object_array_get_idx (entries, i), oci));
  json_object_object_add (out, "manifests", list);
  if (subject && (media_type == NULL || strcmp (media_type, FERRY_MEDIA_OCI_INDEX) == 0))
    json_object_object_add (out, "subject", canonical_entry (subject, true));
  if (annotations && json_object_object_length (annotations) > 0
      && (media_type == NULL || strcmp (media_type, FERRY_MEDIA_OCI_INDEX) == 0))
    json_object_object_add (out, "annotations", ferry_json_sorted_object (annotations));
  return xstrdup (ferry_json_to_string (out, 0));
}

/* LIST parsed and checked (it comes from the store, which checked it).  */
static json_object *
parse_list (const char *list, ferry_error_t *err)
{
  json_object *m = ferry_json_parse (list, strlen (list), "manifest list", err);

  if (m == NULL)
    return NULL;
  if (ferry_image_check_index (m, err) < 0)
    {
      json_object_put (m);
      return NULL;
    }
  return m;
}

static json_object *
index_annotations (json_object *m)
{
  json_object *a = ferry_json_get_object (m, "annotations");

  if (a == NULL)
    {
      a = json_object_new_object ();
      json_object_object_add (m, "annotations", a);
    }
  return a;
}

char *
ferry_manifest_list_new (json_object *annotations)
{
  cleanup_json json_object *entries = json_object_new_array ();

  return list_text (entries, NULL, annotations, NULL);
}

/* ---- entries -------------------------------------------------------------------- */

static json_object *
strv_array (char **v)
{
  json_object *a = json_object_new_array ();
  size_t i;

  for (i = 0; v[i]; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

static void
set_string (json_object *o, const char *key, const char *v)
{
  if (v == NULL)
    return;
  if (*v == '\0')
    json_object_object_del (o, key);
  else
    json_object_object_add (o, key, json_object_new_string (v));
}

static void
apply_platform (json_object *entry, const struct ferry_list_platform *p)
{
  json_object *plat = ferry_json_get_object (entry, "platform");

  if (plat == NULL)
    {
      plat = json_object_new_object ();
      json_object_object_add (entry, "platform", plat);
    }
  set_string (plat, "os", p->os);
  set_string (plat, "architecture", p->arch);
  set_string (plat, "variant", p->variant);
  set_string (plat, "os.version", p->os_version);
  if (p->features)
    json_object_object_add (plat, "features", strv_array (p->features));
  if (p->os_features)
    json_object_object_add (plat, "os.features", strv_array (p->os_features));
  if (p->annotations)
    {
      json_object *a = ferry_json_get_object (entry, "annotations");

      if (a == NULL)
        {
          a = json_object_new_object ();
          json_object_object_add (entry, "annotations", a);
        }
      json_object_object_foreach (p->annotations, k, v) json_object_object_add (a, k, json_object_get (v));
    }
}

static ssize_t
find_entry (json_object *entries, const char *digest)
{
  size_t i;

  for (i = 0; i < json_object_array_length (entries); i++)
    if (ferry_json_string_equals (json_object_array_get_idx (entries, i), "digest", digest))
      return (ssize_t) i;
  return -1;
}

/* The platform an image's config records.  */
static json_object *
config_platform (json_object *config)
{
  json_object *plat = json_object_new_object ();

  copy_member (plat, config, "architecture");
  copy_member (plat, config, "os");
  copy_member (plat, config, "os.version");
  copy_member (plat, config, "os.features");
  copy_member (plat, config, "variant");
  return plat;
}

char *
ferry_manifest_list_add_image (const char *list, const struct ferry_image *img,
                               const struct ferry_list_platform *p, ferry_error_t *err)
{
  cleanup_json json_object *m = parse_list (list, err);
  cleanup_json json_object *manifest = NULL;
  json_object *entries, *entry;
  const char *mt;
  ssize_t at;

  if (m == NULL)
    return NULL;
  manifest = ferry_json_parse (img->manifest, strlen (img->manifest), "image manifest", err);
  if (manifest == NULL)
    return NULL;
  mt = ferry_json_get_string (manifest, "mediaType");
  entries = ferry_json_get_array (m, "manifests");
  entry = json_object_new_object ();
  json_object_object_add (entry, "mediaType",
                          json_object_new_string (mt && *mt ? mt : FERRY_MEDIA_OCI_MANIFEST));
  json_object_object_add (entry, "size", json_object_new_int64 ((int64_t) strlen (img->manifest)));
  json_object_object_add (entry, "digest", json_object_new_string (img->manifest_digest));
  json_object_object_add (entry, "platform", config_platform (img->config));
  apply_platform (entry, p);
  {
    json_object *plat = ferry_json_get_object (entry, "platform");

    if (ferry_json_get_string (plat, "os") == NULL || ferry_json_get_string (plat, "architecture") == NULL)
      {
        json_object_put (entry);
        ferry_make_error (err, 0, "image %s records no OS or architecture: give them with --os and --arch",
                          img->manifest_digest);
        return NULL;
      }
  }
  at = find_entry (entries, img->manifest_digest);
  if (at >= 0)
    json_object_array_put_idx (entries, (size_t) at, entry);
  else
    json_object_array_add (entries, entry);
  return list_text (entries, ferry_json_get_object (m, "subject"), ferry_json_get_object (m, "annotations"),
                    NULL);
}

char *
ferry_manifest_list_annotate (const char *list, const char *digest, const struct ferry_list_platform *p,
                              json_object *annotations, ferry_error_t *err)
{
  cleanup_json json_object *m = parse_list (list, err);
  json_object *entries;

  if (m == NULL)
    return NULL;
  entries = ferry_json_get_array (m, "manifests");
  if (digest)
    {
      ssize_t at = find_entry (entries, digest);

      if (at < 0)
        {
          ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                 "no Docker manifest matching digest \"%s\" was found in list: no image "
                                 "instance matching the specified digest is in the list",
                                 digest);
          return NULL;
        }
      apply_platform (json_object_array_get_idx (entries, (size_t) at), p);
    }
  if (annotations)
    {
      json_object *a = index_annotations (m);
      json_object_object_foreach (annotations, k, v) json_object_object_add (a, k, json_object_get (v));
    }
  return list_text (entries, ferry_json_get_object (m, "subject"), ferry_json_get_object (m, "annotations"),
                    NULL);
}

char *
ferry_manifest_list_set_subject (const char *list, json_object *subject, ferry_error_t *err)
{
  cleanup_json json_object *m = parse_list (list, err);

  if (m == NULL)
    return NULL;
  return list_text (ferry_json_get_array (m, "manifests"), subject, ferry_json_get_object (m, "annotations"),
                    NULL);
}

char *
ferry_manifest_list_remove (const char *list, const char *digest, ferry_error_t *err)
{
  cleanup_json json_object *m = parse_list (list, err);
  json_object *entries;
  ssize_t at;

  if (m == NULL)
    return NULL;
  entries = ferry_json_get_array (m, "manifests");
  at = find_entry (entries, digest);
  if (at < 0)
    {
      ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                             "no instance matching digest \"%s\" found in manifest list", digest);
      return NULL;
    }
  json_object_array_del_idx (entries, (size_t) at, 1);
  return list_text (entries, ferry_json_get_object (m, "subject"), ferry_json_get_object (m, "annotations"),
                    NULL);
}

static bool
entry_is_zstd (json_object *e)
{
  return ferry_json_string_equals (ferry_json_get_object (e, "annotations"), FERRY_ANNOTATION_ZSTD, "true");
}

/* ENTRIES with the zstd-marked ones last, each group in its order.  */
static json_object *
zstd_last (json_object *entries)
{
  json_object *out = json_object_new_array ();
  size_t i, n = json_object_array_length (entries);

  for (int zstd = 0; zstd < 2; zstd++)
    for (i = 0; i < n; i++)
      {
        json_object *e = json_object_array_get_idx (entries, i);
        if (entry_is_zstd (e) == (zstd == 1))
          json_object_array_add (out, json_object_get (e));
      }
  return out;
}

static char *
convert (const char *list, const char *format, json_object *changed, json_object *added, bool for_push,
         ferry_error_t *err)
{
  cleanup_json json_object *m = parse_list (list, err);
  cleanup_json json_object *sorted = NULL;
  json_object *entries;
  const char *mt = NULL;
  size_t i;

  if (m == NULL)
    return NULL;
  entries = ferry_json_get_array (m, "manifests");
  for (i = 0; changed && i < json_object_array_length (entries); i++)
    {
      json_object *e = json_object_array_get_idx (entries, i);
      json_object *to = ferry_json_get_object (changed, ferry_json_get_string (e, "digest"));
      json_object *more = ferry_json_get_object (to, "annotations");

      if (to == NULL)
        continue;
      copy_member (e, to, "mediaType");
      copy_member (e, to, "size");
      copy_member (e, to, "digest");
      if (more)
        {
          json_object *a = ferry_json_get_object (e, "annotations");
          if (a == NULL)
            {
              a = json_object_new_object ();
              json_object_object_add (e, "annotations", a);
            }
          json_object_object_foreach (more, k, v) json_object_object_add (a, k, json_object_get (v));
        }
    }
  for (i = 0; added && i < json_object_array_length (added); i++)
    json_object_array_add (entries, json_object_get (json_object_array_get_idx (added, i)));
  if (format && strcmp (format, "oci") == 0)
    mt = FERRY_MEDIA_OCI_INDEX;
  else if (format)
    {
      mt = FERRY_MEDIA_DOCKER_LIST;
      for (i = 0; i < json_object_array_length (entries); i++)
        json_object_object_del (json_object_array_get_idx (entries, i), "annotations");
    }
  else
    mt = ferry_json_get_string (m, "mediaType");
  /* Copies with zstd layers are OCI images, which only an index lists.  */
  if (format == NULL && added && json_object_array_length (added) > 0)
    mt = FERRY_MEDIA_OCI_INDEX;
  if (for_push)
    for (i = 0; i < json_object_array_length (entries); i++)
      {
        json_object_object_del (json_object_array_get_idx (entries, i), FERRY_LIST_ARTIFACT_FILES);
        json_object_object_del (json_object_array_get_idx (entries, i), FERRY_LIST_ARTIFACT_MANIFEST);
      }
  if (for_push && (mt == NULL || strcmp (mt, FERRY_MEDIA_OCI_INDEX) == 0))
    entries = sorted = zstd_last (entries);
  return list_text (entries, ferry_json_get_object (m, "subject"), ferry_json_get_object (m, "annotations"),
                    mt);
}

char *
ferry_manifest_list_convert (const char *list, const char *format, json_object *changed, ferry_error_t *err)
{
  return convert (list, format, changed, NULL, false, err);
}

char *
ferry_manifest_list_for_push (const char *list, const char *format, json_object *changed, json_object *added,
                              ferry_error_t *err)
{
  return convert (list, format, changed, added, true, err);
}

char *
ferry_manifest_list_add_artifact_entry (const char *list, json_object *entry,
                                        const struct ferry_list_platform *p, json_object *subject,
                                        ferry_error_t *err)
{
  cleanup_json json_object *m = parse_list (list, err);
  json_object *entries, *e = NULL;
  ssize_t at;

  if (m == NULL)
    return NULL;
  entries = ferry_json_get_array (m, "manifests");
  if (json_object_deep_copy (entry, &e, NULL) < 0)
    abort ();
  /* A platform only when one is given, as Podman records an artifact.  */
  if (p->os || p->arch || p->variant || p->os_version || p->features || p->os_features)
    apply_platform (e, p);
  else if (p->annotations)
    {
      struct ferry_list_platform only = { .annotations = p->annotations };
      apply_platform (e, &only);
      json_object_object_del (e, "platform");
    }
  at = find_entry (entries, ferry_json_get_string (e, "digest"));
  if (at >= 0)
    json_object_array_put_idx (entries, (size_t) at, e);
  else
    json_object_array_add (entries, e);
  return list_text (entries, subject ? subject : ferry_json_get_object (m, "subject"),
                    ferry_json_get_object (m, "annotations"), NULL);
}

json_object *
ferry_manifest_list_inspect (const char *list, ferry_error_t *err)
{
  json_object *m = parse_list (list, err);
  json_object *entries;

  if (m == NULL)
    return NULL;
  entries = ferry_json_get_array (m, "manifests");
  for (size_t i = 0; i < json_object_array_length (entries); i++)
    json_object_array_put_idx (entries, i, displayed_entry (json_object_array_get_idx (entries, i)));
  if (ferry_json_get_object (m, "subject"))
    json_object_object_add (m, "subject", displayed_entry (ferry_json_get_object (m, "subject")));
  /* Podman shows an artifact's entry with an empty platform and the
   * paths of its files; the manifest it keeps apart.  */
  for (size_t i = 0; i < json_object_array_length (entries); i++)
    {
      json_object *e = json_object_array_get_idx (entries, i);

      json_object_object_del (e, FERRY_LIST_ARTIFACT_MANIFEST);
      if (ferry_json_get_object (e, "platform") == NULL)
        {
          cleanup_json json_object *rest = json_object_new_object ();
          json_object *plat = json_object_new_object ();
          json_object_object_add (plat, "architecture", json_object_new_string (""));
          json_object_object_add (plat, "os", json_object_new_string (""));
          /* In its place: after the digest.  */
          json_object_object_foreach (e, k, v) if (strcmp (k, "mediaType") != 0 && strcmp (k, "size") != 0
                                                   && strcmp (k, "digest") != 0)
              json_object_object_add (rest, k, json_object_get (v));
          json_object_object_foreach (rest, k2, v2)
          {
            (void) v2;
            json_object_object_del (e, k2);
          }
          json_object_object_add (e, "platform", plat);
          json_object_object_foreach (rest, k3, v3) json_object_object_add (e, k3, json_object_get (v3));
        }
    }
  if (json_object_array_length (entries) == 0)
    json_object_object_add (m, "manifests", NULL);
  /* Podman shows a subject with an empty platform it does not store.  */
  if (ferry_json_get_object (m, "subject")
      && ! ferry_json_get_object (ferry_json_get_object (m, "subject"), "platform"))
    {
      json_object *plat = json_object_new_object ();
      json_object_object_add (plat, "architecture", json_object_new_string (""));
      json_object_object_add (plat, "os", json_object_new_string (""));
      json_object_object_add (ferry_json_get_object (m, "subject"), "platform", plat);
    }
  return m;
}
