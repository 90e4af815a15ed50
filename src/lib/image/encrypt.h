/* ferry: encrypted image layers, as containers/ocicrypt makes them
 * (Podman's push --encryption-key, pull/run/create --decryption-key).
 *
 * An encrypted layer's blob is the layer blob (compressed or not)
 * encrypted with AES-256 in CTR mode under a random 32-byte key and
 * 16-byte nonce; an HMAC-SHA256 keyed with the same key covers the
 * encrypted bytes.  Its descriptor's media type is the layer's with
 * "+encrypted" appended, and two annotations carry the rest:
 *   org.opencontainers.image.enc.pubopts  base64 of {"cipher":
 *       "AES_256_CTR_HMAC_SHA256", "hmac": base64, "cipheroptions": {}}
 *   org.opencontainers.image.enc.keys.jwe  base64 of a JWE (jwe.h) whose
 *       payload is {"symkey": base64, "digest": the plain blob's (or,
 *       from Podman's store, the layer's diff_id), "cipheroptions":
 *       {"nonce": base64}}; several, comma-separated, are tried in turn.
 * The image config is unchanged: its diff_ids name the plain layers.
 *
 * Everything read from a descriptor is untrusted: sizes are bounded,
 * every member type-checked, and the HMAC is checked over the whole blob
 * before a byte of it is decrypted.  */
#ifndef FERRY_IMAGE_ENCRYPT_H
#define FERRY_IMAGE_ENCRYPT_H

#include "../util/error.h"
#include "../util/hash.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#define FERRY_ENC_SUFFIX "+encrypted"
#define FERRY_ENC_ANNOTATION_JWE "org.opencontainers.image.enc.keys.jwe"
#define FERRY_ENC_ANNOTATION_PUBOPTS "org.opencontainers.image.enc.pubopts"
#define FERRY_ENC_ANNOTATION_PREFIX "org.opencontainers.image.enc."
#define FERRY_ENC_CIPHER "AES_256_CTR_HMAC_SHA256"

typedef struct ferry_crypt_keys ferry_crypt_keys_t;

/* --encryption-key's recipients, each "PROTOCOL:FILE": only "jwe" (a
 * public key file, jwe.h) is done; pgp, pkcs7, pkcs11 and provider are
 * refused by name, anything else as Podman refuses it.  */
int ferry_crypt_keys_for_encryption (char *const *specs, ferry_crypt_keys_t **out, ferry_error_t *err);

/* --decryption-key's keys, each "FILE[:PASSPHRASE]" (PASSPHRASE as
 * ocicrypt takes it: "pass=TEXT", "file=PATH", "fd=N" or the text
 * itself).  A FILE that cannot be read is an error; one that is no
 * private key ferry can use (or whose passphrase is missing or wrong) is
 * passed over, as Podman passes over it, and named when no key opens a
 * layer.  */
int ferry_crypt_keys_for_decryption (char *const *specs, ferry_crypt_keys_t **out, ferry_error_t *err);
void ferry_crypt_keys_free (ferry_crypt_keys_t *k);

/* True for a layer media type ending in "+encrypted".  */
bool ferry_media_is_encrypted (const char *media_type);

/* A layer's key, nonce and HMAC, and the digest its options name.  */
struct ferry_layer_key
{
  unsigned char key[32];
  unsigned char nonce[16];
  unsigned char hmac[32];
  char digest[FERRY_DIGEST_LEN + 1];
};

/* Encrypts IN (read to its end; PLAIN_DIGEST names it) into OUT for K's
 * recipients: *DIGEST and *SIZE of what was written, and *ANNOTATIONS
 * (new) for its descriptor.  */
int ferry_layer_encrypt (const ferry_crypt_keys_t *k, int in, int out, const char *plain_digest,
                         char digest[FERRY_DIGEST_LEN + 1], uint64_t *size, json_object **annotations,
                         ferry_error_t *err);

/* Whether the encrypted layer DESC (its descriptor) has its key wrapped
 * for JWE, the wrapping ferry opens.  */
bool ferry_layer_key_is_jwe (json_object *desc);

/* Opens the key of the encrypted layer DESC (its descriptor, from a
 * manifest; WHAT names it in messages) with K.  Fails, in Podman's
 * words, when K is NULL or no key of it fits.  */
int ferry_layer_key_open (const ferry_crypt_keys_t *k, json_object *desc, const char *what,
                          struct ferry_layer_key *out, ferry_error_t *err);

/* Checks the HMAC over FD's whole content (read from offset 0).  */
int ferry_layer_hmac_check (const struct ferry_layer_key *key, int fd, const char *what, ferry_error_t *err);

/* Decrypts FD's content (from offset 0) into SINK, a chunk at a time.  */
int ferry_layer_decrypt (const struct ferry_layer_key *key, int fd,
                         int (*sink) (const void *, size_t, void *), void *arg, const char *what,
                         ferry_error_t *err);

#endif
