/* Unit tests for sigstore signatures (image/sigstore.h): a signature
 * Podman 5.4 made (podman push --sign-by-sigstore-private-key, a key from
 * skopeo generate-sigstore-key), stored here as it came from the
 * registry's attachment, is accepted; each way of tampering with it is
 * refused with containers/image's words.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/sigstore.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

/* The public half of the key Podman signed with, and another one.  */
static const char PODMAN_KEY[] = "-----BEGIN PUBLIC KEY-----\n"
                                 "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAECXfIaD6lT0nQRAdcZCZx7QpSUsqr\n"
                                 "I7HxuYuW2tVvFeNd7gi+H8oU9GePOvY5HdBEDZ+0A8Ge8BH86NYwrN989Q==\n"
                                 "-----END PUBLIC KEY-----\n";
static const char OTHER_KEY[] = "-----BEGIN PUBLIC KEY-----\n"
                                "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEaARIJ2kg/hHMv1Ai6hUHF92A3cJf\n"
                                "aqcIRygLezEYtLiKmoAKF8HNG/Cn65gjkXqwPRk9AKqQxA1zvnXmL51+ag==\n"
                                "-----END PUBLIC KEY-----\n";

/* The attachment's layer: its blob and its signature annotation.  */
static const char PAYLOAD[]
    = "{\"critical\":{\"identity\":{\"docker-reference\":\"127.0.0.1:5123/ss/img:v1\"},\"image\":{\"docker-"
      "manifest-digest\":\"sha256:039e335c1a87b1d4b9fe8ca398eb58cd4e282ecd025ae69f88bb6cccd6c2d298\"},"
      "\"type\":"
      "\"cosign container image signature\"},\"optional\":{\"creator\":\"containers/image "
      "5.34.2\",\"timestamp\":1796558371}}";
static const char SIGNATURE[]
    = "MEQCIF3VqXxLs+jDobdGDx4UomsEvN8VmJLmNwUhOZEdNjbhAiA44TDH8CNjqDMouGmYO4btF8ZIq7P2qS56KEwGmqk2HQ==";
static const char DIGEST[] = "sha256:039e335c1a87b1d4b9fe8ca398eb58cd4e282ecd025ae69f88bb6cccd6c2d298";
static const char REF[] = "127.0.0.1:5123/ss/img:v1";

static EVP_PKEY **
keys_of (const char *pem, size_t *n)
{
  cleanup_json json_object *req = json_object_new_object ();
  EVP_PKEY **keys = NULL;
  ferry_error_t err = NULL;
  char *b64 = xmalloc (strlen (pem) * 2 + 4);

  EVP_EncodeBlock ((unsigned char *) b64, (const unsigned char *) pem, (int) strlen (pem));
  json_object_object_add (req, "type", json_object_new_string ("sigstoreSigned"));
  json_object_object_add (req, "keyData", json_object_new_string (b64));
  free (b64);
  if (ferry_sigstore_keys_load (req, &keys, n, &err) < 0)
    fail_msg ("keys: %s", err->msg);
  return keys;
}

/* Verifies PAYLOAD/SIGNATURE for DIGEST and REF with KEY: NULL when
 * accepted, else the error's message (to free).  */
static char *
verify (const char *key, const char *payload, const char *signature, const char *digest, const char *ref,
        json_object *identity)
{
  struct ferry_sigstore_signature sig = { 0 };
  struct ferry_reference intended = { 0 };
  ferry_error_t err = NULL;
  EVP_PKEY **keys;
  size_t n = 0;
  char *msg = NULL;

  keys = keys_of (key, &n);
  assert_int_equal (ferry_reference_parse (ref, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &intended, &err), 0);
  sig.mime_type = xstrdup (FERRY_SIGSTORE_SIGNATURE_TYPE);
  sig.payload = xstrdup (payload);
  sig.payload_len = strlen (payload);
  sig.annotations = json_object_new_object ();
  if (signature)
    json_object_object_add (sig.annotations, FERRY_SIGSTORE_SIGNATURE_ANNOTATION,
                            json_object_new_string (signature));
  sig.where = xstrdup ("test");
  if (ferry_sigstore_verify (keys, n, &sig, digest, &intended, identity, &err) < 0)
    {
      msg = xstrdup (err->msg);
      ferry_error_release (&err);
    }
  ferry_sigstore_keys_free (keys, n);
  ferry_reference_free (&intended);
  free (sig.mime_type);
  free (sig.payload);
  json_object_put (sig.annotations);
  free (sig.where);
  return msg;
}

