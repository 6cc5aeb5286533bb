/*
 * export: the tenant export (export-tenant.ps1's JSON) read with json-c.
 *
 * Does: decode the file's text (UTF-8 with or without BOM, UTF-16 LE/BE
 * converted), parse it with json-c and keep the fields eopguard uses, in
 * fixed-size records; the connector matching rule. Errors carry the file,
 * line and column and say how to export again.
 * Does not: merge the export into a configuration (conf.c does) or judge a
 * certificate (tlsid.c does, with export_connector_for).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "export.h"
#include "strbuf.h"

#define REEXPORT "export it again with contrib/exchange/export-tenant.ps1"

/* ---- text decoding ---- */

/* Append code point cp as UTF-8 to out (room checked by the caller: 4 bytes). */
static size_t put_utf8(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* UTF-16 (big_endian or not) to a new UTF-8 string; NULL when out of memory. */
static char *utf16_to_utf8(const unsigned char *p, size_t n, bool big_endian, size_t *outlen)
{
	char *out = malloc(n / 2 * 3 + 4);
	if (out == NULL)
		return NULL;
	size_t len = 0;
	for (size_t i = 0; i + 1 < n; i += 2) {
		unsigned long u = big_endian ? (unsigned long)(p[i] << 8 | p[i + 1]) : (unsigned long)(p[i + 1] << 8 | p[i]);
		if (u >= 0xd800 && u < 0xdc00 && i + 3 < n) {
			unsigned long lo = big_endian ? (unsigned long)(p[i + 2] << 8 | p[i + 3])
						      : (unsigned long)(p[i + 3] << 8 | p[i + 2]);
			if (lo >= 0xdc00 && lo < 0xe000) {
				u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
		}
		if (u >= 0xd800 && u < 0xe000)
			u = 0xfffd;   /* a lone surrogate */
		len += put_utf8(u, out + len);
	}
	out[len] = '\0';
	*outlen = len;
	return out;
}

/*
 * The export's text as UTF-8 in a new buffer: a UTF-8 BOM dropped, UTF-16
 * (with a BOM, or recognised by its zero bytes) converted.
 */
static char *decode_text(const char *data, size_t len, size_t *outlen)
{
	const unsigned char *u = (const unsigned char *)data;
	if (len >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff)))
		return utf16_to_utf8(u + 2, len - 2, u[0] == 0xfe, outlen);
	if (len >= 2 && (u[0] == 0 || u[1] == 0))   /* UTF-16 without a BOM: "{" is 7b 00 or 00 7b */
		return utf16_to_utf8(u, len, u[0] == 0, outlen);
	size_t skip = len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf ? 3 : 0;
	char *out = malloc(len - skip + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, data + skip, len - skip);
	out[len - skip] = '\0';
	*outlen = len - skip;
	return out;
}

