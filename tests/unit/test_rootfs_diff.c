/* Unit tests for storage/rootfs_diff.c.  The round trip makes changes
 * through a real overlay mount, exports them, applies them to a fresh upper
 * dir over the same layers and compares the two merged trees entry by
 * entry.  The other tests pin down Podman's deleted.files text, the tar's
 * layout, and that hostile input never writes outside the upper dir.  Runs
 * as root; each test has its own directory under /tmp, unmounted and
 * removed by the teardown even on failure.  */
#include "storage/changes.h"
#include "storage/overlay.h"
#include "storage/rootfs_diff.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/xalloc.h"
#include "mounts.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

struct fixture
{
  char *root; /* /tmp/ferry-test-rootfs-diff-XXXXXX */
};

/* ---- fixture ---- */

static int
setup (void **state)
{
  struct fixture *fx = xmalloc0 (sizeof (*fx));
  cleanup_error ferry_error_t err = NULL;

  fx->root = ferry_mkdtemp_in ("/tmp", "ferry-test-rootfs-diff-", &err);
  if (fx->root == NULL)
    {
      fprintf (stderr, "setup: %s\n", err->msg);
      free (fx);
      return -1;
    }
  *state = fx;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *fx = *state;

  unit_remove_test_dir (fx->root);
  free (fx->root);
  free (fx);
  return 0;
}

/* ---- building trees ---- */

/* "<root>/<rel>" */
static char *
at (struct fixture *fx, const char *rel)
{
  return xasprintf ("%s/%s", fx->root, rel);
}

static void
make_parent (const char *path)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *parent = xstrdup (path);

  *strrchr (parent, '/') = '\0';
  if (ferry_mkdir_p (parent, 0755, &err) < 0)
    fail_msg ("%s", err->msg);
}

static void
write_path (const char *path, const char *content, mode_t mode)
{
  cleanup_close int fd = -1;

  make_parent (path);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0)
    fail_msg ("open %s: %s", path, strerror (errno));
  assert_int_equal (ferry_write_all (fd, content, strlen (content)), 0);
  assert_int_equal (fchmod (fd, mode), 0);
}

static void
put_file (struct fixture *fx, const char *rel, const char *content)
{
  cleanup_free char *path = at (fx, rel);

  write_path (path, content, 0644);
}

static void
put_dir (struct fixture *fx, const char *rel)
{
  cleanup_free char *path = at (fx, rel);
  cleanup_error ferry_error_t err = NULL;

  if (ferry_mkdir_p (path, 0755, &err) < 0)
    fail_msg ("%s", err->msg);
}

static void
put_symlink (struct fixture *fx, const char *rel, const char *target)
{
  cleanup_free char *path = at (fx, rel);

  make_parent (path);
  assert_int_equal (symlink (target, path), 0);
}

static void
set_xattr (const char *path, const char *key, const char *value)
{
  if (lsetxattr (path, key, value, strlen (value), 0) < 0)
    fail_msg ("setxattr %s %s: %s", path, key, strerror (errno));
}

static bool
is_whiteout_at (const char *path)
{
  struct stat st;

  return lstat (path, &st) == 0 && S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0);
}

