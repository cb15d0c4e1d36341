/* Reading reachmap.results/v1 documents (what probe and serve write) back
 * into the model, for analyze and the collector. Every field is checked
 * against its type and the fixed words; an error names the document and the
 * field path, as "west-a-0.json: results[3].status: \"maybe\" is not a tcp
 * status". */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/json_scratch.h"
#include "reachmap/results.h"
#include "reachmap/timefmt.h"

/* A document is read whole; the ceiling keeps a wrong file (a capture, an
 * image) from filling memory. */
#define RESULTS_MAX_FILE (64u << 20)

struct reader {
	const char *name;
	struct rm_results_doc *doc;
	struct rm_diag *diag;
	char path[96];
};

__attribute__((format(printf, 2, 3))) static int bad(struct reader *r, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rm_diag_error(r->diag, "%s: %s%s%s", r->name, r->path, r->path[0] ? ": " : "", msg);
	return RM_EPARSE;
}

static void at(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void at(struct reader *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->path, sizeof(r->path), fmt, ap);
	va_end(ap);
}

/* cJSON_GetObjectItemCaseSensitive, starting where the last lookup in the
 * same object stopped: the reader asks for the members in the order the
 * writer puts them, so a member is found at the first comparison instead
 * of after all those before it (a round of 6,000 results asked some
 * 400,000 string comparisons of the plain lookup). Any order still finds
 * any member. */
static _Thread_local const cJSON *hint_obj, *hint_next;

static const cJSON *member(const cJSON *o, const char *key)
{
	const cJSON *start = o != NULL && o == hint_obj && hint_next != NULL ? hint_next : NULL;
	const cJSON *c;

	if (o == NULL || !cJSON_IsObject(o))
		return NULL;
	if (start == NULL)
		start = o->child;
	for (c = start; c != NULL; c = c->next)
		if (c->string != NULL && strcmp(c->string, key) == 0)
			goto found;
	for (c = o->child; c != start; c = c->next)
		if (c->string != NULL && strcmp(c->string, key) == 0)
			goto found;
	return NULL;
found:
	hint_obj = o;
	hint_next = c->next;
	return c;
}

/* A string member, copied into the document's arena; NULL when absent and
 * not required. */
static int get_str(struct reader *r, const cJSON *o, const char *key, bool required,
		   const char **out)
{
	const cJSON *v = member(o, key);
	char *copy;

	*out = NULL;
	if (v == NULL) {
		if (required)
			return bad(r, "missing \"%s\"", key);
		return RM_OK;
	}
	if (!cJSON_IsString(v))
		return bad(r, "\"%s\" must be a string", key);
	copy = rm_arena_strdup(r->doc->arena, v->valuestring);
	if (copy == NULL)
		return RM_ENOMEM;
	*out = copy;
	return RM_OK;
}

/* A required string member, lent by the tree (read it before the tree
 * goes): a word that is parsed, never kept. */
static int get_word(struct reader *r, const cJSON *o, const char *key, const char **out)
{
	const cJSON *v = member(o, key);

	*out = NULL;
	if (v == NULL)
		return bad(r, "missing \"%s\"", key);
	if (!cJSON_IsString(v))
		return bad(r, "\"%s\" must be a string", key);
	*out = v->valuestring;
	return RM_OK;
}

/* A required string member that most results repeat (the target and its
 * cluster: six checks to each): the copy `prev` holds when equal, one
 * arena copy fewer per result. */
static int get_name(struct reader *r, const cJSON *o, const char *key, const char *prev,
		    const char **out)
{
	const char *word;
	int rc = get_word(r, o, key, &word);

	if (rc != RM_OK)
		return rc;
	if (prev != NULL && strcmp(prev, word) == 0) {
		*out = prev;
		return RM_OK;
	}
	return (*out = rm_arena_strdup(r->doc->arena, word)) != NULL ? RM_OK : RM_ENOMEM;
}

static int get_addr(struct reader *r, const cJSON *o, const char *key, bool required,
		    struct rm_addr *out)
{
	const cJSON *v = member(o, key);

	memset(out, 0, sizeof(*out));
	if (v == NULL)
		return required ? bad(r, "missing \"%s\"", key) : RM_OK;
	if (!cJSON_IsString(v) || cidr_addr_parse(v->valuestring, out) != RM_OK)
		return bad(r, "\"%s\" must be an IP address", key);
	return RM_OK;
}

