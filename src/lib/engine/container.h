/* ferry: containers: create, start, stop, kill, remove, pause, and the state
 * that `ps`, `inspect` and `wait` report.  A container's record (its
 * options, as JSON) and its state live in the database; everything the
 * runtime needs is generated from them at start.  */
#ifndef FERRY_ENGINE_CONTAINER_H
#define FERRY_ENGINE_CONTAINER_H

#include "engine.h"
#include "../storage/changes.h"

#include <json-c/json.h>
#include <stdint.h>
#include <sys/types.h>

enum ferry_container_status
{
  FERRY_CONTAINER_CREATED,
  FERRY_CONTAINER_RUNNING,
  FERRY_CONTAINER_PAUSED,
  FERRY_CONTAINER_EXITED,
  /* A stop sent its signal and waits for the exit, without the container's
   * lock (so that kill, rm -f and a second stop can act meanwhile); while
   * it waits it holds the lock "container-<id>.stopping" (shared).  A
   * container found stopping when that lock is free lost its stopper, and
   * goes back to what it is: running, or exited (ferry_container_refresh). */
  FERRY_CONTAINER_STOPPING,
  /* `init`: created in the runtime, its monitor running, its process not
   * started yet (Podman's "initialized").  Not active: it runs nothing,
   * but it has a monitor and a runtime container to end.  */
  FERRY_CONTAINER_INITIALIZED,
};

const char *ferry_container_status_name (enum ferry_container_status s);

/* The host directory a --rootfs container runs from (its record's
 * "Rootfs"), or NULL for a container of an image.  With "RootfsOverlay"
 * the directory is the lower layer of an overlay whose upper dir is the
 * container's own; without, the container writes into it.  */
const char *ferry_container_rootfs (json_object *record);
int ferry_container_rootfs_overlay (json_object *record);

/* Checks that PATH (absolute) can be a container's root: a directory
 * other than the host's /.  */
int ferry_container_rootfs_check (const char *path, ferry_error_t *err);

struct ferry_container
{
  char *id;
  char *name;
  char *image_id;
  char *created;
  json_object *record; /* the options: see ferry_container_create */
  enum ferry_container_status status;
  pid_t pid;
  pid_t conmon_pid;
  int exit_code;
  char *started_at;
  char *finished_at;
  char *checkpointed_at;
  char *restored_at;
  char *error;
  /* The operation in progress (engine/operation.h): "checkpoint",
   * "restore", "import", "migrate" (either end of one), or NULL; its
   * phase, owner and start.  */
  char *operation;
  char *operation_phase;
  pid_t operation_pid;
  char *operation_started;
  /* Transient, for a restore: lines for the CRIU configuration file
   * (ferry_container_criu_config), for options runc has no flag for
   * ("tcp-close\n").  */
  const char *criu_options;
  /* Transient, for an import with --tcp-established: the archive's
   * network.status, whose tracked connections go back once the networks
   * are attached (ferry_network_conntrack_restore).  */
  json_object *conntrack;
};

struct ferry_health_options;
struct ferry_resource_options;
struct ferry_systemd_options;

struct ferry_mount_spec
{
  char *type;   /* "volume", "bind", "tmpfs", "ramfs", "devpts" */
  char *source; /* volume name or host path; NULL for anonymous volumes and tmpfs */
  char *destination;
  int readonly;
  int nocopy; /* a volume not filled from the image (engine/volume.h) */
  /* OCI options beyond ferry's defaults (runtime/mount_options.h),
   * NULL-terminated; may be NULL.  */
  char **options;
  char *mode; /* "z" or "Z" (relabel; no SELinux here, inspect shows it); may be NULL */
  int chown;  /* U: the source (a tmpfs itself) is given to the container's user at each start */
  /* A volume's: the directory or file in it to mount, relative; NULL: all
   * of it.  */
  char *subpath;
  /* A bind's or volume's options in the order typed, in Podman's words
   * (ferry_mount_typed_option_is_valid), for inspect; NULL-terminated,
   * may be NULL.  */
  char **typed;
};

struct ferry_userns_options;

