/* ferry CLI: run and create's cgroup resource flags (resources.h).  */
#include "resources.h"
#include "common.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cobra's message for a flag Go could not parse, with its hint.  */
static int
bad_flag (const char *arg, const char *flag, const char *func, const char *cmd, int range)
{
  return ferry_cli_failf (
      "invalid argument \"%s\" for \"%s\" flag: strconv.%s: parsing \"%s\": %s\nSee 'ferry "
      "%s --help'",
      arg, flag, func, arg, range ? "value out of range" : "invalid syntax", cmd);
}

/* Go's ParseUint.  */
static int
parse_uint (const char *arg, uint64_t *out, int *range)
{
  char *end;

  errno = 0;
  *range = 0;
  if (*arg < '0' || *arg > '9')
    return -1;
  *out = strtoull (arg, &end, 10);
  if (*end != '\0')
    return -1;
  if (errno == ERANGE)
    {
      *range = 1;
      return -1;
    }
  return 0;
}

/* Go's ParseInt.  */
static int
parse_int (const char *arg, int64_t *out, int *range)
{
  char *end;

  errno = 0;
  *range = 0;
  if (*arg == '\0' || strchr (" \t\n", *arg))
    return -1;
  *out = strtoll (arg, &end, 10);
  if (*end != '\0')
    return -1;
  if (errno == ERANGE)
    {
      *range = 1;
      return -1;
    }
  return 0;
}

static int
uint_flag (const char *arg, const char *flag, const char *cmd, uint64_t *out)
{
  int range;

  return parse_uint (arg, out, &range) < 0 ? bad_flag (arg, flag, "ParseUint", cmd, range) : 0;
}

static int
int_flag (const char *arg, const char *flag, const char *cmd, int64_t *out)
{
  int range;

  return parse_int (arg, out, &range) < 0 ? bad_flag (arg, flag, "ParseInt", cmd, range) : 0;
}

int
ferry_cli_bool_flag (const char *arg, const char *flag, const char *cmd, int *out)
{
  static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
  static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False", NULL };

  if (arg == NULL)
    {
      *out = 1;
      return 0;
    }
  for (size_t i = 0; yes[i]; i++)
    if (strcmp (arg, yes[i]) == 0)
      {
        *out = 1;
        return 0;
      }
  for (size_t i = 0; no[i]; i++)
    if (strcmp (arg, no[i]) == 0)
      {
        *out = 0;
        return 0;
      }
  return bad_flag (arg, flag, "ParseBool", cmd, 0);
}

/* A size (512m), as Podman's memory flags take it; -1 for --memory-swap.  */
static int
size_flag (const char *arg, int allow_unlimited, int64_t *out)
{
  if (allow_unlimited && strcmp (arg, "-1") == 0)
    {
      *out = -1;
      return 0;
    }
  if (*arg < '0' || *arg > '9' || ferry_parse_size (arg, out) < 0)
    return ferry_cli_failf ("invalid value for memory: invalid size: '%s'", arg);
  return 0;
}

int
ferry_cli_parse_cpus (const char *arg, const char *cmd, int64_t *nano_cpus)
{
  char *end;
  double cpus;

  errno = 0;
  cpus = strtod (arg, &end);
  /* Go's ParseFloat takes no blanks and no hexadecimal without an
   * exponent, which strtod takes.  */
  if (*arg == '\0' || *end != '\0' || isspace ((unsigned char) *arg) || strpbrk (arg, "xX"))
    {
      bad_flag (arg, "--cpus", "ParseFloat", cmd, 0);
      return -1;
    }
  /* Podman takes none or fewer as no limit: run and create set none,
   * update and clone keep the one there was.  */
  if (cpus <= 0)
    {
      *nano_cpus = 0;
      return 0;
    }
  /* As many as Podman takes, short of what its nanoseconds cannot hold
   * (Podman's overflow then becomes an error of its own); whether the
   * kernel grants such a quota is the runtime's to say at start.  */
  if (! (cpus > 0) || cpus * 1e9 >= 9.2e18)
    {
      ferry_cli_failf ("invalid --cpus `%s`: give a number of CPUs such as 1.5", arg);
      return -1;
    }
  *nano_cpus = (int64_t) (cpus * 1e9 + 0.5);
  return 0;
}

int
ferry_cli_parse_pids_limit (const char *arg, const char *cmd, int64_t *pids_limit)
{
  char *end;
  long long v;

  errno = 0;
  v = strtoll (arg, &end, 0);
  if (*arg == '\0' || *end != '\0' || isspace ((unsigned char) *arg) || errno == ERANGE)
    {
      bad_flag (arg, "--pids-limit", "ParseInt", cmd, errno == ERANGE);
      return -1;
    }
  if (v < -1 || v > INT32_MAX)
    {
      ferry_cli_failf ("invalid --pids-limit `%s`: give a number of processes, or -1 for no limit", arg);
      return -1;
    }
  *pids_limit = v == 0 ? -1 : v;
  return 0;
}

int
ferry_cli_parse_memory (const char *arg, int64_t *memory)
{
  /* Podman's words for what is no size.  */
  if (ferry_parse_size (arg, memory) < 0)
    {
      ferry_cli_failf ("invalid value for memory: invalid size: '%s': give a size such as 512m or 2g", arg);
      return -1;
    }
  return 0;
}

