/* The YAML walker every YAML reader shares (topology files today): a
 * document loaded whole through libyaml's document API, so every node keeps
 * its position, walked against tables of fields with the field path kept on
 * the way down. Errors and warnings go to a struct rm_diag as "FILE:LINE:COL:
 * field.path: what is wrong". JSON is YAML flow style and is read the same. */
#include "core/yamlwalk.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reachmap/error.h"
#include "reachmap/util.h"

#define YW_MAX_NAME 253

struct rm_pos yw_pos(const yaml_node_t *node)
{
	struct rm_pos p = { (unsigned)node->start_mark.line + 1,
			    (unsigned)node->start_mark.column + 1 };

	return p;
}

int yw_fail_at(struct yw *w, struct rm_pos pos, int status, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (w->status != RM_OK)
		return w->status;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->pathlen > 0)
		rm_diag_error(w->diag, "%s:%u:%u: %s: %s", w->name, pos.line, pos.column, w->path,
			      msg);
	else
		rm_diag_error(w->diag, "%s:%u:%u: %s", w->name, pos.line, pos.column, msg);
	w->status = status;
	return status;
}

int yw_oom(struct yw *w)
{
	if (w->status == RM_OK) {
		rm_diag_error(w->diag, "%s: out of memory", w->name);
		w->status = RM_ENOMEM;
	}
	return RM_ENOMEM;
}

void yw_warn(struct yw *w, const yaml_node_t *node, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rm_diag_warn(w->diag, "%s:%u:%u: %s: %s", w->name, yw_pos(node).line, yw_pos(node).column,
		     w->path, msg);
}

/* The field path, as in "clusters[1].cidrs.pods[0]": pushed on the way down,
 * cut back on the way up. A path too long for the buffer is truncated, which
 * only shortens a message. */
size_t yw_path_key(struct yw *w, const char *key)
{
	size_t old = w->pathlen;
	int n = snprintf(w->path + old, sizeof(w->path) - old, "%s%s", old ? "." : "", key);

	if (n > 0)
		w->pathlen =
		    old + (size_t)n < sizeof(w->path) ? old + (size_t)n : sizeof(w->path) - 1;
	return old;
}

size_t yw_path_index(struct yw *w, size_t i)
{
	size_t old = w->pathlen;
	int n = snprintf(w->path + old, sizeof(w->path) - old, "[%zu]", i);

	if (n > 0)
		w->pathlen =
		    old + (size_t)n < sizeof(w->path) ? old + (size_t)n : sizeof(w->path) - 1;
	return old;
}

void yw_path_pop(struct yw *w, size_t old)
{
	w->pathlen = old;
	w->path[old] = '\0';
}

/* "a mapping", "a list", "empty", or the scalar itself in quotes (cut to
 * 40 characters), for "must be X, not Y" messages. The result lives in buf. */
const char *yw_node_kind_buf(const yaml_node_t *node, char *buf, size_t len)
{
	switch (node->type) {
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_SCALAR_NODE:
		if (node->data.scalar.length == 0)
			return "empty";
		snprintf(buf, len, "\"%.40s%s\"", (const char *)node->data.scalar.value,
			 node->data.scalar.length > 40 ? "..." : "");
		return buf;
	default:
		return "nothing";
	}
}

yaml_node_t *yw_node(struct yw *w, int index)
{
	return yaml_document_get_node(&w->doc, index);
}

