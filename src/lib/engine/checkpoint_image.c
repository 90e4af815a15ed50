/* ferry: checkpoint images (checkpoint_image.h).  */
#include "checkpoint_image.h"
#include "info.h"
#include "internal.h"
#include "../image/load.h"
#include "../image/schema.h"
#include "../runtime/conmon.h"
#include "../runtime/runtime.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

bool
ferry_checkpoint_image_is (const struct ferry_image *img)
{
  cleanup_json json_object *m = img->manifest ? json_tokener_parse (img->manifest) : NULL;

  return ferry_image_manifest_is_checkpoint (m);
}

/* "4.2.1" as CRIU's own number, 40201, which Podman writes.  */
static char *
criu_version_number (const char *v)
{
  unsigned major = 0, minor = 0, sub = 0;

  if (v == NULL || sscanf (v, "%u.%u.%u", &major, &minor, &sub) < 2 || major > 99 || minor > 99 || sub > 99)
    return NULL;
  return xasprintf ("%u", major * 10000 + minor * 100 + sub);
}

static void
add (json_object *o, const char *key, const char *value)
{
  if (value)
    json_object_object_add (o, key, json_object_new_string (value));
}

/* What PROGRAM says to --version, its lines joined with ", " (conmon's
 * "conmon version 2.1.12, commit: unknown", as Podman records it).  */
static char *
version_one_line (const char *program)
{
  cleanup_free char *version = program ? ferry_program_version (program, NULL) : NULL;
  char *joined = xstrdup ("");

  for (char *save = NULL, *l = version ? strtok_r (version, "\n", &save) : NULL; l;
       l = strtok_r (NULL, "\n", &save))
    {
      char *more = xasprintf ("%s%s%s", joined, *joined ? ", " : "", l);
      free (joined);
      joined = more;
    }
  return joined;
}

