/* ferry: unpacking a tar stream into a directory without ever leaving it.
 *
 * libarchive only parses: it is fed the decompressed bytes and never
 * touches the file system.  Every entry is created here with *at() calls
 * relative to a directory descriptor that was resolved with openat2()
 * under RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS, and only the last component
 * is ever named, so a symlink in the tree (or planted by the tar itself)
 * can't redirect a write outside DEST.  */
#include "unpack.h"
#include "../util/cleanup.h"
#include "../util/decompress.h"
#include "../util/fs.h"
#include "../util/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define UNPACK_READ_BUF_SIZE (256 * 1024)

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

/* A directory whose times are set at the end, after its children.  */
struct dir_times
{
  char *path;
  struct timespec times[2];
  size_t order;
};

struct unpack
{
  struct archive *ar;
  ferry_decompress_t *stream;
  ferry_error_t read_err; /* why the stream failed, if it did */
  char *buf;
  int destfd;
  unsigned flags;
  uid_t uid; /* with FERRY_UNPACK_CHOWN: every entry's owner */
  gid_t gid;
  const char *noun; /* what an entry is called in errors: "layer entry" */
  uint64_t entries;

  /* The last parent directory opened: tar entries come grouped by directory.
   * Dropped whenever anything is removed, since a removal can replace a
   * directory on the cached path.  */
  char *parent_path;
  int parent_fd;

  struct dir_times *dirs;
  size_t n_dirs, dirs_allocated;
};

/* An entry's place: NAME is the normalized path, BASE its last component,
 * PFD the (borrowed) descriptor of its parent.  */
struct target
{
  const char *name;
  const char *base;
  int pfd;
};

static void
unpack_release (struct unpack *u)
{
  size_t i;

  if (u->ar)
    archive_read_free (u->ar);
  ferry_decompress_close (u->stream);
  ferry_error_release (&u->read_err);
  free (u->buf);
  if (u->destfd >= 0)
    close (u->destfd);
  if (u->parent_fd >= 0)
    close (u->parent_fd);
  free (u->parent_path);
  for (i = 0; i < u->n_dirs; i++)
    free (u->dirs[i].path);
  free (u->dirs);
}

static int
open_in_root (int rootfd, const char *path, int flags)
{
  return ferry_openat2 (rootfd, path, flags, 0, FERRY_RESOLVE_SAFE);
}

static int
resolve_error (ferry_error_t *err, const char *name, int errno_)
{
  switch (errno_)
    {
    case ELOOP:
      return ferry_make_error (err, errno_, "cannot unpack `%s`: writes through a symlink", name);
    case ENOTDIR:
      return ferry_make_error (err, errno_, "cannot unpack `%s`: a parent is not a directory", name);
    case EXDEV:
      return ferry_make_error (err, errno_, "cannot unpack `%s`: its parent crosses a mount point", name);
    default:
      return ferry_make_error (err, errno_, "cannot unpack `%s`: cannot open its parent directory", name);
    }
}

static bool
has_dotdot_component (const char *path)
{
  const char *p = path;

  for (;;)
    {
      const char *end = strchrnul (p, '/');

      if (end - p == 2 && p[0] == '.' && p[1] == '.')
        return true;
      if (*end == '\0')
        return false;
      p = end + 1;
    }
}

/* The descriptor stays open (the current entry may be using it) until the
 * next miss replaces it.  */
static void
drop_parent_cache (struct unpack *u)
{
  free (u->parent_path);
  u->parent_path = NULL;
}

/* OCI layers may omit directories: creates PARENT one component at a time,
 * refusing symlinks on the way.  Returns an owned descriptor.  */
static int
make_parents (struct unpack *u, const char *parent, const char *name, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (parent);
  cleanup_close int cur = -1;
  char *component, *saveptr = NULL;

  for (component = strtok_r (copy, "/", &saveptr); component; component = strtok_r (NULL, "/", &saveptr))
    {
      int at = cur >= 0 ? cur : u->destfd;
      int fd = open_in_root (at, component, O_PATH | O_DIRECTORY | O_CLOEXEC);

      if (fd < 0 && errno == ENOENT)
        {
          if (mkdirat (at, component, 0755) < 0 && errno != EEXIST)
            return ferry_make_error (err, errno, "cannot unpack `%s`: cannot create parent directory `%s`",
                                     name, component);
          /* Not subject to the umask: the layer would have said 0755.  */
          if (fchmodat (at, component, 0755, AT_SYMLINK_NOFOLLOW) < 0)
            return ferry_make_error (err, errno, "cannot unpack `%s`: cannot set the mode of `%s`", name,
                                     component);
          fd = open_in_root (at, component, O_PATH | O_DIRECTORY | O_CLOEXEC);
        }
      if (fd < 0)
        return resolve_error (err, name, errno);
      if (cur >= 0)
        close (cur);
      cur = fd;
    }
  return steal_fd (&cur);
}

