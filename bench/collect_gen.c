/* bench/collect's load generator: see collect_gen.h. A round's gzip body
 * is assembled from three raw deflate streams, the head (probe, times,
 * facts), the unchanging middle and the changing tail, each ended on a byte
 * boundary (RFC 1951: a sync flush ends with an empty stored block, and
 * only the tail's last block is final), inside one gzip member (RFC 1952)
 * whose CRC-32 is combined from the three parts' (zlib's crc32_combine).
 * The result is an ordinary one-member gzip file; only its making is
 * cheap, so that a generator on the same 2 cores as the collector costs
 * the collector little. */
#include "collect_gen.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"

#define NCHECKS 6

void gen_buf_free(struct gen_buf *b)
{
	rm_free(b->p);
	memset(b, 0, sizeof(*b));
}

static int buf_reserve(struct gen_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (b->n + more <= b->cap)
		return RM_OK;
	while (cap < b->n + more)
		cap *= 2;
	if ((p = rm_realloc(b->p, cap)) == NULL)
		return RM_ENOMEM;
	b->p = p;
	b->cap = cap;
	return RM_OK;
}

int gen_buf_add(struct gen_buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) != RM_OK)
		return RM_ENOMEM;
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return RM_OK;
}

__attribute__((format(printf, 2, 3))) static int buf_printf(struct gen_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->p ? b->p + b->n : NULL, b->cap - b->n, fmt, ap);
	va_end(ap);
	if (n < 0)
		return RM_EIO;
	if (b->n + (size_t)n < b->cap) {
		b->n += (size_t)n;
		return RM_OK;
	}
	if (buf_reserve(b, (size_t)n + 1) != RM_OK)
		return RM_ENOMEM;
	va_start(ap, fmt);
	(void)vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
	va_end(ap);
	b->n += (size_t)n;
	return RM_OK;
}

void gen_probe_name(unsigned k, char *buf, size_t len)
{
	snprintf(buf, len, "c%u-p%04u", k % GEN_CLUSTERS, k / GEN_CLUSTERS);
}

/* The probe at index i of cluster c, as the topology declares it. */
static void probe_addr(unsigned c, unsigned i, char *buf, size_t len)
{
	snprintf(buf, len, "10.%u.%u.%u", 200 + c, i / 200, i % 200 + 10);
}

int gen_topology(const struct gen *g, unsigned per_cluster, struct gen_buf *out)
{
	unsigned c, p, per = per_cluster < g->per ? g->per : per_cluster;
	char addr[32];
	int rc = RM_OK;

	out->n = 0;
	rc |= buf_printf(out, "version: 1\ndefaults:\n  ports:\n    - {name: gossip, port: 7000}\n"
			      "    - {name: cql, port: 9042, protocol: cql}\n  timeoutMs: 1000\n"
			      "clusters:\n");
	for (c = 0; c < GEN_CLUSTERS; c++) {
		rc |= buf_printf(out, "  - name: c%u\n    zones: [c%u-a, c%u-b, c%u-c]\n", c, c, c,
				 c);
		rc |= buf_printf(out,
				 "    cidrs: {nodes: [10.%u.0.0/16], pods: [10.%u.0.0/16], "
				 "services: [10.%u.0.0/16]}\n",
				 100 + c, 200 + c, 90 + c);
		rc |= buf_printf(out,
				 "    dns: {domain: c%u.cluster.local, servers: [10.%u.0.10]}\n"
				 "    probes:\n",
				 c, 90 + c);
		for (p = 0; p < per; p++) {
			probe_addr(c, p, addr, sizeof(addr));
			rc |= buf_printf(out,
					 "      - {name: c%u-p%04u, address: %s, zone: c%u-%c, "
					 "dnsName: p%04u.c%u.cluster.local}\n",
					 c, p, addr, c, 'a' + p % 3, p, c);
		}
	}
	rc |= buf_printf(
	    out, "expect:\n  - {from: \"*\", to: \"*\", ports: [gossip, cql], reach: open}\n"
		 "  - {from: \"*\", to: \"*\", dns: resolves}\n");
	return rc == RM_OK ? RM_OK : RM_ENOMEM;
}

/* The destinations whose tcp/7000 cell flaps, for the probes of cluster c
 * with rtt pattern v: GEN_FLAPPY of the D, spread so they are distinct. */
