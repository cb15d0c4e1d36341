/* The checks that open a TCP connection: tcp (did it open, and if not, what
 * said no), cql (does the port speak CQL: OPTIONS, expect SUPPORTED) and
 * identity with nat (ask the responder who it is and whom it saw). Connect
 * mode: a non-blocking connect(), with the ICMP error behind a failure read
 * from the socket's error queue. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probes/cql.h"
#include "probes/engine.h"
#include "probes/packet.h"
#include "probes/responder.h"
#include "probes/sockerr.h"
#include "reachmap/error.h"

static socklen_t to_sockaddr(const struct rm_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == RM_AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->bytes, 16);
		return sizeof(*s6);
	}
	{
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a->bytes, 4);
		return sizeof(*s4);
	}
}

static void from_sockaddr(const struct sockaddr_storage *ss, struct rm_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET6) {
		a->family = RM_AF_INET6;
		memcpy(a->bytes, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	} else if (ss->ss_family == AF_INET) {
		a->family = RM_AF_INET;
		memcpy(a->bytes, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	}
}

/* The tcp words for a connection that did not open (DESIGN.md): RST is
 * refused, ICMP admin-prohibited rejected, other ICMP unreachable, the
 * local kernel's "no route" no-route, silence filtered. */
static enum rm_check_status connect_status(int err, const struct sock_icmp *icmp)
{
	if (icmp->present)
		return pkt_icmp_is_reject((uint8_t)icmp->type, (uint8_t)icmp->code)
			   ? RM_STATUS_REJECTED
			   : RM_STATUS_UNREACHABLE;
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
static void not_connected(struct probe_job *j, int err)
{
	struct sock_icmp icmp;
	enum rm_check_status st;
	struct rm_result *r;
	char why[160];

	sockerr_read(j->fd, &icmp);
	if (!icmp.present && j->icmp_type >= 0) {
		/* Seen on the engine's raw socket instead. */
		icmp.present = true;
		icmp.type = j->icmp_type;
		icmp.code = j->icmp_code;
		icmp.from = j->icmp_from;
	}
	j->connecting = false;
	st = err ? connect_status(err, &icmp) : RM_STATUS_FILTERED;
	if (!err && icmp.present)
		st = connect_status(EHOSTUNREACH, &icmp);
	snprintf(why, sizeof(why), "connect: %s", err ? strerror(err) : "no answer");
	switch (j->ops->check) {
	case RM_CHECK_TCP:
		r = job_result(j, RM_CHECK_TCP);
		if (r != NULL) {
			r->status = st;
			fill_icmp(r, &icmp);
			if (st != RM_STATUS_FILTERED && st != RM_STATUS_REFUSED)
				r->error = job_strdup(j, why);
		}
		break;
	case RM_CHECK_CQL:
		r = job_result(j, RM_CHECK_CQL);
		if (r != NULL) {
			r->status = RM_STATUS_CLOSED;
			fill_icmp(r, &icmp);
			r->error = job_strdup(j, why);
		}
		break;
	default:
		r = job_result(j, RM_CHECK_IDENTITY);
		if (r != NULL) {
			r->status = RM_STATUS_NO_RESPONDER;
			fill_icmp(r, &icmp);
			r->error = job_strdup(j, why);
		}
		break;
	}
	job_finish(j);
}

/* What came back so far, judged: true when the job is over. */
static bool judge(struct probe_job *j, bool eof)
{
	struct rm_result *r;

	if (j->ops->check == RM_CHECK_CQL) {
		struct cql_answer a;

		cql_classify(j->buf, j->nbuf, &a);
		if (a.verdict == CQL_NEED_MORE && !eof && j->nbuf < sizeof(j->buf))
			return false;
		if ((r = job_result(j, RM_CHECK_CQL)) == NULL)
			return true;
		r->rtt_ms = job_elapsed_ms(j);
		switch (a.verdict) {
		case CQL_SUPPORTED:
			r->status = RM_STATUS_OK;
			r->cql_version = job_strdup(j, a.supported.cql_version);
			r->cql_compression = job_strdup(j, a.supported.compression);
			r->cql_protocols = job_strdup(j, a.supported.protocol_versions);
			break;
		case CQL_ERROR_FRAME: {
			char why[200];

			/* Cassandra, refusing our OPTIONS: still Cassandra. */
			r->status = RM_STATUS_OK;
			snprintf(why, sizeof(why), "CQL ERROR 0x%04x: %s", a.error_code,
				 a.error_message);
			r->error = job_strdup(j, why);
			break;
		}
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
			r->error = job_strdup(j, a.why);
			break;
		}
		return true;
	}

	/* identity and nat */
	{
		struct resp_msg m;
		const char *why = NULL;
		int rc = resp_parse(j->buf, j->nbuf, &m, &why);
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);

		if (rc == RM_ETRUNC && !eof)
			return false;
		if ((r = job_result(j, RM_CHECK_IDENTITY)) == NULL)
			return true;
		r->rtt_ms = job_elapsed_ms(j);
		if (rc != RM_OK || m.kind != RESP_IAM) {
			r->status = RM_STATUS_NO_RESPONDER;
			r->error = rc == RM_ETRUNC ? "the answer ended before its end of line"
				   : why	   ? why
						   : "an answer that is not IAM";
			return true;
		}
		r->responder = job_strdup(j, m.name);
		r->responder_cluster = job_strdup(j, m.cluster);
		r->status = strcmp(m.name, j->dest->name) == 0 ? RM_STATUS_OK : RM_STATUS_MISMATCH;
		if ((r = job_result(j, RM_CHECK_NAT)) == NULL)
			return true;
		r->seen = m.seen;
		if (getsockname(j->fd, (struct sockaddr *)&ss, &sl) == 0)
			from_sockaddr(&ss, &r->local);
		r->status = cidr_addr_equal(&r->seen, &r->local) ? RM_STATUS_NONE : RM_STATUS_SNAT;
		return true;
	}
}

