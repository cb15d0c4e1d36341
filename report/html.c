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

/* The matrix as data for the page's script: the grid, the cells' detail
 * and each cluster's members, as in the json report, and the grid's
 * health: which statuses of each check are healthy, degraded or failing. */
static char *matrix_data(const struct rm_report *r)
{
	struct rm_jb b = { 0 };
	cJSON *root = cJSON_CreateObject(), *clusters;
	size_t c;
	char *text;

	if (root == NULL)
		return NULL;
	report_health_json(&b, report_grid_json(&b, root, &r->matrix));
	report_cells_json(&b, root, &r->matrix);
	clusters = jb_arr(&b, root, "clusters");
	for (c = 0; c < r->topo->nclusters; c++) {
		cJSON *o = cJSON_CreateObject();

		jb_str(&b, o, "name", r->topo->clusters[c].name);
		report_members_json(&b, o, &r->topo->clusters[c]);
		jb_push(&b, clusters, o);
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
    ".good{background:#8c8}.bad{background:#e66}.warn{background:#fc6}.blank{background:#eee}"
    "#cell{font:13px monospace;white-space:pre;margin-top:.5em}"
    "@media print{#bar{display:none}}";

/* The page's script: draws the heat map for the chosen check, rows and
 * columns grouped by cluster and zone. A cell's colour is the worst health
 * of its statuses over the chosen columns, as the analyzer reads them
 * (grid.health in the data; the script knows no status word): healthy
 * green, degraded amber, failing red; hover and click show every column's
 * status and the detail the report kept. */
static const char script[] =
    "(function(){var d=JSON.parse(document.getElementById('data').textContent);var g=d.grid;"
    "var health=g.health||{},look={healthy:'good',degraded:'warn',failing:'bad'};"
    "var nc=g.columns.length;var where={};d.clusters.forEach(function(c){"
    "c.members.forEach(function(m){if(!(m.name in where))where[m.name]=[c.name,m.zone||''];});});"
    "var cidx={},ci=0;g.to.forEach(function(n){var c=(where[n]||[''])[0];"
    "if(!(c in cidx))cidx[c]=ci++;});"
    "function sorted(names){return names.map(function(n,i){return {n:n,i:i};}).sort("
    "function(a,b){var x=where[a.n]||['',''],y=where[b.n]||['',''];"
    "if(cidx[x[0]]!==cidx[y[0]])return cidx[x[0]]-cidx[y[0]];"
    "if(x[1]!==y[1])return x[1]<y[1]?-1:1;return a.i-b.i;});}"
    "var rows=sorted(g.from),cols=sorted(g.to);"
    "var det={};d.cells.forEach(function(c){var k=c.from+'|'+c.to;(det[k]=det[k]||[]).push(c);});"
    "var checks=['all'];g.columns.forEach(function(c){var b=c.split('/')[0];"
    "if(checks.indexOf(b)<0)checks.push(b);});"
    "g.columns.forEach(function(c){if(c.indexOf('/')>0)checks.push(c);});"
    "function picked(ch){var v=[];g.columns.forEach(function(c,j){"
    "if(ch==='all'||c===ch||c.split('/')[0]===ch)v.push(j);});return v;}"
    "function st(r,c,j){var x=g.rows[r].charAt(c*nc+j);return "
    "x==='.'?null:g.statuses[x.charCodeAt(0)-97];}"
    "var "
    "bar=document.getElementById('bar'),map=document.getElementById('map'),info=document."
    "getElementById('cell');"
    "function cls(r,c,cols_){var w='blank';cols_.forEach(function(j){var s=st(r,c,j);if(!s)return;"
    "var h=look[(health[g.columns[j].split('/')[0]]||{})[s]]||'bad';"
    "if(h==='good'){if(w==='blank')w='good';}else if(h==='warn'){if(w!=='bad')w='warn';}else "
    "w='bad';});return w;}"
    "function txt(r,c){var f=g.from[r],t=g.to[c],out=[f+' -> '+t];"
    "g.columns.forEach(function(col,j){var s=st(r,c,j);if(s)out.push('  '+col+': '+s);});"
    "(det[f+'|'+t]||[]).forEach(function(x){var m=[];['rttMs','icmpFrom','answers','responder',"
    "'seen','largestWorking','lastHop','error'].forEach(function(k){if(x[k]!==undefined)"
    "m.push(k+'='+x[k]);});if(x.arrived!==undefined)m.push(x.arrived?'arrived':'did not "
    "arrive');"
    "if(m.length)out.push('  '+x.check+(x.port?'/'+x.port:'')+' '+m.join(' '));});"
    "if(out.length===1)out.push('  no result');return out.join('\\n');}"
    "function "
    "draw(ch){bar.querySelectorAll('button').forEach(function(b){b.className=b.textContent===ch?'"
    "on':'';});var cs=picked(ch);"
    "var h='<table><tr><th></th>'+cols.map(function(c){var w=where[c.n]||['',''];return '<th "
    "title=\"'+w[0]+' '+w[1]+'\">'+c.n+'</th>';}).join('')+'</tr>';"
    "rows.forEach(function(r){var w=where[r.n]||['',''];h+='<tr><th>'+w[0]+(w[1]?' / "
    "'+w[1]:'')+' / '+r.n+'</th>';cols.forEach(function(c){"
    "h+='<td class=\"c '+cls(r.i,c.i,cs)+'\" data-k=\"'+r.i+'|'+c.i+'\" "
    "title=\"'+txt(r.i,c.i).replace(/\"/g,'')+'\"></td>';});h+='</tr>';});"
    "map.innerHTML=h+'</table>';}"
    "checks.forEach(function(ch){var b=document.createElement('button');b.textContent=ch;"
    "b.onclick=function(){draw(ch);};bar.appendChild(b);});"
    "map.onclick=function(e){var "
    "k=e.target.getAttribute('data-k');if(k){var "
    "p=k.split('|');info.textContent=txt(+p[0],+p[1]);}};"
    "draw('all');})();";

static int render_html(const struct rm_report *r, FILE *out)
{
	char *data = matrix_data(r);
	size_t i, k;

	if (data == NULL)
		return RM_ENOMEM;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
	      out);
	if (r->refresh_s > 0)
		fprintf(out, "<meta http-equiv=\"refresh\" content=\"%u\">", r->refresh_s);
	fputs("<title>reachmap report</title><style>", out);
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
	.description = "one self-contained page: findings, heat map",
	.render = render_html,
};
