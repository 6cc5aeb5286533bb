/*
 * finding: the catalog of findings and fixed-size finding lists.
 *
 * Does: names, policy mapping, severities per attribution mode, default
 * hints. Does not: decide actions (verdict.c) or hold EOP texts (ndr).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "finding.h"

#define ID POLICY_IDENTITY_FAILURE

static const struct finding_info catalog[FINDING_COUNT] = {
	[FINDING_CERT_MISSING] = { "cert-missing", ID, false, true, STAGE_ENVELOPE, false,
		"set identity.client_cert to the certificate file the MTA sends (smtp_tls_cert_file)" },
	[FINDING_CERT_UNREADABLE] = { "cert-unreadable", ID, false, true, STAGE_ENVELOPE, false,
		"identity.client_cert must hold a PEM certificate, leaf first" },
	[FINDING_KEY_MISMATCH] = { "key-mismatch", ID, false, true, STAGE_ENVELOPE, false,
		"identity.client_key does not belong to the certificate; install the key issued with it" },
	[FINDING_CERT_EXPIRED] = { "cert-expired", ID, false, true, STAGE_TLS, false,
		"renew the relay certificate and reload the MTA" },
	[FINDING_CERT_NOT_YET_VALID] = { "cert-not-yet-valid", ID, false, true, STAGE_TLS, false,
		"the certificate is not valid yet; check the clock or install the current certificate" },
	[FINDING_CERT_EXPIRING] = { "cert-expiring", POLICY_NONE, true, true, STAGE_NONE, false,
		"renew the relay certificate before it expires" },
	[FINDING_CHAIN_INCOMPLETE] = { "chain-incomplete", ID, false, true, STAGE_ENVELOPE, false,
		"append the intermediate certificate(s) to the certificate file after the leaf" },
	[FINDING_CHAIN_UNTRUSTED] = { "chain-untrusted", ID, false, true, STAGE_ENVELOPE, false,
		"use a certificate from a public CA that Microsoft trusts" },
	[FINDING_SELF_SIGNED] = { "self-signed", ID, false, true, STAGE_ENVELOPE, false,
		"EOP does not accept self-signed certificates; use one from a public CA" },
	[FINDING_NAME_MISMATCH] = { "name-mismatch", ID, false, true, STAGE_ENVELOPE, false,
		"the certificate's names must match tenant.certificate_domain (the connector's TlsSenderCertificateName)" },
	[FINDING_CERT_DOMAIN_NOT_ACCEPTED] = { "cert-domain-not-accepted", ID, false, true, STAGE_ENVELOPE, false,
		"add the certificate domain (or its parent for a host name) as an accepted domain of the tenant" },
	[FINDING_WEAK_KEY] = { "weak-key", POLICY_NONE, true, true, STAGE_NONE, false,
		"reissue the certificate with an RSA key of 2048 bits or more, or an EC key of 256 bits or more" },
	[FINDING_WEAK_SIGNATURE] = { "weak-signature", POLICY_NONE, true, true, STAGE_NONE, false,
		"reissue the certificate with a SHA-256 (or stronger) signature" },
	[FINDING_EKU_NO_CLIENTAUTH] = { "eku-no-clientauth", POLICY_NONE, true, true, STAGE_NONE, false,
		"the certificate lacks the clientAuth extended key usage, as public CAs issue them since 2026; "
		"no source says EOP requires it, so this is only a warning" },
	[FINDING_KEY_PERMISSIONS] = { "key-permissions", POLICY_NONE, true, false, STAGE_NONE, false,
		"make the private key readable by its owner (and group) only: chmod 0600" },
	[FINDING_SMARTHOST_LEGACY] = { "smarthost-legacy", ID, false, false, STAGE_CONNECT, false,
		"set tenant.smarthost and relayhost to the tenant's MX endpoint, not a legacy name" },
	[FINDING_SMARTHOST_IP] = { "smarthost-ip", ID, false, false, STAGE_CONNECT, false,
		"use the tenant's MX endpoint host name in relayhost, never an IP address" },
	[FINDING_SMARTHOST_SUBMISSION] = { "smarthost-submission", ID, false, false, STAGE_CONNECT, false,
		"relay to the tenant's MX endpoint (*.mail.protection.outlook.com or *.mx.microsoft), not smtp.office365.com" },
	[FINDING_SERVER_NAME_MISMATCH] = { "server-name-mismatch", POLICY_NONE, false, false, STAGE_NONE, false,
		"bind a certificate carrying identity.server_name to the MTA's receiving side" },
	[FINDING_SERVER_CERT_EXPIRED] = { "server-cert-expired", POLICY_NONE, false, false, STAGE_NONE, false,
		"renew the certificate the MTA's receiving side presents" },
	[FINDING_CONNECTOR_MISSING] = { "connector-missing", ID, false, true, STAGE_ENVELOPE, false,
		"no enabled OnPremises inbound connector of the tenant names the certificate; set its "
		"TlsSenderCertificateName (Set-InboundConnector) or create one (New-InboundConnector)" },
	[FINDING_CONNECTOR_DISABLED] = { "connector-disabled", ID, false, true, STAGE_ENVELOPE, false,
		"the inbound connector that names the certificate is disabled or not of type OnPremises; "
		"fix it with Set-InboundConnector" },
	[FINDING_DIRECT_SEND_REJECTED] = { "direct-send-rejected", ID, false, true, STAGE_ENVELOPE, false,
		"the tenant rejects Direct Send and no inbound connector matches the relay: mail from the tenant's "
		"domains to its own mailboxes is refused (5.7.68); fix the connector" },
	[FINDING_SENDER_NOT_ACCEPTED] = { "sender-not-accepted", POLICY_SENDER_NOT_ACCEPTED, false, false,
		STAGE_ENVELOPE, true,
		"send with an envelope sender in an accepted domain, add the domain to the tenant, or set rewrite.sender" },
	[FINDING_NULL_SENDER] = { "null-sender", POLICY_NULL_SENDER, false, false, STAGE_ENVELOPE, true,
		"bounces (<>) relay only through a certificate connector: set tenant.attribution = certificate" },
	[FINDING_FROM_MISSING] = { "from-missing", POLICY_FROM_INVALID, false, false, STAGE_DATA, true,
		"the sending application must write a From field" },
	[FINDING_FROM_INVALID] = { "from-invalid", POLICY_FROM_INVALID, false, false, STAGE_DATA, true,
		"the sending application must write exactly one From field with a valid address" },
	[FINDING_FROM_NOT_ACCEPTED] = { "from-not-accepted", POLICY_NONE, true, false, STAGE_NONE, true,
		"the From domain is not an accepted domain; recipients may fail DMARC alignment" },
	[FINDING_TENANT_UNKNOWN] = { "tenant-unknown", POLICY_SENDER_NOT_ACCEPTED, false, false, STAGE_ENVELOPE, true,
		"neither the envelope sender's nor the From domain is an accepted domain of any tenant section; add the "
		"domain to its tenant, or set rewrite.sender" },
	[FINDING_RECIPIENTS_MULTI_TENANT] = { "recipients-multi-tenant", POLICY_NONE, false, false, STAGE_ENVELOPE, true,
		"the recipients belong to different tenants; EOP takes one tenant per transaction and defers the rest: "
		"send each tenant's recipients in their own transaction (smtp_destination_recipient_limit = 1, or a "
		"transport per tenant)" },
	[FINDING_OBSERVED_REFUSAL] = { "observed-refusal", POLICY_OBSERVED_REFUSAL, false, false, STAGE_ENVELOPE, true,
		"EOP refused recent mail of this relay for this cause; fix it (eopguardctl explain), then run "
		"eopguardctl release" },
};

#undef ID

/* Catalog entry for id. */
const struct finding_info *finding_info(enum finding_id id)
{
	return &catalog[id];
}

