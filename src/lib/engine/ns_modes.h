/* ferry: the PID, IPC and UTS namespaces of a container (--pid, --ipc,
 * --uts, as Podman's): one of its own (the default; for IPC "private" or
 * "shareable", alike here, or "none": no /dev/shm), the host's ("host"),
 * another container's ("container:ID", which must run when this one
 * starts), or a namespace file ("ns:PATH").  Kept in the record
 * ("PidMode", "IpcMode", "UTSMode", absent for the default) and applied to
 * the spec at each start.  */
#ifndef FERRY_ENGINE_NS_MODES_H
#define FERRY_ENGINE_NS_MODES_H

#include "container.h"

#include <json-c/json.h>

enum ferry_ns_kind
{
  FERRY_NS_PID,
  FERRY_NS_IPC,
  FERRY_NS_UTS,
  FERRY_NS_CGROUP, /* --cgroupns: recorded by container.c, joined here */
};

/* Checks MODE for KIND as create takes it: *OUT gets what the record
 * keeps (NULL for the default, else MODE; container:NAME as given, for
 * the caller to resolve).  A bad one: Podman's words, naming MODE.  */
int ferry_ns_mode_check (enum ferry_ns_kind kind, const char *mode, const char **out, ferry_error_t *err);

/* Records O's --pid, --ipc and --uts into REC, container:NAME as
 * container:ID.  */
int ferry_ns_modes_record (ferry_engine_t *e, const struct ferry_create_options *o, json_object *rec,
                           ferry_error_t *err);

/* Sets the pid, ipc, uts and cgroup entries of SPEC's linux.namespaces as
 * C's record says: left out for the host's, a path to join; the host's
 * /dev/shm for IPC host, none for IPC none; no hostname with the host's
 * UTS namespace.  */
int ferry_ns_modes_apply (ferry_engine_t *e, const struct ferry_container *c, json_object *spec,
                          ferry_error_t *err);

/* Before anything of C is frozen: 0 when CRIU can checkpoint C's
 * namespaces, else an error naming why and what to do.  */
int ferry_ns_modes_checkpoint_check (const struct ferry_container *c, ferry_error_t *err);

/* What inspect shows: "private", "host", ... (IPC's default:
 * "shareable").  */
const char *ferry_ns_mode_shown (const struct ferry_container *c, enum ferry_ns_kind kind);

#endif
