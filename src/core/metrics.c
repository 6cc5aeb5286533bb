/*
 * metrics: Prometheus text format for eopguard's counters.
 *
 * Does: lay out metric families with HELP and TYPE lines following
 * Prometheus naming (counters end in _total, units in the name).
 * Does not: count (the daemon does) or write files.
 */
#include "config.h"

#include <stdio.h>

#include "metrics.h"
#include "report.h"

static const char *const state_names[] = { "pass", "warn", "fail" };

/* Lay out every family. */
void metrics_format(const struct metrics *m, struct strbuf *out)
{
	strbuf_puts(out, "# HELP eopguard_messages_total Messages judged, by verdict and action.\n"
			 "# TYPE eopguard_messages_total counter\n");
	for (int v = 0; v < METRICS_VERDICTS; v++) {
		for (int a = 0; a < METRICS_ACTIONS; a++) {
			strbuf_printf(out, "eopguard_messages_total{verdict=\"%s\",action=\"%s\"} %llu\n",
				      verdict_name((enum verdict)v), report_action_name((enum action)a), m->messages[v][a]);
		}
	}
	strbuf_puts(out, "# HELP eopguard_findings_total Findings in judged messages (identity and message), by finding.\n"
			 "# TYPE eopguard_findings_total counter\n");
	for (int f = 0; f < FINDING_COUNT; f++) {
		const struct finding_info *fi = finding_info((enum finding_id)f);
		if (fi->policy == POLICY_NONE && !fi->warn_only && !fi->message)
			continue;   /* receive-side findings never reach a message */
		strbuf_printf(out, "eopguard_findings_total{finding=\"%s\"} %llu\n", fi->name, m->findings[f]);
	}
	strbuf_printf(out, "# HELP eopguard_reloads_total Configuration reloads (SIGUSR1), by result.\n"
			   "# TYPE eopguard_reloads_total counter\n"
			   "eopguard_reloads_total{result=\"ok\"} %llu\n"
			   "eopguard_reloads_total{result=\"failed\"} %llu\n", m->reloads_ok, m->reloads_failed);
	strbuf_puts(out, "# HELP eopguard_identity_state The relay identity's state: 1 for the current one.\n"
			 "# TYPE eopguard_identity_state gauge\n");
	for (int s = 0; s < 3; s++)
		strbuf_printf(out, "eopguard_identity_state{state=\"%s\"} %d\n", state_names[s], m->identity_state == s);
	if (m->expiry_known)
		strbuf_printf(out, "# HELP eopguard_certificate_expiry_seconds Seconds until the relay certificate expires.\n"
				   "# TYPE eopguard_certificate_expiry_seconds gauge\n"
				   "eopguard_certificate_expiry_seconds %lld\n", m->expiry_seconds);
	strbuf_printf(out, "# HELP eopguard_feedback_refusals_total EOP refusals for an attribution, identity or route "
			   "cause, read from feedback.log.\n"
			   "# TYPE eopguard_feedback_refusals_total counter\n"
			   "eopguard_feedback_refusals_total %llu\n"
			   "# HELP eopguard_prediction_misses_total EOP refusals of mail eopguard had judged pass.\n"
			   "# TYPE eopguard_prediction_misses_total counter\n"
			   "eopguard_prediction_misses_total %llu\n"
			   "# HELP eopguard_breaker_trips_total Times a breaker opened on a refusal eopguard did not predict.\n"
			   "# TYPE eopguard_breaker_trips_total counter\n"
			   "eopguard_breaker_trips_total %llu\n"
			   "# HELP eopguard_breaker_open Breakers open or half-open now, by scope.\n"
			   "# TYPE eopguard_breaker_open gauge\n"
			   "eopguard_breaker_open{scope=\"relay\"} %u\n"
			   "eopguard_breaker_open{scope=\"domain\"} %u\n",
		      m->refusals, m->misses, m->trips, m->open_relay, m->open_domains);
	strbuf_printf(out, "# HELP eopguard_start_time_seconds When the daemon started, in seconds since 1970.\n"
			   "# TYPE eopguard_start_time_seconds gauge\n"
			   "eopguard_start_time_seconds %lld\n", (long long)m->started);
}
