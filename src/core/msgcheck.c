/*
 * msgcheck: envelope sender and From checks.
 *
 * Does: apply the relay rule of eop-facts.md part 1 to the envelope sender
 * (a failure only with attribution = ip; "neutral" with a certificate) and
 * RFC 5322 section 3.6.2 to the From field.
 * Does not: decide what to do about it (verdict.c), or format anything for
 * the network beyond escaping the details placed in hints.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "msgcheck.h"
#include "strbuf.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

static const char *const sender_names[] = { "pass", "neutral", "fail", "rewritten", "null" };
static const char *const from_names[] = { "pass", "warn", "missing", "invalid" };

/* Header token for a sender status. */
const char *sender_status_name(enum sender_status s)
{
	return sender_names[s];
}

/* Header token for a From status. */
const char *from_status_name(enum from_status s)
{
	return from_names[s];
}

/* Build a hint "<prefix><escaped detail><suffix>" into out. */
static void hint_with_detail(char *out, size_t outlen, const char *prefix, const char *detail,
			     size_t detail_len, const char *suffix)
{
	struct strbuf sb;
	strbuf_init(&sb, outlen - 1);
	strbuf_puts(&sb, prefix);
	strbuf_put_text_escaped(&sb, detail, detail_len > 120 ? 120 : detail_len);
	if (detail_len > 120)
		strbuf_puts(&sb, "...");
	strbuf_puts(&sb, suffix);
	snprintf(out, outlen, "%s", sb.data);
	strbuf_free(&sb);
}

/* Envelope sender: accepted domain or not, null sender. */
static void msgcheck_sender(const struct conf *conf, const char *envelope, struct finding_list *out,
			    struct msg_result *res)
{
	struct addr_path path;
	const char *why = NULL;
	enum attribution_mode mode = conf->tenant.attribution;
	char hint[FINDING_HINT_MAX + 1];
	bool valid = addr_parse_path(envelope != NULL ? envelope : "", &path, &why);
	if (valid && path.null_sender) {
		res->sender = SENDER_NULL;
		if (mode == ATTRIBUTION_IP)
			finding_list_add(out, FINDING_NULL_SENDER, mode, NULL);
		return;
	}
	if (valid)
		snprintf(res->sender_domain, sizeof res->sender_domain, "%s", path.domain);
	if (valid && domain_is_accepted(conf->tenant.accepted, path.domain)) {
		res->sender = SENDER_PASS;
		return;
	}
	if (mode == ATTRIBUTION_CERTIFICATE) {
		res->sender = SENDER_NEUTRAL;
		return;
	}
	res->sender = SENDER_FAIL;
	if (valid)
		hint_with_detail(hint, sizeof hint, "envelope sender domain ", path.domain, strlen(path.domain),
				 " is not an accepted domain; add it to the tenant and tenant.accepted_domains, "
				 "or set rewrite.sender");
	else
		hint_with_detail(hint, sizeof hint, "envelope sender <", path.address, strlen(path.address),
				 "> has no valid domain; fix the sending application or set rewrite.sender");
	finding_list_add(out, FINDING_SENDER_NOT_ACCEPTED, mode, hint);
}

/* From field: present, exactly one, parseable, accepted domain. */
static void msgcheck_from(const struct conf *conf, const struct msg_input *in, struct finding_list *out,
			  struct msg_result *res)
{
	enum attribution_mode mode = conf->tenant.attribution;
	char hint[FINDING_HINT_MAX + 1];
	struct addr_from from;
	const char *why = NULL;
	if (in->from_count == 0 || in->from_value == NULL) {
		res->from = FROM_MISSING;
		finding_list_add(out, FINDING_FROM_MISSING, mode, NULL);
		return;
	}
	if (in->from_count > 1) {
		snprintf(hint, sizeof hint, "the message has %zu From fields; the sending application must "
			 "write exactly one", in->from_count);
		res->from = FROM_INVALID;
		finding_list_add(out, FINDING_FROM_INVALID, mode, hint);
		return;
	}
	bool ok = !in->from_truncated && addr_parse_from(in->from_value, in->from_len, &from, &why);
	if (ok && from.count > 1 && !in->has_sender_field) {
		ok = false;
		why = "several mailboxes in From but no Sender field";
	}
	if (ok && from.count > ADDR_FROM_MAX) {
		ok = false;   /* every mailbox is checked, or the list is reported: never a silent pass */
		why = "more than " STRINGIFY(ADDR_FROM_MAX) " mailboxes in From, too many to check";
	}
	if (!ok) {
		if (in->from_truncated)
			why = "From field too long";
		hint_with_detail(hint, sizeof hint, "From field is not RFC 5322 compliant (", why, strlen(why),
				 "); the sending application must write one valid address");
		res->from = FROM_INVALID;
		finding_list_add(out, FINDING_FROM_INVALID, mode, hint);
		return;
	}
	snprintf(res->from_domain, sizeof res->from_domain, "%s", from.mailbox[0].domain);
	for (size_t i = 0; i < from.count; i++) {
		if (!domain_is_accepted(conf->tenant.accepted, from.mailbox[i].domain)) {
			hint_with_detail(hint, sizeof hint, "From domain ", from.mailbox[i].domain,
					 strlen(from.mailbox[i].domain),
					 " is not an accepted domain; recipients may fail DMARC alignment");
			res->from = FROM_WARN;
			finding_list_add(out, FINDING_FROM_NOT_ACCEPTED, mode, hint);
			return;
		}
	}
	res->from = FROM_PASS;
}

/* Run both checks. */
void msgcheck_run(const struct conf *conf, const struct msg_input *in, struct finding_list *out,
		  struct msg_result *res)
{
	memset(res, 0, sizeof *res);
	msgcheck_sender(conf, in->envelope_sender, out, res);
	msgcheck_from(conf, in, out, res);
}
