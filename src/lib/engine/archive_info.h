/* ferry: what a checkpoint archive holds and would be granted, read
 * without restoring it (`ferry archive inspect`): the whole archive is
 * read and verified against its manifest, nothing is written.  */
#ifndef FERRY_ENGINE_ARCHIVE_INFO_H
#define FERRY_ENGINE_ARCHIVE_INFO_H

#include "engine.h"

#include <json-c/json.h>

/* *OUT gets the description of the archive at PATH.  VERIFY_KEYS (may be
 * NULL) and the root's trusted keys decide whether its signature is
 * trusted; an untrusted or bad signature is reported, not an error.  An
 * archive that is not whole (a digest or size off, an entry missing) is
 * an error.  An encrypted archive is opened with the age identity file
 * DECRYPT_KEY; without one, only what its header shows is described.  */
int ferry_archive_inspect (ferry_engine_t *e, const char *path, char *const *verify_keys,
                           const char *decrypt_key, json_object **out, ferry_error_t *err);

#endif
