/* ferry CLI: --format templates, the subset of Go's text/template that
 * scripts use, printing values as Go prints them, and the tables of the
 * list commands laid out as Podman's (Go's tabwriter).  */
#include "common.h"
#include "template.h"
#include "engine/top.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a value stands for in Go, where JSON alone cannot say: kept in the
 * value's json-c userdata.  */
enum tpl_kind
{
  TPL_MAP = 1,  /* a map[string]string: a missing key is no error */
  TPL_TIME,     /* a time.Time: the string is Go's String(), JSON is RFC 3339 */
  TPL_STRUCT,   /* a struct with omitempty members: JSON leaves out the hidden */
  TPL_JSON,     /* a struct whose JSON names are not its fields': JSON is the text kept */
  TPL_NIL,      /* a nil slice: empty to templates, JSON null */
  TPL_NILPTR,   /* a nil pointer to a struct: prints <nil>, has no fields, JSON null */
  TPL_SLICE,    /* a slice whose elements' Go type is known: its JSON as it stands */
  TPL_DURATION, /* a time.Duration: a number of nanoseconds, printed as Go's String() */
};

struct tpl_mark
{
  enum tpl_kind kind;
  char *json;                /* TPL_TIME, TPL_JSON: the JSON text; TPL_MAP: "null" for a nil map, else NULL */
  json_object *unix_seconds; /* TPL_TIME: what {{.T.Unix}} gives */
  json_object *hidden;       /* TPL_STRUCT: the names of the members JSON leaves out */
  char *go_type;             /* TPL_NILPTR: the pointer's Go type, for errors */
  /* An object of any kind but TPL_MAP and TPL_NILPTR: the Go struct it
   * is (NULL: none known), and whether its field holds a pointer to it.  */
  const struct ferry_cli_go_struct *go;
  int go_pointer;
  /* TPL_MAP, TPL_NIL, TPL_SLICE: the Go type of the values (gotypes.c's
   * words, static), NULL when not known.  */
  const char *go_elem;
  /* TPL_MAP: its keys are numbers (Go's map[uint16]...): templates
   * order them by value, JSON as text, as Go does.  */
  int number_keys;
};

static json_object *tpl_keep (json_object *v);

static void
tpl_mark_free (json_object *v, void *userdata)
{
  struct tpl_mark *m = userdata;

  (void) v;
  free (m->json);
  free (m->go_type);
  json_object_put (m->unix_seconds);
  json_object_put (m->hidden);
  free (m);
}

static int
tpl_mark_serialize (json_object *v, struct printbuf *pb, int level, int flags)
{
  struct tpl_mark *m = json_object_get_userdata (v);

  (void) level;
  (void) flags;
  return printbuf_memappend (pb, m->json, strlen (m->json));
}

