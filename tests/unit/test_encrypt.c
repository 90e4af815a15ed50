/* Unit tests for src/lib/image/encrypt.c and jwe.c: encrypted layers as
 * containers/ocicrypt makes them.  The known answers are two layers that
 * Podman 5.4 encrypted (push --encryption-key jwe:KEY.pub), one for an
 * RSA key and one for an EC (P-256) key, with their private keys.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "image/encrypt.h"
#include "image/jwe.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <fcntl.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Made by Podman 5.4 (containers/ocicrypt): push --encryption-key jwe:rsa.pub */

static const char rsa_key[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDAt1bt1x1zptYl\n"
                              "nQqqO2ksB0NP21I8ZlDQkGtSQWKpuBucGWwv/B5vA4uVT2wHshnkkK5kjSr8lxC7\n"
                              "J3ixTge+Vh5sUc+FF8PBKpo8Xnt/BFtSV0b28EcZkuCPvlClTzvl+MAwaM+9YW+F\n"
                              "I8hwjQN7XyRffCSivJZYE3CvGEoVX0NN8h8tXXBOR9yf0TCJew//NrZwwI4LHhCL\n"
                              "7IUweXPvPQoKtv0UAERbb+D8wASLgNM9I1JAPctEtTcu/Llv5FM+LHJTnSorpa4I\n"
                              "iMy6I63ZEpjzSZBkK5QIWY72DUI6z5Z5oyOKx871PlmllXOKNC7NYzyP3rEApmHu\n"
                              "wATfqAV7AgMBAAECggEAJxMFZSQArLpfITE+QFXbdTnjxAVMH0L/j8o4eG0ZfCAA\n"
                              "OR5OeUw9P3UQkC2SUd0ist1C/tBArwZSNiBCsHCJ0WXUtVHBKdMvtbLVovflQlO3\n"
                              "0HIxyU/emqjVL0//OgVet7o//ZDCzjs7SVuAAJIW6qTX0yRwqS5jrWgDqPzbyIk1\n"
                              "svpvYP8SbEk2or4WStPQW5nDIXPqA6VEMlzIyT8Kn9smMkYkY2jE2ipH7xngr0hJ\n"
                              "XExuOzuhXlW9xnqN2NH6362BY0qEyOC/HHIIsbvN4Jn5uINMXxNgEWOsyn/l8NUX\n"
                              "IyHyoQCiAWANvxsEV50vVesuntOF3fmGqz7RJkawwQKBgQD1ADfWbNTn3ns4mtos\n"
                              "rKFGtRWb1Oju8pCWe6tZvpNyDZd8yh9K1YzgTxZp7F4r/UABxxi/lx7Z8xcQYXF/\n"
                              "Knk0s4qmdW5SVCI9ENlQ7SVsvlCCOYzdgcTuOvDhlbKzAXie9J++mSVKZnsMgfX4\n"
                              "qPiigiEjuq7ibfVhW51PfPc6BQKBgQDJXjdjMf+a3e2RI9pT/VSP0AWxvhOCSH/D\n"
                              "R5Dx/p309M0Lh49mOx1ic1IuSnO6eqkl1S2qGA3mfgXMQDSuQvSuTqujx8J+E4Pn\n"
                              "Y4zcXSqmR3T7ZcwEXsiv4f1JsXycxdepOGSJGy97u+GuQOROmHTnA2NM41MqP3nj\n"
                              "+EoUYcTZfwKBgQCfLPQaMP0mZEqkXR9QlRv3B2Gxq+Nmk1vTGSgbl5DOMfxxDBTG\n"
                              "lvX/KgMC8JnCdLgoL4VpvLJDogcjElwd5ad30QpM2dDCVn0kNZUrWdfNzdwar29Q\n"
                              "3qXmrY6g0ZSXbmZCx+Yde/xZWTmqx6jaVFWtp2QGhZxn6k7ZYR9UbHlnTQKBgE/f\n"
                              "MiMDcvpvqsqWKQSFiGQexBNzbHOR5DOGEIUcVHUUILzBAW0wZ4Bkc6Vu3KaL/snF\n"
                              "2/4K2oChXhVdJkg0wK7e/4/QLWIqxXgjcXz6627XCxyojRryqbGx9vCjGOVqSBeU\n"
                              "CbSkdtoidOrUTHqsWDpFir61sIgic2usUV3yRc1rAoGACTmHVx5vwm8jNSHGSdwU\n"
                              "402MkO3LWb2xQrdQWXSjGlwVIg6/ilcmKvZ1ub06IXvg4DxzCM+0Abe2AqcOV2Aa\n"
                              "UeRWuxzeJ+tpFSJgyVyX9d8Tfxh3mEzLMEhwmEDA2IIFEQiPuftlR4v63x5WAZJ3\n"
                              "6rQeuaSdJ3l8NoGjJUv4J2s=\n"
                              "-----END PRIVATE KEY-----\n";

static const char rsa_desc[]
    = "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip+encrypted\",\"digest"
      "\":\"sha256:4d1cc5a505e4f3a7a4c25c03844303ba67d4ae4c93b2eabb49f13502545962b1\","
      "\"size\":304,\"annotations\":{\"org.opencontainers.image.enc.keys.jwe\":\"eyJwcm90Z"
      "WN0ZWQiOiJleUpoYkdjaU9pSlNVMEV0VDBGRlVDSXNJbVZ1WXlJNklrRXlOVFpIUTAwaWZRIiwiZ"
      "W5jcnlwdGVkX2tleSI6Ikw4bkZfaThURUoxanZ2NHRKcFBKZmpwSzI0Y29sMjl4WDZiWjZIZU5Pa"
      "mxGaDNtRlJ6NkJVLUktVEdxZUVIc2tLcmVWWDF2amNndU5YOFUwUmlYdy1WYmhFVVBidUNSTnBLZ"
      "jFFcklzR3p1dzkzTEo2dVhFQ3F4ZTMyQ0VYVGZVM0Jhcy00NC1BS3hqYm4xUE56TXJTQXEzVUhhV"
      "2NPSjBPZEF2RXZfd2NycFQ4UEVzUEEyam1nYVRncUZmbklQZFl1Mk9tR1BSUjhPcUdxWjBKWEtUT"
      "XRwQVNIS0hnUjBfZk14S2M0Y1NxbHhjSzhWYVBkM0U1Rl9fN25sQ21fanZjWEN6ZnZYX19KTjJid"
      "nVVZVEzTVRwdVBGMzkxd2RMamN4MUh1NUEzWmVtV0F4ZWVVanVaSS1xY1EtNjJqSnZ4WVB3TjM2M"
      "3VPR28yRkQ5Snh6ZWJxdyIsIml2IjoibS1uNVZpdnlJT2pnQUYwaCIsImNpcGhlcnRleHQiOiJTN"
      "1phMHdkNzlUQmpobmwxYW9UWThsbVBBRDdiVjdDSFlHWFNPWHU0UjIwR3g1RTlqU28yVGFNM1FlR"
      "TA1bWJhYzJpMGZyT05LbEF0TzB5a3FqbkFZQUNzemxCTWhrVjRYRkVzd2RRX1dVZllENkRRVk5PT"
      "1FpR2NyQmNCSUQzdVJlSjFvZy16N3BjSHU2Sm9TdWVqdFVSS3N4Y0hFVUp6c05zemtlbEViZjYzO"
      "TV0Xzc1Q3p2ZGJibmhQYUtZZU42eExsNXdpLWJtdFVyRVhIM0NMRTNWUUl3UXFtX0hoOUxPUTlHV"
      "015YVdPNEdaUjUzZkpNd1ZGMXRYOXFMQ1pua0EiLCJ0YWciOiJzcDFucmRtOTM4dWZpNkJFRHFOS"
      "1pnIn0=\",\"org.opencontainers.image.enc.pubopts\":\"eyJjaXBoZXIiOiJBRVNfMjU2X0N"
      "UUl9ITUFDX1NIQTI1NiIsImhtYWMiOiJYNUlxTkhSVlB4eC8remNjMGw5eUFNc3g3elIwTzltdDN"
      "WNm1pM0t0a1hvPSIsImNpcGhlcm9wdGlvbnMiOnt9fQ==\"}}";

static const char rsa_blob_hex[]
    = "acf67cef0e512bf14e1b48c6d140f14599a62c143b6aa462fffd7e25f03452d345f908cefad9"
      "39e83c7fb2f1513498bc0d2295310a2d8adc78feb7f59d9ed00bc926dde332e822de5766794c"
      "8381909662609025df855a3d0191e22a6c4d8aa0d1b870c68cb0a428989abbf8787872edae09"
      "7a953e8e287e97eb82c7dec4cb4967a0f46cdaf66e6f45e2a34c1b05ecdd8361599b24d92305"
      "9d833527ea9a45cc072c2550417f434ecfff08831ed4c2b3c4e9cf59ff83cb59b5ce7729709c"
      "c737e7ab6183563badc3a02d3a62b768470d48ae6bb5460cd9aa900f8c793ce7ba1db8b0eaa7"
      "4d5441695c53849465dd811b5542bbc98255309533ac30ada45a7ed06154920edd172e8ab616"
      "cca505e9c04b9dfeaecd01cdb42d4ae0249e106006b71713597d9055178b6136b2226721bbd2";

/* Made by Podman 5.4 (containers/ocicrypt): push --encryption-key jwe:ec.pub */

static const char ec_key[] = "-----BEGIN EC PRIVATE KEY-----\n"
                             "MHcCAQEEIHWx2MC7wZ45lMpi/6Uj5JwOPJ2Es31o3Lxi6FuDbHRFoAoGCCqGSM49\n"
                             "AwEHoUQDQgAErO10/X+Ll6fdSBwcI31FJsAx0HKyFQFkqkFuFi55LHwQsfqVaFBI\n"
                             "3rhsf6vMEKWKfzbhNxXRwbrfDBFWiDctEQ==\n"
                             "-----END EC PRIVATE KEY-----\n";

static const char ec_desc[]
    = "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip+encrypted\",\"digest"
      "\":\"sha256:8e09fcac0322c4ddc2c13219ffb6f7dfc04c973e0c395d186b9e8cd2cce49d59\","
      "\"size\":304,\"annotations\":{\"org.opencontainers.image.enc.keys.jwe\":\"eyJwcm90Z"
      "WN0ZWQiOiJleUpoYkdjaU9pSkZRMFJJTFVWVEswRXlOVFpMVnlJc0ltVnVZeUk2SWtFeU5UWkhRM"
      "DBpTENKbGNHc2lPbnNpYTNSNUlqb2lSVU1pTENKamNuWWlPaUpRTFRJMU5pSXNJbmdpT2lJeldsR"
      "mtYM0ZMYTBwQ1JHMW1URU4zUVVkMGRHVXlOSHAxV2tGcldtdHdXbVp3VTFKMGFrUlRZekV3SWl3a"
      "WVTSTZJbTh0YXpVMFZYSjZUM041Um5CeWRYSkhRVUZ2Wm5WcFdWUklORVJwWkdWUllXOWtNM0o0T"
      "kU1amJXOGlmWDAiLCJlbmNyeXB0ZWRfa2V5IjoiUVM5dFZMZi1EbnFobFRBZE40YXpCNzA4c1N3b"
      "FJTYV9pYU43c1o3NHF3UnNLSWNkdVpmWVhRIiwiaXYiOiJ1aElIbU9EZGhVUGFKMnl1IiwiY2lwa"
      "GVydGV4dCI6Ik9IREJpVU1TdUZ4bTBhaDBHT19iUHRNc0hoRXB4ZmppSmxaYlgyN3lYZ0hWUWhmS"
      "kdfdGxNd0hmMFNFNXNONUhFWG1JMTkwWUhPcXZPaXNsRm9OaG5teFo0aXdqZno1ajQzczF3V2RPQ"
      "1lpQkt0QVllX0hSQ1dFME5iZmpwZ1o0RHZKZXJqWW1mTi00TGIwQnpDVms3bzE5MzhxWVZXSEdXW"
      "k1iLWh2Vi1ZS0djc2RPcE1sZlJ6WmpvN3VEN1pHQW95RG9IdldURDdHMEtza1FlMFNoRlJZNUhvZ"
      "DRIY002eTM4cHdVTGFzN1lzNm84MFpiQTZzbDcyU0l0S05nNDdpQSIsInRhZyI6IlYzejJqbVc5b"
      "WlBd2t6NXgxeC1yVkEifQ==\",\"org.opencontainers.image.enc.pubopts\":\"eyJjaXBoZXI"
      "iOiJBRVNfMjU2X0NUUl9ITUFDX1NIQTI1NiIsImhtYWMiOiJzK1N6NFBGSW1LREtxOXlTNmlXN1Z"
      "MdEhWSGdEaGNlUTlRY2ovRGV3Y0tFPSIsImNpcGhlcm9wdGlvbnMiOnt9fQ==\"}}";

static const char ec_blob_hex[]
    = "e588d3a389f501dbf10501e8116a45d4628112aeb0a2b8baf55012afaf39df6be3afd465dc73"
      "96e0fd745d8a458a1282ae63094c38f8385576d071fb5cab87ce92b0b0d68fd2de7345f8bd6c"
      "adba3a46a1fffbb3564dc28cdae9597fef90283c56f5c23a68792618f56a23ce96cc37535123"
      "8b3f50193ad4e3aedd8bdddfb6793317b1a06cbf72cc016c67d9355f40b9da0c054867b1a041"
      "651f23d38dca855b53c3c158447a01569ac6d26da65e0b66150c4c95bd90f83f3db22139104c"
      "1a3bf804908069e9ef69e6ab039c009f3d28b1401accb95ff00e954e3a3eb7510ad2aa6ac1ae"
      "830e973a4060e48eb5ce1b8feaa350b35a508d03bf0e37e3b9439c9329d6170ed5ac75a50f88"
      "ad25a40247ba6bf89ba00786eb62f990e30d9e243251c662fde796e2a605f4d8e35af68c5121";

/* What both decrypt to: the gzip blob of the test image's second layer,
 * and the diff_id Podman put in the options (its store keeps layers
 * plain).  */
#define PLAIN_BLOB "sha256:6880a5693d6709e4f2eeaa99be2d8c1fa3500d39a3a59c4ecbc52758756f6344"
#define DIFF_ID "sha256:2fc5845bb1eb8b1a7472d42b91a95b5c510b9982ab34620564e42b938c3d4db5"

static char dir[] = "/tmp/ferry-test-encrypt-XXXXXX";

static char *
put (const char *name, const void *data, size_t len)
{
  char *path = xasprintf ("%s/%s", dir, name);
  ferry_error_t err = NULL;

  assert_int_equal (ferry_write_file_atomic (path, data, len, 0600, &err), 0);
  return path;
}

/* A file holding the bytes of HEX, open at offset 0.  */
static int
hex_file (const char *name, const char *hex, size_t *len)
{
  size_t n = strlen (hex) / 2;
  cleanup_free unsigned char *b = xmalloc (n);
  cleanup_free char *path = NULL;

  for (size_t i = 0; i < n; i++)
    assert_int_equal (sscanf (hex + 2 * i, "%2hhx", &b[i]), 1);
  path = put (name, b, n);
  *len = n;
  return open (path, O_RDWR | O_CLOEXEC);
}

static ferry_crypt_keys_t *
private_keys (const char *name, const char *pem)
{
  cleanup_free char *path = put (name, pem, strlen (pem));
  char *specs[] = { path, NULL };
  ferry_crypt_keys_t *k = NULL;
  ferry_error_t err = NULL;

  assert_int_equal (ferry_crypt_keys_for_decryption (specs, &k, &err), 0);
  return k;
}

static int
hash_sink (const void *data, size_t len, void *arg)
{
  ferry_sha256_update (arg, data, len);
  return 0;
}

static void
decrypts_to (const struct ferry_layer_key *key, int fd, const char *want)
{
  ferry_sha256_t *h = ferry_sha256_new ();
  char got[FERRY_DIGEST_LEN + 1];
  ferry_error_t err = NULL;

  assert_int_equal (ferry_layer_hmac_check (key, fd, "layer", &err), 0);
  assert_int_equal (ferry_layer_decrypt (key, fd, hash_sink, h, "layer", &err), 0);
  ferry_sha256_finish (h, got);
  assert_string_equal (got, want);
}

static void
known_answer (const char *key_pem, const char *desc_text, const char *blob_hex, const char *name)
{
  cleanup_json json_object *desc = json_tokener_parse (desc_text);
  ferry_crypt_keys_t *k = private_keys (name, key_pem);
  struct ferry_layer_key key;
  ferry_error_t err = NULL;
  size_t len = 0;
  cleanup_close int fd = hex_file ("blob", blob_hex, &len);

  assert_non_null (desc);
  assert_true (ferry_media_is_encrypted (ferry_json_get_string (desc, "mediaType")));
  assert_int_equal (ferry_layer_key_open (k, desc, "layer", &key, &err), 0);
  assert_string_equal (key.digest, DIFF_ID);
  decrypts_to (&key, fd, PLAIN_BLOB);
  ferry_crypt_keys_free (k);
}

static void
test_podman_rsa (void **state)
{
  (void) state;
  known_answer (rsa_key, rsa_desc, rsa_blob_hex, "rsa.pem");
}

static void
test_podman_ec (void **state)
{
  (void) state;
  known_answer (ec_key, ec_desc, ec_blob_hex, "ec.pem");
}

/* One byte of the blob changed: the HMAC says so before anything is
 * decrypted.  */
static void
test_tampered_blob (void **state)
{
  cleanup_json json_object *desc = json_tokener_parse (rsa_desc);
  ferry_crypt_keys_t *k = private_keys ("rsa.pem", rsa_key);
  struct ferry_layer_key key;
  ferry_error_t err = NULL;
  size_t len = 0;
  cleanup_close int fd = hex_file ("blob", rsa_blob_hex, &len);
  unsigned char c;

  (void) state;
  assert_int_equal (ferry_layer_key_open (k, desc, "layer", &key, &err), 0);
  assert_int_equal (pread (fd, &c, 1, 100), 1);
  c ^= 1;
  assert_int_equal (pwrite (fd, &c, 1, 100), 1);
  assert_int_equal (ferry_layer_hmac_check (&key, fd, "layer", &err), -1);
  assert_non_null (strstr (err->msg, "HMAC"));
  ferry_error_release (&err);
  ferry_crypt_keys_free (k);
}

/* The other key, no key, a file that is no key, a damaged annotation.  */
static void
test_wrong_keys_and_bad_annotations (void **state)
{
  cleanup_json json_object *desc = json_tokener_parse (rsa_desc);
  ferry_crypt_keys_t *ec = private_keys ("ec.pem", ec_key), *junk = private_keys ("junk.pem", "junk\n");
  json_object *ann = ferry_json_get_object (desc, "annotations");
  struct ferry_layer_key key;
  ferry_error_t err = NULL;
  static const char *const bad_jwe[] = { "", "!!!!", "e30=", "bnVsbA==", "eyJwcm90ZWN0ZWQiOjF9", NULL };

  (void) state;
  assert_int_equal (ferry_layer_key_open (ec, desc, "layer", &key, &err), -1);
  assert_non_null (strstr (err->msg, "none of the private keys could be used for decryption"));
  ferry_error_release (&err);
  assert_int_equal (ferry_layer_key_open (NULL, desc, "layer", &key, &err), -1);
  assert_non_null (strstr (err->msg, "--decryption-key"));
  ferry_error_release (&err);
  assert_int_equal (ferry_layer_key_open (junk, desc, "layer", &key, &err), -1);
  assert_non_null (strstr (err->msg, "junk.pem"));
  ferry_error_release (&err);
  for (size_t i = 0; bad_jwe[i]; i++)
    {
      json_object_object_add (ann, FERRY_ENC_ANNOTATION_JWE, json_object_new_string (bad_jwe[i]));
      assert_int_equal (ferry_layer_key_open (ec, desc, "layer", &key, &err), -1);
      ferry_error_release (&err);
    }
  json_object_object_add (ann, FERRY_ENC_ANNOTATION_PUBOPTS, json_object_new_string ("e30="));
  assert_int_equal (ferry_layer_key_open (ec, desc, "layer", &key, &err), -1);
  assert_non_null (strstr (err->msg, "cipher"));
  ferry_error_release (&err);
  ferry_crypt_keys_free (ec);
  ferry_crypt_keys_free (junk);
}

static char *
public_pem (EVP_PKEY *key, const char *name)
{
  cleanup_free char *path = xasprintf ("%s/%s", dir, name);
  FILE *f = fopen (path, "we");

  assert_non_null (f);
  assert_int_equal (PEM_write_PUBKEY (f, key), 1);
  fclose (f);
  return xasprintf ("jwe:%s", path);
}

static char *
private_pem (EVP_PKEY *key, const char *name)
{
  char *path = xasprintf ("%s/%s", dir, name);
  FILE *f = fopen (path, "we");

  assert_non_null (f);
  assert_int_equal (PEM_write_PrivateKey (f, key, NULL, NULL, 0, NULL, NULL), 1);
  fclose (f);
  return path;
}

/* Encrypted for two recipients (the general JSON form), opened by each
 * one's private key alone.  */
static void
test_round_trip (void **state)
{
  EVP_PKEY *rsa = EVP_RSA_gen (2048), *ec = EVP_EC_gen ("secp384r1");
  cleanup_free char *rsa_pub = public_pem (rsa, "r.pub"), *ec_pub = public_pem (ec, "e.pub");
  cleanup_free char *rsa_priv = private_pem (rsa, "r.pem"), *ec_priv = private_pem (ec, "e.pem");
  char *enc_specs[] = { rsa_pub, ec_pub, NULL };
  char *one_rsa[] = { rsa_priv, NULL }, *one_ec[] = { ec_priv, NULL };
  char *single[] = { ec_pub, NULL };
  ferry_crypt_keys_t *ek = NULL, *dk = NULL;
  ferry_error_t err = NULL;
  static const char text[] = "a layer's bytes, not a multiple of the AES block size";
  cleanup_free char *in_path = put ("plain", text, sizeof (text) - 1);
  cleanup_free char *out_path = xasprintf ("%s/enc", dir);
  char plain_digest[FERRY_DIGEST_LEN + 1], digest[FERRY_DIGEST_LEN + 1];
  uint64_t size = 0;

  (void) state;
  ferry_sha256_buffer (text, sizeof (text) - 1, plain_digest);
  for (int round = 0; round < 2; round++)
    {
      cleanup_json json_object *desc = json_object_new_object (), *ann = NULL;
      cleanup_close int in = open (in_path, O_RDONLY | O_CLOEXEC);
      cleanup_close int out = -1;
      char *const *specs = round == 0 ? enc_specs : single;
      char **privs[] = { one_rsa, one_ec };
      struct ferry_layer_key key;

      unlink (out_path);
      out = open (out_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      assert_int_equal (ferry_crypt_keys_for_encryption (specs, &ek, &err), 0);
      assert_int_equal (ferry_layer_encrypt (ek, in, out, plain_digest, digest, &size, &ann, &err), 0);
      ferry_crypt_keys_free (ek);
      assert_int_equal (size, sizeof (text) - 1);
      json_object_object_add (desc, "mediaType",
                              json_object_new_string ("application/vnd.oci.image.layer.v1.tar+encrypted"));
      json_object_object_add (desc, "annotations", json_object_get (ann));
      for (int p = round; p < 2; p++)
        {
          assert_int_equal (ferry_crypt_keys_for_decryption (privs[p], &dk, &err), 0);
          assert_int_equal (ferry_layer_key_open (dk, desc, "layer", &key, &err), 0);
          assert_string_equal (key.digest, plain_digest);
          decrypts_to (&key, out, plain_digest);
          ferry_crypt_keys_free (dk);
        }
      if (round == 1)
        {
          /* Encrypted for the EC key only: the RSA key does not open it.  */
          assert_int_equal (ferry_crypt_keys_for_decryption (one_rsa, &dk, &err), 0);
          assert_int_equal (ferry_layer_key_open (dk, desc, "layer", &key, &err), -1);
          ferry_error_release (&err);
          ferry_crypt_keys_free (dk);
        }
    }
  EVP_PKEY_free (rsa);
  EVP_PKEY_free (ec);
}

/* Recipients ferry does not do are refused, never skipped.  */
static void
test_recipient_kinds (void **state)
{
  static const char *const bad[] = { "pgp:alice@example.com",
                                     "pkcs7:cert.pem",
                                     "pkcs11:x.yaml",
                                     "foo:bar",
                                     "nocolon",
                                     "jwe:/nonexistent.pem",
                                     NULL };
  ferry_crypt_keys_t *k = NULL;
  ferry_error_t err = NULL;

  (void) state;
  for (size_t i = 0; bad[i]; i++)
    {
      char *specs[] = { (char *) bad[i], NULL };
      assert_int_equal (ferry_crypt_keys_for_encryption (specs, &k, &err), -1);
      assert_null (k);
      assert_non_null (strstr (err->msg, "invalid encryption keys"));
      ferry_error_release (&err);
    }
}

static int
setup (void **state)
{
  (void) state;
  return mkdtemp (dir) ? 0 : -1;
}

static int
teardown (void **state)
{
  (void) state;
  ferry_rm_rf_quietly (dir);
  return 0;
}

/* Passphrase-protected PKCS#8 keys (openssl pkcs8 -topk8) whose key
 * derivation parameters were then rewritten: they no longer open, and
 * only their cost is looked at.  */

static const char kdf_plain[] = "-----BEGIN PRIVATE KEY-----\n"
                                "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRCupLC8IlVTYttaE\n"
                                "yuOKy23yyGfozciRY3VCKaAskrChRANCAAQxGy44GnZrfNqULMwwyHVr1LU3lLO8\n"
                                "xeiU0GqsWUrwQD+/UY70co9Ohru+izRtP2d6DHDZDMdFV17ZWT6Q9Lbq\n"
                                "-----END PRIVATE KEY-----\n";

static const char kdf_pbkdf2_2048[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                                      "MIH0MF8GCSqGSIb3DQEFDTBSMDEGCSqGSIb3DQEFDDAkBBCy7mnzZOLgPLeQNVSH\n"
                                      "N42cAgIIADAMBggqhkiG9w0CCQUAMB0GCWCGSAFlAwQBKgQQI9gSQzKBO4XQtEE5\n"
                                      "A56UqgSBkDGEqs46KQxMRs/rb8wvTVht/yKGg2Oger+jKctCXObaizxcTU+A5kU/\n"
                                      "2/gXncABpKSpxMjGgFV8QGIUhpHwegPovzBaR7T9+q1sZjWxSa+ikQYgsoa3s74/\n"
                                      "5p90kujyI/WkQBgPrPaVb54CU/FFSI1XpoWM8dZeIB5MJCNnNV5ALM9XrswkQjPS\n"
                                      "ZMBwaaXwrA==\n"
                                      "-----END ENCRYPTED PRIVATE KEY-----\n";

static const char kdf_pbkdf2_2_24[]
    = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
      "MIH2MGEGCSqGSIb3DQEFDTBUMDMGCSqGSIb3DQEFDDAmBBCy7mnzZOLgPLeQNVSHN42cAgQBAAAA\n"
      "MAwGCCqGSIb3DQIJBQAwHQYJYIZIAWUDBAEqBBAj2BJDMoE7hdC0QTkDnpSqBIGQMYSqzjopDExG\n"
      "z+tvzC9NWG3/IoaDY6B6v6Mpy0Jc5tqLPFxNT4DmRT/b+BedwAGkpKnEyMaAVXxAYhSGkfB6A+i/\n"
      "MFpHtP36rWxmNbFJr6KRBiCyhrezvj/mn3SS6PIj9aRAGA+s9pVvngJT8UVIjVemhYzx1l4gHkwk\n"
      "I2c1XkAsz1euzCRCM9JkwHBppfCs\n"
      "-----END ENCRYPTED PRIVATE KEY-----\n";

static const char kdf_pbkdf2_2_24_plus_1[]
    = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
      "MIH2MGEGCSqGSIb3DQEFDTBUMDMGCSqGSIb3DQEFDDAmBBCy7mnzZOLgPLeQNVSHN42cAgQBAAAB\n"
      "MAwGCCqGSIb3DQIJBQAwHQYJYIZIAWUDBAEqBBAj2BJDMoE7hdC0QTkDnpSqBIGQMYSqzjopDExG\n"
      "z+tvzC9NWG3/IoaDY6B6v6Mpy0Jc5tqLPFxNT4DmRT/b+BedwAGkpKnEyMaAVXxAYhSGkfB6A+i/\n"
      "MFpHtP36rWxmNbFJr6KRBiCyhrezvj/mn3SS6PIj9aRAGA+s9pVvngJT8UVIjVemhYzx1l4gHkwk\n"
      "I2c1XkAsz1euzCRCM9JkwHBppfCs\n"
      "-----END ENCRYPTED PRIVATE KEY-----\n";

static const char kdf_scrypt_1024_8_1[] = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
                                          "MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSsGAQQB2kcECzAcBBB8hYPaztpbsWuw1p6e\n"
                                          "54jSAgIEAAIBCAIBATAdBglghkgBZQMEASoEECDUcr+ZWC6SHleVrQFUB00EgZAj\n"
                                          "7bwISAi/OHzHrucgftbPOnmu0pFhOCket6LJJvXg4WQeJS+X2v9YoQbyMIx1+vA0\n"
                                          "/oA2a1fGUX2OTpbOnwi+C7k2j1AWR/Kzl8cABBN9zjHXSBPXPuPOeYI1r/jlcjf6\n"
                                          "tH3XEckM7b0LvHSNhgjVQWb+xGiU744R1ZtRUu+ZAM1/KyCeEfoilXnppqdLOIE=\n"
                                          "-----END ENCRYPTED PRIVATE KEY-----\n";

static const char kdf_scrypt_2_20_8_2[]
    = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
      "MIHtMFgGCSqGSIb3DQEFDTBLMCoGCSsGAQQB2kcECzAdBBB8hYPaztpbsWuw1p6e54jSAgMQAAAC\n"
      "AQgCAQIwHQYJYIZIAWUDBAEqBBAg1HK/mVgukh5Xla0BVAdNBIGQI+28CEgIvzh8x67nIH7Wzzp5\n"
      "rtKRYTgpHreiySb14OFkHiUvl9r/WKEG8jCMdfrwNP6ANmtXxlF9jk6Wzp8Ivgu5No9QFkfys5fH\n"
      "AAQTfc4x10gT1z7jznmCNa/45XI3+rR91xHJDO29C7x0jYYI1UFm/sRolO+OEdWbUVLvmQDNfysg\n"
      "nhH6IpV56aanSziB\n"
      "-----END ENCRYPTED PRIVATE KEY-----\n";

static const char kdf_scrypt_2_20_8_3[]
    = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
      "MIHtMFgGCSqGSIb3DQEFDTBLMCoGCSsGAQQB2kcECzAdBBB8hYPaztpbsWuw1p6e54jSAgMQAAAC\n"
      "AQgCAQMwHQYJYIZIAWUDBAEqBBAg1HK/mVgukh5Xla0BVAdNBIGQI+28CEgIvzh8x67nIH7Wzzp5\n"
      "rtKRYTgpHreiySb14OFkHiUvl9r/WKEG8jCMdfrwNP6ANmtXxlF9jk6Wzp8Ivgu5No9QFkfys5fH\n"
      "AAQTfc4x10gT1z7jznmCNa/45XI3+rR91xHJDO29C7x0jYYI1UFm/sRolO+OEdWbUVLvmQDNfysg\n"
      "nhH6IpV56aanSziB\n"
      "-----END ENCRYPTED PRIVATE KEY-----\n";

static void
test_private_key_kdf_fits (void **state)
{
  (void) state;
  assert_true (ferry_jwe_private_key_kdf_fits (kdf_plain, strlen (kdf_plain)));
  assert_true (ferry_jwe_private_key_kdf_fits (kdf_pbkdf2_2048, strlen (kdf_pbkdf2_2048)));
  assert_true (ferry_jwe_private_key_kdf_fits (kdf_pbkdf2_2_24, strlen (kdf_pbkdf2_2_24)));
  assert_false (ferry_jwe_private_key_kdf_fits (kdf_pbkdf2_2_24_plus_1, strlen (kdf_pbkdf2_2_24_plus_1)));
  assert_true (ferry_jwe_private_key_kdf_fits (kdf_scrypt_1024_8_1, strlen (kdf_scrypt_1024_8_1)));
  assert_true (ferry_jwe_private_key_kdf_fits (kdf_scrypt_2_20_8_2, strlen (kdf_scrypt_2_20_8_2)));
  assert_false (ferry_jwe_private_key_kdf_fits (kdf_scrypt_2_20_8_3, strlen (kdf_scrypt_2_20_8_3)));
  /* Any costly key among several PEM blocks.  */
  {
    char *both = xasprintf ("%s%s", kdf_pbkdf2_2048, kdf_scrypt_2_20_8_3);
    assert_false (ferry_jwe_private_key_kdf_fits (both, strlen (both)));
    free (both);
  }
  assert_true (ferry_jwe_private_key_kdf_fits ("", 0));
  {
    /* No EncryptedPrivateKeyInfo inside: OpenSSL refuses it, at no cost.  */
    static const char junk[]
        = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n";
    assert_true (ferry_jwe_private_key_kdf_fits (junk, strlen (junk)));
  }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_podman_rsa),           cmocka_unit_test (test_podman_ec),
    cmocka_unit_test (test_tampered_blob),        cmocka_unit_test (test_wrong_keys_and_bad_annotations),
    cmocka_unit_test (test_round_trip),           cmocka_unit_test (test_recipient_kinds),
    cmocka_unit_test (test_private_key_kdf_fits),
  };

  return cmocka_run_group_tests (tests, setup, teardown);
}
