/* Unit tests for --systemd's command test, --sdnotify's record and the
 * sd_notify sender (engine/systemd.h), and generate's restart policies.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "engine/generate.h"
#include "engine/systemd.h"
#include "util/cleanup.h"
#include "util/json.h"

static void
test_command_is_init (void **state)
{
  char *init[] = { "/sbin/init", NULL };
  char *usr[] = { "/usr/sbin/init", "--log-level=debug", NULL };
  char *local[] = { "/usr/local/sbin/init", NULL };
  char *systemd[] = { "/lib/systemd/systemd", NULL };
  char *bare[] = { "systemd", NULL };
  char *shell[] = { "/bin/sh", "-c", "/usr/lib/systemd/systemd", NULL };
  char *other[] = { "/bin/init", NULL };
  char *sleep_[] = { "sleep", "1", NULL };
  char *shell_only[] = { "/bin/sh", "-c", NULL };
  char *systemctl[] = { "/usr/bin/systemd-run", NULL };

  (void) state;
  assert_true (ferry_systemd_command_is_init (init));
  assert_true (ferry_systemd_command_is_init (usr));
  assert_true (ferry_systemd_command_is_init (local));
  assert_true (ferry_systemd_command_is_init (systemd));
  assert_true (ferry_systemd_command_is_init (bare));
  assert_true (ferry_systemd_command_is_init (shell));
  assert_false (ferry_systemd_command_is_init (other));
  assert_false (ferry_systemd_command_is_init (sleep_));
  assert_false (ferry_systemd_command_is_init (shell_only));
  assert_false (ferry_systemd_command_is_init (systemctl));
  assert_false (ferry_systemd_command_is_init (NULL));
}

static json_object *
record_with_args (const char *first)
{
  json_object *rec = json_object_new_object (), *args = json_object_new_array ();

  json_object_array_add (args, json_object_new_string (first));
  json_object_object_add (rec, "Args", args);
  json_object_object_add (rec, "StopSignal", json_object_new_int (SIGTERM));
  return rec;
}

static void
test_record (void **state)
{
  struct ferry_systemd_options o = { 0 };
  ferry_error_t err = NULL;

  (void) state;
  {
    cleanup_json json_object *rec = record_with_args ("/sbin/init");
    assert_int_equal (ferry_systemd_record (NULL, &o, 0, rec, &err), 0);
    assert_true (ferry_systemd_mode (rec));
    assert_int_equal (ferry_json_get_int (rec, "StopSignal", 0), SIGRTMIN + 3);
    assert_string_equal (ferry_systemd_sdnotify_mode (rec), "container");
    assert_null (json_object_object_get (rec, "SdNotifyMode"));
  }
  {
    cleanup_json json_object *rec = record_with_args ("/sbin/init");
    o.systemd = "false";
    assert_int_equal (ferry_systemd_record (NULL, &o, 0, rec, &err), 0);
    assert_false (ferry_systemd_mode (rec));
    assert_int_equal (ferry_json_get_int (rec, "StopSignal", 0), SIGTERM);
  }
  {
    cleanup_json json_object *rec = record_with_args ("sleep");
    o.systemd = "always";
    o.sdnotify = "conmon";
    o.shm_size_systemd = 1 << 20;
    assert_int_equal (ferry_systemd_record (NULL, &o, 1, rec, &err), 0);
    assert_true (ferry_systemd_mode (rec));
    /* --stop-signal given: it stays.  */
    assert_int_equal (ferry_json_get_int (rec, "StopSignal", 0), SIGTERM);
    assert_string_equal (ferry_systemd_sdnotify_mode (rec), "conmon");
    assert_int_equal (ferry_json_get_int (rec, "ShmSizeSystemd", 0), 1 << 20);
    /* Only container mode hands conmon the socket.  */
    setenv ("NOTIFY_SOCKET", "/run/x.sock", 1);
    assert_null (ferry_systemd_conmon_socket (rec));
  }
  {
    cleanup_json json_object *rec = record_with_args ("sleep");
    o.systemd = "yes";
    assert_int_equal (ferry_systemd_record (NULL, &o, 0, rec, &err), -1);
    assert_non_null (strstr (err->msg, "--systemd values must be one of"));
    ferry_error_release (&err);
  }
  {
    cleanup_json json_object *rec = record_with_args ("sleep");
    o.systemd = NULL;
    o.sdnotify = "healthy";
    assert_int_equal (ferry_systemd_record (NULL, &o, 0, rec, &err), -1);
    assert_non_null (strstr (err->msg, "requires a healthcheck"));
    ferry_error_release (&err);
    o.sdnotify = NULL;
    assert_int_equal (ferry_systemd_record (NULL, &o, 0, rec, &err), 0);
    assert_string_equal (ferry_systemd_conmon_socket (rec), "/run/x.sock");
    setenv ("NOTIFY_SOCKET", "relative.sock", 1);
    assert_null (ferry_systemd_conmon_socket (rec));
    unsetenv ("NOTIFY_SOCKET");
    assert_null (ferry_systemd_conmon_socket (rec));
  }
}

static void
test_notify_send (void **state)
{
  char dir[] = "/tmp/ferry-sdnotify-XXXXXX";
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  char buf[64];
  ssize_t n;
  ferry_error_t err = NULL;
  int fd;

  (void) state;
  assert_non_null (mkdtemp (dir));
  snprintf (addr.sun_path, sizeof (addr.sun_path), "%s/s", dir);
  fd = socket (AF_UNIX, SOCK_DGRAM, 0);
  assert_true (fd >= 0);
  assert_int_equal (bind (fd, (struct sockaddr *) &addr, sizeof (addr)), 0);
  assert_int_equal (ferry_sd_notify_send (addr.sun_path, "MAINPID=7\nREADY=1", &err), 0);
  n = recv (fd, buf, sizeof (buf) - 1, 0);
  assert_int_equal (n, 17);
  buf[n] = '\0';
  assert_string_equal (buf, "MAINPID=7\nREADY=1");
  assert_int_equal (ferry_sd_notify_send ("relative", "READY=1", &err), -1);
  ferry_error_release (&err);
  close (fd);
  unlink (addr.sun_path);
  rmdir (dir);
}

static void
test_restart_policies (void **state)
{
  (void) state;
  assert_true (ferry_generate_restart_policy_is_valid ("on-failure"));
  assert_true (ferry_generate_restart_policy_is_valid ("always"));
  assert_true (ferry_generate_restart_policy_is_valid ("no"));
  assert_false (ferry_generate_restart_policy_is_valid ("never"));
  assert_false (ferry_generate_restart_policy_is_valid (""));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_command_is_init),
    cmocka_unit_test (test_record),
    cmocka_unit_test (test_notify_send),
    cmocka_unit_test (test_restart_policies),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
