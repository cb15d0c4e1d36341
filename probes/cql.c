/* CQL native protocol v4, Apache Cassandra's doc/native_protocol_v4.spec:
 * section 2 (frame header), 3 (notations: [short], [int], [string],
 * [string list], [string multimap]), 4.1.1 (STARTUP), 4.1.3 (OPTIONS),
 * 4.2.1 (ERROR), 4.2.2 (READY), 4.2.4 (SUPPORTED). */
#include "probes/cql.h"

#include <stdio.h>
#include <string.h>

#include "reachmap/error.h"
#include "reachmap/wire.h"

static int put_header(struct rm_writer *w, uint8_t version, int16_t stream, uint8_t op,
		      uint32_t length)
{
	int rc = wr_u8(w, version);

	if (rc == RM_OK)
		rc = wr_u8(w, 0);
	if (rc == RM_OK)
		rc = wr_u16(w, (uint16_t)stream);
	if (rc == RM_OK)
		rc = wr_u8(w, op);
	if (rc == RM_OK)
		rc = wr_u32(w, length);
	return rc;
}

static int put_string(struct rm_writer *w, const char *s)
{
	size_t n = strlen(s);
	int rc;

	if (n > 0xffff)
		return RM_ERANGE;
	rc = wr_u16(w, (uint16_t)n);
	return rc == RM_OK ? wr_bytes(w, s, n) : rc;
}

int cql_build_options(uint8_t *buf, size_t cap, int16_t stream, size_t *len)
{
	struct rm_writer w;
	int rc;

	wr_init(&w, buf, cap);
	rc = put_header(&w, 0x04, stream, CQL_OP_OPTIONS, 0);
	*len = w.off;
	return rc;
}

int cql_build_ready(uint8_t *buf, size_t cap, int16_t stream, size_t *len)
{
	struct rm_writer w;
	int rc;

	wr_init(&w, buf, cap);
	rc = put_header(&w, 0x84, stream, CQL_OP_READY, 0);
	*len = w.off;
	return rc;
}

/* A [string list] from a comma-separated value. */
static int put_list(struct rm_writer *w, const char *csv)
{
	char item[128];
	const char *p = csv;
	uint16_t n = 0;
	int rc;

	for (p = csv; *p; p++)
		n = (uint16_t)(n + (*p == ','));
	rc = wr_u16(w, (uint16_t)(*csv ? n + 1 : 0));
	p = csv;
	while (rc == RM_OK && *p) {
		size_t len = strcspn(p, ",");

		if (len >= sizeof(item))
			return RM_ERANGE;
		memcpy(item, p, len);
		item[len] = '\0';
		rc = put_string(w, item);
		p += len;
		if (*p == ',')
			p++;
	}
	return rc;
}

int cql_build_supported(uint8_t *buf, size_t cap, int16_t stream, const struct cql_supported *s,
			size_t *len)
{
	struct rm_writer w;
	int rc;

	wr_init(&w, buf, cap);
	rc = put_header(&w, 0x84, stream, CQL_OP_SUPPORTED, 0);
	if (rc == RM_OK)
		rc = wr_u16(&w, 3);
	if (rc == RM_OK)
		rc = put_string(&w, "CQL_VERSION");
	if (rc == RM_OK)
		rc = put_list(&w, s->cql_version);
	if (rc == RM_OK)
		rc = put_string(&w, "COMPRESSION");
	if (rc == RM_OK)
		rc = put_list(&w, s->compression);
	if (rc == RM_OK)
		rc = put_string(&w, "PROTOCOL_VERSIONS");
	if (rc == RM_OK)
		rc = put_list(&w, s->protocol_versions);
	if (rc == RM_OK) {
		uint32_t body = (uint32_t)(w.off - CQL_HEADER_LEN);

		buf[5] = (uint8_t)(body >> 24);
		buf[6] = (uint8_t)(body >> 16);
		buf[7] = (uint8_t)(body >> 8);
		buf[8] = (uint8_t)body;
	}
	*len = w.off;
	return rc;
}

int cql_build_error(uint8_t *buf, size_t cap, int16_t stream, uint32_t code, const char *message,
		    size_t *len)
{
	struct rm_writer w;
	size_t n = strlen(message);
	int rc;

	wr_init(&w, buf, cap);
	rc = put_header(&w, 0x84, stream, CQL_OP_ERROR, (uint32_t)(4 + 2 + n));
	if (rc == RM_OK)
		rc = wr_u32(&w, code);
	if (rc == RM_OK)
		rc = put_string(&w, message);
	*len = w.off;
	return rc;
}

int cql_parse_header(const uint8_t *data, size_t len, struct cql_header *out)
{
	struct rm_reader r;
	uint16_t stream;
	uint8_t v;

	rd_init(&r, data, len);
	if (rd_u8(&r, &out->version) != RM_OK || rd_u8(&r, &out->flags) != RM_OK ||
	    rd_u16(&r, &stream) != RM_OK || rd_u8(&r, &out->opcode) != RM_OK ||
	    rd_u32(&r, &out->length) != RM_OK)
		return RM_ETRUNC;
	out->stream = (int16_t)stream;
	v = out->version & 0x7f;
	if (v < 3 || v > 5)
		return RM_EPARSE;
	/* Opcodes 0x00..0x10 exist in v3-v5; 0x04 was CREDENTIALS (v1 only). */
	if (out->opcode > 0x10 || out->opcode == 0x04)
		return RM_EPARSE;
	return RM_OK;
}

