/* ferry: an unpacked layer checked against its tar stream (verify.h).  */
#include "verify.h"
#include "../util/cleanup.h"
#include "../util/decompress.h"
#include "../util/fs.h"
#include "../util/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define READ_BUF_SIZE (256 * 1024)
#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_META_PREFIX ".wh..wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

/* A path the stream accounts for, and what differs there ("" when all
 * is as it should be).  Of several notes of one path the last explicit
 * one counts (a later entry of the same path replaces an earlier one);
 * an implicit one (a parent that unpacking made) only when there is no
 * other.  */
struct seen
{
  char *path;
  char *problem;
  size_t seq;
  int implicit;
};

struct verify
{
  ferry_decompress_t *stream;
  ferry_error_t read_err;
  unsigned char *buf;
  int dirfd;
  const char *dir;
  /* The first regular file, in the stream's order, whose data is not
   * the stream's (ferry_layer_verify_result).  */
  char *integrity;
  struct seen *seen;
  size_t n_seen, cap_seen;
};

static void
note_as (struct verify *v, const char *path, char *problem, int implicit)
{
  if (v->n_seen == v->cap_seen)
    {
      v->cap_seen = v->cap_seen ? 2 * v->cap_seen : 256;
      v->seen = xrealloc (v->seen, sizeof (*v->seen) * v->cap_seen);
    }
  v->seen[v->n_seen].path = xstrdup (path);
  v->seen[v->n_seen].problem = problem;
  v->seen[v->n_seen].seq = v->n_seen;
  v->seen[v->n_seen].implicit = implicit;
  v->n_seen++;
}

static void
note (struct verify *v, const char *path, char *problem)
{
  note_as (v, path, problem, 0);
}

/* PROBLEM (taken) as the layer's integrity failure, unless an earlier
 * file failed already.  */
static void
note_integrity (struct verify *v, char *problem)
{
  if (v->integrity == NULL)
    v->integrity = problem;
  else
    free (problem);
}

/* Every parent of PATH is accounted for too: unpacking makes them.  */
static void
note_parents (struct verify *v, const char *path)
{
  cleanup_free char *copy = xstrdup (path);
  char *slash;

  while ((slash = strrchr (copy, '/')) != NULL)
    {
      *slash = '\0';
      note_as (v, copy, xstrdup (""), 1);
    }
}

static la_ssize_t
read_callback (struct archive *ar, void *data, const void **block)
{
  struct verify *v = data;
  ssize_t r = ferry_decompress_read (v->stream, v->buf, READ_BUF_SIZE, &v->read_err);

  if (r < 0)
    {
      archive_set_error (ar, EIO, "%s", v->read_err->msg);
      return -1;
    }
  *block = v->buf;
  return r;
}

/* Opens PATH (relative, clean) beneath the layer, never through a
 * symlink; O_PATH for a look, else FLAGS.  */
