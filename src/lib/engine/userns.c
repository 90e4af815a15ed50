/* ferry: a container's user namespace (userns.h).  */
#include "userns.h"
#include "engine.h"
#include "../runtime/spec.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <dirent.h>
#include <ftw.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define USERNS_ANNOTATION "io.podman.annotations.userns"
#define OVERFLOW_ID 65534

/* ---- mappings ------------------------------------------------------------ */

static int
parse_u32 (const char *s, uint32_t *out)
{
  char *end;
  unsigned long long v;

  if (*s == '\0' || ! isdigit ((unsigned char) *s))
    return -1;
  errno = 0;
  v = strtoull (s, &end, 10);
  if (errno || *end || v > UINT32_MAX)
    return -1;
  *out = (uint32_t) v;
  return 0;
}

/* Whether the ranges of M (N entries) overlap on either side or leave 32
 * bits: the kernel refuses those.  */
static const char *
maps_problem (const struct ferry_idmap *m, size_t n)
{
  if (n == 0)
    return "holds no mapping";
  if (n > FERRY_IDMAP_MAX)
    return "holds more mappings than the kernel takes";
  for (size_t i = 0; i < n; i++)
    {
      if (m[i].size == 0)
        return "holds a mapping of size 0";
      if ((uint64_t) m[i].container + m[i].size > UINT32_MAX || (uint64_t) m[i].host + m[i].size > UINT32_MAX)
        return "holds a mapping past the last ID (4294967294)";
      for (size_t j = 0; j < i; j++)
        {
          if (m[i].container < m[j].container + m[j].size && m[j].container < m[i].container + m[i].size)
            return "holds mappings whose container IDs overlap";
          if (m[i].host < m[j].host + m[j].size && m[j].host < m[i].host + m[i].size)
            return "holds mappings whose host IDs overlap";
        }
    }
  return NULL;
}

/* One "[+]CONTAINER:HOST[:SIZE]" of --uidmap or --gidmap, as Podman reads
 * it as root (the "+" changes nothing there; "@" it refuses).  Size 0
 * entries are left out (*KEEP 0), as Podman leaves them.  */
static int
parse_map_arg (const char *arg, struct ferry_idmap *out, int *keep, ferry_error_t *err)
{
  cleanup_free char *copy = xstrdup (arg);
  char *fields[3] = { NULL, NULL, NULL }, *p = copy, *first;
  size_t n = 0;

  while (n < 3)
    {
      fields[n++] = p;
      p = strchr (p, ':');
      if (p == NULL)
        break;
      *p++ = '\0';
    }
  if (p != NULL || n < 2)
    return ferry_make_error (err, 0, "invalid mapping \"%s\": give CONTAINER:HOST[:SIZE]", arg);
  first = fields[0];
  if (*first == '+')
    first++;
  else if (*first != '\0' && ! isdigit ((unsigned char) *first))
    return ferry_make_error (err, 0, "invalid mapping: [%s %s%s%s]. Unknown flag %d", fields[0], fields[1],
                             fields[2] ? " " : "", fields[2] ? fields[2] : "", (int) (unsigned char) *first);
  for (size_t i = 0; i < n; i++)
    {
      const char *f = i == 0 ? first : fields[i];
      uint32_t *dest = i == 0 ? &out->container : i == 1 ? &out->host : &out->size;
      if (parse_u32 (f, dest) < 0)
        return ferry_make_error (err, 0, "strconv.ParseUint: parsing \"%s\": invalid syntax", f);
    }
  if (n == 2)
    out->size = 1;
  *keep = out->size > 0;
  return 0;
}

static json_object *
maps_to_json (const struct ferry_idmap *m, size_t n)
{
  json_object *a = json_object_new_array ();

  for (size_t i = 0; i < n; i++)
    {
      char s[64];
      snprintf (s, sizeof (s), "%" PRIu32 ":%" PRIu32 ":%" PRIu32, m[i].container, m[i].host, m[i].size);
      json_object_array_add (a, json_object_new_string (s));
    }
  return a;
}

int
ferry_idmap_parse_list (json_object *v, struct ferry_idmap **out, size_t *n, const char **why)
{
  cleanup_free struct ferry_idmap *m = NULL;
  size_t len;

  *out = NULL;
  *n = 0;
  if (! json_object_is_type (v, json_type_array))
    {
      *why = "must be a list of CONTAINER:HOST:SIZE";
      return -1;
    }
  len = json_object_array_length (v);
  if (len == 0 || len > FERRY_IDMAP_MAX)
    {
      *why = len ? "holds more mappings than the kernel takes" : "holds no mapping";
      return -1;
    }
  m = xmalloc0 (sizeof (*m) * len);
  for (size_t i = 0; i < len; i++)
    {
      const char *s = ferry_json_string_value (json_object_array_get_idx (v, i));
      char a[16], b[16], c[16], extra;

      if (s == NULL || strlen (s) > 40 || sscanf (s, "%15[0-9]:%15[0-9]:%15[0-9]%c", a, b, c, &extra) != 3
          || parse_u32 (a, &m[i].container) < 0 || parse_u32 (b, &m[i].host) < 0
          || parse_u32 (c, &m[i].size) < 0)
        {
          *why = "must be a list of CONTAINER:HOST:SIZE";
          return -1;
        }
    }
  *why = maps_problem (m, len);
  if (*why)
    return -1;
  *out = m;
  m = NULL;
  *n = len;
  return 0;
}

/* The ranges NAME has in FILE (/etc/subuid or /etc/subgid), mapped from
 * container ID 0 on: 0 with *N 0 when there are none.  */
