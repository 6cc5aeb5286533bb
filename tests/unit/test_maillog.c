/* Unit tests for maillog.c: Postfix, Sendmail and eopguard lines, and hostile ones. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "maillog.h"

struct line_case {
	const char *name;
	const char *line;
	enum maillog_kind kind;
	const char *qid, *to, *from, *dsn;
	enum maillog_status status;
	const char *reply_start;    /* prefix of the reply slice, or NULL */
	const char *relay;          /* or NULL */
};

static bool slice_is(struct slice s, const char *want)
{
	return want == NULL || (s.n == strlen(want) && (s.n == 0 || memcmp(s.p, want, s.n) == 0));
}

#define BOUNCE "Nov 23 10:00:01 relay postfix/smtp[102]: 4XkT1a2b3c: to=<a@fabrikam.example>, relay=contoso-com.mail.protection.outlook.com[52.101.68.1]:25, delay=1.1, delays=0.1/0/0.5/0.5, dsn=5.7.64, status=bounced (host contoso-com.mail.protection.outlook.com[52.101.68.1] said: 550 5.7.64 TenantAttribution; Relay Access Denied [DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com 2026-11-23T10:00:01.000Z 08DC]; x (in reply to RCPT TO command))"

static void test_lines(void **state)
{
	static const struct line_case cases[] = {
		{ "postfix bounce", BOUNCE, ML_DELIVERY, "4XkT1a2b3c", "a@fabrikam.example", NULL, "5.7.64", MS_BOUNCED,
		  "host contoso-com.mail.protection.outlook.com[52.101.68.1] said: 550 5.7.64 TenantAttribution;",
		  "contoso-com.mail.protection.outlook.com[52.101.68.1]:25" },
		{ "ipv6 deferral, second instance, ISO stamp",
		  "2026-11-23T10:00:01.123456+01:00 relay postfix-out/smtp[7]: 5B2C3D: to=<c@tailspin.example>, orig_to=<list@contoso.com>, relay=x.mail.protection.outlook.com[2a01:111:f400::1]:25, delay=300, delays=0/0/0.4/0.1, dsn=4.4.62, status=deferred (host x.mail.protection.outlook.com[2a01:111:f400::1] said: 451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35 (in reply to RCPT TO command))",
		  ML_DELIVERY, "5B2C3D", "c@tailspin.example", NULL, "4.4.62", MS_DEFERRED, "host x.mail", "x.mail.protection.outlook.com[2a01:111:f400::1]:25" },
		{ "sent via lmtp", "Nov  3 09:01:02 relay postfix/lmtp[9]: ABCDEF1234: to=<u@contoso.com>, relay=mailstore[private/dovecot-lmtp], delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 <u@contoso.com> Saved)",
		  ML_DELIVERY, "ABCDEF1234", "u@contoso.com", NULL, "2.0.0", MS_SENT, "250 2.0.0", NULL },
		{ "error transport expired", "Nov 23 10:00:01 relay postfix/error[5]: 77AA88: to=<x@y.example>, relay=none, delay=432000, delays=432000/0/0/0, dsn=4.4.7, status=expired (delivery temporarily suspended)",
		  ML_DELIVERY, "77AA88", "x@y.example", NULL, "4.4.7", MS_EXPIRED, "delivery temporarily", "none" },
		{ "qmgr from", "Nov 23 10:00:00 relay postfix/qmgr[101]: 4XkT1a: from=<app@contoso.com>, size=1200, nrcpt=2 (queue active)",
		  ML_FROM, "4XkT1a", NULL, "app@contoso.com", NULL, MS_NONE, NULL, NULL },
		{ "qmgr null sender", "Nov 23 10:00:00 relay postfix/qmgr[101]: 4XkT1b: from=<>, size=1200, nrcpt=1 (queue active)",
		  ML_FROM, "4XkT1b", NULL, "", NULL, MS_NONE, NULL, NULL },
		{ "qmgr expired", "Nov 23 10:00:00 relay postfix/qmgr[101]: 4XkT1c: from=<app@contoso.com>, status=expired, returned to sender",
		  ML_EXPIRED, "4XkT1c", NULL, "app@contoso.com", NULL, MS_NONE, NULL, NULL },
		{ "qmgr removed", "Nov 23 10:00:00 relay postfix/qmgr[101]: 4XkT1d: removed", ML_REMOVED, "4XkT1d", NULL, NULL, NULL, MS_NONE, NULL, NULL },
		{ "smtpd client ipv6", "Nov 23 10:00:00 relay postfix/smtpd[100]: 4XkT1e: client=app1.contoso.com[2001:db8::5]",
		  ML_CLIENT, "4XkT1e", NULL, NULL, NULL, MS_NONE, NULL, "app1.contoso.com[2001:db8::5]" },
		{ "milter reject", "Nov 23 12:00:00 relay postfix/cleanup[105]: 6C3D4E: milter-reject: END-OF-MESSAGE from scanner[10.0.0.9]: 4.7.64 eopguard: sender-not-accepted: EOP would answer \"550 5.7.64 Relay Access Denied ATTR36\"; hint; from=<scan@scan.local> to=<d@fabrikam.example> proto=ESMTP helo=<scanner>",
		  ML_MILTER_REJECT, "6C3D4E", "d@fabrikam.example", "scan@scan.local", NULL, MS_NONE, "4.7.64 eopguard: sender-not-accepted", "scanner[10.0.0.9]" },
		{ "milter hold", "Nov 23 12:00:05 relay postfix/cleanup[105]: 7D4E5F: milter-hold: END-OF-MESSAGE from localhost[127.0.0.1]: milter triggers HOLD action; from=<> to=<e@fabrikam.example> proto=ESMTP helo=<client.test>",
		  ML_MILTER_HOLD, "7D4E5F", "e@fabrikam.example", "", NULL, MS_NONE, "milter triggers HOLD action", NULL },
		{ "noqueue reject", "Nov 23 12:01:00 relay postfix/smtpd[100]: NOQUEUE: reject: RCPT from unknown[192.0.2.1]: 554 5.7.1 <f@fabrikam.example>: Relay access denied; from=<x@spam.example> to=<f@fabrikam.example> proto=ESMTP helo=<spam>",
		  ML_NOQUEUE_REJECT, "", "f@fabrikam.example", "x@spam.example", NULL, MS_NONE, "554 5.7.1 <f@fabrikam.example>: Relay access denied", "unknown[192.0.2.1]" },
		{ "sendmail deferred", "Nov 23 12:02:01 relay sm-mta[812]: 2ANA0100001: to=<g@fabrikam.example>, delay=00:00:01, xdelay=00:00:01, mailer=relay, pri=120, relay=x. [52.101.68.1], dsn=4.0.0, stat=Deferred: 454 4.7.0 Failed to establish appropriate TLS channel: CertificateExpired: Access Denied",
		  ML_DELIVERY, "2ANA0100001", "g@fabrikam.example", NULL, "4.0.0", MS_DEFERRED, "454 4.7.0 Failed", "x. [52.101.68.1]" },
		{ "sendmail bounce", "Nov 23 12:02:01 relay sendmail[812]: 2ANA0100002: to=<h@fabrikam.example>, delay=00:00:01, mailer=esmtp, pri=120, relay=x. [52.101.68.1], dsn=5.7.64, stat=Service unavailable",
		  ML_DELIVERY, "2ANA0100002", "h@fabrikam.example", NULL, "5.7.64", MS_BOUNCED, "Service unavailable", NULL },
		{ "sendmail sent", "Nov 23 12:02:01 relay sm-mta[812]: 2ANA0100003: to=<i@fabrikam.example>, delay=00:00:01, mailer=esmtp, pri=120, relay=x. [52.101.68.1], dsn=2.0.0, stat=Sent (OK)",
		  ML_DELIVERY, "2ANA0100003", "i@fabrikam.example", NULL, "2.0.0", MS_SENT, "Sent (OK)", NULL },
		{ "sendmail milter reject", "Nov 23 12:02:01 relay sm-mta[812]: 2ANA0100004: Milter: data, reject=451 4.7.64 eopguard: chain-incomplete: EOP would answer \"550 5.7.64 TenantAttribution; Relay Access Denied\"; x",
		  ML_MILTER_REJECT, "2ANA0100004", NULL, NULL, NULL, MS_NONE, "451 4.7.64 eopguard: chain-incomplete", NULL },
		{ "sendmail from", "Nov 23 12:02:00 relay sm-mta[811]: 2ANA0100005: from=<batch@contoso.com>, size=1000, class=0, nrcpts=1, msgid=<x@y>, proto=ESMTP, daemon=MTA, relay=erp [10.0.0.7]",
		  ML_FROM, "2ANA0100005", NULL, "batch@contoso.com", NULL, MS_NONE, NULL, "erp [10.0.0.7]" },
		{ "eopguard line", "Nov 23 10:00:00 relay eopguard[50]: 4XkT1a: verdict=fail action=defer findings=chain-incomplete,from-missing sender=<app@contoso.com> from=- predicted=\"550 5.7.64 TenantAttribution; Relay Access Denied\"",
		  ML_EOPGUARD, "4XkT1a", NULL, "app@contoso.com", NULL, MS_NONE, NULL, NULL },
		{ "eopguard identity line skipped", "Nov 23 10:00:00 relay eopguard[50]: identity: state=fail findings=chain-incomplete",
		  ML_SKIP, "", NULL, NULL, NULL, MS_NONE, NULL, NULL },
		{ "CRLF line", "Nov 23 10:00:00 relay postfix/qmgr[101]: 4XkT1f: removed\r", ML_REMOVED, "4XkT1f", NULL, NULL, NULL, MS_NONE, NULL, NULL },
		{ "other program", "Nov 23 10:00:00 relay kernel: [1.2] 4XkT1a: to=<x>, status=bounced", ML_SKIP, "", NULL, NULL, NULL, MS_NONE, NULL, NULL },
		{ "connect line", "Nov 23 10:00:00 relay postfix/smtpd[1]: connect from x[1.2.3.4]", ML_SKIP, "", NULL, NULL, NULL, MS_NONE, NULL, NULL },
		{ "no timestamp", "garbage", ML_SKIP, "", NULL, NULL, NULL, MS_NONE, NULL, NULL },
		{ "truncated delivery", "Nov 23 10:00:01 relay postfix/smtp[102]: 4XkT1a: to=<a@fabrikam.example>, relay=contoso-com.mail.prot",
		  ML_MALFORMED, "4XkT1a", "a@fabrikam.example", NULL, NULL, MS_NONE, NULL, NULL },
		{ "unknown status", "Nov 23 10:00:01 relay postfix/smtp[102]: 4XkT1a: to=<a@b>, relay=none, status=weird", ML_MALFORMED, "4XkT1a", NULL, NULL, NULL, MS_NONE, NULL, NULL },
		{ "bad month", "Foo 23 10:00:01 relay postfix/qmgr[1]: 4XkT1a: removed", ML_SKIP, "", NULL, NULL, NULL, MS_NONE, NULL, NULL },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct line_case *c = &cases[i];
		struct maillog_event ev;
		maillog_parse(c->line, strlen(c->line), 2026, &ev);
		if (ev.kind != c->kind)
			fail_msg("%s: kind %d, want %d", c->name, ev.kind, c->kind);
		if (!slice_is(ev.qid, c->qid) || !slice_is(ev.to, c->to) || !slice_is(ev.from, c->from) || !slice_is(ev.dsn, c->dsn))
			fail_msg("%s: qid '%.*s' to '%.*s' from '%.*s' dsn '%.*s'", c->name, (int)ev.qid.n, ev.qid.p, (int)ev.to.n,
				 ev.to.p, (int)ev.from.n, ev.from.p, (int)ev.dsn.n, ev.dsn.p);
		if (ev.status != c->status)
			fail_msg("%s: status %d, want %d", c->name, ev.status, c->status);
		if (c->reply_start != NULL && (ev.reply.n < strlen(c->reply_start) || memcmp(ev.reply.p, c->reply_start, strlen(c->reply_start)) != 0))
			fail_msg("%s: reply '%.*s'", c->name, (int)ev.reply.n, ev.reply.p);
		if (!slice_is(ev.relay, c->relay))
			fail_msg("%s: relay '%.*s', want '%s'", c->name, (int)ev.relay.n, ev.relay.p, c->relay);
	}
}

