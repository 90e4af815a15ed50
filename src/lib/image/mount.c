/* ferry: `image mount` and `image unmount` (see mount.h).  */
#include "mount.h"
#include "../state/lock.h"
#include "../storage/overlay.h"
#include "../util/cleanup.h"
#include "../util/hash.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static char *
mount_dir (ferry_store_t *s, const char *id)
{
  return xasprintf ("%s/storage/image-mounts/%s", ferry_store_root (s), id);
}

static int
is_image_id (const char *s)
{
  return ferry_id_is_full (s);
}

/* The count of image ID: -1 when there is no file, 0 when it is damaged. */
static int
read_count (ferry_store_t *s, const char *id)
{
  cleanup_free char *dir = mount_dir (s, id);
  cleanup_free char *path = xasprintf ("%s/count", dir);
  cleanup_free char *text = NULL;
  cleanup_error ferry_error_t err = NULL;
  size_t len = 0, digits;

  if (ferry_read_file (path, &text, &len, &err) < 0)
    return -1;
  digits = strspn (text, "0123456789");
  if (digits == 0 || digits > 6 || (text[digits] != '\0' && text[digits] != '\n'))
    return 0;
  return (int) strtol (text, NULL, 10);
}

static int
write_count (ferry_store_t *s, const char *id, int count, ferry_error_t *err)
{
  cleanup_free char *dir = mount_dir (s, id);
  cleanup_free char *path = xasprintf ("%s/count", dir);
  cleanup_free char *text = xasprintf ("%d\n", count);

  if (ferry_mkdir_p (dir, 0700, err) < 0)
    return -1;
  return ferry_write_file_atomic (path, text, strlen (text), 0600, err);
}

static int
is_mounted (ferry_store_t *s, const char *id)
{
  cleanup_free char *dir = mount_dir (s, id);
  struct ferry_overlay ov;
  int r;

  ferry_overlay_paths (dir, &ov);
  r = ferry_overlay_is_mounted (&ov);
  ferry_overlay_free (&ov);
  return r;
}

void
ferry_image_mount_drop (ferry_store_t *s, const char *id)
{
  cleanup_free char *dir = mount_dir (s, id);
  cleanup_error ferry_error_t err = NULL;
  struct ferry_overlay ov;

  if (! is_image_id (id) || ! ferry_path_exists (dir))
    return;
  ferry_overlay_paths (dir, &ov);
  if (ferry_overlay_unmount (&ov, &err) == 0)
    ferry_rm_rf (dir, &err);
  ferry_overlay_free (&ov);
}

/* Image ID's directory, the storage lock held: a count that does not
 * hold its mount, or a mount no count holds, is settled.  */
static void
settle_locked (ferry_store_t *s, const char *id)
{
  int n = read_count (s, id);

  if (n > 0 && is_mounted (s, id))
    return;
  ferry_image_mount_drop (s, id);
}

char *
ferry_image_mountpoint (ferry_store_t *s, const char *id)
{
  cleanup_free char *dir = NULL;

  if (! is_image_id (id) || read_count (s, id) <= 0 || ! is_mounted (s, id))
    return NULL;
  dir = mount_dir (s, id);
  return xasprintf ("%s/merged", dir);
}

/* The overlay of the image's layers, then made read-only: its upper dir
 * stays empty.  */
