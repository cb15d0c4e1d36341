/* One collector's pusher: the round thread offers documents under the
 * lock; the pusher's thread takes the oldest (from memory or the spool),
 * lets the lock go for the HTTP request, and settles the outcome under it
 * again. Sequence numbers order every document, in memory or on disk. */
#include "agent/pusher.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "collector/client.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"

#define PENDING_MAX	 4 /* documents kept in memory; more wait on disk */
#define ROUND_DOCS_MAX	 4
#define BACKOFF_FIRST_MS 1000u
#define BACKOFF_MAX_MS	 60000u
#define PEERS_MAX	 65536
#define RESPONSE_MAX	 (16u << 20)

struct pending {
	uint64_t seq;
	enum spool_kind kind;
	char *doc;
	size_t len;
};

struct pusher {
	struct pusher_opts o;
	struct client *client;
	struct spool *spool;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* on CLOCK_MONOTONIC */
	atomic_int cancel;   /* the client's: set by pusher_free */
	bool stop;
	uint64_t next_seq;
	struct pending pending[PENDING_MAX];
	size_t npending;
	bool inflight_mem; /* a document from memory is being pushed */
	/* The newest round's documents and how they fared. */
	size_t nround;
	unsigned round_ok, round_refused;
	bool round_failed;
	uint64_t round, round_seq; /* the newest round offered, its sequence number */
	/* The address now, the one registered, the one refused for good; a
	 * registration the collector answered with an error waits its own
	 * backoff (pushes may still go through). */
	struct rm_addr addr, registered, refused;
	unsigned reg_backoff_ms, reg_failures;
	uint64_t reg_next_ns;
	bool push_turn; /* register and push take turns while both wait */
	bool want_peers, peers_warned;
	struct agent_peers peers;
	/* Failing: the delay before the next attempt, and when that is. */
	unsigned backoff_ms, failures;
	uint64_t next_ns;
	uint64_t rng;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Uniform in [0, 1): xorshift64*, seeded per pusher (jitter, not secrets). */
static double rand01(struct pusher *p)
{
	p->rng ^= p->rng >> 12;
	p->rng ^= p->rng << 25;
	p->rng ^= p->rng >> 27;
	return (double)((p->rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

__attribute__((format(printf, 2, 3))) static void logf_(struct pusher *p, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	if (p->o.log == NULL || p->stop)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	p->o.log(msg, p->o.log_arg);
}

static void spool_note(const char *msg, void *arg)
{
	struct pusher *p = arg;

	if (p->o.log != NULL)
		p->o.log(msg, p->o.log_arg);
}

/* What a collector answered, on one line and short: its error message. */
static const char *answer_text(const struct client_resp *r, char *buf, size_t len)
{
	cJSON *root = r->body != NULL ? cJSON_ParseWithLength(r->body, r->len) : NULL;
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
	size_t i;

	snprintf(buf, len, "%ld %.200s", r->status,
		 cJSON_IsString(err) ? err->valuestring
		 : r->body != NULL   ? r->body
				     : "");
	cJSON_Delete(root);
	for (i = 0; buf[i] != '\0'; i++)
		if (buf[i] == '\n' || buf[i] == '\r')
			buf[i] = ' ';
	return buf;
}

/* ---- failing and recovering ----------------------------------------------- */

/* The next delay of a doubling backoff: 1 s, 2 s, ... 60 s. */
static unsigned next_backoff(unsigned ms)
{
	return ms == 0 ? BACKOFF_FIRST_MS : ms >= BACKOFF_MAX_MS / 2 ? BACKOFF_MAX_MS : 2 * ms;
}

static void succeeded(struct pusher *p)
{
	if (p->failures > 0)
		logf_(p, "%s answers again after %u failed attempts", p->o.url, p->failures);
	p->failures = 0;
	p->backoff_ms = 0;
	p->next_ns = 0;
}

/* ---- documents -------------------------------------------------------------- */

/* Into the spool (a document whose push failed, or that must wait behind
 * older ones); one that cannot be written is a lost round. Under the lock. */
static void to_spool(struct pusher *p, uint64_t seq, enum spool_kind kind, const char *doc,
		     size_t len)
{
	struct rm_diag d;

	rm_diag_clear(&d);
	if (spool_put(p->spool, seq, kind, doc, len, &d) == RM_OK)
		return;
	logf_(p, "%s; the document is lost", d.error[0] ? d.error : "spool: out of memory");
	spool_lost_add(p->spool, 1);
}

static void spill_pending(struct pusher *p)
{
	size_t i;

	for (i = 0; i < p->npending; i++) {
		to_spool(p, p->pending[i].seq, p->pending[i].kind, p->pending[i].doc,
			 p->pending[i].len);
		rm_free(p->pending[i].doc);
	}
	p->npending = 0;
}

static void failed(struct pusher *p, const char *why)
{
	double jitter = 0.8 + 0.4 * rand01(p);

	p->failures++;
	p->backoff_ms = next_backoff(p->backoff_ms);
	p->next_ns = mono_ns() + (uint64_t)(p->backoff_ms * jitter * 1e6);
	p->round_failed = true;
	/* What waits in memory waits on disk now: the collector is failing. */
	spill_pending(p);
	if (p->failures == 1)
		logf_(p, "%s; documents go to the spool and are retried with backoff", why);
}

/* The body pushed: the document, with "lost": N first when rounds were
 * lost. The documents on disk are kept as written; the count belongs to
 * whichever goes next. NULL: doc itself (nothing to add) or out of memory
 * (then *len is 0). */
static char *with_lost(const char *doc, size_t len, unsigned lost, size_t *outlen)
{
	size_t skip = strspn(doc, " \t\r\n"), n;
	char *out;

	*outlen = len;
	if (lost == 0 || skip >= len || doc[skip] != '{')
		return NULL;
	n = len + 32;
	if ((out = rm_malloc(n)) == NULL) {
		*outlen = 0;
		return NULL;
	}
	*outlen = (size_t)snprintf(out, n, "{\"lost\": %u, ", lost);
	memcpy(out + *outlen, doc + skip + 1, len - skip - 1);
	*outlen += len - skip - 1;
	return out;
}

static bool of_round(const struct pusher *p, uint64_t seq)
{
	return p->nround > 0 && seq == p->round_seq;
}

/* The outcome of one push, under the lock: 202 delete, 400/413 drop, the
 * rest back to the spool. */
static void settle(struct pusher *p, struct spool_item *it, bool from_spool, int rc,
		   const struct client_resp *r, const struct rm_diag *d, unsigned lost)
{
	bool ok = rc == RM_OK && r->status == 202;
	bool never = rc == RM_OK && (r->status == 400 || r->status == 413);
	char buf[300];

	if (ok || never) {
		succeeded(p);
		if (ok && lost > 0)
			spool_lost_told(p->spool, lost);
		if (ok && of_round(p, it->seq))
			p->round_ok++;
		if (never) {
			/* Settled, but not failing: the round's other documents
			 * are still pushed at once (its log line waits for them). */
			if (of_round(p, it->seq))
				p->round_refused++;
			logf_(p, "%s/v1/results refused a %s document for good (%s); dropped",
			      p->o.url, it->kind == SPOOL_RESULTS ? "round's results" : "arrivals",
			      answer_text(r, buf, sizeof(buf)));
		}
		if (from_spool)
			spool_done(p->spool, it, true);
		return;
	}
	/* Back in its place first: it is older than what failed() spills. */
	if (from_spool)
		spool_done(p->spool, it, false);
	else
		to_spool(p, it->seq, it->kind, it->doc, it->len);
	if (rc == RM_OK) {
		char why[400];

		snprintf(why, sizeof(why), "%s/v1/results: %s", p->o.url,
			 answer_text(r, buf, sizeof(buf)));
		failed(p, why);
	} else {
		failed(p, d->error);
	}
}

/* Pushes the oldest document there is. Called and returns under the lock. */
static void push_one(struct pusher *p)
{
	struct spool_item it = { 0 };
	struct client_resp r;
	struct rm_diag d;
	bool from_spool, on_disk;
	uint64_t oldest = 0;
	unsigned lost;
	char *body;
	size_t blen;
	int rc;

	on_disk = spool_oldest(p->spool, &oldest);
	from_spool = on_disk && (p->npending == 0 || oldest < p->pending[0].seq);
	if (from_spool) {
		if ((rc = spool_take(p->spool, &it)) == RM_ENOMEM)
			failed(p, "spool: out of memory");
		if (rc != RM_OK)
			return;
	} else {
		it = (struct spool_item){ p->pending[0].seq, p->pending[0].kind, p->pending[0].doc,
					  p->pending[0].len };
		memmove(&p->pending[0], &p->pending[1], --p->npending * sizeof(p->pending[0]));
		p->inflight_mem = true;
	}
	lost = spool_lost(p->spool);
	pthread_mutex_unlock(&p->lock);
	rm_diag_clear(&d);
	body = with_lost(it.doc, it.len, lost, &blen);
	if (lost > 0 && body == NULL)
		lost = 0;
	memset(&r, 0, sizeof(r));
	rc = blen == 0
		 ? RM_ENOMEM
		 : client_post(p->client, "/v1/results", body ? body : it.doc, blen, true, &r, &d);
	rm_free(body);
	pthread_mutex_lock(&p->lock);
	if (rc == RM_ENOMEM && d.error[0] == '\0')
		rm_diag_error(&d, "%s: out of memory", p->o.url);
	p->inflight_mem = false;
	settle(p, &it, from_spool, rc, &r, &d, lost);
	client_resp_free(&r);
	spool_item_free(&it);
}

/* ---- register and peers ----------------------------------------------------- */

static bool need_register(const struct pusher *p)
{
	return p->addr.family != RM_AF_NONE && !cidr_addr_equal(&p->addr, &p->registered) &&
	       !cidr_addr_equal(&p->addr, &p->refused);
}

/* reachmap.register/v1 for address a; cJSON_free it. NULL: out of memory. */
static char *register_body(const struct pusher *p, const struct rm_addr *a)
{
	cJSON *root = cJSON_CreateObject(), *addrs;
	char buf[RM_ADDR_STRLEN], *out = NULL;

	if (root == NULL)
		return NULL;
	cJSON_AddStringToObject(root, "schema", "reachmap.register/v1");
	cJSON_AddStringToObject(root, "name", p->o.name);
	cJSON_AddStringToObject(root, "cluster", p->o.cluster);
	if (p->o.zone != NULL)
		cJSON_AddStringToObject(root, "zone", p->o.zone);
	addrs = cJSON_AddArrayToObject(root, "addresses");
	if (addrs != NULL)
		cJSON_AddItemToArray(addrs,
				     cJSON_CreateString(cidr_addr_format(a, buf, sizeof(buf))));
	if (p->o.dns_name != NULL)
		cJSON_AddStringToObject(root, "dnsName", p->o.dns_name);
	out = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return out;
}

/* A registration the collector answered with an error (5xx, 401): said
 * once, tried again after its own backoff. */
static void register_failed(struct pusher *p, const struct client_resp *r)
{
	char buf[300];

	p->reg_backoff_ms = next_backoff(p->reg_backoff_ms);
	p->reg_next_ns = mono_ns() + (uint64_t)(p->reg_backoff_ms * (0.8 + 0.4 * rand01(p)) * 1e6);
	if (p->reg_failures++ == 0)
		logf_(p, "%s/v1/register: %s; trying again with backoff", p->o.url,
		      answer_text(r, buf, sizeof(buf)));
}

/* POST /v1/register. Called and returns under the lock. */
static void register_one(struct pusher *p)
{
	struct rm_addr a = p->addr;
	char *body = register_body(p, &a), buf[300], addr[RM_ADDR_STRLEN];
	struct client_resp r;
	struct rm_diag d;
	int rc;

	if (body == NULL) {
		failed(p, "register: out of memory");
		return;
	}
	pthread_mutex_unlock(&p->lock);
	rm_diag_clear(&d);
	rc = client_post(p->client, "/v1/register", body, strlen(body), false, &r, &d);
	cJSON_free(body);
	pthread_mutex_lock(&p->lock);
	cidr_addr_format(&a, addr, sizeof(addr));
	if (rc != RM_OK) {
		/* Not reachable: pushes would fail the same way. */
		failed(p, d.error);
	} else if (r.status == 200) {
		succeeded(p);
		p->registered = a;
		p->reg_backoff_ms = p->reg_failures = 0;
		logf_(p, "registered with %s as %s", p->o.url, addr);
	} else if (r.status >= 400 && r.status < 500 && r.status != 401 && r.status != 408 &&
		   r.status != 429) {
		/* It will not be accepted as it is: not again until the address
		 * changes. Pushes go on (a probe of the topology needs none). */
		succeeded(p);
		p->refused = a;
		logf_(p, "%s/v1/register refused %s: %s", p->o.url, addr,
		      answer_text(&r, buf, sizeof(buf)));
	} else {
		register_failed(p, &r);
	}
	client_resp_free(&r);
}

/* GET /v1/peers, tried only while the collector answers pushes; a
 * failure waits for the next round's try. Called and returns under the
 * lock. */
static void peers_one(struct pusher *p)
{
	struct agent_peers fresh;
	struct client_resp r;
	struct rm_diag d;
	char buf[300];
	int rc;

	p->want_peers = false;
	pthread_mutex_unlock(&p->lock);
	rm_diag_clear(&d);
	peers_init(&fresh);
	rc = client_get(p->client, "/v1/peers", &r, &d);
	if (rc == RM_OK && r.status == 200)
		rc = peers_parse(r.body, r.len, PEERS_MAX, &fresh, &d);
	pthread_mutex_lock(&p->lock);
	if (rc == RM_OK && r.status == 200) {
		peers_free(&p->peers);
		p->peers = fresh;
		p->peers_warned = false;
	} else {
		peers_free(&fresh);
		if (rc == RM_OK && r.status != 200)
			snprintf(d.error, sizeof(d.error), "%s/v1/peers: %s", p->o.url,
				 answer_text(&r, buf, sizeof(buf)));
		if (rc == RM_EIO)
			failed(p, d.error);
		else if (!p->peers_warned)
			logf_(p, "%s; the peers' addresses stay as they were", d.error);
		p->peers_warned = rc != RM_EIO;
	}
	client_resp_free(&r);
}

/* ---- the thread --------------------------------------------------------------- */

static void wait_until(struct pusher *p, uint64_t deadline_ns)
{
	struct timespec ts = { (time_t)(deadline_ns / 1000000000u),
			       (long)(deadline_ns % 1000000000u) };

	pthread_cond_timedwait(&p->cond, &p->lock, &ts);
}

/* One thing at a time, the oldest document first; register and pushes
 * take turns while both wait (a collector whose register fails must still
 * get the rounds); peers only while pushes go through. */
static void *pusher_thread(void *arg)
{
	struct pusher *p = arg;
	uint64_t oldest;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		uint64_t now = mono_ns();
		bool docs = p->npending > 0 || spool_oldest(p->spool, &oldest);
		bool reg = need_register(p), reg_now = reg && p->reg_next_ns <= now;
		bool peers = p->want_peers && p->backoff_ms == 0;

		if (!docs && !reg_now && !peers) {
			if (reg)
				wait_until(p, p->reg_next_ns);
			else
				pthread_cond_wait(&p->cond, &p->lock);
		} else if (p->next_ns > now) {
			wait_until(p, p->next_ns);
		} else if (reg_now && (!docs || !p->push_turn)) {
			register_one(p);
			p->push_turn = true;
		} else if (peers) {
			peers_one(p);
		} else {
			push_one(p);
			p->push_turn = false;
		}
	}
	spill_pending(p);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/* ---- the round thread's calls ----------------------------------------------- */

int pusher_new(const struct pusher_opts *o, struct pusher **out, struct rm_diag *d)
{
	struct pusher *p = rm_calloc(1, sizeof(*p));
	struct client_opts co = { 0 };
	pthread_condattr_t ca;
	int rc;

	*out = NULL;
	if (p == NULL) {
		rm_diag_error(d, "%s: out of memory", o->url);
		return RM_ENOMEM;
	}
	p->o = *o;
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &ca);
	pthread_condattr_destroy(&ca);
	atomic_init(&p->cancel, 0);
	peers_init(&p->peers);
	p->rng = mono_ns() ^ ((uint64_t)(uintptr_t)p << 17) ^ 0x9e3779b97f4a7c15ull;
	co.token = o->token;
	co.ca_file = o->ca_file;
	co.timeout_ms = o->timeout_ms;
	co.max_response = RESPONSE_MAX;
	co.cancel = &p->cancel;
	rc = client_new(o->url, &co, &p->client, d);
	if (rc == RM_OK)
		rc = spool_open(o->spool_dir, o->spool_max, spool_note, p, &p->spool, d);
	if (rc != RM_OK) {
		pusher_free(p);
		return rc;
	}
	p->next_seq = spool_next_seq(p->spool);
	*out = p;
	return RM_OK;
}

int pusher_start(struct pusher *p)
{
	if (pthread_create(&p->thread, NULL, pusher_thread, p) != 0)
		return RM_ESYS;
	p->started = true;
	return RM_OK;
}

void pusher_stop(struct pusher *p)
{
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	atomic_store(&p->cancel, 1);
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	if (p->started)
		pthread_join(p->thread, NULL);
	else if (p->spool != NULL)
		spill_pending(p);
	p->started = false;
}

void pusher_free(struct pusher *p)
{
	size_t i;

	if (p == NULL)
		return;
	pusher_stop(p);
	for (i = 0; i < p->npending; i++)
		rm_free(p->pending[i].doc);
	client_free(p->client);
	spool_close(p->spool);
	peers_free(&p->peers);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	rm_free(p);
}

void pusher_offer(struct pusher *p, uint64_t round, enum spool_kind kind, const char *doc,
		  size_t len)
{
	uint64_t oldest, seq;
	char *copy;

	pthread_mutex_lock(&p->lock);
	/* A round's documents share its sequence number: the spool counts
	 * and drops whole rounds. */
	if (round != p->round || p->nround == 0) {
		p->round = round;
		p->round_seq = p->next_seq++;
		p->nround = 0;
		p->round_ok = 0;
		p->round_refused = 0;
		p->round_failed = false;
	}
	seq = p->round_seq;
	if (p->nround < ROUND_DOCS_MAX)
		p->nround++;
	/* From memory only while nothing older waits and the collector is
	 * not failing: otherwise it waits its turn on disk. */
	if (p->npending < PENDING_MAX && p->backoff_ms == 0 && !spool_oldest(p->spool, &oldest) &&
	    (copy = rm_malloc(len + 1)) != NULL) {
		memcpy(copy, doc, len);
		copy[len] = '\0';
		p->pending[p->npending++] = (struct pending){ seq, kind, copy, len };
	} else {
		to_spool(p, seq, kind, doc, len);
	}
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

void pusher_outcome(struct pusher *p, unsigned *ok, bool *settled)
{
	pthread_mutex_lock(&p->lock);
	*ok = p->round_ok;
	*settled = p->round_ok + p->round_refused >= p->nround || p->round_failed;
	pthread_mutex_unlock(&p->lock);
}

void pusher_set_address(struct pusher *p, const struct rm_addr *addr)
{
	pthread_mutex_lock(&p->lock);
	if (!cidr_addr_equal(&p->addr, addr)) {
		p->addr = *addr;
		memset(&p->refused, 0, sizeof(p->refused));
		p->reg_next_ns = 0;
		pthread_cond_signal(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
}

void pusher_want_peers(struct pusher *p)
{
	pthread_mutex_lock(&p->lock);
	p->want_peers = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

int pusher_peers(struct pusher *p, struct agent_peers *into)
{
	int rc;

	pthread_mutex_lock(&p->lock);
	rc = peers_merge(into, &p->peers);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

void pusher_depth(struct pusher *p, size_t *spooled, unsigned *lost)
{
	pthread_mutex_lock(&p->lock);
	*spooled = spool_count(p->spool) + p->npending + p->inflight_mem;
	*lost = spool_lost(p->spool);
	pthread_mutex_unlock(&p->lock);
}

const char *pusher_url(const struct pusher *p)
{
	return p->o.url;
}
