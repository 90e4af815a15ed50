#include "json.h"
#include "fs.h"
#include "cleanup.h"
#include "xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
ferry_json_bare_scalar (const char *text, size_t len)
{
  size_t i = 0, end = len, digits;

  while (i < end && strchr (" \t\r\n", text[i]) && text[i])
    i++;
  while (end > i && strchr (" \t\r\n", text[end - 1]) && text[end - 1])
    end--;
  if (end - i == 4 && memcmp (text + i, "null", 4) == 0)
    return 'n';
  if (end - i == 4 && memcmp (text + i, "true", 4) == 0)
    return 't';
  if (end - i == 5 && memcmp (text + i, "false", 5) == 0)
    return 'f';
  if (i < end && text[i] == '-')
    i++;
  for (digits = 0; i < end && text[i] >= '0' && text[i] <= '9'; i++)
    digits++;
  if (digits == 0 || (digits > 1 && text[i - digits] == '0'))
    return 0;
  if (i < end && text[i] == '.')
    {
      for (digits = 0, i++; i < end && text[i] >= '0' && text[i] <= '9'; i++)
        digits++;
      if (digits == 0)
        return 0;
    }
  if (i < end && (text[i] == 'e' || text[i] == 'E'))
    {
      i++;
      if (i < end && (text[i] == '+' || text[i] == '-'))
        i++;
      for (digits = 0; i < end && text[i] >= '0' && text[i] <= '9'; i++)
        digits++;
      if (digits == 0)
        return 0;
    }
  return i == end ? '0' : 0;
}

int
ferry_json_parse_nullable (const char *text, size_t len, const char *what, json_object **out,
                           ferry_error_t *err)
{
  json_tokener *tok;
  enum json_tokener_error jerr;
  json_object *obj;
  int scalar = ferry_json_bare_scalar (text, len);

  *out = NULL;
  if (scalar == 'n')
    return 0;
  /* json-c cannot end these either at the very end of the text.  */
  if (scalar == 't' || scalar == 'f')
    {
      *out = json_object_new_boolean (scalar == 't');
      return 0;
    }
  /* json-c cannot end a number at the very end of the text.  */
  if (scalar == '0')
    {
      cleanup_free char *copy = xstrndup (text, len);

      *out = json_object_new_double (strtod (copy, NULL));
      return 0;
    }
  tok = json_tokener_new ();
  obj = json_tokener_parse_ex (tok, text, (int) len);
  jerr = json_tokener_get_error (tok);
  if (obj != NULL && jerr == json_tokener_success && (size_t) json_tokener_get_parse_end (tok) < len)
    {
      size_t i;
      /* Only white space may follow the value.  */
      for (i = json_tokener_get_parse_end (tok); i < len; i++)
        if (strchr (" \t\r\n", text[i]) == NULL)
          {
            jerr = json_tokener_error_parse_unexpected;
            break;
          }
    }
  json_tokener_free (tok);
  if (obj == NULL || jerr != json_tokener_success)
    {
      json_object_put (obj);
      return ferry_make_error (err, 0, "%s is not valid JSON: %s", what,
                               jerr == json_tokener_continue || jerr == json_tokener_success
                                   ? "unexpected end"
                                   : json_tokener_error_desc (jerr));
    }
  *out = obj;
  return 0;
}

json_object *
ferry_json_parse (const char *text, size_t len, const char *what, ferry_error_t *err)
{
  json_object *obj;

  if (ferry_json_parse_nullable (text, len, what, &obj, err) < 0)
    return NULL;
  if (obj == NULL)
    ferry_make_error (err, 0, "%s is a bare JSON null, not the object or list it should be", what);
  else if (json_object_is_type (obj, json_type_int) || json_object_is_type (obj, json_type_double))
    {
      json_object_put (obj);
      obj = NULL;
      ferry_make_error (err, 0, "%s is a bare JSON number, not the object or list it should be", what);
    }
  return obj;
}

json_object *
ferry_json_parse_file (const char *path, const char *what, ferry_error_t *err)
{
  cleanup_free char *text = NULL;
  size_t len;

  if (ferry_read_file (path, &text, &len, err) < 0)
    return NULL;
  return ferry_json_parse (text, len, what, err);
}

const char *
ferry_json_get_string (json_object *obj, const char *key)
{
  json_object *v;

  if (obj == NULL || ! json_object_object_get_ex (obj, key, &v)
      || ! json_object_is_type (v, json_type_string))
    return NULL;
  return json_object_get_string (v);
}

size_t
ferry_json_array_length (json_object *a)
{
  return json_object_is_type (a, json_type_array) ? json_object_array_length (a) : 0;
}

int
ferry_json_string_equals (json_object *obj, const char *key, const char *value)
{
  const char *s = ferry_json_get_string (obj, key);

  return s != NULL && strcmp (s, value) == 0;
}

