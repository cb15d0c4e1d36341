/* One self-contained HTML file (no external assets): the verdict, the
 * findings with evidence and remedies (plain HTML, so it prints and reads
 * without script), and a heat map of the probe x destination matrix grouped
 * by cluster, switchable by check, with each cell's counts on hover and
 * click (a small script over the data embedded as JSON); tcp also port by
 * port. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "reachmap/error.h"
#include "reachmap/jsonw.h"
#include "report/report-internal.h"

static const char *cluster_of(const struct rm_topology *t, const char *name)
{
	size_t c, i;

	for (c = 0; c < t->nclusters; c++) {
		for (i = 0; i < t->clusters[c].nprobes; i++)
			if (strcmp(t->clusters[c].probes[i].name, name) == 0)
				return t->clusters[c].name;
		for (i = 0; i < t->clusters[c].ntargets; i++)
			if (strcmp(t->clusters[c].targets[i].name, name) == 0)
				return t->clusters[c].name;
	}
	return "?";
}

/* The matrix as data for the page's script: rows (probes), columns
 * (destinations), each with its cluster, and the cells' counts. */
static char *matrix_data(const struct rm_report *r)
{
	struct rm_jb b = { 0 };
	cJSON *root = cJSON_CreateObject(), *cells, *names;
	size_t i, k;
	int c, st;
	char *text;

	names = jb_obj(&b, root, "cluster");
	cells = jb_arr(&b, root, "cells");
	for (i = 0; i < r->matrix.nprobes; i++) {
		const struct rm_pair_counts *p = &r->matrix.probes[i];
		cJSON *o = cJSON_CreateObject(), *ch = NULL;

		if (!cJSON_HasObjectItem(names, p->from))
			jb_str(&b, names, p->from, cluster_of(r->topo, p->from));
		if (!cJSON_HasObjectItem(names, p->to))
			jb_str(&b, names, p->to, cluster_of(r->topo, p->to));
		jb_str(&b, o, "from", p->from);
		jb_str(&b, o, "to", p->to);
		ch = jb_obj(&b, o, "checks");
		for (c = 0; c < RM_CHECK_COUNT; c++) {
			cJSON *co = NULL;

			for (st = 0; st < RM_STATUS_COUNT; st++) {
				if (p->counts[c][st] == 0)
					continue;
				if (co == NULL)
					co = jb_obj(&b, ch, rm_check_name((enum rm_check)c));
				jb_num(&b, co, rm_status_name((enum rm_check_status)st),
				       p->counts[c][st]);
			}
		}
		/* Each tcp port as a check of its own, "tcp/7000", for the map's
		 * port buttons. */
		for (k = 0; k < p->nports; k++) {
			char key[16];
			cJSON *co;

			snprintf(key, sizeof(key), "tcp/%u", p->ports[k]);
			co = jb_obj(&b, ch, key);
			for (st = 0; st < RM_STATUS_COUNT; st++)
				if (p->port_counts[k][st])
					jb_num(&b, co, rm_status_name((enum rm_check_status)st),
					       p->port_counts[k][st]);
		}
		jb_push(&b, cells, o);
	}
	text = b.failed ? NULL : cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}

static const char style[] =
    "body{font:15px/1.4 system-ui,sans-serif;margin:1em;color:#222}"
    "h1{font-size:1.3em}.fail{color:#b00}.pass{color:#070}"
    ".f{border-left:4px solid #b00;padding:.2em .6em;margin:.6em 0}"
    ".f.warning{border-color:#d90}.f.info{border-color:#888}"
    ".k{font-weight:600}.fix{color:#444}.ev{font:12px monospace;color:#555}"
    "#bar button{margin:.1em;padding:.3em .6em}#bar button.on{background:#333;color:#fff}"
    "#map{overflow:auto;max-width:100%}#map table{border-collapse:collapse}"
    "#map td,#map th{border:1px solid #ddd;padding:2px 4px;font-size:12px;white-space:nowrap}"
    "#map td.c{width:1.6em;height:1.6em;cursor:pointer}"
    ".ok{background:#8c8}.bad{background:#e66}.warn{background:#fc6}.none{background:#eee}"
    "#cell{font:13px monospace;white-space:pre;margin-top:.5em}"
    "@media print{#bar{display:none}}";

/* The page's script: draws the heat map for the chosen check. Healthy
 * words are green, fragmentation-needed and loss amber, the rest red. */
