/* Building the index of a round (analyze/index.h): linear in the results,
 * with the allocations sized before they are filled. */
#include <string.h>

#include "analyze/index.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"

static uint64_t fnv(const void *p, size_t n, uint64_t h)
{
	const uint8_t *s = p;

	while (n--)
		h = (h ^ *s++) * UINT64_C(1099511628211);
	return h;
}

#define FNV_SEED UINT64_C(1469598103934665603)

/* The bytes of an address that count: a v4 address's unused tail is not
 * part of it. */
static uint64_t addr_hash(const struct rm_addr *a)
{
	return fnv(a->bytes, a->family == RM_AF_INET6 ? 16 : 4, fnv(&a->family, 1, FNV_SEED));
}

static size_t table_size(size_t n)
{
	size_t sz = 16;

	while (sz < 2 * n)
		sz *= 2;
	return sz;
}

uint32_t an_endpoint_find(const struct an_index *ix, const char *name)
{
	size_t h;

	if (ix->ep_slots == NULL || name == NULL)
		return AN_NONE;
	h = (size_t)fnv(name, strlen(name), FNV_SEED) & ix->ep_mask;
	for (; ix->ep_slots[h] != 0; h = (h + 1) & ix->ep_mask)
		if (strcmp(ix->ep[ix->ep_slots[h] - 1].name, name) == 0)
			return ix->ep_slots[h] - 1;
	return AN_NONE;
}

uint32_t an_cluster_find(const struct an_index *ix, const char *name)
{
	size_t c;

	for (c = 0; name != NULL && c < ix->nclusters; c++)
		if (strcmp(ix->topo->clusters[c].name, name) == 0)
			return (uint32_t)c;
	return AN_NONE;
}

static int endpoints(struct an_index *ix)
{
	const struct rm_topology *t = ix->topo;
	size_t c, i, n = 0;

	for (c = 0; c < t->nclusters; c++)
		n += t->clusters[c].nprobes + t->clusters[c].ntargets;
	ix->ep = rm_calloc(n + 1, sizeof(*ix->ep));
	ix->ep_mask = table_size(n) - 1;
	ix->ep_slots = rm_calloc(ix->ep_mask + 1, sizeof(*ix->ep_slots));
	if (ix->ep == NULL || ix->ep_slots == NULL)
		return RM_ENOMEM;
	for (c = 0; c < t->nclusters; c++) {
		const struct rm_cluster *cl = &t->clusters[c];

		for (i = 0; i < cl->nprobes + cl->ntargets; i++) {
			bool probe = i < cl->nprobes;
			const struct rm_target *tg = probe ? NULL : &cl->targets[i - cl->nprobes];
			const char *name = probe ? cl->probes[i].name : tg->name;
			struct an_endpoint *e = &ix->ep[ix->nep];
			size_t h;

			/* A name given twice keeps its first place (plan reports it). */
			if (an_endpoint_find(ix, name) != AN_NONE)
				continue;
			e->name = name;
			e->zone = probe ? cl->probes[i].zone : tg->zone;
			e->address = probe ? &cl->probes[i].address : &tg->address;
			if (!cidr_addr_is_set(e->address))
				e->address = NULL; /* from the documents (endpoint_addresses) */
			e->row = probe ? (uint32_t)ix->nprobes++ : AN_NONE;
			e->cluster = (uint32_t)c;
			h = (size_t)fnv(name, strlen(name), FNV_SEED) & ix->ep_mask;
			while (ix->ep_slots[h] != 0)
				h = (h + 1) & ix->ep_mask;
			ix->ep_slots[h] = (uint32_t)++ix->nep;
		}
	}
	return RM_OK;
}

static uint32_t cached(const struct an_index *ix, struct an_last *l, const char *name,
		       uint32_t (*find)(const struct an_index *, const char *))
{
	if (l->name == NULL || (l->name != name && strcmp(l->name, name) != 0)) {
		l->name = name;
		l->id = find(ix, name);
	}
	return l->id;
}

uint32_t an_cluster_cached(const struct an_index *ix, struct an_last *l, const char *name)
{
	return cached(ix, l, name, an_cluster_find);
}

