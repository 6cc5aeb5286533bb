/*
 * domains: DNS domain normalisation and the matching rules eopguard uses.
 *
 *  - accepted-domain sets (tenant.accepted_domains): "contoso.com" is that domain
 *    only, "*.contoso.com" every subdomain at any depth but not contoso.com;
 *    case-insensitive, one trailing dot ignored, whole labels only;
 *  - certificate names (RFC 6125): "*.contoso.com" covers exactly one label;
 *  - connector names (TlsSenderCertificateName): "*.contoso.com" covers the
 *    domain itself and every subdomain.
 *
 * Pure: no I/O. A domain_set owns copies of the strings added to it.
 */
#ifndef EOPGUARD_DOMAINS_H
#define EOPGUARD_DOMAINS_H

#include <stdbool.h>
#include <stddef.h>

#define DOMAIN_MAX 253      /* RFC 1035 presentation length without the root dot */
#define DOMAIN_LABEL_MAX 63

/*
 * Normalise n bytes of in into out (lower case, one trailing dot removed).
 * Returns true when the result is a syntactically valid domain name made of
 * letters, digits, '-' and '_'; otherwise false and *why says what is wrong.
 */
bool domain_normalize(const char *in, size_t n, char out[DOMAIN_MAX + 1], const char **why);

struct domain_set;

/* A new, empty set; NULL when out of memory. */
struct domain_set *domain_set_new(void);
/* Free a set; NULL is allowed. */
void domain_set_free(struct domain_set *set);
/*
 * Add "domain" or "*.domain". Returns false with a message in err when the
 * entry is not a valid domain or wildcard (e.g. "a.*.b", "*", "*.com." ok).
 */
bool domain_set_add(struct domain_set *set, const char *entry, char *err, size_t errlen);
/* True when domain_set_add would accept entry; false with the same reason in err. */
bool domain_is_valid_entry(const char *entry, char *err, size_t errlen);
/* Sort and de-duplicate; call once after the last add, before lookups. */
void domain_set_seal(struct domain_set *set);
/* Number of distinct entries (exact plus wildcard). */
size_t domain_set_count(const struct domain_set *set);
/* Entry i in sorted order, written as in the config ("*.x" for wildcards). */
void domain_set_entry(const struct domain_set *set, size_t i, char *out, size_t outlen);

/* True when domain (any case, optional trailing dot) is in the set. */
bool domain_is_accepted(const struct domain_set *set, const char *domain);

/*
 * RFC 6125 match of a certificate DNS name (possibly "*.example.com") against
 * a host name. The wildcard must be the whole left-most label and covers
 * exactly one label; IDN A-labels are compared as plain ASCII.
 */
bool domain_cert_name_matches(const char *cert_name, const char *host);

/*
 * The connector rule for TlsSenderCertificateName: "contoso.com" matches that
 * name only; "*.contoso.com" matches contoso.com and any subdomain.
 */
bool domain_connector_name_matches(const char *connector_name, const char *cert_name);

/* The parent domain of a host name ("a.b.c" -> "b.c"); NULL for a single label. */
const char *domain_parent(const char *domain);

#endif
