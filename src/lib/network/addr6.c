#include "addr6.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int
ferry_ip6_parse (const char *text, struct ferry_ip6 *out)
{
  if (text == NULL || strchr (text, '.') || strchr (text, '%') || strlen (text) >= FERRY_IP6_TEXT_MAX)
    return -1;
  return inet_pton (AF_INET6, text, out->b) == 1 ? 0 : -1;
}

const char *
ferry_ip6_format (const struct ferry_ip6 *ip, char buf[FERRY_IP6_TEXT_MAX])
{
  if (inet_ntop (AF_INET6, ip->b, buf, FERRY_IP6_TEXT_MAX) == NULL)
    snprintf (buf, FERRY_IP6_TEXT_MAX, "::");
  return buf;
}

/* Whether bit I (0: the highest) of IP is set.  */
static int
bit (const struct ferry_ip6 *ip, int i)
{
  return (ip->b[i / 8] >> (7 - i % 8)) & 1;
}

int
ferry_subnet6_parse (const char *text, int min_prefix, int max_prefix, struct ferry_subnet6 *out)
{
  const char *slash = text ? strchr (text, '/') : NULL;
  char addr[FERRY_IP6_TEXT_MAX];
  char *end;
  long prefix;

  if (slash == NULL || (size_t) (slash - text) >= sizeof (addr) || slash[1] < '0' || slash[1] > '9'
      || (slash[1] == '0' && slash[2] != '\0'))
    return -1;
  memcpy (addr, text, (size_t) (slash - text));
  addr[slash - text] = '\0';
  prefix = strtol (slash + 1, &end, 10);
  if (*end || prefix < min_prefix || prefix > max_prefix || prefix > 128 || prefix < 0)
    return -1;
  if (ferry_ip6_parse (addr, &out->addr) < 0)
    return -1;
  for (int i = (int) prefix; i < 128; i++)
    if (bit (&out->addr, i))
      return -1;
  out->prefix = (int) prefix;
  return 0;
}

const char *
ferry_subnet6_format (const struct ferry_subnet6 *s, char buf[FERRY_SUBNET6_TEXT_MAX])
{
  char ip[FERRY_IP6_TEXT_MAX];

  snprintf (buf, FERRY_SUBNET6_TEXT_MAX, "%s/%d", ferry_ip6_format (&s->addr, ip), s->prefix);
  return buf;
}

/* True when A and B agree on their first PREFIX bits.  */
static bool
same_prefix (const struct ferry_ip6 *a, const struct ferry_ip6 *b, int prefix)
{
  for (int i = 0; i < prefix; i++)
    if (bit (a, i) != bit (b, i))
      return false;
  return true;
}

bool
ferry_subnet6_contains (const struct ferry_subnet6 *s, const struct ferry_ip6 *ip)
{
  return same_prefix (&s->addr, ip, s->prefix);
}

bool
ferry_subnets6_overlap (const struct ferry_subnet6 *a, const struct ferry_subnet6 *b)
{
  return same_prefix (&a->addr, &b->addr, a->prefix < b->prefix ? a->prefix : b->prefix);
}

static uint64_t
low64 (const struct ferry_ip6 *ip)
{
  uint64_t v = 0;

  for (int i = 8; i < 16; i++)
    v = v << 8 | ip->b[i];
  return v;
}

struct ferry_ip6
ferry_subnet6_host (const struct ferry_subnet6 *s, uint64_t offset)
{
  struct ferry_ip6 ip = s->addr;
  uint64_t v = low64 (&s->addr) + offset;

  for (int i = 15; i >= 8; i--, v >>= 8)
    ip.b[i] = (uint8_t) (v & 0xff);
  return ip;
}

uint64_t
ferry_subnet6_offset (const struct ferry_subnet6 *s, const struct ferry_ip6 *ip)
{
  return low64 (ip) - low64 (&s->addr);
}

uint64_t
ferry_subnet6_last_offset (const struct ferry_subnet6 *s)
{
  int bits = 128 - s->prefix;

  return bits >= 64 ? UINT64_MAX : ((uint64_t) 1 << bits) - 1;
}

void
ferry_subnet6_random_ula (struct ferry_subnet6 *out)
{
  memset (out, 0, sizeof (*out));
  if (getrandom (out->addr.b + 1, 7, 0) != 7)
    for (int i = 1; i < 8; i++)
      out->addr.b[i] = (uint8_t) random ();
  out->addr.b[0] = 0xfd;
  out->prefix = 64;
}
