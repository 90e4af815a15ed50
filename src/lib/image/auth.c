#include "auth.h"
#include "credential_helper.h"
#include "registries.h"
#include "registry.h"
#include "../util/base64.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

char *
ferry_auth_file_path (const char *authfile)
{
  const char *v;

  if (authfile && *authfile)
    return xstrdup (authfile);
  if ((v = getenv ("REGISTRY_AUTH_FILE")) && *v)
    return xstrdup (v);
  /* Podman's default --authfile (and its global --config DIR sets it).  */
  if ((v = getenv ("DOCKER_CONFIG")) && *v)
    return xasprintf ("%s/config.json", v);
  if ((v = getenv ("XDG_RUNTIME_DIR")) && *v)
    return xasprintf ("%s/containers/auth.json", v);
  return xasprintf ("/run/containers/%u/auth.json", (unsigned) getuid ());
}

int
ferry_credentials_parse (const char *creds, struct ferry_credentials *out, ferry_error_t *err)
{
  const char *colon = strchr (creds, ':');

  memset (out, 0, sizeof (*out));
  if (colon == NULL || colon == creds)
    return ferry_make_error (err, 0, "credentials must be given as USER:PASSWORD, got `%s`",
                             colon ? "" : "a user name alone");
  out->username = xstrndup (creds, colon - creds);
  out->password = xstrdup (colon + 1);
  return 0;
}

void
ferry_credentials_clear (struct ferry_credentials *c)
{
  free (c->username);
  if (c->password)
    {
      explicit_bzero (c->password, strlen (c->password));
      free (c->password);
    }
  if (c->identity_token)
    {
      explicit_bzero (c->identity_token, strlen (c->identity_token));
      free (c->identity_token);
    }
  memset (c, 0, sizeof (*c));
}

/* Docker Hub's spellings, as one.  */
static const char *
normal_registry (const char *host)
{
  if (strcmp (host, "docker.io") == 0 || strcmp (host, "registry-1.docker.io") == 0)
    return "index.docker.io";
  return host;
}

/* The registry an auth-file key names when no key is KEY or one of its
 * parents: a key with a scheme ("https://index.docker.io/v1/", as docker
 * login wrote them) names its host alone, and so does any key of a legacy
 * ~/.dockercfg.  A namespaced key without a scheme names no registry: its
 * credentials are for that namespace only.  */
static char *
key_registry (const char *key, int legacy)
{
  const char *p = key;

  if (strncmp (p, "https://", 8) == 0)
    p += 8;
  else if (strncmp (p, "http://", 7) == 0)
    p += 7;
  if (legacy || p != key)
    {
      cleanup_free char *host = xstrndup (p, strcspn (p, "/"));
      return xstrdup (normal_registry (host));
    }
  return xstrdup (normal_registry (p));
}

char *
ferry_auth_key_host (const char *key)
{
  return xstrndup (key, strcspn (key, "/"));
}

static void (*auth_warn) (const char *msg);

void
ferry_auth_set_warn (void (*warn) (const char *msg))
{
  auth_warn = warn;
}

static void
warnf (const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;

  if (auth_warn == NULL)
    return;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (msg)
    auth_warn (msg);
}

/* The member of OBJ that Go's encoding/json decodes into the field NAME
 * of a struct: keys match in any case, a null is no value, and the last
 * one wins.  NULL when there is none.  */
static json_object *
go_field (json_object *obj, const char *name)
{
  json_object *found = NULL;

  json_object_object_foreach (obj, key, v)
  {
    if (v != NULL && strcasecmp (key, name) == 0)
      found = v;
  }
  return found;
}

/* A value of the wrong type, in the words Podman prints for it: Go's
 * json error ("cannot unmarshal number into Go struct field
 * dockerAuthConfig.auths.auth of type string"), then which of the file's
 * fields it is.  */
