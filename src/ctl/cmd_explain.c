/*
 * eopguardctl explain: what an EOP response means, who must act and how to
 * fix it. Input: a code, a reply, a log line, or an NDR
 * block on standard input. Exit 0 when the response is known, 1 when only
 * its RFC 3463 class is, 64 on usage errors.
 *
 * Does: read the input, ask ndr for records, lay them out as text or JSON.
 * Does not: know any EOP text itself (data/ndr.txt).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "ctl.h"
#include "finding.h"
#include "ndr.h"
#include "strbuf.h"

#define EXPLAIN_INPUT_MAX (1024 * 1024)
#define EXPLAIN_MATCHES_MAX 16

static const char usage_text[] =
	"usage: eopguardctl explain [--json] CODE-OR-TEXT...\n"
	"       eopguardctl explain [--json] -     (an NDR or log lines on standard input)\n"
	"examples: eopguardctl explain 5.7.64\n"
	"          eopguardctl explain '550 5.7.64 Relay Access Denied ATTR36'\n";

/* Read standard input (bounded); false on error or when it is too long. */
static bool read_stdin(struct strbuf *in)
{
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
		strbuf_append(in, buf, n);
		if (!strbuf_ok(in)) {
			fprintf(stderr, "eopguardctl explain: input longer than %d bytes\n", EXPLAIN_INPUT_MAX);
			return false;
		}
	}
	return !ferror(stdin);
}

/* Append text wrapped at 78 columns, continuation lines indented by indent. */
static void put_wrapped(struct strbuf *out, const char *label, const char *text, size_t indent)
{
	size_t col = indent;
	strbuf_printf(out, "  %-*s", (int)(indent - 2), label);
	for (const char *p = text; *p != '\0'; ) {
		size_t wl = strcspn(p, " ");
		if (col > indent && col + 1 + wl > 78) {
			strbuf_printf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > indent) {
			strbuf_putc(out, ' ');
			col++;
		}
		strbuf_put_text_escaped(out, p, wl);
		col += wl;
		p += wl;
		p += strspn(p, " ");
	}
	strbuf_putc(out, '\n');
}

/* The option deciding what eopguard does about a finding, or NULL. */
static const char *option_of(const char *finding)
{
	enum finding_id id;
	return finding_by_name(finding, &id) ? finding_policy_option(finding_info(id)->policy) : NULL;
}

/*
 * "predicted before handoff by a, b (policy.x), c (policy.y)": the findings
 * that predict a record, grouped by the option that decides the action.
 */
static void describe_prediction(const struct ndr_record *r, struct strbuf *out)
{
	if (r->predict[0] == '\0') {
		strbuf_puts(out, "not predictable before handoff; eopguardctl review finds it in the mail log");
		return;
	}
	strbuf_puts(out, "predicted before handoff by the findings ");
	char names[256];
	snprintf(names, sizeof names, "%s", r->predict);
	const char *group = NULL;
	size_t k = 0;
	for (char *t = strtok(names, " "); t != NULL; t = strtok(NULL, " "), k++) {
		const char *opt = option_of(t);
		if (k > 0 && opt != group)
			strbuf_printf(out, " (%s)", group != NULL ? group : "reported by eopguardctl check");
		strbuf_printf(out, "%s%s", k ? ", " : "", t);
		group = opt;
	}
	strbuf_printf(out, " (%s)", group != NULL ? group : "reported by eopguardctl check");
}

/* One record as text. */
static void record_text(const struct ndr_record *r, struct strbuf *out)
{
	struct strbuf pred;
	strbuf_init(&pred, 1024);
	describe_prediction(r, &pred);
	strbuf_printf(out, "%s\n", r->reply);
	put_wrapped(out, "meaning:", r->meaning, 12);
	put_wrapped(out, "who acts:", r->owner, 12);
	put_wrapped(out, "fix:", r->fix, 12);
	put_wrapped(out, "eopguard:", pred.data, 12);
	strbuf_free(&pred);
}

