/* ferry: OCI hooks configured on the host (oci-hooks(5)), as Podman reads
 * them.
 *
 * A hook directory holds *.json files of schema 1.0.0: {"version":
 * "1.0.0", "hook": {"path", "args", "env", "timeout"}, "when": {"always",
 * "annotations", "commands", "hasBindMounts"}, "stages": [...]}.  Of
 * several directories a file of a later one masks the file of the same
 * name in an earlier one.  A missing directory, a file whose name does
 * not end in .json, a dangling link and a hook whose program is not there
 * are passed over; any other bad file is an error naming it, in Podman's
 * words, and the container does not start.
 *
 * Conditions: "always" false, or any condition given that does not hold,
 * and the hook is out; "commands" (regular expressions of the process's
 * first argument) decide on their own when given; a hook with no
 * condition never applies.  Hooks go into the runtime spec in the order
 * of their file names (case folded), prestart ones into createRuntime as
 * Podman puts them.  precreate and poststop are Podman's own stages,
 * which the runtime knows nothing of: they come back to the caller, who
 * runs them (ferry_hooks_exec).  Regular expressions are POSIX extended
 * ones, where Podman's are Go's (the same for the usual patterns).
 * Files of the deprecated 0.1.0 schema are read as Podman reads them, as
 * 1.0.0 ones whose conditions are alternatives.  */
#ifndef FERRY_RUNTIME_HOOKS_H
#define FERRY_RUNTIME_HOOKS_H

#include "../util/error.h"

#include <json-c/json.h>

/* Where hooks are read when neither containers.conf nor the command line
 * say, as Podman's default for root.  */
#define FERRY_HOOKS_DEFAULT_DIR "/usr/share/containers/oci/hooks.d"
/* The directory Podman adds after it when containers.conf sets hooks_dir
 * to an empty list.  */
#define FERRY_HOOKS_OVERRIDE_DIR "/etc/containers/oci/hooks.d"

/* Reads the hook files of DIRS (NULL-terminated) into *OUT: an array of
 * the hook files' objects, each with its file name as "name", in the
 * order they apply.  */
int ferry_hooks_read (char *const *dirs, json_object **out, ferry_error_t *err);

/* Adds to the OCI spec SPEC the hooks of HOOKS (ferry_hooks_read's) whose
 * conditions hold for SPEC's process, ANNOTATIONS (an object, may be NULL)
 * and HAS_BIND_MOUNTS; those of precreate and poststop go into
 * *EXTENSION, {"precreate": [...], "poststop": [...]}, NULL when none.  */
int ferry_hooks_inject (json_object *hooks, json_object *spec, json_object *annotations, int has_bind_mounts,
                        json_object **extension, ferry_error_t *err);

/* Runs HOOK (an OCI hook: path, args, env, timeout) with INPUT on its
 * standard input; with OUTPUT non-NULL, its standard output in *OUTPUT
 * (else discarded); its standard error is discarded.  A hook that exits
 * other than 0, or outlives its timeout (then killed), is an error.  */
int ferry_hooks_exec (json_object *hook, const char *input, char **output, ferry_error_t *err);

#endif
