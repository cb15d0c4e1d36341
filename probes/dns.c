/* RFC 1035 and RFC 3596 answers, read by c-ares (ares_parse_a_reply and
 * ares_parse_aaaa_reply check every length); what reachmap makes of them. */
#include "probes/dns.h"

#include <ares.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define DNS_MAX_ADDRS 16

/* The addresses of an answer of the expected address's family: 0 and
 * got[0..*n-1], or c-ares's status. */
static int parse_addrs(const unsigned char *abuf, int alen, enum rm_family family,
		       struct rm_addr *got, int *n)
{
	struct ares_addrttl a4[DNS_MAX_ADDRS];
	struct ares_addr6ttl a6[DNS_MAX_ADDRS];
	int i, rc;

	*n = DNS_MAX_ADDRS;
	rc = family == RM_AF_INET6 ? ares_parse_aaaa_reply(abuf, alen, NULL, a6, n)
				   : ares_parse_a_reply(abuf, alen, NULL, a4, n);
	if (rc != ARES_SUCCESS)
		return rc;
	for (i = 0; i < *n; i++) {
		memset(&got[i], 0, sizeof(got[i]));
		got[i].family = (uint8_t)family;
		if (family == RM_AF_INET6)
			memcpy(got[i].bytes, &a6[i].ip6addr, 16);
		else
			memcpy(got[i].bytes, &a4[i].ipaddr, 4);
	}
	return ARES_SUCCESS;
}

/* c-ares's status of a query that brought no answer to judge. */
static void classify_failure(int ares_status, const char *no_address, struct dns_verdict *out)
{
	switch (ares_status) {
	case ARES_ENOTFOUND:
		out->status = RM_STATUS_NXDOMAIN;
		return;
	case ARES_ENODATA:
		out->status = RM_STATUS_WRONG_ANSWER;
		out->error = no_address;
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
}

void dns_classify(int ares_status, const unsigned char *abuf, int alen, enum rm_family asked,
		  const struct rm_addr *expected, struct dns_verdict *out)
{
	enum rm_family family = asked == RM_AF_INET6 ? RM_AF_INET6 : RM_AF_INET;
	bool any = expected == NULL || !cidr_addr_is_set(expected);
	const char *no_address = family == RM_AF_INET6 ? "the name exists but has no IPv6 address"
						       : "the name exists but has no IPv4 address";
	struct rm_addr got[DNS_MAX_ADDRS];
	int naddrs = 0, i, rc, found = 0;
	size_t used = 0;

	memset(out, 0, sizeof(*out));
	if (ares_status != ARES_SUCCESS) {
		classify_failure(ares_status, no_address, out);
		return;
	}
	if (abuf == NULL || alen <= 0) {
		out->status = RM_STATUS_SERVFAIL;
		out->error = "an empty answer";
		return;
	}
	rc = parse_addrs(abuf, alen, family, got, &naddrs);
	/* Records of the other type only: c-ares says success with none. */
	if (rc == ARES_ENODATA || (rc == ARES_SUCCESS && naddrs == 0)) {
		out->status = RM_STATUS_WRONG_ANSWER;
		out->error = no_address;
		return;
	}
	if (rc != ARES_SUCCESS) {
		out->status = RM_STATUS_SERVFAIL;
		out->error = "a malformed answer";
		return;
	}
	for (i = 0; i < naddrs; i++) {
		char a[RM_ADDR_STRLEN];
		int n;

		found |= any || cidr_addr_equal(&got[i], expected);
		n = snprintf(out->answers + used, sizeof(out->answers) - used, "%s%s", i ? "," : "",
			     cidr_addr_format(&got[i], a, sizeof(a)));
		if (n > 0 && (size_t)n < sizeof(out->answers) - used)
			used += (size_t)n;
	}
	out->status = found ? RM_STATUS_OK : RM_STATUS_WRONG_ANSWER;
	if (!found)
		out->error = "no answer is the address the topology declares";
}
