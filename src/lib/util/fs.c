#include "fs.h"
#include "cleanup.h"
#include "fault.h"
#include "process.h"
#include "xalloc.h"

#include <dirent.h>
#include <ftw.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int
ferry_mkdir_p (const char *path, mode_t mode, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (path);
  char *p;

  for (p = copy + 1; *p; p++)
    {
      if (*p != '/')
        continue;
      *p = '\0';
      if (mkdir (copy, mode) < 0 && errno != EEXIST)
        return ferry_make_error (err, errno, "cannot create directory `%s`", copy);
      *p = '/';
    }
  if (mkdir (copy, mode) < 0 && errno != EEXIST)
    return ferry_make_error (err, errno, "cannot create directory `%s`", copy);
  return 0;
}

int
ferry_read_fd_max (int fd, const char *name, size_t max, char **out, size_t *len, ferry_error_t *err)
{
  cleanup_free char *buf = NULL;
  size_t used = 0, allocated = 0;

  for (;;)
    {
      ssize_t r;

      if (used > max)
        return ferry_make_error (err, EFBIG, "`%s` is larger than %zu bytes", name, max);

      if (allocated - used < 4096)
        {
          allocated = allocated ? allocated * 2 : 8192;
          buf = xrealloc (buf, allocated);
        }
      r = read (fd, buf + used, allocated - used - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return ferry_make_error (err, errno, "cannot read `%s`", name);
      if (r == 0)
        break;
      used += r;
    }
  if (buf == NULL)
    buf = xmalloc (1);
  buf[used] = '\0';
  if (len)
    *len = used;
  *out = steal_pointer (&buf);
  return 0;
}

static int
read_file_at_max (int dirfd, const char *name, size_t max, char **out, size_t *len, ferry_error_t *err)
{
  /* O_NONBLOCK for the open alone: a FIFO nobody writes to (a policy file
   * or a registries.d entry, say) would otherwise hang the command in
   * open(); now it reads as empty.  Reads block as usual, so a pipe with
   * a writer (/dev/stdin) is read whole.  */
  cleanup_close int fd = openat (dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  int flags;

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", name);
  flags = fcntl (fd, F_GETFL);
  if (flags < 0 || fcntl (fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
    return ferry_make_error (err, errno, "cannot read `%s`", name);
  return ferry_read_fd_max (fd, name, max, out, len, err);
}

int
ferry_read_file_at (int dirfd, const char *name, char **out, size_t *len, ferry_error_t *err)
{
  return read_file_at_max (dirfd, name, SIZE_MAX, out, len, err);
}

int
ferry_read_file (const char *path, char **out, size_t *len, ferry_error_t *err)
{
  return ferry_read_file_at (AT_FDCWD, path, out, len, err);
}

int
ferry_read_file_max (const char *path, size_t max, char **out, size_t *len, ferry_error_t *err)
{
  return read_file_at_max (AT_FDCWD, path, max, out, len, err);
}

int
ferry_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0)
    {
      ssize_t w = write (fd, p, len);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      p += w;
      len -= w;
    }
  return 0;
}

int
ferry_fsync_path (const char *path, ferry_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", path);
  if (fsync (fd) < 0)
    return ferry_make_error (err, errno, "cannot sync `%s`", path);
  return 0;
}

/* Syncs PATH's directory, so that a rename there is durable.  */
static int
fsync_parent (const char *path, ferry_error_t *err)
{
  cleanup_free char *dir = xstrdup (path);
  char *slash = strrchr (dir, '/');

  if (slash == NULL)
    return 0;
  *(slash == dir ? slash + 1 : slash) = '\0';
  return ferry_fsync_path (dir, err);
}

/* The start of the temporary names of PATH that this process writes:
 * PATH.tmp-<PID>-<start time>-, so that anyone can tell whether their
 * writer is still at work (a PID alone is reused).  */
static char *
temporary_prefix (const char *path)
{
  return xasprintf ("%s.tmp-%lld-%llu-", path, (long long) getpid (), ferry_process_self_start_time ());
}

/* Whether NAME is PREFIX followed by LEN characters of SET.  */
static bool
is_temporary_name (const char *name, const char *prefix, size_t len, const char *set)
{
  size_t n = strlen (prefix);

  return strncmp (name, prefix, n) == 0 && strlen (name + n) == len && strspn (name + n, set) == len;
}

#define HEX_DIGITS "0123456789abcdef"
#define MKSTEMP_CHARS "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* When NAME is a temporary name BASE.tmp-<PID>-<start time>-<random> of
 * file BASE, whether its writer is gone: 1 gone, 0 alive, -1 not such a
 * name.  */
static int
temporary_writer_gone (const char *name, const char *base)
{
  size_t n = strlen (base);
  long long pid;
  unsigned long long start;
  int used = 0;

  if (strncmp (name, base, n) != 0 || strncmp (name + n, ".tmp-", 5) != 0)
    return -1;
  name += n + 5;
  if (name[0] < '0' || name[0] > '9' || sscanf (name, "%lld-%llu-%n", &pid, &start, &used) != 2 || used == 0
      || pid <= 0 || pid > INT32_MAX)
    return -1;
  if (! is_temporary_name (name + used, "", 12, HEX_DIGITS)
      && ! is_temporary_name (name + used, "", 6, MKSTEMP_CHARS))
    return -1;
  /* Only as this file writes them: "007-", "+7-" or " 7-" is nobody's.  */
  {
    cleanup_free char *digits = xasprintf ("%lld-%llu-", pid, start);

    if (strlen (digits) != (size_t) used || strncmp (name, digits, used) != 0)
      return -1;
  }
  return ! ferry_process_is_alive ((pid_t) pid, start);
}

/* Removes the temporary names of PATH whose writer is gone (killed
 * between naming the file and renaming it over PATH).  Without a lock:
 * a writer at work is alive, and its name stays.  */
static void
remove_orphaned_temporaries (const char *path)
{
  cleanup_free char *dir = xstrdup (path);
  char *slash = strrchr (dir, '/');
  const char *base = slash ? slash + 1 : path;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  if (slash)
    *(slash == dir ? slash + 1 : slash) = '\0';
  d = opendir (slash ? dir : ".");
  while (d && (de = readdir (d)))
    if (temporary_writer_gone (de->d_name, base) == 1)
      unlinkat (dirfd (d), de->d_name, 0);
}

/* ferry_write_file_atomic where the file system has no unnamed files.  */
static int
write_file_atomic_named (const char *path, const void *data, size_t len, mode_t mode, ferry_error_t *err)
{
  cleanup_free char *tmp = NULL;
  cleanup_close int fd = -1;

  /* A name nobody can guess, made with O_EXCL: a file or symlink planted
   * in a directory others can write never receives the content (an auth
   * file's credentials, say).  Named after its writer, for the next
   * write of PATH to remove if the writer is gone.  */
  tmp = temporary_prefix (path);
  tmp = xrealloc (tmp, strlen (tmp) + 7);
  strcat (tmp, "XXXXXX");
  fd = mkostemp (tmp, O_CLOEXEC);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot create a temporary file beside `%s`", path);
  if (fchmod (fd, mode) < 0 || ferry_write_all (fd, data, len) < 0 || fsync (fd) < 0)
    {
      int saved = errno;
      unlink (tmp);
      return ferry_make_error (err, saved, "cannot write `%s`", tmp);
    }
  ferry_fault_point ("atomic-write-synced");
  if (rename (tmp, path) < 0)
    {
      int saved = errno;
      unlink (tmp);
      return ferry_make_error (err, saved, "cannot rename `%s` to `%s`", tmp, path);
    }
  return fsync_parent (path, err);
}

/* Gives the unnamed file FD the name NAME in DIRFD (PATH in messages),
 * replacing what is there: for that, a name nobody can guess (linkat
 * never follows a planted symlink) for the instant between the link and
 * the rename.  */
static int
link_unnamed (int fd, int dirfd, const char *name, const char *path, ferry_error_t *err)
{
  cleanup_free char *prefix = NULL;
  char proc[64];

  snprintf (proc, sizeof (proc), "/proc/self/fd/%d", fd);
  if (linkat (AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW) == 0)
    return 0;
  if (errno != EEXIST)
    return ferry_make_error (err, errno, "cannot create `%s`", path);
  prefix = temporary_prefix (name);
  for (int tries = 0; tries < 100; tries++)
    {
      cleanup_free char *tmp = NULL;
      uint64_t r;

      if (getrandom (&r, sizeof (r), 0) != (ssize_t) sizeof (r))
        return ferry_make_error (err, errno, "cannot make a temporary name beside `%s`", path);
      tmp = xasprintf ("%s%012llx", prefix, (unsigned long long) (r & 0xffffffffffffULL));
      if (linkat (AT_FDCWD, proc, dirfd, tmp, AT_SYMLINK_FOLLOW) < 0)
        {
          if (errno == EEXIST)
            continue;
          return ferry_make_error (err, errno, "cannot create a temporary name beside `%s`", path);
        }
      /* Killed here, the temporary name stays: the next write of PATH
       * removes it (remove_orphaned_temporaries).  */
      ferry_fault_point ("atomic-write-linked");
      if (renameat (dirfd, tmp, dirfd, name) < 0)
        {
          int saved = errno;
          unlinkat (dirfd, tmp, 0);
          return ferry_make_error (err, saved, "cannot replace `%s`", path);
        }
      return 0;
    }
  return ferry_make_error (err, EEXIST, "cannot make a temporary name beside `%s`", path);
}

void
ferry_remove_stale_temporaries (const char *path)
{
  cleanup_free char *dir = xstrdup (path), *prefix = NULL;
  char *slash = strrchr (dir, '/');
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  if (slash == NULL)
    return;
  *slash = '\0';
  prefix = xasprintf ("%s.tmp-", slash + 1);
  d = opendir (dir);
  while (d && (de = readdir (d)))
    if (is_temporary_name (de->d_name, prefix, 12, HEX_DIGITS)
        || is_temporary_name (de->d_name, prefix, 6, MKSTEMP_CHARS)
        || temporary_writer_gone (de->d_name, slash + 1) >= 0)
      unlinkat (dirfd (d), de->d_name, 0);
}

int
ferry_open_in_place (const char *path, mode_t mode, ferry_error_t *err)
{
  struct stat st;
  int fd;

  if (lstat (path, &st) < 0 || S_ISREG (st.st_mode))
    return -2;
  if (S_ISDIR (st.st_mode))
    return ferry_make_error (err, EISDIR, "opening file \"%s\"", path);
  fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, mode);
  if (fd < 0)
    return ferry_make_error (err, errno, "opening file \"%s\"", path);
  if (fstat (fd, &st) < 0 || (S_ISREG (st.st_mode) && ftruncate (fd, 0) < 0))
    {
      int saved = errno;
      close (fd);
      return ferry_make_error (err, saved, "opening file \"%s\"", path);
    }
  return fd;
}

/* PATH written anew beside it and named PATH, replacing what is there.  */
static int
write_replacing (const char *path, const void *data, size_t len, mode_t mode, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (path);
  cleanup_close int fd = -1;

  /* What a writer killed before its rename left goes now: every writer
   * of a file comes here, so a leftover lasts until the next write of
   * that file (or the removal of its directory) at most.  */
  remove_orphaned_temporaries (path);
  /* Unnamed until whole and synced: a ferry killed while it writes (the
   * fsync takes the longest) leaves nothing behind, no PATH.tmp-XXXXXX.  */
  fd = open (dirname (copy), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL))
    return write_file_atomic_named (path, data, len, mode, err);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot create a temporary file beside `%s`", path);
  if (fchmod (fd, mode) < 0 || ferry_write_all (fd, data, len) < 0 || fsync (fd) < 0)
    return ferry_make_error (err, errno, "cannot write `%s`", path);
  ferry_fault_point ("atomic-write-synced");
  if (link_unnamed (fd, AT_FDCWD, path, path, err) < 0)
    return -1;
  return fsync_parent (path, err);
}

