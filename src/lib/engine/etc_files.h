/* ferry: a running container's /etc/hosts and /etc/resolv.conf, edited
 * live when it joins or leaves a network, as Podman edits them.
 *
 * The container has the inode of ferry's own file bound over its /etc
 * file, so a rename (how ferry writes files elsewhere) would leave it on
 * the old content: the new content is written over the same inode.  So
 * that a ferry killed at any instruction never leaves the container with
 * a torn file that nothing mends, each change goes in three steps:
 *
 *   1. the whole new content is written beside the file, NAME.next
 *      (atomically: it is there complete or not at all);
 *   2. an operation record "etc-files" in phase "copy" says so;
 *   3. NAME.next is written over NAME with one write from offset 0, then
 *      NAME is truncated to the new length and synced, NAME.next removed
 *      and the record ended.
 *
 * Until 3 is done the file is never shorter than the new content, and
 * the next ferry command settles the record by doing 3 again from
 * NAME.next.  A connect records the operation (phase "connect") before
 * netavark sets the network up, so that a connect killed after the setup
 * and before step 1 has its lines added by that settle too.  A
 * disconnect records it (phase "disconnect", detail action "disconnect")
 * before it edits the files, keeps it through the copy and the teardown
 * (phase "teardown") and ends it with the change of the container's
 * record: killed anywhere after the record, the next command finishes
 * the disconnect (ferry_network_disconnect_finish).
 *
 * Only ferry's own files in the container's directory are opened, never
 * through a symlink, and never a path inside the container's root: a file
 * the user bound over /etc/hosts is not ferry's and stays as it is.  */
#ifndef FERRY_ENGINE_ETC_FILES_H
#define FERRY_ENGINE_ETC_FILES_H

#include "container.h"
#include "engine.h"
#include "operation.h"

#include <json-c/json.h>

/* The addresses netavark gave network NAME in STATUS, canonical
 * (NULL-terminated, never NULL).  */
char **ferry_etc_files_network_addresses (json_object *status, const char *name);

/* Network NAME just set up for running container C, STATUS being
 * netavark's report that has it: its addresses appended to C's
 * /etc/hosts for C's names, its DNS servers put first in its
 * /etc/resolv.conf.  OP is the record "connect" begun before the setup;
 * it is ended here, also on failure.  */
int ferry_etc_files_connected (ferry_engine_t *e, const struct ferry_container *c, struct ferry_operation *op,
                               const char *name, json_object *status, ferry_error_t *err);

/* Network NAME about to be torn down for running container C, STATUS
 * being netavark's report that has it: its entries and DNS servers taken
 * out of C's files.  OP is the disconnect's record (action "disconnect"):
 * it goes through phase "copy" to "teardown" and stays, the caller's to
 * end with the record change.  */
int ferry_etc_files_disconnecting (ferry_engine_t *e, const struct ferry_container *c,
                                   struct ferry_operation *op, const char *name, json_object *status,
                                   ferry_error_t *err);

/* Leftovers of an edit that never got its record (killed between steps 1
 * and 2): removed before the files are written anew.  */
void ferry_etc_files_drop_staged (ferry_engine_t *e, const char *id);

/* Settles an "etc-files" operation whose owner is gone, and ends it.  */
int ferry_etc_files_settle (ferry_engine_t *e, struct ferry_operation *op, ferry_error_t *err);

#endif
