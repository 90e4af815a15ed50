#include "sigstore.h"
#include "policy.h"
#include "signature.h"
#include "../util/base64.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* containers/image's limit for one signature (iolimits).  */
#define SIGSTORE_MAX_SIZE (4 * 1024 * 1024)
/* Far more than any image carries; an attachment listing more is not a
 * signature store but an attack on memory.  */
#define SIGSTORE_MAX_SIGNATURES 256

static const char BLOB_PREFIX[] = "\0sigstore-json\n";

void
ferry_sigstore_signatures_free (struct ferry_sigstore_signature *sigs, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    {
      free (sigs[i].mime_type);
      free (sigs[i].payload);
      json_object_put (sigs[i].annotations);
      free (sigs[i].where);
    }
  free (sigs);
}

static void
signatures_add (struct ferry_sigstore_signature **sigs, size_t *n, struct ferry_sigstore_signature *s)
{
  *sigs = xrealloc (*sigs, sizeof (**sigs) * (*n + 1));
  (*sigs)[(*n)++] = *s;
  memset (s, 0, sizeof (*s));
}

static void
signature_clear (struct ferry_sigstore_signature *s)
{
  free (s->mime_type);
  free (s->payload);
  json_object_put (s->annotations);
  free (s->where);
  memset (s, 0, sizeof (*s));
}

/* ---- the payload -------------------------------------------------------------------- */

/* Go's %#v of the first token of V, for "JSON object expected, got ...".  */
static char *
go_token (json_object *v)
{
  switch (json_object_get_type (v))
    {
    case json_type_null:
      return xstrdup ("<nil>");
    case json_type_array:
      return xstrdup ("91");
    case json_type_string:
      return xasprintf ("\"%s\"", json_object_get_string (v));
    default:
      return xstrdup (json_object_to_json_string (v));
    }
}

static int
expect_object (json_object *v, ferry_error_t *err)
{
  cleanup_free char *got = NULL;

  if (json_object_is_type (v, json_type_object))
    return 0;
  got = go_token (v);
  return ferry_make_error (err, 0, "JSON object expected, got %s", got);
}

/* ParanoidUnmarshalJSONObjectExactFields: exactly the members KNOWN.  */
static int
exact_fields (json_object *o, const char *const *known, ferry_error_t *err)
{
  size_t i;

  if (expect_object (o, err) < 0 || ferry_policy_only_keys (o, known, err) < 0)
    return -1;
  for (i = 0; known[i]; i++)
    if (! json_object_object_get_ex (o, known[i], NULL))
      return ferry_make_error (err, 0, "Key \"%s\" missing in a JSON object", known[i]);
  return 0;
}

static const char *
string_member (json_object *o, const char *key, ferry_error_t *err)
{
  json_object *v = json_object_object_get (o, key);

  if (json_object_is_type (v, json_type_string))
    return json_object_get_string (v);
  /* null leaves a Go string empty.  */
  if (v == NULL || json_object_is_type (v, json_type_null))
    return "";
  ferry_make_error (err, 0, "json: cannot unmarshal %s into Go value of type string", ferry_json_go_kind (v));
  return NULL;
}

static int
check_optional (json_object *optional, ferry_error_t *err)
{
  json_object *v;

  if (optional == NULL || json_object_is_type (optional, json_type_null))
    return 0;
  if (expect_object (optional, err) < 0)
    return -1;
  if (json_object_object_get_ex (optional, "creator", &v) && ! json_object_is_type (v, json_type_string)
      && ! json_object_is_type (v, json_type_null))
    return ferry_make_error (err, 0, "json: cannot unmarshal %s into Go value of type string",
                             ferry_json_go_kind (v));
  if (json_object_object_get_ex (optional, "timestamp", &v) && ! json_object_is_type (v, json_type_null))
    {
      double d;
      if (! json_object_is_type (v, json_type_int) && ! json_object_is_type (v, json_type_double))
        return ferry_make_error (err, 0, "json: cannot unmarshal %s into Go value of type float64",
                                 ferry_json_go_kind (v));
      d = json_object_get_double (v);
      if (d != (double) (int64_t) d)
        return ferry_make_error (err, 0, "Field optional.timestamp is not is not an integer");
    }
  return 0;
}

static int
payload_parse (const char *payload, size_t len, char **digest, char **ref, ferry_error_t *err)
{
  static const char *const top[] = { "critical", "optional", NULL };
  static const char *const critical_keys[] = { "type", "image", "identity", NULL };
  static const char *const image_keys[] = { "docker-manifest-digest", NULL };
  static const char *const identity_keys[] = { "docker-reference", NULL };
  cleanup_json json_object *root = NULL;
  json_object *critical, *image, *identity;
  const char *type, *d, *r;

  *digest = *ref = NULL;
  root = ferry_json_parse (payload, len, "the signature's payload", err);
  if (root == NULL)
    return -1;
  if (ferry_policy_json_duplicate_keys (payload, len, err) < 0 || exact_fields (root, top, err) < 0
      || check_optional (json_object_object_get (root, "optional"), err) < 0)
    return -1;
  critical = json_object_object_get (root, "critical");
  if (exact_fields (critical, critical_keys, err) < 0)
    return -1;
  type = string_member (critical, "type", err);
  if (type == NULL)
    return -1;
  if (strcmp (type, FERRY_SIGSTORE_PAYLOAD_TYPE) != 0)
    return ferry_make_error (err, 0, "Unrecognized signature type %s", type);
  image = json_object_object_get (critical, "image");
  if (exact_fields (image, image_keys, err) < 0
      || (d = string_member (image, "docker-manifest-digest", err)) == NULL)
    return -1;
  identity = json_object_object_get (critical, "identity");
  if (exact_fields (identity, identity_keys, err) < 0
      || (r = string_member (identity, "docker-reference", err)) == NULL)
    return -1;
  *digest = xstrdup (d);
  *ref = xstrdup (r);
  return 0;
}

