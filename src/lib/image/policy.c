#include "policy.h"
#include "signature.h"
#include "sigstore.h"
#include "../util/base64.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* D as Go's fmt prints a float64 with %v: the shortest digits that read
 * back as D, in %e form when its exponent is below -4 or 6 and above.  */
static char *
go_float_text (double d)
{
  char buf[64];
  int digits, exp;

  for (digits = 1; digits < 17; digits++)
    {
      snprintf (buf, sizeof (buf), "%.*e", digits - 1, d);
      if (strtod (buf, NULL) == d)
        break;
    }
  snprintf (buf, sizeof (buf), "%.*e", digits - 1, d);
  exp = atoi (strchr (buf, 'e') + 1);
  if (exp < -4 || exp >= 6)
    return xstrdup (buf);
  snprintf (buf, sizeof (buf), "%.*f", digits - 1 - exp > 0 ? digits - 1 - exp : 0, d);
  return xstrdup (buf);
}

/* The first JSON token of V as containers/image's message shows it (Go's
 * %#v of a json.Token): <nil> for null, 91 for the '[' of a list.  */
static char *
go_token_text (json_object *v)
{
  switch (json_object_get_type (v))
    {
    case json_type_null:
      return xstrdup ("<nil>");
    case json_type_array:
      return xstrdup ("91");
    case json_type_boolean:
      return xstrdup (json_object_get_boolean (v) ? "true" : "false");
    case json_type_int:
    case json_type_double:
      return go_float_text (json_object_get_double (v));
    default:
      return xstrdup (json_object_to_json_string_ext (v, JSON_C_TO_STRING_NOSLASHESCAPE));
    }
}

static int
expect_object (json_object *v, ferry_error_t *err)
{
  cleanup_free char *got = NULL;

  if (json_object_is_type (v, json_type_object))
    return 0;
  got = go_token_text (v);
  return ferry_make_error (err, 0, "JSON object expected, got %s", got);
}

int
ferry_policy_only_keys (json_object *obj, const char *const *known, ferry_error_t *err)
{
  json_object_object_foreach (obj, key, val)
  {
    size_t i;
    (void) val;
    for (i = 0; known[i]; i++)
      if (strcmp (key, known[i]) == 0)
        break;
    if (known[i] == NULL)
      {
        /* The document's own key: escaped, so that it is one line.  */
        cleanup_free char *shown = ferry_error_quotable (key, 256);
        return ferry_make_error (err, 0, "Unknown key \"%s\"", shown);
      }
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
                           ferry_json_go_kind (v), go_field, go_type);
}

static int
has (json_object *obj, const char *key)
{
  json_object *v;
  return json_object_object_get_ex (obj, key, &v);
}

/* Present and not null (Go leaves a member that is null unset).  */
static int
set (json_object *obj, const char *key)
{
  json_object *v;
  return json_object_object_get_ex (obj, key, &v) && v != NULL;
}

static int
is_name_only (const char *s)
{
  const char *slash = strrchr (s, '/');
  return strchr (s, '@') == NULL && strchr (slash ? slash : s, ':') == NULL;
}

/* ID's member KEY, a string that must parse as an image reference, into
 * *OUT.  */
static int
reference_member (json_object *id, const char *key, const char **out, ferry_error_t *err)
{
  struct ferry_reference parsed = { 0 };
  const char *r;

  if (expect_string (id, key, key, "string", err) < 0)
    return -1;
  r = ferry_json_get_string (id, key);
  if (r == NULL || ferry_reference_parse (r, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &parsed, err) < 0)
    {
      ferry_error_release (err);
      return ferry_make_error (err, 0, "Invalid %s \"%s\"", key, r ? r : "");
    }
  ferry_reference_free (&parsed);
  *out = r;
  return 0;
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
    return ferry_policy_only_keys (id, just_type, err);
  if (strcmp (type, "exactReference") == 0)
    {
      const char *r;

      if (ferry_policy_only_keys (id, exact_ref, err) < 0
          || reference_member (id, "dockerReference", &r, err) < 0)
        return -1;
      if (is_name_only (r))
        return ferry_make_error (err, 0, "dockerReference \"%s\" contains neither a tag nor digest", r);
      return 0;
    }
  if (strcmp (type, "exactRepository") == 0)
    {
      const char *r;

      if (ferry_policy_only_keys (id, exact_repo, err) < 0)
        return -1;
      return reference_member (id, "dockerRepository", &r, err);
    }
  if (strcmp (type, "remapIdentity") == 0)
    {
      if (ferry_policy_only_keys (id, remap, err) < 0
          || expect_string (id, "prefix", "prefix", "string", err) < 0
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

  if (ferry_policy_only_keys (r, known, err) < 0)
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
                                 ferry_json_go_kind (v));
      for (i = 0; i < json_object_array_length (v); i++)
        if (ferry_json_string_value (json_object_array_get_idx (v, i)) == NULL)
          return ferry_make_error (err, 0,
                                   "json: cannot unmarshal %s into Go struct field prSignedBy.keyPaths "
                                   "of type string",
                                   ferry_json_go_kind (json_object_array_get_idx (v, i)));
    }
  if (json_object_object_get_ex (r, "signedIdentity", &v) && validate_identity (v, err) < 0)
    return -1;
  return 0;
}

