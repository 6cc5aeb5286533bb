/* Unit tests for review.c: correlation by queue id, grouping by cause, bounds. */
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
#include "review.h"

static const char *const log_lines[] = {
	"Nov 23 10:00:00 relay postfix/smtpd[100]: AAAAA1: client=app1.contoso.com[10.0.0.5]",
	"Nov 23 10:00:00 relay eopguard[50]: AAAAA1: verdict=fail action=accept findings=chain-incomplete sender=<app@contoso.com> from=contoso.com predicted=\"x\"",
	"Nov 23 10:00:00 relay postfix/qmgr[101]: AAAAA1: from=<app@contoso.com>, size=1, nrcpt=2 (queue active)",
	"Nov 23 10:00:01 relay postfix/smtp[102]: AAAAA1: to=<a@fabrikam.example>, relay=x[1.2.3.4]:25, dsn=5.7.64, status=bounced (host x[1.2.3.4] said: 550 5.7.64 TenantAttribution; Relay Access Denied [X] (in reply to RCPT TO command))",
	"Nov 23 10:00:01 relay postfix/smtp[102]: AAAAA1: to=<b@fabrikam.example>, relay=x[1.2.3.4]:25, dsn=5.7.64, status=bounced (host x[1.2.3.4] said: 550 5.7.64 TenantAttribution; Relay Access Denied [X] (in reply to RCPT TO command))",
	"Nov 23 10:00:01 relay postfix/qmgr[101]: AAAAA1: removed",
	"Nov 23 10:01:00 relay postfix/qmgr[101]: BBBBB2: from=<erp@erp.internal>, size=1, nrcpt=1 (queue active)",
	"Nov 23 10:01:01 relay postfix/smtp[104]: BBBBB2: to=<c@t.example>, relay=x[1.2.3.4]:25, dsn=4.4.62, status=deferred (host x said: 451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35 (in reply to RCPT TO command))",
	"Nov 23 11:01:01 relay postfix/smtp[104]: BBBBB2: to=<c@t.example>, relay=x[1.2.3.4]:25, dsn=4.4.62, status=deferred (host x said: 451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35 (in reply to RCPT TO command))",
	"Nov 28 10:01:01 relay postfix/qmgr[101]: BBBBB2: from=<erp@erp.internal>, status=expired, returned to sender",
	"Nov 23 12:00:00 relay postfix/cleanup[105]: CCCCC3: milter-reject: END-OF-MESSAGE from s[10.0.0.9]: 4.7.64 eopguard: sender-not-accepted: EOP would answer \"550 5.7.64 Relay Access Denied ATTR36\"; h; from=<scan@scan.local> to=<d@fabrikam.example> proto=ESMTP helo=<s>",
	"Nov 23 12:00:05 relay eopguard[50]: DDDDD4: verdict=fail action=quarantine findings=null-sender sender=<> from=contoso.com predicted=\"x\"",
	"Nov 23 12:00:05 relay postfix/cleanup[105]: DDDDD4: milter-hold: END-OF-MESSAGE from localhost[127.0.0.1]: milter triggers HOLD action; from=<> to=<e@fabrikam.example> proto=ESMTP helo=<c>",
	"Nov 23 12:00:06 relay eopguard[50]: EEEEE5: verdict=pass action=accept findings=- sender=<a@contoso.com> from=contoso.com predicted=-",
	"Nov 23 12:00:07 relay postfix/smtp[102]: EEEEE5: to=<z@fabrikam.example>, relay=x[1.2.3.4]:25, dsn=2.0.0, status=sent (250 2.0.0 OK)",
	"not a log line",
	"Nov 23 12:04:00 relay postfix/smtp[106]: FFFFF6: to=<h@fabrikam.example>, relay=none, delay=0, status=weird",
};

static struct review *run(const struct review_options *o)
{
	struct review *r = review_new(o);
	assert_non_null(r);
	review_begin_file(r, "maillog");
	for (size_t i = 0; i < sizeof log_lines / sizeof log_lines[0]; i++)
		review_line(r, log_lines[i], strlen(log_lines[i]));
	return r;
}

static void expect(const char *text, const char *part)
{
	if (strstr(text, part) == NULL)
		fail_msg("missing \"%s\" in:\n%s", part, text);
}

