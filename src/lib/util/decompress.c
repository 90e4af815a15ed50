/* ferry: gzip/zstd/plain byte streams with digests of both sides.
 *
 * The raw bytes are read into one buffer and hashed as they arrive; the
 * decoded bytes are hashed as they leave.  For a plain stream both digests
 * are the same, so it is hashed once.  */
#include "decompress.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <limits.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#define FERRY_DECOMPRESS_BUF_SIZE (128 * 1024)

struct ferry_decompress
{
  int fd;
  ferry_read_fn read_fn; /* instead of read(2) on fd, when set */
  void *read_ctx;
  char *what;
  enum ferry_compression kind;

  unsigned char *in;
  size_t in_size, in_pos, in_len;
  bool raw_eof;
  bool finished;

  ferry_sha256_t *raw_hash;
  ferry_sha256_t *out_hash;
  /* Set while ferry_decompress_drain_parallel runs: the hashes are updated
   * there, beside the decoding.  */
  ferry_hash_thread_t *raw_thread;
  ferry_hash_thread_t *out_thread;
  uint64_t raw_size, out_size;
  char raw_digest[FERRY_DIGEST_LEN + 1];
  char out_digest[FERRY_DIGEST_LEN + 1];

  /* gzip: ISA-L's inflate, which decodes about twice as fast as zlib's
   * here and checks each member's CRC-32 as zlib does.  The member's
   * header is read apart, into a header that lives as long as the stream:
   * isal_inflate's own header reading keeps what it learnt of a header
   * split over two calls in a local, and on the next call parses the rest
   * by whatever flags the state's memory holds.  */
  struct inflate_state *isal;
  struct isal_gzip_header gz_header;
  bool z_in_header;
  bool z_member_done;

  ZSTD_DStream *zstd;
  bool zstd_frame_done;
};

const char *
ferry_compression_name (enum ferry_compression c)
{
  switch (c)
    {
    case FERRY_COMPRESSION_GZIP:
      return "gzip";
    case FERRY_COMPRESSION_ZSTD:
      return "zstd";
    case FERRY_COMPRESSION_NONE:
    default:
      return "none";
    }
}

enum ferry_compression
ferry_decompress_kind (ferry_decompress_t *d)
{
  return d->kind;
}

/* Reads up to LEN raw bytes into BUF and hashes them.  Returns 0 at EOF.  */
static ssize_t
read_raw (ferry_decompress_t *d, void *buf, size_t len, ferry_error_t *err)
{
  ssize_t r;

  /* BUF is the input buffer, which the thread may still be hashing.  */
  if (d->raw_thread)
    ferry_hash_thread_wait (d->raw_thread);
  do
    r = d->read_fn ? d->read_fn (d->read_ctx, buf, len) : read (d->fd, buf, len);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    {
      ferry_make_error (err, errno, "cannot read `%s`", d->what);
      return -1;
    }
  if (r == 0)
    {
      d->raw_eof = true;
      return 0;
    }
  if (d->raw_hash && d->raw_thread)
    ferry_hash_thread_post (d->raw_thread, d->raw_hash, buf, r);
  else if (d->raw_hash)
    ferry_sha256_update (d->raw_hash, buf, r);
  d->raw_size += r;
  return r;
}

/* Refills the (fully consumed) input buffer.  */
static int
refill (ferry_decompress_t *d, ferry_error_t *err)
{
  ssize_t r = read_raw (d, d->in, d->in_size, err);

  if (r < 0)
    return -1;
  d->in_pos = 0;
  d->in_len = r;
  return 0;
}

/* Reads until the buffer holds enough bytes to tell the magic (pipes may
 * return short reads) or the stream ends.  */
static int
read_magic (ferry_decompress_t *d, ferry_error_t *err)
{
  while (d->in_len < 4 && ! d->raw_eof)
    {
      ssize_t r = read_raw (d, d->in + d->in_len, d->in_size - d->in_len, err);
      if (r < 0)
        return -1;
      d->in_len += r;
    }
  return 0;
}

/* Readies the decoder for a gzip member's header (the fields it may
 * carry, a name or an extra field, are skipped: no buffers).  */
