/*
 * conf: eopguard.conf (every option in eopguard.conf(5)) parsed with libconfuse into an
 * immutable struct conf.
 *
 * Every option is validated here, with "file:line: option: problem; what to
 * do" messages for bad values and unknown options. A missing file is an
 * error. The result owns all its strings; conf_free() releases it. Nothing
 * here logs or exits; the caller reports the error text.
 */
#ifndef EOPGUARD_CONF_H
#define EOPGUARD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "addr.h"
#include "domains.h"
#include "finding.h"

/* Ordered by strictness: when findings ask for different actions, the strictest wins. */
enum action { ACTION_ANNOTATE, ACTION_REWRITE, ACTION_QUARANTINE, ACTION_DEFER, ACTION_REJECT };

/* "annotate", "rewrite", ... */
const char *action_name(enum action a);

struct tenant_export;

#define CONF_TENANTS_MAX 32        /* tenant sections in one file */
#define CONF_TENANT_NAME_MAX 64    /* letters, digits, '.', '_', '-' */

struct conf_tenant {
	char *name;                         /* "" for the unnamed section */
	int line;                           /* where its section starts (0: no section) */
	struct domain_set *accepted;        /* accepted_domains + accepted_domains_file + the export's */
	struct domain_set *accepted_here;   /* accepted_domains + accepted_domains_file only (check compares) */
	char *export_path;                  /* tenant.export, resolved; "" when unset */
	struct tenant_export *export;       /* the export read at load time; NULL without one */
	long export_max_age;                /* days after which check calls the export old */
	char *accepted_domains_file;        /* as configured, resolved against the conf dir */
	enum attribution_mode attribution;
	char *certificate_domain;           /* "" when unset */
	char *smarthost;
};

struct conf_identity {
	char *client_cert, *client_key, *client_chain;
	char *ca_file, *ca_path;
	char *server_cert, *server_name;
	long expiry_warning_days;
	long recheck_interval;
};

struct conf_policy {
	enum action identity_failure;
	enum action sender_not_accepted;
	enum action null_sender;
	enum action from_invalid;
	enum action observed_refusal;
};

#define FEEDBACK_MATCH_MAX 32

/* feedback { }: where the relay's own delivery results are read. */
struct conf_feedback {
	char *log;                          /* "" off, "journal", or an absolute path */
	char *match[FEEDBACK_MATCH_MAX];    /* relay= host patterns ("host", "*.domain"), lower case */
	size_t n_match;
	long open_for;                      /* seconds a breaker stays open before one message goes through */
};

/* Lines where options were set in the file (0: not set, the default applies). */
struct conf_lines {
	int socket, socket_group, user, pidfile, log, authserv_id;
};

#define CONF_AUTHSERV_ID_MAX 255

struct conf {
	char *path;              /* the file this came from */
	struct conf_lines line;  /* for "file:line:" in errors found after loading */
	char *socket;
	mode_t socket_mode;
	char *socket_group;
	char *user;
	char *pidfile;
	char *log;               /* "syslog", "stderr" or an absolute path */
	char *syslog_facility;   /* validated name: mail, daemon, user, local0..7 */
	char *authserv_id;       /* never empty: the host name when not set */
	bool dry_run;
	long timeout;            /* seconds an MTA connection may stay silent (smfi_settimeout) */
	char *metrics_file;      /* Prometheus textfile, "" when off */
	bool log_json;           /* log_format = "json": per-message and identity lines as JSON objects */
	long metrics_interval;   /* seconds between rewrites of metrics_file */
	struct conf_tenant tenant;
	struct conf_identity identity;
	char *rewrite_sender;    /* "" when unset; otherwise "local@domain" */
	char rewrite_domain[DOMAIN_MAX + 1];
	struct conf_policy policy;
	struct conf_feedback feedback;
	/*
	 * Several tenants (named sections "tenant NAME { }"): views[i] is this
	 * configuration as tenant i sees it (its tenant and identity, everything
	 * else shared); tenant and identity above are views[0]'s. With one
	 * tenant n_tenants is 1, views NULL and this conf is the tenant's.
	 * A view has n_tenants 1 and is never freed on its own.
	 */
	size_t n_tenants;
	struct conf *views;
	bool is_view;
};

#define CONF_ERR_MAX 1024

/*
 * Read and validate path. On success returns a new conf in *out and true.
 * On failure returns false and a one-line message in err (at most errlen
 * bytes, CONF_ERR_MAX is enough) starting with "file:line:" where known.
 */
bool conf_load(const char *path, struct conf **out, char *err, size_t errlen);

/* Free a conf; NULL is allowed. */
void conf_free(struct conf *conf);

/* The configuration as tenant i (< n_tenants) sees it: conf itself when there is one tenant. */
const struct conf *conf_tenant_view(const struct conf *conf, size_t i);

/* The tenant whose accepted domains hold domain, or -1 (always 0 with one tenant whose domains hold it). */
int conf_tenant_of_domain(const struct conf *conf, const char *domain);

/* The tenant's name for headers and logs: "" for the unnamed one. */
const char *conf_tenant_name(const struct conf *conf, size_t i);

#define CONF_IDENTITY_FILES_MAX (5 * CONF_TENANTS_MAX)
/* Every tenant's identity files (client cert, key, chain, server cert, CA file), once each; returns how many. */
size_t conf_identity_files(const struct conf *conf, const char *out[CONF_IDENTITY_FILES_MAX]);

/*
 * Check a milter socket spec (unix:/abs, local:/abs, inet:PORT@HOST,
 * inet6:PORT@HOST with PORT 1..65535); false with the reason in why. The
 * same rule serves the socket option and eopguard -p.
 */
bool conf_socket_valid(const char *spec, char *why, size_t whylen);

/*
 * "file:line: " for an option set on a line, "file: " otherwise (the
 * default), into buf: the prefix of an error found after loading.
 */
void conf_where(const struct conf *conf, int line, char *buf, size_t len);

/* Parse "0660" style modes; false when not an octal mode <= 07777. */
bool conf_parse_mode(const char *s, mode_t *mode);

#endif
