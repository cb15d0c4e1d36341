/* The collector's HTTP front over libmicrohttpd: epoll threads move bytes
 * and answer light routes; HTTP_HEAVY routes go to worker threads while
 * their connection is suspended. Every request passes the same gates in
 * the same order before a handler sees it: route (404, 405), token (401),
 * readiness (503), body headers (415, 413), body (413, 503, 400). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "collector/http_int.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/wire.h"

/* File descriptors kept for everything that is not a client connection:
 * the store, logs, epoll and pipe descriptors of each thread. */
#define FD_RESERVE 128

/* Bytes of a refused body read and dropped so its client can still read
 * the answer; past them the connection is closed. */
#define DISCARD_MAX ((size_t)16 << 20)

static double since_s(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

const char *http_query(const struct http_req *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

/* The bytes a client chooses (path, method) written into a log line: no
 * space, quote or control character can forge a field or a line. */
static void log_safe(const char *in, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t w = 0;

	for (; *in != '\0' && w + 4 < cap; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch > 0x20 && ch < 0x7f && ch != '"' && ch != '%') {
			out[w++] = (char)ch;
			continue;
		}
		out[w++] = '%';
		out[w++] = hex[ch >> 4];
		out[w++] = hex[ch & 15];
	}
	out[w] = '\0';
}

static void log_request(const struct http_conn *c, const struct http_resp *r)
{
	FILE *log = c->s->o.log;
	char ts[40], method[40], path[300];
	struct timespec now;
	struct tm tm;

	if (log == NULL || (c->s->o.log_errors_only && c->status > 0 && c->status < 400))
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	log_safe(c->req.method, method, sizeof(method));
	log_safe(c->req.path, path, sizeof(path));
	/* One call per line: stdio locks the stream for each call, so lines
	 * from several threads never interleave. */
	fprintf(log,
		"ts=%s.%03ldZ remote=%s method=%s path=%s status=%d bytes_in=%llu bytes_out=%llu "
		"ms=%.1f%s\n",
		ts, now.tv_nsec / 1000000, c->remote, method, path, c->status,
		(unsigned long long)c->bytes_in, (unsigned long long)c->bytes_out,
		c->elapsed_s * 1000.0, r != NULL ? r->log : "");
	fflush(log);
}

/* Sends r (taking its body) with the headers the gates add. */
static enum MHD_Result respond(struct http_conn *c, struct http_resp *r, const char *allow,
			       bool challenge)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;
	char retry[16];

	if (r->status == 0)
		http_resp_error(r, 500, "the handler gave no answer");
	if (r->body != NULL && r->release != NULL) {
		mr = MHD_create_response_from_buffer_with_free_callback_cls(
		    r->len, r->body, r->release, r->release_arg);
		if (mr != NULL) { /* the response gives it back once sent */
			r->body = NULL;
			r->release = NULL;
		}
	} else if (r->body != NULL) {
		mr = MHD_create_response_from_buffer_with_free_callback(r->len, r->body, rm_free);
		if (mr != NULL)
			r->body = NULL; /* the response frees it once sent */
	} else {
		mr = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (mr == NULL)
		return MHD_NO;
	MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE,
				r->content_type != NULL ? r->content_type : "application/json");
	if (r->retry_after_s > 0) {
		snprintf(retry, sizeof(retry), "%u", r->retry_after_s);
		MHD_add_response_header(mr, MHD_HTTP_HEADER_RETRY_AFTER, retry);
	}
	if (allow != NULL)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_ALLOW, allow);
	if (challenge)
		MHD_add_response_header(mr, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	http_deadline_mark(c->s, c->mc, false);
	c->status = r->status;
	c->bytes_out = r->len;
	c->elapsed_s = since_s(&c->t0);
	c->answered = true;
	if (r != &c->resp) {
		memcpy(c->resp.log, r->log, sizeof(c->resp.log));
		http_resp_drop(&c->resp);
	}
	ret = MHD_queue_response(c->mc, (unsigned)r->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

static bool method_matches(const char *route_method, const char *method)
{
	/* libmicrohttpd answers HEAD with a GET's headers and no body. */
	return strcmp(route_method, method) == 0 ||
	       (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

/* 404, or 405 with the methods the path takes in allow; NULL then. */
static const struct http_route *route_find(struct http_conn *c, char *allow, size_t cap)
{
	struct http_server *s = c->s;
	bool known = false;
	size_t i, w = 0;

	for (i = 0; i < s->nroutes; i++) {
		const struct http_route *r = &s->routes[i];

		if (strcmp(r->path, c->req.path) != 0)
			continue;
		c->label = s->m.label_of_route[i];
		if (method_matches(r->method, c->req.method))
			return r;
		known = true;
		w += (size_t)snprintf(allow + w, cap - w, "%s%s%s", w > 0 ? ", " : "", r->method,
				      strcmp(r->method, "GET") == 0 ? ", HEAD" : "");
		if (w >= cap)
			w = cap - 1;
	}
	if (known)
		http_resp_error(&c->early, 405, "%s is not allowed on %s; allowed: %s",
				c->req.method, c->req.path, allow);
	else
		http_resp_error(&c->early, 404, "no such endpoint: %s", c->req.path);
	return NULL;
}

/* Compares every byte of the longer of the two whatever they hold, so the
 * time taken tells nothing of how much of a guess was right. */
static bool token_equal(const char *want, const char *got)
{
	size_t wl = strlen(want), gl = strlen(got), n = wl > gl ? wl : gl, i;
	volatile unsigned char diff = (unsigned char)(wl != gl);

	for (i = 0; i < n; i++) {
		unsigned char a = i < wl ? (unsigned char)want[i] : 0;
		unsigned char b = i < gl ? (unsigned char)got[i] : 0;

		diff |= (unsigned char)(a ^ b);
	}
	return diff == 0;
}

static bool authorized(struct http_conn *c)
{
	const char *token = c->s->o.token;
	const char *h;

	if (token == NULL || (c->route->flags & HTTP_PUBLIC))
		return true;
	h = MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
		http_resp_error(&c->early, 401,
				"this endpoint needs a bearer token (Authorization: Bearer TOKEN)");
	} else {
		h += 7;
		while (*h == ' ')
			h++;
		if (token_equal(token, h))
			return true;
		http_resp_error(&c->early, 401, "the bearer token is not the collector's");
	}
	http_metrics_refused(&c->s->m, HTTP_REFUSED_AUTH);
	return false;
}

/* The gates that need only the headers; false when c->early is the
 * answer, to be sent before any of the body is read. */
static bool first_gates(struct http_conn *c, char *allow, size_t cap, bool *challenge)
{
	c->route = route_find(c, allow, cap);
	if (c->route == NULL)
		return false;
	if (!authorized(c)) {
		*challenge = true;
		return false;
	}
	if ((c->route->flags & HTTP_NEEDS_READY) && !atomic_load(&c->s->ready)) {
		http_resp_error(&c->early, 503, "the store is not ready yet");
		c->early.retry_after_s = 1;
		return false;
	}
	return http_body_admit(c);
}

static struct http_conn *conn_new(struct http_server *s, struct MHD_Connection *mc, const char *url,
				  const char *method)
{
	const union MHD_ConnectionInfo *ci;
	struct http_conn *c = rm_calloc(1, sizeof(*c));
	struct timespec now;
	struct rm_addr a;
	uint16_t port;

	if (c == NULL)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	clock_gettime(CLOCK_REALTIME, &now);
	c->s = s;
	c->mc = mc;
	c->label = s->m.nlabels - 1;
	c->req.method = method;
	c->req.path = url;
	c->req.remote = c->remote;
	c->req.body = c->req.raw = "";
	c->req.arrived_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	c->req.conn = mc;
	snprintf(c->remote, sizeof(c->remote), "unknown");
	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && wire_from_sockaddr(ci->client_addr, &a, &port) == 0) {
		char ip[RM_ADDR_STRLEN];

		cidr_addr_format(&a, ip, sizeof(ip));
		snprintf(c->remote, sizeof(c->remote),
			 a.family == RM_AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port);
	}
	return c;
}

/* A HEAVY request goes to the workers, its connection suspended until one
 * has answered; a full queue is refused at once. */
static enum MHD_Result dispatch(struct http_conn *c)
{
	struct http_server *s = c->s;

	http_deadline_mark(s, c->mc, false); /* it is in: a worker may take a while */
	pthread_mutex_lock(&s->qlock);
	if (s->stopping || s->qlen >= s->o.queue) {
		pthread_mutex_unlock(&s->qlock);
		http_metrics_refused(&s->m, HTTP_REFUSED_QUEUE);
		http_resp_error(&c->early, 503, "too many requests wait for a worker; retry later");
		c->early.retry_after_s = 1;
		return respond(c, &c->early, NULL, false);
	}
	/* Suspended before a worker can see it, so its resume never comes
	 * first. */
	MHD_suspend_connection(c->mc);
	c->queued_worker = true;
	if (s->qtail != NULL)
		s->qtail->next = c;
	else
		s->qhead = c;
	s->qtail = c;
	s->qlen++;
	pthread_cond_signal(&s->qcond);
	pthread_mutex_unlock(&s->qlock);
	return MHD_YES;
}

static void *worker_main(void *arg)
{
	struct http_server *s = arg;

	/* Below the epoll threads: when the CPUs are short, /healthz and the
	 * bytes of other requests go first, the heavy work waits. */
	setpriority(PRIO_PROCESS, (id_t)gettid(), 5);
	for (;;) {
		struct http_conn *c;

		pthread_mutex_lock(&s->qlock);
		while (s->qhead == NULL && !s->stopping)
			pthread_cond_wait(&s->qcond, &s->qlock);
		c = s->qhead;
		if (c == NULL) {
			pthread_mutex_unlock(&s->qlock);
			return NULL;
		}
		s->qhead = c->next;
		if (s->qhead == NULL)
			s->qtail = NULL;
		s->qlen--;
		pthread_mutex_unlock(&s->qlock);
		c->route->fn(s->ctx, &c->req, &c->resp);
		c->worker_done = true;
		MHD_resume_connection(c->mc);
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct http_conn *c = *con_cls;

	(void)version;
	if (c == NULL) {
		char allow[96] = "";
		bool challenge = false;

		c = conn_new(s, mc, url, method);
		if (c == NULL)
			return MHD_NO;
		*con_cls = c;
		if (!first_gates(c, allow, sizeof(allow), &challenge))
			return respond(c, &c->early, c->early.status == 405 ? allow : NULL,
				       challenge);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		c->bytes_in += *upload_data_size;
		atomic_fetch_add(&s->m.received, *upload_data_size);
		http_body_feed(c, upload_data, *upload_data_size);
		*upload_data_size = 0;
		/* libmicrohttpd sends no answer before the body's end once it has
		 * begun (a chunked body that passes the limit): the rest is read
		 * and dropped, up to DISCARD_MAX, then the connection is cut so
		 * an endless body cannot hold it. */
		if (c->early.status != 0 && c->bytes_in > DISCARD_MAX + http_max_body(c))
			return MHD_NO;
		return MHD_YES;
	}
	if (c->worker_done)
		return respond(c, &c->resp, NULL, false);
	if (c->queued_worker)
		return MHD_YES;
	if (!http_body_finish(c))
		return respond(c, &c->early, NULL, false);
	if (c->route->flags & HTTP_HEAVY)
		return dispatch(c);
	c->route->fn(s->ctx, &c->req, &c->resp);
	return respond(c, &c->resp, NULL, false);
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct http_conn *c = *con_cls;

	(void)toe;
	/* Done with this request: the next must come whole within the
	 * deadline too. */
	http_deadline_mark(s, mc, true);
	if (c == NULL)
		return;
	if (c->answered)
		http_metrics_record(&s->m, c->label, c->status, c->elapsed_s);
	else
		c->elapsed_s = since_s(&c->t0);
	log_request(c, &c->resp);
	http_body_release(c);
	http_resp_drop(&c->resp);
	http_resp_drop(&c->early);
	rm_free(c);
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *s = cls;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		atomic_fetch_add(&s->conns, 1);
		http_deadline_open(s, mc, socket_context);
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		atomic_fetch_sub(&s->conns, 1);
		http_deadline_close(s, socket_context);
	}
}

/* Refuses connections past the limit here, where they can be counted;
 * libmicrohttpd's own limit stays behind it as a backstop. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	struct http_server *s = cls;

	(void)addr;
	(void)addrlen;
	if (atomic_load(&s->conns) >= s->max_conns) {
		http_metrics_refused(&s->m, HTTP_REFUSED_CONNECTIONS);
		return MHD_NO;
	}
	return MHD_YES;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server *s = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	if (atomic_load(&s->starting))
		memcpy(s->start_error, msg, n + 1);
	else if (s->o.log != NULL && !s->o.log_errors_only)
		fprintf(s->o.log, "level=warning msg=\"libmicrohttpd: %s\"\n", msg);
}

static int parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *sl,
			struct rm_diag *d)
{
	char host[RM_ADDR_STRLEN + 2];
	const char *colon, *p;
	struct rm_addr a;
	unsigned long port = 0;
	size_t hl;

	if (spec[0] == '[') {
		colon = strchr(spec, ']');
		if (colon == NULL || colon[1] != ':')
			goto bad;
		p = spec + 1;
		hl = (size_t)(colon - p);
		colon++;
	} else {
		colon = strrchr(spec, ':');
		if (colon == NULL)
			goto bad;
		p = spec;
		hl = (size_t)(colon - p);
	}
	if (hl == 0 || hl >= sizeof(host) || colon[1] == '\0' || strlen(colon + 1) > 5)
		goto bad;
	memcpy(host, p, hl);
	host[hl] = '\0';
	for (p = colon + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		port = port * 10 + (unsigned long)(*p - '0');
	}
	/* An IPv6 address without brackets would make its port ambiguous. */
	if (port > 65535 || cidr_addr_parse(host, &a) != 0 ||
	    (a.family == RM_AF_INET6) != (spec[0] == '['))
		goto bad;
	*sl = wire_to_sockaddr(&a, (uint16_t)port, ss);
	return 0;
bad:
	rm_diag_error(d, "listen address %s: expected ADDR:PORT or [IPV6]:PORT", spec);
	return RM_EINVAL;
}

/* The socket is ours, not libmicrohttpd's, so a port that cannot be bound
 * is told apart from TLS material it refuses, with errno's reason. */
static int open_listener(const char *spec, int *fdp, uint16_t *port, struct rm_diag *d)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1, zero = 0, rc;

	rc = parse_listen(spec, &ss, &sl, d);
	if (rc != 0)
		return rc;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		rm_diag_error(d, "listen %s: cannot open a socket: %s", spec, strerror(errno));
		return RM_EIO;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* "[::]:PORT" takes IPv4 clients too, whatever the sysctl says. */
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, SOMAXCONN) != 0) {
		rm_diag_error(d, "listen %s: cannot bind: %s", spec, strerror(errno));
		close(fd);
		return RM_EIO;
	}
	sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	wire_from_sockaddr((struct sockaddr *)&ss, &(struct rm_addr){ 0 }, port);
	*fdp = fd;
	return 0;
}

