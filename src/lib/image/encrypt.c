#include "encrypt.h"
#include "jwe.h"
#include "../util/base64.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_KEY_FILE (1u << 20)
#define MAX_KEYS 64
/* Annotations from a registry: a JWE with a few RSA-4096 recipients is a
 * few KiB.  */
#define MAX_JWE_ANNOTATION (256u << 10)
#define MAX_PUBOPTS (4u << 10)
#define MAX_PRIVOPTS (64u << 10)
#define CHUNK (1u << 20)

struct ferry_crypt_keys
{
  EVP_PKEY **keys;
  size_t n;
  char **passed_over; /* decryption: files that held no usable key */
  size_t n_passed_over;
};

void
ferry_crypt_keys_free (ferry_crypt_keys_t *k)
{
  if (k == NULL)
    return;
  for (size_t i = 0; i < k->n; i++)
    EVP_PKEY_free (k->keys[i]);
  for (size_t i = 0; i < k->n_passed_over; i++)
    free (k->passed_over[i]);
  free (k->keys);
  free (k->passed_over);
  free (k);
}

bool
ferry_media_is_encrypted (const char *mt)
{
  size_t n = mt ? strlen (mt) : 0, s = strlen (FERRY_ENC_SUFFIX);

  return n > s && strcmp (mt + n - s, FERRY_ENC_SUFFIX) == 0;
}

/* A key file, bounded: keys are small, and a path could name anything.  */
static int
read_small_file (const char *path, char **data, size_t *len, const char *kind, ferry_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  struct stat st;
  ssize_t n;

  if (fd < 0)
    return ferry_make_error (err, errno, "%s: open %s", kind, path);
  if (fstat (fd, &st) < 0 || ! S_ISREG (st.st_mode) || st.st_size > (off_t) MAX_KEY_FILE)
    return ferry_make_error (err, 0, "%s: `%s` is not a key file (a regular file of at most %u KiB)", kind,
                             path, MAX_KEY_FILE >> 10);
  *data = xmalloc ((size_t) st.st_size + 1);
  n = read (fd, *data, (size_t) st.st_size);
  if (n < 0)
    {
      free (*data);
      *data = NULL;
      return ferry_make_error (err, errno, "%s: read %s", kind, path);
    }
  (*data)[n] = '\0';
  *len = (size_t) n;
  return 0;
}

static void
add_key (ferry_crypt_keys_t *k, EVP_PKEY *key)
{
  k->keys = xrealloc (k->keys, sizeof (*k->keys) * (k->n + 1));
  k->keys[k->n++] = key;
}

int
ferry_crypt_keys_for_encryption (char *const *specs, ferry_crypt_keys_t **out, ferry_error_t *err)
{
  static const char kind[] = "unable to obtain encryption config: invalid encryption keys";
  ferry_crypt_keys_t *k = xmalloc0 (sizeof (*k));
  size_t i;

  *out = NULL;
  for (i = 0; specs && specs[i]; i++)
    {
      const char *spec = specs[i], *colon = strchr (spec, ':');
      cleanup_free char *proto = NULL, *data = NULL;
      size_t len = 0;
      EVP_PKEY *key;

      if (i >= MAX_KEYS)
        {
          ferry_make_error (err, 0, "%s: more than %d recipients", kind, MAX_KEYS);
          goto fail;
        }
      if (colon == NULL)
        {
          ferry_make_error (err, 0, "%s: Invalid recipient format `%s`: give it as jwe:PUBLIC-KEY.pem", kind,
                            spec);
          goto fail;
        }
      proto = xstrndup (spec, (size_t) (colon - spec));
      if (strcmp (proto, "pgp") == 0 || strcmp (proto, "pkcs7") == 0 || strcmp (proto, "pkcs11") == 0
          || strcmp (proto, "provider") == 0)
        {
          ferry_make_error (err, 0,
                            "%s: ferry does not encrypt for %s recipients (`%s`): use jwe:PUBLIC-KEY.pem",
                            kind, proto, spec);
          goto fail;
        }
      if (strcmp (proto, "jwe") != 0)
        {
          ferry_make_error (err, 0, "%s: Provided protocol not recognized: `%s`; use jwe:PUBLIC-KEY.pem",
                            kind, proto);
          goto fail;
        }
      if (read_small_file (colon + 1, &data, &len, kind, err) < 0)
        goto fail;
      key = ferry_jwe_parse_public_key (data, len, colon + 1, err);
      if (key == NULL)
        {
          ferry_error_wrap (err, "%s", kind);
          goto fail;
        }
      add_key (k, key);
    }
  *out = k;
  return 0;

fail:
  ferry_crypt_keys_free (k);
  return -1;
}

