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

/* The containers in ferry's storage that no database row names: IDs of
 * the directories the above would remove, but those whose lock another
 * ferry holds (being made or removed now), each with the time its
 * directory was last changed as *CREATED (RFC 3339, UTC).  What `ps
 * --external` and `container exists --external` show, as Podman shows
 * the containers in its storage that Podman did not make: ferry's storage
 * is its own, so these are what a killed ferry left.  */
struct ferry_external_container
{
  char *id;
  char *created;
};
int ferry_storage_external_containers (ferry_engine_t *e, struct ferry_external_container **out, size_t *n,
                                       ferry_error_t *err);
void ferry_external_containers_free (struct ferry_external_container *v, size_t n);
/* Their IDs alone (system check).  */
int ferry_storage_container_strays (ferry_engine_t *e, char ***found, ferry_error_t *err);

#endif
