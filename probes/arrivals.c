/* The arrivals record: a ring of generations, each a results document's
 * arrivals[] (its arena holds the probes' names) with an open-addressing
 * index from (source, port, protocol) to the entry. */
#include "probes/arrivals.h"

#include <stdio.h>
#include <string.h>

#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"

/* An index over a document's arrivals: slot holds entry + 1, 0 is empty;
 * kept at most half full. */
struct index {
	struct rm_results_doc *doc;
	uint32_t *slots;
	size_t mask;
};

struct arrivals {
	/* gens[0] is the current generation; gens[i] is i pushes older. */
	struct rm_results_doc docs[ARRIVALS_GENERATIONS];
	struct index gens[ARRIVALS_GENERATIONS];
	unsigned ngens;
	size_t max;
	uint64_t dropped;
};

static uint64_t key_hash(const struct rm_addr *from, uint16_t port, const char *protocol)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	size_t i;

	for (i = 0; i < sizeof(from->bytes); i++)
		h = (h ^ from->bytes[i]) * 1099511628211ull;
	h = (h ^ from->family) * 1099511628211ull;
	h = (h ^ port) * 1099511628211ull;
	return (h ^ (uint8_t)protocol[0]) * 1099511628211ull;
}

static bool same(const struct rm_arrival *x, const struct rm_addr *from, uint16_t port,
		 const char *protocol)
{
	return x->port == port && strcmp(x->protocol, protocol) == 0 &&
	       cidr_addr_equal(&x->from, from);
}

/* The slot of (from, port, protocol): the entry's, or the empty one where
 * it would go. */
static size_t slot_of(const struct index *ix, const struct rm_addr *from, uint16_t port,
		      const char *protocol)
{
	size_t h = (size_t)key_hash(from, port, protocol) & ix->mask;

	while (ix->slots[h] != 0 &&
	       !same(&ix->doc->arrivals[ix->slots[h] - 1], from, port, protocol))
		h = (h + 1) & ix->mask;
	return h;
}

/* Doubles the index (or makes its first one) when it would be over half
 * full with one entry more. */
static int index_room(struct index *ix)
{
	size_t n = ix->doc->narrivals, cap = ix->slots ? ix->mask + 1 : 64, i;
	uint32_t *old = ix->slots;

	if (old != NULL && 2 * (n + 1) <= cap)
		return RM_OK;
	while (2 * (n + 1) > cap)
		cap *= 2;
	if ((ix->slots = rm_calloc(cap, sizeof(*ix->slots))) == NULL) {
		ix->slots = old;
		return RM_ENOMEM;
	}
	ix->mask = cap - 1;
	for (i = 0; i < n; i++) {
		const struct rm_arrival *x = &ix->doc->arrivals[i];

		ix->slots[slot_of(ix, &x->from, x->port, x->protocol)] = (uint32_t)i + 1;
	}
	rm_free(old);
	return RM_OK;
}

/* The entry of (from, port, protocol) in ix, added (count 0, no times)
 * when add and it is not there; NULL when absent and not added, or when
 * memory ran out (*rc). */
static struct rm_arrival *index_get(struct index *ix, const struct rm_addr *from, uint16_t port,
				    const char *protocol, bool add, int *rc)
{
	struct rm_arrival *x;
	size_t h;

	*rc = RM_OK;
	if (ix->slots == NULL && (*rc = index_room(ix)) != RM_OK)
		return NULL;
	h = slot_of(ix, from, port, protocol);
	if (ix->slots[h] != 0)
		return &ix->doc->arrivals[ix->slots[h] - 1];
	if (!add)
		return NULL;
	if ((*rc = index_room(ix)) != RM_OK)
		return NULL;
	h = slot_of(ix, from, port, protocol);
	if ((x = results_doc_add_arrival(ix->doc)) == NULL) {
		*rc = RM_ENOMEM;
		return NULL;
	}
	x->from = *from;
	x->port = port;
	x->protocol = protocol;
	ix->slots[h] = (uint32_t)ix->doc->narrivals;
	return x;
}

static void index_clear(struct index *ix)
{
	rm_free(ix->slots);
	ix->slots = NULL;
	ix->mask = 0;
}

