/* ferry: a small YAML writer (yaml.h).
 *
 * The rules are go-yaml v2's, read from its emitter: which strings would
 * resolve to another type if written plain, what each character allows
 * (plain, single quoted, double quoted, literal block), and where a long
 * scalar is folded.  */
#include "yaml.h"
#include "cleanup.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* go-yaml's default line width: scalars fold at a space after it.  */
#define YAML_WIDTH 80
#define YAML_INDENT 2

enum yaml_kind
{
  YAML_MAP,
  YAML_SEQ,
  YAML_STR,
  YAML_PLAIN,
};

struct ferry_yaml
{
  enum yaml_kind kind;
  char *text;             /* YAML_STR, YAML_PLAIN */
  char **keys;            /* YAML_MAP */
  struct ferry_yaml **vs; /* YAML_MAP values, YAML_SEQ items */
  size_t n;
};

static ferry_yaml_t *
node_new (enum yaml_kind kind, const char *text)
{
  ferry_yaml_t *y = xmalloc0 (sizeof (*y));

  y->kind = kind;
  y->text = text ? xstrdup (text) : NULL;
  return y;
}

ferry_yaml_t *
ferry_yaml_map (void)
{
  return node_new (YAML_MAP, NULL);
}

ferry_yaml_t *
ferry_yaml_seq (void)
{
  return node_new (YAML_SEQ, NULL);
}

ferry_yaml_t *
ferry_yaml_str (const char *s)
{
  return node_new (YAML_STR, s ? s : "");
}

ferry_yaml_t *
ferry_yaml_plain (const char *text)
{
  return node_new (YAML_PLAIN, text);
}

ferry_yaml_t *
ferry_yaml_int (long long v)
{
  char buf[32];

  snprintf (buf, sizeof (buf), "%lld", v);
  return node_new (YAML_PLAIN, buf);
}

ferry_yaml_t *
ferry_yaml_bool (int v)
{
  return node_new (YAML_PLAIN, v ? "true" : "false");
}

void
ferry_yaml_free (ferry_yaml_t *y)
{
  if (y == NULL)
    return;
  for (size_t i = 0; i < y->n; i++)
    {
      if (y->keys)
        free (y->keys[i]);
      ferry_yaml_free (y->vs[i]);
    }
  free (y->keys);
  free (y->vs);
  free (y->text);
  free (y);
}

void
ferry_cleanup_yamlp (ferry_yaml_t **p)
{
  ferry_yaml_free (*p);
}

void
ferry_yaml_set (ferry_yaml_t *map, const char *key, ferry_yaml_t *value)
{
  for (size_t i = 0; i < map->n; i++)
    if (strcmp (map->keys[i], key) == 0)
      {
        ferry_yaml_free (map->vs[i]);
        map->vs[i] = value;
        return;
      }
  map->keys = xrealloc (map->keys, sizeof (char *) * (map->n + 1));
  map->vs = xrealloc (map->vs, sizeof (ferry_yaml_t *) * (map->n + 1));
  map->keys[map->n] = xstrdup (key);
  map->vs[map->n++] = value;
}

ferry_yaml_t *
ferry_yaml_get (ferry_yaml_t *map, const char *key)
{
  for (size_t i = 0; map && map->kind == YAML_MAP && i < map->n; i++)
    if (strcmp (map->keys[i], key) == 0)
      return map->vs[i];
  return NULL;
}

void
ferry_yaml_append (ferry_yaml_t *seq, ferry_yaml_t *value)
{
  seq->vs = xrealloc (seq->vs, sizeof (ferry_yaml_t *) * (seq->n + 1));
  seq->vs[seq->n++] = value;
}

size_t
ferry_yaml_length (const ferry_yaml_t *y)
{
  return y ? y->n : 0;
}

ferry_yaml_t *
ferry_yaml_item (ferry_yaml_t *seq, size_t i)
{
  return seq && seq->kind == YAML_SEQ && i < seq->n ? seq->vs[i] : NULL;
}

const char *
ferry_yaml_text (const ferry_yaml_t *y)
{
  return y && (y->kind == YAML_STR || y->kind == YAML_PLAIN) ? y->text : NULL;
}

