/* Unit tests for the trust policy (containers-policy.json): strict
 * parsing, the scope lookup, and the checks of a signature's payload.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/policy.h"
#include "image/signature.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

static ferry_policy_t *
parse_ok (const char *text)
{
  ferry_policy_t *p = NULL;
  ferry_error_t err = NULL;

  if (ferry_policy_parse ("p.json", text, strlen (text), &p, &err) < 0)
    fail_msg ("refused: %s", err->msg);
  return p;
}

static void
expect_invalid (const char *text, const char *msg)
{
  ferry_policy_t *p = NULL;
  ferry_error_t err = NULL;
  cleanup_free char *want = NULL;

  assert_true (ferry_policy_parse ("p.json", text, strlen (text), &p, &err) < 0);
  assert_null (p);
  assert_non_null (err);
  assert_true (asprintf (&want, "invalid policy in \"p.json\": %s", msg) > 0);
  assert_string_equal (err->msg, want);
  ferry_error_release (&err);
}

static void
test_invalid_policies (void **state)
{
  (void) state;
  expect_invalid ("{\"default\":", "unexpected end of JSON input");
  expect_invalid ("{}", "Default policy is missing");
  /* json-c would keep the second; containers/image refuses the file.  */
  expect_invalid ("{\"default\":[{\"type\":\"reject\"}],\"default\":[{\"type\":\"insecureAcceptAnything\"}]}",
                  "Duplicate key \"default\"");
  expect_invalid ("{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"a.io\":[{\"type\":"
                  "\"reject\"}],\"a\\u002eio\":[{\"type\":\"reject\"}]}}}",
                  "Duplicate key \"a.io\"");
  expect_invalid ("{\"default\":[{\"type\":\"reject\",\"type\":\"insecureAcceptAnything\"}]}",
                  "Duplicate key \"type\"");
  expect_invalid ("{\"default\":[]}", "List of verification policy requirements must not be empty");
  expect_invalid ("{\"default\":[{\"type\":\"reject\"}],\"x\":1}", "Unknown key \"x\"");
  expect_invalid ("{\"default\":[{\"type\":\"reject\",\"keyPath\":\"/k\"}]}", "Unknown key \"keyPath\"");
  expect_invalid ("{\"default\":[{\"type\":\"nope\"}]}", "Unknown policy requirement type \"nope\"");
  expect_invalid ("{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"a.io\":[]}}}",
                  "List of verification policy requirements must not be empty");
  expect_invalid ("{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPaths\":\"/k\"}]}",
                  "json: cannot unmarshal string into Go struct field prSignedBy.keyPaths of type []string");
  expect_invalid ("{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"oci-archive\":{\"rel\":[{\"type\":"
                  "\"reject\"}]}}}",
                  "Unknown key \"rel\"");
  /* The file's own strings are escaped: the refusal stays one line
   * (fuzz_image_docs).  */
  expect_invalid ("{\"default\":[{\"type\":\"reject\"}],\"x\\ny\":1}", "Unknown key \"x\\x0ay\"");
  expect_invalid ("{\"default\":[{\"type\":\"no\\npe\"}]}", "Unknown policy requirement type \"no\\x0ape\"");
  expect_invalid ("{\"default\":[{\"type\":\"reject\"}],\"a\\nb\":1,\"a\\nb\":2}",
                  "Duplicate key \"a\\x0ab\"");
}

/* The keyPath of the first requirement that applies to REF: each scope
 * of the test policy names its own.  */
static const char *
scope_of (ferry_policy_t *p, const char *ref)
{
  static char got[256];
  struct ferry_reference r;
  ferry_error_t err = NULL;
  struct ferry_policy_image img = { .transport = "docker", .shown = ref };
  json_object *reqs;

  assert_int_equal (ferry_reference_parse (ref, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, &err), 0);
  img.ref = &r;
  reqs = ferry_policy_requirements (p, &img);
  snprintf (got, sizeof (got), "%s", ferry_json_get_string (json_object_array_get_idx (reqs, 0), "keyPath"));
  ferry_reference_free (&r);
  return got;
}

