/* Unit tests for storage/unpack.c.  Tar inputs are built here with
 * libarchive's writer, hostile ones included, and unpacked into a fresh
 * directory under /tmp; each escape attempt also checks that nothing
 * appeared outside.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "storage/unpack.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/xalloc.h"

#define MTIME 1600000000

/* ---- building tars ---------------------------------------------------- */

struct tar
{
  struct archive *a;
  unsigned char *data;
  size_t len, allocated;
};

static la_ssize_t
tar_write_cb (struct archive *a, void *p, const void *buf, size_t n)
{
  struct tar *t = p;

  if (t->allocated - t->len < n)
    {
      t->allocated = (t->allocated + n) * 2;
      t->data = xrealloc (t->data, t->allocated);
    }
  memcpy (t->data + t->len, buf, n);
  t->len += n;
  return n;
}

static struct tar *
tar_new (void)
{
  struct tar *t = xmalloc0 (sizeof (*t));

  t->a = archive_write_new ();
  assert_non_null (t->a);
  assert_int_equal (archive_write_set_format_pax (t->a), ARCHIVE_OK);
  assert_int_equal (archive_write_open (t->a, t, NULL, tar_write_cb, NULL), ARCHIVE_OK);
  return t;
}

static void
tar_free (struct tar **t)
{
  if (*t == NULL)
    return;
  if ((*t)->a)
    archive_write_free ((*t)->a);
  free ((*t)->data);
  free (*t);
}

#define cleanup_tar __attribute__ ((cleanup (tar_free)))

static struct archive_entry *
entry_new (const char *name, mode_t type, mode_t perm)
{
  struct archive_entry *e = archive_entry_new ();

  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, type);
  archive_entry_set_perm (e, perm);
  archive_entry_set_mtime (e, MTIME, 0);
  archive_entry_set_uid (e, 0);
  archive_entry_set_gid (e, 0);
  return e;
}

static void
tar_write (struct tar *t, struct archive_entry *e, const void *data, size_t len)
{
  if (archive_write_header (t->a, e) != ARCHIVE_OK)
    fail_msg ("cannot write header `%s`: %s", archive_entry_pathname (e), archive_error_string (t->a));
  if (len > 0)
    assert_int_equal (archive_write_data (t->a, data, len), (la_ssize_t) len);
  archive_entry_free (e);
}

static void
tar_file_full (struct tar *t, const char *name, const char *content, mode_t perm, uid_t uid, gid_t gid,
               time_t mtime)
{
  struct archive_entry *e = entry_new (name, AE_IFREG, perm);
  size_t len = strlen (content);

  archive_entry_set_size (e, len);
  archive_entry_set_uid (e, uid);
  archive_entry_set_gid (e, gid);
  archive_entry_set_mtime (e, mtime, 0);
  tar_write (t, e, content, len);
}

static void
tar_file (struct tar *t, const char *name, const char *content)
{
  tar_file_full (t, name, content, 0644, 0, 0, MTIME);
}

static void
tar_dir_full (struct tar *t, const char *name, mode_t perm, time_t mtime)
{
  struct archive_entry *e = entry_new (name, AE_IFDIR, perm);

  archive_entry_set_mtime (e, mtime, 0);
  tar_write (t, e, NULL, 0);
}

static void
tar_dir (struct tar *t, const char *name)
{
  tar_dir_full (t, name, 0755, MTIME);
}

static void
tar_symlink (struct tar *t, const char *name, const char *target)
{
  struct archive_entry *e = entry_new (name, AE_IFLNK, 0777);

  archive_entry_set_symlink (e, target);
  tar_write (t, e, NULL, 0);
}

static void
tar_hardlink (struct tar *t, const char *name, const char *target)
{
  struct archive_entry *e = entry_new (name, AE_IFREG, 0644);

  archive_entry_set_hardlink (e, target);
  archive_entry_set_size (e, 0);
  tar_write (t, e, NULL, 0);
}

static void
tar_node (struct tar *t, const char *name, mode_t type, mode_t perm, dev_t rdev)
{
  struct archive_entry *e = entry_new (name, type, perm);

  archive_entry_set_rdev (e, rdev);
  tar_write (t, e, NULL, 0);
}

static void
tar_finish (struct tar *t)
{
  assert_int_equal (archive_write_close (t->a), ARCHIVE_OK);
  archive_write_free (t->a);
  t->a = NULL;
}

/* ---- compression ------------------------------------------------------ */

