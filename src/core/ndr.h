/*
 * ndr: the EOP response knowledge base (data/ndr.txt, compiled in by
 * ndr-gen.awk) and lookups in it.
 *
 * Pure; the table is static and read-only, so returned pointers live for the
 * whole program.
 */
#ifndef EOPGUARD_NDR_H
#define EOPGUARD_NDR_H

#include <stddef.h>

struct ndr_record {
	const char *code;     /* "5.7.64" or a range "5.7.606-649" */
	const char *reply;    /* "550 5.7.64 TenantAttribution; Relay Access Denied" */
	const char *match;    /* "A|B": substrings telling variants apart; "" = default */
	const char *meaning;
	const char *owner;
	const char *fix;
	const char *predict;  /* space-separated finding names */
};

extern const struct ndr_record ndr_table[];
extern const size_t ndr_table_len;

/* The record a finding predicts, or NULL when the finding predicts no refusal. */
const struct ndr_record *ndr_for_finding(const char *finding);

/*
 * Write into out the enhanced status code of reply with its class replaced by
 * cls ('4' or '5'): "550 5.7.64 ..." with '4' gives "4.7.64".
 * Returns false when the reply does not carry an enhanced code.
 */
#include <stdbool.h>
bool ndr_enhanced_with_class(const char *reply, char cls, char *out, size_t outlen);

#endif
