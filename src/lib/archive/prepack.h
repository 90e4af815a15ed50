/* ferry: compressing CRIU's page images into the archive while CRIU is still
 * writing them.
 *
 * An export would otherwise dump (seconds for a large container), and only
 * then compress and write the archive (as long again).  A prepacker follows
 * each pages-*.img in the images directory as it grows and streams it into
 * the archive (ferry_archive_writer_begin_stream), hashing the raw bytes on
 * the way.  CRIU appends to its page images sequentially, so what is below a
 * file's current size is final; a file is done when CRIU closed it or when
 * the dump has ended.  While it runs the prepacker owns the writer.  */
#ifndef FERRY_ARCHIVE_PREPACK_H
#define FERRY_ARCHIVE_PREPACK_H

#include "archive.h"
#include "../util/error.h"

typedef struct ferry_prepack ferry_prepack_t;

/* Starts following IMAGES_DIR; files go into W as PREFIX/<name>.  W must
 * be able to stream (ferry_archive_writer_can_stream).
 *
 * N_FIFOS > 0 first makes pages-1.img ... pages-N.img named pipes: CRIU
 * numbers its page images from 1 in the order it writes them, and writes
 * into a FIFO as into a file, so its pages then flow straight into the
 * archive without ever being stored (a gigabyte of fresh tmpfs pages
 * costs as much as compressing them).  Images beyond N are files,
 * followed as above.  The FIFOs CRIU did not use are removed by
 * ferry_prepack_finish/free; the images directory then holds only real
 * files.  Not for images that must be kept (-k): those must be files.  */
ferry_prepack_t *ferry_prepack_start (const char *images_dir, const char *prefix, ferry_archive_writer_t *w,
                                      size_t n_fifos, ferry_error_t *err);

/* Says CRIU is done (its files are complete), lets the follower take what
 * is left, and waits for it.  The writer is the caller's again.  */
int ferry_prepack_finish (ferry_prepack_t *p, ferry_error_t *err);

/* Stops (if still running) and frees.  */
void ferry_prepack_free (ferry_prepack_t *p);

#endif
