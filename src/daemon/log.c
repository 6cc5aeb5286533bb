/*
 * log: syslog, stderr or file output for the daemon.
 *
 * Does: one line per call, with a syslog-style prefix for files and stderr
 * ("Nov 23 12:00:00 host eopguard[pid]: ..."), so the same parsers read
 * every destination; lines a full disk kept out are counted and reported
 * once writing works again. Does not: escape (callers pass safe text) or
 * rotate (a reload re-opens the file, for logrotate's postrotate).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
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

/* Open a log file for appending: no symlink, a regular file, owned by owner. */
static FILE *open_log_file(const char *path, uid_t owner, char *err, size_t errlen)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(err, errlen, "log: cannot open %s for appending: %s%s", path, strerror(errno),
			 errno == ELOOP ? " (it is a symbolic link; eopguard does not follow one)" : "");
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "log: %s is not a regular file", path);
		close(fd);
		return NULL;
	}
	if (st.st_nlink > 1) {   /* a hard link to another file: never append to it, nor give it away */
		snprintf(err, errlen, "log: %s has %lu hard links; eopguard writes only to a file of its own", path,
			 (unsigned long)st.st_nlink);
		close(fd);
		return NULL;
	}
	if (owner != (uid_t)-1 && st.st_uid != owner && geteuid() == 0 && fchown(fd, owner, (gid_t)-1) != 0) {
		snprintf(err, errlen, "log: cannot give %s to the daemon user: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	FILE *fp = fdopen(fd, "a");
	if (fp == NULL) {
		snprintf(err, errlen, "log: %s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	setvbuf(fp, NULL, _IOLBF, 0);
	return fp;
}

/* Switch destination, or reopen the same one. */
bool log_open(struct logger *lg, const char *dest, const char *facility, bool foreground, uid_t owner,
	      char *err, size_t errlen)
{
	FILE *nf = NULL;
	bool to_syslog = strcmp(dest, "syslog") == 0;
	bool to_stderr = strcmp(dest, "stderr") == 0;
	if (!to_syslog && !to_stderr && (nf = open_log_file(dest, owner, err, errlen)) == NULL)
		return false;
	int code = facility_code(facility);
	pthread_mutex_lock(&lg->lock);
	if (lg->file != NULL && !lg->file_is_stderr)
		fclose(lg->file);
	lg->file = to_stderr ? stderr : nf;
	lg->file_is_stderr = to_stderr;
	lg->also_stderr = foreground && !to_stderr;
	if (lg->use_syslog && (!to_syslog || lg->facility != code))
		closelog();
	if (to_syslog && (!lg->use_syslog || lg->facility != code))
		openlog("eopguard", LOG_PID | LOG_NDELAY, code);
	lg->use_syslog = to_syslog;
	lg->facility = code;
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

/* Write "<prefix> msg\n" to a stream; false when it did not reach it. */
static bool log_write_stream(struct logger *lg, FILE *fp, const char *msg)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
	clearerr(fp);
	int n = fprintf(fp, "%s %s eopguard[%ld]: %s\n", stamp, lg->host, (long)getpid(), msg);
	return fflush(fp) == 0 && n > 0 && !ferror(fp);
}

/*
 * Write to the log file, counting lines a write error (a full disk) kept
 * out; the first line that gets through again is preceded by one saying
 * how many were lost, since when and why.
 */
static void log_write_file(struct logger *lg, const char *msg)
{
	if (lg->dropped > 0) {
		char note[256], since[32];
		struct tm tm;
		localtime_r(&lg->dropped_since, &tm);
		strftime(since, sizeof since, "%b %e %H:%M:%S", &tm);
		snprintf(note, sizeof note, "log: %lu line%s could not be written since %s (%s)", lg->dropped,
			 lg->dropped == 1 ? "" : "s", since, strerror(lg->dropped_errno));
		if (!log_write_stream(lg, lg->file, note)) {
			lg->dropped++;
			return;
		}
		lg->dropped = 0;
	}
	if (!log_write_stream(lg, lg->file, msg)) {
		if (lg->dropped++ == 0) {
			lg->dropped_errno = errno != 0 ? errno : EIO;
			lg->dropped_since = time(NULL);
		}
	}
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
		log_write_file(lg, msg);
	if (lg->also_stderr && lg->file != stderr)
		log_write_stream(lg, stderr, msg);
	pthread_mutex_unlock(&lg->lock);
}
