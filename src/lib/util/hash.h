/* ferry: sha256 digests in the OCI form "sha256:<64 hex>".  */
#ifndef FERRY_UTIL_HASH_H
#define FERRY_UTIL_HASH_H

#include "error.h"

#include <stddef.h>

#define FERRY_DIGEST_HEX_LEN 64
#define FERRY_DIGEST_LEN (7 + FERRY_DIGEST_HEX_LEN) /* "sha256:" + hex */

typedef struct ferry_sha256 ferry_sha256_t;

/* OpenSSL reads its configuration file (/usr/lib/ssl/openssl.cnf) when a
 * command first hashes or signs: on a cold cache 15-30 ms here, which a
 * checkpoint or a restore would wait for in the middle of its work.
 * ferry_crypto_preload has it read on a thread of its own at once;
 * ferry_crypto_preload_finish waits for that thread, as ferry_sha256_new
 * does, and must run before the process exits (ferry_engine_close).  */
void ferry_crypto_preload (void);
void ferry_crypto_preload_finish (void);

ferry_sha256_t *ferry_sha256_new (void);
void ferry_sha256_update (ferry_sha256_t *h, const void *data, size_t len);
/* Writes "sha256:<hex>" into OUT (FERRY_DIGEST_LEN + 1 bytes) and frees H.  */
void ferry_sha256_finish (ferry_sha256_t *h, char out[FERRY_DIGEST_LEN + 1]);
void ferry_sha256_free (ferry_sha256_t *h);

void ferry_sha256_buffer (const void *data, size_t len, char out[FERRY_DIGEST_LEN + 1]);

/* A thread that hashes while its caller does other work with the same
 * bytes (compresses them, decompresses the next ones): sha256 costs about
 * as much as zstd, and a checkpoint is bound by both.  One chunk at a
 * time: post hands DATA over after the previous chunk is done, and DATA
 * must stay unchanged until the next post or wait returns.  The thread
 * starts with the first post; where none can start, post hashes at once.  */
typedef struct ferry_hash_thread ferry_hash_thread_t;

ferry_hash_thread_t *ferry_hash_thread_new (void);
void ferry_hash_thread_post (ferry_hash_thread_t *t, ferry_sha256_t *hash, const void *data, size_t len);
/* Returns once every chunk posted is hashed.  */
void ferry_hash_thread_wait (ferry_hash_thread_t *t);
/* Waits, then ends the thread.  Accepts NULL.  */
void ferry_hash_thread_free (ferry_hash_thread_t *t);
int ferry_sha256_file (const char *path, char out[FERRY_DIGEST_LEN + 1], ferry_error_t *err);

/* True for "sha256:" followed by exactly 64 lowercase hex digits.  */
int ferry_digest_is_valid (const char *digest);

/* True for a full ID as containers and images have: exactly 64 lowercase
 * hex digits (what a path may be built from).  NULL is none.  */
int ferry_id_is_full (const char *id);

/* The hex part of a valid digest.  */
const char *ferry_digest_hex (const char *digest);

#endif
