/* ferry: the flags of a restored container's bind mounts, put back.
 *
 * CRIU (seen with 4.2, in both of its mount engines) restores the second
 * bind mount of one host directory as a bind of the first, and leaves it
 * without its own flags: a container run with `-v /x:/a:ro -v /x:/b:ro`
 * comes back with /b writable, and without nosuid and nodev, so that it
 * can write to the host through a read-only mount.  runc cannot be told;
 * but CRIU runs an action script at each stage of a restore, and at
 * "pre-resume" every mount is in place while no restored process has run
 * yet.  There the script has ferry remount each bind mount of the
 * container's config.json with the flags it asks for.  */
#ifndef FERRY_RUNTIME_MOUNT_FLAGS_H
#define FERRY_RUNTIME_MOUNT_FLAGS_H

#include "../util/error.h"

#include <json-c/json.h>
#include <sys/types.h>

/* True when two bind mounts of SPEC (an OCI config) have the same source
 * (the same file or directory on the host).  */
int ferry_mount_flags_shared_sources (json_object *spec);

/* Enters the mount namespace of process PID and remounts every bind mount
 * of the OCI config at CONFIG_PATH that lacks one of the flags its options
 * ask for (ro, nosuid, nodev, noexec) with them.  Call it from a process
 * of its own: it stays in that namespace.  */
int ferry_mount_flags_restore (const char *config_path, pid_t pid, ferry_error_t *err);

#endif
