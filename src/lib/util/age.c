/* ferry: the age format (see age.h).  Written from the specification at
 * c2sp.org/age; what it says a reader MUST refuse, this one refuses.  */
#include "age.h"
#include "base64.h"
#include "cleanup.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FILE_KEY_LEN 16
#define VERSION_LINE "age-encryption.org/v1"
#define X25519_INFO "age-encryption.org/v1/X25519"
#define RECIPIENT_HRP "age"
#define IDENTITY_HRP "age-secret-key-"
/* A header holds one stanza per recipient, about 100 bytes each: no file
 * ferry or age writes comes near this.  */
#define HEADER_MAX (64 * 1024)
#define SEALED_CHUNK (FERRY_AGE_CHUNK + FERRY_AGE_TAG)
/* Ciphertext read ahead: several chunks per read of the source.  */
#define OPEN_BUF_SIZE (16 * SEALED_CHUNK + 1)
/* A key file is a few lines.  */
#define KEY_FILE_MAX (256 * 1024)

/* ---- base64 without padding -------------------------------------------- */

/* age's base64: RFC 4648 without padding, and only the canonical text
 * (no stray bits in the last character).  Decodes into OUT (room for
 * ferry_base64_decoded_max (LEN) bytes): the number of bytes, or -1.  */
static ssize_t
b64_decode (const char *text, size_t len, unsigned char *out)
{
  return ferry_base64_decode_to (FERRY_BASE64_RAW_STD, FERRY_BASE64_CANONICAL, text, len, out, NULL);
}

/* ---- Bech32 (BIP 173, without the length limit) ------------------------ */

