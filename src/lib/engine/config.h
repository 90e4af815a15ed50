/* ferry: its settings, from Podman's containers.conf and then ferry's own
 * ferry.conf, which overrides it.
 *
 * containers.conf is read where Podman reads it, for root
 * (containers.conf(5)): $CONTAINERS_CONF alone when set, else
 * /usr/share/containers/containers.conf, /etc/containers/containers.conf
 * and /etc/containers/containers.conf.d/ *.conf in name order, each over
 * the one before; then $CONTAINERS_CONF_OVERRIDE.  Of it ferry takes the
 * [containers] settings below, [engine]'s runtime, compression_format,
 * compression_level, cdi_spec_dirs, detach_keys and stop_timeout, and
 * [engine.runtimes],
 * and leaves every other alone; a file that is not
 * TOML stops ferry at its line.
 *
 * ferry.conf, a small subset of the same TOML, read strictly (an unknown
 * section or key is an error):
 *
 *   [containers]
 *   netns = "bridge"                  # run/create without --network: bridge,
 *                                     # none or host ("private" = bridge)
 *   env = ["NAME=VALUE", ...]         # and the containers.conf settings:
 *   default_ulimits = ["nofile=1024:2048"]
 *   default_sysctls = ["net.ipv4.ping_group_range=0 0"]
 *   dns_servers = ["1.1.1.1"]         # before each container's --dns,
 *   dns_searches = ["example.com"]    # --dns-search (unless that is .)
 *   dns_options = ["ndots:2"]         # and --dns-option
 *   read_only = false
 *   log_driver = "k8s-file"           # k8s-file, journald or none
 *   log_size_max = -1                 # bytes: -1 no limit, else >= 8192
 *   log_tag = ""
 *   tz = "Europe/Paris"               # --tz's default
 *   pids_limit = 2048                 # --pids-limit's default, 0: no limit
 *   shm_size = "65536k"               # --shm-size's default, in 1000s
 *   base_hosts_file = ""              # /etc/hosts's base: a path, image or none
 *   host_containers_internal_ip = ""  # host.containers.internal, or none
 *   cgroupns = "private"              # without --cgroupns, on cgroup v2 alone:
 *                                     # private or host (v1: always host)
 *   userns = ""                       # --userns's default, when no --userns,
 *                                     # --uidmap, --gidmap, --subuidname or
 *                                     # --subgidname is given
 *   [network]
 *   default_subnet = "10.88.0.0/16"   # of the default network, `ferry`
 *   default_interface = "ferry0"      # its bridge
 *   [checkpoint]
 *   podman_volume_path = "/var/lib/containers/storage/volumes"
 *                                     # where the Podman that restores
 *                                     # ferry's archives keeps volumes
 *
 * Read from $FERRY_CONFIG, else /etc/ferry/ferry.conf when that exists.
 * One setting comes from the environment alone: $FERRY_CONMON_TIMEOUT,
 * the seconds (1 to 86400) a launch waits for conmon's report.
 * The default network takes these when it is first used in a root and
 * keeps what it took.  */
#ifndef FERRY_ENGINE_CONFIG_H
#define FERRY_ENGINE_CONFIG_H

#include "../util/error.h"

#include <stddef.h>
#include <stdint.h>

#define FERRY_CONFIG_DEFAULT_PATH "/etc/ferry/ferry.conf"
#define FERRY_CONTAINERS_CONF_DISTRIBUTION "/usr/share/containers/containers.conf"
#define FERRY_CONTAINERS_CONF_ADMIN "/etc/containers/containers.conf"

