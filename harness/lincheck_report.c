/*
 * lincheck_report.c: how a counterexample of the linearizability checker is
 * shown (lincheck.h): an ASCII timeline, a self-contained HTML page with an
 * inline SVG timeline, and a .scn case that replays it through `backstop run`.
 *
 * The timeline's horizontal axis is the order of the stamps, not their value:
 * each distinct stamp gets a column, placed just far enough right of the
 * previous one that every bar can hold its label. Both the text and the SVG
 * use that layout.
 *
 * Not for: deciding anything (lincheck.c).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "lincheck.h"
#include "lincheck_int.h"
#include "scn.h"

/* ---------------------------------------------------------------------------
 * Text helpers shared with lincheck.c.
 * ------------------------------------------------------------------------- */

const char *lincheck__err_text(JET_ERR err, char *buf, size_t cb)
{
    const char *name = scn_err_name(err);
    if (name != NULL)
        snprintf(buf, cb, "%s (%" PRId32 ")", name, (int32_t)err);
    else
        snprintf(buf, cb, "%" PRId32, (int32_t)err);
    return buf;
}

void lincheck__rules_text(const struct model_result *r, char *buf, size_t cb)
{
    size_t k = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < r->n_rules && i < MODEL_MAX_RULES; i++) {
        int w = snprintf(buf + k, cb - k, "%s%s", k ? " " : "", model_rule_name(r->rules[i]));
        if (w < 0 || (size_t)w >= cb - k)
            return;
        k += (size_t)w;
    }
}

/* The results part: "= 0 cb=4096", "= pending". */
static void lc_result_text(const struct hist_event *e, char *buf, size_t cb)
{
    if (e->ret == HIST_PENDING) {
        snprintf(buf, cb, "pending");
        return;
    }
    int k = snprintf(buf, cb, "%" PRId32, (int32_t)e->err);
    if (k < 0 || (size_t)k >= cb)
        return;
    if (e->outs & MODEL_OUT_HF)
        k += snprintf(buf + k, cb - (size_t)k, " hf=%" PRIuPTR " size=%" PRIu64, (uintptr_t)e->hf,
                      e->size);
    if ((size_t)k < cb && (e->outs & MODEL_OUT_CB))
        k += snprintf(buf + k, cb - (size_t)k, " cb=%" PRIu32, e->cb_actual);
    if ((size_t)k < cb && (e->outs & MODEL_OUT_GENS))
        snprintf(buf + k, cb - (size_t)k, " gens=%" PRIu32 "..%" PRIu32, e->gen_low, e->gen_high);
}

/* Brief arguments: "16384", "0x1", "db1". */
static void lc_args_text(const struct model_call *c, char *buf, size_t cb)
{
    buf[0] = '\0';
    switch (c->op) {
    case MODEL_OP_BEGIN:
    case MODEL_OP_BEGIN_LEGACY:
    case MODEL_OP_END2:
    case MODEL_OP_TERM2:
        snprintf(buf, cb, "0x%" PRIx32, (uint32_t)c->grbit);
        break;
    case MODEL_OP_READ_FILE:
    case MODEL_OP_READ_FILE_LEGACY:
        snprintf(buf, cb, "hf %" PRIuPTR ", %" PRIu32, (uintptr_t)c->hf, c->cb_max);
        break;
    case MODEL_OP_CLOSE_FILE:
    case MODEL_OP_CLOSE_FILE_LEGACY:
        snprintf(buf, cb, "hf %" PRIuPTR, (uintptr_t)c->hf);
        break;
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
        snprintf(buf, cb, "%" PRIu32, c->cb_max);
        break;
    case MODEL_OP_OPEN_FILE:
    case MODEL_OP_OPEN_FILE_LEGACY:
    case MODEL_OP_FX_DETACH_DB:
        snprintf(buf, cb, "%s", c->name ? c->name : "NULL");
        break;
    case MODEL_OP_FX_CREATE_DB:
        snprintf(buf, cb, "%s, %" PRIu32, c->name ? c->name : "NULL", c->arg);
        break;
    case MODEL_OP_FX_CONFIGURE:
    case MODEL_OP_FX_ROLL_LOG:
    case MODEL_OP_FX_SET_CHECKPOINT:
    case MODEL_OP_FX_DELETE_LOG:
    case MODEL_OP_FX_FORCE_STATE:
        snprintf(buf, cb, "%" PRIu32, c->arg);
        break;
    default:
        break;
    }
}

void lincheck__describe(const struct hist_event *e, char *buf, size_t cb)
{
    char args[96], res[96];
    lc_args_text(&e->call, args, sizeof args);
    lc_result_text(e, res, sizeof res);
    char stamps[48];
    if (e->ret == HIST_PENDING)
        snprintf(stamps, sizeof stamps, "[%" PRIu64 ",-]", e->inv);
    else
        snprintf(stamps, sizeof stamps, "[%" PRIu64 ",%" PRIu64 "]", e->inv, e->ret);
    snprintf(buf, cb, "t%" PRIu32 " %s(%s)%s %s = %s%s%s", e->thread, model_op_name(e->call.op),
             args, e->handle_stale ? " stale" : "", stamps, res,
             e->fault != MODEL_FAULT_NONE ? " fault=" : "",
             e->fault != MODEL_FAULT_NONE ? model_fault_name(e->fault) : "");
}

