#include "top.h"
#include "container.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const default_descriptors[]
    = { "user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args", NULL };

static const struct
{
  const char *name;
  const char *header;
} descriptors_known[] = {
  { "args", "COMMAND" },
  { "comm", "COMMAND" },
  { "etime", "ELAPSED" },
  { "group", "GROUP" },
  { "hgroup", "HGROUP" },
  { "hpid", "HPID" },
  { "huser", "HUSER" },
  { "nice", "NI" },
  { "pcpu", "%CPU" },
  { "pgid", "PGID" },
  { "pid", "PID" },
  { "ppid", "PPID" },
  { "rgroup", "RGROUP" },
  { "ruser", "RUSER" },
  { "seccomp", "SECCOMP" },
  { "state", "STATE" },
  { "stime", "STIME" },
  { "time", "TIME" },
  { "tty", "TTY" },
  { "user", "USER" },
  { "vsz", "VSZ" },
  { "rss", "RSS" },
  { "label", "LABEL" },
  { "capamb", "AMBIENT CAPS" },
  { "capbnd", "BOUNDING CAPS" },
  { "capeff", "EFFECTIVE CAPS" },
  { "capinh", "INHERITED CAPS" },
  { "capprm", "PERMITTED CAPS" },
};

/* The capability sets of /proc/PID/status, in the order of the cap*
 * descriptors' names.  */
enum
{
  CAP_SET_AMB,
  CAP_SET_BND,
  CAP_SET_EFF,
  CAP_SET_INH,
  CAP_SET_PRM,
  CAP_SETS
};

/* Capability names by number (linux/capability.h), without "CAP_".  */
static const char *const capability_names[] = {
  "CHOWN",
  "DAC_OVERRIDE",
  "DAC_READ_SEARCH",
  "FOWNER",
  "FSETID",
  "KILL",
  "SETGID",
  "SETUID",
  "SETPCAP",
  "LINUX_IMMUTABLE",
  "NET_BIND_SERVICE",
  "NET_BROADCAST",
  "NET_ADMIN",
  "NET_RAW",
  "IPC_LOCK",
  "IPC_OWNER",
  "SYS_MODULE",
  "SYS_RAWIO",
  "SYS_CHROOT",
  "SYS_PTRACE",
  "SYS_PACCT",
  "SYS_ADMIN",
  "SYS_BOOT",
  "SYS_NICE",
  "SYS_RESOURCE",
  "SYS_TIME",
  "SYS_TTY_CONFIG",
  "MKNOD",
  "LEASE",
  "AUDIT_WRITE",
  "AUDIT_CONTROL",
  "SETFCAP",
  "MAC_OVERRIDE",
  "MAC_ADMIN",
  "SYSLOG",
  "WAKE_ALARM",
  "BLOCK_SUSPEND",
  "AUDIT_READ",
  "PERFMON",
  "BPF",
  "CHECKPOINT_RESTORE",
};

#define N_CAPABILITIES (sizeof (capability_names) / sizeof (capability_names[0]))

#define N_KNOWN (sizeof (descriptors_known) / sizeof (descriptors_known[0]))

void
ferry_table_free (struct ferry_table *t)
{
  size_t i;

  for (i = 0; t->cells && i < t->rows * t->cols; i++)
    free (t->cells[i]);
  free (t->cells);
  memset (t, 0, sizeof (*t));
}

char *
ferry_go_duration (long long ns)
{
  static const struct
  {
    long long unit;
    const char *name;
  } small[] = { { 1000000, "ms" }, { 1000, "µs" }, { 1, "ns" } };
  char frac[16] = "";
  long long h, m, s, rest;
  size_t i;

  if (ns == 0)
    return xstrdup ("0s");
  if (ns < 1000000000LL)
    for (i = 0; i < 3; i++)
      if (ns >= small[i].unit)
        {
          rest = ns % small[i].unit;
          if (rest)
            {
              int digits = i == 0 ? 6 : i == 1 ? 3 : 0;
              snprintf (frac, sizeof (frac), ".%0*lld", digits, rest);
              for (size_t k = strlen (frac) - 1; frac[k] == '0'; k--)
                frac[k] = '\0';
            }
          return xasprintf ("%lld%s%s", ns / small[i].unit, frac, small[i].name);
        }
  h = ns / 3600000000000LL;
  m = ns / 60000000000LL % 60;
  s = ns / 1000000000LL % 60;
  rest = ns % 1000000000LL;
  if (rest)
    {
      snprintf (frac, sizeof (frac), ".%09lld", rest);
      for (size_t k = strlen (frac) - 1; frac[k] == '0'; k--)
        frac[k] = '\0';
    }
  if (h)
    return xasprintf ("%lldh%lldm%lld%ss", h, m, s, frac);
  if (m)
    return xasprintf ("%lldm%lld%ss", m, s, frac);
  return xasprintf ("%lld%ss", s, frac);
}

