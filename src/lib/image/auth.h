/* ferry: registry credentials, from --creds, from credential helpers
 * (credential_helper.h) or from an auth file in the containers-auth.json
 * format that Podman, Buildah and Skopeo share:
 *
 *   { "auths": { "registry.example:5000": { "auth": "<base64 of user:pass>" } } }
 *
 * The file is --authfile, else $REGISTRY_AUTH_FILE, else
 * $DOCKER_CONFIG/config.json (as Podman's default --authfile), else
 * $XDG_RUNTIME_DIR/containers/auth.json, else /run/containers/<uid>/auth.json.
 * A file's "credHelpers" object (Docker's) sends a registry to a credential
 * helper of its own, asked before the file's "auths".  */
#ifndef FERRY_IMAGE_AUTH_H
#define FERRY_IMAGE_AUTH_H

#include "../util/error.h"

struct ferry_credentials
{
  char *username;
  char *password;
  /* An OAuth2 refresh token ("identitytoken" in an auth file), which a
   * token server takes instead of the password; NULL when none.  */
  char *identity_token;
};

/* The auth file to use: AUTHFILE when not NULL, else the default above.  */
char *ferry_auth_file_path (const char *authfile);

/* Splits "USER:PASS" (the password may itself hold ':').  "USER" alone is
 * refused: ferry never prompts.  */
int ferry_credentials_parse (const char *creds, struct ferry_credentials *out, ferry_error_t *err);

/* KEY's registry: "reg:5000" of "reg:5000/ns/repo".  */
char *ferry_auth_key_host (const char *key);

/* True when neither AUTHFILE, $REGISTRY_AUTH_FILE nor $DOCKER_CONFIG names the auth file:
 * then the user's other files are read after it (FERRY_AUTH_DEFAULT_FILE).  */
int ferry_auth_file_is_default (const char *authfile);

/* Podman's global --config DIR: login and logout keep credentials in
 * DIR/config.json when neither --authfile, $REGISTRY_AUTH_FILE nor
 * $DOCKER_CONFIG names the auth file, and the other commands read it, after
 * the default file, in place of ~/.docker/config.json (as Podman, which
 * sets DOCKER_CONFIG once its flags' defaults are taken).  */
void ferry_auth_set_config_dir (const char *dir);

/* The auth file login and logout use instead of the default one
 * AUTHFILE would give (--config's), or NULL.  */
char *ferry_auth_config_file (const char *authfile);

/* Before writing the default auth file: a $XDG_RUNTIME_DIR that does
 * not exist is a typo to report (in Podman's words), not a directory to
 * make.  0 when AUTHFILE or $REGISTRY_AUTH_FILE names the file.  */
int ferry_auth_check_writable_default (const char *authfile, ferry_error_t *err);

enum
{
  FERRY_AUTH_FILE_ONLY = 1 << 0,    /* that file alone, no credential helper (--compat-auth-file) */
  FERRY_AUTH_DEFAULT_FILE = 1 << 1, /* PATH is the default: read-only files follow */
};

/* Finds the credentials of KEY ("reg", "reg/ns" or "reg/ns/repo") in the
 * auth file at PATH, as containers/image does: the entry of KEY itself,
 * else of its nearest parent namespace, else of the registry, else an
 * entry whose key is a URL of the registry ("https://reg/v1/").  Returns 1 and
 * fills OUT when found, 0 when the file or the entry does not exist, and a
 * negative value when the file cannot be read or parsed.  */
int ferry_auth_lookup (const char *path, const char *registry, struct ferry_credentials *out,
                       ferry_error_t *err);

/* Records (CREDS not NULL) or removes (CREDS NULL) REGISTRY's entry in the
 * auth file at PATH, keeping every other key of the file, writing it
 * atomically with mode 0600.  Removing an entry that is not there returns 0
 * and sets *FOUND to 0.  */
int ferry_auth_store (const char *path, const char *registry, const struct ferry_credentials *creds,
                      int *found, ferry_error_t *err);

/* Empties the "auths" object of the auth file at PATH.  */
int ferry_auth_remove_all (const char *path, ferry_error_t *err);

void ferry_credentials_clear (struct ferry_credentials *c);

/* Where the auth module's warnings go (Podman's: a credential entry it
 * cannot use, which it passes over); NULL, the default: nowhere.  */
void ferry_auth_set_warn (void (*warn) (const char *msg));

/* Through registries.conf's credential-helpers, as containers/image goes
 * through them ("containers-auth.json" is the auth file at PATH; with
 * FERRY_AUTH_FILE_ONLY in FLAGS, that file is the only one, as for
 * --compat-auth-file; with FERRY_AUTH_DEFAULT_FILE, credentials not in
 * PATH are read from $XDG_CONFIG_HOME/containers/auth.json (else
 * ~/.config/containers/auth.json), ~/.docker/config.json (--config's
 * when given) and ~/.dockercfg, in that order, never written).
 * REGISTRY below is a key as ferry_auth_lookup takes it; credential
 * helpers are asked for its registry alone, and never keep a namespaced
 * key.
 *
 * ferry_auth_get: the first helper that has REGISTRY's credentials gives
 * them (1, with ORIGIN, "auth file PATH" or "credential helper NAME", when
 * not NULL); a helper that fails is passed over, and its error is the
 * answer only when no later one has them.  0: none has them.  */
int ferry_auth_get (const char *path, int flags, const char *registry, struct ferry_credentials *out,
                    char **origin, ferry_error_t *err);

/* A login: the first helper that takes the credentials keeps them; WHERE
 * is what Podman's login -v says of it (PATH, or "credential helper:
 * NAME").  */
int ferry_auth_set (const char *path, int file_only, const char *registry,
                    const struct ferry_credentials *creds, char **where, ferry_error_t *err);

/* A logout: REGISTRY's credentials go from every helper; *FOUND says some
 * helper had them.  An external helper that fails (even for having none)
 * fails the logout, after the others have been asked, as in Podman.  */
int ferry_auth_remove (const char *path, int file_only, const char *registry, int *found, ferry_error_t *err);

/* logout --all: every helper's credentials, the auth file's and each
 * external helper's (as it lists them).  */
int ferry_auth_remove_everywhere (const char *path, int file_only, ferry_error_t *err);

#endif
