/* Unit tests for src/lib/engine/config.c: ferry.conf, read strictly.  */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "engine/config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *
write_conf (const char *text)
{
  char *path = strdup ("/tmp/ferry-test-config.XXXXXX");
  int fd = mkstemp (path);
  FILE *f;

  assert_true (fd >= 0);
  f = fdopen (fd, "w");
  fputs (text, f);
  fclose (f);
  return path;
}

static int
load_text (const char *text, struct ferry_config *c)
{
  char *path = write_conf (text);
  ferry_error_t err = NULL;
  int r = ferry_config_load (path, c, &err);

  if (r < 0)
    ferry_error_release (&err);
  unlink (path);
  free (path);
  return r;
}

static void
test_good (void **state)
{
  struct ferry_config c = { 0 };

  (void) state;
  assert_int_equal (
      load_text ("# a comment\n\n[containers]\r\n  netns = \"private\"   # as Podman's\n"
                 "[ network ]\ndefault_subnet=\"10.77.0.0/16\"\ndefault_interface = \"br-x.1\"\n",
                 &c),
      0);
  assert_string_equal (c.netns, "bridge");
  assert_string_equal (c.default_subnet, "10.77.0.0/16");
  assert_string_equal (c.default_interface, "br-x.1");
  ferry_config_release (&c);

  assert_int_equal (load_text ("[checkpoint]\npodman_volume_path = \"/srv/podman/volumes\"\n", &c), 0);
  assert_string_equal (c.podman_volume_path, "/srv/podman/volumes");
  ferry_config_release (&c);

  /* Empty: the built-in settings.  */
  assert_int_equal (load_text ("", &c), 0);
  assert_string_equal (c.netns, "bridge");
  assert_null (c.default_subnet);
  assert_null (c.default_interface);
  assert_null (c.podman_volume_path);
  ferry_config_release (&c);

  /* A setting given twice in one file is no TOML (a later file may give
   * it again).  */
  assert_int_equal (load_text ("[containers]\nnetns = \"host\"\nnetns = \"none\"\n", &c), -1);
  ferry_config_release (&c);
}

static void
test_bad (void **state)
{
  static const char *const bad[] = {
    "netns = \"none\"\n",                                    /* outside a section */
    "[containers]\nnetns = none\n",                          /* not quoted */
    "[containers]\nnetns = \"none\" extra\n",                /* text after the value */
    "[containers]\nnetns = \"no\\\"ne\"\n",                  /* an escape */
    "[containers]\nnetns = \"slirp4netns\"\n",               /* not a mode ferry has */
    "[containers]\nnetns\n",                                 /* no value */
    "[containers\nnetns = \"none\"\n",                       /* an open section */
    "[engine]\n",                                            /* an unknown section */
    "[network]\ndefault_network = \"x\"\n",                  /* an unknown key */
    "[network]\ndefault_subnet = \"10.88.0.1/16\"\n",        /* host bits */
    "[network]\ndefault_subnet = \"10.88.0.0/31\"\n",        /* no room */
    "[network]\ndefault_subnet = \"fd00::/64\"\n",           /* IPv6 */
    "[network]\ndefault_interface = \"a/b\"\n",              /* not an interface name */
    "[network]\ndefault_interface = \"abcdefghijklmnop\"\n", /* too long */
    "[checkpoint]\npodman_volume_path = \"volumes\"\n",      /* relative */
    "[checkpoint]\npodman_volume_path = \"/a/../b\"\n",      /* not clean */
    NULL,
  };
  struct ferry_config c = { 0 };

  (void) state;
  for (size_t i = 0; bad[i]; i++)
    {
      if (load_text (bad[i], &c) == 0)
        fail_msg ("accepted: %s", bad[i]);
    }
}

