/* The address table of probes/resolve.h. Names are resolved with c-ares's
 * ares_getaddrinfo (A and AAAA, the hosts file then DNS, as resolv.conf
 * says), every name of the round in one channel, driven by poll(2) on the
 * sockets c-ares reports through its socket-state callback, under one
 * deadline for the whole batch. */
#include "probes/resolve.h"

#include <ares.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/reserved.h"
#include "reachmap/wire.h"

#define RESOLVE_MAX_FDS 32 /* c-ares's sockets at once: one or two per server */

struct addr_entry {
	const struct rm_cluster *c;
	const char *name;     /* borrowed from the topology */
	const char *dns_name; /* NULL: none declared */
	bool fixed;	      /* the topology gives its address */
	bool has_set, has_resolved;
	struct rm_addr set, resolved;
	struct probe_addrs *t; /* for the c-ares callback */
};

struct probe_addrs {
	const struct rm_topology *topo;
	const char *resolv_conf; /* NULL: c-ares's default */
	probe_addrs_note_fn note;
	void *arg;
	struct addr_entry *v; /* sorted by name: names are unique in a topology */
	size_t n;
	/* During a resolve: the batch's sockets, what is left to answer. */
	struct pollfd fds[RESOLVE_MAX_FDS];
	size_t nfds, pending;
	unsigned timeout_ms;
};

static void note(const struct probe_addrs *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note(const struct probe_addrs *t, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (t->note == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	t->note(msg, t->arg);
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct addr_entry *)a)->name, ((const struct addr_entry *)b)->name);
}

static struct addr_entry *find(const struct probe_addrs *t, const char *cluster, const char *name)
{
	struct addr_entry key = { .name = name }, *e;

	if (t == NULL || name == NULL || cluster == NULL)
		return NULL;
	e = bsearch(&key, t->v, t->n, sizeof(*t->v), entry_cmp);
	return e != NULL && strcmp(e->c->name, cluster) == 0 ? e : NULL;
}

int probe_addrs_new(const struct rm_topology *topo, const char *resolv_conf,
		    probe_addrs_note_fn note_fn, void *arg, struct probe_addrs **out)
{
	struct probe_addrs *t = rm_calloc(1, sizeof(*t));
	size_t c, i, n = 0;

	*out = NULL;
	for (c = 0; c < topo->nclusters; c++)
		n += topo->clusters[c].nprobes + topo->clusters[c].ntargets;
	if (t == NULL || (t->v = rm_calloc(n + 1, sizeof(*t->v))) == NULL) {
		rm_free(t);
		return RM_ENOMEM;
	}
	t->topo = topo;
	t->resolv_conf = resolv_conf;
	t->note = note_fn;
	t->arg = arg;
	for (c = 0; c < topo->nclusters; c++) {
		const struct rm_cluster *cl = &topo->clusters[c];

		for (i = 0; i < cl->nprobes + cl->ntargets; i++) {
			bool probe = i < cl->nprobes;
			struct addr_entry *e = &t->v[t->n++];

			e->c = cl;
			e->t = t;
			e->name = probe ? cl->probes[i].name : cl->targets[i - cl->nprobes].name;
			e->dns_name =
			    probe ? cl->probes[i].dns_name : cl->targets[i - cl->nprobes].dns_name;
			e->fixed = cidr_addr_is_set(probe ? &cl->probes[i].address
							  : &cl->targets[i - cl->nprobes].address);
		}
	}
	qsort(t->v, t->n, sizeof(*t->v), entry_cmp);
	*out = t;
	return RM_OK;
}

void probe_addrs_free(struct probe_addrs *t)
{
	if (t == NULL)
		return;
	rm_free(t->v);
	rm_free(t);
}

/* DESIGN.md's safety rule for a learned address: inside the cluster's own
 * ranges and in no reserved block. NULL, or why not. */
static const char *refused(const struct rm_cluster *c, const struct rm_addr *a)
{
	const struct rm_reserved *res = rm_reserved_find(a, RM_RESERVED_NEVER_PROBE);
	size_t r;

	if (res != NULL)
		return res->what;
	for (r = 0; r < c->nranges; r++)
		if (cidr_contains(&c->ranges[r].prefix, a))
			return NULL;
	return "outside the cluster's ranges";
}

int probe_addrs_set(struct probe_addrs *t, const char *cluster, const char *name,
		    const struct rm_addr *addr)
{
	struct addr_entry *e = find(t, cluster, name);
	const char *why;
	char buf[RM_ADDR_STRLEN];

	if (e == NULL)
		return RM_ENOTFOUND;
	if (addr == NULL) {
		e->has_set = false;
		return RM_OK;
	}
	if (!cidr_addr_is_set(addr))
		why = "no address";
	else
		why = refused(e->c, addr);
	if (why != NULL) {
		note(t, "%s (%s): the address %s it was given is not probed: %s", name, cluster,
		     cidr_addr_format(addr, buf, sizeof(buf)), why);
		return RM_ERANGE;
	}
	e->set = *addr;
	e->has_set = true;
	return RM_OK;
}

const struct rm_addr *probe_addrs_get(const struct probe_addrs *t, const char *cluster,
				      const char *name)
{
	const struct addr_entry *e = find(t, cluster, name);

	if (e == NULL)
		return NULL;
	if (e->has_set)
		return &e->set;
	return e->has_resolved ? &e->resolved : NULL;
}

bool probe_addrs_learned(const struct probe_addrs *t, const char *cluster, const char *name)
{
	const struct addr_entry *e = find(t, cluster, name);

	return e != NULL && e->has_set;
}

/* ---- resolving ------------------------------------------------------------ */

