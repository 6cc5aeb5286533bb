/*
 * identity: snapshot, refresher thread and state-change log lines
 * ("identity: state=pass|warn|fail findings=a,b|- hint=\"...\"", logged once
 * per change of state or of the set of findings).
 *
 * Does: run check_identity (smart host and TLS identity) against the current configuration,
 * drop the receive-side findings (check reports those), swap the snapshot,
 * log when the state or the set of findings changes; at each poll, warn
 * (once a minute at most) when open files near the process's limit.
 * Does not: analyse anything itself, or touch libmilter.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "identity.h"
#include "metricsfile.h"
#include "state.h"
#include "strbuf.h"
#include "tlsid.h"

#define POLL_SECONDS 2

/* A cheap fingerprint of the watched files' metadata (every tenant's identity files). */
static unsigned long long fingerprint(struct daemon_state *st, const struct conf *c)
{
	const char *files[CONF_IDENTITY_FILES_MAX];
	size_t n = conf_identity_files(c, files);
	unsigned long long h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++) {
		struct tlsid_file f;
		if (st->helper.fd >= 0)
			helper_stat(&st->helper, files[i], &f);
		else
			tlsid_read_file(files[i], &f);
		unsigned long long parts[] = { (unsigned long long)f.err, (unsigned long long)f.mtime,
					       (unsigned long long)f.size, (unsigned long long)f.ino };
		for (size_t k = 0; k < 4; k++)
			h = (h ^ parts[k]) * 1099511628211ULL;
		tlsid_file_free(&f);
	}
	return h;
}

/* Judge one tenant's identity into j; false with *internal set when an internal error stopped it. */
static bool judge_tenant(const struct conf *c, const struct tlsid_reader *reader, struct identity_judgement *j,
			 int *internal)
{
	struct finding_list all;
	struct tlsid_result result;
	check_identity(c, time(NULL), reader, &all, NULL, &result);
	if (result.internal_errno != 0) {
		*internal = result.internal_errno;
		return false;
	}
	snprintf(j->tenant, sizeof j->tenant, "%s", c->tenant.name != NULL ? c->tenant.name : "");
	finding_list_clear(&j->findings);
	for (size_t i = 0; i < all.count; i++) {
		const struct finding_info *fi = finding_info(all.items[i].id);
		if (fi->policy == POLICY_NONE && !fi->warn_only)
			continue;   /* receive side: eopguardctl check reports it */
		j->findings.items[j->findings.count++] = all.items[i];
	}
	j->unverified = result.unverified;
	j->leaf_not_after = result.leaf_not_after;
	j->mode = c->tenant.attribution;
	snprintf(j->unverified_reason, sizeof j->unverified_reason, "%s", result.unverified_reason);
	return true;
}

/*
 * Compute a new snapshot for conf, one judgement per tenant. NULL when out
 * of memory, or when an internal error (EMFILE, ENOMEM, the helper gone)
 * stopped the judgement: then *internal holds its errno and nothing was
 * concluded about the files.
 */
static struct identity_snap *identity_compute(struct daemon_state *st, const struct conf *c, int *internal)
{
	*internal = 0;
	size_t n = c->n_tenants > 0 ? c->n_tenants : 1;
	struct identity_snap *s = calloc(1, sizeof *s + n * sizeof s->t[0]);
	if (s == NULL)
		return NULL;
	atomic_init(&s->refs, 1);
	s->n = n;
	struct tlsid_reader helper_reader = { helper_read, &st->helper };
	const struct tlsid_reader *reader = st->helper.fd >= 0 ? &helper_reader : &tlsid_direct_reader;
	for (size_t i = 0; i < n; i++) {
		if (!judge_tenant(conf_tenant_view(c, i), reader, &s->t[i], internal)) {
			free(s);
			return NULL;
		}
	}
	return s;
}

/* The judgement of tenant i, when the snapshot was made for the same tenants. */
const struct identity_judgement *identity_of(const struct identity_snap *snap, const struct conf *conf, size_t i)
{
	if (snap == NULL || i >= snap->n)
		return NULL;
	const char *name = conf_tenant_name(conf, i);
	return strcmp(snap->t[i].tenant, name) == 0 ? &snap->t[i] : NULL;
}

/* "pass", "warn" or "fail". */
static const char *snap_state(const struct identity_judgement *s)
{
	if (finding_list_count(&s->findings, SEVERITY_FAIL) > 0)
		return "fail";
	return s->findings.count > 0 || s->unverified ? "warn" : "pass";
}

