/* ferry: unpacking a tar stream (an OCI layer, a rootfs diff) into a
 * directory, safely.
 *
 * Every entry must land inside DEST: absolute names (unless asked to
 * take them below DEST), ".." components, and
 * writes through a symlink (a parent that is a symlink, a hard link whose
 * target is outside or reached through a symlink) are refused with an error
 * that names the entry.  Ownership, modes (setuid included), timestamps
 * (directories' after their children), xattrs, hard links, symlinks, FIFOs
 * and device nodes are kept.  */
#ifndef FERRY_STORAGE_UNPACK_H
#define FERRY_STORAGE_UNPACK_H

#include "../util/error.h"
#include "../util/decompress.h"
#include "../util/hash.h"

#include <stdint.h>
#include <sys/types.h>

enum
{
  /* OCI whiteouts become overlayfs whiteouts, so that DEST can be used as an
   * overlay lower (or upper) directory:
   *   dir/.wh.NAME      -> dir/NAME as a 0:0 character device
   *   dir/.wh..wh..opq  -> xattr trusted.overlay.opaque="y" on dir
   * Other ".wh..wh." names are dropped.  Without this flag whiteout-shaped
   * names are ordinary files.  */
  FERRY_UNPACK_OVERLAY_WHITEOUTS = 1 << 0,
  /* Every entry gets the owner of ferry_unpack_options, not its own.  */
  FERRY_UNPACK_CHOWN = 1 << 1,
  /* A directory already there is never replaced by a non-directory, nor a
   * non-directory by a directory: kind FERRY_ERROR_EXISTS.  */
  FERRY_UNPACK_KEEP_TYPES = 1 << 2,
  /* For a stream from an untrusted source onto the host: setuid and setgid
   * bits are dropped, and a device node is an error.  */
  FERRY_UNPACK_NO_SETID = 1 << 3,
  FERRY_UNPACK_NO_DEVICES = 1 << 4,
  /* Absolute entry names and hard-link targets ("/data/x") are taken
   * below DEST, their leading slashes dropped, as Podman's volume import
   * takes them; ".." is refused all the same, and so is a relative
   * symlink whose target climbs above DEST, as Podman refuses it.  */
  FERRY_UNPACK_ROOTED_NAMES = 1 << 5,
};

struct ferry_unpack_options
{
  unsigned flags; /* FERRY_UNPACK_* */
  uid_t uid;      /* with FERRY_UNPACK_CHOWN */
  gid_t gid;
  /* What an entry of the stream is called in errors ("volume entry");
   * NULL: "layer entry".  */
  const char *entry_noun;
};

struct ferry_unpack_result
{
  char compressed_digest[FERRY_DIGEST_LEN + 1]; /* of the bytes read from fd */
  char diff_digest[FERRY_DIGEST_LEN + 1];       /* of the uncompressed tar */
  uint64_t compressed_size;
  uint64_t diff_size;
  uint64_t entries;
  enum ferry_compression compression; /* of the stream read */
};

/* Reads a tar stream (plain, gzip or zstd: detected) from FD until its end
 * and unpacks it into the existing directory DEST.  RESULT may be NULL.
 * On error DEST is left partly filled: callers unpack into a temporary
 * directory and remove it on failure.  */
int ferry_unpack_tar (int fd, const char *dest, unsigned flags, struct ferry_unpack_result *result,
                      ferry_error_t *err);

/* The same, naming the stream WHAT (the file or layer it comes from) in
 * errors about its compression, rather than DEST.  */
int ferry_unpack_tar_named (int fd, const char *what, const char *dest, unsigned flags,
                            struct ferry_unpack_result *result, ferry_error_t *err);

/* The same into the directory open at DESTFD (which stays the caller's):
 * entries are resolved below it and never leave it.  */
int ferry_unpack_tar_at (int fd, const char *what, int destfd, const struct ferry_unpack_options *o,
                         struct ferry_unpack_result *result, ferry_error_t *err);

#endif
