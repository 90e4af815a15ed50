/* ferry: a directory's whole content as a plain tar file, and back: the
 * volumes and /dev/shm parts of a checkpoint.  */
#ifndef FERRY_STORAGE_DIRTAR_H
#define FERRY_STORAGE_DIRTAR_H

#include "../util/error.h"

#include <sys/types.h>

/* Writes everything below DIR (not DIR itself) into TAR_PATH, keeping
 * owners, modes, times, xattrs, hard links, symlinks and devices; never
 * follows a symlink and never crosses into another mount.  */
int ferry_tar_directory (const char *dir, const char *tar_path, ferry_error_t *err);

/* Unpacks TAR_PATH into DIR (which must exist), refusing escapes; an
 * entry refused is called NOUN ("volume entry").  */
int ferry_untar_directory (const char *tar_path, const char *dir, const char *noun, ferry_error_t *err);

/* Writes the file or directory open at FD (O_PATH is enough) to OUT_FD as
 * a tar stream, named AS, a directory's content below AS/; with AS NULL,
 * a directory's content alone, each entry at its own name.  Never follows
 * a symlink below FD and leaves out other mounts below it.  WHAT names
 * FD's file in errors.  */
int ferry_tar_tree_to_fd (int fd, const char *as, int out_fd, const char *what, ferry_error_t *err);

/* What a stream out of a container carries as Podman's cp writes it.  */
struct ferry_tar_cp_options
{
  int rootfd; /* the container's root: its /etc/passwd and /etc/group name the owners */
  uid_t uid;  /* every entry's owner, the container user's IDs on the host */
  gid_t gid;
};

/* As ferry_tar_tree_to_fd, in the bytes Podman's cp to standard output
 * writes (Go's archive/tar layout, util/gotar.h): every entry owned by
 * O's UID and GID but carrying the names its own owner has in the
 * container, times in whole seconds, a directory's name without a
 * trailing slash.  */
int ferry_tar_tree_to_fd_as_podman_cp (int fd, const char *as, int out_fd, const char *what,
                                       const struct ferry_tar_cp_options *o, ferry_error_t *err);

#endif
