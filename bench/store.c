/* bench/store: the collector store's put_round at the load: 1,000
 * probes push a round every 10 s (6,000 results each, about 1% of the
 * cells changing), i.e. 100 rounds a second to keep up. Prints rounds per
 * second, the results per second they stand for, and the latency
 * percentiles of put_round (what a push waits for before its 202).
 *
 * usage: bench-store [PROBES [ROUNDS [DOC_BYTES [full]]]]
 * The database goes to a temporary directory under /var/tmp (a disk, not
 * tmpfs, so commits and checkpoints cost what they will in production). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector/store.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"

#define CELLS	   6000 /* per round: every peer and target, every check */
#define CHANGED	   60	/* about 1% */
#define PORTS	   6
#define MAX_PROBES 10000

struct bench {
	unsigned probes, rounds;
	size_t doclen;
	bool full;
	char (*names)[24];
	unsigned char *status; /* current status of each cell: 0 open, 1 filtered */
	double *lat_ms;
	uint64_t rng;
};

static const uint16_t ports[PORTS] = { 7000, 7001, 7199, 9042, 8080, 22 };

static uint64_t next(struct bench *b)
{
	b->rng ^= b->rng << 13;
	b->rng ^= b->rng >> 7;
	b->rng ^= b->rng << 17;
	return b->rng;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The transitions of probe p's round at time at: CHANGED random cells of
 * its CELLS flip between open and filtered. */
static void round_changes(struct bench *b, unsigned p, int64_t at, struct store_transition *t)
{
	unsigned i, c;
	unsigned char *st;

	for (i = 0; i < CHANGED; i++) {
		c = (unsigned)(next(b) % CELLS);
		st = &b->status[(size_t)p * CELLS + c];
		t[i].cell.from = b->names[p];
		t[i].cell.to = b->names[(c / PORTS) % b->probes];
		t[i].cell.check = RM_CHECK_TCP;
		t[i].cell.port = ports[c % PORTS];
		t[i].first = false;
		t[i].old_status = *st ? RM_STATUS_FILTERED : RM_STATUS_OPEN;
		t[i].new_status = *st ? RM_STATUS_OPEN : RM_STATUS_FILTERED;
		t[i].at_ms = at;
		*st ^= 1;
	}
}

static int run(struct bench *b, struct store *s, const char *doc)
{
	struct store_transition t[CHANGED];
	char when[RM_TIME_STRLEN];
	struct store_round r = { .cluster = "west", .started = when, .doc = doc };
	struct rm_diag d;
	double t0;
	unsigned round, p;
	size_t n = 0;
	bool inserted;
	int rc;

	r.doclen = b->doclen;
	rm_diag_clear(&d);
	for (round = 0; round < b->rounds; round++) {
		rm_time_format((time_t)(1790000000 + round * 10), when, sizeof(when));
		for (p = 0; p < b->probes; p++) {
			r.probe = b->names[p];
			r.received_ms = 1790000000000 + round * 10000 + p;
			round_changes(b, p, r.received_ms, t);
			t0 = now_ms();
			rc = s->ops->put_round(s, &r, t, CHANGED, &inserted, &d);
			b->lat_ms[n++] = now_ms() - t0;
			if (rc != RM_OK || !inserted) {
				fprintf(stderr, "bench-store: %s\n", d.error);
				return 1;
			}
		}
		/* What the collector will do between rounds: keep 3 per probe. */
		if (s->ops->prune(s, 3, 0, &d) != RM_OK) {
			fprintf(stderr, "bench-store: %s\n", d.error);
			return 1;
		}
	}
	return 0;
}

static void report(const struct bench *b, double elapsed_ms)
{
	size_t n = (size_t)b->probes * b->rounds;
	double per_s = (double)n / (elapsed_ms / 1e3);

	qsort(b->lat_ms, n, sizeof(double), cmp_double);
	printf("store_sqlite: %u probes x %u rounds, %zu-byte documents, %d changed cells a "
	       "round, synchronous=%s\n",
	       b->probes, b->rounds, b->doclen, CHANGED, b->full ? "FULL" : "NORMAL");
	printf("  %.0f rounds/s (%.0f results/s; the goal needs 100 rounds/s, 600000 results/s)\n",
	       per_s, per_s * CELLS);
	printf("  put_round latency ms: p50 %.3f  p99 %.3f  max %.3f\n", b->lat_ms[n / 2],
	       b->lat_ms[n * 99 / 100], b->lat_ms[n - 1]);
}

int main(int argc, char **argv)
{
	struct bench b = {
		.probes = 1000, .rounds = 3, .doclen = 90000, .rng = 88172645463325252u
	};
	struct store_opts opts = { 0 };
	char dir[] = "/var/tmp/bench-store-XXXXXX", path[64], *doc;
	struct store *s;
	struct rm_diag d;
	double t0, elapsed;
	int rc = 1;

	if (argc > 1)
		b.probes = (unsigned)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		b.rounds = (unsigned)strtoul(argv[2], NULL, 10);
	if (argc > 3)
		b.doclen = strtoul(argv[3], NULL, 10);
	b.full = argc > 4 && strcmp(argv[4], "full") == 0;
	if (b.probes == 0 || b.probes > MAX_PROBES || b.rounds == 0) {
		fprintf(stderr, "usage: bench-store [PROBES [ROUNDS [DOC_BYTES [full]]]]\n");
		return 2;
	}
	opts.sync_full = b.full;
	b.names = calloc(b.probes, sizeof(*b.names));
	b.status = calloc((size_t)b.probes * CELLS, 1);
	b.lat_ms = calloc((size_t)b.probes * b.rounds, sizeof(double));
	doc = malloc(b.doclen + 1);
	if (b.names == NULL || b.status == NULL || b.lat_ms == NULL || doc == NULL ||
	    mkdtemp(dir) == NULL)
		goto out;
	for (unsigned p = 0; p < b.probes; p++)
		snprintf(b.names[p], sizeof(b.names[p]), "probe-%04u", p);
	for (size_t i = 0; i < b.doclen; i++)
		doc[i] = (char)(next(&b) & 0xff); /* as incompressible as gzip output */
	snprintf(path, sizeof(path), "%s/reachmap.db", dir);
	rm_diag_clear(&d);
	if (store_sqlite.open(path, &opts, &s, &d) != RM_OK) {
		fprintf(stderr, "bench-store: %s\n", d.error);
		goto out;
	}
	t0 = now_ms();
	rc = run(&b, s, doc);
	elapsed = now_ms() - t0;
	s->ops->close(s);
	if (rc == 0)
		report(&b, elapsed);
	unlink(path);
	rmdir(dir);
out:
	free(doc);
	free(b.lat_ms);
	free(b.status);
	free(b.names);
	return rc;
}
