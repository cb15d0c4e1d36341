/* The engine: builds the list of destinations and jobs from the topology,
 * starts jobs as the token bucket allows, and collects their results. It
 * knows the checks only through their ops tables (probes/check.h). */
#include "probes/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "probes/check.h"
#include "probes/icmpsock.h"
#include "probes/resolve.h"
#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/reserved.h"

#define ENGINE_INFLIGHT 4096 /* jobs running at once, at most */

struct probe_engine {
	const struct probe_config *cfg;
	struct rm_loop *loop;
	struct rm_bucket bucket;
	struct rm_results_doc *doc;
	struct probe_dest *dests;
	size_t ndests;
	struct rm_addr *own_servers; /* resolv.conf's, for dns_jobs */
	size_t nown_servers;
	struct rm_arena *arena; /* the jobs */
	struct probe_job **jobs;
	size_t njobs, jobs_cap, next, inflight, done;
	size_t max_inflight; /* descriptors: ENGINE_INFLIGHT or the fd limit */
	struct loop_timer *pump_timer;
	int failed; /* RM_ENOMEM during the round, or RM_ECANCEL */
	struct icmp_sock *icmp;
	/* The table that runs each check this round (NULL: not run), and what
	 * its open hook made for its jobs. */
	const struct probe_ops *ops[RM_CHECK_COUNT];
	void *shared[RM_CHECK_COUNT];
	bool opened[RM_CHECK_COUNT];
};

struct rm_loop *engine_loop(struct probe_engine *e)
{
	return e->loop;
}

struct icmp_sock *engine_icmp(struct probe_engine *e)
{
	return e->icmp;
}

/* engine_plan's engine has a document with no arena (it keeps nothing):
 * its notes go to the callback only. */
int engine_note(struct probe_engine *e, const char *msg)
{
	if (e->cfg->note != NULL)
		e->cfg->note(msg, e->cfg->progress_arg);
	if (e->doc->arena == NULL)
		return RM_OK;
	return results_doc_add_note(e->doc, msg);
}

struct rm_loop *job_loop(const struct probe_job *job)
{
	return job->e->loop;
}

const struct probe_config *job_config(const struct probe_job *job)
{
	return job->e->cfg;
}

struct icmp_sock *job_icmp(const struct probe_job *job)
{
	return job->e->icmp;
}

void *job_shared(const struct probe_job *job)
{
	return job->e->shared[job->ops->check];
}

double job_elapsed_ms(const struct probe_job *job)
{
	return (double)(loop_clock() - job->started) / 1e6;
}

struct rm_result *job_result(struct probe_job *job, enum rm_check check)
{
	struct rm_result *r = results_doc_add(job->e->doc);

	if (r == NULL) {
		job->e->failed = RM_ENOMEM;
		return NULL;
	}
	r->target = job->dest->name;
	r->target_cluster = job->dest->cluster;
	r->address = job->dest->address;
	r->check = check;
	r->port = job->port;
	return r;
}

struct rm_arena *job_arena(struct probe_job *job)
{
	return job->e->doc->arena;
}

const char *job_strdup(struct probe_job *job, const char *s)
{
	char *copy = rm_arena_strdup(job->e->doc->arena, s);

	if (copy == NULL) {
		job->e->failed = RM_ENOMEM;
		return "";
	}
	return copy;
}

static void pump(struct probe_engine *e);

static size_t job_fds(const struct probe_job *job)
{
	return job->ops->fds ? job->ops->fds : 1;
}

static void pump_timer_cb(struct rm_loop *loop, void *arg)
{
	struct probe_engine *e = arg;

	(void)loop;
	e->pump_timer = NULL;
	pump(e);
}

