/*
 * feedbackd: follower thread, breaker log lines, the message path's hooks.
 *
 * Does: follow feedback.log (src/io/logfollow.c for a file, src/io/journal.c
 * for "journal"), switch source when a reload changes it, log
 *   feedback: queue_id=Q observed="..." predicted="..." [prediction-miss]
 *   breaker: state=S scope=relay|domain cause=C [domain=D | tenant=T] ...
 * and count for metrics_file. Does not: decide what a line means
 * (feedback.c) or what a breaker does (breaker.c).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "feedbackd.h"
#include "journal.h"
#include "logfollow.h"
#include "state.h"

#define POLL_MS 250

/*
 * Log one breaker change; extra is "queue_id=..." or "reason=..." (already
 * safe). With several tenants in conf (may be NULL) a relay change names its
 * tenant.
 */
static void log_change(struct daemon_state *st, const struct conf *conf, const struct breaker_change *chg,
		       const char *extra)
{
	if (!chg->changed)
		return;
	struct feedbackd *f = &st->feedback;
	if (chg->state == BREAKER_OPEN)
		atomic_fetch_add(&f->trips, 1);
	char dom[DOMAIN_MAX + CONF_TENANT_NAME_MAX + 32] = "";
	if (chg->scope == BREAKER_SCOPE_DOMAIN)
		snprintf(dom, sizeof dom, " domain=%s", chg->domain);
	else if (conf != NULL && conf->n_tenants > 1 && chg->tenant >= 0 && (size_t)chg->tenant < conf->n_tenants)
		snprintf(dom, sizeof dom, " tenant=%s",
			 conf_tenant_name(conf, (size_t)chg->tenant)[0] ? conf_tenant_name(conf, (size_t)chg->tenant) : "\"\"");
	log_msg(&st->log, chg->state == BREAKER_CLOSED ? LOG_NOTICE : LOG_WARNING,
		"breaker: state=%s scope=%s cause=%s%s observed=\"%s\" %s%s", breaker_state_name(chg->state),
		breaker_scope_name(chg->scope), chg->cause[0] != '\0' ? chg->cause : "-", dom, chg->reply, extra,
		chg->state == BREAKER_OPEN ? " (new mail in this scope gets observed-refusal until EOP accepts a delivery; "
					     "after fixing the cause run eopguardctl release)" : "");
}

/* Breakers open or half-open now, for metrics (lock held). */
static void count_open(struct feedbackd *f)
{
	unsigned relay = 0;
	for (size_t i = 0; i < BREAKER_TENANTS_MAX; i++)
		relay += f->breaker->relay[i].state != BREAKER_CLOSED;
	size_t all = breaker_count(f->breaker, BREAKER_OPEN) + breaker_count(f->breaker, BREAKER_HALF_OPEN);
	atomic_store(&f->open_relay, relay);
	atomic_store(&f->open_domains, (unsigned)(all - relay));
}

struct line_ctx {
	struct daemon_state *st;
	const struct conf *conf;
};

