/* ferry: searching a registry (see search.h).  */
#include "search.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A hostile registry could send "next page" links for ever.  */
#define SEARCH_MAX_PAGES 1000

static char *
percent_encode (const char *s)
{
  static const char hex[] = "0123456789ABCDEF";
  char *out = xmalloc (strlen (s) * 3 + 1), *p = out;

  for (; *s; s++)
    {
      unsigned char c = (unsigned char) *s;

      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr ("-._~", c))
        *p++ = (char) c;
      else
        {
          *p++ = '%';
          *p++ = hex[c >> 4];
          *p++ = hex[c & 15];
        }
    }
  *p = '\0';
  return out;
}

/* The next page a Link header names ("</v2/_catalog?last=a&n=100>;
 * rel="next"", its URL relative or absolute) as a path on the same
 * registry, or NULL when there is none or it leaves the API.  */
static char *
next_page (const char *link)
{
  const char *start, *end, *path;
  cleanup_free char *url = NULL;

  if (link == NULL || (start = strchr (link, '<')) == NULL || (end = strchr (start, '>')) == NULL
      || strstr (end, "rel=\"next\"") == NULL)
    return NULL;
  url = xstrndup (start + 1, end - start - 1);
  path = url;
  if (strncmp (url, "http://", 7) == 0 || strncmp (url, "https://", 8) == 0)
    {
      path = strchr (strstr (url, "://") + 3, '/');
      if (path == NULL)
        return NULL;
    }
  if (strncmp (path, "/v2/", 4) != 0 || strpbrk (path, " \t\r\n") != NULL)
    return NULL;
  return xstrdup (path);
}

/* GETs PATH, which must answer 200 with a JSON object; WHAT names the
 * document in errors.  */
static json_object *
get_json (ferry_registry_t *r, const char *path, const char *scope, const char *what, char **link,
          long *status, ferry_error_t *err)
{
  struct ferry_http_request req
      = { .method = "GET", .url = path, .scope = scope, .accept = "application/json" };
  struct ferry_http_response resp = { 0 };
  json_object *doc = NULL;

  *status = 0;
  if (ferry_registry_do (r, &req, &resp, err) < 0)
    return NULL;
  *status = resp.status;
  if (resp.status != 200)
    {
      cleanup_free char *text = ferry_registry_error_text (&resp);
      cleanup_free char *shown = ferry_registry_printable (text);

      ferry_make_error (err, 0, "%s", shown);
    }
  else
    {
      doc = ferry_json_parse (resp.body, resp.body_len, what, err);
      if (doc && ! json_object_is_type (doc, json_type_object))
        {
          json_object_put (doc);
          doc = NULL;
          ferry_make_error (err, 0, "the registry sent a %s that is not a JSON object", what);
        }
      if (doc && link)
        *link = resp.link ? xstrdup (resp.link) : NULL;
    }
  ferry_http_response_free (&resp);
  return doc;
}

static void
add_result (struct ferry_search_result **results, size_t *n, const struct ferry_search_result *r, bool first)
{
  *results = xrealloc (*results, (*n + 1) * sizeof (**results));
  if (first)
    {
      memmove (*results + 1, *results, *n * sizeof (**results));
      (*results)[0] = *r;
    }
  else
    (*results)[*n] = *r;
  (*n)++;
}

static bool
json_true (json_object *o, const char *key)
{
  json_object *v;

  return json_object_object_get_ex (o, key, &v) && json_object_is_type (v, json_type_boolean)
         && json_object_get_boolean (v);
}

/* The v1 endpoint's answer: 1 when it had one, 0 when the registry has
 * no such endpoint.  */
static int
search_v1 (ferry_registry_t *r, const char *term, size_t limit, struct ferry_search_result **results,
           size_t *n, ferry_error_t *err)
{
  cleanup_free char *q = percent_encode (term);
  cleanup_free char *path = xasprintf ("/v1/search?q=%s&n=%zu", q, limit);
  cleanup_json json_object *doc = NULL;
  json_object *list;
  long status;
  size_t i;

  doc = get_json (r, path, NULL, "search result", NULL, &status, err);
  if (doc == NULL)
    {
      ferry_error_release (err);
      return 0;
    }
  list = ferry_json_get_array (doc, "results");
  if (list == NULL)
    return 0;
  for (i = 0; i < json_object_array_length (list) && *n < limit; i++)
    {
      json_object *e = json_object_array_get_idx (list, i);
      const char *name = ferry_json_get_string (e, "name");
      const char *description = ferry_json_get_string (e, "description");
      struct ferry_search_result res = { 0 };

      if (name == NULL || ferry_json_string_value (json_object_object_get (e, "name")) == NULL)
        continue;
      res.name = ferry_registry_printable (name);
      res.description = ferry_registry_printable (description ? description : "");
      res.stars = ferry_json_get_int (e, "star_count", 0);
      res.official = json_true (e, "is_official");
      res.automated = json_true (e, "is_automated");
      add_result (results, n, &res, false);
    }
  return 1;
}

