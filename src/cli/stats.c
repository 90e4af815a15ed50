/* ferry CLI: stats, what containers use.  */
#include "columns.h"
#include "commands.h"
#include "common.h"
#include "template.h"
#include "../lib/engine/container.h"
#include "../lib/engine/top.h"
#include "../lib/util/cleanup.h"
#include "../lib/util/json.h"
#include "../lib/util/xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char stats_usage[]
    = "Usage: ferry stats [options] [CONTAINER...]\n\n"
      "Display what containers use: CPU, memory, network and block I/O, processes,\n"
      "read from their cgroups.  By default the running containers, every INTERVAL\n"
      "seconds until interrupted.\n\n"
      "Options:\n"
      "  -a, --all           all containers, not only the running ones\n"
      "      --format FORMAT json, or a Go template of .ID .Name .CPUPerc .MemUsage\n"
      "                      .MemUsageBytes .MemPerc .NetIO .BlockIO .PIDs .CPU .AVGCPU\n"
      "                      .UpTime .Duration\n"
      "  -i, --interval N    seconds between reports (default 5)\n"
      "  -l, --latest        the container created last\n"
      "      --no-reset      do not clear the terminal between reports\n"
      "      --no-stream     print one report and exit\n"
      "      --no-trunc      full container IDs\n";

enum
{
  OPT_FORMAT = OPT_COMMAND_FIRST,
  OPT_NO_RESET,
  OPT_NO_STREAM,
  OPT_NO_TRUNC,
};

struct stats_args
{
  int all, latest, no_reset, no_stream, no_trunc;
  long interval;
  const char *format;
};

static json_object *
take_string (char *s)
{
  json_object *o = json_object_new_string (s);

  free (s);
  return o;
}

/* Go's units.HumanSizeWithPrecision (decimal) and BytesSize (binary), with
 * four significant digits.  */
