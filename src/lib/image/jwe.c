#include "jwe.h"
#include "../util/base64.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <string.h>

#define CEK_LEN 32 /* A256GCM */
#define GCM_IV_LEN 12
#define GCM_TAG_LEN 16
#define MAX_RECIPIENTS 64
#define MAX_EC_COORD 66 /* P-521 */

/* ---- base64 --------------------------------------------------------------- */

/* JWE's base64url is unpadded (RFC 7515); ferry takes only the one
 * canonical text of a value (FERRY_BASE64_CANONICAL).  */
#define JWE_BASE64 FERRY_BASE64_RAW_URL

/* A member that must be base64url: its bytes, or NULL.  */
static unsigned char *
b64url_member (json_object *o, const char *key, size_t *len)
{
  const char *s = ferry_json_string_value (json_object_object_get (o, key));

  if (s == NULL)
    return NULL;
  return ferry_base64_decode (JWE_BASE64, FERRY_BASE64_CANONICAL, s, strlen (s), len, NULL);
}

/* ---- keys ------------------------------------------------------------------ */

static const char *
ec_curve_name (const EVP_PKEY *key, int *coord_len)
{
  char group[64];
  size_t n = 0;

  if (! EVP_PKEY_get_utf8_string_param (key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof (group), &n))
    return NULL;
  if (strcmp (group, "prime256v1") == 0 || strcmp (group, "P-256") == 0)
    {
      *coord_len = 32;
      return "P-256";
    }
  if (strcmp (group, "secp384r1") == 0 || strcmp (group, "P-384") == 0)
    {
      *coord_len = 48;
      return "P-384";
    }
  if (strcmp (group, "secp521r1") == 0 || strcmp (group, "P-521") == 0)
    {
      *coord_len = 66;
      return "P-521";
    }
  return NULL;
}

static int
key_usable (const EVP_PKEY *key)
{
  int coord;

  if (EVP_PKEY_is_a (key, "RSA"))
    return EVP_PKEY_get_bits (key) >= 1024;
  if (EVP_PKEY_is_a (key, "EC"))
    return ec_curve_name (key, &coord) != NULL;
  return 0;
}

EVP_PKEY *
ferry_jwe_parse_public_key (const char *data, size_t len, const char *file, ferry_error_t *err)
{
  EVP_PKEY *key = NULL;
  BIO *bio;

  if (len > INT32_MAX)
    len = 0;
  bio = BIO_new_mem_buf (data, (int) len);
  key = PEM_read_bio_PUBKEY (bio, NULL, NULL, NULL);
  if (key == NULL)
    {
      const unsigned char *p = (const unsigned char *) data;
      key = d2i_PUBKEY (NULL, &p, (long) len);
    }
  BIO_free (bio);
  ERR_clear_error ();
  if (key == NULL)
    {
      ferry_make_error (err, 0,
                        "File provided is not a public key: `%s` holds no PEM or DER public key, give the "
                        "public half (openssl pkey -pubout)",
                        file);
      return NULL;
    }
  if (! key_usable (key))
    {
      EVP_PKEY_free (key);
      ferry_make_error (err, 0,
                        "the public key in `%s` is not one JWE encrypts for: give an RSA key or an EC key "
                        "on P-256, P-384 or P-521",
                        file);
      return NULL;
    }
  return key;
}

/* An integer of at most MAX into *OUT.  */
static bool
asn1_at_most (const ASN1_INTEGER *i, uint64_t max, uint64_t *out)
{
  return i && ASN1_INTEGER_get_uint64 (out, i) == 1 && *out <= max;
}

/* Whether the key derivation ALG (of a PKCS#8 EncryptedPrivateKeyInfo)
 * costs at most FERRY_JWE_MAX_KDF_WORK.  */
