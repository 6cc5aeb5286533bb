/*
 * journal: the mail programs' lines of the systemd journal, as log lines
 * with real (RFC 3339, UTC) timestamps, for eopguardctl review --journal;
 * written so that the daemon's feedback follower can use it too.
 *
 * Selects entries whose SYSLOG_IDENTIFIER is Postfix's (postfix/...,
 * postfix-...), Sendmail's (sendmail, sm-mta, sm-msp-queue) or eopguard's,
 * and hands each as "2026-11-30T10:00:00.123456+00:00 host ident[pid]:
 * message" to a callback. Reads the system journal, or the journal files
 * named (for a copied journal, and for tests).
 */
#ifndef EOPGUARD_JOURNAL_H
#define EOPGUARD_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct journal_source {
	const char *const *files;   /* journal files to read; NULL: the system journal */
	size_t n_files;
	time_t since;               /* start here (0: from the oldest entry) */
};

typedef void (*journal_line_fn)(void *ctx, const char *line, size_t len);

/* True when a SYSLOG_IDENTIFIER belongs to a mail program review reads. */
bool journal_identifier_is_mail(const char *ident, size_t len);

/*
 * Feed the selected entries to fn, oldest first. False with the reason in
 * err when the journal cannot be opened or read (no journal files, no
 * permission).
 */
bool journal_feed(const struct journal_source *src, journal_line_fn fn, void *ctx, unsigned long long *entries,
		  char *err, size_t errlen);

typedef bool (*journal_stop_fn)(void *ctx);

/*
 * Follow the journal from its end: each new mail entry goes to fn until
 * stop returns true (it is asked at least twice a second). False with the
 * reason in err when the journal cannot be opened or read.
 */
bool journal_follow(const struct journal_source *src, journal_line_fn fn, void *ctx, journal_stop_fn stop,
		    void *stop_ctx, char *err, size_t errlen);

#endif
