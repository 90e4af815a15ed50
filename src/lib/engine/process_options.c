/* ferry: --group-add, --umask and --hosts-file (process_options.h).  */
#include "process_options.h"
#include "internal.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/json.h"
#include "../util/xalloc.h"
#include "../runtime/spec.h"

#include <errno.h>
#include <pwd.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

#define GROUP_NAME_MAX 32

int
ferry_group_add_is_valid (const char *text)
{
  size_t n = strlen (text);

  if (n == 0 || n > GROUP_NAME_MAX)
    return 0;
  if (strspn (text, "0123456789") == n)
    {
      errno = 0;
      long long v = strtoll (text, NULL, 10);
      return errno == 0 && v <= FERRY_GROUP_ADD_MAX;
    }
  for (const char *p = text; *p; p++)
    if ((unsigned char) *p <= ' ' || *p == 0x7f || *p == ':' || *p == ',' || *p == '/')
      return 0;
  return text[0] != '-' && text[0] != '+';
}

int
ferry_umask_parse (const char *text, unsigned *out)
{
  size_t n = strlen (text);
  unsigned long v;
  char *end;

  if (n == 0 || n > 4 || strspn (text, "01234567") != n)
    return -1;
  v = strtoul (text, &end, 8);
  if (*end != '\0' || v > 0777)
    return -1;
  *out = (unsigned) v;
  return 0;
}

int
ferry_hosts_file_is_valid (const char *text)
{
  if (strcmp (text, "none") == 0 || strcmp (text, "image") == 0)
    return 1;
  return text[0] == '/' && text[1] != '\0' && strchr (text, '\n') == NULL && strlen (text) < PATH_MAX;
}

/* Podman's words for the one mistake it refuses at create.  */
static int
record_group_add (char **groups, json_object *rec, ferry_error_t *err)
{
  cleanup_json json_object *list = json_object_new_array ();
  int keep = 0;
  size_t n = 0;

  for (size_t i = 0; groups && groups[i]; i++, n++)
    {
      if (strcmp (groups[i], FERRY_GROUP_KEEP) == 0)
        {
          keep = 1;
          continue;
        }
      if (! ferry_group_add_is_valid (groups[i]))
        return ferry_make_error (err, 0,
                                 "invalid --group-add `%s`: give a group name of the image's /etc/group, a "
                                 "gid from 0 to %lld, or keep-groups",
                                 groups[i], FERRY_GROUP_ADD_MAX);
      json_object_array_add (list, json_object_new_string (groups[i]));
    }
  if (keep && n > 1)
    return ferry_make_error (err, 0,
                             "the '--group-add keep-groups' option is not allowed with any other --group-add "
                             "options");
  if (keep)
    {
      json_object *ann = ferry_json_get_object (rec, "Annotations");
      if (ann == NULL)
        {
          ann = json_object_new_object ();
          json_object_object_add (rec, "Annotations", ann);
        }
      json_object_object_add (ann, FERRY_KEEP_GROUPS_ANNOTATION, json_object_new_string ("1"));
    }
  if (json_object_array_length (list))
    json_object_object_add (rec, "GroupAdd", steal_pointer (&list));
  return 0;
}

static int
record_umask (const char *text, json_object *rec, ferry_error_t *err)
{
  unsigned mask;
  char shown[8];

  if (text == NULL)
    return 0;
  if (ferry_umask_parse (text, &mask) < 0)
    return ferry_make_error (err, 0,
                             "running container create option: invalid umask string %s: give an octal mask "
                             "from 0000 to 0777, such as 0027",
                             text);
  snprintf (shown, sizeof (shown), "%04o", mask);
  json_object_object_add (rec, "Umask", json_object_new_string (shown));
  return 0;
}

static int
record_hosts_file (const struct ferry_create_options *o, json_object *rec, ferry_error_t *err)
{
  cleanup_free char *path = NULL;

  if (o->hosts_file == NULL)
    return 0;
  if (o->no_hosts)
    return ferry_make_error (
        err, 0,
        "--no-hosts and --hosts-file cannot be set together: --no-hosts keeps the image's "
        "/etc/hosts as it is");
  if (o->hosts_file[0] == '\0' || strcmp (o->hosts_file, "none") == 0 || strcmp (o->hosts_file, "image") == 0
      || o->hosts_file[0] == '/')
    path = xstrdup (o->hosts_file);
  else
    {
      char cwd[PATH_MAX];
      if (getcwd (cwd, sizeof (cwd)) == NULL)
        return ferry_make_error (err, errno, "invalid --hosts-file `%s`: cannot find the current directory",
                                 o->hosts_file);
      path = xasprintf ("%s/%s", cwd, o->hosts_file);
    }
  if (! ferry_hosts_file_is_valid (path))
    return ferry_make_error (err, 0, "invalid --hosts-file `%s`: give the path of a file, none or image",
                             o->hosts_file);
  json_object_object_add (rec, "HostsFile", json_object_new_string (path));
  return 0;
}