static int
type_error (const char *path, json_object *v, const char *go_field_name, const char *go_type,
            const char *field, ferry_error_t *err)
{
  cleanup_free char *shown = ferry_registry_printable (field ? field : "");

  return ferry_make_error (err, 0,
                           "reading JSON file \"%s\": unmarshaling JSON at \"%s\": json: cannot unmarshal %s "
                           "into Go %s%s of type %s: fix or remove %s%s%s",
                           path, path, ferry_json_go_kind (v), go_field_name ? "struct field " : "value",
                           go_field_name ? go_field_name : "", go_type, field ? "`" : "the file",
                           field ? shown : "", field ? "`" : "");
}

/* An entry of an "auths" object (of the file itself, for a legacy
 * ~/.dockercfg), checked as Go decodes it into a dockerAuthConfig.  */
static int
check_entry (const char *path, int legacy, const char *key, json_object *entry, ferry_error_t *err)
{
  static const char *const fields[] = { "auth", "identitytoken" };
  cleanup_free char *where = xasprintf ("%s%s", legacy ? "" : "auths.", key);

  if (entry == NULL)
    return 0;
  if (! json_object_is_type (entry, json_type_object))
    return type_error (path, entry, legacy ? NULL : "dockerConfigFile.auths", "config.dockerAuthConfig",
                       where, err);
  json_object_object_foreach (entry, k, v)
  {
    for (size_t i = 0; i < sizeof (fields) / sizeof (fields[0]); i++)
      if (v != NULL && strcasecmp (k, fields[i]) == 0 && ! json_object_is_type (v, json_type_string))
        {
          cleanup_free char *go = xasprintf ("dockerAuthConfig.%s%s", legacy ? "" : "auths.", fields[i]);
          cleanup_free char *field = xasprintf ("%s.%s", where, k);

          return type_error (path, v, go, "string", field, err);
        }
  }
  return 0;
}

/* Every field containers/image reads, type-checked in the file's order
 * as Go decodes it: a file Podman cannot read is an error, whichever
 * registry its bad value is for.  */
static int
check_file (const char *path, int legacy, json_object *root, ferry_error_t *err)
{
  if (root == NULL)
    return 0;
  if (! json_object_is_type (root, json_type_object))
    return type_error (path, root, NULL,
                       legacy ? "map[string]config.dockerAuthConfig" : "config.dockerConfigFile", NULL, err);
  json_object_object_foreach (root, key, v)
  {
    if (legacy)
      {
        if (check_entry (path, 1, key, v, err) < 0)
          return -1;
        continue;
      }
    if (v == NULL)
      continue;
    if (strcasecmp (key, "auths") == 0)
      {
        if (! json_object_is_type (v, json_type_object))
          return type_error (path, v, "dockerConfigFile.auths", "map[string]config.dockerAuthConfig", key,
                             err);
        json_object_object_foreach (v, k, entry)
        {
          if (check_entry (path, 0, k, entry, err) < 0)
            return -1;
        }
      }
    else if (strcasecmp (key, "credHelpers") == 0)
      {
        if (! json_object_is_type (v, json_type_object))
          return type_error (path, v, "dockerConfigFile.credHelpers", "map[string]string", key, err);
        json_object_object_foreach (v, k, helper)
        {
          if (helper != NULL && ! json_object_is_type (helper, json_type_string))
            {
              cleanup_free char *field = xasprintf ("%s.%s", key, k);
              return type_error (path, helper, "dockerConfigFile.credHelpers", "string", field, err);
            }
        }
      }
  }
  return 0;
}

/* The auth file at PATH, parsed and type-checked; *ROOT is NULL (and 0
 * returned) when it holds a JSON null, which Go reads as an empty file.
 * Errors start with Podman's words.  */
