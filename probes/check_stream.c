/* The checks that open a TCP connection, three tables over one connect
 * machinery: tcp (did it open, and if not, what said no), cql (does the
 * port speak CQL: OPTIONS, expect SUPPORTED) and identity with nat (ask the
 * responder who it is and whom it saw). Connect mode: a non-blocking
 * connect(), with the ICMP error behind a failure read from the socket's
 * error queue, or from the engine's ICMP socket. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probes/check.h"
#include "probes/cql.h"
#include "probes/icmpsock.h"
#include "probes/packet.h"
#include "probes/responder.h"
#include "probes/sockerr.h"
#include "reachmap/error.h"
#include "reachmap/wire.h"

#define STREAM_ANSWER_MAX 1024 /* bytes of an answer judged, at most */

struct stream_job;
struct talk_job;

/* What one of the three checks does with a connection. */
struct stream_kind {
	enum rm_check check;
	/* The status of a connection that did not open, given the tcp word
	 * for why (refused, filtered, ...). */
	enum rm_check_status (*not_open)(enum rm_check_status tcp);
	/* The connection opened. */
	void (*connected)(struct stream_job *j);
	/* The checks that talk: their request, and their judgement of what
	 * came back so far (true: the job is over). */
	int (*request)(const struct probe_config *cfg, uint8_t *buf, size_t cap, size_t *len);
	bool (*judge)(struct talk_job *j, bool eof);
	enum rm_check_status silent; /* accepted, but no answer */
	const char *silent_why;
};

struct stream_job {
	struct probe_job super;
	const struct stream_kind *kind;
	bool connecting;	/* before its connection opened */
	struct sock_icmp error; /* seen on the engine's ICMP socket */
};

/* cql and identity: what came back so far. */
struct talk_job {
	struct stream_job super;
	size_t nbuf;
	uint8_t buf[STREAM_ANSWER_MAX];
};

/* The tcp words for a connection that did not open (DESIGN.md): RST is
 * refused, ICMP admin-prohibited rejected, other ICMP unreachable, the
 * local kernel's "no route" no-route, silence filtered. */
static enum rm_check_status connect_status(int err, const struct sock_icmp *icmp)
{
	if (icmp->present)
		return sockerr_is_reject(icmp) ? RM_STATUS_REJECTED : RM_STATUS_UNREACHABLE;
	switch (err) {
	case ECONNREFUSED:
		return RM_STATUS_REFUSED;
	case ENETUNREACH:
		return RM_STATUS_NO_ROUTE;
	case EHOSTUNREACH:
	case EHOSTDOWN:
		return RM_STATUS_UNREACHABLE;
	case EACCES:
	case EPERM:
		return RM_STATUS_REJECTED;
	default:
		return RM_STATUS_FILTERED;
	}
}

static void fill_icmp(struct rm_result *r, const struct sock_icmp *icmp)
{
	if (!icmp->present)
		return;
	r->icmp_type = (int16_t)icmp->type;
	r->icmp_code = (int16_t)icmp->code;
	r->icmp_from = icmp->from;
}

/* The connection did not open: err is the errno (0: timed out). */
static void not_connected(struct stream_job *j, int err)
{
	struct sock_icmp icmp;
	enum rm_check_status st;
	struct rm_result *r;
	char why[160];

	sockerr_read(j->super.fd, &icmp);
	if (!icmp.present && j->error.present)
		icmp = j->error;
	j->connecting = false;
	st = err ? connect_status(err, &icmp) : RM_STATUS_FILTERED;
	if (!err && icmp.present)
		st = connect_status(EHOSTUNREACH, &icmp);
	snprintf(why, sizeof(why), "connect: %s", err ? strerror(err) : "no answer");
	if ((r = job_result(&j->super, j->kind->check)) != NULL) {
		r->status = j->kind->not_open(st);
		fill_icmp(r, &icmp);
		if (r->status != RM_STATUS_FILTERED && r->status != RM_STATUS_REFUSED)
			r->error = job_strdup(&j->super, why);
	}
	job_finish(&j->super);
}

static enum rm_check_status tcp_not_open(enum rm_check_status tcp)
{
	return tcp;
}

static enum rm_check_status cql_not_open(enum rm_check_status tcp)
{
	(void)tcp;
	return RM_STATUS_CLOSED;
}

static enum rm_check_status identity_not_open(enum rm_check_status tcp)
{
	(void)tcp;
	return RM_STATUS_NO_RESPONDER;
}

/* CQL (native_protocol_v4.spec 4.2.4): SUPPORTED, or any frame at all,
 * is Cassandra; anything else is not. */
