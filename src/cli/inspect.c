/* ferry CLI: inspect (containers, images, volumes and networks, or the one
 * type --type names) and container inspect, with Podman's --latest and
 * --size.  */
#include "common.h"
#include "commands.h"
#include "engine/container.h"
#include "engine/engine.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* What --type may name, in the order `inspect` tries them without it.  */
static const char *const inspect_types[] = { "container", "image", "volume", "network", NULL };

struct inspect_flags
{
  const char *format;
  const char *type; /* NULL: all */
  int size, latest;
  int containers_only; /* container inspect */
};

/* SizeRw and SizeRootFs, where Podman puts them (before Mounts): with
 * --size the bytes, else for a template what Podman's struct holds then
 * (nil and 0); plain JSON leaves them out.  */
static json_object *
with_sizes (json_object *o, json_object *rw, json_object *rootfs)
{
  json_object *out = json_object_new_object ();
  int placed = 0;

  json_object_object_foreach (o, key, val)
  {
    if (! placed && strcmp (key, "Mounts") == 0)
      {
        json_object_object_add (out, "SizeRw", rw);
        json_object_object_add (out, "SizeRootFs", rootfs);
        placed = 1;
      }
    json_object_object_add (out, key, json_object_get (val));
  }
  if (! placed)
    {
      json_object_object_add (out, "SizeRw", rw);
      json_object_object_add (out, "SizeRootFs", rootfs);
    }
  json_object_put (o);
  return out;
}

/* Marks what OMITTED names (nested as in O) as hidden from {{json}}.  */
static void
hide_omitted (json_object *o, json_object *omitted)
{
  json_object_object_foreach (omitted, key, val)
  {
    if (json_object_is_type (val, json_type_object))
      hide_omitted (json_object_object_get (o, key), val);
    else
      ferry_cli_tpl_hide (o, key);
  }
}

/* The members of Podman's inspect structs that are Go maps (m) and
 * slices (s), where the JSON holds null for a nil one: a template prints
 * a nil map map[] and a nil slice [], len is 0 and range runs nothing,
 * {{json}} stays null; and a map's missing key is "<no value>" to {{.M.k}}
 * and "" to index, no error.  PARENT is a member of the top ("" for the
 * top, "*" for each value of NetworkSettings.Networks).  */
static const struct
{
  const char *parent, *sub, *key;
  char type;
} container_go_types[] = {
  { "Config", NULL, "Volumes", 'm' },
  { "Config", NULL, "Labels", 'm' },
  { "Config", NULL, "Annotations", 'm' },
  { "HostConfig", NULL, "Annotations", 'm' },
  { "HostConfig", NULL, "CgroupConf", 'm' },
  { "HostConfig", "LogConfig", "Config", 'm' },
  { "HostConfig", NULL, "VolumesFrom", 's' },
  { "HostConfig", NULL, "Links", 's' },
  { "HostConfig", NULL, "BlkioWeightDevice", 's' },
  { "HostConfig", NULL, "BlkioDeviceReadBps", 's' },
  { "HostConfig", NULL, "BlkioDeviceWriteBps", 's' },
  { "HostConfig", NULL, "BlkioDeviceReadIOps", 's' },
  { "HostConfig", NULL, "BlkioDeviceWriteIOps", 's' },
  { "*", NULL, "DriverOpts", 'm' },
  { "*", NULL, "IPAMConfig", 'm' },
  { "*", NULL, "Links", 's' },
};

static void
give_go_type (json_object *parent, const char *key, char type)
{
  json_object *v;

  if (parent == NULL || ! json_object_is_type (parent, json_type_object)
      || ! json_object_object_get_ex (parent, key, &v))
    return;
  if (type == 'm' && (v == NULL || json_object_is_type (v, json_type_object)))
    json_object_object_add (parent, key, ferry_cli_tpl_map (v));
  else if (type == 's' && v == NULL)
    json_object_object_add (parent, key, ferry_cli_tpl_nil_slice ());
}

