/* ferry: `system df` and `system reset`.  */
#include "system.h"
#include "container.h"
#include "internal.h"
#include "network.h"
#include "volume.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static char *
join_args (json_object *args)
{
  char *out = xstrdup ("");
  size_t i;

  for (i = 0; i < ferry_json_array_length (args); i++)
    {
      char *next = xasprintf ("%s%s%s", out, i ? " " : "",
                              json_object_get_string (json_object_array_get_idx (args, i)));
      free (out);
      out = next;
    }
  return out;
}

static int
count_volume_mounts (json_object *record)
{
  json_object *mounts = ferry_json_get_array (record, "Mounts");
  int n = 0;
  size_t i;

  for (i = 0; i < ferry_json_array_length (mounts); i++)
    n += ferry_json_string_equals (json_object_array_get_idx (mounts, i), "Type", "volume");
  return n;
}

/* True when another image of IMGS than IMGS[SELF] has the layer.  */
static int
layer_shared (struct ferry_image **imgs, size_t n, size_t self, const char *diff_id)
{
  size_t i, k;

  for (i = 0; i < n; i++)
    for (k = 0; i != self && imgs[i]->diff_ids[k]; k++)
      if (strcmp (imgs[i]->diff_ids[k], diff_id) == 0)
        return 1;
  return 0;
}

/* True when IMG has DIFF_IDS[AT] below AT too (a layer twice counts once).  */
static int
layer_repeated (char **diff_ids, size_t at)
{
  size_t k;

  for (k = 0; k < at; k++)
    if (strcmp (diff_ids[k], diff_ids[at]) == 0)
      return 1;
  return 0;
}

static void
df_images (ferry_engine_t *e, struct ferry_image **imgs, size_t n, struct ferry_container **ctrs,
           size_t n_ctrs, struct ferry_df_report *out)
{
  size_t i, k, rows = 0;

  for (i = 0; i < n; i++)
    {
      size_t names = 0;
      while (imgs[i]->names[names])
        names++;
      rows += names ? names : 1;
    }
  out->images = xmalloc0 (sizeof (*out->images) * (rows + 1));
  /* In the order they came into the store, as Podman lists its store.  */
  for (i = n; i-- > 0;)
    {
      uint64_t shared = 0;
      int users = 0;

      for (k = 0; imgs[i]->diff_ids[k]; k++)
        if (! layer_repeated (imgs[i]->diff_ids, k) && layer_shared (imgs, n, i, imgs[i]->diff_ids[k]))
          shared += ferry_store_layer_size (e->store, imgs[i]->diff_ids[k]);
      for (k = 0; k < n_ctrs; k++)
        users += strcmp (ctrs[k]->image_id, imgs[i]->id) == 0;
      for (k = 0; k == 0 || imgs[i]->names[k]; k++)
        {
          struct ferry_df_image *r = &out->images[out->n_images++];

          r->id = xstrdup (imgs[i]->id);
          r->name = imgs[i]->names[k] ? xstrdup (imgs[i]->names[k]) : NULL;
          r->created = xstrdup (imgs[i]->created ? imgs[i]->created : "");
          r->size = ferry_image_reported_size (imgs[i]);
          r->shared_size = shared > r->size ? r->size : shared;
          r->containers = users;
          if (imgs[i]->names[k] == NULL)
            break;
        }
    }
}

static int
df_containers (ferry_engine_t *e, struct ferry_container **ctrs, size_t n, struct ferry_df_report *out,
               ferry_error_t *err)
{
  size_t i;

  out->containers = xmalloc0 (sizeof (*out->containers) * (n + 1));
  for (i = 0; i < n; i++)
    {
      struct ferry_df_container *r = &out->containers[out->n_containers++];

      r->id = xstrdup (ctrs[i]->id);
      r->image_id = xstrdup (ctrs[i]->image_id);
      r->command = join_args (ferry_json_get_array (ctrs[i]->record, "Args"));
      r->created = xstrdup (ctrs[i]->created);
      r->status = xstrdup (ferry_container_status_name (ctrs[i]->status));
      r->name = xstrdup (ctrs[i]->name);
      r->local_volumes = count_volume_mounts (ctrs[i]->record);
      if (ferry_container_rw_size (e, ctrs[i], &r->rw_size, err) < 0)
        return -1;
    }
  return 0;
}

static int
volume_by_name (const void *a, const void *b)
{
  return strcmp (((const struct ferry_df_volume *) a)->name, ((const struct ferry_df_volume *) b)->name);
}

