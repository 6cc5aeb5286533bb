/*
 * domains: normalisation and label-wise matching of DNS names.
 *
 * Does: syntax checks, lower-casing, accepted-domain sets (sorted arrays
 * searched with bsearch, so a lookup costs O(labels * log n)), certificate and
 * connector name matching.
 * Does not: resolve anything, read files, or decide policy.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domains.h"

struct domain_set {
	char **exact;       /* "contoso.com" */
	size_t n_exact, cap_exact;
	char **wild;        /* "contoso.com" for the entry "*.contoso.com" */
	size_t n_wild, cap_wild;
};

/* True for the bytes allowed inside a label. */
static bool domain_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Normalise and validate a domain name. */
bool domain_normalize(const char *in, size_t n, char out[DOMAIN_MAX + 1], const char **why)
{
	const char *dummy;
	if (why == NULL)
		why = &dummy;
	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0) {
		*why = "empty domain";
		return false;
	}
	if (n > DOMAIN_MAX) {
		*why = "domain longer than 253 characters";
		return false;
	}
	size_t label = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		out[i] = (char)c;
		if (c == '.') {
			if (label == 0) {
				*why = "empty label in domain";
				return false;
			}
			label = 0;
			continue;
		}
		if (!domain_char_ok(c)) {
			*why = "character not allowed in a domain name";
			return false;
		}
		if (++label > DOMAIN_LABEL_MAX) {
			*why = "label longer than 63 characters";
			return false;
		}
	}
	out[n] = '\0';
	return true;
}

/* A new, empty set. */
struct domain_set *domain_set_new(void)
{
	return calloc(1, sizeof(struct domain_set));
}

/* Free every string and the set itself. */
void domain_set_free(struct domain_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->n_exact; i++)
		free(set->exact[i]);
	for (size_t i = 0; i < set->n_wild; i++)
		free(set->wild[i]);
	free(set->exact);
	free(set->wild);
	free(set);
}

/* Append a copy of s to a growable array of strings. */
static bool strarray_push(char ***arr, size_t *n, size_t *cap, const char *s)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		char **na = realloc(*arr, ncap * sizeof *na);
		if (na == NULL)
			return false;
		*arr = na;
		*cap = ncap;
	}
	char *copy = strdup(s);
	if (copy == NULL)
		return false;
	(*arr)[(*n)++] = copy;
	return true;
}

/* Add an exact or wildcard entry. */
/* Normalise an accepted-domains entry ("name" or "*.name") into norm; false with a reason in err. */
static bool domain_entry_normalize(const char *entry, char norm[DOMAIN_MAX + 1], bool *wildcard, char *err,
				   size_t errlen)
{
	const char *why = NULL;
	*wildcard = strncmp(entry, "*.", 2) == 0;
	const char *name = *wildcard ? entry + 2 : entry;
	if (strchr(name, '*') != NULL) {
		snprintf(err, errlen, "'%s': a wildcard is allowed only as the whole first label (\"*.contoso.com\")",
			 entry);
		return false;
	}
	if (!domain_normalize(name, strlen(name), norm, &why)) {
		snprintf(err, errlen, "'%s' is not a valid domain: %s", entry, why);
		return false;
	}
	return true;
}

/* True when entry could be added to a set. */
bool domain_is_valid_entry(const char *entry, char *err, size_t errlen)
{
	char norm[DOMAIN_MAX + 1];
	bool wildcard;
	return domain_entry_normalize(entry, norm, &wildcard, err, errlen);
}

bool domain_set_add(struct domain_set *set, const char *entry, char *err, size_t errlen)
{
	char norm[DOMAIN_MAX + 1];
	bool wildcard;
	if (!domain_entry_normalize(entry, norm, &wildcard, err, errlen))
		return false;
	bool ok = wildcard ? strarray_push(&set->wild, &set->n_wild, &set->cap_wild, norm)
			   : strarray_push(&set->exact, &set->n_exact, &set->cap_exact, norm);
	if (!ok)
		snprintf(err, errlen, "out of memory adding '%s'", entry);
	return ok;
}

