/*
 * postconf: eopguard's settings against Postfix's.
 *
 * Does: parse "name = value" lines, normalise socket and relayhost forms,
 * and add one check line per comparison.
 * Does not: run postconf (eopguardctl does) or read main.cf itself.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "postconf.h"
#include "route.h"
#include "strbuf.h"

const char *const postconf_parameters[] = {
	"smtp_tls_cert_file", "smtp_tls_key_file", "smtp_tls_chain_files", "relayhost",
	"smtp_tls_security_level", "smtpd_milters", "non_smtpd_milters", "milter_default_action",
	"queue_directory", "inet_protocols", "smtp_address_preference", "smtp_delivery_status_filter",
	"default_delivery_status_filter", "sender_dependent_relayhost_maps", "sender_dependent_default_transport_maps",
	NULL,
};

#define VALUE_MAX 1024

/* The value of name in the output, escaped for display; "" when absent. */
static void value_of(const char *out, size_t n, const char *name, char *val, size_t vlen)
{
	size_t nl = strlen(name);
	val[0] = '\0';
	for (const char *p = out; p < out + n; ) {
		const char *eol = memchr(p, '\n', (size_t)(out + n - p));
		size_t len = eol != NULL ? (size_t)(eol - p) : (size_t)(out + n - p);
		if (len > nl + 2 && strncmp(p, name, nl) == 0 && strncmp(p + nl, " =", 2) == 0) {
			const char *v = p + nl + 2;
			size_t vl = len - nl - 2;
			while (vl > 0 && *v == ' ') {
				v++;
				vl--;
			}
			strbuf_escape_into(val, vlen, v, vl);
			return;
		}
		p += len + 1;
	}
}

/* Postfix's spelling of a milter socket. */
void postconf_socket_form(const char *s, char *out, size_t outlen)
{
	if (strncmp(s, "local:", 6) == 0)
		snprintf(out, outlen, "unix:%s", s + 6);
	else if (strncmp(s, "inet:", 5) == 0 || strncmp(s, "inet6:", 6) == 0) {
		const char *rest = strchr(s, ':') + 1;
		const char *at = strchr(rest, '@');
		if (at != NULL)
			snprintf(out, outlen, "inet:%s:%.*s", at + 1, (int)(at - rest), rest);
		else
			snprintf(out, outlen, "inet:localhost:%s", rest);
	} else
		snprintf(out, outlen, "%s", s);
}

/*
 * The next item of a Postfix list (items separated by whitespace, commas or
 * braces) from *p into item; false at the end. Items longer than the buffer
 * are cut, which can only make a comparison fail.
 */
static bool list_next(const char **p, char *item, size_t cap)
{
	*p += strspn(*p, " ,\t{}");
	size_t l = strcspn(*p, " ,\t{}");
	if (l == 0)
		return false;
	snprintf(item, cap, "%.*s", (int)l, *p);
	*p += l;
	return true;
}

/* True when the list has an item exactly equal to want. */
static bool list_has_item(const char *list, const char *want)
{
	char item[VALUE_MAX];
	for (const char *p = list; list_next(&p, item, sizeof item); ) {
		if (strcmp(item, want) == 0)
			return true;
	}
	return false;
}

/* True when a milter list contains the socket want (or its chroot view). */
static bool milter_listed(const char *list, const char *want, const char *queue_dir)
{
	char item[VALUE_MAX];
	size_t ql = strlen(queue_dir);
	for (const char *p = list; list_next(&p, item, sizeof item); ) {
		if (strcmp(item, want) == 0)
			return true;
		/* chrooted smtpd: "unix:/run/x.sock" means "<queue_directory>/run/x.sock" */
		if (ql > 0 && strncmp(item, "unix:/", 6) == 0 && strncmp(want, "unix:", 5) == 0 &&
		    strncmp(want + 5, queue_dir, ql) == 0 && strcmp(want + 5 + ql, item + 5) == 0)
			return true;
	}
	return false;
}

