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

#include "check.h"
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

/* Run every configuration check. */
void check_config(const struct conf *c, struct check_report *r)
{
	check_add(r, CHECK_PASS, "config", "%s parsed and validated", c->path);
	check_tenant(c, r);
	check_rewrite(c, r);
	check_daemon(c, r);
}

/* The smart host and the relay's TLS identity: what the identity refresher caches. */
void check_identity(const struct conf *conf, time_t now, const struct tlsid_reader *reader,
		    struct finding_list *findings, struct check_report *r, struct tlsid_result *result)
{
	finding_list_clear(findings);
	route_check(conf, findings, r);
	tlsid_check(conf, now, reader, findings, r, result);
}

/* The whole report: configuration, smart host, identity. */
void check_all(const struct conf *conf, time_t now, const struct tlsid_reader *reader, struct check_report *r,
	       struct finding_list *findings)
{
	struct finding_list local;
	check_config(conf, r);
	check_identity(conf, now, reader, findings != NULL ? findings : &local, r, NULL);
}

