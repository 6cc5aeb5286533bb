/* Unit tests for addr.c: reverse-paths and From fields, including hostile input. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "addr.h"

struct path_case {
	const char *name;
	const char *in;
	bool want_ok;
	bool want_null;
	const char *want_domain;
};

static void test_paths(void **state)
{
	static const struct path_case cases[] = {
		{ "bracketed", "<user@Contoso.COM>", true, false, "contoso.com" },
		{ "bare", "user@contoso.com", true, false, "contoso.com" },
		{ "null", "<>", true, true, "" },
		{ "empty string", "", true, true, "" },
		{ "spaces around", "  <user@contoso.com>  ", true, false, "contoso.com" },
		{ "source route", "<@relay.example,@b.example:user@contoso.com>", true, false, "contoso.com" },
		{ "quoted local with @", "<\"a@b\"@contoso.com>", true, false, "contoso.com" },
		{ "trailing dot domain", "<u@contoso.com.>", true, false, "contoso.com" },
		{ "no at", "<user>", false, false, "" },
		{ "empty local", "<@contoso.com>", false, false, "" },
		{ "unbalanced", "<user@contoso.com", false, false, "" },
		{ "literal", "<user@[192.0.2.1]>", false, false, "" },
		/* forms Postfix relays as <a@contoso.test>: judged as relayed */
		{ "comment after the domain", "<a@contoso.test(c)>", true, false, "contoso.test" },
		{ "nested comment", "<a(x (y) z)@contoso.test>", true, false, "contoso.test" },
		{ "double brackets", "<<a@contoso.test>>", true, false, "contoso.test" },
		{ "quoted domain", "<a@\"contoso.test\">", true, false, "contoso.test" },
		{ "comment holding a domain", "<a@other.example(contoso.test)>", true, false, "other.example" },
		{ "parenthesis inside quotes is text", "<\"a(b\"@contoso.test>", true, false, "contoso.test" },
		{ "unterminated comment", "<a@contoso.test(c>", false, false, "" },
		{ "only a comment", "<(c)>", true, true, "" },
		{ "bracket inside", "<a<b@contoso.test>", false, false, "" },
		{ "unterminated quote", "<\"user@contoso.com>", false, false, "" },
		{ "CRLF inside", "<us\r\ner@contoso.com>", true, false, "contoso.com" },
		{ "CRLF in domain", "<user@contoso.com\r\nX: y>", false, false, "" },
		{ "8-bit domain", "<user@b\xc3\xbc" "cher.example>", false, false, "" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct path_case *c = &cases[i];
		struct addr_path p;
		const char *why = NULL;
		bool ok = addr_parse_path(c->in, &p, &why);
		if (ok != c->want_ok)
			fail_msg("%s: ok = %d, want %d (why: %s)", c->name, ok, c->want_ok, why ? why : "-");
		if (ok && p.null_sender != c->want_null)
			fail_msg("%s: null = %d, want %d", c->name, p.null_sender, c->want_null);
		if (ok && strcmp(p.domain, c->want_domain) != 0)
			fail_msg("%s: domain = \"%s\", want \"%s\"", c->name, p.domain, c->want_domain);
		if (!ok && why == NULL)
			fail_msg("%s: failure without a reason", c->name);
	}
}

