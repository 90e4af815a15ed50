/* ferry: pull --all-tags, every tag a repository lists (see pull.h).  */
#include "pull.h"
#include "reference.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <string.h>

/* The tag list is small text; a registry that sends more is refused.  */
#define MAX_TAG_LIST (4u << 20)

/* A tag as the distribution spec allows it: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
 * The list is the registry's word: each tag goes into a reference.  */
static int
tag_is_valid (const char *t)
{
  static const char word[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
  size_t n = strlen (t);

  return n >= 1 && n <= 128 && strchr (word, t[0]) != NULL
         && strspn (t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == n;
}

/* The tags REF's repository lists on its registry, in the registry's order.  */
static char **
list_tags (const struct ferry_reference *ref, const struct ferry_transfer_options *o, const char *what,
           size_t *n, ferry_error_t *err)
{
  cleanup_free char *url = xasprintf ("/v2/%s/tags/list", ref->repository);
  cleanup_free char *scope = xasprintf ("repository:%s:pull", ref->repository);
  struct ferry_http_request req = { .method = "GET", .url = url, .scope = scope, .max_body = MAX_TAG_LIST };
  struct ferry_http_response resp = { 0 };
  ferry_registry_t *reg = NULL;
  cleanup_json json_object *list = NULL;
  json_object *tags;
  char **out = NULL;
  size_t i;

  *n = 0;
  if (ferry_registry_open_repository (ref->registry, ref->repository, &o->registry, &reg, err) < 0)
    {
      ferry_error_wrap (err, "cannot pull %s", what);
      return NULL;
    }
  if (ferry_registry_do (reg, &req, &resp, err) < 0)
    {
      ferry_error_wrap (err, "cannot list the tags of %s", what);
      goto out;
    }
  if (resp.status != 200 || resp.too_large)
    {
      cleanup_free char *why
          = resp.too_large ? xstrdup ("the list is too large") : ferry_registry_error_text (&resp);

      ferry_make_error_kind (err, resp.status == 404 ? FERRY_ERROR_NOT_FOUND : FERRY_ERROR_GENERIC,
                             "cannot list the tags of %s: %s", what, why);
      goto out;
    }
  list = json_tokener_parse (resp.body);
  tags = ferry_json_get_array (list, "tags");
  if (tags == NULL)
    {
      ferry_make_error (err, 0, "cannot list the tags of %s: registry %s sent no list of tags", what,
                        ref->registry);
      goto out;
    }
  out = xmalloc0 (sizeof (char *) * (json_object_array_length (tags) + 1));
  for (i = 0; i < json_object_array_length (tags); i++)
    {
      json_object *t = json_object_array_get_idx (tags, i);

      if (! json_object_is_type (t, json_type_string) || ! tag_is_valid (json_object_get_string (t)))
        {
          cleanup_free char *shown = ferry_registry_printable (json_object_to_json_string (t));

          ferry_make_error (err, 0, "cannot pull the tags of %s: registry %s lists a tag that is none: %s",
                            what, ref->registry, shown);
          ferry_cleanup_strvp (&out);
          *n = 0;
          goto out;
        }
      out[(*n)++] = xstrdup (json_object_get_string (t));
    }
out:
  ferry_http_response_free (&resp);
  ferry_registry_close (reg);
  return out;
}

struct list_call
{
  const struct ferry_reference *ref;
  const struct ferry_transfer_options *o;
  const char *what;
  size_t *n;
  char ***tags;
};

static int
list_call (void *arg, ferry_error_t *err)
{
  struct list_call *c = arg;

  *c->tags = list_tags (c->ref, c->o, c->what, c->n, err);
  return *c->tags ? 0 : -1;
}

int
ferry_image_pull_all_tags (ferry_store_t *s, const char *ref, const struct ferry_transfer_options *o,
                           char ***ids, ferry_error_t *err)
{
  struct ferry_reference r;
  cleanup_free char *name = NULL;
  cleanup_strv char **tags = NULL;
  size_t n = 0, i;
  int ret;

  *ids = NULL;
  if (strncmp (ref, "docker://", 9) == 0)
    ref += 9;
  if (ferry_reference_parse (ref, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, err) < 0)
    return -1;
  name = ferry_reference_name (&r);
  {
    struct list_call c = { &r, o, name, &n, &tags };

    ret = ferry_retry_run (&o->retry, list_call, &c, err);
  }
  ferry_reference_free (&r);
  if (ret < 0)
    return -1;
  *ids = xmalloc0 (sizeof (char *) * (n + 1));
  for (i = 0; i < n; i++)
    {
      cleanup_free char *one = xasprintf ("%s:%s", name, tags[i]);

      /* Each tag is a pull of its own: those before a failure stay.  */
      if (ferry_image_pull (s, one, o, &(*ids)[i], err) < 0)
        return -1;
    }
  return 0;
}
