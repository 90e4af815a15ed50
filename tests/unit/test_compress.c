/* Unit tests for image/compress.c: a layer compressed again with gzip and
 * zstd unpacks to the same bytes, for sizes around gzip's block and batch
 * boundaries; the bytes are the same every time; a blob that does not
 * unpack to the diff_id given is refused; the names and levels taken.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "image/compress.h"
#include "util/cleanup.h"
#include "util/hash.h"
#include "util/xalloc.h"

#define MIB (1024 * 1024)

/* Compressible with noise, as a layer's files are.  */
static unsigned char *
sample (size_t len, unsigned seed)
{
  unsigned char *b = xmalloc (len ? len : 1);
  uint32_t x = seed * 2654435761u + 1;

  for (size_t i = 0; i < len; i++)
    {
      x = x * 1103515245u + 12345u;
      b[i]
          = (i % 64 == 63) ? '\n' : (i % 5 == 0 ? (unsigned char) (x >> 24) : (unsigned char) ('a' + i % 26));
    }
  return b;
}

/* A file holding LEN bytes of DATA, at offset 0.  */
static int
file_of (const void *data, size_t len)
{
  FILE *f = tmpfile ();
  int fd;

  assert_non_null (f);
  fd = dup (fileno (f));
  fclose (f);
  assert_int_equal (write (fd, data, len), (ssize_t) len);
  assert_int_equal (lseek (fd, 0, SEEK_SET), 0);
  return fd;
}

static unsigned char *
read_all (int fd, size_t *len)
{
  off_t end = lseek (fd, 0, SEEK_END);
  unsigned char *b = xmalloc (end > 0 ? (size_t) end : 1);

  assert_int_equal (pread (fd, b, (size_t) end, 0), end);
  *len = (size_t) end;
  return b;
}

/* Compresses LEN sample bytes with TO and checks what came out: its
 * digest and size, and that it unpacks to the input.  Returns the digest.  */
static void
round_trip_bytes (enum ferry_compression to, const unsigned char *data, size_t len, int level,
                  char digest[FERRY_DIGEST_LEN + 1])
{
  char diff_id[FERRY_DIGEST_LEN + 1], got[FERRY_DIGEST_LEN + 1];
  struct ferry_recompressed r;
  ferry_error_t err = NULL;
  int in = file_of (data, len), out = file_of ("", 0);
  cleanup_free unsigned char *blob = NULL, *back = NULL;
  size_t blob_len;

  ferry_sha256_buffer (data, len, diff_id);
  assert_int_equal (ferry_layer_recompress (in, "test layer", diff_id, to, level, out, &r, &err), 0);
  blob = read_all (out, &blob_len);
  assert_int_equal (r.size, blob_len);
  ferry_sha256_buffer (blob, blob_len, got);
  assert_string_equal (got, r.digest);
  back = xmalloc (len + 1);
  if (to == FERRY_COMPRESSION_ZSTD)
    {
      assert_int_equal (ZSTD_decompress (back, len + 1, blob, blob_len), len);
      assert_true (blob[0] == 0x28 && blob[1] == 0xb5);
    }
  else
    {
      /* One gzip member: zlib's inflate, which stops at its end, must
       * reach the end of the blob.  */
      z_stream z;

      memset (&z, 0, sizeof (z));
      assert_int_equal (inflateInit2 (&z, 16 + 15), Z_OK);
      z.next_in = blob;
      z.avail_in = (uInt) blob_len;
      z.next_out = back;
      z.avail_out = (uInt) (len + 1);
      assert_int_equal (inflate (&z, Z_FINISH), Z_STREAM_END);
      assert_int_equal (z.total_out, len);
      assert_int_equal (z.avail_in, 0);
      inflateEnd (&z);
    }
  assert_memory_equal (back, data, len);
  memcpy (digest, r.digest, FERRY_DIGEST_LEN + 1);
  close (in);
  close (out);
}

static void
round_trip (enum ferry_compression to, size_t len, int level, char digest[FERRY_DIGEST_LEN + 1])
{
  cleanup_free unsigned char *data = sample (len, (unsigned) len);

  round_trip_bytes (to, data, len, level, digest);
}

/* Every gzip level, through both deflaters (ISA-L's up to level 6,
 * zlib's above and for 0), joins into one stream that unpacks.  */
static void
test_gzip_levels (void **state)
{
  char d[FERRY_DIGEST_LEN + 1];

  (void) state;
  for (int level = 0; level <= 9; level++)
    round_trip (FERRY_COMPRESSION_GZIP, 3 * MIB + 5, level, d);
}

/* Bytes that barely compress, but not so little that they are stored:
 * ISA-L's output may be longer than its input there, and must still be
 * whole.  */
static void
test_gzip_dense (void **state)
{
  size_t len = 3 * MIB + 11;
  cleanup_free unsigned char *data = xmalloc (len);
  uint32_t x = 7;
  char d[FERRY_DIGEST_LEN + 1];

  (void) state;
  for (size_t i = 0; i < len; i++)
    {
      x = x * 1103515245u + 12345u;
      data[i] = (unsigned char) ((x >> 16) % 200);
    }
  round_trip_bytes (FERRY_COMPRESSION_GZIP, data, len, 1, d);
  round_trip_bytes (FERRY_COMPRESSION_GZIP, data, len, 5, d);
  round_trip_bytes (FERRY_COMPRESSION_GZIP, data, len, 9, d);
}

