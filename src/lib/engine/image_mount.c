/* ferry engine: --mount type=image (image_mount.h).  */
#include "image_mount.h"
#include "../image/store.h"
#include "../storage/overlay.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

int
ferry_image_mount_record (ferry_engine_t *e, const struct ferry_mount_spec *m, json_object **out,
                          ferry_error_t *err)
{
  struct ferry_image *img = NULL;
  json_object *mj;

  if (ferry_store_lookup (e->store, m->source, &img, err) < 0)
    {
      ferry_error_release (err);
      return ferry_make_error (err, 0,
                               "creating image volume \"%s\":\"%s\": %s: image not known: pull it first",
                               m->source, m->destination, m->source);
    }
  mj = json_object_new_object ();
  json_object_object_add (mj, "Type", json_object_new_string ("image"));
  json_object_object_add (mj, "Source", json_object_new_string (img->id));
  json_object_object_add (mj, "ImageName", json_object_new_string (m->source));
  json_object_object_add (mj, "Destination", json_object_new_string (m->destination));
  json_object_object_add (mj, "RW", json_object_new_boolean (! m->readonly));
  if (m->subpath)
    json_object_object_add (mj, "SubPath", json_object_new_string (m->subpath));
  ferry_image_free (img);
  *out = mj;
  return 0;
}

static char *
overlay_dir (ferry_engine_t *e, const struct ferry_container *c, size_t index)
{
  cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
  return xasprintf ("%s/image-mounts/%zu", cdir, index);
}

int
ferry_image_mounts_mount (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err)
{
  json_object *mounts = ferry_json_get_array (c->record, "Mounts");

  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      const char *id = ferry_json_get_string (m, "Source");
      cleanup_free char *dir = NULL;
      cleanup_strv char **lowers = NULL;
      struct ferry_image *img = NULL;
      struct ferry_overlay ov = { 0 };
      int rc;

      if (! ferry_json_string_equals (m, "Type", "image"))
        continue;
      if (id == NULL || ferry_store_lookup (e->store, id, &img, err) < 0)
        {
          ferry_error_release (err);
          return ferry_make_error (
              err, 0,
              "the image %s that container %s mounts at %s is not in the store: pull it, "
              "or remove the container",
              ferry_json_get_string (m, "ImageName"), c->name, ferry_json_get_string (m, "Destination"));
        }
      lowers = ferry_store_image_layer_paths (e->store, img);
      dir = overlay_dir (e, c, i);
      rc = ferry_overlay_create (dir, &ov, err);
      if (rc == 0 && ! ferry_overlay_is_mounted (&ov))
        rc = ferry_overlay_mount (&ov, (const char *const *) lowers, img->n_layers, err);
      ferry_overlay_free (&ov);
      ferry_image_free (img);
      if (rc < 0)
        return ferry_error_wrap (err, "cannot mount image %s for container %s",
                                 ferry_json_get_string (m, "ImageName"), c->name);
    }
  return 0;
}

int
ferry_image_mount_source (ferry_engine_t *e, const struct ferry_container *c, size_t index, json_object *m,
                          char **out, ferry_error_t *err)
{
  cleanup_free char *dir = overlay_dir (e, c, index);
  const char *subpath = ferry_json_get_string (m, "SubPath");
  cleanup_close int root = -1, fd = -1;
  cleanup_free char *link = NULL;
  struct ferry_overlay ov;
  char real[PATH_MAX];
  ssize_t n;

  ferry_overlay_paths (dir, &ov);
  if (subpath == NULL)
    {
      *out = xstrdup (ov.merged);
      ferry_overlay_free (&ov);
      return 0;
    }
  root = open (ov.merged, O_PATH | O_DIRECTORY | O_CLOEXEC);
  ferry_overlay_free (&ov);
  if (root < 0)
    return ferry_make_error (err, errno, "cannot open the image mounted at %s",
                             ferry_json_get_string (m, "Destination"));
  /* Inside the image, whatever its symlinks say.  */
  fd = ferry_openat2 (root, subpath, O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (fd < 0)
    return ferry_make_error (err, errno, "subpath \"/%s\" of image %s", subpath,
                             ferry_json_get_string (m, "ImageName"));
  link = xasprintf ("/proc/self/fd/%d", fd);
  n = readlink (link, real, sizeof (real) - 1);
  if (n < 0)
    return ferry_make_error (err, errno, "cannot resolve subpath \"/%s\" of image %s", subpath,
                             ferry_json_get_string (m, "ImageName"));
  real[n] = '\0';
  *out = xstrdup (real);
  return 0;
}

void
ferry_image_mounts_unmount (ferry_engine_t *e, const struct ferry_container *c)
{
  json_object *mounts = ferry_json_get_array (c->record, "Mounts");

  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      cleanup_free char *dir = NULL;
      struct ferry_overlay ov;
      ferry_error_t err = NULL;

      if (! ferry_json_string_equals (json_object_array_get_idx (mounts, i), "Type", "image"))
        continue;
      dir = overlay_dir (e, c, i);
      ferry_overlay_paths (dir, &ov);
      if (ferry_overlay_unmount (&ov, &err) < 0)
        ferry_error_release (&err);
      ferry_overlay_free (&ov);
    }
}

int
ferry_image_mounts_check_portable (const struct ferry_container *c, ferry_error_t *err)
{
  json_object *mounts = ferry_json_get_array (c->record, "Mounts");

  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);

      if (ferry_json_string_equals (m, "Type", "image")
          && json_object_get_boolean (json_object_object_get (m, "RW")))
        return ferry_make_error_kind (err, FERRY_ERROR_STATE,
                                      "container %s writes to the image it mounts at %s (--mount type=image,"
                                      "rw=true), and an archive cannot carry those changes: checkpoint it in "
                                      "place",
                                      c->name, ferry_json_get_string (m, "Destination"));
    }
  return 0;
}
