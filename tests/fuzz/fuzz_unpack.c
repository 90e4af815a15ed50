/* libFuzzer target: the tar reader that unpacks image layers, a
 * checkpoint's rootfs-diff.tar and volumes (src/lib/storage/unpack.c):
 * gzip or zstd framing, tar headers (pax, GNU long names, sparse files),
 * whiteouts, hard links, symlinks, devices, modes and xattrs, and every
 * check that keeps an entry inside the destination.
 *
 * The input is the layer; its last byte gives the FERRY_UNPACK_* flags
 * (whiteouts as overlayfs ones, chown, keep types, no setid, no devices;
 * bit 5: unpack twice, the second layer over the first, as an image's
 * layers and a rootfs diff over its rootfs are).  With bit 6 it is a
 * checkpoint's rootfs changes instead, applied as a restore applies them
 * (ferry_rootfs_diff_apply): deleted.files (JSON), a NUL byte, then
 * rootfs-diff.tar.  It is unpacked into the
 * cage (cage.h), which must be left as it was: beyond the sanitizers'
 * findings, a file written outside the destination, or a hard link in it
 * to a file outside, aborts.  Every refusal must be one line.
 *
 * Built only with -Dfuzz=true and clang (tests/fuzz/README).  */
#include "cage.h"

#include "storage/rootfs_diff.h"
#include "storage/unpack.h"
#include "refusal.h"
#include "util/error.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void) argc;
  (void) argv;
  cage_init ("unpack");
  return 0;
}

static void
unpack (const uint8_t *data, size_t size, int destfd, const struct ferry_unpack_options *o)
{
  ferry_error_t err = NULL;
  int fd = cage_input_fd (data, size);

  if (ferry_unpack_tar_at (fd, "fuzz layer", destfd, o, NULL, &err) < 0)
    fuzz_refusal (&err, NULL);
  close (fd);
}

static void
write_file (const char *path, const uint8_t *data, size_t len)
{
  FILE *f = fopen (path, "we");

  if (f == NULL || fwrite (data, 1, len, f) != len || fclose (f) != 0)
    cage_die ("cannot write", path);
}

/* deleted.files and rootfs-diff.tar, beside the cage (never in it).  */
static void
rootfs_diff (const uint8_t *data, size_t size)
{
  char deleted[4200], tar[4200];
  const uint8_t *nul = memchr (data, '\0', size);
  size_t deleted_len = nul ? (size_t) (nul - data) : size;
  ferry_error_t err = NULL;

  snprintf (deleted, sizeof (deleted), "%s.deleted.files", cage_root);
  snprintf (tar, sizeof (tar), "%s.rootfs-diff.tar", cage_root);
  write_file (deleted, data, deleted_len);
  write_file (tar, nul ? nul + 1 : data, nul ? size - deleted_len - 1 : 0);
  cage_begin ();
  if (ferry_rootfs_diff_apply (cage_dest, tar, deleted, &err) < 0)
    fuzz_refusal (&err, NULL);
  cage_end ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct ferry_unpack_options o = { .uid = 1234, .gid = 4321 };
  int destfd;

  if (size == 0)
    return 0;
  if (data[size - 1] & 0x40)
    {
      rootfs_diff (data, size - 1);
      return 0;
    }
  o.flags = data[size - 1] & 0x1f;
  cage_begin ();
  destfd = open (cage_dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (destfd < 0)
    cage_die ("cannot open", cage_dest);
  unpack (data, size - 1, destfd, &o);
  if (data[size - 1] & 0x20)
    unpack (data, size - 1, destfd, &o);
  close (destfd);
  cage_end ();
  return 0;
}
