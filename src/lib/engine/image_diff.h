/* ferry: `image diff`, what an image's top layer changed over the layers
 * below it, as Podman's `image diff IMAGE` lists it.  */
#ifndef FERRY_ENGINE_IMAGE_DIFF_H
#define FERRY_ENGINE_IMAGE_DIFF_H

#include "engine.h"
#include "../storage/changes.h"

int ferry_image_diff (ferry_engine_t *e, const char *ref, struct ferry_changes *out, ferry_error_t *err);

#endif
