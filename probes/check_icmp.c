/* icmp: echo requests on the engine's ICMP socket of the destination's
 * family (RFC 792, RFC 4443 4.1), RTT min/avg/max and loss; an ICMP error
 * quoting one of our echoes names the router that sent it (unreachable, or
 * rejected for admin-prohibited). */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "probes/check.h"
#include "probes/icmpsock.h"
#include "probes/packet.h"
#include "probes/sockerr.h"
#include "reachmap/error.h"
#include "reachmap/wire.h"

#define ICMP_INTERVAL_MS 100
#define ICMP_PAYLOAD	 56
#define ICMP_MAX_ECHOES	 8 /* --icmp-count's ceiling */

struct icmp_job {
	struct probe_job super;
	unsigned sent, received;
	double rtt_sum, rtt_min, rtt_max;
	uint64_t send_time[ICMP_MAX_ECHOES];
	uint16_t first_seq;
	struct sock_icmp error; /* the first ICMP error about our echoes */
};

static void icmp_report(struct icmp_job *j)
{
	struct rm_result *r;

	icmpsock_release_echo(job_icmp(&j->super), &j->super, j->first_seq, j->sent);
	if ((r = job_result(&j->super, RM_CHECK_ICMP)) != NULL) {
		r->sent = (int)j->sent;
		r->received = (int)j->received;
		if (j->received > 0) {
			r->rtt_ms = j->rtt_sum / j->received;
			r->rtt_min_ms = (float)j->rtt_min;
			r->rtt_max_ms = (float)j->rtt_max;
			r->status = j->received == j->sent ? RM_STATUS_OK : RM_STATUS_LOSS;
		} else if (j->error.present) {
			r->status = sockerr_is_reject(&j->error) ? RM_STATUS_REJECTED
								 : RM_STATUS_UNREACHABLE;
		} else {
			r->status = RM_STATUS_TIMEOUT;
		}
		if (j->error.present) {
			r->icmp_type = (int16_t)j->error.type;
			r->icmp_code = (int16_t)j->error.code;
			r->icmp_from = j->error.from;
		}
	}
	job_finish(&j->super);
}

static void icmp_done(struct rm_loop *loop, void *arg)
{
	(void)loop;
	icmp_report(arg);
}

static void icmp_send(struct rm_loop *loop, void *arg);

static void icmp_send_one(struct icmp_job *j)
{
	const struct probe_config *cfg = job_config(&j->super);
	struct icmp_sock *s = job_icmp(&j->super);
	enum rm_family family = (enum rm_family)j->super.dest->address.family;
	struct sockaddr_storage ss;
	socklen_t sl = wire_to_sockaddr(&j->super.dest->address, 0, &ss);
	uint8_t pkt[8 + ICMP_PAYLOAD];
	uint16_t seq = (uint16_t)(j->first_seq + j->sent);
	size_t len;
	uint64_t now = loop_clock();
	int rc;

	/* On a datagram socket the kernel replaces the id; the sequence
	 * number is what matches replies to jobs either way. */
	rc = family == RM_AF_INET6
		 ? pkt_build_echo6(pkt, sizeof(pkt), icmpsock_id(s), seq, ICMP_PAYLOAD, &len)
		 : pkt_build_echo(pkt, sizeof(pkt), icmpsock_id(s), seq, ICMP_PAYLOAD, &len);
	if (rc == RM_OK) {
		j->send_time[j->sent] = now;
		sendto(icmpsock_fd(s, family), pkt, len, MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
	}
	j->sent++;
	if (j->sent < cfg->icmp_count)
		job_timeout(&j->super, now + ICMP_INTERVAL_MS * 1000000u, icmp_send);
	else
		job_timeout_round(&j->super, icmp_done);
}

static void icmp_send(struct rm_loop *loop, void *arg)
{
	(void)loop;
	icmp_send_one(arg);
}

/* An echo reply, or an ICMP error about one of our echoes. */
static void icmp_on_icmp(struct probe_job *job, const struct pkt_icmp *p)
{
	struct icmp_job *j = (struct icmp_job *)job;

	if (p->kind == PKT_ICMP_ECHO_REPLY) {
		unsigned i = (uint16_t)(p->seq - j->first_seq);
		double rtt;

		if (i >= j->sent || j->send_time[i] == 0)
			return; /* a duplicate, or not one of ours */
		rtt = (double)(loop_clock() - j->send_time[i]) / 1e6;
		j->send_time[i] = 0;
		if (j->received == 0 || rtt < j->rtt_min)
			j->rtt_min = rtt;
		if (j->received == 0 || rtt > j->rtt_max)
			j->rtt_max = rtt;
		j->rtt_sum += rtt;
		j->received++;
		if (j->received == job_config(job)->icmp_count)
			icmp_report(j);
		return;
	}
	if (!j->error.present)
		j->error = sockerr_of_packet(p);
}

/* Says once, before the round, that icmp cannot run here, or not over
 * IPv6 (a kernel without IPv6). */
static int icmp_open(struct probe_engine *e, void **shared, struct rm_diag *d)
{
	struct icmp_sock *s = engine_icmp(e);

	(void)shared;
	(void)d;
	if (icmpsock_fd(s, RM_AF_INET) < 0)
		return engine_note(e, "icmp is not run: it needs CAP_NET_RAW, or the process's "
				      "group in net.ipv4.ping_group_range");
	if (icmpsock_fd(s, RM_AF_INET6) < 0)
		return engine_note(e, "icmp is not run over IPv6: no ICMPv6 socket could be "
				      "opened");
	return RM_OK;
}

static int icmp_start(struct probe_job *job)
{
	struct icmp_job *j = (struct icmp_job *)job;
	const struct probe_config *cfg = job_config(job);

	/* No ICMP socket of the family (icmp_open said so once): nothing to
	 * measure, and no word of the table for that, so no result. */
	if (icmpsock_fd(job_icmp(job), (enum rm_family)job->dest->address.family) < 0) {
		job_finish(job);
		return RM_OK;
	}
	j->first_seq = icmpsock_claim_echo(job_icmp(job), job, cfg->icmp_count);
	icmp_send_one(j);
	return RM_OK;
}

const struct probe_ops probe_icmp = {
	.name = "icmp",
	.check = RM_CHECK_ICMP,
	.job_size = sizeof(struct icmp_job),
	.open = icmp_open,
	.start = icmp_start,
	.on_icmp = icmp_on_icmp,
};
