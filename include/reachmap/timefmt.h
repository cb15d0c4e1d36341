/* Times in documents: RFC 3339, UTC, whole seconds. */
#ifndef REACHMAP_TIMEFMT_H
#define REACHMAP_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define RM_TIME_STRLEN 21 /* "2026-11-24T09:00:00Z" and NUL */

/* Writes `t` as "YYYY-MM-DDTHH:MM:SSZ" into buf; returns buf. */
char *rm_time_format(time_t t, char *buf, size_t len);
/* A UTC time as documents carry it ("YYYY-MM-DDTHH:MM:SSZ", a fraction of
 * a second allowed and dropped) in ms since the epoch; -1 when s is not
 * one. */
int64_t rm_time_parse_ms(const char *s);

/* The time a document should carry: SOURCE_DATE_EPOCH when that is set to a
 * valid number (reproducible output, https://reproducible-builds.org/specs/
 * source-date-epoch/), otherwise the clock. */
time_t rm_time_document(void);

#endif
