/* ferry: the age file format (age-encryption.org/v1, c2sp.org/age) with
 * X25519 recipients, through OpenSSL, so that an archive ferry encrypts
 * opens with `age -d -i KEY` too and one `age` wrote opens in ferry.
 *
 * Keys are age's own: a recipient is "age1..." (Bech32 of an X25519
 * public key), an identity is "AGE-SECRET-KEY-1..." as `age-keygen`
 * writes it into a file (with "#" comment lines).
 *
 * The payload is 64 KiB chunks, each sealed with ChaCha20-Poly1305 under a
 * nonce that counts the chunks and marks the last one, so a stream cut at
 * a chunk boundary is found out as surely as a damaged one.  */
#ifndef FERRY_UTIL_AGE_H
#define FERRY_UTIL_AGE_H

#include "decompress.h"
#include "error.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What every age file starts with.  */
#define FERRY_AGE_MAGIC "age-encryption.org/"
#define FERRY_AGE_CHUNK 65536
#define FERRY_AGE_TAG 16
/* The payload's nonce, between the header and the first chunk.  */
#define FERRY_AGE_NONCE 16

/* An X25519 key, public (a recipient) or private (an identity).  */
struct ferry_age_key
{
  unsigned char bytes[32];
};

/* Appends to *KEYS (*N of them) the recipients SPEC gives: one "age1..."
 * string, or the path of a file of them, one per line ("#" comments and
 * empty lines skipped), as `age -R` reads.  */
int ferry_age_recipients_add (const char *spec, struct ferry_age_key **keys, size_t *n, ferry_error_t *err);

/* The X25519 identities in the file PATH (age-keygen's format), into
 * *KEYS (*N of them, at least one).  */
int ferry_age_identities_load (const char *path, struct ferry_age_key **keys, size_t *n, ferry_error_t *err);

/* Wipes and frees the N KEYS.  */
void ferry_age_keys_free (struct ferry_age_key *keys, size_t n);

/* "age1..." of the identity ID's public half (newly allocated).  */
char *ferry_age_identity_recipient (const struct ferry_age_key *id);

/* ---- sealing ---------------------------------------------------------- */

typedef struct ferry_age_seal ferry_age_seal_t;

/* A fresh file key wrapped for the N RECIPIENTS.  *HEADER gets the bytes
 * the file starts with (the header and the payload nonce), *HEADER_LEN
 * their number.  */
ferry_age_seal_t *ferry_age_seal_new (const struct ferry_age_key *recipients, size_t n,
                                      unsigned char **header, size_t *header_len, ferry_error_t *err);

/* Seals chunk INDEX: LEN bytes of IN (at most FERRY_AGE_CHUNK; fewer, or
 * none for an empty payload, only in the LAST one) into OUT, which takes
 * LEN + FERRY_AGE_TAG bytes.  */
int ferry_age_seal_chunk (ferry_age_seal_t *s, uint64_t index, int last, const unsigned char *in, size_t len,
                          unsigned char *out, ferry_error_t *err);

void ferry_age_seal_free (ferry_age_seal_t *s);

/* Where plaintext offset AT of a file whose header (with the payload
 * nonce) is HEADER_LEN bytes lands: the chunk's start, in the file.  */
static inline uint64_t
ferry_age_chunk_offset (size_t header_len, uint64_t index)
{
  return header_len + index * (uint64_t) (FERRY_AGE_CHUNK + FERRY_AGE_TAG);
}

/* ---- opening ---------------------------------------------------------- */

typedef struct ferry_age_open ferry_age_open_t;

/* Reads a stream through READ_FN (READ_CTX).  When it starts with age's
 * magic, its header is read and checked and the file key unwrapped with
 * one of the N IDENTITIES (none: an error saying the stream is encrypted
 * and how to open it); otherwise the bytes pass through unchanged.  WHAT
 * names the stream in errors ("checkpoint archive `F`").  */
ferry_age_open_t *ferry_age_open_new (ferry_read_fn read_fn, void *read_ctx,
                                      const struct ferry_age_key *identities, size_t n, const char *what,
                                      ferry_error_t *err);

/* True when the stream was encrypted.  */
int ferry_age_open_encrypted (ferry_age_open_t *o);

/* A ferry_read_fn: the plaintext.  A damaged, cut or extended payload is
 * an error (-1, errno EBADMSG) whose message ferry_age_open_error has.  */
ssize_t ferry_age_open_read (void *o, void *buf, size_t len);

/* Why the last read failed, or NULL (then errno said it).  */
const char *ferry_age_open_error (ferry_age_open_t *o);

void ferry_age_open_free (ferry_age_open_t *o);

/* When the N bytes at HEAD start an age file: the number of recipient
 * stanzas in it (at least 1), or 0 when not one or not readable as one.  */
size_t ferry_age_count_stanzas (const unsigned char *head, size_t n);

#endif