/* Each scope's one requirement names the scope in its keyPath.  */
static const char scopes_policy[]
    = "{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"DEFAULT\"}],"
      "\"transports\":{\"docker\":{"
      "\"\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"\"}],"
      "\"reg.example.com:5000/ns/app:1\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\","
      "\"keyPath\":\"reg.example.com:5000/ns/app:1\"}],"
      "\"reg.example.com:5000/ns/app\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\","
      "\"keyPath\":\"reg.example.com:5000/ns/app\"}],"
      "\"reg.example.com:5000/ns\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\","
      "\"keyPath\":\"reg.example.com:5000/ns\"}],"
      "\"reg.example.com:5000\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\","
      "\"keyPath\":\"reg.example.com:5000\"}],"
      "\"*.example.com\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"*.example.com\"}],"
      "\"docker.io/library\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\","
      "\"keyPath\":\"docker.io/library\"}]}}}";

static void
test_same_keys_apart (void **state)
{
  /* The same key in different objects, and strings as values, are no
   * duplicates.  */
  ferry_policy_t *p = parse_ok ("{\"default\":[{\"type\":\"reject\"},{\"type\":\"reject\"}],\"transports\":"
                                "{\"docker\":{\"type\":[{\"type\":\"reject\"}]},\"x\":{\"type\":[{\"type\":"
                                "\"reject\"}]}}}");
  (void) state;
  ferry_policy_free (p);
}

static void
test_scope_lookup (void **state)
{
  ferry_policy_t *p = parse_ok (scopes_policy);

  (void) state;
  assert_string_equal (scope_of (p, "reg.example.com:5000/ns/app:1"), "reg.example.com:5000/ns/app:1");
  assert_string_equal (scope_of (p, "reg.example.com:5000/ns/app:2"), "reg.example.com:5000/ns/app");
  assert_string_equal (scope_of (p, "reg.example.com:5000/ns/other:1"), "reg.example.com:5000/ns");
  assert_string_equal (scope_of (p, "reg.example.com:5000/x/y:1"), "reg.example.com:5000");
  /* Another port is another registry; its host's domains still match.  */
  assert_string_equal (scope_of (p, "reg.example.com/ns/app:1"), "*.example.com");
  assert_string_equal (scope_of (p, "a.b.example.com/app:1"), "*.example.com");
  assert_string_equal (scope_of (p, "busybox"), "docker.io/library");
  assert_string_equal (scope_of (p, "quay.io/x/y:1"), "");
  ferry_policy_free (p);

  p = parse_ok ("{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"DEFAULT\"}]}");
  assert_string_equal (scope_of (p, "quay.io/x/y:1"), "DEFAULT");
  ferry_policy_free (p);
}

static void
test_reject_and_accept (void **state)
{
  ferry_policy_t *p = parse_ok ("{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"transports\":{"
                                "\"docker\":{\"a.io/x\":[{\"type\":\"insecureAcceptAnything\"},{\"type\":"
                                "\"reject\"}]}}}");
  struct ferry_reference r;
  ferry_error_t err = NULL;
  struct ferry_policy_image img = { .transport = "docker", .shown = "docker://a.io/x:1" };

  (void) state;
  assert_int_equal (ferry_reference_parse ("a.io/x:1", FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, &err), 0);
  img.ref = &r;
  assert_true (ferry_policy_check (p, &img, &err) < 0);
  assert_string_equal (err->msg,
                       "Source image rejected: Running image docker://a.io/x:1 is rejected by policy.");
  ferry_error_release (&err);
  ferry_reference_free (&r);
  assert_int_equal (ferry_reference_parse ("a.io/y:1", FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, &err), 0);
  assert_int_equal (ferry_policy_check (p, &img, &err), 0);
  ferry_reference_free (&r);
  ferry_policy_free (p);
}

