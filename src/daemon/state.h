/*
 * state: the daemon's shared state: the current configuration snapshot and
 * the logger.
 *
 * A snapshot is immutable and reference counted. Each milter connection pins
 * the snapshot current when it starts (state_acquire) and releases it when it
 * closes; a reload swaps in a new snapshot and the old one is freed once the
 * last connection using it has gone.
 */
#ifndef EOPGUARD_STATE_H
#define EOPGUARD_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "conf.h"
#include "feedbackd.h"
#include "finding.h"
#include "helper.h"
#include "log.h"

struct snapshot {
	struct conf *conf;
	atomic_uint refs;
};

struct daemon_state {
	const char *conf_path;
	bool foreground;
	bool tcp_socket;           /* listening on inet/inet6: see milter.c's negotiation */
	pthread_mutex_t lock;      /* guards current */
	struct snapshot *current;
	struct logger log;
	atomic_bool stopping;      /* tells the reload thread to return */
	/* counters for metrics_file (milter.c and the reload thread count, metricsfile.c writes) */
	atomic_ullong messages[3][5];        /* [verdict][action] */
	atomic_ullong findings[FINDING_COUNT];
	atomic_ullong reloads_ok, reloads_failed;
	time_t started;
	pthread_mutex_t metrics_lock;        /* guards the two below: the refresher and the stop both write */
	time_t metrics_written;
	bool metrics_error_logged;
	/* open files: the limit, where to warn (set at start-up; 0: never), the last warning */
	unsigned descriptor_limit, descriptors_warn_at;
	time_t descriptors_warned;           /* refresher thread only */
	/* relay identity (identity.c) */
	struct helper helper;                /* privileged reader; fd -1 when not used */
	pthread_mutex_t identity_lock;       /* guards identity */
	struct identity_snap *identity;
	unsigned long long identity_fingerprint;   /* refresher thread only */
	bool identity_retry;                 /* refresher only: the last recheck failed internally */
	pthread_t refresher;
	pthread_mutex_t refresh_lock;
	pthread_cond_t refresh_cond;
	bool refresh_wake, refresh_stop;     /* guarded by refresh_lock */
	/* what EOP really answered (feedbackd.c) */
	struct feedbackd feedback;
};

/* Initialise with a first configuration (ownership moves to the state). */
bool state_init(struct daemon_state *st, const char *conf_path, struct conf *conf, bool foreground);
/* Free the current snapshot; connections must be gone. */
void state_destroy(struct daemon_state *st);
/* Pin and return the current snapshot. */
struct snapshot *state_acquire(struct daemon_state *st);
/* Unpin a snapshot; frees it when it is no longer current nor used. */
void state_release(struct snapshot *snap);
/*
 * Read the configuration file again. On success the new snapshot becomes
 * current and true is returned; on failure the old one stays and err says why.
 */
bool state_reload(struct daemon_state *st, char *err, size_t errlen);

#endif