static void
test_missing (void **state)
{
  struct ferry_config c = { 0 };
  ferry_error_t err = NULL;

  (void) state;
  /* Named: it must be there.  */
  assert_true (ferry_config_load ("/nonexistent/ferry.conf", &c, &err) < 0);
  assert_non_null (strstr (err->msg, "/nonexistent/ferry.conf"));
  ferry_error_release (&err);
}

/* Reads TEXT as a containers.conf over *C.  */
static int
read_containers_conf (const char *text, struct ferry_config *c, char **msg)
{
  char *path = write_conf (text);
  ferry_error_t err = NULL;
  int r = ferry_config_read (path, 1, c, &err);

  if (r < 0)
    {
      if (msg)
        *msg = strdup (err->msg);
      ferry_error_release (&err);
    }
  unlink (path);
  free (path);
  return r;
}

static void
test_containers_conf (void **state)
{
  struct ferry_config c;

  (void) state;
  ferry_config_init (&c);
  /* Podman's own shapes: arrays over lines with comments and a trailing
   * comma, literal strings, escapes, tables and arrays of tables, inline
   * tables, numbers and dates ferry does not read.  */
  assert_int_equal (
      read_containers_conf ("[containers]\n"
                            "default_capabilities = [\n  \"CHOWN\",  # why\n\n  \"KILL\",\n]\n"
                            "env = [\n  \"A=b c\",\n  'B=\\\\lit',\n  \"C=\\u00e9\\t\",\n]\n"
                            "default_ulimits = [\"nofile=10:20\"]\n"
                            "read_only = true\n"
                            "log_driver = \"json-file\"\n"
                            "log_size_max = 1_048_576\n"
                            "log_tag = \"{{.Name}}\"\n"
                            "tz = \"Europe/Paris\"\npids_limit = 0\n"
                            "netns = \"slirp4netns\"\n"
                            "\"quoted.key\" = 1.5e3\n"
                            "a.b.c = 1979-05-27T07:32:00Z\n"
                            "[engine]\nplugins = { x = [\"/usr/bin/x\"], y = { z = 1 } }\n"
                            "compression_format = \"zstd\"\ncompression_level = -3\n"
                            "detach_keys = \"ctrl-x,y\"\nruntime = \"mywrap\"\n"
                            "[[engine.list]]\nn = -0x1f\n[engine.runtimes]\nmywrap = [\"/a/w\", \"/b/w\"]\n"
                            "[secrets.opts]\n",
                            &c, NULL),
      0);
  assert_non_null (c.env);
  assert_string_equal (c.env[0], "A=b c");
  assert_string_equal (c.env[1], "B=\\\\lit");
  assert_string_equal (c.env[2], "C=\xc3\xa9\t");
  assert_null (c.env[3]);
  assert_string_equal (c.default_ulimits[0], "nofile=10:20");
  assert_int_equal (c.read_only, 1);
  assert_string_equal (c.log_driver, "json-file");
  assert_int_equal (c.log_size_max, 1048576);
  assert_string_equal (c.log_tag, "{{.Name}}");
  assert_string_equal (c.tz, "Europe/Paris");
  assert_int_equal (c.pids_limit, 0);
  /* containers.conf's netns is Podman's, not ferry.conf's.  */
  assert_null (c.netns);
  /* [engine]'s compression settings, the format as written (push checks it).  */
  assert_string_equal (c.compression_format, "zstd");
  assert_int_equal (c.compression_level_set, 1);
  assert_int_equal (c.compression_level, -3);
  /* [engine.runtimes]: a name's places, a later file's over an earlier's.  */
  assert_int_equal (c.n_runtimes, 1);
  assert_string_equal (c.runtimes[0].name, "mywrap");
  assert_string_equal (c.runtimes[0].paths[1], "/b/w");
  /* Written inline, [engine.runtimes] is the same table.  */
  assert_int_equal (read_containers_conf ("[engine]\nruntimes = { mywrap = [\"/c/w\"] }\n", &c, NULL), 0);
  assert_int_equal (c.n_runtimes, 1);
  assert_string_equal (c.runtimes[0].paths[0], "/c/w");
  assert_null (c.runtimes[0].paths[1]);
  /* The default runtime; empty: runc again.  */
  assert_string_equal (c.runtime, "mywrap");
  assert_int_equal (read_containers_conf ("[engine]\nruntime = \"\"\n", &c, NULL), 0);
  assert_null (c.runtime);
  /* detach_keys as written (exec and attach check them).  */
  assert_string_equal (c.detach_keys, "ctrl-x,y");

  /* A later file replaces a list, or adds to it with {append=true}.  */
  assert_int_equal (read_containers_conf ("[containers]\nenv = [\"D=e\", {append=true}]\nread_only = false\n"
                                          "log_size_max = -5\nlog_driver = \"\"\n",
                                          &c, NULL),
                    0);
  assert_string_equal (c.env[3], "D=e");
  assert_null (c.env[4]);
  assert_int_equal (c.read_only, 0);
  assert_int_equal (c.log_size_max, -1);
  assert_null (c.log_driver);
  /* "" is a setting of its own: no keys.  */
  assert_int_equal (read_containers_conf ("[engine]\ndetach_keys = \"\"\n", &c, NULL), 0);
  assert_string_equal (c.detach_keys, "");
  assert_int_equal (read_containers_conf ("[containers]\nenv = [ ]\n", &c, NULL), 0);
  assert_null (c.env[0]);
  ferry_config_release (&c);
}

