/* Capabilities: raw sockets are opened first, then the process drops every
 * capability (DESIGN.md, safety rules). */
#ifndef REACHMAP_PROBES_CAPS_H
#define REACHMAP_PROBES_CAPS_H

#include <stdint.h>

/* Clears the effective, permitted and inheritable sets. 0, or RM_ESYS. */
int caps_drop_all(void);
/* Keeps CAP_NET_RAW alone in the effective and permitted sets (the
 * agent's raw mode opens raw sockets every round); the rest go. 0, or
 * RM_ESYS. */
int caps_keep_net_raw(void);
/* The effective set as /proc/self/status shows it (CapEff), or
 * UINT64_MAX when it cannot be read. */
uint64_t caps_effective(void);
/* Whether CAP_NET_RAW is in the effective set. */
int caps_have_net_raw(void);

#endif