static void
start_gzip_member (ferry_decompress_t *d)
{
  isal_gzip_header_init (&d->gz_header);
  d->z_in_header = true;
  d->z_member_done = false;
}

static int
init_decoder (ferry_decompress_t *d, ferry_error_t *err)
{
  if (d->kind == FERRY_COMPRESSION_GZIP)
    {
      d->isal = xmalloc (sizeof (*d->isal));
      isal_inflate_init (d->isal);
      start_gzip_member (d);
    }
  else if (d->kind == FERRY_COMPRESSION_ZSTD)
    {
      d->zstd = ZSTD_createDStream ();
      if (d->zstd == NULL || ZSTD_isError (ZSTD_initDStream (d->zstd)))
        return ferry_make_error (err, ENOMEM, "cannot initialize zstd decoder for `%s`", d->what);
    }
  return 0;
}

ferry_decompress_t *
ferry_decompress_open (int fd, const char *what, ferry_error_t *err)
{
  return ferry_decompress_open_with (fd, NULL, NULL, what, err);
}

ferry_decompress_t *
ferry_decompress_open_with (int fd, ferry_read_fn read_fn, void *read_ctx, const char *what,
                            ferry_error_t *err)
{
  ferry_decompress_t *d = xmalloc0 (sizeof (*d));

  d->fd = fd;
  d->read_fn = read_fn;
  d->read_ctx = read_ctx;
  d->what = xstrdup (what);
  d->in_size = FERRY_DECOMPRESS_BUF_SIZE;
  d->in = xmalloc (d->in_size);
  d->raw_hash = ferry_sha256_new ();
  if (read_magic (d, err) < 0)
    goto fail;
  d->kind = ferry_compression_from_magic (d->in, d->in_len);
  if (d->kind != FERRY_COMPRESSION_NONE)
    d->out_hash = ferry_sha256_new ();
  if (init_decoder (d, err) < 0)
    goto fail;
  return d;

fail:
  ferry_decompress_close (d);
  return NULL;
}

static void
finish (ferry_decompress_t *d)
{
  if (d->finished)
    return;
  d->finished = true;
  if (d->raw_thread)
    ferry_hash_thread_wait (d->raw_thread);
  if (d->out_thread)
    ferry_hash_thread_wait (d->out_thread);
  if (d->raw_hash)
    ferry_sha256_finish (d->raw_hash, d->raw_digest);
  d->raw_hash = NULL;
  if (d->out_hash)
    {
      ferry_sha256_finish (d->out_hash, d->out_digest);
      d->out_hash = NULL;
    }
  else
    memcpy (d->out_digest, d->raw_digest, sizeof (d->out_digest));
}

static ssize_t
read_plain (ferry_decompress_t *d, void *buf, size_t len, ferry_error_t *err)
{
  size_t n;

  if (d->in_pos < d->in_len)
    {
      n = d->in_len - d->in_pos;
      if (n > len)
        n = len;
      memcpy (buf, d->in + d->in_pos, n);
      d->in_pos += n;
      return n;
    }
  if (d->raw_eof)
    return 0;
  /* Straight into the caller's buffer: no copy for the common case.  */
  return read_raw (d, buf, len, err);
}

/* What ISA-L's inflate error CODE means.  */
static const char *
isal_error (int code)
{
  switch (code)
    {
    case ISAL_INVALID_BLOCK:
      return "invalid block";
    case ISAL_INVALID_SYMBOL:
      return "invalid code";
    case ISAL_INVALID_LOOKBACK:
      return "invalid distance too far back";
    case ISAL_INVALID_WRAPPER:
      return "incorrect header check";
    case ISAL_UNSUPPORTED_METHOD:
      return "unknown compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "incorrect data check";
    default:
      return "invalid data";
    }
}