#define DIGEST "sha256:44d9e46969dbeaee9a6899feba5e25847d5bceb3821b98ed381d58cb59093b87"

static int
check (const char *signed_ref, const char *intended, const char *identity, char **msg)
{
  cleanup_free char *payload = NULL;
  cleanup_json json_object *id = identity ? json_tokener_parse (identity) : NULL;
  struct ferry_reference r;
  ferry_error_t err = NULL;
  int ret;

  assert_true (asprintf (&payload,
                         "{\"critical\":{\"identity\":{\"docker-reference\":\"%s\"},\"image\":{\"docker-"
                         "manifest-digest\":\"" DIGEST "\"},\"type\":\"atomic container signature\"},"
                         "\"optional\":{\"creator\":\"x\"}}",
                         signed_ref)
               > 0);
  assert_int_equal (ferry_reference_parse (intended, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, &err), 0);
  ret = ferry_signature_check_payload (payload, strlen (payload), DIGEST, &r, id, &err);
  ferry_reference_free (&r);
  if (msg)
    *msg = err ? strdup (err->msg) : NULL;
  ferry_error_release (&err);
  return ret;
}

static void
test_signed_identity (void **state)
{
  cleanup_free char *msg = NULL;

  (void) state;
  /* matchRepoDigestOrExact: a tag must match exactly, a digest only the
   * repository.  */
  assert_int_equal (check ("a.io/x:1", "a.io/x:1", NULL, NULL), 0);
  assert_true (check ("a.io/x:2", "a.io/x:1", NULL, &msg) < 0);
  assert_string_equal (msg, "Signature for identity \"a.io/x:2\" is not accepted");
  assert_int_equal (check ("a.io/x:2", "a.io/x@" DIGEST, NULL, NULL), 0);
  assert_true (check ("a.io/y:1", "a.io/x@" DIGEST, NULL, NULL) < 0);
  /* A short name in a signature is docker.io's.  */
  assert_int_equal (check ("busybox:1", "docker.io/library/busybox:1", NULL, NULL), 0);
  assert_true (check ("a.io/x:1", "a.io/x@" DIGEST, "{\"type\":\"matchExact\"}", NULL) < 0);
  assert_int_equal (check ("a.io/x:7", "a.io/x:1", "{\"type\":\"matchRepository\"}", NULL), 0);
  assert_int_equal (
      check ("a.io/x:7", "b.io/z:1", "{\"type\":\"exactReference\",\"dockerReference\":\"a.io/x:7\"}", NULL),
      0);
  assert_true (
      check ("a.io/x:8", "b.io/z:1", "{\"type\":\"exactReference\",\"dockerReference\":\"a.io/x:7\"}", NULL)
      < 0);
  assert_int_equal (
      check ("a.io/x:8", "b.io/z:1", "{\"type\":\"exactRepository\",\"dockerRepository\":\"a.io/x\"}", NULL),
      0);
  assert_int_equal (
      check ("a.io/ns/x:1", "mirror.io/m/x:1",
             "{\"type\":\"remapIdentity\",\"prefix\":\"mirror.io/m\",\"signedPrefix\":\"a.io/ns\"}", NULL),
      0);
  assert_true (check ("a.io/ns/x:1", "mirror.io/mm/x:1",
                      "{\"type\":\"remapIdentity\",\"prefix\":\"mirror.io/m\",\"signedPrefix\":\"a.io/ns\"}",
                      NULL)
               < 0);
}

