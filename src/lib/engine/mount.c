/* ferry: `mount` and `unmount` (see mount.h).  */
#include "mount.h"
#include "internal.h"
#include "../state/lock.h"
#include "../storage/overlay.h"
#include "../util/cleanup.h"
#include "../util/hash.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/xalloc.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Counts above this are damage, not use.  */
#define MOUNT_COUNT_MAX 1000000

static char *
mounts_dir (ferry_engine_t *e)
{
  return xasprintf ("%s/mounts", e->runroot);
}

static char *
count_path (ferry_engine_t *e, const char *id)
{
  cleanup_free char *dir = mounts_dir (e);
  return xasprintf ("%s/%s", dir, id);
}

static int
is_container_id (const char *s)
{
  return ferry_id_is_full (s);
}

/* The count in ID's file: -1 when there is none, 0 when it is damaged
 * (read as untrusted: digits only, bounded).  */
static int
read_count (ferry_engine_t *e, const char *id)
{
  cleanup_free char *path = count_path (e, id);
  cleanup_free char *text = NULL;
  cleanup_error ferry_error_t err = NULL;
  size_t len = 0, digits;
  long v;

  if (ferry_read_file (path, &text, &len, &err) < 0)
    return -1;
  digits = strspn (text, "0123456789");
  if (digits == 0 || digits > 7 || (text[digits] != '\0' && text[digits] != '\n'))
    return 0;
  v = strtol (text, NULL, 10);
  return v > MOUNT_COUNT_MAX ? 0 : (int) v;
}

static int
write_count (ferry_engine_t *e, const char *id, int count, ferry_error_t *err)
{
  cleanup_free char *dir = mounts_dir (e);
  cleanup_free char *path = count_path (e, id);
  cleanup_free char *text = xasprintf ("%d\n", count);

  if (ferry_mkdir_p (dir, 0700, err) < 0)
    return -1;
  if (ferry_write_file_atomic (path, text, strlen (text), 0600, err) < 0)
    return ferry_error_wrap (err, "the mount count of container %.12s", id);
  return 0;
}

int
ferry_container_mount_count (ferry_engine_t *e, const char *id)
{
  int n = read_count (e, id);
  return n < 0 ? 0 : n;
}

void
ferry_container_mount_forget (ferry_engine_t *e, const char *id)
{
  cleanup_free char *path = count_path (e, id);
  unlink (path);
  ferry_remove_stale_temporaries (path);
}

static int
rootfs_mounted (ferry_engine_t *e, const char *id)
{
  cleanup_free char *odir = ferry_engine_overlay_dir (e, id);
  struct ferry_overlay ov;
  int r;

  ferry_overlay_paths (odir, &ov);
  r = ferry_overlay_is_mounted (&ov);
  ferry_overlay_free (&ov);
  return r;
}

char *
ferry_container_mountpoint (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_free char *odir = NULL;

  if (! rootfs_mounted (e, c->id))
    return NULL;
  odir = ferry_engine_overlay_dir (e, c->id);
  return xasprintf ("%s/merged", odir);
}

/* Unmounts C's root file system when nothing uses it: no count, no
 * monitor, no operation (which may hold it for a restore).  */
static void
unmount_unused (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_free char *odir = ferry_engine_overlay_dir (e, c->id);
  cleanup_error ferry_error_t err = NULL;
  struct ferry_overlay ov;

  if (ferry_container_mount_count (e, c->id) > 0 || ferry_container_has_monitor (c) || c->operation)
    return;
  ferry_overlay_paths (odir, &ov);
  if (ferry_overlay_unmount (&ov, &err) < 0)
    ferry_error_release (&err);
  ferry_overlay_free (&ov);
}

/* C's count file, its lock held: what a killed mount or unmount left is
 * settled (mount.h).  */
static void
settle_locked (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_free char *path = count_path (e, c->id);
  int n;

  /* A write of the count killed before its rename: the count is the
   * old one, the temporary name is left.  */
  ferry_remove_stale_temporaries (path);
  n = read_count (e, c->id);

  if (n < 0)
    return;
  if (n > 0 && ! rootfs_mounted (e, c->id))
    n = 0; /* unmounted behind ferry's back, or a reboot that kept the runroot */
  if (n > 0)
    return;
  unmount_unused (e, c);
  ferry_container_mount_forget (e, c->id);
}

int
ferry_container_mount (ferry_engine_t *e, const char *ref, char **path, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  struct ferry_overlay ov = { 0 };
  int n, ret = -1;

  *path = NULL;
  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  settle_locked (e, c);
  n = ferry_container_mount_count (e, c->id);
  /* The file first: a mount made after it is always found again.  */
  if (write_count (e, c->id, n, err) < 0)
    goto out;
  if (ferry_container_mount_rootfs (e, c, &ov, err) < 0)
    {
      settle_locked (e, c);
      goto out;
    }
  ferry_fault_point ("mount-mounted");
  if (write_count (e, c->id, n + 1, err) < 0)
    {
      settle_locked (e, c);
      goto out;
    }
  *path = xstrdup (ov.merged);
  ferry_container_event (e, c, "mount");
  ret = 0;
out:
  ferry_overlay_free (&ov);
  ferry_container_free (c);
  return ret;
}

int
ferry_container_unmount (ferry_engine_t *e, const char *ref, int force, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  int n, ret = -1;

  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  settle_locked (e, c);
  n = read_count (e, c->id);
  if (n > 0)
    {
      n = force ? 0 : n - 1;
      if (write_count (e, c->id, n, err) < 0)
        goto out;
      ferry_fault_point ("unmount-counted");
      settle_locked (e, c);
      ferry_container_event (e, c, "unmount");
    }
  ret = 0;
out:
  ferry_container_free (c);
  return ret;
}

void
ferry_mounts_settle (ferry_engine_t *e)
{
  cleanup_free char *dir = mounts_dir (e);
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  while (d && (de = readdir (d)))
    {
      cleanup_free char *name = NULL;
      cleanup_error ferry_error_t err = NULL;
      cleanup_lock int lock = -1;
      struct ferry_container *c = NULL;
      int busy = 0;

      if (! is_container_id (de->d_name))
        continue;
      name = xasprintf ("container-%s", de->d_name);
      /* Taken: its owner is at work on it, and settles it itself.  */
      lock = ferry_lock_try_acquire (e->root, name, 1, &busy, &err);
      if (lock < 0)
        continue;
      if (ferry_container_find (e, de->d_name, &c, &err) < 0)
        {
          if (err->kind == FERRY_ERROR_NOT_FOUND)
            ferry_container_mount_forget (e, de->d_name);
          continue;
        }
      ferry_container_refresh (e, c);
      settle_locked (e, c);
      ferry_container_free (c);
    }
}