static int
tpl_compare_keys (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* OBJ's keys in order, as Go orders a map's.  */
static const char **
tpl_sorted_keys (json_object *obj, size_t *n)
{
  const char **keys = xmalloc ((json_object_object_length (obj) + 1) * sizeof (*keys));

  *n = 0;
  json_object_object_foreach (obj, k, val)
  {
    (void) val;
    keys[(*n)++] = k;
  }
  qsort (keys, *n, sizeof (*keys), tpl_compare_keys);
  return keys;
}

/* Keys that are numbers (a Go map of uint16, written "map[#]" in
 * gotypes.c), in their numeric order, as Go prints such a map.  */
static int
tpl_compare_number_keys (const void *a, const void *b)
{
  unsigned long x = strtoul (*(const char *const *) a, NULL, 10);
  unsigned long y = strtoul (*(const char *const *) b, NULL, 10);

  return x < y ? -1 : x > y;
}

/* OBJ's keys in the order a template prints or ranges over them: by
 * value when they are numbers (a map gotypes.c types "map[#]").  */
static const char **
tpl_sorted_keys_go (json_object *obj, size_t *n)
{
  const char **keys = tpl_sorted_keys (obj, n);
  const struct tpl_mark *m = json_object_get_userdata (obj);

  if (m && m->kind == TPL_MAP && m->number_keys)
    qsort (keys, *n, sizeof (*keys), tpl_compare_number_keys);
  return keys;
}

/* A map in JSON as Go's encoder writes it: keys in order.  */
static int
tpl_map_serialize (json_object *v, struct printbuf *pb, int level, int flags)
{
  size_t i, n;
  cleanup_free const char **keys = tpl_sorted_keys (v, &n);

  (void) level;
  printbuf_memappend (pb, "{", 1);
  for (i = 0; i < n; i++)
    {
      cleanup_json json_object *k = json_object_new_string (keys[i]);
      const char *ks = json_object_to_json_string_ext (k, flags);
      json_object *val = json_object_object_get (v, keys[i]);
      const char *vs = val ? json_object_to_json_string_ext (val, flags) : "null";

      if (i)
        printbuf_memappend (pb, ",", 1);
      printbuf_memappend (pb, ks, strlen (ks));
      printbuf_memappend (pb, ":", 1);
      printbuf_memappend (pb, vs, strlen (vs));
    }
  return printbuf_memappend (pb, "}", 1);
}

/* A struct in JSON as Go's encoder writes it: its members in order, but
 * the hidden ones.  */
static int
tpl_struct_serialize (json_object *v, struct printbuf *pb, int level, int flags)
{
  struct tpl_mark *m = json_object_get_userdata (v);
  int first = 1;

  (void) level;
  printbuf_memappend (pb, "{", 1);
  json_object_object_foreach (v, key, val)
  {
    cleanup_json json_object *k = NULL;
    const char *ks, *vs;

    if (json_object_object_get_ex (m->hidden, key, NULL))
      continue;
    k = json_object_new_string (key);
    ks = json_object_to_json_string_ext (k, flags);
    vs = val ? json_object_to_json_string_ext (val, flags) : "null";
    if (! first)
      printbuf_memappend (pb, ",", 1);
    first = 0;
    printbuf_memappend (pb, ks, strlen (ks));
    printbuf_memappend (pb, ":", 1);
    printbuf_memappend (pb, vs, strlen (vs));
  }
  return printbuf_memappend (pb, "}", 1);
}

void
ferry_cli_tpl_hide (json_object *obj, const char *key)
{
  struct tpl_mark *m;

  if (obj == NULL || ! json_object_is_type (obj, json_type_object))
    return;
  m = json_object_get_userdata (obj);
  if (m && m->kind != TPL_STRUCT)
    return;
  if (m == NULL)
    {
      m = xmalloc0 (sizeof (*m));
      m->kind = TPL_STRUCT;
      m->hidden = json_object_new_object ();
      json_object_set_serializer (obj, tpl_struct_serialize, m, tpl_mark_free);
    }
  json_object_object_add (m->hidden, key, json_object_new_boolean (1));
}

void
ferry_cli_tpl_go_id (json_object *o)
{
  json_object *id;

  if (o == NULL || ! json_object_object_get_ex (o, "Id", &id) || json_object_object_get_ex (o, "ID", NULL))
    return;
  json_object_object_add (o, "ID", json_object_get (id));
  ferry_cli_tpl_hide (o, "ID");
}

void
ferry_cli_tpl_json_as (json_object *obj, json_object *as)
{
  struct tpl_mark *m;

  if (obj == NULL || ! json_object_is_type (obj, json_type_object) || json_object_get_userdata (obj))
    return;
  m = xmalloc0 (sizeof (*m));
  m->kind = TPL_JSON;
  m->json = xstrdup (as ? ferry_json_to_string (as, 0) : "null");
  json_object_set_serializer (obj, tpl_mark_serialize, m, tpl_mark_free);
}

/* {{.T.Unix}} of a time that ferry_cli_tpl_time made, else NULL.  Only
 * strings are asked, on which json-c sets no userdata.  */
static json_object *
tpl_time_unix (json_object *v)
{
  const struct tpl_mark *m;

  if (v == NULL || ! json_object_is_type (v, json_type_string))
    return NULL;
  m = json_object_get_userdata (v);
  return m && m->kind == TPL_TIME ? m->unix_seconds : NULL;
}

/* V is a map that ferry_cli_tpl_map made.  Only objects are asked: json-c
 * keeps userdata of its own on some other values (a parsed double's
 * text), and ferry sets none on an object but these marks.  */
static int
tpl_is_map (json_object *v)
{
  const struct tpl_mark *m;

  if (v == NULL || ! json_object_is_type (v, json_type_object))
    return 0;
  m = json_object_get_userdata (v);
  return m && m->kind == TPL_MAP;
}

json_object *
ferry_cli_tpl_map (json_object *map)
{
  struct tpl_mark *m = xmalloc0 (sizeof (*m));
  json_object *o;

  m->kind = TPL_MAP;
  m->json = NULL;
  m->unix_seconds = NULL;
  if (map && json_object_is_type (map, json_type_object))
    {
      o = json_object_new_object ();
      json_object_object_foreach (map, k, v) json_object_object_add (o, k, json_object_get (v));
      json_object_set_serializer (o, tpl_map_serialize, m, tpl_mark_free);
      return o;
    }
  o = json_object_new_object ();
  m->json = xstrdup ("null");
  json_object_set_serializer (o, tpl_mark_serialize, m, tpl_mark_free);
  return o;
}

/* V is a nil pointer that ferry_cli_tpl_nil_pointer made: its Go type,
 * else NULL.  */
static const char *
tpl_nil_pointer_type (json_object *v)
{
  const struct tpl_mark *m;

  if (v == NULL || ! json_object_is_type (v, json_type_object))
    return NULL;
  m = json_object_get_userdata (v);
  return m && m->kind == TPL_NILPTR ? m->go_type : NULL;
}

json_object *
ferry_cli_tpl_nil_pointer (const char *go_type)
{
  struct tpl_mark *m = xmalloc0 (sizeof (*m));
  json_object *o = json_object_new_object ();

  m->kind = TPL_NILPTR;
  m->json = xstrdup ("null");
  m->go_type = xstrdup (go_type);
  json_object_set_serializer (o, tpl_mark_serialize, m, tpl_mark_free);
  return o;
}

json_object *
ferry_cli_tpl_nil_slice (void)
{
  struct tpl_mark *m = xmalloc0 (sizeof (*m));
  json_object *o = json_object_new_array ();

  m->kind = TPL_NIL;
  m->json = xstrdup ("null");
  json_object_set_serializer (o, tpl_mark_serialize, m, tpl_mark_free);
  return o;
}

void
ferry_cli_tpl_graph_driver (json_object *o)
{
  json_object *gd = json_object_object_get (o, "GraphDriver");
  json_object *data = json_object_object_get (gd, "Data");

  if (data && json_object_is_type (data, json_type_object))
    json_object_object_add (gd, "Data", ferry_cli_tpl_map (data));
}

json_object *
ferry_cli_tpl_time (const char *rfc3339)
{
  struct timespec ts = { 0 };
  struct tm tm;
  char date[32], zone[32], jdate[32], jzone[16] = "Z", frac[16] = "";
  struct tpl_mark *m = xmalloc0 (sizeof (*m));
  cleanup_free char *text = NULL;
  json_object *o;
  int off;

  m->kind = TPL_TIME;
  if (rfc3339 == NULL || *rfc3339 == '\0' || ferry_time_parse (rfc3339, &ts) < 0)
    ts = (struct timespec){ .tv_sec = -62135596800LL, .tv_nsec = 0 }; /* Go's zero time */
  localtime_r (&ts.tv_sec, &tm);
  strftime (date, sizeof (date), "%Y-%m-%d %H:%M:%S", &tm);
  strftime (jdate, sizeof (jdate), "%Y-%m-%dT%H:%M:%S", &tm);
  strftime (zone, sizeof (zone), "%z %Z", &tm);
  if (ts.tv_sec == -62135596800LL)
    {
      /* Go's zero time is in UTC, whatever the local zone.  */
      strcpy (date, "0001-01-01 00:00:00");
      strcpy (jdate, "0001-01-01T00:00:00");
      strcpy (zone, "+0000 UTC");
      tm.tm_gmtoff = 0;
    }
  if (ts.tv_nsec)
    {
      /* Go drops the fraction's trailing zeros.  */
      size_t n;
      snprintf (frac, sizeof (frac), ".%09ld", ts.tv_nsec);
      for (n = strlen (frac); frac[n - 1] == '0'; n--)
        frac[n - 1] = '\0';
    }
  off = (int) (tm.tm_gmtoff / 60);
  if (off)
    snprintf (jzone, sizeof (jzone), "%c%02d:%02d", off < 0 ? '-' : '+', abs (off) / 60 % 100,
              abs (off) % 60);
  m->json = xasprintf ("\"%s%s%s\"", jdate, frac, jzone);
  m->unix_seconds = json_object_new_int64 (ts.tv_sec);
  text = xasprintf ("%s%s %s", date, frac, zone);
  o = json_object_new_string (text);
  json_object_set_serializer (o, tpl_mark_serialize, m, tpl_mark_free);
  return o;
}

json_object *
ferry_cli_tpl_time_text (const char *rfc3339)
{
  cleanup_json json_object *t = ferry_cli_tpl_time (rfc3339);

  return json_object_new_string (json_object_get_string (t));
}

/* Go's %v of a float64: the shortest text that reads back the same, in
 * exponent form only for very large or small magnitudes.  */
static void
tpl_print_double (FILE *out, double d)
{
  char buf[64];
  int prec;

  if (d == (double) (long long) d && d < 1e21 && d > -1e21)
    {
      fprintf (out, "%lld", (long long) d);
      return;
    }
  for (prec = 1; prec < 17; prec++)
    {
      snprintf (buf, sizeof (buf), "%.*g", prec, d);
      if (strtod (buf, NULL) == d)
        break;
    }
  snprintf (buf, sizeof (buf), "%.*g", prec, d);
  fputs (buf, out);
}

/* ---- Go structs (gotypes.c) --------------------------------------------- */

/* The Go struct V was marked as, else NULL; *POINTER says whether its
 * field holds a pointer to it.  */
static const struct ferry_cli_go_struct *
tpl_go_struct (json_object *v, int *pointer)
{
  const struct tpl_mark *m;

  *pointer = 0;
  if (v == NULL || ! json_object_is_type (v, json_type_object))
    return NULL;
  m = json_object_get_userdata (v);
  if (m == NULL || m->kind == TPL_MAP || m->kind == TPL_NILPTR)
    return NULL;
  *pointer = m->go_pointer;
  return m->go;
}

static void
tpl_go_mark (json_object *obj, const struct ferry_cli_go_struct *st, int pointer)
{
  struct tpl_mark *m = json_object_get_userdata (obj);

  if (m == NULL)
    {
      m = xmalloc0 (sizeof (*m));
      m->kind = TPL_STRUCT;
      m->hidden = json_object_new_object ();
      json_object_set_serializer (obj, tpl_struct_serialize, m, tpl_mark_free);
    }
  else if (m->kind == TPL_MAP || m->kind == TPL_NILPTR)
    return;
  m->go = st;
  m->go_pointer = pointer;
}

static int
tpl_type_is (const char *type, size_t len, const char *word)
{
  return strlen (word) == len && memcmp (type, word, len) == 0;
}

/* ST's field NAME (LEN bytes), in its embedded structs too.  */
static const struct ferry_cli_go_field *
tpl_go_field (const struct ferry_cli_go_struct *st, const char *name, size_t len)
{
  for (const struct ferry_cli_go_field *f = st->fields; f->name; f++)
    {
      if (f->type[0] == '^')
        {
          const struct ferry_cli_go_struct *sub
              = ferry_cli_go_struct_find (f->type + 1, strlen (f->type + 1));
          const struct ferry_cli_go_field *found = sub ? tpl_go_field (sub, name, len) : NULL;

          if (found)
            return found;
          continue;
        }
      if (strlen (f->name) == len && memcmp (f->name, name, len) == 0)
        return f;
    }
  return NULL;
}

/* OBJ's member for field F, under its Go or its JSON name; *FOUND says
 * whether OBJ has one.  */
static json_object *
tpl_go_member (json_object *obj, const struct ferry_cli_go_field *f, int *found)
{
  json_object *v = NULL;

  *found = obj && json_object_is_type (obj, json_type_object)
           && (json_object_object_get_ex (obj, f->name, &v)
               || (f->json && json_object_object_get_ex (obj, f->json, &v)));
  return *found ? v : NULL;
}

static void tpl_go_walk (json_object *v, const char *type, size_t len, int pointer);

/* Marks V, a slice (array) or a map (object), with the Go type of its
 * values, ELEM (the rest of a static type text): a map becomes a Go map
 * (a missing key is no error, JSON in key order) if it was not one.  */
static void
tpl_go_mark_elem (json_object *v, const char *elem)
{
  struct tpl_mark *m = json_object_get_userdata (v);

  if (m)
    {
      if (m->kind == TPL_MAP || m->kind == TPL_NIL || m->kind == TPL_SLICE)
        m->go_elem = elem;
      return;
    }
  m = xmalloc0 (sizeof (*m));
  m->go_elem = elem;
  if (json_object_is_type (v, json_type_array))
    {
      m->kind = TPL_SLICE;
      json_object_set_userdata (v, m, tpl_mark_free);
      return;
    }
  m->kind = TPL_MAP;
  json_object_set_serializer (v, tpl_map_serialize, m, tpl_mark_free);
}

/* The Go type of V's values, where a walk marked it.  */
static const char *
tpl_go_elem (json_object *v)
{
  const struct tpl_mark *m;

  if (v == NULL || ! (json_object_is_type (v, json_type_array) || json_object_is_type (v, json_type_object)))
    return NULL;
  m = json_object_get_userdata (v);
  return m && (m->kind == TPL_MAP || m->kind == TPL_NIL || m->kind == TPL_SLICE) ? m->go_elem : NULL;
}

static void
tpl_go_walk_fields (json_object *obj, const struct ferry_cli_go_struct *st)
{
  for (const struct ferry_cli_go_field *f = st->fields; f->name; f++)
    {
      json_object *v;
      int found;

      if (f->type[0] == '^')
        {
          const struct ferry_cli_go_struct *sub
              = ferry_cli_go_struct_find (f->type + 1, strlen (f->type + 1));
          if (sub)
            tpl_go_walk_fields (obj, sub);
          continue;
        }
      v = tpl_go_member (obj, f, &found);
      if (v)
        tpl_go_walk (v, f->type, strlen (f->type), 0);
    }
}

static void
tpl_go_walk (json_object *v, const char *type, size_t len, int pointer)
{
  const struct ferry_cli_go_struct *st;

  if (v == NULL || tpl_nil_pointer_type (v))
    return;
  if (len > 1 && type[0] == '*')
    {
      tpl_go_walk (v, type + 1, len - 1, 1);
      return;
    }
  if (len > 2 && memcmp (type, "[]", 2) == 0)
    {
      if (json_object_is_type (v, json_type_array))
        {
          tpl_go_mark_elem (v, type + 2);
          for (size_t i = 0; i < json_object_array_length (v); i++)
            tpl_go_walk (json_object_array_get_idx (v, i), type + 2, len - 2, 0);
        }
      return;
    }
  if (len > 6 && memcmp (type, "map[#]", 6) == 0)
    {
      if (json_object_is_type (v, json_type_object))
        {
          struct tpl_mark *m;

          tpl_go_mark_elem (v, type + 6);
          m = json_object_get_userdata (v);
          if (m && m->kind == TPL_MAP)
            m->number_keys = 1;
          json_object_object_foreach (v, k, val)
          {
            (void) k;
            tpl_go_walk (val, type + 6, len - 6, 0);
          }
        }
      return;
    }
  if (len > 5 && memcmp (type, "map[]", 5) == 0)
    {
      if (json_object_is_type (v, json_type_object))
        {
          tpl_go_mark_elem (v, type + 5);
          json_object_object_foreach (v, k, val)
          {
            (void) k;
            tpl_go_walk (val, type + 5, len - 5, 0);
          }
        }
      return;
    }
  st = ferry_cli_go_struct_find (type, len);
  if (st == NULL || ! json_object_is_type (v, json_type_object))
    return;
  tpl_go_mark (v, st, pointer);
  tpl_go_walk_fields (v, st);
}

void
ferry_cli_tpl_go_members (json_object *obj, const char *type)
{
  const struct ferry_cli_go_struct *st = ferry_cli_go_struct_find (type, strlen (type));

  if (st && obj && json_object_is_type (obj, json_type_object))
    tpl_go_walk_fields (obj, st);
}

void
ferry_cli_tpl_go_struct (json_object *obj, const char *type)
{
  const struct ferry_cli_go_struct *st = ferry_cli_go_struct_find (type, strlen (type));

  if (st && obj && json_object_is_type (obj, json_type_object))
    {
      tpl_go_mark (obj, st, 0);
      tpl_go_walk_fields (obj, st);
    }
}

/* ST's embedded struct named NAME (LEN bytes), as Go finds it by its
 * type's name ({{.Details}} of Podman's events): a struct of OBJ's
 * members that are its fields, kept for the template's run.  */
static json_object *
tpl_go_embedded (json_object *obj, const struct ferry_cli_go_struct *st, const char *name, size_t len)
{
  for (const struct ferry_cli_go_field *f = st->fields; f->name; f++)
    {
      const struct ferry_cli_go_struct *sub;
      json_object *o;

      if (f->type[0] != '^' || strlen (f->name) != len || memcmp (f->name, name, len) != 0)
        continue;
      sub = ferry_cli_go_struct_find (f->type + 1, strlen (f->type + 1));
      if (sub == NULL)
        return NULL;
      o = tpl_keep (json_object_new_object ());
      for (const struct ferry_cli_go_field *g = sub->fields; g->name; g++)
        {
          int found;
          json_object *v = tpl_go_member (obj, g, &found);

          if (found)
            json_object_object_add (o, g->json ? g->json : g->name, json_object_get (v));
        }
      tpl_go_mark (o, sub, 0);
      return o;
    }
  return NULL;
}

/* The zero value of a field of Go type TYPE that the JSON leaves out, as
 * a template finds it.  */
static json_object *
tpl_go_zero (const char *type)
{
  const struct ferry_cli_go_struct *st;
  json_object *o;

  if (type[0] == '*')
    return ferry_cli_tpl_nil_pointer (type);
  if (strncmp (type, "[]", 2) == 0)
    return ferry_cli_tpl_nil_slice ();
  if (strncmp (type, "map[]", 5) == 0)
    return ferry_cli_tpl_map (NULL);
  if (strcmp (type, "string") == 0 || strcmp (type, "ipnet") == 0)
    return json_object_new_string ("");
  if (strcmp (type, "num") == 0)
    return json_object_new_int (0);
  if (strcmp (type, "bool") == 0)
    return json_object_new_boolean (0);
  if (strcmp (type, "time") == 0)
    return ferry_cli_tpl_time (NULL);
  if (strcmp (type, "ip") == 0)
    return json_object_new_string ("<nil>");
  st = ferry_cli_go_struct_find (type, strlen (type));
  if (st == NULL)
    return NULL;
  o = json_object_new_object ();
  tpl_go_mark (o, st, 0);
  return o;
}

/* PARENT's member KEY, VALUE, as the template finds it: a number that is
 * a time.Duration in Podman's struct prints as one ("30s") and still
 * compares as a number.  */
static json_object *
tpl_go_typed_member (json_object *parent, const char *key, json_object *value)
{
  int pointer;
  const struct ferry_cli_go_struct *st = tpl_go_struct (parent, &pointer);
  const struct ferry_cli_go_field *f = st ? tpl_go_field (st, key, strlen (key)) : NULL;
  struct tpl_mark *m;
  json_object *d;

  if (f == NULL || strcmp (f->type, "duration") != 0 || value == NULL
      || ! json_object_is_type (value, json_type_int))
    return value;
  d = json_object_new_int64 (json_object_get_int64 (value));
  m = xmalloc0 (sizeof (*m));
  m->kind = TPL_DURATION;
  json_object_set_userdata (d, m, tpl_mark_free);
  return tpl_keep (d);
}

json_object *
ferry_cli_tpl_duration (int64_t ns)
{
  json_object *d = json_object_new_int64 (ns);
  struct tpl_mark *m = xmalloc0 (sizeof (*m));

  m->kind = TPL_DURATION;
  json_object_set_userdata (d, m, tpl_mark_free);
  return d;
}

/* A stand-in for the address Go prints for a pointer inside a value:
 * ferry has no Go heap, and an address is no use to a script.  */
#define TPL_GO_ADDRESS "0xc000000000"

static void tpl_print_value (FILE *out, json_object *v, const char *type, size_t len, int depth, int action);

/* A net.IPNet from its CIDR text: {IP Mask}, the mask in hex.  */
static void
tpl_print_ipnet (FILE *out, json_object *v)
{
  const char *s = v && json_object_is_type (v, json_type_string) ? json_object_get_string (v) : "";
  const char *slash = strchr (s, '/');
  int bits, total;

  if (slash == NULL)
    {
      fputs ("{<nil> <nil>}", out);
      return;
    }
  bits = atoi (slash + 1);
  total = memchr (s, ':', (size_t) (slash - s)) ? 128 : 32;
  fprintf (out, "{%.*s ", (int) (slash - s), s);
  for (int i = 0; i < total / 8; i++)
    {
      int b = bits - i * 8;
      fprintf (out, "%02x", b >= 8 ? 0xff : b <= 0 ? 0 : (0xff << (8 - b)) & 0xff);
    }
  fputc ('}', out);
}

static void
tpl_print_struct_fields (FILE *out, json_object *v, const struct ferry_cli_go_struct *st, int depth)
{
  int first = 1;

  fputc ('{', out);
  for (const struct ferry_cli_go_field *f = st->fields; f->name; f++)
    {
      int found;
      json_object *member = f->type[0] == '^' ? v : tpl_go_member (v, f, &found);

      if (! first)
        fputc (' ', out);
      first = 0;
      tpl_print_value (out, member, f->type, strlen (f->type), depth + 1, 0);
    }
  fputc ('}', out);
}

/* A non-nil pointer to a value of type TYPE: at the top a struct's
 * fields (&{...} where fmt, not the template, prints it) and a scalar's
 * value for the template; inside another value an address.  */
static void
tpl_print_pointer (FILE *out, json_object *v, const char *type, size_t len, int depth, int action)
{
  const struct ferry_cli_go_struct *st = ferry_cli_go_struct_find (type, len);

  if (tpl_type_is (type, len, "time"))
    {
      tpl_print_value (out, v, type, len, depth, action);
      return;
    }
  if (depth > 0)
    {
      fputs (TPL_GO_ADDRESS, out);
      return;
    }
  if (st == NULL)
    {
      if (action)
        tpl_print_value (out, v, type, len, depth, action);
      else
        fputs (TPL_GO_ADDRESS, out);
      return;
    }
  if (! action)
    fputc ('&', out);
  tpl_print_struct_fields (out, v, st, depth);
}

/* Prints V as Go's fmt prints the value of Go type TYPE (LEN bytes; NULL:
 * what V's marks and JSON say) that it stands for: strings bare, slices
 * [a b], maps map[k:v] in key order, structs {a b}.  A missing value
 * prints as "<no value>" on its own (DEPTH 0 in an action, which prints
 * what a top pointer points to) and "<nil>" inside another.  */
static void
tpl_print_value (FILE *out, json_object *v, const char *type, size_t len, int depth, int action)
{
  const struct ferry_cli_go_struct *st;
  int pointer;
  size_t i, n;

  if (type == NULL)
    {
      if (v == NULL)
        {
          fputs (action && depth == 0 ? "<no value>" : "<nil>", out);
          return;
        }
      if (tpl_nil_pointer_type (v))
        {
          fputs ("<nil>", out);
          return;
        }
      st = tpl_go_struct (v, &pointer);
      if (st && pointer)
        tpl_print_pointer (out, v, st->name, strlen (st->name), depth, action);
      else if (st)
        tpl_print_struct_fields (out, v, st, depth);
      else
        switch (json_object_get_type (v))
          {
          case json_type_string:
            fputs (json_object_get_string (v), out);
            return;
          case json_type_boolean:
            fputs (json_object_get_boolean (v) ? "true" : "false", out);
            return;
          case json_type_int:
            {
              const struct tpl_mark *dm = json_object_get_userdata (v);
              if (dm && dm->kind == TPL_DURATION)
                tpl_print_value (out, v, "duration", 8, depth, action);
              else
                fprintf (out, "%lld", (long long) json_object_get_int64 (v));
              return;
            }
          case json_type_double:
            tpl_print_double (out, json_object_get_double (v));
            return;
          case json_type_array:
            {
              const char *elem = tpl_go_elem (v);
              fputc ('[', out);
              for (i = 0, n = json_object_array_length (v); i < n; i++)
                {
                  if (i)
                    fputc (' ', out);
                  tpl_print_value (out, json_object_array_get_idx (v, i), elem, elem ? strlen (elem) : 0,
                                   depth + 1, 0);
                }
              fputc (']', out);
              return;
            }
          case json_type_object:
            {
              const char *elem = tpl_go_elem (v);
              cleanup_free const char **keys = tpl_sorted_keys_go (v, &n);
              fputs ("map[", out);
              for (i = 0; i < n; i++)
                {
                  fprintf (out, "%s%s:", i ? " " : "", keys[i]);
                  tpl_print_value (out, json_object_object_get (v, keys[i]), elem, elem ? strlen (elem) : 0,
                                   depth + 1, 0);
                }
              fputc (']', out);
              return;
            }
          default:
            fputs ("<nil>", out);
          }
      return;
    }
  if (type[0] == '*')
    {
      if (v == NULL || tpl_nil_pointer_type (v))
        fputs ("<nil>", out);
      else
        tpl_print_pointer (out, v, type + 1, len - 1, depth, action);
      return;
    }
  if (type[0] == '^')
    {
      st = ferry_cli_go_struct_find (type + 1, len - 1);
      if (st)
        tpl_print_struct_fields (out, v, st, depth);
      return;
    }
  if (len > 2 && memcmp (type, "[]", 2) == 0)
    {
      fputc ('[', out);
      for (i = 0, n = v && json_object_is_type (v, json_type_array) ? json_object_array_length (v) : 0; i < n;
           i++)
        {
          if (i)
            fputc (' ', out);
          tpl_print_value (out, json_object_array_get_idx (v, i), type + 2, len - 2, depth + 1, 0);
        }
      fputc (']', out);
      return;
    }
  if (len > 6 && memcmp (type, "map[#]", 6) == 0)
    {
      cleanup_free const char **keys = NULL;

      fputs ("map[", out);
      if (v && json_object_is_type (v, json_type_object))
        {
          keys = tpl_sorted_keys (v, &n);
          qsort (keys, n, sizeof (*keys), tpl_compare_number_keys);
          for (i = 0; i < n; i++)
            {
              fprintf (out, "%s%s:", i ? " " : "", keys[i]);
              tpl_print_value (out, json_object_object_get (v, keys[i]), type + 6, len - 6, depth + 1, 0);
            }
        }
      fputc (']', out);
      return;
    }
  if (len > 5 && memcmp (type, "map[]", 5) == 0)
    {
      cleanup_free const char **keys = NULL;

      fputs ("map[", out);
      if (v && json_object_is_type (v, json_type_object))
        {
          keys = tpl_sorted_keys (v, &n);
          for (i = 0; i < n; i++)
            {
              fprintf (out, "%s%s:", i ? " " : "", keys[i]);
              tpl_print_value (out, json_object_object_get (v, keys[i]), type + 5, len - 5, depth + 1, 0);
            }
        }
      fputc (']', out);
      return;
    }
  if (tpl_type_is (type, len, "time"))
    {
      if (v && json_object_is_type (v, json_type_string) && tpl_time_unix (v))
        fputs (json_object_get_string (v), out);
      else
        {
          cleanup_json json_object *t = ferry_cli_tpl_time (
              v && json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL);
          fputs (json_object_get_string (t), out);
        }
    }
  else if (tpl_type_is (type, len, "duration"))
    {
      cleanup_free char *text = ferry_go_duration (
          v && (json_object_is_type (v, json_type_int) || json_object_is_type (v, json_type_double))
              ? json_object_get_int64 (v)
              : 0);
      fputs (text, out);
    }
  else if (tpl_type_is (type, len, "ip"))
    fputs (v && json_object_is_type (v, json_type_string) && json_object_get_string_len (v)
               ? json_object_get_string (v)
               : "<nil>",
           out);
  else if (tpl_type_is (type, len, "ipnet"))
    {
      fputc ('{', out);
      tpl_print_ipnet (out, v);
      fputc ('}', out);
    }
  else if (v == NULL)
    {
      st = ferry_cli_go_struct_find (type, len);
      if (st)
        tpl_print_struct_fields (out, NULL, st, depth);
      else
        fputs (tpl_type_is (type, len, "num")    ? "0"
               : tpl_type_is (type, len, "bool") ? "false"
               : tpl_type_is (type, len, "any")  ? "<nil>"
                                                 : "",
               out);
    }
  else if ((st = ferry_cli_go_struct_find (type, len)) != NULL)
    tpl_print_struct_fields (out, v, st, depth);
  else
    tpl_print_value (out, v, NULL, 0, depth, 0);
}

/* Prints V as Go's fmt prints it at the top: TOP for what an action
 * prints (a missing value "<no value>", a pointer's target), else as an
 * argument of print or printf.  */
static void
tpl_print_go (FILE *out, json_object *v, int top)
{
  tpl_print_value (out, v, NULL, 0, 0, top);
}

/* How Podman's errors name a template: after its command (cobra's name:
 * "ps", "ls" for volume ls, "list" for image ls), and whether Podman
 * wrapped the user's text in "{{range .}}" (11 bytes, shifting the columns
 * of the first line) before parsing it, as it does but for info, version
 * and events.  */
static struct
{
  char name[32];
  int ranged;
  const char *root_type; /* static */
} tpl_origin = { "ferry", 1, NULL };

/* What the template being rendered runs on, whose Go type is
 * tpl_origin.root_type.  */
static json_object *tpl_root;
/* What $ is, when not the object the template runs on: a list's rows.  */
static json_object *tpl_dollar;
/* $ is an inspect's list, which Go types []interface {}.  */
static bool tpl_dollar_any;

void
ferry_cli_template_name (const char *group, const char *cmd)
{
  const char *name = cmd;

  if (cmd == NULL)
    return;
  if (strcmp (cmd, "ls") == 0 || strcmp (cmd, "list") == 0)
    name = group && (strcmp (group, "image") == 0 || strcmp (group, "container") == 0) ? "list" : "ls";
  snprintf (tpl_origin.name, sizeof (tpl_origin.name), "%s", name);
  tpl_origin.ranged = 1;
}

void
ferry_cli_template_unranged (void)
{
  tpl_origin.ranged = 0;
}

void
ferry_cli_template_root_type (const char *go_type)
{
  tpl_origin.root_type = go_type;
}

/* The line and column of AT in FORMAT as Go counts them, once Podman has
 * turned the escapes \n and \t into their characters.  */
static void
tpl_where (const char *format, const char *at, int *line, int *col)
{
  const char *p = format;

  *line = 1;
  *col = 0;
  while (p < at && *p)
    {
      if (*p == '\n' || (p[0] == '\\' && p[1] == 'n'))
        {
          p += *p == '\n' ? 1 : 2;
          (*line)++;
          *col = 0;
          continue;
        }
      p += p[0] == '\\' && p[1] == 't' ? 2 : 1;
      (*col)++;
    }
  if (*line == 1 && tpl_origin.ranged)
    *col += 11;
}

/* A parse error, as Go words it: "template: NAME:LINE: MESSAGE".  */
static int __attribute__ ((format (printf, 4, 5)))
tpl_parse_error (ferry_error_t *err, const char *format, const char *at, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;
  int line, col;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  tpl_where (format, at, &line, &col);
  return ferry_make_error (err, 0, "template: %s:%d: %s", tpl_origin.name, line, msg);
}

/* An error running the template at the node NODE (LEN bytes, whose
 * position is AT): "template: NAME:LINE:COL: executing "NAME" at <NODE>:
 * MESSAGE".  */
static int __attribute__ ((format (printf, 6, 7)))
tpl_exec_error (ferry_error_t *err, const char *format, const char *at, const char *node, size_t len,
                const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;
  int line, col;

  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    abort ();
  va_end (ap);
  tpl_where (format, at, &line, &col);
  return ferry_make_error (err, 0, "template: %s:%d:%d: executing \"%s\" at <%.*s>: %s", tpl_origin.name,
                           line, col, tpl_origin.name, (int) len, node, msg);
}

/* The Go type a value of a report holds, as Go's errors name it.  */
static const struct ferry_cli_go_struct *tpl_go_struct (json_object *v, int *pointer);

/* A value type of gotypes.c's words as Go names it; NULL for a number
 * (whose width the words leave out) or what they do not say.  */
static const char *
tpl_go_type_word (const char *word)
{
  static char slice[160];

  static const char *const words[][2] = {
    { "string", "string" },          { "bool", "bool" },        { "time", "time.Time" },
    { "duration", "time.Duration" }, { "any", "interface {}" },
  };

  for (size_t i = 0; i < sizeof (words) / sizeof (words[0]); i++)
    if (strcmp (word, words[i][0]) == 0)
      return words[i][1];
  /* A slice of one of those (one level: enough for the reports).  */
  if (word[0] == '[' && word[1] == ']')
    {
      const char *inner = word + 2;

      for (size_t i = 0; i < sizeof (words) / sizeof (words[0]); i++)
        if (strcmp (inner, words[i][0]) == 0)
          {
            snprintf (slice, sizeof (slice), "[]%s", words[i][1]);
            return slice;
          }
      if (strchr (inner, '.') && strpbrk (inner, "[]^#") == NULL)
        {
          snprintf (slice, sizeof (slice), "[]%s", inner);
          return slice;
        }
      return NULL;
    }
  /* A struct's name, or a pointer to one.  */
  if (strchr (word, '.') && strpbrk (word, "[]^#") == NULL)
    return word;
  return NULL;
}

static bool
tpl_has_number_keys (json_object *v)
{
  const struct tpl_mark *m = v ? json_object_get_userdata (v) : NULL;

  return m && m->kind == TPL_MAP && m->number_keys;
}

static const char *
tpl_go_type (json_object *v)
{
  static char name[192]; /* room for "map[uint16]" and a slice word */
  int pointer;
  const struct ferry_cli_go_struct *st = tpl_go_struct (v, &pointer);
  const struct tpl_mark *m = v ? json_object_get_userdata (v) : NULL;
  const char *elem = tpl_go_elem (v), *elem_type = elem ? tpl_go_type_word (elem) : NULL;

  if (v && v == tpl_root && tpl_origin.root_type)
    return tpl_origin.root_type;
  /* Another row of the list, through $.  */
  for (size_t i = 0; v && tpl_dollar && tpl_origin.root_type && i < json_object_array_length (tpl_dollar);
       i++)
    if (json_object_array_get_idx (tpl_dollar, i) == v)
      return tpl_origin.root_type;
  /* A list's $: a slice of its rows.  */
  if (v && v == tpl_dollar && tpl_dollar_any)
    return "[]interface {}";
  if (v && v == tpl_dollar && tpl_origin.root_type)
    {
      snprintf (name, sizeof (name), "[]%s", tpl_origin.root_type);
      return name;
    }
  if (st)
    {
      snprintf (name, sizeof (name), "%s%s", pointer ? "*" : "", st->name);
      return name;
    }
  /* What the report's struct says a value nested in it is.  */
  if (m && m->kind == TPL_TIME && json_object_is_type (v, json_type_string))
    return "time.Time";
  if (m && m->kind == TPL_DURATION && json_object_is_type (v, json_type_int))
    return "time.Duration";
  if (elem_type && json_object_is_type (v, json_type_array))
    {
      snprintf (name, sizeof (name), "[]%s", elem_type);
      return name;
    }
  if (elem_type && json_object_is_type (v, json_type_object))
    {
      snprintf (name, sizeof (name), "map[%s]%s", m && m->number_keys ? "uint16" : "string", elem_type);
      return name;
    }
  switch (v ? json_object_get_type (v) : json_type_null)
    {
    case json_type_string:
      return "string";
    case json_type_int:
      return "int";
    case json_type_double:
      return "float64";
    case json_type_boolean:
      return "bool";
    case json_type_array:
      return "[]interface {}";
    default:
      return "interface {}";
    }
}

/* ---- the parse check ----------------------------------------------------- */

/* What Go's parser refuses, found before anything runs, in Go's words:
 * unclosed actions, strings and blocks, functions Go and Podman do not
 * define, variables never declared.  */
static const char *const tpl_known_words[] = {
  /* Go's keywords and functions */
  "range", "if", "else", "end", "with", "define", "template", "block", "break", "continue", "nil", "true",
  "false", "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf", "println",
  "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
  /* Podman's */
  "json", "lower", "upper", "split", "join", "title", "truncate", "pad", NULL
};

#define TPL_MAX_VARS 32

struct tpl_check
{
  const char *format;
  int depth;
  size_t n_vars;
  const char *var[TPL_MAX_VARS];
  size_t var_len[TPL_MAX_VARS];
  int var_depth[TPL_MAX_VARS];
};

static int
tpl_word_known (const char *w, size_t n)
{
  for (size_t i = 0; tpl_known_words[i]; i++)
    if (strlen (tpl_known_words[i]) == n && strncmp (tpl_known_words[i], w, n) == 0)
      return 1;
  return 0;
}

static int
tpl_var_declared (const struct tpl_check *c, const char *name, size_t n)
{
  if (n == 0)
    return 1; /* $ itself */
  for (size_t i = 0; i < c->n_vars; i++)
    if (c->var_len[i] == n && strncmp (c->var[i], name, n) == 0)
      return 1;
  return 0;
}

/* Where the action starting after "{{" at A ends (its "}}"), or NULL; a
 * string left open is said.  */
static int
tpl_check_close (struct tpl_check *c, const char *open, const char *a, const char **close, ferry_error_t *err)
{
  int in_string = 0;

  *close = NULL;
  for (const char *q = a; *q; q++)
    {
      if (in_string)
        {
          if (*q == '\\' && q[1])
            q++;
          else if (*q == '"')
            in_string = 0;
          else if (*q == '\n')
            break;
          continue;
        }
      if (*q == '"')
        in_string = 1;
      else if (q[0] == '}' && q[1] == '}')
        {
          *close = q;
          return 0;
        }
    }
  if (in_string)
    return tpl_parse_error (err, c->format, open, "unterminated quoted string");
  if (strchr (a, '}'))
    return tpl_parse_error (err, c->format, open, "bad character U+007D '}'");
  if (! tpl_origin.ranged)
    return tpl_parse_error (err, c->format, open, "unclosed action");
  /* Wrapped, the text goes on with "\n{{end -}}": Go's parser then meets
   * a "{" where the action stopped.  */
  {
    size_t n = strlen (a);

    if (a[strspn (a, " \t\n")] == '\0')
      return tpl_parse_error (err, c->format, open, "unexpected \"{\" in command");
    if (a[n - 1] == ' ' || a[n - 1] == '\t')
      return tpl_parse_error (err, c->format, open, "unexpected \"{\" in operand");
    return tpl_parse_error (err, c->format, open, "bad character U+007B '{'");
  }
}

/* Whether the variable that ends at Q is the target of an assignment
 * ("$x = ..."), which Go's parser lets name any variable: whether it was
 * declared is found out when it runs.  */
static int
tpl_assign_target (const char *q, const char *close)
{
  while (q < close && (*q == ' ' || *q == '\t'))
    q++;
  return q < close && *q == '=' && (q + 1 >= close || q[1] != '=');
}

/* -1 when a "|" of the action Q..CLOSE pipes nothing: at its start, after
 * a "(" or after another "|" (one at the end is taken, as Go's parser
 * takes it).  */
static int
tpl_check_pipes (const char *q, const char *close)
{
  char prev = '(';

  for (; q < close; q++)
    {
      if (*q == '"' || *q == '`')
        {
          char quote = *q;

          for (q++; q < close && *q != quote; q++)
            if (*q == '\\' && quote == '"')
              q++;
          prev = quote;
          continue;
        }
      if (*q == ' ' || *q == '\t' || *q == '\n')
        continue;
      if (*q == '|' && (prev == '|' || prev == '('))
        return -1;
      prev = *q;
    }
  return 0;
}

/* The words of the action A..CLOSE (trim markers and comments left out).  */
static int
tpl_check_action (struct tpl_check *c, const char *open, const char *a, const char *close, ferry_error_t *err)
{
  const char *q = a, *first = NULL, *assign;
  size_t first_len = 0;
  int opens, parens = 0, assigned = 0;

  const char *start;

  if (*q == '-' && (q[1] == ' ' || q[1] == '\t'))
    q += 2;
  start = q;
  while (q < close && (*q == ' ' || *q == '\t' || *q == '\n'))
    q++;
  /* A comment opens the action, no space before it.  */
  if (close - q >= 2 && strncmp (q, "/*", 2) == 0)
    return q == start ? 0 : tpl_parse_error (err, c->format, open, "unexpected \"/\" in command");
  if (tpl_check_pipes (q, close) < 0)
    return tpl_parse_error (err, c->format, open, "unexpected \"|\" in command");
  assign = memmem (q, close - q, ":=", 2);
  while (q < close)
    {
      const char *w = q;

      if (*q == '"' || *q == '`')
        {
          char quote = *q;

          for (q++; q < close && *q != quote; q++)
            if (*q == '\\' && quote == '"')
              q++;
          q++;
          continue;
        }
      if (*q == '$' || *q == '.')
        {
          int is_var = *q == '$';

          q++;
          while (q < close && (isalnum ((unsigned char) *q) || *q == '_'))
            q++;
          if (is_var && ! (assign && w < assign) && ! tpl_assign_target (q, close)
              && ! tpl_var_declared (c, w + 1, q - w - 1))
            return tpl_parse_error (err, c->format, open, "undefined variable \"%.*s\"", (int) (q - w), w);
          if (is_var && assign && w < assign && c->n_vars < TPL_MAX_VARS)
            {
              c->var[c->n_vars] = w + 1;
              c->var_len[c->n_vars] = q - w - 1;
              c->var_depth[c->n_vars++] = -1; /* set below */
            }
          while (q < close && (isalnum ((unsigned char) *q) || *q == '_' || *q == '.'))
            q++;
          continue;
        }
      if (*q == '\'')
        {
          /* A character constant ('=' among them).  */
          for (q++; q < close && *q != '\''; q++)
            if (*q == '\\')
              q++;
          q++;
          continue;
        }
      if (*q == '=' && (q == a || q[-1] != ':'))
        {
          /* The one "=" Go takes is an assignment's, after its variable
           * ($x = ..., $k, $v = ... in a range); "==" is no operator.  */
          const char *p = q;

          while (p > a && (p[-1] == ' ' || p[-1] == '\t'))
            p--;
          while (p > a && (isalnum ((unsigned char) p[-1]) || p[-1] == '_'))
            p--;
          if (p > a && p[-1] == '.')
            return tpl_parse_error (err, c->format, open, "unexpected \"=\" in operand");
          if (assigned || p == a || p[-1] != '$')
            return tpl_parse_error (err, c->format, open, "unexpected \"=\" in command");
          assigned = 1;
        }
      if (*q == '(')
        parens++;
      else if (*q == ')' && --parens < 0)
        return tpl_parse_error (err, c->format, open, "unexpected right paren");
      if (isalpha ((unsigned char) *q) || *q == '_')
        {
          while (q < close && (isalnum ((unsigned char) *q) || *q == '_'))
            q++;
          if (first == NULL)
            {
              first = w;
              first_len = q - w;
            }
          if (! tpl_word_known (w, q - w))
            return tpl_parse_error (err, c->format, open, "function \"%.*s\" not defined", (int) (q - w), w);
          continue;
        }
      q++;
    }
  opens = first && first == a + strspn (a, "- \t\n")
          && ((first_len == 5 && strncmp (first, "range", 5) == 0)
              || (first_len == 2 && strncmp (first, "if", 2) == 0)
              || (first_len == 4 && strncmp (first, "with", 4) == 0));
  if (opens)
    c->depth++;
  /* What this action declared lives until the block it is in ends.  */
  for (size_t i = 0; i < c->n_vars; i++)
    if (c->var_depth[i] == -1)
      c->var_depth[i] = c->depth;
  if (first && first == a + strspn (a, "- \t\n") && first_len == 3 && strncmp (first, "end", 3) == 0)
    {
      if (c->depth == 0)
        return tpl_parse_error (err, c->format, open, "unexpected {{end}}");
      c->depth--;
      while (c->n_vars > 0 && c->var_depth[c->n_vars - 1] > c->depth)
        c->n_vars--;
    }
  else if (first && first == a + strspn (a, "- \t\n") && first_len == 4 && strncmp (first, "else", 4) == 0
           && c->depth == 0)
    return tpl_parse_error (err, c->format, open, "unexpected {{else}}");
  return 0;
}

static int
tpl_check (const char *format, ferry_error_t *err)
{
  struct tpl_check c = { .format = format };
  const char *p = format, *close;

  while ((p = strstr (p, "{{")) != NULL)
    {
      if (tpl_check_close (&c, p, p + 2, &close, err) < 0 || tpl_check_action (&c, p, p + 2, close, err) < 0)
        return -1;
      p = close + 2;
    }
  if (c.depth > 0)
    return tpl_parse_error (err, format, format + strlen (format), "unexpected EOF");
  return 0;
}

/* The template engine: a cursor over one action's words.  */
/* The variables in scope: $ (the whole object, named ""), and those a
 * {{range $k, $v := ...}} declares, innermost first.  */
struct tpl_vars
{
  const char *name[2];
  size_t len[2];
  json_object *value[2];
  size_t n;
  const struct tpl_vars *up;
};

struct tpl
{
  const char *p;
  const char *end;
  const char *format;
  const struct tpl_vars *vars;
};

/* Where the variable NAME in scope V holds its value, innermost first;
 * NULL when none is declared.  Every scope is a variable of the render's
 * own, const only to the lookups, so the slot may be written.  */
static json_object **
tpl_var_slot (const struct tpl_vars *v, const char *name, size_t len)
{
  for (; v; v = v->up)
    for (size_t i = 0; i < v->n; i++)
      if (v->len[i] == len && strncmp (v->name[i], name, len) == 0)
        return &((struct tpl_vars *) v)->value[i];
  return NULL;
}

static int
tpl_var_lookup (const struct tpl_vars *v, const char *name, size_t len, json_object **out)
{
  json_object **slot = tpl_var_slot (v, name, len);

  if (slot)
    *out = *slot;
  return slot != NULL;
}

/* What an action evaluated to: VALUE (borrowed), or nothing.  */
struct tpl_value
{
  json_object *value;
  int missing; /* no such key in a map: Go prints "<no value>" */
};

static void
tpl_skip_space (struct tpl *t)
{
  while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
    t->p++;
}

static int
tpl_word_end (const struct tpl *t, const char *p)
{
  return p >= t->end || *p == ' ' || *p == '\t' || *p == ')' || *p == '|';
}

static char *tpl_string_literal (struct tpl *t, ferry_error_t *err);
static json_object *tpl_empty_string (void);

static int
tpl_field_path (struct tpl *t, json_object *obj, struct tpl_value *out, ferry_error_t *err)
{
  json_object *cur = obj;
  const char *node = t->p, *node_end = t->p, *at;

  /* Go's position of a field chain: its second field, if any; of a
   * variable's, its first field.  */
  while (! tpl_word_end (t, node_end))
    node_end++;
  at = node;
  if (*node == '.' || *node == '$')
    for (const char *q = node + 1; q < node_end; q++)
      if (*q == '.')
        {
          at = q;
          break;
        }
  out->missing = 0;
  if (t->p < t->end && *t->p == '$')
    {
      const char *name = ++t->p;

      while (t->p < t->end && (isalnum ((unsigned char) *t->p) || *t->p == '_'))
        t->p++;
      if (! tpl_var_lookup (t->vars, name, t->p - name, &cur))
        return ferry_make_error (err, 0, "template: undefined variable \"$%.*s\" in `%s`",
                                 (int) (t->p - name), name, t->format);
      if (tpl_word_end (t, t->p))
        {
          out->value = cur;
          return 0;
        }
    }
  if (t->p >= t->end || *t->p != '.')
    return ferry_make_error (err, 0, "template: expected a field like .Name in `%s`", t->format);
  t->p++;
  while (! tpl_word_end (t, t->p))
    {
      const char *start = t->p;
      cleanup_free char *key = NULL;
      json_object *next = NULL;

      while (! tpl_word_end (t, t->p) && *t->p != '.')
        t->p++;
      key = xstrndup (start, t->p - start);
      if (t->p < t->end && *t->p == '.')
        t->p++;
      if (*key == '\0')
        continue;
      /* Past a map's missing key, Go finds nothing more, and no error.  */
      if (out->missing)
        continue;
      if (tpl_nil_pointer_type (cur))
        return tpl_exec_error (err, t->format, at, node, node_end - node, "nil pointer evaluating %s.%s",
                               tpl_nil_pointer_type (cur), key);
      if (cur && json_object_is_type (cur, json_type_object) && json_object_object_get_ex (cur, key, &next))
        {
          cur = tpl_go_typed_member (cur, key, next);
          continue;
        }
      /* A Go field whose JSON name starts in lower case (SdNotifyMode is
       * "sdNotifyMode", LockNumber "lockNumber").  */
      if (cur && json_object_is_type (cur, json_type_object) && key[0] >= 'A' && key[0] <= 'Z')
        {
          cleanup_free char *lower = xstrdup (key);

          lower[0] = (char) (lower[0] - 'A' + 'a');
          if (json_object_object_get_ex (cur, lower, &next))
            {
              cur = next;
              continue;
            }
        }
      /* Go's field ID, which Podman's inspect reports name "Id" in
       * JSON: {{.ID}} of a container or an image.  */
      if (cur && json_object_is_type (cur, json_type_object) && strcmp (key, "ID") == 0
          && json_object_object_get_ex (cur, "Id", &next))
        {
          cur = next;
          continue;
        }
      /* Podman's lists' .Label "k": the label's value, or "".  */
      if (strcmp (key, "Label") == 0 && tpl_word_end (t, t->p) && cur
          && json_object_is_type (cur, json_type_object) && json_object_object_get_ex (cur, "Labels", &next))
        {
          cleanup_free char *name = NULL;
          json_object *value = NULL;

          tpl_skip_space (t);
          name = tpl_string_literal (t, err);
          if (name == NULL)
            return -1;
          if (next && json_object_is_type (next, json_type_object)
              && json_object_object_get_ex (next, name, &value))
            out->value = value;
          else
            out->value = tpl_empty_string ();
          return 0;
        }
      /* A time's one method that scripts use.  */
      if (strcmp (key, "Unix") == 0 && (next = tpl_time_unix (cur)) != NULL)
        {
          cur = next;
          continue;
        }
      /* A field of Podman's struct that the JSON leaves out or names
       * otherwise.  */
      {
        int pointer;
        const struct ferry_cli_go_struct *st = tpl_go_struct (cur, &pointer);
        const struct ferry_cli_go_field *f = st ? tpl_go_field (st, key, strlen (key)) : NULL;
        int found;

        if (f && f->type[0] != '^')
          {
            next = tpl_go_member (cur, f, &found);
            cur = found ? next : tpl_keep (tpl_go_zero (f->type));
            continue;
          }
        if (st && (next = tpl_go_embedded (cur, st, key, strlen (key))) != NULL)
          {
            cur = next;
            continue;
          }
      }
      /* A map's missing key is nothing; a struct's is a mistake, and so
       * is a name for a map of numbers (Go's ports).  */
      if (tpl_is_map (cur) && ! tpl_has_number_keys (cur))
        {
          out->missing = 1;
          cur = NULL;
          continue;
        }
      return tpl_exec_error (err, t->format, at, node, node_end - node, "can't evaluate field %s in type %s",
                             key, tpl_go_type (cur));
    }
  out->value = cur;
  return 0;
}

static char *
tpl_string_literal (struct tpl *t, ferry_error_t *err)
{
  const char *start;

  if (t->p >= t->end || *t->p != '"')
    {
      ferry_make_error (err, 0, "template: expected a quoted key in `%s`", t->format);
      return NULL;
    }
  start = ++t->p;
  while (t->p < t->end && *t->p != '"')
    t->p++;
  if (t->p >= t->end)
    {
      ferry_make_error (err, 0, "template: unterminated string in `%s`", t->format);
      return NULL;
    }
  return xstrndup (start, t->p++ - start);
}

/* The zero value of a map[string]string's element, for a missing key.  */
static json_object *
tpl_empty_string (void)
{
  static json_object *empty;

  if (empty == NULL)
    empty = json_object_new_string ("");
  return empty;
}

/* ---- pipelines and functions --------------------------------------------- */

static int tpl_truth (json_object *v);

/* Values the functions make live until the template has been rendered.  */
static json_object *tpl_arena;

static json_object *
tpl_keep (json_object *v)
{
  if (tpl_arena == NULL)
    tpl_arena = json_object_new_array ();
  json_object_array_add (tpl_arena, v);
  return v;
}

static json_object *
tpl_keep_string (const char *s, size_t n)
{
  return tpl_keep (json_object_new_string_len (s, (int) n));
}

#define TPL_MAX_ARGS 16

/* One command of a pipeline being called: the function's name and its
 * arguments, each with the text it came from (Go's errors name it).  */
struct tpl_call
{
  struct tpl *t;
  const char *name;
  size_t name_len;
  const char *cmd;
  size_t cmd_len;
  size_t n;
  struct tpl_value arg[TPL_MAX_ARGS];
  const char *at[TPL_MAX_ARGS];
  size_t at_len[TPL_MAX_ARGS];
  int literal[TPL_MAX_ARGS];
};

static int tpl_pipeline (struct tpl *t, json_object *dot, struct tpl_value *out, ferry_error_t *err);

static int
tpl_arg_error (struct tpl_call *c, size_t i, const char *want, ferry_error_t *err)
{
  json_object *v = c->arg[i].value;

  if (v == NULL && ! c->literal[i])
    return tpl_exec_error (err, c->t->format, c->at[i], c->at[i], c->at_len[i], "invalid value; expected %s",
                           want);
  if (c->literal[i])
    return tpl_exec_error (err, c->t->format, c->at[i], c->at[i], c->at_len[i], "expected %s; found %.*s",
                           strcmp (want, "int") == 0 ? "integer" : want, (int) c->at_len[i], c->at[i]);
  return tpl_exec_error (err, c->t->format, c->at[i], c->at[i], c->at_len[i],
                         "wrong type for value; expected %s; got %s", want, tpl_go_type (v));
}

static int
tpl_arg_string (struct tpl_call *c, size_t i, const char **s, size_t *len, ferry_error_t *err)
{
  json_object *v = c->arg[i].value;

  if (v == NULL || ! json_object_is_type (v, json_type_string))
    return tpl_arg_error (c, i, "string", err);
  *s = json_object_get_string (v);
  if (len)
    *len = (size_t) json_object_get_string_len (v);
  return 0;
}

static int
tpl_arg_int (struct tpl_call *c, size_t i, int64_t *n, ferry_error_t *err)
{
  json_object *v = c->arg[i].value;

  if (v == NULL || ! json_object_is_type (v, json_type_int))
    return tpl_arg_error (c, i, "int", err);
  *n = json_object_get_int64 (v);
  return 0;
}

/* lower, upper, title: Go's strings.ToLower, ToUpper and Title on ASCII
 * letters (bytes of other characters pass unchanged).  */
static int
tpl_fn_case (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err)
{
  const char *s;
  size_t n;
  cleanup_free char *r = NULL;
  int word_start = 1;

  if (tpl_arg_string (c, 0, &s, &n, err) < 0)
    return -1;
  r = xstrndup (s, n);
  for (size_t i = 0; i < n; i++)
    {
      unsigned char ch = (unsigned char) r[i];

      if (c->name[0] == 'l')
        r[i] = (char) tolower (ch);
      else if (c->name[0] == 'u')
        r[i] = (char) toupper (ch);
      else
        {
          if (word_start)
            r[i] = (char) toupper (ch);
          word_start = ! (isalnum (ch) || ch == '_' || ch == '\'' || ch >= 0x80);
        }
    }
  out->value = tpl_keep_string (r, n);
  return 0;
}

static int
tpl_fn_join (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err)
{
  json_object *a = c->arg[0].value;
  const char *sep;
  size_t sep_len, len = 0;
  cleanup_free char *r = NULL;
  FILE *m;

  if (a == NULL || ! json_object_is_type (a, json_type_array))
    return tpl_arg_error (c, 0, "[]string", err);
  for (size_t i = 0; i < json_object_array_length (a); i++)
    if (! json_object_is_type (json_object_array_get_idx (a, i), json_type_string))
      return tpl_arg_error (c, 0, "[]string", err);
  if (tpl_arg_string (c, 1, &sep, &sep_len, err) < 0)
    return -1;
  m = open_memstream (&r, &len);
  if (m == NULL)
    abort ();
  for (size_t i = 0; i < json_object_array_length (a); i++)
    {
      json_object *e = json_object_array_get_idx (a, i);

      if (i)
        fwrite (sep, 1, sep_len, m);
      fwrite (json_object_get_string (e), 1, json_object_get_string_len (e), m);
    }
  fclose (m);
  out->value = tpl_keep_string (r, len);
  return 0;
}

/* split: Go's strings.Split, an empty separator splitting after each
 * byte.  */
static int
tpl_fn_split (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err)
{
  const char *s, *sep, *p, *hit;
  size_t n, sep_len;
  json_object *a;

  if (tpl_arg_string (c, 0, &s, &n, err) < 0 || tpl_arg_string (c, 1, &sep, &sep_len, err) < 0)
    return -1;
  a = tpl_keep (json_object_new_array ());
  if (sep_len == 0)
    {
      for (size_t i = 0; i < n; i++)
        json_object_array_add (a, json_object_new_string_len (s + i, 1));
      out->value = a;
      return 0;
    }
  for (p = s; (hit = memmem (p, n - (size_t) (p - s), sep, sep_len)) != NULL; p = hit + sep_len)
    json_object_array_add (a, json_object_new_string_len (p, (int) (hit - p)));
  json_object_array_add (a, json_object_new_string_len (p, (int) (n - (size_t) (p - s))));
  out->value = a;
  return 0;
}

/* truncate S N: Podman's, the first N bytes of S.  */
static int
tpl_fn_truncate (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err)
{
  const char *s;
  size_t n = 0;
  int64_t len = 0;

  if (tpl_arg_string (c, 0, &s, &n, err) < 0 || tpl_arg_int (c, 1, &len, err) < 0)
    return -1;
  if (len < 0)
    return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                           "error calling truncate: runtime error: slice bounds out of range [:%lld]",
                           (long long) len);
  out->value = (size_t) len < n ? tpl_keep_string (s, (size_t) len) : c->arg[0].value;
  return 0;
}

