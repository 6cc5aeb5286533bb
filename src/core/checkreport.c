/*
 * checkreport: lines of the setup report and their text and JSON forms.
 *
 * Does: collect lines (bounded at CHECK_LINES_MAX), count them by status,
 * format them. Does not: run any check (check.c, route.c, tlsid.c and
 * postconf.c do) or print.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "checkreport.h"

static const char *const status_words[] = { "PASS", "WARN", "FAIL" };

/* Append one line to the report. */
void check_add(struct check_report *r, enum check_status st, const char *name, const char *fmt, ...)
{
	if (r->count >= CHECK_LINES_MAX)
		return;
	struct check_line *l = &r->lines[r->count++];
	l->status = st;
	snprintf(l->name, sizeof l->name, "%s", name);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->detail, sizeof l->detail, fmt, ap);
	va_end(ap);
}

/* Count lines with status st. */
size_t check_count(const struct check_report *r, enum check_status st)
{
	size_t n = 0;
	for (size_t i = 0; i < r->count; i++)
		n += r->lines[i].status == st;
	return n;
}

/* One line per check, then a summary. */
void check_format_text(const struct check_report *r, struct strbuf *out)
{
	for (size_t i = 0; i < r->count; i++) {
		const struct check_line *l = &r->lines[i];
		strbuf_printf(out, "%s %s ", status_words[l->status], l->name);
		strbuf_puts_text(out, l->detail);
		strbuf_putc(out, '\n');
	}
	size_t fails = check_count(r, CHECK_FAIL);
	const char *verdict = fails > 0 ? "EOP would refuse mail from this relay; fix the FAIL lines"
					: "no failure predicted";
	if (r->config_unusable)
		verdict = "the configuration could not be used, so nothing else was checked; fix the FAIL line";
	strbuf_printf(out, "%zu check%s: %zu passed, %zu warning%s, %zu failed: %s\n", r->count,
		      r->count == 1 ? "" : "s", check_count(r, CHECK_PASS), check_count(r, CHECK_WARN),
		      check_count(r, CHECK_WARN) == 1 ? "" : "s", fails, verdict);
}

/* The same report as a JSON document. */
void check_format_json(const struct check_report *r, struct strbuf *out)
{
	strbuf_puts(out, "{\"checks\":[");
	for (size_t i = 0; i < r->count; i++) {
		const struct check_line *l = &r->lines[i];
		strbuf_printf(out, "%s{\"status\":\"%s\",\"name\":\"", i ? "," : "", status_words[l->status]);
		strbuf_puts_json(out, l->name);
		strbuf_puts(out, "\",\"detail\":\"");
		strbuf_puts_json(out, l->detail);
		strbuf_puts(out, "\"}");
	}
	strbuf_printf(out, "],\"summary\":{\"pass\":%zu,\"warn\":%zu,\"fail\":%zu}}\n",
		      check_count(r, CHECK_PASS), check_count(r, CHECK_WARN), check_count(r, CHECK_FAIL));
}

/*
 * One line in the monitoring-plugins format: "EOPGUARD STATE - summary |
 * perfdata", STATE from the worst line (a configuration that could not be
 * used is UNKNOWN). The summary names the failing (else warning) checks,
 * the first with its detail. Returns the plugin exit status.
 */
int check_format_nagios(const struct check_report *r, time_t not_after, time_t now, struct strbuf *out)
{
	static const char *const states[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
	int st = r->config_unusable ? 3 : check_count(r, CHECK_FAIL) > 0 ? 2 : check_count(r, CHECK_WARN) > 0 ? 1 : 0;
	enum check_status worst = st == 1 ? CHECK_WARN : CHECK_FAIL;
	strbuf_printf(out, "EOPGUARD %s - ", states[st]);
	if (st == 0) {
		strbuf_printf(out, "%zu checks passed, no failure predicted", r->count);
	} else {
		size_t shown = 0;
		for (size_t i = 0; i < r->count; i++) {
			const struct check_line *l = &r->lines[i];
			if (l->status != worst)
				continue;
			if (shown++ == 0) {
				strbuf_printf(out, "%s: ", l->name);
				strbuf_puts_text(out, l->detail);
			} else {
				strbuf_printf(out, "%s%s", shown == 2 ? "; also " : ", ", l->name);
			}
		}
	}
	/* perfdata: '|' starts it in the plugin format, so none may stand in the text */
	for (size_t i = 0; i < out->len; i++) {
		if (out->data[i] == '|')
			out->data[i] = '/';
	}
	strbuf_printf(out, " | failed=%zu warnings=%zu", check_count(r, CHECK_FAIL), check_count(r, CHECK_WARN));
	if (not_after != 0)
		strbuf_printf(out, " days_left=%lld", (long long)(not_after - now) / 86400);
	strbuf_putc(out, '\n');
	return st;
}
