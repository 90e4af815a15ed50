/* ferry: IPv6 addresses and subnets as text and numbers, strictly parsed
 * (they come from users, archives and netavark).  A network's IPv6
 * subnet is /64 to /120, so that a container's place in it (its offset
 * from the subnet's address) fits the low 64 bits.  */
#ifndef FERRY_NETWORK_ADDR6_H
#define FERRY_NETWORK_ADDR6_H

#include <stdbool.h>
#include <stdint.h>

/* inet_ntop's longest, with its NUL.  */
#define FERRY_IP6_TEXT_MAX 46
/* And with "/128".  */
#define FERRY_SUBNET6_TEXT_MAX 50

struct ferry_ip6
{
  uint8_t b[16];
};

struct ferry_subnet6
{
  struct ferry_ip6 addr; /* host bits zero */
  int prefix;
};

/* "fd00::2" into *OUT; -1 when it is not an IPv6 address (dotted IPv4
 * forms and zones are refused too).  */
int ferry_ip6_parse (const char *text, struct ferry_ip6 *out);

/* The canonical text (RFC 5952, as inet_ntop and Go write it).  */
const char *ferry_ip6_format (const struct ferry_ip6 *ip, char buf[FERRY_IP6_TEXT_MAX]);

/* "fd00:1::/64" into *OUT; -1 when it is not a subnet (host bits set
 * too), or its prefix is not within MIN_PREFIX..MAX_PREFIX.  */
int ferry_subnet6_parse (const char *text, int min_prefix, int max_prefix, struct ferry_subnet6 *out);

const char *ferry_subnet6_format (const struct ferry_subnet6 *s, char buf[FERRY_SUBNET6_TEXT_MAX]);

bool ferry_subnet6_contains (const struct ferry_subnet6 *s, const struct ferry_ip6 *ip);
bool ferry_subnets6_overlap (const struct ferry_subnet6 *a, const struct ferry_subnet6 *b);

/* The address OFFSET places after S's own (S: /64 or longer).  */
struct ferry_ip6 ferry_subnet6_host (const struct ferry_subnet6 *s, uint64_t offset);

/* IP's offset from S's address (IP in S, S /64 or longer).  */
uint64_t ferry_subnet6_offset (const struct ferry_subnet6 *s, const struct ferry_ip6 *ip);

/* The last offset S holds: 2^(128 - prefix) - 1.  */
uint64_t ferry_subnet6_last_offset (const struct ferry_subnet6 *s);

/* A unique local /64 of Podman's kind: fdXX:XXXX:XXXX:XXXX::/64 with 56
 * random bits (RFC 4193).  */
void ferry_subnet6_random_ula (struct ferry_subnet6 *out);

#endif