/* Short operation names for the bars. */
static const char *lc_short(enum model_op op)
{
    switch (op) {
    case MODEL_OP_CREATE_INSTANCE: return "Create";
    case MODEL_OP_INIT: return "Init";
    case MODEL_OP_TERM: return "Term";
    case MODEL_OP_TERM2: return "Term2";
    case MODEL_OP_STOP_SERVICE_INSTANCE: return "StopService";
    case MODEL_OP_STOP_SERVICE: return "StopService/legacy";
    case MODEL_OP_STOP_BACKUP_INSTANCE: return "Stop";
    case MODEL_OP_STOP_BACKUP: return "Stop/legacy";
    case MODEL_OP_BEGIN: return "Begin";
    case MODEL_OP_GET_ATTACH_INFO: return "AttachInfo";
    case MODEL_OP_OPEN_FILE: return "Open";
    case MODEL_OP_READ_FILE: return "Read";
    case MODEL_OP_CLOSE_FILE: return "Close";
    case MODEL_OP_GET_LOG_INFO: return "LogInfo";
    case MODEL_OP_GET_LOG_INFO2: return "LogInfo2";
    case MODEL_OP_GET_TRUNCATE_LOG_INFO: return "TruncLogInfo";
    case MODEL_OP_TRUNCATE_LOG: return "TruncateLog";
    case MODEL_OP_END: return "End";
    case MODEL_OP_END2: return "End2";
    case MODEL_OP_BEGIN_LEGACY: return "Begin/legacy";
    case MODEL_OP_GET_ATTACH_INFO_LEGACY: return "AttachInfo/legacy";
    case MODEL_OP_OPEN_FILE_LEGACY: return "Open/legacy";
    case MODEL_OP_READ_FILE_LEGACY: return "Read/legacy";
    case MODEL_OP_CLOSE_FILE_LEGACY: return "Close/legacy";
    case MODEL_OP_GET_LOG_INFO_LEGACY: return "LogInfo/legacy";
    case MODEL_OP_TRUNCATE_LOG_LEGACY: return "TruncateLog/legacy";
    case MODEL_OP_END_LEGACY: return "End/legacy";
    default: return model_op_name(op); /* fixture names are short already */
    }
}

/* The label inside a bar: "#3 Read(hf 0, 16384)=0 cb=16384". */
static void lc_label(const struct lincheck_cex *c, size_t i, char *buf, size_t cb)
{
    const struct hist_event *e = &c->ev[i];
    char args[96], res[96];
    lc_args_text(&e->call, args, sizeof args);
    lc_result_text(e, res, sizeof res);
    snprintf(buf, cb, "%s#%zu %s(%s)%s=%s", i == c->culprit ? "!" : "", i + 1, lc_short(e->call.op),
             args, e->handle_stale ? "stale" : "", e->ret == HIST_PENDING ? "?" : res);
}

/* ---------------------------------------------------------------------------
 * Layout.
 * ------------------------------------------------------------------------- */

/* Long counterexamples (shrinking stopped early) are drawn around the culprit
 * only; the lists below the drawing still name every call. */
#define LC_DRAW_BEFORE 80
#define LC_DRAW_AFTER 20

struct lc_layout {
    size_t lo, n;       /* the events drawn: c->ev[lo .. lo + n) */
    size_t *x0, *x1;    /* columns of each bar's ends (x1 of a pending bar: width - 1) */
    char **label;
    uint32_t *threads;  /* distinct threads, ascending */
    size_t n_threads;
    size_t *row;        /* row of each event */
    size_t width;
};