static int
read_auth_file (const char *path, int legacy, json_object **root, ferry_error_t *err)
{
  cleanup_free char *text = NULL;
  cleanup_close int fd = -1;
  json_tokener *tok;
  enum json_tokener_error jerr;
  struct stat st;
  size_t len;
  const char *op = "open";

  *root = NULL;
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && fstat (fd, &st) == 0 && S_ISDIR (st.st_mode))
    {
      errno = EISDIR;
      op = "read";
    }
  if (fd < 0 || op[0] == 'r' || ferry_read_file (path, &text, &len, err) < 0)
    {
      int e = errno;
      cleanup_free char *why = xstrdup (strerror (e));

      if (err && *err)
        ferry_error_release (err);
      why[0] = (char) tolower ((unsigned char) why[0]);
      return ferry_make_error (err, 0, "reading JSON file \"%s\": %s %s: %s%s", path, op, path, why,
                               e == EISDIR ? ": an auth file is a regular file" : "");
    }
  if (strspn (text, " \t\r\n") == len)
    return ferry_make_error (err, 0,
                             "reading JSON file \"%s\": unmarshaling JSON at \"%s\": unexpected end of JSON "
                             "input: fix or remove the file",
                             path, path);
  tok = json_tokener_new ();
  /* The whole text, its NUL included, so that a bare number ends.  */
  *root = strlen (text) == len ? json_tokener_parse_ex (tok, text, (int) len + 1) : NULL;
  jerr = strlen (text) == len ? json_tokener_get_error (tok) : json_tokener_error_parse_unexpected;
  if (jerr == json_tokener_success && (size_t) json_tokener_get_parse_end (tok) < len
      && strspn (text + json_tokener_get_parse_end (tok), " \t\r\n")
             != len - (size_t) json_tokener_get_parse_end (tok))
    jerr = json_tokener_error_parse_unexpected;
  json_tokener_free (tok);
  if (jerr != json_tokener_success)
    {
      json_object_put (*root);
      *root = NULL;
      return ferry_make_error (
          err, 0, "reading JSON file \"%s\": unmarshaling JSON at \"%s\": %s: fix or remove the file", path,
          path,
          jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof
              ? "unexpected end of JSON input"
              : json_tokener_error_desc (jerr));
    }
  if (check_file (path, legacy, *root, err) < 0)
    {
      json_object_put (*root);
      *root = NULL;
      return -1;
    }
  return 0;
}

/* The file for a login or logout: an object, new when the file is not
 * there.  A file Podman could not read is not replaced: it may be the
 * user's to mend.  */
static json_object *
read_or_new (const char *path, ferry_error_t *err)
{
  json_object *root = NULL;

  if (access (path, F_OK) < 0 && errno == ENOENT)
    return json_object_new_object ();
  if (read_auth_file (path, 0, &root, err) < 0)
    return NULL;
  return root ? root : json_object_new_object ();
}

/* The "auths" object of ROOT, NULL when it has none (ROOT is checked).  */
static json_object *
auths_of (json_object *root)
{
  return go_field (root, "auths");
}

/* The credentials of ENTRY, decoded as containers/image decodes them: 1
 * with OUT, or 0 when they are not usable (an empty entry, which Docker
 * leaves for registries its own credential helpers keep, or one without
 * a user name and password or an identity token), and then the next file
 * is read.  */
