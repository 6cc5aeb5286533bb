/* Unit tests for postconf.c: Postfix's settings against eopguard's. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "postconf.h"

/* The status of the report line named name, or -1. */
static int status_of(const struct check_report *r, const char *name)
{
	for (size_t i = 0; i < r->count; i++) {
		if (strcmp(r->lines[i].name, name) == 0)
			return (int)r->lines[i].status;
	}
	return -1;
}

static struct conf make_conf(enum attribution_mode mode)
{
	struct conf c;
	memset(&c, 0, sizeof c);
	c.socket = (char *)"local:/var/spool/postfix/run/eopguard/eopguard.sock";
	c.tenant.attribution = mode;
	c.tenant.smarthost = (char *)"contoso-com.mail.protection.outlook.com";
	c.identity.client_cert = (char *)"/etc/postfix/relay-chain.pem";
	c.identity.client_key = (char *)"/etc/postfix/relay.key";
	return c;
}

static void test_all_aligned(void **state)
{
	static const char out[] =
		"smtp_tls_cert_file = /etc/postfix/relay-chain.pem\n"
		"smtp_tls_key_file = /etc/postfix/relay.key\n"
		"smtp_tls_chain_files =\n"
		"relayhost = [contoso-com.mail.protection.outlook.com]:25\n"
		"smtp_tls_security_level = encrypt\n"
		"smtpd_milters = inet:127.0.0.1:8891, unix:/run/eopguard/eopguard.sock\n"
		"non_smtpd_milters = unix:/run/eopguard/eopguard.sock\n"
		"milter_default_action = tempfail\n"
		"queue_directory = /var/spool/postfix\n"
		"smtp_delivery_status_filter = pcre:/etc/postfix/eop-status-filter.pcre\n";
	struct conf c = make_conf(ATTRIBUTION_CERTIFICATE);
	struct check_report r = { 0 };
	(void)state;
	postconf_compare(&c, out, sizeof out - 1, &r);
	const char *names[] = { "postfix-cert-file", "postfix-relayhost", "postfix-tls-level", "postfix-milter",
				"postfix-default-action", "postfix-status-filter" };
	for (size_t i = 0; i < 6; i++) {
		if (status_of(&r, names[i]) != CHECK_PASS)
			fail_msg("%s: status %d, want PASS", names[i], status_of(&r, names[i]));
	}
	assert_int_equal(status_of(&r, "postfix-milter-local"), -1);
	assert_int_equal(check_count(&r, CHECK_FAIL), 0);
}

static void test_everything_off(void **state)
{
	static const char out[] =
		"smtp_tls_cert_file = /etc/ssl/old.pem\n"
		"smtp_tls_key_file = $smtp_tls_cert_file\n"
		"smtp_tls_chain_files =\n"
		"relayhost = [mail.messaging.microsoft.com]\n"
		"smtp_tls_security_level = may\n"
		"smtpd_milters =\n"
		"non_smtpd_milters =\n"
		"milter_default_action = accept\n"
		"queue_directory = /var/spool/postfix\n";
	struct conf c = make_conf(ATTRIBUTION_CERTIFICATE);
	struct check_report r = { 0 };
	(void)state;
	postconf_compare(&c, out, sizeof out - 1, &r);
	assert_int_equal(status_of(&r, "postfix-cert-file"), CHECK_WARN);
	assert_int_equal(status_of(&r, "postfix-relayhost"), CHECK_WARN);
	assert_int_equal(status_of(&r, "postfix-tls-level"), CHECK_FAIL);
	assert_int_equal(status_of(&r, "postfix-milter"), CHECK_FAIL);
	assert_int_equal(status_of(&r, "postfix-milter-local"), CHECK_WARN);
	assert_int_equal(status_of(&r, "postfix-default-action"), CHECK_WARN);
	assert_int_equal(status_of(&r, "postfix-status-filter"), CHECK_WARN);
	/* the default filter, and another filter than eopguard's */
	static const char dflt[] = "smtp_delivery_status_filter = $default_delivery_status_filter\n"
				   "default_delivery_status_filter = pcre:/etc/postfix/eop-status-filter.pcre\n";
	struct check_report r3 = { 0 };
	postconf_compare(&c, dflt, sizeof dflt - 1, &r3);
	assert_int_equal(status_of(&r3, "postfix-status-filter"), CHECK_PASS);
	static const char other[] = "smtp_delivery_status_filter = regexp:/etc/postfix/mine\n";
	struct check_report r4 = { 0 };
	postconf_compare(&c, other, sizeof other - 1, &r4);
	assert_int_equal(status_of(&r4, "postfix-status-filter"), CHECK_WARN);
	/* In ip mode a plaintext fallback only warns, and certificate files are not compared. */
	struct conf ip = make_conf(ATTRIBUTION_IP);
	struct check_report r2 = { 0 };
	postconf_compare(&ip, out, sizeof out - 1, &r2);
	assert_int_equal(status_of(&r2, "postfix-tls-level"), CHECK_WARN);
	assert_int_equal(status_of(&r2, "postfix-cert-file"), -1);
}

