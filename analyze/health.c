/* How the analyzer reads a cell: the one classification the html page and
 * the dashboard colour by (the page reads it from the report it embeds). */
#include "reachmap/analyze.h"

#define BIT(s) (1u << (s))

/* Working, but not as it should: some echoes lost; connections arrive
 * from another address than the probe's (Cassandra takes the source
 * address as the peer's identity). */
static const unsigned degraded[RM_CHECK_COUNT] = {
	[RM_CHECK_ICMP] = BIT(RM_STATUS_LOSS),
	[RM_CHECK_NAT] = BIT(RM_STATUS_SNAT),
};

enum rm_health analyze_health(enum rm_check check, enum rm_check_status status)
{
	if (rm_status_healthy(check, status))
		return RM_HEALTH_HEALTHY;
	if (rm_status_valid(check, status) && (degraded[check] & BIT(status)))
		return RM_HEALTH_DEGRADED;
	return RM_HEALTH_FAILING;
}

const char *analyze_health_name(enum rm_health health)
{
	static const char *const names[RM_HEALTH_COUNT] = {
		[RM_HEALTH_HEALTHY] = "healthy",
		[RM_HEALTH_DEGRADED] = "degraded",
		[RM_HEALTH_FAILING] = "failing",
	};

	return (unsigned)health < RM_HEALTH_COUNT ? names[health] : "unknown";
}
