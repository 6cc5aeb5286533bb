/*
 * review: deferred, bounced and expired deliveries, milter refusals and
 * holds, and eopguard's own verdicts, read from mail logs and grouped by
 * cause (status + enhanced code + EOP variant + eopguard finding), with the
 * knowledge base's explanation (eopguardctl(8), review).
 *
 * Streaming: feed lines one at a time; memory is bounded by a message table
 * with eviction (a message's state is dropped at "removed") and a small
 * cause table. Pure: the caller reads the files; output is formatted text.
 */
#ifndef EOPGUARD_REVIEW_H
#define EOPGUARD_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "domains.h"
#include "strbuf.h"

struct review_options {
	time_t now;                 /* for classic timestamps without a year */
	long utc_offset;            /* seconds east of UTC of classic (local time) timestamps */
	time_t since;               /* skip events before this (0: none) */
	bool list_messages;         /* --messages */
	size_t table_max;           /* messages kept at once (0: default 50000) */
	const struct domain_set *accepted;   /* optional: mark sender domains not accepted */
	bool histogram;             /* count messages per cause per hour (for review_format_html) */
};

struct review;

/* A new review; NULL when out of memory. */
struct review *review_new(const struct review_options *opts);
/* Free; NULL allowed. */
void review_free(struct review *r);
/* Start a new input file (its name as shown in the report). */
void review_begin_file(struct review *r, const char *name);
/* One line, without its newline. */
void review_line(struct review *r, const char *line, size_t len);
/* Messages whose state is held right now (never more than table_max). */
size_t review_table_size(const struct review *r);
/* Count a line too long to parse (its reader dropped it): read once, malformed. */
void review_overlong_line(struct review *r);

/* The report as text, and as the contract's JSON document. */
void review_format_text(struct review *r, struct strbuf *out);
void review_format_json(struct review *r, struct strbuf *out);
/*
 * One self-contained HTML page (no network resources): the totals, a chart
 * of messages per hour (wider buckets for long spans) by cause, and the
 * causes table. Needs review_options.histogram for the chart.
 */
void review_format_html(struct review *r, struct strbuf *out);

#endif