static int
entry_credentials (json_object *entry, const char *path, const char *key, struct ferry_credentials *out,
                   ferry_error_t *err)
{
  json_object *auth = entry ? go_field (entry, "auth") : NULL;
  json_object *identity = entry ? go_field (entry, "identitytoken") : NULL;
  /* KEY is the file's: shown escaped, as any text from it.  */
  cleanup_free char *shown = ferry_registry_printable (key);
  const unsigned char *b64 = (const unsigned char *) (auth ? json_object_get_string (auth) : "");
  size_t len = auth ? (size_t) json_object_get_string_len (auth) : 0, bad = 0, plen;
  cleanup_free unsigned char *buf = xmalloc (len + 4);
  ssize_t n = ferry_base64_decode_to (FERRY_BASE64_STD, 0, (const char *) b64, len, buf, &bad);
  const char *identity_token = identity ? json_object_get_string (identity) : "";
  char *colon, *password;
  int ret = 0;

  if (n < 0)
    return ferry_make_error (
        err, 0,
        "illegal base64 data at input byte %zu: the \"auth\" field of entry \"%s\" in auth "
        "file %s: fix or remove it",
        bad, shown, path);
  colon = memchr (buf, ':', (size_t) n);
  if (colon == NULL)
    {
      if (n > 0)
        warnf ("Error parsing the \"auth\" field of a credential entry \"%s\" in \"%s\", missing semicolon",
               shown, path);
      explicit_bzero (buf, (size_t) n);
      return 0;
    }
  /* The password without the NUL bytes around it, as containers/image
   * takes it.  */
  password = colon + 1;
  plen = (size_t) n - (size_t) (password - (char *) buf);
  while (plen > 0 && *password == '\0')
    password++, plen--;
  while (plen > 0 && password[plen - 1] == '\0')
    plen--;
  if (memchr (buf, '\0', (size_t) (colon - (char *) buf)) != NULL || memchr (password, '\0', plen) != NULL
      || (identity && strlen (identity_token) != (size_t) json_object_get_string_len (identity)))
    ret = ferry_make_error (err, 0,
                            "the entry \"%s\" in auth file %s holds a NUL byte, which ferry cannot send: fix "
                            "or remove it",
                            shown, path);
  else if ((colon != (char *) buf && plen > 0) || *identity_token)
    {
      out->username = xstrndup ((char *) buf, (size_t) (colon - (char *) buf));
      out->password = xstrndup (password, plen);
      out->identity_token = *identity_token ? xstrdup (identity_token) : NULL;
      ret = 1;
    }
  explicit_bzero (buf, (size_t) n);
  return ret;
}

/* The "credHelpers" entry of HOST in ROOT, when there is one: 1 with
 * the credentials that helper gives, 0 when it has none (or there is no
 * entry).  */
static int
file_cred_helper (json_object *root, const char *path, const char *host, struct ferry_credentials *out,
                  ferry_error_t *err)
{
  json_object *helpers = go_field (root, "credHelpers"), *name = NULL;
  const char *helper;

  if (helpers == NULL || ! json_object_object_get_ex (helpers, host, &name) || name == NULL)
    return 0;
  helper = ferry_json_string_value (name);
  if (helper == NULL || ! ferry_credential_helper_name_valid (helper))
    return ferry_make_error (
        err, 0,
        "auth file `%s`: field `credHelpers` names no valid credential helper for %s: fix "
        "or remove it",
        path, host);
  return ferry_credential_helper_get (helper, host, out, err);
}

static int
lookup_in (const char *path, int legacy, const char *key, struct ferry_credentials *out, ferry_error_t *err)
{
  cleanup_json json_object *root = NULL;
  cleanup_free char *host = ferry_auth_key_host (key);
  cleanup_free char *trying = NULL;
  json_object *auths, *entry;

  memset (out, 0, sizeof (*out));
  if (access (path, F_OK) < 0 && errno == ENOENT)
    return 0;
  if (read_auth_file (path, legacy, &root, err) < 0)
    return -1;
  if (root == NULL)
    return 0;
  if (! legacy)
    {
      /* Docker's config.json may send a registry to a helper of its own,
       * which then answers for it here, as containers/image asks it.  */
      int r = file_cred_helper (root, path, host, out, err);
      if (r != 0)
        return r;
    }
  /* ~/.dockercfg is the "auths" object itself.  */
  auths = legacy ? root : auths_of (root);
  if (auths == NULL)
    return 0;
  /* The most specific key first: REG/NS/REPO, REG/NS, REG; only the host
   * in a legacy file.  */
  trying = xstrdup (legacy ? host : key);
  for (;;)
    {
      char *slash;

      if (json_object_object_get_ex (auths, trying, &entry))
        return entry_credentials (entry, path, trying, out, err);
      slash = strrchr (trying, '/');
      if (slash == NULL)
        break;
      *slash = '\0';
    }
  /* Then the spellings docker login used: "https://HOST/v1/" and the like.  */
  json_object_object_foreach (auths, k, v)
  {
    cleanup_free char *r = key_registry (k, legacy);

    if (strcmp (r, normal_registry (host)) == 0)
      return entry_credentials (v, path, k, out, err);
  }
  return 0;
}

