/* Unit tests for strbuf.c: bounds and escaping. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "strbuf.h"

static void test_limit_truncates(void **state)
{
	struct strbuf sb;
	(void)state;
	strbuf_init(&sb, 5);
	strbuf_puts(&sb, "abc");
	assert_true(strbuf_ok(&sb));
	strbuf_puts(&sb, "defgh");
	assert_false(strbuf_ok(&sb));
	assert_string_equal(sb.data, "abcde");
	assert_int_equal(sb.len, 5);
	strbuf_reset(&sb);
	assert_string_equal(sb.data, "");
	strbuf_printf(&sb, "%d-%s", 42, "xyzxyz");
	assert_string_equal(sb.data, "42-xy");
	strbuf_free(&sb);
	assert_string_equal(sb.data, "");
}

static void test_printf_large(void **state)
{
	struct strbuf sb;
	char big[1000];
	(void)state;
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	strbuf_init(&sb, 4096);
	strbuf_printf(&sb, "[%s]", big);
	assert_int_equal(sb.len, 1001);
	assert_true(strbuf_ok(&sb));
	strbuf_free(&sb);
}

struct esc_case {
	const char *name;
	const char *in;
	size_t len;
	const char *text, *reply, *token, *json;
};

static void test_escapers(void **state)
{
	static const struct esc_case cases[] = {
		{ "plain", "abc", 3, "abc", "abc", "abc", "abc" },
		{ "percent", "50%", 3, "50%", "50%%", "50%", "50%" },
		{ "crlf", "a\r\nb", 4, "a\\x0d\\x0ab", "a\\x0d\\x0ab", "a\\x0d\\x0ab", "a\\u000d\\nb" },
		{ "space", "a b", 3, "a b", "a b", "a\\x20b", "a b" },
		{ "quote and backslash", "\"\\", 2, "\\\"\\\\", "\\\"\\\\", "\\\"\\\\", "\\\"\\\\" },
		{ "nul", "a\0b", 3, "a\\x00b", "a\\x00b", "a\\x00b", "a\\u0000b" },
		{ "utf8", "\xc3\xa9", 2, "\\xc3\\xa9", "\\xc3\\xa9", "\\xc3\\xa9", "\xc3\xa9" },
		{ "bad utf8", "\xff\xc3", 2, "\\xff\\xc3", "\\xff\\xc3", "\\xff\\xc3", "\\u00ff\\u00c3" },
		{ "overlong utf8", "\xc0\xaf", 2, "\\xc0\\xaf", "\\xc0\\xaf", "\\xc0\\xaf", "\\u00c0\\u00af" },
		{ "tab", "\t", 1, "\\x09", "\\x09", "\\x09", "\\t" },
		{ "C1 control U+0085", "a\xc2\x85" "b", 4, "a\\xc2\\x85b", "a\\xc2\\x85b", "a\\xc2\\x85b", "a\\u0085b" },
		{ "C1 control U+009F", "\xc2\x9f", 2, "\\xc2\\x9f", "\\xc2\\x9f", "\\xc2\\x9f", "\\u009f" },
		{ "U+00A0 is text", "\xc2\xa0", 2, "\\xc2\\xa0", "\\xc2\\xa0", "\\xc2\\xa0", "\xc2\xa0" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct esc_case *c = &cases[i];
		struct strbuf a, b, t, j;
		strbuf_init(&a, 100);
		strbuf_init(&b, 100);
		strbuf_init(&t, 100);
		strbuf_init(&j, 100);
		strbuf_put_text_escaped(&a, c->in, c->len);
		strbuf_put_reply_escaped(&b, c->in, c->len);
		strbuf_put_token_escaped(&t, c->in, c->len);
		strbuf_put_json_escaped(&j, c->in, c->len);
		if (strcmp(a.data, c->text) != 0)
			fail_msg("%s: text got \"%s\", want \"%s\"", c->name, a.data, c->text);
		if (strcmp(b.data, c->reply) != 0)
			fail_msg("%s: reply got \"%s\", want \"%s\"", c->name, b.data, c->reply);
		if (strcmp(t.data, c->token) != 0)
			fail_msg("%s: token got \"%s\", want \"%s\"", c->name, t.data, c->token);
		if (strcmp(j.data, c->json) != 0)
			fail_msg("%s: json got \"%s\", want \"%s\"", c->name, j.data, c->json);
		strbuf_free(&a);
		strbuf_free(&b);
		strbuf_free(&t);
		strbuf_free(&j);
	}
}

/* No escaper ever emits a control byte, whatever the input. */
static void test_escapers_never_emit_controls(void **state)
{
	char in[256];
	struct strbuf sb;
	(void)state;
	for (int i = 0; i < 256; i++)
		in[i] = (char)i;
	void (*fns[])(struct strbuf *, const char *, size_t) = { strbuf_put_text_escaped,
		strbuf_put_reply_escaped, strbuf_put_token_escaped };
	for (size_t f = 0; f < 3; f++) {
		strbuf_init(&sb, 4096);
		fns[f](&sb, in, sizeof in);
		assert_true(strbuf_ok(&sb));
		for (size_t k = 0; k < sb.len; k++) {
			unsigned char c = (unsigned char)sb.data[k];
			if (c < 0x20 || c >= 0x7f)
				fail_msg("escaper %zu emitted byte 0x%02x", f, c);
		}
		strbuf_free(&sb);
	}
}

/* Escaping into a fixed buffer: escaped, cut to fit, always terminated. */
static void test_escape_into(void **state)
{
	char out[8];
	(void)state;
	strbuf_escape_into(out, sizeof out, "a\r\nb", 4);
	assert_string_equal(out, "a\\x0d");   /* "a\x0d\x0ab" cut at 7 bytes */
	strbuf_escape_into(out, sizeof out, NULL, 5);
	assert_string_equal(out, "");
	strbuf_escape_into(out, sizeof out, "abcdefghijk", 11);
	assert_string_equal(out, "abcdefg");
}

/* Already-safe text for an SMTP reply: only '%' doubled. */
static void test_percent_doubled(void **state)
{
	struct strbuf sb;
	(void)state;
	strbuf_init(&sb, 100);
	strbuf_puts_percent_doubled(&sb, "50% of \\x0d \"q\"");
	assert_string_equal(sb.data, "50%% of \\x0d \"q\"");
	strbuf_free(&sb);
	strbuf_init(&sb, 5);
	strbuf_puts_percent_doubled(&sb, "%%%%%%");
	assert_string_equal(sb.data, "%%%%");   /* pairs only: a lone '%' would be a format */
	strbuf_free(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_into),
		cmocka_unit_test(test_percent_doubled),
		cmocka_unit_test(test_limit_truncates),
		cmocka_unit_test(test_printf_large),
		cmocka_unit_test(test_escapers),
		cmocka_unit_test(test_escapers_never_emit_controls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