/* ocicrypt's passphrase forms.  */
static int
passphrase_of (const char *arg, char **pass, ferry_error_t *err)
{
  static const char kind[] = "unable to obtain decryption config: invalid decryption keys";
  size_t len = 0;

  if (strncmp (arg, "pass=", 5) == 0)
    {
      *pass = xstrdup (arg + 5);
      return 0;
    }
  if (strncmp (arg, "file=", 5) == 0)
    {
      if (read_small_file (arg + 5, pass, &len, kind, err) < 0)
        return -1;
      /* The passphrase is the file's first line.  */
      (*pass)[strcspn (*pass, "\r\n")] = '\0';
      return 0;
    }
  if (strncmp (arg, "fd=", 3) == 0)
    {
      char *end, buf[1024];
      long fd;
      ssize_t n;

      errno = 0;
      fd = strtol (arg + 3, &end, 10);
      if (arg[3] == '\0' || *end != '\0' || errno != 0 || fd < 0 || fd > INT32_MAX)
        return ferry_make_error (err, 0, "%s: `%s` names no file descriptor", kind, arg);
      n = read ((int) fd, buf, sizeof (buf) - 1);
      if (n < 0)
        return ferry_make_error (err, errno, "%s: cannot read the passphrase from fd %ld", kind, fd);
      buf[n] = '\0';
      buf[strcspn (buf, "\r\n")] = '\0';
      *pass = xstrdup (buf);
      OPENSSL_cleanse (buf, sizeof (buf));
      return 0;
    }
  *pass = xstrdup (arg);
  return 0;
}

int
ferry_crypt_keys_for_decryption (char *const *specs, ferry_crypt_keys_t **out, ferry_error_t *err)
{
  static const char kind[] = "unable to obtain decryption config: invalid decryption keys";
  ferry_crypt_keys_t *k = xmalloc0 (sizeof (*k));
  size_t i;

  *out = NULL;
  for (i = 0; specs && specs[i]; i++)
    {
      const char *colon = strchr (specs[i], ':');
      cleanup_free char *file = NULL, *pass = NULL, *data = NULL;
      size_t len = 0;
      EVP_PKEY *key;

      if (i >= MAX_KEYS)
        {
          ferry_make_error (err, 0, "%s: more than %d keys", kind, MAX_KEYS);
          goto fail;
        }
      file = colon ? xstrndup (specs[i], (size_t) (colon - specs[i])) : xstrdup (specs[i]);
      if (colon && passphrase_of (colon + 1, &pass, err) < 0)
        goto fail;
      if (read_small_file (file, &data, &len, kind, err) < 0)
        goto fail;
      /* Without a passphrase no key derivation runs.  */
      if (pass && ! ferry_jwe_private_key_kdf_fits (data, len))
        {
          ferry_make_error (
              err, 0, "%s: `%s` asks for a key derivation that costs more than 2^24 rounds to unlock it",
              kind, file);
          goto fail;
        }
      key = ferry_jwe_parse_private_key (data, len, pass);
      OPENSSL_cleanse (data, len);
      if (pass)
        OPENSSL_cleanse (pass, strlen (pass));
      if (key)
        add_key (k, key);
      else
        {
          k->passed_over = xrealloc (k->passed_over, sizeof (char *) * (k->n_passed_over + 1));
          k->passed_over[k->n_passed_over++] = steal_pointer (&file);
        }
    }
  *out = k;
  return 0;

fail:
  ferry_crypt_keys_free (k);
  return -1;
}

/* ---- the layer cipher ------------------------------------------------------- */

struct ctr_hmac
{
  EVP_CIPHER_CTX *ctr;
  EVP_MAC_CTX *mac;
};