/* RFC 3463 lines for an enhanced code. */
static void class_text(const struct ndr_query *q, struct strbuf *out)
{
	int subject = -1, detail = -1;
	sscanf(q->enhanced + 2, "%d.%d", &subject, &detail);
	const char *c = ndr_class_meaning(q->enhanced[0]);
	const char *s = ndr_subject_meaning(subject);
	const char *d = ndr_detail_meaning(subject, detail);
	strbuf_printf(out, "  class %c:     %s\n", q->enhanced[0], c);
	strbuf_printf(out, "  subject %d:   %s\n", subject, s ? s : "not defined in RFC 3463");
	strbuf_printf(out, "  detail %d.%d: %s\n", subject, detail, d ? d : "not defined in RFC 3463 (server specific)");
}

/* What explain found out about its input besides the records. */
struct explain_ctx {
	enum ndr_origin origin;
	char host[256];              /* the other server, for NDR_NOT_MICROSOFT */
	struct ndr_match_info info;
};

/* The answer as text. */
static void explain_text(const struct ndr_query *q, const struct ndr_record **m, size_t n, const struct explain_ctx *x,
			 struct strbuf *out)
{
	if (q->finding[0] != '\0') {
		const char *what = q->own_class == '5' ? "rejection" : q->own_class == '4' ? "deferral" : "reply";
		strbuf_printf(out, "This is eopguard's own %s, given before the message left the relay (finding %s).\n"
			      "EOP itself would have answered:\n\n", what, q->finding);
		const struct ndr_record *r = ndr_for_finding(q->finding);
		if (r != NULL) {
			record_text(r, out);
			return;
		}
	}
	if (x->origin == NDR_NOT_MICROSOFT) {
		strbuf_puts(out, "This reply comes from ");
		strbuf_put_text_escaped(out, x->host, strlen(x->host));
		strbuf_puts(out, ", not from Microsoft (no Exchange Online or Outlook.com marker): eopguard's table "
				 "describes Microsoft's responses, so it is explained by what it says and its code.\n\n");
	}
	if (n == 0 && q->enhanced[0] != '\0') {
		strbuf_printf(out, "%s is not %s response eopguard knows. By RFC 3463:\n", q->enhanced,
			      x->origin == NDR_NOT_MICROSOFT ? "a" : "an Exchange Online");
		class_text(q, out);
		return;
	}
	if (n == 0) {
		strbuf_puts(out, "No status code (such as 5.7.64) and no known Exchange Online response text found.\n");
		return;
	}
	if (x->info.score > 0) {
		strbuf_puts(out, "Matched on: \"");
		strbuf_put_text_escaped(out, x->info.words, strlen(x->info.words));
		strbuf_puts(out, "\"");
		if (q->enhanced[0] != '\0')
			strbuf_printf(out, " with the code %s", q->enhanced);
		strbuf_puts(out, "\n\n");
	} else if (q->text_len > strlen(q->enhanced) + strlen(q->basic) + 2) {
		/* the text was there but none of it was recognised */
		strbuf_printf(out, "Matched on the code %s only: the text with it is not one eopguard knows.%s\n\n",
			      q->enhanced, n > 1 ? " Its known variants:" : "");
	} else if (n > 1) {
		strbuf_printf(out, "%s has %zu variants; the text after the code tells them apart.\n\n", q->enhanced, n);
	}
	if (n > 1 && x->info.score > 0)
		strbuf_printf(out, "%s has %zu variants with this text.\n\n", q->enhanced, n);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strbuf_putc(out, '\n');
		record_text(m[i], out);
	}
}

/* A JSON string field "name":"value" (value escaped). */
static void json_field(struct strbuf *out, const char *name, const char *value, bool comma)
{
	strbuf_printf(out, "%s\"%s\":", comma ? "," : "", name);
	if (value == NULL) {
		strbuf_puts(out, "null");
		return;
	}
	strbuf_putc(out, '"');
	strbuf_puts_json(out, value);
	strbuf_putc(out, '"');
}

/* One record as a JSON object. */
static void record_json(const struct ndr_record *r, struct strbuf *out)
{
	strbuf_putc(out, '{');
	json_field(out, "code", r->code, false);
	json_field(out, "reply", r->reply, true);
	json_field(out, "meaning", r->meaning, true);
	json_field(out, "owner", r->owner, true);
	json_field(out, "fix", r->fix, true);
	strbuf_puts(out, ",\"predicted_by\":[");
	char names[256];
	snprintf(names, sizeof names, "%s", r->predict);
	size_t k = 0;
	for (char *t = strtok(names, " "); t != NULL; t = strtok(NULL, " "), k++) {
		strbuf_printf(out, "%s{\"finding\":\"%s\"", k ? "," : "", t);
		json_field(out, "policy_option", option_of(t), true);
		strbuf_putc(out, '}');
	}
	strbuf_putc(out, ']');
	strbuf_putc(out, '}');
}