static int lc_cmp_u64r(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int lc_cmp_u32r(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static size_t lc_rank(const uint64_t *v, size_t n, uint64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void lc_layout_free(struct lc_layout *L)
{
    if (L->label != NULL) {
        for (size_t i = 0; i < L->n; i++)
            free(L->label[i]);
    }
    free(L->label);
    free(L->x0);
    free(L->x1);
    free(L->threads);
    free(L->row);
    memset(L, 0, sizeof *L);
}

static int lc_layout(const struct lincheck_cex *c, struct lc_layout *L)
{
    memset(L, 0, sizeof *L);
    size_t lo = c->culprit > LC_DRAW_BEFORE ? c->culprit - LC_DRAW_BEFORE : 0;
    size_t hi = c->culprit + LC_DRAW_AFTER < c->n_ev ? c->culprit + LC_DRAW_AFTER : c->n_ev;
    if (hi <= lo)
        hi = c->n_ev;
    size_t n = hi - lo, n1 = n ? n : 1;
    const struct hist_event *ev = c->ev + lo;
    L->lo = lo;
    L->n = n;
    uint64_t *stamps = malloc(sizeof *stamps * 2 * n1);
    size_t *pos = calloc(2 * n1, sizeof *pos);
    L->x0 = calloc(n1, sizeof *L->x0);
    L->x1 = calloc(n1, sizeof *L->x1);
    L->label = calloc(n1, sizeof *L->label);
    L->threads = malloc(sizeof *L->threads * n1);
    L->row = calloc(n1, sizeof *L->row);
    if (!stamps || !pos || !L->x0 || !L->x1 || !L->label || !L->threads || !L->row)
        goto fail;
    size_t ns = 0;
    for (size_t i = 0; i < n; i++) {
        stamps[ns++] = ev[i].inv;
        if (ev[i].ret != HIST_PENDING)
            stamps[ns++] = ev[i].ret;
        L->threads[i] = ev[i].thread;
        char buf[256];
        lc_label(c, lo + i, buf, sizeof buf);
        L->label[i] = malloc(strlen(buf) + 1);
        if (L->label[i] == NULL)
            goto fail;
        strcpy(L->label[i], buf);
    }
    if (ns > 1)
        qsort(stamps, ns, sizeof *stamps, lc_cmp_u64r);
    size_t nu = 0;
    for (size_t i = 0; i < ns; i++) {
        if (nu == 0 || stamps[nu - 1] != stamps[i])
            stamps[nu++] = stamps[i];
    }
    if (n > 1)
        qsort(L->threads, n, sizeof *L->threads, lc_cmp_u32r);
    size_t nt = 0;
    for (size_t i = 0; i < n; i++) {
        if (nt == 0 || L->threads[nt - 1] != L->threads[i])
            L->threads[nt++] = L->threads[i];
    }
    L->n_threads = nt;
    /* Column of each stamp: right of the previous one, and far enough right of
     * every bar that ends there to hold that bar's label. */
    for (size_t r = 0; r < nu; r++) {
        size_t x = r == 0 ? 0 : pos[r - 1] + 2;
        for (size_t i = 0; i < n; i++) {
            const struct hist_event *e = &ev[i];
            if (e->ret != HIST_PENDING && e->ret == stamps[r]) {
                size_t a = pos[lc_rank(stamps, nu, e->inv)];
                size_t want = a + strlen(L->label[i]) + 1;
                if (want > x)
                    x = want;
            }
        }
        pos[r] = x;
    }
    size_t width = nu ? pos[nu - 1] + 2 : 2;
    for (size_t i = 0; i < n; i++) {
        const struct hist_event *e = &ev[i];
        L->x0[i] = pos[lc_rank(stamps, nu, e->inv)];
        if (e->ret != HIST_PENDING) {
            L->x1[i] = pos[lc_rank(stamps, nu, e->ret)];
        } else {
            size_t want = L->x0[i] + strlen(L->label[i]) + 3;
            if (want > width)
                width = want;
        }
        for (size_t t = 0; t < nt; t++) {
            if (L->threads[t] == e->thread)
                L->row[i] = t;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (ev[i].ret == HIST_PENDING)
            L->x1[i] = width - 1;
    }
    L->width = width;
    free(stamps);
    free(pos);
    return 0;
fail:
    free(stamps);
    free(pos);
    lc_layout_free(L);
    return LINCHECK_ENOMEM;
}

/* ---------------------------------------------------------------------------
 * ASCII timeline.
 * ------------------------------------------------------------------------- */

static void lc_print_order(const struct lincheck_cex *c, FILE *out)
{
    if (c->n_order == 0) {
        fputs("  (none: not even the first call can take effect)\n", out);
        return;
    }
    fputs(" ", out);
    for (size_t k = 0; k < c->n_order; k++) {
        const struct lincheck__lin *l = &c->order[k];
        fprintf(out, " #%" PRIu32 "%s", l->ev + 1,
                l->kind == LINCHECK__LOCK    ? "(lock)"
                : l->kind == LINCHECK__CLAIM ? "(claim)"
                : l->kind == LINCHECK__EFFECT ? "(effect)"
                                              : "");
        if (k + 1 < c->n_order)
            fputs(" ->", out);
    }
    fputc('\n', out);
}

void lincheck_cex_print_timeline(const struct lincheck_cex *c, FILE *out)
{
    struct lc_layout L;
    fprintf(out, "counterexample: %zu call%s", c->n_ev, c->n_ev == 1 ? "" : "s");
    if (c->lifetime == HIST_NO_LIFETIME)
        fputs(" with a handle that names no instance", out);
    if (c->lifetime != HIST_NO_LIFETIME)
        fprintf(out, " of lifetime %" PRIu32 " (shrunk from %zu%s)", c->lifetime, c->n_original,
                c->shrink_complete ? "" : "; shrinking stopped early (budget or no_shrink), may not be minimal");
    fprintf(out, ", profile %s\n", model_profile_name(c->model.profile));
    if (lc_layout(c, &L) != 0) {
        fputs("  (out of memory drawing the timeline)\n", out);
        return;
    }
    char *line = malloc(L.width + 1);
    if (line == NULL) {
        lc_layout_free(&L);
        return;
    }
    if (L.n < c->n_ev)
        fprintf(out, "      (drawn: calls #%zu to #%zu, around the culprit)\n", L.lo + 1, L.lo + L.n);
    fputs("      time ->\n", out);
    for (size_t t = 0; t < L.n_threads; t++) {
        memset(line, ' ', L.width);
        line[L.width] = '\0';
        for (size_t i = 0; i < L.n; i++) {
            if (L.row[i] != t)
                continue;
            size_t a = L.x0[i], b = L.x1[i];
            for (size_t x = a; x <= b && x < L.width; x++)
                line[x] = '-';
            line[a] = '[';
            line[b] = c->ev[L.lo + i].ret == HIST_PENDING ? '>' : ']';
            size_t len = strlen(L.label[i]);
            memcpy(line + a + 1, L.label[i], len);
        }
        size_t end = L.width;
        while (end > 0 && line[end - 1] == ' ')
            end--;
        line[end] = '\0';
        fprintf(out, "  t%-3" PRIu32 "%s\n", L.threads[t], line);
    }
    free(line);
    lc_layout_free(&L);
    fputs("calls (invocation order; ! marks the culprit):\n", out);
    for (size_t i = 0; i < c->n_ev; i++) {
        char d[320];
        lincheck__describe(&c->ev[i], d, sizeof d);
        fprintf(out, "  %s#%zu %s\n", i == c->culprit ? "!" : " ", i + 1, d);
    }
    if (c->lifetime != HIST_NO_LIFETIME) {
        fputs("longest linearisable prefix found:\n", out);
        lc_print_order(c, out);
    }
    fprintf(out, "%s\n", c->message);
}

/* ---------------------------------------------------------------------------
 * HTML with inline SVG.
 * ------------------------------------------------------------------------- */

static void lc_html_text(FILE *out, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out); break;
        }
    }
}

#define LC_CW 7.4   /* px per column */
#define LC_LEFT 56  /* px for the thread names */
#define LC_ROW 40   /* px per thread row */
#define LC_TOP 30

int lincheck_cex_write_html(const struct lincheck_cex *c, FILE *out)
{
    struct lc_layout L;
    if (lc_layout(c, &L) != 0)
        return LINCHECK_ENOMEM;
    /* Order of each event in the longest linearisable prefix (its effect). */
    size_t *rank = calloc(c->n_ev ? c->n_ev : 1, sizeof *rank);
    if (rank == NULL) {
        lc_layout_free(&L);
        return LINCHECK_ENOMEM;
    }
    for (size_t k = 0; k < c->n_order; k++) {
        if (c->order[k].kind != LINCHECK__LOCK && c->order[k].kind != LINCHECK__CLAIM &&
            c->order[k].ev < c->n_ev)
            rank[c->order[k].ev] = k + 1;
    }
    double w = LC_LEFT + (double)(L.width + 2) * LC_CW;
    double h = LC_TOP + (double)L.n_threads * LC_ROW + 20;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<title>backstop lincheck counterexample</title>\n<style>\n"
          "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
          "svg text{font-family:monospace;font-size:12px}\n"
          "table{border-collapse:collapse;font-family:monospace;font-size:12px}\n"
          "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}\n"
          "tr.culprit td{background:#fde2e2}\n.msg{background:#fff4e5;padding:.6em;border-left:4px solid #e69500}\n"
          "</style></head><body>\n<h1>Linearizability violation</h1>\n<p class=\"msg\">",
          out);
    lc_html_text(out, c->message);
    fprintf(out, "</p>\n<p>Profile <b>%s</b>; ", model_profile_name(c->model.profile));
    if (c->lifetime == HIST_NO_LIFETIME)
        fputs("a call with a handle that names no instance.", out);
    else
        fprintf(out, "lifetime %" PRIu32 ": %zu of its %zu calls%s.", c->lifetime, c->n_ev,
                c->n_original, c->shrink_complete ? "" : " (shrink budget exhausted)");
    fputs(" Bars run from invocation to response; the horizontal axis is stamp order. "
          "Red: the culprit, the call no order explains. Grey dashed: pending (no response). "
          "Circled numbers: the longest linearisable prefix the search found.</p>\n",
          out);
    if (L.n < c->n_ev)
        fprintf(out, "<p>Drawn: calls #%zu to #%zu, around the culprit; the table lists all %zu.</p>\n",
                L.lo + 1, L.lo + L.n, c->n_ev);
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                 "viewBox=\"0 0 %.0f %.0f\">\n",
            w, h, w, h);
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%.0f\" y2=\"%d\" stroke=\"#999\" "
                 "marker-end=\"url(#arrow)\"/>\n",
            LC_LEFT, LC_TOP - 14, w - 10, LC_TOP - 14);
    fputs("<defs><marker id=\"arrow\" markerWidth=\"8\" markerHeight=\"8\" refX=\"6\" refY=\"3\" "
          "orient=\"auto\"><path d=\"M0,0 L6,3 L0,6 z\" fill=\"#999\"/></marker></defs>\n",
          out);
    fprintf(out, "<text x=\"%d\" y=\"%d\" fill=\"#666\">time (stamp order)</text>\n", LC_LEFT + 4,
            LC_TOP - 18);
    for (size_t t = 0; t < L.n_threads; t++) {
        double y = LC_TOP + (double)t * LC_ROW;
        fprintf(out, "<text x=\"4\" y=\"%.0f\">t%" PRIu32 "</text>\n", y + 20, L.threads[t]);
        fprintf(out, "<line x1=\"%d\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#eee\"/>\n", LC_LEFT,
                y + LC_ROW - 4, w, y + LC_ROW - 4);
    }
    for (size_t i = 0; i < L.n; i++) {
        const struct hist_event *e = &c->ev[L.lo + i];
        bool pending = e->ret == HIST_PENDING, culprit = L.lo + i == c->culprit;
        double x = LC_LEFT + (double)L.x0[i] * LC_CW;
        double bw = (double)(L.x1[i] - L.x0[i] + 1) * LC_CW;
        double y = LC_TOP + (double)L.row[i] * LC_ROW + 6;
        char d[320];
        lincheck__describe(e, d, sizeof d);
        fputs("<g>", out);
        fputs("<title>", out);
        lc_html_text(out, d);
        fputs("</title>", out);
        fprintf(out,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"22\" rx=\"4\" fill=\"%s\" "
                "stroke=\"%s\"%s/>",
                x, y, bw, culprit ? "#f8b4b4" : pending ? "#eeeeee" : "#cfe3ff",
                culprit ? "#c00000" : pending ? "#888888" : "#3a6ea5",
                pending ? " stroke-dasharray=\"4 3\"" : "");
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">", x + 4, y + 15);
        lc_html_text(out, L.label[i]);
        fputs("</text>", out);
        if (rank[L.lo + i] != 0) {
            fprintf(out,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"#fff\" stroke=\"#2a7a2a\"/>"
                    "<text x=\"%.1f\" y=\"%.1f\" fill=\"#2a7a2a\" text-anchor=\"middle\" "
                    "style=\"font-size:9px\">%zu</text>",
                    x + bw - 6, y - 1, x + bw - 6, y + 2, rank[L.lo + i]);
        }
        fputs("</g>\n", out);
    }
    fputs("</svg>\n<h2>Calls</h2>\n<table><tr><th>#</th><th>thread</th><th>inv</th><th>ret</th>"
          "<th>call</th><th>result</th></tr>\n",
          out);
    for (size_t i = 0; i < c->n_ev; i++) {
        const struct hist_event *e = &c->ev[i];
        char args[96], res[96];
        lc_args_text(&e->call, args, sizeof args);
        lc_result_text(e, res, sizeof res);
        fprintf(out, "<tr%s><td>%zu</td><td>t%" PRIu32 "</td><td>%" PRIu64 "</td><td>",
                i == c->culprit ? " class=\"culprit\"" : "", i + 1, e->thread, e->inv);
        if (e->ret == HIST_PENDING)
            fputs("-", out);
        else
            fprintf(out, "%" PRIu64, e->ret);
        fputs("</td><td>", out);
        lc_html_text(out, model_op_name(e->call.op));
        fputc('(', out);
        lc_html_text(out, args);
        fputc(')', out);
        if (e->handle_stale)
            fputs(" stale", out);
        if (e->fault != MODEL_FAULT_NONE)
            fprintf(out, " fault=%s", model_fault_name(e->fault));
        fputs("</td><td>", out);
        lc_html_text(out, res);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
    if (c->have_expect) {
        char e1[96], rules[96];
        lincheck__rules_text(&c->expect, rules, sizeof rules);
        fputs("<p>The model's answer for the culprit at the furthest point reached: <b>", out);
        lc_html_text(out, lincheck__err_text(c->expect.err, e1, sizeof e1));
        fputs("</b>", out);
        if (rules[0] != '\0') {
            fputs(", decided by ", out);
            lc_html_text(out, rules);
        }
        fputs(".</p>\n", out);
    }
    fputs("<p>Generated by <code>backstop</code>'s linearizability checker. The same "
          "counterexample is written as a .scn case next to this page.</p>\n</body></html>\n",
          out);
    free(rank);
    lc_layout_free(&L);
    return ferror(out) ? LINCHECK_EIO : LINCHECK_OK;
}

