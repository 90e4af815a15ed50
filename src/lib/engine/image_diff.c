/* ferry: `image diff` (see image_diff.h).  The layers are stored as
 * overlay lower dirs (whiteouts as overlayfs marks them), so the top one
 * reads as an upper dir over the others.  */
#include "image_diff.h"
#include "internal.h"
#include "../image/store.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Whether PATH (inside the layer at LAYER) is a directory the layer made
 * opaque: it replaced the one below rather than changing it.  */
static int
opaque_in (const char *layer, const char *path)
{
  cleanup_free char *full = xasprintf ("%s%s", layer, path);
  char v[2] = { 0 };

  return lgetxattr (full, "trusted.overlay.opaque", v, sizeof (v)) == 1 && v[0] == 'y';
}

/* As Podman lists a layer: a directory the layer made opaque is deleted
 * (the one below) and what it holds is added; the lower files it hid are
 * not listed one by one.  */
static void
podman_opaque_dirs (const char *layer, struct ferry_changes *ch)
{
  const char *opaque = NULL;
  size_t i, k = 0, len = 0;

  for (i = 0; i < ch->n; i++)
    {
      struct ferry_change *c = &ch->items[i];

      if (opaque && strncmp (c->path, opaque, len) == 0 && c->path[len] == '/'
          && c->kind == FERRY_CHANGE_DELETED)
        {
          free (c->path);
          continue;
        }
      if (opaque == NULL || strncmp (c->path, opaque, len) != 0 || c->path[len] != '/')
        opaque = NULL;
      if (c->kind == FERRY_CHANGE_MODIFIED && opaque_in (layer, c->path))
        {
          c->kind = FERRY_CHANGE_DELETED;
          opaque = c->path;
          len = strlen (opaque);
        }
      ch->items[k++] = *c;
    }
  ch->n = k;
}

int
ferry_image_diff (ferry_engine_t *e, const char *ref, struct ferry_changes *out, ferry_error_t *err)
{
  struct ferry_image *img = NULL;
  cleanup_strv char **layers = NULL;
  size_t n;

  memset (out, 0, sizeof (*out));
  if (ferry_store_lookup (e->store, ref, &img, err) < 0)
    {
      if ((*err)->kind == FERRY_ERROR_NOT_FOUND)
        ferry_error_wrap (err, "%s not found", ref);
      return -1;
    }
  layers = ferry_store_image_layer_paths (e->store, img);
  n = img->n_layers;
  ferry_image_free (img);
  if (n == 0)
    return 0;
  if (ferry_changes_compute (layers[0], (const char *const *) layers + 1, n - 1, out, err) < 0)
    return ferry_error_wrap (err, "the layers of image %s", ref);
  podman_opaque_dirs (layers[0], out);
  ferry_changes_drop_engine_paths (out);
  return 0;
}

/* A container or image `diff` names: its ID, and the layers it sits on
 * (a container's image's, bottom first; NULL for a container of a
 * --rootfs directory), which the image owns.  */
struct diff_object
{
  bool container;
  char *id;
  struct ferry_image *img;
};

static void
diff_object_release (struct diff_object *o)
{
  free (o->id);
  ferry_image_free (o->img);
  memset (o, 0, sizeof (*o));
}

/* REF as Podman's diff looks it up (OF): a container first, then an
 * image; neither is its "layer not known", a missing container alone
 * "container not known", a missing image alone the store's words.  */
static int
diff_object_find (ferry_engine_t *e, enum ferry_diff_of of, const char *ref, struct diff_object *o,
                  ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  const char *image;

  memset (o, 0, sizeof (*o));
  if (of == FERRY_DIFF_IMAGE)
    {
      if (ferry_store_lookup (e->store, ref, &o->img, err) < 0)
        return (*err)->kind == FERRY_ERROR_NOT_FOUND ? ferry_error_wrap (err, "%s not found", ref) : -1;
      o->id = xstrdup (o->img->id);
      return 0;
    }
  if (ferry_container_lookup (e, ref, &c, err) == 0)
    {
      o->container = true;
      o->id = xstrdup (c->id);
      image = c->image_id;
      /* A container of a --rootfs directory has no image.  */
      if (image && *image && ferry_store_lookup (e->store, image, &o->img, err) < 0)
        {
          ferry_container_free (c);
          diff_object_release (o);
          return ferry_error_wrap (err, "the image of container %s", ref);
        }
      ferry_container_free (c);
      return 0;
    }
  if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
    return -1;
  ferry_error_release (err);
  if (of == FERRY_DIFF_CONTAINER)
    return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                  "%s not found: container not known: give the name or ID of a container",
                                  ref);
  if (ferry_store_lookup (e->store, ref, &o->img, err) == 0)
    {
      o->id = xstrdup (o->img->id);
      return 0;
    }
  if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
    return -1;
  ferry_error_release (err);
  return ferry_make_error_kind (
      err, FERRY_ERROR_NOT_FOUND,
      "%s not found: layer not known: give the name or ID of a container or an image", ref);
}

/* Whether the first N layers of A are B's, all of them (never for a
 * container without an image).  */
static bool
layers_are (const struct ferry_image *a, size_t n, const struct ferry_image *b)
{
  if (a == NULL || b == NULL || b->n_layers != n || a->n_layers < n)
    return false;
  for (size_t i = 0; i < n; i++)
    if (strcmp (a->diff_ids[i], b->diff_ids[i]) != 0)
      return false;
  return true;
}

int
ferry_object_diff (ferry_engine_t *e, enum ferry_diff_of of, const char *ref, const char *parent,
                   struct ferry_changes *out, ferry_error_t *err)
{
  struct diff_object a = { 0 }, b = { 0 };
  bool own = false, same = false;
  int ret = -1;

  memset (out, 0, sizeof (*out));
  if (diff_object_find (e, of, ref, &a, err) < 0)
    return -1;
  if (parent && diff_object_find (e, of, parent, &b, err) < 0)
    goto out;
  if (parent == NULL)
    own = true;
  else if (a.container && b.container)
    same = strcmp (a.id, b.id) == 0;
  else if (a.container)
    own = a.img && layers_are (a.img, a.img->n_layers, b.img);
  else if (! b.container)
    {
      same = layers_are (a.img, a.img->n_layers, b.img);
      own = a.img->n_layers > 0 && layers_are (a.img, a.img->n_layers - 1, b.img);
    }
  /* A alone or over its parent: its own changes; over itself (or the
   * same layers) none.  */
  if (own)
    ret = a.container ? ferry_container_diff (e, a.id, out, err) : ferry_image_diff (e, a.id, out, err);
  else if (same)
    ret = 0;
  else
    ret = ferry_make_error (err, 0,
                            "ferry diff compares %s with its parent alone (a container's image, the image "
                            "below an image's top layer) or with itself, not with %s: give %s alone to see "
                            "its own changes",
                            ref, parent, ref);
out:
  diff_object_release (&a);
  diff_object_release (&b);
  return ret;
}
