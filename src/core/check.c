/*
 * check: configuration checks, and the function that runs every check.
 *
 * Does: look at a loaded configuration the way an admin reviewing it would
 * and say what is fine, what is risky and what will fail; run the smart host
 * and identity checks after it (check_identity, check_all).
 * Does not: read certificates itself (tlsid does), format or print the
 * report (checkreport formats, callers print).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "check.h"
#include "export.h"
#include "route.h"
#include "tlsid.h"

/* Accepted domains and the attribution mode. */
static void check_tenant(const struct conf *c, struct check_report *r)
{
	size_t n = domain_set_count(c->tenant.accepted);
	char first[DOMAIN_MAX + 3];
	domain_set_entry(c->tenant.accepted, 0, first, sizeof first);
	check_add(r, CHECK_PASS, "accepted-domains", "%zu accepted domain%s (first: %s)", n, n == 1 ? "" : "s",
		  first);
	if (c->tenant.attribution == ATTRIBUTION_CERTIFICATE)
		check_add(r, CHECK_PASS, "attribution",
			  "certificate: the relay is identified by its certificate (%s)", c->tenant.certificate_domain);
	else
		check_add(r, CHECK_PASS, "attribution",
			  "ip: the relay is identified by its IP; envelope senders must be in accepted domains");
}

/* The sender policy with the rewrite setting. */
static void check_rewrite(const struct conf *c, struct check_report *r)
{
	/* Only with attribution = ip is a sender outside the accepted domains a failure. */
	if (c->policy.sender_not_accepted != ACTION_REWRITE || c->tenant.attribution != ATTRIBUTION_IP)
		return;
	if (c->rewrite_sender[0] == '\0')
		check_add(r, CHECK_WARN, "rewrite-sender",
			  "policy.sender_not_accepted = rewrite but rewrite.sender is empty: such mail is deferred; "
			  "set rewrite.sender to an address in an accepted domain");
	else
		check_add(r, CHECK_PASS, "rewrite-sender", "senders outside the accepted domains become <%s>",
			  c->rewrite_sender);
}

/* dry_run and the socket. */
static void check_daemon(const struct conf *c, struct check_report *r)
{
	if (c->dry_run)
		check_add(r, CHECK_WARN, "dry-run", "dry_run = true: every action is reduced to annotate");
	check_add(r, CHECK_PASS, "socket", "%s", c->socket);
}

/* Run every configuration check (with several tenants, the per-tenant ones run in check_all). */
void check_config(const struct conf *c, struct check_report *r)
{
	check_add(r, CHECK_PASS, "config", "%s parsed and validated", c->path);
	if (c->n_tenants > 1) {
		char names[CHECK_DETAIL_MAX + 1] = "";
		size_t len = 0;
		for (size_t i = 0; i < c->n_tenants && len < sizeof names; i++) {
			const char *name = conf_tenant_name(c, i);
			int w = snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "", name[0] ? name : "(unnamed)");
			len += w > 0 ? (size_t)w : 0;
		}
		check_add(r, CHECK_PASS, "tenants", "%zu tenants, each checked on its own below: %s", c->n_tenants, names);
	} else {
		check_tenant(c, r);
		check_rewrite(c, r);
	}
	check_daemon(c, r);
}

/* "2026-11-30" of a time, for report lines. */
static void day_text(time_t t, char *out, size_t len)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d", &tm);
}

/*
 * tenant.export against eopguard.conf: where the accepted domains came
 * from, what eopguard.conf says that the tenant does not, the connector
 * names, the export's age (also against the certificate file's last
 * change, read through reader).
 */
