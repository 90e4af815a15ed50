/* Unit tests for archive/: the checkpoint archive writer and its verifying
 * reader (round trips through none, gzip and zstd that GNU tar can list,
 * and refusal of corrupt, lying, truncated, unsafe, foreign or unexpected
 * archives without writing outside the target), and CRIU's stats files.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "archive/archive.h"
#include "archive/criu_stats.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/xalloc.h"

#define BIG_SIZE (20 * 1024 * 1024)
#define CORE_MARKER "CORE-MARKER-ferry-archive-test-0123456789"

/* ---- helpers ----------------------------------------------------------- */

static void
assert_error_contains (ferry_error_t err, const char *needle)
{
  assert_non_null (err);
  if (strstr (err->msg, needle) == NULL)
    fail_msg ("error `%s` does not contain `%s`", err->msg, needle);
}

/* Deterministic, incompressible bytes.  */
static unsigned char *
random_bytes (size_t len, uint64_t seed)
{
  unsigned char *b = xmalloc (len);
  uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  size_t i;

  for (i = 0; i < len; i++)
    {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      b[i] = (unsigned char) (x >> 24);
    }
  return b;
}

static void
write_bytes (const char *path, const void *data, size_t len)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  assert_true (fd >= 0);
  assert_int_equal (ferry_write_all (fd, data, len), 0);
}

static void
write_text (const char *path, const char *text)
{
  write_bytes (path, text, strlen (text));
}

static char *
read_whole (const char *path, size_t *len)
{
  cleanup_error ferry_error_t err = NULL;
  char *data = NULL;
  size_t n = 0;

  if (ferry_read_file (path, &data, &n, &err) < 0)
    fail_msg ("cannot read %s: %s", path, err->msg);
  if (len)
    *len = n;
  return data;
}

static void
assert_same_file (const char *a, const char *b)
{
  size_t la = 0, lb = 0;
  cleanup_free char *da = read_whole (a, &la);
  cleanup_free char *db = read_whole (b, &lb);

  assert_int_equal (la, lb);
  assert_memory_equal (da, db, la);
}

static size_t
count_dir_entries (const char *path)
{
  cleanup_dir DIR *d = opendir (path);
  struct dirent *de;
  size_t n = 0;

  assert_non_null (d);
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      n++;
  return n;
}

static void
run_shell (const char *cmd)
{
  int r = system (cmd);

  if (r != 0)
    fail_msg ("`%s` failed with status %d", cmd, r);
}

/* ---- fixture ----------------------------------------------------------- */

struct fixture
{
  char *top;     /* /tmp/ferry-archive-XXXXXX: the "outside" of every extraction */
  char *src;     /* top/src: files to archive */
  char *images;  /* top/src/images: a CRIU-like images directory */
  char *out;     /* top/out: the extraction target */
  char *archive; /* top/archive */
};

static int
setup (void **state)
{
  ferry_error_t err = NULL;
  struct fixture *f = xmalloc0 (sizeof (*f));

  f->top = ferry_mkdtemp_in ("/tmp", "ferry-archive-", &err);
  assert_non_null (f->top);
  f->src = xasprintf ("%s/src", f->top);
  f->images = xasprintf ("%s/images", f->src);
  f->out = xasprintf ("%s/out", f->top);
  f->archive = xasprintf ("%s/archive", f->top);
  assert_int_equal (mkdir (f->src, 0755), 0);
  assert_int_equal (mkdir (f->images, 0755), 0);
  assert_int_equal (mkdir (f->out, 0700), 0);
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
  free (f->src);
  free (f->images);
  free (f->out);
  free (f->archive);
  free (f);
  return 0;
}

static char *
in_top (struct fixture *f, const char *name)
{
  return xasprintf ("%s/%s", f->top, name);
}

/* The sources of the round trip: a spec file and an images tree with a
 * big incompressible file, an empty one and nested directories.  */
static void
make_sources (struct fixture *f)
{
  cleanup_free unsigned char *big = random_bytes (BIG_SIZE, 7);
  cleanup_free char *spec = xasprintf ("%s/spec.json", f->src);
  cleanup_free char *pages = xasprintf ("%s/pages-1.img", f->images);
  cleanup_free char *core = xasprintf ("%s/core-1.img", f->images);
  cleanup_free char *empty = xasprintf ("%s/empty.img", f->images);
  cleanup_free char *sub = xasprintf ("%s/sub", f->images);
  cleanup_free char *deeper = xasprintf ("%s/sub/deeper", f->images);
  cleanup_free char *nested = xasprintf ("%s/sub/nested.img", f->images);
  cleanup_free char *x = xasprintf ("%s/sub/deeper/x.img", f->images);

  write_text (spec, "{\"ociVersion\": \"1.0.2\"}\n");
  write_bytes (pages, big, BIG_SIZE);
  write_text (core, "core image " CORE_MARKER " and some more bytes after the marker\n");
  write_bytes (empty, "", 0);
  assert_int_equal (mkdir (sub, 0755), 0);
  assert_int_equal (mkdir (deeper, 0755), 0);
  write_text (nested, "nested\n");
  write_text (x, "deeper still\n");
}

static const char *const archive_names[] = {
  "spec.dump",
  "config.dump",
  "checkpoint/",
  "checkpoint/core-1.img",
  "checkpoint/empty.img",
  "checkpoint/pages-1.img",
  "checkpoint/sub/",
  "checkpoint/sub/deeper/",
  "checkpoint/sub/deeper/x.img",
  "checkpoint/sub/nested.img",
  "manifest.json",
  NULL,
};

#define CONFIG_DATA "{\"name\": \"ctr\"}\n"

/* Writes the round-trip archive to f->archive; returns the writer's count
 * of bytes.  */
static uint64_t
write_sample_archive (struct fixture *f, enum ferry_compression c)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *spec = xasprintf ("%s/spec.json", f->src);
  cleanup_close int fd = open (f->archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ferry_archive_writer_t *w;
  uint64_t bytes;

  assert_true (fd >= 0);
  w = ferry_archive_writer_new (fd, c, 0, &err);
  assert_non_null (w);
  if (ferry_archive_writer_add_file (w, "spec.dump", spec, &err) < 0
      || ferry_archive_writer_add_data (w, "config.dump", CONFIG_DATA, strlen (CONFIG_DATA), &err) < 0
      || ferry_archive_writer_add_dir (w, "checkpoint", f->images, &err) < 0
      || ferry_archive_writer_finish (w, &err) < 0)
    fail_msg ("writing the archive failed: %s", err->msg);
  bytes = ferry_archive_writer_bytes (w);
  ferry_archive_writer_free (w);
  return bytes;
}

static int
extract (struct fixture *f, const char *path, int (*allowed) (const char *), ferry_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  cleanup_free char *what = xasprintf ("checkpoint archive `%s`", path);

  assert_true (fd >= 0);
  return ferry_archive_extract_verified (fd, f->out, allowed, what, err);
}

static const char *
decompressor (enum ferry_compression c)
{
  return c == FERRY_COMPRESSION_ZSTD ? "zstd -dc" : c == FERRY_COMPRESSION_GZIP ? "gzip -dc" : "cat";
}

/* `tar -t` lists exactly the expected names, manifest.json last.  */
static void
check_tar_listing (struct fixture *f, enum ferry_compression c)
{
  cleanup_free char *list = in_top (f, "list");
  cleanup_free char *cmd = xasprintf ("%s '%s' | tar -tf - > '%s'", decompressor (c), f->archive, list);
  cleanup_free char *text = NULL;
  char *line, *saveptr = NULL;
  size_t i = 0;

  run_shell (cmd);
  text = read_whole (list, NULL);
  for (line = strtok_r (text, "\n", &saveptr); line; line = strtok_r (NULL, "\n", &saveptr), i++)
    {
      if (archive_names[i] == NULL)
        fail_msg ("tar lists an extra entry `%s`", line);
      assert_string_equal (line, archive_names[i]);
    }
  assert_null (archive_names[i]);
}

/* GNU tar extracts manifest.json, and it lists the right digests.  */
static void
check_manifest_with_tar (struct fixture *f, enum ferry_compression c)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *mpath = in_top (f, "manifest-from-tar.json");
  cleanup_free char *cmd
      = xasprintf ("%s '%s' | tar -xOf - manifest.json > '%s'", decompressor (c), f->archive, mpath);
  cleanup_free char *pages = xasprintf ("%s/pages-1.img", f->images);
  cleanup_json json_object *m = NULL;
  json_object *entries, *e;
  char want[FERRY_DIGEST_LEN + 1], config_digest[FERRY_DIGEST_LEN + 1];

  run_shell (cmd);
  m = ferry_json_parse_file (mpath, "manifest", &err);
  assert_non_null (m);
  assert_string_equal (ferry_json_get_string (m, "format"), "ferry-checkpoint");
  assert_int_equal (ferry_json_get_int (m, "version", -1), 1);
  entries = ferry_json_get_object (m, "entries");
  assert_non_null (entries);
  /* Files only: spec.dump, config.dump and the five images.  */
  assert_int_equal (json_object_object_length (entries), 7);
  e = ferry_json_get_object (entries, "checkpoint/pages-1.img");
  assert_non_null (e);
  assert_int_equal (ferry_sha256_file (pages, want, &err), 0);
  assert_string_equal (ferry_json_get_string (e, "sha256"), want);
  assert_int_equal (ferry_json_get_int (e, "size", -1), BIG_SIZE);
  e = ferry_json_get_object (entries, "config.dump");
  assert_non_null (e);
  ferry_sha256_buffer (CONFIG_DATA, strlen (CONFIG_DATA), config_digest);
  assert_string_equal (ferry_json_get_string (e, "sha256"), config_digest);
  e = ferry_json_get_object (entries, "checkpoint/empty.img");
  assert_non_null (e);
  assert_int_equal (ferry_json_get_int (e, "size", -1), 0);
}

