#include "prune.h"
#include "container.h"
#include "network.h"
#include "system.h"
#include "volume.h"
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
  /* Podman's words: the key alone.  */
  return ferry_make_error (
      err, 0, "%.*s is an invalid filter: use label=KEY[=VALUE], label!=KEY[=VALUE] or until=TIME",
      (int) (eq ? (size_t) (eq - filter) : strlen (filter)), filter);
}

/* True when LABELS have KEY (with VALUE unless SPEC has no "=VALUE").  */
static bool
has_label (json_object *labels, const char *spec)
{
  const char *eq = strchr (spec, '=');
  cleanup_free char *key = eq ? xstrndup (spec, eq - spec) : xstrdup (spec);
  json_object *v = NULL;

  if (labels == NULL || ! json_object_object_get_ex (labels, key, &v))
    return false;
  return eq == NULL || strcmp (json_object_get_string (v), eq + 1) == 0;
}

bool
ferry_prune_filters_pass (char **filters, json_object *labels, const char *created)
{
  size_t i;

  for (i = 0; filters && filters[i]; i++)
    {
      const char *f = filters[i];

      if (strncmp (f, "label=", 6) == 0 && ! has_label (labels, f + 6))
        return false;
      if (strncmp (f, "label!=", 7) == 0 && has_label (labels, f + 7))
        return false;
      if (strncmp (f, "until=", 6) == 0)
        {
          struct timespec t;

          if (created == NULL || ferry_time_parse (created, &t) < 0 || t.tv_sec >= parse_until (f + 6))
            return false;
        }
    }
  return true;
}

