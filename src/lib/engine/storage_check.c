/* ferry: `system check` (storage_check.h).  */
#include "storage_check.h"
#include "container.h"
#include "internal.h"
#include "sweep.h"
#include "../image/store.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/xalloc.h"

#include <string.h>

#define UNACCOUNTED "layer in lower level storage driver not accounted for"

static const char *
base_of (const char *path)
{
  const char *slash = strrchr (path, '/');
  return slash ? slash + 1 : path;
}

/* Directories and files no record names.  */
static int
check_strays (ferry_engine_t *e, struct ferry_check_report *r, ferry_error_t *err)
{
  cleanup_strv char **layers = NULL;
  cleanup_strv char **blobs = NULL;
  cleanup_strv char **containers = NULL;
  char **p;

  if (ferry_store_strays (e->store, &layers, &blobs, err) < 0
      || ferry_storage_container_strays (e, &containers, err) < 0)
    return -1;
  for (p = layers; *p; p++)
    ferry_damage_add (&r->layers, base_of (*p), xstrdup (UNACCOUNTED));
  for (p = blobs; *p; p++)
    ferry_damage_add (&r->layers, base_of (*p), xstrdup ("layer blob in storage not accounted for"));
  /* A container's own directories hold its read-write layer.  */
  for (p = containers; *p; p++)
    ferry_damage_add (&r->layers, *p, xstrdup (UNACCOUNTED));
  return 0;
}

static int
check_containers (ferry_engine_t *e, const struct ferry_store_check *sc, struct ferry_check_report *r,
                  ferry_error_t *err)
{
  struct ferry_container **cs = NULL;
  size_t n = 0, i;

  if (ferry_container_list (e, &cs, &n, err) < 0)
    return -1;
  for (i = 0; i < n; i++)
    {
      const struct ferry_container *c = cs[i];
      cleanup_free char *odir = ferry_engine_overlay_dir (e, c->id);
      cleanup_free char *upper = xasprintf ("%s/upper", odir);
      struct ferry_image *img = NULL;
      cleanup_error ferry_error_t lerr = NULL;

      /* Its own root directory (--rootfs without :O) has no layer here.  */
      if (! (ferry_container_rootfs (c->record) && ! ferry_container_rootfs_overlay (c->record))
          && ! ferry_path_exists (upper))
        ferry_damage_add (&r->containers, c->id, xstrdup ("container data item is missing"));
      if (c->image_id == NULL || *c->image_id == '\0')
        continue;
      if (ferry_store_lookup (e->store, c->image_id, &img, &lerr) < 0)
        {
          ferry_damage_add (&r->containers, c->id, xasprintf ("image %s: image missing", c->image_id));
          continue;
        }
      {
        const struct ferry_damage *d = ferry_damage_find (&sc->images, img->id);
        for (size_t k = 0; d && d->errors[k]; k++)
          ferry_damage_add (&r->containers, c->id, xstrdup (d->errors[k]));
      }
      ferry_image_free (img);
    }
  ferry_containers_free (cs, n);
  return 0;
}

static int
examine (ferry_engine_t *e, const struct ferry_check_options *o, struct ferry_check_report *r,
         struct ferry_store_check *sc, ferry_error_t *err)
{
  if (ferry_store_check (e->store, o->quick, o->max_age, sc, err) < 0)
    return -1;
  r->layers = sc->layers;
  r->images = sc->images;
  memset (&sc->layers, 0, sizeof (sc->layers));
  memset (&sc->images, 0, sizeof (sc->images));
  if (check_strays (e, r, err) < 0)
    return -1;
  /* check_containers reads the images' damage from SC.  */
  sc->images = r->images;
  if (check_containers (e, sc, r, err) < 0)
    {
      memset (&sc->images, 0, sizeof (sc->images));
      return -1;
    }
  memset (&sc->images, 0, sizeof (sc->images));
  return 0;
}

