#include "sign.h"
#include "base64.h"
#include "cleanup.h"
#include "hash.h"
#include "json.h"
#include "xalloc.h"

#include <errno.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

/* A signature document is a few hundred bytes.  */
#define SIGNATURE_DOC_MAX 4096
#define ED25519_SIGNATURE_LEN 64

EVP_PKEY *
ferry_sign_key_load (const char *path, int private_key, ferry_error_t *err)
{
  cleanup_fclose FILE *f = fopen (path, "re");
  EVP_PKEY *key;

  if (f == NULL)
    {
      ferry_make_error (err, errno, "cannot open %s key `%s`", private_key ? "signing" : "public", path);
      return NULL;
    }
  key = private_key ? PEM_read_PrivateKey (f, NULL, NULL, NULL) : PEM_read_PUBKEY (f, NULL, NULL, NULL);
  if (key == NULL)
    {
      ferry_make_error (err, 0,
                        "`%s` is not a PEM %s key: make one with `openssl genpkey -algorithm ed25519 -out "
                        "key.pem` and `openssl pkey -in key.pem -pubout -out key.pub`",
                        path, private_key ? "private" : "public");
      return NULL;
    }
  if (! EVP_PKEY_is_a (key, "ED25519"))
    {
      EVP_PKEY_free (key);
      ferry_make_error (err, 0, "key `%s` is not an Ed25519 key: ferry signs with Ed25519 only", path);
      return NULL;
    }
  return key;
}

char *
ferry_sign_key_fingerprint (EVP_PKEY *key)
{
  unsigned char *der = NULL;
  char hex[FERRY_DIGEST_LEN + 1];
  int len = i2d_PUBKEY (key, &der);

  if (len <= 0)
    return xstrdup ("");
  ferry_sha256_buffer (der, (size_t) len, hex);
  OPENSSL_free (der);
  return xstrdup (hex);
}

char *
ferry_sign (EVP_PKEY *key, const void *data, size_t len, ferry_error_t *err)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  unsigned char sig[ED25519_SIGNATURE_LEN];
  cleanup_free char *b64 = NULL;
  size_t sig_len = sizeof (sig);
  cleanup_json json_object *doc = NULL;
  cleanup_free char *fingerprint = NULL;
  int ok;

  ok = ctx && EVP_DigestSignInit (ctx, NULL, NULL, NULL, key) == 1
       && EVP_DigestSign (ctx, sig, &sig_len, data, len) == 1;
  EVP_MD_CTX_free (ctx);
  if (! ok)
    {
      ferry_make_error (err, 0, "cannot sign the archive's manifest (OpenSSL refused the key)");
      return NULL;
    }
  b64 = ferry_base64_encode (FERRY_BASE64_STD, sig, sig_len);
  fingerprint = ferry_sign_key_fingerprint (key);
  doc = json_object_new_object ();
  json_object_object_add (doc, "algorithm", json_object_new_string ("ed25519"));
  json_object_object_add (doc, "key", json_object_new_string (fingerprint));
  json_object_object_add (doc, "signature", json_object_new_string (b64));
  return xasprintf ("%s\n", ferry_json_to_string (doc, 1));
}

static json_object *
parse_document (const char *doc, size_t doc_len)
{
  cleanup_error ferry_error_t ignored = NULL;
  json_object *o;

  if (doc_len == 0 || doc_len > SIGNATURE_DOC_MAX)
    return NULL;
  o = ferry_json_parse (doc, doc_len, "signature", &ignored);
  if (o && ! json_object_is_type (o, json_type_object))
    {
      json_object_put (o);
      return NULL;
    }
  return o;
}

char *
ferry_sign_document_key (const char *doc, size_t doc_len)
{
  cleanup_json json_object *o = parse_document (doc, doc_len);
  const char *key = ferry_json_get_string (o, "key");

  if (key == NULL || strncmp (key, "sha256:", 7) != 0 || strlen (key) != 71
      || strspn (key + 7, "0123456789abcdef") != 64)
    return NULL;
  return xstrdup (key);
}

int
ferry_sign_verify (EVP_PKEY *key, const void *data, size_t len, const char *doc, size_t doc_len,
                   const char *what, ferry_error_t *err)
{
  cleanup_json json_object *o = parse_document (doc, doc_len);
  const char *b64 = ferry_json_get_string (o, "signature");
  /* ferry_base64_decoded_max of the 88 characters.  */
  unsigned char sig[ED25519_SIGNATURE_LEN + 4];
  EVP_MD_CTX *ctx;
  size_t b64_len;
  ssize_t n;
  int ok;

  if (o == NULL || ! ferry_json_string_equals (o, "algorithm", "ed25519") || b64 == NULL)
    return ferry_make_error (err, 0, "%s has a malformed signature: refusing it", what);
  b64_len = strlen (b64);
  if (b64_len != 4 * ((ED25519_SIGNATURE_LEN + 2) / 3))
    return ferry_make_error (err, 0, "%s has a malformed signature: refusing it", what);
  /* 64 bytes encode to 88 characters with two '=' of padding.  */
  n = ferry_base64_decode_to (FERRY_BASE64_STD, FERRY_BASE64_CANONICAL, b64, b64_len, sig, NULL);
  if (n != ED25519_SIGNATURE_LEN)
    return ferry_make_error (err, 0, "%s has a malformed signature: refusing it", what);
  ctx = EVP_MD_CTX_new ();
  ok = ctx && EVP_DigestVerifyInit (ctx, NULL, NULL, NULL, key) == 1
       && EVP_DigestVerify (ctx, sig, ED25519_SIGNATURE_LEN, data, len) == 1;
  EVP_MD_CTX_free (ctx);
  if (! ok)
    return ferry_make_error (
        err, 0, "%s has a signature that does not verify: it was altered after it was signed", what);
  return 0;
}
