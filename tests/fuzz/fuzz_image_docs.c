/* libFuzzer target: the documents of images and of their trust that come
 * from registries, image archives, the database or files a package
 * wrote: an image index or manifest list, a manifest, a config and a
 * docker-archive's manifest.json (src/lib/image/schema.c), a manifest
 * list as the store keeps it (manifest_list.c), policy.json (policy.c),
 * auth.json (auth.c), a registries.d file (signature.c, YAML), and the
 * payloads of simple-signing and sigstore signatures.
 *
 * The input is the document; its last byte picks the reader (0 index,
 * 1 manifest, 2 config, 3 docker-archive manifest.json, 4 policy.json,
 * 5 auth.json, 6 registries.d, 7 signature payloads).  Beyond the
 * sanitizers' findings, every refusal is one line, and a document a
 * check passes is one the code after it can read (its members of their
 * types).
 *
 * Files are written under $FERRY_FUZZ_ROOT (default
 * /tmp/ferry-fuzz-image-docs).  PATH is emptied, so that no credential
 * helper an auth.json names is run.
 *
 * Built only with -Dfuzz=true and clang (tests/fuzz/README).  */
#include "image/auth.h"
#include "image/manifest_list.h"
#include "image/policy.h"
#include "image/reference.h"
#include "image/schema.h"
#include "image/signature.h"
#include "image/sigstore.h"
#include "refusal.h"
#include "util/error.h"
#include "util/json.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

#define DIGEST "sha256:44d9e46969dbeaee9a6899feba5e25847d5bceb3821b98ed381d58cb59093b87"

static char dir[4096], auth_path[4200], regd[4200], regd_file[4300];
static struct ferry_reference ref;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *base = getenv ("FERRY_FUZZ_ROOT");
  ferry_error_t err = NULL;

  (void) argc;
  (void) argv;
  snprintf (dir, sizeof (dir), "%s", base && *base ? base : "/tmp/ferry-fuzz-image-docs");
  snprintf (auth_path, sizeof (auth_path), "%s/auth.json", dir);
  snprintf (regd, sizeof (regd), "%s/registries.d", dir);
  snprintf (regd_file, sizeof (regd_file), "%s/default.yaml", regd);
  /* auth.json may name a credential helper: none is run.  */
  setenv ("PATH", "/nonexistent", 1);
  if ((mkdir (dir, 0700) < 0 && errno != EEXIST) || (mkdir (regd, 0700) < 0 && errno != EEXIST))
    abort ();
  if (ferry_reference_parse ("registry.example.com/ns/repo:1.0", FERRY_REFERENCE_DEFAULT_DOCKER_IO, &ref,
                             &err)
      < 0)
    abort ();
  return 0;
}

static void
write_file (const char *path, const char *text, size_t len)
{
  FILE *f = fopen (path, "we");

  if (f == NULL || fwrite (text, 1, len, f) != len || fclose (f) != 0)
    abort ();
}

/* What the code after a check reads of a checked document: it must be
 * there with its type (an index entry may go without a mediaType).  */
static void
use_descriptors (json_object *list, bool need_media_type)
{
  for (size_t i = 0; i < ferry_json_array_length (list); i++)
    {
      json_object *d = json_object_array_get_idx (list, i);
      json_object *size;

      json_object *mt = NULL;

      if (! json_object_is_type (d, json_type_object) || ferry_json_get_string (d, "digest") == NULL
          || (json_object_object_get_ex (d, "mediaType", &mt)
                  ? mt != NULL && ! json_object_is_type (mt, json_type_string)
                  : need_media_type)
          || (json_object_object_get_ex (d, "size", &size) && ! json_object_is_type (size, json_type_int)))
        {
          fprintf (stderr, "a checked descriptor is not one: %s\n", json_object_to_json_string (d));
          abort ();
        }
    }
}

