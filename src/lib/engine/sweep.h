/* ferry: `system prune --external`, removing the storage a killed ferry
 * can leave without a database row: container directories (the overlay's
 * upper and work directories, the container's files, its bundle) and
 * layer directories and blobs.  */
#ifndef FERRY_ENGINE_SWEEP_H
#define FERRY_ENGINE_SWEEP_H

#include "engine.h"

/* Removes every such leftover and puts the paths it removed in *REMOVED
 * (NULL-terminated, never NULL).  Only names ferry makes (64 hex digits)
 * are looked at, never through a symlink; a container whose lock another
 * ferry holds (being created, removed, restored) or that an operation
 * record names is left alone, as is everything a row names.  */
int ferry_storage_sweep (ferry_engine_t *e, char ***removed, ferry_error_t *err);

/* The IDs of containers that ferry_storage_sweep would remove the
 * directories of, removing nothing.  */
int ferry_storage_container_strays (ferry_engine_t *e, char ***found, ferry_error_t *err);

#endif
