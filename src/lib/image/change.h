/* ferry: `--change` of commit and import: Dockerfile instructions (CMD,
 * ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME,
 * WORKDIR) applied to the "config" object of an image's config.  */
#ifndef FERRY_IMAGE_CHANGE_H
#define FERRY_IMAGE_CHANGE_H

#include "../util/error.h"

#include <json-c/json.h>
#include <stddef.h>

/* Applies CHANGE ("CMD [\"sh\"]", "ENV K=V", ...) to CONF; with CONF NULL
 * only checks it.  ONBUILD is accepted and dropped (an OCI config has no
 * place for it).  -1 and ERR for an instruction ferry does not know or
 * one without its arguments.  */
int ferry_image_change_apply (json_object *conf, const char *change, ferry_error_t *err);

/* Applies CHANGES (NULL-terminated; may be NULL) in order, as Podman does:
 * an ENTRYPOINT drops the command the config had, not one that a CMD among
 * CHANGES gives.  On error, *FAILED (may be NULL) gets the index of the
 * change at fault.  */
int ferry_image_changes_apply (json_object *conf, char *const *changes, size_t *failed, ferry_error_t *err);

#endif