static const char *
descriptor_header (const char *d)
{
  size_t i;

  for (i = 0; i < N_KNOWN; i++)
    if (strcmp (descriptors_known[i].name, d) == 0)
      return descriptors_known[i].header;
  return NULL;
}

/* DESCRIPTORS with comma-separated lists split; NULL-terminated.  */
static char **
split_descriptors (char **descriptors)
{
  char **v = xmalloc0 (sizeof (char *));
  size_t n = 0, i;

  for (i = 0; descriptors && descriptors[i]; i++)
    {
      cleanup_free char *copy = xstrdup (descriptors[i]);
      char *tok, *save = NULL;

      for (tok = strtok_r (copy, ",", &save); tok; tok = strtok_r (NULL, ",", &save))
        {
          v = xrealloc (v, sizeof (char *) * (n + 2));
          v[n++] = xstrdup (tok);
          v[n] = NULL;
        }
    }
  if (n == 0)
    for (i = 0; default_descriptors[i]; i++)
      {
        v = xrealloc (v, sizeof (char *) * (n + 2));
        v[n++] = xstrdup (default_descriptors[i]);
        v[n] = NULL;
      }
  return v;
}

int
ferry_top_descriptors_known (char **descriptors)
{
  cleanup_strv char **v = split_descriptors (descriptors);
  size_t i;

  for (i = 0; v[i]; i++)
    if (descriptor_header (v[i]) == NULL)
      return 0;
  return 1;
}

/* One process, from /proc/PID/{stat,status,cmdline}.  */
struct proc
{
  pid_t hpid, cpid; /* on the host, in the container */
  pid_t hppid, cppid;
  pid_t pgid; /* in the container's namespace when known */
  char state;
  char comm[64];
  char *args;
  unsigned tty_nr;
  unsigned long long utime, stime, starttime, vsize;
  long nice;
  uid_t ruid, euid;
  gid_t rgid, egid;
  int seccomp;
  unsigned long long caps[CAP_SETS];
  unsigned long long rss_kib;
};

/* The last field of a "NSpid:" or "NSpgid:" line: the ID in the innermost
 * namespace.  */
static long
last_field (const char *line)
{
  const char *p = line + strlen (line);

  while (p > line && isspace ((unsigned char) p[-1]))
    p--;
  while (p > line && isdigit ((unsigned char) p[-1]))
    p--;
  return strtol (p, NULL, 10);
}

static int
read_stat (struct proc *p)
{
  cleanup_free char *path = xasprintf ("/proc/%d/stat", (int) p->hpid), *text = NULL;
  cleanup_error ferry_error_t err = NULL;
  char *open_paren, *close_paren;
  int pgrp;
  size_t len;

  if (ferry_read_file (path, &text, &len, &err) < 0)
    return -1;
  open_paren = strchr (text, '(');
  close_paren = strrchr (text, ')');
  if (open_paren == NULL || close_paren == NULL || close_paren < open_paren)
    return -1;
  snprintf (p->comm, sizeof (p->comm), "%.*s", (int) (close_paren - open_paren - 1), open_paren + 1);
  /* Fields 3 on: state ppid pgrp session tty_nr tpgid flags minflt cminflt
   * majflt cmajflt utime stime cutime cstime priority nice num_threads
   * itrealvalue starttime vsize.  */
  if (sscanf (close_paren + 2,
              "%c %d %d %*d %u %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %ld %*d %*d %llu %llu",
              &p->state, &p->hppid, &pgrp, &p->tty_nr, &p->utime, &p->stime, &p->nice, &p->starttime,
              &p->vsize)
      != 9)
    return -1;
  p->pgid = pgrp;
  return 0;
}

static int
read_status (struct proc *p)
{
  cleanup_free char *path = xasprintf ("/proc/%d/status", (int) p->hpid);
  cleanup_fclose FILE *f = fopen (path, "re");
  char line[512];

  if (f == NULL)
    return -1;
  p->cpid = p->hpid;
  while (fgets (line, sizeof (line), f))
    {
      unsigned r, e;

      if (sscanf (line, "Uid: %u %u", &r, &e) == 2)
        p->ruid = r, p->euid = e;
      else if (sscanf (line, "Gid: %u %u", &r, &e) == 2)
        p->rgid = r, p->egid = e;
      else if (strncmp (line, "NSpid:", 6) == 0)
        p->cpid = last_field (line);
      else if (strncmp (line, "NSpgid:", 7) == 0)
        p->pgid = last_field (line);
      else if (sscanf (line, "Seccomp: %u", &r) == 1)
        p->seccomp = r;
      else if (sscanf (line, "VmRSS: %llu", &p->rss_kib) == 1)
        ;
      else if (strncmp (line, "Cap", 3) == 0)
        {
          static const char *const sets[CAP_SETS] = { "Amb", "Bnd", "Eff", "Inh", "Prm" };

          for (int i = 0; i < CAP_SETS; i++)
            if (strncmp (line + 3, sets[i], 3) == 0 && line[6] == ':')
              p->caps[i] = strtoull (line + 7, NULL, 16);
        }
    }
  return 0;
}