/* ---------------------------------------------------------------------------
 * .scn case.
 * ------------------------------------------------------------------------- */

static const char *const lc_state_names[BACKSTOP_STATE__COUNT] = {
    [BACKSTOP_STATE_UNAVAILABLE] = "unavailable",
    [BACKSTOP_STATE_UNAVAILABLE_LOG_FULL] = "unavailable-log-full",
    [BACKSTOP_STATE_RESTORING] = "restoring",
    [BACKSTOP_STATE_INITIALISING] = "initialising",
    [BACKSTOP_STATE_TERMINATING] = "terminating",
    [BACKSTOP_STATE_LOG_WRITE_FAIL] = "log-write-fail",
    [BACKSTOP_STATE_LOG_DISK_FULL] = "log-disk-full",
    [BACKSTOP_STATE_LOG_SEQUENCE_END] = "log-sequence-end",
    [BACKSTOP_STATE_NO_LOG] = "no-log",
};

/* One item to write: a setup call (result from the model) or an event. */
struct lc_item {
    struct model_call call;
    const struct hist_event *ev; /* NULL for a setup call */
    JET_ERR err;                 /* setup calls: the model's result */
    bool solo;                   /* overlaps nothing */
    size_t group;                /* events: index of its overlap group */
};

struct lc_scn {
    FILE *out;
    const struct lincheck_cex *c;
    const char *handle;       /* "i", or "never" if the lifetime never had one */
    bool open_ok;             /* the last OpenFile bound h with hf ... */
    JET_HANDLE open_hf;
    const char *dbs[32];      /* database names created, for db:NAME */
    size_t n_dbs;
    struct {
        uint32_t thread;
        char name[16];
    } labels[SCN_MAX_THREADS];
    size_t n_labels;
};