static int
read_subids (const char *file, const char *name, struct ferry_idmap **out, size_t *n, ferry_error_t *err)
{
  cleanup_fclose FILE *f = fopen (file, "re");
  cleanup_free char *line = NULL;
  size_t cap = 0, len = strlen (name);
  uint64_t next = 0;

  *out = NULL;
  *n = 0;
  /* Podman's words when the file is missing.  */
  if (f == NULL)
    return ferry_make_error (err, errno, "cannot read subids from `%s`", file);
  while (getline (&line, &cap, f) > 0)
    {
      char start[16], count[16];
      struct ferry_idmap m;

      line[strcspn (line, "\n")] = '\0';
      if (strncmp (line, name, len) != 0 || line[len] != ':'
          || sscanf (line + len + 1, "%15[0-9]:%15[0-9]", start, count) != 2 || parse_u32 (start, &m.host) < 0
          || parse_u32 (count, &m.size) < 0 || m.size == 0 || next + m.size > UINT32_MAX
          || *n >= FERRY_IDMAP_MAX)
        continue;
      m.container = (uint32_t) next;
      next += m.size;
      *out = xrealloc (*out, sizeof (**out) * (*n + 1));
      (*out)[(*n)++] = m;
    }
  return 0;
}

static int
subids_map (const char *file, const char *kind, const char *name, json_object **out, ferry_error_t *err)
{
  cleanup_free struct ferry_idmap *m = NULL;
  size_t n = 0;
  const char *why;

  if (read_subids (file, name, &m, &n, err) < 0)
    return -1;
  if (n == 0)
    return ferry_make_error (err, 0, "no %s ranges found for user \"%s\" in %s", kind, name, file);
  why = maps_problem (m, n);
  if (why)
    return ferry_make_error (err, 0, "the %s ranges of user \"%s\" in %s: %s", kind, name, file, why);
  *out = maps_to_json (m, n);
  return 0;
}

static int
args_map (char **args, const char *flag, json_object **out, ferry_error_t *err)
{
  cleanup_free struct ferry_idmap *m = NULL;
  size_t n = 0, len = 0;
  const char *why;

  for (char **a = args; a && *a; a++)
    len++;
  m = xmalloc0 (sizeof (*m) * (len + 1));
  for (size_t i = 0; i < len; i++)
    {
      int keep = 0;
      if (parse_map_arg (args[i], &m[n], &keep, err) < 0)
        return -1;
      n += keep;
    }
  if (n == 0)
    {
      *out = NULL;
      return 0;
    }
  why = maps_problem (m, n);
  if (why)
    return ferry_make_error (err, 0, "%s %s: give ranges that neither overlap nor pass ID 4294967294", flag,
                             why + strlen ("holds "));
  *out = maps_to_json (m, n);
  return 0;
}

static int record_maps (json_object *rec, struct ferry_idmap **uids, size_t *nu, struct ferry_idmap **gids,
                        size_t *ng);

/* ---- --userns auto ------------------------------------------------------ */

#define AUTO_USER "containers"
#define AUTO_MIN_SIZE 1024
#define AUTO_MAX_SIZE 65536

struct id_ranges
{
  struct ferry_idmap *m; /* host, size used; container unused */
  size_t n;
};

static void
ranges_add (struct id_ranges *r, uint32_t host, uint32_t size)
{
  r->m = xrealloc (r->m, sizeof (*r->m) * (r->n + 1));
  r->m[r->n++] = (struct ferry_idmap){ .container = 0, .host = host, .size = size };
}

/* The host IDs every container of the root maps, uid or gid side.  */
static int
used_ids (ferry_engine_t *e, struct id_ranges *uids, struct id_ranges *gids, ferry_error_t *err)
{
  struct ferry_container **list = NULL;
  size_t n = 0;

  if (ferry_container_list (e, &list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free struct ferry_idmap *u = NULL;
      cleanup_free struct ferry_idmap *g = NULL;
      size_t nu = 0, ng = 0;

      if (record_maps (list[i]->record, &u, &nu, &g, &ng) <= 0)
        continue;
      for (size_t j = 0; j < nu; j++)
        ranges_add (uids, u[j].host, u[j].size);
      for (size_t j = 0; j < ng; j++)
        ranges_add (gids, g[j].host, g[j].size);
    }
  ferry_containers_free (list, n);
  return 0;
}

/* The first SIZE consecutive IDs of AVAIL that no range of USED holds.  */
static int
first_free (const struct ferry_idmap *avail, size_t n_avail, const struct id_ranges *used, uint32_t size,
            uint32_t *out)
{
  for (size_t i = 0; i < n_avail; i++)
    {
      uint64_t start = avail[i].host, end = (uint64_t) avail[i].host + avail[i].size;

      while (start + size <= end)
        {
          int moved = 0;
          for (size_t j = 0; j < used->n; j++)
            {
              uint64_t us = used->m[j].host, ue = us + used->m[j].size;
              if (us < start + size && start < ue)
                {
                  start = ue;
                  moved = 1;
                }
            }
          if (! moved)
            {
              *out = (uint32_t) start;
              return 0;
            }
        }
    }
  return -1;
}

/* The highest user or group ID a file of LAYERS, or a line of their
 * /etc/passwd and /etc/group, names.  */
static uint32_t max_seen;

static int
note_owner (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void) path, (void) flag, (void) ftw;
  if (st->st_uid > max_seen)
    max_seen = st->st_uid;
  if (st->st_gid > max_seen)
    max_seen = st->st_gid;
  return 0;
}