static void
test_containers_conf_bad (void **state)
{
  static const struct
  {
    const char *text;
    const char *where; /* ":LINE: " the error names */
  } bad[] = {
    { "[containers]\nenv = [\"A=b\"\n", ":3: " },          /* an open array */
    { "[containers]\nenv = [\"A=b\" \"C=d\"]\n", ":2: " }, /* no comma */
    { "[containers]\nenv = \"A=b\"\n", ":2: " },           /* not a list */
    { "[containers]\nenv = [1, 2]\n", ":2: " },            /* not strings */
    { "[containers]\nenv = [\"A\"]\n", ":2: " },           /* no = */
    { "[containers]\nenv = [\"=x\"]\n", ":2: " },          /* no name */
    { "[containers]\nread_only = \"yes\"\n", ":2: " },     /* not a boolean */
    { "[containers]\nread_only = yes\n", ":2: " },         /* not TOML */
    { "[containers]\nlog_driver = \"syslog\"\n", ":2: " }, /* no such driver */
    { "[containers]\nlog_size_max = 8191\n", ":2: " },     /* under conmon's buffer */
    { "[containers]\nlog_size_max = \"1m\"\n", ":2: " },   /* not a number */
    { "[containers]\ndefault_ulimits = [\"bogus=1\"]\n", ":2: " },
    { "[containers]\nlog_tag = \"a\\nb\"\n", ":2: " },   /* two lines */
    { "[containers]\ntz = \"Nowhere/City\"\n", ":2: " }, /* no such zone */
    { "[containers]\npids_limit = -2\n", ":2: " },
    { "[engine]\ncompression_format = 1\n", ":2: " },          /* not a string */
    { "[engine.runtimes]\nx = \"/usr/bin/x\"\n", ":2: " },     /* not a list */
    { "[engine]\ndetach_keys = true\n", ":2: " },              /* not a string */
    { "[engine]\ncompression_level = \"high\"\n", ":2: " },    /* not a number */
    { "[engine]\ncompression_level = 99999999999\n", ":2: " }, /* past an int */
    { "\n\n[containers\n", ":3: " },                           /* an open header */
    { "[engine]\nx = \"open\n", ":2: " },                      /* an open string */
    { "[engine]\nx = \"a\\qb\"\n", ":2: " },                   /* a bad escape */
    { "[engine]\nx = \"\"\"multi\"\"\"\n", ":2: " },           /* not supported */
    { "[engine]\nx = 1 2\n", ":2: " },                         /* two values */
    { "[engine]\nx\n", ":2: " },                               /* no value */
    { "[engine]\nx = \n", ":2: " },                            /* an empty value */
    { "[engine]\nx = bare\n", ":2: " },                        /* a bare word */
    { "[engine]\nx = { a = 1\n", ":2: " },                     /* an open inline table */
  };
  struct ferry_config c;

  (void) state;
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      char *msg = NULL;

      ferry_config_init (&c);
      if (read_containers_conf (bad[i].text, &c, &msg) == 0)
        fail_msg ("accepted: %s", bad[i].text);
      if (strstr (msg, bad[i].where) == NULL)
        fail_msg ("%s: the error does not name line %s: %s", bad[i].text, bad[i].where, msg);
      free (msg);
      ferry_config_release (&c);
    }
}

