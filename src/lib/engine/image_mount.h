/* ferry engine: --mount type=image, an image's file system mounted in a
 * container: an overlay of the image's layers of the container's own,
 * made at each start and taken down with the container's other mounts.  */
#ifndef FERRY_ENGINE_IMAGE_MOUNT_H
#define FERRY_ENGINE_IMAGE_MOUNT_H

#include "container.h"
#include "engine.h"
#include "../util/error.h"

#include <json-c/json.h>

/* The record's mount for M (type image): the image M names, found in the
 * store now (Podman's words when it is not there), kept by ID.  */
int ferry_image_mount_record (ferry_engine_t *e, const struct ferry_mount_spec *m, json_object **out,
                              ferry_error_t *err);

/* Mounts the overlay of each image mount of C.  */
int ferry_image_mounts_mount (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err);

/* *OUT gets the host path to bind for the image mount number INDEX of
 * C's Mounts (M): its overlay's merged directory, or the SubPath in it,
 * resolved inside it.  */
int ferry_image_mount_source (ferry_engine_t *e, const struct ferry_container *c, size_t index,
                              json_object *m, char **out, ferry_error_t *err);

/* Refuses (kind STATE) a C that writes to an image it mounts (rw=true):
 * those changes live beside the container on this host, and an archive
 * does not carry them.  */
int ferry_image_mounts_check_portable (const struct ferry_container *c, ferry_error_t *err);

/* Unmounts every image mount of C; tolerates what is not mounted.  */
void ferry_image_mounts_unmount (ferry_engine_t *e, const struct ferry_container *c);

#endif
