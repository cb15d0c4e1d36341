/* `reachmap init`: a topology from what users already have, the output of
 * `kubectl get nodes,pods,services -A -o json` per cluster and, where there
 * is one, a K8ssandraCluster (k8ssandra.io/v1alpha1) or CassandraDatacenter
 * (cassandra.datastax.com/v1beta1). Pure: parsed bytes in, the topology's
 * text out, with a comment on each value saying where it came from. No
 * I/O; cli/init.c reads the files and writes the result. */
#ifndef REACHMAP_KUBE_INIT_H
#define REACHMAP_KUBE_INIT_H

#include <stddef.h>
#include <stdio.h>

#include "reachmap/diag.h"

/* One --from file: its name for messages and comments, its bytes, and the
 * cluster it describes (NULL: the file name without directory and
 * extension). */
struct kube_input {
	const char *path;
	const char *cluster;
	const char *text;
	size_t len;
};

struct kube_init_opts {
	unsigned probes_per_zone; /* 1 and up */
};

struct kube_topo;

/* Reads every input: a file holding Nodes is a cluster (in the order
 * given); a file holding only K8ssandraCluster or CassandraDatacenter
 * objects gives Cassandra's ports and names to every cluster. 0 and *out
 * (free with kube_topo_free); RM_EINVAL or RM_EPARSE with diag->error
 * "FILE: items[3].spec.podCIDR: what is wrong" (or "FILE:LINE:COL: ..."
 * for text that is not JSON); RM_ENOMEM. Warnings (a node without a zone)
 * go to diag. */
int kube_init_build(const struct kube_input *in, size_t n, const struct kube_init_opts *opts,
		    struct kube_topo **out, struct rm_diag *diag);

/* The topology as YAML, with its provenance comments; 0, or RM_EIO when
 * out reports an error. */
int kube_init_write(const struct kube_topo *t, FILE *out);

void kube_topo_free(struct kube_topo *t);

#endif
