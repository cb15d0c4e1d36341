#include "probes/sockerr.h"

#include <time.h>

#include <linux/errqueue.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "probes/packet.h"
#include "reachmap/error.h"
#include "reachmap/wire.h"

struct sock_icmp sockerr_of_packet(const struct pkt_icmp *p)
{
	return (struct sock_icmp){ .present = true,
				   .family = p->src.family,
				   .type = p->type,
				   .code = p->code,
				   .info = p->mtu,
				   .from = p->src };
}

bool sockerr_is_reject(const struct sock_icmp *e)
{
	return e->present &&
	       pkt_icmp_is_reject((enum rm_family)e->family, (uint8_t)e->type, (uint8_t)e->code);
}

int sockerr_enable(int fd, int family)
{
	int one = 1;

	if (family == RM_AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &one, sizeof(one)) ? RM_ESYS
										     : RM_OK;
	return setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one)) ? RM_ESYS : RM_OK;
}

void sockerr_read(int fd, struct sock_icmp *out)
{
	uint8_t data[64];

	sockerr_read_data(fd, out, data, sizeof(data));
}

int sockerr_read_data(int fd, struct sock_icmp *out, uint8_t *data, size_t cap)
{
	union {
		char buf[512];
		struct cmsghdr align;
	} ctrl;
	struct iovec iov = { data, cap };
	struct msghdr msg = { 0 };
	struct cmsghdr *c;

	memset(out, 0, sizeof(*out));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctrl.buf;
	msg.msg_controllen = sizeof(ctrl.buf);
	ssize_t n = recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);

	if (n < 0)
		return -1;
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		const struct sock_extended_err *ee;
		const struct sockaddr *sa;

		if (!((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
		      (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)))
			continue;
		if (c->cmsg_len < CMSG_LEN(sizeof(*ee)))
			continue;
		ee = (const struct sock_extended_err *)CMSG_DATA(c);
		if (ee->ee_origin != SO_EE_ORIGIN_ICMP && ee->ee_origin != SO_EE_ORIGIN_ICMP6)
			continue;
		out->present = true;
		out->family = ee->ee_origin == SO_EE_ORIGIN_ICMP6 ? RM_AF_INET6 : RM_AF_INET;
		out->type = ee->ee_type;
		out->code = ee->ee_code;
		out->info = ee->ee_info;
		/* The offender's address follows the extended error. */
		if (c->cmsg_len >= CMSG_LEN(sizeof(*ee) + sizeof(struct sockaddr_in))) {
			sa = SO_EE_OFFENDER(ee);
			if (sa->sa_family == AF_INET ||
			    c->cmsg_len >= CMSG_LEN(sizeof(*ee) + sizeof(struct sockaddr_in6)))
				wire_from_sockaddr(sa, &out->from, NULL);
		}
		return (int)n;
	}
	return (int)n;
}
