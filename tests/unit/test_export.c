/* Unit tests for export.c: tenant exports as PowerShell writes them, odd forms and broken ones. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "export.h"

/* As export-tenant.ps1 writes it (string enums, lists as arrays). */
static const char full[] =
	"{\n"
	"  \"ExportedAt\": \"2026-11-30T10:00:00.1234567+01:00\",\n"
	"  \"AcceptedDomains\": [\n"
	"    { \"DomainName\": \"Contoso.com\", \"DomainType\": \"Authoritative\", \"MatchSubDomains\": false,\n"
	"      \"SendingFromDomainDisabled\": false, \"Default\": true },\n"
	"    { \"DomainName\": \"fabrikam.example\", \"DomainType\": \"InternalRelay\", \"MatchSubDomains\": true,\n"
	"      \"SendingFromDomainDisabled\": false },\n"
	"    { \"DomainName\": \"old.contoso.com\", \"DomainType\": \"Authoritative\",\n"
	"      \"SendingFromDomainDisabled\": true }\n"
	"  ],\n"
	"  \"InboundConnectors\": [\n"
	"    { \"Name\": \"Relay\", \"Enabled\": true, \"ConnectorType\": \"OnPremises\",\n"
	"      \"TlsSenderCertificateName\": \"*.contoso.com\", \"SenderDomains\": [\"smtp:*;1\"],\n"
	"      \"SenderIPAddresses\": [\"192.0.2.10\", \"198.51.100.0/24\"], \"Unknown\": {\"x\": 1} },\n"
	"    { \"Name\": \"Partner\", \"Enabled\": true, \"ConnectorType\": \"Partner\",\n"
	"      \"TlsSenderCertificateName\": \"mail.partner.example\", \"SenderDomains\": [\"partner.example\"] },\n"
	"    { \"Name\": \"Old\", \"Enabled\": false, \"ConnectorType\": \"OnPremises\",\n"
	"      \"TlsSenderCertificateName\": \"relay.old.example\" }\n"
	"  ],\n"
	"  \"OrganizationConfig\": { \"RejectDirectSend\": true },\n"
	"  \"TransportConfig\": { \"SmtpClientAuthenticationDisabled\": true }\n"
	"}\n";

static struct tenant_export *parse_ok(const char *data, size_t len)
{
	struct tenant_export *e = NULL;
	char err[EXPORT_ERR_MAX];
	if (!export_parse(data, len, "t.json", &e, err, sizeof err))
		fail_msg("parse failed: %s", err);
	return e;
}

static void test_full_export(void **state)
{
	(void)state;
	struct tenant_export *e = parse_ok(full, sizeof full - 1);
	assert_int_equal(e->exported_at, 1796029200);   /* 2026-11-30T09:00:00Z */
	assert_int_equal(e->n_domains, 3);
	assert_string_equal(e->domains[0].name, "contoso.com");
	assert_int_equal(e->domains[0].type, EXPORT_AUTHORITATIVE);
	assert_int_equal(e->domains[1].type, EXPORT_INTERNAL_RELAY);
	assert_true(e->domains[1].match_subdomains);
	assert_true(e->domains[2].sending_disabled);
	assert_int_equal(e->n_connectors, 3);
	assert_true(e->connectors[0].on_premises);
	assert_string_equal(e->connectors[0].cert_name, "*.contoso.com");
	assert_int_equal(e->connectors[0].n_ips, 2);
	assert_string_equal(e->connectors[0].ips[1], "198.51.100.0/24");
	assert_false(e->connectors[1].on_premises);
	assert_false(e->connectors[2].enabled);
	assert_int_equal(e->reject_direct_send, 1);
	assert_int_equal(e->smtp_auth_disabled, 1);
	/* connector matching: enabled OnPremises only; a disabled or Partner match is reported apart */
	const struct export_connector *dis = NULL;
	const struct export_connector *c = export_connector_for(e, "mail.contoso.com", &dis);
	assert_non_null(c);
	assert_string_equal(c->name, "Relay");
	assert_null(export_connector_for(e, "relay.old.example", &dis));
	assert_non_null(dis);
	assert_string_equal(dis->name, "Old");
	assert_null(export_connector_for(e, "mail.partner.example", &dis));
	assert_string_equal(dis->name, "Partner");
	assert_null(export_connector_for(e, "mail.other.example", &dis));
	assert_null(dis);
	export_free(e);
}

