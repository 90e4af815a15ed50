/* Unit tests for src/cli/mount.c: --mount read as Podman 5.4 reads it,
 * its refusals in Podman's words, and runtime/mount_options.c, which
 * checks again what a record (perhaps from an archive) may carry.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "cli/mount.h"
#include "runtime/mount_options.h"
#include "util/cleanup.h"

#include <string.h>

/* SPEC parsed; the options joined by commas in *OPTIONS.  */
static void
parse_ok (const char *spec, struct ferry_mount_spec *m, char *options, size_t size)
{
  ferry_error_t err = NULL;

  if (ferry_cli_parse_mount (spec, m, &err) < 0)
    fail_msg ("%s: %s", spec, err->msg);
  options[0] = '\0';
  for (size_t i = 0; m->options && m->options[i]; i++)
    {
      if (i)
        strncat (options, ",", size - strlen (options) - 1);
      strncat (options, m->options[i], size - strlen (options) - 1);
    }
}

/* SPEC refused with MESSAGE.  */
static void
parse_refused (const char *spec, const char *message)
{
  struct ferry_mount_spec m;
  ferry_error_t err = NULL;

  if (ferry_cli_parse_mount (spec, &m, &err) == 0)
    fail_msg ("%s was taken", spec);
  assert_string_equal (err->msg, message);
  assert_null (m.type);
  assert_null (m.options);
  ferry_error_release (&err);
}

static void
test_bind (void **state)
{
  struct ferry_mount_spec m;
  char opts[256];

  parse_ok ("type=bind,src=/,dst=/m,ro", &m, opts, sizeof (opts));
  assert_string_equal (m.type, "bind");
  assert_string_equal (m.source, "/");
  assert_string_equal (m.destination, "/m");
  assert_true (m.readonly);
  assert_string_equal (opts, "");
  ferry_cli_mount_spec_clear (&m);

  parse_ok ("target=/m,source=/"
            ",type=bind,rw,bind-propagation=rslave,bind-nonrecursive,relabel=private",
            &m, opts, sizeof (opts));
  assert_false (m.readonly);
  assert_string_equal (opts, "rslave,bind");
  assert_string_equal (m.mode, "Z");
  ferry_cli_mount_spec_clear (&m);

  /* As Podman: a value that is not true is false; no source binds dst.  */
  parse_ok ("type=bind,destination=/srv,ro=maybe,bind-nonrecursive=false,z", &m, opts, sizeof (opts));
  assert_false (m.readonly);
  assert_string_equal (m.source, "/srv");
  assert_string_equal (m.mode, "z");
  assert_string_equal (opts, "");
  ferry_cli_mount_spec_clear (&m);
}

static void
test_volume_tmpfs_ramfs_devpts (void **state)
{
  struct ferry_mount_spec m;
  char opts[256];

  parse_ok ("type=volume,dst=/data", &m, opts, sizeof (opts));
  assert_string_equal (m.type, "volume");
  assert_null (m.source);
  ferry_cli_mount_spec_clear (&m);

  parse_ok ("type=volume,src=v1,dst=/data,rw=false", &m, opts, sizeof (opts));
  assert_string_equal (m.source, "v1");
  assert_true (m.readonly);
  assert_false (m.chown);
  ferry_cli_mount_spec_clear (&m);

  parse_ok ("type=volume,src=v1,dst=/data,suid,noexec,dev", &m, opts, sizeof (opts));
  assert_string_equal (opts, "suid,noexec,dev");
  ferry_cli_mount_spec_clear (&m);

  parse_ok ("type=volume,dst=/data,U", &m, opts, sizeof (opts));
  assert_true (m.chown);
  assert_null (m.subpath);
  ferry_cli_mount_spec_clear (&m);
  parse_ok ("type=volume,src=v,dst=/data,subpath=//a/b/", &m, opts, sizeof (opts));
  assert_string_equal (m.subpath, "a/b");
  ferry_cli_mount_spec_clear (&m);
  parse_ok ("type=volume,src=v,dst=/data,volume-subpath=a,subpath=", &m, opts, sizeof (opts));
  assert_null (m.subpath);
  ferry_cli_mount_spec_clear (&m);
  parse_ok ("type=tmpfs,dst=/t,chown=true,U=False", &m, opts, sizeof (opts));
  assert_false (m.chown);
  ferry_cli_mount_spec_clear (&m);

  parse_ok ("type=tmpfs,dst=/t,tmpfs-size=512M,tmpfs-mode=1777,noexec,notmpcopyup,tmpcopyup", &m, opts,
            sizeof (opts));
  assert_string_equal (opts, "size=512M,mode=1777,noexec,notmpcopyup");
  assert_null (m.source);
  ferry_cli_mount_spec_clear (&m);

  parse_ok ("type=ramfs,dst=/r,ro", &m, opts, sizeof (opts));
  assert_string_equal (m.type, "ramfs");
  assert_true (m.readonly);
  ferry_cli_mount_spec_clear (&m);

  parse_ok ("type=glob,src=/usr/lib/lib*.so,ro,bind-propagation=slave", &m, opts, sizeof (opts));
  assert_string_equal (m.type, "glob");
  assert_string_equal (m.source, "/usr/lib/lib*.so");
  assert_null (m.destination);
  assert_string_equal (opts, "slave");
  ferry_cli_mount_spec_clear (&m);

  parse_ok ("type=image,src=ferry-test,dst=/i", &m, opts, sizeof (opts));
  assert_true (m.readonly);
  ferry_cli_mount_spec_clear (&m);
  parse_ok ("type=image,src=ferry-test,dst=/i,rw=true,subpath=/etc/", &m, opts, sizeof (opts));
  assert_false (m.readonly);
  assert_string_equal (m.subpath, "etc");
  ferry_cli_mount_spec_clear (&m);

  parse_ok ("type=devpts,dst=/p,uid=5,gid=5,mode=620,max=10", &m, opts, sizeof (opts));
  assert_string_equal (opts, "uid=5,gid=5,mode=620,max=10");
  ferry_cli_mount_spec_clear (&m);
}