static void lc_scn_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s != '\0'; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* A log file name in the model's form, edbXXXXXXXX.log: its generation, else 0. */
static uint32_t lc_log_gen(const char *s)
{
    if (strlen(s) != 15 || strncmp(s, "edb", 3) != 0 || strcmp(s + 11, ".log") != 0)
        return 0;
    uint32_t g = 0;
    for (int i = 3; i < 11; i++) {
        char ch = s[i];
        unsigned d;
        if (ch >= '0' && ch <= '9')
            d = (unsigned)(ch - '0');
        else if (ch >= 'A' && ch <= 'F')
            d = (unsigned)(ch - 'A' + 10);
        else
            return 0;
        g = g * 16u + d;
    }
    return g;
}

static void lc_scn_file(struct lc_scn *w, const struct model_call *c)
{
    FILE *out = w->out;
    if ((c->flags & MODEL_CALL_NAME_NULL) || c->name == NULL) {
        fputs(" null", out);
        return;
    }
    for (size_t i = 0; i < w->n_dbs; i++) {
        if (strcmp(w->dbs[i], c->name) == 0) {
            fprintf(out, " db:%s", c->name);
            return;
        }
    }
    uint32_t g = lc_log_gen(c->name);
    if (g != 0) {
        fprintf(out, " log:%" PRIu32, g);
        return;
    }
    fputc(' ', out);
    lc_scn_string(out, c->name);
}

static void lc_scn_hf(struct lc_scn *w, JET_HANDLE hf)
{
    if (w->open_ok && hf == w->open_hf)
        fputs(" h", w->out);
    else
        fprintf(w->out, " %" PRIuPTR, (uintptr_t)hf);
}

static void lc_scn_inst(struct lc_scn *w, const struct model_call *c)
{
    if (w->c->lifetime == HIST_NO_LIFETIME) {
        if (c->inst == 0)
            fputs(" 0", w->out);
        else if (c->inst == JET_instanceNil)
            fputs(" nil", w->out);
        else
            fputs(" never", w->out);
        return;
    }
    fprintf(w->out, " %s", w->handle);
}

static void lc_scn_buf_opts(FILE *out, uint32_t flags, bool read)
{
    if (flags & MODEL_CALL_BUF_NULL)
        fputs(" buf=null", out);
    else if (read && (flags & MODEL_CALL_BUF_MISALIGNED))
        fputs(" buf=misaligned", out);
    if (flags & MODEL_CALL_PCB_NULL)
        fputs(" pcb=null", out);
}

/* The expectation and checks of an item. */
static void lc_scn_expect(struct lc_scn *w, const struct lc_item *it)
{
    FILE *out = w->out;
    const struct hist_event *e = it->ev;
    if (e != NULL && e->ret == HIST_PENDING) {
        fputs(" -> *", out);
        return;
    }
    JET_ERR err = e ? e->err : it->err;
    if (model_op_is_fixture(it->call.op) && err == JET_errSuccess)
        return; /* fixture steps expect success by default */
    const char *name = scn_err_name(err);
    if (name != NULL)
        fprintf(out, " -> %s", name);
    else
        fprintf(out, " -> %" PRId32, (int32_t)err);
    if (e == NULL || err != JET_errSuccess)
        return;
    enum model_op op = it->call.op;
    switch (op) {
    case MODEL_OP_OPEN_FILE:
    case MODEL_OP_OPEN_FILE_LEGACY:
        if (e->outs & MODEL_OUT_HF)
            fprintf(out, " size=%" PRIu64 " hf=%" PRIuPTR, e->size, (uintptr_t)e->hf);
        break;
    case MODEL_OP_READ_FILE:
    case MODEL_OP_READ_FILE_LEGACY:
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
        if ((e->outs & MODEL_OUT_CB) && !(it->call.flags & MODEL_CALL_PCB_NULL))
            fprintf(out, " actual=%" PRIu32, e->cb_actual);
        if (op == MODEL_OP_GET_LOG_INFO2 && (e->outs & MODEL_OUT_GENS))
            fprintf(out, " genlow=%" PRIu32 " genhigh=%" PRIu32, e->gen_low, e->gen_high);
        break;
    default:
        break;
    }
}

/* Can the language write this call? (FX_CONFIGURE only inside `instance`;
 * force-state only with a state name; databases only with a name.) */
static bool lc_scn_expressible(const struct model_call *c)
{
    switch (c->op) {
    case MODEL_OP_FX_CONFIGURE:
        return false;
    case MODEL_OP_FX_CREATE_DB:
    case MODEL_OP_FX_DETACH_DB:
        return c->name != NULL && c->name[0] != '\0' && strchr(c->name, ' ') == NULL &&
               strchr(c->name, '#') == NULL;
    case MODEL_OP_FX_FORCE_STATE:
        return c->arg != 0 && c->arg < BACKSTOP_STATE__COUNT;
    default:
        return (unsigned)c->op < MODEL_OP__COUNT;
    }
}

/* One step line (without indent or label), for an expressible call. Returns
 * false if it was not (nothing is written then). */
