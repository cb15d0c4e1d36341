/* mtu: DF UDP datagrams of several sizes at once to the responder (its
 * MTUOK names the size that arrived). The largest size answered is the
 * path's MTU as far as the probe can tell: the topology's mtu answered is
 * ok; a router's "fragmentation needed" (RFC 1191) or ICMPv6 "packet too
 * big" (RFC 8201), read from the socket's error queue with the MTU it
 * reports, is fragmentation-needed; big datagrams vanishing without a word
 * while small ones arrive is a blackhole. IP(V6)_PMTUDISC_PROBE sets DF
 * (IPv6 routers never fragment; IPV6_DONTFRAG keeps this host from doing
 * it) while ignoring the kernel's cached path MTU, so every size is really
 * tried. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "probes/check.h"
#include "probes/packet.h"
#include "probes/responder.h"
#include "probes/sockerr.h"
#include "reachmap/error.h"
#include "reachmap/util.h"
#include "reachmap/wire.h"

#define IP_UDP_HEADERS	28
#define IP6_UDP_HEADERS 48
#define IP_MIN_MTU	576  /* RFC 791 */
#define IP6_MIN_MTU	1280 /* RFC 8200 5 */
#define MTU_MAX_SIZES	8

struct mtu_job {
	struct probe_job super;
	uint16_t size[MTU_MAX_SIZES]; /* IP datagram sizes tried, largest first */
	unsigned nsizes;
	unsigned headers;	/* IP and UDP headers of the family */
	unsigned ok;		/* bit i: size i came back */
	unsigned reported;	/* next-hop MTU from "fragmentation needed" */
	struct sock_icmp error; /* the ICMP message that reported it */
};

static void mtu_report(struct mtu_job *j)
{
	const struct probe_config *cfg = job_config(&j->super);
	struct rm_result *r;
	unsigned i, largest = 0;
	char why[120];

	for (i = 0; i < j->nsizes; i++)
		if (j->ok & (1u << i)) {
			largest = j->size[i];
			break;
		}
	/* Nothing came back at all: no responder there, and nothing to say
	 * about the path (identity says whether a responder answers). */
	if (largest == 0 && j->reported == 0) {
		job_finish(&j->super);
		return;
	}
	if ((r = job_result(&j->super, RM_CHECK_MTU)) == NULL) {
		job_finish(&j->super);
		return;
	}
	r->port = 0;
	if (largest >= cfg->topo->mtu) {
		r->status = RM_STATUS_OK;
		snprintf(why, sizeof(why), "%u-byte datagrams arrive", largest);
	} else if (j->reported) {
		r->status = RM_STATUS_FRAGMENTATION_NEEDED;
		r->icmp_type = (int16_t)j->error.type;
		r->icmp_code = (int16_t)j->error.code;
		r->icmp_from = j->error.from;
		snprintf(why, sizeof(why),
			 "a router reports a next-hop MTU of %u; the largest datagram that "
			 "arrived was %u bytes",
			 j->reported, largest);
	} else {
		r->status = RM_STATUS_BLACKHOLE;
		snprintf(
		    why, sizeof(why),
		    "datagrams over %u bytes vanish without an ICMP answer; %u-byte ones arrive",
		    largest, largest);
	}
	r->error = job_strdup(&j->super, why);
	r->mtu_largest = largest;
	r->mtu_reported = j->reported;
	job_finish(&j->super);
}

static void mtu_timeout(struct rm_loop *loop, void *arg)
{
	(void)loop;
	mtu_report(arg);
}

static void mtu_event(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct mtu_job *j = arg;
	uint8_t buf[RESP_MAX_LINE];
	int budget = 16;

	(void)loop;
	if (events & EPOLLERR) {
		struct sock_icmp icmp;

		sockerr_read(fd, &icmp);
		if (icmp.present &&
		    pkt_icmp_kind((enum rm_family)icmp.family, (uint8_t)icmp.type,
				  (uint8_t)icmp.code) == PKT_ICMP_TOO_BIG &&
		    icmp.info > 0) {
			j->reported = icmp.info;
			j->error = icmp;
		}
	}
	while (budget-- > 0) {
		struct resp_msg m;
		const char *why;
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0)
			break;
		if (resp_parse(buf, (size_t)n, &m, &why) == RM_OK && m.kind == RESP_MTUOK &&
		    m.seq < j->nsizes && m.size + j->headers == j->size[m.seq])
			j->ok |= 1u << m.seq;
	}
	/* The largest came back: nothing more to learn. */
	if (j->ok & 1u)
		mtu_report(j);
}

/* A connected UDP socket that sets DF and never fragments: 0, or -1. */
static int mtu_socket(struct probe_job *job)
{
	const struct rm_addr *dst = &job->dest->address;
	struct sockaddr_storage ss;
	socklen_t sl = wire_to_sockaddr(dst, job->port, &ss);
	int pmtu = IP_PMTUDISC_PROBE, pmtu6 = IPV6_PMTUDISC_PROBE, one = 1, rc;

	job->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (job->fd < 0 || sockerr_enable(job->fd, dst->family) != RM_OK)
		return -1;
	if (dst->family == RM_AF_INET6)
		rc = setsockopt(job->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu6, sizeof(pmtu6)) ||
		     setsockopt(job->fd, IPPROTO_IPV6, IPV6_DONTFRAG, &one, sizeof(one));
	else
		rc = setsockopt(job->fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
	if (rc != 0 || connect(job->fd, (struct sockaddr *)&ss, sl) != 0)
		return -1;
	return 0;
}

static int mtu_start(struct probe_job *job)
{
	struct mtu_job *j = (struct mtu_job *)job;
	const struct probe_config *cfg = job_config(job);
	static const unsigned steps[] = { 0, 100, 200, 300, 500, 924 };
	bool v6 = job->dest->address.family == RM_AF_INET6;
	unsigned i, min = v6 ? IP6_MIN_MTU : IP_MIN_MTU;

	j->headers = v6 ? IP6_UDP_HEADERS : IP_UDP_HEADERS;
	for (i = 0; i < ARRAY_SIZE(steps); i++)
		if (cfg->topo->mtu > steps[i] + min || steps[i] == 0)
			j->size[j->nsizes++] = (uint16_t)(cfg->topo->mtu - steps[i]);
	if (mtu_socket(job) != 0) {
		job_finish(job);
		return RM_OK;
	}
	for (i = 0; i < j->nsizes; i++) {
		uint8_t dgram[65536];
		size_t len;

		if (resp_build_mtu(dgram, sizeof(dgram), i, j->size[i] - j->headers, &len) == RM_OK)
			send(job->fd, dgram, len, MSG_DONTWAIT);
	}
	if (loop_watch(job_loop(job), job->fd, EPOLLIN, mtu_event, j) != RM_OK)
		return RM_ENOMEM;
	return job_timeout_round(job, mtu_timeout);
}

const struct probe_ops probe_mtu = {
	.name = "mtu",
	.check = RM_CHECK_MTU,
	.job_size = sizeof(struct mtu_job),
	.start = mtu_start,
};
