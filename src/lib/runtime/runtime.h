/* ferry: the OCI runtime driver (runc by default, crun selectable).
 *
 * Every call runs the runtime with `--root <runroot>/runtime`, so two ferry
 * runroots never see each other's containers, and with an explicit argv
 * (never a shell).  When the runtime fails, the error carries the runtime's
 * own message (its stderr or its JSON log), not just an exit status.  */
#ifndef FERRY_RUNTIME_RUNTIME_H
#define FERRY_RUNTIME_RUNTIME_H

#include "../util/error.h"

#include <pthread.h>
#include <stdbool.h>

struct json_object;
#include <sys/types.h>

struct ferry_runtime
{
  char *name;      /* "runc", "crun", or the basename of a path */
  char *requested; /* as asked for: the name, or the absolute path (what a container records) */
  char *path;      /* absolute path of the binary */
  char *root;      /* <runroot>/runtime */
  char **flags;    /* more global flags ("--debug"), NULL-terminated; may be NULL */
};

/* NAME_OR_PATH: "runc", "crun", or a path.  A name is looked up in PATH and
 * then in /usr/bin, /usr/sbin, /usr/local/bin, /usr/local/sbin.  Not found:
 * kind FERRY_ERROR_NOT_FOUND, "OCI runtime `X` not found: install it or pass
 * --runtime PATH".  Creates RUNROOT/runtime (0700).  */
int ferry_runtime_init (struct ferry_runtime *rt, const char *name_or_path, const char *runroot,
                        ferry_error_t *err);
void ferry_runtime_release (struct ferry_runtime *rt);

/* The global arguments every invocation starts with after the runtime's
 * path, NULL-terminated and newly allocated (free with cleanup_strv):
 * { "--root", root, the flags..., NULL }.  conmon, which builds its own runtime command
 * lines, gets them as --runtime-arg.  */
char **ferry_runtime_global_args (const struct ferry_runtime *rt);

/* Whether the environment entry ENTRY ("NAME=VALUE") of ferry's is kept
 * from the runtime and conmon: systemd's NOTIFY_SOCKET and LISTEN_*, and
 * the pipes of a monitor's protocol.  */
bool ferry_runtime_environment_is_dropped (const char *entry);

struct ferry_runtime_state
{
  char status[32]; /* "created", "running", "paused", "stopped" */
  pid_t pid;
};

/* `runtime state ID`.  A container the runtime does not know: kind
 * FERRY_ERROR_NOT_FOUND.  */
int ferry_runtime_state (const struct ferry_runtime *rt, const char *id, struct ferry_runtime_state *st,
                         ferry_error_t *err);

int ferry_runtime_start (const struct ferry_runtime *rt, const char *id, ferry_error_t *err);
/* SIGNAL is a number; ALL sends it to every process of the container.  A
 * container already gone is not an error.  */
int ferry_runtime_kill (const struct ferry_runtime *rt, const char *id, int signal, int all,
                        ferry_error_t *err);
/* `runtime update --resources RESOURCES ID`: the running container's
 * cgroup limits from RESOURCES, a file holding the OCI spec's
 * linux.resources (devices left out).  */
int ferry_runtime_update (const struct ferry_runtime *rt, const char *id, const char *resources,
                          ferry_error_t *err);
/* SIGKILL to every process of container ID through the kernel, without
 * running the runtime: when PID is the init of a PID namespace and is
 * the container's (its cgroup is named after ID), its death takes every
 * other process of that namespace with it.  1 when sent (or PID had
 * died), 0 when PID is no such init (the container shares a PID
 * namespace, or PID is not known): then `runtime kill --all` must do it.  */
int ferry_runtime_kill_pid_namespace (pid_t pid, const char *id, ferry_error_t *err);
/* FORCE kills a running container first.  Not known is not an error.  */
int ferry_runtime_delete (const struct ferry_runtime *rt, const char *id, int force, ferry_error_t *err);
/* Freeze and thaw container ID, whose process is PID (0 when not known):
 * through its cgroup's freezer where it can be found (runtime/freezer.h),
 * else `runtime pause` and `runtime resume`.  */
int ferry_runtime_pause (const struct ferry_runtime *rt, const char *id, pid_t pid, ferry_error_t *err);
int ferry_runtime_resume (const struct ferry_runtime *rt, const char *id, pid_t pid, ferry_error_t *err);
/* Kills every process of frozen container ID (process PID) and thaws it,
 * so that they die.  */
int ferry_runtime_kill_frozen (const struct ferry_runtime *rt, const char *id, pid_t pid, ferry_error_t *err);

