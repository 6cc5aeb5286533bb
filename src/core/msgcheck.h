/*
 * msgcheck: the per-message checks (envelope sender, From field) that turn
 * what the MTA told us into findings: sender-not-accepted, null-sender,
 * from-missing, from-invalid, from-not-accepted.
 *
 * Pure: the caller collects the envelope and headers (milter.c) and passes
 * them in; nothing here knows libmilter.
 */
#ifndef EOPGUARD_MSGCHECK_H
#define EOPGUARD_MSGCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "conf.h"
#include "finding.h"

enum sender_status { SENDER_PASS, SENDER_NEUTRAL, SENDER_FAIL, SENDER_REWRITTEN, SENDER_NULL };
enum from_status { FROM_PASS, FROM_WARN, FROM_MISSING, FROM_INVALID };

const char *sender_status_name(enum sender_status s);
const char *from_status_name(enum from_status s);

/* What the milter saw of one message. */
struct msg_input {
	const char *envelope_sender;  /* MAIL FROM argument as given, e.g. "<a@b.c>" */
	size_t from_count;            /* number of From fields */
	const char *from_value;       /* the first From field's value (NULL if none) */
	size_t from_len;
	bool from_truncated;          /* the first From was longer than we keep */
	bool has_sender_field;        /* a Sender field is present */
};

struct msg_result {
	enum sender_status sender;
	char sender_domain[DOMAIN_MAX + 1];   /* "" when there is none */
	enum from_status from;
	char from_domain[DOMAIN_MAX + 1];     /* first From mailbox's domain, or "" */
};

/* Run the message checks; findings are appended to out. */
void msgcheck_run(const struct conf *conf, const struct msg_input *in, struct finding_list *out,
		  struct msg_result *res);

#endif
