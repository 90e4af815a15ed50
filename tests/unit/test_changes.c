/* Unit tests for storage/changes.c.  Most tests build layer and upper
 * directories by hand (whiteouts are 0:0 character devices, opaque
 * directories carry trusted.overlay.opaque=y, as overlayfs writes them); the
 * end-to-end test makes the changes through a real overlay mount and checks
 * that replaying the computed list on the lower view gives exactly what the
 * container saw.  Runs as root; each test has its own directory under /tmp,
 * unmounted and removed by the teardown even on failure.  */
#include "storage/changes.h"
#include "storage/overlay.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

struct fixture
{
  char *root; /* /tmp/ferry-test-changes-XXXXXX */
};

static int
setup (void **state)
{
  struct fixture *fx = xmalloc0 (sizeof (*fx));
  cleanup_error ferry_error_t err = NULL;

  fx->root = ferry_mkdtemp_in ("/tmp", "ferry-test-changes-", &err);
  if (fx->root == NULL)
    return -1;
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
put_file (struct fixture *fx, const char *rel, const char *content)
{
  cleanup_free char *path = at (fx, rel);
  cleanup_close int fd = -1;

  make_parent (path);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  assert_true (fd >= 0);
  assert_int_equal (ferry_write_all (fd, content, strlen (content)), 0);
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
put_whiteout (struct fixture *fx, const char *rel)
{
  cleanup_free char *path = at (fx, rel);

  make_parent (path);
  if (mknod (path, S_IFCHR | 0000, makedev (0, 0)) < 0)
    fail_msg ("mknod %s: %s", path, strerror (errno));
}

static void
put_symlink (struct fixture *fx, const char *rel, const char *target)
{
  cleanup_free char *path = at (fx, rel);

  make_parent (path);
  assert_int_equal (symlink (target, path), 0);
}

static void
put_opaque (struct fixture *fx, const char *rel)
{
  cleanup_free char *path = at (fx, rel);

  put_dir (fx, rel);
  if (setxattr (path, "trusted.overlay.opaque", "y", 1, 0) < 0)
    fail_msg ("setxattr %s: %s", path, strerror (errno));
}

/* The changes as "A /x\nC /y\n...", or the error message.  */
static char *
changes_text (const char *upper, const char *const *lowers, size_t n)
{
  cleanup_error ferry_error_t err = NULL;
  struct ferry_changes changes = { NULL, 0 };
  char *text = xstrdup ("");

  if (ferry_changes_compute (upper, lowers, n, &changes, &err) < 0)
    {
      free (text);
      return xasprintf ("error: %s", err->msg);
    }
  for (size_t i = 0; i < changes.n; i++)
    {
      char *next = xasprintf ("%s%c %s\n", text, ferry_change_kind_letter (changes.items[i].kind),
                              changes.items[i].path);
      free (text);
      text = next;
    }
  ferry_changes_free (&changes);
  assert_null (changes.items);
  assert_int_equal (changes.n, 0);
  return text;
}

/* Computes the changes of <root>/upper over <root>/l1 ... <root>/lN (l1 the
 * top layer) and compares them with EXPECTED.  */
static void
assert_changes (struct fixture *fx, size_t n_lowers, const char *expected)
{
  cleanup_free char *upper = at (fx, "upper");
  char *lowers[16];
  cleanup_free char *text = NULL;

  assert_true (n_lowers <= 16);
  put_dir (fx, "upper");
  for (size_t i = 0; i < n_lowers; i++)
    {
      lowers[i] = xasprintf ("%s/l%zu", fx->root, i + 1);
      make_parent (lowers[i]);
      mkdir (lowers[i], 0755);
    }
  text = changes_text (upper, (const char *const *) lowers, n_lowers);
  for (size_t i = 0; i < n_lowers; i++)
    free (lowers[i]);
  assert_string_equal (text, expected);
}

static void
test_kind_letters (void **state)
{
  assert_int_equal (ferry_change_kind_letter (FERRY_CHANGE_ADDED), 'A');
  assert_int_equal (ferry_change_kind_letter (FERRY_CHANGE_MODIFIED), 'C');
  assert_int_equal (ferry_change_kind_letter (FERRY_CHANGE_DELETED), 'D');
}

static void
test_empty_upper_has_no_changes (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l1/etc/hosts", "h");
  assert_changes (fx, 1, "");
}

static void
test_added_file (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l1/etc/hosts", "h");
  put_file (fx, "upper/new", "n");
  assert_changes (fx, 1, "A /new\n");
}

static void
test_added_dir_with_children (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l1/etc/hosts", "h");
  put_file (fx, "upper/d/x", "x");
  put_file (fx, "upper/d/sub/y", "y");
  put_symlink (fx, "upper/d/sub/link", "y");
  put_dir (fx, "upper/d/empty");
  assert_changes (fx, 1, "A /d\nA /d/empty\nA /d/sub\nA /d/sub/link\nA /d/sub/y\nA /d/x\n");
}

static void
test_modified_file (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l1/etc/hosts", "h");
  put_file (fx, "l1/etc/passwd", "p");
  put_file (fx, "upper/etc/hosts", "h2");
  assert_changes (fx, 1, "C /etc\nC /etc/hosts\n");
}

static void
test_deleted_file (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l1/etc/hosts", "h");
  put_file (fx, "l1/etc/passwd", "p");
  put_whiteout (fx, "upper/etc/hosts");
  assert_changes (fx, 1, "C /etc\nD /etc/hosts\n");
}

/* Only the directory is reported, not what was in it.  */
static void
test_deleted_dir (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l1/opt/d/a", "a");
  put_file (fx, "l1/opt/d/sub/b", "b");
  put_file (fx, "l1/opt/other", "o");
  put_whiteout (fx, "upper/opt/d");
  assert_changes (fx, 1, "C /opt\nD /opt/d\n");
}

static void
test_whiteout_over_nothing (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l1/etc/hosts", "h");
  put_whiteout (fx, "upper/etc/ghost");
  put_whiteout (fx, "upper/ghost");
  put_whiteout (fx, "upper/new/ghost");
  assert_changes (fx, 1, "C /etc\nA /new\n");
}

/* rm -r d; mkdir d; re-create b: a is gone, b is back (changed).  */
static void
test_opaque_dir (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l1/d/a", "a");
  put_file (fx, "l1/d/b", "b");
  put_file (fx, "l1/d/c/x", "x");
  put_file (fx, "l1/d/gone-too", "g");
  put_opaque (fx, "upper/d");
  put_file (fx, "upper/d/b", "b2");
  put_file (fx, "upper/d/new", "n");
  put_whiteout (fx, "upper/d/gone-too");
  put_whiteout (fx, "upper/d/never-was");
  assert_changes (fx, 1, "C /d\nD /d/a\nC /d/b\nD /d/c\nD /d/gone-too\nA /d/new\n");
}

/* Below an opaque directory overlayfs merges nothing, even into a
 * subdirectory that is not marked itself (mkdir in an opaque dir): what
 * the lower view has there is deleted.  */
static void
test_dir_below_opaque_dir (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l1/d/keep", "k");
  put_file (fx, "l1/d/sub/x", "x");
  put_file (fx, "l1/d/sub/y", "y");
  put_file (fx, "l1/d/sub/deeper/z", "z");
  put_opaque (fx, "upper/d");
  put_file (fx, "upper/d/sub/y", "y2");
  put_dir (fx, "upper/d/sub/deeper");
  assert_changes (fx, 1,
                  "C /d\nD /d/keep\nC /d/sub\nC /d/sub/deeper\nD /d/sub/deeper/z\nD /d/sub/x\nC /d/sub/y\n");
}

/* An opaque dir in upper where the lower view has no directory: nothing
 * to delete.  */
static void
test_opaque_dir_over_nothing (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l1/etc/hosts", "h");
  put_opaque (fx, "upper/newdir");
  put_file (fx, "upper/newdir/f", "f");
  assert_changes (fx, 1, "A /newdir\nA /newdir/f\n");
}

static void
test_file_replaced_by_dir (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l1/data", "file");
  put_file (fx, "l1/other", "o");
  /* overlayfs marks a directory created over a whiteout opaque ...  */
  put_opaque (fx, "upper/data");
  put_file (fx, "upper/data/f", "f");
  put_file (fx, "upper/data/sub/g", "g");
  /* ... but the result must not depend on it.  */
  put_file (fx, "upper/other/h", "h");
  assert_changes (fx, 1, "C /data\nA /data/f\nA /data/sub\nA /data/sub/g\nC /other\nA /other/h\n");
}

static void
test_dir_replaced_by_file (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l1/usr/bin/tool", "t");
  put_file (fx, "l1/usr/bin/sub/x", "x");
  put_file (fx, "upper/usr/bin", "now a file");
  assert_changes (fx, 1, "C /usr\nC /usr/bin\n");
}

/* A symlink in the lower view is a non-directory: a directory in upper
 * replaces it, and nothing is looked up through it.  */
static void
test_lower_symlink_is_not_followed (void **state)
{
  struct fixture *fx = *state;

  put_symlink (fx, "l1/lib", "real");
  put_file (fx, "l1/real/a", "a");
  put_file (fx, "upper/lib/a", "a2");
  put_file (fx, "upper/real/a", "a3");
  assert_changes (fx, 1, "C /lib\nA /lib/a\nC /real\nC /real/a\n");
}

/* l1's whiteout hides l2's /etc/x: re-adding it in upper is an addition,
 * and deleting it again is nothing.  */
static void
test_lower_whiteout_hides_layer_below (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l2/etc/x", "x");
  put_file (fx, "l2/etc/y", "y");
  put_file (fx, "l2/etc/z", "z");
  put_whiteout (fx, "l1/etc/x");
  put_whiteout (fx, "l1/etc/z");
  put_file (fx, "upper/etc/x", "x2");
  put_whiteout (fx, "upper/etc/y");
  put_whiteout (fx, "upper/etc/z");
  assert_changes (fx, 2, "C /etc\nA /etc/x\nD /etc/y\n");
}

/* l1's whiteout over a whole directory of l2.  */
static void
test_lower_whiteout_hides_dir_below (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l2/opt/d/a", "a");
  put_whiteout (fx, "l1/opt/d");
  put_file (fx, "upper/opt/d/a", "a2");
  assert_changes (fx, 2, "C /opt\nA /opt/d\nA /opt/d/a\n");
}

/* l1's opaque /d hides l2's children of /d.  */
static void
test_lower_opaque_dir_hides_layer_below (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l2/d/a", "a");
  put_file (fx, "l2/d/b", "b");
  put_file (fx, "l2/d/sub/x", "x");
  put_opaque (fx, "l1/d");
  put_file (fx, "l1/d/c", "c");
  put_file (fx, "upper/d/a", "a2");
  put_file (fx, "upper/d/c", "c2");
  put_file (fx, "upper/d/sub/x", "x2");
  assert_changes (fx, 2, "C /d\nA /d/a\nC /d/c\nA /d/sub\nA /d/sub/x\n");
}

/* An opaque dir in upper deletes the lower view's entries only: l1's
 * opaque /d hides a and b of l2, so only c is deleted.  */
static void
test_upper_opaque_over_lower_opaque (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l2/d/a", "a");
  put_file (fx, "l2/d/b", "b");
  put_opaque (fx, "l1/d");
  put_file (fx, "l1/d/c", "c");
  put_opaque (fx, "upper/d");
  assert_changes (fx, 2, "C /d\nD /d/c\n");
}

/* The lower view of a directory is the union over the layers, where the
 * topmost layer that has a name decides.  */
static void
test_union_of_layers (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l3/d/a", "a");
  put_file (fx, "l3/d/hidden", "h");
  put_file (fx, "l3/d/shadowed/x", "x");
  put_file (fx, "l2/d/b", "b");
  put_whiteout (fx, "l2/d/hidden");
  put_file (fx, "l2/d/shadowed", "a file hides the directory below");
  put_file (fx, "l1/d/c", "c");
  put_file (fx, "l1/d/sub/y", "y");
  put_opaque (fx, "upper/d");
  put_file (fx, "upper/d/shadowed/x", "x2");
  assert_changes (fx, 3, "C /d\nD /d/a\nD /d/b\nD /d/c\nC /d/shadowed\nA /d/shadowed/x\nD /d/sub\n");
}

/* A file in l1 over a directory of l2 stops the merge: nothing of l2's
 * directory is in the lower view.  */
static void
test_lower_file_over_lower_dir (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l2/x/a", "a");
  put_file (fx, "l1/x", "file");
  put_opaque (fx, "upper/x");
  put_file (fx, "upper/x/a", "a2");
  assert_changes (fx, 2, "C /x\nA /x/a\n");
}

/* A directory in l1 over a file in l2: l2's file does not count, and a
 * directory further down is not merged either.  */
static void
test_lower_dir_over_lower_file (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l3/x/deep", "d");
  put_file (fx, "l2/x", "file");
  put_file (fx, "l1/x/a", "a");
  put_opaque (fx, "upper/x");
  put_file (fx, "upper/x/deep", "d2");
  assert_changes (fx, 3, "C /x\nD /x/a\nA /x/deep\n");
}

/* Overlayfs ignores opaque marks on the roots of the layers and of upper
 * (checked with a real mount on Linux 6.18).  */
static void
test_root_opaque_marks_are_ignored (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l2/b", "b");
  put_file (fx, "l2/c", "c");
  put_opaque (fx, "l1");
  put_file (fx, "l1/a", "a");
  put_opaque (fx, "upper");
  put_file (fx, "upper/b", "b2");
  assert_changes (fx, 2, "C /b\n");
}

static void
test_no_lowers (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "upper/etc/hosts", "h");
  put_whiteout (fx, "upper/etc/ghost");
  put_opaque (fx, "upper/opt");
  assert_changes (fx, 0, "A /etc\nA /etc/hosts\nA /opt\n");
}

/* Sorted by byte order of the whole path, not by walk order.  */
static void
test_sorted_by_path (void **state)
{
  struct fixture *fx = *state;

  put_file (fx, "l1/keep", "k");
  put_file (fx, "upper/a/b", "");
  put_file (fx, "upper/a.b", "");
  put_file (fx, "upper/a-c", "");
  put_file (fx, "upper/B", "");
  assert_changes (fx, 1, "A /B\nA /a\nA /a-c\nA /a.b\nA /a/b\n");
}

static void
test_missing_upper_is_an_error (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *upper = at (fx, "no-upper");
  cleanup_free char *lower = at (fx, "l1");
  cleanup_free char *text = NULL;
  const char *lowers[] = { lower };

  put_dir (fx, "l1");
  text = changes_text (upper, lowers, 1);
  assert_non_null (strstr (text, "error: "));
  assert_non_null (strstr (text, upper));
}

static void
test_missing_layer_is_an_error (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *upper = at (fx, "upper");
  cleanup_free char *lower = at (fx, "no-layer");
  cleanup_free char *text = NULL;
  const char *lowers[] = { lower };

  put_file (fx, "upper/x", "x");
  text = changes_text (upper, lowers, 1);
  assert_non_null (strstr (text, "error: "));
  assert_non_null (strstr (text, lower));
}

static int
count_open_fds (void)
{
  cleanup_dir DIR *d = opendir ("/proc/self/fd");
  int n = 0;

  assert_non_null (d);
  while (readdir (d))
    n++;
  return n;
}

/* 300 layers that all hold the same 12-deep directory: the walk must not
 * keep a descriptor per layer and level open (3600 > the limit set here),
 * and leaks none.  */
static void
test_many_layers_deep_tree (void **state)
{
  struct fixture *fx = *state;
  enum
  {
    N = 300
  };
  const char *deep = "a/b/c/d/e/f/g/h/i/j/k/l";
  char *lowers[N];
  cleanup_free char *upper = at (fx, "upper");
  cleanup_free char *text = NULL;
  struct rlimit saved, limit;
  int fds_before;

  for (size_t i = 0; i < N; i++)
    {
      cleanup_free char *rel = xasprintf ("l%zu/%s/f%zu", i + 1, deep, i);

      put_file (fx, rel, "x");
      lowers[i] = xasprintf ("%s/l%zu", fx->root, i + 1);
    }
  put_whiteout (fx, "upper/a/b/c/d/e/f/g/h/i/j/k/l/f7");
  put_file (fx, "upper/a/b/c/d/e/f/g/h/i/j/k/l/f299", "changed");

  assert_int_equal (getrlimit (RLIMIT_NOFILE, &saved), 0);
  limit = saved;
  limit.rlim_cur = 1024;
  assert_int_equal (setrlimit (RLIMIT_NOFILE, &limit), 0);
  fds_before = count_open_fds ();
  text = changes_text (upper, (const char *const *) lowers, N);
  assert_int_equal (count_open_fds (), fds_before);
  assert_int_equal (setrlimit (RLIMIT_NOFILE, &saved), 0);
  for (size_t i = 0; i < N; i++)
    free (lowers[i]);
  assert_string_equal (text,
                       "C /a\nC /a/b\nC /a/b/c\nC /a/b/c/d\nC /a/b/c/d/e\nC /a/b/c/d/e/f\nC /a/b/c/d/e/f/g\n"
                       "C /a/b/c/d/e/f/g/h\nC /a/b/c/d/e/f/g/h/i\nC /a/b/c/d/e/f/g/h/i/j\n"
                       "C /a/b/c/d/e/f/g/h/i/j/k\nC /a/b/c/d/e/f/g/h/i/j/k/l\n"
                       "C /a/b/c/d/e/f/g/h/i/j/k/l/f299\nD /a/b/c/d/e/f/g/h/i/j/k/l/f7\n");
}

/* ---- end to end, through a real overlay mount ---- */

/* A tree as sorted lines "path type mode content-or-target".  */
struct snapshot
{
  char **lines;
  size_t n;
};

static void
snapshot_add (struct snapshot *s, char *line)
{
  s->lines = xrealloc (s->lines, (s->n + 1) * sizeof (char *));
  s->lines[s->n++] = line;
}

static void
snapshot_free (struct snapshot *s)
{
  for (size_t i = 0; i < s->n; i++)
    free (s->lines[i]);
  free (s->lines);
  s->lines = NULL;
  s->n = 0;
}

/* The line describing ROOT/REL ("" + "/x") or NULL when it is a whiteout.  */
static char *
describe (const char *root, const char *rel)
{
  cleanup_free char *path = xasprintf ("%s%s", root, rel);
  struct stat st;

  assert_int_equal (lstat (path, &st), 0);
  if (S_ISDIR (st.st_mode))
    return xasprintf ("%s dir %04o", rel, st.st_mode & 07777);
  if (S_ISLNK (st.st_mode))
    {
      char target[4096];
      ssize_t len = readlink (path, target, sizeof (target) - 1);

      assert_true (len >= 0);
      target[len] = '\0';
      return xasprintf ("%s link -> %s", rel, target);
    }
  if (S_ISREG (st.st_mode))
    {
      cleanup_error ferry_error_t err = NULL;
      cleanup_free char *content = NULL;

      assert_int_equal (ferry_read_file (path, &content, NULL, &err), 0);
      return xasprintf ("%s file %04o %s", rel, st.st_mode & 07777, content);
    }
  if (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0))
    return NULL;
  return xasprintf ("%s other %o", rel, st.st_mode);
}