struct ferry_exec_options
{
  char **args;     /* the command, NULL-terminated */
  char **env;      /* the full environment, NULL-terminated */
  const char *cwd; /* "/" when NULL */
  uid_t uid;
  gid_t gid;
  gid_t *additional_gids;
  size_t n_additional_gids;
  int terminal;   /* allocate a pty (stdin must be a terminal) */
  int detach;     /* don't wait: stdio goes to /dev/null */
  int keep_stdin; /* pass ferry's stdin to the process */
  /* Not detached: the process's stdout and stderr both go to OUTPUT_FD
   * (a health check's output is recorded), its stdin is /dev/null.  */
  int capture_output;
  int output_fd;
  /* Capabilities and the rest of the process come from the container's
   * config.json, which the caller passes as PROCESS_TEMPLATE (the "process"
   * object): args/env/cwd/user/terminal above override its fields.  */
  const char *process_template_json;
  /* The process's descriptors 3, 4, ...: PRESERVE_FDS[I] becomes 3+I
   * (-1: /dev/null); at most FERRY_PRESERVE_FDS_MAX.  */
  const int *preserve_fds;
  size_t n_preserve_fds;
};

/* `runtime exec --process FILE ID`, with ferry's stdio (or /dev/null when
 * detached).  *EXIT_CODE gets the process's exit status (128+N for a
 * signal); 126/127 and kinds COMMAND_NOT_EXECUTABLE/COMMAND_NOT_FOUND when
 * the runtime reports that the command cannot be executed or found.  */
int ferry_runtime_exec (const struct ferry_runtime *rt, const char *id, const struct ferry_exec_options *o,
                        int *exit_code, ferry_error_t *err);

/* The "process" object `runtime exec --process` gets for O (the
 * template's, with O's fields on top), for a monitor that runs the exec.  */
struct json_object *ferry_runtime_exec_process (const struct ferry_exec_options *o, ferry_error_t *err);

/* For a runtime call that must not outlive ferry for long.  A
 * checkpoint's CRIU writes into FIFOs that ferry reads, and blocks for
 * good opening one whose reader died; but a CRIU killed while it holds the
 * container's processes (its parasite code in them) kills the container
 * too.  So the runtime runs in a process group of its own (its PID is the
 * group's number), the runtime itself dies with ferry
 * (PR_SET_PDEATHSIG), and a watchdog process takes over the moment ferry
 * dies: it opens the page FIFOs in DRAIN_DIR (pages-N.img, when not NULL)
 * and reads them to nowhere, so that CRIU never blocks on them, lets the
 * group end by itself (CRIU finishes, or fails and lets the processes go)
 * and kills what is left of it only after FERRY_RUNTIME_GRACE_MS.  The
 * runtime is executed only after STARTED has returned 0 for that group, so
 * the caller can record it: whoever settles the caller's unfinished work
 * waits for the group the same way, should the watchdog have been killed
 * too.  */
#define FERRY_RUNTIME_GRACE_MS 30000
#define FERRY_RUNTIME_DRAIN_FIFOS 64 /* pages-1.img ... pages-64.img */
struct ferry_runtime_hook
{
  int (*started) (pid_t pgid, void *arg, ferry_error_t *err);
  void *arg;
  const char *drain_dir;
};

struct ferry_checkpoint_options
{
  const char *image_path; /* where CRIU writes its images */
  const char *work_path;  /* where CRIU writes dump.log and stats-dump */
  int leave_running;
  int tcp_established;
  int file_locks;
  /* Post-copy: CRIU dumps all but the memory pages, then serves those
   * from a page server listening on this ADDRESS:PORT until its peer has
   * taken them all or goes (runc's --lazy-pages); the call returns then.
   * CRIU listens on every address of its network namespace whatever this
   * says: run it in a private one (network/netns.h).  */
  const char *lazy_pages_address;
  const struct ferry_runtime_hook *hook; /* may be NULL */
};

/* `runtime checkpoint`.  CRIU's own account of a failure is in
 * <work_path>/dump.log (see ferry_runtime_criu_log_errors).  */
int ferry_runtime_checkpoint (const struct ferry_runtime *rt, const char *id,
                              const struct ferry_checkpoint_options *o, ferry_error_t *err);

/* Runs CRIU, the runtime RT (left out when NULL) and each of MORE (names
 * found in the PATH, or paths; NULL-terminated, may be NULL; at most 10)
 * with --version, on a thread of its own while the caller goes on, and
 * ignores the outcome but CRIU's version: their code and libraries are in
 * the page cache afterwards, so that a checkpoint or restore that follows
 * soon does not wait on the disk for them.  */