int
ferry_sigstore_payload_parse (const char *payload, size_t len, char **digest, char **ref, ferry_error_t *err)
{
  /* The refusals quote the payload's members: escaped, one line.  */
  if (payload_parse (payload, len, digest, ref, err) < 0)
    return ferry_error_one_line (err);
  return 0;
}

char *
ferry_sigstore_payload_new (const char *ref_string, const char *digest)
{
  return ferry_signature_payload_new (FERRY_SIGSTORE_PAYLOAD_TYPE, ref_string, digest);
}

/* ---- keys --------------------------------------------------------------------------- */

void
ferry_sigstore_keys_free (EVP_PKEY **keys, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    EVP_PKEY_free (keys[i]);
  free (keys);
}

/* cryptoutils.UnmarshalPEMToPublicKey.  */
static EVP_PKEY *
key_from_pem (const char *data, size_t len, ferry_error_t *err)
{
  BIO *bio = BIO_new_mem_buf (data, (int) len);
  char *name = NULL, *header = NULL;
  unsigned char *der = NULL;
  long der_len = 0;
  EVP_PKEY *key = NULL;

  if (bio == NULL || ! PEM_read_bio (bio, &name, &header, &der, &der_len))
    {
      BIO_free (bio);
      ferry_make_error (err, 0, "PEM decoding failed");
      return NULL;
    }
  BIO_free (bio);
  {
    const unsigned char *p = der;
    if (strcmp (name, "PUBLIC KEY") == 0)
      key = d2i_PUBKEY (NULL, &p, der_len);
    else if (strcmp (name, "RSA PUBLIC KEY") == 0)
      key = d2i_PublicKey (EVP_PKEY_RSA, NULL, &p, der_len);
    else
      ferry_make_error (
          err, 0, "unknown Public key PEM file type: %s. Are you passing the correct public key?", name);
    if (key == NULL && *err == NULL)
      ferry_make_error (err, 0, "x509: malformed public key of PEM type %s", name);
  }
  OPENSSL_free (name);
  OPENSSL_free (header);
  OPENSSL_free (der);
  return key;
}

static int
keys_add (EVP_PKEY ***keys, size_t *n, const char *data, size_t len, ferry_error_t *err)
{
  EVP_PKEY *key = key_from_pem (data, len, err);
  int id;

  if (key == NULL)
    return ferry_error_wrap (err, "parsing public key %zu", *n + 1);
  id = EVP_PKEY_get_base_id (key);
  if (id != EVP_PKEY_EC && id != EVP_PKEY_RSA && id != EVP_PKEY_ED25519)
    {
      EVP_PKEY_free (key);
      return ferry_make_error (err, 0, "creating verifier: unsupported public key type");
    }
  *keys = xrealloc (*keys, sizeof (**keys) * (*n + 1));
  (*keys)[(*n)++] = key;
  return 0;
}

static int
key_file_add (EVP_PKEY ***keys, size_t *n, const char *path, ferry_error_t *err)
{
  cleanup_free char *data = NULL;
  size_t len = 0;

  if (ferry_read_file_max (path, FERRY_SIGSTORE_MAX_KEY_FILE, &data, &len, err) < 0)
    {
      int e = (*err)->status ? (*err)->status : EIO;
      cleanup_free char *why = xstrdup (strerror (e));
      ferry_error_release (err);
      why[0] = (char) tolower ((unsigned char) why[0]);
      return ferry_make_error (err, 0, "open %s: %s", path, why);
    }
  return keys_add (keys, n, data, len, err);
}

static int
key_data_add (EVP_PKEY ***keys, size_t *n, const char *b64, ferry_error_t *err)
{
  cleanup_free unsigned char *data = NULL;
  size_t len = 0, bad = 0;

  data = ferry_base64_decode (FERRY_BASE64_STD, 0, b64, strlen (b64), &len, &bad);
  if (data == NULL)
    return ferry_make_error (err, 0, "illegal base64 data at input byte %zu", bad);
  return keys_add (keys, n, (const char *) data, len, err);
}

int
ferry_sigstore_keys_load (json_object *req, EVP_PKEY ***keys, size_t *n, ferry_error_t *err)
{
  json_object *v;
  size_t i;
  int ret = 0;

  *keys = NULL;
  *n = 0;
  if (ferry_json_get_string (req, "keyPath") && *ferry_json_get_string (req, "keyPath"))
    ret = key_file_add (keys, n, ferry_json_get_string (req, "keyPath"), err);
  else if (json_object_object_get_ex (req, "keyPaths", &v) && json_object_is_type (v, json_type_array))
    for (i = 0; ret == 0 && i < json_object_array_length (v); i++)
      ret = key_file_add (keys, n, json_object_get_string (json_object_array_get_idx (v, i)), err);
  else if (ferry_json_get_string (req, "keyData"))
    ret = key_data_add (keys, n, ferry_json_get_string (req, "keyData"), err);
  else if (json_object_object_get_ex (req, "keyDatas", &v) && json_object_is_type (v, json_type_array))
    for (i = 0; ret == 0 && i < json_object_array_length (v); i++)
      ret = key_data_add (keys, n, json_object_get_string (json_object_array_get_idx (v, i)), err);
  if (ret == 0 && *n == 0)
    ret = ferry_make_error (err, 0, "Need at least one public key to verify the sigstore payload, but got 0");
  if (ret < 0)
    {
      ferry_sigstore_keys_free (*keys, *n);
      *keys = NULL;
      *n = 0;
    }
  return ret;
}