static int
check_base64 (const char *text, ferry_error_t *err)
{
  size_t len = 0, bad = 0;
  unsigned char *data = ferry_base64_decode (FERRY_BASE64_STD, 0, text, strlen (text), &len, &bad);

  if (data == NULL)
    return ferry_make_error (err, 0, "illegal base64 data at input byte %zu", bad);
  free (data);
  return 0;
}

/* Go's decoding error for a value V that is not of GO_TYPE: of the
 * struct field GO_FIELD, or (NULL) of a value read on its own.  */
static int
unmarshal_error (json_object *v, const char *go_field, const char *go_type, ferry_error_t *err)
{
  if (go_field)
    return ferry_make_error (err, 0, "json: cannot unmarshal %s into Go struct field %s of type %s",
                             ferry_json_go_kind (v), go_field, go_type);
  return ferry_make_error (err, 0, "json: cannot unmarshal %s into Go value of type %s",
                           ferry_json_go_kind (v), go_type);
}

/* R's member KEY, when present and not null, is a string.  */
static int
plain_string (json_object *r, const char *key, const char *go_type, ferry_error_t *err)
{
  json_object *v;

  if (! json_object_object_get_ex (r, key, &v) || v == NULL || json_object_is_type (v, json_type_string))
    return 0;
  return unmarshal_error (v, NULL, go_type, err);
}

/* R's member KEY, when present, is an array of strings.  */
static int
string_list (json_object *r, const char *key, const char *go_field, ferry_error_t *err)
{
  json_object *v;
  size_t i;

  if (! json_object_object_get_ex (r, key, &v) || v == NULL)
    return 0;
  if (! json_object_is_type (v, json_type_array))
    return unmarshal_error (v, go_field, "[]string", err);
  for (i = 0; i < json_object_array_length (v); i++)
    if (ferry_json_string_value (json_object_array_get_idx (v, i)) == NULL)
      return unmarshal_error (json_object_array_get_idx (v, i), go_field, "string", err);
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
  const char *key_path;
  int n;

  if (ferry_policy_only_keys (r, known, err) < 0)
    return -1;
  /* sigstoreSigned is read member by member (Go's words name no struct
   * field), and an empty keyPath counts as none.  */
  if (plain_string (r, "keyPath", "string", err) < 0 || plain_string (r, "keyData", "[]uint8", err) < 0
      || string_list (r, "keyPaths", NULL, err) < 0 || string_list (r, "keyDatas", NULL, err) < 0)
    return -1;
  if (json_object_object_get_ex (r, "keyPaths", &v) && (v == NULL || json_object_array_length (v) == 0))
    return ferry_make_error (err, 0, "\"keyPaths\" contains no entries");
  if (json_object_object_get_ex (r, "keyDatas", &v) && (v == NULL || json_object_array_length (v) == 0))
    return ferry_make_error (err, 0, "\"keyDatas\" contains no entries");
  /* Go decodes []byte members from base64 as it reads the file.  */
  if (ferry_json_get_string (r, "keyData") && check_base64 (ferry_json_get_string (r, "keyData"), err) < 0)
    return -1;
  if (json_object_object_get_ex (r, "keyDatas", &v) && v)
    {
      size_t i;
      for (i = 0; i < json_object_array_length (v); i++)
        if (check_base64 (json_object_get_string (json_object_array_get_idx (v, i)), err) < 0)
          return -1;
    }
  key_path = ferry_json_get_string (r, "keyPath");
  /* Go takes a null list as an empty one, and a null keyData as none.  */
  n = (key_path && *key_path) + has (r, "keyPaths") + set (r, "keyData") + has (r, "keyDatas")
      + has (r, "fulcio") + has (r, "pki");
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
                             ferry_json_go_kind (r));
  if (expect_string (r, "type", "prCommon.type", "signature.prTypeIdentifier", err) < 0)
    return -1;
  type = ferry_json_get_string (r, "type");
  if (type == NULL)
    type = "";
  if (strcmp (type, "insecureAcceptAnything") == 0 || strcmp (type, "reject") == 0)
    return ferry_policy_only_keys (r, just_type, err);
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
                             ferry_json_go_kind (list));
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

  if (expect_object (root, err) < 0 || ferry_policy_only_keys (root, known, err) < 0)
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

