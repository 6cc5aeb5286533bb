/*
 * feedbackd: the daemon's closed loop: a thread that follows the relay's
 * mail log (feedback.log: a file or the journal), feeds each line to
 * src/core/feedback.c, logs what EOP really answered and drives the
 * breakers of src/core/breaker.c, which the message path consults.
 *
 * All feedback and breaker state sits behind one mutex; the message path
 * takes it twice per message for a table lookup, never for I/O.
 */
#ifndef EOPGUARD_FEEDBACKD_H
#define EOPGUARD_FEEDBACKD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "breaker.h"
#include "feedback.h"

struct daemon_state;

struct feedbackd {
	pthread_mutex_t lock;          /* guards fb and breaker */
	struct feedback *fb;
	struct breaker *breaker;
	pthread_t thread;
	bool running;
	atomic_ullong refusals, misses, trips;   /* for metrics_file */
	atomic_uint open_relay, open_domains;    /* breakers open or half-open now */
};

/* Allocate the state (before any thread); false when out of memory. */
bool feedbackd_init(struct daemon_state *st);
/* Start the follower thread (it idles while feedback.log is ""). */
bool feedbackd_start(struct daemon_state *st);
/* Stop the thread (st->stopping must be set) and free the state. */
void feedbackd_stop(struct daemon_state *st);

struct conf;
/*
 * A new message from sender_domain (may be "") of tenant (its index in conf,
 * -1 for none): should it get observed-refusal?
 */
void feedbackd_admit(struct daemon_state *st, const struct conf *conf, int tenant, const char *sender_domain,
		     struct breaker_verdict *v);
/* The milter let qid go on with this prediction (an NDR reply, NULL for pass). */
void feedbackd_note(struct daemon_state *st, const char *qid, const char *sender_domain, const char *predicted);
/* Close every breaker and say why ("reload", "identity-change", "release"); takes the new open_for. */
void feedbackd_close_all(struct daemon_state *st, const char *why, long open_for);

#endif
