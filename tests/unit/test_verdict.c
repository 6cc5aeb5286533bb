/* Unit tests for verdict.c: every finding x every action, strictest wins, rewrite, dry_run. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "verdict.h"

/* A policy that gives every option the same action (where allowed). */
static struct verdict_policy policy_all(enum action a, bool can_rewrite)
{
	struct verdict_policy p = { 0 };
	enum action no_rewrite = a == ACTION_REWRITE ? ACTION_ANNOTATE : a;
	p.actions.identity_failure = no_rewrite;
	p.actions.sender_not_accepted = a;
	p.actions.null_sender = no_rewrite;
	p.actions.from_invalid = no_rewrite;
	p.actions.observed_refusal = no_rewrite;
	p.can_rewrite = can_rewrite;
	return p;
}

/* Every finding alone, under every action, in both modes. */
static void test_each_finding_each_action(void **state)
{
	(void)state;
	for (int mode = ATTRIBUTION_CERTIFICATE; mode <= ATTRIBUTION_IP; mode++) {
		for (int id = 0; id < FINDING_COUNT; id++) {
			for (int a = ACTION_ANNOTATE; a <= ACTION_REJECT; a++) {
				struct finding_list list;
				struct verdict_result r;
				struct verdict_policy p = policy_all((enum action)a, true);
				const struct finding_info *fi = finding_info((enum finding_id)id);
				if (fi->policy == POLICY_NONE && !fi->warn_only)
					continue;   /* receive-side findings never reach a message verdict */
				finding_list_clear(&list);
				finding_list_add(&list, (enum finding_id)id, (enum attribution_mode)mode, NULL);
				bool is_identity = !fi->message;
				verdict_decide(is_identity ? &list : NULL, is_identity ? NULL : &list, &p, &r);
				enum finding_severity sev = finding_severity_in((enum finding_id)id, (enum attribution_mode)mode);
				if (sev == SEVERITY_WARN) {
					if (r.verdict != VERDICT_WARN || r.action != ACTION_ANNOTATE || r.predicted != NULL)
						fail_msg("%s (mode %d): a warning must give warn/accept", fi->name, mode);
					continue;
				}
				enum action want = (enum action)a;
				if (want == ACTION_REWRITE && fi->policy != POLICY_SENDER_NOT_ACCEPTED)
					want = ACTION_ANNOTATE;
				if (r.verdict != VERDICT_FAIL || r.action != want)
					fail_msg("%s with %s (mode %d): verdict %s action %s, want fail %s", fi->name,
						 action_name((enum action)a), mode, verdict_name(r.verdict),
						 action_name(r.action), action_name(want));
				/* observed-refusal carries EOP's real answer, not a predicted one */
				if (r.predicted == NULL || (r.predicted_ndr == NULL) != (id == FINDING_OBSERVED_REFUSAL))
					fail_msg("%s: a failure must predict an EOP response", fi->name);
				if (r.rewrite_sender != (want == ACTION_REWRITE))
					fail_msg("%s with %s: rewrite_sender = %d", fi->name, action_name((enum action)a),
						 r.rewrite_sender);
			}
		}
	}
}

static void test_no_findings_pass(void **state)
{
	struct finding_list list;
	struct verdict_result r;
	struct verdict_policy p = policy_all(ACTION_REJECT, false);
	(void)state;
	finding_list_clear(&list);
	verdict_decide(NULL, &list, &p, &r);
	assert_int_equal(r.verdict, VERDICT_PASS);
	assert_int_equal(r.action, ACTION_ANNOTATE);
	assert_null(r.predicted_ndr);
	verdict_decide(NULL, NULL, &p, &r);
	assert_int_equal(r.verdict, VERDICT_PASS);
}

struct mix_case {
	const char *name;
	enum finding_id findings[4];
	size_t n;
	struct conf_policy actions;
	bool can_rewrite;
	bool dry_run;
	enum verdict want_verdict;
	enum action want_action;
	bool want_rewrite;
	const char *want_decisive;   /* NULL: none */
	const char *want_predicted_reply;
};

#define ATTR36 "550 5.7.64 Relay Access Denied ATTR36"
#define R512 "550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant"
#define TA "550 5.7.64 TenantAttribution; Relay Access Denied"
#define EXPIRED "454 4.7.0 Failed to establish appropriate TLS channel: CertificateExpired: Access Denied"