ferry_yaml_t *
ferry_yaml_copy (const ferry_yaml_t *y)
{
  ferry_yaml_t *c = node_new (y->kind, y->text);

  for (size_t i = 0; i < y->n; i++)
    {
      if (y->kind == YAML_MAP)
        ferry_yaml_set (c, y->keys[i], ferry_yaml_copy (y->vs[i]));
      else
        ferry_yaml_append (c, ferry_yaml_copy (y->vs[i]));
    }
  return c;
}

/* ---- UTF-8 ---- */

static size_t
char_width (unsigned char c)
{
  if ((c & 0x80) == 0)
    return 1;
  if ((c & 0xE0) == 0xC0)
    return 2;
  if ((c & 0xF0) == 0xE0)
    return 3;
  if ((c & 0xF8) == 0xF0)
    return 4;
  return 1;
}

/* The character at S + I, decoded; *W its length in bytes.  */
static unsigned
decode (const char *s, size_t len, size_t i, size_t *w)
{
  const unsigned char *u = (const unsigned char *) s;
  size_t n = char_width (u[i]);
  unsigned v;

  if (i + n > len)
    n = 1;
  v = n == 1 ? u[i] : n == 2 ? u[i] & 0x1F : n == 3 ? u[i] & 0x0F : u[i] & 0x07;
  for (size_t k = 1; k < n; k++)
    v = (v << 6) | (u[i + k] & 0x3F);
  *w = n;
  return v;
}

/* ---- what a plain scalar would read back as ---- */

static bool
all_in (const char *s, size_t n, const char *set)
{
  for (size_t i = 0; i < n; i++)
    if (strchr (set, s[i]) == NULL || s[i] == '\0')
      return false;
  return n > 0;
}

/* Go's strconv.ParseInt (S, 0, 64) or ParseUint accepts S (underscores
 * already gone), range aside.  */
