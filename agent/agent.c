/* The round loop: one thread (the caller's) waits for the next round or a
 * signal on a signalfd, runs the round, hands its documents to every
 * pusher and says how the round went in one line. */
#include "agent/agent.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "agent/pusher.h"
#include "probes/caps.h"
#include "probes/facts.h"
#include "probes/resolve.h"
#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"
#include "reachmap/wire.h"

#define NS_PER_S	 1000000000ull
#define PUSH_WAIT_NS	 (2 * NS_PER_S) /* a round's line waits this long for its pushes */
#define PUSH_WAIT_MIN_NS (NS_PER_S / 4) /* and this long even when the next round is due */
#define RESOLVE_MAX_MS	 1500u		/* names resolved before a round, at most */
#define NOTES_REMEMBERED 256

struct agent {
	const struct agent_config *cfg;
	struct serve_config serve;
	unsigned listeners;
	int sigfd;
	struct serve_bg *bg;
	struct pusher **pushers;
	size_t npushers;
	struct probe_addrs *addrs;
	struct rm_results_doc *doc; /* the round's, for the resolver's notes */
	struct rm_addr self;
	bool self_known;
	size_t packets; /* a round's, before paths */
	bool over;	/* packets / rate > interval */
	uint64_t round;
	bool ran; /* started: its end is worth a line */
	time_t last_started;
	uint64_t rng;
	uint32_t said[NOTES_REMEMBERED]; /* hashes of notes logged once */
	size_t nsaid, said_next;	 /* how many are kept; where the next goes */
};

struct round {
	uint64_t n;
	char started[RM_TIME_STRLEN];
	uint64_t t0, due; /* monotonic: start, and when the next one is due */
	char *results, *arrivals;
	size_t results_len, arrivals_len, nresults, narrivals;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

__attribute__((format(printf, 2, 3))) static void say(const struct agent *a, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	a->cfg->log(line, a->cfg->log_arg);
}

/* A note logged once: the resolver says the same thing every round. */
static void note_once(struct agent *a, const char *msg)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; msg[i] != '\0'; i++)
		h = (h ^ (uint8_t)msg[i]) * 16777619u;
	for (i = 0; i < a->nsaid; i++)
		if (a->said[i] == h)
			return;
	a->said[a->said_next] = h;
	a->said_next = (a->said_next + 1) % NOTES_REMEMBERED;
	if (a->nsaid < NOTES_REMEMBERED)
		a->nsaid++;
	say(a, "note: %s", msg);
}

static void serve_note(const char *msg, void *arg)
{
	struct agent *a = arg;

	if (a->cfg->serve_cfg.note != NULL)
		a->cfg->serve_cfg.note(msg, a->cfg->serve_cfg.note_arg);
}

static void serve_ready(unsigned listeners, void *arg)
{
	struct agent *a = arg;

	a->listeners = listeners;
	if (a->cfg->serve_cfg.ready != NULL)
		a->cfg->serve_cfg.ready(listeners, a->cfg->serve_cfg.note_arg);
}

/* The resolver's notes go in the round's document (the report shows them)
 * and, once, to the log. */
static void addrs_note(const char *msg, void *arg)
{
	struct agent *a = arg;

	if (a->doc != NULL)
		results_doc_add_note(a->doc, msg);
	note_once(a, msg);
}

static void pusher_log(const char *msg, void *arg)
{
	say(arg, "%s", msg);
}