/* The names directly in DIR, sorted, as "a b c".  */
static char *
list_dir (const char *dir)
{
  cleanup_dir DIR *d = opendir (dir);
  char **names = NULL;
  size_t n = 0;
  struct dirent *de;
  char *text = xstrdup ("");

  assert_non_null (d);
  while ((de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      names = xrealloc (names, (n + 1) * sizeof (char *));
      names[n++] = xstrdup (de->d_name);
    }
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (strcmp (names[j], names[i]) < 0)
        {
          char *t = names[i];
          names[i] = names[j];
          names[j] = t;
        }
  for (size_t i = 0; i < n; i++)
    {
      char *next = xasprintf ("%s%s%s", text, i ? " " : "", names[i]);
      free (text);
      free (names[i]);
      text = next;
    }
  free (names);
  return text;
}

/* A change list built by hand; PATHS alternate kind letter and path.  */
static void
changes_of (struct ferry_changes *c, const char *const *spec)
{
  c->items = NULL;
  c->n = 0;
  for (size_t i = 0; spec[i]; i += 2)
    {
      c->items = xrealloc (c->items, (c->n + 1) * sizeof (*c->items));
      c->items[c->n].kind = spec[i][0] == 'A'   ? FERRY_CHANGE_ADDED
                            : spec[i][0] == 'C' ? FERRY_CHANGE_MODIFIED
                                                : FERRY_CHANGE_DELETED;
      c->items[c->n].path = xstrdup (spec[i + 1]);
      c->n++;
    }
}

/* ---- reading a tar back ---- */

/* One line per entry: "name type [-> link] [=> hardlink] [xattr-names]".  */
static char *
tar_listing (const char *tar_path)
{
  struct archive *ar = archive_read_new ();
  struct archive_entry *ae;
  char *text = xstrdup ("");

  archive_read_support_format_tar (ar);
  assert_int_equal (archive_read_open_filename (ar, tar_path, 10240), ARCHIVE_OK);
  while (archive_read_next_header (ar, &ae) == ARCHIVE_OK)
    {
      const char *key;
      const void *value;
      size_t size;
      char *line;
      char *next;

      line = xasprintf ("%s %c", archive_entry_pathname (ae),
                        archive_entry_hardlink (ae)               ? 'h'
                        : archive_entry_filetype (ae) == AE_IFDIR ? 'd'
                        : archive_entry_filetype (ae) == AE_IFLNK ? 'l'
                        : archive_entry_filetype (ae) == AE_IFREG ? 'f'
                        : archive_entry_filetype (ae) == AE_IFIFO ? 'p'
                        : archive_entry_filetype (ae) == AE_IFCHR ? 'c'
                                                                  : '?');
      if (archive_entry_symlink (ae))
        {
          next = xasprintf ("%s -> %s", line, archive_entry_symlink (ae));
          free (line);
          line = next;
        }
      if (archive_entry_hardlink (ae))
        {
          next = xasprintf ("%s => %s", line, archive_entry_hardlink (ae));
          free (line);
          line = next;
        }
      archive_entry_xattr_reset (ae);
      while (archive_entry_xattr_next (ae, &key, &value, &size) == ARCHIVE_OK)
        {
          next = xasprintf ("%s %s=%.*s", line, key, (int) size, (const char *) value);
          free (line);
          line = next;
        }
      next = xasprintf ("%s%s\n", text, line);
      free (line);
      free (text);
      text = next;
    }
  archive_read_free (ar);
  return text;
}

/* A tar with the given entries: "f:name", "d:name", "l:name:target".  */
static void
write_tar (const char *tar_path, const char *const *entries)
{
  struct archive *ar = archive_write_new ();

  archive_write_set_format_pax_restricted (ar);
  assert_int_equal (archive_write_open_filename (ar, tar_path), ARCHIVE_OK);
  for (size_t i = 0; entries[i]; i++)
    {
      struct archive_entry *ae = archive_entry_new ();
      cleanup_free char *spec = xstrdup (entries[i]);
      char *name = spec + 2;
      char *target = strchr (name, ':');

      if (target)
        *target++ = '\0';
      archive_entry_set_pathname (ae, name);
      archive_entry_set_perm (ae, 0644);
      archive_entry_set_filetype (ae, spec[0] == 'd' ? AE_IFDIR : spec[0] == 'l' ? AE_IFLNK : AE_IFREG);
      archive_entry_set_size (ae, spec[0] == 'f' ? 1 : 0);
      if (target)
        archive_entry_set_symlink (ae, target);
      assert_int_equal (archive_write_header (ar, ae), ARCHIVE_OK);
      if (spec[0] == 'f')
        assert_int_equal (archive_write_data (ar, "x", 1), 1);
      archive_entry_free (ae);
    }
  archive_write_close (ar);
  archive_write_free (ar);
}

/* ---- snapshots of a merged tree ---- */

struct record
{
  char *path;
  char *line;
  dev_t dev;
  ino_t ino;
  bool linkable; /* a non-directory with more than one name */
};

struct snapshot
{
  struct record *items;
  size_t n;
};

static char *
describe_xattrs (const char *path)
{
  char names[4096];
  ssize_t len = llistxattr (path, names, sizeof (names));
  char *text = xstrdup ("");

  assert_true (len >= 0);
  /* llistxattr order is the file system's; sort by building in order.  */
  for (;;)
    {
      const char *best = NULL;

      for (const char *k = names; k < names + len; k += strlen (k) + 1)
        if (strncmp (k, "user.", 5) == 0 && (text[0] == '\0' || strstr (text, k) == NULL)
            && (best == NULL || strcmp (k, best) < 0))
          best = k;
      if (best == NULL)
        return text;
      {
        char value[1024];
        ssize_t vlen = lgetxattr (path, best, value, sizeof (value));
        char *next;

        assert_true (vlen >= 0);
        next = xasprintf ("%s %s=%.*s", text, best, (int) vlen, value);
        free (text);
        text = next;
      }
    }
}

static char *
describe (const char *path, const char *rel, const struct stat *st)
{
  cleanup_free char *xattrs = describe_xattrs (path);
  char times[64];

  snprintf (times, sizeof (times), "mtime=%lld.%09ld", (long long) st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
  if (S_ISREG (st->st_mode))
    {
      cleanup_error ferry_error_t err = NULL;
      char digest[FERRY_DIGEST_LEN + 1];

      if (ferry_sha256_file (path, digest, &err) < 0)
        fail_msg ("%s", err->msg);
      return xasprintf ("%s file %04o %u:%u size=%lld nlink=%lu %s %s%s", rel, st->st_mode & 07777,
                        st->st_uid, st->st_gid, (long long) st->st_size, (unsigned long) st->st_nlink, times,
                        digest, xattrs);
    }
  if (S_ISDIR (st->st_mode))
    return xasprintf ("%s dir %04o %u:%u %s%s", rel, st->st_mode & 07777, st->st_uid, st->st_gid, times,
                      xattrs);
  if (S_ISLNK (st->st_mode))
    {
      char target[4096];
      ssize_t len = readlink (path, target, sizeof (target) - 1);

      assert_true (len >= 0);
      target[len] = '\0';
      return xasprintf ("%s symlink %u:%u %s -> %s", rel, st->st_uid, st->st_gid, times, target);
    }
  if (S_ISCHR (st->st_mode) || S_ISBLK (st->st_mode))
    return xasprintf ("%s %s %04o %u:%u %s %u:%u%s", rel, S_ISCHR (st->st_mode) ? "chr" : "blk",
                      st->st_mode & 07777, st->st_uid, st->st_gid, times, major (st->st_rdev),
                      minor (st->st_rdev), xattrs);
  if (S_ISFIFO (st->st_mode))
    return xasprintf ("%s fifo %04o %u:%u %s%s", rel, st->st_mode & 07777, st->st_uid, st->st_gid, times,
                      xattrs);
  return xasprintf ("%s other %o", rel, st->st_mode);
}

static void
snapshot_walk (const char *root, const char *rel, struct snapshot *s)
{
  cleanup_free char *dir = xasprintf ("%s%s", root, rel);
  cleanup_dir DIR *d = opendir (dir);
  struct dirent *de;

  if (d == NULL)
    fail_msg ("opendir %s: %s", dir, strerror (errno));
  while ((de = readdir (d)))
    {
      cleanup_free char *path = NULL;
      struct record *r;
      struct stat st;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      s->items = xrealloc (s->items, (s->n + 1) * sizeof (*s->items));
      r = &s->items[s->n++];
      r->path = xasprintf ("%s/%s", rel, de->d_name);
      path = xasprintf ("%s%s", root, r->path);
      assert_int_equal (lstat (path, &st), 0);
      r->line = describe (path, r->path, &st);
      r->dev = st.st_dev;
      r->ino = st.st_ino;
      r->linkable = ! S_ISDIR (st.st_mode) && st.st_nlink > 1;
      if (S_ISDIR (st.st_mode))
        snapshot_walk (root, r->path, s);
    }
}

static int
compare_records (const void *a, const void *b)
{
  return strcmp (((const struct record *) a)->path, ((const struct record *) b)->path);
}

/* The whole tree below ROOT as sorted lines; the names of one inode are
 * marked with the first of them ("same-as=/x"), so that hard-link identity
 * is compared without comparing inode numbers.  */
static char *
snapshot_text (const char *root)
{
  struct snapshot s = { NULL, 0 };
  char *text = xstrdup ("");

  snapshot_walk (root, "", &s);
  qsort (s.items, s.n, sizeof (*s.items), compare_records);
  for (size_t i = 0; i < s.n; i++)
    {
      const char *first = NULL;
      char *next;

      for (size_t j = 0; s.items[i].linkable && j < s.n && first == NULL; j++)
        if (s.items[j].dev == s.items[i].dev && s.items[j].ino == s.items[i].ino)
          first = s.items[j].path;
      next = xasprintf ("%s%s%s%s\n", text, s.items[i].line, first ? " same-as=" : "", first ? first : "");
      free (text);
      text = next;
    }
  for (size_t i = 0; i < s.n; i++)
    {
      free (s.items[i].path);
      free (s.items[i].line);
    }
  free (s.items);
  return text;
}

/* The line about PATH in TEXT, or NULL.  */
static char *
line_of (const char *text, const char *path)
{
  cleanup_free char *needle = xasprintf ("\n%s ", path);
  cleanup_free char *padded = xasprintf ("\n%s", text);
  const char *p = strstr (padded, needle);
  const char *end;

  if (p == NULL)
    return NULL;
  p++;
  end = strchr (p, '\n');
  return xstrndup (p, end - p);
}

/* ---- 1. the round trip through real overlay mounts ---- */

static void
in_merged (const char *merged, const char *rel, char **out)
{
  free (*out);
  *out = xasprintf ("%s/%s", merged, rel);
}

static void
write_in (const char *m, const char *rel, const char *content, mode_t mode)
{
  cleanup_free char *path = NULL;

  in_merged (m, rel, &path);
  write_path (path, content, mode);
}

static void
rm_in (const char *m, const char *rel)
{
  cleanup_free char *path = NULL;
  cleanup_error ferry_error_t err = NULL;

  in_merged (m, rel, &path);
  if (ferry_rm_rf (path, &err) < 0)
    fail_msg ("%s", err->msg);
}

static void
mkdir_in (const char *m, const char *rel, mode_t mode)
{
  cleanup_free char *path = NULL;

  in_merged (m, rel, &path);
  if (mkdir (path, mode) < 0 || chmod (path, mode) < 0)
    fail_msg ("mkdir %s: %s", path, strerror (errno));
}

static void
build_layers (struct fixture *fx)
{
  cleanup_free char *tool = at (fx, "l2/usr/bin/tool");

  /* l2: the bottom layer */
  put_file (fx, "l2/etc/passwd", "root:x:0:0");
  put_file (fx, "l2/etc/hosts", "127.0.0.1 localhost\n");
  put_file (fx, "l2/usr/bin/tool", "#!/bin/sh\n");
  assert_int_equal (chmod (tool, 0755), 0);
  put_file (fx, "l2/data/gone", "g");
  put_file (fx, "l2/data/stays", "s");
  put_file (fx, "l2/rmdir/p", "p");
  put_file (fx, "l2/rmdir/q/r", "r");
  put_file (fx, "l2/victim", "a file that becomes a directory");
  put_file (fx, "l2/vdir/a", "a");
  put_file (fx, "l2/vdir/b/c", "c");
  put_file (fx, "l2/redo/old", "old");
  put_file (fx, "l2/redo/sub/b", "b");
  put_file (fx, "l2/chmodme", "m");
  put_file (fx, "l2/chownme", "o");
  put_symlink (fx, "l2/lnk", "etc/hosts");
  /* l1: the top layer */
  put_file (fx, "l1/etc/motd", "welcome");
  put_file (fx, "l1/etc/hosts", "127.0.0.1 localhost l1\n");
  put_file (fx, "l1/usr/share/doc/readme", "r");
}

/* Every kind of change a container makes, through the merged view.  */
static void
change_through_merged (const char *m)
{
  cleanup_free char *p = NULL, *q = NULL;
  cleanup_free char *big = xmalloc (700 * 1024 + 1);
  struct timespec times[2] = { { 1234567890, 111111111 }, { 1234567891, 123456789 } };

  write_in (m, "new.txt", "new file", 0640);
  in_merged (m, "new.txt", &p);
  assert_int_equal (chown (p, 1000, 1001), 0);
  set_xattr (p, "user.note", "hello");
  set_xattr (p, "user.other", "x");
  assert_int_equal (utimensat (AT_FDCWD, p, times, 0), 0);
  write_in (m, "empty", "", 0600);
  write_in (m, "suid", "s", 04755);
  memset (big, 'b', 700 * 1024);
  big[700 * 1024] = '\0';
  big[1234] = 'X';
  write_in (m, "big", big, 0644);

  mkdir_in (m, "newdir", 0750);
  mkdir_in (m, "newdir/sub", 0700);
  write_in (m, "newdir/a", "a", 0644);
  write_in (m, "newdir/sub/b", "b", 0644);
  in_merged (m, "newdir", &p);
  set_xattr (p, "user.dir", "d");

  write_in (m, "etc/hosts", "127.0.0.1 localhost l1\n10.0.0.1 other\n", 0644); /* modified */
  in_merged (m, "etc/motd", &p);
  set_xattr (p, "user.motd", "m"); /* copy-up for an xattr only */
  in_merged (m, "chmodme", &p);
  assert_int_equal (chmod (p, 0600), 0);
  in_merged (m, "chownme", &p);
  assert_int_equal (lchown (p, 123, 456), 0);

  in_merged (m, "newlink", &p);
  assert_int_equal (symlink ("../etc/passwd", p), 0);
  in_merged (m, "abslink", &p);
  assert_int_equal (symlink ("/etc/hosts", p), 0);
  assert_int_equal (lchown (p, 7, 8), 0);

  write_in (m, "hl1", "linked", 0644);
  in_merged (m, "hl1", &p);
  in_merged (m, "hl2", &q);
  assert_int_equal (link (p, q), 0);
  in_merged (m, "etc/passwd", &p); /* a lower file gets a second name */
  in_merged (m, "newdir/passwd-link", &q);
  assert_int_equal (link (p, q), 0);

  in_merged (m, "fifo", &p);
  assert_int_equal (mkfifo (p, 0644), 0);
  assert_int_equal (chmod (p, 0620), 0);
  in_merged (m, "null", &p);
  assert_int_equal (mknod (p, S_IFCHR | 0666, makedev (1, 3)), 0);
  assert_int_equal (chmod (p, 0666), 0);

  rm_in (m, "data/gone");
  rm_in (m, "rmdir");

  rm_in (m, "victim"); /* file -> directory */
  mkdir_in (m, "victim", 0755);
  write_in (m, "victim/inside", "i", 0644);

  rm_in (m, "vdir"); /* directory -> file */
  write_in (m, "vdir", "now a file", 0644);

  rm_in (m, "redo"); /* removed and made again: an opaque directory */
  mkdir_in (m, "redo", 0711);
  write_in (m, "redo/new", "n", 0644);
  mkdir_in (m, "redo/sub", 0755);
  write_in (m, "redo/sub/c", "c", 0644);
}

static void
test_round_trip_through_overlay (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *a_dir = at (fx, "ctr-a");
  cleanup_free char *b_dir = at (fx, "ctr-b");
  cleanup_free char *l1 = at (fx, "l1");
  cleanup_free char *l2 = at (fx, "l2");
  cleanup_free char *tar = at (fx, "rootfs-diff.tar");
  cleanup_free char *deleted = at (fx, "deleted.files");
  cleanup_free char *text_a = NULL, *text_b = NULL, *listing = NULL, *line = NULL;
  cleanup_free char *upper_b_whiteout = NULL, *redo_old = NULL;
  const char *lowers[] = { l1, l2 };
  struct ferry_overlay a = { 0 }, b = { 0 };
  struct ferry_changes changes = { NULL, 0 };
  struct stat st;

  build_layers (fx);
  assert_int_equal (ferry_overlay_create (a_dir, &a, &err), 0);
  assert_int_equal (ferry_overlay_create (b_dir, &b, &err), 0);
  if (ferry_overlay_mount (&a, lowers, 2, &err) < 0)
    fail_msg ("%s", err->msg);
  change_through_merged (a.merged);
  assert_int_equal (ferry_overlay_unmount (&a, &err), 0);

  if (ferry_changes_compute (a.upper, lowers, 2, &changes, &err) < 0)
    fail_msg ("%s", err->msg);
  if (ferry_rootfs_diff_export (a.upper, &changes, tar, deleted, &err) < 0)
    fail_msg ("%s", err->msg);
  ferry_changes_free (&changes);
  if (ferry_rootfs_diff_apply (b.upper, tar, deleted, &err) < 0)
    fail_msg ("%s", err->msg);

  /* The apply wrote overlayfs whiteouts, not files.  */
  upper_b_whiteout = xasprintf ("%s/data/gone", b.upper);
  assert_true (is_whiteout_at (upper_b_whiteout));
  redo_old = xasprintf ("%s/redo/old", b.upper);
  assert_true (is_whiteout_at (redo_old));

  if (ferry_overlay_mount (&a, lowers, 2, &err) < 0 || ferry_overlay_mount (&b, lowers, 2, &err) < 0)
    fail_msg ("%s", err->msg);
  text_a = snapshot_text (a.merged);
  text_b = snapshot_text (b.merged);
  assert_string_equal (text_b, text_a);

  /* The comparison covered what it should: the changes are in both.  */
  line = line_of (text_a, "/new.txt");
  assert_non_null (line);
  assert_non_null (strstr (line, "file 0640 1000:1001 size=8 nlink=1 mtime=1234567891.123456789"));
  assert_non_null (strstr (line, " user.note=hello user.other=x"));
  free (line);
  line = line_of (text_a, "/hl2");
  assert_non_null (line);
  assert_non_null (strstr (line, "nlink=2"));
  assert_non_null (strstr (line, "same-as=/hl1"));
  free (line);
  line = line_of (text_a, "/newdir/passwd-link");
  assert_non_null (line);
  assert_non_null (strstr (line, "same-as=/etc/passwd"));
  free (line);
  line = line_of (text_a, "/null");
  assert_non_null (line);
  assert_non_null (strstr (line, "chr 0666 0:0"));
  assert_non_null (strstr (line, " 1:3"));
  free (line);
  line = line_of (text_a, "/fifo");
  assert_non_null (line);
  assert_non_null (strstr (line, "fifo 0620"));
  free (line);
  line = line_of (text_a, "/abslink");
  assert_non_null (line);
  assert_non_null (strstr (line, "symlink 7:8"));
  assert_non_null (strstr (line, "-> /etc/hosts"));
  free (line);
  line = line_of (text_a, "/suid");
  assert_non_null (line);
  assert_non_null (strstr (line, "file 4755"));
  free (line);
  line = line_of (text_a, "/chownme");
  assert_non_null (strstr (line, "0644 123:456"));
  free (line);
  line = line_of (text_a, "/newdir");
  assert_non_null (strstr (line, "dir 0750 0:0"));
  assert_non_null (strstr (line, "user.dir=d"));
  free (line);
  line = line_of (text_a, "/vdir");
  assert_non_null (strstr (line, "/vdir file"));
  free (line);
  line = line_of (text_a, "/victim");
  assert_non_null (strstr (line, "/victim dir"));
  free (line);
  assert_null (line_of (text_a, "/data/gone"));
  assert_null (line_of (text_a, "/rmdir"));
  assert_null (line_of (text_a, "/rmdir/q/r"));
  assert_null (line_of (text_a, "/vdir/a"));
  assert_null (line_of (text_a, "/redo/old"));
  assert_null (line_of (text_a, "/redo/sub/b"));
  line = line_of (text_a, "/redo/sub/c");
  assert_non_null (line);
  free (line);
  line = line_of (text_a, "/data/stays");
  assert_non_null (line);
  free (line);
  line = NULL;

  /* Entry names are relative, as in Podman's rootfs-diff.tar.  */
  listing = tar_listing (tar);
  assert_non_null (strstr (listing, "\nnew.txt f user.note=hello user.other=x\n"));
  assert_non_null (strstr (listing, "\nhl2 h => hl1\n"));
  assert_null (strstr (listing, "\n/"));
  assert_null (strstr (listing, "\n./"));
  assert_true (listing[0] != '/' && strncmp (listing, "./", 2) != 0);

  assert_int_equal (stat (tar, &st), 0);
  assert_int_equal (st.st_mode & 0777, 0600);
  ferry_overlay_free (&a);
  ferry_overlay_free (&b);
}

/* ---- 2. deleted.files as Podman writes it ---- */

static char *
read_text (const char *path)
{
  cleanup_error ferry_error_t err = NULL;
  char *text = NULL;

  if (ferry_read_file (path, &text, NULL, &err) < 0)
    fail_msg ("%s", err->msg);
  return text;
}

static void
test_deleted_files_format_matches_podman (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *deleted = at (fx, "deleted.files");
  cleanup_free char *text = NULL;
  struct ferry_changes changes;
  const char *spec[] = { "C", "/etc", "D", "/etc/group", "A", "/new", "D", "/var/log", NULL };
  struct stat st;

  changes_of (&changes, spec);
  assert_int_equal (ferry_rootfs_diff_export (fx->root, &changes, NULL, deleted, &err), 0);
  ferry_changes_free (&changes);
  text = read_text (deleted);
  /* json.MarshalIndent([]string{...}, "", "  "): absolute paths, two-space
   * indent, no newline at the end.  */
  assert_string_equal (text, "[\n  \"/etc/group\",\n  \"/var/log\"\n]");
  assert_int_equal (stat (deleted, &st), 0);
  assert_int_equal (st.st_mode & 0777, 0600);
}

static void
test_deleted_files_escapes_like_go (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *deleted = at (fx, "deleted.files");
  cleanup_free char *upper = at (fx, "upper");
  cleanup_free char *text = NULL;
  cleanup_free char *odd = NULL, *listing = NULL;
  struct ferry_changes changes;
  const char *spec[]
      = { "D", "/a<b>&c", "D", "/q\"uote\\back", "D", "/tab\there\nnl\x01", "D", "/caf\xc3\xa9 \xe2\x80\xa8",
          NULL };

  changes_of (&changes, spec);
  assert_int_equal (ferry_rootfs_diff_export (fx->root, &changes, NULL, deleted, &err), 0);
  ferry_changes_free (&changes);
  text = read_text (deleted);
  assert_string_equal (text, "[\n"
                             "  \"/a\\u003cb\\u003e\\u0026c\",\n"
                             "  \"/q\\\"uote\\\\back\",\n"
                             "  \"/tab\\there\\nnl\\u0001\",\n"
                             "  \"/caf\xc3\xa9 \\u2028\"\n"
                             "]");

  /* ... and reads back to the same names.  */
  put_dir (fx, "upper");
  if (ferry_rootfs_diff_apply (upper, NULL, deleted, &err) < 0)
    fail_msg ("%s", err->msg);
  odd = xasprintf ("%s/tab\there\nnl\x01", upper);
  assert_true (is_whiteout_at (odd));
  listing = list_dir (upper);
  assert_string_equal (listing, "a<b>&c caf\xc3\xa9 \xe2\x80\xa8 q\"uote\\back tab\there\nnl\x01");
}

static void
test_no_deletions_is_an_empty_array (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *deleted = at (fx, "deleted.files");
  cleanup_free char *text = NULL;
  struct ferry_changes changes = { NULL, 0 };

  assert_int_equal (ferry_rootfs_diff_export (fx->root, &changes, NULL, deleted, &err), 0);
  text = read_text (deleted);
  assert_string_equal (text, "[]");
}

/* ---- the tar's layout ---- */

static void
test_tar_layout (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *upper = at (fx, "upper");
  cleanup_free char *tar = at (fx, "rootfs-diff.tar");
  cleanup_free char *h1 = at (fx, "upper/etc/h1");
  cleanup_free char *h2 = at (fx, "upper/h2");
  cleanup_free char *sock = at (fx, "upper/etc/sock");
  cleanup_free char *listing = NULL, *tmp = NULL;
  struct ferry_changes changes;
  const char *spec[] = { "C", "/etc",       "A", "/etc/h1", "A", "/etc/ln", "A", "/etc/sock", "C", "/etc/sub",
                         "A", "/etc/sub/f", "D", "/gone",   "A", "/h2",     NULL };

  put_file (fx, "upper/etc/h1", "data");
  assert_int_equal (link (h1, h2), 0);
  put_symlink (fx, "upper/etc/ln", "../h2");
  put_file (fx, "upper/etc/sub/f", "f");
  assert_int_equal (mknod (sock, S_IFSOCK | 0644, 0), 0);
  changes_of (&changes, spec);
  if (ferry_rootfs_diff_export (upper, &changes, tar, NULL, &err) < 0)
    fail_msg ("%s", err->msg);
  ferry_changes_free (&changes);

  /* Directories are headers only (etc/sub/f is there because it is listed,
   * not because etc/sub is); the second name of an inode is a link to the
   * first; sockets have no tar type; deletions are not in the tar.  */
  listing = tar_listing (tar);
  assert_string_equal (listing, "etc/ d\n"
                                "etc/h1 f\n"
                                "etc/ln l -> ../h2\n"
                                "etc/sub/ d\n"
                                "etc/sub/f f\n"
                                "h2 h => etc/h1\n");
  tmp = xasprintf ("%s.tmp", tar);
  assert_false (ferry_path_exists (tmp));
}

/* ---- 3. hostile input to apply ---- */

static void
expect_deleted_refused (struct fixture *fx, const char *json, const char *what)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *upper = at (fx, "c/upper");
  cleanup_free char *deleted = at (fx, "deleted.files");
  cleanup_free char *before = NULL, *after = NULL, *inside = NULL, *c_before = NULL, *c_after = NULL;
  cleanup_free char *c = at (fx, "c");

  write_path (deleted, json, 0600);
  before = list_dir (fx->root);
  c_before = list_dir (c);
  assert_true (ferry_rootfs_diff_apply (upper, NULL, deleted, &err) < 0);
  assert_non_null (err);
  if (strstr (err->msg, what) == NULL || strstr (err->msg, deleted) == NULL)
    fail_msg ("for %s: unexpected error: %s", json, err->msg);
  after = list_dir (fx->root);
  c_after = list_dir (c);
  inside = list_dir (upper);
  assert_string_equal (after, before);
  assert_string_equal (c_after, c_before);
  /* Checked before anything is made: even the good first entry is not.  */
  assert_string_equal (inside, "");
}

static void
test_apply_refuses_unclean_deleted_paths (void **state)
{
  struct fixture *fx = *state;

  put_dir (fx, "c/upper");
  expect_deleted_refused (fx, "[\"/ok\", \"../../etc/x\"]", "`../../etc/x`");
  expect_deleted_refused (fx, "[\"/ok\", \"/../x\"]", "`/../x`");
  expect_deleted_refused (fx, "[\"/ok\", \"a/../../b\"]", "`a/../../b`");
  expect_deleted_refused (fx, "[\"/ok\", \"/\"]", "`/`");
  expect_deleted_refused (fx, "[\"/ok\", \"/a/../../b\"]", "`/a/../../b`");
  expect_deleted_refused (fx, "[\"/ok\", \"/a//b\"]", "`/a//b`");
  expect_deleted_refused (fx, "[\"/ok\", \"/a/\"]", "`/a/`");
  expect_deleted_refused (fx, "[\"/ok\", \"/./a\"]", "`/./a`");
  expect_deleted_refused (fx, "[\"/ok\", \"\"]", "``");
  expect_deleted_refused (fx, "[\"/ok\", \"/a\\u0000/../../x\"]", "NUL");
  expect_deleted_refused (fx, "[\"/ok\", 42]", "not a string");
  expect_deleted_refused (fx, "{\"/ok\": 1}", "not a JSON array");
  expect_deleted_refused (fx, "[\"/ok\"", "not valid JSON");
  /* An archive's name goes into the message escaped: a newline of its
   * own would make a line of the archive's choosing (fuzz_unpack).  */
  expect_deleted_refused (fx, "[\"/ok\", \"/a\\n../b\\u001b[2J/../c\"]", "`/a\\x0a../b\\x1b[2J/../c`");
}

static void
test_apply_refuses_symlinked_parent (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *upper = at (fx, "upper");
  cleanup_free char *outside = at (fx, "outside");
  cleanup_free char *deleted = at (fx, "deleted.files");
  cleanup_free char *victim = at (fx, "outside/victim");
  cleanup_free char *listing = NULL;
  struct stat st;
  const char *cases[][2] = {
    { "[\"/evil/victim\"]", "`evil`" },
    { "[\"/rel/victim\"]", "`rel`" },
    { "[\"/d/evil/victim\"]", "`evil`" },
    { "[\"/evil/new/deeper\"]", "`evil`" },
    { "[\"/ev\\nil/victim\"]", "`/ev\\x0ail/victim` from" },
  };

  put_file (fx, "outside/victim", "precious");
  put_symlink (fx, "upper/evil", outside);
  put_symlink (fx, "upper/rel", "../outside");
  put_symlink (fx, "upper/ev\nil", outside);
  put_dir (fx, "upper/d");
  put_symlink (fx, "upper/d/evil", "../../outside");
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      write_path (deleted, cases[i][0], 0600);
      assert_true (ferry_rootfs_diff_apply (upper, NULL, deleted, &err) < 0);
      if (strstr (err->msg, cases[i][1]) == NULL || strstr (err->msg, "symlink") == NULL
          || strstr (err->msg, deleted) == NULL)
        fail_msg ("for %s: unexpected error: %s", cases[i][0], err->msg);
      ferry_error_release (&err);
      assert_int_equal (lstat (victim, &st), 0);
      assert_true (S_ISREG (st.st_mode));
      listing = list_dir (outside);
      assert_string_equal (listing, "victim");
      free (listing);
      listing = NULL;
    }
}

