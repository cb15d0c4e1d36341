/* The identity/NAT/MTU responder's protocol, reachmap's own: one line of
 * ASCII each way, over TCP or UDP (port 8788 by default).
 *
 *   request  REACHMAP/1 WHO <probe> <cluster>\n
 *   answer   REACHMAP/1 IAM <name> <cluster> <seen-address> <seen-port>\n
 *   request  REACHMAP/1 MTU <seq>\n<padding to the size being tried>   (UDP)
 *   answer   REACHMAP/1 MTUOK <seq> <bytes received>\n
 *
 * Names are 1-253 of [A-Za-z0-9._-]. The answer names the responder (so a
 * probe that reached the wrong pod knows it: address collision) and the
 * source address the responder saw (source NAT). Pure functions. */
#ifndef REACHMAP_PROBES_RESPONDER_H
#define REACHMAP_PROBES_RESPONDER_H

#include <stddef.h>
#include <stdint.h>

#include "reachmap/cidr.h"

#define RESP_DEFAULT_PORT 8788
#define RESP_MAX_LINE	  600
#define RESP_NAME_MAX	  253

enum resp_kind {
	RESP_WHO = 1,
	RESP_IAM,
	RESP_MTU,
	RESP_MTUOK,
};

struct resp_msg {
	enum resp_kind kind;
	char name[RESP_NAME_MAX + 1];	 /* WHO: the probe; IAM: the responder */
	char cluster[RESP_NAME_MAX + 1]; /* WHO, IAM */
	struct rm_addr seen;		 /* IAM */
	uint16_t seen_port;		 /* IAM */
	uint32_t seq;			 /* MTU, MTUOK */
	uint32_t size;			 /* MTUOK: bytes the responder received */
};

/* Builders: 0 and *len, RM_ETRUNC when buf is too small, RM_EINVAL for a
 * name that is not valid. resp_build_mtu pads the datagram to `size`
 * bytes (at least the line's own length). */
int resp_build_who(char *buf, size_t cap, const char *probe, const char *cluster, size_t *len);
int resp_build_iam(char *buf, size_t cap, const char *name, const char *cluster,
		   const struct rm_addr *seen, uint16_t seen_port, size_t *len);
int resp_build_mtu(uint8_t *buf, size_t cap, uint32_t seq, size_t size, size_t *len);
int resp_build_mtuok(char *buf, size_t cap, uint32_t seq, uint32_t size, size_t *len);

/* Parses one message (a complete line; for MTU, bytes after the line are
 * padding). 0 and *out; RM_ETRUNC when no newline has come yet (within
 * RESP_MAX_LINE bytes); RM_EPARSE otherwise, with *why set to a short static
 * reason. */
int resp_parse(const uint8_t *data, size_t len, struct resp_msg *out, const char **why);

#endif
