/* ferry: the OCI mount options a user mount may carry (mount_options.h).  */
#include "mount_options.h"

#include <string.h>

static const char *const PROPAGATIONS[]
    = { "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable", NULL };
static const char *const FLAGS[] = { "noexec", "exec", "nosuid", "suid", "nodev", "dev", NULL };
static const char *const TMPFS_ONLY[] = { "notmpcopyup", "noswap", NULL };

static bool
in_list (const char *const *list, const char *s)
{
  for (; *list; list++)
    if (strcmp (*list, s) == 0)
      return true;
  return false;
}

/* S is 1 to MAX characters, each from CHARS.  */
static bool
all_of (const char *s, const char *chars, size_t max)
{
  size_t n = strlen (s);

  return n > 0 && n <= max && strspn (s, chars) == n;
}

static bool
has_value (const char *option, const char *key, const char **value)
{
  size_t n = strlen (key);

  if (strncmp (option, key, n) != 0 || option[n] != '=')
    return false;
  *value = option + n + 1;
  return true;
}

/* N[k|m|g], as the kernel's tmpfs reads a size (or N%).  */
static bool
size_is_valid (const char *v)
{
  size_t n = strspn (v, "0123456789");

  if (n == 0 || n > 19)
    return false;
  return v[n] == '\0' || (v[n + 1] == '\0' && strchr ("kKmMgG%", v[n]) != NULL);
}

bool
ferry_mount_type_is_known (const char *type)
{
  static const char *const TYPES[] = { "volume", "bind", "tmpfs", "ramfs", "devpts", "image", NULL };

  return type != NULL && in_list (TYPES, type);
}

bool
ferry_mount_propagation_is_valid (const char *option)
{
  return in_list (PROPAGATIONS, option);
}

bool
ferry_mount_typed_option_is_valid (const char *word)
{
  static const char *const OTHERS[] = { "ro", "rw", "z", "Z", "U", "bind", "rbind", "copy", "nocopy", NULL };

  return word != NULL
         && (in_list (OTHERS, word) || ferry_mount_flag_is_valid (word)
             || ferry_mount_propagation_is_valid (word));
}

bool
ferry_mount_flag_is_valid (const char *option)
{
  return option != NULL && in_list (FLAGS, option);
}

const char *
ferry_mount_flag_opposite (const char *flag)
{
  static const char *const pairs[][2] = { { "exec", "noexec" }, { "suid", "nosuid" }, { "dev", "nodev" } };

  for (size_t i = 0; flag && i < sizeof (pairs) / sizeof (pairs[0]); i++)
    {
      if (strcmp (flag, pairs[i][0]) == 0)
        return pairs[i][1];
      if (strcmp (flag, pairs[i][1]) == 0)
        return pairs[i][0];
    }
  return NULL;
}

bool
ferry_mount_option_is_valid (const char *type, const char *option)
{
  const char *v;

  if (type == NULL || option == NULL)
    return false;
  if (strcmp (type, "bind") == 0)
    return strcmp (option, "bind") == 0 || ferry_mount_propagation_is_valid (option)
           || ferry_mount_flag_is_valid (option);
  if (strcmp (type, "volume") == 0)
    return strcmp (option, "bind") == 0 || ferry_mount_propagation_is_valid (option)
           || ferry_mount_flag_is_valid (option);
  if (strcmp (type, "ramfs") == 0)
    return ferry_mount_flag_is_valid (option);
  if (strcmp (type, "tmpfs") == 0)
    {
      if (has_value (option, "size", &v))
        return size_is_valid (v);
      if (has_value (option, "mode", &v))
        return all_of (v, "01234567", 4);
      return ferry_mount_flag_is_valid (option) || ferry_mount_propagation_is_valid (option)
             || in_list (TMPFS_ONLY, option);
    }
  if (strcmp (type, "devpts") == 0)
    {
      if (has_value (option, "uid", &v) || has_value (option, "gid", &v) || has_value (option, "max", &v))
        return all_of (v, "0123456789", 10);
      if (has_value (option, "mode", &v))
        return all_of (v, "01234567", 4);
      return false;
    }
  return false;
}
