/*
 * Unit tests for tlsid.c and route.c: every identity finding from a real
 * certificate fixture made at test time by tests/certs/mkcerts.sh.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "route.h"
#include "export.h"
#include "tlsid.h"

static char dir[] = "/tmp/eopguard-certs.XXXXXX";

static int setup(void **state)
{
	char cmd[1024];
	const char *top = getenv("top_srcdir");
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof cmd, "sh '%s/tests/certs/mkcerts.sh' '%s' >/dev/null", top ? top : ".", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd);
}

/* A conf with only what tlsid reads; paths relative to the fixture dir. */
struct fixture {
	struct conf c;
	char cert[512], key[512], chain[512], ca[512], server[512];
};

static void make_conf(struct fixture *f, enum attribution_mode mode, const char *cert, const char *key,
		      const char *certificate_domain)
{
	char err[256];
	memset(f, 0, sizeof *f);
	f->c.tenant.accepted = domain_set_new();
	assert_true(domain_set_add(f->c.tenant.accepted, "contoso.test", err, sizeof err));
	domain_set_seal(f->c.tenant.accepted);
	f->c.tenant.attribution = mode;
	f->c.tenant.certificate_domain = (char *)certificate_domain;
	f->c.tenant.smarthost = (char *)"";
	snprintf(f->cert, sizeof f->cert, "%s/%s", dir, cert);
	if (cert[0] == '\0')
		f->cert[0] = '\0';
	snprintf(f->key, sizeof f->key, "%s/%s", dir, key);
	if (key[0] == '\0')
		f->key[0] = '\0';
	snprintf(f->ca, sizeof f->ca, "%s/root.pem", dir);
	f->c.identity.client_cert = f->cert;
	f->c.identity.client_key = f->key;
	f->c.identity.client_chain = f->chain;
	f->c.identity.ca_file = f->ca;
	f->c.identity.ca_path = (char *)"";
	f->c.identity.server_cert = f->server;
	f->c.identity.server_name = (char *)"";
	f->c.identity.expiry_warning_days = 21;
}

static void free_conf(struct fixture *f)
{
	domain_set_free(f->c.tenant.accepted);
}

/* "a,b" of the findings in a list. */
static void names_of(const struct finding_list *l, char *out, size_t len)
{
	out[0] = '\0';
	for (size_t i = 0; i < l->count; i++) {
		strncat(out, i ? "," : "", len - strlen(out) - 1);
		strncat(out, finding_info(l->items[i].id)->name, len - strlen(out) - 1);
	}
}

struct id_case {
	const char *name;
	enum attribution_mode mode;
	const char *cert, *key, *certificate_domain;
	const char *want;          /* findings in order, "" for none */
	const char *hint_part;     /* substring of the first finding's hint */
};

