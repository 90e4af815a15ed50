/* ferry: volumes whose -o options mount a file system (type=, device=,
 * o=: volume_options.h), as Podman's local driver mounts them: on the
 * volume's _data directory, by mount(8) -t TYPE -o O DEVICE, while the
 * volume is in use, and unmounted when its last user is gone.
 *
 * The users of such a volume are not counted in a file that a kill could
 * leave wrong: they are found each time.  A volume stays mounted while
 *   - a container using it has a monitor (running, paused, initialized,
 *     stopping), or is locked by another ferry (being started, restored,
 *     removed), or has an operation in progress;
 *   - a container using a tmpfs or ramfs volume was checkpointed in place
 *     and waits for its restore: the file system holds the only copy of
 *     what the restored processes expect to find;
 *   - `volume mount` mounted it (a count in <runroot>/volume-mounts/NAME,
 *     which goes with the mounts at a reboot).
 * Mounting and unmounting happen under an exclusive flock of the
 * volume's directory.  A ferry killed after a mount leaves a mount whose
 * users the next command counts (ferry_volume_mounts_settle, run when
 * the engine opens): none, and it is unmounted.  */
#ifndef FERRY_ENGINE_VOLUME_MOUNT_H
#define FERRY_ENGINE_VOLUME_MOUNT_H

#include "container.h"
#include "engine.h"
#include "../util/error.h"

#include <json-c/json.h>

/* Checks OPTIONS (mounted ones) as far as can be without a mount: the
 * type is a file system the kernel knows, the device exists and is what
 * the type needs; then mounts them on TARGET in a mount namespace of a
 * child's own, which ends with it, so that what the kernel refuses is
 * refused now.  */
int ferry_volume_fs_check (json_object *options, const char *target, ferry_error_t *err);

/* Whether the directory PATH is a mount point; unmounts what is mounted
 * on it (every layer).  */
int ferry_volume_fs_is_mounted (const char *path);
int ferry_volume_fs_unmount (const char *path, ferry_error_t *err);

/* Mounts each mounted volume of C that is not mounted yet (C's lock is
 * held), and unmounts those C used that no one uses any more.  */
int ferry_volume_mounts_acquire (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err);
void ferry_volume_mounts_release (ferry_engine_t *e, const struct ferry_container *c);

/* `volume mount`: mounts NAME (when its options mount anything) and
 * counts one more user; `volume unmount`: one less, and unmounted when
 * no one uses it.  */
int ferry_volume_user_mount (ferry_engine_t *e, const char *name, ferry_error_t *err);
int ferry_volume_user_unmount (ferry_engine_t *e, const char *name, ferry_error_t *err);

/* How many users hold NAME mounted now (inspect's MountCount); 0 for a
 * volume that mounts nothing, as in Podman.  */
int ferry_volume_mount_count (ferry_engine_t *e, const char *name);

/* Unmounts what a killed ferry left mounted with no user.  */
void ferry_volume_mounts_settle (ferry_engine_t *e);

#endif
