/* ferry CLI: image history and image tree, as Podman prints them.  */
#include "commands.h"
#include "common.h"
#include "template.h"
#include "image/history.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char history_usage[]
    = "Usage: ferry image history [options] IMAGE\n\n"
      "Displays the history of an image: its config's history entries, newest first.\n\n"
      "Options:\n"
      "      --format FORMAT  json, or a Go template per entry ({{.ID}} {{.Created}} {{.CreatedBy}}\n"
      "                       {{.Size}} {{.Comment}} {{.Tags}}); \"table TEMPLATE\" adds headings\n"
      "  -H, --human          display sizes and dates in human readable format (default true;\n"
      "                       --human=false prints the dates as RFC 3339)\n"
      "      --no-trunc       do not truncate the output\n"
      "  -q, --quiet          display the numeric IDs only\n";

/* The store image tree reads layer sizes from.  */
static ferry_store_t *tree_store;

static uint64_t
ferry_cli_layer_size (const char *diff_id)
{
  return ferry_store_layer_size (tree_store, diff_id);
}

#define HISTORY_DEFAULT_FORMAT "table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
#define CREATED_BY_WIDTH 45

static const struct ferry_cli_column history_columns[] = {
  { "ID", "ID" },
  { "Created", "CREATED" },
  { "CreatedAt", "CREATED AT" },
  { "CreatedSince", NULL },
  { "CreatedBy", "CREATED BY" },
  { "Size", "SIZE" },
  { "Comment", "COMMENT" },
  { "Tags", "TAGS" },
  { NULL, NULL },
};

enum
{
  OPT_FORMAT = OPT_COMMAND_FIRST,
  OPT_NO_TRUNC,
  OPT_HUMAN,
};

static const char *
entry_id (const struct ferry_history_entry *e, int no_trunc, char *buf, size_t len)
{
  if (e->id == NULL)
    return "<missing>";
  snprintf (buf, len, no_trunc ? "%s" : "%.12s", e->id);
  return buf;
}

static json_object *
strv_json (char *const *v)
{
  json_object *a = json_object_new_array ();

  for (; v && *v; v++)
    json_object_array_add (a, json_object_new_string (*v));
  return a;
}

static json_object *history_json (const struct ferry_history_entry *e, int with_created);

/* The row a template sees; {{json .}} of it is Podman's layer report,
 * without --format json's Created.  */
static json_object *
history_row (const struct ferry_history_entry *e, int human, int no_trunc)
{
  json_object *o = json_object_new_object ();
  cleanup_free char *ago = ferry_cli_time_ago (e->created);
  cleanup_free char *size = ferry_cli_go_human_size (e->size, 3);
  cleanup_free char *by = NULL;
  char id[80];

  if (! no_trunc && strlen (e->created_by) > CREATED_BY_WIDTH)
    by = xasprintf ("%.*s...", CREATED_BY_WIDTH - 3, e->created_by);
  json_object_object_add (o, "ID", json_object_new_string (entry_id (e, no_trunc, id, sizeof (id))));
  json_object_object_add (o, "Created", json_object_new_string (human ? ago : e->created));
  json_object_object_add (o, "CreatedAt", json_object_new_string (e->created));
  json_object_object_add (o, "CreatedSince", json_object_new_string (human ? ago : e->created));
  json_object_object_add (o, "CreatedBy", json_object_new_string (by ? by : e->created_by));
  json_object_object_add (o, "Size", json_object_new_string (size));
  json_object_object_add (o, "Comment", json_object_new_string (e->comment));
  json_object_object_add (o, "Tags", strv_json (e->tags));
  {
    cleanup_json json_object *as = history_json (e, 0);

    ferry_cli_tpl_json_as (o, as);
  }
  return o;
}

/* Podman's ImageHistoryLayer fields, empty ones left out; --format json
 * adds WITH_CREATED's Created.  */
static json_object *
history_json (const struct ferry_history_entry *e, int with_created)
{
  json_object *o = json_object_new_object ();

  json_object_object_add (o, "id", json_object_new_string (e->id ? e->id : "<missing>"));
  if (*e->created)
    json_object_object_add (o, "created", json_object_new_string (e->created));
  if (*e->created_by)
    json_object_object_add (o, "CreatedBy", json_object_new_string (e->created_by));
  if (e->tags[0])
    json_object_object_add (o, "tags", strv_json (e->tags));
  json_object_object_add (o, "size", json_object_new_int64 ((int64_t) e->size));
  if (*e->comment)
    json_object_object_add (o, "comment", json_object_new_string (e->comment));
  if (with_created)
    json_object_object_add (o, "Created", json_object_new_string (e->created));
  return o;
}

/* Go's encoding/json writes <, > and & as \u003c, \u003e and \u0026.  */
static void
put_go_json (const char *text)
{
  for (; *text; text++)
    if (*text == '<' || *text == '>' || *text == '&')
      printf ("\\u%04x", (unsigned) *text);
    else
      putchar (*text);
  putchar ('\n');
}

