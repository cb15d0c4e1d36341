/* dns: c-ares queries of a destination's DNS name to one DNS server of the
 * source's cluster, type A for an IPv4 destination and AAAA (RFC 3596) for
 * an IPv6 one; the answer judged by dns_classify (probes/dns.c) against
 * probe_dest.expect (none for a destination known only by its name).
 * c-ares's sockets go into the engine's loop (ARES_OPT_SOCK_STATE_CB and
 * ares_process_fd), its timeouts into the loop's timers. */
#include <ares.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "probes/check.h"
#include "probes/dns.h"
#include "reachmap/error.h"

#define DNS_CLASS_IN  1	 /* RFC 1035 3.2.4 */
#define DNS_TYPE_A    1	 /* RFC 1035 3.2.2 */
#define DNS_TYPE_AAAA 28 /* RFC 3596 2.1 */

struct dns_job {
	struct probe_job super;
	ares_channel channel;
	bool answered;
};

static void dns_end(struct dns_job *j)
{
	ares_channel ch = j->channel;

	j->channel = NULL;
	/* Destroying calls back pending queries with ARES_EDESTRUCTION and
	 * the socket callback to close its sockets; both see a job that is
	 * over. */
	if (ch != NULL)
		ares_destroy(ch);
	job_finish(&j->super);
}

static void dns_rearm(struct dns_job *j);

static void on_ares_timer(struct rm_loop *loop, void *arg)
{
	struct dns_job *j = arg;

	(void)loop;
	ares_process_fd(j->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	if (j->answered)
		dns_end(j);
	else
		dns_rearm(j);
}

static void dns_rearm(struct dns_job *j)
{
	struct timeval tv, *t;

	if (j->channel == NULL)
		return;
	t = ares_timeout(j->channel, NULL, &tv);
	if (t != NULL)
		job_timeout(&j->super,
			    loop_clock() + (uint64_t)t->tv_sec * 1000000000u +
				(uint64_t)t->tv_usec * 1000u,
			    on_ares_timer);
}

static void on_ares_fd(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct dns_job *j = arg;

	(void)loop;
	ares_process_fd(j->channel,
			(events & (EPOLLIN | EPOLLERR | EPOLLHUP)) ? fd : ARES_SOCKET_BAD,
			(events & EPOLLOUT) ? fd : ARES_SOCKET_BAD);
	if (j->answered)
		dns_end(j);
	else
		dns_rearm(j);
}

static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct probe_job *j = data;

	if (!readable && !writable)
		loop_unwatch(job_loop(j), fd);
	else
		loop_watch(job_loop(j), fd, (readable ? EPOLLIN : 0u) | (writable ? EPOLLOUT : 0u),
			   on_ares_fd, j);
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct dns_job *j = arg;
	struct probe_job *job = &j->super;
	struct dns_verdict v;
	struct rm_result *r;

	(void)timeouts;
	if (status == ARES_EDESTRUCTION || j->answered)
		return;
	j->answered = true;
	if ((r = job_result(job, RM_CHECK_DNS)) == NULL)
		return;
	dns_classify(status, abuf, alen, (enum rm_family)job->dest->family, &job->dest->expect, &v);
	r->status = v.status;
	r->rtt_ms = v.status == RM_STATUS_TIMEOUT ? -1 : job_elapsed_ms(job);
	r->dns_name = job->dest->dns_name;
	r->dns_server = *job->server;
	if (v.answers[0])
		r->answers = job_strdup(job, v.answers);
	r->error = v.error;
}

static int dns_start(struct probe_job *job)
{
	struct dns_job *j = (struct dns_job *)job;
	const struct probe_config *cfg = job_config(job);
	struct ares_options o;
	ares_channel ch;
	char server[RM_ADDR_STRLEN];
	struct rm_result *r;
	int rc;

	memset(&o, 0, sizeof(o));
	/* NOCHECKRESP: report SERVFAIL and REFUSED instead of hiding them. */
	o.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOCHECKRESP;
	o.timeout = (int)cfg->timeout_ms;
	o.tries = 1;
	o.sock_state_cb = sock_state;
	o.sock_state_cb_data = j;
	rc = ares_init_options(
	    &ch, &o, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB);
	if (rc == ARES_SUCCESS) {
		rc =
		    ares_set_servers_csv(ch, cidr_addr_format(job->server, server, sizeof(server)));
		if (rc != ARES_SUCCESS)
			ares_destroy(ch);
	}
	if (rc != ARES_SUCCESS) {
		if ((r = job_result(job, RM_CHECK_DNS)) != NULL) {
			r->status = RM_STATUS_TIMEOUT;
			r->dns_name = job->dest->dns_name;
			r->dns_server = *job->server;
			r->error = job_strdup(job, ares_strerror(rc));
		}
		job_finish(job);
		return rc == ARES_ENOMEM ? RM_ENOMEM : RM_OK;
	}
	j->channel = ch;
	ares_query(ch, job->dest->dns_name, DNS_CLASS_IN,
		   job->dest->family == RM_AF_INET6 ? DNS_TYPE_AAAA : DNS_TYPE_A, on_answer, j);
	if (j->answered)
		dns_end(j);
	else
		dns_rearm(j);
	return RM_OK;
}

const struct probe_ops probe_dns = {
	.name = "dns",
	.check = RM_CHECK_DNS,
	.job_size = sizeof(struct dns_job),
	.start = dns_start,
};
