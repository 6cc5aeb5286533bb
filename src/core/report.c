/*
 * report: headers, hints, log lines and SMTP replies for one message.
 *
 * Does: lay out the fixed formats of the contract. Does not: decide anything
 * (verdict.c) or talk to the MTA (milter.c).
 */
#include "config.h"

#include <string.h>

#include "report.h"

/* The action word shown in headers and logs. */
const char *report_action_name(enum action a)
{
	return a == ACTION_ANNOTATE ? "accept" : action_name(a);
}

/* Overall state of a list of identity findings. */
const char *report_identity_state(const struct finding_list *identity, bool unverified)
{
	if (identity == NULL)
		return "none";
	if (finding_list_count(identity, SEVERITY_FAIL) > 0)
		return "fail";
	return identity->count > 0 || unverified ? "warn" : "pass";
}

/* Append "id,id,..." for a list; returns how many were written. */
static size_t put_finding_names(struct strbuf *out, const struct finding_list *list, size_t already)
{
	if (list == NULL)
		return already;
	for (size_t i = 0; i < list->count; i++) {
		if (already++ > 0)
			strbuf_putc(out, ',');
		strbuf_puts(out, finding_info(list->items[i].id)->name);
	}
	return already;
}

/* The domain shown in "sender=" (rewritten shows the new one). */
static const char *sender_domain_shown(const struct report_input *in, enum sender_status *status)
{
	*status = in->msg->sender;
	if (in->verdict->rewrite_sender && *status == SENDER_FAIL) {
		*status = SENDER_REWRITTEN;
		return in->rewrite_domain;
	}
	return in->msg->sender_domain;
}

/* Append " (<domain>)" when there is a domain; domains are validated LDH. */
static void put_domain_paren(struct strbuf *out, const char *domain)
{
	if (domain == NULL || domain[0] == '\0')
		return;
	strbuf_puts(out, " (");
	strbuf_puts_text(out, domain);
	strbuf_putc(out, ')');
}

/* Build the X-EOPGuard value. */
void report_header(const struct report_input *in, const char *fold, struct strbuf *out)
{
	const struct verdict_result *v = in->verdict;
	strbuf_puts(out, in->authserv_id);
	strbuf_printf(out, "; verdict=%s; action=%s;%sidentity=%s", verdict_name(v->verdict),
		      report_action_name(v->action), fold, report_identity_state(in->identity, in->identity_unverified));
	if (in->identity != NULL && in->identity->count > 0) {
		strbuf_puts(out, " (");
		put_finding_names(out, in->identity, 0);
		strbuf_putc(out, ')');
	}
	enum sender_status ss;
	const char *sdom = sender_domain_shown(in, &ss);
	strbuf_printf(out, ";%ssender=%s", fold, sender_status_name(ss));
	put_domain_paren(out, sdom);
	strbuf_printf(out, ";%sfrom=%s", fold, from_status_name(in->msg->from));
	put_domain_paren(out, in->msg->from_domain);
	if (v->verdict == VERDICT_FAIL && v->predicted_ndr != NULL)
		strbuf_printf(out, ";%spredicted=\"%s\"", fold, v->predicted_ndr->reply);
	if (in->observed != NULL)
		strbuf_printf(out, ";%sobserved=\"%s\"", fold, in->observed);
	if (in->tenant != NULL)
		strbuf_printf(out, ";%stenant=%s", fold, in->tenant[0] != '\0' ? in->tenant : "\"\"");
}

/* Build one hint value. */
void report_hint(const struct finding *f, struct strbuf *out)
{
	strbuf_puts(out, finding_info(f->id)->name);
	strbuf_puts(out, ": ");
	strbuf_puts(out, f->hint);
}

/* The envelope sender as the MTA gave it, without its outer brackets (n bytes); NULL for <>. */
static const char *envelope_bare(const struct report_input *in, size_t *n)
{
	struct addr_path path;
	const char *es = in->envelope_sender != NULL ? in->envelope_sender : "";
	if (addr_parse_path(es, &path, NULL) && path.null_sender)
		return NULL;
	*n = strlen(es);
	if (*n > 0 && es[0] == '<' && es[*n - 1] == '>') {
		es++;
		*n -= 2;
	}
	return es;
}

/* Build the per-message log line: "QID: verdict=.. action=.. findings=.. sender=<..> from=.. predicted=..". */
void report_log_line(const struct report_input *in, struct strbuf *out)
{
	const struct verdict_result *v = in->verdict;
	const char *qid = in->queue_id != NULL && in->queue_id[0] != '\0' ? in->queue_id : "NOQUEUE";
	strbuf_put_token_escaped(out, qid, strlen(qid));
	strbuf_printf(out, ": verdict=%s action=%s findings=", verdict_name(v->verdict),
		      report_action_name(v->action));
	if (put_finding_names(out, in->message, put_finding_names(out, in->identity, 0)) == 0)
		strbuf_putc(out, '-');
	strbuf_puts(out, " sender=");
	size_t n;
	const char *es = envelope_bare(in, &n);
	if (es == NULL) {
		strbuf_puts(out, "<>");
	} else {
		strbuf_putc(out, '<');
		strbuf_put_token_escaped(out, es, n);
		strbuf_putc(out, '>');
	}
	strbuf_printf(out, " from=%s", in->msg->from_domain[0] != '\0' ? in->msg->from_domain : "-");
	if (v->verdict == VERDICT_FAIL && v->predicted_ndr != NULL)
		strbuf_printf(out, " predicted=\"%s\"", v->predicted_ndr->reply);
	else
		strbuf_puts(out, " predicted=-");
	if (in->observed != NULL)
		strbuf_printf(out, " observed=\"%s\"", in->observed);
	if (v->action != v->intended)
		strbuf_printf(out, " dry_run=%s", report_action_name(v->intended));
	if (in->tenant != NULL)
		strbuf_printf(out, " tenant=%s", in->tenant[0] != '\0' ? in->tenant : "\"\"");
}