/* A symlink at the deleted path itself is replaced, not followed.  */
static void
test_apply_replaces_symlink_at_deleted_path (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *upper = at (fx, "upper");
  cleanup_free char *deleted = at (fx, "deleted.files");
  cleanup_free char *victim = at (fx, "outside/victim");
  cleanup_free char *link_path = at (fx, "upper/link");
  cleanup_free char *dir_path = at (fx, "upper/d");
  cleanup_free char *file_path = at (fx, "upper/f");
  struct stat st;

  put_file (fx, "outside/victim", "precious");
  put_symlink (fx, "upper/link", victim);
  put_file (fx, "upper/d/x/y", "y");
  put_file (fx, "upper/f", "f");
  write_path (deleted, "[\"/link\", \"/d\", \"/f\"]", 0600);
  if (ferry_rootfs_diff_apply (upper, NULL, deleted, &err) < 0)
    fail_msg ("%s", err->msg);
  assert_true (is_whiteout_at (link_path));
  assert_true (is_whiteout_at (dir_path));
  assert_true (is_whiteout_at (file_path));
  assert_int_equal (lstat (victim, &st), 0);
  assert_true (S_ISREG (st.st_mode));
  assert_int_equal (st.st_size, strlen ("precious"));
}

static void
test_apply_creates_missing_parents (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *upper = at (fx, "upper");
  cleanup_free char *deleted = at (fx, "deleted.files");
  cleanup_free char *w1 = at (fx, "upper/a/b/c");
  cleanup_free char *w2 = at (fx, "upper/gone");
  cleanup_free char *a = at (fx, "upper/a");
  cleanup_free char *b = at (fx, "upper/a/b");
  cleanup_free char *under = at (fx, "upper/gone/below");
  mode_t old_umask;
  struct stat st;
  int r;

  put_dir (fx, "upper");
  /* A path below one deleted already: nothing more to do.  */
  write_path (deleted, "[\"/a/b/c\", \"/gone\", \"/gone/below\"]", 0600);
  old_umask = umask (077);
  r = ferry_rootfs_diff_apply (upper, NULL, deleted, &err);
  umask (old_umask);
  if (r < 0)
    fail_msg ("%s", err->msg);
  assert_true (is_whiteout_at (w1));
  assert_true (is_whiteout_at (w2));
  assert_false (ferry_path_exists (under));
  assert_int_equal (lstat (a, &st), 0);
  assert_true (S_ISDIR (st.st_mode));
  assert_int_equal (st.st_mode & 07777, 0755);
  assert_int_equal (lstat (b, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0755);
}

static void
test_apply_refuses_escaping_tar (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *upper = at (fx, "c/upper");
  cleanup_free char *tar = at (fx, "rootfs-diff.tar");
  cleanup_free char *c = at (fx, "c");
  cleanup_free char *before = NULL, *after = NULL, *c_listing = NULL;
  const char *escaping[] = { "f:ok", "f:../escaped", NULL };
  const char *through_symlink[] = { "l:s:..", "f:s/escaped", NULL };

  put_dir (fx, "c/upper");
  write_tar (tar, escaping);
  before = list_dir (fx->root);
  assert_true (ferry_rootfs_diff_apply (upper, tar, NULL, &err) < 0);
  assert_non_null (strstr (err->msg, "../escaped"));
  assert_non_null (strstr (err->msg, tar));
  ferry_error_release (&err);

  write_tar (tar, through_symlink);
  assert_true (ferry_rootfs_diff_apply (upper, tar, NULL, &err) < 0);
  assert_non_null (strstr (err->msg, "s/escaped"));
  assert_non_null (strstr (err->msg, tar));

  after = list_dir (fx->root);
  assert_string_equal (after, before);
  c_listing = list_dir (c);
  assert_string_equal (c_listing, "upper");
}

static void
test_apply_skips_missing_files (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *upper = at (fx, "upper");
  cleanup_free char *tar = at (fx, "no.tar");
  cleanup_free char *deleted = at (fx, "no.files");
  cleanup_free char *listing = NULL;

  put_dir (fx, "upper");
  assert_int_equal (ferry_rootfs_diff_apply (upper, NULL, NULL, &err), 0);
  assert_int_equal (ferry_rootfs_diff_apply (upper, tar, deleted, &err), 0);
  /* Go's encoding of an empty (nil) list.  */
  write_path (deleted, "null", 0600);
  assert_int_equal (ferry_rootfs_diff_apply (upper, NULL, deleted, &err), 0);
  listing = list_dir (upper);
  assert_string_equal (listing, "");

  /* An empty file is damage, not an empty list.  */
  write_path (deleted, "", 0600);
  assert_true (ferry_rootfs_diff_apply (upper, NULL, deleted, &err) < 0);
  assert_non_null (strstr (err->msg, deleted));
}

/* ---- 4. overlayfs' own xattrs stay behind ---- */

static void
test_overlay_xattrs_are_not_exported (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *upper = at (fx, "upper");
  cleanup_free char *lower = at (fx, "lower");
  cleanup_free char *tar = at (fx, "rootfs-diff.tar");
  cleanup_free char *op = at (fx, "upper/op");
  cleanup_free char *f = at (fx, "upper/op/f");
  cleanup_free char *listing = NULL;
  cleanup_free char *b_upper = at (fx, "b-upper");
  cleanup_free char *b_op = at (fx, "b-upper/op");
  const char *lowers[] = { lower };
  struct ferry_changes changes = { NULL, 0 };
  char value[16];

  put_file (fx, "lower/op/old", "old");
  put_file (fx, "upper/op/f", "f");
  set_xattr (op, "trusted.overlay.opaque", "y");
  set_xattr (op, "user.keep", "1");
  set_xattr (f, "trusted.overlay.origin", "fake-origin");
  set_xattr (f, "trusted.ferry-test", "t");
  if (ferry_changes_compute (upper, lowers, 1, &changes, &err) < 0)
    fail_msg ("%s", err->msg);
  if (ferry_rootfs_diff_export (upper, &changes, tar, NULL, &err) < 0)
    fail_msg ("%s", err->msg);
  ferry_changes_free (&changes);

  listing = tar_listing (tar);
  assert_string_equal (listing, "op/ d user.keep=1\n"
                                "op/f f trusted.ferry-test=t\n");

  put_dir (fx, "b-upper");
  if (ferry_rootfs_diff_apply (b_upper, tar, NULL, &err) < 0)
    fail_msg ("%s", err->msg);
  assert_int_equal (lgetxattr (b_op, "user.keep", value, sizeof (value)), 1);
  assert_true (lgetxattr (b_op, "trusted.overlay.opaque", value, sizeof (value)) < 0);
}

/* ---- export refuses to leave the upper dir ---- */

static void
test_export_does_not_follow_symlinks (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *upper = at (fx, "upper");
  cleanup_free char *outside = at (fx, "outside");
  cleanup_free char *tar = at (fx, "rootfs-diff.tar");
  cleanup_free char *tmp = NULL;
  struct ferry_changes changes;
  const char *spec[] = { "A", "/lnk", "A", "/lnk/secret", NULL };

  put_file (fx, "outside/secret", "secret");
  put_symlink (fx, "upper/lnk", outside);
  changes_of (&changes, spec);
  assert_true (ferry_rootfs_diff_export (upper, &changes, tar, NULL, &err) < 0);
  ferry_changes_free (&changes);
  assert_non_null (strstr (err->msg, "/lnk/secret"));
  assert_non_null (strstr (err->msg, "symlink"));
  assert_non_null (strstr (err->msg, upper));
  /* No half-written tar is left behind.  */
  tmp = xasprintf ("%s.tmp", tar);
  assert_false (ferry_path_exists (tar));
  assert_false (ferry_path_exists (tmp));
}

static void
test_export_names_a_missing_path (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *upper = at (fx, "upper");
  cleanup_free char *tar = at (fx, "rootfs-diff.tar");
  struct ferry_changes changes;
  const char *spec[] = { "A", "/there", "A", "/not-there", NULL };

  put_file (fx, "upper/there", "x");
  changes_of (&changes, spec);
  assert_true (ferry_rootfs_diff_export (upper, &changes, tar, NULL, &err) < 0);
  ferry_changes_free (&changes);
  assert_non_null (strstr (err->msg, "`/not-there`"));
  assert_non_null (strstr (err->msg, upper));
  assert_int_equal (err->status, ENOENT);
  assert_false (ferry_path_exists (tar));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_round_trip_through_overlay, setup, teardown),
    cmocka_unit_test_setup_teardown (test_deleted_files_format_matches_podman, setup, teardown),
    cmocka_unit_test_setup_teardown (test_deleted_files_escapes_like_go, setup, teardown),
    cmocka_unit_test_setup_teardown (test_no_deletions_is_an_empty_array, setup, teardown),
    cmocka_unit_test_setup_teardown (test_tar_layout, setup, teardown),
    cmocka_unit_test_setup_teardown (test_apply_refuses_unclean_deleted_paths, setup, teardown),
    cmocka_unit_test_setup_teardown (test_apply_refuses_symlinked_parent, setup, teardown),
    cmocka_unit_test_setup_teardown (test_apply_replaces_symlink_at_deleted_path, setup, teardown),
    cmocka_unit_test_setup_teardown (test_apply_creates_missing_parents, setup, teardown),
    cmocka_unit_test_setup_teardown (test_apply_refuses_escaping_tar, setup, teardown),
    cmocka_unit_test_setup_teardown (test_apply_skips_missing_files, setup, teardown),
    cmocka_unit_test_setup_teardown (test_overlay_xattrs_are_not_exported, setup, teardown),
    cmocka_unit_test_setup_teardown (test_export_does_not_follow_symlinks, setup, teardown),
    cmocka_unit_test_setup_teardown (test_export_names_a_missing_path, setup, teardown),
  };

  if (geteuid () != 0)
    {
      fprintf (stderr, "test_rootfs_diff needs root (overlay mounts, trusted xattrs, mknod)\n");
      return 77;
    }
  return cmocka_run_group_tests (tests, NULL, NULL);
}
