/* ferry: named destinations, Podman's system connections.
 *
 * They live where Podman keeps its own, so that a name works in both:
 * $PODMAN_CONNECTIONS_CONF, else $XDG_CONFIG_HOME/containers/
 * podman-connections.json, else ~/.config/containers/....  The file is
 * JSON: {"Connection": {"Default": NAME, "Connections": {NAME: {"URI":
 * ..., "Identity": ...}}}, "Farm": {...}}.  ferry changes it under
 * Podman's lock (a write lock on the file's ".lock" beside it) and
 * replaces it whole, keeping whatever else Podman wrote there.
 *
 * ferry runs no service: it uses a connection only for the ferry it
 * reaches through ssh (`image scp NAME::`, `container migrate ... NAME`),
 * from the URI's user, host and port and the identity file; the socket
 * path in the URI is Podman's.  */
#ifndef FERRY_ENGINE_CONNECTIONS_H
#define FERRY_ENGINE_CONNECTIONS_H

#include "ssh.h"

#include <stdbool.h>
#include <stddef.h>

struct ferry_connection
{
  char *name;
  char *uri;
  char *identity; /* may be NULL */
  bool is_default;
};

typedef struct ferry_connections ferry_connections_t;

/* Reads the file (none yet: no connections).  With WRITE, holds the lock
 * until closed.  */
int ferry_connections_open (bool write, ferry_connections_t **out, ferry_error_t *err);
void ferry_connections_close (ferry_connections_t *c);

/* Every connection, by name; *OUT is freed with ferry_connections_free.  */
int ferry_connections_list (ferry_connections_t *c, struct ferry_connection **out, size_t *n,
                            ferry_error_t *err);
void ferry_connections_free (struct ferry_connection *v, size_t n);

/* A name ferry takes: letters, digits, '_', '.', '-', not first.  */
bool ferry_connection_name_is_valid (const char *name);

/* Podman's forms of a destination ([ssh://][USER@]HOST[:PORT][/PATH])
 * into the URI recorded: ssh://[USER@]HOST:PORT[/PATH], PORT (0: 22)
 * when the destination has none, SOCKET_PATH (absolute, may be NULL) over
 * its path.  */
char *ferry_connection_uri (const char *destination, int port, const char *socket_path, ferry_error_t *err);

/* Adds NAME (replacing one of that name, as Podman does); the first
 * connection, or one added with MAKE_DEFAULT, becomes the default.  */
int ferry_connections_add (ferry_connections_t *c, const char *name, const char *uri, const char *identity,
                           bool make_default, ferry_error_t *err);
/* 1 when there was such a connection, else 0.  */
int ferry_connections_remove (ferry_connections_t *c, const char *name);
void ferry_connections_remove_all (ferry_connections_t *c);
int ferry_connections_rename (ferry_connections_t *c, const char *from, const char *to, ferry_error_t *err);
int ferry_connections_set_default (ferry_connections_t *c, const char *name, ferry_error_t *err);
/* Writes the changes.  */
int ferry_connections_save (ferry_connections_t *c, ferry_error_t *err);

/* When NAME is a connection: 1, and D gets its user, host, port and
 * identity; 0 when it is none (D untouched); -1 with ERR when it is one
 * ferry cannot use (not ssh) or the file is damaged.  */
int ferry_connection_ssh_dest (const char *name, struct ferry_ssh_dest *d, ferry_error_t *err);

/* Runs `ferry version` at the ssh:// URI (with IDENTITY, may be NULL)
 * through ssh, as Podman asks its service there before recording a
 * connection: 0 when the host answers, and with ferry.  */
int ferry_connection_probe (const char *uri, const char *identity, ferry_error_t *err);

#endif
