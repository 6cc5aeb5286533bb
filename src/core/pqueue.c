/*
 * pqueue: one line of postqueue -j -> struct pqueue_entry.
 *
 * Does: read queue_name, queue_id, sender and each recipient's
 * delay_reason with json-c, and name the NDR breaker cause of a reason.
 * Does not: run postqueue or act on the queue (src/ctl/cmd_release.c).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "breaker.h"
#include "ndr.h"
#include "pqueue.h"

const char *pqueue_queue_name(enum pqueue_queue q)
{
	static const char *const names[] = { "other", "hold", "deferred", "active", "incoming" };
	return names[q];
}

/* The string member name of obj, or NULL. */
static const char *member(json_object *obj, const char *name)
{
	json_object *v;
	if (!json_object_object_get_ex(obj, name, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Finish a mailq entry: the cause of its reason, then hand it out. */
static void mailq_emit(struct pqueue_entry *e, pqueue_entry_fn fn, void *ctx, size_t *n)
{
	if (e->queue_id[0] == '\0')
		return;
	char code[16];
	if (e->queue == PQ_DEFERRED && ndr_breaker_scope(e->reason, strlen(e->reason), code) != NULL)
		memcpy(e->cause, code, sizeof e->cause);
	fn(ctx, e);
	(*n)++;
	memset(e, 0, sizeof *e);
}

size_t pqueue_parse_mailq(const char *text, size_t len, bool quarantine, pqueue_entry_fn fn, void *ctx)
{
	struct pqueue_entry e;
	memset(&e, 0, sizeof e);
	size_t n = 0;
	const char *end = text + len;
	for (const char *line = text; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t ll = nl != NULL ? (size_t)(nl - line) : (size_t)(end - line);
		size_t ind = 0;
		while (ind < ll && (line[ind] == ' ' || line[ind] == '\t'))
			ind++;
		const char *t = line + ind;
		size_t tl = ll - ind;
		if (ind == 0 && tl > 0 && isalnum((unsigned char)t[0])) {
			/* "6B256jsK027386*     5 Wed Dec  2 05:06 <app@other.example>" */
			mailq_emit(&e, fn, ctx, &n);
			size_t q = 0;
			while (q < tl && q < PQUEUE_ID_MAX && isalnum((unsigned char)t[q]))
				q++;
			if (q >= 5 && (q == tl || t[q] == ' ' || t[q] == '*' || t[q] == 'X' || t[q] == '-')) {
				memcpy(e.queue_id, t, q);
				e.queue_id[q] = '\0';
				e.queue = quarantine ? PQ_HOLD : PQ_DEFERRED;
				const char *lt = memchr(t, '<', tl), *gt = lt != NULL ? memchr(lt, '>', (size_t)(t + tl - lt)) : NULL;
				if (lt != NULL && gt != NULL)
					breaker_escape(lt + 1, (size_t)(gt - lt - 1), e.sender, sizeof e.sender);
			}
		} else if (e.queue_id[0] != '\0' && tl > 12 && memcmp(t, "QUARANTINE: ", 12) == 0) {
			breaker_escape(t + 12, tl - 12, e.reason, sizeof e.reason);
		} else if (e.queue_id[0] != '\0' && tl > 2 && t[0] == '(' && e.reason[0] == '\0') {
			/* "(Deferred: 451 4.4.62 ...)" */
			size_t rl = t[tl - 1] == ')' ? tl - 2 : tl - 1;
			breaker_escape(t + 1, rl, e.reason, sizeof e.reason);
		} else if (e.queue_id[0] != '\0' && ind > 0 && tl > 0 && t[0] == '<') {
			e.recipients++;
		}
		line = nl != NULL ? nl + 1 : end;
	}
	mailq_emit(&e, fn, ctx, &n);
	return n;
}

bool pqueue_parse_line(const char *line, size_t len, struct pqueue_entry *e, char *err, size_t errlen)
{
	memset(e, 0, sizeof *e);
	json_tokener *tok = len <= 1000000 ? json_tokener_new() : NULL;
	if (tok == NULL) {
		snprintf(err, errlen, "line too long or out of memory");
		return false;
	}
	json_object *root = json_tokener_parse_ex(tok, line, (int)len);
	json_tokener_free(tok);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		json_object_put(root);
		snprintf(err, errlen, "not a JSON object");
		return false;
	}
	const char *qname = member(root, "queue_name"), *qid = member(root, "queue_id"), *sender = member(root, "sender");
	if (qname == NULL || qid == NULL) {
		json_object_put(root);
		snprintf(err, errlen, "no queue_name or queue_id");
		return false;
	}
	static const struct { const char *name; enum pqueue_queue q; } queues[] = {
		{ "hold", PQ_HOLD }, { "deferred", PQ_DEFERRED }, { "active", PQ_ACTIVE }, { "incoming", PQ_INCOMING },
	};
	for (size_t i = 0; i < sizeof queues / sizeof queues[0]; i++) {
		if (strcmp(qname, queues[i].name) == 0)
			e->queue = queues[i].q;
	}
	/* a queue id goes to postsuper's command line: letters and digits only, or the entry is refused */
	size_t qn = strlen(qid);
	bool qid_ok = qn > 0 && qn <= PQUEUE_ID_MAX;
	for (size_t i = 0; qid_ok && i < qn; i++)
		qid_ok = isalnum((unsigned char)qid[i]);
	if (qid_ok)
		memcpy(e->queue_id, qid, qn + 1);
	if (sender != NULL)
		breaker_escape(sender, strlen(sender), e->sender, sizeof e->sender);
	json_object *rcpts;
	if (json_object_object_get_ex(root, "recipients", &rcpts) && json_object_is_type(rcpts, json_type_array)) {
		size_t n = json_object_array_length(rcpts);
		e->recipients = n;
		for (size_t i = 0; i < n; i++) {
			json_object *r = json_object_array_get_idx(rcpts, i);
			const char *why = json_object_is_type(r, json_type_object) ? member(r, "delay_reason") : NULL;
			if (why == NULL)
				continue;
			char code[16];
			bool is_cause = e->cause[0] == '\0' && ndr_breaker_scope(why, strlen(why), code) != NULL;
			if (is_cause)
				memcpy(e->cause, code, sizeof e->cause);
			if (is_cause || e->reason[0] == '\0')
				breaker_escape(why, strlen(why), e->reason, sizeof e->reason);
		}
	}
	json_object_put(root);
	if (e->queue_id[0] == '\0') {
		snprintf(err, errlen, "queue_id is empty, too long or not letters and digits");
		return false;
	}
	return true;
}