/* ---- signature verification --------------------------------------------------------- */

static int
verify_digest_sig (EVP_PKEY *key, const unsigned char *sig, size_t sig_len, const void *data, size_t len)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  int ok;

  ok = ctx && EVP_DigestVerifyInit (ctx, NULL, EVP_sha256 (), NULL, key) == 1
       && EVP_DigestVerify (ctx, sig, sig_len, data, len) == 1;
  EVP_MD_CTX_free (ctx);
  return ok;
}

/* sigstore's ECDSA verifier: an ASN.1 signature, or else r||s (IEEE
 * P1363), over SHA-256.  NULL when it holds, else the reason.  */
static const char *
verify_ecdsa (EVP_PKEY *key, const unsigned char *sig, size_t sig_len, const void *data, size_t len)
{
  const unsigned char *p = sig;
  ECDSA_SIG *parsed = d2i_ECDSA_SIG (NULL, &p, (long) sig_len);
  unsigned char *der = NULL;
  int der_len, ok;

  if (parsed)
    {
      der_len = i2d_ECDSA_SIG (parsed, &der);
      ECDSA_SIG_free (parsed);
      ok = der_len > 0 && verify_digest_sig (key, der, (size_t) der_len, data, len);
      OPENSSL_free (der);
      return ok ? NULL : "invalid signature when validating ASN.1 encoded signature";
    }
  if (sig_len == 0 || sig_len > 132 || sig_len % 2 != 0)
    return "ecdsa: Invalid IEEE_P1363 encoded bytes";
  {
    ECDSA_SIG *rs = ECDSA_SIG_new ();
    BIGNUM *r = BN_bin2bn (sig, (int) (sig_len / 2), NULL),
           *s = BN_bin2bn (sig + sig_len / 2, (int) (sig_len / 2), NULL);

    if (rs == NULL || r == NULL || s == NULL || ! ECDSA_SIG_set0 (rs, r, s))
      {
        BN_free (r);
        BN_free (s);
        ECDSA_SIG_free (rs);
        return "invalid signature when validating IEEE_P1363 encoded signature";
      }
    der_len = i2d_ECDSA_SIG (rs, &der);
    ECDSA_SIG_free (rs);
    ok = der_len > 0 && verify_digest_sig (key, der, (size_t) der_len, data, len);
    OPENSSL_free (der);
    return ok ? NULL : "invalid signature when validating IEEE_P1363 encoded signature";
  }
}

static const char *
verify_with (EVP_PKEY *key, const unsigned char *sig, size_t sig_len, const void *data, size_t len)
{
  switch (EVP_PKEY_get_base_id (key))
    {
    case EVP_PKEY_EC:
      return verify_ecdsa (key, sig, sig_len, data, len);
    case EVP_PKEY_RSA:
      return verify_digest_sig (key, sig, sig_len, data, len) ? NULL : "crypto/rsa: verification error";
    case EVP_PKEY_ED25519:
      {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
        int ok = ctx && EVP_DigestVerifyInit (ctx, NULL, NULL, NULL, key) == 1
                 && EVP_DigestVerify (ctx, sig, sig_len, data, len) == 1;
        EVP_MD_CTX_free (ctx);
        return ok ? NULL : "failed to verify signature";
      }
    default:
      return "unsupported public key type";
    }
}

int
ferry_sigstore_verify (EVP_PKEY *const *keys, size_t n_keys, const struct ferry_sigstore_signature *sig,
                       const char *digest, const struct ferry_reference *intended, json_object *identity,
                       ferry_error_t *err)
{
  cleanup_free unsigned char *raw = NULL;
  cleanup_free char *reasons = NULL, *signed_digest = NULL, *signed_ref = NULL;
  const char *b64 = ferry_json_get_string (sig->annotations, FERRY_SIGSTORE_SIGNATURE_ANNOTATION);
  size_t raw_len = 0, bad = 0, i;
  int ok;

  if (b64 == NULL)
    return ferry_make_error (err, 0, "missing %s annotation", FERRY_SIGSTORE_SIGNATURE_ANNOTATION);
  raw = ferry_base64_decode (FERRY_BASE64_STD, 0, b64, strlen (b64), &raw_len, &bad);
  if (raw == NULL)
    return ferry_make_error (err, 0, "base64 decoding: illegal base64 data at input byte %zu", bad);
  for (i = 0; i < n_keys; i++)
    {
      const char *why = verify_with (keys[i], raw, raw_len, sig->payload, sig->payload_len);
      char *joined;

      if (why == NULL)
        break;
      joined = reasons ? xasprintf ("%s, %s", reasons, why) : xstrdup (why);
      free (reasons);
      reasons = joined;
    }
  if (i == n_keys)
    return ferry_make_error (err, 0, "cryptographic signature verification failed: %s",
                             reasons ? reasons : "no public key");
  if (ferry_sigstore_payload_parse (sig->payload, sig->payload_len, &signed_digest, &signed_ref, err) < 0)
    return -1;
  if (digest == NULL || strcmp (signed_digest, digest) != 0)
    {
      ferry_make_error (err, 0, "Signature for digest %s does not match", signed_digest);
      return ferry_error_one_line (err);
    }
  ok = ferry_signature_identity_accepts (identity, intended, signed_ref, err);
  if (ok < 0)
    return ferry_error_one_line (err);
  if (! ok)
    {
      ferry_make_error (err, 0, "Signature for identity \"%s\" is not accepted", signed_ref);
      return ferry_error_one_line (err);
    }
  return 0;
}

/* ---- where signatures are kept ------------------------------------------------------ */