/* pad S BEFORE AFTER: Podman's, S between that many spaces.  */
static int
tpl_fn_pad (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err)
{
  const char *s;
  size_t n;
  int64_t before = 0, after = 0;
  cleanup_free char *r = NULL;

  if (tpl_arg_string (c, 0, &s, &n, err) < 0 || tpl_arg_int (c, 1, &before, err) < 0
      || tpl_arg_int (c, 2, &after, err) < 0)
    return -1;
  if (before < 0 || after < 0 || before > 65536 || after > 65536)
    return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                           "error calling pad: strings: negative Repeat count");
  r = xmalloc ((size_t) before + n + (size_t) after + 1);
  memset (r, ' ', (size_t) before);
  memcpy (r + before, s, n);
  memset (r + before + n, ' ', (size_t) after);
  out->value = tpl_keep_string (r, (size_t) before + n + (size_t) after);
  return 0;
}

static int
tpl_fn_json (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err)
{
  json_object *v = c->arg[0].value;
  const char *s = v ? ferry_json_to_string (v, 0) : "null";

  (void) err;
  out->value = tpl_keep_string (s, strlen (s));
  return 0;
}

static int
tpl_fn_len (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err)
{
  json_object *v = c->arg[0].value;
  int64_t n;

  /* A map's missing key is Go's zero Value, whose type reflect will not
   * tell.  */
  if (c->arg[0].missing)
    return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                           "error calling len: reflect: call of reflect.Value.Type on zero Value");
  if (v && json_object_is_type (v, json_type_array))
    n = (int64_t) json_object_array_length (v);
  else if (tpl_nil_pointer_type (v))
    return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                           "error calling len: len of nil pointer");
  else if (v && json_object_is_type (v, json_type_object))
    n = json_object_object_length (v);
  else if (v && json_object_is_type (v, json_type_string))
    n = json_object_get_string_len (v);
  else if (v == NULL)
    return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                           "error calling len: len of nil pointer");
  else
    return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len, "error calling len: len of type %s",
                           tpl_go_type (v));
  out->value = tpl_keep (json_object_new_int64 (n));
  return 0;
}