static void
snapshot_walk (const char *root, const char *rel, struct snapshot *s)
{
  cleanup_free char *path = xasprintf ("%s%s", root, rel);
  cleanup_dir DIR *d = opendir (path);
  struct dirent *de;

  assert_non_null (d);
  while ((de = readdir (d)))
    {
      cleanup_free char *child = NULL;
      char *line;

      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      child = xasprintf ("%s/%s", rel, de->d_name);
      line = describe (root, child);
      if (line == NULL)
        continue;
      snapshot_add (s, line);
      if (strstr (line, " dir ") == line + strlen (child))
        snapshot_walk (root, child, s);
    }
}

static int
compare_lines (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static char *
snapshot_text (struct snapshot *s)
{
  char *text = xstrdup ("");

  qsort (s->lines, s->n, sizeof (char *), compare_lines);
  for (size_t i = 0; i < s->n; i++)
    {
      char *next = xasprintf ("%s%s\n", text, s->lines[i]);
      free (text);
      text = next;
    }
  return text;
}

/* Line I is about PATH itself, or (DESCENDANTS) about something below it.  */
static bool
line_is_about (const char *line, const char *path, bool descendants)
{
  size_t len = strlen (path);

  if (strncmp (line, path, len) != 0)
    return false;
  return descendants ? line[len] == '/' : line[len] == ' ';
}

static void
snapshot_remove (struct snapshot *s, const char *path, bool self, bool descendants)
{
  size_t kept = 0;

  for (size_t i = 0; i < s->n; i++)
    {
      if ((self && line_is_about (s->lines[i], path, false))
          || (descendants && line_is_about (s->lines[i], path, true)))
        free (s->lines[i]);
      else
        s->lines[kept++] = s->lines[i];
    }
  s->n = kept;
}

/* What a restore does with the list: a deleted path goes with everything
 * below it; an added or changed path takes upper's entry, and a
 * non-directory there replaces whatever was below the path.  */
static void
replay (struct snapshot *view, const struct ferry_changes *changes, const char *upper)
{
  for (size_t i = 0; i < changes->n; i++)
    {
      const char *path = changes->items[i].path;
      char *line;

      if (changes->items[i].kind == FERRY_CHANGE_DELETED)
        {
          snapshot_remove (view, path, true, true);
          continue;
        }
      line = describe (upper, path);
      assert_non_null (line);
      snapshot_remove (view, path, true, strstr (line, " dir ") != line + strlen (path));
      snapshot_add (view, line);
    }
}

static void
in_merged (const char *merged, const char *rel, char **out)
{
  free (*out);
  *out = xasprintf ("%s/%s", merged, rel);
}

static void
write_in (const char *merged, const char *rel, const char *content)
{
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;

  in_merged (merged, rel, &path);
  fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    fail_msg ("open %s: %s", path, strerror (errno));
  assert_int_equal (ferry_write_all (fd, content, strlen (content)), 0);
}

static void
rm_in (const char *merged, const char *rel)
{
  cleanup_free char *path = NULL;
  cleanup_error ferry_error_t err = NULL;

  in_merged (merged, rel, &path);
  if (ferry_rm_rf (path, &err) < 0)
    fail_msg ("%s", err->msg);
  assert_false (ferry_path_exists (path));
}

static void
mkdir_in (const char *merged, const char *rel)
{
  cleanup_free char *path = NULL;

  in_merged (merged, rel, &path);
  if (mkdir (path, 0755) < 0)
    fail_msg ("mkdir %s: %s", path, strerror (errno));
}

static int
count_entries (const char *path)
{
  cleanup_dir DIR *d = opendir (path);
  struct dirent *de;
  int n = 0;

  assert_non_null (d);
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      n++;
  return n;
}

static void
build_e2e_layers (struct fixture *fx)
{
  /* l3: the bottom layer */
  put_file (fx, "l3/etc/hostname", "base");
  put_file (fx, "l3/etc/passwd", "root:x:0:0");
  put_file (fx, "l3/etc/group", "root:x:0:");
  put_file (fx, "l3/usr/bin/tool", "t");
  put_file (fx, "l3/usr/bin/other", "o");
  put_file (fx, "l3/usr/lib/a.so", "a");
  put_file (fx, "l3/usr/lib/b.so", "b");
  put_file (fx, "l3/usr/lib/c.so", "c");
  put_file (fx, "l3/var/log/old.log", "old");
  put_file (fx, "l3/opt/app/conf", "conf");
  put_file (fx, "l3/opt/app/data/x", "x");
  put_file (fx, "l3/opt/app2/sub/c", "c");
  put_file (fx, "l3/opt/app2/sub/d", "d");
  put_file (fx, "l3/opt/app2/top", "top");
  put_file (fx, "l3/data", "a file");
  put_file (fx, "l3/home/user/.profile", "p");
  put_file (fx, "l3/home/user/.cache/z", "z");
  put_file (fx, "l3/srv/keep", "k");
  put_file (fx, "l3/srv/untouched", "u");
  put_symlink (fx, "l3/lib", "usr/lib");
  /* l2 */
  put_file (fx, "l2/etc/motd", "motd");
  put_whiteout (fx, "l2/usr/lib/b.so");
  put_opaque (fx, "l2/var/log");
  put_file (fx, "l2/var/log/new.log", "new");
  put_file (fx, "l2/opt/app/data/y", "y");
  put_file (fx, "l2/opt/app/extra", "e");
  /* l1: the top layer */
  put_file (fx, "l1/etc/passwd", "root:x:0:0:l1");
  put_file (fx, "l1/usr/share/doc/readme", "r");
}

/* The operations a container might do, through the merged view.  */
static void
change_through_merged (const char *m)
{
  cleanup_free char *p = NULL, *q = NULL;

  write_in (m, "new.txt", "n");
  mkdir_in (m, "newdir");
  mkdir_in (m, "newdir/sub");
  write_in (m, "newdir/sub/f", "f");
  write_in (m, "etc/hostname", "changed");
  rm_in (m, "etc/passwd"); /* in l1 and l3 */
  rm_in (m, "etc/group");  /* only in l3 */
  rm_in (m, "opt/app");    /* merged from l3 and l2 */
  rm_in (m, "home/user");  /* and re-created */
  mkdir_in (m, "home/user");
  write_in (m, "home/user/.profile", "p2");
  rm_in (m, "data"); /* a file becomes a directory */
  mkdir_in (m, "data");
  write_in (m, "data/f", "f");
  rm_in (m, "usr/bin"); /* a directory becomes a file */
  write_in (m, "usr/bin", "now a file");
  write_in (m, "usr/lib/b.so", "b2");      /* hidden by l2's whiteout */
  write_in (m, "var/log/old.log", "old2"); /* hidden by l2's opaque dir */
  write_in (m, "scratch", "s");            /* created and deleted: nothing */
  rm_in (m, "scratch");
  in_merged (m, "srv/keep", &p); /* metadata only */
  assert_int_equal (chmod (p, 0600), 0);
  rm_in (m, "etc/motd"); /* deleted and written again */
  write_in (m, "etc/motd", "motd2");
  in_merged (m, "usr/lib/a.so", &p); /* renamed */
  in_merged (m, "usr/lib/a2.so", &q);
  assert_int_equal (rename (p, q), 0);
  in_merged (m, "usr/lib/link", &p);
  assert_int_equal (symlink ("c.so", p), 0);
  rm_in (m, "opt/app2"); /* re-created with an old subdirectory */
  mkdir_in (m, "opt/app2");
  mkdir_in (m, "opt/app2/sub");
  in_merged (m, "opt/app2/sub", &p);
  assert_int_equal (count_entries (p), 0); /* overlayfs merges nothing there */
  mkdir_in (m, "usr/share/doc/new");
  rm_in (m, "lib"); /* a symlink becomes a directory */
  mkdir_in (m, "lib");
  write_in (m, "lib/x", "x");
  in_merged (m, "etc/hostname", &p); /* a hard link to a changed file */
  in_merged (m, "etc/hostname.lnk", &q);
  assert_int_equal (link (p, q), 0);
  in_merged (m, "fifo", &p);
  assert_int_equal (mkfifo (p, 0644), 0);
}

static void
snapshot_of (const char *root, struct snapshot *s)
{
  s->lines = NULL;
  s->n = 0;
  snapshot_walk (root, "", s);
}

static void
test_end_to_end_through_overlay (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *l1 = at (fx, "l1"), *l2 = at (fx, "l2"), *l3 = at (fx, "l3");
  cleanup_free char *ctr = at (fx, "ctr"), *view = at (fx, "view");
  cleanup_free char *text = NULL, *expected_tree = NULL, *replayed_tree = NULL, *lower_tree = NULL;
  const char *lowers[] = { l1, l2, l3 };
  struct ferry_overlay ov = { NULL, NULL, NULL, NULL };
  struct snapshot merged_snapshot, replayed;
  struct ferry_changes changes = { NULL, 0 };

  build_e2e_layers (fx);

  /* The lower view as overlayfs itself shows it: a read-only overlay of the
   * layers alone.  */
  {
    cleanup_free char *options = xasprintf ("lowerdir=%s:%s:%s", l1, l2, l3);
    put_dir (fx, "view");
    assert_int_equal (mount ("overlay", view, "overlay", MS_RDONLY, options), 0);
    snapshot_of (view, &replayed);
    assert_int_equal (umount2 (view, 0), 0);
  }

  assert_int_equal (ferry_overlay_create (ctr, &ov, &err), 0);
  if (ferry_overlay_mount (&ov, lowers, 3, &err) < 0)
    fail_msg ("%s", err->msg);
  change_through_merged (ov.merged);
  snapshot_of (ov.merged, &merged_snapshot);
  assert_int_equal (ferry_overlay_unmount (&ov, &err), 0);

  if (ferry_changes_compute (ov.upper, lowers, 3, &changes, &err) < 0)
    fail_msg ("%s", err->msg);

  /* The exact list.  */
  text = changes_text (ov.upper, lowers, 3);
  assert_string_equal (text, "C /data\n"
                             "A /data/f\n"
                             "C /etc\n"
                             "D /etc/group\n"
                             "C /etc/hostname\n"
                             "A /etc/hostname.lnk\n"
                             "C /etc/motd\n"
                             "D /etc/passwd\n"
                             "A /fifo\n"
                             "C /home\n"
                             "C /home/user\n"
                             "D /home/user/.cache\n"
                             "C /home/user/.profile\n"
                             "C /lib\n"
                             "A /lib/x\n"
                             "A /new.txt\n"
                             "A /newdir\n"
                             "A /newdir/sub\n"
                             "A /newdir/sub/f\n"
                             "C /opt\n"
                             "D /opt/app\n"
                             "C /opt/app2\n"
                             "C /opt/app2/sub\n"
                             "D /opt/app2/sub/c\n"
                             "D /opt/app2/sub/d\n"
                             "D /opt/app2/top\n"
                             "C /srv\n"
                             "C /srv/keep\n"
                             "C /usr\n"
                             "C /usr/bin\n"
                             "C /usr/lib\n"
                             "D /usr/lib/a.so\n"
                             "A /usr/lib/a2.so\n"
                             "A /usr/lib/b.so\n"
                             "A /usr/lib/link\n"
                             "C /usr/share\n"
                             "C /usr/share/doc\n"
                             "A /usr/share/doc/new\n"
                             "C /var\n"
                             "C /var/log\n"
                             "A /var/log/old.log\n");

  /* Exactness: the lower view with the changes replayed on it is what the
   * container saw, entry for entry (types, modes, contents, targets).  */
  lower_tree = snapshot_text (&replayed);
  replay (&replayed, &changes, ov.upper);
  expected_tree = snapshot_text (&merged_snapshot);
  replayed_tree = snapshot_text (&replayed);
  assert_string_equal (replayed_tree, expected_tree);
  /* ... where the two trees really differed, also in the places where the
   * upper dir alone is misleading.  */
  assert_non_null (strstr (lower_tree, "/opt/app2/sub/c file 0644 c\n"));
  assert_non_null (strstr (lower_tree, "/home/user/.cache/z file 0644 z\n"));
  assert_non_null (strstr (lower_tree, "/srv/keep file 0644 k\n"));
  assert_null (strstr (lower_tree, "/var/log/old.log"));
  assert_non_null (strstr (expected_tree, "/opt/app2/sub dir 0755\n"));
  assert_null (strstr (expected_tree, "/opt/app2/sub/"));
  assert_null (strstr (expected_tree, "/home/user/.cache"));
  assert_non_null (strstr (expected_tree, "/srv/keep file 0600 k\n"));
  assert_non_null (strstr (expected_tree, "/var/log/old.log file 0644 old2\n"));

  ferry_changes_free (&changes);
  snapshot_free (&merged_snapshot);
  snapshot_free (&replayed);
  ferry_overlay_free (&ov);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_kind_letters),
    cmocka_unit_test_setup_teardown (test_empty_upper_has_no_changes, setup, teardown),
    cmocka_unit_test_setup_teardown (test_added_file, setup, teardown),
    cmocka_unit_test_setup_teardown (test_added_dir_with_children, setup, teardown),
    cmocka_unit_test_setup_teardown (test_modified_file, setup, teardown),
    cmocka_unit_test_setup_teardown (test_deleted_file, setup, teardown),
    cmocka_unit_test_setup_teardown (test_deleted_dir, setup, teardown),
    cmocka_unit_test_setup_teardown (test_whiteout_over_nothing, setup, teardown),
    cmocka_unit_test_setup_teardown (test_opaque_dir, setup, teardown),
    cmocka_unit_test_setup_teardown (test_dir_below_opaque_dir, setup, teardown),
    cmocka_unit_test_setup_teardown (test_opaque_dir_over_nothing, setup, teardown),
    cmocka_unit_test_setup_teardown (test_file_replaced_by_dir, setup, teardown),
    cmocka_unit_test_setup_teardown (test_dir_replaced_by_file, setup, teardown),
    cmocka_unit_test_setup_teardown (test_lower_symlink_is_not_followed, setup, teardown),
    cmocka_unit_test_setup_teardown (test_lower_whiteout_hides_layer_below, setup, teardown),
    cmocka_unit_test_setup_teardown (test_lower_whiteout_hides_dir_below, setup, teardown),
    cmocka_unit_test_setup_teardown (test_lower_opaque_dir_hides_layer_below, setup, teardown),
    cmocka_unit_test_setup_teardown (test_upper_opaque_over_lower_opaque, setup, teardown),
    cmocka_unit_test_setup_teardown (test_union_of_layers, setup, teardown),
    cmocka_unit_test_setup_teardown (test_lower_file_over_lower_dir, setup, teardown),
    cmocka_unit_test_setup_teardown (test_lower_dir_over_lower_file, setup, teardown),
    cmocka_unit_test_setup_teardown (test_root_opaque_marks_are_ignored, setup, teardown),
    cmocka_unit_test_setup_teardown (test_no_lowers, setup, teardown),
    cmocka_unit_test_setup_teardown (test_sorted_by_path, setup, teardown),
    cmocka_unit_test_setup_teardown (test_missing_upper_is_an_error, setup, teardown),
    cmocka_unit_test_setup_teardown (test_missing_layer_is_an_error, setup, teardown),
    cmocka_unit_test_setup_teardown (test_many_layers_deep_tree, setup, teardown),
    cmocka_unit_test_setup_teardown (test_end_to_end_through_overlay, setup, teardown),
  };

  if (geteuid () != 0)
    {
      fprintf (stderr, "test_changes: needs root (whiteouts, trusted xattrs, mounts), skipped\n");
      return 77;
    }
  return cmocka_run_group_tests (tests, NULL, NULL);
}
