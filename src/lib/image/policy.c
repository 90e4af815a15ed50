#include "policy.h"
#include "signature.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

char *
ferry_policy_default_path (void)
{
  const char *home = getenv ("HOME");

  if (home && *home)
    {
      cleanup_free char *user = xasprintf ("%s/.config/containers/policy.json", home);
      if (ferry_path_exists (user))
        return steal_pointer (&user);
    }
  return xstrdup (FERRY_POLICY_SYSTEM_PATH);
}

/* ---- validation, in containers/image's words -------------------------------------- */

/* Go's name of a JSON value's kind, for its unmarshalling messages.  */
static const char *
go_kind (json_object *v)
{
  switch (json_object_get_type (v))
    {
    case json_type_object:
      return "object";
    case json_type_array:
      return "array";
    case json_type_string:
      return "string";
    case json_type_boolean:
      return "bool";
    case json_type_null:
      return "null";
    default:
      return "number";
    }
}

static int
expect_object (json_object *v, ferry_error_t *err)
{
  if (json_object_is_type (v, json_type_object))
    return 0;
  return ferry_make_error (err, 0, "JSON object expected, got %d",
                           (int) (unsigned char) json_object_to_json_string (v)[0]);
}

static int
only_keys (json_object *obj, const char *const *known, ferry_error_t *err)
{
  json_object_object_foreach (obj, key, val)
  {
    size_t i;
    (void) val;
    for (i = 0; known[i]; i++)
      if (strcmp (key, known[i]) == 0)
        break;
    if (known[i] == NULL)
      return ferry_make_error (err, 0, "Unknown key \"%s\"", key);
  }
  return 0;
}

static int
expect_string (json_object *obj, const char *key, const char *go_field, const char *go_type,
               ferry_error_t *err)
{
  json_object *v;

  if (! json_object_object_get_ex (obj, key, &v) || json_object_is_type (v, json_type_string))
    return 0;
  return ferry_make_error (err, 0, "json: cannot unmarshal %s into Go struct field %s of type %s",
                           go_kind (v), go_field, go_type);
}

static int
has (json_object *obj, const char *key)
{
  json_object *v;
  return json_object_object_get_ex (obj, key, &v);
}

static int
is_name_only (const char *s)
{
  const char *slash = strrchr (s, '/');
  return strchr (s, '@') == NULL && strchr (slash ? slash : s, ':') == NULL;
}

static int
validate_identity (json_object *id, ferry_error_t *err)
{
  static const char *const just_type[] = { "type", NULL };
  static const char *const exact_ref[] = { "type", "dockerReference", NULL };
  static const char *const exact_repo[] = { "type", "dockerRepository", NULL };
  static const char *const remap[] = { "type", "prefix", "signedPrefix", NULL };
  const char *type;

  if (expect_object (id, err) < 0)
    return -1;
  if (expect_string (id, "type", "prmCommon.type", "signature.prmTypeIdentifier", err) < 0)
    return -1;
  type = ferry_json_get_string (id, "type");
  if (type == NULL)
    type = "";
  if (strcmp (type, "matchExact") == 0 || strcmp (type, "matchRepoDigestOrExact") == 0
      || strcmp (type, "matchRepository") == 0)
    return only_keys (id, just_type, err);
  if (strcmp (type, "exactReference") == 0)
    {
      const char *r;
      struct ferry_reference parsed = { 0 };
      if (only_keys (id, exact_ref, err) < 0
          || expect_string (id, "dockerReference", "dockerReference", "string", err) < 0)
        return -1;
      r = ferry_json_get_string (id, "dockerReference");
      if (r == NULL || ferry_reference_parse (r, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &parsed, err) < 0)
        {
          ferry_error_release (err);
          return ferry_make_error (err, 0, "Invalid dockerReference \"%s\"", r ? r : "");
        }
      ferry_reference_free (&parsed);
      if (is_name_only (r))
        return ferry_make_error (err, 0, "dockerReference \"%s\" contains neither a tag nor digest", r);
      return 0;
    }
  if (strcmp (type, "exactRepository") == 0)
    {
      const char *r;
      struct ferry_reference parsed = { 0 };
      if (only_keys (id, exact_repo, err) < 0
          || expect_string (id, "dockerRepository", "dockerRepository", "string", err) < 0)
        return -1;
      r = ferry_json_get_string (id, "dockerRepository");
      if (r == NULL || ferry_reference_parse (r, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &parsed, err) < 0)
        {
          ferry_error_release (err);
          return ferry_make_error (err, 0, "Invalid dockerRepository \"%s\"", r ? r : "");
        }
      ferry_reference_free (&parsed);
      return 0;
    }
  if (strcmp (type, "remapIdentity") == 0)
    {
      if (only_keys (id, remap, err) < 0 || expect_string (id, "prefix", "prefix", "string", err) < 0
          || expect_string (id, "signedPrefix", "signedPrefix", "string", err) < 0)
        return -1;
      if (ferry_json_get_string (id, "prefix") == NULL || ferry_json_get_string (id, "signedPrefix") == NULL)
        return ferry_make_error (err, 0, "remapIdentity needs both prefix and signedPrefix");
      return 0;
    }
  return ferry_make_error (err, 0, "Unknown policy reference match type \"%s\"", type);
}

