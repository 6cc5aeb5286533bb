/* Unit tests for conf.c: every option parsed, bad values rejected with file:line. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "conf.h"

static char tmpdir[] = "/tmp/eopguard-conf.XXXXXX";

/* Write text to NAME in the temporary directory; returns the path (static). */
static const char *write_file(const char *name, const char *text)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return path;
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[600];
	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static void test_full_config(void **state)
{
	char err[CONF_ERR_MAX];
	struct conf *c = NULL;
	(void)state;
	write_file("domains.txt", "# tenant domains\nfabrikam.example\n\n  *.tailspin.test  # comment\n");
	const char *path = write_file("full.conf",
		"socket = \"inet:8891@127.0.0.1\"\n"
		"socket_mode = \"0600\"\n"
		"socket_group = \"postfix\"\n"
		"user = \"nobody\"\n"
		"pidfile = \"/tmp/x.pid\"\n"
		"log = \"/var/log/eopguard.log\"\n"
		"syslog_facility = \"local3\"\n"
		"authserv_id = \"relay1.contoso.com\"\n"
		"dry_run = true\n"
		"timeout = 900\n"
		"tenant {\n"
		"  accepted_domains = {\"contoso.com\", \"*.contoso.com\"}\n"
		"  accepted_domains_file = \"domains.txt\"\n"
		"  attribution = \"ip\"\n"
		"  certificate_domain = \"*.contoso.com\"\n"
		"  smarthost = \"contoso-com.mail.protection.outlook.com\"\n"
		"}\n"
		"identity {\n"
		"  client_cert = \"certs/chain.pem\"\n"
		"  client_key = \"/etc/key.pem\"\n"
		"  expiry_warning_days = 30\n"
		"  recheck_interval = 60\n"
		"}\n"
		"rewrite { sender = \"relay@contoso.com\" }\n"
		"policy {\n"
		"  identity_failure = \"quarantine\"\n"
		"  sender_not_accepted = \"reject\"\n"
		"  null_sender = \"annotate\"\n"
		"  from_invalid = \"defer\"\n"
		"}\n");
	if (!conf_load(path, &c, err, sizeof err))
		fail_msg("conf_load failed: %s", err);
	assert_string_equal(c->socket, "inet:8891@127.0.0.1");
	assert_int_equal(c->socket_mode, 0600);
	assert_string_equal(c->socket_group, "postfix");
	assert_string_equal(c->user, "nobody");
	assert_string_equal(c->log, "/var/log/eopguard.log");
	assert_string_equal(c->syslog_facility, "local3");
	assert_string_equal(c->authserv_id, "relay1.contoso.com");
	assert_true(c->dry_run);
	assert_int_equal(c->timeout, 900);
	assert_int_equal(c->tenant.attribution, ATTRIBUTION_IP);
	assert_int_equal(domain_set_count(c->tenant.accepted), 4);
	assert_true(domain_is_accepted(c->tenant.accepted, "mx.tailspin.test"));
	assert_true(domain_is_accepted(c->tenant.accepted, "fabrikam.example"));
	assert_string_equal(c->tenant.certificate_domain, "*.contoso.com");
	char want[600];
	snprintf(want, sizeof want, "%s/certs/chain.pem", tmpdir);
	assert_string_equal(c->identity.client_cert, want);
	assert_string_equal(c->identity.client_key, "/etc/key.pem");
	assert_int_equal(c->identity.expiry_warning_days, 30);
	assert_int_equal(c->identity.recheck_interval, 60);
	assert_string_equal(c->rewrite_sender, "relay@contoso.com");
	assert_string_equal(c->rewrite_domain, "contoso.com");
	assert_int_equal(c->policy.identity_failure, ACTION_QUARANTINE);
	assert_int_equal(c->policy.sender_not_accepted, ACTION_REJECT);
	assert_int_equal(c->policy.null_sender, ACTION_ANNOTATE);
	assert_int_equal(c->policy.from_invalid, ACTION_DEFER);
	conf_free(c);
}