/* Containers made from image ID.  */
static char **
users_of (ferry_engine_t *e, const char *id)
{
  struct ferry_container **cs = NULL;
  cleanup_error ferry_error_t err = NULL;
  char **users = xmalloc0 (sizeof (char *));
  size_t n = 0;

  if (ferry_container_list (e, &cs, &n, &err) < 0)
    return users;
  for (size_t i = 0; i < n; i++)
    if (cs[i]->image_id && strcmp (cs[i]->image_id, id) == 0)
      ferry_strv_add (&users, cs[i]->id);
  ferry_containers_free (cs, n);
  return users;
}

static void
remove_container (ferry_engine_t *e, const char *id, struct ferry_check_report *r)
{
  cleanup_error ferry_error_t err = NULL;

  if (ferry_container_remove (e, id, 1, 0, &err) == 0)
    ferry_strv_add (&r->removed_containers, id);
}

static int
repair (ferry_engine_t *e, const struct ferry_check_options *o, const struct ferry_store_check *sc,
        struct ferry_check_report *r, ferry_error_t *err)
{
  cleanup_strv char **swept = NULL;
  size_t i;

  /* Leftovers: what sweeping finds now (under the locks it takes) goes.  */
  if (ferry_storage_sweep (e, &swept, err) < 0)
    return -1;
  for (i = 0; swept[i]; i++)
    if (ferry_damage_find (&r->layers, base_of (swept[i])) && ! strstr (swept[i], "/storage/blobs/")
        && ! strstr (swept[i], "/containers/"))
      ferry_strv_add (&r->removed_layers, base_of (swept[i]));
  for (char **p = sc->unused_layers; p && *p; p++)
    {
      cleanup_error ferry_error_t lerr = NULL;

      if (ferry_store_remove_layer (e->store, *p, &lerr) > 0)
        ferry_strv_add (&r->removed_layers, strchr (*p, ':') + 1);
    }
  if (o->force)
    for (i = 0; i < r->containers.n; i++)
      remove_container (e, r->containers.items[i].id, r);
  for (i = 0; i < r->images.n; i++)
    {
      const char *id = r->images.items[i].id;
      cleanup_strv char **users = users_of (e, id);
      struct ferry_remove_report rr;
      cleanup_error ferry_error_t ierr = NULL;

      /* As Podman: the repair goes on, and fails in the end.  */
      if (users[0] && ! o->force)
        {
          if (*err == NULL)
            ferry_make_error_kind (err, FERRY_ERROR_IN_USE,
                                   "deleting image %s: image used by %s: image is in use by a container: "
                                   "repair with --force to remove the container too",
                                   id, users[0]);
          continue;
        }
      for (char **u = users; *u; u++)
        remove_container (e, *u, r);
      if (ferry_store_remove (e->store, id, 1, &rr, &ierr) == 0)
        {
          if (rr.deleted)
            ferry_strv_add (&r->removed_images, rr.deleted);
          ferry_remove_report_free (&rr);
        }
    }
  return *err ? -1 : 0;
}

int
ferry_system_check (ferry_engine_t *e, const struct ferry_check_options *o, struct ferry_check_report *r,
                    ferry_error_t *err)
{
  struct ferry_store_check sc = { 0 };
  int ret;

  memset (r, 0, sizeof (*r));
  r->removed_layers = xmalloc0 (sizeof (char *));
  r->removed_images = xmalloc0 (sizeof (char *));
  r->removed_containers = xmalloc0 (sizeof (char *));
  ret = examine (e, o, r, &sc, err);
  if (ret == 0 && (o->repair || o->force) && ferry_check_report_damaged (r))
    ret = repair (e, o, &sc, r, err);
  ferry_store_check_release (&sc);
  if (ret < 0)
    ferry_check_report_release (r);
  return ret;
}

int
ferry_check_report_damaged (const struct ferry_check_report *r)
{
  return r->layers.n || r->images.n || r->containers.n;
}

static void
strv_free (char **v)
{
  for (char **p = v; p && *p; p++)
    free (*p);
  free (v);
}

void
ferry_check_report_release (struct ferry_check_report *r)
{
  ferry_damage_list_release (&r->layers);
  ferry_damage_list_release (&r->images);
  ferry_damage_list_release (&r->containers);
  strv_free (r->removed_layers);
  strv_free (r->removed_images);
  strv_free (r->removed_containers);
  memset (r, 0, sizeof (*r));
}
