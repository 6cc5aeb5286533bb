/*
 * logfollow: tail -F for the feedback thread.
 *
 * Does: open, read, notice rename-rotation (another inode at the path) and
 * truncation (the file shorter than what was read), cut lines to a bound.
 * Does not: parse lines, sleep or decide how often to look (the caller
 * polls).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfollow.h"

/* Open path; from_end puts the read position at its end. */
static bool open_log(struct logfollow *lf, bool from_end)
{
	int fd = open(lf->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		lf->open_errno = errno;
		return false;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		lf->open_errno = EINVAL;   /* not a regular file */
		close(fd);
		return false;
	}
	lf->open_errno = 0;
	lf->fd = fd;
	lf->dev = st.st_dev;
	lf->ino = st.st_ino;
	lf->pos = from_end ? st.st_size : 0;
	lf->used = 0;
	lf->skipping = false;
	if (lseek(fd, lf->pos, SEEK_SET) < 0)
		lf->pos = 0;
	return true;
}

void logfollow_start(struct logfollow *lf, const char *path)
{
	lf->path = path;
	lf->fd = -1;
	lf->open_errno = 0;
	open_log(lf, true);
}

void logfollow_stop(struct logfollow *lf)
{
	if (lf->fd >= 0)
		close(lf->fd);
	lf->fd = -1;
}

/* Hand out the complete lines in the buffer and keep the unfinished rest. */
static size_t emit_lines(struct logfollow *lf, logfollow_line_fn fn, void *ctx)
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i < lf->used; i++) {
		if (lf->buf[i] != '\n')
			continue;
		if (!lf->skipping) {
			fn(ctx, lf->buf + start, i - start);
			n++;
		}
		lf->skipping = false;
		start = i + 1;
	}
	memmove(lf->buf, lf->buf + start, lf->used - start);
	lf->used -= start;
	if (lf->used == sizeof lf->buf) {
		/* one line fills the buffer: hand out its start, skip the rest up to its newline */
		if (!lf->skipping) {
			fn(ctx, lf->buf, lf->used);
			n++;
		}
		lf->skipping = true;
		lf->used = 0;
	}
	return n;
}

/* Read the open file to its end. */
static size_t drain(struct logfollow *lf, logfollow_line_fn fn, void *ctx, bool *ok, char *err, size_t errlen)
{
	size_t n = 0;
	for (;;) {
		ssize_t r = read(lf->fd, lf->buf + lf->used, sizeof lf->buf - lf->used);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*ok = false;
			snprintf(err, errlen, "%s: read: %s", lf->path, strerror(errno));
			return n;
		}
		if (r == 0)
			return n;
		lf->pos += r;
		lf->used += (size_t)r;
		n += emit_lines(lf, fn, ctx);
	}
}

size_t logfollow_poll(struct logfollow *lf, logfollow_line_fn fn, void *ctx, bool *ok, char *err, size_t errlen)
{
	*ok = true;
	size_t n = 0;
	if (lf->fd < 0 && !open_log(lf, false))
		return 0;
	struct stat st;
	if (fstat(lf->fd, &st) == 0 && st.st_size < lf->pos) {
		lf->pos = 0;
		lf->used = 0;
		lf->skipping = false;
		lseek(lf->fd, 0, SEEK_SET);
	}
	n += drain(lf, fn, ctx, ok, err, errlen);
	struct stat now;
	if (stat(lf->path, &now) == 0 && (now.st_ino != lf->ino || now.st_dev != lf->dev)) {
		/* rotated by rename: the old file is read to its end above; the new one from its start */
		logfollow_stop(lf);
		if (open_log(lf, false))
			n += drain(lf, fn, ctx, ok, err, errlen);
	}
	return n;
}