static void
expect_refused (const char *key, const char *payload, const char *signature, const char *digest,
                const char *ref, json_object *identity, const char *want)
{
  cleanup_free char *msg = verify (key, payload, signature, digest, ref, identity);

  assert_non_null (msg);
  assert_string_equal (msg, want);
}

static char *
replace (const char *s, const char *from, const char *to)
{
  const char *at = strstr (s, from);

  assert_non_null (at);
  return xasprintf ("%.*s%s%s", (int) (at - s), s, to, at + strlen (from));
}

static void
test_podman_signature_accepted (void **state)
{
  cleanup_json json_object *repo = json_tokener_parse ("{\"type\":\"matchRepository\"}");
  (void) state;
  assert_null (verify (PODMAN_KEY, PAYLOAD, SIGNATURE, DIGEST, REF, NULL));
  /* By digest, the repository is what must match.  */
  assert_null (verify (
      PODMAN_KEY, PAYLOAD, SIGNATURE, DIGEST,
      "127.0.0.1:5123/ss/img@sha256:039e335c1a87b1d4b9fe8ca398eb58cd4e282ecd025ae69f88bb6cccd6c2d298", NULL));
  assert_null (verify (PODMAN_KEY, PAYLOAD, SIGNATURE, DIGEST, "127.0.0.1:5123/ss/img:other", repo));
}

static void
test_tampered_refused (void **state)
{
  cleanup_free char *payload = replace (PAYLOAD, "5.34.2", "5.34.3");
  cleanup_free char *sig = replace (SIGNATURE, "MEQCIF3V", "MEQCIF3W");
  (void) state;
  expect_refused (
      PODMAN_KEY, payload, SIGNATURE, DIGEST, REF, NULL,
      "cryptographic signature verification failed: invalid signature when validating ASN.1 encoded "
      "signature");
  expect_refused (
      PODMAN_KEY, PAYLOAD, sig, DIGEST, REF, NULL,
      "cryptographic signature verification failed: invalid signature when validating ASN.1 encoded "
      "signature");
  expect_refused (
      OTHER_KEY, PAYLOAD, SIGNATURE, DIGEST, REF, NULL,
      "cryptographic signature verification failed: invalid signature when validating ASN.1 encoded "
      "signature");
  expect_refused (PODMAN_KEY, PAYLOAD, NULL, DIGEST, REF, NULL,
                  "missing dev.cosignproject.cosign/signature annotation");
  expect_refused (PODMAN_KEY, PAYLOAD, "MEQ*", DIGEST, REF, NULL,
                  "base64 decoding: illegal base64 data at input byte 3");
  expect_refused (PODMAN_KEY, PAYLOAD, "AAAA", DIGEST, REF, NULL,
                  "cryptographic signature verification failed: ecdsa: Invalid IEEE_P1363 encoded bytes");
}

static void
test_wrong_digest_and_identity (void **state)
{
  (void) state;
  expect_refused (
      PODMAN_KEY, PAYLOAD, SIGNATURE,
      "sha256:0000000000000000000000000000000000000000000000000000000000000000", REF, NULL,
      "Signature for digest sha256:039e335c1a87b1d4b9fe8ca398eb58cd4e282ecd025ae69f88bb6cccd6c2d298 does "
      "not match");
  expect_refused (PODMAN_KEY, PAYLOAD, SIGNATURE, DIGEST, "127.0.0.1:5123/ss/img:v2", NULL,
                  "Signature for identity \"127.0.0.1:5123/ss/img:v1\" is not accepted");
  expect_refused (PODMAN_KEY, PAYLOAD, SIGNATURE, DIGEST, "127.0.0.1:5123/other/img:v1", NULL,
                  "Signature for identity \"127.0.0.1:5123/ss/img:v1\" is not accepted");
}

