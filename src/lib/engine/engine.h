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
  char *exe; /* this ferry binary, for conmon's exit command */
  /* --tmpdir: where exits/ and socket/ are, as Podman's tmpdir holds its
   * exit files and attach sockets; NULL: the runroot.  */
  char *tmpdir;
  struct ferry_config config;
} ferry_engine_t;

/* CONFIG: the path of ferry.conf, or NULL for the default one (see
 * config.h).  */
int ferry_engine_open (const char *root, const char *runroot, const char *runtime, const char *log_level,
                       const char *config, ferry_engine_t **out, ferry_error_t *err);
/* The same with TMPDIR (see tmpdir above; NULL: the runroot) and
 * RUNTIME_FLAGS, global flags for every runtime invocation ("debug" is
 * passed as --debug, as Podman's --runtime-flag; NULL-terminated, may be
 * NULL).  */
int ferry_engine_open_full (const char *root, const char *runroot, const char *runtime, const char *log_level,
                            const char *config, const char *tmpdir, char *const *runtime_flags,
                            ferry_engine_t **out, ferry_error_t *err);
void ferry_engine_close (ferry_engine_t *e);

char *ferry_engine_container_dir (ferry_engine_t *e, const char *id);
char *ferry_engine_bundle_dir (ferry_engine_t *e, const char *id);
char *ferry_engine_overlay_dir (ferry_engine_t *e, const char *id);
char *ferry_engine_exit_dir (ferry_engine_t *e);
char *ferry_engine_socket_dir (ferry_engine_t *e);
char *ferry_engine_netns_path (ferry_engine_t *e, const char *id);

#endif