static void test_json(void **state)
{
	struct review_options o = { .now = maillog_parse_iso("2026-12-01", 10) };
	struct strbuf sb;
	(void)state;
	struct review *r = run(&o);
	strbuf_init(&sb, 1 << 20);
	review_format_json(r, &sb);
	expect(sb.data, "{\"files\":[{\"name\":\"maillog\",\"lines\":17,\"skipped\":1,\"malformed\":1}]");
	expect(sb.data, "\"totals\":{\"messages\":5,\"sent\":1,\"bounced\":1,\"deferred\":1,\"expired\":1,\"deferrals\":2,"
			"\"milter_rejected\":1,\"held\":1,\"eopguard\":{\"pass\":1,\"warn\":0,\"fail\":2}}");
	/* largest first: the bounce with 2 recipients (1 message) ties at 1 message with the others; first seen first */
	expect(sb.data, "\"causes\":[{\"code\":\"5.7.64\",\"reply\":\"550 5.7.64 TenantAttribution; Relay Access Denied\","
			"\"finding\":\"chain-incomplete\",\"status\":\"bounced\",\"messages\":1,\"recipients\":2,\"events\":2,"
			"\"first\":\"2026-11-23T10:00:01Z\"");
	expect(sb.data, "\"examples\":[{\"queue_id\":\"AAAAA1\",\"recipient\":\"a@fabrikam.example\",\"sender\":\"app@contoso.com\"}]");
	expect(sb.data, "\"sending_hosts\":[{\"name\":\"app1.contoso.com[10.0.0.5]\",\"messages\":1}]");
	expect(sb.data, "{\"code\":\"4.4.62\",\"reply\":\"451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35\","
			"\"finding\":null,\"status\":\"deferred\",\"messages\":1,\"recipients\":1,\"events\":2");
	expect(sb.data, "\"status\":\"expired\"");
	expect(sb.data, "{\"code\":\"5.7.64\",\"reply\":\"550 5.7.64 Relay Access Denied ATTR36\",\"finding\":\"sender-not-accepted\","
			"\"status\":\"milter-rejected\"");
	expect(sb.data, "{\"code\":\"5.7.64\",\"reply\":\"550 5.7.64 Relay Access Denied ATTR36\",\"finding\":\"null-sender\",\"status\":\"held\"");
	assert_int_equal(review_table_size(r), 4);   /* AAAAA1 was removed */
	strbuf_free(&sb);
	review_free(r);
}

static void test_text_since_and_messages(void **state)
{
	struct review_options o = { .now = maillog_parse_iso("2026-12-01", 10), .list_messages = true,
				    .since = maillog_parse_iso("2026-11-23T11:00", 16) };
	struct strbuf sb;
	(void)state;
	struct review *r = run(&o);
	strbuf_init(&sb, 1 << 20);
	review_format_text(r, &sb);
	expect(sb.data, "sent 1, bounced 0, deferred 1 (1 attempts), expired 1, refused by a milter 1, held 1");
	expect(sb.data, "milter-rejected 5.7.64: 550 5.7.64 Relay Access Denied ATTR36  [eopguard: sender-not-accepted]");
	expect(sb.data, "  who acts: tenant admin");
	expect(sb.data, "messages:\n2026-11-23T11:01:01Z BBBBB2 deferred to=<c@t.example> code=4.4.62 finding=-");
	if (strstr(sb.data, "AAAAA1") != NULL)
		fail_msg("--since did not drop the early bounce");
	strbuf_free(&sb);
	review_free(r);
}

/* Memory stays bounded: a million messages never removed keep at most table_max. */
static void test_bounded_table(void **state)
{
	struct review_options o = { .now = maillog_parse_iso("2026-12-01", 10), .table_max = 1000 };
	char line[256];
	(void)state;
	struct review *r = review_new(&o);
	for (int i = 0; i < 200000; i++) {
		int n = snprintf(line, sizeof line, "Nov 23 10:00:00 relay postfix/smtp[1]: Q%08X: to=<u%d@x.example>, "
				 "relay=x, dsn=4.4.62, status=deferred (451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35)", i, i);
		review_line(r, line, (size_t)n);
		if (review_table_size(r) > 1000)
			fail_msg("table grew to %zu", review_table_size(r));
	}
	struct strbuf sb;
	strbuf_init(&sb, 1 << 20);
	review_format_json(r, &sb);
	expect(sb.data, "\"deferred\":200000,\"expired\":0,\"deferrals\":200000");
	expect(sb.data, "\"messages\":200000,\"recipients\":200000");
	strbuf_free(&sb);
	review_free(r);
	review_free(NULL);
}