/* Returns a borrowed descriptor of the directory that holds NAME.  */
static int
open_parent (struct unpack *u, const char *name, const char *base, ferry_error_t *err)
{
  size_t len = base - name;
  cleanup_free char *parent = NULL;
  int fd;

  if (len == 0)
    return u->destfd;
  len--; /* the slash */
  if (u->parent_path && strlen (u->parent_path) == len && memcmp (u->parent_path, name, len) == 0)
    return u->parent_fd;

  parent = xstrndup (name, len);
  fd = open_in_root (u->destfd, parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    fd = make_parents (u, parent, name, err);
  else if (fd < 0)
    return resolve_error (err, name, errno);
  if (fd < 0)
    return -1;
  free (u->parent_path);
  if (u->parent_fd >= 0)
    close (u->parent_fd);
  u->parent_path = steal_pointer (&parent);
  u->parent_fd = fd;
  return fd;
}

/* Clears the way for T after creating it failed with EEXIST.  Returns 1
 * when a directory is there and KEEP_DIR asks to keep it.  */
static int
make_room (struct unpack *u, const struct target *t, bool keep_dir, ferry_error_t *err)
{
  struct stat st;

  if (fstatat (t->pfd, t->base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      if (errno == ENOENT)
        return 0;
      return ferry_make_error (err, errno, "cannot unpack `%s`: cannot stat what is there", t->name);
    }
  if (S_ISDIR (st.st_mode) && keep_dir)
    return 1;
  /* A copy into a tree it does not own must not swap a directory (and
   * what is below it) for a file, or the reverse, unless asked to.  */
  if ((u->flags & FERRY_UNPACK_KEEP_TYPES) && (keep_dir || S_ISDIR (st.st_mode)))
    return ferry_make_error_kind (err, FERRY_ERROR_EXISTS, "cannot replace `%s`: it is %s", t->name,
                                  S_ISDIR (st.st_mode) ? "a directory" : "not a directory");
  drop_parent_cache (u);
  if (! S_ISDIR (st.st_mode))
    {
      if (unlinkat (t->pfd, t->base, 0) < 0 && errno != ENOENT)
        return ferry_make_error (err, errno, "cannot unpack `%s`: cannot remove what is there", t->name);
      return 0;
    }
  if (ferry_rm_rf_at (t->pfd, t->base, err) < 0)
    return ferry_error_wrap (err, "cannot unpack `%s`", t->name);
  return 0;
}

static void
entry_times (struct archive_entry *ae, struct timespec times[2])
{
  times[1].tv_sec = archive_entry_mtime (ae);
  times[1].tv_nsec = archive_entry_mtime_nsec (ae);
  if (archive_entry_atime_is_set (ae))
    {
      times[0].tv_sec = archive_entry_atime (ae);
      times[0].tv_nsec = archive_entry_atime_nsec (ae);
    }
  else
    times[0] = times[1];
}

static int
entry_owner (const struct unpack *un, struct archive_entry *ae, const char *name, uid_t *uid, gid_t *gid,
             ferry_error_t *err)
{
  la_int64_t u = archive_entry_uid (ae), g = archive_entry_gid (ae);

  if (un->flags & FERRY_UNPACK_CHOWN)
    {
      *uid = un->uid;
      *gid = un->gid;
      return 0;
    }

  if (u < 0 || u >= (la_int64_t) (uid_t) -1 || g < 0 || g >= (la_int64_t) (gid_t) -1)
    return ferry_make_error (err, 0, "cannot unpack `%s`: invalid owner %lld:%lld", name, (long long) u,
                             (long long) g);
  *uid = u;
  *gid = g;
  return 0;
}

/* overlayfs metadata comes from whiteouts, never from the tar: a layer
 * must not be able to set redirects or metacopy on its own files.  */
static bool
xattr_is_skipped (const char *key)
{
  return strncmp (key, "trusted.overlay.", strlen ("trusted.overlay.")) == 0;
}

static int
set_xattrs_fd (int fd, struct archive_entry *ae, const char *name, ferry_error_t *err)
{
  const char *key;
  const void *value;
  size_t size;

  if (archive_entry_xattr_reset (ae) == 0)
    return 0;
  while (archive_entry_xattr_next (ae, &key, &value, &size) == ARCHIVE_OK)
    {
      if (xattr_is_skipped (key))
        continue;
      if (fsetxattr (fd, key, value, size, 0) < 0)
        return ferry_make_error (err, errno, "cannot unpack `%s`: cannot set xattr `%s`", name, key);
    }
  return 0;
}

/* For nodes that can't be opened (symlinks, devices, FIFOs).  The kernel
 * refuses user.* xattrs on them, so those are dropped.  */
static int
set_xattrs_at (const struct target *t, struct archive_entry *ae, ferry_error_t *err)
{
  cleanup_free char *path = NULL;
  const char *key;
  const void *value;
  size_t size;

  if (archive_entry_xattr_reset (ae) == 0)
    return 0;
  /* The parent is pinned by its descriptor; only the last component is
   * looked up, and lsetxattr does not follow it.  */
  path = xasprintf ("/proc/self/fd/%d/%s", t->pfd, t->base);
  while (archive_entry_xattr_next (ae, &key, &value, &size) == ARCHIVE_OK)
    {
      if (xattr_is_skipped (key))
        continue;
      if (lsetxattr (path, key, value, size, 0) == 0)
        continue;
      if ((errno == EPERM || errno == ENOTSUP) && strncmp (key, "user.", 5) == 0)
        continue;
      return ferry_make_error (err, errno, "cannot unpack `%s`: cannot set xattr `%s`", t->name, key);
    }
  return 0;
}

/* The mode to give an entry: without setuid and setgid when the stream
 * is not trusted with them.  */
static mode_t
entry_mode (const struct unpack *u, struct archive_entry *ae)
{
  mode_t mode = archive_entry_perm (ae) & 07777;

  return (u->flags & FERRY_UNPACK_NO_SETID) ? mode & ~(mode_t) (S_ISUID | S_ISGID) : mode;
}

/* Owner before mode: chown clears setuid and setgid.  */
static int
set_metadata_fd (const struct unpack *u, int fd, struct archive_entry *ae, const char *name,
                 ferry_error_t *err)
{
  uid_t uid;
  gid_t gid;

  if (entry_owner (u, ae, name, &uid, &gid, err) < 0)
    return -1;
  if (fchown (fd, uid, gid) < 0)
    return ferry_make_error (err, errno, "cannot unpack `%s`: cannot set the owner", name);
  if (fchmod (fd, entry_mode (u, ae)) < 0)
    return ferry_make_error (err, errno, "cannot unpack `%s`: cannot set the mode", name);
  return set_xattrs_fd (fd, ae, name, err);
}

static int
set_metadata_at (const struct unpack *u, const struct target *t, struct archive_entry *ae, bool chmod,
                 ferry_error_t *err)
{
  struct timespec times[2];
  uid_t uid;
  gid_t gid;

  if (entry_owner (u, ae, t->name, &uid, &gid, err) < 0)
    return -1;
  if (fchownat (t->pfd, t->base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return ferry_make_error (err, errno, "cannot unpack `%s`: cannot set the owner", t->name);
  if (chmod && fchmodat (t->pfd, t->base, entry_mode (u, ae), AT_SYMLINK_NOFOLLOW) < 0)
    return ferry_make_error (err, errno, "cannot unpack `%s`: cannot set the mode", t->name);
  if (set_xattrs_at (t, ae, err) < 0)
    return -1;
  entry_times (ae, times);
  if (utimensat (t->pfd, t->base, times, AT_SYMLINK_NOFOLLOW) < 0)
    return ferry_make_error (err, errno, "cannot unpack `%s`: cannot set the times", t->name);
  return 0;
}

static int
stream_error (struct unpack *u, const char *name, ferry_error_t *err)
{
  /* The decompressor's own message says more than libarchive's copy.  */
  if (u->read_err)
    {
      ferry_error_release (err);
      *err = steal_pointer (&u->read_err);
      return -1;
    }
  if (name)
    return ferry_make_error (err, 0, "cannot unpack `%s`: %s", name, archive_error_string (u->ar));
  return ferry_make_error (err, 0, "cannot read the tar stream: %s", archive_error_string (u->ar));
}

static int
pwrite_all (int fd, const char *buf, size_t len, off_t offset)
{
  while (len > 0)
    {
      ssize_t w = pwrite (fd, buf, len, offset);

      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      buf += w;
      len -= w;
      offset += w;
    }
  return 0;
}

/* Sparse entries come as blocks at offsets: holes are never written.  */
static int
write_data (struct unpack *u, int fd, struct archive_entry *ae, const char *name, ferry_error_t *err)
{
  la_int64_t end = 0, size = archive_entry_size (ae);

  for (;;)
    {
      const void *block;
      size_t len;
      la_int64_t offset;
      int r = archive_read_data_block (u->ar, &block, &len, &offset);

      if (r == ARCHIVE_EOF)
        break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return stream_error (u, name, err);
      if (len > 0 && pwrite_all (fd, block, len, offset) < 0)
        return ferry_make_error (err, errno, "cannot unpack `%s`: cannot write its data", name);
      if (offset + (la_int64_t) len > end)
        end = offset + len;
    }
  if (size > end && ftruncate (fd, size) < 0)
    return ferry_make_error (err, errno, "cannot unpack `%s`: cannot set its size", name);
  return 0;
}

/* Writes the entry's data and metadata to FD.  */
static int
fill_regular (struct unpack *u, int fd, const struct target *t, struct archive_entry *ae, ferry_error_t *err)
{
  struct timespec times[2];

  if (write_data (u, fd, ae, t->name, err) < 0)
    return -1;
  if (set_metadata_fd (u, fd, ae, t->name, err) < 0)
    return -1;
  entry_times (ae, times);
  if (futimens (fd, times) < 0)
    return ferry_make_error (err, errno, "cannot unpack `%s`: cannot set the times", t->name);
  return 0;
}

static int
link_regular (int fd, const struct target *t)
{
  char proc[64];

  snprintf (proc, sizeof (proc), "/proc/self/fd/%d", fd);
  return linkat (AT_FDCWD, proc, t->pfd, t->base, AT_SYMLINK_FOLLOW);
}

/* The file is written unnamed (O_TMPFILE) and named only once whole, so
 * that a full disk or a broken stream midway leaves no truncated file,
 * and the file it replaces (a copy into a container, a volume import) is
 * kept until then.  A file system without unnamed files gets it written
 * in place.  */
static int
unpack_regular (struct unpack *u, const struct target *t, struct archive_entry *ae, ferry_error_t *err)
{
  const int flags = O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC;
  cleanup_close int fd = openat (t->pfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);

  if (fd >= 0)
    {
      if (fill_regular (u, fd, t, ae, err) < 0)
        return -1;
      if (link_regular (fd, t) == 0)
        return 0;
      if (errno != EEXIST)
        return ferry_make_error (err, errno, "cannot unpack `%s`: cannot create the file", t->name);
      if (make_room (u, t, false, err) < 0)
        return -1;
      if (link_regular (fd, t) < 0)
        return ferry_make_error (err, errno, "cannot unpack `%s`: cannot create the file", t->name);
      return 0;
    }
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
    return ferry_make_error (err, errno, "cannot unpack `%s`: cannot create the file", t->name);
  fd = openat (t->pfd, t->base, flags, 0600);
  if (fd < 0 && errno == EEXIST)
    {
      if (make_room (u, t, false, err) < 0)
        return -1;
      fd = openat (t->pfd, t->base, flags, 0600);
    }
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot unpack `%s`: cannot create the file", t->name);
  return fill_regular (u, fd, t, ae, err);
}

static void
record_dir_times (struct unpack *u, const char *path, struct archive_entry *ae)
{
  struct dir_times *d;

  if (u->n_dirs == u->dirs_allocated)
    {
      u->dirs_allocated = u->dirs_allocated ? u->dirs_allocated * 2 : 64;
      u->dirs = xrealloc (u->dirs, u->dirs_allocated * sizeof (*u->dirs));
    }
  d = &u->dirs[u->n_dirs];
  d->path = xstrdup (path);
  d->order = u->n_dirs++;
  entry_times (ae, d->times);
}

static int
unpack_directory (struct unpack *u, const struct target *t, struct archive_entry *ae, ferry_error_t *err)
{
  cleanup_close int fd = -1;

  if (mkdirat (t->pfd, t->base, 0700) < 0)
    {
      int kept;

      if (errno != EEXIST)
        return ferry_make_error (err, errno, "cannot unpack `%s`: cannot create the directory", t->name);
      kept = make_room (u, t, true, err);
      if (kept < 0)
        return -1;
      if (! kept && mkdirat (t->pfd, t->base, 0700) < 0)
        return ferry_make_error (err, errno, "cannot unpack `%s`: cannot create the directory", t->name);
    }
  fd = openat (t->pfd, t->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot unpack `%s`: cannot open the directory", t->name);
  if (set_metadata_fd (u, fd, ae, t->name, err) < 0)
    return -1;
  record_dir_times (u, t->name, ae);
  return 0;
}

/* Whether the relative symlink NAME -> TARGET, read from NAME's
 * directory, climbs above the top of the tree at some step.  */
static bool
symlink_climbs_out (const char *name, const char *target)
{
  long depth = 0;
  const char *p;

  if (target[0] == '/')
    return false;
  for (p = name; *p; p++)
    depth += *p == '/';
  for (p = target; *p;)
    {
      const char *end = strchrnul (p, '/');
      size_t n = end - p;

      if (n == 2 && p[0] == '.' && p[1] == '.')
        depth--;
      else if (n > 0 && ! (n == 1 && p[0] == '.'))
        depth++;
      if (depth < 0)
        return true;
      p = *end ? end + 1 : end;
    }
  return false;
}

/* The target is content, not a path we follow: kept verbatim.  */
static int
unpack_symlink (struct unpack *u, const struct target *t, struct archive_entry *ae, ferry_error_t *err)
{
  const char *linkname = archive_entry_symlink (ae);

  if (linkname == NULL || *linkname == '\0')
    return ferry_make_error (err, 0, "cannot unpack `%s`: symlink without a target", t->name);
  if ((u->flags & FERRY_UNPACK_ROOTED_NAMES) && symlink_climbs_out (t->name, linkname))
    return ferry_make_error (err, 0, "invalid symlink `%s` -> `%s`: its target climbs out of the destination",
                             t->name, linkname);
  if (symlinkat (linkname, t->pfd, t->base) < 0)
    {
      if (errno != EEXIST)
        return ferry_make_error (err, errno, "cannot unpack `%s`: cannot create the symlink", t->name);
      if (make_room (u, t, false, err) < 0)
        return -1;
      if (symlinkat (linkname, t->pfd, t->base) < 0)
        return ferry_make_error (err, errno, "cannot unpack `%s`: cannot create the symlink", t->name);
    }
  return set_metadata_at (u, t, ae, false, err);
}

static int
hardlink_target_error (ferry_error_t *err, const char *name, const char *target, int errno_)
{
  switch (errno_)
    {
    case ENOENT:
      return ferry_make_error (err, errno_, "cannot unpack hard link `%s`: its target `%s` does not exist",
                               name, target);
    case ELOOP:
      return ferry_make_error (err, errno_,
                               "cannot unpack hard link `%s`: its target `%s` is reached through a symlink",
                               name, target);
    default:
      return ferry_make_error (err, errno_, "cannot unpack hard link `%s`: cannot open its target `%s`", name,
                               target);
    }
}

/* RAW normalized; with FERRY_UNPACK_ROOTED_NAMES, "/" at its start is
 * DEST.  */
static char *
entry_path (const struct unpack *u, const char *raw)
{
  if (u->flags & FERRY_UNPACK_ROOTED_NAMES)
    while (raw[0] == '/' || (raw[0] == '.' && raw[1] == '/'))
      raw += raw[0] == '/' ? 1 : 2;
  return ferry_path_normalize_entry (raw);
}

/* The link shares the target's inode and metadata: nothing else to set.  */
static int
unpack_hardlink (struct unpack *u, const struct target *t, struct archive_entry *ae, ferry_error_t *err)
{
  const char *raw = archive_entry_hardlink (ae);
  cleanup_free char *target = entry_path (u, raw);
  cleanup_close int tfd = -1;

  if (! ferry_path_is_clean_relative (target))
    return ferry_make_error (err, 0, "cannot unpack hard link `%s`: its target `%s` escapes the destination",
                             t->name, raw);
  /* O_NOFOLLOW: a hard link to a symlink links the symlink itself.  */
  tfd = open_in_root (u->destfd, target, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (tfd < 0)
    return hardlink_target_error (err, t->name, target, errno);
  if (linkat (tfd, "", t->pfd, t->base, AT_EMPTY_PATH) < 0)
    {
      if (errno != EEXIST)
        return ferry_make_error (err, errno, "cannot unpack hard link `%s` to `%s`", t->name, target);
      if (make_room (u, t, false, err) < 0)
        return -1;
      if (linkat (tfd, "", t->pfd, t->base, AT_EMPTY_PATH) < 0)
        return ferry_make_error (err, errno, "cannot unpack hard link `%s` to `%s`", t->name, target);
    }
  return 0;
}

/* Character and block devices, FIFOs.  */
static int
unpack_node (struct unpack *u, const struct target *t, struct archive_entry *ae, ferry_error_t *err)
{
  mode_t mode = archive_entry_filetype (ae) | entry_mode (u, ae);
  dev_t rdev = S_ISFIFO (mode) ? 0 : archive_entry_rdev (ae);

  if ((u->flags & FERRY_UNPACK_NO_DEVICES) && ! S_ISFIFO (mode))
    return ferry_make_error (
        err, 0, "cannot unpack `%s`: it is a device node, and this source may not make one", t->name);
  if (mknodat (t->pfd, t->base, mode, rdev) < 0)
    {
      if (errno != EEXIST)
        return ferry_make_error (err, errno, "cannot unpack `%s`: cannot create the node", t->name);
      if (make_room (u, t, false, err) < 0)
        return -1;
      if (mknodat (t->pfd, t->base, mode, rdev) < 0)
        return ferry_make_error (err, errno, "cannot unpack `%s`: cannot create the node", t->name);
    }
  return set_metadata_at (u, t, ae, true, err);
}

static int
set_opaque (const struct target *t, ferry_error_t *err)
{
  cleanup_close int fd = openat (t->pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot unpack `%s`: cannot open its directory", t->name);
  if (fsetxattr (fd, "trusted.overlay.opaque", "y", 1, 0) < 0)
    return ferry_make_error (err, errno, "cannot unpack `%s`: cannot mark its directory opaque", t->name);
  return 0;
}

/* dir/.wh.NAME hides dir/NAME of the lower layers: overlayfs spells that
 * as a 0:0 character device.  */
static int
unpack_whiteout (struct unpack *u, const struct target *t, ferry_error_t *err)
{
  const char *victim = t->base + strlen (WHITEOUT_PREFIX);

  if (strcmp (t->base, WHITEOUT_OPAQUE) == 0)
    return set_opaque (t, err);
  drop_parent_cache (u);
  if (ferry_rm_rf_at (t->pfd, victim, err) < 0)
    return ferry_error_wrap (err, "cannot unpack whiteout `%s`", t->name);
  if (mknodat (t->pfd, victim, S_IFCHR | 0000, makedev (0, 0)) < 0)
    return ferry_make_error (err, errno, "cannot unpack whiteout `%s`: cannot create the device", t->name);
  if (fchownat (t->pfd, victim, 0, 0, AT_SYMLINK_NOFOLLOW) < 0)
    return ferry_make_error (err, errno, "cannot unpack whiteout `%s`: cannot set the owner", t->name);
  return 0;
}

/* Returns 1 when the entry is a whiteout to act on, 0 when it is not a
 * whiteout, 2 when it is one to drop.  */
static int
classify_whiteout (const struct unpack *u, const char *name, const char *base, ferry_error_t *err)
{
  const char *victim = base + strlen (WHITEOUT_PREFIX);

  if (strncmp (base, WHITEOUT_PREFIX, strlen (WHITEOUT_PREFIX)) != 0)
    return 0;
  if (strcmp (base, WHITEOUT_OPAQUE) == 0)
    return 1;
  if (strncmp (base, WHITEOUT_META_PREFIX, strlen (WHITEOUT_META_PREFIX)) == 0)
    return 2;
  if (*victim == '\0' || strcmp (victim, ".") == 0 || strcmp (victim, "..") == 0)
    return ferry_make_error (err, 0, "%s `%s` is an invalid whiteout", u->noun, name);
  return 1;
}

/* "./" itself: its metadata belongs to DEST.  */
static int
unpack_root (struct unpack *u, struct archive_entry *ae, ferry_error_t *err)
{
  if (archive_entry_filetype (ae) != AE_IFDIR || archive_entry_hardlink (ae))
    return ferry_make_error (err, 0, "%s `%s` is the root but not a directory", u->noun,
                             archive_entry_pathname (ae));
  if (set_metadata_fd (u, u->destfd, ae, ".", err) < 0)
    return -1;
  record_dir_times (u, ".", ae);
  return 0;
}

static int
check_name (const struct unpack *u, const char *raw, const char *name, ferry_error_t *err)
{
  if (name[0] == '/' || has_dotdot_component (name))
    return ferry_make_error (err, 0, "%s `%s` escapes the destination", u->noun, raw);
  if (! ferry_path_is_clean_relative (name))
    return ferry_make_error (err, 0, "%s `%s` is not a clean relative path", u->noun, raw);
  return 0;
}

static int
unpack_by_type (struct unpack *u, const struct target *t, struct archive_entry *ae, ferry_error_t *err)
{
  if (archive_entry_hardlink (ae))
    return unpack_hardlink (u, t, ae, err);
  switch (archive_entry_filetype (ae))
    {
    case AE_IFREG:
      return unpack_regular (u, t, ae, err);
    case AE_IFDIR:
      return unpack_directory (u, t, ae, err);
    case AE_IFLNK:
      return unpack_symlink (u, t, ae, err);
    case AE_IFCHR:
    case AE_IFBLK:
    case AE_IFIFO:
      return unpack_node (u, t, ae, err);
    case AE_IFSOCK:
      /* A socket is only meaningful while its server runs.  */
      return 0;
    default:
      return ferry_make_error (err, 0, "cannot unpack `%s`: unsupported entry type 0%o", t->name,
                               (unsigned) archive_entry_filetype (ae));
    }
}

static int
unpack_entry (struct unpack *u, struct archive_entry *ae, ferry_error_t *err)
{
  const char *raw = archive_entry_pathname (ae);
  cleanup_free char *name = NULL;
  struct target t;
  const char *slash;
  int whiteout = 0;

  if (raw == NULL || *raw == '\0')
    return ferry_make_error (err, 0, "tar stream has an entry without a name");
  name = entry_path (u, raw);
  if (name[0] == '\0' || strcmp (name, ".") == 0)
    return unpack_root (u, ae, err);
  if (check_name (u, raw, name, err) < 0)
    return -1;

  slash = strrchr (name, '/');
  t.name = name;
  t.base = slash ? slash + 1 : name;
  if (u->flags & FERRY_UNPACK_OVERLAY_WHITEOUTS)
    {
      whiteout = classify_whiteout (u, name, t.base, err);
      if (whiteout < 0)
        return -1;
      if (whiteout == 2)
        return 0;
    }
  t.pfd = open_parent (u, name, t.base, err);
  if (t.pfd < 0)
    return -1;
  if (whiteout)
    return unpack_whiteout (u, &t, err);
  return unpack_by_type (u, &t, ae, err);
}

/* Deepest first; for one path, the later entry wins.  */
static int
compare_dir_times (const void *a, const void *b)
{
  const struct dir_times *x = a, *y = b;
  size_t dx = 0, dy = 0;
  const char *p;

  for (p = x->path; *p; p++)
    dx += *p == '/';
  for (p = y->path; *p; p++)
    dy += *p == '/';
  if (dx != dy)
    return dx > dy ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

static int
apply_dir_times (struct unpack *u, ferry_error_t *err)
{
  size_t i;

  if (u->n_dirs == 0)
    return 0;
  qsort (u->dirs, u->n_dirs, sizeof (*u->dirs), compare_dir_times);
  for (i = 0; i < u->n_dirs; i++)
    {
      cleanup_close int fd = open_in_root (u->destfd, u->dirs[i].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

      /* Replaced or removed by a later entry: nothing to restore.  */
      if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
        continue;
      if (fd < 0)
        return ferry_make_error (err, errno, "cannot open directory `%s` to set its times", u->dirs[i].path);
      if (futimens (fd, u->dirs[i].times) < 0)
        return ferry_make_error (err, errno, "cannot set the times of directory `%s`", u->dirs[i].path);
    }
  return 0;
}

static la_ssize_t
read_callback (struct archive *ar, void *data, const void **block)
{
  struct unpack *u = data;
  ssize_t r = ferry_decompress_read (u->stream, u->buf, UNPACK_READ_BUF_SIZE, &u->read_err);

  if (r < 0)
    {
      archive_set_error (ar, EIO, "%s", u->read_err->msg);
      return -1;
    }
  *block = u->buf;
  return r;
}

static int
open_archive (struct unpack *u, ferry_error_t *err)
{
  u->ar = archive_read_new ();
  if (u->ar == NULL)
    return ferry_make_error (err, ENOMEM, "cannot create a tar reader");
  /* Formats only, no filters: decompression is ours, so it is hashed.  */
  archive_read_support_format_tar (u->ar);
  archive_read_support_format_empty (u->ar);
  if (archive_read_open (u->ar, u, NULL, read_callback, NULL) != ARCHIVE_OK)
    {
      /* No tar at all, which callers may word as their command does
       * (libarchive's ARCHIVE_ERRNO_FILE_FORMAT, which it keeps private, is
       * EILSEQ on Linux).  */
      if (u->read_err == NULL && archive_errno (u->ar) == EILSEQ)
        return ferry_make_error_kind (err, FERRY_ERROR_FORMAT, "cannot read the tar stream: %s",
                                      archive_error_string (u->ar));
      return stream_error (u, NULL, err);
    }
  return 0;
}

static int
unpack_all (struct unpack *u, ferry_error_t *err)
{
  for (;;)
    {
      struct archive_entry *ae;
      int r = archive_read_next_header (u->ar, &ae);

      if (r == ARCHIVE_EOF)
        return 0;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return stream_error (u, NULL, err);
      u->entries++;
      if (unpack_entry (u, ae, err) < 0)
        return -1;
    }
}

int
ferry_unpack_tar (int fd, const char *dest, unsigned flags, struct ferry_unpack_result *result,
                  ferry_error_t *err)
{
  return ferry_unpack_tar_named (fd, dest, dest, flags, result, err);
}

int
ferry_unpack_tar_named (int fd, const char *what, const char *dest, unsigned flags,
                        struct ferry_unpack_result *result, ferry_error_t *err)
{
  cleanup_close int destfd = open (dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct ferry_unpack_options o = { .flags = flags };

  if (destfd < 0)
    return ferry_make_error (err, errno, "cannot open destination directory `%s`", dest);
  return ferry_unpack_tar_at (fd, what, destfd, &o, result, err);
}

int
ferry_unpack_tar_at (int fd, const char *what, int destfd, const struct ferry_unpack_options *o,
                     struct ferry_unpack_result *result, ferry_error_t *err)
{
  __attribute__ ((cleanup (unpack_release))) struct unpack u
      = { .destfd = -1,
          .parent_fd = -1,
          .flags = o->flags,
          .uid = o->uid,
          .gid = o->gid,
          .noun = o->entry_noun ? o->entry_noun : "layer entry" };

  u.destfd = fcntl (destfd, F_DUPFD_CLOEXEC, 0);
  if (u.destfd < 0)
    return ferry_make_error (err, errno, "cannot open the destination of `%s`", what);
  u.stream = ferry_decompress_open (fd, what, err);
  if (u.stream == NULL)
    return -1;
  u.buf = xmalloc (UNPACK_READ_BUF_SIZE);
  if (open_archive (&u, err) < 0 || unpack_all (&u, err) < 0)
    return -1;
  /* The diff digest covers the whole tar, padding after the end included.  */
  if (ferry_decompress_drain (u.stream, err) < 0)
    return -1;
  if (apply_dir_times (&u, err) < 0)
    return -1;
  if (result)
    {
      ferry_decompress_digests (u.stream, result->compressed_digest, result->diff_digest,
                                &result->compressed_size, &result->diff_size);
      result->entries = u.entries;
      result->compression = ferry_decompress_kind (u.stream);
    }
  return 0;
}