/* ---- duplicate keys ----------------------------------------------------------------- */

/* json-c keeps the last of two equal keys; containers/image refuses the
 * file ("Duplicate key"), and so must ferry: {"default": [reject],
 * "default": [accept]} must not pass for an accepting policy.  TEXT has
 * been parsed already, so its syntax is known to be good.  */

struct key_frame
{
  int is_object;
  int want_key;
  json_object *keys; /* the keys seen, as a set: found in constant time */
};

/* Decodes the JSON string at *P (its opening quote) and moves past it.  */
static char *
json_string_at (const char **p, const char *end)
{
  const char *s = *p + 1;
  char *out = xmalloc (2 * (size_t) (end - s) + 1), *o = out;

  while (s < end && *s != '"')
    {
      if (*s != '\\' || s + 1 >= end)
        {
          *o++ = *s++;
          continue;
        }
      s++;
      switch (*s)
        {
        case 'b':
          *o++ = '\b';
          break;
        case 'f':
          *o++ = '\f';
          break;
        case 'n':
          *o++ = '\n';
          break;
        case 'r':
          *o++ = '\r';
          break;
        case 't':
          *o++ = '\t';
          break;
        case 'u':
          if (end - s >= 5)
            {
              char hex[5] = { s[1], s[2], s[3], s[4], 0 };
              unsigned long c = strtoul (hex, NULL, 16);
              if (c < 0x80)
                *o++ = (char) c;
              else if (c < 0x800)
                {
                  *o++ = (char) (0xc0 | (c >> 6));
                  *o++ = (char) (0x80 | (c & 0x3f));
                }
              else
                {
                  *o++ = (char) (0xe0 | (c >> 12));
                  *o++ = (char) (0x80 | ((c >> 6) & 0x3f));
                  *o++ = (char) (0x80 | (c & 0x3f));
                }
              s += 4;
            }
          break;
        default:
          *o++ = *s;
        }
      s++;
    }
  *o = '\0';
  *p = s < end ? s + 1 : end;
  return out;
}

static void
frames_pop (struct key_frame *f)
{
  json_object_put (f->keys);
  memset (f, 0, sizeof (*f));
}

static int
check_duplicate_keys (const char *text, size_t len, ferry_error_t *err)
{
  struct key_frame stack[64];
  const char *p = text, *end = text + len;
  int depth = -1, ret = 0;

  while (p < end && ret == 0)
    {
      switch (*p)
        {
        case '{':
        case '[':
          if (depth + 1 >= (int) (sizeof (stack) / sizeof (stack[0])))
            {
              ret = ferry_make_error (err, 0, "JSON nests too deeply");
              break;
            }
          depth++;
          memset (&stack[depth], 0, sizeof (stack[depth]));
          stack[depth].is_object = *p == '{';
          stack[depth].want_key = *p == '{';
          p++;
          break;
        case '}':
        case ']':
          if (depth >= 0)
            frames_pop (&stack[depth--]);
          p++;
          break;
        case ',':
          if (depth >= 0 && stack[depth].is_object)
            stack[depth].want_key = 1;
          p++;
          break;
        case '"':
          {
            cleanup_free char *str = json_string_at (&p, end);
            struct key_frame *f = depth >= 0 ? &stack[depth] : NULL;

            if (f == NULL || ! f->is_object || ! f->want_key)
              break;
            f->want_key = 0;
            if (f->keys == NULL)
              f->keys = json_object_new_object ();
            if (json_object_object_get_ex (f->keys, str, NULL))
              {
                cleanup_free char *shown = ferry_error_quotable (str, 256);
                ret = ferry_make_error (err, 0, "Duplicate key \"%s\"", shown);
                break;
              }
            json_object_object_add (f->keys, str, NULL);
          }
          break;
        default:
          p++;
        }
    }
  while (depth >= 0)
    frames_pop (&stack[depth--]);
  return ret;
}

int
ferry_policy_json_duplicate_keys (const char *text, size_t len, ferry_error_t *err)
{
  return check_duplicate_keys (text, len, err);
}