static const char BECH32_CHARSET[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t
bech32_polymod (const unsigned char *v, size_t n)
{
  static const uint32_t g[5] = { 0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3 };
  uint32_t chk = 1;
  size_t i;
  int j;

  for (i = 0; i < n; i++)
    {
      uint32_t top = chk >> 25;

      chk = ((chk & 0x1ffffff) << 5) ^ v[i];
      for (j = 0; j < 5; j++)
        if ((top >> j) & 1)
          chk ^= g[j];
    }
  return chk;
}

/* HRP expanded, then DATA (5-bit values), then room for 6 more.  */
static unsigned char *
bech32_values (const char *hrp, const unsigned char *data, size_t n, size_t *len)
{
  size_t h = strlen (hrp), i;
  unsigned char *v = xmalloc (2 * h + 1 + n + 6);

  for (i = 0; i < h; i++)
    {
      v[i] = (unsigned char) hrp[i] >> 5;
      v[h + 1 + i] = (unsigned char) hrp[i] & 31;
    }
  v[h] = 0;
  memcpy (v + 2 * h + 1, data, n);
  *len = 2 * h + 1 + n;
  return v;
}

static char *
bech32_encode (const char *hrp, const unsigned char *bytes, size_t len)
{
  unsigned char data[128];
  size_t n = 0, vlen, i;
  uint32_t acc = 0, mod;
  int bits = 0;
  cleanup_free unsigned char *v = NULL;
  char *out;

  for (i = 0; i < len; i++)
    {
      acc = (acc << 8) | bytes[i];
      bits += 8;
      while (bits >= 5)
        {
          bits -= 5;
          data[n++] = (acc >> bits) & 31;
        }
    }
  if (bits > 0)
    data[n++] = (acc << (5 - bits)) & 31;
  v = bech32_values (hrp, data, n, &vlen);
  memset (v + vlen, 0, 6);
  mod = bech32_polymod (v, vlen + 6) ^ 1;
  out = xmalloc (strlen (hrp) + 1 + n + 6 + 1);
  i = strlen (hrp);
  memcpy (out, hrp, i);
  out[i++] = '1';
  for (size_t k = 0; k < n; k++)
    out[i++] = BECH32_CHARSET[data[k]];
  for (int k = 0; k < 6; k++)
    out[i++] = BECH32_CHARSET[(mod >> (5 * (5 - k))) & 31];
  out[i] = '\0';
  return out;
}

/* Decodes TEXT (all lower or all upper case) whose human-readable part
 * must be HRP (lower case) and whose data must be 32 bytes.  */
static int
bech32_decode_key (const char *text, const char *hrp, unsigned char out[32])
{
  size_t len = strlen (text), h = strlen (hrp), n, i, vlen;
  cleanup_free char *lower = xstrdup (text);
  cleanup_free unsigned char *v = NULL;
  unsigned char data[128];
  bool has_lower = false, has_upper = false;
  uint32_t acc = 0;
  size_t got = 0;
  int bits = 0;

  for (i = 0; i < len; i++)
    {
      has_lower |= islower ((unsigned char) text[i]) != 0;
      has_upper |= isupper ((unsigned char) text[i]) != 0;
      lower[i] = (char) tolower ((unsigned char) text[i]);
    }
  if ((has_lower && has_upper) || len < h + 1 + 6 || strncmp (lower, hrp, h) != 0 || lower[h] != '1'
      || strrchr (lower, '1') != lower + h)
    return -1;
  n = len - h - 1;
  if (n > sizeof (data))
    return -1;
  for (i = 0; i < n; i++)
    {
      const char *p = strchr (BECH32_CHARSET, lower[h + 1 + i]);
      if (p == NULL || *p == '\0')
        return -1;
      data[i] = (unsigned char) (p - BECH32_CHARSET);
    }
  v = bech32_values (hrp, data, n, &vlen);
  if (bech32_polymod (v, vlen) != 1)
    return -1;
  for (i = 0; i + 6 < n; i++)
    {
      acc = (acc << 5) | data[i];
      bits += 5;
      if (bits >= 8)
        {
          bits -= 8;
          if (got == 32)
            return -1;
          out[got++] = (acc >> bits) & 0xff;
        }
    }
  if (got != 32 || bits >= 5 || (acc & ((1u << bits) - 1)))
    return -1;
  return 0;
}

/* ---- the primitives ---------------------------------------------------- */

static int
x25519 (const unsigned char priv[32], const unsigned char pub[32], unsigned char out[32])
{
  static const unsigned char zero[32];
  EVP_PKEY *sk = EVP_PKEY_new_raw_private_key (EVP_PKEY_X25519, NULL, priv, 32);
  EVP_PKEY *pk = EVP_PKEY_new_raw_public_key (EVP_PKEY_X25519, NULL, pub, 32);
  EVP_PKEY_CTX *ctx = sk ? EVP_PKEY_CTX_new (sk, NULL) : NULL;
  size_t len = 32;
  int ok = sk && pk && ctx && EVP_PKEY_derive_init (ctx) > 0 && EVP_PKEY_derive_set_peer (ctx, pk) > 0
           && EVP_PKEY_derive (ctx, out, &len) > 0 && len == 32;

  EVP_PKEY_CTX_free (ctx);
  EVP_PKEY_free (pk);
  EVP_PKEY_free (sk);
  /* A low-order point gives all zeros: the specification says abort.  */
  return ok && CRYPTO_memcmp (out, zero, 32) != 0 ? 0 : -1;
}

static int
x25519_public (const unsigned char priv[32], unsigned char pub[32])
{
  EVP_PKEY *sk = EVP_PKEY_new_raw_private_key (EVP_PKEY_X25519, NULL, priv, 32);
  size_t len = 32;
  int ok = sk && EVP_PKEY_get_raw_public_key (sk, pub, &len) > 0 && len == 32;

  EVP_PKEY_free (sk);
  return ok ? 0 : -1;
}

/* HKDF-SHA-256 into 32 bytes.  An empty salt is HashLen zero bytes
 * (RFC 5869, 2.2), which is what HMAC makes of an empty key anyway.  */
static int
hkdf (const unsigned char *ikm, size_t ikm_len, const unsigned char *salt, size_t salt_len, const char *info,
      unsigned char out[32])
{
  static const unsigned char zeros[32];
  EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id (EVP_PKEY_HKDF, NULL);
  size_t len = 32;
  int ok;

  if (salt_len == 0)
    {
      salt = zeros;
      salt_len = sizeof (zeros);
    }
  ok = ctx && EVP_PKEY_derive_init (ctx) > 0 && EVP_PKEY_CTX_set_hkdf_md (ctx, EVP_sha256 ()) > 0
       && EVP_PKEY_CTX_set1_hkdf_salt (ctx, salt, (int) salt_len) > 0
       && EVP_PKEY_CTX_set1_hkdf_key (ctx, ikm, (int) ikm_len) > 0
       && EVP_PKEY_CTX_add1_hkdf_info (ctx, (const unsigned char *) info, (int) strlen (info)) > 0
       && EVP_PKEY_derive (ctx, out, &len) > 0 && len == 32;
  EVP_PKEY_CTX_free (ctx);
  return ok ? 0 : -1;
}

static int
header_mac (const unsigned char file_key[FILE_KEY_LEN], const char *header, size_t len, unsigned char mac[32])
{
  unsigned char key[32];
  unsigned int mac_len = 32;
  int ok
      = hkdf (file_key, FILE_KEY_LEN, NULL, 0, "header", key) == 0
        && HMAC (EVP_sha256 (), key, sizeof (key), (const unsigned char *) header, len, mac, &mac_len) != NULL
        && mac_len == 32;

  OPENSSL_cleanse (key, sizeof (key));
  return ok ? 0 : -1;
}

/* ChaCha20-Poly1305 of LEN bytes with KEY and NONCE; the tag follows the
 * ciphertext in OUT.  Opening (! SEAL) takes LEN + 16 bytes of IN and
 * fails on a wrong tag.  */
static int
aead (EVP_CIPHER_CTX *ctx, bool seal, const unsigned char key[32], const unsigned char nonce[12],
      const unsigned char *in, size_t len, unsigned char *out)
{
  int n = 0, tail = 0;

  if (EVP_CipherInit_ex (ctx, EVP_chacha20_poly1305 (), NULL, key, nonce, seal) != 1)
    return -1;
  if (! seal && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_AEAD_SET_TAG, FERRY_AGE_TAG, (void *) (in + len)) != 1)
    return -1;
  if ((len > 0 && EVP_CipherUpdate (ctx, out, &n, in, (int) len) != 1)
      || EVP_CipherFinal_ex (ctx, out + n, &tail) != 1)
    return -1;
  if (seal && EVP_CIPHER_CTX_ctrl (ctx, EVP_CTRL_AEAD_GET_TAG, FERRY_AGE_TAG, out + len) != 1)
    return -1;
  return 0;
}

