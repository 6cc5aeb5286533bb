/*
 * export: the tenant as Exchange Online itself describes it, read from the
 * JSON file contrib/exchange/export-tenant.ps1 writes (tenant.export).
 *
 * The file is one object with ExportedAt, AcceptedDomains
 * (Get-AcceptedDomain), InboundConnectors (Get-InboundConnector),
 * OrganizationConfig (RejectDirectSend) and TransportConfig
 * (SmtpClientAuthenticationDisabled), the cmdlets' own field names kept.
 * Accepted: a list with one element written as a bare object (PowerShell
 * does that), enums as strings or numbers, SenderDomains as "smtp:*;1" or
 * bare names, a null or missing TlsSenderCertificateName, unknown fields,
 * a UTF-8 BOM, and UTF-16 (Windows PowerShell 5's default), converted.
 *
 * Pure: export_parse works on bytes in memory; export_load is the one
 * function that reads the file. Nothing here logs.
 */
#ifndef EOPGUARD_EXPORT_H
#define EOPGUARD_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "domains.h"

#define EXPORT_FILE_MAX (8u << 20)
#define EXPORT_NAME_MAX 128
#define EXPORT_IPS_MAX 64

enum export_domain_type { EXPORT_AUTHORITATIVE, EXPORT_EXTERNAL_RELAY, EXPORT_INTERNAL_RELAY };

struct export_domain {
	char name[DOMAIN_MAX + 1];          /* normalised */
	enum export_domain_type type;
	bool match_subdomains;
	bool sending_disabled;              /* SendingFromDomainDisabled: may not send */
};

struct export_connector {
	char name[EXPORT_NAME_MAX + 1];     /* escaped for display */
	bool enabled;
	bool on_premises;                   /* ConnectorType OnPremises (else Partner) */
	char cert_name[DOMAIN_MAX + 3];     /* TlsSenderCertificateName, lower case; "" when none */
	size_t n_ips;
	char ips[EXPORT_IPS_MAX][48];       /* SenderIPAddresses as written (IPv4, /24 to /32) */
};

struct tenant_export {
	time_t exported_at;                 /* 0 when the file does not say */
	size_t n_domains;
	struct export_domain *domains;
	size_t n_connectors;
	struct export_connector *connectors;
	int reject_direct_send;             /* -1 unknown, 0, 1 */
	int smtp_auth_disabled;             /* -1 unknown, 0, 1 */
};

#define EXPORT_ERR_MAX 512

/*
 * Parse len bytes of an export. path only names the file in errors, which
 * read "path:line:column: what; what to do". On success *out is a new
 * export (export_free it).
 */
bool export_parse(const char *data, size_t len, const char *path, struct tenant_export **out, char *err,
		  size_t errlen);
/* Read and parse the file at path (a regular file of at most EXPORT_FILE_MAX bytes). */
bool export_load(const char *path, struct tenant_export **out, char *err, size_t errlen);
/* Free; NULL allowed. */
void export_free(struct tenant_export *e);

/*
 * The connector that would attribute a relay presenting a certificate for
 * cert_name (a host name from the certificate): an enabled OnPremises one
 * whose TlsSenderCertificateName matches it (exactly, or "*.domain").
 * NULL when none; then *disabled_match, when not NULL, is a disabled or
 * Partner connector that would match (for the hint), or NULL.
 */
const struct export_connector *export_connector_for(const struct tenant_export *e, const char *cert_name,
						    const struct export_connector **disabled_match);

#endif
