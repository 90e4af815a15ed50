/* ferry: JSON Web Encryption (RFC 7516), the key wrap of an encrypted
 * layer as containers/ocicrypt writes it (its "jwe" recipients).
 *
 * The payload is encrypted with A256GCM under a random content key; the
 * content key is wrapped for each recipient, with RSA-OAEP (SHA-1, as
 * go-jose's "RSA-OAEP") for an RSA key and with ECDH-ES+A256KW for an EC
 * key (P-256, P-384 or P-521: an ephemeral key of the same curve, the
 * Concat KDF of RFC 7518 4.6.2, then AES key wrap).  One recipient gives
 * the flattened JSON serialisation with every header protected, several
 * the general one, as go-jose's FullSerialize writes them.  A JWE read
 * from a registry is untrusted: every member is type-checked, the
 * ephemeral key must lie on the private key's curve, and the content key
 * must open the payload's GCM tag.  */
#ifndef FERRY_IMAGE_JWE_H
#define FERRY_IMAGE_JWE_H

#include "../util/error.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

/* The public key in DATA (LEN bytes of FILE, which messages name): PEM
 * or DER SubjectPublicKeyInfo (openssl pkey -pubout), RSA or EC on a
 * curve JWE names.  */
EVP_PKEY *ferry_jwe_parse_public_key (const char *data, size_t len, const char *file, ferry_error_t *err);

/* The private key in DATA (PEM or DER, PKCS#8 or the traditional forms,
 * encrypted with PASSPHRASE when it is), RSA or EC: NULL without an
 * error when DATA is no such key or PASSPHRASE does not open it (as
 * ocicrypt, which passes over a file that is no key it can use).  */
EVP_PKEY *ferry_jwe_parse_private_key (const char *data, size_t len, const char *passphrase);

/* The most a key file may make ferry spend on unlocking its key: its
 * own key derivation runs as the file asks, and PBKDF2 with 2^31
 * iterations takes minutes, scrypt with p = 2^17 (within OpenSSL's 32
 * MiB) an hour.  2^24 PBKDF2 iterations, or scrypt's N * r * p, take
 * seconds.  */
#define FERRY_JWE_MAX_KDF_WORK (1ULL << 24)

/* Whether every passphrase-protected PKCS#8 key in DATA (LEN bytes of
 * PEM) derives its key with at most FERRY_JWE_MAX_KDF_WORK: PBKDF2
 * iterations, scrypt's N * r * p, or a PKCS#12 scheme's iterations.  */
bool ferry_jwe_private_key_kdf_fits (const char *data, size_t len);

/* The JWE (JSON text) of PAYLOAD for the N RECIPIENTS.  */
char *ferry_jwe_encrypt (const unsigned char *payload, size_t len, EVP_PKEY *const *recipients, size_t n,
                         ferry_error_t *err);

/* Opens the JWE TEXT (LEN bytes) with the first of the N KEYS that one
 * of its recipients was wrapped for: 0 and *PAYLOAD (*PAYLOAD_LEN bytes,
 * NUL-terminated), 1 when none of the keys fits, -1 and ERR when TEXT is
 * no JWE ferry reads.  */
int ferry_jwe_decrypt (const char *text, size_t len, EVP_PKEY *const *keys, size_t n, unsigned char **payload,
                       size_t *payload_len, ferry_error_t *err);

#endif