static unsigned char *
gzip_bytes (const unsigned char *in, size_t len, size_t *out_len)
{
  z_stream z = { 0 };
  unsigned char *out;
  size_t bound;

  assert_int_equal (deflateInit2 (&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  bound = deflateBound (&z, len) + 64;
  out = xmalloc (bound);
  z.next_in = (unsigned char *) in;
  z.avail_in = len;
  z.next_out = out;
  z.avail_out = bound;
  assert_int_equal (deflate (&z, Z_FINISH), Z_STREAM_END);
  *out_len = z.total_out;
  deflateEnd (&z);
  return out;
}

static unsigned char *
zstd_bytes (const unsigned char *in, size_t len, size_t *out_len)
{
  size_t bound = ZSTD_compressBound (len);
  unsigned char *out = xmalloc (bound);
  size_t r = ZSTD_compress (out, bound, in, len, 3);

  assert_false (ZSTD_isError (r));
  *out_len = r;
  return out;
}

/* ---- fixture ---------------------------------------------------------- */

struct fixture
{
  char *top;     /* /tmp/ferry-unpack-XXXXXX */
  char *dest;    /* top/dest: where tars go */
  char *outside; /* top/outside: must stay empty unless a test fills it */
};

static int
setup (void **state)
{
  ferry_error_t err = NULL;
  struct fixture *f = xmalloc0 (sizeof (*f));

  f->top = ferry_mkdtemp_in ("/tmp", "ferry-unpack-", &err);
  assert_non_null (f->top);
  f->dest = xasprintf ("%s/dest", f->top);
  f->outside = xasprintf ("%s/outside", f->top);
  assert_int_equal (mkdir (f->dest, 0700), 0);
  assert_int_equal (mkdir (f->outside, 0755), 0);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  cleanup_error ferry_error_t err = NULL;
  struct fixture *f = *state;

  if (ferry_rm_rf (f->top, &err) < 0)
    ferry_error_print (err);
  free (f->top);
  free (f->dest);
  free (f->outside);
  free (f);
  return 0;
}

static int
unpack_bytes (struct fixture *f, const void *data, size_t len, unsigned flags,
              struct ferry_unpack_result *res, ferry_error_t *err)
{
  cleanup_close int fd = memfd_create ("layer", MFD_CLOEXEC);

  assert_true (fd >= 0);
  assert_int_equal (ferry_write_all (fd, data, len), 0);
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  return ferry_unpack_tar (fd, f->dest, flags, res, err);
}

static void
unpack_ok (struct fixture *f, struct tar *t, unsigned flags)
{
  cleanup_error ferry_error_t err = NULL;

  tar_finish (t);
  if (unpack_bytes (f, t->data, t->len, flags, NULL, &err) < 0)
    fail_msg ("unpack failed: %s (%s)", err->msg, strerror (err->status));
}

static void
assert_error_contains (ferry_error_t err, const char *needle)
{
  assert_non_null (err);
  if (strstr (err->msg, needle) == NULL)
    fail_msg ("error `%s` does not contain `%s`", err->msg, needle);
}

static void
unpack_fails (struct fixture *f, struct tar *t, unsigned flags, const char *needle, const char *needle2)
{
  cleanup_error ferry_error_t err = NULL;

  tar_finish (t);
  assert_true (unpack_bytes (f, t->data, t->len, flags, NULL, &err) < 0);
  assert_error_contains (err, needle);
  if (needle2)
    assert_error_contains (err, needle2);
}

static char *
at (struct fixture *f, const char *rel)
{
  static char buf[4][PATH_MAX];
  static int next;
  char *p = buf[next++ % 4];

  snprintf (p, PATH_MAX, "%s/%s", f->dest, rel);
  return p;
}

static char *
in_top (struct fixture *f, const char *rel)
{
  static char buf[PATH_MAX];

  snprintf (buf, sizeof (buf), "%s/%s", f->top, rel);
  return buf;
}

static void
assert_content (const char *path, const char *expected)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *data = NULL;
  size_t len;

  if (ferry_read_file (path, &data, &len, &err) < 0)
    fail_msg ("%s", err->msg);
  assert_int_equal (len, strlen (expected));
  assert_memory_equal (data, expected, len);
}

static void
assert_lstat (const char *path, struct stat *st)
{
  if (lstat (path, st) < 0)
    fail_msg ("lstat `%s`: %s", path, strerror (errno));
}

static void
assert_missing (const char *path)
{
  struct stat st;

  if (lstat (path, &st) == 0)
    fail_msg ("`%s` exists but must not", path);
}

/* The directory holds exactly N entries.  */
static void
assert_dir_count (const char *path, int n)
{
  cleanup_dir DIR *d = opendir (path);
  struct dirent *de;
  int count = 0;

  assert_non_null (d);
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      count++;
  assert_int_equal (count, n);
}

/* Nothing but dest/ and outside/ (still empty) in the fixture's top.  */
static void
assert_nothing_outside (struct fixture *f)
{
  assert_dir_count (f->top, 2);
  assert_dir_count (f->outside, 0);
}

/* ---- regular files, directories, links, nodes --------------------------- */

static void
test_regular_file_metadata (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  struct archive_entry *e;
  struct stat st;

  /* No directory entries: the parents are implied.  */
  tar_file_full (t, "./etc/app/app.conf", "key = value\n", 0640, 1000, 2000, 1234567890);
  tar_file_full (t, "usr/bin/helper", "#!/bin/sh\n", 06755, 1000, 1000, MTIME);
  tar_file (t, "empty", "");
  e = entry_new ("accessed", AE_IFREG, 0644);
  archive_entry_set_atime (e, 1100000000, 500);
  archive_entry_set_mtime (e, 1000000000, 250);
  tar_write (t, e, NULL, 0);
  unpack_ok (f, t, 0);

  assert_lstat (at (f, "etc/app/app.conf"), &st);
  assert_true (S_ISREG (st.st_mode));
  assert_int_equal (st.st_mode & 07777, 0640);
  assert_int_equal (st.st_uid, 1000);
  assert_int_equal (st.st_gid, 2000);
  assert_int_equal (st.st_mtime, 1234567890);
  /* No atime in the tar: the mtime stands in for it.  */
  assert_int_equal (st.st_atime, 1234567890);
  /* Read after the stat: reading moves the atime.  */
  assert_content (at (f, "etc/app/app.conf"), "key = value\n");

  /* chown clears setuid/setgid: they survive only if set after it.  */
  assert_lstat (at (f, "usr/bin/helper"), &st);
  assert_int_equal (st.st_mode & 07777, 06755);
  assert_int_equal (st.st_uid, 1000);

  assert_lstat (at (f, "empty"), &st);
  assert_true (S_ISREG (st.st_mode));
  assert_int_equal (st.st_size, 0);

  assert_lstat (at (f, "accessed"), &st);
  assert_int_equal (st.st_atim.tv_sec, 1100000000);
  assert_int_equal (st.st_atim.tv_nsec, 500);
  assert_int_equal (st.st_mtim.tv_sec, 1000000000);
  assert_int_equal (st.st_mtim.tv_nsec, 250);

  assert_lstat (at (f, "etc/app"), &st);
  assert_true (S_ISDIR (st.st_mode));
  assert_int_equal (st.st_mode & 07777, 0755);
  assert_int_equal (st.st_uid, 0);
}

static void
test_large_file (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  size_t len = 3 * 1024 * 1024 + 123, i;
  cleanup_free char *big = xmalloc (len + 1);
  cleanup_free char *back = NULL;
  cleanup_error ferry_error_t err = NULL;
  size_t back_len;

  for (i = 0; i < len; i++)
    big[i] = 'A' + (i * 7919 % 61);
  big[len] = '\0';
  tar_file (t, "big", big);
  unpack_ok (f, t, 0);
  assert_int_equal (ferry_read_file (at (f, "big"), &back, &back_len, &err), 0);
  assert_int_equal (back_len, len);
  assert_memory_equal (back, big, len);
}

static void
test_sparse_file (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  size_t len = 1024 * 1024, i;
  cleanup_free char *content = xmalloc0 (len);
  cleanup_free char *back = NULL;
  cleanup_error ferry_error_t err = NULL;
  struct archive_entry *e = entry_new ("holes", AE_IFREG, 0644);
  size_t back_len;
  struct stat st;

  for (i = 0; i < 4096; i++)
    {
      content[i] = 'a' + i % 26;
      content[512 * 1024 + i] = 'A' + i % 26;
    }
  archive_entry_set_size (e, len);
  archive_entry_sparse_add_entry (e, 0, 4096);
  archive_entry_sparse_add_entry (e, 512 * 1024, 4096);
  tar_write (t, e, content, len);
  tar_finish (t);
  /* The tar carries only the data blocks, not the holes.  */
  assert_true (t->len < 64 * 1024);
  if (unpack_bytes (f, t->data, t->len, 0, NULL, &err) < 0)
    fail_msg ("%s", err->msg);

  assert_int_equal (ferry_read_file (at (f, "holes"), &back, &back_len, &err), 0);
  assert_int_equal (back_len, len);
  assert_memory_equal (back, content, len);
  assert_lstat (at (f, "holes"), &st);
  assert_true (st.st_blocks * 512 < (blkcnt_t) len / 2);
}

static void
test_directory_times_after_children (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  struct stat st;

  tar_dir_full (t, "./", 0755, 1500000000);
  tar_dir_full (t, "d/", 0750, 1000000000);
  tar_dir_full (t, "d/sub/", 0700, 1100000000);
  tar_file (t, "d/sub/f", "x");
  tar_file (t, "d/g", "y");
  tar_dir (t, "d/sub/deeper/");
  unpack_ok (f, t, 0);

  assert_lstat (at (f, "d"), &st);
  assert_int_equal (st.st_mode & 07777, 0750);
  assert_int_equal (st.st_mtime, 1000000000);
  assert_lstat (at (f, "d/sub"), &st);
  assert_int_equal (st.st_mode & 07777, 0700);
  assert_int_equal (st.st_mtime, 1100000000);
  assert_lstat (at (f, "d/sub/deeper"), &st);
  assert_int_equal (st.st_mtime, MTIME);
  /* The root entry applies to DEST itself.  */
  assert_lstat (f->dest, &st);
  assert_int_equal (st.st_mode & 07777, 0755);
  assert_int_equal (st.st_mtime, 1500000000);
}

static void
test_existing_directory_is_kept (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  struct stat st;

  tar_dir (t, "d/");
  tar_file (t, "d/a", "a");
  tar_dir_full (t, "d/", 0711, 1300000000);
  unpack_ok (f, t, 0);

  assert_content (at (f, "d/a"), "a");
  assert_lstat (at (f, "d"), &st);
  assert_int_equal (st.st_mode & 07777, 0711);
  assert_int_equal (st.st_mtime, 1300000000);
}

static void
test_symlinks_verbatim (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  struct archive_entry *e = entry_new ("owned", AE_IFLNK, 0777);
  char buf[PATH_MAX];
  struct stat st;
  ssize_t n;

  tar_symlink (t, "abs", "/etc/passwd");
  tar_symlink (t, "dir/rel", "../../x/y");
  archive_entry_set_symlink (e, "target");
  archive_entry_set_uid (e, 1234);
  archive_entry_set_gid (e, 4321);
  archive_entry_set_mtime (e, 1200000000, 0);
  tar_write (t, e, NULL, 0);
  unpack_ok (f, t, 0);

  n = readlink (at (f, "abs"), buf, sizeof (buf));
  assert_int_equal (n, strlen ("/etc/passwd"));
  assert_memory_equal (buf, "/etc/passwd", n);
  n = readlink (at (f, "dir/rel"), buf, sizeof (buf));
  assert_int_equal (n, strlen ("../../x/y"));
  assert_memory_equal (buf, "../../x/y", n);

  assert_lstat (at (f, "owned"), &st);
  assert_true (S_ISLNK (st.st_mode));
  assert_int_equal (st.st_uid, 1234);
  assert_int_equal (st.st_gid, 4321);
  assert_int_equal (st.st_mtime, 1200000000);
}

static void
test_hardlinks (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  struct stat a, b, c;

  tar_file_full (t, "a", "shared", 0600, 7, 7, MTIME);
  tar_hardlink (t, "b", "a");
  tar_hardlink (t, "dir/c", "./a");
  unpack_ok (f, t, 0);

  assert_lstat (at (f, "a"), &a);
  assert_lstat (at (f, "b"), &b);
  assert_lstat (at (f, "dir/c"), &c);
  assert_int_equal (a.st_ino, b.st_ino);
  assert_int_equal (a.st_ino, c.st_ino);
  assert_int_equal (a.st_nlink, 3);
  assert_content (at (f, "dir/c"), "shared");
}

static void
test_fifo_and_devices (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  struct stat st;

  tar_node (t, "dev/null", AE_IFCHR, 0666, makedev (1, 3));
  tar_node (t, "dev/loop0", AE_IFBLK, 0660, makedev (7, 0));
  tar_node (t, "run/pipe", AE_IFIFO, 0620, 0);
  unpack_ok (f, t, 0);

  assert_lstat (at (f, "dev/null"), &st);
  assert_true (S_ISCHR (st.st_mode));
  assert_int_equal (st.st_rdev, makedev (1, 3));
  assert_int_equal (st.st_mode & 07777, 0666);
  assert_lstat (at (f, "dev/loop0"), &st);
  assert_true (S_ISBLK (st.st_mode));
  assert_int_equal (st.st_rdev, makedev (7, 0));
  assert_lstat (at (f, "run/pipe"), &st);
  assert_true (S_ISFIFO (st.st_mode));
  assert_int_equal (st.st_mode & 07777, 0620);
  assert_int_equal (st.st_mtime, MTIME);
}

static void
test_xattrs (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  struct archive_entry *e = entry_new ("file", AE_IFREG, 0644);
  char buf[64];
  ssize_t n;

  archive_entry_set_size (e, 2);
  archive_entry_xattr_add_entry (e, "user.comment", "kept", 4);
  archive_entry_xattr_add_entry (e, "trusted.ferry", "t", 1);
  /* overlayfs metadata never comes from a tar.  */
  archive_entry_xattr_add_entry (e, "trusted.overlay.redirect", "/etc", 4);
  tar_write (t, e, "hi", 2);
  e = entry_new ("dir", AE_IFDIR, 0755);
  archive_entry_xattr_add_entry (e, "user.dir", "d", 1);
  tar_write (t, e, NULL, 0);
  /* Symlinks and FIFOs take trusted.* but not user.*: the latter are
   * dropped rather than failing the layer.  */
  e = entry_new ("dir/sym", AE_IFLNK, 0777);
  archive_entry_set_symlink (e, "../file");
  archive_entry_xattr_add_entry (e, "trusted.sym", "s", 1);
  archive_entry_xattr_add_entry (e, "user.sym", "u", 1);
  tar_write (t, e, NULL, 0);
  e = entry_new ("fifo", AE_IFIFO, 0600);
  archive_entry_xattr_add_entry (e, "trusted.fifo", "f", 1);
  tar_write (t, e, NULL, 0);
  unpack_ok (f, t, 0);

  n = getxattr (at (f, "file"), "user.comment", buf, sizeof (buf));
  assert_int_equal (n, 4);
  assert_memory_equal (buf, "kept", 4);
  n = getxattr (at (f, "file"), "trusted.ferry", buf, sizeof (buf));
  assert_int_equal (n, 1);
  assert_int_equal (getxattr (at (f, "file"), "trusted.overlay.redirect", buf, sizeof (buf)), -1);
  n = getxattr (at (f, "dir"), "user.dir", buf, sizeof (buf));
  assert_int_equal (n, 1);
  assert_int_equal (lgetxattr (at (f, "dir/sym"), "trusted.sym", buf, sizeof (buf)), 1);
  assert_int_equal (buf[0], 's');
  assert_int_equal (lgetxattr (at (f, "fifo"), "trusted.fifo", buf, sizeof (buf)), 1);
  assert_int_equal (buf[0], 'f');
  assert_content (at (f, "file"), "hi");
}

/* ---- replacing -------------------------------------------------------- */

static void
test_file_replaces_directory (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  struct stat st;

  tar_dir (t, "x/");
  tar_dir (t, "x/sub/");
  tar_file (t, "x/sub/child", "c");
  tar_file (t, "x", "now a file");
  unpack_ok (f, t, 0);

  assert_lstat (at (f, "x"), &st);
  assert_true (S_ISREG (st.st_mode));
  assert_content (at (f, "x"), "now a file");
}

static void
test_directory_replaces_file (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  struct stat st;

  tar_file (t, "y", "a file first");
  tar_symlink (t, "s", "y");
  tar_dir (t, "y/");
  tar_file (t, "y/z", "inside");
  tar_dir (t, "s/");
  tar_file (t, "s/w", "inside too");
  unpack_ok (f, t, 0);

  assert_lstat (at (f, "y"), &st);
  assert_true (S_ISDIR (st.st_mode));
  assert_content (at (f, "y/z"), "inside");
  assert_lstat (at (f, "s"), &st);
  assert_true (S_ISDIR (st.st_mode));
  assert_content (at (f, "s/w"), "inside too");
}

/* A symlink in place is replaced, never written through.  */
static void
test_file_replaces_symlink (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  cleanup_free char *target = xasprintf ("%s/victim", f->outside);
  struct stat st;

  tar_symlink (t, "lnk", target);
  tar_file (t, "lnk", "replaced");
  tar_symlink (t, "node", target);
  tar_node (t, "node", AE_IFIFO, 0600, 0);
  unpack_ok (f, t, 0);

  assert_lstat (at (f, "lnk"), &st);
  assert_true (S_ISREG (st.st_mode));
  assert_content (at (f, "lnk"), "replaced");
  assert_lstat (at (f, "node"), &st);
  assert_true (S_ISFIFO (st.st_mode));
  assert_nothing_outside (f);
}

/* ---- whiteouts -------------------------------------------------------- */

static void
whiteout_tar (struct tar *t)
{
  tar_dir (t, "dir/");
  tar_file (t, "dir/gone", "to be hidden");
  tar_file (t, "dir/stays", "stays");
  tar_file (t, "dir/.wh.gone", "");
  tar_file (t, ".wh.top", "");
  tar_dir (t, "opq/");
  tar_file (t, "opq/.wh..wh..opq", "");
  tar_file (t, "implied/.wh..wh..opq", "");
  tar_file (t, ".wh..wh.plnk.1234", "");
}

static void
assert_whiteout (const char *path)
{
  struct stat st;

  assert_lstat (path, &st);
  assert_true (S_ISCHR (st.st_mode));
  assert_int_equal (st.st_rdev, makedev (0, 0));
  assert_int_equal (st.st_uid, 0);
  assert_int_equal (st.st_gid, 0);
}

static void
assert_opaque (const char *path)
{
  char v[8];

  assert_int_equal (getxattr (path, "trusted.overlay.opaque", v, sizeof (v)), 1);
  assert_int_equal (v[0], 'y');
}

static void
test_whiteouts_overlay (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();

  whiteout_tar (t);
  unpack_ok (f, t, FERRY_UNPACK_OVERLAY_WHITEOUTS);

  assert_whiteout (at (f, "dir/gone"));
  assert_whiteout (at (f, "top"));
  assert_content (at (f, "dir/stays"), "stays");
  assert_missing (at (f, "dir/.wh.gone"));
  assert_missing (at (f, ".wh.top"));
  assert_opaque (at (f, "opq"));
  assert_opaque (at (f, "implied"));
  assert_missing (at (f, "opq/.wh..wh..opq"));
  assert_missing (at (f, ".wh..wh.plnk.1234"));
  assert_dir_count (at (f, "opq"), 0);
}

/* A whiteout for a whole directory removes the directory.  */
static void
test_whiteout_replaces_directory (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();

  tar_dir (t, "a/");
  tar_dir (t, "a/b/");
  tar_file (t, "a/b/c", "c");
  tar_file (t, ".wh.a", "");
  tar_file (t, "x/y", "y");
  tar_file (t, "x/.wh.y", "");
  tar_file (t, "x/z", "z");
  unpack_ok (f, t, FERRY_UNPACK_OVERLAY_WHITEOUTS);

  assert_whiteout (at (f, "a"));
  assert_whiteout (at (f, "x/y"));
  assert_content (at (f, "x/z"), "z");
}

static void
test_whiteouts_plain_without_flag (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  struct stat st;
  char v[8];

  whiteout_tar (t);
  unpack_ok (f, t, 0);

  assert_content (at (f, "dir/gone"), "to be hidden");
  assert_lstat (at (f, "dir/.wh.gone"), &st);
  assert_true (S_ISREG (st.st_mode));
  assert_lstat (at (f, ".wh.top"), &st);
  assert_true (S_ISREG (st.st_mode));
  assert_missing (at (f, "top"));
  assert_lstat (at (f, "opq/.wh..wh..opq"), &st);
  assert_true (S_ISREG (st.st_mode));
  assert_int_equal (getxattr (at (f, "opq"), "trusted.overlay.opaque", v, sizeof (v)), -1);
  assert_lstat (at (f, ".wh..wh.plnk.1234"), &st);
  assert_true (S_ISREG (st.st_mode));
}

static void
test_bad_whiteouts (void **state)
{
  static const char *const names[] = { "dir/.wh.", ".wh..", "dir/.wh..." };
  struct fixture *f = *state;
  size_t i;

  for (i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    {
      cleanup_tar struct tar *t = tar_new ();

      tar_dir (t, "dir/");
      tar_file (t, "dir/keep", "k");
      tar_file (t, names[i], "");
      unpack_fails (f, t, FERRY_UNPACK_OVERLAY_WHITEOUTS, names[i], "invalid whiteout");
      assert_content (at (f, "dir/keep"), "k");
      assert_nothing_outside (f);
    }
}

/* ---- escapes ---------------------------------------------------------- */

static void
test_refuses_absolute_name (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();

  tar_file (t, "/etc/ferry-unpack-test-evil", "evil");
  unpack_fails (f, t, 0, "`/etc/ferry-unpack-test-evil` escapes the destination", NULL);
  assert_missing ("/etc/ferry-unpack-test-evil");
  assert_missing (at (f, "etc"));
  assert_nothing_outside (f);
}

static void
test_refuses_dotdot (void **state)
{
  static const char *const names[] = { "../evil", "a/../../evil", "./../evil", "a/b/../../../evil" };
  struct fixture *f = *state;
  size_t i;

  for (i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    {
      cleanup_tar struct tar *t = tar_new ();
      cleanup_free char *expected = xasprintf ("`%s` escapes the destination", names[i]);

      tar_dir (t, "a/");
      tar_dir (t, "a/b/");
      tar_file (t, names[i], "evil");
      unpack_fails (f, t, 0, expected, NULL);
      assert_missing (in_top (f, "evil"));
      assert_missing (at (f, "evil"));
      assert_nothing_outside (f);
    }
}

static void
test_refuses_write_through_absolute_symlink (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();

  tar_symlink (t, "lnk", f->outside);
  tar_file (t, "lnk/evil", "evil");
  unpack_fails (f, t, 0, "`lnk/evil`", "writes through a symlink");
  assert_nothing_outside (f);
}

static void
test_refuses_write_through_dotdot_symlink (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();

  tar_symlink (t, "up", "..");
  tar_file (t, "up/evil", "evil");
  unpack_fails (f, t, 0, "`up/evil`", "writes through a symlink");
  assert_missing (in_top (f, "evil"));
  assert_nothing_outside (f);

  /* Nor through a deeper symlink, nor into a directory entry.  */
  {
    cleanup_tar struct tar *t2 = tar_new ();

    tar_dir (t2, "a/");
    tar_symlink (t2, "a/root", "/");
    tar_dir (t2, "a/root/tmp/");
    unpack_fails (f, t2, 0, "`a/root/tmp`", "writes through a symlink");
  }
  {
    cleanup_tar struct tar *t3 = tar_new ();

    tar_symlink (t3, "up2", "../outside");
    tar_node (t3, "up2/fifo", AE_IFIFO, 0644, 0);
    unpack_fails (f, t3, 0, "`up2/fifo`", "writes through a symlink");
  }
  assert_nothing_outside (f);
}

/* A symlink already in DEST (from an earlier layer) is no way out either.  */
static void
test_refuses_write_through_existing_symlink (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();

  assert_int_equal (symlink (f->outside, at (f, "pre")), 0);
  tar_file (t, "pre/evil", "evil");
  unpack_fails (f, t, FERRY_UNPACK_OVERLAY_WHITEOUTS, "`pre/evil`", "writes through a symlink");
  assert_nothing_outside (f);
  {
    cleanup_tar struct tar *t2 = tar_new ();

    tar_file (t2, "pre/.wh.x", "");
    unpack_fails (f, t2, FERRY_UNPACK_OVERLAY_WHITEOUTS, "`pre/.wh.x`", "writes through a symlink");
  }
  assert_nothing_outside (f);
}

static void
test_refuses_escaping_hardlink (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();

  /* Even where RESOLVE_IN_ROOT would keep it inside: such a name is
   * refused outright, not reinterpreted.  */
  assert_int_equal (mkdir (at (f, "etc"), 0755), 0);
  assert_int_equal (ferry_write_file_atomic (at (f, "etc/passwd"), "p", 1, 0644, &(ferry_error_t){ NULL }),
                    0);
  tar_hardlink (t, "h", "../../etc/passwd");
  unpack_fails (f, t, 0, "`h`", "`../../etc/passwd` escapes the destination");
  assert_missing (at (f, "h"));
  {
    cleanup_tar struct tar *t2 = tar_new ();

    tar_hardlink (t2, "h", "/etc/passwd");
    unpack_fails (f, t2, 0, "`h`", "`/etc/passwd` escapes the destination");
  }
  assert_missing (at (f, "h"));
  assert_nothing_outside (f);
}

/* Podman's volume import takes "/data/x" as data/x of the volume.  */
static void
test_rooted_names (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  struct stat a, b;

  tar_dir (t, "/");
  tar_file (t, "/data/x", "x");
  tar_file (t, "//./y", "y");
  tar_hardlink (t, "/data/h", "/data/x");
  tar_symlink (t, "/data/up", "../y");
  tar_symlink (t, "/abs", "/etc/passwd");
  unpack_ok (f, t, FERRY_UNPACK_ROOTED_NAMES);
  assert_content (at (f, "data/x"), "x");
  assert_content (at (f, "y"), "y");
  assert_lstat (at (f, "data/x"), &a);
  assert_lstat (at (f, "data/h"), &b);
  assert_int_equal (a.st_ino, b.st_ino);
  assert_content (at (f, "data/up"), "y");
  assert_lstat (at (f, "abs"), &a);
  assert_true (S_ISLNK (a.st_mode));
  assert_nothing_outside (f);
}

/* Rooted or not, ".." and links out are refused.  */
static void
test_rooted_names_refuse_escapes (void **state)
{
  static const char *const names[] = { "/../evil", "/a/../../evil", "../evil" };
  struct fixture *f = *state;
  size_t i;

  for (i = 0; i < sizeof (names) / sizeof (names[0]); i++)
    {
      cleanup_tar struct tar *t = tar_new ();
      cleanup_free char *expected = xasprintf ("`%s` escapes the destination", names[i]);

      tar_file (t, names[i], "evil");
      unpack_fails (f, t, FERRY_UNPACK_ROOTED_NAMES, expected, NULL);
      assert_missing (in_top (f, "evil"));
      assert_missing (at (f, "evil"));
    }
  {
    cleanup_tar struct tar *t = tar_new ();

    tar_hardlink (t, "/h", "/../etc/passwd");
    unpack_fails (f, t, FERRY_UNPACK_ROOTED_NAMES, "`h`", "`/../etc/passwd` escapes the destination");
  }
  {
    cleanup_tar struct tar *t = tar_new ();

    tar_symlink (t, "/a/l", "x/../../../etc");
    unpack_fails (f, t, FERRY_UNPACK_ROOTED_NAMES, "invalid symlink `a/l` -> `x/../../../etc`", NULL);
    assert_missing (at (f, "a/l"));
  }
  {
    cleanup_tar struct tar *t = tar_new ();

    tar_symlink (t, "/l", "/tmp");
    tar_file (t, "/l/ferry-unpack-test-evil", "evil");
    unpack_fails (f, t, FERRY_UNPACK_ROOTED_NAMES, "`l/ferry-unpack-test-evil`", "writes through a symlink");
    assert_missing ("/tmp/ferry-unpack-test-evil");
  }
  assert_nothing_outside (f);
}

static void
test_refuses_hardlink_through_symlink (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();
  cleanup_free char *secret = xasprintf ("%s/secret", f->outside);
  struct stat st;

  assert_int_equal (ferry_write_file_atomic (secret, "s", 1, 0600, &(ferry_error_t){ NULL }), 0);
  tar_symlink (t, "lnk", f->outside);
  tar_hardlink (t, "h", "lnk/secret");
  unpack_fails (f, t, 0, "`h`", "`lnk/secret`");
  assert_missing (at (f, "h"));
  assert_lstat (secret, &st);
  assert_int_equal (st.st_nlink, 1);

  /* A target that is itself a symlink is linked, not followed.  */
  {
    cleanup_tar struct tar *t2 = tar_new ();
    struct stat a, b;

    tar_symlink (t2, "sym", secret);
    tar_hardlink (t2, "h2", "sym");
    unpack_ok (f, t2, 0);
    assert_lstat (at (f, "sym"), &a);
    assert_lstat (at (f, "h2"), &b);
    assert_true (S_ISLNK (b.st_mode));
    assert_int_equal (a.st_ino, b.st_ino);
    assert_lstat (secret, &st);
    assert_int_equal (st.st_nlink, 1);
  }
}

static void
test_refuses_missing_hardlink_target (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();

  tar_hardlink (t, "h", "not/there");
  unpack_fails (f, t, 0, "`h`", "`not/there` does not exist");
}

static void
test_refuses_unclean_name (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = tar_new ();

  tar_file (t, "a/./b", "x");
  unpack_fails (f, t, 0, "`a/./b`", "not a clean relative path");
}

/* ---- digests and streams ---------------------------------------------- */

static struct tar *
digest_tar (void)
{
  struct tar *t = tar_new ();
  size_t len = 600 * 1024, i;
  cleanup_free char *big = xmalloc (len + 1);

  for (i = 0; i < len; i++)
    big[i] = 'a' + (i * 31 % 26);
  big[len] = '\0';
  tar_dir (t, "./");
  tar_dir (t, "etc/");
  tar_file (t, "etc/hostname", "ferry\n");
  tar_file (t, "big", big);
  tar_symlink (t, "link", "etc/hostname");
  tar_finish (t);
  return t;
}

static void
check_digests (struct fixture *f, const unsigned char *encoded, size_t encoded_len, const struct tar *t)
{
  struct ferry_unpack_result res;
  cleanup_error ferry_error_t err = NULL;
  char want[FERRY_DIGEST_LEN + 1];

  memset (&res, 0, sizeof (res));

  if (unpack_bytes (f, encoded, encoded_len, 0, &res, &err) < 0)
    fail_msg ("%s", err->msg);
  ferry_sha256_buffer (t->data, t->len, want);
  assert_string_equal (res.diff_digest, want);
  assert_int_equal (res.diff_size, t->len);
  ferry_sha256_buffer (encoded, encoded_len, want);
  assert_string_equal (res.compressed_digest, want);
  assert_int_equal (res.compressed_size, encoded_len);
  assert_int_equal (res.entries, 5);
  assert_content (at (f, "etc/hostname"), "ferry\n");
}

static void
test_digests_plain_gzip_zstd (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = digest_tar ();
  cleanup_free unsigned char *gz = NULL, *zst = NULL;
  size_t gz_len, zst_len;

  /* libarchive pads the tar to 10 KiB blocks: the digest covers it all.  */
  assert_int_equal (t->len % 10240, 0);
  check_digests (f, t->data, t->len, t);
  gz = gzip_bytes (t->data, t->len, &gz_len);
  check_digests (f, gz, gz_len, t);
  zst = zstd_bytes (t->data, t->len, &zst_len);
  check_digests (f, zst, zst_len, t);
}

static void
test_truncated_gzip_layer (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = digest_tar ();
  cleanup_free unsigned char *gz = NULL;
  cleanup_error ferry_error_t err = NULL;
  size_t gz_len;

  gz = gzip_bytes (t->data, t->len, &gz_len);
  assert_true (unpack_bytes (f, gz, gz_len / 2, 0, NULL, &err) < 0);
  assert_error_contains (err, "truncated gzip stream");
  ferry_error_release (&err);
  /* Cut in the padding after the tar's end: still refused.  */
  assert_true (unpack_bytes (f, gz, gz_len - 6, 0, NULL, &err) < 0);
  assert_error_contains (err, "truncated gzip stream");
}

static void
test_truncated_plain_tar (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = digest_tar ();
  cleanup_error ferry_error_t err = NULL;

  assert_true (unpack_bytes (f, t->data, 300 * 1024, 0, NULL, &err) < 0);
  assert_error_contains (err, "big");
}

static void
test_missing_destination (void **state)
{
  struct fixture *f = *state;
  cleanup_tar struct tar *t = digest_tar ();
  cleanup_error ferry_error_t err = NULL;
  cleanup_close int fd = memfd_create ("layer", MFD_CLOEXEC);
  cleanup_free char *missing = xasprintf ("%s/nope", f->top);

  assert_int_equal (ferry_write_all (fd, t->data, t->len), 0);
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  assert_true (ferry_unpack_tar (fd, missing, 0, NULL, &err) < 0);
  assert_error_contains (err, missing);
  assert_int_equal (err->status, ENOENT);
}

#define T(name) cmocka_unit_test_setup_teardown (name, setup, teardown)

int
main (void)
{
  const struct CMUnitTest tests[] = {
    T (test_regular_file_metadata),
    T (test_large_file),
    T (test_sparse_file),
    T (test_directory_times_after_children),
    T (test_existing_directory_is_kept),
    T (test_symlinks_verbatim),
    T (test_hardlinks),
    T (test_fifo_and_devices),
    T (test_xattrs),
    T (test_file_replaces_directory),
    T (test_directory_replaces_file),
    T (test_file_replaces_symlink),
    T (test_whiteouts_overlay),
    T (test_whiteout_replaces_directory),
    T (test_whiteouts_plain_without_flag),
    T (test_bad_whiteouts),
    T (test_refuses_absolute_name),
    T (test_refuses_dotdot),
    T (test_refuses_write_through_absolute_symlink),
    T (test_refuses_write_through_dotdot_symlink),
    T (test_refuses_write_through_existing_symlink),
    T (test_refuses_escaping_hardlink),
    T (test_rooted_names),
    T (test_rooted_names_refuse_escapes),
    T (test_refuses_hardlink_through_symlink),
    T (test_refuses_missing_hardlink_target),
    T (test_refuses_unclean_name),
    T (test_digests_plain_gzip_zstd),
    T (test_truncated_gzip_layer),
    T (test_truncated_plain_tar),
    T (test_missing_destination),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