static void
check_extracted (struct fixture *f)
{
  static const char *const images[]
      = { "pages-1.img", "core-1.img", "empty.img", "sub/nested.img", "sub/deeper/x.img", NULL };
  cleanup_free char *spec_src = xasprintf ("%s/spec.json", f->src);
  cleanup_free char *spec_out = xasprintf ("%s/spec.dump", f->out);
  cleanup_free char *config_out = xasprintf ("%s/config.dump", f->out);
  cleanup_free char *config = NULL;
  cleanup_free char *manifest_out = xasprintf ("%s/manifest.json", f->out);
  cleanup_free char *ckpt = xasprintf ("%s/checkpoint", f->out);
  cleanup_free char *sub = xasprintf ("%s/checkpoint/sub", f->out);
  struct stat st;
  size_t i;

  assert_same_file (spec_src, spec_out);
  config = read_whole (config_out, NULL);
  assert_string_equal (config, CONFIG_DATA);
  for (i = 0; images[i]; i++)
    {
      cleanup_free char *a = xasprintf ("%s/%s", f->images, images[i]);
      cleanup_free char *b = xasprintf ("%s/checkpoint/%s", f->out, images[i]);
      assert_same_file (a, b);
      assert_int_equal (stat (b, &st), 0);
      assert_int_equal (st.st_mode & 07777, 0600);
    }
  /* The manifest is checked, not extracted.  */
  assert_false (ferry_path_exists (manifest_out));
  assert_int_equal (count_dir_entries (f->out), 3);
  assert_int_equal (count_dir_entries (ckpt), 4);
  assert_int_equal (count_dir_entries (sub), 2);
  assert_int_equal (stat (ckpt, &st), 0);
  assert_int_equal (st.st_mode & 07777, 0700);
}

static void
check_magic (struct fixture *f, enum ferry_compression c)
{
  cleanup_close int fd = open (f->archive, O_RDONLY | O_CLOEXEC);
  unsigned char m[512];

  assert_true (fd >= 0);
  assert_int_equal (read (fd, m, sizeof (m)), sizeof (m));
  assert_int_equal (ferry_compression_from_magic (m, sizeof (m)), c);
  if (c == FERRY_COMPRESSION_NONE)
    assert_memory_equal (m + 257, "ustar", 5);
}

static void
round_trip (struct fixture *f, enum ferry_compression c)
{
  cleanup_error ferry_error_t err = NULL;
  uint64_t bytes;
  struct stat st;

  make_sources (f);
  bytes = write_sample_archive (f, c);
  assert_int_equal (stat (f->archive, &st), 0);
  assert_int_equal (bytes, (uint64_t) st.st_size);
  /* 20 MiB of random bytes do not shrink; the rest is small.  */
  assert_true (st.st_size > BIG_SIZE && st.st_size < BIG_SIZE + BIG_SIZE / 20);
  check_magic (f, c);
  check_tar_listing (f, c);
  check_manifest_with_tar (f, c);
  if (extract (f, f->archive, NULL, &err) < 0)
    fail_msg ("extract failed: %s", err->msg);
  check_extracted (f);
}

static void
test_round_trip_none (void **state)
{
  round_trip (*state, FERRY_COMPRESSION_NONE);
}

static void
test_round_trip_gzip (void **state)
{
  round_trip (*state, FERRY_COMPRESSION_GZIP);
}

static void
test_round_trip_zstd (void **state)
{
  round_trip (*state, FERRY_COMPRESSION_ZSTD);
}

/* The tar headers say 0600 / 0700, owner 0:0, and the file's own mtime.  */
static void
test_entry_metadata (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *spec = NULL;
  struct archive *ar = archive_read_new ();
  struct archive_entry *ae;
  struct timespec times[2] = { { 1500000000, 0 }, { 1500000000, 0 } };
  int seen = 0;

  make_sources (f);
  spec = xasprintf ("%s/spec.json", f->src);
  assert_int_equal (utimensat (AT_FDCWD, spec, times, 0), 0);
  assert_int_equal (chmod (spec, 0755), 0);
  write_sample_archive (f, FERRY_COMPRESSION_NONE);

  archive_read_support_format_tar (ar);
  assert_int_equal (archive_read_open_filename (ar, f->archive, 65536), ARCHIVE_OK);
  while (archive_read_next_header (ar, &ae) == ARCHIVE_OK)
    {
      const char *name = archive_entry_pathname (ae);

      seen++;
      assert_int_equal (archive_entry_uid (ae), 0);
      assert_int_equal (archive_entry_gid (ae), 0);
      if (archive_entry_filetype (ae) == AE_IFDIR)
        assert_int_equal (archive_entry_perm (ae), 0700);
      else
        {
          assert_int_equal (archive_entry_filetype (ae), AE_IFREG);
          assert_int_equal (archive_entry_perm (ae), 0600);
        }
      if (strcmp (name, "spec.dump") == 0)
        assert_int_equal (archive_entry_mtime (ae), 1500000000);
      if (strcmp (name, "config.dump") == 0)
        assert_true (llabs ((long long) archive_entry_mtime (ae) - (long long) time (NULL)) < 60);
    }
  archive_read_free (ar);
  assert_int_equal (seen, 11);
}

/* The writer never seeks and the reader reads a stream: both ends of a pipe.  */
static void
test_through_a_pipe (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *spec = NULL;
  int fds[2], status = 0, r;
  pid_t pid;

  make_sources (f);
  spec = xasprintf ("%s/spec.json", f->src);
  assert_int_equal (pipe2 (fds, O_CLOEXEC), 0);
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      ferry_error_t cerr = NULL;
      ferry_archive_writer_t *w;

      close (fds[0]);
      w = ferry_archive_writer_new (fds[1], FERRY_COMPRESSION_ZSTD, 3, &cerr);
      if (w == NULL || ferry_archive_writer_add_file (w, "spec.dump", spec, &cerr) < 0
          || ferry_archive_writer_add_dir (w, "checkpoint", f->images, &cerr) < 0
          || ferry_archive_writer_finish (w, &cerr) < 0)
        _exit (1);
      _exit (0);
    }
  close (fds[1]);
  r = ferry_archive_extract_verified (fds[0], f->out, NULL, "checkpoint archive `pipe`", &err);
  close (fds[0]);
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  if (r < 0)
    fail_msg ("extract from a pipe failed: %s", err->msg);
  {
    cleanup_free char *a = xasprintf ("%s/pages-1.img", f->images);
    cleanup_free char *b = xasprintf ("%s/checkpoint/pages-1.img", f->out);
    assert_same_file (a, b);
  }
}

/* Names longer than ustar's 100 bytes survive (pax records).  */
static void
test_long_names (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_close int fd = open (f->archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ferry_archive_writer_t *w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_ZSTD, 0, &err);
  char name[400];
  cleanup_free char *path = NULL, *text = NULL;

  memset (name, 'n', sizeof (name));
  name[120] = name[240] = '/'; /* components under NAME_MAX */
  name[399] = '\0';
  assert_non_null (w);
  assert_int_equal (ferry_archive_writer_add_data (w, name, "long\n", 5, &err), 0);
  assert_int_equal (ferry_archive_writer_finish (w, &err), 0);
  ferry_archive_writer_free (w);
  if (extract (f, f->archive, NULL, &err) < 0)
    fail_msg ("extract failed: %s", err->msg);
  path = xasprintf ("%s/%s", f->out, name);
  text = read_whole (path, NULL);
  assert_string_equal (text, "long\n");
}

/* ---- writer refusals --------------------------------------------------- */

static void
expect_add_data_refused (ferry_archive_writer_t *w, const char *name, const char *needle)
{
  cleanup_error ferry_error_t err = NULL;

  assert_true (ferry_archive_writer_add_data (w, name, "x", 1, &err) < 0);
  assert_error_contains (err, needle);
}