/* A [string] into buf (truncated to fit), consumed from r. */
static int get_string(struct rm_reader *r, char *buf, size_t cap)
{
	const uint8_t *p;
	uint16_t n;
	size_t copy;
	int rc = rd_u16(r, &n);

	if (rc == RM_OK)
		rc = rd_bytes(r, n, &p);
	if (rc != RM_OK)
		return rc;
	copy = n < cap - 1 ? n : cap - 1;
	memcpy(buf, p, copy);
	buf[copy] = '\0';
	/* The spec's strings are UTF-8; a NUL inside is not one. */
	if (memchr(p, '\0', n) != NULL)
		return RM_EPARSE;
	return RM_OK;
}

/* A [string list], joined with "," into buf (truncated to fit). */
static int get_list(struct rm_reader *r, char *buf, size_t cap)
{
	char item[128];
	uint16_t n, i;
	size_t used = 0;
	int rc = rd_u16(r, &n);

	buf[0] = '\0';
	for (i = 0; rc == RM_OK && i < n; i++) {
		rc = get_string(r, item, sizeof(item));
		if (rc == RM_OK && used < cap) {
			int k = snprintf(buf + used, cap - used, "%s%s", i ? "," : "", item);

			if (k > 0)
				used += (size_t)k;
		}
	}
	return rc;
}

static int parse_supported(struct rm_reader *r, struct cql_supported *s)
{
	char key[64], junk[128];
	uint16_t n, i;
	int rc = rd_u16(r, &n);

	memset(s, 0, sizeof(*s));
	for (i = 0; rc == RM_OK && i < n; i++) {
		rc = get_string(r, key, sizeof(key));
		if (rc != RM_OK)
			break;
		if (strcmp(key, "CQL_VERSION") == 0)
			rc = get_list(r, s->cql_version, sizeof(s->cql_version));
		else if (strcmp(key, "COMPRESSION") == 0)
			rc = get_list(r, s->compression, sizeof(s->compression));
		else if (strcmp(key, "PROTOCOL_VERSIONS") == 0)
			rc = get_list(r, s->protocol_versions, sizeof(s->protocol_versions));
		else
			rc = get_list(r, junk, sizeof(junk));
	}
	if (rc == RM_OK && rd_left(r) != 0)
		rc = RM_EPARSE;
	return rc;
}

static void not_cql(struct cql_answer *out, const char *why)
{
	out->verdict = CQL_NOT_CQL;
	snprintf(out->why, sizeof(out->why), "%s", why);
}

void cql_classify(const uint8_t *data, size_t len, struct cql_answer *out)
{
	struct rm_reader r, body;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len == 0) {
		out->verdict = CQL_NEED_MORE;
		return;
	}
	/* The first byte decides much: a response of v3-v5, a request, or
	 * something else entirely (an HTTP server, TLS, SSH banner, ...). */
	if (data[0] == 0x03 || data[0] == 0x04 || data[0] == 0x05) {
		not_cql(out, "a request frame where a response was due");
		return;
	}
	if (data[0] != 0x83 && data[0] != 0x84 && data[0] != 0x85) {
		not_cql(out, "the first byte is not a CQL v3-v5 response version");
		return;
	}
	rc = cql_parse_header(data, len, &out->header);
	if (rc == RM_ETRUNC) {
		out->verdict = CQL_NEED_MORE;
		return;
	}
	if (rc != RM_OK) {
		not_cql(out, "not a CQL frame header (unknown opcode)");
		return;
	}
	if (out->header.length > CQL_MAX_BODY) {
		not_cql(out, "a frame body over 64 KiB in answer to OPTIONS");
		return;
	}
	if (len - CQL_HEADER_LEN < out->header.length) {
		out->verdict = CQL_NEED_MORE;
		return;
	}
	rd_init(&r, data, len);
	rd_skip(&r, CQL_HEADER_LEN);
	rd_sub(&r, out->header.length, &body);
	switch (out->header.opcode) {
	case CQL_OP_SUPPORTED:
		if (parse_supported(&body, &out->supported) != RM_OK) {
			not_cql(out, "a SUPPORTED frame whose body is not a string multimap");
			return;
		}
		out->verdict = CQL_SUPPORTED;
		return;
	case CQL_OP_ERROR:
		if (rd_u32(&body, &out->error_code) != RM_OK ||
		    get_string(&body, out->error_message, sizeof(out->error_message)) != RM_OK) {
			not_cql(out, "an ERROR frame without [int] code and [string] message");
			return;
		}
		out->verdict = CQL_ERROR_FRAME;
		return;
	default:
		out->verdict = CQL_OTHER_FRAME;
		return;
	}
}
