/* ferry: live edits of a running container's /etc/hosts and
 * /etc/resolv.conf (etc_files.h).  */
#include "etc_files.h"
#include "network.h"
#include "internal.h"
#include "../network/dns.h"
#include "../util/cleanup.h"
#include "../util/hash.h"
#include "../util/fault.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The files are the container's to write as well: past this size one is
 * left as it is rather than read into memory.  */
#define ETC_FILE_MAX (1024 * 1024)

static const char *const ETC_FILES[] = { "hosts", "resolv.conf", NULL };

char **
ferry_etc_files_network_addresses (json_object *status, const char *name)
{
  json_object *ifs = ferry_json_get_object (ferry_json_get_object (status, name), "interfaces");
  char **v = xmalloc0 (sizeof (char *));

  if (ifs == NULL)
    return v;
  json_object_object_foreach (ifs, ifname, iface)
  {
    json_object *subnets = ferry_json_get_array (iface, "subnets");

    (void) ifname;
    for (size_t i = 0; i < ferry_json_array_length (subnets); i++)
      {
        const char *ipnet = ferry_json_get_string (json_object_array_get_idx (subnets, i), "ipnet");
        cleanup_free char *addr = NULL;
        char ip[FERRY_IP_TEXT_MAX];

        if (ipnet == NULL)
          continue;
        addr = xstrndup (ipnet, strcspn (ipnet, "/"));
        if (ferry_dns_ip_canonical (addr, ip) == 0)
          ferry_strv_add (&v, ip);
      }
  }
  return v;
}

/* The DNS servers (aardvark-dns) of network NAME in STATUS, canonical.  */
static char **
network_nameservers (json_object *status, const char *name)
{
  json_object *list = ferry_json_get_array (ferry_json_get_object (status, name), "dns_server_ips");
  char **v = xmalloc0 (sizeof (char *));

  for (size_t i = 0; i < ferry_json_array_length (list); i++)
    {
      char ip[FERRY_IP_TEXT_MAX];

      if (ferry_dns_ip_canonical (ferry_json_string_value (json_object_array_get_idx (list, i)), ip) == 0)
        ferry_strv_add (&v, ip);
    }
  return v;
}

/* Whether ferry writes FILE of C (not with --no-hosts, --dns none).  */
static int
writes_file (const struct ferry_container *c, const char *file)
{
  const char *key = strcmp (file, "hosts") == 0 ? "UseImageHosts" : "UseImageResolvConf";

  return ! json_object_get_boolean (json_object_object_get (c->record, key));
}

/* Reads ferry's FILE in DIRFD, never through a symlink.  0 with *TEXT
 * NULL when there is none, or none ferry should edit (not a regular
 * file, too large).  */