void job_finish(struct probe_job *job)
{
	struct probe_engine *e = job->e;

	if (job->finished)
		return;
	job->finished = true;
	icmpsock_release_port(e->icmp, job->sport, job);
	if (job->fd >= 0) {
		loop_unwatch(e->loop, job->fd);
		close(job->fd);
		job->fd = -1;
	}
	loop_timer_cancel(e->loop, job->timer);
	job->timer = NULL;
	e->inflight -= job_fds(job);
	e->done++;
	if (e->cfg->progress)
		e->cfg->progress(e->done, e->njobs, e->cfg->progress_arg);
	if (e->done == e->njobs) {
		loop_stop(e->loop);
		return;
	}
	/* Start the next ones from the loop, not from inside this callback. */
	if (e->pump_timer == NULL && e->next < e->njobs)
		e->pump_timer = loop_timer_at(e->loop, loop_now(e->loop), pump_timer_cb, e);
}

/* The loop frees a timer as it fires: forget it before the check runs. */
static void job_timer_fired(struct rm_loop *loop, void *arg)
{
	struct probe_job *job = arg;

	job->timer = NULL;
	job->on_timeout(loop, job);
}

int job_timeout(struct probe_job *job, uint64_t deadline, loop_timer_cb cb)
{
	loop_timer_cancel(job->e->loop, job->timer);
	job->on_timeout = cb;
	job->timer = loop_timer_at(job->e->loop, deadline, job_timer_fired, job);
	if (job->timer == NULL) {
		job->e->failed = RM_ENOMEM;
		return RM_ENOMEM;
	}
	return RM_OK;
}

int job_timeout_round(struct probe_job *job, loop_timer_cb cb)
{
	return job_timeout(job, loop_clock() + (uint64_t)job->e->cfg->timeout_ms * 1000000u, cb);
}

/* Starts jobs while tokens and room allow; when the bucket is empty, comes
 * back when the next token is due. */
static void pump(struct probe_engine *e)
{
	while (e->next < e->njobs && e->inflight + job_fds(e->jobs[e->next]) <= e->max_inflight &&
	       !e->failed) {
		uint64_t wait = bucket_take(&e->bucket, loop_clock());
		struct probe_job *job;

		if (wait > 0) {
			if (e->pump_timer == NULL)
				e->pump_timer =
				    loop_timer_at(e->loop, loop_clock() + wait, pump_timer_cb, e);
			if (e->pump_timer == NULL)
				e->failed = RM_ENOMEM;
			return;
		}
		job = e->jobs[e->next++];
		job->started = loop_clock();
		e->inflight += job_fds(job);
		if (job->ops->start(job) != RM_OK)
			e->failed = RM_ENOMEM;
	}
	if (e->failed)
		loop_stop(e->loop);
}

/* ---- destinations and jobs ------------------------------------------------ */

/* DESIGN.md's safety rule: only addresses inside the topology's ranges, and
 * never the reserved blocks (loopback only when a test asks). */
static bool may_send(const struct probe_config *cfg, const struct rm_addr *a)
{
	const struct rm_reserved *res = rm_reserved_find(a, RM_RESERVED_NEVER_PROBE);
	size_t c, r;

	if (res != NULL && !(cfg->allow_loopback && (res->flags & RM_RESERVED_LOOPBACK)))
		return false;
	/* IPv4 loopback is in no cluster's ranges; the tests that allow it
	 * probe it there. */
	if (res != NULL && a->family == RM_AF_INET)
		return true;
	for (c = 0; c < cfg->topo->nclusters; c++)
		for (r = 0; r < cfg->topo->clusters[c].nranges; r++)
			if (cidr_contains(&cfg->topo->clusters[c].ranges[r].prefix, a))
				return true;
	return false;
}

static size_t count_dests(const struct rm_topology *t)
{
	size_t c, n = 0;

	for (c = 0; c < t->nclusters; c++)
		n += t->clusters[c].nprobes + t->clusters[c].ntargets;
	return n;
}

/* The records a name of cluster c is asked for when nothing says its
 * family: AAAA in a cluster of IPv6 ranges only, else A. */
static uint8_t cluster_family(const struct rm_cluster *c)
{
	size_t r;

	for (r = 0; r < c->nranges; r++)
		if (c->ranges[r].prefix.addr.family == RM_AF_INET)
			return RM_AF_INET;
	return c->nranges > 0 ? RM_AF_INET6 : RM_AF_INET;
}