const char *yw_text(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

/* Plain scalars "", "~" and "null" are YAML's null. */
static int scalar_is_null(const yaml_node_t *node)
{
	const char *s = yw_text(node);

	return node->type == YAML_SCALAR_NODE &&
	       node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (s[0] == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0);
}

int yw_expect_scalar(struct yw *w, yaml_node_t *node, const char *what)
{
	if (node->type != YAML_SCALAR_NODE)
		return yw_fail(w, node, "must be %s, not %s", what, yw_node_kind(node));
	if (scalar_is_null(node))
		return yw_fail(w, node, "must be %s, not empty", what);
	if (strlen(yw_text(node)) != node->data.scalar.length)
		return yw_fail(w, node, "contains a NUL character");
	return RM_OK;
}

int yw_string(struct yw *w, yaml_node_t *node, const char **out)
{
	int rc = yw_expect_scalar(w, node, "a string");

	if (rc != RM_OK)
		return rc;
	*out = rm_arena_strndup(w->arena, yw_text(node), node->data.scalar.length);
	return *out ? RM_OK : yw_oom(w);
}

int yw_name(struct yw *w, yaml_node_t *node, const char **out)
{
	const char *s;
	size_t i, n;
	int rc = yw_string(w, node, &s);

	if (rc != RM_OK)
		return rc;
	n = strlen(s);
	if (n > YW_MAX_NAME)
		return yw_fail(w, node, "name is %zu characters long; at most %d", n, YW_MAX_NAME);
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return yw_fail(
			    w, node,
			    "\"%s\" is not a valid name (letters, digits, '-', '_' and '.' only)",
			    s);
	}
	*out = s;
	return RM_OK;
}

/* A DNS domain or name (RFC 1035 lengths; letters, digits, '-', '_'). */
int yw_dns_name(struct yw *w, yaml_node_t *node, const char **out)
{
	const char *s;
	size_t label = 0, i, n;
	int rc = yw_string(w, node, &s);

	if (rc != RM_OK)
		return rc;
	n = strlen(s);
	if (n > 253)
		return yw_fail(w, node, "\"%s\" is longer than 253 characters", s);
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0)
				return yw_fail(w, node, "\"%s\" is not a DNS name (empty label)",
					       s);
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return yw_fail(w, node, "\"%s\" is not a DNS name ('%c' is not allowed)", s,
				       c);
		if (++label > 63)
			return yw_fail(
			    w, node, "\"%s\" is not a DNS name (a label is over 63 characters)", s);
	}
	if (label == 0 && n > 0 && s[n - 1] != '.')
		return yw_fail(w, node, "\"%s\" is not a DNS name", s);
	*out = s;
	return RM_OK;
}

int yw_uint(struct yw *w, yaml_node_t *node, unsigned long min, unsigned long max,
	    unsigned long *out)
{
	const char *s;
	unsigned long v = 0;
	size_t i;

	if (node->type != YAML_SCALAR_NODE)
		return yw_fail(w, node, "must be a number, not %s", yw_node_kind(node));
	s = yw_text(node);
	if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return yw_fail(w, node, "must be a number, not the string \"%s\"", s);
	if (s[0] == '\0')
		return yw_fail(w, node, "must be a number, not empty");
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return yw_fail(w, node, "must be a whole number, not \"%s\"", s);
		if (v > (max + 9) / 10 + 1) {
			v = max + 1;
			continue;
		}
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < min || v > max)
		return yw_fail_at(w, yw_pos(node), RM_ERANGE, "%s is out of range %lu..%lu", s, min,
				  max);
	*out = v;
	return RM_OK;
}

int yw_u32(struct yw *w, yaml_node_t *node, unsigned long min, unsigned long max, uint32_t *out)
{
	unsigned long v = 0;
	int rc = yw_uint(w, node, min, max, &v);

	if (rc == RM_OK)
		*out = (uint32_t)v;
	return rc;
}

int yw_percent(struct yw *w, yaml_node_t *node, double *out)
{
	const char *s;
	char *end;
	double v;

	if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return yw_fail(w, node, "must be a number, not %s",
			       node->type == YAML_SCALAR_NODE ? "a string" : yw_node_kind(node));
	s = yw_text(node);
	errno = 0;
	v = strtod(s, &end);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || s[0] == ' ' || s[0] == '+' ||
	    s[0] == '-' || v != v)
		return yw_fail(w, node, "must be a number, not \"%s\"", s);
	if (v < 0.0 || v > 100.0)
		return yw_fail_at(w, yw_pos(node), RM_ERANGE, "%s is out of range 0..100", s);
	*out = v;
	return RM_OK;
}

int yw_addr(struct yw *w, yaml_node_t *node, struct rm_addr *out)
{
	int rc = yw_expect_scalar(w, node, "an IP address");

	if (rc != RM_OK)
		return rc;
	if (cidr_addr_parse(yw_text(node), out) != RM_OK)
		return yw_fail(w, node, "\"%s\" is not an IPv4 or IPv6 address", yw_text(node));
	return RM_OK;
}

