/* dns: c-ares queries (type A) of a destination's DNS name to one DNS server
 * of the source's cluster; the answer judged by dns_classify (probes/dns.c).
 * c-ares's sockets go into the engine's loop (ARES_OPT_SOCK_STATE_CB and
 * ares_process_fd), its timeouts into the loop's timers. */
#include <ares.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "probes/dns.h"
#include "probes/engine.h"
#include "reachmap/error.h"

static void dns_end(struct probe_job *j)
{
	ares_channel ch = j->state;

	j->state = NULL;
	/* Destroying calls back pending queries with ARES_EDESTRUCTION and
	 * the socket callback to close its sockets; both see a job that is
	 * over. */
	if (ch != NULL)
		ares_destroy(ch);
	job_finish(j);
}

static void dns_rearm(struct probe_job *j);

static void on_ares_timer(struct rm_loop *loop, void *arg)
{
	struct probe_job *j = arg;

	(void)loop;
	ares_process_fd(j->state, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	if (j->sent) /* answered */
		dns_end(j);
	else
		dns_rearm(j);
}

static void dns_rearm(struct probe_job *j)
{
	struct timeval tv, *t;

	if (j->state == NULL)
		return;
	t = ares_timeout(j->state, NULL, &tv);
	if (t != NULL)
		job_timeout(j,
			    loop_clock() + (uint64_t)t->tv_sec * 1000000000u +
				(uint64_t)t->tv_usec * 1000u,
			    on_ares_timer);
}

static void on_ares_fd(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct probe_job *j = arg;

	(void)loop;
	ares_process_fd(j->state, (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) ? fd : ARES_SOCKET_BAD,
			(events & EPOLLOUT) ? fd : ARES_SOCKET_BAD);
	if (j->sent)
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
	struct probe_job *j = arg;
	struct dns_verdict v;
	struct rm_result *r;

	(void)timeouts;
	if (status == ARES_EDESTRUCTION || j->sent)
		return;
	j->sent = 1; /* marks the job answered */
	if ((r = job_result(j, RM_CHECK_DNS)) == NULL)
		return;
	dns_classify(status, abuf, alen, &j->dest->address, &v);
	r->status = v.status;
	r->rtt_ms = v.status == RM_STATUS_TIMEOUT ? -1 : job_elapsed_ms(j);
	r->dns_name = j->dest->dns_name;
	r->dns_server = j->server;
	if (v.answers[0])
		r->answers = job_strdup(j, v.answers);
	r->error = v.error;
}

static int dns_start(struct probe_job *j)
{
	const struct probe_config *cfg = job_config(j);
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
		rc = ares_set_servers_csv(ch, cidr_addr_format(&j->server, server, sizeof(server)));
		if (rc != ARES_SUCCESS)
			ares_destroy(ch);
	}
	if (rc != ARES_SUCCESS) {
		if ((r = job_result(j, RM_CHECK_DNS)) != NULL) {
			r->status = RM_STATUS_TIMEOUT;
			r->dns_name = j->dest->dns_name;
			r->dns_server = j->server;
			r->error = job_strdup(j, ares_strerror(rc));
		}
		job_finish(j);
		return rc == ARES_ENOMEM ? RM_ENOMEM : RM_OK;
	}
	j->state = ch;
	ares_query(ch, j->dest->dns_name, 1 /* C_IN */, 1 /* T_A */, on_answer, j);
	if (j->sent)
		dns_end(j);
	else
		dns_rearm(j);
	return RM_OK;
}

const struct probe_ops probe_dns = {
	.name = "dns",
	.check = RM_CHECK_DNS,
	.start = dns_start,
};