/* True when two judgements differ in state or findings. */
static bool snap_differs(const struct identity_judgement *a, const struct identity_judgement *b)
{
	if (a == NULL || strcmp(a->tenant, b->tenant) != 0 || strcmp(snap_state(a), snap_state(b)) != 0 ||
	    a->findings.count != b->findings.count || a->unverified != b->unverified)
		return true;
	for (size_t i = 0; i < a->findings.count; i++) {
		if (a->findings.items[i].id != b->findings.items[i].id)
			return true;
	}
	return false;
}

/* The state-change log line; names the tenant when there are several. */
static void log_state(struct daemon_state *st, const struct identity_judgement *s, bool several, bool json)
{
	struct strbuf sb;
	strbuf_init(&sb, 2048);
	if (json) {
		strbuf_puts(&sb, "{\"event\":\"identity\",");
		if (several) {
			strbuf_puts(&sb, "\"tenant\":\"");
			strbuf_puts_json(&sb, s->tenant);
			strbuf_puts(&sb, "\",");
		}
		strbuf_printf(&sb, "\"state\":\"%s\",\"findings\":[", snap_state(s));
		for (size_t i = 0; i < s->findings.count; i++)
			strbuf_printf(&sb, "%s\"%s\"", i ? "," : "", finding_info(s->findings.items[i].id)->name);
		strbuf_putc(&sb, ']');
	} else {
		strbuf_puts(&sb, "identity: ");
		if (several)
			strbuf_printf(&sb, "tenant=%s ", s->tenant[0] != '\0' ? s->tenant : "\"\"");
		strbuf_printf(&sb, "state=%s findings=", snap_state(s));
		for (size_t i = 0; i < s->findings.count; i++)
			strbuf_printf(&sb, "%s%s", i ? "," : "", finding_info(s->findings.items[i].id)->name);
		if (s->findings.count == 0)
			strbuf_putc(&sb, '-');
	}
	const char *hint = NULL;
	for (size_t i = 0; i < s->findings.count && hint == NULL; i++) {
		if (s->findings.items[i].severity == SEVERITY_FAIL)
			hint = s->findings.items[i].hint;
	}
	if (hint == NULL && s->findings.count > 0)
		hint = s->findings.items[0].hint;
	if (hint == NULL && s->unverified)
		hint = s->unverified_reason;
	if (json) {
		strbuf_puts(&sb, ",\"hint\":");
		if (hint != NULL) {
			strbuf_putc(&sb, '"');
			strbuf_puts_json(&sb, hint);
			strbuf_putc(&sb, '"');
		} else {
			strbuf_puts(&sb, "null");
		}
		strbuf_putc(&sb, '}');
	} else if (hint != NULL) {
		strbuf_puts(&sb, " hint=\"");
		strbuf_puts_text(&sb, hint);
		strbuf_putc(&sb, '"');
	}
	log_msg(&st->log, strcmp(snap_state(s), "pass") == 0 ? LOG_INFO : LOG_WARNING, "%s", sb.data);
	strbuf_free(&sb);
}

/* Swap in a new snapshot; log when it changed. */
static void identity_install(struct daemon_state *st, struct identity_snap *fresh, bool json)
{
	pthread_mutex_lock(&st->identity_lock);
	struct identity_snap *old = st->identity;
	st->identity = fresh;
	pthread_mutex_unlock(&st->identity_lock);
	for (size_t i = 0; i < fresh->n; i++) {
		const struct identity_judgement *before = old != NULL && i < old->n ? &old->t[i] : NULL;
		if (snap_differs(before, &fresh->t[i]))
			log_state(st, &fresh->t[i], fresh->n > 1, json);
	}
	identity_release(old);
}

/*
 * Recompute for the current configuration. The files' fingerprint is taken
 * before they are read and again after: when it moved meanwhile (a key
 * replaced during the read), the judgement is computed again, up to three
 * times. The fingerprint kept is the one taken before the last read, so a
 * file that is still moving is noticed at the next poll.
 */
