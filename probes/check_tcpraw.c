/* tcp, raw mode (zmap's and nmap -sS's way): a SYN built with libnet (in an
 * IPv4 or IPv6 header, by the destination's family) sent on a raw socket, the answers captured with libpcap through a BPF filter
 * narrow to our flows (SYN-ACK or RST to our source ports), ICMP errors
 * quoting the SYN from the engine's raw ICMP socket. SYN-ACK: open; RST:
 * refused; ICMP admin-prohibited: rejected; other ICMP: unreachable;
 * the local kernel has no route: no-route; silence: filtered. The TTL of
 * the answer is recorded. No connection is ever made: the kernel answers
 * the SYN-ACK with a RST, as it does for nmap. */
#include <errno.h>
#include <libnet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probes/check.h"
#include "probes/icmpsock.h"
#include "probes/packet.h"
#include "probes/sockerr.h"
#include "probes/tcpraw.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"
#include "reachmap/wire.h"

/* Source ports above Linux's ephemeral range (32768-60999), so that no
 * socket of this host owns them. */
#define RAW_PORT_BASE  61000
#define RAW_PORT_COUNT 4500 /* more than the engine runs at once */
/* Linux's initial window: our SYN looks like any other. */
#define RAW_SYN_WINDOW 64240
#define RAW_SYN_TTL    64

struct raw_job {
	struct probe_job super;
	uint32_t seq;		/* our SYN's sequence number */
	struct sock_icmp error; /* an ICMP error quoting our SYN */
	const char *why;	/* the result's error: why no SYN was sent */
};

/* What every raw job of a round shares (probe_ops.open). */
struct rawtcp {
	libnet_t *ln;
	int sendfd, sendfd6; /* IPPROTO_RAW: we write the IP header */
	int errno6;	     /* why sendfd6 is -1 */
	pcap_t *pcap;
	int dlt;
	uint16_t next_port;
	uint64_t rng;
	struct rm_loop *loop;
	bool watched; /* the capture's fd, in loop */
	struct icmp_sock *icmp;
	struct raw_job *owner[RAW_PORT_COUNT]; /* by source port - RAW_PORT_BASE */
};

static uint32_t raw_rand(struct rawtcp *r)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return (uint32_t)(r->rng >> 16);
}

int rawtcp_build_syn(void *ctx, const struct rm_addr *src, const struct rm_addr *dst,
		     uint16_t sport, uint16_t dport, uint32_t seq, uint8_t *out, size_t cap,
		     size_t *len)
{
	libnet_t *ln = ctx;
	uint32_t s, d, size = 0;
	struct libnet_in6_addr s6, d6;
	uint8_t *pkt = NULL;
	libnet_ptag_t ip;

	if (src->family != dst->family)
		return RM_EINVAL;
	libnet_clear_packet(ln);
	if (libnet_build_tcp(sport, dport, seq, 0, TH_SYN, RAW_SYN_WINDOW, 0, 0, LIBNET_TCP_H, NULL,
			     0, ln, 0) == -1)
		return RM_EINVAL;
	if (dst->family == RM_AF_INET6) {
		memcpy(&s6, src->bytes, 16);
		memcpy(&d6, dst->bytes, 16);
		ip = libnet_build_ipv6(0, 0, LIBNET_TCP_H, IPPROTO_TCP, RAW_SYN_TTL, s6, d6, NULL,
				       0, ln, 0);
	} else {
		memcpy(&s, src->bytes, 4);
		memcpy(&d, dst->bytes, 4);
		ip = libnet_build_ipv4(LIBNET_IPV4_H + LIBNET_TCP_H, 0, (uint16_t)(seq & 0xffff), 0,
				       RAW_SYN_TTL, IPPROTO_TCP, 0, s, d, NULL, 0, ln, 0);
	}
	if (ip == -1 || libnet_pblock_coalesce(ln, &pkt, &size) == -1)
		return RM_EINVAL;
	if (size > cap) {
		libnet_adv_free_packet(ln, pkt);
		return RM_ETRUNC;
	}
	memcpy(out, pkt, size);
	*len = size;
	/* libnet_pblock_coalesce hands over a copy the caller frees. */
	libnet_adv_free_packet(ln, pkt);
	return RM_OK;
}

static struct raw_job **owner_of(struct rawtcp *r, uint16_t sport)
{
	if (sport < RAW_PORT_BASE || sport >= RAW_PORT_BASE + RAW_PORT_COUNT)
		return NULL;
	return &r->owner[sport - RAW_PORT_BASE];
}