/* The IDs LAYER's NAME (etc/passwd or etc/group) names, read as the
 * user lookup reads a container's: resolved below the layer, so that its
 * symlinks never lead to a host file (a FIFO that holds create for good,
 * /dev/zero read as one endless line), a regular file of 16 MiB at most.
 * The layer comes with the image, from anywhere.  */
static void
note_db_ids (const char *layer, const char *name)
{
  cleanup_error ferry_error_t ignored = NULL;
  cleanup_free char *text = NULL;
  char *line, *save = NULL;

  if (ferry_spec_read_root_file (layer, name, &text, &ignored) < 0 || text == NULL)
    return;
  for (line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      /* name:x:ID:... (passwd: uid then gid; group: gid); the overflow
       * user and group count for nothing, as with Podman.  */
      char *p = line;

      if (strncmp (line, "nobody:", 7) == 0 || strncmp (line, "nogroup:", 8) == 0)
        continue;
      for (int field = 0; field < 4 && p; field++)
        {
          if (field >= 2 && isdigit ((unsigned char) *p))
            {
              unsigned long v = strtoul (p, NULL, 10);
              if (v < AUTO_MAX_SIZE && v > max_seen)
                max_seen = (uint32_t) v;
            }
          p = strchr (p, ':');
          if (p)
            p++;
        }
    }
}

static uint32_t
image_size (char *const *layers)
{
  max_seen = 0;
  for (size_t i = 0; layers && layers[i]; i++)
    {
      nftw (layers[i], note_owner, 16, FTW_PHYS | FTW_MOUNT);
      note_db_ids (layers[i], "etc/passwd");
      note_db_ids (layers[i], "etc/group");
    }
  return max_seen >= AUTO_MAX_SIZE      ? AUTO_MAX_SIZE
         : max_seen + 1 < AUTO_MIN_SIZE ? AUTO_MIN_SIZE
                                        : max_seen + 1;
}

/* FORCED, then the container IDs below SIZE they leave, in order, mapped
 * to consecutive host IDs from BASE.  */
static json_object *
auto_maps (const struct ferry_idmap *forced, size_t n_forced, uint32_t size, uint32_t base)
{
  cleanup_free struct ferry_idmap *m = xmalloc0 (sizeof (*m) * (2 * n_forced + 2));
  size_t n = 0;
  uint32_t id = 0;

  for (size_t i = 0; i < n_forced; i++)
    m[n++] = forced[i];
  while (id < size)
    {
      uint32_t next = size;
      int inside = 0;
      for (size_t i = 0; i < n_forced; i++)
        {
          if (id >= forced[i].container && id - forced[i].container < forced[i].size)
            {
              id = forced[i].container + forced[i].size;
              inside = 1;
              break;
            }
          if (forced[i].container > id && forced[i].container < next)
            next = forced[i].container;
        }
      if (inside)
        continue;
      m[n++] = (struct ferry_idmap){ .container = id, .host = base, .size = next - id };
      base += next - id;
      id = next;
    }
  return maps_to_json (m, n);
}

/* How many IDs below SIZE the forced mappings take.  */
static uint32_t
forced_within (const struct ferry_idmap *forced, size_t n, uint32_t size)
{
  uint64_t taken = 0;

  for (size_t i = 0; i < n; i++)
    if (forced[i].container < size)
      taken += (uint64_t) forced[i].container + forced[i].size > size ? size - forced[i].container
                                                                      : forced[i].size;
  return taken >= size ? size : (uint32_t) taken;
}

static int
record_auto (ferry_engine_t *e, const char *mode, char *const *layers, json_object **uids, json_object **gids,
             ferry_error_t *err)
{
  cleanup_free char *opts = xstrdup (mode[4] == ':' ? mode + 5 : "");
  cleanup_free struct ferry_idmap *fu = NULL;
  cleanup_free struct ferry_idmap *fg = NULL;
  cleanup_free struct ferry_idmap *avail_u = NULL;
  cleanup_free struct ferry_idmap *avail_g = NULL;
  struct id_ranges used_u = { 0 }, used_g = { 0 };
  size_t nfu = 0, nfg = 0, nau = 0, nag = 0;
  uint32_t size = 0, base_u = 0, base_g = 0;
  char *save = NULL;
  int rc = -1;

  for (char *o = strtok_r (opts, ",", &save); o; o = strtok_r (NULL, ",", &save))
    {
      char *v = strchr (o, '=');
      struct ferry_idmap m;
      int keep = 0;

      if (v)
        *v++ = '\0';
      if (strcmp (o, "size") == 0)
        {
          if (v == NULL || parse_u32 (v, &size) < 0)
            return ferry_make_error (err, 0, "strconv.ParseUint: parsing \"%s\": invalid syntax", v ? v : "");
        }
      else if (strcmp (o, "uidmapping") == 0 || strcmp (o, "gidmapping") == 0)
        {
          int uid = o[0] == 'u';
          if (v == NULL || parse_map_arg (v, &m, &keep, err) < 0)
            return v ? -1 : ferry_make_error (err, 0, "invalid mapping \"\": give CONTAINER:HOST[:SIZE]");
          if (! keep)
            continue;
          if (uid)
            {
              fu = xrealloc (fu, sizeof (*fu) * (nfu + 1));
              fu[nfu++] = m;
            }
          else
            {
              fg = xrealloc (fg, sizeof (*fg) * (nfg + 1));
              fg[nfg++] = m;
            }
        }
      else
        return ferry_make_error (err, 0, "unknown option specified: \"%s\"", o);
    }
  if (size == 0)
    size = image_size (layers);
  if (read_subids ("/etc/subuid", AUTO_USER, &avail_u, &nau, err) < 0
      || read_subids ("/etc/subgid", AUTO_USER, &avail_g, &nag, err) < 0)
    {
      ferry_error_release (err);
      nau = nag = 0;
    }
  if (used_ids (e, &used_u, &used_g, err) < 0)
    goto out;
  if (nau == 0 || nag == 0
      || first_free (avail_u, nau, &used_u, size - forced_within (fu, nfu, size), &base_u) < 0
      || first_free (avail_g, nag, &used_g, size - forced_within (fg, nfg, size), &base_g) < 0)
    {
      ferry_make_error (
          err, 0,
          "creating container storage: not enough unused IDs in user namespace (user \"" AUTO_USER
          "\" needs %" PRIu32 " free IDs in its ranges in /etc/subuid and /etc/subgid)",
          size);
      goto out;
    }
  *uids = auto_maps (fu, nfu, size, base_u);
  *gids = auto_maps (fg, nfg, size, base_g);
  rc = 0;
out:
  free (used_u.m);
  free (used_g.m);
  return rc;
}

