#include "schema.h"
#include "registry.h"
#include "../util/cleanup.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*check_fn) (json_object *v, const char *field, ferry_error_t *err);

static int refuse (ferry_error_t *err, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

static int
refuse (ferry_error_t *err, const char *field, const char *fmt, ...)
{
  cleanup_free char *problem = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&problem, fmt, ap) < 0)
    abort ();
  va_end (ap);
  return ferry_make_error (err, 0, "field `%s` %s", field, problem);
}

/* ---- values ----------------------------------------------------------------- */

static int
check_object (json_object *v, const char *field, ferry_error_t *err)
{
  if (! json_object_is_type (v, json_type_object))
    return refuse (err, field, "must be an object, not %s", ferry_json_type_name (v));
  return 0;
}

static int
check_string (json_object *v, const char *field, ferry_error_t *err)
{
  if (! json_object_is_type (v, json_type_string))
    return refuse (err, field, "must be a string, not %s", ferry_json_type_name (v));
  if (ferry_json_string_value (v) == NULL)
    return refuse (err, field, "holds a NUL byte");
  return 0;
}

static int
check_bool (json_object *v, const char *field, ferry_error_t *err)
{
  if (! json_object_is_type (v, json_type_boolean))
    return refuse (err, field, "must be true or false, not %s", ferry_json_type_name (v));
  return 0;
}

static int
check_digest (json_object *v, const char *field, ferry_error_t *err)
{
  cleanup_free char *shown = NULL;

  if (check_string (v, field, err) < 0)
    return -1;
  if (ferry_digest_is_valid (json_object_get_string (v)))
    return 0;
  shown = ferry_registry_printable (json_object_get_string (v));
  return refuse (err, field, "must be a sha256 digest (sha256: and 64 lowercase hex digits), not `%s`",
                 shown);
}

static int
check_size (json_object *v, const char *field, ferry_error_t *err)
{
  if (! json_object_is_type (v, json_type_int))
    return refuse (err, field, "must be a size in bytes (an integer), not %s", ferry_json_type_name (v));
  if (json_object_get_int64 (v) < 0)
    return refuse (err, field, "must be a size in bytes, not %lld", (long long) json_object_get_int64 (v));
  return 0;
}

static int
check_schema_version (json_object *v, const char *field, ferry_error_t *err)
{
  if (! json_object_is_type (v, json_type_int))
    return refuse (err, field, "must be 2, not %s", ferry_json_type_name (v));
  if (json_object_get_int64 (v) != 2)
    return refuse (err, field, "must be 2, not %lld", (long long) json_object_get_int64 (v));
  return 0;
}

/* V must be an array, each item passing ITEM; OF says of what, for the
 * message ("strings").  */
static int
check_array (json_object *v, const char *field, check_fn item, const char *of, ferry_error_t *err)
{
  size_t i;

  if (! json_object_is_type (v, json_type_array))
    return refuse (err, field, "must be an array of %s, not %s", of, ferry_json_type_name (v));
  for (i = 0; i < json_object_array_length (v); i++)
    {
      cleanup_free char *path = xasprintf ("%s[%zu]", field, i);

      if (item (json_object_array_get_idx (v, i), path, err) < 0)
        return -1;
    }
  return 0;
}

static int
check_strings (json_object *v, const char *field, ferry_error_t *err)
{
  return check_array (v, field, check_string, "strings", err);
}

static int
check_digests (json_object *v, const char *field, ferry_error_t *err)
{
  return check_array (v, field, check_digest, "digests", err);
}

/* An object whose members are all strings (annotations, labels).  */
static int
check_string_map (json_object *v, const char *field, ferry_error_t *err)
{
  if (! json_object_is_type (v, json_type_object))
    return refuse (err, field, "must be an object of strings, not %s", ferry_json_type_name (v));
  json_object_object_foreach (v, key, value)
  {
    cleanup_free char *shown = ferry_registry_printable (key);
    cleanup_free char *path = xasprintf ("%s.%s", field, shown);

    if (check_string (value, path, err) < 0)
      return -1;
  }
  return 0;
}

/* ---- members ---------------------------------------------------------------- */

/* Checks member KEY of OBJ (which is at FIELD, "" for the top) with CHECK.
 * A missing or null member passes unless REQUIRED.  */