static void
schema (const char *text, size_t len, unsigned mode)
{
  ferry_error_t err = NULL;
  json_object *doc = ferry_json_parse (text, len, "fuzz document", &err);
  int r = -1;

  if (doc == NULL)
    {
      fuzz_refusal (&err, NULL);
      return;
    }
  switch (mode)
    {
    case 0:
      r = ferry_image_check_index (doc, &err);
      if (r == 0)
        use_descriptors (ferry_json_get_array (doc, "manifests"), false);
      {
        /* The store keeps a list as text: inspect reads it back.  */
        ferry_error_t list_err = NULL;
        json_object *shown = ferry_manifest_list_inspect (text, &list_err);
        if (shown == NULL)
          fuzz_refusal (&list_err, NULL);
        json_object_put (shown);
      }
      break;
    case 1:
      r = ferry_image_check_manifest (doc, &err);
      if (r == 0)
        {
          use_descriptors (ferry_json_get_array (doc, "layers"), true);
          (void) ferry_image_manifest_is_checkpoint (doc);
        }
      break;
    case 2:
      r = ferry_image_check_config (doc, &err);
      break;
    case 3:
      r = ferry_image_check_docker_manifest (doc, &err);
      break;
    }
  if (r < 0)
    fuzz_refusal (&err, NULL);
  json_object_put (doc);
}

static void
policy (const char *text, size_t len)
{
  ferry_policy_t *p = NULL;
  ferry_error_t err = NULL;

  if (ferry_policy_parse ("/fuzz/policy.json", text, len, &p, &err) < 0)
    {
      fuzz_refusal (&err, NULL);
      return;
    }
  {
    const struct ferry_policy_image img = { .transport = "docker",
                                            .shown = "docker://registry.example.com/ns/repo:1.0",
                                            .ref = &ref,
                                            .registries_d = regd };
    const struct ferry_policy_image archive
        = { .transport = "oci-archive", .shown = "oci-archive:/fuzz/x.tar", .path = "/fuzz/x.tar" };
    json_object *reqs = ferry_policy_requirements (p, &img);

    if (reqs == NULL || ferry_policy_requirements (p, &archive) == NULL)
      abort ();
    /* "insecureAcceptAnything" and "reject" decide without a signature;
     * the others look for one, in the (empty) lookaside of regd.  */
    unlink (regd_file);
    if (ferry_policy_check (p, &archive, &err) < 0)
      fuzz_refusal (&err, NULL);
  }
  ferry_policy_free (p);
}

static void
auth (const char *text, size_t len)
{
  struct ferry_credentials c = { 0 };
  ferry_error_t err = NULL;

  write_file (auth_path, text, len);
  if (ferry_auth_lookup (auth_path, "registry.example.com/ns/repo", &c, &err) < 0)
    fuzz_refusal (&err, NULL);
  ferry_credentials_clear (&c);
}

static void
registries_d (const char *text, size_t len)
{
  ferry_error_t err = NULL;
  char *url = NULL;
  json_object *all = NULL;
  int use = 0;

  write_file (regd_file, text, len);
  if (ferry_lookaside_url (regd, &ref, 0, &url, &err) < 0)
    fuzz_refusal (&err, NULL);
  free (url);
  url = NULL;
  if (ferry_lookaside_url (regd, &ref, 1, &url, &err) < 0)
    fuzz_refusal (&err, NULL);
  free (url);
  if (ferry_registries_d_sigstore_attachments (regd, &ref, &use, &err) < 0)
    fuzz_refusal (&err, NULL);
  if (ferry_lookaside_all (regd, &all, &err) < 0)
    fuzz_refusal (&err, NULL);
  json_object_put (all);
}

static void
payloads (const char *text, size_t len)
{
  ferry_error_t err = NULL;
  char *digest = NULL, *signed_ref = NULL;
  struct ferry_sigstore_signature *sig = calloc (1, sizeof (*sig));

  if (ferry_signature_check_payload (text, len, DIGEST, &ref, NULL, &err) < 0)
    fuzz_refusal (&err, NULL);
  if (ferry_sigstore_payload_parse (text, len, &digest, &signed_ref, &err) < 0)
    fuzz_refusal (&err, NULL);
  free (digest);
  free (signed_ref);
  if (sig == NULL)
    abort ();
  {
    int r = ferry_sigstore_from_blob (text, len, "/fuzz/signature-1", sig, &err);
    if (r < 0)
      fuzz_refusal (&err, NULL);
    ferry_sigstore_signatures_free (sig, r == 1);
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text;
  size_t len;

  if (size == 0)
    return 0;
  len = size - 1;
  text = malloc (size);
  if (text == NULL)
    abort ();
  memcpy (text, data, len);
  text[len] = '\0';
  switch (data[len] & 7)
    {
    case 0:
    case 1:
    case 2:
    case 3:
      schema (text, len, data[len] & 7);
      break;
    case 4:
      policy (text, len);
      break;
    case 5:
      auth (text, len);
      break;
    case 6:
      registries_d (text, len);
      break;
    case 7:
      payloads (text, len);
      break;
    }
  free (text);
  return 0;
}
