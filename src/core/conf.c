/*
 * conf: option tables, validators and the conversion from libconfuse's tree
 * to struct conf.
 *
 * Does: parse, validate each value where libconfuse still knows the line,
 * cross-check options after parsing, read accepted_domains_file.
 * Does not: open sockets, look users up or touch certificates (those checks
 * belong to the daemon and to tlsid); it never logs.
 *
 * libconfuse reports errors through a callback without a user pointer, so
 * the message for the conf_load() running on this thread is collected in a
 * thread-local slot that exists only for the duration of that call.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <confuse.h>

#include "conf.h"
#include "export.h"

struct conf_error_slot {
	char *buf;
	size_t len;
	bool set;
	cfg_t *root;        /* the lexer keeps the current line here */
	const char *path;
};

static _Thread_local struct conf_error_slot *conf_error_slot;

/* Keep the first error libconfuse or a validator reports, as file:line: text. */
static void conf_errfunc(cfg_t *cfg, const char *fmt, va_list ap)
{
	struct conf_error_slot *slot = conf_error_slot;
	if (slot == NULL || slot->set)
		return;
	char msg[CONF_ERR_MAX];
	vsnprintf(msg, sizeof msg, fmt, ap);
	int line = cfg != NULL && cfg->line > 0 ? cfg->line : slot->root->line;
	const char *dup = "found duplicate title '";
	if (strncmp(msg, dup, strlen(dup)) == 0) {
		char name[CONF_ERR_MAX / 2];
		snprintf(name, sizeof name, "%.*s", (int)strcspn(msg + strlen(dup), "'"), msg + strlen(dup));
		snprintf(msg, sizeof msg, "tenant %s: a second tenant section with this name; give each tenant its own", name);
	}
	snprintf(slot->buf, slot->len, "%s:%d: %s", slot->path, line, msg);
	slot->set = true;
}

static const char *const action_names[] = { "annotate", "rewrite", "quarantine", "defer", "reject" };

/* Name of an action as written in the config. */
const char *action_name(enum action a)
{
	return action_names[a];
}

/* Map a policy word to an action; false when unknown. */
static bool action_from_name(const char *s, enum action *a)
{
	for (size_t i = 0; i < sizeof action_names / sizeof action_names[0]; i++) {
		if (strcmp(s, action_names[i]) == 0) {
			*a = (enum action)i;
			return true;
		}
	}
	return false;
}

/* Parse an octal file mode. */
bool conf_parse_mode(const char *s, mode_t *mode)
{
	if (*s == '\0' || strspn(s, "01234567") != strlen(s) || strlen(s) > 5)
		return false;
	unsigned long v = strtoul(s, NULL, 8);
	if (v > 07777)
		return false;
	*mode = (mode_t)v;
	return true;
}

/* ---- validators (called by libconfuse while it knows the line) ---- */

/* Shared check: opt's string value is one of the words in list. */
static int validate_word(cfg_t *cfg, cfg_opt_t *opt, const char *const *list, const char *what)
{
	const char *v = cfg_opt_getnstr(opt, cfg_opt_size(opt) - 1);
	for (size_t i = 0; list[i] != NULL; i++) {
		if (strcmp(v, list[i]) == 0)
			return 0;
	}
	cfg_error(cfg, "%s: '%s' is not one of %s", opt->name, v, what);
	return -1;
}

static int validate_policy_no_rewrite(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const ok[] = { "annotate", "defer", "quarantine", "reject", NULL };
	return validate_word(cfg, opt, ok, "annotate, defer, quarantine, reject");
}

static int validate_policy_with_rewrite(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const ok[] = { "annotate", "rewrite", "defer", "quarantine", "reject", NULL };
	return validate_word(cfg, opt, ok, "annotate, rewrite, defer, quarantine, reject");
}

static int validate_attribution(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const ok[] = { "certificate", "ip", NULL };
	return validate_word(cfg, opt, ok, "certificate, ip");
}

static int validate_facility(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const ok[] = { "mail", "daemon", "user", "local0", "local1", "local2",
		"local3", "local4", "local5", "local6", "local7", NULL };
	return validate_word(cfg, opt, ok, "mail, daemon, user, local0 ... local7");
}

/* True when s is a decimal port 1..65535 of exactly n characters. */
static bool port_valid(const char *s, size_t n)
{
	if (n == 0 || n > 5 || strspn(s, "0123456789") < n)
		return false;
	unsigned long v = 0;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	return v >= 1 && v <= 65535;
}

/* Check a milter socket spec as libmilter reads it; false with the reason in why. */
bool conf_socket_valid(const char *spec, char *why, size_t whylen)
{
	const char *path = NULL;
	if (strncmp(spec, "unix:", 5) == 0)
		path = spec + 5;
	else if (strncmp(spec, "local:", 6) == 0)
		path = spec + 6;
	if (path != NULL) {
		if (path[0] != '/' || path[1] == '\0') {
			snprintf(why, whylen, "'%s': the socket path must be absolute, such as "
				 "unix:/run/eopguard/eopguard.sock", spec);
			return false;
		}
		if (strlen(path) > 107) {   /* sizeof sun_path - 1 on Linux */
			snprintf(why, whylen, "'%s': a unix socket path may have at most 107 bytes", spec);
			return false;
		}
		return true;
	}
	const char *rest = strncmp(spec, "inet:", 5) == 0 ? spec + 5 : strncmp(spec, "inet6:", 6) == 0 ? spec + 6 : NULL;
	if (rest != NULL) {
		const char *at = strchr(rest, '@');
		size_t port_len = at != NULL ? (size_t)(at - rest) : strlen(rest);
		if (!port_valid(rest, port_len)) {
			snprintf(why, whylen, "'%s': the port must be a number from 1 to 65535, as in inet:8891@127.0.0.1",
				 spec);
			return false;
		}
		if (at != NULL && (at[1] == '\0' || strlen(at + 1) > 255)) {
			snprintf(why, whylen, "'%s': name a host after '@', as in inet:8891@127.0.0.1", spec);
			return false;
		}
		return true;
	}
	snprintf(why, whylen, "'%s' is not a milter socket; use unix:/path, local:/path, inet:PORT@HOST or "
		 "inet6:PORT@HOST", spec);
	return false;
}

static int validate_socket(cfg_t *cfg, cfg_opt_t *opt)
{
	char why[512];
	if (conf_socket_valid(cfg_opt_getnstr(opt, 0), why, sizeof why))
		return 0;
	cfg_error(cfg, "socket: %s", why);
	return -1;
}