static void test_mixes(void **state)
{
	static const struct mix_case cases[] = {
		{ "strictest wins: reject over defer", { FINDING_SENDER_NOT_ACCEPTED, FINDING_FROM_MISSING }, 2,
		  { ACTION_DEFER, ACTION_DEFER, ACTION_DEFER, ACTION_REJECT, ACTION_DEFER }, false, false,
		  VERDICT_FAIL, ACTION_REJECT, false, "from-missing", ATTR36 },
		{ "rewrite alone", { FINDING_SENDER_NOT_ACCEPTED }, 1,
		  { ACTION_DEFER, ACTION_REWRITE, ACTION_DEFER, ACTION_ANNOTATE, ACTION_DEFER }, true, false,
		  VERDICT_FAIL, ACTION_REWRITE, true, "sender-not-accepted", ATTR36 },
		{ "rewrite without rewrite.sender defers", { FINDING_SENDER_NOT_ACCEPTED }, 1,
		  { ACTION_DEFER, ACTION_REWRITE, ACTION_DEFER, ACTION_ANNOTATE, ACTION_DEFER }, false, false,
		  VERDICT_FAIL, ACTION_DEFER, false, "sender-not-accepted", ATTR36 },
		{ "rewrite plus annotate From", { FINDING_SENDER_NOT_ACCEPTED, FINDING_FROM_INVALID }, 2,
		  { ACTION_DEFER, ACTION_REWRITE, ACTION_DEFER, ACTION_ANNOTATE, ACTION_DEFER }, true, false,
		  VERDICT_FAIL, ACTION_REWRITE, true, "sender-not-accepted", ATTR36 },
		{ "rewrite plus quarantine keeps the rewrite", { FINDING_SENDER_NOT_ACCEPTED, FINDING_FROM_INVALID }, 2,
		  { ACTION_DEFER, ACTION_REWRITE, ACTION_DEFER, ACTION_QUARANTINE, ACTION_DEFER }, true, false,
		  VERDICT_FAIL, ACTION_QUARANTINE, true, "from-invalid", ATTR36 },
		{ "rewrite plus defer: nothing to rewrite", { FINDING_SENDER_NOT_ACCEPTED, FINDING_FROM_INVALID }, 2,
		  { ACTION_DEFER, ACTION_REWRITE, ACTION_DEFER, ACTION_DEFER, ACTION_DEFER }, true, false,
		  VERDICT_FAIL, ACTION_DEFER, false, "from-invalid", ATTR36 },
		{ "dry run", { FINDING_NULL_SENDER }, 1,
		  { ACTION_DEFER, ACTION_REWRITE, ACTION_REJECT, ACTION_ANNOTATE, ACTION_DEFER }, true, true,
		  VERDICT_FAIL, ACTION_ANNOTATE, false, "null-sender", ATTR36 },
		{ "warning only", { FINDING_FROM_NOT_ACCEPTED }, 1,
		  { ACTION_REJECT, ACTION_REJECT, ACTION_REJECT, ACTION_REJECT, ACTION_DEFER }, false, false,
		  VERDICT_WARN, ACTION_ANNOTATE, false, NULL, NULL },
		{ "TLS answer comes first", { FINDING_FROM_MISSING, FINDING_CERT_EXPIRED, FINDING_CHAIN_INCOMPLETE }, 3,
		  { ACTION_DEFER, ACTION_DEFER, ACTION_DEFER, ACTION_REJECT, ACTION_DEFER }, false, false,
		  VERDICT_FAIL, ACTION_REJECT, false, "from-missing", EXPIRED },
		{ "identity before data; a tie goes to the identity", { FINDING_FROM_INVALID, FINDING_NAME_MISMATCH }, 2,
		  { ACTION_QUARANTINE, ACTION_DEFER, ACTION_DEFER, ACTION_QUARANTINE, ACTION_DEFER }, false, false,
		  VERDICT_FAIL, ACTION_QUARANTINE, false, "name-mismatch", TA },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct mix_case *c = &cases[i];
		struct finding_list ident, msg;
		struct verdict_result r;
		struct verdict_policy p = { c->actions, c->can_rewrite, c->dry_run };
		finding_list_clear(&ident);
		finding_list_clear(&msg);
		for (size_t k = 0; k < c->n; k++) {
			bool is_msg = finding_info(c->findings[k])->message;
			finding_list_add(is_msg ? &msg : &ident, c->findings[k], ATTRIBUTION_CERTIFICATE, NULL);
		}
		verdict_decide(&ident, &msg, &p, &r);
		if (r.verdict != c->want_verdict || r.action != c->want_action || r.rewrite_sender != c->want_rewrite)
			fail_msg("%s: got %s/%s/rewrite=%d, want %s/%s/rewrite=%d", c->name, verdict_name(r.verdict),
				 action_name(r.action), r.rewrite_sender, verdict_name(c->want_verdict),
				 action_name(c->want_action), c->want_rewrite);
		const char *dec = r.decisive ? finding_info(r.decisive->id)->name : NULL;
		if ((dec == NULL) != (c->want_decisive == NULL) || (dec && strcmp(dec, c->want_decisive) != 0))
			fail_msg("%s: decisive %s, want %s", c->name, dec ? dec : "-", c->want_decisive ? c->want_decisive : "-");
		const char *pred = r.predicted_ndr ? r.predicted_ndr->reply : NULL;
		if ((pred == NULL) != (c->want_predicted_reply == NULL) ||
		    (pred && strcmp(pred, c->want_predicted_reply) != 0))
			fail_msg("%s: predicted \"%s\", want \"%s\"", c->name, pred ? pred : "-",
				 c->want_predicted_reply ? c->want_predicted_reply : "-");
	}
}

