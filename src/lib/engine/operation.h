/* ferry: operations that survive a crash.
 *
 * A checkpoint or restore changes state in several places at once (the
 * cgroup freezer, CRIU's images, a temporary archive, staging, the
 * runtime, conmon, the database).  Each records its intent in the
 * database (table operations) before its first side effect, advances its
 * phase as it goes, and removes the record when done or undone.  The owner
 * holds the container's lock throughout and is known by its PID and start
 * time.  Any ferry that opens the root and finds a record whose owner is
 * gone settles it before anything else: forward when the new state is
 * complete and verifiable, back to the state before otherwise.  What
 * forward and back mean for each phase is written beside the operation
 * (checkpoint.c, restore.c).  */
#ifndef FERRY_ENGINE_OPERATION_H
#define FERRY_ENGINE_OPERATION_H

#include "engine.h"

#include <json-c/json.h>
#include <sys/types.h>

enum ferry_operation_kind
{
  FERRY_OPERATION_CHECKPOINT,
  FERRY_OPERATION_RESTORE,        /* in place */
  FERRY_OPERATION_IMPORT,         /* restore --import: the container is made by it */
  FERRY_OPERATION_INIT,           /* init: the launch into the runtime (init.c) */
  FERRY_OPERATION_UPDATE,         /* update: new limits, for the runtime and the record (update.h) */
  FERRY_OPERATION_ETC_FILES,      /* a live edit of /etc/hosts and /etc/resolv.conf (etc_files.h) */
  FERRY_OPERATION_NETWORK_RELOAD, /* network reload: teardown and setup again (network.h) */
};

struct ferry_operation
{
  char *container_id;
  enum ferry_operation_kind kind;
  char *phase;
  pid_t owner_pid;
  unsigned long long owner_start;
  char *started;
  json_object *detail; /* what it made (paths) and its options */
};

const char *ferry_operation_kind_name (enum ferry_operation_kind kind);

/* Makes OP this process's operation on container ID, in PHASE, with
 * DETAIL (taken), and records it.  Fails when the container has one.  */
int ferry_operation_begin (ferry_engine_t *e, struct ferry_operation *op, const char *id,
                           enum ferry_operation_kind kind, const char *phase, json_object *detail,
                           ferry_error_t *err);

/* Records PHASE, and the detail as it is now.  */
int ferry_operation_advance (ferry_engine_t *e, struct ferry_operation *op, const char *phase,
                             ferry_error_t *err);

/* Removes the record: the operation is over.  Inside the caller's
 * transaction when there is one, so that the outcome and the end of the
 * operation are recorded together.  */
int ferry_operation_end (ferry_engine_t *e, const struct ferry_operation *op, ferry_error_t *err);

/* Records C's state (when C is not NULL) and the end of OP in one
 * transaction: the outcome and the end of the operation are never seen
 * apart.  */
struct ferry_container;
int ferry_operation_end_with (ferry_engine_t *e, const struct ferry_container *c,
                              const struct ferry_operation *op, ferry_error_t *err);

/* The boolean KEY of OP's detail; false when missing or of another type.  */
int ferry_operation_detail_bool (const struct ferry_operation *op, const char *key);

void ferry_operation_release (struct ferry_operation *op);

/* Reads the record of container ID into *OUT.  Returns 1 when there is
 * one, 0 when not, -1 on error.  */
int ferry_operation_get (ferry_engine_t *e, const char *id, struct ferry_operation *out, ferry_error_t *err);

/* True while the process that owns OP runs.  */
int ferry_operation_owner_alive (const struct ferry_operation *op);

/* Settles every operation whose owner is gone, then removes the staging
 * and dump directories of owners that are gone.  What cannot be settled
 * now stays recorded for the next command.  */
void ferry_operations_settle (ferry_engine_t *e);

/* "<pid>-<start time>" of this process: the owner part of the names of
 * the directories an operation makes, "<prefix><owner>-XXXXXX".  */
char *ferry_operation_owner_tag (void);

/* The path the record's KEY names, when it is PARENT/<name> and <name>
 * is one ferry makes: "<prefix><digits>-<digits>-<letters and digits>"
 * (an owner tag and a random part).  NULL otherwise: what the database
 * says is checked before anything it names is removed.  */
const char *ferry_operation_path_in (const struct ferry_operation *op, const char *key, const char *parent,
                                     const char *prefix);

/* "PARENT/<prefix><owner tag>-<random>", for ferry_operation_path_in.  */
char *ferry_operation_make_name (const char *parent, const char *prefix);

/* Settling, one per kind: each ends OP on success.  */
int ferry_checkpoint_settle (ferry_engine_t *e, struct ferry_operation *op, ferry_error_t *err);
int ferry_restore_settle (ferry_engine_t *e, struct ferry_operation *op, ferry_error_t *err);
int ferry_init_settle (ferry_engine_t *e, struct ferry_operation *op, ferry_error_t *err);
int ferry_update_settle (ferry_engine_t *e, struct ferry_operation *op, ferry_error_t *err);
int ferry_network_reload_settle (ferry_engine_t *e, struct ferry_operation *op, ferry_error_t *err);

#endif
