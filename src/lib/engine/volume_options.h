/* ferry: the -o options of `volume create` (Podman's local driver):
 * o=uid=N,gid=N (the owner of the volume's root), nocopy and copy, and
 * type=, device=, o=MOUNT-OPTIONS: a file system mounted on the volume's
 * directory while it is in use (volume_mount.h), as mount(8) -t TYPE -o
 * OPTIONS DEVICE would.  */
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

/* OPTIONS' string KEY, or NULL.  */
const char *ferry_volume_options_get (json_object *options, const char *key);
/* Whether OPTIONS make the volume a mount of a file system (type= or
 * device= given); whether that is a bind of a directory (o=bind); whether
 * its content lives only as long as the mount (tmpfs, ramfs).  */
int ferry_volume_options_mounted (json_object *options);
int ferry_volume_options_bind (json_object *options);
int ferry_volume_options_in_memory (json_object *options);

#endif
