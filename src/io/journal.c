/*
 * journal: reading the systemd journal with sd-journal (libsystemd).
 *
 * Does: open the system journal or the named files, seek to --since,
 * select the mail programs' entries by SYSLOG_IDENTIFIER and rebuild each
 * as a log line with an RFC 3339 UTC timestamp (so no year is guessed).
 * Follows it too, for the daemon's feedback thread (journal_follow).
 * Does not: parse mail log lines (src/core/maillog.c does).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-journal.h>

#include "journal.h"

#define JOURNAL_LINE_MAX (64u * 1024)

/* Mail programs: Postfix's postfix/NAME and postfix-INSTANCE/NAME, Sendmail's, and eopguard. */
bool journal_identifier_is_mail(const char *ident, size_t len)
{
	static const char *const exact[] = { "sendmail", "sm-mta", "sm-msp-queue", "sm-acceptingconnections",
					     "eopguard", "postfix" };
	if (len >= 8 && memcmp(ident, "postfix/", 8) == 0)
		return true;
	if (len >= 8 && memcmp(ident, "postfix-", 8) == 0 && memchr(ident, '/', len) != NULL)
		return true;
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++) {
		if (strlen(exact[i]) == len && memcmp(ident, exact[i], len) == 0)
			return true;
	}
	return false;
}

/* The value of field NAME of the current entry into p and n (without "NAME="); false when absent. */
static bool field(sd_journal *j, const char *name, const char **p, size_t *n)
{
	const void *data;
	size_t len;
	size_t nl = strlen(name);
	if (sd_journal_get_data(j, name, &data, &len) < 0 || len <= nl + 1)
		return false;
	*p = (const char *)data + nl + 1;
	*n = len - nl - 1;
	return true;
}

/*
 * The current entry as a log line into line (JOURNAL_LINE_MAX bytes);
 * returns its length, 0 when it is not a mail program's entry.
 */
static size_t entry_line(sd_journal *j, char *line)
{
	const char *ident, *msg, *host = "localhost", *pid = NULL;
	size_t ident_n, msg_n, host_n = 9, pid_n = 0;
	if (!field(j, "SYSLOG_IDENTIFIER", &ident, &ident_n) || !journal_identifier_is_mail(ident, ident_n) ||
	    !field(j, "MESSAGE", &msg, &msg_n))
		return 0;
	if (!field(j, "_HOSTNAME", &host, &host_n)) {
		host = "localhost";
		host_n = 9;
	}
	if (!field(j, "SYSLOG_PID", &pid, &pid_n))
		field(j, "_PID", &pid, &pid_n);
	uint64_t usec = 0;
	sd_journal_get_realtime_usec(j, &usec);
	time_t secs = (time_t)(usec / 1000000u);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char stamp[40];
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	int n = snprintf(line, JOURNAL_LINE_MAX, "%s.%06u+00:00 %.*s %.*s%s%.*s%s: ", stamp,
			 (unsigned)(usec % 1000000u), (int)host_n, host, (int)ident_n, ident, pid != NULL ? "[" : "",
			 (int)pid_n, pid != NULL ? pid : "", pid != NULL ? "]" : "");
	if (n < 0 || (size_t)n >= JOURNAL_LINE_MAX)
		return 0;
	size_t room = JOURNAL_LINE_MAX - (size_t)n - 1;
	size_t take = msg_n < room ? msg_n : room;
	memcpy(line + n, msg, take);
	return (size_t)n + take;
}

/* Close the journal after reading; false with the reason in err when reading stopped on an error (r < 0). */
static bool journal_done(sd_journal *j, char *line, int r, char *err, size_t errlen)
{
	free(line);
	sd_journal_close(j);
	if (r < 0) {
		snprintf(err, errlen, "reading the journal: %s", strerror(-r));
		return false;
	}
	return true;
}

/* Open the system journal or the named files; false with the reason in err. */
static bool journal_open(const struct journal_source *src, sd_journal **j, char *err, size_t errlen)
{
	int r = src->files != NULL ? sd_journal_open_files(j, (const char **)src->files, 0)
				   : sd_journal_open(j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
	if (r < 0) {
		snprintf(err, errlen, "cannot open the journal: %s%s", strerror(-r),
			 -r == EACCES || -r == EPERM ? " (run as root or as a member of group adm or systemd-journal)" : "");
		return false;
	}
	return true;
}

/* Feed the mail entries. */
bool journal_feed(const struct journal_source *src, journal_line_fn fn, void *ctx, unsigned long long *entries,
		  char *err, size_t errlen)
{
	sd_journal *j = NULL;
	*entries = 0;
	if (!journal_open(src, &j, err, errlen))
		return false;
	uint64_t usage = 0;
	if (sd_journal_get_usage(j, &usage) >= 0 && usage == 0) {
		snprintf(err, errlen, "no journal files to read%s", src->files != NULL ? "" :
			 " under /var/log/journal or /run/log/journal (is systemd-journald running? without it, "
			 "name the mail log file instead)");
		sd_journal_close(j);
		return false;
	}
	int r = src->since > 0 ? sd_journal_seek_realtime_usec(j, (uint64_t)src->since * 1000000u) : sd_journal_seek_head(j);
	char *line = malloc(JOURNAL_LINE_MAX);
	if (line == NULL) {
		snprintf(err, errlen, "out of memory");
		sd_journal_close(j);
		return false;
	}
	while (r >= 0 && (r = sd_journal_next(j)) > 0) {
		size_t n = entry_line(j, line);
		if (n > 0) {
			fn(ctx, line, n);
			(*entries)++;
		}
	}
	return journal_done(j, line, r, err, errlen);
}

/* Follow the journal from its end. */
bool journal_follow(const struct journal_source *src, journal_line_fn fn, void *ctx, journal_stop_fn stop,
		    void *stop_ctx, char *err, size_t errlen)
{
	sd_journal *j = NULL;
	if (!journal_open(src, &j, err, errlen))
		return false;
	char *line = malloc(JOURNAL_LINE_MAX);
	if (line == NULL) {
		snprintf(err, errlen, "out of memory");
		sd_journal_close(j);
		return false;
	}
	uint64_t usage = 0;
	if (src->files == NULL && sd_journal_get_usage(j, &usage) >= 0 && usage == 0) {
		snprintf(err, errlen, "no journal files under /var/log/journal or /run/log/journal (is systemd-journald "
			 "running, and may eopguard's user read them? add it to group systemd-journal)");
		free(line);
		sd_journal_close(j);
		return false;
	}
	/* from the end: what happened before the daemon started is not fed back */
	int r = sd_journal_seek_tail(j);
	if (r >= 0)
		r = sd_journal_previous(j);
	while (r >= 0 && !stop(stop_ctx)) {
		r = sd_journal_next(j);
		if (r > 0) {
			size_t n = entry_line(j, line);
			if (n > 0)
				fn(ctx, line, n);
		} else if (r == 0) {
			r = sd_journal_wait(j, 500000);
		}
	}
	return journal_done(j, line, r, err, errlen);
}
