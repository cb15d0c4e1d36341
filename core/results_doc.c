/* reachmap.results/v1: the document a probe round (results[]) or a
 * responder (arrivals[]) writes; schema report/schema/reachmap.results.v1.json. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/jsonw.h"
#include "reachmap/results.h"

int results_doc_init(struct rm_results_doc *doc)
{
	memset(doc, 0, sizeof(*doc));
	doc->arena = rm_arena_new();
	return doc->arena ? RM_OK : RM_ENOMEM;
}

void results_doc_free(struct rm_results_doc *doc)
{
	rm_free(doc->results);
	rm_free(doc->arrivals);
	rm_arena_free(doc->arena);
	memset(doc, 0, sizeof(*doc));
}

/* The arrays live on the heap, not in the arena: an arena cannot give back
 * the old copy when an array grows, and a thousand-probe round holds a
 * million results. */
static int resize(void **v, size_t *cap, size_t ncap, size_t size)
{
	void *fresh;

	if (ncap > SIZE_MAX / size)
		return RM_ENOMEM;
	if ((fresh = rm_realloc(*v, ncap * size)) == NULL)
		return RM_ENOMEM;
	*v = fresh;
	*cap = ncap;
	return RM_OK;
}

static int grow(void **v, size_t *cap, size_t need, size_t size)
{
	size_t ncap = *cap ? *cap : 16;

	if (need <= *cap)
		return RM_OK;
	while (ncap < need && ncap <= SIZE_MAX / 2)
		ncap *= 2;
	return resize(v, cap, ncap, size);
}

int results_doc_reserve(struct rm_results_doc *doc, size_t nresults)
{
	if (nresults <= doc->capresults)
		return RM_OK;
	return resize((void **)&doc->results, &doc->capresults, nresults, sizeof(*doc->results));
}

struct rm_result *results_doc_add(struct rm_results_doc *doc)
{
	struct rm_result *r;

	if (grow((void **)&doc->results, &doc->capresults, doc->nresults + 1,
		 sizeof(*doc->results)) != RM_OK)
		return NULL;
	r = &doc->results[doc->nresults++];
	memset(r, 0, sizeof(*r));
	r->rtt_ms = -1;
	r->icmp_type = r->icmp_code = -1;
	return r;
}

struct rm_arrival *results_doc_add_arrival(struct rm_results_doc *doc)
{
	struct rm_arrival *a;

	if (grow((void **)&doc->arrivals, &doc->caparrivals, doc->narrivals + 1,
		 sizeof(*doc->arrivals)) != RM_OK)
		return NULL;
	a = &doc->arrivals[doc->narrivals++];
	memset(a, 0, sizeof(*a));
	return a;
}

int results_doc_add_note(struct rm_results_doc *doc, const char *msg)
{
	const char *copy = rm_arena_strdup(doc->arena, msg);

	if (copy == NULL || rm_arena_grow(doc->arena, (void **)&doc->notes, &doc->capnotes,
					  doc->nnotes + 1, sizeof(*doc->notes)) != RM_OK)
		return RM_ENOMEM;
	doc->notes[doc->nnotes++] = copy;
	return RM_OK;
}

/* Milliseconds to the microsecond, so documents do not carry float noise. */
static void ms(struct rm_jb *b, cJSON *o, const char *k, double v)
{
	if (v >= 0)
		jb_num(b, o, k, round(v * 1000) / 1000);
}

static cJSON *result_json(struct rm_jb *b, const struct rm_result *r)
{
	cJSON *o = cJSON_CreateObject(), *d;

	if (o == NULL) {
		b->failed = 1;
		return NULL;
	}
	jb_str(b, o, "target", r->target);
	jb_str(b, o, "targetCluster", r->target_cluster);
	jb_addr(b, o, "address", &r->address);
	jb_str(b, o, "check", rm_check_name(r->check));
	if (r->port)
		jb_num(b, o, "port", r->port);
	jb_str(b, o, "status", rm_status_name(r->status));
	ms(b, o, "rttMs", r->rtt_ms);
	d = jb_obj(b, o, "detail");
	if (r->icmp_type >= 0) {
		jb_num(b, d, "icmpType", r->icmp_type);
		jb_num(b, d, "icmpCode", r->icmp_code);
	}
	jb_addr(b, d, "icmpFrom", &r->icmp_from);
	/* only the fields of the check's own group (the union of rm_result) */
	switch (r->check) {
	case RM_CHECK_ICMP:
		if (r->received > 0) {
			ms(b, d, "rttMinMs", r->rtt_min_ms);
			ms(b, d, "rttMaxMs", r->rtt_max_ms);
		}
		jb_num(b, d, "sent", r->sent);
		jb_num(b, d, "received", r->received);
		break;
	case RM_CHECK_TCP:
		if (r->answer_ttl > 0)
			jb_num(b, d, "ttl", r->answer_ttl);
		break;
	case RM_CHECK_DNS:
		jb_str(b, d, "name", r->dns_name);
		jb_addr(b, d, "server", &r->dns_server);
		jb_str(b, d, "answers", r->answers);
		break;
	case RM_CHECK_IDENTITY:
		jb_str(b, d, "responder", r->responder);
		jb_str(b, d, "responderCluster", r->responder_cluster);
		break;
	case RM_CHECK_NAT:
		jb_addr(b, d, "seen", &r->seen);
		jb_addr(b, d, "local", &r->local);
		break;
	case RM_CHECK_PATH: {
		cJSON *hops = jb_arr(b, d, "hops");
		size_t i;

		for (i = 0; i < r->nhops; i++) {
			cJSON *h = cJSON_CreateObject();

			jb_num(b, h, "ttl", r->hops[i].ttl);
			jb_addr(b, h, "address", &r->hops[i].addr);
			jb_push(b, hops, h);
		}
		jb_addr(b, d, "lastHop", &r->last_hop);
		break;
	}
	case RM_CHECK_MTU:
		if (r->mtu_largest)
			jb_num(b, d, "largestWorking", r->mtu_largest);
		if (r->mtu_reported)
			jb_num(b, d, "reportedMtu", r->mtu_reported);
		break;
	case RM_CHECK_CQL:
		jb_str(b, d, "cqlVersion", r->cql_version);
		jb_str(b, d, "compression", r->cql_compression);
		jb_str(b, d, "protocolVersions", r->cql_protocols);
		break;
	case RM_CHECK_COUNT:
		break;
	}
	jb_str(b, d, "error", r->error);
	return o;
}