/* [containers] cgroupns: any string read (Podman checks it only on cgroup
 * v2), another type refused in Podman's words; applied on v2 alone.  */
static void
test_cgroupns (void **state)
{
  static const struct
  {
    const char *text, *go_type;
  } bad[] = {
    { "[containers]\ncgroupns = 7\n", "int64" },
    { "[containers]\ncgroupns = true\n", "bool" },
    { "[containers]\ncgroupns = [\"host\"]\n", "[]any" },
    { "[containers]\ncgroupns = 1979-05-27\n", "time.Time" },
    { "[containers]\ncgroupns = 0x10\n", "int64" },
    { "[containers]\ncgroupns = 1.5\n", "float64" },
  };
  struct ferry_config c;
  ferry_error_t err = NULL;

  (void) state;
  for (size_t i = 0; i < sizeof (bad) / sizeof (bad[0]); i++)
    {
      char *msg = NULL, *want = NULL;

      ferry_config_init (&c);
      assert_int_equal (read_containers_conf (bad[i].text, &c, &msg), -1);
      assert_true (
          asprintf (&want,
                    ": toml: line 2 (last key \"containers.cgroupns\"): incompatible types: TOML value "
                    "has type %s; destination has type string: ",
                    bad[i].go_type)
          > 0);
      if (strncmp (msg, "reading system config \"", 23) != 0 || strstr (msg, want) == NULL)
        fail_msg ("%s: %s", bad[i].text, msg);
      free (want);
      free (msg);
      ferry_config_release (&c);
    }

  ferry_config_init (&c);
  /* Not set: private on v2, host on v1.  */
  assert_int_equal (ferry_config_cgroupns_host (&c, 1, &err), 0);
  assert_int_equal (ferry_config_cgroupns_host (&c, 0, &err), 1);
  assert_int_equal (read_containers_conf ("[containers]\ncgroupns = \"host\"\n", &c, NULL), 0);
  assert_string_equal (c.cgroupns, "host");
  assert_int_equal (ferry_config_cgroupns_host (&c, 1, &err), 1);
  assert_int_equal (read_containers_conf ("[containers]\ncgroupns = \"private\"\n", &c, NULL), 0);
  assert_int_equal (ferry_config_cgroupns_host (&c, 1, &err), 0);
  assert_int_equal (ferry_config_cgroupns_host (&c, 0, &err), 1);
  assert_int_equal (read_containers_conf ("[containers]\ncgroupns = \"\"\n", &c, NULL), 0);
  assert_int_equal (ferry_config_cgroupns_host (&c, 1, &err), 0);
  /* Read as it stands; refused where it would apply, in Podman's words.  */
  assert_int_equal (read_containers_conf ("[containers]\ncgroupns = \"bogus\"\n", &c, NULL), 0);
  assert_int_equal (ferry_config_cgroupns_host (&c, 0, &err), 1);
  assert_int_equal (ferry_config_cgroupns_host (&c, 1, &err), -1);
  assert_non_null (strstr (err->msg, "unrecognized cgroup namespace mode bogus passed"));
  assert_ptr_equal (strstr (err->msg, "unrecognized"), err->msg);
  ferry_error_release (&err);
  ferry_config_release (&c);
}

