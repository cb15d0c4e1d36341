#include "analyze/words.h"

const char *an_ne(const char *s)
{
	return s != NULL ? s : "";
}

const char *an_addr(struct rm_arena *a, const struct rm_addr *x)
{
	char buf[RM_ADDR_STRLEN];

	return an_ne(rm_arena_strdup(a, cidr_addr_format(x, buf, sizeof(buf))));
}

const char *an_prefix(struct rm_arena *a, const struct rm_prefix *x)
{
	char buf[RM_PREFIX_STRLEN];

	return an_ne(rm_arena_strdup(a, cidr_format(x, buf, sizeof(buf))));
}

const char *an_join(struct rm_arena *a, const char *list, const char *item)
{
	return an_ne(rm_arena_printf(a, "%s%s%s", list, list[0] ? ", " : "", item));
}

const char *an_pods(struct rm_arena *a, const struct rm_cluster *cl)
{
	const char *s = "";
	size_t r;

	if (cl == NULL)
		return s;
	for (r = 0; r < cl->nranges; r++)
		if (cl->ranges[r].kind == RM_RANGE_PODS)
			s = an_join(a, s, an_prefix(a, &cl->ranges[r].prefix));
	return s[0] ? s : cl->name;
}

const char *an_dns_servers(struct rm_arena *a, const struct rm_cluster *cl)
{
	const char *s = "";
	size_t k;

	for (k = 0; cl != NULL && k < cl->ndns_servers; k++)
		s = an_join(a, s, an_addr(a, &cl->dns_servers[k]));
	return s;
}

const char **an_one(struct rm_arena *a, const char *s)
{
	const char **v = rm_arena_calloc(a, 1, sizeof(*v));

	if (v != NULL)
		v[0] = s;
	return v;
}

bool an_in_pods(const struct rm_cluster *cl, const struct rm_addr *x)
{
	size_t r;

	for (r = 0; cl != NULL && r < cl->nranges; r++)
		if (cl->ranges[r].kind == RM_RANGE_PODS && cidr_contains(&cl->ranges[r].prefix, x))
			return true;
	return false;
}
