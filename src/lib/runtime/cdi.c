/* ferry: CDI spec files and their edits to the OCI spec (cdi.h).  */
#include "cdi.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <yaml.h>

/* A spec file larger than this is no device description.  */
#define CDI_SPEC_MAX_SIZE (4 * 1024 * 1024)
/* YAML aliases can make a small file a huge tree: no more nodes than
 * this, no deeper.  */
#define CDI_YAML_MAX_NODES 100000
#define CDI_YAML_MAX_DEPTH 64

static const char *const DEFAULT_DIRS[] = { FERRY_CDI_DEFAULT_DIRS, NULL };

/* The versions of the CDI specification there are (the Go library's
 * list).  */
static const char *const VERSIONS[]
    = { "0.1.0", "0.2.0", "0.3.0", "0.4.0", "0.5.0", "0.6.0", "0.7.0", "0.8.0", "1.0.0", NULL };

static const char *const HOOK_NAMES[]
    = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL };

/* ---- names ------------------------------------------------------------- */

static int
is_letter (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_alnum (char c)
{
  return is_letter (c) || (c >= '0' && c <= '9');
}

/* A vendor or class: a letter first, a letter or digit last, and
 * letters, digits, '-', '_' and '.' between.  */
static int
valid_vendor_or_class (const char *s, size_t n)
{
  if (n == 0 || ! is_letter (s[0]) || ! is_alnum (s[n - 1]))
    return 0;
  for (size_t i = 1; i + 1 < n; i++)
    if (! is_alnum (s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
      return 0;
  return 1;
}

/* A device name: a letter or digit first and last, and letters, digits,
 * '-', '_', '.' and ':' between.  */
static int
valid_device_name (const char *s)
{
  size_t n = strlen (s);

  if (n == 0 || ! is_alnum (s[0]) || ! is_alnum (s[n - 1]))
    return 0;
  for (size_t i = 1; i + 1 < n; i++)
    if (! is_alnum (s[i]) && ! strchr ("-_.:", s[i]))
      return 0;
  return 1;
}

/* KIND as VENDOR/CLASS.  */
static int
valid_kind (const char *kind)
{
  const char *slash = strchr (kind, '/');

  return slash && valid_vendor_or_class (kind, slash - kind)
         && valid_vendor_or_class (slash + 1, strlen (slash + 1));
}

int
ferry_cdi_is_qualified_name (const char *name)
{
  const char *eq = strchr (name, '=');
  cleanup_free char *kind = NULL;

  if (eq == NULL)
    return 0;
  kind = xstrndup (name, eq - name);
  return valid_kind (kind) && valid_device_name (eq + 1);
}

/* ---- reading ----------------------------------------------------------- */

static json_object *yaml_node_to_json (yaml_document_t *doc, yaml_node_t *node, int depth, size_t *budget);

/* A plain YAML scalar as the Go library reads it: null, a boolean, a
 * number, or else a string.  */
static json_object *
yaml_plain_scalar (const char *s)
{
  static const char *const trues[] = { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", NULL };
  static const char *const falses[]
      = { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", NULL };
  char *end;

  if (*s == '\0' || strcmp (s, "~") == 0 || strcmp (s, "null") == 0 || strcmp (s, "Null") == 0
      || strcmp (s, "NULL") == 0)
    return NULL;
  for (size_t i = 0; trues[i]; i++)
    if (strcmp (s, trues[i]) == 0)
      return json_object_new_boolean (1);
  for (size_t i = 0; falses[i]; i++)
    if (strcmp (s, falses[i]) == 0)
      return json_object_new_boolean (0);
  errno = 0;
  {
    /* YAML 1.1's integers, as Go's YAML reads them: 0644 and 0o644
     * octal (a fileMode), 0x1f hexadecimal.  */
    const char *digits = s + (*s == '-' || *s == '+');
    int base = 10;
    long long v;

    if (digits[0] == '0' && (digits[1] == 'o' || digits[1] == 'O') && digits[2])
      {
        v = strtoll (digits + 2, &end, 8);
        if (errno == 0 && *end == '\0' && digits[2] != '-' && digits[2] != '+')
          return json_object_new_int64 (*s == '-' ? -v : v);
        errno = 0;
      }
    else
      {
        if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
          base = 16;
        else if (digits[0] == '0' && digits[1] && strspn (digits, "01234567") == strlen (digits))
          base = 8;
        v = strtoll (s, &end, base);
        if (errno == 0 && *end == '\0' && end != s)
          return json_object_new_int64 (v);
        errno = 0;
      }
  }
  errno = 0;
  {
    double d = strtod (s, &end);
    if (errno == 0 && *end == '\0' && end != s && strspn (s, "+-0123456789.eE") == strlen (s))
      return json_object_new_double (d);
  }
  return json_object_new_string (s);
}

static json_object *
yaml_node_to_json (yaml_document_t *doc, yaml_node_t *node, int depth, size_t *budget)
{
  json_object *out;

  if (node == NULL || depth > CDI_YAML_MAX_DEPTH || *budget == 0)
    return NULL;
  (*budget)--;
  switch (node->type)
    {
    case YAML_SCALAR_NODE:
      {
        const char *s = (const char *) node->data.scalar.value;
        if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
          return yaml_plain_scalar (s);
        return json_object_new_string_len (s, (int) node->data.scalar.length);
      }
    case YAML_SEQUENCE_NODE:
      out = json_object_new_array ();
      for (yaml_node_item_t *i = node->data.sequence.items.start; i < node->data.sequence.items.top; i++)
        {
          yaml_node_t *item = yaml_document_get_node (doc, *i);
          json_object *v = yaml_node_to_json (doc, item, depth + 1, budget);
          if (*budget == 0)
            {
              json_object_put (v);
              json_object_put (out);
              return NULL;
            }
          json_object_array_add (out, v);
        }
      return out;
    case YAML_MAPPING_NODE:
      out = json_object_new_object ();
      for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top; p++)
        {
          yaml_node_t *key = yaml_document_get_node (doc, p->key);
          json_object *v;

          if (key == NULL || key->type != YAML_SCALAR_NODE)
            {
              json_object_put (out);
              *budget = 0;
              return NULL;
            }
          v = yaml_node_to_json (doc, yaml_document_get_node (doc, p->value), depth + 1, budget);
          if (*budget == 0)
            {
              json_object_put (v);
              json_object_put (out);
              return NULL;
            }
          json_object_object_add (out, (const char *) key->data.scalar.value, v);
        }
      return out;
    default:
      return NULL;
    }
}

static json_object *
parse_yaml (const char *path, const char *text, size_t len, ferry_error_t *err)
{
  yaml_parser_t parser;
  yaml_document_t doc;
  json_object *out = NULL;
  size_t budget = CDI_YAML_MAX_NODES;

  if (! yaml_parser_initialize (&parser))
    return ferry_make_error (err, ENOMEM, "cannot read CDI spec `%s`", path), NULL;
  yaml_parser_set_input_string (&parser, (const unsigned char *) text, len);
  if (! yaml_parser_load (&parser, &doc))
    {
      ferry_make_error (err, 0, "invalid CDI spec `%s`: not YAML: %s at line %zu", path,
                        parser.problem ? parser.problem : "cannot parse", parser.problem_mark.line + 1);
      yaml_parser_delete (&parser);
      return NULL;
    }
  if (yaml_document_get_root_node (&doc))
    out = yaml_node_to_json (&doc, yaml_document_get_root_node (&doc), 0, &budget);
  yaml_document_delete (&doc);
  yaml_parser_delete (&parser);
  if (budget == 0)
    {
      json_object_put (out);
      return ferry_make_error (
                 err, 0, "invalid CDI spec `%s`: too many nodes, too deep, or a key that is not text", path),
             NULL;
    }
  return out;
}

/* ---- validation -------------------------------------------------------- */

static int
version_number (const char *v, unsigned *out)
{
  unsigned a, b, c;
  int n = 0;

  if (sscanf (v, "%u.%u.%u%n", &a, &b, &c, &n) != 3 || v[n] != '\0' || a > 99 || b > 99 || c > 99)
    return -1;
  *out = a * 10000 + b * 100 + c;
  return 0;
}

static int
only_keys (json_object *o, const char *const *keys, const char **unknown)
{
  json_object_object_foreach (o, key, unused)
  {
    size_t i;
    (void) unused;
    for (i = 0; keys[i] && strcmp (keys[i], key) != 0; i++)
      ;
    if (keys[i] == NULL)
      {
        *unknown = key;
        return 0;
      }
  }
  return 1;
}

/* An absolute path without "..": where a spec points into the container
 * or the host.  */
static int
clean_absolute (const char *p)
{
  if (p == NULL || p[0] != '/' || strchr (p, '\n'))
    return 0;
  for (const char *s = p; (s = strstr (s, "..")); s += 2)
    if (s[-1] == '/' && (s[2] == '/' || s[2] == '\0'))
      return 0;
  return 1;
}

static int
string_list (json_object *v, int env)
{
  if (v == NULL)
    return 1;
  if (! json_object_is_type (v, json_type_array))
    return 0;
  for (size_t i = 0; i < json_object_array_length (v); i++)
    {
      const char *s = ferry_json_string_value (json_object_array_get_idx (v, i));
      if (s == NULL || (env && (strchr (s, '=') == NULL || s[0] == '=')))
        return 0;
    }
  return 1;
}

static int
uint_field (json_object *o, const char *key, int64_t max)
{
  json_object *v = json_object_object_get (o, key);

  return v == NULL
         || (json_object_is_type (v, json_type_int) && json_object_get_int64 (v) >= 0
             && json_object_get_int64 (v) <= max);
}

/* The version containerEdits E needs, raised in *NEED.  */
static int
check_edits (json_object *e, unsigned *need, char **why)
{
  static const char *const keys[]
      = { "env", "deviceNodes", "hooks", "mounts", "intelRdt", "additionalGids", NULL };
  static const char *const node_keys[]
      = { "path", "hostPath", "type", "major", "minor", "fileMode", "permissions", "uid", "gid", NULL };
  static const char *const mount_keys[] = { "hostPath", "containerPath", "options", "type", NULL };
  static const char *const hook_keys[] = { "hookName", "path", "args", "env", "timeout", NULL };
  static const char *const rdt_keys[]
      = { "closID", "l3CacheSchema", "memBwSchema", "enableCMT", "enableMBM", "schemata", NULL };
  const char *unknown = NULL;
  json_object *list;

  if (! json_object_is_type (e, json_type_object))
    return *why = xstrdup ("containerEdits must be an object"), -1;
  if (! only_keys (e, keys, &unknown))
    return *why = xasprintf ("unknown field \"%s\" in containerEdits", unknown), -1;
  if (! string_list (json_object_object_get (e, "env"), 1))
    return *why = xstrdup ("env must be a list of NAME=VALUE"), -1;
  list = json_object_object_get (e, "deviceNodes");
  if (list && ! json_object_is_type (list, json_type_array))
    return *why = xstrdup ("deviceNodes must be a list"), -1;
  for (size_t i = 0; list && i < json_object_array_length (list); i++)
    {
      json_object *d = json_object_array_get_idx (list, i);
      const char *path = ferry_json_get_string (d, "path");
      const char *host = ferry_json_get_string (d, "hostPath");
      const char *type = ferry_json_get_string (d, "type");
      const char *perms = ferry_json_get_string (d, "permissions");

      if (! json_object_is_type (d, json_type_object) || ! only_keys (d, node_keys, &unknown))
        return *why = xasprintf ("device node %zu is not an object of known fields", i + 1), -1;
      if (! clean_absolute (path))
        return *why = xasprintf ("device node %zu: path must be absolute", i + 1), -1;
      /* An empty hostPath is none: the path on the host too.  */
      if (json_object_object_get (d, "hostPath") && (host == NULL || (*host && ! clean_absolute (host))))
        return *why = xasprintf ("device %s: hostPath must be absolute", path), -1;
      if (json_object_object_get (d, "type")
          && (type == NULL || (*type && (strlen (type) != 1 || ! strchr ("bcup", type[0])))))
        return *why = xasprintf ("device %s: invalid type", path), -1;
      if (json_object_object_get (d, "permissions")
          && (perms == NULL || strspn (perms, "rwm") != strlen (perms)))
        return *why = xasprintf ("device %s: invalid permissions", path), -1;
      if (! uint_field (d, "major", INT64_MAX) || ! uint_field (d, "minor", INT64_MAX)
          || ! uint_field (d, "fileMode", 07777) || ! uint_field (d, "uid", UINT32_MAX)
          || ! uint_field (d, "gid", UINT32_MAX))
        return *why = xasprintf ("device %s: major, minor, fileMode, uid and gid must be numbers", path), -1;
      if (host && *host)
        *need = *need > 500 ? *need : 500;
    }
  list = json_object_object_get (e, "mounts");
  if (list && ! json_object_is_type (list, json_type_array))
    return *why = xstrdup ("mounts must be a list"), -1;
  for (size_t i = 0; list && i < json_object_array_length (list); i++)
    {
      json_object *m = json_object_array_get_idx (list, i);
      const char *host = ferry_json_get_string (m, "hostPath");
      const char *dest = ferry_json_get_string (m, "containerPath");
      const char *type = ferry_json_get_string (m, "type");

      if (! json_object_is_type (m, json_type_object) || ! only_keys (m, mount_keys, &unknown))
        return *why = xasprintf ("mount %zu is not an object of known fields", i + 1), -1;
      if (host == NULL || *host == '\0')
        return *why = xstrdup ("invalid mount, empty host path"), -1;
      if (dest == NULL || *dest == '\0')
        return *why = xstrdup ("invalid mount, empty container path"), -1;
      if (! clean_absolute (dest))
        return *why = xasprintf ("mount %s: containerPath must be absolute", dest), -1;
      /* A bind's source is a host path; another file system's is a name
       * (tmpfs, ...).  */
      if ((type == NULL || *type == '\0' || strcmp (type, "bind") == 0) && ! clean_absolute (host))
        return *why = xasprintf ("mount %s: hostPath must be absolute", dest), -1;
      if (! string_list (json_object_object_get (m, "options"), 0)
          || (json_object_object_get (m, "type") && type == NULL))
        return *why = xasprintf ("mount %s: options must be a list, type text", dest), -1;
      if (type && *type)
        *need = *need > 400 ? *need : 400;
    }
  list = json_object_object_get (e, "hooks");
  if (list && ! json_object_is_type (list, json_type_array))
    return *why = xstrdup ("hooks must be a list"), -1;
  for (size_t i = 0; list && i < json_object_array_length (list); i++)
    {
      json_object *h = json_object_array_get_idx (list, i);
      const char *name = ferry_json_get_string (h, "hookName");
      json_object *timeout = json_object_object_get (h, "timeout");
      size_t k;

      if (! json_object_is_type (h, json_type_object) || ! only_keys (h, hook_keys, &unknown))
        return *why = xasprintf ("hook %zu is not an object of known fields", i + 1), -1;
      for (k = 0; name && HOOK_NAMES[k] && strcmp (HOOK_NAMES[k], name) != 0; k++)
        ;
      if (name == NULL || HOOK_NAMES[k] == NULL)
        return *why = xasprintf ("invalid hook \"%s\"", name ? name : ""), -1;
      if (! clean_absolute (ferry_json_get_string (h, "path")))
        return *why = xasprintf ("hook %s: path must be absolute", name), -1;
      if (! string_list (json_object_object_get (h, "args"), 0)
          || ! string_list (json_object_object_get (h, "env"), 1))
        return *why = xasprintf ("hook %s: args and env must be lists (env of NAME=VALUE)", name), -1;
      if (timeout
          && (! json_object_is_type (timeout, json_type_int) || json_object_get_int64 (timeout) <= 0
              || json_object_get_int64 (timeout) > INT32_MAX))
        return *why = xasprintf ("hook %s: invalid timeout, must be > 0", name), -1;
    }
  list = json_object_object_get (e, "intelRdt");
  if (list)
    {
      const char *clos = ferry_json_get_string (list, "closID");

      if (! json_object_is_type (list, json_type_object) || ! only_keys (list, rdt_keys, &unknown))
        return *why = xstrdup ("intelRdt is not an object of known fields"), -1;
      if (clos && (strchr (clos, '/') || strcmp (clos, ".") == 0 || strcmp (clos, "..") == 0))
        return *why = xasprintf ("invalid intelRdt closID \"%s\"", clos), -1;
      *need = *need > 700 ? *need : 700;
    }
  list = json_object_object_get (e, "additionalGids");
  if (list)
    {
      if (! json_object_is_type (list, json_type_array))
        return *why = xstrdup ("additionalGids must be a list"), -1;
      for (size_t i = 0; i < json_object_array_length (list); i++)
        {
          json_object *g = json_object_array_get_idx (list, i);
          if (! json_object_is_type (g, json_type_int) || json_object_get_int64 (g) < 0
              || json_object_get_int64 (g) > UINT32_MAX)
            return *why = xstrdup ("additionalGids must be group IDs"), -1;
        }
      *need = *need > 700 ? *need : 700;
    }
  return 0;
}

/* Whether E has no edits; what is no object at all check_edits refuses.  */
static int
edits_empty (json_object *e)
{
  return e == NULL || (json_object_is_type (e, json_type_object) && json_object_object_length (e) == 0);
}

static int
check_spec (json_object *spec, char **why)
{
  static const char *const keys[]
      = { "cdiVersion", "kind", "annotations", "devices", "containerEdits", NULL };
  static const char *const device_keys[] = { "name", "annotations", "containerEdits", NULL };
  const char *version = ferry_json_get_string (spec, "cdiVersion");
  const char *kind = ferry_json_get_string (spec, "kind");
  const char *unknown = NULL;
  json_object *devices = json_object_object_get (spec, "devices");
  unsigned have, need = 300;
  size_t i, j;

  if (! json_object_is_type (spec, json_type_object))
    return *why = xstrdup ("not an object"), -1;
  if (! only_keys (spec, keys, &unknown))
    return *why = xasprintf ("unknown field \"%s\"", unknown), -1;
  for (i = 0; version && VERSIONS[i] && strcmp (VERSIONS[i], version) != 0; i++)
    ;
  if (version == NULL || VERSIONS[i] == NULL || version_number (version, &have) < 0)
    return *why = xasprintf ("invalid version \"%s\"", version ? version : ""), -1;
  if (kind == NULL || ! valid_kind (kind))
    return *why = xasprintf ("invalid kind \"%s\": use vendor.com/class", kind ? kind : ""), -1;
  if (strchr (strchr (kind, '/'), '.'))
    need = need > 600 ? need : 600;
  if (json_object_object_get (spec, "annotations"))
    need = need > 600 ? need : 600;
  if (json_object_object_get (spec, "containerEdits")
      && check_edits (json_object_object_get (spec, "containerEdits"), &need, why) < 0)
    return -1;
  if (! json_object_is_type (devices, json_type_array) || json_object_array_length (devices) == 0)
    return *why = xstrdup ("invalid spec, no devices"), -1;
  for (i = 0; i < json_object_array_length (devices); i++)
    {
      json_object *d = json_object_array_get_idx (devices, i);
      const char *name = ferry_json_get_string (d, "name");

      if (! json_object_is_type (d, json_type_object) || ! only_keys (d, device_keys, &unknown))
        return *why = xasprintf ("device %zu is not an object of known fields", i + 1), -1;
      if (name == NULL || ! valid_device_name (name))
        return *why = xasprintf ("invalid device name \"%s\"", name ? name : ""), -1;
      if (! is_letter (name[0]))
        need = need > 500 ? need : 500;
      if (json_object_object_get (d, "annotations"))
        need = need > 600 ? need : 600;
      for (j = 0; j < i; j++)
        if (ferry_json_string_equals (json_object_array_get_idx (devices, j), "name", name))
          return *why = xasprintf ("invalid spec, multiple device \"%s\"", name), -1;
      if (edits_empty (json_object_object_get (d, "containerEdits")))
        return *why = xasprintf ("invalid device \"%s\", empty device edits", name), -1;
      if (check_edits (json_object_object_get (d, "containerEdits"), &need, why) < 0)
        {
          char *wrapped = xasprintf ("invalid device \"%s\": %s", name, *why);
          free (*why);
          *why = wrapped;
          return -1;
        }
    }
  if (have < need)
    return *why = xasprintf ("the spec version must be at least v%u.%u.%u", need / 10000, need / 100 % 100,
                             need % 100),
           -1;
  return 0;
}

/* PATH's text: a regular file (never waiting on a FIFO or a device put
 * there) of at most CDI_SPEC_MAX_SIZE, however it grows meanwhile.  */
static int
read_spec_file (const char *path, char **out, size_t *len, ferry_error_t *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  cleanup_free char *buf = NULL;
  struct stat st;
  size_t used = 0;

  if (fd < 0)
    return ferry_make_error (err, errno, "cannot read CDI spec `%s`", path);
  if (fstat (fd, &st) < 0)
    return ferry_make_error (err, errno, "cannot read CDI spec `%s`", path);
  if (! S_ISREG (st.st_mode) || st.st_size > CDI_SPEC_MAX_SIZE)
    return ferry_make_error (err, 0, "invalid CDI spec `%s`: not a file of at most 4 MiB", path);
  buf = xmalloc (CDI_SPEC_MAX_SIZE + 2);
  for (;;)
    {
      ssize_t r = read (fd, buf + used, CDI_SPEC_MAX_SIZE + 1 - used);

      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return ferry_make_error (err, errno, "cannot read CDI spec `%s`", path);
      if (r == 0)
        break;
      used += r;
      if (used > CDI_SPEC_MAX_SIZE)
        return ferry_make_error (err, 0, "invalid CDI spec `%s`: not a file of at most 4 MiB", path);
    }
  buf[used] = '\0';
  *len = used;
  *out = steal_pointer (&buf);
  return 0;
}

json_object *
ferry_cdi_spec_load (const char *path, ferry_error_t *err)
{
  cleanup_free char *text = NULL, *why = NULL;
  cleanup_json json_object *spec = NULL;
  size_t len = 0, n = strlen (path);

  if (read_spec_file (path, &text, &len, err) < 0)
    return NULL;
  if (n > 5 && strcmp (path + n - 5, ".yaml") == 0)
    spec = parse_yaml (path, text, len, err);
  else
    {
      spec = ferry_json_parse (text, len, "the file", err);
      if (spec == NULL)
        return ferry_error_wrap (err, "invalid CDI spec `%s`", path), NULL;
    }
  if (spec == NULL)
    {
      if (*err == NULL)
        ferry_make_error (err, 0, "invalid CDI spec `%s`: empty", path);
      return NULL;
    }
  if (check_spec (spec, &why) < 0)
    return ferry_make_error (err, 0, "invalid CDI spec `%s`: %s", path, why), NULL;
  return steal_pointer (&spec);
}

/* ---- the devices the directories describe ------------------------------ */

struct cdi_entry
{
  char *name;          /* vendor/class=name */
  json_object *spec;   /* a reference */
  json_object *device; /* in spec */
  size_t priority;     /* the directory's index */
  int conflict;        /* two files of that directory describe it */
};

struct cdi_registry
{
  struct cdi_entry *entries;
  size_t n;
  char *skipped; /* "`FILE`: WHY; ..." of the files that did not validate */
};

static void
registry_release (struct cdi_registry *r)
{
  for (size_t i = 0; i < r->n; i++)
    {
      free (r->entries[i].name);
      json_object_put (r->entries[i].spec);
    }
  free (r->entries);
  free (r->skipped);
}

static void
registry_add (struct cdi_registry *r, json_object *spec, size_t priority)
{
  json_object *devices = json_object_object_get (spec, "devices");
  const char *kind = ferry_json_get_string (spec, "kind");

  for (size_t i = 0; i < json_object_array_length (devices); i++)
    {
      json_object *d = json_object_array_get_idx (devices, i);
      cleanup_free char *name = xasprintf ("%s=%s", kind, ferry_json_get_string (d, "name"));
      struct cdi_entry *e = NULL;

      for (size_t k = 0; k < r->n; k++)
        if (strcmp (r->entries[k].name, name) == 0)
          e = &r->entries[k];
      if (e && e->priority == priority)
        {
          e->conflict = 1;
          continue;
        }
      if (e == NULL)
        {
          r->entries = xrealloc (r->entries, sizeof (*r->entries) * (r->n + 1));
          e = &r->entries[r->n++];
          e->name = steal_pointer (&name);
        }
      else
        json_object_put (e->spec);
      e->spec = json_object_get (spec);
      e->device = d;
      e->priority = priority;
      e->conflict = 0;
    }
}

static void
note_skipped (struct cdi_registry *r, ferry_error_t *err)
{
  char *grown = xasprintf ("%s%s%s", r->skipped ? r->skipped : "", r->skipped ? "; " : "", (*err)->msg);

  free (r->skipped);
  r->skipped = grown;
  ferry_error_release (err);
}

/* The .json and .yaml files of DIR, in name order (not those of its
 * subdirectories, as the Go library has it).  A directory that is not
 * there has none.  */
static void
registry_scan (struct cdi_registry *r, const char *dir, size_t priority)
{
  struct dirent **names = NULL;
  int n = scandir (dir, &names, NULL, alphasort);

  for (int i = 0; i < n; i++)
    {
      const char *name = names[i]->d_name;
      size_t len = strlen (name);
      cleanup_free char *path = xasprintf ("%s/%s", dir, name);
      ferry_error_t err = NULL;
      json_object *spec;
      struct stat st;

      /* A name with a line break would break the one-line error that
       * lists the files skipped.  */
      if (((len > 5 && strcmp (name + len - 5, ".json") == 0)
           || (len > 5 && strcmp (name + len - 5, ".yaml") == 0))
          && strchr (name, '\n') == NULL)
        {
          if (stat (path, &st) == 0 && S_ISDIR (st.st_mode))
            ;
          else if ((spec = ferry_cdi_spec_load (path, &err)) == NULL)
            note_skipped (r, &err);
          else
            {
              registry_add (r, spec, priority);
              json_object_put (spec);
            }
        }
      free (names[i]);
    }
  free (names);
}

/* ---- edits ------------------------------------------------------------- */

static json_object *
object_member (json_object *o, const char *key, json_type type)
{
  json_object *v = json_object_object_get (o, key);

  if (! json_object_is_type (v, type))
    {
      v = type == json_type_array ? json_object_new_array () : json_object_new_object ();
      json_object_object_add (o, key, v);
    }
  return v;
}

static void
apply_env (json_object *spec, json_object *env)
{
  json_object *list
      = object_member (object_member (spec, "process", json_type_object), "env", json_type_array);

  for (size_t i = 0; i < ferry_json_array_length (env); i++)
    {
      const char *kv = json_object_get_string (json_object_array_get_idx (env, i));
      size_t n = strcspn (kv, "=") + 1, k;

      for (k = 0; k < json_object_array_length (list); k++)
        if (strncmp (json_object_get_string (json_object_array_get_idx (list, k)), kv, n) == 0)
          break;
      if (k < json_object_array_length (list))
        json_object_array_put_idx (list, k, json_object_new_string (kv));
      else
        json_object_array_add (list, json_object_new_string (kv));
    }
}

static void
remove_by (json_object *list, const char *key, const char *value)
{
  for (size_t k = json_object_array_length (list); k > 0; k--)
    if (ferry_json_string_equals (json_object_array_get_idx (list, k - 1), key, value))
      json_object_array_del_idx (list, k - 1, 1);
}

static int
apply_device_node (json_object *spec, const char *device, json_object *d, ferry_error_t *err)
{
  json_object *linux_ = object_member (spec, "linux", json_type_object);
  json_object *nodes = object_member (linux_, "devices", json_type_array);
  json_object *rules
      = object_member (object_member (linux_, "resources", json_type_object), "devices", json_type_array);
  const char *path = ferry_json_get_string (d, "path");
  const char *host = ferry_json_get_string (d, "hostPath");
  const char *type = ferry_json_get_string (d, "type");
  const char *perms = ferry_json_get_string (d, "permissions");
  int64_t major = ferry_json_get_int (d, "major", 0), minor = ferry_json_get_int (d, "minor", 0);
  json_object *node = json_object_new_object (), *rule;
  json_object *user = json_object_object_get (json_object_object_get (spec, "process"), "user");
  char host_type[2] = "";
  struct stat st;

  if (host == NULL || *host == '\0')
    host = path;
  if (type && *type == '\0')
    type = NULL;
  /* What the spec leaves out, from the host's node.  */
  if (type == NULL || (major == 0 && strcmp (type, "p") != 0) || ! json_object_object_get (d, "fileMode"))
    {
      if (stat (host, &st) < 0)
        {
          json_object_put (node);
          return ferry_make_error (err, errno, "CDI device %s: cannot use host device `%s`", device, host);
        }
      host_type[0] = S_ISCHR (st.st_mode)    ? 'c'
                     : S_ISBLK (st.st_mode)  ? 'b'
                     : S_ISFIFO (st.st_mode) ? 'p'
                                             : 0;
      if (host_type[0] == 0
          || (type && strcmp (type, host_type) != 0 && ! (strcmp (type, "u") == 0 && host_type[0] == 'c')))
        {
          json_object_put (node);
          return ferry_make_error (err, 0, "CDI device %s: `%s` is not a %s device node on this host", device,
                                   host, type ? type : "character, block or FIFO");
        }
      if (type == NULL)
        type = host_type;
      if (major == 0 && strcmp (type, "p") != 0)
        {
          major = major (st.st_rdev);
          minor = minor (st.st_rdev);
        }
    }
  json_object_object_add (node, "path", json_object_new_string (path));
  json_object_object_add (node, "type", json_object_new_string (type));
  json_object_object_add (node, "major", json_object_new_int64 (major));
  json_object_object_add (node, "minor", json_object_new_int64 (minor));
  json_object_object_add (node, "fileMode",
                          json_object_new_int64 (json_object_object_get (d, "fileMode")
                                                     ? ferry_json_get_int (d, "fileMode", 0)
                                                     : (int64_t) (st.st_mode & 07777)));
  /* Owned by the container's user unless the spec says, as Podman's
   * library does.  */
  if (json_object_object_get (d, "uid"))
    json_object_object_add (node, "uid", json_object_new_int64 (ferry_json_get_int (d, "uid", 0)));
  else if (ferry_json_get_int (user, "uid", 0) > 0)
    json_object_object_add (node, "uid", json_object_new_int64 (ferry_json_get_int (user, "uid", 0)));
  if (json_object_object_get (d, "gid"))
    json_object_object_add (node, "gid", json_object_new_int64 (ferry_json_get_int (d, "gid", 0)));
  else if (ferry_json_get_int (user, "gid", 0) > 0)
    json_object_object_add (node, "gid", json_object_new_int64 (ferry_json_get_int (user, "gid", 0)));
  remove_by (nodes, "path", path);
  json_object_array_add (nodes, node);
  if (strcmp (type, "b") == 0 || strcmp (type, "c") == 0 || strcmp (type, "u") == 0)
    {
      rule = json_object_new_object ();
      json_object_object_add (rule, "allow", json_object_new_boolean (1));
      json_object_object_add (rule, "type", json_object_new_string (strcmp (type, "b") == 0 ? "b" : "c"));
      json_object_object_add (rule, "major", json_object_new_int64 (major));
      json_object_object_add (rule, "minor", json_object_new_int64 (minor));
      json_object_object_add (rule, "access", json_object_new_string (perms && *perms ? perms : "rwm"));
      json_object_array_add (rules, rule);
    }
  return 0;
}

static size_t
path_depth (const char *p)
{
  size_t n = 0;

  for (; p && *p; p++)
    if (*p == '/' && p[1] && p[1] != '/')
      n++;
  return n;
}

static int
by_depth (const void *a, const void *b)
{
  json_object *const *x = a, *const *y = b;
  size_t dx = path_depth (ferry_json_get_string (*x, "destination"));
  size_t dy = path_depth (ferry_json_get_string (*y, "destination"));

  return dx < dy ? -1 : dx > dy;
}

/* Parents before children, otherwise in the order they came, as the Go
 * library leaves them (qsort is not stable: the index breaks ties).  */
static void
sort_mounts (json_object *spec)
{
  json_object *mounts = json_object_object_get (spec, "mounts");
  size_t n = ferry_json_array_length (mounts), i, j;
  cleanup_free json_object **list = xmalloc0 (sizeof (*list) * (n + 1));

  for (i = 0; i < n; i++)
    list[i] = json_object_get (json_object_array_get_idx (mounts, i));
  /* Insertion sort: stable, and spec mount lists are short.  */
  for (i = 1; i < n; i++)
    for (j = i; j > 0 && by_depth (&list[j - 1], &list[j]) > 0; j--)
      {
        json_object *t = list[j];
        list[j] = list[j - 1];
        list[j - 1] = t;
      }
  if (n)
    json_object_array_del_idx (mounts, 0, n);
  for (i = 0; i < n; i++)
    json_object_array_add (mounts, list[i]);
}

static void
apply_mount (json_object *spec, json_object *m)
{
  json_object *mounts = object_member (spec, "mounts", json_type_array);
  json_object *mount = json_object_new_object ();
  const char *dest = ferry_json_get_string (m, "containerPath");
  json_object *options = json_object_object_get (m, "options");

  remove_by (mounts, "destination", dest);
  json_object_object_add (mount, "destination", json_object_new_string (dest));
  if (ferry_json_get_string (m, "type"))
    json_object_object_add (mount, "type", json_object_new_string (ferry_json_get_string (m, "type")));
  json_object_object_add (mount, "source", json_object_new_string (ferry_json_get_string (m, "hostPath")));
  if (options)
    json_object_object_add (mount, "options", json_object_get (options));
  json_object_array_add (mounts, mount);
}

static void
apply_hook (json_object *spec, json_object *h)
{
  json_object *hooks = object_member (spec, "hooks", json_type_object);
  json_object *list = object_member (hooks, ferry_json_get_string (h, "hookName"), json_type_array);
  json_object *hook = json_object_new_object ();

  json_object_object_add (hook, "path", json_object_new_string (ferry_json_get_string (h, "path")));
  if (json_object_object_get (h, "args"))
    json_object_object_add (hook, "args", json_object_get (json_object_object_get (h, "args")));
  if (json_object_object_get (h, "env"))
    json_object_object_add (hook, "env", json_object_get (json_object_object_get (h, "env")));
  if (json_object_object_get (h, "timeout"))
    json_object_object_add (hook, "timeout", json_object_get (json_object_object_get (h, "timeout")));
  json_object_array_add (list, hook);
}

static void
apply_gids (json_object *spec, json_object *gids)
{
  json_object *user
      = object_member (object_member (spec, "process", json_type_object), "user", json_type_object);
  json_object *list = object_member (user, "additionalGids", json_type_array);

  for (size_t i = 0; i < ferry_json_array_length (gids); i++)
    {
      int64_t g = json_object_get_int64 (json_object_array_get_idx (gids, i));
      size_t k;

      if (g == 0)
        continue;
      for (k = 0; k < json_object_array_length (list); k++)
        if (json_object_get_int64 (json_object_array_get_idx (list, k)) == g)
          break;
      if (k == json_object_array_length (list))
        json_object_array_add (list, json_object_new_int64 (g));
    }
}

/* EDITS[i] (those of NAMES[i]) category by category, each in their
 * order, as Podman's library applies the edits it gathered.  */
static int
apply_edits (json_object *spec, json_object **edits, const char **names, size_t n, ferry_error_t *err)
{
  size_t i, k;
  int mounted = 0;

  for (i = 0; i < n; i++)
    apply_env (spec, json_object_object_get (edits[i], "env"));
  for (i = 0; i < n; i++)
    {
      json_object *list = json_object_object_get (edits[i], "deviceNodes");
      for (k = 0; k < ferry_json_array_length (list); k++)
        if (apply_device_node (spec, names[i], json_object_array_get_idx (list, k), err) < 0)
          return -1;
    }
  for (i = 0; i < n; i++)
    {
      json_object *list = json_object_object_get (edits[i], "mounts");
      for (k = 0; k < ferry_json_array_length (list); k++, mounted = 1)
        apply_mount (spec, json_object_array_get_idx (list, k));
    }
  if (mounted)
    sort_mounts (spec);
  for (i = 0; i < n; i++)
    {
      json_object *list = json_object_object_get (edits[i], "hooks");
      for (k = 0; k < ferry_json_array_length (list); k++)
        apply_hook (spec, json_object_array_get_idx (list, k));
    }
  for (i = 0; i < n; i++)
    if (json_object_object_get (edits[i], "intelRdt"))
      json_object_object_add (object_member (spec, "linux", json_type_object), "intelRdt",
                              json_object_get (json_object_object_get (edits[i], "intelRdt")));
  for (i = 0; i < n; i++)
    apply_gids (spec, json_object_object_get (edits[i], "additionalGids"));
  return 0;
}

int
ferry_cdi_inject (json_object *spec, char *const *devices, char *const *dirs, ferry_error_t *err)
{
  struct cdi_registry r = { NULL, 0, NULL };
  cleanup_free struct cdi_entry **found = NULL;
  cleanup_free char *unresolved = NULL;
  size_t n = 0, i, k;
  int ret = -1;

  if (devices == NULL || devices[0] == NULL)
    return 0;
  if (dirs == NULL)
    dirs = (char *const *) DEFAULT_DIRS;
  for (i = 0; dirs[i]; i++)
    registry_scan (&r, dirs[i], i);
  while (devices[n])
    n++;
  found = xmalloc0 (sizeof (*found) * (n + 1));
  for (i = 0; i < n; i++)
    {
      for (k = 0; k < r.n && strcmp (r.entries[k].name, devices[i]) != 0; k++)
        ;
      if (k < r.n && ! r.entries[k].conflict)
        {
          found[i] = &r.entries[k];
          continue;
        }
      {
        char *grown = xasprintf ("%s%s%s", unresolved ? unresolved : "", unresolved ? ", " : "", devices[i]);
        free (unresolved);
        unresolved = grown;
      }
    }
  if (unresolved)
    {
      if (r.skipped)
        ferry_make_error (err, 0, "unresolvable CDI devices %s (skipped: %s)", unresolved, r.skipped);
      else
        ferry_make_error (err, 0, "unresolvable CDI devices %s", unresolved);
      goto out;
    }
  /* Each spec's own edits once, before the first of its devices', then
   * each device's.  */
  {
    cleanup_free json_object **edits = xmalloc0 (sizeof (*edits) * (2 * n + 1));
    cleanup_free const char **names = xmalloc0 (sizeof (*names) * (2 * n + 1));
    size_t m = 0;

    for (i = 0; i < n; i++)
      {
        for (k = 0; k < i && found[k]->spec != found[i]->spec; k++)
          ;
        if (k == i && json_object_object_get (found[i]->spec, "containerEdits"))
          {
            names[m] = devices[i];
            edits[m++] = json_object_object_get (found[i]->spec, "containerEdits");
          }
        for (k = 0; k < i && found[k] != found[i]; k++)
          ;
        if (k == i)
          {
            names[m] = devices[i];
            edits[m++] = json_object_object_get (found[i]->device, "containerEdits");
          }
      }
    if (apply_edits (spec, edits, names, m, err) < 0)
      goto out;
  }
  ret = 0;
out:
  registry_release (&r);
  return ret;
}
