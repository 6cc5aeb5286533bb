/*
 * review: correlation by queue id and grouping by cause.
 *
 * Does: keep per-message state (sender, client, eopguard's finding, the
 * statuses and causes already counted) in a hash table bounded by
 * table_max, evicting the oldest message when full; count distinct messages
 * and recipients per cause; lay out the report.
 * Does not: read files or print; the caller feeds lines and prints text.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "maillog.h"
#include "ndr.h"
#include "review.h"
#include "review_priv.h"

static const char *const status_names[] = { "bounced", "deferred", "expired", "milter-rejected", "held", "rejected" };

const char *review_status_name(const struct cause *c)
{
	return status_names[c->status];
}

/*
 * The reply a cause is shown with: the one the log holds (its first
 * occurrence), and the table's wording (as "known as") only for eopguard's
 * own refusals, whose logged text is eopguard's, not EOP's.
 */
const char *review_cause_reply(const struct cause *c)
{
	if (c->ndr != NULL && c->finding[0] != '\0' && strchr(c->ndr->code, '-') == NULL &&
	    strcmp(c->ndr->code, c->code) == 0)
		return c->ndr->reply;
	return c->reply[0] != '\0' || c->ndr == NULL ? c->reply : c->ndr->reply;
}

const char *review_example_sender(const struct example *e)
{
	return !e->sender_known ? "unknown" : e->sender[0] == '\0' ? "<>" : e->sender;
}

/* The reply itself within a status text: after Postfix's "host NAME[ADDR] said: ", before "(in reply to ...)". */
static struct slice reply_proper(struct slice r)
{
	const char *said = r.n > 6 ? memmem(r.p, r.n, "said: ", 6) : NULL;
	if (said != NULL) {
		r.n -= (size_t)(said + 6 - r.p);
		r.p = said + 6;
	}
	const char *in = r.n > 13 ? memmem(r.p, r.n, " (in reply to ", 14) : NULL;
	if (in != NULL)
		r.n = (size_t)(in - r.p);
	return r;
}

/*
 * A reply's reason with what varies between messages masked, for grouping
 * replies the table does not know: the text after "said: ", with <...> and
 * [...] emptied, digits as one '#', and words holding '@' as "@".
 */
static void normalise_reason(const char *p, size_t n, char *out, size_t outlen)
{
	const char *said = n > 6 ? memmem(p, n, "said: ", 6) : NULL;
	if (said != NULL) {
		n -= (size_t)(said + 6 - p);
		p = said + 6;
	}
	size_t o = 0;
	for (size_t i = 0; i < n && o + 2 < outlen; i++) {
		char ch = p[i];
		if (ch == '<' || ch == '[') {
			char close = ch == '<' ? '>' : ']';
			const char *e = memchr(p + i, close, n - i);
			if (e != NULL) {
				out[o++] = ch;
				out[o++] = close;
				i = (size_t)(e - p);
				continue;
			}
		}
		if (ch >= '0' && ch <= '9') {
			while (i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '9')
				i++;
			out[o++] = '#';
			continue;
		}
		if (ch == '(' && n - i > 14 && memcmp(p + i, "(in reply to ", 13) == 0)
			break;
		out[o++] = (unsigned char)ch < 0x20 || (unsigned char)ch >= 0x7f ? '?' : ch;
	}
	out[o] = '\0';
	/* a word with '@' is an address: mask it whole */
	for (char *at = strchr(out, '@'); at != NULL; at = strchr(at + 1, '@')) {
		char *s = at, *e = at;
		while (s > out && s[-1] != ' ')
			s--;
		while (*e != '\0' && *e != ' ')
			e++;
		*s = '@';
		memmove(s + 1, e, strlen(e) + 1);
		at = s;
	}
}

/* ---- small helpers ---- */

static void copy_slice(char *dst, size_t cap, struct slice s)
{
	size_t n = s.n < cap - 1 ? s.n : cap - 1;
	if (n > 0)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static uint32_t hash_bytes(const char *p, size_t n, uint32_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

/* Count name in a top list (bounded; the rest goes to "other"). */
static void top_add(struct top *t, const char *name)
{
	if (name[0] == '\0')
		return;
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->e[i].name, name) == 0) {
			t->e[i].count++;
			return;
		}
	}
	if (t->n < TOP_MAX) {
		snprintf(t->e[t->n].name, sizeof t->e[t->n].name, "%s", name);
		t->e[t->n++].count = 1;
	} else {
		t->other++;
	}
}

/* ---- message table ---- */