static bool lc_scn_step(struct lc_scn *w, const struct lc_item *it)
{
    FILE *out = w->out;
    const struct model_call *c = &it->call;
    const char *name = model_op_name(c->op);
    switch (c->op) {
    case MODEL_OP_CREATE_INSTANCE:
        fprintf(out, "%s %s", name, w->handle);
        break;
    case MODEL_OP_INIT:
        if ((c->flags & MODEL_CALL_PINST_NULL) || c->inst == 0 || c->inst == JET_instanceNil)
            fprintf(out, "%s %s", name, c->inst == 0 ? "0" : "nil");
        else
            fprintf(out, "%s %s", name, w->handle);
        break;
    case MODEL_OP_TERM:
    case MODEL_OP_STOP_SERVICE_INSTANCE:
    case MODEL_OP_STOP_BACKUP_INSTANCE:
    case MODEL_OP_TRUNCATE_LOG:
    case MODEL_OP_END:
        fputs(name, out);
        lc_scn_inst(w, c);
        break;
    case MODEL_OP_TERM2:
    case MODEL_OP_BEGIN:
    case MODEL_OP_END2:
        fputs(name, out);
        lc_scn_inst(w, c);
        fprintf(out, " 0x%" PRIx32, (uint32_t)c->grbit);
        break;
    case MODEL_OP_BEGIN_LEGACY:
        fprintf(out, "%s 0x%" PRIx32, name, (uint32_t)c->grbit);
        break;
    case MODEL_OP_GET_ATTACH_INFO:
    case MODEL_OP_GET_LOG_INFO:
    case MODEL_OP_GET_LOG_INFO2:
    case MODEL_OP_GET_TRUNCATE_LOG_INFO:
        fputs(name, out);
        lc_scn_inst(w, c);
        fprintf(out, " %" PRIu32, c->cb_max);
        lc_scn_buf_opts(out, c->flags, false);
        break;
    case MODEL_OP_GET_ATTACH_INFO_LEGACY:
    case MODEL_OP_GET_LOG_INFO_LEGACY:
        fprintf(out, "%s %" PRIu32, name, c->cb_max);
        lc_scn_buf_opts(out, c->flags, false);
        break;
    case MODEL_OP_OPEN_FILE:
    case MODEL_OP_OPEN_FILE_LEGACY:
        fputs(name, out);
        if (c->op == MODEL_OP_OPEN_FILE)
            lc_scn_inst(w, c);
        lc_scn_file(w, c);
        fputs(" h", out);
        break;
    case MODEL_OP_READ_FILE:
    case MODEL_OP_READ_FILE_LEGACY:
        fputs(name, out);
        if (c->op == MODEL_OP_READ_FILE)
            lc_scn_inst(w, c);
        lc_scn_hf(w, c->hf);
        fprintf(out, " %" PRIu32, c->cb_max);
        lc_scn_buf_opts(out, c->flags, true);
        break;
    case MODEL_OP_CLOSE_FILE:
    case MODEL_OP_CLOSE_FILE_LEGACY:
        fputs(name, out);
        if (c->op == MODEL_OP_CLOSE_FILE)
            lc_scn_inst(w, c);
        lc_scn_hf(w, c->hf);
        break;
    case MODEL_OP_STOP_SERVICE:
    case MODEL_OP_STOP_BACKUP:
    case MODEL_OP_TRUNCATE_LOG_LEGACY:
    case MODEL_OP_END_LEGACY:
        fputs(name, out);
        break;
    case MODEL_OP_FX_CREATE_DB:
        if (c->name == NULL || c->name[0] == '\0')
            return false;
        fprintf(out, "database %s %s pages=%" PRIu32, w->handle, c->name, c->arg);
        break;
    case MODEL_OP_FX_DETACH_DB:
        if (c->name == NULL || c->name[0] == '\0')
            return false;
        fprintf(out, "detach %s %s", w->handle, c->name);
        break;
    case MODEL_OP_FX_ROLL_LOG:
        fprintf(out, "roll-log %s %" PRIu32, w->handle, c->arg);
        break;
    case MODEL_OP_FX_SET_CHECKPOINT:
        fprintf(out, "checkpoint %s %" PRIu32, w->handle, c->arg);
        break;
    case MODEL_OP_FX_DELETE_LOG:
        fprintf(out, "delete-log %s %" PRIu32, w->handle, c->arg);
        break;
    case MODEL_OP_FX_FORCE_STATE:
        if (c->arg == 0 || c->arg >= BACKSTOP_STATE__COUNT)
            return false;
        fprintf(out, "force-state %s %s", w->handle, lc_state_names[c->arg]);
        break;
    default:
        return false; /* FX_CONFIGURE outside `instance` */
    }
    lc_scn_expect(w, it);
    /* Remember what later steps refer to. */
    if (c->op == MODEL_OP_FX_CREATE_DB && w->n_dbs < sizeof w->dbs / sizeof w->dbs[0])
        w->dbs[w->n_dbs++] = c->name;
    if (c->op == MODEL_OP_OPEN_FILE || c->op == MODEL_OP_OPEN_FILE_LEGACY) {
        const struct hist_event *e = it->ev;
        w->open_ok = e != NULL && e->ret != HIST_PENDING && e->err == JET_errSuccess &&
                     (e->outs & MODEL_OUT_HF);
        w->open_hf = w->open_ok ? e->hf : 0;
    }
    return true;
}

static void lc_scn_comment_call(struct lc_scn *w, const struct lc_item *it)
{
    char d[320];
    if (it->ev != NULL) {
        lincheck__describe(it->ev, d, sizeof d);
    } else {
        char args[96];
        lc_args_text(&it->call, args, sizeof args);
        snprintf(d, sizeof d, "setup %s(%s)", model_op_name(it->call.op), args);
    }
    fprintf(w->out, "  # not expressible in .scn: %s\n", d);
}

/* The thread label of a parallel-block line: "t3"; past the parser's limit of
 * SCN_MAX_THREADS labels, the last one collects the remaining threads. */