static int
open_beneath (struct verify *v, const char *path, int flags)
{
  return ferry_openat2 (v->dirfd, path, flags | O_NOFOLLOW | O_CLOEXEC, 0,
                        RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
}

static int
stat_beneath (struct verify *v, const char *path, struct stat *st)
{
  cleanup_close int fd = open_beneath (v, path, O_PATH);

  if (fd < 0)
    return -1;
  return fstat (fd, st);
}

static const char *
type_name (mode_t m)
{
  switch (m & S_IFMT)
    {
    case S_IFREG:
      return "file";
    case S_IFDIR:
      return "directory";
    case S_IFLNK:
      return "symlink";
    case S_IFCHR:
      return "character device";
    case S_IFBLK:
      return "block device";
    case S_IFIFO:
      return "fifo";
    default:
      return "socket";
    }
}

/* Compares the regular file at PATH with the entry AE, whose data the
 * archive AR is positioned at.  */
static char *
compare_file (struct verify *v, struct archive *ar, struct archive_entry *ae, const char *path,
              const struct stat *st, ferry_error_t *err)
{
  cleanup_close int fd = -1;
  ferry_sha256_t *want = NULL, *have = NULL;
  char dw[FERRY_DIGEST_LEN + 1], dh[FERRY_DIGEST_LEN + 1];
  cleanup_free unsigned char *buf = NULL;
  la_ssize_t n;
  ssize_t r;

  if ((uint64_t) st->st_size != (uint64_t) archive_entry_size (ae))
    {
      note_integrity (v, xasprintf ("file integrity checksum failed for \"%s\"", path));
      return xasprintf ("/%s(size:%lld\xef\xbf\xab%lld)", path, (long long) archive_entry_size (ae),
                        (long long) st->st_size);
    }
  fd = open_beneath (v, path, O_RDONLY);
  if (fd < 0)
    return xasprintf ("/%s(unreadable: %s)", path, strerror (errno));
  buf = xmalloc (READ_BUF_SIZE);
  want = ferry_sha256_new ();
  have = ferry_sha256_new ();
  while ((n = archive_read_data (ar, buf, READ_BUF_SIZE)) > 0)
    ferry_sha256_update (want, buf, n);
  while ((r = read (fd, buf, READ_BUF_SIZE)) > 0)
    ferry_sha256_update (have, buf, r);
  ferry_sha256_finish (want, dw);
  ferry_sha256_finish (have, dh);
  if (n < 0)
    {
      ferry_make_error (err, 0, "cannot read `%s` in the layer's blob: %s", path, archive_error_string (ar));
      return NULL;
    }
  if (r < 0 || strcmp (dw, dh) != 0)
    {
      note_integrity (v, xasprintf ("file integrity checksum failed for \"%s\"", path));
      return xasprintf ("/%s(content)", path);
    }
  return xstrdup ("");
}

/* What differs between PATH in the layer and entry AE; "" for nothing,
 * NULL with *ERR when the stream cannot be read.  */
static char *
compare_entry (struct verify *v, struct archive *ar, struct archive_entry *ae, const char *path,
               ferry_error_t *err)
{
  mode_t want_mode = archive_entry_mode (ae);
  const char *hardlink = archive_entry_hardlink (ae);
  struct stat st;

  if (stat_beneath (v, path, &st) < 0)
    {
      /* A file with data that is not there cannot be read back.  */
      if (hardlink == NULL && S_ISREG (want_mode) && archive_entry_size (ae) > 0)
        note_integrity (v, xasprintf ("open %s/%s: no such file or directory", v->dir, path));
      return xasprintf ("-/%s", path);
    }
  if (hardlink)
    {
      cleanup_free char *target = ferry_path_normalize_entry (hardlink);
      struct stat tst;

      if (stat_beneath (v, target, &tst) < 0 || tst.st_ino != st.st_ino || tst.st_dev != st.st_dev)
        return xasprintf ("/%s(hard link to /%s)", path, target);
      return xstrdup ("");
    }
  if ((st.st_mode & S_IFMT) != (want_mode & S_IFMT))
    return xasprintf ("/%s(type:%s\xef\xbf\xab%s)", path, type_name (want_mode), type_name (st.st_mode));
  /* The data first, whatever else differs: its check stands apart.  */
  if (S_ISREG (st.st_mode))
    {
      char *problem = compare_file (v, ar, ae, path, &st, err);

      if (problem == NULL || *problem)
        return problem;
      free (problem);
    }
  if ((st.st_mode & 07777) != (want_mode & 07777))
    return xasprintf ("/%s(mode:%04o\xef\xbf\xab%04o)", path, (unsigned) (want_mode & 07777),
                      (unsigned) (st.st_mode & 07777));
  if ((long long) st.st_uid != (long long) archive_entry_uid (ae)
      || (long long) st.st_gid != (long long) archive_entry_gid (ae))
    return xasprintf ("/%s(owner:%lld:%lld\xef\xbf\xab%lld:%lld)", path, (long long) archive_entry_uid (ae),
                      (long long) archive_entry_gid (ae), (long long) st.st_uid, (long long) st.st_gid);
  if (S_ISLNK (st.st_mode))
    {
      char target[4096];
      cleanup_close int pfd = -1;
      const char *slash = strrchr (path, '/');
      cleanup_free char *parent = slash ? xstrndup (path, slash - path) : xstrdup (".");
      const char *want = archive_entry_symlink (ae);
      ssize_t n;

      pfd = strcmp (parent, ".") == 0 ? dup (v->dirfd) : open_beneath (v, parent, O_PATH | O_DIRECTORY);
      n = pfd < 0 ? -1 : readlinkat (pfd, slash ? slash + 1 : path, target, sizeof (target) - 1);
      if (n < 0 || want == NULL || (size_t) n != strlen (want) || memcmp (target, want, n) != 0)
        return xasprintf ("/%s(link target)", path);
      return xstrdup ("");
    }
  if ((S_ISCHR (st.st_mode) || S_ISBLK (st.st_mode))
      && (major (st.st_rdev) != archive_entry_rdevmajor (ae)
          || minor (st.st_rdev) != archive_entry_rdevminor (ae)))
    return xasprintf ("/%s(device)", path);
  return xstrdup ("");
}

/* A whiteout entry NAME (base BASE): what it became, checked.  1 when it
 * was one, 0 when NAME is an ordinary entry.  */
static int
check_whiteout (struct verify *v, const char *name, const char *base)
{
  size_t plen = base - name;
  cleanup_free char *parent = plen ? xstrndup (name, plen - 1) : xstrdup ("");
  cleanup_free char *victim = NULL;
  struct stat st;

  if (strncmp (base, WHITEOUT_PREFIX, strlen (WHITEOUT_PREFIX)) != 0)
    return 0;
  if (strcmp (base, WHITEOUT_OPAQUE) == 0)
    {
      cleanup_close int fd = *parent ? open_beneath (v, parent, O_RDONLY | O_DIRECTORY) : dup (v->dirfd);
      char value[4];
      ssize_t n = fd < 0 ? -1 : fgetxattr (fd, "trusted.overlay.opaque", value, sizeof (value));

      if (*parent)
        note (v, parent, n == 1 && value[0] == 'y' ? xstrdup ("") : xasprintf ("/%s(opaque)", parent));
      return 1;
    }
  if (strncmp (base, WHITEOUT_META_PREFIX, strlen (WHITEOUT_META_PREFIX)) == 0)
    return 1;
  victim = *parent ? xasprintf ("%s/%s", parent, base + strlen (WHITEOUT_PREFIX))
                   : xstrdup (base + strlen (WHITEOUT_PREFIX));
  if (stat_beneath (v, victim, &st) < 0)
    note (v, victim, xasprintf ("-/%s", victim));
  else if (! S_ISCHR (st.st_mode) || st.st_rdev != makedev (0, 0))
    note (v, victim, xasprintf ("/%s(whiteout)", victim));
  else
    note (v, victim, xstrdup (""));
  note_parents (v, victim);
  return 1;
}

static int
compare_stream (struct verify *v, struct archive *ar, ferry_error_t *err)
{
  for (;;)
    {
      struct archive_entry *ae;
      cleanup_free char *name = NULL;
      const char *raw, *base;
      char *problem;
      int r = archive_read_next_header (ar, &ae);

      if (r == ARCHIVE_EOF)
        return 0;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return ferry_make_error (err, 0, "cannot read the layer's blob: %s",
                                 v->read_err ? v->read_err->msg : archive_error_string (ar));
      raw = archive_entry_pathname (ae);
      if (raw == NULL)
        continue;
      name = ferry_path_normalize_entry (raw);
      if (name[0] == '\0' || strcmp (name, ".") == 0)
        continue;
      /* What unpacking refuses never got in: nothing to compare.  */
      if (! ferry_path_is_clean_relative (name))
        continue;
      base = strrchr (name, '/');
      base = base ? base + 1 : name;
      if (check_whiteout (v, name, base))
        continue;
      problem = compare_entry (v, ar, ae, name, err);
      if (problem == NULL)
        return -1;
      note (v, name, problem);
      note_parents (v, name);
    }
}

static int
compare_seen (const void *a, const void *b)
{
  return strcmp (((const struct seen *) a)->path, ((const struct seen *) b)->path);
}

/* Sorted by path, then by which came first.  */
static int
compare_seen_seq (const void *a, const void *b)
{
  const struct seen *x = a, *y = b;
  int c = strcmp (x->path, y->path);

  if (c)
    return c;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* One note per path: the last explicit one, else an implicit one.  */
static void
settle_seen (struct verify *v)
{
  size_t i = 0, out = 0;

  qsort (v->seen, v->n_seen, sizeof (*v->seen), compare_seen_seq);
  while (i < v->n_seen)
    {
      size_t j = i, keep = i;

      for (; j < v->n_seen && strcmp (v->seen[j].path, v->seen[i].path) == 0; j++)
        if (! v->seen[j].implicit || v->seen[keep].implicit)
          keep = j;
      for (size_t k = i; k < j; k++)
        if (k != keep)
          {
            free (v->seen[k].path);
            free (v->seen[k].problem);
          }
      v->seen[out++] = v->seen[keep];
      i = j;
    }
  v->n_seen = out;
}

/* Adds "+/path" for each entry of the directory PREFIX (open at FD) that
 * the stream does not account for.  */
static void
find_added (struct verify *v, int fd, const char *prefix, char ***out, size_t *n)
{
  cleanup_dir DIR *d = fdopendir (fd);
  struct dirent *de;

  if (d == NULL)
    {
      close (fd);
      return;
    }
  while ((de = readdir (d)))
    {
      cleanup_free char *path = NULL;
      struct seen key, *found;
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      path = *prefix ? xasprintf ("%s/%s", prefix, de->d_name) : xstrdup (de->d_name);
      key.path = path;
      found = bsearch (&key, v->seen, v->n_seen, sizeof (*v->seen), compare_seen);
      if (found == NULL)
        {
          *out = xrealloc (*out, sizeof (char *) * (*n + 2));
          (*out)[(*n)++] = xasprintf ("+/%s", path);
          (*out)[*n] = NULL;
          continue;
        }
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (st.st_mode))
        {
          int sub = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

          if (sub >= 0)
            find_added (v, sub, path, out, n);
        }
    }
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

int
ferry_layer_verify (int fd, const char *what, const char *dir, struct ferry_layer_verify_result *out,
                    ferry_error_t *err)
{
  struct verify v = { 0 };
  struct archive *ar = NULL;
  char **problems = xmalloc0 (sizeof (char *));
  size_t n = 0, i;
  int ret = -1;

  memset (out, 0, sizeof (*out));
  v.dir = dir;
  v.dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (v.dirfd < 0)
    {
      free (problems);
      return ferry_make_error (err, errno, "cannot open layer directory `%s`", dir);
    }
  v.stream = ferry_decompress_open (fd, what, err);
  if (v.stream == NULL)
    goto out;
  v.buf = xmalloc (READ_BUF_SIZE);
  ar = archive_read_new ();
  archive_read_support_format_tar (ar);
  archive_read_support_format_empty (ar);
  if (archive_read_open (ar, &v, NULL, read_callback, NULL) != ARCHIVE_OK)
    {
      ferry_make_error (err, 0, "cannot read `%s`: %s", what, archive_error_string (ar));
      goto out;
    }
  if (compare_stream (&v, ar, err) < 0 || ferry_decompress_drain (v.stream, err) < 0)
    goto out;
  ferry_decompress_digests (v.stream, out->compressed_digest, out->diff_digest, &out->compressed_size,
                            &out->diff_size);
  settle_seen (&v);
  for (i = 0; i < v.n_seen; i++)
    if (*v.seen[i].problem)
      {
        problems = xrealloc (problems, sizeof (char *) * (n + 2));
        problems[n++] = steal_pointer (&v.seen[i].problem);
        problems[n] = NULL;
      }
  find_added (&v, dup (v.dirfd), "", &problems, &n);
  qsort (problems, n, sizeof (char *), compare_strings);
  out->problems = steal_pointer (&problems);
  out->integrity = steal_pointer (&v.integrity);
  ret = 0;
out:
  if (ar)
    archive_read_free (ar);
  if (v.stream)
    ferry_decompress_close (v.stream);
  ferry_error_release (&v.read_err);
  free (v.integrity);
  for (i = 0; i < v.n_seen; i++)
    {
      free (v.seen[i].path);
      free (v.seen[i].problem);
    }
  free (v.seen);
  free (v.buf);
  close (v.dirfd);
  if (problems)
    {
      for (i = 0; i < n; i++)
        free (problems[i]);
      free (problems);
    }
  return ret;
}

void
ferry_layer_verify_result_release (struct ferry_layer_verify_result *r)
{
  char **p;

  for (p = r->problems; p && *p; p++)
    free (*p);
  free (r->problems);
  r->problems = NULL;
  free (r->integrity);
  r->integrity = NULL;
}
