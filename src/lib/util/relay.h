/* ferry: a byte relay between two connected sockets, on a thread of its
 * own: what one end sends the other receives, both ways, until both ways
 * have ended (an end of file is passed on as a shutdown of writing), or
 * either fails.  */
#ifndef FERRY_UTIL_RELAY_H
#define FERRY_UTIL_RELAY_H

#include "error.h"

#include <stdint.h>

typedef struct ferry_relay ferry_relay_t;

/* Starts relaying between A and B, which it takes (and closes).  */
ferry_relay_t *ferry_relay_start (int a, int b, ferry_error_t *err);

/* Waits for the relay to end, or, with ABORT, ends it at once (both ends
 * shut down), and frees it.  Returns 0 when both ways ended cleanly.  NULL
 * is a relay that never started: 0.  */
int ferry_relay_finish (ferry_relay_t *r, int abort);

/* Bytes moved so far, both ways together.  */
uint64_t ferry_relay_bytes (const ferry_relay_t *r);

#endif
