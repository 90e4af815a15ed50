/* ferry: checks an unpacked layer directory against the tar stream it was
 * unpacked from (the layer's blob, kept in the store), for `system check`.
 *
 * Every entry of the stream must be in the directory as unpacking made it
 * (type, mode, owner, size, content, link target; whiteouts as overlayfs
 * spells them: unpack.h), and the directory must hold nothing else.  The
 * directory is read, never changed, and never left: entries are opened
 * beneath it without following symlinks.  */
#ifndef FERRY_STORAGE_VERIFY_H
#define FERRY_STORAGE_VERIFY_H

#include "../util/error.h"
#include "../util/hash.h"

#include <stddef.h>
#include <stdint.h>

struct ferry_layer_verify_result
{
  char **problems; /* NULL-terminated, sorted: "+/added", "-/missing",
                      "/path(what differs)" */
  /* Podman's first check, which stops its others: the first regular
   * file of the stream whose data cannot be read back as it was
   * ("file integrity checksum failed for \"etc/passwd\"", "open
   * DIR/etc/group: no such file or directory"); NULL when all can.  */
  char *integrity;
  char compressed_digest[FERRY_DIGEST_LEN + 1];
  char diff_digest[FERRY_DIGEST_LEN + 1];
  uint64_t compressed_size;
  uint64_t diff_size;
};

/* Reads the (gzip, zstd or plain) tar stream at FD to its end and compares
 * the directory DIR with it.  -1 with *ERR only when the stream cannot be
 * read (a damaged blob) or DIR cannot be opened.  */
int ferry_layer_verify (int fd, const char *what, const char *dir, struct ferry_layer_verify_result *out,
                        ferry_error_t *err);
void ferry_layer_verify_result_release (struct ferry_layer_verify_result *r);

#endif