/* One domain and one connector as bare objects, numeric enums, null certificate name, /Date()/ time. */
static void test_odd_forms(void **state)
{
	static const char odd[] =
		"[{\"ExportedAt\":\"/Date(1796000000000)/\",\n"
		" \"AcceptedDomains\":{\"domainname\":\"contoso.com\",\"DomainType\":2,\"MatchSubDomains\":\"True\"},\n"
		" \"InboundConnectors\":{\"Name\":\"Relay\",\"Enabled\":\"True\",\"ConnectorType\":2,\n"
		"   \"TlsSenderCertificateName\":null,\"SenderIPAddresses\":\"192.0.2.1\"},\n"
		" \"OrganizationConfig\":{}}]";
	(void)state;
	struct tenant_export *e = parse_ok(odd, sizeof odd - 1);
	assert_int_equal(e->exported_at, 1796000000);
	assert_int_equal(e->n_domains, 1);
	assert_int_equal(e->domains[0].type, EXPORT_INTERNAL_RELAY);
	assert_true(e->domains[0].match_subdomains);
	assert_int_equal(e->n_connectors, 1);
	assert_true(e->connectors[0].on_premises);
	assert_true(e->connectors[0].enabled);
	assert_string_equal(e->connectors[0].cert_name, "");
	assert_int_equal(e->connectors[0].n_ips, 1);
	assert_int_equal(e->reject_direct_send, -1);
	assert_int_equal(e->smtp_auth_disabled, -1);
	export_free(e);
}

/* UTF-8 with a BOM, UTF-16 LE and BE (with BOM) and UTF-16 LE without: the same export. */
static void test_encodings(void **state)
{
	(void)state;
	size_t n = sizeof full - 1;
	char *buf = malloc(2 * n + 4);
	assert_non_null(buf);
	memcpy(buf, "\xef\xbb\xbf", 3);
	memcpy(buf + 3, full, n);
	struct tenant_export *e = parse_ok(buf, n + 3);
	assert_int_equal(e->n_connectors, 3);
	export_free(e);
	for (int be = 0; be <= 1; be++) {
		for (int bom = 0; bom <= 1; bom++) {
			size_t len = 0;
			if (bom) {
				buf[len++] = be ? '\xfe' : '\xff';
				buf[len++] = be ? '\xff' : '\xfe';
			}
			for (size_t i = 0; i < n; i++) {
				buf[len++] = be ? 0 : full[i];
				buf[len++] = be ? full[i] : 0;
			}
			e = parse_ok(buf, len);
			assert_int_equal(e->n_domains, 3);
			assert_string_equal(e->connectors[0].cert_name, "*.contoso.com");
			export_free(e);
		}
	}
	free(buf);
}

struct bad_case {
	const char *name, *text, *want;
};

static void test_broken(void **state)
{
	static const struct bad_case cases[] = {
		{ "truncated", "{\n \"AcceptedDomains\": [\n  {\"DomainName\": \"c.com\"", "t.json:3:" },
		{ "truncated says why", "{\"AcceptedDomains\": [", "the text ends too early" },
		{ "syntax", "{\n\n  \"AcceptedDomains\": [}", "t.json:3:" },
		{ "trailing", "{\"AcceptedDomains\":[]} x", "text after the end of the export" },
		{ "not an export", "{\"Name\": \"x\"}", "not a tenant export" },
		{ "a number", "42", "not a tenant export" },
		{ "bad domain", "{\"AcceptedDomains\":[{\"DomainName\":\"a b\"}]}", "'a b' is not a domain" },
		{ "no domain name", "{\"AcceptedDomains\":[{\"DomainType\":\"Authoritative\"}]}", "AcceptedDomains[0] has no DomainName" },
		{ "connector type", "{\"InboundConnectors\":[{\"Name\":\"R\",\"ConnectorType\":{}}]}", "ConnectorType is missing" },
		{ "hostile name", "{\"InboundConnectors\":[{\"Name\":\"R\\u001b[2J\",\"ConnectorType\":\"Bogus\"}]}", "R\\x1b[2J" },
		{ "empty", "", "t.json:1:1: malformed JSON" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct tenant_export *e = NULL;
		char err[EXPORT_ERR_MAX] = "";
		bool ok = export_parse(cases[i].text, strlen(cases[i].text), "t.json", &e, err, sizeof err);
		if (strcmp(cases[i].name, "hostile name") == 0) {
			/* an unknown type is a Partner connector, not an error; the name is escaped */
			assert_true(ok);
			assert_string_equal(e->connectors[0].name, "R\\x1b[2J");
			assert_false(e->connectors[0].on_premises);
			export_free(e);
			continue;
		}
		if (ok)
			fail_msg("%s: parsed", cases[i].name);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("%s: error \"%s\", want \"%s\"", cases[i].name, err, cases[i].want);
		if (strstr(err, "export") == NULL)
			fail_msg("%s: the error does not say how to export again: %s", cases[i].name, err);
	}
}

static void test_missing_file(void **state)
{
	struct tenant_export *e = NULL;
	char err[EXPORT_ERR_MAX];
	(void)state;
	assert_false(export_load("/nonexistent/tenant.json", &e, err, sizeof err));
	assert_string_equal(err, "/nonexistent/tenant.json: cannot open the tenant export: No such file or directory");
	assert_false(export_load("/dev/null", &e, err, sizeof err));
	assert_non_null(strstr(err, "must be a regular file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_export),
		cmocka_unit_test(test_odd_forms),
		cmocka_unit_test(test_encodings),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
