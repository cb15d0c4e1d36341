/* mtu: DF UDP datagrams of several sizes at once to the responder (its
 * MTUOK names the size that arrived). The largest size answered is the
 * path's MTU as far as the probe can tell: the topology's mtu answered is
 * ok; a router's "fragmentation needed" (RFC 1191, read from the socket's
 * error queue with the MTU it reports) is fragmentation-needed; big
 * datagrams vanishing without a word while small ones arrive is a
 * blackhole. IP_PMTUDISC_PROBE sets DF while ignoring the kernel's cached
 * path MTU, so every size is really tried. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "probes/engine.h"
#include "probes/responder.h"
#include "probes/sockerr.h"
#include "reachmap/error.h"

#define IP_UDP_HEADERS 28

static void mtu_report(struct probe_job *j)
{
	const struct probe_config *cfg = job_config(j);
	struct rm_result *r;
	unsigned i, largest = 0;
	char why[120];

	for (i = 0; i < j->mtu_nsizes; i++)
		if (j->mtu_ok & (1u << i)) {
			largest = j->mtu_size[i];
			break;
		}
	/* Nothing came back at all: no responder there, and nothing to say
	 * about the path (identity says whether a responder answers). */
	if (largest == 0 && j->mtu_reported == 0) {
		job_finish(j);
		return;
	}
	if ((r = job_result(j, RM_CHECK_MTU)) == NULL) {
		job_finish(j);
		return;
	}
	r->port = 0;
	if (largest >= cfg->topo->mtu) {
		r->status = RM_STATUS_OK;
		snprintf(why, sizeof(why), "%u-byte datagrams arrive", largest);
	} else if (j->mtu_reported) {
		r->status = RM_STATUS_FRAGMENTATION_NEEDED;
		r->icmp_type = 3;
		r->icmp_code = 4;
		r->icmp_from = j->icmp_from;
		snprintf(why, sizeof(why),
			 "a router reports a next-hop MTU of %u; the largest datagram that "
			 "arrived was %u bytes",
			 j->mtu_reported, largest);
	} else {
		r->status = RM_STATUS_BLACKHOLE;
		snprintf(
		    why, sizeof(why),
		    "datagrams over %u bytes vanish without an ICMP answer; %u-byte ones arrive",
		    largest, largest);
	}
	r->error = job_strdup(j, why);
	r->mtu_largest = largest;
	r->mtu_reported = j->mtu_reported;
	job_finish(j);
}

static void mtu_timeout(struct rm_loop *loop, void *arg)
{
	(void)loop;
	mtu_report(arg);
}

static void mtu_event(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct probe_job *j = arg;
	uint8_t buf[RESP_MAX_LINE];
	int budget = 16;

	(void)loop;
	if (events & EPOLLERR) {
		struct sock_icmp icmp;

		sockerr_read(fd, &icmp);
		if (icmp.present && icmp.type == 3 && icmp.code == 4 && icmp.info > 0) {
			j->mtu_reported = icmp.info;
			j->icmp_from = icmp.from;
		}
	}
	while (budget-- > 0) {
		struct resp_msg m;
		const char *why;
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0)
			break;
		if (resp_parse(buf, (size_t)n, &m, &why) == RM_OK && m.kind == RESP_MTUOK &&
		    m.seq < j->mtu_nsizes && m.size + IP_UDP_HEADERS == j->mtu_size[m.seq])
			j->mtu_ok |= 1u << m.seq;
	}
	/* The largest came back: nothing more to learn. */
	if (j->mtu_ok & 1u)
		mtu_report(j);
}

static int mtu_start(struct probe_job *j)
{
	const struct probe_config *cfg = job_config(j);
	static const unsigned steps[] = { 0, 100, 200, 300, 500, 924 };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(j->port) };
	int pmtu = IP_PMTUDISC_PROBE;
	unsigned i;

	memcpy(&sin.sin_addr, j->dest->address.bytes, 4);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (cfg->topo->mtu > steps[i] + 576 || steps[i] == 0)
			j->mtu_size[j->mtu_nsizes++] = (uint16_t)(cfg->topo->mtu - steps[i]);
	j->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (j->fd < 0 || sockerr_enable(j->fd, RM_AF_INET) != RM_OK ||
	    setsockopt(j->fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu)) != 0 ||
	    connect(j->fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		job_finish(j);
		return RM_OK;
	}
	for (i = 0; i < j->mtu_nsizes; i++) {
		uint8_t dgram[65536];
		size_t len;

		if (resp_build_mtu(dgram, sizeof(dgram), i, j->mtu_size[i] - IP_UDP_HEADERS,
				   &len) == RM_OK)
			send(j->fd, dgram, len, MSG_DONTWAIT);
	}
	if (loop_watch(job_loop(j), j->fd, EPOLLIN, mtu_event, j) != RM_OK)
		return RM_ENOMEM;
	return job_timeout(j, loop_clock() + (uint64_t)cfg->timeout_ms * 1000000u, mtu_timeout);
}

const struct probe_ops probe_mtu = {
	.name = "mtu",
	.check = RM_CHECK_MTU,
	.start = mtu_start,
};
