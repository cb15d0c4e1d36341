/* path: for destinations whose tcp or icmp failed, TCP SYNs with TTL (IPv6:
 * hop limit) 1..8, three source ports per TTL (as ECMP-aware tracers such
 * as Paris traceroute vary flows), all at once. Each router on the way
 * answers "time exceeded" (RFC 792, RFC 4443 3.3) quoting our SYN, which the engine's raw ICMP
 * socket routes here by source port; the hops that answered and the last
 * one are the result. ok: the destination answered (SYN-ACK or RST);
 * unreachable: a router said "destination unreachable"; timeout: the trail
 * goes silent. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probes/check.h"
#include "probes/icmpsock.h"
#include "probes/packet.h"
#include "probes/sockerr.h"
#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/wire.h"

#define PATH_MAX_TTL 8
#define PATH_FLOWS   3
#define PATH_SOCKS   (PATH_MAX_TTL * PATH_FLOWS)

struct path_job;

struct path_sock {
	struct path_job *job;
	int fd;
	uint16_t sport;
	uint8_t ttl;
};

struct path_job {
	struct probe_job super;
	struct path_sock socks[PATH_SOCKS];
	struct rm_addr hop[PATH_MAX_TTL + 1]; /* by TTL; family NONE: silent */
	int reached_ttl;		      /* the destination answered */
	int unreach_ttl;		      /* a router said unreachable */
	int unreach_type, unreach_code;
	struct rm_addr unreach_from;
};

static void path_close(struct path_job *ps)
{
	struct probe_job *j = &ps->super;
	int i;

	for (i = 0; i < PATH_SOCKS; i++) {
		if (ps->socks[i].fd < 0)
			continue;
		loop_unwatch(job_loop(j), ps->socks[i].fd);
		icmpsock_release_port(job_icmp(j), ps->socks[i].sport, j);
		close(ps->socks[i].fd);
		ps->socks[i].fd = -1;
	}
}

static void path_report(struct path_job *ps)
{
	struct probe_job *j = &ps->super;
	struct rm_result *r;
	int t, last = 0, max = PATH_MAX_TTL;

	path_close(ps);
	if (ps->reached_ttl)
		max = ps->reached_ttl;
	if ((r = job_result(j, RM_CHECK_PATH)) != NULL) {
		struct rm_hop *hops = rm_arena_calloc(job_arena(j), (size_t)max, sizeof(*hops));

		for (t = 1; hops != NULL && t <= max; t++) {
			hops[t - 1].ttl = (uint8_t)t;
			hops[t - 1].addr = t == ps->reached_ttl ? j->dest->address : ps->hop[t];
			if (hops[t - 1].addr.family != RM_AF_NONE)
				last = t;
		}
		/* Silent hops after the last answer are not a trail. */
		r->hops = hops;
		r->nhops = (uint8_t)(ps->reached_ttl ? max : last);
		if (ps->reached_ttl) {
			r->status = RM_STATUS_OK;
		} else if (ps->unreach_ttl) {
			r->status = RM_STATUS_UNREACHABLE;
			r->icmp_type = (int16_t)ps->unreach_type;
			r->icmp_code = (int16_t)ps->unreach_code;
			r->icmp_from = ps->unreach_from;
		} else {
			r->status = RM_STATUS_TIMEOUT;
		}
		if (last > 0)
			r->last_hop = hops[last - 1].addr;
	}
	job_finish(j);
}

static void path_timeout(struct rm_loop *loop, void *arg)
{
	(void)loop;
	path_report(arg);
}

static struct path_sock *sock_of(struct path_job *ps, uint16_t sport)
{
	int i;

	for (i = 0; i < PATH_SOCKS; i++)
		if (ps->socks[i].sport == sport && ps->socks[i].fd >= 0)
			return &ps->socks[i];
	return NULL;
}

static void path_on_icmp(struct probe_job *j, const struct pkt_icmp *p)
{
	struct path_job *ps = (struct path_job *)j;
	struct path_sock *s;

	if ((s = sock_of(ps, p->q_sport)) == NULL)
		return;
	if (p->kind == PKT_ICMP_TIME_EXCEEDED) {
		if (ps->hop[s->ttl].family == RM_AF_NONE)
			ps->hop[s->ttl] = p->src;
	} else if (p->kind == PKT_ICMP_UNREACH || p->kind == PKT_ICMP_TOO_BIG) {
		if (ps->unreach_ttl == 0 || s->ttl < ps->unreach_ttl) {
			ps->unreach_ttl = s->ttl;
			ps->unreach_type = p->type;
			ps->unreach_code = p->code;
			ps->unreach_from = p->src;
			ps->hop[s->ttl] = p->src;
		}
	}
}

/* A SYN-ACK or RST: the destination itself answered at this TTL. */
static void path_sock_event(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct path_sock *s = arg;
	struct path_job *ps = s->job;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)loop;
	(void)events;
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if ((err == 0 || err == ECONNREFUSED) && (ps->reached_ttl == 0 || s->ttl < ps->reached_ttl))
		ps->reached_ttl = s->ttl;
	loop_unwatch(loop, fd);
}

static int path_start(struct probe_job *j)
{
	struct path_job *ps = (struct path_job *)j;
	struct sockaddr_storage ss;
	socklen_t sl = wire_to_sockaddr(&j->dest->address, j->port, &ss);
	int i;

	for (i = 0; i < PATH_SOCKS; i++)
		ps->socks[i].fd = -1;
	for (i = 0; i < PATH_SOCKS; i++) {
		struct path_sock *s = &ps->socks[i];
		int ttl = i / PATH_FLOWS + 1;

		s->job = ps;
		s->ttl = (uint8_t)ttl;
		s->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (s->fd < 0)
			continue;
		sockerr_enable(s->fd, j->dest->address.family);
		if (j->dest->address.family == RM_AF_INET6)
			setsockopt(s->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl));
		else
			setsockopt(s->fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
		if (connect(s->fd, (struct sockaddr *)&ss, sl) != 0 && errno != EINPROGRESS) {
			close(s->fd);
			s->fd = -1;
			continue;
		}
		s->sport = icmpsock_claim_fd(job_icmp(j), s->fd, j);
		if (loop_watch(job_loop(j), s->fd, EPOLLOUT, path_sock_event, s) != RM_OK)
			return RM_ENOMEM;
	}
	return job_timeout_round(j, path_timeout);
}

const struct probe_ops probe_path = {
	.name = "path",
	.check = RM_CHECK_PATH,
	.job_size = sizeof(struct path_job),
	.start = path_start,
	.fds = PATH_SOCKS,
	.on_icmp = path_on_icmp,
};
