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
		if (can_fail && r == NULL)
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
	assert_true(ndr_table_len > 0);
	for (size_t i = 0; i < ndr_table_len; i++) {
		const struct ndr_record *r = &ndr_table[i];
		char enh[16];
		if (!isdigit((unsigned char)r->code[0]) || r->code[1] != '.')
			fail_msg("record %zu: bad code \"%s\"", i, r->code);
		if (!ndr_enhanced_with_class(r->reply, '4', enh, sizeof enh))
			fail_msg("record %zu: reply \"%s\" has no enhanced code", i, r->reply);
		if (strncmp(enh + 1, r->code + 1, strlen(r->code) - 1) != 0)
			fail_msg("record %zu: reply \"%s\" does not carry code %s", i, r->reply, r->code);
		if (r->meaning[0] == '\0' || r->owner[0] == '\0' || r->fix[0] == '\0')
			fail_msg("record %zu (%s): meaning, owner and fix are required", i, r->reply);
		char names[512];
		snprintf(names, sizeof names, "%s", r->predict);
		for (char *tok = strtok(names, " "); tok != NULL; tok = strtok(NULL, " ")) {
			enum finding_id id;
			if (!finding_by_name(tok, &id))
				fail_msg("record %zu predicts unknown finding \"%s\"", i, tok);
		}
	}
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
