/* ferry: what runs in a container (`top`) and what it uses (`stats`), read
 * from /proc and from its cgroups, as Podman shows them.  */
#ifndef FERRY_ENGINE_TOP_H
#define FERRY_ENGINE_TOP_H

#include "engine.h"

#include <stddef.h>

/* Rows of cells, the first row the headers.  */
struct ferry_table
{
  char **cells; /* row-major */
  size_t rows, cols;
};

void ferry_table_free (struct ferry_table *t);

/* True when every one of DESCRIPTORS is one `top` knows (args, capamb,
 * capbnd, capeff, capinh, capprm, comm, etime, group, hgroup, hpid, huser,
 * label, nice, pcpu, pgid, pid, ppid, rgroup, rss, ruser, seccomp, state,
 * stime, time, tty, user, vsz); each may be a comma-separated list.  */
int ferry_top_descriptors_known (char **descriptors);

/* The processes of the running (or paused) container REF, one row each in
 * PID order, with the columns DESCRIPTORS name (NULL or empty: user, pid,
 * ppid, pcpu, etime, tty, time, args).  Not running: kind STATE.  */
int ferry_container_top (ferry_engine_t *e, const char *ref, char **descriptors, struct ferry_table *out,
                         ferry_error_t *err);

/* Descriptors that are not all known (-ef, aux, -o pid,comm), as Podman
 * does: the host's ps(1) with them (split as a shell splits words) in the
 * running container REF's PID namespace, with a /proc of that namespace;
 * *OUT its standard output.  ps failing: an error with what it wrote.  */
int ferry_container_top_ps (ferry_engine_t *e, const char *ref, char **descriptors, char **out,
                            ferry_error_t *err);

/* One network interface's counters in a container's network namespace,
 * as the kernel keeps them (Podman's ContainerNetworkStats).  */
struct ferry_interface_stats
{
  char name[32];
  unsigned long long rx_bytes, rx_dropped, rx_errors, rx_packets;
  unsigned long long tx_bytes, tx_dropped, tx_errors, tx_packets;
};

/* What a container uses, from its cgroups (v1) and network namespace;
 * all zero for a container that does not run.  */
struct ferry_container_stats
{
  char *id;
  char *name;
  int running;
  unsigned long long cpu_ns;     /* cpuacct.usage */
  unsigned long long cpu_sys_ns; /* cpuacct.usage_sys: in the kernel */
  unsigned long long *per_cpu;   /* cpuacct.usage_percpu, n_per_cpu of them */
  size_t n_per_cpu;
  long long up_ns;                   /* since it started */
  unsigned long long system_ns;      /* when read: the realtime clock, in ns since the epoch */
  unsigned long long mem_usage;      /* its anonymous memory, as Podman counts */
  unsigned long long mem_limit;      /* its limit, or the host's memory */
  unsigned long long net_rx, net_tx; /* the interfaces' sums */
  /* The interfaces of the networks ferry attached (all of its network
   * namespace but lo), n_interfaces of them; has_network 0 when the
   * container has no network namespace of ferry's (none, host, not
   * running): Podman's nil Network.  */
  struct ferry_interface_stats *interfaces;
  size_t n_interfaces;
  int has_network;
  unsigned long long blk_read, blk_write;
  unsigned long long pids;
};

/* Reads the stats of REF.  */
int ferry_container_stats (ferry_engine_t *e, const char *ref, struct ferry_container_stats *out,
                           ferry_error_t *err);
void ferry_container_stats_release (struct ferry_container_stats *s);

/* Go's time.Duration text of NS nanoseconds: "1m2.5s", "350ms", "0s".  */
char *ferry_go_duration (long long ns);

#endif
