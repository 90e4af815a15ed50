#include "lock.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* NAME becomes a file name in <root>/locks: one component, nothing that
 * could point elsewhere.  */
static int
lock_name_is_valid (const char *name)
{
  return name[0] != '\0' && strchr (name, '/') == NULL && strcmp (name, ".") != 0 && strcmp (name, "..") != 0;
}

static int
lock_open (const char *root, const char *name, int exclusive, int wait, int *busy, ferry_error_t *err)
{
  cleanup_free char *dir = xasprintf ("%s/locks", root);
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;
  int ret;

  if (busy)
    *busy = 0;
  if (! lock_name_is_valid (name))
    return ferry_make_error (err, EINVAL, "invalid lock name `%s`", name);
  ret = ferry_mkdir_p (dir, 0700, err);
  if (ret < 0)
    return ferry_error_wrap (err, "cannot create the lock directory of `%s`", root);
  path = xasprintf ("%s/%s.lock", dir, name);
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open lock file `%s`", path);
  while (flock (fd, (exclusive ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB)) < 0)
    {
      if (errno == EWOULDBLOCK && ! wait)
        {
          *busy = 1;
          return -1;
        }
      if (errno != EINTR)
        return ferry_make_error (err, errno, "cannot lock `%s`", path);
    }
  return steal_fd (&fd);
}

int
ferry_lock_acquire (const char *root, const char *name, int exclusive, ferry_error_t *err)
{
  return lock_open (root, name, exclusive, 1, NULL, err);
}

int
ferry_lock_try_acquire (const char *root, const char *name, int exclusive, int *busy, ferry_error_t *err)
{
  return lock_open (root, name, exclusive, 0, busy, err);
}

void
ferry_lock_release (int fd)
{
  if (fd >= 0)
    close (fd);
}
