/*
 * breaker: what EOP really answered, turned into a decision for new mail.
 *
 * A refusal eopguard did not predict opens a breaker for its scope: the
 * whole relay (identity, IP attribution, route, Direct Send causes; with
 * several tenants, the relay as one tenant's: its certificate, its
 * connector) or one envelope sender domain (sender causes). While it is open, new mail in
 * that scope gets the observed-refusal finding. After open_for seconds one
 * message is let through (half-open); EOP accepting a delivery closes the
 * breaker, another refusal opens it again. A reload, an identity change or
 * eopguardctl release close every breaker at once.
 *
 * Pure: time is passed in, nothing here locks, logs or allocates; the
 * daemon holds a mutex around every call and logs the changes reported in
 * struct breaker_change. Domains are kept in a fixed table of
 * BREAKER_DOMAINS_MAX entries; when it is full the oldest entry is reused.
 */
#ifndef EOPGUARD_BREAKER_H
#define EOPGUARD_BREAKER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "domains.h"

#define BREAKER_DOMAINS_MAX 256
#define BREAKER_TENANTS_MAX 32     /* one relay entry per tenant (CONF_TENANTS_MAX) */
#define BREAKER_REPLY_MAX 300      /* EOP's reply as kept: printable ASCII, quotes and backslashes escaped */
#define BREAKER_CAUSE_MAX 15       /* "5.7.64" */

enum breaker_state { BREAKER_CLOSED, BREAKER_OPEN, BREAKER_HALF_OPEN };
enum breaker_scope { BREAKER_SCOPE_RELAY, BREAKER_SCOPE_DOMAIN };

struct breaker_entry {
	enum breaker_state state;
	char domain[DOMAIN_MAX + 1];            /* "" for the relay entry and for free slots */
	char cause[BREAKER_CAUSE_MAX + 1];
	char reply[BREAKER_REPLY_MAX + 1];
	time_t since;                           /* when the state was entered */
	time_t let_through;                     /* half-open: when the last trial message went (0: none yet) */
	unsigned long long trips;
};

struct breaker {
	long open_for;
	struct breaker_entry relay[BREAKER_TENANTS_MAX];   /* [0] with one tenant */
	struct breaker_entry domains[BREAKER_DOMAINS_MAX];
};

/* One state change, for the log line and the metrics. */
struct breaker_change {
	bool changed;
	enum breaker_state state;
	enum breaker_scope scope;
	int tenant;                             /* relay scope: whose relay entry */
	char domain[DOMAIN_MAX + 1];
	char cause[BREAKER_CAUSE_MAX + 1];
	char reply[BREAKER_REPLY_MAX + 1];
};

/* What a new message gets. */
struct breaker_verdict {
	bool refuse;                            /* give it observed-refusal */
	enum breaker_scope scope;
	char cause[BREAKER_CAUSE_MAX + 1];
	char reply[BREAKER_REPLY_MAX + 1];      /* already escaped for a quoted header/log value */
};

const char *breaker_state_name(enum breaker_state s);
const char *breaker_scope_name(enum breaker_scope s);

/* All closed, with the given open time in seconds. */
void breaker_init(struct breaker *b, long open_for);

/*
 * EOP refused a delivery with reply (raw text, escaped here) for cause
 * ("5.7.64"). tenant is the index of the sender's tenant (0 with one
 * tenant); a relay cause opens that tenant's relay entry. domain is the
 * envelope sender's domain (may be "" when unknown: a domain cause then
 * falls back to the relay scope). An open breaker stays as it is (many
 * queued messages refused alike trip once).
 */
void breaker_refused(struct breaker *b, enum breaker_scope scope, int tenant, const char *domain, const char *cause,
		     const char *reply, size_t reply_len, time_t now, struct breaker_change *chg);

/*
 * EOP accepted a delivery from domain (may be "") of tenant (a negative
 * index: none known): closes that tenant's relay entry and the domain's. Up
 * to two changes are reported (relay, then domain).
 */
void breaker_accepted(struct breaker *b, int tenant, const char *domain, time_t now, struct breaker_change chg[2]);

/*
 * A new message from domain of tenant (negative: none) arrives. An open
 * breaker whose open_for has passed turns half-open and lets this message
 * through (reported in chg); a half-open one lets one message through per
 * open_for.
 */
void breaker_admit(struct breaker *b, int tenant, const char *domain, time_t now, struct breaker_verdict *v,
		   struct breaker_change *chg);

typedef void (*breaker_change_fn)(void *ctx, const struct breaker_change *chg);

/*
 * Close everything (reload, identity change, release); fn (may be NULL) is
 * called for each breaker that was not closed. Returns how many there were.
 */
size_t breaker_close_all(struct breaker *b, time_t now, breaker_change_fn fn, void *ctx);

/* Number of breakers in a state (each tenant's relay entry counts as one). */
size_t breaker_count(const struct breaker *b, enum breaker_state state);

/* Copy text into out (at most outlen - 1 bytes) with control bytes as '?', '"' and '\\' escaped. */
void breaker_escape(const char *text, size_t len, char *out, size_t outlen);

#endif
