/* ferry: Ed25519 signatures over a checkpoint archive's manifest, through
 * OpenSSL.  Keys are PEM files as `openssl genpkey -algorithm ed25519`
 * writes them (private) and `openssl pkey -pubout` (public).  A key is
 * known by its fingerprint, "sha256:" and the hex sha256 of its public
 * key in DER (SubjectPublicKeyInfo), which
 *   openssl pkey -pubin -in key.pub -outform DER | sha256sum
 * prints too.
 *
 * A signature is a small JSON document, the archive's manifest.sig:
 *   { "algorithm": "ed25519", "key": "sha256:…", "signature": "<base64>" }  */
#ifndef FERRY_UTIL_SIGN_H
#define FERRY_UTIL_SIGN_H

#include "error.h"

#include <openssl/evp.h>
#include <stddef.h>

/* Loads an Ed25519 private (PRIVATE) or public key from the PEM file PATH.  */
EVP_PKEY *ferry_sign_key_load (const char *path, int private_key, ferry_error_t *err);

/* "sha256:<hex>" of KEY's public half.  */
char *ferry_sign_key_fingerprint (EVP_PKEY *key);

/* The signature document for DATA.  */
char *ferry_sign (EVP_PKEY *key, const void *data, size_t len, ferry_error_t *err);

/* The key fingerprint a signature document names, or NULL when it is
 * not one.  Newly allocated.  */
char *ferry_sign_document_key (const char *doc, size_t doc_len);

/* 0 when DOC is a valid signature of DATA by KEY.  WHAT names the signed
 * thing in errors.  */
int ferry_sign_verify (EVP_PKEY *key, const void *data, size_t len, const char *doc, size_t doc_len,
                       const char *what, ferry_error_t *err);

static inline void
ferry_cleanup_pkeyp (EVP_PKEY **k)
{
  EVP_PKEY_free (*k);
}
#define cleanup_pkey __attribute__ ((cleanup (ferry_cleanup_pkeyp)))

#endif