/* ferry_config_load: containers.conf ($CONTAINERS_CONF, then the override)
 * under ferry.conf.  */
static void
test_load_order (void **state)
{
  char *cc = write_conf ("[containers]\nenv = [\"A=1\"]\nread_only = true\nlog_tag = \"x\"\n");
  char *over = write_conf ("[containers]\nenv = [\"B=2\", {append=true}]\n");
  char *fc = write_conf ("[containers]\nread_only = false\nnetns = \"none\"\n");
  struct ferry_config c = { 0 };
  ferry_error_t err = NULL;

  (void) state;
  setenv ("CONTAINERS_CONF", cc, 1);
  setenv ("CONTAINERS_CONF_OVERRIDE", over, 1);
  assert_int_equal (ferry_config_load (fc, &c, &err), 0);
  assert_string_equal (c.env[0], "A=1");
  assert_string_equal (c.env[1], "B=2");
  assert_int_equal (c.read_only, 0);
  assert_string_equal (c.log_tag, "x");
  assert_string_equal (c.netns, "none");
  ferry_config_release (&c);
  /* A CONTAINERS_CONF that is not there is an error, as in Podman.  */
  setenv ("CONTAINERS_CONF", "/nonexistent/containers.conf", 1);
  assert_true (ferry_config_load (fc, &c, &err) < 0);
  assert_non_null (strstr (err->msg, "/nonexistent/containers.conf"));
  ferry_error_release (&err);
  unsetenv ("CONTAINERS_CONF");
  unsetenv ("CONTAINERS_CONF_OVERRIDE");
  unlink (cc);
  unlink (over);
  unlink (fc);
  free (cc);
  free (over);
  free (fc);
}

/* [engine] stop_timeout: a new container's stop timeout; a negative one,
 * which Podman's unsigned setting wraps round, and one past an int wait
 * the longest; a later file's wins; not a number: the line.  */
static void
test_stop_timeout (void **state)
{
  struct ferry_config c;
  char *msg = NULL;

  (void) state;
  ferry_config_init (&c);
  assert_int_equal (c.stop_timeout, -1);
  assert_int_equal (read_containers_conf ("[engine]\nstop_timeout = 3\n", &c, NULL), 0);
  assert_int_equal (c.stop_timeout, 3);
  assert_int_equal (read_containers_conf ("[engine]\nstop_timeout = 0\n", &c, NULL), 0);
  assert_int_equal (c.stop_timeout, 0);
  assert_int_equal (read_containers_conf ("[engine]\nstop_timeout = -1\n", &c, NULL), 0);
  assert_int_equal (c.stop_timeout, INT_MAX);
  assert_int_equal (read_containers_conf ("[engine]\nstop_timeout = 4294967297\n", &c, NULL), 0);
  assert_int_equal (c.stop_timeout, INT_MAX);
  assert_int_not_equal (read_containers_conf ("[engine]\n\nstop_timeout = \"5\"\n", &c, &msg), 0);
  assert_non_null (strstr (msg, ":3: "));
  free (msg);
  ferry_config_release (&c);
}

static int
hermetic (void **state)
{
  (void) state;
  /* The host's containers.conf must not count in the ferry.conf tests.  */
  setenv ("CONTAINERS_CONF", "/dev/null", 1);
  unsetenv ("CONTAINERS_CONF_OVERRIDE");
  return 0;
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_good),
    cmocka_unit_test (test_bad),
    cmocka_unit_test (test_missing),
    cmocka_unit_test (test_containers_conf),
    cmocka_unit_test (test_containers_conf_bad),
    cmocka_unit_test (test_cgroupns),
    cmocka_unit_test (test_load_order),
    cmocka_unit_test (test_stop_timeout),
  };
  return cmocka_run_group_tests (tests, hermetic, NULL);
}
