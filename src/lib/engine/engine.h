/* ferry: the engine of one root and runroot: the image store (and through it
 * the state database), the OCI runtime, and where everything lives.
 *
 *   <root>/containers/<id>/          persistent: hosts, resolv.conf, hostname,
 *                                    ctr.log, shm/ (a tmpfs while running)
 *   <root>/storage/overlay/<id>/     the rootfs: upper, work, merged
 *   <runroot>/containers/<id>/       volatile: config.json (the bundle),
 *                                    pidfile, conmon.pid, conmon's persist dir
 *   <runroot>/exits/<id>             the exit code, written by conmon
 *   <runroot>/socket/<id>/attach     conmon's attach socket
 *                                    (exits/ and socket/ are in --tmpdir
 *                                    when given)
 *   <runroot>/netns/<id>             the container's network namespace
 *   <runroot>/runtime/               the OCI runtime's own state  */
#ifndef FERRY_ENGINE_ENGINE_H
#define FERRY_ENGINE_ENGINE_H

#include "config.h"
#include "../image/store.h"
#include "../runtime/runtime.h"
#include "../util/error.h"

typedef struct ferry_engine
{
  char *root;
  char *runroot;
  char *log_level;
  ferry_store_t *store;
  ferry_db_t *db; /* the store's */
  struct ferry_runtime runtime;
  /* Runtimes containers were created with other than RUNTIME, loaded as
   * their containers need them (ferry_engine_runtime_of).  */
  struct ferry_runtime **other_runtimes;
  size_t n_other_runtimes;
  char *exe; /* this ferry binary, for conmon's exit command */
  /* --tmpdir: where exits/ and socket/ are, as Podman's tmpdir holds its
   * exit files and attach sockets; NULL: the runroot.  */
  char *tmpdir;
  /* --module: containers.conf modules, absolute paths, NULL-terminated
   * (may be NULL); conmon's exit command passes them on.  */
  char **modules;
  struct ferry_config config;
} ferry_engine_t;

/* CONFIG: the path of ferry.conf, or NULL for the default one (see
 * config.h).  */
int ferry_engine_open (const char *root, const char *runroot, const char *runtime, const char *log_level,
                       const char *config, ferry_engine_t **out, ferry_error_t *err);
/* The same with TMPDIR (see tmpdir above; NULL: the runroot),
 * RUNTIME_FLAGS, global flags for every runtime invocation ("debug" is
 * passed as --debug, as Podman's --runtime-flag; NULL-terminated, may be
 * NULL), and MODULES, containers.conf modules (see modules above).  */
int ferry_engine_open_full (const char *root, const char *runroot, const char *runtime, const char *log_level,
                            const char *config, const char *tmpdir, char *const *runtime_flags,
                            char *const *modules, ferry_engine_t **out, ferry_error_t *err);
void ferry_engine_close (ferry_engine_t *e);

/* Before a wait of unknown length that reads no state (an attach): see
 * ferry_db_idle.  */
void ferry_engine_idle (ferry_engine_t *e);

struct ferry_container;

/* The OCI runtime REQUESTED names (a name or an absolute path, as a
 * container records it; a name of containers.conf's [engine.runtimes] is
 * found where that says): this ferry's own when it is the same, else one
 * loaded once per engine, with the same runroot and flags.  Not found: kind
 * FERRY_ERROR_NOT_FOUND.  */
const struct ferry_runtime *ferry_engine_runtime_named (ferry_engine_t *e, const char *requested,
                                                        ferry_error_t *err);
/* The runtime container C was created with (its record's OCIRuntime), which
 * runs every operation on it whatever --runtime this ferry was given, as
 * Podman keeps it; a record without one (made before ferry recorded it):
 * this ferry's.  Not found: an error naming the container and the way out.  */
const struct ferry_runtime *ferry_engine_runtime_of (ferry_engine_t *e, const struct ferry_container *c,
                                                     ferry_error_t *err);
/* The same for undoing and settling, which must go on: this ferry's own
 * runtime when the container's cannot be found.  */
const struct ferry_runtime *ferry_engine_runtime_or_own (ferry_engine_t *e, const struct ferry_container *c);
/* The same for the container whose ID is ID (settling an operation, which
 * has the ID only).  */
const struct ferry_runtime *ferry_engine_runtime_or_own_id (ferry_engine_t *e, const char *id);
/* Whether REQUESTED is a runtime `system migrate --new-runtime` may move
 * containers to, by Podman's rule: one of the runtime names Podman knows
 * (runc, crun, ..., and containers.conf's [engine.runtimes]) installed
 * here, this ferry's --runtime, or a path a container records already,
 * which exists.  */
int ferry_engine_runtime_is_known (ferry_engine_t *e, const char *requested);
/* What a container's record says its runtime is (the default one's name
 * when it says nothing), as inspect's OCIRuntime shows it.  */
const char *ferry_engine_runtime_recorded (ferry_engine_t *e, const struct ferry_container *c);

char *ferry_engine_container_dir (ferry_engine_t *e, const char *id);
char *ferry_engine_bundle_dir (ferry_engine_t *e, const char *id);
char *ferry_engine_overlay_dir (ferry_engine_t *e, const char *id);
char *ferry_engine_exit_dir (ferry_engine_t *e);
char *ferry_engine_socket_dir (ferry_engine_t *e);
char *ferry_engine_netns_path (ferry_engine_t *e, const char *id);

#endif