static void
test_refusals (void **state)
{
  parse_refused ("", "incorrect mount format: should be --mount "
                     "type=<bind|glob|tmpfs|volume>,[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]");
  parse_refused ("dst=/m",
                 "incorrect mount format: should be --mount "
                 "type=<bind|glob|tmpfs|volume>,[src=<host-dir|volume-name>,]target=<ctr-dir>[,options]");
  parse_refused ("type=foo,dst=/m", "invalid filesystem type \"foo\"");
  parse_refused ("type=bind,src=/", "must set volume destination");
  parse_refused ("type=bind,src=/,dst=m", "invalid container path \"m\", must be an absolute path");
  parse_refused ("type=bind,src=/,dst=/m,bogus", "bogus: invalid mount option");
  parse_refused ("type=bind,src=/,dst=/m,bogus=1", "bogus: invalid mount option");
  parse_refused ("type=bind,src=/,dst=/m,", ": invalid mount option");
  parse_refused ("type=bind,src=/,dst=/m,bind-propagation=foo", "invalid value \"bind-propagation=foo\"");
  parse_refused ("type=bind,src=/,dst=/m,tmpfs-size=1m",
                 "\"tmpfs-size\" option not supported for \"bind\" mount types");
  parse_refused ("type=tmpfs,dst=/m,src=/x", "\"src\" option not supported for \"tmpfs\" mount types");
  parse_refused ("type=ramfs,dst=/m,tmpfs-size=1m",
                 "\"tmpfs-size\" option not supported for \"ramfs\" mount types");
  parse_refused ("type=volume,src=v,dst=/m,bind-propagation=shared",
                 "\"bind-propagation\" option not supported for \"volume\" mount types");
  parse_refused ("type=devpts,dst=/m,src=x", "src: invalid mount option");
  parse_refused ("type=tmpfs,dst=/m,size=1m", "size: invalid mount option");
  parse_refused ("type=tmpfs,dst=/m,tmpfs-size=1m,tmpfs-size=2m",
                 "only one tmpfs size can be specified: duplicate mount option passed");
  parse_refused ("type=tmpfs,target=/m,dst=/n",
                 "cannot pass \"dst\" option more than once: must provide an argument for option");
  parse_refused ("type=bind,src=/,dst=/m,exec,noexec", "cannot pass 'noexec' and 'exec' mnt.Options more "
                                                       "than once: must provide an argument for option");
  parse_refused ("type=volume,src=v,dst=/m,suid,suid", "cannot pass 'nosuid' and 'suid' mnt.Options more "
                                                       "than once: must provide an argument for option");
  parse_refused ("type=tmpfs,dst=/m,nodev,dev", "cannot pass 'nodev' and 'dev' mnt.Options more "
                                                "than once: must provide an argument for option");
  parse_refused ("type=image,src=img,dst=/m,noexec", "noexec: invalid mount option");
  parse_refused ("type=bind,src=/,dst=/m,ro,rw", "cannot pass 'readonly', 'ro', or 'rw' mnt.Options more "
                                                 "than once: must provide an argument for option");
  parse_refused ("type=bind,src=,dst=/m",
                 "host directory cannot be empty: must provide an argument for option");
  parse_refused ("type=bind,src=/,dst=/m,relabel=foo",
                 "relabel mount option must be 'private' or 'shared': invalid mount option");
  parse_refused ("type=tmpfs,dst=/m,tmpfs-size=abc",
                 "invalid value \"size=abc\" in --mount: use tmpfs-size=BYTES[k|m|g]");
  parse_refused ("type=tmpfs,dst=/m,tmpfs-mode=999",
                 "invalid value \"mode=999\" in --mount: use an octal mode such as 700");
  parse_refused ("type=devpts,dst=/m,uid=x", "invalid value \"uid=x\" in --mount: use a number");
  parse_refused ("type=bind,src=/,dst=/m,idmap", "idmap: mount option not supported by ferry: leave it out");
  parse_refused ("type=bind,src=/,dst=/m,U=maybe",
                 "'U' or 'chown' must be set to true or false, instead received "
                 "\"maybe\": must provide an argument for option");
  parse_refused ("type=bind,src=/,dst=/m,subpath=a", "cannot set option \"subpath\" on non-volume mounts");
  parse_refused ("type=tmpfs,dst=/m,volume-subpath=a",
                 "\"volume-subpath\" option not supported for \"tmpfs\" mount types");
  parse_refused ("type=ramfs,dst=/m,U", "\"U\" option not supported for \"ramfs\" mount types");
  parse_refused ("type=image,dst=/m", "must set source and destination for image volume");
  parse_refused ("type=image,src=img,dst=/m,ro", "ro: invalid mount option");
  parse_refused ("type=image,src=img,dst=/m,subpath=etc", "volume subpath \"etc\" must be an absolute path");
}