static const char *lc_scn_label(struct lc_scn *w, uint32_t thread)
{
    for (size_t i = 0; i < w->n_labels; i++) {
        if (w->labels[i].thread == thread)
            return w->labels[i].name;
    }
    if (w->n_labels < SCN_MAX_THREADS - 1) {
        w->labels[w->n_labels].thread = thread;
        snprintf(w->labels[w->n_labels].name, sizeof w->labels[0].name, "t%" PRIu32, thread);
        return w->labels[w->n_labels++].name;
    }
    return "others";
}

static bool lc_oneinst_init(const struct model_call *c)
{
    return c->op == MODEL_OP_INIT &&
           ((c->flags & MODEL_CALL_PINST_NULL) || c->inst == 0 || c->inst == JET_instanceNil);
}

static JET_ERR lc_item_err(const struct lc_item *it)
{
    return it->ev ? it->ev->err : it->err;
}

static bool lc_item_done_ok(const struct lc_item *it)
{
    return it->solo && lc_item_err(it) == JET_errSuccess &&
           !(it->ev != NULL && it->ev->ret == HIST_PENDING);
}

/* Fold JetCreateInstance [configure...] JetInit starting at items[i] into one
 * `instance` step: returns how many items it covers (0: no fold). */
static size_t lc_scn_fold(const struct lc_item *items, size_t n, size_t i, uint32_t *flags)
{
    if (items[i].call.op != MODEL_OP_CREATE_INSTANCE || !lc_item_done_ok(&items[i]))
        return 0;
    *flags = 0;
    size_t j = i + 1;
    while (j < n && items[j].call.op == MODEL_OP_FX_CONFIGURE && lc_item_done_ok(&items[j])) {
        *flags = items[j].call.arg;
        j++;
    }
    if (j >= n || items[j].call.op != MODEL_OP_INIT || lc_oneinst_init(&items[j].call) ||
        !lc_item_done_ok(&items[j]))
        return 0;
    return j - i + 1;
}

static void lc_rule_add(bool *rules, unsigned r)
{
    if (r >= 1 && r <= 55)
        rules[r] = true;
}

/* Rules the case is about: the model's for the culprit, and those of the
 * overlaps it contains (§6.3). */
static void lc_scn_rules(const struct lincheck_cex *c, const struct lc_item *items, size_t n,
                         bool *rules)
{
    if (c->have_expect) {
        for (unsigned i = 0; i < c->expect.n_rules && i < MODEL_MAX_RULES; i++)
            lc_rule_add(rules, c->expect.rules[i]);
    } else if (c->have_blocked) {
        for (unsigned i = 0; i < c->blocked_res.n_rules && i < MODEL_MAX_RULES; i++)
            lc_rule_add(rules, c->blocked_res.rules[i]);
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            if (items[i].ev == NULL || items[j].ev == NULL || items[i].group != items[j].group)
                continue;
            enum model_op a = items[i].call.op, b = items[j].call.op;
            bool stop_a = a == MODEL_OP_STOP_BACKUP_INSTANCE || a == MODEL_OP_STOP_BACKUP;
            bool stop_b = b == MODEL_OP_STOP_BACKUP_INSTANCE || b == MODEL_OP_STOP_BACKUP;
            bool begin_a = a == MODEL_OP_BEGIN || a == MODEL_OP_BEGIN_LEGACY;
            bool begin_b = b == MODEL_OP_BEGIN || b == MODEL_OP_BEGIN_LEGACY;
            if (stop_a || stop_b) {
                lc_rule_add(rules, 50);
                lc_rule_add(rules, (begin_a || begin_b) ? 53 : 51);
            } else if (begin_a && begin_b) {
                lc_rule_add(rules, 52);
            } else if (a == MODEL_OP_TERM || a == MODEL_OP_TERM2 || b == MODEL_OP_TERM ||
                       b == MODEL_OP_TERM2) {
                lc_rule_add(rules, 54);
            }
        }
    }
    if (c->lifetime == HIST_NO_LIFETIME)
        lc_rule_add(rules, 3);
    bool any = false;
    for (unsigned r = 1; r <= 55; r++)
        any = any || rules[r];
    if (!any)
        lc_rule_add(rules, 55);
}