enum ferry_cgroupns
{
  FERRY_CGROUPNS_DEFAULT,
  FERRY_CGROUPNS_HOST,
  FERRY_CGROUPNS_PRIVATE,
  FERRY_CGROUPNS_CONTAINER, /* another container's: cgroupns_container */
};

struct ferry_stop_report;

struct ferry_create_options
{
  const char *image;      /* reference or ID; with rootfs, the root directory (PATH or PATH:O) */
  int rootfs;             /* --rootfs: IMAGE names a host directory to run as the root */
  const char *name;       /* NULL: generated */
  char **command;         /* NULL-terminated, may be empty: the image's Cmd */
  const char *entrypoint; /* NULL: the image's; "" clears it; a JSON array or one word */
  char **env;             /* "K=V" or "K" (taken from ferry's environment) */
  char **env_files;
  const char *workdir;
  const char *user;
  const char *hostname;
  char **labels; /* "K=V" */
  struct ferry_mount_spec *mounts;
  size_t n_mounts;
  char **tmpfs;     /* destinations */
  int64_t shm_size; /* bytes; 0: containers.conf's, else 65536000 as Podman's */
  int tty;
  int interactive;
  int auto_remove;
  int init; /* catatonit as PID 1 (ferry_container_init_path) */
  /* The first --network: "none" (default), "host", "bridge" (the default
   * network), network names comma-separated, or one NAME:OPTIONS
   * (network/netopts.h).  */
  const char *network;
  /* --network given again: more networks, each NAME[:OPTIONS] (only
   * after a first of networks); NULL-terminated, may be NULL.  */
  char **more_networks;
  const char *ip;  /* on the one network: this address; NULL: the next free */
  const char *ip6; /* on the one network (with IPv6): this IPv6 address; NULL: the next free */
  const char *mac; /* the same, a MAC address; NULL: a random one */
  char **publish;  /* -p specs (network/ports.h); may be NULL */
  int publish_all; /* -P: every port the image exposes, on free host ports */
  /* /etc/resolv.conf: servers (IPv4 or IPv6, or "none" alone: ferry
   * writes none and the image's stays), search domains ("." alone:
   * none), options; each NULL-terminated, may be NULL.  */
  char **dns;
  char **dns_search;
  char **dns_options;
  char **add_hosts;       /* /etc/hosts lines "NAME[;NAME...]:IP|host-gateway" */
  int no_hosts;           /* ferry writes no /etc/hosts: the image's stays */
  char **network_aliases; /* names on each bridge network, for its DNS */
  int stop_timeout;       /* seconds; -1: 10 */
  /* NULL: the default seccomp profile; "unconfined"; or the path of a
   * profile (containers' seccomp.json format), taken into the record.  */
  const char *seccomp;
  /* 0: Podman's default (2048); -1: no limit; else the most processes.  */
  int64_t pids_limit;
  char **cap_add;  /* capability names, as the user typed them; may be NULL */
  char **cap_drop; /* the same */
  int read_only;
  int no_new_privileges;
  /* --security-opt label=disable: recorded and shown as Podman shows it;
   * ferry gives no SELinux labels either way.  */
  int label_disable;
  int64_t memory;    /* bytes; 0: no limit */
  int64_t nano_cpus; /* CPUs * 1e9; 0: no limit */
  char **ulimits;    /* "nofile=1024:2048", as typed; may be NULL */
  int privileged;
  /* --cgroupns; unset, Podman's default: the host's namespace on cgroups
   * v1 (and hybrid), one of its own on v2 alone.  */
  enum ferry_cgroupns cgroupns;
  const char *cgroupns_container; /* --cgroupns container:NAME's NAME */
  char **devices;                 /* "HOST[:CONTAINER][:ACCESS]", as typed; may be NULL */
  char **sysctls;                 /* "NAME=VALUE", as typed; may be NULL */
  /* --read-only-tmpfs=false: a read-only root gets no tmpfs on /tmp,
   * /var/tmp and /run, and /dev and /dev/shm are read-only too.  */
  int no_read_only_tmpfs;
  char **mask;             /* paths to mask beyond the defaults; may be NULL */
  char **unmask;           /* default masked/read-only paths to leave out: patterns, or "ALL"; may be NULL */
  char **annotations;      /* "K=V" for the OCI spec's annotations; may be NULL */
  char **secrets;          /* --secret specs (engine/secret.h); may be NULL */
  const char *stop_signal; /* a name or number; NULL: the image's, else SIGTERM */
  /* A file that gets the ID once the container exists (replaced if there),
   * and goes when the container is removed; NULL: none.  */
  const char *cidfile;
  /* /etc/localtime: a zone under /usr/share/zoneinfo, or "local" (the
   * host's); NULL: the image's.  */
  const char *timezone;
  int oom_score_adj; /* with oom_score_adj_set: -1000 to 1000 */
  int oom_score_adj_set;
  int timeout;                /* seconds after which conmon kills it; 0: none */
  const char *conmon_pidfile; /* a host file that gets conmon's PID at each start; NULL: none */
  /* --restart: "no" (or NULL), "always", "unless-stopped",
   * "on-failure[:RETRIES]".  */
  const char *restart;
  /* --health-* and --no-healthcheck (engine/health.h).  */
  const struct ferry_health_options *health;
  /* --log-driver: k8s-file (json-file), journald, none or passthrough
   * (passthrough-tty); NULL: containers.conf's log_driver, else k8s-file.  */
  const char *log_driver;
  /* --log-opt: "path=FILE", "max-size=SIZE", "tag=TAG" (others are
   * ignored, as Podman ignores them); may be NULL.  */
  char **log_opts;
  int read_only_set; /* --read-only[=BOOL] given: containers.conf's read_only does not count */
  /* --cpu-shares, --cpuset-cpus, --memory-swap, ... (engine/resources.h);
   * may be NULL.  */
  const struct ferry_resource_options *resources;
  /* Set by ferry_container_create from containers.conf: "K=V" under the
   * image's environment.  */
  char **default_env;
  /* --group-add: group names or gids, or "keep-groups" alone; may be
   * NULL.  --umask: octal, as typed; NULL: 0022.  --hosts-file: "none",
   * "image" or a host file, the base of /etc/hosts; NULL: ferry's
   * default (engine/process_options.h).  */
  char **group_add;
  const char *umask;
  const char *hosts_file;
  /* --env-merge "K=...${K}...", --unsetenv names (may be NULL),
   * --unsetenv-all, --env-host, --http-proxy=false.  */
  char **env_merge;
  char **unsetenv;
  int unsetenv_all;
  int env_host;
  int no_http_proxy;
  /* --label-file: files of "K=V" lines, under --label; may be NULL.
   * --no-hostname: no /etc/hostname from ferry ("NoHostname").  */
  char **label_files;
  int no_hostname;
  /* --pid, --ipc, --uts as typed; NULL: one of its own
   * (engine/ns_modes.h).  */
  const char *pid_mode;
  const char *ipc_mode;
  const char *uts_mode;
  /* --pidfile: a host file that gets the container's PID at each start
   * and restore; NULL: none.  */
  const char *pidfile;
  /* --replace: a container already named NAME is stopped and removed
   * once this one's options have passed their checks.  */
  int replace;
  /* With replace: learns whether the stop of the container replaced had
   * to end in SIGKILL; may be NULL.  */
  struct ferry_stop_report *replace_report;
  /* --expose "PORT[-PORT][/PROTO]"; may be NULL.  */
  char **expose;
  /* --init-path: the init binary on the host, with init; NULL:
   * catatonit (ferry_container_init_path).  */
  const char *init_path;
  /* --personality: LINUX or LINUX32, the spec's execution domain; NULL:
   * none asked.  */
  const char *personality;
  /* run --rmi: with auto_remove, the image goes once the container has
   * removed itself ("RemoveImage").  */
  int remove_image;
  /* --chrootdirs: directories in the container that get ferry's
   * /etc/hosts too (DIR/etc/hosts); may be NULL.  */
  char **chrootdirs;
  /* --passwd=false (no_passwd), --passwd-entry and --group-entry
   * templates ($USERNAME, $UID, $GID, $NAME, $HOME, $GROUPNAME); NULL:
   * Podman's lines.  */
  int no_passwd;
  const char *passwd_entry;
  const char *group_entry;
  /* --hostuser: this host's users (names or uids) to add to the
   * container's /etc/passwd; may be NULL.  */
  char **host_users;
  /* --volumes-from CTR[:OPTIONS] (engine/volumes_from.h), as typed; may
   * be NULL.  */
  char **volumes_from;
  /* Told what Podman warns about and goes on past (a mount --volumes-from
   * does not carry); may be NULL.  */
  void (*warn) (const char *msg);
  /* --image-volume: "anonymous" (NULL or "" too: an anonymous volume at
   * each of the image's VOLUMEs), "tmpfs" or "ignore".  */
  const char *image_volume;
  /* --userns, --uidmap, --gidmap, --subuidname, --subgidname
   * (engine/userns.h); may be NULL.  */
  const struct ferry_userns_options *userns;
  /* --systemd, --shm-size-systemd, --sdnotify, --requires
   * (engine/systemd.h); may be NULL.  */
  const struct ferry_systemd_options *systemd;
  /* --gpus, --seccomp-policy, --rdt-class (engine/cdi.h); may be NULL.  */
  const struct ferry_cdi_options *cdi;
};

