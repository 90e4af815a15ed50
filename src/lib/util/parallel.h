/* ferry: running independent jobs on a few threads.  */
#ifndef FERRY_UTIL_PARALLEL_H
#define FERRY_UTIL_PARALLEL_H

#include <stddef.h>

/* Calls FN (I, ARG) for every I below N on up to MAX_THREADS threads (the
 * caller's own when none can be started), handing out no new job once one
 * has failed (returned < 0).  Returns -1 when any failed, else 0; the jobs
 * keep their own errors.  */
int ferry_parallel_for (size_t n, size_t max_threads, int (*fn) (size_t i, void *arg), void *arg);

#endif