/* Raises the soft open-file limit to the hard one, then lowers the
 * connection limit to what fits under it. */
static unsigned fit_conns(unsigned want, struct rm_diag *d)
{
	struct rlimit rl;
	rlim_t fit;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return want;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	fit = rl.rlim_cur > 2 * FD_RESERVE ? rl.rlim_cur - FD_RESERVE : rl.rlim_cur / 2;
	if (rl.rlim_cur == RLIM_INFINITY || want <= fit)
		return want;
	rm_diag_warn(d,
		     "connection limit lowered from %u to %llu to fit the open-file limit (%llu)",
		     want, (unsigned long long)fit, (unsigned long long)rl.rlim_cur);
	return (unsigned)fit;
}

static void set_defaults(struct http_opts *o)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (o->max_body == 0)
		o->max_body = 64u << 20;
	if (o->max_buffered == 0)
		o->max_buffered = 4 * o->max_body;
	if (o->max_conns == 0)
		o->max_conns = 4096;
	if (o->timeout_s == 0)
		o->timeout_s = 15;
	if (o->request_timeout_s == 0)
		o->request_timeout_s = 30;
	if (o->threads == 0)
		o->threads = 2;
	if (o->workers == 0)
		o->workers = cpus > 2 ? (unsigned)cpus : 2;
	if (o->queue == 0)
		o->queue = 256;
}

