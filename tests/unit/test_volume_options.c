/* Unit tests for src/lib/engine/volume_options.c: the -o options of
 * volume create.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/volume_options.h"
#include "util/cleanup.h"

#include <string.h>

/* Parses ARGS; returns the options as JSON text (static) or the error's
 * message, with *OK telling which.  */
static const char *
parse (char *const *args, struct ferry_volume_options *o, int *ok)
{
  static char buf[512];
  ferry_error_t err = NULL;

  memset (o, 0, sizeof (*o));
  *ok = ferry_volume_options_parse (args, o, &err) == 0;
  if (*ok)
    snprintf (buf, sizeof (buf), "%s", json_object_to_json_string_ext (o->options, JSON_C_TO_STRING_PLAIN));
  else
    {
      snprintf (buf, sizeof (buf), "%s", err->msg);
      ferry_error_release (&err);
    }
  ferry_volume_options_release (o);
  return buf;
}

static void
test_owner (void **state)
{
  char *args[] = { "o=uid=1000,gid=1000", NULL };
  struct ferry_volume_options o;
  ferry_error_t err = NULL;
  int ok;

  (void) state;
  assert_string_equal (parse (args, &o, &ok),
                       "{\"GID\":\"1000\",\"UID\":\"1000\",\"o\":\"uid=1000,gid=1000\"}");
  assert_true (ok);
  assert_int_equal (ferry_volume_options_parse (args, &o, &err), 0);
  assert_int_equal (o.uid, 1000);
  assert_int_equal (o.gid, 1000);
  assert_int_equal (ferry_volume_options_id (o.options, "UID"), 1000);
  assert_int_equal (ferry_volume_options_nocopy (o.options), 0);
  ferry_volume_options_release (&o);
}

static void
test_last_o_wins (void **state)
{
  char *args[] = { "o=uid=5", "o=gid=6", NULL };
  char *minus[] = { "o=uid=-1", NULL };
  struct ferry_volume_options o;
  ferry_error_t err = NULL;
  int ok;

  (void) state;
  assert_string_equal (parse (args, &o, &ok), "{\"GID\":\"6\",\"o\":\"gid=6\"}");
  assert_int_equal (ferry_volume_options_parse (minus, &o, &err), 0);
  assert_int_equal (o.uid, -1);
  assert_int_equal (o.gid, FERRY_VOLUME_ID_UNSET);
  ferry_volume_options_release (&o);
}

static void
test_copy_flags (void **state)
{
  char *args[] = { "nocopy", "copy=x", "o=", NULL };
  struct ferry_volume_options o;
  ferry_error_t err = NULL;
  int ok;

  (void) state;
  assert_string_equal (parse (args, &o, &ok), "{\"copy\":\"x\",\"nocopy\":\"\",\"o\":\"\"}");
  assert_int_equal (ferry_volume_options_parse (args, &o, &err), 0);
  assert_int_equal (ferry_volume_options_nocopy (o.options), 1);
  assert_int_equal (ferry_volume_options_id (o.options, "UID"), FERRY_VOLUME_ID_UNSET);
  ferry_volume_options_release (&o);
}