static void test_times(void **state)
{
	struct maillog_event ev;
	(void)state;
	maillog_parse("Nov 23 10:00:01 h postfix/qmgr[1]: ABCDE: removed", 48, 2026, &ev);
	assert_int_equal(ev.when, maillog_parse_iso("2026-11-23T10:00:01Z", 20));
	assert_true(ev.local_time);
	maillog_parse("Nov  3 10:00:01 h postfix/qmgr[1]: ABCDE: removed", 48, 2026, &ev);
	assert_int_equal(ev.when, maillog_parse_iso("2026-11-03T10:00:01", 19));
	const char *iso = "2026-11-23T10:00:01.5+01:00 h postfix/qmgr[1]: ABCDE: removed";
	maillog_parse(iso, strlen(iso), 2000, &ev);
	assert_int_equal(ev.when, maillog_parse_iso("2026-11-23T09:00:01Z", 20));
	assert_false(ev.local_time);
	assert_int_equal(maillog_parse_iso("2026-11-23", 10), 1795392000);
	assert_int_equal(maillog_parse_iso("2026-13-01", 10), -1);
	assert_int_equal(maillog_parse_iso("2026-11-23T25:00", 16), -1);
	assert_int_equal(maillog_parse_iso("2026-11-23junk", 14), -1);
}

