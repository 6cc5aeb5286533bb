/*
 * breaker: per-scope circuit breakers fed by EOP's real answers.
 *
 * Does: the closed -> open -> half-open -> closed state machine for the
 * relay and for each envelope sender domain, and the escaping of EOP's
 * reply as kept. Does not: read logs, decide which replies count (feedback.c
 * and the NDR table do), lock, or log.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "breaker.h"

const char *breaker_state_name(enum breaker_state s)
{
	static const char *const names[] = { "closed", "open", "half-open" };
	return names[s];
}

const char *breaker_scope_name(enum breaker_scope s)
{
	return s == BREAKER_SCOPE_RELAY ? "relay" : "domain";
}

void breaker_init(struct breaker *b, long open_for)
{
	memset(b, 0, sizeof *b);
	b->open_for = open_for;
}

void breaker_escape(const char *text, size_t len, char *out, size_t outlen)
{
	size_t o = 0;
	if (outlen == 0)
		return;
	for (size_t i = 0; i < len && text[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)text[i];
		bool quote = ch == '"' || ch == '\\';
		if (o + (quote ? 2 : 1) >= outlen)
			break;
		if (quote)
			out[o++] = '\\';
		out[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	out[o] = '\0';
}

/* Bounded copy of a short token (cause, domain) that keeps only [A-Za-z0-9.-]. */
static void copy_token(char *out, size_t outlen, const char *in)
{
	size_t o = 0;
	for (; in != NULL && *in != '\0' && o + 1 < outlen; in++) {
		unsigned char ch = (unsigned char)*in;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
		    ch == '-')
			out[o++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
	}
	out[o] = '\0';
}

/* Fill a change record from an entry. */
static void note_change(struct breaker_change *chg, const struct breaker_entry *e, enum breaker_scope scope, int tenant)
{
	memset(chg, 0, sizeof *chg);
	chg->changed = true;
	chg->state = e->state;
	chg->scope = scope;
	chg->tenant = tenant;
	memcpy(chg->domain, e->domain, sizeof chg->domain);
	memcpy(chg->cause, e->cause, sizeof chg->cause);
	memcpy(chg->reply, e->reply, sizeof chg->reply);
}

/* The entry of a domain, or NULL. */
static struct breaker_entry *domain_entry(struct breaker *b, const char *domain)
{
	if (domain == NULL || domain[0] == '\0')
		return NULL;
	for (size_t i = 0; i < BREAKER_DOMAINS_MAX; i++) {
		if (b->domains[i].domain[0] != '\0' && strcasecmp(b->domains[i].domain, domain) == 0)
			return &b->domains[i];
	}
	return NULL;
}

/* A slot for a new domain: a free or closed one, else the one that changed state longest ago. */
static struct breaker_entry *domain_slot(struct breaker *b)
{
	struct breaker_entry *oldest = &b->domains[0];
	for (size_t i = 0; i < BREAKER_DOMAINS_MAX; i++) {
		struct breaker_entry *e = &b->domains[i];
		if (e->domain[0] == '\0' || e->state == BREAKER_CLOSED)
			return e;
		if (e->since < oldest->since)
			oldest = e;
	}
	return oldest;
}

/* Open one entry (an open one stays as it is); true when it changed. */
static bool open_entry(struct breaker_entry *e, const char *cause, const char *reply, size_t reply_len, time_t now)
{
	if (e->state == BREAKER_OPEN)
		return false;
	e->state = BREAKER_OPEN;
	e->since = now;
	e->let_through = 0;
	e->trips++;
	copy_token(e->cause, sizeof e->cause, cause);
	breaker_escape(reply, reply_len, e->reply, sizeof e->reply);
	return true;
}

/* A tenant index in range, or -1. */
static int tenant_index(int tenant)
{
	return tenant >= 0 && tenant < BREAKER_TENANTS_MAX ? tenant : -1;
}

void breaker_refused(struct breaker *b, enum breaker_scope scope, int tenant, const char *domain, const char *cause,
		     const char *reply, size_t reply_len, time_t now, struct breaker_change *chg)
{
	memset(chg, 0, sizeof *chg);
	char dom[DOMAIN_MAX + 1];
	copy_token(dom, sizeof dom, domain);
	int t = tenant_index(tenant);
	if (scope == BREAKER_SCOPE_DOMAIN && dom[0] == '\0')
		scope = BREAKER_SCOPE_RELAY;
	if (scope == BREAKER_SCOPE_RELAY && t < 0)
		return;
	struct breaker_entry *e = scope == BREAKER_SCOPE_RELAY ? &b->relay[t] : domain_entry(b, dom);
	if (e == NULL) {
		e = domain_slot(b);
		memset(e, 0, sizeof *e);
		memcpy(e->domain, dom, sizeof e->domain);
	}
	if (open_entry(e, cause, reply, reply_len, now))
		note_change(chg, e, scope, t);
}

