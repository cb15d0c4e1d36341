/* tcp, raw mode (zmap's and nmap -sS's way): a SYN built with libnet sent on
 * a raw socket, the answers captured with libpcap through a BPF filter
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

#include "probes/engine.h"
#include "probes/packet.h"
#include "reachmap/alloc.h"
#include "reachmap/error.h"

/* Source ports above Linux's ephemeral range (32768-60999), so that no
 * socket of this host owns them. */
#define RAW_PORT_BASE  61000
#define RAW_PORT_COUNT 4500 /* more than the engine runs at once */

struct rawtcp {
	libnet_t *ln;
	libnet_ptag_t tcp_tag, ip_tag;
	int sendfd;
	pcap_t *pcap;
	int dlt;
	uint16_t next_port;
	uint64_t rng;
	struct probe_engine *e;
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
		     size_t *len);

/* A SYN (RFC 793) in an IPv4 header (RFC 791), checksums filled, built by
 * libnet into `out`. ctx is a libnet context (LIBNET_NONE: build only). */
int rawtcp_build_syn(void *ctx, const struct rm_addr *src, const struct rm_addr *dst,
		     uint16_t sport, uint16_t dport, uint32_t seq, uint8_t *out, size_t cap,
		     size_t *len)
{
	libnet_t *ln = ctx;
	uint32_t s, d, size = 0;
	uint8_t *pkt = NULL;

	memcpy(&s, src->bytes, 4);
	memcpy(&d, dst->bytes, 4);
	libnet_clear_packet(ln);
	if (libnet_build_tcp(sport, dport, seq, 0, TH_SYN, 64240, 0, 0, LIBNET_TCP_H, NULL, 0, ln,
			     0) == -1 ||
	    libnet_build_ipv4(LIBNET_IPV4_H + LIBNET_TCP_H, 0, (uint16_t)(seq & 0xffff), 0, 64,
			      IPPROTO_TCP, 0, s, d, NULL, 0, ln, 0) == -1 ||
	    libnet_pblock_coalesce(ln, &pkt, &size) == -1)
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

static void raw_result(struct probe_job *j, enum rm_check_status st, int ttl)
{
	struct rm_result *r = job_result(j, RM_CHECK_TCP);

	if (r != NULL) {
		r->status = st;
		if (st == RM_STATUS_OPEN || st == RM_STATUS_REFUSED)
			r->rtt_ms = job_elapsed_ms(j);
		if (ttl >= 0)
			r->answer_ttl = (uint8_t)ttl;
		if (j->icmp_type >= 0) {
			r->icmp_type = (int16_t)j->icmp_type;
			r->icmp_code = (int16_t)j->icmp_code;
			r->icmp_from = j->icmp_from;
		}
	}
	job_finish(j);
}

static void raw_on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct rawtcp *r = (struct rawtcp *)user;
	struct pkt_tcp t;
	struct probe_job *j;

	/* A malformed capture is noise, never an end. */
	if (pkt_parse_tcp_frame(bytes, h->caplen, r->dlt, &t) != RM_OK)
		return;
	j = engine_tcp_owner(r->e, t.dport);
	if (j == NULL || j->finished || j->ops->check != RM_CHECK_TCP || t.sport != j->port ||
	    !cidr_addr_equal(&t.src, &j->dest->address) || t.ack != j->raw_seq + 1)
		return;
	if ((t.flags & 0x12) == 0x12)
		raw_result(j, RM_STATUS_OPEN, t.ttl);
	else if (t.flags & 0x04)
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

/* Opens the send socket and the capture; NULL with a message in err when
 * it cannot (no CAP_NET_RAW, no libpcap device). */
void *rawtcp_open(struct probe_engine *e, struct rm_loop *loop, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE > LIBNET_ERRBUF_SIZE ? PCAP_ERRBUF_SIZE : LIBNET_ERRBUF_SIZE];
	struct bpf_program prog;
	char filter[160];
	struct rawtcp *r = rm_calloc(1, sizeof(*r));
	int fd;

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->e = e;
	r->sendfd = -1;
	r->rng = (uint64_t)getpid() * UINT64_C(0x9e3779b97f4a7c15) ^ loop_clock();
	r->next_port = (uint16_t)(raw_rand(r) % RAW_PORT_COUNT);
	r->ln = libnet_init(LIBNET_NONE, NULL, ebuf);
	if (r->ln == NULL) {
		snprintf(err, errlen, "libnet: %s", ebuf);
		goto fail;
	}
	r->sendfd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);
	if (r->sendfd < 0) {
		snprintf(err, errlen, "raw socket: %s (raw mode needs CAP_NET_RAW)",
			 strerror(errno));
		goto fail;
	}
	r->pcap = pcap_create("any", ebuf);
	if (r->pcap == NULL || pcap_set_snaplen(r->pcap, 128) != 0 ||
	    pcap_set_immediate_mode(r->pcap, 1) != 0 ||
	    pcap_set_buffer_size(r->pcap, 8 << 20) != 0 || pcap_activate(r->pcap) < 0) {
		snprintf(err, errlen, "libpcap: %s", r->pcap ? pcap_geterr(r->pcap) : ebuf);
		goto fail;
	}
	r->dlt = pcap_datalink(r->pcap);
	/* Only SYN-ACKs and RSTs to our source ports. */
	snprintf(filter, sizeof(filter), "tcp and dst portrange %u-%u and (tcp[13] & 0x06 != 0)",
		 RAW_PORT_BASE, RAW_PORT_BASE + RAW_PORT_COUNT - 1);
	if (pcap_compile(r->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
	    pcap_setfilter(r->pcap, &prog) != 0) {
		snprintf(err, errlen, "libpcap filter: %s", pcap_geterr(r->pcap));
		goto fail;
	}
	pcap_freecode(&prog);
	if (pcap_setnonblock(r->pcap, 1, ebuf) != 0 || (fd = pcap_get_selectable_fd(r->pcap)) < 0 ||
	    loop_watch(loop, fd, EPOLLIN, raw_readable, r) != RM_OK) {
		snprintf(err, errlen, "libpcap: no selectable descriptor");
		goto fail;
	}
	return r;
fail:
	rawtcp_close(r, NULL);
	return NULL;
}

