/* serve: every listener, connection and datagram in one event loop; signals
 * arrive through a signalfd in the same loop. */
#include "probes/serve.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "probes/arrivals.h"
#include "probes/cql.h"
#include "probes/loop.h"
#include "probes/packet.h"
#include "probes/responder.h"
#include "reachmap/alloc.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/timefmt.h"
#include "reachmap/wire.h"

#define SERVE_MAX_CONNS 1024
#define SERVE_IDLE_NS	(10ull * 1000000000ull)
/* Sources recorded per generation at most (a flood of forged sources must
 * not fill memory); those beyond are counted and said in a note. */
#define SERVE_MAX_ARRIVALS 65536

enum listener_kind { L_RESPONDER, L_CQL, L_PLAIN };

struct listener {
	struct serve *s;
	int fd;
	uint16_t port;
	enum listener_kind kind;
};

struct conn {
	struct serve *s;
	int fd;
	enum listener_kind kind;
	struct rm_addr peer;
	uint16_t peer_port;
	uint16_t port;
	uint8_t buf[2048];
	size_t nbuf;
	struct loop_timer *idle;
	struct conn *prev, *next; /* every open connection, to close at the end */
};

struct serve {
	const struct serve_config *cfg;
	struct rm_loop *loop;
	struct arrivals *arr; /* under lock */
	pthread_mutex_t lock;
	struct listener *listeners;
	size_t nlisteners;
	size_t nconns;
	struct conn *conns;
	int stopfd;   /* serve_run: the signalfd; serve_start: the eventfd */
	int failed;   /* RM_ENOMEM: an arrival could not be recorded */
	pcap_t *pcap; /* arrivals of bare SYNs, datagrams and echoes; NULL: none */
	int dlt;
};

/* One arrival more from `from` on `port`, or with count false only the
 * probe's name for one the capture counted (arrivals_note). Under the lock:
 * serve_take reads the record from another thread. */
static void arrived_as(struct serve *s, const struct rm_addr *from, uint16_t port,
		       const char *protocol, const char *probe, bool count)
{
	char now[RM_TIME_STRLEN];
	int rc;

	rm_time_format(rm_time_document(), now, sizeof(now));
	pthread_mutex_lock(&s->lock);
	rc = arrivals_note(s->arr, from, port, protocol, probe, count, now);
	pthread_mutex_unlock(&s->lock);
	if (rc == RM_ENOMEM)
		s->failed = RM_ENOMEM;
}

static void arrived(struct serve *s, const struct rm_addr *from, uint16_t port,
		    const char *protocol, const char *probe)
{
	arrived_as(s, from, port, protocol, probe, true);
}

/* Counts an arrival (when `count`) and names its probe. */
static void arrived_named(struct serve *s, const struct rm_addr *from, uint16_t port,
			  const char *protocol, const char *probe, bool count)
{
	arrived_as(s, from, port, protocol, probe, count);
}

/* What the capture saw arrive: a SYN (no ACK) to one of our ports, a
 * datagram to the responder, an echo request. Counted whether or not
 * anything answered, so a lost answer shows as "arrived". */
static void on_captured(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct serve *s = (struct serve *)user;
	struct pkt_tcp t;
	struct pkt_datagram d;

	if (pkt_parse_tcp_frame(bytes, h->caplen, s->dlt, &t) == RM_OK) {
		if ((t.flags & (TH_SYN | TH_ACK)) == TH_SYN)
			arrived(s, &t.src, t.dport, "tcp", NULL);
		return;
	}
	if (pkt_parse_datagram_frame(bytes, h->caplen, s->dlt, &d) != RM_OK)
		return;
	if (d.proto == IPPROTO_UDP)
		arrived(s, &d.src, d.dport, "udp", NULL);
	else if (d.icmp_kind == PKT_ICMP_ECHO_REQUEST)
		arrived(s, &d.src, 0, "icmp", NULL);
}

static void capture_readable(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct serve *s = arg;

	(void)loop;
	(void)fd;
	(void)events;
	pcap_dispatch(s->pcap, 256, on_captured, (u_char *)s);
}

/* Opens the capture of arrivals; without it (no CAP_NET_RAW), arrivals are
 * the connections accepted and datagrams received. */
