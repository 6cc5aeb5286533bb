/*
 * identity: the cached judgement of the relay's own identity, and the thread
 * that keeps it fresh.
 *
 * The judgement is an immutable, reference-counted snapshot; the message
 * path takes it with one locked pointer read and never opens a file. The
 * refresher recomputes it at start-up, every identity.recheck_interval
 * seconds, within about two seconds of a change to any of the files, and
 * after a configuration reload; a change of state is logged once.
 */
#ifndef EOPGUARD_IDENTITY_H
#define EOPGUARD_IDENTITY_H

#include <stdatomic.h>
#include <stdbool.h>

#include "check.h"
#include "finding.h"

struct daemon_state;

/* One tenant's identity as judged. */
struct identity_judgement {
	char tenant[CONF_TENANT_NAME_MAX + 1];   /* the tenant's name ("" unnamed): a reload may reorder them */
	struct finding_list findings;   /* what concerns messages (no receive-side findings) */
	bool unverified;                /* a file could not be read: state at most "warn" */
	time_t leaf_not_after;          /* the relay certificate's expiry; 0 when not known */
	enum attribution_mode mode;     /* the attribution the severities were judged under */
	char unverified_reason[CHECK_DETAIL_MAX + 1];
};

struct identity_snap {
	atomic_uint refs;
	size_t n;                            /* tenants judged, in the configuration's order */
	struct identity_judgement t[];
};

/*
 * The judgement of tenant i of conf in snap, or NULL when snap has none for
 * it (a reload changed the tenants and the refresher has not caught up).
 */
const struct identity_judgement *identity_of(const struct identity_snap *snap, const struct conf *conf, size_t i);

/* Compute the first snapshot synchronously (reading files directly). */
void identity_init(struct daemon_state *st);
/* Start the refresher thread; reads go through st->helper when it runs. */
bool identity_start(struct daemon_state *st);
/* Ask the refresher to recompute now (after a reload). */
void identity_wake(struct daemon_state *st);
/* Stop the refresher and free the snapshot. */
void identity_stop(struct daemon_state *st);

/* Pin the current snapshot (never NULL after identity_init). */
struct identity_snap *identity_acquire(struct daemon_state *st);
/* Unpin. */
void identity_release(struct identity_snap *snap);

#endif
