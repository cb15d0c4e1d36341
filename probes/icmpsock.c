/* The ICMP socket: see icmpsock.h. Every answer is parsed by probes/packet.c
 * and reaches a check through one path, dispatch(), to its on_icmp. */
#include "probes/icmpsock.h"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probes/check.h"
#include "probes/packet.h"
#include "probes/sockerr.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/wire.h"

#define ICMP_READ_BUDGET 64 /* datagrams read per wakeup, so others get a turn */
#define ICMP_FILTER_OPT	 1  /* linux/icmp.h's ICMP_FILTER, a SOL_RAW option */

/* One family's socket. */
struct icmp_fam {
	struct icmp_sock *s;
	enum rm_family family;
	int fd;
	bool dgram; /* an ICMP datagram ("ping") socket, not a raw one */
};

struct icmp_sock {
	struct icmp_fam fam[2]; /* RM_AF_INET, RM_AF_INET6 */
	uint16_t id;
	uint16_t next_seq;
	struct probe_job *echo_owner[65536];
	struct probe_job *port_owner[65536];
};

struct icmp_sock *icmpsock_new(void)
{
	struct icmp_sock *s = rm_calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->fam[0] = (struct icmp_fam){ s, RM_AF_INET, -1, false };
	s->fam[1] = (struct icmp_fam){ s, RM_AF_INET6, -1, false };
	s->id = (uint16_t)(getpid() & 0xffff);
	return s;
}

static const struct icmp_fam *fam_of(const struct icmp_sock *s, enum rm_family family)
{
	return &s->fam[family == RM_AF_INET6];
}

int icmpsock_fd(const struct icmp_sock *s, enum rm_family family)
{
	return fam_of(s, family)->fd;
}

uint16_t icmpsock_id(const struct icmp_sock *s)
{
	return s->id;
}

bool icmpsock_is_raw(const struct icmp_sock *s, enum rm_family family)
{
	const struct icmp_fam *f = fam_of(s, family);

	return f->fd >= 0 && !f->dgram;
}

uint16_t icmpsock_claim_echo(struct icmp_sock *s, struct probe_job *job, unsigned count)
{
	uint16_t first = s->next_seq;
	unsigned i;

	for (i = 0; i < count; i++)
		s->echo_owner[(uint16_t)(first + i)] = job;
	s->next_seq = (uint16_t)(first + count);
	return first;
}

void icmpsock_release_echo(struct icmp_sock *s, struct probe_job *job, uint16_t first,
			   unsigned count)
{
	unsigned i;

	for (i = 0; i < count; i++)
		if (s->echo_owner[(uint16_t)(first + i)] == job)
			s->echo_owner[(uint16_t)(first + i)] = NULL;
}

uint16_t icmpsock_claim_fd(struct icmp_sock *s, int fd, struct probe_job *job)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct rm_addr local;
	uint16_t sport = 0;

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    wire_from_sockaddr((const struct sockaddr *)&ss, &local, &sport) != RM_OK ||
	    !icmpsock_is_raw(s, (enum rm_family)local.family))
		return 0;
	if (sport != 0)
		s->port_owner[sport] = job;
	return sport;
}

void icmpsock_claim_port(struct icmp_sock *s, uint16_t sport, struct probe_job *job)
{
	s->port_owner[sport] = job;
}

struct probe_job *icmpsock_port_owner(const struct icmp_sock *s, uint16_t sport)
{
	return s->port_owner[sport];
}

void icmpsock_release_port(struct icmp_sock *s, uint16_t sport, const struct probe_job *job)
{
	if (sport != 0 && s->port_owner[sport] == job)
		s->port_owner[sport] = NULL;
}

/* The one way an ICMP message reaches a check. A datagram socket's kernel
 * sets the echo id itself, so there only the sequence number is ours. */
static void dispatch(struct icmp_fam *f, const struct pkt_icmp *p)
{
	struct icmp_sock *s = f->s;
	struct probe_job *job = NULL;
	bool any_id = f->dgram;
	uint8_t echo_proto = f->family == RM_AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;

	if (p->kind == PKT_ICMP_ECHO_REPLY && (any_id || p->id == s->id)) {
		job = s->echo_owner[p->seq];
	} else if (p->quoted && p->q_proto == echo_proto && (any_id || p->q_id == s->id)) {
		job = s->echo_owner[p->q_seq];
	} else if (p->quoted && p->q_proto == IPPROTO_TCP) {
		job = s->port_owner[p->q_sport];
		/* Ours only if it quotes our connection's destination. */
		if (job != NULL &&
		    (job->port != p->q_dport || !cidr_addr_equal(&job->dest->address, &p->q_dst)))
			job = NULL;
	}
	if (job != NULL && !job->finished && job->ops->on_icmp != NULL)
		job->ops->on_icmp(job, p);
}

/* An ICMP message as the family's socket reads it: with its IPv4 header,
 * or (ICMPv6, RFC 3542) without one, the sender in `from`. */
