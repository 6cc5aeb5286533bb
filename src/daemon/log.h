/*
 * log: the daemon's logging to syslog, stderr or a file (contract section 7).
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

struct logger {
	pthread_mutex_t lock;
	bool use_syslog;
	bool also_stderr;     /* -f: stderr as well as the configured log */
	FILE *file;           /* log = path, or stderr for log = stderr */
	bool file_is_stderr;
	char host[64];
};

/* Before the config is read: stderr only. */
void log_init_stderr(struct logger *lg);
/*
 * Switch to the destination a config asks for ("syslog", "stderr", a path).
 * On failure returns false, keeps the old destination and writes the reason
 * into err.
 */
bool log_open(struct logger *lg, const char *dest, const char *facility, bool foreground, char *err,
	      size_t errlen);
/* Close files; syslog is closed too. */
void log_close(struct logger *lg);

/* Log one line at a syslog priority (LOG_ERR, LOG_WARNING, LOG_INFO...). */
void log_msg(struct logger *lg, int priority, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