/* qsort/bsearch comparator for arrays of char *. */
static int strptr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort and remove duplicates from one array. */
static void strarray_sort_unique(char **arr, size_t *n)
{
	if (*n == 0)
		return;
	qsort(arr, *n, sizeof *arr, strptr_cmp);
	size_t out = 1;
	for (size_t i = 1; i < *n; i++) {
		if (strcmp(arr[i], arr[out - 1]) == 0)
			free(arr[i]);
		else
			arr[out++] = arr[i];
	}
	*n = out;
}

/* Sort and de-duplicate both arrays. */
void domain_set_seal(struct domain_set *set)
{
	strarray_sort_unique(set->exact, &set->n_exact);
	strarray_sort_unique(set->wild, &set->n_wild);
}

/* Number of entries. */
size_t domain_set_count(const struct domain_set *set)
{
	return set ? set->n_exact + set->n_wild : 0;
}

/* Entry i, exact ones first, then wildcards. */
void domain_set_entry(const struct domain_set *set, size_t i, char *out, size_t outlen)
{
	if (i < set->n_exact)
		snprintf(out, outlen, "%s", set->exact[i]);
	else if (i - set->n_exact < set->n_wild)
		snprintf(out, outlen, "*.%s", set->wild[i - set->n_exact]);
	else if (outlen > 0)
		out[0] = '\0';
}

/* True when key is in the sorted array. */
static bool strarray_has(char *const *arr, size_t n, const char *key)
{
	return n > 0 && bsearch(&key, arr, n, sizeof *arr, strptr_cmp) != NULL;
}

/* Label-wise membership test of a domain in an accepted-domain set. */
bool domain_is_accepted(const struct domain_set *set, const char *domain)
{
	char norm[DOMAIN_MAX + 1];
	if (set == NULL || !domain_normalize(domain, strlen(domain), norm, NULL))
		return false;
	if (strarray_has(set->exact, set->n_exact, norm))
		return true;
	for (const char *p = strchr(norm, '.'); p != NULL; p = strchr(p + 1, '.')) {
		if (strarray_has(set->wild, set->n_wild, p + 1))
			return true;
	}
	return false;
}

/* The part after the first label, or NULL. */
const char *domain_parent(const char *domain)
{
	const char *dot = strchr(domain, '.');
	return dot != NULL && dot[1] != '\0' ? dot + 1 : NULL;
}

/* RFC 6125 section 6.4.3 with the wildcard restricted to a whole label. */
bool domain_cert_name_matches(const char *cert_name, const char *host)
{
	char pat[DOMAIN_MAX + 1], h[DOMAIN_MAX + 1];
	bool wildcard = strncmp(cert_name, "*.", 2) == 0;
	const char *base = wildcard ? cert_name + 2 : cert_name;
	if (strchr(base, '*') != NULL)
		return false;
	if (!domain_normalize(base, strlen(base), pat, NULL) ||
	    !domain_normalize(host, strlen(host), h, NULL))
		return false;
	if (!wildcard)
		return strcmp(pat, h) == 0;
	/* A wildcard needs at least two labels after it: "*.com" matches nothing. */
	if (strchr(pat, '.') == NULL)
		return false;
	const char *parent = domain_parent(h);
	return parent != NULL && strcmp(parent, pat) == 0;
}

/* Connector rule: "*.x" covers x and every subdomain of x. */
bool domain_connector_name_matches(const char *connector_name, const char *cert_name)
{
	char pat[DOMAIN_MAX + 1], name[DOMAIN_MAX + 1];
	bool wildcard = strncmp(connector_name, "*.", 2) == 0;
	const char *base = wildcard ? connector_name + 2 : connector_name;
	if (strchr(base, '*') != NULL)
		return false;
	if (!domain_normalize(base, strlen(base), pat, NULL))
		return false;
	/* A certificate wildcard name is compared by its base. */
	const char *cn = strncmp(cert_name, "*.", 2) == 0 ? cert_name + 2 : cert_name;
	if (!domain_normalize(cn, strlen(cn), name, NULL))
		return false;
	if (strcmp(pat, name) == 0)
		return true;
	if (!wildcard)
		return false;
	size_t lp = strlen(pat), ln = strlen(name);
	return ln > lp && name[ln - lp - 1] == '.' && strcmp(name + ln - lp, pat) == 0;
}