#define FERRY_WARM_UP_MAX 10
struct ferry_runtime_warm_up
{
  char *runtime;
  char *programs[FERRY_WARM_UP_MAX + 1]; /* MORE */
  char *criu_version;
  pthread_t thread;
  int started;
};
void ferry_runtime_warm_up_start (struct ferry_runtime_warm_up *w, const struct ferry_runtime *rt,
                                  const char *const *more);
/* Waits for the thread, if any, and returns what `criu --version` said
 * ("4.2.1"; the caller frees it) or NULL.  W may be zeroed, or finished
 * already.  */
char *ferry_runtime_warm_up_finish (struct ferry_runtime_warm_up *w);

/* What PROGRAM (a name looked up as the runtime is, or a path) says to
 * --version, without its trailing newlines, or NULL when it cannot run;
 * *PATH (may be NULL) gets where it was found, or NULL.  */
char *ferry_program_version (const char *program, char **path);
/* "4.2.1" from what `criu --version` says, or NULL.  */
char *ferry_criu_version_number (const char *version_output);

/* True when CRIU can lock a container's network with nftables, from its
 * own process, instead of running iptables-restore and ip6tables-restore
 * to lock and again to unlock (some 50 ms of each checkpoint and each
 * restore here).  Asked of CRIU once per binary: the answer is kept in
 * the file CACHE.  */
int ferry_runtime_criu_has_nftables_lock (const char *cache);
/* True when CRIU can track the pages a process dirties (the kernel's
 * soft-dirty bits), which pre-copy (pre-dump) needs.  */
int ferry_runtime_criu_has_dirty_tracking (void);

/* True when CRIU can restore memory lazily here (userfaultfd with the
 * events of processes it did not start: `criu check --feature
 * uffd-noncoop`).  */
int ferry_runtime_criu_has_lazy_pages (void);

/* 0 when CRIU's page server can serve lazy pages from this process
 * (CAP_SYS_RESOURCE, or fs.pipe-max-size of 4 MiB and more); else -1 with
 * an error that says what to change.  */
int ferry_runtime_criu_page_server_check (ferry_error_t *err);

/* Starts CRIU's lazy-pages daemon for a restore from IMAGES whose CRIU
 * works in WORK (where the two meet on the socket lazy-pages.socket): it
 * fetches the pages the restored processes touch, and then all the rest,
 * from the page server at the other end of the connected socket PS_FD,
 * and exits once it has them all (0) or fails.  Returns once it runs,
 * with its PID (the leader of a process group of its own) in *PID, and in
 * *STATUS_FD what ferry_runtime_criu_lazy_pages_ready waits on (and
 * closes) before the restore may start.  Its log is WORK/lazy-pages.log.  */
int ferry_runtime_criu_lazy_pages_start (const char *images, const char *work, int ps_fd, pid_t *pid,
                                         int *status_fd, ferry_error_t *err);
/* 0 once the daemon *PID is ready; -1 when it failed (then it is gone and
 * *PID is -1).  */
int ferry_runtime_criu_lazy_pages_ready (pid_t *pid, int status_fd, const char *work, ferry_error_t *err);
/* Waits for the daemon PID (killed first with KILL_IT): 0 when it got
 * every page, -1 otherwise.  */
int ferry_runtime_criu_lazy_pages_wait (pid_t pid, int kill_it);

/* CRIU's "Error" lines in the log at PATH, joined with "; ", or NULL.  */
char *ferry_runtime_criu_log_errors (const char *path);

/* Maps a runtime's error text about the container's command to a kind:
 * "executable file not found", "no such file or directory" -> NOT_FOUND,
 * "permission denied" -> NOT_EXECUTABLE, else GENERIC.  The last two count
 * only in an error about executing (runc `exec: "CMD": ...`, crun
 * "executable ..."): a missing mount source is no missing command.  */
enum ferry_error_kind ferry_runtime_classify_exec_error (const char *message);

/* Fills *ERR with what the runtime said in OUTPUT (its stderr or JSON log;
 * the last entry at level error wins) about VERB on container ID:
 * "<runtime> <verb> <id>: <message>", or "<runtime> <verb>: \"CMD\": <why>"
 * when the container's command cannot be run, with the kind from
 * ferry_runtime_classify_exec_error (NOT_FOUND for an unknown container).
 * Returns -1, or 0 leaving *ERR alone when OUTPUT holds no message.  */
int ferry_runtime_error_from_output (const struct ferry_runtime *rt, const char *verb, const char *id,
                                     const char *output, ferry_error_t *err);

#endif
