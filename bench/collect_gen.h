/* bench/collect's load: a synthetic fleet shaped like bench/analyze's (5
 * clusters, 3 zones each) and its rounds as an agent would push them.
 *
 * Every round of every probe covers the same D = 5 * per destinations (the
 * first `per` probes of each cluster) with 6 checks each: icmp, tcp/7000,
 * tcp/9042, dns, identity (8788), mtu. Almost all cells are healthy and the
 * same from round to round; a few tcp/7000 cells of each probe flap
 * between open and filtered, differently per probe and per round, so the
 * collector sees transitions. Started times come from the caller.
 *
 * A probe of the fleet is numbered k: cluster k % 5, index k / 5 in it, so
 * that any fleet size spreads over all clusters. */
#ifndef BENCH_COLLECT_GEN_H
#define BENCH_COLLECT_GEN_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <zlib.h>

#define GEN_CLUSTERS 5
#define GEN_VARIANTS 4 /* rtt patterns: probes of a cluster do not all send one text */
#define GEN_FLAPPY   4 /* tcp/7000 cells of a probe that change between rounds */

struct gen_buf {
	char *p;
	size_t n, cap;
};

/* The part of a round that does not change between rounds, for the probes
 * of one cluster and one rtt pattern: JSON text, its raw deflate stream
 * (ended by a sync flush, so more deflate data can follow it), its CRC-32;
 * and the same cells as Prometheus text. */
struct gen_mid {
	struct gen_buf json, z, prom;
	uLong crc;
};

struct gen {
	unsigned per;
	struct gen_mid mid[GEN_CLUSTERS][GEN_VARIANTS];
	z_stream zs; /* for the parts that change: reset, not freed, between them */
	struct gen_buf head, tail;
};

/* Builds the unchanging parts (per: destinations per cluster, 1..2000).
 * 0 or RM_ENOMEM. */
int gen_init(struct gen *g, unsigned per);
void gen_free(struct gen *g);

/* The topology as YAML text, with per_cluster probes in each cluster (at
 * least g->per, so every destination is in it). The buffer is the
 * caller's (gen_buf_free). 0 or RM_ENOMEM. */
int gen_topology(const struct gen *g, unsigned per_cluster, struct gen_buf *out);

/* Round `round` of fleet probe k, started at `started`, as the gzip body of
 * a POST /v1/results (out is overwritten). 0, RM_ENOMEM or RM_EIO (zlib). */
int gen_round_gzip(struct gen *g, unsigned k, unsigned round, time_t started, struct gen_buf *out);
/* The same round as plain JSON, written to f. 0 or RM_EIO. */
int gen_round_json(struct gen *g, unsigned k, unsigned round, time_t started, FILE *f);
/* The same cells as Prometheus text, one reachmap_cell_status gauge per
 * cell (1 healthy, 0 not). 0 or RM_ENOMEM. */
int gen_round_prom(struct gen *g, unsigned k, unsigned round, struct gen_buf *out);

/* Which of fleet probe k's GEN_FLAPPY cells fail in round `round`, one
 * bit each. */
unsigned gen_flap_mask(unsigned k, unsigned round);

/* The name of fleet probe k ("c1-p0000"). */
void gen_probe_name(unsigned k, char *buf, size_t len);

/* Appends n bytes. 0 or RM_ENOMEM. */
int gen_buf_add(struct gen_buf *b, const void *p, size_t n);
void gen_buf_free(struct gen_buf *b);

#endif