static bool
kdf_fits (const X509_ALGOR *alg)
{
  uint64_t n = 0, r = 0, p = 0;
  bool ok = true;

  switch (OBJ_obj2nid (alg->algorithm))
    {
    case NID_pbes2:
      {
        PBE2PARAM *pbe2 = ASN1_TYPE_unpack_sequence (ASN1_ITEM_rptr (PBE2PARAM), alg->parameter);

        ok = pbe2 == NULL || kdf_fits (pbe2->keyfunc);
        PBE2PARAM_free (pbe2);
        break;
      }
    case NID_id_pbkdf2:
      {
        PBKDF2PARAM *k = ASN1_TYPE_unpack_sequence (ASN1_ITEM_rptr (PBKDF2PARAM), alg->parameter);

        ok = k == NULL || asn1_at_most (k->iter, FERRY_JWE_MAX_KDF_WORK, &n);
        PBKDF2PARAM_free (k);
        break;
      }
    case NID_id_scrypt:
      {
        SCRYPT_PARAMS *k = ASN1_TYPE_unpack_sequence (ASN1_ITEM_rptr (SCRYPT_PARAMS), alg->parameter);

        /* Each at most 2^24: N * r * p cannot overflow.  */
        ok = k == NULL
             || (asn1_at_most (k->costParameter, FERRY_JWE_MAX_KDF_WORK, &n)
                 && asn1_at_most (k->blockSize, FERRY_JWE_MAX_KDF_WORK, &r)
                 && asn1_at_most (k->parallelizationParameter, FERRY_JWE_MAX_KDF_WORK, &p)
                 && n * r * p <= FERRY_JWE_MAX_KDF_WORK);
        SCRYPT_PARAMS_free (k);
        break;
      }
    default:
      {
        /* PKCS#5 v1 and PKCS#12 schemes: a salt and an iteration count.  */
        PBEPARAM *k = ASN1_TYPE_unpack_sequence (ASN1_ITEM_rptr (PBEPARAM), alg->parameter);

        ok = k == NULL || asn1_at_most (k->iter, FERRY_JWE_MAX_KDF_WORK, &n);
        PBEPARAM_free (k);
        break;
      }
    }
  ERR_clear_error ();
  return ok;
}

bool
ferry_jwe_private_key_kdf_fits (const char *data, size_t len)
{
  BIO *bio;
  char *name = NULL, *header = NULL;
  unsigned char *der = NULL;
  long der_len = 0;
  bool ok = true;

  if (len > INT32_MAX)
    return true;
  bio = BIO_new_mem_buf (data, (int) len);
  while (ok && PEM_read_bio (bio, &name, &header, &der, &der_len))
    {
      if (strcmp (name, PEM_STRING_PKCS8) == 0)
        {
          const unsigned char *q = der;
          X509_SIG *sig = d2i_X509_SIG (NULL, &q, der_len);
          const X509_ALGOR *alg = NULL;

          if (sig)
            {
              X509_SIG_get0 (sig, &alg, NULL);
              ok = kdf_fits (alg);
            }
          X509_SIG_free (sig);
        }
      OPENSSL_free (name);
      OPENSSL_free (header);
      OPENSSL_free (der);
    }
  BIO_free (bio);
  ERR_clear_error ();
  return ok;
}

static int
passphrase_cb (char *buf, int size, int rwflag, void *u)
{
  const char *pass = u;
  size_t n;

  (void) rwflag;
  if (pass == NULL)
    return -1;
  n = strlen (pass);
  if (n > (size_t) size)
    return -1;
  memcpy (buf, pass, n);
  return (int) n;
}

EVP_PKEY *
ferry_jwe_parse_private_key (const char *data, size_t len, const char *passphrase)
{
  BIO *bio;
  EVP_PKEY *key;

  if (len > INT32_MAX)
    return NULL;
  bio = BIO_new_mem_buf (data, (int) len);
  key = PEM_read_bio_PrivateKey (bio, NULL, passphrase_cb, (void *) passphrase);
  if (key == NULL)
    {
      BIO_reset (bio);
      key = d2i_PrivateKey_bio (bio, NULL);
    }
  BIO_free (bio);
  ERR_clear_error ();
  if (key && ! key_usable (key))
    {
      EVP_PKEY_free (key);
      key = NULL;
    }
  return key;
}

