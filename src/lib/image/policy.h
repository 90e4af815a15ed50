/* ferry: the image trust policy of containers-policy.json(5), as Podman
 * obeys it: which images may be taken from outside (pulled, loaded,
 * imported), per transport and scope, and on which signatures.
 *
 * The file is read as untrusted input and checked strictly, with the
 * words of containers/image: a policy ferry cannot read whole is an
 * error, never a policy that accepts.  Scopes are looked up as the man
 * page says: the image's full reference, its repository, its namespaces
 * up to the host, "*.domain" wildcards of the host, the transport's ""
 * scope, then the global default.  Every requirement of the scope must
 * hold.  `signedBy` verifies simple signing signatures (signature.h),
 * `sigstoreSigned` sigstore signatures with public keys (sigstore.h),
 * from the lookaside and, where registries.d says
 * use-sigstore-attachments, from the registry's attachments; one that
 * names Fulcio, Rekor or a PKI is refused, as ferry cannot verify those.
 *
 * Where no policy file exists at all Podman refuses every image; ferry
 * accepts then, so that it works on a machine without containers-common
 * (a documented deviation).  An explicit --signature-policy file must
 * exist.  */
#ifndef FERRY_IMAGE_POLICY_H
#define FERRY_IMAGE_POLICY_H

#include "reference.h"
#include "registry.h"
#include "../util/error.h"

#include <json-c/json.h>
#include <stddef.h>

#define FERRY_POLICY_SYSTEM_PATH "/etc/containers/policy.json"

/* The most ferry reads of a policy.json, a registries.d YAML file or a
 * GPG keyring a policy names: real ones are kilobytes, and a path could
 * name anything (a huge file, /dev/zero).  */
#define FERRY_POLICY_MAX_FILE (16u << 20)

typedef struct ferry_policy
{
  char *path;        /* the file read, or NULL (none existed: accept all) */
  json_object *root; /* validated */
} ferry_policy_t;

/* $HOME/.config/containers/policy.json when it exists, otherwise
 * /etc/containers/policy.json.  Returns a new string.  */
char *ferry_policy_default_path (void);

/* containers/image's words for an object OBJ with a member not in KNOWN
 * (NULL-terminated): "Unknown key ...".  */
int ferry_policy_only_keys (json_object *obj, const char *const *known, ferry_error_t *err);

/* json-c keeps the last of two equal keys, where containers/image
 * refuses the document: an error ("Duplicate key \"x\"") when TEXT, valid
 * JSON, has two equal keys in one object.  */
int ferry_policy_json_duplicate_keys (const char *text, size_t len, ferry_error_t *err);

/* Reads PATH (NULL: the default path, where a missing file means accept
 * all).  */
int ferry_policy_load (const char *path, ferry_policy_t **out, ferry_error_t *err);
/* Parses and validates TEXT as the policy file PATH holds.  */
int ferry_policy_parse (const char *path, const char *text, size_t len, ferry_policy_t **out,
                        ferry_error_t *err);
void ferry_policy_free (ferry_policy_t *p);

/* An image as a transport offers it.  */
struct ferry_policy_image
{
  const char *transport; /* "docker", "docker-archive", "oci-archive", "tarball" */
  const char *shown;     /* "docker://host/repo:tag", "oci-archive:/x.tar", for messages */
  /* docker: the reference as pulled, and the top-level manifest.  */
  const struct ferry_reference *ref;
  const char *manifest;
  size_t manifest_len;
  const char *manifest_digest;
  const char *registries_d;   /* NULL: the default registries.d directory */
  ferry_registry_t *registry; /* the pull's session, for an http(s) lookaside */
  /* archives: the file's absolute path.  */
  const char *path;
};

/* The scope lookup of containers-policy.json(5): the requirements array
 * that applies to IMG (never NULL for a loaded policy).  */
json_object *ferry_policy_requirements (ferry_policy_t *p, const struct ferry_policy_image *img);

/* Whether P lets IMG in: 0, or an error ("Source image rejected: ...").  */
int ferry_policy_check (ferry_policy_t *p, const struct ferry_policy_image *img, ferry_error_t *err);

/* Loads the policy at PATH (NULL: default) and checks IMG against it.  */
int ferry_policy_check_path (const char *path, const struct ferry_policy_image *img, ferry_error_t *err);

/* `image trust show`: a row per requirement, the default's first, then
 * each transport's scopes in order, as Podman's JSON shows them
 * (transport, name, repo_name, sigstore, type, gpg_id).  The file is read
 * as leniently as Podman's show reads it: *WARNINGS gets what it passed
 * over ("Invalid trust type X").  */
int ferry_policy_describe (const char *path, const char *registries_d, json_object **rows,
                           json_object **warnings, ferry_error_t *err);

/* `image trust set`: SCOPE ("default" or a docker scope) gets one
 * requirement of TYPE ("accept", "reject"), or one per key of KEYS
 * ("signedBy", "sigstoreSigned"); the file PATH (NULL: the default) is
 * rewritten atomically, laid out as Podman writes it.  */
int ferry_policy_set (const char *path, const char *scope, const char *type, const char *const *keys,
                      size_t n_keys, ferry_error_t *err);

#endif