/* Go's refusal of index CUR K, by what CUR is: a slice or a string
 * wants a number, a map (string keys) a string, and nothing else has
 * elements.  */
static int
tpl_index_error (struct tpl_call *c, json_object *cur, json_object *k, ferry_error_t *err)
{
  if (json_object_is_type (cur, json_type_array) || json_object_is_type (cur, json_type_string))
    {
      if (k == NULL)
        return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                               "error calling index: cannot index slice/array with nil");
      return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                             "error calling index: cannot index slice/array with type %s", tpl_go_type (k));
    }
  if (json_object_is_type (cur, json_type_object))
    return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                           "error calling index: value has type %s; should be string",
                           k ? tpl_go_type (k) : "interface {}");
  return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                         "error calling index: can't index item of type %s", tpl_go_type (cur));
}

/* index X K...: a map's member by key (a missing one is the element's
 * zero value), a slice's or a string's by number.  */
static int
tpl_fn_index (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err)
{
  json_object *cur = c->arg[0].value;

  out->missing = c->arg[0].missing;
  for (size_t i = 1; i < c->n; i++)
    {
      json_object *k = c->arg[i].value, *next = NULL;

      if (k && json_object_is_type (k, json_type_int)
          && (cur == NULL || json_object_is_type (cur, json_type_array)
              || json_object_is_type (cur, json_type_string)))
        {
          int64_t x = json_object_get_int64 (k);
          int64_t len = cur == NULL ? 0
                        : json_object_is_type (cur, json_type_string)
                            ? json_object_get_string_len (cur)
                            : (int64_t) json_object_array_length (cur);
          if (cur == NULL)
            return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                                   "error calling index: index of untyped nil");
          /* Go's check lets the length itself through, to reflect's
           * panic.  */
          if (x == len)
            return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                                   "error calling index: reflect: %s index out of range",
                                   json_object_is_type (cur, json_type_string) ? "string" : "slice");
          if (x < 0 || x > len)
            return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                                   "error calling index: index out of range: %lld", (long long) x);
          if (json_object_is_type (cur, json_type_string))
            cur = tpl_keep (json_object_new_int ((unsigned char) json_object_get_string (cur)[x]));
          else
            cur = json_object_array_get_idx (cur, (size_t) x);
          continue;
        }
      if (k && json_object_is_type (k, json_type_string) && cur
          && json_object_is_type (cur, json_type_object))
        {
          const char *elem = tpl_go_elem (cur);

          /* A map's value, null in the JSON, or missing: the zero value
           * of its type where a walk knows it (a nil slice prints []).  */
          if (json_object_object_get_ex (cur, json_object_get_string (k), &next))
            {
              cur = next == NULL && elem ? tpl_keep (tpl_go_zero (elem)) : next;
              continue;
            }
          if (tpl_is_map (cur))
            {
              out->value = elem ? tpl_keep (tpl_go_zero (elem)) : tpl_empty_string ();
              out->missing = 0;
              return 0;
            }
          out->value = NULL;
          out->missing = 1;
          return 0;
        }
      if (cur == NULL)
        return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                               "error calling index: index of untyped nil");
      return tpl_index_error (c, cur, k, err);
    }
  out->value = cur;
  return 0;
}