static int
check_member (json_object *obj, const char *field, const char *key, int required, check_fn check,
              ferry_error_t *err)
{
  cleanup_free char *path = *field ? xasprintf ("%s.%s", field, key) : xstrdup (key);
  json_object *v = NULL;

  if (! json_object_object_get_ex (obj, key, &v) || v == NULL)
    return required ? refuse (err, path, "is missing") : 0;
  return check (v, path, err);
}

#define REQUIRED 1
#define OPTIONAL 0

/* The whole document must be an object: members are looked up in it.  */
static int
check_document (json_object *doc, ferry_error_t *err)
{
  if (! json_object_is_type (doc, json_type_object))
    return ferry_make_error (err, 0, "must be a JSON object, not %s", ferry_json_type_name (doc));
  return 0;
}

/* ---- descriptors ------------------------------------------------------------ */

static int
check_descriptor_common (json_object *v, const char *field, ferry_error_t *err)
{
  if (check_object (v, field, err) < 0 || check_member (v, field, "size", REQUIRED, check_size, err) < 0
      || check_member (v, field, "annotations", OPTIONAL, check_string_map, err) < 0)
    return -1;
  return 0;
}

/* The config and layers of a manifest: every one is fetched, so every
 * digest must be one ferry can verify.  */
static int
check_manifest_descriptor (json_object *v, const char *field, ferry_error_t *err)
{
  if (check_descriptor_common (v, field, err) < 0
      || check_member (v, field, "mediaType", REQUIRED, check_string, err) < 0
      || check_member (v, field, "digest", REQUIRED, check_digest, err) < 0)
    return -1;
  return 0;
}

static int
check_platform (json_object *v, const char *field, ferry_error_t *err)
{
  if (check_object (v, field, err) < 0 || check_member (v, field, "os", REQUIRED, check_string, err) < 0
      || check_member (v, field, "architecture", REQUIRED, check_string, err) < 0
      || check_member (v, field, "variant", OPTIONAL, check_string, err) < 0)
    return -1;
  return 0;
}

static int
check_index_entry (json_object *v, const char *field, ferry_error_t *err)
{
  if (check_descriptor_common (v, field, err) < 0
      || check_member (v, field, "mediaType", OPTIONAL, check_string, err) < 0
      || check_member (v, field, "digest", REQUIRED, check_string, err) < 0
      || check_member (v, field, "platform", OPTIONAL, check_platform, err) < 0)
    return -1;
  return 0;
}

static int
check_index_entries (json_object *v, const char *field, ferry_error_t *err)
{
  return check_array (v, field, check_index_entry, "descriptors", err);
}

static int
check_layer_descriptors (json_object *v, const char *field, ferry_error_t *err)
{
  return check_array (v, field, check_manifest_descriptor, "descriptors", err);
}

int
ferry_image_check_index (json_object *index, ferry_error_t *err)
{
  if (check_document (index, err) < 0
      || check_member (index, "", "schemaVersion", REQUIRED, check_schema_version, err) < 0
      || check_member (index, "", "mediaType", OPTIONAL, check_string, err) < 0
      || check_member (index, "", "manifests", REQUIRED, check_index_entries, err) < 0
      || check_member (index, "", "annotations", OPTIONAL, check_string_map, err) < 0)
    return -1;
  return 0;
}

int
ferry_image_check_manifest (json_object *manifest, ferry_error_t *err)
{
  if (check_document (manifest, err) < 0
      || check_member (manifest, "", "schemaVersion", REQUIRED, check_schema_version, err) < 0
      || check_member (manifest, "", "mediaType", OPTIONAL, check_string, err) < 0
      || check_member (manifest, "", "config", REQUIRED, check_manifest_descriptor, err) < 0
      || check_member (manifest, "", "layers", REQUIRED, check_layer_descriptors, err) < 0
      || check_member (manifest, "", "annotations", OPTIONAL, check_string_map, err) < 0)
    return -1;
  return 0;
}

/* ---- the image config ----------------------------------------------------------- */

static int
check_layers_word (json_object *v, const char *field, ferry_error_t *err)
{
  cleanup_free char *shown = NULL;

  if (check_string (v, field, err) < 0)
    return -1;
  if (strcmp (json_object_get_string (v), "layers") == 0)
    return 0;
  shown = ferry_registry_printable (json_object_get_string (v));
  return refuse (err, field, "must be \"layers\", not `%s`", shown);
}

static int
check_rootfs (json_object *v, const char *field, ferry_error_t *err)
{
  if (check_object (v, field, err) < 0
      || check_member (v, field, "type", OPTIONAL, check_layers_word, err) < 0
      || check_member (v, field, "diff_ids", REQUIRED, check_digests, err) < 0)
    return -1;
  return 0;
}

