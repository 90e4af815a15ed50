#include "dirtar.h"
#include "unpack.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/gotar.h"
#include "../util/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include <sys/xattr.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/sysmacros.h>

/* The walk writes every entry itself, reading through descriptors opened
 * with O_NOFOLLOW below a directory descriptor: a file swapped for a
 * symlink while the walk runs (another container may share the volume) is
 * never followed, and mounts below DIR are left out, as their content is
 * not the volume's.  Hard links stay links.  */
struct walk
{
  struct archive *out;
  const char *dir;
  const char *tar_path;
  uint64_t mnt_id;
  dev_t dev;
  /* A file mounted on its own (a container's /etc/hosts) is taken; a
   * mounted directory never is.  */
  bool file_mounts;
  /* dev/inode -> first name, for hard links.  */
  json_object *links;
  char *buf;
  /* Podman's stream instead of libarchive's (see
   * ferry_tar_tree_to_fd_go), with the container's names of user and
   * group IDs, read once.  */
  ferry_gotar_t *go;
  const struct ferry_tar_go_options *cp;
  /* DIR is a container's root: its dev, proc and sys are left out, the
   * entries named TOP/dev and so on (TOP "": dev).  */
  bool container_root;
  const char *top;
  json_object *users, *groups;
};

static int
mount_id_of (int dirfd, const char *name, uint64_t *out)
{
  struct statx stx;

  if (statx (dirfd, name, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH), STATX_MNT_ID, &stx) < 0)
    return -1;
  *out = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0;
  return 0;
}

static int
write_error (struct walk *w, const char *name, ferry_error_t *err)
{
  return ferry_make_error (err, archive_errno (w->out) > 0 ? archive_errno (w->out) : 0,
                           "cannot save `%s/%s`: %s", w->dir, name, archive_error_string (w->out));
}

static void
add_xattrs (struct archive_entry *e, int fd)
{
  char names[4096], value[65536];
  ssize_t n = fd >= 0 ? flistxattr (fd, names, sizeof (names)) : -1;
  char *it;

  for (it = names; n > 0 && it < names + n; it += strlen (it) + 1)
    {
      ssize_t len = fgetxattr (fd, it, value, sizeof (value));
      if (len >= 0)
        archive_entry_xattr_add_entry (e, it, value, len);
    }
}

static int
write_entry (struct walk *w, struct archive_entry *e, const char *name, ferry_error_t *err)
{
  int r = archive_write_header (w->out, e);

  /* A warning (a name that is not valid in the locale's charset) still
   * wrote the entry, byte for byte.  */
  if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
    return write_error (w, name, err);
  return 0;
}

/* The most of a container's /etc/passwd or /etc/group read for names
 * (the file is the container's, and may be anything): a larger one names
 * nobody.  */
#define OWNER_FILE_MAX (4 << 20)

/* Adds to NAMES the first name of each ID in the passwd- or group-style
 * LINE: "name:password:ID:...".  */
static void
add_owner_line (json_object *names, char *line)
{
  char *password = strchr (line, ':'), *id, *end;
  char key[32];

  if (password == NULL || (id = strchr (password + 1, ':')) == NULL)
    return;
  *password = '\0';
  id++;
  end = id + strspn (id, "0123456789");
  if (end == id || (*end != ':' && *end != '\n' && *end != '\0'))
    return;
  *end = '\0';
  snprintf (key, sizeof (key), "%lu", strtoul (id, NULL, 10));
  if (json_object_object_get (names, key) == NULL)
    json_object_object_add (names, key, json_object_new_string (line));
}

/* The name of ID in the container's /etc/passwd or /etc/group (FILE),
 * "" for none: the first line with that ID, as getpwuid has it.  A file
 * that is no regular file there (a FIFO would never end) names nobody.  */
