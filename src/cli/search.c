/* ferry CLI: search, a registry's repositories or a repository's tags,
 * printed as Podman prints them.  */
#include "commands.h"
#include "common.h"
#include "template.h"
#include "image/reference.h"
#include "image/search.h"
#include "image/registries.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Podman's default number of results, and its description width.  */
#define SEARCH_DEFAULT_LIMIT 25
#define SEARCH_DESCRIPTION_WIDTH 44

static const char search_usage[]
    = "Usage: ferry search [options] TERM\n\n"
      "Search a registry for images: TERM is REGISTRY/TEXT (every repository of REGISTRY\n"
      "whose name holds TEXT; REGISTRY/ alone lists them all) or TEXT (Docker Hub).\n\n"
      "Options:\n" FERRY_REGISTRY_OPTIONS_HELP
      "      --compatible         also print the STARS, OFFICIAL and AUTOMATED columns\n"
      "  -f, --filter FILTER      stars=N, is-automated[=BOOL], is-official[=BOOL] (repeatable)\n"
      "      --format FORMAT      json, or a Go template per result ({{.Index}} {{.Name}}\n"
      "                           {{.Description}} {{.Stars}} {{.Official}} {{.Automated}}\n"
      "                           {{.Tag}}); \"table TEMPLATE\" adds headings\n"
      "      --limit N            at most N results (default 25)\n"
      "      --list-tags          list the tags of the repository TERM names\n"
      "      --no-trunc           do not truncate the descriptions\n";

enum
{
  OPT_COMPATIBLE = OPT_COMMAND_FIRST,
  OPT_FORMAT,
  OPT_LIMIT,
  OPT_LIST_TAGS,
  OPT_NO_TRUNC,
};

static const struct ferry_cli_column search_columns[] = {
  { "Index", "INDEX" },
  { "Name", "NAME" },
  { "Description", "DESCRIPTION" },
  { "Stars", "STARS" },
  { "Official", "OFFICIAL" },
  { "Automated", "AUTOMATED" },
  { "Tag", "TAG" },
  { NULL, NULL },
};

struct search_filter
{
  int64_t stars;
  int official, automated; /* -1: either */
};

/* One --filter, as Podman takes it.  */
static int
parse_filter (const char *f, struct search_filter *out)
{
  const char *eq = strchr (f, '=');
  size_t klen = eq ? (size_t) (eq - f) : strlen (f);

  if (klen == 5 && strncmp (f, "stars", 5) == 0)
    {
      char *end;
      long long v;

      if (eq == NULL)
        return ferry_cli_failf ("invalid filter [\"%s\"], should be stars=<value>", f);
      errno = 0;
      v = strtoll (eq + 1, &end, 10);
      if (eq[1] == '\0' || *end || errno || v < INT_MIN || v > INT_MAX)
        return ferry_cli_failf (
            "incorrect value type for stars filter: strconv.Atoi: parsing \"%s\": invalid "
            "syntax",
            eq + 1);
      out->stars = v;
      return 0;
    }
  if (klen == 12 && strncmp (f, "is-automated", 12) == 0)
    {
      out->automated = ! (eq && strcmp (eq + 1, "false") == 0);
      return 0;
    }
  if (klen == 11 && strncmp (f, "is-official", 11) == 0)
    {
      out->official = ! (eq && strcmp (eq + 1, "false") == 0);
      return 0;
    }
  return ferry_cli_failf ("invalid filter type \"%s\"", f);
}

static bool
filter_match (const struct search_filter *f, const struct ferry_search_result *r)
{
  return r->stars >= f->stars && (f->official < 0 || f->official == r->official)
         && (f->automated < 0 || f->automated == r->automated);
}

/* How many of N results to show for --limit LIMIT (0: not given).  */
static size_t
shown (size_t n, long long limit)
{
  if (limit < 0)
    return 0;
  if (limit == 0)
    return n < SEARCH_DEFAULT_LIMIT ? n : SEARCH_DEFAULT_LIMIT;
  return n < (unsigned long long) limit ? n : (size_t) limit;
}

