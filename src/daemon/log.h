/*
 * log: the daemon's logging to syslog, stderr or a file, one line per call
 * in syslog format ("Nov 23 12:00:00 host eopguard[pid]: text"), the same for
 * every destination so that the same parsers read them.
 *
 * One struct logger lives in the daemon state; it is safe to use from every
 * milter thread. Messages must already be escaped (report.c does that for
 * anything sender-controlled).
 */
#ifndef EOPGUARD_LOG_H
#define EOPGUARD_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <syslog.h>
#include <sys/types.h>
#include <time.h>

struct logger {
	pthread_mutex_t lock;
	bool use_syslog;
	bool also_stderr;     /* -f: stderr as well as the configured log */
	FILE *file;           /* log = path, or stderr for log = stderr */
	bool file_is_stderr;
	int facility;         /* the facility syslog is open with (when use_syslog) */
	char host[64];
	/* lines a full disk (or another write error) kept out of the file */
	unsigned long dropped;
	int dropped_errno;
	time_t dropped_since;
};

/* Before the config is read: stderr only. */
void log_init_stderr(struct logger *lg);
/*
 * Switch to the destination a config asks for ("syslog", "stderr", a path)
 * and facility; the same destination is reopened (after log rotation) and a
 * changed facility takes effect. A file is opened without following a
 * symbolic link, must be a regular file, and is given to owner (the daemon
 * user; (uid_t)-1: leave it) so that the daemon can reopen it after
 * rotation. On failure returns false, keeps the old destination and writes
 * the reason into err.
 */
bool log_open(struct logger *lg, const char *dest, const char *facility, bool foreground, uid_t owner,
	      char *err, size_t errlen);
/* Close files; syslog is closed too. */
void log_close(struct logger *lg);

/* Log one line at a syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO...). */
void log_msg(struct logger *lg, int priority, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
