/* ferry: copying files between the host and a container (`cp`), and a
 * container's whole file system as a tar stream (`export`).
 *
 * A path inside the container is resolved only below the container's root
 * (openat2 with RESOLVE_IN_ROOT, symlinks followed one at a time as the
 * container would follow them), so no symlink the container controls can
 * lead a read or a write to the host.  What comes in is unpacked with the
 * safe unpacker (storage/unpack.h) below the destination directory, and
 * what goes out is unpacked the same way on the host: a container's file
 * named `../x` or a symlink it made never moves a write elsewhere.  On the
 * host, copies belong to the caller, without setuid or setgid bits, and a
 * device node is refused: a container's files grant nothing there.
 *
 * A running or paused container is reached through its init process's
 * root, so its mounts (volumes, /etc/hosts) are seen as it sees them; a
 * stopped one has its overlay mounted for the copy, with its volumes and
 * bind mounts (each mount point resolved below the root, as the runtime
 * does), in a mount namespace the calling process takes for itself
 * (unshare) so that the mounts end with it.  */
#ifndef FERRY_ENGINE_COPY_H
#define FERRY_ENGINE_COPY_H

#include "engine.h"

struct ferry_copy_options
{
  /* Into a container: the copies belong to the container's user (Podman's
   * default); 0 keeps the owners the files or the tar stream have.  */
  int archive;
  /* A directory may replace a non-directory, and the reverse.  */
  int overwrite;
};

/* `cp CTR:SRC DEST`: into the host path DEST, or with DEST NULL as a tar
 * stream on OUT_FD.  */
int ferry_copy_from_container (ferry_engine_t *e, const char *ref, const char *src, const char *dest,
                               int out_fd, const struct ferry_copy_options *o, ferry_error_t *err);

/* `cp SRC CTR:DEST`: the host path SRC, or with SRC NULL a tar stream read
 * from IN_FD, which DEST (a directory) receives.  */
int ferry_copy_into_container (ferry_engine_t *e, const char *src, int in_fd, const char *ref,
                               const char *dest, const struct ferry_copy_options *o, ferry_error_t *err);

/* `cp CTR1:SRC CTR2:DEST`, both resolved in their own containers (which
 * may be one).  */
int ferry_copy_between_containers (ferry_engine_t *e, const char *src_ref, const char *src,
                                   const char *dest_ref, const char *dest, const struct ferry_copy_options *o,
                                   ferry_error_t *err);

/* `export`: the container's root file system (its mounts left out) as a tar
 * stream on OUT_FD.  */
int ferry_container_export (ferry_engine_t *e, const char *ref, int out_fd, ferry_error_t *err);

#endif