int
ferry_auth_lookup (const char *path, const char *key, struct ferry_credentials *out, ferry_error_t *err)
{
  return lookup_in (path, 0, key, out, err);
}

static int
write_auth_file (const char *path, json_object *root, ferry_error_t *err)
{
  cleanup_free char *dir = xstrdup (path);
  cleanup_free char *text = NULL;
  char *slash = strrchr (dir, '/');

  if (slash && slash != dir)
    {
      *slash = '\0';
      if (ferry_mkdir_p (dir, 0700, err) < 0)
        return -1;
    }
  /* As containers/image writes it: a tab a level.  */
  text = ferry_json_to_indented (root, -1);
  /* Never through a symlink into a file whose mode the user chose, as
   * Podman's: credentials go into a file of their own, 0600.  */
  return ferry_write_file_replace (path, text, strlen (text), 0600, err);
}

int
ferry_auth_store (const char *path, const char *registry, const struct ferry_credentials *creds, int *found,
                  ferry_error_t *err)
{
  cleanup_json json_object *root = read_or_new (path, err);
  json_object *auths;

  if (found)
    *found = 0;
  /* A file Podman cannot read is not replaced: it may be the user's to
   * mend.  */
  if (root == NULL)
    return -1;
  auths = auths_of (root);
  if (auths == NULL)
    {
      if (creds == NULL)
        return 0;
      auths = json_object_new_object ();
      json_object_object_add (root, "auths", auths);
    }
  /* Only KEY itself, as Podman: "reg/ns" and "https://reg" are other keys.  */
  if (json_object_object_get_ex (auths, registry, NULL))
    {
      json_object_object_del (auths, registry);
      if (found)
        *found = 1;
    }
  if (creds)
    {
      cleanup_free char *plain = xasprintf ("%s:%s", creds->username, creds->password);
      size_t len = strlen (plain);
      cleanup_free unsigned char *b64 = xmalloc (4 * ((len + 2) / 3) + 1);
      json_object *entry = json_object_new_object ();

      EVP_EncodeBlock (b64, (const unsigned char *) plain, (int) len);
      explicit_bzero (plain, len);
      json_object_object_add (entry, "auth", json_object_new_string ((char *) b64));
      json_object_object_add (auths, registry, entry);
    }
  else if (found && ! *found)
    return 0;
  return write_auth_file (path, root, err);
}

/* The credential helper NAME, the value of REGISTRY in the "credHelpers"
 * of the auth file at PATH; NULL with *ERR when it names none ferry may
 * run.  */
static const char *
file_helper (json_object *name, const char *path, const char *registry, ferry_error_t *err)
{
  const char *helper = ferry_json_string_value (name);

  if (helper == NULL || ! ferry_credential_helper_name_valid (helper))
    {
      ferry_make_error (err, 0,
                        "auth file `%s`: field `credHelpers` names no valid credential helper for %s: fix or "
                        "remove it",
                        path, registry);
      return NULL;
    }
  return helper;
}

/* Erases from its helper each registry ROOT's "credHelpers" sends to
 * one, as Podman's logout --all does before it empties the file: the
 * helpers of an auth file are expected to be there, so the first that
 * fails stops it, with the file as it was.  */
