/* ferry: `generate kube` (alias `kube generate`), Kubernetes YAML of
 * containers and volumes in the shape of Podman 5.4's.
 *
 * The containers given become one Pod (or a Deployment, DaemonSet or Job
 * around the Pod's template), each volume a PersistentVolumeClaim, and
 * with service a NodePort Service in front of the containers' ports.  The
 * YAML is Podman's byte for byte for the same containers, apart from the
 * creation time and the version comment; where Podman's own output
 * varies (the order of environment variables, of groups of ports and of
 * mounts, which it takes from Go maps, and the NodePorts, which it draws
 * at random in 30000-32767) ferry keeps the order they were given in and
 * draws its own.  ferry has no
 * pods, so a pod's name is not found, as any other unknown name.  */
#ifndef FERRY_ENGINE_KUBE_H
#define FERRY_ENGINE_KUBE_H

#include "engine.h"

struct ferry_kube_options
{
  /* --type: pod (NULL too), deployment, daemonset or job; checked only
   * when there are containers, as Podman does.  */
  const char *type;
  int replicas;    /* Deployment's; 1: left out, as Podman does */
  int service;     /* a Service as well; container ports then have no hostPort */
  int podman_only; /* Podman's reserved annotations too (io.podman.annotations.*) */
};

/* The YAML of REFS (N names or IDs of containers or volumes) in *YAML,
 * header comment included.  A name that is neither: kind NOT_FOUND,
 * `name or ID "X" not found`.  */
int ferry_kube_generate (ferry_engine_t *e, char *const *refs, size_t n, const struct ferry_kube_options *o,
                         char **yaml, ferry_error_t *err);

#endif
