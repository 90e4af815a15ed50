/* ferry: starting, stopping and removing containers; keeping their state
 * true to what conmon and the runtime report.  */
#include "container.h"
#include "systemd.h"
#include "cdi.h"
#include "hooks.h"
#include "secret.h"
#include "health.h"
#include "exec_session.h"
#include "etc_files.h"
#include "internal.h"
#include "mount.h"
#include "process_options.h"
#include "ns_modes.h"
#include "userns.h"
#include "volume.h"
#include "volume_mount.h"
#include "resources.h"
#include "image_mount.h"
#include "../state/events.h"
#include "../network/addr.h"
#include "../network/dns.h"
#include "../network/netns.h"
#include "network.h"
#include "../runtime/cgroup_mounts.h"
#include "../runtime/conmon.h"
#include "../runtime/mount_flags.h"
#include "../runtime/seccomp.h"
#include "../runtime/spec.h"
#include "../state/lock.h"
#include "../storage/dirtar.h"
#include "../storage/overlay.h"
#include "../util/cleanup.h"
#include "../util/fault.h"
#include "../util/hash.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/process.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/syscall.h>
#include <stdbool.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int
ferry_container_lock (ferry_engine_t *e, const char *id, ferry_error_t *err)
{
  cleanup_free char *name = xasprintf ("container-%s", id);
  return ferry_lock_acquire (e->root, name, 1, err);
}

static void
release_error (ferry_error_t *err)
{
  ferry_error_release (err);
}

/* Finds REF, takes its lock, and reads it again under the lock (another
 * ferry may have changed or removed it meanwhile; the second read is by ID,
 * so a new container that took the name is never the one acted on).
 * Returns the lock, or -1 with *OUT NULL.  */
int
ferry_container_find_locked (ferry_engine_t *e, const char *ref, struct ferry_container **out,
                             ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_free char *id = NULL;
  int lock;

  *out = NULL;
  if (ferry_container_find (e, ref, &c, err) < 0)
    return -1;
  id = xstrdup (c->id);
  ferry_container_free (c);
  lock = ferry_container_lock (e, id, err);
  if (lock < 0)
    return -1;
  if (ferry_container_find (e, id, &c, err) < 0)
    {
      ferry_lock_release (lock);
      return -1;
    }
  ferry_container_refresh (e, c);
  *out = c;
  return lock;
}

/* ---- state ---------------------------------------------------------------- */

/* True when PID is a live conmon.  A zombie is not: a monitor killed with
 * SIGKILL stays one until its reaper gets to it.  */
int
ferry_process_is_conmon (pid_t pid)
{
  struct ferry_process_info info;

  return ferry_process_info (pid, &info) == 0 && info.state != 'Z' && info.state != 'X'
         && strcmp (info.comm, "conmon") == 0;
}

static char *
file_mtime_rfc3339 (const char *path)
{
  struct stat st;
  struct tm tm;
  char buf[64];

  if (stat (path, &st) < 0)
    return ferry_time_now ();
  gmtime_r (&st.st_mtim.tv_sec, &tm);
  strftime (buf, sizeof (buf), "%Y-%m-%dT%H:%M:%S", &tm);
  return xasprintf ("%s.%09ldZ", buf, st.st_mtim.tv_nsec);
}

/* Reads conmon's exit file into C.  Returns 1 when the container exited.  */
int
ferry_container_take_exit_file (ferry_engine_t *e, struct ferry_container *c)
{
  cleanup_free char *dir = ferry_engine_exit_dir (e);
  cleanup_free char *path = xasprintf ("%s/%s", dir, c->id);
  cleanup_error ferry_error_t err = NULL;
  int code;

  if (ferry_conmon_read_exit (dir, c->id, &code, &err) <= 0)
    return 0;
  c->status = FERRY_CONTAINER_EXITED;
  c->exit_code = code;
  free (c->finished_at);
  c->finished_at = file_mtime_rfc3339 (path);
  c->pid = 0;
  return 1;
}

static char *
stopping_lock_name (const char *id)
{
  return xasprintf ("container-%s.stopping", id);
}

/* C says stopping: when its stopper is gone (killed while it waited), the
 * stop is over and C is running again, until the rest of the refresh finds
 * it exited.  Done under the stopping lock, taken exclusively, and only
 * where the row still says stopping: a stop that ended meanwhile keeps
 * what it recorded.  */
static void
settle_stopping (ferry_engine_t *e, struct ferry_container *c)
{
  cleanup_free char *name = stopping_lock_name (c->id);
  cleanup_error ferry_error_t err = NULL;
  cleanup_lock int lock = -1;
  int busy = 0;

  lock = ferry_lock_try_acquire (e->root, name, 1, &busy, &err);
  if (lock < 0)
    return;
  c->status = FERRY_CONTAINER_RUNNING;
  if (ferry_container_save_unless_stopped (e, c, &err) < 0)
    ferry_error_release (&err);
}

/* C's "cleanup" event, which Podman leaves out for a container removed
 * as it exits (--rm): its "died" is followed by "remove" alone.  */
static void
tell_cleanup (ferry_engine_t *e, const struct ferry_container *c)
{
  if (! json_object_get_boolean (json_object_object_get (c->record, "AutoRemove")))
    ferry_container_event (e, c, "cleanup");
}

void
ferry_container_refresh (ferry_engine_t *e, struct ferry_container *c)
{
  cleanup_error ferry_error_t err = NULL;
  struct ferry_runtime_state st;
  int r;

  if (! ferry_container_has_monitor (c))
    return;
  if (c->status == FERRY_CONTAINER_STOPPING)
    settle_stopping (e, c);
  if (! ferry_container_take_exit_file (e, c))
    {
      if (ferry_process_is_conmon (c->conmon_pid))
        return;
      /* No monitor: after a crash or a reboot (runroot emptied).  The
       * runtime decides whether the process still lives.  */
      if (ferry_runtime_state (ferry_engine_runtime_or_own (e, c), c->id, &st, &err) == 0
          && (strcmp (st.status, "running") == 0 || strcmp (st.status, "paused") == 0))
        return;
      ferry_error_release (&err);
      if (ferry_container_take_exit_file (e, c) == 0 && c->status == FERRY_CONTAINER_INITIALIZED)
        {
          /* Its process never ran: it is created again, and the next
           * start or init launches it anew.  */
          c->status = FERRY_CONTAINER_CREATED;
          c->pid = 0;
          c->conmon_pid = 0;
        }
      else if (c->status != FERRY_CONTAINER_EXITED)
        {
          c->status = FERRY_CONTAINER_EXITED;
          c->exit_code = -1;
          c->pid = 0;
          free (c->finished_at);
          c->finished_at = ferry_time_now ();
          free (c->error);
          c->error = xstrdup (
              "the container's process and its monitor are gone (host restarted or runroot cleared)");
        }
    }
  if (ferry_container_has_monitor (c))
    {
      if (ferry_container_save_state (e, c, &err) < 0)
        ferry_error_release (&err);
      return;
    }
  if (c->status == FERRY_CONTAINER_CREATED)
    {
      /* Only where it still says initialized: another ferry may have
       * launched it anew meanwhile.  */
      if (ferry_container_save_exit (e, c, &err) < 0)
        ferry_error_release (&err);
      return;
    }
  /* The ferry that records the exit tells of it: this one, conmon's
   * cleanup or a stop.  */
  r = ferry_container_save_exit (e, c, &err);
  if (r < 0)
    ferry_error_release (&err);
  if (r > 0)
    {
      ferry_container_event_record (e, c->id, c->record, "died", c->exit_code);
      tell_cleanup (e, c);
    }
}

/* ---- files a running container needs ------------------------------------- */

static char **json_to_strv (json_object *a);

/* The addresses (KEY "dns_server_ips") or domains ("dns_search_domains")
 * netavark reported for the container's networks, checked: they go into
 * a file the container reads.  */
static char **
status_strings (json_object *rec, json_object *status, const char *key)
{
  json_object *nets = ferry_json_get_object (rec, "Networks");
  char **v = xmalloc0 (sizeof (char *));
  size_t n = 0;

  if (status == NULL || nets == NULL)
    return v;
  json_object_object_foreach (nets, name, unused)
  {
    json_object *list = ferry_json_get_array (ferry_json_get_object (status, name), key);

    (void) unused;
    for (size_t i = 0; i < ferry_json_array_length (list); i++)
      {
        const char *s = ferry_json_string_value (json_object_array_get_idx (list, i));
        char ip[FERRY_IP_TEXT_MAX];

        if (strcmp (key, "dns_server_ips") == 0 ? ferry_dns_ip_canonical (s, ip) < 0
                                                : ! ferry_dns_name_is_valid (s))
          continue;
        v = xrealloc (v, (n + 2) * sizeof (char *));
        v[n++] = xstrdup (s);
        v[n] = NULL;
      }
  }
  return v;
}

/* The gateway of the container's first network, as netavark reported it
 * (what --add-host NAME:host-gateway means), or NULL.  */
static const char *
status_gateway (json_object *rec, json_object *status)
{
  json_object *nets = ferry_json_get_object (rec, "Networks");
  uint32_t unused;

  if (status == NULL || nets == NULL)
    return NULL;
  json_object_object_foreach (nets, name, att)
  {
    json_object *ifs = ferry_json_get_object (ferry_json_get_object (status, name), "interfaces");

    (void) att;
    if (ifs == NULL)
      return NULL;
    json_object_object_foreach (ifs, ifname, iface)
    {
      json_object *sn = json_object_array_get_idx (ferry_json_get_array (iface, "subnets"), 0);
      const char *gw = ferry_json_get_string (sn, "gateway");

      (void) ifname;
      return gw && ferry_ip_parse (gw, &unused) == 0 ? gw : NULL;
    }
    return NULL;
  }
  return NULL;
}

static char *
resolv_conf_text (ferry_engine_t *e, const struct ferry_container *c, json_object *status)
{
  int host_network = ferry_json_string_equals (c->record, "Network", "host");
  cleanup_strv char **servers = ferry_network_resolver_list (e, c->record, "Dns");
  cleanup_strv char **search = ferry_network_resolver_list (e, c->record, "DnsSearch");
  cleanup_strv char **options = ferry_network_resolver_list (e, c->record, "DnsOptions");
  cleanup_strv char **net_servers = status_strings (c->record, status, "dns_server_ips");
  cleanup_strv char **net_search = status_strings (c->record, status, "dns_search_domains");
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_free char *host = NULL;
  struct ferry_resolv_params p = {
    .nameservers = servers,
    .searches = search,
    .options = options,
    .network_nameservers = net_servers,
    .network_searches = net_search,
    .own_netns = ! host_network,
    /* Without a network the host's resolvers are neither reachable nor
     * the container's business: its search and options lines stay.  A
     * bridge container left on no network keeps them, as Podman's does.  */
    .no_host_nameservers = ! host_network && ! ferry_network_record_bridge_mode (c->record),
  };

  if (ferry_read_file ("/etc/resolv.conf", &host, NULL, &ignored) < 0)
    host = xstrdup ("");
  return ferry_resolv_conf_build (host, &p);
}

/* --hosts-file: the lines /etc/hosts starts with, from the host file it
 * names or the image's /etc/hosts; none for "none".  */
static int
hosts_base (ferry_engine_t *e, const struct ferry_container *c, const char *hosts_file, char **base,
            ferry_error_t *err)
{
  cleanup_free char *odir = NULL, *merged = NULL;

  *base = NULL;
  if (strcmp (hosts_file, "none") == 0)
    return 0;
  if (strcmp (hosts_file, "image") == 0)
    {
      odir = ferry_engine_overlay_dir (e, c->id);
      merged = xasprintf ("%s/merged", odir);
      if (ferry_spec_read_root_file (merged, "etc/hosts", base, err) < 0)
        return ferry_error_wrap (err, "container %s: cannot read the image's /etc/hosts (--hosts-file image)",
                                 c->name);
      return 0;
    }
  if (ferry_read_file (hosts_file, base, NULL, err) < 0)
    return ferry_error_wrap (err, "container %s: cannot read its --hosts-file `%s`: give an existing file",
                             c->name, hosts_file);
  return 0;
}

/* The host's first address that is neither loopback nor link-local, an
 * IPv4 one before any IPv6, into BUF; NULL when it has none.  */
static const char *
host_global_address (char *buf, size_t len)
{
  struct ifaddrs *all = NULL;
  bool found = false;

  if (getifaddrs (&all) < 0)
    return NULL;
  for (int family = AF_INET; ! found && family != -1; family = family == AF_INET ? AF_INET6 : -1)
    for (struct ifaddrs *a = all; a && ! found; a = a->ifa_next)
      {
        const void *addr;

        if (a->ifa_addr == NULL || a->ifa_addr->sa_family != family)
          continue;
        if (family == AF_INET)
          {
            const struct in_addr *in = &((const struct sockaddr_in *) a->ifa_addr)->sin_addr;
            uint32_t h = ntohl (in->s_addr);

            if ((h >> 24) == 127 || (h >> 16) == 0xa9fe || h == 0 || (h >> 28) == 0xe || h == 0xffffffff)
              continue;
            addr = in;
          }
        else
          {
            const struct in6_addr *in6 = &((const struct sockaddr_in6 *) a->ifa_addr)->sin6_addr;

            if (IN6_IS_ADDR_LOOPBACK (in6) || IN6_IS_ADDR_LINKLOCAL (in6) || IN6_IS_ADDR_MULTICAST (in6)
                || IN6_IS_ADDR_UNSPECIFIED (in6))
              continue;
            addr = in6;
          }
        found = inet_ntop (family, addr, buf, len) != NULL;
      }
  freeifaddrs (all);
  return found ? buf : NULL;
}

/* host.containers.internal's address, as Podman chooses it: containers.conf's
 * host_containers_internal_ip ("none": no line), else the gateway of the
 * container's network, else the host's first global address.  */
static const char *
internal_address (ferry_engine_t *e, const char *gateway, char *buf, size_t len)
{
  const char *conf = e->config.host_containers_internal_ip;

  if (conf && *conf)
    return strcmp (conf, "none") == 0 ? NULL : conf;
  return gateway ? gateway : host_global_address (buf, len);
}

static char *
hosts_text (ferry_engine_t *e, const struct ferry_container *c, json_object *status, ferry_error_t *err)
{
  const char *hosts_file = ferry_json_get_string (c->record, "HostsFile");
  int host_network = ferry_json_string_equals (c->record, "Network", "host");
  cleanup_strv char **extra = json_to_strv (ferry_json_get_array (c->record, "ExtraHosts"));
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_free char *base = NULL;
  cleanup_strv char **ips = NULL;
  json_object *nets = ferry_json_get_object (c->record, "Networks");
  char internal[INET6_ADDRSTRLEN];
  struct ferry_hosts_params p = {
    .extra_hosts = extra,
    .gateway = status_gateway (c->record, status),
    .localhost = true,
    .hostname = ferry_json_get_string (c->record, "Hostname"),
    .name = c->name,
    /* On the host's network its names are the host's; left on no
     * network, it has no address to give them: Podman gives them none.  */
    .no_own_line
    = host_network
      || (ferry_network_record_bridge_mode (c->record) && ! ferry_network_record_bridged (c->record)),
  };

  p.internal_ip = internal_address (e, p.gateway, internal, sizeof (internal));
  /* --hosts-file, else containers.conf's base_hosts_file, else the host's
   * /etc/hosts (none when it has none), as Podman's.  */
  if (hosts_file == NULL && e->config.base_hosts_file && *e->config.base_hosts_file)
    hosts_file = e->config.base_hosts_file;
  if (hosts_file)
    {
      if (hosts_base (e, c, hosts_file, &base, err) < 0)
        return NULL;
      p.base_text = base;
    }
  else if (ferry_read_file ("/etc/hosts", &base, NULL, &ignored) == 0)
    p.base_text = base;
  /* Once attached, its addresses on each of its networks for its names,
   * a line each, as Podman writes them.  */
  if (status && nets)
    {
      json_object_object_foreach (nets, name, att)
      {
        cleanup_strv char **addresses = ferry_etc_files_network_addresses (status, name);
        const char *ip = ferry_json_get_string (att, "IP");

        if (addresses[0] == NULL && ip)
          ferry_strv_add (&ips, ip);
        for (size_t i = 0; addresses[i]; i++)
          ferry_strv_add (&ips, addresses[i]);
      }
    }
  p.ips = ips;
  return ferry_etc_hosts_build (&p);
}

/* /run/.containerenv, as Podman writes it: its presence tells a program
 * that it runs in a container; a privileged container (which could find
 * out anyway) also learns what it is.  */
