/* ferry: `image diff`, what an image's top layer changed over the layers
 * below it, as Podman's `image diff IMAGE` lists it (without the files
 * the engine puts in containers, as ferry_container_diff), and `diff`.  */
#ifndef FERRY_ENGINE_IMAGE_DIFF_H
#define FERRY_ENGINE_IMAGE_DIFF_H

#include "engine.h"
#include "../storage/changes.h"

int ferry_image_diff (ferry_engine_t *e, const char *ref, struct ferry_changes *out, ferry_error_t *err);

/* What `diff` looks REF and PARENT up as: a container or an image (a
 * container first), as `diff` does; a container alone (`container
 * diff`); an image alone (`image diff`).  */
enum ferry_diff_of
{
  FERRY_DIFF_ANY,
  FERRY_DIFF_CONTAINER,
  FERRY_DIFF_IMAGE,
};

/* `diff REF [PARENT]` as Podman's: REF's own changes (those of
 * ferry_container_diff or ferry_image_diff); with PARENT, REF's changes
 * over it, which ferry reads where PARENT is REF's parent (a container's
 * image, or the image of all of an image's layers but its top) or REF
 * itself (no changes), and refuses otherwise.  One that is not there:
 * kind NOT_FOUND, in Podman's words for what OF looked for.  */
int ferry_object_diff (ferry_engine_t *e, enum ferry_diff_of of, const char *ref, const char *parent,
                       struct ferry_changes *out, ferry_error_t *err);

#endif