static const char script[] =
    "(function(){var d=JSON.parse(document.getElementById('data').textContent);"
    "var good={ok:1,open:1,none:1,'fragmentation-needed':1};var amber={loss:1};"
    "var rows=[],cols=[];d.cells.forEach(function(c){if(rows.indexOf(c.from)<0)rows.push(c.from);"
    "if(cols.indexOf(c.to)<0)cols.push(c.to);});"
    "function byCl(a,b){var x=d.cluster[a]+'/'+a,y=d.cluster[b]+'/'+b;return x<y?-1:x>y?1:0;}"
    "rows.sort(byCl);cols.sort(byCl);var "
    "idx={};d.cells.forEach(function(c){idx[c.from+'|'+c.to]=c;});"
    "var "
    "seen={};d.cells.forEach(function(c){Object.keys(c.checks).forEach(function(k){seen[k]=1;});});"
    "var order=['icmp','tcp','cql','identity','nat','dns','mtu','path'];"
    "var checks=['all'].concat(order.filter(function(k){return seen[k];}),"
    "Object.keys(seen).filter(function(k){return k.indexOf('tcp/')===0;}).sort());"
    "var "
    "bar=document.getElementById('bar'),map=document.getElementById('map'),info=document."
    "getElementById('cell');"
    "function cls(c,ch){if(!c)return 'none';var w='ok',n=0;var "
    "list=ch==='all'?Object.keys(c.checks).filter(function(k){return k.indexOf('/')<0;}):[ch];"
    "list.forEach(function(k){var s=c.checks[k]||{};Object.keys(s).forEach(function(st){n+=s[st];"
    "if(!good[st]){w=(amber[st]&&w!=='bad')?'warn':'bad';}});});return n?w:'none';}"
    "function txt(c){if(!c)return 'no result';return c.from+' -> "
    "'+c.to+'\\n'+Object.keys(c.checks).map(function(k){"
    "return '  '+k+': '+Object.keys(c.checks[k]).map(function(s){return s+' "
    "'+c.checks[k][s];}).join(', ');}).join('\\n');}"
    "function "
    "draw(ch){bar.querySelectorAll('button').forEach(function(b){b.className=b.textContent===ch?'"
    "on':'';});"
    "var h='<table><tr><th></th>'+cols.map(function(c){return '<th "
    "title=\"'+d.cluster[c]+'\">'+c+'</th>';}).join('')+'</tr>';"
    "rows.forEach(function(r){h+='<tr><th>'+d.cluster[r]+' / "
    "'+r+'</th>';cols.forEach(function(c){var x=idx[r+'|'+c];"
    "h+='<td class=\"c '+cls(x,ch)+'\" data-k=\"'+r+'|'+c+'\" "
    "title=\"'+txt(x).replace(/\"/g,'')+'\"></td>';});h+='</tr>';});"
    "map.innerHTML=h+'</table>';}"
    "checks.forEach(function(ch){var b=document.createElement('button');b.textContent=ch;"
    "b.onclick=function(){draw(ch);};bar.appendChild(b);});"
    "map.onclick=function(e){var "
    "k=e.target.getAttribute('data-k');if(k)info.textContent=txt(idx[k]);};"
    "draw('all');})();";

static int render_html(const struct rm_report *r, FILE *out)
{
	char *data = matrix_data(r);
	size_t i, k;

	if (data == NULL)
		return RM_ENOMEM;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	      "<title>reachmap report</title><style>",
	      out);
	fputs(style, out);
	fputs("</style></head><body>\n<h1>reachmap: <span class=\"", out);
	fputs(r->pass ? "pass\">PASS" : "fail\">FAIL", out);
	fprintf(out, "</span></h1>\n<p>%zu errors, %zu warnings; topology ",
		r->counts[RM_SEV_ERROR], r->counts[RM_SEV_WARNING]);
	report_escape(out, r->topo->path);
	fputs("; generated ", out);
	report_escape(out, r->generated);
	fputs("</p>\n<h2>Findings</h2>\n", out);
	if (r->findings.n == 0)
		fputs("<p>None.</p>\n", out);
	for (i = 0; i < r->findings.n; i++) {
		const struct rm_finding *f = &r->findings.v[i];

		fprintf(out, "<div class=\"f %s\"><span class=\"k\">%s</span> ",
			finding_severity_name(f->severity), finding_kind_name(f->kind));
		report_escape(out, f->summary);
		for (k = 0; k < f->nevidence && k < 4; k++) {
			const struct rm_evidence *e = &f->evidence[k];

			fputs("<div class=\"ev\">", out);
			if (e->from && e->to) {
				report_escape(out, e->from);
				fputs(" -&gt; ", out);
				report_escape(out, e->to);
				fputc(' ', out);
				report_escape(out, e->check);
				if (e->port)
					fprintf(out, "/%u", e->port);
				fputc(' ', out);
				report_escape(out, e->status);
				if (e->arrived >= 0)
					fputs(e->arrived ? " (arrived)" : " (did not arrive)", out);
			} else {
				report_escape(out, e->cluster);
				fputc(' ', out);
				report_escape(out, e->kind);
				fputc(' ', out);
				report_escape(out, e->range	? e->range
						   : e->address ? e->address
								: e->name);
			}
			fputs("</div>", out);
		}
		fputs("<div class=\"fix\">fix: ", out);
		report_escape(out, f->remedy);
		fputs("</div></div>\n", out);
	}
	fputs(
	    "<h2>Matrix</h2>\n<div id=\"bar\"></div><div id=\"map\"></div><div id=\"cell\"></div>\n"
	    "<script type=\"application/json\" id=\"data\">",
	    out);
	/* "</" may not appear inside a script element. */
	for (i = 0; data[i]; i++) {
		if (data[i] == '<' && data[i + 1] == '/')
			fputs("<\\", out);
		else
			fputc(data[i], out);
	}
	cJSON_free(data);
	fputs("</script>\n<script>", out);
	fputs(script, out);
	fputs("</script>\n</body></html>\n", out);
	return ferror(out) ? RM_EIO : RM_OK;
}

const struct report_ops report_html = {
	.name = "html",
	.description = "one self-contained HTML file: findings and a heat map",
	.render = render_html,
};