static bool
go_int (const char *s)
{
  size_t n;

  if (*s == '+' || *s == '-')
    s++;
  n = strlen (s);
  if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    return all_in (s + 2, n - 2, "0123456789abcdefABCDEF") && n - 2 <= 16;
  if (n > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
    return all_in (s + 2, n - 2, "01") && n - 2 <= 64;
  if (n > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O'))
    return all_in (s + 2, n - 2, "01234567") && n - 2 <= 22;
  if (n > 1 && s[0] == '0')
    return all_in (s + 1, n - 1, "01234567") && n - 1 <= 22;
  return all_in (s, n, "0123456789");
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?  */
static bool
yaml_style_float (const char *s)
{
  size_t d = 0;

  if (*s == '+' || *s == '-')
    s++;
  if (*s == '.')
    {
      s++;
      while (*s >= '0' && *s <= '9')
        s++, d++;
      if (d == 0)
        return false;
    }
  else
    {
      while (*s >= '0' && *s <= '9')
        s++, d++;
      if (d == 0)
        return false;
      if (*s == '.')
        for (s++; *s >= '0' && *s <= '9'; s++)
          ;
    }
  if (*s == 'e' || *s == 'E')
    {
      s++;
      if (*s == '+' || *s == '-')
        s++;
      d = 0;
      while (*s >= '0' && *s <= '9')
        s++, d++;
      if (d == 0)
        return false;
    }
  return *s == '\0';
}

/* N digits (1 or 2 when LOOSE, else exactly N) at *P, their value in *V.  */
static bool
digits (const char **p, int loose, int n, int *v)
{
  int k = 0;

  *v = 0;
  while (k < (loose ? 2 : n) && (*p)[k] >= '0' && (*p)[k] <= '9')
    *v = *v * 10 + ((*p)[k++] - '0');
  if (k == 0 || (! loose && k != n))
    return false;
  *p += k;
  return true;
}

static int
days_in_month (int y, int m)
{
  static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

  return m == 2 && leap ? 29 : days[m - 1];
}

/* One of go-yaml's timestamp forms (Go layouts 2006-1-2, with
 * T15:4:5.999999999Z07:00 or " 15:4:5.999999999" after it).  */
static bool
yaml_timestamp (const char *s)
{
  const char *p = s;
  int y, m, d, hh, mm, ss;
  char sep;

  if (! digits (&p, 0, 4, &y) || *p++ != '-' || ! digits (&p, 1, 0, &m) || *p++ != '-'
      || ! digits (&p, 1, 0, &d))
    return false;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month (y, m))
    return false;
  if (*p == '\0')
    return true;
  sep = *p++;
  if (sep != 'T' && sep != 't' && sep != ' ')
    return false;
  if (! digits (&p, 1, 0, &hh) || *p++ != ':' || ! digits (&p, 1, 0, &mm) || *p++ != ':'
      || ! digits (&p, 1, 0, &ss))
    return false;
  if (hh > 23 || mm > 59 || ss > 59)
    return false;
  if (*p == '.')
    {
      int k = 0;
      for (p++; *p >= '0' && *p <= '9'; p++)
        k++;
      if (k == 0)
        return false;
    }
  if (sep == ' ')
    return *p == '\0';
  if (*p == 'Z')
    return p[1] == '\0';
  if (*p != '+' && *p != '-')
    return false;
  p++;
  return digits (&p, 0, 2, &hh) && *p++ == ':' && digits (&p, 0, 2, &mm) && *p == '\0';
}

/* [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?  */
static bool
base60_float (const char *s)
{
  int groups = 0;

  if (*s == '+' || *s == '-')
    s++;
  if (! (*s >= '0' && *s <= '9'))
    return false;
  while ((*s >= '0' && *s <= '9') || *s == '_')
    s++;
  while (*s == ':')
    {
      int k = 0;
      s++;
      while (*s >= '0' && *s <= '9' && k < 3)
        s++, k++;
      if (k == 0 || k > 2 || (k == 2 && s[-2] > '5'))
        return false;
      groups++;
    }
  if (groups == 0)
    return false;
  if (*s == '.')
    for (s++; (*s >= '0' && *s <= '9') || *s == '_'; s++)
      ;
  return *s == '\0';
}

/* S written plain would read back as null, a bool, a number or a date.  */
static bool
resolves_to_non_string (const char *s)
{
  static const char *const special[]
      = { "",      "~",     "null",  "Null",  "NULL",  "y",     "Y",    "yes",   "Yes",   "YES",   "n",
          "N",     "no",    "No",    "NO",    "true",  "True",  "TRUE", "false", "False", "FALSE", "on",
          "On",    "ON",    "off",   "Off",   "OFF",   ".nan",  ".NaN", ".NAN",  ".inf",  ".Inf",  ".INF",
          "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",   NULL };
  cleanup_free char *plain = NULL;
  char c = s[0];
  size_t k = 0;

  if (base60_float (s))
    return true;
  if (! (c == '\0' || c == '+' || c == '-' || c == '.' || (c >= '0' && c <= '9')
         || strchr ("yYnNtTfFoO~", c)))
    return false;
  for (size_t i = 0; special[i]; i++)
    if (strcmp (s, special[i]) == 0)
      return strcmp (s, "<<") != 0;
  if (c == '.')
    return yaml_style_float (s);
  if (! (c == '+' || c == '-' || (c >= '0' && c <= '9')))
    return false;
  if (yaml_timestamp (s))
    return true;
  plain = xmalloc (strlen (s) + 1);
  for (const char *p = s; *p; p++)
    if (*p != '_')
      plain[k++] = *p;
  plain[k] = '\0';
  return go_int (plain) || yaml_style_float (plain);
}

/* ---- what the characters allow ---- */

struct analysis
{
  bool multiline, block_plain_allowed, single_quoted_allowed, block_allowed;
};

static bool
is_break_at (const char *s, size_t len, size_t i)
{
  const unsigned char *u = (const unsigned char *) s;

  return u[i] == '\r' || u[i] == '\n' || (u[i] == 0xC2 && i + 1 < len && u[i + 1] == 0x85)
         || (u[i] == 0xE2 && i + 2 < len && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9));
}

static bool
is_blank_at (const char *s, size_t len, size_t i)
{
  return i < len && (s[i] == ' ' || s[i] == '\t');
}

/* go-yaml's is_printable, on the bytes as it does.  */
static bool
is_printable_at (const char *s, size_t len, size_t i)
{
  const unsigned char *u = (const unsigned char *) s;
  unsigned char b1 = i + 1 < len ? u[i + 1] : 0, b2 = i + 2 < len ? u[i + 2] : 0;

  return u[i] == 0x0A || (u[i] >= 0x20 && u[i] <= 0x7E) || (u[i] == 0xC2 && b1 >= 0xA0)
         || (u[i] > 0xC2 && u[i] < 0xED) || (u[i] == 0xED && b1 < 0xA0) || u[i] == 0xEE
         || (u[i] == 0xEF && ! (b1 == 0xBB && b2 == 0xBF) && ! (b1 == 0xBF && (b2 == 0xBE || b2 == 0xBF)));
}

static struct analysis
analyze (const char *s)
{
  size_t len = strlen (s);
  struct analysis a = { false, true, true, true };
  bool flow_ind = false, block_ind = false, special = false, line_breaks = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false;
  bool break_space = false, space_break = false, prev_space = false, prev_break = false;
  bool preceded_by_ws = true;

  if (len == 0)
    {
      a.block_allowed = false;
      return a;
    }
  if (len >= 3 && (strncmp (s, "---", 3) == 0 || strncmp (s, "...", 3) == 0))
    flow_ind = block_ind = true;
  for (size_t i = 0, w; i < len; i += w)
    {
      bool followed_by_ws;

      w = char_width ((unsigned char) s[i]);
      if (i + w > len)
        w = 1;
      followed_by_ws = i + w >= len || is_blank_at (s, len, i + w);
      if (i == 0)
        {
          if (strchr ("#,[]{}&*!|>'\"%@`", s[i]))
            flow_ind = block_ind = true;
          else if (s[i] == '?' || s[i] == ':')
            {
              flow_ind = true;
              block_ind |= followed_by_ws;
            }
          else if (s[i] == '-' && followed_by_ws)
            flow_ind = block_ind = true;
        }
      else
        {
          if (strchr (",?[]{}", s[i]))
            flow_ind = true;
          else if (s[i] == ':')
            {
              flow_ind = true;
              block_ind |= followed_by_ws;
            }
          else if (s[i] == '#' && preceded_by_ws)
            flow_ind = block_ind = true;
        }
      if (! is_printable_at (s, len, i))
        special = true;
      if (s[i] == ' ')
        {
          leading_space |= i == 0;
          trailing_space |= i + w == len;
          break_space |= prev_break;
          prev_space = true;
          prev_break = false;
        }
      else if (is_break_at (s, len, i))
        {
          line_breaks = true;
          leading_break |= i == 0;
          trailing_break |= i + w == len;
          space_break |= prev_space;
          prev_space = false;
          prev_break = true;
        }
      else
        prev_space = prev_break = false;
      preceded_by_ws = s[i] == ' ' || s[i] == '\t' || is_break_at (s, len, i);
    }
  a.multiline = line_breaks;
  if (leading_space || leading_break || trailing_space || trailing_break)
    a.block_plain_allowed = false;
  if (trailing_space)
    a.block_allowed = false;
  if (break_space)
    a.block_plain_allowed = a.single_quoted_allowed = false;
  if (space_break || special)
    a.block_plain_allowed = a.single_quoted_allowed = a.block_allowed = false;
  if (line_breaks)
    a.block_plain_allowed = false;
  if (block_ind)
    a.block_plain_allowed = false;
  (void) flow_ind;
  return a;
}

enum style
{
  STYLE_PLAIN,
  STYLE_SINGLE,
  STYLE_DOUBLE,
  STYLE_LITERAL,
};

static enum style
choose_style (const char *s, bool simple_key)
{
  struct analysis a = analyze (s);
  enum style st;

  if (strchr (s, '\n'))
    st = STYLE_LITERAL;
  else if (! resolves_to_non_string (s))
    st = STYLE_PLAIN;
  else
    st = STYLE_DOUBLE;
  if (st == STYLE_PLAIN && (! a.block_plain_allowed || (s[0] == '\0' && simple_key)))
    st = STYLE_SINGLE;
  if (st == STYLE_SINGLE && ! a.single_quoted_allowed)
    st = STYLE_DOUBLE;
  if (st == STYLE_LITERAL && (! a.block_allowed || simple_key))
    st = STYLE_DOUBLE;
  return st;
}

/* ---- the writer ---- */

struct out
{
  char *s;
  size_t len, cap;
  int column;
  int indent;
  bool whitespace, indention;
};

static void
put_bytes (struct out *o, const char *p, size_t n)
{
  if (o->len + n + 1 > o->cap)
    {
      o->cap = (o->len + n + 1) * 2;
      o->s = xrealloc (o->s, o->cap);
    }
  memcpy (o->s + o->len, p, n);
  o->len += n;
  o->s[o->len] = '\0';
}

/* One character (a column).  */
static void
put_char (struct out *o, const char *p, size_t n)
{
  put_bytes (o, p, n);
  o->column++;
}

static void
put_c (struct out *o, char c)
{
  put_char (o, &c, 1);
}

static void
put_break (struct out *o)
{
  put_bytes (o, "\n", 1);
  o->column = 0;
}

static void
write_indent (struct out *o)
{
  int indent = o->indent < 0 ? 0 : o->indent;

  if (! o->indention || o->column > indent || (o->column == indent && ! o->whitespace))
    put_break (o);
  while (o->column < indent)
    put_c (o, ' ');
  o->whitespace = true;
  o->indention = true;
}

static void
write_plain (struct out *o, const char *s, bool allow_breaks)
{
  size_t len = strlen (s);
  bool spaces = false;

  for (size_t i = 0, w; i < len; i += w)
    {
      w = char_width ((unsigned char) s[i]);
      if (i + w > len)
        w = 1;
      if (s[i] == ' ')
        {
          if (allow_breaks && ! spaces && o->column > YAML_WIDTH && ! (i + 1 < len && s[i + 1] == ' '))
            write_indent (o);
          else
            put_char (o, s + i, w);
          spaces = true;
        }
      else
        {
          put_char (o, s + i, w);
          spaces = false;
        }
    }
  o->whitespace = false;
  o->indention = false;
}

static void
write_single (struct out *o, const char *s, bool allow_breaks)
{
  size_t len = strlen (s);
  bool spaces = false;

  put_c (o, '\'');
  for (size_t i = 0, w; i < len; i += w)
    {
      w = char_width ((unsigned char) s[i]);
      if (i + w > len)
        w = 1;
      if (s[i] == ' ')
        {
          if (allow_breaks && ! spaces && o->column > YAML_WIDTH && i != 0 && i != len - 1
              && ! (i + 1 < len && s[i + 1] == ' '))
            write_indent (o);
          else
            put_char (o, s + i, w);
          spaces = true;
        }
      else
        {
          if (s[i] == '\'')
            put_c (o, '\'');
          put_char (o, s + i, w);
          spaces = false;
        }
    }
  put_c (o, '\'');
  o->whitespace = false;
  o->indention = false;
}

static void
write_escape (struct out *o, unsigned v)
{
  static const struct
  {
    unsigned v;
    char c;
  } short_escapes[] = { { 0x00, '0' },  { 0x07, 'a' }, { 0x08, 'b' }, { 0x09, 't' },   { 0x0A, 'n' },
                        { 0x0B, 'v' },  { 0x0C, 'f' }, { 0x0D, 'r' }, { 0x1B, 'e' },   { 0x22, '"' },
                        { 0x5C, '\\' }, { 0x85, 'N' }, { 0xA0, '_' }, { 0x2028, 'L' }, { 0x2029, 'P' } };
  char buf[16];
  int n;

  put_c (o, '\\');
  for (size_t i = 0; i < sizeof (short_escapes) / sizeof (short_escapes[0]); i++)
    if (short_escapes[i].v == v)
      {
        put_c (o, short_escapes[i].c);
        return;
      }
  if (v <= 0xFF)
    n = snprintf (buf, sizeof (buf), "x%02X", v);
  else if (v <= 0xFFFF)
    n = snprintf (buf, sizeof (buf), "u%04X", v);
  else
    n = snprintf (buf, sizeof (buf), "U%08X", v);
  for (int i = 0; i < n; i++)
    put_c (o, buf[i]);
}

static void
write_double (struct out *o, const char *s, bool allow_breaks)
{
  size_t len = strlen (s);
  bool spaces = false;

  put_c (o, '"');
  for (size_t i = 0, w; i < len;)
    {
      const unsigned char *u = (const unsigned char *) s;
      bool bom = i + 2 < len && u[i] == 0xEF && u[i + 1] == 0xBB && u[i + 2] == 0xBF;

      if (! is_printable_at (s, len, i) || bom || is_break_at (s, len, i) || s[i] == '"' || s[i] == '\\')
        {
          unsigned v = decode (s, len, i, &w);
          write_escape (o, v);
          i += w;
          spaces = false;
        }
      else if (s[i] == ' ')
        {
          if (allow_breaks && ! spaces && o->column > YAML_WIDTH && i != 0 && i != len - 1)
            {
              write_indent (o);
              if (i + 1 < len && s[i + 1] == ' ')
                put_c (o, '\\');
            }
          else
            put_c (o, ' ');
          i++;
          spaces = true;
        }
      else
        {
          w = char_width (u[i]);
          if (i + w > len)
            w = 1;
          put_char (o, s + i, w);
          i += w;
          spaces = false;
        }
    }
  put_c (o, '"');
  o->whitespace = false;
  o->indention = false;
}

static void
write_literal (struct out *o, const char *s)
{
  size_t len = strlen (s);
  bool breaks = true;

  put_c (o, '|');
  if (s[0] == ' ' || is_break_at (s, len, 0))
    put_c (o, '0' + YAML_INDENT);
  if (len == 0)
    put_c (o, '-');
  else
    {
      size_t i = len - 1;
      while (i > 0 && ((unsigned char) s[i] & 0xC0) == 0x80)
        i--;
      if (! is_break_at (s, len, i))
        put_c (o, '-');
      else if (i == 0)
        put_c (o, '+');
      else
        {
          i--;
          while (i > 0 && ((unsigned char) s[i] & 0xC0) == 0x80)
            i--;
          if (is_break_at (s, len, i))
            put_c (o, '+');
        }
    }
  put_break (o);
  o->indention = true;
  o->whitespace = true;
  for (size_t i = 0, w; i < len; i += w)
    {
      w = char_width ((unsigned char) s[i]);
      if (i + w > len)
        w = 1;
      if (is_break_at (s, len, i))
        {
          put_break (o);
          o->indention = true;
          breaks = true;
        }
      else
        {
          if (breaks)
            write_indent (o);
          put_char (o, s + i, w);
          o->indention = false;
          breaks = false;
        }
    }
}

/* A scalar whose block's entries are at column BLOCK_INDENT: a folded or
 * literal one goes on at BLOCK_INDENT + 2.  */
static void
write_scalar (struct out *o, const ferry_yaml_t *y, bool simple_key, int block_indent)
{
  int saved = o->indent;

  o->indent = block_indent + YAML_INDENT;
  if (y->kind == YAML_PLAIN)
    write_plain (o, y->text, false);
  else
    switch (choose_style (y->text, simple_key))
      {
      case STYLE_PLAIN:
        write_plain (o, y->text, ! simple_key);
        break;
      case STYLE_SINGLE:
        write_single (o, y->text, ! simple_key);
        break;
      case STYLE_DOUBLE:
        write_double (o, y->text, ! simple_key);
        break;
      case STYLE_LITERAL:
        write_literal (o, y->text);
        break;
      }
  o->indent = saved;
}

/* go-yaml's keyList.Less, for string keys.  */
int
ferry_yaml_key_compare (const char *a, const char *b)
{
  size_t la = strlen (a), lb = strlen (b), ia = 0, ib = 0, wa, wb;
  bool digits_run = false;

  while (ia < la && ib < lb)
    {
      unsigned ca = decode (a, la, ia, &wa), cb = decode (b, lb, ib, &wb);
      bool al, bl;
      long long an = 0, bn = 0;
      size_t ja, jb;

      if (ca == cb)
        {
          digits_run = ca >= '0' && ca <= '9';
          ia += wa;
          ib += wb;
          continue;
        }
      al = (ca >= 'a' && ca <= 'z') || (ca >= 'A' && ca <= 'Z') || ca >= 0x80;
      bl = (cb >= 'a' && cb <= 'z') || (cb >= 'A' && cb <= 'Z') || cb >= 0x80;
      if (al && bl)
        return ca < cb ? -1 : 1;
      if (al || bl)
        {
          if (digits_run)
            return al ? -1 : 1;
          return bl ? -1 : 1;
        }
      if (ca == '0' || cb == '0')
        for (size_t j = ia; j > 0 && a[j - 1] >= '0' && a[j - 1] <= '9'; j--)
          if (a[j - 1] != '0')
            {
              an = bn = 1;
              break;
            }
      for (ja = ia; ja < la && a[ja] >= '0' && a[ja] <= '9'; ja++)
        an = an * 10 + (a[ja] - '0');
      for (jb = ib; jb < lb && b[jb] >= '0' && b[jb] <= '9'; jb++)
        bn = bn * 10 + (b[jb] - '0');
      if (an != bn)
        return an < bn ? -1 : 1;
      if (ja - ia != jb - ib)
        return ja - ia < jb - ib ? -1 : 1;
      return ca < cb ? -1 : 1;
    }
  if (la - ia == lb - ib)
    return 0;
  return (la - ia) < (lb - ib) ? -1 : 1;
}

static int
index_compare (const void *pa, const void *pb, void *arg)
{
  const ferry_yaml_t *map = arg;
  size_t a = *(const size_t *) pa, b = *(const size_t *) pb;

  return ferry_yaml_key_compare (map->keys[a], map->keys[b]);
}

static void write_block (struct out *o, const ferry_yaml_t *y, int indent, bool first_inline);

/* VALUE after "key:" or "- ": on the same line, or below.  */
static void
write_value (struct out *o, const ferry_yaml_t *v, int block_indent, bool in_seq)
{
  if ((v->kind == YAML_MAP || v->kind == YAML_SEQ) && v->n == 0)
    {
      if (! in_seq)
        put_c (o, ' ');
      put_c (o, v->kind == YAML_MAP ? '{' : '[');
      put_c (o, v->kind == YAML_MAP ? '}' : ']');
      o->whitespace = false;
      o->indention = false;
      return;
    }
  if (v->kind == YAML_MAP)
    write_block (o, v, block_indent + YAML_INDENT, in_seq);
  else if (v->kind == YAML_SEQ)
    write_block (o, v, in_seq ? block_indent + YAML_INDENT : block_indent, in_seq);
  else
    {
      if (! in_seq)
        put_c (o, ' ');
      write_scalar (o, v, false, block_indent);
    }
}

/* A map or sequence whose entries are at column INDENT; FIRST_INLINE: its
 * first entry goes on the current line (after "- ").  */
static void
write_block (struct out *o, const ferry_yaml_t *y, int indent, bool first_inline)
{
  cleanup_free size_t *order = xmalloc (sizeof (size_t) * (y->n + 1));

  for (size_t i = 0; i < y->n; i++)
    order[i] = i;
  if (y->kind == YAML_MAP)
    qsort_r (order, y->n, sizeof (size_t), index_compare, (void *) y);
  for (size_t k = 0; k < y->n; k++)
    {
      const ferry_yaml_t *v = y->vs[order[k]];

      o->indent = indent;
      if (! (k == 0 && first_inline))
        write_indent (o);
      if (y->kind == YAML_MAP)
        {
          ferry_yaml_t key = { .kind = YAML_STR, .text = y->keys[order[k]] };

          /* go-yaml writes a key of more than 128 bytes, or of several
           * lines, as a complex one: "? KEY", then ": VALUE" below.  */
          if (strlen (key.text) > 128 || strchr (key.text, '\n'))
            {
              put_c (o, '?');
              put_c (o, ' ');
              o->whitespace = true;
              write_scalar (o, &key, false, indent);
              o->indent = indent;
              write_indent (o);
              put_c (o, ':');
              o->whitespace = false;
              write_value (o, v, indent, false);
              continue;
            }
          write_scalar (o, &key, true, indent);
          put_c (o, ':');
          o->whitespace = false;
          write_value (o, v, indent, false);
        }
      else
        {
          put_c (o, '-');
          put_c (o, ' ');
          o->whitespace = true;
          o->indention = true;
          write_value (o, v, indent, true);
        }
    }
}

char *
ferry_yaml_emit (const ferry_yaml_t *y)
{
  struct out o = { NULL, 0, 0, 0, -1, true, true };

  put_bytes (&o, "", 0);
  if (y->kind == YAML_MAP || y->kind == YAML_SEQ)
    {
      if (y->n == 0)
        put_bytes (&o, y->kind == YAML_MAP ? "{}" : "[]", 2);
      else
        write_block (&o, y, 0, true);
    }
  else
    write_scalar (&o, y, false, -YAML_INDENT);
  o.indent = 0;
  if (! o.indention || o.column > 0)
    put_break (&o);
  return o.s;
}