static void
give_go_types (json_object *o)
{
  json_object *networks = json_object_object_get (json_object_object_get (o, "NetworkSettings"), "Networks");

  for (size_t i = 0; i < sizeof (container_go_types) / sizeof (container_go_types[0]); i++)
    {
      const char *sub = container_go_types[i].sub, *key = container_go_types[i].key;
      char type = container_go_types[i].type;

      if (strcmp (container_go_types[i].parent, "*") != 0)
        {
          json_object *parent = json_object_object_get (o, container_go_types[i].parent);
          give_go_type (sub ? json_object_object_get (parent, sub) : parent, key, type);
          continue;
        }
      if (networks && json_object_is_type (networks, json_type_object))
        {
          json_object_object_foreach (networks, name, net)
          {
            (void) name;
            give_go_type (net, key, type);
          }
        }
    }
}

/* Members of Podman's structs that its JSON leaves out when empty, as a
 * template finds them: PARENT a member of the top, type t a string, s a
 * slice.  */
static const struct
{
  const char *parent, *key;
  char type;
} container_omitted[] = {
  { "State", "CheckpointLog", 't' },
  { "State", "RestoreLog", 't' },
  { "HostConfig", "IntelRdtClosID", 't' },
  { "NetworkSettings", "SecondaryIPAddresses", 's' },
  { "NetworkSettings", "SecondaryIPv6Addresses", 's' },
};

static void
give_omitted (json_object *o)
{
  for (size_t i = 0; i < sizeof (container_omitted) / sizeof (container_omitted[0]); i++)
    {
      json_object *parent = json_object_object_get (o, container_omitted[i].parent);
      const char *key = container_omitted[i].key;

      if (parent == NULL || ! json_object_is_type (parent, json_type_object)
          || json_object_object_get_ex (parent, key, NULL))
        continue;
      json_object_object_add (parent, key,
                              container_omitted[i].type == 's' ? ferry_cli_tpl_nil_slice ()
                                                               : json_object_new_string (""));
      ferry_cli_tpl_hide (parent, key);
    }
}

/* Members of Podman's InspectContainerConfig that its JSON leaves out
 * when empty (Timezone, Secrets, ChrootDirs, SdNotifySocket) or writes
 * under another name (HealthMaxLogCount is "HealthcheckMaxLogCount"): a
 * template finds them all, {{json}} of Config shows none.  */
static void
give_config_fields (json_object *config)
{
  static const struct
  {
    const char *key, *json_name;
    char type; /* t: a string, s: a slice */
  } fields[] = {
    { "Timezone", NULL, 't' },
    { "Secrets", NULL, 's' },
    { "ChrootDirs", NULL, 's' },
    { "SdNotifySocket", NULL, 't' },
    { "HealthMaxLogCount", "HealthcheckMaxLogCount", 0 },
    { "HealthMaxLogSize", "HealthcheckMaxLogSize", 0 },
  };
  json_object *v;

  if (config == NULL || ! json_object_is_type (config, json_type_object))
    return;
  for (size_t i = 0; i < sizeof (fields) / sizeof (fields[0]); i++)
    {
      if (json_object_object_get_ex (config, fields[i].key, NULL))
        continue;
      if (fields[i].json_name)
        {
          if (! json_object_object_get_ex (config, fields[i].json_name, &v))
            continue;
          json_object_object_add (config, fields[i].key, json_object_get (v));
        }
      else
        json_object_object_add (config, fields[i].key,
                                fields[i].type == 's' ? ferry_cli_tpl_nil_slice ()
                                                      : json_object_new_string (""));
      ferry_cli_tpl_hide (config, fields[i].key);
    }
}

/* PARENT's member KEY, null in the JSON, as the nil pointer of GO_TYPE it
 * is in Podman's struct.  */
static void
give_nil_pointer (json_object *parent, const char *key, const char *go_type)
{
  json_object *v;

  if (parent && json_object_is_type (parent, json_type_object) && json_object_object_get_ex (parent, key, &v)
      && v == NULL)
    json_object_object_add (parent, key, ferry_cli_tpl_nil_pointer (go_type));
}

/* PARENT's member KEY, an RFC 3339 string in the JSON, as the time.Time
 * it is in Podman's struct: Go's text to print, {{.T.Unix}}, the same
 * JSON.  */
static void
give_time (json_object *parent, const char *key)
{
  json_object *v;

  if (parent && json_object_is_type (parent, json_type_object) && json_object_object_get_ex (parent, key, &v)
      && json_object_is_type (v, json_type_string))
    json_object_object_add (parent, key, ferry_cli_tpl_time (json_object_get_string (v)));
}

