/* ferry: image scp (image_scp.h).  */
#include "image_scp.h"
#include "connections.h"
#include "../image/load.h"
#include "../image/save.h"
#include "../util/cleanup.h"
#include "../util/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* How long the receiving end may take, once all the image has gone, to
 * unpack and record it (and any end to exit).  */
#define FINISH_TIMEOUT_MS (10 * 60 * 1000)

static const char scp_hint[] = "give IMAGE, or [USER@]HOST[:PORT]::[IMAGE]";

void
ferry_scp_end_release (struct ferry_scp_end *end)
{
  ferry_ssh_dest_release (&end->dest);
  free (end->host);
  free (end->image);
  memset (end, 0, sizeof (*end));
}

int
ferry_scp_end_parse (const char *arg, struct ferry_scp_end *end, ferry_error_t *err)
{
  const char *sep = strstr (arg, "::");
  const char *host, *slash;
  cleanup_free char *url = NULL;
  size_t n;

  memset (end, 0, sizeof (*end));
  if (sep == NULL)
    {
      if (*arg == '\0')
        return ferry_make_error (err, 0, "empty image name: %s", scp_hint);
      end->image = xstrdup (arg);
      return 0;
    }
  if (strstr (sep + 2, "::"))
    return ferry_make_error (err, 0, "invalid `%s`: one `::` parts the host from the image; %s", arg,
                             scp_hint);
  host = arg;
  n = (size_t) (sep - arg);
  if (n > 6 && strncmp (host, "ssh://", 6) == 0)
    {
      host += 6;
      n -= 6;
    }
  if (n == 0)
    return ferry_make_error (err, 0, "no host before `::` in `%s`: %s", arg, scp_hint);
  end->host = xstrndup (host, n);
  /* A name of Podman's connections file.  */
  switch (ferry_connection_ssh_dest (end->host, &end->dest, err))
    {
    case 1:
      end->remote = true;
      if (sep[2])
        end->image = xstrdup (sep + 2);
      return 0;
    case -1:
      goto fail;
    default:
      break;
    }
  /* Podman's USER@HOST:PORT/PATH names the socket of a Podman service
   * there; ferry runs ferry there instead.  */
  slash = strchr (end->host, '/');
  if (slash)
    {
      ferry_make_error (err, 0,
                        "`%s` names a service socket (%s), and ferry has no service: give "
                        "[USER@]HOST[:PORT]::, and ferry runs ferry there through ssh",
                        arg, slash);
      goto fail;
    }
  {
    const char *at = strrchr (end->host, '@');
    const char *name = at ? at + 1 : end->host;
    size_t len = strcspn (name, ":");

    /* Podman's copy between users' stores on one host.  */
    if ((len == 9 && strncmp (name, "localhost", 9) == 0)
        || (len == 9 && strncmp (name, "127.0.0.1", 9) == 0))
      {
        ferry_make_error (err, 0,
                          "`%s` is this host: Podman copies between users' stores there, and ferry has "
                          "one store per --root; copy between roots with `ferry save IMAGE | ferry --root "
                          "DIR load`",
                          arg);
        goto fail;
      }
  }
  url = xasprintf ("ssh://%s", end->host);
  if (ferry_ssh_dest_parse (url, &end->dest, err) < 0)
    {
      ferry_error_release (err);
      ferry_make_error (err, 0, "invalid host `%s` in `%s`: %s", end->host, arg, scp_hint);
      goto fail;
    }
  end->remote = true;
  if (sep[2])
    end->image = xstrdup (sep + 2);
  return 0;

fail:
  ferry_scp_end_release (end);
  return -1;
}

/* "ferry save -q --format oci-archive IMAGE" or "ferry load [-q]" on
 * END's host, as an ssh command line.  */
static char **
remote_argv (const struct ferry_scp_end *end, bool save, bool quiet)
{
  const char *save_args[] = { "save", "-q", "--format", "oci-archive", end->image, NULL };
  const char *load_args[] = { "load", quiet ? "-q" : NULL, NULL };
  static const char *const options[] = { "-o", "BatchMode=yes", NULL };
  cleanup_free char *command = ferry_ssh_ferry_command (NULL, NULL, save ? save_args : load_args);

  return ferry_ssh_argv (&end->dest, options, command);
}

/* Why END's ferry (or ssh) failed, from its wait STATUS and its last
 * words, into ERR (replacing what ERR held).  WHAT: "save" or "load".  */
static int
remote_failed (struct ferry_ssh_link *l, const struct ferry_scp_end *end, int status, const char *what,
               const char *image, ferry_error_t *err)
{
  cleanup_free char *why = ferry_ssh_link_stderr_line (l);

  ferry_error_release (err);
  if (why)
    return ferry_make_error (err, 0, "cannot %s image %s on %s: %s", what, image, end->host, why);
  if (WIFEXITED (status))
    return ferry_make_error (err, 0, "cannot %s image %s on %s: ssh exited with %d", what, image, end->host,
                             WEXITSTATUS (status));
  return ferry_make_error (err, 0, "cannot %s image %s on %s: ssh was killed", what, image, end->host);
}

