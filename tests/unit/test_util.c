/* Unit tests for src/lib/util: errors, paths, digests, files.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/cleanup.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/parallel.h"
#include "util/parse.h"
#include "util/process.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define ABC_SHA256 "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define EMPTY_SHA256 "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct fixture
{
  char *dir;   /* a fresh temporary directory */
  char *mount; /* a mount point to undo in teardown, or NULL */
};

static int
setup (void **state)
{
  struct fixture *f = xmalloc0 (sizeof (*f));
  char tmpl[] = "/tmp/ferry-test-util-XXXXXX";

  if (mkdtemp (tmpl) == NULL)
    return -1;
  f->dir = xstrdup (tmpl);
  *state = f;
  return 0;
}

static int
teardown (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  int ret;

  if (f->mount)
    umount2 (f->mount, MNT_DETACH);
  ret = ferry_rm_rf (f->dir, &err);
  free (f->mount);
  free (f->dir);
  free (f);
  return ret;
}

static void
write_file (const char *path, const char *content)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  assert_true (fd >= 0);
  assert_int_equal (ferry_write_all (fd, content, strlen (content)), 0);
}

static void
make_dir (const char *path)
{
  cleanup_error ferry_error_t err = NULL;

  assert_int_equal (ferry_mkdir_p (path, 0755, &err), 0);
}

/* Mounts run in a private mount namespace of the test process, so that a
 * crash cannot leave them behind on the host.  Returns 0 when mounting is
 * not possible here.  */
static int
can_mount (void)
{
  static int state = -1;

  if (state < 0)
    state = unshare (CLONE_NEWNS) == 0 && mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
  return state;
}

