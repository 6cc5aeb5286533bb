/* Unit tests for msgcheck.c: the envelope sender and From checks in both modes. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "msgcheck.h"

/* A conf with only what msgcheck reads. */
static struct conf *make_conf(enum attribution_mode mode)
{
	char err[256];
	struct conf *c = calloc(1, sizeof *c);
	assert_non_null(c);
	c->tenant.accepted = domain_set_new();
	assert_true(domain_set_add(c->tenant.accepted, "contoso.test", err, sizeof err));
	assert_true(domain_set_add(c->tenant.accepted, "*.contoso.test", err, sizeof err));
	domain_set_seal(c->tenant.accepted);
	c->tenant.attribution = mode;
	return c;
}

struct mc_case {
	const char *name;
	enum attribution_mode mode;
	const char *sender;
	size_t from_count;
	const char *from;
	bool truncated;
	bool has_sender;
	enum sender_status want_sender;
	const char *want_sender_domain;
	enum from_status want_from;
	const char *want_findings;   /* "a,b" in order */
	const char *want_hint_part;  /* substring of some hint, or NULL */
};

static void test_cases(void **state)
{
	static const struct mc_case cases[] = {
		{ "all accepted", ATTRIBUTION_IP, "<a@contoso.test>", 1, "a@contoso.test", false, false,
		  SENDER_PASS, "contoso.test", FROM_PASS, "", NULL },
		{ "subdomain sender", ATTRIBUTION_IP, "<a@EU.Contoso.test>", 1, "a@contoso.test", false, false,
		  SENDER_PASS, "eu.contoso.test", FROM_PASS, "", NULL },
		{ "ip: sender not accepted", ATTRIBUTION_IP, "<a@other.example>", 1, "a@contoso.test", false, false,
		  SENDER_FAIL, "other.example", FROM_PASS, "sender-not-accepted", "envelope sender domain other.example is not" },
		{ "certificate: sender neutral", ATTRIBUTION_CERTIFICATE, "<a@other.example>", 1, "a@contoso.test",
		  false, false, SENDER_NEUTRAL, "other.example", FROM_PASS, "", NULL },
		{ "ip: null sender", ATTRIBUTION_IP, "<>", 1, "a@contoso.test", false, false,
		  SENDER_NULL, "", FROM_PASS, "null-sender", NULL },
		{ "certificate: null sender ok", ATTRIBUTION_CERTIFICATE, "<>", 1, "a@contoso.test", false, false,
		  SENDER_NULL, "", FROM_PASS, "", NULL },
		{ "ip: sender without domain", ATTRIBUTION_IP, "<root>", 1, "a@contoso.test", false, false,
		  SENDER_FAIL, "", FROM_PASS, "sender-not-accepted", "envelope sender <root> has no valid domain" },
		{ "ip: sender with a comment, as Postfix relays it", ATTRIBUTION_IP, "<a@contoso.test(c)>", 1,
		  "a@contoso.test", false, false, SENDER_PASS, "contoso.test", FROM_PASS, "", NULL },
		{ "ip: sender in double brackets", ATTRIBUTION_IP, "<<a@contoso.test>>", 1, "a@contoso.test", false,
		  false, SENDER_PASS, "contoso.test", FROM_PASS, "", NULL },
		{ "ip: sender with a quoted domain", ATTRIBUTION_IP, "<a@\"contoso.test\">", 1, "a@contoso.test", false,
		  false, SENDER_PASS, "contoso.test", FROM_PASS, "", NULL },
		{ "the 9th of 9 From mailboxes is checked", ATTRIBUTION_IP, "<a@contoso.test>", 1,
		  "a@contoso.test, b@contoso.test, c@contoso.test, d@contoso.test, e@contoso.test, f@contoso.test, "
		  "g@contoso.test, h@contoso.test, i@other.example", false, true,
		  SENDER_PASS, "contoso.test", FROM_WARN, "from-not-accepted", "From domain other.example" },
		{ "33 From mailboxes are reported as too many", ATTRIBUTION_IP, "<a@contoso.test>", 1,
		  "a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,"
		  "a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,"
		  "a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,"
		  "a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,"
		  "a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,a@contoso.test,"
		  "a@contoso.test,a@contoso.test,a@other.example", false, true,
		  SENDER_PASS, "contoso.test", FROM_INVALID, "from-invalid", "more than 32 mailboxes in From" },
		{ "ip: hostile sender escaped", ATTRIBUTION_IP, "<x\r\n%@>", 1, "a@contoso.test", false, false,
		  SENDER_FAIL, "", FROM_PASS, "sender-not-accepted", "<x\\x0d\\x0a%@>" },
		{ "look-alike sender", ATTRIBUTION_IP, "<a@contoso.test.evil.example>", 1, "a@contoso.test", false,
		  false, SENDER_FAIL, "contoso.test.evil.example", FROM_PASS, "sender-not-accepted", NULL },
		{ "From missing", ATTRIBUTION_IP, "<a@contoso.test>", 0, NULL, false, false,
		  SENDER_PASS, "contoso.test", FROM_MISSING, "from-missing", NULL },
		{ "two From", ATTRIBUTION_IP, "<a@contoso.test>", 2, "a@contoso.test", false, false,
		  SENDER_PASS, "contoso.test", FROM_INVALID, "from-invalid", "the message has 2 From fields" },
		{ "From truncated", ATTRIBUTION_IP, "<a@contoso.test>", 1, "a@contoso.test", true, false,
		  SENDER_PASS, "contoso.test", FROM_INVALID, "from-invalid", "From field too long" },
		{ "From several mailboxes no Sender", ATTRIBUTION_IP, "<a@contoso.test>", 1,
		  "a@contoso.test, b@contoso.test", false, false, SENDER_PASS, "contoso.test", FROM_INVALID,
		  "from-invalid", "several mailboxes in From but no Sender field" },
		{ "From several mailboxes with Sender", ATTRIBUTION_IP, "<a@contoso.test>", 1,
		  "a@contoso.test, b@contoso.test", false, true, SENDER_PASS, "contoso.test", FROM_PASS, "", NULL },
		{ "From not accepted", ATTRIBUTION_CERTIFICATE, "<a@contoso.test>", 1, "App <app@vendor.example>",
		  false, false, SENDER_PASS, "contoso.test", FROM_WARN, "from-not-accepted", "From domain vendor.example" },
		{ "second From mailbox not accepted", ATTRIBUTION_CERTIFICATE, "<a@contoso.test>", 1,
		  "a@contoso.test, b@vendor.example", false, true, SENDER_PASS, "contoso.test", FROM_WARN,
		  "from-not-accepted", "vendor.example" },
		{ "everything wrong", ATTRIBUTION_IP, "<a@x.example>", 3, "a@contoso.test", false, false,
		  SENDER_FAIL, "x.example", FROM_INVALID, "sender-not-accepted,from-invalid", NULL },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct mc_case *c = &cases[i];
		struct conf *conf = make_conf(c->mode);
		struct msg_input in = { c->sender, c->from_count, c->from, c->from ? strlen(c->from) : 0,
					c->truncated, c->has_sender };
		struct finding_list list;
		struct msg_result res;
		finding_list_clear(&list);
		msgcheck_run(conf, &in, &list, &res);
		char names[256] = "";
		bool hint_found = c->want_hint_part == NULL;
		for (size_t k = 0; k < list.count; k++) {
			strcat(names, k ? "," : "");
			strcat(names, finding_info(list.items[k].id)->name);
			if (c->want_hint_part && strstr(list.items[k].hint, c->want_hint_part))
				hint_found = true;
			for (const char *h = list.items[k].hint; *h; h++)
				if (*h < 0x20 || *h >= 0x7f)
					fail_msg("%s: hint has a control byte", c->name);
		}
		if (res.sender != c->want_sender || strcmp(res.sender_domain, c->want_sender_domain) != 0)
			fail_msg("%s: sender %s (%s), want %s (%s)", c->name, sender_status_name(res.sender),
				 res.sender_domain, sender_status_name(c->want_sender), c->want_sender_domain);
		if (res.from != c->want_from)
			fail_msg("%s: from %s, want %s", c->name, from_status_name(res.from), from_status_name(c->want_from));
		if (strcmp(names, c->want_findings) != 0)
			fail_msg("%s: findings \"%s\", want \"%s\"", c->name, names, c->want_findings);
		if (!hint_found)
			fail_msg("%s: no hint contains \"%s\"", c->name, c->want_hint_part);
		domain_set_free(conf->tenant.accepted);
		free(conf);
	}
}