int
ferry_write_file_atomic (const char *path, const void *data, size_t len, mode_t mode, ferry_error_t *err)
{
  cleanup_close int fd = ferry_open_in_place (path, mode, err);

  if (fd == -1)
    return -1;
  if (fd >= 0)
    {
      if (ferry_write_all (fd, data, len) < 0)
        return ferry_make_error (err, errno, "cannot write `%s`", path);
      return 0;
    }
  return write_replacing (path, data, len, mode, err);
}

int
ferry_write_file_replace (const char *path, const void *data, size_t len, mode_t mode, ferry_error_t *err)
{
  struct stat st;

  if (lstat (path, &st) == 0 && S_ISDIR (st.st_mode))
    return ferry_make_error (err, EISDIR, "opening file \"%s\"", path);
  return write_replacing (path, data, len, mode, err);
}

int
ferry_output_file_open (const char *path, mode_t mode, int *dirfd, char **named, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (path);
  const char *base = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;
  const char *dir = dirname (copy);
  mode_t mask = umask (0);
  int fd;

  umask (mask);
  *named = NULL;
  *dirfd = -1;
  fd = ferry_open_in_place (path, mode & ~mask, err);
  if (fd != -2)
    return fd;
  *dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (*dirfd < 0)
    return ferry_make_error (err, errno, "opening file \"%s\"", path);
  fd = openat (*dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode & ~mask);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
    goto out;
  *named = xasprintf ("%s/.%s.tmp-XXXXXX", dir, base);
  fd = mkostemp (*named, O_CLOEXEC);
  if (fd >= 0 && fchmod (fd, mode & ~mask) < 0)
    {
      int saved = errno;
      close (fd);
      unlink (*named);
      errno = saved;
      fd = -1;
    }
  if (fd < 0)
    {
      free (*named);
      *named = NULL;
    }
out:
  if (fd < 0)
    {
      int saved = errno;
      close (*dirfd);
      *dirfd = -1;
      return ferry_make_error (err, saved, "opening file \"%s\"", path);
    }
  return fd;
}

