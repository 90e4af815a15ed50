/* ferry: per-blob progress lines for pull and push, redrawn in place on a
 * terminal (standard error), as Podman shows them.  Safe to update from
 * several threads.  */
#ifndef FERRY_IMAGE_PROGRESS_H
#define FERRY_IMAGE_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct ferry_progress ferry_progress_t;

/* Returns NULL (and every call below accepts NULL and does nothing) when
 * ENABLED is 0.  */
ferry_progress_t *ferry_progress_new (int enabled);

/* Adds a line "VERB KIND DIGEST..." for a blob of TOTAL bytes (0 when
 * unknown); returns its index.  */
int ferry_progress_add (ferry_progress_t *p, const char *kind, const char *digest, uint64_t total);
void ferry_progress_set (ferry_progress_t *p, int line, uint64_t done);
/* STATUS: "done", "skipped: already exists", "extracting", ...  */
void ferry_progress_status (ferry_progress_t *p, int line, const char *status);
/* Prints a line of its own: above the blob lines before there are any,
 * else below them, which then stay as they are (say it once they are
 * final).  */
void ferry_progress_say (ferry_progress_t *p, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Draws the final state and frees P.  */
void ferry_progress_finish (ferry_progress_t *p);

#endif