/* Line and column (from 1) of byte offset off in text. */
static void line_col(const char *text, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && text[i] != '\0'; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/* ---- fields ---- */

/* The member name of obj, compared without case (PowerShell keeps the cmdlets' case, but be lenient). */
static json_object *field(json_object *obj, const char *name)
{
	if (obj == NULL || !json_object_is_type(obj, json_type_object))
		return NULL;
	json_object *v = NULL;
	if (json_object_object_get_ex(obj, name, &v))
		return v;
	json_object_object_foreach(obj, key, val) {
		if (strcasecmp(key, name) == 0)
			return val;
	}
	return NULL;
}

/* A boolean field: true/false, "True"/"False", or a number; dflt when missing or null. */
static bool field_bool(json_object *obj, const char *name, bool dflt)
{
	json_object *v = field(obj, name);
	if (v == NULL || json_object_is_type(v, json_type_null))
		return dflt;
	if (json_object_is_type(v, json_type_string))
		return strcasecmp(json_object_get_string(v), "true") == 0;
	return json_object_get_boolean(v) != 0;
}

/* -1 for missing or null, else the boolean. */
static int field_tristate(json_object *obj, const char *name)
{
	json_object *v = field(obj, name);
	if (v == NULL || json_object_is_type(v, json_type_null))
		return -1;
	return field_bool(obj, name, false) ? 1 : 0;
}

/* A string field into out, escaped for display; "" when missing or null. */
static void field_text(json_object *obj, const char *name, char *out, size_t outlen)
{
	json_object *v = field(obj, name);
	const char *s = v != NULL && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
	strbuf_escape_into(out, outlen, s, strlen(s));
}

/* The elements of a list field: an array, or one bare object (PowerShell's single result). */
static size_t list_length(json_object *v)
{
	if (v == NULL || json_object_is_type(v, json_type_null))
		return 0;
	return json_object_is_type(v, json_type_array) ? json_object_array_length(v) : 1;
}

static json_object *list_item(json_object *v, size_t i)
{
	return json_object_is_type(v, json_type_array) ? json_object_array_get_idx(v, i) : v;
}

/*
 * An enum field as its name: a string as written, or a number mapped with
 * names[] (the enum's values in order); NULL when it is neither.
 */
static const char *field_enum(json_object *obj, const char *name, const char *const *names, size_t n_names)
{
	json_object *v = field(obj, name);
	if (v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	if (json_object_is_type(v, json_type_int)) {
		int64_t i = json_object_get_int64(v);
		return i >= 0 && (uint64_t)i < n_names ? names[i] : NULL;
	}
	return NULL;
}

/* ---- the parts of an export ---- */

/* ISO 8601 ("2026-11-30T10:12:13.1234567+01:00", "...Z") or "/Date(ms)/": seconds since 1970, 0 when neither. */
static time_t parse_time(const char *s)
{
	long long ms;
	if (sscanf(s, "/Date(%lld", &ms) == 1)
		return (time_t)(ms / 1000);
	int y, mo, d, h = 0, mi = 0, sec = 0, used = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) < 6 || used == 0)
		return 0;
	const char *p = s + used;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	long offset = 0;
	int oh, om;
	if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh, &om) == 2)
		offset = (*p == '+' ? 1 : -1) * (oh * 3600L + om * 60L);
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi,
			 .tm_sec = sec };
	time_t t = timegm(&tm);
	return t == (time_t)-1 ? 0 : t - offset;
}

/* DomainType as a number: Authoritative 0, ExternalRelay 1, InternalRelay 2 (the cmdlet's enum order). */
static const char *const domain_types[] = { "Authoritative", "ExternalRelay", "InternalRelay" };

/* Get-AcceptedDomain's objects. */
static bool read_domains(json_object *list, struct tenant_export *e, const char *path, char *err, size_t errlen)
{
	size_t n = list_length(list);
	e->domains = calloc(n > 0 ? n : 1, sizeof *e->domains);
	if (e->domains == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *d = list_item(list, i);
		json_object *name = field(d, "DomainName");
		const char *s = name != NULL && json_object_is_type(name, json_type_string) ? json_object_get_string(name) : NULL;
		struct export_domain *out = &e->domains[e->n_domains];
		const char *why = NULL;
		if (s == NULL) {
			snprintf(err, errlen, "%s: AcceptedDomains[%zu] has no DomainName; %s", path, i, REEXPORT);
			return false;
		}
		if (!domain_normalize(s, strlen(s), out->name, &why)) {
			char shown[200];
			strbuf_escape_into(shown, sizeof shown, s, strlen(s));
			snprintf(err, errlen, "%s: AcceptedDomains[%zu]: '%s' is not a domain: %s; correct it in the "
				 "export, or %s", path, i, shown, why, REEXPORT);
			return false;
		}
		const char *type = field_enum(d, "DomainType", domain_types, 3);
		out->type = type != NULL && strcasecmp(type, "InternalRelay") == 0   ? EXPORT_INTERNAL_RELAY
			    : type != NULL && strcasecmp(type, "ExternalRelay") == 0 ? EXPORT_EXTERNAL_RELAY
										 : EXPORT_AUTHORITATIVE;
		out->match_subdomains = field_bool(d, "MatchSubDomains", false);
		out->sending_disabled = field_bool(d, "SendingFromDomainDisabled", false);
		e->n_domains++;
	}
	return true;
}

