/*
 * html.c — the self-contained HTML report of a study (`liandan report`, and each study's page
 * in the dashboard), plus the public entry points that write one chart (ld_report_svg) and the
 * dashboard's change stamp.
 *
 * The page is one file: inline SVG, inline CSS, one small inline script (a sortable trial table,
 * and in the dashboard a poll that refreshes the page when the study changes). A Content
 * Security Policy forbids every request except the dashboard's own poll, so nothing ever leaves
 * the machine, and the file can be mailed (a 500-trial study stays well under 2 MB).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report_data.h"

static const char *const kind_names[] = {
    [LD_PLOT_CURVES] = "curves", [LD_PLOT_HISTORY] = "history", [LD_PLOT_PARALLEL] = "parallel",
    [LD_PLOT_SLICE] = "slice", [LD_PLOT_IMPORTANCE] = "importance",
};

const char *ld_plot_kind_name(ld_plot_kind kind)
{
    return (unsigned)kind < sizeof kind_names / sizeof *kind_names ? kind_names[kind] : "?";
}

int ld_plot_kind_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof kind_names / sizeof *kind_names; i++)
        if (strcmp(kind_names[i], name) == 0)
            return (int)i;
    return -1;
}

/* Turns the stream's state into a status, with the reason on the report. */
static ld_status finish_write(ld_report *r, FILE *out)
{
    if (fflush(out) != 0 || ferror(out)) {
        snprintf(r->err, sizeof r->err, "cannot write the output: %s", strerror(errno));
        return LD_ERR_IO;
    }
    return LD_OK;
}

ld_status ld_report_svg(ld_report *r, ld_plot_kind kind, int trial, FILE *out)
{
    switch (kind) {
    case LD_PLOT_CURVES:
        if (trial >= 0) {
            long i = rd_find_trial(r, trial);
            if (i < 0) {
                snprintf(r->err, sizeof r->err, "study '%s' has no trial %d", r->info.name,
                         trial);
                return LD_ERR_NOTFOUND;
            }
            fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
            rd_svg_curves(r, &r->trials[i], out, 1);
        } else {
            fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
            rd_svg_overlay(r, out, 1);
        }
        break;
    case LD_PLOT_HISTORY:
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
        rd_svg_history(r, out, 1);
        break;
    case LD_PLOT_PARALLEL:
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
        rd_svg_parallel(r, out, 1);
        break;
    case LD_PLOT_SLICE:
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
        rd_svg_slice(r, out, 1);
        break;
    case LD_PLOT_IMPORTANCE:
        fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
        rd_svg_importance(r, out, 1);
        break;
    default:
        snprintf(r->err, sizeof r->err, "unknown chart kind %d", (int)kind);
        return LD_ERR_INPUT;
    }
    return finish_write(r, out);
}

/* ---- the change stamp ------------------------------------------------------------------ */

/* Counts, best and compute time change with every finished trial; while trials run, a clock
   bucket of 3 s makes their new epochs show up too. */
static void stamp_of(const ld_study_info *s, char *buf, size_t size)
{
    long bucket = s->counts[LD_TRIAL_RUNNING] ? (long)(time(NULL) / 3) : 0;
    snprintf(buf, size, "%zu-%zu-%zu-%zu-%zu-%zu-%d-%.17g-%.3f-%ld", s->n_trials,
             s->counts[0], s->counts[1], s->counts[2], s->counts[3], s->counts[4],
             s->has_best ? s->best_number : -1, s->has_best ? s->best_value : 0,
             s->compute_seconds, bucket);
}

ld_status ld_report_stamp(ld_db *db, const char *study, char **out)
{
    *out = NULL;
    ld_study_info info;
    ld_status st = ld_db_get_study(db, study, &info);
    if (st != LD_OK)
        return st;
    char buf[256];
    stamp_of(&info, buf, sizeof buf);
    ld_study_info_clear(&info);
    *out = malloc(strlen(buf) + 1);
    if (!*out)
        return LD_ERR_NOMEM;
    strcpy(*out, buf);
    return LD_OK;
}

/* ---- the page -------------------------------------------------------------------------- */

