/* ferry: registry credentials, from --creds or from an auth file in the
 * containers-auth.json format that Podman, Buildah and Skopeo share:
 *
 *   { "auths": { "registry.example:5000": { "auth": "<base64 of user:pass>" } } }
 *
 * The file is --authfile, else $REGISTRY_AUTH_FILE, else
 * $XDG_RUNTIME_DIR/containers/auth.json, else /run/containers/<uid>/auth.json.  */
#ifndef FERRY_IMAGE_AUTH_H
#define FERRY_IMAGE_AUTH_H

#include "../util/error.h"

struct ferry_credentials
{
  char *username;
  char *password;
};

/* The auth file to use: AUTHFILE when not NULL, else the default above.  */
char *ferry_auth_file_path (const char *authfile);

/* Splits "USER:PASS" (the password may itself hold ':').  "USER" alone is
 * refused: ferry never prompts.  */
int ferry_credentials_parse (const char *creds, struct ferry_credentials *out, ferry_error_t *err);

/* Finds REGISTRY's credentials in the auth file at PATH.  Returns 1 and
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

#endif
