/* ferry CLI: --mount type=TYPE,... as Podman reads it (bind, glob,
 * volume, tmpfs, ramfs, devpts), into the engine's mount spec.  */
#ifndef FERRY_CLI_MOUNT_H
#define FERRY_CLI_MOUNT_H

#include "engine/container.h"
#include "util/error.h"

/* Fills M from SPEC, with Podman's messages for what it refuses.  A bind
 * mount's source is made absolute; whether it exists is the engine's to
 * check.  A glob's source is its pattern, and it may have no
 * destination (each match is then mounted at its own path).  */
int ferry_cli_parse_mount (const char *spec, struct ferry_mount_spec *m, ferry_error_t *err);

/* Frees what M holds (not M).  */
void ferry_cli_mount_spec_clear (struct ferry_mount_spec *m);

#endif