static const char css[] =
    "body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fafafa}"
    "main{max-width:1180px;margin:0 auto;padding:16px 24px}"
    "h1{font-size:22px;margin:8px 0}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid "
    "#ddd}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}"
    "dt{color:#666}dd{margin:0}"
    ".why{font-size:15px;color:#333}"
    "svg.chart{background:#fff;border:1px solid #e4e4e4;max-width:100%;height:auto}"
    ".trials{display:flex;flex-wrap:wrap;gap:10px}"
    "figure{margin:0}figcaption{font-size:12px;color:#444}"
    ".complete{color:#1a7f37}.pruned{color:#9a6700}.failed{color:#cf222e}.running{color:#0969da}"
    "table{border-collapse:collapse;font-size:12px;background:#fff}"
    "th,td{border:1px solid #e4e4e4;padding:2px 6px;text-align:right;white-space:nowrap}"
    "th{cursor:pointer;background:#f0f0f0;position:sticky;top:0}"
    "td.t{text-align:left;white-space:normal}"
    "pre{background:#fff;border:1px solid #e4e4e4;padding:8px;overflow:auto}"
    "nav a{color:#0969da}.note{color:#666;font-size:12px}"
    "[data-trial]{cursor:pointer}path.sel{stroke:#000!important;stroke-width:3px;"
    "stroke-opacity:1!important}circle.sel{stroke:#000;stroke-width:2px;r:5px}"
    "tr.sel td{background:#fff3b0}"
    "svg[data-kind=overlay]{cursor:crosshair}g.zoom path{vector-effect:non-scaling-stroke}";

/* Sorting the trial table by any column (numbers as numbers); clicking a trial in any chart or
   in the table highlights it everywhere (its data-trial marks; again to clear); and, in the
   dashboard, the poll that swaps in a fresh page when the study's stamp changes. */
static const char script_sort[] =
    "function ldSortable(){document.querySelectorAll('table.sortable th').forEach(function(th,i)"
    "{th.onclick=function(){var tb=th.closest('table').tBodies[0],rows=[].slice.call(tb.rows),"
    "up=th.dataset.dir!=='asc';th.dataset.dir=up?'asc':'desc';rows.sort(function(a,b){"
    "var x=a.cells[i].dataset.v,y=b.cells[i].dataset.v,p=parseFloat(x),q=parseFloat(y);"
    "var c=(!isNaN(p)&&!isNaN(q))?p-q:(x||'').localeCompare(y||'');return up?c:-c;});"
    "rows.forEach(function(r){tb.appendChild(r);});};});}\n"
    "ldSortable();\n"
    "document.addEventListener('click',function(e){var m=e.target.closest('[data-trial]');"
    "if(!m)return;var n=m.getAttribute('data-trial'),on=!m.classList.contains('sel');"
    "document.querySelectorAll('.sel').forEach(function(x){x.classList.remove('sel');});"
    "if(on)document.querySelectorAll('[data-trial=\"'+n+'\"]').forEach(function(x)"
    "{x.classList.add('sel');});});\n";

/* Zoom on the learning curves: drag a box over the plot to zoom into it (again to zoom further),
   double-click to go back. The curves' group takes a transform and the ticks are redrawn for the
   window shown; the best curves' labels follow. ldZoomed keeps each chart's window so that the
   dashboard's refresh keeps it. A drag does not count as a click (no highlight). */