static int
ctr_hmac_init (struct ctr_hmac *c, const struct ferry_layer_key *key, int encrypt)
{
  EVP_MAC *mac = EVP_MAC_fetch (NULL, "HMAC", NULL);
  OSSL_PARAM params[2]
      = { OSSL_PARAM_construct_utf8_string ("digest", (char *) "SHA256", 0), OSSL_PARAM_construct_end () };
  int ok;

  c->ctr = EVP_CIPHER_CTX_new ();
  c->mac = mac ? EVP_MAC_CTX_new (mac) : NULL;
  EVP_MAC_free (mac);
  ok = c->ctr && c->mac
       && EVP_CipherInit_ex (c->ctr, EVP_aes_256_ctr (), NULL, key->key, key->nonce, encrypt) > 0
       && EVP_MAC_init (c->mac, key->key, sizeof (key->key), params) > 0;
  return ok ? 0 : -1;
}

static void
ctr_hmac_free (struct ctr_hmac *c)
{
  EVP_CIPHER_CTX_free (c->ctr);
  EVP_MAC_CTX_free (c->mac);
}

static int
hmac_final (struct ctr_hmac *c, unsigned char out[32])
{
  size_t n = 0;

  return EVP_MAC_final (c->mac, out, &n, 32) > 0 && n == 32 ? 0 : -1;
}

static ssize_t
read_full (int fd, unsigned char *buf, size_t len)
{
  size_t got = 0;

  while (got < len)
    {
      ssize_t n = read (fd, buf + got, len - got);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        break;
      got += (size_t) n;
    }
  return (ssize_t) got;
}

static void
add_string (json_object *o, const char *key, const char *value)
{
  json_object_object_add (o, key, json_object_new_string (value));
}

static void
add_b64 (json_object *o, const char *key, const unsigned char *data, size_t len)
{
  char *s = ferry_base64_encode (FERRY_BASE64_STD, data, len);

  add_string (o, key, s);
  free (s);
}

int
ferry_layer_encrypt (const ferry_crypt_keys_t *k, int in, int out, const char *plain_digest,
                     char digest[FERRY_DIGEST_LEN + 1], uint64_t *size, json_object **annotations,
                     ferry_error_t *err)
{
  struct ferry_layer_key key = { 0 };
  struct ctr_hmac c = { 0 };
  cleanup_free unsigned char *buf = xmalloc (CHUNK), *enc = xmalloc (CHUNK + 32);
  cleanup_json json_object *priv = NULL, *pub = NULL, *nonce = NULL;
  cleanup_free char *jwe = NULL, *jwe_b64 = NULL, *pub_b64 = NULL;
  ferry_sha256_t *h = NULL;
  const char *text;
  uint64_t total = 0;
  int ret = -1;

  *annotations = NULL;
  if (k == NULL || k->n == 0)
    return ferry_make_error (err, 0, "no recipient to encrypt the layer for");
  if (RAND_bytes (key.key, sizeof (key.key)) != 1 || RAND_bytes (key.nonce, sizeof (key.nonce)) != 1)
    return ferry_make_error (err, 0, "cannot draw random bytes for a layer key");
  if (ctr_hmac_init (&c, &key, 1) < 0)
    {
      ferry_make_error (err, 0, "cannot set up AES-256-CTR with HMAC-SHA256");
      goto out;
    }
  h = ferry_sha256_new ();
  for (;;)
    {
      ssize_t n = read_full (in, buf, CHUNK);
      int m = 0;

      if (n < 0)
        {
          ferry_make_error (err, errno, "cannot read the layer to encrypt");
          goto out;
        }
      if (n == 0)
        break;
      if (EVP_CipherUpdate (c.ctr, enc, &m, buf, (int) n) <= 0
          || EVP_MAC_update (c.mac, enc, (size_t) m) <= 0)
        {
          ferry_make_error (err, 0, "cannot encrypt the layer");
          goto out;
        }
      if (ferry_write_all (out, enc, (size_t) m) < 0)
        {
          ferry_make_error (err, errno, "cannot write the encrypted layer");
          goto out;
        }
      ferry_sha256_update (h, enc, (size_t) m);
      total += (uint64_t) m;
    }
  if (hmac_final (&c, key.hmac) < 0)
    {
      ferry_make_error (err, 0, "cannot finish the layer's HMAC");
      goto out;
    }
  ferry_sha256_finish (h, digest);
  h = NULL;

  priv = json_object_new_object ();
  add_b64 (priv, "symkey", key.key, sizeof (key.key));
  add_string (priv, "digest", plain_digest);
  nonce = json_object_new_object ();
  add_b64 (nonce, "nonce", key.nonce, sizeof (key.nonce));
  json_object_object_add (priv, "cipheroptions", json_object_get (nonce));
  text = ferry_json_to_string (priv, 0);
  jwe = ferry_jwe_encrypt ((const unsigned char *) text, strlen (text), k->keys, k->n, err);
  OPENSSL_cleanse ((void *) text, strlen (text));
  if (jwe == NULL)
    goto out;
  jwe_b64 = ferry_base64_encode (FERRY_BASE64_STD, (const unsigned char *) jwe, strlen (jwe));

  pub = json_object_new_object ();
  add_string (pub, "cipher", FERRY_ENC_CIPHER);
  add_b64 (pub, "hmac", key.hmac, sizeof (key.hmac));
  json_object_object_add (pub, "cipheroptions", json_object_new_object ());
  text = ferry_json_to_string (pub, 0);
  pub_b64 = ferry_base64_encode (FERRY_BASE64_STD, (const unsigned char *) text, strlen (text));

  *annotations = json_object_new_object ();
  add_string (*annotations, FERRY_ENC_ANNOTATION_JWE, jwe_b64);
  add_string (*annotations, FERRY_ENC_ANNOTATION_PUBOPTS, pub_b64);
  *size = total;
  ret = 0;

out:
  if (h)
    ferry_sha256_free (h);
  ctr_hmac_free (&c);
  OPENSSL_cleanse (&key, sizeof (key));
  return ret;
}

