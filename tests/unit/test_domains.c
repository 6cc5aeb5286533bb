/* Unit tests for domains.c: normalisation, accepted-domain sets, name matching. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "domains.h"

struct match_case {
	const char *name;
	const char *domain;
	bool want;
};

/* Set: contoso.com, *.contoso.com, fabrikam.example, *.eu.tailspin.test */
static struct domain_set *make_set(void)
{
	static const char *entries[] = { "contoso.com", "*.contoso.com", "FABRIKAM.example.",
		"*.eu.tailspin.test", "contoso.com" };
	char err[256];
	struct domain_set *set = domain_set_new();
	assert_non_null(set);
	for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++)
		assert_true(domain_set_add(set, entries[i], err, sizeof err));
	domain_set_seal(set);
	return set;
}

static void test_accepted_matching(void **state)
{
	static const struct match_case cases[] = {
		{ "exact", "contoso.com", true },
		{ "upper case", "CONTOSO.COM", true },
		{ "trailing dot", "contoso.com.", true },
		{ "two trailing dots", "contoso.com..", false },
		{ "wildcard one level", "eu.contoso.com", true },
		{ "wildcard deep", "a.eu.contoso.com", true },
		{ "look-alike suffix", "contoso.com.evil.example", false },
		{ "look-alike prefix", "xcontoso.com", false },
		{ "dash look-alike", "my-contoso.com", false },
		{ "entry added with dot and caps", "fabrikam.example", true },
		{ "no wildcard for fabrikam", "mail.fabrikam.example", false },
		{ "wildcard base not included", "eu.tailspin.test", false },
		{ "under wildcard base", "mx.eu.tailspin.test", true },
		{ "parent of wildcard base", "tailspin.test", false },
		{ "empty", "", false },
		{ "only dot", ".", false },
		{ "leading dot", ".contoso.com", false },
		{ "empty label", "eu..contoso.com", false },
		{ "space", "contoso .com", false },
		{ "8-bit", "cont\xc3\xb6so.com", false },
		{ "address literal", "[192.0.2.1]", false },
		{ "label of 64", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.contoso.com", false },
	};
	struct domain_set *set = make_set();
	(void)state;
	assert_int_equal(domain_set_count(set), 4);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool got = domain_is_accepted(set, cases[i].domain);
		if (got != cases[i].want)
			fail_msg("%s: domain_is_accepted(\"%s\") = %d, want %d", cases[i].name, cases[i].domain, got,
				 cases[i].want);
	}
	domain_set_free(set);
}

static void test_set_rejects_bad_entries(void **state)
{
	static const char *bad[] = { "*", "*.", "a.*.com", "**.com", "*com", "con toso.com", "", "a..b",
		"*.*.com", "ex%ample.com" };
	char err[256];
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct domain_set *set = domain_set_new();
		if (domain_set_add(set, bad[i], err, sizeof err))
			fail_msg("entry \"%s\" was accepted, want an error", bad[i]);
		assert_true(strlen(err) > 0);
		domain_set_free(set);
	}
	domain_set_free(NULL);
}

static void test_long_domain(void **state)
{
	char name[400];
	char out[DOMAIN_MAX + 1];
	const char *why = NULL;
	(void)state;
	/* 4 labels of 63 + 3 dots = 255 > 253 */
	memset(name, 'a', sizeof name);
	for (int i = 63; i < 255; i += 64)
		name[i] = '.';
	name[255] = '\0';
	assert_false(domain_normalize(name, strlen(name), out, &why));
	assert_string_equal(why, "domain longer than 253 characters");
	name[251] = '\0'; /* 252 chars */
	assert_true(domain_normalize(name, strlen(name), out, &why));
}

static void test_cert_name_rfc6125(void **state)
{
	static const struct { const char *pattern, *host; bool want; } cases[] = {
		{ "mail.contoso.com", "mail.contoso.com", true },
		{ "MAIL.contoso.com", "mail.CONTOSO.com.", true },
		{ "*.contoso.com", "mail.contoso.com", true },
		{ "*.contoso.com", "a.b.contoso.com", false },
		{ "*.contoso.com", "contoso.com", false },
		{ "*.com", "contoso.com", false },
		{ "m*.contoso.com", "mail.contoso.com", false },
		{ "mail.*.com", "mail.contoso.com", false },
		{ "*.contoso.com", "mail.contoso.com.evil.example", false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool got = domain_cert_name_matches(cases[i].pattern, cases[i].host);
		if (got != cases[i].want)
			fail_msg("cert name %s vs %s: got %d, want %d", cases[i].pattern, cases[i].host, got,
				 cases[i].want);
	}
}

static void test_connector_names(void **state)
{
	static const struct { const char *connector, *name; bool want; } cases[] = {
		{ "mail.contoso.com", "mail.contoso.com", true },
		{ "mail.contoso.com", "contoso.com", false },
		{ "*.contoso.com", "contoso.com", true },
		{ "*.contoso.com", "mail.contoso.com", true },
		{ "*.contoso.com", "a.b.contoso.com", true },
		{ "*.contoso.com", "xcontoso.com", false },
		{ "a.*.contoso.com", "a.b.contoso.com", false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool got = domain_connector_name_matches(cases[i].connector, cases[i].name);
		if (got != cases[i].want)
			fail_msg("connector %s vs %s: got %d, want %d", cases[i].connector, cases[i].name, got,
				 cases[i].want);
	}
	assert_string_equal(domain_parent("mail.contoso.com"), "contoso.com");
	assert_null(domain_parent("localhost"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted_matching),
		cmocka_unit_test(test_set_rejects_bad_entries),
		cmocka_unit_test(test_long_domain),
		cmocka_unit_test(test_cert_name_rfc6125),
		cmocka_unit_test(test_connector_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
