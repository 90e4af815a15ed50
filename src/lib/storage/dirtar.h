/* ferry: a directory's whole content as a plain tar file, and back: the
 * volumes and /dev/shm parts of a checkpoint.  */
#ifndef FERRY_STORAGE_DIRTAR_H
#define FERRY_STORAGE_DIRTAR_H

#include "../util/error.h"

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
 * FD's file in errors.  */
int ferry_tar_tree_to_fd (int fd, const char *as, int out_fd, const char *what, ferry_error_t *err);

#endif