static void
test_writer_refuses_bad_names (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_close int fd = open (f->archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ferry_archive_writer_t *w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_NONE, 0, &err);
  cleanup_free char *list = in_top (f, "list");
  cleanup_free char *cmd = xasprintf ("tar -tf '%s' > '%s'", f->archive, list);
  cleanup_free char *text = NULL;

  assert_non_null (w);
  expect_add_data_refused (w, "../x", "not a clean relative name");
  expect_add_data_refused (w, "/etc/passwd", "not a clean relative name");
  expect_add_data_refused (w, "", "not a clean relative name");
  expect_add_data_refused (w, "a//b", "not a clean relative name");
  expect_add_data_refused (w, "a/./b", "not a clean relative name");
  expect_add_data_refused (w, "manifest.json", "reserved for the manifest");
  expect_add_data_refused (w, "./manifest.json", "reserved for the manifest");

  assert_int_equal (ferry_archive_writer_add_data (w, "a", "1", 1, &err), 0);
  expect_add_data_refused (w, "a", "already there");
  expect_add_data_refused (w, "./a", "already there");
  expect_add_data_refused (w, "a/b", "`a` is a file");
  assert_int_equal (ferry_archive_writer_add_data (w, "d/x", "2", 1, &err), 0);
  expect_add_data_refused (w, "d", "already there");

  /* The refusals left the writer usable: the archive is complete and valid.  */
  assert_int_equal (ferry_archive_writer_finish (w, &err), 0);
  ferry_archive_writer_free (w);
  if (extract (f, f->archive, NULL, &err) < 0)
    fail_msg ("extract failed: %s", err->msg);
  run_shell (cmd);
  text = read_whole (list, NULL);
  assert_string_equal (text, "a\nd/x\nmanifest.json\n");
}

static void
test_writer_refuses_special_files (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *link = xasprintf ("%s/link", f->images);
  cleanup_free char *fifo_dir = in_top (f, "fifo-dir");
  cleanup_free char *fifo2 = xasprintf ("%s/fifo-dir/p", f->top);
  cleanup_close int fd = open (f->archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ferry_archive_writer_t *w;

  assert_int_equal (symlink ("/etc/passwd", link), 0);
  assert_int_equal (mkdir (fifo_dir, 0755), 0);
  assert_int_equal (mkfifo (fifo2, 0644), 0);

  {
    cleanup_error ferry_error_t err = NULL;
    w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_NONE, 0, &err);
    assert_non_null (w);
    assert_true (ferry_archive_writer_add_dir (w, "checkpoint", f->images, &err) < 0);
    assert_error_contains (err, link);
    assert_error_contains (err, "symbolic link");
    ferry_archive_writer_free (w);
  }
  {
    cleanup_error ferry_error_t err = NULL;
    w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_NONE, 0, &err);
    assert_non_null (w);
    assert_true (ferry_archive_writer_add_dir (w, "x", fifo_dir, &err) < 0);
    assert_error_contains (err, fifo2);
    assert_error_contains (err, "FIFO");
    /* add_file wants a regular file too, and says which.  */
    ferry_error_release (&err);
    assert_true (ferry_archive_writer_add_file (w, "y", f->images, &err) < 0);
    assert_error_contains (err, "directory");
    ferry_error_release (&err);
    assert_true (ferry_archive_writer_add_file (w, "z", "/nonexistent/ferry", &err) < 0);
    assert_int_equal (err->status, ENOENT);
    ferry_archive_writer_free (w);
  }
}

static void
test_writer_after_finish (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_close int fd = open (f->archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ferry_archive_writer_t *w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_ZSTD, 0, &err);
  struct stat st;

  assert_non_null (w);
  assert_int_equal (ferry_archive_writer_add_data (w, "a", "1", 1, &err), 0);
  assert_int_equal (ferry_archive_writer_finish (w, &err), 0);
  assert_int_equal (fstat (fd, &st), 0);
  assert_true (ferry_archive_writer_add_data (w, "b", "2", 1, &err) < 0);
  assert_error_contains (err, "already finished");
  ferry_error_release (&err);
  assert_true (ferry_archive_writer_finish (w, &err) < 0);
  ferry_archive_writer_free (w);
  /* Nothing was appended after the end.  */
  {
    struct stat st2;
    assert_int_equal (stat (f->archive, &st2), 0);
    assert_int_equal (st.st_size, st2.st_size);
  }
  if (extract (f, f->archive, NULL, &err) < 0)
    fail_msg ("extract failed: %s", err->msg);
}

/* The header promises the file's offset at the end once finished, as a
 * plain write would leave it, whatever the archive's length: before, one
 * whose length was a multiple of the writer's block left it at the start
 * (the last block went out by pwrite, and no tail was left to move it).  */
static void
test_writer_offset_at_end (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *data = xmalloc (16 * 512);

  memset (data, 'x', 16 * 512);
  for (size_t n = 0; n < 16; n++)
    {
      cleanup_error ferry_error_t err = NULL;
      cleanup_close int fd = open (f->archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      ferry_archive_writer_t *w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_NONE, 0, &err);
      struct stat st;

      assert_non_null (w);
      assert_int_equal (ferry_archive_writer_add_data (w, "config.dump", data, n * 512, &err), 0);
      assert_int_equal (ferry_archive_writer_finish (w, &err), 0);
      ferry_archive_writer_free (w);
      assert_int_equal (fstat (fd, &st), 0);
      if (lseek (fd, 0, SEEK_CUR) != st.st_size)
        fail_msg ("an archive of %lld bytes left the offset at %lld", (long long) st.st_size,
                  (long long) lseek (fd, 0, SEEK_CUR));
    }
}

static void
test_writer_bad_level (void **state)
{
  cleanup_error ferry_error_t err = NULL;

  assert_null (ferry_archive_writer_new (1, FERRY_COMPRESSION_GZIP, 10, &err));
  assert_error_contains (err, "gzip compression level 10");
  ferry_error_release (&err);
  assert_null (ferry_archive_writer_new (1, FERRY_COMPRESSION_ZSTD, 1000, &err));
  assert_error_contains (err, "zstd compression level 1000");
}

/* /dev/full: every write fails with ENOSPC, and so must the writer.  */
static void
full_disk (struct fixture *f, enum ferry_compression c, int big)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_close int fd = open ("/dev/full", O_WRONLY | O_CLOEXEC);
  cleanup_free char *pages = xasprintf ("%s/pages-1.img", f->images);
  ferry_archive_writer_t *w;
  int r;

  if (fd < 0)
    skip ();
  w = ferry_archive_writer_new (fd, c, 0, &err);
  assert_non_null (w);
  r = ferry_archive_writer_add_data (w, "small", "tiny", 4, &err);
  assert_int_equal (r, 0); /* still buffered */
  if (big)
    {
      if (! ferry_path_exists (pages))
        make_sources (f);
      r = ferry_archive_writer_add_file (w, "big", pages, &err);
      assert_true (r < 0);
      assert_int_equal (err->status, ENOSPC);
      ferry_error_release (&err);
    }
  r = ferry_archive_writer_finish (w, &err);
  assert_true (r < 0);
  assert_non_null (err);
  if (! big)
    assert_int_equal (err->status, ENOSPC);
  ferry_archive_writer_free (w);
}

static void
test_writer_full_disk (void **state)
{
  full_disk (*state, FERRY_COMPRESSION_NONE, 0);
  full_disk (*state, FERRY_COMPRESSION_ZSTD, 0);
  full_disk (*state, FERRY_COMPRESSION_GZIP, 0);
  full_disk (*state, FERRY_COMPRESSION_ZSTD, 1);
  full_disk (*state, FERRY_COMPRESSION_NONE, 1);
}

/* A full file system under an archive file, which the writer's own thread
 * writes (with O_DIRECT where it can): the failure still comes back, with
 * ENOSPC, from a later call or at the latest from finish.  */
static void
test_writer_full_file_system (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *small = in_top (f, "small-out");
  cleanup_free char *path = xasprintf ("%s/archive.tar.zst", small);
  cleanup_free unsigned char *chunk = xmalloc (1024 * 1024);
  cleanup_close int fd = -1;
  ferry_archive_writer_t *w;
  uint64_t x = 88172645463325252ULL;
  int r, i;
  size_t j;

  assert_int_equal (mkdir (small, 0700), 0);
  if (mount ("tmpfs", small, "tmpfs", 0, "size=1m") < 0)
    {
      print_message ("cannot mount a tmpfs here (%s): skipping\n", strerror (errno));
      skip ();
    }
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  assert_true (fd >= 0);
  w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_ZSTD, 0, &err);
  assert_non_null (w);
  r = ferry_archive_writer_begin_stream (w, "checkpoint/pages-1.img", &err);
  /* 8 MiB that zstd cannot shrink, into 1 MiB.  */
  for (i = 0; r == 0 && i < 8; i++)
    {
      for (j = 0; j < 1024 * 1024; j++)
        {
          x ^= x << 13, x ^= x >> 7, x ^= x << 17;
          chunk[j] = x;
        }
      r = ferry_archive_writer_stream_data (w, chunk, 1024 * 1024, &err);
    }
  if (r == 0)
    r = ferry_archive_writer_end_stream (w, &err);
  if (r == 0)
    r = ferry_archive_writer_finish (w, &err);
  ferry_archive_writer_free (w);
  umount2 (small, MNT_DETACH);
  assert_true (r < 0);
  assert_int_equal (err->status, ENOSPC);
  assert_error_contains (err, "cannot write the checkpoint archive");
}

/* ---- archives built by hand -------------------------------------------- */

enum
{
  HAND_FILE,
  HAND_DIR,
  HAND_SYMLINK,
  HAND_HARDLINK,
  HAND_CHARDEV,
  HAND_FIFO,
};

