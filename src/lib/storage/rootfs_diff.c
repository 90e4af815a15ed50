/* ferry: a container's rootfs changes as rootfs-diff.tar + deleted.files,
 * and back.
 *
 * Export reads the overlay upper dir, never the merged view: the change
 * list says which upper paths matter, and each one is reached with
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS) on its parent and *at()
 * calls on its last component, so a symlink planted by the container can't
 * make us read (or describe) a host file.
 *
 * Apply turns deleted.files into overlayfs whiteouts in a new upper dir and
 * unpacks the tar over it with the safe unpacker.  The whiteouts go first:
 * they create the parent directories they need, and the tar then gives
 * those directories their recorded owners, modes and times.  */
#include "rootfs_diff.h"
#include "unpack.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <search.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define OVERLAY_XATTR_PREFIX "trusted.overlay."
#define EXPORT_COPY_BUF_SIZE (256 * 1024)

static int
open_in_root (int rootfd, const char *path, int flags)
{
  return ferry_openat2 (rootfd, path, flags, 0, FERRY_RESOLVE_SAFE);
}

static bool
is_whiteout (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && st->st_rdev == makedev (0, 0);
}

/* "/a/b": absolute, not "/", no empty, "." or ".." component, no trailing
 * slash.  Anything else in deleted.files is refused.  */
static bool
is_clean_absolute (const char *path)
{
  const char *p = path;

  if (p[0] != '/' || p[1] == '\0')
    return false;
  while (*p == '/')
    {
      const char *start = p + 1;
      const char *end = strchrnul (start, '/');
      size_t n = end - start;

      if (n == 0 || (n == 1 && start[0] == '.') || (n == 2 && start[0] == '.' && start[1] == '.'))
        return false;
      p = end;
    }
  return true;
}

/* ---- deleted.files: Go's json.MarshalIndent(paths, "", "  ") ---- */

/* Length of the valid UTF-8 sequence at S (1-4), or 0 when invalid.  */
static size_t
utf8_sequence_length (const unsigned char *s, uint32_t *cp)
{
  size_t n, i;
  uint32_t c;

  if (s[0] < 0x80)
    {
      *cp = s[0];
      return 1;
    }
  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    n = 2, c = s[0] & 0x1f;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    n = 3, c = s[0] & 0x0f;
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    n = 4, c = s[0] & 0x07;
  else
    return 0;
  for (i = 1; i < n; i++)
    {
      if ((s[i] & 0xc0) != 0x80)
        return 0;
      c = (c << 6) | (s[i] & 0x3f);
    }
  /* Overlong forms, surrogates and beyond U+10FFFF.  */
  if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
    return 0;
  *cp = c;
  return n;
}

/* Escapes as Go's encoding/json does (HTML-safe: <, > and & as \u00XX,
 * U+2028 and U+2029 escaped), except that a byte that is not valid UTF-8
 * is written as it is rather than replaced by U+FFFD: Go would lose the
 * name, json-c reads the byte back.  */
static void
write_go_json_string (FILE *f, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *) s;

  fputc ('"', f);
  while (*p)
    {
      uint32_t cp;
      size_t n = utf8_sequence_length (p, &cp);

      if (n == 0)
        {
          fputc (*p++, f);
          continue;
        }
      if (n > 1)
        {
          if (cp == 0x2028 || cp == 0x2029)
            fprintf (f, "\\u%04x", (unsigned) cp);
          else
            fwrite (p, 1, n, f);
          p += n;
          continue;
        }
      switch (*p)
        {
        case '"':
        case '\\':
          fputc ('\\', f);
          fputc (*p, f);
          break;
        case '\b':
          fputs ("\\b", f);
          break;
        case '\f':
          fputs ("\\f", f);
          break;
        case '\n':
          fputs ("\\n", f);
          break;
        case '\r':
          fputs ("\\r", f);
          break;
        case '\t':
          fputs ("\\t", f);
          break;
        default:
          if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&')
            fprintf (f, "\\u00%c%c", hex[*p >> 4], hex[*p & 0xf]);
          else
            fputc (*p, f);
        }
      p++;
    }
  fputc ('"', f);
}