static void
chunk_nonce (uint64_t index, bool last, unsigned char nonce[12])
{
  int i;

  memset (nonce, 0, 12);
  for (i = 0; i < 8; i++)
    nonce[10 - i] = (index >> (8 * i)) & 0xff;
  nonce[11] = last ? 1 : 0;
}

/* ---- keys -------------------------------------------------------------- */

static void
push_key (struct ferry_age_key **keys, size_t *n, const unsigned char bytes[32])
{
  *keys = xrealloc (*keys, (*n + 1) * sizeof (**keys));
  memcpy ((*keys)[*n].bytes, bytes, 32);
  (*n)++;
}

/* The contents of the key file PATH, NUL-terminated.  */
static char *
read_key_file (const char *path, const char *what, ferry_error_t *err)
{
  cleanup_fclose FILE *f = fopen (path, "re");
  char *text;
  size_t n;

  if (f == NULL)
    {
      ferry_make_error (err, errno, "cannot open %s `%s`", what, path);
      return NULL;
    }
  text = xmalloc (KEY_FILE_MAX + 1);
  n = fread (text, 1, KEY_FILE_MAX + 1, f);
  if (ferror (f) || n > KEY_FILE_MAX)
    {
      free (text);
      ferry_make_error (err, ferror (f) ? EIO : EFBIG, "cannot read %s `%s`%s", what, path,
                        n > KEY_FILE_MAX ? ": it is too big for a key file" : "");
      return NULL;
    }
  text[n] = '\0';
  return text;
}

/* The next line of *TEXT, trimmed, skipping empty and comment lines; NULL
 * at the end.  */
static char *
next_key_line (char **text)
{
  while (*text && **text)
    {
      char *line = *text, *nl = strchr (line, '\n');
      size_t len;

      *text = nl ? nl + 1 : line + strlen (line);
      if (nl)
        *nl = '\0';
      while (*line == ' ' || *line == '\t')
        line++;
      len = strlen (line);
      while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        line[--len] = '\0';
      if (len == 0 || line[0] == '#')
        continue;
      return line;
    }
  return NULL;
}

static int
add_recipient (const char *text, const char *where, struct ferry_age_key **keys, size_t *n,
               ferry_error_t *err)
{
  unsigned char pub[32];

  if (bech32_decode_key (text, RECIPIENT_HRP, pub) < 0)
    {
      if (strncmp (text, "ssh-", 4) == 0 || strncmp (text, "age1pq1", 7) == 0
          || strncmp (text, "age1", 4) != 0)
        return ferry_make_error (
            err, 0,
            "%s: `%.40s` is not an X25519 age recipient (age1...): ferry encrypts to those "
            "only; make one with `age-keygen -o key.txt`",
            where, text);
      return ferry_make_error (
          err, 0, "%s: `%.70s` is not a valid age recipient (its checksum or length is wrong)", where, text);
    }
  push_key (keys, n, pub);
  return 0;
}

int
ferry_age_recipients_add (const char *spec, struct ferry_age_key **keys, size_t *n, ferry_error_t *err)
{
  cleanup_free char *text = NULL, *where = NULL;
  char *cursor, *line;
  size_t before = *n;

  /* A recipient, unless it names a file (age's -r and -R in one).  */
  if ((strncmp (spec, "age1", 4) == 0 && strchr (spec, '/') == NULL) || access (spec, F_OK) < 0)
    return add_recipient (spec, "--encrypt-recipient", keys, n, err);
  text = read_key_file (spec, "recipients file", err);
  if (text == NULL)
    return ferry_error_wrap (err, "--encrypt-recipient takes an age1... recipient or a file of them");
  where = xasprintf ("recipients file `%s`", spec);
  cursor = text;
  while ((line = next_key_line (&cursor)))
    if (add_recipient (line, where, keys, n, err) < 0)
      return -1;
  if (*n == before)
    return ferry_make_error (err, 0, "recipients file `%s` holds no recipient (age1...)", spec);
  return 0;
}

