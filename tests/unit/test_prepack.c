/* Unit tests for archive/prepack.c and the writer's streamed entries:
 * pages streamed into the archive while they are being written come out
 * byte for byte, and the result is a tar that tar itself reads.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "archive/archive.h"
#include "archive/prepack.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/xalloc.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1024 * 1024)
#define CHUNKS 6

struct grower
{
  const char *path;
  unsigned char *data;
};

/* Appends the data a chunk at a time, as CRIU appends pages.  */
static void *
grow (void *arg)
{
  struct grower *g = arg;
  int fd = open (g->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int i;

  assert_true (fd >= 0);
  for (i = 0; i < CHUNKS; i++)
    {
      assert_int_equal (ferry_write_all (fd, g->data + (size_t) i * CHUNK, CHUNK), 0);
      usleep (30000);
    }
  close (fd);
  return NULL;
}

static unsigned char *
sample_data (void)
{
  unsigned char *d = xmalloc ((size_t) CHUNKS * CHUNK);
  uint64_t x = 88172645463325252ULL;
  size_t i;

  for (i = 0; i < (size_t) CHUNKS * CHUNK; i++)
    {
      /* Half random, half runs: compressible, but not trivially.  */
      if ((i / 4096) % 2)
        d[i] = (unsigned char) (i / 4096);
      else
        {
          x ^= x << 13;
          x ^= x >> 7;
          x ^= x << 17;
          d[i] = (unsigned char) x;
        }
    }
  return d;
}

static void
test_streamed_pages_round_trip (void **state)
{
  cleanup_free char *top = NULL, *images = NULL, *archive = NULL, *out = NULL;
  cleanup_free char *pages = NULL, *core = NULL, *cmd = NULL, *listing = NULL, *extracted = NULL;
  cleanup_free unsigned char *data = sample_data ();
  cleanup_error ferry_error_t err = NULL;
  ferry_archive_writer_t *w;
  ferry_prepack_t *p;
  struct grower g;
  pthread_t t;
  size_t len = 0;
  int fd;

  (void) state;
  top = ferry_mkdtemp_in ("/tmp", "ferry-prepack-", &err);
  assert_non_null (top);
  images = xasprintf ("%s/images", top);
  out = xasprintf ("%s/out", top);
  archive = xasprintf ("%s/a.tar.zst", top);
  pages = xasprintf ("%s/pages-1.img", images);
  core = xasprintf ("%s/core-1.img", images);
  assert_int_equal (mkdir (images, 0700), 0);
  assert_int_equal (mkdir (out, 0700), 0);
  assert_int_equal (ferry_write_file_atomic (core, "core", 4, 0600, &err), 0);

  fd = open (archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  assert_true (fd >= 0);
  w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_ZSTD, 0, &err);
  assert_non_null (w);
  assert_true (ferry_archive_writer_can_stream (w));
  /* An odd-sized entry before: its tar padding must come before the
   * streamed entry's header.  */
  assert_int_equal (ferry_archive_writer_add_data (w, "config.dump", "{}\n", 3, &err), 0);
  assert_int_equal (ferry_archive_writer_add_directory (w, "checkpoint", &err), 0);

  p = ferry_prepack_start (images, "checkpoint", w, 0, &err);
  assert_non_null (p);
  g.path = pages;
  g.data = data;
  assert_int_equal (pthread_create (&t, NULL, grow, &g), 0);
  pthread_join (t, NULL);
  assert_int_equal (ferry_prepack_finish (p, &err), 0);
  ferry_prepack_free (p);

  assert_int_equal (ferry_archive_writer_add_dir (w, "checkpoint", images, &err), 0);
  assert_int_equal (ferry_archive_writer_add_data (w, "stats-dump", "xyz", 3, &err), 0);
  assert_int_equal (ferry_archive_writer_finish (w, &err), 0);
  ferry_archive_writer_free (w);
  close (fd);

  /* tar itself reads it through: every header where it belongs, the
   * streamed one with its final size.  */
  listing = xasprintf ("%s/listing", top);
  cmd = xasprintf ("zstd -dc '%s' | tar -tvf - > '%s'", archive, listing);
  assert_int_equal (system (cmd), 0);
  {
    cleanup_free char *text = NULL, *want = xasprintf (" %d ", CHUNKS * CHUNK);
    assert_int_equal (ferry_read_file (listing, &text, &len, &err), 0);
    assert_non_null (strstr (text, "checkpoint/pages-1.img\n"));
    assert_non_null (strstr (text, want));
    assert_non_null (strstr (text, "checkpoint/core-1.img\n"));
    assert_non_null (strstr (text, "stats-dump\n"));
  }
  fd = open (archive, O_RDONLY | O_CLOEXEC);
  assert_int_equal (ferry_archive_extract_verified (fd, out, NULL, "test archive", &err), 0);
  close (fd);
  extracted = xasprintf ("%s/checkpoint/pages-1.img", out);
  {
    cleanup_free char *text = NULL;
    assert_int_equal (ferry_read_file (extracted, &text, &len, &err), 0);
    assert_int_equal (len, (size_t) CHUNKS * CHUNK);
    assert_memory_equal (text, data, len);
  }
  assert_int_equal (ferry_rm_rf (top, &err), 0);
}

struct two_files
{
  const char *first, *second;
};

/* One task's pages, closed, then the next task's, as CRIU dumps a tree.  */
static void *
grow_two (void *arg)
{
  struct two_files *t = arg;
  int fd;

  fd = open (t->first, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  assert_int_equal (ferry_write_all (fd, "first-file-content", 18), 0);
  close (fd);
  fd = open (t->second, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  usleep (100000);
  assert_int_equal (ferry_write_all (fd, "second", 6), 0);
  usleep (100000);
  assert_int_equal (ferry_write_all (fd, "-file", 5), 0);
  close (fd);
  return NULL;
}

/* The second file must not be taken as complete because the first was
 * closed (a bug once recorded it empty).  */
static void
test_streamed_several_files (void **state)
{
  cleanup_free char *top = NULL, *images = NULL, *archive = NULL, *out = NULL, *a = NULL, *b = NULL;
  cleanup_free char *got = NULL, *path = NULL;
  cleanup_error ferry_error_t err = NULL;
  struct two_files t;
  ferry_archive_writer_t *w;
  ferry_prepack_t *p;
  pthread_t th;
  size_t len;
  int fd;

  (void) state;
  top = ferry_mkdtemp_in ("/tmp", "ferry-prepack-", &err);
  images = xasprintf ("%s/images", top);
  out = xasprintf ("%s/out", top);
  archive = xasprintf ("%s/a.tar.zst", top);
  a = xasprintf ("%s/pages-1.img", images);
  b = xasprintf ("%s/pages-2.img", images);
  assert_int_equal (mkdir (images, 0700), 0);
  assert_int_equal (mkdir (out, 0700), 0);
  fd = open (archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_ZSTD, 0, &err);
  assert_int_equal (ferry_archive_writer_add_directory (w, "checkpoint", &err), 0);
  p = ferry_prepack_start (images, "checkpoint", w, 0, &err);
  assert_non_null (p);
  t.first = a;
  t.second = b;
  assert_int_equal (pthread_create (&th, NULL, grow_two, &t), 0);
  pthread_join (th, NULL);
  assert_int_equal (ferry_prepack_finish (p, &err), 0);
  ferry_prepack_free (p);
  assert_int_equal (ferry_archive_writer_add_dir (w, "checkpoint", images, &err), 0);
  assert_int_equal (ferry_archive_writer_finish (w, &err), 0);
  ferry_archive_writer_free (w);
  close (fd);
  fd = open (archive, O_RDONLY | O_CLOEXEC);
  assert_int_equal (ferry_archive_extract_verified (fd, out, NULL, "test archive", &err), 0);
  close (fd);
  path = xasprintf ("%s/checkpoint/pages-2.img", out);
  assert_int_equal (ferry_read_file (path, &got, &len, &err), 0);
  assert_string_equal (got, "second-file");
  free (got);
  free (path);
  path = xasprintf ("%s/checkpoint/pages-1.img", out);
  assert_int_equal (ferry_read_file (path, &got, &len, &err), 0);
  assert_string_equal (got, "first-file-content");
  assert_int_equal (ferry_rm_rf (top, &err), 0);
}

/* Incompressible bytes (xorshift), the same for the same SEED.  */
static void
noise (unsigned char *buf, size_t len, uint64_t seed)
{
  uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;

  for (size_t i = 0; i < len; i++)
    {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      buf[i] = (unsigned char) (x >> 24);
    }
}

/* Encrypted (age), streamed entries still get their headers patched: the
 * chunk holding a header goes out sealed only once the header is final,
 * here after megabytes of the entry went out behind it.  Entries of
 * several sizes put headers at several places in their chunks.  */
static void
test_streamed_encrypted (void **state)
{
  static const size_t sizes[] = { 5 * 1024 * 1024 + 3, 70000, 1, 9 * 1024 * 1024 };
  cleanup_free char *top = NULL, *archive = NULL, *out = NULL, *idfile = NULL, *cmd = NULL;
  cleanup_error ferry_error_t err = NULL;
  struct ferry_age_key *recipients = NULL, *ids = NULL;
  size_t n_recipients = 0, n_ids = 0, i;
  struct ferry_archive_keys keys;
  struct ferry_archive_proof proof = { 0 };
  ferry_archive_writer_t *w;
  unsigned char *data;
  int fd;

  (void) state;
  top = ferry_mkdtemp_in ("/tmp", "ferry-prepack-", &err);
  archive = xasprintf ("%s/a.age", top);
  out = xasprintf ("%s/out", top);
  idfile = xasprintf ("%s/id.txt", top);
  assert_int_equal (mkdir (out, 0700), 0);
  /* The specification's example identity and its recipient.  */
  assert_int_equal (
      ferry_write_file_atomic (idfile,
                               "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX\n",
                               75, 0600, &err),
      0);
  assert_int_equal (
      ferry_age_recipients_add ("age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj", &recipients,
                                &n_recipients, &err),
      0);
  data = xmalloc (sizes[3]);
  fd = open (archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_ZSTD, 0, &err);
  assert_int_equal (ferry_archive_writer_encrypt (w, recipients, n_recipients, &err), 0);
  assert_int_equal (ferry_archive_writer_add_data (w, "config.dump", "{}\n", 3, &err), 0);
  assert_int_equal (ferry_archive_writer_add_directory (w, "checkpoint", &err), 0);
  for (i = 0; i < sizeof (sizes) / sizeof (sizes[0]); i++)
    {
      cleanup_free char *name = xasprintf ("checkpoint/pages-%zu.img", i + 1);
      size_t at;

      noise (data, sizes[i], i);
      assert_int_equal (ferry_archive_writer_begin_stream (w, name, &err), 0);
      /* Pieces of 1 MiB, as prepack hands them over.  */
      for (at = 0; at < sizes[i]; at += 1024 * 1024)
        {
          size_t n = sizes[i] - at < 1024 * 1024 ? sizes[i] - at : 1024 * 1024;
          assert_int_equal (ferry_archive_writer_stream_data (w, data + at, n, &err), 0);
        }
      assert_int_equal (ferry_archive_writer_end_stream (w, &err), 0);
    }
  assert_int_equal (ferry_archive_writer_finish (w, &err), 0);
  ferry_archive_writer_free (w);
  close (fd);

  assert_int_equal (ferry_age_identities_load (idfile, &ids, &n_ids, &err), 0);
  keys.identities = ids;
  keys.n = n_ids;
  fd = open (archive, O_RDONLY | O_CLOEXEC);
  if (ferry_archive_extract_proven (fd, &keys, out, NULL, 0, "test archive", &proof, &err) < 0)
    fail_msg ("%s", err->msg);
  close (fd);
  assert_true (proof.encrypted);
  ferry_archive_proof_release (&proof);
  for (i = 0; i < sizeof (sizes) / sizeof (sizes[0]); i++)
    {
      cleanup_free char *path = xasprintf ("%s/checkpoint/pages-%zu.img", out, i + 1);
      cleanup_free char *got = NULL;
      size_t len;

      noise (data, sizes[i], i);
      assert_int_equal (ferry_read_file (path, &got, &len, &err), 0);
      assert_int_equal (len, sizes[i]);
      assert_memory_equal (got, data, len);
    }
  /* Without the identity: refused, saying how to open it.  */
  fd = open (archive, O_RDONLY | O_CLOEXEC);
  assert_true (ferry_archive_extract_proven (fd, NULL, out, NULL, 0, "test archive", NULL, &err) < 0);
  assert_non_null (strstr (err->msg, "--decrypt-key"));
  close (fd);
  /* tar reads what age decrypts, where age is installed.  */
  cmd = xasprintf ("! command -v age >/dev/null || age -d -i '%s' '%s' | zstd -dc | tar -tvf - | grep -q "
                   "' 9437184 .*checkpoint/pages-4.img'",
                   idfile, archive);
  assert_int_equal (system (cmd), 0);
  ferry_age_keys_free (ids, n_ids);
  free (recipients);
  free (data);
  assert_int_equal (ferry_rm_rf (top, &err), 0);
}

struct fifo_writer
{
  const char *first, *second;
  unsigned char *data;
};

/* CRIU writing into the FIFOs: a big one (more than a pipe holds), then a
 * small one; the third FIFO it never opens.  */
static void *
write_fifos (void *arg)
{
  struct fifo_writer *t = arg;
  struct stat st;
  int fd;

  assert_int_equal (stat (t->first, &st), 0);
  assert_true (S_ISFIFO (st.st_mode));
  fd = open (t->first, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  assert_true (fd >= 0);
  assert_int_equal (ferry_write_all (fd, t->data, (size_t) CHUNKS * CHUNK), 0);
  close (fd);
  fd = open (t->second, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  assert_true (fd >= 0);
  assert_int_equal (ferry_write_all (fd, "small", 5), 0);
  close (fd);
  return NULL;
}

static void
test_streamed_through_fifos (void **state)
{
  cleanup_free char *top = NULL, *images = NULL, *archive = NULL, *out = NULL, *a = NULL, *b = NULL;
  cleanup_free char *got = NULL, *path = NULL, *unused = NULL, *core = NULL;
  cleanup_free unsigned char *data = sample_data ();
  cleanup_error ferry_error_t err = NULL;
  struct fifo_writer t;
  ferry_archive_writer_t *w;
  ferry_prepack_t *p;
  struct stat st;
  pthread_t th;
  size_t len;
  int fd;

  (void) state;
  top = ferry_mkdtemp_in ("/tmp", "ferry-prepack-", &err);
  images = xasprintf ("%s/images", top);
  out = xasprintf ("%s/out", top);
  archive = xasprintf ("%s/a.tar.zst", top);
  a = xasprintf ("%s/pages-1.img", images);
  b = xasprintf ("%s/pages-2.img", images);
  unused = xasprintf ("%s/pages-3.img", images);
  core = xasprintf ("%s/core-1.img", images);
  assert_int_equal (mkdir (images, 0700), 0);
  assert_int_equal (mkdir (out, 0700), 0);
  assert_int_equal (ferry_write_file_atomic (core, "core", 4, 0600, &err), 0);
  fd = open (archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_ZSTD, 0, &err);
  assert_int_equal (ferry_archive_writer_add_directory (w, "checkpoint", &err), 0);
  p = ferry_prepack_start (images, "checkpoint", w, 3, &err);
  assert_non_null (p);
  t.first = a;
  t.second = b;
  t.data = data;
  assert_int_equal (pthread_create (&th, NULL, write_fifos, &t), 0);
  pthread_join (th, NULL);
  assert_int_equal (ferry_prepack_finish (p, &err), 0);
  ferry_prepack_free (p);
  /* No FIFO is left for the directory walk to trip over.  */
  assert_true (stat (a, &st) < 0);
  assert_true (stat (unused, &st) < 0);
  assert_int_equal (ferry_archive_writer_add_dir (w, "checkpoint", images, &err), 0);
  assert_int_equal (ferry_archive_writer_finish (w, &err), 0);
  ferry_archive_writer_free (w);
  close (fd);

  fd = open (archive, O_RDONLY | O_CLOEXEC);
  assert_int_equal (ferry_archive_extract_verified (fd, out, NULL, "test archive", &err), 0);
  close (fd);
  path = xasprintf ("%s/checkpoint/pages-1.img", out);
  assert_int_equal (ferry_read_file (path, &got, &len, &err), 0);
  assert_int_equal (len, (size_t) CHUNKS * CHUNK);
  assert_memory_equal (got, data, len);
  free (got);
  free (path);
  path = xasprintf ("%s/checkpoint/pages-2.img", out);
  assert_int_equal (ferry_read_file (path, &got, &len, &err), 0);
  assert_string_equal (got, "small");
  free (path);
  path = xasprintf ("%s/checkpoint/pages-3.img", out);
  assert_true (stat (path, &st) < 0);
  assert_int_equal (ferry_rm_rf (top, &err), 0);
}

/* A source that fails in mid-entry gives the entry up and frees its
 * buffers at once (zeros compress faster than they hash, so the hasher is
 * at work when stream_data returns); the archive is then unusable.  */
static void
test_stream_aborted (void **state)
{
  cleanup_error ferry_error_t err = NULL;
  cleanup_close int fd = open ("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  size_t len = 64 * 1024 * 1024;
  unsigned char *buf = xmalloc0 (len);
  ferry_archive_writer_t *w;

  (void) state;
  assert_true (fd >= 0);
  w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_ZSTD, 0, &err);
  assert_non_null (w);
  assert_int_equal (ferry_archive_writer_begin_stream (w, "checkpoint/pages-1.img", &err), 0);
  assert_int_equal (ferry_archive_writer_stream_data (w, buf, len, &err), 0);
  ferry_archive_writer_abort_stream (w);
  memset (buf, 0xff, len);
  free (buf);
  /* The entry is incomplete: the archive must not look finished.  */
  assert_false (ferry_archive_writer_can_stream (w));
  assert_true (ferry_archive_writer_finish (w, &err) < 0);
  ferry_archive_writer_free (w);
}

/* The archive refuses the pages (here: a name too long for the header):
 * CRIU must still get rid of everything it writes into the FIFOs, or its
 * dump would block for ever; and no FIFO may be left behind.  */
static void
test_fifos_drained_after_error (void **state)
{
  cleanup_free char *top = NULL, *images = NULL, *a = NULL, *b = NULL, *prefix = NULL;
  cleanup_free unsigned char *data = sample_data ();
  cleanup_error ferry_error_t err = NULL;
  cleanup_close int fd = open ("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  struct fifo_writer t;
  ferry_archive_writer_t *w;
  ferry_prepack_t *p;
  struct stat st;
  pthread_t th;

  (void) state;
  top = ferry_mkdtemp_in ("/tmp", "ferry-prepack-", &err);
  images = xasprintf ("%s/images", top);
  a = xasprintf ("%s/pages-1.img", images);
  b = xasprintf ("%s/pages-2.img", images);
  prefix = xmalloc (120);
  memset (prefix, 'x', 119);
  prefix[119] = '\0';
  assert_int_equal (mkdir (images, 0700), 0);
  w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_ZSTD, 0, &err);
  assert_non_null (w);
  p = ferry_prepack_start (images, prefix, w, 3, &err);
  assert_non_null (p);
  t.first = a;
  t.second = b;
  t.data = data;
  /* A blocked writer fails the test instead of hanging it.  */
  alarm (20);
  assert_int_equal (pthread_create (&th, NULL, write_fifos, &t), 0);
  pthread_join (th, NULL);
  alarm (0);
  assert_true (ferry_prepack_finish (p, &err) < 0);
  assert_non_null (strstr (err->msg, "too long"));
  ferry_prepack_free (p);
  ferry_archive_writer_free (w);
  assert_true (stat (a, &st) < 0);
  assert_true (stat (b, &st) < 0);
  assert_int_equal (ferry_rm_rf (top, &err), 0);
}

/* Streaming needs a zstd archive in a file: not a pipe, not gzip.  */
static void
test_stream_refused (void **state)
{
  cleanup_error ferry_error_t err = NULL;
  ferry_archive_writer_t *w;
  int fds[2];

  (void) state;
  assert_int_equal (pipe (fds), 0);
  w = ferry_archive_writer_new (fds[1], FERRY_COMPRESSION_ZSTD, 0, &err);
  assert_non_null (w);
  assert_false (ferry_archive_writer_can_stream (w));
  assert_true (ferry_archive_writer_begin_stream (w, "x", &err) < 0);
  ferry_error_release (&err);
  assert_null (ferry_prepack_start ("/tmp", "checkpoint", w, 0, &err));
  ferry_error_release (&err);
  ferry_archive_writer_free (w);
  close (fds[0]);
  close (fds[1]);
  {
    cleanup_close int fd = open ("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    assert_true (fd >= 0);
    w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_GZIP, 0, &err);
    assert_false (ferry_archive_writer_can_stream (w));
    ferry_archive_writer_free (w);
  }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_streamed_pages_round_trip),
    cmocka_unit_test (test_streamed_several_files),
    cmocka_unit_test (test_streamed_encrypted),
    cmocka_unit_test (test_streamed_through_fifos),
    cmocka_unit_test (test_stream_refused),
    cmocka_unit_test (test_stream_aborted),
    cmocka_unit_test (test_fifos_drained_after_error),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