/* A number member within [min, max]; *out untouched when absent. */
static int get_num(struct reader *r, const cJSON *o, const char *key, double min, double max,
		   double *out)
{
	const cJSON *v = member(o, key);

	if (v == NULL)
		return RM_OK;
	if (!cJSON_IsNumber(v) || isnan(v->valuedouble) || v->valuedouble < min ||
	    v->valuedouble > max)
		return bad(r, "\"%s\" must be a number from %g to %g", key, min, max);
	*out = v->valuedouble;
	return RM_OK;
}

static int get_int(struct reader *r, const cJSON *o, const char *key, int min, int max, int *out)
{
	double d = *out;
	int rc = get_num(r, o, key, min, max, &d);

	if (rc == RM_OK && d != floor(d))
		return bad(r, "\"%s\" must be a whole number", key);
	*out = (int)d;
	return rc;
}

static int read_uint(struct reader *r, const cJSON *o, const char *key, int max, unsigned *out)
{
	int n = 0, rc = get_int(r, o, key, 0, max, &n);

	*out = (unsigned)n;
	return rc;
}

static int read_hops(struct reader *r, const cJSON *d, struct rm_result *res)
{
	const cJSON *hops = member(d, "hops"), *h;
	struct rm_hop *v;
	size_t i = 0;
	int rc;

	if (hops == NULL)
		return RM_OK;
	if (!cJSON_IsArray(hops))
		return bad(r, "\"hops\" must be a list");
	if (cJSON_GetArraySize(hops) > UINT8_MAX)
		return bad(r, "\"hops\" has more than %d entries", UINT8_MAX);
	v = rm_arena_calloc(r->doc->arena, (size_t)cJSON_GetArraySize(hops) + 1, sizeof(*v));
	if (v == NULL)
		return RM_ENOMEM;
	cJSON_ArrayForEach(h, hops)
	{
		int ttl = 0;

		if (!cJSON_IsObject(h))
			return bad(r, "hops[%zu] must be an object", i);
		rc = get_int(r, h, "ttl", 1, 255, &ttl);
		if (rc == RM_OK)
			rc = get_addr(r, h, "address", false, &v[i].addr);
		if (rc != RM_OK)
			return rc;
		v[i++].ttl = (uint8_t)ttl;
	}
	res->hops = v;
	res->nhops = (uint8_t)i;
	return RM_OK;
}

/* The detail of res->check: the common fields, then those of the check's
 * own group (the union of struct rm_result); keys of other groups are not
 * read. */
static int read_detail(struct reader *r, const cJSON *d, struct rm_result *res)
{
	int rc = RM_OK, n = -1;
	double x;

	if (d == NULL)
		return RM_OK;
	if (!cJSON_IsObject(d))
		return bad(r, "\"detail\" must be an object");
	if ((rc = get_int(r, d, "icmpType", 0, 255, &n)) != RM_OK)
		return rc;
	res->icmp_type = (int16_t)n;
	n = -1;
	if ((rc = get_int(r, d, "icmpCode", 0, 255, &n)) != RM_OK)
		return rc;
	res->icmp_code = (int16_t)n;
	if ((rc = get_addr(r, d, "icmpFrom", false, &res->icmp_from)) != RM_OK ||
	    (rc = get_str(r, d, "error", false, &res->error)) != RM_OK)
		return rc;
	switch (res->check) {
	case RM_CHECK_ICMP:
		x = -1;
		if ((rc = get_num(r, d, "rttMinMs", 0, 3.6e6, &x)) != RM_OK)
			return rc;
		res->rtt_min_ms = (float)x;
		x = -1;
		if ((rc = get_num(r, d, "rttMaxMs", 0, 3.6e6, &x)) != RM_OK)
			return rc;
		res->rtt_max_ms = (float)x;
		if ((rc = get_int(r, d, "sent", 0, 1000, &res->sent)) != RM_OK ||
		    (rc = get_int(r, d, "received", 0, 1000, &res->received)) != RM_OK)
			return rc;
		if (res->received > res->sent)
			return bad(r, "detail.received (%d) is more than detail.sent (%d)",
				   res->received, res->sent);
		break;
	case RM_CHECK_TCP:
		n = 0;
		rc = get_int(r, d, "ttl", 0, 255, &n);
		res->answer_ttl = (uint8_t)n;
		break;
	case RM_CHECK_DNS:
		if ((rc = get_str(r, d, "name", false, &res->dns_name)) == RM_OK &&
		    (rc = get_addr(r, d, "server", false, &res->dns_server)) == RM_OK)
			rc = get_str(r, d, "answers", false, &res->answers);
		break;
	case RM_CHECK_IDENTITY:
		if ((rc = get_str(r, d, "responder", false, &res->responder)) == RM_OK)
			rc = get_str(r, d, "responderCluster", false, &res->responder_cluster);
		break;
	case RM_CHECK_NAT:
		if ((rc = get_addr(r, d, "seen", false, &res->seen)) == RM_OK)
			rc = get_addr(r, d, "local", false, &res->local);
		break;
	case RM_CHECK_PATH:
		if ((rc = get_addr(r, d, "lastHop", false, &res->last_hop)) == RM_OK)
			rc = read_hops(r, d, res);
		break;
	case RM_CHECK_MTU:
		if ((rc = read_uint(r, d, "largestWorking", 65535, &res->mtu_largest)) == RM_OK)
			rc = read_uint(r, d, "reportedMtu", 65535, &res->mtu_reported);
		break;
	case RM_CHECK_CQL:
		if ((rc = get_str(r, d, "cqlVersion", false, &res->cql_version)) == RM_OK &&
		    (rc = get_str(r, d, "compression", false, &res->cql_compression)) == RM_OK)
			rc = get_str(r, d, "protocolVersions", false, &res->cql_protocols);
		break;
	case RM_CHECK_COUNT:
		break;
	}
	return rc;
}

