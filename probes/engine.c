/* The engine: builds the list of destinations and jobs from the topology,
 * starts jobs as the token bucket allows, and collects their results. */
#include "probes/engine.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probes/packet.h"
#include "probes/sockerr.h"
#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ENGINE_INFLIGHT 4096 /* jobs running at once, at most */

struct probe_engine {
	const struct probe_config *cfg;
	struct rm_loop *loop;
	struct rm_bucket bucket;
	struct rm_results_doc *doc;
	struct probe_dest *dests;
	size_t ndests;
	struct probe_job *jobs;
	size_t njobs, next, inflight, done;
	size_t max_inflight; /* descriptors: ENGINE_INFLIGHT or the fd limit */
	struct loop_timer *pump_timer;
	int failed; /* RM_ENOMEM during the round */
	int icmp_fd;
	bool icmp_dgram; /* an ICMP datagram ("ping") socket, not a raw one */
	uint16_t icmp_id;
	uint16_t icmp_seq;
	struct probe_job *icmp_owner[65536];
	struct probe_job *tcp_owner[65536];
	void *raw; /* raw mode's libnet, send socket and capture */
};

static const struct probe_ops *const registry[] = {
	&probe_icmp, &probe_tcp, &probe_cql, &probe_identity, &probe_dns, &probe_mtu, &probe_path,
};

const struct probe_ops *probe_ops_for(enum rm_check check)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(registry); i++)
		if (registry[i]->check == check)
			return registry[i];
	return NULL;
}

struct rm_loop *job_loop(const struct probe_job *job)
{
	return job->e->loop;
}

const struct probe_config *job_config(const struct probe_job *job)
{
	return job->e->cfg;
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
	if (job->sport != 0 && e->tcp_owner[job->sport] == job)
		e->tcp_owner[job->sport] = NULL;
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

/* Starts jobs while tokens and room allow; when the bucket is empty, comes
 * back when the next token is due. */
static void pump(struct probe_engine *e)
{
	while (e->next < e->njobs && e->inflight + job_fds(&e->jobs[e->next]) <= e->max_inflight &&
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
		job = &e->jobs[e->next++];
		job->started = loop_clock();
		e->inflight += job_fds(job);
		if (job->ops->start(job) != RM_OK)
			e->failed = RM_ENOMEM;
	}
	if (e->failed)
		loop_stop(e->loop);
}

/* ---- ICMP: one raw socket shared by every icmp job ---------------------- */

int engine_icmp_fd(struct probe_engine *e)
{
	return e->icmp_fd;
}

bool engine_icmp_dgram(struct probe_engine *e)
{
	return e->icmp_dgram;
}

uint16_t engine_icmp_id(struct probe_engine *e)
{
	return e->icmp_id;
}

uint16_t engine_icmp_claim(struct probe_engine *e, struct probe_job *job, unsigned count)
{
	uint16_t first = e->icmp_seq;
	unsigned i;

	for (i = 0; i < count; i++)
		e->icmp_owner[(uint16_t)(first + i)] = job;
	e->icmp_seq = (uint16_t)(first + count);
	return first;
}

void engine_icmp_release(struct probe_engine *e, struct probe_job *job)
{
	unsigned i;

	for (i = 0; i < job->sent; i++)
		if (e->icmp_owner[(uint16_t)(job->first_seq + i)] == job)
			e->icmp_owner[(uint16_t)(job->first_seq + i)] = NULL;
}

uint16_t engine_tcp_claim_fd(struct probe_engine *e, int fd, struct probe_job *job)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	uint16_t sport;

	if (e->icmp_fd < 0 || e->icmp_dgram || getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    ss.ss_family != AF_INET)
		return 0;
	sport = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (sport != 0)
		e->tcp_owner[sport] = job;
	return sport;
}

void engine_tcp_claim(struct probe_engine *e, struct probe_job *job)
{
	job->sport = engine_tcp_claim_fd(e, job->fd, job);
}

struct probe_job *engine_tcp_owner(struct probe_engine *e, uint16_t sport)
{
	return e->tcp_owner[sport];
}