static int
read_own_file (int dirfd, const char *file, char **text, ferry_error_t *err)
{
  cleanup_close int fd = openat (dirfd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  cleanup_free char *buf = NULL;
  struct stat st;
  size_t used = 0;

  *text = NULL;
  if (fd < 0 && (errno == ENOENT || errno == ELOOP))
    return 0;
  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open the container's `%s`", file);
  if (fstat (fd, &st) < 0)
    return ferry_make_error (err, errno, "cannot stat the container's `%s`", file);
  if (! S_ISREG (st.st_mode) || st.st_size > ETC_FILE_MAX)
    return 0;
  buf = xmalloc (ETC_FILE_MAX + 1);
  for (;;)
    {
      ssize_t r = read (fd, buf + used, ETC_FILE_MAX + 1 - used);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return ferry_make_error (err, errno, "cannot read the container's `%s`", file);
      if (r == 0)
        break;
      used += (size_t) r;
      if (used > ETC_FILE_MAX)
        return 0;
    }
  buf[used] = '\0';
  *text = steal_pointer (&buf);
  return 0;
}

static int
pwrite_all (int fd, const char *data, size_t len, off_t offset)
{
  while (len > 0)
    {
      ssize_t w = pwrite (fd, data, len, offset);

      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      data += w;
      len -= (size_t) w;
      offset += w;
    }
  return 0;
}

/* Step 3 for FILE: FILE.next written over FILE's own inode (the one bound
 * into the container), FILE cut to its length, FILE.next removed.
 * Nothing to do without FILE.next.  */
static int
copy_staged (int dirfd, const char *file, ferry_error_t *err)
{
  cleanup_free char *staged = xasprintf ("%s.next", file);
  cleanup_free char *data = NULL;
  cleanup_close int fd = -1;
  struct stat st;
  size_t len, half;
  int r;

  r = openat (dirfd, staged, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (r < 0 && errno == ENOENT)
    return 0;
  if (r >= 0)
    close (r);
  if (ferry_read_file_at (dirfd, staged, &data, &len, err) < 0)
    return ferry_error_wrap (err, "cannot read the container's new `%s`", file);
  fd = openat (dirfd, file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0 || fstat (fd, &st) < 0 || ! S_ISREG (st.st_mode))
    {
      /* Gone or not ferry's regular file: nothing of ours to mend.  */
      unlinkat (dirfd, staged, 0);
      return 0;
    }
  /* Written from the start and only then cut, the file is never shorter
   * than the new content; a kill in between leaves FILE.next, which the
   * next command copies again.  The write is split at FERRY_FAULT's
   * point, which is where a kill leaves the file most torn.  */
  half = len / 2;
  if (pwrite_all (fd, data, half, 0) < 0)
    return ferry_make_error (err, errno, "cannot write the container's `%s`", file);
  ferry_fault_point ("etc-files-copying");
  if (pwrite_all (fd, data + half, len - half, (off_t) half) < 0 || ftruncate (fd, (off_t) len) < 0
      || fsync (fd) < 0)
    return ferry_make_error (err, errno, "cannot write the container's `%s`", file);
  if (unlinkat (dirfd, staged, 0) < 0 && errno != ENOENT)
    return ferry_make_error (err, errno, "cannot remove `%s`", staged);
  return 0;
}

static int
copy_all_staged (ferry_engine_t *e, const char *id, ferry_error_t *err)
{
  cleanup_free char *dir = NULL;
  cleanup_close int dirfd = -1;

  /* The database's word names the directory: checked like any.  */
  if (! ferry_id_is_full (id))
    return 0;
  dir = ferry_engine_container_dir (e, id);
  dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0 && errno == ENOENT)
    return 0; /* the container is gone, and its files with it */
  if (dirfd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", dir);
  for (size_t i = 0; ETC_FILES[i]; i++)
    if (copy_staged (dirfd, ETC_FILES[i], err) < 0)
      return -1;
  return 0;
}

void
ferry_etc_files_drop_staged (ferry_engine_t *e, const char *id)
{
  cleanup_free char *dir = ferry_engine_container_dir (e, id);
  cleanup_close int dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  for (size_t i = 0; dirfd >= 0 && ETC_FILES[i]; i++)
    {
      cleanup_free char *staged = xasprintf ("%s.next", ETC_FILES[i]);
      unlinkat (dirfd, staged, 0);
    }
}

/* Whether container ID has an operation record.  */
static bool
has_record (ferry_engine_t *e, const char *id)
{
  struct ferry_operation op = { 0 };
  cleanup_error ferry_error_t ignored = NULL;
  int found = ferry_operation_get (e, id, &op, &ignored);

  ferry_operation_release (&op);
  return found != 0;
}

/* The edit of C's files: ADD true puts ADDRESSES and NAMESERVERS in,
 * false takes them out.  OP, when not NULL, is a record begun already:
 * ended once the files are written (also when the edit fails before
 * the copy), unless THEN names the phase it goes on in, the caller's to
 * end (a disconnect, which tears the network down after).  */
static int
edit_files (ferry_engine_t *e, const struct ferry_container *c, struct ferry_operation *op, const char *then,
            int add, char **addresses, char **nameservers, ferry_error_t *err)
{
  cleanup_free char *dir = ferry_engine_container_dir (e, c->id);
  cleanup_close int dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const char *hostname = ferry_json_get_string (c->record, "Hostname");
  /* Both, even when they are one name, as Podman writes them.  */
  const char *names[] = { hostname ? hostname : c->name, c->name, NULL };
  struct ferry_operation own = { 0 };
  int staged = 0;

  if (dirfd < 0)
    return ferry_make_error (err, errno, "cannot open `%s`", dir);
  /* A NAME.next here with no record is an edit's that was killed before
   * its record: copied with this edit's, it would undo what came since.
   * (A recorded one is the settle's, which failed: left to it.)  */
  if (op || ! has_record (e, c->id))
    ferry_etc_files_drop_staged (e, c->id);
  for (size_t i = 0; ETC_FILES[i]; i++)
    {
      cleanup_free char *old = NULL, *new = NULL, *path = NULL;

      if (! writes_file (c, ETC_FILES[i]))
        continue;
      if (read_own_file (dirfd, ETC_FILES[i], &old, err) < 0)
        goto fail;
      if (old == NULL)
        continue;
      if (strcmp (ETC_FILES[i], "hosts") == 0)
        new = add ? ferry_etc_hosts_add_entries (old, addresses, names)
                  : ferry_etc_hosts_remove_entries (old, addresses, names);
      else
        new = add ? ferry_resolv_conf_edit (old, nameservers, NULL)
                  : ferry_resolv_conf_edit (old, NULL, nameservers);
      if (strcmp (old, new) == 0)
        continue;
      path = xasprintf ("%s/%s.next", dir, ETC_FILES[i]);
      if (ferry_write_file_atomic (path, new, strlen (new), 0644, err) < 0)
        goto fail;
      staged = 1;
      ferry_fault_point ("etc-files-one-staged");
    }
  if (! staged)
    {
      if (op == NULL)
        return 0;
      return then ? ferry_operation_advance (e, op, then, err) : ferry_operation_end (e, op, err);
    }
  if (op == NULL)
    {
      /* Not ours to end when it fails: the record may be another's.  */
      if (ferry_operation_begin (e, &own, c->id, FERRY_OPERATION_ETC_FILES, "copy", NULL, err) < 0)
        {
          ferry_etc_files_drop_staged (e, c->id);
          ferry_operation_release (&own);
          return -1;
        }
      op = &own;
    }
  else if (ferry_operation_advance (e, op, "copy", err) < 0)
    goto fail;
  /* From here a failure leaves the record and the new content for the
   * next command to copy.  */
  ferry_fault_point ("etc-files-staged");
  if (copy_all_staged (e, c->id, err) < 0)
    {
      ferry_operation_release (&own);
      return -1;
    }
  {
    int ret = then ? ferry_operation_advance (e, op, then, err) : ferry_operation_end (e, op, err);
    ferry_operation_release (&own);
    return ret;
  }

fail:
  {
    cleanup_error ferry_error_t ignored = NULL;

    ferry_etc_files_drop_staged (e, c->id);
    if (op && then == NULL)
      ferry_operation_end (e, op, &ignored);
    ferry_operation_release (&own);
    return -1;
  }
}

int
ferry_etc_files_connected (ferry_engine_t *e, const struct ferry_container *c, struct ferry_operation *op,
                           const char *name, json_object *status, ferry_error_t *err)
{
  cleanup_strv char **addresses = ferry_etc_files_network_addresses (status, name);
  cleanup_strv char **nameservers = network_nameservers (status, name);

  return edit_files (e, c, op, NULL, 1, addresses, nameservers, err);
}

int
ferry_etc_files_disconnecting (ferry_engine_t *e, const struct ferry_container *c, struct ferry_operation *op,
                               const char *name, json_object *status, ferry_error_t *err)
{
  cleanup_strv char **addresses = ferry_etc_files_network_addresses (status, name);
  cleanup_strv char **nameservers = network_nameservers (status, name);

  return edit_files (e, c, op, "teardown", 0, addresses, nameservers, err);
}

/* A connect killed after it began: its network set up when recorded but
 * not set up yet (or taken out when that fails), then the lines of the
 * network added when netavark's report has it and C still runs on it.  */
static int
settle_connect (ferry_engine_t *e, struct ferry_operation *op, ferry_error_t *err)
{
  const char *name = ferry_json_get_string (op->detail, "network");
  struct ferry_container *c = NULL;
  cleanup_free char *path = NULL;
  cleanup_json json_object *status = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  int ret;

  if (name == NULL || ferry_container_find (e, op->container_id, &c, &ignored) < 0)
    return ferry_operation_end (e, op, err);
  ferry_network_connect_finish (e, c, name);
  path = ferry_container_network_status_path (e, c->id);
  status = ferry_json_parse_file (path, "network status", &ignored);
  if (ferry_container_is_active (c) && status && json_object_object_get_ex (status, name, NULL)
      && json_object_object_get_ex (ferry_json_get_object (c->record, "Networks"), name, NULL))
    ret = ferry_etc_files_connected (e, c, op, name, status, err);
  else
    ret = ferry_operation_end (e, op, err);
  ferry_container_free (c);
  return ret;
}

/* A disconnect killed after it began, always finished forward (see
 * ferry_network_disconnect_finish): its staged content copied when it
 * was recorded as such, or dropped when it was not (the edit is done
 * again), then the network's lines out of the files, its interface torn
 * down and C taken off it in the record.  */
static int
settle_disconnect (ferry_engine_t *e, struct ferry_operation *op, ferry_error_t *err)
{
  const char *name = ferry_json_get_string (op->detail, "network");
  struct ferry_container *c = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  int ret;

  if (strcmp (op->phase, "copy") == 0)
    {
      if (copy_all_staged (e, op->container_id, err) < 0)
        return -1;
    }
  else
    ferry_etc_files_drop_staged (e, op->container_id);
  if (name == NULL || ferry_container_find (e, op->container_id, &c, &ignored) < 0)
    return ferry_operation_end (e, op, err);
  ret = ferry_network_disconnect_finish (e, c, op, name, err);
  ferry_container_free (c);
  return ret;
}

int
ferry_etc_files_settle (ferry_engine_t *e, struct ferry_operation *op, ferry_error_t *err)
{
  const char *action = ferry_json_get_string (op->detail, "action");

  if (op->phase && strcmp (op->phase, "connect") == 0)
    return settle_connect (e, op, err);
  if (action && strcmp (action, "disconnect") == 0)
    return settle_disconnect (e, op, err);
  if (copy_all_staged (e, op->container_id, err) < 0)
    return -1;
  return ferry_operation_end (e, op, err);
}