static int
validate_signed_by (json_object *r, ferry_error_t *err)
{
  static const char *const known[]
      = { "type", "keyType", "keyPath", "keyPaths", "keyData", "signedIdentity", NULL };
  const char *key_type;
  json_object *v;
  int n = has (r, "keyPath") + has (r, "keyPaths") + has (r, "keyData");

  if (only_keys (r, known, err) < 0)
    return -1;
  if (expect_string (r, "keyType", "prSignedBy.keyType", "signature.sbKeyType", err) < 0
      || expect_string (r, "keyPath", "prSignedBy.keyPath", "string", err) < 0
      || expect_string (r, "keyData", "prSignedBy.keyData", "[]uint8", err) < 0)
    return -1;
  key_type = ferry_json_get_string (r, "keyType");
  if (key_type == NULL || *key_type == '\0')
    return ferry_make_error (err, 0, "invalid keyType \"\"");
  if (strcmp (key_type, "GPGKeys") != 0)
    return ferry_make_error (err, 0, "Unrecognized keyType value \"%s\"", key_type);
  if (n != 1)
    return ferry_make_error (err, 0, "Exactly one of keyPath, keyPaths and keyData must be specified, %s",
                             n == 0 ? "none of them present" : "more than one present");
  if (json_object_object_get_ex (r, "keyPaths", &v))
    {
      size_t i;
      if (! json_object_is_type (v, json_type_array))
        return ferry_make_error (err, 0,
                                 "json: cannot unmarshal %s into Go struct field prSignedBy.keyPaths of "
                                 "type []string",
                                 go_kind (v));
      for (i = 0; i < json_object_array_length (v); i++)
        if (ferry_json_string_value (json_object_array_get_idx (v, i)) == NULL)
          return ferry_make_error (err, 0,
                                   "json: cannot unmarshal %s into Go struct field prSignedBy.keyPaths "
                                   "of type string",
                                   go_kind (json_object_array_get_idx (v, i)));
    }
  if (json_object_object_get_ex (r, "signedIdentity", &v) && validate_identity (v, err) < 0)
    return -1;
  return 0;
}

static int
validate_sigstore (json_object *r, ferry_error_t *err)
{
  static const char *const known[] = { "type",
                                       "keyPath",
                                       "keyPaths",
                                       "keyData",
                                       "keyDatas",
                                       "fulcio",
                                       "rekorPublicKeyPath",
                                       "rekorPublicKeyPaths",
                                       "rekorPublicKeyData",
                                       "rekorPublicKeyDatas",
                                       "pki",
                                       "signedIdentity",
                                       NULL };
  json_object *v;
  int n = has (r, "keyPath") + has (r, "keyPaths") + has (r, "keyData") + has (r, "keyDatas")
          + has (r, "fulcio") + has (r, "pki");

  if (only_keys (r, known, err) < 0)
    return -1;
  if (n != 1)
    return ferry_make_error (err, 0,
                             "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be "
                             "specified");
  if (json_object_object_get_ex (r, "signedIdentity", &v) && validate_identity (v, err) < 0)
    return -1;
  return 0;
}

static int
validate_requirement (json_object *r, ferry_error_t *err)
{
  static const char *const just_type[] = { "type", NULL };
  const char *type;

  if (! json_object_is_type (r, json_type_object))
    return ferry_make_error (err, 0, "json: cannot unmarshal %s into Go value of type signature.prCommon",
                             go_kind (r));
  if (expect_string (r, "type", "prCommon.type", "signature.prTypeIdentifier", err) < 0)
    return -1;
  type = ferry_json_get_string (r, "type");
  if (type == NULL)
    type = "";
  if (strcmp (type, "insecureAcceptAnything") == 0 || strcmp (type, "reject") == 0)
    return only_keys (r, just_type, err);
  if (strcmp (type, "signedBy") == 0)
    return validate_signed_by (r, err);
  if (strcmp (type, "sigstoreSigned") == 0)
    return validate_sigstore (r, err);
  return ferry_make_error (err, 0, "Unknown policy requirement type \"%s\"", type);
}