int
ferry_sigstore_from_blob (const char *data, size_t len, const char *where,
                          struct ferry_sigstore_signature *out, ferry_error_t *err)
{
  cleanup_json json_object *root = NULL;
  json_object *annotations, *v;
  const char *mime, *payload;
  unsigned char *raw;
  size_t raw_len = 0, bad = 0, plen = sizeof (BLOB_PREFIX) - 1;

  memset (out, 0, sizeof (*out));
  if (len < plen || memcmp (data, BLOB_PREFIX, plen) != 0)
    return 0;
  root = ferry_json_parse (data + plen, len - plen, "a sigstore signature", err);
  if (root == NULL)
    return ferry_error_wrap (err, "parsing signature \"%s\"", where);
  if (! json_object_is_type (root, json_type_object)
      || (mime = ferry_json_get_string (root, "mimeType")) == NULL
      || (payload = ferry_json_get_string (root, "payload")) == NULL)
    return ferry_make_error (err, 0, "parsing signature \"%s\": not a sigstore signature", where);
  raw = ferry_base64_decode (FERRY_BASE64_STD, 0, payload, strlen (payload), &raw_len, &bad);
  if (raw == NULL)
    return ferry_make_error (err, 0, "parsing signature \"%s\": illegal base64 data at input byte %zu", where,
                             bad);
  annotations = json_object_new_object ();
  if (json_object_object_get_ex (root, "annotations", &v) && json_object_is_type (v, json_type_object))
    {
      json_object_object_foreach (v, k, val)
      {
        if (json_object_is_type (val, json_type_string))
          json_object_object_add (annotations, k, json_object_get (val));
      }
    }
  out->mime_type = xstrdup (mime);
  out->payload = (char *) raw;
  out->payload_len = raw_len;
  out->annotations = annotations;
  out->where = xstrdup (where);
  return 1;
}

/* A layer of an attachment: its blob, checked against the digest and
 * size the (untrusted) manifest gives.  */
static int
read_layer (ferry_registry_t *reg, const struct ferry_reference *ref, const char *scope, json_object *layer,
            struct ferry_sigstore_signature *s, ferry_error_t *err)
{
  const char *digest = ferry_json_get_string (layer, "digest");
  const char *mime = ferry_json_get_string (layer, "mediaType");
  json_object *size = json_object_object_get (layer, "size"), *annotations;
  cleanup_free char *url = NULL;
  struct ferry_http_request req = { 0 };
  struct ferry_http_response resp;
  char got[FERRY_DIGEST_LEN + 1];
  int64_t want;

  if (digest == NULL || ! ferry_digest_is_valid (digest) || mime == NULL
      || ! json_object_is_type (size, json_type_int))
    return ferry_make_error (err, 0, "the sigstore attachment of %s has a malformed layer", ref->repository);
  want = json_object_get_int64 (size);
  if (want < 0 || want > SIGSTORE_MAX_SIZE)
    return ferry_make_error (err, 0, "the sigstore signature %s of %s is larger than 4 MiB", digest,
                             ref->repository);
  url = xasprintf ("/v2/%s/blobs/%s", ref->repository, digest);
  req.method = "GET";
  req.url = url;
  req.scope = scope;
  req.max_body = SIGSTORE_MAX_SIZE;
  if (ferry_registry_do (reg, &req, &resp, err) < 0)
    return ferry_error_wrap (err, "reading sigstore signature %s", digest);
  if (resp.status != 200 || resp.too_large)
    {
      cleanup_free char *why = ferry_registry_error_text (&resp);
      ferry_http_response_free (&resp);
      return ferry_make_error (err, 0, "reading sigstore signature %s: %s", digest, why);
    }
  ferry_sha256_buffer (resp.body, resp.body_len, got);
  if (strcmp (got, digest) != 0 || resp.body_len != (size_t) want)
    {
      ferry_http_response_free (&resp);
      return ferry_make_error (err, 0, "sigstore signature %s of %s does not match its digest or size",
                               digest, ref->repository);
    }
  s->payload = steal_pointer (&resp.body);
  s->payload_len = resp.body_len;
  ferry_http_response_free (&resp);
  s->mime_type = xstrdup (mime);
  s->annotations = json_object_new_object ();
  annotations = json_object_object_get (layer, "annotations");
  if (annotations && json_object_is_type (annotations, json_type_object))
    {
      json_object_object_foreach (annotations, k, val)
      {
        if (json_object_is_type (val, json_type_string))
          json_object_object_add (s->annotations, k, json_object_get (val));
      }
    }
  s->where = xasprintf ("%s/%s@%s", ferry_registry_name (reg), ref->repository, digest);
  return 0;
}

/* Asks REG for REF's sigstore attachment manifest under TAG with SCOPE:
 * 1 with *MANIFEST, 0 when the registry has none, -1 with *ERR.  A
 * registry that cannot be asked at all is said as is, or under ASKING
 * when not NULL.  */
static int
attachment_manifest (ferry_registry_t *reg, const struct ferry_reference *ref, const char *scope,
                     const char *tag, const char *asking, json_object **manifest, ferry_error_t *err)
{
  cleanup_free char *url = xasprintf ("/v2/%s/manifests/%s", ref->repository, tag);
  struct ferry_http_request req = { 0 };
  struct ferry_http_response resp;

  *manifest = NULL;
  req.method = "GET";
  req.url = url;
  req.scope = scope;
  req.accept = "application/vnd.oci.image.manifest.v1+json";
  req.max_body = SIGSTORE_MAX_SIZE;
  if (ferry_registry_do (reg, &req, &resp, err) < 0)
    return asking ? ferry_error_wrap (err, "%s", asking) : -1;
  if (resp.status == 404)
    {
      ferry_http_response_free (&resp);
      return 0;
    }
  if (resp.status != 200 || resp.too_large)
    {
      cleanup_free char *why = ferry_registry_error_text (&resp);
      ferry_http_response_free (&resp);
      return ferry_make_error (err, 0, "reading the sigstore attachment %s of %s: %s", tag, ref->repository,
                               why);
    }
  *manifest = ferry_json_parse (resp.body, resp.body_len, "the sigstore attachment's manifest", err);
  ferry_http_response_free (&resp);
  return *manifest ? 1 : -1;
}