/* TEXT as JSON, with Go's words for the commonest failures.  */
static json_object *
parse_json_text (const char *text, size_t len, ferry_error_t *err)
{
  json_tokener *tok = json_tokener_new ();
  json_object *root = json_tokener_parse_ex (tok, text, (int) len);
  enum json_tokener_error e = json_tokener_get_error (tok);
  size_t end = (size_t) json_tokener_get_parse_end (tok);

  json_tokener_free (tok);
  /* A bare null, or a number (which json-c cannot end at the very end
   * of the text): Go reads them, and every policy document is an
   * object.  */
  switch (root == NULL ? ferry_json_bare_scalar (text, len) : 0)
    {
    case 'n':
      ferry_make_error (err, 0, "JSON object expected, got <nil>");
      return NULL;
    case 't':
    case 'f':
      ferry_make_error (err, 0, "JSON object expected, got %s",
                        ferry_json_bare_scalar (text, len) == 't' ? "true" : "false");
      return NULL;
    case '0':
      {
        cleanup_free char *copy = xstrndup (text, len), *got = go_float_text (strtod (copy, NULL));

        ferry_make_error (err, 0, "JSON object expected, got %s", got);
        return NULL;
      }
    }
  if (root)
    {
      while (end < len && strchr (" \t\r\n", text[end]))
        end++;
      if (end == len)
        return root;
      json_object_put (root);
      ferry_make_error (err, 0, "invalid character '%c' after top-level value", text[end]);
      return NULL;
    }
  if (e == json_tokener_continue || e == json_tokener_success)
    ferry_make_error (err, 0, "unexpected end of JSON input");
  else
    ferry_make_error (err, 0, "%s", json_tokener_error_desc (e));
  return NULL;
}

/* ERR, about a policy file: the refusals quote the file's own strings
 * (scopes, types, references), which may hold a newline; escaped, the
 * message stays one line.  */
static int
invalid_policy (const char *path, ferry_error_t *err)
{
  ferry_error_one_line (err);
  return ferry_error_wrap (err, "invalid policy in \"%s\"", path);
}

int
ferry_policy_parse (const char *path, const char *text, size_t len, ferry_policy_t **out, ferry_error_t *err)
{
  cleanup_json json_object *root = NULL;
  ferry_policy_t *p;

  root = parse_json_text (text, len, err);
  if (root == NULL)
    return invalid_policy (path, err);
  if (check_duplicate_keys (text, len, err) < 0 || validate_policy (root, err) < 0)
    return invalid_policy (path, err);
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
  if (ferry_read_file_max (path, FERRY_POLICY_MAX_FILE, &text, &len, err) < 0)
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
      ferry_strv_push (&v, &n, xstrdup (name));
      slash = strrchr (name, '/');
      if (slash == NULL)
        break;
      *slash = '\0';
    }
  colon = strchr (name, ':');
  if (colon)
    *colon = '\0';
  for (dot = strchr (name, '.'); dot; dot = strchr (dot + 1, '.'))
    ferry_strv_push (&v, &n, xasprintf ("*.%s", dot + 1));
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
      ferry_strv_push (&v, &n, xstrdup (p));
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
  const char *policy_path;
  int have_signatures;
  struct ferry_signature *sigs; /* simple signing */
  size_t n_sigs;
  struct ferry_sigstore_signature *sigstore;
  size_t n_sigstore;
};

/* The lookaside's blobs that are sigstore signatures move to
 * C->sigstore; the rest stay simple signing ones.  */
static int
sort_lookaside (struct check *c, ferry_error_t *err)
{
  size_t i, kept = 0;

  for (i = 0; i < c->n_sigs; i++)
    {
      struct ferry_sigstore_signature s;
      int r = ferry_sigstore_from_blob (c->sigs[i].data, c->sigs[i].len, c->sigs[i].where, &s, err);

      if (r < 0)
        return -1;
      if (r == 0)
        {
          c->sigs[kept++] = c->sigs[i];
          continue;
        }
      c->sigstore = xrealloc (c->sigstore, sizeof (*c->sigstore) * (c->n_sigstore + 1));
      c->sigstore[c->n_sigstore++] = s;
      free (c->sigs[i].data);
      free (c->sigs[i].where);
    }
  c->n_sigs = kept;
  return 0;
}

/* As containers/image reads an image's signatures: the lookaside's, then
 * the registry's sigstore attachment where registries.d asks for it.  */
static int
load_signatures (struct check *c, ferry_error_t *err)
{
  cleanup_free char *url = NULL;
  int attachments = 0;

  if (c->have_signatures)
    return 0;
  c->have_signatures = 1;
  /* Only the docker transport has a lookaside store; an archive has no
   * signatures ferry reads.  */
  if (strcmp (c->img->transport, "docker") != 0 || c->img->ref == NULL || c->img->manifest_digest == NULL)
    return 0;
  if (ferry_lookaside_url (c->img->registries_d, c->img->ref, 0, &url, err) < 0)
    return -1;
  if (url
      && (ferry_signatures_read (url, c->img->ref, c->img->manifest_digest, c->img->registry, &c->sigs,
                                 &c->n_sigs, err)
              < 0
          || sort_lookaside (c, err) < 0))
    return -1;
  if (ferry_registries_d_sigstore_attachments (c->img->registries_d, c->img->ref, &attachments, err) < 0)
    return -1;
  if (attachments
      && ferry_sigstore_attachments_read (c->img->registry, c->img->ref, c->img->manifest_digest,
                                          &c->sigstore, &c->n_sigstore, err)
             < 0)
    return -1;
  return 0;
}

