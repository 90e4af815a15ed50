/* ferry: a container's cgroup freezer, driven directly.
 *
 * `runc pause`, `runc resume` and `runc kill --all` do no more than this,
 * through a program that takes 20-50 ms to start; a checkpoint needs them
 * up to three times while the container is frozen, and the time counts as
 * downtime.  The freezer is found from the container's process, and is
 * used only when its cgroup is named after the container: otherwise the
 * caller goes through the runtime.  */
#ifndef FERRY_RUNTIME_FREEZER_H
#define FERRY_RUNTIME_FREEZER_H

#include "../util/error.h"

#include <sys/types.h>

struct ferry_freezer
{
  char *dir; /* the cgroup's directory under /sys/fs/cgroup */
  int v2;    /* cgroup.freeze (v2) rather than freezer.state (v1) */
};

/* The freezer of process PID's cgroup, when that cgroup's name holds ID
 * (runc names it so: <parent>/<...>ID).  0 and F filled when found; -1
 * otherwise (no error is set: the caller falls back to the runtime).  */
int ferry_freezer_find (pid_t pid, const char *id, struct ferry_freezer *f);
void ferry_freezer_release (struct ferry_freezer *f);

/* Freezes every process of the cgroup and returns once the kernel says
 * they are, retrying as runc does while a v1 cgroup sticks in FREEZING.
 * Fails (thawed again) after about 10 s.  */
int ferry_freezer_freeze (const struct ferry_freezer *f, ferry_error_t *err);
int ferry_freezer_thaw (const struct ferry_freezer *f, ferry_error_t *err);

/* Sends SIGNAL to every process of the frozen cgroup, then thaws it, so
 * that a SIGKILL takes effect: what `runc kill --all` does.  */
int ferry_freezer_signal_all (const struct ferry_freezer *f, int signal, ferry_error_t *err);

#endif