/* ---- opening a layer's key ---------------------------------------------------- */

/* A base64 member of O of exactly WANT bytes into OUT.  */
static int
b64_exact (json_object *o, const char *key, unsigned char *out, size_t want)
{
  const char *s = ferry_json_string_value (json_object_object_get (o, key));
  cleanup_free unsigned char *bytes = NULL;
  size_t n = 0;

  if (s == NULL || strlen (s) > 4 * want)
    return -1;
  bytes = ferry_base64_decode (FERRY_BASE64_STD, FERRY_BASE64_CANONICAL, s, strlen (s), &n, NULL);
  if (bytes == NULL || n != want)
    return -1;
  memcpy (out, bytes, want);
  OPENSSL_cleanse (bytes, n);
  return 0;
}

/* The public options (the pubopts annotation, or the private options of
 * an ocicrypt before it split them): the cipher and the HMAC.  */
static int
read_public_options (json_object *o, struct ferry_layer_key *out, const char *what, ferry_error_t *err)
{
  json_object *copts = json_object_object_get (o, "cipheroptions");

  if (! ferry_json_string_equals (o, "cipher", FERRY_ENC_CIPHER))
    {
      const char *c = ferry_json_string_value (json_object_object_get (o, "cipher"));
      return ferry_make_error (err, 0, "decrypting layer %s: unsupported cipher `%.64s`: ferry decrypts %s",
                               what, c ? c : "(none)", FERRY_ENC_CIPHER);
    }
  if (b64_exact (o, "hmac", out->hmac, sizeof (out->hmac)) < 0)
    return ferry_make_error (err, 0, "decrypting layer %s: its options have no valid HMAC-SHA256 (`hmac`)",
                             what);
  if (copts && ! json_object_is_type (copts, json_type_object))
    return ferry_make_error (err, 0, "decrypting layer %s: its cipheroptions are not an object", what);
  return 0;
}

static int
read_private_options (const unsigned char *text, size_t len, bool with_public, struct ferry_layer_key *out,
                      const char *what, ferry_error_t *err)
{
  cleanup_json json_object *o = NULL;
  json_object *copts;
  const char *dg;

  if (len > MAX_PRIVOPTS || strlen ((const char *) text) != len)
    return ferry_make_error (err, 0, "decrypting layer %s: its private options are not JSON text", what);
  o = json_tokener_parse ((const char *) text);
  if (o == NULL || ! json_object_is_type (o, json_type_object))
    return ferry_make_error (err, 0, "decrypting layer %s: its private options are not a JSON object", what);
  if (b64_exact (o, "symkey", out->key, sizeof (out->key)) < 0)
    return ferry_make_error (err, 0, "decrypting layer %s: its private options hold no 32-byte `symkey`",
                             what);
  copts = json_object_object_get (o, "cipheroptions");
  if (copts == NULL || ! json_object_is_type (copts, json_type_object)
      || b64_exact (copts, "nonce", out->nonce, sizeof (out->nonce)) < 0)
    return ferry_make_error (err, 0, "decrypting layer %s: its private options hold no 16-byte `nonce`",
                             what);
  dg = ferry_json_string_value (json_object_object_get (o, "digest"));
  if (dg == NULL || ! ferry_digest_is_valid (dg))
    return ferry_make_error (err, 0, "decrypting layer %s: its private options name no valid sha256 `digest`",
                             what);
  snprintf (out->digest, sizeof (out->digest), "%s", dg);
  if (! with_public && read_public_options (o, out, what, err) < 0)
    return -1;
  return 0;
}

