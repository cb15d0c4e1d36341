#include <string.h>

#include "reachmap/util.h"
#include "report/report-internal.h"

static const struct report_ops *const renderers[] = {
	&report_text, &report_json, &report_junit, &report_prom, &report_html,
};

const struct report_ops *report_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(renderers); i++)
		if (strcmp(renderers[i]->name, name) == 0)
			return renderers[i];
	return NULL;
}

const struct report_ops *report_nth(size_t i)
{
	return i < ARRAY_SIZE(renderers) ? renderers[i] : NULL;
}

void report_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}
