/* Unit tests for ndr.c and the table built from data/ndr.txt. */
#include "config.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "finding.h"
#include "ndr.h"

/* Every failing finding predicts exactly one record; warnings predict none. */
static void test_findings_map_to_records(void **state)
{
	(void)state;
	for (int id = 0; id < FINDING_COUNT; id++) {
		const struct finding_info *fi = finding_info((enum finding_id)id);
		const struct ndr_record *r = ndr_for_finding(fi->name);
		bool can_fail = finding_severity_in((enum finding_id)id, ATTRIBUTION_CERTIFICATE) == SEVERITY_FAIL ||
				finding_severity_in((enum finding_id)id, ATTRIBUTION_IP) == SEVERITY_FAIL;
		if (can_fail && r == NULL && id != FINDING_OBSERVED_REFUSAL)
			fail_msg("%s can fail but predicts no EOP response", fi->name);
		size_t listed = 0;
		for (size_t i = 0; i < ndr_table_len; i++) {
			const char *p = strstr(ndr_table[i].predict, fi->name);
			while (p != NULL) {
				size_t l = strlen(fi->name);
				if ((p == ndr_table[i].predict || p[-1] == ' ') && (p[l] == ' ' || p[l] == '\0'))
					listed++;
				p = strstr(p + 1, fi->name);
			}
		}
		if (listed > 1)
			fail_msg("%s is listed in %zu records", fi->name, listed);
	}
}

/* Every name in a predict field is a known finding; every record is well formed. */
static void test_records_well_formed(void **state)
{
	(void)state;
	assert_true(ndr_table_len >= 80);
	for (size_t i = 0; i < ndr_table_len; i++) {
		const struct ndr_record *r = &ndr_table[i];
		char enh[16];
		if (r->meaning[0] == '\0' || r->owner[0] == '\0' || r->fix[0] == '\0')
			fail_msg("record %zu (%s): meaning, owner and fix are required", i, r->reply);
		static const char *const owners[] = { "sender", "relay admin", "tenant admin", "recipient side", "Microsoft" };
		bool owner_ok = false;
		for (size_t k = 0; k < 5; k++)
			owner_ok |= strcmp(r->owner, owners[k]) == 0;
		if (!owner_ok)
			fail_msg("record %zu: owner \"%s\" is not one of the five", i, r->owner);
		char names[512];
		snprintf(names, sizeof names, "%s", r->predict);
		for (char *tok = strtok(names, " "); tok != NULL; tok = strtok(NULL, " ")) {
			enum finding_id id;
			if (!finding_by_name(tok, &id))
				fail_msg("record %zu predicts unknown finding \"%s\"", i, tok);
		}
		if (strcmp(r->code, "-") == 0) {
			if (r->match[0] == '\0')
				fail_msg("record %zu has no code and no match text", i);
			continue;
		}
		if (!isdigit((unsigned char)r->code[0]) || r->code[1] != '.')
			fail_msg("record %zu: bad code \"%s\"", i, r->code);
		if (!ndr_enhanced_with_class(r->reply, r->code[0], enh, sizeof enh) || !ndr_record_covers(r, enh))
			fail_msg("record %zu: reply \"%s\" does not carry a code in %s", i, r->reply, r->code);
	}
}

/* Look text up; returns the number of records and the first. */
static size_t lookup(const char *text, const struct ndr_record **first, struct ndr_query *q)
{
	const struct ndr_record *out[16];
	ndr_parse_input(text, strlen(text), q);
	size_t n = ndr_lookup(q, out, 16);
	*first = n > 0 ? out[0] : NULL;
	return n;
}

/* Every record is found, alone, from its own reply text, and by its bare code. */
static void test_every_record_reachable(void **state)
{
	(void)state;
	for (size_t i = 0; i < ndr_table_len; i++) {
		const struct ndr_record *r = &ndr_table[i], *got;
		struct ndr_query q;
		size_t n = lookup(r->reply, &got, &q);
		if (n == 0)
			fail_msg("record %zu not found from its reply \"%s\"", i, r->reply);
		/* Records sharing code and text (e.g. 5.7.502/5.7.503 differ by code) must come out alone. */
		if (n != 1 || got != r)
			fail_msg("reply \"%s\" gives %zu records, first \"%s\"", r->reply, n, got->reply);
		if (strcmp(r->code, "-") == 0)
			continue;
		char code[16];
		ndr_enhanced_with_class(r->reply, r->code[0], code, sizeof code);
		const struct ndr_record *all[16];
		ndr_parse_input(code, strlen(code), &q);
		size_t m = ndr_lookup(&q, all, 16);
		bool found = false;
		for (size_t k = 0; k < m; k++)
			found |= all[k] == r;
		if (!found)
			fail_msg("record %zu not among the %zu records for bare code %s", i, m, code);
	}
}

struct lookup_case {
	const char *name;
	const char *input;
	const char *want_basic, *want_enhanced;
	size_t want_count;
	const char *want_reply;   /* first record, NULL when none */
};

