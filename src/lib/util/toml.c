/* ferry: a small TOML reader (see toml.h).  */
#include "toml.h"
#include "cleanup.h"
#include "fs.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct cursor
{
  const char *p;
  int line;
  const char *path;
};

void
ferry_toml_value_release (struct ferry_toml_value *v)
{
  free (v->string);
  for (size_t i = 0; i < v->n_strings; i++)
    free (v->strings[i]);
  free (v->strings);
  memset (v, 0, sizeof (*v));
}

static int
toml_fail (struct cursor *t, ferry_error_t *err, const char *what)
{
  return ferry_make_error (err, 0, "%s:%d: %s", t->path, t->line, what);
}

static void
skip_blanks (struct cursor *t)
{
  while (*t->p == ' ' || *t->p == '\t')
    t->p++;
}

/* Blanks, newlines and comments, as allowed between array elements.  */
static void
skip_space (struct cursor *t)
{
  for (;;)
    {
      skip_blanks (t);
      if (*t->p == '#')
        while (*t->p && *t->p != '\n')
          t->p++;
      if (*t->p == '\r' && t->p[1] == '\n')
        t->p++;
      if (*t->p != '\n')
        return;
      t->p++;
      t->line++;
    }
}

/* After a value or a table header: a comment at most, then the line ends.  */
static int
expect_line_end (struct cursor *t, ferry_error_t *err)
{
  skip_blanks (t);
  if (*t->p == '#')
    while (*t->p && *t->p != '\n')
      t->p++;
  if (*t->p == '\r' && t->p[1] == '\n')
    t->p++;
  if (*t->p == '\0')
    return 0;
  if (*t->p != '\n')
    return toml_fail (t, err, "unexpected text after the value: one setting per line");
  t->p++;
  t->line++;
  return 0;
}