static int
validate_requirements (json_object *list, ferry_error_t *err)
{
  size_t i;

  if (list == NULL || json_object_is_type (list, json_type_null))
    return ferry_make_error (err, 0, "List of verification policy requirements must not be empty");
  if (! json_object_is_type (list, json_type_array))
    return ferry_make_error (err, 0, "json: cannot unmarshal %s into Go value of type []json.RawMessage",
                             go_kind (list));
  if (json_object_array_length (list) == 0)
    return ferry_make_error (err, 0, "List of verification policy requirements must not be empty");
  for (i = 0; i < json_object_array_length (list); i++)
    if (validate_requirement (json_object_array_get_idx (list, i), err) < 0)
      return -1;
  return 0;
}

/* The scopes a transport accepts, as containers/image's transports check
 * them; transports ferry does not know are taken as they are.  */
static int
validate_scope (const char *transport, const char *scope, ferry_error_t *err)
{
  if (*scope == '\0')
    return 0;
  if (strcmp (transport, "docker-archive") == 0 || strcmp (transport, "tarball") == 0)
    return ferry_make_error (err, 0, "Unknown key \"%s\"", scope);
  if (strcmp (transport, "oci-archive") == 0 && scope[0] != '/')
    return ferry_make_error (err, 0, "Unknown key \"%s\"", scope);
  return 0;
}

static int
validate_policy (json_object *root, ferry_error_t *err)
{
  static const char *const known[] = { "default", "transports", NULL };
  json_object *def = NULL, *transports;

  if (expect_object (root, err) < 0 || only_keys (root, known, err) < 0)
    return -1;
  if (! json_object_object_get_ex (root, "default", &def))
    return ferry_make_error (err, 0, "Default policy is missing");
  if (validate_requirements (def, err) < 0)
    return -1;
  if (! json_object_object_get_ex (root, "transports", &transports) || transports == NULL)
    return 0;
  if (expect_object (transports, err) < 0)
    return -1;
  {
    json_object_object_foreach (transports, transport, scopes)
    {
      if (expect_object (scopes, err) < 0)
        return -1;
      {
        json_object_object_foreach (scopes, scope, reqs)
        {
          if (validate_scope (transport, scope, err) < 0 || validate_requirements (reqs, err) < 0)
            return -1;
        }
      }
    }
  }
  return 0;
}

int
ferry_policy_parse (const char *path, const char *text, size_t len, ferry_policy_t **out, ferry_error_t *err)
{
  cleanup_json json_object *root = NULL;
  json_tokener *tok = json_tokener_new ();
  ferry_policy_t *p;

  root = json_tokener_parse_ex (tok, text, (int) len);
  if (root == NULL || tok->char_offset < (int) len)
    {
      enum json_tokener_error e = json_tokener_get_error (tok);
      json_tokener_free (tok);
      if (e == json_tokener_continue || e == json_tokener_success)
        return ferry_make_error (err, 0, "invalid policy in \"%s\": unexpected end of JSON input", path);
      return ferry_make_error (err, 0, "invalid policy in \"%s\": %s", path, json_tokener_error_desc (e));
    }
  json_tokener_free (tok);
  if (validate_policy (root, err) < 0)
    return ferry_error_wrap (err, "invalid policy in \"%s\"", path);
  p = xmalloc0 (sizeof (*p));
  p->path = xstrdup (path);
  p->root = steal_pointer (&root);
  *out = p;
  return 0;
}