static int start_daemon(struct http_server *s, int fd, struct rm_diag *d)
{
	bool tls = s->o.tls_cert_pem != NULL;
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
			 MHD_ALLOW_SUSPEND_RESUME | (tls ? MHD_USE_TLS : 0);
	struct MHD_OptionItem ops[] = {
		{ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, s },
		{ MHD_OPTION_LISTEN_SOCKET, fd, NULL },
		/* One thread is the daemon's own, not a pool of one. */
		{ s->o.threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_LISTEN_BACKLOG_SIZE,
		  s->o.threads > 1 ? s->o.threads : SOMAXCONN, NULL },
		{ MHD_OPTION_CONNECTION_LIMIT, s->max_conns, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, s->o.timeout_s, NULL },
		{ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s },
		{ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, s },
		{ tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, (void *)s->o.tls_cert_pem },
		{ tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, (void *)s->o.tls_key_pem },
		{ MHD_OPTION_END, 0, NULL },
	};

	atomic_store(&s->starting, true);
	s->d = MHD_start_daemon(flags, 0, on_accept, s, on_request, s, MHD_OPTION_ARRAY, ops,
				MHD_OPTION_END);
	atomic_store(&s->starting, false);
	if (s->d != NULL)
		return 0;
	close(fd);
	if (tls) {
		rm_diag_error(d, "TLS certificate or key rejected: %s",
			      s->start_error[0] ? s->start_error : "libmicrohttpd gave no reason");
		return RM_EINVAL;
	}
	rm_diag_error(d, "cannot start the HTTP server on %s: %s", s->o.listen,
		      s->start_error[0] ? s->start_error : "libmicrohttpd gave no reason");
	return RM_EIO;
}

