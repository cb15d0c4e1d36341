#include "probes/facts.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "reachmap/arena.h"
#include "reachmap/error.h"
#include "reachmap/wire.h"

static int push_str(struct rm_results_doc *doc, const char ***v, size_t *n, const char *s)
{
	const char **grown = rm_arena_calloc(doc->arena, *n + 1, sizeof(*grown));
	char *copy = rm_arena_strdup(doc->arena, s);

	if (grown == NULL || copy == NULL)
		return RM_ENOMEM;
	if (*n)
		memcpy(grown, *v, *n * sizeof(*grown));
	grown[(*n)++] = copy;
	*v = grown;
	return RM_OK;
}

int facts_parse_resolv(struct rm_results_doc *doc, const char *text)
{
	char line[512];
	const char *p = text;

	while (*p) {
		size_t len = strcspn(p, "\n");
		char *tok, *save = NULL;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p += strcspn(p, "\n");
		if (*p)
			p++;
		tok = strtok_r(line, " \t", &save);
		if (tok == NULL || tok[0] == '#' || tok[0] == ';')
			continue;
		if (strcmp(tok, "nameserver") == 0) {
			tok = strtok_r(NULL, " \t", &save);
			if (tok &&
			    push_str(doc, &doc->nameservers, &doc->nnameservers, tok) != RM_OK)
				return RM_ENOMEM;
		} else if (strcmp(tok, "search") == 0 || strcmp(tok, "domain") == 0) {
			while ((tok = strtok_r(NULL, " \t", &save)) != NULL)
				if (push_str(doc, &doc->search, &doc->nsearch, tok) != RM_OK)
					return RM_ENOMEM;
		}
	}
	return RM_OK;
}

/* /proc/net/route: Iface Destination Gateway Flags RefCnt Use Metric Mask
 * (addresses in hex, host byte order of the kernel that wrote them). */
static int read_routes(struct rm_results_doc *doc)
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[256];
	int rc = RM_OK;

	if (f == NULL)
		return RM_OK;
	if (fgets(line, sizeof(line), f) == NULL) {
		fclose(f);
		return RM_OK;
	}
	while (rc == RM_OK && fgets(line, sizeof(line), f) != NULL) {
		char ifname[IF_NAMESIZE + 1], text[128];
		unsigned dst, gw, flags, mask, bits = 0;
		struct in_addr d, g;
		char ds[INET_ADDRSTRLEN], gs[INET_ADDRSTRLEN];

		if (sscanf(line, "%16s %x %x %x %*s %*s %*s %x", ifname, &dst, &gw, &flags,
			   &mask) != 5)
			continue;
		while (bits < 32 && (ntohl(mask) & (0x80000000u >> bits)))
			bits++;
		d.s_addr = dst;
		g.s_addr = gw;
		inet_ntop(AF_INET, &d, ds, sizeof(ds));
		inet_ntop(AF_INET, &g, gs, sizeof(gs));
		if (gw != 0)
			snprintf(text, sizeof(text), "%s/%u via %s dev %s", ds, bits, gs, ifname);
		else
			snprintf(text, sizeof(text), "%s/%u dev %s", ds, bits, ifname);
		rc = push_str(doc, &doc->routes, &doc->nroutes, text);
	}
	fclose(f);
	return rc;
}

static int read_ifaces(struct rm_results_doc *doc)
{
	struct ifaddrs *all, *i;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = RM_OK;

	if (getifaddrs(&all) != 0) {
		if (s >= 0)
			close(s);
		return RM_OK;
	}
	for (i = all; rc == RM_OK && i != NULL; i = i->ifa_next) {
		struct rm_iface *iface = NULL;
		char a[INET6_ADDRSTRLEN + 8], joined[512];
		size_t k;

		if (i->ifa_addr == NULL ||
		    (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		for (k = 0; k < doc->nifaces; k++)
			if (strcmp(doc->ifaces[k].name, i->ifa_name) == 0)
				iface = &doc->ifaces[k];
		if (iface == NULL) {
			struct rm_iface *grown =
			    rm_arena_calloc(doc->arena, doc->nifaces + 1, sizeof(*grown));
			struct ifreq ifr;

			if (grown == NULL) {
				rc = RM_ENOMEM;
				break;
			}
			if (doc->nifaces)
				memcpy(grown, doc->ifaces, doc->nifaces * sizeof(*grown));
			doc->ifaces = grown;
			iface = &doc->ifaces[doc->nifaces++];
			iface->name = rm_arena_strdup(doc->arena, i->ifa_name);
			iface->addresses = "";
			memset(&ifr, 0, sizeof(ifr));
			snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->ifa_name);
			if (s >= 0 && ioctl(s, SIOCGIFMTU, &ifr) == 0)
				iface->mtu = (unsigned)ifr.ifr_mtu;
		}
		{
			struct rm_addr addr, mask;
			unsigned bits = 0;

			wire_from_sockaddr(i->ifa_addr, &addr, NULL);
			inet_ntop(i->ifa_addr->sa_family, addr.bytes, a, INET6_ADDRSTRLEN);
			if (i->ifa_netmask != NULL &&
			    wire_from_sockaddr(i->ifa_netmask, &mask, NULL) == RM_OK) {
				size_t nb = mask.family == RM_AF_INET ? 4 : 16, b;

				for (b = 0; b < nb * 8 && (mask.bytes[b / 8] & (0x80 >> (b % 8)));
				     b++)
					bits++;
			}
			snprintf(joined, sizeof(joined), "%s%s%s/%u", iface->addresses,
				 iface->addresses[0] ? "," : "", a, bits);
			iface->addresses = rm_arena_strdup(doc->arena, joined);
			if (iface->name == NULL || iface->addresses == NULL)
				rc = RM_ENOMEM;
		}
	}
	freeifaddrs(all);
	if (s >= 0)
		close(s);
	return rc;
}

int facts_collect(struct rm_results_doc *doc, const char *resolv_conf)
{
	char buf[8192];
	size_t n = 0;
	FILE *f;
	int rc = read_ifaces(doc);

	if (rc == RM_OK)
		rc = read_routes(doc);
	if (rc != RM_OK)
		return rc;
	f = fopen(resolv_conf, "r");
	if (f == NULL)
		return RM_OK;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return facts_parse_resolv(doc, buf);
}

int facts_own_address(const struct rm_cluster *c, struct rm_addr *out)
{
	struct ifaddrs *all, *i;
	size_t r;
	int rc = RM_ENOTFOUND;

	memset(out, 0, sizeof(*out));
	if (getifaddrs(&all) != 0)
		return RM_ENOTFOUND;
	/* The ranges in the file's order: a pod's address before a node's
	 * when the host has both. */
	for (r = 0; r < c->nranges && rc != RM_OK; r++)
		for (i = all; i != NULL && rc != RM_OK; i = i->ifa_next) {
			struct rm_addr a;

			if (i->ifa_addr == NULL || (i->ifa_flags & IFF_LOOPBACK) ||
			    wire_from_sockaddr(i->ifa_addr, &a, NULL) != RM_OK ||
			    !cidr_contains(&c->ranges[r].prefix, &a))
				continue;
			*out = a;
			rc = RM_OK;
		}
	freeifaddrs(all);
	return rc;
}
