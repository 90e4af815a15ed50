/* ferry: checkpoint archives.
 *
 * A tar stream, zstd by default (gzip or none on request), whose entry
 * names follow Podman's layout so checkpointctl can read it, ending with
 * manifest.json: the sha256 and size of every other entry and the format
 * version.  The reader detects the compression from the magic bytes,
 * extracts into a staging directory while hashing, and accepts the result
 * only when every entry matches the manifest and no entry is missing, extra,
 * unsafe (absolute, "..", not a regular file or directory) or duplicated.
 *
 * manifest.json:
 *   { "format": "ferry-checkpoint", "version": 1,
 *     "entries": { "spec.dump": { "sha256": "sha256:...", "size": N }, ... } }  */
#ifndef FERRY_ARCHIVE_ARCHIVE_H
#define FERRY_ARCHIVE_ARCHIVE_H

#include "../util/age.h"
#include "../util/decompress.h"
#include "../util/error.h"

#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdint.h>

#define FERRY_ARCHIVE_MANIFEST "manifest.json"
/* An Ed25519 signature of manifest.json (util/sign.h), right after it.  */
#define FERRY_ARCHIVE_SIGNATURE "manifest.sig"
#define FERRY_ARCHIVE_FORMAT "ferry-checkpoint"
#define FERRY_ARCHIVE_VERSION 1

typedef struct ferry_archive_writer ferry_archive_writer_t;

/* Writes to FD, a pipe or a file.  A file is written from its current
 * offset by a thread of the writer's, with O_DIRECT while the writer has
 * it (the file system allowing); its offset is at the end once finished.
 * LEVEL 0 is the default for the compression (zstd 1 with all cores, gzip
 * 6).  */
ferry_archive_writer_t *ferry_archive_writer_new (int fd, enum ferry_compression compression, int level,
                                                  ferry_error_t *err);

/* Encrypts the archive to the N RECIPIENTS (util/age.h): an age file
 * that `age -d` opens too.  Only right after ferry_archive_writer_new.
 * Streamed entries still work: the chunk holding a header to be patched
 * is sealed once the header is final, and written into its place.  */
int ferry_archive_writer_encrypt (ferry_archive_writer_t *w, const struct ferry_age_key *recipients, size_t n,
                                  ferry_error_t *err);
/* Adds the regular file PATH as entry NAME (mode 0600 in the archive, owner
 * 0:0, mtime kept).  */
int ferry_archive_writer_add_file (ferry_archive_writer_t *w, const char *name, const char *path,
                                   ferry_error_t *err);
/* Adds LEN bytes of DATA as entry NAME.  */
int ferry_archive_writer_add_data (ferry_archive_writer_t *w, const char *name, const void *data, size_t len,
                                   ferry_error_t *err);
/* Adds every regular file below DIR as PREFIX/<relative path> (PREFIX
 * "checkpoint" for the CRIU images), sorted by name, except those streamed
 * in already.  Sub-directories are added as directory entries.  */
int ferry_archive_writer_add_dir (ferry_archive_writer_t *w, const char *prefix, const char *dir,
                                  ferry_error_t *err);

/* Entries whose content is still being written when they are added (CRIU's
 * page images, compressed while CRIU dumps; see archive/prepack.h).  Only
 * for zstd archives written to a file: the header of such an entry goes in
 * a zstd frame of fixed size, patched in place once the size is known, and
 * concatenated frames are one stream to every reader.  One at a time:
 * begin, any number of stream_data, end.  stream_data hashes DATA on
 * another thread while it compresses it, and may return before that is
 * done: DATA must stay unchanged until the next stream_data or end_stream
 * returns (alternate two buffers).  */
int ferry_archive_writer_can_stream (ferry_archive_writer_t *w);

/* Streamed entries go in parts instead, for a pipe (where no header can
 * be patched) whose reader is ferry: each piece of NAME as it comes is an
 * entry NAME.ferry-part-NNNNNNNN (eight digits, from 0, in order, nothing
 * between them), which the reader joins into NAME; the manifest lists
 * NAME.  Any compression, any descriptor.  Other tar readers see the
 * parts.  Only right after ferry_archive_writer_new.  */