/* Close one entry, reporting it when it was not closed. */
static void close_entry(struct breaker_entry *e, enum breaker_scope scope, int tenant, time_t now,
			struct breaker_change *chg)
{
	memset(chg, 0, sizeof *chg);
	if (e == NULL || e->state == BREAKER_CLOSED)
		return;
	e->state = BREAKER_CLOSED;
	e->since = now;
	e->let_through = 0;
	note_change(chg, e, scope, tenant);
}

void breaker_accepted(struct breaker *b, int tenant, const char *domain, time_t now, struct breaker_change chg[2])
{
	int t = tenant_index(tenant);
	close_entry(t >= 0 ? &b->relay[t] : NULL, BREAKER_SCOPE_RELAY, t, now, &chg[0]);
	close_entry(domain_entry(b, domain), BREAKER_SCOPE_DOMAIN, t, now, &chg[1]);
}

/*
 * Judge one entry for a new message: true when the message must be refused.
 * An open entry whose time is up turns half-open and lets this one through.
 */
static bool entry_refuses(struct breaker *b, struct breaker_entry *e, enum breaker_scope scope, int tenant, time_t now,
			  struct breaker_change *chg)
{
	if (e == NULL || e->state == BREAKER_CLOSED)
		return false;
	if (e->state == BREAKER_OPEN) {
		if (now - e->since < b->open_for)
			return true;
		e->state = BREAKER_HALF_OPEN;
		e->since = now;
		e->let_through = now;
		note_change(chg, e, scope, tenant);
		return false;
	}
	/* half-open: one trial message per open_for while no answer came back */
	if (now - e->let_through < b->open_for)
		return true;
	e->let_through = now;
	return false;
}

void breaker_admit(struct breaker *b, int tenant, const char *domain, time_t now, struct breaker_verdict *v,
		   struct breaker_change *chg)
{
	memset(v, 0, sizeof *v);
	memset(chg, 0, sizeof *chg);
	struct breaker_entry *hit = NULL;
	enum breaker_scope scope = BREAKER_SCOPE_RELAY;
	int t = tenant_index(tenant);
	struct breaker_entry *relay = t >= 0 ? &b->relay[t] : NULL;
	if (entry_refuses(b, relay, BREAKER_SCOPE_RELAY, t, now, chg)) {
		hit = relay;
	} else if (!chg->changed) {
		struct breaker_entry *d = domain_entry(b, domain);
		if (entry_refuses(b, d, BREAKER_SCOPE_DOMAIN, t, now, chg)) {
			hit = d;
			scope = BREAKER_SCOPE_DOMAIN;
		}
	}
	if (hit == NULL)
		return;
	v->refuse = true;
	v->scope = scope;
	memcpy(v->cause, hit->cause, sizeof v->cause);
	memcpy(v->reply, hit->reply, sizeof v->reply);
}

size_t breaker_close_all(struct breaker *b, time_t now, breaker_change_fn fn, void *ctx)
{
	size_t n = 0;
	struct breaker_change chg;
	for (size_t i = 0; i < BREAKER_DOMAINS_MAX + BREAKER_TENANTS_MAX; i++) {
		if (i >= BREAKER_DOMAINS_MAX)
			close_entry(&b->relay[i - BREAKER_DOMAINS_MAX], BREAKER_SCOPE_RELAY, (int)(i - BREAKER_DOMAINS_MAX),
				    now, &chg);
		else
			close_entry(&b->domains[i], BREAKER_SCOPE_DOMAIN, -1, now, &chg);
		if (chg.changed) {
			n++;
			if (fn != NULL)
				fn(ctx, &chg);
		}
	}
	return n;
}

size_t breaker_count(const struct breaker *b, enum breaker_state state)
{
	size_t n = 0;
	for (size_t i = 0; i < BREAKER_TENANTS_MAX; i++)
		n += b->relay[i].state == state;
	for (size_t i = 0; i < BREAKER_DOMAINS_MAX; i++)
		n += b->domains[i].domain[0] != '\0' && b->domains[i].state == state;
	return n;
}