static ssize_t
read_gzip (ferry_decompress_t *d, void *buf, size_t len, ferry_error_t *err)
{
  struct inflate_state *s = d->isal;

  if (len > UINT32_MAX)
    len = UINT32_MAX; /* ISA-L counts in 32 bits */
  for (;;)
    {
      size_t produced;
      int ret;

      if (d->in_pos == d->in_len && ! d->raw_eof && refill (d, err) < 0)
        return -1;
      if (d->z_member_done)
        {
          if (d->in_pos == d->in_len)
            return 0;
          /* Another member follows (pigz, concatenated files).  */
          isal_inflate_reset (s);
          start_gzip_member (d);
        }

      s->next_in = d->in + d->in_pos;
      s->avail_in = (uint32_t) (d->in_len - d->in_pos);
      if (d->z_in_header)
        {
          ret = isal_read_gzip_header (s, &d->gz_header);
          d->in_pos = d->in_len - s->avail_in;
          if (ret < 0)
            {
              ferry_make_error (err, 0, "corrupt gzip stream `%s`: %s", d->what, isal_error (ret));
              return -1;
            }
          if (ret == ISAL_DECOMP_OK)
            {
              /* The deflate data follows, then the trailer: CRC-32 and
               * size, both checked.  */
              d->z_in_header = false;
              s->crc_flag = ISAL_GZIP_NO_HDR_VER;
            }
          else if (d->in_pos == d->in_len && d->raw_eof)
            {
              ferry_make_error (err, 0, "truncated gzip stream `%s`", d->what);
              return -1;
            }
          continue;
        }
      s->next_out = buf;
      s->avail_out = (uint32_t) len;
      ret = isal_inflate (s);
      d->in_pos = d->in_len - s->avail_in;
      produced = len - s->avail_out;

      if (ret < 0)
        {
          ferry_make_error (err, 0, "corrupt gzip stream `%s`: %s", d->what, isal_error (ret));
          return -1;
        }
      /* Finished: the member's trailer is read and its CRC-32 checked.  */
      if (s->block_state == ISAL_BLOCK_FINISH)
        d->z_member_done = true;
      if (produced > 0)
        return produced;
      if (! d->z_member_done && d->in_pos == d->in_len && d->raw_eof)
        {
          ferry_make_error (err, 0, "truncated gzip stream `%s`", d->what);
          return -1;
        }
    }
}

static ssize_t
read_zstd (ferry_decompress_t *d, void *buf, size_t len, ferry_error_t *err)
{
  for (;;)
    {
      ZSTD_inBuffer in;
      ZSTD_outBuffer out = { buf, len, 0 };
      size_t ret;

      if (d->in_pos == d->in_len && ! d->raw_eof && refill (d, err) < 0)
        return -1;
      if (d->zstd_frame_done && d->in_pos == d->in_len)
        return 0;

      in.src = d->in + d->in_pos;
      in.size = d->in_len - d->in_pos;
      in.pos = 0;
      ret = ZSTD_decompressStream (d->zstd, &out, &in);
      d->in_pos += in.pos;
      if (ZSTD_isError (ret))
        {
          ferry_make_error (err, 0, "corrupt zstd stream `%s`: %s", d->what, ZSTD_getErrorName (ret));
          return -1;
        }
      /* 0 means a frame was decoded and flushed completely; another
       * frame may follow.  */
      d->zstd_frame_done = ret == 0;
      if (out.pos > 0)
        return out.pos;
      if (! d->zstd_frame_done && d->in_pos == d->in_len && d->raw_eof)
        {
          ferry_make_error (err, 0, "truncated zstd stream `%s`", d->what);
          return -1;
        }
    }
}

/* One read of the stream's kind: what is at hand, 0 at the end.  */
static ssize_t
read_some (ferry_decompress_t *d, void *buf, size_t len, ferry_error_t *err)
{
  switch (d->kind)
    {
    case FERRY_COMPRESSION_GZIP:
      return read_gzip (d, buf, len, err);
    case FERRY_COMPRESSION_ZSTD:
      return read_zstd (d, buf, len, err);
    case FERRY_COMPRESSION_NONE:
    default:
      return read_plain (d, buf, len, err);
    }
}

