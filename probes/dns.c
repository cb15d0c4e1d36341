/* RFC 1035 answers, read by c-ares (ares_parse_a_reply checks every length);
 * what reachmap makes of them. */
#include "probes/dns.h"

#include <ares.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define DNS_MAX_ADDRS 16

void dns_classify(int ares_status, const unsigned char *abuf, int alen,
		  const struct rm_addr *expected, struct dns_verdict *out)
{
	struct ares_addrttl addrs[DNS_MAX_ADDRS];
	int naddrs = DNS_MAX_ADDRS, i, rc, found = 0;
	size_t used = 0;

	memset(out, 0, sizeof(*out));
	switch (ares_status) {
	case ARES_SUCCESS:
		break;
	case ARES_ENOTFOUND:
		out->status = RM_STATUS_NXDOMAIN;
		return;
	case ARES_ENODATA:
		out->status = RM_STATUS_WRONG_ANSWER;
		out->error = "the name exists but has no IPv4 address";
		return;
	case ARES_ESERVFAIL:
		out->status = RM_STATUS_SERVFAIL;
		return;
	case ARES_EREFUSED:
		out->status = RM_STATUS_REFUSED;
		return;
	case ARES_ECONNREFUSED:
		out->status = RM_STATUS_REFUSED;
		out->error = "nothing listens on the server's DNS port (ICMP port unreachable)";
		return;
	case ARES_ETIMEOUT:
		out->status = RM_STATUS_TIMEOUT;
		return;
	default:
		/* FORMERR, NOTIMP, a malformed answer: the server failed us. */
		out->status = RM_STATUS_SERVFAIL;
		out->error = ares_strerror(ares_status);
		return;
	}
	if (abuf == NULL || alen <= 0) {
		out->status = RM_STATUS_SERVFAIL;
		out->error = "an empty answer";
		return;
	}
	rc = ares_parse_a_reply(abuf, alen, NULL, addrs, &naddrs);
	if (rc == ARES_ENODATA) {
		out->status = RM_STATUS_WRONG_ANSWER;
		out->error = "the name exists but has no IPv4 address";
		return;
	}
	if (rc != ARES_SUCCESS) {
		out->status = RM_STATUS_SERVFAIL;
		out->error = "a malformed answer";
		return;
	}
	for (i = 0; i < naddrs; i++) {
		struct rm_addr got = { .family = RM_AF_INET };
		char a[INET_ADDRSTRLEN];
		int n;

		memcpy(got.bytes, &addrs[i].ipaddr, 4);
		found |= cidr_addr_equal(&got, expected);
		inet_ntop(AF_INET, &addrs[i].ipaddr, a, sizeof(a));
		n = snprintf(out->answers + used, sizeof(out->answers) - used, "%s%s", i ? "," : "",
			     a);
		if (n > 0 && (size_t)n < sizeof(out->answers) - used)
			used += (size_t)n;
	}
	out->status = found ? RM_STATUS_OK : RM_STATUS_WRONG_ANSWER;
	if (!found)
		out->error = "no answer is the address the topology declares";
}
