/*
 * state: configuration snapshots shared between the milter threads and the
 * reload thread.
 *
 * Does: pin/unpin with a reference count, swap under a mutex. Does not:
 * decide anything about mail.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "state.h"

/* Wrap a conf in a snapshot holding one reference (the "current" one). */
static struct snapshot *snapshot_new(struct conf *conf)
{
	struct snapshot *s = malloc(sizeof *s);
	if (s == NULL)
		return NULL;
	s->conf = conf;
	atomic_init(&s->refs, 1);
	return s;
}

/* Set up the state with its first configuration. */
bool state_init(struct daemon_state *st, const char *conf_path, struct conf *conf, bool foreground)
{
	st->conf_path = conf_path;
	st->foreground = foreground;
	atomic_init(&st->stopping, false);
	st->helper.fd = -1;
	pthread_mutex_init(&st->lock, NULL);
	pthread_mutex_init(&st->metrics_lock, NULL);
	st->current = snapshot_new(conf);
	return st->current != NULL;
}

/* Drop the state's own reference. */
void state_destroy(struct daemon_state *st)
{
	pthread_mutex_lock(&st->lock);
	struct snapshot *s = st->current;
	st->current = NULL;
	pthread_mutex_unlock(&st->lock);
	if (s != NULL)
		state_release(s);
}

/* Pin the current snapshot. */
struct snapshot *state_acquire(struct daemon_state *st)
{
	pthread_mutex_lock(&st->lock);
	struct snapshot *s = st->current;
	atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&st->lock);
	return s;
}

/* Unpin; the last reference frees. */
void state_release(struct snapshot *snap)
{
	if (snap != NULL && atomic_fetch_sub(&snap->refs, 1) == 1) {
		conf_free(snap->conf);
		free(snap);
	}
}

/* Re-read the file and swap on success. */
bool state_reload(struct daemon_state *st, char *err, size_t errlen)
{
	struct conf *conf = NULL;
	if (!conf_load(st->conf_path, &conf, err, errlen))
		return false;
	struct snapshot *fresh = snapshot_new(conf);
	if (fresh == NULL) {
		conf_free(conf);
		snprintf(err, errlen, "out of memory");
		return false;
	}
	pthread_mutex_lock(&st->lock);
	struct snapshot *old = st->current;
	st->current = fresh;
	pthread_mutex_unlock(&st->lock);
	state_release(old);
	return true;
}