static int
mount_layers (ferry_store_t *s, const struct ferry_image *img, struct ferry_overlay *ov, ferry_error_t *err)
{
  cleanup_free char *dir = mount_dir (s, img->id);
  char **lowers = xmalloc0 (sizeof (char *) * (img->n_layers + 1));
  int ret = -1;

  /* Top layer first.  */
  for (size_t i = 0; i < img->n_layers; i++)
    lowers[i] = ferry_store_layer_path (s, img->diff_ids[img->n_layers - 1 - i]);
  if (ferry_overlay_create (dir, ov, err) < 0
      || ferry_overlay_mount (ov, (const char *const *) lowers, img->n_layers, err) < 0)
    goto out;
  if (mount (NULL, ov->merged, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
    {
      ferry_make_error (err, errno, "cannot make the mount of image %.12s read-only", img->id);
      goto out;
    }
  ret = 0;
out:
  for (size_t i = 0; i < img->n_layers; i++)
    free (lowers[i]);
  free (lowers);
  return ret;
}

int
ferry_image_mount (ferry_store_t *s, const char *ref, char **path, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  struct ferry_image *img = NULL;
  struct ferry_overlay ov = { 0 };
  int n, ret = -1;

  *path = NULL;
  lock = ferry_lock_acquire (ferry_store_root (s), "storage", 1, err);
  if (lock < 0)
    return -1;
  if (ferry_store_lookup (s, ref, &img, err) < 0)
    return -1;
  settle_locked (s, img->id);
  n = read_count (s, img->id);
  if (n < 0)
    n = 0;
  /* The file first: a mount made after it is always found again.  */
  if (write_count (s, img->id, n, err) < 0)
    goto out;
  if (! is_mounted (s, img->id) && mount_layers (s, img, &ov, err) < 0)
    {
      settle_locked (s, img->id);
      goto out;
    }
  ferry_fault_point ("image-mount-mounted");
  if (write_count (s, img->id, n + 1, err) < 0)
    {
      settle_locked (s, img->id);
      goto out;
    }
  *path = ferry_image_mountpoint (s, img->id);
  ret = 0;
out:
  ferry_overlay_free (&ov);
  ferry_image_free (img);
  return ret;
}

int
ferry_image_unmount (ferry_store_t *s, const char *ref, int force, char **id, ferry_error_t *err)
{
  cleanup_lock int lock = -1;
  struct ferry_image *img = NULL;
  int n, ret = -1;

  *id = NULL;
  lock = ferry_lock_acquire (ferry_store_root (s), "storage", 1, err);
  if (lock < 0)
    return -1;
  if (ferry_store_lookup (s, ref, &img, err) < 0)
    return -1;
  settle_locked (s, img->id);
  n = read_count (s, img->id);
  if (n > 0)
    {
      if (write_count (s, img->id, force ? 0 : n - 1, err) < 0)
        goto out;
      ferry_fault_point ("image-unmount-counted");
      settle_locked (s, img->id);
      *id = xstrdup (img->id);
    }
  ret = 0;
out:
  ferry_image_free (img);
  return ret;
}

static char **
mount_dir_ids (ferry_store_t *s)
{
  cleanup_free char *dir = xasprintf ("%s/storage/image-mounts", ferry_store_root (s));
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;
  char **ids = xmalloc0 (sizeof (char *));
  size_t n = 0;

  while (d && (de = readdir (d)))
    {
      if (! is_image_id (de->d_name))
        continue;
      ids = xrealloc (ids, sizeof (char *) * (n + 2));
      ids[n++] = xstrdup (de->d_name);
      ids[n] = NULL;
    }
  return ids;
}

char **
ferry_image_mounted (ferry_store_t *s)
{
  char **ids = mount_dir_ids (s);
  size_t k = 0;

  for (size_t i = 0; ids[i]; i++)
    {
      if (read_count (s, ids[i]) > 0 && is_mounted (s, ids[i]))
        ids[k++] = ids[i];
      else
        free (ids[i]);
    }
  ids[k] = NULL;
  return ids;
}

void
ferry_image_mounts_settle (ferry_store_t *s)
{
  cleanup_strv char **ids = mount_dir_ids (s);
  cleanup_error ferry_error_t err = NULL;
  cleanup_lock int lock = -1;
  int busy = 0;

  if (ids[0] == NULL)
    return;
  /* Taken: its owner is at work, and settles it itself.  */
  lock = ferry_lock_try_acquire (ferry_store_root (s), "storage", 1, &busy, &err);
  if (lock < 0)
    return;
  for (size_t i = 0; ids[i]; i++)
    settle_locked (s, ids[i]);
}
