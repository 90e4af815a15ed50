/* ferry: what /proc says about a process, for telling whether the ferry
 * (or helper) that started an operation is still alive.  A PID alone is
 * no identity: PIDs are reused.  A PID with its start time is.  */
#ifndef FERRY_UTIL_PROCESS_H
#define FERRY_UTIL_PROCESS_H

#include <sys/types.h>

struct ferry_process_info
{
  char comm[32];
  char state; /* 'R', 'S', 'Z', ... */
  pid_t ppid;
  pid_t pgrp;
  unsigned long long start_time; /* clock ticks after boot */
};

/* Reads /proc/PID/stat.  -1 when there is no such process.  */
int ferry_process_info (pid_t pid, struct ferry_process_info *out);

/* True when PID runs (not a zombie) and started at START_TIME.  */
int ferry_process_is_alive (pid_t pid, unsigned long long start_time);

/* This process's start time.  */
unsigned long long ferry_process_self_start_time (void);

/* What ferry_process_each calls for a process: returns what the walk
 * adds up (1 for one counted, 0 for one passed over).  */
typedef int (*ferry_process_visit_fn) (pid_t pid, const struct ferry_process_info *info, void *data);

/* Calls VISIT for each live process in /proc (not a zombie), but init and
 * ferry itself, which no caller means to signal; returns the sum of what
 * VISIT returned.  */
int ferry_process_each (ferry_process_visit_fn visit, void *data);

/* Sends SIGKILL to every live process of process group PGRP whose command
 * name is one of NAMES (NULL-terminated), then waits up to TIMEOUT_MS for
 * them to be gone.  Returns how many were killed.  */
int ferry_process_group_kill (pid_t pgrp, const char *const *names, long long timeout_ms);

/* How many live processes of group PGRP have a name in NAMES.  */
int ferry_process_group_count (pid_t pgrp, const char *const *names);

#endif