static json_object *
container_object (ferry_engine_t *e, const struct ferry_container *c, const struct inspect_flags *f,
                  ferry_error_t *err)
{
  cleanup_json json_object *omitted = f->format ? json_object_new_object () : NULL;
  json_object *o = ferry_container_inspect_json (e, c, omitted);

  /* Podman's struct has them when the JSON leaves them out: a template
   * finds nil, and {{json}} leaves them out as Go's does.  */
  if (f->format)
    {
      json_object *state = json_object_object_get (o, "State"),
                  *config = json_object_object_get (o, "Config");
      if (state && ! json_object_object_get_ex (state, "Health", NULL))
        {
          json_object_object_add (state, "Health", ferry_cli_tpl_nil_pointer ("*define.HealthCheckResults"));
          ferry_cli_tpl_hide (state, "Health");
        }
      /* Podman's State has a Healthcheck method, for templates older
       * than the Health field: the same results, never in the JSON.  */
      if (state)
        {
          json_object *health = json_object_object_get (state, "Health"), *log;

          /* No check run yet: Go's nil slice, 0 to len, null in JSON.  */
          if (health && json_object_is_type (health, json_type_object)
              && json_object_object_get_ex (health, "Log", &log) && log == NULL)
            json_object_object_add (health, "Log", ferry_cli_tpl_nil_slice ());
          json_object_object_add (state, "Healthcheck",
                                  json_object_get (json_object_object_get (state, "Health")));
          ferry_cli_tpl_hide (state, "Healthcheck");
        }
      if (config && ! json_object_object_get_ex (config, "Healthcheck", NULL))
        {
          json_object_object_add (config, "Healthcheck",
                                  ferry_cli_tpl_nil_pointer ("*manifest.Schema2HealthConfig"));
          ferry_cli_tpl_hide (config, "Healthcheck");
        }
      give_nil_pointer (config, "OnBuild", "*string");
      ferry_cli_tpl_graph_driver (o);
      give_go_types (o);
      /* Go's nil slices: [] to print, null in JSON.  */
      for (size_t k = 0; config && k < 2; k++)
        {
          const char *key = k ? "Entrypoint" : "Cmd";
          json_object *v;

          if (json_object_object_get_ex (config, key, &v) && v == NULL)
            json_object_object_add (config, key, ferry_cli_tpl_nil_slice ());
        }
      /* Go's nil map: map[] to print, null in JSON.  */
      if (config
          && json_object_object_get_ex (json_object_object_get (omitted, "Config"), "ExposedPorts", NULL))
        json_object_object_add (config, "ExposedPorts", ferry_cli_tpl_map (NULL));
      /* So are the networks of a bridge container left on none while it
       * runs.  */
      {
        json_object *net = json_object_object_get (o, "NetworkSettings");
        if (net
            && json_object_object_get_ex (json_object_object_get (omitted, "NetworkSettings"), "Networks",
                                          NULL))
          json_object_object_add (net, "Networks", ferry_cli_tpl_map (NULL));
      }
      give_config_fields (config);
      give_omitted (o);
      ferry_cli_tpl_go_id (o);
      give_time (o, "Created");
      give_time (state, "StartedAt");
      give_time (state, "FinishedAt");
      give_time (state, "CheckpointedAt");
      give_time (state, "RestoredAt");
      if (config && ! json_object_object_get_ex (config, "StartupHealthCheck", NULL))
        {
          json_object_object_add (config, "StartupHealthCheck",
                                  ferry_cli_tpl_nil_pointer ("*define.StartupHealthCheck"));
          ferry_cli_tpl_hide (config, "StartupHealthCheck");
        }
      /* State, Config, HostConfig and the rest print as Go's structs.  */
      ferry_cli_tpl_go_members (o, "ferry.ContainerInspect");
    }
  if (f->size)
    {
      struct ferry_image *img = NULL;
      uint64_t rw = 0, image_size = 0;

      if (ferry_container_rw_size (e, c, &rw, err) < 0)
        {
          json_object_put (o);
          return NULL;
        }
      /* Its image gone: only its own bytes.  */
      if (c->image_id && ferry_store_lookup (e->store, c->image_id, &img, err) < 0)
        ferry_error_release (err);
      else if (img)
        {
          image_size = ferry_image_reported_size (img);
          ferry_image_free (img);
        }
      o = with_sizes (o, json_object_new_int64 ((int64_t) rw),
                      json_object_new_int64 ((int64_t) (rw + image_size)));
      if (omitted)
        hide_omitted (o, omitted);
      return o;
    }
  /* Podman's JSON leaves both out without --size ({{json .}} too); a
   * template that names them finds nil and 0.  */
  if (f->format && (strstr (f->format, "SizeRw") || strstr (f->format, "SizeRootFs")))
    {
      o = with_sizes (o, NULL, json_object_new_int64 (0));
      ferry_cli_tpl_hide (o, "SizeRw");
      ferry_cli_tpl_hide (o, "SizeRootFs");
    }
  if (omitted)
    hide_omitted (o, omitted);
  return o;
}