static int read_result(struct reader *r, const cJSON *o, size_t i)
{
	/* The previous result's names (in the arena: they stay where they are
	 * when the results array grows). */
	const struct rm_result *last =
	    r->doc->nresults ? &r->doc->results[r->doc->nresults - 1] : NULL;
	const char *prev_target = last ? last->target : NULL;
	const char *prev_cluster = last ? last->target_cluster : NULL;
	struct rm_result *res = results_doc_add(r->doc);
	const char *check = NULL, *status = NULL;
	enum rm_check c;
	enum rm_check_status st;
	int port = 0, rc;

	if (res == NULL)
		return RM_ENOMEM;
	at(r, "results[%zu]", i);
	if (!cJSON_IsObject(o))
		return bad(r, "must be an object");
	if ((rc = get_name(r, o, "target", prev_target, &res->target)) != RM_OK ||
	    (rc = get_name(r, o, "targetCluster", prev_cluster, &res->target_cluster)) != RM_OK ||
	    (rc = get_addr(r, o, "address", false, &res->address)) != RM_OK ||
	    (rc = get_word(r, o, "check", &check)) != RM_OK ||
	    (rc = get_word(r, o, "status", &status)) != RM_OK ||
	    (rc = get_int(r, o, "port", 1, 65535, &port)) != RM_OK ||
	    (rc = get_num(r, o, "rttMs", 0, 3.6e6, &res->rtt_ms)) != RM_OK)
		return rc;
	if (rm_check_parse(check, &c) != RM_OK)
		return bad(r, "\"%s\" is not a check", check);
	/* Only a dns result may lack an address: its destination had none
	 * this round (a dnsName that did not resolve). */
	if (c != RM_CHECK_DNS && !cidr_addr_is_set(&res->address))
		return bad(r, "missing \"address\"");
	if (rm_status_parse(status, &st) != RM_OK || !rm_status_valid(c, st))
		return bad(r, "\"%s\" is not a %s status", status, check);
	res->check = c;
	res->status = st;
	res->port = (uint16_t)port;
	return read_detail(r, member(o, "detail"), res);
}

static int read_arrival(struct reader *r, const cJSON *o, size_t i)
{
	struct rm_arrival *a = results_doc_add_arrival(r->doc);
	const char *first = NULL, *last = NULL;
	int port = -1, count = 0, rc;

	if (a == NULL)
		return RM_ENOMEM;
	at(r, "arrivals[%zu]", i);
	if (!cJSON_IsObject(o))
		return bad(r, "must be an object");
	if ((rc = get_addr(r, o, "from", true, &a->from)) != RM_OK ||
	    (rc = get_str(r, o, "probe", false, &a->probe)) != RM_OK ||
	    (rc = get_str(r, o, "protocol", true, &a->protocol)) != RM_OK ||
	    (rc = get_int(r, o, "port", 0, 65535, &port)) != RM_OK ||
	    (rc = get_int(r, o, "count", 1, 1 << 30, &count)) != RM_OK ||
	    (rc = get_str(r, o, "first", false, &first)) != RM_OK ||
	    (rc = get_str(r, o, "last", false, &last)) != RM_OK)
		return rc;
	if (strcmp(a->protocol, "tcp") != 0 && strcmp(a->protocol, "udp") != 0 &&
	    strcmp(a->protocol, "icmp") != 0)
		return bad(r, "\"%s\" is not a protocol (tcp, udp, icmp)", a->protocol);
	if (port < 0 || count < 1)
		return bad(r, "missing \"port\" or \"count\"");
	a->port = (uint16_t)port;
	a->count = (unsigned)count;
	snprintf(a->first, sizeof(a->first), "%s", first ? first : "");
	snprintf(a->last, sizeof(a->last), "%s", last ? last : "");
	return RM_OK;
}

