#ifndef FERRY_ENGINE_PODMAN_ARCHIVE_H
#define FERRY_ENGINE_PODMAN_ARCHIVE_H

#include "engine.h"
#include "../util/error.h"

#include <json-c/json.h>

/* Checkpoint archives that `podman container checkpoint --export` writes
 * (the same entries as ferry's, docs/checkpoint-archive.md, plus an
 * artifacts/ directory), and those CRI-O writes for the kubelet (the same
 * layout, with CRI-O's annotations in spec.dump and fewer entries): no
 * manifest.json and no ferry record in config.dump.  */

/* The ferry record of the container that Podman's config.dump (DUMP) and
 * the spec.dump and network.status in STAGING describe, for
 * ferry_archive_record_check to judge like any other record; NULL with
 * *ERR naming WHAT when they do not describe a container ferry can run.
 * The image must be in the store: the archive names it by ID and tag
 * only.  */
json_object *ferry_podman_archive_record (ferry_engine_t *e, json_object *dump, const char *staging,
                                          const char *what, ferry_error_t *err);

/* The entry CRI-O keeps the container's log in (its annotation's name).  */
#define FERRY_CRIO_LOG_ENTRY "io.kubernetes.cri-o.LogPath"

/* Puts what such an archive staged in STAGING where a restore reads it:
 * CRI-O's log as ctr.log.  */
int ferry_podman_archive_stage (const char *staging, ferry_error_t *err);

#endif
