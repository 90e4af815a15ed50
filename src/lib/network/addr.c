#include "addr.h"
#include "../util/parse.h"

#include <stdio.h>
#include <net/if.h>
#include <string.h>
#include <sys/random.h>

/* A decimal number 0..MAX without sign or leading zeros at *P; moves *P
 * past it.  */
static int
parse_number (const char **p, unsigned max, unsigned *out)
{
  const char *s = *p;
  unsigned v = 0;
  int digits = 0;

  if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
    return -1;
  while (*s >= '0' && *s <= '9' && digits < 4)
    {
      v = v * 10 + (unsigned) (*s++ - '0');
      digits++;
    }
  if ((*s >= '0' && *s <= '9') || v > max)
    return -1;
  *p = s;
  *out = v;
  return 0;
}

/* A dotted quad at *P; moves *P past it.  */
static int
parse_quad (const char **p, uint32_t *out)
{
  uint32_t ip = 0;
  int i;

  for (i = 0; i < 4; i++)
    {
      unsigned part;

      if (i > 0 && *(*p)++ != '.')
        return -1;
      if (parse_number (p, 255, &part) < 0)
        return -1;
      ip = (ip << 8) | part;
    }
  *out = ip;
  return 0;
}

int
ferry_ip_parse (const char *text, uint32_t *out)
{
  const char *p = text;

  if (text == NULL || parse_quad (&p, out) < 0 || *p != '\0')
    return -1;
  return 0;
}

const char *
ferry_ip_format (uint32_t ip, char buf[16])
{
  snprintf (buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
  return buf;
}

static uint32_t
mask_of (int prefix)
{
  return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

int
ferry_subnet_parse (const char *text, struct ferry_subnet *out)
{
  const char *p = text;
  unsigned prefix;
  uint32_t ip;

  if (text == NULL || parse_quad (&p, &ip) < 0 || *p++ != '/' || parse_number (&p, 32, &prefix) < 0
      || *p != '\0')
    return -1;
  if (ip & ~mask_of ((int) prefix))
    return -1;
  out->addr = ip;
  out->prefix = (int) prefix;
  return 0;
}

const char *
ferry_subnet_format (const struct ferry_subnet *s, char buf[19])
{
  char ip[16];

  snprintf (buf, 19, "%s/%d", ferry_ip_format (s->addr, ip), s->prefix);
  return buf;
}

bool
ferry_subnet_contains (const struct ferry_subnet *s, uint32_t ip)
{
  return (ip & mask_of (s->prefix)) == s->addr;
}

bool
ferry_subnets_overlap (const struct ferry_subnet *a, const struct ferry_subnet *b)
{
  int prefix = a->prefix < b->prefix ? a->prefix : b->prefix;

  return (a->addr & mask_of (prefix)) == (b->addr & mask_of (prefix));
}

uint32_t
ferry_subnet_first_host (const struct ferry_subnet *s)
{
  return s->prefix >= 31 ? s->addr : s->addr + 1;
}

uint32_t
ferry_subnet_last_host (const struct ferry_subnet *s)
{
  uint32_t broadcast = s->addr | ~mask_of (s->prefix);

  return s->prefix >= 31 ? broadcast : broadcast - 1;
}

int
ferry_mac_parse (const char *text, unsigned char mac[6])
{
  int i;

  if (text == NULL || strlen (text) != 17)
    return -1;
  for (i = 0; i < 6; i++)
    {
      int hi = ferry_hex_digit (text[3 * i]), lo = ferry_hex_digit (text[3 * i + 1]);

      if (hi < 0 || lo < 0 || (i < 5 && text[3 * i + 2] != ':'))
        return -1;
      mac[i] = (unsigned char) (hi << 4 | lo);
    }
  if (mac[0] & 1)
    return -1;
  return 0;
}

const char *
ferry_mac_format (const unsigned char mac[6], char buf[18])
{
  snprintf (buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
  return buf;
}

void
ferry_mac_random (unsigned char mac[6])
{
  if (getrandom (mac, 6, 0) != 6)
    memset (mac, 0x5a, 6);
  mac[0] = (unsigned char) ((mac[0] & 0xfe) | 0x02);
}

/* A Linux interface name: 1 to 15 characters, none that `ip` would take
 * for something else.  */
int
ferry_ifname_is_valid (const char *name)
{
  size_t len = strlen (name), i;

  if (len == 0 || len >= IFNAMSIZ || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    return 0;
  for (i = 0; i < len; i++)
    if (! ((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z')
           || (name[i] >= '0' && name[i] <= '9') || name[i] == '_' || name[i] == '.' || name[i] == '-'))
      return 0;
  return 1;
}