static void check_export(const struct conf *c, time_t now, const struct tlsid_reader *reader, struct check_report *r)
{
	const struct tenant_export *e = c->tenant.export;
	if (e == NULL)
		return;
	char day[16], entry[DOMAIN_MAX + 3];
	size_t here = domain_set_count(c->tenant.accepted_here), all = domain_set_count(c->tenant.accepted);
	if (e->exported_at != 0)
		day_text(e->exported_at, day, sizeof day);
	check_add(r, CHECK_PASS, "export", "%s (exported %s): %zu accepted domain%s, %zu inbound connector%s; "
		  "eopguard.conf adds %zu entr%s", c->tenant.export_path, e->exported_at != 0 ? day : "at an unknown date",
		  e->n_domains, e->n_domains == 1 ? "" : "s", e->n_connectors, e->n_connectors == 1 ? "" : "s",
		  all > here ? all - here : 0, all - here == 1 ? "y" : "ies");
	for (size_t i = 0; i < here; i++) {
		domain_set_entry(c->tenant.accepted_here, i, entry, sizeof entry);
		bool wildcard = entry[0] == '*';
		const char *name = wildcard ? entry + 2 : entry;
		const struct export_domain *d = NULL;
		for (size_t k = 0; k < e->n_domains && d == NULL; k++)
			d = strcmp(e->domains[k].name, name) == 0 ? &e->domains[k] : NULL;
		if (d == NULL)
			check_add(r, CHECK_WARN, "export-domains", "eopguard.conf accepts %s, which the tenant export does "
				  "not list: add it in the tenant (New-AcceptedDomain -Name %s -DomainName %s%s) or remove "
				  "it from eopguard.conf", entry, name, name,
				  wildcard ? ", with Set-AcceptedDomain -MatchSubDomains $true for its subdomains" : "");
		else if (wildcard && !d->match_subdomains)
			check_add(r, CHECK_WARN, "export-domains", "eopguard.conf accepts %s, but the tenant accepts %s "
				  "without its subdomains: Set-AcceptedDomain -Identity %s -MatchSubDomains $true, or remove "
				  "%s from eopguard.conf", entry, name, name, entry);
	}
	for (size_t k = 0; k < e->n_domains; k++) {
		if (e->domains[k].sending_disabled)
			check_add(r, CHECK_WARN, "export-sending-disabled", "%s is accepted but may not send "
				  "(SendingFromDomainDisabled), so it is not used for attribution", e->domains[k].name);
	}
	const char *want = c->tenant.certificate_domain;
	if (c->tenant.attribution == ATTRIBUTION_CERTIFICATE && want[0] != '\0') {
		bool same = false;
		for (size_t k = 0; k < e->n_connectors && !same; k++)
			same = strcasecmp(e->connectors[k].cert_name, want) == 0;
		if (!same)
			check_add(r, CHECK_WARN, "export-connector", "tenant.certificate_domain %s differs from every "
				  "connector's TlsSenderCertificateName in the export; set it to the connector's", want);
	}
	if (e->exported_at == 0)
		check_add(r, CHECK_WARN, "export-age", "the export does not say when it was made (no ExportedAt); "
			  "export it again with contrib/exchange/export-tenant.ps1");
	else if (now - e->exported_at > c->tenant.export_max_age * 86400L)
		check_add(r, CHECK_WARN, "export-age", "the export is %ld days old (tenant.export_max_age = %ld); export "
			  "the tenant again", (long)((now - e->exported_at) / 86400), c->tenant.export_max_age);
	if (e->exported_at != 0 && c->identity.client_cert[0] != '\0' && reader != NULL) {
		struct tlsid_file f;
		reader->read(reader->ctx, c->identity.client_cert, &f);
		if (f.err == 0 && f.mtime > e->exported_at) {
			day_text(f.mtime, day, sizeof day);
			check_add(r, CHECK_WARN, "export-age", "identity.client_cert changed on %s, after the export: if "
				  "the connector was changed for it, export the tenant again", day);
		}
		tlsid_file_free(&f);
	}
	if (e->reject_direct_send == 1)
		check_add(r, CHECK_PASS, "export-direct-send", "RejectDirectSend is on: mail from the tenant's domains "
			  "that matches no inbound connector is refused (5.7.68)");
}

/* The smart host and the relay's TLS identity: what the identity refresher caches. */
void check_identity(const struct conf *conf, time_t now, const struct tlsid_reader *reader,
		    struct finding_list *findings, struct check_report *r, struct tlsid_result *result)
{
	finding_list_clear(findings);
	route_check(conf, findings, r);
	tlsid_check(conf, now, reader, findings, r, result);
}

/* "tenant NAME: " before the details of report lines from..count. */
static void prefix_tenant(struct check_report *r, size_t from, const char *name)
{
	for (size_t i = from; i < r->count; i++) {
		char detail[CHECK_DETAIL_MAX + 1];
		snprintf(detail, sizeof detail, "tenant %s: %s", name[0] ? name : "(unnamed)", r->lines[i].detail);
		memcpy(r->lines[i].detail, detail, sizeof detail);
	}
}

/* Fold one tenant's identity result into the whole: the earliest expiry, any unverified file, any internal error. */
static void merge_result(struct tlsid_result *all, const struct tlsid_result *one, bool first)
{
	if (first) {
		*all = *one;
		return;
	}
	if (all->internal_errno == 0)
		all->internal_errno = one->internal_errno;
	if (one->unverified && !all->unverified) {
		all->unverified = true;
		memcpy(all->unverified_reason, one->unverified_reason, sizeof all->unverified_reason);
	}
	if (one->leaf_not_after != 0 && (all->leaf_not_after == 0 || one->leaf_not_after < all->leaf_not_after))
		all->leaf_not_after = one->leaf_not_after;
}

/* The whole report: configuration, then each tenant's accepted domains, export, smart host and identity. */
void check_all(const struct conf *conf, time_t now, const struct tlsid_reader *reader, struct check_report *r,
	       struct finding_list *findings, struct tlsid_result *result)
{
	struct finding_list local, one;
	struct tlsid_result res, merged;
	memset(&merged, 0, sizeof merged);
	check_config(conf, r);
	if (findings == NULL)
		findings = &local;
	finding_list_clear(findings);
	size_t n = conf->n_tenants > 1 ? conf->n_tenants : 1;
	for (size_t t = 0; t < n; t++) {
		const struct conf *view = conf_tenant_view(conf, t);
		size_t from = r->count;
		if (n > 1) {
			check_tenant(view, r);
			check_rewrite(view, r);
		}
		check_export(view, now, reader, r);
		check_identity(view, now, reader, &one, r, &res);
		if (n > 1)
			prefix_tenant(r, from, conf_tenant_name(conf, t));
		for (size_t i = 0; i < one.count; i++)
			finding_list_add(findings, one.items[i].id, view->tenant.attribution, one.items[i].hint);
		merge_result(&merged, &res, t == 0);
	}
	if (result != NULL)
		*result = merged;
}