/* keyData as containers/image reads it: Go's StdEncoding, which skips CR
 * and LF (check_base64 took it when the policy was read).  */
static char *
decode_base64 (const char *text, size_t *len)
{
  return (char *) ferry_base64_decode (FERRY_BASE64_STD, 0, text, strlen (text), len, NULL);
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

static void
add_reason (char **reasons, const char *why)
{
  char *joined = *reasons ? xasprintf ("%s; %s", *reasons, why) : xstrdup (why);
  free (*reasons);
  *reasons = joined;
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
      add_reason (&reasons, why->msg);
      rejected++;
    }
  /* signedBy does not see sigstore signatures at all (containers/image
   * gives it the simple signing ones only).  */
  if (rejected == 0)
    return ferry_make_error (err, 0, "A signature was required, but no signature exists");
  if (rejected == 1)
    return ferry_make_error (err, 0, "%s", reasons);
  return ferry_make_error (err, 0, "None of the signatures were accepted, reasons: %s", reasons);
}

/* What of a sigstoreSigned requirement ferry cannot check: NULL, or its
 * name for the refusal.  */
static const char *
sigstore_unverifiable (json_object *req)
{
  if (has (req, "fulcio"))
    return "a Fulcio certificate (fulcio)";
  if (has (req, "pki"))
    return "a PKI certificate (pki)";
  if (has (req, "rekorPublicKeyPath") || has (req, "rekorPublicKeyPaths") || has (req, "rekorPublicKeyData")
      || has (req, "rekorPublicKeyDatas"))
    return "a Rekor log entry (rekorPublicKey*)";
  return NULL;
}

static int
check_sigstore_signed (struct check *c, json_object *req, ferry_error_t *err)
{
  cleanup_free char *reasons = NULL;
  EVP_PKEY **keys = NULL;
  size_t n_keys = 0, i, rejected = 0, non_attachments = 0;
  json_object *identity = NULL;
  const char *unverifiable = sigstore_unverifiable (req);
  cleanup_error ferry_error_t key_err = NULL;
  int keys_loaded = 0;

  if (unverifiable)
    return ferry_make_error (
        err, 0,
        "%s requires a sigstore signature checked against %s (sigstoreSigned in %s), which "
        "ferry cannot verify: the image is refused",
        c->img->shown, unverifiable, c->policy_path ? c->policy_path : "the policy");
  if (load_signatures (c, err) < 0)
    return -1;
  json_object_object_get_ex (req, "signedIdentity", &identity);
  for (i = 0; i < c->n_sigstore; i++)
    {
      cleanup_error ferry_error_t why = NULL;
      const struct ferry_sigstore_signature *s = &c->sigstore[i];

      if (strcmp (s->mime_type, FERRY_SIGSTORE_SIGNATURE_TYPE) != 0)
        {
          non_attachments++;
          continue;
        }
      /* containers/image reads the keys for each signature: with none,
       * a key that cannot be read is no reason.  */
      if (! keys_loaded)
        {
          keys_loaded = 1;
          ferry_sigstore_keys_load (req, &keys, &n_keys, &key_err);
        }
      if (key_err)
        add_reason (&reasons, key_err->msg);
      else if (ferry_sigstore_verify (keys, n_keys, s, c->img->manifest_digest, c->img->ref, identity, &why)
               == 0)
        {
          ferry_sigstore_keys_free (keys, n_keys);
          return 0;
        }
      else
        add_reason (&reasons, why->msg);
      rejected++;
    }
  ferry_sigstore_keys_free (keys, n_keys);
  if (rejected == 0 && c->n_sigs == 0 && non_attachments == 0)
    return ferry_make_error (err, 0, "A signature was required, but no signature exists");
  if (rejected == 0)
    return ferry_make_error (
        err, 0,
        "A signature was required, but no signature exists (%zu non-sigstore signatures, %zu "
        "sigstore non-signature attachments)",
        c->n_sigs, non_attachments);
  if (rejected == 1)
    return ferry_make_error (err, 0, "%s", reasons);
  return ferry_make_error (err, 0, "None of the signatures were accepted, reasons: %s", reasons);
}

int
ferry_policy_check (ferry_policy_t *p, const struct ferry_policy_image *img, ferry_error_t *err)
{
  json_object *reqs = ferry_policy_requirements (p, img);
  struct check c = { .img = img, .policy_path = p->path };
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
        ret = check_sigstore_signed (&c, req, err);
    }
  ferry_signatures_free (c.sigs, c.n_sigs);
  ferry_sigstore_signatures_free (c.sigstore, c.n_sigstore);
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