void engine_tcp_set_owner(struct probe_engine *e, uint16_t sport, struct probe_job *job)
{
	e->tcp_owner[sport] = job;
}

void *engine_raw(struct probe_engine *e)
{
	return e->raw;
}

void engine_tcp_release(struct probe_engine *e, uint16_t sport, struct probe_job *job)
{
	if (sport != 0 && e->tcp_owner[sport] == job)
		e->tcp_owner[sport] = NULL;
}

/* An ICMP datagram socket (net.ipv4.ping_group_range) reads echo replies
 * without an IP header, the kernel setting the identifier, and reports
 * errors on its error queue with the echo that caused them. */
static void icmp_dgram_readable(struct probe_engine *e, int fd, uint32_t events)
{
	uint8_t buf[1500];
	int budget = 64;
	ssize_t n;

	while (budget-- > 0 && (n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 8) {
		uint16_t seq = (uint16_t)(buf[6] << 8 | buf[7]);
		struct probe_job *job = e->icmp_owner[seq];
		struct pkt_icmp p = { .type = buf[0], .code = buf[1], .seq = seq };

		if (p.type == ICMP_ECHO_REPLY && job != NULL && !job->finished)
			icmp_on_answer(job, &p, loop_clock());
	}
	if (events & EPOLLERR) {
		struct sock_icmp err;
		uint8_t echo[64];

		while (sockerr_read_data(fd, &err, echo, sizeof(echo)) >= 8) {
			uint16_t seq = (uint16_t)(echo[6] << 8 | echo[7]);
			struct probe_job *job = e->icmp_owner[seq];
			struct pkt_icmp p = { .type = (uint8_t)err.type,
					      .code = (uint8_t)err.code,
					      .src = err.from,
					      .quoted = true,
					      .q_proto = 1,
					      .q_seq = seq };

			if (err.present && job != NULL && !job->finished)
				icmp_on_answer(job, &p, loop_clock());
		}
	}
}

static void icmp_readable(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct probe_engine *e = arg;
	uint8_t buf[1500];
	int n, budget = 64;

	(void)loop;
	if (e->icmp_dgram) {
		icmp_dgram_readable(e, fd, events);
		return;
	}
	while (budget-- > 0 && (n = (int)recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct pkt_icmp p;
		struct probe_job *job = NULL;

		/* A malformed packet is someone else's noise: skip it. */
		if (pkt_parse_icmp4(buf, (size_t)n, &p) != RM_OK)
			continue;
		if (p.type == ICMP_ECHO_REPLY && p.id == e->icmp_id)
			job = e->icmp_owner[p.seq];
		else if (p.quoted && p.q_proto == 1 && p.q_id == e->icmp_id)
			job = e->icmp_owner[p.q_seq];
		else if (p.quoted && p.q_proto == 6 && (job = e->tcp_owner[p.q_sport]) != NULL) {
			/* Ours only if it quotes our connection's destination. */
			if (!job->finished && job->port == p.q_dport &&
			    cidr_addr_equal(&job->dest->address, &p.q_dst) && job->ops->on_icmp)
				job->ops->on_icmp(job, &p);
			continue;
		}
		if (job != NULL && !job->finished)
			icmp_on_answer(job, &p, loop_clock());
	}
}

static void open_icmp(struct probe_engine *e)
{
	e->icmp_fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (e->icmp_fd < 0) {
		/* Without CAP_NET_RAW: an ICMP datagram socket, where the
		 * group is allowed by net.ipv4.ping_group_range. It serves the
		 * icmp check only; ICMP errors for the other checks' SYNs
		 * then come from their sockets' error queues. */
		e->icmp_fd =
		    socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
		if (e->icmp_fd < 0)
			return;
		e->icmp_dgram = true;
		sockerr_enable(e->icmp_fd, RM_AF_INET);
		if (loop_watch(e->loop, e->icmp_fd, EPOLLIN, icmp_readable, e) != RM_OK) {
			close(e->icmp_fd);
			e->icmp_fd = -1;
		}
		return;
	}
	/* Thousands of replies can arrive within a millisecond: a receive
	 * buffer of the default ~200 KiB holds some 250 of them. */
	{
		int size = 8 << 20;

		if (setsockopt(e->icmp_fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0)
			setsockopt(e->icmp_fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
	/* Deliver only echo replies and errors: ICMP_FILTER is a mask of the
	 * types to drop. */
	{
		uint32_t filter = ~((1u << ICMP_ECHO_REPLY) | (1u << ICMP_DEST_UNREACH) |
				    (1u << ICMP_TIME_EXCEEDED));
		setsockopt(e->icmp_fd, SOL_RAW, 1 /* ICMP_FILTER */, &filter, sizeof(filter));
	}
	if (loop_watch(e->loop, e->icmp_fd, EPOLLIN, icmp_readable, e) != RM_OK) {
		close(e->icmp_fd);
		e->icmp_fd = -1;
	}
}

/* ---- destinations and jobs ------------------------------------------------ */

static bool reserved(const struct rm_addr *a, bool allow_loopback)
{
	static const char *const blocks[] = { "0.0.0.0/8",   "127.0.0.0/8", "169.254.0.0/16",
					      "224.0.0.0/4", "240.0.0.0/4", "::/128",
					      "::1/128",     "fe80::/10",   "ff00::/8" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(blocks); i++) {
		struct rm_prefix p;

		if (cidr_parse(blocks[i], &p, NULL, NULL) != RM_OK || !cidr_contains(&p, a))
			continue;
		if (allow_loopback && (i == 1 || i == 6))
			continue;
		return true;
	}
	return false;
}

/* DESIGN.md's safety rule: only addresses inside the topology's ranges, and
 * never the reserved blocks (loopback only when a test asks). */
static bool may_send(const struct probe_config *cfg, const struct rm_addr *a)
{
	size_t c, r;

	if (reserved(a, cfg->allow_loopback))
		return false;
	if (cfg->allow_loopback && a->family == RM_AF_INET && a->bytes[0] == 127)
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

/* Every peer and target of every cluster but the source itself. A peer
 * probe is checked on every port of the topology (its `serve --standins`
 * listens there); a target on its own ports. */
static int build_dests(struct probe_engine *e, size_t **all_ports)
{
	const struct rm_topology *t = e->cfg->topo;
	size_t c, i, p;

	e->dests = rm_calloc(count_dests(t) + 1, sizeof(*e->dests));
	*all_ports = rm_calloc(t->nports + 1, sizeof(**all_ports));
	if (e->dests == NULL || *all_ports == NULL)
		return RM_ENOMEM;
	for (p = 0; p < t->nports; p++)
		(*all_ports)[p] = p;
	for (c = 0; c < t->nclusters; c++) {
		const struct rm_cluster *cl = &t->clusters[c];

		for (i = 0; i < cl->nprobes; i++) {
			struct probe_dest *d = &e->dests[e->ndests];

			if (cl == e->cfg->cluster && strcmp(cl->probes[i].name, e->cfg->name) == 0)
				continue;
			*d = (struct probe_dest){
				cl->probes[i].name,	cl->name,   cl->probes[i].address,
				cl->probes[i].dns_name, *all_ports, t->nports
			};
			if (may_send(e->cfg, &d->address))
				e->ndests++;
		}
		for (i = 0; i < cl->ntargets; i++) {
			struct probe_dest *d = &e->dests[e->ndests];

			*d = (struct probe_dest){ cl->targets[i].name,	  cl->name,
						  cl->targets[i].address, cl->targets[i].dns_name,
						  cl->targets[i].ports,	  cl->targets[i].nports };
			if (may_send(e->cfg, &d->address))
				e->ndests++;
		}
	}
	return RM_OK;
}

static bool wants(const struct probe_config *cfg, enum rm_check c)
{
	return (cfg->checks & (1u << c)) != 0 && probe_ops_for(c) != NULL;
}

static struct probe_job *new_job(struct probe_engine *e, size_t *cap, enum rm_check c,
				 const struct probe_dest *d)
{
	struct probe_job *j;

	if (e->njobs == *cap) {
		size_t n = *cap ? *cap * 2 : 256;
		struct probe_job *v = rm_realloc(e->jobs, n * sizeof(*v));

		if (v == NULL)
			return NULL;
		e->jobs = v;
		*cap = n;
	}
	j = &e->jobs[e->njobs++];
	memset(j, 0, sizeof(*j));
	j->ops = c == RM_CHECK_TCP && e->cfg->raw ? &probe_tcp_raw : probe_ops_for(c);
	j->e = e;
	j->dest = d;
	j->fd = -1;
	j->icmp_type = j->icmp_code = -1;
	return j;
}

/* Jobs are interleaved by destination so that a slow destination does not
 * take all the tokens at once. */
static int build_jobs(struct probe_engine *e)
{
	const struct probe_config *cfg = e->cfg;
	const struct rm_topology *t = cfg->topo;
	size_t cap = 0, d, p, s;

	for (d = 0; d < e->ndests; d++) {
		const struct probe_dest *dest = &e->dests[d];
		struct probe_job *j;

		if (wants(cfg, RM_CHECK_ICMP) &&
		    (j = new_job(e, &cap, RM_CHECK_ICMP, dest)) == NULL)
			return RM_ENOMEM;
		for (p = 0; p < dest->nports; p++) {
			const struct rm_port *port = &t->ports[dest->ports[p]];

			if (wants(cfg, RM_CHECK_TCP)) {
				if ((j = new_job(e, &cap, RM_CHECK_TCP, dest)) == NULL)
					return RM_ENOMEM;
				j->port = port->port;
			}
			if (port->protocol == RM_PORT_CQL && wants(cfg, RM_CHECK_CQL)) {
				if ((j = new_job(e, &cap, RM_CHECK_CQL, dest)) == NULL)
					return RM_ENOMEM;
				j->port = port->port;
				j->cql_port = true;
			}
		}
		if (wants(cfg, RM_CHECK_IDENTITY)) {
			if ((j = new_job(e, &cap, RM_CHECK_IDENTITY, dest)) == NULL)
				return RM_ENOMEM;
			j->port = cfg->responder_port;
		}
		if (wants(cfg, RM_CHECK_MTU) && dest->address.family == RM_AF_INET) {
			if ((j = new_job(e, &cap, RM_CHECK_MTU, dest)) == NULL)
				return RM_ENOMEM;
			j->port = cfg->responder_port;
		}
		if (dest->dns_name != NULL && wants(cfg, RM_CHECK_DNS)) {
			for (s = 0; s < cfg->cluster->ndns_servers; s++) {
				if ((j = new_job(e, &cap, RM_CHECK_DNS, dest)) == NULL)
					return RM_ENOMEM;
				j->server = cfg->cluster->dns_servers[s];
			}
		}
	}
	return RM_OK;
}

/* A destination failed when a tcp port neither opened nor was refused, or
 * icmp got no answer at all: its path is worth tracing, on the first port
 * that failed (or its first port). Path needs the raw socket that hears
 * "time exceeded". */
static int build_path_jobs(struct probe_engine *e)
{
	size_t cap = e->njobs, d, i;

	if (e->icmp_fd < 0 || e->icmp_dgram)
		return RM_OK;
	for (d = 0; d < e->ndests; d++) {
		const struct probe_dest *dest = &e->dests[d];
		uint16_t port = 0;
		bool failed = false;
		struct probe_job *j;

		for (i = 0; i < e->doc->nresults; i++) {
			const struct rm_result *r = &e->doc->results[i];

			if (r->target != dest->name || r->target_cluster != dest->cluster)
				continue;
			if (r->check == RM_CHECK_TCP && r->status != RM_STATUS_OPEN &&
			    r->status != RM_STATUS_REFUSED) {
				failed = true;
				if (port == 0)
					port = r->port;
			}
			if (r->check == RM_CHECK_ICMP &&
			    (r->status == RM_STATUS_TIMEOUT || r->status == RM_STATUS_UNREACHABLE ||
			     r->status == RM_STATUS_REJECTED))
				failed = true;
		}
		if (!failed || dest->nports == 0)
			continue;
		if (port == 0)
			port = e->cfg->topo->ports[dest->ports[0]].port;
		if ((j = new_job(e, &cap, RM_CHECK_PATH, dest)) == NULL)
			return RM_ENOMEM;
		j->port = port;
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

int engine_run(const struct probe_config *cfg, struct rm_results_doc *doc)
{
	struct probe_engine *e = rm_calloc(1, sizeof(*e));
	size_t *all_ports = NULL;
	int rc;

	if (e == NULL)
		return RM_ENOMEM;
	e->cfg = cfg;
	e->doc = doc;
	e->icmp_fd = -1;
	e->icmp_id = (uint16_t)(getpid() & 0xffff);
	{
		struct rlimit rl;

		/* Sockets of running jobs stay under the descriptor limit, with
		 * room for the loop, c-ares and the output file. */
		e->max_inflight = ENGINE_INFLIGHT;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    rl.rlim_cur < ENGINE_INFLIGHT + 64)
			e->max_inflight = rl.rlim_cur > 96 ? (size_t)rl.rlim_cur - 64 : 32;
	}
	rc = loop_new(&e->loop);
	if (rc != RM_OK)
		goto out;
	bucket_init(&e->bucket, cfg->rate, loop_clock());
	rc = build_dests(e, &all_ports);
	if (rc == RM_OK)
		rc = build_jobs(e);
	if (rc != RM_OK)
		goto out;
	/* The raw ICMP socket serves the icmp check, and catches the ICMP
	 * errors that answer the other checks' SYNs. Without CAP_NET_RAW
	 * there is none and the sockets' error queues have to do. */
	if (wants(cfg, RM_CHECK_ICMP) || wants(cfg, RM_CHECK_TCP) || wants(cfg, RM_CHECK_CQL) ||
	    wants(cfg, RM_CHECK_IDENTITY) || wants(cfg, RM_CHECK_PATH))
		open_icmp(e);
	if (wants(cfg, RM_CHECK_ICMP) && e->icmp_fd < 0 && cfg->note)
		cfg->note("icmp is not run: it needs CAP_NET_RAW, or the process's group in "
			  "net.ipv4.ping_group_range",
			  cfg->progress_arg);
	if (cfg->raw && wants(cfg, RM_CHECK_TCP)) {
		char err[256] = "";

		e->raw = rawtcp_open(e, e->loop, err, sizeof(err));
		if (e->raw == NULL) {
			if (cfg->error)
				snprintf(cfg->error, cfg->errorlen, "raw mode: %s", err);
			rc = RM_ESYS;
			goto out;
		}
	}
	if (cfg->opened)
		cfg->opened(cfg->progress_arg);
	if (e->njobs > 0) {
		pump(e);
		rc = loop_run(e->loop);
	}
	/* Then the path to every destination that failed, now that it is
	 * known which did. */
	if (rc == RM_OK && !e->failed && wants(cfg, RM_CHECK_PATH)) {
		size_t before = e->njobs;

		rc = build_path_jobs(e);
		if (rc == RM_OK && e->njobs > before) {
			pump(e);
			rc = loop_run(e->loop);
		}
	}
	if (rc == RM_OK && e->failed)
		rc = e->failed;
	if (doc->nresults > 1)
		qsort(doc->results, doc->nresults, sizeof(*doc->results), result_cmp);
out:
	if (e->jobs != NULL) {
		size_t i;

		for (i = 0; i < e->njobs; i++)
			if (e->jobs[i].fd >= 0)
				close(e->jobs[i].fd);
	}
	if (e->icmp_fd >= 0)
		close(e->icmp_fd);
	rawtcp_close(e->raw, e->loop);
	loop_free(e->loop);
	rm_free(e->jobs);
	rm_free(e->dests);
	rm_free(all_ports);
	rm_free(e);
	return rc;
}
