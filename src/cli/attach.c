/* ferry CLI: attach, and the streaming that run and start -a share.  */
#include "attach.h"
#include "common.h"
#include "commands.h"
#include "engine/container.h"
#include "engine/exec_session.h"
#include "util/cleanup.h"
#include "util/json.h"
#include "util/xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <unistd.h>

/* The signals a proxy passes on, as Podman's: all that a process may
 * catch but those about ferry's own children, pipes and terminal.  */
static const int PROXIED_SIGNALS[]
    = { SIGHUP,  SIGINT,  SIGQUIT, SIGUSR1,   SIGUSR2, SIGALRM, SIGTERM, SIGCONT, SIGTSTP, SIGTTIN,
        SIGTTOU, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO,   SIGPWR,  SIGSYS,  0 };

static struct termios saved_termios;
static int termios_saved;

static void
restore_terminal (void)
{
  if (termios_saved)
    tcsetattr (STDIN_FILENO, TCSANOW, &saved_termios);
  termios_saved = 0;
}

/* Raw mode while a -t container is attached: its own terminal does the
 * line editing, the echo and the output's line endings.  */
static void
raw_terminal (void)
{
  struct termios t;

  if (! isatty (STDIN_FILENO) || tcgetattr (STDIN_FILENO, &saved_termios) < 0)
    return;
  t = saved_termios;
  cfmakeraw (&t);
  if (tcsetattr (STDIN_FILENO, TCSANOW, &t) == 0)
    {
      termios_saved = 1;
      atexit (restore_terminal);
    }
}

struct proxy
{
  ferry_engine_t *e;
  const char *id;
  const char *exec_session;
  int sig_proxy; /* pass signals on */
  int resize;    /* a terminal on both sides: follow this one's size */
};

/* This terminal's size to the container's.  */
static void
resize (struct proxy *p)
{
  ferry_error_t err = NULL;
  struct winsize ws;

  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
    return;
  if ((p->exec_session ? ferry_exec_session_resize (p->e, p->id, p->exec_session, ws.ws_row, ws.ws_col, &err)
                       : ferry_container_resize (p->e, p->id, ws.ws_row, ws.ws_col, &err))
      < 0)
    ferry_error_release (&err);
}

static void
proxy_signal (int sig, void *arg)
{
  struct proxy *p = arg;
  ferry_error_t err = NULL;

  if (sig == SIGWINCH)
    {
      if (p->resize)
        resize (p);
      return;
    }
  /* The container may have gone meanwhile: nothing to pass it on to.  */
  if (p->sig_proxy && ferry_container_kill (p->e, p->id, sig, &err) < 0)
    ferry_error_release (&err);
}

int
ferry_cli_attach_check (const struct ferry_cli_attach *a, struct ferry_attach_io *io, const char *context)
{
  ferry_error_t err = NULL;

  const char *keys = a->detach_keys    ? a->detach_keys
                     : a->default_keys ? a->default_keys
                                       : FERRY_DEFAULT_DETACH_KEYS;

  if (ferry_attach_parse_detach_keys (keys, io, &err) == 0)
    return 0;
  if (context)
    ferry_error_wrap (&err, "%s", context);
  ferry_cli_fail (&err);
  return -1;
}

int
ferry_cli_attach_stream (ferry_engine_t *e, const char *id, int fd, int tty, struct ferry_attach_io *io,
                         const struct ferry_cli_attach *a)
{
  struct proxy p = { .e = e, .id = id, .exec_session = a->exec_session, .sig_proxy = a->sig_proxy };
  cleanup_close int sfd = -1;
  ferry_error_t err = NULL;
  sigset_t set, old;
  int ret, masked = 0;

  io->signal_fd = -1;
  p.resize = tty && isatty (STDIN_FILENO);
  if (p.resize)
    resize (&p);
  if (a->sig_proxy || p.resize)
    {
      sigemptyset (&set);
      for (size_t i = 0; a->sig_proxy && PROXIED_SIGNALS[i]; i++)
        sigaddset (&set, PROXIED_SIGNALS[i]);
      if (p.resize)
        sigaddset (&set, SIGWINCH);
      sigprocmask (SIG_BLOCK, &set, &old);
      masked = 1;
      sfd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
      io->signal_fd = sfd;
      io->on_signal = proxy_signal;
      io->signal_arg = &p;
    }
  if (tty && io->in_fd >= 0)
    raw_terminal ();
  /* For as long as the container runs, maybe: holding no database the
   * others wait for.  */
  ferry_engine_idle (e);
  ret = ferry_conmon_attach_stream (fd, io, &err);
  restore_terminal ();
  if (masked)
    sigprocmask (SIG_SETMASK, &old, NULL);
  if (ret < 0)
    {
      /* The output's reader went away (`| head`): not worth a word.  */
      if (err->status == EPIPE)
        {
          ferry_error_release (&err);
          return 0;
        }
      ferry_cli_fail (&err);
    }
  return ret;
}

