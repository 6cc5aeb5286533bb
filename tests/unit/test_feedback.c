/* Unit tests for breaker.c and feedback.c: the state machine, real Postfix delivery lines, hostile lines. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "breaker.h"
#include "feedback.h"
#include "pqueue.h"

static const char tenant_attr[] = "550 5.7.64 TenantAttribution; Relay Access Denied [AM0PR01.prod]";

/* ---- breaker ---- */

static void test_breaker_trips_once_and_half_opens(void **state)
{
	(void)state;
	static struct breaker b;
	struct breaker_change chg;
	struct breaker_verdict v;
	breaker_init(&b, 300);
	breaker_admit(&b, 0, "contoso.com", 1000, &v, &chg);
	assert_false(v.refuse);
	assert_false(chg.changed);
	breaker_refused(&b, BREAKER_SCOPE_RELAY, 0, "", "5.7.64", tenant_attr, strlen(tenant_attr), 1000, &chg);
	assert_true(chg.changed);
	assert_int_equal(chg.state, BREAKER_OPEN);
	assert_string_equal(chg.cause, "5.7.64");
	/* the same refusal for a thousand queued messages: no second trip */
	for (int i = 0; i < 1000; i++) {
		breaker_refused(&b, BREAKER_SCOPE_RELAY, 0, "", "5.7.64", tenant_attr, strlen(tenant_attr), 1001, &chg);
		assert_false(chg.changed);
	}
	assert_int_equal(b.relay[0].trips, 1);
	breaker_admit(&b, 0, "fabrikam.example", 1200, &v, &chg);
	assert_true(v.refuse);
	assert_int_equal(v.scope, BREAKER_SCOPE_RELAY);
	assert_non_null(strstr(v.reply, "TenantAttribution"));
	/* open_for has passed: one message goes through, the next is refused again */
	breaker_admit(&b, 0, "contoso.com", 1300, &v, &chg);
	assert_false(v.refuse);
	assert_true(chg.changed);
	assert_int_equal(chg.state, BREAKER_HALF_OPEN);
	breaker_admit(&b, 0, "contoso.com", 1301, &v, &chg);
	assert_true(v.refuse);
	/* no answer for another open_for: one more trial */
	breaker_admit(&b, 0, "contoso.com", 1601, &v, &chg);
	assert_false(v.refuse);
	/* the trial is refused: open again */
	breaker_refused(&b, BREAKER_SCOPE_RELAY, 0, "", "5.7.64", tenant_attr, strlen(tenant_attr), 1602, &chg);
	assert_true(chg.changed);
	assert_int_equal(chg.state, BREAKER_OPEN);
	assert_int_equal(b.relay[0].trips, 2);
	/* the trial after that is accepted: closed */
	breaker_admit(&b, 0, "contoso.com", 1902, &v, &chg);
	assert_false(v.refuse);
	struct breaker_change two[2];
	breaker_accepted(&b, 0, "contoso.com", 1903, two);
	assert_true(two[0].changed);
	assert_int_equal(two[0].state, BREAKER_CLOSED);
	assert_false(two[1].changed);
	breaker_admit(&b, 0, "contoso.com", 1904, &v, &chg);
	assert_false(v.refuse);
}

static void count_change(void *ctx, const struct breaker_change *chg)
{
	(void)chg;
	(*(int *)ctx)++;
}