static char **
push (char **v, size_t *n, const char *s)
{
  v = xrealloc (v, sizeof (char *) * (*n + 2));
  v[(*n)++] = xstrdup (s);
  v[*n] = NULL;
  return v;
}

static int
blkio_weight (const char *arg, struct ferry_resource_options *o)
{
  int range;

  if (parse_uint (arg, &o->blkio_weight, &range) < 0)
    return ferry_cli_failf ("invalid value for blkio-weight: strconv.ParseUint: parsing \"%s\": %s", arg,
                            range ? "value out of range" : "invalid syntax");
  if (! ferry_resources_blkio_weight_supported ())
    {
      /* Podman's warning, and Podman's choice: the container runs
       * without the weight.  */
      fprintf (stderr, "Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight "
                       "discarded.\n");
      o->blkio_weight_set = 0;
      return 0;
    }
  o->blkio_weight_set = 1;
  return 0;
}

static int
resource_option (int c, const char *arg, const char *cmd, struct ferry_cli_resources *r)
{
  struct ferry_resource_options *o = &r->o;

  switch (c)
    {
    case OPT_RESOURCE_CPU_SHARES:
      return uint_flag (arg, "-c, --cpu-shares", cmd, &o->cpu_shares);
    case OPT_RESOURCE_CPU_PERIOD:
      return uint_flag (arg, "--cpu-period", cmd, &o->cpu_period);
    case OPT_RESOURCE_CPU_QUOTA:
      return int_flag (arg, "--cpu-quota", cmd, &o->cpu_quota);
    case OPT_RESOURCE_CPU_RT_PERIOD:
      return uint_flag (arg, "--cpu-rt-period", cmd, &o->cpu_rt_period);
    case OPT_RESOURCE_CPU_RT_RUNTIME:
      return int_flag (arg, "--cpu-rt-runtime", cmd, &o->cpu_rt_runtime);
    case OPT_RESOURCE_CPUSET_CPUS:
      o->cpuset_cpus = arg;
      return 0;
    case OPT_RESOURCE_CPUSET_MEMS:
      o->cpuset_mems = arg;
      return 0;
    case OPT_RESOURCE_MEMORY_RESERVATION:
      return size_flag (arg, 0, &o->memory_reservation);
    case OPT_RESOURCE_MEMORY_SWAP:
      o->memory_swap_set = 1;
      return size_flag (arg, 1, &o->memory_swap);
    case OPT_RESOURCE_MEMORY_SWAPPINESS:
      o->memory_swappiness_set = 1;
      return int_flag (arg, "--memory-swappiness", cmd, &o->memory_swappiness);
    case OPT_RESOURCE_OOM_KILL_DISABLE:
      return ferry_cli_bool_flag (arg, "--oom-kill-disable", cmd, &o->oom_kill_disable);
    case OPT_RESOURCE_BLKIO_WEIGHT:
      return blkio_weight (arg, o);
    case OPT_RESOURCE_BLKIO_WEIGHT_DEVICE:
      o->blkio_weight_device = push (o->blkio_weight_device, &r->n_blkio_weight_device, arg);
      return 0;
    case OPT_RESOURCE_DEVICE_READ_BPS:
      o->device_read_bps = push (o->device_read_bps, &r->n_device_read_bps, arg);
      return 0;
    case OPT_RESOURCE_DEVICE_WRITE_BPS:
      o->device_write_bps = push (o->device_write_bps, &r->n_device_write_bps, arg);
      return 0;
    case OPT_RESOURCE_DEVICE_READ_IOPS:
      o->device_read_iops = push (o->device_read_iops, &r->n_device_read_iops, arg);
      return 0;
    case OPT_RESOURCE_DEVICE_WRITE_IOPS:
      o->device_write_iops = push (o->device_write_iops, &r->n_device_write_iops, arg);
      return 0;
    case OPT_RESOURCE_DEVICE_CGROUP_RULE:
      o->device_cgroup_rules = push (o->device_cgroup_rules, &r->n_device_cgroup_rules, arg);
      return 0;
    case OPT_RESOURCE_CGROUP_PARENT:
      o->cgroup_parent = arg;
      return 0;
    case OPT_RESOURCE_CGROUP_CONF:
      o->cgroup_conf = push (o->cgroup_conf, &r->n_cgroup_conf, arg);
      return 0;
    case OPT_RESOURCE_CGROUPS:
      o->cgroups = arg;
      return 0;
    default:
      return 1;
    }
}

int
ferry_cli_resource_option (int c, const char *arg, const char *cmd, struct ferry_cli_resources *r)
{
  int ret = resource_option (c, arg, cmd, r);

  /* ferry_cli_failf's exit code: an error printed.  */
  return ret == 0 || ret == 1 ? ret : -1;
}

static void
free_strv (char **v)
{
  for (size_t i = 0; v && v[i]; i++)
    free (v[i]);
  free (v);
}

void
ferry_cli_resources_release (struct ferry_cli_resources *r)
{
  free_strv (r->o.blkio_weight_device);
  free_strv (r->o.device_read_bps);
  free_strv (r->o.device_write_bps);
  free_strv (r->o.device_read_iops);
  free_strv (r->o.device_write_iops);
  free_strv (r->o.device_cgroup_rules);
  free_strv (r->o.cgroup_conf);
}