static bool
status_ok (int status)
{
  return status >= 0 && WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

/* Copies what the receiving ferry prints ("Loaded image: NAME") to OUT.  */
static void
relay_lines (struct ferry_ssh_link *l, FILE *out, bool quiet)
{
  char *line;

  while ((line = ferry_ssh_link_read_line (l, FINISH_TIMEOUT_MS)) != NULL)
    {
      if (! quiet)
        fprintf (out, "%s\n", line);
      free (line);
    }
  fflush (out);
}

static void
print_progress (void *ctx, const char *kind, const char *digest)
{
  FILE *f = ctx;

  if (strcmp (kind, "manifest") == 0)
    fputs ("Writing manifest to image destination\n", f);
  else
    fprintf (f, "Copying %s %s\n", kind, digest);
}

/* This host's image into ferry load on DEST's host.  */
static int
to_remote (ferry_store_t *s, const struct ferry_image_scp_request *req, ferry_error_t *err)
{
  const struct ferry_scp_end *dest = req->destination;
  cleanup_strv char **argv = remote_argv (dest, false, req->quiet);
  char *refs[] = { req->source->image, NULL };
  struct ferry_save_request sr
      = { .format = FERRY_SAVE_OCI_ARCHIVE, .refs = refs, .n_refs = 1, .out_fd = -1 };
  struct ferry_image *img = NULL;
  struct ferry_ssh_link l;
  int status, saved;

  /* Nothing starts for an image this host does not have.  */
  if (ferry_store_lookup (s, req->source->image, &img, err) < 0)
    return -1;
  ferry_image_free (img);
  if (ferry_ssh_link_start (&l, argv, -1, -1, err) < 0)
    return -1;
  sr.out_fd = l.in;
  if (! req->quiet && req->progress)
    {
      sr.progress = print_progress;
      sr.progress_ctx = req->progress;
    }
  saved = ferry_image_save (s, &sr, NULL, err);
  /* The end of the archive, for the load there to finish.  */
  close (l.in);
  l.in = -1;
  relay_lines (&l, req->out, req->quiet);
  status = ferry_ssh_link_finish (&l, FINISH_TIMEOUT_MS);
  if (saved < 0)
    {
      cleanup_free char *why = status_ok (status) ? NULL : ferry_ssh_link_stderr_line (&l);

      /* A save cut short by the other end's going says why it went.  */
      if (why)
        return remote_failed (&l, dest, status, "load", req->source->image, err);
      return -1;
    }
  if (! status_ok (status))
    return remote_failed (&l, dest, status, "load", req->source->image, err);
  return 0;
}

/* An image on SOURCE's host into this host's store.  */
static int
from_remote (ferry_store_t *s, const struct ferry_image_scp_request *req, ferry_error_t *err)
{
  const struct ferry_scp_end *src = req->source;
  cleanup_strv char **argv = remote_argv (src, true, req->quiet);
  cleanup_free char *name = xasprintf ("%s::%s", src->host, src->image);
  struct ferry_load_report report = { 0 };
  struct ferry_ssh_link l;
  int status, loaded;

  if (ferry_ssh_link_start (&l, argv, -1, -1, err) < 0)
    return -1;
  loaded = ferry_image_load_fd (s, l.out, name, &report, err);
  status = ferry_ssh_link_finish (&l, FINISH_TIMEOUT_MS);
  if (! status_ok (status))
    {
      ferry_load_report_free (&report);
      return remote_failed (&l, src, status, "save", src->image, err);
    }
  if (loaded < 0)
    return -1;
  for (size_t i = 0; ! req->quiet && report.loaded[i]; i++)
    fprintf (req->out, "Loaded image: %s\n", report.loaded[i]);
  fflush (req->out);
  ferry_load_report_free (&report);
  return 0;
}

/* From SOURCE's host straight into DESTINATION's: one ssh's output is the
 * other's input.  */
static int
between_remotes (const struct ferry_image_scp_request *req, ferry_error_t *err)
{
  const struct ferry_scp_end *src = req->source, *dest = req->destination;
  cleanup_strv char **save_argv = remote_argv (src, true, req->quiet);
  cleanup_strv char **load_argv = remote_argv (dest, false, req->quiet);
  struct ferry_ssh_link from, to;
  int p[2], from_status, to_status;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return ferry_make_error (err, errno, "cannot make a pipe");
  if (ferry_ssh_link_start (&from, save_argv, -1, p[1], err) < 0)
    {
      close (p[0]);
      close (p[1]);
      return -1;
    }
  close (p[1]);
  if (ferry_ssh_link_start (&to, load_argv, p[0], -1, err) < 0)
    {
      close (p[0]);
      ferry_ssh_link_finish (&from, 0);
      return -1;
    }
  close (p[0]);
  relay_lines (&to, req->out, req->quiet);
  from_status = ferry_ssh_link_finish (&from, FINISH_TIMEOUT_MS);
  to_status = ferry_ssh_link_finish (&to, FINISH_TIMEOUT_MS);
  if (! status_ok (from_status))
    return remote_failed (&from, src, from_status, "save", src->image, err);
  if (! status_ok (to_status))
    return remote_failed (&to, dest, to_status, "load", src->image, err);
  return 0;
}

int
ferry_image_scp (ferry_store_t *s, const struct ferry_image_scp_request *req, ferry_error_t *err)
{
  const struct ferry_scp_end *src = req->source, *dest = req->destination;

  if (src->image == NULL)
    return ferry_make_error (err, 0, "no image named after `%s::`: give [USER@]HOST[:PORT]::IMAGE",
                             src->host);
  if (dest && ! dest->remote)
    return ferry_make_error (err, 0, "invalid destination `%s`: give [USER@]HOST[:PORT]::", dest->image);
  if (dest && dest->image)
    return ferry_make_error (err, 0,
                             "`%s::%s` names an image after `::`: the destination takes none, as the image "
                             "keeps its names (ferry streams it, with no file there)",
                             dest->host, dest->image);
  if (! src->remote && dest == NULL)
    return ferry_make_error (err, 0, "must specify a destination: give [USER@]HOST[:PORT]:: after the image");
  if (! src->remote)
    return to_remote (s, req, err);
  if (dest == NULL)
    return from_remote (s, req, err);
  return between_remotes (req, err);
}