static int
print_history (const struct ferry_history_entry *h, size_t n, const char *format, int human, int no_trunc,
               int quiet)
{
  cleanup_list struct ferry_cli_list out = { 0 };
  ferry_error_t err = NULL;
  size_t i;
  char id[80];

  if (quiet)
    {
      for (i = 0; i < n; i++)
        puts (entry_id (&h[i], no_trunc, id, sizeof (id)));
      return 0;
    }
  if (ferry_cli_format_is_json (format))
    {
      cleanup_json json_object *all = json_object_new_array ();

      for (i = 0; i < n; i++)
        json_object_array_add (all, history_json (&h[i], 1));
      put_go_json (ferry_json_to_string (all, 0));
      return 0;
    }
  ferry_cli_template_root_type ("images.historyReporter");
  ferry_cli_list_init (&out, format, history_columns, 1);
  for (i = 0; i < n; i++)
    {
      cleanup_json json_object *row = history_row (&h[i], human, no_trunc);

      if (ferry_cli_list_row (&out, row, &err) < 0)
        return ferry_cli_fail (&err);
    }
  if (ferry_cli_list_end (&out, &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

/* Go's strconv.ParseBool, with Podman's message for anything else.  */
static int
parse_bool (const char *v, int *out)
{
  static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
  static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False", NULL };
  size_t i;

  for (i = 0; v && yes[i]; i++)
    if (strcmp (v, yes[i]) == 0 || strcmp (v, no[i]) == 0)
      {
        *out = strcmp (v, yes[i]) == 0;
        return 0;
      }
  if (v == NULL)
    {
      *out = 1;
      return 0;
    }
  return ferry_cli_failf (
      "invalid argument \"%s\" for \"-H, --human\" flag: strconv.ParseBool: parsing \"%s\": "
      "invalid syntax",
      v, v);
}

int
ferry_cmd_image_history (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "format", required_argument, NULL, OPT_FORMAT },
    { "human", optional_argument, NULL, OPT_HUMAN },
    { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_store ferry_store_t *s = NULL;
  struct ferry_history_entry *h = NULL;
  const char *format = HISTORY_DEFAULT_FORMAT;
  int human = 1, no_trunc = 0, quiet = 0, c, r;
  ferry_error_t err = NULL;
  size_t n = 0;

  while ((c = getopt_long (argc, argv, ":H::qh", opts, NULL)) != -1)
    switch (c)
      {
      case OPT_FORMAT:
        format = optarg;
        break;
      case 'H':
        /* -H=false, as Go's flags take it.  */
        if (parse_bool (optarg ? optarg + (*optarg == '=') : NULL, &human) != 0)
          return FERRY_EXIT_ERROR;
        break;
      case OPT_HUMAN:
        if (parse_bool (optarg, &human) != 0)
          return FERRY_EXIT_ERROR;
        break;
      case OPT_NO_TRUNC:
        no_trunc = 1;
        break;
      case 'q':
        quiet = 1;
        break;
      default:
        r = ferry_cli_parse_or_help (c, "image history", argv, history_usage);
        if (r != 0)
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
      }
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_image_history (s, argv[optind], &h, &n, &err) < 0)
    return ferry_cli_fail (&err);
  r = print_history (h, n, format, human, no_trunc, quiet);
  ferry_history_free (h, n);
  return r;
}

static const char tree_usage[]
    = "Usage: ferry image tree [options] IMAGE\n\n"
      "Print layer hierarchy of an image in a tree format.\n\n"
      "Options:\n"
      "      --whatrequires  show all child images and layers of the specified image\n";

/* A line of the tree and the lines below it.  */
struct tree_node
{
  char *text;
  struct tree_node **kids;
  size_t n_kids;
};

static struct tree_node *
tree_add (struct tree_node *parent, char *text)
{
  struct tree_node *k = xmalloc0 (sizeof (*k));

  k->text = text;
  parent->kids = xrealloc (parent->kids, sizeof (*parent->kids) * (parent->n_kids + 1));
  parent->kids[parent->n_kids++] = k;
  return k;
}

static void
tree_print (const struct tree_node *t, const char *indent)
{
  size_t i;

  for (i = 0; i < t->n_kids; i++)
    {
      int last = i + 1 == t->n_kids;
      cleanup_free char *deeper = xasprintf ("%s%s", indent, last ? "    " : "\u2502   ");

      printf ("%s%s %s\n", indent, last ? "\u2514\u2500\u2500" : "\u251c\u2500\u2500", t->kids[i]->text);
      tree_print (t->kids[i], deeper);
    }
}

static void
tree_free (struct tree_node *t)
{
  size_t i;

  for (i = 0; i < t->n_kids; i++)
    {
      tree_free (t->kids[i]);
      free (t->kids[i]);
    }
  free (t->kids);
  free (t->text);
}

/* Every image of the store with its layers' IDs.  */
struct tree
{
  struct ferry_image **imgs;
  char ***ids;
  size_t n;
};

static char *
names_text (char *const *names)
{
  char *text = xstrdup ("[");
  size_t i;

  for (i = 0; names[i]; i++)
    {
      char *next = xasprintf ("%s%s%s", text, i ? " " : "", names[i]);
      free (text);
      text = next;
    }
  {
    char *next = xasprintf ("%s]", text);
    free (text);
    return next;
  }
}

/* "ID: <12> Size: <7> [Top Layer of: [names]]" of the layer POS of image
 * OWNER.  */
static char *
layer_line (const struct tree *t, size_t owner, size_t pos)
{
  const char *id = t->ids[owner][pos];
  cleanup_free char *size = ferry_cli_go_human_size (ferry_cli_layer_size (t->imgs[owner]->diff_ids[pos]), 4);
  cleanup_strv char **names = xmalloc0 (sizeof (char *));
  cleanup_free char *tags = NULL;
  size_t i, j, n = 0;

  for (i = 0; i < t->n; i++)
    if (t->imgs[i]->n_layers > 0 && strcmp (t->ids[i][t->imgs[i]->n_layers - 1], id) == 0)
      for (j = 0; t->imgs[i]->names[j]; j++)
        {
          names = xrealloc (names, sizeof (char *) * (n + 2));
          names[n++] = xstrdup (t->imgs[i]->names[j]);
          names[n] = NULL;
        }
  if (n)
    {
      cleanup_free char *list = names_text (names);
      tags = xasprintf (" Top Layer of: %s", list);
    }
  return xasprintf ("ID: %.12s Size: %7s%s", id, size, tags ? tags : "");
}

/* Podman's walk of the layers above one: a layer with one child keeps its
 * child beside it, a fork nests the branches under it.  */
static void
tree_children (const struct tree *t, size_t owner, size_t pos, struct tree_node *parent)
{
  struct tree_node *node = tree_add (parent, layer_line (t, owner, pos));
  cleanup_free size_t *kid_owner = xmalloc0 (sizeof (size_t) * (t->n + 1));
  size_t n_kids = 0, i, k;

  for (i = 0; i < t->n; i++)
    {
      int seen = 0;

      if (t->imgs[i]->n_layers <= pos + 1 || strcmp (t->ids[i][pos], t->ids[owner][pos]) != 0)
        continue;
      for (k = 0; k < n_kids && ! seen; k++)
        seen = strcmp (t->ids[kid_owner[k]][pos + 1], t->ids[i][pos + 1]) == 0;
      if (! seen)
        kid_owner[n_kids++] = i;
    }
  if (n_kids <= 1)
    node = parent;
  for (k = 0; k < n_kids; k++)
    tree_children (t, kid_owner[k], pos + 1, node);
}

int
ferry_cmd_image_tree (int argc, char **argv)
{
  static const struct option opts[] = {
    FERRY_GLOBAL_OPTIONS,
    { "whatrequires", no_argument, NULL, 'w' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  cleanup_store ferry_store_t *s = NULL;
  cleanup_free char *tags = NULL, *size = NULL;
  struct ferry_image *img = NULL;
  struct tree_node root = { 0 };
  struct tree t = { 0 };
  ferry_error_t err = NULL;
  int whatrequires = 0, c, r;
  size_t i, self = 0;

  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      if (c == 'w')
        {
          whatrequires = 1;
          continue;
        }
      r = ferry_cli_parse_or_help (c, "image tree", argv, tree_usage);
      if (r != 0)
        return r > 0 ? 0 : FERRY_EXIT_ERROR;
    }
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (ferry_store_lookup (s, argv[optind], &img, &err) < 0 || ferry_store_list (s, &t.imgs, &t.n, &err) < 0)
    {
      ferry_image_free (img);
      return ferry_cli_fail (&err);
    }
  tree_store = s;
  t.ids = xmalloc0 (sizeof (char **) * (t.n + 1));
  for (i = 0; i < t.n; i++)
    {
      t.ids[i] = ferry_image_layer_ids (t.imgs[i]);
      if (strcmp (t.imgs[i]->id, img->id) == 0)
        self = i;
    }
  tags = names_text (img->names);
  size = ferry_cli_go_human_size (ferry_image_reported_size (img), 4);
  printf ("Image ID: %.12s\nTags:     %s\nSize:     %s\nImage Layers\n", img->id, tags, size);
  if (whatrequires && img->n_layers > 0)
    tree_children (&t, self, img->n_layers - 1, &root);
  else if (! whatrequires)
    for (i = 0; i < img->n_layers; i++)
      tree_add (&root, layer_line (&t, self, i));
  tree_print (&root, "");
  putchar ('\n');
  tree_free (&root);
  for (i = 0; i < t.n; i++)
    ferry_cleanup_strvp (&t.ids[i]);
  free (t.ids);
  ferry_images_free (t.imgs, t.n);
  ferry_image_free (img);
  return 0;
}