int
ferry_age_identities_load (const char *path, struct ferry_age_key **keys, size_t *n, ferry_error_t *err)
{
  cleanup_free char *text = read_key_file (path, "age identity file", err);
  char *cursor, *line;

  *keys = NULL;
  *n = 0;
  if (text == NULL)
    return -1;
  cursor = text;
  while ((line = next_key_line (&cursor)))
    {
      unsigned char sk[32];

      if (bech32_decode_key (line, IDENTITY_HRP, sk) < 0)
        {
          OPENSSL_cleanse (text, strlen (text));
          free (*keys);
          *keys = NULL;
          *n = 0;
          return ferry_make_error (err, 0,
                                   "`%s` is not an age identity file: every line must be an X25519 identity "
                                   "(AGE-SECRET-KEY-1...) or a # comment, as `age-keygen -o %s` writes it",
                                   path, path);
        }
      push_key (keys, n, sk);
      OPENSSL_cleanse (sk, sizeof (sk));
    }
  OPENSSL_cleanse (text, strlen (text));
  if (*n == 0)
    return ferry_make_error (err, 0, "age identity file `%s` holds no identity (AGE-SECRET-KEY-1...)", path);
  return 0;
}

void
ferry_age_keys_free (struct ferry_age_key *keys, size_t n)
{
  if (keys)
    OPENSSL_cleanse (keys, n * sizeof (*keys));
  free (keys);
}

char *
ferry_age_identity_recipient (const struct ferry_age_key *id)
{
  unsigned char pub[32];

  if (x25519_public (id->bytes, pub) < 0)
    return xstrdup ("");
  return bech32_encode (RECIPIENT_HRP, pub, sizeof (pub));
}

/* ---- sealing ----------------------------------------------------------- */

struct ferry_age_seal
{
  EVP_CIPHER_CTX *ctx;
  unsigned char key[32]; /* the payload key */
};

void
ferry_age_seal_free (ferry_age_seal_t *s)
{
  if (s == NULL)
    return;
  EVP_CIPHER_CTX_free (s->ctx);
  OPENSSL_cleanse (s->key, sizeof (s->key));
  free (s);
}

/* "-> X25519 <share>\n<body>\n" wrapping FILE_KEY for RECIPIENT.  */
static char *
x25519_stanza (const unsigned char recipient[32], const unsigned char file_key[FILE_KEY_LEN],
               EVP_CIPHER_CTX *ctx)
{
  static const unsigned char zero_nonce[12];
  unsigned char eph[32], share[32], shared[32], salt[64], wrap[32], body[FILE_KEY_LEN + FERRY_AGE_TAG];
  cleanup_free char *share64 = NULL, *body64 = NULL;
  char *stanza = NULL;

  if (RAND_bytes (eph, sizeof (eph)) == 1 && x25519_public (eph, share) == 0
      && x25519 (eph, recipient, shared) == 0)
    {
      memcpy (salt, share, 32);
      memcpy (salt + 32, recipient, 32);
      if (hkdf (shared, 32, salt, sizeof (salt), X25519_INFO, wrap) == 0
          && aead (ctx, true, wrap, zero_nonce, file_key, FILE_KEY_LEN, body) == 0)
        {
          share64 = ferry_base64_encode (FERRY_BASE64_RAW_STD, share, sizeof (share));
          body64 = ferry_base64_encode (FERRY_BASE64_RAW_STD, body, sizeof (body));
          stanza = xasprintf ("-> X25519 %s\n%s\n", share64, body64);
        }
    }
  OPENSSL_cleanse (eph, sizeof (eph));
  OPENSSL_cleanse (shared, sizeof (shared));
  OPENSSL_cleanse (wrap, sizeof (wrap));
  return stanza;
}

