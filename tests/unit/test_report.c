/* Unit tests for report.c: header, hint, log line and reply layouts. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "report.h"

struct fixture {
	struct finding_list ident, msg;
	struct msg_result res;
	struct verdict_result v;
	struct verdict_policy p;
	struct report_input in;
};

/* Sender other.example not accepted (ip mode), From ok. */
static void setup_fixture(struct fixture *f, enum action sender_action, bool can_rewrite, bool dry_run)
{
	memset(f, 0, sizeof *f);
	finding_list_clear(&f->msg);
	finding_list_add(&f->msg, FINDING_SENDER_NOT_ACCEPTED, ATTRIBUTION_IP, "hint with 100% certainty");
	f->res.sender = SENDER_FAIL;
	snprintf(f->res.sender_domain, sizeof f->res.sender_domain, "other.example");
	f->res.from = FROM_PASS;
	snprintf(f->res.from_domain, sizeof f->res.from_domain, "contoso.test");
	f->p.actions.sender_not_accepted = sender_action;
	f->p.can_rewrite = can_rewrite;
	f->p.dry_run = dry_run;
	verdict_decide(NULL, &f->msg, &f->p, &f->v);
	f->in = (struct report_input){ "relay.test", NULL, false, &f->msg, &f->res, &f->v, "<app@other.example>",
				       "contoso.test", "4Xk9", NULL, NULL };
}

static void test_header_rewrite(void **state)
{
	struct fixture f;
	struct strbuf sb;
	(void)state;
	setup_fixture(&f, ACTION_REWRITE, true, false);
	strbuf_init(&sb, 4096);
	report_header(&f.in, "\n\t", &sb);
	assert_string_equal(sb.data, "relay.test; verdict=fail; action=rewrite;\n\tidentity=none;\n\t"
				     "sender=rewritten (contoso.test);\n\tfrom=pass (contoso.test);\n\t"
				     "predicted=\"550 5.7.64 Relay Access Denied ATTR36\"");
	strbuf_reset(&sb);
	report_hint(&f.msg.items[0], &sb);
	assert_string_equal(sb.data, "sender-not-accepted: hint with 100% certainty");
	strbuf_reset(&sb);
	report_log_line(&f.in, &sb);
	assert_string_equal(sb.data, "4Xk9: verdict=fail action=rewrite findings=sender-not-accepted "
				     "sender=<app@other.example> from=contoso.test "
				     "predicted=\"550 5.7.64 Relay Access Denied ATTR36\"");
	strbuf_free(&sb);
}

static void test_identity_states(void **state)
{
	struct fixture f;
	struct strbuf sb;
	(void)state;
	setup_fixture(&f, ACTION_ANNOTATE, false, false);
	finding_list_clear(&f.ident);
	assert_string_equal(report_identity_state(NULL, false), "none");
	assert_string_equal(report_identity_state(&f.ident, false), "pass");
	assert_string_equal(report_identity_state(&f.ident, true), "warn");
	finding_list_add(&f.ident, FINDING_CERT_EXPIRING, ATTRIBUTION_CERTIFICATE, NULL);
	assert_string_equal(report_identity_state(&f.ident, false), "warn");
	finding_list_add(&f.ident, FINDING_CHAIN_INCOMPLETE, ATTRIBUTION_CERTIFICATE, NULL);
	assert_string_equal(report_identity_state(&f.ident, false), "fail");
	f.in.identity = &f.ident;
	verdict_decide(&f.ident, &f.msg, &f.p, &f.v);
	strbuf_init(&sb, 4096);
	report_header(&f.in, " ", &sb);
	assert_string_equal(sb.data, "relay.test; verdict=fail; action=accept; identity=fail "
				     "(cert-expiring,chain-incomplete); sender=fail (other.example); "
				     "from=pass (contoso.test); predicted=\"550 5.7.64 TenantAttribution; Relay Access Denied\"");
	strbuf_free(&sb);
}

static void test_reply(void **state)
{
	struct fixture f;
	struct strbuf sb;
	struct report_reply r;
	(void)state;
	setup_fixture(&f, ACTION_DEFER, false, false);
	strbuf_init(&sb, 900);
	assert_true(report_reply_text(&f.in, &r, &sb));
	assert_string_equal(r.code, "451");
	assert_string_equal(r.enhanced, "4.7.64");
	assert_string_equal(sb.data, "eopguard: sender-not-accepted: EOP would answer \"550 5.7.64 Relay Access "
				     "Denied ATTR36\"; hint with 100%% certainty");
	strbuf_free(&sb);
	setup_fixture(&f, ACTION_REJECT, false, false);
	strbuf_init(&sb, 900);
	assert_true(report_reply_text(&f.in, &r, &sb));
	assert_string_equal(r.code, "550");
	assert_string_equal(r.enhanced, "5.7.64");
	strbuf_free(&sb);
}

