/* ferry: run and create's systemd options, as Podman 5.4 takes them.
 *
 * --systemd true|false|always: in systemd mode ("SystemdMode" in the
 * record, decided at create as Podman decides it) each start gives the
 * container tmpfs mounts on /run, /run/lock, /tmp and /var/log/journal
 * (of --shm-size-systemd's size, "ShmSizeSystemd"), a writable systemd
 * cgroup hierarchy, container_uuid in its environment and SIGRTMIN+3 as
 * its stop signal.
 *
 * --sdnotify container|conmon|healthy|ignore ("SdNotifyMode", absent:
 * container) says what ferry does with the NOTIFY_SOCKET of its own
 * environment when it starts the container: conmon (ferry) sends
 * MAINPID and READY=1; container passes a socket into the container at
 * /run/notify/notify.sock, which conmon relays to ferry's (READY=1 and
 * WATCHDOG=1 only), and ferry sends MAINPID; healthy sends MAINPID, then
 * READY=1 once the health check passed; ignore sends nothing.  MAINPID is
 * conmon's, the process that lives as long as the container.
 *
 * --requires NAME[,NAME]: the containers started before this one
 * ("Requires", their IDs), which cannot be removed while it exists.
 *
 * All are in the record, so a checkpoint restored in place or imported
 * elsewhere keeps them.  */
#ifndef FERRY_ENGINE_SYSTEMD_H
#define FERRY_ENGINE_SYSTEMD_H

#include "container.h"

#include <json-c/json.h>
#include <stdint.h>

/* Where the container finds its notify socket, as in Podman.  */
#define FERRY_NOTIFY_DIR "/run/notify"
#define FERRY_NOTIFY_SOCKET FERRY_NOTIFY_DIR "/notify.sock"

/* run/create's flags, as typed; NULL or 0: not given.  */
struct ferry_systemd_options
{
  const char *systemd;      /* "true" (default), "false", "always" */
  int64_t shm_size_systemd; /* bytes; 0: the kernel's default size */
  const char *sdnotify;     /* container (default), conmon, healthy, ignore */
  char **requires;          /* container names or IDs; may be NULL */
  /* The command line that created it ("CreateCommand", as Podman keeps
   * it), and the index of the image in it: generate systemd --new runs
   * it again.  NULL: none.  */
  char **create_command;
  size_t create_command_image;
};

/* True when ARGS (the container's whole command) starts systemd or init,
 * as Podman tells it for --systemd true: /sbin/init, /usr/sbin/init,
 * /usr/local/sbin/init, or a program called systemd (also after
 * "/bin/sh -c").  */
int ferry_systemd_command_is_init (char *const *args);

/* Checks O and adds to REC (with its "Args", "StopTimeout" and
 * "StopSignal") "SystemdMode", "ShmSizeSystemd", "SdNotifyMode",
 * "Requires", "CreateCommand" and "CreateCommandImage"; STOP_SIGNAL_GIVEN: --stop-signal was given and stays.
 * Errors are Podman's words.  */
int ferry_systemd_record (ferry_engine_t *e, const struct ferry_systemd_options *o, int stop_signal_given,
                          json_object *rec, ferry_error_t *err);

/* True when REC asks for systemd mode.  */
int ferry_systemd_mode (json_object *rec);

/* C's --sdnotify: "container" when its record says none.  */
const char *ferry_systemd_sdnotify_mode (json_object *rec);

/* The host socket conmon relays the container's messages to: ferry's
 * NOTIFY_SOCKET with --sdnotify container, when it is a path conmon can
 * bind to; else NULL.  */
const char *ferry_systemd_conmon_socket (json_object *rec);

/* Adds to SPEC (whose bundle is BUNDLE) what systemd mode and the notify
 * socket ask: mounts, masked paths, the environment.  RESTORE_FROM (a
 * CRIU images directory, or NULL): the notify socket's mount is there
 * when the checkpointed container had it, so that the mounts match.  */
int ferry_systemd_apply (ferry_engine_t *e, const struct ferry_container *c, json_object *spec,
                         const char *bundle, const char *restore_from, ferry_error_t *err);

/* Takes out of ENV (the spec's, for an exec) the NOTIFY_SOCKET that
 * --sdnotify container gave the container's own process: as in Podman,
 * what exec runs does not get it (unless the user's -e set it).  */
void ferry_systemd_exec_env (json_object *rec, json_object *env);

/* Starts, in order, the containers C's record requires that are not
 * running (and theirs first).  */
int ferry_systemd_start_required (ferry_engine_t *e, json_object *rec, int depth, ferry_error_t *err);

/* After C started: tells NOTIFY_SOCKET what --sdnotify says (MAINPID,
 * READY=1), with healthy after waiting for the health check to pass
 * (when WAIT_HEALTHY).  Nothing without NOTIFY_SOCKET.  */
int ferry_systemd_notify_started (ferry_engine_t *e, const char *ref, int wait_healthy, ferry_error_t *err);

/* Sends MESSAGE to the datagram socket PATH (a path, or "@NAME" for an
 * abstract one), as sd_notify does.  */
int ferry_sd_notify_send (const char *path, const char *message, ferry_error_t *err);

#endif
