/* ferry: a tar stream laid out byte for byte as Go's archive/tar lays
 * it out, which is what Podman writes (save, cp to standard output):
 * every numeric field zero-padded octal ending in a NUL, ustar whenever
 * the entry fits (a long name split into prefix and name), else a PAX
 * extended header before it (a "PaxHeaders.0" entry beside the file),
 * the data padded to 512 bytes, and two zero blocks at the end with no
 * further padding.  libarchive's ustar is as valid, but its fields
 * differ (space-terminated, shorter), and users compare the bytes.  */
#ifndef FERRY_UTIL_GOTAR_H
#define FERRY_UTIL_GOTAR_H

#include "error.h"

#include <stddef.h>
#include <stdint.h>

enum
{
  FERRY_GOTAR_FILE = '0',
  FERRY_GOTAR_HARDLINK = '1',
  FERRY_GOTAR_SYMLINK = '2',
  FERRY_GOTAR_CHAR = '3',
  FERRY_GOTAR_BLOCK = '4',
  FERRY_GOTAR_DIR = '5',
  FERRY_GOTAR_FIFO = '6',
};

struct ferry_gotar_entry
{
  const char *name;
  char type;     /* FERRY_GOTAR_* */
  uint32_t mode; /* permission, set-id and sticky bits */
  uint64_t uid, gid;
  const char *uname, *gname; /* NULL: none */
  uint64_t size;             /* a regular file's; 0 for the others */
  int64_t mtime;             /* seconds */
  const char *linkname;      /* NULL: none */
  uint32_t devmajor, devminor;
  /* Extended attributes, as PAX SCHILY.xattr.NAME records.  */
  size_t n_xattrs;
  const char *const *xattr_names;
  const char *const *xattr_values;
  const size_t *xattr_sizes;
};

typedef struct ferry_gotar ferry_gotar_t;

/* A writer to FD, which stays the caller's; WHAT names it in errors.  */
ferry_gotar_t *ferry_gotar_new (int fd, const char *what);

/* The header of E; a regular file's SIZE bytes follow through
 * ferry_gotar_data before the next header.  */
int ferry_gotar_header (ferry_gotar_t *w, const struct ferry_gotar_entry *e, ferry_error_t *err);

int ferry_gotar_data (ferry_gotar_t *w, const void *buf, size_t len, ferry_error_t *err);

/* The end of the archive, everything written to FD.  */
int ferry_gotar_finish (ferry_gotar_t *w, ferry_error_t *err);

void ferry_gotar_free (ferry_gotar_t *w);

/* The 512-byte header block(s) of E as ferry_gotar_header writes them,
 * PAX extended header and its records first when E needs one, into
 * *OUT (the caller frees it), their length in *LEN; -1 for an entry tar
 * cannot hold (a field too large even for PAX).  For tests.  */
int ferry_gotar_format_header (const struct ferry_gotar_entry *e, char **out, size_t *len);

#endif
