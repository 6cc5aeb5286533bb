/*
 * metricsfile: writes metrics_file for node_exporter's textfile collector.
 *
 * Does: collect the daemon's counters and identity state into a struct
 * metrics, format it (src/core/metrics.c), write it to a temporary file in
 * the same directory and rename it over metrics_file, so that a reader
 * never sees half a file. A write error is logged once until writing works
 * again. Does not: count anything (milter.c and the reload thread do).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "identity.h"
#include "metrics.h"
#include "metricsfile.h"
#include "state.h"

/* What the counters say now. */
static void collect(struct daemon_state *st, struct metrics *m, time_t now)
{
	memset(m, 0, sizeof *m);
	for (int v = 0; v < METRICS_VERDICTS; v++)
		for (int a = 0; a < METRICS_ACTIONS; a++)
			m->messages[v][a] = atomic_load(&st->messages[v][a]);
	for (int f = 0; f < FINDING_COUNT; f++)
		m->findings[f] = atomic_load(&st->findings[f]);
	m->reloads_ok = atomic_load(&st->reloads_ok);
	m->reloads_failed = atomic_load(&st->reloads_failed);
	m->started = st->started;
	m->refusals = atomic_load(&st->feedback.refusals);
	m->misses = atomic_load(&st->feedback.misses);
	m->trips = atomic_load(&st->feedback.trips);
	m->open_relay = atomic_load(&st->feedback.open_relay);
	m->open_domains = atomic_load(&st->feedback.open_domains);
	m->identity_state = -1;
	struct identity_snap *id = identity_acquire(st);
	/* with several tenants: the worst state and the earliest expiry among them */
	for (size_t i = 0; id != NULL && i < id->n; i++) {
		const struct identity_judgement *j = &id->t[i];
		int state = finding_list_count(&j->findings, SEVERITY_FAIL) > 0 ? 2 : j->findings.count > 0 || j->unverified ? 1 : 0;
		if (state > m->identity_state)
			m->identity_state = state;
		if (j->leaf_not_after != 0 && (!m->expiry_known || (long long)(j->leaf_not_after - now) < m->expiry_seconds)) {
			m->expiry_known = true;
			m->expiry_seconds = (long long)(j->leaf_not_after - now);
		}
	}
	identity_release(id);
}

/* Write path atomically; false with errno set. */
static bool write_atomically(const char *path, const char *data, size_t len)
{
	char tmp[4200];
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
		errno = ENAMETOOLONG;
		return false;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno;
			close(fd);
			unlink(tmp);
			errno = e;
			return false;
		}
		done += (size_t)n;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return false;
	}
	return true;
}

/* Write the metrics now. */
void metrics_write(struct daemon_state *st, const struct conf *c)
{
	if (c->metrics_file[0] == '\0')
		return;
	pthread_mutex_lock(&st->metrics_lock);
	time_t now = time(NULL);
	st->metrics_written = now;
	struct metrics m;
	collect(st, &m, now);
	struct strbuf sb;
	strbuf_init(&sb, 1 << 20);
	metrics_format(&m, &sb);
	bool ok = strbuf_ok(&sb) && write_atomically(c->metrics_file, sb.data, sb.len);
	int e = errno;
	strbuf_free(&sb);
	if (!ok && !st->metrics_error_logged) {
		log_msg(&st->log, LOG_ERR, "metrics: cannot write %s: %s; the directory must be writable by the "
			"daemon user", c->metrics_file, strerror(e));
		st->metrics_error_logged = true;
	} else if (ok && st->metrics_error_logged) {
		log_msg(&st->log, LOG_INFO, "metrics: %s written again", c->metrics_file);
		st->metrics_error_logged = false;
	}
	pthread_mutex_unlock(&st->metrics_lock);
}

/* Write the metrics when metrics_interval has passed since the last time. */
void metrics_write_due(struct daemon_state *st, const struct conf *c)
{
	pthread_mutex_lock(&st->metrics_lock);
	bool due = c->metrics_file[0] != '\0' && time(NULL) - st->metrics_written >= c->metrics_interval;
	pthread_mutex_unlock(&st->metrics_lock);
	if (due)
		metrics_write(st, c);
}