int
ferry_sigstore_attachments_read (ferry_registry_t *reg, const struct ferry_reference *ref, const char *digest,
                                 struct ferry_sigstore_signature **sigs, size_t *n, ferry_error_t *err)
{
  cleanup_free char *tag = NULL, *scope = NULL, *asking = NULL;
  cleanup_json json_object *manifest = NULL;
  json_object *layers;
  size_t i;
  int found;

  if (reg == NULL)
    return ferry_make_error (err, 0, "cannot read sigstore attachments here: no registry session");
  if (! ferry_digest_is_valid (digest))
    return ferry_make_error (err, 0, "invalid manifest digest `%s`", digest ? digest : "");
  tag = xasprintf ("sha256-%s.sig", ferry_digest_hex (digest));
  scope = xasprintf ("repository:%s:pull", ref->repository);
  asking = xasprintf ("reading the sigstore attachment of %s", ref->repository);
  found = attachment_manifest (reg, ref, scope, tag, asking, &manifest, err);
  if (found <= 0)
    return found;
  layers = ferry_json_get_array (manifest, "layers");
  if (! json_object_is_type (manifest, json_type_object) || layers == NULL)
    return ferry_make_error (err, 0, "the sigstore attachment of %s is not an OCI image manifest",
                             ref->repository);
  if (json_object_array_length (layers) > SIGSTORE_MAX_SIGNATURES)
    return ferry_make_error (err, 0, "the sigstore attachment of %s lists more than %d signatures",
                             ref->repository, SIGSTORE_MAX_SIGNATURES);
  for (i = 0; i < json_object_array_length (layers); i++)
    {
      struct ferry_sigstore_signature s = { 0 };
      if (read_layer (reg, ref, scope, json_object_array_get_idx (layers, i), &s, err) < 0)
        {
          signature_clear (&s);
          return -1;
        }
      signatures_add (sigs, n, &s);
    }
  return 0;
}

/* ---- signing ------------------------------------------------------------------------ */

/* What scrypt may take of memory for a key's own parameters (cosign's are
 * N=65536, r=8: 64 MiB).  */
#define SCRYPT_MAX_MEMORY (1024ULL * 1024 * 1024)

static unsigned char *
b64_member (json_object *o, const char *key, size_t *len)
{
  const char *text = ferry_json_get_string (o, key);

  if (text == NULL)
    return NULL;
  return ferry_base64_decode (FERRY_BASE64_STD, 0, text, strlen (text), len, NULL);
}

/* go-securesystemslib's encrypted.Decrypt: scrypt, then NaCl secretbox.
 * *PLAIN gets the PKCS#8 DER key.  */
static int
decrypt_key (const unsigned char *doc, size_t doc_len, const char *passphrase, unsigned char **plain,
             size_t *plain_len, ferry_error_t *err)
{
  cleanup_json json_object *root = ferry_json_parse ((const char *) doc, doc_len, "the private key", err);
  cleanup_free unsigned char *salt = NULL, *nonce = NULL, *box = NULL;
  json_object *kdf, *params, *cipher;
  size_t salt_len = 0, nonce_len = 0, box_len = 0;
  unsigned char key[crypto_secretbox_KEYBYTES];
  int64_t n, r, p;
  int ok;

  if (root == NULL)
    return ferry_error_wrap (err, "initializing private key: decrypt");
  kdf = ferry_json_get_object (root, "kdf");
  params = ferry_json_get_object (kdf, "params");
  cipher = ferry_json_get_object (root, "cipher");
  if (! ferry_json_string_equals (kdf, "name", "scrypt")
      || ! ferry_json_string_equals (cipher, "name", "nacl/secretbox") || params == NULL)
    return ferry_make_error (
        err, 0, "initializing private key: decrypt: encrypted: unsupported key derivation or cipher");
  n = ferry_json_get_int (params, "N", 0);
  r = ferry_json_get_int (params, "r", 0);
  p = ferry_json_get_int (params, "p", 0);
  salt = b64_member (kdf, "salt", &salt_len);
  nonce = b64_member (cipher, "nonce", &nonce_len);
  box = b64_member (root, "ciphertext", &box_len);
  if (n < 2 || (n & (n - 1)) != 0 || r < 1 || p < 1 || r > 64 || p > 64
      || (uint64_t) 128 * (uint64_t) r * ((uint64_t) n + (uint64_t) p + 2) > SCRYPT_MAX_MEMORY || salt == NULL
      || nonce == NULL || nonce_len != crypto_secretbox_NONCEBYTES || box == NULL
      || box_len < crypto_secretbox_MACBYTES)
    return ferry_make_error (err, 0, "initializing private key: decrypt: encrypted: invalid key file");
  if (EVP_PBE_scrypt (passphrase, strlen (passphrase), salt, salt_len, (uint64_t) n, (uint64_t) r,
                      (uint64_t) p, SCRYPT_MAX_MEMORY, key, sizeof (key))
      != 1)
    return ferry_make_error (err, 0, "initializing private key: decrypt: encrypted: scrypt failed");
  *plain_len = box_len - crypto_secretbox_MACBYTES;
  *plain = xmalloc (*plain_len + 1);
  ok = sodium_init () >= 0 && crypto_secretbox_open_easy (*plain, box, box_len, nonce, key) == 0;
  sodium_memzero (key, sizeof (key));
  if (! ok)
    {
      free (*plain);
      *plain = NULL;
      return ferry_make_error (err, 0, "initializing private key: decrypt: encrypted: decryption failed");
    }
  return 0;
}