/* Lines a real sendmail logged with eopguard (tests/fixtures/sendmail-real.maillog). */
static void test_real_sendmail_log(void **state)
{
	char path[1024];
	const char *top = getenv("top_srcdir");
	(void)state;
	snprintf(path, sizeof path, "%s/tests/fixtures/sendmail-real.maillog", top != NULL ? top : ".");
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	struct review_options o = { .now = maillog_parse_iso("2026-12-01", 10) };
	struct review *r = review_new(&o);
	review_begin_file(r, "sendmail");
	char line[8192];
	while (fgets(line, sizeof line, fp) != NULL)
		review_line(r, line, strcspn(line, "\n"));
	fclose(fp);
	struct strbuf sb;
	strbuf_init(&sb, 1 << 20);
	review_format_json(r, &sb);
	/* each run appears twice (sm-mta and sendmail tags): the same queue ids, counted once */
	expect(sb.data, "\"malformed\":0}");
	expect(sb.data, "\"milter_rejected\":1,\"held\":1");
	expect(sb.data, "{\"code\":\"5.7.64\",\"reply\":\"550 5.7.64 Relay Access Denied ATTR36\",\"finding\":\"sender-not-accepted\",\"status\":\"milter-rejected\",\"messages\":1");
	expect(sb.data, "\"finding\":\"sender-not-accepted\",\"status\":\"held\",\"messages\":1");
	strbuf_free(&sb);
	review_free(r);
}

/* Text taken from log fields never reaches the report unescaped. */
static void test_hostile_fields(void **state)
{
	static const char *const lines[] = {
		"Nov 23 10:00:00 relay eopguard[5]: QQQQQ1: verdict=fail action=accept findings=\x1b[31mred,x sender=<a@b> from=- predicted=-",
		"Nov 23 10:00:01 relay postfix/smtp[1]: QQQQQ1: to=<a@b.example>, relay=x, dsn=\x1b[2J5.0.0, status=bounced (no code here)",
	};
	struct review_options o = { .now = maillog_parse_iso("2026-12-01", 10) };
	struct strbuf sb;
	(void)state;
	struct review *r = review_new(&o);
	review_begin_file(r, "hostile");
	for (size_t i = 0; i < 2; i++)
		review_line(r, lines[i], strlen(lines[i]));
	strbuf_init(&sb, 1 << 20);
	review_format_text(r, &sb);
	for (size_t i = 0; i < sb.len; i++)
		if (sb.data[i] == 0x1b)
			fail_msg("an escape byte reached the report:\n%s", sb.data);
	expect(sb.data, "bounced (no code): no code here");
	strbuf_free(&sb);
	review_free(r);
}

/* A review of n lines in a file called name (now: 2026-11-23). */
static struct review *review_of(const char *name, const char *const *lines, size_t n)
{
	struct review_options o = { .now = 1795392000 };
	struct review *r = review_new(&o);
	assert_non_null(r);
	review_begin_file(r, name);
	for (size_t i = 0; i < n; i++)
		review_line(r, lines[i], strlen(lines[i]));
	return r;
}

/* The review's JSON report into sb (strbuf_free it). */
static void json_of(struct review *r, struct strbuf *sb)
{
	strbuf_init(sb, 1 << 20);
	review_format_json(r, sb);
}

/*
 * Two different EOP replies whose cache keys have the same 32-bit FNV-1a
 * hash (found by a birthday search over the key layout of the first
 * version, reply text then dsn): each keeps its own cause.
 */
static void test_cause_cache_compares_keys(void **state)
{
	static const char *const lines[] = {
		"Nov 23 10:00:01 relay postfix/smtp[1]: HHHHH1: to=<a@f.example>, relay=x, dsn=5.7.64, status=bounced "
		"(host x said: 550 5.7.64 TenantAttribution; Relay Access Denied ref=0000bddf [X] (in reply to RCPT TO command))",
		"Nov 23 10:00:02 relay postfix/smtp[1]: HHHHH2: to=<b@f.example>, relay=x, dsn=5.7.64, status=bounced "
		"(host x said: 550 5.7.64 Relay Access Denied ATTR36 ref=000280a1 [X] (in reply to RCPT TO command))",
	};
	(void)state;
	struct review *r = review_of("collide", lines, 2);
	struct strbuf sb;
	json_of(r, &sb);
	expect(sb.data, "TenantAttribution; Relay Access Denied");
	expect(sb.data, "Relay Access Denied ATTR36");
	strbuf_free(&sb);
	review_free(r);
}

