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

/*
 * Several tenants: the tenant a message is judged against, the one whose
 * accepted domains hold the envelope sender's domain, else the first From
 * mailbox's; -1 when none does. With one tenant always 0 (nothing parsed).
 */
int msgcheck_tenant(const struct conf *conf, const struct msg_input *in);

/*
 * The checks for a message no tenant accepts: the From checks of tenant 0,
 * the sender's status, and tenant-unknown naming both domains.
 */
void msgcheck_run_no_tenant(const struct conf *conf, const struct msg_input *in, struct finding_list *out,
			    struct msg_result *res);

/* The tenants a message's recipients belong to (several tenants only). */
struct rcpt_tenants {
	unsigned long mask;                        /* bit i: a recipient in tenant i (CONF_TENANTS_MAX <= 32) */
	int tenant[2];                             /* the first two tenants seen */
	char domain[2][DOMAIN_MAX + 1];            /* a recipient domain of each */
};

/* Note one RCPT TO argument ("<a@b>" as given). */
void msgcheck_note_recipient(const struct conf *conf, const char *rcpt, struct rcpt_tenants *rt);

/* recipients-multi-tenant when recipients belong to more than one tenant. */
void msgcheck_recipients(const struct conf *conf, const struct rcpt_tenants *rt, struct finding_list *out);

#endif