static int parse(const struct icmp_fam *f, const uint8_t *buf, size_t n,
		 const struct sockaddr_storage *from, struct pkt_icmp *p)
{
	struct rm_addr src;

	if (f->family == RM_AF_INET6) {
		if (wire_from_sockaddr((const struct sockaddr *)from, &src, NULL) != RM_OK)
			return RM_EPARSE;
		return pkt_parse_icmp6(buf, n, &src, p);
	}
	return f->dgram ? pkt_parse_icmp_header(buf, n, p) : pkt_parse_icmp4(buf, n, p);
}

/* A datagram socket reports errors on its error queue with the echo that
 * caused them. */
static void dgram_errors(struct icmp_fam *f)
{
	struct sock_icmp err;
	uint8_t echo[64];
	int len;

	while ((len = sockerr_read_data(f->fd, &err, echo, sizeof(echo))) >= 0) {
		struct pkt_icmp sent, p;
		int rc = f->family == RM_AF_INET6 ? pkt_parse_icmp6(echo, (size_t)len, NULL, &sent)
						  : pkt_parse_icmp_header(echo, (size_t)len, &sent);

		if (!err.present || rc != RM_OK)
			continue;
		p = (struct pkt_icmp){ .type = (uint8_t)err.type,
				       .code = (uint8_t)err.code,
				       .kind = pkt_icmp_kind((enum rm_family)err.family,
							     (uint8_t)err.type, (uint8_t)err.code),
				       .src = err.from,
				       .quoted = true,
				       .q_proto =
					   f->family == RM_AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
				       .q_seq = sent.seq };
		dispatch(f, &p);
	}
}

static void icmp_readable(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct icmp_fam *f = arg;
	uint8_t buf[1500];
	int budget = ICMP_READ_BUDGET;
	ssize_t n;

	(void)loop;
	for (;;) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		struct pkt_icmp p;

		if (budget-- <= 0 || (n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
						   (struct sockaddr *)&from, &fl)) < 0)
			break;
		/* A malformed packet is someone else's noise: skip it. A
		 * datagram socket hears only echo replies here. */
		if (parse(f, buf, (size_t)n, &from, &p) == RM_OK &&
		    (!f->dgram || p.kind == PKT_ICMP_ECHO_REPLY))
			dispatch(f, &p);
	}
	if (f->dgram && (events & EPOLLERR))
		dgram_errors(f);
}

/* Deliver only echo replies and errors: ICMP_FILTER is a mask of the
 * types to drop, ICMP6_FILTER a set of the types to pass. */
static void open_raw_filter(int fd, enum rm_family family)
{
	uint32_t filter4 =
	    ~((1u << ICMP_ECHO_REPLY) | (1u << ICMP_DEST_UNREACH) | (1u << ICMP_TIME_EXCEEDED));
	struct icmp6_filter filter6;

	if (family == RM_AF_INET) {
		setsockopt(fd, SOL_RAW, ICMP_FILTER_OPT, &filter4, sizeof(filter4));
		return;
	}
	ICMP6_FILTER_SETBLOCKALL(&filter6);
	ICMP6_FILTER_SETPASS(ICMP6_TYPE_ECHO_REPLY, &filter6);
	ICMP6_FILTER_SETPASS(ICMP6_TYPE_DEST_UNREACH, &filter6);
	ICMP6_FILTER_SETPASS(ICMP6_TYPE_PACKET_TOO_BIG, &filter6);
	ICMP6_FILTER_SETPASS(ICMP6_TYPE_TIME_EXCEEDED, &filter6);
	setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter6, sizeof(filter6));
}

static void open_family(struct icmp_fam *f, struct rm_loop *loop)
{
	int domain = f->family == RM_AF_INET6 ? AF_INET6 : AF_INET;
	int proto = f->family == RM_AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	/* Thousands of replies can arrive within a millisecond: a receive
	 * buffer of the default ~200 KiB holds some 250 of them. */
	int size = 8 << 20;

	f->fd = socket(domain, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (f->fd >= 0) {
		if (setsockopt(f->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0)
			setsockopt(f->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		open_raw_filter(f->fd, f->family);
	} else {
		/* It serves the icmp check only; ICMP errors for the other
		 * checks' SYNs then come from their sockets' error queues. */
		f->fd = socket(domain, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
		if (f->fd < 0)
			return;
		f->dgram = true;
		sockerr_enable(f->fd, f->family);
	}
	if (loop_watch(loop, f->fd, EPOLLIN, icmp_readable, f) != RM_OK) {
		close(f->fd);
		f->fd = -1;
	}
}

void icmpsock_open(struct icmp_sock *s, struct rm_loop *loop)
{
	open_family(&s->fam[0], loop);
	open_family(&s->fam[1], loop);
}

void icmpsock_free(struct icmp_sock *s, struct rm_loop *loop)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < 2; i++) {
		if (s->fam[i].fd < 0)
			continue;
		if (loop != NULL)
			loop_unwatch(loop, s->fam[i].fd);
		close(s->fam[i].fd);
	}
	rm_free(s);
}