/* Go's slice X I [J [K]]: a string's bytes or a slice's elements from I
 * to J (the end when left out), refused in Go's words.  */
static int
tpl_fn_slice (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err)
{
  json_object *x = c->arg[0].value;
  size_t n = c->n - 1, i;
  int64_t idx[3], len;
  int is_string;

  if (x == NULL)
    return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                           "error calling slice: slice of untyped nil");
  if (n > 3)
    return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                           "error calling slice: too many slice indexes: %zu", n);
  is_string = json_object_is_type (x, json_type_string);
  if (! is_string && ! json_object_is_type (x, json_type_array))
    return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                           "error calling slice: can't slice item of type %s", tpl_go_type (x));
  if (is_string && n == 3)
    return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                           "error calling slice: cannot 3-index slice a string");
  len = is_string ? json_object_get_string_len (x) : (int64_t) json_object_array_length (x);
  idx[0] = 0;
  idx[1] = idx[2] = len;
  for (i = 0; i < n; i++)
    {
      json_object *k = c->arg[i + 1].value;

      if (k == NULL)
        return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                               "error calling slice: cannot index slice/array with nil");
      if (! json_object_is_type (k, json_type_int))
        return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                               "error calling slice: cannot index slice/array with type %s", tpl_go_type (k));
      idx[i] = json_object_get_int64 (k);
      if (idx[i] < 0 || idx[i] > len)
        return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                               "error calling slice: index out of range: %lld", (long long) idx[i]);
    }
  for (i = 0; i + 1 < (n < 2 ? 2 : n); i++)
    if (idx[i] > idx[i + 1])
      return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                             "error calling slice: invalid slice index: %lld > %lld", (long long) idx[i],
                             (long long) idx[i + 1]);
  if (is_string)
    {
      out->value = tpl_keep_string (json_object_get_string (x) + idx[0], (size_t) (idx[1] - idx[0]));
      return 0;
    }
  out->value = tpl_keep (json_object_new_array ());
  for (int64_t j = idx[0]; j < idx[1]; j++)
    json_object_array_add (out->value, json_object_get (json_object_array_get_idx (x, (size_t) j)));
  return 0;
}

/* Go's %q of a string: in double quotes, with Go's escapes.  */
static void
tpl_quote (FILE *m, const char *s, size_t n)
{
  fputc ('"', m);
  for (size_t i = 0; i < n; i++)
    {
      unsigned char ch = (unsigned char) s[i];

      switch (ch)
        {
        case '"':
        case '\\':
          fprintf (m, "\\%c", ch);
          break;
        case '\n':
          fputs ("\\n", m);
          break;
        case '\t':
          fputs ("\\t", m);
          break;
        case '\r':
          fputs ("\\r", m);
          break;
        default:
          if (ch < 0x20 || ch == 0x7f)
            fprintf (m, "\\x%02x", ch);
          else
            fputc (ch, m);
        }
    }
  fputc ('"', m);
}

/* Go's %!v(TYPE=VALUE) for a verb that does not fit its operand.  */
static void
tpl_bad_verb (FILE *m, char verb, json_object *v)
{
  if (v == NULL)
    {
      fprintf (m, "%%!%c(<nil>)", verb);
      return;
    }
  fprintf (m, "%%!%c(%s=", verb, tpl_go_type (v));
  tpl_print_go (m, v, 0);
  fputc (')', m);
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* printf: Go's fmt.Sprintf for the verbs scripts use (v s q d f e g x X
 * o c t %), with flags, width and precision.  */
static int
tpl_fn_printf (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err)
{
  const char *f;
  size_t flen, len = 0, argi = 1;
  cleanup_free char *r = NULL;
  FILE *m;

  if (tpl_arg_string (c, 0, &f, &flen, err) < 0)
    return -1;
  m = open_memstream (&r, &len);
  if (m == NULL)
    abort ();
  for (size_t i = 0; i < flen; i++)
    {
      char spec[32], verb;
      size_t sp = 0;
      json_object *v;

      if (f[i] != '%')
        {
          fputc (f[i], m);
          continue;
        }
      spec[sp++] = '%';
      for (i++; i < flen && strchr ("-+# 0", f[i]) && sp < 8; i++)
        spec[sp++] = f[i];
      /* Widths and precisions of up to 4 digits: the spec stays short.  */
      for (size_t d = 0; i < flen && isdigit ((unsigned char) f[i]); i++)
        if (d++ < 4)
          spec[sp++] = f[i];
      if (i < flen && f[i] == '.')
        {
          spec[sp++] = f[i++];
          for (size_t d = 0; i < flen && isdigit ((unsigned char) f[i]); i++)
            if (d++ < 4)
              spec[sp++] = f[i];
        }
      if (i >= flen)
        {
          fputs ("%!(NOVERB)", m);
          break;
        }
      verb = f[i];
      if (verb == '%')
        {
          fputc ('%', m);
          continue;
        }
      if (argi >= c->n)
        {
          fprintf (m, "%%!%c(MISSING)", verb);
          continue;
        }
      v = c->arg[argi++].value;
      spec[sp] = '\0';
      switch (verb)
        {
        case 'v':
        case 's':
          {
            cleanup_free char *text = NULL;
            size_t tlen = 0;
            FILE *tm;

            if (verb == 's' && v
                && (json_object_is_type (v, json_type_int) || json_object_is_type (v, json_type_double)
                    || json_object_is_type (v, json_type_boolean)))
              {
                tpl_bad_verb (m, verb, v);
                break;
              }
            tm = open_memstream (&text, &tlen);
            if (tm == NULL)
              abort ();
            tpl_print_go (tm, v, 0);
            fclose (tm);
            strcpy (spec + sp, "s");
            fprintf (m, spec, text);
            break;
          }
        case 'q':
          if (v && json_object_is_type (v, json_type_string))
            tpl_quote (m, json_object_get_string (v), json_object_get_string_len (v));
          else if (v && json_object_is_type (v, json_type_int))
            fprintf (m, "'%c'", (int) json_object_get_int64 (v));
          else
            tpl_bad_verb (m, verb, v);
          break;
        case 'd':
        case 'x':
        case 'X':
        case 'o':
        case 'c':
          if (v && json_object_is_type (v, json_type_int))
            {
              snprintf (spec + sp, sizeof (spec) - sp, "ll%c", verb == 'c' ? 'c' : verb);
              if (verb == 'c')
                fputc ((int) json_object_get_int64 (v), m);
              else
                fprintf (m, spec, (long long) json_object_get_int64 (v));
            }
          else if (v && json_object_is_type (v, json_type_string) && (verb == 'x' || verb == 'X'))
            for (const unsigned char *b = (const unsigned char *) json_object_get_string (v); *b; b++)
              fprintf (m, verb == 'x' ? "%02x" : "%02X", *b);
          else
            tpl_bad_verb (m, verb, v);
          break;
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
          if (v && json_object_is_type (v, json_type_double))
            {
              snprintf (spec + sp, sizeof (spec) - sp, "%c", verb);
              fprintf (m, spec, json_object_get_double (v));
            }
          else
            tpl_bad_verb (m, verb, v);
          break;
        case 'T':
          fputs (v ? tpl_go_type (v) : "<nil>", m);
          break;
        case 't':
          if (v && json_object_is_type (v, json_type_boolean))
            fputs (json_object_get_boolean (v) ? "true" : "false", m);
          else
            tpl_bad_verb (m, verb, v);
          break;
        default:
          tpl_bad_verb (m, verb, v);
        }
    }
  if (argi < c->n)
    {
      fputs ("%!(EXTRA ", m);
      for (; argi < c->n; argi++)
        {
          json_object *v = c->arg[argi].value;

          fprintf (m, "%s=", v ? tpl_go_type (v) : "<nil>");
          tpl_print_go (m, v, 0);
          if (argi + 1 < c->n)
            fputs (", ", m);
        }
      fputc (')', m);
    }
  fclose (m);
  out->value = tpl_keep_string (r, len);
  return 0;
}