ssize_t
ferry_decompress_read (ferry_decompress_t *d, void *buf, size_t len, ferry_error_t *err)
{
  size_t got = 0;
  ssize_t r;

  if (d->finished || len == 0)
    return 0;
  /* Draining, BUF is filled: a decoder returns a block at a time, and a
   * hand-over to a hashing thread per block would cost more than it saves.  */
  do
    {
      r = read_some (d, (char *) buf + got, len - got, err);
      if (r < 0)
        return -1;
      got += r;
    }
  while (r > 0 && d->out_thread && got < len);
  /* A plain stream is hashed once, as raw bytes: both digests are the
   * same.  */
  if (got > 0 && d->kind != FERRY_COMPRESSION_NONE)
    {
      if (d->out_hash && d->out_thread)
        ferry_hash_thread_post (d->out_thread, d->out_hash, buf, got);
      else if (d->out_hash)
        ferry_sha256_update (d->out_hash, buf, got);
      d->out_size += got;
    }
  if (r == 0)
    finish (d);
  return got;
}

void
ferry_decompress_skip_digests (ferry_decompress_t *d)
{
  ferry_sha256_free (d->raw_hash);
  ferry_sha256_free (d->out_hash);
  d->raw_hash = NULL;
  d->out_hash = NULL;
}

int
ferry_decompress_drain (ferry_decompress_t *d, ferry_error_t *err)
{
  cleanup_free char *buf = NULL;
  ssize_t r;

  if (d->finished)
    return 0;
  buf = xmalloc (FERRY_DECOMPRESS_BUF_SIZE);
  do
    r = ferry_decompress_read (d, buf, FERRY_DECOMPRESS_BUF_SIZE, err);
  while (r > 0);
  return r < 0 ? -1 : 0;
}

/* Big enough that a thread's hand-over costs little beside its hashing.  */
#define DRAIN_BUF_SIZE (4 * 1024 * 1024)

int
ferry_decompress_drain_parallel (ferry_decompress_t *d, ferry_error_t *err)
{
  unsigned char *bufs[2];
  ssize_t r = 0;
  size_t k = 0;

  if (d->finished)
    return 0;
  /* What is left in the input buffer moves into a bigger one.  */
  {
    unsigned char *in = xmalloc (DRAIN_BUF_SIZE);

    memcpy (in, d->in + d->in_pos, d->in_len - d->in_pos);
    d->in_len -= d->in_pos;
    d->in_pos = 0;
    free (d->in);
    d->in = in;
    d->in_size = DRAIN_BUF_SIZE;
  }
  d->raw_thread = ferry_hash_thread_new ();
  d->out_thread = ferry_hash_thread_new ();
  /* Two output buffers: one decoded into while the thread hashes the
   * other (a post waits until the one before it is hashed).  */
  bufs[0] = xmalloc (DRAIN_BUF_SIZE);
  bufs[1] = xmalloc (DRAIN_BUF_SIZE);
  do
    {
      r = ferry_decompress_read (d, bufs[k], DRAIN_BUF_SIZE, err);
      k ^= 1;
    }
  while (r > 0);
  ferry_hash_thread_free (d->raw_thread);
  ferry_hash_thread_free (d->out_thread);
  d->raw_thread = d->out_thread = NULL;
  free (bufs[0]);
  free (bufs[1]);
  return r < 0 ? -1 : 0;
}

void
ferry_decompress_digests (ferry_decompress_t *d, char compressed[FERRY_DIGEST_LEN + 1],
                          char uncompressed[FERRY_DIGEST_LEN + 1], uint64_t *compressed_size,
                          uint64_t *uncompressed_size)
{
  /* Before the end there is no digest yet: empty strings, never garbage.  */
  if (compressed)
    strcpy (compressed, d->raw_digest);
  if (uncompressed)
    strcpy (uncompressed, d->out_digest);
  if (compressed_size)
    *compressed_size = d->raw_size;
  if (uncompressed_size)
    *uncompressed_size = d->kind == FERRY_COMPRESSION_NONE ? d->raw_size : d->out_size;
}

void
ferry_decompress_close (ferry_decompress_t *d)
{
  if (d == NULL)
    return;
  /* Never while a thread still reads a buffer or a hash.  */
  ferry_hash_thread_free (d->raw_thread);
  ferry_hash_thread_free (d->out_thread);
  free (d->isal);
  ZSTD_freeDStream (d->zstd);
  ferry_sha256_free (d->raw_hash);
  ferry_sha256_free (d->out_hash);
  free (d->in);
  free (d->what);
  free (d);
}