static const char *
owner_name (struct walk *w, json_object **names, const char *file, unsigned long id)
{
  char key[32];

  if (*names == NULL)
    {
      cleanup_close int fd = ferry_openat2 (w->cp->rootfd, file, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
                                            0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
      cleanup_free char *text = NULL;
      cleanup_error ferry_error_t ignored = NULL;
      char *line, *next;
      struct stat st;

      *names = json_object_new_object ();
      if (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode)
          && ferry_read_fd_max (fd, file, OWNER_FILE_MAX, &text, NULL, &ignored) == 0)
        {
          for (line = text; line && *line; line = next)
            {
              next = strchr (line, '\n');
              if (next)
                *next++ = '\0';
              add_owner_line (*names, line);
            }
        }
    }
  snprintf (key, sizeof (key), "%lu", id);
  return json_object_get_string (json_object_object_get (*names, key)) ?: "";
}

static char
go_type (mode_t mode)
{
  if (S_ISDIR (mode))
    return FERRY_GOTAR_DIR;
  if (S_ISLNK (mode))
    return FERRY_GOTAR_SYMLINK;
  if (S_ISCHR (mode))
    return FERRY_GOTAR_CHAR;
  if (S_ISBLK (mode))
    return FERRY_GOTAR_BLOCK;
  if (S_ISFIFO (mode))
    return FERRY_GOTAR_FIFO;
  return FERRY_GOTAR_FILE;
}

/* The entry of ST as Podman writes it (the walk's options say how),
 * times in seconds.  */
static int
write_go_header (struct walk *w, const struct stat *st, const char *name, const char *symlink,
                 const char *hardlink, int fd, ferry_error_t *err)
{
  bool slash = w->cp->dir_slash && S_ISDIR (st->st_mode) && hardlink == NULL;
  cleanup_free char *dir_name = slash ? xasprintf ("%s/", name) : NULL;
  struct ferry_gotar_entry e = {
    .name = slash ? dir_name : name,
    .type = hardlink ? FERRY_GOTAR_HARDLINK : go_type (st->st_mode),
    .mode = st->st_mode & 07777,
    .uid = w->cp->chown ? w->cp->uid : st->st_uid,
    .gid = w->cp->chown ? w->cp->gid : st->st_gid,
    .uname = w->cp->rootfd >= 0 ? owner_name (w, &w->users, "etc/passwd", st->st_uid) : NULL,
    .gname = w->cp->rootfd >= 0 ? owner_name (w, &w->groups, "etc/group", st->st_gid) : NULL,
    .size = S_ISREG (st->st_mode) && hardlink == NULL ? (uint64_t) st->st_size : 0,
    .mtime = st->st_mtim.tv_sec,
    .linkname = hardlink ? hardlink : symlink,
    .devmajor = S_ISCHR (st->st_mode) || S_ISBLK (st->st_mode) ? major (st->st_rdev) : 0,
    .devminor = S_ISCHR (st->st_mode) || S_ISBLK (st->st_mode) ? minor (st->st_rdev) : 0,
  };
  char names[4096];
  ssize_t n = fd >= 0 ? flistxattr (fd, names, sizeof (names)) : -1;
  const char *xnames[64], *xvalues[64];
  size_t xsizes[64], i;
  char *it;
  int ret;

  for (it = names; n > 0 && it < names + n && e.n_xattrs < 64; it += strlen (it) + 1)
    {
      char value[65536];
      ssize_t len = fgetxattr (fd, it, value, sizeof (value));
      if (len < 0)
        continue;
      xnames[e.n_xattrs] = it;
      char *copy = xmalloc ((size_t) len + 1);
      memcpy (copy, value, (size_t) len);
      xvalues[e.n_xattrs] = copy;
      xsizes[e.n_xattrs++] = (size_t) len;
    }
  e.xattr_names = xnames;
  e.xattr_values = xvalues;
  e.xattr_sizes = xsizes;
  ret = ferry_gotar_header (w->go, &e, err);
  for (i = 0; i < e.n_xattrs; i++)
    free ((char *) xvalues[i]);
  return ret;
}

/* The header of the entry NAME (ST), a link to SYMLINK or, for a hard
 * link, to the entry HARDLINK; its extended attributes read from FD.  */