/* probe: who wrote the document, and the addresses it has. */
static int read_probe(struct reader *r, const cJSON *root)
{
	struct rm_results_doc *doc = r->doc;
	const cJSON *v, *addrs, *a;
	size_t n = 0;
	int rc;

	at(r, "probe");
	v = member(root, "probe");
	if (!cJSON_IsObject(v))
		return bad(r, "missing or not an object");
	if ((rc = get_str(r, v, "name", true, &doc->probe)) != RM_OK ||
	    (rc = get_str(r, v, "cluster", true, &doc->cluster)) != RM_OK ||
	    (rc = get_str(r, v, "zone", false, &doc->zone)) != RM_OK)
		return rc;
	addrs = member(v, "addresses");
	if (addrs != NULL && !cJSON_IsArray(addrs))
		return bad(r, "\"addresses\" must be a list");
	doc->addresses = rm_arena_calloc(doc->arena, (size_t)cJSON_GetArraySize(addrs) + 1,
					 sizeof(*doc->addresses));
	if (doc->addresses == NULL)
		return RM_ENOMEM;
	cJSON_ArrayForEach(a, addrs)
	{
		if (!cJSON_IsString(a) ||
		    cidr_addr_parse(a->valuestring, &doc->addresses[n]) != RM_OK)
			return bad(r, "addresses[%zu] must be an IP address", n);
		n++;
	}
	doc->naddresses = n;
	return RM_OK;
}

/* A document's time in whole seconds, as the documents carry them
 * ("2026-11-24T09:00:00Z"): a fraction (which RFC 3339 and the schema
 * allow) is dropped, so a round is still identified by its start. */
static void copy_time(char out[RM_TIME_STRLEN], const char *t)
{
	size_t n = t != NULL ? strlen(t) : 0;

	if (n > 20 && t[19] == '.' && t[n - 1] == 'Z' && strspn(t + 20, "0123456789") == n - 21)
		snprintf(out, RM_TIME_STRLEN, "%.19sZ", t);
	else
		snprintf(out, RM_TIME_STRLEN, "%s", t != NULL ? t : "");
}

/* The tree of text, in a scratch scope (see json_scratch.h) that
 * drop_root ends: everything kept is copied into the document's arena
 * before. NULL after a message. */
static cJSON *parse_root(const char *name, const char *text, size_t len, struct rm_diag *d)
{
	const char *end = NULL;
	cJSON *root;

	rm_json_scratch_begin();
	/* A real round's tree is about seven times its text (a node and a
	 * key per value): twelve times leaves room and bounds the rest. */
	rm_json_scratch_limit(len > (SIZE_MAX - (1u << 20)) / 12 ? SIZE_MAX
								 : 12 * len + (1u << 20));
	/* A hint of another tree could name a node at a reused address. */
	hint_obj = hint_next = NULL;
	if ((root = cJSON_ParseWithLengthOpts(text, len, &end, false)) != NULL) {
		/* cJSON stops after the first value: what follows it must be
		 * blank, or a collector would keep (and hand on, GET
		 * /v1/rounds) bytes that are not one JSON document. */
		while (end < text + len && strchr(" \t\r\n", *end) != NULL && *end != '\0')
			end++;
		if (end == text + len)
			return root;
		rm_diag_error(d, "%s: data after the JSON document (at byte %ld)", name,
			      (long)(end - text));
		cJSON_Delete(root);
		rm_json_scratch_end();
		return NULL;
	}
	if (rm_json_scratch_over()) {
		rm_diag_error(d,
			      "%s: too many values for %zu bytes of JSON (their tree would take "
			      "over twelve times the text); a results document is objects of "
			      "words, not a long list of numbers",
			      name, len);
	} else {
		const char *where = cJSON_GetErrorPtr();

		rm_diag_error(d, "%s: not JSON (at byte %ld)", name,
			      where ? (long)(where - text) : -1L);
	}
	rm_json_scratch_end();
	return NULL;
}

static void drop_root(cJSON *root)
{
	cJSON_Delete(root);
	hint_obj = hint_next = NULL;
	rm_json_scratch_end();
}