static void test_chain_files_and_sockets(void **state)
{
	static const char out[] =
		"smtp_tls_chain_files = /etc/postfix/relay.key, /etc/postfix/relay-chain.pem\n"
		"smtpd_milters = { inet:localhost:8899, connect_timeout=10s }\n";
	struct conf c = make_conf(ATTRIBUTION_CERTIFICATE);
	struct check_report r = { 0 };
	char form[128];
	(void)state;
	c.socket = (char *)"inet:8899@localhost";
	postconf_compare(&c, out, sizeof out - 1, &r);
	assert_int_equal(status_of(&r, "postfix-cert-file"), CHECK_PASS);
	assert_int_equal(status_of(&r, "postfix-milter"), CHECK_PASS);
	postconf_socket_form("local:/run/x.sock", form, sizeof form);
	assert_string_equal(form, "unix:/run/x.sock");
	postconf_socket_form("inet:8891@127.0.0.1", form, sizeof form);
	assert_string_equal(form, "inet:127.0.0.1:8891");
	/* hostile output: no crash, values escaped */
	static const char junk[] = "relayhost = \x1b[31mred\nsmtpd_milters = \xff\xfe\nrelayhost";
	struct check_report r3 = { 0 };
	postconf_compare(&c, junk, sizeof junk - 1, &r3);
	for (size_t i = 0; i < r3.count; i++) {
		for (const char *p = r3.lines[i].detail; *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				fail_msg("unescaped byte in \"%s\"", r3.lines[i].detail);
	}
}

/* List items are compared whole: relay-chain.pem.old is not relay-chain.pem. */
static void test_list_items_exact(void **state)
{
	static const char older[] = "smtp_tls_chain_files = /etc/postfix/relay.key, /etc/postfix/relay-chain.pem.old\n";
	static const char prefix[] = "smtp_tls_chain_files = /x/etc/postfix/relay-chain.pem\n";
	static const char milters[] = "smtpd_milters = unix:/run/eopguard/eopguard.sock.old\n";
	struct conf c = make_conf(ATTRIBUTION_CERTIFICATE);
	(void)state;
	struct check_report r = { 0 };
	postconf_compare(&c, older, sizeof older - 1, &r);
	assert_int_equal(status_of(&r, "postfix-cert-file"), CHECK_WARN);
	struct check_report r2 = { 0 };
	postconf_compare(&c, prefix, sizeof prefix - 1, &r2);
	assert_int_equal(status_of(&r2, "postfix-cert-file"), CHECK_WARN);
	c.socket = (char *)"unix:/run/eopguard/eopguard.sock";
	struct check_report r3 = { 0 };
	postconf_compare(&c, milters, sizeof milters - 1, &r3);
	assert_int_equal(status_of(&r3, "postfix-milter"), CHECK_FAIL);
}

/* IP attribution over IPv6 matches no connector: a failure unless the route is IPv4. */
static void test_ip_family(void **state)
{
	static const char dual[] = "inet_protocols = all\nsmtp_address_preference = any\n";
	static const char pref4[] = "inet_protocols = all\nsmtp_address_preference = ipv4\n";
	static const char only4[] = "inet_protocols = ipv4\nsmtp_address_preference = any\n";
	static const char only6[] = "inet_protocols = ipv6\nsmtp_address_preference = ipv4\n";
	struct conf c = make_conf(ATTRIBUTION_IP);
	(void)state;
	struct check_report r1 = { 0 }, r2 = { 0 }, r3 = { 0 }, r4 = { 0 }, r5 = { 0 };
	postconf_compare(&c, dual, sizeof dual - 1, &r1);
	assert_int_equal(status_of(&r1, "ipv6-route"), CHECK_FAIL);
	postconf_compare(&c, pref4, sizeof pref4 - 1, &r2);
	assert_int_equal(status_of(&r2, "postfix-ip-family"), CHECK_PASS);
	postconf_compare(&c, only4, sizeof only4 - 1, &r3);
	assert_int_equal(status_of(&r3, "postfix-ip-family"), CHECK_PASS);
	postconf_compare(&c, only6, sizeof only6 - 1, &r4);
	assert_int_equal(status_of(&r4, "ipv6-route"), CHECK_FAIL);
	struct conf cert = make_conf(ATTRIBUTION_CERTIFICATE);
	postconf_compare(&cert, dual, sizeof dual - 1, &r5);
	assert_int_equal(status_of(&r5, "ipv6-route"), -1);   /* a certificate does not care */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_aligned),
		cmocka_unit_test(test_everything_off),
		cmocka_unit_test(test_chain_files_and_sockets),
		cmocka_unit_test(test_list_items_exact),
		cmocka_unit_test(test_ip_family),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