/* Podman writes deleted.files with checkpointctl's WriteJSONFile:
 * json.MarshalIndent(v, "", "  "), no trailing newline, mode 0600.  */
static char *
deleted_files_text (const struct ferry_changes *changes, size_t *len)
{
  char *text = NULL;
  FILE *f = open_memstream (&text, len);
  bool first = true;

  if (f == NULL)
    abort ();
  fputc ('[', f);
  for (size_t i = 0; i < changes->n; i++)
    {
      if (changes->items[i].kind != FERRY_CHANGE_DELETED)
        continue;
      fputs (first ? "\n  " : ",\n  ", f);
      write_go_json_string (f, changes->items[i].path);
      first = false;
    }
  fputs (first ? "]" : "\n]", f);
  if (fclose (f) != 0)
    abort ();
  return text;
}

static int
export_deleted (const struct ferry_changes *changes, const char *deleted_path, ferry_error_t *err)
{
  size_t len = 0;
  cleanup_free char *text = deleted_files_text (changes, &len);

  if (ferry_write_file_atomic (deleted_path, text, len, 0600, err) < 0)
    return ferry_error_wrap (err, "cannot write the list of deleted files `%s`", deleted_path);
  return 0;
}

/* ---- rootfs-diff.tar ---- */

/* A non-directory with more than one name: the first name exported.  */
struct link_seen
{
  dev_t dev;
  ino_t ino;
  char *name;
};

struct exporter
{
  const char *upper;
  const char *tar_path;
  int upperfd;
  int tarfd;
  struct archive *ar;
  char *buf;

  /* The parent directory of the last path, reopened only when it changes.  */
  char *parent_path;
  int parent_fd;

  void *links; /* tsearch tree of struct link_seen */
};

/* An upper path being exported: NAME relative ("etc/passwd"), BASE its
 * last component, PFD its parent (borrowed).  */
struct item
{
  const char *name;
  const char *base;
  int pfd;
};

static void
link_seen_free (void *p)
{
  struct link_seen *l = p;

  free (l->name);
  free (l);
}

static int
link_seen_compare (const void *a, const void *b)
{
  const struct link_seen *x = a, *y = b;

  if (x->dev != y->dev)
    return x->dev < y->dev ? -1 : 1;
  if (x->ino != y->ino)
    return x->ino < y->ino ? -1 : 1;
  return 0;
}

static void
exporter_release (struct exporter *x)
{
  if (x->ar)
    archive_write_free (x->ar);
  if (x->tarfd >= 0)
    close (x->tarfd);
  if (x->upperfd >= 0)
    close (x->upperfd);
  if (x->parent_fd >= 0)
    close (x->parent_fd);
  free (x->parent_path);
  free (x->buf);
  tdestroy (x->links, link_seen_free);
}

static int
archive_failure (struct exporter *x, const char *name, ferry_error_t *err)
{
  int e = archive_errno (x->ar);

  return ferry_make_error (err, e > 0 ? e : 0, "cannot add `%s` to `%s`: %s", name, x->tar_path,
                           archive_error_string (x->ar));
}

/* Returns a borrowed descriptor of the upper directory that holds NAME.  */
static int
open_parent (struct exporter *x, const char *name, const char *base, ferry_error_t *err)
{
  size_t len = base - name;
  cleanup_free char *parent = NULL;
  int fd;

  if (len == 0)
    return x->upperfd;
  len--; /* the slash */
  if (x->parent_path && strlen (x->parent_path) == len && memcmp (x->parent_path, name, len) == 0)
    return x->parent_fd;
  parent = xstrndup (name, len);
  fd = open_in_root (x->upperfd, parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ELOOP)
    return ferry_make_error (err, errno, "cannot export `/%s` from `%s`: a parent is a symlink", name,
                             x->upper);
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot export `/%s` from `%s`: cannot open its parent directory",
                             name, x->upper);
  free (x->parent_path);
  if (x->parent_fd >= 0)
    close (x->parent_fd);
  x->parent_path = steal_pointer (&parent);
  x->parent_fd = fd;
  return fd;
}