/* Creates the container (state created).  Names taken: kind EXISTS.  */
int ferry_container_create (ferry_engine_t *e, const struct ferry_create_options *o, char **id,
                            ferry_error_t *err);

/* Finds by name, full ID or unique ID prefix.  Not found: kind NOT_FOUND,
 * "no container with name or ID \"X\" found: no such container".  The state
 * is brought up to date first (a container whose process is gone is
 * exited, never a ghost "running").  */
int ferry_container_lookup (ferry_engine_t *e, const char *ref, struct ferry_container **out,
                            ferry_error_t *err);
int ferry_container_list (ferry_engine_t *e, struct ferry_container ***out, size_t *n, ferry_error_t *err);
/* Finds REF as ferry_container_lookup does, but leaves its state as the
 * database has it (no exit is recorded, no event logged): for `container
 * cleanup`, whose own work that is.  *ID and *IMAGE_ID get the full IDs.  */
int ferry_container_identify (ferry_engine_t *e, const char *ref, char **id, char **image_id,
                              ferry_error_t *err);

/* True while C sits checkpointed: stopped by a checkpoint that came after
 * it last started (a restore or a start ends it, -R never begins it).  */
int ferry_container_is_checkpointed (const struct ferry_container *c);
/* `system migrate --new-runtime`: REQUESTED (a runtime name or absolute
 * path, as ferry_engine_runtime_named takes it) becomes the recorded
 * runtime of every container that has another, in one statement, so that a
 * crash changes all or none.  *CHANGED: how many.  */