/* ---- create ------------------------------------------------------------- */

static void
annotate (json_object *rec, const char *value)
{
  json_object *ann = json_object_object_get (rec, "Annotations");

  if (ann == NULL || ! json_object_is_type (ann, json_type_object))
    {
      ann = json_object_new_object ();
      json_object_object_add (rec, "Annotations", ann);
    }
  json_object_object_add (ann, USERNS_ANNOTATION, json_object_new_string (value));
}

/* What a user namespace's file maps, read by a child that joins it.  */
static int
read_ns_maps (const char *path, json_object **uids, json_object **gids, ferry_error_t *err)
{
  int pipes[2][2];
  pid_t pid;
  json_object *maps[2] = { NULL, NULL };

  if (pipe2 (pipes[0], O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "pipe");
  if (pipe2 (pipes[1], O_CLOEXEC) < 0)
    {
      close (pipes[0][0]);
      close (pipes[0][1]);
      return ferry_make_error (err, errno, "pipe");
    }
  pid = fork ();
  if (pid == 0)
    {
      int fd = open (path, O_RDONLY | O_CLOEXEC);
      const char *files[2] = { "/proc/self/uid_map", "/proc/self/gid_map" };

      if (fd < 0 || setns (fd, CLONE_NEWUSER) < 0)
        _exit (1);
      for (int i = 0; i < 2; i++)
        {
          char buf[16384];
          int in = open (files[i], O_RDONLY | O_CLOEXEC);
          ssize_t r = in < 0 ? -1 : read (in, buf, sizeof (buf));
          if (r < 0 || write (pipes[i][1], buf, r) != r)
            _exit (1);
        }
      _exit (0);
    }
  close (pipes[0][1]);
  close (pipes[1][1]);
  for (int i = 0; pid > 0 && i < 2; i++)
    {
      char buf[16384], *line, *save = NULL;
      ssize_t total = 0, r;
      struct ferry_idmap m[FERRY_IDMAP_MAX];
      size_t n = 0;

      while (total < (ssize_t) sizeof (buf) - 1
             && (r = read (pipes[i][0], buf + total, sizeof (buf) - 1 - total)) > 0)
        total += r;
      buf[total] = '\0';
      for (line = strtok_r (buf, "\n", &save); line && n < FERRY_IDMAP_MAX;
           line = strtok_r (NULL, "\n", &save))
        if (sscanf (line, "%" SCNu32 " %" SCNu32 " %" SCNu32, &m[n].container, &m[n].host, &m[n].size) == 3)
          n++;
      maps[i] = n ? maps_to_json (m, n) : NULL;
    }
  close (pipes[0][0]);
  close (pipes[1][0]);
  if (pid < 0)
    return ferry_make_error (err, errno, "fork");
  {
    int status;
    while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
      ;
    if (! WIFEXITED (status) || WEXITSTATUS (status) != 0 || maps[0] == NULL || maps[1] == NULL)
      {
        json_object_put (maps[0]);
        json_object_put (maps[1]);
        return ferry_make_error (err, 0,
                                 "cannot read the mappings of user namespace `%s`: give the path of a user "
                                 "namespace file, such as ns:/proc/PID/ns/user",
                                 path);
      }
  }
  *uids = maps[0];
  *gids = maps[1];
  return 0;
}

static int
record_mode (ferry_engine_t *e, const char *mode, char *const *layers, json_object *rec, ferry_error_t *err)
{
  json_object *uids = NULL, *gids = NULL;
  const char *shown = "private";
  cleanup_free char *by_id = NULL;

  if (strcmp (mode, "private") == 0)
    return ferry_make_error (err, 0,
                             "must provide at least one UID or GID mapping to configure a user namespace");
  if (strcmp (mode, "nomap") == 0)
    return ferry_make_error (err, 0, "nomap is only supported in rootless mode");
  if (strcmp (mode, "auto") == 0 || strncmp (mode, "auto:", 5) == 0)
    {
      if (record_auto (e, mode, layers, &uids, &gids, err) < 0)
        return -1;
      shown = "auto";
    }
  else if (strcmp (mode, "keep-id") == 0 || strncmp (mode, "keep-id:", 8) == 0)
    {
      /* As root, Podman's keep-id maps every ID to itself.  */
      uids = json_object_new_array ();
      json_object_array_add (uids, json_object_new_string ("0:0:4294967295"));
      gids = json_object_new_array ();
      json_object_array_add (gids, json_object_new_string ("0:0:4294967295"));
      shown = "keep-id";
    }
  else if (strncmp (mode, "container:", 10) == 0 && mode[10] != '\0' && strchr (mode, '\n') == NULL)
    {
      struct ferry_container *peer = NULL;
      json_object *pu, *pg;

      if (ferry_container_lookup (e, mode + 10, &peer, err) < 0)
        return ferry_error_wrap (err, "looking up container to share user namespace with");
      pu = json_object_object_get (peer->record, "UidMap");
      pg = json_object_object_get (peer->record, "GidMap");
      if (pu == NULL || pg == NULL)
        {
          ferry_make_error (err, 0,
                            "container %s runs in the host's user namespace: --userns container: takes a "
                            "container with a user namespace of its own",
                            peer->name);
          ferry_container_free (peer);
          return -1;
        }
      uids = json_object_get (pu);
      gids = json_object_get (pg);
      by_id = xasprintf ("container:%s", peer->id);
      shown = by_id;
      ferry_container_free (peer);
    }
  else if (strncmp (mode, "ns:", 3) == 0)
    {
      int e_ = mode[3] != '/' || strchr (mode, '\n') ? ENOENT : access (mode + 3, F_OK) < 0 ? errno : 0;

      if (e_)
        return ferry_make_error (err, 0, "cannot find specified user namespace path: faccessat %s: %s",
                                 mode + 3, e_ == ENOENT ? "no such file or directory" : strerror (e_));
      if (read_ns_maps (mode + 3, &uids, &gids, err) < 0)
        return -1;
      shown = mode;
    }
  else
    return ferry_make_error (err, 0, "unrecognized namespace mode %s passed", mode);
  json_object_object_add (rec, "UsernsMode", json_object_new_string (shown));
  json_object_object_add (rec, "UidMap", uids);
  json_object_object_add (rec, "GidMap", gids);
  annotate (rec, mode);
  return 0;
}

static int record_maps_given (ferry_engine_t *e, const struct ferry_userns_options *o, char *const *layers,
                              json_object *rec, ferry_error_t *err);

int
ferry_userns_record (ferry_engine_t *e, const struct ferry_userns_options *o, char *const *layers,
                     json_object *rec, ferry_error_t *err)
{
  const char *net = ferry_json_get_string (rec, "Network");

  if (record_maps_given (e, o, layers, rec, err) < 0)
    return -1;
  if (json_object_object_get (rec, "UidMap") && ferry_container_rootfs (rec)
      && ! ferry_container_rootfs_overlay (rec))
    return ferry_make_error (err, 0,
                             "--rootfs %s cannot be seen through a user namespace's mappings: add :O (an "
                             "overlay on it, whose layer ferry idmaps) or leave out the user namespace",
                             ferry_container_rootfs (rec));
  if (json_object_object_get (rec, "UidMap") && ! ferry_json_string_equals (rec, "Network", "none"))
    return ferry_make_error (err, 0,
                             "a user namespace of its own needs --network none with ferry (network mode %s): "
                             "the container's network namespace must be made inside its user namespace",
                             net ? net : "bridge");
  return 0;
}

static int
record_maps_given (ferry_engine_t *e, const struct ferry_userns_options *o, char *const *layers,
                   json_object *rec, ferry_error_t *err)
{
  json_object *uids = NULL, *gids = NULL;
  int maps_given = o->uidmap || o->gidmap || o->subuidname || o->subgidname;
  /* containers.conf's userns stands in for a --userns not given, as
   * Podman's does, unless mappings are.  */
  const char *mode = o->mode || maps_given ? o->mode : e->config.userns;

  if (o->mode && maps_given)
    return ferry_make_error (
        err, 0, "--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive");
  if (mode)
    return *mode == '\0' || strcmp (mode, "host") == 0 ? 0 : record_mode (e, mode, layers, rec, err);
  if (! maps_given)
    return 0;
  if ((o->uidmap || o->gidmap) && (o->subuidname || o->subgidname))
    return ferry_make_error (err, 0,
                             "--uidmap/--gidmap and --subuidname/--subgidname cannot be used together: give "
                             "one or the other");
  if (o->subuidname || o->subgidname)
    {
      const char *uname = o->subuidname ? o->subuidname : o->subgidname;
      const char *gname = o->subgidname ? o->subgidname : o->subuidname;

      if (subids_map ("/etc/subuid", "subuid", uname, &uids, err) < 0)
        return -1;
      if (subids_map ("/etc/subgid", "subgid", gname, &gids, err) < 0)
        {
          json_object_put (uids);
          return -1;
        }
    }
  else
    {
      if (args_map (o->uidmap, "--uidmap", &uids, err) < 0)
        return -1;
      if (args_map (o->gidmap, "--gidmap", &gids, err) < 0)
        {
          json_object_put (uids);
          return -1;
        }
      /* One side given: the other maps alike, as Podman does.  */
      if (uids == NULL && gids)
        uids = json_object_get (gids);
      else if (gids == NULL && uids)
        gids = json_object_get (uids);
      if (uids == NULL)
        return ferry_make_error (
            err, 0, "must provide at least one UID or GID mapping to configure a user namespace");
    }
  json_object_object_add (rec, "UsernsMode", json_object_new_string ("private"));
  json_object_object_add (rec, "UidMap", uids);
  json_object_object_add (rec, "GidMap", gids);
  annotate (rec, "private");
  return 0;
}

int
ferry_userns_own_netns (json_object *rec)
{
  return json_object_object_get (rec, "UidMap") && ferry_json_string_equals (rec, "Network", "none");
}

/* ---- start -------------------------------------------------------------- */

static int
record_maps (json_object *rec, struct ferry_idmap **uids, size_t *nu, struct ferry_idmap **gids, size_t *ng)
{
  const char *why;

  *uids = *gids = NULL;
  if (json_object_object_get (rec, "UidMap") == NULL)
    return 0;
  if (ferry_idmap_parse_list (json_object_object_get (rec, "UidMap"), uids, nu, &why) < 0)
    return -1;
  if (ferry_idmap_parse_list (json_object_object_get (rec, "GidMap"), gids, ng, &why) < 0)
    {
      free (*uids);
      *uids = NULL;
      return -1;
    }
  return 1;
}

static uint32_t
host_of (const struct ferry_idmap *m, size_t n, uint32_t id)
{
  for (size_t i = 0; i < n; i++)
    if (id >= m[i].container && id - m[i].container < m[i].size)
      return m[i].host + (id - m[i].container);
  return OVERFLOW_ID;
}

void
ferry_userns_to_host (json_object *rec, uid_t *uid, gid_t *gid)
{
  cleanup_free struct ferry_idmap *u = NULL;
  cleanup_free struct ferry_idmap *g = NULL;
  size_t nu = 0, ng = 0;

  if (record_maps (rec, &u, &nu, &g, &ng) <= 0)
    return;
  *uid = host_of (u, nu, *uid);
  *gid = host_of (g, ng, *gid);
}

int
ferry_userns_host_root (json_object *rec, uid_t *uid, gid_t *gid)
{
  cleanup_free struct ferry_idmap *u = NULL;
  cleanup_free struct ferry_idmap *g = NULL;
  size_t nu = 0, ng = 0;

  if (record_maps (rec, &u, &nu, &g, &ng) <= 0)
    return 0;
  *uid = host_of (u, nu, 0);
  *gid = host_of (g, ng, 0);
  return 1;
}

static char *
maps_text (const struct ferry_idmap *m, size_t n)
{
  size_t len = n * 34 + 1;
  char *s = xmalloc0 (len), *p = s;

  for (size_t i = 0; i < n; i++)
    p += snprintf (p, len - (p - s), "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", m[i].container, m[i].host,
                   m[i].size);
  return s;
}

static int
write_proc (pid_t pid, const char *file, const char *text)
{
  char path[64];
  int fd, rc;

  snprintf (path, sizeof (path), "/proc/%d/%s", (int) pid, file);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  rc = write (fd, text, strlen (text)) == (ssize_t) strlen (text) ? 0 : -1;
  close (fd);
  return rc;
}

int
ferry_userns_open (json_object *rec, int *fd, ferry_error_t *err)
{
  cleanup_free struct ferry_idmap *u = NULL;
  cleanup_free struct ferry_idmap *g = NULL;
  cleanup_free char *utext = NULL, *gtext = NULL;
  size_t nu = 0, ng = 0;
  int ready[2], hold[2], r;
  pid_t pid;
  char c;

  *fd = -1;
  r = record_maps (rec, &u, &nu, &g, &ng);
  if (r < 0)
    return ferry_make_error (err, 0, "the container's UidMap or GidMap is malformed");
  if (r == 0)
    return 0;
  utext = maps_text (u, nu);
  gtext = maps_text (g, ng);
  if (pipe2 (ready, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "pipe");
  if (pipe2 (hold, O_CLOEXEC) < 0)
    {
      close (ready[0]);
      close (ready[1]);
      return ferry_make_error (err, errno, "pipe");
    }
  /* A child in a new user namespace, held until its namespace is open:
   * the namespace outlives it through the descriptor.  */
  pid = fork ();
  if (pid == 0)
    {
      close (ready[0]);
      close (hold[1]);
      c = unshare (CLONE_NEWUSER) == 0 ? 'y' : 'n';
      if (write (ready[1], &c, 1) != 1)
        _exit (1);
      while (read (hold[0], &c, 1) < 0 && errno == EINTR)
        ;
      _exit (0);
    }
  close (ready[1]);
  close (hold[0]);
  r = pid < 0 ? -1 : (read (ready[0], &c, 1) == 1 && c == 'y') ? 0 : -1;
  if (r == 0)
    {
      char path[64];
      if (write_proc (pid, "uid_map", utext) < 0 || write_proc (pid, "setgroups", "deny") < 0
          || write_proc (pid, "gid_map", gtext) < 0)
        r = -1;
      snprintf (path, sizeof (path), "/proc/%d/ns/user", (int) pid);
      if (r == 0 && (*fd = open (path, O_RDONLY | O_CLOEXEC)) < 0)
        r = -1;
    }
  {
    int saved = errno;
    close (ready[0]);
    close (hold[1]);
    if (pid > 0)
      while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
        ;
    errno = saved;
  }
  if (r < 0)
    return ferry_make_error (err, errno, "cannot make a user namespace for the container's idmapped mounts");
  return 0;
}

static json_object *
spec_maps (const struct ferry_idmap *m, size_t n)
{
  json_object *a = json_object_new_array ();

  for (size_t i = 0; i < n; i++)
    {
      json_object *o = json_object_new_object ();
      json_object_object_add (o, "containerID", json_object_new_int64 (m[i].container));
      json_object_object_add (o, "hostID", json_object_new_int64 (m[i].host));
      json_object_object_add (o, "size", json_object_new_int64 (m[i].size));
      json_object_array_add (a, o);
    }
  return a;
}

/* The namespace file for container:ID, from the running peer.  */
static char *
peer_ns_path (ferry_engine_t *e, const struct ferry_container *c, const char *id, ferry_error_t *err)
{
  struct ferry_container *peer = NULL;
  char *path;

  if (ferry_container_lookup (e, id, &peer, err) < 0)
    {
      ferry_error_wrap (err, "container %s shares the user namespace of container %.12s", c->name, id);
      return NULL;
    }
  if (peer->status != FERRY_CONTAINER_RUNNING && peer->status != FERRY_CONTAINER_PAUSED)
    {
      ferry_make_error_kind (err, FERRY_ERROR_STATE,
                             "container %s shares the user namespace of container %s, which is %s: start %s "
                             "first",
                             c->name, peer->name, ferry_container_status_name (peer->status), peer->name);
      ferry_container_free (peer);
      return NULL;
    }
  path = xasprintf ("/proc/%d/ns/user", (int) peer->pid);
  ferry_container_free (peer);
  return path;
}

/* devpts refuses a gid= its namespace does not map: the tty group (5)
 * left out when only some IDs are mapped, as Podman leaves it.  */
static void
devpts_without_gid (json_object *spec)
{
  json_object *mounts = json_object_object_get (spec, "mounts");

  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      json_object *opts = json_object_object_get (m, "options");
      if (! ferry_json_string_equals (m, "destination", "/dev/pts"))
        continue;
      for (size_t j = ferry_json_array_length (opts); j > 0; j--)
        {
          const char *o = ferry_json_string_value (json_object_array_get_idx (opts, j - 1));
          if (o && strncmp (o, "gid=", 4) == 0)
            json_object_array_del_idx (opts, j - 1, 1);
        }
    }
}

int
ferry_userns_apply (ferry_engine_t *e, const struct ferry_container *c, json_object *spec, ferry_error_t *err)
{
  cleanup_free struct ferry_idmap *u = NULL;
  cleanup_free struct ferry_idmap *g = NULL;
  cleanup_free char *path = NULL;
  const char *mode = ferry_json_get_string (c->record, "UsernsMode");
  json_object *linux_ = json_object_object_get (spec, "linux"), *nss, *ns;
  size_t nu = 0, ng = 0;
  int r = record_maps (c->record, &u, &nu, &g, &ng);

  if (r < 0)
    return ferry_make_error (err, 0, "the UidMap or GidMap of container %s is malformed", c->name);
  if (r == 0)
    return 0;
  if (mode && strncmp (mode, "container:", 10) == 0 && (path = peer_ns_path (e, c, mode + 10, err)) == NULL)
    return -1;
  if (mode && strncmp (mode, "ns:", 3) == 0)
    path = xstrdup (mode + 3);
  nss = json_object_object_get (linux_, "namespaces");
  if (nss == NULL)
    {
      nss = json_object_new_array ();
      json_object_object_add (linux_, "namespaces", nss);
    }
  ns = json_object_new_object ();
  json_object_object_add (ns, "type", json_object_new_string ("user"));
  if (path)
    json_object_object_add (ns, "path", json_object_new_string (path));
  json_object_array_add (nss, ns);
  if (host_of (g, ng, 5) == OVERFLOW_ID)
    devpts_without_gid (spec);
  json_object_object_add (linux_, "uidMappings", spec_maps (u, nu));
  json_object_object_add (linux_, "gidMappings", spec_maps (g, ng));
  return 0;
}

/* PATH, when owned by host root, to UID:GID; what is not there is left. */
static int
give (const char *path, uid_t uid, gid_t gid, ferry_error_t *err)
{
  struct stat st;

  if (lstat (path, &st) < 0)
    return errno == ENOENT ? 0 : ferry_make_error (err, errno, "cannot stat `%s`", path);
  if (st.st_uid != 0 || st.st_gid != 0)
    return 0;
  if (lchown (path, uid, gid) < 0)
    return ferry_make_error (err, errno, "cannot give `%s` to the container's root (%d:%d)", path, (int) uid,
                             (int) gid);
  return 0;
}

int
ferry_userns_give_empty_dir (json_object *rec, const char *path, ferry_error_t *err)
{
  DIR *d;
  struct dirent *de;
  int empty = 1;

  if (json_object_object_get (rec, "UidMap") == NULL || (d = opendir (path)) == NULL)
    return 0;
  while (empty && (de = readdir (d)))
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      empty = 0;
  closedir (d);
  return empty ? ferry_userns_give_root (rec, path, err) : 0;
}

int
ferry_userns_give_root (json_object *rec, const char *path, ferry_error_t *err)
{
  uid_t uid;
  gid_t gid;

  if (! ferry_userns_host_root (rec, &uid, &gid) || (uid == 0 && gid == 0))
    return 0;
  return give (path, uid, gid, err);
}

int
ferry_userns_prepare (const struct ferry_container *c, const char *dir, const char *upper,
                      const char *restore_from, ferry_error_t *err)
{
  static const char *const made[]
      = { "hosts", "hostname", "resolv.conf", "containerenv", "shm", "passwd", "group" };
  uid_t uid;
  gid_t gid;

  if (! ferry_userns_host_root (c->record, &uid, &gid) || (uid == 0 && gid == 0))
    return 0;
  if (upper && give (upper, uid, gid, err) < 0)
    return -1;
  for (size_t i = 0; i < sizeof (made) / sizeof (made[0]); i++)
    {
      cleanup_free char *path = xasprintf ("%s/%s", dir, made[i]);
      if (give (path, uid, gid, err) < 0)
        return -1;
    }
  if (restore_from)
    {
      /* CRIU opens some images (timens) from inside the namespace, where
       * host root's 0600 files are out of reach.  */
      DIR *d = opendir (restore_from);
      struct dirent *de;
      int rc = 0;

      if (d == NULL)
        return ferry_make_error (err, errno, "cannot open the checkpoint images `%s`", restore_from);
      while (rc == 0 && (de = readdir (d)))
        {
          if (de->d_type != DT_REG && strcmp (de->d_name, ".") != 0)
            continue;
          cleanup_free char *path = xasprintf ("%s/%s", restore_from, de->d_name);
          rc = give (path, uid, gid, err);
          /* The time namespace's offsets (no memory) are read by the
           * restored task as "other": readable by all, as CRIU writes it
           * in place.  */
          if (rc == 0 && strncmp (de->d_name, "timens-", 7) == 0 && chmod (path, 0644) < 0)
            rc = ferry_make_error (err, errno, "cannot open `%s` to the container's root", path);
        }
      closedir (d);
      if (rc < 0)
        return -1;
    }
  return 0;
}

/* PATH is TOP or lies under it.  */
static int
at_or_under (const char *top, const char *path)
{
  size_t n = strlen (top);

  while (n > 1 && top[n - 1] == '/')
    n--;
  return strncmp (path, top, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

int
ferry_userns_reachable (json_object *rec, const char *top, const char *own, const char *path,
                        ferry_error_t *err)
{
  cleanup_free char *p = xstrdup (path);
  uid_t uid;
  gid_t gid;

  if (! ferry_userns_host_root (rec, &uid, &gid) || ! at_or_under (top, path))
    return 0;
  for (;;)
    {
      struct stat st;
      char *slash;

      if (stat (p, &st) < 0)
        return ferry_make_error (err, errno, "cannot stat `%s`", p);
      if (S_ISDIR (st.st_mode) && st.st_uid == 0 && (st.st_mode & S_IXOTH) == 0)
        {
          /* The container's own directories: its root's group may pass,
           * no one else.  Those it shares: anyone may pass (not list).  */
          int mine = own && at_or_under (own, p);

          if (mine && st.st_gid != gid && chown (p, -1, gid) < 0)
            return ferry_make_error (err, errno, "cannot let the container's root pass through `%s`", p);
          if ((st.st_mode & (mine ? S_IXGRP : S_IXOTH)) == 0 || (mine && st.st_gid != gid))
            if (chmod (p, (st.st_mode & 07777) | (mine ? S_IXGRP : S_IXOTH)) < 0)
              return ferry_make_error (err, errno, "cannot let the container's root pass through `%s`", p);
        }
      if (! at_or_under (top, p) || strlen (p) <= strlen (top))
        return 0;
      slash = strrchr (p, '/');
      if (slash == NULL || slash == p)
        return 0;
      *slash = '\0';
    }
}

int
ferry_userns_reach_mounts (json_object *rec, const char *const *tops, const char *const *owns,
                           const char *config_path, ferry_error_t *err)
{
  cleanup_json json_object *spec = ferry_json_parse_file (config_path, "the container's OCI spec", err);
  json_object *mounts;

  if (spec == NULL)
    return -1;
  mounts = ferry_json_get_array (spec, "mounts");
  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    {
      json_object *m = json_object_array_get_idx (mounts, i);
      const char *source = ferry_json_get_string (m, "source");
      cleanup_free char *dir = NULL;
      const char *own = NULL;
      struct stat st;

      if (! ferry_json_string_equals (m, "type", "bind") || source == NULL || stat (source, &st) < 0)
        continue;
      dir = xstrdup (source);
      /* A file's directory: the file's own mode is the container's.  */
      if (! S_ISDIR (st.st_mode) && strrchr (dir, '/'))
        *strrchr (dir, '/') = '\0';
      for (size_t o = 0; owns[o]; o++)
        if (at_or_under (owns[o], dir))
          own = owns[o];
      for (size_t t = 0; tops[t]; t++)
        if (at_or_under (tops[t], dir))
          {
            if (ferry_userns_reachable (rec, tops[t], own, dir, err) < 0)
              return -1;
            break;
          }
    }
  return 0;
}

int
ferry_userns_checkpoint_check (const struct ferry_container *c, ferry_error_t *err)
{
  const char *mode = ferry_json_get_string (c->record, "UsernsMode");

  /* CRIU dumps it, but its restore cannot join a namespace it did not
   * make ("Can't open ns file /proc/PID/ns/user: Permission denied").  */
  if (mode && (strncmp (mode, "container:", 10) == 0 || strncmp (mode, "ns:", 3) == 0))
    return ferry_make_error (
        err, 0,
        "cannot checkpoint container %s: it joins another user namespace (--userns %.*s), "
        "which CRIU cannot restore it into: give it one of its own (--uidmap, --userns "
        "auto) to checkpoint it",
        c->name, strncmp (mode, "ns:", 3) == 0 ? 1024 : 22, mode);
  return 0;
}

void
ferry_userns_inspect (const struct ferry_container *c, json_object *host)
{
  const char *mode = ferry_json_get_string (c->record, "UsernsMode");
  json_object *u = json_object_object_get (c->record, "UidMap");
  json_object *g = json_object_object_get (c->record, "GidMap");

  if (mode && (strcmp (mode, "keep-id") == 0 || strncmp (mode, "ns:", 3) == 0))
    mode = "private";
  /* Podman shows an auto namespace as private once it has run.  */
  if (mode && strcmp (mode, "auto") == 0)
    mode = c->started_at && *c->started_at ? "private" : "";
  json_object_object_add (host, "UsernsMode", json_object_new_string (mode ? mode : ""));
  if (u && g)
    {
      json_object *m = json_object_new_object ();
      json_object_object_add (m, "UidMap", json_object_get (u));
      json_object_object_add (m, "GidMap", json_object_get (g));
      json_object_object_add (host, "IDMappings", m);
    }
}
