/* ferry: secrets, as Podman's file driver keeps them: a name, an ID of 25
 * hex digits, labels and the data, in the state database (the root is
 * 0700 and the database its owner's alone).
 *
 * A container given --secret gets a copy of each secret's data when it is
 * made, in its own directory (so removing the secret later leaves the
 * container whole, as in Podman): a file bound read-only into it
 * (type=mount, /run/secrets/NAME by default) or an environment variable
 * (type=env).  Its record lists them by name ("Secrets"); a container
 * imported from an archive takes the secrets of those names on this host,
 * and is refused when one is missing.  The data never goes into an
 * archive's record.  */
#ifndef FERRY_ENGINE_SECRET_H
#define FERRY_ENGINE_SECRET_H

#include "engine.h"

#include <json-c/json.h>
#include <stddef.h>

struct ferry_secret
{
  char *id;
  char *name;
  char *driver;
  char *created; /* RFC 3339 UTC with nanoseconds */
  char *updated;
  json_object *labels; /* an object of strings */
};

/* Podman's rule: 1 to 253 characters, none of '=', '/', ',' (and, unlike
 * Podman, not "." or "..", which would name a directory as a target).  */
int ferry_secret_name_is_valid (const char *name);

/* Makes secret NAME holding DATA; REPLACE: an existing one of that name is
 * replaced (a new ID, its creation time kept), else that is an error of
 * kind EXISTS.  *ID gets the ID.  */
int ferry_secret_create (ferry_engine_t *e, const char *name, const void *data, size_t len,
                         json_object *labels, int replace, char **id, ferry_error_t *err);

/* By name, full ID or unique ID prefix; kind NOT_FOUND: "no secret with
 * name or id \"X\": no such secret".  */
int ferry_secret_lookup (ferry_engine_t *e, const char *ref, struct ferry_secret **out, ferry_error_t *err);
int ferry_secret_list (ferry_engine_t *e, struct ferry_secret ***out, size_t *n, ferry_error_t *err);
int ferry_secret_data (ferry_engine_t *e, const char *id, char **data, size_t *len, ferry_error_t *err);
int ferry_secret_remove (ferry_engine_t *e, const char *id, ferry_error_t *err);
void ferry_secret_free (struct ferry_secret *s);
void ferry_secrets_free (struct ferry_secret **s, size_t n);

/* --secret NAME[,type=mount|env][,target=T][,uid=N][,gid=N][,mode=OCTAL]
 * (NAME also as source=NAME), checked as Podman checks it, into the
 * record entry {Name, Type, Target, UID, GID, Mode}: Target is an
 * absolute path for a mount (relative ones under /run/secrets), a
 * variable name for env.  */
int ferry_secret_parse_option (const char *spec, json_object **entry, ferry_error_t *err);
/* The same checks on an entry read from an archive or the database.  */
int ferry_secret_entry_check (json_object *entry, ferry_error_t *err);

/* Copies the data of the secrets REC lists into the container's directory
 * (which exists), setting each entry's ID to this host's secret of that
 * name.  */
int ferry_container_secrets_write (ferry_engine_t *e, const char *id, json_object *rec, ferry_error_t *err);
/* The copy of entry I of container ID.  */
char *ferry_container_secret_path (ferry_engine_t *e, const char *id, size_t i);

#endif
