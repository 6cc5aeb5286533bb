/*
 * log: syslog, stderr or file output for the daemon.
 *
 * Does: one line per call, with a syslog-style prefix for files and stderr
 * ("Nov 23 12:00:00 host eopguard[pid]: ..."), so the same parsers read
 * every destination. Does not: escape (callers pass safe text) or rotate
 * (a reload re-opens the file, for logrotate's postrotate).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/* Start with stderr as the only destination. */
void log_init_stderr(struct logger *lg)
{
	memset(lg, 0, sizeof *lg);
	pthread_mutex_init(&lg->lock, NULL);
	lg->file = stderr;
	lg->file_is_stderr = true;
	if (gethostname(lg->host, sizeof lg->host) != 0)
		snprintf(lg->host, sizeof lg->host, "localhost");
	lg->host[sizeof lg->host - 1] = '\0';
	lg->host[strcspn(lg->host, ".")] = '\0';
}

/* Syslog facility constant for a validated name. */
static int facility_code(const char *name)
{
	static const struct { const char *name; int code; } table[] = {
		{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON }, { "user", LOG_USER },
		{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
		{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (strcmp(name, table[i].name) == 0)
			return table[i].code;
	}
	return LOG_MAIL;
}

/* Switch destination. */
bool log_open(struct logger *lg, const char *dest, const char *facility, bool foreground, char *err,
	      size_t errlen)
{
	FILE *nf = NULL;
	bool to_syslog = strcmp(dest, "syslog") == 0;
	bool to_stderr = strcmp(dest, "stderr") == 0;
	if (!to_syslog && !to_stderr) {
		nf = fopen(dest, "a");
		if (nf == NULL) {
			snprintf(err, errlen, "log: cannot open %s for appending: %s", dest, strerror(errno));
			return false;
		}
		setvbuf(nf, NULL, _IOLBF, 0);
	}
	pthread_mutex_lock(&lg->lock);
	if (lg->file != NULL && !lg->file_is_stderr)
		fclose(lg->file);
	lg->file = to_stderr ? stderr : nf;
	lg->file_is_stderr = to_stderr;
	lg->also_stderr = foreground && !to_stderr;
	if (to_syslog && !lg->use_syslog)
		openlog("eopguard", LOG_PID | LOG_NDELAY, facility_code(facility));
	else if (!to_syslog && lg->use_syslog)
		closelog();
	lg->use_syslog = to_syslog;
	pthread_mutex_unlock(&lg->lock);
	return true;
}

/* Close whatever is open. */
void log_close(struct logger *lg)
{
	pthread_mutex_lock(&lg->lock);
	if (lg->file != NULL && !lg->file_is_stderr)
		fclose(lg->file);
	lg->file = NULL;
	if (lg->use_syslog)
		closelog();
	lg->use_syslog = false;
	pthread_mutex_unlock(&lg->lock);
}

/* Write "<prefix> msg\n" to a stream. */
static void log_write_stream(struct logger *lg, FILE *fp, const char *msg)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
	fprintf(fp, "%s %s eopguard[%ld]: %s\n", stamp, lg->host, (long)getpid(), msg);
	fflush(fp);
}

/* Log one line. */
void log_msg(struct logger *lg, int priority, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&lg->lock);
	if (lg->use_syslog)
		syslog(priority, "%s", msg);
	if (lg->file != NULL)
		log_write_stream(lg, lg->file, msg);
	if (lg->also_stderr && lg->file != stderr)
		log_write_stream(lg, stderr, msg);
	pthread_mutex_unlock(&lg->lock);
}
