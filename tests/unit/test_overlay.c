/* Unit tests for storage/overlay.c: real overlay mounts (the tests run as
 * root), each in its own directory under /tmp, unmounted and removed by the
 * teardown even when a test fails.  */
#include "storage/overlay.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"
#include "mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>

int ferry_overlay_mount_legacy (const struct ferry_overlay *ov, const char *const *lowers, size_t n,
                                ferry_error_t *err);

struct fixture
{
  char *root; /* /tmp/ferry-test-overlay-XXXXXX */
  struct ferry_overlay ov;
};

static int
setup (void **state)
{
  struct fixture *fx = xmalloc0 (sizeof (*fx));
  cleanup_error ferry_error_t err = NULL;

  fx->root = ferry_mkdtemp_in ("/tmp", "ferry-test-overlay-", &err);
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
  ferry_overlay_free (&fx->ov);
  free (fx->root);
  free (fx);
  return 0;
}

static char *fx_path (struct fixture *fx, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static char *
fx_path (struct fixture *fx, const char *fmt, ...)
{
  va_list ap;
  char *rel, *full;

  va_start (ap, fmt);
  assert_true (vasprintf (&rel, fmt, ap) >= 0);
  va_end (ap);
  full = xasprintf ("%s/%s", fx->root, rel);
  free (rel);
  return full;
}

static void
write_file (const char *path, const char *content)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *parent = xstrdup (path);

  *strrchr (parent, '/') = '\0';
  assert_int_equal (ferry_mkdir_p (parent, 0755, &err), 0);
  assert_int_equal (ferry_write_file_atomic (path, content, strlen (content), 0644, &err), 0);
}

static char *
read_file (const char *path)
{
  cleanup_error ferry_error_t err = NULL;
  char *content = NULL;

  if (ferry_read_file (path, &content, NULL, &err) < 0)
    fail_msg ("cannot read %s: %s", path, err->msg);
  return content;
}

static void
assert_file_content (const char *path, const char *expected)
{
  cleanup_free char *content = read_file (path);

  assert_string_equal (content, expected);
}

/* How many mounts /proc/self/mountinfo has at PATH.  */
static int
count_mounts_at (const char *path)
{
  cleanup_strv char **points = unit_mount_points ();
  int n = 0;

  for (size_t i = 0; points[i]; i++)
    n += strcmp (points[i], path) == 0;
  return n;
}

static void
create_overlay (struct fixture *fx, const char *name)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *dir = fx_path (fx, "%s", name);

  if (ferry_overlay_create (dir, &fx->ov, &err) < 0)
    fail_msg ("ferry_overlay_create: %s", err->msg);
}

static void
mount_overlay (struct fixture *fx, const char *const *lowers, size_t n)
{
  cleanup_error ferry_error_t err = NULL;

  if (ferry_overlay_mount (&fx->ov, lowers, n, &err) < 0)
    fail_msg ("ferry_overlay_mount: %s", err->msg);
  assert_true (ferry_overlay_is_mounted (&fx->ov));
}

/* Two layers: l1 (top) and l2, each with a file of its own and "shared".  */
static void
make_two_layers (struct fixture *fx, char **l1, char **l2)
{
  cleanup_free char *p1 = NULL, *p2 = NULL, *p3 = NULL, *p4 = NULL, *p5 = NULL;

  *l1 = fx_path (fx, "l1");
  *l2 = fx_path (fx, "l2");
  write_file ((p1 = fx_path (fx, "l1/top.txt")), "top");
  write_file ((p2 = fx_path (fx, "l1/shared")), "from-top");
  write_file ((p3 = fx_path (fx, "l2/bottom.txt")), "bottom");
  write_file ((p4 = fx_path (fx, "l2/shared")), "from-bottom");
  write_file ((p5 = fx_path (fx, "l2/dir/inner")), "inner");
}

