/* The topology as YAML in the layout of examples/two-dc.yaml, a comment
 * above each value saying where it came from. Every value written here was
 * checked when read (CIDRs, addresses, DNS names, ports), so the loader
 * takes the text as it is; `reachmap init` loads it again to run plan. */
#include <string.h>

#include "kube/init-internal.h"
#include "reachmap/error.h"

#define WRAP 79

/* "# text" at `indent`, wrapped at spaces to WRAP columns. */
static void comment(FILE *out, int indent, const char *text)
{
	size_t width = WRAP - (size_t)indent - 2, i;

	while (*text != '\0') {
		size_t n = strlen(text), cut = n;

		if (n > width) {
			for (cut = width; cut > 0 && text[cut] != ' '; cut--)
				;
			if (cut == 0) /* one long word: let it run over */
				for (cut = width; text[cut] != '\0' && text[cut] != ' '; cut++)
					;
		}
		fprintf(out, "%*s# ", indent, "");
		/* Names in the dumps are not trusted to be printable ASCII: a
		 * newline would end the comment, a byte that is not UTF-8 would
		 * make the file no YAML. */
		for (i = 0; i < cut; i++)
			fputc((unsigned char)text[i] < 0x20 || (unsigned char)text[i] >= 0x7f
				  ? '?'
				  : text[i],
			      out);
		fputc('\n', out);
		text += cut;
		while (*text == ' ')
			text++;
	}
}

static void prefixes(FILE *out, const struct kranges *l)
{
	char buf[RM_PREFIX_STRLEN];
	size_t i;

	fputc('[', out);
	for (i = 0; i < l->n; i++)
		fprintf(out, "%s%s", i ? ", " : "", cidr_format(&l->v[i], buf, sizeof(buf)));
	fputs("]\n", out);
}

static void emit_ports(FILE *out, const struct kube_topo *t)
{
	const char *last = NULL;
	size_t i;

	fputs("defaults:\n  ports:\n", out);
	for (i = 0; i < t->nports; i++) {
		const struct kport *p = &t->ports[i];

		if (last == NULL || strcmp(last, p->from) != 0)
			comment(out, 4, p->from);
		last = p->from;
		fprintf(out, "    - {name: %s, port: %u%s}\n", p->name, p->port,
			p->role == KPORT_CQL ? ", protocol: cql" : "");
	}
	fputs("  timeoutMs: 1000\n  rate: 1000\n  mtu: 1500\n", out);
}

static void emit_cidrs(FILE *out, const struct kcluster *c)
{
	const struct {
		const char *key;
		const struct kranges *r;
	} kinds[] = { { "nodes", &c->nodes_r },
		      { "pods", &c->pods },
		      { "services", &c->services } };
	size_t k;

	fputs("    cidrs:\n", out);
	for (k = 0; k < 3; k++) {
		if (kinds[k].r->n == 0)
			continue;
		comment(out, 6, kinds[k].r->from);
		fprintf(out, "      %s: ", kinds[k].key);
		prefixes(out, kinds[k].r);
	}
	if (c->pods.n == 0)
		comment(out, 6,
			"no pods range: no node has a podCIDR and no pod has an IP; add the "
			"cluster's pod range here");
}

static bool domain_shared(const struct kube_topo *t, const struct kcluster *c)
{
	size_t i;

	for (i = 0; i < t->nclusters; i++)
		if (&t->clusters[i] != c && strcmp(t->clusters[i].domain, c->domain) == 0)
			return true;
	return false;
}

static void emit_dns(FILE *out, const struct kube_topo *t, const struct kcluster *c)
{
	char buf[RM_ADDR_STRLEN];
	size_t i;

	fputs("    dns:\n", out);
	if (c->domain_from != NULL)
		comment(out, 6, c->domain_from);
	else
		comment(
		    out, 6,
		    "assumed: cluster.local, Kubernetes' default; the domain (the kubelet's "
		    "--cluster-domain) is not in the dump. Two clusters with one domain clash: "
		    "a stub domain cannot tell their names apart (plan's dns-domain-clash); give "
		    "each cluster a domain of its own and write it here.");
	if (c->domain_from == NULL && domain_shared(t, c))
		comment(out, 6, "Another cluster of this topology has it too.");
	fprintf(out, "      domain: %s\n", c->domain);
	if (c->dns.n == 0) {
		comment(out, 6,
			"no Service kube-system/kube-dns (label k8s-app=kube-dns) in the dump");
		return;
	}
	comment(out, 6, c->dns_from);
	fputs("      servers: [", out);
	for (i = 0; i < c->dns.n; i++)
		fprintf(out, "%s%s", i ? ", " : "",
			cidr_addr_format(&c->dns.v[i], buf, sizeof(buf)));
	fputs("]\n", out);
}

static void emit_probes(FILE *out, const struct kube_topo *t, const struct kcluster *c)
{
	char what[256];
	size_t i;

	if (t->probes_per_zone == 1)
		snprintf(what, sizeof(what), "One probe per zone");
	else
		snprintf(what, sizeof(what), "%u probes per zone (--probes-per-zone)",
			 t->probes_per_zone);
	snprintf(what + strlen(what), sizeof(what) - strlen(what),
		 ", named as the agents' StatefulSet per zone names its pods: "
		 "<cluster>-<the zone's last part>-<ordinal>. No address: a pod gets one when "
		 "it starts; the agent resolves the dnsName and registers it.");
	comment(out, 4, c->nzones ? what : "no zone labels: one probe for the whole cluster");
	fputs("    probes:\n", out);
	for (i = 0; i < c->nprobes; i++) {
		const struct kprobe *p = &c->probes[i];

		fprintf(out, "      - {name: %s", p->name);
		if (p->zone != NULL)
			fprintf(out, ", zone: %s", p->zone);
		fprintf(out, ", dnsName: %s.reachmap.reachmap.svc.%s}\n", p->name, c->domain);
	}
}

