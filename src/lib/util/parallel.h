/* ferry: running independent jobs on a few threads.  */
#ifndef FERRY_UTIL_PARALLEL_H
#define FERRY_UTIL_PARALLEL_H

#include <stddef.h>

#include "error.h"

/* Calls FN (I, ARG) for every I below N on up to MAX_THREADS threads (the
 * caller's own when none can be started), handing out no new job once one
 * has failed (returned < 0).  Returns -1 when any failed, else 0; the jobs
 * keep their own errors.  */
int ferry_parallel_for (size_t n, size_t max_threads, int (*fn) (size_t i, void *arg), void *arg);

/* Jobs that each want a process of their own: what they call keeps state
 * that must not be shared (a database connection, locks that belong to a
 * process) or waits long (a container's stop timeout).  */
struct ferry_parallel_procs
{
  size_t n;         /* jobs 0 .. N-1 */
  size_t max_procs; /* at most this many processes at once */
  void *arg;
  /* In each worker process, once before its first job: what its jobs need
   * (an engine of its own); NULL with *ERR set fails every job it would
   * have taken.  */
  void *(*worker_start) (void *arg, ferry_error_t *err);
  /* In the worker, job I with what worker_start made; < 0 with *ERR set
   * when it failed, else a value handed on to done.  */
  int (*job) (size_t i, void *worker, void *arg, ferry_error_t *err);
  /* In the worker, after its last job.  */
  void (*worker_end) (void *worker);
  /* In the caller's process, for every I in order, once job I and every
   * job before it have ended: job's value and error (its kind and message
   * carried over; the error is the callee's to release).  A job whose
   * worker died without a word ends with -1 and an error saying so.  */
  void (*done) (size_t i, int r, ferry_error_t *err, void *arg);
  /* What job I acts on, for the errors the caller makes ("container x");
   * NULL: "job I".  */
  char *(*name) (size_t i, void *arg);
};

/* Runs P's jobs in forked worker processes, each taking the next job not
 * yet taken as it becomes free.  The caller's stdio is flushed first; a
 * worker leaves with _exit, so nothing of the caller's runs twice.  When no
 * worker can be forked the caller reports why for every job not done.
 * Returns 0 when every job ended with a value >= 0, else -1.  */
int ferry_parallel_procs_run (const struct ferry_parallel_procs *p);

#endif