/* One line of the followed log. */
static void on_line(void *arg, const char *line, size_t len)
{
	struct line_ctx *lc = arg;
	struct daemon_state *st = lc->st;
	struct feedbackd *f = &st->feedback;
	struct feedback_outcome o;
	pthread_mutex_lock(&f->lock);
	feedback_line(f->fb, &lc->conf->feedback, line, len, &o);
	time_t now = time(NULL);
	char extra[FEEDBACK_QID_MAX + 16];
	snprintf(extra, sizeof extra, "queue_id=%s", o.qid);
	if (o.kind == FEEDBACK_REFUSED) {
		char observed[BREAKER_REPLY_MAX + 1];
		breaker_escape(o.reply, o.reply_len, observed, sizeof observed);
		atomic_fetch_add(&f->refusals, 1);
		if (o.miss)
			atomic_fetch_add(&f->misses, 1);
		log_msg(&st->log, LOG_WARNING, "feedback: queue_id=%s observed=\"%s\" predicted=\"%s\"%s", o.qid, observed,
			o.predicted, o.miss ? " prediction-miss" : "");
		if (o.unpredicted) {
			/* the sender's tenant; with several and none known, a relay cause is every tenant's */
			size_t n = lc->conf->n_tenants > 1 ? lc->conf->n_tenants : 1;
			int t = n > 1 ? conf_tenant_of_domain(lc->conf, o.domain) : 0;
			for (size_t i = t >= 0 ? (size_t)t : 0; i < (t >= 0 ? (size_t)t + 1 : n); i++) {
				struct breaker_change chg;
				breaker_refused(f->breaker, o.scope, (int)i, o.domain, o.cause, o.reply, o.reply_len, now, &chg);
				log_change(st, lc->conf, &chg, extra);
				if (o.scope == BREAKER_SCOPE_DOMAIN && o.domain[0] != '\0')
					break;   /* a domain cause is the domain's, once */
			}
		}
	} else if (o.kind == FEEDBACK_ACCEPTED) {
		struct breaker_change chg[2];
		int t = lc->conf->n_tenants > 1 ? conf_tenant_of_domain(lc->conf, o.domain) : 0;
		breaker_accepted(f->breaker, t, o.domain, now, chg);
		strncat(extra, " reason=accepted", sizeof extra - strlen(extra) - 1);
		log_change(st, lc->conf, &chg[0], extra);
		log_change(st, lc->conf, &chg[1], extra);
	}
	count_open(f);
	pthread_mutex_unlock(&f->lock);
}

/* The feedback.log of the current configuration, copied into out. */
static void current_source(struct daemon_state *st, char *out, size_t outlen)
{
	struct snapshot *snap = state_acquire(st);
	snprintf(out, outlen, "%s", snap->conf->feedback.log);
	state_release(snap);
}

struct journal_stop_ctx {
	struct daemon_state *st;
	const char *source;
};

/* The journal follower stops when eopguard stops or a reload changed feedback.log. */
static bool journal_should_stop(void *arg)
{
	struct journal_stop_ctx *c = arg;
	if (atomic_load(&c->st->stopping))
		return true;
	char now[4096];
	current_source(c->st, now, sizeof now);
	return strcmp(now, c->source) != 0;
}