struct ferry_config
{
  char *netns;             /* "bridge", "none" or "host" */
  char *default_subnet;    /* NULL: 10.88.0.0/16, else the first free of 10.89.N.0/24 */
  char *default_interface; /* NULL: ferry0 */
  /* Written into an archive's spec.dump as its volumes' directory, which
   * Podman's restore binds as it stands.  NULL: Podman's default.  */
  char *podman_volume_path;
  /* [containers], as containers.conf has them: what run and create take
   * when the command line does not say.  */
  char **env;             /* "NAME=VALUE", under the image's; NULL: none */
  char **default_ulimits; /* "nofile=SOFT:HARD", as --ulimit; NULL: none */
  char **default_sysctls; /* "NAME=VALUE", as --sysctl; NULL: none */
  /* dns_servers, dns_searches, dns_options: put before a container's own
   * --dns, --dns-search and --dns-option each time its resolv.conf is
   * written, as Podman does (not recorded: inspect shows the container's
   * own); NULL: none.  */
  char **dns_servers;
  char **dns_searches;
  char **dns_options;
  char **annotations;    /* "K=V", under a container's own --annotation; NULL: none */
  int read_only;         /* -1: not set (false), 0, 1 */
  char *log_driver;      /* a driver of ferry_log_driver_canonical; NULL: k8s-file */
  int64_t log_size_max;  /* bytes conmon keeps of a log; -1: no limit */
  char *log_tag;         /* NULL or "": none */
  char *tz;              /* as --tz: a zone or "local"; NULL or "": the image's */
  int64_t pids_limit;    /* as --pids-limit (0: no limit); -1: not set (2048) */
  int64_t shm_size;      /* bytes, as --shm-size; 0: not set (65536000) */
  char *base_hosts_file; /* /etc/hosts's first lines: a path, "image" or "none"; NULL: the host's */
  int oom_score_adj;     /* as --oom-score-adj, when oom_score_adj_set */
  int oom_score_adj_set; /* whether containers.conf gives oom_score_adj */
  char *host_containers_internal_ip; /* an address, or "none"; NULL: chosen as Podman's */
  /* The cgroup namespace of a container without --cgroupns, as written
   * (checked where it applies: ferry_config_cgroupns_host); NULL: not
   * set.  */
  char *cgroupns;
  /* --userns's default, as written (checked as --userns is, when a
   * container is made); NULL: not set.  */
  char *userns;
  /* [engine], containers.conf's only: push's --compression-format and
   * --compression-level when the command line does not say.  The format
   * is kept as written (NULL: not set) and checked by push.  */
  char *compression_format;
  /* [engine] runtime: the OCI runtime when --runtime gives none; NULL:
   * runc.  */
  char *runtime;
  int compression_level;
  int compression_level_set;
  /* [engine] retry and retry_delay: --retry and --retry-delay of pull,
   * push, run and create when the command line does not say; -1 and NULL:
   * not set.  The delay is kept as written and parsed where it is used.  */
  int64_t retry;
  char *retry_delay;
  /* [engine] cdi_spec_dirs: where CDI specs are read (runtime/cdi.h),
   * the last one winning; NULL: the default directories.  */
  char **cdi_spec_dirs;
  /* [engine.runtimes], containers.conf's only: NAME = ["PATH", ...], where
   * the OCI runtime --runtime NAME is (the first path that is there), as
   * Podman finds it.  */
  struct ferry_config_runtime
  {
    char *name;
    char **paths; /* NULL-terminated */
  } * runtimes;
  size_t n_runtimes;
  /* [engine] detach_keys: the keys exec -it detaches with when
   * --detach-keys does not say; NULL: not set, "": none.  Checked where
   * it is used.  */
  char *detach_keys;
  /* [engine] image_volume_mode: what an image's VOLUME becomes when
   * --image-volume does not say ("anonymous", "tmpfs", "ignore"); NULL:
   * not set (anonymous).  */
  char *image_volume_mode;
  /* [engine] stop_timeout: the seconds a container created without
   * --stop-timeout gets between its stop signal and SIGKILL (stop, rm
   * -f); -1: not set (10).  A negative value, which Podman's unsigned
   * setting wraps round, is taken as the longest.  */
  int stop_timeout;
  /* [engine] events_logger ("file", "none"; "journald" is kept as
   * "file", ferry's only log), events_logfile_path and
   * events_logfile_max_size (bytes, 0: no limit): the event log
   * (state/events.h); NULL and -1 when not set.  */
  char *events_logger;
  char *events_logfile_path;
  int64_t events_logfile_max_size;
  /* $FERRY_CONMON_TIMEOUT: seconds conmon has to report the container
   * created or restored (the runtime's create or CRIU's restore), after
   * which the launch is ended; 0: not set (240, Podman's).  */
  int conmon_timeout;
  char *path; /* the ferry.conf read, NULL when there was none */
};

#define FERRY_CONFIG_PODMAN_VOLUME_PATH "/var/lib/containers/storage/volumes"

/* Reads containers.conf (from its places) and then PATH into *OUT, every
 * value checked.  PATH NULL: the default path, or the built-in settings
 * when it does not exist.  */
int ferry_config_load (const char *path, struct ferry_config *out, ferry_error_t *err);
/* The same, with containers.conf modules (Podman's --module, absolute
 * paths, NULL-terminated, may be NULL) read after containers.conf and
 * before $CONTAINERS_CONF_OVERRIDE, as Podman reads them.  */
int ferry_config_load_modules (const char *path, char *const *modules, struct ferry_config *out,
                               ferry_error_t *err);
/* *C with nothing set.  */
void ferry_config_init (struct ferry_config *c);
/* Reads one file over *C: a containers.conf (CONTAINERS_CONF set: settings
 * ferry does not use are left alone) or a ferry.conf.  */
int ferry_config_read (const char *path, int containers_conf, struct ferry_config *c, ferry_error_t *err);
void ferry_config_release (struct ferry_config *c);

/* Whether a container created without --cgroupns gets the host's cgroup
 * namespace (1) or one of its own (0), as Podman decides: the host's on
 * cgroups v1 and hybrid hosts (CGROUP2_ONLY 0) whatever C's cgroupns
 * says; on v2 alone, cgroupns "host", or "private" (the default); another
 * value is -1 with Podman's words in ERR.  */
int ferry_config_cgroupns_host (const struct ferry_config *c, int cgroup2_only, ferry_error_t *err);

/* "k8s-file" ("json-file" too), "journald", "none" or "passthrough"
 * ("passthrough-tty" too) as ferry acts on them; NULL for a driver ferry
 * does not have.  */
const char *ferry_log_driver_canonical (const char *name);

#endif