int ferry_container_set_runtime_all (ferry_engine_t *e, const char *requested, size_t *changed,
                                     ferry_error_t *err);
/* Logs a container event STATUS (state/events.h) with the container's
 * name, image and labels, and EXIT_CODE when it is not negative.  */
void ferry_container_event_record (ferry_engine_t *e, const char *id, json_object *record, const char *status,
                                   int exit_code);
void ferry_container_event (ferry_engine_t *e, const struct ferry_container *c, const char *status);
/* --init: catatonit, bound read-only at FERRY_INIT_DESTINATION and run as
 * PID 1 with the command after "--", as Podman runs it.  */
#define FERRY_INIT_DESTINATION "/run/podman-init"
/* Where catatonit is installed (Podman's path, then the package's), or
 * NULL.  */
char *ferry_container_init_path (void);

void ferry_container_free (struct ferry_container *c);
void ferry_containers_free (struct ferry_container **c, size_t n);

struct ferry_start_options
{
  int attach;     /* connect to the attach socket before starting */
  int *attach_fd; /* out: the connected socket when attach */
  /* The caller's descriptors the container gets as its 3, 4, ...
   * (run --preserve-fds): PRESERVE_FDS[i] becomes 3 + i, -1 /dev/null.  */
  const int *preserve_fds;
  size_t n_preserve_fds;
  /* The terminal's size (0: none), given to a -t container's pty before
   * its process starts, so that it never sees another.  */
  unsigned rows, cols;
};

