/* A whole request's deadline, against slowloris. libmicrohttpd's
 * connection timeout counts idle seconds, and any byte restarts it: a
 * client sending one header byte every few seconds holds a connection for
 * days, and a few thousand such clients hold them all. Here each
 * connection waiting for a request (new, or done with its last one) must
 * have received the whole of the next, headers and body, within
 * request_timeout_s; a sweeper shuts down the ones that have not.
 *
 * The socket is shut down, not closed: libmicrohttpd sees its end and
 * closes it as its own. It says a connection is closed before it closes
 * the descriptor, and the sweeper holds the list's lock while it shuts
 * one down, so a descriptor it names is never one already reused. */
#include <microhttpd.h>
#include <sys/socket.h>
#include <time.h>

#include "collector/http_int.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"

struct http_sock {
	struct http_sock *prev, *next;
	int fd;
	double since; /* when it started waiting for a request */
	bool waiting;
};

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct http_sock *sock_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

void http_deadline_open(struct http_server *s, struct MHD_Connection *mc, void **ctx)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct http_sock *k = rm_calloc(1, sizeof(*k));

	*ctx = k;
	if (k == NULL || ci == NULL)
		return; /* out of memory: this one connection goes unwatched */
	k->fd = ci->connect_fd;
	k->since = mono_s();
	k->waiting = true;
	pthread_mutex_lock(&s->slock);
	k->next = s->socks;
	if (s->socks != NULL)
		s->socks->prev = k;
	s->socks = k;
	pthread_mutex_unlock(&s->slock);
}

void http_deadline_close(struct http_server *s, void **ctx)
{
	struct http_sock *k = *ctx;

	if (k == NULL)
		return;
	pthread_mutex_lock(&s->slock);
	if (k->prev != NULL)
		k->prev->next = k->next;
	else if (s->socks == k)
		s->socks = k->next;
	if (k->next != NULL)
		k->next->prev = k->prev;
	pthread_mutex_unlock(&s->slock);
	rm_free(k);
	*ctx = NULL;
}

void http_deadline_mark(struct http_server *s, struct MHD_Connection *mc, bool waiting)
{
	struct http_sock *k = sock_of(mc);

	if (k == NULL)
		return;
	pthread_mutex_lock(&s->slock);
	k->waiting = waiting;
	k->since = mono_s();
	pthread_mutex_unlock(&s->slock);
}

static void *sweeper_main(void *arg)
{
	struct http_server *s = arg;
	struct timespec until;

	pthread_mutex_lock(&s->slock);
	while (!s->sweeper_stop) {
		double now = mono_s();
		struct http_sock *k;

		for (k = s->socks; k != NULL; k = k->next)
			if (k->waiting && now - k->since > (double)s->o.request_timeout_s) {
				shutdown(k->fd, SHUT_RDWR);
				k->waiting = false;
				http_metrics_refused(&s->m, HTTP_REFUSED_SLOW);
			}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 500000000;
		if (until.tv_nsec >= 1000000000) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&s->scond, &s->slock, &until);
	}
	pthread_mutex_unlock(&s->slock);
	return NULL;
}

int http_deadline_start(struct http_server *s)
{
	if (pthread_create(&s->sweeper, NULL, sweeper_main, s) != 0)
		return RM_ESYS;
	s->sweeping = true;
	return 0;
}

void http_deadline_stop(struct http_server *s)
{
	if (!s->sweeping)
		return;
	pthread_mutex_lock(&s->slock);
	s->sweeper_stop = true;
	pthread_cond_signal(&s->scond);
	pthread_mutex_unlock(&s->slock);
	pthread_join(s->sweeper, NULL);
	s->sweeping = false;
}