int yw_list(struct yw *w, yaml_node_t *node, void *obj,
	    int (*each)(struct yw *, yaml_node_t *, size_t, void *), size_t *count)
{
	yaml_node_item_t *it;
	size_t i = 0, n;

	if (node->type != YAML_SEQUENCE_NODE)
		return yw_fail(w, node, "must be a list, not %s", yw_node_kind(node));
	n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	if (count)
		*count = n;
	for (it = node->data.sequence.items.start; it < node->data.sequence.items.top; it++, i++) {
		size_t old = yw_path_index(w, i);
		int rc = each(w, yw_node(w, *it), i, obj);

		if (rc != RM_OK)
			return rc;
		yw_path_pop(w, old);
	}
	return RM_OK;
}

/* True when a and b differ by at most one edit (a typo such as "zome" for
 * "zone" or "dnsname" for "dnsName"), ignoring case. */
static int near_miss(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i = 0, j = 0;
	int edits = 0;

	if (la > lb + 1 || lb > la + 1)
		return 0;
	while (i < la && j < lb) {
		if ((a[i] | 0x20) == (b[j] | 0x20)) {
			i++;
			j++;
			continue;
		}
		if (++edits > 1)
			return 0;
		if (la > lb)
			i++;
		else if (lb > la)
			j++;
		else {
			i++;
			j++;
		}
	}
	return edits + (int)(la - i) + (int)(lb - j) <= 1;
}

void *yw_list_alloc(struct yw *w, yaml_node_t *v, size_t size, size_t *n)
{
	void *array;

	if (v->type != YAML_SEQUENCE_NODE) {
		yw_fail(w, v, "must be a list, not %s", yw_node_kind(v));
		return NULL;
	}
	*n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	array = rm_arena_calloc(w->arena, *n, size);
	if (array == NULL)
		yw_oom(w);
	return array;
}

/* An unknown key: names the field it is one typo away from, or lists the
 * known ones. */
static int unknown_field(struct yw *w, yaml_node_t *key, const struct yw_field *fields,
			 size_t nfields)
{
	const char *k = yw_text(key);
	char known[256] = "";
	size_t i, used = 0;

	for (i = 0; i < nfields && used < sizeof(known); i++) {
		int n = snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "",
				 fields[i].key);
		if (n > 0)
			used += (size_t)n;
	}
	for (i = 0; i < nfields; i++)
		if (near_miss(k, fields[i].key))
			return yw_fail(w, key, "unknown field \"%s\" (did you mean \"%s\"?)", k,
				       fields[i].key);
	return yw_fail(w, key, "unknown field \"%s\" (known fields: %s)", k, known);
}

int yw_map(struct yw *w, yaml_node_t *node, const struct yw_field *fields, size_t nfields,
	   void *obj)
{
	yaml_node_pair_t *pair;
	yaml_node_t *values[16] = { 0 };
	size_t f;

	if (nfields > ARRAY_SIZE(values))
		return yw_fail(w, node, "internal error: too many fields");
	if (node->type != YAML_MAPPING_NODE)
		return yw_fail(w, node, "must be a mapping, not %s", yw_node_kind(node));
	for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = yw_node(w, pair->key);
		const char *k;

		if (key->type != YAML_SCALAR_NODE)
			return yw_fail(w, key, "a key must be a string, not %s", yw_node_kind(key));
		k = yw_text(key);
		for (f = 0; f < nfields; f++)
			if (strcmp(fields[f].key, k) == 0)
				break;
		if (f == nfields)
			return unknown_field(w, key, fields, nfields);
		if (values[f] != NULL) {
			size_t old = yw_path_key(w, k);

			yw_fail(w, key, "field appears twice (first at line %lu)",
				(unsigned long)values[f]->start_mark.line + 1);
			yw_path_pop(w, old);
			return w->status;
		}
		values[f] = yw_node(w, pair->value);
	}
	for (f = 0; f < nfields; f++) {
		size_t old;
		int rc;

		if (values[f] == NULL) {
			if (fields[f].required)
				return yw_fail(w, node, "missing required field \"%s\"",
					       fields[f].key);
			continue;
		}
		old = yw_path_key(w, fields[f].key);
		rc = fields[f].parse(w, values[f], obj);
		if (rc != RM_OK)
			return rc;
		yw_path_pop(w, old);
	}
	return RM_OK;
}

