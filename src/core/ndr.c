/*
 * ndr: lookups in the compiled-in EOP response table.
 *
 * Does: map findings to predicted responses, pick out enhanced codes.
 * Does not: hold any EOP text of its own (that is data/ndr.txt), print, or
 * parse logs.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ndr.h"

/* True when the space-separated word list contains word. */
static bool word_list_has(const char *list, const char *word)
{
	size_t wl = strlen(word);
	for (const char *p = list; *p != '\0'; ) {
		while (*p == ' ')
			p++;
		size_t l = strcspn(p, " ");
		if (l == wl && strncmp(p, word, wl) == 0)
			return true;
		p += l;
	}
	return false;
}

/* The record listing finding in its predict field. */
const struct ndr_record *ndr_for_finding(const char *finding)
{
	for (size_t i = 0; i < ndr_table_len; i++) {
		if (word_list_has(ndr_table[i].predict, finding))
			return &ndr_table[i];
	}
	return NULL;
}

/* Extract "c.s.d" from a reply and replace its class. */
bool ndr_enhanced_with_class(const char *reply, char cls, char *out, size_t outlen)
{
	const char *p = strchr(reply, ' ');
	if (p == NULL)
		return false;
	p++;
	size_t n = strspn(p, "0123456789.");
	if (n < 5 || !isdigit((unsigned char)p[0]) || p[1] != '.')
		return false;
	int w = snprintf(out, outlen, "%c%.*s", cls, (int)(n - 1), p + 1);
	return w > 0 && (size_t)w < outlen;
}