/* Look a finding up by its stable name. */
bool finding_by_name(const char *name, enum finding_id *id)
{
	for (size_t i = 0; i < FINDING_COUNT; i++) {
		if (strcmp(catalog[i].name, name) == 0) {
			*id = (enum finding_id)i;
			return true;
		}
	}
	return false;
}

/* The option name behind a policy class. */
const char *finding_policy_option(enum finding_policy policy)
{
	switch (policy) {
	case POLICY_IDENTITY_FAILURE: return "policy.identity_failure";
	case POLICY_SENDER_NOT_ACCEPTED: return "policy.sender_not_accepted";
	case POLICY_NULL_SENDER: return "policy.null_sender";
	case POLICY_FROM_INVALID: return "policy.from_invalid";
	case POLICY_OBSERVED_REFUSAL: return "policy.observed_refusal";
	case POLICY_NONE: break;
	}
	return NULL;
}

/* Severity follows from the catalog and the attribution mode. */
enum finding_severity finding_severity_in(enum finding_id id, enum attribution_mode mode)
{
	const struct finding_info *fi = &catalog[id];
	if (fi->warn_only)
		return SEVERITY_WARN;
	if (fi->certificate_mode && mode != ATTRIBUTION_CERTIFICATE)
		return SEVERITY_WARN;
	return SEVERITY_FAIL;
}

/* Copy a list, each severity judged again for mode (a list computed under another configuration). */
void finding_list_rejudge(const struct finding_list *in, enum attribution_mode mode, struct finding_list *out)
{
	*out = *in;
	for (size_t i = 0; i < out->count; i++)
		out->items[i].severity = finding_severity_in(out->items[i].id, mode);
}

/* Empty a list. */
void finding_list_clear(struct finding_list *list)
{
	list->count = 0;
}

/* Add a finding unless it is already there. */
void finding_list_add(struct finding_list *list, enum finding_id id, enum attribution_mode mode,
		      const char *hint)
{
	if (finding_list_get(list, id) != NULL || list->count >= FINDING_COUNT)
		return;
	struct finding *f = &list->items[list->count++];
	f->id = id;
	f->severity = finding_severity_in(id, mode);
	snprintf(f->hint, sizeof f->hint, "%s", hint != NULL ? hint : catalog[id].hint);
}

/* The finding with id, or NULL. */
const struct finding *finding_list_get(const struct finding_list *list, enum finding_id id)
{
	for (size_t i = 0; i < list->count; i++) {
		if (list->items[i].id == id)
			return &list->items[i];
	}
	return NULL;
}

/* Count findings of one severity. */
size_t finding_list_count(const struct finding_list *list, enum finding_severity severity)
{
	size_t n = 0;
	for (size_t i = 0; i < list->count; i++)
		n += list->items[i].severity == severity;
	return n;
}