int
ferry_sigstore_private_key_load (const char *path, const char *passphrase, EVP_PKEY **out, ferry_error_t *err)
{
  cleanup_free char *data = NULL;
  char *name = NULL, *header = NULL;
  unsigned char *doc = NULL, *plain = NULL;
  long doc_len = 0;
  size_t len = 0, plain_len = 0;
  BIO *bio;
  int ret = -1;

  *out = NULL;
  if (ferry_read_file_max (path, FERRY_SIGSTORE_MAX_KEY_FILE, &data, &len, err) < 0)
    {
      int e = (*err)->status ? (*err)->status : EIO;
      cleanup_free char *why = xstrdup (strerror (e));
      ferry_error_release (err);
      why[0] = (char) tolower ((unsigned char) why[0]);
      return ferry_make_error (err, 0, "reading private key from %s: open %s: %s", path, path, why);
    }
  bio = BIO_new_mem_buf (data, (int) len);
  if (bio == NULL || ! PEM_read_bio (bio, &name, &header, &doc, &doc_len))
    {
      BIO_free (bio);
      return ferry_make_error (err, 0, "initializing private key: PEM decoding failed");
    }
  BIO_free (bio);
  if (strcmp (name, "ENCRYPTED SIGSTORE PRIVATE KEY") != 0
      && strcmp (name, "ENCRYPTED COSIGN PRIVATE KEY") != 0)
    {
      ferry_make_error (err, 0, "initializing private key: unsupported pem type: %s", name);
      goto out;
    }
  if (decrypt_key (doc, (size_t) doc_len, passphrase ? passphrase : "", &plain, &plain_len, err) < 0)
    goto out;
  {
    const unsigned char *q = plain;
    *out = d2i_AutoPrivateKey (NULL, &q, (long) plain_len);
  }
  OPENSSL_cleanse (plain, plain_len);
  free (plain);
  if (*out == NULL)
    {
      ferry_make_error (err, 0, "initializing private key: the decrypted key is no PKCS#8 private key");
      goto out;
    }
  {
    int id = EVP_PKEY_get_base_id (*out);
    if (id != EVP_PKEY_EC && id != EVP_PKEY_RSA && id != EVP_PKEY_ED25519)
      {
        EVP_PKEY_free (*out);
        *out = NULL;
        ferry_make_error (err, 0, "initializing private key: unsupported private key type");
        goto out;
      }
  }
  ret = 0;
out:
  OPENSSL_free (name);
  OPENSSL_free (header);
  if (doc)
    OPENSSL_cleanse (doc, (size_t) doc_len);
  OPENSSL_free (doc);
  return ret;
}

char *
ferry_sigstore_sign (EVP_PKEY *key, const char *payload, size_t len, ferry_error_t *err)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  const EVP_MD *md = EVP_PKEY_get_base_id (key) == EVP_PKEY_ED25519 ? NULL : EVP_sha256 ();
  unsigned char *sig = NULL;
  size_t sig_len = 0;
  char *b64 = NULL;

  if (ctx && EVP_DigestSignInit (ctx, NULL, md, NULL, key) == 1
      && EVP_DigestSign (ctx, NULL, &sig_len, (const unsigned char *) payload, len) == 1)
    {
      sig = xmalloc (sig_len);
      if (EVP_DigestSign (ctx, sig, &sig_len, (const unsigned char *) payload, len) == 1)
        b64 = ferry_base64_encode (FERRY_BASE64_STD, sig, sig_len);
    }
  EVP_MD_CTX_free (ctx);
  free (sig);
  if (b64 == NULL)
    ferry_make_error (err, 0, "signing the sigstore payload failed");
  return b64;
}

/* A blob into REF's repository, unless it is there already.  */
static int
put_blob (ferry_registry_t *reg, const struct ferry_reference *ref, const char *scope, const void *data,
          size_t len, char digest[FERRY_DIGEST_LEN + 1], ferry_error_t *err)
{
  cleanup_free char *url = NULL, *put = NULL;
  struct ferry_http_request req = { 0 };
  struct ferry_http_response resp;
  long status;

  ferry_sha256_buffer (data, len, digest);
  url = xasprintf ("/v2/%s/blobs/%s", ref->repository, digest);
  req.method = "HEAD";
  req.url = url;
  req.scope = scope;
  if (ferry_registry_do (reg, &req, &resp, err) < 0)
    return -1;
  status = resp.status;
  ferry_http_response_free (&resp);
  if (status == 200)
    return 0;
  free (url);
  url = xasprintf ("/v2/%s/blobs/uploads/", ref->repository);
  memset (&req, 0, sizeof (req));
  req.method = "POST";
  req.url = url;
  req.scope = scope;
  if (ferry_registry_do (reg, &req, &resp, err) < 0)
    return -1;
  if (resp.status != 202 || resp.location == NULL)
    {
      cleanup_free char *why = ferry_registry_error_text (&resp);
      ferry_http_response_free (&resp);
      return ferry_make_error (err, 0, "starting a blob upload to %s: %s", ref->repository, why);
    }
  put = xasprintf ("%s%cdigest=%s", resp.location, strchr (resp.location, '?') ? '&' : '?', digest);
  ferry_http_response_free (&resp);
  memset (&req, 0, sizeof (req));
  req.method = "PUT";
  req.url = put;
  req.scope = scope;
  req.content_type = "application/octet-stream";
  req.body = data;
  req.body_len = len;
  if (ferry_registry_do (reg, &req, &resp, err) < 0)
    return -1;
  status = resp.status;
  if (status != 201 && status != 204)
    {
      cleanup_free char *why = ferry_registry_error_text (&resp);
      ferry_http_response_free (&resp);
      return ferry_make_error (err, 0, "uploading blob %s to %s: %s", digest, ref->repository, why);
    }
  ferry_http_response_free (&resp);
  return 0;
}