static void test_finding_list(void **state)
{
	struct finding_list l;
	(void)state;
	finding_list_clear(&l);
	finding_list_add(&l, FINDING_CHAIN_INCOMPLETE, ATTRIBUTION_IP, "custom hint");
	finding_list_add(&l, FINDING_CHAIN_INCOMPLETE, ATTRIBUTION_IP, "again");
	assert_int_equal(l.count, 1);
	assert_int_equal(l.items[0].severity, SEVERITY_WARN);   /* certificate finding in ip mode */
	assert_string_equal(l.items[0].hint, "custom hint");
	for (int id = 0; id < FINDING_COUNT; id++)
		finding_list_add(&l, (enum finding_id)id, ATTRIBUTION_CERTIFICATE, NULL);
	assert_int_equal(l.count, FINDING_COUNT);
	enum finding_id id;
	assert_true(finding_by_name("key-permissions", &id));
	assert_int_equal(id, FINDING_KEY_PERMISSIONS);
	assert_false(finding_by_name("no-such-finding", &id));
}

/*
 * A reload from certificate to ip attribution: the identity snapshot still
 * carries the severities of the old configuration; judged again under the
 * connection's own (ip), a certificate finding is a warning and the message
 * is not deferred.
 */
static void test_rejudge_for_the_connection_config(void **state)
{
	(void)state;
	struct finding_list old, now;
	finding_list_clear(&old);
	finding_list_add(&old, FINDING_CHAIN_INCOMPLETE, ATTRIBUTION_CERTIFICATE, "hint kept");
	assert_int_equal(old.items[0].severity, SEVERITY_FAIL);
	struct verdict_policy p = policy_all(ACTION_DEFER, true);
	struct verdict_result r;
	verdict_decide(&old, NULL, &p, &r);
	assert_int_equal(r.action, ACTION_DEFER);   /* what happened before the fix */
	finding_list_rejudge(&old, ATTRIBUTION_IP, &now);
	assert_int_equal(now.count, 1);
	assert_int_equal(now.items[0].severity, SEVERITY_WARN);
	assert_string_equal(now.items[0].hint, "hint kept");
	verdict_decide(&now, NULL, &p, &r);
	assert_int_equal(r.verdict, VERDICT_WARN);
	assert_int_equal(r.action, ACTION_ANNOTATE);
	/* and back: ip to certificate makes it a failure again */
	struct finding_list back;
	finding_list_rejudge(&now, ATTRIBUTION_CERTIFICATE, &back);
	assert_int_equal(back.items[0].severity, SEVERITY_FAIL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_finding_each_action),
		cmocka_unit_test(test_no_findings_pass),
		cmocka_unit_test(test_mixes),
		cmocka_unit_test(test_finding_list),
		cmocka_unit_test(test_rejudge_for_the_connection_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