#define TENANT_OK_TEXT "tenant {\n accepted_domains = {\"contoso.com\"}\n attribution = \"ip\"\n}\n"

static void test_defaults(void **state)
{
	char err[CONF_ERR_MAX];
	struct conf *c = NULL;
	(void)state;
	const char *path = write_file("min.conf", "tenant {\n accepted_domains = {\"contoso.com\"}\n"
						  " certificate_domain = \"mail.contoso.com\"\n}\n");
	if (!conf_load(path, &c, err, sizeof err))
		fail_msg("conf_load failed: %s", err);
	assert_string_equal(c->socket, "local:/run/eopguard/eopguard.sock");
	assert_int_equal(c->socket_mode, 0660);
	assert_string_equal(c->user, "eopguard");
	assert_string_equal(c->log, "syslog");
	assert_true(c->authserv_id[0] != '\0');
	assert_false(c->dry_run);
	assert_int_equal(c->timeout, 600);
	assert_int_equal(c->tenant.attribution, ATTRIBUTION_CERTIFICATE);
	assert_int_equal(c->identity.expiry_warning_days, 21);
	assert_int_equal(c->identity.recheck_interval, 300);
	assert_int_equal(c->policy.identity_failure, ACTION_DEFER);
	assert_int_equal(c->policy.sender_not_accepted, ACTION_REWRITE);
	assert_int_equal(c->policy.null_sender, ACTION_DEFER);
	assert_int_equal(c->policy.from_invalid, ACTION_ANNOTATE);
	assert_int_equal(c->policy.observed_refusal, ACTION_DEFER);
	assert_string_equal(c->rewrite_sender, "");
	/* feedback off; EOP's two MX name forms match without smarthost_match */
	assert_int_equal(c->metrics_interval, 30);
	assert_string_equal(c->feedback.log, "");
	assert_int_equal(c->feedback.open_for, 300);
	assert_int_equal(c->feedback.n_match, 2);
	assert_string_equal(c->feedback.match[0], "*.mail.protection.outlook.com");
	assert_string_equal(c->feedback.match[1], "*.mx.microsoft");
	conf_free(c);
	conf_free(NULL);
	/* tenant.smarthost's host joins them; smarthost_match replaces all three */
	path = write_file("fb.conf", "tenant {\n accepted_domains = {\"contoso.com\"}\n attribution = \"ip\"\n"
				     " smarthost = \"[Contoso-com.mail.protection.outlook.com]:25\"\n}\n"
				     "feedback {\n log = \"journal\"\n open_for = 60\n}\npolicy { observed_refusal = \"reject\" }\n");
	if (!conf_load(path, &c, err, sizeof err))
		fail_msg("conf_load failed: %s", err);
	assert_string_equal(c->feedback.log, "journal");
	assert_int_equal(c->feedback.open_for, 60);
	assert_int_equal(c->feedback.n_match, 3);
	assert_string_equal(c->feedback.match[0], "contoso-com.mail.protection.outlook.com");
	assert_int_equal(c->policy.observed_refusal, ACTION_REJECT);
	conf_free(c);
	path = write_file("fb2.conf", TENANT_OK_TEXT "feedback {\n log = \"/var/log/mail.log\"\n"
				      " smarthost_match = {\"127.0.0.1\", \"*.EOP.example\"}\n}\n");
	if (!conf_load(path, &c, err, sizeof err))
		fail_msg("conf_load failed: %s", err);
	assert_int_equal(c->feedback.n_match, 2);
	assert_string_equal(c->feedback.match[1], "*.eop.example");
	conf_free(c);
}

struct bad_case {
	const char *name;
	const char *text;
	const char *want;   /* substring of the message, after "<path>" */
};

#define TENANT_OK "tenant {\n accepted_domains = {\"contoso.com\"}\n attribution = \"ip\"\n}\n"