/* arrivalsBy: how a serve document's arrivals were seen (absent: capture). */
static int read_arrivals_by(struct reader *r, const cJSON *root)
{
	const cJSON *v = member(root, "arrivalsBy");

	if (v == NULL)
		return RM_OK;
	if (!cJSON_IsString(v) ||
	    (strcmp(v->valuestring, "capture") != 0 && strcmp(v->valuestring, "accept") != 0))
		return bad(r, "\"arrivalsBy\" must be \"capture\" or \"accept\"");
	r->doc->accepts_only = strcmp(v->valuestring, "accept") == 0;
	return RM_OK;
}

/* schema, probe, mode, lost, arrivalsBy, started, finished. */
static int read_head(struct reader *r, const cJSON *root)
{
	struct rm_results_doc *doc = r->doc;
	const char *schema, *t = NULL;
	int rc;

	if (!cJSON_IsObject(root))
		return bad(r, "not a JSON object");
	if ((rc = get_str(r, root, "schema", true, &schema)) != RM_OK)
		return rc;
	if (strcmp(schema, "reachmap.results/v1") != 0)
		return bad(r, "schema \"%s\" is not reachmap.results/v1", schema);
	if ((rc = read_probe(r, root)) != RM_OK)
		return rc;
	at(r, "%s", "");
	if ((rc = get_str(r, root, "mode", false, &doc->mode)) != RM_OK ||
	    (rc = read_uint(r, root, "lost", 1000000000, &doc->lost)) != RM_OK ||
	    (rc = read_arrivals_by(r, root)) != RM_OK ||
	    (rc = get_str(r, root, "started", false, &t)) != RM_OK)
		return rc;
	copy_time(doc->started, t);
	if ((rc = get_str(r, root, "finished", false, &t)) != RM_OK)
		return rc;
	copy_time(doc->finished, t);
	return RM_OK;
}

/* The member `key` of root when it is a list (NULL when absent); RM_EPARSE
 * in *rc when it is something else. */
static const cJSON *list(struct reader *r, const cJSON *root, const char *key, int *rc)
{
	const cJSON *v = member(root, key);

	*rc = RM_OK;
	if (v != NULL && !cJSON_IsArray(v)) {
		at(r, "%s", "");
		*rc = bad(r, "\"%s\" must be a list", key);
		return NULL;
	}
	return v;
}

/* results[], notes[], arrivals[]. */
static int read_lists(struct reader *r, const cJSON *root)
{
	const cJSON *v, *item;
	size_t i = 0;
	int rc;

	if ((v = list(r, root, "results", &rc)) == NULL && rc != RM_OK)
		return rc;
	if (v != NULL && (rc = results_doc_reserve(
			      r->doc, r->doc->nresults + (size_t)cJSON_GetArraySize(v))) != RM_OK)
		return rc;
	cJSON_ArrayForEach(item, v)
	{
		if ((rc = read_result(r, item, i++)) != RM_OK)
			return rc;
	}
	if ((v = list(r, root, "notes", &rc)) == NULL && rc != RM_OK)
		return rc;
	i = 0;
	cJSON_ArrayForEach(item, v)
	{
		at(r, "notes[%zu]", i++);
		if (!cJSON_IsString(item))
			return bad(r, "must be a string");
		if ((rc = results_doc_add_note(r->doc, item->valuestring)) != RM_OK)
			return rc;
	}
	if ((v = list(r, root, "arrivals", &rc)) == NULL && rc != RM_OK)
		return rc;
	i = 0;
	cJSON_ArrayForEach(item, v)
	{
		if ((rc = read_arrival(r, item, i++)) != RM_OK)
			return rc;
	}
	return RM_OK;
}

int results_doc_read(const char *name, const char *text, size_t len, struct rm_results_doc *doc,
		     struct rm_diag *d)
{
	struct reader r = { name, doc, d, "" };
	cJSON *root;
	int rc;

	if (d != NULL)
		rm_diag_clear(d);
	if ((root = parse_root(name, text, len, d)) == NULL)
		return RM_EPARSE;
	rc = read_head(&r, root);
	if (rc == RM_OK)
		rc = read_lists(&r, root);
	if (rc == RM_ENOMEM)
		rm_diag_error(d, "%s: out of memory", name);
	drop_root(root);
	return rc;
}

int results_doc_load(const char *path, struct rm_results_doc *doc, struct rm_diag *d)
{
	char *text;
	size_t len;
	int rc;

	if (d != NULL)
		rm_diag_clear(d);
	rc = rm_diag_file_read(path, RESULTS_MAX_FILE, "results document", &text, &len, d);
	if (rc != RM_OK)
		return rc;
	rc = results_doc_read(path, text, len, doc, d);
	rm_free(text);
	return rc;
}