static int
write_containerenv (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err)
{
  cleanup_free char *dir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *path = xasprintf ("%s/containerenv", dir);
  cleanup_free char *text = NULL;
  const char *image = ferry_json_get_string (c->record, "ImageName");
  const char *image_id = ferry_json_get_string (c->record, "ImageID");

  if (json_object_get_boolean (json_object_object_get (c->record, "Privileged")))
    text = xasprintf (
        "engine=\"ferry-%s\"\nname=\"%s\"\nid=\"%s\"\nimage=\"%s\"\nimageid=\"%s\"\nrootless=0\n",
        FERRY_VERSION, c->name, c->id, image ? image : "", image_id ? image_id : "");
  return ferry_write_file_atomic (path, text ? text : "", text ? strlen (text) : 0, 0644, err);
}

/* /etc/hostname, /etc/hosts and /etc/resolv.conf of the container, as far
 * as ferry writes them (not with --no-hosts or --dns none: the image's
 * stay).  STATUS is netavark's once the container has its addresses, else
 * NULL.  */
static int
write_etc_files (ferry_engine_t *e, const struct ferry_container *c, json_object *status, ferry_error_t *err)
{
  cleanup_free char *dir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *hosts = xasprintf ("%s/hosts", dir);
  cleanup_free char *resolv = xasprintf ("%s/resolv.conf", dir);
  cleanup_free char *hostname_path = xasprintf ("%s/hostname", dir);
  cleanup_free char *hostname_text = xasprintf ("%s\n", ferry_json_get_string (c->record, "Hostname"));
  cleanup_free char *hosts_data = NULL, *resolv_data = NULL;

  /* Written anew: a live edit's content that never got its record is
   * of no use now.  */
  ferry_etc_files_drop_staged (e, c->id);
  if (! json_object_get_boolean (json_object_object_get (c->record, "UseImageHosts")))
    {
      hosts_data = hosts_text (e, c, status, err);
      if (hosts_data == NULL
          || ferry_write_file_atomic (hosts, hosts_data, strlen (hosts_data), 0644, err) < 0)
        return -1;
    }
  if (! json_object_get_boolean (json_object_object_get (c->record, "UseImageResolvConf")))
    {
      resolv_data = resolv_conf_text (e, c, status);
      if (ferry_write_file_atomic (resolv, resolv_data, strlen (resolv_data), 0644, err) < 0)
        return -1;
    }
  return ferry_write_file_atomic (hostname_path, hostname_text, strlen (hostname_text), 0644, err);
}

/* --tz: the zone's file (or the host's /etc/localtime) copied beside the
 * container, to be bound over its /etc/localtime; *PATH stays NULL
 * without --tz.  A copy, as Podman makes, so that the container sees no
 * link into the host's zoneinfo.  */
static int
write_localtime (ferry_engine_t *e, const struct ferry_container *c, char **path, ferry_error_t *err)
{
  const char *tz = ferry_json_get_string (c->record, "Timezone");
  cleanup_free char *dir = NULL, *source = NULL, *data = NULL;
  size_t len = 0;

  *path = NULL;
  if (tz == NULL)
    return 0;
  if (! ferry_timezone_is_valid (tz))
    return ferry_make_error (
        err, 0,
        "container %s: time zone `%s` is not in this host's " FERRY_ZONEINFO_DIR
        ": install the zone (package tzdata) or recreate the container with another --tz",
        c->name, tz);
  source = strcmp (tz, "local") == 0 ? xstrdup ("/etc/localtime") : xasprintf (FERRY_ZONEINFO_DIR "/%s", tz);
  if (ferry_read_file (source, &data, &len, err) < 0)
    return ferry_error_wrap (err, "--tz %s of container %s", tz, c->name);
  dir = ferry_engine_container_dir (e, c->id);
  *path = xasprintf ("%s/localtime", dir);
  return ferry_write_file_atomic (*path, data, len, 0644, err);
}

/* Where netavark's report of a container's attachment is kept while its
 * network namespace is.  */
char *
ferry_container_network_status_path (ferry_engine_t *e, const char *id)
{
  return xasprintf ("%s/netns/%s.status", e->runroot, id);
}

enum netns_kind
{
  NETNS_HOST,    /* the host's: none to join */
  NETNS_OWN,     /* ferry makes it, in the runroot */
  NETNS_FOREIGN, /* ns:PATH, or container:ID's */
};

/* Which network namespace C runs in, and (not for the host's) its path
 * in *PATH.  container:ID must name a container that runs.  */
static int
joined_netns (ferry_engine_t *e, const struct ferry_container *c, char **path, ferry_error_t *err)
{
  const char *mode = ferry_json_get_string (c->record, "Network");

  *path = NULL;
  if (mode && strcmp (mode, "host") == 0)
    return NETNS_HOST;
  if (mode && strncmp (mode, "ns:", 3) == 0)
    {
      if (! ferry_path_exists (mode + 3))
        return ferry_make_error (err, ENOENT, "network namespace `%s` of container %s does not exist",
                                 mode + 3, c->name);
      *path = xstrdup (mode + 3);
      return NETNS_FOREIGN;
    }
  if (mode && strncmp (mode, "container:", 10) == 0)
    {
      struct ferry_container *other = NULL;
      enum netns_kind kind;

      if (ferry_container_find (e, mode + 10, &other, err) < 0)
        return ferry_error_wrap (err, "container %s joins the network of a container that is gone", c->name);
      if (! ferry_container_is_active (other))
        {
          ferry_make_error_kind (
              err, FERRY_ERROR_STATE,
              "container %s joins the network of container %s, which is not running: start it "
              "first",
              c->name, other->name);
          ferry_container_free (other);
          return -1;
        }
      kind = joined_netns (e, other, path, err);
      if (kind == NETNS_OWN)
        kind = NETNS_FOREIGN;
      ferry_container_free (other);
      return kind;
    }
  *path = ferry_engine_netns_path (e, c->id);
  return NETNS_OWN;
}

/* The network namespace at NETNS with C's networks attached: as kept
 * since an in-place checkpoint, or made now (netavark's report saved
 * beside it for the next restore).  */
static int
attach_network (ferry_engine_t *e, const struct ferry_container *c, const char *netns, ferry_error_t *err)
{
  cleanup_free char *path = ferry_container_network_status_path (e, c->id);
  cleanup_json json_object *status = NULL;
  int bridge_mode = ferry_network_record_bridge_mode (c->record);

  if (bridge_mode && ferry_path_exists (netns) && ferry_path_exists (path))
    {
      cleanup_error ferry_error_t stale = NULL;
      int whole;

      status = ferry_json_parse_file (path, "network status", &stale);
      whole = status && json_object_is_type (status, json_type_object);
      /* Kept whole: every network of the record attached.  */
      json_object_object_foreach (ferry_json_get_object (c->record, "Networks"), name, unused)
      {
        (void) unused;
        whole = whole && json_object_object_get_ex (status, name, NULL);
      }
      if (whole)
        return write_etc_files (e, c, status, err);
    }
  /* Anything half there goes first.  */
  ferry_container_teardown_network (e, c);
  json_object_put (steal_pointer (&status));
  if (ferry_netns_create (netns, err) < 0)
    return -1;
  if (! bridge_mode)
    return 0;
  /* On no network (all disconnected): the namespace with its loopback
   * only, and an empty report that network connect adds to.  */
  if (! ferry_network_record_bridged (c->record))
    status = json_object_new_object ();
  else if (ferry_network_setup (e, c, netns, &status, err) < 0)
    return -1;
  {
    const char *text = ferry_json_to_string (status, 0);
    if (ferry_write_file_atomic (path, text, strlen (text), 0600, err) < 0)
      return -1;
  }
  /* Before the restored sockets send a segment.  */
  if (c->conntrack && ferry_network_conntrack_restore (e, c, c->conntrack, err) < 0)
    return -1;
  return write_etc_files (e, c, status, err);
}