ferry_age_seal_t *
ferry_age_seal_new (const struct ferry_age_key *recipients, size_t n, unsigned char **header,
                    size_t *header_len, ferry_error_t *err)
{
  ferry_age_seal_t *s = xmalloc0 (sizeof (*s));
  unsigned char file_key[FILE_KEY_LEN], nonce[FERRY_AGE_NONCE], mac[32];
  cleanup_free char *text = xstrdup (VERSION_LINE "\n"), *mac64 = NULL;
  size_t i, len;

  s->ctx = EVP_CIPHER_CTX_new ();
  if (n == 0 || s->ctx == NULL || RAND_bytes (file_key, sizeof (file_key)) != 1
      || RAND_bytes (nonce, sizeof (nonce)) != 1)
    goto fail;
  for (i = 0; i < n; i++)
    {
      cleanup_free char *stanza = x25519_stanza (recipients[i].bytes, file_key, s->ctx);
      char *grown;

      if (stanza == NULL)
        {
          cleanup_free char *shown = bech32_encode (RECIPIENT_HRP, recipients[i].bytes, 32);
          OPENSSL_cleanse (file_key, sizeof (file_key));
          ferry_make_error (err, 0, "cannot encrypt to `%s`: it is not a usable X25519 public key", shown);
          ferry_age_seal_free (s);
          return NULL;
        }
      grown = xasprintf ("%s%s", text, stanza);
      free (text);
      text = grown;
    }
  {
    char *grown = xasprintf ("%s---", text);
    free (text);
    text = grown;
  }
  if (header_mac (file_key, text, strlen (text), mac) < 0
      || hkdf (file_key, sizeof (file_key), nonce, sizeof (nonce), "payload", s->key) < 0)
    goto fail;
  OPENSSL_cleanse (file_key, sizeof (file_key));
  mac64 = ferry_base64_encode (FERRY_BASE64_RAW_STD, mac, sizeof (mac));
  len = strlen (text) + 1 + strlen (mac64) + 1;
  *header = xmalloc (len + FERRY_AGE_NONCE);
  sprintf ((char *) *header, "%s %s\n", text, mac64);
  memcpy (*header + len, nonce, FERRY_AGE_NONCE);
  *header_len = len + FERRY_AGE_NONCE;
  return s;

fail:
  OPENSSL_cleanse (file_key, sizeof (file_key));
  ferry_age_seal_free (s);
  ferry_make_error (err, 0, "cannot encrypt the archive: OpenSSL has no X25519, HKDF or ChaCha20-Poly1305");
  return NULL;
}

int
ferry_age_seal_chunk (ferry_age_seal_t *s, uint64_t index, int last, const unsigned char *in, size_t len,
                      unsigned char *out, ferry_error_t *err)
{
  unsigned char nonce[12];

  if (len > FERRY_AGE_CHUNK || (len < FERRY_AGE_CHUNK && ! last) || (len == 0 && index > 0))
    return ferry_make_error (err, EINVAL, "cannot encrypt chunk %llu of %zu bytes%s",
                             (unsigned long long) index, len, last ? " (the last)" : "");
  chunk_nonce (index, last, nonce);
  if (aead (s->ctx, true, s->key, nonce, in, len, out) < 0)
    return ferry_make_error (err, 0, "cannot encrypt the archive: ChaCha20-Poly1305 failed");
  return 0;
}

/* ---- opening ----------------------------------------------------------- */

struct ferry_age_open
{
  ferry_read_fn read_fn;
  void *read_ctx;
  char *what;
  bool encrypted;
  EVP_CIPHER_CTX *ctx;
  unsigned char key[32]; /* the payload key */

  /* Bytes read from the source: IN[IN_POS, IN_LEN) not yet used.  */
  unsigned char *in;
  size_t in_pos, in_len;
  bool source_ended;

  /* Plaintext not yet handed out: OUT[OUT_POS, OUT_LEN).  */
  unsigned char *out;
  size_t out_pos, out_len;
  uint64_t index; /* of the next chunk */
  bool finished;  /* the final chunk was opened */

  char *error;
};

static ssize_t
source_read (ferry_age_open_t *o, void *buf, size_t len)
{
  ssize_t r;

  do
    r = o->read_fn (o->read_ctx, buf, len);
  while (r < 0 && errno == EINTR);
  return r;
}

/* Reads until IN holds WANT unused bytes or the source ends.  */
static int
fill (ferry_age_open_t *o, size_t want)
{
  while (! o->source_ended && o->in_len - o->in_pos < want)
    {
      ssize_t r;

      if (o->in_len == OPEN_BUF_SIZE || OPEN_BUF_SIZE - o->in_len < want - (o->in_len - o->in_pos))
        {
          memmove (o->in, o->in + o->in_pos, o->in_len - o->in_pos);
          o->in_len -= o->in_pos;
          o->in_pos = 0;
        }
      r = source_read (o, o->in + o->in_len, OPEN_BUF_SIZE - o->in_len);
      if (r < 0)
        return -1;
      if (r == 0)
        o->source_ended = true;
      o->in_len += (size_t) r;
    }
  return 0;
}

static int
fail_open (ferry_age_open_t *o, ferry_error_t *err, const char *why)
{
  return ferry_make_error (err, EBADMSG, "%s is not a valid age file: %s", o->what, why);
}

/* One parsed recipient stanza of type X25519.  */
struct x25519_stanza
{
  unsigned char share[32];
  unsigned char body[FILE_KEY_LEN + FERRY_AGE_TAG];
};

/* Parses the header in TEXT (LEN bytes, ending with the MAC line's LF):
 * the X25519 stanzas into *STANZAS, the MAC into MAC, and where the MAC'ed
 * part ends into *MACED.  */