struct hand_entry
{
  const char *name;
  int type;
  const char *data; /* HAND_FILE: contents; links: target */
};

static void
hand_tar (const char *path, const struct hand_entry *entries)
{
  struct archive *ar = archive_write_new ();
  const struct hand_entry *e;

  assert_int_equal (archive_write_set_format_pax_restricted (ar), ARCHIVE_OK);
  assert_int_equal (archive_write_open_filename (ar, path), ARCHIVE_OK);
  for (e = entries; e->name; e++)
    {
      struct archive_entry *ae = archive_entry_new ();
      size_t len = e->type == HAND_FILE ? strlen (e->data) : 0;

      archive_entry_set_pathname (ae, e->name);
      archive_entry_set_perm (ae, 0644);
      archive_entry_set_size (ae, len);
      switch (e->type)
        {
        case HAND_FILE:
          archive_entry_set_filetype (ae, AE_IFREG);
          break;
        case HAND_DIR:
          archive_entry_set_filetype (ae, AE_IFDIR);
          break;
        case HAND_SYMLINK:
          archive_entry_set_filetype (ae, AE_IFLNK);
          archive_entry_set_symlink (ae, e->data);
          break;
        case HAND_HARDLINK:
          archive_entry_set_filetype (ae, AE_IFREG);
          archive_entry_set_hardlink (ae, e->data);
          break;
        case HAND_CHARDEV:
          archive_entry_set_filetype (ae, AE_IFCHR);
          archive_entry_set_rdev (ae, makedev (1, 3));
          break;
        case HAND_FIFO:
          archive_entry_set_filetype (ae, AE_IFIFO);
          break;
        }
      assert_int_equal (archive_write_header (ar, ae), ARCHIVE_OK);
      if (len)
        assert_int_equal (archive_write_data (ar, e->data, len), (la_ssize_t) len);
      archive_entry_free (ae);
    }
  assert_int_equal (archive_write_close (ar), ARCHIVE_OK);
  archive_write_free (ar);
}

/* A manifest listing NAMES[i] with the digest and size of DATAS[i].  */
static char *
manifest_of (const char *const *names, const char *const *datas)
{
  cleanup_json json_object *m = json_object_new_object ();
  json_object *entries = json_object_new_object ();
  size_t i;

  json_object_object_add (m, "format", json_object_new_string ("ferry-checkpoint"));
  json_object_object_add (m, "version", json_object_new_int (1));
  for (i = 0; names[i]; i++)
    {
      json_object *e = json_object_new_object ();
      char digest[FERRY_DIGEST_LEN + 1];

      ferry_sha256_buffer (datas[i], strlen (datas[i]), digest);
      json_object_object_add (e, "sha256", json_object_new_string (digest));
      json_object_object_add (e, "size", json_object_new_int64 (strlen (datas[i])));
      json_object_object_add (entries, names[i], e);
    }
  json_object_object_add (m, "entries", entries);
  return xstrdup (json_object_to_json_string (m));
}

static void
expect_refused (struct fixture *f, const char *path, int (*allowed) (const char *), const char *needle)
{
  cleanup_error ferry_error_t err = NULL;

  if (extract (f, path, allowed, &err) == 0)
    fail_msg ("the archive was accepted; expected an error containing `%s`", needle);
  assert_error_contains (err, needle);
}