static const char script_zoom[] =
    "var ldZoomed={};function ldZoomAll(){document.querySelectorAll('g.zoom[data-frame]')"
    ".forEach(function(g){ldZoom(g.closest('svg'),g);});}\n"
    "function ldZoom(svg,g){var f=g.dataset.frame.split(' ').map(Number),X=f[0],Y=f[1],W=f[2],"
    "H=f[3],ticks=svg.querySelector('g.ticks'),key=svg.dataset.kind,start=null,box=null,"
    "ns='http://www.w3.org/2000/svg';"
    "function el(n,a){var e=document.createElementNS(ns,n);for(var k in a)e.setAttribute(k,a[k]);"
    "return e;}"
    "function pt(e){var r=svg.getBoundingClientRect(),b=svg.viewBox.baseVal;"
    "return[b.x+(e.clientX-r.left)*b.width/r.width,b.y+(e.clientY-r.top)*b.height/r.height];}"
    "function clamp(p){return[Math.min(Math.max(p[0],X),X+W),Math.min(Math.max(p[1],Y),Y+H)];}"
    "function nice(lo,hi,want){var raw=(hi-lo)/want,mag=Math.pow(10,Math.floor(Math.log10(raw))),"
    "q=raw/mag,step=mag*(q>5?10:q>2?5:q>1?2:1),out=[];"
    "for(var t=Math.ceil(lo/step)*step;t<=hi+step*1e-9&&out.length<16;t+=step)"
    "out.push(Math.abs(t)<step*1e-9?0:t);return out;}"
    "function fmt(t){var a=Math.abs(t);"
    "return t===0?'0':String(+t.toPrecision(a>=1e5||a<1e-3?2:4));}"
    "function labels(m){svg.querySelectorAll('g.best-label text').forEach(function(t){"
    "if(!t.dataset.x){t.dataset.x=t.getAttribute('x');t.dataset.y=t.getAttribute('y');}"
    "var x=+t.dataset.x,y=+t.dataset.y;if(m){x=m[0]*(x-3)+m[2]+3;y=m[1]*(y-3)+m[3]+3;}"
    "t.setAttribute('x',x);t.setAttribute('y',y);"
    "t.style.display=x<X||x>X+W||y<Y||y>Y+H?'none':'';});}"
    "function apply(v){var old=svg.querySelector('g.zticks');if(old)old.remove();"
    "if(!v){g.removeAttribute('transform');ticks.style.display='';delete ldZoomed[key];"
    "labels(null);return;}"
    "ldZoomed[key]=v;var sx=W/(v[1]-v[0]),sy=H/(v[3]-v[2]),tx=X-v[0]*sx,ty=Y-v[2]*sy;"
    "g.setAttribute('transform','matrix('+sx+' 0 0 '+sy+' '+tx+' '+ty+')');"
    "ticks.style.display='none';"
    "var x0=f[4]+(v[0]-X)/W*(f[5]-f[4]),x1=f[4]+(v[1]-X)/W*(f[5]-f[4]),"
    "y1=f[7]-(v[2]-Y)/H*(f[7]-f[6]),y0=f[7]-(v[3]-Y)/H*(f[7]-f[6]),"
    "z=el('g',{'class':'zticks'}),d='M'+X+' '+Y+'V'+(Y+H)+'H'+(X+W),grid='';"
    "nice(x0,x1,5).forEach(function(t){var p=X+(t-x0)/(x1-x0)*W;d+='M'+p+' '+(Y+H)+'v3';"
    "var s=el('text',{x:p,y:Y+H+12,'text-anchor':'middle'});s.textContent=fmt(t);"
    "z.appendChild(s);});"
    "nice(y0,y1,4).forEach(function(t){var p=Y+H-(t-y0)/(y1-y0)*H;grid+='M'+(X+1)+' '+p+'H'+(X+W);"
    "var s=el('text',{x:X-3,y:p+3,'text-anchor':'end'});s.textContent=fmt(t);"
    "z.appendChild(s);});"
    "z.insertBefore(el('path',{d:d,fill:'none',stroke:'#888'}),z.firstChild);"
    "z.insertBefore(el('path',{d:grid||'M0 0',stroke:'#eee'}),z.firstChild);"
    "ticks.parentNode.insertBefore(z,ticks);labels([sx,sy,tx,ty]);}"
    "function end(e){if(!start)return;var a=start,b=box&&box.end;start=null;"
    "if(box){box.remove();box=null;}"
    "if(!b||Math.abs(b[0]-a[0])<5||Math.abs(b[1]-a[1])<5)return;"
    "var v=ldZoomed[key]||[X,X+W,Y,Y+H],ox=function(p){return v[0]+(p-X)/W*(v[1]-v[0]);},"
    "oy=function(p){return v[2]+(p-Y)/H*(v[3]-v[2]);};"
    "apply([ox(Math.min(a[0],b[0])),ox(Math.max(a[0],b[0])),oy(Math.min(a[1],b[1])),"
    "oy(Math.max(a[1],b[1]))]);svg.ldNoClick=true;"
    "setTimeout(function(){svg.ldNoClick=false;},0);}"
    "svg.addEventListener('mousedown',function(e){var p=pt(e);"
    "if(e.button!==0||p[0]<X||p[0]>X+W||p[1]<Y||p[1]>Y+H)return;start=p;e.preventDefault();});"
    "svg.addEventListener('mousemove',function(e){if(!start)return;var p=clamp(pt(e));"
    "if(!box){box=el('rect',{'class':'zbox',fill:'rgba(9,105,218,.12)',stroke:'#0969da'});"
    "svg.appendChild(box);}box.end=p;box.setAttribute('x',Math.min(p[0],start[0]));"
    "box.setAttribute('y',Math.min(p[1],start[1]));"
    "box.setAttribute('width',Math.abs(p[0]-start[0]));"
    "box.setAttribute('height',Math.abs(p[1]-start[1]));});"
    "svg.addEventListener('mouseup',end);svg.addEventListener('mouseleave',end);"
    "svg.addEventListener('click',function(e){if(svg.ldNoClick)e.stopPropagation();},true);"
    "svg.addEventListener('dblclick',function(){apply(null);});"
    "if(ldZoomed[key])apply(ldZoomed[key]);}\n"
    "ldZoomAll();\n";