/* Certificate files: what Postfix sends must be what eopguard checks. */
static void compare_cert_files(const struct conf *c, const char *out, size_t n, struct check_report *r)
{
	char chain[VALUE_MAX], cert[VALUE_MAX], key[VALUE_MAX];
	value_of(out, n, "smtp_tls_chain_files", chain, sizeof chain);
	value_of(out, n, "smtp_tls_cert_file", cert, sizeof cert);
	value_of(out, n, "smtp_tls_key_file", key, sizeof key);
	const char *ours = c->identity.client_cert;
	if (chain[0] != '\0') {
		if (ours[0] != '\0' && list_has_item(chain, ours))
			check_add(r, CHECK_PASS, "postfix-cert-file", "smtp_tls_chain_files includes identity.client_cert");
		else
			check_add(r, CHECK_WARN, "postfix-cert-file", "Postfix sends smtp_tls_chain_files = %s but "
				  "eopguard checks identity.client_cert = %s; make them the same file", chain, ours);
		return;
	}
	if (strcmp(cert, ours) != 0) {
		check_add(r, CHECK_WARN, "postfix-cert-file", "Postfix sends smtp_tls_cert_file = %s but eopguard "
			  "checks identity.client_cert = %s; make them the same file", cert[0] ? cert : "(empty)",
			  ours[0] ? ours : "(empty)");
		return;
	}
	const char *our_key = c->identity.client_key[0] != '\0' ? c->identity.client_key : ours;
	const char *pf_key = strcmp(key, "$smtp_tls_cert_file") == 0 || key[0] == '\0' ? cert : key;
	if (strcmp(pf_key, our_key) != 0)
		check_add(r, CHECK_WARN, "postfix-key-file", "Postfix uses smtp_tls_key_file = %s but eopguard "
			  "checks identity.client_key = %s", pf_key, our_key);
	else
		check_add(r, CHECK_PASS, "postfix-cert-file", "smtp_tls_cert_file and smtp_tls_key_file are the files "
			  "eopguard checks");
}

/* relayhost against tenant.smarthost. */
static void compare_relayhost(const struct conf *c, const char *out, size_t n, struct check_report *r)
{
	char relay[VALUE_MAX], a[300], b[300];
	value_of(out, n, "relayhost", relay, sizeof relay);
	route_host(relay, a, sizeof a);
	route_host(c->tenant.smarthost, b, sizeof b);
	if (relay[0] == '\0')
		check_add(r, CHECK_WARN, "postfix-relayhost", "relayhost is empty: Postfix delivers by MX lookup, "
			  "not through tenant.smarthost (fine only if transport_maps send the mail there)");
	else if (strcasecmp(a, b) != 0)
		check_add(r, CHECK_WARN, "postfix-relayhost", "relayhost = %s but tenant.smarthost = %s; eopguard "
			  "checked a different smart host than Postfix uses", relay, c->tenant.smarthost);
	else
		check_add(r, CHECK_PASS, "postfix-relayhost", "relayhost = %s matches tenant.smarthost", relay);
}

/* smtp_tls_security_level: the certificate is only presented over TLS. */
static void compare_tls_level(const struct conf *c, const char *out, size_t n, struct check_report *r)
{
	char level[VALUE_MAX];
	value_of(out, n, "smtp_tls_security_level", level, sizeof level);
	static const char *const strong[] = { "encrypt", "dane-only", "fingerprint", "verify", "secure", NULL };
	for (size_t i = 0; strong[i] != NULL; i++) {
		if (strcmp(level, strong[i]) == 0) {
			check_add(r, CHECK_PASS, "postfix-tls-level", "smtp_tls_security_level = %s", level);
			return;
		}
	}
	check_add(r, c->tenant.attribution == ATTRIBUTION_CERTIFICATE ? CHECK_FAIL : CHECK_WARN, "postfix-tls-level",
		  "smtp_tls_security_level = %s: Postfix may send without TLS and then without its certificate; "
		  "set it to encrypt for the EOP transport", level[0] ? level : "(empty)");
}