static char *
size_text (unsigned long long bytes, int binary)
{
  static const char *const dec[] = { "B", "kB", "MB", "GB", "TB", "PB" };
  static const char *const bin[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
  double v = bytes, base = binary ? 1024 : 1000;
  size_t u = 0;

  while (v >= base && u < 5)
    {
      v /= base;
      u++;
    }
  return xasprintf ("%.4g%s", v, binary ? bin[u] : dec[u]);
}

static char *
pair (unsigned long long a, unsigned long long b, int binary)
{
  cleanup_free char *x = size_text (a, binary), *y = size_text (b, binary);
  return xasprintf ("%s / %s", x, y);
}

/* A number as Go's JSON writes an unsigned one.  */
static json_object *
u64 (unsigned long long v)
{
  return json_object_new_uint64 (v);
}

/* Podman's define.ContainerStats of S, its members in its order:
 * {{json .}} writes it, and the template's own fields below read it.  */
static json_object *
container_stats (const struct ferry_container_stats *s, double cpu, double avg, double mem)
{
  json_object *o = json_object_new_object ();
  json_object *per_cpu = NULL, *network = NULL;

  if (s->n_per_cpu)
    {
      per_cpu = json_object_new_array ();
      for (size_t i = 0; i < s->n_per_cpu; i++)
        json_object_array_add (per_cpu, u64 (s->per_cpu[i]));
    }
  if (s->has_network)
    {
      network = json_object_new_object ();
      for (size_t i = 0; i < s->n_interfaces; i++)
        {
          const struct ferry_interface_stats *n = &s->interfaces[i];
          json_object *d = json_object_new_object ();

          json_object_object_add (d, "RxBytes", u64 (n->rx_bytes));
          json_object_object_add (d, "RxDropped", u64 (n->rx_dropped));
          json_object_object_add (d, "RxErrors", u64 (n->rx_errors));
          json_object_object_add (d, "RxPackets", u64 (n->rx_packets));
          json_object_object_add (d, "TxBytes", u64 (n->tx_bytes));
          json_object_object_add (d, "TxDropped", u64 (n->tx_dropped));
          json_object_object_add (d, "TxErrors", u64 (n->tx_errors));
          json_object_object_add (d, "TxPackets", u64 (n->tx_packets));
          json_object_object_add (network, n->name, d);
        }
    }
  json_object_object_add (o, "AvgCPU", ferry_json_new_go_double (avg));
  json_object_object_add (o, "ContainerID", json_object_new_string (s->id));
  json_object_object_add (o, "Name", json_object_new_string (s->name));
  json_object_object_add (o, "PerCPU", per_cpu);
  json_object_object_add (o, "CPU", ferry_json_new_go_double (cpu));
  json_object_object_add (o, "CPUNano", u64 (s->cpu_ns));
  json_object_object_add (o, "CPUSystemNano", u64 (s->cpu_sys_ns));
  json_object_object_add (o, "SystemNano", u64 (s->running ? s->system_ns : 0));
  json_object_object_add (o, "MemUsage", u64 (s->mem_usage));
  json_object_object_add (o, "MemLimit", u64 (s->mem_limit));
  json_object_object_add (o, "MemPerc", ferry_json_new_go_double (mem));
  json_object_object_add (o, "Network", network);
  json_object_object_add (o, "BlockInput", u64 (s->blk_read));
  json_object_object_add (o, "BlockOutput", u64 (s->blk_write));
  json_object_object_add (o, "PIDs", u64 (s->pids));
  json_object_object_add (o, "UpTime", u64 (s->cpu_ns));
  json_object_object_add (o, "Duration", u64 (s->cpu_ns));
  return o;
}

/* Podman's percent text: two decimals.  */
static json_object *
percent_text (double v)
{
  return take_string (xasprintf ("%.2f%%", v));
}

/* A report of S as Podman's stats template sees it: the members of
 * define.ContainerStats (numbers) and its report's methods (text: .ID,
 * .CPUPerc, .MemUsage, .NetIO, ...), which hide the members of the same
 * name; {{json .}} writes the ContainerStats.  PREV (may be NULL) is the
 * previous report of the same container, for the CPU use since then.  */
static json_object *
stats_object (const struct ferry_container_stats *s, const struct ferry_container_stats *prev, int no_trunc)
{
  json_object *o;
  /* As Podman: CPU time over the wall-clock time since the start (the
   * average) or since the previous report.  */
  double avg = s->up_ns > 0 ? 100.0 * s->cpu_ns / s->up_ns : 0, cpu = avg;
  double mem = s->mem_limit ? 100.0 * s->mem_usage / s->mem_limit : 0;
  cleanup_free char *id = xstrndup (s->id, no_trunc ? strlen (s->id) : 12);
  cleanup_json json_object *raw = NULL;

  if (prev && prev->running && s->running && s->system_ns > prev->system_ns && s->cpu_ns >= prev->cpu_ns)
    cpu = 100.0 * (double) (s->cpu_ns - prev->cpu_ns) / (double) (s->system_ns - prev->system_ns);
  raw = container_stats (s, cpu, avg, mem);
  o = json_object_new_object ();
  json_object_object_foreach (raw, key, value) json_object_object_add (o, key, json_object_get (value));
  json_object_object_add (o, "ContainerStats", json_object_get (raw));
  json_object_object_add (o, "ID", json_object_new_string (id));
  json_object_object_add (o, "CPUPerc", percent_text (cpu));
  json_object_object_add (o, "AVGCPU", percent_text (avg));
  json_object_object_add (o, "MemUsage", take_string (pair (s->mem_usage, s->mem_limit, 0)));
  json_object_object_add (o, "MemUsageBytes", take_string (pair (s->mem_usage, s->mem_limit, 1)));
  json_object_object_add (o, "MemPerc", percent_text (mem));
  json_object_object_add (o, "NetIO", take_string (pair (s->net_rx, s->net_tx, 0)));
  json_object_object_add (o, "BlockIO", take_string (pair (s->blk_read, s->blk_write, 0)));
  json_object_object_add (o, "PIDS", take_string (xasprintf ("%llu", s->pids)));
  json_object_object_add (o, "Up", take_string (ferry_go_duration (s->cpu_ns)));
  json_object_object_add (o, "UpTime", ferry_cli_tpl_duration ((int64_t) s->cpu_ns));
  if (s->has_network == 0)
    json_object_object_add (o, "Network", ferry_cli_tpl_map (NULL));
  if (s->n_per_cpu == 0)
    json_object_object_add (o, "PerCPU", ferry_cli_tpl_nil_slice ());
  ferry_cli_tpl_json_as (o, raw);
  ferry_cli_tpl_go_members (o, "ferry.StatsRow");
  return o;
}

static void
print_table (json_object *reports)
{
  static const char *const headers[] = { "ID",     "NAME",     "CPU %", "MEM USAGE / LIMIT", "MEM %",
                                         "NET IO", "BLOCK IO", "PIDS",  "CPU TIME",          "AVG CPU %" };
  static const char *const keys[]
      = { "ID", "Name", "CPUPerc", "MemUsage", "MemPerc", "NetIO", "BlockIO", "PIDS", "Up", "AVGCPU" };
  size_t n = json_object_array_length (reports), cols = 10, r, c;
  cleanup_free char **cells = xmalloc0 (sizeof (char *) * (n + 1) * cols);

  for (c = 0; c < cols; c++)
    cells[c] = (char *) headers[c];
  for (r = 0; r < n; r++)
    for (c = 0; c < cols; c++)
      cells[(r + 1) * cols + c] = (char *) json_object_get_string (
          json_object_object_get (json_object_array_get_idx (reports, r), keys[c]));
  ferry_cli_print_columns (stdout, cells, n + 1, cols);
}

/* Podman's JSON: lower-case keys, values as text.  */
static void
print_json (json_object *reports)
{
  static const char *const keys[][2] = { { "id", "ID" },
                                         { "name", "Name" },
                                         { "cpu_time", "Up" },
                                         { "cpu_percent", "CPUPerc" },
                                         { "avg_cpu", "AVGCPU" },
                                         { "mem_usage", "MemUsage" },
                                         { "mem_percent", "MemPerc" },
                                         { "net_io", "NetIO" },
                                         { "block_io", "BlockIO" },
                                         { "pids", "PIDS" } };
  size_t n = json_object_array_length (reports), r, k;

  /* Go prints an empty list on one line.  */
  if (n == 0)
    {
      puts ("[]");
      return;
    }
  fputs ("[\n", stdout);
  for (r = 0; r < n; r++)
    {
      json_object *o = json_object_array_get_idx (reports, r);

      fputs (" {\n", stdout);
      for (k = 0; k < 10; k++)
        printf ("  \"%s\": %s%s\n", keys[k][0],
                json_object_to_json_string_ext (json_object_object_get (o, keys[k][1]),
                                                JSON_C_TO_STRING_NOSLASHESCAPE),
                k < 9 ? "," : "");
      printf (" }%s\n", r + 1 < n ? "," : "");
    }
  fputs ("]\n", stdout);
}

static int
print_reports (const struct stats_args *a, json_object *reports)
{
  size_t i;

  if (a->format == NULL)
    print_table (reports);
  else if (ferry_cli_format_is_json (a->format))
    print_json (reports);
  else
    {
      static const struct ferry_cli_column columns[] = {
        { "ID", "ID" },
        { "Name", "NAME" },
        { "CPUPerc", "CPU %" },
        { "MemUsage", "MEM USAGE / LIMIT" },
        { "MemPerc", "MEM %" },
        { "NetIO", "NET IO" },
        { "BlockIO", "BLOCK IO" },
        { "PIDs", "PI DS" }, /* sic: how Podman splits the name in a table of one's own */
        { "UpTime", "CPU TIME" },
        { "AVGCPU", "AVG CPU %" },
        { "CPU", "CPU" },
        { "Network", "NETWORK" },
        { "PerCPU", "PER CPU" },
        { "AvgCPU", "AVG CPU" },
        { "CPUNano", "CPU NANO" },
        { "CPUSystemNano", "CPU SYSTEM NANO" },
        { "SystemNano", "SYSTEM NANO" },
        { "MemLimit", "MEM LIMIT" },
        { "BlockInput", "BLOCK INPUT" },
        { "BlockOutput", "BLOCK OUTPUT" },
        { "Duration", "DURATION" },
        { "ContainerID", "CONTAINER ID" },
        { "PIDS", "PIDS" },
        { "MemUsageBytes", "MEM USAGE / LIMIT" },
        /* Podman's methods and embedded struct without a heading.  */
        { "Up", "" },
        { "ContainerStats", "" },
        { NULL, NULL },
      };
      cleanup_list struct ferry_cli_list l = { 0 };
      ferry_error_t err = NULL;

      /* "table ..." is a table with Podman's headings, as ps and images.  */
      ferry_cli_template_root_type ("containers.containerStats");
      ferry_cli_list_init (&l, a->format, columns, 1);
      for (i = 0; i < json_object_array_length (reports); i++)
        if (ferry_cli_list_row (&l, json_object_array_get_idx (reports, i), &err) < 0)
          return ferry_cli_fail (&err);
      if (ferry_cli_list_end (&l, &err) < 0)
        return ferry_cli_fail (&err);
    }
  fflush (stdout);
  return 0;
}

/* The IDs to report on: those named, the latest, or the running (all with
 * -a) ones.  */
static char **
targets (struct ferry_engine *e, const struct stats_args *a, char **names, ferry_error_t *err)
{
  struct ferry_container **list = NULL;
  char **ids = xmalloc0 (sizeof (char *));
  size_t n = 0, count = 0, i;

  for (i = 0; names[i]; i++)
    {
      struct ferry_container *c = NULL;

      if (ferry_container_lookup (e, names[i], &c, err) < 0)
        {
          ferry_error_wrap (err, "unable to get list of containers: unable to look up container %s",
                            names[i]);
          ferry_cleanup_strvp (&ids);
          return NULL;
        }
      ids = xrealloc (ids, sizeof (char *) * (count + 2));
      ids[count++] = xstrdup (c->id);
      ids[count] = NULL;
      ferry_container_free (c);
    }
  if (names[0])
    return ids;
  if (a->latest)
    {
      struct ferry_container *c = NULL;

      if (ferry_container_latest (e, &c, err) < 0)
        {
          ferry_cleanup_strvp (&ids);
          return NULL;
        }
      ids = xrealloc (ids, sizeof (char *) * 2);
      ids[0] = xstrdup (c->id);
      ids[1] = NULL;
      ferry_container_free (c);
      return ids;
    }
  if (ferry_container_list (e, &list, &n, err) < 0)
    {
      ferry_cleanup_strvp (&ids);
      return NULL;
    }
  for (i = 0; i < n; i++)
    if (a->all || list[i]->status == FERRY_CONTAINER_RUNNING)
      {
        ids = xrealloc (ids, sizeof (char *) * (count + 2));
        ids[count++] = xstrdup (list[i]->id);
        ids[count] = NULL;
      }
  ferry_containers_free (list, n);
  return ids;
}

static int
report_loop (struct ferry_engine *e, const struct stats_args *a, char **ids)
{
  size_t n = 0, i;
  struct ferry_container_stats *prev;
  int first = 1, ret = 0;

  while (ids[n])
    n++;
  prev = xmalloc0 (sizeof (*prev) * (n + 1));
  for (;;)
    {
      cleanup_json json_object *reports = json_object_new_array ();

      for (i = 0; i < n; i++)
        {
          struct ferry_container_stats s;
          ferry_error_t err = NULL;

          /* One that went away meanwhile leaves the report.  */
          if (ferry_container_stats (e, ids[i], &s, &err) < 0)
            {
              ferry_error_release (&err);
              continue;
            }
          json_object_array_add (reports, stats_object (&s, first ? NULL : &prev[i], a->no_trunc));
          ferry_container_stats_release (&prev[i]);
          prev[i] = s;
        }
      if (! a->no_stream && ! a->no_reset && isatty (STDOUT_FILENO))
        fputs ("\033[2J\033[H", stdout);
      ret = print_reports (a, reports);
      if (ret != 0 || a->no_stream)
        break;
      first = 0;
      sleep (a->interval);
    }
  for (i = 0; i < n; i++)
    ferry_container_stats_release (&prev[i]);
  free (prev);
  return ret;
}

int
ferry_cmd_stats (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "all", no_argument, NULL, 'a' },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "interval", required_argument, NULL, 'i' },
    { "latest", no_argument, NULL, 'l' },
    { "no-reset", no_argument, NULL, OPT_NO_RESET },
    { "no-stream", no_argument, NULL, OPT_NO_STREAM },
    { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct stats_args a = { .interval = 5 };
  cleanup_engine struct ferry_engine *e = NULL;
  cleanup_strv char **ids = NULL;
  ferry_error_t err = NULL;
  char *end;
  int c, r;

  while ((c = getopt_long (argc, argv, ":ai:lh", opts, NULL)) != -1)
    {
      switch (c)
        {
        case 'a':
          a.all = 1;
          continue;
        case OPT_FORMAT:
          a.format = optarg;
          continue;
        case 'i':
          a.interval = strtol (optarg, &end, 10);
          if (*optarg == '\0' || *end || a.interval < 1)
            return ferry_cli_failf ("invalid interval, must be a positive number greater zero: `%s`: give a "
                                    "whole number of seconds, at least 1",
                                    optarg);
          continue;
        case 'l':
          a.latest = 1;
          continue;
        case OPT_NO_RESET:
          a.no_reset = 1;
          continue;
        case OPT_NO_STREAM:
          a.no_stream = 1;
          continue;
        case OPT_NO_TRUNC:
          a.no_trunc = 1;
          continue;
        }
      r = ferry_cli_parse_or_help (c, "stats", argv, stats_usage);
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (((a.all || a.latest) && optind < argc) || (a.all && a.latest))
    return ferry_cli_failf ("--all, --latest and containers cannot be used together: give one of them");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  ids = targets (e, &a, argv + optind, &err);
  if (ids == NULL)
    return ferry_cli_fail (&err);
  return report_loop (e, &a, ids);
}