static unsigned flappy(const struct gen *g, unsigned c, unsigned v, unsigned j)
{
	unsigned d = g->per * GEN_CLUSTERS;

	return (c * 97 + v * 31 + j * (d / GEN_FLAPPY)) % d;
}

static bool is_flappy(const struct gen *g, unsigned c, unsigned v, unsigned t)
{
	for (unsigned j = 0; j < GEN_FLAPPY; j++)
		if (flappy(g, c, v, j) == t)
			return true;
	return false;
}

/* Whether flappy cell j of probe k fails in round r: about one in five,
 * drawn anew each round. */
static bool flaps(unsigned k, unsigned j, unsigned r)
{
	uint64_t x = (uint64_t)k * 0x9E3779B97F4A7C15u ^ (uint64_t)(j + 1) * 0xBF58476D1CE4E5B9u ^
		     (uint64_t)(r + 1) * 0x94D049BB133111EBu;

	x ^= x >> 31;
	x *= 0xD6E8FEB96A09E739u;
	x ^= x >> 29;
	return x % 5 == 0;
}

unsigned gen_flap_mask(unsigned k, unsigned round)
{
	unsigned m = 0;

	for (unsigned j = 0; j < GEN_FLAPPY; j++)
		m |= flaps(k, j, round) ? 1u << j : 0;
	return m;
}

/* One result of a probe of cluster c (pattern v) to destination t, check
 * i (0..5), as JSON. */
static int put_result(const struct gen *g, struct gen_buf *b, unsigned c, unsigned v, unsigned t,
		      unsigned i, bool failing)
{
	static const char *const check[NCHECKS] = {
		"icmp", "tcp", "tcp", "dns", "identity", "mtu"
	};
	static const char *const port[NCHECKS] = { "", "\"port\":7000,", "\"port\":9042,",
						   "", "\"port\":8788,", "" };
	unsigned tc = t / g->per, ti = t % g->per;
	double rtt = 0.2 + (double)((t * 7 + v * 13) % 40) * 0.01;
	char addr[32];
	int rc;

	probe_addr(tc, ti, addr, sizeof(addr));
	rc = buf_printf(b,
			"{\"target\":\"c%u-p%04u\",\"targetCluster\":\"c%u\",\"address\":\"%s\","
			"\"check\":\"%s\",%s",
			tc, ti, tc, addr, check[i], port[i]);
	if (rc != RM_OK)
		return rc;
	switch (i) {
	case 0:
		return buf_printf(b,
				  "\"status\":\"ok\",\"rttMs\":%.2f,\"detail\":{\"rttMinMs\":%.2f,"
				  "\"rttMaxMs\":%.2f,\"sent\":3,\"received\":3}}",
				  rtt, rtt - 0.05, rtt + 0.1);
	case 1:
	case 2:
		if (failing)
			return buf_printf(b, "\"status\":\"filtered\",\"detail\":{}}");
		return buf_printf(b, "\"status\":\"open\",\"rttMs\":%.2f,\"detail\":{\"ttl\":64}}",
				  rtt);
	case 3:
		return buf_printf(
		    b,
		    "\"status\":\"ok\",\"rttMs\":%.2f,\"detail\":{\"name\":\"p%04u.c%u."
		    "cluster.local\",\"server\":\"10.%u.0.10\",\"answers\":\"%s\"}}",
		    rtt + 0.1, ti, tc, 90 + c, addr);
	case 4:
		return buf_printf(
		    b,
		    "\"status\":\"ok\",\"rttMs\":%.2f,\"detail\":{\"responder\":\"c%u-"
		    "p%04u\",\"responderCluster\":\"c%u\"}}",
		    rtt + 0.05, tc, ti, tc);
	default:
		return buf_printf(b, "\"status\":\"ok\",\"detail\":{\"largestWorking\":1500}}");
	}
}

/* The same cell as a Prometheus sample. */
static int put_sample(const struct gen *g, struct gen_buf *b, unsigned t, unsigned i, bool failing)
{
	static const char *const check[NCHECKS] = {
		"icmp", "tcp", "tcp", "dns", "identity", "mtu"
	};
	static const char *const port[NCHECKS] = { "", ",port=\"7000\"", ",port=\"9042\"",
						   "", ",port=\"8788\"", "" };

	return buf_printf(b, "reachmap_cell_status{to=\"c%u-p%04u\",check=\"%s\"%s} %d\n",
			  t / g->per, t % g->per, check[i], port[i], failing ? 0 : 1);
}

