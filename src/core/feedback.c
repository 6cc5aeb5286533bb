/*
 * feedback: mail log lines -> EOP's real answers, with what was predicted.
 *
 * Does: pick deliveries to EOP out of parsed log lines (maillog.c), tell a
 * breaker cause (the NDR table's breaker field) from any other refusal,
 * and remember per queue id the sender's domain and eopguard's prediction.
 * Does not: read the log (src/io/logfollow.c, src/io/journal.c), keep
 * breaker state (breaker.c) or log.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "feedback.h"
#include "maillog.h"
#include "ndr.h"

void feedback_init(struct feedback *fb)
{
	memset(fb, 0, sizeof *fb);
}

/* Copy a queue id, keeping letters and digits only; false when none is left. */
static bool clean_qid(const char *p, size_t n, char out[FEEDBACK_QID_MAX + 1])
{
	size_t o = 0;
	for (size_t i = 0; i < n && o < FEEDBACK_QID_MAX; i++) {
		if (isalnum((unsigned char)p[i]))
			out[o++] = p[i];
	}
	out[o] = '\0';
	return o > 0;
}

/* FNV-1a of a queue id: its slot. */
static size_t qid_slot(const char *qid)
{
	unsigned long h = 2166136261u;
	for (; *qid != '\0'; qid++)
		h = (h ^ (unsigned char)*qid) * 16777619u;
	return h % FEEDBACK_TRACK_MAX;
}

/* The slot holding qid, or NULL. */
static struct feedback_track *track_find(struct feedback *fb, const char *qid)
{
	struct feedback_track *t = &fb->track[qid_slot(qid)];
	return strcmp(t->qid, qid) == 0 ? t : NULL;
}

/* The slot for qid, claimed (an older id there is forgotten). */
static struct feedback_track *track_claim(struct feedback *fb, const char *qid)
{
	struct feedback_track *t = &fb->track[qid_slot(qid)];
	if (strcmp(t->qid, qid) != 0) {
		memset(t, 0, sizeof *t);
		memcpy(t->qid, qid, strlen(qid) + 1);
	}
	return t;
}

/* The domain of an address (without <>), lower case, into out; "" when there is none or it is too long. */
static void address_domain(const char *p, size_t n, char out[DOMAIN_MAX + 1])
{
	out[0] = '\0';
	const char *at = NULL;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '@')
			at = p + i;
	}
	if (at == NULL)
		return;
	size_t len = (size_t)(p + n - at - 1);
	if (len == 0 || len > DOMAIN_MAX)
		return;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)at[1 + i];
		if (!isalnum(ch) && ch != '.' && ch != '-') {
			out[0] = '\0';
			return;
		}
		out[i] = (char)tolower(ch);
	}
	out[len] = '\0';
}

void feedback_note(struct feedback *fb, const char *qid, const char *sender_domain, const char *predicted)
{
	char id[FEEDBACK_QID_MAX + 1];
	if (qid == NULL || !clean_qid(qid, strlen(qid), id))
		return;
	struct feedback_track *t = track_claim(fb, id);
	t->judged = true;
	t->predicted = predicted;
	if (sender_domain != NULL && strlen(sender_domain) <= DOMAIN_MAX)
		memcpy(t->domain, sender_domain, strlen(sender_domain) + 1);
}

/* Does host (n bytes) match one pattern: exact, or "*.suffix" for names below suffix? */
static bool host_matches(const char *host, size_t n, const char *pattern)
{
	if (n == 0)
		return false;
	if (strncmp(pattern, "*.", 2) == 0) {
		size_t sl = strlen(pattern) - 1;   /* ".suffix" */
		return n > sl && strncasecmp(host + n - sl, pattern + 1, sl) == 0;
	}
	return strlen(pattern) == n && strncasecmp(host, pattern, n) == 0;
}

