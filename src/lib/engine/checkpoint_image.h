/* ferry: checkpoint images.
 *
 * A checkpoint image is an OCI image of one layer whose tar is a
 * checkpoint archive (ferry's, docs/checkpoint-archive.md, manifest.json
 * included; or one Podman made with --create-image), with annotations
 * saying what it is: Podman's io.podman.annotations.checkpoint.*, CRI-O's
 * io.kubernetes.cri-o.annotations.checkpoint.* and checkpointctl's
 * org.criu.checkpoint.*, so that `podman container restore IMAGE` and
 * CRI-O restore it too.  It is pushed, pulled, listed and removed like any
 * image; ferry restores it from its layer's blob, through the archive's
 * own checks.  */
#ifndef FERRY_ENGINE_CHECKPOINT_IMAGE_H
#define FERRY_ENGINE_CHECKPOINT_IMAGE_H

#include "engine.h"
#include "container.h"
#include "../image/pull.h"
#include "../image/store.h"
#include "../util/error.h"

#include <json-c/json.h>
#include <stdbool.h>

/* True when IMG's manifest says it is a checkpoint image.  */
bool ferry_checkpoint_image_is (const struct ferry_image *img);

/* The manifest annotations of a checkpoint image of C, dumped by CRIU
 * CRIU_VERSION ("4.2.1"; may be NULL).  */
json_object *ferry_checkpoint_image_annotations (ferry_engine_t *e, const struct ferry_container *c,
                                                 const char *criu_version);

/* Makes the checkpoint image NAME from the archive ARCHIVE (on the
 * store's file system; the caller removes its name afterwards).  */
int ferry_checkpoint_image_commit (ferry_engine_t *e, const struct ferry_container *c, const char *name,
                                   const char *archive, const char *criu_version, ferry_error_t *err);

/* When REF names a checkpoint image here: 1, and *BLOB the path of its
 * layer's blob (the archive); 0 when it names no image or another kind;
 * -1 with *ERR when it is one whose blob is missing.  */
int ferry_checkpoint_image_blob (ferry_engine_t *e, const char *ref, char **blob, ferry_error_t *err);

/* restore's view of REF: 0 when a container has that name; else, when it
 * is a checkpoint image (pulled first as POLICY says: "missing" unless
 * stored, "always" or "never", with PULL), 1 and *BLOB its archive; else 0
 * and *WHY: "" when it is neither, else why a pull failed.  -1 with *ERR on
 * a checkpoint image that cannot be read, and on an image that is no
 * checkpoint.  */
int ferry_checkpoint_image_find (ferry_engine_t *e, const char *ref, const char *policy,
                                 const struct ferry_transfer_options *pull, char **blob, char **why,
                                 ferry_error_t *err);

#endif