static int
erase_file_helpers (json_object *root, const char *path, ferry_error_t *err)
{
  json_object_object_foreach (root, key, helpers)
  {
    if (helpers == NULL || strcasecmp (key, "credHelpers") != 0)
      continue;
    json_object_object_foreach (helpers, registry, name)
    {
      const char *helper;

      if (name == NULL)
        continue;
      helper = file_helper (name, path, registry, err);
      if (helper == NULL)
        return -1;
      if (ferry_credential_helper_erase (helper, registry, err) < 0)
        {
          ferry_error_wrap (err, "updating \"%s\"", path);
          return -1;
        }
    }
  }
  return 0;
}

/* Deletes every member of ROOT that Go reads as the field NAME.  */
static void
delete_go_field (json_object *root, const char *name)
{
  for (;;)
    {
      cleanup_free char *gone = NULL;

      json_object_object_foreach (root, k, v)
      {
        if (strcasecmp (k, name) == 0)
          {
            gone = xstrdup (k);
            break;
          }
        (void) v;
      }
      if (gone == NULL)
        return;
      json_object_object_del (root, gone);
    }
}

int
ferry_auth_remove_all (const char *path, ferry_error_t *err)
{
  cleanup_json json_object *root = NULL;

  if (access (path, F_OK) < 0 && errno == ENOENT)
    return 0;
  root = read_or_new (path, err);
  if (root == NULL)
    return -1;
  if (erase_file_helpers (root, path, err) < 0)
    return -1;
  /* Go reads "Auths" as "auths": every spelling goes, and the helpers
   * just emptied with them.  */
  delete_go_field (root, "credHelpers");
  delete_go_field (root, "auths");
  json_object_object_add (root, "auths", json_object_new_object ());
  return write_auth_file (path, root, err);
}

/* ---- registries.conf's credential helpers ------------------------------------- */

/* The helpers to use: registries.conf's, or the auth file alone for a
 * Docker-compatible file (--compat-auth-file) and when registries.conf
 * names none.  */
static int
helpers_of (int file_only, const char *const **helpers, ferry_error_t *err)
{
  static const char *const file_alone[] = { FERRY_AUTH_FILE_HELPER, NULL };
  const struct ferry_registries_conf *c;

  *helpers = file_alone;
  if (file_only)
    return 0;
  if (ferry_registries_conf_get (&c, err) < 0)
    return -1;
  *helpers = (const char *const *) c->credential_helpers;
  return 0;
}

static int
is_file_helper (const char *helper)
{
  return strcmp (helper, FERRY_AUTH_FILE_HELPER) == 0;
}

int
ferry_auth_check_writable_default (const char *authfile, ferry_error_t *err)
{
  const char *v = getenv ("XDG_RUNTIME_DIR");
  struct stat st;

  if (! ferry_auth_file_is_default (authfile) || v == NULL || *v == '\0')
    return 0;
  if (stat (v, &st) < 0 && errno == ENOENT)
    return ferry_make_error (err, 0,
                             "\"%s\" directory set by $XDG_RUNTIME_DIR does not exist. Either create the "
                             "directory or unset $XDG_RUNTIME_DIR.: faccessat %s: no such file or directory",
                             v, v);
  return 0;
}

static char *config_dir;

void
ferry_auth_set_config_dir (const char *dir)
{
  free (config_dir);
  config_dir = dir && *dir ? xstrdup (dir) : NULL;
}

char *
ferry_auth_config_file (const char *authfile)
{
  if (config_dir == NULL || ! ferry_auth_file_is_default (authfile))
    return NULL;
  return xasprintf ("%s/config.json", config_dir);
}

int
ferry_auth_file_is_default (const char *authfile)
{
  const char *v = getenv ("REGISTRY_AUTH_FILE"), *d = getenv ("DOCKER_CONFIG");

  return ! (authfile && *authfile) && ! (v && *v) && ! (d && *d);
}

/* The files credentials are read from, in order, as containers/image
 * reads them: PATH, and when PATH is the default one also the read-only
 * ones of the user's other tools.  *LEGACY[i] marks a ~/.dockercfg.  */
