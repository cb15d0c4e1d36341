#include "reachmap/reserved.h"

#include "reachmap/util.h"

#define V4(a, b, c, d)                                                                             \
	{                                                                                          \
		RM_AF_INET,                                                                        \
		{                                                                                  \
			a, b, c, d                                                                 \
		}                                                                                  \
	}
#define PLAN_ERROR_NEVER_PROBE (RM_RESERVED_PLAN_ERROR | RM_RESERVED_NEVER_PROBE)

/* Written out rather than parsed at run time, so the table needs no
 * initialisation and cannot fail; test_reserved checks each prefix
 * against its cidr string. */
static const struct rm_reserved table[] = {
	{ "0.0.0.0/8",
	  "\"this network\" (RFC 1122): not routable as a destination",
	  PLAN_ERROR_NEVER_PROBE,
	  { V4(0, 0, 0, 0), 8 } },
	{ "127.0.0.0/8",
	  "loopback: packets to it never leave a host",
	  PLAN_ERROR_NEVER_PROBE | RM_RESERVED_LOOPBACK,
	  { V4(127, 0, 0, 0), 8 } },
	{ "169.254.0.0/16",
	  "link-local: never forwarded by a router",
	  PLAN_ERROR_NEVER_PROBE,
	  { V4(169, 254, 0, 0), 16 } },
	{ "224.0.0.0/4",
	  "multicast: not unicast addresses",
	  PLAN_ERROR_NEVER_PROBE,
	  { V4(224, 0, 0, 0), 4 } },
	{ "240.0.0.0/4",
	  "reserved (RFC 1112) and broadcast: dropped by most stacks",
	  PLAN_ERROR_NEVER_PROBE,
	  { V4(240, 0, 0, 0), 4 } },
	{ "100.64.0.0/10",
	  "carrier-grade NAT (RFC 6598), also OVN-Kubernetes' join subnet 100.64.0.0/16",
	  RM_RESERVED_PLAN_WARN,
	  { V4(100, 64, 0, 0), 10 } },
	{ "172.17.0.0/16",
	  "docker0's default bridge on hosts that run Docker",
	  RM_RESERVED_PLAN_WARN,
	  { V4(172, 17, 0, 0), 16 } },
	{ "::/128",
	  "the unspecified address",
	  PLAN_ERROR_NEVER_PROBE,
	  { { RM_AF_INET6, { 0 } }, 128 } },
	{ "::1/128",
	  "loopback: packets to it never leave a host",
	  PLAN_ERROR_NEVER_PROBE | RM_RESERVED_LOOPBACK,
	  { { RM_AF_INET6, { [15] = 1 } }, 128 } },
	{ "fe80::/10",
	  "link-local: never forwarded by a router",
	  PLAN_ERROR_NEVER_PROBE,
	  { { RM_AF_INET6, { 0xfe, 0x80 } }, 10 } },
	{ "ff00::/8",
	  "multicast: not unicast addresses",
	  PLAN_ERROR_NEVER_PROBE,
	  { { RM_AF_INET6, { 0xff } }, 8 } },
};

const struct rm_reserved *rm_reserved_table(size_t *n)
{
	*n = ARRAY_SIZE(table);
	return table;
}

const struct rm_reserved *rm_reserved_find(const struct rm_addr *a, unsigned flags)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(table); i++)
		if ((table[i].flags & flags) && cidr_contains(&table[i].prefix, a))
			return &table[i];
	return NULL;
}