int
ferry_label_files_apply (char *const *files, json_object *labels, ferry_error_t *err)
{
  for (size_t i = 0; files && files[i]; i++)
    {
      cleanup_free char *text = NULL;
      char *line, *save = NULL;

      if (ferry_read_file (files[i], &text, NULL, err) < 0)
        return ferry_error_wrap (err, "unable to process labels of --label-file `%s`", files[i]);
      for (line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
        {
          cleanup_free char *key = NULL;
          char *eq;

          line += strspn (line, " \t");
          eq = strchr (line, '=');
          if (*line == '#' || eq == NULL)
            continue;
          if (eq == line)
            return ferry_make_error (err, 0,
                                     "unable to process labels of --label-file `%s`: a line starts with `=`: "
                                     "give KEY=VALUE lines",
                                     files[i]);
          key = xstrndup (line, eq - line);
          json_object_object_add (labels, key, json_object_new_string (eq + 1));
        }
    }
  return 0;
}

void
ferry_chrootdirs_apply (json_object *rec, json_object *spec)
{
  json_object *dirs = ferry_json_get_array (rec, "ChrootDirs"),
              *mounts = json_object_object_get (spec, "mounts");
  json_object *hosts = NULL;

  for (size_t i = 0; i < ferry_json_array_length (mounts); i++)
    if (ferry_json_string_equals (json_object_array_get_idx (mounts, i), "destination", "/etc/hosts"))
      hosts = json_object_array_get_idx (mounts, i);
  if (hosts == NULL)
    return;
  for (size_t i = 0; i < ferry_json_array_length (dirs); i++)
    {
      json_object *copy = NULL;
      const char *dir = json_object_get_string (json_object_array_get_idx (dirs, i));
      cleanup_free char *dest = xasprintf ("%s/etc/hosts", strcmp (dir, "/") == 0 ? "" : dir);

      if (json_object_deep_copy (hosts, &copy, NULL) < 0)
        abort ();
      json_object_object_add (copy, "destination", json_object_new_string (dest));
      json_object_array_add (mounts, copy);
    }
}

static int
record_chrootdirs (char **dirs, json_object *rec, ferry_error_t *err)
{
  cleanup_json json_object *list = json_object_new_array ();

  for (size_t i = 0; dirs && dirs[i]; i++)
    {
      if (! ferry_chrootdir_is_valid (dirs[i]))
        return ferry_make_error (err, 0,
                                 "invalid --chrootdirs `%s`: give an absolute path in the container without "
                                 "`.` or `..`",
                                 dirs[i]);
      json_object_array_add (list, json_object_new_string (dirs[i]));
    }
  if (json_object_array_length (list))
    json_object_object_add (rec, "ChrootDirs", steal_pointer (&list));
  return 0;
}

int
ferry_chrootdir_is_valid (const char *dir)
{
  return dir[0] == '/' && strchr (dir, '\n') == NULL && strlen (dir) < PATH_MAX
         && (dir[1] == '\0' || ferry_path_is_clean_relative (dir + 1));
}

int
ferry_personality_is_valid (const char *text)
{
  return strcmp (text, "LINUX") == 0 || strcmp (text, "LINUX32") == 0;
}

int
ferry_process_options_record (const struct ferry_create_options *o, json_object *rec, ferry_error_t *err)
{
  if (o->personality && ! ferry_personality_is_valid (o->personality))
    return ferry_make_error (err, 0, "invalid --personality `%s`: use LINUX or LINUX32", o->personality);
  if (o->personality)
    json_object_object_add (rec, "Personality", json_object_new_string (o->personality));
  if (o->no_hostname)
    json_object_object_add (rec, "NoHostname", json_object_new_boolean (1));
  if (record_chrootdirs (o->chrootdirs, rec, err) < 0)
    return -1;
  if (o->no_passwd)
    json_object_object_add (rec, "Passwd", json_object_new_boolean (0));
  if (o->passwd_entry)
    json_object_object_add (rec, "PasswdEntry", json_object_new_string (o->passwd_entry));
  if (o->group_entry)
    json_object_object_add (rec, "GroupEntry", json_object_new_string (o->group_entry));
  if (o->host_users && o->host_users[0])
    {
      json_object *list = json_object_new_array ();
      for (size_t i = 0; o->host_users[i]; i++)
        {
          if (o->host_users[i][0] == '\0' || strpbrk (o->host_users[i], ":\n"))
            {
              json_object_put (list);
              return ferry_make_error (
                  err, 0, "invalid --hostuser `%s`: give a user name or uid of this host", o->host_users[i]);
            }
          json_object_array_add (list, json_object_new_string (o->host_users[i]));
        }
      json_object_object_add (rec, "HostUsers", list);
    }
  if (record_group_add (o->group_add, rec, err) < 0 || record_umask (o->umask, rec, err) < 0)
    return -1;
  return record_hosts_file (o, rec, err);
}

const char *const FERRY_PROXY_ENV[] = { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ftp_proxy",
                                        "FTP_PROXY",  "no_proxy",   "NO_PROXY",    NULL };

/* The index of KEY's entry in ENV, or -1.  */
static ssize_t
env_find (json_object *env, const char *key, size_t klen)
{
  for (size_t i = 0; i < json_object_array_length (env); i++)
    {
      const char *cur = json_object_get_string (json_object_array_get_idx (env, i));
      if (strncmp (cur, key, klen) == 0 && cur[klen] == '=')
        return (ssize_t) i;
    }
  return -1;
}

static int
is_name_char (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* TEXT with $NAME and ${NAME} replaced by their values in ENV (missing:
 * empty), as Podman expands --env-merge.  */
static char *
env_expand (json_object *env, const char *text)
{
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&out, &len);

  if (f == NULL)
    abort ();
  for (const char *p = text; *p;)
    {
      const char *name = NULL, *next;
      size_t n = 0;
      ssize_t at;

      if (p[0] == '$' && p[1] == '{' && strchr (p + 2, '}'))
        {
          name = p + 2;
          n = strchr (name, '}') - name;
          next = name + n + 1;
        }
      else if (p[0] == '$' && is_name_char (p[1]))
        {
          name = p + 1;
          while (is_name_char (name[n]))
            n++;
          next = name + n;
        }
      if (name == NULL)
        {
          fputc (*p++, f);
          continue;
        }
      at = env_find (env, name, n);
      if (at >= 0)
        fputs (json_object_get_string (json_object_array_get_idx (env, at)) + n + 1, f);
      p = next;
    }
  fclose (f);
  return out;
}

int
ferry_env_base_adjust (const struct ferry_create_options *o, json_object *env, ferry_error_t *err)
{
  for (size_t i = 0; o->env_merge && o->env_merge[i]; i++)
    {
      const char *eq = strchr (o->env_merge[i], '=');
      cleanup_free char *value = NULL, *kv = NULL;

      if (eq == NULL || eq == o->env_merge[i])
        return ferry_make_error (err, 0, "missing `=` for --env-merge substitution %s: give KEY=VALUE",
                                 o->env_merge[i]);
      value = env_expand (env, eq + 1);
      kv = xasprintf ("%.*s=%s", (int) (eq - o->env_merge[i]), o->env_merge[i], value);
      ferry_env_set (env, kv);
    }
  for (size_t i = 0; o->unsetenv && o->unsetenv[i]; i++)
    {
      ssize_t at = env_find (env, o->unsetenv[i], strlen (o->unsetenv[i]));
      if (at >= 0)
        json_object_array_del_idx (env, at, 1);
    }
  if (o->unsetenv_all && json_object_array_length (env))
    json_object_array_del_idx (env, 0, json_object_array_length (env));
  return 0;
}

int
ferry_env_is_unset (const struct ferry_create_options *o, const char *key)
{
  if (o->unsetenv_all)
    return 1;
  for (size_t i = 0; o->unsetenv && o->unsetenv[i]; i++)
    if (strcmp (o->unsetenv[i], key) == 0)
      return 1;
  return 0;
}

void
ferry_env_host_apply (const struct ferry_create_options *o, json_object *env)
{
  if (o->env_host)
    for (char **v = environ; v && *v; v++)
      if (strchr (*v, '=') && **v != '=')
        ferry_env_set (env, *v);
  if (o->no_http_proxy)
    return;
  for (size_t i = 0; FERRY_PROXY_ENV[i]; i++)
    {
      const char *v = getenv (FERRY_PROXY_ENV[i]);
      cleanup_free char *kv = NULL;

      if (v == NULL)
        continue;
      kv = xasprintf ("%s=%s", FERRY_PROXY_ENV[i], v);
      ferry_env_set (env, kv);
    }
}

char *
ferry_passwd_entry_expand (const char *template_, const char *user, unsigned uid, unsigned gid,
                           const char *group)
{
  char uid_text[16], gid_text[16];
  const struct
  {
    const char *name;
    const char *value;
  } vars[] = { { "$USERNAME", user },         { "$UID", uid_text }, { "$GID", gid_text },
               { "$NAME", "container user" }, { "$HOME", "/" },     { "$GROUPNAME", group } };
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&out, &len);

  if (f == NULL)
    abort ();
  snprintf (uid_text, sizeof (uid_text), "%u", uid);
  snprintf (gid_text, sizeof (gid_text), "%u", gid);
  for (const char *p = template_; *p;)
    {
      size_t k, n = sizeof (vars) / sizeof (vars[0]);

      for (k = 0; k < n && strncmp (p, vars[k].name, strlen (vars[k].name)) != 0; k++)
        ;
      if (k == n)
        {
          /* One line: a newline would make two entries.  */
          fputc (*p == '\n' ? ' ' : *p, f);
          p++;
          continue;
        }
      fputs (vars[k].value, f);
      p += strlen (vars[k].name);
    }
  fclose (f);
  return out;
}