static int
write_header (struct walk *w, const struct stat *st, const char *name, const char *symlink,
              const char *hardlink, int fd, ferry_error_t *err)
{
  struct archive_entry *e;
  int ret;

  if (w->go)
    return write_go_header (w, st, name, symlink, hardlink, fd, err);
  e = archive_entry_new ();
  archive_entry_copy_stat (e, st);
  archive_entry_set_pathname (e, name);
  if (! S_ISREG (st->st_mode) || hardlink)
    archive_entry_set_size (e, 0);
  if (hardlink)
    archive_entry_set_hardlink (e, hardlink);
  else if (symlink)
    archive_entry_set_symlink (e, symlink);
  if (hardlink == NULL)
    add_xattrs (e, fd);
  ret = write_entry (w, e, name, err);
  archive_entry_free (e);
  return ret;
}

static int
write_data (struct walk *w, const void *buf, size_t len, const char *name, ferry_error_t *err)
{
  if (w->go)
    return ferry_gotar_data (w->go, buf, len, err);
  if (archive_write_data (w->out, buf, len) != (la_ssize_t) len)
    return write_error (w, name, err);
  return 0;
}

/* SIZE bytes of FD, as its header announced: a file that shrank since
 * is padded with zeros, one that grew is cut there.  */
static int
write_file_data (struct walk *w, int fd, const char *name, uint64_t size, ferry_error_t *err)
{
  while (size > 0)
    {
      ssize_t n = read (fd, w->buf, size < (1 << 16) ? (size_t) size : (1 << 16));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return ferry_make_error (err, errno, "cannot read `%s/%s`", w->dir, name);
      if (n == 0)
        {
          n = size < (1 << 16) ? (ssize_t) size : (1 << 16);
          memset (w->buf, 0, (size_t) n);
        }
      if (write_data (w, w->buf, (size_t) n, name, err) < 0)
        return -1;
      size -= (uint64_t) n;
    }
  return 0;
}

static int walk_dir (struct walk *w, int dfd, const char *prefix, ferry_error_t *err);

/* CHILD of DFD, or with CHILD "" the file DFD itself (which may be an
 * O_PATH descriptor), opened for reading.  */
static int
open_child (int dfd, const char *child, int flags)
{
  cleanup_free char *self = NULL;

  if (*child)
    return openat (dfd, child, flags);
  self = xasprintf ("/proc/self/fd/%d", dfd);
  return open (self, flags & ~O_NOFOLLOW);
}

