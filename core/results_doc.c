/* reachmap.results/v1: the document a probe round (results[]) or a
 * responder (arrivals[]) writes; schema report/schema/reachmap.results.v1.json. */
#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

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
	rm_arena_free(doc->arena);
	memset(doc, 0, sizeof(*doc));
}

struct rm_result *results_doc_add(struct rm_results_doc *doc)
{
	struct rm_result *r;

	if (rm_arena_grow(doc->arena, (void **)&doc->results, &doc->capresults, doc->nresults + 1,
			  sizeof(*doc->results)) != RM_OK)
		return NULL;
	r = &doc->results[doc->nresults++];
	memset(r, 0, sizeof(*r));
	r->rtt_ms = r->rtt_min_ms = r->rtt_max_ms = -1;
	r->icmp_type = r->icmp_code = -1;
	return r;
}

struct rm_arrival *results_doc_add_arrival(struct rm_results_doc *doc)
{
	struct rm_arrival *a;

	if (rm_arena_grow(doc->arena, (void **)&doc->arrivals, &doc->caparrivals,
			  doc->narrivals + 1, sizeof(*doc->arrivals)) != RM_OK)
		return NULL;
	a = &doc->arrivals[doc->narrivals++];
	memset(a, 0, sizeof(*a));
	return a;
}

struct jb {
	int failed;
};

static void str(struct jb *b, cJSON *o, const char *k, const char *v)
{
	if (v != NULL && cJSON_AddStringToObject(o, k, v) == NULL)
		b->failed = 1;
}

static void num(struct jb *b, cJSON *o, const char *k, double v)
{
	if (cJSON_AddNumberToObject(o, k, v) == NULL)
		b->failed = 1;
}

/* Milliseconds to the microsecond, so documents do not carry float noise. */
static void ms(struct jb *b, cJSON *o, const char *k, double v)
{
	if (v >= 0)
		num(b, o, k, round(v * 1000) / 1000);
}

static void addr(struct jb *b, cJSON *o, const char *k, const struct rm_addr *a)
{
	char buf[RM_ADDR_STRLEN];

	if (a->family != RM_AF_NONE)
		str(b, o, k, cidr_addr_format(a, buf, sizeof(buf)));
}

static cJSON *obj(struct jb *b, cJSON *parent, const char *k)
{
	cJSON *o = cJSON_AddObjectToObject(parent, k);

	if (o == NULL)
		b->failed = 1;
	return o;
}

static cJSON *arr(struct jb *b, cJSON *parent, const char *k)
{
	cJSON *o = cJSON_AddArrayToObject(parent, k);

	if (o == NULL)
		b->failed = 1;
	return o;
}

static void push(struct jb *b, cJSON *a, cJSON *item)
{
	if (item == NULL || !cJSON_AddItemToArray(a, item)) {
		cJSON_Delete(item);
		b->failed = 1;
	}
}