/* ---- ECDH-ES ----------------------------------------------------------------- */

/* The Concat KDF of RFC 7518 4.6.2 for a 256-bit key: one round.  */
static void
concat_kdf (const unsigned char *z, size_t z_len, const char *alg, const unsigned char *apu, size_t apu_len,
            const unsigned char *apv, size_t apv_len, unsigned char out[32])
{
  EVP_MD_CTX *md = EVP_MD_CTX_new ();
  unsigned char be[4];
  size_t alg_len = strlen (alg);
  unsigned int n = 32;

#define PUT32(v)                                                                                             \
  (be[0] = (unsigned char) ((v) >> 24), be[1] = (unsigned char) ((v) >> 16),                                 \
   be[2] = (unsigned char) ((v) >> 8), be[3] = (unsigned char) (v))
  EVP_DigestInit_ex (md, EVP_sha256 (), NULL);
  PUT32 (1u);
  EVP_DigestUpdate (md, be, 4);
  EVP_DigestUpdate (md, z, z_len);
  PUT32 (alg_len);
  EVP_DigestUpdate (md, be, 4);
  EVP_DigestUpdate (md, alg, alg_len);
  PUT32 (apu_len);
  EVP_DigestUpdate (md, be, 4);
  EVP_DigestUpdate (md, apu, apu_len);
  PUT32 (apv_len);
  EVP_DigestUpdate (md, be, 4);
  EVP_DigestUpdate (md, apv, apv_len);
  PUT32 (256u);
  EVP_DigestUpdate (md, be, 4);
#undef PUT32
  EVP_DigestFinal_ex (md, out, &n);
  EVP_MD_CTX_free (md);
}

static int
ecdh (EVP_PKEY *priv, EVP_PKEY *peer, unsigned char *z, size_t *z_len)
{
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (priv, NULL);
  int ok = ctx && EVP_PKEY_derive_init (ctx) > 0 && EVP_PKEY_derive_set_peer (ctx, peer) > 0
           && EVP_PKEY_derive (ctx, z, z_len) > 0;

  EVP_PKEY_CTX_free (ctx);
  return ok ? 0 : -1;
}

/* AES-256 key wrap (RFC 3394) of IN (IN_LEN, a multiple of 8) under KEK:
 * ENCRYPT wraps, else unwraps; the length written, or -1.  */
