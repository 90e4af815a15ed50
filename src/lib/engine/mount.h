/* ferry: `mount` and `unmount`, a container's root file system mounted on
 * the host for its user, as Podman's.
 *
 * Each `mount` adds one to the container's mount count and each `unmount`
 * takes one away (--force: all); the root file system stays mounted while
 * the count is above zero or the container has a monitor (running,
 * paused, initialized), and never goes from under a container that has
 * one.  The count lives in the runroot (<runroot>/mounts/<id>), so that it
 * goes with the mounts at a reboot, and changes only under the container's
 * lock, written atomically.
 *
 * Crash safety: the file exists (holding the old count) before a mount
 * is made, and the new count is written only after the mount, so a ferry
 * killed half-way leaves at worst a mount its count does not account
 * for, and a file naming it.  ferry_mounts_settle, which every command
 * runs first, finds such a file: a count of zero with no monitor is
 * unmounted, a count whose mount is gone (unmounted behind ferry's back)
 * is dropped.  */
#ifndef FERRY_ENGINE_MOUNT_H
#define FERRY_ENGINE_MOUNT_H

#include "container.h"
#include "engine.h"

/* Mounts container REF's root file system (one more user of it) and puts
 * the mount point in *PATH.  */
int ferry_container_mount (ferry_engine_t *e, const char *ref, char **path, ferry_error_t *err);

/* One user less (FORCE: none); unmounts when none is left and the
 * container has no monitor.  Not mounted is no error.  */
int ferry_container_unmount (ferry_engine_t *e, const char *ref, int force, ferry_error_t *err);

/* C's mount point while its root file system is mounted, else NULL.  */
char *ferry_container_mountpoint (ferry_engine_t *e, const struct ferry_container *c);

/* How many times C's root file system is mounted by `mount`.  */
int ferry_container_mount_count (ferry_engine_t *e, const char *id);

/* Drops ID's count: the container is being removed.  */
void ferry_container_mount_forget (ferry_engine_t *e, const char *id);

/* Settles the counts a killed ferry left (see above).  */
void ferry_mounts_settle (ferry_engine_t *e);

#endif