static bool cql_judge(struct talk_job *j, bool eof)
{
	struct probe_job *job = &j->super.super;
	struct cql_answer a;
	struct rm_result *r;
	char why[200];

	cql_classify(j->buf, j->nbuf, &a);
	if (a.verdict == CQL_NEED_MORE && !eof && j->nbuf < sizeof(j->buf))
		return false;
	if ((r = job_result(job, RM_CHECK_CQL)) == NULL)
		return true;
	r->rtt_ms = job_elapsed_ms(job);
	switch (a.verdict) {
	case CQL_SUPPORTED:
		r->status = RM_STATUS_OK;
		r->cql_version = job_strdup(job, a.supported.cql_version);
		r->cql_compression = job_strdup(job, a.supported.compression);
		r->cql_protocols = job_strdup(job, a.supported.protocol_versions);
		break;
	case CQL_ERROR_FRAME:
		/* Cassandra, refusing our OPTIONS: still Cassandra. */
		r->status = RM_STATUS_OK;
		snprintf(why, sizeof(why), "CQL ERROR 0x%04x: %s", a.error_code, a.error_message);
		r->error = job_strdup(job, why);
		break;
	case CQL_OTHER_FRAME:
		r->status = RM_STATUS_OK;
		break;
	case CQL_NEED_MORE:
		r->status = j->nbuf ? RM_STATUS_NOT_CQL : RM_STATUS_CLOSED;
		r->error = j->nbuf ? "the answer ended inside a CQL frame"
				   : "the connection closed without an answer";
		break;
	case CQL_NOT_CQL:
		r->status = RM_STATUS_NOT_CQL;
		r->error = job_strdup(job, a.why);
		break;
	}
	return true;
}

/* The responder's IAM: identity (is it who the topology says) and nat
 * (is the source it saw the one we sent from). */
static bool identity_judge(struct talk_job *j, bool eof)
{
	struct probe_job *job = &j->super.super;
	struct resp_msg m;
	const char *why = NULL;
	int rc = resp_parse(j->buf, j->nbuf, &m, &why);
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct rm_result *r;

	if (rc == RM_ETRUNC && !eof)
		return false;
	if ((r = job_result(job, RM_CHECK_IDENTITY)) == NULL)
		return true;
	r->rtt_ms = job_elapsed_ms(job);
	if (rc != RM_OK || m.kind != RESP_IAM) {
		r->status = RM_STATUS_NO_RESPONDER;
		r->error = rc == RM_ETRUNC ? "the answer ended before its end of line"
			   : why	   ? why
					   : "an answer that is not IAM";
		return true;
	}
	r->responder = job_strdup(job, m.name);
	r->responder_cluster = job_strdup(job, m.cluster);
	r->status = strcmp(m.name, job->dest->name) == 0 ? RM_STATUS_OK : RM_STATUS_MISMATCH;
	if ((r = job_result(job, RM_CHECK_NAT)) == NULL)
		return true;
	r->seen = m.seen;
	if (getsockname(job->fd, (struct sockaddr *)&ss, &sl) == 0)
		wire_from_sockaddr((const struct sockaddr *)&ss, &r->local, NULL);
	r->status = cidr_addr_equal(&r->seen, &r->local) ? RM_STATUS_NONE : RM_STATUS_SNAT;
	return true;
}

static void read_timeout(struct rm_loop *loop, void *arg)
{
	struct talk_job *j = arg;
	const struct stream_kind *kind = j->super.kind;
	struct rm_result *r;

	(void)loop;
	if (j->nbuf > 0) {
		kind->judge(j, true);
	} else if ((r = job_result(arg, kind->check)) != NULL) {
		r->rtt_ms = -1;
		r->status = kind->silent;
		r->error = kind->silent_why;
	}
	job_finish(arg);
}

