/*
 * verdict: findings + policy -> verdict, action, predicted EOP response.
 * Any failing finding makes the verdict fail (warnings alone: warn); the
 * strictest action any failing finding's policy asks for is taken.
 *
 * Pure and table-free: severities come with the findings, actions from the
 * policy, responses from ndr. Identity findings (cached) and message findings
 * are passed separately and never copied. The result points into the inputs
 * and the static NDR table; it is valid while they are.
 */
#ifndef EOPGUARD_VERDICT_H
#define EOPGUARD_VERDICT_H

#include <stdbool.h>

#include "conf.h"
#include "finding.h"
#include "ndr.h"

enum verdict { VERDICT_PASS, VERDICT_WARN, VERDICT_FAIL };

const char *verdict_name(enum verdict v);

struct verdict_policy {
	struct conf_policy actions;
	bool can_rewrite;   /* rewrite.sender is set */
	bool dry_run;
};

struct verdict_result {
	enum verdict verdict;
	enum action action;          /* what to do (annotate in dry-run) */
	enum action intended;        /* what the policy asked for, before dry_run */
	bool rewrite_sender;         /* apply smfi_chgfrom (rewrite or quarantine) */
	const struct finding *decisive;   /* fail finding behind a defer/reject, or NULL */
	const struct finding *predicted;  /* fail finding EOP would answer first, or NULL */
	const struct ndr_record *predicted_ndr;
};

/* Build a verdict_policy from a conf. */
void verdict_policy_from_conf(const struct conf *conf, struct verdict_policy *policy);

/*
 * Decide. identity may be NULL (no identity findings). Findings listed in
 * both lists are considered once each in the order identity, message.
 */
void verdict_decide(const struct finding_list *identity, const struct finding_list *message,
		    const struct verdict_policy *policy, struct verdict_result *out);

#endif
