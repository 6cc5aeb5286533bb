/*
 * msgcheck: envelope sender and From checks.
 *
 * Does: apply the relay rule of eop-facts.md part 1 to the envelope sender
 * (a failure only with attribution = ip; "neutral" with a certificate) and
 * RFC 5322 section 3.6.2 to the From field; with several tenants, find the
 * tenant a message belongs to, and the tenants of its recipients.
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

/* The tenant of the envelope sender's domain, else of the first From mailbox's. */
int msgcheck_tenant(const struct conf *conf, const struct msg_input *in)
{
	if (conf->n_tenants <= 1)
		return 0;
	struct addr_path path;
	const char *why = NULL;
	if (addr_parse_path(in->envelope_sender != NULL ? in->envelope_sender : "", &path, &why) && !path.null_sender) {
		int t = conf_tenant_of_domain(conf, path.domain);
		if (t >= 0)
			return t;
	}
	struct addr_from from;
	if (in->from_count == 1 && in->from_value != NULL && !in->from_truncated &&
	    addr_parse_from(in->from_value, in->from_len, &from, &why) && from.count > 0)
		return conf_tenant_of_domain(conf, from.mailbox[0].domain);
	return -1;
}

/* A message of no tenant. */
void msgcheck_run_no_tenant(const struct conf *conf, const struct msg_input *in, struct finding_list *out,
			    struct msg_result *res)
{
	const struct conf *first = conf_tenant_view(conf, 0);
	struct finding_list own;
	finding_list_clear(&own);
	msgcheck_run(first, in, &own, res);
	/* what tenant 0 says about the domains is not the point: no tenant has them */
	for (size_t i = 0; i < own.count; i++) {
		enum finding_id id = own.items[i].id;
		if (id != FINDING_SENDER_NOT_ACCEPTED && id != FINDING_FROM_NOT_ACCEPTED && id != FINDING_NULL_SENDER &&
		    out->count < FINDING_COUNT)
			out->items[out->count++] = own.items[i];
	}
	if (res->sender != SENDER_NULL)
		res->sender = SENDER_FAIL;
	if (res->from == FROM_PASS)
		res->from = FROM_WARN;
	const char *sender = res->sender_domain[0] != '\0' ? res->sender_domain : "(none)";
	const char *from = res->from_domain[0] != '\0' ? res->from_domain : "(none)";
	struct strbuf sb;
	strbuf_init(&sb, FINDING_HINT_MAX);
	strbuf_puts(&sb, "envelope sender domain ");
	strbuf_put_text_escaped(&sb, sender, strlen(sender));
	strbuf_puts(&sb, " and From domain ");
	strbuf_put_text_escaped(&sb, from, strlen(from));
	strbuf_puts(&sb, " are accepted domains of no tenant section; add the domain to its tenant's accepted_domains, "
		    "or set rewrite.sender");
	finding_list_add(out, FINDING_TENANT_UNKNOWN, first->tenant.attribution, sb.data);
	strbuf_free(&sb);
}

/* Note one recipient's tenant. */
void msgcheck_note_recipient(const struct conf *conf, const char *rcpt, struct rcpt_tenants *rt)
{
	struct addr_path path;
	const char *why = NULL;
	if (conf->n_tenants <= 1 || !addr_parse_path(rcpt != NULL ? rcpt : "", &path, &why) || path.null_sender)
		return;
	int t = conf_tenant_of_domain(conf, path.domain);
	if (t < 0 || (rt->mask & (1ul << t)) != 0)
		return;
	size_t seen = (size_t)__builtin_popcountl(rt->mask);
	if (seen < 2) {
		rt->tenant[seen] = t;
		snprintf(rt->domain[seen], sizeof rt->domain[seen], "%s", path.domain);
	}
	rt->mask |= 1ul << t;
}

/* Recipients of more than one tenant: EOP defers the second tenant's (ATTR46). */
void msgcheck_recipients(const struct conf *conf, const struct rcpt_tenants *rt, struct finding_list *out)
{
	if (__builtin_popcountl(rt->mask) < 2)
		return;
	char hint[FINDING_HINT_MAX + 1];
	struct strbuf sb;
	strbuf_init(&sb, FINDING_HINT_MAX);
	strbuf_puts(&sb, "recipients in tenant ");
	for (int i = 0; i < 2; i++) {
		const char *name = conf_tenant_name(conf, (size_t)rt->tenant[i]);
		strbuf_puts(&sb, i ? " and tenant " : "");
		strbuf_puts(&sb, name[0] != '\0' ? name : "(unnamed)");
		strbuf_puts(&sb, " (");
		strbuf_put_text_escaped(&sb, rt->domain[i], strlen(rt->domain[i]));
		strbuf_putc(&sb, ')');
	}
	strbuf_puts(&sb, ": EOP defers the recipients of all but one tenant (ATTR46); send each tenant's recipients "
		    "in their own transaction (smtp_destination_recipient_limit = 1, or a transport per tenant)");
	snprintf(hint, sizeof hint, "%s", sb.data);
	strbuf_free(&sb);
	finding_list_add(out, FINDING_RECIPIENTS_MULTI_TENANT, conf_tenant_view(conf, 0)->tenant.attribution, hint);
}