static int
mount_shm (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err)
{
  cleanup_free char *dir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *shm = xasprintf ("%s/shm", dir);
  cleanup_free char *opts
      = xasprintf ("mode=1777,size=%lld", (long long) ferry_json_get_int (c->record, "ShmSize", 65536000));
  struct stat st, parent;

  if (mkdir (shm, 0755) < 0 && errno != EEXIST)
    return ferry_make_error (err, errno, "cannot create `%s`", shm);
  if (stat (shm, &st) == 0 && stat (dir, &parent) == 0 && st.st_dev != parent.st_dev)
    return 0; /* already mounted */
  if (mount ("shm", shm, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
    return ferry_make_error (err, errno, "cannot mount /dev/shm of container %s at `%s`", c->name, shm);
  return 0;
}

static void
unmount_shm (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_free char *dir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *shm = xasprintf ("%s/shm", dir);

  while (umount2 (shm, MNT_DETACH) == 0)
    ;
}

char **
ferry_container_lower_paths (ferry_engine_t *e, const struct ferry_container *c, size_t *n,
                             ferry_error_t *err)
{
  struct ferry_image *img = NULL;
  const char *rootfs = ferry_container_rootfs (c->record);
  char **paths;

  /* A --rootfs container's one layer is its directory, checked again:
   * it may have gone or changed since create.  */
  if (rootfs)
    {
      if (ferry_container_rootfs_check (rootfs, err) < 0)
        {
          ferry_error_release (err);
          ferry_make_error (
              err, 0,
              "the root directory %s of container %s (--rootfs) is gone or no longer a directory: "
              "put it back, or remove the container",
              rootfs, c->name);
          return NULL;
        }
      paths = xmalloc0 (sizeof (char *) * 2);
      paths[0] = xstrdup (rootfs);
      *n = 1;
      return paths;
    }
  if (ferry_store_lookup (e->store, c->image_id, &img, err) < 0)
    {
      ferry_error_wrap (err, "the image of container %s", c->name);
      return NULL;
    }
  paths = ferry_store_image_layer_paths (e->store, img);
  *n = img->n_layers;
  ferry_image_free (img);
  return paths;
}

int
ferry_container_mount_rootfs (ferry_engine_t *e, const struct ferry_container *c, struct ferry_overlay *ov,
                              ferry_error_t *err)
{
  cleanup_free char *odir = ferry_engine_overlay_dir (e, c->id);
  cleanup_strv char **lowers = NULL;
  size_t n = 0;

  lowers = ferry_container_lower_paths (e, c, &n, err);
  if (lowers == NULL)
    return -1;
  if (ferry_overlay_create (odir, ov, err) < 0)
    return -1;
  if (ferry_container_rootfs (c->record) && ! ferry_container_rootfs_overlay (c->record))
    return ferry_overlay_bind (ov, lowers[0], err);
  if (json_object_object_get (c->record, "UidMap"))
    {
      /* Its layers as its root sees them: a file of image UID 0 shows
       * as its host UID.  */
      cleanup_close int userns = -1;

      if (ferry_userns_open (c->record, &userns, err) < 0)
        return ferry_error_wrap (err, "mounting the root file system of container %s", c->name);
      if (userns >= 0)
        return ferry_userns_give_root (c->record, ov->upper, err) < 0
                       || ferry_overlay_mount_idmapped (ov, (const char *const *) lowers, n, userns, err) < 0
                       || ferry_userns_reachable (c->record, e->root, ov->dir, ov->merged, err) < 0
                   ? -1
                   : 0;
    }
  return ferry_overlay_mount (ov, (const char *const *) lowers, n, err);
}

static char **
json_to_strv (json_object *a)
{
  size_t n = ferry_json_array_length (a), i, k = 0;
  char **v = xmalloc0 (sizeof (char *) * (n + 1));

  /* Strings only: a damaged record's other members are left out.  */
  for (i = 0; i < n; i++)
    {
      const char *s = ferry_json_string_value (json_object_array_get_idx (a, i));
      if (s)
        v[k++] = xstrdup (s);
    }
  return v;
}

char **
ferry_container_capabilities (const struct ferry_container *c)
{
  cleanup_strv char **add = json_to_strv (ferry_json_get_array (c->record, "CapAdd"));
  cleanup_strv char **drop = json_to_strv (ferry_json_get_array (c->record, "CapDrop"));

  /* Privileged, all it may have, whatever --cap-add and --cap-drop said.  */
  if (json_object_get_boolean (json_object_object_get (c->record, "Privileged")))
    return ferry_spec_privileged_capabilities ();
  return ferry_spec_capabilities (add, drop);
}

static char **
strv_add (char **v, const char *s)
{
  size_t n = 0;

  while (v[n])
    n++;
  v = xrealloc (v, sizeof (char *) * (n + 2));
  v[n] = xstrdup (s);
  v[n + 1] = NULL;
  return v;
}

/* A read-only root gets a tmpfs on /tmp, /var/tmp and /run, as Podman's
 * does (--read-only-tmpfs), where the container mounts nothing of its
 * own; SM has room for them after its N entries.  Returns how many.  */
static size_t
read_only_tmpfs (struct ferry_spec_mount *sm, size_t n)
{
  static const char *const dests[] = { "/tmp", "/var/tmp", "/run", NULL };
  size_t added = 0, i, j;

  for (i = 0; dests[i]; i++)
    {
      for (j = 0; j < n && ! (sm[j].destination && strcmp (sm[j].destination, dests[i]) == 0); j++)
        ;
      if (j < n)
        continue;
      sm[n + added].type = FERRY_MOUNT_TMPFS;
      sm[n + added].destination = dests[i];
      added++;
    }
  return added;
}

/* The seccomp profile the container runs under: the record's Seccomp is
 * "default" (or absent, in records from before it), "unconfined", or the
 * profile itself, taken in at create.  *OUT stays NULL unconfined.  */
static int
seccomp_profile_of (const struct ferry_container *c, json_object **out, ferry_error_t *err)
{
  json_object *v = json_object_object_get (c->record, "Seccomp");

  *out = NULL;
  if (v == NULL || ferry_json_string_equals (c->record, "Seccomp", "default"))
    {
      *out = ferry_seccomp_default_profile (err);
      return *out ? 0 : -1;
    }
  if (ferry_json_string_equals (c->record, "Seccomp", "unconfined"))
    return 0;
  if (json_object_is_type (v, json_type_object))
    {
      *out = json_object_get (v);
      return 0;
    }
  return ferry_make_error (err, 0, "container %s has a malformed seccomp setting", c->name);
}

/* Podman's --read-only-tmpfs, true unless the record says false.  */
static int
read_only_tmpfs_wanted (json_object *rec)
{
  json_object *v = json_object_object_get (rec, "ReadOnlyTmpfs");

  return v == NULL || json_object_get_boolean (v);
}

struct spec_devices
{
  struct ferry_spec_device *list;
  size_t n;
};

static void
spec_devices_release (struct spec_devices *d)
{
  ferry_spec_devices_free (d->list, d->n);
}

#define cleanup_spec_devices __attribute__ ((cleanup (spec_devices_release)))

/* The record's Devices, as the host has them now (their numbers are
 * looked up at each start, so a restore on another host gets its own).  */
static int
record_devices (const struct ferry_container *c, struct spec_devices *out, ferry_error_t *err)
{
  json_object *list = ferry_json_get_array (c->record, "Devices");
  size_t n = ferry_json_array_length (list);

  out->list = xmalloc0 (sizeof (*out->list) * (n + 1));
  for (size_t i = 0; i < n; i++)
    {
      json_object *d = json_object_array_get_idx (list, i);
      const char *host = ferry_json_get_string (d, "PathOnHost");
      const char *container = ferry_json_get_string (d, "PathInContainer");
      const char *access = ferry_json_get_string (d, "CgroupPermissions");

      if (host == NULL || container == NULL || access == NULL)
        return ferry_make_error (err, 0, "container %s has a malformed device (number %zu) in its record",
                                 c->name, i + 1);
      if (ferry_spec_device_from_path (host, container, access, &out->list[i], err) < 0)
        return ferry_error_wrap (err, "container %s", c->name);
      out->n++;
    }
  return 0;
}

/* The sysctls the container gets: containers.conf's defaults it was made
 * with, then its --sysctl ones, which win.  NULL when none.  */
static json_object *
container_sysctls (const struct ferry_container *c)
{
  json_object *defaults = ferry_json_get_object (c->record, "DefaultSysctls");
  json_object *own = ferry_json_get_object (c->record, "Sysctls");
  json_object *all;

  if (defaults == NULL && own == NULL)
    return NULL;
  all = json_object_new_object ();
  if (defaults)
    {
      json_object_object_foreach (defaults, dname, dvalue)
          json_object_object_add (all, dname, json_object_get (dvalue));
    }
  if (own)
    {
      json_object_object_foreach (own, oname, ovalue)
          json_object_object_add (all, oname, json_object_get (ovalue));
    }
  return all;
}

/* The record's net.* sysctls, set in the fresh namespace NETNS a restore
 * joins (runc sets them only when it creates the container; CRIU brings
 * the IPC namespace's back with it).  */
static int
restore_net_sysctls (const struct ferry_container *c, const char *netns, ferry_error_t *err)
{
  cleanup_json json_object *sysctls = container_sysctls (c);
  size_t n = sysctls ? (size_t) json_object_object_length (sysctls) : 0, k = 0;
  cleanup_strv char **names = xmalloc0 (sizeof (char *) * (n + 1));
  cleanup_strv char **values = xmalloc0 (sizeof (char *) * (n + 1));

  if (n == 0)
    return 0;
  json_object_object_foreach (sysctls, name, value)
  {
    if (ferry_spec_sysctl_namespace (name) != FERRY_SYSCTL_NET || ferry_json_string_value (value) == NULL)
      continue;
    names[k] = xstrdup (name);
    values[k++] = xstrdup (ferry_json_string_value (value));
  }
  if (ferry_netns_write_sysctls (netns, names, values, err) < 0)
    return ferry_error_wrap (err, "container %s", c->name);
  return 0;
}

/* The container's cgroup: /ferry/<id> for the default root, and
 * /ferry/<root tag>-<id> for any other, so that two roots on one machine
 * (two "hosts", as tests and a migration between roots have them) can run
 * the same container at once.  The tag is the start of the sha256 of the
 * root's real path.  */
static char *
cgroups_path (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_free char *real = realpath (e->root, NULL);
  cleanup_free char *leaf = NULL;
  char digest[FERRY_DIGEST_LEN + 1];

  if (real == NULL || strcmp (real, "/var/lib/ferry") == 0)
    leaf = xstrdup (c->id);
  else
    {
      ferry_sha256_buffer (real, strlen (real), digest);
      leaf = xasprintf ("%.8s-%s", ferry_digest_hex (digest), c->id);
    }
  /* --cgroup-parent: there instead of /ferry.  */
  return ferry_resources_cgroups_path (c->record, leaf);
}

static int
mount_destination_taken (const struct ferry_spec_mount *sm, size_t n, const char *destination)
{
  for (size_t i = 0; i < n; i++)
    if (sm[i].destination && strcmp (sm[i].destination, destination) == 0)
      return 1;
  return 0;
}

/* --mount U: SOURCE to the container's user, as the host stores its IDs
 * (mapped, under a user namespace).  */
static int
chown_to_user (const struct ferry_container *c, const char *source, uid_t uid, gid_t gid, ferry_error_t *err)
{
  ferry_userns_to_host (c->record, &uid, &gid);
  return ferry_chown_tree (source, uid, gid, err);
}

static int
env_has_name (char **env, const char *name)
{
  size_t n = strlen (name);

  for (size_t i = 0; env[i]; i++)
    if (strncmp (env[i], name, n) == 0 && env[i][n] == '=')
      return 1;
  return 0;
}

/* What a start adds to the variables the user and the image gave:
 * HOSTNAME when neither set it, HOME (the user's in the image, else "/").
 * Podman's inspect shows them once it started, from its spec; ferry keeps
 * them in the record's StartEnv, apart from Env, which commit and kube
 * take as given.  */
static char **
add_start_env (const struct ferry_container *c, char **env, const char *home)
{
  json_object *added = json_object_new_array ();
  const char *hostname = ferry_json_get_string (c->record, "Hostname");

  if (! env_has_name (env, "HOSTNAME") && hostname && *hostname)
    {
      cleanup_free char *h = xasprintf ("HOSTNAME=%s", hostname);
      env = strv_add (env, h);
      json_object_array_add (added, json_object_new_string (h));
    }
  if (! env_has_name (env, "HOME"))
    {
      cleanup_free char *h = xasprintf ("HOME=%s", home ? home : "/");
      env = strv_add (env, h);
      json_object_array_add (added, json_object_new_string (h));
    }
  if (json_object_array_length (added) > 0)
    json_object_object_add (c->record, "StartEnv", added);
  else
    {
      json_object_put (added);
      json_object_object_del (c->record, "StartEnv");
    }
  return env;
}

static int
write_spec (ferry_engine_t *e, const struct ferry_container *c, const struct ferry_overlay *ov,
            const char *netns, const char *restore_from, const struct ferry_start_options *so,
            ferry_error_t *err)
{
  cleanup_free char *dir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, c->id);
  cleanup_free char *config_path = xasprintf ("%s/config.json", bundle);
  cleanup_free char *hosts = xasprintf ("%s/hosts", dir);
  cleanup_free char *resolv = xasprintf ("%s/resolv.conf", dir);
  cleanup_free char *hostname = xasprintf ("%s/hostname", dir);
  cleanup_free char *containerenv = xasprintf ("%s/containerenv", dir);
  cleanup_free char *shm = xasprintf ("%s/shm", dir);
  cleanup_free char *cgroups = cgroups_path (e, c);
  cleanup_free char *home = NULL;
  cleanup_free gid_t *gids = NULL;
  cleanup_strv char **args = json_to_strv (ferry_json_get_array (c->record, "Args"));
  cleanup_free char *init = NULL;
  cleanup_strv char **env = json_to_strv (ferry_json_get_array (c->record, "Env"));
  cleanup_json json_object *spec = NULL;
  json_object *mounts = ferry_json_get_array (c->record, "Mounts");
  json_object *secrets = ferry_json_get_array (c->record, "Secrets");
  size_t n_mounts = ferry_json_array_length (mounts), n_gids = 0, i;
  size_t n_secrets = ferry_json_array_length (secrets);
  /* Room for the tmpfs mounts a read-only root gets too, /etc/localtime,
   * the passwd and group files and the secrets.  */
  cleanup_free struct ferry_spec_mount *sm = xmalloc0 (sizeof (*sm) * (n_mounts + n_secrets + 8));
  cleanup_free char *passwd_file = NULL, *group_file = NULL;
  cleanup_free char *localtime = NULL;
  /* Packed, as secret_paths: tmpfs mounts have no source, and a NULL
   * in the middle would end the list its cleanup frees.  */
  cleanup_strv char **sources = xmalloc0 (sizeof (char *) * (n_mounts + 1));
  size_t n_sources = 0;
  cleanup_strv char **secret_paths = xmalloc0 (sizeof (char *) * (n_secrets + 1));
  size_t n_secret_paths = 0;
  int host_network = netns == NULL;
  struct ferry_spec_params p = { 0 };
  cleanup_json json_object *seccomp = NULL;
  cleanup_strv char **cap_add = json_to_strv (ferry_json_get_array (c->record, "CapAdd"));
  cleanup_strv char **cap_drop = json_to_strv (ferry_json_get_array (c->record, "CapDrop"));
  cleanup_strv char **caps = NULL;
  cleanup_free struct ferry_spec_rlimit *rlimits = NULL;
  cleanup_json json_object *sysctls = NULL;
  cleanup_spec_devices struct spec_devices devs = { NULL, 0 };
  cleanup_strv char **mask = json_to_strv (ferry_json_get_array (c->record, "Mask"));
  cleanup_strv char **unmask = json_to_strv (ferry_json_get_array (c->record, "Unmask"));
  cleanup_free char *mask_dir = xasprintf ("%s/masked", bundle);
  const char *text;
  int made_user;

  if (ferry_spec_resolve_user (ov->merged, ferry_json_get_string (c->record, "User"), &p.uid, &p.gid, &gids,
                               &n_gids, &home, err)
      < 0)
    return -1;
  /* A user given (by --user or the image's USER) has its primary group
   * as a supplementary one too, first, as in the spec Podman writes (what
   * id and /proc/PID/status show as the groups); the default root has
   * none.  */
  text = ferry_json_get_string (c->record, "User");
  if (text && *text)
    {
      gids = xrealloc (gids, (n_gids + 1) * sizeof (gid_t));
      memmove (gids + 1, gids, n_gids * sizeof (gid_t));
      gids[0] = p.gid;
      n_gids++;
    }
  {
    cleanup_strv char **group_add = json_to_strv (ferry_json_get_array (c->record, "GroupAdd"));
    const char *umask_text = ferry_json_get_string (c->record, "Umask");

    if (ferry_spec_resolve_groups (ov->merged, group_add, &gids, &n_gids, err) < 0)
      return ferry_error_wrap (err, "looking up supplemental groups for container %s", c->id);
    if (umask_text && ferry_umask_parse (umask_text, &p.umask) == 0)
      p.umask_set = 1;
  }
  for (i = 0; i < n_mounts; i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);

      sm[i].destination = ferry_json_get_string (m, "Destination");
      json_object *rw;
      sm[i].readonly = json_object_object_get_ex (m, "RW", &rw) && ! json_object_get_boolean (rw);
      sm[i].options = ferry_json_get_array (m, "Options");
      sm[i].chown = json_object_get_boolean (json_object_object_get (m, "Chown"));
      if (ferry_json_string_equals (m, "Type", "tmpfs"))
        sm[i].type = FERRY_MOUNT_TMPFS;
      else if (ferry_json_string_equals (m, "Type", "ramfs"))
        sm[i].type = FERRY_MOUNT_RAMFS;
      else if (ferry_json_string_equals (m, "Type", "devpts"))
        sm[i].type = FERRY_MOUNT_DEVPTS;
      else if (ferry_json_string_equals (m, "Type", "image"))
        {
          sm[i].type = FERRY_MOUNT_BIND;
          if (sm[i].destination == NULL
              || ferry_image_mount_source (e, c, i, m, &sources[n_sources], err) < 0)
            return -1;
          sm[i].source = sources[n_sources++];
          sm[i].options = NULL;
        }
      else
        {
          const char *source = ferry_json_string_equals (m, "Type", "volume")
                                   ? ferry_json_get_string (m, "Name")
                                   : ferry_json_get_string (m, "Source");
          if (source == NULL || sm[i].destination == NULL)
            return ferry_make_error (err, 0, "container %s has a malformed mount (number %zu) in its record",
                                     c->name, i + 1);
          sm[i].type = FERRY_MOUNT_BIND;
          sm[i].host_bind = ferry_json_string_equals (m, "Type", "bind");
          if (ferry_json_string_equals (m, "Type", "volume") && ferry_json_get_string (m, "SubPath"))
            {
              if (ferry_volume_subpath_resolve (e->root, source, ferry_json_get_string (m, "SubPath"),
                                                &sources[n_sources], err)
                  < 0)
                return -1;
            }
          else if (ferry_json_string_equals (m, "Type", "volume"))
            sources[n_sources] = xasprintf ("%s/volumes/%s/_data", e->root, source);
          else
            sources[n_sources] = xstrdup (source);
          sm[i].source = sources[n_sources++];
          /* --mount U: the source is the container user's, at each start
           * as Podman does (a start killed half-way is finished by the
           * next).  */
          if (sm[i].chown && chown_to_user (c, sm[i].source, p.uid, p.gid, err) < 0)
            return ferry_error_wrap (
                err, "cannot give the source of mount %s of container %s to its user (--mount U)",
                sm[i].destination, c->name);
        }
    }
  /* --secret: the container's copies, a file bound read-only or a
   * variable.  */
  for (i = 0; i < n_secrets; i++)
    {
      json_object *entry = json_object_array_get_idx (secrets, i);
      cleanup_free char *path = ferry_container_secret_path (e, c->id, i);

      if (ferry_secret_entry_check (entry, err) < 0)
        return ferry_error_wrap (err, "container %s has a malformed secret in its record", c->name);
      if (ferry_json_string_equals (entry, "Type", "env"))
        {
          cleanup_free char *data = NULL, *kv = NULL;
          size_t len;

          if (ferry_read_file (path, &data, &len, err) < 0)
            return ferry_error_wrap (err, "cannot read the copy of secret %s",
                                     ferry_json_get_string (entry, "Name"));
          kv = xasprintf ("%s=%s", ferry_json_get_string (entry, "Target"), data);
          explicit_bzero (data, len);
          env = strv_add (env, kv);
          explicit_bzero (kv, strlen (kv));
          continue;
        }
      secret_paths[n_secret_paths] = steal_pointer (&path);
      sm[n_mounts].type = FERRY_MOUNT_BIND;
      sm[n_mounts].source = secret_paths[n_secret_paths++];
      sm[n_mounts].destination = ferry_json_get_string (entry, "Target");
      sm[n_mounts].readonly = 1;
      n_mounts++;
    }
  if (write_localtime (e, c, &localtime, err) < 0)
    return -1;
  /* --passwd: lines for a --user the image does not know, whose home is
   * then the working directory, as in Podman's.  */
  made_user
      = ferry_passwd_files_write (ov->merged, c->record, p.uid, p.gid, dir, &passwd_file, &group_file, err);
  if (made_user < 0)
    return -1;
  env = add_start_env (c, env, made_user ? ferry_json_get_string (c->record, "WorkingDir") : home);
  if (passwd_file && ! mount_destination_taken (sm, n_mounts, "/etc/passwd"))
    sm[n_mounts++] = (struct ferry_spec_mount){ .type = FERRY_MOUNT_BIND,
                                                .source = passwd_file,
                                                .destination = "/etc/passwd" };
  if (group_file && ! mount_destination_taken (sm, n_mounts, "/etc/group"))
    sm[n_mounts++] = (struct ferry_spec_mount){ .type = FERRY_MOUNT_BIND,
                                                .source = group_file,
                                                .destination = "/etc/group" };
  if (localtime && ! mount_destination_taken (sm, n_mounts, "/etc/localtime"))
    {
      sm[n_mounts].type = FERRY_MOUNT_BIND;
      sm[n_mounts].source = localtime;
      sm[n_mounts].destination = "/etc/localtime";
      sm[n_mounts].readonly = 1;
      n_mounts++;
    }
  if (json_object_get_boolean (json_object_object_get (c->record, "Init")))
    {
      char **with_init;
      size_t n_args = 0;

      init = ferry_json_get_string (c->record, "InitPath")
                 ? xstrdup (ferry_json_get_string (c->record, "InitPath"))
                 : ferry_container_init_path ();
      if (init == NULL)
        return ferry_make_error (
            err, 0,
            "container %s runs with --init, but catatonit is not installed here: install "
            "it (apt-get install catatonit)",
            c->name);
      sm[n_mounts].type = FERRY_MOUNT_BIND;
      sm[n_mounts].source = init;
      sm[n_mounts].destination = FERRY_INIT_DESTINATION;
      sm[n_mounts].readonly = 1;
      n_mounts++;
      while (args && args[n_args])
        n_args++;
      with_init = xmalloc0 (sizeof (char *) * (n_args + 3));
      with_init[0] = xstrdup (FERRY_INIT_DESTINATION);
      with_init[1] = xstrdup ("--");
      for (size_t k = 0; k < n_args; k++)
        with_init[k + 2] = steal_pointer (&args[k]);
      free (args);
      args = with_init;
    }
  p.read_only = json_object_get_boolean (json_object_object_get (c->record, "ReadOnly"));
  if (p.read_only && read_only_tmpfs_wanted (c->record))
    n_mounts += read_only_tmpfs (sm, n_mounts);
  p.dev_read_only = p.read_only && ! read_only_tmpfs_wanted (c->record);
  p.id = c->id;
  p.rootfs = ov->merged;
  p.args = args;
  p.env = env;
  p.cwd = ferry_json_get_string (c->record, "WorkingDir");
  p.additional_gids = gids;
  p.n_additional_gids = n_gids;
  p.hostname = ferry_json_get_string (c->record, "Hostname");
  p.terminal = json_object_get_boolean (json_object_object_get (c->record, "Tty"));
  p.stdin_open = json_object_get_boolean (json_object_object_get (c->record, "OpenStdin"));
  p.host_network = host_network;
  p.host_cgroupns = ferry_json_string_equals (c->record, "CgroupNs", "host");
  p.hosts_path = hosts;
  p.resolv_path = resolv;
  p.no_hosts = json_object_get_boolean (json_object_object_get (c->record, "UseImageHosts"));
  p.no_resolv_conf = json_object_get_boolean (json_object_object_get (c->record, "UseImageResolvConf"));
  p.hostname_path = hostname;
  p.no_hostname = json_object_get_boolean (json_object_object_get (c->record, "NoHostname"));
  p.containerenv_path = containerenv;
  p.shm_path = shm;
  p.mounts = sm;
  p.n_mounts = n_mounts;
  p.cgroups_path = cgroups;
  p.privileged = json_object_get_boolean (json_object_object_get (c->record, "Privileged"));
  /* Privileged, only a profile of the container's own applies, as with
   * Podman; the capabilities are all it may have, whatever --cap-add and
   * --cap-drop said, and the devices the host's.  */
  if (! (p.privileged && json_object_object_get (c->record, "Seccomp") == NULL)
      && seccomp_profile_of (c, &seccomp, err) < 0)
    return -1;
  p.seccomp_profile = seccomp;
  p.pids_limit = ferry_json_get_int (c->record, "PidsLimit", FERRY_DEFAULT_PIDS_LIMIT);
  if (p.privileged || cap_add[0] || cap_drop[0])
    p.capabilities = caps = ferry_container_capabilities (c);
  if (p.privileged ? ferry_spec_host_devices (&devs.list, &devs.n, err) < 0
                   : record_devices (c, &devs, err) < 0)
    return -1;
  p.devices = devs.list;
  p.n_devices = devs.n;
  p.sysctls = sysctls = container_sysctls (c);
  p.mask = mask;
  p.unmask = unmask;
  /* runc's tmpfs masks what it hides, as in Podman, whose restore takes
   * the spec's bind mounts as they stand and could not offer ferry's.
   * Checkpoints taken while ferry masked directories under /sys with
   * binds of empty directories in the bundle restore with those again.  */
  if (restore_from && ferry_spec_images_bind_masks (restore_from))
    {
      if (mkdir (mask_dir, 0555) < 0 && errno != EEXIST)
        return ferry_make_error (err, errno, "cannot create `%s`", mask_dir);
      p.mask_dir = mask_dir;
    }
  p.no_new_privileges = json_object_get_boolean (json_object_object_get (c->record, "NoNewPrivileges"));
  p.memory = ferry_json_get_int (c->record, "Memory", 0);
  p.nano_cpus = ferry_json_get_int (c->record, "NanoCpus", 0);
  rlimits = ferry_container_record_rlimits (c->record, &p.n_rlimits);
  p.rlimits = rlimits;
  p.oom_score_adj = ferry_json_get_int (c->record, "OomScoreAdj", 0);
  p.annotations = ferry_json_get_object (c->record, "Annotations");
  spec = ferry_spec_generate (&p, err);
  if (spec == NULL || ferry_resources_apply (c->record, spec, err) < 0
      || ferry_ns_modes_apply (e, c, spec, err) < 0 || ferry_userns_apply (e, c, spec, err) < 0
      || ferry_systemd_apply (e, c, spec, bundle, restore_from, err) < 0
      || ferry_cdi_apply (e, c, spec, err) < 0 || ferry_hooks_apply (e, c, spec, bundle, err) < 0)
    return -1;
  ferry_chrootdirs_apply (c->record, spec);
  if (ferry_json_get_string (c->record, "Personality"))
    {
      /* runc before 1.2 ignores it, as Podman's containers on it show.  */
      json_object *personality = json_object_new_object ();
      json_object_object_add (personality, "domain",
                              json_object_new_string (ferry_json_get_string (c->record, "Personality")));
      json_object_object_add (json_object_object_get (spec, "linux"), "personality", personality);
    }
  if (! host_network)
    {
      /* Join the namespace ferry made (loopback up), or the one the
       * container shares, rather than a fresh one.  */
      json_object *nss = json_object_object_get (json_object_object_get (spec, "linux"), "namespaces");
      for (i = 0; nss && i < json_object_array_length (nss); i++)
        {
          json_object *ns = json_object_array_get_idx (nss, i);
          const char *type = ferry_json_get_string (ns, "type");
          /* A user namespace can join only a network namespace it owns:
           * runc makes that one.  */
          if (type && strcmp (type, "network") == 0 && ! ferry_userns_own_netns (c->record))
            json_object_object_add (ns, "path", json_object_new_string (netns));
        }
    }
  {
    /* Where runc points CRIU for options it has no flag for, whenever it
     * checkpoints or restores this container (ferry_container_criu_config
     * writes it).  */
    json_object *ann = json_object_object_get (spec, "annotations");
    cleanup_free char *criu_config = xasprintf ("%s/" CRIU_CONFIG, bundle);

    if (ann == NULL)
      {
        ann = json_object_new_object ();
        json_object_object_add (spec, "annotations", ann);
      }
    json_object_object_add (ann, "org.criu.config", json_object_new_string (criu_config));
  }
  if (restore_from && ferry_container_criu_config (e, c, spec, c->criu_options, err) < 0)
    return -1;
  /* The caller's terminal size, which the runtime gives the pty before
   * the process runs: a resize through conmon could come after the
   * process looked.  */
  if (so && so->rows > 0 && so->cols > 0)
    {
      json_object *size = json_object_new_object ();

      json_object_object_add (size, "height", json_object_new_int64 (so->rows));
      json_object_object_add (size, "width", json_object_new_int64 (so->cols));
      json_object_object_add (json_object_object_get (spec, "process"), "consoleSize", size);
    }
  /* Compact, as Podman writes it (its bytes count in the container's size).  */
  text = ferry_json_to_string (spec, 0);
  return ferry_write_file_atomic (config_path, text, strlen (text), 0600, err);
}

