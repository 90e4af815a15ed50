/* ferry: what `ferry info` says about the host, the store and the programs
 * ferry drives, as Podman's `podman info` says it.  */
#ifndef FERRY_ENGINE_INFO_H
#define FERRY_ENGINE_INFO_H

#include "engine.h"

#include <json-c/json.h>

/* { host, store, registries, plugins, version }, with Podman's member names
 * (camelCase), and host.criu for the CRIU ferry checkpoints with.  */
json_object *ferry_engine_info (ferry_engine_t *e, ferry_error_t *err);

/* NAME's value in the host's /etc/os-release, unquoted; "" when it has
 * none.  */
char *ferry_engine_os_release (const char *name);

#endif