/* Write the case into `out`; returns 0 or LINCHECK_ENOMEM. */
static int lc_scn_text(const struct lincheck_cex *c, const char *case_name, FILE *out)
{
    size_t n = c->n_setup + c->n_ev;
    struct lc_item *items = calloc(n ? n : 1, sizeof *items);
    struct model_world *w = malloc(model_world_size());
    if (items == NULL || w == NULL) {
        free(items);
        free(w);
        return LINCHECK_ENOMEM;
    }
    /* Setup calls, with the model's results (the setup is not recorded). */
    model_world_init(w, &c->model);
    JET_INSTANCE h = 0;
    for (size_t i = 0; i < c->n_setup; i++) {
        struct model_call mc = c->setup[i];
        struct model_result r;
        bool takes = mc.op != MODEL_OP_CREATE_INSTANCE && !model_op_is_legacy(mc.op) &&
                     (!lc_oneinst_init(&mc) || (h != 0 && !(mc.flags & MODEL_CALL_PINST_NULL)));
        if (takes)
            mc.inst = h;
        model_step(w, &mc, &r);
        if (h == 0 && (r.outs & MODEL_OUT_INST))
            h = r.inst;
        items[i] = (struct lc_item){.call = mc, .err = r.err, .solo = true, .group = SIZE_MAX};
    }
    free(w);
    /* Events, in overlap groups. */
    uint64_t group_end = 0;
    size_t group = 0;
    for (size_t i = 0; i < c->n_ev; i++) {
        const struct hist_event *e = &c->ev[i];
        struct lc_item *it = &items[c->n_setup + i];
        if (i == 0 || e->inv >= group_end) {
            group = i;
            group_end = e->ret;
        } else if (e->ret > group_end) {
            group_end = e->ret;
        }
        *it = (struct lc_item){.call = e->call, .ev = e, .group = group};
    }
    for (size_t i = 0; i < c->n_ev; i++) {
        struct lc_item *it = &items[c->n_setup + i];
        bool alone = true;
        for (size_t j = 0; j < c->n_ev && alone; j++)
            alone = j == i || items[c->n_setup + j].group != it->group;
        it->solo = alone;
    }

    bool has_creation = false, oneinst = false;
    for (size_t i = 0; i < n; i++) {
        if (items[i].call.op == MODEL_OP_CREATE_INSTANCE)
            has_creation = true;
        if (lc_oneinst_init(&items[i].call)) {
            has_creation = true;
            oneinst = true;
        }
    }
    struct lc_scn sw = {.out = out, .c = c};
    sw.handle = c->lifetime == HIST_NO_LIFETIME || has_creation ? "i" : "never";
    bool bound = c->lifetime == HIST_NO_LIFETIME || !has_creation;

    bool rules[56] = {false};
    lc_scn_rules(c, items, n, rules);

    fprintf(out, "# Counterexample found by backstop's linearizability checker: %s.\n",
            c->lifetime == HIST_NO_LIFETIME ? "one call with a handle that names no instance"
                                            : "no order of these calls is explained by the model");
    fputs("# Observed results are the expectations, so running this case against the model\n"
          "# fails, at the culprit or before it. Parallel blocks run in the order written.\n",
          out);
    fprintf(out, "case %s\n  intent  ", case_name);
    for (const char *p = c->message; *p != '\0'; p++)
        fputc(*p == '#' ? '%' : (*p == '\n' || *p == '\r') ? ' ' : *p, out);
    fputs("\n  rules  ", out);
    for (unsigned r = 1; r <= 55; r++) {
        if (rules[r])
            fprintf(out, " %s", model_rule_name(r));
    }
    fprintf(out, "\n  profile %s\n", model_profile_name(c->model.profile));
    if (c->model.page_size != 0 && c->model.page_size != 4096)
        fprintf(out, "  page-size %" PRIu32 "\n", c->model.page_size);
    if (c->model.log_size != 0 && c->model.log_size != 65536)
        fprintf(out, "  log-size %" PRIu32 "\n", c->model.log_size);
    if (c->lifetime == HIST_NO_LIFETIME)
        fputs("  instance i                # a MultiInst world; the call's handle names nothing\n",
              out);

    for (size_t i = 0; i < n;) {
        struct lc_item *it = &items[i];
        if (it->ev == NULL || it->solo) {
            uint32_t flags;
            size_t fold = lc_scn_fold(items, n, i, &flags);
            if (fold > 0) {
                fprintf(out, "  instance i%s%s\n",
                        (flags & BACKSTOP_CFG_LOGGING_OFF) ? " logging=off" : "",
                        (flags & BACKSTOP_CFG_CIRCULAR_LOG) ? " circular=on" : "");
                bound = true;
                i += fold;
                continue;
            }
            if (lc_oneinst_init(&it->call) && lc_item_done_ok(it)) {
                fputs("  oneinst i\n", out);
                bound = true;
                i++;
                continue;
            }
            if (!bound && it->call.op != MODEL_OP_CREATE_INSTANCE)
                sw.handle = oneinst ? "nil" : "never";
            if (it->ev != NULL && it->ev->fault != MODEL_FAULT_NONE)
                fprintf(out, "  fault %s\n", model_fault_name(it->ev->fault));
            if (lc_scn_expressible(&it->call)) {
                fputs("  ", out);
                lc_scn_step(&sw, it);
                fputc('\n', out);
            } else {
                lc_scn_comment_call(&sw, it);
            }
            if (it->call.op == MODEL_OP_CREATE_INSTANCE) {
                bound = true;
                sw.handle = "i";
            }
            i++;
            continue;
        }
        /* An overlap group: its faults first, then the block. */
        size_t g = it->group, j = i;
        while (j < n && items[j].ev != NULL && items[j].group == g) {
            if (items[j].ev->fault != MODEL_FAULT_NONE)
                fprintf(out, "  fault %s\n", model_fault_name(items[j].ev->fault));
            j++;
        }
        if (!bound)
            sw.handle = oneinst ? "nil" : "never";
        fputs("  parallel\n", out);
        for (size_t k = i; k < j; k++) {
            if (!lc_scn_expressible(&items[k].call)) {
                lc_scn_comment_call(&sw, &items[k]);
                continue;
            }
            fprintf(out, "    %s: ", lc_scn_label(&sw, items[k].ev->thread));
            lc_scn_step(&sw, &items[k]);
            fputc('\n', out);
        }
        fputs("  end\n", out);
        i = j;
    }
    fputs("end\n", out);
    free(items);
    return 0;
}

int lincheck_cex_write_scn(const struct lincheck_cex *c, const char *case_name, FILE *out)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (mem == NULL)
        return LINCHECK_ENOMEM;
    int rc = lc_scn_text(c, case_name ? case_name : "lincheck.counterexample", mem);
    if (fclose(mem) != 0 && rc == 0)
        rc = LINCHECK_ENOMEM;
    if (rc != 0) {
        free(text);
        return rc;
    }
    struct scn_suite *suite = NULL;
    int prc = scn_parse_buffer("lincheck.scn", text, len, NULL, &suite);
    bool ok = prc == SCN_OK && suite != NULL && scn_suite_count(suite) == 1;
    scn_suite_free(suite);
    if (!ok) {
        free(text);
        return LINCHECK_EINVAL;
    }
    rc = fwrite(text, 1, len, out) == len ? LINCHECK_OK : LINCHECK_EIO;
    free(text);
    return rc;
}

int lincheck_cex_save(const struct lincheck_cex *c, const char *dir, const char *stem)
{
    static const char *const ext[3] = {"txt", "html", "scn"};
    char path[4096], name[256];
    int rc = LINCHECK_OK;
    snprintf(name, sizeof name, "lincheck.%s", stem);
    for (int k = 0; k < 3 && rc == LINCHECK_OK; k++) {
        int w = snprintf(path, sizeof path, "%s/%s.%s", dir, stem, ext[k]);
        if (w < 0 || (size_t)w >= sizeof path)
            return LINCHECK_EINVAL;
        FILE *f = fopen(path, "w");
        if (f == NULL)
            return LINCHECK_EIO;
        if (k == 0)
            lincheck_cex_print_timeline(c, f);
        else if (k == 1)
            rc = lincheck_cex_write_html(c, f);
        else
            rc = lincheck_cex_write_scn(c, name, f);
        if (fclose(f) != 0 && rc == LINCHECK_OK)
            rc = LINCHECK_EIO;
        if (rc != LINCHECK_OK)
            remove(path);
    }
    return rc;
}
