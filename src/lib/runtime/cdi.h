/* ferry: the Container Device Interface (CDI), as Podman uses it.
 *
 * A device named vendor.com/class=name is described by a spec file (JSON,
 * or YAML) in one of the CDI spec directories: its containerEdits, and
 * those of the spec as a whole, are edits to the OCI spec (device nodes,
 * mounts, environment, hooks, additional groups, Intel RDT).  Spec files
 * are untrusted input: a file that does not validate (its cdiVersion,
 * kind, device names, absolute paths, known fields only) is skipped, and
 * its devices are then unresolvable, as with Podman.  Of two directories
 * the later one wins for a device both describe; two files of one
 * directory describing the same device make it unresolvable.  */
#ifndef FERRY_RUNTIME_CDI_H
#define FERRY_RUNTIME_CDI_H

#include "../util/error.h"

#include <json-c/json.h>

/* Where CDI specs are read when containers.conf and the command line do
 * not say, in priority order (the last wins).  */
#define FERRY_CDI_DEFAULT_DIRS "/etc/cdi", "/var/run/cdi"

/* Whether NAME is a fully qualified CDI device name,
 * VENDOR/CLASS=NAME (what Podman's --device takes as one).  */
int ferry_cdi_is_qualified_name (const char *name);

/* Reads and validates the spec file at PATH (JSON, or YAML when it ends
 * in .yaml).  */
json_object *ferry_cdi_spec_load (const char *path, ferry_error_t *err);

/* Applies to the OCI spec SPEC the edits of DEVICES (qualified names,
 * NULL-terminated) as the spec files in DIRS (NULL-terminated; NULL: the
 * default ones) describe them.  Devices none describes: "unresolvable CDI
 * devices A, B".  */
int ferry_cdi_inject (json_object *spec, char *const *devices, char *const *dirs, ferry_error_t *err);

#endif