static void
test_gzip_sizes (void **state)
{
  /* Empty, tiny, a block, a block and one, and past one batch (the batch
   * is 2 blocks a core).  */
  long cpus = sysconf (_SC_NPROCESSORS_ONLN);
  size_t batch = (size_t) (cpus > 1 ? cpus : 1) * 2 * MIB;
  size_t sizes[] = { 0, 1, 4096, MIB, MIB + 1, batch, batch + 1, 2 * batch + 12345 };
  char d[FERRY_DIGEST_LEN + 1];

  (void) state;
  for (size_t i = 0; i < sizeof (sizes) / sizeof (sizes[0]); i++)
    round_trip (FERRY_COMPRESSION_GZIP, sizes[i], FERRY_GZIP_DEFAULT_LEVEL, d);
}

static void
test_zstd_sizes (void **state)
{
  size_t sizes[] = { 0, 1, 3 * MIB + 7 };
  char d[FERRY_DIGEST_LEN + 1];

  (void) state;
  for (size_t i = 0; i < sizeof (sizes) / sizeof (sizes[0]); i++)
    round_trip (FERRY_COMPRESSION_ZSTD, sizes[i], FERRY_ZSTD_DEFAULT_LEVEL, d);
}

static void
test_same_bytes_every_time (void **state)
{
  char a[FERRY_DIGEST_LEN + 1], b[FERRY_DIGEST_LEN + 1];

  (void) state;
  round_trip (FERRY_COMPRESSION_GZIP, 5 * MIB + 3, 6, a);
  round_trip (FERRY_COMPRESSION_GZIP, 5 * MIB + 3, 6, b);
  assert_string_equal (a, b);
  round_trip (FERRY_COMPRESSION_GZIP, 5 * MIB + 3, 1, b);
  assert_string_not_equal (a, b);
  round_trip (FERRY_COMPRESSION_ZSTD, 5 * MIB + 3, 3, a);
  round_trip (FERRY_COMPRESSION_ZSTD, 5 * MIB + 3, 3, b);
  assert_string_equal (a, b);
}

/* A compressed blob goes through too: a gzip blob to zstd.  */
static void
test_from_compressed (void **state)
{
  cleanup_free unsigned char *data = sample (100000, 7);
  char diff_id[FERRY_DIGEST_LEN + 1];
  uLongf gz_cap = compressBound (100000) + 64;
  cleanup_free unsigned char *gz = xmalloc (gz_cap);
  z_stream z;
  struct ferry_recompressed r;
  ferry_error_t err = NULL;
  int in, out;

  (void) state;
  memset (&z, 0, sizeof (z));
  assert_int_equal (deflateInit2 (&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
  z.next_in = data;
  z.avail_in = 100000;
  z.next_out = gz;
  z.avail_out = (uInt) gz_cap;
  assert_int_equal (deflate (&z, Z_FINISH), Z_STREAM_END);
  in = file_of (gz, z.total_out);
  deflateEnd (&z);
  out = file_of ("", 0);
  ferry_sha256_buffer (data, 100000, diff_id);
  assert_int_equal (
      ferry_layer_recompress (in, "test layer", diff_id, FERRY_COMPRESSION_ZSTD, 3, out, &r, &err), 0);
  close (in);
  close (out);
}

static void
test_wrong_diff_id (void **state)
{
  cleanup_free unsigned char *data = sample (5000, 3);
  char other[FERRY_DIGEST_LEN + 1];
  struct ferry_recompressed r;
  ferry_error_t err = NULL;
  int in = file_of (data, 5000), out = file_of ("", 0);

  (void) state;
  ferry_sha256_buffer ("something else", 14, other);
  assert_int_equal (
      ferry_layer_recompress (in, "test layer", other, FERRY_COMPRESSION_GZIP, 5, out, &r, &err), -1);
  assert_non_null (strstr (err->msg, "the image store is damaged"));
  ferry_error_release (&err);
  close (in);
  close (out);
}

static void
test_names_and_levels (void **state)
{
  enum ferry_compression c;
  ferry_error_t err = NULL;

  (void) state;
  assert_int_equal (ferry_compression_parse ("gzip", &c, &err), 0);
  assert_int_equal (c, FERRY_COMPRESSION_GZIP);
  assert_int_equal (ferry_compression_parse ("zstd", &c, &err), 0);
  assert_int_equal (c, FERRY_COMPRESSION_ZSTD);
  assert_int_equal (ferry_compression_parse ("zstd:chunked", &c, &err), -1);
  assert_non_null (strstr (err->msg, "--compression-format zstd"));
  ferry_error_release (&err);
  assert_int_equal (ferry_compression_parse ("lz4", &c, &err), -1);
  assert_string_equal (err->msg, "cannot find compressor for \"lz4\"");
  ferry_error_release (&err);
  assert_int_equal (ferry_compression_level_check (FERRY_COMPRESSION_GZIP, 9, &err), 0);
  assert_int_equal (ferry_compression_level_check (FERRY_COMPRESSION_GZIP, 0, &err), 0);
  assert_int_equal (ferry_compression_level_check (FERRY_COMPRESSION_GZIP, 10, &err), -1);
  ferry_error_release (&err);
  assert_int_equal (ferry_compression_level_check (FERRY_COMPRESSION_GZIP, -1, &err), -1);
  ferry_error_release (&err);
  assert_int_equal (ferry_compression_level_check (FERRY_COMPRESSION_ZSTD, 30, &err), 0);
  assert_int_equal (ferry_compression_level_check (FERRY_COMPRESSION_ZSTD, -5, &err), 0);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_gzip_sizes),
    cmocka_unit_test (test_gzip_levels),
    cmocka_unit_test (test_gzip_dense),
    cmocka_unit_test (test_zstd_sizes),
    cmocka_unit_test (test_same_bytes_every_time),
    cmocka_unit_test (test_from_compressed),
    cmocka_unit_test (test_wrong_diff_id),
    cmocka_unit_test (test_names_and_levels),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
