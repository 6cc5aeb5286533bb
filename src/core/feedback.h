/*
 * feedback: the relay's own delivery log lines -> what EOP answered.
 *
 * Each line of the followed mail log (file or journal) goes through
 * feedback_line(). Deliveries whose relay= matches feedback.smarthost_match
 * become an outcome: accepted, refused for a cause the NDR table marks as a
 * breaker cause (with its scope), or refused for another reason (never acted
 * on). The milter tells feedback_note() what it predicted for each queue id,
 * and qmgr's from= lines tell the sender's domain, so that an outcome says
 * what had been predicted.
 *
 * Pure: no I/O, no locking, no allocation; the queue id table is a fixed
 * hash of FEEDBACK_TRACK_MAX slots where a newer id may overwrite an older
 * one (its prediction is then "unknown", never a wrong one).
 */
#ifndef EOPGUARD_FEEDBACK_H
#define EOPGUARD_FEEDBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "breaker.h"
#include "conf.h"
#include "domains.h"

#define FEEDBACK_TRACK_MAX 8192
#define FEEDBACK_QID_MAX 31

struct feedback_track {
	char qid[FEEDBACK_QID_MAX + 1];         /* "" for a free slot */
	char domain[DOMAIN_MAX + 1];            /* envelope sender's domain, "" when unknown or <> */
	bool judged;                            /* the milter judged it (predicted is meaningful) */
	const char *predicted;                  /* the NDR reply eopguard predicted (static), NULL: pass */
};

struct feedback {
	struct feedback_track track[FEEDBACK_TRACK_MAX];
};

enum feedback_kind {
	FEEDBACK_NONE,        /* not a delivery to EOP */
	FEEDBACK_ACCEPTED,    /* EOP took it */
	FEEDBACK_REFUSED,     /* EOP refused it for a breaker cause */
	FEEDBACK_OTHER        /* EOP refused or deferred it for another reason (recipient, content...) */
};

struct feedback_outcome {
	enum feedback_kind kind;
	char qid[FEEDBACK_QID_MAX + 1];         /* letters and digits only */
	char domain[DOMAIN_MAX + 1];
	enum breaker_scope scope;               /* FEEDBACK_REFUSED */
	char cause[BREAKER_CAUSE_MAX + 1];      /* "5.7.64" */
	const char *reply;                      /* EOP's reply, raw slice into the line (reply_len bytes), */
	size_t reply_len;                       /* without Postfix's "host ... said: " and "(in reply to ...)" */
	const char *predicted;                  /* "pass", "unknown" or the predicted NDR reply */
	bool miss;                              /* predicted pass, yet refused: prediction-miss */
	bool unpredicted;                       /* not predicted (pass, or never judged here): trips the breaker */
};

void feedback_init(struct feedback *fb);

/* The milter judged qid: predicted is the NDR reply it predicted, or NULL for pass. */
void feedback_note(struct feedback *fb, const char *qid, const char *sender_domain, const char *predicted);

/* True when a log relay= value ("host[ip]:port") is one of the patterns. */
bool feedback_relay_matches(const struct conf_feedback *conf, const char *relay, size_t len);

/*
 * One log line (without its newline). Fills out; the outcome's reply points
 * into line and is valid while it is.
 */
void feedback_line(struct feedback *fb, const struct conf_feedback *conf, const char *line, size_t len,
		   struct feedback_outcome *out);

#endif
