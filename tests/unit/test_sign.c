/* Unit tests for src/lib/util/sign.c: Ed25519 signature documents.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "util/cleanup.h"
#include "util/fs.h"
#include "util/sign.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/ferry-test-sign-XXXXXX";

static char *
make_key (const char *name)
{
  char *path = xasprintf ("%s/%s.pem", dir, name);
  cleanup_free char *pub = xasprintf ("%s/%s.pub", dir, name);
  cleanup_free char *cmd
      = xasprintf ("openssl genpkey -algorithm ed25519 -out %s 2>/dev/null && openssl pkey -in "
                   "%s -pubout -out %s",
                   path, path, pub);
  assert_int_equal (system (cmd), 0);
  return path;
}

static EVP_PKEY *
load (const char *name, int private_key)
{
  cleanup_free char *path = xasprintf ("%s/%s.%s", dir, name, private_key ? "pem" : "pub");
  ferry_error_t err = NULL;
  EVP_PKEY *k = ferry_sign_key_load (path, private_key, &err);

  assert_non_null (k);
  return k;
}

static void
test_sign_and_verify (void **state)
{
  cleanup_pkey EVP_PKEY *priv = load ("a", 1);
  cleanup_pkey EVP_PKEY *pub = load ("a", 0);
  cleanup_pkey EVP_PKEY *other = load ("b", 0);
  static const char data[] = "{\"entries\": {}}";
  cleanup_free char *doc = NULL, *named = NULL, *fp = NULL;
  ferry_error_t err = NULL;

  (void) state;
  doc = ferry_sign (priv, data, strlen (data), &err);
  assert_non_null (doc);
  named = ferry_sign_document_key (doc, strlen (doc));
  fp = ferry_sign_key_fingerprint (pub);
  assert_string_equal (named, fp);
  assert_int_equal (ferry_sign_verify (pub, data, strlen (data), doc, strlen (doc), "x", &err), 0);
  /* One byte of the data, another key: refused.  */
  assert_true (ferry_sign_verify (pub, data, strlen (data) - 1, doc, strlen (doc), "x", &err) < 0);
  ferry_error_release (&err);
  assert_true (ferry_sign_verify (other, data, strlen (data), doc, strlen (doc), "x", &err) < 0);
  ferry_error_release (&err);
}

static void
test_malformed_documents (void **state)
{
  cleanup_pkey EVP_PKEY *pub = load ("a", 0);
  static const char *const docs[] = {
    "",
    "[]",
    "{\"algorithm\": \"ed25519\"}",
    "{\"algorithm\": \"rsa\", \"signature\": \"AAAA\"}",
    "{\"algorithm\": \"ed25519\", \"signature\": 5}",
    "{\"algorithm\": \"ed25519\", \"signature\": \"AAAA\"}",
    "{\"algorithm\": \"ed25519\", \"signature\": "
    "\"!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!==\"}",
    NULL,
  };
  size_t i;

  (void) state;
  for (i = 0; docs[i]; i++)
    {
      ferry_error_t err = NULL;
      assert_true (ferry_sign_verify (pub, "d", 1, docs[i], strlen (docs[i]), "x", &err) < 0);
      ferry_error_release (&err);
      assert_null (ferry_sign_document_key (docs[i], strlen (docs[i])));
    }
}

static void
test_keys_of_the_wrong_kind (void **state)
{
  cleanup_free char *rsa = xasprintf ("%s/rsa.pem", dir);
  cleanup_free char *cmd = xasprintf ("openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out %s "
                                      "2>/dev/null",
                                      rsa);
  cleanup_free char *pub = xasprintf ("%s/a.pub", dir);
  ferry_error_t err = NULL;

  (void) state;
  assert_int_equal (system (cmd), 0);
  assert_null (ferry_sign_key_load (rsa, 1, &err));
  assert_non_null (strstr (err->msg, "not an Ed25519 key"));
  ferry_error_release (&err);
  /* A public key is no private key.  */
  assert_null (ferry_sign_key_load (pub, 1, &err));
  ferry_error_release (&err);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_sign_and_verify),
    cmocka_unit_test (test_malformed_documents),
    cmocka_unit_test (test_keys_of_the_wrong_kind),
  };
  ferry_error_t err = NULL;
  int ret;

  if (mkdtemp (dir) == NULL)
    return 1;
  free (make_key ("a"));
  free (make_key ("b"));
  ret = cmocka_run_group_tests (tests, NULL, NULL);
  ferry_rm_rf (dir, &err);
  return ret;
}
