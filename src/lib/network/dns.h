/* ferry: what a container's /etc/resolv.conf and /etc/hosts hold, built
 * as Podman builds them (containers/common libnetwork/resolvconf and
 * etchosts), and the checks of the names, addresses and options users and
 * archives put there.
 *
 * resolv.conf: "search ...", "nameserver ..." lines, "options ...".
 *   nameservers  the network's DNS server (aardvark-dns) alone when the
 *                container has one: the --dns servers then go to
 *                aardvark-dns, which forwards to them; else --dns; else
 *                the host's.
 *   search       --dns-search ("." alone: none); else the network's
 *                domain (dns.podman) and the host's.
 *   options      --dns-option; else the host's.
 * In a network namespace of its own, the host's loopback and IPv6
 * nameservers are left out: they are not reachable from there.
 *
 * hosts: the --add-host lines first, then the base file's (the host's,
 * with --network host), then localhost and a line of each of the
 * container's addresses (on every network it is on) for its host name
 * and name, each name only when no line before has it, so that
 * --add-host wins.  */
#ifndef FERRY_NETWORK_DNS_H
#define FERRY_NETWORK_DNS_H

#include <stdbool.h>

/* INET6_ADDRSTRLEN */
#define FERRY_IP_TEXT_MAX 46

/* What --add-host takes for the address of the network's gateway.  */
#define FERRY_HOST_GATEWAY "host-gateway"

/* An IPv4 or IPv6 address in TEXT, in its canonical form into OUT; -1
 * when TEXT is not one.  */
int ferry_dns_ip_canonical (const char *text, char out[FERRY_IP_TEXT_MAX]);

/* A DNS name: labels of letters, digits and inner `-`, 1 to 63
 * characters each, dot-separated, 253 in all; a final `.` is allowed.  */
bool ferry_dns_name_is_valid (const char *name);

/* A resolv.conf option such as ndots:2 or edns0: 1 to 64 of
 * [A-Za-z0-9:._-].  */
bool ferry_dns_option_is_valid (const char *option);

/* An --add-host entry "NAME[;NAME...]:IP": names that are DNS names, and
 * an address or host-gateway.  */
bool ferry_host_entry_is_valid (const char *entry);

/* ENTRY with its address in canonical form (newly allocated), or NULL
 * when it is not an entry.  */
char *ferry_host_entry_canonical (const char *entry);

struct ferry_resolv_params
{
  char **nameservers;         /* --dns; NULL-terminated, may be NULL */
  char **searches;            /* --dns-search; "." alone: none */
  char **options;             /* --dns-option */
  char **network_nameservers; /* the networks' DNS servers (aardvark-dns) */
  char **network_searches;    /* their domains (dns.podman) */
  bool own_netns;             /* leave out the host's loopback and IPv6 servers */
  bool no_host_nameservers;   /* no network: the host's are unreachable */
};

/* The resolv.conf for P, HOST_TEXT being the host's.  */
char *ferry_resolv_conf_build (const char *host_text, const struct ferry_resolv_params *p);

struct ferry_hosts_params
{
  char **extra_hosts;      /* --add-host entries, checked */
  const char *gateway;     /* the address host-gateway means; NULL: none */
  const char *base_text;   /* the host file's lines (the host's /etc/hosts), or NULL */
  bool localhost;          /* add the localhost lines */
  const char *internal_ip; /* host.containers.internal's address; NULL: no line */
  char **ips;              /* the container's addresses for its names, one line each; NULL: 127.0.0.1 */
  bool no_own_line;        /* no line for its names (host network, or a bridge container on no network) */
  const char *hostname;
  const char *name;
};

char *ferry_etc_hosts_build (const struct ferry_hosts_params *p);

/* Live edits, as Podman makes them when a running container joins or
 * leaves a network.  TEXT is the container's file as it is now (its own
 * edits included, and untrusted).  IPS are canonical addresses, NAMES the
 * container's host name and name.
 *
 * add_entries: TEXT with "IP\tNAMES" appended for each of IPS that has no
 * entry for exactly NAMES yet (so that doing it twice adds nothing).  */
char *ferry_etc_hosts_add_entries (const char *text, char **ips, const char *const *names);

/* remove_entries: TEXT without the entries of IPS for exactly NAMES;
 * every other entry rewritten "IP\tNAMES", comments and blank lines
 * dropped, as Podman rewrites the file.  */
char *ferry_etc_hosts_remove_entries (const char *text, char **ips, const char *const *names);

/* TEXT as search, nameserver and options lines (comments and other
 * keywords dropped, as Podman rewrites it), ADD's nameservers that are
 * not there yet first, REMOVE's left out.  */
char *ferry_resolv_conf_edit (const char *text, char **add, char **remove);

#endif
