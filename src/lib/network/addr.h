/* ferry: IPv4 addresses, subnets and MAC addresses as text and numbers,
 * strictly parsed (they come from users, archives and netavark).  */
#ifndef FERRY_NETWORK_ADDR_H
#define FERRY_NETWORK_ADDR_H

#include <stdbool.h>
#include <stdint.h>

/* An IPv4 subnet: ADDR (host order) with the host bits zero, and its
 * prefix length.  */
struct ferry_subnet
{
  uint32_t addr;
  int prefix;
};

/* "10.89.0.2" into *OUT (host order); -1 when it is not a dotted quad of
 * four decimal numbers up to 255 without leading zeros.  */
int ferry_ip_parse (const char *text, uint32_t *out);

/* "10.89.0.2" of IP into BUF (16 bytes).  */
const char *ferry_ip_format (uint32_t ip, char buf[16]);

/* "10.89.0.0/24" into *OUT; -1 when it is not a subnet (host bits set
 * too: "10.89.0.1/24" is an address, not a subnet).  */
int ferry_subnet_parse (const char *text, struct ferry_subnet *out);

/* "10.89.0.0/24" into BUF (19 bytes).  */
const char *ferry_subnet_format (const struct ferry_subnet *s, char buf[19]);

bool ferry_subnet_contains (const struct ferry_subnet *s, uint32_t ip);
bool ferry_subnets_overlap (const struct ferry_subnet *a, const struct ferry_subnet *b);

/* The first and last address a container may get in S: after the
 * network address, before the broadcast one.  */
uint32_t ferry_subnet_first_host (const struct ferry_subnet *s);
uint32_t ferry_subnet_last_host (const struct ferry_subnet *s);

/* "aa:bb:cc:dd:ee:ff" (either case) into MAC; -1 when it is not one, or
 * is a multicast address (no interface may have one).  */
int ferry_mac_parse (const char *text, unsigned char mac[6]);

/* Lower case, colon-separated, into BUF (18 bytes).  */
const char *ferry_mac_format (const unsigned char mac[6], char buf[18]);

/* A random unicast, locally administered MAC address.  */
void ferry_mac_random (unsigned char mac[6]);

/* A Linux interface name: 1 to 15 characters, none that `ip` would take
 * for something else.  */
int ferry_ifname_is_valid (const char *name);

#endif