static void
test_record_options (void **state)
{
  assert_true (ferry_mount_option_is_valid ("bind", "rshared"));
  assert_true (ferry_mount_option_is_valid ("bind", "bind"));
  assert_false (ferry_mount_option_is_valid ("bind", "rbind,exec"));
  /* A named volume takes a propagation, the flags and bind, as in Podman.  */
  assert_true (ferry_mount_option_is_valid ("volume", "shared"));
  assert_true (ferry_mount_option_is_valid ("volume", "suid"));
  assert_true (ferry_mount_option_is_valid ("bind", "noexec"));
  assert_true (ferry_mount_option_is_valid ("volume", "bind"));
  assert_false (ferry_mount_option_is_valid ("volume", "noswap"));
  assert_false (ferry_mount_option_is_valid ("bind", "nosuid,suid"));
  assert_string_equal (ferry_mount_flag_opposite ("nodev"), "dev");
  assert_null (ferry_mount_flag_opposite ("ro"));
  assert_true (ferry_mount_option_is_valid ("tmpfs", "size=10%"));
  assert_true (ferry_mount_option_is_valid ("tmpfs", "mode=0700"));
  assert_false (ferry_mount_option_is_valid ("tmpfs", "mode=07000"));
  assert_false (ferry_mount_option_is_valid ("tmpfs", "size=1m,uid=0"));
  assert_false (ferry_mount_option_is_valid ("tmpfs", "size="));
  assert_false (ferry_mount_option_is_valid ("tmpfs", "mode=8"));
  assert_false (ferry_mount_option_is_valid ("tmpfs", "uid=0"));
  assert_true (ferry_mount_option_is_valid ("devpts", "max=10"));
  assert_false (ferry_mount_option_is_valid ("devpts", "newinstance"));
  assert_false (ferry_mount_option_is_valid ("ramfs", "size=1m"));
  assert_true (ferry_mount_option_is_valid ("ramfs", "noexec"));
  assert_false (ferry_mount_option_is_valid (NULL, "bind"));
  assert_true (ferry_mount_type_is_known ("devpts"));
  assert_false (ferry_mount_type_is_known ("overlay"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_bind),
    cmocka_unit_test (test_volume_tmpfs_ramfs_devpts),
    cmocka_unit_test (test_refusals),
    cmocka_unit_test (test_record_options),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
