/*
 * check: configuration checks and the report layout.
 *
 * Does: look at a loaded configuration the way an admin reviewing it would
 * and say what is fine, what is risky and what will fail.
 * Does not: read certificates (the identity checks add their own lines) or
 * print; callers print the formatted text.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "route.h"
#include "tlsid.h"

static const char *const status_words[] = { "PASS", "WARN", "FAIL" };

/* Append one line to the report. */
void check_add(struct check_report *r, enum check_status st, const char *name, const char *fmt, ...)
{
	if (r->count >= CHECK_LINES_MAX)
		return;
	struct check_line *l = &r->lines[r->count++];
	l->status = st;
	snprintf(l->name, sizeof l->name, "%s", name);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->detail, sizeof l->detail, fmt, ap);
	va_end(ap);
}

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

/* The whole report: configuration, smart host, identity. */
void check_all(const struct conf *conf, time_t now, const struct tlsid_reader *reader, struct check_report *r,
	       struct finding_list *findings)
{
	struct finding_list local;
	struct finding_list *out = findings != NULL ? findings : &local;
	finding_list_clear(out);
	check_config(conf, r);
	route_check(conf, out, r);
	tlsid_check(conf, now, reader, out, r);
}

/* Count lines with status st. */
size_t check_count(const struct check_report *r, enum check_status st)
{
	size_t n = 0;
	for (size_t i = 0; i < r->count; i++)
		n += r->lines[i].status == st;
	return n;
}

/* One line per check, then a summary. */
void check_format_text(const struct check_report *r, struct strbuf *out)
{
	for (size_t i = 0; i < r->count; i++) {
		const struct check_line *l = &r->lines[i];
		strbuf_printf(out, "%s %s ", status_words[l->status], l->name);
		strbuf_puts_text(out, l->detail);
		strbuf_putc(out, '\n');
	}
	size_t fails = check_count(r, CHECK_FAIL);
	const char *verdict = fails > 0 ? "EOP would refuse mail from this relay; fix the FAIL lines"
					: "no failure predicted";
	if (r->config_unusable)
		verdict = "the configuration could not be used, so nothing else was checked; fix the FAIL line";
	strbuf_printf(out, "%zu check%s: %zu passed, %zu warning%s, %zu failed: %s\n", r->count,
		      r->count == 1 ? "" : "s", check_count(r, CHECK_PASS), check_count(r, CHECK_WARN),
		      check_count(r, CHECK_WARN) == 1 ? "" : "s", fails, verdict);
}

/* The same report as a JSON document. */
void check_format_json(const struct check_report *r, struct strbuf *out)
{
	strbuf_puts(out, "{\"checks\":[");
	for (size_t i = 0; i < r->count; i++) {
		const struct check_line *l = &r->lines[i];
		strbuf_printf(out, "%s{\"status\":\"%s\",\"name\":\"", i ? "," : "", status_words[l->status]);
		strbuf_puts_json(out, l->name);
		strbuf_puts(out, "\",\"detail\":\"");
		strbuf_puts_json(out, l->detail);
		strbuf_puts(out, "\"}");
	}
	strbuf_printf(out, "],\"summary\":{\"pass\":%zu,\"warn\":%zu,\"fail\":%zu}}\n",
		      check_count(r, CHECK_PASS), check_count(r, CHECK_WARN), check_count(r, CHECK_FAIL));
}