static int
parse_header (ferry_age_open_t *o, char *text, size_t len, struct x25519_stanza **stanzas, size_t *n_x25519,
              size_t *n_all, unsigned char mac[32], size_t *maced, ferry_error_t *err)
{
  char *p = text, *end = text + len;
  char *nl = memchr (p, '\n', len);

  *n_x25519 = *n_all = 0;
  *nl = '\0';
  if (strcmp (p, VERSION_LINE) != 0)
    {
      if (strncmp (p, FERRY_AGE_MAGIC, strlen (FERRY_AGE_MAGIC)) == 0)
        return ferry_make_error (err, 0, "%s uses age format `%.32s`: ferry reads age-encryption.org/v1 only",
                                 o->what, p);
      return fail_open (o, err, "the first line is not `" VERSION_LINE "`");
    }
  p = nl + 1;
  while (p < end && strncmp (p, "-> ", 3) == 0)
    {
      char *args = p + 3, *args_end, *type, *share = NULL, *extra = NULL;
      cleanup_free char *body64 = xstrdup ("");
      unsigned char body[HEADER_MAX];
      ssize_t body_len;

      nl = memchr (p, '\n', (size_t) (end - p));
      if (nl == NULL)
        return fail_open (o, err, "a recipient stanza is cut short");
      *nl = '\0';
      args_end = nl;
      if (args == args_end || *args == ' ' || args_end[-1] == ' ' || strstr (args, "  "))
        return fail_open (o, err, "a recipient stanza's arguments are malformed");
      for (char *c = args; c < args_end; c++)
        if (*c != ' ' && (*c < 0x21 || *c > 0x7e))
          return fail_open (o, err, "a recipient stanza's arguments are not printable");
      type = args;
      if ((share = strchr (args, ' ')))
        {
          *share++ = '\0';
          if ((extra = strchr (share, ' ')))
            *extra++ = '\0';
        }
      /* The body: lines of 64 characters, then one shorter.  */
      p = nl + 1;
      for (;;)
        {
          char *grown;
          size_t line_len;

          nl = memchr (p, '\n', (size_t) (end - p));
          if (nl == NULL)
            return fail_open (o, err, "a recipient stanza's body is cut short");
          line_len = (size_t) (nl - p);
          if (line_len > 64)
            return fail_open (o, err, "a recipient stanza's body has a line longer than 64 columns");
          grown = xasprintf ("%s%.*s", body64, (int) line_len, p);
          free (body64);
          body64 = grown;
          p = nl + 1;
          if (line_len < 64)
            break;
        }
      body_len = b64_decode (body64, strlen (body64), body);
      if (body_len < 0)
        return fail_open (o, err, "a recipient stanza's body is not canonical base64");
      (*n_all)++;
      if (strcmp (type, "X25519") != 0)
        continue;
      {
        struct x25519_stanza st;
        if (share == NULL || extra != NULL || strlen (share) != 43 || b64_decode (share, 43, st.share) != 32)
          return fail_open (o, err, "an X25519 stanza does not carry one 32-byte share");
        if (body_len != sizeof (st.body))
          return fail_open (o, err, "an X25519 stanza's body is not 32 bytes");
        memcpy (st.body, body, sizeof (st.body));
        *stanzas = xrealloc (*stanzas, (*n_x25519 + 1) * sizeof (**stanzas));
        (*stanzas)[(*n_x25519)++] = st;
      }
    }
  if (*n_all == 0)
    return fail_open (o, err, "its header has no recipient stanza");
  /* "--- " and 43 base64 characters: the MAC covers everything before
   * the space.  */
  if (end - p != 4 + 43 + 1 || strncmp (p, "--- ", 4) != 0 || end[-1] != '\n'
      || b64_decode (p + 4, 43, mac) != 32)
    return fail_open (o, err, "its header does not end with a MAC line");
  *maced = (size_t) (p + 3 - text);
  return 0;
}

/* Unwraps the file key from STANZA with the identity ID; -1 when it is not
 * for ID.  */
static int
unwrap (const struct x25519_stanza *st, const struct ferry_age_key *id, EVP_CIPHER_CTX *ctx,
        unsigned char file_key[FILE_KEY_LEN])
{
  static const unsigned char zero_nonce[12];
  unsigned char pub[32], shared[32], salt[64], wrap[32];
  int r = -1;

  if (x25519_public (id->bytes, pub) == 0 && x25519 (id->bytes, st->share, shared) == 0)
    {
      memcpy (salt, st->share, 32);
      memcpy (salt + 32, pub, 32);
      if (hkdf (shared, 32, salt, sizeof (salt), X25519_INFO, wrap) == 0
          && aead (ctx, false, wrap, zero_nonce, st->body, FILE_KEY_LEN, file_key) == 0)
        r = 0;
    }
  OPENSSL_cleanse (shared, sizeof (shared));
  OPENSSL_cleanse (wrap, sizeof (wrap));
  return r;
}