int
ferry_output_file_commit (int fd, int dirfd, const char *path, const char *named, ferry_error_t *err)
{
  const char *base = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;

  if (dirfd < 0)
    return 0; /* written in place: a device or a FIFO */
  if (fsync (fd) < 0)
    return ferry_make_error (err, errno, "cannot write `%s`", path);
  /* Through DIRFD: the caller may have moved to a mount namespace of its
   * own since, where PATH is on another mount than FD.  */
  if (named)
    {
      if (renameat (dirfd, strrchr (named, '/') + 1, dirfd, base) < 0)
        return ferry_make_error (err, errno, "cannot write `%s`", path);
      return 0;
    }
  return link_unnamed (fd, dirfd, base, path, err);
}

/* The ID of the mount NAME lives on, or 0 when the kernel cannot tell.
 * st_dev alone misses a bind mount from the same file system.  */
static uint64_t
mount_id_at (int dirfd, const char *name)
{
  int flags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT;
  struct statx stx;

  if (*name == '\0')
    flags |= AT_EMPTY_PATH;
  if (statx (dirfd, name, flags, STATX_MNT_ID, &stx) < 0 || ! (stx.stx_mask & STATX_MNT_ID))
    return 0;
  return stx.stx_mnt_id;
}

static int
rm_rf_children (int dfd, const char *what, dev_t dev, uint64_t mnt_id, ferry_error_t *err)
{
  cleanup_dir DIR *d = fdopendir (dfd);
  struct dirent *de;

  if (d == NULL)
    {
      close (dfd);
      return ferry_make_error (err, errno, "cannot read directory `%s`", what);
    }
  while ((de = readdir (d)))
    {
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        {
          if (errno == ENOENT)
            continue;
          return ferry_make_error (err, errno, "cannot stat `%s/%s`", what, de->d_name);
        }
      if (S_ISDIR (st.st_mode))
        {
          cleanup_free char *child_path = xasprintf ("%s/%s", what, de->d_name);
          uint64_t child_mnt_id = mnt_id ? mount_id_at (dirfd (d), de->d_name) : 0;
          int child;

          if (st.st_dev != dev || (child_mnt_id && child_mnt_id != mnt_id))
            return ferry_make_error (err, EBUSY, "cannot remove `%s`: it is a mount point", child_path);
          child = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (child < 0)
            return ferry_make_error (err, errno, "cannot open `%s`", child_path);
          if (rm_rf_children (child, child_path, dev, mnt_id, err) < 0)
            return -1;
          if (unlinkat (dirfd (d), de->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT)
            return ferry_make_error (err, errno, "cannot remove `%s/%s`", what, de->d_name);
        }
      else if (unlinkat (dirfd (d), de->d_name, 0) < 0 && errno != ENOENT)
        return ferry_make_error (err, errno, "cannot remove `%s/%s`", what, de->d_name);
    }
  return 0;
}

int
ferry_rm_rf_at (int dirfd, const char *name, ferry_error_t *err)
{
  struct stat st;
  uint64_t mnt_id;
  int dfd;

  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return ferry_make_error (err, errno, "cannot stat `%s`", name);
    }
  if (! S_ISDIR (st.st_mode))
    {
      if (unlinkat (dirfd, name, 0) < 0 && errno != ENOENT)
        return ferry_make_error (err, errno, "cannot remove `%s`", name);
      return 0;
    }
  dfd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dfd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", name);
  mnt_id = mount_id_at (dfd, "");
  if (rm_rf_children (dfd, name, st.st_dev, mnt_id, err) < 0)
    return -1;
  if (unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return ferry_make_error (err, errno, "cannot remove `%s`", name);
  return 0;
}

int
ferry_rm_rf (const char *path, ferry_error_t *err)
{
  return ferry_rm_rf_at (AT_FDCWD, path, err);
}

void
ferry_rm_rf_quietly (const char *path)
{
  ferry_error_t ignored = NULL;

  if (ferry_rm_rf (path, &ignored) < 0)
    ferry_error_release (&ignored);
}

char *
ferry_path_normalize_entry (const char *path)
{
  size_t len;

  for (;;)
    {
      if (path[0] == '.' && path[1] == '/')
        path += 2;
      else if (path[0] == '/' && path[1] == '/')
        path++;
      else
        break;
    }
  len = strlen (path);
  while (len > 1 && path[len - 1] == '/')
    len--;
  return xstrndup (path, len);
}

int
ferry_path_is_clean_relative (const char *path)
{
  const char *p = path;

  while (p[0] == '.' && p[1] == '/')
    p += 2;
  if (*p == '\0' || *p == '/')
    return 0;
  while (*p)
    {
      const char *end = strchrnul (p, '/');
      size_t n = end - p;

      if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
        return end[0] == '\0' && n == 0; /* allow one trailing slash */
      p = *end ? end + 1 : end;
    }
  return 1;
}

char *
ferry_mkdtemp_in (const char *parent, const char *prefix, ferry_error_t *err)
{
  char *path = xasprintf ("%s/%sXXXXXX", parent, prefix);

  if (mkdtemp (path) == NULL)
    {
      ferry_make_error (err, errno, "cannot create a temporary directory in `%s`", parent);
      free (path);
      return NULL;
    }
  return path;
}

int
ferry_path_exists (const char *path)
{
  struct stat st;

  return lstat (path, &st) == 0;
}

int
ferry_fs_is_full (const char *path)
{
  struct statvfs sv;

  return statvfs (path, &sv) == 0 && (uint64_t) sv.f_bavail * sv.f_frsize < 64 * 1024;
}

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

int
ferry_openat2 (int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve)
{
  struct open_how how = { .flags = (uint64_t) flags, .mode = mode, .resolve = resolve };
  int fd;

  do
    fd = syscall (SYS_openat2, dirfd, path, &how, sizeof (how));
  while (fd < 0 && (errno == EAGAIN || errno == EINTR));
  return fd;
}

/* nftw passes no user data: the owner and the first failure of the one
 * walk a thread does at a time.  */
static __thread uid_t chown_uid;
static __thread gid_t chown_gid;
static __thread int chown_errno;
static __thread char *chown_failed;

static int
chown_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) flag;
  (void) ftw;
  if (st->st_uid == chown_uid && st->st_gid == chown_gid)
    return 0;
  if (lchown (path, chown_uid, chown_gid) < 0)
    {
      chown_errno = errno;
      chown_failed = xstrdup (path);
      return 1;
    }
  return 0;
}

int
ferry_chown_tree (const char *path, uid_t uid, gid_t gid, ferry_error_t *err)
{
  int rc;

  chown_uid = uid;
  chown_gid = gid;
  chown_errno = 0;
  chown_failed = NULL;
  rc = nftw (path, chown_one, 32, FTW_PHYS);
  if (rc == 0)
    return 0;
  if (chown_failed)
    {
      cleanup_free char *failed = chown_failed;
      chown_failed = NULL;
      return ferry_make_error (err, chown_errno, "cannot give `%s` to %u:%u", failed, (unsigned) uid,
                               (unsigned) gid);
    }
  return ferry_make_error (err, errno, "cannot walk `%s` to give it to %u:%u", path, (unsigned) uid,
                           (unsigned) gid);
}