static cJSON *result_json(struct jb *b, const struct rm_result *r)
{
	cJSON *o = cJSON_CreateObject(), *d;

	if (o == NULL) {
		b->failed = 1;
		return NULL;
	}
	str(b, o, "target", r->target);
	str(b, o, "targetCluster", r->target_cluster);
	addr(b, o, "address", &r->address);
	str(b, o, "check", rm_check_name(r->check));
	if (r->port)
		num(b, o, "port", r->port);
	str(b, o, "status", rm_status_name(r->status));
	ms(b, o, "rttMs", r->rtt_ms);
	d = obj(b, o, "detail");
	ms(b, d, "rttMinMs", r->rtt_min_ms);
	ms(b, d, "rttMaxMs", r->rtt_max_ms);
	if (r->check == RM_CHECK_ICMP) {
		num(b, d, "sent", r->sent);
		num(b, d, "received", r->received);
	}
	if (r->answer_ttl > 0)
		num(b, d, "ttl", r->answer_ttl);
	if (r->icmp_type >= 0) {
		num(b, d, "icmpType", r->icmp_type);
		num(b, d, "icmpCode", r->icmp_code);
	}
	addr(b, d, "icmpFrom", &r->icmp_from);
	str(b, d, "name", r->dns_name);
	addr(b, d, "server", &r->dns_server);
	str(b, d, "answers", r->answers);
	str(b, d, "responder", r->responder);
	str(b, d, "responderCluster", r->responder_cluster);
	addr(b, d, "seen", &r->seen);
	addr(b, d, "local", &r->local);
	if (r->check == RM_CHECK_PATH) {
		cJSON *hops = arr(b, d, "hops");
		size_t i;

		for (i = 0; i < r->nhops; i++) {
			cJSON *h = cJSON_CreateObject();

			num(b, h, "ttl", r->hops[i].ttl);
			addr(b, h, "address", &r->hops[i].addr);
			push(b, hops, h);
		}
		addr(b, d, "lastHop", &r->last_hop);
	}
	if (r->mtu_largest)
		num(b, d, "largestWorking", r->mtu_largest);
	if (r->mtu_reported)
		num(b, d, "reportedMtu", r->mtu_reported);
	str(b, d, "cqlVersion", r->cql_version);
	str(b, d, "compression", r->cql_compression);
	str(b, d, "protocolVersions", r->cql_protocols);
	str(b, d, "error", r->error);
	return o;
}

static void strings(struct jb *b, cJSON *parent, const char *k, const char *const *v, size_t n)
{
	cJSON *a = arr(b, parent, k);
	size_t i;

	for (i = 0; i < n; i++)
		push(b, a, cJSON_CreateString(v[i]));
}

int results_doc_write_json(const struct rm_results_doc *doc, FILE *out)
{
	struct jb b = { 0 };
	cJSON *root = cJSON_CreateObject(), *o, *a, *f;
	char buf[RM_ADDR_STRLEN];
	size_t i;
	int rc;

	if (root == NULL)
		return RM_ENOMEM;
	str(&b, root, "schema", "reachmap.results/v1");
	o = obj(&b, root, "probe");
	str(&b, o, "name", doc->probe);
	str(&b, o, "cluster", doc->cluster);
	str(&b, o, "zone", doc->zone);
	a = arr(&b, o, "addresses");
	for (i = 0; i < doc->naddresses; i++)
		push(&b, a,
		     cJSON_CreateString(cidr_addr_format(&doc->addresses[i], buf, sizeof(buf))));
	str(&b, root, "mode", doc->mode);
	str(&b, root, "started", doc->started);
	str(&b, root, "finished", doc->finished);
	f = obj(&b, root, "facts");
	a = arr(&b, f, "interfaces");
	for (i = 0; i < doc->nifaces; i++) {
		cJSON *io = cJSON_CreateObject();

		str(&b, io, "name", doc->ifaces[i].name);
		num(&b, io, "mtu", doc->ifaces[i].mtu);
		str(&b, io, "addresses", doc->ifaces[i].addresses);
		push(&b, a, io);
	}
	strings(&b, f, "routes", doc->routes, doc->nroutes);
	o = obj(&b, f, "resolvConf");
	strings(&b, o, "nameservers", doc->nameservers, doc->nnameservers);
	strings(&b, o, "search", doc->search, doc->nsearch);
	str(&b, f, "capEff", doc->cap_eff);
	a = arr(&b, root, "results");
	for (i = 0; i < doc->nresults; i++)
		push(&b, a, result_json(&b, &doc->results[i]));
	a = arr(&b, root, "arrivals");
	for (i = 0; i < doc->narrivals; i++) {
		const struct rm_arrival *ar = &doc->arrivals[i];
		cJSON *ao = cJSON_CreateObject();

		addr(&b, ao, "from", &ar->from);
		str(&b, ao, "probe", ar->probe);
		str(&b, ao, "protocol", ar->protocol);
		num(&b, ao, "port", ar->port);
		num(&b, ao, "count", ar->count);
		str(&b, ao, "first", ar->first);
		str(&b, ao, "last", ar->last);
		push(&b, a, ao);
	}
	rc = b.failed ? RM_ENOMEM : rm_json_write(root, out);
	cJSON_Delete(root);
	return rc;
}
