/* Every check of the engine, one ops table each; raw tcp is the table
 * marked mode_raw, picked instead of connect-mode tcp by --mode raw. */
#include "probes/check.h"
#include "reachmap/util.h"

static const struct probe_ops *const registry[] = {
	&probe_icmp,	 &probe_tcp, &probe_tcp_raw, &probe_cql,
	&probe_identity, &probe_dns, &probe_mtu,     &probe_path,
};

const struct probe_ops *probe_ops_pick(enum rm_check check, bool raw)
{
	const struct probe_ops *connect_mode = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(registry); i++) {
		if (registry[i]->check != check)
			continue;
		if (registry[i]->mode_raw == raw)
			return registry[i];
		if (!registry[i]->mode_raw && connect_mode == NULL)
			connect_mode = registry[i];
	}
	/* A check with one way of running runs that way in either mode. */
	return connect_mode;
}

const struct probe_ops *probe_ops_for(enum rm_check check)
{
	return probe_ops_pick(check, false);
}
