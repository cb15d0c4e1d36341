/* The ICMP socket: see icmpsock.h. Every answer is parsed by probes/packet.c
 * and reaches a check through one path, dispatch(), to its on_icmp. */
#include "probes/icmpsock.h"

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

struct icmp_sock {
	int fd;
	bool dgram; /* an ICMP datagram ("ping") socket, not a raw one */
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
	s->fd = -1;
	s->id = (uint16_t)(getpid() & 0xffff);
	return s;
}

int icmpsock_fd(const struct icmp_sock *s)
{
	return s->fd;
}

uint16_t icmpsock_id(const struct icmp_sock *s)
{
	return s->id;
}

bool icmpsock_is_raw(const struct icmp_sock *s)
{
	return s->fd >= 0 && !s->dgram;
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

	if (!icmpsock_is_raw(s) || getsockname(fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    wire_from_sockaddr((const struct sockaddr *)&ss, &local, &sport) != RM_OK ||
	    local.family != RM_AF_INET)
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
static void dispatch(struct icmp_sock *s, const struct pkt_icmp *p)
{
	struct probe_job *job = NULL;
	bool any_id = s->dgram;

	if (p->type == ICMP_ECHO_REPLY && (any_id || p->id == s->id)) {
		job = s->echo_owner[p->seq];
	} else if (p->quoted && p->q_proto == IPPROTO_ICMP && (any_id || p->q_id == s->id)) {
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

/* A datagram socket reads echo replies without an IP header, and reports
 * errors on its error queue with the echo that caused them. */
static void dgram_readable(struct icmp_sock *s, uint32_t events)
{
	uint8_t buf[1500];
	int budget = ICMP_READ_BUDGET;
	ssize_t n;

	while (budget-- > 0 && (n = recv(s->fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		struct pkt_icmp p;

		if (pkt_parse_icmp_header(buf, (size_t)n, &p) == RM_OK && p.type == ICMP_ECHO_REPLY)
			dispatch(s, &p);
	}
	if (events & EPOLLERR) {
		struct sock_icmp err;
		uint8_t echo[64];
		int len;

		while ((len = sockerr_read_data(s->fd, &err, echo, sizeof(echo))) >= 0) {
			struct pkt_icmp sent, p;

			if (!err.present ||
			    pkt_parse_icmp_header(echo, (size_t)len, &sent) != RM_OK)
				continue;
			p = (struct pkt_icmp){ .type = (uint8_t)err.type,
					       .code = (uint8_t)err.code,
					       .src = err.from,
					       .quoted = true,
					       .q_proto = IPPROTO_ICMP,
					       .q_seq = sent.seq };
			dispatch(s, &p);
		}
	}
}

static void icmp_readable(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct icmp_sock *s = arg;
	uint8_t buf[1500];
	int n, budget = ICMP_READ_BUDGET;

	(void)loop;
	if (s->dgram) {
		dgram_readable(s, events);
		return;
	}
	while (budget-- > 0 && (n = (int)recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct pkt_icmp p;

		/* A malformed packet is someone else's noise: skip it. */
		if (pkt_parse_icmp4(buf, (size_t)n, &p) == RM_OK)
			dispatch(s, &p);
	}
}

static void open_raw_options(int fd)
{
	/* Thousands of replies can arrive within a millisecond: a receive
	 * buffer of the default ~200 KiB holds some 250 of them. */
	int size = 8 << 20;
	/* Deliver only echo replies and errors: ICMP_FILTER is a mask of the
	 * types to drop. */
	uint32_t filter =
	    ~((1u << ICMP_ECHO_REPLY) | (1u << ICMP_DEST_UNREACH) | (1u << ICMP_TIME_EXCEEDED));

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(fd, SOL_RAW, ICMP_FILTER_OPT, &filter, sizeof(filter));
}

void icmpsock_open(struct icmp_sock *s, struct rm_loop *loop)
{
	s->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (s->fd >= 0) {
		open_raw_options(s->fd);
	} else {
		/* It serves the icmp check only; ICMP errors for the other
		 * checks' SYNs then come from their sockets' error queues. */
		s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
		if (s->fd < 0)
			return;
		s->dgram = true;
		sockerr_enable(s->fd, RM_AF_INET);
	}
	if (loop_watch(loop, s->fd, EPOLLIN, icmp_readable, s) != RM_OK) {
		close(s->fd);
		s->fd = -1;
	}
}

void icmpsock_free(struct icmp_sock *s, struct rm_loop *loop)
{
	if (s == NULL)
		return;
	if (s->fd >= 0) {
		if (loop != NULL)
			loop_unwatch(loop, s->fd);
		close(s->fd);
	}
	rm_free(s);
}
