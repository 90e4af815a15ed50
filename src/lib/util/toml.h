/* ferry: a small TOML reader, for containers.conf, ferry.conf and
 * registries.conf.
 *
 * Enough of TOML for the files Podman ships and administrators write:
 * tables ([a.b], [[a]]), bare, quoted and dotted keys (told apart), basic and literal
 * strings, integers, booleans, floats and dates (kept as text), arrays over
 * several lines with comments and a trailing comma, and inline tables
 * and lists of them.  As TOML says, no key or table is defined twice, and
 * a table written inline or a list is never added to by a later line.  A
 * file that is not TOML is refused at its line; what a caller does with
 * each table and value is its own.  */
#ifndef FERRY_UTIL_TOML_H
#define FERRY_UTIL_TOML_H

#include "error.h"

#include <stddef.h>
#include <stdint.h>

enum ferry_toml_type
{
  FERRY_TOML_STRING,
  FERRY_TOML_INTEGER,
  FERRY_TOML_BOOLEAN,
  FERRY_TOML_ARRAY,
  FERRY_TOML_OTHER, /* floats, dates: read, never used */
};

struct ferry_toml_value
{
  enum ferry_toml_type type;
  char *string;             /* FERRY_TOML_STRING */
  int64_t integer;          /* FERRY_TOML_INTEGER, FERRY_TOML_BOOLEAN */
  char **strings;           /* FERRY_TOML_ARRAY of strings only; NULL-terminated */
  size_t n_strings;         /* its length */
  int mixed;                /* FERRY_TOML_ARRAY with an element that is no string */
  int append;               /* FERRY_TOML_ARRAY ending in {append=true}: add to the earlier list */
  const char *go_type;      /* its type as Go's TOML decoder names it: "string", "int64", "bool",
                             "float64", "time.Time", "[]any", "map[string]any" */
  const char *go_element;   /* MIXED: the Go type of its first element that is no string */
  const char *go_non_table; /* FERRY_TOML_ARRAY: the Go type of its first element that is no table */
  char *go_text;            /* a scalar as Go prints it (%v); NULL for a list or table */
  char *go_element_text;    /* MIXED: go_text of its first element that is no string */
};

void ferry_toml_value_release (struct ferry_toml_value *v);

/* Where a table or value is, for messages: "PATH:LINE: ...".  */
struct ferry_toml_where
{
  const char *path;
  int line;
  int dotted; /* a table made by a dotted key (a.b = 1 makes a), not by a header */
};

/* 0 when V is of TYPE (an array: of strings only), else -1 with "PATH:LINE:
 * invalid value of `KEY`: use ..." in ERR.  */
int ferry_toml_want (const struct ferry_toml_where *w, const char *key, const struct ferry_toml_value *v,
                     enum ferry_toml_type type, ferry_error_t *err);

/* As ferry_toml_want, in the words of Go's TOML decoder (BurntSushi/toml,
 * which Podman's readers use), ferry's fix after them: "toml: line N
 * (last key \"TABLE.KEY\"): incompatible types: TOML value has type
 * int64; destination has type string: use a string in double quotes".
 * The caller names the file before it.  */
int ferry_toml_want_go (const struct ferry_toml_where *w, const char *table, const char *key,
                        const struct ferry_toml_value *v, enum ferry_toml_type type, ferry_error_t *err);

struct ferry_toml_handler
{
  /* [NAME] (ARRAY 0) or [[NAME]] (ARRAY 1); NAME's parts are joined by
   * dots.  Returns -1 with ERR set to refuse it.  May be NULL.
   * A part of NAME that is no bare key is quoted as TOML quotes it
   * ([a."b.c"] is a, then b.c), so that a quoted key with a dot is never
   * taken for a dotted key.  A dotted key under [T] (a.b.c = 1) comes as
   * the tables it makes ([T.a], [T.a.b], the first time, with DOTTED set
   * in W), then as the value c of T.a.b.
   * KEY = { ... } under [T] comes as the table [T.KEY] and
   * KEY = [ { ... }, ... ] as one [[T.KEY]] per element, each followed by
   * its values (which name T.KEY as their table); the lines after them
   * are still T's.  A list holding other values besides inline tables is
   * a value (MIXED).  */
  int (*table) (void *data, const struct ferry_toml_where *w, const char *name, int array,
                ferry_error_t *err);
  /* KEY = V under TABLE ("" before the first header); KEY is one part,
   * as written (unquoted, dots and all); it may take V's
   * strings (the reader releases what is left).  */
  int (*value) (void *data, const struct ferry_toml_where *w, const char *table, const char *key,
                struct ferry_toml_value *v, ferry_error_t *err);
  /* What to say of a header or line that does not parse (NULL: TOML's
   * words).  */
  const char *bad_header;
  const char *bad_line;
};

/* KEY as TOML writes it, for a message: bare, or quoted with escapes (a
 * key may hold a newline).  Returns a new string.  */
char *ferry_toml_key_text (const char *key);

/* Parses TEXT, read from PATH, calling H's functions in file order.  */
int ferry_toml_parse (const char *path, const char *text, const struct ferry_toml_handler *h, void *data,
                      ferry_error_t *err);

/* Reads PATH (at most MAX_SIZE bytes of text, no NUL) into *TEXT.  WHAT
 * names the file in errors ("containers.conf").  */
int ferry_toml_read_file (const char *path, size_t max_size, const char *what, char **text,
                          ferry_error_t *err);

#endif