/* Raw deflate of in, appended to out; flush is Z_SYNC_FLUSH (more data
 * follows) or Z_FINISH. */
static int deflate_piece(z_stream *zs, const struct gen_buf *in, int flush, struct gen_buf *out)
{
	int zrc;

	if (deflateReset(zs) != Z_OK)
		return RM_EIO;
	zs->next_in = (Bytef *)in->p;
	zs->avail_in = (uInt)in->n;
	do {
		if (buf_reserve(out, deflateBound(zs, in->n) + 64) != RM_OK)
			return RM_ENOMEM;
		zs->next_out = (Bytef *)out->p + out->n;
		zs->avail_out = (uInt)(out->cap - out->n);
		zrc = deflate(zs, flush);
		out->n = out->cap - zs->avail_out;
		if (zrc != Z_OK && zrc != Z_STREAM_END && zrc != Z_BUF_ERROR)
			return RM_EIO;
	} while (flush == Z_FINISH ? zrc != Z_STREAM_END : zs->avail_out == 0);
	return RM_OK;
}

static int build_mid(struct gen *g, unsigned c, unsigned v)
{
	struct gen_mid *m = &g->mid[c][v];
	unsigned t, i, d = g->per * GEN_CLUSTERS;
	int rc = RM_OK;

	for (t = 0; t < d && rc == RM_OK; t++)
		for (i = 0; i < NCHECKS && rc == RM_OK; i++) {
			if (i == 1 && is_flappy(g, c, v, t))
				continue;
			rc = put_result(g, &m->json, c, v, t, i, false);
			if (rc == RM_OK)
				rc = gen_buf_add(&m->json, ",", 1);
			if (rc == RM_OK)
				rc = put_sample(g, &m->prom, t, i, false);
		}
	if (rc != RM_OK)
		return rc;
	m->crc = crc32(0, (const Bytef *)m->json.p, (uInt)m->json.n);
	return deflate_piece(&g->zs, &m->json, Z_SYNC_FLUSH, &m->z);
}