static void emit_target(FILE *out, const struct kube_topo *t, const struct ktarget *tg)
{
	char buf[RM_ADDR_STRLEN];
	int r;

	fprintf(out, "      - {name: %s", tg->name);
	if (tg->addr.family != RM_AF_NONE)
		fprintf(out, ", address: %s", cidr_addr_format(&tg->addr, buf, sizeof(buf)));
	if (tg->zone != NULL)
		fprintf(out, ", zone: %s", tg->zone);
	if (tg->dns != NULL)
		fprintf(out, ", dnsName: %s", tg->dns);
	fputs(", ports: [", out);
	for (r = 0; r < KPORT_ROLES; r++)
		fprintf(out, "%s%s", r ? ", " : "", t->ports[tg->spec->port[r]].name);
	fprintf(out, "]}  # datacenter %s", tg->dc);
	if (tg->rack != NULL)
		fprintf(out, ", rack %s", tg->rack);
	fprintf(out, "%s%s\n", tg->seed ? ", seed node" : "",
		tg->addr.family == RM_AF_NONE ? ", no IP yet" : "");
}

static void emit_targets(FILE *out, const struct kube_topo *t, const struct kcluster *c)
{
	char what[512];
	size_t i;

	if (c->ntargets == 0) {
		snprintf(
		    what, sizeof(what),
		    "no targets: no pod in %s has the label cassandra.datastax.com/datacenter "
		    "(Cassandra is not deployed yet: the probes' stand-ins listen on its ports)",
		    c->file);
		comment(out, 4, what);
		return;
	}
	snprintf(what, sizeof(what),
		 "Cassandra's pods in %s (label cassandra.datastax.com/datacenter): address from "
		 "status.podIP, zone from their node's label, dnsName from spec.hostname and "
		 "spec.subdomain (cass-operator's StatefulSets are governed by "
		 "<cluster>-<dc>-all-pods-service), ports from their datacenter's spec.",
		 c->file);
	comment(out, 4, what);
	fputs("    targets:\n", out);
	for (i = 0; i < c->ntargets; i++)
		emit_target(out, t, &c->targets[i]);
}

static void emit_cluster(FILE *out, const struct kube_topo *t, const struct kcluster *c)
{
	size_t i;
	char what[256];

	snprintf(what, sizeof(what), "from %s, named by %s", c->file, c->name_from);
	comment(out, 2, what);
	fprintf(out, "  - name: %s\n", c->name);
	if (c->nzones > 0) {
		comment(out, 4, c->zones_from);
		fputs("    zones: [", out);
		for (i = 0; i < c->nzones; i++)
			fprintf(out, "%s%s", i ? ", " : "", c->zones[i].zone);
		fputs("]\n", out);
	}
	emit_cidrs(out, c);
	emit_dns(out, t, c);
	emit_probes(out, t, c);
	emit_targets(out, t, c);
}

/* Every port of a role, for the expectations. */
static void role_ports(FILE *out, const struct kube_topo *t, const enum kport_role *roles, size_t n)
{
	size_t i, r, k = 0;

	for (r = 0; r < n; r++)
		for (i = 0; i < t->nports; i++)
			if (t->ports[i].role == roles[r])
				fprintf(out, "%s%s", k++ ? ", " : "", t->ports[i].name);
}

int kube_init_write(const struct kube_topo *t, FILE *out)
{
	static const enum kport_role open[] = { KPORT_GOSSIP, KPORT_GOSSIP_TLS, KPORT_CQL };
	static const enum kport_role closed[] = { KPORT_JMX };
	char head[1024];
	size_t i, used;
	int n;

	n = snprintf(head, sizeof(head), "Written by `reachmap init` from");
	used = n > 0 ? (size_t)n : 0;
	for (i = 0; i < t->nroots && used < sizeof(head); i++) {
		n = snprintf(head + used, sizeof(head) - used, "%s %s",
			     i == 0		  ? ""
			     : i + 1 == t->nroots ? " and"
						  : ",",
			     t->inputs[i]);
		used += n > 0 ? (size_t)n : 0;
	}
	if (used < sizeof(head))
		snprintf(head + used, sizeof(head) - used,
			 ". Each value's comment says where it came from; those marked "
			 "\"assumed\" are guesses to check.");
	comment(out, 0, head);
	fputs("version: 1\n", out);
	emit_ports(out, t);
	fputs("clusters:\n", out);
	for (i = 0; i < t->nclusters; i++)
		emit_cluster(out, t, &t->clusters[i]);
	comment(out, 0,
		"What Cassandra needs, as examples/two-dc.yaml has it: gossip and CQL open "
		"between every pair, JMX closed, every DNS name resolving.");
	fputs("expect:\n  - {from: \"*\", to: \"*\", ports: [", out);
	role_ports(out, t, open, 3);
	fputs("], reach: open}\n  - {from: \"*\", to: \"*\", ports: [", out);
	role_ports(out, t, closed, 1);
	fputs("], reach: blocked}\n  - {from: \"*\", to: \"*\", dns: resolves}\n"
	      "thresholds: {rttWarnMs: 50, rttErrorMs: 150, lossWarnPct: 1}\n",
	      out);
	return ferror(out) ? RM_EIO : RM_OK;
}
