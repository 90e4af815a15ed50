/* ferry: layer blobs compressed again (see compress.h).  */
#include "compress.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/* Reads of the decoded layer, and the compressed bytes gathered before
 * each write.  */
#define RECOMPRESS_IN_SIZE (1024 * 1024)
#define RECOMPRESS_OUT_SIZE (1024 * 1024)

int
ferry_compression_parse (const char *name, enum ferry_compression *out, ferry_error_t *err)
{
  if (strcmp (name, "gzip") == 0)
    *out = FERRY_COMPRESSION_GZIP;
  else if (strcmp (name, "zstd") == 0)
    *out = FERRY_COMPRESSION_ZSTD;
  else if (strcmp (name, "zstd:chunked") == 0)
    return ferry_make_error (err, 0,
                             "ferry does not write zstd:chunked layers (their table of contents for "
                             "partial pulls): use --compression-format zstd, which any puller reads");
  else
    return ferry_make_error (err, 0, "cannot find compressor for \"%s\"", name);
  return 0;
}

int
ferry_compression_level_check (enum ferry_compression c, int level, ferry_error_t *err)
{
  if (c == FERRY_COMPRESSION_GZIP && (level < 0 || level > 9))
    return ferry_make_error (err, 0, "gzip: invalid compression level: %d (use 0 to 9)", level);
  if (c == FERRY_COMPRESSION_ZSTD && level < ZSTD_minCLevel ())
    return ferry_make_error (err, 0, "zstd: invalid compression level: %d (use %d to %d)", level,
                             ZSTD_minCLevel (), ZSTD_maxCLevel ());
  return 0;
}

struct encoder
{
  enum ferry_compression kind;
  z_stream z;
  bool z_ready;
  ZSTD_CCtx *zstd;
  int fd;
  const char *what;
  unsigned char *out;
  ferry_sha256_t *hash;
  uint64_t size;
};