json_object *
ferry_json_get_object (json_object *obj, const char *key)
{
  json_object *v;

  if (obj == NULL || ! json_object_object_get_ex (obj, key, &v)
      || ! json_object_is_type (v, json_type_object))
    return NULL;
  return v;
}

json_object *
ferry_json_get_array (json_object *obj, const char *key)
{
  json_object *v;

  if (obj == NULL || ! json_object_object_get_ex (obj, key, &v) || ! json_object_is_type (v, json_type_array))
    return NULL;
  return v;
}

int64_t
ferry_json_get_int (json_object *obj, const char *key, int64_t def)
{
  json_object *v;

  if (obj == NULL || ! json_object_object_get_ex (obj, key, &v) || ! json_object_is_type (v, json_type_int))
    return def;
  return json_object_get_int64 (v);
}

const char *
ferry_json_string_value (json_object *v)
{
  const char *s;

  if (! json_object_is_type (v, json_type_string))
    return NULL;
  s = json_object_get_string (v);
  return strlen (s) == (size_t) json_object_get_string_len (v) ? s : NULL;
}

const char *
ferry_json_type_name (json_object *v)
{
  return json_type_to_name (json_object_get_type (v));
}

const char *
ferry_json_go_kind (json_object *v)
{
  switch (json_object_get_type (v))
    {
    case json_type_object:
      return "object";
    case json_type_array:
      return "array";
    case json_type_string:
      return "string";
    case json_type_boolean:
      return "bool";
    case json_type_null:
      return "null";
    default:
      return "number";
    }
}

const char *
ferry_json_to_string (json_object *obj, int pretty)
{
  int flags = JSON_C_TO_STRING_NOSLASHESCAPE;

  flags |= pretty ? (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED) : JSON_C_TO_STRING_PLAIN;
  return json_object_to_json_string_ext (obj, flags);
}

/* How json_write_indented writes: Go's encoding/json, or the encoder
 * Podman's list commands and info print with (json-iterator), which
 * writes an empty object over three lines and escapes <, > and & in
 * strings as \u003c, \u003e and \u0026, as Go's HTML-safe default.  */
enum json_style
{
  JSON_STYLE_GO,
  JSON_STYLE_PODMAN_LIST,
};

static void
json_write_scalar (FILE *out, json_object *o, enum json_style style)
{
  const char *text = ferry_json_to_string (o, 0);

  if (style == JSON_STYLE_GO || ! json_object_is_type (o, json_type_string))
    {
      fputs (text, out);
      return;
    }
  for (; *text; text++)
    if (*text == '<' || *text == '>' || *text == '&')
      fprintf (out, "\\u%04x", (unsigned) *text);
    else
      fputc (*text, out);
}

/* DEPTH levels of indentation: WIDTH spaces each, or a tab each when
 * WIDTH is negative.  */
static void
json_pad (FILE *out, int width, int depth)
{
  if (width >= 0)
    fprintf (out, "%*s", width * depth, "");
  else
    for (int i = 0; i < depth; i++)
      fputc ('\t', out);
}

static void
json_write_indented (FILE *out, json_object *o, int width, int depth, enum json_style style)
{
  size_t i, n;

  if (json_object_is_type (o, json_type_object) && json_object_object_length (o) > 0)
    {
      n = 0;
      fputs ("{\n", out);
      json_object_object_foreach (o, key, v)
      {
        json_object *k = json_object_new_string (key);

        json_pad (out, width, depth + 1);
        json_write_scalar (out, k, style);
        fputs (": ", out);
        json_object_put (k);
        json_write_indented (out, v, width, depth + 1, style);
        fputs (++n < (size_t) json_object_object_length (o) ? ",\n" : "\n", out);
      }
      json_pad (out, width, depth);
      fputc ('}', out);
    }
  else if (json_object_is_type (o, json_type_array) && json_object_array_length (o) > 0)
    {
      n = json_object_array_length (o);
      fputs ("[\n", out);
      for (i = 0; i < n; i++)
        {
          json_pad (out, width, depth + 1);
          json_write_indented (out, json_object_array_get_idx (o, i), width, depth + 1, style);
          fputs (i + 1 < n ? ",\n" : "\n", out);
        }
      json_pad (out, width, depth);
      fputc (']', out);
    }
  else if (json_object_is_type (o, json_type_object) && style == JSON_STYLE_PODMAN_LIST)
    fprintf (out, "{\n%*s\n%*s}", width * (depth + 1), "", width * depth, "");
  else if (json_object_is_type (o, json_type_object))
    fputs ("{}", out);
  else if (json_object_is_type (o, json_type_array))
    fputs ("[]", out);
  else
    json_write_scalar (out, o, style);
}

static char *
json_to_styled (json_object *obj, int width, enum json_style style)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream (&buf, &len);

  if (out == NULL)
    abort ();
  json_write_indented (out, obj, width, 0, style);
  fclose (out);
  return buf;
}

char *
ferry_json_to_indented (json_object *obj, int width)
{
  return json_to_styled (obj, width, JSON_STYLE_GO);
}