static json_object *
result_row (const char *registry, const struct ferry_search_result *r, bool no_trunc)
{
  json_object *o = json_object_new_object ();
  cleanup_free char *name = NULL, *description = NULL;

  /* Docker Hub's one-word names are its official images'.  */
  if (strcmp (registry, "docker.io") == 0 && strchr (r->name, '/') == NULL)
    name = xasprintf ("docker.io/library/%s", r->name);
  else
    name = xasprintf ("%s/%s", registry, r->name);
  if (! no_trunc && strlen (r->description) > SEARCH_DESCRIPTION_WIDTH)
    description = xasprintf ("%.*s...", SEARCH_DESCRIPTION_WIDTH, r->description);
  json_object_object_add (o, "Index", json_object_new_string (registry));
  json_object_object_add (o, "Name", json_object_new_string (name));
  json_object_object_add (o, "Description",
                          json_object_new_string (description ? description : r->description));
  json_object_object_add (o, "Stars", json_object_new_int64 (r->stars));
  json_object_object_add (o, "Official", json_object_new_string (r->official ? "[OK]" : ""));
  json_object_object_add (o, "Automated", json_object_new_string (r->automated ? "[OK]" : ""));
  json_object_object_add (o, "Tag", json_object_new_string (""));
  return o;
}

/* Prints ROWS (a JSON array of template rows) in FORMAT; nothing at all
 * when there are none, as Podman.  */
static int
print_rows (json_object *rows, const char *format, json_object *as_json)
{
  cleanup_list struct ferry_cli_list out = { 0 };
  ferry_error_t err = NULL;
  size_t i;

  if (json_object_array_length (rows) == 0)
    return 0;
  if (ferry_cli_format_is_json (format))
    {
      puts (ferry_json_to_string (as_json, 1));
      return 0;
    }
  ferry_cli_list_init (&out, format, search_columns, 1);
  for (i = 0; i < json_object_array_length (rows); i++)
    if (ferry_cli_list_row (&out, json_object_array_get_idx (rows, i), &err) < 0)
      return ferry_cli_fail (&err);
  if (ferry_cli_list_end (&out, &err) < 0)
    return ferry_cli_fail (&err);
  return 0;
}

static int
list_tags (const char *registry, const char *term, const struct ferry_registry_options *o, long long limit,
           const char *format)
{
  cleanup_free char *ref = xasprintf ("%s/%s", registry, term);
  cleanup_json json_object *rows = json_object_new_array ();
  cleanup_json json_object *as_json = json_object_new_array ();
  json_object *one, *tags_json;
  struct ferry_reference r;
  cleanup_free char *name = NULL;
  ferry_error_t err = NULL;
  char **tags = NULL;
  size_t i, n;
  int ret;

  if (*term == '\0' || ferry_reference_parse (ref, FERRY_REFERENCE_DEFAULT_DOCKER_IO, &r, &err) < 0)
    {
      ferry_error_release (&err);
      return ferry_cli_failf ("reference \"%s\" must be a docker reference", term);
    }
  name = ferry_reference_name (&r);
  if (ferry_registry_list_tags (r.registry, r.repository, o, &tags, &err) < 0)
    {
      ferry_reference_free (&r);
      return ferry_cli_fail (&err);
    }
  for (n = 0; tags[n]; n++)
    ;
  n = shown (n, limit);
  one = json_object_new_object ();
  tags_json = json_object_new_array ();
  json_object_object_add (one, "Name", json_object_new_string (name));
  json_object_object_add (one, "Tags", tags_json);
  for (i = 0; i < n; i++)
    {
      json_object *row = json_object_new_object ();

      json_object_object_add (row, "Index", json_object_new_string (r.registry));
      json_object_object_add (row, "Name", json_object_new_string (name));
      json_object_object_add (row, "Description", json_object_new_string (""));
      json_object_object_add (row, "Stars", json_object_new_int (0));
      json_object_object_add (row, "Official", json_object_new_string (""));
      json_object_object_add (row, "Automated", json_object_new_string (""));
      json_object_object_add (row, "Tag", json_object_new_string (tags[i]));
      json_object_array_add (rows, row);
      json_object_array_add (tags_json, json_object_new_string (tags[i]));
    }
  json_object_array_add (as_json, one);
  ret = print_rows (rows, format ? format : "table {{.Name}}\t{{.Tag}}", as_json);
  for (i = 0; tags[i]; i++)
    free (tags[i]);
  free (tags);
  ferry_reference_free (&r);
  return ret;
}

