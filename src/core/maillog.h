/*
 * maillog: one mail log line -> one event, for eopguardctl review.
 *
 * Understands Postfix (any instance name: postfix/, postfix-out/, ...),
 * Sendmail (sm-mta, sendmail) and eopguard lines, with classic syslog
 * ("Nov 23 10:00:01") or ISO-8601 / RFC 5424 timestamps. Lines of other
 * programs are recognised cheaply and skipped.
 *
 * Pure and allocation-free: the event's strings are slices (pointer and
 * length) into the caller's line, valid while the line is.
 */
#ifndef EOPGUARD_MAILLOG_H
#define EOPGUARD_MAILLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct slice {
	const char *p;
	size_t n;
};

enum maillog_kind {
	ML_SKIP,            /* another program, or a line of no interest */
	ML_MALFORMED,       /* a mail line we could not parse */
	ML_DELIVERY,        /* to=..., status=sent|deferred|bounced|expired (Postfix smtp/lmtp/error/local...) */
	ML_FROM,            /* qmgr "from=<...>, size=" / sendmail "from=<...>" */
	ML_CLIENT,          /* smtpd "client=host[ip]" */
	ML_REMOVED,         /* qmgr "removed" */
	ML_EXPIRED,         /* qmgr "status=expired, returned to sender" */
	ML_MILTER_REJECT,   /* cleanup/smtpd milter-reject, sendmail "Milter: ... reject=" */
	ML_MILTER_HOLD,     /* cleanup milter-hold, sendmail quarantine */
	ML_NOQUEUE_REJECT,  /* smtpd "NOQUEUE: reject:" */
	ML_EOPGUARD,        /* eopguard's per-message line */
};

enum maillog_status { MS_NONE, MS_SENT, MS_DEFERRED, MS_BOUNCED, MS_EXPIRED };

struct maillog_event {
	enum maillog_kind kind;
	time_t when;             /* 0 when the timestamp could not be read */
	bool local_time;         /* a classic syslog stamp: local time, read as if UTC */
	struct slice qid;        /* queue id, empty for NOQUEUE */
	struct slice to, from;   /* addresses without <> */
	struct slice relay;      /* next hop, or the client host for ML_CLIENT / rejects */
	struct slice dsn;        /* "5.7.64" from dsn= (deliveries) */
	struct slice reply;      /* the remote reply or the milter's reply text */
	enum maillog_status status;
	/* ML_EOPGUARD */
	struct slice verdict;    /* "pass" | "warn" | "fail" */
	struct slice findings;   /* "a,b" or "-" */
};

/*
 * Parse one line (without its newline; a trailing CR is ignored). year is
 * used for classic syslog timestamps, which carry none.
 */
void maillog_parse(const char *line, size_t len, int year, struct maillog_event *ev);

/* Seconds since the epoch for an ISO date "2026-11-23", "2026-11-23T10:00[:00][Z|+hh:mm]"; -1 when invalid. */
time_t maillog_parse_iso(const char *s, size_t n);

#endif
