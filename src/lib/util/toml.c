/* ferry: a small TOML reader (see toml.h).  */
#include "toml.h"
#include "cleanup.h"
#include "fs.h"
#include "parse.h"
#include "xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Every table and key of the document, so that nothing is defined twice
 * and a table closed by its inline form is not reopened (TOML's rules, as
 * containers/image's reader applies them).  Node 0 is the root table;
 * (parent, name) pairs are found through an open-addressed hash, so a
 * hostile file of many keys costs linear time.  */
enum node_kind
{
  NODE_TABLE,  /* [a], or implied by [a.b] or a.b = ... */
  NODE_TABLES, /* [[a]]: its elements are NODE_TABLEs without a name */
  NODE_VALUE,  /* a = 1, a = [ ... ] */
  NODE_INLINE, /* a = { ... }: closed */
};

enum node_origin
{
  ORIGIN_IMPLIED, /* a parent of a header: [a.b] implies a */
  ORIGIN_HEADER,  /* [a] */
  ORIGIN_DOTTED,  /* a.b = 1 implies a */
};

struct node
{
  char *name; /* NULL for an element of an array */
  int parent;
  int line;
  unsigned char kind;
  unsigned char origin;
  int last; /* NODE_TABLES: its last element */
};

struct keys
{
  struct node *nodes;
  size_t n, cap;
  int *slots; /* node + 1, 0 when free */
  size_t n_slots;
};

struct cursor
{
  const char *p;
  int line;
  const char *path;
  struct keys keys;
};

void
ferry_toml_value_release (struct ferry_toml_value *v)
{
  free (v->string);
  for (size_t i = 0; i < v->n_strings; i++)
    free (v->strings[i]);
  free (v->strings);
  free (v->go_text);
  free (v->go_element_text);
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
  /* No longer than the rest of its line (an escape writes fewer bytes
   * than it takes): the rest of the file would make reading a file of
   * many strings quadratic.  */
  buf = w = xmalloc (strcspn (t->p, "\n") + 1);
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
                int d = ferry_hex_digit (h);
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

/* ---- keys defined so far ------------------------------------------------------ */

static void
keys_release (struct keys *k)
{
  for (size_t i = 0; i < k->n; i++)
    free (k->nodes[i].name);
  free (k->nodes);
  free (k->slots);
}

static size_t
key_hash (int parent, const char *name)
{
  uint64_t h = UINT64_C (14695981039346656037) ^ (uint64_t) parent;

  for (; *name; name++)
    h = (h ^ (unsigned char) *name) * UINT64_C (1099511628211);
  return (size_t) h;
}

static int
key_find (const struct keys *k, int parent, const char *name)
{
  size_t i;

  if (k->n_slots == 0)
    return -1;
  for (i = key_hash (parent, name) & (k->n_slots - 1); k->slots[i]; i = (i + 1) & (k->n_slots - 1))
    {
      const struct node *n = &k->nodes[k->slots[i] - 1];
      if (n->parent == parent && strcmp (n->name, name) == 0)
        return k->slots[i] - 1;
    }
  return -1;
}

static void
key_slot (struct keys *k, int node)
{
  size_t i = key_hash (k->nodes[node].parent, k->nodes[node].name) & (k->n_slots - 1);

  while (k->slots[i])
    i = (i + 1) & (k->n_slots - 1);
  k->slots[i] = node + 1;
}

/* A new node under PARENT; NAME NULL for an element of an array.  */
static int
key_add (struct keys *k, int parent, const char *name, int line, enum node_kind kind, enum node_origin origin)
{
  int node = (int) k->n;

  if (k->n == k->cap)
    {
      k->cap = k->cap ? k->cap * 2 : 64;
      k->nodes = xrealloc (k->nodes, k->cap * sizeof (*k->nodes));
    }
  k->nodes[k->n++] = (struct node){ .name = name ? xstrdup (name) : NULL,
                                    .parent = parent,
                                    .line = line,
                                    .kind = kind,
                                    .origin = origin,
                                    .last = -1 };
  if (name == NULL)
    return node;
  if (2 * k->n > k->n_slots)
    {
      free (k->slots);
      k->n_slots = k->n_slots ? k->n_slots * 2 : 128;
      while (2 * k->n > k->n_slots)
        k->n_slots *= 2;
      k->slots = xmalloc0 (k->n_slots * sizeof (*k->slots));
      for (size_t i = 0; i < k->n; i++)
        if (k->nodes[i].name)
          key_slot (k, (int) i);
    }
  else
    key_slot (k, node);
  return node;
}

/* "a.b.c": NODE's name from the root, as TOML's messages name keys.  */
static char *
key_path (const struct keys *k, int node)
{
  char *path = xstrdup ("");

  for (; node > 0; node = k->nodes[node].parent)
    {
      char *joined;

      if (k->nodes[node].name == NULL)
        continue;
      joined = xasprintf ("%s%s%s", k->nodes[node].name, *path ? "." : "", path);
      free (path);
      path = joined;
    }
  return path;
}

/* NODE is there already: "PATH:LINE: Key 'a.b' WHAT (first at line N): FIX".  */
static int
key_fail (struct cursor *t, ferry_error_t *err, int node, const char *what, const char *fix)
{
  cleanup_free char *path = key_path (&t->keys, node);

  return ferry_make_error (err, 0, "%s:%d: Key '%s' %s (first at line %d): %s", t->path, t->line, path, what,
                           t->keys.nodes[node].line, fix);
}

#define DEFINED "has already been defined"
#define KEEP_ONE "keep one"

/* The table PART names under CUR on the way to a header's (DOTTED 0) or a
 * dotted key's last part, made when new; -1 when PART is no table that
 * may be entered from here.  */
static int
key_descend (struct cursor *t, int cur, const char *part, int dotted, ferry_error_t *err)
{
  int i = key_find (&t->keys, cur, part);
  const struct node *n;

  if (i < 0)
    return key_add (&t->keys, cur, part, t->line, NODE_TABLE, dotted ? ORIGIN_DOTTED : ORIGIN_IMPLIED);
  n = &t->keys.nodes[i];
  if (n->kind == NODE_TABLES && ! dotted)
    return n->last;
  if (n->kind == NODE_TABLE && (! dotted || n->origin == ORIGIN_DOTTED))
    return i;
  return key_fail (t, err, i, DEFINED, "a table is given once: put its keys together");
}

/* ---- values as read, before they are reported --------------------------------- */

enum
{
  ITEM_TABLE = FERRY_TOML_OTHER + 1, /* an inline table */
};

struct item
{
  int type; /* enum ferry_toml_type, or ITEM_TABLE */
  char *string;
  int64_t integer;
  struct item *items; /* an array's elements, or a table's entries */
  size_t n;
  char *key;    /* an entry of a table: the last part of its key, as written */
  char *prefix; /* the parts before it ("a.b" of a.b.c = 1), as handlers name tables; "" */
  int made;     /* the first of those parts whose table this entry made (-1: none) */
  int line;
  const char *go_type; /* FERRY_TOML_OTHER's type in Go: "float64", "time.Time", "int64" */
  char *word;          /* FERRY_TOML_OTHER as written */
};

static void
item_release (struct item *it)
{
  free (it->string);
  free (it->key);
  free (it->prefix);
  free (it->word);
  for (size_t i = 0; i < it->n; i++)
    item_release (&it->items[i]);
  free (it->items);
  memset (it, 0, sizeof (*it));
}

static struct item *
item_push (struct item *it)
{
  it->items = xrealloc (it->items, (it->n + 1) * sizeof (*it->items));
  memset (&it->items[it->n], 0, sizeof (*it->items));
  return &it->items[it->n++];
}

/* A key: bare or quoted parts separated by dots.  */
struct key
{
  char **parts; /* NULL-terminated */
  size_t n;
  char *joined; /* "a.b", as handlers see it: each part as a TOML key (name_part) */
};

static void
key_release (struct key *k)
{
  ferry_cleanup_strvp (&k->parts);
  free (k->joined);
  memset (k, 0, sizeof (*k));
}

/* PART as one part of a table's name for handlers: bare when it may be
 * written bare, else quoted as TOML quotes it, so that the key "a.b"
 * (one part) is never the dotted a.b (two).  */
static char *
name_part (const char *part)
{
  char *out, *o;

  if (*part
      && strspn (part, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == strlen (part))
    return xstrdup (part);
  out = o = xmalloc (6 * strlen (part) + 3);
  *o++ = '"';
  for (const unsigned char *c = (const unsigned char *) part; *c; c++)
    if (*c == '"' || *c == '\\')
      {
        *o++ = '\\';
        *o++ = (char) *c;
      }
    else if (*c < 0x20 || *c == 0x7f)
      o += sprintf (o, "\\u%04x", *c);
    else
      *o++ = (char) *c;
  *o++ = '"';
  *o = '\0';
  return out;
}

char *
ferry_toml_key_text (const char *key)
{
  return name_part (key);
}

/* NAME.PART, PART as name_part gives it.  */
static char *
name_join (const char *name, const char *part)
{
  cleanup_free char *p = name_part (part);

  return xasprintf ("%s%s%s", name, *name ? "." : "", p);
}

static int
read_key (struct cursor *t, struct key *k, ferry_error_t *err)
{
  memset (k, 0, sizeof (*k));
  k->joined = xstrdup ("");
  k->parts = xmalloc0 (sizeof (char *));
  for (;;)
    {
      char *part = NULL, *joined;

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
      k->parts = xrealloc (k->parts, (k->n + 2) * sizeof (char *));
      k->parts[k->n++] = part;
      k->parts[k->n] = NULL;
      joined = name_join (k->joined, part);
      free (k->joined);
      k->joined = joined;
      skip_blanks (t);
      if (*t->p != '.')
        return 0;
      t->p++;
    }
}

static int read_value (struct cursor *t, struct item *it, int node, int depth, ferry_error_t *err);

/* KEY = VALUE inside TABLE (a node): the key is defined there, once.  */
static int
read_entry (struct cursor *t, int table, struct item *it, int depth, ferry_error_t *err)
{
  struct key k;
  int cur = table, node;

  if (read_key (t, &k, err) < 0)
    {
      key_release (&k);
      return -1;
    }
  it->key = xstrdup (k.parts[k.n - 1]);
  it->prefix = xstrdup ("");
  it->made = -1;
  it->line = t->line;
  for (size_t i = 0; i + 1 < k.n && cur >= 0; i++)
    {
      size_t before = t->keys.n;
      char *prefix = name_join (it->prefix, k.parts[i]);

      free (it->prefix);
      it->prefix = prefix;
      cur = key_descend (t, cur, k.parts[i], 1, err);
      if (t->keys.n != before && it->made < 0)
        it->made = (int) i;
    }
  if (cur >= 0 && (node = key_find (&t->keys, cur, k.parts[k.n - 1])) >= 0)
    cur = key_fail (t, err, node, DEFINED, KEEP_ONE);
  if (cur >= 0)
    node = key_add (&t->keys, cur, k.parts[k.n - 1], t->line, NODE_VALUE, ORIGIN_DOTTED);
  key_release (&k);
  if (cur < 0)
    return -1;
  skip_blanks (t);
  if (*t->p != '=')
    return 1; /* the caller says what is wrong */
  t->p++;
  skip_blanks (t);
  return read_value (t, it, node, depth, err);
}

/* { key = value, ... } on one line, closed to later additions.  */
static int
read_inline_table (struct cursor *t, struct item *it, int node, int depth, ferry_error_t *err)
{
  it->type = ITEM_TABLE;
  it->line = t->line;
  t->keys.nodes[node].kind = NODE_INLINE;
  t->p++;
  skip_blanks (t);
  if (*t->p == '}')
    {
      t->p++;
      return 0;
    }
  for (;;)
    {
      int r = read_entry (t, node, item_push (it), depth + 1, err);

      if (r < 0)
        return -1;
      if (r > 0)
        return toml_fail (t, err, "invalid inline table: use { key = value, ... }");
      skip_blanks (t);
      if (*t->p == '}')
        break;
      if (*t->p != ',')
        return toml_fail (t, err,
                          "invalid inline table: separate its entries with `,` and close it with `}` on the "
                          "same line");
      t->p++;
      skip_blanks (t);
      if (*t->p == '}')
        return toml_fail (t, err, "trailing comma not allowed in inline tables: remove the last `,`");
    }
  t->p++;
  return 0;
}

static int
read_array (struct cursor *t, struct item *it, int node, int depth, ferry_error_t *err)
{
  it->type = FERRY_TOML_ARRAY;
  it->line = t->line;
  t->p++;
  for (;;)
    {
      struct item *e;
      int element;

      skip_space (t);
      if (*t->p == ']')
        break;
      /* An element has no name: its inline table's keys are its own.  */
      element = *t->p == '{' || *t->p == '['
                    ? key_add (&t->keys, node, NULL, t->line, NODE_VALUE, ORIGIN_DOTTED)
                    : -1;
      e = item_push (it);
      if (read_value (t, e, element, depth + 1, err) < 0)
        return -1;
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
read_bare (struct cursor *t, struct item *it, ferry_error_t *err)
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
      it->type = FERRY_TOML_BOOLEAN;
      it->integer = word[0] == 't';
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
      it->type = FERRY_TOML_INTEGER;
      it->integer = n;
      return 0;
    }
  /* Floats, dates, inf, nan, 0x..: start with a digit or a sign, or are
   * inf/nan.  */
  if ((word[0] >= '0' && word[0] <= '9') || word[0] == '+' || word[0] == '-' || strcmp (word, "inf") == 0
      || strcmp (word, "nan") == 0)
    {
      it->type = FERRY_TOML_OTHER;
      it->word = xstrndup (s, t->p - s);
      /* What Go's TOML decoder makes of it, for messages: 0x1F is a
       * number, 1979-05-27 and 07:32:00 are times.  */
      if (word[0] == '0' && (word[1] == 'x' || word[1] == 'o' || word[1] == 'b'))
        it->go_type = "int64";
      else if (strchr (word, ':') || (strlen (word) >= 10 && word[4] == '-' && word[7] == '-'))
        it->go_type = "time.Time";
      else
        it->go_type = "float64";
      return 0;
    }
  return toml_fail (t, err, "invalid value: use a \"string\", a number, true, false or a [list]");
}

/* A value, for the key NODE (whose kind it sets).  */
static int
read_value (struct cursor *t, struct item *it, int node, int depth, ferry_error_t *err)
{
  if (depth > 16)
    return toml_fail (t, err, "values nested too deeply: at most 16 levels of lists and inline tables");
  it->line = t->line;
  if (*t->p == '"' || *t->p == '\'')
    {
      it->type = FERRY_TOML_STRING;
      return read_string (t, &it->string, err);
    }
  if (*t->p == '[')
    return read_array (t, it, node, depth, err);
  if (*t->p == '{')
    return read_inline_table (t, it, node, depth, err);
  return read_bare (t, it, err);
}

/* ---- reporting values to the handler ------------------------------------------ */

/* containers.conf's {append=true}: add to the earlier list.  */
static int
is_append_mark (const struct item *it)
{
  return it->type == ITEM_TABLE && it->n == 1 && strcmp (it->items[0].key, "append") == 0
         && it->items[0].type == FERRY_TOML_BOOLEAN && it->items[0].integer;
}

/* A list whose elements are all inline tables: [[tables]] written inline.  */
static int
is_table_array (const struct item *it)
{
  if (it->type != FERRY_TOML_ARRAY || it->n == 0)
    return 0;
  for (size_t i = 0; i < it->n; i++)
    if (it->items[i].type != ITEM_TABLE || is_append_mark (&it->items[i]))
      return 0;
  return 1;
}

/* IT's type as Go's TOML decoder (BurntSushi/toml) names it.  */
static const char *
go_type_of (const struct item *it)
{
  static const char *const names[] = { "string", "int64", "bool", "[]any" };

  if (it->type == ITEM_TABLE)
    return "map[string]any";
  if (it->type < FERRY_TOML_OTHER)
    return names[it->type];
  return it->go_type ? it->go_type : "float64";
}

/* IT as Go's fmt prints a value of its type (%v), for messages: a
 * string, number or boolean exactly, another word as written; NULL for a
 * list or table.  */
static char *
go_text_of (const struct item *it)
{
  switch (it->type)
    {
    case FERRY_TOML_STRING:
      return xstrdup (it->string ? it->string : "");
    case FERRY_TOML_INTEGER:
      return xasprintf ("%" PRId64, it->integer);
    case FERRY_TOML_BOOLEAN:
      return xstrdup (it->integer ? "true" : "false");
    case FERRY_TOML_OTHER:
      return it->word ? xstrdup (it->word) : NULL;
    default:
      return NULL;
    }
}

static void
item_to_value (struct item *it, struct ferry_toml_value *v)
{
  v->type = it->type == ITEM_TABLE ? FERRY_TOML_OTHER : (enum ferry_toml_type) it->type;
  v->go_type = go_type_of (it);
  v->go_text = go_text_of (it);
  v->string = steal_pointer (&it->string);
  v->integer = it->integer;
  if (it->type != FERRY_TOML_ARRAY)
    return;
  v->strings = xmalloc0 ((it->n + 1) * sizeof (char *));
  for (size_t i = 0; i < it->n; i++)
    if (v->go_non_table == NULL && it->items[i].type != ITEM_TABLE)
      v->go_non_table = go_type_of (&it->items[i]);
  for (size_t i = 0; i < it->n; i++)
    if (it->items[i].type == FERRY_TOML_STRING)
      v->strings[v->n_strings++] = steal_pointer (&it->items[i].string);
    else if (is_append_mark (&it->items[i]))
      v->append = 1;
    else
      {
        if (! v->mixed)
          {
            v->go_element = go_type_of (&it->items[i]);
            v->go_element_text = go_text_of (&it->items[i]);
          }
        v->mixed = 1;
      }
}

/* The length of the first part of NAME, a handler's name (name_part's
 * parts joined by dots).  */
static size_t
strcspn_name (const char *name)
{
  const char *p = name;

  if (*p != '"')
    return strcspn (p, ".");
  for (p++; *p && *p != '"'; p++)
    if (*p == '\\' && p[1])
      p++;
  return (size_t) (p - name) + (*p == '"');
}

static int report_table (struct cursor *t, const struct ferry_toml_handler *h, void *data, const char *name,
                         int array, struct item *it, ferry_error_t *err);

/* KEY = IT under TABLE: an inline table as the table it stands for, a
 * list of them as an array of tables, anything else as a value.  */
static int
report (struct cursor *t, const struct ferry_toml_handler *h, void *data, const char *table, const char *key,
        struct item *it, ferry_error_t *err)
{
  struct ferry_toml_where w = { .path = t->path, .line = it->line };
  struct ferry_toml_value v = { 0 };
  cleanup_free char *in = xasprintf ("%s%s%s", table, *table && *it->prefix ? "." : "", it->prefix);
  int r;

  /* The tables a dotted key makes come as tables, the first time.  */
  if (it->made >= 0 && h->table)
    {
      const char *p = it->prefix;

      for (int i = 0; *p; i++)
        {
          p += strcspn_name (p);
          if (i >= it->made)
            {
              cleanup_free char *name
                  = xasprintf ("%s%s%.*s", table, *table ? "." : "", (int) (p - it->prefix), it->prefix);

              struct ferry_toml_where dw = { .path = w.path, .line = w.line, .dotted = 1 };

              if (h->table (data, &dw, name, 0, err) < 0)
                return -1;
            }
          if (*p == '.')
            p++;
        }
    }
  table = in;
  if (it->type == ITEM_TABLE || is_table_array (it))
    {
      cleanup_free char *name = name_join (table, key);

      if (it->type == ITEM_TABLE)
        return report_table (t, h, data, name, 0, it, err);
      for (size_t i = 0; i < it->n; i++)
        if (report_table (t, h, data, name, 1, &it->items[i], err) < 0)
          return -1;
      return 0;
    }
  item_to_value (it, &v);
  r = h->value (data, &w, table, key, &v, err);
  ferry_toml_value_release (&v);
  return r;
}

static int
report_table (struct cursor *t, const struct ferry_toml_handler *h, void *data, const char *name, int array,
              struct item *it, ferry_error_t *err)
{
  struct ferry_toml_where w = { .path = t->path, .line = it->line };

  if (h->table && h->table (data, &w, name, array, err) < 0)
    return -1;
  for (size_t i = 0; i < it->n; i++)
    if (report (t, h, data, name, it->items[i].key, &it->items[i], err) < 0)
      return -1;
  return 0;
}

int
ferry_toml_want (const struct ferry_toml_where *w, const char *key, const struct ferry_toml_value *v,
                 enum ferry_toml_type type, ferry_error_t *err)
{
  static const char *const names[]
      = { "a string in double quotes", "a whole number", "true or false", "a list of strings" };

  cleanup_free char *shown = NULL;

  if (v->type == type && ! (type == FERRY_TOML_ARRAY && v->mixed))
    return 0;
  shown = name_part (key);
  return ferry_make_error (err, 0, "%s:%d: invalid value of `%s`: use %s", w->path, w->line, shown,
                           type < FERRY_TOML_OTHER ? names[type] : "another value");
}

int
ferry_toml_want_go (const struct ferry_toml_where *w, const char *table, const char *key,
                    const struct ferry_toml_value *v, enum ferry_toml_type type, ferry_error_t *err)
{
  static const char *const dest[] = { "string", "integer", "boolean", "slice" };
  static const char *const fix[]
      = { "a string in double quotes", "a whole number", "true or false", "a list of strings" };
  cleanup_free char *shown = NULL;
  const char *has = v->go_type ? v->go_type : "float64", *want;

  if (v->type == type && ! (type == FERRY_TOML_ARRAY && v->mixed))
    return 0;
  if (type > FERRY_TOML_ARRAY)
    return ferry_toml_want (w, key, v, type, err);
  want = dest[type];
  /* A list's elements are each decoded into a string.  */
  if (type == FERRY_TOML_ARRAY && v->type == FERRY_TOML_ARRAY)
    has = v->go_element ? v->go_element : "float64", want = "string";
  shown = name_part (key);
  return ferry_make_error (err, 0,
                           "toml: line %d (last key \"%s%s%s\"): incompatible types: TOML value has type %s; "
                           "destination has type %s: use %s",
                           w->line, table ? table : "", table && *table ? "." : "", shown, has, want,
                           fix[type]);
}

/* ---- files ------------------------------------------------------------------ */

/* The node [NAME] (ARRAY 0) or [[NAME]] (ARRAY 1) opens, for KEY's parts.  */
static int
open_table (struct cursor *t, const struct key *k, int array, ferry_error_t *err)
{
  int cur = 0, node;
  struct node *n;

  for (size_t i = 0; i + 1 < k->n && cur >= 0; i++)
    cur = key_descend (t, cur, k->parts[i], 0, err);
  if (cur < 0)
    return -1;
  node = key_find (&t->keys, cur, k->parts[k->n - 1]);
  if (node < 0)
    node = key_add (&t->keys, cur, k->parts[k->n - 1], t->line, array ? NODE_TABLES : NODE_TABLE,
                    ORIGIN_HEADER);
  else if (array && t->keys.nodes[node].kind != NODE_TABLES)
    return key_fail (t, err, node, "was already created and cannot be used as an array",
                     "write its elements all inline or all as [[tables]]");
  else if (! array
           && (t->keys.nodes[node].kind != NODE_TABLE || t->keys.nodes[node].origin != ORIGIN_IMPLIED))
    return key_fail (t, err, node, DEFINED, "a table is given once: put its keys under one header");
  n = &t->keys.nodes[node];
  if (! array)
    {
      n->origin = ORIGIN_HEADER;
      n->line = t->line;
      return node;
    }
  node = key_add (&t->keys, node, NULL, t->line, NODE_TABLE, ORIGIN_HEADER);
  t->keys.nodes[t->keys.nodes[node].parent].last = node;
  return node;
}

/* [NAME] or [[NAME]], then the end of the line.  */
static int
read_table_header (struct cursor *t, const struct ferry_toml_handler *h, char **name, int *array, int *node,
                   ferry_error_t *err)
{
  struct key k;

  *array = t->p[1] == '[';
  t->p += *array ? 2 : 1;
  skip_blanks (t);
  if (read_key (t, &k, err) < 0 || *t->p != ']' || (*array && t->p[1] != ']'))
    {
      key_release (&k);
      ferry_error_release (err);
      return toml_fail (t, err,
                        h->bad_header ? h->bad_header : "invalid table header: use [name] or [[name]]");
    }
  t->p += *array ? 2 : 1;
  if ((*node = open_table (t, &k, *array, err)) < 0 || expect_line_end (t, err) < 0)
    {
      key_release (&k);
      return -1;
    }
  *name = steal_pointer (&k.joined);
  key_release (&k);
  return 0;
}

static int
parse (struct cursor *t, const struct ferry_toml_handler *h, void *data, ferry_error_t *err)
{
  cleanup_free char *table = xstrdup ("");
  int node = key_add (&t->keys, -1, NULL, 1, NODE_TABLE, ORIGIN_HEADER);

  for (;;)
    {
      struct item it = { 0 };
      int r;

      skip_space (t);
      if (*t->p == '\0')
        return 0;
      if (*t->p == '[')
        {
          cleanup_free char *name = NULL;
          struct ferry_toml_where w = { .path = t->path, .line = t->line };
          int array;

          if (read_table_header (t, h, &name, &array, &node, err) < 0)
            return -1;
          if (h->table && h->table (data, &w, name, array, err) < 0)
            return -1;
          free (table);
          table = steal_pointer (&name);
          continue;
        }
      r = read_entry (t, node, &it, 0, err);
      if (r > 0)
        r = toml_fail (t, err, h->bad_line ? h->bad_line : "invalid line: use key = value");
      /* The end of the line is checked before the value is reported, so
       * that what follows a value is never half-taken.  */
      if (r == 0)
        r = expect_line_end (t, err);
      if (r == 0)
        r = report (t, h, data, table, it.key, &it, err);
      item_release (&it);
      if (r < 0)
        return -1;
    }
}

int
ferry_toml_parse (const char *path, const char *text, const struct ferry_toml_handler *h, void *data,
                  ferry_error_t *err)
{
  struct cursor t = { .p = text, .line = 1, .path = path };
  int r = parse (&t, h, data, err);

  keys_release (&t.keys);
  return r;
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