/* Mounts the rootfs and /dev/shm, writes config.json, starts conmon (runtime
 * create) and the runtime start.  On failure nothing stays mounted or
 * running and the state is unchanged; the error's kind says 126/127.  */
/* `container clone` (clone.c): a new container (created) with REF's
 * options, named NAME or Podman's REF-clone, REF-clone1...; MEMORY and
 * NANO_CPUS (when above 0) replace REF's limits.  Its ID in *OUT_ID.  */
struct ferry_clone_options
{
  const char *name;
  /* The image the copy runs instead of the original's (NULL: the
   * original's), with the original's command and settings, as Podman's
   * clone CONTAINER NAME IMAGE.  */
  const char *image;
  int64_t memory, nano_cpus;
  /* --cpu-shares, --memory-swap, ... over the original's, as update
   * takes them (--memory-swap only with --memory, as Podman's clone);
   * may be NULL.  */
  const struct ferry_resource_options *resources;
};
int ferry_container_clone (ferry_engine_t *e, const char *ref, const struct ferry_clone_options *o,
                           char **out_id, ferry_error_t *err);

/* Podman's `init`: creates C in the runtime under its monitor without
 * starting its process (status initialized); `start` then runs it.  */
int ferry_container_init (ferry_engine_t *e, const char *ref, ferry_error_t *err);

int ferry_container_start (ferry_engine_t *e, const char *ref, const struct ferry_start_options *o,
                           ferry_error_t *err);

/* Connects to the attach socket of REF, which must be running or
 * paused: *FD gets the connected socket, *OUT the container.  Not
 * running: kind STATE, "you can only attach to running containers".  */
int ferry_container_attach (ferry_engine_t *e, const char *ref, struct ferry_container **out, int *fd,
                            ferry_error_t *err);

/* Tells conmon of container ID (with a terminal) the size of the terminal
 * attached to it, as Podman does, through the bundle's ctl FIFO.  */
int ferry_container_resize (ferry_engine_t *e, const char *id, unsigned rows, unsigned cols,
                            ferry_error_t *err);

/* What a stop did, for the caller to tell the user.  */
struct ferry_stop_report
{
  int stop_signal; /* the container's stop signal */
  int timeout;     /* the seconds it was given */
  int killed;      /* it outlived them, and SIGKILL ended it */
};

/* Sends the stop signal, waits TIMEOUT seconds (-1: the container's own),
 * then SIGKILL; cleans up.  Not running is not an error.  REPORT may be
 * NULL.  */
int ferry_container_stop (ferry_engine_t *e, const char *ref, int timeout, struct ferry_stop_report *report,
                          ferry_error_t *err);
/* Stops the container (as ferry_container_stop) and starts it again.
 * Paused: kind STATE.  */
int ferry_container_restart (ferry_engine_t *e, const char *ref, int timeout,
                             struct ferry_stop_report *report, ferry_error_t *err);
/* The container created last.  None: kind NOT_FOUND, "no such container".  */
int ferry_container_latest (ferry_engine_t *e, struct ferry_container **out, ferry_error_t *err);
/* Gives the container REF the name NAME (a leading `/` is dropped).  Taken:
 * kind EXISTS.  */
int ferry_container_rename (ferry_engine_t *e, const char *ref, const char *name, ferry_error_t *err);
/* Not running: kind STATE.  */
int ferry_container_kill (ferry_engine_t *e, const char *ref, int signal, ferry_error_t *err);
/* Running or paused without FORCE: kind STATE.  VOLUMES removes its
 * anonymous volumes.  */
int ferry_container_remove (ferry_engine_t *e, const char *ref, int force, int volumes, ferry_error_t *err);
/* ferry_container_remove_stopping's TIMEOUT for the container's own stop
 * timeout (--stop-timeout, else containers.conf's stop_timeout when it was
 * created), as Podman's rm -f without -t waits.  */
#define FERRY_STOP_TIMEOUT_OWN (-2)

/* Removes REF, stopping it first when it runs: its stop signal, then
 * SIGKILL after TIMEOUT seconds (-1: no end; FERRY_STOP_TIMEOUT_OWN);
 * REPORT tells whether SIGKILL was needed.  A paused one gets SIGKILL at
 * once whatever TIMEOUT says, as Podman's rm kills it before the thaw that
 * would let it run its handler.  */
