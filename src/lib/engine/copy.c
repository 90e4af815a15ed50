#include "copy.h"
#include "userns.h"
#include "container.h"
#include "internal.h"
#include "volume.h"
#include "../runtime/spec.h"
#include "../state/lock.h"
#include "../storage/dirtar.h"
#include "../storage/overlay.h"
#include "../storage/unpack.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/gotar.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/magic.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <sched.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Below a container's root: symlinks followed as the container would
 * follow them, never out of it, and never through /proc's magic links.  */
static const uint64_t IN_ROOT = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;

/* How many symlinks a path may go through, as the kernel allows.  */
#define COPY_MAX_SYMLINKS 40

/* A container opened for a copy: locked, its root at ROOTFD.  */
struct copy_root
{
  struct ferry_container *c;
  int lock;
  int rootfd;   /* O_PATH directory: the container's "/" */
  char *rootfs; /* a path to it, for reading the container's passwd */
  struct ferry_overlay ov;
  bool mounted_here; /* the overlay is ours to unmount */
};

static void
copy_root_close (struct copy_root *r)
{
  if (r->rootfd >= 0)
    close (r->rootfd);
  if (r->mounted_here)
    {
      cleanup_error ferry_error_t ignored = NULL;
      ferry_overlay_unmount (&r->ov, &ignored);
    }
  ferry_overlay_free (&r->ov);
  free (r->rootfs);
  ferry_container_free (r->c);
  if (r->lock >= 0)
    ferry_lock_release (r->lock);
}

#define cleanup_copy_root __attribute__ ((cleanup (copy_root_close)))

/* The root of the running container C as its init process sees it.  The
 * process is pinned by a pidfd first, so that the root opened is not that
 * of another process that got the PID after the container's ended.  */