static void test_fixtures(void **state)
{
	static const struct id_case cases[] = {
		{ "good chain", ATTRIBUTION_CERTIFICATE, "good.pem", "good.key", "mail.contoso.test", "", NULL },
		{ "rsa 2048", ATTRIBUTION_CERTIFICATE, "rsa.pem", "rsa.key", "mail.contoso.test", "", NULL },
		{ "key in the same file", ATTRIBUTION_CERTIFICATE, "combined.pem", "", "*.contoso.test",
		  "key-permissions", "readable by everyone" },
		{ "leaf without intermediate", ATTRIBUTION_CERTIFICATE, "noint.pem", "good.key", "mail.contoso.test",
		  "chain-incomplete", "the issuer CN=Contoso Test Issuing CA 1 of CN=mail.contoso.test is neither sent" },
		{ "AIA URL named", ATTRIBUTION_CERTIFICATE, "noint.pem", "good.key", "mail.contoso.test",
		  "chain-incomplete", "http://pki.contoso.test/int.crt" },
		{ "expired leaf", ATTRIBUTION_CERTIFICATE, "expired.pem", "good.key", "mail.contoso.test",
		  "cert-expired", "expired on 2021-01-01" },
		{ "not yet valid", ATTRIBUTION_CERTIFICATE, "notyet.pem", "good.key", "mail.contoso.test",
		  "cert-not-yet-valid", "valid only from 2098-01-01" },
		{ "expiring", ATTRIBUTION_CERTIFICATE, "expiring.pem", "good.key", "mail.contoso.test",
		  "cert-expiring", "expires on" },
		{ "expired intermediate", ATTRIBUTION_CERTIFICATE, "int-expired-chain.pem", "good.key", "mail.contoso.test",
		  "cert-expired", "the chain certificate CN=Contoso Expired Issuing CA" },
		{ "wrong names", ATTRIBUTION_CERTIFICATE, "wrongname.pem", "good.key", "mail.contoso.test",
		  "name-mismatch", "matches none of the certificate's names: other.example, www.other.example" },
		{ "wildcard cert for a host connector", ATTRIBUTION_CERTIFICATE, "wildcard.pem", "good.key",
		  "mail.contoso.test", "", NULL },
		{ "wildcard cert too narrow (and b.contoso.test not accepted)", ATTRIBUTION_CERTIFICATE, "wildcard.pem",
		  "good.key", "a.b.contoso.test", "cert-domain-not-accepted,name-mismatch", NULL },
		{ "wildcard connector", ATTRIBUTION_CERTIFICATE, "good.pem", "good.key", "*.contoso.test", "", NULL },
		{ "CN when no SAN", ATTRIBUTION_CERTIFICATE, "cnonly.pem", "good.key", "mail.contoso.test", "", NULL },
		{ "self-signed", ATTRIBUTION_CERTIFICATE, "selfsigned.pem", "selfsigned.key", "mail.contoso.test",
		  "self-signed", "is self-signed" },
		{ "untrusted root", ATTRIBUTION_CERTIFICATE, "untrusted.pem", "good.key", "mail.contoso.test",
		  "chain-untrusted", "CN=Untrusted Root" },
		{ "weak key", ATTRIBUTION_CERTIFICATE, "weakkey.pem", "weakkey.key", "mail.contoso.test",
		  "weak-key", "1024 bits" },
		{ "sha1", ATTRIBUTION_CERTIFICATE, "sha1.pem", "good.key", "mail.contoso.test", "weak-signature", "SHA1" },
		{ "server auth only", ATTRIBUTION_CERTIFICATE, "serveronly.pem", "good.key", "mail.contoso.test",
		  "eku-no-clientauth", NULL },
		{ "mismatched key", ATTRIBUTION_CERTIFICATE, "good.pem", "mismatch.key", "mail.contoso.test",
		  "key-mismatch", "does not belong to the certificate" },
		{ "no key at all", ATTRIBUTION_CERTIFICATE, "good.pem", "", "mail.contoso.test", "key-mismatch",
		  "no private key in" },
		{ "out of order chain still builds", ATTRIBUTION_CERTIFICATE, "outoforder.pem", "good.key",
		  "mail.contoso.test", "", NULL },
		{ "garbage PEM", ATTRIBUTION_CERTIFICATE, "garbage.pem", "good.key", "mail.contoso.test",
		  "cert-unreadable", "a CERTIFICATE block is corrupt" },
		{ "empty file", ATTRIBUTION_CERTIFICATE, "empty.pem", "good.key", "mail.contoso.test",
		  "cert-unreadable", "the file is empty" },
		{ "DER file", ATTRIBUTION_CERTIFICATE, "leaf.der", "good.key", "mail.contoso.test",
		  "cert-unreadable", "it is DER" },
		{ "a directory", ATTRIBUTION_CERTIFICATE, "adir", "good.key", "mail.contoso.test",
		  "cert-unreadable", "is a directory" },
		{ "missing file", ATTRIBUTION_CERTIFICATE, "nope.pem", "good.key", "mail.contoso.test",
		  "cert-missing", "does not exist" },
		{ "missing key file", ATTRIBUTION_CERTIFICATE, "good.pem", "nope.key", "mail.contoso.test",
		  "cert-missing", "identity.client_key" },
		{ "no cert configured", ATTRIBUTION_CERTIFICATE, "", "", "mail.contoso.test", "cert-missing",
		  "identity.client_cert is empty" },
		{ "connector domain not accepted", ATTRIBUTION_CERTIFICATE, "good.pem", "good.key",
		  "mail.sub.contoso.test", "cert-domain-not-accepted,name-mismatch", "add sub.contoso.test" },
		{ "ip mode: no cert needed", ATTRIBUTION_IP, "", "", "", "", NULL },
		{ "ip mode: bad chain only warns", ATTRIBUTION_IP, "noint.pem", "good.key", "", "chain-incomplete", NULL },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct id_case *c = &cases[i];
		struct fixture f;
		struct finding_list list;
		struct check_report report = { 0 };
		char got[512];
		make_conf(&f, c->mode, c->cert, c->key, c->certificate_domain);
		finding_list_clear(&list);
		tlsid_check(&f.c, time(NULL), &tlsid_direct_reader, &list, &report, NULL);
		names_of(&list, got, sizeof got);
		if (strcmp(got, c->want) != 0)
			fail_msg("%s: findings \"%s\", want \"%s\"", c->name, got, c->want);
		if (c->hint_part != NULL && strstr(list.items[0].hint, c->hint_part) == NULL)
			fail_msg("%s: hint \"%s\" lacks \"%s\"", c->name, list.items[0].hint, c->hint_part);
		if (c->mode == ATTRIBUTION_IP && list.count > 0 && list.items[0].severity != SEVERITY_WARN)
			fail_msg("%s: certificate findings must only warn in ip mode", c->name);
		for (size_t k = 0; k < list.count; k++) {
			bool listed = false;
			for (size_t r = 0; r < report.count; r++)
				listed |= strcmp(report.lines[r].name, finding_info(list.items[k].id)->name) == 0;
			if (!listed)
				fail_msg("%s: finding %s missing from the report", c->name, finding_info(list.items[k].id)->name);
		}
		free_conf(&f);
	}
}

