/* ferry engine: what its files share and nothing outside uses.  */
#ifndef FERRY_ENGINE_INTERNAL_H
#define FERRY_ENGINE_INTERNAL_H

#include "container.h"
#include "../util/parse.h"

#include <stddef.h>
#include <stdint.h>

char *ferry_random_hex (size_t bytes);

/* conmon's exit command: this ferry, with the options that find the same
 * container, exit file and runtime state; `container cleanup [--exec
 * EXEC_SESSION] ID`.  */
char **ferry_engine_exit_command (ferry_engine_t *e, const char *id, const char *exec_session);

/* The record REC's Ulimits as the spec takes them (*N of them), leaving
 * out members that are not limits (create and the archive check wrote
 * and checked them).  */
struct ferry_spec_rlimit *ferry_container_record_rlimits (json_object *rec, size_t *n);

/* Adds "K=V" to ENV (a JSON array), replacing an entry with the same K.  */
void ferry_env_set (json_object *env, const char *kv);

/* The rule for a container name, from the command line or an archive:
 * a letter or digit, then letters, digits, `_`, `.` and `-`.  */
int ferry_container_name_is_valid (const char *name);

/* A hostname: 1 to FERRY_HOSTNAME_MAX characters, none a space or a
 * control character.  */
#define FERRY_HOSTNAME_MAX 64
int ferry_hostname_is_valid (const char *name);

/* A --security-opt unmask path or pattern: absolute, one line.  */
int ferry_mask_pattern_is_valid (const char *pattern);

/* Where --tz zones come from.  A zone is valid when it names a file there
 * by a clean relative path, or is "local" (the host's /etc/localtime).  */
#define FERRY_ZONEINFO_DIR "/usr/share/zoneinfo"
int ferry_timezone_is_valid (const char *tz);

/* Applies --env-file FILES, then -e OPTIONS ("K=V", or "K": ferry's own
 * K when it is set), to ENV, a JSON array of "K=V" (a K set twice keeps
 * the later value).  A variable without a name is an error, an option's
 * wrapped in OPTIONS_CONTEXT when not NULL.  */
struct json_object;
int ferry_container_env_apply (struct json_object *env, char *const *env_files, char *const *env_options,
                               const char *options_context, ferry_error_t *err);

/* Starts the exec O (R's) in container C as a session under conmon,
 * connected to its attach socket unless R detaches; R's session gets it.  */
struct ferry_exec_options;
int ferry_exec_session_launch (ferry_engine_t *e, const struct ferry_container *c,
                               const struct ferry_exec_options *o, const struct ferry_exec_request *r,
                               ferry_error_t *err);

/* Finds without refreshing the state.  */
int ferry_container_find (ferry_engine_t *e, const char *ref, struct ferry_container **out,
                          ferry_error_t *err);
/* 1 when a container is named NAME, 2 when one has exactly ID, else 0
 * (exact matches only: not the ID prefixes users may type).  */
int ferry_container_taken (ferry_engine_t *e, const char *name, const char *id);
int ferry_container_save_state (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err);
/* Saves C only when its row still says stopping: 1 when it did, 0 when
 * another ferry changed it since, -1 on error.  */
int ferry_container_save_unless_stopped (ferry_engine_t *e, const struct ferry_container *c,
                                         ferry_error_t *err);
/* Saves C, stopped, only when its row still says running, paused or
 * stopping: 1 when
 * this call recorded the exit (and should tell of it), 0 when another
 * ferry had, -1 on error.  */
int ferry_container_save_exit (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err);
/* Records the container REC describes completely ("Id", "Name", "Mounts",
 * ...): its directories, its row, and the volumes it names that do not
 * exist yet.  On failure nothing of it remains.  */
struct ferry_operation;
/* With OP, the names of the volumes this insert made go into OP's detail
 * ("volumes") and OP is saved in the same transaction, so that undoing
 * the operation removes those and no others.  */
int ferry_container_insert (ferry_engine_t *e, const char *image_id, json_object *rec,
                            struct ferry_operation *op, ferry_error_t *err);

/* Saves REC as container ID's record; in the caller's transaction or on
 * its own.  */
int ferry_container_update_record (ferry_engine_t *e, const char *id, json_object *rec, ferry_error_t *err);

/* Where netavark's report of container ID's attachment is kept while its
 * network namespace is.  */
char *ferry_container_network_status_path (ferry_engine_t *e, const char *id);

/* The lower directories of C's overlay, top first, N of them: its
 * image's layers, or for a --rootfs container its directory (bound, not
 * overlaid, without `:O`).  */
