/* CQL native protocol v4 (Apache Cassandra, doc/native_protocol_v4.spec):
 * just what reachmap needs to tell Cassandra from anything else on a CQL
 * port, and to stand in for it. Pure functions; no I/O. */
#ifndef REACHMAP_PROBES_CQL_H
#define REACHMAP_PROBES_CQL_H

#include <stddef.h>
#include <stdint.h>

/* Section 2: the frame header.
 *   0         8        16        24        32         40
 *   +---------+---------+---------+---------+---------+
 *   | version |  flags  |      stream       | opcode  |
 *   +---------+---------+---------+---------+---------+
 *   |                length                 |
 *   +---------+---------+---------+---------+        */
#define CQL_HEADER_LEN 9
#define CQL_MAX_BODY   65536 /* reachmap reads no larger answer */

enum cql_opcode {
	CQL_OP_ERROR = 0x00,
	CQL_OP_STARTUP = 0x01,
	CQL_OP_READY = 0x02,
	CQL_OP_OPTIONS = 0x05,
	CQL_OP_SUPPORTED = 0x06,
};

struct cql_header {
	uint8_t version; /* 0x04 request, 0x84 response (bit 7: direction) */
	uint8_t flags;
	int16_t stream;
	uint8_t opcode;
	uint32_t length;
};

/* What an answer to OPTIONS said (section 4.2.4, SUPPORTED: a [string
 * multimap]); values joined with ",". */
struct cql_supported {
	char cql_version[64];
	char compression[128];
	char protocol_versions[128];
};

enum cql_verdict {
	CQL_NEED_MORE = 0, /* a frame has begun; read more */
	CQL_SUPPORTED,	   /* a SUPPORTED frame: Cassandra */
	CQL_ERROR_FRAME,   /* an ERROR frame: Cassandra, unhappy with us */
	CQL_OTHER_FRAME,   /* a valid CQL response of another opcode */
	CQL_NOT_CQL,	   /* the bytes are not a CQL v3-v5 response */
};

struct cql_answer {
	enum cql_verdict verdict;
	struct cql_header header;
	struct cql_supported supported; /* CQL_SUPPORTED */
	uint32_t error_code;		/* CQL_ERROR_FRAME */
	char error_message[128];	/* CQL_ERROR_FRAME */
	char why[96];			/* CQL_NOT_CQL: what was wrong */
};

/* An OPTIONS request (a header, no body) into buf: 0 and *len, or RM_ETRUNC. */
int cql_build_options(uint8_t *buf, size_t cap, int16_t stream, size_t *len);
/* Responses a stand-in sends: SUPPORTED with `s`, READY, ERROR. */
int cql_build_supported(uint8_t *buf, size_t cap, int16_t stream, const struct cql_supported *s,
			size_t *len);
int cql_build_ready(uint8_t *buf, size_t cap, int16_t stream, size_t *len);
int cql_build_error(uint8_t *buf, size_t cap, int16_t stream, uint32_t code, const char *message,
		    size_t *len);

/* Reads a header: 0, RM_ETRUNC when fewer than 9 bytes, RM_EPARSE when the
 * version is not 3, 4 or 5 (either direction) or the opcode is unknown. */
int cql_parse_header(const uint8_t *data, size_t len, struct cql_header *out);

/* Classifies the bytes a server sent after our OPTIONS: never reads past
 * len, never fails; see enum cql_verdict. */
void cql_classify(const uint8_t *data, size_t len, struct cql_answer *out);

#endif
