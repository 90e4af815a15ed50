#include "auth.h"
#include "credential_helper.h"
#include "registries.h"
#include "registry.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
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

/* Standard base64 with its padding, as Podman writes it: EVP_DecodeBlock
 * alone takes white space around it and a '=' inside it (decoded as NULs).  */
static int
is_base64 (const char *s, size_t len)
{
  size_t body = strspn (s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

  return len % 4 == 0 && len - body <= 2 && strspn (s + body, "=") == len - body;
}

static int
decode_auth (const char *b64, struct ferry_credentials *out, const char *path, const char *registry,
             ferry_error_t *err)
{
  size_t len = strlen (b64);
  cleanup_free unsigned char *buf = xmalloc (len + 4);
  int n = is_base64 (b64, len) && len <= INT_MAX
              ? EVP_DecodeBlock (buf, (const unsigned char *) b64, (int) len)
              : -1;
  char *colon;

  if (n < 0)
    return ferry_make_error (err, 0, "auth file `%s`: the entry of %s is not valid base64", path, registry);
  /* EVP_DecodeBlock counts the padding as zero bytes.  */
  while (len > 0 && b64[len - 1] == '=' && n > 0)
    {
      len--;
      n--;
    }
  buf[n] = '\0';
  colon = memchr (buf, ':', n);
  if (colon == NULL || strlen ((char *) buf) != (size_t) n)
    return ferry_make_error (err, 0, "auth file `%s`: the entry of %s is not \"user:password\"", path,
                             registry);
  out->username = xstrndup ((char *) buf, colon - (char *) buf);
  out->password = xstrdup (colon + 1);
  explicit_bzero (buf, n);
  return 1;
}

static json_object *
read_or_new (const char *path, ferry_error_t *err)
{
  json_object *root;

  if (access (path, F_OK) < 0 && errno == ENOENT)
    return json_object_new_object ();
  root = ferry_json_parse_file (path, "auth file", err);
  if (root && ! json_object_is_type (root, json_type_object))
    {
      json_object_put (root);
      ferry_make_error (err, 0, "auth file `%s` is not a JSON object: fix or remove it", path);
      return NULL;
    }
  return root;
}

/* Each entry of AUTHS must be an object whose "auth", when there, is a
 * string: a file Podman could not read either is an error, not "no
 * credentials".  PREFIX names AUTHS in messages ("auths." or "").  */
static int
check_entries (json_object *v, const char *path, const char *prefix, ferry_error_t *err)
{
  json_object_object_foreach (v, key, entry)
  {
    json_object *auth = NULL;
    cleanup_free char *shown = ferry_registry_printable (key);

    if (! json_object_is_type (entry, json_type_object))
      return ferry_make_error (err, 0,
                               "auth file `%s`: field `%s%s` must be an object, not %s: fix or remove it",
                               path, prefix, shown, ferry_json_type_name (entry));
    if (json_object_object_get_ex (entry, "auth", &auth) && auth != NULL
        && ferry_json_string_value (auth) == NULL)
      return ferry_make_error (
          err, 0, "auth file `%s`: field `%s%s.auth` must be a base64 string, not %s: fix or remove it", path,
          prefix, shown, ferry_json_type_name (auth));
  }
  return 0;
}

/* A legacy ~/.dockercfg: ROOT itself maps keys to entries.  */
static int
auths_of_object (json_object *root, const char *path, const char *prefix, json_object **auths,
                 ferry_error_t *err)
{
  if (check_entries (root, path, prefix, err) < 0)
    return -1;
  *auths = root;
  return 0;
}

/* The "auths" object of ROOT, NULL (and no error) when it has none.  */
static int
auths_of (json_object *root, const char *path, json_object **auths, ferry_error_t *err)
{
  json_object *v = NULL;

  *auths = NULL;
  if (! json_object_object_get_ex (root, "auths", &v) || v == NULL)
    return 0;
  if (! json_object_is_type (v, json_type_object))
    return ferry_make_error (err, 0,
                             "auth file `%s`: field `auths` must be an object, not %s: fix or remove it",
                             path, ferry_json_type_name (v));
  if (check_entries (v, path, "auths.", err) < 0)
    return -1;
  *auths = v;
  return 0;
}

/* The credentials of ENTRY (0 when it has none: Docker leaves empty
 * entries for registries its own credential helpers keep).  */
static int
entry_credentials (json_object *entry, const char *path, const char *key, struct ferry_credentials *out,
                   ferry_error_t *err)
{
  const char *b64 = ferry_json_get_string (entry, "auth");
  /* KEY is the file's: shown escaped, as any text from it.  */
  cleanup_free char *shown = ferry_registry_printable (key);

  if (b64 == NULL || *b64 == '\0')
    return 0;
  return decode_auth (b64, out, path, shown, err);
}

/* The "credHelpers" entry of HOST in ROOT, when there is one: 1 with
 * the credentials that helper gives, 0 when it has none (or there is no
 * entry).  */
static int
file_cred_helper (json_object *root, const char *path, const char *host, struct ferry_credentials *out,
                  ferry_error_t *err)
{
  json_object *helpers = NULL, *name = NULL;
  const char *helper;

  if (! json_object_object_get_ex (root, "credHelpers", &helpers) || helpers == NULL)
    return 0;
  if (! json_object_is_type (helpers, json_type_object))
    return ferry_make_error (
        err, 0, "auth file `%s`: field `credHelpers` must be an object, not %s: fix or remove it", path,
        ferry_json_type_name (helpers));
  if (! json_object_object_get_ex (helpers, host, &name) || name == NULL)
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
  root = read_or_new (path, err);
  if (root == NULL)
    return -1;
  if (! legacy)
    {
      /* Docker's config.json may send a registry to a helper of its own,
       * which then answers for it here, as containers/image asks it.  */
      int r = file_cred_helper (root, path, host, out, err);
      if (r != 0)
        return r;
    }
  if (legacy)
    {
      /* ~/.dockercfg is the "auths" object itself.  */
      auths = NULL;
      if (auths_of_object (root, path, "", &auths, err) < 0)
        return -1;
    }
  else if (auths_of (root, path, &auths, err) < 0)
    return -1;
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
  char *slash = strrchr (dir, '/');
  const char *text;

  if (slash && slash != dir)
    {
      *slash = '\0';
      if (ferry_mkdir_p (dir, 0700, err) < 0)
        return -1;
    }
  text = json_object_to_json_string_ext (root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
  return ferry_write_file_atomic (path, text, strlen (text), 0600, err);
}

int
ferry_auth_store (const char *path, const char *registry, const struct ferry_credentials *creds, int *found,
                  ferry_error_t *err)
{
  cleanup_json json_object *root = read_or_new (path, err);
  json_object *auths;

  if (found)
    *found = 0;
  /* A malformed "auths" is not replaced: it may be the user's to mend.  */
  if (root == NULL || auths_of (root, path, &auths, err) < 0)
    return -1;
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

int
ferry_auth_remove_all (const char *path, ferry_error_t *err)
{
  cleanup_json json_object *root = NULL;

  if (access (path, F_OK) < 0 && errno == ENOENT)
    return 0;
  root = read_or_new (path, err);
  if (root == NULL)
    return -1;
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

int
ferry_auth_file_is_default (const char *authfile)
{
  const char *v = getenv ("REGISTRY_AUTH_FILE");

  return ! (authfile && *authfile) && ! (v && *v);
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
  if ((v = getenv ("DOCKER_CONFIG")) && *v)
    files[n++] = xasprintf ("%s/config.json", v);
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
      if (is_file_helper (helpers[i]) ? ferry_auth_store (path, registry, NULL, &here, &e) < 0
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