static void raw_result(struct raw_job *j, enum rm_check_status st, int ttl)
{
	struct raw_job **owner = owner_of(job_shared(&j->super), j->super.sport);
	struct rm_result *r = job_result(&j->super, RM_CHECK_TCP);

	if (owner != NULL && *owner == j)
		*owner = NULL;
	if (r != NULL) {
		r->status = st;
		if (st == RM_STATUS_OPEN || st == RM_STATUS_REFUSED)
			r->rtt_ms = job_elapsed_ms(&j->super);
		if (ttl >= 0)
			r->answer_ttl = (uint8_t)ttl;
		r->error = j->why;
		if (j->error.present) {
			r->icmp_type = (int16_t)j->error.type;
			r->icmp_code = (int16_t)j->error.code;
			r->icmp_from = j->error.from;
		}
	}
	job_finish(&j->super);
}

static void raw_on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct rawtcp *r = (struct rawtcp *)user;
	struct pkt_tcp t;
	struct raw_job **owner, *j;

	/* A malformed capture is noise, never an end. */
	if (pkt_parse_tcp_frame(bytes, h->caplen, r->dlt, &t) != RM_OK ||
	    (owner = owner_of(r, t.dport)) == NULL || (j = *owner) == NULL)
		return;
	if (j->super.finished || t.sport != j->super.port ||
	    !cidr_addr_equal(&t.src, &j->super.dest->address) || t.ack != j->seq + 1)
		return;
	if ((t.flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK))
		raw_result(j, RM_STATUS_OPEN, t.ttl);
	else if (t.flags & TH_RST)
		raw_result(j, RM_STATUS_REFUSED, t.ttl);
}

static void raw_readable(struct rm_loop *loop, int fd, uint32_t events, void *arg)
{
	struct rawtcp *r = arg;

	(void)loop;
	(void)fd;
	(void)events;
	pcap_dispatch(r->pcap, 256, raw_on_packet, (u_char *)r);
}

static void raw_close(struct probe_engine *e, void *shared)
{
	struct rawtcp *r = shared;

	(void)e;
	if (r == NULL)
		return;
	if (r->pcap != NULL) {
		if (r->watched)
			loop_unwatch(r->loop, pcap_get_selectable_fd(r->pcap));
		pcap_close(r->pcap);
	}
	if (r->sendfd >= 0)
		close(r->sendfd);
	if (r->sendfd6 >= 0)
		close(r->sendfd6);
	if (r->ln != NULL)
		libnet_destroy(r->ln);
	rm_free(r);
}

/* The capture of SYN-ACKs and RSTs to our source ports, watched in the
 * loop. 0, or RM_ESYS with the reason in d. */
static int open_capture(struct rawtcp *r, struct rm_diag *d)
{
	char ebuf[PCAP_ERRBUF_SIZE];
	struct bpf_program prog;
	char filter[320];
	int fd;

	r->pcap = pcap_create("any", ebuf);
	if (r->pcap == NULL || pcap_set_snaplen(r->pcap, 128) != 0 ||
	    pcap_set_immediate_mode(r->pcap, 1) != 0 ||
	    pcap_set_buffer_size(r->pcap, 8 << 20) != 0 || pcap_activate(r->pcap) < 0) {
		rm_diag_error(d, "raw mode: libpcap: %s", r->pcap ? pcap_geterr(r->pcap) : ebuf);
		return RM_ESYS;
	}
	r->dlt = pcap_datalink(r->pcap);
	/* libpcap's tcp[] reads IPv4 only: over IPv6 the flags are at a fixed
	 * offset past a header without extensions. */
	snprintf(filter, sizeof(filter),
		 "tcp and dst portrange %u-%u and ((tcp[13] & 0x06 != 0) or "
		 "(ip6 and ip6[53] & 0x06 != 0))",
		 RAW_PORT_BASE, RAW_PORT_BASE + RAW_PORT_COUNT - 1);
	if (pcap_compile(r->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(r->pcap, &prog) != 0) {
		rm_diag_error(d, "raw mode: libpcap filter: %s", pcap_geterr(r->pcap));
		return RM_ESYS;
	}
	pcap_freecode(&prog);
	if (pcap_setnonblock(r->pcap, 1, ebuf) != 0 || (fd = pcap_get_selectable_fd(r->pcap)) < 0 ||
	    loop_watch(r->loop, fd, EPOLLIN, raw_readable, r) != RM_OK) {
		rm_diag_error(d, "raw mode: libpcap: no selectable descriptor");
		return RM_ESYS;
	}
	r->watched = true;
	return RM_OK;
}

/* Once per round: the send socket and the capture; RM_ESYS with the reason
 * in d when there are none (no CAP_NET_RAW, no libpcap device). */
static int raw_open(struct probe_engine *e, void **shared, struct rm_diag *d)
{
	char ebuf[LIBNET_ERRBUF_SIZE];
	struct rawtcp *r = rm_calloc(1, sizeof(*r));

	if (r == NULL) {
		rm_diag_error(d, "raw mode: out of memory");
		return RM_ENOMEM;
	}
	*shared = r;
	r->sendfd = r->sendfd6 = -1;
	r->icmp = engine_icmp(e);
	r->rng = (uint64_t)getpid() * UINT64_C(0x9e3779b97f4a7c15) ^ loop_clock();
	r->next_port = (uint16_t)(raw_rand(r) % RAW_PORT_COUNT);
	r->ln = libnet_init(LIBNET_NONE, NULL, ebuf);
	if (r->ln == NULL) {
		rm_diag_error(d, "raw mode: libnet: %s", ebuf);
		return RM_ESYS;
	}
	r->sendfd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);
	if (r->sendfd < 0) {
		rm_diag_error(d, "raw mode: raw socket: %s (raw mode needs CAP_NET_RAW)",
			      strerror(errno));
		return RM_ESYS;
	}
	/* A host without IPv6 still probes IPv4; its IPv6 jobs say why not. */
	r->sendfd6 = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);
	if (r->sendfd6 < 0)
		r->errno6 = errno;
	r->loop = engine_loop(e);
	return open_capture(r, d);
}

