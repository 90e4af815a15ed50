/* ferry: named volumes of one root.
 *
 *   <root>/volumes/<name>/_data   the directory bound into containers
 *   volumes table                 name, created, driver, labels, options,
 *                                 anonymous, needs_copy_up
 *   <root>/volumes/<name>/_copyup the image's content being copied in
 *                                 (ferry_volume_copy_up)
 *   container_volumes table       which container uses which volume where
 *
 * Names follow Podman: [a-zA-Z0-9][a-zA-Z0-9_.-]*.  A volume appears (its
 * directory and its row) whole or not at all.  */
#ifndef FERRY_ENGINE_VOLUME_H
#define FERRY_ENGINE_VOLUME_H

#include "volume_options.h"
#include "../state/db.h"
#include "../util/error.h"

#include <json-c/json.h>
#include <sys/types.h>

struct ferry_volume
{
  char *name;
  char *mountpoint; /* <root>/volumes/<name>/_data */
  char *created;
  char *driver;
  json_object *labels;  /* object */
  json_object *options; /* object */
  int anonymous;
  int needs_copy_up; /* not filled from an image yet (ferry_volume_copy_up) */
  int needs_chown;   /* still takes its users' owner (ferry_volume_fix_owner) */
  char **users;      /* NULL-terminated container IDs using it */
};

int ferry_volume_name_is_valid (const char *name);

/* Creates NAME (a random 64-hex name when NULL; *CREATED_NAME gets it).
 * Taken name: kind FERRY_ERROR_EXISTS, "volume with name X already exists:
 * ...".  When IN_TRANSACTION, the caller already holds a transaction of DB
 * and the row joins it (the directory is still made first).  */
int ferry_volume_create (ferry_db_t *db, const char *root, const char *name, json_object *labels,
                         int anonymous, int in_transaction, char **created_name, ferry_error_t *err);

/* The same, not anonymous and in a transaction of its own, with the -o
 * options OPTS (volume_options.h): stored as the volume's Options, and
 * o=uid=,gid= made the owner of its _data before it appears.  */
int ferry_volume_create_with_options (ferry_db_t *db, const char *root, const char *name, json_object *labels,
                                      const struct ferry_volume_options *opts, char **created_name,
                                      ferry_error_t *err);

/* Not found: kind FERRY_ERROR_NOT_FOUND, "no volume with name X found".  */
int ferry_volume_get (ferry_db_t *db, const char *root, const char *name, struct ferry_volume **out,
                      ferry_error_t *err);
int ferry_volume_exists (ferry_db_t *db, const char *name);
/* In the order they were made, as Podman lists them.  */
int ferry_volume_list (ferry_db_t *db, const char *root, struct ferry_volume ***out, size_t *n,
                       ferry_error_t *err);

/* Removes NAME and its data.  In use by a container: kind
 * FERRY_ERROR_IN_USE naming the container, unless FORCE (the caller then
 * removes those containers first; the volume code never touches them).  */
int ferry_volume_remove (ferry_db_t *db, const char *root, const char *name, int force, ferry_error_t *err);

/* Fills NAME from the container's image the first time a container mounts
 * it, as Podman does: with what ROOTFS (the container's mounted root file
 * system, before it starts) has at DEST, resolved inside ROOTFS, with its
 * owners and modes, and DEST's own owner and mode for the volume's root.
 * Once per volume: one that holds anything, or that was filled before,
 * stays as it is; one mounted where the image has no directory, or an
 * empty one, stays to be filled, as Podman's NeedsCopyUp.  Kill-safe: the copy is staged beside _data and
 * moved in, and a copy-up interrupted goes on the next time.  1 when
 * it filled the volume, 0 when not.  */
int ferry_volume_copy_up (ferry_db_t *db, const char *root, const char *name, const char *rootfs,
                          const char *dest, ferry_error_t *err);
/* After ferry_volume_copy_up (COPIED: it returned 1), as Podman's
 * NeedsChown: while NAME needs it, an empty volume's root (or one this
 * start filled) goes to UID:GID, the container's user, and then, unless
 * OWN_ONLY (the :U option) and where ROOTFS has DEST, to DEST's owner and
 * mode.  It stops needing it once found with content it was not just
 * given, once filled, or once DEST's owner was root's.  */
int ferry_volume_fix_owner (ferry_db_t *db, const char *root, const char *name, const char *rootfs,
                            const char *dest, uid_t uid, gid_t gid, int copied, int own_only,
                            ferry_error_t *err);
/* --mount type=volume,subpath=SUBPATH: *OUT gets the host path of
 * SUBPATH beneath volume NAME's data, resolved as Podman does at each
 * start: symlinks that stay inside are followed, a path that leaves the
 * volume is refused (kind COMMAND_NOT_EXECUTABLE: Podman's 126), a
 * missing one too (COMMAND_NOT_FOUND: 127).  */
int ferry_volume_subpath_resolve (const char *root, const char *name, const char *subpath, char **out,
                                  ferry_error_t *err);
/* Records that NAME has content of its own (an archive's): no copy-up.  */
int ferry_volume_mark_filled (ferry_db_t *db, const char *name, ferry_error_t *err);

/* NAME's content as a tar archive at TAR_PATH ("/dev/stdout" for a
 * stream), owners, modes, links and xattrs kept; and back into NAME from
 * TAR_PATH, refusing an entry that would land outside it.  Not found:
 * kind FERRY_ERROR_NOT_FOUND.  */
int ferry_volume_export (ferry_db_t *db, const char *root, const char *name, const char *tar_path,
                         ferry_error_t *err);
int ferry_volume_import (ferry_db_t *db, const char *root, const char *name, const char *tar_path,
                         ferry_error_t *err);
/* Unpacks the tar archive TAR_PATH into volume NAME, all of it or, on
 * any failure or a kill, nothing (what was there stays); a kill after
 * the archive is whole beside the volume is finished by the next look at
 * the volume.  Marks the volume filled.  */
int ferry_volume_fill_from_tar (ferry_db_t *db, const char *root, const char *name, const char *tar_path,
                                ferry_error_t *err);

void ferry_volume_free (struct ferry_volume *v);
void ferry_volumes_free (struct ferry_volume **v, size_t n);

#endif
