/* ferry: a layer blob written again in another compression, for push
 * --compression-format (and containers.conf's compression_format).
 *
 * The stored blob is read once, decompressed whatever it is (plain, gzip
 * or zstd, from its bytes), checked against the layer's diff_id, and
 * compressed again into a file, whose digest and size are computed as it
 * is written.  Nothing is held in memory but the buffers of the two
 * codecs: a layer of any size takes the same few megabytes.
 *
 * gzip is deflate in 1 MiB blocks on this host's cores (ISA-L's for
 * levels 1 to 6, zlib's for 7 to 9 and to store) in one gzip member with
 * no name and no time, and zstd is libzstd on this host's cores: both give
 * the same bytes for the same layer and level every time, so a second
 * push of the same image finds its recompressed blobs already in the
 * registry.  */
#ifndef FERRY_IMAGE_COMPRESS_H
#define FERRY_IMAGE_COMPRESS_H

#include "../util/decompress.h"
#include "../util/error.h"
#include "../util/hash.h"

#include <stdbool.h>
#include <stdint.h>

/* Podman's defaults (podman-push(1)): gzip 5, zstd 3.  */
#define FERRY_GZIP_DEFAULT_LEVEL 5
#define FERRY_ZSTD_DEFAULT_LEVEL 3

/* NAME as --compression-format gives it: "gzip" or "zstd".  zstd:chunked
 * (Podman's seekable zstd with a table of contents) is refused with the
 * fix; any other name with Podman's words.  */
int ferry_compression_parse (const char *name, enum ferry_compression *out, ferry_error_t *err);

/* Whether LEVEL suits C: gzip takes 0 to 9 (zlib's range), zstd what
 * libzstd takes (it clamps a level past its highest, as Podman's zstd
 * does).  */
int ferry_compression_level_check (enum ferry_compression c, int level, ferry_error_t *err);

struct ferry_recompressed
{
  char digest[FERRY_DIGEST_LEN + 1]; /* of the new blob */
  uint64_t size;                     /* of the new blob */
};

/* Reads the blob at SRC_FD (WHAT names it in errors), which must unpack
 * to DIFF_ID, and writes it compressed with TO at LEVEL to OUT_FD.  */
int ferry_layer_recompress (int src_fd, const char *what, const char *diff_id, enum ferry_compression to,
                            int level, int out_fd, struct ferry_recompressed *out, ferry_error_t *err);

#endif