/* The layers of REF's attachment for DIGEST as the registry has them
 * (an empty array when there is none).  */
static int
attachment_layers (ferry_registry_t *reg, const struct ferry_reference *ref, const char *scope,
                   const char *tag, json_object **layers, ferry_error_t *err)
{
  cleanup_json json_object *manifest = NULL;
  json_object *l;
  int found = attachment_manifest (reg, ref, scope, tag, NULL, &manifest, err);

  if (found < 0)
    return -1;
  if (found == 0)
    {
      *layers = json_object_new_array ();
      return 0;
    }
  l = ferry_json_get_array (manifest, "layers");
  if (l == NULL)
    return ferry_make_error (err, 0, "the sigstore attachment %s of %s is not an OCI image manifest", tag,
                             ref->repository);
  if (json_object_array_length (l) >= SIGSTORE_MAX_SIGNATURES)
    return ferry_make_error (err, 0, "the sigstore attachment %s of %s has %d signatures already", tag,
                             ref->repository, SIGSTORE_MAX_SIGNATURES);
  *layers = json_object_get (l);
  return 0;
}

/* Adds PAYLOAD with its base64 signature SIG to REF's attachment for
 * DIGEST: the layers there, this one (unless the same is there), a config
 * naming them, the manifest under the tag.  */