/*
 * ConnectorType as a number (an export without string enums): Partner 1,
 * OnPremises 2, as Exchange Online's object model numbers them; inferred,
 * not seen on a live tenant, and the shipped script writes names.
 */
static const char *const connector_types[] = { "Default", "Partner", "OnPremises" };

/* Get-InboundConnector's objects. */
static bool read_connectors(json_object *list, struct tenant_export *e, const char *path, char *err, size_t errlen)
{
	size_t n = list_length(list);
	e->connectors = calloc(n > 0 ? n : 1, sizeof *e->connectors);
	if (e->connectors == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *c = list_item(list, i);
		struct export_connector *out = &e->connectors[e->n_connectors];
		if (c == NULL || !json_object_is_type(c, json_type_object)) {
			snprintf(err, errlen, "%s: InboundConnectors[%zu] is not an object; %s", path, i, REEXPORT);
			return false;
		}
		field_text(c, "Name", out->name, sizeof out->name);
		out->enabled = field_bool(c, "Enabled", true);
		const char *type = field_enum(c, "ConnectorType", connector_types, 3);
		if (type == NULL) {
			snprintf(err, errlen, "%s: InboundConnectors[%zu] (%s): ConnectorType is missing or not a name "
				 "(OnPremises, Partner); %s", path, i, out->name, REEXPORT);
			return false;
		}
		out->on_premises = strcasecmp(type, "OnPremises") == 0;
		json_object *cn = field(c, "TlsSenderCertificateName");
		const char *cs = cn != NULL && json_object_is_type(cn, json_type_string) ? json_object_get_string(cn) : "";
		char norm[DOMAIN_MAX + 1];
		const char *why = NULL;
		bool wild = strncmp(cs, "*.", 2) == 0;
		if (cs[0] != '\0' && domain_normalize(cs + (wild ? 2 : 0), strlen(cs + (wild ? 2 : 0)), norm, &why))
			snprintf(out->cert_name, sizeof out->cert_name, "%s%s", wild ? "*." : "", norm);
		json_object *ips = field(c, "SenderIPAddresses");
		for (size_t k = 0; k < list_length(ips) && out->n_ips < EXPORT_IPS_MAX; k++) {
			json_object *ip = list_item(ips, k);
			if (ip != NULL && json_object_is_type(ip, json_type_string)) {
				const char *ipstr = json_object_get_string(ip);
				strbuf_escape_into(out->ips[out->n_ips++], sizeof out->ips[0], ipstr, strlen(ipstr));
			}
		}
		e->n_connectors++;
	}
	return true;
}