struct inspect_target
{
  ferry_engine_t *e;
  const struct inspect_flags *f;
};

/* The object REF names among the types the flags allow; NULL and the
 * error Podman gives when there is none.  */
static json_object *
inspect_lookup (const char *ref, bool for_template, void *data, ferry_error_t *err)
{
  const struct inspect_target *t = data;
  ferry_engine_t *e = t->e;
  const struct inspect_flags *f = t->f;
  size_t i;

  if (f->type && strcmp (f->type, "pod") == 0)
    {
      ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "no such pod %s", ref);
      return NULL;
    }
  for (i = 0; inspect_types[i]; i++)
    {
      const char *type = inspect_types[i];
      json_object *o = NULL;

      if (f->type && strcmp (f->type, type))
        continue;
      if (strcmp (type, "container") == 0)
        {
          struct ferry_container *c = NULL;
          /* Podman's inspect looks "/" up as it is: no container has it.  */
          int found = strcmp (ref, "/") == 0
                          ? ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "no such container %s", ref)
                          : ferry_container_lookup (e, ref, &c, err);

          if (found == 0)
            {
              o = container_object (e, c, f, err);
              ferry_container_free (c);
            }
          else if (f->type && (*err)->kind == FERRY_ERROR_NOT_FOUND)
            {
              ferry_error_release (err);
              ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "no such container %s", ref);
            }
        }
      else if (strcmp (type, "image") == 0)
        o = ferry_cli_image_inspect_lookup (ref, for_template, e->store, err);
      else if (strcmp (type, "volume") == 0)
        o = ferry_cli_volume_inspect_lookup (ref, for_template, e, err);
      else
        o = ferry_cli_network_inspect_lookup (ref, for_template, e, err);
      if (o || f->type || (*err)->kind != FERRY_ERROR_NOT_FOUND)
        return o;
      ferry_error_release (err);
    }
  ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "no such object: \"%s\"", ref);
  return NULL;
}

/* Podman's checks of the flags against each other.  */
static int
inspect_check (const struct inspect_flags *f, int nargs)
{
  size_t i;

  if (f->type)
    {
      for (i = 0; inspect_types[i] && strcmp (inspect_types[i], f->type); i++)
        ;
      /* ferry has no pods: a pod is never found, as Podman says of one
       * it does not have.  */
      if (inspect_types[i] == NULL && strcmp (f->type, "all") && strcmp (f->type, "pod"))
        return ferry_cli_failf (
            "invalid type \"%s\": must be \"image\", \"container\", \"network\", \"volume\", or \"all\"",
            f->type);
      if (strcmp (f->type, "all") == 0)
        ;
      /* Podman's --latest of a volume or network finds nothing (and
       * says nothing); of an image it refuses; of a pod, ferry's or
       * Podman's without one, it finds none.  */
      else if (f->latest && strcmp (f->type, "pod") == 0)
        return ferry_cli_failf ("no such pod");
      else if (f->latest && strcmp (f->type, "image") == 0)
        return ferry_cli_failf ("latest is not supported for type \"%s\"", f->type);
      else if (f->size && strcmp (f->type, "image") == 0)
        return ferry_cli_failf ("size is not supported for type \"image\"");
    }
  if (f->latest && nargs)
    return ferry_cli_failf ("--latest and arguments cannot be used together");
  if (! f->latest && nargs == 0)
    return ferry_cli_failf ("no names or ids specified");
  return 0;
}

