/*
 * logfollow: follow a growing mail log file the way tail -F does.
 *
 * Reads from the end when the file exists at the start, from the beginning
 * of any file that appears later (a rotation by rename, or a log that did
 * not exist yet), and again from the beginning after a truncation
 * (copytruncate). Lines are handed out without their newline; a line longer
 * than LOGFOLLOW_LINE_MAX is cut there and the rest of it skipped. Memory is
 * the one fixed buffer in struct logfollow.
 *
 * I/O only: what a line means is the caller's business.
 */
#ifndef EOPGUARD_LOGFOLLOW_H
#define EOPGUARD_LOGFOLLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define LOGFOLLOW_LINE_MAX 16384

struct logfollow {
	const char *path;
	int fd;                  /* -1 while the file does not exist */
	dev_t dev;
	ino_t ino;
	off_t pos;
	bool skipping;           /* inside a line longer than the buffer */
	size_t used;
	int open_errno;          /* why the file could not be opened (ENOENT: not there yet), 0 when open */
	char buf[LOGFOLLOW_LINE_MAX];
};

typedef void (*logfollow_line_fn)(void *ctx, const char *line, size_t len);

/* Start following path (kept by pointer) from its end; a missing file is fine. */
void logfollow_start(struct logfollow *lf, const char *path);

/*
 * Read what is new and hand out the complete lines; returns the number of
 * lines. On a read error other than a missing file, false is returned in
 * *ok with the reason in err (the follower keeps trying on the next call).
 */
size_t logfollow_poll(struct logfollow *lf, logfollow_line_fn fn, void *ctx, bool *ok, char *err, size_t errlen);

/* Stop following: close the file. */
void logfollow_stop(struct logfollow *lf);

#endif