#pragma GCC diagnostic pop

/* print and println: Go's fmt.Sprint (a space between operands neither
 * of which is a string) and fmt.Sprintln (a space between any two, a
 * newline at the end).  */
static int
tpl_fn_print (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err)
{
  int ln = c->name_len == 7;
  cleanup_free char *r = NULL;
  size_t len = 0;
  FILE *m = open_memstream (&r, &len);

  (void) err;
  if (m == NULL)
    abort ();
  for (size_t i = 0; i < c->n; i++)
    {
      json_object *v = c->arg[i].value, *prev = i ? c->arg[i - 1].value : NULL;
      int is_string = v && json_object_is_type (v, json_type_string);
      int prev_string = prev && json_object_is_type (prev, json_type_string);

      if (i && (ln || (! is_string && ! prev_string)))
        fputc (' ', m);
      tpl_print_go (m, v, 0);
    }
  if (ln)
    fputc ('\n', m);
  fclose (m);
  out->value = tpl_keep_string (r, len);
  return 0;
}

static int
tpl_fn_not (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err)
{
  (void) err;
  out->value = tpl_keep (json_object_new_boolean (! tpl_truth (c->arg[0].value)));
  return 0;
}

/* and: the first false argument or the last; or: the first true one or
 * the last.  */
static int
tpl_fn_and_or (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err)
{
  int want = c->name[0] == 'o';

  (void) err;
  for (size_t i = 0; i < c->n; i++)
    if (tpl_truth (c->arg[i].value) == want || i + 1 == c->n)
      {
        *out = c->arg[i];
        return 0;
      }
  return 0;
}

/* Compares A and B as Go's eq, lt and the rest do: -2 when they cannot be
 * compared, else <0, 0, >0.  */
static int
tpl_compare (json_object *a, json_object *b, int ordered)
{
  enum json_type ta = a ? json_object_get_type (a) : json_type_null;
  enum json_type tb = b ? json_object_get_type (b) : json_type_null;

  if (ta != tb)
    return -2;
  switch (ta)
    {
    case json_type_string:
      {
        int r = strcmp (json_object_get_string (a), json_object_get_string (b));
        return r < 0 ? -1 : r > 0;
      }
    case json_type_int:
      {
        int64_t x = json_object_get_int64 (a), y = json_object_get_int64 (b);
        return x < y ? -1 : x > y;
      }
    case json_type_double:
      {
        double x = json_object_get_double (a), y = json_object_get_double (b);
        return x < y ? -1 : x > y;
      }
    case json_type_boolean:
      if (ordered)
        return -3;
      return json_object_get_boolean (a) != json_object_get_boolean (b);
    case json_type_null:
      return ordered ? -3 : 0;
    default:
      return -4;
    }
}

static int
tpl_fn_compare (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err)
{
  const char *n = c->name;
  int eq = strncmp (n, "eq", 2) == 0, ne = strncmp (n, "ne", 2) == 0, result = 0;
  size_t last = eq ? c->n : 2;

  if (! eq && c->n != 2)
    return tpl_exec_error (err, c->t->format, c->cmd, c->name, c->name_len,
                           "wrong number of args for %.*s: want 2 got %zu", (int) c->name_len, c->name, c->n);
  for (size_t i = 1; i < last; i++)
    {
      int r = tpl_compare (c->arg[0].value, c->arg[i].value, ! eq && ! ne);

      if (r == -2)
        return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                               "error calling %.*s: incompatible types for comparison", (int) c->name_len,
                               c->name);
      if (r == -3)
        return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                               "error calling %.*s: invalid type for comparison", (int) c->name_len, c->name);
      if (r == -4)
        return tpl_exec_error (err, c->t->format, c->cmd, c->cmd, c->cmd_len,
                               "error calling %.*s: non-comparable type %s", (int) c->name_len, c->name,
                               tpl_go_type (c->arg[0].value));
      if (eq)
        result = result || r == 0;
      else if (ne)
        result = r != 0;
      else if (n[0] == 'l')
        result = n[1] == 't' ? r < 0 : r <= 0;
      else
        result = n[1] == 't' ? r > 0 : r >= 0;
    }
  out->value = tpl_keep (json_object_new_boolean (result));
  return 0;
}

static const struct tpl_func
{
  const char *name;
  int (*fn) (struct tpl_call *c, struct tpl_value *out, ferry_error_t *err);
  int min, max; /* max -1: any number */
} tpl_funcs[] = {
  { "and", tpl_fn_and_or, 1, -1 },    { "eq", tpl_fn_compare, 1, -1 },
  { "ge", tpl_fn_compare, 2, 2 },     { "gt", tpl_fn_compare, 2, 2 },
  { "index", tpl_fn_index, 1, -1 },   { "join", tpl_fn_join, 2, 2 },
  { "json", tpl_fn_json, 1, 1 },      { "le", tpl_fn_compare, 2, 2 },
  { "len", tpl_fn_len, 1, 1 },        { "lower", tpl_fn_case, 1, 1 },
  { "lt", tpl_fn_compare, 2, 2 },     { "ne", tpl_fn_compare, 2, 2 },
  { "not", tpl_fn_not, 1, 1 },        { "or", tpl_fn_and_or, 1, -1 },
  { "pad", tpl_fn_pad, 3, 3 },        { "print", tpl_fn_print, 0, -1 },
  { "printf", tpl_fn_printf, 1, -1 }, { "println", tpl_fn_print, 0, -1 },
  { "slice", tpl_fn_slice, 1, -1 },   { "split", tpl_fn_split, 2, 2 },
  { "title", tpl_fn_case, 1, 1 },     { "truncate", tpl_fn_truncate, 2, 2 },
  { "upper", tpl_fn_case, 1, 1 },     { NULL, NULL, 0, 0 },
};

static int
tpl_ident (int ch)
{
  return isalnum (ch) || ch == '_';
}

/* A Go string literal, "..." with escapes or `...` raw, at T->p.  */
static int
tpl_quoted (struct tpl *t, struct tpl_value *out, ferry_error_t *err)
{
  char q = *t->p;
  cleanup_free char *r = NULL;
  size_t len = 0;
  FILE *m = open_memstream (&r, &len);

  if (m == NULL)
    abort ();
  for (t->p++; t->p < t->end && *t->p != q; t->p++)
    {
      if (q == '"' && *t->p == '\\' && t->p + 1 < t->end)
        {
          const char *e = strchr ("n\nt\tr\r\\\\\"\"a\ab\bf\fv\v", *++t->p);
          fputc (e && ((e - "n\nt\tr\r\\\\\"\"a\ab\bf\fv\v") % 2) == 0 ? e[1] : *t->p, m);
          continue;
        }
      fputc (*t->p, m);
    }
  fclose (m);
  if (t->p >= t->end)
    return ferry_make_error (err, 0, "template: %s:1: unterminated quoted string", tpl_origin.name);
  t->p++;
  out->value = tpl_keep_string (r, len);
  out->missing = 0;
  return 0;
}

static int
tpl_number (struct tpl *t, struct tpl_value *out, ferry_error_t *err)
{
  const char *start = t->p;
  char *endp;
  int is_float = 0;

  while (t->p < t->end && (tpl_ident ((unsigned char) *t->p) || strchr ("+-.", *t->p)))
    {
      if (*t->p == '.' || ((*t->p == 'e' || *t->p == 'E') && strncmp (start, "0x", 2) != 0))
        is_float = 1;
      t->p++;
    }
  {
    cleanup_free char *text = xstrndup (start, t->p - start);

    errno = 0;
    if (is_float)
      out->value = tpl_keep (json_object_new_double (strtod (text, &endp)));
    else
      out->value = tpl_keep (json_object_new_int64 (strtoll (text, &endp, 0)));
    if (*endp != '\0' || errno != 0)
      return ferry_make_error (err, 0, "template: %s:1: bad number syntax: \"%s\"", tpl_origin.name, text);
  }
  out->missing = 0;
  return 0;
}

/* One operand at T->p: a field chain, a variable, a literal or a
 * parenthesized pipeline (which a field chain may follow).  *LITERAL is
 * set for constants, whose text Go's errors quote.  */
static int
tpl_operand (struct tpl *t, json_object *dot, struct tpl_value *out, int *literal, ferry_error_t *err)
{
  char ch = *t->p;

  *literal = 0;
  out->missing = 0;
  if (ch == '(')
    {
      t->p++;
      if (tpl_pipeline (t, dot, out, err) < 0)
        return -1;
      if (t->p >= t->end || *t->p != ')')
        return ferry_make_error (err, 0, "template: %s:1: unclosed left paren", tpl_origin.name);
      t->p++;
      if (t->p < t->end && *t->p == '.' && t->p + 1 < t->end && tpl_ident ((unsigned char) t->p[1]))
        return tpl_field_path (t, out->value, out, err);
      return 0;
    }
  if (ch == '"' || ch == '`')
    {
      *literal = 1;
      return tpl_quoted (t, out, err);
    }
  if (isdigit ((unsigned char) ch)
      || ((ch == '-' || ch == '+') && t->p + 1 < t->end && isdigit ((unsigned char) t->p[1])))
    {
      *literal = 1;
      return tpl_number (t, out, err);
    }
  if (ch == '.' || ch == '$')
    return tpl_field_path (t, dot, out, err);
  if (isalpha ((unsigned char) ch))
    {
      const char *w = t->p;

      while (t->p < t->end && tpl_ident ((unsigned char) *t->p))
        t->p++;
      *literal = 1;
      if (t->p - w == 4 && strncmp (w, "true", 4) == 0)
        out->value = tpl_keep (json_object_new_boolean (1));
      else if (t->p - w == 5 && strncmp (w, "false", 5) == 0)
        out->value = tpl_keep (json_object_new_boolean (0));
      else if (t->p - w == 3 && strncmp (w, "nil", 3) == 0)
        out->value = NULL;
      else
        return tpl_exec_error (err, t->format, w, w, t->p - w, "can't give argument to non-function %.*s",
                               (int) (t->p - w), w);
      return 0;
    }
  return ferry_make_error (err, 0, "template: %s:1: unexpected %c in operand", tpl_origin.name, ch);
}

static int
tpl_at_command_end (const struct tpl *t)
{
  return t->p >= t->end || *t->p == '|' || *t->p == ')';
}

/* One command of a pipeline: a function called with its arguments (and
 * the value piped in, PIPED, as its last), or an operand alone.  */
static int
tpl_command (struct tpl *t, json_object *dot, const struct tpl_value *piped, struct tpl_value *out,
             ferry_error_t *err)
{
  const char *start = t->p;
  const char *w = t->p;
  const struct tpl_func *fn = NULL;
  struct tpl_call c = { .t = t };
  int literal;

  while (w < t->end && tpl_ident ((unsigned char) *w))
    w++;
  if (isalpha ((unsigned char) *start) && w > start)
    for (const struct tpl_func *f = tpl_funcs; f->name; f++)
      if (strlen (f->name) == (size_t) (w - start) && strncmp (f->name, start, w - start) == 0)
        fn = f;
  if (fn == NULL)
    {
      if (w - start == 3 && strncmp (start, "nil", 3) == 0 && tpl_word_end (t, w))
        return tpl_exec_error (err, t->format, start, start, 3, "nil is not a command");
      if (tpl_operand (t, dot, out, &literal, err) < 0)
        return -1;
      tpl_skip_space (t);
      if (piped || ! tpl_at_command_end (t))
        {
          const char *end = t->p;
          while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
          return tpl_exec_error (err, t->format, start, start, end - start,
                                 "can't give argument to non-function %.*s", (int) (end - start), start);
        }
      return 0;
    }
  c.name = start;
  c.name_len = w - start;
  t->p = w;
  tpl_skip_space (t);
  while (! tpl_at_command_end (t))
    {
      const char *a = t->p;

      if (c.n >= TPL_MAX_ARGS - 1)
        return tpl_exec_error (err, t->format, start, start, c.name_len, "too many arguments");
      if (tpl_operand (t, dot, &c.arg[c.n], &c.literal[c.n], err) < 0)
        return -1;
      c.at[c.n] = a;
      c.at_len[c.n++] = t->p - a;
      tpl_skip_space (t);
    }
  c.cmd = start;
  c.cmd_len = t->p - start;
  while (c.cmd_len > 0 && (start[c.cmd_len - 1] == ' ' || start[c.cmd_len - 1] == '\t'))
    c.cmd_len--;
  if (piped)
    {
      c.arg[c.n] = *piped;
      c.at[c.n] = start;
      c.at_len[c.n++] = c.cmd_len;
    }
  if ((int) c.n < fn->min || (fn->max >= 0 && (int) c.n > fn->max))
    {
      if (fn->max < 0)
        return tpl_exec_error (err, t->format, start, start, c.name_len,
                               "wrong number of args for %s: want at least %d got %zu", fn->name, fn->min,
                               c.n);
      return tpl_exec_error (err, t->format, start, start, c.name_len,
                             "wrong number of args for %s: want %d got %zu", fn->name, fn->min, c.n);
    }
  *out = (struct tpl_value){ NULL, 0 };
  return fn->fn (&c, out, err);
}

/* A pipeline: commands separated by "|", each one's value the last
 * argument of the next; stops at the action's end or a ")".  */
static int
tpl_pipeline (struct tpl *t, json_object *dot, struct tpl_value *out, ferry_error_t *err)
{
  /* Parentheses nest pipelines: a bound keeps a hostile template from
   * running the stack out.  */
  static int depth;
  struct tpl_value prev = { NULL, 0 };
  int first = 1;

  if (depth >= 64)
    return ferry_make_error (err, 0, "template: %s:1: pipelines nested more than 64 deep", tpl_origin.name);
  for (;;)
    {
      int r;

      tpl_skip_space (t);
      if (t->p < t->end && *t->p == '|')
        return ferry_make_error (err, 0, "template: %s:1: unexpected \"|\" in command", tpl_origin.name);
      if (tpl_at_command_end (t))
        return ferry_make_error (err, 0, "template: %s:1: missing value for command", tpl_origin.name);
      depth++;
      r = tpl_command (t, dot, first ? NULL : &prev, out, err);
      depth--;
      if (r < 0)
        return -1;
      first = 0;
      prev = *out;
      tpl_skip_space (t);
      if (t->p < t->end && *t->p == '|')
        {
          t->p++;
          tpl_skip_space (t);
          /* Go's parser ends a pipeline at the action's end, a "|"
           * before it or not.  */
          if (t->p >= t->end || *t->p == ')')
            return 0;
          continue;
        }
      return 0;
    }
}

static int
tpl_action (struct tpl *t, json_object *obj, FILE *out, ferry_error_t *err)
{
  struct tpl_value v = { NULL, 0 };

  if (tpl_pipeline (t, obj, &v, err) < 0)
    return -1;
  tpl_skip_space (t);
  if (t->p != t->end)
    return ferry_make_error (err, 0, "template: %s:1: unexpected \")\" in command", tpl_origin.name);
  tpl_print_go (out, v.value, 1);
  return 0;
}

/* Where the {{end}} of a block whose body starts at P is, and its {{else}}
 * at the same depth (NULL when none): ELSE_AT and END_AT point at the
 * actions' "{{", AFTER_END past the end's "}}".  */