int gen_init(struct gen *g, unsigned per)
{
	unsigned c, v;
	int rc;

	memset(g, 0, sizeof(*g));
	g->per = per;
	/* Level 6, as zlib's and curl's defaults: what an agent would use. */
	if (deflateInit2(&g->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return RM_ENOMEM;
	for (c = 0; c < GEN_CLUSTERS; c++)
		for (v = 0; v < GEN_VARIANTS; v++)
			if ((rc = build_mid(g, c, v)) != RM_OK)
				return rc;
	return RM_OK;
}

void gen_free(struct gen *g)
{
	for (unsigned c = 0; c < GEN_CLUSTERS; c++)
		for (unsigned v = 0; v < GEN_VARIANTS; v++) {
			gen_buf_free(&g->mid[c][v].json);
			gen_buf_free(&g->mid[c][v].z);
			gen_buf_free(&g->mid[c][v].prom);
		}
	gen_buf_free(&g->head);
	gen_buf_free(&g->tail);
	(void)deflateEnd(&g->zs);
}

/* The head and tail of round r of probe k, as JSON text in g->head and
 * g->tail; *mid is the middle between them. */
static int build_ends(struct gen *g, unsigned k, unsigned r, time_t started,
		      const struct gen_mid **mid)
{
	unsigned c = k % GEN_CLUSTERS, i = k / GEN_CLUSTERS, v = i % GEN_VARIANTS, j;
	char addr[32], t0[RM_TIME_STRLEN], t1[RM_TIME_STRLEN];
	int rc;

	probe_addr(c, i, addr, sizeof(addr));
	rm_time_format(started, t0, sizeof(t0));
	rm_time_format(started + 2, t1, sizeof(t1));
	g->head.n = g->tail.n = 0;
	rc = buf_printf(
	    &g->head,
	    "{\"schema\":\"reachmap.results/v1\",\"probe\":{\"name\":\"c%u-p%04u\",\"cluster\":"
	    "\"c%u\",\"zone\":\"c%u-%c\",\"addresses\":[\"%s\"]},\"mode\":\"raw\",\"started\":"
	    "\"%s\",\"finished\":\"%s\",\"facts\":{\"interfaces\":[{\"name\":\"lo\",\"mtu\":65536,"
	    "\"addresses\":\"127.0.0.1/8\"},{\"name\":\"eth0\",\"mtu\":1500,\"addresses\":\"%s/"
	    "16\"}],\"routes\":[\"0.0.0.0/0 via 10.%u.0.1 dev eth0\"],\"resolvConf\":{"
	    "\"nameservers\":[\"10.%u.0.10\"],\"search\":[\"c%u.cluster.local\"]}},"
	    "\"arrivals\":[],\"results\":[",
	    c, i, c, c, 'a' + i % 3, addr, t0, t1, addr, 200 + c, 90 + c, c);
	for (j = 0; j < GEN_FLAPPY && rc == RM_OK; j++) {
		if (j > 0)
			rc = gen_buf_add(&g->tail, ",", 1);
		if (rc == RM_OK)
			rc = put_result(g, &g->tail, c, v, flappy(g, c, v, j), 1, flaps(k, j, r));
	}
	if (rc == RM_OK)
		rc = gen_buf_add(&g->tail, "]}\n", 3);
	*mid = &g->mid[c][v];
	return rc;
}

static void put_le32(unsigned char *p, uint32_t x)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(x >> (8 * i));
}

int gen_round_gzip(struct gen *g, unsigned k, unsigned round, time_t started, struct gen_buf *out)
{
	/* RFC 1952 member header: deflate, no flags, no mtime, OS unix. */
	static const unsigned char hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
	const struct gen_mid *m;
	unsigned char trailer[8];
	uLong crc;
	int rc;

	if ((rc = build_ends(g, k, round, started, &m)) != RM_OK)
		return rc;
	out->n = 0;
	if ((rc = gen_buf_add(out, hdr, sizeof(hdr))) != RM_OK ||
	    (rc = deflate_piece(&g->zs, &g->head, Z_SYNC_FLUSH, out)) != RM_OK ||
	    (rc = gen_buf_add(out, m->z.p, m->z.n)) != RM_OK ||
	    (rc = deflate_piece(&g->zs, &g->tail, Z_FINISH, out)) != RM_OK)
		return rc;
	crc = crc32(0, (const Bytef *)g->head.p, (uInt)g->head.n);
	crc = crc32_combine(crc, m->crc, (z_off_t)m->json.n);
	crc = crc32_combine(crc, crc32(0, (const Bytef *)g->tail.p, (uInt)g->tail.n),
			    (z_off_t)g->tail.n);
	put_le32(trailer, (uint32_t)crc);
	put_le32(trailer + 4, (uint32_t)(g->head.n + m->json.n + g->tail.n));
	return gen_buf_add(out, trailer, sizeof(trailer));
}

int gen_round_json(struct gen *g, unsigned k, unsigned round, time_t started, FILE *f)
{
	const struct gen_mid *m;

	if (build_ends(g, k, round, started, &m) != RM_OK)
		return RM_EIO;
	if (fwrite(g->head.p, 1, g->head.n, f) != g->head.n ||
	    fwrite(m->json.p, 1, m->json.n, f) != m->json.n ||
	    fwrite(g->tail.p, 1, g->tail.n, f) != g->tail.n)
		return RM_EIO;
	return RM_OK;
}

int gen_round_prom(struct gen *g, unsigned k, unsigned round, struct gen_buf *out)
{
	unsigned c = k % GEN_CLUSTERS, v = (k / GEN_CLUSTERS) % GEN_VARIANTS, j;
	const struct gen_mid *m = &g->mid[c][v];
	int rc;

	out->n = 0;
	rc = buf_printf(out, "# TYPE reachmap_cell_status gauge\n");
	if (rc == RM_OK)
		rc = gen_buf_add(out, m->prom.p, m->prom.n);
	for (j = 0; j < GEN_FLAPPY && rc == RM_OK; j++)
		rc = put_sample(g, out, flappy(g, c, v, j), 1, flaps(k, j, round));
	return rc;
}
