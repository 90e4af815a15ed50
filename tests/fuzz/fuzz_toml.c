/* libFuzzer target: the TOML reader (ferry_toml_parse), as it reads
 * registries.conf, containers.conf and ferry.conf that a user or a package
 * may have written.  Beyond crashes and the sanitizers' findings, it checks
 * that every refusal is one line naming the file, that every table and
 * key handed on is text without a NUL, and that a value's array is as
 * long as it says.
 *
 * Built only with -Dfuzz=true and clang (tests/fuzz/README).  */
#include "refusal.h"
#include "util/error.h"
#include "util/toml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int
on_table (void *data, const struct ferry_toml_where *w, const char *name, int array, ferry_error_t *err)
{
  (void) data;
  (void) array;
  (void) err;
  if (w == NULL || w->line < 1 || name == NULL)
    abort ();
  (void) strlen (name);
  return 0;
}

static int
on_value (void *data, const struct ferry_toml_where *w, const char *table, const char *key,
          struct ferry_toml_value *v, ferry_error_t *err)
{
  ferry_error_t want_err = NULL;
  size_t n;

  (void) data;
  (void) err;
  if (w == NULL || w->line < 1 || table == NULL || key == NULL)
    abort ();
  (void) strlen (table);
  (void) strlen (key);
  switch (v->type)
    {
    case FERRY_TOML_STRING:
      if (v->string == NULL)
        abort ();
      (void) strlen (v->string);
      break;
    case FERRY_TOML_ARRAY:
      for (n = 0; v->strings && v->strings[n]; n++)
        (void) strlen (v->strings[n]);
      if (n != v->n_strings)
        abort ();
      /* A caller takes a string: the reader must release what is left.  */
      if (v->n_strings > 0)
        {
          free (v->strings[0]);
          v->strings[0] = v->strings[v->n_strings - 1];
          v->strings[v->n_strings - 1] = NULL;
          v->n_strings--;
        }
      break;
    default:
      break;
    }
  if (ferry_toml_want (w, key, v, FERRY_TOML_STRING, &want_err) < 0)
    fuzz_refusal (&want_err, NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const struct ferry_toml_handler h = { .table = on_table, .value = on_value };
  ferry_error_t err = NULL;
  char *text = malloc (size + 1);

  if (text == NULL)
    abort ();
  memcpy (text, data, size);
  text[size] = '\0';
  if (ferry_toml_parse ("fuzz.conf", text, &h, NULL, &err) < 0)
    {
      /* The file's name leads the message, where a user looks for it.  */
      if (err != NULL && strncmp (err->msg, "fuzz.conf", 9) != 0)
        abort ();
      fuzz_refusal (&err, NULL);
    }
  free (text);
  return 0;
}
