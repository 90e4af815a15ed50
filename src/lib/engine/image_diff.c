/* ferry: `image diff` (see image_diff.h).  The layers are stored as
 * overlay lower dirs (whiteouts as overlayfs marks them), so the top one
 * reads as an upper dir over the others.  */
#include "image_diff.h"
#include "internal.h"
#include "../image/store.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"
#include <errno.h>
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
  return 0;
}
