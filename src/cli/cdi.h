/* ferry CLI: run and create's --gpus, --seccomp-policy and --rdt-class,
 * into engine/cdi.h's options (--device takes CDI names as paths are
 * taken, and the global --cdi-spec-dir is common.h's).  */
#ifndef FERRY_CLI_CDI_H
#define FERRY_CLI_CDI_H

#include "engine/cdi.h"

#include <getopt.h>
#include <stddef.h>

enum
{
  OPT_CDI_GPUS = 0x2100,
  OPT_CDI_SECCOMP_POLICY,
  OPT_CDI_RDT_CLASS,
};

#define FERRY_CDI_OPTIONS                                                                                    \
  { "gpus", required_argument, NULL, OPT_CDI_GPUS },                                                         \
      { "seccomp-policy", required_argument, NULL, OPT_CDI_SECCOMP_POLICY },                                 \
  {                                                                                                          \
    "rdt-class", required_argument, NULL, OPT_CDI_RDT_CLASS                                                  \
  }

#define FERRY_CDI_OPTIONS_HELP                                                                               \
  "      --device VENDOR/CLASS=NAME  a CDI device, as the CDI specs in --cdi-spec-dir (default\n"            \
  "                           /etc/cdi and /var/run/cdi) describe it, applied at each start\n"               \
  "                           (repeatable)\n"                                                                \
  "      --gpus GPU[,GPU]     the CDI devices nvidia.com/gpu=GPU, as Podman maps them (all: the\n"           \
  "                           device all of NVIDIA's CDI spec; repeatable)\n"                                \
  "      --rdt-class CLASS    the Intel RDT class of service the runtime puts the container in\n"            \
  "                           (ignored by runc on a host without resctrl, as with Podman)\n"                 \
  "      --seccomp-policy POLICY  default, or image: the seccomp profile in the image's\n"                   \
  "                           io.containers.seccomp.profile label\n"

struct ferry_cli_cdi
{
  struct ferry_cdi_options o;
  size_t n_gpus;
};

/* Takes option C (ARG) into S: 1 when C is none of these, 0 when taken,
 * -1 after printing the error.  */
int ferry_cli_cdi_option (int c, const char *arg, struct ferry_cli_cdi *s);

void ferry_cli_cdi_release (struct ferry_cli_cdi *s);

#endif
