/* ferry: sigstore signatures of container images, as containers/image
 * (and so Podman) reads and checks them with a public key.
 *
 * A signature is a payload, a small JSON document naming the image's
 * manifest digest and reference ("cosign container image signature"),
 * and a base64 signature of the payload's bytes (ECDSA, RSA PKCS#1 v1.5
 * or Ed25519 over SHA-256) in the annotation
 * dev.cosignproject.cosign/signature.  A registry keeps them as a
 * "sigstore attachment": an OCI manifest tagged sha256-<hex>.sig beside
 * the image, one layer per signature (media type
 * application/vnd.dev.cosign.simplesigning.v1+json), the payload as the
 * layer's blob.  A lookaside store or an image layout keeps one per file,
 * "\0sigstore-json\n" and {"mimeType", "payload" (base64), "annotations"}.
 *
 * Everything here is untrusted input: the attachment, its blobs (sizes and
 * digests checked) and the payload (parsed strictly, with containers/
 * image's words).  Keys are verified with OpenSSL's libcrypto.  */
#ifndef FERRY_IMAGE_SIGSTORE_H
#define FERRY_IMAGE_SIGSTORE_H

#include "reference.h"
#include "registry.h"
#include "../util/error.h"

#include <json-c/json.h>
#include <openssl/evp.h>
#include <stddef.h>

#define FERRY_SIGSTORE_SIGNATURE_TYPE "application/vnd.dev.cosign.simplesigning.v1+json"
#define FERRY_SIGSTORE_SIGNATURE_ANNOTATION "dev.cosignproject.cosign/signature"
#define FERRY_SIGSTORE_PAYLOAD_TYPE "cosign container image signature"
/* The most read of a signing key, parameter or passphrase file: a few
 * hundred bytes each, and a path may name anything.  */
#define FERRY_SIGSTORE_MAX_KEY_FILE (1u << 20)

struct ferry_sigstore_signature
{
  char *mime_type;
  char *payload;
  size_t payload_len;
  json_object *annotations; /* string values */
  char *where;              /* for messages */
};

void ferry_sigstore_signatures_free (struct ferry_sigstore_signature *sigs, size_t n);

/* The signatures of REF's sigstore attachment for the manifest DIGEST,
 * read through the session REG (none when the registry has no such tag).
 * Appended to *SIGS, *N.  */
int ferry_sigstore_attachments_read (ferry_registry_t *reg, const struct ferry_reference *ref,
                                     const char *digest, struct ferry_sigstore_signature **sigs, size_t *n,
                                     ferry_error_t *err);

/* Whether the lookaside blob DATA is a sigstore signature: 1 (then *OUT
 * gets it), 0 (it is not one), -1 (it says it is, but is malformed).  */
int ferry_sigstore_from_blob (const char *data, size_t len, const char *where,
                              struct ferry_sigstore_signature *out, ferry_error_t *err);

/* The public keys of a sigstoreSigned requirement REQ (keyPath, keyPaths,
 * keyData or keyDatas), PEM: "PUBLIC KEY" (ECDSA, RSA, Ed25519) or
 * "RSA PUBLIC KEY".  Errors in containers/image's words ("parsing public
 * key 1: PEM decoding failed").  */
int ferry_sigstore_keys_load (json_object *req, EVP_PKEY ***keys, size_t *n, ferry_error_t *err);
void ferry_sigstore_keys_free (EVP_PKEY **keys, size_t n);

/* Checks SIG with KEYS: the signature over the payload, then the payload
 * strictly, its digest against DIGEST and its reference against
 * IDENTITY (a policy's signedIdentity, NULL: matchRepoDigestOrExact) for
 * INTENDED.  0, or an error with containers/image's words.  */
int ferry_sigstore_verify (EVP_PKEY *const *keys, size_t n_keys, const struct ferry_sigstore_signature *sig,
                           const char *digest, const struct ferry_reference *intended, json_object *identity,
                           ferry_error_t *err);

/* Parses PAYLOAD strictly as a sigstore payload: *DIGEST and *REF get its
 * manifest digest and reference (new strings).  */
int ferry_sigstore_payload_parse (const char *payload, size_t len, char **digest, char **ref,
                                  ferry_error_t *err);

/* A payload for the image REF_STRING whose manifest digest is DIGEST, as
 * containers/image writes it.  Returns a new string.  */
char *ferry_sigstore_payload_new (const char *ref_string, const char *digest);

/* A private key as skopeo generate-sigstore-key and cosign write it
 * (PEM "ENCRYPTED SIGSTORE PRIVATE KEY" or "ENCRYPTED COSIGN PRIVATE
 * KEY": JSON naming scrypt's parameters and a NaCl secretbox of the
 * PKCS#8 key), unlocked with PASSPHRASE (NULL: empty).  Errors are
 * Podman's ("initializing private key: decrypt: encrypted: decryption
 * failed").  */
int ferry_sigstore_private_key_load (const char *path, const char *passphrase, EVP_PKEY **out,
                                     ferry_error_t *err);

/* A sigstore signing parameter file (containers-sigstore-signing-
 * params.yaml(5)), as push --sign-by-sigstore reads it: *KEY_FILE gets
 * privateKeyFile, *PASSPHRASE_FILE privateKeyPassphraseFile (NULL when
 * absent).  A file that asks for Fulcio or Rekor is refused: ferry signs
 * with a private key only.  */
int ferry_sigstore_params_load (const char *path, char **key_file, char **passphrase_file,
                                ferry_error_t *err);

/* The base64 signature of PAYLOAD by KEY (SHA-256; Ed25519 signs the
 * payload itself), or NULL.  */
char *ferry_sigstore_sign (EVP_PKEY *key, const char *payload, size_t len, ferry_error_t *err);

/* Signs the images REF names whose manifest digests are DIGESTS with KEY,
 * under REF's name, and adds each signature to the image's sigstore
 * attachment in REF's registry (a session of its own with options O),
 * as Podman's push does.  Refused, with Podman's words, unless
 * registries.d (REGISTRIES_D, NULL: the default) sets
 * use-sigstore-attachments for REF.  */
int ferry_sigstore_sign_attach (EVP_PKEY *key, const struct ferry_registry_options *o,
                                const char *registries_d, const struct ferry_reference *ref,
                                const char *const *digests, size_t n, ferry_error_t *err);

#endif