static void test_log_dry_run_and_hostile_ids(void **state)
{
	struct fixture f;
	struct strbuf sb;
	(void)state;
	setup_fixture(&f, ACTION_REJECT, false, true);
	f.in.queue_id = "evil id\n";
	f.in.envelope_sender = "<a b@c\r\n>";
	strbuf_init(&sb, 4096);
	report_log_line(&f.in, &sb);
	assert_string_equal(sb.data, "evil\\x20id\\x0a: verdict=fail action=accept findings=sender-not-accepted "
				     "sender=<a\\x20b@c\\x0d\\x0a> from=contoso.test "
				     "predicted=\"550 5.7.64 Relay Access Denied ATTR36\" dry_run=reject");
	strbuf_reset(&sb);
	f.in.queue_id = NULL;
	f.in.envelope_sender = "<>";
	report_log_line(&f.in, &sb);
	assert_true(strncmp(sb.data, "NOQUEUE: ", 9) == 0);
	assert_non_null(strstr(sb.data, " sender=<> "));
	strbuf_free(&sb);
}

/* observed-refusal: EOP's reply after predicted in the header, in the log line and JSON, and as the SMTP reply. */
static void test_observed_refusal(void **state)
{
	struct fixture f;
	struct strbuf sb;
	(void)state;
	memset(&f, 0, sizeof f);
	finding_list_clear(&f.msg);
	finding_list_add(&f.msg, FINDING_OBSERVED_REFUSAL, ATTRIBUTION_CERTIFICATE, "fix it, then release");
	f.res.sender = SENDER_PASS;
	snprintf(f.res.sender_domain, sizeof f.res.sender_domain, "contoso.test");
	f.res.from = FROM_PASS;
	f.p.actions.observed_refusal = ACTION_DEFER;
	verdict_decide(NULL, &f.msg, &f.p, &f.v);
	static const char observed[] = "550 5.7.64 TenantAttribution; \\\"q\\\" 100% [x]";
	f.in = (struct report_input){ "relay.test", NULL, false, &f.msg, &f.res, &f.v, "<app@contoso.test>", "", "4Xk9",
				      observed, NULL };
	strbuf_init(&sb, 4096);
	report_header(&f.in, " ", &sb);
	assert_string_equal(sb.data, "relay.test; verdict=fail; action=defer; identity=none; sender=pass (contoso.test); "
				     "from=pass; observed=\"550 5.7.64 TenantAttribution; \\\"q\\\" 100% [x]\"");
	strbuf_reset(&sb);
	report_log_line(&f.in, &sb);
	assert_string_equal(sb.data, "4Xk9: verdict=fail action=defer findings=observed-refusal sender=<app@contoso.test> "
				     "from=- predicted=- observed=\"550 5.7.64 TenantAttribution; \\\"q\\\" 100% [x]\"");
	strbuf_reset(&sb);
	report_log_json(&f.in, &sb);
	assert_non_null(strstr(sb.data, ",\"observed\":\"550 5.7.64 TenantAttribution; \\\\\\\"q\\\\\\\" 100% [x]\""));
	strbuf_reset(&sb);
	struct report_reply reply;
	assert_true(report_reply_text(&f.in, &reply, &sb));
	assert_string_equal(reply.code, "451");
	assert_string_equal(reply.enhanced, "4.7.64");
	assert_string_equal(sb.data, "eopguard: observed-refusal: EOP answered \"550 5.7.64 TenantAttribution; "
				     "\\\"q\\\" 100%% [x]\"; fix it, then release");
	strbuf_free(&sb);
}

/* Several tenants: the tenant last in the header, the log line and the JSON line; "" unnamed, - none. */
static void test_tenant_named(void **state)
{
	struct fixture f;
	struct strbuf sb;
	(void)state;
	setup_fixture(&f, ACTION_REWRITE, true, false);
	f.in.tenant = "fabrikam";
	strbuf_init(&sb, 4096);
	report_header(&f.in, " ", &sb);
	assert_non_null(strstr(sb.data, "predicted=\"550 5.7.64 Relay Access Denied ATTR36\"; tenant=fabrikam"));
	strbuf_reset(&sb);
	report_log_line(&f.in, &sb);
	assert_non_null(strstr(sb.data, "predicted=\"550 5.7.64 Relay Access Denied ATTR36\" tenant=fabrikam"));
	strbuf_reset(&sb);
	report_log_json(&f.in, &sb);
	assert_non_null(strstr(sb.data, ",\"tenant\":\"fabrikam\"}"));
	f.in.tenant = "";
	strbuf_reset(&sb);
	report_header(&f.in, " ", &sb);
	assert_non_null(strstr(sb.data, "; tenant=\"\""));
	f.in.tenant = "-";
	strbuf_reset(&sb);
	report_log_json(&f.in, &sb);
	assert_non_null(strstr(sb.data, ",\"tenant\":null}"));
	strbuf_reset(&sb);
	report_log_line(&f.in, &sb);
	assert_non_null(strstr(sb.data, " tenant=-"));
	f.in.tenant = NULL;   /* one tenant: not shown */
	strbuf_reset(&sb);
	report_header(&f.in, " ", &sb);
	assert_null(strstr(sb.data, "tenant="));
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_observed_refusal),
		cmocka_unit_test(test_tenant_named),
		cmocka_unit_test(test_header_rewrite),
		cmocka_unit_test(test_identity_states),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_log_dry_run_and_hostile_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
