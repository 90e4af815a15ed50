/* ferry: the container record a checkpoint archive carries (the `ferry`
 * member of config.dump).  restore --import builds paths, database rows
 * and mounts from it, and start and inspect read it again later, so it is
 * checked as command-line input is, before anything is created: every
 * field ferry reads must be there, of its type, with a value ferry itself
 * could have written, and no field ferry does not know may come along
 * (a later ferry could read it without the check).
 *
 * An archive is unsigned, so it may ask only for what a plain `ferry run`
 * gives: no bind mount of a host path, no host network, no added
 * capability or seccomp change, no privileged mode, device, sysctl or
 * unmasked path unless the restore trusts the archive (--trust-archive).  */
#ifndef FERRY_ENGINE_ARCHIVE_RECORD_H
#define FERRY_ENGINE_ARCHIVE_RECORD_H

#include "checkpoint.h"

#include <json-c/json.h>

/* Checks REC, read from the archive R->import_path.  A bad field: an error
 * naming the field and the archive.  A record that asks for more than a
 * plain run while R->trust_archive is not set: an error listing what it
 * asks for.  */
int ferry_archive_record_check (json_object *rec, const struct ferry_restore_request *r, ferry_error_t *err);

/* What REC (checked) asks for beyond a plain `ferry run` ("bind mount of
 * host `/srv` at /data, host network"), or NULL.  PLAIN_DEFAULT_SYSCTLS:
 * as in struct ferry_restore_request.  */
char *ferry_archive_record_privileges (json_object *rec, char **plain_default_sysctls);

#endif