char *
ferry_json_to_podman_list (json_object *obj)
{
  return json_to_styled (obj, 2, JSON_STYLE_PODMAN_LIST);
}

static int
compare_key_pointers (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

json_object *
ferry_json_sorted_object (json_object *obj)
{
  if (obj == NULL || ! json_object_is_type (obj, json_type_object))
    return json_object_get (obj);

  size_t n = 0;
  cleanup_free const char **keys
      = xmalloc0 (sizeof (char *) * ((size_t) json_object_object_length (obj) + 1));
  json_object *out = json_object_new_object ();

  json_object_object_foreach (obj, k, v)
  {
    (void) v;
    keys[n++] = k;
  }
  qsort (keys, n, sizeof (char *), compare_key_pointers);
  for (size_t i = 0; i < n; i++)
    json_object_object_add (out, keys[i], json_object_get (json_object_object_get (obj, keys[i])));
  return out;
}

json_object *
ferry_json_new_go_double (double d)
{
  double a = d < 0 ? -d : d;
  char buf[400];
  int prec;

  if (d != d || a > 1.7976931348623157e308)
    return json_object_new_double (d);
  if (a == 0 || (a >= 1e-6 && a < 1e21))
    {
      for (prec = 0; prec < 340; prec++)
        {
          snprintf (buf, sizeof (buf), "%.*f", prec, d);
          if (strtod (buf, NULL) == d)
            break;
        }
    }
  else
    {
      for (prec = 0; prec < 17; prec++)
        {
          snprintf (buf, sizeof (buf), "%.*e", prec, d);
          if (strtod (buf, NULL) == d)
            break;
        }
    }
  return json_object_new_double_s (d, buf);
}

static const char *
skip_space (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

/* Past the string starting at P (its opening quote).  */
static const char *
skip_string (const char *p)
{
  for (p++; *p && *p != '"'; p++)
    if (*p == '\\' && p[1])
      p++;
  return *p ? p + 1 : p;
}

/* Past the value starting at P.  */
static const char *
skip_value (const char *p)
{
  int depth = 0;

  do
    {
      if (*p == '"')
        p = skip_string (p);
      else if (*p == '{' || *p == '[')
        depth++, p++;
      else if (*p == '}' || *p == ']')
        depth--, p++;
      else if (depth == 0)
        {
          while (*p && ! strchr (",}] \t\n\r", *p))
            p++;
        }
      else
        p++;
    }
  while (*p && depth > 0);
  return p;
}

/* Whether the JSON string [START, END) (quotes included) is KEY.  */
static bool
key_is (const char *start, const char *end, const char *key)
{
  size_t len = (size_t) (end - start);
  cleanup_free char *quoted = NULL;
  json_object *decoded;
  bool same;

  if (memchr (start, '\\', len) == NULL)
    return len == strlen (key) + 2 && memcmp (start + 1, key, len - 2) == 0;
  quoted = xstrndup (start, len);
  decoded = json_tokener_parse (quoted);
  same = json_object_is_type (decoded, json_type_string)
         && strcmp (json_object_get_string (decoded), key) == 0;
  json_object_put (decoded);
  return same;
}

/* [START, END) compacted and escaped as Go's json.Compact with its HTML
 * escaping, which json.Marshal applies to raw messages.  */
static char *
go_compact (const char *start, const char *end)
{
  char *out = xmalloc ((size_t) (end - start) * 6 + 1), *o = out;
  bool in_string = false;
  const char *p;

  for (p = start; p < end; p++)
    {
      unsigned char c = (unsigned char) *p;

      if (! in_string && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
        continue;
      if (c == '<' || c == '>' || c == '&')
        o += sprintf (o, "\\u00%02x", c);
      else if (c == 0xe2 && end - p > 2 && (unsigned char) p[1] == 0x80
               && ((unsigned char) p[2] & ~1u) == 0xa8)
        {
          o += sprintf (o, "\\u202%c", p[2] == (char) 0xa8 ? '8' : '9');
          p += 2;
        }
      else
        {
          *o++ = (char) c;
          if (in_string && c == '\\' && p + 1 < end)
            *o++ = *++p;
          else if (c == '"')
            in_string = ! in_string;
        }
    }
  *o = '\0';
  return out;
}

char *
ferry_json_go_raw_member (const char *text, const char *key)
{
  const char *p = skip_space (text), *found = NULL, *found_end = NULL;

  if (*p != '{')
    return NULL;
  for (p = skip_space (p + 1); *p == '"';)
    {
      const char *k = p, *k_end = skip_string (p), *v;

      p = skip_space (k_end);
      if (*p != ':')
        return NULL;
      v = skip_space (p + 1);
      p = skip_value (v);
      if (key_is (k, k_end, key))
        found = v, found_end = p;
      p = skip_space (p);
      if (*p != ',')
        break;
      p = skip_space (p + 1);
    }
  return found ? go_compact (found, found_end) : NULL;
}
