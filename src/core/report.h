/*
 * report: the text eopguard shows the world about one message: the
 * X-EOPGuard header value ("host; verdict=..; action=..; identity=..;
 * sender=..; from=..; predicted=\"..\""), X-EOPGuard-Hint values ("finding:
 * hint"), the per-message log line ("QID: verdict=.. action=.. findings=..
 * sender=<..> from=.. predicted=..") and the SMTP reply for defer/reject
 * ("451 4.7.64 eopguard: finding: EOP would answer \"..\"; hint").
 *
 * Pure. Everything sender-controlled is escaped here or was escaped when the
 * finding was made; outputs never contain CR, LF (other than the folding
 * sequence given by the caller) or non-printable bytes.
 */
#ifndef EOPGUARD_REPORT_H
#define EOPGUARD_REPORT_H

#include "conf.h"
#include "finding.h"
#include "msgcheck.h"
#include "strbuf.h"
#include "verdict.h"

struct report_input {
	const char *authserv_id;
	const struct finding_list *identity;  /* NULL: identity not checked ("none") */
	bool identity_unverified;             /* a file could not be read: at most "warn" */
	const struct finding_list *message;
	const struct msg_result *msg;
	const struct verdict_result *verdict;
	const char *envelope_sender;          /* MAIL FROM argument as received */
	const char *rewrite_domain;           /* domain of rewrite.sender, "" if unset */
	const char *queue_id;                 /* NULL when unknown */
	const char *observed;                 /* EOP's real reply behind observed-refusal (escaped), or NULL */
	const char *tenant;                   /* several tenants: the one judging ("" unnamed, "-" none); NULL: one tenant */
};

/* "accept", "rewrite", "quarantine", "defer", "reject": the action as shown. */
const char *report_action_name(enum action a);

/* "pass", "warn", "fail" or "none" for an identity finding list. */
const char *report_identity_state(const struct finding_list *identity, bool unverified);

/* The X-EOPGuard value, continuation lines joined by fold (e.g. "\n\t"). */
void report_header(const struct report_input *in, const char *fold, struct strbuf *out);

/* One X-EOPGuard-Hint value: "<finding>: <hint>". */
void report_hint(const struct finding *f, struct strbuf *out);

/* The per-message log line, without a trailing newline. */
void report_log_line(const struct report_input *in, struct strbuf *out);
/* The same as one JSON object (log_format = "json"); the fields are in report.c and eopguard.conf(5). */
void report_log_json(const struct report_input *in, struct strbuf *out);

struct report_reply {
	char code[4];        /* "451" or "550" */
	char enhanced[16];   /* "4.7.64" */
};

/*
 * Reply for a defer or reject: code, enhanced status and the text for
 * smfi_setreply() ('%' already doubled). Returns false when the verdict
 * has no decisive finding (the caller then uses a generic reply).
 */
bool report_reply_text(const struct report_input *in, struct report_reply *reply, struct strbuf *text);

#endif