int ferry_container_remove_stopping (ferry_engine_t *e, const char *ref, int timeout, int volumes,
                                     struct ferry_stop_report *report, ferry_error_t *err);
/* The IDs of the containers that join REF's namespaces (--network, --pid,
 * --ipc or --uts container:REF) or require it (--requires), NULL-terminated in *IDS.  */
int ferry_container_dependents (ferry_engine_t *e, const char *id, char ***ids, ferry_error_t *err);
/* 1 when some container depends (as ferry_container_dependents tells) on
 * one of the N_IDS containers IDS (full IDs), else 0; one listing of the
 * containers for all of them.  */
int ferry_containers_have_dependents (ferry_engine_t *e, const char *const *ids, size_t n_ids,
                                      ferry_error_t *err);
int ferry_container_pause (ferry_engine_t *e, const char *ref, ferry_error_t *err);
int ferry_container_unpause (ferry_engine_t *e, const char *ref, ferry_error_t *err);

/* Waits until the container has exited; *EXIT_CODE gets its code.
 * Removed meanwhile, after it ran: that code.  */
int ferry_container_wait (ferry_engine_t *e, const char *ref, int *exit_code, ferry_error_t *err);
/* The exit code of container ID (a full ID) removed lately after it ran
 * (Podman's five minutes): 1 and *EXIT_CODE, else 0.  */
int ferry_container_removed_exit_code (ferry_engine_t *e, const char *id, int *exit_code);
/* The same as ferry_container_wait, looking every INTERVAL_MS
 * milliseconds.  */
int ferry_container_wait_every (ferry_engine_t *e, const char *ref, long long interval_ms, int *exit_code,
                                ferry_error_t *err);
/* Waits until the container is in one of STATES (bits 1 << enum
 * ferry_container_status), looking every INTERVAL_MS milliseconds;
 * *REACHED gets that state and *EXIT_CODE the container's last exit code.
 * Removed meanwhile: kind NOT_FOUND, *REACHED and *EXIT_CODE as last seen,
 * or EXITED and its code when it ran before its removal.  */
int ferry_container_wait_states (ferry_engine_t *e, const char *ref, unsigned states, long long interval_ms,
                                 enum ferry_container_status *reached, int *exit_code, ferry_error_t *err);
/* Waits until the container's health check status is one of HEALTH
 * (FERRY_WAIT_HEALTHY, FERRY_WAIT_UNHEALTHY) or the container is in one
 * of STATES, as `podman wait --condition healthy` does.  A container
 * without a check, or one that is not running (no check would run), is
 * an error.  */
#define FERRY_WAIT_HEALTHY 1u
#define FERRY_WAIT_UNHEALTHY 2u
int ferry_container_wait_health (ferry_engine_t *e, const char *ref, unsigned states, unsigned health,
                                 long long interval_ms, ferry_error_t *err);

/* Run by conmon when the container exits (hidden `container cleanup`):
 * records the exit code, deletes the runtime's container, unmounts, and
 * removes the container if it was created with --rm.  Idempotent.  */
int ferry_container_cleanup (ferry_engine_t *e, const char *ref, ferry_error_t *err);

struct ferry_exec_request
{
  char **args;
  char **env;       /* extra "K=V" (or "K": ferry's own K, when set) */
  char **env_files; /* read before ENV: files of K=V lines */
  const char *workdir;
  const char *user;
  int tty;
  int interactive;
  int detach;
  /* Not detached: stdout and stderr go to OUTPUT_FD, stdin is /dev/null.  */
  int capture_output;
  int output_fd;
  /* Every capability ferry has, whatever the container's.  */
  int privileged;
  /* The command's descriptors 3, 4, ...: PRESERVE_FDS[I] becomes 3+I
   * (-1: /dev/null).  */
  const int *preserve_fds;
  size_t n_preserve_fds;
  /* Not NULL: run under conmon as an exec session that goes on without
   * ferry (exec -d; exec -it, which can detach), which SESSION gets;
   * attached to it unless DETACH.  */
  struct ferry_exec_session *session;
  unsigned rows, cols; /* a session's terminal size from its start; 0: none */
};
struct ferry_exec_session;
int ferry_container_exec (ferry_engine_t *e, const char *ref, const struct ferry_exec_request *r,
                          int *exit_code, ferry_error_t *err);