static void strings(struct rm_jb *b, cJSON *parent, const char *k, const char *const *v, size_t n)
{
	cJSON *a = jb_arr(b, parent, k);
	size_t i;

	for (i = 0; i < n; i++)
		jb_push_str(b, a, v[i]);
}

int results_doc_write_json(const struct rm_results_doc *doc, FILE *out)
{
	struct rm_jb b = { 0 };
	cJSON *root = cJSON_CreateObject(), *o, *a, *f;
	char buf[RM_ADDR_STRLEN];
	size_t i;
	int rc;

	if (root == NULL)
		return RM_ENOMEM;
	jb_str(&b, root, "schema", "reachmap.results/v1");
	o = jb_obj(&b, root, "probe");
	jb_str(&b, o, "name", doc->probe);
	jb_str(&b, o, "cluster", doc->cluster);
	jb_str(&b, o, "zone", doc->zone);
	a = jb_arr(&b, o, "addresses");
	for (i = 0; i < doc->naddresses; i++)
		jb_push(&b, a,
			cJSON_CreateString(cidr_addr_format(&doc->addresses[i], buf, sizeof(buf))));
	jb_str(&b, root, "mode", doc->mode);
	if (doc->lost > 0)
		jb_num(&b, root, "lost", doc->lost);
	jb_str(&b, root, "started", doc->started);
	jb_str(&b, root, "finished", doc->finished);
	f = jb_obj(&b, root, "facts");
	a = jb_arr(&b, f, "interfaces");
	for (i = 0; i < doc->nifaces; i++) {
		cJSON *io = cJSON_CreateObject();

		jb_str(&b, io, "name", doc->ifaces[i].name);
		jb_num(&b, io, "mtu", doc->ifaces[i].mtu);
		jb_str(&b, io, "addresses", doc->ifaces[i].addresses);
		jb_push(&b, a, io);
	}
	strings(&b, f, "routes", doc->routes, doc->nroutes);
	o = jb_obj(&b, f, "resolvConf");
	strings(&b, o, "nameservers", doc->nameservers, doc->nnameservers);
	strings(&b, o, "search", doc->search, doc->nsearch);
	jb_str(&b, f, "capEff", doc->cap_eff);
	/* Written only when there are some: a round that ran every check
	 * reads as it always did. */
	if (doc->nnotes > 0)
		strings(&b, root, "notes", doc->notes, doc->nnotes);
	a = jb_arr(&b, root, "results");
	for (i = 0; i < doc->nresults; i++)
		jb_push(&b, a, result_json(&b, &doc->results[i]));
	if (doc->accepts_only)
		jb_str(&b, root, "arrivalsBy", "accept");
	a = jb_arr(&b, root, "arrivals");
	for (i = 0; i < doc->narrivals; i++) {
		const struct rm_arrival *ar = &doc->arrivals[i];
		cJSON *ao = cJSON_CreateObject();

		jb_addr(&b, ao, "from", &ar->from);
		jb_str(&b, ao, "probe", ar->probe);
		jb_str(&b, ao, "protocol", ar->protocol);
		jb_num(&b, ao, "port", ar->port);
		jb_num(&b, ao, "count", ar->count);
		jb_str(&b, ao, "first", ar->first);
		jb_str(&b, ao, "last", ar->last);
		jb_push(&b, a, ao);
	}
	rc = b.failed ? RM_ENOMEM : rm_json_write(root, out);
	cJSON_Delete(root);
	return rc;
}
