/* Interned names: FNV-1a into an open-addressing table kept under half
 * full, so a lookup is a hash and one or two probes. */
#include "collector/names.h"

#include <string.h>

#include "reachmap/alloc.h"

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

uint32_t names_find(const struct names *t, const char *s)
{
	uint32_t i, slot;

	if (t->nslots == 0)
		return NAMES_NONE;
	for (i = hash(s) & (t->nslots - 1);; i = (i + 1) & (t->nslots - 1)) {
		slot = t->slots[i];
		if (slot == 0)
			return NAMES_NONE;
		if (strcmp(t->v[slot - 1], s) == 0)
			return slot - 1;
	}
}

static int rehash(struct names *t, uint32_t nslots)
{
	uint32_t *slots = rm_calloc(nslots, sizeof(*slots)), id, i;

	if (slots == NULL)
		return -1;
	for (id = 0; id < t->n; id++) {
		for (i = hash(t->v[id]) & (nslots - 1); slots[i] != 0; i = (i + 1) & (nslots - 1))
			;
		slots[i] = id + 1;
	}
	rm_free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
	return 0;
}

uint32_t names_add(struct names *t, const char *s)
{
	uint32_t id = names_find(t, s), i;
	char *copy;

	if (id != NAMES_NONE)
		return id;
	if (t->n == NAMES_NONE - 1)
		return NAMES_NONE;
	if ((t->n + 1) * 2 > t->nslots && rehash(t, t->nslots ? t->nslots * 2 : 64) != 0)
		return NAMES_NONE;
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 64;
		char **v = rm_realloc(t->v, (size_t)cap * sizeof(*v));

		if (v == NULL)
			return NAMES_NONE;
		t->v = v;
		t->cap = cap;
	}
	if ((copy = rm_strdup(s)) == NULL)
		return NAMES_NONE;
	t->v[t->n] = copy;
	for (i = hash(s) & (t->nslots - 1); t->slots[i] != 0; i = (i + 1) & (t->nslots - 1))
		;
	t->slots[i] = t->n + 1;
	return t->n++;
}

void names_free(struct names *t)
{
	uint32_t i;

	for (i = 0; i < t->n; i++)
		rm_free(t->v[i]);
	rm_free(t->v);
	rm_free(t->slots);
	memset(t, 0, sizeof(*t));
}
