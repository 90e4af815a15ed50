/* ferry: a byte stream that undoes gzip or zstd compression, detected from
 * the magic bytes, while computing the sha256 of both the bytes read from
 * the descriptor and the bytes it returns.  Layers are verified by both
 * digests in one pass (the blob digest and the OCI diff_id).  */
#ifndef FERRY_UTIL_DECOMPRESS_H
#define FERRY_UTIL_DECOMPRESS_H

#include "error.h"
#include "hash.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

enum ferry_compression
{
  FERRY_COMPRESSION_NONE,
  FERRY_COMPRESSION_GZIP,
  FERRY_COMPRESSION_ZSTD,
};

/* The compression that the first bytes M (N of them) announce.  */
static inline enum ferry_compression
ferry_compression_from_magic (const unsigned char *m, size_t n)
{
  if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
    return FERRY_COMPRESSION_GZIP;
  if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
    return FERRY_COMPRESSION_ZSTD;
  return FERRY_COMPRESSION_NONE;
}

/* The compression of the file open at FD, read without moving its offset.  */
static inline enum ferry_compression
ferry_compression_of_fd (int fd)
{
  unsigned char m[4];
  ssize_t n = pread (fd, m, sizeof (m), 0);

  return ferry_compression_from_magic (m, n > 0 ? (size_t) n : 0);
}

typedef struct ferry_decompress ferry_decompress_t;

/* Takes ownership of nothing: FD stays the caller's.  Detects the
 * compression from the first bytes of FD.  WHAT names the stream in errors.  */
ferry_decompress_t *ferry_decompress_open (int fd, const char *what, ferry_error_t *err);

/* Reads like read(2), -1 with errno set on failure.  */
typedef ssize_t (*ferry_read_fn) (void *ctx, void *buf, size_t len);

/* Like ferry_decompress_open, with the raw bytes from READ_FN (READ_CTX)
 * instead of read(2) on FD when READ_FN is not NULL.  */
ferry_decompress_t *ferry_decompress_open_with (int fd, ferry_read_fn read_fn, void *read_ctx,
                                                const char *what, ferry_error_t *err);

/* Like read(2): returns bytes read, 0 at the end, -1 with *err set.  A
 * truncated compressed stream is an error, not an end.  */
ssize_t ferry_decompress_read (ferry_decompress_t *d, void *buf, size_t len, ferry_error_t *err);

/* Reads and hashes whatever is left (padding after a tar's end marker).  */
int ferry_decompress_drain (ferry_decompress_t *d, ferry_error_t *err);

/* Like drain, for a stream read only for its digests (a layer kept as its
 * blob): big reads, and both digests computed on threads of their own
 * beside the decoding.  */
int ferry_decompress_drain_parallel (ferry_decompress_t *d, ferry_error_t *err);

/* For readers that hash what they need themselves (the checkpoint reader
 * hashes each entry): stop computing the two stream digests, which then
 * read as empty.  */
void ferry_decompress_skip_digests (ferry_decompress_t *d);

enum ferry_compression ferry_decompress_kind (ferry_decompress_t *d);

/* Valid after the stream reached its end (read returned 0 or drain).  */
void ferry_decompress_digests (ferry_decompress_t *d, char compressed[FERRY_DIGEST_LEN + 1],
                               char uncompressed[FERRY_DIGEST_LEN + 1], uint64_t *compressed_size,
                               uint64_t *uncompressed_size);

void ferry_decompress_close (ferry_decompress_t *d);

const char *ferry_compression_name (enum ferry_compression c);

#endif
