/*
 * pqueue: Postfix's queue listing (postqueue -j, one JSON object a line)
 * read into entries, and the question eopguardctl release asks of each:
 * does this message wait because of EOP (held by eopguard, or deferred with
 * an attribution, identity or route refusal as its last reply)?
 *
 * Pure: the caller runs postqueue and hands in its lines. Every string
 * from the queue is untrusted; entries keep it bounded and escaped
 * (printable ASCII, quotes and backslashes escaped).
 */
#ifndef EOPGUARD_PQUEUE_H
#define EOPGUARD_PQUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"

#define PQUEUE_ID_MAX 31
#define PQUEUE_REASON_MAX 300

enum pqueue_queue { PQ_OTHER, PQ_HOLD, PQ_DEFERRED, PQ_ACTIVE, PQ_INCOMING };

struct pqueue_entry {
	enum pqueue_queue queue;
	char queue_id[PQUEUE_ID_MAX + 1];         /* letters and digits only */
	char sender[ADDR_PATH_MAX + 1];           /* escaped; "" for <> */
	size_t recipients;
	char reason[PQUEUE_REASON_MAX + 1];       /* the attribution delay_reason (escaped), else the first */
	char cause[16];                           /* "5.7.64" when the reason is a breaker cause, else "" */
};

/* Parse one line of postqueue -j; false when it is not a queue entry (the reason in err). */
bool pqueue_parse_line(const char *line, size_t len, struct pqueue_entry *e, char *err, size_t errlen);

/* "hold", "deferred", ... */
const char *pqueue_queue_name(enum pqueue_queue q);

typedef void (*pqueue_entry_fn)(void *ctx, const struct pqueue_entry *e);

/*
 * Sendmail's queue listing (mailq, or mailq -qQ for the quarantine): one
 * entry per message, quarantined ones in PQ_HOLD with the reason in
 * e->reason ("eopguard: sender-not-accepted"), the others in PQ_DEFERRED with
 * the last reply ("Deferred: 451 ...") in e->reason and its breaker cause in
 * e->cause. quarantine says which listing it is. Returns the entries found.
 */
size_t pqueue_parse_mailq(const char *text, size_t len, bool quarantine, pqueue_entry_fn fn, void *ctx);

#endif