static void test_long_path(void **state)
{
	char buf[2000];
	struct addr_path p;
	const char *why = NULL;
	(void)state;
	memset(buf, 'a', sizeof buf - 1);
	buf[sizeof buf - 1] = '\0';
	buf[100] = '@';
	assert_false(addr_parse_path(buf, &p, &why));
	assert_string_equal(why, "reverse-path longer than 256 characters");
	snprintf(buf, sizeof buf, "<%s@contoso.com>", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	assert_false(addr_parse_path(buf, &p, &why));
	assert_string_equal(why, "local part longer than 64 characters");
}

struct from_case {
	const char *name;
	const char *in;
	bool want_ok;
	size_t want_count;
	const char *want_domain;   /* first mailbox */
	const char *want_why;      /* for failures, NULL = any */
};

static void test_from(void **state)
{
	static const struct from_case cases[] = {
		{ "plain", "user@contoso.com", true, 1, "contoso.com", NULL },
		{ "angle", "<user@contoso.com>", true, 1, "contoso.com", NULL },
		{ "display name", "John Doe <john@Contoso.com>", true, 1, "contoso.com", NULL },
		{ "quoted name with specials", "\"Doe, John <x@y.z>\" <john@contoso.com>", true, 1, "contoso.com", NULL },
		{ "quoted pair", "\"a\\\"b\" <john@contoso.com>", true, 1, "contoso.com", NULL },
		{ "comments", "(c1) john (c2) @ (c3) contoso.com (c4)", true, 1, "contoso.com", NULL },
		{ "nested comments", "john@contoso.com (a (b (c)) d)", true, 1, "contoso.com", NULL },
		{ "folded", "John\r\n Doe\r\n\t<john@contoso.com>", true, 1, "contoso.com", NULL },
		{ "dotted local", "john.q.public@contoso.com", true, 1, "contoso.com", NULL },
		{ "obs phrase with dot", "John Q. Public <jqp@contoso.com>", true, 1, "contoso.com", NULL },
		{ "quoted local", "\"john doe\"@contoso.com", true, 1, "contoso.com", NULL },
		{ "obs route", "<@route.example:john@contoso.com>", true, 1, "contoso.com", NULL },
		{ "two mailboxes", "a@contoso.com, B <b@fabrikam.example>", true, 2, "contoso.com", NULL },
		{ "obs empty elements", ", ,a@contoso.com,,", true, 1, "contoso.com", NULL },
		{ "encoded word name", "=?utf-8?q?J=C3=B6rg?= <j@contoso.com>", true, 1, "contoso.com", NULL },
		{ "8-bit name", "J\xc3\xb6rg <j@contoso.com>", true, 1, "contoso.com", NULL },
		{ "empty", "", false, 0, NULL, "no address in From" },
		{ "only spaces", "   \r\n ", false, 0, NULL, "no address in From" },
		{ "name only", "Reports Daemon", false, 0, NULL, "no '@' in address" },
		{ "no domain", "john@", false, 0, NULL, "missing domain after '@'" },
		{ "empty angle", "John <>", false, 0, NULL, "empty angle address" },
		{ "unclosed angle", "John <john@contoso.com", false, 0, NULL, "missing '>' after address" },
		{ "unbalanced quote", "\"John <john@contoso.com>", false, 0, NULL, "unterminated quoted string" },
		{ "unbalanced comment", "john@contoso.com (oops", false, 0, NULL, "unterminated comment" },
		{ "stray paren", "john@contoso.com)", false, 0, NULL, NULL },
		{ "group", "Team: a@contoso.com, b@contoso.com;", false, 0, NULL, "group syntax is not allowed in From" },
		{ "empty group", "undisclosed-recipients:;", false, 0, NULL, "group with no mailbox" },
		{ "nested group", "A: B: c@d.e;;", false, 0, NULL, "group inside a group" },
		{ "literal domain", "john@[192.0.2.1]", false, 0, NULL, "address literal instead of a domain" },
		{ "double at", "a@b@contoso.com", false, 0, NULL, NULL },
		{ "junk after", "a@contoso.com junk", false, 0, NULL, "junk after address" },
		{ "brackets junk", "<<>>@@,,;;::", false, 0, NULL, NULL },
		{ "8-bit domain", "a@b\xc3\xbc.example", false, 0, NULL, "character not allowed in a domain name" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct from_case *c = &cases[i];
		struct addr_from f;
		const char *why = NULL;
		bool ok = addr_parse_from(c->in, strlen(c->in), &f, &why);
		if (ok != c->want_ok)
			fail_msg("%s: ok = %d, want %d (why: %s)", c->name, ok, c->want_ok, why ? why : "-");
		if (ok && (f.count != c->want_count || strcmp(f.mailbox[0].domain, c->want_domain) != 0))
			fail_msg("%s: count %zu domain %s, want %zu %s", c->name, f.count, f.mailbox[0].domain,
				 c->want_count, c->want_domain);
		if (!ok && why == NULL)
			fail_msg("%s: failure without a reason", c->name);
		if (!ok && c->want_why != NULL && strcmp(why, c->want_why) != 0)
			fail_msg("%s: why = \"%s\", want \"%s\"", c->name, why, c->want_why);
	}
}

static void test_from_nul_byte(void **state)
{
	static const char in[] = "john\0@contoso.com";
	struct addr_from f;
	const char *why = NULL;
	(void)state;
	assert_false(addr_parse_from(in, sizeof in - 1, &f, &why));
	assert_string_equal(why, "NUL byte in field");
}

/* 100 KB of hostile text must be handled linearly and without crashing. */
static void test_from_huge_inputs(void **state)
{
	const size_t n = 100 * 1024;
	char *buf = malloc(n + 32);
	struct addr_from f;
	const char *why = NULL;
	(void)state;
	assert_non_null(buf);
	memset(buf, '(', n);
	assert_false(addr_parse_from(buf, n, &f, &why));
	assert_string_equal(why, "unterminated comment");

	for (size_t i = 0; i < n; i++)
		buf[i] = i < n / 2 ? '(' : ')';
	memcpy(buf + n, " a@contoso.com", 14);
	assert_true(addr_parse_from(buf, n + 14, &f, &why));
	assert_string_equal(f.mailbox[0].domain, "contoso.com");

	memset(buf, '"', n);   /* 51,200 empty quoted strings: no address */
	why = NULL;
	assert_false(addr_parse_from(buf, n, &f, &why));
	assert_non_null(why);

	size_t whole = n - n % 6;   /* 17066 copies of "a@b.c," */
	for (size_t i = 0; i < whole; i++)
		buf[i] = "a@b.c,"[i % 6];
	assert_true(addr_parse_from(buf, whole, &f, &why));
	assert_int_equal(f.count, whole / 6);
	assert_false(addr_parse_from(buf, whole - 2, &f, &why));  /* ends "a@b." */

	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(i * 7 + 1);
	why = NULL;
	if (addr_parse_from(buf, n, &f, &why)) {
		for (size_t i = 0; i < f.count && i < ADDR_FROM_MAX; i++)
			assert_true(f.mailbox[i].domain[0] != '\0');
	} else {
		assert_non_null(why);
	}

	memset(buf, '<', n);
	assert_false(addr_parse_from(buf, n, &f, &why));
	memset(buf, 'a', n);
	buf[10] = '@';
	assert_false(addr_parse_from(buf, n, &f, &why));
	assert_string_equal(why, "domain longer than 253 characters");
	free(buf);
}

/* The address kept (for logs and headers) is the one the MTA relays. */
static void test_path_address_as_relayed(void **state)
{
	static const char *const forms[] = { "<a@contoso.test(c)>", "<<a@contoso.test>>", "<a@\"contoso.test\">",
					     " < a@contoso.test > " };
	(void)state;
	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		struct addr_path p;
		assert_true(addr_parse_path(forms[i], &p, NULL));
		if (strcmp(p.address, "a@contoso.test") != 0)
			fail_msg("%s: address \"%s\", want a@contoso.test", forms[i], p.address);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_path_address_as_relayed),
		cmocka_unit_test(test_long_path),
		cmocka_unit_test(test_from),
		cmocka_unit_test(test_from_nul_byte),
		cmocka_unit_test(test_from_huge_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
