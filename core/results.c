#include "reachmap/results.h"

#include <string.h>

#include "reachmap/error.h"
#include "reachmap/util.h"

#define BIT(s) (1u << (s))

static const char *const check_names[RM_CHECK_COUNT] = {
	[RM_CHECK_ICMP] = "icmp",	  [RM_CHECK_TCP] = "tcp",   [RM_CHECK_DNS] = "dns",
	[RM_CHECK_IDENTITY] = "identity", [RM_CHECK_NAT] = "nat",   [RM_CHECK_MTU] = "mtu",
	[RM_CHECK_CQL] = "cql",		  [RM_CHECK_PATH] = "path",
};

static const char *const status_names[RM_STATUS_COUNT] = {
	[RM_STATUS_OK] = "ok",
	[RM_STATUS_LOSS] = "loss",
	[RM_STATUS_UNREACHABLE] = "unreachable",
	[RM_STATUS_REJECTED] = "rejected",
	[RM_STATUS_TIMEOUT] = "timeout",
	[RM_STATUS_OPEN] = "open",
	[RM_STATUS_REFUSED] = "refused",
	[RM_STATUS_FILTERED] = "filtered",
	[RM_STATUS_NO_ROUTE] = "no-route",
	[RM_STATUS_NXDOMAIN] = "nxdomain",
	[RM_STATUS_SERVFAIL] = "servfail",
	[RM_STATUS_WRONG_ANSWER] = "wrong-answer",
	[RM_STATUS_MISMATCH] = "mismatch",
	[RM_STATUS_NO_RESPONDER] = "no-responder",
	[RM_STATUS_NONE] = "none",
	[RM_STATUS_SNAT] = "snat",
	[RM_STATUS_FRAGMENTATION_NEEDED] = "fragmentation-needed",
	[RM_STATUS_BLACKHOLE] = "blackhole",
	[RM_STATUS_NOT_CQL] = "not-cql",
	[RM_STATUS_CLOSED] = "closed",
};

/* DESIGN.md's table, as bit sets. path has no words of its own there; it
 * reports whether the destination answered (ok), an ICMP error ended it
 * (unreachable) or it ran out of hops (timeout). */
static const unsigned valid[RM_CHECK_COUNT] = {
	[RM_CHECK_ICMP] = BIT(RM_STATUS_OK) | BIT(RM_STATUS_LOSS) | BIT(RM_STATUS_UNREACHABLE) |
			  BIT(RM_STATUS_REJECTED) | BIT(RM_STATUS_TIMEOUT),
	[RM_CHECK_TCP] = BIT(RM_STATUS_OPEN) | BIT(RM_STATUS_REFUSED) | BIT(RM_STATUS_FILTERED) |
			 BIT(RM_STATUS_REJECTED) | BIT(RM_STATUS_UNREACHABLE) |
			 BIT(RM_STATUS_NO_ROUTE),
	[RM_CHECK_DNS] = BIT(RM_STATUS_OK) | BIT(RM_STATUS_NXDOMAIN) | BIT(RM_STATUS_SERVFAIL) |
			 BIT(RM_STATUS_REFUSED) | BIT(RM_STATUS_TIMEOUT) |
			 BIT(RM_STATUS_WRONG_ANSWER),
	[RM_CHECK_IDENTITY] =
	    BIT(RM_STATUS_OK) | BIT(RM_STATUS_MISMATCH) | BIT(RM_STATUS_NO_RESPONDER),
	[RM_CHECK_NAT] = BIT(RM_STATUS_NONE) | BIT(RM_STATUS_SNAT),
	[RM_CHECK_MTU] =
	    BIT(RM_STATUS_OK) | BIT(RM_STATUS_FRAGMENTATION_NEEDED) | BIT(RM_STATUS_BLACKHOLE),
	[RM_CHECK_CQL] = BIT(RM_STATUS_OK) | BIT(RM_STATUS_NOT_CQL) | BIT(RM_STATUS_CLOSED),
	[RM_CHECK_PATH] = BIT(RM_STATUS_OK) | BIT(RM_STATUS_UNREACHABLE) | BIT(RM_STATUS_TIMEOUT),
};

/* fragmentation-needed is healthy: path MTU discovery works. */
static const unsigned healthy[RM_CHECK_COUNT] = {
	[RM_CHECK_ICMP] = BIT(RM_STATUS_OK),
	[RM_CHECK_TCP] = BIT(RM_STATUS_OPEN),
	[RM_CHECK_DNS] = BIT(RM_STATUS_OK),
	[RM_CHECK_IDENTITY] = BIT(RM_STATUS_OK),
	[RM_CHECK_NAT] = BIT(RM_STATUS_NONE),
	[RM_CHECK_MTU] = BIT(RM_STATUS_OK) | BIT(RM_STATUS_FRAGMENTATION_NEEDED),
	[RM_CHECK_CQL] = BIT(RM_STATUS_OK),
	[RM_CHECK_PATH] = BIT(RM_STATUS_OK),
};

_Static_assert(RM_STATUS_COUNT <= 32, "status sets are 32-bit masks");

const char *rm_check_name(enum rm_check check)
{
	return (unsigned)check < RM_CHECK_COUNT ? check_names[check] : "unknown";
}

const char *rm_status_name(enum rm_check_status status)
{
	return (unsigned)status < RM_STATUS_COUNT ? status_names[status] : "unknown";
}

int rm_check_parse(const char *word, enum rm_check *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(check_names); i++)
		if (strcmp(check_names[i], word) == 0) {
			*out = (enum rm_check)i;
			return RM_OK;
		}
	return RM_ENOTFOUND;
}

int rm_status_parse(const char *word, enum rm_check_status *out)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(status_names); i++)
		if (strcmp(status_names[i], word) == 0) {
			*out = (enum rm_check_status)i;
			return RM_OK;
		}
	return RM_ENOTFOUND;
}

bool rm_status_valid(enum rm_check check, enum rm_check_status status)
{
	if ((unsigned)check >= RM_CHECK_COUNT || (unsigned)status >= RM_STATUS_COUNT)
		return false;
	return (valid[check] & BIT(status)) != 0;
}

bool rm_status_healthy(enum rm_check check, enum rm_check_status status)
{
	if (!rm_status_valid(check, status))
		return false;
	return (healthy[check] & BIT(status)) != 0;
}

const enum rm_check rm_check_order[RM_CHECK_COUNT] = {
	RM_CHECK_ICMP, RM_CHECK_TCP, RM_CHECK_CQL, RM_CHECK_IDENTITY,
	RM_CHECK_NAT,  RM_CHECK_DNS, RM_CHECK_MTU, RM_CHECK_PATH,
};

int rm_status_worst(enum rm_check check, const unsigned counts[RM_STATUS_COUNT], unsigned *count,
		    unsigned *total)
{
	unsigned best = 0;
	int st, pick = -1, any = -1;

	*total = 0;
	for (st = 0; st < RM_STATUS_COUNT; st++) {
		unsigned n = counts[st];

		*total += n;
		if (n > 0)
			any = st;
		if (n > best && !rm_status_healthy(check, (enum rm_check_status)st)) {
			best = n;
			pick = st;
		}
	}
	*count = best;
	return pick >= 0 ? pick : any;
}
