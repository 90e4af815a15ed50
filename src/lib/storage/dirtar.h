/* ferry: a directory's whole content as a plain tar file, and back: the
 * volumes and /dev/shm parts of a checkpoint.  */
#ifndef FERRY_STORAGE_DIRTAR_H
#define FERRY_STORAGE_DIRTAR_H

#include "../util/error.h"

#include <stdbool.h>
#include <sys/types.h>

/* Writes everything below DIR (not DIR itself) into TAR_PATH, keeping
 * owners, modes, times, xattrs, hard links, symlinks and devices; never
 * follows a symlink and never crosses into another mount.  */
int ferry_tar_directory (const char *dir, const char *tar_path, ferry_error_t *err);

/* Unpacks TAR_PATH into DIR (which must exist), refusing escapes, with
 * FLAGS (FERRY_UNPACK_*); an entry refused is called NOUN ("volume
 * entry").  */
int ferry_untar_directory (const char *tar_path, const char *dir, unsigned flags, const char *noun,
                           ferry_error_t *err);

/* Writes the file or directory open at FD (O_PATH is enough) to OUT_FD as
 * a tar stream, named AS, a directory's content below AS/; with AS NULL,
 * a directory's content alone, each entry at its own name.  Never follows
 * a symlink below FD and leaves out other mounts below it.  WHAT names
 * FD's file in errors.  With CONTAINER_ROOT, FD is a container's root,
 * whose dev, proc and sys are left out, as Podman's cp leaves them out.  */
int ferry_tar_tree_to_fd (int fd, const char *as, int out_fd, const char *what, bool container_root,
                          ferry_error_t *err);

/* How ferry_tar_tree_to_fd_go writes what Podman writes.  */
struct ferry_tar_go_options
{
  /* The container's root, whose /etc/passwd and /etc/group name each
   * entry's owner (Podman's cp); -1: no names (its export).  */
  int rootfd;
  /* Every entry owned by UID and GID (cp: the container user's IDs on
   * the host), instead of its own owner's IDs.  */
  bool chown;
  uid_t uid;
  gid_t gid;
  /* A directory's name ends in a slash (export), or not (cp).  */
  bool dir_slash;
  /* The tree is the container's root: its dev, proc and sys are left
   * out, mounted or not, as Podman's cp leaves them out.  */
  bool container_root;
};

/* As ferry_tar_tree_to_fd, in the bytes Podman writes (Go's archive/tar
 * layout, util/gotar.h) as O says, times in whole seconds.  */
/* As ferry_tar_directory, in Go's archive/tar layout as O says (volume
 * export: owners as they are, without names), and as Podman's without
 * an entry for DIR itself: an import leaves the volume's own owner and
 * mode as they are, as Podman's does.  */
int ferry_tar_directory_go (const char *dir, const char *tar_path, const struct ferry_tar_go_options *o,
                            ferry_error_t *err);

int ferry_tar_tree_to_fd_go (int fd, const char *as, int out_fd, const char *what,
                             const struct ferry_tar_go_options *o, ferry_error_t *err);

#endif