static int buckets(struct an_index *ix)
{
	size_t nb = ix->nclusters * ix->nclusters * RM_CHECK_COUNT, d, i, total = 0;
	size_t *fill;

	ix->bucket = rm_calloc(nb + 2, sizeof(*ix->bucket));
	fill = rm_calloc(nb + 1, sizeof(*fill));
	ix->doc_first = rm_calloc(ix->ndocs + 1, sizeof(*ix->doc_first));
	for (d = 0; d < ix->ndocs; d++)
		ix->doc_first[d + 1] = ix->doc_first[d] + ix->docs[d]->nresults;
	ix->res_to = rm_calloc(ix->doc_first[ix->ndocs] + 1, sizeof(*ix->res_to));
	if (ix->bucket == NULL || fill == NULL || ix->res_to == NULL) {
		rm_free(fill);
		return RM_ENOMEM;
	}
	/* Count, then place: one exact allocation for six million refs. */
	for (int pass = 0; pass < 2; pass++) {
		for (d = 0; d < ix->ndocs; d++) {
			const struct rm_results_doc *doc = ix->docs[d];
			uint32_t a = ix->doc_cluster[d], *to = ix->res_to + ix->doc_first[d];
			struct an_last lc = { 0 }, le = { 0 };

			for (i = 0; pass == 1 && i < doc->nresults; i++)
				to[i] = AN_NONE;
			if (a == AN_NONE)
				continue;
			for (i = 0; i < doc->nresults; i++) {
				const struct rm_result *r = &doc->results[i];
				uint32_t b = an_cluster_cached(ix, &lc, r->target_cluster);
				size_t k;

				if (b == AN_NONE || r->check >= RM_CHECK_COUNT)
					continue;
				k = an_bucket_key(ix, a, b, r->check);
				if (pass == 0) {
					ix->bucket[k + 1]++;
					continue;
				}
				to[i] = cached(ix, &le, r->target, an_endpoint_find);
				ix->refs[fill[k]++] =
				    (struct an_ref){ (uint32_t)d, (uint32_t)i, to[i] };
			}
		}
		if (pass == 0) {
			for (i = 0; i < nb; i++)
				ix->bucket[i + 1] += ix->bucket[i];
			total = ix->bucket[nb];
			memcpy(fill, ix->bucket, nb * sizeof(*fill));
			ix->refs = rm_calloc(total + 1, sizeof(*ix->refs));
			if (ix->refs == NULL) {
				rm_free(fill);
				return RM_ENOMEM;
			}
			ix->nrefs = total;
		}
	}
	rm_free(fill);
	return RM_OK;
}

static uint64_t arrival_key(uint32_t to, uint32_t from, uint16_t port)
{
	return ((uint64_t)to << 40 ^ (uint64_t)from << 16 ^ port) + 1;
}

static size_t key_slot(const struct an_index *ix, uint64_t key)
{
	size_t h = (size_t)fnv(&key, sizeof(key), FNV_SEED) & ix->arrived_mask;

	while (ix->arrived[h] != 0 && ix->arrived[h] != key)
		h = (h + 1) & ix->arrived_mask;
	return h;
}

/* Where arrivals are placed: who holds an address, and the second each
 * endpoint's round started (-1: no round, or no time in it). */
struct sources {
	const uint32_t *slots; /* endpoint + 1 by address hash, 0 empty */
	size_t mask;
	const struct rm_addr *const *addr_of;
	const int64_t *round_s;
};

/* An arrival whose last packet came in a second before the sender's round
 * started is from an earlier round (an agent's responder reports what it
 * saw over the last intervals): it says nothing of this round's packets.
 * Unknown times keep it. */
static bool before_round(const struct sources *src, uint32_t e, int64_t last_s)
{
	return last_s >= 0 && src->round_s[e] >= 0 && last_s < src->round_s[e];
}

/* Who sent an arrival: the probe it names, and every endpoint whose
 * document (or, failing that, whose topology entry) has its address (two
 * when ranges overlap), unless it came before that endpoint's round.
 * Calls put(key) for each; returns how many. */