/* Several tenants: which one judges a message, one of none, recipients of two. */
static void test_several_tenants(void **state)
{
	(void)state;
	char path[] = "/tmp/eopguard-msgcheck.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = "user = \"\"\n"
		"tenant contoso { accepted_domains = {\"contoso.test\", \"*.contoso.test\"} attribution = \"ip\" }\n"
		"tenant fabrikam { accepted_domains = {\"fabrikam.test\"} certificate_domain = \"mail.fabrikam.test\" }\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	char err[CONF_ERR_MAX];
	struct conf *conf = NULL;
	bool loaded = conf_load(path, &conf, err, sizeof err);
	unlink(path);
	if (!loaded)
		fail_msg("%s", err);
	struct msg_input by_sender = { "<a@eu.contoso.test>", 1, "x@fabrikam.test", 15, false, false };
	assert_int_equal(msgcheck_tenant(conf, &by_sender), 0);
	struct msg_input by_from = { "<bounce@mailer.example>", 1, "News <n@fabrikam.test>", 22, false, false };
	assert_int_equal(msgcheck_tenant(conf, &by_from), 1);
	struct msg_input null_from = { "<>", 1, "n@fabrikam.test", 15, false, false };
	assert_int_equal(msgcheck_tenant(conf, &null_from), 1);
	struct msg_input none = { "<a@other.example>", 1, "a@other.example", 15, false, false };
	assert_int_equal(msgcheck_tenant(conf, &none), -1);
	struct msg_input hostile = { "<\r\n%@>", 2, "a@fabrikam.test", 15, false, false };
	assert_int_equal(msgcheck_tenant(conf, &hostile), -1);   /* two From fields: not taken from them */

	/* a message of no tenant: tenant-unknown with both domains, nothing about tenant 0's domains */
	struct finding_list list;
	struct msg_result res;
	finding_list_clear(&list);
	msgcheck_run_no_tenant(conf, &none, &list, &res);
	assert_int_equal(list.count, 1);
	assert_int_equal(list.items[0].id, FINDING_TENANT_UNKNOWN);
	assert_int_equal(list.items[0].severity, SEVERITY_FAIL);
	assert_non_null(strstr(list.items[0].hint, "envelope sender domain other.example and From domain other.example"));
	assert_int_equal(res.sender, SENDER_FAIL);
	assert_int_equal(res.from, FROM_WARN);

	/* recipients: one tenant's (and outsiders) are fine; two tenants' give recipients-multi-tenant */
	struct rcpt_tenants rt;
	memset(&rt, 0, sizeof rt);
	msgcheck_note_recipient(conf, "<a@contoso.test>", &rt);
	msgcheck_note_recipient(conf, "<b@eu.contoso.test>", &rt);
	msgcheck_note_recipient(conf, "<c@gmail.example>", &rt);
	msgcheck_note_recipient(conf, "<\001bad>", &rt);
	msgcheck_note_recipient(conf, NULL, &rt);
	finding_list_clear(&list);
	msgcheck_recipients(conf, &rt, &list);
	assert_int_equal(list.count, 0);
	msgcheck_note_recipient(conf, "<d@FABRIKAM.test>", &rt);
	msgcheck_recipients(conf, &rt, &list);
	assert_int_equal(list.count, 1);
	assert_int_equal(list.items[0].id, FINDING_RECIPIENTS_MULTI_TENANT);
	assert_int_equal(list.items[0].severity, SEVERITY_FAIL);
	assert_non_null(strstr(list.items[0].hint, "recipients in tenant contoso (contoso.test) and tenant fabrikam (fabrikam.test)"));
	conf_free(conf);

	/* one tenant: always tenant 0, recipients never noted */
	struct conf *one = make_conf(ATTRIBUTION_IP);
	one->n_tenants = 1;
	assert_int_equal(msgcheck_tenant(one, &none), 0);
	memset(&rt, 0, sizeof rt);
	msgcheck_note_recipient(one, "<a@contoso.test>", &rt);
	assert_int_equal(rt.mask, 0);
	domain_set_free(one->tenant.accepted);
	free(one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_several_tenants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
