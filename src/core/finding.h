/*
 * finding: the catalog of everything eopguard can find (the names the
 * README's "What it checks" table and eopguard(8) list)
 * and small fixed-size lists of findings.
 *
 * The catalog says, per finding: its stable name, which policy option
 * decides its action, when it is only ever a warning, in which attribution
 * mode it matters, and at which SMTP stage EOP would answer. A finding's
 * severity therefore follows from the catalog and the attribution mode; it is
 * fixed when the finding is added to a list.
 *
 * Pure. A finding_list is a plain value (no pointers), safe to copy.
 */
#ifndef EOPGUARD_FINDING_H
#define EOPGUARD_FINDING_H

#include <stdbool.h>
#include <stddef.h>

enum finding_id {
	/* relay identity (certificate files and settings) */
	FINDING_CERT_MISSING,
	FINDING_CERT_UNREADABLE,
	FINDING_KEY_MISMATCH,
	FINDING_CERT_EXPIRED,
	FINDING_CERT_NOT_YET_VALID,
	FINDING_CERT_EXPIRING,
	FINDING_CHAIN_INCOMPLETE,
	FINDING_CHAIN_UNTRUSTED,
	FINDING_SELF_SIGNED,
	FINDING_NAME_MISMATCH,
	FINDING_CERT_DOMAIN_NOT_ACCEPTED,
	FINDING_WEAK_KEY,
	FINDING_WEAK_SIGNATURE,
	FINDING_EKU_NO_CLIENTAUTH,
	FINDING_KEY_PERMISSIONS,
	FINDING_SMARTHOST_LEGACY,
	FINDING_SMARTHOST_IP,
	FINDING_SMARTHOST_SUBMISSION,
	FINDING_SERVER_NAME_MISMATCH,
	FINDING_SERVER_CERT_EXPIRED,
	FINDING_CONNECTOR_MISSING,
	FINDING_CONNECTOR_DISABLED,
	FINDING_DIRECT_SEND_REJECTED,
	/* message */
	FINDING_SENDER_NOT_ACCEPTED,
	FINDING_NULL_SENDER,
	FINDING_FROM_MISSING,
	FINDING_FROM_INVALID,
	FINDING_FROM_NOT_ACCEPTED,
	/* several tenants on one relay */
	FINDING_TENANT_UNKNOWN,
	FINDING_RECIPIENTS_MULTI_TENANT,
	/* what EOP really answered (feedback breaker) */
	FINDING_OBSERVED_REFUSAL,
	FINDING_COUNT
};

/* Which policy option decides the action for a failing finding. */
enum finding_policy {
	POLICY_IDENTITY_FAILURE,
	POLICY_SENDER_NOT_ACCEPTED,
	POLICY_NULL_SENDER,
	POLICY_FROM_INVALID,
	POLICY_OBSERVED_REFUSAL,
	POLICY_NONE            /* no action of its own: warnings, receive-side and annotate-only failures */
};

enum finding_severity { SEVERITY_WARN, SEVERITY_FAIL };

enum attribution_mode { ATTRIBUTION_CERTIFICATE, ATTRIBUTION_IP };

/* Where EOP would answer; earlier stages win when predicting its reply. */
enum smtp_stage { STAGE_TLS, STAGE_CONNECT, STAGE_ENVELOPE, STAGE_DATA, STAGE_NONE };

struct finding_info {
	const char *name;
	enum finding_policy policy;
	bool warn_only;         /* never a failure */
	bool certificate_mode;  /* a failure only with attribution = certificate */
	enum smtp_stage stage;
	bool message;           /* computed per message, not from the identity */
	/* POLICY_NONE with warn_only false: a failure of the hybrid receive side,
	 * reported by check and never part of a message's verdict; or, with
	 * message set, a failure EOP answers for some recipients only, which is
	 * predicted and annotated but never refused as a whole. */
	const char *hint;       /* default one-line hint */
};

/* Catalog entry for id; id must be < FINDING_COUNT. */
const struct finding_info *finding_info(enum finding_id id);
/* Finding id by stable name; false when unknown. */
bool finding_by_name(const char *name, enum finding_id *id);
/* The configuration option deciding a policy class ("policy.from_invalid"), or NULL. */
const char *finding_policy_option(enum finding_policy policy);
/* Severity of a finding in an attribution mode. */
enum finding_severity finding_severity_in(enum finding_id id, enum attribution_mode mode);

#define FINDING_HINT_MAX 400

struct finding {
	enum finding_id id;
	enum finding_severity severity;
	char hint[FINDING_HINT_MAX + 1];  /* one line, already safe to print */
};

struct finding_list {
	size_t count;
	struct finding items[FINDING_COUNT];
};

/* Empty a list. */
void finding_list_clear(struct finding_list *list);
/*
 * Add a finding once (a second add of the same id is ignored). hint may be
 * NULL for the catalog's default; it must already be escaped.
 */
void finding_list_add(struct finding_list *list, enum finding_id id, enum attribution_mode mode,
		      const char *hint);
/* The finding with id, or NULL. */
const struct finding *finding_list_get(const struct finding_list *list, enum finding_id id);
/*
 * Copy in to out with every severity judged again for mode: the identity
 * snapshot may have been computed under another configuration than the
 * one a connection pinned (a reload between the two).
 */
void finding_list_rejudge(const struct finding_list *in, enum attribution_mode mode, struct finding_list *out);

/* Number of findings of a severity. */
size_t finding_list_count(const struct finding_list *list, enum finding_severity severity);

#endif