static int
df_volumes (ferry_engine_t *e, struct ferry_df_report *out, ferry_error_t *err)
{
  struct ferry_volume **vols = NULL;
  size_t n = 0, i;
  int ret = 0;

  if (ferry_volume_list (e->db, e->root, &vols, &n, err) < 0)
    return -1;
  out->volumes = xmalloc0 (sizeof (*out->volumes) * (n + 1));
  for (i = 0; i < n && ret == 0; i++)
    {
      struct ferry_df_volume *r = &out->volumes[out->n_volumes++];
      cleanup_free char *what = xasprintf ("volume `%s`", vols[i]->name);

      r->name = xstrdup (vols[i]->name);
      while (vols[i]->users[r->links])
        r->links++;
      ret = ferry_path_usage (vols[i]->mountpoint, what, &r->size, err);
    }
  ferry_volumes_free (vols, n);
  qsort (out->volumes, out->n_volumes, sizeof (*out->volumes), volume_by_name);
  return ret;
}

int
ferry_system_df (ferry_engine_t *e, struct ferry_df_report *out, ferry_error_t *err)
{
  struct ferry_container **ctrs = NULL;
  struct ferry_image **imgs = NULL;
  size_t n_ctrs = 0, n_imgs = 0;
  int ret = -1;

  memset (out, 0, sizeof (*out));
  if (ferry_container_list (e, &ctrs, &n_ctrs, err) < 0)
    return -1;
  if (ferry_store_list (e->store, &imgs, &n_imgs, err) < 0)
    goto out;
  if (ferry_store_layers_size (e->store, &out->images_size, err) < 0)
    goto out;
  /* Each image's config and manifests, which Podman counts too.  */
  for (size_t i = 0; i < n_imgs; i++)
    out->images_size += ferry_image_reported_size (imgs[i]) - imgs[i]->size;
  df_images (e, imgs, n_imgs, ctrs, n_ctrs, out);
  if (df_containers (e, ctrs, n_ctrs, out, err) < 0 || df_volumes (e, out, err) < 0)
    goto out;
  ret = 0;
out:
  ferry_containers_free (ctrs, n_ctrs);
  ferry_images_free (imgs, n_imgs);
  if (ret < 0)
    ferry_df_report_release (out);
  return ret;
}

void
ferry_df_report_release (struct ferry_df_report *r)
{
  size_t i;

  for (i = 0; i < r->n_images; i++)
    {
      free (r->images[i].id);
      free (r->images[i].name);
      free (r->images[i].created);
    }
  for (i = 0; i < r->n_containers; i++)
    {
      struct ferry_df_container *c = &r->containers[i];
      free (c->id);
      free (c->image_id);
      free (c->command);
      free (c->created);
      free (c->status);
      free (c->name);
    }
  for (i = 0; i < r->n_volumes; i++)
    free (r->volumes[i].name);
  free (r->images);
  free (r->containers);
  free (r->volumes);
  memset (r, 0, sizeof (*r));
}

/* What ferry keeps directly under --root and --runroot (engine.h,
 * image/store.h, engine/volume.h, state/db.h): a reset removes these and
 * nothing else, the database first.  */
static const char *const DATABASE_ENTRIES[] = {
  "ferry.db", "ferry.db-wal", "ferry.db-shm", "ferry.db-journal", NULL,
};
static const char *const ROOT_ENTRIES[] = {
  "storage", "containers", "volumes", "checkpoint-images", "trusted-keys", "locks", NULL,
};
static const char *const RUNROOT_ENTRIES[] = {
  "containers",    "exits",    "socket",  "netns",  "checkpoints",
  "criu-nftables", "networks", "runtime", "events", NULL,
};

static int
remove_containers (ferry_engine_t *e, struct ferry_reset_report *report, ferry_error_t *err)
{
  struct ferry_container **list = NULL;
  size_t n = 0, i;
  int ret = 0;

  if (ferry_container_list (e, &list, &n, err) < 0)
    return -1;
  for (i = 0; i < n && ret == 0; i++)
    {
      ferry_error_t rm_err = NULL;

      if (ferry_container_remove (e, list[i]->id, 1, 1, &rm_err) == 0)
        report->containers++;
      else if (rm_err->kind == FERRY_ERROR_NOT_FOUND)
        ferry_error_release (&rm_err);
      else
        {
          ret = ferry_make_error (err, rm_err->status,
                                  "cannot remove container `%s` (%s): %s; the reset stopped "
                                  "before the images, volumes, networks and files: run `ferry "
                                  "system reset` again once it can go",
                                  list[i]->name, list[i]->id, rm_err->msg);
          ferry_error_release (&rm_err);
        }
    }
  ferry_containers_free (list, n);
  return ret;
}

static void
remove_images (ferry_engine_t *e, struct ferry_reset_report *report)
{
  struct ferry_image **imgs = NULL;
  ferry_error_t err = NULL;
  size_t n = 0, i;

  if (ferry_store_list (e->store, &imgs, &n, &err) < 0)
    {
      /* The files go anyway.  */
      ferry_error_release (&err);
      return;
    }
  for (i = 0; i < n; i++)
    {
      struct ferry_remove_report rep = { 0 };

      if (ferry_store_remove (e->store, imgs[i]->id, 1, &rep, &err) == 0)
        {
          report->images++;
          ferry_remove_report_free (&rep);
        }
      else
        ferry_error_release (&err);
    }
  ferry_images_free (imgs, n);
}