static char **
auth_files (const char *path, int flags, int legacy[4])
{
  char **files = xmalloc0 (5 * sizeof (char *));
  const char *home = getenv ("HOME"), *v;
  size_t n = 0;

  memset (legacy, 0, 4 * sizeof (int));
  files[n++] = xstrdup (path);
  if (! (flags & FERRY_AUTH_DEFAULT_FILE) || (flags & FERRY_AUTH_FILE_ONLY))
    return files;
  if ((v = getenv ("XDG_CONFIG_HOME")) && *v)
    files[n++] = xasprintf ("%s/containers/auth.json", v);
  else if (home && *home)
    files[n++] = xasprintf ("%s/.config/containers/auth.json", home);
  /* ($DOCKER_CONFIG names the one file: not the default.)  */
  if (config_dir)
    files[n++] = xasprintf ("%s/config.json", config_dir);
  else if (home && *home)
    files[n++] = xasprintf ("%s/.docker/config.json", home);
  if (home && *home)
    {
      legacy[n] = 1;
      files[n++] = xasprintf ("%s/.dockercfg", home);
    }
  return files;
}

static int
lookup_files (const char *path, int flags, const char *key, struct ferry_credentials *out, char **found_in,
              ferry_error_t *err)
{
  int legacy[4];
  cleanup_strv char **files = auth_files (path, flags, legacy);

  for (size_t i = 0; files[i]; i++)
    {
      int r = lookup_in (files[i], legacy[i], key, out, err);

      if (r != 0)
        {
          if (r > 0 && found_in)
            *found_in = xstrdup (files[i]);
          return r;
        }
    }
  return 0;
}

int
ferry_auth_get (const char *path, int flags, const char *key, struct ferry_credentials *out, char **origin,
                ferry_error_t *err)
{
  const char *const *helpers;
  cleanup_free char *host = ferry_auth_key_host (key);
  ferry_error_t first = NULL;

  memset (out, 0, sizeof (*out));
  if (origin)
    *origin = NULL;
  if (helpers_of (flags & FERRY_AUTH_FILE_ONLY, &helpers, err) < 0)
    return -1;
  for (size_t i = 0; helpers[i]; i++)
    {
      ferry_error_t e = NULL;
      cleanup_free char *found_in = NULL;
      /* Credential helpers are asked for the registry only: namespaced
       * credentials live in auth files alone.  */
      int r = is_file_helper (helpers[i]) ? lookup_files (path, flags, key, out, &found_in, &e)
                                          : ferry_credential_helper_get (helpers[i], host, out, &e);

      /* A helper that fails does not hide the next one's credentials.  */
      if (r < 0)
        {
          if (first == NULL)
            first = e;
          else
            ferry_error_release (&e);
          continue;
        }
      if (r == 0)
        continue;
      ferry_error_release (&first);
      if (origin)
        *origin = is_file_helper (helpers[i]) ? xasprintf ("auth file %s", found_in)
                                              : xasprintf ("credential helper %s", helpers[i]);
      return 1;
    }
  if (first)
    {
      *err = first;
      return -1;
    }
  return 0;
}

int
ferry_auth_set (const char *path, int file_only, const char *registry, const struct ferry_credentials *creds,
                char **where, ferry_error_t *err)
{
  const char *const *helpers;
  ferry_error_t first = NULL;

  *where = NULL;
  if (helpers_of (file_only, &helpers, err) < 0)
    return -1;
  for (size_t i = 0; helpers[i]; i++)
    {
      ferry_error_t e = NULL;
      int r;

      if (is_file_helper (helpers[i]))
        r = ferry_auth_store (path, registry, creds, NULL, &e);
      else if (strchr (registry, '/'))
        r = ferry_make_error (&e, 0, "namespaced key is not supported for credential helper %s", helpers[i]);
      else
        r = ferry_credential_helper_store (helpers[i], registry, creds, &e);

      if (r < 0)
        {
          if (first == NULL)
            first = e;
          else
            ferry_error_release (&e);
          continue;
        }
      ferry_error_release (&first);
      *where = is_file_helper (helpers[i]) ? xstrdup (path) : xasprintf ("credential helper: %s", helpers[i]);
      return 0;
    }
  *err = first;
  return -1;
}