static const char script_refresh[] =
    "(function(){var busy=false;setInterval(function(){if(busy)return;busy=true;"
    "var cur=document.getElementById('report');"
    "fetch(cur.dataset.poll,{cache:'no-store'}).then(function(r){return r.text();})"
    ".then(function(s){if(s.trim()===cur.dataset.stamp)return;"
    "return fetch(location.href,{cache:'no-store'}).then(function(r){return r.text();})"
    ".then(function(h){var d=new DOMParser().parseFromString(h,'text/html');"
    "var m=d.getElementById('report');if(m){cur.replaceWith(m);ldSortable();ldZoomAll();}});})"
    ".catch(function(){}).then(function(){busy=false;});},2000);})();\n";

static void put_duration(FILE *out, double s)
{
    if (s < 60)
        fprintf(out, "%.1fs", s);
    else if (s < 3600)
        fprintf(out, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
    else
        fprintf(out, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
}

static void put_number(FILE *out, double v)
{
    char buf[32];
    if (isnan(v))
        fputs("-", out);
    else {
        snprintf(buf, sizeof buf, "%.6g", v);
        fputs(buf, out);
    }
}

static void header(FILE *out, const ld_report *r)
{
    const ld_study_info *s = &r->info;
    fputs("<header><h1>", out);
    rd_escape(out, s->name);
    fputs("</h1>", out);
    if (s->description) {
        fputs("<p class=\"why\">", out);
        rd_escape(out, s->description);
        fputs("</p>", out);
    }
    fputs("<dl>", out);
    if (s->conclusion) {
        fputs("<dt>conclusion</dt><dd>", out);
        rd_escape(out, s->conclusion);
        fputs("</dd>", out);
    }
    if (s->next_step) {
        fputs("<dt>next step</dt><dd>", out);
        rd_escape(out, s->next_step);
        fputs("</dd>", out);
    }
    fputs("<dt>objective</dt><dd>", out);
    rd_escape(out, s->metric);
    fprintf(out, " (%s)</dd>", s->maximize ? "maximize" : "minimize");
    if (s->sweep_path) {
        fputs("<dt>sweep file</dt><dd>", out);
        rd_escape(out, s->sweep_path);
        fputs("</dd>", out);
    }
    if (s->parent) {
        fputs("<dt>refines</dt><dd>", out);
        rd_escape(out, s->parent);
        fputs("</dd>", out);
    }
    fprintf(out, "<dt>trials</dt><dd>%zu: ", s->n_trials);
    for (int k = 0, first = 1; k < 5; k++)
        if (s->counts[k]) {
            fprintf(out, "%s<span class=\"%s\">%zu %s</span>", first ? "" : ", ",
                    ld_trial_state_name((ld_trial_state)k), s->counts[k],
                    ld_trial_state_name((ld_trial_state)k));
            first = 0;
        }
    fputs("</dd><dt>compute time</dt><dd>", out);
    put_duration(out, s->compute_seconds);
    fputs("</dd><dt>best trial</dt><dd>", out);
    long b = s->has_best ? rd_find_trial(r, s->best_number) : -1;
    if (b >= 0) {
        const ld_trial *t = &r->trials[b];
        fprintf(out, "#%d: ", t->number);
        rd_escape(out, s->metric);
        fputs(" = ", out);
        put_number(out, t->value);
        fputs(" with ", out);
        for (size_t j = 0; j < t->n_params; j++) {
            char v[256];
            if (t->params[j].type == LD_VAL_NONE)
                continue;
            if (t->params[j].type == LD_VAL_FLOAT) /* four digits, as the hover text; */
                snprintf(v, sizeof v, "%.4g", t->params[j].num); /* the table has them all */
            else
                ld_value_format(&t->params[j], v, sizeof v);
            rd_escape(out, t->param_names[j]);
            fputc('=', out);
            rd_escape(out, v);
            fputc(' ', out);
        }
    } else {
        fputs("none complete yet", out);
    }
    fputs("</dd></dl></header>\n", out);
}

/* Best first by the goal, then trials without a value by number. */
static int by_goodness(const void *a, const void *b, void *ctx)
{
    const ld_report *r = ctx;
    const ld_trial *x = &r->trials[*(const size_t *)a];
    const ld_trial *y = &r->trials[*(const size_t *)b];
    double vx = rd_trial_value(x), vy = rd_trial_value(y);
    int fx = isfinite(vx), fy = isfinite(vy);
    if (fx != fy)
        return fy - fx;
    if (fx && vx != vy)
        return (r->info.maximize ? vx < vy : vx > vy) ? 1 : -1;
    return (x->number > y->number) - (x->number < y->number);
}

static void trial_charts(FILE *out, const ld_report *r, size_t max)
{
    size_t *order = malloc((r->n_trials ? r->n_trials : 1) * sizeof *order), m = 0;
    if (!order)
        return;
    for (size_t i = 0; i < r->n_trials; i++)
        if (r->trials[i].n_series)
            order[m++] = i;
    qsort_r(order, m, sizeof *order, by_goodness, (void *)r);
    size_t shown = m < max ? m : max;
    if (shown < m)
        fprintf(out, "<p class=\"note\">the best %zu of %zu trials with curves</p>", shown, m);
    fputs("<div class=\"trials\">\n", out);
    for (size_t k = 0; k < shown; k++) {
        const ld_trial *t = &r->trials[order[k]];
        fprintf(out, "<figure id=\"trial-%d\"><figcaption>#%d <span class=\"%s\">%s</span>",
                t->number, t->number, ld_trial_state_name(t->state),
                ld_trial_state_name(t->state));
        if (t->has_value) {
            fputs(" ", out);
            put_number(out, t->value);
        }
        if (t->reason) {
            char why[80];
            snprintf(why, sizeof why, "%s", t->reason);
            char *nl = strchr(why, '\n');
            if (nl)
                *nl = '\0';
            fputs(" — ", out);
            rd_escape(out, why);
        }
        fputs("</figcaption>", out);
        rd_svg_curves(r, t, out, 0);
        fputs("</figure>\n", out);
    }
    fputs("</div>\n", out);
    free(order);
}

static void trial_table(FILE *out, const ld_report *r)
{
    /* parameter columns: the union of names in first-seen order */
    size_t n_names = 0;
    const char **names = malloc((r->n_params + 1) * sizeof *names);
    for (size_t i = 0; names && i < r->n_trials; i++)
        for (size_t j = 0; j < r->trials[i].n_params; j++) {
            size_t k = 0;
            while (k < n_names && strcmp(names[k], r->trials[i].param_names[j]) != 0)
                k++;
            if (k == n_names) {
                const char **grown = realloc(names, (n_names + 2) * sizeof *names);
                if (!grown)
                    break;
                names = grown;
                names[n_names++] = r->trials[i].param_names[j];
            }
        }
    const char **sum = NULL; /* summary metrics (test_acc=): a column each, after the objective */
    size_t n_sum = ld_summary_keys(r->trials, r->n_trials, r->info.metric, &sum);
    fputs("<table class=\"sortable\" id=\"trials\"><thead><tr><th>#</th><th>state</th><th>", out);
    rd_escape(out, r->info.metric);
    fputs("</th>", out);
    for (size_t k = 0; k < n_sum; k++) {
        fputs("<th>", out);
        rd_escape(out, sum[k]);
        fputs("</th>", out);
    }
    for (size_t k = 0; k < n_names; k++) {
        fputs("<th>", out);
        rd_escape(out, names[k]);
        fputs("</th>", out);
    }
    fputs("<th>duration</th><th>reason</th></tr></thead><tbody>\n", out);
    for (size_t i = 0; i < r->n_trials; i++) {
        const ld_trial *t = &r->trials[i];
        fprintf(out, "<tr data-trial=\"%d\"><td data-v=\"%d\">%d</td><td data-v=\"%s\" "
                     "class=\"%s\">%s</td>",
                t->number, t->number, t->number, ld_trial_state_name(t->state),
                ld_trial_state_name(t->state), ld_trial_state_name(t->state));
        double v = rd_trial_value(t);
        fputs("<td data-v=\"", out);
        if (isfinite(v))
            fprintf(out, "%.17g", v);
        fputs("\">", out);
        put_number(out, v);
        fputs("</td>", out);
        for (size_t k = 0; k < n_sum; k++) {
            double x = ld_trial_summary(t, sum[k]);
            fputs("<td data-v=\"", out);
            if (isfinite(x))
                fprintf(out, "%.17g", x);
            fputs("\">", out);
            if (isfinite(x))
                put_number(out, x);
            fputs("</td>", out);
        }
        for (size_t k = 0; k < n_names; k++) {
            const ld_value *pv = NULL;
            for (size_t j = 0; j < t->n_params && !pv; j++)
                if (strcmp(t->param_names[j], names[k]) == 0 && t->params[j].type != LD_VAL_NONE)
                    pv = &t->params[j];
            char buf[256] = "";
            if (pv)
                ld_value_format(pv, buf, sizeof buf);
            fputs("<td data-v=\"", out);
            rd_escape(out, buf);
            fputs("\">", out);
            rd_escape(out, buf);
            fputs("</td>", out);
        }
        double d = t->finished > 0 && t->started > 0 ? t->finished - t->started : 0;
        fprintf(out, "<td data-v=\"%.3f\">", d);
        if (d > 0)
            put_duration(out, d);
        fputs("</td><td class=\"t\">", out);
        if (t->reason) {
            char why[160];
            snprintf(why, sizeof why, "%s", t->reason);
            char *nl = strchr(why, '\n');
            if (nl)
                *nl = '\0';
            rd_escape(out, why);
        }
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
    free(names);
    free(sum);
}

ld_status ld_report_html(ld_report *r, const ld_html_opts *opts, FILE *out)
{
    ld_html_opts none = {0};
    if (!opts)
        opts = &none;
    size_t max_charts = opts->max_trial_charts ? opts->max_trial_charts : 500;
    char stamp[256];
    stamp_of(&r->info, stamp, sizeof stamp);
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
          "connect-src 'self'\"><title>liandan: ", out);
    rd_escape(out, r->info.name);
    fprintf(out, "</title><style>%s</style></head>\n<body><main id=\"report\" data-stamp=\"%s\"",
            css, stamp);
    if (opts->refresh_url) {
        fputs(" data-poll=\"", out);
        rd_escape(out, opts->refresh_url);
        fputc('"', out);
    }
    fputs(">\n", out);
    if (opts->home_url) {
        fputs("<nav><a href=\"", out);
        rd_escape(out, opts->home_url);
        fputs("\">all studies</a> · refreshes while trials run</nav>\n", out);
    }
    header(out, r);
    fputs("<section id=\"curves\"><h2>Learning curves</h2>\n", out);
    rd_svg_overlay(r, out, 0);
    fputs("<p class=\"note\">pruned and failed trials are faded; a cross marks where each "
          "stopped; drag a box over the curves to zoom in, double-click to zoom out</p>\n",
          out);
    trial_charts(out, r, max_charts);
    fputs("</section>\n<section id=\"history\"><h2>Optimization history</h2>\n", out);
    rd_svg_history(r, out, 0);
    fputs("</section>\n<section id=\"parallel\"><h2>Parallel coordinates</h2>\n", out);
    rd_svg_parallel(r, out, 0);
    fputs("</section>\n<section id=\"slice\"><h2>Slice plots</h2>\n", out);
    rd_svg_slice(r, out, 0);
    fputs("</section>\n<section id=\"importance\"><h2>Parameter importance</h2>\n", out);
    rd_svg_importance(r, out, 0);
    fputs("</section>\n<section id=\"table\"><h2>All trials</h2>"
          "<p class=\"note\">click a column to sort</p>\n",
          out);
    trial_table(out, r);
    fputs("</section>\n", out);
    if (r->info.sweep_text) {
        fputs("<section id=\"sweep\"><h2>Sweep file</h2><pre>", out);
        rd_escape(out, r->info.sweep_text);
        fputs("</pre></section>\n", out);
    }
    fprintf(out, "<p class=\"note\">liandan %s</p></main>\n<script>%s%s%s</script></body></html>\n",
            LD_VERSION, script_sort, script_zoom, opts->refresh_url ? script_refresh : "");
    return finish_write(r, out);
}
