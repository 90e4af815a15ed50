/* ferry: what a container changed in its root filesystem, read from the
 * overlay upper dir against the image's layers.  The basis of `ferry diff`
 * and of the rootfs part of a checkpoint.
 *
 * Rules (paths are absolute inside the container, sorted by byte order):
 * - in upper, absent from the lower view          -> ADDED (children too)
 * - in upper and in the lower view                -> MODIFIED
 * - a whiteout in upper over a lower path         -> DELETED (that path only)
 * - an opaque dir in upper, or any dir below one (overlayfs merges nothing
 *   under an opaque dir, marked or not): each path directly in the lower
 *   view of that dir that upper does not have again -> DELETED
 * - a whiteout over nothing in the lower view is not a change.
 * The lower view honours the layers' own whiteouts and opaque dirs.  A
 * directory in upper where the lower view has a file (or the reverse) is
 * MODIFIED, and the new directory's children are ADDED.  */
#ifndef FERRY_STORAGE_CHANGES_H
#define FERRY_STORAGE_CHANGES_H

#include "../util/error.h"

#include <stddef.h>

enum ferry_change_kind
{
  FERRY_CHANGE_ADDED,
  FERRY_CHANGE_MODIFIED,
  FERRY_CHANGE_DELETED,
};

struct ferry_change
{
  char *path; /* "/etc/hosts" */
  enum ferry_change_kind kind;
};

struct ferry_changes
{
  struct ferry_change *items;
  size_t n;
};

/* LOWERS: layer directories, top layer first (as for ferry_overlay_mount).  */
int ferry_changes_compute (const char *upper, const char *const *lowers, size_t n_lowers,
                           struct ferry_changes *out, ferry_error_t *err);

void ferry_changes_free (struct ferry_changes *c);

/* 'A', 'C' or 'D', as `podman diff` prints.  */
char ferry_change_kind_letter (enum ferry_change_kind kind);

#endif