/* Parse an export. */
bool export_parse(const char *data, size_t len, const char *path, struct tenant_export **out, char *err,
		  size_t errlen)
{
	*out = NULL;
	size_t tlen = 0;
	char *text = decode_text(data, len, &tlen);
	if (text == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	json_tokener *tok = tlen <= INT32_MAX ? json_tokener_new() : NULL;
	if (tok == NULL) {
		snprintf(err, errlen, "out of memory");
		free(text);
		return false;
	}
	/* the terminating NUL included, so that a number at the very end is complete */
	json_object *root = json_tokener_parse_ex(tok, text, (int)tlen + 1);
	enum json_tokener_error jerr = json_tokener_get_error(tok);
	size_t end = json_tokener_get_parse_end(tok);
	if (end > tlen)
		end = tlen;
	bool trailing = root != NULL && jerr == json_tokener_success && text[end + strspn(text + end, " \t\r\n")] != '\0';
	if (root == NULL || jerr != json_tokener_success || trailing) {
		unsigned line, col;
		line_col(text, end, &line, &col);
		snprintf(err, errlen, "%s:%u:%u: malformed JSON (%s); %s", path, line, col,
			 trailing ? "text after the end of the export"
			 : jerr == json_tokener_continue || jerr == json_tokener_error_parse_eof
				 ? "the text ends too early: a truncated file?" : json_tokener_error_desc(jerr),
			 REEXPORT);
		json_object_put(root);
		json_tokener_free(tok);
		free(text);
		return false;
	}
	json_tokener_free(tok);
	free(text);
	/* a one-element array around the object, as some exports are written */
	json_object *top = root;
	if (json_object_is_type(top, json_type_array) && json_object_array_length(top) == 1)
		top = json_object_array_get_idx(top, 0);
	bool ok = false;
	struct tenant_export *e = calloc(1, sizeof *e);
	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
	} else if (!json_object_is_type(top, json_type_object) ||
		   (field(top, "AcceptedDomains") == NULL && field(top, "InboundConnectors") == NULL)) {
		snprintf(err, errlen, "%s: not a tenant export (an object with AcceptedDomains and InboundConnectors); "
			 "%s", path, REEXPORT);
	} else if (read_domains(field(top, "AcceptedDomains"), e, path, err, errlen) &&
		   read_connectors(field(top, "InboundConnectors"), e, path, err, errlen)) {
		json_object *at = field(top, "ExportedAt");
		e->exported_at = at != NULL && json_object_is_type(at, json_type_string) ? parse_time(json_object_get_string(at)) : 0;
		e->reject_direct_send = field_tristate(field(top, "OrganizationConfig"), "RejectDirectSend");
		e->smtp_auth_disabled = field_tristate(field(top, "TransportConfig"), "SmtpClientAuthenticationDisabled");
		ok = true;
	}
	json_object_put(root);
	if (!ok) {
		export_free(e);
		return false;
	}
	*out = e;
	return true;
}

/* Read and parse the export file. */
bool export_load(const char *path, struct tenant_export **out, char *err, size_t errlen)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: cannot open the tenant export: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	if (!S_ISREG(st.st_mode) || (unsigned long long)st.st_size > EXPORT_FILE_MAX) {
		snprintf(err, errlen, "%s: the tenant export must be a regular file of at most %u MiB", path,
			 EXPORT_FILE_MAX >> 20);
		close(fd);
		return false;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t have = 0;
	ssize_t n = 0;
	while (buf != NULL && have < (size_t)st.st_size &&
	       ((n = read(fd, buf + have, (size_t)st.st_size - have)) > 0 || (n < 0 && errno == EINTR)))
		have += n > 0 ? (size_t)n : 0;
	int read_errno = errno;
	close(fd);
	if (buf == NULL || n < 0) {
		snprintf(err, errlen, "%s: cannot read the tenant export: %s", path, buf == NULL ? "out of memory" : strerror(read_errno));
		free(buf);
		return false;
	}
	bool ok = export_parse(buf, have, path, out, err, errlen);
	free(buf);
	return ok;
}

/* Free an export. */
void export_free(struct tenant_export *e)
{
	if (e == NULL)
		return;
	free(e->domains);
	free(e->connectors);
	free(e);
}

/* The connector that would attribute cert_name. */
const struct export_connector *export_connector_for(const struct tenant_export *e, const char *cert_name,
						    const struct export_connector **disabled_match)
{
	if (disabled_match != NULL)
		*disabled_match = NULL;
	for (size_t i = 0; e != NULL && i < e->n_connectors; i++) {
		const struct export_connector *c = &e->connectors[i];
		if (c->cert_name[0] == '\0' || !domain_connector_name_matches(c->cert_name, cert_name))
			continue;
		if (c->enabled && c->on_premises)
			return c;
		if (disabled_match != NULL && *disabled_match == NULL)
			*disabled_match = c;
	}
	return NULL;
}
