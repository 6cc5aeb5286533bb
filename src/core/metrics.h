/*
 * metrics: the Prometheus text exposition of eopguard's counters, for
 * node_exporter's textfile collector (metrics_file): messages by verdict
 * and action, findings by name, reloads, the identity state, the relay
 * certificate's remaining lifetime, and what feedback.log showed: EOP's
 * refusals, prediction misses, breaker trips and the breakers open now.
 *
 * Pure: the caller collects a struct metrics (the daemon from its atomic
 * counters) and writes the text where it wants.
 */
#ifndef EOPGUARD_METRICS_H
#define EOPGUARD_METRICS_H

#include <stdbool.h>
#include <time.h>

#include "conf.h"
#include "finding.h"
#include "strbuf.h"
#include "verdict.h"

#define METRICS_VERDICTS 3   /* pass, warn, fail */
#define METRICS_ACTIONS 5    /* annotate (accept), rewrite, quarantine, defer, reject */

struct metrics {
	unsigned long long messages[METRICS_VERDICTS][METRICS_ACTIONS];
	unsigned long long findings[FINDING_COUNT];
	unsigned long long reloads_ok, reloads_failed;
	int identity_state;          /* 0 pass, 1 warn, 2 fail, -1 not judged yet */
	bool expiry_known;
	long long expiry_seconds;    /* until the relay certificate expires (negative: expired) */
	time_t started;
	/* the closed loop (feedback.log) */
	unsigned long long refusals, misses, trips;
	unsigned open_relay, open_domains;   /* breakers open or half-open now */
};

/* The exposition text (HELP and TYPE lines, one sample a line). */
void metrics_format(const struct metrics *m, struct strbuf *out);

#endif