static int
is_bare_key_char (char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static void
put_utf8 (char **out, unsigned long cp)
{
  if (cp < 0x80)
    *(*out)++ = (char) cp;
  else if (cp < 0x800)
    {
      *(*out)++ = (char) (0xc0 | (cp >> 6));
      *(*out)++ = (char) (0x80 | (cp & 0x3f));
    }
  else if (cp < 0x10000)
    {
      *(*out)++ = (char) (0xe0 | (cp >> 12));
      *(*out)++ = (char) (0x80 | ((cp >> 6) & 0x3f));
      *(*out)++ = (char) (0x80 | (cp & 0x3f));
    }
  else
    {
      *(*out)++ = (char) (0xf0 | (cp >> 18));
      *(*out)++ = (char) (0x80 | ((cp >> 12) & 0x3f));
      *(*out)++ = (char) (0x80 | ((cp >> 6) & 0x3f));
      *(*out)++ = (char) (0x80 | (cp & 0x3f));
    }
}

/* A one-line basic ("...", with escapes) or literal ('...') string.  */
static int
read_string (struct cursor *t, char **out, ferry_error_t *err)
{
  char quote = *t->p++;
  char *buf, *w;

  if (t->p[0] == quote && t->p[1] == quote)
    return toml_fail (t, err, "multi-line strings are not supported: write the value on one line");
  buf = w = xmalloc (strlen (t->p) + 1);
  for (;;)
    {
      unsigned char c = (unsigned char) *t->p;

      if (c == '\0' || c == '\n' || (c < ' ' && c != '\t') || c == 0x7f)
        {
          free (buf);
          return toml_fail (t, err, "unterminated string: close it with its quote on the same line");
        }
      t->p++;
      if (c == (unsigned char) quote)
        break;
      if (c != '\\' || quote == '\'')
        {
          *w++ = (char) c;
          continue;
        }
      c = (unsigned char) *t->p++;
      switch (c)
        {
        case 'b':
          *w++ = '\b';
          break;
        case 't':
          *w++ = '\t';
          break;
        case 'n':
          *w++ = '\n';
          break;
        case 'f':
          *w++ = '\f';
          break;
        case 'r':
          *w++ = '\r';
          break;
        case '"':
        case '\\':
          *w++ = (char) c;
          break;
        case 'u':
        case 'U':
          {
            int digits = c == 'u' ? 4 : 8;
            unsigned long cp = 0;

            for (int i = 0; i < digits; i++, t->p++)
              {
                char h = *t->p;
                int d = h >= '0' && h <= '9'   ? h - '0'
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                               : -1;
                if (d < 0)
                  {
                    free (buf);
                    return toml_fail (t, err, "invalid \\u escape in a string");
                  }
                cp = cp * 16 + (unsigned long) d;
              }
            if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
              {
                free (buf);
                return toml_fail (t, err, "invalid \\u escape in a string");
              }
            put_utf8 (&w, cp);
          }
          break;
        default:
          free (buf);
          return toml_fail (t, err, "invalid escape in a string: use \\\\, \\\", \\n, \\t or \\uXXXX");
        }
    }
  *w = '\0';
  *out = buf;
  return 0;
}

/* A key: bare or quoted parts joined by dots, as "a.b".  */
static int
read_key (struct cursor *t, char **out, ferry_error_t *err)
{
  cleanup_free char *key = xstrdup ("");

  for (;;)
    {
      cleanup_free char *part = NULL;
      char *joined;

      skip_blanks (t);
      if (*t->p == '"' || *t->p == '\'')
        {
          if (read_string (t, &part, err) < 0)
            return -1;
        }
      else
        {
          const char *s = t->p;
          while (is_bare_key_char (*t->p))
            t->p++;
          if (t->p == s)
            return toml_fail (t, err, "invalid key: use letters, digits, `_` and `-`, or a quoted key");
          part = xstrndup (s, t->p - s);
        }
      joined = xasprintf ("%s%s%s", key, *key ? "." : "", part);
      free (key);
      key = joined;
      skip_blanks (t);
      if (*t->p != '.')
        break;
      t->p++;
    }
  *out = steal_pointer (&key);
  return 0;
}

static int read_value (struct cursor *t, struct ferry_toml_value *v, int depth, ferry_error_t *err);

/* { key = value, ... } on one line; TRUE_APPEND set when it is exactly
 * {append=true}, containers.conf's mark for adding to a list.  */
static int
read_inline_table (struct cursor *t, int depth, int *is_append, ferry_error_t *err)
{
  int n = 0, append = 0;

  t->p++;
  skip_blanks (t);
  if (*t->p == '}')
    {
      t->p++;
      *is_append = 0;
      return 0;
    }
  for (;;)
    {
      cleanup_free char *key = NULL;
      struct ferry_toml_value v = { 0 };

      if (read_key (t, &key, err) < 0)
        return -1;
      if (*t->p != '=')
        return toml_fail (t, err, "invalid inline table: use { key = value, ... }");
      t->p++;
      skip_blanks (t);
      if (read_value (t, &v, depth + 1, err) < 0)
        {
          ferry_toml_value_release (&v);
          return -1;
        }
      n++;
      if (strcmp (key, "append") == 0 && v.type == FERRY_TOML_BOOLEAN)
        append = (int) v.integer;
      ferry_toml_value_release (&v);
      skip_blanks (t);
      if (*t->p == '}')
        break;
      if (*t->p != ',')
        return toml_fail (t, err,
                          "invalid inline table: separate its entries with `,` and close it with `}`");
      t->p++;
    }
  t->p++;
  *is_append = n == 1 && append;
  return 0;
}

static int
read_array (struct cursor *t, struct ferry_toml_value *v, int depth, ferry_error_t *err)
{
  v->type = FERRY_TOML_ARRAY;
  v->strings = xmalloc0 (sizeof (char *));
  t->p++;
  for (;;)
    {
      struct ferry_toml_value e = { 0 };
      int is_append = 0;

      skip_space (t);
      if (*t->p == ']')
        break;
      if (*t->p == '{')
        {
          if (read_inline_table (t, depth, &is_append, err) < 0)
            return -1;
          if (is_append)
            v->append = 1;
          else
            v->mixed = 1;
        }
      else
        {
          if (read_value (t, &e, depth + 1, err) < 0)
            {
              ferry_toml_value_release (&e);
              return -1;
            }
          if (e.type == FERRY_TOML_STRING)
            {
              v->strings = xrealloc (v->strings, (v->n_strings + 2) * sizeof (char *));
              v->strings[v->n_strings++] = steal_pointer (&e.string);
              v->strings[v->n_strings] = NULL;
            }
          else
            v->mixed = 1;
          ferry_toml_value_release (&e);
        }
      skip_space (t);
      if (*t->p == ',')
        {
          t->p++;
          continue;
        }
      if (*t->p == ']')
        break;
      return toml_fail (t, err, "invalid array: separate its elements with `,` and close it with `]`");
    }
  t->p++;
  return 0;
}

/* Integers (decimal with `_`, or 0x/0o/0b), and the bare words TOML has
 * for floats and dates, which no setting ferry reads takes.  */
static int
read_bare (struct cursor *t, struct ferry_toml_value *v, ferry_error_t *err)
{
  const char *s = t->p;
  cleanup_free char *word = NULL;
  char *end, *w;
  long long n;

  while (is_bare_key_char (*t->p) || *t->p == '+' || *t->p == '.' || *t->p == ':')
    t->p++;
  if (t->p == s)
    return toml_fail (t, err, "invalid value: use a \"string\", a number, true, false or a [list]");
  word = xstrndup (s, t->p - s);
  if (strcmp (word, "true") == 0 || strcmp (word, "false") == 0)
    {
      v->type = FERRY_TOML_BOOLEAN;
      v->integer = word[0] == 't';
      return 0;
    }
  for (w = word; *w; w++)
    if (*w == '_')
      memmove (w, w + 1, strlen (w));
  errno = 0;
  n = strtoll (word, &end, 10);
  if (*word && *end == '\0' && errno == 0 && (word[0] != '0' || word[1] == '\0')
      && ! ((word[0] == '+' || word[0] == '-') && word[1] == '0' && word[2] != '\0'))
    {
      v->type = FERRY_TOML_INTEGER;
      v->integer = n;
      return 0;
    }
  /* Floats, dates, inf, nan, 0x..: start with a digit or a sign, or are
   * inf/nan.  */
  if ((word[0] >= '0' && word[0] <= '9') || word[0] == '+' || word[0] == '-' || strcmp (word, "inf") == 0
      || strcmp (word, "nan") == 0)
    {
      v->type = FERRY_TOML_OTHER;
      return 0;
    }
  return toml_fail (t, err, "invalid value: use a \"string\", a number, true, false or a [list]");
}

static int
read_value (struct cursor *t, struct ferry_toml_value *v, int depth, ferry_error_t *err)
{
  int is_append;

  if (depth > 16)
    return toml_fail (t, err, "values nested too deeply");
  if (*t->p == '"' || *t->p == '\'')
    {
      v->type = FERRY_TOML_STRING;
      return read_string (t, &v->string, err);
    }
  if (*t->p == '[')
    return read_array (t, v, depth, err);
  if (*t->p == '{')
    {
      v->type = FERRY_TOML_OTHER;
      return read_inline_table (t, depth, &is_append, err);
    }
  return read_bare (t, v, err);
}

int
ferry_toml_want (const struct ferry_toml_where *w, const char *key, const struct ferry_toml_value *v,
                 enum ferry_toml_type type, ferry_error_t *err)
{
  static const char *const names[]
      = { "a string in double quotes", "a whole number", "true or false", "a list of strings" };

  if (v->type == type && ! (type == FERRY_TOML_ARRAY && v->mixed))
    return 0;
  return ferry_make_error (err, 0, "%s:%d: invalid value of `%s`: use %s", w->path, w->line, key,
                           type < FERRY_TOML_OTHER ? names[type] : "another value");
}

/* ---- files ------------------------------------------------------------------ */

/* [NAME] or [[NAME]], then the end of the line.  */
static int
read_table_header (struct cursor *t, const struct ferry_toml_handler *h, char **name, int *array,
                   ferry_error_t *err)
{
  cleanup_free char *n = NULL;

  *array = t->p[1] == '[';
  t->p += *array ? 2 : 1;
  skip_blanks (t);
  if (read_key (t, &n, err) < 0 || *t->p != ']' || (*array && t->p[1] != ']'))
    {
      ferry_error_release (err);
      return toml_fail (t, err,
                        h->bad_header ? h->bad_header : "invalid table header: use [name] or [[name]]");
    }
  t->p += *array ? 2 : 1;
  if (expect_line_end (t, err) < 0)
    return -1;
  *name = steal_pointer (&n);
  return 0;
}

int
ferry_toml_parse (const char *path, const char *text, const struct ferry_toml_handler *h, void *data,
                  ferry_error_t *err)
{
  struct cursor t = { .p = text, .line = 1, .path = path };
  cleanup_free char *table = xstrdup ("");

  for (;;)
    {
      cleanup_free char *key = NULL;
      struct ferry_toml_value v = { 0 };
      struct ferry_toml_where w = { .path = path };
      int r;

      skip_space (&t);
      if (*t.p == '\0')
        return 0;
      if (*t.p == '[')
        {
          cleanup_free char *name = NULL;
          int array;

          w.line = t.line;
          if (read_table_header (&t, h, &name, &array, err) < 0)
            return -1;
          if (h->table && h->table (data, &w, name, array, err) < 0)
            return -1;
          free (table);
          table = steal_pointer (&name);
          continue;
        }
      w.line = t.line;
      if (read_key (&t, &key, err) < 0)
        return -1;
      skip_blanks (&t);
      if (*t.p != '=')
        return toml_fail (&t, err, h->bad_line ? h->bad_line : "invalid line: use key = value");
      t.p++;
      skip_blanks (&t);
      if (read_value (&t, &v, 0, err) < 0)
        {
          ferry_toml_value_release (&v);
          return -1;
        }
      /* Errors about the value name the line its key is on.  */
      r = h->value (data, &w, table, key, &v, err);
      ferry_toml_value_release (&v);
      if (r < 0 || expect_line_end (&t, err) < 0)
        return -1;
    }
}

int
ferry_toml_read_file (const char *path, size_t max_size, const char *what, char **text, ferry_error_t *err)
{
  size_t len = 0;
  struct stat st;

  *text = NULL;
  if (stat (path, &st) == 0 && (size_t) st.st_size > max_size)
    return ferry_make_error (err, 0, "%s: larger than %zu bytes: not a configuration file", path, max_size);
  if (ferry_read_file (path, text, &len, err) < 0)
    return ferry_error_wrap (err, "%s", what);
  if (strlen (*text) != len)
    {
      free (*text);
      *text = NULL;
      return ferry_make_error (err, 0, "%s: a NUL byte: a configuration file is text", path);
    }
  return 0;
}