/* The whole answer as one JSON object. */
static void explain_json(const struct ndr_query *q, const struct ndr_record **m, size_t n, const struct explain_ctx *x,
			 struct strbuf *out)
{
	const struct ndr_record *own = q->finding[0] != '\0' ? ndr_for_finding(q->finding) : NULL;
	static const char *const origins[] = { "unknown", "microsoft", "other" };
	strbuf_putc(out, '{');
	json_field(out, "basic", q->basic[0] ? q->basic : NULL, false);
	json_field(out, "code", q->enhanced[0] ? q->enhanced : NULL, true);
	strbuf_printf(out, ",\"known\":%s", n > 0 || own != NULL ? "true" : "false");
	strbuf_printf(out, ",\"origin\":\"%s\"", origins[x->origin]);
	json_field(out, "other_host", x->origin == NDR_NOT_MICROSOFT && x->host[0] ? x->host : NULL, true);
	json_field(out, "matched_on", own != NULL ? NULL : x->info.score > 0 ? x->info.words : n > 0 ? "code" : NULL, true);
	json_field(out, "eopguard_finding", q->finding[0] ? q->finding : NULL, true);
	strbuf_puts(out, ",\"matches\":[");
	if (own != NULL) {
		record_json(own, out);
	} else {
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				strbuf_putc(out, ',');
			record_json(m[i], out);
		}
	}
	strbuf_putc(out, ']');
	if (q->enhanced[0] != '\0') {
		int subject = -1, detail = -1;
		sscanf(q->enhanced + 2, "%d.%d", &subject, &detail);
		strbuf_puts(out, ",\"rfc3463\":{");
		json_field(out, "class", ndr_class_meaning(q->enhanced[0]), false);
		json_field(out, "subject", ndr_subject_meaning(subject), true);
		json_field(out, "detail", ndr_detail_meaning(subject, detail), true);
		strbuf_putc(out, '}');
	}
	strbuf_puts(out, "}\n");
}

/* Gather the input from the arguments or standard input. */
static int gather_input(int argc, char **argv, struct strbuf *in)
{
	bool from_stdin = optind >= argc ? !isatty(STDIN_FILENO)
					 : (optind == argc - 1 && strcmp(argv[optind], "-") == 0);
	if (from_stdin)
		return read_stdin(in) ? EX_OK : EX_DATAERR;
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return EX_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			strbuf_putc(in, ' ');
		strbuf_puts(in, argv[i]);
	}
	return strbuf_ok(in) ? EX_OK : EX_DATAERR;
}

/* Explain a code or a piece of text. */
int cmd_explain(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j': json = true; break;
		case 'h': fputs(usage_text, stdout); return EX_OK;
		default: fputs(usage_text, stderr); return EX_USAGE;
		}
	}
	struct strbuf in, out;
	strbuf_init(&in, EXPLAIN_INPUT_MAX);
	strbuf_init(&out, 1 << 20);
	int rc = gather_input(argc, argv, &in);
	if (rc == EX_OK && in.len == 0) {
		fputs("eopguardctl explain: empty input\n", stderr);
		rc = EX_USAGE;
	}
	if (rc != EX_OK) {
		strbuf_free(&in);
		return rc;
	}
	struct ndr_query q;
	const struct ndr_record *matches[EXPLAIN_MATCHES_MAX];
	ndr_parse_input(in.data, in.len, &q);
	struct explain_ctx x;
	memset(&x, 0, sizeof x);
	x.origin = ndr_origin_of(in.data, in.len, x.host, sizeof x.host);
	size_t n = ndr_lookup_info(&q, x.origin, matches, EXPLAIN_MATCHES_MAX, &x.info);
	bool known = n > 0 || (q.finding[0] != '\0' && ndr_for_finding(q.finding) != NULL);
	if (json)
		explain_json(&q, matches, n, &x, &out);
	else
		explain_text(&q, matches, n, &x, &out);
	fputs(out.data, stdout);
	strbuf_free(&in);
	strbuf_free(&out);
	return known ? EX_OK : 1;
}
