#include "prune.h"
#include "container.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/timeutil.h"
#include "../util/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A Go-style duration ("90s", "10m", "2h30m", "1.5h") in seconds; -1 when
 * S is not one.  */
static double
parse_duration (const char *s)
{
  double total = 0;

  if (*s == '\0')
    return -1;
  while (*s)
    {
      char *end;
      double v = strtod (s, &end);

      if (end == s || v < 0)
        return -1;
      if (*end == 'h')
        total += v * 3600;
      else if (*end == 'm' && end[1] != 's')
        total += v * 60;
      else if (*end == 's')
        total += v;
      else
        return -1;
      s = end + 1;
    }
  return total;
}

/* The time "until=" names, in seconds since the epoch; -1 when unknown.  */
static double
parse_until (const char *v)
{
  struct timespec ts;
  char *end;
  double d;

  errno = 0;
  d = strtod (v, &end);
  if (end != v && *end == '\0' && errno == 0)
    return d;
  if (ferry_time_parse (v, &ts) == 0)
    return ts.tv_sec + ts.tv_nsec / 1e9;
  d = parse_duration (v);
  return d < 0 ? -1 : (double) time (NULL) - d;
}

int
ferry_prune_filter_check (const char *filter, ferry_error_t *err)
{
  const char *eq = strchr (filter, '=');

  if (eq && strncmp (filter, "until=", 6) == 0)
    {
      if (parse_until (eq + 1) < 0)
        return ferry_make_error (
            err, 0, "invalid filter \"%s\": until takes a time or a duration such as 10m", filter);
      return 0;
    }
  if (eq && (strncmp (filter, "label=", 6) == 0 || strncmp (filter, "label!=", 7) == 0) && eq[1] != '\0')
    return 0;
  return ferry_make_error (
      err, 0, "invalid filter \"%s\": use label=KEY[=VALUE], label!=KEY[=VALUE] or until=TIME", filter);
}

/* True when C's labels have KEY (with VALUE unless VALUE is NULL).  */
static bool
has_label (const struct ferry_container *c, const char *spec)
{
  json_object *labels = ferry_json_get_object (c->record, "Labels");
  const char *eq = strchr (spec, '=');
  cleanup_free char *key = eq ? xstrndup (spec, eq - spec) : xstrdup (spec);
  json_object *v = NULL;

  if (labels == NULL || ! json_object_object_get_ex (labels, key, &v))
    return false;
  return eq == NULL || strcmp (json_object_get_string (v), eq + 1) == 0;
}

static bool
passes (const struct ferry_container *c, char **filters)
{
  size_t i;

  for (i = 0; filters && filters[i]; i++)
    {
      const char *f = filters[i];

      if (strncmp (f, "label=", 6) == 0 && ! has_label (c, f + 6))
        return false;
      if (strncmp (f, "label!=", 7) == 0 && has_label (c, f + 7))
        return false;
      if (strncmp (f, "until=", 6) == 0)
        {
          struct timespec created;

          if (ferry_time_parse (c->created, &created) < 0 || created.tv_sec >= parse_until (f + 6))
            return false;
        }
    }
  return true;
}

int
ferry_container_prune (ferry_engine_t *e, char **filters, char ***removed, ferry_error_t *err)
{
  struct ferry_container **list = NULL;
  size_t n = 0, i, k = 0;
  int ret = 0;

  for (i = 0; filters && filters[i]; i++)
    if (ferry_prune_filter_check (filters[i], err) < 0)
      return -1;
  *removed = xmalloc0 (sizeof (char *));
  if (ferry_container_list (e, &list, &n, err) < 0)
    return -1;
  for (i = 0; i < n; i++)
    {
      struct ferry_container *c = list[i];
      ferry_error_t rm_err = NULL;

      if ((c->status != FERRY_CONTAINER_CREATED && c->status != FERRY_CONTAINER_EXITED) || c->operation
          || ! passes (c, filters))
        continue;
      if (ferry_container_remove (e, c->id, 0, 0, &rm_err) < 0)
        {
          /* Gone meanwhile (its own --rm) is what prune wanted.  */
          if (rm_err->kind == FERRY_ERROR_NOT_FOUND)
            ferry_error_release (&rm_err);
          else if (ret == 0)
            {
              *err = rm_err;
              ret = -1;
            }
          else
            ferry_error_release (&rm_err);
          continue;
        }
      *removed = xrealloc (*removed, sizeof (char *) * (k + 2));
      (*removed)[k++] = xstrdup (c->id);
      (*removed)[k] = NULL;
    }
  ferry_containers_free (list, n);
  return ret;
}