/* eopguard in smtpd_milters, and what Postfix does when it is down. */
static void compare_milters(const struct conf *c, const char *out, size_t n, struct check_report *r)
{
	char smtpd[VALUE_MAX], nonsmtpd[VALUE_MAX], action[VALUE_MAX], qdir[VALUE_MAX], want[600];
	value_of(out, n, "smtpd_milters", smtpd, sizeof smtpd);
	value_of(out, n, "non_smtpd_milters", nonsmtpd, sizeof nonsmtpd);
	value_of(out, n, "milter_default_action", action, sizeof action);
	value_of(out, n, "queue_directory", qdir, sizeof qdir);
	postconf_socket_form(c->socket, want, sizeof want);
	if (milter_listed(smtpd, want, qdir))
		check_add(r, CHECK_PASS, "postfix-milter", "smtpd_milters includes %s", want);
	else
		check_add(r, CHECK_FAIL, "postfix-milter", "smtpd_milters = %s does not include eopguard's socket %s; "
			  "add it, or mail passes unchecked", smtpd[0] ? smtpd : "(empty)", want);
	if (!milter_listed(nonsmtpd, want, qdir))
		check_add(r, CHECK_WARN, "postfix-milter-local", "non_smtpd_milters does not include %s: locally "
			  "submitted mail (sendmail(1)) passes unchecked", want);
	if (strcmp(action, "tempfail") == 0)
		check_add(r, CHECK_PASS, "postfix-default-action", "milter_default_action = tempfail: nothing is lost "
			  "when eopguard is down");
	else
		check_add(r, CHECK_WARN, "postfix-default-action", "milter_default_action = %s; set it to tempfail so "
			  "that mail waits with the client while eopguard is down", action[0] ? action : "(empty)");
}

/*
 * With IP attribution the route to EOP must be IPv4: an inbound connector's
 * SenderIPAddresses take IPv4 only, so mail that leaves over IPv6 matches
 * no connector.
 */
static void compare_ip_family(const struct conf *c, const char *out, size_t n, struct check_report *r)
{
	if (c->tenant.attribution != ATTRIBUTION_IP)
		return;
	char protocols[VALUE_MAX], preference[VALUE_MAX];
	value_of(out, n, "inet_protocols", protocols, sizeof protocols);
	value_of(out, n, "smtp_address_preference", preference, sizeof preference);
	bool has_v4 = list_has_item(protocols, "all") || list_has_item(protocols, "ipv4");
	bool has_v6 = list_has_item(protocols, "all") || list_has_item(protocols, "ipv6");
	if (!has_v6 || (has_v4 && strcmp(preference, "ipv4") == 0))
		check_add(r, CHECK_PASS, "postfix-ip-family", "inet_protocols = %s, smtp_address_preference = %s: mail "
			  "to EOP leaves over IPv4, which an IP connector can match", protocols[0] ? protocols : "(empty)",
			  preference[0] ? preference : "(empty)");
	else
		check_add(r, CHECK_FAIL, "ipv6-route", "inet_protocols = %s and smtp_address_preference = %s: Postfix may "
			  "reach EOP over IPv6, which no inbound connector can match (SenderIPAddresses are IPv4 only); "
			  "set smtp_address_preference = ipv4 (or inet_protocols = ipv4)", protocols[0] ? protocols : "(empty)",
			  preference[0] ? preference : "(empty)");
}

/*
 * Mail already handed to Postfix must wait, not bounce, when EOP refuses it
 * for attribution: contrib/postfix/eop-status-filter.pcre turns those
 * refusals (and only those) into temporary ones.
 */