static void
read_cmdline (struct proc *p)
{
  cleanup_free char *path = xasprintf ("/proc/%d/cmdline", (int) p->hpid), *text = NULL;
  cleanup_error ferry_error_t err = NULL;
  size_t len = 0, i;

  if (ferry_read_file (path, &text, &len, &err) < 0 || len == 0)
    {
      p->args = xasprintf ("[%s]", p->comm);
      return;
    }
  /* Each argument and a space, as Podman shows them.  */
  for (i = 0; i < len; i++)
    if (text[i] == '\0')
      text[i] = ' ';
  p->args = xstrndup (text, len);
}

/* The cgroup.procs of the container whose init is PID: the first
 * controller hierarchy /proc/PID/cgroup names that has one.  */
static char *
cgroup_procs_path (pid_t pid)
{
  cleanup_free char *path = xasprintf ("/proc/%d/cgroup", (int) pid);
  cleanup_fclose FILE *f = fopen (path, "re");
  static const char *const prefer[] = { "pids", "memory", "freezer", "cpu,cpuacct", NULL };
  char line[1024];
  char *found = NULL;
  size_t best = 99;

  while (f && fgets (line, sizeof (line), f))
    {
      char *ctl = strchr (line, ':'), *cg;
      size_t i;

      if (ctl == NULL || (cg = strchr (ctl + 1, ':')) == NULL)
        continue;
      *cg++ = '\0';
      cg[strcspn (cg, "\n")] = '\0';
      for (i = 0; prefer[i] && i < best; i++)
        if (strcmp (ctl + 1, prefer[i]) == 0)
          {
            char *cand = xasprintf ("/sys/fs/cgroup/%s%s/cgroup.procs", prefer[i], cg);
            if (access (cand, R_OK) == 0)
              {
                free (found);
                found = cand;
                best = i;
              }
            else
              free (cand);
          }
    }
  return found;
}

static int
compare_procs (const void *a, const void *b)
{
  const struct proc *x = a, *y = b;
  return x->cpid < y->cpid ? -1 : x->cpid > y->cpid;
}

static int
read_procs (pid_t init, struct proc **out, size_t *n, ferry_error_t *err)
{
  cleanup_free char *procs = cgroup_procs_path (init);
  cleanup_fclose FILE *f = NULL;
  struct proc *v = NULL;
  size_t count = 0, i, j;
  int pid;

  if (procs == NULL || (f = fopen (procs, "re")) == NULL)
    return ferry_make_error (err, errno, "cannot find the cgroup of process %d", (int) init);
  while (fscanf (f, "%d", &pid) == 1)
    {
      struct proc p = { .hpid = pid };

      if (read_stat (&p) < 0 || read_status (&p) < 0)
        continue; /* gone meanwhile */
      read_cmdline (&p);
      v = xrealloc (v, sizeof (*v) * (count + 1));
      v[count++] = p;
    }
  for (i = 0; i < count; i++)
    {
      v[i].cppid = 0;
      for (j = 0; j < count; j++)
        if (v[j].hpid == v[i].hppid)
          v[i].cppid = v[j].cpid;
    }
  qsort (v, count, sizeof (*v), compare_procs);
  *out = v;
  *n = count;
  return 0;
}

/* Bytes of the container's /etc/passwd or /etc/group top reads for a name,
 * as spec.c reads them for the user.  */
#define CONTAINER_NAMES_MAX (16u << 20)

/* Names from the container's own /etc/passwd or /etc/group, opened below
 * its root so that its symlinks stay inside it.  */
