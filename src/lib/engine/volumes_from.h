/* ferry engine: --volumes-from CTR[:OPTIONS], a container's volumes
 * mounted in a new one, with Podman's rules.  */
#ifndef FERRY_ENGINE_VOLUMES_FROM_H
#define FERRY_ENGINE_VOLUMES_FROM_H

#include "engine.h"
#include "../util/error.h"

#include <json-c/json.h>

/* SPEC is CTR, or CTR:OPTIONS with OPTIONS from ro, rw and z, separated
 * by commas; refused in Podman's words.  */
int ferry_volumes_from_check (const char *spec, ferry_error_t *err);

/* Adds to MOUNTS (a record's Mounts) the volumes, named and anonymous, of
 * the container each of SPECS names: the same volumes, not copies, never
 * removed with the new container.  A destination MOUNTS has already is
 * left as it is, and a later spec wins over an earlier one; :ro and :rw
 * set the mode, else each volume keeps the one it has there.  Binds are
 * carried too; tmpfs and the other mounts are not, as with Podman, and
 * WARN (may be NULL) is told of each in Podman's words.  */
int ferry_volumes_from_resolve (ferry_engine_t *e, char **specs, json_object *mounts,
                                void (*warn) (const char *msg), ferry_error_t *err);

#endif
