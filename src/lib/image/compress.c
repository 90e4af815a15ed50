/* ferry: layer blobs compressed again (see compress.h).  */
#include "compress.h"
#include "../util/cleanup.h"
#include "../util/parallel.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/* Reads of the decoded layer, and the compressed bytes gathered before
 * each write.  */
#define RECOMPRESS_IN_SIZE (1024 * 1024)
#define RECOMPRESS_OUT_SIZE (1024 * 1024)

/* gzip goes in blocks of this size, each deflated on its own (no window
 * shared with the block before, as Go's pgzip, which Podman uses, does)
 * and on its own thread, ended by a sync flush so that the blocks make one
 * deflate stream in one gzip member.  Blocks sit at fixed offsets: the
 * bytes do not depend on the number of threads.  */
#define GZIP_BLOCK_SIZE (1024 * 1024)
#define GZIP_BLOCKS_PER_THREAD 2
/* gzip levels up to this one go through ISA-L's deflate (igzip), which on
 * this kind of machine compresses a layer 15 to 20 times as fast as
 * zlib's level 5 for 1 to 4% more bytes (bench/push-compress.sh), as fast
 * as Go's, which Podman uses, and smaller; the levels above it ask for the
 * smallest output, which zlib's slow search gives.  Level 0 stores.  */
#define GZIP_FAST_MAX_LEVEL 6

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

struct gzip_block
{
  const unsigned char *in;
  size_t in_len;
  bool last;
  unsigned char *out;
  size_t out_cap, out_len;
  uLong crc;
  int level;
  bool failed;
  /* ISA-L's working memory for its level, kept between batches.  */
  unsigned char *isal_buf;
  size_t isal_buf_size;
};

struct encoder
{
  enum ferry_compression kind;
  /* gzip: the input gathered for the next batch of blocks.  */
  unsigned char *batch;
  size_t batch_len, batch_cap;
  struct gzip_block *blocks;
  size_t n_blocks_max;
  int threads, level;
  uLong crc;
  uint64_t plain_size;
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
      e->threads = cpus > 1 ? (int) cpus : 1;
      e->level = level;
      e->n_blocks_max = (size_t) e->threads * GZIP_BLOCKS_PER_THREAD;
      e->batch_cap = e->n_blocks_max * GZIP_BLOCK_SIZE;
      e->batch = xmalloc (e->batch_cap);
      e->blocks = xmalloc0 (sizeof (*e->blocks) * e->n_blocks_max);
      e->crc = crc32 (0, Z_NULL, 0);
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
  for (size_t i = 0; e->blocks && i < e->n_blocks_max; i++)
    {
      free (e->blocks[i].out);
      free (e->blocks[i].isal_buf);
    }
  free (e->blocks);
  free (e->batch);
  ZSTD_freeCCtx (e->zstd);
  free (e->out);
  if (e->hash)
    ferry_sha256_free (e->hash);
}