/* S in single quotes, for sh.  */
static char *
sh_quote (const char *s)
{
  size_t n = 3;
  char *out, *o;

  for (const char *p = s; *p; p++)
    n += *p == '\'' ? 4 : 1;
  o = out = xmalloc (n);
  *o++ = '\'';
  for (const char *p = s; *p; p++)
    if (*p == '\'')
      o = stpcpy (o, "'\\''");
    else
      *o++ = *p;
  *o++ = '\'';
  *o = '\0';
  return out;
}

/* For a restore of a container (SPEC) with two bind mounts of one host
 * path: the action script through which CRIU has ferry put back their
 * flags (runtime/mount_flags.h), and in *LINE the line of CRIU's
 * configuration that names it; *LINE stays NULL when not needed.  */
static int
mount_flags_hook (ferry_engine_t *e, const char *bundle, json_object *spec, char **line, ferry_error_t *err)
{
  cleanup_free char *config = xasprintf ("%s/config.json", bundle);
  cleanup_free char *script = xasprintf ("%s/criu-action", bundle);
  cleanup_free char *q_exe = NULL, *q_config = NULL, *text = NULL;

  *line = NULL;
  if (! ferry_mount_flags_shared_sources (spec))
    return 0;
  if (strpbrk (script, "\"\n\\") != NULL)
    return ferry_make_error (
        err, 0, "`%s` cannot be named in CRIU's configuration: use a runroot without quotes", script);
  q_exe = sh_quote (e->exe);
  q_config = sh_quote (config);
  text = xasprintf ("#!/bin/sh\n"
                    "# ferry: CRIU runs this at each stage of this container's restore.\n"
                    "[ \"$CRTOOLS_SCRIPT_ACTION\" = pre-resume ] || exit 0\n"
                    "exec %s container restore-mount-flags %s \"$CRTOOLS_INIT_PID\"\n",
                    q_exe, q_config);
  if (ferry_write_file_atomic (script, text, strlen (text), 0700, err) < 0)
    return -1;
  *line = xasprintf ("action-script \"%s\"\n", script);
  return 0;
}

/* For a restore of C when it shares the host's cgroup namespace: in
 * *LINES, the lines of CRIU's configuration that mount its own cgroup, not
 * the restoring runc's, at /sys/fs/cgroup/NAME (runtime/cgroup_mounts.h);
 * NULL when C has a namespace of its own, whose cgroup mount is a real one
 * that CRIU puts back as it was.  */
static int
restore_cgroup_mounts (ferry_engine_t *e, const struct ferry_container *c, json_object *spec, char **lines,
                       ferry_error_t *err)
{
  cleanup_free char *cgroups = NULL, *mountinfo = NULL;
  size_t len;

  *lines = NULL;
  if (! ferry_json_string_equals (c->record, "CgroupNs", "host"))
    return 0;
  if (ferry_read_file ("/proc/self/mountinfo", &mountinfo, &len, err) < 0)
    return -1;
  cgroups = cgroups_path (e, c);
  *lines = ferry_cgroup_v1_mount_map (mountinfo, cgroups, spec);
  if (*lines == NULL)
    return ferry_make_error (err, 0,
                             "its cgroup `%s` cannot be named in CRIU's configuration: use a --cgroup-parent "
                             "without quotes or backslashes",
                             cgroups);
  return 0;
}

int
ferry_container_criu_config (ferry_engine_t *e, const struct ferry_container *c, json_object *restore_spec,
                             const char *extra, ferry_error_t *err)
{
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, c->id);
  cleanup_free char *path = xasprintf ("%s/" CRIU_CONFIG, bundle);
  cleanup_free char *cache = xasprintf ("%s/criu-nftables", e->runroot);
  cleanup_free char *hook = NULL, *text = NULL, *cgroup_mounts = NULL;

  if (restore_spec && mount_flags_hook (e, bundle, restore_spec, &hook, err) < 0)
    return ferry_error_wrap (err, "container %s", c->name);
  if (restore_spec && restore_cgroup_mounts (e, c, restore_spec, &cgroup_mounts, err) < 0)
    return ferry_error_wrap (err, "container %s", c->name);
  /* nftables locks the network from inside CRIU; iptables, CRIU's
   * default, runs two programs to lock it and two to unlock it.  */
  text = xasprintf ("%s%s%s%s", ferry_runtime_criu_has_nftables_lock (cache) ? "network-lock nftables\n" : "",
                    hook ? hook : "", cgroup_mounts ? cgroup_mounts : "", extra ? extra : "");
  if (ferry_write_file_atomic (path, text, strlen (text), 0600, err) < 0)
    return ferry_error_wrap (err, "container %s", c->name);
  return 0;
}

/* True when C was checkpointed in place after it last started and its
 * images wait for a restore: its network namespace stays attached (veth,
 * firewall rules, connection tracking), so that the restored container
 * finds its connections, through published ports too, where it left
 * them.  */
static int
awaiting_restore (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *inventory = xasprintf ("%s/checkpoint/inventory.img", cdir);

  return ferry_container_is_checkpointed (c) && ferry_path_exists (inventory);
}

void
ferry_container_teardown_network (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_free char *netns = ferry_engine_netns_path (e, c->id);
  cleanup_free char *status = ferry_container_network_status_path (e, c->id);
  ferry_error_t err = NULL;

  /* The veth, the firewall rules, the bridge once unused.  */
  if (ferry_network_record_bridged (c->record) && ferry_path_exists (netns)
      && ferry_network_teardown (e, c, netns, &err) < 0)
    release_error (&err);
  if (ferry_netns_remove (netns, &err) < 0)
    release_error (&err);
  unlink (status);
}

/* Keeps the runtime's config.json of the bundle, about to go, in the
 * container's directory, as Podman keeps it in its userdata once the
 * container stopped: ps --size and inspect --size count it as Podman's
 * do.  Nothing reads it back; a second teardown finds no bundle and
 * keeps what the first kept.  */
static void
keep_last_spec (ferry_engine_t *e, const struct ferry_container *c, const char *bundle)
{
  cleanup_free char *from = xasprintf ("%s/config.json", bundle);
  cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *to = xasprintf ("%s/" FERRY_CONTAINER_LAST_SPEC, cdir);
  cleanup_free char *text = NULL;
  ferry_error_t err = NULL;
  size_t len;

  if (! ferry_path_exists (from) || ! ferry_path_exists (cdir))
    return;
  if (ferry_read_file_max (from, 16 << 20, &text, &len, &err) < 0
      || ferry_write_file_atomic (to, text, len, 0600, &err) < 0)
    release_error (&err);
}

/* C's cgroups, where `runc delete` left them: a runc killed between
 * making them and recording the container, or a restore that CRIU gave
 * up on, leaves no state for it to find them by.  Only C's own go, never
 * their parent (/ferry stays, as Podman's libpod_parent does), and only
 * empty ones: rmdir(2) refuses a cgroup with tasks or children.  */
static void
remove_cgroups (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_free char *path = cgroups_path (e, c), *mountinfo = NULL;
  cleanup_strv char **dirs = NULL;
  ferry_error_t err = NULL;
  size_t len;

  if (ferry_read_file ("/proc/self/mountinfo", &mountinfo, &len, &err) < 0)
    {
      release_error (&err);
      return;
    }
  dirs = ferry_cgroup_dirs (mountinfo, path);
  for (char **d = dirs; *d; d++)
    rmdir (*d);
}

/* Kills what is left in C's cgroups, and waits (up to 10 s) for it to be
 * gone.  */
static void
kill_cgroup_tasks (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_free char *path = cgroups_path (e, c), *mountinfo = NULL;
  cleanup_strv char **dirs = NULL;
  ferry_error_t err = NULL;
  long long deadline = ferry_time_monotonic_ms () + 10000;
  int left;

  if (ferry_read_file ("/proc/self/mountinfo", &mountinfo, NULL, &err) < 0)
    {
      release_error (&err);
      return;
    }
  dirs = ferry_cgroup_dirs (mountinfo, path);
  do
    {
      left = 0;
      for (char **d = dirs; *d; d++)
        {
          cleanup_free char *procs_path = xasprintf ("%s/cgroup.procs", *d);
          cleanup_free char *procs = NULL;

          if (ferry_read_file (procs_path, &procs, NULL, &err) < 0)
            {
              release_error (&err);
              continue;
            }
          for (char *p = procs, *end; *p; p = end)
            {
              long pid = strtol (p, &end, 10);

              if (end == p)
                break;
              if (pid > 1 && kill ((pid_t) pid, SIGKILL) == 0)
                left++;
            }
        }
      if (left)
        usleep (10000);
    }
  while (left && ferry_time_monotonic_ms () < deadline);
}

void
ferry_container_end_launch (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, c->id);

  ferry_conmon_end (bundle);
  /* CRIU's restore, killed, leaves the tree it was restoring in the
   * container's cgroups: the init of a new PID namespace, waiting for a
   * CRIU that is gone.  */
  kill_cgroup_tasks (e, c);
}

/* Undoes what start set up.  Every step tolerates having been done.  */
void
ferry_container_teardown (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_free char *odir = ferry_engine_overlay_dir (e, c->id);
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, c->id);
  cleanup_free char *socket_dir = ferry_engine_socket_dir (e);
  cleanup_free char *sock = xasprintf ("%s/%s", socket_dir, c->id);
  struct ferry_overlay ov;
  ferry_error_t err = NULL;

  if (ferry_runtime_delete (ferry_engine_runtime_or_own (e, c), c->id, 1, &err) < 0)
    release_error (&err);
  /* After the runtime's delete, as Podman runs them.  */
  ferry_hooks_poststop (bundle);
  remove_cgroups (e, c);
  unmount_shm (e, c);
  ferry_image_mounts_unmount (e, c);
  ferry_volume_mounts_release (e, c);
  /* A user's `ferry mount` keeps it mounted (mount.h).  */
  ferry_overlay_paths (odir, &ov);
  if (ferry_container_mount_count (e, c->id) == 0 && ferry_overlay_unmount (&ov, &err) < 0)
    release_error (&err);
  ferry_overlay_free (&ov);
  if (! awaiting_restore (e, c))
    ferry_container_teardown_network (e, c);
  ferry_container_health_timer_stop (e, c->id);
  keep_last_spec (e, c, bundle);
  /* CRIU, killed in its restore, leaves the cgroup yard it mounts in
   * its work directory, the bundle.  */
  {
    cleanup_free char *bundles = xasprintf ("%s/containers", e->runroot);
    const char *const entries[] = { c->id, NULL };
    ferry_unmount_below (bundles, entries);
  }
  if (ferry_rm_rf (bundle, &err) < 0)
    release_error (&err);
  if (ferry_rm_rf (sock, &err) < 0)
    release_error (&err);
}

static char **
strv_append (char **v, size_t *n, const char *s)
{
  v = xrealloc (v, sizeof (char *) * (*n + 2));
  v[(*n)++] = xstrdup (s);
  v[*n] = NULL;
  return v;
}

char **
ferry_engine_exit_command (ferry_engine_t *e, const char *id, const char *exec_session)
{
  const char *const fixed[] = { "--root", e->root, "--runroot", e->runroot, "--runtime", e->runtime.path,
                                "--log-level", e->log_level,
                                /* The died event goes where this ferry's events go.  */
                                "--events-backend", ferry_events_backend (), NULL };
  char **v = NULL;
  size_t n = 0;

  v = strv_append (v, &n, e->exe);
  for (size_t i = 0; fixed[i]; i++)
    v = strv_append (v, &n, fixed[i]);
  if (e->tmpdir)
    {
      v = strv_append (v, &n, "--tmpdir");
      v = strv_append (v, &n, e->tmpdir);
    }
  /* The cleanup reads the settings this ferry read.  */
  for (size_t i = 0; e->modules && e->modules[i]; i++)
    {
      v = strv_append (v, &n, "--module");
      v = strv_append (v, &n, e->modules[i]);
    }
  for (size_t i = 0; e->runtime.flags && e->runtime.flags[i]; i++)
    {
      /* Given back as the user gave it: without the dashes added.  */
      v = strv_append (v, &n, "--runtime-flag");
      v = strv_append (v, &n, e->runtime.flags[i] + 2);
    }
  v = strv_append (v, &n, "container");
  v = strv_append (v, &n, "cleanup");
  if (exec_session)
    {
      v = strv_append (v, &n, "--exec");
      v = strv_append (v, &n, exec_session);
    }
  v = strv_append (v, &n, id);
  return v;
}

