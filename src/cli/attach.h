/* ferry CLI: streaming a terminal to and from a container's conmon, for
 * attach, run and start -a.  */
#ifndef FERRY_CLI_ATTACH_H
#define FERRY_CLI_ATTACH_H

#include "engine/engine.h"
#include "runtime/conmon.h"

#define FERRY_DEFAULT_DETACH_KEYS "ctrl-p,ctrl-q"

/* --detach-keys and --sig-proxy, as attach, run and start take them.  */
struct ferry_cli_attach
{
  const char *detach_keys;  /* NULL: the default */
  const char *default_keys; /* containers.conf's detach_keys; NULL: FERRY_DEFAULT_DETACH_KEYS */
  int sig_proxy;
  /* Streaming an exec session of the container: its terminal is the one
   * resized.  */
  const char *exec_session;
};

/* Streams the attach connection FD of container ID (TTY: it has a
 * terminal, which then goes raw) with IO's descriptors; A's detach keys
 * (already checked by ferry_cli_attach_check) and, with sig_proxy, the
 * signals ferry gets passed on to the container.  Returns 0 when the
 * container's side ended, 1 when the user detached, -1 on error (printed). */
int ferry_cli_attach_stream (ferry_engine_t *e, const char *id, int fd, int tty, struct ferry_attach_io *io,
                             const struct ferry_cli_attach *a);

/* Parses A's detach keys into IO; prints the error and returns -1 when
 * they are not valid, prefixed with "CONTEXT: " when CONTEXT is given.  */
int ferry_cli_attach_check (const struct ferry_cli_attach *a, struct ferry_attach_io *io,
                            const char *context);

#endif