static void compare_status_filter(const char *out, size_t n, struct check_report *r)
{
	char smtp[VALUE_MAX], dflt[VALUE_MAX];
	value_of(out, n, "smtp_delivery_status_filter", smtp, sizeof smtp);
	value_of(out, n, "default_delivery_status_filter", dflt, sizeof dflt);
	const char *in_effect = strcmp(smtp, "$default_delivery_status_filter") == 0 || smtp[0] == '\0' ? dflt : smtp;
	const char *name = in_effect == dflt ? "default_delivery_status_filter" : "smtp_delivery_status_filter";
	if (strstr(in_effect, "eop-status-filter") != NULL)
		check_add(r, CHECK_PASS, "postfix-status-filter", "%s = %s: EOP's attribution refusals defer queued mail "
			  "instead of bouncing it", name, in_effect);
	else if (in_effect[0] == '\0')
		check_add(r, CHECK_WARN, "postfix-status-filter", "no smtp_delivery_status_filter: when EOP refuses mail for "
			  "attribution, Postfix bounces it to its senders; install contrib/postfix/eop-status-filter.pcre "
			  "(postconf -e 'smtp_delivery_status_filter = pcre:/etc/postfix/eop-status-filter.pcre')");
	else
		check_add(r, CHECK_WARN, "postfix-status-filter", "%s = %s is not eopguard's eop-status-filter.pcre; make "
			  "sure it turns EOP's attribution refusals (5.7.64, 5.7.68, ...) into 4xx, or mail bounces",
			  name, in_effect);
}

/*
 * Several tenants: Postfix must choose each one's smart host and
 * certificate by sender; main.cf's single relayhost and certificate say
 * nothing about the per-transport settings, so only the maps are looked at.
 */
static void compare_tenant_routing(const struct conf *c, const char *out, size_t n, struct check_report *r)
{
	char relay_maps[VALUE_MAX], transport_maps[VALUE_MAX];
	value_of(out, n, "sender_dependent_relayhost_maps", relay_maps, sizeof relay_maps);
	value_of(out, n, "sender_dependent_default_transport_maps", transport_maps, sizeof transport_maps);
	if (relay_maps[0] == '\0' && transport_maps[0] == '\0')
		check_add(r, CHECK_WARN, "postfix-tenants", "%zu tenants, but neither sender_dependent_relayhost_maps nor "
			  "sender_dependent_default_transport_maps is set: Postfix sends every tenant's mail through one "
			  "smart host with one certificate; map each tenant's sender domains to a transport with its own "
			  "smtp_tls_chain_files and relayhost", c->n_tenants);
	else
		check_add(r, CHECK_PASS, "postfix-tenants", "%zu tenants routed by sender (%s%s%s); each transport must "
			  "send its tenant's identity.client_cert, which eopguard checks", c->n_tenants,
			  relay_maps[0] ? "sender_dependent_relayhost_maps" : "",
			  relay_maps[0] && transport_maps[0] ? ", " : "",
			  transport_maps[0] ? "sender_dependent_default_transport_maps" : "");
}

/* Every comparison. */
void postconf_compare(const struct conf *c, const char *output, size_t n, struct check_report *r)
{
	if (c->n_tenants > 1) {
		compare_tenant_routing(c, output, n, r);
	} else {
		if (c->tenant.attribution == ATTRIBUTION_CERTIFICATE)
			compare_cert_files(c, output, n, r);
		if (c->tenant.smarthost[0] != '\0')
			compare_relayhost(c, output, n, r);
	}
	/* the strictest tenant decides: certificate attribution needs TLS, IP attribution IPv4 */
	const struct conf *certificate = NULL, *ip = NULL;
	for (size_t i = 0; i < (c->n_tenants > 1 ? c->n_tenants : 1); i++) {
		const struct conf *v = conf_tenant_view(c, i);
		if (v->tenant.attribution == ATTRIBUTION_CERTIFICATE && certificate == NULL)
			certificate = v;
		if (v->tenant.attribution == ATTRIBUTION_IP && ip == NULL)
			ip = v;
	}
	compare_tls_level(certificate != NULL ? certificate : c, output, n, r);
	compare_milters(c, output, n, r);
	if (ip != NULL)
		compare_ip_family(ip, output, n, r);
	compare_status_filter(output, n, r);
}