int ferry_container_changes (ferry_engine_t *e, const char *ref, struct ferry_changes *out,
                             ferry_error_t *err);
/* Takes out of CH the files the engine puts in every container
 * (/etc/hosts, /run/.containerenv, ...), which `podman diff` leaves out
 * of a container's changes and an image's (a layer committed from a
 * container may hold them).  */
void ferry_changes_drop_engine_paths (struct ferry_changes *ch);
/* The changes `diff` shows: ferry_container_changes without the files
 * ferry_changes_drop_engine_paths takes out.  */
int ferry_container_diff (ferry_engine_t *e, const char *ref, struct ferry_changes *out, ferry_error_t *err);

/* The runtime's config.json of a container's last run, kept in its
 * directory once it stopped, as Podman keeps it (for the sizes alone).  */
#define FERRY_CONTAINER_LAST_SPEC "config.json"

/* The bytes of the files C holds beyond its image's (what `ps --size`
 * shows), as Podman counts them: its root file system's own files and
 * those of its directories (logs, hosts, the runtime's config.json, kept
 * once it stopped), 0 before it has any.  */
int ferry_container_rw_size (ferry_engine_t *e, const struct ferry_container *c, uint64_t *out,
                             ferry_error_t *err);

/* Paths of a container's files.  The log: --log-opt path's, else ctr.log
 * in the container's directory; NULL when its driver keeps no file
 * (journald, none).  */
char *ferry_container_log_path (ferry_engine_t *e, const struct ferry_container *c);
/* Where `logs` reads C's output: 0 and *PATH, its k8s-file log; 1 when
 * there is nothing to read (journald on a host without a journal, where
 * Podman prints nothing either); -1 and ERR when there is no log ferry can
 * read (none, as Podman says it; journald with a journal).  */
int ferry_container_log_source (ferry_engine_t *e, const struct ferry_container *c, char **path,
                                ferry_error_t *err);
/* C's log driver: "k8s-file", "journald", "none" or "passthrough" (the
 * standard streams of the ferry that starts it go to the container, as
 * conmon passes them on).  */
const char *ferry_container_log_driver (const struct ferry_container *c);
/* "10kB", "1.024kB", "0B": a size as Podman's inspect shows LogConfig.Size
 * (decimal units, four digits).  */
char *ferry_log_size_text (int64_t bytes);

/* True while the container's process may still produce output.  */
int ferry_container_is_active (const struct ferry_container *c);

/* Removes conmon's exit file of container ID (a full ID) when no
 * container has that ID any more: run --rm whose container conmon's
 * cleanup removed first, keeping the file for a waiter, had the code
 * already.  */
void ferry_container_drop_exit_file (ferry_engine_t *e, const char *id);

/* Active or initialized: it has a monitor and a runtime container.  */
int ferry_container_has_monitor (const struct ferry_container *c);

/* The capabilities C's process gets (bounding, effective and permitted
 * alike), in the kernel's order; NULL-terminated, the caller's.  */
char **ferry_container_capabilities (const struct ferry_container *c);

/* Podman-shaped `inspect` output.  Podman leaves members that are empty
 * out of its JSON (omitempty) while a template still finds them; with
 * OMITTED (an object) they are there with the value Podman's template
 * shows, and OMITTED gets their names, as the output nests them
 * ({"State": {"ConmonPid": true}, "OCIConfigPath": true}).  */
/* The options HostConfig.Binds shows for the record's bind or volume
 * mount M, as Podman's spec holds them ("z,ro,rprivate,rbind"); NULL for
 * a mount of another type.  */
char *ferry_mount_binds_options (json_object *m);

/* Whether the record's mount M is a bind --volumes-from carried over
 * from another container: mounted, but not among the mounts inspect, ps
 * and generate show, as Podman keeps it out of the container's own.  */
int ferry_mount_is_carried_bind (json_object *m);

json_object *ferry_container_inspect_json (ferry_engine_t *e, const struct ferry_container *c,
                                           json_object *omitted);

#endif
