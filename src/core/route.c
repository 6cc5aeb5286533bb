/*
 * route: smart host checks.
 *
 * Does: recognise IP literals, the legacy EOP names and the SMTP AUTH
 * submission endpoint, which EOP answers with ATTR35 or 5.7.57.
 * Does not: resolve names or connect.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "route.h"
#include "strbuf.h"

/* Strip brackets and a port. */
void route_host(const char *smarthost, char *host, size_t hostlen)
{
	const char *p = smarthost;
	size_t n;
	if (*p == '[') {
		p++;
		n = strcspn(p, "]");
	} else {
		n = strcspn(p, ":");
		if (strchr(p + n + (p[n] != '\0'), ':') != NULL)   /* bare IPv6: keep it whole */
			n = strlen(p);
	}
	if (strncasecmp(p, "ipv6:", 5) == 0) {
		p += 5;
		n -= n >= 5 ? 5 : n;
	}
	snprintf(host, hostlen, "%.*s", (int)n, p);
	size_t l = strlen(host);
	if (l > 0 && host[l - 1] == '.')
		host[l - 1] = '\0';
}

/* True when host is an IPv4 or IPv6 literal. */
static bool is_ip_literal(const char *host)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

/*
 * True for a tenant MX endpoint: <name>.mail.protection.outlook.com, or
 * <name>.mx.microsoft (the names Microsoft gives domains added from July
 * 2026, MC1048624); both stay valid.
 */
bool route_is_tenant_mx(const char *host)
{
	static const char *const suffixes[] = { ".mail.protection.outlook.com", ".mx.microsoft" };
	size_t hl = strlen(host);
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t sl = strlen(suffixes[i]);
		if (hl > sl && strcasecmp(host + hl - sl, suffixes[i]) == 0)
			return true;
	}
	return false;
}

/* Check tenant.smarthost. */
void route_check(const struct conf *conf, struct finding_list *out, struct check_report *report)
{
	static const char *const legacy[] = { "mail.messaging.microsoft.com", "mail.global.frontbridge.com" };
	char host[300], shown[201];
	enum attribution_mode mode = conf->tenant.attribution;
	if (conf->tenant.smarthost[0] == '\0') {
		if (report != NULL)
			check_add(report, CHECK_WARN, "smarthost", "tenant.smarthost is empty; set it to the relayhost "
				  "the MTA uses so eopguard can check it");
		return;
	}
	route_host(conf->tenant.smarthost, host, sizeof host);
	strbuf_escape_into(shown, sizeof shown, host, strlen(host));
	char hint[FINDING_HINT_MAX + 1];
	enum finding_id id = FINDING_COUNT;
	if (is_ip_literal(host)) {
		id = FINDING_SMARTHOST_IP;
		snprintf(hint, sizeof hint, "tenant.smarthost %s is an IP address; relay to the tenant's MX host name "
			 "(*.mail.protection.outlook.com or *.mx.microsoft)", shown);
	}
	for (size_t i = 0; i < sizeof legacy / sizeof legacy[0]; i++) {
		if (strcasecmp(host, legacy[i]) == 0) {
			id = FINDING_SMARTHOST_LEGACY;
			snprintf(hint, sizeof hint, "tenant.smarthost %s is a legacy EOP name; relay to the tenant's MX "
				 "host (*.mail.protection.outlook.com or *.mx.microsoft)", shown);
		}
	}
	if (strcasecmp(host, "smtp.office365.com") == 0) {
		id = FINDING_SMARTHOST_SUBMISSION;
		snprintf(hint, sizeof hint, "tenant.smarthost %s is the SMTP AUTH submission endpoint; connector relay "
			 "goes to the tenant's MX host (*.mail.protection.outlook.com or *.mx.microsoft)", shown);
	}
	if (id != FINDING_COUNT) {
		finding_list_add(out, id, mode, hint);
		if (report != NULL)
			check_add(report, CHECK_FAIL, finding_info(id)->name, "%s", hint);
	} else if (report != NULL) {
		check_add(report, CHECK_PASS, "smarthost", "%s is %s", shown, route_is_tenant_mx(host)
			  ? "a tenant MX endpoint" : "a host name, not a legacy or submission endpoint");
	}
}