static void on_readable(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct talk_job *j = arg;
	ssize_t n;

	(void)loop;
	(void)events;
	n = recv(fd, j->buf + j->nbuf, sizeof(j->buf) - j->nbuf, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		j->nbuf += (size_t)n;
	if (j->super.kind->judge(j, n <= 0))
		job_finish(arg);
}

/* tcp: the connection opened, which is all it asks. */
static void tcp_connected(struct stream_job *j)
{
	struct rm_result *r = job_result(&j->super, RM_CHECK_TCP);

	if (r != NULL) {
		r->status = RM_STATUS_OPEN;
		r->rtt_ms = job_elapsed_ms(&j->super);
	}
	job_finish(&j->super);
}

/* cql and identity: send the request, then judge what comes back. */
static void talk_connected(struct stream_job *j)
{
	struct probe_job *job = &j->super;
	uint8_t req[RESP_MAX_LINE];
	size_t len = 0;
	struct rm_result *r;
	int rc = j->kind->request(job_config(job), req, sizeof(req), &len);

	if (rc != RM_OK || send(job->fd, req, len, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)len) {
		if ((r = job_result(job, j->kind->check)) != NULL) {
			r->status = j->kind->not_open(RM_STATUS_FILTERED);
			r->error = "the connection failed while sending the request";
		}
		job_finish(job);
		return;
	}
	if (loop_watch(job_loop(job), job->fd, EPOLLIN, on_readable, j) != RM_OK ||
	    job_timeout_round(job, read_timeout) != RM_OK)
		job_finish(job);
}

static int cql_request(const struct probe_config *cfg, uint8_t *buf, size_t cap, size_t *len)
{
	(void)cfg;
	return cql_build_options(buf, cap, 1, len);
}

static int identity_request(const struct probe_config *cfg, uint8_t *buf, size_t cap, size_t *len)
{
	return resp_build_who((char *)buf, cap, cfg->name, cfg->cluster->name, len);
}

static void on_writable(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct stream_job *j = arg;
	int err = 0;
	socklen_t len = sizeof(err);

	(void)loop;
	(void)events;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0) {
		not_connected(j, err);
		return;
	}
	j->connecting = false;
	j->kind->connected(j);
}

static void connect_timeout(struct rm_loop *loop, void *arg)
{
	(void)loop;
	not_connected(arg, 0);
}

/* An ICMP error answered our SYN: the connection will not open. */
static void stream_on_icmp(struct probe_job *job, const struct pkt_icmp *p)
{
	struct stream_job *j = (struct stream_job *)job;

	if (!j->connecting)
		return;
	j->error = sockerr_of_packet(p);
	not_connected(j, EHOSTUNREACH);
}

static int stream_start(struct stream_job *j, const struct stream_kind *kind)
{
	struct probe_job *job = &j->super;
	struct sockaddr_storage ss;
	socklen_t sl = wire_to_sockaddr(&job->dest->address, job->port, &ss);
	struct rm_result *r;

	j->kind = kind;
	job->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (job->fd < 0) {
		if ((r = job_result(job, kind->check)) != NULL) {
			r->status = kind->not_open(RM_STATUS_FILTERED);
			r->error = job_strdup(job, strerror(errno));
		}
		job_finish(job);
		return RM_OK;
	}
	sockerr_enable(job->fd, job->dest->address.family);
	if (connect(job->fd, (struct sockaddr *)&ss, sl) == 0) {
		kind->connected(j);
		return RM_OK;
	}
	if (errno != EINPROGRESS) {
		not_connected(j, errno);
		return RM_OK;
	}
	j->connecting = true;
	job->sport = icmpsock_claim_fd(job_icmp(job), job->fd, job);
	if (loop_watch(job_loop(job), job->fd, EPOLLOUT, on_writable, j) != RM_OK)
		return RM_ENOMEM;
	return job_timeout_round(job, connect_timeout);
}

static const struct stream_kind tcp_kind = {
	.check = RM_CHECK_TCP,
	.not_open = tcp_not_open,
	.connected = tcp_connected,
};

static const struct stream_kind cql_kind = {
	.check = RM_CHECK_CQL,
	.not_open = cql_not_open,
	.connected = talk_connected,
	.request = cql_request,
	.judge = cql_judge,
	.silent = RM_STATUS_NOT_CQL,
	.silent_why = "the port accepted but sent no answer to OPTIONS",
};

static const struct stream_kind identity_kind = {
	.check = RM_CHECK_IDENTITY,
	.not_open = identity_not_open,
	.connected = talk_connected,
	.request = identity_request,
	.judge = identity_judge,
	.silent = RM_STATUS_NO_RESPONDER,
	.silent_why = "the port accepted but sent no answer to WHO",
};

static int tcp_start(struct probe_job *job)
{
	return stream_start((struct stream_job *)job, &tcp_kind);
}

static int cql_start(struct probe_job *job)
{
	return stream_start((struct stream_job *)job, &cql_kind);
}

static int identity_start(struct probe_job *job)
{
	return stream_start((struct stream_job *)job, &identity_kind);
}

const struct probe_ops probe_tcp = {
	.name = "tcp",
	.check = RM_CHECK_TCP,
	.job_size = sizeof(struct stream_job),
	.start = tcp_start,
	.on_icmp = stream_on_icmp,
};

const struct probe_ops probe_cql = {
	.name = "cql",
	.check = RM_CHECK_CQL,
	.job_size = sizeof(struct talk_job),
	.start = cql_start,
	.on_icmp = stream_on_icmp,
};

/* One connection answers both identity and nat. */
const struct probe_ops probe_identity = {
	.name = "identity",
	.check = RM_CHECK_IDENTITY,
	.job_size = sizeof(struct talk_job),
	.start = identity_start,
	.on_icmp = stream_on_icmp,
};