static int
tpl_block_end (const char *p, const char *format, const char **else_at, const char **end_at,
               const char **after_end, ferry_error_t *err)
{
  int depth = 0;

  *else_at = NULL;
  while ((p = strstr (p, "{{")) != NULL)
    {
      const char *close = strstr (p + 2, "}}");
      const char *w = p + 2;

      if (close == NULL)
        break;
      while (*w == ' ')
        w++;
      if (strncmp (w, "range ", 6) == 0 || strncmp (w, "if ", 3) == 0 || strncmp (w, "with ", 5) == 0)
        depth++;
      else if (strncmp (w, "end", 3) == 0 && (w + 3 == close || w[3] == ' '))
        {
          if (depth-- == 0)
            {
              *end_at = p;
              *after_end = close + 2;
              return 0;
            }
        }
      else if (depth == 0 && *else_at == NULL && strncmp (w, "else", 4) == 0
               && (w + 4 == close || w[4] == ' '))
        *else_at = p;
      p = close + 2;
    }
  return ferry_make_error (err, 0, "template: unexpected EOF, a block without {{end}} in `%s`", format);
}

/* Go's truth: false, 0, "", nil and empty slices and maps are false.  */
static int
tpl_truth (json_object *v)
{
  if (v == NULL)
    return 0;
  switch (json_object_get_type (v))
    {
    case json_type_boolean:
      return json_object_get_boolean (v);
    case json_type_int:
      return json_object_get_int64 (v) != 0;
    case json_type_double:
      return json_object_get_double (v) != 0;
    case json_type_string:
      return json_object_get_string_len (v) > 0;
    case json_type_array:
      return json_object_array_length (v) > 0;
    case json_type_object:
      {
        int pointer;
        /* A struct is true, and so is a pointer that is not nil.  */
        if (tpl_go_struct (v, &pointer))
          return 1;
        return json_object_object_length (v) > 0;
      }
    default:
      return 0;
    }
}

static int tpl_render (const char *p, const char *end, json_object *obj, FILE *out, const char *format,
                       const struct tpl_vars *vars, ferry_error_t *err);

/* What tpl_render returns, past 0, for a {{break}} or {{continue}} met in
 * a range's body (in an if or with of it too): the range ends it.  */
#define TPL_BREAK 1
#define TPL_CONTINUE 2

/* How many range bodies are rendering: {{break}} and {{continue}} belong
 * to the innermost.  */
static int tpl_in_range;

/* After a range's body ran once (R its result): 0 to go on, 1 to stop
 * with a {{break}}, and -1 for an error.  */
static int
tpl_range_step (int *r)
{
  if (*r == TPL_CONTINUE)
    *r = 0;
  else if (*r == TPL_BREAK)
    {
      *r = 0;
      return 1;
    }
  return *r < 0 ? -1 : 0;
}

/* A range's "$v :=" or "$k, $v :=" before its value: the names into V
 * (V->n 0 when there is none).  */
static void
tpl_range_vars (struct tpl *t, struct tpl_vars *v)
{
  const char *p = t->p;

  v->n = 0;
  while (p < t->end && *p == '$' && v->n < 2)
    {
      const char *name = ++p;

      while (p < t->end && (isalnum ((unsigned char) *p) || *p == '_'))
        p++;
      v->name[v->n] = name;
      v->len[v->n++] = p - name;
      while (p < t->end && *p == ' ')
        p++;
      if (p < t->end && *p == ',')
        {
          p++;
          while (p < t->end && *p == ' ')
            p++;
        }
    }
  /* Without := it was the value ({{range $.A}}), not a declaration.  */
  if (v->n == 0 || t->end - p < 2 || strncmp (p, ":=", 2) != 0)
    {
      v->n = 0;
      return;
    }
  t->p = p + 2;
}

/* Renders a range's body once, for the element VALUE at KEY.  */
static int
tpl_range_once (struct tpl *t, struct tpl_vars *v, const char *body, const char *end, json_object *key,
                json_object *value, FILE *out, ferry_error_t *err)
{
  if (v->n == 1)
    v->value[0] = value;
  else if (v->n == 2)
    {
      v->value[0] = key;
      v->value[1] = value;
    }
  int r;

  tpl_in_range++;
  r = tpl_render (body, end, value, out, t->format, v->n ? v : t->vars, err);
  tpl_in_range--;
  return r;
}

/* Gives VALUE, of the pipeline from AT to AT_END, to the variable in
 * VARS named NAME, wherever it was declared.  */
static int
tpl_assign_value (const struct tpl *t, const char *name, size_t len, json_object *value,
                  const struct tpl_vars *vars, const char *at, const char *at_end, ferry_error_t *err)
{
  json_object **slot = tpl_var_slot (vars, name, len);

  if (slot)
    {
      *slot = value ? tpl_keep (json_object_get (value)) : NULL;
      return 0;
    }
  /* Go finds out only when it runs the assignment, and names the
   * pipeline's last operand.  */
  while (at_end > at && (at_end[-1] == ' ' || at_end[-1] == '\t'))
    at_end--;
  const char *last = at_end;
  if (last > at && (last[-1] == '"' || last[-1] == '`'))
    for (last--; last > at && last[-1] != *(at_end - 1); last--)
      ;
  if (last > at && (last[-1] == '"' || last[-1] == '`'))
    last--;
  else
    while (last > at && last[-1] != ' ' && last[-1] != '\t' && last[-1] != '|' && last[-1] != '(')
      last--;
  return tpl_exec_error (err, t->format, last, last, at_end - last, "undefined variable: $%.*s", (int) len,
                         name);
}

/* An action "$NAME := PIPELINE" (1) or "$NAME = PIPELINE" (2) at T: NAME
 * into *NAME and *LEN and T past the ":=" or "="; 0 when the action is
 * neither.  */
static int
tpl_declaration (struct tpl *t, const char **name, size_t *len)
{
  const char *p = t->p;

  if (p >= t->end || *p != '$')
    return 0;
  *name = ++p;
  while (p < t->end && (isalnum ((unsigned char) *p) || *p == '_'))
    p++;
  *len = p - *name;
  while (p < t->end && (*p == ' ' || *p == '\t'))
    p++;
  if (*len == 0 || p >= t->end)
    return 0;
  if (t->end - p >= 2 && strncmp (p, ":=", 2) == 0)
    {
      t->p = p + 2;
      return 1;
    }
  if (*p == '=' && (t->end - p < 2 || p[1] != '='))
    {
      t->p = p + 1;
      return 2;
    }
  return 0;
}

/* {{range X}}BODY{{else}}OTHER{{end}}, {{if X}}BODY{{else}}OTHER{{end}}
 * and {{with X}}...: KIND is 'r', 'i' or 'w', T the action after its
 * keyword, BODY where the body starts; *NEXT is set past the {{end}}.
 * An {{else if Y}} or {{else with Y}} goes on as a block of its own that
 * shares the {{end}}.  */
static int
tpl_block (struct tpl *t, int kind, const char *body, json_object *obj, FILE *out, const char **next,
           ferry_error_t *err)
{
  const char *else_at = NULL, *end_at = NULL, *after_end = NULL, *other, *stop, *assigned = NULL;
  struct tpl_value v = { NULL, 0 };
  struct tpl_vars vars = { .up = t->vars }, decl = { .up = t->vars };
  const struct tpl_vars *scope = t->vars;
  const char *name;
  size_t i, n = 0, len;
  int r = 0;

  *next = body;
  if (tpl_block_end (body, t->format, &else_at, &end_at, &after_end, err) < 0)
    return -1;
  *next = after_end;
  if (kind == 'r')
    tpl_range_vars (t, &vars);
  else
    switch (tpl_declaration (t, &name, &len))
      {
      case 1:
        /* {{if $x := X}}, {{with $x := X}}: $x lives until the {{end}},
         * its {{else}} included.  */
        decl.name[0] = name;
        decl.len[0] = len;
        decl.n = 1;
        scope = &decl;
        break;
      case 2:
        /* {{if $x = X}}: X goes to a $x declared before, and decides.  */
        tpl_skip_space (t);
        assigned = t->p;
        break;
      }
  if (tpl_pipeline (t, obj, &v, err) < 0)
    return -1;
  if (assigned && tpl_assign_value (t, name, len, v.value, t->vars, assigned, t->p, err) < 0)
    return -1;
  tpl_skip_space (t);
  if (t->p != t->end)
    return ferry_make_error (err, 0, "template: %s:1: unexpected \")\" in command", tpl_origin.name);
  decl.value[0] = v.value;
  other = else_at ? strstr (else_at, "}}") + 2 : NULL;
  stop = else_at ? else_at : end_at;
  if (kind != 'r')
    {
      if (tpl_truth (v.value))
        return tpl_render (body, stop, kind == 'w' ? v.value : obj, out, t->format, scope, err);
      if (other)
        {
          /* {{else if Y}}, {{else with Y}}: the rest is a block of its own.  */
          struct tpl e = { .p = else_at + 2, .end = other - 2, .format = t->format, .vars = scope };
          const char *ignored;

          tpl_skip_space (&e);
          e.p += 4;
          tpl_skip_space (&e);
          if (e.end - e.p >= 3 && strncmp (e.p, "if ", 3) == 0)
            {
              e.p += 3;
              return tpl_block (&e, 'i', other, obj, out, &ignored, err);
            }
          if (e.end - e.p >= 5 && strncmp (e.p, "with ", 5) == 0)
            {
              e.p += 5;
              return tpl_block (&e, 'w', other, obj, out, &ignored, err);
            }
          return tpl_render (other, end_at, obj, out, t->format, scope, err);
        }
      return 0;
    }
  if (v.value && json_object_is_type (v.value, json_type_array))
    {
      n = json_object_array_length (v.value);
      for (i = 0; i < n && r == 0; i++)
        {
          json_object *index = json_object_new_int64 ((int64_t) i);

          r = tpl_range_once (t, &vars, body, stop, index, json_object_array_get_idx (v.value, i), out, err);
          json_object_put (index);
          if (tpl_range_step (&r) != 0)
            break;
        }
    }
  else if (v.value && json_object_is_type (v.value, json_type_object))
    {
      /* A map's values in its keys' order, as Go ranges over them.  */
      cleanup_free const char **keys = tpl_sorted_keys_go (v.value, &n);

      for (i = 0; i < n && r == 0; i++)
        {
          json_object *key = json_object_new_string (keys[i]);

          r = tpl_range_once (t, &vars, body, stop, key, json_object_object_get (v.value, keys[i]), out, err);
          json_object_put (key);
          if (tpl_range_step (&r) != 0)
            break;
        }
    }
  else if (v.value && json_object_is_type (v.value, json_type_int))
    {
      /* Go 1.22's range over an integer: 0 to N-1.  */
      int64_t count = json_object_get_int64 (v.value);

      for (int64_t k = 0; k < count && r == 0; k++, n++)
        {
          json_object *index = json_object_new_int64 (k);

          r = tpl_range_once (t, &vars, body, stop, index, index, out, err);
          json_object_put (index);
          if (tpl_range_step (&r) != 0)
            break;
        }
    }
  else if (v.value && ! json_object_is_type (v.value, json_type_null))
    return ferry_make_error (err, 0, "template: range can't iterate over %s in `%s`",
                             json_object_get_string (v.value), t->format);
  if (r < 0)
    return -1;
  if (n == 0 && other)
    return tpl_render (other, end_at, obj, out, t->format, t->vars, err);
  return 0;
}

/* The variables {{$x := ...}} declared in one run of tpl_render: they live
 * until its block ends (the whole template at the top), as Go's do.  */
struct tpl_declared
{
  struct tpl_vars **v;
  size_t n;
};

static void
tpl_declared_free (struct tpl_declared *d)
{
  for (size_t i = 0; i < d->n; i++)
    free (d->v[i]);
  free (d->v);
}

static int tpl_render_scoped (const char *p, const char *end, json_object *obj, FILE *out, const char *format,
                              const struct tpl_vars *vars, struct tpl_declared *declared, ferry_error_t *err);

static int
tpl_render (const char *p, const char *end, json_object *obj, FILE *out, const char *format,
            const struct tpl_vars *vars, ferry_error_t *err)
{
  struct tpl_declared declared = { NULL, 0 };
  int r = tpl_render_scoped (p, end, obj, out, format, vars, &declared, err);

  tpl_declared_free (&declared);
  return r;
}

/* Evaluates the declaration at T and puts its variable in scope: *VARS
 * becomes it, within the chain DECLARED keeps.  */
static int
tpl_declare (struct tpl *t, const char *name, size_t len, json_object *obj, const struct tpl_vars **vars,
             struct tpl_declared *declared, ferry_error_t *err)
{
  struct tpl_value v = { NULL, 0 };
  struct tpl_vars *var;

  if (tpl_pipeline (t, obj, &v, err) < 0)
    return -1;
  tpl_skip_space (t);
  if (t->p != t->end)
    return ferry_make_error (err, 0, "template: %s:1: unexpected \")\" in command", tpl_origin.name);
  var = xmalloc0 (sizeof (*var));
  var->name[0] = name;
  var->len[0] = len;
  /* A reference the render's arena holds: a range's index or key lives
   * only for its pass, the variable maybe longer.  */
  var->value[0] = v.value ? tpl_keep (json_object_get (v.value)) : NULL;
  var->n = 1;
  var->up = *vars;
  declared->v = xrealloc (declared->v, sizeof (*declared->v) * (declared->n + 1));
  declared->v[declared->n++] = var;
  *vars = var;
  return 0;
}

/* Whether the action at T is the word WORD alone.  */
static int
tpl_keyword (const struct tpl *t, const char *word)
{
  size_t n = strlen (word);
  const char *q = t->p + n;

  if ((size_t) (t->end - t->p) < n || strncmp (t->p, word, n) != 0)
    return 0;
  while (q < t->end && (*q == ' ' || *q == '\t'))
    q++;
  return q == t->end;
}

/* Evaluates the assignment at T and gives its value to the variable in
 * VARS it names.  */
static int
tpl_assign (struct tpl *t, const char *name, size_t len, json_object *obj, const struct tpl_vars *vars,
            ferry_error_t *err)
{
  struct tpl_value v = { NULL, 0 };
  const char *at, *at_end;

  tpl_skip_space (t);
  at = t->p;
  if (tpl_pipeline (t, obj, &v, err) < 0)
    return -1;
  at_end = t->p;
  tpl_skip_space (t);
  if (t->p != t->end)
    return ferry_make_error (err, 0, "template: %s:1: unexpected \")\" in command", tpl_origin.name);
  return tpl_assign_value (t, name, len, v.value, vars, at, at_end, err);
}