struct review *review_new(const struct review_options *opts)
{
	struct review *r = calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->opt = *opts;
	if (r->opt.table_max == 0)
		r->opt.table_max = 50000;
	struct tm tm;
	gmtime_r(&r->opt.now, &tm);
	r->year = tm.tm_year + 1900;
	r->causes = calloc(CAUSES_MAX, sizeof *r->causes);
	strbuf_init(&r->listing, 256u << 20);
	if (r->opt.histogram)
		r->hist = calloc((size_t)CAUSES_MAX * HIST_BUCKETS, sizeof *r->hist);
	if (r->causes == NULL || (r->opt.histogram && r->hist == NULL)) {
		free(r->causes);
		free(r->hist);
		free(r);
		return NULL;
	}
	return r;
}

/* Unlink m from the FIFO and its bucket, and free it. */
static void msg_drop(struct review *r, struct msg *m)
{
	uint32_t h = hash_bytes(m->qid, strlen(m->qid), 2166136261u) & ((1u << HASH_BITS) - 1);
	for (struct msg **pp = &r->buckets[h]; *pp != NULL; pp = &(*pp)->hash_next) {
		if (*pp == m) {
			*pp = m->hash_next;
			break;
		}
	}
	if (m->older != NULL)
		m->older->newer = m->newer;
	else
		r->oldest = m->newer;
	if (m->newer != NULL)
		m->newer->older = m->older;
	else
		r->newest = m->older;
	r->n_msgs--;
	free(m);
}

/* Find a message by queue id; create it when create is set. */
static struct msg *msg_get(struct review *r, struct slice qid, bool create)
{
	if (qid.n == 0 || qid.n > QID_MAX)
		return NULL;
	uint32_t h = hash_bytes(qid.p, qid.n, 2166136261u) & ((1u << HASH_BITS) - 1);
	for (struct msg *m = r->buckets[h]; m != NULL; m = m->hash_next) {
		if (strlen(m->qid) == qid.n && memcmp(m->qid, qid.p, qid.n) == 0)
			return m;
	}
	if (!create)
		return NULL;
	if (r->n_msgs >= r->opt.table_max && r->oldest != NULL)
		msg_drop(r, r->oldest);
	struct msg *m = calloc(1, sizeof *m);
	if (m == NULL)
		return NULL;
	copy_slice(m->qid, sizeof m->qid, qid);
	m->last_cause = -1;
	m->hash_next = r->buckets[h];
	r->buckets[h] = m;
	m->older = r->newest;
	if (r->newest != NULL)
		r->newest->newer = m;
	r->newest = m;
	if (r->oldest == NULL)
		r->oldest = m;
	r->n_msgs++;
	r->totals_messages++;
	return m;
}

/* Free everything. */
void review_free(struct review *r)
{
	if (r == NULL)
		return;
	while (r->oldest != NULL)
		msg_drop(r, r->oldest);
	free(r->causes);
	free(r->hist);
	strbuf_free(&r->listing);
	free(r);
}

/*
 * Make the histogram cover when: move its origin back or double the bucket
 * width (merging the counts) until it fits. HIST_BUCKETS buckets always
 * cover [hist_origin, hist_origin + HIST_BUCKETS * hist_width).
 */
static void hist_cover(struct review *r, time_t when)
{
	if (r->hist_width == 0) {
		r->hist_width = 3600;
		r->hist_origin = when - when % 3600;
		return;
	}
	time_t lo = r->hist_origin, hi = r->hist_origin + (time_t)HIST_BUCKETS * r->hist_width;
	if (when >= lo && when < hi)
		return;
	time_t want_lo = when < lo ? when : lo, want_hi = when >= hi ? when + 1 : hi;
	long width = r->hist_width;
	time_t origin;
	for (;;) {
		origin = want_lo - ((want_lo % width) + width) % width;
		if (origin <= lo && want_hi <= origin + (time_t)HIST_BUCKETS * width)
			break;
		width *= 2;
	}
	/* re-bucket in place per cause: new buckets are at least as wide, and start no later */
	for (size_t c = 0; c < r->n_causes; c++) {
		uint32_t tmp[HIST_BUCKETS] = { 0 };
		uint32_t *row = r->hist + c * HIST_BUCKETS;
		for (size_t b = 0; b < HIST_BUCKETS; b++) {
			if (row[b] == 0)
				continue;
			time_t start = r->hist_origin + (time_t)b * r->hist_width;
			tmp[(start - origin) / width] += row[b];
		}
		memcpy(row, tmp, sizeof tmp);
	}
	r->hist_origin = origin;
	r->hist_width = width;
}

/* One more message for cause id at when. */
static void hist_add(struct review *r, unsigned short id, time_t when)
{
	if (r->hist == NULL || when <= 0 || id >= CAUSES_MAX)
		return;
	hist_cover(r, when);
	r->hist[(size_t)id * HIST_BUCKETS + (size_t)((when - r->hist_origin) / r->hist_width)]++;
}

/* ---- causes ---- */