static int
inspect_run (int argc, char **argv, struct inspect_flags *f)
{
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_cli_inspected in = { .format = f->format };
  struct inspect_target t = { .f = f };
  int ret;

  if (f->type && strcmp (f->type, "all") == 0)
    f->type = NULL;
  ret = inspect_check (f, argc - optind);
  if (ret)
    return ret;
  /* Podman's container lookup refuses an empty name before any output.  */
  if (f->type == NULL || strcmp (f->type, "container") == 0)
    for (int i = optind; i < argc; i++)
      if (argv[i][0] == '\0')
        return ferry_cli_failf ("name or ID cannot be empty");
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (f->latest && (f->type == NULL || strcmp (f->type, "container") == 0))
    {
      struct ferry_container *c = NULL;
      ferry_error_t err = NULL;
      json_object *o;

      if (ferry_container_latest (e, &c, &err) < 0)
        {
          /* Podman's: its empty list, then why.  */
          if (err->kind != FERRY_ERROR_NOT_FOUND)
            return ferry_cli_fail (&err);
          ferry_error_release (&err);
          if (f->format == NULL)
            {
              cleanup_json json_object *none = json_object_new_array ();

              ferry_cli_print_inspected (none);
            }
          return ferry_cli_failf ("no containers to inspect: no such container");
        }
      o = container_object (e, c, f, &err);
      ferry_container_free (c);
      if (o == NULL)
        return ferry_cli_fail (&err);
      ferry_cli_inspected_add (&in, o);
    }
  t.e = e;
  return ferry_cli_inspect_names (&in, argv + optind, argc - optind, inspect_lookup, &t);
}

static int
inspect_command (int argc, char **argv, int containers_only)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "format", required_argument, NULL, 'f' },
                                        { "latest", no_argument, NULL, 'l' },
                                        { "size", no_argument, NULL, 's' },
                                        { "type", required_argument, NULL, 't' },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  static const struct option container_opts[] = { FERRY_GLOBAL_OPTIONS,
                                                  { "format", required_argument, NULL, 'f' },
                                                  { "latest", no_argument, NULL, 'l' },
                                                  { "size", no_argument, NULL, 's' },
                                                  { "help", no_argument, NULL, 'h' },
                                                  { NULL, 0, NULL, 0 } };
  static const char usage[]
      = "Usage: ferry inspect [options] CONTAINER|IMAGE|VOLUME|NETWORK...\n\nDisplay the configuration and "
        "state of containers, images, volumes or networks as JSON.\n\nOptions:\n"
        "  -f, --format FORMAT  a Go template: {{.State.Status}}, {{json .Config}}, "
        "{{index .Config.Labels \"k\"}}\n"
        "  -l, --latest         the container created last\n"
        "  -s, --size           containers: add SizeRw (the bytes of their own) and SizeRootFs\n"
        "                       (with their image's)\n"
        "  -t, --type TYPE      only objects of TYPE: container, image, volume, network or all\n"
        "                       (the default: the first of these REF names)\n";
  static const char container_usage[]
      = "Usage: ferry container inspect [options] CONTAINER...\n\nDisplay the configuration and "
        "state of containers as JSON.\n\nOptions:\n"
        "  -f, --format FORMAT  a Go template: {{.State.Status}}, {{json .Config}}, "
        "{{index .Config.Labels \"k\"}}\n"
        "  -l, --latest         the container created last\n"
        "  -s, --size           add SizeRw (the bytes of their own) and SizeRootFs (with their\n"
        "                       image's)\n";
  struct inspect_flags f = { .containers_only = containers_only };
  int c, r;

  if (containers_only)
    f.type = "container";
  while ((c = getopt_long (argc, argv, containers_only ? ":f:hls" : ":f:hlst:",
                           containers_only ? container_opts : opts, NULL))
         != -1)
    switch (c)
      {
      case 'f':
        f.format = ferry_cli_inspect_format (optarg);
        break;
      case 'l':
        f.latest = 1;
        break;
      case 's':
        f.size = 1;
        break;
      case 't':
        f.type = optarg;
        break;
      default:
        r = ferry_cli_parse_or_help (c, containers_only ? "container inspect" : "inspect", argv,
                                     containers_only ? container_usage : usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  return inspect_run (argc, argv, &f);
}

int
ferry_cmd_inspect (int argc, char **argv)
{
  return inspect_command (argc, argv, 0);
}

int
ferry_cmd_container_inspect (int argc, char **argv)
{
  return inspect_command (argc, argv, 1);
}