static int check_tls(const struct http_opts *o, struct rm_diag *d)
{
	if (o->tls_cert_pem == NULL && o->tls_key_pem == NULL)
		return 0;
	if (o->tls_cert_pem == NULL || o->tls_key_pem == NULL) {
		rm_diag_error(d, "TLS needs both a certificate and its key");
		return RM_EINVAL;
	}
	if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		rm_diag_error(d,
			      "this libmicrohttpd was built without TLS; serve plain HTTP behind "
			      "a TLS proxy, or install one built with GnuTLS");
		return RM_EINVAL;
	}
	return 0;
}

static int start_workers(struct http_server *s)
{
	s->workers = rm_calloc(s->o.workers, sizeof(*s->workers));
	if (s->workers == NULL)
		return RM_ENOMEM;
	for (; s->nworkers < s->o.workers; s->nworkers++)
		if (pthread_create(&s->workers[s->nworkers], NULL, worker_main, s) != 0)
			return RM_ESYS;
	return 0;
}

static void stop_workers(struct http_server *s)
{
	size_t i;

	pthread_mutex_lock(&s->qlock);
	s->stopping = true;
	pthread_cond_broadcast(&s->qcond);
	pthread_mutex_unlock(&s->qlock);
	for (i = 0; i < s->nworkers; i++)
		pthread_join(s->workers[i], NULL);
	s->nworkers = 0;
}

