/* ferry: simple signing signatures of containers-signature(5), as Podman
 * writes and reads them.
 *
 * A signature is an OpenPGP signed message whose payload is a JSON
 * object naming the image's manifest digest and its reference.  They are
 * kept beside the registry in a "lookaside" store that
 * containers-registries.d(5) files name per scope:
 * <base>/<repository path>@sha256=<hex>/signature-<N>, N from 1.
 *
 * Verification runs gpgv with a keyring made from the policy's keys in a
 * private directory, so neither the user's keyring nor gpg-agent take
 * part; signing runs gpg with the user's own keys.  */
#ifndef FERRY_IMAGE_SIGNATURE_H
#define FERRY_IMAGE_SIGNATURE_H

#include "reference.h"
#include "registry.h"
#include "../util/error.h"

#include <json-c/json.h>
#include <stddef.h>

/* registries.d: the directory read when DIR is NULL:
 * $HOME/.config/containers/registries.d if it exists, otherwise
 * /etc/containers/registries.d.  Returns a new string.  */
char *ferry_registries_d_default (void);

/* The lookaside URL that applies to REF per the registries.d files of DIR
 * (NULL: the default): for reading (WRITE 0: lookaside, or sigstore) or
 * writing (WRITE 1: lookaside-staging, or the reading one).  *URL is NULL
 * when the matching section names none.  */
int ferry_lookaside_url (const char *dir, const struct ferry_reference *ref, int write, char **url,
                         ferry_error_t *err);

/* Whether REF's signatures are also read from (and written to) its
 * registry's sigstore attachments: use-sigstore-attachments of the most
 * precise section of DIR's files that sets it, else default-docker's,
 * else no.  */
int ferry_registries_d_sigstore_attachments (const char *dir, const struct ferry_reference *ref, int *use,
                                             ferry_error_t *err);

/* Every lookaside section of DIR by scope ("" for default-docker), for
 * `image trust show`: a JSON object scope -> read URL.  */
int ferry_lookaside_all (const char *dir, json_object **out, ferry_error_t *err);

struct ferry_signature
{
  char *data;
  size_t len;
  char *where; /* for messages */
};

/* The signatures of the image REF names whose manifest digest is DIGEST,
 * from the lookaside URL BASE: signature-1, -2, ... until one is missing.
 * A file:// store is read directly; an http(s):// one through the
 * session REG (its TLS settings; no credentials go to another origin),
 * which must then be given.  */
int ferry_signatures_read (const char *base, const struct ferry_reference *ref, const char *digest,
                           ferry_registry_t *reg, struct ferry_signature **sigs, size_t *n,
                           ferry_error_t *err);
void ferry_signatures_free (struct ferry_signature *sigs, size_t n);

/* The keys of a signedBy requirement: files (binary or ASCII-armored) or
 * data.  */
struct ferry_signature_keys
{
  const char *const *paths;
  size_t n_paths;
  const void *data;
  size_t data_len;
};

/* Verifies SIG with gpgv against KEYS: *PAYLOAD gets the signed content.
 * Errors are containers/image's ("Invalid GPG signature: ...").  */
int ferry_signature_verify (const struct ferry_signature_keys *keys, const struct ferry_signature *sig,
                            char **payload, size_t *payload_len, ferry_error_t *err);

/* Checks a verified PAYLOAD strictly: its type, that its manifest digest
 * is DIGEST and that its reference is one IDENTITY (a policy's
 * signedIdentity, NULL: matchRepoDigestOrExact) accepts for INTENDED.  */
int ferry_signature_check_payload (const char *payload, size_t len, const char *digest,
                                   const struct ferry_reference *intended, json_object *identity,
                                   ferry_error_t *err);

/* Whether the signed reference SIGNED_REF is one IDENTITY (a policy's
 * signedIdentity, NULL: matchRepoDigestOrExact) accepts for INTENDED:
 * 1 or 0 (a SIGNED_REF that does not parse), -1 on error.  */
int ferry_signature_identity_accepts (json_object *identity, const struct ferry_reference *intended,
                                      const char *signed_ref, ferry_error_t *err);

/* The JSON a signature of TYPE ("atomic container signature" for simple
 * signing, cosign's type for sigstore) signs: REF_STRING at DIGEST.  */
char *ferry_signature_payload_new (const char *type, const char *ref_string, const char *digest);

/* Signs the image REF_STRING whose manifest digest is DIGEST with gpg's
 * key KEY_ID (the user's keyring): a new signature in *SIG.  PASSPHRASE
 * (NULL: gpg asks its agent) unlocks the key.  */
int ferry_signature_sign (const char *key_id, const char *passphrase, const char *ref_string,
                          const char *digest, char **sig, size_t *len, ferry_error_t *err);

/* Stores SIG as the next free signature-<N> for REF and DIGEST under the
 * directory DIR (atomically).  *PATH (may be NULL) gets its path.  */
int ferry_signature_store (const char *dir, const struct ferry_reference *ref, const char *digest,
                           const char *sig, size_t len, char **path, ferry_error_t *err);

/* Signs the image REF whose manifest digest is DIGEST with KEY_ID
 * (unlocked by PASSPHRASE, may be NULL) and stores the signature under
 * DIR, or (DIR NULL) in the file:// lookaside-staging (else lookaside)
 * registries.d (REGISTRIES_D, NULL: the default) names for REF: where
 * Podman's image sign and push --sign-by put it.  */
int ferry_signature_sign_store (const char *key_id, const char *passphrase, const char *dir,
                                const char *registries_d, const struct ferry_reference *ref,
                                const char *digest, ferry_error_t *err);

/* The user IDs of the OpenPGP keys in the file PATH, or in DATA when
 * PATH is NULL, as `gpg --with-colons` lists them; *IDS is
 * NULL-terminated (empty when gpg cannot read them).  */
int ferry_gpg_key_ids (const char *path, const void *data, size_t len, char ***ids);

#endif