static void test_bad_values(void **state)
{
	static const struct bad_case cases[] = {
		{ "unknown option", "\n\nbogus = 1\n" TENANT_OK, ":3: no such option 'bogus'" },
		{ "unknown in section", TENANT_OK "policy {\n  strict = 1\n}\n", ":6: no such option 'strict'" },
		{ "bad socket", "socket = \"/tmp/x\"\n" TENANT_OK, ":1: socket: '/tmp/x' is not a milter socket" },
		{ "bad mode", "socket_mode = \"rw\"\n" TENANT_OK, ":1: socket_mode: 'rw' is not an octal file mode" },
		{ "bad mode 9", "socket_mode = \"0669\"\n" TENANT_OK, "socket_mode: '0669'" },
		{ "bad log", "log = \"relative.log\"\n" TENANT_OK, ":1: log: 'relative.log' must be syslog, stderr or an absolute" },
		{ "bad facility", "syslog_facility = \"kern\"\n" TENANT_OK, ":1: syslog_facility: 'kern' is not one of" },
		{ "bad authserv", "authserv_id = \"a b\"\n" TENANT_OK, ":1: authserv_id: 'a b' may hold only" },
		{ "bad bool", "dry_run = perhaps\n" TENANT_OK, ":1: invalid boolean value for option 'dry_run'" },
		{ "bad wildcard", "tenant {\n accepted_domains = {\"a.*.com\"}\n}\n", ":2: accepted_domains: 'a.*.com'" },
		{ "bad domain", "tenant {\n accepted_domains = {\"con toso.com\"}\n}\n", "'con toso.com' is not a valid domain" },
		{ "bad attribution", "tenant {\n accepted_domains = {\"c.com\"}\n attribution = \"dns\"\n}\n", ":3: attribution: 'dns' is not one of certificate, ip" },
		{ "bad cert domain", "tenant {\n accepted_domains = {\"c.com\"}\n certificate_domain = \"a.*.c.com\"\n}\n", ":3: certificate_domain: 'a.*.c.com' is not valid" },
		{ "no domains", "tenant {\n attribution = \"ip\"\n}\n", "bad.conf:1: tenant: no accepted domains" },
		{ "no domains, tenant further down", "\n\n# the tenant\ntenant {\n attribution = \"ip\"\n}\n", "bad.conf:4: tenant: no accepted domains" },
		{ "empty file", "", "bad.conf: the file is empty, so no accepted domains" },
		{ "only comments", "# nothing here\n\n", "bad.conf: there is no tenant section, so no accepted domains" },
		{ "no tenant section", "socket = \"unix:/x\"\n", "bad.conf: there is no tenant section, so no accepted domains" },
		{ "unterminated tenant", "tenant {\n accepted_domains = {\"c.com\"}\n attribution = \"ip\"\n", "bad.conf:1: this '{' is never closed" },
		{ "unterminated nested", TENANT_OK "policy {\n", "bad.conf:5: this '{' is never closed" },
		{ "cert mode without name", "tenant {\n accepted_domains = {\"c.com\"}\n}\n", "tenant.certificate_domain is empty" },
		{ "days range", TENANT_OK "identity {\n expiry_warning_days = -1\n}\n", ":6: expiry_warning_days: -1 is out of range" },
		{ "export age", "tenant {\n accepted_domains = {\"c.com\"}\n attribution = \"ip\"\n export_max_age = 0\n}\n", ":4: export_max_age: 0 is out of range" },
		{ "timeout too short", TENANT_OK "timeout = 5\n", ":5: timeout: 5 is out of range 10..7200" },
		{ "timeout too long", TENANT_OK "timeout = 99999\n", "timeout: 99999 is out of range" },
		{ "interval range", TENANT_OK "identity {\n recheck_interval = 999999\n}\n", "recheck_interval: 999999 is out of range" },
		{ "interval not a number", TENANT_OK "identity {\n recheck_interval = \"soon\"\n}\n", "recheck_interval" },
		{ "rewrite no at", TENANT_OK "rewrite {\n sender = \"relay\"\n}\n", ":6: sender: 'relay' is not a mailbox" },
		{ "rewrite not accepted", TENANT_OK "rewrite {\n sender = \"relay@other.example\"\n}\n", "domain other.example is not an accepted domain" },
		{ "policy rewrite for identity", TENANT_OK "policy {\n identity_failure = \"rewrite\"\n}\n", ":6: identity_failure: 'rewrite' is not one of" },
		{ "policy unknown word", TENANT_OK "policy {\n sender_not_accepted = \"drop\"\n}\n", "sender_not_accepted: 'drop' is not one of" },
		{ "policy null rewrite", TENANT_OK "policy {\n null_sender = \"rewrite\"\n}\n", "null_sender: 'rewrite'" },
		{ "syntax error", "tenant {\n accepted_domains = {\"c.com\"\n}\n", "bad.conf:1: this '{' is never closed" },
		{ "stray closing brace", TENANT_OK "}\n", "bad.conf:5: unexpected closing brace" },
		{ "feedback log relative", TENANT_OK "feedback {\n log = \"mail.log\"\n}\n", ":6: log: 'mail.log' must be \"\" (off), \"journal\" or the absolute path" },
		{ "feedback open_for", TENANT_OK "feedback {\n open_for = 1\n}\n", ":6: open_for: 1 is out of range 5..86400" },
		{ "feedback match", TENANT_OK "feedback {\n smarthost_match = {\"a b\"}\n}\n", ":6: smarthost_match: 'a b' is not a host name" },
		{ "feedback match bracket", TENANT_OK "feedback {\n smarthost_match = {\"[1.2.3.4]\"}\n}\n", "smarthost_match: '[1.2.3.4]'" },
		{ "observed_refusal rewrite", TENANT_OK "policy {\n observed_refusal = \"rewrite\"\n}\n", ":6: observed_refusal: 'rewrite' is not one of" },
		{ "feedback unknown", TENANT_OK "feedback {\n follow = 1\n}\n", ":6: no such option 'follow'" },
		{ "missing domains file", "tenant {\n accepted_domains_file = \"nope.txt\"\n attribution = \"ip\"\n}\n", "nope.txt: cannot open accepted_domains_file: No such file" },
		{ "two unnamed tenants", TENANT_OK "\ntenant {\n accepted_domains = {\"d.com\"}\n}\n", "bad.conf:6: a second unnamed tenant section (the first is on line 1); give each tenant a name" },
		{ "duplicate tenant name", "tenant a { accepted_domains = {\"a.com\"} attribution = \"ip\" }\ntenant a {\n accepted_domains = {\"b.com\"}\n attribution = \"ip\"\n}\n", "tenant a: a second tenant section with this name" },
		{ "bad tenant name", "tenant \"a b\" { accepted_domains = {\"a.com\"} attribution = \"ip\" }\n", "bad.conf:1: tenant name: at most 64 letters" },
		{ "tenant name starting with -", "tenant \"-x\" { accepted_domains = {\"a.com\"} attribution = \"ip\" }\n", "tenant name:" },
		{ "overlapping tenants", "tenant a { accepted_domains = {\"eu.a.com\"} attribution = \"ip\" }\n\ntenant b {\n accepted_domains = {\"*.a.com\"}\n attribution = \"ip\"\n}\n", "bad.conf:1: tenant a: accepted domain eu.a.com is also tenant b's (line 3)" },
		{ "named tenant without domains", TENANT_OK "tenant second {\n attribution = \"ip\"\n}\n", "bad.conf:5: tenant second: no accepted domains" },
		{ "named tenant cert without name", TENANT_OK "tenant second {\n accepted_domains = {\"x.com\"}\n}\n", "bad.conf:5: tenant second: tenant.certificate_domain is empty" },
		{ "tenant identity unknown option", TENANT_OK "tenant second {\n accepted_domains = {\"x.com\"}\n attribution = \"ip\"\n identity {\n recheck_interval = 5\n }\n}\n", "no such option 'recheck_interval'" },
		{ "tenant bad attribution", TENANT_OK "tenant second {\n accepted_domains = {\"x.com\"}\n attribution = \"mx\"\n}\n", ":7: attribution: 'mx' is not one of" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct bad_case *c = &cases[i];
		char err[CONF_ERR_MAX] = "";
		struct conf *conf = NULL;
		const char *path = write_file("bad.conf", c->text);
		if (conf_load(path, &conf, err, sizeof err)) {
			conf_free(conf);
			fail_msg("%s: loaded, want an error containing \"%s\"", c->name, c->want);
		}
		assert_null(conf);
		if (strstr(err, c->want) == NULL || strncmp(err, tmpdir, strlen(tmpdir)) != 0)
			fail_msg("%s: error \"%s\", want it to start with the path and contain \"%s\"", c->name, err,
				 c->want);
	}
}

/* Several tenant sections: each its own, the unnamed one beside them, views, lookups, the identity files. */
static void test_several_tenants(void **state)
{
	char err[CONF_ERR_MAX];
	struct conf *c = NULL;
	(void)state;
	const char *path = write_file("tenants.conf",
		"user = \"\"\n"
		"identity {\n client_cert = \"/etc/shared.pem\"\n ca_file = \"/etc/ca.pem\"\n}\n"
		"# the tenant\n"
		"tenant {\n accepted_domains = {\"contoso.com\"}\n certificate_domain = \"mail.contoso.com\"\n}\n"
		"tenant fabrikam {\n accepted_domains = {\"fabrikam.com\", \"*.fabrikam.com\"}\n"
		" certificate_domain = \"mail.fabrikam.com\"\n smarthost = \"fabrikam-com.mail.protection.outlook.com\"\n"
		" identity {\n  client_cert = \"fab.pem\"\n  client_key = \"/etc/fab.key\"\n }\n}\n"
		"tenant \"tenant\" { accepted_domains = {\"t.example\"} attribution = \"ip\" }\n"
		"rewrite { sender = \"relay@t.example\" }\n");
	if (!conf_load(path, &c, err, sizeof err))
		fail_msg("%s", err);
	assert_int_equal(c->n_tenants, 3);
	assert_string_equal(conf_tenant_name(c, 0), "");
	assert_string_equal(conf_tenant_name(c, 1), "fabrikam");
	assert_string_equal(conf_tenant_name(c, 2), "tenant");
	const struct conf *fab = conf_tenant_view(c, 1);
	assert_true(fab->is_view);
	assert_int_equal(fab->n_tenants, 1);
	assert_int_equal(fab->tenant.line, 11);
	assert_string_equal(fab->tenant.certificate_domain, "mail.fabrikam.com");
	/* its own files, relative to the configuration's directory; the top-level ones where it sets none */
	char want[600];
	snprintf(want, sizeof want, "%s/fab.pem", tmpdir);
	assert_string_equal(fab->identity.client_cert, want);
	assert_string_equal(fab->identity.client_key, "/etc/fab.key");
	assert_string_equal(fab->identity.ca_file, "/etc/ca.pem");
	assert_string_equal(conf_tenant_view(c, 0)->identity.client_cert, "/etc/shared.pem");
	assert_string_equal(c->identity.client_cert, "/etc/shared.pem");   /* tenant 0's */
	assert_int_equal(conf_tenant_view(c, 2)->tenant.attribution, ATTRIBUTION_IP);
	/* lookups by domain */
	assert_int_equal(conf_tenant_of_domain(c, "contoso.com"), 0);
	assert_int_equal(conf_tenant_of_domain(c, "EU.Fabrikam.com."), 1);
	assert_int_equal(conf_tenant_of_domain(c, "t.example"), 2);
	assert_int_equal(conf_tenant_of_domain(c, "other.example"), -1);
	assert_int_equal(conf_tenant_of_domain(c, ""), -1);
	/* the identity files of all tenants, each once */
	const char *files[CONF_IDENTITY_FILES_MAX];
	size_t n = conf_identity_files(c, files);
	assert_int_equal(n, 4);   /* shared.pem, ca.pem, fab.pem, fab.key */
	/* feedback's default smart host patterns include fabrikam's */
	bool seen = false;
	for (size_t i = 0; i < c->feedback.n_match; i++)
		seen |= strcmp(c->feedback.match[i], "fabrikam-com.mail.protection.outlook.com") == 0;
	assert_true(seen);
	conf_free(c);
	/* one unnamed tenant: no views, the configuration is the tenant's */
	path = write_file("one.conf", "user = \"\"\n" TENANT_OK);
	if (!conf_load(path, &c, err, sizeof err))
		fail_msg("%s", err);
	assert_int_equal(c->n_tenants, 1);
	assert_null(c->views);
	assert_ptr_equal(conf_tenant_view(c, 0), c);
	assert_int_equal(conf_tenant_of_domain(c, "nowhere.example"), -1);
	conf_free(c);
}

static void test_domains_file_errors(void **state)
{
	char err[CONF_ERR_MAX];
	struct conf *c = NULL;
	(void)state;
	write_file("bad-domains.txt", "contoso.com\n\nbad domain.com\n");
	char path[512];
	snprintf(path, sizeof path, "%s", write_file("f.conf", "tenant {\n accepted_domains_file = \"bad-domains.txt\"\n"
							       " attribution = \"ip\"\n}\n"));
	assert_false(conf_load(path, &c, err, sizeof err));
	if (strstr(err, "bad-domains.txt:3: one domain per line expected") == NULL)
		fail_msg("got \"%s\"", err);
	write_file("bad-domains.txt", "contoso.com\n*.a.*.b\n");
	assert_false(conf_load(path, &c, err, sizeof err));
	if (strstr(err, "bad-domains.txt:2: '*.a.*.b': a wildcard is allowed only") == NULL)
		fail_msg("got \"%s\"", err);
}

static void test_missing_file(void **state)
{
	char err[CONF_ERR_MAX];
	struct conf *c = NULL;
	(void)state;
	assert_false(conf_load("/nonexistent/eopguard.conf", &c, err, sizeof err));
	assert_string_equal(err, "/nonexistent/eopguard.conf: cannot open configuration file: No such file or directory");
}

/* tenant.export: its accepted domains join eopguard.conf's, except those that may not send. */
static void test_export_merged(void **state)
{
	char err[CONF_ERR_MAX];
	struct conf *c = NULL;
	(void)state;
	write_file("tenant.json",
		"{\"ExportedAt\":\"2026-11-30T10:00:00Z\",\"AcceptedDomains\":["
		"{\"DomainName\":\"fabrikam.example\",\"DomainType\":\"Authoritative\",\"MatchSubDomains\":true},"
		"{\"DomainName\":\"old.example\",\"SendingFromDomainDisabled\":true}],"
		"\"InboundConnectors\":[]}");
	char path[512];
	snprintf(path, sizeof path, "%s", write_file("export.conf",
		"tenant {\n accepted_domains = {\"contoso.com\"}\n attribution = \"ip\"\n export = \"tenant.json\"\n}\n"));
	if (!conf_load(path, &c, err, sizeof err))
		fail_msg("%s", err);
	assert_non_null(c->tenant.export);
	assert_true(domain_is_accepted(c->tenant.accepted, "contoso.com"));
	assert_true(domain_is_accepted(c->tenant.accepted, "fabrikam.example"));
	assert_true(domain_is_accepted(c->tenant.accepted, "eu.fabrikam.example"));   /* MatchSubDomains */
	assert_false(domain_is_accepted(c->tenant.accepted, "old.example"));          /* may not send */
	assert_false(domain_is_accepted(c->tenant.accepted_here, "fabrikam.example"));
	assert_int_equal(c->tenant.export_max_age, 30);
	conf_free(c);
	/* a broken export fails the load (and so a reload keeps the running configuration) */
	write_file("tenant.json", "{\n \"AcceptedDomains\": [\n");
	assert_false(conf_load(path, &c, err, sizeof err));
	if (strstr(err, "export.conf: tenant.export: ") == NULL || strstr(err, "tenant.json:3:1: malformed JSON") == NULL)
		fail_msg("got \"%s\"", err);
	assert_false(conf_load(write_file("missing.conf", "tenant {\n accepted_domains = {\"c.com\"}\n attribution = \"ip\"\n export = \"nope.json\"\n}\n"), &c, err, sizeof err));
	if (strstr(err, "nope.json: cannot open the tenant export") == NULL)
		fail_msg("got \"%s\"", err);
}

/* What is not a regular file is refused by name, and never reaches libconfuse's scanner (it exits on EISDIR). */
static void test_not_a_regular_file(void **state)
{
	char err[CONF_ERR_MAX], path[600];
	struct conf *c = NULL;
	(void)state;
	snprintf(path, sizeof path, "%s/conf.d", tmpdir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_false(conf_load(path, &c, err, sizeof err));
	if (strstr(err, "conf.d: is a directory, not a configuration file") == NULL)
		fail_msg("got \"%s\"", err);
	snprintf(path, sizeof path, "%s/fifo.conf", tmpdir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_false(conf_load(path, &c, err, sizeof err));
	if (strstr(err, "fifo.conf: is not a regular file") == NULL)
		fail_msg("got \"%s\"", err);
	assert_false(conf_load("/dev/null", &c, err, sizeof err));
	assert_string_equal(err, "/dev/null: is not a regular file");
	const char nul[] = "tenant {\n accepted_domains = {\"c.com\"}\0 attribution = \"ip\"\n}\n";
	snprintf(path, sizeof path, "%s/nul.conf", tmpdir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fwrite(nul, 1, sizeof nul - 1, fp);
	fclose(fp);
	assert_false(conf_load(path, &c, err, sizeof err));
	if (strstr(err, "nul.conf: contains a NUL byte") == NULL)
		fail_msg("got \"%s\"", err);
}

/* Braces inside strings and comments do not open sections. */
static void test_braces_in_strings_and_comments(void **state)
{
	char err[CONF_ERR_MAX];
	struct conf *c = NULL;
	(void)state;
	const char *path = write_file("braces.conf",
		"# a comment with { in it\n"
		"// another {\n"
		"/* and a block\n { over lines */\n"
		"tenant {\n accepted_domains = {\"contoso.com\"}\n attribution = \"ip\"\n}\n"
		"rewrite { sender = \"relay@contoso.com\" }   # }\n");
	if (!conf_load(path, &c, err, sizeof err))
		fail_msg("%s", err);
	conf_free(c);
}

static void test_parse_mode(void **state)
{
	mode_t m;
	(void)state;
	assert_true(conf_parse_mode("0660", &m));
	assert_int_equal(m, 0660);
	assert_true(conf_parse_mode("700", &m));
	assert_false(conf_parse_mode("", &m));
	assert_false(conf_parse_mode("0o660", &m));
	assert_false(conf_parse_mode("77777", &m));
	assert_string_equal(action_name(ACTION_QUARANTINE), "quarantine");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_config),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_several_tenants),
		cmocka_unit_test(test_domains_file_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_not_a_regular_file),
		cmocka_unit_test(test_export_merged),
		cmocka_unit_test(test_braces_in_strings_and_comments),
		cmocka_unit_test(test_parse_mode),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
