/*
 * review_html: eopguardctl review --html, one self-contained page for an
 * admin to send a colleague.
 *
 * Does: lay out the totals, an inline SVG chart of messages per time bucket
 * stacked by cause (the eight largest causes by name, the rest as "other"),
 * and the causes table, with inline CSS; every text from the logs is HTML
 * escaped. Does not: count (review.c) or load anything from the network.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "review_priv.h"

#define CHART_CAUSES 8
#define CHART_W 960
#define CHART_H 280
#define PAD_L 48
#define PAD_B 36
#define PAD_T 12

static const char *const palette[CHART_CAUSES + 1] = {
	"#c0392b", "#e67e22", "#2980b9", "#8e44ad", "#16a085", "#d35400", "#2c3e50", "#7f8c8d", "#bdc3c7",
};

/* Text into HTML (element content or a quoted attribute). */
static void put_html(struct strbuf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': strbuf_puts(out, "&amp;"); break;
		case '<': strbuf_puts(out, "&lt;"); break;
		case '>': strbuf_puts(out, "&gt;"); break;
		case '"': strbuf_puts(out, "&quot;"); break;
		case '\'': strbuf_puts(out, "&#39;"); break;
		default:
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				strbuf_putc(out, '?');
			else
				strbuf_putc(out, *s);
		}
	}
}

/* "deferred 5.7.64 TenantAttribution; ..." : the label of a cause. */
static void cause_label(const struct cause *c, char *out, size_t len)
{
	snprintf(out, len, "%s %s%s%s", review_status_name(c), c->code[0] ? c->code : "(no code)",
		 c->finding[0] ? " eopguard:" : "", c->finding);
}

static void put_style(struct strbuf *out)
{
	strbuf_puts(out, "<style>\n"
			 "body{font-family:sans-serif;margin:24px;color:#222}\n"
			 "h1{font-size:20px}h2{font-size:16px;margin-top:28px}\n"
			 "table{border-collapse:collapse;width:100%;font-size:13px}\n"
			 "th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}\n"
			 "th{background:#f2f2f2}td.n{text-align:right}\n"
			 ".legend span{display:inline-block;margin-right:14px;font-size:12px}\n"
			 ".legend i{display:inline-block;width:10px;height:10px;margin-right:4px}\n"
			 ".reply{font-family:monospace;font-size:12px}\n"
			 "</style>\n");
}

/* Bucket range that holds counts: [*first, *last]; false when the histogram is empty. */
static bool used_buckets(const struct review *r, size_t *first, size_t *last)
{
	bool any = false;
	for (size_t b = 0; r->hist != NULL && b < HIST_BUCKETS; b++) {
		for (size_t c = 0; c < r->n_causes; c++) {
			if (r->hist[c * HIST_BUCKETS + b] == 0)
				continue;
			if (!any)
				*first = b;
			*last = b;
			any = true;
			break;
		}
	}
	return any;
}

static void put_chart(struct review *r, const struct cause **order, size_t n, struct strbuf *out)
{
	size_t first = 0, last = 0;
	strbuf_puts(out, "<h2>Messages per ");
	strbuf_puts(out, r->hist_width <= 3600 ? "hour" : "time bucket");
	strbuf_puts(out, " by cause</h2>\n");
	if (!used_buckets(r, &first, &last)) {
		strbuf_puts(out, "<p id=\"nochart\">Nothing to chart: no deferred, bounced, refused or held mail with a time.</p>\n");
		return;
	}
	size_t nb = last - first + 1;
	/* each chart row: a cause among the largest, or "other" */
	size_t rows = n < CHART_CAUSES ? n : CHART_CAUSES;
	uint32_t *stack = calloc(nb * (CHART_CAUSES + 1), sizeof *stack);
	if (stack == NULL)
		return;
	unsigned long peak = 0;
	for (size_t b = 0; b < nb; b++) {
		unsigned long total = 0;
		for (size_t i = 0; i < n; i++) {
			size_t id = (size_t)(order[i] - r->causes);
			uint32_t v = r->hist[id * HIST_BUCKETS + first + b];
			stack[b * (CHART_CAUSES + 1) + (i < rows ? i : CHART_CAUSES)] += v;
			total += v;
		}
		if (total > peak)
			peak = total;
	}
	double bw = (double)(CHART_W - PAD_L) / (double)nb;
	double scale = (double)(CHART_H - PAD_B - PAD_T) / (double)(peak > 0 ? peak : 1);
	strbuf_printf(out, "<svg id=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
			   "viewBox=\"0 0 %d %d\" role=\"img\">\n", CHART_W, CHART_H, CHART_W, CHART_H);
	strbuf_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#444\"/>\n", PAD_L, CHART_H - PAD_B, CHART_W,
		      CHART_H - PAD_B);
	strbuf_printf(out, "<text x=\"4\" y=\"%d\" font-size=\"11\">%lu</text>\n", PAD_T + 10, peak);
	strbuf_printf(out, "<text x=\"4\" y=\"%d\" font-size=\"11\">0</text>\n", CHART_H - PAD_B);
	for (size_t b = 0; b < nb; b++) {
		double y = CHART_H - PAD_B;
		time_t start = r->hist_origin + (time_t)(first + b) * r->hist_width;
		char when[32];
		review_iso_time(start, when, sizeof when);
		for (size_t k = 0; k <= CHART_CAUSES; k++) {
			uint32_t v = stack[b * (CHART_CAUSES + 1) + k];
			if (v == 0)
				continue;
			double h = v * scale;
			y -= h;
			char label[128] = "other causes";
			if (k < rows)
				cause_label(order[k], label, sizeof label);
			strbuf_printf(out, "<rect class=\"bar\" data-cause=\"%zu\" data-bucket=\"%s\" data-count=\"%u\" x=\"%.1f\" "
					   "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%s: ", k, when, v,
				      PAD_L + (double)b * bw, y, bw > 2 ? bw - 1 : bw, h, palette[k], when);
			put_html(out, label);
			strbuf_printf(out, ": %u message%s</title></rect>\n", v, v == 1 ? "" : "s");
		}
	}
	char from[32], to[32];
	review_iso_time(r->hist_origin + (time_t)first * r->hist_width, from, sizeof from);
	review_iso_time(r->hist_origin + (time_t)(last + 1) * r->hist_width, to, sizeof to);
	strbuf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>\n", PAD_L, CHART_H - 12, from);
	strbuf_printf(out, "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s (%ld min per bar)</text>\n",
		      CHART_W, CHART_H - 12, to, r->hist_width / 60);
	strbuf_puts(out, "</svg>\n<div class=\"legend\" id=\"legend\">");
	for (size_t k = 0; k <= rows; k++) {
		if (k == rows && n <= rows)
			break;
		char label[128] = "other causes";
		if (k < rows)
			cause_label(order[k], label, sizeof label);
		strbuf_printf(out, "<span><i style=\"background:%s\"></i>", palette[k < rows ? k : CHART_CAUSES]);
		put_html(out, label);
		strbuf_puts(out, "</span>");
	}
	strbuf_puts(out, "</div>\n");
	free(stack);
}