/* Build the defer/reject reply. */
bool report_reply_text(const struct report_input *in, struct report_reply *reply, struct strbuf *text)
{
	const struct verdict_result *v = in->verdict;
	bool defer = v->intended != ACTION_REJECT;
	const struct finding *f = v->decisive;
	const struct ndr_record *ndr = f != NULL ? ndr_for_finding(finding_info(f->id)->name) : NULL;
	memcpy(reply->code, defer ? "451" : "550", 4);
	if (f != NULL && f->id == FINDING_OBSERVED_REFUSAL && in->observed != NULL) {
		/* EOP's own answer, with the class of what eopguard does */
		if (!ndr_enhanced_with_class(in->observed, defer ? '4' : '5', reply->enhanced, sizeof reply->enhanced))
			memcpy(reply->enhanced, defer ? "4.7.1" : "5.7.1", 6);
		strbuf_puts(text, "eopguard: observed-refusal: EOP answered \"");
		strbuf_puts_percent_doubled(text, in->observed);
		strbuf_puts(text, "\"; ");
		strbuf_puts_percent_doubled(text, f->hint);
		return true;
	}
	if (ndr == NULL || !ndr_enhanced_with_class(ndr->reply, defer ? '4' : '5', reply->enhanced,
						    sizeof reply->enhanced)) {
		memcpy(reply->enhanced, defer ? "4.7.1" : "5.7.1", 6);
		return false;
	}
	strbuf_printf(text, "eopguard: %s: EOP would answer \"", finding_info(f->id)->name);
	strbuf_puts_percent_doubled(text, ndr->reply);
	strbuf_puts(text, "\"; ");
	strbuf_puts_percent_doubled(text, f->hint);
	return true;
}

/* A JSON array of finding names: identity ones, then message ones. */
static void put_finding_array(struct strbuf *out, const struct finding_list *a, const struct finding_list *b)
{
	const struct finding_list *lists[] = { a, b };
	size_t n = 0;
	strbuf_putc(out, '[');
	for (size_t l = 0; l < 2; l++) {
		for (size_t i = 0; lists[l] != NULL && i < lists[l]->count; i++)
			strbuf_printf(out, "%s\"%s\"", n++ ? "," : "", finding_info(lists[l]->items[i].id)->name);
	}
	strbuf_putc(out, ']');
}

/*
 * The per-message line as one JSON object (log_format = "json"), fields:
 * event ("message"), queue_id, verdict, action, findings (array), sender
 * (the envelope sender without brackets, "" for <>), from (domain or
 * null), predicted (the EOP response or null), observed (EOP's real reply
 * behind observed-refusal, only then), dry_run (the action the
 * policy would have taken, only in dry-run mode), tenant (with several
 * tenants only: its name, "" for the unnamed one, null for none).
 */
void report_log_json(const struct report_input *in, struct strbuf *out)
{
	const struct verdict_result *v = in->verdict;
	const char *qid = in->queue_id != NULL && in->queue_id[0] != '\0' ? in->queue_id : "NOQUEUE";
	strbuf_puts(out, "{\"event\":\"message\",\"queue_id\":\"");
	strbuf_puts_json(out, qid);
	strbuf_printf(out, "\",\"verdict\":\"%s\",\"action\":\"%s\",\"findings\":", verdict_name(v->verdict),
		      report_action_name(v->action));
	put_finding_array(out, in->identity, in->message);
	strbuf_puts(out, ",\"sender\":\"");
	size_t n;
	const char *es = envelope_bare(in, &n);
	if (es != NULL)
		strbuf_put_json_escaped(out, es, n);
	strbuf_puts(out, "\",\"from\":");
	if (in->msg->from_domain[0] != '\0') {
		strbuf_putc(out, '"');
		strbuf_puts_json(out, in->msg->from_domain);
		strbuf_putc(out, '"');
	} else {
		strbuf_puts(out, "null");
	}
	strbuf_puts(out, ",\"predicted\":");
	if (v->verdict == VERDICT_FAIL && v->predicted_ndr != NULL) {
		strbuf_putc(out, '"');
		strbuf_puts_json(out, v->predicted_ndr->reply);
		strbuf_putc(out, '"');
	} else {
		strbuf_puts(out, "null");
	}
	if (in->observed != NULL) {
		strbuf_puts(out, ",\"observed\":\"");
		strbuf_puts_json(out, in->observed);
		strbuf_putc(out, '"');
	}
	if (v->action != v->intended)
		strbuf_printf(out, ",\"dry_run\":\"%s\"", report_action_name(v->intended));
	if (in->tenant != NULL) {
		strbuf_puts(out, ",\"tenant\":");
		if (strcmp(in->tenant, "-") == 0) {
			strbuf_puts(out, "null");
		} else {
			strbuf_putc(out, '"');
			strbuf_puts_json(out, in->tenant);
			strbuf_putc(out, '"');
		}
	}
	strbuf_putc(out, '}');
}