static size_t arrival_sources(struct an_index *ix, uint32_t to, const struct rm_arrival *a,
			      const struct sources *src, bool put)
{
	uint32_t named = a->probe ? an_endpoint_find(ix, a->probe) : AN_NONE, e;
	int64_t last_ms = rm_time_parse_ms(a->last), last_s = last_ms < 0 ? -1 : last_ms / 1000;
	size_t h, n = 0;

	if (named != AN_NONE && !before_round(src, named, last_s)) {
		if (put) {
			uint64_t key = arrival_key(to, named, a->port);

			ix->arrived[key_slot(ix, key)] = key;
		}
		n++;
	}
	h = (size_t)addr_hash(&a->from) & src->mask;
	for (; src->slots[h] != 0; h = (h + 1) & src->mask) {
		e = src->slots[h] - 1;
		if (e == named || !cidr_addr_equal(src->addr_of[e], &a->from) ||
		    before_round(src, e, last_s))
			continue;
		if (put) {
			uint64_t key = arrival_key(to, e, a->port);

			ix->arrived[key_slot(ix, key)] = key;
		}
		n++;
	}
	return n;
}

/* The address each endpoint really sends from (its own document's; the
 * topology's is the fallback) into addr_of, hashed into slots; the second
 * its round started into round_s. */
static void sources_fill(const struct an_index *ix, uint32_t *slots, size_t mask,
			 const struct rm_addr **addr_of, int64_t *round_s)
{
	size_t d, h;
	uint32_t e;

	for (e = 0; e < ix->nep; e++) {
		addr_of[e] = ix->ep[e].address;
		round_s[e] = -1;
	}
	for (d = 0; d < ix->ndocs; d++) {
		const struct rm_results_doc *doc = ix->docs[d];
		int64_t ms;

		if (ix->doc_probe[d] == AN_NONE)
			continue;
		if (doc->naddresses > 0 && cidr_addr_is_set(&doc->addresses[0]))
			addr_of[ix->doc_probe[d]] = &doc->addresses[0];
		if (doc->mode != NULL && (ms = rm_time_parse_ms(doc->started)) >= 0)
			round_s[ix->doc_probe[d]] = ms / 1000;
	}
	for (e = 0; e < ix->nep; e++) {
		if (addr_of[e] == NULL)
			continue; /* no address known: no arrival is from it */
		h = (size_t)addr_hash(addr_of[e]) & mask;
		while (slots[h] != 0)
			h = (h + 1) & mask;
		slots[h] = e + 1;
	}
}

static int arrivals(struct an_index *ix)
{
	size_t d, k, n = 0, addr_mask;
	uint32_t *addr_slots = NULL;
	const struct rm_addr **addr_of = NULL;
	int64_t *round_s = NULL;
	struct sources src;
	int rc = RM_ENOMEM;

	ix->responder_said = rm_calloc(ix->nep + 1, sizeof(*ix->responder_said));
	ix->responder_blind = rm_calloc(ix->nep + 1, sizeof(*ix->responder_blind));
	addr_mask = table_size(ix->nep) - 1;
	addr_slots = rm_calloc(addr_mask + 1, sizeof(*addr_slots));
	addr_of = rm_calloc(ix->nep + 1, sizeof(*addr_of));
	round_s = rm_calloc(ix->nep + 1, sizeof(*round_s));
	if (ix->responder_said == NULL || ix->responder_blind == NULL || addr_slots == NULL ||
	    addr_of == NULL || round_s == NULL)
		goto out;
	sources_fill(ix, addr_slots, addr_mask, addr_of, round_s);
	src = (struct sources){ addr_slots, addr_mask, addr_of, round_s };
	/* Count the keys, size the set, then fill it. */
	for (int pass = 0; pass < 2; pass++) {
		for (d = 0; d < ix->ndocs; d++) {
			const struct rm_results_doc *doc = ix->docs[d];
			uint32_t to = ix->doc_probe[d];

			if (to != AN_NONE && doc->accepts_only)
				ix->responder_blind[to] = true;
			if (to == AN_NONE || doc->narrivals == 0)
				continue;
			ix->responder_said[to] = true;
			for (k = 0; k < doc->narrivals; k++) {
				const struct rm_arrival *a = &doc->arrivals[k];

				if (a->protocol != NULL && strcmp(a->protocol, "tcp") == 0)
					n += arrival_sources(ix, to, a, &src, pass == 1);
			}
		}
		if (pass == 0) {
			ix->arrived_mask = table_size(n) - 1;
			ix->arrived = rm_calloc(ix->arrived_mask + 1, sizeof(*ix->arrived));
			if (ix->arrived == NULL)
				goto out;
		}
	}
	rc = RM_OK;
out:
	rm_free(addr_slots);
	rm_free(addr_of);
	rm_free(round_s);
	return rc;
}