static void test_chain_file_and_order_warnings(void **state)
{
	struct fixture f;
	struct finding_list list;
	struct check_report report = { 0 };
	(void)state;
	make_conf(&f, ATTRIBUTION_CERTIFICATE, "noint.pem", "good.key", "mail.contoso.test");
	snprintf(f.chain, sizeof f.chain, "%s/int.pem", dir);
	finding_list_clear(&list);
	tlsid_check(&f.c, time(NULL), &tlsid_direct_reader, &list, &report, NULL);
	assert_int_equal(list.count, 0);   /* the chain file completes the chain */
	free_conf(&f);
	make_conf(&f, ATTRIBUTION_CERTIFICATE, "outoforder.pem", "good.key", "mail.contoso.test");
	memset(&report, 0, sizeof report);
	tlsid_check(&f.c, time(NULL), &tlsid_direct_reader, &list, &report, NULL);
	bool order = false, root = false;
	for (size_t r = 0; r < report.count; r++) {
		order |= strcmp(report.lines[r].name, "chain-order") == 0 && report.lines[r].status == CHECK_WARN;
		root |= strcmp(report.lines[r].name, "chain-root-sent") == 0 && report.lines[r].status == CHECK_WARN;
	}
	assert_true(order);
	assert_true(root);
	free_conf(&f);
}

static void test_server_side(void **state)
{
	struct fixture f;
	struct finding_list list;
	(void)state;
	make_conf(&f, ATTRIBUTION_IP, "", "", "");
	snprintf(f.server, sizeof f.server, "%s/server-selfsigned.pem", dir);
	f.c.identity.server_name = (char *)"hybrid.domain.com";
	finding_list_clear(&list);
	tlsid_check(&f.c, time(NULL), &tlsid_direct_reader, &list, NULL, NULL);
	assert_int_equal(list.count, 1);
	assert_int_equal(list.items[0].id, FINDING_SERVER_NAME_MISMATCH);
	assert_int_equal(list.items[0].severity, SEVERITY_FAIL);
	assert_non_null(strstr(list.items[0].hint, "it names SERVER1, SERVER1.domain.com"));
	f.c.identity.server_name = (char *)"server1.domain.com";
	finding_list_clear(&list);
	tlsid_check(&f.c, time(NULL), &tlsid_direct_reader, &list, NULL, NULL);
	assert_int_equal(list.count, 0);
	snprintf(f.server, sizeof f.server, "%s/expired.pem", dir);
	f.c.identity.server_name = (char *)"mail.contoso.test";
	finding_list_clear(&list);
	tlsid_check(&f.c, time(NULL), &tlsid_direct_reader, &list, NULL, NULL);
	assert_int_equal(list.count, 1);
	assert_int_equal(list.items[0].id, FINDING_SERVER_CERT_EXPIRED);
	free_conf(&f);
}

/* A reader as the unprivileged daemon sees a root-only file. */
static void denied_read(void *ctx, const char *path, struct tlsid_file *out)
{
	(void)ctx; (void)path;
	memset(out, 0, sizeof *out);
	out->err = EACCES;
}

