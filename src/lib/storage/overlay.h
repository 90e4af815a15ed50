/* ferry: a container's root filesystem as an overlay mount: the image's
 * layer directories as lower dirs (top layer first), a per-container upper
 * and work dir.  The mount uses redirect_dir=off, metacopy=off and index=off
 * so that the upper dir alone, read with storage/changes.h, describes every
 * change exactly.  */
#ifndef FERRY_STORAGE_OVERLAY_H
#define FERRY_STORAGE_OVERLAY_H

#include "../util/error.h"

#include <stddef.h>

struct ferry_overlay
{
  char *dir;    /* the container's storage directory, owns the others */
  char *upper;  /* <dir>/upper */
  char *work;   /* <dir>/work */
  char *merged; /* <dir>/merged: the mount point */
};

/* Creates <dir>/{upper,work,merged} (mode 0700 for dir, 0755 for upper and
 * merged).  Existing directories are kept.  */
int ferry_overlay_create (const char *dir, struct ferry_overlay *out, ferry_error_t *err);

/* Fills OUT with the paths below DIR without touching the file system.  */
void ferry_overlay_paths (const char *dir, struct ferry_overlay *out);

/* Mounts the overlay at ov->merged.  LOWERS lists N layer directories, top
 * layer first; N may be 0 (an image with no layers: an empty lower dir is
 * used).  Works for any number of layers (no page-size limit on the option
 * string).  Mounting an already mounted overlay is not an error.  */
int ferry_overlay_mount (const struct ferry_overlay *ov, const char *const *lowers, size_t n,
                         ferry_error_t *err);

/* The same, each layer seen through an idmapped mount of user namespace
 * USERNS_FD (a container's mappings): files owned by ID N in a layer
 * appear owned by the host ID that N maps to.  The idmapped mounts are
 * detached ones, held by the overlay alone, so unmounting the overlay is
 * all there is to undo.  Needs Linux >= 6.8 (lowerdir+).  */
int ferry_overlay_mount_idmapped (const struct ferry_overlay *ov, const char *const *lowers, size_t n,
                                  int userns_fd, ferry_error_t *err);

/* Binds ROOT (a host directory, with what is mounted below it) at
 * ov->merged, for a container whose root is that directory itself:
 * upper and work stay unused.  Already bound is not an error.  */
int ferry_overlay_bind (const struct ferry_overlay *ov, const char *root, ferry_error_t *err);

/* Unmounts ov->merged, the overlay or a bind of ferry_overlay_bind; not
 * mounted is not an error.  */
int ferry_overlay_unmount (const struct ferry_overlay *ov, ferry_error_t *err);

/* Whether the overlay, or a bind of ferry_overlay_bind, is mounted.  */
int ferry_overlay_is_mounted (const struct ferry_overlay *ov);

/* Unmounts if needed and removes ov->dir entirely; refuses, removing
 * nothing, while ov->merged is still a mount point or holds files (a
 * bound directory is never the container storage's to remove).  */
int ferry_overlay_remove (const struct ferry_overlay *ov, ferry_error_t *err);

void ferry_overlay_free (struct ferry_overlay *ov);

#endif