static int validate_pidfile(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	if (v[0] == '\0' || v[0] == '/')
		return 0;
	cfg_error(cfg, "pidfile: '%s' must be an absolute path, or \"\" for none", v);
	return -1;
}

static int validate_mode(cfg_t *cfg, cfg_opt_t *opt)
{
	mode_t m;
	const char *v = cfg_opt_getnstr(opt, 0);
	if (conf_parse_mode(v, &m))
		return 0;
	cfg_error(cfg, "socket_mode: '%s' is not an octal file mode such as \"0660\"", v);
	return -1;
}

static int validate_log(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	if (strcmp(v, "syslog") == 0 || strcmp(v, "stderr") == 0 || v[0] == '/')
		return 0;
	cfg_error(cfg, "log: '%s' must be syslog, stderr or an absolute file path", v);
	return -1;
}

static int validate_authserv_id(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	if (strlen(v) > CONF_AUTHSERV_ID_MAX) {
		cfg_error(cfg, "authserv_id: %zu characters; at most %d (a host name)", strlen(v),
			  CONF_AUTHSERV_ID_MAX);
		return -1;
	}
	for (const char *p = v; *p != '\0'; p++) {
		if (*p <= ' ' || *p >= 0x7f || *p == ';' || *p == '"' || *p == '\\' || *p == '(' ||
		    *p == ')') {
			cfg_error(cfg, "authserv_id: '%s' may hold only printable ASCII without spaces, "
				  "';', '\"', '\\\\' or parentheses", v);
			return -1;
		}
	}
	return 0;
}

/*
 * Validate the accepted_domains list. libconfuse calls this once per
 * element as it appends, so only the newest element is checked: the whole
 * list is then checked once, in linear time.
 */
static int validate_accepted_domains(cfg_t *cfg, cfg_opt_t *opt)
{
	char err[256];
	unsigned n = cfg_opt_size(opt);
	if (n == 0)
		return 0;
	const char *domain = cfg_opt_getnstr(opt, n - 1);
	if (!domain_is_valid_entry(domain, err, sizeof err)) {
		cfg_error(cfg, "accepted_domains: %s", err);
		return -1;
	}
	return 0;
}

static int validate_certificate_domain(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	char norm[DOMAIN_MAX + 1];
	const char *why = NULL;
	if (*v == '\0')
		return 0;
	const char *base = strncmp(v, "*.", 2) == 0 ? v + 2 : v;
	if (strchr(base, '*') != NULL)
		why = "a wildcard is allowed only as the whole first label (\"*.contoso.com\")";
	else if (domain_normalize(base, strlen(base), norm, &why))
		return 0;
	cfg_error(cfg, "certificate_domain: '%s' is not valid: %s", v, why);
	return -1;
}

static int validate_days(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);
	if (v >= 0 && v <= 3650)
		return 0;
	cfg_error(cfg, "expiry_warning_days: %ld is out of range 0..3650", v);
	return -1;
}

static int validate_log_format(cfg_t *cfg, cfg_opt_t *opt)
{
	static const char *const ok[] = { "text", "json", NULL };
	return validate_word(cfg, opt, ok, "text, json");
}

static int validate_metrics_file(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	if (v[0] == '\0' || v[0] == '/')
		return 0;
	cfg_error(cfg, "metrics_file: '%s' must be an absolute path (node_exporter's textfile directory), or \"\"", v);
	return -1;
}

static int validate_metrics_interval(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);
	if (v >= 5 && v <= 3600)
		return 0;
	cfg_error(cfg, "metrics_interval: %ld is out of range 5..3600 seconds", v);
	return -1;
}

static int validate_feedback_log(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	if (v[0] == '\0' || v[0] == '/' || strcmp(v, "journal") == 0)
		return 0;
	cfg_error(cfg, "log: '%s' must be \"\" (off), \"journal\" or the absolute path of the mail log", v);
	return -1;
}

/* A relay= pattern: a host name or address, or "*.domain"; no white space or brackets. */
static int validate_smarthost_match(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned n = cfg_opt_size(opt);
	if (n > FEEDBACK_MATCH_MAX) {
		cfg_error(cfg, "smarthost_match: %u patterns, at most %d", n, FEEDBACK_MATCH_MAX);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		const char *v = cfg_opt_getnstr(opt, i);
		const char *host = strncmp(v, "*.", 2) == 0 ? v + 2 : v;
		size_t len = strlen(host);
		bool ok = len > 0 && len <= DOMAIN_MAX && host[0] != '.' && host[len - 1] != '.';
		for (size_t k = 0; ok && k < len; k++)
			ok = isalnum((unsigned char)host[k]) || host[k] == '-' || host[k] == '.' || host[k] == ':';
		if (!ok) {
			cfg_error(cfg, "smarthost_match: '%s' is not a host name, an address or '*.domain'", v);
			return -1;
		}
	}
	return 0;
}

static int validate_open_for(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);
	if (v >= 5 && v <= 86400)
		return 0;
	cfg_error(cfg, "open_for: %ld is out of range 5..86400 seconds", v);
	return -1;
}

static int validate_timeout(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);
	if (v >= 10 && v <= 7200)
		return 0;
	cfg_error(cfg, "timeout: %ld is out of range 10..7200 seconds", v);
	return -1;
}

static int validate_export_age(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);
	if (v >= 1 && v <= 3650)
		return 0;
	cfg_error(cfg, "export_max_age: %ld is out of range 1..3650 days", v);
	return -1;
}

static int validate_interval(cfg_t *cfg, cfg_opt_t *opt)
{
	long v = cfg_opt_getnint(opt, 0);
	if (v >= 5 && v <= 86400)
		return 0;
	cfg_error(cfg, "recheck_interval: %ld is out of range 5..86400 seconds", v);
	return -1;
}

static int validate_rewrite_sender(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	struct addr_path path;
	const char *why = NULL;
	if (*v == '\0')
		return 0;
	if (addr_parse_path(v, &path, &why) && !path.null_sender)
		return 0;
	cfg_error(cfg, "sender: '%s' is not a mailbox such as \"relay@contoso.com\"%s%s", v,
		  why ? ": " : "", why ? why : "");
	return -1;
}

/* ---- option tables ---- */