static void put_table(const struct cause **order, size_t n, struct strbuf *out)
{
	strbuf_puts(out, "<h2>Causes</h2>\n");
	if (n == 0) {
		strbuf_puts(out, "<p id=\"nocauses\">No deferred, bounced, expired, refused or held mail found.</p>\n");
		return;
	}
	strbuf_puts(out, "<table id=\"causes\">\n<thead><tr><th>status</th><th>code</th><th>reply</th><th>eopguard finding</th>"
			 "<th>messages</th><th>recipients</th><th>first</th><th>last</th><th>meaning</th><th>who acts</th>"
			 "<th>fix</th><th>examples</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < n; i++) {
		const struct cause *c = order[i];
		char first[32], last[32];
		review_iso_time(c->first, first, sizeof first);
		review_iso_time(c->last, last, sizeof last);
		strbuf_printf(out, "<tr class=\"cause\"><td>%s</td><td>", review_status_name(c));
		put_html(out, c->code[0] ? c->code : "-");
		strbuf_puts(out, "</td><td class=\"reply\">");
		put_html(out, review_cause_reply(c));
		strbuf_puts(out, "</td><td>");
		put_html(out, c->finding[0] ? c->finding : "-");
		strbuf_printf(out, "</td><td class=\"n\">%lu</td><td class=\"n\">%lu</td><td>%s</td><td>%s</td><td>", c->messages,
			      c->recipients, first, last);
		put_html(out, c->ndr != NULL ? c->ndr->meaning : "not an Exchange Online response eopguard knows");
		strbuf_puts(out, "</td><td>");
		put_html(out, c->ndr != NULL ? c->ndr->owner : "-");
		strbuf_puts(out, "</td><td>");
		put_html(out, c->ndr != NULL ? c->ndr->fix : "-");
		strbuf_puts(out, "</td><td>");
		for (size_t e = 0; e < c->n_examples; e++) {
			if (e > 0)
				strbuf_puts(out, "<br>");
			put_html(out, c->examples[e].qid);
			strbuf_puts(out, " to &lt;");
			put_html(out, c->examples[e].rcpt);
			if (c->examples[e].sender_known) {
				strbuf_puts(out, "&gt; from &lt;");
				put_html(out, c->examples[e].sender);
				strbuf_puts(out, "&gt;");
			} else {
				strbuf_puts(out, "&gt; from an unknown sender");
			}
		}
		strbuf_puts(out, "</td></tr>\n");
	}
	strbuf_puts(out, "</tbody>\n</table>\n");
}

void review_format_html(struct review *r, struct strbuf *out)
{
	const struct cause **order = malloc((r->n_causes + 1) * sizeof *order);
	if (order == NULL)
		return;
	size_t n = review_sorted_causes(r, order);
	strbuf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
			 "<title>eopguard review</title>\n");
	put_style(out);
	strbuf_puts(out, "</head><body>\n<h1>eopguard review: deferred, bounced and refused mail by cause</h1>\n");
	strbuf_puts(out, "<p id=\"files\">");
	for (size_t i = 0; i < r->n_files; i++) {
		if (i > 0)
			strbuf_puts(out, ", ");
		put_html(out, r->files[i].name);
		strbuf_printf(out, " (%llu lines)", r->files[i].lines);
	}
	strbuf_printf(out, "</p>\n<p id=\"totals\">%lu messages: sent %lu, bounced %lu, deferred %lu (%lu attempts), "
			   "expired %lu, refused by a milter %lu, held %lu. eopguard verdicts: pass %lu, warn %lu, fail %lu.</p>\n",
		      r->totals_messages, r->sent, r->bounced, r->deferred, r->deferrals, r->expired, r->milter_rejected,
		      r->held, r->eg_pass, r->eg_warn, r->eg_fail);
	put_chart(r, order, n, out);
	put_table(order, n, out);
	strbuf_puts(out, "<p>Made by eopguardctl review; explanations from eopguard's NDR table "
			 "(eopguardctl explain CODE).</p>\n</body></html>\n");
	free(order);
}