/* ---- image trust show / set --------------------------------------------------------- */

static int
compare_keys (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* OBJ's keys sorted (Go marshals and Podman lists maps in that order).  */
static char **
sorted_keys (json_object *obj)
{
  char **keys = xmalloc0 (sizeof (char *) * ((size_t) json_object_object_length (obj) + 1));
  size_t n = 0;

  json_object_object_foreach (obj, k, v)
  {
    (void) v;
    keys[n++] = xstrdup (k);
  }
  qsort (keys, n, sizeof (char *), compare_keys);
  return keys;
}

/* Podman's words for a requirement type; NULL for one it does not know.  */
static const char *
type_description (const char *type)
{
  if (strcmp (type, "insecureAcceptAnything") == 0)
    return "accept";
  if (strcmp (type, "signedBy") == 0)
    return "signed";
  if (strcmp (type, "reject") == 0 || strcmp (type, "sigstoreSigned") == 0)
    return type;
  return NULL;
}

/* registries.d's read URL for a policy scope, as Podman's trust show
 * finds it: the scope, then its parents, then default-docker.  */
static const char *
store_for_scope (json_object *stores, const char *scope)
{
  cleanup_free char *s = xstrdup (scope);
  json_object *v;
  char *slash;

  for (;;)
    {
      if (*s && json_object_object_get_ex (stores, s, &v))
        return json_object_get_string (v);
      slash = strrchr (s, '/');
      if (slash == NULL)
        break;
      *slash = '\0';
    }
  if (json_object_object_get_ex (stores, "", &v))
    return json_object_get_string (v);
  return "";
}

static char *
key_ids (json_object *req)
{
  cleanup_strv char **ids = NULL;
  const char *path = ferry_json_get_string (req, "keyPath");
  json_object *paths;
  size_t i;

  if (path)
    ferry_gpg_key_ids (path, NULL, 0, &ids);
  else if (json_object_object_get_ex (req, "keyPaths", &paths)
           && json_object_is_type (paths, json_type_array))
    {
      for (i = 0; i < json_object_array_length (paths); i++)
        {
          cleanup_strv char **more = NULL;
          const char *p = ferry_json_string_value (json_object_array_get_idx (paths, i));
          if (p && ferry_gpg_key_ids (p, NULL, 0, &more) == 0)
            {
              size_t j;
              for (j = 0; more && more[j]; j++)
                {
                  size_t n = 0;
                  while (ids && ids[n])
                    n++;
                  ferry_strv_push (&ids, &n, steal_pointer (&more[j]));
                }
            }
        }
    }
  else if (ferry_json_get_string (req, "keyData"))
    {
      size_t len = 0;
      cleanup_free char *data = decode_base64 (ferry_json_get_string (req, "keyData"), &len);
      if (data)
        ferry_gpg_key_ids (NULL, data, len, &ids);
    }
  {
    size_t total = 0, n = 0;
    char *out, *p;
    for (i = 0; ids && ids[i]; i++, n++)
      total += strlen (ids[i]) + 2;
    out = p = xmalloc0 (total + 1);
    for (i = 0; i < n; i++)
      p += sprintf (p, "%s%s", i ? ", " : "", ids[i]);
    return out;
  }
}

static void
describe (json_object *rows, json_object *warnings, json_object *reqs, const char *transport,
          const char *name, const char *repo_name, const char *store)
{
  size_t i;

  if (! json_object_is_type (reqs, json_type_array))
    return;
  for (i = 0; i < json_object_array_length (reqs); i++)
    {
      json_object *req = json_object_array_get_idx (reqs, i), *row = json_object_new_object ();
      const char *type = ferry_json_get_string (req, "type");
      cleanup_free char *id = NULL;

      type = type ? type : "";
      json_object_object_add (row, "transport", json_object_new_string (transport));
      json_object_object_add (row, "name", json_object_new_string (name));
      json_object_object_add (row, "repo_name", json_object_new_string (repo_name));
      if (strcmp (type, "signedBy") == 0)
        {
          id = key_ids (req);
          if (*store)
            json_object_object_add (row, "sigstore", json_object_new_string (store));
        }
      else if (strcmp (type, "sigstoreSigned") == 0)
        id = xstrdup ("N/A");
      if (type_description (type) == NULL)
        {
          cleanup_free char *w = xasprintf ("Invalid trust type %s", type);
          json_object_array_add (warnings, json_object_new_string (w));
        }
      json_object_object_add (
          row, "type", json_object_new_string (type_description (type) ? type_description (type) : ""));
      if (id && *id)
        json_object_object_add (row, "gpg_id", json_object_new_string (id));
      json_object_array_add (rows, row);
    }
}

/* Podman's trust show reads the file leniently (Go's decoder into its own
 * structure): members it does not know are passed over and unknown types
 * shown empty, with a warning; only a file that is no JSON is an error.  */
int
ferry_policy_describe (const char *path, const char *registries_d, json_object **out, json_object **warnings,
                       ferry_error_t *err)
{
  ferry_policy_t *p = NULL;
  cleanup_json json_object *stores = NULL, *root = NULL;
  cleanup_free char *def_path = NULL, *text = NULL;
  json_object *rows, *def, *transports;
  size_t len = 0;

  if (path == NULL)
    {
      def_path = ferry_policy_default_path ();
      if (! ferry_path_exists (def_path))
        {
          if (ferry_policy_load (NULL, &p, err) < 0)
            return -1;
          root = json_object_get (p->root);
          ferry_policy_free (p);
        }
      path = def_path;
    }
  if (root == NULL)
    {
      if (ferry_read_file_max (path, FERRY_POLICY_MAX_FILE, &text, &len, err) < 0)
        {
          int e = (*err)->status;
          cleanup_free char *why = xstrdup (strerror (e ? e : EIO));
          ferry_error_release (err);
          why[0] = (char) tolower ((unsigned char) why[0]);
          return ferry_make_error (err, 0, "open %s: %s", path, why);
        }
      root = parse_json_text (text, len, err);
      if (root == NULL || ! json_object_is_type (root, json_type_object))
        {
          if (root)
            ferry_make_error (err, 0, "JSON object expected");
          return ferry_error_wrap (err,
                                   "could not show trust policies: could not read trust policies: could not "
                                   "parse trust policies from %s",
                                   path);
        }
    }
  if (ferry_lookaside_all (registries_d, &stores, err) < 0)
    return -1;
  rows = json_object_new_array ();
  *warnings = json_object_new_array ();
  if (json_object_object_get_ex (root, "default", &def))
    describe (rows, *warnings, def, "all", "* (default)", "default", "");
  if (json_object_object_get_ex (root, "transports", &transports)
      && json_object_is_type (transports, json_type_object))
    {
      cleanup_strv char **names = sorted_keys (transports);
      size_t i, j;
      for (i = 0; names[i]; i++)
        {
          json_object *scopes = json_object_object_get (transports, names[i]);
          cleanup_strv char **scope_names = NULL;
          const char *shown = strcmp (names[i], "docker") == 0 ? "repository" : names[i];
          if (! json_object_is_type (scopes, json_type_object))
            continue;
          scope_names = sorted_keys (scopes);
          for (j = 0; scope_names[j]; j++)
            describe (rows, *warnings, json_object_object_get (scopes, scope_names[j]), shown, scope_names[j],
                      scope_names[j],
                      strcmp (names[i], "docker") == 0 ? store_for_scope (stores, scope_names[j]) : "");
        }
    }
  *out = rows;
  return 0;
}

/* A requirement with its members in the order Podman writes them.  */
static json_object *
podman_ordered (json_object *req)
{
  static const char *const order[]
      = { "type", "keyType", "keyPath", "keyPaths", "keyData", "signedIdentity", NULL };
  json_object *out = json_object_new_object (), *v;
  size_t i;

  if (! json_object_is_type (req, json_type_object))
    return json_object_get (req);
  for (i = 0; order[i]; i++)
    if (json_object_object_get_ex (req, order[i], &v))
      json_object_object_add (out, order[i], json_object_get (v));
  {
    json_object_object_foreach (req, k, val)
    {
      if (! json_object_object_get_ex (out, k, &v))
        json_object_object_add (out, k, json_object_get (val));
    }
  }
  return out;
}

static json_object *
ordered_requirements (json_object *reqs)
{
  json_object *out = json_object_new_array ();
  size_t i;

  if (json_object_is_type (reqs, json_type_array))
    for (i = 0; i < json_object_array_length (reqs); i++)
      json_object_array_add (out, podman_ordered (json_object_array_get_idx (reqs, i)));
  return out;
}

/* ERR, from opening or writing the policy at PATH, in Go's words:
 * "open PATH: no such file or directory".  */
static int
policy_open_error (const char *path, ferry_error_t *err)
{
  int e = (*err)->status;
  cleanup_free char *why = xstrdup (strerror (e ? e : EIO));

  ferry_error_release (err);
  why[0] = (char) tolower ((unsigned char) why[0]);
  return ferry_make_error (err, 0, "open %s: %s", path, why);
}

int
ferry_policy_set (const char *path, const char *scope, const char *type, const char *const *keys,
                  size_t n_keys, ferry_error_t *err)
{
  cleanup_free char *def_path = NULL, *text = NULL, *new_text = NULL;
  cleanup_json json_object *root = NULL, *out = NULL, *reqs = NULL;
  json_object *def = NULL, *transports = NULL;
  const char *policy_type = strcmp (type, "accept") == 0 ? "insecureAcceptAnything" : type;
  struct stat st;
  size_t len = 0, i;

  if (path == NULL)
    path = def_path = ferry_policy_default_path ();
  /* As Podman: a policy file that is not there is started afresh (it
   * then needs its default first), one that is no JSON object is
   * refused whole.  */
  if (stat (path, &st) < 0 && errno == ENOENT)
    root = json_object_new_object ();
  else if (ferry_read_file_max (path, FERRY_POLICY_MAX_FILE, &text, &len, err) < 0)
    return policy_open_error (path, err);
  else
    {
      root = ferry_json_parse (text, len, "the policy", err);
      if (root == NULL || ! json_object_is_type (root, json_type_object))
        {
          ferry_error_release (err);
          return ferry_make_error (err, 0, "could not read trust policies");
        }
    }
  if (strcmp (scope, "default") != 0 && ! json_object_object_get_ex (root, "default", NULL))
    return ferry_make_error (err, 0, "default trust policy must be set");

  reqs = json_object_new_array ();
  if (strcmp (type, "signedBy") == 0 || strcmp (type, "sigstoreSigned") == 0)
    for (i = 0; i < n_keys; i++)
      {
        json_object *r = json_object_new_object ();
        json_object_object_add (r, "type", json_object_new_string (type));
        if (strcmp (type, "signedBy") == 0)
          json_object_object_add (r, "keyType", json_object_new_string ("GPGKeys"));
        json_object_object_add (r, "keyPath", json_object_new_string (keys[i]));
        json_object_array_add (reqs, r);
      }
  else
    {
      json_object *r = json_object_new_object ();
      json_object_object_add (r, "type", json_object_new_string (policy_type));
      json_object_array_add (reqs, r);
    }

  out = json_object_new_object ();
  json_object_object_get_ex (root, "default", &def);
  json_object_object_get_ex (root, "transports", &transports);
  if (strcmp (scope, "default") == 0)
    json_object_object_add (out, "default", json_object_get (reqs));
  else if (def)
    json_object_object_add (out, "default", ordered_requirements (def));
  {
    json_object *new_transports = json_object_new_object ();
    json_object *docker_in = NULL;
    cleanup_strv char **names = NULL;
    size_t t;

    if (transports && json_object_is_type (transports, json_type_object))
      names = sorted_keys (transports);
    if (strcmp (scope, "default") != 0)
      {
        size_t n = 0;
        int seen = 0;
        while (names && names[n])
          seen |= strcmp (names[n++], "docker") == 0;
        if (! seen)
          {
            ferry_strv_push (&names, &n, xstrdup ("docker"));
            qsort (names, n, sizeof (char *), compare_keys);
          }
      }
    for (t = 0; names && names[t]; t++)
      {
        json_object *scopes_in = json_object_object_get (transports, names[t]);
        json_object *scopes_out = json_object_new_object ();
        cleanup_strv char **scope_names = NULL;
        size_t j, n = 0;
        int is_docker = strcmp (names[t], "docker") == 0;

        if (is_docker)
          docker_in = scopes_in;
        if (scopes_in && json_object_is_type (scopes_in, json_type_object))
          scope_names = sorted_keys (scopes_in);
        if (is_docker && strcmp (scope, "default") != 0
            && ! (scopes_in && json_object_object_get_ex (scopes_in, scope, NULL)))
          {
            while (scope_names && scope_names[n])
              n++;
            ferry_strv_push (&scope_names, &n, xstrdup (scope));
            qsort (scope_names, n, sizeof (char *), compare_keys);
          }
        for (j = 0; scope_names && scope_names[j]; j++)
          {
            if (is_docker && strcmp (scope_names[j], scope) == 0)
              json_object_object_add (scopes_out, scope_names[j], json_object_get (reqs));
            else
              json_object_object_add (
                  scopes_out, scope_names[j],
                  ordered_requirements (json_object_object_get (scopes_in, scope_names[j])));
          }
        json_object_object_add (new_transports, names[t], scopes_out);
      }
    (void) docker_in;
    if (json_object_object_length (new_transports) > 0 || transports)
      json_object_object_add (out, "transports", new_transports);
    else
      json_object_put (new_transports);
  }
  new_text = ferry_json_to_indented (out, 4);
  if (stat (path, &st) < 0)
    st.st_mode = 0644;
  if (ferry_write_file_atomic (path, new_text, strlen (new_text), st.st_mode & 07777, err) < 0)
    return policy_open_error (path, err);
  return 0;
}