/* True when TEXT (an /etc/passwd or /etc/group) has a line whose third
 * field is ID.  */
static int
has_id (const char *text, unsigned id)
{
  char want[16];
  int n = snprintf (want, sizeof (want), "%u", id);

  for (const char *line = text; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    {
      const char *f = line;
      for (int i = 0; i < 2 && f; i++)
        {
          f = strpbrk (f, ":\n");
          f = f && *f == ':' ? f + 1 : NULL;
        }
      if (f && strncmp (f, want, n) == 0 && (f[n] == ':' || f[n] == '\n' || f[n] == '\0'))
        return 1;
    }
  return 0;
}

static int
write_with_line (const char *dir, const char *name, const char *text, const char *line, char **path,
                 ferry_error_t *err)
{
  cleanup_free char *data = xasprintf ("%s%s%s\n", text ? text : "",
                                       text && *text && text[strlen (text) - 1] != '\n' ? "\n" : "", line);
  cleanup_free char *p = xasprintf ("%s/%s", dir, name);

  if (ferry_write_file_atomic (p, data, strlen (data), 0644, err) < 0)
    return -1;
  *path = steal_pointer (&p);
  return 0;
}

/* True when TEXT has a line for user NAME.  */
static int
has_name (const char *text, const char *name)
{
  size_t n = strlen (name);

  for (const char *line = text; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    if (strncmp (line, name, n) == 0 && line[n] == ':')
      return 1;
  return 0;
}

/* --hostuser: appends to *LINES a line for each of REC's "HostUsers"
 * (names or uids of this host's users) that PASSWD lacks, as Podman
 * writes them.  One this host does not know: kind COMMAND_NOT_EXECUTABLE,
 * as Podman exits 126.  */
static int
host_users_lines (const char *passwd, json_object *rec, char **lines, ferry_error_t *err)
{
  json_object *users = ferry_json_get_array (rec, "HostUsers");

  for (size_t i = 0; i < ferry_json_array_length (users); i++)
    {
      const char *u = json_object_get_string (json_object_array_get_idx (users, i));
      struct passwd pw, *found = NULL;
      char buf[4096];
      char *grown;

      if (strspn (u, "0123456789") == strlen (u) && strlen (u) < 10)
        getpwuid_r ((uid_t) strtoul (u, NULL, 10), &pw, buf, sizeof (buf), &found);
      else
        getpwnam_r (u, &pw, buf, sizeof (buf), &found);
      if (found == NULL)
        return ferry_make_error_kind (err, FERRY_ERROR_COMMAND_NOT_EXECUTABLE,
                                      "creating temporary passwd file for the container: unknown user %s on "
                                      "this host (--hostuser): give a user of this host's /etc/passwd",
                                      u);
      if (has_name (passwd, pw.pw_name) || (*lines && has_name (*lines, pw.pw_name)))
        continue;
      grown = xasprintf ("%s%s%s:*:%u:%u:%s:/:/bin/sh", *lines ? *lines : "", *lines ? "\n" : "", pw.pw_name,
                         (unsigned) pw.pw_uid, (unsigned) pw.pw_gid,
                         pw.pw_gecos && ! strpbrk (pw.pw_gecos, ":\n") ? pw.pw_gecos : "");
      free (*lines);
      *lines = grown;
    }
  return 0;
}

static int
host_users_write (const char *rootfs, json_object *rec, const char *dir, char **passwd_path,
                  ferry_error_t *err)
{
  cleanup_free char *passwd = NULL, *lines = NULL;

  if (ferry_json_array_length (ferry_json_get_array (rec, "HostUsers")) == 0)
    return 0;
  if (ferry_spec_read_root_file (rootfs, "etc/passwd", &passwd, err) < 0
      || host_users_lines (passwd, rec, &lines, err) < 0)
    return -1;
  return lines ? write_with_line (dir, "passwd", passwd, lines, passwd_path, err) : 0;
}

/* Podman's line for a numeric --user the image lacks: the host's name
 * and full name for that uid when the host has one, else the uid and
 * "container user"; the home is the working directory.  */
static char *
default_passwd_line (json_object *rec, const char *name, unsigned uid, unsigned gid)
{
  const char *home = ferry_json_get_string (rec, "WorkingDir");
  struct passwd pw, *found = NULL;
  char buf[4096];

  if (home == NULL || *home == '\0' || strpbrk (home, ":\n"))
    home = "/";
  if (*name && strspn (name, "0123456789") == strlen (name)
      && getpwuid_r ((uid_t) uid, &pw, buf, sizeof (buf), &found) == 0 && found && pw.pw_name
      && ! strpbrk (pw.pw_name, ":\n"))
    {
      /* The full name: the comment up to its first comma.  */
      size_t len = pw.pw_gecos ? strcspn (pw.pw_gecos, ",") : 0;
      cleanup_free char *full = xstrndup (pw.pw_gecos ? pw.pw_gecos : "", len);

      if (strpbrk (full, ":\n"))
        full[0] = '\0';
      return xasprintf ("%s:*:%u:%u:%s:%s:/bin/sh", pw.pw_name, uid, gid, full, home);
    }
  return xasprintf ("%s:*:%u:%u:container user:%s:/bin/sh", name, uid, gid, home);
}

int
ferry_passwd_files_write (const char *rootfs, json_object *rec, unsigned uid, unsigned gid, const char *dir,
                          char **passwd_path, char **group_path, ferry_error_t *err)
{
  const char *user = ferry_json_get_string (rec, "User");
  json_object *want = json_object_object_get (rec, "Passwd");
  cleanup_free char *passwd = NULL, *group = NULL, *name = NULL, *gname = NULL;
  cleanup_free char *pline = NULL, *gline = NULL;
  const char *colon;
  int generated = 0;

  *passwd_path = *group_path = NULL;
  if (user == NULL || *user == '\0' || (want && ! json_object_get_boolean (want)))
    return host_users_write (rootfs, rec, dir, passwd_path, err);
  colon = strchr (user, ':');
  name = colon ? xstrndup (user, colon - user) : xstrdup (user);
  gname = colon && colon[1] ? xstrdup (colon + 1) : xasprintf ("%u", gid);
  if (ferry_spec_read_root_file (rootfs, "etc/passwd", &passwd, err) < 0
      || ferry_spec_read_root_file (rootfs, "etc/group", &group, err) < 0)
    return -1;
  if (! has_id (passwd, uid))
    {
      const char *t = ferry_json_get_string (rec, "PasswdEntry");
      pline = t ? ferry_passwd_entry_expand (t, name, uid, gid, gname)
                : default_passwd_line (rec, name, uid, gid);
      generated = 1;
    }
  if (host_users_lines (passwd, rec, &pline, err) < 0)
    return -1;
  if (pline && write_with_line (dir, "passwd", passwd, pline, passwd_path, err) < 0)
    return -1;
  if (! has_id (group, gid))
    {
      const char *t = ferry_json_get_string (rec, "GroupEntry");
      gline = t ? ferry_passwd_entry_expand (t, name, uid, gid, gname)
                : xasprintf ("%s:x:%u:%s", gname, gid, name);
      if (write_with_line (dir, "group", group, gline, group_path, err) < 0)
        return -1;
    }
  return generated;
}