/* The first answer the safety rule allows, or a note saying why none. */
static void take_answer(struct addr_entry *e, const struct ares_addrinfo *res)
{
	const struct ares_addrinfo_node *n;
	char list[256] = "", buf[RM_ADDR_STRLEN];
	size_t used = 0;

	for (n = res != NULL ? res->nodes : NULL; n != NULL; n = n->ai_next) {
		struct rm_addr a;
		int k;

		if (n->ai_addr == NULL || wire_from_sockaddr(n->ai_addr, &a, NULL) != RM_OK)
			continue;
		if (refused(e->c, &a) == NULL) {
			e->resolved = a;
			e->has_resolved = true;
			return;
		}
		k = snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "",
			     cidr_addr_format(&a, buf, sizeof(buf)));
		if (k > 0 && (size_t)k < sizeof(list) - used)
			used += (size_t)k;
	}
	note(e->t, "%s (%s): %s resolves to %s, none inside the cluster's ranges: not probed",
	     e->name, e->c->name, e->dns_name, used ? list : "no address");
}

static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct addr_entry *e = arg;
	struct probe_addrs *t = e->t;

	(void)timeouts;
	t->pending--;
	e->has_resolved = false;
	if (status == ARES_SUCCESS)
		take_answer(e, res);
	else if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED)
		note(t, "%s (%s): %s: no answer within %u ms", e->name, e->c->name, e->dns_name,
		     t->timeout_ms);
	else
		note(t, "%s (%s): %s does not resolve: %s", e->name, e->c->name, e->dns_name,
		     ares_strerror(status));
	if (res != NULL)
		ares_freeaddrinfo(res);
}

/* c-ares says which of its sockets to watch and for what. */
static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct probe_addrs *t = data;
	size_t i;

	for (i = 0; i < t->nfds && t->fds[i].fd != fd; i++)
		;
	if (!readable && !writable) {
		if (i < t->nfds)
			t->fds[i] = t->fds[--t->nfds];
		return;
	}
	if (i == t->nfds) {
		if (t->nfds == RESOLVE_MAX_FDS)
			return; /* its queries then end by c-ares's own timeout */
		t->nfds++;
	}
	t->fds[i].fd = fd;
	t->fds[i].events = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Runs the channel until every query has its answer or the deadline. */
static void drive(struct probe_addrs *t, ares_channel ch, uint64_t deadline)
{
	while (t->pending > 0) {
		uint64_t now = now_ms();
		struct timeval tv, *tvp;
		struct pollfd fds[RESOLVE_MAX_FDS];
		size_t i, n = t->nfds;
		int wait, ready;

		if (now >= deadline)
			return;
		wait = (int)(deadline - now);
		tvp = ares_timeout(ch, NULL, &tv);
		if (tvp != NULL && tvp->tv_sec * 1000 + tvp->tv_usec / 1000 < wait)
			wait = (int)(tvp->tv_sec * 1000 + tvp->tv_usec / 1000) + 1;
		/* A copy: processing one socket may change c-ares's set. */
		memcpy(fds, t->fds, n * sizeof(*fds));
		ready = poll(fds, (nfds_t)n, wait);
		if (ready <= 0) {
			ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
			continue;
		}
		for (i = 0; i < n; i++)
			if (fds[i].revents != 0)
				ares_process_fd(ch,
						(fds[i].revents & (POLLIN | POLLERR | POLLHUP))
						    ? fds[i].fd
						    : ARES_SOCKET_BAD,
						(fds[i].revents & POLLOUT) ? fds[i].fd
									   : ARES_SOCKET_BAD);
	}
}

static int channel_new(struct probe_addrs *t, unsigned timeout_ms, ares_channel *ch)
{
	struct ares_options o;
	int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB;
	int rc;

	memset(&o, 0, sizeof(o));
	/* A dnsName is a full name: no search list (as the dns check asks). */
	o.flags = ARES_FLAG_NOSEARCH;
	/* Two tries per server within the batch's time. */
	o.timeout = (int)(timeout_ms / 2 > 0 ? timeout_ms / 2 : 1);
	o.tries = 2;
	o.sock_state_cb = sock_state;
	o.sock_state_cb_data = t;
	if (t->resolv_conf != NULL) {
		o.resolvconf_path = (char *)t->resolv_conf;
		mask |= ARES_OPT_RESOLVCONF;
	}
	rc = ares_init_options(ch, &o, mask);
	if (rc == ARES_SUCCESS)
		return RM_OK;
	note(t, "cannot resolve names: %s%s%s", ares_strerror(rc), t->resolv_conf ? ": " : "",
	     t->resolv_conf ? t->resolv_conf : "");
	return rc == ARES_ENOMEM ? RM_ENOMEM : RM_ESYS;
}

int probe_addrs_resolve(struct probe_addrs *t, unsigned timeout_ms)
{
	struct ares_addrinfo_hints hints;
	ares_channel ch;
	size_t i;
	int rc;

	for (i = 0; i < t->n && (t->v[i].fixed || t->v[i].dns_name == NULL); i++)
		;
	if (i == t->n)
		return RM_OK; /* every address is fixed: nothing to ask */
	t->timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
	t->nfds = 0;
	t->pending = 0;
	if ((rc = channel_new(t, t->timeout_ms, &ch)) != RM_OK)
		return rc;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_flags = ARES_AI_NOSORT;
	for (i = 0; i < t->n; i++) {
		if (t->v[i].fixed || t->v[i].dns_name == NULL)
			continue;
		t->pending++;
		ares_getaddrinfo(ch, t->v[i].dns_name, NULL, &hints, on_addrinfo, &t->v[i]);
	}
	drive(t, ch, now_ms() + t->timeout_ms);
	/* What is still pending is called back with ARES_EDESTRUCTION. */
	ares_destroy(ch);
	t->nfds = 0;
	return RM_OK;
}