/* One destination: where it is this round (probe_config.addrs wins over
 * the topology's address), what its DNS must answer, and whether it may
 * be probed at all. A destination with no address this round is kept for
 * its dns check alone, and the document's notes say why. */
static int add_dest(struct probe_engine *e, const struct rm_cluster *cl, const char *name,
		    const struct rm_addr *declared, const char *dns_name, const size_t *ports,
		    size_t nports)
{
	const struct probe_config *cfg = e->cfg;
	const struct rm_addr *now = cfg->addrs ? probe_addrs_get(cfg->addrs, cl->name, name) : NULL;
	struct probe_dest *d = &e->dests[e->ndests];
	char msg[512];

	*d = (struct probe_dest){ .name = name,
				  .cluster = cl->name,
				  .address = now ? *now : *declared,
				  .expect = *declared,
				  .dns_name = dns_name,
				  .ports = ports,
				  .nports = nports };
	if (!cidr_addr_is_set(&d->expect) && now != NULL &&
	    probe_addrs_learned(cfg->addrs, cl->name, name))
		d->expect = *now;
	d->family = cidr_addr_is_set(&d->address)  ? d->address.family
		    : cidr_addr_is_set(&d->expect) ? d->expect.family
						   : cluster_family(cl);
	if (cidr_addr_is_set(&d->address)) {
		if (may_send(cfg, &d->address))
			e->ndests++;
		return RM_OK;
	}
	if (dns_name == NULL)
		return RM_OK;
	snprintf(msg, sizeof(msg),
		 "%s (%s) has no address this round (%s did not resolve to one in %s's "
		 "ranges, and no collector gave one): only its dns check ran",
		 name, cl->name, dns_name, cl->name);
	e->ndests++;
	return engine_note(e, msg);
}

/* Every peer and target of every cluster but the source itself. A peer
 * probe is checked on every port of the topology (its `serve --standins`
 * listens there); a target on its own ports. */
static int build_dests(struct probe_engine *e, size_t **all_ports)
{
	const struct rm_topology *t = e->cfg->topo;
	size_t c, i, p;
	int rc = RM_OK;

	e->dests = rm_calloc(count_dests(t) + 1, sizeof(*e->dests));
	*all_ports = rm_calloc(t->nports + 1, sizeof(**all_ports));
	if (e->dests == NULL || *all_ports == NULL)
		return RM_ENOMEM;
	for (p = 0; p < t->nports; p++)
		(*all_ports)[p] = p;
	for (c = 0; c < t->nclusters && rc == RM_OK; c++) {
		const struct rm_cluster *cl = &t->clusters[c];

		for (i = 0; i < cl->nprobes && rc == RM_OK; i++) {
			const struct rm_probe *pr = &cl->probes[i];

			if (cl == e->cfg->cluster && strcmp(pr->name, e->cfg->name) == 0)
				continue;
			rc = add_dest(e, cl, pr->name, &pr->address, pr->dns_name, *all_ports,
				      t->nports);
		}
		for (i = 0; i < cl->ntargets && rc == RM_OK; i++) {
			const struct rm_target *tg = &cl->targets[i];

			rc = add_dest(e, cl, tg->name, &tg->address, tg->dns_name, tg->ports,
				      tg->nports);
		}
	}
	return rc;
}

static bool wants(const struct probe_engine *e, enum rm_check c)
{
	return e->ops[c] != NULL;
}

static struct probe_job *new_job(struct probe_engine *e, enum rm_check c,
				 const struct probe_dest *d, uint16_t port)
{
	const struct probe_ops *ops = e->ops[c];
	struct probe_job *j;

	if (e->njobs == e->jobs_cap) {
		size_t n = e->jobs_cap ? e->jobs_cap * 2 : 256;
		struct probe_job **v = rm_realloc(e->jobs, n * sizeof(*v));

		if (v == NULL)
			return NULL;
		e->jobs = v;
		e->jobs_cap = n;
	}
	j = rm_arena_calloc(e->arena, 1, ops->job_size);
	if (j == NULL)
		return NULL;
	e->jobs[e->njobs++] = j;
	j->ops = ops;
	j->e = e;
	j->dest = d;
	j->port = port;
	j->fd = -1;
	return j;
}

