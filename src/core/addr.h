/*
 * addr: mail addresses as they arrive from the network.
 *
 *  - addr_parse_path(): an RFC 5321 reverse-path as a milter sees it in
 *    MAIL FROM ("<user@example.com>", "<>", with or without brackets,
 *    optional source route).
 *  - addr_parse_from(): the value of an RFC 5322 From field: display names,
 *    quoted strings, nested comments, folding, obsolete local parts and
 *    routes, groups (which are not allowed in From and are reported).
 *
 * Pure, linear in the input, no recursion and no allocation: results land in
 * caller-owned fixed-size structs whose bounds are the RFC 5321 limits.
 */
#ifndef EOPGUARD_ADDR_H
#define EOPGUARD_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#include "domains.h"

#define ADDR_LOCAL_MAX 64      /* RFC 5321 4.5.3.1.1 */
#define ADDR_PATH_MAX 256      /* RFC 5321 4.5.3.1.3, including brackets */
#define ADDR_FROM_MAX 32       /* mailboxes of one From field checked; more is reported */

struct addr_path {
	bool null_sender;              /* "<>" */
	char address[ADDR_PATH_MAX + 1]; /* "local@domain" as sent (escaped later) */
	char domain[DOMAIN_MAX + 1];   /* normalised; "" when null or not a domain */
};

/*
 * Parse a reverse-path. Returns true when it is "<>" or a mailbox whose
 * domain is a valid domain name (domain filled, lower case). On false, *why
 * says what is wrong; address still holds as much of the input as fitted.
 */
bool addr_parse_path(const char *in, struct addr_path *out, const char **why);

struct addr_mailbox {
	char domain[DOMAIN_MAX + 1];   /* normalised */
};

struct addr_from {
	size_t count;                  /* mailboxes found (may exceed ADDR_FROM_MAX) */
	struct addr_mailbox mailbox[ADDR_FROM_MAX];
	bool has_group;                /* a group construct appeared */
};

/*
 * Parse n bytes of a From field value. Returns true when it is a non-empty
 * mailbox-list (obsolete syntax allowed) with no group; otherwise false and
 * *why explains (e.g. "no '@' in address", "unterminated quoted string").
 */
bool addr_parse_from(const char *value, size_t n, struct addr_from *out, const char **why);

#endif
