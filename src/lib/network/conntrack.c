/* ferry: saving and putting back a container's tracked connections (see
 * conntrack.h).  */
#include "conntrack.h"
#include "addr.h"
#include "../util/cleanup.h"
#include "../util/json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack_tcp.h>
#include <netinet/in.h>
#include <string.h>

struct save
{
  uint32_t ip; /* network order */
  json_object *out;
};

static int
save_one (enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *data)
{
  struct save *s = data;
  struct ferry_conntrack_entry e;

  (void) type;
  if (nfct_get_attr_u8 (ct, ATTR_L3PROTO) != AF_INET || nfct_get_attr_u8 (ct, ATTR_L4PROTO) != IPPROTO_TCP
      || nfct_get_attr_u32 (ct, ATTR_REPL_IPV4_SRC) != s->ip)
    return NFCT_CB_CONTINUE;
  /* A connection straight to the container's address needs nothing of
   * the host's: the restored socket's first segment sets it up again.  */
  if (nfct_get_attr_u32 (ct, ATTR_IPV4_DST) == s->ip)
    return NFCT_CB_CONTINUE;
  e.orig_src = ntohl (nfct_get_attr_u32 (ct, ATTR_IPV4_SRC));
  e.orig_dst = ntohl (nfct_get_attr_u32 (ct, ATTR_IPV4_DST));
  e.reply_src = ntohl (nfct_get_attr_u32 (ct, ATTR_REPL_IPV4_SRC));
  e.reply_dst = ntohl (nfct_get_attr_u32 (ct, ATTR_REPL_IPV4_DST));
  e.orig_sport = ntohs (nfct_get_attr_u16 (ct, ATTR_PORT_SRC));
  e.orig_dport = ntohs (nfct_get_attr_u16 (ct, ATTR_PORT_DST));
  e.reply_sport = ntohs (nfct_get_attr_u16 (ct, ATTR_REPL_PORT_SRC));
  e.reply_dport = ntohs (nfct_get_attr_u16 (ct, ATTR_REPL_PORT_DST));
  e.timeout = nfct_get_attr_u32 (ct, ATTR_TIMEOUT);
  if (e.timeout == 0 || e.timeout > FERRY_CONNTRACK_TIMEOUT_MAX)
    e.timeout = FERRY_CONNTRACK_TIMEOUT_MAX;
  json_object_array_add (s->out, ferry_conntrack_entry_json (&e));
  return NFCT_CB_CONTINUE;
}

int
ferry_conntrack_save (uint32_t ip, json_object **out, ferry_error_t *err)
{
  struct nfct_handle *h = nfct_open (CONNTRACK, 0);
  struct save s = { htonl (ip), *out ? *out : json_object_new_array () };
  uint32_t family = AF_INET;
  int r;

  *out = s.out;
  if (h == NULL)
    return ferry_make_error (err, errno, "cannot open the host's connection tracking (ctnetlink)");
  nfct_callback_register (h, NFCT_T_ALL, save_one, &s);
  r = nfct_query (h, NFCT_Q_DUMP, &family);
  if (r < 0)
    r = ferry_make_error (err, errno, "cannot read the host's tracked connections");
  nfct_close (h);
  return r < 0 ? -1 : 0;
}