static void
test_hand_built_valid (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *manifest
      = manifest_of ((const char *[]){ "a", "d/b", NULL }, (const char *[]){ "hello\n", "world\n", NULL });
  /* "./" prefixes, the root entry and a missing parent directory entry, as
   * other tar writers make them.  */
  const struct hand_entry entries[] = {
    { "./", HAND_DIR, NULL },
    { "./a", HAND_FILE, "hello\n" },
    { "d/b", HAND_FILE, "world\n" },
    { "./manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };
  cleanup_free char *b = xasprintf ("%s/d/b", f->out);
  cleanup_free char *text = NULL;

  hand_tar (f->archive, entries);
  if (extract (f, f->archive, NULL, &err) < 0)
    fail_msg ("extract failed: %s", err->msg);
  text = read_whole (b, NULL);
  assert_string_equal (text, "world\n");
}

static void
test_corrupt_byte (void **state)
{
  struct fixture *f = *state;
  size_t len = 0;
  cleanup_free char *data = NULL;
  char *hit;

  make_sources (f);
  write_sample_archive (f, FERRY_COMPRESSION_NONE);
  data = read_whole (f->archive, &len);
  hit = memmem (data, len, CORE_MARKER, strlen (CORE_MARKER));
  assert_non_null (hit);
  /* Only once: the marker is content, not a name.  */
  assert_null (memmem (hit + 1, len - (hit + 1 - data), CORE_MARKER, strlen (CORE_MARKER)));
  hit[5] ^= 0x20;
  write_bytes (f->archive, data, len);
  expect_refused (f, f->archive, NULL, "entry `checkpoint/core-1.img` is corrupt: its sha256 is sha256:");
}

static void
test_manifest_lies (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *manifest = manifest_of ((const char *[]){ "a", "b", NULL },
                                             (const char *[]){ "hello\n", "not what b holds\n", NULL });
  cleanup_free char *lie_size = NULL;
  cleanup_free char *digest_b = NULL;
  const struct hand_entry entries[] = {
    { "a", HAND_FILE, "hello\n" },
    { "b", HAND_FILE, "world\n" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };
  char got[FERRY_DIGEST_LEN + 1];

  hand_tar (f->archive, entries);
  ferry_sha256_buffer ("world\n", 6, got);
  digest_b = xasprintf ("entry `b` is corrupt: its sha256 is %s, the manifest says sha256:", got);
  expect_refused (f, f->archive, NULL, digest_b);

  /* The right digest but the wrong size.  */
  {
    cleanup_json json_object *m = json_tokener_parse (manifest);
    json_object *b = json_object_object_get (json_object_object_get (m, "entries"), "b");
    struct hand_entry lying[] = {
      { "a", HAND_FILE, "hello\n" },
      { "b", HAND_FILE, "world\n" },
      { "manifest.json", HAND_FILE, NULL },
      { NULL, 0, NULL },
    };

    json_object_object_add (b, "sha256", json_object_new_string (got));
    json_object_object_add (b, "size", json_object_new_int (7));
    lie_size = xstrdup (json_object_to_json_string (m));
    lying[2].data = lie_size;
    hand_tar (f->archive, lying);
    assert_int_equal (ferry_rm_rf (f->out, &(ferry_error_t){ NULL }), 0);
    assert_int_equal (mkdir (f->out, 0700), 0);
    expect_refused (f, f->archive, NULL, "entry `b` is corrupt: its size is 6 bytes, the manifest says 7");
  }
}

static void
test_extra_entry (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *manifest
      = manifest_of ((const char *[]){ "a", NULL }, (const char *[]){ "hello\n", NULL });
  const struct hand_entry entries[] = {
    { "a", HAND_FILE, "hello\n" },
    { "extra", HAND_FILE, "smuggled\n" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };

  hand_tar (f->archive, entries);
  expect_refused (f, f->archive, NULL, "has entry `extra` that its manifest does not list");
}

static void
test_missing_entry (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *manifest
      = manifest_of ((const char *[]){ "a", "gone", NULL }, (const char *[]){ "hello\n", "x", NULL });
  const struct hand_entry entries[] = {
    { "a", HAND_FILE, "hello\n" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };

  hand_tar (f->archive, entries);
  expect_refused (f, f->archive, NULL, "is missing entry `gone` that its manifest lists");
}

static void
test_missing_manifest (void **state)
{
  struct fixture *f = *state;
  const struct hand_entry entries[] = {
    { "a", HAND_FILE, "hello\n" },
    { NULL, 0, NULL },
  };

  hand_tar (f->archive, entries);
  expect_refused (f, f->archive, NULL, "has no manifest.json: not a ferry checkpoint archive, or truncated");
}

static void
test_manifest_not_last (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *manifest
      = manifest_of ((const char *[]){ "a", NULL }, (const char *[]){ "hello\n", NULL });
  const struct hand_entry entries[] = {
    { "a", HAND_FILE, "hello\n" },
    { "manifest.json", HAND_FILE, manifest },
    { "late", HAND_FILE, "after the manifest\n" },
    { NULL, 0, NULL },
  };
  cleanup_free char *late = xasprintf ("%s/late", f->out);

  hand_tar (f->archive, entries);
  expect_refused (f, f->archive, NULL, "has entry `late` after manifest.json");
  assert_false (ferry_path_exists (late));
}

static void
test_manifest_version_and_format (void **state)
{
  struct fixture *f = *state;
  const char *newer = "{\"format\": \"ferry-checkpoint\", \"version\": 2, \"entries\": {}}";
  const char *other = "{\"format\": \"something-else\", \"version\": 1, \"entries\": {}}";
  const char *broken = "{\"format\": \"ferry-checkpoint\", \"version\": 1, \"entries\": ";
  struct hand_entry entries[] = {
    { "manifest.json", HAND_FILE, newer },
    { NULL, 0, NULL },
  };

  hand_tar (f->archive, entries);
  expect_refused (f, f->archive, NULL, "upgrade ferry");
  entries[0].data = other;
  hand_tar (f->archive, entries);
  expect_refused (f, f->archive, NULL,
                  "is not a ferry checkpoint archive: its manifest.json has format "
                  "`something-else`");
  entries[0].data = broken;
  hand_tar (f->archive, entries);
  expect_refused (f, f->archive, NULL, "manifest.json");
}

static void
test_huge_manifest (void **state)
{
  struct fixture *f = *state;
  size_t n = 17 * 1024 * 1024;
  cleanup_free char *big = xmalloc (n + 1);
  struct hand_entry entries[] = {
    { "manifest.json", HAND_FILE, big },
    { NULL, 0, NULL },
  };

  memset (big, ' ', n);
  big[n] = '\0';
  big[0] = '{';
  big[n - 1] = '}';
  hand_tar (f->archive, entries);
  expect_refused (f, f->archive, NULL, "manifest.json larger than");
}

static void
test_duplicate_entry (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *manifest
      = manifest_of ((const char *[]){ "a", NULL }, (const char *[]){ "second\n", NULL });
  const struct hand_entry files[] = {
    { "a", HAND_FILE, "first\n" },
    { "./a", HAND_FILE, "second\n" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };
  const struct hand_entry dirs[] = {
    { "d", HAND_DIR, NULL },
    { "d/", HAND_DIR, NULL },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };

  hand_tar (f->archive, files);
  expect_refused (f, f->archive, NULL, "has entry `a` twice");
  assert_int_equal (ferry_rm_rf (f->out, &(ferry_error_t){ NULL }), 0);
  assert_int_equal (mkdir (f->out, 0700), 0);
  hand_tar (f->archive, dirs);
  expect_refused (f, f->archive, NULL, "has entry `d` twice");
}

/* Refused and nothing written: TARGET (outside) does not exist and the
 * extraction directory is still empty.  */
static void
expect_unsafe (struct fixture *f, const struct hand_entry *entries, const char *needle, const char *target)
{
  hand_tar (f->archive, entries);
  expect_refused (f, f->archive, NULL, needle);
  if (target)
    assert_false (ferry_path_exists (target));
  assert_int_equal (count_dir_entries (f->out), 0);
}

static void
test_unsafe_entries (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *escape = in_top (f, "escape");
  cleanup_free char *abs = in_top (f, "abs-escape");
  cleanup_free char *victim = in_top (f, "victim");
  cleanup_free char *victim_text = NULL;

  write_text (victim, "precious\n");
  {
    const struct hand_entry e[] = { { "../escape", HAND_FILE, "evil\n" }, { NULL, 0, NULL } };
    expect_unsafe (f, e, "has an unsafe entry `../escape`: refusing it", escape);
  }
  {
    const struct hand_entry e[] = { { "./../escape", HAND_FILE, "evil\n" }, { NULL, 0, NULL } };
    expect_unsafe (f, e, "unsafe entry `./../escape`", escape);
  }
  {
    const struct hand_entry e[] = { { "a/../../escape", HAND_FILE, "evil\n" }, { NULL, 0, NULL } };
    expect_unsafe (f, e, "unsafe entry `a/../../escape`", escape);
  }
  {
    const struct hand_entry e[] = { { abs, HAND_FILE, "evil\n" }, { NULL, 0, NULL } };
    cleanup_free char *needle = xasprintf ("unsafe entry `%s`", abs);
    expect_unsafe (f, e, needle, abs);
  }
  {
    const struct hand_entry e[] = { { ".", HAND_FILE, "evil\n" }, { NULL, 0, NULL } };
    expect_unsafe (f, e, "unsafe entry `.`", NULL);
  }
  {
    /* A symlink to outside, then a file through it.  */
    const struct hand_entry e[] = {
      { "link", HAND_SYMLINK, f->top },
      { "link/escape", HAND_FILE, "evil\n" },
      { NULL, 0, NULL },
    };
    expect_unsafe (f, e, "unsafe entry `link` (a symbolic link)", escape);
  }
  {
    const struct hand_entry e[] = {
      { "hl", HAND_HARDLINK, victim },
      { NULL, 0, NULL },
    };
    expect_unsafe (f, e, "unsafe entry `hl` (a hard link)", NULL);
  }
  {
    const struct hand_entry e[] = {
      { "hl", HAND_HARDLINK, "../victim" },
      { NULL, 0, NULL },
    };
    expect_unsafe (f, e, "unsafe entry `hl` (a hard link)", NULL);
  }
  {
    const struct hand_entry e[] = { { "null", HAND_CHARDEV, NULL }, { NULL, 0, NULL } };
    expect_unsafe (f, e, "unsafe entry `null` (a character device)", NULL);
  }
  {
    const struct hand_entry e[] = { { "fifo", HAND_FIFO, NULL }, { NULL, 0, NULL } };
    expect_unsafe (f, e, "unsafe entry `fifo` (a FIFO)", NULL);
  }
  victim_text = read_whole (victim, NULL);
  assert_string_equal (victim_text, "precious\n");
}

/* An entry name with control characters (a newline, a terminal's escape
 * sequence) is refused with the name escaped: quoted raw, it would make
 * the one-line error several lines or drive the user's terminal.  */
static void
test_control_characters_in_names (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *manifest
      = manifest_of ((const char *[]){ "a", NULL }, (const char *[]){ "hello\n", NULL });
  const char *names[] = { "x\nError: restored", "\x1b]0;owned\x07", "volumes/v\r.tar", "a\x7f", NULL };

  for (size_t i = 0; names[i]; i++)
    {
      /* Before the manifest, and after it (where a reader that waits for
       * the manifest says the name too).  */
      const struct hand_entry before[] = { { names[i], HAND_FILE, "evil\n" },
                                           { "manifest.json", HAND_FILE, manifest },
                                           { NULL, 0, NULL } };
      const struct hand_entry after[] = { { "a", HAND_FILE, "hello\n" },
                                          { "manifest.json", HAND_FILE, manifest },
                                          { names[i], HAND_FILE, "evil\n" },
                                          { NULL, 0, NULL } };
      const struct hand_entry *cases[] = { before, after };

      for (size_t k = 0; k < 2; k++)
        {
          cleanup_error ferry_error_t err = NULL;

          hand_tar (f->archive, cases[k]);
          if (extract (f, f->archive, NULL, &err) == 0)
            fail_msg ("an entry named with control characters (%zu) was accepted", i);
          for (const char *c = err->msg; *c; c++)
            if ((unsigned char) *c < 0x20 || *c == 0x7f)
              fail_msg ("the error quotes a control character: %s", err->msg);
          assert_int_equal (ferry_rm_rf (f->out, &(ferry_error_t){ NULL }), 0);
          assert_int_equal (mkdir (f->out, 0700), 0);
        }
    }
  /* The manifest's own words: a name it lists and its format.  */
  {
    cleanup_free char *listing = manifest_of ((const char *[]){ "a", "b\nError: x", NULL },
                                              (const char *[]){ "hello\n", "x", NULL });
    cleanup_json json_object *m = json_tokener_parse (manifest);
    const struct hand_entry missing[]
        = { { "a", HAND_FILE, "hello\n" }, { "manifest.json", HAND_FILE, listing }, { NULL, 0, NULL } };
    cleanup_free char *foreign = NULL;
    cleanup_error ferry_error_t err = NULL, err2 = NULL;

    hand_tar (f->archive, missing);
    assert_int_equal (extract (f, f->archive, NULL, &err), -1);
    assert_error_contains (err, "missing entry `b\\x0aError: x`");
    assert_int_equal (ferry_rm_rf (f->out, &(ferry_error_t){ NULL }), 0);
    assert_int_equal (mkdir (f->out, 0700), 0);
    json_object_object_add (m, "format", json_object_new_string ("\x1b[2J"));
    foreign = xstrdup (json_object_to_json_string (m));
    {
      const struct hand_entry e[]
          = { { "a", HAND_FILE, "hello\n" }, { "manifest.json", HAND_FILE, foreign }, { NULL, 0, NULL } };
      hand_tar (f->archive, e);
    }
    assert_int_equal (extract (f, f->archive, NULL, &err2), -1);
    assert_error_contains (err2, "has format `\\x1b[2J`");
  }
}

/* A symlink planted in DIR beforehand is not followed either.  */
static void
test_existing_symlink_in_dir (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *link = xasprintf ("%s/d", f->out);
  cleanup_free char *escape = in_top (f, "escape");
  cleanup_free char *manifest
      = manifest_of ((const char *[]){ "d/escape", NULL }, (const char *[]){ "evil\n", NULL });
  const struct hand_entry e[] = {
    { "d/escape", HAND_FILE, "evil\n" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };

  assert_int_equal (symlink (f->top, link), 0);
  hand_tar (f->archive, e);
  expect_refused (f, f->archive, NULL, "symlink");
  assert_false (ferry_path_exists (escape));
}

static int allowed_calls;
static char allowed_seen[8][64];

static int
only_checkpoint (const char *name)
{
  if (allowed_calls < 8)
    snprintf (allowed_seen[allowed_calls], sizeof (allowed_seen[0]), "%s", name);
  allowed_calls++;
  return strcmp (name, "checkpoint") == 0 || strncmp (name, "checkpoint/", 11) == 0;
}

static void
test_allowed_callback (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *manifest = manifest_of ((const char *[]){ "checkpoint/x", "spec.dump", NULL },
                                             (const char *[]){ "x\n", "spec\n", NULL });
  const struct hand_entry e[] = {
    { "./checkpoint/", HAND_DIR, NULL },
    { "./checkpoint/x", HAND_FILE, "x\n" },
    { "spec.dump", HAND_FILE, "spec\n" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };
  cleanup_free char *spec = xasprintf ("%s/spec.dump", f->out);

  allowed_calls = 0;
  hand_tar (f->archive, e);
  assert_true (extract (f, f->archive, only_checkpoint, &err) < 0);
  assert_error_contains (err, "has an unexpected entry `spec.dump`: it is not a ferry checkpoint archive");
  assert_false (ferry_path_exists (spec));
  /* It got normalised names.  */
  assert_int_equal (allowed_calls, 3);
  assert_string_equal (allowed_seen[0], "checkpoint");
  assert_string_equal (allowed_seen[1], "checkpoint/x");
  assert_string_equal (allowed_seen[2], "spec.dump");
}

/* A full disk while extracting: the error says which entry and ENOSPC,
 * for big entries (hashed and written by threads of their own) as for small ones.  */
static void
test_extract_full_disk (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *small = in_top (f, "small");
  cleanup_free char *out = xasprintf ("%s/out", small);
  int r;

  make_sources (f);
  write_sample_archive (f, FERRY_COMPRESSION_ZSTD);
  assert_int_equal (mkdir (small, 0700), 0);
  if (mount ("tmpfs", small, "tmpfs", 0, "size=4m") < 0)
    {
      print_message ("cannot mount a tmpfs here (%s): skipping\n", strerror (errno));
      skip ();
    }
  assert_int_equal (mkdir (out, 0700), 0);
  free (f->out);
  f->out = xstrdup (out);
  r = extract (f, f->archive, NULL, &err);
  umount2 (small, MNT_DETACH);
  assert_true (r < 0);
  /* Refused before the entry that would not fit is written.  */
  assert_int_equal (err->status, ENOSPC);
  assert_error_contains (err, "needs more space than");
  assert_error_contains (err, "checkpoint/pages-1.img");
}

/* ---- damaged and foreign streams --------------------------------------- */

static void
truncate_half (struct fixture *f, enum ferry_compression c)
{
  struct stat st;

  write_sample_archive (f, c);
  assert_int_equal (stat (f->archive, &st), 0);
  assert_int_equal (truncate (f->archive, st.st_size / 2), 0);
  expect_refused (f, f->archive, NULL, "truncated");
  assert_int_equal (ferry_rm_rf (f->out, &(ferry_error_t){ NULL }), 0);
  assert_int_equal (mkdir (f->out, 0700), 0);
}

static void
test_truncated (void **state)
{
  struct fixture *f = *state;

  make_sources (f);
  truncate_half (f, FERRY_COMPRESSION_NONE);
  truncate_half (f, FERRY_COMPRESSION_GZIP);
  truncate_half (f, FERRY_COMPRESSION_ZSTD);
}

/* A zstd archive missing only its last bytes: the tar may parse, the frame
 * does not end.  */
static void
test_truncated_tail (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_close int fd = open (f->archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ferry_archive_writer_t *w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_ZSTD, 0, &err);
  struct stat st;

  assert_non_null (w);
  assert_int_equal (ferry_archive_writer_add_data (w, "a", "hello\n", 6, &err), 0);
  assert_int_equal (ferry_archive_writer_finish (w, &err), 0);
  ferry_archive_writer_free (w);
  assert_int_equal (fstat (fd, &st), 0);
  assert_int_equal (ftruncate (fd, st.st_size - 3), 0);
  expect_refused (f, f->archive, NULL, "truncated");
}

/* Padding after the tar's end marker, compressed, then cut: the tar looks
 * complete, but the stream is not, and a cut stream is not accepted.  */
static void
test_truncated_after_tar_end (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *manifest
      = manifest_of ((const char *[]){ "a", NULL }, (const char *[]){ "hello\n", NULL });
  const struct hand_entry e[] = {
    { "a", HAND_FILE, "hello\n" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };
  cleanup_free char *zst = in_top (f, "padded.zst");
  cleanup_free char *cmd
      = xasprintf ("(cat '%s'; head -c 8388608 /dev/zero) | zstd -q -c > '%s'", f->archive, zst);
  struct stat st;

  hand_tar (f->archive, e);
  run_shell (cmd);
  {
    cleanup_error ferry_error_t err = NULL;
    if (extract (f, zst, NULL, &err) < 0)
      fail_msg ("the padded archive was refused: %s", err->msg);
  }
  assert_int_equal (ferry_rm_rf (f->out, &(ferry_error_t){ NULL }), 0);
  assert_int_equal (mkdir (f->out, 0700), 0);
  assert_int_equal (stat (zst, &st), 0);
  assert_int_equal (truncate (zst, st.st_size - 3), 0);
  expect_refused (f, zst, NULL, "truncated");
}

static void
test_unsupported_compression (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *manifest
      = manifest_of ((const char *[]){ "a", NULL }, (const char *[]){ "hello\n", NULL });
  const struct hand_entry e[] = {
    { "a", HAND_FILE, "hello\n" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };
  cleanup_free char *xz = in_top (f, "archive.xz");
  cleanup_free char *bz = in_top (f, "archive.bz2");
  cleanup_free char *cmd
      = xasprintf ("xz -c '%s' > '%s' && bzip2 -c '%s' > '%s'", f->archive, xz, f->archive, bz);

  hand_tar (f->archive, e);
  run_shell (cmd);
  expect_refused (f, xz, NULL, "unsupported compression (xz)");
  expect_refused (f, bz, NULL, "unsupported compression (bzip2)");
  assert_int_equal (count_dir_entries (f->out), 0);
  /* The plain original is fine: the refusal was about the compression.  */
  {
    cleanup_error ferry_error_t err = NULL;
    if (extract (f, f->archive, NULL, &err) < 0)
      fail_msg ("extract failed: %s", err->msg);
  }
}

static void
test_not_a_tar (void **state)
{
  struct fixture *f = *state;
  cleanup_free unsigned char *junk = random_bytes (8192, 3);
  cleanup_free char *empty = in_top (f, "empty");

  junk[0] = 'J'; /* no magic of anything */
  write_bytes (f->archive, junk, 8192);
  expect_refused (f, f->archive, NULL, "is not a tar archive");
  write_bytes (empty, "", 0);
  expect_refused (f, empty, NULL, "is empty");
  /* A zstd stream of garbage: decodes, but is no tar either.  */
  {
    cleanup_free char *cmd = xasprintf ("zstd -q -c '%s' > '%s.zst'", f->archive, f->archive);
    cleanup_free char *zst = xasprintf ("%s.zst", f->archive);
    run_shell (cmd);
    expect_refused (f, zst, NULL, "is not a tar archive");
  }
}

/* A flipped byte in a zstd archive: zstd's own checksum or our digests
 * catch it; either way it is refused.  */
static void
test_corrupt_zstd (void **state)
{
  struct fixture *f = *state;
  size_t len = 0;
  cleanup_free char *data = NULL;

  make_sources (f);
  write_sample_archive (f, FERRY_COMPRESSION_ZSTD);
  data = read_whole (f->archive, &len);
  data[len / 2] ^= 0x55;
  write_bytes (f->archive, data, len);
  expect_refused (f, f->archive, NULL, "corrupt");
}

/* ---- CRIU statistics --------------------------------------------------- */

struct pb
{
  unsigned char buf[512];
  size_t len;
};

static void
pb_varint (struct pb *b, uint64_t v)
{
  do
    {
      unsigned char byte = v & 0x7f;
      v >>= 7;
      b->buf[b->len++] = byte | (v ? 0x80 : 0);
    }
  while (v);
}

static void
pb_uint (struct pb *b, unsigned field, uint64_t v)
{
  pb_varint (b, (uint64_t) field << 3 | 0);
  pb_varint (b, v);
}

static void
pb_bytes (struct pb *b, unsigned field, const struct pb *body)
{
  pb_varint (b, (uint64_t) field << 3 | 2);
  pb_varint (b, body->len);
  memcpy (b->buf + b->len, body->buf, body->len);
  b->len += body->len;
}

static void
le32_put (unsigned char *p, uint32_t v)
{
  p[0] = v;
  p[1] = v >> 8;
  p[2] = v >> 16;
  p[3] = v >> 24;
}

/* The file: both magics, the length of ENTRY, ENTRY.  */
static size_t
stats_file (unsigned char *out, const struct pb *entry)
{
  le32_put (out, 0x55105940);
  le32_put (out + 4, 0x57093306);
  le32_put (out + 8, entry->len);
  memcpy (out + 12, entry->buf, entry->len);
  return 12 + entry->len;
}

static void
sample_dump_entry (struct pb *entry)
{
  struct pb dump = { .len = 0 };

  pb_uint (&dump, 1, 5);
  pb_uint (&dump, 2, 10);
  pb_uint (&dump, 3, 20);
  pb_uint (&dump, 4, 30);
  pb_uint (&dump, 5, 100);
  pb_uint (&dump, 6, 0);
  pb_uint (&dump, 7, 50);
  pb_uint (&dump, 9, 0);
  /* A 64-bit count, an unknown field of each skippable wire type. */
  pb_uint (&dump, 12, 5000000000ull);
  pb_varint (&dump, 99 << 3 | 1);
  memcpy (dump.buf + dump.len, "\1\2\3\4\5\6\7\10", 8);
  dump.len += 8;
  pb_varint (&dump, 98 << 3 | 5);
  memcpy (dump.buf + dump.len, "\1\2\3\4", 4);
  dump.len += 4;
  pb_uint (&dump, 97, 1);
  entry->len = 0;
  pb_bytes (entry, 1, &dump);
}

static json_object *
parse_stats_bytes (struct fixture *f, const unsigned char *data, size_t len, ferry_error_t *err)
{
  cleanup_free char *path = in_top (f, "stats-dump");

  write_bytes (path, data, len);
  return ferry_criu_stats_parse (path, err);
}

static void
test_criu_stats_dump (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_json json_object *j = NULL;
  struct pb entry;
  unsigned char file[600];
  size_t len;
  json_object *v;

  sample_dump_entry (&entry);
  len = stats_file (file, &entry);
  j = parse_stats_bytes (f, file, len, &err);
  if (j == NULL)
    fail_msg ("parse failed: %s", err->msg);
  assert_int_equal (ferry_json_get_int (j, "freezing_time", -1), 5);
  assert_int_equal (ferry_json_get_int (j, "frozen_time", -1), 10);
  assert_int_equal (ferry_json_get_int (j, "memdump_time", -1), 20);
  assert_int_equal (ferry_json_get_int (j, "memwrite_time", -1), 30);
  assert_int_equal (ferry_json_get_int (j, "pages_scanned", -1), 100);
  assert_int_equal (ferry_json_get_int (j, "pages_skipped_parent", -1), 0);
  assert_int_equal (ferry_json_get_int (j, "pages_written", -1), 50);
  assert_int_equal (ferry_json_get_int (j, "pages_lazy", -1), 0);
  assert_int_equal (ferry_json_get_int (j, "shpages_scanned", -1), 5000000000ll);
  /* Only what the file holds.  */
  assert_false (json_object_object_get_ex (j, "pages_restored", &v));
  assert_false (json_object_object_get_ex (j, "page_pipes", &v));
  assert_int_equal (json_object_object_length (j), 9);
}

static void
test_criu_stats_restore (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_json json_object *j = NULL;
  struct pb restore = { .len = 0 }, entry = { .len = 0 };
  unsigned char file[600];
  size_t len;

  pb_uint (&restore, 1, 7);
  pb_uint (&restore, 2, 8);
  pb_uint (&restore, 3, 1234);
  pb_uint (&restore, 4, 5678);
  pb_uint (&restore, 5, 4096);
  pb_bytes (&entry, 2, &restore);
  len = stats_file (file, &entry);
  j = parse_stats_bytes (f, file, len, &err);
  if (j == NULL)
    fail_msg ("parse failed: %s", err->msg);
  assert_int_equal (ferry_json_get_int (j, "pages_compared", -1), 7);
  assert_int_equal (ferry_json_get_int (j, "pages_skipped_cow", -1), 8);
  assert_int_equal (ferry_json_get_int (j, "forking_time", -1), 1234);
  assert_int_equal (ferry_json_get_int (j, "restore_time", -1), 5678);
  assert_int_equal (ferry_json_get_int (j, "pages_restored", -1), 4096);
  assert_int_equal (json_object_object_length (j), 5);
}

static void
expect_stats_refused (struct fixture *f, const unsigned char *data, size_t len, const char *needle)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_json json_object *j = parse_stats_bytes (f, data, len, &err);

  if (j != NULL)
    fail_msg ("stats of %zu bytes accepted: %s", len, json_object_to_json_string (j));
  assert_error_contains (err, needle);
}

static void
test_criu_stats_hostile (void **state)
{
  struct fixture *f = *state;
  struct pb entry;
  unsigned char file[600], bad[600];
  size_t len, i, k;
  uint64_t seed = 11;

  sample_dump_entry (&entry);
  len = stats_file (file, &entry);

  /* Every prefix is refused: a short magic, a length beyond the end.  */
  for (i = 0; i < len; i++)
    expect_stats_refused (f, file, i, i < 8 ? "not a CRIU statistics file" : i == 8 ? "empty" : "truncated");

  /* Wrong magic.  */
  memcpy (bad, file, len);
  bad[4] ^= 1;
  expect_stats_refused (f, bad, len, "not a CRIU statistics file");

  /* A sub-message length running past its message.  */
  memcpy (bad, file, len);
  bad[13] = 0x7f;
  expect_stats_refused (f, bad, len, "corrupt");

  /* An 11-byte varint.  */
  {
    struct pb e = { .len = 0 };
    unsigned char out[64];
    pb_varint (&e, 1 << 3 | 0);
    memset (e.buf + e.len, 0xff, 10);
    e.len += 10;
    e.buf[e.len++] = 0x01;
    expect_stats_refused (f, out, stats_file (out, &e), "corrupt");
  }
  /* A group wire type, and field number 0.  */
  {
    struct pb e = { .len = 0 };
    unsigned char out[64];
    pb_varint (&e, 1 << 3 | 3);
    expect_stats_refused (f, out, stats_file (out, &e), "corrupt");
    e.len = 0;
    pb_varint (&e, 0 << 3 | 0);
    pb_varint (&e, 1);
    expect_stats_refused (f, out, stats_file (out, &e), "corrupt");
  }
  /* A message ending inside a varint, and inside a fixed64, while more
   * bytes follow in the enclosing message.  */
  {
    static const unsigned char in_varint[] = { 0x0a, 0x02, 5 << 3 | 0, 0x80, 0x12, 0x00 };
    static const unsigned char in_fixed[] = { 0x0a, 0x04, 15 << 3 | 1, 1, 2, 3, 0x12, 0x00 };
    struct pb e = { .len = 0 };
    unsigned char out[64];

    memcpy (e.buf, in_varint, sizeof (in_varint));
    e.len = sizeof (in_varint);
    expect_stats_refused (f, out, stats_file (out, &e), "corrupt");
    memcpy (e.buf, in_fixed, sizeof (in_fixed));
    e.len = sizeof (in_fixed);
    expect_stats_refused (f, out, stats_file (out, &e), "corrupt");
    /* The same at the very end of the file.  */
    e.len = 4;
    e.buf[1] = 0x02;
    memcpy (e.buf, in_varint, 4);
    expect_stats_refused (f, out, stats_file (out, &e), "corrupt");
    memcpy (e.buf, in_fixed, 6);
    e.len = 6;
    expect_stats_refused (f, out, stats_file (out, &e), "corrupt");
  }
  /* Random mutations: refused or parsed, never a crash (ASan watches).  */
  for (k = 0; k < 3000; k++)
    {
      cleanup_error ferry_error_t err = NULL;
      cleanup_json json_object *j = NULL;
      size_t flips = 1 + k % 4;

      memcpy (bad, file, len);
      while (flips--)
        {
          seed = seed * 6364136223846793005ull + 1442695040888963407ull;
          bad[8 + (seed >> 33) % (len - 8)] = (unsigned char) (seed >> 17);
        }
      j = parse_stats_bytes (f, bad, len, &err);
      assert_true ((j == NULL) != (err == NULL));
    }
  {
    cleanup_error ferry_error_t err = NULL;
    cleanup_free char *missing = in_top (f, "no-such-stats");
    assert_null (ferry_criu_stats_parse (missing, &err));
    assert_int_equal (err->status, ENOENT);
  }
}

/* A real stats-dump from CRIU, when CRIU can dump here.  */
static void
test_criu_stats_real (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  cleanup_json json_object *j = NULL;
  cleanup_free char *dir = in_top (f, "criu");
  cleanup_free char *stats = xasprintf ("%s/stats-dump", dir);
  char pidstr[32];
  pid_t sleeper, criu;
  int status = 0, i;

  if (access ("/usr/sbin/criu", X_OK) != 0 && access ("/usr/bin/criu", X_OK) != 0)
    skip ();
  assert_int_equal (mkdir (dir, 0700), 0);
  sleeper = fork ();
  assert_true (sleeper >= 0);
  if (sleeper == 0)
    {
      int null = open ("/dev/null", O_RDWR);
      setsid ();
      dup2 (null, 0);
      dup2 (null, 1);
      dup2 (null, 2);
      execlp ("sleep", "sleep", "1000", (char *) NULL);
      _exit (127);
    }
  /* Wait for the exec, so that CRIU dumps sleep and not a copy of us.  */
  for (i = 0; i < 200; i++)
    {
      cleanup_free char *comm_path = xasprintf ("/proc/%d/comm", (int) sleeper);
      cleanup_free char *comm = NULL;
      size_t n = 0;
      cleanup_error ferry_error_t ignored = NULL;

      if (ferry_read_file (comm_path, &comm, &n, &ignored) == 0 && strncmp (comm, "sleep", 5) == 0)
        break;
      usleep (10000);
    }
  snprintf (pidstr, sizeof (pidstr), "%d", (int) sleeper);
  criu = fork ();
  assert_true (criu >= 0);
  if (criu == 0)
    {
      int null = open ("/dev/null", O_RDWR);
      dup2 (null, 1);
      dup2 (null, 2);
      execlp ("criu", "criu", "dump", "-t", pidstr, "-D", dir, "-v0", "--shell-job", (char *) NULL);
      _exit (127);
    }
  assert_int_equal (waitpid (criu, &status, 0), criu);
  kill (sleeper, SIGKILL);
  waitpid (sleeper, NULL, 0);
  if (! WIFEXITED (status) || WEXITSTATUS (status) != 0 || ! ferry_path_exists (stats))
    {
      print_message ("criu dump did not work here (status %d): skipping\n", status);
      skip ();
    }
  j = ferry_criu_stats_parse (stats, &err);
  if (j == NULL)
    fail_msg ("parse of CRIU's stats-dump failed: %s", err->msg);
  assert_true (ferry_json_get_int (j, "pages_written", 0) > 0);
  assert_true (ferry_json_get_int (j, "pages_scanned", 0) >= ferry_json_get_int (j, "pages_written", 0));
  assert_true (ferry_json_get_int (j, "frozen_time", -1) >= 0);
  assert_true (json_object_object_get_ex (j, "memdump_time", NULL));
}

/* ---- streamed entries in parts (a migration's pipe) -------------------- */

/* Three pieces of pages-1.img and an empty pages-2.img, written in parts
 * through a pipe, come back whole; a tar reader sees the parts.  */
static void
test_parts_round_trip (void **state)
{
  struct fixture *f = *state;
  cleanup_error ferry_error_t err = NULL;
  static const char *const pieces[] = { "first piece\n", "", "second piece, longer than the first\n" };
  cleanup_free char *a = xasprintf ("%s/checkpoint/pages-1.img", f->out);
  cleanup_free char *b = xasprintf ("%s/checkpoint/pages-2.img", f->out);
  cleanup_free char *text = NULL;
  cleanup_close int fd = -1;
  ferry_archive_writer_t *w;
  size_t len = 99, i;
  struct archive *ar;
  struct archive_entry *ae;
  int parts = 0;

  fd = open (f->archive, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  assert_true (fd >= 0);
  w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_ZSTD, 0, &err);
  assert_non_null (w);
  ferry_archive_writer_stream_in_parts (w);
  assert_true (ferry_archive_writer_can_stream (w));
  assert_int_equal (ferry_archive_writer_add_data (w, "spec.dump", "{}", 2, &err), 0);
  assert_int_equal (ferry_archive_writer_begin_stream (w, "checkpoint/pages-1.img", &err), 0);
  for (i = 0; i < 3; i++)
    assert_int_equal (ferry_archive_writer_stream_data (w, pieces[i], strlen (pieces[i]), &err), 0);
  assert_int_equal (ferry_archive_writer_end_stream (w, &err), 0);
  assert_int_equal (ferry_archive_writer_begin_stream (w, "checkpoint/pages-2.img", &err), 0);
  assert_int_equal (ferry_archive_writer_end_stream (w, &err), 0);
  if (ferry_archive_writer_finish (w, &err) < 0)
    fail_msg ("finish failed: %s", err->msg);
  ferry_archive_writer_free (w);

  if (extract (f, f->archive, NULL, &err) < 0)
    fail_msg ("extract failed: %s", err->msg);
  text = read_whole (a, &len);
  assert_string_equal (text, "first piece\nsecond piece, longer than the first\n");
  free (text);
  text = read_whole (b, &len);
  assert_int_equal (len, 0);

  ar = archive_read_new ();
  archive_read_support_filter_all (ar);
  archive_read_support_format_tar (ar);
  assert_int_equal (archive_read_open_filename (ar, f->archive, 65536), ARCHIVE_OK);
  while (archive_read_next_header (ar, &ae) == ARCHIVE_OK)
    {
      const char *name = archive_entry_pathname (ae);
      assert_true (strcmp (name, "checkpoint/pages-1.img") != 0);
      if (strstr (name, ".ferry-part-"))
        parts++;
    }
  archive_read_free (ar);
  assert_int_equal (parts, 4);
}

static int
only_spec_allowed (const char *name)
{
  return strcmp (name, "spec.dump") == 0;
}

/* Empties the fixture's output directory.  */
static void
reset_out (struct fixture *f)
{
  cleanup_error ferry_error_t err = NULL;

  assert_int_equal (ferry_rm_rf (f->out, &err), 0);
  assert_int_equal (mkdir (f->out, 0700), 0);
}

/* Parts come whole, in order, one file's after the other's, of names the
 * archive may hold, and their sum must match the manifest.  */
static void
test_parts_hostile (void **state)
{
  struct fixture *f = *state;
  cleanup_free char *manifest
      = manifest_of ((const char *[]){ "a", NULL }, (const char *[]){ "hello\n", NULL });
  cleanup_error ferry_error_t err = NULL;
  cleanup_free char *text = NULL;
  cleanup_free char *path = xasprintf ("%s/a", f->out);
  const struct hand_entry valid[] = {
    { "a.ferry-part-00000000", HAND_FILE, "hel" },
    { "a.ferry-part-00000001", HAND_FILE, "lo\n" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };
  const struct hand_entry gap[] = {
    { "a.ferry-part-00000000", HAND_FILE, "hel" },
    { "a.ferry-part-00000002", HAND_FILE, "lo\n" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };
  const struct hand_entry no_first[] = {
    { "a.ferry-part-00000001", HAND_FILE, "hello\n" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };
  const struct hand_entry interleaved[] = {
    { "a.ferry-part-00000000", HAND_FILE, "hel" },
    { "b", HAND_FILE, "x" },
    { "a.ferry-part-00000001", HAND_FILE, "lo\n" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };
  const struct hand_entry whole_too[] = {
    { "a", HAND_FILE, "hello\n" },
    { "a.ferry-part-00000000", HAND_FILE, "hello\n" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };
  const struct hand_entry short_sum[] = {
    { "a.ferry-part-00000000", HAND_FILE, "hel" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };
  const struct hand_entry escape[] = {
    { "../a.ferry-part-00000000", HAND_FILE, "hello\n" },
    { "manifest.json", HAND_FILE, manifest },
    { NULL, 0, NULL },
  };

  hand_tar (f->archive, valid);
  if (extract (f, f->archive, NULL, &err) < 0)
    fail_msg ("extract failed: %s", err->msg);
  text = read_whole (path, NULL);
  assert_string_equal (text, "hello\n");

  {
    const struct
    {
      const struct hand_entry *entries;
      int (*allowed) (const char *);
      const char *needle;
    } cases[] = {
      { gap, NULL, "has the parts of entry `a` out of order" },
      { no_first, NULL, "has entry `a` without its first part" },
      { interleaved, NULL, "has entry `a` twice" },
      { whole_too, NULL, "has entry `a` twice" },
      { short_sum, NULL, "entry `a` is corrupt" },
      { escape, NULL, "unsafe entry" },
      /* The name the parts make up is what the allow-list judges.  */
      { valid, only_spec_allowed, "unexpected entry `a.ferry-part-00000000`" },
    };
    for (size_t i = 0; i < sizeof (cases) / sizeof (cases[0]); i++)
      {
        reset_out (f);
        hand_tar (f->archive, cases[i].entries);
        expect_refused (f, f->archive, cases[i].allowed, cases[i].needle);
      }
  }
}

#define T(name) cmocka_unit_test_setup_teardown (name, setup, teardown)

int
main (void)
{
  const struct CMUnitTest tests[] = {
    T (test_round_trip_none),
    T (test_round_trip_gzip),
    T (test_round_trip_zstd),
    T (test_entry_metadata),
    T (test_through_a_pipe),
    T (test_long_names),
    T (test_writer_refuses_bad_names),
    T (test_writer_refuses_special_files),
    T (test_writer_after_finish),
    T (test_writer_offset_at_end),
    T (test_writer_bad_level),
    T (test_writer_full_disk),
    T (test_writer_full_file_system),
    T (test_hand_built_valid),
    T (test_corrupt_byte),
    T (test_manifest_lies),
    T (test_extra_entry),
    T (test_missing_entry),
    T (test_missing_manifest),
    T (test_manifest_not_last),
    T (test_manifest_version_and_format),
    T (test_huge_manifest),
    T (test_duplicate_entry),
    T (test_unsafe_entries),
    T (test_control_characters_in_names),
    T (test_existing_symlink_in_dir),
    T (test_allowed_callback),
    T (test_extract_full_disk),
    T (test_truncated),
    T (test_truncated_tail),
    T (test_truncated_after_tar_end),
    T (test_unsupported_compression),
    T (test_not_a_tar),
    T (test_corrupt_zstd),
    T (test_criu_stats_dump),
    T (test_criu_stats_restore),
    T (test_criu_stats_hostile),
    T (test_criu_stats_real),
    T (test_parts_round_trip),
    T (test_parts_hostile),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