int
ferry_cmd_search (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        FERRY_REGISTRY_OPTIONS,
                                        { "compatible", no_argument, NULL, OPT_COMPATIBLE },
                                        { "filter", required_argument, NULL, 'f' },
                                        { "format", required_argument, NULL, OPT_FORMAT },
                                        { "limit", required_argument, NULL, OPT_LIMIT },
                                        { "list-tags", no_argument, NULL, OPT_LIST_TAGS },
                                        { "no-trunc", no_argument, NULL, OPT_NO_TRUNC },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  struct ferry_registry_options o;
  struct search_filter filter = { .stars = 0, .official = -1, .automated = -1 };
  struct ferry_search_result *results = NULL;
  cleanup_json json_object *rows = json_object_new_array ();
  cleanup_free char *registry = NULL;
  const char *format = NULL, *term;
  bool compatible = false, tags = false, no_trunc = false;
  long long limit = 0;
  ferry_error_t err = NULL;
  size_t i, n, count;
  int c, r, ret;

  ferry_cli_registry_defaults (&o);
  while ((c = getopt_long (argc, argv, ":f:h", opts, NULL)) != -1)
    {
      r = ferry_cli_registry_option (c, optarg, &o);
      if (r < 0)
        return FERRY_EXIT_ERROR;
      if (r > 0)
        continue;
      switch (c)
        {
        case OPT_COMPATIBLE:
          compatible = true;
          break;
        case 'f':
          if (parse_filter (optarg, &filter) != 0)
            return FERRY_EXIT_ERROR;
          break;
        case OPT_FORMAT:
          format = optarg;
          break;
        case OPT_LIMIT:
          {
            char *end;

            errno = 0;
            limit = strtoll (optarg, &end, 10);
            if (*optarg == '\0' || *end || errno)
              return ferry_cli_failf ("invalid argument \"%s\" for \"--limit\" flag: strconv.ParseInt: "
                                      "parsing \"%s\": invalid syntax",
                                      optarg, optarg);
            break;
          }
        case OPT_LIST_TAGS:
          tags = true;
          break;
        case OPT_NO_TRUNC:
          no_trunc = true;
          break;
        default:
          r = ferry_cli_parse_or_help (c, "search", argv, search_usage);
          if (r != 0)
            return r > 0 ? 0 : FERRY_EXIT_ERROR;
        }
    }
  if (argc - optind != 1)
    return ferry_cli_failf ("accepts 1 arg(s), received %d", argc - optind);
  /* Everything before the first slash is the registry, as in Podman:
   * the rest is text to look for, not a reference.  */
  term = strchr (argv[optind], '/');
  if (term)
    {
      registry = xstrndup (argv[optind], term - argv[optind]);
      term++;
    }
  else
    {
      registry = xstrdup ("docker.io");
      term = argv[optind];
    }
  if (tags)
    return list_tags (registry, term, &o, limit, format);

  if (strchr (argv[optind], '/') == NULL)
    {
      /* A bare term: every unqualified-search registry of registries.conf,
       * in turn, as Podman searches them; none at all, nothing found.  */
      const struct ferry_registries_conf *conf;
      size_t failed = 0, tried = 0;

      if (ferry_registries_conf_get (&conf, &err) < 0)
        return ferry_cli_fail (&err);
      for (size_t k = 0; conf->search && conf->search[k]; k++)
        {
          ferry_error_t one = NULL;

          tried++;
          if (ferry_registry_search (conf->search[k], term, limit > 0 ? (size_t) limit : SEARCH_DEFAULT_LIMIT,
                                     &o, &results, &n, &one)
              < 0)
            {
              if (failed++ == 0)
                err = one;
              else
                ferry_error_release (&one);
              continue;
            }
          count = shown (n, limit);
          for (i = 0; i < count; i++)
            if (filter_match (&filter, &results[i]))
              json_object_array_add (rows, result_row (conf->search[k], &results[i], no_trunc));
          ferry_search_results_free (results, n);
          results = NULL;
          n = 0;
        }
      if (tried && failed == tried)
        return ferry_cli_fail (&err);
      ferry_error_release (&err);
      if (tried == 0)
        return 0;
    }
  else
    {
      if (ferry_registry_search (registry, term, limit > 0 ? (size_t) limit : SEARCH_DEFAULT_LIMIT, &o,
                                 &results, &n, &err)
          < 0)
        return ferry_cli_fail (&err);
      count = shown (n, limit);
      for (i = 0; i < count; i++)
        if (filter_match (&filter, &results[i]))
          json_object_array_add (rows, result_row (registry, &results[i], no_trunc));
    }
  if (format == NULL)
    format = compatible ? "table {{.Name}}\t{{.Description}}\t{{.Stars}}\t{{.Official}}\t{{.Automated}}"
                        : "table {{.Name}}\t{{.Description}}";
  ret = print_rows (rows, format, rows);
  ferry_search_results_free (results, n);
  return ret;
}
