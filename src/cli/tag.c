/* ferry CLI: tag and untag, the names of images in local storage.  */
#include "commands.h"
#include "common.h"
#include "../lib/image/reference.h"
#include "../lib/image/store.h"
#include "../lib/util/cleanup.h"
#include "../lib/util/xalloc.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

/* NAME normalised as Podman names a local image (localhost/ by default,
 * :latest), or NULL with *ERR.  */
static char *
normalised (const char *name, ferry_error_t *err)
{
  struct ferry_reference r;
  char *s;

  if (ferry_reference_parse (name, FERRY_REFERENCE_DEFAULT_LOCALHOST, &r, err) < 0)
    {
      ferry_error_wrap (err, "normalizing name \"%s\"", name);
      return NULL;
    }
  if (r.digest)
    {
      ferry_reference_free (&r);
      ferry_make_error (err, 0, "normalizing name \"%s\": a name with a digest cannot be given to an image",
                        name);
      return NULL;
    }
  s = ferry_reference_string (&r);
  ferry_reference_free (&r);
  return s;
}

/* Logs event STATUS of the image REF (found again for its ID) for NAME.  */
static void
image_event (ferry_store_t *s, const char *ref, const char *status, const char *name)
{
  struct ferry_image *img = NULL;
  ferry_error_t err = NULL;

  if (ferry_store_lookup (s, ref, &img, &err) == 0)
    ferry_cli_event ("image", status, img->id, name);
  ferry_error_release (&err);
  ferry_image_free (img);
}

/* Parses the options of VERB (only --help), or returns its exit code
 * through *DONE.  */
static int
parse_help (int argc, char **argv, const char *verb, const char *usage, int *done)
{
  static const struct option opts[]
      = { FERRY_GLOBAL_OPTIONS, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
  int c, r;

  *done = 0;
  while ((c = getopt_long (argc, argv, ":h", opts, NULL)) != -1)
    {
      r = ferry_cli_parse_or_help (c, verb, argv, usage);
      if (r != 0)
        {
          *done = 1;
          return r > 0 ? 0 : FERRY_EXIT_ERROR;
        }
    }
  return 0;
}

static const char tag_usage[] = "Usage: ferry tag IMAGE TARGET [TARGET...]\n\n"
                                "Give an image in local storage more names.  A name another image had\n"
                                "moves to this one; a name without a registry is localhost/NAME.\n";

int
ferry_cmd_tag (int argc, char **argv)
{
  cleanup_store ferry_store_t *s = NULL;
  int done, ret = parse_help (argc, argv, "tag", tag_usage, &done);

  if (done)
    return ret;
  if (argc - optind < 2)
    return ferry_cli_failf ("requires at least 2 arg(s), only received %d", argc - optind);
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  for (int i = optind + 1; i < argc; i++)
    {
      ferry_error_t err = NULL;
      cleanup_free char *name = normalised (argv[i], &err);

      if (name == NULL || ferry_store_tag (s, argv[optind], name, &err) < 0)
        return ferry_cli_fail (&err);
      image_event (s, argv[optind], "tag", argv[i]);
    }
  return 0;
}

static const char untag_usage[] = "Usage: ferry untag IMAGE [NAME...]\n\n"
                                  "Remove names from an image in local storage, every name when none is\n"
                                  "given.  The image itself stays.\n";

int
ferry_cmd_untag (int argc, char **argv)
{
  cleanup_store ferry_store_t *s = NULL;
  ferry_error_t err = NULL;
  int done, ret = parse_help (argc, argv, "untag", untag_usage, &done);

  if (done)
    return ret;
  if (argc - optind < 1)
    return ferry_cli_failf ("requires at least 1 arg(s), only received 0");
  s = ferry_cli_open_store ();
  if (s == NULL)
    return FERRY_EXIT_ERROR;
  if (argc - optind == 1)
    {
      struct ferry_image *img = NULL;

      if (ferry_store_lookup (s, argv[optind], &img, &err) < 0
          || ferry_store_untag (s, img->id, NULL, &err) < 0)
        {
          ferry_image_free (img);
          return ferry_cli_fail (&err);
        }
      for (size_t i = 0; img->names[i]; i++)
        ferry_cli_event ("image", "untag", img->id, img->names[i]);
      ferry_image_free (img);
      return 0;
    }
  for (int i = optind + 1; i < argc; i++)
    {
      cleanup_free char *name = normalised (argv[i], &err);

      if (name == NULL || ferry_store_untag (s, argv[optind], name, &err) < 0)
        return ferry_cli_fail (&err);
      image_event (s, argv[optind], "untag", name);
    }
  return 0;
}