static void
test_create_makes_directories (void **state)
{
  struct fixture *fx = *state;
  cleanup_error ferry_error_t err = NULL;
  struct ferry_overlay again;
  struct stat st;

  create_overlay (fx, "deep/ctr");
  assert_int_equal (stat (fx->ov.dir, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0700);
  assert_int_equal (stat (fx->ov.upper, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0755);
  assert_int_equal (stat (fx->ov.merged, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0755);
  assert_int_equal (stat (fx->ov.work, &st), 0);
  assert_true (S_ISDIR (st.st_mode));
  assert_false (ferry_overlay_is_mounted (&fx->ov));

  /* Existing directories (and what is in them) are kept.  */
  {
    cleanup_free char *kept = xasprintf ("%s/kept", fx->ov.upper);
    write_file (kept, "x");
    assert_int_equal (ferry_overlay_create (fx->ov.dir, &again, &err), 0);
    assert_string_equal (again.merged, fx->ov.merged);
    assert_string_equal (again.upper, fx->ov.upper);
    assert_string_equal (again.work, fx->ov.work);
    ferry_overlay_free (&again);
    assert_null (again.dir);
    assert_file_content (kept, "x");
  }
}

static void
test_paths_only_fills_names (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *dir = fx_path (fx, "nothing-here");
  struct ferry_overlay ov;

  ferry_overlay_paths (dir, &ov);
  assert_string_equal (ov.dir, dir);
  assert_true (strcmp (ov.upper + strlen (dir), "/upper") == 0);
  assert_true (strcmp (ov.work + strlen (dir), "/work") == 0);
  assert_true (strcmp (ov.merged + strlen (dir), "/merged") == 0);
  assert_false (ferry_path_exists (dir));
  ferry_overlay_free (&ov);
}

static void
test_mount_reads_each_layer (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *l1 = NULL, *l2 = NULL;
  cleanup_free char *top = NULL, *bottom = NULL, *shared = NULL, *inner = NULL;

  make_two_layers (fx, &l1, &l2);
  create_overlay (fx, "ctr");
  {
    const char *lowers[] = { l1, l2 };
    mount_overlay (fx, lowers, 2);
  }
  assert_file_content ((top = xasprintf ("%s/top.txt", fx->ov.merged)), "top");
  assert_file_content ((bottom = xasprintf ("%s/bottom.txt", fx->ov.merged)), "bottom");
  /* The first lower is the top layer.  */
  assert_file_content ((shared = xasprintf ("%s/shared", fx->ov.merged)), "from-top");
  assert_file_content ((inner = xasprintf ("%s/dir/inner", fx->ov.merged)), "inner");
  assert_int_equal (count_mounts_at (fx->ov.merged), 1);
}

static void
test_write_goes_to_upper (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *l1 = NULL, *l2 = NULL;
  cleanup_free char *merged_new = NULL, *upper_new = NULL, *merged_shared = NULL, *upper_shared = NULL;
  cleanup_free char *lower_shared = NULL;

  make_two_layers (fx, &l1, &l2);
  create_overlay (fx, "ctr");
  {
    const char *lowers[] = { l1, l2 };
    mount_overlay (fx, lowers, 2);
  }
  write_file ((merged_new = xasprintf ("%s/sub/new", fx->ov.merged)), "fresh");
  assert_file_content ((upper_new = xasprintf ("%s/sub/new", fx->ov.upper)), "fresh");

  write_file ((merged_shared = xasprintf ("%s/shared", fx->ov.merged)), "changed");
  assert_file_content ((upper_shared = xasprintf ("%s/shared", fx->ov.upper)), "changed");
  assert_file_content ((lower_shared = xasprintf ("%s/shared", l1)), "from-top");
}

static void
test_delete_makes_whiteout (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *l1 = NULL, *l2 = NULL;
  cleanup_free char *merged_bottom = NULL, *upper_bottom = NULL, *lower_bottom = NULL;
  struct stat st;

  make_two_layers (fx, &l1, &l2);
  create_overlay (fx, "ctr");
  {
    const char *lowers[] = { l1, l2 };
    mount_overlay (fx, lowers, 2);
  }
  merged_bottom = xasprintf ("%s/bottom.txt", fx->ov.merged);
  assert_int_equal (unlink (merged_bottom), 0);
  assert_false (ferry_path_exists (merged_bottom));
  upper_bottom = xasprintf ("%s/bottom.txt", fx->ov.upper);
  assert_int_equal (lstat (upper_bottom, &st), 0);
  assert_true (S_ISCHR (st.st_mode));
  assert_int_equal (major (st.st_rdev), 0);
  assert_int_equal (minor (st.st_rdev), 0);
  assert_file_content ((lower_bottom = xasprintf ("%s/bottom.txt", l2)), "bottom");
}

/* redirect_dir=off: renaming a directory of a lower layer is refused with
 * EXDEV (tools then copy), so upper never holds a redirect.  */
static void
test_rename_lower_dir_is_exdev (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *l1 = NULL, *l2 = NULL, *from = NULL, *to = NULL;

  make_two_layers (fx, &l1, &l2);
  create_overlay (fx, "ctr");
  {
    const char *lowers[] = { l1, l2 };
    mount_overlay (fx, lowers, 2);
  }
  from = xasprintf ("%s/dir", fx->ov.merged);
  to = xasprintf ("%s/dir2", fx->ov.merged);
  assert_int_equal (rename (from, to), -1);
  assert_int_equal (errno, EXDEV);
}

static void
test_mount_zero_lowers (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *empty = NULL, *file = NULL, *upper_file = NULL;
  cleanup_dir DIR *d = NULL;
  struct dirent *de;
  int entries = 0;

  create_overlay (fx, "ctr");
  mount_overlay (fx, NULL, 0);
  d = opendir (fx->ov.merged);
  assert_non_null (d);
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      entries++;
  assert_int_equal (entries, 0);

  write_file ((file = xasprintf ("%s/etc/hosts", fx->ov.merged)), "127.0.0.1 localhost\n");
  assert_file_content ((upper_file = xasprintf ("%s/etc/hosts", fx->ov.upper)), "127.0.0.1 localhost\n");
  empty = xasprintf ("%s/empty", fx->ov.dir);
  assert_true (ferry_path_exists (empty));
}

/* ~200 layers whose paths add up to far more than a page: the option string
 * of mount(2) could not hold them, one fsconfig call per layer can.  */
static void
test_mount_many_layers (void **state)
{
  struct fixture *fx = *state;
  enum
  {
    N = 200
  };
  char *lowers[N];
  size_t total = 0;
  cleanup_error ferry_error_t err = NULL;

  for (size_t i = 0; i < N; i++)
    {
      cleanup_free char *own = NULL, *who = NULL;

      lowers[i] = fx_path (fx, "layers/layer-%03zu-with-a-rather-long-directory-name-to-fill-pages", i);
      write_file ((own = xasprintf ("%s/f%zu", lowers[i], i)), "own");
      who = xasprintf ("%s/who", lowers[i]);
      {
        char num[16];
        snprintf (num, sizeof (num), "%zu", i);
        write_file (who, num);
      }
      total += strlen (lowers[i]) + 1;
    }
  assert_true (total > 3 * 4096);

  create_overlay (fx, "ctr");
  /* mount(2) cannot take them: the legacy path says why.  */
  assert_true (ferry_overlay_mount_legacy (&fx->ov, (const char *const *) lowers, N, &err) < 0);
  assert_int_equal (err->status, E2BIG);
  assert_non_null (strstr (err->msg, "200 layers"));
  assert_false (ferry_overlay_is_mounted (&fx->ov));

  mount_overlay (fx, (const char *const *) lowers, N);
  {
    cleanup_free char *who = xasprintf ("%s/who", fx->ov.merged);
    cleanup_free char *first = xasprintf ("%s/f0", fx->ov.merged);
    cleanup_free char *middle = xasprintf ("%s/f123", fx->ov.merged);
    cleanup_free char *last = xasprintf ("%s/f%d", fx->ov.merged, N - 1);

    assert_file_content (who, "0");
    assert_file_content (first, "own");
    assert_file_content (middle, "own");
    assert_file_content (last, "own");
  }
  for (size_t i = 0; i < N; i++)
    free (lowers[i]);
}

static void
test_mount_twice_is_not_an_error (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *l1 = NULL, *l2 = NULL;
  cleanup_error ferry_error_t err = NULL;

  make_two_layers (fx, &l1, &l2);
  create_overlay (fx, "ctr");
  {
    const char *lowers[] = { l1, l2 };
    mount_overlay (fx, lowers, 2);
    assert_int_equal (ferry_overlay_mount (&fx->ov, lowers, 2, &err), 0);
    assert_null (err);
  }
  assert_int_equal (count_mounts_at (fx->ov.merged), 1);
}

static void
test_unmount (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *l1 = NULL, *l2 = NULL, *merged_file = NULL, *upper_file = NULL;
  cleanup_error ferry_error_t err = NULL;

  make_two_layers (fx, &l1, &l2);
  create_overlay (fx, "ctr");

  /* Not mounted yet: not an error.  */
  assert_int_equal (ferry_overlay_unmount (&fx->ov, &err), 0);
  assert_null (err);

  {
    const char *lowers[] = { l1, l2 };
    mount_overlay (fx, lowers, 2);
  }
  write_file ((merged_file = xasprintf ("%s/kept", fx->ov.merged)), "kept");
  assert_int_equal (ferry_overlay_unmount (&fx->ov, &err), 0);
  assert_false (ferry_overlay_is_mounted (&fx->ov));
  assert_int_equal (count_mounts_at (fx->ov.merged), 0);
  assert_false (ferry_path_exists (merged_file));
  assert_file_content ((upper_file = xasprintf ("%s/kept", fx->ov.upper)), "kept");

  /* Again, and for a directory that does not exist at all.  */
  assert_int_equal (ferry_overlay_unmount (&fx->ov, &err), 0);
  {
    cleanup_free char *missing = fx_path (fx, "missing");
    struct ferry_overlay ghost;

    ferry_overlay_paths (missing, &ghost);
    assert_int_equal (ferry_overlay_unmount (&ghost, &err), 0);
    assert_null (err);
    ferry_overlay_free (&ghost);
  }
}

/* A file held open keeps the mount busy: unmount still succeeds (detached
 * after a few tries) and merged is no longer a mount point.  */
static void
test_unmount_busy (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *l1 = NULL, *l2 = NULL, *shared = NULL;
  cleanup_error ferry_error_t err = NULL;
  cleanup_close int fd = -1;

  make_two_layers (fx, &l1, &l2);
  create_overlay (fx, "ctr");
  {
    const char *lowers[] = { l1, l2 };
    mount_overlay (fx, lowers, 2);
  }
  fd = open ((shared = xasprintf ("%s/shared", fx->ov.merged)), O_RDONLY | O_CLOEXEC);
  assert_true (fd >= 0);
  assert_int_equal (ferry_overlay_unmount (&fx->ov, &err), 0);
  assert_false (ferry_overlay_is_mounted (&fx->ov));
  assert_int_equal (count_mounts_at (fx->ov.merged), 0);
}

/* --rootfs: a host directory bound at merged.  Removing the storage
 * unbinds it and leaves the directory and its files as they were.  */
static void
test_bind_removed_without_its_directory (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *host = fx_path (fx, "hostroot"), *file = NULL, *seen = NULL, *written = NULL;
  cleanup_error ferry_error_t err = NULL;

  write_file ((file = xasprintf ("%s/etc/os-release", host)), "mine");
  create_overlay (fx, "ctr");
  assert_int_equal (ferry_overlay_bind (&fx->ov, host, &err), 0);
  /* Twice is not an error, and not a second mount.  */
  assert_int_equal (ferry_overlay_bind (&fx->ov, host, &err), 0);
  assert_int_equal (count_mounts_at (fx->ov.merged), 1);
  assert_true (ferry_overlay_is_mounted (&fx->ov));
  assert_file_content ((seen = xasprintf ("%s/etc/os-release", fx->ov.merged)), "mine");
  /* Writes go into the directory itself.  */
  write_file ((written = xasprintf ("%s/new", fx->ov.merged)), "new");
  assert_int_equal (ferry_overlay_remove (&fx->ov, &err), 0);
  assert_null (err);
  assert_false (ferry_path_exists (fx->ov.dir));
  assert_int_equal (count_mounts_at (fx->ov.merged), 0);
  assert_file_content (file, "mine");
  free (written);
  assert_file_content ((written = xasprintf ("%s/new", host)), "new");
}

/* The host's / is never bound, even through a link to it.  */
static void
test_bind_refuses_host_root (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *link = fx_path (fx, "tohost");
  cleanup_error ferry_error_t err = NULL, err2 = NULL;

  create_overlay (fx, "ctr");
  assert_int_equal (symlink ("/", link), 0);
  assert_true (ferry_overlay_bind (&fx->ov, "/", &err) < 0);
  assert_non_null (strstr (err->msg, "host's /"));
  assert_true (ferry_overlay_bind (&fx->ov, link, &err2) < 0);
  assert_int_equal (count_mounts_at (fx->ov.merged), 0);
}

/* Something left in merged (never a mount point, only files it cannot
 * own) stops the removal before anything goes.  */
static void
test_remove_refuses_files_in_merged (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *stray = NULL, *upper_file = NULL;
  cleanup_error ferry_error_t err = NULL;

  create_overlay (fx, "ctr");
  write_file ((stray = xasprintf ("%s/keep", fx->ov.merged)), "keep");
  write_file ((upper_file = xasprintf ("%s/x", fx->ov.upper)), "x");
  assert_true (ferry_overlay_remove (&fx->ov, &err) < 0);
  assert_non_null (err);
  assert_non_null (strstr (err->msg, "still mounted or not empty"));
  assert_file_content (stray, "keep");
  assert_file_content (upper_file, "x");
}

static void
test_remove_leaves_nothing (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *l1 = NULL, *l2 = NULL, *file = NULL, *lower_top = NULL;
  cleanup_error ferry_error_t err = NULL;

  make_two_layers (fx, &l1, &l2);
  create_overlay (fx, "ctr");
  {
    const char *lowers[] = { l1, l2 };
    mount_overlay (fx, lowers, 2);
  }
  write_file ((file = xasprintf ("%s/a/b/c", fx->ov.merged)), "data");
  assert_int_equal (ferry_overlay_remove (&fx->ov, &err), 0);
  assert_null (err);
  assert_false (ferry_path_exists (fx->ov.dir));
  assert_int_equal (count_mounts_at (fx->ov.merged), 0);
  /* The layers are not the container's to remove.  */
  assert_file_content ((lower_top = xasprintf ("%s/top.txt", l1)), "top");

  /* Removing what is gone is not an error either.  */
  assert_int_equal (ferry_overlay_remove (&fx->ov, &err), 0);
}

static void
test_mount_error_names_the_layer (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *l1 = NULL, *l2 = NULL, *missing = NULL;
  cleanup_error ferry_error_t err = NULL;

  make_two_layers (fx, &l1, &l2);
  missing = fx_path (fx, "no-such-layer");
  create_overlay (fx, "ctr");
  {
    const char *lowers[] = { l1, missing, l2 };
    assert_true (ferry_overlay_mount (&fx->ov, lowers, 3, &err) < 0);
  }
  assert_non_null (err);
  assert_int_equal (err->status, ENOENT);
  assert_non_null (strstr (err->msg, missing));
  assert_non_null (strstr (err->msg, fx->ov.merged));
  assert_false (ferry_overlay_is_mounted (&fx->ov));
}

/* Overlayfs gives ':' ',' and '\' meanings in its options; paths holding
 * them still mount, with either API.  */
static void
test_special_characters_in_paths (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *l1 = NULL, *l2 = NULL, *file1 = NULL, *file2 = NULL;
  cleanup_error ferry_error_t err = NULL;

  l1 = fx_path (fx, "lay:er,1\\x");
  l2 = fx_path (fx, "lay:er,2");
  write_file ((file1 = xasprintf ("%s/one", l1)), "1");
  write_file ((file2 = xasprintf ("%s/two", l2)), "2");
  {
    const char *lowers[] = { l1, l2 };
    cleanup_free char *one = NULL, *two = NULL, *up = NULL, *mine = NULL;

    create_overlay (fx, "ctr:a,b\\c");
    mount_overlay (fx, lowers, 2);
    assert_file_content ((one = xasprintf ("%s/one", fx->ov.merged)), "1");
    assert_file_content ((two = xasprintf ("%s/two", fx->ov.merged)), "2");
    write_file ((mine = xasprintf ("%s/mine", fx->ov.merged)), "m");
    assert_file_content ((up = xasprintf ("%s/mine", fx->ov.upper)), "m");
    assert_int_equal (ferry_overlay_unmount (&fx->ov, &err), 0);

    assert_int_equal (ferry_overlay_mount_legacy (&fx->ov, lowers, 2, &err), 0);
    assert_true (ferry_overlay_is_mounted (&fx->ov));
    assert_file_content (one, "1");
    assert_file_content (two, "2");
    assert_file_content (mine, "m");
  }
}

/* The mount(2) fallback for kernels before 6.8 works where it can.  */
static void
test_legacy_mount (void **state)
{
  struct fixture *fx = *state;
  cleanup_free char *l1 = NULL, *l2 = NULL, *shared = NULL, *bottom = NULL, *merged_bottom = NULL;
  cleanup_free char *upper_bottom = NULL;
  cleanup_error ferry_error_t err = NULL;
  struct stat st;

  make_two_layers (fx, &l1, &l2);
  create_overlay (fx, "ctr");
  {
    const char *lowers[] = { l1, l2 };
    assert_int_equal (ferry_overlay_mount_legacy (&fx->ov, lowers, 2, &err), 0);
  }
  assert_true (ferry_overlay_is_mounted (&fx->ov));
  assert_file_content ((shared = xasprintf ("%s/shared", fx->ov.merged)), "from-top");
  assert_file_content ((bottom = xasprintf ("%s/bottom.txt", fx->ov.merged)), "bottom");
  assert_int_equal (unlink ((merged_bottom = xasprintf ("%s/bottom.txt", fx->ov.merged))), 0);
  assert_int_equal (lstat ((upper_bottom = xasprintf ("%s/bottom.txt", fx->ov.upper)), &st), 0);
  assert_true (S_ISCHR (st.st_mode));
  assert_int_equal (ferry_overlay_unmount (&fx->ov, &err), 0);
  assert_false (ferry_overlay_is_mounted (&fx->ov));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_create_makes_directories, setup, teardown),
    cmocka_unit_test_setup_teardown (test_paths_only_fills_names, setup, teardown),
    cmocka_unit_test_setup_teardown (test_mount_reads_each_layer, setup, teardown),
    cmocka_unit_test_setup_teardown (test_write_goes_to_upper, setup, teardown),
    cmocka_unit_test_setup_teardown (test_delete_makes_whiteout, setup, teardown),
    cmocka_unit_test_setup_teardown (test_rename_lower_dir_is_exdev, setup, teardown),
    cmocka_unit_test_setup_teardown (test_mount_zero_lowers, setup, teardown),
    cmocka_unit_test_setup_teardown (test_mount_many_layers, setup, teardown),
    cmocka_unit_test_setup_teardown (test_mount_twice_is_not_an_error, setup, teardown),
    cmocka_unit_test_setup_teardown (test_unmount, setup, teardown),
    cmocka_unit_test_setup_teardown (test_unmount_busy, setup, teardown),
    cmocka_unit_test_setup_teardown (test_remove_leaves_nothing, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bind_removed_without_its_directory, setup, teardown),
    cmocka_unit_test_setup_teardown (test_bind_refuses_host_root, setup, teardown),
    cmocka_unit_test_setup_teardown (test_remove_refuses_files_in_merged, setup, teardown),
    cmocka_unit_test_setup_teardown (test_mount_error_names_the_layer, setup, teardown),
    cmocka_unit_test_setup_teardown (test_special_characters_in_paths, setup, teardown),
    cmocka_unit_test_setup_teardown (test_legacy_mount, setup, teardown),
  };

  if (geteuid () != 0)
    {
      fprintf (stderr, "test_overlay: needs root to mount overlays, skipped\n");
      return 77;
    }
  return cmocka_run_group_tests (tests, NULL, NULL);
}
