/* ferry: the -o options of `volume create` (Podman's local driver), as far
 * as ferry takes them: o=uid=N,gid=N (the owner of the volume's root),
 * nocopy and copy.  The options that make Podman mount a file system at
 * each start (type, device, size, inodes, noquota, uid, gid, any other
 * o=) are refused: ferry mounts none.  */
#ifndef FERRY_ENGINE_VOLUME_OPTIONS_H
#define FERRY_ENGINE_VOLUME_OPTIONS_H

#include "../util/error.h"

#include <json-c/json.h>

/* FERRY_VOLUME_ID_UNSET: no uid= or gid= given.  */
#define FERRY_VOLUME_ID_UNSET (-2LL)

struct ferry_volume_options
{
  json_object *options; /* as Podman shows them: each KEY as given (the last
                           one wins), and UID, GID from o= */
  long long uid, gid;   /* from o=; -1 (as Podman takes it) or unset: no change */
};

/* Parses ARGS (NULL-terminated "KEY=VALUE" or "KEY" words, may be NULL)
 * into OUT, which ferry_volume_options_release frees.  */
int ferry_volume_options_parse (char *const *args, struct ferry_volume_options *out, ferry_error_t *err);
void ferry_volume_options_release (struct ferry_volume_options *o);

/* From a volume's stored options: its uid or gid ("UID" or "GID") or
 * FERRY_VOLUME_ID_UNSET, and whether a copy-up is off (nocopy).  */
long long ferry_volume_options_id (json_object *options, const char *key);
int ferry_volume_options_nocopy (json_object *options);

#endif