/*
 * The key for the cause cache, into key (at most CAUSE_KEY_MAX bytes):
 * status, dsn, the message's finding and the reply's masked reason (the
 * text from "said: " with <...>, [...], numbers and addresses masked, so
 * that EOP's server ids and times, client addresses and queue ids do not
 * split a cause, while different reasons of one code stay apart). Its
 * length, or 0 when it does not fit (then the cause is not cached).
 */
static size_t cause_key(enum cause_status st, struct slice reply, struct slice dsn, const char *finding,
			char key[CAUSE_KEY_MAX])
{
	char reason[128];
	normalise_reason(reply.p != NULL ? reply.p : "", reply.n, reason, sizeof reason);
	size_t reply_len = strlen(reason);
	size_t finding_len = finding != NULL ? strlen(finding) : 0;
	size_t need = 1 + dsn.n + 1 + finding_len + 1 + reply_len;
	if (need > CAUSE_KEY_MAX)
		return 0;
	char *k = key;
	*k++ = (char)st;
	if (dsn.n > 0)
		memcpy(k, dsn.p, dsn.n);
	k += dsn.n;
	*k++ = '\0';
	if (finding_len > 0)
		memcpy(k, finding, finding_len);
	k += finding_len;
	*k++ = '\0';
	if (reply_len > 0)
		memcpy(k, reason, reply_len);
	return need;
}

static struct cause *cause_lookup(struct review *r, enum cause_status st, struct slice reply, struct slice dsn,
				  const char *msg_finding);

/*
 * The cause for an event, through a small cache (the lookup in the NDR
 * table is the costly part). A hit needs the same key bytes, not only the
 * same hash.
 */
static struct cause *cause_get(struct review *r, enum cause_status st, struct slice reply, struct slice dsn,
			       const char *msg_finding)
{
	char key[CAUSE_KEY_MAX];
	size_t len = cause_key(st, reply, dsn, msg_finding, key);
	if (len == 0)
		return cause_lookup(r, st, reply, dsn, msg_finding);
	uint32_t hash = hash_bytes(key, len, 2166136261u);
	struct cause_cache_entry *e = &r->cache[hash % CAUSE_CACHE];
	if (e->len == len && e->hash == hash && memcmp(e->key, key, len) == 0)
		return e->cause;
	struct cause *c = cause_lookup(r, st, reply, dsn, msg_finding);
	e->hash = hash;
	e->len = len;
	memcpy(e->key, key, len);
	e->cause = c;
	return c;
}

/*
 * The cause for a status and a reply: code and EOP variant from the reply
 * (for eopguard's own refusals, the response it predicted), and the finding
 * eopguard logged for the message when it predicted this response.
 */
static struct cause *cause_lookup(struct review *r, enum cause_status st, struct slice reply, struct slice dsn,
				  const char *msg_finding)
{
	struct ndr_query q;
	const struct ndr_record *recs[4];
	struct ndr_match_info info;
	ndr_parse_input(reply.p != NULL ? reply.p : "", reply.n, &q);
	/* Postfix's own texts ("connect to ...: Connection refused") carry no code; the
	 * line's dsn= does, and a code the table lacks must not be explained by another's text. */
	bool dsn_code = dsn.n > 0 && dsn.n < sizeof q.enhanced && memchr(dsn.p, '.', dsn.n) != NULL;
	for (size_t i = 0; dsn_code && i < dsn.n; i++)   /* a slice of the line: not NUL-terminated */
		dsn_code = (dsn.p[i] >= '0' && dsn.p[i] <= '9') || dsn.p[i] == '.';
	if (q.enhanced[0] == '\0' && q.finding[0] == '\0' && dsn_code)
		copy_slice(q.enhanced, sizeof q.enhanced, dsn);
	enum ndr_origin origin = ndr_origin_of(reply.p != NULL ? reply.p : "", reply.n, NULL, 0);
	size_t n = ndr_lookup_info(&q, origin, recs, 4, &info);
	char code[16];
	if (q.enhanced[0] != '\0')
		snprintf(code, sizeof code, "%s", q.enhanced);
	else
		copy_slice(code, sizeof code, dsn);
	if (strspn(code, "0123456789.") != strlen(code))
		code[0] = '\0';   /* dsn= from a log line is text we print: digits and dots only */
	/* labelled by the table only when its text matched (a code alone says too little) */
	const struct ndr_record *ndr = n == 1 && info.score > 0 ? recs[0] : NULL;
	char finding[FINDING_KEEP + 1] = "";
	if (q.finding[0] != '\0') {
		/* eopguard's own refusal: group it under the response it predicted, whichever
		 * code the MTA logged first (Sendmail keeps "451 4.7.64", Postfix only "4.7.64"). */
		snprintf(finding, sizeof finding, "%s", q.finding);
		const struct ndr_record *predicted = ndr_for_finding(q.finding);
		if (predicted != NULL) {
			ndr = predicted;
			ndr_enhanced_with_class(predicted->reply, predicted->reply[0], code, sizeof code);
		}
	} else if (msg_finding != NULL && msg_finding[0] != '\0' &&
		 (ndr == NULL || ndr_for_finding(msg_finding) == ndr || st == CS_HELD))
		snprintf(finding, sizeof finding, "%s", msg_finding);
	/* A hold carries no code: the response eopguard predicted stands in for it. */
	if (ndr == NULL && finding[0] != '\0' && (st == CS_HELD || q.enhanced[0] == '\0')) {
		ndr = ndr_for_finding(finding);
		if (ndr != NULL)
			ndr_enhanced_with_class(ndr->reply, ndr->reply[0], code, sizeof code);
	}
	/* what the table does not explain is grouped by its masked reason, not under the first text of its code */
	char reason[sizeof r->causes[0].reason] = "";
	if (ndr == NULL)
		normalise_reason(reply.p != NULL ? reply.p : "", reply.n, reason, sizeof reason);
	for (size_t i = 0; i < r->n_causes; i++) {
		struct cause *c = &r->causes[i];
		if (c->status == st && c->ndr == ndr && strcmp(c->code, code) == 0 && strcmp(c->finding, finding) == 0 &&
		    strcmp(c->reason, reason) == 0)
			return c;
	}
	if (r->n_causes >= CAUSES_MAX)
		return NULL;
	struct cause *c = &r->causes[r->n_causes++];
	c->status = st;
	c->ndr = ndr;
	memcpy(c->reason, reason, sizeof c->reason);
	snprintf(c->code, sizeof c->code, "%s", code);
	snprintf(c->finding, sizeof c->finding, "%s", finding);
	struct slice shown = reply.p != NULL ? reply_proper(reply) : reply;
	strbuf_escape_into(c->reply, sizeof c->reply, shown.p, shown.n > 400 ? 400 : shown.n);
	return c;
}