/* What a container is made from (Docker's ContainerConfig subset in the
 * OCI config's "config").  */
static int
check_container_config (json_object *v, const char *field, ferry_error_t *err)
{
  static const char *const string_lists[] = { "Env", "Cmd", "Entrypoint" };
  static const char *const strings[] = { "User", "WorkingDir", "StopSignal" };
  static const char *const objects[] = { "ExposedPorts", "Volumes" };
  size_t i;

  if (check_object (v, field, err) < 0)
    return -1;
  for (i = 0; i < sizeof (string_lists) / sizeof (string_lists[0]); i++)
    if (check_member (v, field, string_lists[i], OPTIONAL, check_strings, err) < 0)
      return -1;
  for (i = 0; i < sizeof (strings) / sizeof (strings[0]); i++)
    if (check_member (v, field, strings[i], OPTIONAL, check_string, err) < 0)
      return -1;
  for (i = 0; i < sizeof (objects) / sizeof (objects[0]); i++)
    if (check_member (v, field, objects[i], OPTIONAL, check_object, err) < 0)
      return -1;
  return check_member (v, field, "Labels", OPTIONAL, check_string_map, err);
}

static int
check_history_entry (json_object *v, const char *field, ferry_error_t *err)
{
  static const char *const strings[] = { "created", "created_by", "author", "comment" };
  size_t i;

  if (check_object (v, field, err) < 0)
    return -1;
  for (i = 0; i < sizeof (strings) / sizeof (strings[0]); i++)
    if (check_member (v, field, strings[i], OPTIONAL, check_string, err) < 0)
      return -1;
  return check_member (v, field, "empty_layer", OPTIONAL, check_bool, err);
}

static int
check_history (json_object *v, const char *field, ferry_error_t *err)
{
  return check_array (v, field, check_history_entry, "objects", err);
}

int
ferry_image_check_config (json_object *config, ferry_error_t *err)
{
  static const char *const strings[] = { "created", "author", "architecture", "os", "variant" };
  size_t i;

  if (check_document (config, err) < 0)
    return -1;
  for (i = 0; i < sizeof (strings) / sizeof (strings[0]); i++)
    if (check_member (config, "", strings[i], OPTIONAL, check_string, err) < 0)
      return -1;
  if (check_member (config, "", "config", OPTIONAL, check_container_config, err) < 0
      || check_member (config, "", "rootfs", REQUIRED, check_rootfs, err) < 0
      || check_member (config, "", "history", OPTIONAL, check_history, err) < 0)
    return -1;
  return 0;
}

/* ---- docker-archive ------------------------------------------------------------ */

static int
check_docker_entry (json_object *v, const char *field, ferry_error_t *err)
{
  if (check_object (v, field, err) < 0 || check_member (v, field, "Config", REQUIRED, check_string, err) < 0
      || check_member (v, field, "Layers", REQUIRED, check_strings, err) < 0
      || check_member (v, field, "RepoTags", OPTIONAL, check_strings, err) < 0)
    return -1;
  return 0;
}

int
ferry_image_check_docker_manifest (json_object *list, ferry_error_t *err)
{
  size_t i;

  if (! json_object_is_type (list, json_type_array))
    return ferry_make_error (err, 0, "must be a list of images, not %s", ferry_json_type_name (list));
  for (i = 0; i < json_object_array_length (list); i++)
    {
      cleanup_free char *path = xasprintf ("[%zu]", i);

      if (check_docker_entry (json_object_array_get_idx (list, i), path, err) < 0)
        return -1;
    }
  return 0;
}

/* The annotations by which each engine knows a checkpoint image: Podman
 * (its restore and run look for the runtime's name), CRI-O and
 * checkpointctl.  */
static const char *const CHECKPOINT_MARKERS[]
    = { "io.podman.annotations.checkpoint.runtime.name", "io.kubernetes.cri-o.annotations.checkpoint.name",
        "org.criu.checkpoint.container.name", NULL };

bool
ferry_image_manifest_is_checkpoint (json_object *manifest)
{
  json_object *ann = ferry_json_get_object (manifest, "annotations");

  for (size_t i = 0; CHECKPOINT_MARKERS[i]; i++)
    if (ferry_json_get_string (ann, CHECKPOINT_MARKERS[i]))
      return true;
  return false;
}
