/* ferry CLI: run and create's systemd flags (systemd.h).  */
#include "systemd.h"
#include "common.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/parse.h"
#include "util/xalloc.h"

#include <stdlib.h>
#include <string.h>

int
ferry_cli_systemd_option (int c, const char *arg, struct ferry_cli_systemd *s)
{
  switch (c)
    {
    case OPT_SYSTEMD_MODE:
      s->o.systemd = arg;
      return 0;
    case OPT_SYSTEMD_SHM_SIZE:
      if (ferry_parse_size (arg, &s->o.shm_size_systemd) < 0 || s->o.shm_size_systemd <= 0)
        return ferry_cli_failf ("unable to translate --shm-size-systemd: invalid size: '%s'", arg);
      return 0;
    case OPT_SYSTEMD_SDNOTIFY:
      s->o.sdnotify = arg;
      return 0;
    case OPT_SYSTEMD_REQUIRES:
      s->o.requires = xrealloc (s->o.requires, sizeof (char *) * (s->n_requires + 2));
      s->o.requires[s->n_requires++] = xstrdup (arg);
      s->o.requires[s->n_requires] = NULL;
      return 0;
    default:
      return 1;
    }
}

void
ferry_cli_systemd_command_line (struct ferry_cli_systemd *s, int trailing)
{
  cleanup_free char *text = NULL;
  size_t len = 0, n = 0;
  ferry_error_t err = NULL;

  if (ferry_read_file ("/proc/self/cmdline", &text, &len, &err) < 0)
    {
      ferry_error_release (&err);
      return;
    }
  for (size_t i = 0; i < len; i++)
    n += text[i] == '\0';
  s->o.create_command = xmalloc0 (sizeof (char *) * (n + 1));
  for (size_t i = 0, k = 0; i < len && k < n; k++)
    {
      s->o.create_command[k] = xstrdup (text + i);
      i += strlen (text + i) + 1;
    }
  s->o.create_command_image = trailing > 0 && (size_t) trailing <= n ? n - (size_t) trailing : n;
}

void
ferry_cli_systemd_release (struct ferry_cli_systemd *s)
{
  ferry_cleanup_strvp (&s->o.requires);
  ferry_cleanup_strvp (&s->o.create_command);
}