static int
open_process_root (struct copy_root *r, ferry_error_t *err)
{
  cleanup_close int pidfd = syscall (SYS_pidfd_open, r->c->pid, 0);
  struct pollfd p;

  if (pidfd < 0)
    return ferry_make_error (err, errno, "cannot reach the processes of container %s", r->c->name);
  r->rootfs = xasprintf ("/proc/%d/root", (int) r->c->pid);
  r->rootfd = open (r->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (r->rootfd < 0)
    return ferry_make_error (err, errno, "cannot open the root of container %s", r->c->name);
  p.fd = pidfd;
  p.events = POLLIN;
  if (poll (&p, 1, 0) != 0)
    return ferry_make_error_kind (err, FERRY_ERROR_STATE, "container %s stopped during the copy", r->c->name);
  return 0;
}

/* Gives this process a mount namespace of its own, so that what it mounts
 * next is gone with it, whenever and however it ends: nothing for a later
 * command to settle.  0 when that is not possible here (a thread already
 * runs), and the caller mounts on the host and unmounts after.  */
static int
private_mounts (void)
{
  if (unshare (CLONE_NEWNS) < 0)
    return 0;
  if (mount ("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return 0;
  return 1;
}

/* Makes the mount point DEST below ROOTFD (a directory, or an empty file
 * for a file mount) as the runtime makes it at start, one component at a
 * time, each resolved below ROOTFD.  */
static int
make_mount_point (int rootfd, const char *dest, bool dir)
{
  cleanup_free char *path = xstrdup (dest);
  char *slash = path;

  for (;;)
    {
      cleanup_close int fd = -1, parent = -1;
      cleanup_free char *d = NULL, *b = NULL;
      bool last;

      slash = strchr (slash + 1, '/');
      last = slash == NULL;
      if (! last)
        *slash = '\0';
      fd = ferry_openat2 (rootfd, path, O_PATH | O_CLOEXEC, 0, IN_ROOT);
      if (fd < 0 && errno != ENOENT)
        return -1;
      if (fd < 0)
        {
          d = xstrdup (path);
          b = xstrdup (path);
          parent = ferry_openat2 (rootfd, dirname (d), O_PATH | O_DIRECTORY | O_CLOEXEC, 0, IN_ROOT);
          if (parent < 0)
            return -1;
          if (last && ! dir)
            {
              int f
                  = openat (parent, basename (b), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
              if (f < 0)
                return -1;
              close (f);
            }
          else if (mkdirat (parent, basename (b), 0755) < 0)
            return -1;
        }
      if (last)
        return 0;
      *slash = '/';
    }
}

/* Mounts SOURCE (a host path) at DEST, resolved below ROOTFD as the
 * runtime would mount it, so that a symlink in the container cannot move
 * the mount.  */
static int
bind_at (int rootfd, const char *source, const char *dest, bool readonly, ferry_error_t *err)
{
  cleanup_close int target = -1;
  cleanup_close int tree = -1;
  struct stat st;

  if (stat (source, &st) < 0)
    return ferry_make_error (err, errno, "cannot mount `%s` at `%s`", source, dest);
  target = ferry_openat2 (rootfd, dest, O_PATH | O_CLOEXEC, 0, IN_ROOT);
  if (target < 0 && errno == ENOENT && make_mount_point (rootfd, dest, S_ISDIR (st.st_mode)) == 0)
    target = ferry_openat2 (rootfd, dest, O_PATH | O_CLOEXEC, 0, IN_ROOT);
  if (target < 0)
    return ferry_make_error (err, errno, "cannot make the mount point `%s`", dest);
  tree = syscall (SYS_open_tree, AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (tree < 0)
    return ferry_make_error (err, errno, "cannot open `%s` to mount it at `%s`", source, dest);
  if (readonly)
    {
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
      if (syscall (SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof (attr)) < 0)
        return ferry_make_error (err, errno, "cannot make the mount of `%s` read-only", source);
    }
  if (syscall (SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return ferry_make_error (err, errno, "cannot mount `%s` at `%s`", source, dest);
  return 0;
}

/* The container's volumes and bind mounts where it would see them, so that
 * a copy into a stopped container reaches them as into a running one.  */
static int
mount_volumes (ferry_engine_t *e, const struct copy_root *r, ferry_error_t *err)
{
  json_object *mounts = ferry_json_get_array (r->c->record, "Mounts");
  size_t i;

  for (i = 0; mounts && i < json_object_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i), *rw;
      const char *dest = ferry_json_get_string (m, "Destination");
      bool volume = ferry_json_string_equals (m, "Type", "volume");
      const char *name = ferry_json_get_string (m, volume ? "Name" : "Source");
      cleanup_free char *source = NULL;
      bool readonly = json_object_object_get_ex (m, "RW", &rw) && ! json_object_get_boolean (rw);

      if (dest == NULL || name == NULL || ! (volume || ferry_json_string_equals (m, "Type", "bind")))
        continue; /* a tmpfs holds nothing while the container is stopped */
      if (volume && ferry_json_get_string (m, "SubPath"))
        {
          if (ferry_volume_subpath_resolve (e->root, name, ferry_json_get_string (m, "SubPath"), &source, err)
              < 0)
            return ferry_error_wrap (err, "container %s", r->c->name);
        }
      else
        source = volume ? xasprintf ("%s/volumes/%s/_data", e->root, name) : xstrdup (name);
      if (bind_at (r->rootfd, source, dest, readonly, err) < 0)
        return ferry_error_wrap (err, "container %s", r->c->name);
    }
  return 0;
}

/* The overlay of the stopped container C, mounted for the copy unless it
 * is already: in a mount namespace of this process's own where it can.  */
static int
open_overlay_root (ferry_engine_t *e, struct copy_root *r, bool with_volumes, ferry_error_t *err)
{
  cleanup_free char *odir = ferry_engine_overlay_dir (e, r->c->id);
  cleanup_strv char **lowers = NULL;
  bool private = false;
  bool bind = ferry_container_rootfs (r->c->record) && ! ferry_container_rootfs_overlay (r->c->record);
  size_t n = 0;

  lowers = ferry_container_lower_paths (e, r->c, &n, err);
  if (lowers == NULL)
    return -1;
  if (ferry_overlay_create (odir, &r->ov, err) < 0)
    return -1;
  if (! ferry_overlay_is_mounted (&r->ov))
    {
      private = private_mounts ();
      if ((bind ? ferry_overlay_bind (&r->ov, lowers[0], err)
                : ferry_overlay_mount (&r->ov, (const char *const *) lowers, n, err))
          < 0)
        return -1;
      r->mounted_here = ! private;
    }
  r->rootfs = xstrdup (r->ov.merged);
  r->rootfd = open (r->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (r->rootfd < 0)
    return ferry_make_error (err, errno, "cannot open the root of container %s", r->c->name);
  /* Only where the mounts go with this process: never on the host's view
   * of a container that may start once the lock is released.  */
  if (with_volumes && private)
    return mount_volumes (e, r, err);
  return 0;
}

/* Finds REF and locks it: it neither starts nor stops while the copy
 * runs.  STORAGE_ONLY: its overlay even while it runs (export).  */
static int
copy_root_open (ferry_engine_t *e, const char *ref, bool storage_only, struct copy_root *r,
                ferry_error_t *err)
{
  r->lock = ferry_container_find_locked (e, ref, &r->c, err);
  if (r->lock < 0)
    {
      /* cp's own words for it, as Podman's.  */
      if ((*err)->kind != FERRY_ERROR_NOT_FOUND || storage_only)
        return -1;
      ferry_error_release (err);
      return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "container \"%s\" does not exist", ref);
    }
  if (! storage_only && (r->c->status == FERRY_CONTAINER_RUNNING || r->c->status == FERRY_CONTAINER_PAUSED)
      && r->c->pid > 0)
    return open_process_root (r, err);
  return open_overlay_root (e, r, ! storage_only, err);
}

/* Where a path in the container leads.  */
struct resolved
{
  int parentfd;   /* O_PATH: the directory that holds it (-1 for "/") */
  char *base;     /* its name there (NULL for "/") */
  int fd;         /* O_PATH of it, never a symlink; -1 when it does not exist */
  struct stat st; /* of fd */
};

static void
resolved_release (struct resolved *r)
{
  if (r->parentfd >= 0)
    close (r->parentfd);
  if (r->fd >= 0)
    close (r->fd);
  free (r->base);
}

#define cleanup_resolved __attribute__ ((cleanup (resolved_release)))

/* Resolves PATH below ROOTFD: its directory with the kernel's RESOLVE_IN_ROOT,
 * a symlink in its last component by reading it and resolving again, so
 * that the name to create or replace is known.  Returns 0, or -1 with
 * errno (ENOENT: the directory that would hold it does not exist).  */
static int
resolve_in_root (int rootfd, const char *path, struct resolved *out)
{
  cleanup_free char *cur = xstrdup (path);
  int hops;

  out->parentfd = out->fd = -1;
  out->base = NULL;
  for (hops = 0; hops <= COPY_MAX_SYMLINKS; hops++)
    {
      cleanup_free char *d = xstrdup (cur), *b = xstrdup (cur);
      const char *dir = dirname (d), *base = basename (b);
      char target[4096];
      ssize_t n;

      if (strcmp (base, "/") == 0 || strcmp (base, ".") == 0 || strcmp (base, "..") == 0 || *base == '\0')
        {
          /* Names a directory by itself: no parent to create it in.  */
          out->fd = ferry_openat2 (rootfd, cur, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, IN_ROOT);
          return out->fd < 0 || fstat (out->fd, &out->st) < 0 ? -1 : 0;
        }
      if (out->parentfd >= 0)
        close (out->parentfd);
      out->parentfd = ferry_openat2 (rootfd, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, IN_ROOT);
      if (out->parentfd < 0)
        return -1;
      n = readlinkat (out->parentfd, base, target, sizeof (target) - 1);
      if (n < 0 && errno != EINVAL && errno != ENOENT)
        return -1;
      if (n < 0)
        {
          free (out->base);
          out->base = xstrdup (base);
          out->fd = openat (out->parentfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
          if (out->fd < 0)
            return errno == ENOENT ? 0 : -1;
          if (fstat (out->fd, &out->st) < 0)
            return -1;
          /* Made a symlink since: another round.  */
          if (! S_ISLNK (out->st.st_mode))
            return 0;
          close (out->fd);
          out->fd = -1;
          continue;
        }
      target[n] = '\0';
      free (cur);
      cur = target[0] == '/' ? xstrdup (target) : xasprintf ("%s/%s", dir, target);
    }
  errno = ELOOP;
  return -1;
}

/* PATH in the container as Podman reads it: a relative one starts at the
 * container's working directory, not at its root.  */
static char *
in_workdir (const struct copy_root *r, const char *path)
{
  const char *wd = ferry_json_get_string (r->c->record, "WorkingDir");

  if (path[0] == '/' || wd == NULL || *wd == '\0')
    return xstrdup (path);
  return xasprintf ("%s%s%s", wd, wd[strlen (wd) - 1] == '/' ? "" : "/", path);
}

/* "PATH/." (copy a directory's content) is SRC with *CONTENT set.  */
static char *
strip_content_suffix (const char *path, bool *content)
{
  size_t len = strlen (path);

  *content = len >= 2 && strcmp (path + len - 2, "/.") == 0;
  return *content ? xstrndup (path, len - 1) : xstrdup (path);
}

static bool
ends_with_slash (const char *path)
{
  size_t len = strlen (path);
  return len > 0 && path[len - 1] == '/';
}

/* The name a copy of PATH takes in a directory: its last component; NULL
 * for "/" and the like, whose content is copied.  */
static char *
copy_name (const char *path)
{
  cleanup_free char *p = xstrdup (path);
  const char *b;

  while (strlen (p) > 1 && p[strlen (p) - 1] == '/')
    p[strlen (p) - 1] = '\0';
  b = basename (p);
  if (strcmp (b, "/") == 0 || strcmp (b, ".") == 0 || strcmp (b, "..") == 0)
    return NULL;
  return xstrdup (b);
}

static int
not_found_in_container (ferry_error_t *err, const char *path, const char *ref)
{
  return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                "\"%s\" could not be found on container %s: no such file or directory", path,
                                ref);
}

static int
not_found_on_host (ferry_error_t *err, const char *path)
{
  return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND,
                                "\"%s\" could not be found on the host: no such file or directory", path);
}

static int
directory_needed (ferry_error_t *err)
{
  return ferry_make_error (err, 0, "destination must be a directory when copying a directory");
}

/* The kernel's own file systems have no file sizes to copy by.  */
static bool
is_virtual_fs (int fd)
{
  struct statfs sf;

  return fstatfs (fd, &sf) == 0 && (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC);
}

/* A tar stream written on a thread of its own into a pipe, for the
 * unpacker to read on the other end.  */
struct tar_job
{
  int fd;
  const char *as;
  const char *what;
  bool container_root;
  int out;
  int ret;
  ferry_error_t err;
  pthread_t thread;
};

static void *
tar_job_run (void *arg)
{
  struct tar_job *j = arg;

  j->ret = ferry_tar_tree_to_fd (j->fd, j->as, j->out, j->what, j->container_root, &j->err);
  close (j->out);
  j->out = -1;
  return NULL;
}

/* Copies the file or tree at SRC_FD (named AS there; its content alone
 * with AS NULL) into the directory DESTFD, unpacked with O.
 * CONTAINER_ROOT: SRC_FD is a container's root, whose dev, proc and sys
 * stay out.  */
static int
copy_tree (int src_fd, const char *as, const char *what, bool container_root, int destfd,
           const struct ferry_unpack_options *o, ferry_error_t *err)
{
  struct tar_job j = { .fd = src_fd, .as = as, .what = what, .container_root = container_root };
  int pipefd[2];
  int ret;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot make a pipe");
  j.out = pipefd[1];
  if (pthread_create (&j.thread, NULL, tar_job_run, &j) != 0)
    {
      close (pipefd[0]);
      close (pipefd[1]);
      return ferry_make_error (err, EAGAIN, "cannot start a thread");
    }
  ret = ferry_unpack_tar_at (pipefd[0], what, destfd, o, NULL, err);
  /* A writer blocked on a full pipe gets EPIPE now.  */
  close (pipefd[0]);
  pthread_join (j.thread, NULL);
  /* The reader's failure, unless the writer's came first and caused it
   * (a file it could not read cuts the stream short).  */
  if (j.ret < 0 && (ret == 0 || j.err->status != EPIPE))
    {
      ferry_error_release (err);
      *err = steal_pointer (&j.err);
      ret = -1;
    }
  ferry_error_release (&j.err);
  return ret;
}

static int
overwrite_error (ferry_error_t *err, const char *where)
{
  int ret = ferry_error_wrap (err, "copying %s", where);

  if ((*err)->kind == FERRY_ERROR_EXISTS)
    {
      char *msg = xasprintf ("%s (--overwrite replaces it)", (*err)->msg);
      free ((*err)->msg);
      (*err)->msg = msg;
    }
  return ret;
}

static bool
same_file (const struct stat *a, const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Whether S is the dev, proc or sys of the container's root ROOTFD, or
 * below one, wherever its path led: what Podman's cp leaves out.  */
static bool
in_kernel_dir (int rootfd, const struct resolved *s)
{
  static const char *const kernel_dirs[] = { "dev", "proc", "sys" };
  cleanup_close int cur = -1;
  struct stat root_st, cur_st, top_st = { 0 };
  bool below = false;
  int depth;

  if (fstat (rootfd, &root_st) < 0)
    return false;
  cur = fcntl (S_ISDIR (s->st.st_mode) || s->parentfd < 0 ? s->fd : s->parentfd, F_DUPFD_CLOEXEC, 0);
  /* Up to the directory just below the root.  */
  for (depth = 0; cur >= 0 && fstat (cur, &cur_st) == 0 && depth < 4096; depth++)
    {
      int parent;

      if (same_file (&cur_st, &root_st))
        break;
      top_st = cur_st;
      below = true;
      parent = openat (cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
      close (cur);
      cur = parent;
    }
  if (cur < 0 || ! below || ! same_file (&cur_st, &root_st))
    return false;
  for (size_t i = 0; i < sizeof (kernel_dirs) / sizeof (kernel_dirs[0]); i++)
    {
      struct stat st;

      if (fstatat (rootfd, kernel_dirs[i], &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode)
          && same_file (&st, &top_st))
        return true;
    }
  return false;
}

/* Podman's words for a file in_kernel_dir, and why.  */
static int
kernel_dir_error (ferry_error_t *err, const char *ref)
{
  return ferry_make_error (
      err, ENOENT,
      "copying from container: copier: get: copied no items: cp leaves out the /dev, /proc "
      "and /sys of container %s",
      ref);
}

/* What Podman's cp writes to standard output when it copies nothing.  */
static int
empty_tar (int out_fd, ferry_error_t *err)
{
  ferry_gotar_t *w = ferry_gotar_new (out_fd, "standard output");
  int ret = ferry_gotar_finish (w, err);

  ferry_gotar_free (w);
  return ret;
}

/* Where on the host a copy of the container's SRC goes, given DEST as
 * typed: *DIR (opened) receives it under *NAME.  */
static int
host_destination (const char *dest, const struct stat *src_st, bool content, const char *src_name, int *dir,
                  char **name, ferry_error_t *err)
{
  cleanup_free char *d = xstrdup (dest), *b = xstrdup (dest);
  struct stat st;

  errno = 0;
  if (stat (dest, &st) == 0 && S_ISDIR (st.st_mode))
    {
      *dir = open (dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      *name = content ? NULL : xstrdup (src_name);
    }
  else if (errno != 0 && errno != ENOENT && errno != ENOTDIR)
    return ferry_make_error (err, errno, "cannot copy to `%s`", dest);
  /* As Podman's: never over a device, a FIFO or a socket (/dev/null
   * would be replaced by the copy).  */
  else if (errno == 0 && ! S_ISREG (st.st_mode))
    return ferry_make_error (err, 0, "invalid destination: \"%s\" must be a directory or a regular file",
                             dest);
  else if (ferry_path_exists (dest) && S_ISDIR (src_st->st_mode))
    return directory_needed (err);
  else if (! ferry_path_exists (dest) && ends_with_slash (dest))
    return not_found_on_host (err, dest);
  else
    {
      *dir = open (dirname (d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (*dir < 0 && (errno == ENOENT || errno == ENOTDIR))
        return not_found_on_host (err, dest);
      *name = xstrdup (basename (b));
    }
  if (*dir < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", dest);
  return 0;
}

/* The owner of copies into the container with --archive, and of what a
 * copy to standard output carries: its user's.  */
static int
container_owner (const struct copy_root *r, struct ferry_unpack_options *uo, ferry_error_t *err)
{
  const char *user = json_object_get_string (json_object_object_get (r->c->record, "User"));

  if (ferry_spec_resolve_user (r->rootfs, user, &uo->uid, &uo->gid, NULL, NULL, NULL, err) < 0)
    return ferry_error_wrap (err, "the user of container %s", r->c->name);
  /* Its IDs as the host stores them, under a user namespace.  */
  ferry_userns_to_host (r->c->record, &uo->uid, &uo->gid);
  uo->flags |= FERRY_UNPACK_CHOWN;
  return 0;
}

int
ferry_copy_from_container (ferry_engine_t *e, const char *ref, const char *src, const char *dest, int out_fd,
                           const struct ferry_copy_options *o, ferry_error_t *err)
{
  cleanup_copy_root struct copy_root r = { .lock = -1, .rootfd = -1 };
  cleanup_resolved struct resolved s = { .parentfd = -1, .fd = -1 };
  cleanup_free char *at = NULL, *path = NULL, *src_name = NULL, *name = NULL, *what = NULL;
  cleanup_close int dirfd = -1;
  /* The host's own rules, not the container's: what comes out belongs
   * to the caller, as Podman has it, and grants nothing more (no setuid
   * binary, no device node a container made).  */
  struct ferry_unpack_options uo
      = { .flags = FERRY_UNPACK_CHOWN | FERRY_UNPACK_NO_SETID | FERRY_UNPACK_NO_DEVICES,
          .uid = getuid (),
          .gid = getgid () };
  struct stat root_st;
  bool content, is_root;

  if (copy_root_open (e, ref, false, &r, err) < 0)
    return -1;
  at = in_workdir (&r, src);
  path = strip_content_suffix (at, &content);
  if (resolve_in_root (r.rootfd, path, &s) < 0 && errno != ENOENT)
    return ferry_make_error (err, errno, "cannot copy \"%s\" from container %s", src, ref);
  if (s.fd < 0)
    return not_found_in_container (err, src, ref);
  if (content && ! S_ISDIR (s.st.st_mode))
    return ferry_make_error (err, ENOTDIR, "cannot copy \"%s\" from container %s", src, ref);
  if (in_kernel_dir (r.rootfd, &s))
    {
      /* As Podman's: a directory there copies nothing (an empty tar on
       * standard output), anything else fails.  */
      if (dest == NULL && empty_tar (out_fd, err) < 0)
        return -1;
      return S_ISDIR (s.st.st_mode) ? 0 : kernel_dir_error (err, ref);
    }
  if (is_virtual_fs (s.fd))
    return ferry_make_error (err, 0, "cannot copy \"%s\" from container %s: it is on a kernel file system",
                             src, ref);
  src_name = copy_name (path);
  content = content || src_name == NULL;
  is_root = content && fstat (r.rootfd, &root_st) == 0 && same_file (&root_st, &s.st);
  what = xasprintf ("%s:%s", ref, src);
  if (dest == NULL)
    {
      /* As Podman's: everything owned by the container's user, as it is
       * on the host.  */
      const char *user = json_object_get_string (json_object_object_get (r.c->record, "User"));
      struct ferry_unpack_options owner = { 0 };
      struct ferry_tar_go_options go = { .rootfd = r.rootfd, .chown = true };

      /* Root needs no look in the container's /etc/passwd, which may be
       * anything (another user's names are looked up as for a copy in).  */
      if (user && *user && container_owner (&r, &owner, err) < 0)
        return -1;
      if (user == NULL || *user == '\0')
        ferry_userns_to_host (r.c->record, &owner.uid, &owner.gid);
      go.uid = owner.uid;
      go.gid = owner.gid;
      go.container_root = is_root;
      return ferry_tar_tree_to_fd_go (s.fd, content ? NULL : src_name, out_fd, what, &go, err);
    }
  if (host_destination (dest, &s.st, content, src_name, &dirfd, &name, err) < 0)
    return -1;
  if (! o->overwrite)
    uo.flags |= FERRY_UNPACK_KEEP_TYPES;
  if (copy_tree (s.fd, name, what, is_root, dirfd, &uo, err) < 0)
    return overwrite_error (err, "from container");
  return 0;
}

/* Opens the directory of the container that receives a copy of SRC_ST
 * (NULL: a stream from standard input), and the name the copy takes in
 * it.  */
static int
container_destination (const struct copy_root *r, const char *ref, const char *dest,
                       const struct stat *src_st, bool content, const char *src_name, int *dir, char **name,
                       ferry_error_t *err)
{
  cleanup_resolved struct resolved d = { .parentfd = -1, .fd = -1 };
  cleanup_free char *at = in_workdir (r, dest);

  if (resolve_in_root (r->rootfd, at, &d) < 0)
    {
      if (src_st == NULL && (errno == ENOENT || errno == ENOTDIR))
        return ferry_make_error (err, 0, "destination must be a directory when copying from stdin");
      /* Below a file: no directory could be there.  */
      if (errno == ENOTDIR && S_ISDIR (src_st->st_mode))
        return directory_needed (err);
      if (errno == ENOENT || errno == ENOTDIR)
        return not_found_in_container (err, dest, ref);
      return ferry_make_error (err, errno, "cannot copy to \"%s\" in container %s", dest, ref);
    }
  if (d.fd >= 0 && S_ISDIR (d.st.st_mode))
    {
      *dir = d.parentfd >= 0 ? openat (d.parentfd, d.base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                             : ferry_openat2 (d.fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, IN_ROOT);
      *name = content || src_name == NULL ? NULL : xstrdup (src_name);
    }
  else if (src_st == NULL)
    return ferry_make_error (err, 0, "destination must be a directory when copying from stdin");
  else if (d.fd >= 0 && S_ISDIR (src_st->st_mode))
    return directory_needed (err);
  else if (d.fd >= 0 && ends_with_slash (dest))
    return ferry_make_error (err, 0, "copying to container: \"%s\" exists but is not a directory", dest);
  else if (d.fd < 0 && ends_with_slash (dest))
    return not_found_in_container (err, dest, ref);
  else
    {
      *dir = ferry_openat2 (d.parentfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0, IN_ROOT);
      *name = xstrdup (d.base);
    }
  if (*dir < 0)
    return ferry_make_error (err, errno, "cannot open \"%s\" in container %s", dest, ref);
  return 0;
}

int
ferry_copy_into_container (ferry_engine_t *e, const char *src, int in_fd, const char *ref, const char *dest,
                           const struct ferry_copy_options *o, ferry_error_t *err)
{
  cleanup_copy_root struct copy_root r = { .lock = -1, .rootfd = -1 };
  cleanup_free char *path = NULL, *src_name = NULL, *name = NULL, *what = NULL;
  cleanup_close int srcfd = -1, dirfd = -1;
  struct ferry_unpack_options uo = { 0 };
  bool content = false;
  struct stat st;

  if (src)
    {
      path = strip_content_suffix (src, &content);
      srcfd = open (path, O_PATH | O_CLOEXEC);
      if (srcfd < 0 && (errno == ENOENT || errno == ENOTDIR))
        return not_found_on_host (err, src);
      if (srcfd < 0 || fstat (srcfd, &st) < 0)
        return ferry_make_error (err, errno, "cannot copy `%s`", src);
      if (content && ! S_ISDIR (st.st_mode))
        return ferry_make_error (err, ENOTDIR, "cannot copy `%s`", src);
      src_name = copy_name (path);
      if (src_name == NULL)
        {
          /* "." or "..": the directory's own name.  */
          cleanup_free char *real = realpath (path, NULL);
          src_name = real ? copy_name (real) : NULL;
        }
    }
  if (copy_root_open (e, ref, false, &r, err) < 0)
    return -1;
  if (container_destination (&r, ref, dest, src ? &st : NULL, content, src_name, &dirfd, &name, err) < 0)
    return -1;
  if (o->archive && container_owner (&r, &uo, err) < 0)
    return -1;
  if (! o->overwrite)
    uo.flags |= FERRY_UNPACK_KEEP_TYPES;
  what = src ? xstrdup (src) : xstrdup ("standard input");
  if (src == NULL)
    {
      struct ferry_unpack_result res = { .entries = 0 };

      /* As Podman's: a stream that is no tar, or a tar of nothing, is
       * refused in the same words.  */
      if (ferry_unpack_tar_at (in_fd, what, dirfd, &uo, &res, err) < 0 && (*err)->kind != FERRY_ERROR_FORMAT)
        return overwrite_error (err, "to container");
      if (*err || res.entries == 0)
        {
          ferry_error_release (err);
          return ferry_make_error (err, 0,
                                   "source must be a (compressed) tar archive when copying from stdin");
        }
      return 0;
    }
  if (copy_tree (srcfd, name, what, false, dirfd, &uo, err) < 0)
    return overwrite_error (err, "to container");
  return 0;
}

/* The ID of REF, with cp's words when there is none.  */
static char *
container_id (ferry_engine_t *e, const char *ref, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  char *id;

  if (ferry_container_lookup (e, ref, &c, err) < 0)
    {
      if ((*err)->kind == FERRY_ERROR_NOT_FOUND)
        {
          ferry_error_release (err);
          ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "container \"%s\" does not exist", ref);
        }
      return NULL;
    }
  id = xstrdup (c->id);
  ferry_container_free (c);
  return id;
}

int
ferry_copy_between_containers (ferry_engine_t *e, const char *src_ref, const char *src, const char *dest_ref,
                               const char *dest, const struct ferry_copy_options *o, ferry_error_t *err)
{
  cleanup_copy_root struct copy_root a = { .lock = -1, .rootfd = -1 };
  cleanup_copy_root struct copy_root b = { .lock = -1, .rootfd = -1 };
  cleanup_resolved struct resolved s = { .parentfd = -1, .fd = -1 };
  cleanup_free char *src_id = NULL, *dest_id = NULL, *at = NULL, *path = NULL, *src_name = NULL, *name = NULL,
                    *what = NULL;
  cleanup_close int dirfd = -1;
  struct ferry_unpack_options uo = { 0 };
  struct copy_root *from = &a, *to = &b;
  struct stat root_st;
  bool content, is_root;

  src_id = container_id (e, src_ref, err);
  if (src_id == NULL || (dest_id = container_id (e, dest_ref, err)) == NULL)
    return -1;
  /* Locked in the order of their IDs, so that two copies the other way
   * round cannot wait for each other; one container is opened once.  */
  if (strcmp (src_id, dest_id) > 0)
    {
      from = &b;
      to = &a;
    }
  if (copy_root_open (e, strcmp (src_id, dest_id) > 0 ? dest_id : src_id, false, &a, err) < 0)
    return -1;
  if (strcmp (src_id, dest_id) == 0)
    to = from = &a;
  else if (copy_root_open (e, strcmp (src_id, dest_id) > 0 ? src_id : dest_id, false, &b, err) < 0)
    return -1;
  at = in_workdir (from, src);
  path = strip_content_suffix (at, &content);
  if (resolve_in_root (from->rootfd, path, &s) < 0 && errno != ENOENT)
    return ferry_make_error (err, errno, "cannot copy \"%s\" from container %s", src, src_ref);
  if (s.fd < 0)
    return not_found_in_container (err, src, src_ref);
  if (content && ! S_ISDIR (s.st.st_mode))
    return ferry_make_error (err, ENOTDIR, "cannot copy \"%s\" from container %s", src, src_ref);
  if (in_kernel_dir (from->rootfd, &s))
    return S_ISDIR (s.st.st_mode) ? 0 : kernel_dir_error (err, src_ref);
  if (is_virtual_fs (s.fd))
    return ferry_make_error (err, 0, "cannot copy \"%s\" from container %s: it is on a kernel file system",
                             src, src_ref);
  src_name = copy_name (path);
  if (container_destination (to, dest_ref, dest, &s.st, content || src_name == NULL, src_name, &dirfd, &name,
                             err)
      < 0)
    return -1;
  if (o->archive && container_owner (to, &uo, err) < 0)
    return -1;
  if (! o->overwrite)
    uo.flags |= FERRY_UNPACK_KEEP_TYPES;
  what = xasprintf ("%s:%s", src_ref, src);
  is_root
      = (content || src_name == NULL) && fstat (from->rootfd, &root_st) == 0 && same_file (&root_st, &s.st);
  if (copy_tree (s.fd, name, what, is_root, dirfd, &uo, err) < 0)
    return overwrite_error (err, "to container");
  return 0;
}

int
ferry_container_export (ferry_engine_t *e, const char *ref, int out_fd, ferry_error_t *err)
{
  cleanup_copy_root struct copy_root r = { .lock = -1, .rootfd = -1 };
  /* As Podman's: owners as they are, without names.  */
  struct ferry_tar_go_options go = { .rootfd = -1, .dir_slash = true };

  if (copy_root_open (e, ref, true, &r, err) < 0)
    return -1;
  return ferry_tar_tree_to_fd_go (r.rootfd, NULL, out_fd, r.c->name, &go, err);
}