json_object *
ferry_checkpoint_image_annotations (ferry_engine_t *e, const struct ferry_container *c,
                                    const char *criu_version)
{
  json_object *a = json_object_new_object ();
  const char *image = ferry_json_get_string (c->record, "ImageName");
  cleanup_free char *criu = criu_version_number (criu_version);
  struct utsname u;
  struct statfs fs;
  const char *cgroups = statfs ("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC ? "v2" : "v1";
  const char *kernel = uname (&u) == 0 ? u.release : NULL;
  static const char *const prefixes[]
      = { "io.podman.annotations.checkpoint", "io.kubernetes.cri-o.annotations.checkpoint", NULL };

  for (size_t i = 0; prefixes[i]; i++)
    {
      cleanup_free char *name = xasprintf ("%s.name", prefixes[i]);
      cleanup_free char *raw = xasprintf ("%s.rawImageName", prefixes[i]);
      cleanup_free char *id = xasprintf ("%s.rootfsImageID", prefixes[i]);
      cleanup_free char *iname = xasprintf ("%s.rootfsImageName", prefixes[i]);
      cleanup_free char *cv = xasprintf ("%s.criu.version", prefixes[i]);

      add (a, name, c->name);
      add (a, raw, image);
      add (a, id, c->image_id);
      add (a, iname, image);
      add (a, cv, criu);
    }
  add (a, "io.podman.annotations.checkpoint.runtime.name", ferry_engine_runtime_or_own (e, c)->name);
  /* The rest of Podman's: the helpers' versions and the distribution;
   * the base image's name and digest Podman leaves empty.  */
  {
    cleanup_free char *conmon = ferry_conmon_path ();
    cleanup_free char *conmon_version = version_one_line (conmon);
    cleanup_free char *runtime_version
        = ferry_program_version (ferry_engine_runtime_or_own (e, c)->path, NULL);
    cleanup_free char *distribution = ferry_engine_os_release ("ID");
    cleanup_free char *distribution_version = ferry_engine_os_release ("VERSION_ID");

    add (a, "io.podman.annotations.checkpoint.conmon.version", conmon_version);
    add (a, "io.podman.annotations.checkpoint.runtime.version", runtime_version ? runtime_version : "");
    add (a, "io.podman.annotations.checkpoint.distribution.name", distribution);
    add (a, "io.podman.annotations.checkpoint.distribution.version", distribution_version);
    add (a, "org.opencontainers.image.base.digest", "");
    add (a, "org.opencontainers.image.base.name", "");
  }
  add (a, "io.podman.annotations.checkpoint.host.arch", ferry_image_host_arch ());
  add (a, "io.podman.annotations.checkpoint.host.kernel", kernel);
  add (a, "io.podman.annotations.checkpoint.cgroups.version", cgroups);
  add (a, "org.criu.checkpoint.engine.name", "ferry");
  add (a, "org.criu.checkpoint.engine.version", FERRY_VERSION);
  add (a, "org.criu.checkpoint.container.name", c->name);
  add (a, "org.criu.checkpoint.rootfsImageName", image);
  add (a, "org.criu.checkpoint.rootfsImageID", c->image_id);
  add (a, "org.criu.checkpoint.runtime.name", ferry_engine_runtime_or_own (e, c)->name);
  add (a, "org.criu.checkpoint.criu.version", criu);
  add (a, "org.criu.checkpoint.host.arch", ferry_image_host_arch ());
  add (a, "org.criu.checkpoint.host.kernel", kernel);
  add (a, "org.criu.checkpoint.cgroup.version", cgroups);
  return a;
}

int
ferry_checkpoint_image_commit (ferry_engine_t *e, const struct ferry_container *c, const char *name,
                               const char *archive, const char *criu_version, ferry_error_t *err)
{
  cleanup_json json_object *annotations = ferry_checkpoint_image_annotations (e, c, criu_version);
  cleanup_free char *source = xasprintf ("checkpoint of container %s", c->name);
  cleanup_free char *id = NULL;

  if (ferry_image_import_file (e->store, archive, name, annotations, source, FERRY_IMPORT_BLOB_ONLY, &id, err)
      < 0)
    return ferry_error_wrap (err, "cannot create checkpoint image %s", name);
  return 0;
}

int
ferry_checkpoint_image_blob (ferry_engine_t *e, const char *ref, char **blob, ferry_error_t *err)
{
  struct ferry_image *img = NULL;
  cleanup_json json_object *m = NULL;
  json_object *layers;
  const char *digest;
  char diff_id[FERRY_DIGEST_LEN + 1];
  int ret = 0;

  *blob = NULL;
  if (ferry_store_lookup (e->store, ref, &img, err) < 0)
    {
      ferry_error_release (err);
      return 0;
    }
  m = img->manifest ? json_tokener_parse (img->manifest) : NULL;
  if (! ferry_image_manifest_is_checkpoint (m))
    goto out;
  layers = ferry_json_get_array (m, "layers");
  digest = ferry_json_array_length (layers) == 1
               ? ferry_json_get_string (json_object_array_get_idx (layers, 0), "digest")
               : NULL;
  if (digest == NULL || ! ferry_digest_is_valid (digest))
    {
      ret = ferry_make_error (err, 0,
                              "image %s has checkpoint annotations but %zu layers: a checkpoint image has "
                              "one, its archive",
                              ref, ferry_json_array_length (layers));
      goto out;
    }
  if (! ferry_store_has_blob_stored (e->store, digest, diff_id))
    {
      ret = ferry_make_error (
          err, 0, "the archive of checkpoint image %s is not stored here: pull it again (ferry pull %s)", ref,
          ref);
      goto out;
    }
  *blob = ferry_store_blob_path (e->store, digest);
  ret = 1;
out:
  ferry_image_free (img);
  return ret;
}

int
ferry_checkpoint_image_find (ferry_engine_t *e, const char *ref, const char *policy,
                             const struct ferry_transfer_options *pull, char **blob, char **why,
                             ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  struct ferry_image *img = NULL;
  int local, found;

  *blob = *why = NULL;
  if (ferry_container_lookup (e, ref, &c, err) == 0)
    {
      ferry_container_free (c);
      return 0;
    }
  ferry_error_release (err);
  local = ferry_store_lookup (e->store, ref, &img, err) == 0;
  ferry_image_free (img);
  ferry_error_release (err);
  if (strcmp (policy, "always") == 0 || (! local && strcmp (policy, "missing") == 0))
    {
      cleanup_free char *id = NULL;

      if (ferry_image_pull (e->store, ref, pull, &id, err) < 0)
        {
          *why = xasprintf ("pulling it failed: %s", (*err)->msg);
          ferry_error_release (err);
          return 0;
        }
    }
  found = ferry_checkpoint_image_blob (e, ref, blob, err);
  if (found != 0)
    return found;
  if (ferry_store_lookup (e->store, ref, &img, err) == 0)
    {
      /* Podman's words for an image of another kind.  */
      ferry_make_error (err, 0, "image is not a checkpoint: %s", img->id);
      ferry_image_free (img);
      return -1;
    }
  ferry_error_release (err);
  *why = xstrdup ("");
  return 0;
}