static int
missing_key (const ferry_crypt_keys_t *k, const char *what, ferry_error_t *err)
{
  cleanup_free char *skipped = xstrdup ("");

  for (size_t i = 0; i < k->n_passed_over; i++)
    {
      char *more = xasprintf ("%s%s`%s`", skipped, *skipped ? ", " : "", k->passed_over[i]);
      free (skipped);
      skipped = more;
    }
  if (k->n == 0)
    return ferry_make_error (
        err, 0,
        "decrypting layer %s: missing private key needed for decryption: %s holds no RSA or "
        "EC private key (or its passphrase is missing or wrong: give it as FILE:PASSPHRASE)",
        what, skipped);
  return ferry_make_error (
      err, 0,
      "decrypting layer %s: no suitable key unwrapper found or none of the private keys could "
      "be used for decryption: the layer was encrypted for none of the --decryption-key "
      "keys%s%s%s",
      what, *skipped ? " (not a usable private key: " : "", skipped, *skipped ? ")" : "");
}

bool
ferry_layer_key_is_jwe (json_object *desc)
{
  json_object *ann = ferry_json_get_object (desc, "annotations");

  return ann && ferry_json_string_value (json_object_object_get (ann, FERRY_ENC_ANNOTATION_JWE)) != NULL;
}

int
ferry_layer_key_open (const ferry_crypt_keys_t *k, json_object *desc, const char *what,
                      struct ferry_layer_key *out, ferry_error_t *err)
{
  json_object *ann = ferry_json_get_object (desc, "annotations");
  const char *jwes
      = ann ? ferry_json_string_value (json_object_object_get (ann, FERRY_ENC_ANNOTATION_JWE)) : NULL;
  const char *pubopts
      = ann ? ferry_json_string_value (json_object_object_get (ann, FERRY_ENC_ANNOTATION_PUBOPTS)) : NULL;
  bool have_pub = pubopts != NULL;
  const char *p;

  memset (out, 0, sizeof (*out));
  if (jwes == NULL)
    {
      if (ann && json_object_object_get_ex (ann, FERRY_ENC_ANNOTATION_PREFIX "keys.pgp", NULL))
        return ferry_make_error (
            err, 0, "decrypting layer %s: its key is wrapped for PGP, which ferry does not do", what);
      if (ann && json_object_object_get_ex (ann, FERRY_ENC_ANNOTATION_PREFIX "keys.pkcs7", NULL))
        return ferry_make_error (
            err, 0, "decrypting layer %s: its key is wrapped for PKCS7, which ferry does not do", what);
      return ferry_make_error (err, 0, "decrypting layer %s: it has no %s annotation", what,
                               FERRY_ENC_ANNOTATION_JWE);
    }
  if (k == NULL)
    return ferry_make_error (err, 0,
                             "decrypting layer %s: missing private key needed for decryption: the image is "
                             "encrypted; pass its private key with --decryption-key KEY.pem",
                             what);
  if (strlen (jwes) > MAX_JWE_ANNOTATION)
    return ferry_make_error (err, 0, "decrypting layer %s: its %s annotation is larger than %u KiB", what,
                             FERRY_ENC_ANNOTATION_JWE, MAX_JWE_ANNOTATION >> 10);
  if (have_pub)
    {
      cleanup_free unsigned char *text = NULL;
      cleanup_json json_object *o = NULL;
      size_t n = 0;

      if (strlen (pubopts) > MAX_PUBOPTS
          || (text = ferry_base64_decode (FERRY_BASE64_STD, FERRY_BASE64_CANONICAL, pubopts, strlen (pubopts),
                                          &n, NULL))
                 == NULL
          || strlen ((char *) text) != n || (o = json_tokener_parse ((char *) text)) == NULL
          || ! json_object_is_type (o, json_type_object))
        return ferry_make_error (err, 0,
                                 "decrypting layer %s: its %s annotation is not base64 of a JSON object",
                                 what, FERRY_ENC_ANNOTATION_PUBOPTS);
      if (read_public_options (o, out, what, err) < 0)
        return -1;
    }
  for (p = jwes; *p;)
    {
      size_t len = strcspn (p, ","), jlen = 0, plen = 0;
      cleanup_free unsigned char *jwe = NULL, *payload = NULL;
      int r;

      jwe = ferry_base64_decode (FERRY_BASE64_STD, FERRY_BASE64_CANONICAL, p, len, &jlen, NULL);
      if (jwe == NULL)
        return ferry_make_error (err, 0, "decrypting layer %s: its %s annotation is not base64", what,
                                 FERRY_ENC_ANNOTATION_JWE);
      r = ferry_jwe_decrypt ((char *) jwe, jlen, k->keys, k->n, &payload, &plen, err);
      if (r < 0)
        return ferry_error_wrap (err, "decrypting layer %s", what);
      if (r == 0)
        {
          r = read_private_options (payload, plen, have_pub, out, what, err);
          OPENSSL_cleanse (payload, plen);
          return r;
        }
      p += len;
      if (*p == ',')
        p++;
    }
  return missing_key (k, what, err);
}