static void
expect_payload_invalid (const char *payload, const char *want)
{
  cleanup_free char *digest = NULL, *ref = NULL;
  ferry_error_t err = NULL;

  assert_true (ferry_sigstore_payload_parse (payload, strlen (payload), &digest, &ref, &err) < 0);
  assert_string_equal (err->msg, want);
  ferry_error_release (&err);
}

static void
test_payload_strict (void **state)
{
  cleanup_free char *digest = NULL, *ref = NULL;
  ferry_error_t err = NULL;
  (void) state;
  assert_int_equal (ferry_sigstore_payload_parse (PAYLOAD, strlen (PAYLOAD), &digest, &ref, &err), 0);
  assert_string_equal (digest, DIGEST);
  assert_string_equal (ref, REF);
  expect_payload_invalid ("[]", "JSON object expected, got 91");
  expect_payload_invalid ("{\"critical\":{}}", "Key \"optional\" missing in a JSON object");
  expect_payload_invalid ("{\"critical\":{},\"optional\":null,\"x\":1}", "Unknown key \"x\"");
  expect_payload_invalid ("{\"critical\":{\"type\":\"cosign container image signature\",\"image\":{},"
                          "\"identity\":{}},\"optional\":null}",
                          "Key \"docker-manifest-digest\" missing in a JSON object");
  expect_payload_invalid (
      "{\"critical\":{\"type\":\"atomic container signature\",\"image\":{},\"identity\":{}},"
      "\"optional\":null}",
      "Unrecognized signature type atomic container signature");
  expect_payload_invalid ("{\"critical\":{\"type\":1,\"image\":{},\"identity\":{}},\"optional\":null}",
                          "json: cannot unmarshal number into Go value of type string");
  expect_payload_invalid (
      "{\"critical\":{\"type\":\"cosign container image signature\",\"image\":{"
      "\"docker-manifest-digest\":\"sha256:00\",\"x\":1},\"identity\":{}},\"optional\":null}",
      "Unknown key \"x\"");
  expect_payload_invalid ("{\"critical\":{},\"optional\":{\"timestamp\":1.5}}",
                          "Field optional.timestamp is not is not an integer");
  expect_payload_invalid ("{\"critical\":{},\"critical\":{},\"optional\":null}",
                          "Duplicate key \"critical\"");
  /* A registry's key, escaped: one line (fuzz_image_docs).  */
  expect_payload_invalid ("{\"critical\":{},\"optional\":null,\"x\\ny\":1}", "Unknown key \"x\\x0ay\"");
  expect_payload_invalid ("{\"critical\":{},\"optional\":null,\"x\\ny\":1,\"x\\ny\":2}",
                          "Duplicate key \"x\\x0ay\"");
}

static void
test_keys (void **state)
{
  cleanup_json json_object *bad = json_tokener_parse ("{\"type\":\"sigstoreSigned\",\"keyData\":\"eA==\"}");
  cleanup_json json_object *missing
      = json_tokener_parse ("{\"type\":\"sigstoreSigned\",\"keyPath\":\"/nonexistent/key.pub\"}");
  EVP_PKEY **keys = NULL;
  size_t n = 0;
  ferry_error_t err = NULL;
  (void) state;
  assert_true (ferry_sigstore_keys_load (bad, &keys, &n, &err) < 0);
  assert_string_equal (err->msg, "parsing public key 1: PEM decoding failed");
  ferry_error_release (&err);
  assert_true (ferry_sigstore_keys_load (missing, &keys, &n, &err) < 0);
  assert_string_equal (err->msg, "open /nonexistent/key.pub: no such file or directory");
  ferry_error_release (&err);
}

/* The private half of PODMAN_KEY as skopeo generate-sigstore-key wrote
 * it, under the passphrase "keypass".  */