static int
emit_bytes (struct encoder *e, const unsigned char *p, size_t len, ferry_error_t *err)
{
  size_t left = len;

  ferry_sha256_update (e->hash, p, len);
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

static int
emit (struct encoder *e, size_t len, ferry_error_t *err)
{
  return emit_bytes (e, e->out, len, err);
}

/* Whether LEN bytes at P look incompressible: their byte frequencies so
 * near uniform that an order-0 coder would save under about 1% (a
 * chi-square under 1.4% of LEN, an entropy above about 7.99 bits a byte),
 * as in files compressed already and random data.  Deflate's match search
 * finds nothing there and costs as much as for text, so such a block is
 * stored, as Go's flate (Podman's) also notices.  The bytes depend on the
 * block's content only.  */
static bool
looks_incompressible (const unsigned char *p, size_t len)
{
  uint64_t count[256] = { 0 }, squares = 0;

  if (len < 4096)
    return false;
  for (size_t i = 0; i < len; i++)
    count[p[i]]++;
  for (int c = 0; c < 256; c++)
    squares += count[c] * count[c];
  /* chi2 = 256 * squares / len - len < 0.014 * len  */
  return squares * 256 * 1000 < (uint64_t) len * len * 1014;
}

/* B's output buffer with room for at least NEED bytes, its content kept.  */
static void
block_reserve (struct gzip_block *b, size_t need)
{
  if (b->out_cap >= need)
    return;
  b->out = xrealloc (b->out, need);
  b->out_cap = need;
}

/* B with zlib at LEVEL: a raw deflate stream ended by a sync flush (the
 * last by the final block).  */
static int
deflate_zlib (struct gzip_block *b, int level)
{
  z_stream z;
  int r;

  memset (&z, 0, sizeof (z));
  if (deflateInit2 (&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    return -1;
  /* deflateBound covers a finished stream; a sync flush adds its empty
   * stored block.  */
  block_reserve (b, deflateBound (&z, b->in_len) + 16);
  z.next_in = (unsigned char *) b->in;
  z.avail_in = (uInt) b->in_len;
  z.next_out = b->out;
  z.avail_out = (uInt) b->out_cap;
  r = deflate (&z, b->last ? Z_FINISH : Z_SYNC_FLUSH);
  b->out_len = b->out_cap - z.avail_out;
  deflateEnd (&z);
  if ((b->last && r != Z_STREAM_END) || (! b->last && (r != Z_OK || z.avail_in != 0)))
    return -1;
  return 0;
}

/* B with ISA-L at gzip LEVEL (1 to GZIP_FAST_MAX_LEVEL, which are its 1 to
 * 3): the same kind of stream as deflate_zlib's.  */
static int
deflate_isal (struct gzip_block *b, int level)
{
  static const size_t buf_sizes[]
      = { 0, ISAL_DEF_LVL1_DEFAULT, ISAL_DEF_LVL2_DEFAULT, ISAL_DEF_LVL3_DEFAULT };
  int isal_level = level <= 1 ? 1 : level <= 3 ? 2 : 3;
  struct isal_zstream s;

  if (b->isal_buf_size < buf_sizes[isal_level])
    {
      free (b->isal_buf);
      b->isal_buf = xmalloc (buf_sizes[isal_level]);
      b->isal_buf_size = buf_sizes[isal_level];
    }
  isal_deflate_init (&s);
  s.level = (uint32_t) isal_level;
  s.level_buf = b->isal_buf;
  s.level_buf_size = (uint32_t) buf_sizes[isal_level];
  s.gzip_flag = IGZIP_DEFLATE;
  s.flush = b->last ? NO_FLUSH : SYNC_FLUSH;
  s.end_of_stream = b->last;
  s.next_in = (uint8_t *) b->in;
  s.avail_in = (uint32_t) b->in_len;
  /* Incompressible input comes out in stored blocks, a little longer.  */
  block_reserve (b, b->in_len + b->in_len / 16 + 4096);
  for (;;)
    {
      bool done;

      s.next_out = b->out + s.total_out;
      s.avail_out = (uint32_t) (b->out_cap - s.total_out);
      if (isal_deflate (&s) != COMP_OK)
        return -1;
      done = b->last ? s.internal_state.state == ZSTATE_END
                     : s.avail_in == 0 && s.internal_state.state == ZSTATE_NEW_HDR;
      if (done)
        break;
      if (s.avail_out != 0)
        return -1;
      block_reserve (b, b->out_cap * 2);
    }
  b->out_len = s.total_out;
  return 0;
}

/* One block, on a thread of its own: a raw deflate stream ended by a sync
 * flush (the last by the final block), and its CRC-32.  Each block starts
 * a deflate stream of its own, so blocks made by either library join.  */
static int
deflate_block (size_t i, void *arg)
{
  struct gzip_block *b = &((struct gzip_block *) arg)[i];
  int level = looks_incompressible (b->in, b->in_len) ? 0 : b->level;

  b->failed = true;
  if ((level >= 1 && level <= GZIP_FAST_MAX_LEVEL ? deflate_isal (b, level) : deflate_zlib (b, level)) < 0)
    return -1;
  b->crc = crc32 (0, b->in, (uInt) b->in_len);
  b->failed = false;
  return 0;
}

/* Deflates the gathered input, LAST when the stream ends with it, and
 * writes it out in order.  */
static int
gzip_flush_batch (struct encoder *e, bool last, ferry_error_t *err)
{
  size_t n = 0, off = 0, i;

  if (e->size == 0)
    {
      /* The member's header: no name, no time, this OS Unix.  */
      static const unsigned char header[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };

      if (emit_bytes (e, header, sizeof (header), err) < 0)
        return -1;
    }
  do
    {
      size_t len = e->batch_len - off < GZIP_BLOCK_SIZE ? e->batch_len - off : GZIP_BLOCK_SIZE;
      struct gzip_block *b = &e->blocks[n++];

      b->in = e->batch + off;
      b->in_len = len;
      b->level = e->level;
      off += len;
      b->last = last && off == e->batch_len;
    }
  while (off < e->batch_len);
  ferry_parallel_for (n, (size_t) e->threads, deflate_block, e->blocks);
  for (i = 0; i < n; i++)
    {
      struct gzip_block *b = &e->blocks[i];

      if (b->failed)
        return ferry_make_error (err, 0, "cannot gzip the %s: zlib error", e->what);
      if (emit_bytes (e, b->out, b->out_len, err) < 0)
        return -1;
      e->crc = crc32_combine (e->crc, b->crc, (z_off_t) b->in_len);
      e->plain_size += b->in_len;
    }
  e->batch_len = 0;
  if (last)
    {
      unsigned char trailer[8];
      uint32_t c = (uint32_t) e->crc, l = (uint32_t) e->plain_size;

      for (i = 0; i < 4; i++)
        {
          trailer[i] = (unsigned char) (c >> (8 * i));
          trailer[4 + i] = (unsigned char) (l >> (8 * i));
        }
      return emit_bytes (e, trailer, sizeof (trailer), err);
    }
  return 0;
}

/* Compresses LEN bytes of DATA; with FINISH, ends the stream.  */
static int
encode (struct encoder *e, const void *data, size_t len, bool finish, ferry_error_t *err)
{
  if (e->kind == FERRY_COMPRESSION_GZIP)
    {
      const unsigned char *p = data;

      while (len > 0)
        {
          size_t take;

          /* A full batch waits for more input: only then is it known
           * whether its last block ends the stream.  */
          if (e->batch_len == e->batch_cap && gzip_flush_batch (e, false, err) < 0)
            return -1;
          take = e->batch_cap - e->batch_len < len ? e->batch_cap - e->batch_len : len;
          memcpy (e->batch + e->batch_len, p, take);
          e->batch_len += take;
          p += take;
          len -= take;
        }
      if (finish)
        return gzip_flush_batch (e, true, err);
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