/* ---- decrypting --------------------------------------------------------------- */

int
ferry_layer_hmac_check (const struct ferry_layer_key *key, int fd, const char *what, ferry_error_t *err)
{
  struct ctr_hmac c = { 0 };
  cleanup_free unsigned char *buf = xmalloc (CHUNK);
  unsigned char got[32];
  int ret = -1;

  if (lseek (fd, 0, SEEK_SET) < 0)
    return ferry_make_error (err, errno, "decrypting layer %s: cannot read it again", what);
  if (ctr_hmac_init (&c, key, 0) < 0)
    {
      ferry_make_error (err, 0, "cannot set up HMAC-SHA256");
      goto out;
    }
  for (;;)
    {
      ssize_t n = read_full (fd, buf, CHUNK);
      if (n < 0)
        {
          ferry_make_error (err, errno, "decrypting layer %s: cannot read it", what);
          goto out;
        }
      if (n == 0)
        break;
      EVP_MAC_update (c.mac, buf, (size_t) n);
    }
  if (hmac_final (&c, got) < 0)
    {
      ferry_make_error (err, 0, "cannot finish an HMAC");
      goto out;
    }
  if (CRYPTO_memcmp (got, key->hmac, sizeof (got)) != 0)
    {
      ferry_make_error (
          err, 0,
          "decrypting layer %s: could not properly decrypt byte stream: its HMAC does not match "
          "the one its options name (the blob or its annotations were altered)",
          what);
      goto out;
    }
  ret = 0;

out:
  ctr_hmac_free (&c);
  return ret;
}

int
ferry_layer_decrypt (const struct ferry_layer_key *key, int fd, int (*sink) (const void *, size_t, void *),
                     void *arg, const char *what, ferry_error_t *err)
{
  struct ctr_hmac c = { 0 };
  cleanup_free unsigned char *buf = xmalloc (CHUNK), *plain = xmalloc (CHUNK + 32);
  int ret = -1;

  if (lseek (fd, 0, SEEK_SET) < 0)
    return ferry_make_error (err, errno, "decrypting layer %s: cannot read it again", what);
  if (ctr_hmac_init (&c, key, 0) < 0)
    {
      ferry_make_error (err, 0, "cannot set up AES-256-CTR");
      goto out;
    }
  for (;;)
    {
      ssize_t n = read_full (fd, buf, CHUNK);
      int m = 0;

      if (n < 0)
        {
          ferry_make_error (err, errno, "decrypting layer %s: cannot read it", what);
          goto out;
        }
      if (n == 0)
        break;
      if (EVP_CipherUpdate (c.ctr, plain, &m, buf, (int) n) <= 0)
        {
          ferry_make_error (err, 0, "decrypting layer %s: AES-256-CTR failed", what);
          goto out;
        }
      if (sink (plain, (size_t) m, arg) < 0)
        goto out; /* the sink's error is the caller's */
    }
  ret = 0;

out:
  ctr_hmac_free (&c);
  OPENSSL_cleanse (plain, CHUNK + 32);
  return ret;
}