struct attach_args
{
  struct ferry_cli_attach a;
  int no_stdin;
  int latest;
};

enum
{
  OPT_ATTACH_DETACH_KEYS = OPT_COMMAND_FIRST,
  OPT_ATTACH_NO_STDIN,
  OPT_ATTACH_SIG_PROXY,
};

static const char attach_usage[]
    = "Usage: ferry attach [options] CONTAINER\n\n"
      "Attach to a running container's input and output.\n\n"
      "Options:\n"
      "      --detach-keys KEYS  the keys that detach, leaving the container running\n"
      "                          (default: containers.conf's detach_keys, else\n"
      "                          \"" FERRY_DEFAULT_DETACH_KEYS "\"; \"\" for none)\n"
      "  -l, --latest            attach to the container created last\n"
      "      --no-stdin          do not connect this terminal's input\n"
      "      --sig-proxy[=BOOL]  pass the signals ferry gets on to the container (default true)\n";

/* A boolean flag's value as Podman takes it: none, true or false.  */
static int
parse_bool (const char *flag, const char *arg, int *out)
{
  if (arg == NULL || strcmp (arg, "true") == 0)
    *out = 1;
  else if (strcmp (arg, "false") == 0)
    *out = 0;
  else
    return ferry_cli_failf ("invalid argument \"%s\" for \"%s\" flag: use true or false", arg, flag);
  return 0;
}

int
ferry_cmd_attach (int argc, char **argv)
{
  static const struct option opts[] = { FERRY_GLOBAL_OPTIONS,
                                        { "detach-keys", required_argument, NULL, OPT_ATTACH_DETACH_KEYS },
                                        { "latest", no_argument, NULL, 'l' },
                                        { "no-stdin", no_argument, NULL, OPT_ATTACH_NO_STDIN },
                                        { "sig-proxy", optional_argument, NULL, OPT_ATTACH_SIG_PROXY },
                                        { "help", no_argument, NULL, 'h' },
                                        { NULL, 0, NULL, 0 } };
  struct attach_args args = { .a = { .sig_proxy = 1 } };
  struct ferry_attach_io io = { .in_fd = -1, .out_fd = STDOUT_FILENO, .err_fd = STDERR_FILENO };
  cleanup_engine ferry_engine_t *e = NULL;
  struct ferry_container *c = NULL, *latest = NULL;
  cleanup_close int fd = -1;
  cleanup_free char *context = NULL;
  ferry_error_t err = NULL;
  const char *ref;
  int opt, r, tty;

  while ((opt = getopt_long (argc, argv, ":lh", opts, NULL)) != -1)
    {
      switch (opt)
        {
        case OPT_ATTACH_DETACH_KEYS:
          args.a.detach_keys = optarg;
          break;
        case 'l':
          args.latest = 1;
          break;
        case OPT_ATTACH_NO_STDIN:
          args.no_stdin = 1;
          break;
        case OPT_ATTACH_SIG_PROXY:
          if (parse_bool ("--sig-proxy", optarg, &args.a.sig_proxy) != 0)
            return FERRY_EXIT_ERROR;
          break;
        default:
          r = ferry_cli_parse_or_help (opt, "attach", argv, attach_usage);
          if (r != 0)
            return r > 0 ? 0 : FERRY_EXIT_ERROR;
        }
    }
  if (args.latest && optind < argc)
    return ferry_cli_failf ("--latest and containers cannot be used together");
  if (! args.latest && optind >= argc)
    return ferry_cli_failf ("\"ferry %s\" requires a name, id, or the \"--latest\" flag",
                            ferry_cli_command_path ());
  if (argc - optind > 1)
    return ferry_cli_failf ("`ferry %s` accepts at most one argument", ferry_cli_command_path ());
  e = ferry_cli_open_engine ();
  if (e == NULL)
    return FERRY_EXIT_ERROR;
  if (args.latest && ferry_container_latest (e, &latest, &err) < 0)
    return ferry_cli_fail (&err);
  ref = latest ? latest->id : argv[optind];
  r = ferry_container_attach (e, ref, &c, &fd, &err);
  ferry_container_free (latest);
  if (r < 0)
    return ferry_cli_fail (&err);
  context = xasprintf ("attaching to container %s", c->id);
  args.a.default_keys = e->config.detach_keys;
  if (ferry_cli_attach_check (&args.a, &io, context) < 0)
    {
      ferry_container_free (c);
      return FERRY_EXIT_ERROR;
    }
  tty = json_object_get_boolean (json_object_object_get (c->record, "Tty"));
  if (! args.no_stdin && json_object_get_boolean (json_object_object_get (c->record, "OpenStdin")))
    io.in_fd = STDIN_FILENO;
  r = ferry_cli_attach_stream (e, c->id, fd, tty, &io, &args.a);
  ferry_container_free (c);
  if (r < 0)
    return FERRY_EXIT_ERROR;
  /* Podman ends an attach with a newline, whether the container exited or
   * the user detached, and exits 0 either way.  */
  fputs ("\n", stdout);
  return 0;
}