static void test_breaker_domain_scope(void **state)
{
	(void)state;
	static struct breaker b;
	struct breaker_change chg;
	struct breaker_verdict v;
	static const char attr36[] = "550 5.7.64 Relay Access Denied ATTR36";
	breaker_init(&b, 60);
	breaker_refused(&b, BREAKER_SCOPE_DOMAIN, 0, "Apps.Example", "5.7.64", attr36, strlen(attr36), 10, &chg);
	assert_true(chg.changed);
	assert_int_equal(chg.scope, BREAKER_SCOPE_DOMAIN);
	assert_string_equal(chg.domain, "apps.example");
	breaker_admit(&b, 0, "apps.example", 11, &v, &chg);
	assert_true(v.refuse);
	assert_int_equal(v.scope, BREAKER_SCOPE_DOMAIN);
	breaker_admit(&b, 0, "contoso.com", 11, &v, &chg);
	assert_false(v.refuse);
	/* a domain cause without a known domain falls back to the relay */
	breaker_refused(&b, BREAKER_SCOPE_DOMAIN, 0, "", "5.7.64", attr36, strlen(attr36), 12, &chg);
	assert_int_equal(chg.scope, BREAKER_SCOPE_RELAY);
	int n = 0;
	assert_int_equal(breaker_close_all(&b, 13, count_change, &n), 2);
	assert_int_equal(n, 2);
	assert_int_equal(breaker_count(&b, BREAKER_CLOSED), BREAKER_TENANTS_MAX + 1);   /* every relay entry and the domain */
	breaker_admit(&b, 0, "apps.example", 14, &v, &chg);
	assert_false(v.refuse);
}

/* Several tenants: a relay cause opens the refused message's tenant's entry only. */
static void test_breaker_per_tenant(void **state)
{
	(void)state;
	static struct breaker b;
	struct breaker_change chg, two[2];
	struct breaker_verdict v;
	static const char mismatch[] = "550 5.7.64 TenantAttribution; Relay Access Denied";
	breaker_init(&b, 60);
	breaker_refused(&b, BREAKER_SCOPE_RELAY, 1, "fabrikam.example", "5.7.64", mismatch, strlen(mismatch), 10, &chg);
	assert_true(chg.changed);
	assert_int_equal(chg.scope, BREAKER_SCOPE_RELAY);
	assert_int_equal(chg.tenant, 1);
	breaker_admit(&b, 1, "fabrikam.example", 11, &v, &chg);
	assert_true(v.refuse);
	breaker_admit(&b, 0, "contoso.example", 11, &v, &chg);
	assert_false(v.refuse);   /* another tenant's mail is not held back */
	breaker_admit(&b, -1, "unknown.example", 11, &v, &chg);
	assert_false(v.refuse);
	breaker_refused(&b, BREAKER_SCOPE_RELAY, -1, "", "5.7.64", mismatch, strlen(mismatch), 12, &chg);
	assert_false(chg.changed);   /* no tenant, no relay entry: the caller decides whose it is */
	breaker_refused(&b, BREAKER_SCOPE_RELAY, BREAKER_TENANTS_MAX, "", "5.7.64", mismatch, strlen(mismatch), 12, &chg);
	assert_false(chg.changed);   /* out of range: ignored, never written past the table */
	breaker_accepted(&b, 0, "contoso.example", 13, two);
	assert_false(two[0].changed);
	breaker_accepted(&b, 1, "fabrikam.example", 13, two);
	assert_true(two[0].changed);
	assert_int_equal(two[0].tenant, 1);
	assert_int_equal(two[0].state, BREAKER_CLOSED);
}

/* More domains than the table holds: bounded, the newest kept. */
static void test_breaker_domain_table_bounded(void **state)
{
	(void)state;
	static struct breaker b;
	struct breaker_change chg;
	struct breaker_verdict v;
	breaker_init(&b, 600);
	for (int i = 0; i < BREAKER_DOMAINS_MAX * 3; i++) {
		char d[32];
		snprintf(d, sizeof d, "d%d.example", i);
		breaker_refused(&b, BREAKER_SCOPE_DOMAIN, 0, d, "5.7.750", "550 5.7.750 x", 13, 100 + i, &chg);
		assert_true(chg.changed);
	}
	assert_int_equal(breaker_count(&b, BREAKER_OPEN), BREAKER_DOMAINS_MAX);
	char last[32];
	snprintf(last, sizeof last, "d%d.example", BREAKER_DOMAINS_MAX * 3 - 1);
	breaker_admit(&b, 0, last, 200, &v, &chg);
	assert_true(v.refuse);
}