static int
encoder_init (struct encoder *e, enum ferry_compression to, int level, ferry_error_t *err)
{
  long cpus = sysconf (_SC_NPROCESSORS_ONLN);
  size_t r;

  e->kind = to;
  e->out = xmalloc (RECOMPRESS_OUT_SIZE);
  e->hash = ferry_sha256_new ();
  if (to == FERRY_COMPRESSION_GZIP)
    {
      /* windowBits 15 + 16: a gzip wrapper, whose header zlib writes
       * without a name or a time, so the bytes depend on the layer only.  */
      if (deflateInit2 (&e->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return ferry_make_error (err, 0, "cannot start a gzip compressor at level %d", level);
      e->z_ready = true;
      return 0;
    }
  e->zstd = ZSTD_createCCtx ();
  if (e->zstd == NULL)
    return ferry_make_error (err, ENOMEM, "cannot create a zstd compressor");
  r = ZSTD_CCtx_setParameter (e->zstd, ZSTD_c_compressionLevel, level);
  if (! ZSTD_isError (r))
    r = ZSTD_CCtx_setParameter (e->zstd, ZSTD_c_checksumFlag, 1);
  if (ZSTD_isError (r))
    return ferry_make_error (err, EINVAL, "cannot configure the zstd compressor: %s", ZSTD_getErrorName (r));
  /* libzstd's output is the same for any number of workers from one up, so
   * the digest does not depend on this host's cores.  A libzstd built
   * without threads refuses workers: then one thread it is.  */
  if (cpus > 1)
    (void) ZSTD_CCtx_setParameter (e->zstd, ZSTD_c_nbWorkers, (int) cpus);
  return 0;
}

static void
encoder_release (struct encoder *e)
{
  if (e->z_ready)
    deflateEnd (&e->z);
  ZSTD_freeCCtx (e->zstd);
  free (e->out);
  if (e->hash)
    ferry_sha256_free (e->hash);
}

static int
emit (struct encoder *e, size_t len, ferry_error_t *err)
{
  const unsigned char *p = e->out;
  size_t left = len;

  ferry_sha256_update (e->hash, e->out, len);
  e->size += len;
  while (left > 0)
    {
      ssize_t w = write (e->fd, p, left);

      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return ferry_make_error (err, errno, "cannot write the recompressed %s", e->what);
      p += w;
      left -= (size_t) w;
    }
  return 0;
}

/* Compresses LEN bytes of DATA; with FINISH, ends the stream.  */
static int
encode (struct encoder *e, const void *data, size_t len, bool finish, ferry_error_t *err)
{
  if (e->kind == FERRY_COMPRESSION_GZIP)
    {
      int r;

      e->z.next_in = (unsigned char *) data;
      e->z.avail_in = (uInt) len;
      do
        {
          e->z.next_out = e->out;
          e->z.avail_out = RECOMPRESS_OUT_SIZE;
          r = deflate (&e->z, finish ? Z_FINISH : Z_NO_FLUSH);
          if (r == Z_STREAM_ERROR)
            return ferry_make_error (err, 0, "cannot gzip the %s: zlib error", e->what);
          if (emit (e, RECOMPRESS_OUT_SIZE - e->z.avail_out, err) < 0)
            return -1;
        }
      while (e->z.avail_out == 0 || (finish && r != Z_STREAM_END));
      return 0;
    }
  {
    ZSTD_inBuffer in = { data, len, 0 };
    ZSTD_EndDirective mode = finish ? ZSTD_e_end : ZSTD_e_continue;
    size_t remaining;

    do
      {
        ZSTD_outBuffer out = { e->out, RECOMPRESS_OUT_SIZE, 0 };

        remaining = ZSTD_compressStream2 (e->zstd, &out, &in, mode);
        if (ZSTD_isError (remaining))
          return ferry_make_error (err, 0, "cannot zstd-compress the %s: %s", e->what,
                                   ZSTD_getErrorName (remaining));
        if (emit (e, out.pos, err) < 0)
          return -1;
      }
    while (finish ? remaining != 0 : in.pos < in.size);
  }
  return 0;
}

int
ferry_layer_recompress (int src_fd, const char *what, const char *diff_id, enum ferry_compression to,
                        int level, int out_fd, struct ferry_recompressed *out, ferry_error_t *err)
{
  struct encoder e = { .fd = out_fd, .what = what };
  ferry_decompress_t *d = NULL;
  cleanup_free unsigned char *buf = NULL;
  char raw[FERRY_DIGEST_LEN + 1], plain[FERRY_DIGEST_LEN + 1];
  uint64_t raw_size, plain_size;
  ssize_t n;
  int ret = -1;

  if (to != FERRY_COMPRESSION_GZIP && to != FERRY_COMPRESSION_ZSTD)
    return ferry_make_error (err, EINVAL, "cannot compress the %s as %s", what, ferry_compression_name (to));
  if (encoder_init (&e, to, level, err) < 0)
    goto out;
  d = ferry_decompress_open (src_fd, what, err);
  if (d == NULL)
    goto out;
  buf = xmalloc (RECOMPRESS_IN_SIZE);
  while ((n = ferry_decompress_read (d, buf, RECOMPRESS_IN_SIZE, err)) > 0)
    if (encode (&e, buf, (size_t) n, false, err) < 0)
      goto out;
  if (n < 0 || ferry_decompress_drain (d, err) < 0)
    goto out;
  ferry_decompress_digests (d, raw, plain, &raw_size, &plain_size);
  /* What goes out must be the very layer the image's config names.  */
  if (strcmp (plain, diff_id) != 0)
    {
      ferry_make_error (err, 0,
                        "the %s unpacks to %s, not to the layer %s its image names: the image store "
                        "is damaged; pull or load the image again",
                        what, plain, diff_id);
      goto out;
    }
  if (encode (&e, NULL, 0, true, err) < 0)
    goto out;
  ferry_sha256_finish (e.hash, out->digest);
  e.hash = NULL;
  out->size = e.size;
  ret = 0;

out:
  if (d)
    ferry_decompress_close (d);
  encoder_release (&e);
  return ret;
}
