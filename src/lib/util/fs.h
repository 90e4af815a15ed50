/* ferry: file-system helpers shared by every module.  */
#ifndef FERRY_UTIL_FS_H
#define FERRY_UTIL_FS_H

#include "error.h"

#include <linux/openat2.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* mkdir -p, with MODE for every directory it creates.  */
int ferry_mkdir_p (const char *path, mode_t mode, ferry_error_t *err);

/* Reads a whole file; *out is NUL-terminated, *len excludes the NUL.  */
int ferry_read_file (const char *path, char **out, size_t *len, ferry_error_t *err);
int ferry_read_file_at (int dirfd, const char *name, char **out, size_t *len, ferry_error_t *err);
/* As ferry_read_file, for a file that should be small whatever it is (a
 * key, a passphrase, a pipe): fails with EFBIG past MAX bytes read.  */
int ferry_read_file_max (const char *path, size_t max, char **out, size_t *len, ferry_error_t *err);
/* Reads the open FD (called NAME in errors) to its end, failing past MAX
 * bytes; *OUT ends with a NUL not counted in *LEN.  */
int ferry_read_fd_max (int fd, const char *name, size_t max, char **out, size_t *len, ferry_error_t *err);

/* An existing PATH that is no regular file of its own (a device such as
 * /dev/null, a FIFO, a symlink such as /dev/stdout) is written where it
 * leads, as any program writes to it, Podman included: a file named PATH
 * in its place would replace the host's device node or link.  A regular
 * file reached through a link is written over from its start (created
 * with MODE when the link leads nowhere).  Its descriptor, or -1 with
 * *ERR set (a directory), or -2 when PATH is a regular file or not there,
 * to be made anew beside it.  */
int ferry_open_in_place (const char *path, mode_t mode, ferry_error_t *err);

/* A file that becomes PATH only when whole: unnamed (O_TMPFILE) in PATH's
 * directory while it is written, so that a ferry killed meanwhile leaves
 * nothing there, with MODE less the umask.  On a file system without
 * unnamed files, a hidden .NAME.tmp-XXXXXX beside PATH, in *NAMED (for
 * the caller to unlink when it gives up).  *DIRFD is PATH's directory,
 * for ferry_output_file_commit, and the caller's to close.  An existing
 * PATH that is no regular file (/dev/null, a FIFO, a symlink such as
 * /dev/stdout) is opened where it leads, to be written in place, with
 * *DIRFD -1; a directory is refused.
 * Returns the descriptor or -1.  */
int ferry_output_file_open (const char *path, mode_t mode, int *dirfd, char **named, ferry_error_t *err);

/* Syncs FD (from ferry_output_file_open, with its DIRFD and NAMED) and
 * gives it the name PATH, replacing what was there.  */
int ferry_output_file_commit (int fd, int dirfd, const char *path, const char *named, ferry_error_t *err);

/* Writes PATH atomically with exactly MODE: an unnamed file in PATH's
 * directory (O_TMPFILE; a fresh PATH.tmp-<PID>-<start time>-XXXXXX,
 * O_EXCL, where the file system has none), fsync, named PATH (through a
 * random name of that shape renamed over it when PATH exists), fsync of
 * the directory.  The temporary names of PATH whose writer is gone (a
 * kill between name and rename) are removed first: the rule for every
 * temporary-then-rename file is that the next write of it settles it.
 * An existing PATH that is no regular file (/dev/null, a FIFO, a symlink
 * such as /dev/stdout) is written where it leads; a directory is
 * refused.  */
int ferry_write_file_atomic (const char *path, const void *data, size_t len, mode_t mode, ferry_error_t *err);

/* As ferry_write_file_atomic, but whatever PATH is but a directory (a
 * symlink too) is replaced by the new file, never written through: for a
 * file of secrets, whose mode must be MODE.  */
int ferry_write_file_replace (const char *path, const void *data, size_t len, mode_t mode,
                              ferry_error_t *err);

/* Removes what a ferry_write_file_atomic of PATH killed before its
 * rename left beside it: PATH.tmp-<PID>-<start time>-XXXXXX (mkostemp's)
 * and PATH.tmp-<PID>-<start time>-<12 hexadecimal digits> (the name an
 * unnamed file gets for the instant before it replaces PATH), and the
 * same without the writer's PID and start time (ferry before 2026-12).
 * Only for a caller that holds the lock every writer of PATH holds:
 * another's may be at work.  Without that lock, ferry_write_file_atomic
 * removes the names whose writer is gone each time it writes PATH.  */
void ferry_remove_stale_temporaries (const char *path);

/* Writes all of BUF to FD, retrying on EINTR and short writes.  */
int ferry_write_all (int fd, const void *buf, size_t len);

/* Removes PATH and everything below it.  Never crosses into another mount:
 * a mount point below PATH is an error (EBUSY) rather than something to
 * empty.  A missing PATH is not an error.  */
int ferry_rm_rf (const char *path, ferry_error_t *err);
int ferry_rm_rf_at (int dirfd, const char *name, ferry_error_t *err);
/* The same, for clean-up paths whose failure changes nothing.  */
void ferry_rm_rf_quietly (const char *path);

int ferry_fsync_path (const char *path, ferry_error_t *err);

/* True when PATH is relative and has no "..", empty or "." components after
 * a leading "./" is dropped.  Paths inside archives must pass this.  */
int ferry_path_is_clean_relative (const char *path);

/* Drops leading "./" and "/" repetitions and trailing slashes; returns a new
 * string.  Does not make an unclean path clean.  */
char *ferry_path_normalize_entry (const char *path);

/* Creates a unique directory "<parent>/<prefix>XXXXXX" and returns its path.  */
char *ferry_mkdtemp_in (const char *parent, const char *prefix, ferry_error_t *err);

int ferry_path_exists (const char *path);

/* Whether the file system of PATH is full: less than 64 KiB free for an
 * unprivileged writer, as after a helper (CRIU, the runtime) failed on
 * it without saying why.  */
int ferry_fs_is_full (const char *path);

/* Gives PATH and everything below it to UID:GID, as chown -hR does:
 * symlinks themselves, never what they point to.  */
int ferry_chown_tree (const char *path, uid_t uid, gid_t gid, ferry_error_t *err);

/* Resolution that keeps every name inside DIRFD: ".." and absolute
 * symlinks stay in it, and no symlink, magic link or mount crossing is
 * followed at all.  */
#define FERRY_RESOLVE_SAFE (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)

/* openat2(2) with RESOLVE (RESOLVE_* flags), retried when a concurrent
 * rename made the kernel unsure (EAGAIN) or a signal came (EINTR).  */
int ferry_openat2 (int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve);

#endif