static void read_timeout(struct rm_loop *loop, void *arg)
{
	struct probe_job *j = arg;
	struct rm_result *r;

	(void)loop;
	if (j->nbuf > 0) {
		judge(j, true);
	} else if ((r = job_result(j, j->ops->check)) != NULL) {
		r->rtt_ms = -1;
		if (j->ops->check == RM_CHECK_CQL) {
			r->status = RM_STATUS_NOT_CQL;
			r->error = "the port accepted but sent no answer to OPTIONS";
		} else {
			r->status = RM_STATUS_NO_RESPONDER;
			r->error = "the port accepted but sent no answer to WHO";
		}
	}
	job_finish(j);
}

static void on_readable(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct probe_job *j = arg;
	ssize_t n;

	(void)loop;
	(void)events;
	n = recv(fd, j->buf + j->nbuf, sizeof(j->buf) - j->nbuf, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		j->nbuf += (size_t)n;
	if (judge(j, n <= 0))
		job_finish(j);
}

static void connected(struct probe_job *j)
{
	j->connecting = false;
	const struct probe_config *cfg = job_config(j);
	uint8_t req[RESP_MAX_LINE];
	size_t len = 0;
	struct rm_result *r;
	int rc;

	if (j->ops->check == RM_CHECK_TCP) {
		if ((r = job_result(j, RM_CHECK_TCP)) != NULL) {
			r->status = RM_STATUS_OPEN;
			r->rtt_ms = job_elapsed_ms(j);
		}
		job_finish(j);
		return;
	}
	if (j->ops->check == RM_CHECK_CQL)
		rc = cql_build_options(req, sizeof(req), 1, &len);
	else
		rc = resp_build_who((char *)req, sizeof(req), cfg->name, cfg->cluster->name, &len);
	if (rc != RM_OK || send(j->fd, req, len, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)len) {
		if ((r = job_result(j, j->ops->check)) != NULL) {
			r->status = j->ops->check == RM_CHECK_CQL ? RM_STATUS_CLOSED
								  : RM_STATUS_NO_RESPONDER;
			r->error = "the connection failed while sending the request";
		}
		job_finish(j);
		return;
	}
	if (loop_watch(job_loop(j), j->fd, EPOLLIN, on_readable, j) != RM_OK ||
	    job_timeout(j, loop_clock() + (uint64_t)cfg->timeout_ms * 1000000u, read_timeout) !=
		RM_OK)
		job_finish(j);
}

static void on_writable(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct probe_job *j = arg;
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
	connected(j);
}

static void connect_timeout(struct rm_loop *loop, void *arg)
{
	(void)loop;
	not_connected(arg, 0);
}

/* An ICMP error answered our SYN: the connection will not open. */
static void stream_on_icmp(struct probe_job *j, const struct pkt_icmp *p)
{
	if (!j->connecting)
		return;
	j->icmp_type = p->type;
	j->icmp_code = p->code;
	j->icmp_from = p->src;
	not_connected(j, EHOSTUNREACH);
}

static int stream_start(struct probe_job *j)
{
	const struct probe_config *cfg = job_config(j);
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(&j->dest->address, j->port, &ss);
	int family = j->dest->address.family == RM_AF_INET6 ? AF_INET6 : AF_INET;
	struct rm_result *r;

	j->fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (j->fd < 0) {
		if ((r = job_result(j, j->ops->check)) != NULL) {
			r->status = j->ops->check == RM_CHECK_TCP   ? RM_STATUS_FILTERED
				    : j->ops->check == RM_CHECK_CQL ? RM_STATUS_CLOSED
								    : RM_STATUS_NO_RESPONDER;
			r->error = job_strdup(j, strerror(errno));
		}
		job_finish(j);
		return RM_OK;
	}
	sockerr_enable(j->fd, j->dest->address.family);
	if (connect(j->fd, (struct sockaddr *)&ss, sl) == 0) {
		connected(j);
		return RM_OK;
	}
	if (errno != EINPROGRESS) {
		not_connected(j, errno);
		return RM_OK;
	}
	j->connecting = true;
	engine_tcp_claim(j->e, j);
	if (loop_watch(job_loop(j), j->fd, EPOLLOUT, on_writable, j) != RM_OK)
		return RM_ENOMEM;
	return job_timeout(j, loop_clock() + (uint64_t)cfg->timeout_ms * 1000000u, connect_timeout);
}

const struct probe_ops probe_tcp = {
	.name = "tcp",
	.check = RM_CHECK_TCP,
	.start = stream_start,
	.on_icmp = stream_on_icmp,
};

const struct probe_ops probe_cql = {
	.name = "cql",
	.check = RM_CHECK_CQL,
	.start = stream_start,
	.on_icmp = stream_on_icmp,
};

/* One connection answers both identity and nat. */
const struct probe_ops probe_identity = {
	.name = "identity",
	.check = RM_CHECK_IDENTITY,
	.start = stream_start,
	.on_icmp = stream_on_icmp,
};