static int
walk_child (struct walk *w, int dfd, const char *child, const char *name, ferry_error_t *err)
{
  cleanup_close int fd = -1;
  char target[PATH_MAX];
  struct stat st;
  uint64_t mnt;
  ssize_t n;

  if (fstatat (dfd, child, &st, AT_SYMLINK_NOFOLLOW | (*child ? 0 : AT_EMPTY_PATH)) < 0)
    return errno == ENOENT ? 0 : ferry_make_error (err, errno, "cannot stat `%s/%s`", w->dir, name);
  if (S_ISSOCK (st.st_mode))
    return 0; /* no tar form, and Podman's exports skip them too */
  if ((S_ISDIR (st.st_mode) || ! w->file_mounts)
      && (st.st_dev != w->dev
          || (mount_id_of (dfd, child, &mnt) == 0 && mnt && w->mnt_id && mnt != w->mnt_id)))
    return 0; /* another mount: not the volume's content */
  if (S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
    {
      fd = open_child (dfd, child,
                       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC
                           | (S_ISDIR (st.st_mode) ? O_DIRECTORY : 0));
      if (fd < 0)
        return errno == ENOENT ? 0 : ferry_make_error (err, errno, "cannot open `%s/%s`", w->dir, name);
      /* Replaced since the stat: what is read now is what gets described. */
      if (fstat (fd, &st) < 0)
        return ferry_make_error (err, errno, "cannot stat `%s/%s`", w->dir, name);
    }
  /* A directory's content alone, without an entry of its own.  */
  if (name == NULL)
    return S_ISDIR (st.st_mode) ? walk_dir (w, steal_fd (&fd), "", err) : 0;
  if (S_ISREG (st.st_mode) && st.st_nlink > 1)
    {
      cleanup_free char *key
          = xasprintf ("%llu:%llu", (unsigned long long) st.st_dev, (unsigned long long) st.st_ino);
      const char *first = json_object_get_string (json_object_object_get (w->links, key));
      if (first)
        return write_header (w, &st, name, NULL, first, -1, err);
      json_object_object_add (w->links, key, json_object_new_string (name));
    }
  if (S_ISLNK (st.st_mode))
    {
      n = readlinkat (dfd, child, target, sizeof (target) - 1);
      if (n < 0)
        return ferry_make_error (err, errno, "cannot read the link `%s/%s`", w->dir, name);
      target[n] = '\0';
    }
  if (write_header (w, &st, name, S_ISLNK (st.st_mode) ? target : NULL, NULL, fd, err) < 0)
    return -1;
  if (S_ISREG (st.st_mode))
    return write_file_data (w, fd, name, (uint64_t) st.st_size, err);
  if (S_ISDIR (st.st_mode))
    return walk_dir (w, steal_fd (&fd), name, err);
  return 0;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static bool
is_kernel_dir (const char *name)
{
  return strcmp (name, "dev") == 0 || strcmp (name, "proc") == 0 || strcmp (name, "sys") == 0;
}

/* Adds the children of the directory open at DFD (which it takes) below
 * PREFIX ("" for DIR itself), in name order.  */
static int
walk_dir (struct walk *w, int dfd, const char *prefix, ferry_error_t *err)
{
  cleanup_dir DIR *d = fdopendir (dfd);
  cleanup_strv char **names = NULL;
  struct dirent *de;
  size_t n = 0, i;

  if (d == NULL)
    {
      close (dfd);
      return ferry_make_error (err, errno, "cannot read `%s/%s`", w->dir, prefix);
    }
  names = xmalloc0 (sizeof (char *));
  while ((de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      names = xrealloc (names, sizeof (char *) * (n + 2));
      names[n++] = xstrdup (de->d_name);
      names[n] = NULL;
    }
  qsort (names, n, sizeof (char *), compare_names);
  for (i = 0; i < n; i++)
    {
      cleanup_free char *name = NULL;

      if (w->container_root && strcmp (prefix, w->top ? w->top : "") == 0 && is_kernel_dir (names[i]))
        continue;
      name = *prefix ? xasprintf ("%s/%s", prefix, names[i]) : xstrdup (names[i]);
      if (walk_child (w, dirfd (d), names[i], name, err) < 0)
        return -1;
    }
  return 0;
}

/* The walk of FD into W, set up for the start of a stream.  */
static void
walk_start (struct walk *w, const struct stat *st, int fd)
{
  w->dev = st->st_dev;
  if (mount_id_of (fd, "", &w->mnt_id) < 0)
    w->mnt_id = 0;
  w->links = json_object_new_object ();
  w->buf = xmalloc (1 << 16);
}

static void
walk_end (struct walk *w)
{
  json_object_put (w->links);
  json_object_put (w->users);
  json_object_put (w->groups);
  free (w->buf);
}

int
ferry_tar_directory (const char *dir, const char *tar_path, ferry_error_t *err)
{
  struct walk w = { .dir = dir, .tar_path = tar_path };
  struct archive_entry *root = NULL;
  cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  int ret = -1;

  if (dfd < 0 || fstat (dfd, &st) < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", dir);
  w.dev = st.st_dev;
  if (mount_id_of (dfd, "", &w.mnt_id) < 0)
    w.mnt_id = 0;
  w.out = archive_write_new ();
  w.links = json_object_new_object ();
  w.buf = xmalloc (1 << 16);
  archive_write_set_format_pax_restricted (w.out);
  if (archive_write_open_filename (w.out, tar_path) != ARCHIVE_OK)
    {
      ferry_make_error (err, archive_errno (w.out) > 0 ? archive_errno (w.out) : 0, "cannot create `%s`: %s",
                        tar_path, archive_error_string (w.out));
      goto out;
    }
  /* DIR itself as "./", so that its owner and mode travel too (a
   * database's volume is often 0700 and owned by its user).  */
  root = archive_entry_new ();
  archive_entry_copy_stat (root, &st);
  archive_entry_set_pathname (root, "./");
  add_xattrs (root, dfd);
  if (write_entry (&w, root, ".", err) < 0 || walk_dir (&w, steal_fd (&dfd), "", err) < 0)
    goto out;
  if (archive_write_close (w.out) != ARCHIVE_OK)
    {
      ferry_make_error (err, archive_errno (w.out) > 0 ? archive_errno (w.out) : 0, "cannot write `%s`: %s",
                        tar_path, archive_error_string (w.out));
      goto out;
    }
  ret = 0;
out:
  archive_entry_free (root);
  archive_write_free (w.out);
  json_object_put (w.links);
  free (w.buf);
  return ret;
}

int
ferry_tar_directory_go (const char *dir, const char *tar_path, const struct ferry_tar_go_options *o,
                        ferry_error_t *err)
{
  struct walk w = { .dir = dir, .tar_path = tar_path, .cp = o, .container_root = o->container_root };
  cleanup_close int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int out = -1;
  struct stat st;
  int ret = -1;

  if (dfd < 0 || fstat (dfd, &st) < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", dir);
  out = open (tar_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (out < 0)
    return ferry_make_error (err, errno, "cannot create `%s`", tar_path);
  walk_start (&w, &st, dfd);
  w.go = ferry_gotar_new (out, tar_path);
  /* No entry for DIR itself, as Podman's: its content alone.  */
  if (walk_dir (&w, steal_fd (&dfd), "", err) == 0 && ferry_gotar_finish (w.go, err) == 0)
    ret = 0;
  ferry_gotar_free (w.go);
  walk_end (&w);
  return ret;
}

int
ferry_untar_directory (const char *tar_path, const char *dir, unsigned flags, const char *noun,
                       ferry_error_t *err)
{
  cleanup_close int fd = open (tar_path, O_RDONLY | O_CLOEXEC);
  cleanup_close int dirfd = -1;
  struct ferry_unpack_options o = { .flags = flags, .entry_noun = noun };

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", tar_path);
  dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return ferry_make_error (err, errno, "cannot open destination directory `%s`", dir);
  if (ferry_unpack_tar_at (fd, tar_path, dirfd, &o, NULL, err) < 0)
    return ferry_error_wrap (err, "cannot unpack `%s`", tar_path);
  return 0;
}

int
ferry_tar_tree_to_fd (int fd, const char *as, int out_fd, const char *what, bool container_root,
                      ferry_error_t *err)
{
  struct walk w = { .dir = what, .file_mounts = true, .container_root = container_root, .top = as };
  struct stat st;
  int ret = -1;

  if (fstat (fd, &st) < 0)
    return ferry_make_error (err, errno, "cannot stat `%s`", what);
  walk_start (&w, &st, fd);
  w.out = archive_write_new ();
  archive_write_set_format_pax_restricted (w.out);
  /* A pipe or a terminal takes the stream as it comes, unpadded.  */
  archive_write_set_bytes_in_last_block (w.out, 1);
  if (archive_write_open_fd (w.out, out_fd) != ARCHIVE_OK)
    {
      ferry_make_error (err, archive_errno (w.out) > 0 ? archive_errno (w.out) : 0, "cannot write `%s`: %s",
                        what, archive_error_string (w.out));
      goto out;
    }
  if (walk_child (&w, fd, "", as, err) < 0)
    goto out;
  if (archive_write_close (w.out) != ARCHIVE_OK)
    {
      ferry_make_error (err, archive_errno (w.out) > 0 ? archive_errno (w.out) : 0, "cannot write `%s`: %s",
                        what, archive_error_string (w.out));
      goto out;
    }
  ret = 0;
out:
  archive_write_free (w.out);
  walk_end (&w);
  return ret;
}

int
ferry_tar_tree_to_fd_go (int fd, const char *as, int out_fd, const char *what,
                         const struct ferry_tar_go_options *o, ferry_error_t *err)
{
  struct walk w
      = { .dir = what, .file_mounts = true, .cp = o, .container_root = o->container_root, .top = as };
  struct stat st;
  int ret = -1;

  if (fstat (fd, &st) < 0)
    return ferry_make_error (err, errno, "cannot stat `%s`", what);
  walk_start (&w, &st, fd);
  w.go = ferry_gotar_new (out_fd, what);
  if (walk_child (&w, fd, "", as, err) == 0 && ferry_gotar_finish (w.go, err) == 0)
    ret = 0;
  ferry_gotar_free (w.go);
  walk_end (&w);
  return ret;
}