static char *
container_name (int rootfd, const char *file, unsigned id)
{
  cleanup_close int fd = ferry_openat2 (rootfd, file, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0,
                                        RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  cleanup_fclose FILE *f = NULL;
  struct stat st;
  char line[1024];
  size_t seen = 0;

  /* The container writes the file: a FIFO would hold top for good, a
   * sparse file of terabytes for hours.  */
  if (fd >= 0 && fstat (fd, &st) == 0 && S_ISREG (st.st_mode))
    f = fdopen (fd, "re");
  if (f)
    fd = -1;
  while (f && seen < CONTAINER_NAMES_MAX && fgets (line, sizeof (line), f))
    {
      seen += strlen (line);
      char *name = line, *c1 = strchr (line, ':'), *c2;

      if (c1 == NULL || (c2 = strchr (c1 + 1, ':')) == NULL)
        continue;
      *c1 = '\0';
      if (strtoul (c2 + 1, NULL, 10) == id && isdigit ((unsigned char) c2[1]))
        return xstrdup (name);
    }
  return xasprintf ("%u", id);
}

static char *
host_user (uid_t uid)
{
  struct passwd *pw = getpwuid (uid);
  return pw ? xstrdup (pw->pw_name) : xasprintf ("%u", (unsigned) uid);
}

static char *
host_group (gid_t gid)
{
  struct group *gr = getgrgid (gid);
  return gr ? xstrdup (gr->gr_name) : xasprintf ("%u", (unsigned) gid);
}

static char *
tty_name (unsigned tty_nr)
{
  unsigned maj = major (tty_nr), min = minor (tty_nr);

  if (tty_nr == 0)
    return xstrdup ("?");
  if (maj >= 136 && maj <= 143)
    return xasprintf ("pts/%u", (maj - 136) * 256 + min);
  if (maj == 4 && min < 64)
    return xasprintf ("tty%u", min);
  return xasprintf ("%u:%u", maj, min);
}

static char *
start_time_text (const struct proc *p, double boot_epoch, long ticks)
{
  time_t t = (time_t) (boot_epoch + (double) p->starttime / ticks);
  struct tm tm;
  char buf[64];

  localtime_r (&t, &tm);
  strftime (buf, sizeof (buf), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
  return xstrdup (buf);
}

struct clocks
{
  long ticks;        /* per second */
  double uptime;     /* seconds since boot */
  double boot_epoch; /* the boot, in seconds since the epoch */
};

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* A capability set as Podman's top shows it: "none", "full" (every
 * capability this kernel has), or the names in alphabetical order.  */
static char *
capabilities_text (unsigned long long set)
{
  cleanup_free const char **names = xmalloc0 (sizeof (char *) * (N_CAPABILITIES + 1));
  unsigned long long full;
  size_t n = 0, i, len = 1;
  long last = 40;
  char *out;

  {
    cleanup_free char *text = NULL;
    cleanup_error ferry_error_t err = NULL;

    if (ferry_read_file ("/proc/sys/kernel/cap_last_cap", &text, NULL, &err) == 0)
      last = strtol (text, NULL, 10);
  }
  if (last < 0 || last > 63)
    last = 40;
  full = last == 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
  if (set == 0)
    return xstrdup ("none");
  if ((set & full) == full)
    return xstrdup ("full");
  for (i = 0; i < N_CAPABILITIES; i++)
    if (set & (1ULL << i))
      names[n++] = capability_names[i];
  qsort (names, n, sizeof (char *), compare_names);
  for (i = 0; i < n; i++)
    len += strlen (names[i]) + 1;
  out = xmalloc0 (len);
  for (i = 0; i < n; i++)
    {
      if (i)
        strcat (out, ",");
      strcat (out, names[i]);
    }
  return out;
}

/* The process's security label (/proc/PID/attr/current), "?" without one.  */
static char *
label_text (pid_t pid)
{
  cleanup_free char *path = xasprintf ("/proc/%d/attr/current", (int) pid), *text = NULL;
  cleanup_error ferry_error_t err = NULL;
  size_t len = 0;

  if (ferry_read_file (path, &text, &len, &err) < 0)
    return xstrdup ("?");
  while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\0'))
    len--;
  return len ? xstrndup (text, len) : xstrdup ("?");
}

static char *
cell (int rootfd, const struct proc *p, const char *d, const struct clocks *k)
{
  double elapsed = k->uptime - (double) p->starttime / k->ticks;
  double cpu = (double) (p->utime + p->stime) / k->ticks;

  if (strcmp (d, "args") == 0)
    return xstrdup (p->args);
  if (strcmp (d, "comm") == 0)
    return xstrdup (p->comm);
  if (strcmp (d, "etime") == 0)
    return ferry_go_duration ((long long) (elapsed * 1e9));
  if (strcmp (d, "time") == 0)
    return ferry_go_duration ((p->utime + p->stime) / k->ticks * 1000000000LL);
  if (strcmp (d, "pcpu") == 0)
    return xasprintf ("%.3f", elapsed > 0 ? 100 * cpu / elapsed : 0.0);
  if (strcmp (d, "pid") == 0)
    return xasprintf ("%d", (int) p->cpid);
  if (strcmp (d, "ppid") == 0)
    return xasprintf ("%d", (int) p->cppid);
  if (strcmp (d, "pgid") == 0)
    return xasprintf ("%d", (int) p->pgid);
  if (strcmp (d, "hpid") == 0)
    return xasprintf ("%d", (int) p->hpid);
  if (strcmp (d, "user") == 0 || strcmp (d, "ruser") == 0)
    return container_name (rootfd, "etc/passwd", d[0] == 'u' ? p->euid : p->ruid);
  if (strcmp (d, "group") == 0 || strcmp (d, "rgroup") == 0)
    return container_name (rootfd, "etc/group", d[0] == 'g' ? p->egid : p->rgid);
  if (strcmp (d, "huser") == 0)
    return host_user (p->euid);
  if (strcmp (d, "hgroup") == 0)
    return host_group (p->egid);
  if (strcmp (d, "nice") == 0)
    return xasprintf ("%ld", p->nice);
  if (strcmp (d, "state") == 0)
    return xasprintf ("%c", p->state);
  if (strcmp (d, "tty") == 0)
    return tty_name (p->tty_nr);
  if (strcmp (d, "vsz") == 0)
    return xasprintf ("%llu", p->vsize / 1024);
  if (strcmp (d, "seccomp") == 0)
    return xstrdup (p->seccomp == 2 ? "filter" : p->seccomp == 1 ? "strict" : "disabled");
  if (strcmp (d, "rss") == 0)
    return xasprintf ("%llu", p->rss_kib);
  if (strcmp (d, "label") == 0)
    return label_text (p->hpid);
  if (strncmp (d, "cap", 3) == 0)
    {
      static const char *const sets[CAP_SETS] = { "capamb", "capbnd", "capeff", "capinh", "capprm" };

      for (int i = 0; i < CAP_SETS; i++)
        if (strcmp (d, sets[i]) == 0)
          return capabilities_text (p->caps[i]);
    }
  return start_time_text (p, k->boot_epoch, k->ticks); /* stime */
}

static void
read_clocks (struct clocks *k)
{
  struct timespec boot, real;

  k->ticks = sysconf (_SC_CLK_TCK);
  if (k->ticks <= 0)
    k->ticks = 100;
  clock_gettime (CLOCK_BOOTTIME, &boot);
  clock_gettime (CLOCK_REALTIME, &real);
  k->uptime = boot.tv_sec + boot.tv_nsec / 1e9;
  k->boot_epoch = real.tv_sec + real.tv_nsec / 1e9 - k->uptime;
}

int
ferry_container_top (ferry_engine_t *e, const char *ref, char **descriptors, struct ferry_table *out,
                     ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_strv char **d = split_descriptors (descriptors);
  cleanup_free char *root = NULL;
  cleanup_close int rootfd = -1;
  struct proc *procs = NULL;
  struct clocks k;
  size_t n = 0, i, j;
  int ret = -1;

  for (i = 0; d[i]; i++)
    if (descriptor_header (d[i]) == NULL)
      return ferry_make_error (
          err, 0,
          "unknown descriptor \"%s\": use args, capamb, capbnd, capeff, capinh, capprm, comm, "
          "etime, group, hgroup, hpid, huser, label, nice, pcpu, pgid, pid, ppid, rgroup, rss, "
          "ruser, seccomp, state, stime, time, tty, user or vsz",
          d[i]);
  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return ferry_error_wrap (err, "unable to look up requested container");
  if ((c->status != FERRY_CONTAINER_RUNNING && c->status != FERRY_CONTAINER_PAUSED) || c->pid <= 0)
    {
      ret = ferry_make_error_kind (err, FERRY_ERROR_STATE, "top can only be used on running containers");
      goto out;
    }
  root = xasprintf ("/proc/%d/root", (int) c->pid);
  rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    {
      ret = ferry_make_error (err, errno, "cannot open the root of container %s", c->name);
      goto out;
    }
  if (read_procs (c->pid, &procs, &n, err) < 0)
    goto out;
  read_clocks (&k);
  out->cols = ferry_strv_length (d);
  out->rows = n + 1;
  out->cells = xmalloc0 (sizeof (char *) * out->rows * out->cols);
  for (j = 0; j < out->cols; j++)
    out->cells[j] = xstrdup (descriptor_header (d[j]));
  for (i = 0; i < n; i++)
    for (j = 0; j < out->cols; j++)
      out->cells[(i + 1) * out->cols + j] = cell (rootfd, &procs[i], d[j], &k);
  ret = 0;
out:
  for (i = 0; i < n; i++)
    free (procs[i].args);
  free (procs);
  ferry_container_free (c);
  return ret;
}

/* ---- top with ps(1) ------------------------------------------------------- */

/* DESCRIPTORS as Podman hands them to ps(1) after "ps": one alone split as
 * a shell splits words (quotes kept together: "-e -o 'pid comm'"),
 * several each as it is ("-o" "pid comm").  */
static char **
ps_argv (const char *ps, char **descriptors)
{
  size_t count = 0;
  char **v;
  size_t n = 1;

  while (descriptors && descriptors[count])
    count++;
  v = xmalloc0 (sizeof (char *) * (count + 2));
  /* The path as argv[0], as Podman runs it: its own line shows it so.  */
  v[0] = xstrdup (ps);
  if (count > 1)
    {
      for (size_t i = 0; i < count; i++)
        v[n++] = xstrdup (descriptors[i]);
      return v;
    }
  for (size_t i = 0; i < count; i++)
    {
      const char *p = descriptors[i];

      while (*p)
        {
          cleanup_free char *word = xmalloc0 (strlen (p) + 1);
          size_t len = 0;
          char quote = 0;

          while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
          if (*p == '\0')
            break;
          for (; *p && (quote || (*p != ' ' && *p != '\t' && *p != '\n')); p++)
            {
              if (quote ? *p == quote : (*p == '\'' || *p == '"'))
                quote = quote ? 0 : *p;
              else if (*p == '\\' && quote != '\'' && p[1])
                word[len++] = *++p;
              else
                word[len++] = *p;
            }
          v = xrealloc (v, sizeof (char *) * (n + 2));
          v[n++] = xstrdup (word);
          v[n] = NULL;
        }
    }
  return v;
}

/* The host's ps(1) on $PATH, or NULL.  */
static char *
find_ps (void)
{
  const char *path = getenv ("PATH");
  cleanup_free char *copy = xstrdup (path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
  char *dir, *save = NULL;

  for (dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char *candidate = xasprintf ("%s/ps", dir);

      if (access (candidate, X_OK) == 0)
        return candidate;
      free (candidate);
    }
  return NULL;
}

/* In the child: joins the PID namespace of PID, then runs PS with ARGV in
 * a process of that namespace whose own mount namespace has a /proc of it,
 * so that ps sees the container's processes and nothing else.  Never
 * returns.  */
static void __attribute__ ((noreturn)) ps_child (pid_t pid, const char *ps, char **argv, int out, int errfd)
{
  char ns[64];
  int fd, status;
  pid_t child;

  dup2 (out, STDOUT_FILENO);
  dup2 (errfd, STDERR_FILENO);
  snprintf (ns, sizeof (ns), "/proc/%d/ns/pid", (int) pid);
  fd = open (ns, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || setns (fd, CLONE_NEWPID) < 0)
    {
      dprintf (STDERR_FILENO, "cannot join the PID namespace of process %d: %s\n", (int) pid,
               strerror (errno));
      _exit (125);
    }
  child = fork ();
  if (child < 0)
    _exit (125);
  if (child == 0)
    {
      if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
          || mount ("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
        {
          dprintf (STDERR_FILENO, "cannot mount a /proc of the container's PID namespace: %s\n",
                   strerror (errno));
          _exit (125);
        }
      execv (ps, argv);
      dprintf (STDERR_FILENO, "cannot run %s: %s\n", ps, strerror (errno));
      _exit (125);
    }
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  _exit (WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
}

/* OUT without the lines that show ps(1) itself, run as ARGV: those
 * holding its whole command line, as Podman leaves them out (a column
 * cut short shows it, as in Podman's).  */
static void
drop_own_lines (char *out, char **argv)
{
  size_t cap = 1;
  cleanup_free char *command = NULL;
  char *w = out;

  for (size_t i = 0; argv[i]; i++)
    cap += strlen (argv[i]) + 1;
  command = xmalloc0 (cap);
  for (size_t i = 0; argv[i]; i++)
    strcat (strcat (command, i ? " " : ""), argv[i]);

  for (char *line = out; *line;)
    {
      size_t len = strcspn (line, "\n");
      int keep = 1;

      {
        cleanup_free char *copy = xstrndup (line, len);
        keep = strstr (copy, command) == NULL;
      }
      if (line[len] == '\n')
        len++;
      if (keep)
        {
          memmove (w, line, len);
          w += len;
        }
      line += len;
    }
  *w = '\0';
}

/* Reads the pipes OUT and ERR to their ends into *OUT_TEXT and *ERR_TEXT.  */
static void
read_both (int out, int errfd, char **out_text, char **err_text)
{
  struct pollfd fds[2] = { { .fd = out, .events = POLLIN }, { .fd = errfd, .events = POLLIN } };
  char *text[2] = { xstrdup (""), xstrdup ("") };
  size_t len[2] = { 0, 0 };
  int open_fds = 2;

  while (open_fds > 0)
    {
      if (poll (fds, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          break;
        }
      for (int i = 0; i < 2; i++)
        {
          char buf[4096];
          ssize_t n;

          if (fds[i].fd < 0 || fds[i].revents == 0)
            continue;
          n = read (fds[i].fd, buf, sizeof (buf));
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            {
              fds[i].fd = -1;
              open_fds--;
              continue;
            }
          text[i] = xrealloc (text[i], len[i] + n + 1);
          memcpy (text[i] + len[i], buf, n);
          len[i] += n;
          text[i][len[i]] = '\0';
        }
    }
  *out_text = text[0];
  *err_text = text[1];
}

int
ferry_container_top_ps (ferry_engine_t *e, const char *ref, char **descriptors, char **out,
                        ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_strv char **argv = NULL;
  cleanup_free char *ps = NULL, *err_text = NULL;
  cleanup_close int out_r = -1, err_r = -1;
  int out_pipe[2], err_pipe[2], status = 0;
  pid_t child;
  int ret = -1;

  *out = NULL;
  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return ferry_error_wrap (err, "unable to look up requested container");
  if ((c->status != FERRY_CONTAINER_RUNNING && c->status != FERRY_CONTAINER_PAUSED) || c->pid <= 0)
    {
      ret = ferry_make_error_kind (err, FERRY_ERROR_STATE, "top can only be used on running containers");
      goto out;
    }
  ps = find_ps ();
  if (ps == NULL)
    {
      ret = ferry_make_error (err, 0, "ps(1) is not on $PATH: install procps to use ps(1) options with top");
      goto out;
    }
  argv = ps_argv (ps, descriptors);
  if (pipe2 (out_pipe, O_CLOEXEC) < 0)
    {
      ret = ferry_make_error (err, errno, "cannot make a pipe for ps(1)");
      goto out;
    }
  if (pipe2 (err_pipe, O_CLOEXEC) < 0)
    {
      ret = ferry_make_error (err, errno, "cannot make a pipe for ps(1)");
      close (out_pipe[0]);
      close (out_pipe[1]);
      goto out;
    }
  out_r = out_pipe[0];
  err_r = err_pipe[0];
  child = fork ();
  if (child == 0)
    ps_child (c->pid, ps, argv, out_pipe[1], err_pipe[1]);
  close (out_pipe[1]);
  close (err_pipe[1]);
  if (child < 0)
    {
      ret = ferry_make_error (err, errno, "cannot start ps(1)");
      goto out;
    }
  read_both (out_r, err_r, out, &err_text);
  while (waitpid (child, &status, 0) < 0 && errno == EINTR)
    ;
  if (! WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      /* Podman's words, with ps's own complaint as it wrote it.  */
      ret = ferry_make_error (err, 0, "ps(1) failed with exit code %d: %s",
                              WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status), err_text);
      free (*out);
      *out = NULL;
      goto out;
    }
  drop_own_lines (*out, argv);
  ret = 0;
out:
  ferry_container_free (c);
  return ret;
}

/* ---- stats ---------------------------------------------------------------- */

void
ferry_container_stats_release (struct ferry_container_stats *s)
{
  free (s->id);
  free (s->name);
  free (s->per_cpu);
  free (s->interfaces);
  memset (s, 0, sizeof (*s));
}

/* The directory of controller CTL (as /proc/PID/cgroup names it) for PID.  */
static char *
cgroup_dir (pid_t pid, const char *ctl)
{
  cleanup_free char *path = xasprintf ("/proc/%d/cgroup", (int) pid);
  cleanup_fclose FILE *f = fopen (path, "re");
  char line[1024];

  while (f && fgets (line, sizeof (line), f))
    {
      char *c = strchr (line, ':'), *cg;

      if (c == NULL || (cg = strchr (c + 1, ':')) == NULL)
        continue;
      *cg++ = '\0';
      cg[strcspn (cg, "\n")] = '\0';
      for (char *tok = strtok (c + 1, ","); tok; tok = strtok (NULL, ","))
        if (strcmp (tok, ctl) == 0)
          /* A joint hierarchy (cpu,cpuacct) has a link of each name.  */
          return xasprintf ("/sys/fs/cgroup/%s%s", ctl, cg);
    }
  return NULL;
}

static unsigned long long
read_number (const char *dir, const char *file)
{
  cleanup_free char *path = NULL, *text = NULL;
  cleanup_error ferry_error_t err = NULL;
  size_t len;

  if (dir == NULL)
    return 0;
  path = xasprintf ("%s/%s", dir, file);
  if (ferry_read_file (path, &text, &len, &err) < 0)
    return 0;
  return strtoull (text, NULL, 10);
}

/* The value of KEY in a "key value" file (memory.stat).  */
static unsigned long long
read_keyed (const char *dir, const char *file, const char *key)
{
  cleanup_free char *path = dir ? xasprintf ("%s/%s", dir, file) : NULL;
  cleanup_fclose FILE *f = path ? fopen (path, "re") : NULL;
  char name[128];
  unsigned long long v;

  while (f && fscanf (f, "%127s %llu", name, &v) == 2)
    if (strcmp (name, key) == 0)
      return v;
  return 0;
}

/* The bytes read and written, as Podman sums them: the "Read" and
 * "Write" lines of blkio.throttle.io_service_bytes_recursive (the
 * container's cgroup and any below it).  */
static void
read_blkio (const char *dir, struct ferry_container_stats *s)
{
  cleanup_free char *path = dir ? xasprintf ("%s/blkio.throttle.io_service_bytes_recursive", dir) : NULL;
  cleanup_fclose FILE *f = path ? fopen (path, "re") : NULL;
  char line[256], dev[64], op[32];
  unsigned long long v;

  while (f && fgets (line, sizeof (line), f))
    if (sscanf (line, "%63s %31s %llu", dev, op, &v) == 3)
      {
        if (strcasecmp (op, "Read") == 0)
          s->blk_read += v;
        else if (strcasecmp (op, "Write") == 0)
          s->blk_write += v;
      }
}

/* cpuacct.usage_percpu: one number per possible CPU.  */
static void
read_per_cpu (const char *dir, struct ferry_container_stats *s)
{
  cleanup_free char *path = dir ? xasprintf ("%s/cpuacct.usage_percpu", dir) : NULL;
  cleanup_free char *text = NULL;
  cleanup_error ferry_error_t err = NULL;
  size_t len;
  char *p, *end;

  if (path == NULL || ferry_read_file (path, &text, &len, &err) < 0)
    return;
  for (p = text;; p = end)
    {
      unsigned long long v;

      while (*p == ' ' || *p == '\n')
        p++;
      if (*p < '0' || *p > '9')
        break;
      v = strtoull (p, &end, 10);
      s->per_cpu = xrealloc (s->per_cpu, sizeof (*s->per_cpu) * (s->n_per_cpu + 1));
      s->per_cpu[s->n_per_cpu++] = v;
    }
}

/* Whether the network namespace of C holds interfaces of networks ferry
 * attached: bridge and named networks, and another container's (whose
 * they are); not none, host or a namespace given by path.  */
static int
has_own_network (const struct ferry_container *c)
{
  const char *net = ferry_json_get_string (c->record, "Network");

  if (net == NULL || strcmp (net, "none") == 0 || strcmp (net, "host") == 0)
    return 0;
  return strncmp (net, "ns:", 3) != 0;
}

/* Each interface but lo of PID's network namespace, from its
 * /proc/PID/net/dev (read in that namespace by the kernel).  */
static void
read_net (pid_t pid, struct ferry_container_stats *s)
{
  cleanup_free char *path = xasprintf ("/proc/%d/net/dev", (int) pid);
  cleanup_fclose FILE *f = fopen (path, "re");
  char line[512];

  while (f && fgets (line, sizeof (line), f))
    {
      char *colon = strchr (line, ':'), *name = line;
      struct ferry_interface_stats i = { 0 };

      if (colon == NULL)
        continue;
      *colon = '\0';
      while (isspace ((unsigned char) *name))
        name++;
      if (strcmp (name, "lo") == 0 || strlen (name) >= sizeof (i.name))
        continue;
      /* bytes packets errs drop fifo frame compressed multicast, then
       * bytes packets errs drop for what it sent.  */
      if (sscanf (colon + 1, "%llu %llu %llu %llu %*u %*u %*u %*u %llu %llu %llu %llu", &i.rx_bytes,
                  &i.rx_packets, &i.rx_errors, &i.rx_dropped, &i.tx_bytes, &i.tx_packets, &i.tx_errors,
                  &i.tx_dropped)
          != 8)
        continue;
      strcpy (i.name, name);
      s->interfaces = xrealloc (s->interfaces, sizeof (*s->interfaces) * (s->n_interfaces + 1));
      s->interfaces[s->n_interfaces++] = i;
      s->net_rx += i.rx_bytes;
      s->net_tx += i.tx_bytes;
    }
}

static unsigned long long
host_memory (void)
{
  struct sysinfo si;

  /* As Podman: sysinfo's total RAM.  */
  if (sysinfo (&si) == 0)
    return (unsigned long long) si.totalram * si.mem_unit;
  return 0;
}

static void
read_running_stats (const struct ferry_container *c, struct ferry_container_stats *s)
{
  cleanup_free char *cpu = cgroup_dir (c->pid, "cpuacct"), *mem = cgroup_dir (c->pid, "memory");
  cleanup_free char *pids = cgroup_dir (c->pid, "pids"), *blkio = cgroup_dir (c->pid, "blkio");
  unsigned long long host = host_memory ();
  struct timespec started, now;

  s->cpu_ns = read_number (cpu, "cpuacct.usage");
  s->cpu_sys_ns = read_number (cpu, "cpuacct.usage_sys");
  read_per_cpu (cpu, s);
  /* Podman's memory use on cgroup v1: the anonymous pages alone (the
   * page cache the kernel can drop counts in none).  */
  s->mem_usage = read_keyed (mem, "memory.stat", "total_active_anon")
                 + read_keyed (mem, "memory.stat", "total_inactive_anon");
  s->mem_limit = read_number (mem, "memory.limit_in_bytes");
  if (s->mem_limit == 0 || (host && s->mem_limit > host))
    s->mem_limit = host;
  s->pids = read_number (pids, "pids.current");
  read_blkio (blkio, s);
  s->has_network = has_own_network (c);
  if (s->has_network)
    read_net (c->pid, s);
  clock_gettime (CLOCK_REALTIME, &now);
  s->system_ns = (unsigned long long) now.tv_sec * 1000000000ULL + (unsigned long long) now.tv_nsec;
  if (c->started_at && ferry_time_parse (c->started_at, &started) == 0)
    s->up_ns = (now.tv_sec - started.tv_sec) * 1000000000LL + (now.tv_nsec - started.tv_nsec);
}

int
ferry_container_stats (ferry_engine_t *e, const char *ref, struct ferry_container_stats *out,
                       ferry_error_t *err)
{
  struct ferry_container *c = NULL;

  memset (out, 0, sizeof (*out));
  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return -1;
  out->id = xstrdup (c->id);
  out->name = xstrdup (c->name);
  out->running = (c->status == FERRY_CONTAINER_RUNNING || c->status == FERRY_CONTAINER_PAUSED) && c->pid > 0;
  if (out->running)
    read_running_stats (c, out);
  ferry_container_free (c);
  return 0;
}