#define FERRY_ARCHIVE_PART_SUFFIX ".ferry-part-"
#define FERRY_ARCHIVE_PART_MAX 99999999u
void ferry_archive_writer_stream_in_parts (ferry_archive_writer_t *w);
int ferry_archive_writer_begin_stream (ferry_archive_writer_t *w, const char *name, ferry_error_t *err);
int ferry_archive_writer_stream_data (ferry_archive_writer_t *w, const void *data, size_t len,
                                      ferry_error_t *err);
int ferry_archive_writer_end_stream (ferry_archive_writer_t *w, ferry_error_t *err);
/* Gives up the entry being streamed (its source failed): once it returns,
 * the writer no longer reads the DATA given to stream_data, and the archive
 * is unusable (nothing more can be added, it cannot be finished).  */
void ferry_archive_writer_abort_stream (ferry_archive_writer_t *w);

/* Adds directory entry NAME (0700) unless the archive has it.  */
int ferry_archive_writer_add_directory (ferry_archive_writer_t *w, const char *name, ferry_error_t *err);

/* Signs the manifest with KEY (Ed25519; the caller keeps it): finish then
 * writes manifest.sig after manifest.json.  */
void ferry_archive_writer_set_signing_key (ferry_archive_writer_t *w, EVP_PKEY *key);

/* Writes manifest.json (and manifest.sig) and closes the tar and
 * compression streams.  The caller then fsyncs and renames the file.  */
int ferry_archive_writer_finish (ferry_archive_writer_t *w, ferry_error_t *err);
void ferry_archive_writer_free (ferry_archive_writer_t *w);

/* Total bytes written to FD so far (compressed).  */
uint64_t ferry_archive_writer_bytes (ferry_archive_writer_t *w);

/* Extracts the archive read from FD into DIR (an existing empty directory),
 * then verifies it against its manifest.  ALLOWED decides which entry names
 * may appear (NULL: any clean name); it gets the normalised name.  WHAT
 * names the archive in errors ("checkpoint archive `FILE`").  On error DIR
 * may hold partial content: the caller removes it.  */
int ferry_archive_extract_verified (int fd, const char *dir, int (*allowed) (const char *name),
                                    const char *what, ferry_error_t *err);

/* What can prove where a verified archive comes from: its manifest
 * exactly as read, and its signature document (NULL when unsigned).  */
struct ferry_archive_proof
{
  int encrypted;                      /* it came encrypted (and authenticated) */
  enum ferry_compression compression; /* of the tar (inside the encryption) */
  char *manifest;
  size_t manifest_len;
  char *signature;
  size_t signature_len;
  /* No manifest.json (and the caller accepted that: one Podman wrote).  */
  int unverified;
};
void ferry_archive_proof_release (struct ferry_archive_proof *p);

/* What a scan kept: the entries named, and of every entry its size and
 * digest (ENTRIES: name -> { "sha256", "size" }, null for directories).  */
struct ferry_archive_contents
{
  json_object *entries;
  size_t n;
  char **names;
  char **data; /* NUL-terminated */
  size_t *lens;
};
void ferry_archive_contents_release (struct ferry_archive_contents *c);
/* The kept entry NAME, or NULL.  */
const char *ferry_archive_contents_get (const struct ferry_archive_contents *c, const char *name,
                                        size_t *len);

/* How to open an encrypted archive: the age identities to try.  NULL or
 * none: an encrypted archive is refused with an error that says how to
 * open it.  */
struct ferry_archive_keys
{
  const struct ferry_age_key *identities;
  size_t n;
};

/* Reads and verifies the whole archive like ferry_archive_extract_proven,
 * writing nothing: the entries KEEP names (NULL-terminated, up to 4 MiB
 * each) are kept in *OUT, every other one is only hashed.  */
int ferry_archive_scan (int fd, const struct ferry_archive_keys *keys, const char *const *keep,
                        const char *what, struct ferry_archive_contents *out,
                        struct ferry_archive_proof *proof, ferry_error_t *err);

/* For ferry_archive_extract_proven: an archive without manifest.json is
 * read whole (every entry allowed, and within the space) and reported
 * unverified in the proof, not refused.  */
#define FERRY_ARCHIVE_UNVERIFIED_OK 1u

/* ferry_archive_extract_verified, also filling *PROOF, and decrypting an
 * encrypted archive with KEYS as it goes.  */
int ferry_archive_extract_proven (int fd, const struct ferry_archive_keys *keys, const char *dir,
                                  int (*allowed) (const char *name), unsigned flags, const char *what,
                                  struct ferry_archive_proof *proof, ferry_error_t *err);

#endif
