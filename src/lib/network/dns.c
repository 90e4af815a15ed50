/* ferry: resolv.conf and hosts of containers (see dns.h).  */
#include "dns.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DNS_NAME_MAX 253
#define DNS_LABEL_MAX 63
#define DNS_OPTION_MAX 64

int
ferry_dns_ip_canonical (const char *text, char out[FERRY_IP_TEXT_MAX])
{
  unsigned char addr[16];

  if (text == NULL)
    return -1;
  if (inet_pton (AF_INET, text, addr) == 1)
    return inet_ntop (AF_INET, addr, out, FERRY_IP_TEXT_MAX) ? 0 : -1;
  /* A zone ("fe80::1%eth0") means nothing inside the container.  */
  if (inet_pton (AF_INET6, text, addr) == 1)
    return inet_ntop (AF_INET6, addr, out, FERRY_IP_TEXT_MAX) ? 0 : -1;
  return -1;
}

static bool
is_alnum (char ch)
{
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

bool
ferry_dns_name_is_valid (const char *name)
{
  size_t len, label = 0, i;

  if (name == NULL)
    return false;
  len = strlen (name);
  if (len > 0 && name[len - 1] == '.')
    len--;
  if (len == 0 || len > DNS_NAME_MAX)
    return false;
  for (i = 0; i <= len; i++)
    {
      char ch = i < len ? name[i] : '.';

      if (ch == '.')
        {
          /* Empty, or beginning or ending with `-`.  */
          if (label == 0 || name[i - 1] == '-')
            return false;
          label = 0;
          continue;
        }
      if (! is_alnum (ch) && ! (ch == '-' && label > 0))
        return false;
      if (++label > DNS_LABEL_MAX)
        return false;
    }
  return true;
}

bool
ferry_dns_option_is_valid (const char *option)
{
  size_t len = option ? strlen (option) : 0;

  if (len == 0 || len > DNS_OPTION_MAX)
    return false;
  for (size_t i = 0; i < len; i++)
    if (! is_alnum (option[i]) && ! strchr (":._-", option[i]))
      return false;
  return true;
}

bool
ferry_host_entry_is_valid (const char *entry)
{
  const char *colon = entry ? strchr (entry, ':') : NULL;
  cleanup_free char *names = NULL;
  char ip[FERRY_IP_TEXT_MAX];
  char *save = NULL, *one;
  int n = 0;

  if (colon == NULL || colon == entry)
    return false;
  if (strcmp (colon + 1, FERRY_HOST_GATEWAY) != 0
      && (ferry_dns_ip_canonical (colon + 1, ip) < 0 || strcmp (ip, colon + 1) != 0))
    return false;
  names = xstrndup (entry, colon - entry);
  if (names[0] == ';' || names[strlen (names) - 1] == ';' || strstr (names, ";;"))
    return false;
  for (one = strtok_r (names, ";", &save); one; one = strtok_r (NULL, ";", &save), n++)
    if (! ferry_dns_name_is_valid (one))
      return false;
  return n > 0;
}

char *
ferry_host_entry_canonical (const char *entry)
{
  const char *colon = entry ? strchr (entry, ':') : NULL;
  char ip[FERRY_IP_TEXT_MAX];
  char *out;

  if (colon == NULL)
    return NULL;
  if (strcmp (colon + 1, FERRY_HOST_GATEWAY) == 0)
    out = xstrdup (entry);
  else if (ferry_dns_ip_canonical (colon + 1, ip) == 0)
    out = xasprintf ("%.*s:%s", (int) (colon - entry), entry, ip);
  else
    return NULL;
  if (! ferry_host_entry_is_valid (out))
    {
      free (out);
      return NULL;
    }
  return out;
}

/* ---- text ---------------------------------------------------------------- */

struct text
{
  char *data;
  size_t len, cap;
};

/* Grown by doubling: the files are the container's to write, so a
 * million fields must not cost a million copies.  */
static void
text_add (struct text *t, const char *s)
{
  size_t n = strlen (s);

  if (t->len + n + 1 > t->cap)
    {
      t->cap = t->cap ? t->cap : 256;
      while (t->len + n + 1 > t->cap)
        t->cap *= 2;
      t->data = xrealloc (t->data, t->cap);
    }
  memcpy (t->data + t->len, s, n + 1);
  t->len += n;
}

static char *
text_take (struct text *t)
{
  return t->data ? t->data : xstrdup ("");
}

/* A NULL-terminated list with its length.  */
struct strv
{
  char **v;
  size_t len;
  size_t cap; /* entries v has room for, its NULL included */
};

/* Appends a copy of X, doubling the room as it runs out: a resolv.conf's
 * search line may hold half a million names, and growing by one each
 * time would copy the list that many times where realloc cannot extend
 * it in place.  */
static void
strv_append (struct strv *s, const char *x)
{
  if (s->len + 2 > s->cap)
    {
      s->cap = s->cap ? s->cap * 2 : 8;
      s->v = xrealloc (s->v, s->cap * sizeof (char *));
    }
  s->v[s->len++] = xstrdup (x);
  s->v[s->len] = NULL;
}

static void
strv_clear (struct strv *s)
{
  ferry_cleanup_strvp (&s->v);
  memset (s, 0, sizeof (*s));
}

/* A set of names, hashed: a host file's names are many and its own.  */
static bool
set_has (json_object *set, const char *name)
{
  return json_object_object_get_ex (set, name, NULL);
}

static void
set_add (json_object *set, const char *name)
{
  if (! set_has (set, name))
    json_object_object_add (set, name, NULL);
}

/* ---- resolv.conf --------------------------------------------------------- */

struct host_resolv
{
  struct strv nameservers;
  struct strv searches; /* the last search line's */
  struct strv options;  /* the last options line's */
};

static void
host_resolv_clear (struct host_resolv *h)
{
  strv_clear (&h->nameservers);
  strv_clear (&h->searches);
  strv_clear (&h->options);
}

static bool
unreachable_from_netns (const char *server)
{
  return strncmp (server, "127.", 4) == 0 || strchr (server, ':') != NULL;
}

/* Reads what matters of TEXT, the way the C library does: a keyword,
 * fields, `#` or `;` starts a comment.  */
static void
host_resolv_parse (const char *text, bool own_netns, struct host_resolv *h)
{
  cleanup_free char *copy = xstrdup (text ? text : "");
  char *save = NULL, *line;

  memset (h, 0, sizeof (*h));
  for (line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *fsave = NULL, *key, *field;
      struct strv *list;

      line[strcspn (line, "#;")] = '\0';
      key = strtok_r (line, " \t\r", &fsave);
      if (key == NULL)
        continue;
      if (strcmp (key, "nameserver") == 0)
        {
          char ip[FERRY_IP_TEXT_MAX];

          field = strtok_r (NULL, " \t\r", &fsave);
          if (ferry_dns_ip_canonical (field, ip) == 0 && ! (own_netns && unreachable_from_netns (ip)))
            strv_append (&h->nameservers, ip);
          continue;
        }
      if (strcmp (key, "search") == 0)
        list = &h->searches;
      else if (strcmp (key, "options") == 0)
        list = &h->options;
      else
        continue;
      strv_clear (list);
      while ((field = strtok_r (NULL, " \t\r", &fsave)))
        strv_append (list, field);
    }
}

static void
add_line (struct text *t, const char *keyword, char **items)
{
  if (ferry_strv_length (items) == 0)
    return;
  text_add (t, keyword);
  for (size_t i = 0; items[i]; i++)
    {
      text_add (t, " ");
      text_add (t, items[i]);
    }
  text_add (t, "\n");
}

char *
ferry_resolv_conf_build (const char *host_text, const struct ferry_resolv_params *p)
{
  struct host_resolv host;
  struct text t = { 0 };
  struct strv searches = { 0 };
  cleanup_json json_object *seen = json_object_new_object ();
  char **nameservers;
  size_t i;

  host_resolv_parse (host_text, p->own_netns, &host);
  if (ferry_strv_length (p->searches))
    {
      if (! ferry_strv_contains (p->searches, "."))
        for (i = 0; p->searches[i]; i++)
          strv_append (&searches, p->searches[i]);
    }
  else
    {
      for (i = 0; p->network_searches && p->network_searches[i]; i++)
        {
          strv_append (&searches, p->network_searches[i]);
          set_add (seen, p->network_searches[i]);
        }
      for (i = 0; host.searches.v && host.searches.v[i]; i++)
        if (! set_has (seen, host.searches.v[i]))
          {
            strv_append (&searches, host.searches.v[i]);
            set_add (seen, host.searches.v[i]);
          }
    }
  if (ferry_strv_length (p->network_nameservers))
    nameservers = p->network_nameservers;
  else if (ferry_strv_length (p->nameservers))
    nameservers = p->nameservers;
  else
    nameservers = p->no_host_nameservers ? NULL : host.nameservers.v;
  add_line (&t, "search", searches.v);
  strv_clear (&searches);
  for (i = 0; nameservers && nameservers[i]; i++)
    {
      text_add (&t, "nameserver ");
      text_add (&t, nameservers[i]);
      text_add (&t, "\n");
    }
  add_line (&t, "options", ferry_strv_length (p->options) ? p->options : host.options.v);
  host_resolv_clear (&host);
  return text_take (&t);
}

/* ---- hosts --------------------------------------------------------------- */

/* Adds "IP\tNAMES\n" for the NAMES not in TAKEN (the user's).  */
static void
add_hosts_line (struct text *t, const char *ip, const char *const *names, json_object *taken)
{
  bool any = false;

  for (size_t i = 0; names[i]; i++)
    {
      if (set_has (taken, names[i]))
        continue;
      text_add (t, any ? " " : ip);
      if (! any)
        text_add (t, "\t");
      text_add (t, names[i]);
      any = true;
    }
  if (any)
    text_add (t, "\n");
}

/* TEXT's lines as Podman writes a base file's: comments and lines of an
 * address alone dropped, each "IP\tNAMES"; their names into TAKEN.  */
static void
add_base_lines (struct text *t, const char *text, json_object *taken)
{
  cleanup_free char *copy = xstrdup (text);
  char *save = NULL, *line;

  for (line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char *fsave = NULL, *ip, *field;
      bool any = false;

      line[strcspn (line, "#")] = '\0';
      ip = strtok_r (line, " \t\r", &fsave);
      while (ip && (field = strtok_r (NULL, " \t\r", &fsave)))
        {
          text_add (t, any ? " " : ip);
          if (! any)
            text_add (t, "\t");
          text_add (t, field);
          any = true;
          set_add (taken, field);
        }
      if (any)
        text_add (t, "\n");
    }
}

char *
ferry_etc_hosts_build (const struct ferry_hosts_params *p)
{
  static const char *const LOCALHOST[] = { "localhost", NULL };
  static const char *const INTERNAL[] = { "host.containers.internal", "host.docker.internal", NULL };
  const char *own[] = { p->hostname, p->name, NULL };
  cleanup_json json_object *taken = json_object_new_object ();
  struct text t = { 0 };
  size_t i;

  for (i = 0; p->extra_hosts && p->extra_hosts[i]; i++)
    {
      const char *colon = strchr (p->extra_hosts[i], ':');
      const char *ip = colon ? colon + 1 : NULL;
      cleanup_free char *list = NULL;
      char *save = NULL, *one;
      size_t j = 0;

      if (ip && strcmp (ip, FERRY_HOST_GATEWAY) == 0)
        ip = p->gateway;
      if (ip == NULL)
        continue;
      list = xstrndup (p->extra_hosts[i], colon - p->extra_hosts[i]);
      /* The user's lines stay as given, repeats included.  */
      for (one = strtok_r (list, ";", &save); one; one = strtok_r (NULL, ";", &save), j++)
        {
          text_add (&t, j ? " " : ip);
          if (j == 0)
            text_add (&t, "\t");
          text_add (&t, one);
          set_add (taken, one);
        }
      if (j)
        text_add (&t, "\n");
    }
  if (p->base_text)
    add_base_lines (&t, p->base_text, taken);
  /* As Podman's: each name the user's and the host file's lines do not
   * have.  */
  if (p->localhost)
    {
      add_hosts_line (&t, "127.0.0.1", LOCALHOST, taken);
      add_hosts_line (&t, "::1", LOCALHOST, taken);
    }
  if (p->internal_ip)
    add_hosts_line (&t, p->internal_ip, INTERNAL, taken);
  if (! p->no_own_line && ferry_strv_length (p->ips) == 0)
    add_hosts_line (&t, "127.0.0.1", own, taken);
  for (i = 0; ! p->no_own_line && p->ips && p->ips[i]; i++)
    add_hosts_line (&t, p->ips[i], own, taken);
  return text_take (&t);
}

/* ---- live edits (network connect and disconnect) ------------------------- */

/* The fields of LINE (edited in place) before its comment; NULL-terminated,
 * empty for a blank or comment line.  */
static char **
line_fields (char *line)
{
  struct strv fields = { 0 };
  char *save = NULL, *field;

  line[strcspn (line, "#")] = '\0';
  for (field = strtok_r (line, " \t\r", &save); field; field = strtok_r (NULL, " \t\r", &save))
    strv_append (&fields, field);
  return fields.v;
}

/* Whether FIELDS is "IP NAMES..." with IP one of IPS and exactly NAMES.  */
static bool
is_own_entry (char **fields, char **ips, const char *const *names)
{
  char ip[FERRY_IP_TEXT_MAX];
  size_t i;

  if (ferry_strv_length (fields) < 2 || ferry_dns_ip_canonical (fields[0], ip) < 0
      || ! ferry_strv_contains (ips, ip))
    return false;
  for (i = 0; names[i] && fields[i + 1]; i++)
    if (strcmp (names[i], fields[i + 1]) != 0)
      return false;
  return names[i] == NULL && fields[i + 1] == NULL;
}

/* Whether TEXT has an entry of IP for exactly NAMES.  */
static bool
hosts_has_entry (const char *text, const char *ip, const char *const *names)
{
  cleanup_free char *copy = xstrdup (text);
  char *ips[] = { (char *) ip, NULL };
  char *save = NULL, *line;

  for (line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      cleanup_strv char **fields = line_fields (line);
      if (is_own_entry (fields, ips, names))
        return true;
    }
  return false;
}

char *
ferry_etc_hosts_add_entries (const char *text, char **ips, const char *const *names)
{
  struct text t = { 0 };

  text_add (&t, text);
  if (t.len > 0 && t.data[t.len - 1] != '\n')
    text_add (&t, "\n");
  for (size_t i = 0; ips && ips[i]; i++)
    {
      if (hosts_has_entry (text, ips[i], names))
        continue;
      text_add (&t, ips[i]);
      for (size_t j = 0; names[j]; j++)
        {
          text_add (&t, j ? " " : "\t");
          text_add (&t, names[j]);
        }
      text_add (&t, "\n");
    }
  return text_take (&t);
}

char *
ferry_etc_hosts_remove_entries (const char *text, char **ips, const char *const *names)
{
  cleanup_free char *copy = xstrdup (text);
  struct text t = { 0 };
  char *save = NULL, *line;

  for (line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      cleanup_strv char **fields = line_fields (line);

      if (ferry_strv_length (fields) < 2 || is_own_entry (fields, ips, names))
        continue;
      text_add (&t, fields[0]);
      for (size_t j = 1; fields[j]; j++)
        {
          text_add (&t, j > 1 ? " " : "\t");
          text_add (&t, fields[j]);
        }
      text_add (&t, "\n");
    }
  return text_take (&t);
}

char *
ferry_resolv_conf_edit (const char *text, char **add, char **remove)
{
  struct host_resolv r;
  struct text t = { 0 };
  struct strv nameservers = { 0 };
  size_t i;

  host_resolv_parse (text, false, &r);
  for (i = 0; add && add[i]; i++)
    if (! ferry_strv_contains (r.nameservers.v, add[i]) && ! ferry_strv_contains (nameservers.v, add[i]))
      strv_append (&nameservers, add[i]);
  for (i = 0; r.nameservers.v && r.nameservers.v[i]; i++)
    if (! ferry_strv_contains (remove, r.nameservers.v[i]))
      strv_append (&nameservers, r.nameservers.v[i]);
  add_line (&t, "search", r.searches.v);
  for (i = 0; nameservers.v && nameservers.v[i]; i++)
    {
      text_add (&t, "nameserver ");
      text_add (&t, nameservers.v[i]);
      text_add (&t, "\n");
    }
  strv_clear (&nameservers);
  add_line (&t, "options", r.options.v);
  host_resolv_clear (&r);
  return text_take (&t);
}