/* Count one event of cause c for message m (and recipient rcpt). */
static void cause_count(struct review *r, struct cause *c, struct msg *m, const struct maillog_event *ev)
{
	struct slice rcpt = ev->to;
	time_t when = ev->when;
	char sender[ADDR_KEEP + 1], client[HOST_KEEP + 1];
	bool sender_known;
	if (m != NULL) {
		snprintf(sender, sizeof sender, "%s", m->sender);
		snprintf(client, sizeof client, "%s", m->client);
		sender_known = m->sender_known;
	} else {
		copy_slice(sender, sizeof sender, ev->from);
		copy_slice(client, sizeof client, ev->relay);
		sender_known = ev->from.p != NULL;
	}
	if (c == NULL)
		return;
	unsigned short id = (unsigned short)(c - r->causes);
	c->events++;
	if (c->first == 0 || (when != 0 && when < c->first))
		c->first = when;
	if (when > c->last)
		c->last = when;
	bool new_msg = true;
	if (m != NULL) {
		for (size_t i = 0; i < m->n_causes; i++)
			new_msg &= m->causes[i] != id;
		if (new_msg && m->n_causes < CAUSES_PER_MSG)
			m->causes[m->n_causes++] = id;
		m->last_cause = (short)id;
	}
	if (new_msg) {
		c->messages++;
		hist_add(r, id, when);
		const char *at = strrchr(sender, '@');
		top_add(&c->domains, at != NULL ? at + 1 : !sender_known ? "(unknown)" : sender[0] == '\0' ? "<>" : "");
		top_add(&c->hosts, client);
	}
	uint32_t rh = hash_bytes(rcpt.p != NULL ? rcpt.p : "", rcpt.n, 2166136261u ^ id);
	bool new_rcpt = rcpt.n > 0;   /* a refused connection (CONNECT, check_relay) names no recipient */
	if (m != NULL) {
		for (size_t i = 0; i < m->n_rcpts; i++)
			new_rcpt &= m->rcpts[i] != rh;
		if (new_rcpt && m->n_rcpts < RCPTS_PER_MSG)
			m->rcpts[m->n_rcpts++] = rh;
	}
	if (new_rcpt)
		c->recipients++;
	if (new_msg && c->n_examples < EXAMPLES_MAX) {
		struct example *e = &c->examples[c->n_examples++];
		if (m != NULL)
			snprintf(e->qid, sizeof e->qid, "%s", m->qid);
		else if (ev->qid.n > 0)   /* Sendmail's ruleset rejects carry the session's id */
			copy_slice(e->qid, sizeof e->qid, ev->qid);
		else
			snprintf(e->qid, sizeof e->qid, "NOQUEUE");
		copy_slice(e->rcpt, sizeof e->rcpt, rcpt);
		snprintf(e->sender, sizeof e->sender, "%s", sender);
		e->sender_known = sender_known;
	}
}