/* A tenant's own identity files: what is not set comes from the top-level identity section. */
static cfg_opt_t tenant_identity_opts[] = {
	CFG_STR("client_cert", NULL, CFGF_NONE),
	CFG_STR("client_key", NULL, CFGF_NONE),
	CFG_STR("client_chain", NULL, CFGF_NONE),
	CFG_STR("ca_file", NULL, CFGF_NONE),
	CFG_STR("ca_path", NULL, CFGF_NONE),
	CFG_STR("server_cert", NULL, CFGF_NONE),
	CFG_STR("server_name", NULL, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t tenant_opts[] = {
	CFG_STR_LIST("accepted_domains", "{}", CFGF_NONE),
	CFG_STR("accepted_domains_file", "", CFGF_NONE),
	CFG_STR("attribution", "certificate", CFGF_NONE),
	CFG_STR("certificate_domain", "", CFGF_NONE),
	CFG_STR("smarthost", "", CFGF_NONE),
	CFG_STR("export", "", CFGF_NONE),
	CFG_INT("export_max_age", 30, CFGF_NONE),
	CFG_SEC("identity", tenant_identity_opts, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t identity_opts[] = {
	CFG_STR("client_cert", "", CFGF_NONE),
	CFG_STR("client_key", "", CFGF_NONE),
	CFG_STR("client_chain", "", CFGF_NONE),
	CFG_STR("ca_file", "", CFGF_NONE),
	CFG_STR("ca_path", "", CFGF_NONE),
	CFG_STR("server_cert", "", CFGF_NONE),
	CFG_STR("server_name", "", CFGF_NONE),
	CFG_INT("expiry_warning_days", 21, CFGF_NONE),
	CFG_INT("recheck_interval", 300, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t rewrite_opts[] = {
	CFG_STR("sender", "", CFGF_NONE),
	CFG_END()
};

static cfg_opt_t policy_opts[] = {
	CFG_STR("identity_failure", "defer", CFGF_NONE),
	CFG_STR("sender_not_accepted", "rewrite", CFGF_NONE),
	CFG_STR("null_sender", "defer", CFGF_NONE),
	CFG_STR("from_invalid", "annotate", CFGF_NONE),
	CFG_STR("observed_refusal", "defer", CFGF_NONE),
	CFG_END()
};

static cfg_opt_t feedback_opts[] = {
	CFG_STR("log", "", CFGF_NONE),
	CFG_STR_LIST("smarthost_match", "{}", CFGF_NONE),
	CFG_INT("open_for", 300, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t root_opts[] = {
	CFG_STR("socket", "local:/run/eopguard/eopguard.sock", CFGF_NONE),
	CFG_STR("socket_mode", "0660", CFGF_NONE),
	CFG_STR("socket_group", "", CFGF_NONE),
	CFG_STR("user", "eopguard", CFGF_NONE),
	CFG_STR("pidfile", "/run/eopguard/eopguard.pid", CFGF_NONE),
	CFG_STR("log", "syslog", CFGF_NONE),
	CFG_STR("syslog_facility", "mail", CFGF_NONE),
	CFG_STR("authserv_id", "", CFGF_NONE),
	CFG_BOOL("dry_run", cfg_false, CFGF_NONE),
	CFG_INT("timeout", 600, CFGF_NONE),
	CFG_STR("metrics_file", "", CFGF_NONE),
	CFG_STR("log_format", "text", CFGF_NONE),
	CFG_INT("metrics_interval", 30, CFGF_NONE),
	/* the unnamed "tenant { }" is given the title "" before parsing (conf_title_bare_tenants) */
	CFG_SEC("tenant", tenant_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("identity", identity_opts, CFGF_NONE),
	CFG_SEC("rewrite", rewrite_opts, CFGF_NONE),
	CFG_SEC("policy", policy_opts, CFGF_NONE),
	CFG_SEC("feedback", feedback_opts, CFGF_NONE),
	CFG_END()
};

/* Attach every validator to its option. */
static void conf_set_validators(cfg_t *cfg)
{
	static const struct { const char *opt; cfg_validate_callback_t fn; } table[] = {
		{ "socket", validate_socket },
		{ "socket_mode", validate_mode },
		{ "pidfile", validate_pidfile },
		{ "log", validate_log },
		{ "syslog_facility", validate_facility },
		{ "authserv_id", validate_authserv_id },
		{ "timeout", validate_timeout },
		{ "metrics_file", validate_metrics_file },
		{ "log_format", validate_log_format },
		{ "metrics_interval", validate_metrics_interval },
		{ "tenant|accepted_domains", validate_accepted_domains },
		{ "tenant|attribution", validate_attribution },
		{ "tenant|certificate_domain", validate_certificate_domain },
		{ "identity|expiry_warning_days", validate_days },
		{ "tenant|export_max_age", validate_export_age },
		{ "identity|recheck_interval", validate_interval },
		{ "rewrite|sender", validate_rewrite_sender },
		{ "policy|identity_failure", validate_policy_no_rewrite },
		{ "policy|sender_not_accepted", validate_policy_with_rewrite },
		{ "policy|null_sender", validate_policy_no_rewrite },
		{ "policy|from_invalid", validate_policy_no_rewrite },
		{ "policy|observed_refusal", validate_policy_no_rewrite },
		{ "feedback|log", validate_feedback_log },
		{ "feedback|smarthost_match", validate_smarthost_match },
		{ "feedback|open_for", validate_open_for },
	};
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		cfg_set_validate_func(cfg, table[i].opt, table[i].fn);
}

/* ---- conversion ---- */

/* strdup that records failure in *ok. */
static char *conf_strdup(const char *s, bool *ok)
{
	char *d = strdup(s != NULL ? s : "");
	if (d == NULL)
		*ok = false;
	return d;
}

/* Resolve a relative path against the directory of the config file. */
static char *conf_resolve_path(const char *conf_path, const char *p, bool *ok)
{
	if (p[0] == '\0' || p[0] == '/')
		return conf_strdup(p, ok);
	const char *slash = strrchr(conf_path, '/');
	size_t dirlen = slash != NULL ? (size_t)(slash - conf_path) : 1;
	const char *dir = slash != NULL ? conf_path : ".";
	size_t n = dirlen + 1 + strlen(p) + 1;
	char *r = malloc(n);
	if (r == NULL) {
		*ok = false;
		return NULL;
	}
	snprintf(r, n, "%.*s/%s", (int)dirlen, dir, p);
	return r;
}

/* Read accepted_domains_file into set; errors name file:line. */
static bool conf_read_domains_file(const char *path, struct domain_set *set, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	if (fp == NULL) {
		snprintf(err, errlen, "%s: cannot open accepted_domains_file: %s", path, strerror(errno));
		return false;
	}
	char line[1024];
	unsigned lineno = 0;
	bool ok = true;
	while (ok && fgets(line, sizeof line, fp) != NULL) {
		lineno++;
		size_t len = strlen(line);
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			snprintf(err, errlen, "%s:%u: line longer than %zu bytes", path, lineno, sizeof line - 2);
			ok = false;
			break;
		}
		char *hash = strchr(line, '#');
		if (hash != NULL)
			*hash = '\0';
		char *p = line + strspn(line, " \t\r\n");
		size_t wl = strcspn(p, " \t\r\n");
		if (wl == 0)
			continue;
		if (p[wl + strspn(p + wl, " \t\r\n")] != '\0') {
			snprintf(err, errlen, "%s:%u: one domain per line expected", path, lineno);
			ok = false;
			break;
		}
		p[wl] = '\0';
		char why[256];
		if (!domain_set_add(set, p, why, sizeof why)) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			ok = false;
		}
	}
	if (ok && ferror(fp)) {
		snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
		ok = false;
	}
	fclose(fp);
	return ok;
}

/*
 * Read tenant.export and add its accepted domains, except those that may
 * not send (SendingFromDomainDisabled), to the set; keep a copy of the set
 * as eopguard.conf alone had it, for check's comparison.
 */
static bool conf_merge_export(const struct conf *c, struct conf_tenant *t, char *err, size_t errlen)
{
	t->accepted_here = domain_set_new();
	if (t->accepted_here == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	char entry[DOMAIN_MAX + 3], why[256];
	for (size_t i = 0; i < domain_set_count(t->accepted); i++) {
		domain_set_entry(t->accepted, i, entry, sizeof entry);
		if (!domain_set_add(t->accepted_here, entry, why, sizeof why)) {
			snprintf(err, errlen, "%s", why);
			return false;
		}
	}
	domain_set_seal(t->accepted_here);
	if (t->export_path[0] == '\0')
		return true;
	char eerr[EXPORT_ERR_MAX];
	if (!export_load(t->export_path, &t->export, eerr, sizeof eerr)) {
		snprintf(err, errlen, "%s: tenant%s%s.export: %s", c->path, t->name[0] ? " " : "", t->name, eerr);
		return false;
	}
	const struct tenant_export *e = t->export;
	for (size_t i = 0; i < e->n_domains; i++) {
		if (e->domains[i].sending_disabled)
			continue;
		snprintf(entry, sizeof entry, "%s%s", e->domains[i].match_subdomains ? "*." : "", e->domains[i].name);
		if (!domain_set_add(t->accepted, e->domains[i].name, why, sizeof why) ||
		    (e->domains[i].match_subdomains && !domain_set_add(t->accepted, entry, why, sizeof why))) {
			snprintf(err, errlen, "%s: %s", t->export_path, why);
			return false;
		}
	}
	return true;
}

/* Copy one tenant section into t. */
static bool conf_fill_tenant(const struct conf *c, cfg_t *sec, struct conf_tenant *t, char *err, size_t errlen)
{
	bool ok = true;
	t->name = conf_strdup(cfg_title(sec), &ok);
	t->accepted = domain_set_new();
	if (!ok || t->accepted == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	for (unsigned i = 0; i < cfg_size(sec, "accepted_domains"); i++) {
		if (!domain_set_add(t->accepted, cfg_getnstr(sec, "accepted_domains", i), err, errlen))
			return false;
	}
	t->accepted_domains_file = conf_resolve_path(c->path, cfg_getstr(sec, "accepted_domains_file"), &ok);
	if (ok && t->accepted_domains_file[0] != '\0' &&
	    !conf_read_domains_file(t->accepted_domains_file, t->accepted, err, errlen))
		return false;
	t->export_path = conf_resolve_path(c->path, cfg_getstr(sec, "export"), &ok);
	t->export_max_age = cfg_getint(sec, "export_max_age");
	if (ok && !conf_merge_export(c, t, err, errlen))
		return false;
	domain_set_seal(t->accepted);
	t->attribution = strcmp(cfg_getstr(sec, "attribution"), "ip") == 0 ? ATTRIBUTION_IP : ATTRIBUTION_CERTIFICATE;
	t->certificate_domain = conf_strdup(cfg_getstr(sec, "certificate_domain"), &ok);
	t->smarthost = conf_strdup(cfg_getstr(sec, "smarthost"), &ok);
	if (!ok)
		snprintf(err, errlen, "out of memory");
	return ok;
}

/* Free what a tenant owns. */
static void conf_tenant_free(struct conf_tenant *t)
{
	char **strings[] = { &t->name, &t->accepted_domains_file, &t->certificate_domain, &t->smarthost, &t->export_path };
	for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
		free(*strings[i]);
	domain_set_free(t->accepted);
	domain_set_free(t->accepted_here);
	export_free(t->export);
}

/* Free what an identity owns. */
static void conf_identity_free(struct conf_identity *id)
{
	char **strings[] = { &id->client_cert, &id->client_key, &id->client_chain, &id->ca_file, &id->ca_path,
		&id->server_cert, &id->server_name };
	for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
		free(*strings[i]);
}

/*
 * A tenant's identity: its own identity section's files where set, the
 * top-level section's otherwise (paths resolved like the top level's).
 */
static bool conf_tenant_identity(const struct conf *c, cfg_t *tenant_sec, struct conf_identity *out)
{
	cfg_t *sec = cfg_getsec(tenant_sec, "identity");
	bool ok = true;
	const struct { const char *name; char *const *global; char **dst; bool path; } files[] = {
		{ "client_cert", &c->identity.client_cert, &out->client_cert, true },
		{ "client_key", &c->identity.client_key, &out->client_key, true },
		{ "client_chain", &c->identity.client_chain, &out->client_chain, true },
		{ "ca_file", &c->identity.ca_file, &out->ca_file, true },
		{ "ca_path", &c->identity.ca_path, &out->ca_path, true },
		{ "server_cert", &c->identity.server_cert, &out->server_cert, true },
		{ "server_name", &c->identity.server_name, &out->server_name, false },
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		const char *own = sec != NULL ? cfg_getstr(sec, files[i].name) : NULL;
		if (own == NULL)
			*files[i].dst = conf_strdup(*files[i].global, &ok);
		else
			*files[i].dst = files[i].path ? conf_resolve_path(c->path, own, &ok) : conf_strdup(own, &ok);
	}
	out->expiry_warning_days = c->identity.expiry_warning_days;
	out->recheck_interval = c->identity.recheck_interval;
	return ok;
}

/* Copy the identity section, resolving relative paths. */
static bool conf_fill_identity(struct conf *c, cfg_t *sec)
{
	bool ok = true;
	struct conf_identity *id = &c->identity;
	id->client_cert = conf_resolve_path(c->path, cfg_getstr(sec, "client_cert"), &ok);
	id->client_key = conf_resolve_path(c->path, cfg_getstr(sec, "client_key"), &ok);
	id->client_chain = conf_resolve_path(c->path, cfg_getstr(sec, "client_chain"), &ok);
	id->ca_file = conf_resolve_path(c->path, cfg_getstr(sec, "ca_file"), &ok);
	id->ca_path = conf_resolve_path(c->path, cfg_getstr(sec, "ca_path"), &ok);
	id->server_cert = conf_resolve_path(c->path, cfg_getstr(sec, "server_cert"), &ok);
	id->server_name = conf_strdup(cfg_getstr(sec, "server_name"), &ok);
	id->expiry_warning_days = cfg_getint(sec, "expiry_warning_days");
	id->recheck_interval = cfg_getint(sec, "recheck_interval");
	return ok;
}

/* Copy the policy section (values were validated). */
static void conf_fill_policy(struct conf *c, cfg_t *sec)
{
	action_from_name(cfg_getstr(sec, "identity_failure"), &c->policy.identity_failure);
	action_from_name(cfg_getstr(sec, "sender_not_accepted"), &c->policy.sender_not_accepted);
	action_from_name(cfg_getstr(sec, "null_sender"), &c->policy.null_sender);
	action_from_name(cfg_getstr(sec, "from_invalid"), &c->policy.from_invalid);
	action_from_name(cfg_getstr(sec, "observed_refusal"), &c->policy.observed_refusal);
}

/* Add one relay= pattern, lower-cased. */
static bool feedback_add_match(struct conf_feedback *fb, const char *pattern)
{
	if (fb->n_match >= FEEDBACK_MATCH_MAX || pattern[0] == '\0')
		return true;
	for (size_t i = 0; i < fb->n_match; i++) {
		if (strcasecmp(fb->match[i], pattern) == 0)
			return true;
	}
	char *p = strdup(pattern);
	if (p == NULL)
		return false;
	for (char *q = p; *q != '\0'; q++)
		*q = (char)tolower((unsigned char)*q);
	fb->match[fb->n_match++] = p;
	return true;
}

/*
 * Copy the feedback section. Without smarthost_match the patterns are
 * every tenant's smarthost host and EOP's two MX name forms.
 */
static bool conf_fill_feedback(struct conf *c, cfg_t *sec, const struct conf_tenant *tenants, size_t n_tenants)
{
	struct conf_feedback *fb = &c->feedback;
	bool ok = true;
	fb->log = conf_strdup(cfg_getstr(sec, "log"), &ok);
	fb->open_for = cfg_getint(sec, "open_for");
	unsigned n = cfg_size(sec, "smarthost_match");
	for (unsigned i = 0; ok && i < n; i++)
		ok = feedback_add_match(fb, cfg_getnstr(sec, "smarthost_match", i));
	for (size_t t = 0; n == 0 && ok && t < n_tenants; t++) {
		char host[DOMAIN_MAX + 1];
		const char *s = tenants[t].smarthost != NULL ? tenants[t].smarthost : "";
		s += strspn(s, "[");
		size_t len = strcspn(s, "]:");
		if (len < sizeof host) {
			memcpy(host, s, len);
			host[len] = '\0';
			ok = feedback_add_match(fb, host);
		}
	}
	if (n == 0 && ok)
		ok = feedback_add_match(fb, "*.mail.protection.outlook.com") && feedback_add_match(fb, "*.mx.microsoft");
	return ok;
}

/* Copy top-level options. */
static bool conf_fill_root(struct conf *c, cfg_t *cfg)
{
	bool ok = true;
	c->socket = conf_strdup(cfg_getstr(cfg, "socket"), &ok);
	conf_parse_mode(cfg_getstr(cfg, "socket_mode"), &c->socket_mode);
	c->socket_group = conf_strdup(cfg_getstr(cfg, "socket_group"), &ok);
	c->user = conf_strdup(cfg_getstr(cfg, "user"), &ok);
	c->pidfile = conf_strdup(cfg_getstr(cfg, "pidfile"), &ok);
	c->log = conf_strdup(cfg_getstr(cfg, "log"), &ok);
	c->syslog_facility = conf_strdup(cfg_getstr(cfg, "syslog_facility"), &ok);
	const char *id = cfg_getstr(cfg, "authserv_id");
	char host[256] = "localhost";
	if (id[0] == '\0') {
		if (gethostname(host, sizeof host) != 0 || host[0] == '\0')
			snprintf(host, sizeof host, "localhost");
		host[sizeof host - 1] = '\0';
		id = host;
	}
	c->authserv_id = conf_strdup(id, &ok);
	c->dry_run = cfg_getbool(cfg, "dry_run");
	c->timeout = cfg_getint(cfg, "timeout");
	c->metrics_file = conf_strdup(cfg_getstr(cfg, "metrics_file"), &ok);
	c->log_json = strcmp(cfg_getstr(cfg, "log_format"), "json") == 0;
	c->metrics_interval = cfg_getint(cfg, "metrics_interval");
	return ok;
}

/*
 * "file:line: tenant NAME:" of a tenant section, or "file" with why there is
 * no line (no tenant section, an empty file), for the cross-check messages.
 */
static void tenant_location(const struct conf *c, const struct conf_tenant *t, bool empty_file, char *loc, size_t len)
{
	if (empty_file)
		snprintf(loc, len, "%s: the file is empty, so", c->path);
	else if (t == NULL || t->line <= 0)
		snprintf(loc, len, "%s: there is no tenant section, so", c->path);
	else
		snprintf(loc, len, "%s:%d: tenant%s%s:", c->path, t->line, t->name[0] != '\0' ? " " : "", t->name);
}

/* One tenant's own rules: accepted domains, and a certificate name with certificate attribution. */
static bool conf_check_tenant(const struct conf *c, const struct conf_tenant *t, char *err, size_t errlen)
{
	char loc[CONF_ERR_MAX / 2];
	tenant_location(c, t, false, loc, sizeof loc);
	if (t->name[0] != '\0' && (strlen(t->name) > CONF_TENANT_NAME_MAX || !isalnum((unsigned char)t->name[0]) ||
				    strspn(t->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
					    strlen(t->name))) {
		snprintf(err, errlen, "%s:%d: tenant name: at most %d letters, digits, '.', '_' or '-', starting with a "
			 "letter or digit (it goes into headers and log lines)", c->path, t->line, CONF_TENANT_NAME_MAX);
		return false;
	}
	if (domain_set_count(t->accepted) == 0) {
		snprintf(err, errlen, "%s no accepted domains; list the tenant's accepted domains in "
			 "tenant.accepted_domains or tenant.accepted_domains_file", loc);
		return false;
	}
	if (t->attribution == ATTRIBUTION_CERTIFICATE && t->certificate_domain[0] == '\0') {
		snprintf(err, errlen, "%s tenant.certificate_domain is empty but attribution = \"certificate\"; "
			 "set it to the connector's TlsSenderCertificateName, or use attribution = \"ip\"", loc);
		return false;
	}
	return true;
}

/*
 * Several tenants may not share an accepted domain: a sender's domain must
 * say which tenant a message is judged against. A wildcard entry is tried
 * with a name below it.
 */
static bool conf_check_overlap(const struct conf *c, const struct conf_tenant *tenants, size_t n, char *err,
			       size_t errlen)
{
	char entry[DOMAIN_MAX + 3], probe[DOMAIN_MAX + 16];
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < domain_set_count(tenants[i].accepted); k++) {
			domain_set_entry(tenants[i].accepted, k, entry, sizeof entry);
			snprintf(probe, sizeof probe, "%s%s", entry[0] == '*' ? "x" : "", entry[0] == '*' ? entry + 1 : entry);
			for (size_t j = 0; j < n; j++) {
				if (j == i || !domain_is_accepted(tenants[j].accepted, probe))
					continue;
				snprintf(err, errlen, "%s:%d: tenant %s: accepted domain %s is also tenant %s's (line %d); a "
					 "sender domain must name one tenant: keep it in one section", c->path,
					 tenants[i].line, tenants[i].name[0] ? tenants[i].name : "(unnamed)", entry,
					 tenants[j].name[0] ? tenants[j].name : "(unnamed)", tenants[j].line);
				return false;
			}
		}
	}
	return true;
}

/* Checks that involve more than one option, after the tenants are in place. */
static bool conf_cross_check(struct conf *c, char *err, size_t errlen)
{
	if (c->rewrite_sender[0] != '\0') {
		struct addr_path p;
		addr_parse_path(c->rewrite_sender, &p, NULL);
		snprintf(c->rewrite_domain, sizeof c->rewrite_domain, "%s", p.domain);
		if (conf_tenant_of_domain(c, p.domain) < 0) {
			snprintf(err, errlen, "%s: rewrite.sender '%s': domain %s is not an accepted domain; "
				 "rewriting to it would not help; use an address in an accepted domain",
				 c->path, c->rewrite_sender, p.domain);
			return false;
		}
	}
	return true;
}

#define CONF_FILE_MAX (16u << 20)   /* a configuration larger than this is refused */

/*
 * Read the whole configuration file through one descriptor, so that what is
 * checked (a regular file, not a directory, FIFO or device, and not too
 * large) is what is parsed: libconfuse's scanner exits the process on a
 * read error such as EISDIR. The caller frees *buf.
 */
static bool conf_read_file(const char *path, char **buf, char *err, size_t errlen)
{
	*buf = NULL;
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot open configuration file: %s", path, strerror(errno));
		return false;
	}
	struct stat st;
	bool ok = false;
	if (fstat(fd, &st) != 0)
		snprintf(err, errlen, "%s: cannot open configuration file: %s", path, strerror(errno));
	else if (S_ISDIR(st.st_mode))
		snprintf(err, errlen, "%s: is a directory, not a configuration file", path);
	else if (!S_ISREG(st.st_mode))
		snprintf(err, errlen, "%s: is not a regular file", path);
	else if ((unsigned long long)st.st_size > CONF_FILE_MAX)
		snprintf(err, errlen, "%s: larger than %u MiB; not a configuration file", path, CONF_FILE_MAX >> 20);
	else
		ok = true;
	size_t len = 0;
	if (ok && (*buf = malloc((size_t)st.st_size + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		ok = false;
	}
	while (ok) {
		ssize_t n = read(fd, *buf + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
			ok = false;
		}
		if (n <= 0 || (len += (size_t)n) == (size_t)st.st_size)
			break;
	}
	close(fd);
	if (!ok) {
		free(*buf);
		*buf = NULL;
		return false;
	}
	(*buf)[len] = '\0';
	if (memchr(*buf, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: contains a NUL byte; not a configuration file", path);
		free(*buf);
		*buf = NULL;
		return false;
	}
	return true;
}

/* At the start of a top-level line: when it sets one of the options whose line is kept, note it (the last wins, as in libconfuse). */
static void note_option_line(const char *p, unsigned line, struct conf_lines *lines)
{
	const struct { const char *name; int *line; } kept[] = {
		{ "socket", &lines->socket }, { "socket_group", &lines->socket_group }, { "user", &lines->user },
		{ "pidfile", &lines->pidfile }, { "log", &lines->log }, { "authserv_id", &lines->authserv_id },
	};
	size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz_");
	const char *after = p + n + strspn(p + n, " \t");
	if (n == 0 || *after != '=')
		return;
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
		if (strlen(kept[i].name) == n && memcmp(p, kept[i].name, n) == 0)
			*kept[i].line = (int)line;
	}
}

/* True when the word just before p (spaces skipped) is name. */
static bool word_before_is(const char *text, const char *p, const char *name)
{
	while (p > text && (p[-1] == ' ' || p[-1] == '\t' || p[-1] == '\r' || p[-1] == '\n'))
		p--;
	size_t n = strlen(name);
	return (size_t)(p - text) >= n && memcmp(p - n, name, n) == 0 &&
	       (p - n == text || strchr(" \t\r\n;}", p[-(ptrdiff_t)n - 1]) != NULL);
}

/* "tenant NAME {" or "tenant \"NAME\" {" (p is at the "{"). */
static bool tenant_titled(const char *text, const char *p)
{
	while (p > text && strchr(" \t\r\n", p[-1]) != NULL)
		p--;
	if (p > text && (p[-1] == '"' || p[-1] == '\'')) {
		char q = p[-1];
		for (p--; p > text && p[-1] != q; p--)
			;
		if (p == text)
			return false;
		p--;
	} else {
		const char *end = p;
		while (p > text && (isalnum((unsigned char)p[-1]) || strchr("._-", p[-1]) != NULL))
			p--;
		if (p == end)
			return false;
	}
	/* "tenant" before the title on the same line (a comment's last word is not a keyword) */
	while (p > text && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	return p - text >= 6 && memcmp(p - 6, "tenant", 6) == 0 && (p - 6 == text || strchr(" \t\n;}", p[-7]) != NULL);
}

/* "tenant tenant {": a tenant section titled "tenant", not an unnamed one (p is at the "{"). */
static bool tenant_named_tenant(const char *text, const char *p)
{
	while (p > text && strchr(" \t\r\n", p[-1]) != NULL)
		p--;
	p -= 6;   /* the second "tenant"; the first must be on its line (a comment's last word is not a keyword) */
	const char *q = p;
	while (q > text && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	return q - text >= 6 && memcmp(q - 6, "tenant", 6) == 0 && (q - 6 == text || strchr(" \t\n;}", q[-7]) != NULL);
}

/* Where the unnamed "tenant {" sections are: the offset of each one's "{". */
struct bare_tenants {
	size_t n;
	size_t at[CONF_TENANTS_MAX + 1];
	unsigned line[CONF_TENANTS_MAX + 1];
	size_t n_sections;                       /* every top-level tenant section, named or not */
	unsigned section_line[CONF_TENANTS_MAX + 1];
};

/*
 * Every section's "{" must be closed: libconfuse accepts a file that ends
 * inside one. Skips quoted strings and the comments libconfuse knows (#,
 * //, and C-style blocks). False with file:line of the unclosed "{". Also
 * notes where unnamed top-level tenant sections open, so that they can be
 * given the title "" (libconfuse's titled sections need one).
 */
static bool conf_braces_closed(const char *path, const char *text, struct bare_tenants *bare, struct conf_lines *lines,
			       char *err, size_t errlen)
{
	bare->n = 0;
	bare->n_sections = 0;
	memset(lines, 0, sizeof *lines);
	bool line_start = true;
	unsigned open_lines[32];
	size_t depth = 0;
	unsigned line = 1;
	for (const char *p = text; *p != '\0'; p++) {
		if (depth == 0 && line_start && *p != ' ' && *p != '\t' && *p != '\n')
			note_option_line(p, line, lines);
		line_start = *p == '\n' || (line_start && (*p == ' ' || *p == '\t'));
		if (*p == '\n') {
			line++;
		} else if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
			while (p[1] != '\0' && p[1] != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			for (p += 2; *p != '\0' && !(p[0] == '*' && p[1] == '/'); p++)
				line += *p == '\n';
			if (*p == '\0')
				break;
			p++;
		} else if (*p == '"' || *p == '\'') {
			char q = *p;
			for (p++; *p != '\0' && *p != q; p++) {
				line += *p == '\n';
				if (*p == '\\' && p[1] != '\0')
					p++;
			}
			if (*p == '\0')
				break;
		} else if (*p == '{') {
			bool unnamed = depth == 0 && word_before_is(text, p, "tenant") && !tenant_named_tenant(text, p);
			if (unnamed && bare->n < sizeof bare->at / sizeof bare->at[0]) {
				bare->at[bare->n] = (size_t)(p - text);
				bare->line[bare->n++] = line;
			}
			if (depth == 0 && (unnamed || tenant_titled(text, p)) &&
			    bare->n_sections < sizeof bare->section_line / sizeof bare->section_line[0])
				bare->section_line[bare->n_sections++] = line;
			if (depth < sizeof open_lines / sizeof open_lines[0])
				open_lines[depth] = line;
			depth++;
		} else if (*p == '}' && depth > 0) {
			depth--;
		}
	}
	if (depth == 0)
		return true;
	size_t at = depth - 1 < sizeof open_lines / sizeof open_lines[0] ? depth - 1 : 0;
	snprintf(err, errlen, "%s:%u: this '{' is never closed: the file ends inside the section", path,
		 open_lines[at]);
	return false;
}

/*
 * Give every unnamed top-level "tenant {" the title "" ("tenant \"\" {"),
 * on the same line, so that the unnamed section and named ones parse as one
 * titled, repeatable section. NULL when out of memory.
 */
static char *conf_title_bare_tenants(const char *text, const struct bare_tenants *bare)
{
	size_t len = strlen(text);
	char *out = malloc(len + 3 * bare->n + 1);
	if (out == NULL)
		return NULL;
	size_t from = 0, o = 0;
	for (size_t i = 0; i < bare->n; i++) {
		memcpy(out + o, text + from, bare->at[i] - from);
		o += bare->at[i] - from;
		memcpy(out + o, "\"\" ", 3);
		o += 3;
		from = bare->at[i];
	}
	memcpy(out + o, text + from, len - from + 1);
	return out;
}

/* Turn a parsed tree into a struct conf. */
static bool conf_build(struct conf *c, cfg_t *cfg, const struct bare_tenants *sections, bool empty_file, char *err,
		       size_t errlen)
{
	bool ok = conf_fill_root(c, cfg);
	c->rewrite_sender = conf_strdup(cfg_getstr(cfg_getsec(cfg, "rewrite"), "sender"), &ok);
	if (!ok || !conf_fill_identity(c, cfg_getsec(cfg, "identity"))) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	conf_fill_policy(c, cfg_getsec(cfg, "policy"));
	size_t n = cfg_size(cfg, "tenant");
	char loc[CONF_ERR_MAX / 2];
	if (n == 0) {
		tenant_location(c, NULL, empty_file, loc, sizeof loc);
		snprintf(err, errlen, "%s no accepted domains; list the tenant's accepted domains in "
			 "tenant.accepted_domains or tenant.accepted_domains_file", loc);
		return false;
	}
	if (n > CONF_TENANTS_MAX) {
		snprintf(err, errlen, "%s:%d: tenant %s: %zu tenant sections; at most %d", c->path,
			 cfg_getnsec(cfg, "tenant", CONF_TENANTS_MAX)->line, cfg_title(cfg_getnsec(cfg, "tenant", CONF_TENANTS_MAX)),
			 n, CONF_TENANTS_MAX);
		return false;
	}
	struct conf_tenant *tenants = calloc(n, sizeof *tenants);
	struct conf_identity *ids = calloc(n, sizeof *ids);
	size_t filled = 0;
	ok = tenants != NULL && ids != NULL;
	if (!ok)
		snprintf(err, errlen, "out of memory");
	while (ok && filled < n) {
		cfg_t *sec = cfg_getnsec(cfg, "tenant", (unsigned)filled);
		size_t i = filled++;   /* counted before filling: what a failure left half-filled is freed below */
		ok = conf_fill_tenant(c, sec, &tenants[i], err, errlen);
		tenants[i].line = i < sections->n_sections ? (int)sections->section_line[i] : sec->line;
		if (ok && !conf_tenant_identity(c, sec, &ids[i])) {
			snprintf(err, errlen, "out of memory");
			ok = false;
		}
		if (ok)
			ok = conf_check_tenant(c, &tenants[i], err, errlen);
	}
	ok = ok && conf_check_overlap(c, tenants, n, err, errlen);
	if (ok && !conf_fill_feedback(c, cfg_getsec(cfg, "feedback"), tenants, n)) {
		snprintf(err, errlen, "out of memory");
		ok = false;
	}
	if (ok && n > 1 && (c->views = calloc(n, sizeof *c->views)) == NULL) {
		snprintf(err, errlen, "out of memory");
		ok = false;
	}
	if (!ok) {
		for (size_t i = 0; tenants != NULL && i < filled; i++)
			conf_tenant_free(&tenants[i]);
		for (size_t i = 0; ids != NULL && i < filled; i++)
			conf_identity_free(&ids[i]);
		free(tenants);
		free(ids);
		return false;
	}
	/* the top-level identity was the default of each tenant's; from here on the tenants own theirs */
	conf_identity_free(&c->identity);
	c->n_tenants = n;
	c->tenant = tenants[0];
	c->identity = ids[0];
	for (size_t i = 0; n > 1 && i < n; i++) {
		c->views[i] = *c;
		c->views[i].tenant = tenants[i];
		c->views[i].identity = ids[i];
		c->views[i].n_tenants = 1;
		c->views[i].views = NULL;
		c->views[i].is_view = true;
	}
	free(tenants);
	free(ids);
	return conf_cross_check(c, err, errlen);
}

/* Parse, validate and convert a configuration file. */
bool conf_load(const char *path, struct conf **out, char *err, size_t errlen)
{
	*out = NULL;
	char *text = NULL;
	if (!conf_read_file(path, &text, err, errlen))
		return false;
	struct bare_tenants bare;
	struct conf_lines lines;
	if (!conf_braces_closed(path, text, &bare, &lines, err, errlen)) {
		free(text);
		return false;
	}
	if (bare.n > 1) {
		snprintf(err, errlen, "%s:%u: a second unnamed tenant section (the first is on line %u); give each "
			 "tenant a name: tenant NAME { ... }", path, bare.line[1], bare.line[0]);
		free(text);
		return false;
	}
	bool empty_file = text[strspn(text, " \t\r\n")] == '\0';
	char *titled = conf_title_bare_tenants(text, &bare);
	free(text);
	if (titled == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	cfg_t *cfg = cfg_init(root_opts, CFGF_NONE);
	if (cfg == NULL) {
		free(titled);
		snprintf(err, errlen, "out of memory");
		return false;
	}
	struct conf_error_slot slot = { err, errlen, false, cfg, path };
	conf_error_slot = &slot;
	cfg_set_error_function(cfg, conf_errfunc);
	conf_set_validators(cfg);
	int rc = cfg_parse_buf(cfg, titled);
	free(titled);
	conf_error_slot = NULL;
	if (rc != CFG_SUCCESS) {
		if (!slot.set)
			snprintf(err, errlen, "%s: cannot parse the configuration", path);
		cfg_free(cfg);
		return false;
	}
	struct conf *c = calloc(1, sizeof *c);
	bool ok = c != NULL && (c->path = strdup(path)) != NULL;
	if (c != NULL)
		c->line = lines;
	if (!ok)
		snprintf(err, errlen, "out of memory");
	ok = ok && conf_build(c, cfg, &bare, empty_file, err, errlen);
	cfg_free(cfg);
	if (!ok) {
		conf_free(c);
		return false;
	}
	*out = c;
	return true;
}

/* "file:line: " or "file: " for errors found after loading. */
void conf_where(const struct conf *conf, int line, char *buf, size_t len)
{
	if (line > 0)
		snprintf(buf, len, "%s:%d: ", conf->path, line);
	else
		snprintf(buf, len, "%s: ", conf->path);
}

/* Free everything a conf owns. */
void conf_free(struct conf *c)
{
	if (c == NULL || c->is_view)
		return;
	char **strings[] = { &c->path, &c->socket, &c->socket_group, &c->user, &c->pidfile, &c->log, &c->metrics_file,
		&c->syslog_facility, &c->authserv_id, &c->rewrite_sender, &c->feedback.log };
	for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
		free(*strings[i]);
	for (size_t i = 0; i < c->feedback.n_match; i++)
		free(c->feedback.match[i]);
	if (c->views != NULL) {
		for (size_t i = 0; i < c->n_tenants; i++) {
			conf_tenant_free(&c->views[i].tenant);
			conf_identity_free(&c->views[i].identity);
		}
		free(c->views);
	} else {
		conf_tenant_free(&c->tenant);
		conf_identity_free(&c->identity);
	}
	free(c);
}

/* The configuration as tenant i sees it. */
const struct conf *conf_tenant_view(const struct conf *c, size_t i)
{
	return c->views != NULL && i < c->n_tenants ? &c->views[i] : c;
}

/* The tenant whose accepted domains hold domain, or -1. */
int conf_tenant_of_domain(const struct conf *c, const char *domain)
{
	if (domain == NULL || domain[0] == '\0')
		return -1;
	size_t n = c->views != NULL ? c->n_tenants : 1;
	for (size_t i = 0; i < n; i++) {
		if (domain_is_accepted(conf_tenant_view(c, i)->tenant.accepted, domain))
			return (int)i;
	}
	return -1;
}

/* A tenant's name: "" for the unnamed one. */
const char *conf_tenant_name(const struct conf *c, size_t i)
{
	const char *name = conf_tenant_view(c, i)->tenant.name;
	return name != NULL ? name : "";
}

/* Every tenant's identity files, once each. */
size_t conf_identity_files(const struct conf *c, const char *out[CONF_IDENTITY_FILES_MAX])
{
	size_t n = 0, tenants = c->views != NULL ? c->n_tenants : 1;
	for (size_t t = 0; t < tenants; t++) {
		const struct conf_identity *id = &conf_tenant_view(c, t)->identity;
		const char *files[] = { id->client_cert, id->client_key, id->client_chain, id->server_cert, id->ca_file };
		for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
			bool seen = files[i] == NULL || files[i][0] == '\0';
			for (size_t k = 0; k < n && !seen; k++)
				seen = strcmp(out[k], files[i]) == 0;
			if (!seen && n < CONF_IDENTITY_FILES_MAX)
				out[n++] = files[i];
		}
	}
	return n;
}
