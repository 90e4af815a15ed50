/* ferry: `image mount` and `image unmount`, an image's layers mounted
 * read-only on the host, as Podman's.
 *
 *   <root>/storage/image-mounts/<image id>/merged   the mount point
 *   <root>/storage/image-mounts/<image id>/count    how many mounts
 *
 * Each `image mount` adds one to the count and each `image unmount` takes
 * one away (--force: all); at zero the mount and its directory go, and
 * `rmi` of the image takes them too.  All of it under the storage lock.
 *
 * Crash safety: the count file exists (holding the old count) before the
 * mount is made, and the new count is written after it, so a ferry killed
 * in between leaves a directory whose count does not account for its
 * mount.  ferry_image_mounts_settle (every engine command runs it) removes
 * the mount of a directory whose count is zero or unreadable, and drops a
 * count whose mount is gone (a reboot).  */
#ifndef FERRY_IMAGE_MOUNT_H
#define FERRY_IMAGE_MOUNT_H

#include "store.h"

/* Mounts image REF read-only (one more user) and puts the mount point in
 * *PATH.  */
int ferry_image_mount (ferry_store_t *s, const char *ref, char **path, ferry_error_t *err);

/* One user less (FORCE: none); unmounts at none.  Not mounted is no
 * error.  *ID gets the image's ID when it was mounted, else NULL.  */
int ferry_image_unmount (ferry_store_t *s, const char *ref, int force, char **id, ferry_error_t *err);

/* The mount point of image ID while mounted, else NULL.  */
char *ferry_image_mountpoint (ferry_store_t *s, const char *id);

/* The IDs of the images mounted now (NULL-terminated), oldest first.  */
char **ferry_image_mounted (ferry_store_t *s);

/* Unmounts image ID and removes its mount directory: it is being removed.
 * The caller holds the storage lock.  */
void ferry_image_mount_drop (ferry_store_t *s, const char *id);

/* Settles what a killed mount or unmount left (see above).  */
void ferry_image_mounts_settle (ferry_store_t *s);

#endif
