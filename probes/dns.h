/* A DNS answer judged against the address a name should have (RFC 1035 A
 * or RFC 3596 AAAA records, by the expected address's family, parsed by
 * c-ares's ares_parse_a_reply or ares_parse_aaaa_reply, length-checked
 * there). Pure: no socket. */
#ifndef REACHMAP_PROBES_DNS_H
#define REACHMAP_PROBES_DNS_H

#include <stddef.h>

#include "reachmap/cidr.h"
#include "reachmap/results.h"

struct dns_verdict {
	enum rm_check_status status;
	char answers[256]; /* the A or AAAA records, "10.0.0.1,10.0.0.2" */
	const char *error; /* a static reason, or NULL */
};

/* `ares_status` is what c-ares's ares_query callback reported, `abuf` and
 * `alen` the answer it passed (may be NULL/0), `family` the records asked
 * (RM_AF_INET6: AAAA, else A). `expected` is the address the name must
 * have; NULL or unset (a destination known only by its dnsName): any
 * address is right, "wrong-answer" then means no address at all. */
void dns_classify(int ares_status, const unsigned char *abuf, int alen, enum rm_family family,
		  const struct rm_addr *expected, struct dns_verdict *out);

#endif