int
ferry_conntrack_insert (const struct ferry_conntrack_entry *e, ferry_error_t *err)
{
  struct nfct_handle *h = nfct_open (CONNTRACK, 0);
  struct nf_conntrack *ct;
  int r;

  if (h == NULL)
    return ferry_make_error (err, errno, "cannot open the host's connection tracking (ctnetlink)");
  ct = nfct_new ();
  /* The tuples as they were before translation; the kernel derives the
   * answer's tuple from the translations asked for.  */
  nfct_set_attr_u8 (ct, ATTR_L3PROTO, AF_INET);
  nfct_set_attr_u8 (ct, ATTR_L4PROTO, IPPROTO_TCP);
  nfct_set_attr_u32 (ct, ATTR_IPV4_SRC, htonl (e->orig_src));
  nfct_set_attr_u32 (ct, ATTR_IPV4_DST, htonl (e->orig_dst));
  nfct_set_attr_u16 (ct, ATTR_PORT_SRC, htons (e->orig_sport));
  nfct_set_attr_u16 (ct, ATTR_PORT_DST, htons (e->orig_dport));
  nfct_set_attr_u8 (ct, ATTR_REPL_L3PROTO, AF_INET);
  nfct_set_attr_u8 (ct, ATTR_REPL_L4PROTO, IPPROTO_TCP);
  nfct_set_attr_u32 (ct, ATTR_REPL_IPV4_SRC, htonl (e->orig_dst));
  nfct_set_attr_u32 (ct, ATTR_REPL_IPV4_DST, htonl (e->orig_src));
  nfct_set_attr_u16 (ct, ATTR_REPL_PORT_SRC, htons (e->orig_dport));
  nfct_set_attr_u16 (ct, ATTR_REPL_PORT_DST, htons (e->orig_sport));
  nfct_set_attr_u32 (ct, ATTR_DNAT_IPV4, htonl (e->reply_src));
  nfct_set_attr_u16 (ct, ATTR_DNAT_PORT, htons (e->reply_sport));
  if (e->reply_dst != e->orig_src || e->reply_dport != e->orig_sport)
    {
      nfct_set_attr_u32 (ct, ATTR_SNAT_IPV4, htonl (e->reply_dst));
      nfct_set_attr_u16 (ct, ATTR_SNAT_PORT, htons (e->reply_dport));
    }
  nfct_set_attr_u8 (ct, ATTR_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
  /* The sequence numbers it saw before are unknown now: take the window
   * of whatever comes.  */
  nfct_set_attr_u8 (ct, ATTR_TCP_FLAGS_ORIG, IP_CT_TCP_FLAG_BE_LIBERAL);
  nfct_set_attr_u8 (ct, ATTR_TCP_MASK_ORIG, IP_CT_TCP_FLAG_BE_LIBERAL);
  nfct_set_attr_u8 (ct, ATTR_TCP_FLAGS_REPL, IP_CT_TCP_FLAG_BE_LIBERAL);
  nfct_set_attr_u8 (ct, ATTR_TCP_MASK_REPL, IP_CT_TCP_FLAG_BE_LIBERAL);
  nfct_set_attr_u32 (ct, ATTR_STATUS, IPS_ASSURED | IPS_SEEN_REPLY);
  nfct_set_attr_u32 (ct, ATTR_TIMEOUT, e->timeout);
  r = nfct_query (h, NFCT_Q_CREATE, ct);
  if (r < 0 && errno != EEXIST)
    {
      char a[16], b[16];
      r = ferry_make_error (err, errno, "cannot put back the host's tracking of connection %s:%u -> %s:%u",
                            ferry_ip_format (e->orig_src, a), e->orig_sport, ferry_ip_format (e->orig_dst, b),
                            e->orig_dport);
    }
  else
    r = 0;
  nfct_destroy (ct);
  nfct_close (h);
  return r;
}

static json_object *
tuple_json (uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
  json_object *t = json_object_new_object ();
  char buf[16];

  json_object_object_add (t, "src", json_object_new_string (ferry_ip_format (src, buf)));
  json_object_object_add (t, "dst", json_object_new_string (ferry_ip_format (dst, buf)));
  json_object_object_add (t, "sport", json_object_new_int (sport));
  json_object_object_add (t, "dport", json_object_new_int (dport));
  return t;
}

json_object *
ferry_conntrack_entry_json (const struct ferry_conntrack_entry *e)
{
  json_object *o = json_object_new_object ();

  json_object_object_add (o, "orig", tuple_json (e->orig_src, e->orig_dst, e->orig_sport, e->orig_dport));
  json_object_object_add (o, "reply",
                          tuple_json (e->reply_src, e->reply_dst, e->reply_sport, e->reply_dport));
  json_object_object_add (o, "timeout", json_object_new_int64 (e->timeout));
  return o;
}

static int
port_of (json_object *t, const char *key, uint16_t *out)
{
  json_object *v = NULL;
  int64_t n;

  if (! json_object_object_get_ex (t, key, &v) || ! json_object_is_type (v, json_type_int))
    return -1;
  n = json_object_get_int64 (v);
  if (n < 1 || n > 65535)
    return -1;
  *out = (uint16_t) n;
  return 0;
}

static int
tuple_parse (json_object *t, uint32_t *src, uint32_t *dst, uint16_t *sport, uint16_t *dport)
{
  const char *s = NULL, *d = NULL;
  json_object *v = NULL;

  if (t == NULL || ! json_object_is_type (t, json_type_object))
    return -1;
  if (json_object_object_get_ex (t, "src", &v))
    s = ferry_json_string_value (v);
  if (json_object_object_get_ex (t, "dst", &v))
    d = ferry_json_string_value (v);
  if (s == NULL || d == NULL || ferry_ip_parse (s, src) < 0 || ferry_ip_parse (d, dst) < 0)
    return -1;
  return port_of (t, "sport", sport) < 0 || port_of (t, "dport", dport) < 0 ? -1 : 0;
}

int
ferry_conntrack_entry_parse (json_object *j, struct ferry_conntrack_entry *e)
{
  json_object *timeout = NULL;
  int64_t t;

  if (j == NULL || ! json_object_is_type (j, json_type_object)
      || tuple_parse (ferry_json_get_object (j, "orig"), &e->orig_src, &e->orig_dst, &e->orig_sport,
                      &e->orig_dport)
             < 0
      || tuple_parse (ferry_json_get_object (j, "reply"), &e->reply_src, &e->reply_dst, &e->reply_sport,
                      &e->reply_dport)
             < 0)
    return -1;
  if (! json_object_object_get_ex (j, "timeout", &timeout) || ! json_object_is_type (timeout, json_type_int))
    return -1;
  t = json_object_get_int64 (timeout);
  if (t < 1)
    return -1;
  e->timeout = t > FERRY_CONNTRACK_TIMEOUT_MAX ? FERRY_CONNTRACK_TIMEOUT_MAX : (uint32_t) t;
  return 0;
}