static void test_unreadable_is_not_a_failure(void **state)
{
	struct fixture f;
	struct finding_list list;
	struct check_report report = { 0 };
	const struct tlsid_reader denied = { denied_read, NULL };
	(void)state;
	make_conf(&f, ATTRIBUTION_CERTIFICATE, "good.pem", "good.key", "mail.contoso.test");
	finding_list_clear(&list);
	struct tlsid_result result;
	tlsid_check(&f.c, time(NULL), &denied, &list, &report, &result);
	assert_int_equal(list.count, 0);
	assert_true(result.unverified);
	assert_int_equal(result.internal_errno, 0);
	if (strstr(result.unverified_reason, "eopguard may not read it") == NULL)
		fail_msg("reason: %s", result.unverified_reason);
	bool warned = false;
	for (size_t r = 0; r < report.count; r++)
		warned |= strcmp(report.lines[r].name, "identity-unverified") == 0;
	assert_true(warned);
	free_conf(&f);
}

/* A reader that fails as a process out of descriptors, or with its helper gone, does. */
static void internal_error_read(void *ctx, const char *path, struct tlsid_file *out)
{
	(void)path;
	memset(out, 0, sizeof *out);
	out->err = *(const int *)ctx;
}

/* EMFILE, ENOMEM and a lost helper are internal errors: reported as such, never a finding. */
static void test_internal_error_is_not_a_finding(void **state)
{
	static const int errors[] = { EMFILE, ENFILE, ENOMEM, ECONNRESET };
	(void)state;
	for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
		struct fixture f;
		struct finding_list list;
		struct check_report report = { 0 };
		const struct tlsid_reader failing = { internal_error_read, (void *)&errors[i] };
		make_conf(&f, ATTRIBUTION_CERTIFICATE, "good.pem", "good.key", "mail.contoso.test");
		finding_list_clear(&list);
		struct tlsid_result result;
		tlsid_check(&f.c, time(NULL), &failing, &list, &report, &result);
		assert_int_equal(result.internal_errno, errors[i]);
		assert_true(result.unverified);
		if (list.count != 0)
			fail_msg("%s became the finding %s", strerror(errors[i]), finding_info(list.items[0].id)->name);
		free_conf(&f);
	}
	/* and a real problem still is one, with 0 returned */
	struct fixture f;
	struct finding_list list;
	make_conf(&f, ATTRIBUTION_CERTIFICATE, "noint.pem", "good.key", "mail.contoso.test");
	finding_list_clear(&list);
	struct tlsid_result result;
	tlsid_check(&f.c, time(NULL), &tlsid_direct_reader, &list, NULL, &result);
	assert_int_equal(result.internal_errno, 0);
	assert_false(result.unverified);
	assert_non_null(finding_list_get(&list, FINDING_CHAIN_INCOMPLETE));
	free_conf(&f);
}