void rawtcp_close(void *ctx, struct rm_loop *loop)
{
	struct rawtcp *r = ctx;

	if (r == NULL)
		return;
	if (r->pcap != NULL) {
		if (loop != NULL)
			loop_unwatch(loop, pcap_get_selectable_fd(r->pcap));
		pcap_close(r->pcap);
	}
	if (r->sendfd >= 0)
		close(r->sendfd);
	if (r->ln != NULL)
		libnet_destroy(r->ln);
	rm_free(r);
}

static void raw_timeout(struct rm_loop *loop, void *arg)
{
	struct probe_job *j = arg;

	(void)loop;
	raw_result(j, RM_STATUS_FILTERED, -1);
}

static void raw_on_icmp(struct probe_job *j, const struct pkt_icmp *p)
{
	j->icmp_type = p->type;
	j->icmp_code = p->code;
	j->icmp_from = p->src;
	raw_result(
	    j, pkt_icmp_is_reject(p->type, p->code) ? RM_STATUS_REJECTED : RM_STATUS_UNREACHABLE,
	    -1);
}

/* The local address the kernel would send from to dst. */
static int source_for(const struct rm_addr *dst, struct rm_addr *src)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9) };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	memcpy(&sin.sin_addr, dst->bytes, 4);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == 0) {
		memset(src, 0, sizeof(*src));
		src->family = RM_AF_INET;
		memcpy(src->bytes, &sin.sin_addr, 4);
		rc = 0;
	} else {
		rc = -errno;
	}
	close(fd);
	return rc;
}

static int raw_start(struct probe_job *j)
{
	struct rawtcp *r = engine_raw(j->e);
	const struct probe_config *cfg = job_config(j);
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct rm_addr src;
	uint8_t pkt[64];
	size_t len;
	unsigned tries;
	int rc;

	if (j->dest->address.family != RM_AF_INET) {
		raw_result(j, RM_STATUS_FILTERED, -1);
		return RM_OK;
	}
	rc = source_for(&j->dest->address, &src);
	if (rc == -ENETUNREACH) {
		raw_result(j, RM_STATUS_NO_ROUTE, -1);
		return RM_OK;
	}
	if (rc != 0) {
		raw_result(j, RM_STATUS_UNREACHABLE, -1);
		return RM_OK;
	}
	/* A free source port of our range. */
	for (tries = 0; tries < RAW_PORT_COUNT; tries++) {
		uint16_t p = (uint16_t)(RAW_PORT_BASE + r->next_port);

		r->next_port = (uint16_t)((r->next_port + 1) % RAW_PORT_COUNT);
		if (engine_tcp_owner(j->e, p) == NULL) {
			j->sport = p;
			break;
		}
	}
	if (j->sport == 0) {
		raw_result(j, RM_STATUS_FILTERED, -1);
		return RM_OK;
	}
	j->raw_seq = raw_rand(r);
	if (rawtcp_build_syn(r->ln, &src, &j->dest->address, j->sport, j->port, j->raw_seq, pkt,
			     sizeof(pkt), &len) != RM_OK) {
		raw_result(j, RM_STATUS_FILTERED, -1);
		return RM_OK;
	}
	engine_tcp_set_owner(j->e, j->sport, j);
	memcpy(&sin.sin_addr, j->dest->address.bytes, 4);
	if (sendto(r->sendfd, pkt, len, 0, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		raw_result(j, errno == ENETUNREACH ? RM_STATUS_NO_ROUTE : RM_STATUS_FILTERED, -1);
		return RM_OK;
	}
	return job_timeout(j, loop_clock() + (uint64_t)cfg->timeout_ms * 1000000u, raw_timeout);
}

const struct probe_ops probe_tcp_raw = {
	.name = "tcp",
	.check = RM_CHECK_TCP,
	.start = raw_start,
	.on_icmp = raw_on_icmp,
};