/* Reads the xattrs of FD, or of ITEM when FD < 0 (nodes that can't be
 * opened), into AE.  overlayfs' own (trusted.overlay.*) describe this
 * upper dir, not the container's files: they are left out.  */
static int
add_xattrs (struct exporter *x, const struct item *it, int fd, struct archive_entry *ae, ferry_error_t *err)
{
  cleanup_free char *path = NULL;
  cleanup_free char *names = NULL;
  ssize_t size;

  if (fd < 0)
    /* The parent is pinned by its descriptor; the l*xattr calls don't
     * follow the last component.  */
    path = xasprintf ("/proc/self/fd/%d/%s", it->pfd, it->base);
  for (;;)
    {
      size = fd >= 0 ? flistxattr (fd, NULL, 0) : llistxattr (path, NULL, 0);
      if (size < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP))
        return 0;
      if (size <= 0)
        break;
      free (names);
      names = xmalloc (size);
      size = fd >= 0 ? flistxattr (fd, names, size) : llistxattr (path, names, size);
      if (size >= 0 || errno != ERANGE)
        break;
    }
  if (size < 0)
    return ferry_make_error (err, errno, "cannot export `/%s` from `%s`: cannot list its xattrs", it->name,
                             x->upper);
  if (size == 0)
    return 0;

  for (const char *key = names; key < names + size; key += strlen (key) + 1)
    {
      cleanup_free char *value = NULL;
      ssize_t vsize;

      if (strncmp (key, OVERLAY_XATTR_PREFIX, strlen (OVERLAY_XATTR_PREFIX)) == 0)
        continue;
      for (;;)
        {
          vsize = fd >= 0 ? fgetxattr (fd, key, NULL, 0) : lgetxattr (path, key, NULL, 0);
          if (vsize < 0)
            break;
          free (value);
          value = xmalloc (vsize + 1);
          vsize = fd >= 0 ? fgetxattr (fd, key, value, vsize) : lgetxattr (path, key, value, vsize);
          if (vsize >= 0 || errno != ERANGE)
            break;
        }
      /* Removed since it was listed.  */
      if (vsize < 0 && errno == ENODATA)
        continue;
      if (vsize < 0)
        return ferry_make_error (err, errno, "cannot export `/%s` from `%s`: cannot read xattr `%s`",
                                 it->name, x->upper, key);
      archive_entry_xattr_add_entry (ae, key, value, vsize);
    }
  return 0;
}

static char *
read_symlink (const struct item *it, size_t hint)
{
  size_t size = hint + 1 > 256 ? hint + 1 : 256;

  for (;;)
    {
      char *target = xmalloc (size);
      ssize_t n = readlinkat (it->pfd, it->base, target, size);

      if (n < 0)
        {
          free (target);
          return NULL;
        }
      if ((size_t) n < size)
        {
          target[n] = '\0';
          return target;
        }
      free (target);
      size *= 2;
    }
}

/* The other names of a hard-linked inode become link entries to the first
 * one (earlier in the sorted list, so earlier in the tar).  Returns the
 * first name, or NULL when NAME is the first.  */
static const char *
hardlink_target (struct exporter *x, const struct stat *st, const char *name)
{
  struct link_seen key = { .dev = st->st_dev, .ino = st->st_ino };
  struct link_seen **found, *l;

  if (S_ISDIR (st->st_mode) || st->st_nlink < 2)
    return NULL;
  found = tfind (&key, &x->links, link_seen_compare);
  if (found)
    return (*found)->name;
  l = xmalloc (sizeof (*l));
  *l = key;
  l->name = xstrdup (name);
  if (tsearch (l, &x->links, link_seen_compare) == NULL)
    abort ();
  return NULL;
}

/* Copies exactly the size in the header: a file that changes while it is
 * read is an error, not a silently different file.  */
