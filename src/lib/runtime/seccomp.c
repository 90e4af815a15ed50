#include "seccomp.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

json_object *
ferry_seccomp_profile_load (const char *path, ferry_error_t *err)
{
  cleanup_free char *what = xasprintf ("seccomp profile `%s`", path);
  json_object *profile = ferry_json_parse_file (path, what, err);

  if (profile && ! json_object_is_type (profile, json_type_object))
    {
      json_object_put (profile);
      ferry_make_error (err, 0, "%s is not a JSON object", what);
      return NULL;
    }
  return profile;
}

const char *
ferry_seccomp_default_profile_path (void)
{
  static const char *const paths[] = { FERRY_SECCOMP_DEFAULT_PATHS, NULL };

  for (size_t i = 0; paths[i]; i++)
    if (access (paths[i], F_OK) == 0)
      return paths[i];
  return NULL;
}

json_object *
ferry_seccomp_default_profile (ferry_error_t *err)
{
  static const char *const paths[] = { FERRY_SECCOMP_DEFAULT_PATHS, NULL };
  size_t i;

  for (i = 0; paths[i]; i++)
    if (access (paths[i], F_OK) == 0)
      return ferry_seccomp_profile_load (paths[i], err);
  ferry_make_error (err, ENOENT,
                    "no default seccomp profile (%s or %s): install Debian's golang-github-containers-common "
                    "package, or run the container with --security-opt seccomp=unconfined",
                    paths[0], paths[1]);
  return NULL;
}

/* The host's architecture as libseccomp and as Go name it.  */
static void
host_arch (const char **scmp, const char **go)
{
  struct utsname u;

  *scmp = "SCMP_ARCH_X86_64";
  *go = "amd64";
  if (uname (&u) < 0)
    return;
  if (strcmp (u.machine, "aarch64") == 0)
    *scmp = "SCMP_ARCH_AARCH64", *go = "arm64";
  else if (strcmp (u.machine, "s390x") == 0)
    *scmp = "SCMP_ARCH_S390X", *go = "s390x";
  else if (strcmp (u.machine, "ppc64le") == 0)
    *scmp = "SCMP_ARCH_PPC64LE", *go = "ppc64le";
  else if (strcmp (u.machine, "riscv64") == 0)
    *scmp = "SCMP_ARCH_RISCV64", *go = "riscv64";
}

static int
strings_contain (json_object *a, const char *s)
{
  for (size_t i = 0; i < json_object_array_length (a); i++)
    {
      json_object *v = json_object_array_get_idx (a, i);
      if (json_object_is_type (v, json_type_string) && strcmp (json_object_get_string (v), s) == 0)
        return 1;
    }
  return 0;
}

static int
strv_contains (const char *const *v, const char *s)
{
  for (; v && *v; v++)
    if (strcmp (*v, s) == 0)
      return 1;
  return 0;
}

static int
is_string_array (json_object *a)
{
  if (! json_object_is_type (a, json_type_array))
    return 0;
  for (size_t i = 0; i < json_object_array_length (a); i++)
    if (! json_object_is_type (json_object_array_get_idx (a, i), json_type_string))
      return 0;
  return 1;
}

/* "6.1" <= the running kernel's release.  */
static int
kernel_at_least (const char *version)
{
  struct utsname u;
  int want_major = 0, want_minor = 0, major = 0, minor = 0;

  if (sscanf (version, "%d.%d", &want_major, &want_minor) < 1 || uname (&u) < 0
      || sscanf (u.release, "%d.%d", &major, &minor) < 1)
    return 0;
  return major > want_major || (major == want_major && minor >= want_minor);
}

/* Whether the rule's includes and excludes fit this host and these
 * capabilities: every include must hold, no exclude may.  -1 when they
 * are malformed.  */
static int
rule_applies (json_object *rule, const char *go_arch, const char *const *caps)
{
  json_object *inc = json_object_object_get (rule, "includes");
  json_object *exc = json_object_object_get (rule, "excludes");
  json_object *v;
  size_t i;

  if ((inc && ! json_object_is_type (inc, json_type_object))
      || (exc && ! json_object_is_type (exc, json_type_object)))
    return -1;
  if ((v = json_object_object_get (inc, "arches")))
    {
      if (! is_string_array (v))
        return -1;
      if (json_object_array_length (v) && ! strings_contain (v, go_arch))
        return 0;
    }
  if ((v = json_object_object_get (inc, "caps")))
    {
      if (! is_string_array (v))
        return -1;
      for (i = 0; i < json_object_array_length (v); i++)
        if (! strv_contains (caps, json_object_get_string (json_object_array_get_idx (v, i))))
          return 0;
    }
  if ((v = json_object_object_get (inc, "minKernel")) && json_object_is_type (v, json_type_string)
      && ! kernel_at_least (json_object_get_string (v)))
    return 0;
  if ((v = json_object_object_get (exc, "arches")))
    {
      if (! is_string_array (v))
        return -1;
      if (strings_contain (v, go_arch))
        return 0;
    }
  if ((v = json_object_object_get (exc, "caps")))
    {
      if (! is_string_array (v))
        return -1;
      for (i = 0; i < json_object_array_length (v); i++)
        if (strv_contains (caps, json_object_get_string (json_object_array_get_idx (v, i))))
          return 0;
    }
  return 1;
}

static int
is_action (const char *s)
{
  static const char *const actions[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",   "SCMP_ACT_ERRNO",
    "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY", NULL
  };
  return s && strv_contains (actions, s);
}

static int
is_op (const char *s)
{
  static const char *const ops[] = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
                                     "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL };
  return s && strv_contains (ops, s);
}