static void
remove_volumes (ferry_engine_t *e, struct ferry_reset_report *report)
{
  struct ferry_volume **vols = NULL;
  ferry_error_t err = NULL;
  size_t n = 0, i;

  if (ferry_volume_list (e->db, e->root, &vols, &n, &err) < 0)
    {
      ferry_error_release (&err);
      return;
    }
  for (i = 0; i < n; i++)
    if (ferry_volume_remove (e->db, e->root, vols[i]->name, 1, &err) == 0)
      report->volumes++;
    else
      ferry_error_release (&err);
  ferry_volumes_free (vols, n);
}

static void
remove_networks (ferry_engine_t *e, struct ferry_reset_report *report)
{
  cleanup_json json_object *defs = NULL;
  ferry_error_t err = NULL;
  size_t i;

  if (ferry_network_list (e, &defs, &err) < 0)
    {
      ferry_error_release (&err);
      return;
    }
  for (i = 0; i < ferry_json_array_length (defs); i++)
    {
      const char *name = ferry_json_get_string (json_object_array_get_idx (defs, i), "name");

      if (name == NULL || strcmp (name, FERRY_DEFAULT_NETWORK) == 0)
        continue;
      if (ferry_network_remove (e, name, 1, &err) == 0)
        report->networks++;
      else
        ferry_error_release (&err);
    }
}

/* Undoes mountinfo's escapes (\040 for a space) in place.  */
static void
unescape_mount_point (char *s)
{
  char *out = s;

  for (; *s; s++)
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0'
        && s[3] <= '7')
      {
        *out++ = (char) ((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
        s += 3;
      }
    else
      *out++ = *s;
  *out = '\0';
}

void
ferry_unmount_below (const char *dir, const char *const *entries)
{
  char resolved[PATH_MAX];
  cleanup_fclose FILE *mi = NULL;
  char **points = NULL;
  size_t n = 0, i, k;
  char line[8192];

  if (realpath (dir, resolved) == NULL || (mi = fopen ("/proc/self/mountinfo", "re")) == NULL)
    return;
  while (fgets (line, sizeof (line), mi))
    {
      char point[PATH_MAX];

      if (sscanf (line, "%*s %*s %*s %*s %4095s", point) != 1)
        continue;
      unescape_mount_point (point);
      for (k = 0; entries[k]; k++)
        {
          cleanup_free char *prefix = xasprintf ("%s/%s/", resolved, entries[k]);
          if (strncmp (point, prefix, strlen (prefix)) == 0)
            {
              points = xrealloc (points, sizeof (char *) * (n + 1));
              points[n++] = xstrdup (point);
              break;
            }
        }
    }
  /* Later lines are mounted later, on top: undo them first.  */
  for (i = n; i-- > 0;)
    {
      umount2 (points[i], MNT_DETACH | UMOUNT_NOFOLLOW);
      free (points[i]);
    }
  free (points);
}

static int
remove_entries (const char *dir, const char *const *entries, ferry_error_t *err)
{
  cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  size_t i;

  if (dfd < 0)
    {
      if (errno == ENOENT)
        return 0;
      return ferry_make_error (err, errno, "cannot open `%s`", dir);
    }
  ferry_unmount_below (dir, entries);
  for (i = 0; entries[i]; i++)
    if (ferry_rm_rf_at (dfd, entries[i], err) < 0)
      return ferry_error_wrap (err, "cannot remove `%s/%s`", dir, entries[i]);
  return 0;
}

int
ferry_system_reset (ferry_engine_t **ep, struct ferry_reset_report *report, ferry_error_t *err)
{
  ferry_engine_t *e = *ep;
  cleanup_free char *root = xstrdup (e->root);
  cleanup_free char *runroot = xstrdup (e->runroot);

  memset (report, 0, sizeof (*report));
  if (remove_containers (e, report, err) < 0)
    return -1;
  ferry_fault_point ("reset-containers-removed");
  remove_images (e, report);
  remove_volumes (e, report);
  remove_networks (e, report);
  ferry_engine_close (e);
  *ep = NULL;
  /* The database goes first: a reset killed after it leaves files nothing
   * refers to, which the next reset removes, never rows that name files
   * already gone.  */
  if (remove_entries (root, DATABASE_ENTRIES, err) < 0)
    return -1;
  ferry_fault_point ("reset-database-removed");
  if (remove_entries (root, ROOT_ENTRIES, err) < 0)
    return -1;
  ferry_fault_point ("reset-root-removed");
  return remove_entries (runroot, RUNROOT_ENTRIES, err);
}
