/* ferry: the shapes of the JSON documents an image is made of.
 *
 * Indexes, manifests and configs come from archives, registries and the
 * database, none of which ferry can trust.  Before any member is used, each
 * document is checked to hold it with the type the OCI image spec (and
 * Docker's schema 2) gives it, and in the range or form it must have:
 * schemaVersion 2, sizes integers >= 0, digests "sha256:" and 64 lowercase
 * hex digits.  Members ferry never reads are not checked.  An optional
 * member may be missing or null (Go's encoders write empty lists as null).
 *
 * A refusal reads "field `PATH` must be ..., not ..." with PATH the
 * member's place in the document ("layers[1].size"); the caller prefixes
 * the name of the document and where it came from.  */
#ifndef FERRY_IMAGE_SCHEMA_H
#define FERRY_IMAGE_SCHEMA_H

#include "../util/error.h"

#include <json-c/json.h>
#include <stdbool.h>

/* An image index (OCI) or manifest list (Docker), and an OCI layout's
 * index.json.  Entries are type-checked; the digest of the entry a caller
 * uses is still the caller's to check with ferry_digest_is_valid (an entry
 * for another platform may use an algorithm ferry does not know).  */
int ferry_image_check_index (json_object *index, ferry_error_t *err);

/* An image manifest, OCI or Docker schema 2.  */
int ferry_image_check_manifest (json_object *manifest, ferry_error_t *err);

/* An image config: rootfs.diff_ids, and the members a container is made
 * from (Env, Cmd, Entrypoint, User, WorkingDir, Labels, Volumes, ...).  */
int ferry_image_check_config (json_object *config, ferry_error_t *err);

/* True when MANIFEST (checked) carries an annotation by which an engine
 * knows a checkpoint image: Podman's, CRI-O's or checkpointctl's.  Its one
 * layer is a checkpoint archive, kept as its blob, never unpacked.  */
bool ferry_image_manifest_is_checkpoint (json_object *manifest);

/* A docker-archive's manifest.json: a list of {Config, Layers, RepoTags}.  */
int ferry_image_check_docker_manifest (json_object *list, ferry_error_t *err);

#endif