/* One line from the journal, judged under the configuration current at that moment. */
static void on_journal_line(void *arg, const char *line, size_t len)
{
	struct daemon_state *st = arg;
	struct snapshot *snap = state_acquire(st);
	struct line_ctx lc = { st, snap->conf };
	on_line(&lc, line, len);
	state_release(snap);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Follow a file until eopguard stops or feedback.log changes. */
static void follow_file(struct daemon_state *st, const char *source)
{
	struct logfollow *lf = malloc(sizeof *lf);
	if (lf == NULL) {
		log_msg(&st->log, LOG_ERR, "feedback: out of memory; not following %s", source);
		return;
	}
	logfollow_start(lf, source);
	int reported_errno = 0;
	bool error_logged = false;
	char now[4096];
	while (!atomic_load(&st->stopping)) {
		current_source(st, now, sizeof now);
		if (strcmp(now, source) != 0)
			break;
		struct snapshot *snap = state_acquire(st);
		struct line_ctx lc = { st, snap->conf };
		bool ok;
		char err[512];
		logfollow_poll(lf, on_line, &lc, &ok, err, sizeof err);
		state_release(snap);
		if (lf->fd < 0 && lf->open_errno != reported_errno) {
			/* said once per cause, not at every poll */
			if (lf->open_errno == ENOENT)
				log_msg(&st->log, LOG_WARNING, "feedback: %s does not exist yet; following it from when it appears",
					source);
			else if (lf->open_errno == EACCES)
				log_msg(&st->log, LOG_ERR, "feedback: %s: permission denied; eopguard reads it as its own user: "
					"add that user to the file's group (adm on Debian) and restart eopguard", source);
			else
				log_msg(&st->log, LOG_ERR, "feedback: %s: %s; still trying", source,
					lf->open_errno == EINVAL ? "not a regular file" : strerror(lf->open_errno));
		}
		reported_errno = lf->fd < 0 ? lf->open_errno : 0;
		if (!ok && !error_logged)
			log_msg(&st->log, LOG_ERR, "feedback: %s; still trying", err);
		error_logged = !ok;
		sleep_ms(POLL_MS);
	}
	logfollow_stop(lf);
	free(lf);
}

/* The thread: follow whatever feedback.log names, switching on reloads. */
static void *follower(void *arg)
{
	struct daemon_state *st = arg;
	char source[4096], last_journal_error[512] = "";
	while (!atomic_load(&st->stopping)) {
		current_source(st, source, sizeof source);
		if (source[0] == '\0') {
			sleep_ms(1000);
			continue;
		}
		log_msg(&st->log, LOG_INFO, "feedback: following %s for EOP's answers",
			strcmp(source, "journal") == 0 ? "the systemd journal" : source);
		if (strcmp(source, "journal") != 0) {
			follow_file(st, source);
			continue;
		}
		struct journal_source js = { NULL, 0, 0 };
		struct journal_stop_ctx sc = { st, source };
		char err[512];
		if (!journal_follow(&js, on_journal_line, st, journal_should_stop, &sc, err, sizeof err)) {
			/* said once per cause, not every 30 s */
			if (strcmp(err, last_journal_error) != 0)
				log_msg(&st->log, LOG_ERR, "feedback: %s; trying again every 30 s", err);
			snprintf(last_journal_error, sizeof last_journal_error, "%s", err);
			for (int i = 0; i < 30 && !journal_should_stop(&sc); i++)
				sleep_ms(1000);
		} else {
			last_journal_error[0] = '\0';
		}
	}
	return NULL;
}

bool feedbackd_init(struct daemon_state *st)
{
	struct feedbackd *f = &st->feedback;
	pthread_mutex_init(&f->lock, NULL);
	f->fb = malloc(sizeof *f->fb);
	f->breaker = malloc(sizeof *f->breaker);
	if (f->fb == NULL || f->breaker == NULL) {
		free(f->fb);
		free(f->breaker);
		f->fb = NULL;
		f->breaker = NULL;
		return false;
	}
	struct snapshot *snap = state_acquire(st);
	feedback_init(f->fb);
	breaker_init(f->breaker, snap->conf->feedback.open_for);
	state_release(snap);
	return true;
}

bool feedbackd_start(struct daemon_state *st)
{
	st->feedback.running = pthread_create(&st->feedback.thread, NULL, follower, st) == 0;
	return st->feedback.running;
}

void feedbackd_stop(struct daemon_state *st)
{
	struct feedbackd *f = &st->feedback;
	if (f->running)
		pthread_join(f->thread, NULL);
	f->running = false;
	free(f->fb);
	free(f->breaker);
	f->fb = NULL;
	f->breaker = NULL;
}

void feedbackd_admit(struct daemon_state *st, const struct conf *conf, int tenant, const char *sender_domain,
		     struct breaker_verdict *v)
{
	struct feedbackd *f = &st->feedback;
	struct breaker_change chg;
	pthread_mutex_lock(&f->lock);
	breaker_admit(f->breaker, tenant, sender_domain, time(NULL), v, &chg);
	log_change(st, conf, &chg, "reason=open_for-elapsed (one message goes through to try EOP again)");
	if (chg.changed)
		count_open(f);
	pthread_mutex_unlock(&f->lock);
}

void feedbackd_note(struct daemon_state *st, const char *qid, const char *sender_domain, const char *predicted)
{
	struct feedbackd *f = &st->feedback;
	pthread_mutex_lock(&f->lock);
	feedback_note(f->fb, qid, sender_domain, predicted);
	pthread_mutex_unlock(&f->lock);
}

struct close_ctx {
	struct daemon_state *st;
	const struct conf *conf;
	const char *extra;
};

static void on_close(void *arg, const struct breaker_change *chg)
{
	struct close_ctx *c = arg;
	log_change(c->st, c->conf, chg, c->extra);
}

void feedbackd_close_all(struct daemon_state *st, const char *why, long open_for)
{
	struct feedbackd *f = &st->feedback;
	char extra[64];
	snprintf(extra, sizeof extra, "reason=%s", why);
	struct snapshot *snap = state_acquire(st);
	struct close_ctx c = { st, snap->conf, extra };
	pthread_mutex_lock(&f->lock);
	breaker_close_all(f->breaker, time(NULL), on_close, &c);
	f->breaker->open_for = open_for;
	count_open(f);
	pthread_mutex_unlock(&f->lock);
	state_release(snap);
}