static bool
passes (const struct ferry_container *c, char **filters)
{
  return ferry_prune_filters_pass (filters, ferry_json_get_object (c->record, "Labels"), c->created);
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

int
ferry_system_prune_filter_check (const char *filter, ferry_error_t *err)
{
  const char *eq = strchr (filter, '=');
  cleanup_free char *key = eq ? xstrndup (filter, eq - filter) : xstrdup (filter);

  if (strcmp (key, "until") == 0)
    {
      if (parse_until (eq + 1) < 0)
        return ferry_make_error (err, 0, "failed to parse value as time or duration: \"%s\"", eq + 1);
      return 0;
    }
  if (eq && (strcmp (key, "label") == 0 || strcmp (key, "label!") == 0))
    return 0;
  return ferry_make_error (err, 0, "%s is an invalid filter", key);
}

/* Keeps the first failure in *ERR, drops the others.  */
static void
keep_first (int *ret, ferry_error_t *err, ferry_error_t *e)
{
  if (*ret == 0)
    {
      *err = *e;
      *e = NULL;
      *ret = -1;
    }
  else
    ferry_error_release (e);
}

static int
prune_containers (ferry_engine_t *e, char **filters, struct ferry_system_prune_report *r, ferry_error_t *err)
{
  struct ferry_container **list = NULL;
  cleanup_strv char **removed = NULL;
  uint64_t *sizes;
  size_t n = 0, i, k;
  int ret;

  if (ferry_container_list (e, &list, &n, err) < 0)
    return -1;
  /* Measured before they go.  */
  sizes = xmalloc0 (sizeof (uint64_t) * (n + 1));
  for (i = 0; i < n; i++)
    {
      ferry_error_t ignored = NULL;
      if (ferry_container_rw_size (e, list[i], &sizes[i], &ignored) < 0)
        ferry_error_release (&ignored);
    }
  ret = ferry_container_prune (e, filters, &removed, err);
  for (k = 0; removed && removed[k]; k++)
    {
      ferry_strv_add (&r->containers, removed[k]);
      for (i = 0; i < n; i++)
        if (strcmp (list[i]->id, removed[k]) == 0)
          r->reclaimed += sizes[i];
    }
  free (sizes);
  ferry_containers_free (list, n);
  return ret;
}

static int
prune_volumes (ferry_engine_t *e, char **filters, struct ferry_system_prune_report *r, ferry_error_t *err)
{
  struct ferry_volume **vols = NULL;
  size_t n = 0, i;
  int ret = 0;

  if (ferry_volume_list (e->db, e->root, &vols, &n, err) < 0)
    return -1;
  for (i = 0; i < n; i++)
    {
      ferry_error_t e2 = NULL;
      uint64_t size = 0;

      if (vols[i]->users[0] || ! ferry_prune_filters_pass (filters, vols[i]->labels, vols[i]->created))
        continue;
      if (ferry_path_usage (vols[i]->mountpoint, vols[i]->name, &size, &e2) < 0)
        ferry_error_release (&e2);
      if (ferry_volume_remove (e->db, e->root, vols[i]->name, 0, &e2) == 0)
        {
          ferry_strv_add (&r->volumes, vols[i]->name);
          r->reclaimed += size;
        }
      /* Taken into use or removed by someone else since the listing.  */
      else if (e2->kind == FERRY_ERROR_IN_USE || e2->kind == FERRY_ERROR_NOT_FOUND)
        ferry_error_release (&e2);
      else
        keep_first (&ret, err, &e2);
    }
  ferry_volumes_free (vols, n);
  return ret;
}

/* One pass over the images; *REMOVED tells whether it took one.  */
static int
prune_images_pass (ferry_engine_t *e, int all, char **filters, struct ferry_system_prune_report *r,
                   int *removed, ferry_error_t *err)
{
  struct ferry_image **imgs = NULL;
  size_t n = 0, i;
  int ret = 0;

  *removed = 0;
  if (ferry_store_list (e->store, &imgs, &n, err) < 0)
    return -1;
  for (i = 0; i < n; i++)
    {
      json_object *labels
          = ferry_json_get_object (ferry_json_get_object (imgs[i]->config, "config"), "Labels");
      struct ferry_remove_report rep = { 0 };
      ferry_error_t e2 = NULL;

      /* Without ALL, the dangling ones only: unnamed, and no image built
       * on them (Podman keeps an intermediate image).  */
      if ((! all && (imgs[i]->names[0] || ferry_store_image_has_child (e->store, imgs[i])))
          || ! ferry_prune_filters_pass (filters, labels, imgs[i]->created))
        continue;
      if (ferry_store_remove (e->store, imgs[i]->id, 1, &rep, &e2) == 0)
        {
          /* Podman counts each removed image's size, as images shows it,
           * whatever layers others still share.  */
          r->reclaimed += ferry_image_reported_size (imgs[i]);
          ferry_strv_add (&r->images, imgs[i]->id);
          ferry_remove_report_free (&rep);
          *removed = 1;
        }
      /* A container uses it: it stays, as Podman leaves it.  */
      else if (e2->kind == FERRY_ERROR_IN_USE || e2->kind == FERRY_ERROR_NOT_FOUND)
        ferry_error_release (&e2);
      else
        keep_first (&ret, err, &e2);
    }
  ferry_images_free (imgs, n);
  return ret;
}

static int
prune_images (ferry_engine_t *e, int all, char **filters, struct ferry_system_prune_report *r,
              ferry_error_t *err)
{
  int removed = 1, ret = 0;

  /* Removing a dangling image can leave the one it was built on
   * dangling: again until a pass removes nothing, as Podman prunes.  */
  while (removed && ret == 0)
    ret = prune_images_pass (e, all, filters, r, &removed, err);
  return ret;
}

static int
prune_networks (ferry_engine_t *e, char **filters, struct ferry_system_prune_report *r, ferry_error_t *err)
{
  cleanup_json json_object *defs = NULL;
  size_t i;
  int ret = 0;

  if (ferry_network_list (e, &defs, err) < 0)
    return -1;
  for (i = 0; i < ferry_json_array_length (defs); i++)
    {
      json_object *def = json_object_array_get_idx (defs, i);
      const char *name = ferry_json_get_string (def, "name");
      cleanup_strv char **users = NULL;
      ferry_error_t e2 = NULL;

      if (name == NULL || strcmp (name, FERRY_DEFAULT_NETWORK) == 0
          || ! ferry_prune_filters_pass (filters, ferry_json_get_object (def, "labels"),
                                         ferry_json_get_string (def, "created")))
        continue;
      users = ferry_network_users (e, name, &e2);
      if (users == NULL)
        {
          keep_first (&ret, err, &e2);
          continue;
        }
      if (users[0])
        continue;
      if (ferry_network_remove (e, name, 0, &e2) == 0)
        ferry_strv_add (&r->networks, name);
      else
        keep_first (&ret, err, &e2);
    }
  return ret;
}

int
ferry_system_prune (ferry_engine_t *e, int all, int volumes, char **filters,
                    struct ferry_system_prune_report *r, ferry_error_t *err)
{
  int ret = 0;
  ferry_error_t e2 = NULL;
  size_t i;

  memset (r, 0, sizeof (*r));
  r->containers = xmalloc0 (sizeof (char *));
  r->volumes = xmalloc0 (sizeof (char *));
  r->images = xmalloc0 (sizeof (char *));
  r->networks = xmalloc0 (sizeof (char *));
  for (i = 0; filters && filters[i]; i++)
    if (ferry_system_prune_filter_check (filters[i], err) < 0)
      return -1;
  /* Containers first: what they used is unused once they are gone.  */
  if (prune_containers (e, filters, r, &e2) < 0)
    keep_first (&ret, err, &e2);
  if (volumes && prune_volumes (e, filters, r, &e2) < 0)
    keep_first (&ret, err, &e2);
  if (prune_images (e, all, filters, r, &e2) < 0)
    keep_first (&ret, err, &e2);
  if (prune_networks (e, filters, r, &e2) < 0)
    keep_first (&ret, err, &e2);
  return ret;
}

void
ferry_system_prune_report_release (struct ferry_system_prune_report *r)
{
  char **lists[] = { r->containers, r->volumes, r->images, r->networks };
  size_t i, k;

  for (i = 0; i < sizeof (lists) / sizeof (lists[0]); i++)
    {
      for (k = 0; lists[i] && lists[i][k]; k++)
        free (lists[i][k]);
      free (lists[i]);
    }
  memset (r, 0, sizeof (*r));
}