/* With a tenant export: the connector that names the certificate must be enabled and OnPremises. */
static void test_connectors_from_export(void **state)
{
	static const struct { const char *connectors, *want, *hint; } cases[] = {
		{ "{\"Name\":\"Relay\",\"Enabled\":true,\"ConnectorType\":\"OnPremises\",\"TlsSenderCertificateName\":\"mail.contoso.test\"}", "", NULL },
		{ "{\"Name\":\"Relay\",\"Enabled\":true,\"ConnectorType\":\"OnPremises\",\"TlsSenderCertificateName\":\"*.contoso.test\"}", "", NULL },
		{ "{\"Name\":\"Relay\",\"Enabled\":false,\"ConnectorType\":\"OnPremises\",\"TlsSenderCertificateName\":\"mail.contoso.test\"}",
		  "connector-disabled", "Set-InboundConnector -Identity 'Relay' -Enabled $true" },
		{ "{\"Name\":\"P\",\"Enabled\":true,\"ConnectorType\":\"Partner\",\"TlsSenderCertificateName\":\"mail.contoso.test\"}",
		  "connector-disabled", "-ConnectorType OnPremises" },
		{ "{\"Name\":\"Relay\",\"Enabled\":true,\"ConnectorType\":\"OnPremises\",\"TlsSenderCertificateName\":\"relay.other.example\"}",
		  "connector-missing", "-TlsSenderCertificateName mail.contoso.test" },
		{ "{\"Name\":\"Relay\",\"Enabled\":true,\"ConnectorType\":\"OnPremises\",\"TlsSenderCertificateName\":null}",
		  "connector-missing", "New-InboundConnector" },
	};
	static const char direct_send[] = "{\"AcceptedDomains\":[{\"DomainName\":\"contoso.test\"}],\"InboundConnectors\":[],"
		"\"OrganizationConfig\":{\"RejectDirectSend\":true}}";
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char json[1024], err[EXPORT_ERR_MAX];
		snprintf(json, sizeof json, "{\"AcceptedDomains\":[{\"DomainName\":\"contoso.test\"}],\"InboundConnectors\":[%s]}",
			 cases[i].connectors);
		struct tenant_export *e = NULL;
		if (!export_parse(json, strlen(json), "t.json", &e, err, sizeof err))
			fail_msg("%s", err);
		struct fixture f;
		struct finding_list list;
		char names[256];
		make_conf(&f, ATTRIBUTION_CERTIFICATE, "good.pem", "good.key", "mail.contoso.test");
		f.c.tenant.export = e;
		finding_list_clear(&list);
		tlsid_check(&f.c, time(NULL), &tlsid_direct_reader, &list, NULL, NULL);
		names_of(&list, names, sizeof names);
		if (strcmp(names, cases[i].want) != 0)
			fail_msg("case %zu: findings \"%s\", want \"%s\"", i, names, cases[i].want);
		if (cases[i].hint != NULL && strstr(list.items[0].hint, cases[i].hint) == NULL)
			fail_msg("case %zu: hint \"%s\" lacks \"%s\"", i, list.items[0].hint, cases[i].hint);
		/* with ip attribution the connector's certificate name does not matter */
		f.c.tenant.attribution = ATTRIBUTION_IP;
		finding_list_clear(&list);
		tlsid_check(&f.c, time(NULL), &tlsid_direct_reader, &list, NULL, NULL);
		assert_null(finding_list_get(&list, FINDING_CONNECTOR_MISSING));
		export_free(e);
		free_conf(&f);
	}
	/* RejectDirectSend on and no connector: direct-send-rejected as well, after connector-missing */
	struct tenant_export *e = NULL;
	char err[EXPORT_ERR_MAX], names[256];
	if (!export_parse(direct_send, strlen(direct_send), "t.json", &e, err, sizeof err))
		fail_msg("%s", err);
	struct fixture f;
	struct finding_list list;
	make_conf(&f, ATTRIBUTION_CERTIFICATE, "good.pem", "good.key", "mail.contoso.test");
	f.c.tenant.export = e;
	finding_list_clear(&list);
	tlsid_check(&f.c, time(NULL), &tlsid_direct_reader, &list, NULL, NULL);
	names_of(&list, names, sizeof names);
	assert_string_equal(names, "connector-missing,direct-send-rejected");
	assert_non_null(strstr(list.items[1].hint, "Set-OrganizationConfig -RejectDirectSend $false"));
	export_free(e);
	free_conf(&f);
}

