/* libFuzzer target: a network's options as `--network NAME:OPTIONS` gives
 * them (ferry_network_attach_parse) and as an archive or the database
 * carries them (ferry_network_attach_options_check).  The first byte
 * picks which; the rest is the text.  Beyond crashes and the sanitizers'
 * findings, it checks that what the parser accepts the archive check
 * accepts too (else a container would not restore from its own archive)
 * and that an interface name it takes is one.
 *
 * Built only with -Dfuzz=true and clang (tests/fuzz/README).  */
#include "network/addr.h"
#include "network/netopts.h"
#include "refusal.h"
#include "util/error.h"

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
parse (const char *text)
{
  json_object *att = json_object_new_object ();
  json_object *options = NULL, *iface = NULL;
  ferry_error_t err = NULL;

  if (ferry_network_attach_parse ("n1", text, att, &err) < 0)
    {
      fuzz_refusal (&err, NULL);
      json_object_put (att);
      return;
    }
  if (json_object_object_get_ex (att, "Options", &options)
      && ferry_network_attach_options_check (options, &err) < 0)
    {
      fprintf (stderr, "parsed, then refused as an archive's: %s\n", err->msg);
      abort ();
    }
  if (json_object_object_get_ex (att, "Interface", &iface)
      && ! ferry_ifname_is_valid (json_object_get_string (iface)))
    abort ();
  json_object_put (att);
}

static void
check (const char *text)
{
  json_object *o = json_tokener_parse (text);
  ferry_error_t err = NULL;

  if (o == NULL)
    return;
  if (ferry_network_attach_options_check (o, &err) < 0)
    ferry_error_release (&err);
  json_object_put (o);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text;

  if (size == 0)
    return 0;
  text = malloc (size);
  if (text == NULL)
    abort ();
  memcpy (text, data + 1, size - 1);
  text[size - 1] = '\0';
  if (data[0] & 1)
    parse (text);
  else
    check (text);
  free (text);
  return 0;
}