/* One document, the only one in the stream. */
static int load_document(struct yw *w, yaml_parser_t *parser)
{
	yaml_document_t extra;
	yaml_node_t *root;
	int rc;

	if (!yaml_parser_load(parser, &w->doc)) {
		rm_diag_error(w->diag, "%s:%lu:%lu: YAML syntax error: %s%s%s", w->name,
			      (unsigned long)parser->problem_mark.line + 1,
			      (unsigned long)parser->problem_mark.column + 1,
			      parser->problem ? parser->problem : "unknown problem",
			      parser->context ? " " : "", parser->context ? parser->context : "");
		return RM_EPARSE;
	}
	root = yaml_document_get_root_node(&w->doc);
	if (root == NULL) {
		rm_diag_error(w->diag, "%s:1:1: the file holds no document", w->name);
		yaml_document_delete(&w->doc);
		return RM_EPARSE;
	}
	/* A second document in the stream would be silently ignored: refuse it. */
	if (!yaml_parser_load(parser, &extra)) {
		rm_diag_error(w->diag, "%s:%lu:%lu: YAML syntax error: %s", w->name,
			      (unsigned long)parser->problem_mark.line + 1,
			      (unsigned long)parser->problem_mark.column + 1,
			      parser->problem ? parser->problem : "unknown problem");
		yaml_document_delete(&w->doc);
		return RM_EPARSE;
	}
	rc = RM_OK;
	if (yaml_document_get_root_node(&extra) != NULL) {
		rm_diag_error(w->diag,
			      "%s:%lu:%lu: the file holds more than one YAML document; give one",
			      w->name, (unsigned long)extra.start_mark.line + 1,
			      (unsigned long)extra.start_mark.column + 1);
		rc = RM_EPARSE;
	}
	yaml_document_delete(&extra);
	if (rc != RM_OK)
		yaml_document_delete(&w->doc);
	return rc;
}

/* Refuses nesting deeper than YW_MAX_DEPTH before libyaml builds the
 * document: its scanner's cost grows with the square of the depth (a
 * 160 KB file of nested brackets takes most of a minute), and no document
 * this walker reads needs more than a handful of levels. One pass over the
 * events, stopped at the first node too deep; a syntax error is left for
 * load_document to report. */
static int check_depth(struct yw *w, const uint8_t *data, size_t len)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	unsigned depth = 0;
	int rc = RM_OK;
	bool end = false;

	if (!yaml_parser_initialize(&parser))
		return yw_oom(w);
	yaml_parser_set_input_string(&parser, data, len);
	while (!end && rc == RM_OK && yaml_parser_parse(&parser, &ev)) {
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth > YW_MAX_DEPTH) {
				rm_diag_error(w->diag,
					      "%s:%lu:%lu: nested deeper than %u levels; a "
					      "document of reachmap's needs far fewer",
					      w->name, (unsigned long)ev.start_mark.line + 1,
					      (unsigned long)ev.start_mark.column + 1,
					      YW_MAX_DEPTH);
				rc = RM_EPARSE;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			end = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

int yw_load(struct yw *w, const char *name, const uint8_t *data, size_t len, struct rm_arena *arena,
	    struct rm_diag *diag)
{
	yaml_parser_t parser;
	int rc;

	memset(w, 0, sizeof(*w));
	w->name = name;
	w->arena = arena;
	w->diag = diag;
	if ((rc = check_depth(w, data, len)) != RM_OK)
		return rc;
	if (!yaml_parser_initialize(&parser))
		return yw_oom(w);
	yaml_parser_set_input_string(&parser, data, len);
	rc = load_document(w, &parser);
	yaml_parser_delete(&parser);
	w->loaded = rc == RM_OK;
	return rc;
}

yaml_node_t *yw_root(struct yw *w)
{
	return yaml_document_get_root_node(&w->doc);
}

void yw_done(struct yw *w)
{
	if (w->loaded)
		yaml_document_delete(&w->doc);
	w->loaded = false;
}