static void server_free(struct http_server *s)
{
	http_deadline_stop(s);
	stop_workers(s);
	rm_free(s->workers);
	pthread_mutex_destroy(&s->qlock);
	pthread_cond_destroy(&s->qcond);
	pthread_mutex_destroy(&s->slock);
	pthread_cond_destroy(&s->scond);
	http_metrics_free(&s->m);
	rm_free(s);
}

int http_start(const struct http_opts *o, const struct http_route *routes, size_t nroutes,
	       void *ctx, struct http_server **out, struct rm_diag *d)
{
	struct http_server *s;
	int fd = -1, rc;

	*out = NULL;
	rc = check_tls(o, d);
	if (rc != 0)
		return rc;
	s = rm_calloc(1, sizeof(*s));
	if (s == NULL)
		return RM_ENOMEM;
	s->o = *o;
	set_defaults(&s->o);
	s->routes = routes;
	s->nroutes = nroutes;
	s->ctx = ctx;
	pthread_mutex_init(&s->qlock, NULL);
	pthread_cond_init(&s->qcond, NULL);
	pthread_mutex_init(&s->slock, NULL);
	pthread_cond_init(&s->scond, NULL);
	s->max_conns = fit_conns(s->o.max_conns, d);
	rc = http_metrics_init(&s->m, routes, nroutes);
	if (rc == 0)
		rc = start_workers(s);
	if (rc == 0)
		rc = http_deadline_start(s);
	if (rc != 0) {
		rm_diag_error(d, "cannot start the HTTP server: %s", rm_strerror(rc));
		goto fail;
	}
	rc = open_listener(o->listen, &fd, &s->port, d);
	if (rc == 0)
		rc = start_daemon(s, fd, d);
	if (rc != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	server_free(s);
	return rc;
}

uint16_t http_port(const struct http_server *s)
{
	return s->port;
}

void http_set_ready(struct http_server *s, bool ready)
{
	atomic_store(&s->ready, ready);
}

bool http_ready(const struct http_server *s)
{
	return atomic_load(&s->ready);
}

void http_stop(struct http_server *s)
{
	if (s == NULL)
		return;
	/* The workers answer what they hold and resume those connections,
	 * then libmicrohttpd closes them and the listening socket; a request
	 * that comes meanwhile finds the queue stopped (503). Not
	 * MHD_quiesce_daemon: in 0.9.75 it races the pool's threads, which
	 * take the listening socket out of their epoll sets at the connection
	 * limit, and aborts the process ("Failed to remove listen FD from
	 * epoll set", seen in test_http's full queue). */
	stop_workers(s);
	MHD_stop_daemon(s->d);
	server_free(s);
}
