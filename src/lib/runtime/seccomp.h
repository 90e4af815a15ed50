/* ferry: seccomp, with the default profile the container ecosystem ships
 * (containers-common's seccomp.json, which Podman applies too), turned
 * into the OCI spec's linux.seccomp for this host: the rules for its
 * architecture and kernel, and for the capabilities the container has.  */
#ifndef FERRY_RUNTIME_SECCOMP_H
#define FERRY_RUNTIME_SECCOMP_H

#include "../util/error.h"

#include <json-c/json.h>

/* Where the default profile is looked for, in order.  */
#define FERRY_SECCOMP_DEFAULT_PATHS "/etc/containers/seccomp.json", "/usr/share/containers/seccomp.json"

/* The default profile's path, NULL when there is none.  */
const char *ferry_seccomp_default_profile_path (void);

/* Reads the default profile.  None there: an error naming the package
 * that ships it.  */
json_object *ferry_seccomp_default_profile (ferry_error_t *err);

/* Reads the profile at PATH (containers' seccomp.json format), checked.  */
json_object *ferry_seccomp_profile_load (const char *path, ferry_error_t *err);

/* PROFILE (containers' seccomp.json format: defaultAction, archMap,
 * syscalls with includes/excludes) as linux.seccomp for a container with
 * capabilities CAPS (NULL-terminated).  Every field is type-checked:
 * WHAT names the profile in errors.  */
json_object *ferry_seccomp_to_oci (json_object *profile, const char *const *caps, const char *what,
                                   ferry_error_t *err);

#endif
