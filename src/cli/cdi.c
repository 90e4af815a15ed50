/* ferry CLI: run and create's --gpus, --seccomp-policy, --rdt-class
 * (cdi.h).  */
#include "cdi.h"
#include "common.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

int
ferry_cli_cdi_option (int c, const char *arg, struct ferry_cli_cdi *s)
{
  switch (c)
    {
    case OPT_CDI_GPUS:
      {
        /* A list, as Podman's: each comma-separated GPU, empty ones
         * left out.  */
        cleanup_free char *copy = xstrdup (arg);
        char *save = NULL;

        for (char *one = strtok_r (copy, ",", &save); one; one = strtok_r (NULL, ",", &save))
          {
            s->o.gpus = xrealloc (s->o.gpus, sizeof (char *) * (s->n_gpus + 2));
            s->o.gpus[s->n_gpus++] = xstrdup (one);
            s->o.gpus[s->n_gpus] = NULL;
          }
        return 0;
      }
    case OPT_CDI_SECCOMP_POLICY:
      {
        cleanup_free char *why = ferry_cdi_seccomp_policy_error (arg);
        if (why)
          return ferry_cli_failf ("%s", why);
        s->o.seccomp_policy = arg;
        return 0;
      }
    case OPT_CDI_RDT_CLASS:
      s->o.rdt_class = arg;
      return 0;
    default:
      return 1;
    }
}

void
ferry_cli_cdi_release (struct ferry_cli_cdi *s)
{
  ferry_cleanup_strvp (&s->o.gpus);
}
