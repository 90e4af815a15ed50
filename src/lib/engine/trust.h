/* ferry: who a checkpoint archive comes from.
 *
 * An archive's manifest (which covers every entry) may be signed with
 * Ed25519 (util/sign.h; checkpoint --sign-key).  A restore trusts the keys
 * it is given (--verify-key) and those in <root>/trusted-keys/ (PEM public
 * keys, *.pub or *.pem): when there is any, every import must be signed by
 * one of them, and is refused before anything is created otherwise.  An
 * archive signed by a trusted key restores as recorded; any other may ask
 * only for what a plain run gives (engine/archive_record.h).  */
#ifndef FERRY_ENGINE_TRUST_H
#define FERRY_ENGINE_TRUST_H

#include "engine.h"
#include "../archive/archive.h"

#include <openssl/evp.h>

struct ferry_trust
{
  EVP_PKEY **keys;
  char **fingerprints;
  size_t n;
};

/* Loads the keys VERIFY_KEYS (NULL-terminated paths, may be NULL) names
 * and those of the root's trusted-keys directory.  */
int ferry_trust_load (ferry_engine_t *e, char *const *verify_keys, struct ferry_trust *t, ferry_error_t *err);
void ferry_trust_release (struct ferry_trust *t);

/* 1 when PROOF carries a valid signature by a key of T (*SIGNER, unless
 * SIGNER is NULL, gets its fingerprint), 0 when T has no key (nothing is required), an error when
 * T has keys and the archive WHAT is unsigned, signed by another key, or
 * its signature does not verify.  */
int ferry_trust_check (const struct ferry_trust *t, const struct ferry_archive_proof *proof, const char *what,
                       char **signer, ferry_error_t *err);

#endif
