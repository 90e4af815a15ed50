#include "process.h"
#include "cleanup.h"
#include "timeutil.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
ferry_process_info (pid_t pid, struct ferry_process_info *out)
{
  char path[64], buf[1024];
  cleanup_fclose FILE *f = NULL;
  const char *open_paren, *close_paren;
  unsigned long long start = 0;
  int ppid = 0, pgrp = 0, field;
  size_t n;
  char *p, *end;

  if (pid <= 0)
    return -1;
  snprintf (path, sizeof (path), "/proc/%d/stat", (int) pid);
  f = fopen (path, "re");
  if (f == NULL)
    return -1;
  n = fread (buf, 1, sizeof (buf) - 1, f);
  buf[n] = '\0';
  /* "PID (COMM) STATE PPID PGRP ...": COMM may hold spaces and parens,
   * so it ends at the last ')'.  */
  open_paren = strchr (buf, '(');
  close_paren = strrchr (buf, ')');
  if (open_paren == NULL || close_paren == NULL || close_paren < open_paren || close_paren[1] != ' ')
    return -1;
  memset (out, 0, sizeof (*out));
  n = close_paren - open_paren - 1;
  if (n >= sizeof (out->comm))
    n = sizeof (out->comm) - 1;
  memcpy (out->comm, open_paren + 1, n);
  out->state = close_paren[2];
  /* Fields from 3 (state) on are separated by single spaces; starttime is
   * field 22.  */
  p = (char *) close_paren + 2;
  for (field = 3; field <= 22 && p && *p; field++)
    {
      if (field == 4)
        ppid = (int) strtol (p, &end, 10);
      else if (field == 5)
        pgrp = (int) strtol (p, &end, 10);
      else if (field == 22)
        start = strtoull (p, &end, 10);
      p = strchr (p, ' ');
      if (p)
        p++;
    }
  if (field <= 22)
    return -1;
  out->ppid = ppid;
  out->pgrp = pgrp;
  out->start_time = start;
  return 0;
}

static int
state_is_dead (char state)
{
  return state == 'Z' || state == 'X' || state == 'x';
}

int
ferry_process_is_alive (pid_t pid, unsigned long long start_time)
{
  struct ferry_process_info info;

  return ferry_process_info (pid, &info) == 0 && ! state_is_dead (info.state)
         && info.start_time == start_time;
}

unsigned long long
ferry_process_self_start_time (void)
{
  struct ferry_process_info info;

  return ferry_process_info (getpid (), &info) == 0 ? info.start_time : 0;
}

static int
name_listed (const char *comm, const char *const *names)
{
  for (; *names; names++)
    if (strcmp (comm, *names) == 0)
      return 1;
  return 0;
}

int
ferry_process_each (ferry_process_visit_fn visit, void *data)
{
  cleanup_dir DIR *d = opendir ("/proc");
  struct dirent *de;
  int sum = 0;

  while (d && (de = readdir (d)))
    {
      struct ferry_process_info info;
      char *end;
      long pid = strtol (de->d_name, &end, 10);

      if (*end != '\0' || pid <= 1 || pid == getpid ())
        continue;
      if (ferry_process_info ((pid_t) pid, &info) < 0 || state_is_dead (info.state))
        continue;
      sum += visit ((pid_t) pid, &info, data);
    }
  return sum;
}

struct group_members
{
  pid_t pgrp;
  const char *const *names;
  int sig; /* 0: none */
};

static int
signal_member (pid_t pid, const struct ferry_process_info *info, void *data)
{
  const struct group_members *m = data;

  if (info->pgrp != m->pgrp || ! name_listed (info->comm, m->names))
    return 0;
  if (m->sig)
    kill (pid, m->sig);
  return 1;
}

/* Sends SIG (0: none) to the matching members once; returns how many
 * live ones it found.  */
static int
signal_members (pid_t pgrp, const char *const *names, int sig)
{
  struct group_members m = { .pgrp = pgrp, .names = names, .sig = sig };

  return ferry_process_each (signal_member, &m);
}

int
ferry_process_group_kill (pid_t pgrp, const char *const *names, long long timeout_ms)
{
  long long deadline = ferry_time_monotonic_ms () + timeout_ms;
  int killed;

  if (pgrp <= 1)
    return 0;
  killed = signal_members (pgrp, names, SIGKILL);
  if (killed == 0)
    return 0;
  while (signal_members (pgrp, names, SIGKILL) > 0 && ferry_time_monotonic_ms () < deadline)
    usleep (10000);
  return killed;
}

int
ferry_process_group_count (pid_t pgrp, const char *const *names)
{
  return pgrp > 1 ? signal_members (pgrp, names, 0) : 0;
}