/* A line too long to keep is counted once as read and malformed. */
static void test_overlong_line_counted_once(void **state)
{
	(void)state;
	struct review *r = review_of("long", NULL, 0);
	review_overlong_line(r);
	struct strbuf sb;
	json_of(r, &sb);
	expect(sb.data, "{\"name\":\"long\",\"lines\":1,\"skipped\":0,\"malformed\":1}");
	strbuf_free(&sb);
	review_free(r);
}

/* How many times needle occurs in hay. */
static int count_of(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * Mail log lines as they reach admins outside a plain syslog file, each form
 * with where it is documented: docker compose logs ("service  | ",
 * docs.docker.com/reference/cli/docker/compose/logs), docker logs
 * --timestamps (an RFC 3339 stamp first, docs.docker.com/reference/cli/docker/
 * container/logs), a raw syslog <PRI> (RFC 3164 section 4.1.1), BusyBox
 * syslogd's facility.level before the program, and lines pasted without any
 * header (as in forum posts). Every one is counted; nothing is skipped.
 */
static void test_prefixed_and_headerless_lines(void **state)
{
	static const char *const lines[] = {
		"mailserver  | Nov 20 10:00:01 mail postfix/smtp[123]: AAAAA1: to=<a@b.example>, relay=x[192.0.2.1]:25, "
		"dsn=5.1.1, status=bounced (host x[192.0.2.1] said: 550 5.1.1 <a@b.example>: User unknown (in reply to RCPT TO command))",
		"2026-11-30T10:00:02.123456789Z Nov 30 10:00:02 mail postfix/smtp[123]: AAAAA2: to=<a@b.example>, relay=x[192.0.2.1]:25, "
		"dsn=5.1.1, status=bounced (host x[192.0.2.1] said: 550 5.1.1 <a@b.example>: User unknown (in reply to RCPT TO command))",
		"<22>Nov 20 10:00:03 mail postfix/smtp[123]: AAAAA3: to=<a@b.example>, relay=x[192.0.2.1]:25, "
		"dsn=5.1.1, status=bounced (host x[192.0.2.1] said: 550 5.1.1 <a@b.example>: User unknown (in reply to RCPT TO command))",
		"Nov 20 10:00:04 mail mail.info postfix/smtp[123]: AAAAA4: to=<a@b.example>, relay=x[192.0.2.1]:25, "
		"dsn=5.1.1, status=bounced (host x[192.0.2.1] said: 550 5.1.1 <a@b.example>: User unknown (in reply to RCPT TO command))",
		"postfix/smtp[123]: AAAAA5: to=<a@b.example>, relay=x[192.0.2.1]:25, "
		"dsn=5.1.1, status=bounced (host x[192.0.2.1] said: 550 5.1.1 <a@b.example>: User unknown (in reply to RCPT TO command))",
		"mail  | <22>1 2026-11-30T10:00:06+00:00 mail postfix/smtp 123 - - AAAAA6: nothing",
		"something else entirely",
	};
	(void)state;
	struct review *r = review_of("wild", lines, 7);
	struct strbuf sb;
	json_of(r, &sb);
	if (strstr(sb.data, "\"bounced\":5,") == NULL)
		fail_msg("want 5 bounces from the prefixed and headerless lines: %s", sb.data);
	assert_non_null(strstr(sb.data, "\"lines\":7,\"skipped\":2,"));
	/* the docker stamp (with its year) is used rather than the classic stamp after it, read as a year ago */
	assert_non_null(strstr(sb.data, "\"last\":\"2026-11-30T10:00:02Z\""));
	strbuf_free(&sb);
	review_free(r);
}

/*
 * Refusals the review used to miss: Sendmail's check_rcpt rejects (the form
 * in sendmail's cf/README, "ruleset=check_rcpt, arg1=..., reject=..."), its
 * sm-msp-queue program, and Postfix's "QUEUEID: reject: RCPT ..." lines
 * (logged after the queue id was assigned, smtpd_delay_reject).
 */
static void test_sendmail_rulesets_and_late_rejects(void **state)
{
	static const char *const lines[] = {
		"Nov 30 10:00:06 relay sm-mta[777]: 5ANE1234000777: ruleset=check_rcpt, arg1=<u@other.example>, "
		"relay=client.example [192.0.2.9], reject=550 5.7.1 <u@other.example>... Relaying denied",
		"Nov 30 10:00:07 relay sm-msp-queue[88]: 5ANE1234000888: to=root, ctladdr=root (0/0), delay=00:00:01, "
		"xdelay=00:00:00, mailer=relay, pri=30040, relay=[127.0.0.1] [127.0.0.1], dsn=4.0.0, stat=Deferred: Connection refused by [127.0.0.1]",
		"Nov 30 10:00:08 relay postfix/smtpd[99]: 4ABCDE8: reject: RCPT from unknown[192.0.2.1]: 550 5.7.1 <x@y.example>: "
		"Recipient address rejected: Access denied; from=<a@b.example> to=<x@y.example> proto=ESMTP helo=<h>",
		"Nov 30 10:00:09 relay postfix/cleanup[98]: 4ABCDE9: reject: header Subject: buy now from unknown[192.0.2.1]; "
		"from=<a@b.example> to=<x@y.example> proto=ESMTP helo=<h>: 5.7.1 message content rejected",
	};
	(void)state;
	struct review *r = review_of("late", lines, 4);
	struct strbuf sb;
	json_of(r, &sb);
	assert_non_null(strstr(sb.data, "Relaying denied"));
	assert_non_null(strstr(sb.data, "\"deferred\":1,"));
	assert_non_null(strstr(sb.data, "Recipient address rejected: Access denied"));
	if (count_of(sb.data, "\"status\":\"rejected\"") < 3)
		fail_msg("want the three rejects counted: %s", sb.data);
	strbuf_free(&sb);
	review_free(r);
}

/*
 * Rejects of one code are grouped by their masked reason (one group per
 * block list, another for the HELO reject), each shown with the reply that
 * was logged; a code whose only record is a range is never shown with the
 * range's text; a sender never seen is "unknown", not "<>".
 */
static void test_grouping_by_reason_and_unknown_sender(void **state)
{
	static const char *const lines[] = {
		"Nov 30 10:00:01 relay postfix/smtpd[1]: NOQUEUE: reject: RCPT from a.example[192.0.2.1]: 554 5.7.1 Service unavailable; "
		"Client host [192.0.2.1] blocked using zen.spamhaus.org; from=<a@a.example> to=<u@x.example> proto=ESMTP helo=<a>",
		"Nov 30 10:00:02 relay postfix/smtpd[1]: NOQUEUE: reject: RCPT from b.example[192.0.2.2]: 554 5.7.1 Service unavailable; "
		"Client host [192.0.2.2] blocked using zen.spamhaus.org; from=<b@b.example> to=<u@x.example> proto=ESMTP helo=<b>",
		"Nov 30 10:00:03 relay postfix/smtpd[1]: NOQUEUE: reject: RCPT from c.example[192.0.2.3]: 554 5.7.1 Service unavailable; "
		"Client host [192.0.2.3] blocked using b.barracudacentral.org; from=<c@c.example> to=<u@x.example> proto=ESMTP helo=<c>",
		"Nov 30 10:00:04 relay postfix/smtpd[1]: NOQUEUE: reject: RCPT from d.example[192.0.2.4]: 450 4.7.1 <bad>: "
		"Helo command rejected: Host not found; from=<d@d.example> to=<u@x.example> proto=ESMTP helo=<bad>",
		"Nov 30 10:00:05 relay postfix/smtp[2]: NOFROM1: to=<v@y.example>, relay=y.mail.protection.outlook.com[52.1.1.1]:25, dsn=4.7.560, "
		"status=deferred (host y.mail.protection.outlook.com[52.1.1.1] said: 451 4.7.560 Access denied, please try again later (in reply to MAIL FROM command))",
		"Nov 30 10:00:06 relay postfix/qmgr[3]: NULLS1: from=<>, size=100, nrcpt=1 (queue active)",
		"Nov 30 10:00:06 relay postfix/smtp[2]: NULLS1: to=<w@y.example>, relay=z[192.0.2.7]:25, dsn=5.1.1, status=bounced "
		"(host z[192.0.2.7] said: 550 5.1.1 unknown user (in reply to RCPT TO command))",
	};
	(void)state;
	struct review *r = review_of("groups", lines, 7);
	struct strbuf sb;
	json_of(r, &sb);
	assert_int_equal(count_of(sb.data, "blocked using zen.spamhaus.org"), 1);
	assert_int_equal(count_of(sb.data, "blocked using b.barracudacentral.org"), 1);
	assert_int_equal(count_of(sb.data, "Helo command rejected"), 1);
	assert_non_null(strstr(sb.data, "\"code\":\"5.7.1\",\"reply\":\"554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org\""));
	assert_non_null(strstr(sb.data, "\"messages\":2,"));
	/* never another code's text */
	assert_null(strstr(sb.data, "451 4.7.500"));
	assert_non_null(strstr(sb.data, "451 4.7.560 Access denied, please try again later"));
	/* unknown vs null sender */
	assert_non_null(strstr(sb.data, "\"queue_id\":\"NOFROM1\",\"recipient\":\"v@y.example\",\"sender\":null"));
	assert_non_null(strstr(sb.data, "\"queue_id\":\"NULLS1\",\"recipient\":\"w@y.example\",\"sender\":\"\""));
	strbuf_free(&sb);
	struct strbuf text;
	strbuf_init(&text, 1 << 20);
	review_format_text(r, &text);
	assert_non_null(strstr(text.data, "NOFROM1 to <v@y.example> from an unknown sender"));
	assert_non_null(strstr(text.data, "NULLS1 to <w@y.example> from <>"));
	strbuf_free(&text);
	review_free(r);
}

/* eopguard's per-message lines with log_format = "json" tie refusals to findings as the text lines do. */
static void test_eopguard_json_lines(void **state)
{
	static const char *const lines[] = {
		"Nov 20 10:00:01 relay eopguard[42]: {\"event\":\"message\",\"queue_id\":\"JSON12345\",\"verdict\":\"fail\","
		"\"action\":\"defer\",\"findings\":[\"chain-incomplete\",\"from-invalid\"],\"sender\":\"app@contoso.test\","
		"\"from\":\"contoso.test\",\"predicted\":\"550 5.7.64 TenantAttribution; Relay Access Denied\"}",
		"Nov 20 10:00:01 relay postfix/cleanup[7]: JSON12345: milter-reject: END-OF-MESSAGE from app[192.0.2.9]: 4.7.64 "
		"eopguard: chain-incomplete: EOP would answer \"550 5.7.64 TenantAttribution; Relay Access Denied\"; fix; "
		"from=<app@contoso.test> to=<u@x.example> proto=ESMTP helo=<app>",
		"Nov 20 10:00:02 relay eopguard[42]: {\"event\":\"message\",\"queue_id\":\"JSON67890\",\"verdict\":\"pass\","
		"\"action\":\"accept\",\"findings\":[],\"sender\":\"\",\"from\":null,\"predicted\":null}",
		"Nov 20 10:00:03 relay eopguard[42]: {\"event\":\"identity\",\"state\":\"pass\"}",
	};
	(void)state;
	struct review *r = review_of("json", lines, 4);
	struct strbuf sb;
	json_of(r, &sb);
	assert_non_null(strstr(sb.data, "\"eopguard\":{\"pass\":1,\"warn\":0,\"fail\":1}"));
	assert_non_null(strstr(sb.data, "\"finding\":\"chain-incomplete\",\"status\":\"milter-rejected\""));
	strbuf_free(&sb);
	review_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text_since_and_messages),
		cmocka_unit_test(test_bounded_table),
		cmocka_unit_test(test_real_sendmail_log),
		cmocka_unit_test(test_hostile_fields),
		cmocka_unit_test(test_cause_cache_compares_keys),
		cmocka_unit_test(test_overlong_line_counted_once),
		cmocka_unit_test(test_prefixed_and_headerless_lines),
		cmocka_unit_test(test_sendmail_rulesets_and_late_rejects),
		cmocka_unit_test(test_grouping_by_reason_and_unknown_sender),
		cmocka_unit_test(test_eopguard_json_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