/* --messages: one line per counted event. */
static void list_event(struct review *r, const struct maillog_event *ev, const char *status, const struct cause *c)
{
	if (!r->opt.list_messages)
		return;
	char stamp[32] = "-";
	if (ev->when != 0) {
		struct tm tm;
		gmtime_r(&ev->when, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	strbuf_printf(&r->listing, "%s ", stamp);
	strbuf_put_token_escaped(&r->listing, ev->qid.n ? ev->qid.p : "NOQUEUE", ev->qid.n ? ev->qid.n : 7);
	strbuf_printf(&r->listing, " %s to=<", status);
	strbuf_put_token_escaped(&r->listing, ev->to.p != NULL ? ev->to.p : "", ev->to.n);
	strbuf_printf(&r->listing, "> code=%s finding=%s\n", c != NULL && c->code[0] ? c->code : "-",
		      c != NULL && c->finding[0] ? c->finding : "-");
}

/* ---- events ---- */

static void on_delivery(struct review *r, const struct maillog_event *ev)
{
	struct msg *m = msg_get(r, ev->qid, true);
	if (m == NULL)
		return;
	static const unsigned flag_of[] = { 0, MF_SENT, MF_DEFERRED, MF_BOUNCED, MF_EXPIRED };
	unsigned f = flag_of[ev->status];
	if ((m->flags & f) == 0) {
		if (f == MF_SENT) r->sent++;
		if (f == MF_DEFERRED) r->deferred++;
		if (f == MF_BOUNCED) r->bounced++;
		if (f == MF_EXPIRED) r->expired++;
	}
	m->flags |= f;
	if (ev->status == MS_SENT)
		return;
	if (ev->status == MS_DEFERRED)
		r->deferrals++;
	enum cause_status cs = ev->status == MS_DEFERRED ? CS_DEFERRED : ev->status == MS_BOUNCED ? CS_BOUNCED : CS_EXPIRED;
	struct cause *c = cause_get(r, cs, ev->reply, ev->dsn, m->finding);
	cause_count(r, c, m, ev);
	list_event(r, ev, status_names[cs], c);
}

static void on_expired(struct review *r, const struct maillog_event *ev)
{
	struct msg *m = msg_get(r, ev->qid, true);
	if (m == NULL)
		return;
	if ((m->flags & MF_EXPIRED) == 0)
		r->expired++;
	m->flags |= MF_EXPIRED;
	const struct cause *prev = m->last_cause >= 0 ? &r->causes[m->last_cause] : NULL;
	struct slice reply = { prev != NULL ? prev->reply : "", prev != NULL ? strlen(prev->reply) : 0 };
	struct slice dsn = { prev != NULL ? prev->code : "", prev != NULL ? strlen(prev->code) : 0 };
	struct cause *c = cause_get(r, CS_EXPIRED, reply, dsn, m->finding);
	cause_count(r, c, m, ev);
	list_event(r, ev, "expired", c);
}

static void on_milter(struct review *r, const struct maillog_event *ev, bool hold)
{
	struct msg *m = msg_get(r, ev->qid, ev->qid.n > 0);
	if (m != NULL && ev->from.p != NULL && !m->sender_known) {
		copy_slice(m->sender, sizeof m->sender, ev->from);
		m->sender_known = true;
	}
	unsigned f = hold ? MF_HELD : MF_MILTER;
	if (m == NULL || (m->flags & f) == 0) {
		if (hold) r->held++; else r->milter_rejected++;
	}
	if (m != NULL)
		m->flags |= f;
	struct cause *c = cause_get(r, hold ? CS_HELD : CS_MILTER_REJECTED, ev->reply, (struct slice){ NULL, 0 },
				    m != NULL ? m->finding : NULL);
	cause_count(r, c, m, ev);
	list_event(r, ev, hold ? "held" : "milter-rejected", c);
}

static void on_eopguard(struct review *r, const struct maillog_event *ev)
{
	if (ev->verdict.n == 4 && memcmp(ev->verdict.p, "pass", 4) == 0) r->eg_pass++;
	else if (ev->verdict.n == 4 && memcmp(ev->verdict.p, "warn", 4) == 0) r->eg_warn++;
	else if (ev->verdict.n == 4 && memcmp(ev->verdict.p, "fail", 4) == 0) r->eg_fail++;
	struct msg *m = msg_get(r, ev->qid, true);
	if (m == NULL)
		return;
	if (ev->verdict.n == 4 && memcmp(ev->verdict.p, "fail", 4) == 0 && ev->findings.n > 0 && ev->findings.p[0] != '-') {
		/* the first finding name; anything but [a-z-] means it is not one of ours */
		size_t n = 0;
		while (n < ev->findings.n && ((ev->findings.p[n] >= 'a' && ev->findings.p[n] <= 'z') || ev->findings.p[n] == '-'))
			n++;
		if (n == ev->findings.n || ev->findings.p[n] == ',')
			copy_slice(m->finding, sizeof m->finding, (struct slice){ ev->findings.p, n });
	}
	if (!m->sender_known && ev->from.p != NULL) {
		/* eopguard logs sender=<> for the null sender: "<>" unbracketed is empty */
		copy_slice(m->sender, sizeof m->sender, ev->from);
		m->sender_known = true;
	}
}

/* Add a file to the statistics. */
void review_begin_file(struct review *r, const char *name)
{
	if (r->n_files < FILES_MAX) {
		snprintf(r->files[r->n_files].name, sizeof r->files[r->n_files].name, "%s", name);
		r->n_files++;
	}
}

/* Parse and account one line. */
void review_line(struct review *r, const char *line, size_t len)
{
	struct file_stats *fs = r->n_files > 0 ? &r->files[r->n_files - 1] : NULL;
	struct maillog_event ev;
	r->lines++;
	if (fs != NULL)
		fs->lines++;
	maillog_parse(line, len, r->year, &ev);
	if (ev.when > r->opt.now + 86400)   /* classic stamp from last year */
		maillog_parse(line, len, r->year - 1, &ev);
	if (ev.local_time && ev.when != 0)
		ev.when -= r->opt.utc_offset;
	if (ev.kind == ML_SKIP || ev.kind == ML_MALFORMED) {
		if (fs != NULL) {
			if (ev.kind == ML_SKIP) fs->skipped++; else fs->malformed++;
		}
		return;
	}
	if (r->opt.since != 0 && ev.when != 0 && ev.when < r->opt.since)
		return;
	struct msg *m;
	switch (ev.kind) {
	case ML_FROM:
		if ((m = msg_get(r, ev.qid, true)) != NULL) {
			copy_slice(m->sender, sizeof m->sender, ev.from);
			m->sender_known = true;
		}
		break;
	case ML_CLIENT:
		if ((m = msg_get(r, ev.qid, true)) != NULL)
			copy_slice(m->client, sizeof m->client, ev.relay);
		break;
	case ML_REMOVED:
		if ((m = msg_get(r, ev.qid, false)) != NULL)
			msg_drop(r, m);
		break;
	case ML_DELIVERY: on_delivery(r, &ev); break;
	case ML_EXPIRED: on_expired(r, &ev); break;
	case ML_MILTER_REJECT: on_milter(r, &ev, false); break;
	case ML_MILTER_HOLD: on_milter(r, &ev, true); break;
	case ML_NOQUEUE_REJECT: {
		/* a reject after the queue id was assigned (RCPT, DATA, BDAT) belongs to that message */
		m = ev.qid.n > 0 ? msg_get(r, ev.qid, false) : NULL;
		struct cause *c = cause_get(r, CS_REJECTED, ev.reply, (struct slice){ NULL, 0 }, NULL);
		cause_count(r, c, m, &ev);
		list_event(r, &ev, "rejected", c);
		break;
	}
	case ML_EOPGUARD: on_eopguard(r, &ev); break;
	default: break;
	}
}

/* Messages held right now. */
size_t review_table_size(const struct review *r)
{
	return r->n_msgs;
}

/* A line that was not given to review_line (too long to keep): read and malformed. */
void review_overlong_line(struct review *r)
{
	r->lines++;
	if (r->n_files > 0) {
		r->files[r->n_files - 1].lines++;
		r->files[r->n_files - 1].malformed++;
	}
}

/* ---- output ---- */

/* Causes sorted by messages, largest first (stable by first appearance). */
static int cause_cmp(const void *a, const void *b)
{
	const struct cause *x = *(const struct cause *const *)a, *y = *(const struct cause *const *)b;
	if (x->messages != y->messages)
		return x->messages < y->messages ? 1 : -1;
	return x < y ? -1 : x > y;
}

size_t review_sorted_causes(struct review *r, const struct cause **out)
{
	for (size_t i = 0; i < r->n_causes; i++)
		out[i] = &r->causes[i];
	qsort(out, r->n_causes, sizeof *out, cause_cmp);
	return r->n_causes;
}

void review_iso_time(time_t t, char *out, size_t len)
{
	struct tm tm;
	if (t == 0) {
		snprintf(out, len, "-");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Indices of the top entries, largest first (at most k). */
static size_t top_order(const struct top *t, size_t *idx, size_t k)
{
	size_t n = 0;
	bool used[TOP_MAX] = { false };
	while (n < k) {
		size_t best = TOP_MAX;
		for (size_t i = 0; i < t->n; i++) {
			if (!used[i] && (best == TOP_MAX || t->e[i].count > t->e[best].count))
				best = i;
		}
		if (best == TOP_MAX)
			break;
		used[best] = true;
		idx[n++] = best;
	}
	return n;
}

static void text_top(struct review *r, struct strbuf *out, const char *label, const struct top *t, bool domains)
{
	size_t idx[5], n = top_order(t, idx, 5);
	if (n == 0)
		return;
	strbuf_printf(out, "  %s:", label);
	for (size_t i = 0; i < n; i++) {
		strbuf_printf(out, "%s ", i ? "," : "");
		strbuf_puts_text(out, t->e[idx[i]].name);
		strbuf_printf(out, " (%lu", t->e[idx[i]].count);
		if (domains && r->opt.accepted != NULL && strcmp(t->e[idx[i]].name, "<>") != 0 &&
		    !domain_is_accepted(r->opt.accepted, t->e[idx[i]].name))
			strbuf_puts(out, ", not accepted");
		strbuf_putc(out, ')');
	}
	strbuf_putc(out, '\n');
}

static void text_cause(struct review *r, const struct cause *c, struct strbuf *out)
{
	char first[32], last[32];
	review_iso_time(c->first, first, sizeof first);
	review_iso_time(c->last, last, sizeof last);
	const char *shown = review_cause_reply(c);
	strbuf_printf(out, "\n%s %s: %s", status_names[c->status], c->code[0] ? c->code : "(no code)",
		      shown[0] ? shown : "(no reply text)");
	if (c->finding[0] != '\0')
		strbuf_printf(out, "  [eopguard: %s]", c->finding);
	strbuf_printf(out, "\n  %lu message%s, %lu recipient%s", c->messages, c->messages == 1 ? "" : "s",
		      c->recipients, c->recipients == 1 ? "" : "s");
	if (c->status == CS_DEFERRED)
		strbuf_printf(out, ", %lu attempt%s", c->events, c->events == 1 ? "" : "s");
	strbuf_printf(out, "; first %s, last %s\n", first, last);
	text_top(r, out, "sending hosts", &c->hosts, false);
	text_top(r, out, "sender domains", &c->domains, true);
	strbuf_puts(out, "  examples:");
	for (size_t i = 0; i < c->n_examples; i++) {
		const struct example *e = &c->examples[i];
		strbuf_printf(out, "%s %s to <", i ? "," : "", e->qid);
		strbuf_puts_text(out, e->rcpt);
		if (!e->sender_known) {
			strbuf_puts(out, "> from an unknown sender (its from= line is not in the log)");
		} else {
			strbuf_puts(out, "> from <");
			strbuf_puts_text(out, e->sender);
			strbuf_putc(out, '>');
		}
	}
	strbuf_putc(out, '\n');
	if (c->ndr != NULL) {
		if (shown != c->ndr->reply)
			strbuf_printf(out, "  known as: %s\n", c->ndr->reply);
		strbuf_printf(out, "  meaning:  %s\n  who acts: %s\n  fix:      %s\n", c->ndr->meaning, c->ndr->owner,
			      c->ndr->fix);
	} else if (c->reply[0] != '\0') {
		strbuf_puts(out, "  reply:    ");
		strbuf_puts(out, c->reply);
		strbuf_puts(out, "\n  (not an Exchange Online response eopguard knows; eopguardctl explain gives its class)\n");
	}
	if (c->finding[0] != '\0') {
		strbuf_printf(out, "  eopguard: predicted by the finding %s; eopguardctl check shows what to change\n",
			      c->finding);
	}
}

/* The whole report as text. */
void review_format_text(struct review *r, struct strbuf *out)
{
	unsigned long long malformed = 0;
	for (size_t i = 0; i < r->n_files; i++)
		malformed += r->files[i].malformed;
	strbuf_printf(out, "%zu file%s, %llu lines (%llu malformed), %lu messages\n", r->n_files,
		      r->n_files == 1 ? "" : "s", r->lines, malformed, r->totals_messages);
	strbuf_printf(out, "sent %lu, bounced %lu, deferred %lu (%lu attempts), expired %lu, refused by a milter %lu, "
		      "held %lu\n", r->sent, r->bounced, r->deferred, r->deferrals, r->expired, r->milter_rejected, r->held);
	strbuf_printf(out, "eopguard verdicts: pass %lu, warn %lu, fail %lu\n", r->eg_pass, r->eg_warn, r->eg_fail);
	const struct cause **order = malloc((r->n_causes + 1) * sizeof *order);
	if (order == NULL)
		return;
	size_t n = review_sorted_causes(r, order);
	if (n == 0)
		strbuf_puts(out, "\nno deferred, bounced, expired, refused or held mail found\n");
	for (size_t i = 0; i < n; i++)
		text_cause(r, order[i], out);
	free(order);
	if (r->opt.list_messages && r->listing.len > 0) {
		strbuf_puts(out, "\nmessages:\n");
		strbuf_append(out, r->listing.data, r->listing.len);
	}
}

static void json_str(struct strbuf *out, const char *s)
{
	strbuf_putc(out, '"');
	strbuf_puts_json(out, s);
	strbuf_putc(out, '"');
}

static void json_top(struct strbuf *out, const char *name, const struct top *t)
{
	size_t idx[10], n = top_order(t, idx, 10);
	strbuf_printf(out, ",\"%s\":[", name);
	for (size_t i = 0; i < n; i++) {
		strbuf_printf(out, "%s{\"name\":", i ? "," : "");
		json_str(out, t->e[idx[i]].name);
		strbuf_printf(out, ",\"messages\":%lu}", t->e[idx[i]].count);
	}
	strbuf_putc(out, ']');
}

static void json_cause(const struct cause *c, struct strbuf *out)
{
	char first[32], last[32];
	review_iso_time(c->first, first, sizeof first);
	review_iso_time(c->last, last, sizeof last);
	strbuf_puts(out, "{\"code\":");
	if (c->code[0]) json_str(out, c->code); else strbuf_puts(out, "null");
	strbuf_puts(out, ",\"reply\":");
	json_str(out, review_cause_reply(c));
	strbuf_puts(out, ",\"finding\":");
	if (c->finding[0]) json_str(out, c->finding); else strbuf_puts(out, "null");
	strbuf_printf(out, ",\"status\":\"%s\",\"messages\":%lu,\"recipients\":%lu,\"events\":%lu,\"first\":",
		      status_names[c->status], c->messages, c->recipients, c->events);
	json_str(out, first);
	strbuf_puts(out, ",\"last\":");
	json_str(out, last);
	strbuf_puts(out, ",\"examples\":[");
	for (size_t i = 0; i < c->n_examples; i++) {
		strbuf_printf(out, "%s{\"queue_id\":", i ? "," : "");
		json_str(out, c->examples[i].qid);
		strbuf_puts(out, ",\"recipient\":");
		json_str(out, c->examples[i].rcpt);
		strbuf_puts(out, ",\"sender\":");
		if (c->examples[i].sender_known)
			json_str(out, c->examples[i].sender);
		else
			strbuf_puts(out, "null");   /* never seen; "" is the null sender */
		strbuf_putc(out, '}');
	}
	strbuf_putc(out, ']');
	json_top(out, "sending_hosts", &c->hosts);
	json_top(out, "sender_domains", &c->domains);
	strbuf_puts(out, ",\"meaning\":");
	if (c->ndr) json_str(out, c->ndr->meaning); else strbuf_puts(out, "null");
	strbuf_puts(out, ",\"owner\":");
	if (c->ndr) json_str(out, c->ndr->owner); else strbuf_puts(out, "null");
	strbuf_puts(out, ",\"fix\":");
	if (c->ndr) json_str(out, c->ndr->fix); else strbuf_puts(out, "null");
	strbuf_putc(out, '}');
}

/* The report as one JSON object: files, totals, causes (eopguardctl(8), review --json). */
void review_format_json(struct review *r, struct strbuf *out)
{
	strbuf_puts(out, "{\"files\":[");
	for (size_t i = 0; i < r->n_files; i++) {
		const struct file_stats *f = &r->files[i];
		strbuf_printf(out, "%s{\"name\":", i ? "," : "");
		json_str(out, f->name);
		strbuf_printf(out, ",\"lines\":%llu,\"skipped\":%llu,\"malformed\":%llu}", f->lines, f->skipped, f->malformed);
	}
	strbuf_printf(out, "],\"totals\":{\"messages\":%lu,\"sent\":%lu,\"bounced\":%lu,\"deferred\":%lu,\"expired\":%lu,"
		      "\"deferrals\":%lu,\"milter_rejected\":%lu,\"held\":%lu,\"eopguard\":{\"pass\":%lu,\"warn\":%lu,"
		      "\"fail\":%lu}},\"causes\":[", r->totals_messages, r->sent, r->bounced, r->deferred, r->expired,
		      r->deferrals, r->milter_rejected, r->held, r->eg_pass, r->eg_warn, r->eg_fail);
	const struct cause **order = malloc((r->n_causes + 1) * sizeof *order);
	if (order != NULL) {
		size_t n = review_sorted_causes(r, order);
		for (size_t i = 0; i < n; i++) {
			if (i > 0)
				strbuf_putc(out, ',');
			json_cause(order[i], out);
		}
		free(order);
	}
	strbuf_puts(out, "]}\n");
}