static void
test_path_is_clean_relative (void **state)
{
  static const char *const good[] = { "a", "a/b", "./a", "a/", "././a/b", "a.b/..c/...", ".a" };
  static const char *const bad[]
      = { "", "/a", "..", "a/../b", "a//b", "./", ".", "a/.", "a/..", "../a", "./../a", ".//a" };
  size_t i;

  for (i = 0; i < sizeof (good) / sizeof (good[0]); i++)
    if (! ferry_path_is_clean_relative (good[i]))
      fail_msg ("`%s` should be clean", good[i]);
  for (i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    if (ferry_path_is_clean_relative (bad[i]))
      fail_msg ("`%s` should be refused", bad[i]);
}

static void
check_normalized (const char *in, const char *expected)
{
  cleanup_free char *out = ferry_path_normalize_entry (in);

  if (strcmp (out, expected) != 0)
    fail_msg ("normalize(`%s`) = `%s`, expected `%s`", in, out, expected);
}

static void
test_path_normalize_entry (void **state)
{
  check_normalized ("a", "a");
  check_normalized ("./a", "a");
  check_normalized ("././a/b", "a/b");
  check_normalized ("a/", "a");
  check_normalized ("a/b///", "a/b");
  check_normalized ("./dir/", "dir");
  check_normalized ("/", "/");
  /* Never turns an unsafe path into a safe one.  */
  check_normalized ("//etc/passwd", "/etc/passwd");
  check_normalized ("/etc", "/etc");
  check_normalized ("../a", "../a");
  check_normalized ("./../a", "../a");
  check_normalized ("a/../b", "a/../b");
}

static void
test_digest_is_valid (void **state)
{
  cleanup_free char *upper = xstrdup (ABC_SHA256);
  cleanup_free char *long_one = xasprintf ("%s0", ABC_SHA256);
  char *p;

  assert_true (ferry_digest_is_valid (ABC_SHA256));
  assert_true (ferry_digest_is_valid (EMPTY_SHA256));
  assert_string_equal (ferry_digest_hex (ABC_SHA256), ABC_SHA256 + 7);

  for (p = upper + 7; *p; p++)
    if (*p >= 'a' && *p <= 'f')
      *p = *p - 'a' + 'A';
  assert_false (ferry_digest_is_valid (upper));
  assert_false (ferry_digest_is_valid ("sha256:ba7816bf"));
  assert_false (ferry_digest_is_valid (long_one));
  assert_false (
      ferry_digest_is_valid ("sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  assert_false (ferry_digest_is_valid ("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  assert_false (
      ferry_digest_is_valid ("sha256:ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  assert_false (ferry_digest_is_valid (""));
  assert_false (ferry_digest_is_valid (NULL));
}

static void
test_json_string_value (void **state)
{
  static const char text[] = "{\"s\": \"abc\", \"nul\": \"a\\u0000b\", \"n\": 5, \"a\": [], \"z\": null}";
  cleanup_error ferry_error_t err = NULL;
  cleanup_json json_object *o = ferry_json_parse (text, strlen (text), "test", &err);
  json_object *v;

  (void) state;
  assert_non_null (o);
  assert_string_equal (ferry_json_string_value (json_object_object_get (o, "s")), "abc");
  /* C would see "a": less than the JSON says.  */
  assert_null (ferry_json_string_value (json_object_object_get (o, "nul")));
  assert_null (ferry_json_string_value (json_object_object_get (o, "n")));
  assert_null (ferry_json_string_value (NULL));

  assert_string_equal (ferry_json_type_name (json_object_object_get (o, "n")), "int");
  assert_string_equal (ferry_json_type_name (json_object_object_get (o, "a")), "array");
  assert_true (json_object_object_get_ex (o, "z", &v));
  assert_string_equal (ferry_json_type_name (v), "null");
}

/* A document that is a bare null or number: refused with words that say
 * so (json-c alone said "success" and "unexpected end"); the nullable
 * reader gives null as no value, as Go's decoder does.  */
static void
test_json_bare_scalars (void **state)
{
  static const char *const numbers[] = { "5", "5\n", " -1.5e3 ", "0" };
  json_object *o = NULL;

  (void) state;
  for (size_t i = 0; i < sizeof (numbers) / sizeof (numbers[0]); i++)
    {
      cleanup_error ferry_error_t err = NULL;

      assert_null (ferry_json_parse (numbers[i], strlen (numbers[i]), "doc", &err));
      assert_string_equal (err->msg, "doc is a bare JSON number, not the object or list it should be");
    }
  {
    cleanup_error ferry_error_t err = NULL;

    assert_null (ferry_json_parse ("null", 4, "doc", &err));
    assert_string_equal (err->msg, "doc is a bare JSON null, not the object or list it should be");
    ferry_error_release (&err);
    assert_null (ferry_json_parse (" null\n", 6, "doc", &err));
    assert_non_null (err);
    ferry_error_release (&err);
    assert_int_equal (ferry_json_parse_nullable (" null\n", 6, "doc", &o, &err), 0);
    assert_null (o);
    assert_int_equal (ferry_json_parse_nullable ("12.5", 4, "doc", &o, &err), 0);
    assert_true (json_object_get_double (o) == 12.5);
    json_object_put (o);
    assert_int_equal (ferry_json_parse_nullable ("true", 4, "doc", &o, &err), 0);
    assert_true (json_object_get_boolean (o));
    json_object_put (o);
    assert_int_equal (ferry_json_parse_nullable ("{}", 2, "doc", &o, &err), 0);
    assert_true (json_object_is_type (o, json_type_object));
    json_object_put (o);
    /* Not numbers: json-c's words for them.  */
    assert_null (ferry_json_parse ("01", 2, "doc", &err));
    assert_null (strstr (err->msg, "bare"));
    ferry_error_release (&err);
    assert_null (ferry_json_parse ("", 0, "doc", &err));
    assert_string_equal (err->msg, "doc is not valid JSON: unexpected end");
  }
  assert_int_equal (ferry_json_bare_scalar ("1.", 2), 0);
  assert_int_equal (ferry_json_bare_scalar ("-", 1), 0);
  assert_int_equal (ferry_json_bare_scalar ("1e+", 3), 0);
  assert_int_equal (ferry_json_bare_scalar ("nul", 3), 0);
  assert_int_equal (ferry_json_bare_scalar ("1E-2", 4), '0');
}

/* What Podman prints: Go's json.MarshalIndent, empty objects and arrays
 * on one line, slashes left alone.  */
static void
test_json_to_indented (void **state)
{
  const char *text = "{\"a\":{},\"b\":[],\"c\":[1,{\"d\":\"x/y\"}],\"e\":null,\"f\":true}";
  ferry_error_t err = NULL;
  cleanup_json json_object *o = ferry_json_parse (text, strlen (text), "test", &err);
  cleanup_free char *two = NULL, *five = NULL;

  (void) state;
  assert_non_null (o);
  two = ferry_json_to_indented (o, 2);
  assert_string_equal (
      two, "{\n  \"a\": {},\n  \"b\": [],\n  \"c\": [\n    1,\n    {\n      \"d\": \"x/y\"\n    }\n  ],\n"
           "  \"e\": null,\n  \"f\": true\n}");
  five = ferry_json_to_indented (json_object_object_get (o, "b"), 5);
  assert_string_equal (five, "[]");
}

/* What Podman's ps, volume ls and info print: an empty object over three
 * lines, <, > and & escaped in values and keys, nothing else escaped.  */
static void
test_json_to_podman_list (void **state)
{
  const char *text = "[{\"a\":{},\"b\":[],\"c<\":\"x > y && z/w\"}]";
  ferry_error_t err = NULL;
  cleanup_json json_object *o = ferry_json_parse (text, strlen (text), "test", &err);
  cleanup_free char *list = NULL;

  (void) state;
  assert_non_null (o);
  list = ferry_json_to_podman_list (o);
  assert_string_equal (list, "[\n  {\n    \"a\": {\n      \n    },\n    \"b\": [],\n"
                             "    \"c\\u003c\": \"x \\u003e y \\u0026\\u0026 z/w\"\n  }\n]");
}

static void
test_sha256_buffer (void **state)
{
  char digest[FERRY_DIGEST_LEN + 1];
  ferry_sha256_t *h;

  ferry_sha256_buffer ("abc", 3, digest);
  assert_string_equal (digest, ABC_SHA256);
  ferry_sha256_buffer ("", 0, digest);
  assert_string_equal (digest, EMPTY_SHA256);

  /* Feeding the data in pieces gives the same digest.  */
  h = ferry_sha256_new ();
  ferry_sha256_update (h, "a", 1);
  ferry_sha256_update (h, "", 0);
  ferry_sha256_update (h, "bc", 2);
  ferry_sha256_finish (h, digest);
  assert_string_equal (digest, ABC_SHA256);
}

static void
test_sha256_file (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = xasprintf ("%s/abc", f->dir);
  cleanup_free char *big = xasprintf ("%s/big", f->dir);
  cleanup_free char *missing = xasprintf ("%s/missing", f->dir);
  cleanup_free char *data = xmalloc (200000);
  cleanup_error ferry_error_t err = NULL;
  char digest[FERRY_DIGEST_LEN + 1], expected[FERRY_DIGEST_LEN + 1];
  size_t i;

  write_file (path, "abc");
  assert_int_equal (ferry_sha256_file (path, digest, &err), 0);
  assert_string_equal (digest, ABC_SHA256);

  /* Larger than the read buffer.  */
  for (i = 0; i < 200000; i++)
    data[i] = (char) (i * 7 + i / 251);
  assert_int_equal (ferry_write_file_atomic (big, data, 200000, 0644, &err), 0);
  ferry_sha256_buffer (data, 200000, expected);
  assert_int_equal (ferry_sha256_file (big, digest, &err), 0);
  assert_string_equal (digest, expected);

  assert_int_equal (ferry_sha256_file (missing, digest, &err), -1 - ENOENT);
  assert_int_equal (err->status, ENOENT);
  assert_non_null (strstr (err->msg, missing));
}

static void
test_write_file_atomic (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = xasprintf ("%s/config.json", f->dir);
  cleanup_free char *tmp = xasprintf ("%s/config.json.tmp", f->dir);
  cleanup_free char *content = NULL;
  cleanup_error ferry_error_t err = NULL;
  mode_t old_umask = umask (022);
  struct stat st;
  size_t len;

  assert_int_equal (ferry_write_file_atomic (path, "{\"a\": 1}", 8, 0600, &err), 0);
  assert_int_equal (ferry_read_file (path, &content, &len, &err), 0);
  assert_int_equal (len, 8);
  assert_string_equal (content, "{\"a\": 1}");
  assert_int_equal (stat (path, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0600);
  assert_false (ferry_path_exists (tmp));
  free (steal_pointer (&content));

  /* Replacing keeps no trace of the old content.  */
  assert_int_equal (ferry_write_file_atomic (path, "x", 1, 0640, &err), 0);
  assert_int_equal (ferry_read_file (path, &content, &len, &err), 0);
  assert_string_equal (content, "x");
  assert_int_equal (stat (path, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0640);
  assert_false (ferry_path_exists (tmp));
  free (steal_pointer (&content));

  /* A symlink planted where the old fixed temporary name was is never
   * written through.  */
  {
    cleanup_free char *victim = xasprintf ("%s/victim", f->dir);
    cleanup_free char *victim_text = NULL;
    size_t victim_len;

    assert_int_equal (ferry_write_file_atomic (victim, "safe", 4, 0600, &err), 0);
    assert_int_equal (symlink (victim, tmp), 0);
    assert_int_equal (ferry_write_file_atomic (path, "secret", 6, 0600, &err), 0);
    assert_int_equal (ferry_read_file (victim, &victim_text, &victim_len, &err), 0);
    assert_string_equal (victim_text, "safe");
    assert_int_equal (unlink (tmp), 0);
  }

  /* An empty file is a file.  */
  assert_int_equal (ferry_write_file_atomic (path, "", 0, 0600, &err), 0);
  assert_int_equal (ferry_read_file (path, &content, &len, &err), 0);
  assert_int_equal (len, 0);

  /* A missing directory is an error that names the file.  */
  free (steal_pointer (&path));
  path = xasprintf ("%s/no/such/dir/file", f->dir);
  assert_int_equal (ferry_write_file_atomic (path, "x", 1, 0600, &err), -1 - ENOENT);
  assert_non_null (strstr (err->msg, "no/such/dir/file"));
  umask (old_umask);
}

/* A dead child's PID and start time: a writer that was killed.  */
static void
dead_writer (pid_t *pid, unsigned long long *start)
{
  struct ferry_process_info info;
  int fds[2], status;
  char c;

  assert_int_equal (pipe (fds), 0);
  *pid = fork ();
  assert_true (*pid >= 0);
  if (*pid == 0)
    {
      close (fds[1]);
      if (read (fds[0], &c, 1) < 0)
        _exit (1);
      _exit (0);
    }
  close (fds[0]);
  assert_int_equal (ferry_process_info (*pid, &info), 0);
  *start = info.start_time;
  close (fds[1]);
  assert_int_equal (waitpid (*pid, &status, 0), *pid);
}

static void
test_write_file_atomic_removes_orphans (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *path = xasprintf ("%s/n.json", f->dir);
  cleanup_error ferry_error_t err = NULL;
  unsigned long long start;
  pid_t pid;
  char *orphan, *orphan6, *alive, *legacy, *other, *odd;

  dead_writer (&pid, &start);
  orphan = xasprintf ("%s.tmp-%d-%llu-0123456789ab", path, (int) pid, start);
  orphan6 = xasprintf ("%s.tmp-%d-%llu-aZ09xy", path, (int) pid, start);
  /* This process writes right now: its names stay.  */
  alive = xasprintf ("%s.tmp-%d-%llu-0123456789ab", path, (int) getpid (), ferry_process_self_start_time ());
  /* Names whose writer cannot be told, or another file's: not this
   * write's to remove.  */
  legacy = xasprintf ("%s.tmp-0123456789ab", path);
  other = xasprintf ("%s/m.json.tmp-%d-%llu-0123456789ab", f->dir, (int) pid, start);
  odd = xasprintf ("%s.tmp-0%d-%llu-0123456789ab", path, (int) pid, start);
  write_file (path, "old");
  write_file (orphan, "half");
  write_file (orphan6, "half");
  write_file (alive, "mine");
  write_file (legacy, "?");
  write_file (other, "?");
  write_file (odd, "?");

  assert_int_equal (ferry_write_file_atomic (path, "new", 3, 0600, &err), 0);
  assert_false (ferry_path_exists (orphan));
  assert_false (ferry_path_exists (orphan6));
  assert_true (ferry_path_exists (alive));
  assert_true (ferry_path_exists (legacy));
  assert_true (ferry_path_exists (other));
  assert_true (ferry_path_exists (odd));

  /* Under the writers' lock, every temporary name of the file goes.  */
  ferry_remove_stale_temporaries (path);
  assert_false (ferry_path_exists (legacy));
  assert_true (ferry_path_exists (other));
  free (orphan);
  free (orphan6);
  free (alive);
  free (legacy);
  free (other);
  free (odd);
}

static void
test_rm_rf_tree (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *tree = xasprintf ("%s/tree", f->dir);
  cleanup_free char *outside = xasprintf ("%s/outside", f->dir);
  cleanup_free char *outside_file = xasprintf ("%s/outside/keep", f->dir);
  cleanup_free char *deep = xasprintf ("%s/tree/a/b/c/d", f->dir);
  cleanup_free char *p = NULL;
  cleanup_error ferry_error_t err = NULL;

  make_dir (deep);
  make_dir (outside);
  write_file (outside_file, "precious");
  p = xasprintf ("%s/tree/a/b/file", f->dir);
  write_file (p, "x");
  free (p);
  p = xasprintf ("%s/tree/a/b/c/d/file", f->dir);
  write_file (p, "y");
  free (p);
  /* Links that lead outside: to the directory and to the file.  */
  p = xasprintf ("%s/tree/a/link-dir", f->dir);
  assert_int_equal (symlink (outside, p), 0);
  free (p);
  p = xasprintf ("%s/tree/a/b/c/link-file", f->dir);
  assert_int_equal (symlink (outside_file, p), 0);
  free (p);
  p = xasprintf ("%s/tree/a/fifo", f->dir);
  assert_int_equal (mkfifo (p, 0600), 0);
  free (steal_pointer (&p));

  assert_int_equal (ferry_rm_rf (tree, &err), 0);
  assert_false (ferry_path_exists (tree));
  assert_true (ferry_path_exists (outside_file));

  /* A missing path is not an error; a file is removed.  */
  assert_int_equal (ferry_rm_rf (tree, &err), 0);
  assert_int_equal (ferry_rm_rf (outside_file, &err), 0);
  assert_false (ferry_path_exists (outside_file));
  assert_true (ferry_path_exists (outside));
}

static void
test_rm_rf_symlink_to_dir (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *outside = xasprintf ("%s/outside", f->dir);
  cleanup_free char *outside_file = xasprintf ("%s/outside/keep", f->dir);
  cleanup_free char *link = xasprintf ("%s/link", f->dir);
  cleanup_error ferry_error_t err = NULL;

  make_dir (outside);
  write_file (outside_file, "precious");
  assert_int_equal (symlink (outside, link), 0);

  /* Removing the link itself removes the link, not what it points to.  */
  assert_int_equal (ferry_rm_rf (link, &err), 0);
  assert_false (ferry_path_exists (link));
  assert_true (ferry_path_exists (outside_file));
}

static void
check_refuses_mount (struct fixture *f, const char *tree, const char *mnt, const char *inside_file)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *content = NULL;

  assert_true (ferry_rm_rf (tree, &err) < 0);
  assert_non_null (err);
  assert_int_equal (err->status, EBUSY);
  assert_non_null (strstr (err->msg, "mount point"));
  assert_non_null (strstr (err->msg, mnt));
  ferry_error_release (&err);

  /* What is inside the mount was not touched.  */
  assert_int_equal (ferry_read_file (inside_file, &content, NULL, &err), 0);
  assert_string_equal (content, "precious");

  /* After unmounting, the tree goes.  */
  assert_int_equal (umount2 (f->mount, MNT_DETACH), 0);
  free (steal_pointer (&f->mount));
  assert_int_equal (ferry_rm_rf (tree, &err), 0);
  assert_false (ferry_path_exists (tree));
}

static void
test_rm_rf_refuses_tmpfs_mount (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *tree = xasprintf ("%s/tree", f->dir);
  cleanup_free char *mnt = xasprintf ("%s/tree/a/b/mnt", f->dir);
  cleanup_free char *inside = xasprintf ("%s/tree/a/b/mnt/keep", f->dir);
  cleanup_free char *sibling = xasprintf ("%s/tree/a/b/file", f->dir);

  if (! can_mount ())
    skip ();
  make_dir (mnt);
  write_file (sibling, "x");
  assert_int_equal (mount ("tmpfs", mnt, "tmpfs", 0, "size=1m"), 0);
  f->mount = xstrdup (mnt);
  write_file (inside, "precious");

  /* The message names the mount point itself, "a/b/mnt", not "mnt".  */
  check_refuses_mount (f, tree, "tree/a/b/mnt", inside);
}

static void
test_rm_rf_refuses_bind_mount (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *tree = xasprintf ("%s/tree", f->dir);
  cleanup_free char *mnt = xasprintf ("%s/tree/volume", f->dir);
  cleanup_free char *outside = xasprintf ("%s/outside", f->dir);
  cleanup_free char *outside_file = xasprintf ("%s/outside/keep", f->dir);

  if (! can_mount ())
    skip ();
  /* A bind mount from the same file system has the same st_dev: only the
   * mount ID tells it apart.  */
  make_dir (mnt);
  make_dir (outside);
  write_file (outside_file, "precious");
  assert_int_equal (mount (outside, mnt, NULL, MS_BIND, NULL), 0);
  f->mount = xstrdup (mnt);

  check_refuses_mount (f, tree, "tree/volume", outside_file);
}

static void
test_make_error (void **state)
{
  cleanup_error ferry_error_t err = NULL;

  assert_int_equal (ferry_make_error (&err, ENOENT, "cannot open `%s`", "/x"), -1 - ENOENT);
  assert_int_equal (err->status, ENOENT);
  assert_string_equal (err->msg, "cannot open `/x`");

  assert_int_equal (ferry_error_wrap (&err, "cannot load image `%s`", "busybox"), -1 - ENOENT);
  assert_string_equal (err->msg, "cannot load image `busybox`: cannot open `/x`");
  assert_int_equal (err->status, ENOENT);
  assert_int_equal (ferry_error_wrap (&err, "outer"), -1 - ENOENT);
  assert_string_equal (err->msg, "outer: cannot load image `busybox`: cannot open `/x`");
  ferry_error_release (&err);
  assert_null (err);
  ferry_error_release (&err); /* twice is harmless */

  /* Status 0: not a system error, still a negative return.  */
  assert_int_equal (ferry_make_error (&err, 0, "bad reference `%s`", "A:"), -1);
  assert_int_equal (err->status, 0);
  assert_string_equal (err->msg, "bad reference `A:`");
  assert_int_equal (ferry_error_wrap (&err, "cannot pull"), -1);
  assert_string_equal (err->msg, "cannot pull: bad reference `A:`");
  ferry_error_release (&err);

  /* Wrapping nothing stays nothing.  */
  assert_int_equal (ferry_error_wrap (&err, "context"), -1);
  assert_null (err);
}

/* RFC 3339 times, as archives, registries and the database hold them:
 * an offset out of range is refused, not multiplied until it overflows
 * (found by fuzz_records in an archive's Created).  */
static void
test_time_parse_offsets (void **state)
{
  struct timespec ts;

  (void) state;
  assert_int_equal (ferry_time_parse ("2026-12-07T07:02:00Z", &ts), 0);
  assert_int_equal (ts.tv_sec, 1796626920);
  assert_int_equal (ferry_time_parse ("2026-12-07T08:32:00.5+01:30", &ts), 0);
  assert_int_equal (ts.tv_sec, 1796626920);
  assert_int_equal (ts.tv_nsec, 500000000);
  assert_int_equal (ferry_time_parse ("2026-12-07T02:02:00-05:00", &ts), 0);
  assert_int_equal (ts.tv_sec, 1796626920);
  assert_int_equal (ferry_time_parse ("2026-12-07T07:02:00+98793353", &ts), -1);
  assert_int_equal (ferry_time_parse ("2026-12-07T07:02:00-25:00", &ts), -1);
  assert_int_equal (ferry_time_parse ("2026-12-07T07:02:00+01:75", &ts), -1);
}

/* --since and --until times far away: no overflow on the way to
 * nanoseconds (UBSan found the casts), Podman's answers at the edges.  */
static void
test_time_parse_user_far (void **state)
{
  struct timespec now = { 1796626920, 250000000 }, ts;

  (void) state;
  assert_int_equal (ferry_time_parse_user ("1e400", &now, 1, &ts), -1);
  assert_int_equal (ferry_time_parse_user ("-1e400", &now, 0, &ts), -1);
  assert_int_equal (ferry_time_parse_user ("1e20", &now, 1, &ts), 0);
  assert_true (ts.tv_sec == INT64_MIN && ts.tv_nsec == 0);
  assert_int_equal (ferry_timespec_ns (&ts), INT64_MIN);
  assert_int_equal (ferry_time_parse_user ("1e18", &now, 1, &ts), 0);
  assert_int_equal (ts.tv_sec, 1000000000000000000LL);
  assert_int_equal (ferry_timespec_ns (&ts), INT64_MAX);
  assert_int_equal (ferry_time_parse_user ("-1.25", &now, 1, &ts), 0);
  assert_true (ts.tv_sec == -2 && ts.tv_nsec == 750000000);
  assert_int_equal (ferry_timespec_ns (&ts), -1250000000LL);
  /* Durations of centuries either way stop at int64 nanoseconds.  */
  assert_int_equal (ferry_time_parse_user ("2562047h", &now, 0, &ts), 0);
  assert_int_equal (ferry_timespec_ns (&ts), INT64_MAX);
  assert_int_equal (ferry_time_parse_user ("-2562047h47m16.854775808s", &now, 1, &ts), 0);
  assert_int_equal (ferry_timespec_ns (&ts), INT64_MAX);
  assert_int_equal (ferry_time_parse_user ("2562047h", &now, 1, &ts), 0);
  assert_true (ts.tv_sec < 0 && ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
  assert_int_equal (ferry_time_parse_user ("1s", &now, 1, &ts), 0);
  assert_true (ts.tv_sec == 1796626919 && ts.tv_nsec == 250000000);
}

/* containers.conf's sizes, in powers of 1000 as Podman reads them.  */
static void
test_parse_size_decimal (void **state)
{
  static const struct
  {
    const char *text;
    int64_t bytes;
  } good[] = { { "65536k", 65536000 }, { "2m", 2000000 }, { "1.5gb", 1500000000 },   { "64 MiB", 64000000 },
               { "1000", 1000 },       { "3K", 3000 },    { "1t", 1000000000000LL }, { "7b", 7 } };
  static const char *const bad[]
      = { "", "k", "-1m", "2x", "1e3", "0x10", "1.", ".5m", "2mm", "1 m b", "9999999p" };
  int64_t v;

  for (size_t i = 0; i < sizeof (good) / sizeof (good[0]); i++)
    {
      v = -1;
      assert_int_equal (ferry_parse_size_decimal (good[i].text, &v), 0);
      assert_int_equal (v, good[i].bytes);
    }
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    assert_int_equal (ferry_parse_size_decimal (bad[i], &v), -1);
}

static void
test_mkdir_p_and_read_file (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *deep = xasprintf ("%s/x/y/z", f->dir);
  cleanup_free char *file = xasprintf ("%s/x/file", f->dir);
  cleanup_free char *below_file = xasprintf ("%s/x/file/sub", f->dir);
  cleanup_free char *content = NULL;
  cleanup_free char *tmpdir = NULL;
  cleanup_error ferry_error_t err = NULL;
  struct stat st;
  size_t len;

  assert_int_equal (ferry_mkdir_p (deep, 0700, &err), 0);
  assert_int_equal (ferry_mkdir_p (deep, 0700, &err), 0);
  assert_int_equal (stat (deep, &st), 0);
  assert_true (S_ISDIR (st.st_mode));

  write_file (file, "hello\n");
  assert_int_equal (ferry_read_file (file, &content, &len, &err), 0);
  assert_int_equal (len, 6);
  assert_string_equal (content, "hello\n");

  /* A FIFO with no writer reads as empty instead of hanging in open().  */
  {
    cleanup_free char *fifo = xasprintf ("%s/x/fifo", f->dir);
    cleanup_free char *fifo_text = NULL;

    assert_int_equal (mkfifo (fifo, 0600), 0);
    assert_int_equal (ferry_read_file_max (fifo, 1024, &fifo_text, &len, &err), 0);
    assert_int_equal (len, 0);
  }

  /* An open descriptor: read whole up to MAX, refused past it.  */
  {
    cleanup_free char *big = xasprintf ("%s/x/big", f->dir);
    cleanup_free char *text = NULL;
    char block[10000];
    int fd;

    memset (block, 'a', sizeof (block));
    fd = open (big, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true (fd >= 0);
    assert_int_equal (write (fd, block, sizeof (block)), (ssize_t) sizeof (block));
    close (fd);
    fd = open (big, O_RDONLY);
    assert_int_equal (ferry_read_fd_max (fd, "big", sizeof (block), &text, &len, &err), 0);
    assert_int_equal (len, sizeof (block));
    assert_int_equal (text[len], '\0');
    free (text);
    text = NULL;
    assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
    assert_true (ferry_read_fd_max (fd, "big", 100, &text, &len, &err) < 0);
    assert_int_equal (err->status, EFBIG);
    assert_non_null (strstr (err->msg, "big"));
    assert_null (text);
    ferry_error_release (&err);
    close (fd);
  }

  assert_true (ferry_mkdir_p (below_file, 0700, &err) < 0);
  assert_int_equal (err->status, ENOTDIR);
  assert_non_null (strstr (err->msg, "x/file/sub"));
  ferry_error_release (&err);

  tmpdir = ferry_mkdtemp_in (f->dir, "work-", &err);
  assert_non_null (tmpdir);
  assert_int_equal (strncmp (tmpdir, f->dir, strlen (f->dir)), 0);
  assert_non_null (strstr (tmpdir, "/work-"));
  assert_int_equal (stat (tmpdir, &st), 0);
  assert_true (S_ISDIR (st.st_mode));
}

struct jobs
{
  int done[64];
  int fail_at; /* -1: none fails */
};

static int
run_job (size_t i, void *arg)
{
  struct jobs *j = arg;

  __atomic_add_fetch (&j->done[i], 1, __ATOMIC_SEQ_CST);
  return (int) i == j->fail_at ? -1 : 0;
}

static void
test_parallel_for (void **state)
{
  struct jobs j = { .fail_at = -1 };
  size_t i, ran = 0;

  (void) state;
  /* Every job runs exactly once, whatever the number of threads.  */
  assert_int_equal (ferry_parallel_for (64, 4, run_job, &j), 0);
  for (i = 0; i < 64; i++)
    assert_int_equal (j.done[i], 1);
  memset (&j, 0, sizeof (j));
  j.fail_at = -1;
  assert_int_equal (ferry_parallel_for (64, 0, run_job, &j), 0); /* no thread: the caller's */
  for (i = 0; i < 64; i++)
    assert_int_equal (j.done[i], 1);
  assert_int_equal (ferry_parallel_for (0, 4, run_job, &j), 0);

  /* A failure is reported, and on one thread nothing after it is started.  */
  memset (&j, 0, sizeof (j));
  j.fail_at = 5;
  assert_int_equal (ferry_parallel_for (64, 1, run_job, &j), -1);
  for (i = 0; i < 64; i++)
    ran += j.done[i];
  assert_int_equal (ran, 6);
}

/* Go's time.ParseDuration and Duration.String, as Podman's health flags
 * take and print them.  */
static void
test_duration (void **state)
{
  static const struct
  {
    const char *in;
    int64_t ns;
    const char *shown;
  } ok[] = {
    { "30s", 30000000000LL, "30s" },
    { "1m30s", 90000000000LL, "1m30s" },
    { "1h", 3600000000000LL, "1h0m0s" },
    { "1.5s", 1500000000LL, "1.5s" },
    { "1500ms", 1500000000LL, "1.5s" },
    { "500ms", 500000000LL, "500ms" },
    { "0.5ms", 500000LL, "500µs" },
    { "7ns", 7LL, "7ns" },
    { "0", 0, "0s" },
    { "-1s", -1000000000LL, "-1s" },
    { "1h0m0.5s", 3600500000000LL, "1h0m0.5s" },
    { "2562047h", 2562047LL * 3600000000000LL, "2562047h0m0s" },
  };
  static const char *const bad[] = { "", "bogus", "1", "s", "1x", "1s2", "-", "3000000h", ".s", NULL };
  int64_t ns;

  (void) state;
  for (size_t i = 0; i < sizeof (ok) / sizeof (ok[0]); i++)
    {
      cleanup_free char *shown = NULL;
      assert_int_equal (ferry_duration_parse (ok[i].in, &ns), 0);
      assert_true (ns == ok[i].ns);
      shown = ferry_duration_format (ns);
      assert_string_equal (shown, ok[i].shown);
    }
  for (size_t i = 0; bad[i]; i++)
    assert_int_equal (ferry_duration_parse (bad[i], &ns), -1);
}

/* Go's time.ParseDuration errors, word for word, for what
 * ferry_duration_parse refuses.  */
static void
test_duration_error (void **state)
{
  static const struct
  {
    const char *in, *msg;
  } cases[] = {
    { "", "time: invalid duration \"\"" },
    { "bogus", "time: invalid duration \"bogus\"" },
    { "-", "time: invalid duration \"-\"" },
    { ".s", "time: invalid duration \".s\"" },
    { "1", "time: missing unit in duration \"1\"" },
    { "1s2", "time: missing unit in duration \"1s2\"" },
    { "1.5.5", "time: missing unit in duration \"1.5.5\"" },
    { "-1x", "time: unknown unit \"x\" in duration \"-1x\"" },
    { "1hh", "time: unknown unit \"hh\" in duration \"1hh\"" },
    { "5m3x", "time: unknown unit \"x\" in duration \"5m3x\"" },
  };

  (void) state;
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    {
      cleanup_free char *msg = ferry_duration_error (cases[i].in);
      assert_string_equal (msg, cases[i].msg);
    }
}

/* Signal names as Podman's kill takes them.  */
static void
test_signal_parse (void **state)
{
  static const struct
  {
    const char *in;
    int sig;
  } cases[] = {
    { "TERM", SIGTERM },
    { "sigkill", SIGKILL },
    { "9", 9 },
    { "64", 64 },
    { "65", -1 },
    { "0", -1 },
    { "RTMIN", 34 },
    { "rtmin+1", 35 },
    { "SIGRTMIN+15", 49 },
    { "RTMIN+16", -1 },
    { "RTMIN+0", -1 },
    { "RTMAX-14", 50 },
    { "RTMAX-1", 63 },
    { "RTMAX", 64 },
    { "RTMAX-15", -1 },
    { "RTMAX-", -1 },
    { "IOT", SIGABRT },
    { "CLD", SIGCHLD },
    { "POLL", SIGIO },
    { "STKFLT", SIGSTKFLT },
    { "BOGUS", -1 },
    { "", -1 },
  };

  (void) state;
  for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
    assert_int_equal (ferry_signal_parse (cases[i].in), cases[i].sig);
  /* The first name of a signal with several.  */
  assert_string_equal (ferry_signal_name (SIGABRT), "ABRT");
  assert_string_equal (ferry_signal_name (SIGCHLD), "CHLD");
  assert_string_equal (ferry_signal_name (SIGIO), "IO");
}

/* chown -hR: the tree is given away, a symlink's target outside it is
 * not; a missing path is an error naming it.  */
static void
test_chown_tree (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *tree = xasprintf ("%s/tree", f->dir);
  cleanup_free char *sub = xasprintf ("%s/tree/sub", f->dir);
  cleanup_free char *file = xasprintf ("%s/tree/sub/file", f->dir);
  cleanup_free char *outside = xasprintf ("%s/outside", f->dir);
  cleanup_free char *link = xasprintf ("%s/tree/link", f->dir);
  cleanup_free char *missing = xasprintf ("%s/missing", f->dir);
  cleanup_error ferry_error_t err = NULL;
  struct stat st;

  assert_int_equal (ferry_mkdir_p (sub, 0755, &err), 0);
  assert_int_equal (ferry_write_file_atomic (file, "x", 1, 0644, &err), 0);
  assert_int_equal (ferry_write_file_atomic (outside, "y", 1, 0644, &err), 0);
  assert_int_equal (symlink (outside, link), 0);
  assert_int_equal (ferry_chown_tree (tree, 1234, 4321, &err), 0);
  assert_int_equal (lstat (tree, &st), 0);
  assert_int_equal (st.st_uid, 1234);
  assert_int_equal (st.st_gid, 4321);
  assert_int_equal (lstat (file, &st), 0);
  assert_int_equal (st.st_uid, 1234);
  assert_int_equal (lstat (link, &st), 0);
  assert_int_equal (st.st_uid, 1234);
  assert_int_equal (stat (outside, &st), 0);
  assert_int_equal (st.st_uid, 0);
  assert_true (ferry_chown_tree (missing, 1, 1, &err) < 0);
  assert_non_null (strstr (err->msg, missing));
}

/* The string vectors every module grows: a copy or the string itself
 * appended, NULL-terminated at each step; an empty one may be NULL.  */
static void
test_strv (void **state)
{
  cleanup_strv char **v = NULL;
  char *own = xstrdup ("c");
  char name[] = "b";
  size_t n = 0;

  (void) state;
  assert_int_equal (ferry_strv_length (NULL), 0);
  assert_false (ferry_strv_contains (NULL, "a"));
  ferry_strv_add (&v, "a");
  n = ferry_strv_length (v);
  assert_int_equal (n, 1);
  ferry_strv_append (&v, &n, name);
  name[0] = 'x';
  ferry_strv_push (&v, &n, own);
  assert_int_equal (n, 3);
  assert_int_equal (ferry_strv_length (v), 3);
  assert_string_equal (v[0], "a");
  assert_string_equal (v[1], "b");
  assert_ptr_equal (v[2], own);
  assert_null (v[3]);
  assert_true (ferry_strv_contains (v, "b"));
  assert_false (ferry_strv_contains (v, "x"));
}

struct walk_seen
{
  pid_t child;
  int child_seen, self_seen, init_seen;
};

static int
note_walked (pid_t pid, const struct ferry_process_info *info, void *data)
{
  struct walk_seen *w = data;

  (void) info;
  w->child_seen += pid == w->child;
  w->self_seen += pid == getpid ();
  w->init_seen += pid == 1;
  return pid == w->child;
}

/* The /proc walker passes over ferry itself, init and the dead, and the
 * process-group killer and counter built on it find a group's named
 * members only.  */
static void
test_process_walk_and_group (void **state)
{
  static const char *const mine[] = { "test_util", NULL };
  static const char *const other[] = { "conmon", "runc", NULL };
  struct walk_seen w = { 0 };
  int fds[2], status;
  char c;

  (void) state;
  assert_int_equal (pipe (fds), 0);
  w.child = fork ();
  assert_true (w.child >= 0);
  if (w.child == 0)
    {
      close (fds[0]);
      /* Gone with the test, should an assertion end it first.  */
      if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || setpgid (0, 0) < 0 || write (fds[1], "r", 1) != 1)
        _exit (1);
      for (;;)
        pause ();
    }
  close (fds[1]);
  assert_int_equal (read (fds[0], &c, 1), 1);
  close (fds[0]);

  assert_int_equal (ferry_process_each (note_walked, &w), 1);
  assert_int_equal (w.child_seen, 1);
  assert_int_equal (w.self_seen, 0);
  assert_int_equal (w.init_seen, 0);
  assert_int_equal (ferry_process_group_count (w.child, mine), 1);
  assert_int_equal (ferry_process_group_count (w.child, other), 0);
  assert_int_equal (ferry_process_group_count (getpgrp (), mine), 0);
  assert_int_equal (ferry_process_group_kill (w.child, other, 1000), 0);

  /* Killed and not reaped yet: a zombie, which neither counts.  */
  assert_int_equal (ferry_process_group_kill (w.child, mine, 10000), 1);
  assert_int_equal (ferry_process_group_count (w.child, mine), 0);
  w.child_seen = w.self_seen = w.init_seen = 0;
  assert_int_equal (ferry_process_each (note_walked, &w), 0);
  assert_int_equal (waitpid (w.child, &status, 0), w.child);
  assert_true (WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_path_is_clean_relative),
    cmocka_unit_test (test_path_normalize_entry),
    cmocka_unit_test (test_digest_is_valid),
    cmocka_unit_test (test_strv),
    cmocka_unit_test (test_json_string_value),
    cmocka_unit_test (test_json_to_indented),
    cmocka_unit_test (test_json_to_podman_list),
    cmocka_unit_test (test_json_bare_scalars),
    cmocka_unit_test (test_sha256_buffer),
    cmocka_unit_test_setup_teardown (test_sha256_file, setup, teardown),
    cmocka_unit_test_setup_teardown (test_write_file_atomic, setup, teardown),
    cmocka_unit_test_setup_teardown (test_write_file_atomic_removes_orphans, setup, teardown),
    cmocka_unit_test_setup_teardown (test_rm_rf_tree, setup, teardown),
    cmocka_unit_test_setup_teardown (test_rm_rf_symlink_to_dir, setup, teardown),
    cmocka_unit_test_setup_teardown (test_rm_rf_refuses_tmpfs_mount, setup, teardown),
    cmocka_unit_test_setup_teardown (test_rm_rf_refuses_bind_mount, setup, teardown),
    cmocka_unit_test (test_make_error),
    cmocka_unit_test (test_parallel_for),
    cmocka_unit_test (test_duration),
    cmocka_unit_test (test_duration_error),
    cmocka_unit_test (test_signal_parse),
    cmocka_unit_test (test_parse_size_decimal),
    cmocka_unit_test (test_time_parse_offsets),
    cmocka_unit_test (test_time_parse_user_far),
    cmocka_unit_test_setup_teardown (test_mkdir_p_and_read_file, setup, teardown),
    cmocka_unit_test_setup_teardown (test_chown_tree, setup, teardown),
    cmocka_unit_test (test_process_walk_and_group),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