static void open_capture(struct serve *s)
{
	const struct rm_topology *t = s->cfg->topo;
	char ebuf[PCAP_ERRBUF_SIZE], filter[2048], ports[768] = "";
	struct bpf_program prog;
	size_t i, used = 0;
	int fd;

	for (i = 0; i < t->nports && used < sizeof(ports); i++) {
		int n = snprintf(ports + used, sizeof(ports) - used, " or dst port %u",
				 t->ports[i].port);

		if (n > 0)
			used += (size_t)n;
	}
	/* libpcap's tcp[] and icmp[] read IPv4 only: over IPv6 the flags and
	 * the type are at fixed offsets past a header without extensions. */
	snprintf(filter, sizeof(filter),
		 "(tcp and (tcp[13] & 0x12) == 0x02 and (dst port %u%s)) or "
		 "(ip6 and tcp and (ip6[53] & 0x12) == 0x02 and (dst port %u%s)) or "
		 "(udp and dst port %u) or (icmp and icmp[0] == 8) or "
		 "(icmp6 and ip6[40] == 128)",
		 s->cfg->port, ports, s->cfg->port, ports, s->cfg->port);
	s->pcap = pcap_create("any", ebuf);
	if (s->pcap == NULL)
		return;
	if (pcap_set_snaplen(s->pcap, 96) != 0 || pcap_set_immediate_mode(s->pcap, 1) != 0 ||
	    pcap_activate(s->pcap) < 0 || pcap_setdirection(s->pcap, PCAP_D_IN) != 0 ||
	    pcap_compile(s->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0)
		goto fail;
	if (pcap_setfilter(s->pcap, &prog) != 0) {
		pcap_freecode(&prog);
		goto fail;
	}
	pcap_freecode(&prog);
	s->dlt = pcap_datalink(s->pcap);
	if (pcap_setnonblock(s->pcap, 1, ebuf) != 0 || (fd = pcap_get_selectable_fd(s->pcap)) < 0 ||
	    loop_watch(s->loop, fd, EPOLLIN, capture_readable, s) != RM_OK)
		goto fail;
	return;
fail:
	if (s->cfg->note) {
		char msg[400];

		snprintf(msg, sizeof(msg),
			 "no capture of arrivals (%s): arrivals are counted by "
			 "accepted connections only",
			 pcap_geterr(s->pcap));
		s->cfg->note(msg, s->cfg->note_arg);
	}
	pcap_close(s->pcap);
	s->pcap = NULL;
}

static void conn_close(struct conn *c)
{
	struct serve *s = c->s;

	loop_unwatch(s->loop, c->fd);
	close(c->fd);
	loop_timer_cancel(s->loop, c->idle);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	rm_free(c);
}

static void conn_idle(struct rm_loop *loop, void *arg)
{
	struct conn *c = arg;

	(void)loop;
	c->idle = NULL;
	conn_close(c);
}

/* The CQL stand-in (native_protocol_v4.spec 4.1.1, 4.1.3): OPTIONS gets
 * SUPPORTED, STARTUP gets READY, anything else an ERROR. */
static bool cql_serve(struct conn *c)
{
	static const struct cql_supported sup = { "3.4.5", "lz4,snappy", "3/v3,4/v4" };

	while (c->nbuf >= CQL_HEADER_LEN) {
		struct cql_header h;
		uint8_t out[512];
		size_t len = 0, frame;
		int rc = cql_parse_header(c->buf, c->nbuf, &h);

		if (rc != RM_OK || (h.version & 0x80) || h.length > sizeof(c->buf) - CQL_HEADER_LEN)
			return false;
		frame = CQL_HEADER_LEN + h.length;
		if (c->nbuf < frame)
			return true;
		if (h.opcode == CQL_OP_OPTIONS)
			rc = cql_build_supported(out, sizeof(out), h.stream, &sup, &len);
		else if (h.opcode == CQL_OP_STARTUP)
			rc = cql_build_ready(out, sizeof(out), h.stream, &len);
		else
			rc = cql_build_error(out, sizeof(out), h.stream, 0x000a,
					     "reachmap stand-in: only OPTIONS and STARTUP", &len);
		if (rc != RM_OK || send(c->fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			return false;
		memmove(c->buf, c->buf + frame, c->nbuf - frame);
		c->nbuf -= frame;
	}
	return true;
}

/* The responder over TCP: one WHO, one IAM, close. */
static bool responder_serve(struct conn *c)
{
	const struct serve_config *cfg = c->s->cfg;
	struct resp_msg m;
	const char *why;
	char out[RESP_MAX_LINE];
	size_t len;
	int rc = resp_parse(c->buf, c->nbuf, &m, &why);

	if (rc == RM_ETRUNC)
		return true;
	if (rc == RM_OK && m.kind == RESP_WHO) {
		/* With a capture the SYN was counted already: only the name. */
		arrived_named(c->s, &c->peer, c->port, "tcp", m.name, c->s->pcap == NULL);
		if (resp_build_iam(out, sizeof(out), cfg->name, cfg->cluster, &c->peer,
				   c->peer_port, &len) == RM_OK)
			send(c->fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	return false;
}

static void conn_readable(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct conn *c = arg;
	ssize_t n;
	bool keep;

	(void)loop;
	(void)events;
	n = recv(fd, c->buf + c->nbuf, sizeof(c->buf) - c->nbuf, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->nbuf += (size_t)n;
	keep = c->kind == L_CQL ? cql_serve(c) : responder_serve(c);
	if (!keep || c->nbuf == sizeof(c->buf))
		conn_close(c);
}

static void on_accept(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct listener *l = arg;
	struct serve *s = l->s;
	int budget = 64;

	(void)events;
	while (budget-- > 0) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int cfd = accept4(fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (cfd < 0)
			return;
		c = s->nconns < SERVE_MAX_CONNS ? rm_calloc(1, sizeof(*c)) : NULL;
		if (c == NULL) {
			close(cfd);
			continue;
		}
		c->s = s;
		c->fd = cfd;
		c->kind = l->kind;
		c->port = l->port;
		wire_from_sockaddr((const struct sockaddr *)&ss, &c->peer, &c->peer_port);
		s->nconns++;
		/* Responder arrivals are counted with the probe's name once
		 * its WHO has come; stand-in ones right away. */
		if (l->kind != L_RESPONDER && s->pcap == NULL)
			arrived(s, &c->peer, l->port, "tcp", NULL);
		if (l->kind == L_PLAIN) {
			s->nconns--;
			close(cfd);
			rm_free(c);
			continue;
		}
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		c->idle = loop_timer_at(loop, loop_clock() + SERVE_IDLE_NS, conn_idle, c);
		if (c->idle == NULL || loop_watch(loop, cfd, EPOLLIN, conn_readable, c) != RM_OK)
			conn_close(c);
	}
}

static void on_datagram(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct listener *l = arg;
	const struct serve_config *cfg = l->s->cfg;
	uint8_t buf[65536];
	int budget = 64;

	(void)loop;
	(void)events;
	while (budget-- > 0) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		ssize_t n =
		    recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
		struct rm_addr peer;
		uint16_t pport;
		struct resp_msg m;
		const char *why;
		char out[RESP_MAX_LINE];
		size_t len = 0;

		if (n < 0)
			return;
		wire_from_sockaddr((const struct sockaddr *)&ss, &peer, &pport);
		if (resp_parse(buf, (size_t)n, &m, &why) != RM_OK) {
			if (l->s->pcap == NULL)
				arrived(l->s, &peer, l->port, "udp", NULL);
			continue;
		}
		arrived_named(l->s, &peer, l->port, "udp", m.kind == RESP_WHO ? m.name : NULL,
			      l->s->pcap == NULL);
		if (m.kind == RESP_WHO && resp_build_iam(out, sizeof(out), cfg->name, cfg->cluster,
							 &peer, pport, &len) != RM_OK)
			continue;
		if (m.kind == RESP_MTU &&
		    resp_build_mtuok(out, sizeof(out), m.seq, (uint32_t)n, &len) != RM_OK)
			continue;
		if (len > 0)
			sendto(fd, out, len, MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
	}
}

static void on_signal(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct signalfd_siginfo si;

	(void)events;
	(void)arg;
	if (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		loop_stop(loop);
}

/* A listener on the family's any-address. IPv6 ones are IPv6 only: the
 * IPv4 listener beside them keeps IPv4 peers' addresses as they are, not
 * mapped into ::ffff:0:0/96. */
static int open_listener(struct serve *s, enum rm_family family, int type, uint16_t port,
			 enum listener_kind kind)
{
	struct rm_addr any = { .family = (uint8_t)family };
	struct sockaddr_storage ss;
	socklen_t sl = wire_to_sockaddr(&any, port, &ss);
	struct listener *l = &s->listeners[s->nlisteners];
	int one = 1, fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return RM_ESYS;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == RM_AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 ||
	    (type == SOCK_STREAM && listen(fd, 512) != 0)) {
		int err = errno;

		close(fd);
		errno = err;
		return RM_ESYS;
	}
	*l = (struct listener){ s, fd, port, kind };
	if (loop_watch(s->loop, fd, EPOLLIN, type == SOCK_STREAM ? on_accept : on_datagram, l) !=
	    RM_OK) {
		close(fd);
		return RM_ENOMEM;
	}
	s->nlisteners++;
	return RM_OK;
}

/* The IPv4 listener and, beside it, the IPv6 one; a host without IPv6
 * serves IPv4 as before, and any other reason the IPv6 one cannot open is
 * a note. The status is the IPv4 listener's (errno set by its failure). */
static int open_listeners(struct serve *s, int type, uint16_t port, enum listener_kind kind)
{
	int rc = open_listener(s, RM_AF_INET, type, port, kind);
	char msg[160];

	if (rc != RM_OK)
		return rc;
	if (open_listener(s, RM_AF_INET6, type, port, kind) != RM_OK && errno != EAFNOSUPPORT &&
	    s->cfg->note) {
		snprintf(msg, sizeof(msg), "no IPv6 listener on %s/%u: %s",
			 type == SOCK_STREAM ? "tcp" : "udp", port, strerror(errno));
		s->cfg->note(msg, s->cfg->note_arg);
	}
	return RM_OK;
}

/* The responder's tcp and udp listeners, a stand-in per port (each in
 * both families), and the capture. RM_OK, RM_ESYS when the responder's
 * own port cannot be opened (errno), RM_ENOMEM. */
static int open_all(struct serve *s)
{
	const struct serve_config *cfg = s->cfg;
	size_t i;
	int rc = open_listeners(s, SOCK_STREAM, cfg->port, L_RESPONDER);

	if (rc == RM_OK)
		rc = open_listeners(s, SOCK_DGRAM, cfg->port, L_RESPONDER);
	if (rc != RM_OK)
		return rc;
	for (i = 0; cfg->standins && i < cfg->topo->nports; i++) {
		const struct rm_port *p = &cfg->topo->ports[i];
		char msg[160];
		int err;

		if (p->port == cfg->port)
			continue;
		if (open_listeners(s, SOCK_STREAM, p->port,
				   p->protocol == RM_PORT_CQL ? L_CQL : L_PLAIN) == RM_OK)
			continue;
		err = errno;
		if (cfg->note) {
			snprintf(msg, sizeof(msg), "no stand-in on tcp/%u (%s): %s", p->port,
				 p->name,
				 err == EADDRINUSE ? "the port is in use, by the real service?"
						   : strerror(err));
			cfg->note(msg, cfg->note_arg);
		}
	}
	open_capture(s);
	return RM_OK;
}

/* The record, the lock and the loop; undone by serve_close. */
static int serve_init(struct serve *s, const struct serve_config *cfg)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->stopfd = -1;
	pthread_mutex_init(&s->lock, NULL);
	s->listeners = rm_calloc(2 * (cfg->topo->nports + 2), sizeof(*s->listeners));
	if (s->listeners == NULL || arrivals_new(SERVE_MAX_ARRIVALS, &s->arr) != RM_OK)
		return RM_ENOMEM;
	rc = loop_new(&s->loop);
	return rc;
}

static void serve_close(struct serve *s)
{
	size_t i;

	while (s->conns != NULL)
		conn_close(s->conns);
	for (i = 0; i < s->nlisteners; i++)
		close(s->listeners[i].fd);
	if (s->stopfd >= 0)
		close(s->stopfd);
	if (s->pcap != NULL)
		pcap_close(s->pcap);
	loop_free(s->loop);
	rm_free(s->listeners);
	arrivals_free(s->arr);
	pthread_mutex_destroy(&s->lock);
}

/* Arrivals not recorded since the last take, said in the document. */
static int note_dropped(struct serve *s, uint64_t *seen, struct rm_results_doc *doc)
{
	uint64_t now = arrivals_dropped(s->arr);
	char msg[200];

	if (now == *seen)
		return RM_OK;
	snprintf(msg, sizeof(msg),
		 "%llu arrivals not recorded: more than %u sources in one interval",
		 (unsigned long long)(now - *seen), SERVE_MAX_ARRIVALS);
	*seen = now;
	return results_doc_add_note(doc, msg);
}

int serve_run(const struct serve_config *cfg, struct rm_results_doc *doc)
{
	struct serve s;
	uint64_t dropped = 0;
	sigset_t mask;
	int rc = serve_init(&s, cfg);

	if (rc != RM_OK)
		goto out;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	s.stopfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (s.stopfd < 0 || loop_watch(s.loop, s.stopfd, EPOLLIN, on_signal, &s) != RM_OK) {
		rc = RM_ESYS;
		goto out;
	}
	if ((rc = open_all(&s)) != RM_OK)
		goto out;
	if (cfg->ready)
		cfg->ready((unsigned)s.nlisteners, cfg->note_arg);
	rc = loop_run(s.loop);
	if (rc == RM_OK && s.failed)
		rc = s.failed;
	/* One generation for the whole run. */
	if (rc == RM_OK)
		rc = arrivals_take(s.arr, 1, false, doc);
	doc->accepts_only = s.pcap == NULL;
	if (rc == RM_OK)
		rc = note_dropped(&s, &dropped, doc);
out:
	serve_close(&s);
	return rc;
}

/* ---- in the background (the agent) --------------------------------------- */

struct serve_bg {
	struct serve s;
	pthread_t thread;
	bool running;
	int status;	  /* the loop's, once the thread ended */
	uint64_t dropped; /* arrivals_dropped at the last take */
};

static void on_stop(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	uint64_t v;

	(void)events;
	(void)arg;
	if (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		loop_stop(loop);
}

static void *serve_thread(void *arg)
{
	struct serve_bg *bg = arg;

	bg->status = loop_run(bg->s.loop);
	return NULL;
}

int serve_start(const struct serve_config *cfg, struct serve_bg **out)
{
	struct serve_bg *bg = rm_calloc(1, sizeof(*bg));
	int rc;

	*out = NULL;
	if (bg == NULL)
		return RM_ENOMEM;
	rc = serve_init(&bg->s, cfg);
	if (rc != RM_OK)
		goto fail;
	bg->s.stopfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (bg->s.stopfd < 0 ||
	    loop_watch(bg->s.loop, bg->s.stopfd, EPOLLIN, on_stop, bg) != RM_OK) {
		rc = RM_ESYS;
		goto fail;
	}
	if ((rc = open_all(&bg->s)) != RM_OK)
		goto fail;
	/* Before the thread starts: what ready drops (capabilities) is then
	 * dropped for the serve thread too. */
	if (cfg->ready)
		cfg->ready((unsigned)bg->s.nlisteners, cfg->note_arg);
	if (pthread_create(&bg->thread, NULL, serve_thread, bg) != 0) {
		rc = RM_ESYS;
		goto fail;
	}
	bg->running = true;
	*out = bg;
	return RM_OK;
fail:
	serve_close(&bg->s);
	rm_free(bg);
	return rc;
}

int serve_take(struct serve_bg *bg, struct rm_results_doc *doc)
{
	int rc;

	pthread_mutex_lock(&bg->s.lock);
	rc = arrivals_take(bg->s.arr, ARRIVALS_GENERATIONS, true, doc);
	doc->accepts_only = bg->s.pcap == NULL;
	if (rc == RM_OK)
		rc = note_dropped(&bg->s, &bg->dropped, doc);
	pthread_mutex_unlock(&bg->s.lock);
	return rc;
}

int serve_stop(struct serve_bg *bg)
{
	uint64_t one = 1;
	int rc;

	if (bg == NULL)
		return RM_OK;
	if (bg->running) {
		/* An eventfd's write fails only when its counter would overflow. */
		if (write(bg->s.stopfd, &one, sizeof(one)) < 0)
			bg->status = RM_ESYS;
		pthread_join(bg->thread, NULL);
	}
	rc = bg->status != RM_OK ? bg->status : bg->s.failed;
	serve_close(&bg->s);
	rm_free(bg);
	return rc;
}