/* EOP's reply is kept printable, quotes escaped, bounded. */
static void test_breaker_escapes_reply(void **state)
{
	(void)state;
	static struct breaker b;
	struct breaker_change chg;
	breaker_init(&b, 60);
	char hostile[1000];
	memset(hostile, 'A', sizeof hostile);
	static const char head[] = "550 5.7.64 \"x\\\r\nX-Evil: 1\x01\xff";
	memcpy(hostile, head, sizeof head - 1);
	breaker_refused(&b, BREAKER_SCOPE_RELAY, 0, "", "5.7.64\r\n", hostile, sizeof hostile, 1, &chg);
	assert_null(strchr(chg.reply, '\r'));
	assert_null(strchr(chg.reply, '\n'));
	assert_true(strlen(chg.reply) <= BREAKER_REPLY_MAX);
	assert_non_null(strstr(chg.reply, "\\\"x\\\\"));
	for (const char *p = chg.reply; *p != '\0'; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	assert_string_equal(chg.cause, "5.7.64");
}

/* ---- feedback ---- */

static struct conf_feedback fbconf(void)
{
	static char *m[] = { "*.mail.protection.outlook.com", "*.mx.microsoft", "127.0.0.1" };
	struct conf_feedback c = { .log = "", .n_match = 3, .open_for = 300 };
	for (size_t i = 0; i < 3; i++)
		c.match[i] = m[i];
	return c;
}

static void line(struct feedback *fb, const char *text, struct feedback_outcome *out)
{
	struct conf_feedback c = fbconf();
	feedback_line(fb, &c, text, strlen(text), out);
}

static void test_feedback_refusal_and_prediction(void **state)
{
	(void)state;
	static struct feedback fb;
	struct feedback_outcome o;
	feedback_init(&fb);
	feedback_note(&fb, "4XyZ1abc", "contoso.com", NULL);
	line(&fb, "Nov 30 10:00:01 relay postfix/smtp[123]: 4XyZ1abc: to=<a@outside.example>, "
		  "relay=contoso-com.mail.protection.outlook.com[52.101.1.1]:25, delay=1, delays=0/0/0.5/0.5, "
		  "dsn=4.7.64, status=deferred (host contoso-com.mail.protection.outlook.com[52.101.1.1] said: "
		  "550 5.7.64 TenantAttribution; Relay Access Denied [DB5EUR.prod] (in reply to end of DATA command))",
	     &o);
	assert_int_equal(o.kind, FEEDBACK_REFUSED);
	assert_int_equal(o.scope, BREAKER_SCOPE_RELAY);
	assert_string_equal(o.cause, "5.7.64");
	assert_string_equal(o.qid, "4XyZ1abc");
	assert_string_equal(o.domain, "contoso.com");
	assert_string_equal(o.predicted, "pass");
	assert_true(o.miss);
	assert_true(o.unpredicted);
	assert_int_equal(o.reply_len, strlen("550 5.7.64 TenantAttribution; Relay Access Denied [DB5EUR.prod]"));
	assert_memory_equal(o.reply, "550 5.7.64 TenantAttribution", 28);

	/* predicted: no miss, no trip */
	feedback_note(&fb, "5AAAA", "contoso.com", "550 5.7.64 TenantAttribution; Relay Access Denied");
	line(&fb, "2026-11-30T10:00:02.000000+00:00 relay postfix/smtp[9]: 5AAAA: to=<b@x.example>, "
		  "relay=tenant.mx.microsoft[1.2.3.4]:25, dsn=5.7.64, status=bounced (host tenant.mx.microsoft[1.2.3.4] said: "
		  "550 5.7.64 TenantAttribution; Relay Access Denied)", &o);
	assert_int_equal(o.kind, FEEDBACK_REFUSED);
	assert_false(o.miss);
	assert_false(o.unpredicted);

	/* sender cause: domain scope, the domain from qmgr's from= line */
	line(&fb, "Nov 30 10:00:03 relay postfix/qmgr[5]: 6BBBB: from=<app@Apps.Example>, size=300, nrcpt=1 (queue active)", &o);
	assert_int_equal(o.kind, FEEDBACK_NONE);
	line(&fb, "Nov 30 10:00:04 relay postfix/smtp[6]: 6BBBB: to=<c@x.example>, relay=127.0.0.1[127.0.0.1]:2525, "
		  "dsn=4.7.64, status=deferred (host 127.0.0.1[127.0.0.1] said: 550 5.7.64 Relay Access Denied ATTR36 "
		  "(in reply to end of DATA command))", &o);
	assert_int_equal(o.kind, FEEDBACK_REFUSED);
	assert_int_equal(o.scope, BREAKER_SCOPE_DOMAIN);
	assert_string_equal(o.domain, "apps.example");
	assert_string_equal(o.predicted, "unknown");
	assert_false(o.miss);
	assert_true(o.unpredicted);
}

static void test_feedback_ignores_what_is_not_eop_attribution(void **state)
{
	(void)state;
	static struct feedback fb;
	struct feedback_outcome o;
	feedback_init(&fb);
	/* a real recipient error from EOP: not a breaker cause */
	line(&fb, "Nov 30 10:00:01 relay postfix/smtp[1]: 7CCCC: to=<nobody@contoso.com>, "
		  "relay=contoso-com.mail.protection.outlook.com[52.101.1.1]:25, dsn=5.1.10, status=bounced "
		  "(host contoso-com.mail.protection.outlook.com[52.101.1.1] said: 550 5.1.10 RESOLVER.ADR.RecipientNotFound; "
		  "Recipient not found by SMTP address lookup (in reply to RCPT TO command))", &o);
	assert_int_equal(o.kind, FEEDBACK_OTHER);
	/* an ambiguous 5.7.1 that names no variant: not acted on */
	line(&fb, "Nov 30 10:00:01 relay postfix/smtp[1]: 7CCDD: to=<x@y.example>, relay=a.mx.microsoft[1.1.1.1]:25, "
		  "dsn=5.7.1, status=bounced (host a.mx.microsoft[1.1.1.1] said: 550 5.7.1 go away)", &o);
	assert_int_equal(o.kind, FEEDBACK_OTHER);
	/* another next hop refusing with the same words: not EOP */
	line(&fb, "Nov 30 10:00:02 relay postfix/smtp[1]: 7DDDD: to=<a@b.example>, relay=mx.other.example[192.0.2.1]:25, "
		  "dsn=5.7.64, status=bounced (host mx.other.example[192.0.2.1] said: 550 5.7.64 TenantAttribution; x)", &o);
	assert_int_equal(o.kind, FEEDBACK_NONE);
	/* accepted */
	line(&fb, "Nov 30 10:00:03 relay postfix/smtp[1]: 7EEEE: to=<a@b.example>, relay=x.mx.microsoft[1.1.1.1]:25, "
		  "delay=1, dsn=2.6.0, status=sent (250 2.6.0 <id@x> [InternalId=1] Queued mail for delivery)", &o);
	assert_int_equal(o.kind, FEEDBACK_ACCEPTED);
	/* Sendmail's relay= form */
	line(&fb, "Nov 30 10:00:04 relay sm-mta[77]: 5ANESBnO000893: to=<a@b.example>, delay=00:00:01, xdelay=00:00:01, "
		  "mailer=esmtp, pri=120447, relay=contoso-com.mail.protection.outlook.com. [52.101.1.1], dsn=2.0.0, "
		  "stat=Sent (<x@y> [InternalId=1] Queued mail for delivery)", &o);
	assert_int_equal(o.kind, FEEDBACK_ACCEPTED);
	/* a suffix pattern does not match a longer label ending the same way */
	line(&fb, "Nov 30 10:00:03 relay postfix/smtp[1]: 7FFFF: to=<a@b.example>, relay=evilmx.microsoft[1.1.1.1]:25, "
		  "dsn=2.0.0, status=sent (250 ok)", &o);
	assert_int_equal(o.kind, FEEDBACK_NONE);
}

/* Hostile and broken lines: nothing matched, nothing overflows; queue ids come out clean. */
static void test_feedback_hostile_lines(void **state)
{
	(void)state;
	static struct feedback fb;
	struct feedback_outcome o;
	feedback_init(&fb);
	static const char *const bad[] = {
		"", "\n", "postfix/smtp[1]: : to=<>, relay=127.0.0.1[127.0.0.1]:1, status=deferred",
		"Nov 30 10:00:01 relay postfix/smtp[1]: AB\"C\r\nD: to=<a@b>, relay=127.0.0.1[127.0.0.1]:25, dsn=5.7.64, "
		"status=deferred (host 127.0.0.1[127.0.0.1] said: 550 5.7.64 TenantAttribution; \"quoted\" \x01\xfe)",
		"Nov 30 10:00:01 relay postfix/smtp[1]: ABC: to=<a@b>, relay=[, status=sent (x)",
		"Nov 30 10:00:01 relay postfix/smtp[1]: ABC: to=<a@b>, relay=127.0.0.1[127.0.0.1, dsn=5.7.64, status=deferred (said: )",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		line(&fb, bad[i], &o);
		for (const char *p = o.qid; *p != '\0'; p++)
			assert_true((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'));
	}
	char big[20000];
	memset(big, 'x', sizeof big);
	struct conf_feedback c = fbconf();
	feedback_line(&fb, &c, big, sizeof big, &o);
	assert_int_equal(o.kind, FEEDBACK_NONE);
	/* many queue ids: the table stays bounded and a forgotten id is "unknown", never wrong */
	for (int i = 0; i < FEEDBACK_TRACK_MAX * 2; i++) {
		char q[16];
		snprintf(q, sizeof q, "Q%dX", i);
		feedback_note(&fb, q, "contoso.com", NULL);
	}
	line(&fb, "Nov 30 10:00:01 relay postfix/smtp[1]: NEVERSEEN: to=<a@b>, relay=127.0.0.1[127.0.0.1]:25, dsn=5.7.64, "
		  "status=deferred (host 127.0.0.1[127.0.0.1] said: 550 5.7.64 TenantAttribution; Relay Access Denied)", &o);
	assert_string_equal(o.predicted, "unknown");
}

/* ---- pqueue: postqueue -j lines as Postfix 3.7 writes them ---- */

static void test_pqueue_lines(void **state)
{
	(void)state;
	struct pqueue_entry e;
	char err[128];
	static const char deferred[] =
		"{\"queue_name\": \"deferred\", \"queue_id\": \"4XyZ1abcDEF\", \"arrival_time\": 1764496800, "
		"\"message_size\": 446, \"forced_expire\": false, \"sender\": \"app@apps.contoso.test\", \"recipients\": "
		"[{\"address\": \"a@outside.example\", \"delay_reason\": \"connect to x: Connection timed out\"}, "
		"{\"address\": \"b@outside.example\", \"delay_reason\": \"host 127.0.0.1[127.0.0.1] said: 550 5.7.64 "
		"Relay Access Denied ATTR36 (in reply to end of DATA command)\"}]}";
	assert_true(pqueue_parse_line(deferred, strlen(deferred), &e, err, sizeof err));
	assert_int_equal(e.queue, PQ_DEFERRED);
	assert_string_equal(e.queue_id, "4XyZ1abcDEF");
	assert_string_equal(e.sender, "app@apps.contoso.test");
	assert_int_equal(e.recipients, 2);
	assert_string_equal(e.cause, "5.7.64");
	assert_non_null(strstr(e.reason, "ATTR36"));
	/* a recipient error is not a cause; the first reason is kept for display */
	static const char recipient[] =
		"{\"queue_name\": \"deferred\", \"queue_id\": \"5AAAA\", \"sender\": \"\", \"recipients\": "
		"[{\"address\": \"x@contoso.com\", \"delay_reason\": \"host a said: 550 5.1.10 Recipient not found\"}]}";
	assert_true(pqueue_parse_line(recipient, strlen(recipient), &e, err, sizeof err));
	assert_string_equal(e.cause, "");
	assert_string_equal(e.sender, "");
	assert_non_null(strstr(e.reason, "5.1.10"));
	static const char hold[] = "{\"queue_name\": \"hold\", \"queue_id\": \"6BBBB\", \"sender\": \"a\\\"b\\u0001@c\", "
				   "\"recipients\": [{\"address\": \"x@y\"}]}";
	assert_true(pqueue_parse_line(hold, strlen(hold), &e, err, sizeof err));
	assert_int_equal(e.queue, PQ_HOLD);
	assert_string_equal(e.sender, "a\\\"b?@c");
	/* hostile and broken lines */
	static const char *const bad[] = { "", "[]", "{", "{\"queue_id\": \"X\"}", "{\"queue_name\": 1, \"queue_id\": \"A\"}",
					   "{\"queue_name\": \"hold\", \"queue_id\": \"\\\"';\"}", "null" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err[0] = '\0';
		if (pqueue_parse_line(bad[i], strlen(bad[i]), &e, err, sizeof err))
			fail_msg("accepted: %s", bad[i]);
		assert_true(err[0] != '\0');
	}
	static const char sneaky[] = "{\"queue_name\": \"deferred\", \"queue_id\": \"AB;rm -rf /CD\"}";
	assert_false(pqueue_parse_line(sneaky, strlen(sneaky), &e, err, sizeof err));
	assert_non_null(strstr(err, "not letters and digits"));
}

struct mailq_seen {
	size_t n;
	struct pqueue_entry e[4];
};

static void keep_entry(void *ctx, const struct pqueue_entry *e)
{
	struct mailq_seen *s = ctx;
	if (s->n < 4)
		s->e[s->n++] = *e;
}

/* Sendmail's mailq and mailq -qQ as the real binary prints them (captured from tests/integration/sendmail.sh). */
static void test_mailq_listing(void **state)
{
	(void)state;
	static const char quarantine[] =
		"\t\t/run/eopguard-sm.LJn3Ft/q (1 request)\n"
		"-----Q-ID----- --Size-- -----Q-Time----- ------------Sender/Recipient-----------\n"
		"6B256jsK027386        5 Wed Dec  2 05:06 <app@other.example>\n"
		"     QUARANTINE: eopguard: sender-not-accepted\n"
		"\t\t\t\t\t <user@example.net>\n"
		"\t\tTotal requests: 1\n";
	struct mailq_seen s = { 0 };
	assert_int_equal(pqueue_parse_mailq(quarantine, strlen(quarantine), true, keep_entry, &s), 1);
	assert_string_equal(s.e[0].queue_id, "6B256jsK027386");
	assert_int_equal(s.e[0].queue, PQ_HOLD);
	assert_string_equal(s.e[0].sender, "app@other.example");
	assert_string_equal(s.e[0].reason, "eopguard: sender-not-accepted");
	assert_int_equal(s.e[0].recipients, 1);
	static const char queue[] =
		"\t\t/var/spool/mqueue (2 requests)\n"
		"-----Q-ID----- --Size-- -----Q-Time----- ------------Sender/Recipient-----------\n"
		"6B256bZ2027117*       5 Wed Dec  2 05:06 <relay@contoso.test>\n"
		"                 (Deferred: 550 5.7.64 TenantAttribution; Relay Access Denied)\n"
		"\t\t\t\t\t <user@example.net>\n"
		"6B256TB2026221        5 Wed Dec  2 05:06 <>\n"
		"                 (Deferred: Connection refused by [127.0.0.1])\n"
		"\t\t\t\t\t <user@example.net>\n"
		"\t\tTotal requests: 2\n";
	memset(&s, 0, sizeof s);
	assert_int_equal(pqueue_parse_mailq(queue, strlen(queue), false, keep_entry, &s), 2);
	assert_string_equal(s.e[0].queue_id, "6B256bZ2027117");
	assert_string_equal(s.e[0].cause, "5.7.64");
	assert_string_equal(s.e[1].sender, "");
	assert_string_equal(s.e[1].cause, "");
	static const char empty[] = "Mail queue is empty\n";
	memset(&s, 0, sizeof s);
	assert_int_equal(pqueue_parse_mailq(empty, strlen(empty), false, keep_entry, &s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_breaker_trips_once_and_half_opens),
		cmocka_unit_test(test_breaker_domain_scope),
		cmocka_unit_test(test_breaker_per_tenant),
		cmocka_unit_test(test_breaker_domain_table_bounded),
		cmocka_unit_test(test_breaker_escapes_reply),
		cmocka_unit_test(test_feedback_refusal_and_prediction),
		cmocka_unit_test(test_feedback_ignores_what_is_not_eop_attribution),
		cmocka_unit_test(test_feedback_hostile_lines),
		cmocka_unit_test(test_pqueue_lines),
		cmocka_unit_test(test_mailq_listing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