/* The dns check of a destination: its name asked of every DNS server of
 * the source's cluster. A destination known only by its name, whose
 * cluster declares no server, is asked of this host's own resolvers
 * (resolv.conf, in the document's facts): its dns result is all there is
 * of it this round. 0 or RM_ENOMEM. */
static int dns_jobs(struct probe_engine *e, const struct probe_dest *dest)
{
	const struct rm_cluster *src = e->cfg->cluster;
	const struct rm_addr *servers = src->dns_servers;
	size_t n = src->ndns_servers, s;

	if (dest->dns_name == NULL || !wants(e, RM_CHECK_DNS))
		return RM_OK;
	if (n == 0 && !cidr_addr_is_set(&dest->address)) {
		servers = e->own_servers;
		n = e->nown_servers;
	}
	for (s = 0; s < n; s++) {
		struct probe_job *j = new_job(e, RM_CHECK_DNS, dest, 0);

		if (j == NULL)
			return RM_ENOMEM;
		j->server = &servers[s];
	}
	return RM_OK;
}

/* The nameservers of the document's facts (resolv.conf), as addresses. */
static int own_servers(struct probe_engine *e)
{
	size_t i;

	e->own_servers = rm_calloc(e->doc->nnameservers + 1, sizeof(*e->own_servers));
	if (e->own_servers == NULL)
		return RM_ENOMEM;
	for (i = 0; i < e->doc->nnameservers; i++)
		if (cidr_addr_parse(e->doc->nameservers[i], &e->own_servers[e->nown_servers]) ==
		    RM_OK)
			e->nown_servers++;
	return RM_OK;
}

/* Jobs are interleaved by destination so that a slow destination does not
 * take all the tokens at once. */
static int build_jobs(struct probe_engine *e)
{
	const struct probe_config *cfg = e->cfg;
	const struct rm_topology *t = cfg->topo;
	size_t d, p;

	for (d = 0; d < e->ndests; d++) {
		const struct probe_dest *dest = &e->dests[d];

		if (!cidr_addr_is_set(&dest->address)) {
			if (dns_jobs(e, dest) != RM_OK)
				return RM_ENOMEM;
			continue;
		}
		if (wants(e, RM_CHECK_ICMP) && new_job(e, RM_CHECK_ICMP, dest, 0) == NULL)
			return RM_ENOMEM;
		for (p = 0; p < dest->nports; p++) {
			const struct rm_port *port = &t->ports[dest->ports[p]];

			if (wants(e, RM_CHECK_TCP) &&
			    new_job(e, RM_CHECK_TCP, dest, port->port) == NULL)
				return RM_ENOMEM;
			if (port->protocol == RM_PORT_CQL && wants(e, RM_CHECK_CQL) &&
			    new_job(e, RM_CHECK_CQL, dest, port->port) == NULL)
				return RM_ENOMEM;
		}
		if (wants(e, RM_CHECK_IDENTITY) &&
		    new_job(e, RM_CHECK_IDENTITY, dest, cfg->responder_port) == NULL)
			return RM_ENOMEM;
		if (wants(e, RM_CHECK_MTU) &&
		    new_job(e, RM_CHECK_MTU, dest, cfg->responder_port) == NULL)
			return RM_ENOMEM;
		if (dns_jobs(e, dest) != RM_OK)
			return RM_ENOMEM;
	}
	return RM_OK;
}

/* Whether a destination failed: a tcp port neither opened nor was refused
 * (*port: the first such), or icmp got no answer at all. */