/* Reads the header and the payload nonce, and derives the payload key.  */
static int
open_header (ferry_age_open_t *o, const struct ferry_age_key *ids, size_t n_ids, ferry_error_t *err)
{
  cleanup_free struct x25519_stanza *stanzas = NULL;
  cleanup_free char *text = NULL;
  unsigned char mac[32], want[32], file_key[FILE_KEY_LEN], nonce[FERRY_AGE_NONCE];
  size_t n_x25519, n_all, maced, len = 0, i, j;
  bool found = false;
  char *mark;

  /* The header ends with the line "--- <mac>\n".  */
  for (;;)
    {
      size_t avail = o->in_len - o->in_pos;
      unsigned char *base = o->in + o->in_pos;

      mark = memmem (base, avail, "\n--- ", 5);
      if (mark && avail - (size_t) ((unsigned char *) mark - base) >= 1 + 4 + 43 + 1)
        {
          len = (size_t) ((unsigned char *) mark - base) + 1 + 4 + 43 + 1;
          break;
        }
      if (avail >= HEADER_MAX)
        return fail_open (o, err, "its header is longer than 64 KiB");
      if (o->source_ended)
        return ferry_make_error (err, EBADMSG, "%s is truncated: its age header is cut short", o->what);
      if (fill (o, avail + 1) < 0)
        return ferry_make_error (err, errno, "cannot read %s", o->what);
    }
  text = xmalloc (len + 1);
  memcpy (text, o->in + o->in_pos, len);
  text[len] = '\0';
  if (memchr (text, '\0', len))
    return fail_open (o, err, "its header holds a NUL byte");
  o->in_pos += len;
  {
    cleanup_free char *copy = xstrndup (text, len);
    if (parse_header (o, copy, len, &stanzas, &n_x25519, &n_all, mac, &maced, err) < 0)
      return -1;
  }
  if (n_ids == 0)
    return ferry_make_error (err, 0,
                             "%s is encrypted (age, %zu recipient%s): give the identity that opens it with "
                             "--decrypt-key KEY",
                             o->what, n_all, n_all == 1 ? "" : "s");
  for (i = 0; i < n_x25519 && ! found; i++)
    for (j = 0; j < n_ids && ! found; j++)
      found = unwrap (&stanzas[i], &ids[j], o->ctx, file_key) == 0;
  if (! found)
    return ferry_make_error (
        err, EACCES,
        "%s is encrypted to %zu other recipient%s: no identity in the --decrypt-key file "
        "opens it",
        o->what, n_all, n_all == 1 ? "" : "s");
  if (header_mac (file_key, text, maced, want) < 0 || CRYPTO_memcmp (want, mac, 32) != 0)
    {
      OPENSSL_cleanse (file_key, sizeof (file_key));
      return ferry_make_error (err, EBADMSG, "%s has been tampered with: its age header's MAC is wrong",
                               o->what);
    }
  if (fill (o, FERRY_AGE_NONCE) < 0)
    {
      OPENSSL_cleanse (file_key, sizeof (file_key));
      return ferry_make_error (err, errno, "cannot read %s", o->what);
    }
  if (o->in_len - o->in_pos < FERRY_AGE_NONCE)
    {
      OPENSSL_cleanse (file_key, sizeof (file_key));
      return ferry_make_error (err, EBADMSG, "%s is truncated: it ends after its age header", o->what);
    }
  memcpy (nonce, o->in + o->in_pos, FERRY_AGE_NONCE);
  o->in_pos += FERRY_AGE_NONCE;
  i = hkdf (file_key, sizeof (file_key), nonce, sizeof (nonce), "payload", o->key) == 0;
  OPENSSL_cleanse (file_key, sizeof (file_key));
  if (! i)
    return ferry_make_error (err, 0, "cannot decrypt %s: OpenSSL has no HKDF", o->what);
  return 0;
}

ferry_age_open_t *
ferry_age_open_new (ferry_read_fn read_fn, void *read_ctx, const struct ferry_age_key *identities, size_t n,
                    const char *what, ferry_error_t *err)
{
  ferry_age_open_t *o = xmalloc0 (sizeof (*o));
  size_t magic = strlen (FERRY_AGE_MAGIC);

  o->read_fn = read_fn;
  o->read_ctx = read_ctx;
  o->what = xstrdup (what);
  o->in = xmalloc (OPEN_BUF_SIZE);
  if (fill (o, magic) < 0)
    {
      ferry_make_error (err, errno, "cannot read %s", what);
      ferry_age_open_free (o);
      return NULL;
    }
  if (o->in_len < magic || memcmp (o->in, FERRY_AGE_MAGIC, magic) != 0)
    return o;
  o->encrypted = true;
  o->ctx = EVP_CIPHER_CTX_new ();
  o->out = xmalloc (FERRY_AGE_CHUNK);
  if (o->ctx == NULL || open_header (o, identities, n, err) < 0)
    {
      ferry_age_open_free (o);
      return NULL;
    }
  return o;
}

int
ferry_age_open_encrypted (ferry_age_open_t *o)
{
  return o->encrypted;
}

const char *
ferry_age_open_error (ferry_age_open_t *o)
{
  return o->error;
}

