#include "overlay.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* glibc >= 2.36 pulls <linux/mount.h> into <sys/mount.h>; older headers
 * lack the new mount API, and including both there clashes.  */
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC 0x00000001
#define FSMOUNT_CLOEXEC 0x00000001
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
struct mount_attr
{
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#endif
#ifndef SYS_open_tree
#define SYS_open_tree 428
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif
#ifndef SYS_move_mount
#define SYS_move_mount 429
#endif
#ifndef SYS_fsopen
#define SYS_fsopen 430
#endif
#ifndef SYS_fsconfig
#define SYS_fsconfig 431
#endif
#ifndef SYS_fsmount
#define SYS_fsmount 432
#endif

#define OVERLAYFS_MAGIC 0x794c7630

/* The kernel's page-sized limit on mount(2) option data.  */
#define LEGACY_OPTIONS_MAX 4095

void
ferry_overlay_paths (const char *dir, struct ferry_overlay *out)
{
  out->dir = xstrdup (dir);
  out->upper = xasprintf ("%s/upper", dir);
  out->work = xasprintf ("%s/work", dir);
  out->merged = xasprintf ("%s/merged", dir);
}

void
ferry_overlay_free (struct ferry_overlay *ov)
{
  if (ov == NULL)
    return;
  free (ov->dir);
  free (ov->upper);
  free (ov->work);
  free (ov->merged);
  ov->dir = ov->upper = ov->work = ov->merged = NULL;
}

static int
make_dir (const char *path, mode_t mode, ferry_error_t *err)
{
  if (mkdir (path, mode) < 0 && errno != EEXIST)
    return ferry_make_error (err, errno, "cannot create directory `%s`", path);
  return 0;
}

int
ferry_overlay_create (const char *dir, struct ferry_overlay *out, ferry_error_t *err)
{
  cleanup_free char *parent = xstrdup (dir);
  char *slash = strrchr (parent, '/');
  struct ferry_overlay ov;

  if (slash && slash != parent)
    {
      *slash = '\0';
      if (ferry_mkdir_p (parent, 0755, err) < 0)
        return -1;
    }
  ferry_overlay_paths (dir, &ov);
  if (make_dir (ov.dir, 0700, err) < 0 || make_dir (ov.upper, 0755, err) < 0
      || make_dir (ov.work, 0700, err) < 0 || make_dir (ov.merged, 0755, err) < 0)
    {
      ferry_overlay_free (&ov);
      return -1;
    }
  *out = ov;
  return 0;
}

static bool is_bound (const struct ferry_overlay *ov);
static int is_overlay_mounted (const struct ferry_overlay *ov);

int
ferry_overlay_is_mounted (const struct ferry_overlay *ov)
{
  return is_overlay_mounted (ov) || is_bound (ov);
}

static int
is_overlay_mounted (const struct ferry_overlay *ov)
{
  struct statx stx;
  struct statfs sfs;

  if (statx (AT_FDCWD, ov->merged, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
    return 0;
  if (statfs (ov->merged, &sfs) < 0 || sfs.f_type != OVERLAYFS_MAGIC)
    return 0;
  if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;

  /* Kernels before 5.8: an overlay on merged has a device of its own.  */
  {
    cleanup_free char *parent = xasprintf ("%s/..", ov->merged);
    struct stat st;

    if (stat (parent, &st) < 0)
      return 0;
    return makedev (stx.stx_dev_major, stx.stx_dev_minor) != st.st_dev;
  }
}

/* Overlayfs splits lowerdir on ':' and mount(2) data on ',', and drops a
 * backslash before any character: escape those three with a backslash.  */
static char *
escape_overlay_path (const char *path, const char *special)
{
  char *out = xmalloc (strlen (path) * 2 + 1);
  char *o = out;

  for (const char *p = path; *p; p++)
    {
      if (strchr (special, *p))
        *o++ = '\\';
      *o++ = *p;
    }
  *o = '\0';
  return out;
}

/* The error lines ("e overlayfs: ...") the kernel queued on FS_FD, joined
 * with "; ", or NULL when there are none.  */
static char *
read_fs_context_messages (int fs_fd)
{
  char *all = NULL;
  char buf[1024];

  for (int i = 0; i < 32; i++)
    {
      ssize_t r = read (fs_fd, buf, sizeof (buf) - 1);
      char *joined;

      if (r <= 0)
        break;
      buf[r] = '\0';
      if (buf[r - 1] == '\n')
        buf[r - 1] = '\0';
      /* Lines start with "e ", "w " or "i ".  */
      joined = xasprintf ("%s%s%s", all ? all : "", all ? "; " : "", r > 2 && buf[1] == ' ' ? buf + 2 : buf);
      free (all);
      all = joined;
    }
  return all;
}

static int
fs_config_error (int fs_fd, int errno_, const char *what, const char *merged, ferry_error_t *err)
{
  cleanup_free char *kernel = read_fs_context_messages (fs_fd);

  if (kernel)
    return ferry_make_error (err, errno_, "cannot mount overlay on `%s`: %s: %s", merged, what, kernel);
  return ferry_make_error (err, errno_, "cannot mount overlay on `%s`: %s", merged, what);
}

static int
fs_config_string (int fs_fd, const char *key, const char *value)
{
  return syscall (SYS_fsconfig, fs_fd, FSCONFIG_SET_STRING, key, value, 0);
}

/* Mounts with fsopen/fsconfig/fsmount: one "lowerdir+" per layer, so the
 * number of layers is not bounded by the page-sized option string.  Returns
 * 1 (and sets nothing) when the kernel lacks that API.  */
static int
mount_with_fs_context (const struct ferry_overlay *ov, const char *const *lowers, size_t n,
                       ferry_error_t *err)
{
  cleanup_close int fs_fd = -1;
  cleanup_close int mnt_fd = -1;
  /* The kernel still unescapes "upperdir" and "workdir" given this way
   * (not "lowerdir+").  */
  cleanup_free char *upper = escape_overlay_path (ov->upper, "\\");
  cleanup_free char *work = escape_overlay_path (ov->work, "\\");
  static const char *const options[][2] = {
    { "redirect_dir", "off" },
    { "metacopy", "off" },
    { "index", "off" },
  };

  fs_fd = syscall (SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
  if (fs_fd < 0)
    {
      if (errno == ENOSYS)
        return 1;
      return ferry_make_error (err, errno, "cannot mount overlay on `%s`: fsopen", ov->merged);
    }
  for (size_t i = 0; i < n; i++)
    {
      if (fs_config_string (fs_fd, "lowerdir+", lowers[i]) == 0)
        continue;
      {
        int saved = errno;
        cleanup_free char *kernel = read_fs_context_messages (fs_fd);

        /* Before Linux 6.8 "lowerdir+" is an unknown parameter.  */
        if (i == 0 && saved == EINVAL && (kernel == NULL || strstr (kernel, "nknown parameter")))
          return 1;
        if (kernel)
          return ferry_make_error (err, saved, "cannot mount overlay on `%s`: lower dir `%s`: %s", ov->merged,
                                   lowers[i], kernel);
        return ferry_make_error (err, saved, "cannot mount overlay on `%s`: lower dir `%s`", ov->merged,
                                 lowers[i]);
      }
    }
  /* The source mount(2) would show, as Podman's overlay has it (df and
   * /proc/mounts in the container say "overlay", not "none").  */
  if (fs_config_string (fs_fd, "source", "overlay") < 0)
    return fs_config_error (fs_fd, errno, "source", ov->merged, err);
  if (fs_config_string (fs_fd, "upperdir", upper) < 0)
    return fs_config_error (fs_fd, errno, "upper dir", ov->merged, err);
  if (fs_config_string (fs_fd, "workdir", work) < 0)
    return fs_config_error (fs_fd, errno, "work dir", ov->merged, err);
  for (size_t i = 0; i < sizeof (options) / sizeof (options[0]); i++)
    if (fs_config_string (fs_fd, options[i][0], options[i][1]) < 0)
      {
        cleanup_free char *what = xasprintf ("option %s=%s", options[i][0], options[i][1]);
        return fs_config_error (fs_fd, errno, what, ov->merged, err);
      }
  if (syscall (SYS_fsconfig, fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return fs_config_error (fs_fd, errno, "create", ov->merged, err);
  mnt_fd = syscall (SYS_fsmount, fs_fd, FSMOUNT_CLOEXEC, 0);
  if (mnt_fd < 0)
    return ferry_make_error (err, errno, "cannot mount overlay on `%s`: fsmount", ov->merged);
  if (syscall (SYS_move_mount, mnt_fd, "", AT_FDCWD, ov->merged, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return ferry_make_error (err, errno, "cannot mount overlay on `%s`: move_mount", ov->merged);
  return 0;
}

/* Not in overlay.h: mount(2) with one option string, for kernels without
 * "lowerdir+" (< 6.8).  Bounded by the page size, so by the number and
 * length of the layer paths.  Visible so that the unit test can run it.  */
int ferry_overlay_mount_legacy (const struct ferry_overlay *ov, const char *const *lowers, size_t n,
                                ferry_error_t *err);

int
ferry_overlay_mount_legacy (const struct ferry_overlay *ov, const char *const *lowers, size_t n,
                            ferry_error_t *err)
{
  cleanup_free char *lowerdir = xstrdup ("");
  cleanup_free char *upper = escape_overlay_path (ov->upper, "\\:,");
  cleanup_free char *work = escape_overlay_path (ov->work, "\\:,");
  cleanup_free char *options = NULL;

  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *escaped = escape_overlay_path (lowers[i], "\\:,");
      char *joined = xasprintf ("%s%s%s", lowerdir, i ? ":" : "", escaped);

      free (lowerdir);
      lowerdir = joined;
    }
  options = xasprintf ("lowerdir=%s,upperdir=%s,workdir=%s,redirect_dir=off,metacopy=off,index=off", lowerdir,
                       upper, work);
  if (strlen (options) > LEGACY_OPTIONS_MAX)
    return ferry_make_error (
        err, E2BIG,
        "cannot mount overlay on `%s`: %zu layers make an option string of %zu bytes, more "
        "than this kernel accepts (use Linux >= 6.8)",
        ov->merged, n, strlen (options));
  if (mount ("overlay", ov->merged, "overlay", 0, options) < 0)
    return ferry_make_error (err, errno, "cannot mount overlay on `%s`", ov->merged);
  return 0;
}

int
ferry_overlay_mount (const struct ferry_overlay *ov, const char *const *lowers, size_t n, ferry_error_t *err)
{
  cleanup_free char *empty = NULL;
  const char *only_empty[1];
  int r;

  if (ferry_overlay_is_mounted (ov))
    return 0;
  if (n == 0)
    {
      /* Overlayfs needs at least one lower dir.  */
      empty = xasprintf ("%s/empty", ov->dir);
      if (make_dir (empty, 0755, err) < 0)
        return -1;
      only_empty[0] = empty;
      lowers = only_empty;
      n = 1;
    }
  r = mount_with_fs_context (ov, lowers, n, err);
  if (r <= 0)
    return r;
  return ferry_overlay_mount_legacy (ov, lowers, n, err);
}

int
ferry_overlay_mount_idmapped (const struct ferry_overlay *ov, const char *const *lowers, size_t n,
                              int userns_fd, ferry_error_t *err)
{
  cleanup_free int *fds = xmalloc0 (sizeof (int) * (n + 1));
  cleanup_strv char **paths = xmalloc0 (sizeof (char *) * (n + 1));
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t) userns_fd };
  size_t opened = 0;
  int r = -1;

  if (ferry_overlay_is_mounted (ov))
    return 0;
  if (n == 0)
    return ferry_overlay_mount (ov, lowers, n, err);
  for (; opened < n; opened++)
    {
      fds[opened] = syscall (SYS_open_tree, AT_FDCWD, lowers[opened], OPEN_TREE_CLONE | O_CLOEXEC);
      if (fds[opened] < 0)
        {
          ferry_make_error (err, errno, "cannot open layer `%s` for an idmapped mount", lowers[opened]);
          goto out;
        }
      if (syscall (SYS_mount_setattr, fds[opened], "", AT_EMPTY_PATH, &attr, sizeof (attr)) < 0)
        {
          ferry_make_error (err, errno,
                            "cannot make an idmapped mount of layer `%s` (the kernel and "
                            "the file system must support idmapped mounts)",
                            lowers[opened]);
          opened++;
          goto out;
        }
      /* A detached mount, reached through its descriptor's magic link.  */
      paths[opened] = xasprintf ("/proc/self/fd/%d", fds[opened]);
    }
  r = mount_with_fs_context (ov, (const char *const *) paths, n, err);
  if (r > 0)
    r = ferry_make_error (err, ENOSYS, "cannot mount overlay on `%s` with idmapped layers: use Linux >= 6.8",
                          ov->merged);
out:
  for (size_t i = 0; i < opened; i++)
    if (fds[i] >= 0)
      close (fds[i]);
  return r;
}

static void
sleep_briefly (void)
{
  struct timespec ts = { .tv_sec = 0, .tv_nsec = 20 * 1000 * 1000 };

  nanosleep (&ts, NULL);
}

/* Whether PATH is the root of a mount of any kind: statx's answer, or on
 * kernels before 5.8, whether /proc/self/mountinfo lists it.  */
static bool
is_mount_point (const char *path)
{
  struct statx stx;
  cleanup_fclose FILE *f = NULL;
  cleanup_free char *line = NULL;
  size_t cap = 0;

  if (statx (AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx) < 0)
    return false;
  if (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
    return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  f = fopen ("/proc/self/mountinfo", "re");
  while (f && getline (&line, &cap, f) > 0)
    {
      char point[PATH_MAX];

      /* ID PARENT MAJ:MIN ROOT POINT ...; a point with a space is escaped,
       * and ferry's storage paths have none.  */
      if (sscanf (line, "%*s %*s %*s %*s %4095s", point) == 1 && strcmp (point, path) == 0)
        return true;
    }
  return false;
}

/* A bind of ferry_overlay_bind: a mount at merged that is no overlay.  */
static bool
is_bound (const struct ferry_overlay *ov)
{
  struct statfs sfs;

  return is_mount_point (ov->merged) && statfs (ov->merged, &sfs) == 0 && sfs.f_type != OVERLAYFS_MAGIC;
}

int
ferry_overlay_bind (const struct ferry_overlay *ov, const char *root, ferry_error_t *err)
{
  cleanup_close int fd = -1;
  cleanup_free char *by_fd = NULL;
  struct stat st, host_root;

  if (is_mount_point (ov->merged))
    return 0;
  /* What is bound is the directory checked here, through its descriptor:
   * a path swapped meanwhile for a link to the host's / binds nothing.  */
  fd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open the root directory `%s`", root);
  if (fstat (fd, &st) < 0 || stat ("/", &host_root) < 0)
    return ferry_make_error (err, errno, "cannot stat the root directory `%s`", root);
  if (st.st_dev == host_root.st_dev && st.st_ino == host_root.st_ino)
    return ferry_make_error (err, 0, "refusing to bind the host's / (`%s`) as a container's root", root);
  by_fd = xasprintf ("/proc/self/fd/%d", fd);
  if (mount (by_fd, ov->merged, NULL, MS_BIND | MS_REC, NULL) < 0)
    return ferry_make_error (err, errno, "cannot bind the root directory `%s` at `%s`", root, ov->merged);
  return 0;
}

int
ferry_overlay_unmount (const struct ferry_overlay *ov, ferry_error_t *err)
{
  int busy_retries = 10;

  /* A loop, in case the overlay was mounted on merged more than once.  A
   * bind of a container's root directory is detached, the directory itself
   * untouched.  */
  for (int i = 0; i < 64 + busy_retries; i++)
    {
      if (is_bound (ov))
        {
          if (umount2 (ov->merged, MNT_DETACH) < 0)
            return ferry_make_error (err, errno, "cannot unmount `%s`", ov->merged);
          continue;
        }
      if (! is_overlay_mounted (ov))
        return 0;
      if (umount2 (ov->merged, 0) == 0)
        continue;
      if (errno == EINVAL || errno == ENOENT)
        return 0;
      if (errno == EBUSY && busy_retries-- > 0)
        {
          sleep_briefly ();
          continue;
        }
      /* Still busy (a process holds a file open): detach it, it goes away
       * with its last user.  */
      if (errno == EBUSY && umount2 (ov->merged, MNT_DETACH) == 0)
        continue;
      return ferry_make_error (err, errno, "cannot unmount `%s`", ov->merged);
    }
  return ferry_make_error (err, EBUSY, "cannot unmount `%s`: too many mounts stacked on it", ov->merged);
}

int
ferry_overlay_remove (const struct ferry_overlay *ov, ferry_error_t *err)
{
  if (ferry_overlay_unmount (ov, err) < 0)
    return -1;
  /* merged is only ever a mount point, empty once unmounted: anything
   * else there (a mount that stayed, a bound directory's files) is not
   * this storage's to remove.  */
  if (rmdir (ov->merged) < 0 && errno != ENOENT)
    return ferry_make_error (err, errno,
                             "cannot remove the container storage `%s`: `%s` is still mounted or not empty",
                             ov->dir, ov->merged);
  if (ferry_rm_rf (ov->dir, err) < 0)
    return ferry_error_wrap (err, "cannot remove the container storage `%s`", ov->dir);
  return 0;
}