static bool dest_failed(const struct probe_engine *e, const struct probe_dest *dest, uint16_t *port)
{
	bool failed = false;
	size_t i;

	*port = 0;
	for (i = 0; i < e->doc->nresults; i++) {
		const struct rm_result *r = &e->doc->results[i];

		if (r->target != dest->name || r->target_cluster != dest->cluster)
			continue;
		if (r->check == RM_CHECK_TCP && r->status != RM_STATUS_OPEN &&
		    r->status != RM_STATUS_REFUSED) {
			failed = true;
			if (*port == 0)
				*port = r->port;
		}
		if (r->check == RM_CHECK_ICMP &&
		    (r->status == RM_STATUS_TIMEOUT || r->status == RM_STATUS_UNREACHABLE ||
		     r->status == RM_STATUS_REJECTED))
			failed = true;
	}
	return failed;
}

/* The path of a failed destination is worth tracing, on the first port
 * that failed (or its first port). Path needs the raw socket of the
 * destination's family that hears "time exceeded". */
static int build_path_jobs(struct probe_engine *e)
{
	size_t d;

	for (d = 0; d < e->ndests; d++) {
		const struct probe_dest *dest = &e->dests[d];
		uint16_t port;

		if (!cidr_addr_is_set(&dest->address) ||
		    !icmpsock_is_raw(e->icmp, (enum rm_family)dest->address.family) ||
		    !dest_failed(e, dest, &port) || dest->nports == 0)
			continue;
		if (port == 0)
			port = e->cfg->topo->ports[dest->ports[0]].port;
		if (new_job(e, RM_CHECK_PATH, dest, port) == NULL)
			return RM_ENOMEM;
	}
	return RM_OK;
}

static int result_cmp(const void *pa, const void *pb)
{
	const struct rm_result *a = pa, *b = pb;
	int c = strcmp(a->target_cluster, b->target_cluster);

	if (c == 0)
		c = strcmp(a->target, b->target);
	if (c == 0 && a->check != b->check)
		c = a->check < b->check ? -1 : 1;
	if (c == 0 && a->port != b->port)
		c = a->port < b->port ? -1 : 1;
	if (c == 0 && a->check == RM_CHECK_DNS)
		c = cidr_addr_cmp(&a->dns_server, &b->dns_server);
	return c;
}

/* The ICMP socket, then each check's once-per-round open hook. The ICMP
 * socket serves the icmp check and catches the ICMP errors that answer the
 * other checks' packets; without CAP_NET_RAW the sockets' error queues have
 * to do. */
static int open_checks(struct probe_engine *e)
{
	bool any_icmp = false;
	size_t c;
	int rc;

	for (c = 0; c < RM_CHECK_COUNT; c++)
		if (e->ops[c] != NULL && e->ops[c]->on_icmp != NULL)
			any_icmp = true;
	if (any_icmp)
		icmpsock_open(e->icmp, e->loop);
	for (c = 0; c < RM_CHECK_COUNT; c++) {
		if (e->ops[c] == NULL || e->ops[c]->open == NULL)
			continue;
		e->opened[c] = true;
		rc = e->ops[c]->open(e, &e->shared[c], e->cfg->diag);
		if (rc != RM_OK)
			return rc;
	}
	return RM_OK;
}

static void close_checks(struct probe_engine *e)
{
	size_t c;

	for (c = 0; c < RM_CHECK_COUNT; c++)
		if (e->opened[c] && e->ops[c]->close != NULL)
			e->ops[c]->close(e, e->shared[c]);
}

/* 0 and *out, RM_ENOMEM, or loop_new's RM_ESYS. */
static int engine_new(const struct probe_config *cfg, struct rm_results_doc *doc,
		      struct probe_engine **out)
{
	struct probe_engine *e = rm_calloc(1, sizeof(*e));
	struct rlimit rl;
	size_t c;
	int rc = RM_ENOMEM;