/* A FIFO at the certificate path is refused at once (it used to block the reader forever). */
static void test_fifo_is_refused(void **state)
{
	struct fixture f;
	struct finding_list list;
	char fifo[600];
	(void)state;
	snprintf(fifo, sizeof fifo, "%s/fifo.pem", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	make_conf(&f, ATTRIBUTION_CERTIFICATE, "fifo.pem", "good.key", "mail.contoso.test");
	finding_list_clear(&list);
	struct check_report report = { 0 };
	struct tlsid_result result;
	tlsid_check(&f.c, time(NULL), &tlsid_direct_reader, &list, &report, &result);
	assert_int_equal(result.internal_errno, 0);
	const struct finding *u = finding_list_get(&list, FINDING_CERT_UNREADABLE);
	assert_non_null(u);
	if (strstr(u->hint, "is not a regular file") == NULL)
		fail_msg("hint: %s", u->hint);
	unlink(fifo);
	free_conf(&f);
}

/* Reader that returns tlsid_public_parts of each file, as the helper does. */
static void public_read(void *ctx, const char *path, struct tlsid_file *out)
{
	(void)ctx;
	tlsid_read_file(path, out);
	if (out->err != 0)
		return;
	size_t n = 0;
	char *pub = tlsid_public_parts(out->data, out->len, &n);
	free(out->data);
	out->data = pub;
	out->len = n;
}

static void test_public_parts(void **state)
{
	struct tlsid_file f;
	char path[600];
	size_t n = 0;
	(void)state;
	snprintf(path, sizeof path, "%s/combined.pem", dir);
	tlsid_read_file(path, &f);
	assert_int_equal(f.err, 0);
	char *pub = tlsid_public_parts(f.data, f.len, &n);
	assert_non_null(pub);
	assert_null(strstr(pub, "PRIVATE KEY"));
	assert_non_null(strstr(pub, "BEGIN PUBLIC KEY"));
	assert_non_null(strstr(pub, "BEGIN CERTIFICATE"));
	free(pub);
	tlsid_file_free(&f);
	/* The same findings through public parts as through the files. */
	static const char *const certs[] = { "good.pem", "noint.pem", "wrongname.pem", "expired.pem", "garbage.pem",
					     "leaf.der", "empty.pem" };
	static const char *const keys[] = { "good.key", "mismatch.key" };
	const struct tlsid_reader pub_reader = { public_read, NULL };
	for (size_t i = 0; i < sizeof certs / sizeof certs[0]; i++) {
		for (size_t k = 0; k < 2; k++) {
			struct fixture fx;
			struct finding_list a, b;
			char na[256], nb[256];
			make_conf(&fx, ATTRIBUTION_CERTIFICATE, certs[i], keys[k], "mail.contoso.test");
			finding_list_clear(&a);
			finding_list_clear(&b);
			tlsid_check(&fx.c, time(NULL), &tlsid_direct_reader, &a, NULL, NULL);
			tlsid_check(&fx.c, time(NULL), &pub_reader, &b, NULL, NULL);
			names_of(&a, na, sizeof na);
			names_of(&b, nb, sizeof nb);
			if (strcmp(na, nb) != 0)
				fail_msg("%s + %s: direct \"%s\", via public parts \"%s\"", certs[i], keys[k], na, nb);
			for (size_t j = 0; j < a.count && j < b.count; j++)
				if (a.items[j].id == b.items[j].id && strcmp(a.items[j].hint, b.items[j].hint) != 0)
					fail_msg("%s: hint differs: \"%s\" vs \"%s\"", certs[i], a.items[j].hint, b.items[j].hint);
			free_conf(&fx);
		}
	}
	pub = tlsid_public_parts("garbage", 7, &n);
	assert_non_null(pub);
	assert_string_equal(pub, "(no PEM data)\n");   /* shape kept, content not */
	free(pub);
	pub = tlsid_public_parts("", 0, &n);
	assert_non_null(pub);
	assert_int_equal(n, 0);
	free(pub);
}

static void test_route(void **state)
{
	static const struct { const char *smarthost, *want; } cases[] = {
		{ "contoso-test.mail.protection.outlook.com", "" },
		{ "[contoso-test.mail.protection.outlook.com]:25", "" },
		{ "[mail.messaging.microsoft.com]", "smarthost-legacy" },
		{ "MAIL.GLOBAL.FRONTBRIDGE.COM.", "smarthost-legacy" },
		{ "[52.101.68.1]:25", "smarthost-ip" },
		{ "[ipv6:2a01:111:f400::1]:25", "smarthost-ip" },
		{ "2a01:111:f400::1", "smarthost-ip" },
		{ "[smtp.office365.com]:587", "smarthost-submission" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fixture f;
		struct finding_list list;
		char got[128];
		make_conf(&f, ATTRIBUTION_CERTIFICATE, "", "", "");
		f.c.tenant.smarthost = (char *)cases[i].smarthost;
		finding_list_clear(&list);
		route_check(&f.c, &list, NULL);
		names_of(&list, got, sizeof got);
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s: got \"%s\", want \"%s\"", cases[i].smarthost, got, cases[i].want);
		free_conf(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_chain_file_and_order_warnings),
		cmocka_unit_test(test_server_side),
		cmocka_unit_test(test_unreadable_is_not_a_failure),
		cmocka_unit_test(test_internal_error_is_not_a_finding),
		cmocka_unit_test(test_fifo_is_refused),
		cmocka_unit_test(test_connectors_from_export),
		cmocka_unit_test(test_public_parts),
		cmocka_unit_test(test_route),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
