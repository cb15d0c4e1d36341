/* The words findings share: addresses, ranges, lists, a cluster's pods and
 * DNS servers. Every string is in the arena and never NULL: a failed
 * allocation gives "" and marks the arena, which the rules check once at the
 * end, so a result can go straight into the next printf. Internal to
 * analyze/. */
#ifndef ANALYZE_WORDS_H
#define ANALYZE_WORDS_H

#include <stdbool.h>

#include "reachmap/arena.h"
#include "reachmap/cidr.h"
#include "reachmap/topology.h"

/* s, or "" for NULL. */
const char *an_ne(const char *s);

/* "10.200.1.10"; "10.200.0.0/16". */
const char *an_addr(struct rm_arena *a, const struct rm_addr *x);
const char *an_prefix(struct rm_arena *a, const struct rm_prefix *x);

/* "list, item", or item when list is empty. */
const char *an_join(struct rm_arena *a, const char *list, const char *item);

/* "10.200.0.0/16, 10.201.0.0/16": the cluster's pod ranges, or its name
 * when it declares none. */
const char *an_pods(struct rm_arena *a, const struct rm_cluster *cl);

/* "10.96.0.10, 10.96.0.11": the cluster's DNS servers, "" when none. */
const char *an_dns_servers(struct rm_arena *a, const struct rm_cluster *cl);

/* A one-element list holding s (a finding's zones or probes), or NULL. */
const char **an_one(struct rm_arena *a, const char *s);

/* Whether x lies in one of the cluster's pod ranges. */
bool an_in_pods(const struct rm_cluster *cl, const struct rm_addr *x);

#endif
