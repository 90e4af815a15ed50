/* ferry: per-blob progress lines for pull and push on standard error, as
 * Podman shows them: redrawn in place on a terminal, else one plain line
 * per blob as it starts.  Safe to update from several threads.  */
#ifndef FERRY_IMAGE_PROGRESS_H
#define FERRY_IMAGE_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct ferry_progress ferry_progress_t;

/* What a transfer shows: nothing, lines redrawn on a terminal, or (when
 * standard error is not a terminal) "Copying blob sha256:..." once per
 * blob, as Podman writes to a pipe or a file.  */
enum ferry_progress_mode
{
  FERRY_PROGRESS_OFF = 0,
  FERRY_PROGRESS_TERMINAL = 1,
  FERRY_PROGRESS_LINES = 2,
};

/* Returns NULL (and every call below accepts NULL and does nothing) when
 * MODE is FERRY_PROGRESS_OFF.  */
ferry_progress_t *ferry_progress_new (int mode);

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
