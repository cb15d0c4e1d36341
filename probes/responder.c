/* The responder protocol of responder.h: a strict parser (every token
 * checked, no field longer than its buffer, nothing after the newline but
 * MTU padding). */
#include "probes/responder.h"

#include <stdio.h>
#include <string.h>

#include "reachmap/error.h"

#define MAGIC "REACHMAP/1 "

static int valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > RESP_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

static int fit(int n, size_t cap, size_t *len)
{
	if (n < 0 || (size_t)n >= cap)
		return RM_ETRUNC;
	*len = (size_t)n;
	return RM_OK;
}

int resp_build_who(char *buf, size_t cap, const char *probe, const char *cluster, size_t *len)
{
	if (!valid_name(probe) || !valid_name(cluster))
		return RM_EINVAL;
	return fit(snprintf(buf, cap, MAGIC "WHO %s %s\n", probe, cluster), cap, len);
}

int resp_build_iam(char *buf, size_t cap, const char *name, const char *cluster,
		   const struct rm_addr *seen, uint16_t seen_port, size_t *len)
{
	char a[RM_ADDR_STRLEN];

	if (!valid_name(name) || !valid_name(cluster))
		return RM_EINVAL;
	return fit(snprintf(buf, cap, MAGIC "IAM %s %s %s %u\n", name, cluster,
			    cidr_addr_format(seen, a, sizeof(a)), seen_port),
		   cap, len);
}

int resp_build_mtuok(char *buf, size_t cap, uint32_t seq, uint32_t size, size_t *len)
{
	return fit(snprintf(buf, cap, MAGIC "MTUOK %u %u\n", seq, size), cap, len);
}

int resp_build_mtu(uint8_t *buf, size_t cap, uint32_t seq, size_t size, size_t *len)
{
	size_t line;
	int rc = fit(snprintf((char *)buf, cap, MAGIC "MTU %u\n", seq), cap, &line);

	if (rc != RM_OK)
		return rc;
	if (size < line)
		size = line;
	if (size > cap)
		return RM_ETRUNC;
	memset(buf + line, 'x', size - line);
	*len = size;
	return RM_OK;
}

/* Splits a line into at most `max` space-separated tokens; returns how many,
 * or -1 for an empty token (two spaces, a leading or trailing space). */
static int split(char *line, char **tok, int max)
{
	int n = 0;
	char *p = line;

	while (*p) {
		if (n == max || *p == ' ')
			return -1;
		tok[n++] = p;
		p = strchr(p, ' ');
		if (p == NULL)
			break;
		*p++ = '\0';
		if (*p == '\0')
			return -1;
	}
	return n;
}

static int number(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (*s == '\0' || strlen(s) > 10)
		return 0;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return 0;
	*out = (uint32_t)v;
	return 1;
}

int resp_parse(const uint8_t *data, size_t len, struct resp_msg *out, const char **why)
{
	char line[RESP_MAX_LINE + 1];
	char *tok[8];
	const uint8_t *nl;
	size_t n;
	int ntok;
	uint32_t v;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	nl = memchr(data, '\n', len < RESP_MAX_LINE ? len : RESP_MAX_LINE);
	if (nl == NULL) {
		if (len >= RESP_MAX_LINE) {
			*why = "no end of line within 600 bytes";
			return RM_EPARSE;
		}
		return RM_ETRUNC;
	}
	n = (size_t)(nl - data);
	memcpy(line, data, n);
	line[n] = '\0';
	if (memchr(line, '\0', n) != NULL || strncmp(line, MAGIC, strlen(MAGIC)) != 0) {
		*why = "not a REACHMAP/1 line";
		return RM_EPARSE;
	}
	ntok = split(line + strlen(MAGIC), tok, 8);
	if (ntok < 1) {
		*why = "empty or badly spaced line";
		return RM_EPARSE;
	}
	if (strcmp(tok[0], "WHO") == 0 && ntok == 3) {
		out->kind = RESP_WHO;
	} else if (strcmp(tok[0], "IAM") == 0 && ntok == 5) {
		out->kind = RESP_IAM;
		if (cidr_addr_parse(tok[3], &out->seen) != RM_OK) {
			*why = "the seen address is not an IP address";
			return RM_EPARSE;
		}
		if (!number(tok[4], 65535, &v)) {
			*why = "the seen port is not a port number";
			return RM_EPARSE;
		}
		out->seen_port = (uint16_t)v;
	} else if (strcmp(tok[0], "MTU") == 0 && ntok == 2) {
		out->kind = RESP_MTU;
		if (!number(tok[1], UINT32_MAX, &out->seq)) {
			*why = "the sequence is not a number";
			return RM_EPARSE;
		}
		return RM_OK;
	} else if (strcmp(tok[0], "MTUOK") == 0 && ntok == 3) {
		out->kind = RESP_MTUOK;
		if (!number(tok[1], UINT32_MAX, &out->seq) || !number(tok[2], 65535, &out->size)) {
			*why = "the sequence or size is not a number";
			return RM_EPARSE;
		}
	} else {
		*why = "unknown message or wrong number of fields";
		return RM_EPARSE;
	}
	if (out->kind == RESP_WHO || out->kind == RESP_IAM) {
		if (!valid_name(tok[1]) || !valid_name(tok[2])) {
			*why = "a name is not 1-253 of [A-Za-z0-9._-]";
			return RM_EPARSE;
		}
		strcpy(out->name, tok[1]);
		strcpy(out->cluster, tok[2]);
	}
	/* Only MTU datagrams carry bytes after the line. */
	if (n + 1 != len) {
		*why = "bytes after the end of the line";
		return RM_EPARSE;
	}
	return RM_OK;
}