static void
test_refused (void **state)
{
  char *bad_id[] = { "o=uid=abc", NULL };
  char *big_id[] = { "o=gid=99999999999", NULL };
  char *empty_id[] = { "o=gid=", NULL };
  char *mount_o[] = { "o=uid=1,size=1m", NULL };
  char *mount_word[] = { "o=ro", NULL };
  char *device_only[] = { "device=/dev/sda1", NULL };
  char *helper[] = { "type=tmpfs", "o=size=1m,helper=x", NULL };
  char *xmount[] = { "type=tmpfs", "o=X-mount.mkdir", NULL };
  char *comma_type[] = { "type=tmpfs,ro", NULL };
  char *dash_device[] = { "type=ext4", "device=-oloop", NULL };
  char *dotdot[] = { "type=ext4", "device=/dev/../etc/x", NULL };
  char *quota_off[] = { "o=size=1m,noquota", NULL };
  char *noquota[] = { "noquota", NULL };
  char *unknown[] = { "foo=bar", NULL };
  char *no_key[] = { "=x", NULL };
  struct ferry_volume_options o;
  int ok;

  (void) state;
  assert_string_equal (parse (bad_id, &o, &ok), "cannot convert UID abc to integer: give a number");
  assert_false (ok);
  assert_non_null (strstr (parse (big_id, &o, &ok), "cannot convert GID 99999999999"));
  assert_non_null (strstr (parse (empty_id, &o, &ok), "cannot convert GID  to integer"));
  assert_non_null (strstr (parse (mount_o, &o, &ok), "volume options size and inodes not supported"));
  assert_non_null (strstr (parse (mount_word, &o, &ok), "volume option o=ro mounts a file system"));
  assert_non_null (strstr (parse (device_only, &o, &ok), "volume option device=/dev/sda1 needs type="));
  assert_non_null (strstr (parse (helper, &o, &ok), "mount option `helper=x` is refused"));
  assert_non_null (strstr (parse (xmount, &o, &ok), "mount option `X-mount.mkdir` is refused"));
  assert_non_null (strstr (parse (comma_type, &o, &ok), "volume option type=tmpfs,ro is invalid"));
  assert_non_null (strstr (parse (dash_device, &o, &ok), "volume option device=-oloop is invalid"));
  assert_non_null (strstr (parse (dotdot, &o, &ok), "is invalid"));
  assert_non_null (strstr (parse (quota_off, &o, &ok), "cannot be used without quota"));
  assert_non_null (strstr (parse (noquota, &o, &ok), "volume option noquota is not supported"));
  assert_string_equal (parse (unknown, &o, &ok),
                       "invalid mount option foo for driver 'local': invalid argument");
  assert_string_equal (parse (no_key, &o, &ok), "unable to process options: invalid label format: \"=x\"");
  assert_false (ok);
}

static void
test_mount_options (void **state)
{
  char *tmpfs[] = { "type=tmpfs", "device=tmpfs", "o=size=10m,mode=0700,uid=1000", NULL };
  char *bind[] = { "o=bind", "device=/srv/www", NULL };
  char *plain[] = { "o=uid=5", "nocopy", NULL };
  struct ferry_volume_options o;
  ferry_error_t err = NULL;

  (void) state;
  assert_int_equal (ferry_volume_options_parse (tmpfs, &o, &err), 0);
  assert_string_equal (json_object_to_json_string_ext (o.options, JSON_C_TO_STRING_PLAIN),
                       "{\"SIZE\":\"10m\",\"UID\":\"1000\",\"device\":\"tmpfs\",\"o\":\"size=10m,mode=0700,"
                       "uid=1000\",\"type\":\"tmpfs\"}");
  assert_true (ferry_volume_options_mounted (o.options));
  assert_true (ferry_volume_options_in_memory (o.options));
  assert_false (ferry_volume_options_bind (o.options));
  ferry_volume_options_release (&o);
  assert_int_equal (ferry_volume_options_parse (bind, &o, &err), 0);
  assert_true (ferry_volume_options_mounted (o.options));
  assert_true (ferry_volume_options_bind (o.options));
  assert_false (ferry_volume_options_in_memory (o.options));
  ferry_volume_options_release (&o);
  assert_int_equal (ferry_volume_options_parse (plain, &o, &err), 0);
  assert_false (ferry_volume_options_mounted (o.options));
  ferry_volume_options_release (&o);
}

static void
test_stored_garbage (void **state)
{
  json_object *o = json_tokener_parse ("{\"UID\":\"x\",\"GID\":7}");

  (void) state;
  assert_int_equal (ferry_volume_options_id (o, "UID"), FERRY_VOLUME_ID_UNSET);
  assert_int_equal (ferry_volume_options_id (o, "GID"), FERRY_VOLUME_ID_UNSET);
  assert_int_equal (ferry_volume_options_id (NULL, "GID"), FERRY_VOLUME_ID_UNSET);
  assert_int_equal (ferry_volume_options_nocopy (NULL), 0);
  json_object_put (o);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_owner),         cmocka_unit_test (test_last_o_wins),
    cmocka_unit_test (test_copy_flags),    cmocka_unit_test (test_refused),
    cmocka_unit_test (test_mount_options), cmocka_unit_test (test_stored_garbage),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
