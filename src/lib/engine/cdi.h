/* ferry: run and create's device and platform options that Podman 5.4
 * takes beyond device paths: CDI devices (--device VENDOR/CLASS=NAME and
 * --gpus), --seccomp-policy and --rdt-class.
 *
 * CDI devices are kept in the record by name ("CDIDevices") and resolved
 * at each start and each restore through the CDI spec directories of the
 * ferry that starts it (--cdi-spec-dir, else containers.conf's
 * cdi_spec_dirs, else /etc/cdi and /var/run/cdi), as Podman resolves them
 * each time it makes the container's spec.  A checkpoint therefore
 * carries the names, not the host paths of one machine: restored in
 * place it gets the same edits; imported on another host (or root) it
 * gets that host's spec of the same devices, and where that host has
 * none the restore fails with "unresolvable CDI devices" and creates
 * nothing.  The edits a spec made are in the runtime's config.json only.
 *
 * --seccomp-policy image: the seccomp profile is the JSON in the image's
 * io.containers.seccomp.profile label, taken into the record at create
 * (as a --security-opt seccomp=FILE profile is).
 *
 * --rdt-class CLASS ("IntelRdtClosID"): linux.intelRdt.closID in the
 * spec, the Intel RDT class of service the runtime assigns the container
 * to; a runtime on a host without resctrl ignores it, as with Podman.  */
#ifndef FERRY_ENGINE_CDI_H
#define FERRY_ENGINE_CDI_H

#include "container.h"

#include <json-c/json.h>

/* The image label --seccomp-policy image reads, as Podman's.  */
#define FERRY_SECCOMP_IMAGE_LABEL "io.containers.seccomp.profile"

/* run/create's flags, as typed; NULL: not given.  */
struct ferry_cdi_options
{
  char **gpus;                /* --gpus: nvidia.com/gpu=VALUE each; may be NULL */
  const char *seccomp_policy; /* "default" or "image" */
  const char *rdt_class;      /* --rdt-class */
};

/* Podman's error for a --seccomp-policy other than default and image,
 * NULL for those.  */
char *ferry_cdi_seccomp_policy_error (const char *policy);

/* Adds to REC "CDIDevices" (the qualified CDI names among DEVICES, the
 * --device texts, then O's GPUs), "IntelRdtClosID", and with
 * --seccomp-policy image the image's profile as "Seccomp" (IMAGE_CONFIG:
 * the image config's "config", NULL without an image).  O may be NULL.  */
int ferry_cdi_record (const struct ferry_cdi_options *o, char *const *devices, json_object *image_config,
                      json_object *rec, ferry_error_t *err);

/* The CDI spec directories of E from now on (--cdi-spec-dir), over
 * containers.conf's.  */
void ferry_cdi_set_spec_dirs (ferry_engine_t *e, char *const *dirs);

/* C's CDI devices and RDT class, applied to its OCI spec SPEC.  */
int ferry_cdi_apply (ferry_engine_t *e, const struct ferry_container *c, json_object *spec,
                     ferry_error_t *err);

#endif
