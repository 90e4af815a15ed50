/* ferry CLI: --userns, --uidmap, --gidmap, --subuidname, --subgidname
 * (userns.h).  */
#include "userns.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#include <stdlib.h>

static char **
push (char **list, size_t *n, const char *arg)
{
  list = xrealloc (list, sizeof (char *) * (*n + 2));
  list[(*n)++] = xstrdup (arg);
  list[*n] = NULL;
  return list;
}

int
ferry_cli_userns_option (int c, const char *arg, struct ferry_cli_userns *u)
{
  switch (c)
    {
    case OPT_USERNS_MODE:
      u->o.mode = arg;
      return 0;
    case OPT_USERNS_UIDMAP:
      u->o.uidmap = push (u->o.uidmap, &u->n_uidmap, arg);
      return 0;
    case OPT_USERNS_GIDMAP:
      u->o.gidmap = push (u->o.gidmap, &u->n_gidmap, arg);
      return 0;
    case OPT_USERNS_SUBUIDNAME:
      u->o.subuidname = arg;
      return 0;
    case OPT_USERNS_SUBGIDNAME:
      u->o.subgidname = arg;
      return 0;
    default:
      return 1;
    }
}

void
ferry_cli_userns_release (struct ferry_cli_userns *u)
{
  ferry_cleanup_strvp (&u->o.uidmap);
  ferry_cleanup_strvp (&u->o.gidmap);
}