static int
prepare_runroot (ferry_engine_t *e, const char *id, ferry_error_t *err)
{
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, id);
  cleanup_free char *exits = ferry_engine_exit_dir (e);
  cleanup_free char *sockets = ferry_engine_socket_dir (e);
  cleanup_free char *netns_dir = xasprintf ("%s/netns", e->runroot);
  cleanup_free char *exit_file = xasprintf ("%s/%s", exits, id);

  if (ferry_mkdir_p (bundle, 0700, err) < 0 || ferry_mkdir_p (exits, 0700, err) < 0
      || ferry_mkdir_p (sockets, 0700, err) < 0 || ferry_mkdir_p (netns_dir, 0700, err) < 0)
    return -1;
  if (unlink (exit_file) < 0 && errno != ENOENT)
    return ferry_make_error (err, errno, "cannot remove the old exit file `%s`", exit_file);
  return 0;
}

/* A failed restore's CRIU log lives in the bundle, which goes with the
 * teardown: keep it, and put CRIU's own errors and the log's new path in
 * ERR.  Restored in place (from the container's own images, RESTORE_FROM)
 * it stays with the container, and goes when the container does; a failed
 * import leaves no container, so its log is kept in the runroot's
 * checkpoints directory (gone at reboot), named in the error.  */
static void
keep_restore_log (ferry_engine_t *e, const struct ferry_container *c, const char *restore_from,
                  ferry_error_t *err)
{
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, c->id);
  cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *log = xasprintf ("%s/restore.log", bundle);
  cleanup_free char *dir = NULL, *kept = NULL;
  cleanup_free char *criu = NULL, *text = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  bool is_kept;
  size_t len;

  if (strncmp (restore_from, cdir, strlen (cdir)) == 0 && restore_from[strlen (cdir)] == '/')
    {
      dir = xstrdup (cdir);
      kept = xasprintf ("%s/restore.log", cdir);
    }
  else
    {
      dir = xasprintf ("%s/checkpoints", e->runroot);
      kept = xasprintf ("%s/restore-%s.log", dir, c->id);
    }
  /* A full disk may keep CRIU from saying why (its log cut short), and
   * the log from being kept: the message says what is known.  */
  if (*err && ferry_fs_is_full (bundle))
    (*err)->status = ENOSPC;
  if (! ferry_path_exists (log) || ferry_read_file (log, &text, &len, &ignored) < 0)
    return;
  is_kept = ferry_mkdir_p (dir, 0700, &ignored) == 0
            && ferry_write_file_atomic (kept, text, len, 0600, &ignored) == 0;
  criu = ferry_runtime_criu_log_errors (log);
  if (*err && criu)
    {
      free ((*err)->msg);
      (*err)->msg = xasprintf ("CRIU could not restore container %s: %s (log: %s)", c->name, criu,
                               is_kept ? kept : "not kept");
    }
  if (*err && (strstr (text, "No space left on device") || (ignored && ignored->status == ENOSPC)))
    (*err)->status = ENOSPC;
}

/* Whether PATH is DIR or below it.  */
static int
path_is_under (const char *path, const char *dir)
{
  size_t n = strlen (dir);

  while (n > 1 && dir[n - 1] == '/')
    n--;
  if (n == 1 && dir[0] == '/')
    return 1;
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Whether C mounts something at PATH, above it or below it: the runtime
 * makes the directories on the way to a mount, so, as with Podman, a
 * workdir that leads to one is there by the time the process starts.  */
static int
workdir_is_mounted (const struct ferry_container *c, const char *path)
{
  json_object *mounts = ferry_json_get_array (c->record, "Mounts");

  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      const char *dst = ferry_json_get_string (json_object_array_get_idx (mounts, i), "Destination");
      if (dst && *dst && (path_is_under (path, dst) || path_is_under (dst, path)))
        return 1;
    }
  return 0;
}

/* The working directory must be one in ROOTFS, or, when it is the image's,
 * a path the runtime can make there: a file on its way is Podman's 126
 * ("detecting workdir"), and one the user named that is not there (nor
 * on the way to or under a mount) Podman's "does not exist".  */
