/* ferry: the host's OCI hooks (runtime/hooks.h) in a container's spec.
 *
 * Hooks are read at each start and each restore from the hook
 * directories of the ferry that starts it (--hooks-dir, else
 * containers.conf's hooks_dir, else /usr/share/containers/oci/hooks.d;
 * hooks_dir = [] adds /etc/containers/oci/hooks.d after it), never from
 * anything a checkpoint archive carries: its spec.dump is not read back,
 * and its record names no program.  The hooks that match go into the
 * runtime's config.json; precreate ones filter the spec there and then;
 * poststop ones are kept in the bundle with the state they are given,
 * and run once when the container is torn down (its cleanup, stop, rm or
 * checkpoint), as Podman keeps them in its state: the directories may
 * change meanwhile.  A restore runs the createRuntime (and prestart)
 * hooks, which runc runs as CRIU sets up the namespaces; createContainer,
 * startContainer and poststart ones do not run again.  */
#ifndef FERRY_ENGINE_HOOKS_H
#define FERRY_ENGINE_HOOKS_H

#include "container.h"

#include <json-c/json.h>

/* The hook directories of E from now on (--hooks-dir), over
 * containers.conf's.  */
void ferry_hooks_set_dirs (ferry_engine_t *e, char *const *dirs);

/* The hooks of E's directories that match C, applied to its OCI spec SPEC
 * (written to BUNDLE).  An error is wrapped as Podman's ("setting up OCI
 * Hooks") and of the kind run exits 126 for.  */
int ferry_hooks_apply (ferry_engine_t *e, const struct ferry_container *c, json_object *spec,
                       const char *bundle, ferry_error_t *err);

/* Runs the poststop hooks kept in BUNDLE, once.  */
void ferry_hooks_poststop (const char *bundle);

#endif
