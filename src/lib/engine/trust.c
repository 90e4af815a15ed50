#include "trust.h"
#include "../util/cleanup.h"
#include "../util/sign.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
add_key (struct ferry_trust *t, const char *path, ferry_error_t *err)
{
  EVP_PKEY *key = ferry_sign_key_load (path, 0, err);

  if (key == NULL)
    return -1;
  t->keys = xrealloc (t->keys, sizeof (*t->keys) * (t->n + 1));
  t->fingerprints = xrealloc (t->fingerprints, sizeof (*t->fingerprints) * (t->n + 1));
  t->keys[t->n] = key;
  t->fingerprints[t->n] = ferry_sign_key_fingerprint (key);
  t->n++;
  return 0;
}

static int
has_suffix (const char *s, const char *suffix)
{
  size_t n = strlen (s), m = strlen (suffix);
  return n > m && strcmp (s + n - m, suffix) == 0;
}

int
ferry_trust_load (ferry_engine_t *e, char *const *verify_keys, struct ferry_trust *t, ferry_error_t *err)
{
  cleanup_free char *dir = xasprintf ("%s/trusted-keys", e->root);
  cleanup_dir DIR *d = NULL;
  struct dirent *de;

  memset (t, 0, sizeof (*t));
  for (; verify_keys && *verify_keys; verify_keys++)
    if (add_key (t, *verify_keys, err) < 0)
      return -1;
  d = opendir (dir);
  if (d == NULL)
    return errno == ENOENT ? 0 : ferry_make_error (err, errno, "cannot read the trusted keys in `%s`", dir);
  while ((de = readdir (d)))
    {
      cleanup_free char *path = NULL;

      if (de->d_name[0] == '.' || ! (has_suffix (de->d_name, ".pub") || has_suffix (de->d_name, ".pem")))
        continue;
      path = xasprintf ("%s/%s", dir, de->d_name);
      if (add_key (t, path, err) < 0)
        return ferry_error_wrap (err, "trusted key in `%s`", dir);
    }
  return 0;
}

void
ferry_trust_release (struct ferry_trust *t)
{
  for (size_t i = 0; i < t->n; i++)
    {
      EVP_PKEY_free (t->keys[i]);
      free (t->fingerprints[i]);
    }
  free (t->keys);
  free (t->fingerprints);
  memset (t, 0, sizeof (*t));
}

int
ferry_trust_check (const struct ferry_trust *t, const struct ferry_archive_proof *proof, const char *what,
                   char **signer, ferry_error_t *err)
{
  cleanup_free char *named = NULL;
  size_t i;

  if (signer)
    *signer = NULL;
  if (t->n == 0)
    return 0;
  if (proof->signature == NULL)
    return ferry_make_error (err, 0,
                             "%s is not signed, and this restore requires a signature by a trusted key "
                             "(--verify-key, or the keys in the root's trusted-keys directory): sign it with "
                             "checkpoint --sign-key",
                             what);
  named = ferry_sign_document_key (proof->signature, proof->signature_len);
  if (named == NULL)
    return ferry_make_error (err, 0, "%s has a malformed signature: refusing it", what);
  for (i = 0; i < t->n && strcmp (t->fingerprints[i], named) != 0; i++)
    ;
  if (i == t->n)
    return ferry_make_error (err, 0, "%s is signed by key %s, which is not trusted here: refusing it", what,
                             named);
  if (ferry_sign_verify (t->keys[i], proof->manifest, proof->manifest_len, proof->signature,
                         proof->signature_len, what, err)
      < 0)
    return -1;
  if (signer)
    *signer = steal_pointer (&named);
  return 1;
}