int
ferry_policy_load (const char *path, ferry_policy_t **out, ferry_error_t *err)
{
  cleanup_free char *def = NULL;
  cleanup_free char *text = NULL;
  size_t len = 0;

  *out = NULL;
  if (path == NULL)
    {
      def = ferry_policy_default_path ();
      if (! ferry_path_exists (def))
        {
          /* No containers-common: accept, where Podman would refuse
           * (docs/man/ferry-image-trust.1.scd says so).  */
          ferry_policy_t *p = xmalloc0 (sizeof (*p));
          p->root = json_tokener_parse ("{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
          *out = p;
          return 0;
        }
      path = def;
    }
  if (ferry_read_file (path, &text, &len, err) < 0)
    {
      int e = (*err)->status;
      cleanup_free char *why = xstrdup (strerror (e ? e : EIO));
      ferry_error_release (err);
      /* Go's words: "no such file or directory".  */
      why[0] = (char) tolower ((unsigned char) why[0]);
      return ferry_make_error (err, 0, "open %s: %s", path, why);
    }
  return ferry_policy_parse (path, text, len, out, err);
}

void
ferry_policy_free (ferry_policy_t *p)
{
  if (p == NULL)
    return;
  free (p->path);
  json_object_put (p->root);
  free (p);
}

/* ---- scopes ------------------------------------------------------------------------- */

static void
strv_add (char ***v, size_t *n, char *s)
{
  *v = xrealloc (*v, sizeof (char *) * (*n + 2));
  (*v)[(*n)++] = s;
  (*v)[*n] = NULL;
}

/* containers/image's policyConfigurationNamespaces for the docker
 * transport: the repository, its parents up to the host, then "*.d"
 * for each domain suffix of the host (without its port).  */
static char **
docker_namespaces (const struct ferry_reference *ref)
{
  cleanup_free char *name = ferry_reference_name (ref);
  char **v = NULL, *slash, *colon, *dot;
  size_t n = 0;

  for (;;)
    {
      strv_add (&v, &n, xstrdup (name));
      slash = strrchr (name, '/');
      if (slash == NULL)
        break;
      *slash = '\0';
    }
  colon = strchr (name, ':');
  if (colon)
    *colon = '\0';
  for (dot = strchr (name, '.'); dot; dot = strchr (dot + 1, '.'))
    strv_add (&v, &n, xasprintf ("*.%s", dot + 1));
  return v;
}

static char **
path_namespaces (const char *path)
{
  cleanup_free char *p = xstrdup (path);
  char **v = NULL, *slash;
  size_t n = 0;

  while (strcmp (p, "/") != 0 && *p)
    {
      strv_add (&v, &n, xstrdup (p));
      slash = strrchr (p, '/');
      if (slash == NULL)
        break;
      *slash = '\0';
    }
  return v;
}

json_object *
ferry_policy_requirements (ferry_policy_t *p, const struct ferry_policy_image *img)
{
  json_object *transports, *scopes, *reqs;
  cleanup_free char *identity = NULL;
  cleanup_strv char **namespaces = NULL;
  size_t i;

  if (json_object_object_get_ex (p->root, "transports", &transports) && transports
      && json_object_object_get_ex (transports, img->transport, &scopes) && scopes)
    {
      if (strcmp (img->transport, "docker") == 0 && img->ref)
        {
          identity = ferry_reference_string (img->ref);
          namespaces = docker_namespaces (img->ref);
        }
      else if (strcmp (img->transport, "oci-archive") == 0 && img->path)
        {
          identity = xstrdup (img->path);
          namespaces = path_namespaces (img->path);
        }
      if (identity && *identity && json_object_object_get_ex (scopes, identity, &reqs))
        return reqs;
      for (i = 0; namespaces && namespaces[i]; i++)
        if (json_object_object_get_ex (scopes, namespaces[i], &reqs))
          return reqs;
      if (json_object_object_get_ex (scopes, "", &reqs))
        return reqs;
    }
  json_object_object_get_ex (p->root, "default", &reqs);
  return reqs;
}

/* ---- evaluation --------------------------------------------------------------------- */

struct check
{
  const struct ferry_policy_image *img;
  int have_signatures;
  struct ferry_signature *sigs;
  size_t n_sigs;
};

static int
load_signatures (struct check *c, ferry_error_t *err)
{
  cleanup_free char *url = NULL;

  if (c->have_signatures)
    return 0;
  c->have_signatures = 1;
  /* Only the docker transport has a lookaside store; an archive has no
   * signatures ferry reads.  */
  if (strcmp (c->img->transport, "docker") != 0 || c->img->ref == NULL || c->img->manifest_digest == NULL)
    return 0;
  if (ferry_lookaside_url (c->img->registries_d, c->img->ref, 0, &url, err) < 0)
    return -1;
  if (url == NULL)
    return 0;
  return ferry_signatures_read (url, c->img->ref, c->img->manifest_digest, &c->sigs, &c->n_sigs, err);
}

static char *
decode_base64 (const char *text, size_t *len)
{
  size_t n = strlen (text), pad = 0;
  unsigned char *out = xmalloc (n / 4 * 3 + 4);
  int got;

  if (n % 4 != 0)
    return NULL;
  got = EVP_DecodeBlock (out, (const unsigned char *) text, (int) n);
  if (got < 0)
    {
      free (out);
      return NULL;
    }
  while (pad < 2 && n > pad && text[n - 1 - pad] == '=')
    pad++;
  *len = (size_t) got - pad;
  return (char *) out;
}

static int
check_one_signature (struct check *c, json_object *req, const struct ferry_signature *sig, ferry_error_t *err)
{
  const char *paths_one[2] = { ferry_json_get_string (req, "keyPath"), NULL };
  cleanup_free const char **paths = NULL;
  cleanup_free char *data = NULL, *payload = NULL;
  struct ferry_signature_keys keys = { 0 };
  json_object *list, *identity = NULL;
  size_t payload_len = 0;

  if (paths_one[0])
    {
      keys.paths = paths_one;
      keys.n_paths = 1;
    }
  else if (json_object_object_get_ex (req, "keyPaths", &list))
    {
      size_t i, n = json_object_array_length (list);
      paths = xmalloc0 (sizeof (char *) * (n + 1));
      for (i = 0; i < n; i++)
        paths[i] = json_object_get_string (json_object_array_get_idx (list, i));
      keys.paths = paths;
      keys.n_paths = n;
    }
  else
    {
      data = decode_base64 (ferry_json_get_string (req, "keyData"), &keys.data_len);
      if (data == NULL)
        return ferry_make_error (err, 0, "invalid policy in \"%s\": keyData is not valid base64",
                                 "the policy");
      keys.data = data;
    }
  json_object_object_get_ex (req, "signedIdentity", &identity);
  if (ferry_signature_verify (&keys, sig, &payload, &payload_len, err) < 0)
    return -1;
  return ferry_signature_check_payload (payload, payload_len, c->img->manifest_digest, c->img->ref, identity,
                                        err);
}

static int
check_signed_by (struct check *c, json_object *req, ferry_error_t *err)
{
  cleanup_free char *reasons = NULL;
  size_t i, rejected = 0;

  if (load_signatures (c, err) < 0)
    return -1;
  for (i = 0; i < c->n_sigs; i++)
    {
      cleanup_error ferry_error_t why = NULL;

      if (check_one_signature (c, req, &c->sigs[i], &why) == 0)
        return 0;
      /* A signature that is not even a signature stops the pull, as in
       * containers/image.  */
      if (why->kind == FERRY_ERROR_GENERIC && strncmp (why->msg, "parsing signature", 17) == 0)
        {
          *err = steal_pointer (&why);
          return -1;
        }
      if (reasons == NULL)
        reasons = xstrdup (why->msg);
      else
        {
          char *joined = xasprintf ("%s; %s", reasons, why->msg);
          free (reasons);
          reasons = joined;
        }
      rejected++;
    }
  if (rejected == 0)
    return ferry_make_error (err, 0, "A signature was required, but no signature exists");
  if (rejected == 1)
    return ferry_make_error (err, 0, "%s", reasons);
  return ferry_make_error (err, 0, "None of the signatures were accepted, reasons: %s", reasons);
}

int
ferry_policy_check (ferry_policy_t *p, const struct ferry_policy_image *img, ferry_error_t *err)
{
  json_object *reqs = ferry_policy_requirements (p, img);
  struct check c = { .img = img };
  size_t i;
  int ret = 0;

  for (i = 0; ret == 0 && i < json_object_array_length (reqs); i++)
    {
      json_object *req = json_object_array_get_idx (reqs, i);
      const char *type = ferry_json_get_string (req, "type");

      if (strcmp (type, "insecureAcceptAnything") == 0)
        continue;
      if (strcmp (type, "reject") == 0)
        ret = ferry_make_error (err, 0, "Running image %s is rejected by policy.", img->shown);
      else if (strcmp (type, "signedBy") == 0)
        ret = check_signed_by (&c, req, err);
      else
        ret = ferry_make_error (err, 0,
                                "%s requires a sigstore signature (sigstoreSigned in %s), which ferry cannot "
                                "verify: the image is refused",
                                img->shown, p->path ? p->path : "the policy");
    }
  ferry_signatures_free (c.sigs, c.n_sigs);
  if (ret < 0)
    return ferry_error_wrap (err, "Source image rejected");
  return 0;
}

int
ferry_policy_check_path (const char *path, const struct ferry_policy_image *img, ferry_error_t *err)
{
  ferry_policy_t *p = NULL;
  int ret;

  if (ferry_policy_load (path, &p, err) < 0)
    return -1;
  ret = ferry_policy_check (p, img, err);
  ferry_policy_free (p);
  return ret;
}