char **ferry_container_lower_paths (ferry_engine_t *e, const struct ferry_container *c, size_t *n,
                                    ferry_error_t *err);

/* Removes the directories of container ID (a half-made one's).  */
void ferry_container_remove_dirs (ferry_engine_t *e, const char *id);

/* `rm` of C, whose lock the caller holds.  KEEP_EXIT_FILE leaves conmon's
 * exit file for a `wait` that outlives the container (--rm).  */
int ferry_container_remove_locked (ferry_engine_t *e, struct ferry_container *c, int force, int volumes,
                                   int keep_exit_file, ferry_error_t *err);

/* Called by launch: once the bundle directory is there (the container's
 * files and mounts come next), and just before the runtime runs; a
 * failure fails the launch.  Either may be NULL.  */
struct ferry_launch_hook
{
  int (*bundle_made) (const char *bundle, void *arg, ferry_error_t *err);
  int (*before_runtime) (const char *bundle, void *arg, ferry_error_t *err);
  void *arg;
};

/* Ends what a launch of C that failed or whose ferry was killed may have
 * left at work: its conmon, the runtime's create or restore, CRIU, and
 * what CRIU was restoring.  The container's process, if the runtime
 * made one, is the runtime's to delete (ferry_container_teardown).  */
void ferry_container_end_launch (ferry_engine_t *e, const struct ferry_container *c);

/* From mounts to a created runtime container: for start, and for restore
 * with RESTORE_FROM (a CRIU images dir), RUNTIME_OPTS (extra runtime flags)
 * and DEVSHM_TAR (the /dev/shm content to put back, may be NULL).  HOOK
 * may be NULL.  */
int ferry_container_launch (ferry_engine_t *e, struct ferry_container *c, const char *restore_from,
                            char **runtime_opts, const char *devshm_tar, const struct ferry_start_options *so,
                            const struct ferry_launch_hook *hook, ferry_error_t *err);

/* The CRIU configuration file in a container's bundle, which every
 * launch points runc at (annotation org.criu.config): runc reads it for
 * each checkpoint and restore, and CRIU lets it override runc's options.
 * ferry_container_criu_config writes it for the checkpoint, or (with the
 * container's RESTORE_SPEC) the restore, about to run, with EXTRA lines
 * (may be NULL).  */
#define CRIU_CONFIG "criu.conf"
int ferry_container_criu_config (ferry_engine_t *e, const struct ferry_container *c,
                                 json_object *restore_spec, const char *extra, ferry_error_t *err);

/* Mounts C's root file system at its overlay's merged dir (OV, filled);
 * already mounted is no error.  */
struct ferry_overlay;
int ferry_container_mount_rootfs (ferry_engine_t *e, const struct ferry_container *c,
                                  struct ferry_overlay *ov, ferry_error_t *err);

/* Undoes what launch set up; every step tolerates having been done.  */
void ferry_container_teardown (ferry_engine_t *e, const struct ferry_container *c);

/* Detaches C from its networks and removes its network namespace, which
 * teardown keeps while an in-place checkpoint waits for its restore.  */
void ferry_container_teardown_network (ferry_engine_t *e, const struct ferry_container *c);

int ferry_container_lock (ferry_engine_t *e, const char *id, ferry_error_t *err);
/* Finds REF, locks it and reads it again under the lock, by ID; returns
 * the lock (ferry_lock_release) or -1.  */
int ferry_container_find_locked (ferry_engine_t *e, const char *ref, struct ferry_container **out,
                                 ferry_error_t *err);

/* Reads conmon's exit file into C; 1 when the container has exited.  */
int ferry_container_take_exit_file (ferry_engine_t *e, struct ferry_container *c);
/* Waits up to TIMEOUT_MS for it.  */
int ferry_container_wait_exit_file (ferry_engine_t *e, struct ferry_container *c, long long timeout_ms);

/* True when PID is a live conmon.  A zombie is not: a monitor killed with
 * SIGKILL stays one until its reaper gets to it.  */
int ferry_process_is_conmon (pid_t pid);

/* exec of R in running container C, without the events `exec` tells.  */
int ferry_container_exec_in (ferry_engine_t *e, const struct ferry_container *c,
                             const struct ferry_exec_request *r, int *exit_code, ferry_error_t *err);

/* Detaches the mounts below DIR/ENTRY for each of ENTRIES (an overlay or
 * a network namespace a killed ferry left), deepest first, so that the
 * removal, which never crosses into a mount, can empty them.  */
void ferry_unmount_below (const char *dir, const char *const *entries);

/* Brings C's state up to date with what conmon and the runtime say.  */
void ferry_container_refresh (ferry_engine_t *e, struct ferry_container *c);

#endif
