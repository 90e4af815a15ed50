/* ferry: reading a container's log, which conmon writes in the k8s-file
 * format, one record per line:
 *
 *   2026-11-23T10:00:00.123456789+00:00 stdout F hello world
 *
 * (time, stream, "F" for a full line or "P" for a partial one that the next
 * record continues, then the text).  */
#ifndef FERRY_ENGINE_LOGS_H
#define FERRY_ENGINE_LOGS_H

#include "../util/error.h"

#include <stdint.h>

struct ferry_log_options
{
  int follow;        /* keep reading until DONE says the container is gone, or UNTIL_NS passes */
  int64_t tail;      /* only the last TAIL lines; -1 for all */
  int timestamps;    /* prefix each line with its time */
  const char *since; /* RFC 3339; NULL for all */
  /* Only lines from SINCE_NS, until UNTIL_NS (nanoseconds since the
   * epoch), when set.  */
  int has_since_ns, has_until_ns;
  int64_t since_ns, until_ns;
  const char *prefix; /* before every line (a container's name), or NULL */
  const char *color;  /* an ANSI colour sequence every line is written in (reset at its end), or NULL */
  /* Called while following, when no new data came for a while: returns
   * non-zero once the container has exited (then the rest is read and the
   * call returns).  */
  int (*done) (void *arg);
  void *done_arg;
};

/* Writes the log at PATH: stdout records to OUT_FD, stderr records to
 * ERR_FD, partial records joined to their line.  A missing log is empty.  */
int ferry_logs_read (const char *path, const struct ferry_log_options *o, int out_fd, int err_fd,
                     ferry_error_t *err);

#endif