static int
aes_key_wrap (const unsigned char kek[32], const unsigned char *in, int in_len, unsigned char *out,
              int encrypt)
{
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new ();
  int n = 0, m = 0, ok;

  EVP_CIPHER_CTX_set_flags (c, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
  ok = EVP_CipherInit_ex (c, EVP_aes_256_wrap (), NULL, kek, NULL, encrypt) > 0
       && EVP_CipherUpdate (c, out, &n, in, in_len) > 0 && EVP_CipherFinal_ex (c, out + n, &m) > 0;
  EVP_CIPHER_CTX_free (c);
  return ok ? n + m : -1;
}

/* The EC public key EPK (a JWK) on CURVE (COORD bytes a coordinate), or
 * NULL when it is not one, or not a point of the curve.  */
static EVP_PKEY *
epk_to_key (json_object *epk, const char *curve, int coord)
{
  cleanup_free unsigned char *x = NULL, *y = NULL;
  unsigned char point[1 + 2 * MAX_EC_COORD];
  size_t xl = 0, yl = 0;
  OSSL_PARAM params[3];
  EVP_PKEY_CTX *ctx = NULL, *check = NULL;
  EVP_PKEY *key = NULL;
  const char *group = strcmp (curve, "P-256") == 0   ? "prime256v1"
                      : strcmp (curve, "P-384") == 0 ? "secp384r1"
                                                     : "secp521r1";

  if (epk == NULL || ! json_object_is_type (epk, json_type_object)
      || ! ferry_json_string_equals (epk, "kty", "EC") || ! ferry_json_string_equals (epk, "crv", curve))
    return NULL;
  x = b64url_member (epk, "x", &xl);
  y = b64url_member (epk, "y", &yl);
  if (x == NULL || y == NULL || xl != (size_t) coord || yl != (size_t) coord)
    return NULL;
  point[0] = 4;
  memcpy (point + 1, x, xl);
  memcpy (point + 1 + xl, y, yl);
  params[0] = OSSL_PARAM_construct_utf8_string (OSSL_PKEY_PARAM_GROUP_NAME, (char *) group, 0);
  params[1] = OSSL_PARAM_construct_octet_string (OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * (size_t) coord);
  params[2] = OSSL_PARAM_construct_end ();
  ctx = EVP_PKEY_CTX_new_from_name (NULL, "EC", NULL);
  if (ctx == NULL || EVP_PKEY_fromdata_init (ctx) <= 0
      || EVP_PKEY_fromdata (ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
    key = NULL;
  EVP_PKEY_CTX_free (ctx);
  if (key)
    {
      /* An invalid point would make the shared secret leak the key.  */
      check = EVP_PKEY_CTX_new (key, NULL);
      if (check == NULL || EVP_PKEY_public_check (check) <= 0)
        {
          EVP_PKEY_free (key);
          key = NULL;
        }
      EVP_PKEY_CTX_free (check);
    }
  ERR_clear_error ();
  return key;
}

static json_object *
key_to_epk (EVP_PKEY *key, const char *curve, int coord)
{
  unsigned char point[1 + 2 * MAX_EC_COORD];
  size_t n = 0;
  json_object *epk;
  char *x, *y;

  if (! EVP_PKEY_get_octet_string_param (key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, sizeof (point), &n)
      || n != 1 + 2 * (size_t) coord || point[0] != 4)
    return NULL;
  x = ferry_base64_encode (JWE_BASE64, point + 1, (size_t) coord);
  y = ferry_base64_encode (JWE_BASE64, point + 1 + coord, (size_t) coord);
  epk = json_object_new_object ();
  json_object_object_add (epk, "kty", json_object_new_string ("EC"));
  json_object_object_add (epk, "crv", json_object_new_string (curve));
  json_object_object_add (epk, "x", json_object_new_string (x));
  json_object_object_add (epk, "y", json_object_new_string (y));
  free (x);
  free (y);
  return epk;
}

/* ---- wrapping the content key -------------------------------------------- */

static int
rsa_oaep (EVP_PKEY *key, const unsigned char *in, size_t in_len, unsigned char *out, size_t *out_len,
          int encrypt)
{
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new (key, NULL);
  int ok = ctx && (encrypt ? EVP_PKEY_encrypt_init (ctx) : EVP_PKEY_decrypt_init (ctx)) > 0
           && EVP_PKEY_CTX_set_rsa_padding (ctx, RSA_PKCS1_OAEP_PADDING) > 0
           && EVP_PKEY_CTX_set_rsa_oaep_md (ctx, EVP_sha1 ()) > 0
           && EVP_PKEY_CTX_set_rsa_mgf1_md (ctx, EVP_sha1 ()) > 0
           && (encrypt ? EVP_PKEY_encrypt (ctx, out, out_len, in, in_len)
                       : EVP_PKEY_decrypt (ctx, out, out_len, in, in_len))
                  > 0;

  EVP_PKEY_CTX_free (ctx);
  ERR_clear_error ();
  return ok ? 0 : -1;
}

/* Wraps CEK for KEY: the recipient's header (alg, and epk) and its
 * encrypted key.  */
static int
wrap_for (EVP_PKEY *key, const unsigned char cek[CEK_LEN], json_object *header, char **encrypted_key,
          ferry_error_t *err)
{
  if (EVP_PKEY_is_a (key, "RSA"))
    {
      size_t n = (size_t) EVP_PKEY_get_size (key);
      cleanup_free unsigned char *out = xmalloc (n);

      if (rsa_oaep (key, cek, CEK_LEN, out, &n, 1) < 0)
        return ferry_make_error (err, 0, "cannot wrap a layer key with RSA-OAEP");
      json_object_object_add (header, "alg", json_object_new_string ("RSA-OAEP"));
      *encrypted_key = ferry_base64_encode (JWE_BASE64, out, n);
      return 0;
    }
  {
    int coord = 0;
    const char *curve = ec_curve_name (key, &coord);
    EVP_PKEY *eph = NULL;
    unsigned char z[MAX_EC_COORD], kek[32], wrapped[CEK_LEN + 8];
    size_t z_len = sizeof (z);
    json_object *epk;
    char group[64];
    size_t gl = 0;

    if (curve == NULL
        || ! EVP_PKEY_get_utf8_string_param (key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof (group), &gl))
      return ferry_make_error (err, 0, "cannot wrap a layer key: unsupported EC curve");
    eph = EVP_EC_gen (group);
    if (eph == NULL || ecdh (eph, key, z, &z_len) < 0 || (epk = key_to_epk (eph, curve, coord)) == NULL)
      {
        EVP_PKEY_free (eph);
        ERR_clear_error ();
        return ferry_make_error (err, 0, "cannot wrap a layer key with ECDH-ES on %s", curve);
      }
    EVP_PKEY_free (eph);
    concat_kdf (z, z_len, "ECDH-ES+A256KW", NULL, 0, NULL, 0, kek);
    OPENSSL_cleanse (z, sizeof (z));
    if (aes_key_wrap (kek, cek, CEK_LEN, wrapped, 1) != CEK_LEN + 8)
      {
        json_object_put (epk);
        return ferry_make_error (err, 0, "cannot wrap a layer key with AES key wrap");
      }
    OPENSSL_cleanse (kek, sizeof (kek));
    json_object_object_add (header, "alg", json_object_new_string ("ECDH-ES+A256KW"));
    json_object_object_add (header, "epk", epk);
    *encrypted_key = ferry_base64_encode (JWE_BASE64, wrapped, sizeof (wrapped));
    return 0;
  }
}

/* Unwraps the content key of a recipient whose merged header is HEADER
 * with KEY: 0 and CEK, or -1 when KEY does not open it.  */
static int
unwrap_with (EVP_PKEY *key, json_object *header, const unsigned char *ek, size_t ek_len,
             unsigned char cek[CEK_LEN])
{
  const char *alg = ferry_json_get_string (header, "alg");

  if (alg == NULL)
    return -1;
  if (EVP_PKEY_is_a (key, "RSA") && strcmp (alg, "RSA-OAEP") == 0)
    {
      size_t n = (size_t) EVP_PKEY_get_size (key);
      cleanup_free unsigned char *out = xmalloc (n);

      if (ek_len != n || rsa_oaep (key, ek, ek_len, out, &n, 0) < 0 || n != CEK_LEN)
        return -1;
      memcpy (cek, out, CEK_LEN);
      OPENSSL_cleanse (out, n);
      return 0;
    }
  if (EVP_PKEY_is_a (key, "EC") && strcmp (alg, "ECDH-ES+A256KW") == 0)
    {
      int coord = 0;
      const char *curve = ec_curve_name (key, &coord);
      EVP_PKEY *peer;
      unsigned char z[MAX_EC_COORD], kek[32], out[CEK_LEN + 8];
      size_t z_len = sizeof (z), apu_len = 0, apv_len = 0;
      cleanup_free unsigned char *apu = NULL, *apv = NULL;
      int r;

      if (curve == NULL || ek_len != CEK_LEN + 8)
        return -1;
      if ((json_object_object_get_ex (header, "apu", NULL)
           && (apu = b64url_member (header, "apu", &apu_len)) == NULL)
          || (json_object_object_get_ex (header, "apv", NULL)
              && (apv = b64url_member (header, "apv", &apv_len)) == NULL))
        return -1;
      peer = epk_to_key (ferry_json_get_object (header, "epk"), curve, coord);
      if (peer == NULL)
        return -1;
      r = ecdh (key, peer, z, &z_len);
      EVP_PKEY_free (peer);
      ERR_clear_error ();
      if (r < 0)
        return -1;
      concat_kdf (z, z_len, alg, apu, apu_len, apv, apv_len, kek);
      OPENSSL_cleanse (z, sizeof (z));
      r = aes_key_wrap (kek, ek, (int) ek_len, out, 0);
      OPENSSL_cleanse (kek, sizeof (kek));
      ERR_clear_error ();
      if (r != CEK_LEN)
        return -1;
      memcpy (cek, out, CEK_LEN);
      OPENSSL_cleanse (out, sizeof (out));
      return 0;
    }
  return -1;
}

/* ---- the payload ------------------------------------------------------------- */

static int
gcm (const unsigned char cek[CEK_LEN], const unsigned char iv[GCM_IV_LEN], const char *aad, size_t aad_len,
     const unsigned char *in, size_t len, unsigned char *out, unsigned char tag[GCM_TAG_LEN], int encrypt)
{
  EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new ();
  int n = 0, ok;

  ok = len <= INT32_MAX && aad_len <= INT32_MAX
       && EVP_CipherInit_ex (c, EVP_aes_256_gcm (), NULL, NULL, NULL, encrypt) > 0
       && EVP_CIPHER_CTX_ctrl (c, EVP_CTRL_GCM_SET_IVLEN, GCM_IV_LEN, NULL) > 0
       && EVP_CipherInit_ex (c, NULL, NULL, cek, iv, encrypt) > 0
       && EVP_CipherUpdate (c, NULL, &n, (const unsigned char *) aad, (int) aad_len) > 0
       && (len == 0 || EVP_CipherUpdate (c, out, &n, in, (int) len) > 0);
  if (ok && ! encrypt)
    ok = EVP_CIPHER_CTX_ctrl (c, EVP_CTRL_GCM_SET_TAG, GCM_TAG_LEN, tag) > 0;
  ok = ok && EVP_CipherFinal_ex (c, out + n, &n) > 0;
  if (ok && encrypt)
    ok = EVP_CIPHER_CTX_ctrl (c, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LEN, tag) > 0;
  EVP_CIPHER_CTX_free (c);
  ERR_clear_error ();
  return ok ? 0 : -1;
}

static void
add_b64 (json_object *o, const char *key, const unsigned char *data, size_t len)
{
  char *s = ferry_base64_encode (JWE_BASE64, data, len);

  json_object_object_add (o, key, json_object_new_string (s));
  free (s);
}

char *
ferry_jwe_encrypt (const unsigned char *payload, size_t len, EVP_PKEY *const *recipients, size_t n,
                   ferry_error_t *err)
{
  unsigned char cek[CEK_LEN], iv[GCM_IV_LEN], tag[GCM_TAG_LEN];
  cleanup_free unsigned char *ct = xmalloc (len + 1);
  cleanup_json json_object *jwe = json_object_new_object (), *protected = json_object_new_object ();
  cleanup_free char *protected_b64 = NULL;
  json_object *list = NULL;
  const char *text;
  size_t i;
  char *ret = NULL;

  if (n == 0 || n > MAX_RECIPIENTS)
    {
      ferry_make_error (err, 0, "a JWE needs from 1 to %d recipients", MAX_RECIPIENTS);
      return NULL;
    }
  if (RAND_bytes (cek, CEK_LEN) != 1 || RAND_bytes (iv, GCM_IV_LEN) != 1)
    {
      ferry_make_error (err, 0, "cannot draw random bytes for a layer key");
      return NULL;
    }
  if (n == 1)
    {
      /* go-jose's flattened form: every header protected.  */
      cleanup_free char *ek = NULL;
      json_object *h = json_object_new_object ();

      if (wrap_for (recipients[0], cek, h, &ek, err) < 0)
        {
          json_object_put (h);
          goto out;
        }
      json_object_object_add (protected, "alg", json_object_get (json_object_object_get (h, "alg")));
      json_object_object_add (protected, "enc", json_object_new_string ("A256GCM"));
      if (json_object_object_get (h, "epk"))
        json_object_object_add (protected, "epk", json_object_get (json_object_object_get (h, "epk")));
      json_object_put (h);
      text = ferry_json_to_string (protected, 0);
      protected_b64 = ferry_base64_encode (JWE_BASE64, (const unsigned char *) text, strlen (text));
      json_object_object_add (jwe, "protected", json_object_new_string (protected_b64));
      json_object_object_add (jwe, "encrypted_key", json_object_new_string (ek));
    }
  else
    {
      json_object_object_add (protected, "enc", json_object_new_string ("A256GCM"));
      text = ferry_json_to_string (protected, 0);
      protected_b64 = ferry_base64_encode (JWE_BASE64, (const unsigned char *) text, strlen (text));
      json_object_object_add (jwe, "protected", json_object_new_string (protected_b64));
      list = json_object_new_array ();
      json_object_object_add (jwe, "recipients", list);
      for (i = 0; i < n; i++)
        {
          cleanup_free char *ek = NULL;
          json_object *r = json_object_new_object (), *h = json_object_new_object ();

          json_object_array_add (list, r);
          json_object_object_add (r, "header", h);
          if (wrap_for (recipients[i], cek, h, &ek, err) < 0)
            goto out;
          json_object_object_add (r, "encrypted_key", json_object_new_string (ek));
        }
    }
  if (gcm (cek, iv, protected_b64, strlen (protected_b64), payload, len, ct, tag, 1) < 0)
    {
      ferry_make_error (err, 0, "cannot encrypt a layer's options with A256GCM");
      goto out;
    }
  add_b64 (jwe, "iv", iv, GCM_IV_LEN);
  add_b64 (jwe, "ciphertext", ct, len);
  add_b64 (jwe, "tag", tag, GCM_TAG_LEN);
  ret = xstrdup (ferry_json_to_string (jwe, 0));

out:
  OPENSSL_cleanse (cek, sizeof (cek));
  return ret;
}

/* The header a recipient sees: the protected one, the shared unprotected
 * one and its own, merged (RFC 7516 7.2.1: they must not share a name).  */
static json_object *
merge_headers (json_object *protected, json_object *shared, json_object *own)
{
  json_object *parts[3] = { protected, shared, own };
  json_object *m = json_object_new_object ();

  for (size_t i = 0; i < 3; i++)
    {
      if (parts[i] == NULL)
        continue;
      if (! json_object_is_type (parts[i], json_type_object))
        goto bad;
      json_object_object_foreach (parts[i], k, v)
      {
        if (json_object_object_get_ex (m, k, NULL))
          goto bad;
        json_object_object_add (m, k, json_object_get (v));
      }
    }
  return m;

bad:
  json_object_put (m);
  return NULL;
}

static int
bad_jwe (ferry_error_t *err, const char *why)
{
  return ferry_make_error (err, 0, "the layer's JWE is malformed: %s", why);
}

int
ferry_jwe_decrypt (const char *text, size_t len, EVP_PKEY *const *keys, size_t n, unsigned char **payload,
                   size_t *payload_len, ferry_error_t *err)
{
  cleanup_json json_object *jwe = NULL, *protected = NULL;
  cleanup_free unsigned char *iv = NULL, *ct = NULL, *tag = NULL, *ph = NULL, *aad_bytes = NULL;
  cleanup_free char *aad = NULL;
  json_object *recipients, *shared;
  const char *protected_b64, *aad_b64;
  size_t iv_len = 0, ct_len = 0, tag_len = 0, ph_len = 0, aad_len = 0, nr, r, k;

  *payload = NULL;
  *payload_len = 0;
  jwe = json_tokener_parse (text);
  if (jwe == NULL || ! json_object_is_type (jwe, json_type_object) || strlen (text) != len)
    return bad_jwe (err, "not a JSON object");
  protected_b64 = ferry_json_string_value (json_object_object_get (jwe, "protected"));
  if (protected_b64 == NULL)
    return bad_jwe (err, "no protected header");
  ph = ferry_base64_decode (JWE_BASE64, FERRY_BASE64_CANONICAL, protected_b64, strlen (protected_b64),
                            &ph_len, NULL);
  if (ph == NULL || strlen ((char *) ph) != ph_len)
    return bad_jwe (err, "the protected header is not base64url");
  protected = json_tokener_parse ((char *) ph);
  if (protected == NULL || ! json_object_is_type (protected, json_type_object))
    return bad_jwe (err, "the protected header is not a JSON object");
  if (json_object_object_get_ex (protected, "zip", NULL))
    return bad_jwe (err, "compressed payloads (zip) are not supported");
  shared = json_object_object_get (jwe, "unprotected");
  iv = b64url_member (jwe, "iv", &iv_len);
  ct = b64url_member (jwe, "ciphertext", &ct_len);
  tag = b64url_member (jwe, "tag", &tag_len);
  if (iv == NULL || iv_len != GCM_IV_LEN || ct == NULL || tag == NULL || tag_len != GCM_TAG_LEN)
    return bad_jwe (err, "iv, ciphertext or tag missing or of the wrong size for A256GCM");
  aad_b64 = NULL;
  if (json_object_object_get_ex (jwe, "aad", NULL))
    {
      aad_b64 = ferry_json_string_value (json_object_object_get (jwe, "aad"));
      if (aad_b64 == NULL
          || (aad_bytes = ferry_base64_decode (JWE_BASE64, FERRY_BASE64_CANONICAL, aad_b64, strlen (aad_b64),
                                               &aad_len, NULL))
                 == NULL)
        return bad_jwe (err, "aad is not base64url");
    }
  aad = aad_b64 ? xasprintf ("%s.%s", protected_b64, aad_b64) : xstrdup (protected_b64);

  recipients = json_object_object_get (jwe, "recipients");
  if (recipients && ! json_object_is_type (recipients, json_type_array))
    return bad_jwe (err, "recipients is not an array");
  nr = recipients ? json_object_array_length (recipients) : 1;
  if (nr == 0 || nr > MAX_RECIPIENTS)
    return bad_jwe (err, "no recipients, or too many");
  for (r = 0; r < nr; r++)
    {
      json_object *rec = recipients ? json_object_array_get_idx (recipients, r) : jwe;
      cleanup_json json_object *header = NULL;
      cleanup_free unsigned char *ek = NULL;
      size_t ek_len = 0;

      if (! json_object_is_type (rec, json_type_object))
        return bad_jwe (err, "a recipient is not an object");
      header = merge_headers (protected, shared, json_object_object_get (rec, "header"));
      if (header == NULL)
        return bad_jwe (err, "a recipient's headers are not objects or repeat a name");
      if (! ferry_json_string_equals (header, "enc", "A256GCM"))
        return bad_jwe (err, "the content encryption is not A256GCM");
      ek = b64url_member (rec, "encrypted_key", &ek_len);
      if (ek == NULL || ek_len > 4096)
        return bad_jwe (err, "a recipient's encrypted_key is missing or not base64url");
      for (k = 0; k < n; k++)
        {
          unsigned char cek[CEK_LEN];
          unsigned char *out;

          if (unwrap_with (keys[k], header, ek, ek_len, cek) < 0)
            continue;
          out = xmalloc (ct_len + 1);
          if (gcm (cek, iv, aad, strlen (aad), ct, ct_len, out, tag, 0) < 0)
            {
              OPENSSL_cleanse (cek, sizeof (cek));
              free (out);
              continue;
            }
          OPENSSL_cleanse (cek, sizeof (cek));
          out[ct_len] = '\0';
          *payload = out;
          *payload_len = ct_len;
          return 0;
        }
    }
  return 1;
}