/* NUL bytes, 100 KB lines and every prefix of a real line: never a crash. */
static void test_hostile(void **state)
{
	(void)state;
	size_t n = 100 * 1024;
	char *big = malloc(n);
	assert_non_null(big);
	memset(big, 'x', n);
	memcpy(big, BOUNCE, strlen(BOUNCE));
	struct maillog_event ev;
	maillog_parse(big, n, 2026, &ev);
	assert_int_equal(ev.kind, ML_DELIVERY);
	assert_int_equal(ev.status, MS_BOUNCED);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)(i * 131 % 256);
	maillog_parse(big, n, 2026, &ev);
	assert_true(ev.kind == ML_SKIP || ev.kind == ML_MALFORMED);   /* bytes, not a log line */
	memcpy(big, BOUNCE, strlen(BOUNCE));
	big[60] = '\0';   /* a NUL inside the recipient, after the queue id */
	maillog_parse(big, strlen(BOUNCE), 2026, &ev);
	assert_true(ev.kind == ML_MALFORMED || (ev.kind == ML_DELIVERY && ev.qid.n == strlen("4XkT1a2b3c") &&
						  memcmp(ev.qid.p, "4XkT1a2b3c", ev.qid.n) == 0));
	/* every prefix: a bounce only once "status=bounced" is in it, and then with its queue id */
	size_t status_end = (size_t)(strstr(BOUNCE, "status=bounced") - BOUNCE) + strlen("status=bounced");
	for (size_t len = 0; len <= strlen(BOUNCE); len++) {
		maillog_parse(BOUNCE, len, 2026, &ev);
		if (ev.kind == ML_DELIVERY && ev.status == MS_BOUNCED) {
			if (len < status_end)
				fail_msg("prefix of %zu bytes read as a bounce", len);
			assert_int_equal(ev.qid.n, strlen("4XkT1a2b3c"));
		}
	}
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
