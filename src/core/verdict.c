/*
 * verdict: the strictest-action rule.
 *
 * Does: map each failing finding to its policy action (a rewrite of the
 * sender only where rewrite.sender is set; otherwise it acts as defer), take
 * the strictest, pick the finding behind it and the response EOP would give
 * first. Does not: talk to the MTA or format text.
 */
#include "config.h"

#include <string.h>

#include "verdict.h"

static const char *const verdict_names[] = { "pass", "warn", "fail" };

/* Header token for a verdict. */
const char *verdict_name(enum verdict v)
{
	return verdict_names[v];
}

/* Policy view of a conf. */
void verdict_policy_from_conf(const struct conf *conf, struct verdict_policy *policy)
{
	policy->actions = conf->policy;
	policy->can_rewrite = conf->rewrite_sender[0] != '\0';
	policy->dry_run = conf->dry_run;
}

/* The action the policy gives one failing finding. */
static enum action action_for(const struct finding *f, const struct verdict_policy *p)
{
	switch (finding_info(f->id)->policy) {
	case POLICY_IDENTITY_FAILURE:
		return p->actions.identity_failure;
	case POLICY_SENDER_NOT_ACCEPTED:
		if (p->actions.sender_not_accepted == ACTION_REWRITE && !p->can_rewrite)
			return ACTION_DEFER;
		return p->actions.sender_not_accepted;
	case POLICY_NULL_SENDER:
		return p->actions.null_sender;
	case POLICY_FROM_INVALID:
		return p->actions.from_invalid;
	case POLICY_OBSERVED_REFUSAL:
		return p->actions.observed_refusal;
	case POLICY_NONE:
		break;
	}
	return ACTION_ANNOTATE;
}

/* Fold one failing finding into the result. */
static void verdict_consider(const struct finding *f, const struct verdict_policy *p,
			     struct verdict_result *r)
{
	enum action a = action_for(f, p);
	if (a == ACTION_REWRITE)
		r->rewrite_sender = true;
	if (r->decisive == NULL || a > r->intended) {
		r->intended = a;
		r->decisive = f;
	}
	enum smtp_stage stage = finding_info(f->id)->stage;
	if (r->predicted == NULL || stage < finding_info(r->predicted->id)->stage)
		r->predicted = f;
}

/* Walk one list. */
static void verdict_walk(const struct finding_list *list, const struct verdict_policy *p,
			 struct verdict_result *r, bool *any_warn)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->count; i++) {
		const struct finding *f = &list->items[i];
		if (f->severity == SEVERITY_FAIL)
			verdict_consider(f, p, r);
		else
			*any_warn = true;
	}
}

/* Decide the verdict and action for one message. */
void verdict_decide(const struct finding_list *identity, const struct finding_list *message,
		    const struct verdict_policy *policy, struct verdict_result *out)
{
	memset(out, 0, sizeof *out);
	out->intended = ACTION_ANNOTATE;
	bool any_warn = false;
	verdict_walk(identity, policy, out, &any_warn);
	verdict_walk(message, policy, out, &any_warn);
	if (out->decisive != NULL)
		out->verdict = VERDICT_FAIL;
	else
		out->verdict = any_warn ? VERDICT_WARN : VERDICT_PASS;
	if (out->predicted != NULL)
		out->predicted_ndr = ndr_for_finding(finding_info(out->predicted->id)->name);
	/* Nothing is accepted on defer/reject, so there is nothing to rewrite. */
	if (out->intended == ACTION_DEFER || out->intended == ACTION_REJECT)
		out->rewrite_sender = false;
	out->action = out->intended;
	if (policy->dry_run) {
		out->action = ACTION_ANNOTATE;
		out->rewrite_sender = false;
	}
}