static int
write_file_data (struct exporter *x, const struct item *it, int fd, off_t size, ferry_error_t *err)
{
  off_t done = 0;

  while (done < size)
    {
      size_t want = size - done < EXPORT_COPY_BUF_SIZE ? (size_t) (size - done) : EXPORT_COPY_BUF_SIZE;
      ssize_t r = read (fd, x->buf, want);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return ferry_make_error (err, errno, "cannot export `/%s` from `%s`: cannot read it", it->name,
                                 x->upper);
      if (r == 0)
        return ferry_make_error (err, 0, "cannot export `/%s` from `%s`: it shrank while being read",
                                 it->name, x->upper);
      if (archive_write_data (x->ar, x->buf, r) != r)
        return archive_failure (x, it->name, err);
      done += r;
    }
  return 0;
}

static int
stat_item (struct exporter *x, const struct item *it, struct stat *st, int *fd, ferry_error_t *err)
{
  if (fstatat (it->pfd, it->base, st, AT_SYMLINK_NOFOLLOW) < 0)
    return ferry_make_error (err, errno, "cannot export `/%s` from `%s`: cannot stat it", it->name, x->upper);
  if (! S_ISREG (st->st_mode) && ! S_ISDIR (st->st_mode))
    return 0;
  /* O_NONBLOCK: if it became a FIFO meanwhile, don't wait for a writer.
   * The header is taken from the descriptor that is read.  */
  *fd = openat (it->pfd, it->base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (*fd < 0)
    return ferry_make_error (err, errno, "cannot export `/%s` from `%s`: cannot open it", it->name, x->upper);
  if (fstat (*fd, st) < 0)
    return ferry_make_error (err, errno, "cannot export `/%s` from `%s`: cannot stat it", it->name, x->upper);
  if (! S_ISREG (st->st_mode) && ! S_ISDIR (st->st_mode))
    return ferry_make_error (err, 0, "cannot export `/%s` from `%s`: it changed type while being read",
                             it->name, x->upper);
  return 0;
}

/* Fills AE from ST and what the node holds; AE's size is what follows.  */
static int
describe_item (struct exporter *x, const struct item *it, const struct stat *st, int fd,
               struct archive_entry *ae, ferry_error_t *err)
{
  const char *first_name = hardlink_target (x, st, it->name);

  archive_entry_copy_pathname (ae, it->name);
  archive_entry_copy_stat (ae, st);
  /* Neither can be restored; they would only make the tar differ.  */
  archive_entry_unset_ctime (ae);
  archive_entry_unset_birthtime (ae);
  if (first_name)
    {
      archive_entry_copy_hardlink (ae, first_name);
      archive_entry_set_size (ae, 0);
      return 0;
    }
  if (! S_ISREG (st->st_mode))
    archive_entry_set_size (ae, 0);
  if (S_ISLNK (st->st_mode))
    {
      cleanup_free char *target = read_symlink (it, st->st_size);

      if (target == NULL)
        return ferry_make_error (err, errno, "cannot export `/%s` from `%s`: cannot read the symlink",
                                 it->name, x->upper);
      archive_entry_copy_symlink (ae, target);
    }
  return add_xattrs (x, it, fd, ae, err);
}

static int
export_item (struct exporter *x, const char *path, ferry_error_t *err)
{
  struct archive_entry *ae = NULL;
  cleanup_close int fd = -1;
  struct stat st;
  struct item it;
  const char *slash;
  int r;

  it.name = path + 1;
  slash = strrchr (it.name, '/');
  it.base = slash ? slash + 1 : it.name;
  if (! is_clean_absolute (path))
    return ferry_make_error (err, 0, "cannot export `%s` from `%s`: not a clean absolute path", path,
                             x->upper);
  it.pfd = open_parent (x, it.name, it.base, err);
  if (it.pfd < 0)
    return -1;
  if (stat_item (x, &it, &st, &fd, err) < 0)
    return -1;
  /* A socket is only meaningful while its server runs, and tar has no
   * type for it.  */
  if (S_ISSOCK (st.st_mode))
    return 0;

  ae = archive_entry_new ();
  if (ae == NULL)
    abort ();
  r = describe_item (x, &it, &st, fd, ae, err);
  if (r == 0 && archive_write_header (x->ar, ae) < ARCHIVE_WARN)
    r = archive_failure (x, it.name, err);
  if (r == 0 && archive_entry_size (ae) > 0)
    r = write_file_data (x, &it, fd, archive_entry_size (ae), err);
  if (r == 0 && archive_write_finish_entry (x->ar) < ARCHIVE_WARN)
    r = archive_failure (x, it.name, err);
  archive_entry_free (ae);
  return r;
}

static int
open_tar (struct exporter *x, const char *tmp, ferry_error_t *err)
{
  x->tarfd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (x->tarfd < 0)
    return ferry_make_error (err, errno, "cannot create `%s`", tmp);
  x->ar = archive_write_new ();
  if (x->ar == NULL)
    abort ();
  /* Full pax rather than "restricted": restricted pax writes sub-second
   * mtimes and atimes only for entries that need an extended header for
   * another reason, and a restored file must keep its exact times.
   * xattrs as SCHILY.xattr.* only, as Go's archive/tar (Podman) writes them,
   * rather than twice (LIBARCHIVE.xattr.* as well).  */
  if (archive_write_set_format_pax (x->ar) != ARCHIVE_OK
      || archive_write_add_filter_none (x->ar) != ARCHIVE_OK
      || archive_write_set_format_option (x->ar, "pax", "xattrheader", "SCHILY") != ARCHIVE_OK
      || archive_write_set_bytes_in_last_block (x->ar, 1) != ARCHIVE_OK
      || archive_write_open_fd (x->ar, x->tarfd) != ARCHIVE_OK)
    return ferry_make_error (err, 0, "cannot start tar `%s`: %s", tmp, archive_error_string (x->ar));
  return 0;
}

static int
finish_tar (struct exporter *x, const char *tmp, ferry_error_t *err)
{
  int r = archive_write_close (x->ar);

  if (r != ARCHIVE_OK)
    return ferry_make_error (err, archive_errno (x->ar) > 0 ? archive_errno (x->ar) : 0,
                             "cannot finish tar `%s`: %s", tmp, archive_error_string (x->ar));
  if (close (steal_fd (&x->tarfd)) < 0)
    return ferry_make_error (err, errno, "cannot write `%s`", tmp);
  if (rename (tmp, x->tar_path) < 0)
    return ferry_make_error (err, errno, "cannot rename `%s` to `%s`", tmp, x->tar_path);
  return 0;
}

/* An OCI whiteout for the deleted PATH: an empty file DIR/.wh.NAME.  */
static int
export_whiteout (struct exporter *x, const char *path, ferry_error_t *err)
{
  const char *slash = strrchr (path, '/');
  cleanup_free char *name = NULL;
  struct archive_entry *ae;
  int r = 0;

  if (! is_clean_absolute (path) || slash == NULL)
    return ferry_make_error (err, 0, "cannot export deletion of `%s`: not a clean absolute path", path);
  name = xasprintf ("%.*s.wh.%s", (int) (slash - path), path + 1, slash + 1);
  ae = archive_entry_new ();
  if (ae == NULL)
    abort ();
  archive_entry_copy_pathname (ae, name);
  archive_entry_set_filetype (ae, AE_IFREG);
  archive_entry_set_perm (ae, 0644);
  archive_entry_set_size (ae, 0);
  if (archive_write_header (x->ar, ae) < ARCHIVE_WARN || archive_write_finish_entry (x->ar) < ARCHIVE_WARN)
    r = archive_failure (x, name, err);
  archive_entry_free (ae);
  return r;
}

static int
export_tar (const char *upper, const struct ferry_changes *changes, const char *tar_path, bool whiteouts,
            ferry_error_t *err)
{
  __attribute__ ((cleanup (exporter_release))) struct exporter x
      = { .upper = upper, .tar_path = tar_path, .upperfd = -1, .tarfd = -1, .parent_fd = -1 };
  cleanup_free char *tmp = xasprintf ("%s.tmp", tar_path);
  int r;

  x.upperfd = open (upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (x.upperfd < 0)
    return ferry_make_error (err, errno, "cannot open upper directory `%s`", upper);
  x.buf = xmalloc (EXPORT_COPY_BUF_SIZE);
  r = open_tar (&x, tmp, err);
  for (size_t i = 0; r == 0 && i < changes->n; i++)
    if (changes->items[i].kind != FERRY_CHANGE_DELETED)
      r = export_item (&x, changes->items[i].path, err);
    else if (whiteouts)
      r = export_whiteout (&x, changes->items[i].path, err);
  if (r == 0)
    r = finish_tar (&x, tmp, err);
  if (r < 0)
    unlink (tmp);
  return r;
}

int
ferry_rootfs_diff_export (const char *upper, const struct ferry_changes *changes, const char *tar_path,
                          const char *deleted_path, ferry_error_t *err)
{
  if (tar_path && export_tar (upper, changes, tar_path, false, err) < 0)
    return -1;
  if (deleted_path && export_deleted (changes, deleted_path, err) < 0)
    return -1;
  return 0;
}

/* ---- apply ---- */

/* Opens (creating as 0755 directories what is missing) the directory PARENT
 * of UPPER, one component at a time, never through a symlink.  Returns an
 * owned descriptor, or -2 when a component is a whiteout: what is below is
 * deleted already.  SHOWN is the deleted path as a message may quote it
 * (deleted.files comes from an archive: a newline in a name must not make
 * a line of its own).  */
static int
open_or_make_parent (int upperfd, const char *parent, const char *shown, const char *file, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (parent);
  cleanup_close int cur = -1;
  char *component, *saveptr = NULL;

  for (component = strtok_r (copy, "/", &saveptr); component; component = strtok_r (NULL, "/", &saveptr))
    {
      int at = cur >= 0 ? cur : upperfd;
      int fd = open_in_root (at, component, O_PATH | O_DIRECTORY | O_CLOEXEC);
      cleanup_free char *c = NULL;
      struct stat st;

      if (fd < 0 && errno == ENOENT)
        {
          if (mkdirat (at, component, 0755) < 0 && errno != EEXIST)
            return ferry_make_error (err, errno,
                                     "cannot apply deleted path `%s` from `%s`: cannot create `%s`", shown,
                                     file, c = ferry_error_quotable (component, 256));
          /* Not subject to the umask.  */
          if (fchmodat (at, component, 0755, AT_SYMLINK_NOFOLLOW) < 0)
            return ferry_make_error (err, errno,
                                     "cannot apply deleted path `%s` from `%s`: cannot set the mode of `%s`",
                                     shown, file, c = ferry_error_quotable (component, 256));
          fd = open_in_root (at, component, O_PATH | O_DIRECTORY | O_CLOEXEC);
        }
      if (fd < 0 && errno == ENOTDIR && fstatat (at, component, &st, AT_SYMLINK_NOFOLLOW) == 0
          && is_whiteout (&st))
        return -2;
      if (fd < 0 && errno == ELOOP)
        return ferry_make_error (err, errno, "cannot apply deleted path `%s` from `%s`: `%s` is a symlink",
                                 shown, file, c = ferry_error_quotable (component, 256));
      if (fd < 0)
        return ferry_make_error (err, errno, "cannot apply deleted path `%s` from `%s`: cannot open `%s`",
                                 shown, file, c = ferry_error_quotable (component, 256));
      if (cur >= 0)
        close (cur);
      cur = fd;
    }
  return steal_fd (&cur);
}

/* PATH is clean and absolute.  */
static int
make_whiteout (int upperfd, const char *path, const char *file, ferry_error_t *err)
{
  cleanup_free char *shown = ferry_error_quotable (path, 4096);
  const char *name = path + 1;
  const char *slash = strrchr (name, '/');
  const char *base = slash ? slash + 1 : name;
  cleanup_free char *parent = slash ? xstrndup (name, slash - name) : NULL;
  cleanup_close int pfd = -1;
  struct stat st;
  int dirfd = upperfd;

  if (parent)
    {
      pfd = open_or_make_parent (upperfd, parent, shown, file, err);
      if (pfd == -2)
        return 0;
      if (pfd < 0)
        return -1;
      dirfd = pfd;
    }
  if (fstatat (dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
    {
      if (is_whiteout (&st))
        return 0;
      if (ferry_rm_rf_at (dirfd, base, err) < 0)
        return ferry_error_wrap (err, "cannot apply deleted path `%s` from `%s`", shown, file);
    }
  else if (errno != ENOENT)
    return ferry_make_error (err, errno, "cannot apply deleted path `%s` from `%s`: cannot stat it", shown,
                             file);
  if (mknodat (dirfd, base, S_IFCHR | 0000, makedev (0, 0)) < 0)
    return ferry_make_error (
        err, errno, "cannot apply deleted path `%s` from `%s`: cannot create the whiteout", shown, file);
  return 0;
}

/* Every entry is checked before the first whiteout is made: a bad list
 * changes nothing.  */
static int
check_deleted_list (json_object *list, const char *file, ferry_error_t *err)
{
  size_t n;

  if (! json_object_is_type (list, json_type_array))
    return ferry_make_error (err, 0, "`%s` is not a JSON array of paths", file);
  n = json_object_array_length (list);
  for (size_t i = 0; i < n; i++)
    {
      json_object *item = json_object_array_get_idx (list, i);
      const char *path;

      if (! json_object_is_type (item, json_type_string))
        return ferry_make_error (err, 0, "entry %zu of `%s` is not a string", i, file);
      path = json_object_get_string (item);
      if ((size_t) json_object_get_string_len (item) != strlen (path))
        return ferry_make_error (err, 0, "entry %zu of `%s` contains a NUL character", i, file);
      if (! is_clean_absolute (path))
        {
          cleanup_free char *shown = ferry_error_quotable (path, 4096);
          return ferry_make_error (err, 0, "deleted path `%s` in `%s` is not a clean absolute path", shown,
                                   file);
        }
    }
  return 0;
}

static int
apply_deleted (const char *upper, const char *file, ferry_error_t *err)
{
  cleanup_json json_object *list = NULL;
  cleanup_free char *text = NULL;
  cleanup_close int upperfd = -1;
  size_t len;

  if (ferry_read_file (file, &text, &len, err) < 0)
    {
      if ((*err)->status == ENOENT)
        {
          ferry_error_release (err);
          return 0;
        }
      return ferry_error_wrap (err, "cannot read the list of deleted files");
    }
  /* What Go writes for an empty (nil) list.  */
  if (strcmp (text, "null") == 0 || strcmp (text, "null\n") == 0)
    return 0;
  list = ferry_json_parse (text, len, file, err);
  if (list == NULL || check_deleted_list (list, file, err) < 0)
    return -1;
  upperfd = open (upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (upperfd < 0)
    return ferry_make_error (err, errno, "cannot open upper directory `%s`", upper);
  for (size_t i = 0; i < json_object_array_length (list); i++)
    {
      const char *path = json_object_get_string (json_object_array_get_idx (list, i));

      if (make_whiteout (upperfd, path, file, err) < 0)
        return -1;
    }
  return 0;
}

static int
apply_tar (const char *upper, const char *tar_path, ferry_error_t *err)
{
  cleanup_close int fd = open (tar_path, O_RDONLY | O_CLOEXEC);

  if (fd < 0 && errno == ENOENT)
    return 0;
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open rootfs diff `%s`", tar_path);
  if (ferry_unpack_tar_named (fd, tar_path, upper, 0, NULL, err) < 0)
    return ferry_error_wrap (err, "cannot apply rootfs diff `%s` to `%s`", tar_path, upper);
  return 0;
}

int
ferry_rootfs_diff_apply (const char *upper, const char *tar_path, const char *deleted_path,
                         ferry_error_t *err)
{
  if (deleted_path && apply_deleted (upper, deleted_path, err) < 0)
    return -1;
  if (tar_path && apply_tar (upper, tar_path, err) < 0)
    return -1;
  return 0;
}

int
ferry_rootfs_diff_layer (const char *upper, const struct ferry_changes *changes, const char *tar_path,
                         ferry_error_t *err)
{
  return export_tar (upper, changes, tar_path, true, err);
}
