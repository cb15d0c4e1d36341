#include "probes/caps.h"

#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "reachmap/error.h"

int caps_drop_all(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	/* Keep a root process from regaining them through execve too. */
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return syscall(SYS_capset, &h, d) == 0 ? RM_OK : RM_ESYS;
}

int caps_keep_net_raw(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	d[0].effective = d[0].permitted = 1u << CAP_NET_RAW;
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return syscall(SYS_capset, &h, d) == 0 ? RM_OK : RM_ESYS;
}

uint64_t caps_effective(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long v;
	uint64_t out = UINT64_MAX;

	if (f == NULL)
		return out;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "CapEff: %llx", &v) == 1) {
			out = (uint64_t)v;
			break;
		}
	fclose(f);
	return out;
}

int caps_have_net_raw(void)
{
	uint64_t eff = caps_effective();

	return eff != UINT64_MAX && (eff & (UINT64_C(1) << CAP_NET_RAW)) != 0;
}
