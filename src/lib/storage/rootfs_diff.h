/* ferry: a container's root-filesystem changes as portable files, the
 * rootfs part of a checkpoint:
 *
 *   rootfs-diff.tar  the added and changed paths (from the overlay upper
 *                    dir), with owners, modes, times, xattrs (not
 *                    trusted.overlay.*), hard links and device nodes
 *   deleted.files    a JSON array of the deleted paths, as Podman writes it
 *
 * and applying them to a new container's upper dir.  */
#ifndef FERRY_STORAGE_ROOTFS_DIFF_H
#define FERRY_STORAGE_ROOTFS_DIFF_H

#include "changes.h"
#include "../util/error.h"

/* Writes TAR_PATH and DELETED_PATH from CHANGES, reading content from UPPER
 * (the upper dir).  Directories listed as changed are written as directory
 * entries (their own metadata), not recursively.  */
int ferry_rootfs_diff_export (const char *upper, const struct ferry_changes *changes, const char *tar_path,
                              const char *deleted_path, ferry_error_t *err);

/* Writes CHANGES as one OCI image layer at TAR_PATH: the entries
 * ferry_rootfs_diff_export writes, and an OCI whiteout (DIR/.wh.NAME) for
 * each deleted path.  */
int ferry_rootfs_diff_layer (const char *upper, const struct ferry_changes *changes, const char *tar_path,
                             ferry_error_t *err);

/* Applies DELETED_PATH (may be NULL or missing) as overlay whiteouts in
 * UPPER, then unpacks TAR_PATH (may be NULL or missing) into UPPER, both
 * refusing anything that would leave UPPER.  */
int ferry_rootfs_diff_apply (const char *upper, const char *tar_path, const char *deleted_path,
                             ferry_error_t *err);

#endif
