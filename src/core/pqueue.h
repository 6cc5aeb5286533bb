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

#endif
