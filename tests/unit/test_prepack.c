/* Unit tests for archive/prepack.c and the writer's precompressed entries:
 * pages compressed while they are being written come out of the archive
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
test_prepacked_pages_round_trip (void **state)
{
  cleanup_free char *top = NULL, *images = NULL, *packed = NULL, *archive = NULL, *out = NULL;
  cleanup_free char *pages = NULL, *core = NULL, *cmd = NULL, *listing = NULL, *extracted = NULL;
  cleanup_free unsigned char *data = sample_data ();
  const struct ferry_prepacked *pre = NULL;
  cleanup_error ferry_error_t err = NULL;
  ferry_archive_writer_t *w;
  ferry_prepack_t *p;
  struct grower g;
  pthread_t t;
  size_t n = 0, len = 0;
  int fd;

  (void) state;
  top = ferry_mkdtemp_in ("/tmp", "ferry-prepack-", &err);
  assert_non_null (top);
  images = xasprintf ("%s/images", top);
  packed = xasprintf ("%s/packed", top);
  out = xasprintf ("%s/out", top);
  archive = xasprintf ("%s/a.tar.zst", top);
  pages = xasprintf ("%s/pages-1.img", images);
  core = xasprintf ("%s/core-1.img", images);
  assert_int_equal (mkdir (images, 0700), 0);
  assert_int_equal (mkdir (packed, 0700), 0);
  assert_int_equal (mkdir (out, 0700), 0);
  assert_int_equal (ferry_write_file_atomic (core, "core", 4, 0600, &err), 0);

  p = ferry_prepack_start (images, packed, 0, &err);
  assert_non_null (p);
  g.path = pages;
  g.data = data;
  assert_int_equal (pthread_create (&t, NULL, grow, &g), 0);
  pthread_join (t, NULL);
  assert_int_equal (ferry_prepack_finish (p, &pre, &n, &err), 0);
  assert_int_equal (n, 1);
  assert_string_equal (pre[0].name, "pages-1.img");
  assert_int_equal (pre[0].size, (uint64_t) CHUNKS * CHUNK);
  {
    char digest[FERRY_DIGEST_LEN + 1];
    ferry_sha256_buffer (data, (size_t) CHUNKS * CHUNK, digest);
    assert_string_equal (pre[0].sha256, digest);
  }

  fd = open (archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  assert_true (fd >= 0);
  w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_ZSTD, 0, &err);
  assert_non_null (w);
  assert_int_equal (ferry_archive_writer_use_precompressed (w, "checkpoint/pages-1.img", pre[0].path,
                                                            pre[0].size, pre[0].sha256, &err),
                    0);
  /* An odd-sized entry before: its tar padding must come before ours.  */
  assert_int_equal (ferry_archive_writer_add_data (w, "config.dump", "{}\n", 3, &err), 0);
  assert_int_equal (ferry_archive_writer_add_dir (w, "checkpoint", images, &err), 0);
  assert_int_equal (ferry_archive_writer_add_data (w, "stats-dump", "xyz", 3, &err), 0);
  assert_int_equal (ferry_archive_writer_finish (w, &err), 0);
  ferry_archive_writer_free (w);
  close (fd);
  ferry_prepack_free (p);

  /* tar itself reads it through: every header where it belongs.  */
  listing = xasprintf ("%s/listing", top);
  cmd = xasprintf ("zstd -dc '%s' | tar -tf - > '%s'", archive, listing);
  assert_int_equal (system (cmd), 0);
  {
    cleanup_free char *text = NULL;
    assert_int_equal (ferry_read_file (listing, &text, &len, &err), 0);
    assert_non_null (strstr (text, "checkpoint/pages-1.img\n"));
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

/* A precompressed entry whose file then changed size is refused, not
 * written with a lying header.  */
static void
test_precompressed_size_mismatch (void **state)
{
  cleanup_free char *top = NULL, *file = NULL, *zst = NULL, *archive = NULL;
  cleanup_error ferry_error_t err = NULL;
  ferry_archive_writer_t *w;
  int fd;

  (void) state;
  top = ferry_mkdtemp_in ("/tmp", "ferry-prepack-", &err);
  file = xasprintf ("%s/pages-1.img", top);
  zst = xasprintf ("%s/pages-1.img.zst", top);
  archive = xasprintf ("%s/a.tar.zst", top);
  assert_int_equal (ferry_write_file_atomic (file, "12345", 5, 0600, &err), 0);
  assert_int_equal (ferry_write_file_atomic (zst, "", 0, 0600, &err), 0);
  fd = open (archive, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  w = ferry_archive_writer_new (fd, FERRY_COMPRESSION_ZSTD, 0, &err);
  assert_int_equal (ferry_archive_writer_use_precompressed (
                        w, "pages-1.img", zst, 4,
                        "sha256:0000000000000000000000000000000000000000000000000000000000000000", &err),
                    0);
  assert_true (ferry_archive_writer_add_file (w, "pages-1.img", file, &err) < 0);
  assert_non_null (strstr (err->msg, "changed"));
  ferry_archive_writer_free (w);
  close (fd);
  ferry_error_release (&err);
  assert_int_equal (ferry_rm_rf (top, &err), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_prepacked_pages_round_trip),
    cmocka_unit_test (test_precompressed_size_mismatch),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