static void test_lookup_cases(void **state)
{
	static const struct lookup_case cases[] = {
		{ "bare code, two variants", "5.7.64", "", "5.7.64", 2, "550 5.7.64 TenantAttribution; Relay Access Denied" },
		{ "basic and enhanced", "550 5.7.64", "550", "5.7.64", 2, "550 5.7.64 TenantAttribution; Relay Access Denied" },
		{ "variant by text", "550 5.7.64 Relay Access Denied ATTR36 [AM4PR0501MB2209.eurprd05.prod.outlook.com]",
		  "550", "5.7.64", 1, "550 5.7.64 Relay Access Denied ATTR36" },
		{ "postfix bounce line",
		  "Nov 23 10:00:01 relay postfix/smtp[123]: 4XkT1: to=<a@b.example>, relay=contoso-com.mail.protection.outlook.com[2a01:111:f400::1]:25, delay=1.2, delays=0.1/0/0.6/0.5, dsn=5.7.64, status=bounced (host contoso-com.mail.protection.outlook.com[2a01:111:f400::1] said: 550 5.7.64 TenantAttribution; Relay Access Denied [DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com 2026-11-23T10:00:01.123Z 08DC] (in reply to RCPT TO command))",
		  "550", "5.7.64", 1, "550 5.7.64 TenantAttribution; Relay Access Denied" },
		{ "sendmail deferral", "Nov 23 10:00:01 relay sm-mta[99]: 2ANA01: to=<a@b.example>, delay=00:00:02, mailer=relay, relay=x.mail.protection.outlook.com. [52.101.1.1], dsn=4.4.62, stat=Deferred: 451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35. For more information please go to https://go.microsoft.com/fwlink/?linkid=865268",
		  "451", "4.4.62", 1, "451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35" },
		{ "range", "550 5.7.617 Access denied, banned sending IP [192.0.2.7]", "550", "5.7.617", 1, "550 5.7.606 Access denied, banned sending IP" },
		{ "range start: the range and the exact code, undecided", "4.7.500", "", "4.7.500", 2, "451 4.7.500 Access denied, please try again later" },
		{ "range start with its own text", "451 4.7.500 Server busy. Please try again later from [192.0.2.1]. (S77719)", "451", "4.7.500", 1, "451 4.7.500 Server busy. Please try again later from [IP]. (S77719)" },
		{ "a specific text beats the range", "451 4.7.651 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation. (S3114)", "451", "4.7.651", 1, "451 4.7.650 The mail server [IP] has been temporarily rate limited due to IP reputation" },
		{ "range end", "4.7.699", "", "4.7.699", 1, "451 4.7.500 Access denied, please try again later" },
		{ "outside range", "4.7.700", "", "4.7.700", 0, NULL },
		{ "5.7.1 by text", "550 5.7.1 Unable to relay: Blocked by Customer Allow list", "550", "5.7.1", 1,
		  "550 5.7.1 Unable to relay: Blocked by Customer Allow list" },
		{ "5.7.1 plain unable to relay", "550 5.7.1 Unable to relay", "550", "5.7.1", 1, "550 5.7.1 Unable to relay" },
		{ "5.4.1 recipient", "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)", "550", "5.4.1", 1,
		  "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)" },
		{ "5.4.1 recipient, plain", "550 5.4.1 Recipient address rejected: Access denied", "550", "5.4.1", 1,
		  "550 5.4.1 Recipient address rejected: Access denied" },
		{ "5.4.1 relay", "550 5.4.1 Relay Access Denied", "550", "5.4.1", 1, "550 5.4.1 Relay Access Denied" },
		{ "5.7.13 public folder", "5.7.13 Sender was not authenticated for public folder", "", "5.7.13", 1,
		  "550 5.7.13 Sender was not authenticated for public folder" },
		{ "5.7.135 public folder", "550 5.7.135 Sender was not authenticated for public folder", "550", "5.7.135", 1,
		  "550 5.7.135 Sender was not authenticated for public folder" },
		{ "ATTR41 by text", "454 4.7.0 Failed to establish appropriate TLS channel ATTR41: CertificateExpired: Access Denied",
		  "454", "4.7.0", 1, "454 4.7.0 Failed to establish appropriate TLS channel: CertificateExpired: Access Denied" },
		{ "subjectmismatch block", "Reason: [{LED=450 4.7.320 Certificate validation failed};{MSG=SubjectMismatch};{FQDN=hybrid.domain.com}]",
		  "450", "4.7.320", 1, "450 4.7.320 Certificate validation failed" },
		{ "text only", "TenantAttribution; Relay Access Denied", "", "", 1, "550 5.7.64 TenantAttribution; Relay Access Denied" },
		{ "text only, other case, after 8-bit bytes", "\xe9\xff tenantattribution; RELAY ACCESS DENIED", "", "", 1,
		  "550 5.7.64 TenantAttribution; Relay Access Denied" },
		{ "code-less record", "The message can't be submitted because the sender's submission quota was exceeded", "", "", 1,
		  "The message can't be submitted because the sender's submission quota was exceeded" },
		{ "unknown code", "550 5.9.99 whatever", "550", "5.9.99", 0, NULL },
		{ "IP address is not a code", "connect to 192.0.2.1[192.0.2.1]:25: Connection timed out", "", "", 0, NULL },
		{ "version is not a code", "postfix 3.7.11 here 5.7.690", "", "5.7.690", 0, NULL },
		{ "empty", "", "", "", 0, NULL },
		{ "garbage", "\x01\x02\xff....5..7..64", "", "", 0, NULL },
		{ "basic of other class ignored", "250 5.7.64 odd", "", "5.7.64", 2, "550 5.7.64 TenantAttribution; Relay Access Denied" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct lookup_case *c = &cases[i];
		const struct ndr_record *got;
		struct ndr_query q;
		size_t n = lookup(c->input, &got, &q);
		if (strcmp(q.basic, c->want_basic) != 0 || strcmp(q.enhanced, c->want_enhanced) != 0)
			fail_msg("%s: parsed \"%s\" \"%s\", want \"%s\" \"%s\"", c->name, q.basic, q.enhanced,
				 c->want_basic, c->want_enhanced);
		if (n != c->want_count)
			fail_msg("%s: %zu records, want %zu", c->name, n, c->want_count);
		if (c->want_reply != NULL && strcmp(got->reply, c->want_reply) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", c->name, got->reply, c->want_reply);
	}
}

static void test_eopguard_reply_and_long_input(void **state)
{
	struct ndr_query q;
	(void)state;
	const char *line = "451 4.7.64 eopguard: chain-incomplete: EOP would answer \"550 5.7.64 TenantAttribution; Relay Access Denied\"; x";
	ndr_parse_input(line, strlen(line), &q);
	assert_string_equal(q.finding, "chain-incomplete");
	assert_int_equal(q.own_class, '4');
	assert_string_equal(q.basic, "451");
	assert_string_equal(q.enhanced, "4.7.64");

	const char *logged = "ABC: milter-reject: END-OF-MESSAGE from x[192.0.2.1]: 5.7.64 eopguard: null-sender: EOP would answer \"550 5.7.64 Relay Access Denied ATTR36\"";
	ndr_parse_input(logged, strlen(logged), &q);
	assert_string_equal(q.finding, "null-sender");
	assert_int_equal(q.own_class, '5');

	const char *reason = "eopguard: cert-expired";
	ndr_parse_input(reason, strlen(reason), &q);
	assert_string_equal(q.finding, "cert-expired");
	const char *prose = "eopguard: a sentence";
	ndr_parse_input(prose, strlen(prose), &q);
	assert_string_equal(q.finding, "");

	static char big[200000];
	memset(big, '5', sizeof big - 1);
	for (size_t i = 1; i < sizeof big - 1; i += 2)
		big[i] = '.';
	ndr_parse_input(big, sizeof big - 1, &q);
	assert_string_equal(q.enhanced, "");
	memcpy(big + 100000, " 550 5.7.64 TenantAttribution ", 30);
	const struct ndr_record *out[4];
	ndr_parse_input(big, sizeof big - 1, &q);
	assert_int_equal(ndr_lookup(&q, out, 4), 1);
	assert_string_equal(out[0]->reply, "550 5.7.64 TenantAttribution; Relay Access Denied");
}

static void test_rfc3463(void **state)
{
	(void)state;
	assert_non_null(ndr_class_meaning('4'));
	assert_null(ndr_class_meaning('3'));
	assert_non_null(ndr_subject_meaning(7));
	assert_null(ndr_subject_meaning(9));
	assert_string_equal(ndr_detail_meaning(1, 1), "the mailbox does not exist");
	assert_null(ndr_detail_meaning(7, 64));
}

static void test_enhanced_with_class(void **state)
{
	char out[16];
	(void)state;
	assert_true(ndr_enhanced_with_class("550 5.7.64 TenantAttribution", '4', out, sizeof out));
	assert_string_equal(out, "4.7.64");
	assert_true(ndr_enhanced_with_class("454 4.7.0 Failed", '5', out, sizeof out));
	assert_string_equal(out, "5.7.0");
	assert_true(ndr_enhanced_with_class("451 4.4.62 Mail sent", '5', out, sizeof out));
	assert_string_equal(out, "5.4.62");
	assert_false(ndr_enhanced_with_class("550 Relay denied", '4', out, sizeof out));
	assert_false(ndr_enhanced_with_class("550", '4', out, sizeof out));
	assert_false(ndr_enhanced_with_class("", '4', out, sizeof out));
	assert_false(ndr_enhanced_with_class("550 5.7.64 x", '4', out, 3));
	assert_null(ndr_for_finding("from-not-accepted"));
	assert_null(ndr_for_finding("chain"));
	assert_null(ndr_for_finding(""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_findings_map_to_records),
		cmocka_unit_test(test_records_well_formed),
		cmocka_unit_test(test_enhanced_with_class),
		cmocka_unit_test(test_every_record_reachable),
		cmocka_unit_test(test_lookup_cases),
		cmocka_unit_test(test_eopguard_reply_and_long_input),
		cmocka_unit_test(test_rfc3463),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