/* Uniform in [0, 1) (xorshift64*): the interval's jitter. */
static double rand01(struct agent *a)
{
	a->rng ^= a->rng >> 12;
	a->rng ^= a->rng << 25;
	a->rng ^= a->rng >> 27;
	return (double)((a->rng * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

/* Waits until the monotonic deadline; true when a signal came first (it
 * stays pending on the signalfd: the engine's cancel watches it too). */
static bool wait_signal(const struct agent *a, uint64_t deadline)
{
	struct pollfd pfd = { .fd = a->sigfd, .events = POLLIN };

	for (;;) {
		uint64_t now = mono_ns();
		int ms;

		if (poll(&pfd, 1, 0) > 0)
			return true;
		if (now >= deadline)
			return false;
		ms = (int)((deadline - now + 999999) / 1000000);
		if (poll(&pfd, 1, ms > 1000 ? 1000 : ms) > 0)
			return true;
	}
}

/* ---- the pod's own address ----------------------------------------------- */

static bool is_local(const struct rm_addr *addr)
{
	struct sockaddr_storage ss;
	socklen_t sl = wire_to_sockaddr(addr, 0, &ss);
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&ss, sl) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

/* The address given; else the topology's when it is this host's; else the
 * host's own in the cluster; else the topology's. Registered again with
 * every collector when it changes (a pod re-created elsewhere). */
static void update_self(struct agent *a)
{
	const struct agent_config *cfg = a->cfg;
	const struct rm_addr *topo = cfg->topo_address;
	struct rm_addr now = { 0 };
	size_t i;

	if (cfg->address.family != RM_AF_NONE)
		now = cfg->address;
	else if (topo != NULL && cidr_addr_is_set(topo) && is_local(topo))
		now = *topo;
	else if (facts_own_address(cfg->cluster, &now) != RM_OK && topo != NULL)
		now = *topo;
	if (a->self_known && cidr_addr_equal(&now, &a->self))
		return;
	a->self = now;
	a->self_known = true;
	for (i = 0; i < a->npushers; i++)
		pusher_set_address(a->pushers[i], &a->self);
}

/* ---- documents -------------------------------------------------------------- */

static void doc_head(const struct agent *a, const struct round *r, struct rm_results_doc *doc)
{
	doc->probe = a->cfg->name;
	doc->cluster = a->cfg->cluster->name;
	doc->zone = a->cfg->zone;
	doc->addresses = (struct rm_addr *)&a->self;
	doc->naddresses = a->self.family != RM_AF_NONE;
	memcpy(doc->started, r->started, sizeof(doc->started));
}

/* The document as JSON text in *out: open_memstream's buffer, which the
 * caller releases with free(), not rm_free. */
static int doc_json(struct rm_results_doc *doc, char **out, size_t *len)
{
	FILE *f = open_memstream(out, len);
	int rc;

	if (f == NULL)
		return RM_ENOMEM;
	rm_time_format(time(NULL), doc->finished, sizeof(doc->finished));
	rc = results_doc_write_json(doc, f);
	if (fclose(f) != 0 && rc == RM_OK)
		rc = RM_ENOMEM;
	if (rc != RM_OK) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

/* The names of entries without an address resolved, then the peers'
 * current addresses from every collector's list (they win over both the
 * resolved and the topology's). */
static void learn_addresses(struct agent *a)
{
	const struct agent_config *cfg = a->cfg;
	unsigned timeout = cfg->probe_cfg.timeout_ms;
	struct agent_peers all;
	size_t i;

	probe_addrs_resolve(a->addrs, timeout < RESOLVE_MAX_MS ? timeout : RESOLVE_MAX_MS);
	peers_init(&all);
	for (i = 0; i < a->npushers; i++)
		if (pusher_peers(a->pushers[i], &all) != RM_OK)
			break;
	for (i = 0; i < all.n; i++) {
		const struct agent_peer *p = &all.v[i];

		if (strcmp(p->cluster, cfg->cluster->name) == 0 && strcmp(p->name, cfg->name) == 0)
			continue;
		/* A name the topology does not have is none of this agent's
		 * business; an address outside the ranges is refused with a
		 * note. */
		probe_addrs_set(a->addrs, p->cluster, p->name, &p->addr);
	}
	peers_free(&all);
}

/* The engine's round into r->results. RM_ECANCEL: a signal came. */
static int probe_round(struct agent *a, struct round *r)
{
	struct probe_config pc = a->cfg->probe_cfg;
	struct rm_results_doc doc;
	struct rm_diag diag;
	char capeff[20];
	int rc;

	if (results_doc_init(&doc) != RM_OK)
		return RM_ENOMEM;
	doc_head(a, r, &doc);
	doc.mode = a->cfg->mode;
	snprintf(capeff, sizeof(capeff), "%016" PRIx64, caps_effective());
	doc.cap_eff = capeff;
	a->doc = &doc;
	learn_addresses(a);
	rm_diag_clear(&diag);
	pc.addrs = a->addrs;
	pc.cancel_fd = &a->sigfd;
	pc.diag = &diag;
	rc = facts_collect(&doc, "/etc/resolv.conf");
	if (rc == RM_OK)
		rc = engine_run(&pc, &doc);
	a->doc = NULL;
	if (rc == RM_OK) {
		r->nresults = doc.nresults;
		rc = doc_json(&doc, &r->results, &r->results_len);
	} else if (rc != RM_ECANCEL) {
		say(a, "round=%" PRIu64 ": the round did not run: %s", r->n,
		    diag.error[0] ? diag.error : rm_strerror(rc));
	}
	results_doc_free(&doc);
	return rc;
}

static int arrivals_round(struct agent *a, struct round *r)
{
	struct rm_results_doc doc;
	int rc;

	if (results_doc_init(&doc) != RM_OK)
		return RM_ENOMEM;
	doc_head(a, r, &doc);
	rc = serve_take(a->bg, &doc);
	if (rc == RM_OK) {
		r->narrivals = doc.narrivals;
		rc = doc_json(&doc, &r->arrivals, &r->arrivals_len);
	}
	results_doc_free(&doc);
	return rc;
}

/* ---- pushing and saying how it went ----------------------------------------- */

static void offer(struct agent *a, struct round *r)
{
	size_t i;

	for (i = 0; i < a->npushers; i++) {
		if (r->results != NULL)
			pusher_offer(a->pushers[i], r->n, SPOOL_RESULTS, r->results,
				     r->results_len);
		if (r->arrivals != NULL)
			pusher_offer(a->pushers[i], r->n, SPOOL_ARRIVALS, r->arrivals,
				     r->arrivals_len);
		pusher_want_peers(a->pushers[i]);
	}
}

/* Waits (until the next round is due, 2 s at most, 250 ms at least) for
 * the round's pushes to settle; how many went through. false: a signal
 * came. */
static bool await_pushes(struct agent *a, const struct round *r, unsigned *ok)
{
	uint64_t now = mono_ns(), deadline = now + PUSH_WAIT_NS;

	if (deadline > r->due)
		deadline = r->due > now + PUSH_WAIT_MIN_NS ? r->due : now + PUSH_WAIT_MIN_NS;
	for (;;) {
		bool all = true, settled;
		unsigned n;
		size_t i;

		*ok = 0;
		for (i = 0; i < a->npushers; i++) {
			pusher_outcome(a->pushers[i], &n, &settled);
			*ok += n;
			all &= settled;
		}
		if (all || mono_ns() >= deadline)
			return true;
		if (wait_signal(a, mono_ns() + 20 * 1000000ull))
			return false;
	}
}

static void round_line(struct agent *a, const struct round *r, uint64_t duration_ns, unsigned ok)
{
	const struct agent_config *cfg = a->cfg;
	unsigned docs = (r->results != NULL ? 1u : 0u) + (r->arrivals != NULL ? 1u : 0u);
	unsigned total = (unsigned)a->npushers * docs;
	size_t i, spooled = 0, k;
	unsigned lost = 0, l;
	char over[128] = "";

	for (i = 0; i < a->npushers; i++) {
		pusher_depth(a->pushers[i], &k, &l);
		spooled += k;
		lost += l;
	}
	if (cfg->probe && (a->over || duration_ns > (uint64_t)cfg->interval_s * NS_PER_S))
		snprintf(over, sizeof(over), " packets=%zu rate=%g over=yes", a->packets,
			 cfg->probe_cfg.rate);
	if (!cfg->quiet)
		say(a,
		    "round=%" PRIu64 " started=%s duration_ms=%" PRIu64
		    " results=%zu arrivals=%zu pushed=%u/%u spool=%zu lost=%u%s",
		    r->n, r->started, duration_ns / 1000000, r->nresults, r->narrivals, ok, total,
		    spooled, lost, over);
}

/* ---- the loop --------------------------------------------------------------- */

/* A round's start, to the second, is its identity at the collector: two
 * rounds in one second would be one. */
static bool distinct_second(struct agent *a, struct round *r)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec == a->last_started) {
		if (wait_signal(a, mono_ns() + (NS_PER_S - (uint64_t)ts.tv_nsec)))
			return false;
		clock_gettime(CLOCK_REALTIME, &ts);
	}
	a->last_started = ts.tv_sec;
	rm_time_format(ts.tv_sec, r->started, sizeof(r->started));
	return true;
}

/* One round; false when a signal ended it. */
static bool one_round(struct agent *a, uint64_t *due)
{
	uint64_t interval = (uint64_t)a->cfg->interval_s * NS_PER_S, end;
	struct round r = { .n = ++a->round };
	unsigned ok = 0;
	bool go_on = true;
	int rc = RM_OK;

	if (!distinct_second(a, &r))
		return false;
	r.t0 = mono_ns();
	r.due = r.t0 + (uint64_t)((double)interval * (0.9 + 0.2 * rand01(a)));
	update_self(a);
	if (a->cfg->probe)
		rc = probe_round(a, &r);
	if (rc == RM_ECANCEL) {
		say(a, "round=%" PRIu64 " abandoned: stopping", r.n);
		return false;
	}
	if (arrivals_round(a, &r) != RM_OK)
		say(a, "round=%" PRIu64 ": out of memory for its arrivals", r.n);
	end = mono_ns();
	offer(a, &r);
	go_on = await_pushes(a, &r, &ok);
	round_line(a, &r, end - r.t0, ok);
	free(r.results);
	free(r.arrivals);
	/* Between rounds the agent holds little: the round's documents and
	 * their JSON (tens of MB for a thousand peers) go back to the system
	 * instead of staying in the heap for the next round (glibc keeps
	 * freed memory otherwise). */
	malloc_trim(0);
	/* Never overlapping: one that ran past its due time is followed now. */
	*due = r.due > mono_ns() ? r.due : mono_ns();
	return go_on;
}

static int open_pushers(struct agent *a, struct rm_diag *d)
{
	const struct agent_config *cfg = a->cfg;
	char name[128], *dir;
	size_t i;
	int rc = RM_OK;

	a->pushers = rm_calloc(cfg->ncollectors + 1, sizeof(*a->pushers));
	if (a->pushers == NULL)
		return RM_ENOMEM;
	for (i = 0; i < cfg->ncollectors && rc == RM_OK; i++) {
		struct pusher_opts o = {
			.url = cfg->collectors[i],
			.token = cfg->token,
			.ca_file = cfg->ca_file,
			/* A hung collector holds its own pusher this long,
			 * never the rounds. */
			.timeout_ms = cfg->interval_s < 5 ? 5000 : cfg->interval_s * 1000,
			.spool_max = cfg->spool_max,
			.name = cfg->name,
			.cluster = cfg->cluster->name,
			.zone = cfg->zone,
			.dns_name = cfg->dns_name,
			.log = pusher_log,
			.log_arg = a,
		};

		spool_dir_name(cfg->collectors[i], name, sizeof(name));
		if ((dir = rm_malloc(strlen(cfg->spool) + strlen(name) + 2)) == NULL)
			return RM_ENOMEM;
		sprintf(dir, "%s/%s", cfg->spool, name);
		o.spool_dir = dir;
		rc = pusher_new(&o, &a->pushers[i], d);
		rm_free(dir);
		if (rc == RM_OK)
			a->npushers++;
	}
	return rc;
}

/* Everything before the first round: signals, spools, the address table,
 * the responder, the pushers' threads. */
static int agent_open(struct agent *a, struct rm_diag *d)
{
	const struct agent_config *cfg = a->cfg;
	sigset_t mask;
	size_t i;
	int rc;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	/* Before any thread: every thread inherits the mask, so the signals
	 * wait on the signalfd for the round loop. */
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	if ((a->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		rm_diag_error(d, "signalfd: %s", strerror(errno));
		return RM_ESYS;
	}
	if ((rc = open_pushers(a, d)) != RM_OK)
		return rc;
	if (cfg->probe) {
		if ((rc = probe_addrs_new(cfg->topo, NULL, addrs_note, a, &a->addrs)) != RM_OK ||
		    (rc = engine_plan(&cfg->probe_cfg, &a->packets)) != RM_OK)
			return rc;
		a->over = (double)a->packets / cfg->probe_cfg.rate > (double)cfg->interval_s;
	}
	a->serve = cfg->serve_cfg;
	a->serve.note = serve_note;
	a->serve.ready = serve_ready;
	a->serve.note_arg = a;
	if ((rc = serve_start(&a->serve, &a->bg)) != RM_OK) {
		rm_diag_error(d, "cannot open the responder's port %u: %s", cfg->serve_cfg.port,
			      rc == RM_ESYS ? strerror(errno) : rm_strerror(rc));
		return rc;
	}
	update_self(a);
	for (i = 0; i < a->npushers; i++)
		if (pusher_start(a->pushers[i]) != RM_OK) {
			rm_diag_error(d, "cannot start a thread: %s", strerror(errno));
			return RM_ESYS;
		}
	return RM_OK;
}

static void agent_close(struct agent *a)
{
	size_t i, waiting = 0, k;
	unsigned lost = 0, l;
	int rc = serve_stop(a->bg);

	if (rc != RM_OK)
		say(a, "note: the responder stopped on an error: %s", rm_strerror(rc));
	for (i = 0; i < a->npushers; i++) {
		pusher_stop(a->pushers[i]);
		pusher_depth(a->pushers[i], &k, &l);
		waiting += k;
		lost += l;
		pusher_free(a->pushers[i]);
	}
	if (a->npushers > 0)
		say(a, "stopped: %zu document(s) in the spool, %u lost round(s) not yet told",
		    waiting, lost);
	rm_free(a->pushers);
	probe_addrs_free(a->addrs);
	if (a->sigfd >= 0)
		close(a->sigfd);
}

int agent_run(const struct agent_config *cfg, struct rm_diag *d)
{
	struct agent a = { .cfg = cfg, .sigfd = -1, .last_started = -1 };
	uint64_t due;
	int rc;

	a.rng = mono_ns() ^ ((uint64_t)getpid() << 32) ^ 0x9e3779b97f4a7c15ull;
	rc = agent_open(&a, d);
	if (rc == RM_OK) {
		a.ran = true;
		say(&a, "ready: %u listeners, interval %u s, %zu collector(s)", a.listeners,
		    cfg->interval_s, cfg->ncollectors);
		if (a.over)
			say(&a,
			    "note: a round is %zu packets at %g per second, %.1f s: longer than "
			    "the interval of %u s; rounds run back to back (each line says "
			    "over=yes)",
			    a.packets, cfg->probe_cfg.rate, (double)a.packets / cfg->probe_cfg.rate,
			    cfg->interval_s);
		due = mono_ns();
		while (!wait_signal(&a, due) && one_round(&a, &due))
			;
	}
	agent_close(&a);
	return rc;
}
