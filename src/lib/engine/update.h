/* ferry: `update`, Podman's: new cgroup limits for an existing container.
 *
 * The record takes them (so a start, a restart, a restore in place or
 * from an archive, all of which make the spec from the record, keep
 * them), and a running or paused container gets them at once through the
 * runtime's `update`.  The runtime goes first: when it refuses, its old
 * limits go back and nothing has changed.  The new record is an
 * operation's (operation.h) from before the runtime is asked until it is
 * saved, so a ferry killed in between leaves an update the next ferry
 * finishes: the runtime gets the limits (again: that changes nothing
 * when it had them), the record is saved.
 *
 * The health check and the restart policy are the record's alone: a
 * start, a restore and `healthcheck run` read them from there.  */
#ifndef FERRY_ENGINE_UPDATE_H
#define FERRY_ENGINE_UPDATE_H

#include "engine.h"
#include "health.h"
#include "resources.h"

struct ferry_update_options
{
  /* --cpu-shares, --memory-swap, ...; the ones update takes (not
   * --cgroup-parent, --cgroups, --cgroup-conf, --device-cgroup-rule or
   * --oom-kill-disable, which Podman's update has not either).  */
  struct ferry_resource_options resources;
  int64_t memory;     /* bytes; 0: unchanged */
  int64_t nano_cpus;  /* CPUs * 1e9; 0: unchanged */
  int64_t pids_limit; /* 0: unchanged; -1: no limit */
  /* resources.memory_swap -1 changes nothing, as with Podman.  */
  /* --health-* and --no-healthcheck (health.h's
   * ferry_health_update_record); NULL: none given.  */
  const struct ferry_health_options *health;
  /* --restart POLICY[:N], as run takes it; NULL: unchanged.  */
  const char *restart;
};

/* Updates container REF; *ID gets its full ID.  */
int ferry_container_update (ferry_engine_t *e, const char *ref, const struct ferry_update_options *o,
                            char **id, ferry_error_t *err);

#endif