static void raw_timeout(struct rm_loop *loop, void *arg)
{
	(void)loop;
	raw_result(arg, RM_STATUS_FILTERED, -1);
}

static void raw_on_icmp(struct probe_job *job, const struct pkt_icmp *p)
{
	struct raw_job *j = (struct raw_job *)job;

	j->error = sockerr_of_packet(p);
	raw_result(j, sockerr_is_reject(&j->error) ? RM_STATUS_REJECTED : RM_STATUS_UNREACHABLE,
		   -1);
}

/* The local address the kernel would send from to dst. */
static int source_for(const struct rm_addr *dst, struct rm_addr *src)
{
	struct sockaddr_storage ss;
	socklen_t sl = wire_to_sockaddr(dst, 9, &ss);
	int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    wire_from_sockaddr((struct sockaddr *)&ss, src, NULL) == RM_OK)
		rc = 0;
	else
		rc = -errno;
	close(fd);
	return rc;
}

/* A free source port of our range, claimed for j; 0 when none is. */
static uint16_t claim_port(struct rawtcp *r, struct raw_job *j)
{
	unsigned tries;

	for (tries = 0; tries < RAW_PORT_COUNT; tries++) {
		uint16_t p = (uint16_t)(RAW_PORT_BASE + r->next_port);

		r->next_port = (uint16_t)((r->next_port + 1) % RAW_PORT_COUNT);
		if (*owner_of(r, p) == NULL && icmpsock_port_owner(r->icmp, p) == NULL) {
			*owner_of(r, p) = j;
			icmpsock_claim_port(r->icmp, p, &j->super);
			return p;
		}
	}
	return 0;
}

static int raw_start(struct probe_job *job)
{
	struct raw_job *j = (struct raw_job *)job;
	struct rawtcp *r = job_shared(job);
	struct sockaddr_storage ss;
	socklen_t sl;
	struct rm_addr src;
	uint8_t pkt[80];
	size_t len;
	int rc, fd = job->dest->address.family == RM_AF_INET6 ? r->sendfd6 : r->sendfd;
	char why[160];

	if (fd < 0) {
		/* Said, never left out: the job's result carries the reason. */
		snprintf(why, sizeof(why), "raw mode cannot send IPv6 here: raw socket: %s",
			 strerror(r->errno6));
		j->why = job_strdup(job, why);
		raw_result(j, RM_STATUS_FILTERED, -1);
		return RM_OK;
	}
	rc = source_for(&job->dest->address, &src);
	if (rc != 0) {
		raw_result(j, rc == -ENETUNREACH ? RM_STATUS_NO_ROUTE : RM_STATUS_UNREACHABLE, -1);
		return RM_OK;
	}
	if ((job->sport = claim_port(r, j)) == 0) {
		raw_result(j, RM_STATUS_FILTERED, -1);
		return RM_OK;
	}
	j->seq = raw_rand(r);
	if (rawtcp_build_syn(r->ln, &src, &job->dest->address, job->sport, job->port, j->seq, pkt,
			     sizeof(pkt), &len) != RM_OK) {
		raw_result(j, RM_STATUS_FILTERED, -1);
		return RM_OK;
	}
	sl = wire_to_sockaddr(&job->dest->address, 0, &ss);
	if (sendto(fd, pkt, len, 0, (struct sockaddr *)&ss, sl) < 0) {
		raw_result(j, errno == ENETUNREACH ? RM_STATUS_NO_ROUTE : RM_STATUS_FILTERED, -1);
		return RM_OK;
	}
	return job_timeout_round(job, raw_timeout);
}

const struct probe_ops probe_tcp_raw = {
	.name = "tcp",
	.check = RM_CHECK_TCP,
	.mode_raw = true,
	.job_size = sizeof(struct raw_job),
	.open = raw_open,
	.close = raw_close,
	.start = raw_start,
	.on_icmp = raw_on_icmp,
};
