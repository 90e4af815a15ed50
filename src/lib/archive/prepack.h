/* ferry: compressing CRIU's page images while CRIU is still writing them.
 *
 * An export would otherwise dump (seconds for a large container) and only
 * then compress (as long again).  A prepacker follows each pages-*.img in the
 * images directory as it grows and compresses it into a file of its own, in
 * zstd frames, hashing the raw bytes as it goes; the archive writer then
 * copies those frames in (ferry_archive_writer_use_precompressed), because
 * concatenated frames are one stream to every reader.  CRIU appends to its
 * page images sequentially, so what is below a file's current size is
 * final.  */
#ifndef FERRY_ARCHIVE_PREPACK_H
#define FERRY_ARCHIVE_PREPACK_H

#include "../util/error.h"
#include "../util/hash.h"

#include <stdint.h>

typedef struct ferry_prepack ferry_prepack_t;

struct ferry_prepacked
{
  char *name; /* relative to the images dir: "pages-1.img" */
  char *path; /* the compressed form */
  uint64_t size;
  char sha256[FERRY_DIGEST_LEN + 1];
};

/* Starts following IMAGES_DIR, writing compressed forms into OUT_DIR (an
 * existing directory outside IMAGES_DIR) with zstd at LEVEL (0: 1).  */
ferry_prepack_t *ferry_prepack_start (const char *images_dir, const char *out_dir, int level,
                                      ferry_error_t *err);

/* Says CRIU is done (its files are complete), lets the follower read what
 * is left, and waits for it.  Then *OUT lists N prepacked files.  */
int ferry_prepack_finish (ferry_prepack_t *p, const struct ferry_prepacked **out, size_t *n,
                          ferry_error_t *err);

/* Stops (if still running) and frees; the compressed files stay.  */
void ferry_prepack_free (ferry_prepack_t *p);

#endif
