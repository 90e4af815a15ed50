/* ferry: what runs in a container (`top`), read from /proc, as Podman
 * shows it.  */
#ifndef FERRY_ENGINE_TOP_H
#define FERRY_ENGINE_TOP_H

#include "engine.h"

#include <stddef.h>

/* Rows of cells, the first row the headers.  */
struct ferry_table
{
  char **cells; /* row-major */
  size_t rows, cols;
};

void ferry_table_free (struct ferry_table *t);

/* True when every one of DESCRIPTORS is one `top` knows (args, comm, etime,
 * group, hgroup, hpid, huser, nice, pcpu, pgid, pid, ppid, rgroup, ruser,
 * seccomp, state, stime, time, tty, user, vsz); each may be a
 * comma-separated list.  */
int ferry_top_descriptors_known (char **descriptors);

/* The processes of the running (or paused) container REF, one row each in
 * PID order, with the columns DESCRIPTORS name (NULL or empty: user, pid,
 * ppid, pcpu, etime, tty, time, args).  Not running: kind STATE.  */
int ferry_container_top (ferry_engine_t *e, const char *ref, char **descriptors, struct ferry_table *out,
                         ferry_error_t *err);

/* Go's time.Duration text of NS nanoseconds: "1m2.5s", "350ms", "0s".  */
char *ferry_go_duration (long long ns);

#endif
