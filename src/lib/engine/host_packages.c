/* ferry: the packages of the programs ferry drives (host_packages.h).  */
#include "host_packages.h"
#include "../util/cleanup.h"
#include "../util/fs.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Bigger than any package's file list; a larger one is not dpkg's.  */
#define LIST_MAX (64 * 1024 * 1024)

/* The value of FIELD on the stanza line L ("Field: value"), up to the end
 * of the line, or NULL.  */
static const char *
field_value (const char *l, const char *field, size_t *len)
{
  size_t n = strlen (field);

  if (strncmp (l, field, n) != 0 || l[n] != ':')
    return NULL;
  l += n + 1;
  while (*l == ' ' || *l == '\t')
    l++;
  *len = strcspn (l, "\n");
  while (*len > 0 && (l[*len - 1] == ' ' || l[*len - 1] == '\t' || l[*len - 1] == '\r'))
    (*len)--;
  return l;
}

struct stanza
{
  const char *package, *status, *version, *arch;
  size_t package_len, status_len, version_len, arch_len;
};

/* Whether S is PACKAGE (NAME or NAME:ARCH), installed.  */
static int
stanza_matches (const struct stanza *s, const char *package)
{
  const char *colon = strchr (package, ':');
  size_t name_len = colon ? (size_t) (colon - package) : strlen (package);
  static const char installed[] = "install ok installed";

  if (s->package == NULL || s->version == NULL || s->arch == NULL || s->status == NULL)
    return 0;
  if (s->package_len != name_len || strncmp (s->package, package, name_len) != 0)
    return 0;
  if (colon && (s->arch_len != strlen (colon + 1) || strncmp (s->arch, colon + 1, s->arch_len) != 0))
    return 0;
  return s->status_len == strlen (installed) && strncmp (s->status, installed, s->status_len) == 0;
}

char *
ferry_dpkg_status_lookup (const char *status, const char *package)
{
  struct stanza s = { 0 };
  const char *l = status;

  if (status == NULL || package == NULL || *package == '\0')
    return NULL;
  for (;;)
    {
      int end = l == NULL || *l == '\0' || *l == '\n';

      if (end)
        {
          if (stanza_matches (&s, package))
            return xasprintf ("%.*s_%.*s_%.*s", (int) s.package_len, s.package, (int) s.version_len,
                              s.version, (int) s.arch_len, s.arch);
          memset (&s, 0, sizeof (s));
          if (l == NULL || *l == '\0')
            return NULL;
        }
      else if (*l != ' ' && *l != '\t')
        {
          const char *v;
          size_t n;

          if ((v = field_value (l, "Package", &n)))
            s.package = v, s.package_len = n;
          else if ((v = field_value (l, "Status", &n)))
            s.status = v, s.status_len = n;
          else if ((v = field_value (l, "Version", &n)))
            s.version = v, s.version_len = n;
          else if ((v = field_value (l, "Architecture", &n)))
            s.arch = v, s.arch_len = n;
        }
      l = strchr (l, '\n');
      if (l)
        l++;
    }
}

struct wanted
{
  char *names[2]; /* as given, and resolved when that differs */
  char *owner;    /* a list file's name without ".list" */
};

/* Whether the file list TEXT has a line that is NAME.  */
static int
list_names (const char *text, const char *name)
{
  size_t n = strlen (name);

  for (const char *p = strstr (text, name); p; p = strstr (p + 1, name))
    if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
      return 1;
  return 0;
}

/* Reads LIST (a list file NAME.list) and gives its package to the wanted
 * files it names; the number still without one.  */
static size_t
take_list (const char *dir, const char *file, struct wanted *w, size_t n, size_t left)
{
  cleanup_free char *path = xasprintf ("%s/%s", dir, file);
  cleanup_free char *text = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  size_t len;
  struct stat st;

  if (stat (path, &st) < 0 || ! S_ISREG (st.st_mode) || st.st_size > LIST_MAX
      || ferry_read_file (path, &text, &len, &ignored) < 0)
    return left;
  for (size_t i = 0; i < n; i++)
    {
      if (w[i].owner || w[i].names[0] == NULL)
        continue;
      if (list_names (text, w[i].names[0]) || (w[i].names[1] && list_names (text, w[i].names[1])))
        {
          w[i].owner = xstrndup (file, strlen (file) - strlen (".list"));
          left--;
        }
    }
  return left;
}

static int
is_list_file (const char *name)
{
  size_t n = strlen (name);

  return n > 5 && strcmp (name + n - 5, ".list") == 0 && name[0] != '.' && strchr (name, '/') == NULL;
}

void
ferry_host_packages (const char *dpkg_dir, const char *const *paths, size_t n, char **out)
{
  cleanup_free struct wanted *w = xmalloc0 (sizeof (*w) * (n + 1));
  cleanup_free char *info = xasprintf ("%s/info", dpkg_dir);
  cleanup_free char *status_path = xasprintf ("%s/status", dpkg_dir);
  cleanup_free char *status = NULL;
  cleanup_error ferry_error_t ignored = NULL;
  size_t left = 0, len;
  DIR *d;

  for (size_t i = 0; i < n; i++)
    {
      char resolved[PATH_MAX];

      if (paths[i] == NULL || paths[i][0] != '/')
        continue;
      w[i].names[0] = xstrdup (paths[i]);
      if (realpath (paths[i], resolved) && strcmp (resolved, paths[i]) != 0)
        w[i].names[1] = xstrdup (resolved);
      left++;
    }
  /* Most programs come from the package of their own name: its list
   * first, the others only for what that leaves.  */
  for (size_t i = 0; i < n && left; i++)
    if (w[i].names[0] && w[i].owner == NULL)
      {
        cleanup_free char *file = xasprintf ("%s.list", strrchr (w[i].names[0], '/') + 1);

        if (is_list_file (file))
          left = take_list (info, file, w, n, left);
      }
  d = left ? opendir (info) : NULL;
  if (d)
    {
      struct dirent *de;

      while (left && (de = readdir (d)))
        if (is_list_file (de->d_name))
          left = take_list (info, de->d_name, w, n, left);
      closedir (d);
    }
  if (ferry_read_file (status_path, &status, &len, &ignored) < 0)
    status = NULL;
  for (size_t i = 0; i < n; i++)
    {
      char *found = w[i].owner && status ? ferry_dpkg_status_lookup (status, w[i].owner) : NULL;

      if (w[i].names[0] == NULL)
        out[i] = xstrdup ("");
      else
        out[i] = found ? found : xstrdup (FERRY_PACKAGE_UNKNOWN);
      free (w[i].names[0]);
      free (w[i].names[1]);
      free (w[i].owner);
    }
}