bool feedback_relay_matches(const struct conf_feedback *conf, const char *relay, size_t len)
{
	/* Postfix "name[addr]:port", Sendmail "name. [addr]": the name, and the address inside the brackets */
	size_t name_n = 0;
	while (name_n < len && relay[name_n] != '[' && relay[name_n] != ':')
		name_n++;
	const char *addr = NULL;
	size_t addr_n = 0;
	if (name_n < len && relay[name_n] == '[') {
		addr = relay + name_n + 1;
		while (name_n + 1 + addr_n < len && addr[addr_n] != ']')
			addr_n++;
	}
	while (name_n > 0 && (relay[name_n - 1] == ' ' || relay[name_n - 1] == '.'))
		name_n--;
	for (size_t i = 0; i < conf->n_match; i++) {
		if (host_matches(relay, name_n, conf->match[i]) ||
		    (addr != NULL && host_matches(addr, addr_n, conf->match[i])))
			return true;
	}
	return false;
}

/* The breaker scope of a refusal (NDR table), with its code as the cause. */
static bool refusal_scope(const char *reply, size_t len, enum breaker_scope *scope, char cause[BREAKER_CAUSE_MAX + 1])
{
	char code[16];
	const char *which = ndr_breaker_scope(reply, len, code);
	if (which == NULL)
		return false;
	*scope = strcmp(which, "domain") == 0 ? BREAKER_SCOPE_DOMAIN : BREAKER_SCOPE_RELAY;
	snprintf(cause, BREAKER_CAUSE_MAX + 1, "%s", code);
	return true;
}

/* The remote server's own words in a Postfix status text: after "said: ", before " (in reply to". */
static void remote_reply(const char *p, size_t n, const char **out, size_t *out_n)
{
	static const char said[] = " said: ", inreply[] = " (in reply to ";
	if (p == NULL) {
		*out = "";
		*out_n = 0;
		return;
	}
	const char *s = memmem(p, n, said, sizeof said - 1);
	if (s != NULL) {
		n -= (size_t)(s + sizeof said - 1 - p);
		p = s + sizeof said - 1;
	}
	const char *e = memmem(p, n, inreply, sizeof inreply - 1);
	if (e != NULL)
		n = (size_t)(e - p);
	*out = p;
	*out_n = n;
}

void feedback_line(struct feedback *fb, const struct conf_feedback *conf, const char *line, size_t len,
		   struct feedback_outcome *out)
{
	memset(out, 0, sizeof *out);
	struct maillog_event ev;
	maillog_parse(line, len, 1970, &ev);
	if (ev.kind == ML_FROM) {
		char id[FEEDBACK_QID_MAX + 1];
		if (clean_qid(ev.qid.p, ev.qid.n, id)) {
			struct feedback_track *t = track_claim(fb, id);
			if (t->domain[0] == '\0')
				address_domain(ev.from.p, ev.from.n, t->domain);
		}
		return;
	}
	if (ev.kind != ML_DELIVERY || !feedback_relay_matches(conf, ev.relay.p, ev.relay.n) ||
	    !clean_qid(ev.qid.p, ev.qid.n, out->qid))
		return;
	struct feedback_track *t = track_find(fb, out->qid);
	if (t != NULL)
		memcpy(out->domain, t->domain, sizeof out->domain);
	if (ev.status == MS_SENT) {
		out->kind = FEEDBACK_ACCEPTED;
		return;
	}
	remote_reply(ev.reply.p, ev.reply.n, &out->reply, &out->reply_len);
	if (!refusal_scope(out->reply, out->reply_len, &out->scope, out->cause)) {
		out->kind = FEEDBACK_OTHER;
		return;
	}
	out->kind = FEEDBACK_REFUSED;
	if (t == NULL || !t->judged) {
		out->predicted = "unknown";
		out->unpredicted = true;
	} else if (t->predicted == NULL) {
		out->predicted = "pass";
		out->miss = out->unpredicted = true;
	} else {
		out->predicted = t->predicted;
	}
}
