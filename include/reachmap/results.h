/* Checks and the fixed status words of their results (DESIGN.md, "Checks and
 * their statuses"). The analyzer and every renderer use these words; the
 * probe engine produces them. */
#ifndef REACHMAP_RESULTS_H
#define REACHMAP_RESULTS_H

#include <stdbool.h>

enum rm_check {
	RM_CHECK_ICMP = 0,
	RM_CHECK_TCP,
	RM_CHECK_DNS,
	RM_CHECK_IDENTITY,
	RM_CHECK_NAT,
	RM_CHECK_MTU,
	RM_CHECK_CQL,
	RM_CHECK_PATH,
	RM_CHECK_COUNT,
};

/* One enum for the words of every check; a word such as "ok" or "timeout"
 * serves several checks. rm_status_valid says which belong to which. */
enum rm_check_status {
	RM_STATUS_OK = 0,
	RM_STATUS_LOSS,
	RM_STATUS_UNREACHABLE,
	RM_STATUS_REJECTED,
	RM_STATUS_TIMEOUT,
	RM_STATUS_OPEN,
	RM_STATUS_REFUSED,
	RM_STATUS_FILTERED,
	RM_STATUS_NO_ROUTE,
	RM_STATUS_NXDOMAIN,
	RM_STATUS_SERVFAIL,
	RM_STATUS_WRONG_ANSWER,
	RM_STATUS_MISMATCH,
	RM_STATUS_NO_RESPONDER,
	RM_STATUS_NONE,
	RM_STATUS_SNAT,
	RM_STATUS_FRAGMENTATION_NEEDED,
	RM_STATUS_BLACKHOLE,
	RM_STATUS_NOT_CQL,
	RM_STATUS_CLOSED,
	RM_STATUS_COUNT,
};

/* "icmp", "tcp", ...; "ok", "fragmentation-needed", ... Static strings;
 * "unknown" for a value out of range. */
const char *rm_check_name(enum rm_check check);
const char *rm_status_name(enum rm_check_status status);

/* The check or status a word names: 0 and *out, or RM_ENOTFOUND. */
int rm_check_parse(const char *word, enum rm_check *out);
int rm_status_parse(const char *word, enum rm_check_status *out);

/* Whether `status` is one of `check`'s words. */
bool rm_status_valid(enum rm_check check, enum rm_check_status status);

/* Whether the status means the check found things as they should be (icmp
 * ok, tcp open, nat none, ...). A port expected blocked judges "open" the
 * other way; that is the analyzer's business, not this table's. */
bool rm_status_healthy(enum rm_check check, enum rm_check_status status);

#endif