	if (e == NULL)
		return RM_ENOMEM;
	e->cfg = cfg;
	e->doc = doc;
	e->arena = rm_arena_new();
	e->icmp = icmpsock_new();
	if (e->arena == NULL || e->icmp == NULL || (rc = loop_new(&e->loop)) != RM_OK) {
		rm_arena_free(e->arena);
		icmpsock_free(e->icmp, NULL);
		rm_free(e);
		return rc;
	}
	for (c = 0; c < RM_CHECK_COUNT; c++)
		if (cfg->checks & (1u << c))
			e->ops[c] = probe_ops_pick((enum rm_check)c, cfg->raw);
	/* Sockets of running jobs stay under the descriptor limit, with room
	 * for the loop, c-ares and the output file. */
	e->max_inflight = ENGINE_INFLIGHT;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < ENGINE_INFLIGHT + 64)
		e->max_inflight = rl.rlim_cur > 96 ? (size_t)rl.rlim_cur - 64 : 32;
	bucket_init(&e->bucket, cfg->rate, loop_clock());
	*out = e;
	return RM_OK;
}

static void engine_free(struct probe_engine *e)
{
	size_t i;

	for (i = 0; i < e->njobs; i++)
		if (e->jobs[i]->fd >= 0)
			close(e->jobs[i]->fd);
	close_checks(e);
	icmpsock_free(e->icmp, e->loop);
	loop_free(e->loop);
	rm_arena_free(e->arena);
	rm_free(e->jobs);
	rm_free(e->dests);
	rm_free(e->own_servers);
	rm_free(e);
}

/* The caller's cancel descriptor became readable: no job starts any more
 * and the loop ends now; the jobs in flight are closed by engine_free. */
static void on_cancel(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct probe_engine *e = arg;

	(void)fd;
	(void)events;
	e->failed = RM_ECANCEL;
	loop_stop(loop);
}

/* Runs the jobs from e->next on until every one has finished. */
static int run_jobs(struct probe_engine *e)
{
	if (e->next == e->njobs)
		return RM_OK;
	pump(e);
	/* Every job may have finished as it started (nothing to send), and
	 * the loop's stop came before it ran. */
	if (e->done == e->njobs)
		return RM_OK;
	return loop_run(e->loop);
}

int engine_run(const struct probe_config *cfg, struct rm_results_doc *doc)
{
	struct probe_engine *e;
	size_t *all_ports = NULL;
	int rc = engine_new(cfg, doc, &e);

	if (rc != RM_OK)
		return rc;
	rc = build_dests(e, &all_ports);
	if (rc == RM_OK)
		rc = own_servers(e);
	if (rc == RM_OK)
		rc = build_jobs(e);
	if (rc == RM_OK)
		rc = open_checks(e);
	if (rc == RM_OK && cfg->cancel_fd != NULL)
		rc = loop_watch(e->loop, *cfg->cancel_fd, EPOLLIN, on_cancel, e);
	if (rc != RM_OK)
		goto out;
	if (cfg->opened)
		cfg->opened(cfg->progress_arg);
	rc = run_jobs(e);
	/* Then the path to every destination that failed, now that it is
	 * known which did. */
	if (rc == RM_OK && !e->failed && wants(e, RM_CHECK_PATH)) {
		rc = build_path_jobs(e);
		if (rc == RM_OK)
			rc = run_jobs(e);
	}
	if (rc == RM_OK && e->failed)
		rc = e->failed;
	if (doc->nresults > 1)
		qsort(doc->results, doc->nresults, sizeof(*doc->results), result_cmp);
out:
	engine_free(e);
	rm_free(all_ports);
	return rc;
}

int engine_plan(const struct probe_config *cfg, size_t *packets)
{
	struct rm_results_doc none;
	struct probe_engine *e;
	size_t *all_ports = NULL;
	int rc;

	*packets = 0;
	memset(&none, 0, sizeof(none));
	if ((rc = engine_new(cfg, &none, &e)) != RM_OK)
		return rc;
	rc = build_dests(e, &all_ports);
	if (rc == RM_OK)
		rc = build_jobs(e);
	if (rc == RM_OK)
		*packets = e->njobs;
	engine_free(e);
	rm_free(all_ports);
	return rc;
}