static const char PODMAN_PRIVATE_KEY[] = "-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n"
                                         "eyJrZGYiOnsibmFtZSI6InNjcnlwdCIsInBhcmFtcyI6eyJOIjo2NTUzNiwiciI6\n"
                                         "OCwicCI6MX0sInNhbHQiOiJzdXJpdW01WXN0NW0zeGdDUTRXTXViTmlMdkFLMmxo\n"
                                         "dnFkODdzK2JOOEJFPSJ9LCJjaXBoZXIiOnsibmFtZSI6Im5hY2wvc2VjcmV0Ym94\n"
                                         "Iiwibm9uY2UiOiJweExLem15TytkT3I0Z1FZYWwyeHJFc0piVUV3eW9mdiJ9LCJj\n"
                                         "aXBoZXJ0ZXh0IjoiNlJvRFo2Tktyd3MxazhXeGVIbGNjMjREUnZFVHZudVAxclZw\n"
                                         "QjBWNFRwZEN0dFJVVk40b2VNVmdqMUpySUo2ZGlYeXpjZ204S2dMbXpJZnR4NXJn\n"
                                         "bk80ZlNaWCtwQXBmUmwraGJxRVBEWHBLTk5tWnErdlc4eUxkRnVhYmQzaUxjVFhG\n"
                                         "L0V6LzJ4TUxua1ZZSnZoVVJ0WksydGNHVG9PMmRJTjQ3N0xjblJRSmhJRXM5T0xz\n"
                                         "S2RnNXQzRDE2elJhS2JqVC9BY0FjWDg3SEE9PSJ9\n"
                                         "-----END ENCRYPTED COSIGN PRIVATE KEY-----\n";

static char *
write_temp (const char *text)
{
  char *path = xstrdup ("/tmp/ferry-test-sigstore-XXXXXX");
  int fd = mkstemp (path);
  size_t len = strlen (text);

  assert_true (fd >= 0);
  assert_int_equal (write (fd, text, len), (ssize_t) len);
  close (fd);
  return path;
}

static void
test_private_key (void **state)
{
  cleanup_free char *path = write_temp (PODMAN_PRIVATE_KEY), *pub = write_temp (PODMAN_KEY);
  cleanup_free char *payload = ferry_sigstore_payload_new (REF, DIGEST), *sig = NULL, *msg = NULL;
  EVP_PKEY *key = NULL;
  ferry_error_t err = NULL;
  (void) state;

  assert_true (ferry_sigstore_private_key_load (path, "wrong", &key, &err) < 0);
  assert_string_equal (err->msg, "initializing private key: decrypt: encrypted: decryption failed");
  ferry_error_release (&err);
  assert_true (ferry_sigstore_private_key_load (pub, "keypass", &key, &err) < 0);
  assert_string_equal (err->msg, "initializing private key: unsupported pem type: PUBLIC KEY");
  ferry_error_release (&err);
  assert_true (ferry_sigstore_private_key_load ("/nonexistent/k", "keypass", &key, &err) < 0);
  assert_string_equal (
      err->msg, "reading private key from /nonexistent/k: open /nonexistent/k: no such file or directory");
  ferry_error_release (&err);

  /* Unlocked, it signs a payload ferry makes, and the public key Podman's
   * signature was checked with accepts it.  */
  assert_int_equal (ferry_sigstore_private_key_load (path, "keypass", &key, &err), 0);
  sig = ferry_sigstore_sign (key, payload, strlen (payload), &err);
  assert_non_null (sig);
  EVP_PKEY_free (key);
  msg = verify (PODMAN_KEY, payload, sig, DIGEST, REF, NULL);
  assert_null (msg);
  unlink (path);
  unlink (pub);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_podman_signature_accepted),
    cmocka_unit_test (test_tampered_refused),
    cmocka_unit_test (test_wrong_digest_and_identity),
    cmocka_unit_test (test_payload_strict),
    cmocka_unit_test (test_keys),
    cmocka_unit_test (test_private_key),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