static void
test_payload_strict (void **state)
{
  struct ferry_reference r;
  ferry_error_t err = NULL;
  const char *unknown = "{\"critical\":{\"identity\":{\"docker-reference\":\"a.io/x:1\"},\"image\":{\"docker-"
                        "manifest-digest\":\"" DIGEST "\"},\"type\":\"atomic container signature\",\"x\":1}}";
  const char *type = "{\"critical\":{\"identity\":{\"docker-reference\":\"a.io/x:1\"},\"image\":{\"docker-"
                     "manifest-digest\":\"" DIGEST "\"},\"type\":\"other\"}}";
  const char *digest = "{\"critical\":{\"identity\":{\"docker-reference\":\"a.io/x:1\"},\"image\":{\"docker-"
                       "manifest-digest\":\"sha256:00\"},\"type\":\"atomic container signature\"}}";

  (void) state;
  assert_int_equal (ferry_reference_parse ("a.io/x:1", FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, &err), 0);
  assert_true (ferry_signature_check_payload (unknown, strlen (unknown), DIGEST, &r, NULL, &err) < 0);
  assert_string_equal (err->msg, "Invalid signature format: critical has an unknown member \"x\"");
  ferry_error_release (&err);
  assert_true (ferry_signature_check_payload (type, strlen (type), DIGEST, &r, NULL, &err) < 0);
  assert_string_equal (err->msg, "Unrecognized signature type other");
  ferry_error_release (&err);
  assert_true (ferry_signature_check_payload (digest, strlen (digest), DIGEST, &r, NULL, &err) < 0);
  assert_string_equal (err->msg, "Signature for digest sha256:00 does not match");
  ferry_error_release (&err);
  assert_true (ferry_signature_check_payload ("[]", 2, DIGEST, &r, NULL, &err) < 0);
  ferry_error_release (&err);
  /* The payload's own strings, escaped: one line (fuzz_image_docs).  */
  {
    const char *nl_type
        = "{\"critical\":{\"identity\":{\"docker-reference\":\"a.io/x:1\"},\"image\":{\"docker-"
          "manifest-digest\":\"" DIGEST "\"},\"type\":\"other\\nFAKE\"}}";
    const char *nl_member = "{\"critical\":{},\"optional\":{},\"x\\ny\":1}";

    assert_true (ferry_signature_check_payload (nl_type, strlen (nl_type), DIGEST, &r, NULL, &err) < 0);
    assert_string_equal (err->msg, "Unrecognized signature type other\\x0aFAKE");
    ferry_error_release (&err);
    assert_true (ferry_signature_check_payload (nl_member, strlen (nl_member), DIGEST, &r, NULL, &err) < 0);
    assert_string_equal (err->msg, "Invalid signature format: the payload has an unknown member \"x\\x0ay\"");
    ferry_error_release (&err);
  }
  ferry_reference_free (&r);
}

/* A registries.d file's scopes are escaped in its refusals: one line
 * (fuzz_image_docs).  */
static void
test_registries_d_one_line (void **state)
{
  char dir[] = "/tmp/ferry-test-regd-XXXXXX";
  cleanup_free char *file = NULL;
  struct ferry_reference r;
  ferry_error_t err = NULL;
  FILE *f;
  int use = 0;

  (void) state;
  assert_non_null (mkdtemp (dir));
  file = xasprintf ("%s/x.yaml", dir);
  f = fopen (file, "w");
  assert_non_null (f);
  fputs ("docker:\n  \"a.io/x\\nFAKE: ok\":\n    use-sigstore-attachments: maybe\n", f);
  assert_int_equal (fclose (f), 0);
  assert_int_equal (ferry_reference_parse ("a.io/x:1", FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, &err), 0);
  assert_true (ferry_registries_d_sigstore_attachments (dir, &r, &use, &err) < 0);
  if (strchr (err->msg, '\n') || strstr (err->msg, "`a.io/x\\x0aFAKE: ok`") == NULL)
    fail_msg ("not one line, escaped: %s", err->msg);
  ferry_error_release (&err);
  ferry_reference_free (&r);
  unlink (file);
  rmdir (dir);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_invalid_policies),      cmocka_unit_test (test_same_keys_apart),
    cmocka_unit_test (test_scope_lookup),          cmocka_unit_test (test_reject_and_accept),
    cmocka_unit_test (test_signed_identity),       cmocka_unit_test (test_payload_strict),
    cmocka_unit_test (test_registries_d_one_line),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