/* A logout of REGISTRY from the auth file at PATH: first from the helper
 * its "credHelpers" sends REGISTRY to (Podman erases there, and any
 * failure of it stops the logout with the file as it was), then its
 * entry.  *FOUND is 1 when either had it.  */
static int
file_logout (const char *path, const char *registry, int *found, ferry_error_t *err)
{
  cleanup_json json_object *root = NULL;
  json_object *helpers, *name = NULL;
  const char *helper;

  *found = 0;
  if (access (path, F_OK) == 0 && read_auth_file (path, 0, &root, err) < 0)
    return -1;
  helpers = root && json_object_is_type (root, json_type_object) ? go_field (root, "credHelpers") : NULL;
  if (helpers && ! strchr (registry, '/') && json_object_object_get_ex (helpers, registry, &name) && name)
    {
      helper = file_helper (name, path, registry, err);
      if (helper == NULL)
        return -1;
      if (ferry_credential_helper_erase (helper, registry, err) < 0)
        {
          ferry_error_wrap (err, "updating \"%s\": removing credentials for %s from credential helper %s",
                            path, registry, helper);
          return -1;
        }
      *found = 1;
    }
  {
    int here = 0;

    if (ferry_auth_store (path, registry, NULL, &here, err) < 0)
      return -1;
    *found |= here;
  }
  return 0;
}

int
ferry_auth_remove (const char *path, int file_only, const char *registry, int *found, ferry_error_t *err)
{
  const char *const *helpers;
  ferry_error_t first = NULL;

  *found = 0;
  if (helpers_of (file_only, &helpers, err) < 0)
    return -1;
  /* From every helper, as a logout must leave none behind.  */
  for (size_t i = 0; helpers[i]; i++)
    {
      ferry_error_t e = NULL;
      int here = 0;

      /* A namespaced key is never a helper's: they keep registries.  */
      if (! is_file_helper (helpers[i]) && strchr (registry, '/'))
        continue;
      if (is_file_helper (helpers[i]) ? file_logout (path, registry, &here, &e) < 0
                                      : ferry_credential_helper_erase (helpers[i], registry, &e) < 0)
        {
          if (! is_file_helper (helpers[i]))
            ferry_error_wrap (&e, "removing credentials for %s from credential helper %s", registry,
                              helpers[i]);
          if (first == NULL)
            first = e;
          else
            ferry_error_release (&e);
          continue;
        }
      *found |= is_file_helper (helpers[i]) ? here : 1;
    }
  if (first)
    {
      *err = first;
      return -1;
    }
  return 0;
}

int
ferry_auth_remove_everywhere (const char *path, int file_only, ferry_error_t *err)
{
  const char *const *helpers;
  ferry_error_t first = NULL;

  if (helpers_of (file_only, &helpers, err) < 0)
    return -1;
  for (size_t i = 0; helpers[i]; i++)
    {
      cleanup_strv char **servers = NULL;
      ferry_error_t e = NULL;
      int r = 0;

      if (is_file_helper (helpers[i]))
        r = ferry_auth_remove_all (path, &e);
      else if ((r = ferry_credential_helper_list (helpers[i], &servers, &e)) == 0)
        for (size_t k = 0; servers[k] && r == 0; k++)
          r = ferry_credential_helper_erase (helpers[i], servers[k], &e);
      if (r < 0)
        {
          if (first == NULL)
            first = e;
          else
            ferry_error_release (&e);
        }
    }
  if (first)
    {
      *err = first;
      return -1;
    }
  return 0;
}
