/* ferry: `generate systemd`, a systemd unit that runs one container
 * through ferry, in the shape of Podman 5.4's (deprecated there in favour
 * of Quadlet, which ferry does not have).
 *
 * Without new, the unit starts and stops the existing container (ferry
 * start, Type=forking, conmon's PID file); with new (or template) it runs
 * a new container from the command line that created this one (its
 * record's "CreateCommand"), with --rm, --replace, --cidfile and
 * --sdnotify=conmon (Type=notify), as Podman rewrites it.  */
#ifndef FERRY_ENGINE_GENERATE_H
#define FERRY_ENGINE_GENERATE_H

#include "engine.h"

#include <json-c/json.h>

struct ferry_generate_systemd_options
{
  int use_name;                      /* --name: the container's name, not its ID */
  int new_container;                 /* --new */
  int no_header;                     /* --no-header */
  int template_unit;                 /* --template: NAME@.service, %i in the name */
  const char *restart;               /* --restart-policy; NULL: on-failure */
  long long restart_sec;             /* --restart-sec; -1: not given */
  long long start_timeout;           /* --start-timeout; -1: not given */
  long long stop_timeout;            /* --stop-timeout; -1: the container's */
  const char *prefix;                /* --container-prefix; NULL: container */
  const char *separator;             /* --separator; NULL: "-" */
  char **env;                        /* --env KEY=VALUE (or KEY: ferry's own); may be NULL */
  char **after, **requires, **wants; /* unit names; may be NULL */
  const char *executable;            /* ferry's absolute path */
  /* Global flags for the ExecStart and ExecStop lines of an existing
   * container's unit: its roots, when not ferry's defaults.  */
  char **root_flags;
};

/* True when NAME is a restart policy systemd knows.  */
int ferry_generate_restart_policy_is_valid (const char *name);

/* The unit of container REF: *NAME ("container-web", no .service) and
 * *TEXT.  */
int ferry_generate_systemd (ferry_engine_t *e, const char *ref,
                            const struct ferry_generate_systemd_options *o, char **name, char **text,
                            ferry_error_t *err);

/* generate spec: the SpecGenerator JSON of container REF, the members
 * Podman 5.4's `generate spec` writes, in its order, for what ferry's
 * record holds.  With CLONE_NAME the name is Podman's clone name (NAME-clone,
 * or the next free NAME-cloneN when NAME is a clone already), else the
 * container's own.  Not found: kind NOT_FOUND, "could not find a pod or
 * container with the id REF".  */
int ferry_generate_spec (ferry_engine_t *e, const char *ref, int clone_name, json_object **out,
                         ferry_error_t *err);

#endif