static int
check_workdir (const struct ferry_container *c, const char *rootfs, ferry_error_t *err)
{
  const char *cwd = ferry_json_get_string (c->record, "WorkingDir");
  cleanup_close int rootfd = -1, fd = -1;
  struct stat st;

  if (cwd == NULL || *cwd == '\0' || strcmp (cwd, "/") == 0)
    return 0;
  rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", rootfs);
  fd = ferry_openat2 (rootfd, cwd, O_PATH | O_CLOEXEC, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (fd < 0 && errno == ENOTDIR)
    return ferry_make_error_kind (err, FERRY_ERROR_COMMAND_NOT_EXECUTABLE,
                                  "detecting workdir \"%s\" on container %s: not a directory", cwd, c->id);
  if (fd < 0 && errno == ENOENT
      && json_object_get_boolean (json_object_object_get (c->record, "WorkingDirGiven"))
      && ! workdir_is_mounted (c, cwd))
    return ferry_make_error_kind (err, FERRY_ERROR_COMMAND_NOT_EXECUTABLE,
                                  "workdir \"%s\" does not exist on container %s: create it in the image or "
                                  "choose another -w",
                                  cwd, c->id);
  if (fd >= 0 && fstat (fd, &st) == 0 && ! S_ISDIR (st.st_mode))
    return ferry_make_error_kind (err, FERRY_ERROR_COMMAND_NOT_EXECUTABLE,
                                  "workdir \"%s\" exists on container %s, but is not a directory", cwd,
                                  c->id);
  return 0;
}

/* As Podman: a rootfs without /etc/mtab gets one, a link to /proc/mounts
 * that mount, df and getmntent read.  What the image has there, in any
 * form, stays; so does an /etc that is not a directory, and a --rootfs
 * directory on a read-only file system (where Podman fails to start).  */
static int
make_etc_mtab (const struct ferry_container *c, const char *rootfs, ferry_error_t *err)
{
  cleanup_close int rootfd = -1, etcfd = -1;
  uid_t uid = 0;
  gid_t gid = 0;

  rootfd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", rootfs);
  ferry_userns_host_root (c->record, &uid, &gid);
  if (mkdirat (rootfd, "etc", 0755) == 0 && fchownat (rootfd, "etc", uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return ferry_make_error (err, errno, "cannot give /etc of container %s to its root", c->name);
  etcfd = openat (rootfd, "etc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (etcfd < 0)
    return 0;
  if (symlinkat ("/proc/mounts", etcfd, "mtab") < 0)
    return errno == EEXIST || errno == EROFS
               ? 0
               : ferry_make_error (err, errno, "cannot make /etc/mtab in container %s", c->name);
  if (fchownat (etcfd, "mtab", uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
    return ferry_make_error (err, errno, "cannot give /etc/mtab of container %s to its root", c->name);
  return 0;
}

/* Fills the container's new volumes from its image (ferry_volume_copy_up),
 * but those mounted with nocopy, and gives those that still take it the
 * container's user as owner (ferry_volume_fix_owner), as Podman does.  A
 * container with a user namespace has its root own a new volume
 * instead.  */
static int
copy_up_volumes (ferry_engine_t *e, const struct ferry_container *c, const char *rootfs, ferry_error_t *err)
{
  json_object *mounts = ferry_json_get_array (c->record, "Mounts");
  int userns = json_object_object_get (c->record, "UidMap") != NULL;
  int resolved = 0;
  uid_t uid = 0;
  gid_t gid = 0;

  for (size_t i = 0; mounts && i < json_object_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      const char *name = ferry_json_get_string (m, "Name");
      const char *dest = ferry_json_get_string (m, "Destination");
      int copied = 0;

      if (! ferry_json_string_equals (m, "Type", "volume") || name == NULL || dest == NULL)
        continue;
      /* A new volume belongs to the root of a container with a user
       * namespace, as Podman gives it on first use.  */
      if (ferry_volume_name_is_valid (name))
        {
          cleanup_free char *data = xasprintf ("%s/volumes/%s/_data", e->root, name);
          if (ferry_userns_give_empty_dir (c->record, data, err) < 0)
            return -1;
        }
      if (! json_object_get_boolean (json_object_object_get (m, "NoCopy")))
        {
          copied = ferry_volume_copy_up (e->db, e->root, name, rootfs, dest, err);
          if (copied < 0)
            return -1;
        }
      if (userns || ! ferry_volume_name_is_valid (name))
        continue;
      /* The user the command runs as; one that does not resolve is the
       * spec's error to give, later.  */
      if (resolved == 0)
        {
          cleanup_free gid_t *gids = NULL;
          cleanup_free char *home = NULL;
          ferry_error_t ignored = NULL;
          size_t n_gids = 0;

          resolved = ferry_spec_resolve_user (rootfs, ferry_json_get_string (c->record, "User"), &uid, &gid,
                                              &gids, &n_gids, &home, &ignored)
                             < 0
                         ? -1
                         : 1;
          ferry_error_release (&ignored);
        }
      if (resolved < 0)
        continue;
      if (ferry_volume_fix_owner (e->db, e->root, name, rootfs, dest, uid, gid, copied,
                                  json_object_get_boolean (json_object_object_get (m, "Chown")), err)
          < 0)
        return -1;
    }
  return 0;
}

/* --conmon-pidfile: the user's copy of conmon's PID (ferry's own stays
 * in the bundle).  */
static int
write_user_conmon_pidfile (const struct ferry_container *c, pid_t conmon_pid, ferry_error_t *err)
{
  const char *path = ferry_json_get_string (c->record, "ConmonPidFile");
  cleanup_free char *text = NULL;

  if (path == NULL)
    return 0;
  text = xasprintf ("%d", (int) conmon_pid);
  if (ferry_write_file_atomic (path, text, strlen (text), 0644, err) < 0)
    return ferry_error_wrap (err, "--conmon-pidfile of container %s", c->name);
  return 0;
}

/* --pidfile: the container's PID at each start and restore; left when
 * the container goes, as Podman leaves it.  */
static int
write_user_pidfile (const struct ferry_container *c, pid_t pid, ferry_error_t *err)
{
  const char *path = ferry_json_get_string (c->record, "PidFile");
  cleanup_free char *text = NULL;

  if (path == NULL)
    return 0;
  text = xasprintf ("%d", (int) pid);
  if (ferry_write_file_atomic (path, text, strlen (text), 0644, err) < 0)
    return ferry_error_wrap (err, "--pidfile of container %s", c->name);
  return 0;
}

/* CRIU's images (in the container's directory, or an import's staging
 * directory) and the container's directory, reachable from inside its
 * user namespace.  */
static int
reach_restore (ferry_engine_t *e, const struct ferry_container *c, const char *images, const char *cdir,
               ferry_error_t *err)
{
  cleanup_free char *own = xstrdup (images);
  const char *top = strncmp (images, e->root, strlen (e->root)) == 0 ? e->root : e->runroot;

  if (strrchr (own, '/') && strrchr (own, '/') != own)
    *strrchr (own, '/') = '\0';
  return ferry_userns_reachable (c->record, top, own, images, err) < 0
                 || ferry_userns_reachable (c->record, e->root, cdir, cdir, err) < 0
             ? -1
             : 0;
}

int
ferry_container_launch (ferry_engine_t *e, struct ferry_container *c, const char *restore_from,
                        char **runtime_opts, const char *devshm_tar, const struct ferry_start_options *so,
                        const struct ferry_launch_hook *hook, ferry_error_t *err)
{
  cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, c->id);
  cleanup_free char *pidfile = xasprintf ("%s/pidfile", bundle);
  cleanup_free char *conmon_pidfile = xasprintf ("%s/conmon.pid", bundle);
  cleanup_free char *persist = xasprintf ("%s/persist", bundle);
  cleanup_free char *exits = ferry_engine_exit_dir (e);
  cleanup_free char *sockets = ferry_engine_socket_dir (e);
  cleanup_free char *log = ferry_container_log_path (e, c);
  cleanup_free char *netns = ferry_engine_netns_path (e, c->id);
  cleanup_strv char **exit_cmd = ferry_engine_exit_command (e, c->id, NULL);
  struct ferry_overlay ov = { 0 };
  struct ferry_conmon_options co = { 0 };
  pid_t pid = 0, conmon_pid = 0;
  cleanup_free char *joined = NULL;
  int kind;
  const struct ferry_runtime *rt = ferry_engine_runtime_of (e, c, err);

  if (rt == NULL)
    return -1;
  /* What a previous run left (conmon's cleanup may not have run yet):
   * the runtime refuses to create a container whose ID it still knows.
   * The network stays only for the restore it was kept for.  A launch
   * whose ferry was killed may still be at work (conmon, the runtime's
   * create): ended first, under the lock, so that it neither creates
   * the container after this one looked nor reports on this launch.  */
  if (ferry_conmon_end (bundle) > 0)
    ferry_container_end_launch (e, c);
  ferry_container_teardown (e, c);
  /* A new run: the last one's exec sessions are over, as Podman's start
   * (a restore keeps them listed, as Podman's).  */
  if (restore_from == NULL)
    {
      ferry_container_teardown_network (e, c);
      ferry_exec_sessions_remove (e, c->id);
    }
  if (prepare_runroot (e, c->id, err) < 0
      || (hook && hook->bundle_made && hook->bundle_made (bundle, hook->arg, err) < 0)
      || ferry_container_mount_rootfs (e, c, &ov, err) < 0 || ferry_image_mounts_mount (e, c, err) < 0
      || ferry_volume_mounts_acquire (e, c, err) < 0
      /* A restore's volumes hold what they held: never filled anew.  */
      || (restore_from == NULL
          && (check_workdir (c, ov.merged, err) < 0 || make_etc_mtab (c, ov.merged, err) < 0
              || copy_up_volumes (e, c, ov.merged, err) < 0))
      || mount_shm (e, c, err) < 0 || write_etc_files (e, c, NULL, err) < 0
      || write_containerenv (e, c, err) < 0)
    goto fail;
  if (devshm_tar && ferry_path_exists (devshm_tar))
    {
      cleanup_free char *shm = xasprintf ("%s/shm", cdir);
      if (ferry_untar_directory (devshm_tar, shm, 0, "/dev/shm entry", err) < 0)
        goto fail;
    }
  kind = joined_netns (e, c, &joined, err);
  if (kind < 0)
    goto fail;
  if (kind == NETNS_OWN && attach_network (e, c, netns, err) < 0)
    goto fail;
  if (restore_from && kind == NETNS_OWN && restore_net_sysctls (c, netns, err) < 0)
    goto fail;
  /* CRIU opens the images and the sources of bind mounts from inside the
   * namespace (before the images are given to the container's root,
   * whose directories the search bits skip).  */
  if (restore_from && reach_restore (e, c, restore_from, cdir, err) < 0)
    goto fail;
  if (write_spec (e, c, &ov, joined, restore_from, so, err) < 0
      || ferry_container_update_record (e, c->id, c->record, err) < 0
      || ferry_userns_prepare (c, cdir, ov.upper, restore_from, err) < 0)
    goto fail;
  if (restore_from && json_object_object_get (c->record, "UidMap"))
    {
      cleanup_free char *config = xasprintf ("%s/config.json", bundle);
      const char *tops[] = { e->root, e->runroot, NULL };
      const char *owns[] = { cdir, bundle, NULL };
      if (ferry_userns_reach_mounts (c->record, tops, owns, config, err) < 0)
        goto fail;
    }

  co.runtime = rt;
  co.id = c->id;
  co.name = c->name;
  co.bundle = bundle;
  co.pidfile = pidfile;
  co.conmon_pidfile = conmon_pidfile;
  co.exit_dir = exits;
  co.persist_dir = persist;
  co.socket_dir = sockets;
  co.log_driver = ferry_container_log_driver (c);
  co.log_path = log;
  /* --log-opt max-size, else containers.conf's log_size_max now, as
   * Podman takes it at each start.  */
  co.log_size_max = ferry_json_get_int (c->record, "LogSize", 0);
  if (co.log_size_max <= 0)
    co.log_size_max = e->config.log_size_max;
  co.log_tag = ferry_json_get_string (c->record, "LogTag");
  co.terminal = json_object_get_boolean (json_object_object_get (c->record, "Tty"));
  co.stdin_open = json_object_get_boolean (json_object_object_get (c->record, "OpenStdin"));
  co.exit_command = exit_cmd;
  co.restore_from = restore_from;
  co.runtime_opts = runtime_opts;
  co.timeout = ferry_json_get_int (c->record, "Timeout", 0);
  co.reply_timeout = e->config.conmon_timeout;
  co.sdnotify_socket = ferry_systemd_conmon_socket (c->record);
  if (so)
    {
      co.preserve_fds = so->preserve_fds;
      co.n_preserve_fds = so->n_preserve_fds;
    }
  if (hook && hook->before_runtime && hook->before_runtime (bundle, hook->arg, err) < 0)
    goto fail;
  if (ferry_conmon_create (&co, &pid, &conmon_pid, err) < 0
      || write_user_conmon_pidfile (c, conmon_pid, err) < 0 || write_user_pidfile (c, pid, err) < 0)
    goto fail;
  if (so && so->attach)
    {
      int fd = ferry_conmon_attach_connect (sockets, c->id, err);
      if (fd < 0)
        goto fail;
      *so->attach_fd = fd;
    }
  c->pid = pid;
  c->conmon_pid = conmon_pid;
  ferry_overlay_free (&ov);
  /* Each run's health begins again, as Podman's each start; what the
   * check said before cannot stop the container running.  */
  {
    cleanup_error ferry_error_t ignored = NULL;
    ferry_container_health_reset (e, c, &ignored);
  }
  if (ferry_container_health_timer_start (e, c, err) < 0)
    goto fail;
  return 0;

fail:
  if (restore_from)
    keep_restore_log (e, c, restore_from, err);
  /* Whatever failed after conmon started, conmon and what it runs go
   * before the container's files and mounts.  */
  ferry_container_end_launch (e, c);
  ferry_container_teardown (e, c);
  ferry_overlay_free (&ov);
  return -1;
}

/* Takes back a start of C that failed once it was launched: its process,
 * mounts and bundle go, and what init launched (BEFORE is its status
 * then) is created again.  Returns -1.  */
static int
unstart (ferry_engine_t *e, struct ferry_container *c, int attach_fd, enum ferry_container_status before)
{
  if (attach_fd >= 0)
    close (attach_fd);
  ferry_container_teardown (e, c);
  c->status = before;
  if (c->status == FERRY_CONTAINER_INITIALIZED)
    {
      cleanup_error ferry_error_t ignored = NULL;
      c->status = FERRY_CONTAINER_CREATED;
      c->pid = 0;
      c->conmon_pid = 0;
      if (ferry_container_save_state (e, c, &ignored) < 0)
        ferry_error_release (&ignored);
    }
  return -1;
}

/* Starts C (exited or created), whose lock the caller holds.  */
static int
start_locked (ferry_engine_t *e, struct ferry_container *c, const struct ferry_start_options *so,
              ferry_error_t *err)
{
  enum ferry_container_status before;
  int attach_fd = -1;

  if (c->status == FERRY_CONTAINER_INITIALIZED)
    {
      /* Launched by init: only its process is left to start.  */
      if (so && so->attach)
        {
          cleanup_free char *sockets = ferry_engine_socket_dir (e);
          *so->attach_fd = ferry_conmon_attach_connect (sockets, c->id, err);
          if (*so->attach_fd < 0)
            return -1;
        }
    }
  else
    {
      if (ferry_container_launch (e, c, NULL, NULL, NULL, so, NULL, err) < 0)
        return -1;
      ferry_container_event (e, c, "init");
    }
  if (so && so->attach)
    attach_fd = *so->attach_fd;
  /* Not worth failing the start for: the attach resizes it again.  */
  if (so && so->rows > 0 && so->cols > 0)
    {
      cleanup_error ferry_error_t ignored = NULL;
      ferry_container_resize (e, c->id, so->rows, so->cols, &ignored);
    }
  if (ferry_runtime_start (ferry_engine_runtime_or_own (e, c), c->id, err) < 0)
    return unstart (e, c, attach_fd, c->status);
  before = c->status;
  c->status = FERRY_CONTAINER_RUNNING;
  c->exit_code = 0;
  free (c->started_at);
  c->started_at = ferry_time_now ();
  /* FinishedAt keeps the last exit's time until the next, as Podman's.  */
  free (c->error);
  c->error = xstrdup ("");
  /* A database that cannot take the new state (a full disk) must not
   * leave a container running that its record says is not.  */
  if (ferry_container_save_state (e, c, err) < 0)
    return unstart (e, c, attach_fd, before);
  ferry_container_event (e, c, "start");
  /* As Podman's run and start -a: attached once started.  */
  if (so && so->attach)
    ferry_container_event (e, c, "attach");
  return 0;
}

/* The restart policy's state in C's record: whether a user stopped it
 * (then its exit restarts nothing; inspect shows it for every container,
 * as Podman does), and how often it was restarted since a user last
 * started it.  */
static int
set_restart_state (ferry_engine_t *e, struct ferry_container *c, int stopped_by_user, int count,
                   ferry_error_t *err)
{
  if (! stopped_by_user == ! json_object_get_boolean (json_object_object_get (c->record, "StoppedByUser"))
      && count == ferry_json_get_int (c->record, "RestartCount", 0))
    return 0;
  if (stopped_by_user)
    json_object_object_add (c->record, "StoppedByUser", json_object_new_boolean (1));
  else
    json_object_object_del (c->record, "StoppedByUser");
  if (count > 0)
    json_object_object_add (c->record, "RestartCount", json_object_new_int (count));
  else
    json_object_object_del (c->record, "RestartCount");
  return ferry_container_update_record (e, c->id, c->record, err);
}

int
ferry_container_start (ferry_engine_t *e, const char *ref, const struct ferry_start_options *so,
                       ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  int ret = -1;

  /* --requires: those first, each under its own lock, as Podman.  */
  {
    struct ferry_container *peek = NULL;

    if (ferry_container_lookup (e, ref, &peek, err) < 0)
      return -1;
    ret = ferry_container_is_active (peek) ? 0 : ferry_systemd_start_required (e, peek->record, 0, err);
    ferry_container_free (peek);
    if (ret < 0)
      return -1;
    ret = -1;
  }
  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  /* Podman's start refuses a paused container too.  */
  if (c->status == FERRY_CONTAINER_STOPPING || c->status == FERRY_CONTAINER_PAUSED)
    {
      ret = ferry_make_error_kind (
          err, FERRY_ERROR_STATE,
          "unable to start container \"%s\": container %s must be in Created or Stopped "
          "state to be started: container state improper",
          ref, c->id);
      goto out;
    }
  if (ferry_container_is_active (c))
    {
      ret = 0; /* podman start of a running container is not an error */
      if (so && so->attach)
        ret = ferry_make_error_kind (err, FERRY_ERROR_STATE,
                                     "container %s is already running: use ferry logs -f %s", c->name,
                                     c->name);
      goto out;
    }
  /* A user's start begins the count again, as Podman's does.  */
  if (set_restart_state (e, c, 0, 0, err) < 0)
    goto out;
  ret = start_locked (e, c, so, err);
out:
  ferry_container_free (c);
  return ret;
}

int
ferry_container_attach (ferry_engine_t *e, const char *ref, struct ferry_container **out, int *fd,
                        ferry_error_t *err)
{
  cleanup_free char *sockets = ferry_engine_socket_dir (e);
  struct ferry_container *c = NULL;

  *out = NULL;
  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return -1;
  if (c->status != FERRY_CONTAINER_RUNNING && c->status != FERRY_CONTAINER_PAUSED)
    {
      ferry_make_error_kind (err, FERRY_ERROR_STATE,
                             "attaching to container %s: you can only attach to running containers", c->id);
      ferry_container_free (c);
      return -1;
    }
  *fd = ferry_conmon_attach_connect (sockets, c->id, err);
  if (*fd < 0)
    {
      /* It exited while we looked.  */
      if ((*err)->kind == FERRY_ERROR_NOT_FOUND)
        {
          ferry_error_release (err);
          ferry_make_error_kind (err, FERRY_ERROR_STATE,
                                 "attaching to container %s: you can only attach to running containers",
                                 c->id);
        }
      ferry_container_free (c);
      return -1;
    }
  ferry_container_event (e, c, "attach");
  *out = c;
  return 0;
}

int
ferry_container_resize (ferry_engine_t *e, const char *id, unsigned rows, unsigned cols, ferry_error_t *err)
{
  cleanup_free char *bundle = ferry_engine_bundle_dir (e, id);
  cleanup_free char *ctl = xasprintf ("%s/ctl", bundle);
  cleanup_free char *msg = xasprintf ("1 %u %u\n", rows, cols);
  /* Non-blocking: with no conmon reading (it exited), no wait.  */
  cleanup_close int fd = open (ctl, O_WRONLY | O_NONBLOCK | O_CLOEXEC);

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open the control FIFO of container %s", id);
  if (ferry_write_all (fd, msg, strlen (msg)) < 0)
    return ferry_make_error (err, errno, "cannot resize the terminal of container %s", id);
  return 0;
}

/* Waits up to TIMEOUT_MS for the exit file; 1 when it came.  */
int
ferry_container_wait_exit_file (ferry_engine_t *e, struct ferry_container *c, long long timeout_ms)
{
  cleanup_free char *exits = ferry_engine_exit_dir (e);
  long long deadline = ferry_time_monotonic_ms () + timeout_ms;
  /* Woken when conmon writes an exit file or ends, not by a timer that
   * oversleeps the exit by up to its step (a killed container is usually
   * gone within a few milliseconds; rm -f waited 10 to 30 ms).  The watch
   * is made before the first look, so that no file written between the
   * two goes unseen.  */
  cleanup_close int watch = ferry_conmon_exit_watch (exits);
  cleanup_close int conmon = c->conmon_pid > 0 ? (int) syscall (SYS_pidfd_open, c->conmon_pid, 0) : -1;
  /* Without a watch, short sleeps at first, then longer ones.  */
  long long step = watch >= 0 ? 20 : 1;

  for (;;)
    {
      long long left;

      if (ferry_container_take_exit_file (e, c))
        return 1;
      if (! ferry_process_is_conmon (c->conmon_pid))
        {
          /* The monitor is gone without writing one (killed): nothing more
           * will come.  */
          return ferry_container_take_exit_file (e, c);
        }
      left = deadline - ferry_time_monotonic_ms ();
      if (left <= 0)
        return 0;
      if (ferry_conmon_exit_wait (watch, conmon, (int) (left < step ? left : step)))
        {
          close (conmon);
          conmon = -1;
        }
      if (watch >= 0)
        step = 20;
      else
        step = step < 10 ? step * 2 : 20;
    }
}

/* SIGKILL to every process of C.  Where its init has a PID namespace of
 * its own, the kernel is asked directly: its death ends the rest, as
 * `runtime kill --all` would, without a runtime process to start and
 * wait for (one a container, which side-by-side removals of many paid
 * for on a small machine).  */
static int
kill_all (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err)
{
  int r = ferry_runtime_kill_pid_namespace (c->pid, c->id, err);

  if (r != 0)
    return r < 0 ? -1 : 0;
  return ferry_runtime_kill (ferry_engine_runtime_or_own (e, c), c->id, SIGKILL, 1, err);
}

static void
mark_exited_without_code (struct ferry_container *c)
{
  if (c->status == FERRY_CONTAINER_EXITED)
    return;
  c->status = FERRY_CONTAINER_EXITED;
  c->exit_code = 137;
  c->pid = 0;
  free (c->finished_at);
  c->finished_at = ferry_time_now ();
}

/* Stops C, whose lock the caller holds; REPORT (may be NULL) learns
 * whether SIGKILL had to follow the stop signal.  REMOVING: for a removal,
 * which tells only of the death.  */
static int
stop_locked (ferry_engine_t *e, struct ferry_container *c, int timeout, struct ferry_stop_report *report,
             int removing, ferry_error_t *err)
{
  int sig = ferry_json_get_int (c->record, "StopSignal", SIGTERM);
  int was_active = ferry_container_has_monitor (c), recorded;

  if (timeout < 0)
    timeout = ferry_json_get_int (c->record, "StopTimeout", 10);
  /* As Podman's removal, a paused one is killed, never thawed to run its
   * handler.  */
  if (removing && c->status == FERRY_CONTAINER_PAUSED)
    timeout = 0;
  /* Its exit is the user's doing: the restart policy leaves it stopped.  */
  if (ferry_container_has_monitor (c)
      && set_restart_state (e, c, 1, ferry_json_get_int (c->record, "RestartCount", 0), err) < 0)
    return -1;
  if (report)
    {
      report->killed = 0;
      report->stop_signal = sig;
      report->timeout = timeout;
    }
  if (ferry_container_has_monitor (c))
    {
      if (timeout > 0 && ferry_runtime_kill (ferry_engine_runtime_or_own (e, c), c->id, sig, 0, err) < 0)
        {
          /* It may have exited just before the signal: then it is stopped. */
          if (! ferry_container_wait_exit_file (e, c, 2000))
            return -1;
          ferry_error_release (err);
        }
      if (c->status == FERRY_CONTAINER_PAUSED
          && ferry_runtime_resume (ferry_engine_runtime_or_own (e, c), c->id, c->pid, err) < 0)
        return -1;
      if (timeout == 0 || ! ferry_container_wait_exit_file (e, c, timeout * 1000LL))
        {
          if (report && timeout > 0)
            report->killed = 1;
          if (kill_all (e, c, err) < 0)
            return -1;
          if (! ferry_container_wait_exit_file (e, c, 30000))
            mark_exited_without_code (c);
        }
    }
  ferry_container_teardown (e, c);
  recorded = was_active ? ferry_container_save_exit (e, c, err) : ferry_container_save_state (e, c, err);
  if (recorded < 0)
    return -1;
  /* As Podman tells them: a removal's stop is only the death, which a
   * ferry that saw it first has told already.  */
  if (was_active && ! removing)
    ferry_container_event (e, c, "stop");
  if (recorded > 0)
    ferry_container_event_record (e, c->id, c->record, "died", c->exit_code);
  if (recorded > 0 && ! removing)
    tell_cleanup (e, c);
  return 0;
}

/* The end of a stop that waited without the container's lock: C was read
 * again under it.  Still stopping, it outlived its time and gets SIGKILL;
 * anything else means another ferry ended it (kill, stop -t 0, conmon's
 * cleanup) or removed it meanwhile, and it is stopped all the same.  */
static int
stop_finish (ferry_engine_t *e, struct ferry_container *c, struct ferry_stop_report *report,
             ferry_error_t *err)
{
  int recorded;

  if (c->status != FERRY_CONTAINER_STOPPING)
    {
      if (c->status == FERRY_CONTAINER_EXITED)
        ferry_container_event (e, c, "stop");
      return 0;
    }
  if (! ferry_container_take_exit_file (e, c))
    {
      if (report)
        report->killed = 1;
      if (kill_all (e, c, err) < 0)
        {
          if (! ferry_container_wait_exit_file (e, c, 2000))
            return -1;
          ferry_error_release (err);
        }
      if (! ferry_container_wait_exit_file (e, c, 30000))
        mark_exited_without_code (c);
    }
  ferry_container_teardown (e, c);
  recorded = ferry_container_save_exit (e, c, err);
  if (recorded < 0)
    return -1;
  ferry_container_event (e, c, "stop");
  if (recorded > 0)
    {
      ferry_container_event_record (e, c->id, c->record, "died", c->exit_code);
      tell_cleanup (e, c);
    }
  return 0;
}

/* Sends C's stop signal and records it stopping, under the container's
 * lock (LOCK, released here) and the stopping lock (*STOPPING, kept).
 * Returns 1, with LOCK kept, when C turned out to have exited already.  */
static int
stop_begin (ferry_engine_t *e, struct ferry_container *c, int *lock, int *stopping, ferry_error_t *err)
{
  cleanup_free char *name = stopping_lock_name (c->id);
  int sig = ferry_json_get_int (c->record, "StopSignal", SIGTERM);

  if (set_restart_state (e, c, 1, ferry_json_get_int (c->record, "RestartCount", 0), err) < 0)
    return -1;
  /* Taken before the row says stopping, so that no one ever sees it
   * stopping without its stopper.  */
  *stopping = ferry_lock_acquire (e->root, name, 0, err);
  if (*stopping < 0)
    return -1;
  if (ferry_runtime_kill (ferry_engine_runtime_or_own (e, c), c->id, sig, 0, err) < 0)
    {
      /* It may have exited just before the signal: then it is stopped. */
      if (! ferry_container_wait_exit_file (e, c, 2000))
        return -1;
      ferry_error_release (err);
    }
  if (c->status == FERRY_CONTAINER_PAUSED
      && ferry_runtime_resume (ferry_engine_runtime_or_own (e, c), c->id, c->pid, err) < 0)
    return -1;
  if (c->status == FERRY_CONTAINER_EXITED)
    return 1;
  c->status = FERRY_CONTAINER_STOPPING;
  if (ferry_container_save_state (e, c, err) < 0)
    return -1;
  ferry_lock_release (*lock);
  *lock = -1;
  return 0;
}

int
ferry_container_stop (ferry_engine_t *e, const char *ref, int timeout, struct ferry_stop_report *report,
                      ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  cleanup_lock int stopping = -1;
  cleanup_free char *id = NULL;
  int ret = -1;

  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  if (timeout < 0)
    timeout = ferry_json_get_int (c->record, "StopTimeout", 10);
  /* Nothing to wait for: done under the lock.  */
  if (! ferry_container_is_active (c) || timeout == 0)
    {
      ret = stop_locked (e, c, timeout, report, 0, err);
      ferry_container_free (c);
      return ret;
    }
  if (report)
    {
      report->killed = 0;
      report->stop_signal = ferry_json_get_int (c->record, "StopSignal", SIGTERM);
      report->timeout = timeout;
    }
  id = xstrdup (c->id);
  ret = stop_begin (e, c, &lock, &stopping, err);
  if (ret != 0)
    {
      /* Exited before the signal: recorded and told as a stop's.  */
      if (ret > 0)
        {
          c->status = FERRY_CONTAINER_STOPPING;
          ret = stop_finish (e, c, report, err);
        }
      goto out;
    }
  ret = -1;
  /* The grace period, with the container's lock free: ps and inspect show
   * it stopping, and kill, rm -f or another stop may end it meanwhile.  */
  ferry_container_wait_exit_file (e, c, timeout * 1000LL);
  ferry_container_free (c);
  c = NULL;
  lock = ferry_container_lock (e, id, err);
  if (lock < 0)
    goto out;
  if (ferry_container_find (e, id, &c, err) < 0)
    {
      /* Removed meanwhile (rm -f): stopped indeed.  */
      if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
        goto out;
      ferry_error_release (err);
      ret = 0;
      goto out;
    }
  ret = stop_finish (e, c, report, err);
out:
  ferry_container_free (c);
  return ret;
}

int
ferry_container_latest (ferry_engine_t *e, struct ferry_container **out, ferry_error_t *err)
{
  struct ferry_container **list = NULL;
  size_t n = 0;

  *out = NULL;
  if (ferry_container_list (e, &list, &n, err) < 0)
    return -1;
  if (n == 0)
    {
      free (list);
      return ferry_make_error_kind (err, FERRY_ERROR_NOT_FOUND, "no such container");
    }
  /* The list is in order of creation.  */
  *out = list[n - 1];
  ferry_containers_free (list, n - 1);
  return 0;
}

int
ferry_container_rename (ferry_engine_t *e, const char *ref, const char *name, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_stmt sqlite3_stmt *st = NULL;
  cleanup_lock int lock = -1;
  int ret = -1, rc;

  /* Podman takes the name as Docker's API shows it, with a leading `/`.  */
  if (name[0] == '/')
    name++;
  /* The container first, then the name, as Podman looks them up.  */
  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  if (! ferry_container_name_is_valid (name))
    {
      ferry_container_free (c);
      return ferry_make_error (err, 0, "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
    }
  if (strcmp (c->name, name) == 0)
    {
      ferry_container_free (c);
      return 0;
    }
  json_object_object_add (c->record, "Name", json_object_new_string (name));
  if (ferry_db_begin (e->db, err) < 0)
    goto out;
  st = ferry_db_prepare (e->db, "UPDATE containers SET name = ? WHERE id = ?", err);
  if (st == NULL)
    goto fail;
  sqlite3_bind_text (st, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (st, 2, c->id, -1, SQLITE_STATIC);
  rc = sqlite3_step (st);
  if ((rc & 0xff) == SQLITE_CONSTRAINT)
    {
      ferry_make_error_kind (err, FERRY_ERROR_EXISTS,
                             "renaming container %s: the container name \"%s\" is already in use", c->id,
                             name);
      goto fail;
    }
  if (rc != SQLITE_DONE)
    {
      ferry_db_error (e->db, err, "cannot rename container");
      goto fail;
    }
  if (ferry_container_update_record (e, c->id, c->record, err) < 0 || ferry_db_commit (e->db, err) < 0)
    goto fail;
  ferry_container_event (e, c, "rename");
  ret = 0;
  goto out;
fail:
  ferry_db_rollback (e->db);
out:
  ferry_container_free (c);
  return ret;
}

int
ferry_container_restart (ferry_engine_t *e, const char *ref, int timeout, struct ferry_stop_report *report,
                         ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  int paused;

  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return -1;
  paused = c->status == FERRY_CONTAINER_PAUSED || c->status == FERRY_CONTAINER_STOPPING;
  ferry_container_free (c);
  if (paused)
    return ferry_make_error_kind (
        err, FERRY_ERROR_STATE,
        "unable to restart a container in a paused or unknown state: container state improper");
  if (ferry_container_stop (e, ref, timeout, report, err) < 0)
    return -1;
  if (ferry_container_lookup (e, ref, &c, err) == 0)
    {
      ferry_container_event (e, c, "restart");
      ferry_container_free (c);
    }
  ferry_error_release (err);
  return ferry_container_start (e, ref, NULL, err);
}

int
ferry_container_kill (ferry_engine_t *e, const char *ref, int signal, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  int ret;

  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  if (! ferry_container_is_active (c))
    ret = ferry_make_error_kind (
        err, FERRY_ERROR_STATE,
        "can only kill running containers. %s is in state %s: container state improper", c->id,
        ferry_container_status_name (c->status));
  /* As with Podman, a killed container counts as stopped by its user,
   * whatever the signal: its exit restarts nothing.  */
  else if (set_restart_state (e, c, 1, ferry_json_get_int (c->record, "RestartCount", 0), err) < 0)
    ret = -1;
  else
    {
      const struct ferry_runtime *rt = ferry_engine_runtime_of (e, c, err);
      ret = rt ? ferry_runtime_kill (rt, c->id, signal, 0, err) : -1;
    }
  if (ret == 0)
    ferry_container_event (e, c, "kill");
  ferry_container_free (c);
  return ret;
}

static int
set_paused (ferry_engine_t *e, const char *ref, int pause, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  enum ferry_container_status want = pause ? FERRY_CONTAINER_RUNNING : FERRY_CONTAINER_PAUSED;
  const struct ferry_runtime *rt;
  int ret = -1;

  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  /* Podman's words: the state when pause finds no running container,
   * the ID otherwise.  */
  if (pause && c->status == FERRY_CONTAINER_PAUSED)
    {
      ret = ferry_make_error_kind (err, FERRY_ERROR_STATE,
                                   "\"%s\" is already paused: container state improper", c->id);
      goto out;
    }
  if (c->status != want)
    {
      if (pause)
        ret = ferry_make_error_kind (err, FERRY_ERROR_STATE,
                                     "\"%s\" is not running, can't pause: container state improper",
                                     ferry_container_status_name (c->status));
      else
        ret = ferry_make_error_kind (err, FERRY_ERROR_STATE,
                                     "\"%s\" is not paused, can't unpause: container state improper", c->id);
      goto out;
    }
  rt = ferry_engine_runtime_of (e, c, err);
  if (rt == NULL || (pause ? ferry_runtime_pause : ferry_runtime_resume) (rt, c->id, c->pid, err) < 0)
    goto out;
  c->status = pause ? FERRY_CONTAINER_PAUSED : FERRY_CONTAINER_RUNNING;
  ret = ferry_container_save_state (e, c, err);
  if (ret == 0)
    ferry_container_event (e, c, pause ? "pause" : "unpause");
out:
  ferry_container_free (c);
  return ret;
}

int
ferry_container_pause (ferry_engine_t *e, const char *ref, ferry_error_t *err)
{
  return set_paused (e, ref, 1, err);
}

int
ferry_container_unpause (ferry_engine_t *e, const char *ref, ferry_error_t *err)
{
  return set_paused (e, ref, 0, err);
}

int
ferry_container_wait (ferry_engine_t *e, const char *ref, int *exit_code, ferry_error_t *err)
{
  return ferry_container_wait_every (e, ref, 50, exit_code, err);
}

/* How long the code of a removed container is kept for a wait that
 * looked before the removal: Podman's five minutes.  */
#define REMOVED_EXIT_CODE_SECONDS 300

/* In remove_row's transaction: C's exit code, when it ran, for a wait
 * that outlives it; the codes of containers removed long ago go.  */
static int
record_removed_exit_code (ferry_engine_t *e, const struct ferry_container *c, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *prune = NULL;
  cleanup_stmt sqlite3_stmt *add = NULL;
  sqlite3_int64 now = (sqlite3_int64) time (NULL);

  prune = ferry_db_prepare (e->db, "DELETE FROM removed_exit_codes WHERE removed < ?", err);
  if (prune == NULL)
    return -1;
  sqlite3_bind_int64 (prune, 1, now - REMOVED_EXIT_CODE_SECONDS);
  if (sqlite3_step (prune) != SQLITE_DONE)
    return ferry_db_error (e->db, err, "cannot prune the exit codes of removed containers");
  if (c->status != FERRY_CONTAINER_EXITED)
    return 0;
  add = ferry_db_prepare (e->db,
                          "INSERT OR REPLACE INTO removed_exit_codes (container_id, exit_code, removed) "
                          "VALUES (?, ?, ?)",
                          err);
  if (add == NULL)
    return -1;
  sqlite3_bind_text (add, 1, c->id, -1, SQLITE_STATIC);
  sqlite3_bind_int (add, 2, c->exit_code);
  sqlite3_bind_int64 (add, 3, now);
  if (sqlite3_step (add) != SQLITE_DONE)
    return ferry_db_error (e->db, err, "cannot record the exit code of a removed container");
  return 0;
}

/* The exit code of container ID, removed within REMOVED_EXIT_CODE_SECONDS
 * after it ran: 1 and *EXIT_CODE, else 0.  */
static int
removed_exit_code (ferry_engine_t *e, const char *id, int *exit_code)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_stmt sqlite3_stmt *st = NULL;

  st = ferry_db_prepare (e->db, "SELECT exit_code FROM removed_exit_codes WHERE container_id = ?", &ignored);
  if (st == NULL)
    return 0;
  sqlite3_bind_text (st, 1, id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_ROW)
    return 0;
  *exit_code = sqlite3_column_int (st, 0);
  return 1;
}

int
ferry_container_removed_exit_code (ferry_engine_t *e, const char *id, int *exit_code)
{
  return removed_exit_code (e, id, exit_code);
}

int
ferry_container_wait_states (ferry_engine_t *e, const char *ref, unsigned states, long long interval_ms,
                             enum ferry_container_status *reached, int *exit_code, ferry_error_t *err)
{
  cleanup_free char *id = NULL;
  struct ferry_container *c = NULL;

  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return -1;
  id = xstrdup (c->id);
  while (! (states & (1u << c->status)))
    {
      *reached = c->status;
      *exit_code = c->exit_code;
      ferry_container_free (c);
      c = NULL;
      usleep ((useconds_t) interval_ms * 1000);
      if (ferry_container_lookup (e, id, &c, err) < 0)
        {
          /* Stopped and removed between two looks: its code was kept.  */
          if ((*err)->kind == FERRY_ERROR_NOT_FOUND && removed_exit_code (e, id, exit_code))
            *reached = FERRY_CONTAINER_EXITED;
          return -1;
        }
    }
  *reached = c->status;
  *exit_code = c->exit_code;
  ferry_container_free (c);
  return 0;
}

int
ferry_container_wait_health (ferry_engine_t *e, const char *ref, unsigned states, unsigned health,
                             long long interval_ms, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_free char *id = NULL;

  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return -1;
  id = xstrdup (c->id);
  if (! ferry_container_has_healthcheck (c))
    {
      const char *which = (health & FERRY_WAIT_HEALTHY) ? "healthy" : "unhealthy";

      ferry_container_free (c);
      return ferry_make_error (err, 0,
                               "cannot use condition \"%s\": container %s has no healthcheck: give it one "
                               "with --health-cmd",
                               which, id);
    }
  for (;;)
    {
      cleanup_free char *status = NULL;

      if (states & (1u << c->status))
        break;
      /* A check runs only in a running container: none will change the
       * status of a stopped one.  */
      if (c->status != FERRY_CONTAINER_RUNNING && c->status != FERRY_CONTAINER_PAUSED)
        {
          ferry_container_free (c);
          return ferry_make_error_kind (err, FERRY_ERROR_STATE,
                                        "container is stopped: start container %s first", id);
        }
      status = ferry_container_health_status (e, c);
      if (((health & FERRY_WAIT_HEALTHY) && strcmp (status, "healthy") == 0)
          || ((health & FERRY_WAIT_UNHEALTHY) && strcmp (status, "unhealthy") == 0))
        break;
      ferry_container_free (c);
      c = NULL;
      usleep ((useconds_t) interval_ms * 1000);
      if (ferry_container_lookup (e, id, &c, err) < 0)
        return -1;
    }
  ferry_container_free (c);
  return 0;
}

int
ferry_container_wait_every (ferry_engine_t *e, const char *ref, long long interval_ms, int *exit_code,
                            ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_free char *id = NULL;
  cleanup_free char *exits = ferry_engine_exit_dir (e);

  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return -1;
  id = xstrdup (c->id);
  /* A created container never ran: its code is 0 at once, as Podman
   * answers for a container it has no exit code of.  */
  while (ferry_container_has_monitor (c))
    {
      ferry_container_free (c);
      c = NULL;
      usleep ((useconds_t) interval_ms * 1000);
      if (ferry_container_lookup (e, id, &c, err) < 0)
        {
          /* Removed after exiting (--rm): conmon's exit file still has
           * the code, kept for this wait, which takes it away (nothing
           * else would: the container is gone).  Removed by another's
           * rm -f between two looks: its code was kept, as Podman keeps
           * it.  */
          cleanup_error ferry_error_t ignored = NULL;
          if ((*err)->kind == FERRY_ERROR_NOT_FOUND
              && ferry_conmon_read_exit (exits, id, exit_code, &ignored) == 1)
            {
              cleanup_free char *exit_file = xasprintf ("%s/%s", exits, id);

              unlink (exit_file);
              ferry_error_release (err);
              return 0;
            }
          if ((*err)->kind == FERRY_ERROR_NOT_FOUND && removed_exit_code (e, id, exit_code))
            {
              ferry_error_release (err);
              return 0;
            }
          return -1;
        }
    }
  *exit_code = c->exit_code;
  ferry_container_free (c);
  return 0;
}

static int
remove_row (ferry_engine_t *e, const struct ferry_container *c, int volumes, ferry_error_t *err)
{
  cleanup_stmt sqlite3_stmt *st = NULL;
  json_object *mounts = ferry_json_get_array (c->record, "Mounts");
  size_t i;

  if (ferry_db_begin (e->db, err) < 0)
    return -1;
  st = ferry_db_prepare (e->db, "DELETE FROM containers WHERE id = ?", err);
  if (st == NULL)
    goto fail;
  sqlite3_bind_text (st, 1, c->id, -1, SQLITE_STATIC);
  if (sqlite3_step (st) != SQLITE_DONE)
    {
      ferry_db_error (e->db, err, "cannot remove container");
      goto fail;
    }
  if (record_removed_exit_code (e, c, err) < 0)
    goto fail;
  if (ferry_db_commit (e->db, err) < 0)
    goto fail;
  /* Anonymous volumes go with the container on request, as with podman rm -v.  */
  for (i = 0; volumes && i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      json_object *anon;
      cleanup_error ferry_error_t verr = NULL;

      if (json_object_object_get_ex (m, "Anonymous", &anon) && json_object_get_boolean (anon))
        ferry_volume_remove (e->db, e->root, ferry_json_get_string (m, "Name"), 0, &verr);
    }
  return 0;
fail:
  ferry_db_rollback (e->db);
  return -1;
}

/* --cidfile: the file goes with the container, as with Podman; only
 * while it still holds this container's ID (not another's written
 * since).  */
static void
remove_cidfile (const struct ferry_container *c)
{
  const char *path = ferry_json_get_string (c->record, "ContainerIDFile");
  cleanup_free char *text = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  size_t len = 0;

  if (path && ferry_read_file (path, &text, &len, &ignored) == 0 && len == strlen (c->id)
      && memcmp (text, c->id, len) == 0)
    unlink (path);
}

/* KEEP_EXIT_FILE leaves conmon's exit file for a `wait` that outlives the
 * container (--rm).  */
/* TIMEOUT: the seconds a running container gets between its stop signal
 * and SIGKILL when FORCE removes it (0: SIGKILL at once); REPORT may be
 * NULL.  */
static int
remove_locked (ferry_engine_t *e, struct ferry_container *c, int force, int timeout,
               struct ferry_stop_report *report, int volumes, int keep_exit_file, ferry_error_t *err)
{
  cleanup_free char *cdir = ferry_engine_container_dir (e, c->id);
  cleanup_free char *odir = ferry_engine_overlay_dir (e, c->id);
  cleanup_free char *exits = ferry_engine_exit_dir (e);
  cleanup_free char *exit_file = xasprintf ("%s/%s", exits, c->id);
  struct ferry_overlay ov;

  if (ferry_container_is_active (c))
    {
      if (! force)
        return ferry_make_error_kind (
            err, FERRY_ERROR_STATE,
            "cannot remove container %s as it is %s - running or paused containers cannot "
            "be removed without force: container state improper",
            c->id, ferry_container_status_name (c->status));
      if (stop_locked (e, c, timeout, report, 1, err) < 0)
        return -1;
    }
  ferry_container_teardown (e, c);
  ferry_container_teardown_network (e, c);
  ferry_exec_sessions_remove (e, c->id);
  if (remove_row (e, c, volumes, err) < 0)
    return -1;
  ferry_fault_point ("rm-row-removed");
  ferry_overlay_paths (odir, &ov);
  if (ferry_overlay_remove (&ov, err) < 0)
    {
      ferry_overlay_free (&ov);
      return -1;
    }
  ferry_overlay_free (&ov);
  ferry_container_mount_forget (e, c->id);
  if (! keep_exit_file)
    unlink (exit_file);
  remove_cidfile (c);
  ferry_container_event_record (e, c->id, c->record, "remove", c->exit_code);
  if (ferry_rm_rf (cdir, err) < 0)
    return -1;
  /* Its checkpoint in place may have been what kept a tmpfs volume
   * mounted.  */
  ferry_volume_mounts_release (e, c);
  return 0;
}

int
ferry_container_remove_locked (ferry_engine_t *e, struct ferry_container *c, int force, int volumes,
                               int keep_exit_file, ferry_error_t *err)
{
  return remove_locked (e, c, force, 0, NULL, volumes, keep_exit_file, err);
}

int
ferry_container_remove_stopping (ferry_engine_t *e, const char *ref, int timeout, int volumes,
                                 struct ferry_stop_report *report, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  int ret;

  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  /* stop_locked's -1 is the container's own timeout: a -1 here, as
   * Podman's rm -t -1, has no end.  */
  if (timeout == FERRY_STOP_TIMEOUT_OWN)
    timeout = -1;
  else if (timeout < 0)
    timeout = INT_MAX / 1000;
  ret = remove_locked (e, c, 1, timeout, report, volumes, 0, err);
  ferry_container_free (c);
  return ret;
}

int
ferry_container_remove (ferry_engine_t *e, const char *ref, int force, int volumes, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  int ret = -1;

  lock = ferry_container_find_locked (e, ref, &c, err);
  if (lock < 0)
    return -1;
  ret = ferry_container_remove_locked (e, c, force, volumes, 0, err);
  ferry_container_free (c);
  return ret;
}

/* Whether C's restart policy restarts it now that it exited by itself:
 * always and unless-stopped do (they differ only at boot), on-failure
 * after a non-zero code until its retries are spent; none after a user's
 * stop or kill, nor after a checkpoint.  */
static int
restart_wanted (const struct ferry_container *c)
{
  const char *policy = ferry_json_get_string (c->record, "RestartPolicy");
  int64_t retries = ferry_json_get_int (c->record, "RestartRetries", 0);

  if (policy == NULL || json_object_get_boolean (json_object_object_get (c->record, "StoppedByUser"))
      || ferry_container_is_checkpointed (c) || c->operation)
    return 0;
  if (strcmp (policy, "on-failure") == 0)
    return c->exit_code != 0 && (retries == 0 || ferry_json_get_int (c->record, "RestartCount", 0) < retries);
  return 1;
}

/* Counted once running, so that no one reads the new count with the old
 * run's state.  */
static int
restart_by_policy (ferry_engine_t *e, struct ferry_container *c, ferry_error_t *err)
{
  if (start_locked (e, c, NULL, err) < 0)
    return ferry_error_wrap (err, "restart policy of container %s", c->name);
  return set_restart_state (e, c, 0, ferry_json_get_int (c->record, "RestartCount", 0) + 1, err);
}

/* run --rmi: once the container removed itself, its image goes too,
 * unless another container uses it (or it went already: the run that
 * waited for the container may have been first).  */
static void
remove_image_after (ferry_engine_t *e, const struct ferry_container *c)
{
  cleanup_error ferry_error_t ignored = NULL;
  struct ferry_remove_report rep = { 0 };
  const char *image = ferry_json_get_string (c->record, "Image");

  if (! json_object_get_boolean (json_object_object_get (c->record, "RemoveImage")) || image == NULL
      || *image == '\0')
    return;
  if (ferry_store_remove (e->store, image, 0, &rep, &ignored) == 0)
    ferry_remove_report_free (&rep);
}

void
ferry_container_drop_exit_file (ferry_engine_t *e, const char *id)
{
  cleanup_free char *exits = NULL, *exit_file = NULL;
  cleanup_error ferry_error_t err = NULL;
  struct ferry_container *c = NULL;

  if (! ferry_id_is_full (id))
    return;
  if (ferry_container_find (e, id, &c, &err) == 0)
    {
      ferry_container_free (c);
      return;
    }
  exits = ferry_engine_exit_dir (e);
  exit_file = xasprintf ("%s/%s", exits, id);
  unlink (exit_file);
}

int
ferry_container_cleanup (ferry_engine_t *e, const char *ref, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_lock int lock = -1;
  int ret = 0;

  if (ferry_container_find (e, ref, &c, err) < 0)
    {
      if ((*err)->kind == FERRY_ERROR_NOT_FOUND)
        {
          ferry_error_release (err);
          /* Removed before this cleanup came (by run --rm that had its code
           * from the runtime): its exit file, written after, is no one's.  */
          ferry_container_drop_exit_file (e, ref);
          return 0;
        }
      return -1;
    }
  lock = ferry_container_lock (e, c->id, err);
  if (lock < 0)
    {
      ferry_container_free (c);
      return -1;
    }
  ferry_container_free (c);
  c = NULL;
  if (ferry_container_find (e, ref, &c, err) < 0)
    {
      if ((*err)->kind != FERRY_ERROR_NOT_FOUND)
        return -1;
      ferry_error_release (err);
      ferry_container_drop_exit_file (e, ref);
      return 0;
    }
  /* A start that failed tore down after itself and left "created".  */
  if (ferry_container_has_monitor (c))
    {
      if (! ferry_container_take_exit_file (e, c))
        {
          /* No exit file while a monitor lives: this cleanup belongs to an
           * earlier run (it lost the race for the lock to a new start or
           * restore, which removed that run's exit file).  */
          if (ferry_process_is_conmon (c->conmon_pid))
            {
              ferry_container_free (c);
              return 0;
            }
          mark_exited_without_code (c);
        }
      ferry_container_teardown (e, c);
      ret = ferry_container_save_exit (e, c, err);
      if (ret > 0)
        {
          ferry_container_event_record (e, c->id, c->record, "died", c->exit_code);
          tell_cleanup (e, c);
        }
      ret = ret < 0 ? -1 : 0;
      if (ret == 0 && json_object_get_boolean (json_object_object_get (c->record, "AutoRemove")))
        {
          ret = ferry_container_remove_locked (e, c, 0, 1, 1, err);
          if (ret == 0)
            remove_image_after (e, c);
        }
      else if (ret == 0 && restart_wanted (c))
        ret = restart_by_policy (e, c, err);
    }
  /* Another ferry's look at the container came first and found it
   * exited: removing it (--rm) or restarting it is still this cleanup's
   * to do.  */
  else if (c->status == FERRY_CONTAINER_EXITED)
    {
      ferry_container_teardown (e, c);
      if (json_object_get_boolean (json_object_object_get (c->record, "AutoRemove")))
        {
          ret = ferry_container_remove_locked (e, c, 0, 1, 1, err);
          if (ret == 0)
            remove_image_after (e, c);
        }
      else if (restart_wanted (c))
        ret = restart_by_policy (e, c, err);
    }
  ferry_container_free (c);
  return ret;
}

/* exec --privileged: every capability in the bounding set, and in the
 * effective and permitted ones of root (another user keeps the ones the
 * container gives it).  */
static void
exec_privileged (json_object *process, uid_t uid)
{
  static const char *const sets[] = { "bounding", "effective", "permitted" };
  json_object *caps = ferry_json_get_object (process, "capabilities");
  size_t n = uid == 0 ? 3 : 1;

  if (caps == NULL)
    {
      caps = json_object_new_object ();
      json_object_object_add (process, "capabilities", caps);
    }
  for (size_t i = 0; i < n; i++)
    {
      cleanup_strv char **all = ferry_spec_privileged_capabilities ();
      json_object *list = json_object_new_array ();

      for (size_t k = 0; all[k]; k++)
        json_object_array_add (list, json_object_new_string (all[k]));
      json_object_object_add (caps, sets[i], list);
    }
}

/* The groups C's --group-add names, resolved in C's root file system
 * ROOTFS, into *GIDS (malloc'ed, NULL for none); their number.  Podman's
 * exec without --user gives these alone, not the user's own groups that
 * the container's first process has too.  */
static size_t
exec_group_add (const struct ferry_container *c, const char *rootfs, gid_t **gids)
{
  cleanup_strv char **group_add = json_to_strv (ferry_json_get_array (c->record, "GroupAdd"));
  cleanup_error ferry_error_t ignored = NULL;
  size_t n = 0;

  *gids = NULL;
  if (group_add == NULL || group_add[0] == NULL)
    return 0;
  /* A group the container started with resolves now as it did then.  */
  if (ferry_spec_resolve_groups (rootfs, group_add, gids, &n, &ignored) < 0)
    {
      free (*gids);
      *gids = NULL;
      return 0;
    }
  return n;
}

/* exec -t in a container whose environment has no TERM: TERM=xterm, as
 * Podman sets it for a terminal of its own.  */
static void
exec_tty_term (json_object *env_json)
{
  for (size_t i = 0; i < ferry_json_array_length (env_json); i++)
    if (strncmp (json_object_get_string (json_object_array_get_idx (env_json, i)) ?: "", "TERM=", 5) == 0)
      return;
  json_object_array_add (env_json, json_object_new_string ("TERM=xterm"));
}

int
ferry_container_exec_in (ferry_engine_t *e, const struct ferry_container *c,
                         const struct ferry_exec_request *r, int *exit_code, ferry_error_t *err)
{
  cleanup_free char *bundle = NULL, *config_path = NULL, *home = NULL, *merged = NULL, *odir = NULL;
  cleanup_free gid_t *gids = NULL;
  cleanup_json json_object *spec = NULL, *env_json = NULL;
  cleanup_strv char **env = NULL;
  cleanup_free char *process_json = NULL;
  struct ferry_exec_options o = { 0 };
  json_object *process;
  size_t n_gids = 0;
  const struct ferry_runtime *rt = ferry_engine_runtime_of (e, c, err);

  if (rt == NULL)
    return -1;
  bundle = ferry_engine_bundle_dir (e, c->id);
  config_path = xasprintf ("%s/config.json", bundle);
  spec = ferry_json_parse_file (config_path, "the container's config.json", err);
  if (spec == NULL)
    return -1;
  process = json_object_object_get (spec, "process");
  env_json = json_object_get (ferry_json_get_array (process, "env"));
  if (env_json == NULL)
    env_json = json_object_new_array ();
  ferry_systemd_exec_env (c->record, env_json);
  /* Podman's exec says where a bad -e came from.  */
  if (ferry_container_env_apply (env_json, r->env_files, r->env, "parsing environment variables", err) < 0)
    return -1;
  if (r->tty)
    exec_tty_term (env_json);
  env = json_to_strv (env_json);
  o.args = r->args;
  o.env = env;
  o.cwd = r->workdir && *r->workdir ? r->workdir : ferry_json_get_string (process, "cwd");
  {
    json_object *user = json_object_object_get (process, "user");
    o.uid = ferry_json_get_int (user, "uid", 0);
    o.gid = ferry_json_get_int (user, "gid", 0);
  }
  odir = ferry_engine_overlay_dir (e, c->id);
  merged = xasprintf ("%s/merged", odir);
  if (r->user && *r->user)
    {
      if (ferry_spec_resolve_user (merged, r->user, &o.uid, &o.gid, &gids, &n_gids, &home, err) < 0)
        {
          /* Podman fails the exec session itself here, as for a container
           * that does not run (exit 255), not the command (126).  */
          if ((*err)->kind == FERRY_ERROR_COMMAND_NOT_EXECUTABLE)
            (*err)->kind = FERRY_ERROR_STATE;
          return -1;
        }
      o.additional_gids = gids;
      o.n_additional_gids = n_gids;
    }
  else
    {
      n_gids = exec_group_add (c, merged, &gids);
      o.additional_gids = gids;
      o.n_additional_gids = n_gids;
    }
  if (r->privileged)
    exec_privileged (process, o.uid);
  o.terminal = r->tty;
  o.detach = r->detach;
  o.keep_stdin = r->interactive;
  o.capture_output = r->capture_output;
  o.output_fd = r->output_fd;
  o.preserve_fds = r->preserve_fds;
  o.n_preserve_fds = r->n_preserve_fds;
  process_json = xstrdup (ferry_json_to_string (process, 0));
  o.process_template_json = process_json;
  if (r->session)
    return ferry_exec_session_launch (e, c, &o, r, err);
  return ferry_runtime_exec (rt, c->id, &o, exit_code, err);
}

int
ferry_container_exec (ferry_engine_t *e, const char *ref, const struct ferry_exec_request *r, int *exit_code,
                      ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  int ret = -1;

  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return -1;
  if (c->status != FERRY_CONTAINER_RUNNING)
    {
      ret = ferry_make_error_kind (
          err, FERRY_ERROR_STATE,
          "can only create exec sessions on running containers: container state improper");
      goto out;
    }
  ferry_container_event (e, c, "exec");
  ret = ferry_container_exec_in (e, c, r, exit_code, err);
  if (ret == 0 && ! r->detach && ! r->session)
    ferry_container_event_record (e, c->id, c->record, "exec_died", *exit_code);
out:
  ferry_container_free (c);
  return ret;
}

void
ferry_changes_drop_engine_paths (struct ferry_changes *ch)
{
  /* What the engine puts in every container, which `podman diff` leaves
   * out as well, of containers and images alike.  */
  static const char *const engine_paths[]
      = { "/dev",         "/etc/hostname", "/etc/hosts",  "/etc/resolv.conf",
          "/proc",        "/run",          "/run/notify", "/run/.containerenv",
          "/run/secrets", "/sys",          "/etc/mtab",   NULL };
  size_t i, k = 0;

  for (i = 0; i < ch->n; i++)
    {
      size_t j;

      for (j = 0; engine_paths[j] && strcmp (engine_paths[j], ch->items[i].path) != 0; j++)
        ;
      if (engine_paths[j])
        free (ch->items[i].path);
      else
        ch->items[k++] = ch->items[i];
    }
  ch->n = k;
}

int
ferry_container_diff (ferry_engine_t *e, const char *ref, struct ferry_changes *out, ferry_error_t *err)
{
  if (ferry_container_changes (e, ref, out, err) < 0)
    return -1;
  ferry_changes_drop_engine_paths (out);
  return 0;
}

int
ferry_container_changes (ferry_engine_t *e, const char *ref, struct ferry_changes *out, ferry_error_t *err)
{
  struct ferry_container *c = NULL;
  cleanup_free char *odir = NULL, *upper = NULL;
  cleanup_strv char **lowers = NULL;
  size_t n = 0;
  int ret = -1;

  if (ferry_container_lookup (e, ref, &c, err) < 0)
    return -1;
  odir = ferry_engine_overlay_dir (e, c->id);
  upper = xasprintf ("%s/upper", odir);
  lowers = ferry_container_lower_paths (e, c, &n, err);
  if (lowers != NULL)
    ret = ferry_changes_compute (upper, (const char *const *) lowers, n, out, err);
  ferry_container_free (c);
  return ret;
}