static int
attach_signature (ferry_registry_t *reg, const struct ferry_reference *ref, const char *digest,
                  const char *payload, const char *sig, ferry_error_t *err)
{
  cleanup_free char *tag = xasprintf ("sha256-%s.sig", ferry_digest_hex (digest));
  cleanup_free char *scope = xasprintf ("repository:%s:pull,push", ref->repository), *url = NULL;
  cleanup_json json_object *layers = NULL, *config = NULL, *manifest = NULL;
  json_object *layer, *annotations, *diff_ids, *desc;
  char payload_digest[FERRY_DIGEST_LEN + 1], config_digest[FERRY_DIGEST_LEN + 1];
  const char *config_text, *manifest_text;
  struct ferry_http_request req = { 0 };
  struct ferry_http_response resp;
  size_t i;

  if (attachment_layers (reg, ref, scope, tag, &layers, err) < 0
      || put_blob (reg, ref, scope, payload, strlen (payload), payload_digest, err) < 0)
    return -1;
  for (i = 0; i < json_object_array_length (layers); i++)
    {
      json_object *l = json_object_array_get_idx (layers, i);
      if (ferry_json_string_equals (l, "digest", payload_digest)
          && ferry_json_string_equals (ferry_json_get_object (l, "annotations"),
                                       FERRY_SIGSTORE_SIGNATURE_ANNOTATION, sig))
        return 0;
    }
  layer = json_object_new_object ();
  json_object_object_add (layer, "mediaType", json_object_new_string (FERRY_SIGSTORE_SIGNATURE_TYPE));
  json_object_object_add (layer, "digest", json_object_new_string (payload_digest));
  json_object_object_add (layer, "size", json_object_new_int64 ((int64_t) strlen (payload)));
  annotations = json_object_new_object ();
  json_object_object_add (annotations, FERRY_SIGSTORE_SIGNATURE_ANNOTATION, json_object_new_string (sig));
  json_object_object_add (layer, "annotations", annotations);
  json_object_array_add (layers, layer);

  config = json_object_new_object ();
  json_object_object_add (config, "architecture", json_object_new_string (""));
  json_object_object_add (config, "os", json_object_new_string (""));
  json_object_object_add (config, "config", json_object_new_object ());
  {
    json_object *rootfs = json_object_new_object ();
    diff_ids = json_object_new_array ();
    for (i = 0; i < json_object_array_length (layers); i++)
      {
        const char *d = ferry_json_get_string (json_object_array_get_idx (layers, i), "digest");
        json_object_array_add (diff_ids, json_object_new_string (d ? d : ""));
      }
    json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
    json_object_object_add (rootfs, "diff_ids", diff_ids);
    json_object_object_add (config, "rootfs", rootfs);
  }
  config_text
      = json_object_to_json_string_ext (config, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  if (put_blob (reg, ref, scope, config_text, strlen (config_text), config_digest, err) < 0)
    return -1;
  manifest = json_object_new_object ();
  json_object_object_add (manifest, "schemaVersion", json_object_new_int (2));
  json_object_object_add (manifest, "mediaType",
                          json_object_new_string ("application/vnd.oci.image.manifest.v1+json"));
  desc = json_object_new_object ();
  json_object_object_add (desc, "mediaType",
                          json_object_new_string ("application/vnd.oci.image.config.v1+json"));
  json_object_object_add (desc, "digest", json_object_new_string (config_digest));
  json_object_object_add (desc, "size", json_object_new_int64 ((int64_t) strlen (config_text)));
  json_object_object_add (manifest, "config", desc);
  json_object_object_add (manifest, "layers", json_object_get (layers));
  manifest_text
      = json_object_to_json_string_ext (manifest, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  url = xasprintf ("/v2/%s/manifests/%s", ref->repository, tag);
  req.method = "PUT";
  req.url = url;
  req.scope = scope;
  req.content_type = "application/vnd.oci.image.manifest.v1+json";
  req.body = manifest_text;
  req.body_len = strlen (manifest_text);
  if (ferry_registry_do (reg, &req, &resp, err) < 0)
    return -1;
  if (resp.status != 201 && resp.status != 200)
    {
      cleanup_free char *why = ferry_registry_error_text (&resp);
      ferry_http_response_free (&resp);
      return ferry_make_error (err, 0, "writing the sigstore attachment %s of %s: %s", tag, ref->repository,
                               why);
    }
  ferry_http_response_free (&resp);
  return 0;
}

int
ferry_sigstore_sign_attach (EVP_PKEY *key, const struct ferry_registry_options *o, const char *registries_d,
                            const struct ferry_reference *ref, const char *const *digests, size_t n,
                            ferry_error_t *err)
{
  cleanup_free char *ref_string = ferry_reference_string (ref);
  ferry_registry_t *reg = NULL;
  int use = 0, ret = -1;
  size_t i;

  if (ferry_registries_d_sigstore_attachments (registries_d, ref, &use, err) < 0)
    return -1;
  if (! use)
    return ferry_make_error (err, 0,
                             "writing signatures: writing sigstore attachments is disabled by configuration");
  if (ferry_registry_open_repository (ref->registry, ref->repository, o, &reg, err) < 0)
    return ferry_error_wrap (err, "writing signatures");
  for (i = 0; i < n; i++)
    {
      cleanup_free char *payload = NULL, *sig = NULL;

      if (! ferry_digest_is_valid (digests[i]))
        {
          ferry_make_error (err, 0, "writing signatures: invalid manifest digest `%s`", digests[i]);
          goto out;
        }
      payload = ferry_sigstore_payload_new (ref_string, digests[i]);
      sig = ferry_sigstore_sign (key, payload, strlen (payload), err);
      if (sig == NULL || attach_signature (reg, ref, digests[i], payload, sig, err) < 0)
        {
          ferry_error_wrap (err, "writing signatures");
          goto out;
        }
    }
  ret = 0;
out:
  ferry_registry_close (reg);
  return ret;
}

/* ---- containers-sigstore-signing-params.yaml(5) ------------------------------------- */

int
ferry_sigstore_params_load (const char *path, char **key_file, char **passphrase_file, ferry_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len = 0;
  yaml_parser_t parser;
  yaml_document_t doc;
  yaml_node_t *root;
  yaml_node_pair_t *pair;
  int ret = -1, remote = 0;

  *key_file = *passphrase_file = NULL;
  if (ferry_read_file_max (path, FERRY_SIGSTORE_MAX_KEY_FILE, &text, &len, err) < 0)
    {
      int e = (*err)->status ? (*err)->status : EIO;
      cleanup_free char *why = xstrdup (strerror (e));
      ferry_error_release (err);
      why[0] = (char) tolower ((unsigned char) why[0]);
      return ferry_make_error (err, 0,
                               "setting up signing using parameter file \"%s\": reading \"%s\": open %s: %s",
                               path, path, path, why);
    }
  yaml_parser_initialize (&parser);
  yaml_parser_set_input_string (&parser, (const unsigned char *) text, len);
  if (! yaml_parser_load (&parser, &doc))
    {
      ret = ferry_make_error (
          err, 0, "setting up signing using parameter file \"%s\": parsing \"%s\": yaml: line %zu: %s", path,
          path, parser.problem_mark.line + 1, parser.problem ? parser.problem : "invalid YAML");
      yaml_parser_delete (&parser);
      return ret;
    }
  root = yaml_document_get_root_node (&doc);
  if (root && root->type != YAML_MAPPING_NODE)
    {
      ferry_make_error (err, 0,
                        "setting up signing using parameter file \"%s\": parsing \"%s\": not a YAML mapping",
                        path, path);
      goto out;
    }
  for (pair = root ? root->data.mapping.pairs.start : NULL; root && pair < root->data.mapping.pairs.top;
       pair++)
    {
      yaml_node_t *k = yaml_document_get_node (&doc, pair->key),
                  *v = yaml_document_get_node (&doc, pair->value);
      const char *key = k && k->type == YAML_SCALAR_NODE ? (const char *) k->data.scalar.value : "";
      char **slot = NULL;

      if (strcmp (key, "privateKeyFile") == 0)
        slot = key_file;
      else if (strcmp (key, "privateKeyPassphraseFile") == 0)
        slot = passphrase_file;
      else if (strcmp (key, "fulcio") == 0 || strcmp (key, "rekorURL") == 0)
        {
          remote = 1;
          continue;
        }
      else
        {
          /* Go's yaml, strict, in one line.  */
          ferry_make_error (
              err, 0,
              "setting up signing using parameter file \"%s\": parsing \"%s\": yaml: unmarshal errors: "
              "line %zu: field %s not found in type params.SigningParameterFile",
              path, path, k ? k->start_mark.line + 1 : 0, key);
          goto out;
        }
      if (v == NULL || v->type != YAML_SCALAR_NODE)
        {
          ferry_make_error (
              err, 0, "setting up signing using parameter file \"%s\": parsing \"%s\": %s is not a string",
              path, path, key);
          goto out;
        }
      free (*slot);
      *slot = xstrdup ((const char *) v->data.scalar.value);
    }
  if (remote)
    {
      ferry_make_error (
          err, 0,
          "setting up signing using parameter file \"%s\": ferry cannot sign with Fulcio or record "
          "signatures in Rekor (fulcio, rekorURL): sign with privateKeyFile alone",
          path);
      goto out;
    }
  if (*key_file == NULL || **key_file == '\0')
    {
      ferry_make_error (
          err, 0,
          "no private key source provided (neither a private key nor Fulcio) when preparing to create "
          "sigstore signatures");
      goto out;
    }
  ret = 0;
out:
  if (ret < 0)
    {
      free (*key_file);
      free (*passphrase_file);
      *key_file = *passphrase_file = NULL;
    }
  yaml_document_delete (&doc);
  yaml_parser_delete (&parser);
  return ret;
}