/* Through the catalog, page by page.  */
static int
search_catalog (ferry_registry_t *r, const char *registry, const char *term, size_t limit,
                struct ferry_search_result **results, size_t *n, ferry_error_t *err)
{
  cleanup_free char *path = xstrdup ("/v2/_catalog");
  int pages = 0;

  while (path && *n < limit)
    {
      cleanup_json json_object *doc = NULL;
      cleanup_free char *link = NULL;
      json_object *repos;
      long status;
      size_t i;

      if (++pages > SEARCH_MAX_PAGES)
        return ferry_make_error (err, 0,
                                 "couldn't search registry \"%s\": its catalog has more than %d pages",
                                 registry, SEARCH_MAX_PAGES);
      doc = get_json (r, path, "registry:catalog:*", "catalog", &link, &status, err);
      if (doc == NULL)
        return ferry_error_wrap (err, "couldn't search registry \"%s\"", registry);
      repos = ferry_json_get_array (doc, "repositories");
      if (repos == NULL)
        return ferry_make_error (err, 0, "couldn't search registry \"%s\": its catalog lists no repositories",
                                 registry);
      for (i = 0; i < json_object_array_length (repos) && *n < limit; i++)
        {
          const char *name = ferry_json_string_value (json_object_array_get_idx (repos, i));
          struct ferry_search_result res = { 0 };

          if (name == NULL)
            return ferry_make_error (
                err, 0, "couldn't search registry \"%s\": its catalog holds a %s among the names", registry,
                ferry_json_type_name (json_object_array_get_idx (repos, i)));
          if (strstr (name, term) == NULL)
            continue;
          res.name = ferry_registry_printable (name);
          res.description = xstrdup ("");
          /* An exact match first, as Podman lists it.  */
          add_result (results, n, &res, strcmp (name, term) == 0);
        }
      free (path);
      path = next_page (link);
    }
  return 0;
}

int
ferry_registry_search (const char *registry, const char *term, size_t limit,
                       const struct ferry_registry_options *o, struct ferry_search_result **results,
                       size_t *n, ferry_error_t *err)
{
  ferry_registry_t *r = NULL;
  int ret = 0;

  *results = NULL;
  *n = 0;
  if (ferry_registry_open (registry, o, &r, err) < 0)
    return ferry_error_wrap (err, "couldn't search registry \"%s\"", registry);
  /* The v1 endpoint is only asked about a term, as Podman does.  */
  if (*term == '\0' || search_v1 (r, term, limit, results, n, err) == 0)
    ret = search_catalog (r, registry, term, limit, results, n, err);
  ferry_registry_close (r);
  if (ret < 0)
    {
      ferry_search_results_free (*results, *n);
      *results = NULL;
      *n = 0;
    }
  return ret;
}

void
ferry_search_results_free (struct ferry_search_result *results, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    {
      free (results[i].name);
      free (results[i].description);
    }
  free (results);
}

static void
strv_free (char **v, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    free (v[i]);
  free (v);
}

int
ferry_registry_list_tags (const char *registry, const char *repository,
                          const struct ferry_registry_options *o, char ***tags, ferry_error_t *err)
{
  cleanup_free char *scope = xasprintf ("repository:%s:pull", repository);
  cleanup_free char *path = xasprintf ("/v2/%s/tags/list", repository);
  ferry_registry_t *r = NULL;
  char **out = xmalloc0 (sizeof (char *));
  size_t n = 0;
  int pages = 0, ret = 0;

  *tags = NULL;
  if (ferry_registry_open_repository (registry, repository, o, &r, err) < 0)
    {
      free (out);
      return ferry_error_wrap (err, "getting repository tags");
    }
  while (path && ret == 0)
    {
      cleanup_json json_object *doc = NULL;
      cleanup_free char *link = NULL;
      json_object *list;
      long status;
      size_t i;

      if (++pages > SEARCH_MAX_PAGES)
        {
          ret = ferry_make_error (err, 0, "getting repository tags: the list has more than %d pages",
                                  SEARCH_MAX_PAGES);
          break;
        }
      doc = get_json (r, path, scope, "tags list", &link, &status, err);
      if (doc == NULL)
        {
          ret = ferry_error_wrap (err, "getting repository tags: fetching tags list");
          break;
        }
      /* A repository without tags may say "tags": null.  */
      list = ferry_json_get_array (doc, "tags");
      for (i = 0; i < ferry_json_array_length (list); i++)
        {
          const char *tag = ferry_json_string_value (json_object_array_get_idx (list, i));

          if (tag == NULL)
            {
              ret = ferry_make_error (err, 0, "getting repository tags: the registry listed a %s as a tag",
                                      ferry_json_type_name (json_object_array_get_idx (list, i)));
              break;
            }
          out = xrealloc (out, (n + 2) * sizeof (char *));
          out[n++] = ferry_registry_printable (tag);
          out[n] = NULL;
        }
      free (path);
      path = next_page (link);
    }
  ferry_registry_close (r);
  if (ret < 0)
    {
      strv_free (out, n);
      return -1;
    }
  *tags = out;
  return 0;
}
