/* ferry: the command an image label describes (runlabel.h).  */
#include "runlabel.h"

#include "util/cleanup.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A growing string.  */
struct text
{
  char *s;
  size_t len, cap;
};

static void
text_add (struct text *t, const char *s, size_t n)
{
  if (t->len + n + 1 > t->cap)
    {
      t->cap = (t->len + n + 1) * 2;
      t->s = xrealloc (t->s, t->cap);
    }
  memcpy (t->s + t->len, s, n);
  t->len += n;
  t->s[t->len] = '\0';
}

static void
text_adds (struct text *t, const char *s)
{
  text_add (t, s, strlen (s));
}

enum split_state
{
  SPLIT_START,
  SPLIT_WORD,
  SPLIT_ESCAPE,        /* after a backslash outside quotes */
  SPLIT_DOUBLE,        /* inside "..." */
  SPLIT_DOUBLE_ESCAPE, /* after a backslash inside "..." */
  SPLIT_SINGLE,        /* inside '...' */
  SPLIT_COMMENT,
};

static bool
is_blank (char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
end_word (struct text *w, char ***words, size_t *n)
{
  ferry_strv_append (words, n, w->s ? w->s : "");
  w->len = 0;
  if (w->s)
    w->s[0] = '\0';
}

int
ferry_runlabel_split (const char *s, char ***words, size_t *n, ferry_error_t *err)
{
  enum split_state st = SPLIT_START;
  struct text w = { 0 };
  cleanup_strv char **out = NULL;
  size_t count = 0;
  const char *p;

  for (p = s; *p; p++)
    {
      char c = *p;

      switch (st)
        {
        case SPLIT_START:
        case SPLIT_WORD:
          if (is_blank (c))
            {
              if (st == SPLIT_WORD)
                end_word (&w, &out, &count);
              st = SPLIT_START;
            }
          else if (c == '#' && st == SPLIT_START)
            st = SPLIT_COMMENT;
          else if (c == '"')
            st = SPLIT_DOUBLE;
          else if (c == '\'')
            st = SPLIT_SINGLE;
          else if (c == '\\')
            st = SPLIT_ESCAPE;
          else
            {
              text_add (&w, &c, 1);
              st = SPLIT_WORD;
            }
          break;
        case SPLIT_ESCAPE:
          text_add (&w, &c, 1);
          st = SPLIT_WORD;
          break;
        case SPLIT_DOUBLE:
          if (c == '"')
            st = SPLIT_WORD;
          else if (c == '\\')
            st = SPLIT_DOUBLE_ESCAPE;
          else
            text_add (&w, &c, 1);
          break;
        case SPLIT_DOUBLE_ESCAPE:
          text_add (&w, &c, 1);
          st = SPLIT_DOUBLE;
          break;
        case SPLIT_SINGLE:
          if (c == '\'')
            st = SPLIT_WORD;
          else
            text_add (&w, &c, 1);
          break;
        case SPLIT_COMMENT:
          if (c == '\n')
            st = SPLIT_START;
          break;
        }
    }
  switch (st)
    {
    case SPLIT_WORD:
      end_word (&w, &out, &count);
      break;
    case SPLIT_ESCAPE:
    case SPLIT_DOUBLE_ESCAPE:
      free (w.s);
      return ferry_make_error (err, 0, "EOF found after escape character");
    case SPLIT_DOUBLE:
    case SPLIT_SINGLE:
      free (w.s);
      return ferry_make_error (err, 0, "EOF found when expecting closing quote");
    default:
      break;
    }
  free (w.s);
  if (out == NULL)
    out = xmalloc0 (sizeof (char *));
  *words = out;
  *n = count;
  out = NULL;
  return 0;
}

/* Every OLD in S replaced by NEW.  */
static char *
replace_all (const char *s, const char *old, const char *new)
{
  struct text t = { 0 };
  size_t n = strlen (old);
  const char *hit;

  text_adds (&t, "");
  while ((hit = strstr (s, old)) != NULL)
    {
      text_add (&t, s, hit - s);
      text_adds (&t, new);
      s = hit + n;
    }
  text_adds (&t, s);
  return t.s;
}

static bool
ends_with (const char *s, const char *suffix)
{
  size_t a = strlen (s), b = strlen (suffix);

  return a >= b && strcmp (s + a - b, suffix) == 0;
}

/* WORD with the stand-in WHAT (NAME or IMAGE) for VALUE: the word WHAT,
 * $WHAT and ${WHAT} anywhere, and =WHAT anywhere in a word ending so.  */
static char *
put_in (const char *word, const char *what, const char *value)
{
  cleanup_free char *dollar = xasprintf ("$%s", what), *braced = xasprintf ("${%s}", what);
  cleanup_free char *eq = xasprintf ("=%s", what), *eq_value = xasprintf ("=%s", value);
  cleanup_free char *a = NULL, *b = NULL;

  if (strcmp (word, what) == 0)
    return xstrdup (value);
  a = replace_all (word, dollar, value);
  b = replace_all (a, braced, value);
  if (ends_with (b, eq))
    return replace_all (b, eq, eq_value);
  return xstrdup (b);
}

/* The value of $VAR (NAME, LEN bytes) in the label: only these, as
 * Podman expands them; any other is nothing.  */
static const char *
variable (const struct ferry_runlabel *r, const char *name, size_t len)
{
  static const char *const opts[] = { "OPT1", "OPT2", "OPT3" };

  for (size_t i = 0; i < 3; i++)
    if (len == 4 && strncmp (name, opts[i], 4) == 0)
      return r->opt[i] ? r->opt[i] : "";
  if (len == 3 && strncmp (name, "PWD", 3) == 0)
    return r->cwd ? r->cwd : "";
  if (len == 4 && strncmp (name, "HOME", 4) == 0)
    return r->home ? r->home : "";
  return "";
}

static bool
is_special (char c)
{
  return strchr ("*#$@!?-0123456789", c) != NULL;
}

static bool
is_name_char (char c)
{
  return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* S with its variables expanded as Go's os.Expand does: $NAME, ${NAME},
 * a one-character special ($1, $$, ${?}); a $ followed by nothing of
 * those stays, a bad ${ is dropped.  */
static char *
expand (const struct ferry_runlabel *r, const char *s)
{
  struct text t = { 0 };
  size_t i = 0, n = strlen (s);

  text_adds (&t, "");
  while (i < n)
    {
      const char *rest = s + i + 1;
      size_t len = 0, width = 0;
      const char *name = rest;

      if (s[i] != '$' || i + 1 >= n)
        {
          text_add (&t, s + i, 1);
          i++;
          continue;
        }
      if (rest[0] == '{')
        {
          const char *close = strchr (rest, '}');
          if (strlen (rest) > 2 && is_special (rest[1]) && rest[2] == '}')
            name = rest + 1, len = 1, width = 3;
          else if (close == NULL)
            width = 1; /* a bad "${": dropped */
          else if (close == rest + 1)
            width = 2; /* "${}": dropped */
          else
            name = rest + 1, len = close - rest - 1, width = len + 2;
        }
      else if (is_special (rest[0]))
        len = width = 1;
      else
        {
          while (is_name_char (rest[len]))
            len++;
          width = len;
        }
      if (len > 0)
        text_adds (&t, variable (r, name, len));
      else if (width == 0)
        text_add (&t, "$", 1);
      i += 1 + width;
    }
  return t.s;
}

/* A program named by a path: made absolute against CWD and cleaned as
 * Go's filepath.Abs does, and refused when it is not there.  */
static char *
absolute_program (const char *prog, const char *cwd, ferry_error_t *err)
{
  cleanup_free char *joined = prog[0] == '/' ? xstrdup (prog) : xasprintf ("%s/%s", cwd ? cwd : "/", prog);
  cleanup_strv char **parts = NULL;
  size_t n = 0, i;
  char *save = NULL, *elem;
  struct text t = { 0 };

  for (elem = strtok_r (joined, "/", &save); elem; elem = strtok_r (NULL, "/", &save))
    {
      if (strcmp (elem, ".") == 0)
        continue;
      if (strcmp (elem, "..") == 0)
        {
          if (n > 0)
            {
              n--;
              free (parts[n]);
              parts[n] = NULL;
            }
          continue;
        }
      ferry_strv_append (&parts, &n, elem);
    }
  for (i = 0; i < n; i++)
    {
      text_adds (&t, "/");
      text_adds (&t, parts[i]);
    }
  if (n == 0)
    text_adds (&t, "/");
  if (access (t.s, F_OK) < 0 && errno == ENOENT)
    {
      ferry_make_error (err, 0, "faccessat %s: no such file or directory", t.s);
      free (t.s);
      return NULL;
    }
  return t.s;
}

/* The program to run for the label's first word.  */
static char *
program (const char *word, const char *cwd, ferry_error_t *err)
{
  const char *base = strrchr (word, '/');

  base = base ? base + 1 : word;
  if (strcmp (word, "podman") == 0 || strcmp (base, "docker") == 0)
    word = "/proc/self/exe";
  if (strchr (word, '/') || word[0] == '.')
    return absolute_program (word, cwd, err);
  return xstrdup (word);
}

int
ferry_runlabel_command (const struct ferry_runlabel *r, char ***argv, ferry_error_t *err)
{
  cleanup_strv char **words = NULL;
  cleanup_free char *prog = NULL, *expanded = NULL;
  struct text line = { 0 };
  size_t n = 0, i;
  int ret;

  text_adds (&line, r->text);
  for (i = 0; i < r->n_args; i++)
    {
      text_adds (&line, " ");
      text_adds (&line, r->args[i]);
    }
  ret = ferry_runlabel_split (line.s, &words, &n, err);
  free (line.s);
  if (ret < 0)
    return -1;
  if (n == 0)
    return ferry_make_error (err, 0, "the label's command is empty");
  prog = program (words[0], r->cwd, err);
  if (prog == NULL)
    return -1;
  line = (struct text){ 0 };
  text_adds (&line, prog);
  for (i = 1; i < n; i++)
    {
      cleanup_free char *with_name = NULL, *with_image = NULL;

      if (strcmp (words[i], "IMAGE=IMAGE") == 0)
        with_image = xasprintf ("IMAGE=%s", r->image);
      else if (strcmp (words[i], "NAME=NAME") == 0)
        with_image = xasprintf ("NAME=%s", r->name);
      else
        {
          with_name = put_in (words[i], "NAME", r->name);
          with_image = put_in (with_name, "IMAGE", r->image);
        }
      text_adds (&line, " ");
      text_adds (&line, with_image);
    }
  expanded = expand (r, line.s);
  free (line.s);
  if (ferry_runlabel_split (expanded, argv, &n, err) < 0)
    return -1;
  if (n == 0)
    {
      free (*argv);
      *argv = NULL;
      return ferry_make_error (err, 0, "the label's command is empty");
    }
  return 0;
}

char *
ferry_runlabel_default_name (const char *input, const char *image_id, const char *image)
{
  const char *from = strncmp (image_id, input, strlen (input)) == 0 ? image : input;
  const char *slash = strrchr (from, '/');
  const char *last = slash ? slash + 1 : from;

  return xstrndup (last, strcspn (last, ":"));
}