static json_object *
convert_args (json_object *args, const char *what, ferry_error_t *err)
{
  cleanup_json json_object *out = json_object_new_array ();

  if (args == NULL || json_object_is_type (args, json_type_null))
    return steal_pointer (&out);
  if (! json_object_is_type (args, json_type_array))
    goto bad;
  for (size_t i = 0; i < json_object_array_length (args); i++)
    {
      json_object *a = json_object_array_get_idx (args, i), *c;
      json_object *index = json_object_object_get (a, "index"), *value = json_object_object_get (a, "value");
      json_object *two = json_object_object_get (a, "valueTwo");
      const char *op = ferry_json_get_string (a, "op");

      if (! json_object_is_type (index, json_type_int) || json_object_get_int64 (index) < 0
          || json_object_get_int64 (index) > 5 || ! json_object_is_type (value, json_type_int)
          || (two && ! json_object_is_type (two, json_type_int)) || ! is_op (op))
        goto bad;
      c = json_object_new_object ();
      json_object_object_add (c, "index", json_object_new_int64 (json_object_get_int64 (index)));
      /* json-c keeps values above INT64_MAX as unsigned.  */
      json_object_object_add (c, "value", json_object_new_uint64 (json_object_get_uint64 (value)));
      json_object_object_add (c, "valueTwo", json_object_new_uint64 (two ? json_object_get_uint64 (two) : 0));
      json_object_object_add (c, "op", json_object_new_string (op));
      json_object_array_add (out, c);
    }
  return steal_pointer (&out);

bad:
  ferry_make_error (err, 0, "%s has a rule with malformed args", what);
  return NULL;
}

static int
add_architectures (json_object *oci, json_object *profile, const char *scmp_arch, const char *what,
                   ferry_error_t *err)
{
  json_object *map = json_object_object_get (profile, "archMap");
  json_object *arches = json_object_new_array ();

  json_object_object_add (oci, "architectures", arches);
  if (map == NULL)
    return 0;
  if (! json_object_is_type (map, json_type_array))
    return ferry_make_error (err, 0, "%s has an archMap that is not a list", what);
  for (size_t i = 0; i < json_object_array_length (map); i++)
    {
      json_object *m = json_object_array_get_idx (map, i);
      json_object *subs = json_object_object_get (m, "subArchitectures");

      if (! ferry_json_string_equals (m, "architecture", scmp_arch))
        continue;
      if (subs && ! is_string_array (subs))
        return ferry_make_error (err, 0, "%s has malformed subArchitectures", what);
      json_object_array_add (arches, json_object_new_string (scmp_arch));
      for (size_t j = 0; subs && j < json_object_array_length (subs); j++)
        json_object_array_add (arches, json_object_get (json_object_array_get_idx (subs, j)));
    }
  return 0;
}

json_object *
ferry_seccomp_to_oci (json_object *profile, const char *const *caps, const char *what, ferry_error_t *err)
{
  cleanup_json json_object *oci = json_object_new_object ();
  json_object *rules = json_object_object_get (profile, "syscalls");
  json_object *out_rules = json_object_new_array ();
  const char *action = ferry_json_get_string (profile, "defaultAction");
  json_object *errno_ret = json_object_object_get (profile, "defaultErrnoRet");
  const char *scmp_arch, *go_arch;

  host_arch (&scmp_arch, &go_arch);
  json_object_object_add (oci, "syscalls", out_rules);
  if (! is_action (action))
    {
      ferry_make_error (err, 0, "%s has no valid defaultAction", what);
      return NULL;
    }
  json_object_object_add (oci, "defaultAction", json_object_new_string (action));
  if (errno_ret)
    {
      if (! json_object_is_type (errno_ret, json_type_int) || json_object_get_int64 (errno_ret) < 0)
        {
          ferry_make_error (err, 0, "%s has a defaultErrnoRet that is not a number", what);
          return NULL;
        }
      json_object_object_add (oci, "defaultErrnoRet",
                              json_object_new_int64 (json_object_get_int64 (errno_ret)));
    }
  if (add_architectures (oci, profile, scmp_arch, what, err) < 0)
    return NULL;
  if (rules && ! json_object_is_type (rules, json_type_array))
    {
      ferry_make_error (err, 0, "%s has syscalls that are not a list", what);
      return NULL;
    }
  for (size_t i = 0; rules && i < json_object_array_length (rules); i++)
    {
      json_object *rule = json_object_array_get_idx (rules, i), *r, *args;
      json_object *names = json_object_object_get (rule, "names");
      json_object *rule_errno = json_object_object_get (rule, "errnoRet");
      const char *rule_action = ferry_json_get_string (rule, "action");
      int applies = rule_applies (rule, go_arch, caps);

      if (applies < 0 || ! is_string_array (names) || ! is_action (rule_action)
          || (rule_errno && ! json_object_is_type (rule_errno, json_type_int)))
        {
          ferry_make_error (err, 0, "%s has a malformed rule (number %zu)", what, i + 1);
          return NULL;
        }
      if (! applies)
        continue;
      args = convert_args (json_object_object_get (rule, "args"), what, err);
      if (args == NULL)
        return NULL;
      r = json_object_new_object ();
      json_object_object_add (r, "names", json_object_get (names));
      json_object_object_add (r, "action", json_object_new_string (rule_action));
      if (rule_errno)
        json_object_object_add (r, "errnoRet", json_object_new_int64 (json_object_get_int64 (rule_errno)));
      json_object_object_add (r, "args", args);
      json_object_array_add (out_rules, r);
    }
  return steal_pointer (&oci);
}
