/* ferry: `update`, Podman's: new cgroup limits for an existing container.
 *
 * The record takes them (so a start, a restart, a restore in place or
 * from an archive, all of which make the spec from the record, keep
 * them), and a running or paused container gets them at once through the
 * runtime's `update`.  The runtime goes first: when it refuses, nothing
 * has changed.  A ferry killed between the two leaves the container
 * running with the new limits and a record with the old, which the next
 * start makes true again; running the update again settles it.  */
#ifndef FERRY_ENGINE_UPDATE_H
#define FERRY_ENGINE_UPDATE_H

#include "engine.h"
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
};

/* Updates container REF; *ID gets its full ID.  */
int ferry_container_update (ferry_engine_t *e, const char *ref, const struct ferry_update_options *o,
                            char **id, ferry_error_t *err);

#endif
