/* ferry: how many bytes a container's root file system holds of its own,
 * for `ps --size`.  */
#include "container.h"
#include "engine.h"
#include "system.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct usage
{
  uint64_t bytes;
  /* Files with several links, counted once.  */
  struct
  {
    dev_t dev;
    ino_t ino;
  } * seen;
  size_t n_seen;
};

static int
usage_seen (struct usage *u, const struct stat *st)
{
  size_t i;

  for (i = 0; i < u->n_seen; i++)
    if (u->seen[i].dev == st->st_dev && u->seen[i].ino == st->st_ino)
      return 1;
  u->seen = xrealloc (u->seen, (u->n_seen + 1) * sizeof (*u->seen));
  u->seen[u->n_seen].dev = st->st_dev;
  u->seen[u->n_seen++].ino = st->st_ino;
  return 0;
}

/* Adds the sizes of the files below FD_DIR (which it closes).  Entries that
 * go while it reads (a running container's files) are skipped.  */
static int
usage_walk (int fd_dir, const char *what, struct usage *u, ferry_error_t *err)
{
  DIR *d = fdopendir (fd_dir);
  struct dirent *de;

  if (d == NULL)
    {
      int e = errno;
      close (fd_dir);
      return ferry_make_error (err, e, "cannot read the root file system of %s", what);
    }
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          int fd = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (fd >= 0 && usage_walk (fd, what, u, err) < 0)
            {
              closedir (d);
              return -1;
            }
          continue;
        }
      if (st.st_nlink > 1 && usage_seen (u, &st))
        continue;
      u->bytes += st.st_size;
    }
  closedir (d);
  return 0;
}

/* Adds the sizes of the files below PATH, none when it is not there.  */
static int
usage_of (const char *path, const char *what, struct usage *u, ferry_error_t *err)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0)
    {
      /* Not made yet, or gone with the container: nothing of its own.  */
      if (errno == ENOENT)
        return 0;
      return ferry_make_error (err, errno, "cannot open the files of %s", what);
    }
  return usage_walk (fd, what, u, err);
}

/* As Podman's (containers/storage's container size): the files of its
 * layer and those of its own directories, in the root (logs, hosts,
 * hostname, its /dev/shm) and, while it runs, the runroot (the runtime's
 * config.json, PID files), directories not counted and each inode once.
 * Podman keeps its config.json once the container stopped, and so does
 * ferry (FERRY_CONTAINER_LAST_SPEC, in the container's directory); while
 * it runs again, the bundle's counts, not the last run's, and so it does
 * once it stopped until the cleanup keeps it.  The rest of
 * the bundle goes with the runtime's container, and is left out once the
 * container is not running so that the figure does not depend on when
 * that was.  */
int
ferry_container_rw_size (ferry_engine_t *e, const struct ferry_container *c, uint64_t *out,
                         ferry_error_t *err)
{
  cleanup_free char *odir = ferry_engine_overlay_dir (e, c->id);
  cleanup_free char *upper = xasprintf ("%s/upper", odir);
  cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, c->id);
  cleanup_free char *what = xasprintf ("container `%s`", c->name);
  struct usage u = { 0 };
  int r;

  *out = 0;
  r = usage_of (upper, what, &u, err);
  if (r == 0)
    r = usage_of (cdir, what, &u, err);
  if (r == 0 && (c->status == FERRY_CONTAINER_RUNNING || c->status == FERRY_CONTAINER_PAUSED))
    {
      cleanup_free char *last = xasprintf ("%s/" FERRY_CONTAINER_LAST_SPEC, cdir);
      struct stat st;

      if (lstat (last, &st) == 0 && S_ISREG (st.st_mode) && u.bytes >= (uint64_t) st.st_size)
        u.bytes -= (uint64_t) st.st_size;
      r = usage_of (bundle, what, &u, err);
    }
  else if (r == 0)
    {
      /* Stopped, but not cleaned up yet: the config.json the cleanup will
       * keep, so that the figure does not change when it does.  */
      cleanup_free char *last = xasprintf ("%s/" FERRY_CONTAINER_LAST_SPEC, cdir);
      cleanup_free char *spec = xasprintf ("%s/config.json", bundle);
      struct stat st;

      if (lstat (last, &st) < 0 && errno == ENOENT && lstat (spec, &st) == 0 && S_ISREG (st.st_mode))
        u.bytes += (uint64_t) st.st_size;
    }
  free (u.seen);
  if (r == 0)
    *out = u.bytes;
  return r;
}

int
ferry_path_usage (const char *path, const char *what, uint64_t *out, ferry_error_t *err)
{
  struct usage u = { 0 };
  int fd, r;

  *out = 0;
  fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      if (errno == ENOENT)
        return 0;
      return ferry_make_error (err, errno, "cannot open the data of %s", what);
    }
  r = usage_walk (fd, what, &u, err);
  free (u.seen);
  if (r == 0)
    *out = u.bytes;
  return r;
}
