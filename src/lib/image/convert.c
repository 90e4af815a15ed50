/* ferry: a manifest in the other schema (see convert.h).  */
#include "convert.h"
#include "media.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <string.h>

#define DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define OCI_CONFIG "application/vnd.oci.image.config.v1+json"

/* Each layer type in the two schemas, the same bytes under either name;
 * NULL where a schema has no name for it.  */
static const struct
{
  const char *oci, *docker;
} LAYER_TYPES[] = {
  { "application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.docker.image.rootfs.diff.tar.gzip" },
  { "application/vnd.oci.image.layer.v1.tar", "application/vnd.docker.image.rootfs.diff.tar" },
  { "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" },
  { "application/vnd.oci.image.layer.v1.tar+zstd", NULL },
  { "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", NULL },
  { "application/vnd.oci.image.layer.nondistributable.v1.tar", NULL },
};

int
ferry_manifest_format_parse (const char *format, const char **out, ferry_error_t *err)
{
  *out = NULL;
  if (format[0] == '\0')
    return 0;
  if (strcmp (format, "oci") == 0 || strcmp (format, "v2s2") == 0 || strcmp (format, "docker") == 0)
    {
      *out = format[0] == 'o' ? "oci" : "v2s2";
      return 0;
    }
  if (strcmp (format, "v2s1") == 0)
    return ferry_make_error (err, 0,
                             "ferry does not write the v2s1 format (Docker's old signed schema 1): "
                             "use --format v2s2 or oci");
  return ferry_make_error (
      err, 0, "unknown format \"%s\". Choose on of the supported formats: 'oci' or 'v2s2'", format);
}

/* LAYER's media type in the schema TO_DOCKER says; NULL and ERR when it
 * has none there.  */
static const char *
layer_type (const char *mt, int to_docker, ferry_error_t *err)
{
  for (size_t i = 0; mt && i < sizeof (LAYER_TYPES) / sizeof (LAYER_TYPES[0]); i++)
    {
      const char *from = to_docker ? LAYER_TYPES[i].oci : LAYER_TYPES[i].docker;
      const char *to = to_docker ? LAYER_TYPES[i].docker : LAYER_TYPES[i].oci;

      if (from == NULL || strcmp (mt, from) != 0)
        continue;
      if (to == NULL)
        {
          ferry_make_error (err, 0, "a layer of type %s has no v2s2 type: push it with --format oci", mt);
          return NULL;
        }
      return to;
    }
  ferry_make_error (err, 0, "a layer of type %s cannot be converted", mt ? mt : "(none)");
  return NULL;
}

/* A descriptor {mediaType, digest, size} in its schema's order: Docker's
 * tools write the size before the digest, OCI's after.  */
static json_object *
descriptor (const char *mt, json_object *from, int docker)
{
  json_object *d = json_object_new_object ();
  json_object *digest = json_object_object_get (from, "digest"),
              *size = json_object_object_get (from, "size");

  json_object_object_add (d, "mediaType", json_object_new_string (mt));
  if (docker)
    json_object_object_add (d, "size", json_object_get (size));
  json_object_object_add (d, "digest", json_object_get (digest));
  if (! docker)
    json_object_object_add (d, "size", json_object_get (size));
  return d;
}

char *
ferry_manifest_convert (const char *manifest, const char *format, int *same, ferry_error_t *err)
{
  cleanup_json json_object *m = ferry_json_parse (manifest, strlen (manifest), "the stored manifest", err);
  cleanup_json json_object *out = NULL;
  int to_docker;
  const char *mt, *known = NULL;
  json_object *config, *layers, *new_layers;

  *same = 0;
  if (m == NULL || ferry_manifest_format_parse (format, &known, err) < 0)
    return NULL;
  if (known == NULL)
    {
      ferry_make_error (err, 0, "no format to convert the manifest to");
      return NULL;
    }
  to_docker = strcmp (known, "v2s2") == 0;
  mt = ferry_json_get_string (m, "mediaType");
  config = ferry_json_get_object (m, "config");
  layers = ferry_json_get_array (m, "layers");
  if (config == NULL || layers == NULL)
    {
      ferry_make_error (err, 0, "the stored manifest has no config or no layers");
      return NULL;
    }
  /* An OCI manifest may leave its mediaType out.  */
  if (strcmp (mt ? mt : FERRY_MEDIA_OCI_MANIFEST,
              to_docker ? FERRY_MEDIA_DOCKER_MANIFEST : FERRY_MEDIA_OCI_MANIFEST)
      == 0)
    {
      *same = 1;
      return NULL;
    }
  out = json_object_new_object ();
  json_object_object_add (out, "schemaVersion", json_object_new_int (2));
  json_object_object_add (
      out, "mediaType",
      json_object_new_string (to_docker ? FERRY_MEDIA_DOCKER_MANIFEST : FERRY_MEDIA_OCI_MANIFEST));
  json_object_object_add (out, "config",
                          descriptor (to_docker ? DOCKER_CONFIG : OCI_CONFIG, config, to_docker));
  new_layers = json_object_new_array ();
  json_object_object_add (out, "layers", new_layers);
  for (size_t i = 0; i < json_object_array_length (layers); i++)
    {
      json_object *l = json_object_array_get_idx (layers, i);
      const char *t = layer_type (ferry_json_get_string (l, "mediaType"), to_docker, err);

      if (t == NULL)
        return NULL;
      json_object_array_add (new_layers, descriptor (t, l, to_docker));
    }
  return xstrdup (
      json_object_to_json_string_ext (out, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}
