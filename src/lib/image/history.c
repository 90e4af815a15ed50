#include "history.h"
#include "../util/cleanup.h"
#include "../util/json.h"
#include "../util/xalloc.h"

#include <string.h>

/* True when IMG's layers are exactly the bottom N of BASE's.  */
static int
top_layer_is (const struct ferry_image *img, const struct ferry_image *base, size_t n)
{
  size_t i;

  if (img->n_layers != n || n == 0)
    return 0;
  for (i = 0; i < n; i++)
    if (strcmp (img->diff_ids[i], base->diff_ids[i]) != 0)
      return 0;
  return 1;
}

static int
used (char *const *ids, size_t n, const char *id)
{
  size_t i;

  for (i = 0; i < n; i++)
    if (strcmp (ids[i], id) == 0)
      return 1;
  return 0;
}

static char *
string_of (json_object *entry, const char *key)
{
  const char *v = ferry_json_get_string (entry, key);

  return xstrdup (v ? v : "");
}

/* The names of every image whose top layer is layer N-1 of IMG, and, in
 * *ID when it is still NULL, the first of those images, not IMG, that no
 * newer entry took.  */
static char **
images_at (struct ferry_image **all, size_t n_all, const struct ferry_image *img, size_t n, char **ids,
           size_t *n_ids, char **id)
{
  char **tags = xmalloc0 (sizeof (char *));
  size_t n_tags = 0, i, j;

  for (i = 0; i < n_all; i++)
    {
      if (! top_layer_is (all[i], img, n))
        continue;
      for (j = 0; all[i]->names[j]; j++)
        {
          tags = xrealloc (tags, sizeof (char *) * (n_tags + 2));
          tags[n_tags++] = xstrdup (all[i]->names[j]);
          tags[n_tags] = NULL;
        }
      if (*id == NULL && strcmp (all[i]->id, img->id) != 0 && ! used (ids, *n_ids, all[i]->id))
        {
          *id = xstrdup (all[i]->id);
          ids[(*n_ids)++] = all[i]->id;
        }
    }
  return tags;
}

int
ferry_image_history (ferry_store_t *s, const char *ref, struct ferry_history_entry **out, size_t *n,
                     ferry_error_t *err)
{
  struct ferry_image *img = NULL, **all = NULL;
  cleanup_free char **ids = NULL;
  json_object *history;
  size_t n_all = 0, n_ids = 0, count, layer, x;

  *out = NULL;
  *n = 0;
  if (ferry_store_lookup (s, ref, &img, err) < 0)
    return -1;
  if (ferry_store_list (s, &all, &n_all, err) < 0)
    {
      ferry_image_free (img);
      return -1;
    }
  history = ferry_json_get_array (img->config, "history");
  count = history ? json_object_array_length (history) : 0;
  ids = xmalloc0 (sizeof (char *) * (count + 1));
  *out = xmalloc0 (sizeof (**out) * (count + 1));
  layer = img->n_layers; /* the entries below it made layers 0 .. layer-1 */
  for (x = count; x-- > 0;)
    {
      json_object *h = json_object_array_get_idx (history, x);
      json_object *empty = NULL;
      struct ferry_history_entry *e = &(*out)[(*n)++];
      int makes_layer
          = ! (json_object_object_get_ex (h, "empty_layer", &empty) && json_object_get_boolean (empty));

      e->id = x + 1 == count ? xstrdup (img->id) : NULL;
      e->created = string_of (h, "created");
      e->created_by = string_of (h, "created_by");
      e->comment = string_of (h, "comment");
      if (layer == 0)
        {
          e->tags = xmalloc0 (sizeof (char *));
          continue;
        }
      if (makes_layer)
        e->size = ferry_store_layer_size (s, img->diff_ids[layer - 1]);
      e->tags = images_at (all, n_all, img, layer, ids, &n_ids, &e->id);
      if (makes_layer)
        layer--;
    }
  ferry_images_free (all, n_all);
  ferry_image_free (img);
  return 0;
}

char **
ferry_image_layer_ids (const struct ferry_image *img)
{
  char **ids = xmalloc0 (sizeof (char *) * (img->n_layers + 1));
  size_t i;

  for (i = 0; i < img->n_layers; i++)
    {
      cleanup_free char *chain = NULL;
      char digest[FERRY_DIGEST_LEN + 1];

      if (i == 0)
        {
          ids[i] = xstrdup (ferry_digest_hex (img->diff_ids[i]));
          continue;
        }
      chain = xasprintf ("%s+%s", ids[i - 1], ferry_digest_hex (img->diff_ids[i]));
      ferry_sha256_buffer (chain, strlen (chain), digest);
      ids[i] = xstrdup (ferry_digest_hex (digest));
    }
  return ids;
}

void
ferry_history_free (struct ferry_history_entry *h, size_t n)
{
  size_t i;

  for (i = 0; i < n; i++)
    {
      free (h[i].id);
      free (h[i].created);
      free (h[i].created_by);
      free (h[i].comment);
      ferry_cleanup_strvp (&h[i].tags);
    }
  free (h);
}