static int
tpl_render_scoped (const char *p, const char *end, json_object *obj, FILE *out, const char *format,
                   const struct tpl_vars *vars, struct tpl_declared *declared, ferry_error_t *err)
{
  while (p < end)
    {
      if (p[0] == '{' && p + 1 < end && p[1] == '{')
        {
          const char *close = strstr (p + 2, "}}");
          const char *name;
          size_t len;
          struct tpl t;
          int r;

          if (close == NULL || close + 2 > end)
            return ferry_make_error (err, 0, "template: unclosed action in `%s`", format);
          t = (struct tpl){ .p = p + 2, .end = close, .format = format, .vars = vars };
          /* A comment: nothing.  */
          if (t.end - t.p >= 2 && strncmp (t.p, "/*", 2) == 0)
            {
              p = close + 2;
              continue;
            }
          tpl_skip_space (&t);
          switch (tpl_declaration (&t, &name, &len))
            {
            case 1:
              if (tpl_declare (&t, name, len, obj, &vars, declared, err) < 0)
                return -1;
              p = close + 2;
              continue;
            case 2:
              if (tpl_assign (&t, name, len, obj, vars, err) < 0)
                return -1;
              p = close + 2;
              continue;
            }
          if ((t.end - t.p >= 6 && strncmp (t.p, "range ", 6) == 0)
              || (t.end - t.p >= 3 && strncmp (t.p, "if ", 3) == 0)
              || (t.end - t.p >= 5 && strncmp (t.p, "with ", 5) == 0))
            {
              int kind = t.p[0];

              t.p += kind == 'r' ? 6 : kind == 'i' ? 3 : 5;
              r = tpl_block (&t, kind, close + 2, obj, out, &p, err);
              if (r != 0)
                return r;
              continue;
            }
          if (tpl_in_range > 0 && tpl_keyword (&t, "break"))
            return TPL_BREAK;
          if (tpl_in_range > 0 && tpl_keyword (&t, "continue"))
            return TPL_CONTINUE;
          if (tpl_action (&t, obj, out, err) < 0)
            return -1;
          p = close + 2;
          continue;
        }
      if (p[0] == '\\' && p + 1 < end && (p[1] == 't' || p[1] == 'n'))
        {
          fputc (p[1] == 't' ? '\t' : '\n', out);
          p += 2;
          continue;
        }
      fputc (*p++, out);
    }
  return 0;
}

static int
tpl_is_go_space (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Where the action whose "{{" is at OPEN ends (its "}}"), quoted strings
 * passed over; NULL when it does not.  */
static const char *
tpl_action_close (const char *open)
{
  char quote = 0;

  for (const char *q = open + 2; *q; q++)
    {
      if (quote)
        {
          if (*q == '\\' && quote == '"' && q[1])
            q++;
          else if (*q == quote)
            quote = 0;
        }
      else if (*q == '"' || *q == '`')
        quote = *q;
      else if (q[0] == '}' && q[1] == '}')
        return q;
    }
  return NULL;
}

/* FORMAT with Go's trim markers applied and taken out: "{{- " takes the
 * white space before the action away, " -}}" the white space after it,
 * as Go's text/template does ("{{-3}}" is a number, not a marker).  */
static char *
tpl_apply_trim_markers (const char *format)
{
  size_t len = 0;
  char *text = NULL;
  FILE *out = open_memstream (&text, &len);
  const char *p = format;

  if (out == NULL)
    abort ();
  while (*p)
    {
      const char *open = strstr (p, "{{"), *close, *a, *z;

      if (open == NULL || (close = tpl_action_close (open)) == NULL)
        {
          fputs (p, out);
          break;
        }
      a = open + 2;
      z = close;
      if (a[0] == '-' && tpl_is_go_space (a[1]))
        {
          const char *t = open;

          while (t > p && tpl_is_go_space (t[-1]))
            t--;
          fwrite (p, 1, t - p, out);
          a++;
          /* The space is the marker's: a comment after it opens the
           * action.  */
          if (a[1] == '/' && a[2] == '*')
            a++;
        }
      else
        fwrite (p, 1, open - p, out);
      if (z - a >= 2 && z[-1] == '-' && tpl_is_go_space (z[-2]))
        z--;
      fputs ("{{", out);
      fwrite (a, 1, z - a, out);
      fputs ("}}", out);
      p = close + 2;
      if (z != close)
        while (tpl_is_go_space (*p))
          p++;
    }
  fclose (out);
  return text;
}

/* Renders FORMAT against OBJ into *RESULT, which keeps what was rendered
 * before an error while running it (Go writes as it goes).  */
static int
tpl_render_all (const char *given, json_object *obj, char **result, ferry_error_t *err)
{
  size_t len = 0;
  FILE *out;
  struct tpl_vars root = { .name = { "" }, .len = { 0 }, .value = { tpl_dollar ? tpl_dollar : obj }, .n = 1 };
  cleanup_free char *format = tpl_apply_trim_markers (given);
  int ret;

  *result = NULL;
  if (tpl_check (format, err) < 0)
    return -1;
  out = open_memstream (result, &len);
  if (out == NULL)
    abort ();
  tpl_root = obj;
  ret = tpl_render (format, format + strlen (format), obj, out, format, &root, err);
  tpl_root = NULL;
  fclose (out);
  json_object_put (tpl_arena);
  tpl_arena = NULL;
  return ret;
}

int
ferry_cli_template (const char *format, json_object *obj, char **result, ferry_error_t *err)
{
  cleanup_free char *text = NULL;

  if (tpl_render_all (format, obj, &text, err) < 0)
    return -1;
  *result = text;
  text = NULL;
  return 0;
}

int
ferry_cli_template_keep (const char *format, json_object *obj, char **result, ferry_error_t *err)
{
  return tpl_render_all (format, obj, result, err);
}

/* Go's %v of a struct: its members' values in order, in braces.  */
static void
tpl_print_struct (FILE *out, json_object *v)
{
  int first = 1;

  if (v == NULL || ! json_object_is_type (v, json_type_object))
    {
      tpl_print_go (out, v, 0);
      return;
    }
  fputc ('{', out);
  json_object_object_foreach (v, key, value)
  {
    (void) key;
    if (! first)
      fputc (' ', out);
    first = 0;
    tpl_print_struct (out, value);
  }
  fputc ('}', out);
}

int
ferry_cli_template_refuse_table (const char *format, json_object *obj)
{
  cleanup_free char *text = NULL;
  size_t len = 0;
  FILE *m;

  if (strncmp (format, "table", 5) != 0 || (format[5] != ' ' && format[5] != '\t' && format[5] != '\0'))
    return 0;
  m = open_memstream (&text, &len);
  if (m == NULL)
    abort ();
  tpl_print_struct (m, obj);
  fclose (m);
  /* One line, as the error is.  */
  for (char *q = text; q && *q; q++)
    if (*q == '\n')
      *q = ' ';
  ferry_cli_failf ("template: %s:1:8: executing \"%s\" at <.>: range can't iterate over %s", tpl_origin.name,
                   tpl_origin.name, text);
  return 1;
}

char *
ferry_cli_template_line (const char *format)
{
  size_t n = strlen (format);

  if ((n >= 1 && format[n - 1] == '\n') || (n >= 2 && strcmp (format + n - 2, "\\n") == 0))
    return xstrdup (format);
  return xasprintf ("%s\n", format);
}

int
ferry_cli_template_keep_line (const char *given, json_object *obj, char **result, ferry_error_t *err)
{
  cleanup_free char *format = ferry_cli_template_line (given), *checked = tpl_apply_trim_markers (given);

  /* A parse error names its place in the template as given.  */
  *result = NULL;
  if (tpl_check (checked, err) < 0)
    return -1;
  return tpl_render_all (format, obj, result, err);
}

int
ferry_cli_template_each_line (const char *format, json_object *list, FILE *out, ferry_error_t *err)
{
  for (size_t i = 0; i < json_object_array_length (list); i++)
    {
      cleanup_free char *text = NULL;
      int r;

      tpl_dollar = list;
      tpl_dollar_any = true;
      r = ferry_cli_template_keep_line (format, json_object_array_get_idx (list, i), &text, err);
      tpl_dollar = NULL;
      tpl_dollar_any = false;
      if (text)
        fputs (text, out);
      if (r < 0)
        return -1;
    }
  return 0;
}

int
ferry_cli_print_template (const char *format, json_object *obj)
{
  cleanup_free char *text = NULL;
  ferry_error_t err = NULL;

  if (ferry_cli_template_keep_line (format, obj, &text, &err) < 0)
    {
      /* What came before the error is out, as Podman's is.  */
      if (text)
        fputs (text, stdout);
      fflush (stdout);
      return ferry_cli_fail (&err);
    }
  fputs (text, stdout);
  return 0;
}

/* "ExitCode": "EXIT CODE", "ImageID": "IMAGE ID", as Podman heads a
 * column after its field.  */
static char *
heading_of_field (const char *field)
{
  size_t i, n = strlen (field);
  char *out = xmalloc (2 * n + 1), *q = out;

  for (i = 0; i < n; i++)
    {
      int upper = field[i] >= 'A' && field[i] <= 'Z';
      int after_lower = i > 0 && field[i - 1] >= 'a' && field[i - 1] <= 'z';
      int starts_word = i > 0 && i + 1 < n && field[i - 1] >= 'A' && field[i - 1] <= 'Z'
                        && field[i + 1] >= 'a' && field[i + 1] <= 'z';
      if (upper && (after_lower || starts_word))
        *q++ = ' ';
      *q++ = field[i] >= 'a' && field[i] <= 'z' ? field[i] - 'a' + 'A' : field[i];
    }
  *q = '\0';
  return out;
}

/* FIELD's heading into O; "Namespaces.Cgroup" goes into an object of its
 * own under "Namespaces", for {{.Namespaces.Cgroup}}.  */
static void
heading_add (json_object *o, const char *field, const char *heading)
{
  const char *dot = strchr (field, '.');
  cleanup_free char *outer = NULL;
  json_object *inner;

  if (dot == NULL)
    {
      json_object_object_add (o, field, json_object_new_string (heading));
      return;
    }
  outer = xstrndup (field, dot - field);
  inner = json_object_object_get (o, outer);
  if (inner == NULL || ! json_object_is_type (inner, json_type_object))
    {
      inner = json_object_new_object ();
      json_object_object_add (o, outer, inner);
    }
  heading_add (inner, dot + 1, heading);
}

static json_object *
heading_object (const struct ferry_cli_column *columns)
{
  json_object *o = ferry_cli_tpl_map (NULL);

  for (; columns->field; columns++)
    {
      cleanup_free char *derived = NULL;
      if (columns->heading && *columns->heading == '\0')
        {
          json_object_object_add (o, columns->field, NULL);
          continue;
        }
      if (columns->heading == NULL)
        derived = heading_of_field (columns->field);
      heading_add (o, columns->field, columns->heading ? columns->heading : derived);
    }
  return o;
}

/* In a table, Podman takes the spaces between actions for column breaks.  */
static char *
table_template (const char *format)
{
  char *out = xstrdup (format), *p = out;

  while (*p)
    {
      if (p[0] == '{' && p[1] == '{')
        {
          char *close = strstr (p + 2, "}}");
          if (close == NULL)
            break;
          p = close + 2;
          continue;
        }
      if (*p == ' ')
        *p = '\t';
      p++;
    }
  return out;
}

void
ferry_cli_list_init (struct ferry_cli_list *l, const char *format, const struct ferry_cli_column *columns,
                     int heading)
{
  memset (l, 0, sizeof (*l));
  l->table = strncmp (format, "table ", 6) == 0;
  l->format = l->table ? table_template (format + 6) : xstrdup (format);
  l->heading = heading && l->table;
  l->columns = columns;
  /* A table is laid out once all its rows are in.  */
  if (l->table)
    l->out = open_memstream (&l->text, &l->len);
  l->rows = json_object_new_array ();
}

static int
list_render (struct ferry_cli_list *l, json_object *obj, ferry_error_t *err)
{
  FILE *out = l->table ? l->out : stdout;
  cleanup_free char *text = NULL;
  size_t n;

  if (tpl_render_all (l->format, obj, &text, err) < 0)
    {
      if (text && ! l->table)
        fputs (text, out);
      fflush (out);
      return -1;
    }
  fputs (text, out);
  n = strlen (l->format);
  /* Podman ends each row with a newline unless the template does.  */
  if (! ((n >= 1 && l->format[n - 1] == '\n') || (n >= 2 && strcmp (l->format + n - 2, "\\n") == 0)))
    fputc ('\n', out);
  return 0;
}

int
ferry_cli_list_row (struct ferry_cli_list *l, json_object *row, ferry_error_t *err)
{
  (void) err;
  json_object_array_add (l->rows, json_object_get (row));
  return 0;
}

static size_t
text_width (const char *s, size_t n)
{
  size_t i, w = 0;

  for (i = 0; i < n; i++)
    if (((unsigned char) s[i] & 0xc0) != 0x80)
      w++;
  return w;
}

/* Go's tabwriter as Podman sets it up: a cell is as wide as its column's
 * widest text plus 2, at least 12; a line's last cell is not aligned.  */
static void
print_aligned (const char *text, size_t len)
{
  cleanup_free size_t *widths = NULL;
  size_t n_widths = 0;
  const char *p, *end = text + len;

  for (p = text; p < end;)
    {
      const char *eol = memchr (p, '\n', end - p), *c;
      size_t col = 0;
      if (eol == NULL)
        eol = end;
      for (c = p; c < eol; col++)
        {
          const char *tab = memchr (c, '\t', eol - c);
          size_t w;
          if (tab == NULL)
            break;
          if (col >= n_widths)
            {
              widths = xrealloc (widths, (col + 1) * sizeof (*widths));
              widths[n_widths++] = 12;
            }
          w = text_width (c, tab - c) + 2;
          if (w > widths[col])
            widths[col] = w;
          c = tab + 1;
        }
      p = eol + (eol < end);
    }
  for (p = text; p < end;)
    {
      const char *eol = memchr (p, '\n', end - p), *c;
      size_t col = 0;
      if (eol == NULL)
        eol = end;
      for (c = p;; col++)
        {
          const char *tab = memchr (c, '\t', eol - c);
          if (tab == NULL)
            {
              fwrite (c, 1, eol - c, stdout);
              break;
            }
          fwrite (c, 1, tab - c, stdout);
          printf ("%*s", (int) (widths[col] - text_width (c, tab - c)), "");
          c = tab + 1;
        }
      if (eol < end)
        putchar ('\n');
      p = eol + (eol < end);
    }
}

int
ferry_cli_list_end (struct ferry_cli_list *l, ferry_error_t *err)
{
  /* Podman parses the template before it has rows: with none, its
   * mistakes are said all the same.  */
  if (tpl_check (l->format, err) < 0)
    return -1;
  if (l->heading)
    {
      cleanup_json json_object *heading = json_object_new_array ();
      json_object *h = heading_object (l->columns);
      int ret;

      /* Podman's headings are a list of one row of their own.  */
      json_object_array_add (heading, h);
      l->heading = 0;
      tpl_dollar = heading;
      ret = list_render (l, h, err);
      tpl_dollar = NULL;
      if (ret < 0)
        return -1;
    }
  for (size_t i = 0; i < json_object_array_length (l->rows); i++)
    {
      int ret;

      tpl_dollar = l->rows;
      ret = list_render (l, json_object_array_get_idx (l->rows, i), err);
      tpl_dollar = NULL;
      if (ret < 0)
        return -1;
    }
  if (l->table)
    {
      fflush (l->out);
      print_aligned (l->text, l->len);
    }
  return 0;
}

void
ferry_cli_list_release (struct ferry_cli_list *l)
{
  if (l->out)
    fclose (l->out);
  free (l->text);
  free (l->format);
  json_object_put (l->rows);
  memset (l, 0, sizeof (*l));
}
