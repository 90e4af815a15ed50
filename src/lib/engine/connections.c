/* ferry: Podman's system connections (connections.h).  */
#include "connections.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* More than any list of connections needs.  */
#define CONNECTIONS_FILE_MAX (1 << 20)
#define CONNECTION_NAME_MAX 128

struct ferry_connections
{
  char *path;
  int lock_fd;             /* -1: read only */
  json_object *root;       /* the whole file */
  json_object *connection; /* root's "Connection" */
  json_object *entries;    /* its "Connections" */
};

static char *
connections_path (void)
{
  const char *env = getenv ("PODMAN_CONNECTIONS_CONF");
  const char *xdg = getenv ("XDG_CONFIG_HOME");
  const char *home = getenv ("HOME");

  if (env && *env)
    return xstrdup (env);
  if (xdg && xdg[0] == '/')
    return xasprintf ("%s/containers/podman-connections.json", xdg);
  return xasprintf ("%s/.config/containers/podman-connections.json", home && home[0] == '/' ? home : "/root");
}

bool
ferry_connection_name_is_valid (const char *name)
{
  size_t n = strlen (name);

  return n > 0 && n <= CONNECTION_NAME_MAX && name[0] != '.' && name[0] != '-'
         && strspn (name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* The file is Podman's as much as ours, so anything read from it is
 * checked: objects where objects belong, strings where strings.  */
static int
check_entries (ferry_connections_t *c, ferry_error_t *err)
{
  json_object *def;

  if (! json_object_is_type (c->root, json_type_object))
    return ferry_make_error (err, 0,
                             "parse \"%s\": json: cannot unmarshal %s into Go value of type "
                             "config.ConnectionsFile: fix or remove it",
                             c->path, ferry_json_go_kind (c->root));
  c->connection = json_object_object_get (c->root, "Connection");
  if (c->connection == NULL)
    {
      c->connection = json_object_new_object ();
      json_object_object_add (c->root, "Connection", c->connection);
    }
  if (! json_object_is_type (c->connection, json_type_object))
    return ferry_make_error (err, 0, "%s: \"Connection\" is not an object: fix or remove it", c->path);
  def = json_object_object_get (c->connection, "Default");
  if (def && ! json_object_is_type (def, json_type_string))
    return ferry_make_error (err, 0, "%s: \"Default\" is not a string: fix or remove it", c->path);
  c->entries = json_object_object_get (c->connection, "Connections");
  if (c->entries == NULL)
    {
      c->entries = json_object_new_object ();
      json_object_object_add (c->connection, "Connections", c->entries);
    }
  if (! json_object_is_type (c->entries, json_type_object))
    return ferry_make_error (err, 0, "%s: \"Connections\" is not an object: fix or remove it", c->path);
  json_object_object_foreach (c->entries, name, entry)
  {
    json_object *uri = json_object_object_get (entry, "URI");
    json_object *identity = json_object_object_get (entry, "Identity");

    if (! json_object_is_type (entry, json_type_object) || ! json_object_is_type (uri, json_type_string)
        || (identity && ! json_object_is_type (identity, json_type_string)))
      return ferry_make_error (err, 0,
                               "%s: connection \"%s\" is not an object with a URI string: fix or remove it",
                               c->path, name);
  }
  return 0;
}

/* Podman's lock: a write lock on the whole of PATH.lock.  */
static int
lock_file (const char *path, ferry_error_t *err)
{
  cleanup_free char *lock_path = xasprintf ("%s.lock", path);
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  int fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot open %s", lock_path);
  while (fcntl (fd, F_OFD_SETLKW, &fl) < 0)
    if (errno != EINTR)
      {
        int e = errno;

        close (fd);
        return ferry_make_error (err, e, "cannot lock %s", lock_path);
      }
  return fd;
}

int
ferry_connections_open (bool write, ferry_connections_t **out, ferry_error_t *err)
{
  ferry_connections_t *c = xmalloc0 (sizeof (*c));
  cleanup_free char *text = NULL, *dir = NULL;
  struct stat st;
  size_t len;

  c->path = connections_path ();
  c->lock_fd = -1;
  if (write)
    {
      dir = xstrdup (c->path);
      *strrchr (dir, '/') = '\0';
      if (ferry_mkdir_p (dir, 0700, err) < 0 || (c->lock_fd = lock_file (c->path, err)) < 0)
        goto fail;
    }
  if (stat (c->path, &st) < 0)
    {
      if (errno != ENOENT)
        {
          ferry_make_error (err, errno, "cannot read %s", c->path);
          goto fail;
        }
      c->root = json_object_new_object ();
    }
  else
    {
      if (! S_ISREG (st.st_mode) || st.st_size > CONNECTIONS_FILE_MAX)
        {
          ferry_make_error (err, 0, "%s is not a file of at most 1 MiB: fix or remove it", c->path);
          goto fail;
        }
      if (ferry_read_file (c->path, &text, &len, err) < 0)
        goto fail;
      if (ferry_json_parse_nullable (text, len, c->path, &c->root, err) < 0)
        goto fail;
      /* Podman reads a null file as one with no connections.  */
      if (c->root == NULL)
        c->root = json_object_new_object ();
    }
  if (check_entries (c, err) < 0)
    goto fail;
  *out = c;
  return 0;

fail:
  ferry_connections_close (c);
  return -1;
}

/* Whether ENTRIES is in the tree (remove_all leaves a fresh, detached one
 * until there is something to put in it).  */
static bool
entries_attached (ferry_connections_t *c)
{
  return c->connection && json_object_object_get (c->connection, "Connections") == c->entries;
}

void
ferry_connections_close (ferry_connections_t *c)
{
  if (c == NULL)
    return;
  if (c->entries && ! entries_attached (c))
    json_object_put (c->entries);
  if (c->lock_fd >= 0)
    close (c->lock_fd);
  if (c->root)
    json_object_put (c->root);
  free (c->path);
  free (c);
}

static const char *
default_name (ferry_connections_t *c)
{
  return ferry_json_get_string (c->connection, "Default");
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (((const struct ferry_connection *) a)->name, ((const struct ferry_connection *) b)->name);
}

int
ferry_connections_list (ferry_connections_t *c, struct ferry_connection **out, size_t *n, ferry_error_t *err)
{
  const char *def = default_name (c);
  struct ferry_connection *v = xmalloc0 (sizeof (*v) * ((size_t) json_object_object_length (c->entries) + 1));
  size_t i = 0;

  (void) err;
  json_object_object_foreach (c->entries, name, entry)
  {
    const char *identity = ferry_json_get_string (entry, "Identity");

    v[i].name = xstrdup (name);
    v[i].uri = xstrdup (ferry_json_get_string (entry, "URI"));
    v[i].identity = identity && *identity ? xstrdup (identity) : NULL;
    v[i].is_default = def && strcmp (def, name) == 0;
    i++;
  }
  qsort (v, i, sizeof (*v), compare_names);
  *out = v;
  *n = i;
  return 0;
}

void
ferry_connections_free (struct ferry_connection *v, size_t n)
{
  for (size_t i = 0; v && i < n; i++)
    {
      free (v[i].name);
      free (v[i].uri);
      free (v[i].identity);
    }
  free (v);
}

char *
ferry_connection_uri (const char *destination, int port, const char *socket_path, ferry_error_t *err)
{
  const char *p = destination, *slash;
  cleanup_free char *authority = NULL, *url = NULL;
  struct ferry_ssh_dest d;
  char *uri;

  if (strncmp (p, "ssh://", 6) == 0)
    p += 6;
  else if (strstr (p, "://"))
    {
      ferry_make_error (err, 0,
                        "invalid destination `%s`: ferry reaches other hosts through ssh only; give "
                        "[ssh://][USER@]HOST[:PORT][/PATH]",
                        destination);
      return NULL;
    }
  if (socket_path && socket_path[0] != '/')
    {
      ferry_make_error (err, 0, "invalid --socket-path `%s`: give an absolute path", socket_path);
      return NULL;
    }
  slash = strchr (p, '/');
  authority = slash ? xstrndup (p, (size_t) (slash - p)) : xstrdup (p);
  url = xasprintf ("ssh://%s", authority);
  if (ferry_ssh_dest_parse (url, &d, err) < 0)
    return NULL;
  if (socket_path == NULL && slash && slash[1])
    socket_path = slash;
  {
    bool v6 = strchr (d.host, ':') != NULL;
    cleanup_free char *port_text = d.port ? xstrdup (d.port) : xasprintf ("%d", port > 0 ? port : 22);

    uri = xasprintf ("ssh://%s%s%s%s%s:%s%s", d.user ? d.user : "", d.user ? "@" : "", v6 ? "[" : "", d.host,
                     v6 ? "]" : "", port_text, socket_path ? socket_path : "");
  }
  ferry_ssh_dest_release (&d);
  return uri;
}

int
ferry_connections_add (ferry_connections_t *c, const char *name, const char *uri, const char *identity,
                       bool make_default, ferry_error_t *err)
{
  json_object *entry = json_object_new_object ();

  if (! ferry_connection_name_is_valid (name))
    {
      json_object_put (entry);
      return ferry_make_error (err, 0,
                               "invalid connection name `%s`: use letters, digits, `_`, `.` and `-`, not "
                               "first, at most %d",
                               name, CONNECTION_NAME_MAX);
    }
  json_object_object_add (entry, "URI", json_object_new_string (uri));
  if (identity && *identity)
    json_object_object_add (entry, "Identity", json_object_new_string (identity));
  json_object_object_add (c->entries, name, entry);
  if (make_default || default_name (c) == NULL || *default_name (c) == '\0')
    json_object_object_add (c->connection, "Default", json_object_new_string (name));
  return 0;
}

int
ferry_connections_remove (ferry_connections_t *c, const char *name)
{
  const char *def = default_name (c);

  if (json_object_object_get_ex (c->entries, name, NULL) == 0)
    return 0;
  if (def && strcmp (def, name) == 0)
    json_object_object_del (c->connection, "Default");
  json_object_object_del (c->entries, name);
  return 1;
}

void
ferry_connections_remove_all (ferry_connections_t *c)
{
  /* As Podman leaves it: {"Connection": {}, ...}.  */
  if (! entries_attached (c))
    json_object_put (c->entries);
  json_object_object_del (c->root, "Connection");
  c->connection = json_object_new_object ();
  json_object_object_add (c->root, "Connection", c->connection);
  c->entries = json_object_new_object ();
}

static int
not_defined (const char *name, ferry_error_t *err)
{
  return ferry_make_error (err, 0,
                           "\"%s\" destination is not defined. See \"ferry system connection add ...\" to "
                           "create a connection",
                           name);
}

int
ferry_connections_rename (ferry_connections_t *c, const char *from, const char *to, ferry_error_t *err)
{
  json_object *entry = json_object_object_get (c->entries, from);
  const char *def = default_name (c);
  bool was_default = def && strcmp (def, from) == 0;

  if (entry == NULL)
    return not_defined (from, err);
  if (! ferry_connection_name_is_valid (to))
    return ferry_make_error (
        err, 0, "invalid connection name `%s`: use letters, digits, `_`, `.` and `-`, not first", to);
  if (strcmp (from, to) == 0)
    return 0;
  json_object_get (entry);
  json_object_object_del (c->entries, from);
  json_object_object_add (c->entries, to, entry);
  if (was_default)
    json_object_object_add (c->connection, "Default", json_object_new_string (to));
  return 0;
}

int
ferry_connections_set_default (ferry_connections_t *c, const char *name, ferry_error_t *err)
{
  if (json_object_object_get (c->entries, name) == NULL)
    return not_defined (name, err);
  json_object_object_add (c->connection, "Default", json_object_new_string (name));
  return 0;
}

int
ferry_connections_save (ferry_connections_t *c, ferry_error_t *err)
{
  const char *text;

  if (json_object_object_length (c->entries) > 0 && ! entries_attached (c))
    json_object_object_add (c->connection, "Connections", c->entries);
  text = json_object_to_json_string_ext (c->root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  return ferry_write_file_atomic (c->path, text, strlen (text), 0600, err);
}

/* The user, host and port of a recorded ssh:// URI (its path, a socket
 * for Podman's service, is not ferry's business).  */
static int
uri_ssh_dest (const char *uri, struct ferry_ssh_dest *d, ferry_error_t *err)
{
  const char *p = uri + 6, *slash = strchr (p, '/');
  cleanup_free char *url = xasprintf ("ssh://%.*s", (int) (slash ? (size_t) (slash - p) : strlen (p)), p);

  return ferry_ssh_dest_parse (url, d, err);
}

int
ferry_connection_ssh_dest (const char *name, struct ferry_ssh_dest *d, ferry_error_t *err)
{
  ferry_connections_t *c = NULL;
  json_object *entry;
  const char *uri, *identity;
  int ret = -1;

  if (! ferry_connection_name_is_valid (name))
    return 0;
  if (ferry_connections_open (false, &c, err) < 0)
    return -1;
  entry = json_object_object_get (c->entries, name);
  if (entry == NULL)
    {
      ret = 0;
      goto out;
    }
  uri = ferry_json_get_string (entry, "URI");
  identity = ferry_json_get_string (entry, "Identity");
  if (strncmp (uri, "ssh://", 6) != 0)
    {
      ferry_make_error (err, 0, "connection %s is `%s`: ferry reaches other hosts through ssh only", name,
                        uri);
      goto out;
    }
  if (uri_ssh_dest (uri, d, err) < 0)
    {
      ferry_error_wrap (err, "connection %s", name);
      goto out;
    }
  if (identity && *identity)
    {
      if (identity[0] != '/')
        {
          ferry_ssh_dest_release (d);
          ferry_make_error (err, 0, "connection %s: identity `%s` is not an absolute path", name, identity);
          goto out;
        }
      d->identity = xstrdup (identity);
    }
  ret = 1;

out:
  ferry_connections_close (c);
  return ret;
}

int
ferry_connection_probe (const char *uri, const char *identity, ferry_error_t *err)
{
  static const char *const options[] = { "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", NULL };
  static const char *const args[] = { "version", NULL };
  cleanup_free char *command = NULL, *why = NULL;
  cleanup_strv char **argv = NULL;
  struct ferry_ssh_dest d;
  struct ferry_ssh_link l;
  int status;

  if (uri_ssh_dest (uri, &d, err) < 0)
    return -1;
  d.identity = identity ? xstrdup (identity) : NULL;
  command = ferry_ssh_ferry_command (NULL, NULL, (const char *const *) args);
  argv = ferry_ssh_argv (&d, options, command);
  ferry_ssh_dest_release (&d);
  if (ferry_ssh_link_start (&l, argv, -1, -1, err) < 0)
    return -1;
  while ((why = ferry_ssh_link_read_line (&l, 60000)) != NULL)
    free (why);
  status = ferry_ssh_link_finish (&l, 60000);
  if (status >= 0 && WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  why = ferry_ssh_link_stderr_line (&l);
  return ferry_make_error (err, 0, "failed to connect to %s: %s", uri + 6,
                           why ? why : "ssh or ferry there did not answer");
}