int arrivals_new(size_t max_per_gen, struct arrivals **out)
{
	struct arrivals *a = rm_calloc(1, sizeof(*a));

	*out = NULL;
	if (a == NULL || results_doc_init(&a->docs[0]) != RM_OK) {
		rm_free(a);
		return RM_ENOMEM;
	}
	a->gens[0].doc = &a->docs[0];
	a->ngens = 1;
	a->max = max_per_gen;
	*out = a;
	return RM_OK;
}

void arrivals_free(struct arrivals *a)
{
	unsigned i;

	if (a == NULL)
		return;
	for (i = 0; i < a->ngens; i++) {
		index_clear(&a->gens[i]);
		results_doc_free(a->gens[i].doc);
	}
	rm_free(a);
}

uint64_t arrivals_dropped(const struct arrivals *a)
{
	return a->dropped;
}

int arrivals_note(struct arrivals *a, const struct rm_addr *from, uint16_t port,
		  const char *protocol, const char *probe, bool count, const char *now)
{
	struct index *ix = &a->gens[0];
	struct rm_arrival *x;
	int rc;

	x = index_get(ix, from, port, protocol, false, &rc);
	if (x == NULL && rc == RM_OK) {
		if (ix->doc->narrivals >= a->max) {
			a->dropped++;
			return RM_ERANGE;
		}
		x = index_get(ix, from, port, protocol, true, &rc);
	}
	if (x == NULL)
		return rc;
	if (x->count == 0) {
		snprintf(x->first, sizeof(x->first), "%s", now);
		count = true;
	}
	if (probe != NULL && x->probe == NULL &&
	    (x->probe = rm_arena_strdup(ix->doc->arena, probe)) == NULL)
		return RM_ENOMEM;
	if (count) {
		x->count++;
		snprintf(x->last, sizeof(x->last), "%s", now);
	}
	return RM_OK;
}

/* Adds x's count, times and name into the merged document's entry. */
static int merge_one(struct index *out, const struct rm_arrival *x)
{
	struct rm_arrival *m;
	int rc;

	if ((m = index_get(out, &x->from, x->port, x->protocol, true, &rc)) == NULL)
		return rc;
	if (m->count == 0 || strcmp(x->first, m->first) < 0)
		memcpy(m->first, x->first, sizeof(m->first));
	if (m->count == 0 || strcmp(x->last, m->last) > 0)
		memcpy(m->last, x->last, sizeof(m->last));
	m->count += x->count;
	if (m->probe == NULL && x->probe != NULL &&
	    (m->probe = rm_arena_strdup(out->doc->arena, x->probe)) == NULL)
		return RM_ENOMEM;
	return RM_OK;
}

/* A new current generation; the oldest goes when the ring is full. */
static int rotate_gens(struct arrivals *a)
{
	struct rm_results_doc fresh;
	unsigned i;

	if (results_doc_init(&fresh) != RM_OK)
		return RM_ENOMEM;
	if (a->ngens == ARRIVALS_GENERATIONS) {
		index_clear(&a->gens[a->ngens - 1]);
		results_doc_free(a->gens[a->ngens - 1].doc);
		a->ngens--;
	}
	/* The documents move with their index: an index points at its doc. */
	for (i = a->ngens; i > 0; i--) {
		a->docs[i] = a->docs[i - 1];
		a->gens[i] = a->gens[i - 1];
		a->gens[i].doc = &a->docs[i];
	}
	a->docs[0] = fresh;
	a->gens[0] = (struct index){ .doc = &a->docs[0] };
	a->ngens++;
	return RM_OK;
}

int arrivals_take(struct arrivals *a, unsigned keep, bool rotate, struct rm_results_doc *doc)
{
	struct index out = { .doc = doc };
	size_t k;
	unsigned g;
	int rc = RM_OK;

	if (keep > a->ngens)
		keep = a->ngens;
	/* Oldest first, so the merged entries come in the order they first
	 * arrived. */
	for (g = keep; g > 0 && rc == RM_OK; g--) {
		const struct rm_results_doc *src = a->gens[g - 1].doc;

		for (k = 0; k < src->narrivals && rc == RM_OK; k++)
			rc = merge_one(&out, &src->arrivals[k]);
	}
	index_clear(&out);
	if (rc == RM_OK && rotate)
		rc = rotate_gens(a);
	return rc;
}