int an_arrived(const struct an_index *ix, uint32_t to, uint32_t doc, uint16_t port)
{
	uint32_t from = ix->doc_probe[doc];
	uint64_t key;

	if (to == AN_NONE || !ix->responder_said[to])
		return -1;
	if (from != AN_NONE) {
		key = arrival_key(to, from, port);
		if (ix->arrived[key_slot(ix, key)] == key)
			return 1;
	}
	/* Not accepted is not proof it never arrived: its answer may be lost. */
	return ix->responder_blind[to] ? -1 : 0;
}

/* An endpoint the topology gives no address (only a dnsName) takes the
 * one its own document gives, else the one the probes reached it at (the
 * results' address), else it has none (NULL). */
static void endpoint_addresses(struct an_index *ix)
{
	size_t d, i;

	for (d = 0; d < ix->ndocs; d++) {
		uint32_t e = ix->doc_probe[d];

		if (e != AN_NONE && ix->ep[e].address == NULL && ix->docs[d]->naddresses > 0 &&
		    cidr_addr_is_set(&ix->docs[d]->addresses[0]))
			ix->ep[e].address = &ix->docs[d]->addresses[0];
	}
	for (d = 0; d < ix->ndocs; d++)
		for (i = 0; i < ix->docs[d]->nresults; i++) {
			uint32_t e = ix->res_to[ix->doc_first[d] + i];
			const struct rm_addr *a = &ix->docs[d]->results[i].address;

			if (e != AN_NONE && ix->ep[e].address == NULL && cidr_addr_is_set(a))
				ix->ep[e].address = a;
		}
}

int an_index_build(struct an_index *ix, const struct rm_topology *topo,
		   const struct rm_results_doc *const *docs, size_t ndocs)
{
	size_t d;
	int rc;

	memset(ix, 0, sizeof(*ix));
	ix->topo = topo;
	ix->docs = docs;
	ix->ndocs = ndocs;
	ix->nclusters = topo->nclusters;
	if ((rc = endpoints(ix)) != RM_OK)
		return rc;
	ix->doc_cluster = rm_calloc(ndocs + 1, sizeof(*ix->doc_cluster));
	ix->doc_probe = rm_calloc(ndocs + 1, sizeof(*ix->doc_probe));
	ix->reported = rm_calloc(ix->nep + 1, sizeof(*ix->reported));
	if (ix->doc_cluster == NULL || ix->doc_probe == NULL || ix->reported == NULL)
		return RM_ENOMEM;
	for (d = 0; d < ndocs; d++) {
		ix->doc_cluster[d] = an_cluster_find(ix, docs[d]->cluster);
		ix->doc_probe[d] = an_endpoint_find(ix, docs[d]->probe);
		if (ix->doc_probe[d] != AN_NONE && docs[d]->nresults > 0)
			ix->reported[ix->doc_probe[d]] = true;
	}
	if ((rc = buckets(ix)) != RM_OK)
		return rc;
	endpoint_addresses(ix);
	return arrivals(ix);
}

void an_index_free(struct an_index *ix)
{
	rm_free(ix->ep);
	rm_free(ix->ep_slots);
	rm_free(ix->doc_cluster);
	rm_free(ix->doc_probe);
	rm_free(ix->reported);
	rm_free(ix->refs);
	rm_free(ix->bucket);
	rm_free(ix->res_to);
	rm_free(ix->doc_first);
	rm_free(ix->arrived);
	rm_free(ix->responder_said);
	rm_free(ix->responder_blind);
	memset(ix, 0, sizeof(*ix));
}