static void identity_refresh(struct daemon_state *st)
{
	struct snapshot *conf = state_acquire(st);
	unsigned long long before = fingerprint(st, conf->conf);
	struct identity_snap *fresh = NULL;
	int internal = 0;
	for (int tries = 0; tries < 3; tries++) {
		identity_release(fresh);
		fresh = identity_compute(st, conf->conf, &internal);
		unsigned long long after = fingerprint(st, conf->conf);
		if (after == before)
			break;
		if (tries < 2)
			before = after;
	}
	/* renewed or replaced identity files: what EOP refused before says nothing about them */
	bool files_changed = st->identity_fingerprint != 0 && before != st->identity_fingerprint;
	st->identity_fingerprint = before;
	bool json = conf->conf->log_json;
	long open_for = conf->conf->feedback.open_for;
	state_release(conf);
	st->identity_retry = fresh == NULL;
	if (files_changed && st->feedback.breaker != NULL)
		feedbackd_close_all(st, "identity-change", open_for);
	if (fresh != NULL)
		identity_install(st, fresh, json);
	else
		log_msg(&st->log, LOG_ERR, "identity: recheck failed: %s; keeping the previous judgement, retrying in "
			"%d s", internal != 0 ? strerror(internal) : "out of memory", POLL_SECONDS);
}

/* First snapshot, before any thread runs. */
void identity_init(struct daemon_state *st)
{
	pthread_mutex_init(&st->identity_lock, NULL);
	pthread_mutex_init(&st->refresh_lock, NULL);
	pthread_cond_init(&st->refresh_cond, NULL);
	st->identity = NULL;
	identity_refresh(st);
}

/* Open descriptors of this process, counted in /proc/self/fd; 0 when unknown. */
static unsigned open_descriptors(void)
{
	DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return 0;
	unsigned n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n > 0 ? n - 1 : 0;   /* less opendir's own */
}

/*
 * Near the limit of open files, say so (at most once a minute): past it
 * libmilter refuses MTA connections, and every message then gets the MTA's
 * milter_default_action. Idle connections are what usually fills it.
 */
static void watch_descriptors(struct daemon_state *st, const struct conf *c)
{
	if (st->descriptors_warn_at == 0)
		return;
	time_t now = time(NULL);
	if (now - st->descriptors_warned < 60)
		return;
	unsigned n = open_descriptors();
	if (n < st->descriptors_warn_at)
		return;
	st->descriptors_warned = now;
	log_msg(&st->log, LOG_WARNING, "%u of %u open files in use: past the limit MTA connections are refused "
		"and the MTA applies milter_default_action; connections stalled inside a command close after "
		"timeout = %ld s", n, st->descriptor_limit, c->timeout);
}

/* The refresher loop. */
static void *refresher(void *arg)
{
	struct daemon_state *st = arg;
	time_t last = time(NULL);
	for (;;) {
		pthread_mutex_lock(&st->refresh_lock);
		if (!st->refresh_wake && !st->refresh_stop) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += POLL_SECONDS;
			pthread_cond_timedwait(&st->refresh_cond, &st->refresh_lock, &until);
		}
		bool wake = st->refresh_wake, stop = st->refresh_stop;
		st->refresh_wake = false;
		pthread_mutex_unlock(&st->refresh_lock);
		if (stop)
			return NULL;
		struct snapshot *conf = state_acquire(st);
		bool due = time(NULL) - last >= conf->conf->identity.recheck_interval || st->identity_retry;
		bool changed = fingerprint(st, conf->conf) != st->identity_fingerprint;
		watch_descriptors(st, conf->conf);
		metrics_write_due(st, conf->conf);
		state_release(conf);
		if (wake || due || changed) {
			identity_refresh(st);
			last = time(NULL);
		}
	}
}

/* Start the refresher. */
bool identity_start(struct daemon_state *st)
{
	return pthread_create(&st->refresher, NULL, refresher, st) == 0;
}

/* Ask for a recheck now. */
void identity_wake(struct daemon_state *st)
{
	pthread_mutex_lock(&st->refresh_lock);
	st->refresh_wake = true;
	pthread_cond_signal(&st->refresh_cond);
	pthread_mutex_unlock(&st->refresh_lock);
}

/* Stop the refresher and drop the snapshot. */
void identity_stop(struct daemon_state *st)
{
	pthread_mutex_lock(&st->refresh_lock);
	st->refresh_stop = true;
	pthread_cond_signal(&st->refresh_cond);
	pthread_mutex_unlock(&st->refresh_lock);
	pthread_join(st->refresher, NULL);
	identity_release(st->identity);
	st->identity = NULL;
}

/* Pin the current snapshot. */
struct identity_snap *identity_acquire(struct daemon_state *st)
{
	pthread_mutex_lock(&st->identity_lock);
	struct identity_snap *s = st->identity;
	if (s != NULL)
		atomic_fetch_add(&s->refs, 1);
	pthread_mutex_unlock(&st->identity_lock);
	return s;
}

/* Unpin; the last reference frees. */
void identity_release(struct identity_snap *snap)
{
	if (snap != NULL && atomic_fetch_sub(&snap->refs, 1) == 1)
		free(snap);
}