enum read_failure
{
  CUT_BEFORE_FINAL,
  CUT_INSIDE,
  CUT_AFTER_NON_FINAL,
  NOT_AUTHENTIC,
};

static ssize_t
read_failed (ferry_age_open_t *o, enum read_failure why)
{
  unsigned long long i = (unsigned long long) o->index;

  free (o->error);
  switch (why)
    {
    case CUT_BEFORE_FINAL:
      o->error = xasprintf ("%s is truncated: its encrypted stream ends before its final chunk", o->what);
      break;
    case CUT_INSIDE:
      o->error = xasprintf ("%s is truncated: its encrypted stream ends inside chunk %llu", o->what, i);
      break;
    case CUT_AFTER_NON_FINAL:
      o->error = xasprintf ("%s is truncated: its encrypted stream ends after chunk %llu, which is not its "
                            "final one",
                            o->what, i);
      break;
    case NOT_AUTHENTIC:
    default:
      o->error
          = xasprintf ("%s is damaged or has been tampered with: chunk %llu of its encrypted stream does "
                       "not authenticate",
                       o->what, i);
      break;
    }
  errno = EBADMSG;
  return -1;
}

/* Opens the next chunk into DST (FERRY_AGE_CHUNK bytes of room); returns
 * its plaintext length, 0 once the final chunk was opened.  */
static ssize_t
open_chunk (ferry_age_open_t *o, unsigned char *dst)
{
  unsigned char nonce[12];
  size_t avail, len;
  bool last;

  if (o->finished)
    return 0;
  /* A chunk is the last when nothing follows it.  */
  if (fill (o, SEALED_CHUNK + 1) < 0)
    return -1;
  avail = o->in_len - o->in_pos;
  last = avail <= SEALED_CHUNK;
  len = last ? avail : SEALED_CHUNK;
  if (last && avail == 0)
    return read_failed (o, CUT_BEFORE_FINAL);
  if (len < FERRY_AGE_TAG || (len == FERRY_AGE_TAG && o->index > 0))
    return read_failed (o, CUT_INSIDE);
  chunk_nonce (o->index, last, nonce);
  if (aead (o->ctx, false, o->key, nonce, o->in + o->in_pos, len - FERRY_AGE_TAG, dst) < 0)
    {
      /* Sealed as not the last: more chunks were cut off.  */
      chunk_nonce (o->index, false, nonce);
      if (last && len == SEALED_CHUNK
          && aead (o->ctx, false, o->key, nonce, o->in + o->in_pos, len - FERRY_AGE_TAG, dst) == 0)
        return read_failed (o, CUT_AFTER_NON_FINAL);
      return read_failed (o, NOT_AUTHENTIC);
    }
  o->in_pos += len;
  o->index++;
  if (last)
    o->finished = true;
  return (ssize_t) (len - FERRY_AGE_TAG);
}

ssize_t
ferry_age_open_read (void *arg, void *buf, size_t len)
{
  ferry_age_open_t *o = arg;

  if (! o->encrypted)
    {
      size_t n = o->in_len - o->in_pos;

      if (n == 0)
        return source_read (o, buf, len);
      if (n > len)
        n = len;
      memcpy (buf, o->in + o->in_pos, n);
      o->in_pos += n;
      return (ssize_t) n;
    }
  while (o->out_pos == o->out_len)
    {
      ssize_t r;

      if (o->finished)
        return 0;
      /* Room for a whole chunk: straight into the caller's buffer.  */
      if (len >= FERRY_AGE_CHUNK)
        {
          r = open_chunk (o, buf);
          if (r != 0 || o->finished)
            return r;
          continue;
        }
      r = open_chunk (o, o->out);
      if (r < 0)
        return -1;
      o->out_pos = 0;
      o->out_len = (size_t) r;
    }
  if (len > o->out_len - o->out_pos)
    len = o->out_len - o->out_pos;
  memcpy (buf, o->out + o->out_pos, len);
  o->out_pos += len;
  return (ssize_t) len;
}

void
ferry_age_open_free (ferry_age_open_t *o)
{
  if (o == NULL)
    return;
  EVP_CIPHER_CTX_free (o->ctx);
  OPENSSL_cleanse (o->key, sizeof (o->key));
  if (o->out)
    OPENSSL_cleanse (o->out, FERRY_AGE_CHUNK);
  free (o->out);
  free (o->in);
  free (o->what);
  free (o->error);
  free (o);
}

size_t
ferry_age_count_stanzas (const unsigned char *head, size_t n)
{
  size_t count = 0, i = 0, magic = strlen (VERSION_LINE "\n");

  if (n < magic || memcmp (head, VERSION_LINE "\n", magic) != 0)
    return 0;
  for (i = magic; i + 3 <= n; i++)
    {
      if (memcmp (head + i, "---", 3) == 0)
        return count;
      if (memcmp (head + i, "-> ", 3) == 0)
        count++;
      while (i < n && head[i] != '\n')
        i++;
    }
  return 0;
}
