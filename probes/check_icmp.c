/* icmp: echo requests on the engine's raw ICMP socket (RFC 792), RTT
 * min/avg/max and loss; an ICMP error quoting one of our echoes names the
 * router that sent it (unreachable, or rejected for admin-prohibited). */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "probes/engine.h"
#include "probes/packet.h"
#include "reachmap/error.h"

#define ICMP_INTERVAL_MS 100
#define ICMP_PAYLOAD	 56

static void icmp_report(struct probe_job *j)
{
	struct rm_result *r;

	engine_icmp_release(j->e, j);
	if ((r = job_result(j, RM_CHECK_ICMP)) != NULL) {
		r->sent = (int)j->sent;
		r->received = (int)j->received;
		if (j->received > 0) {
			r->rtt_ms = j->rtt_sum / j->received;
			r->rtt_min_ms = (float)j->rtt_min;
			r->rtt_max_ms = (float)j->rtt_max;
			r->status = j->received == j->sent ? RM_STATUS_OK : RM_STATUS_LOSS;
		} else if (j->icmp_type >= 0) {
			r->status = pkt_icmp_is_reject((uint8_t)j->icmp_type, (uint8_t)j->icmp_code)
					? RM_STATUS_REJECTED
					: RM_STATUS_UNREACHABLE;
		} else {
			r->status = RM_STATUS_TIMEOUT;
		}
		if (j->icmp_type >= 0) {
			r->icmp_type = (int16_t)j->icmp_type;
			r->icmp_code = (int16_t)j->icmp_code;
			r->icmp_from = j->icmp_from;
		}
	}
	job_finish(j);
}

static void icmp_done(struct rm_loop *loop, void *arg)
{
	(void)loop;
	icmp_report(arg);
}

static void icmp_send(struct rm_loop *loop, void *arg);

static void icmp_send_one(struct probe_job *j)
{
	const struct probe_config *cfg = job_config(j);
	struct sockaddr_in sin = { .sin_family = AF_INET };
	uint8_t pkt[8 + ICMP_PAYLOAD];
	uint16_t seq = (uint16_t)(j->first_seq + j->sent);
	size_t len;
	uint64_t now = loop_clock(), next;

	memcpy(&sin.sin_addr, j->dest->address.bytes, 4);
	/* On a datagram socket the kernel replaces the id; the sequence
	 * number is what matches replies to jobs either way. */
	if (pkt_build_echo(pkt, sizeof(pkt), engine_icmp_id(j->e), seq, ICMP_PAYLOAD, &len) ==
	    RM_OK) {
		j->send_time[j->sent] = now;
		sendto(engine_icmp_fd(j->e), pkt, len, MSG_DONTWAIT, (struct sockaddr *)&sin,
		       sizeof(sin));
	}
	j->sent++;
	if (j->sent < cfg->icmp_count) {
		next = now + ICMP_INTERVAL_MS * 1000000u;
		job_timeout(j, next, icmp_send);
	} else {
		job_timeout(j, now + (uint64_t)cfg->timeout_ms * 1000000u, icmp_done);
	}
}

static void icmp_send(struct rm_loop *loop, void *arg)
{
	(void)loop;
	icmp_send_one(arg);
}

void icmp_on_answer(struct probe_job *j, const struct pkt_icmp *p, uint64_t now)
{
	if (p->type == ICMP_ECHO_REPLY) {
		unsigned i = (uint16_t)(p->seq - j->first_seq);
		double rtt;

		if (i >= j->sent || j->send_time[i] == 0)
			return; /* a duplicate, or not one of ours */
		rtt = (double)(now - j->send_time[i]) / 1e6;
		j->send_time[i] = 0;
		if (j->received == 0 || rtt < j->rtt_min)
			j->rtt_min = rtt;
		if (j->received == 0 || rtt > j->rtt_max)
			j->rtt_max = rtt;
		j->rtt_sum += rtt;
		j->received++;
		if (j->received == job_config(j)->icmp_count)
			icmp_report(j);
		return;
	}
	/* An error about one of our echoes: remember the first. */
	if (j->icmp_type < 0) {
		j->icmp_type = p->type;
		j->icmp_code = p->code;
		j->icmp_from = p->src;
	}
}

static int icmp_start(struct probe_job *j)
{
	const struct probe_config *cfg = job_config(j);

	/* No ICMP socket (the engine said so once), or IPv6: nothing to
	 * measure, and no word of the table for that, so no result. */
	if (engine_icmp_fd(j->e) < 0 || j->dest->address.family != RM_AF_INET) {
		job_finish(j);
		return RM_OK;
	}
	j->first_seq = engine_icmp_claim(j->e, j, cfg->icmp_count);
	icmp_send_one(j);
	return RM_OK;
}

const struct probe_ops probe_icmp = {
	.name = "icmp",
	.check = RM_CHECK_ICMP,
	.start = icmp_start,
};
