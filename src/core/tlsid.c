/*
 * tlsid: certificate, key and chain analysis with OpenSSL 3.
 *
 * Does: load the files the MTA sends (leaf first, then its chain, in file
 * order; the key possibly in the same file), and find what EOP would refuse:
 * missing or unreadable files, a key that does not match, validity, a chain
 * that does not build to a trusted root with only what is sent, names that
 * do not match the connector, a connector domain that is not accepted, weak
 * keys and signatures, a missing clientAuth usage; and on the hybrid receive
 * side, a certificate whose names lack the expected host.
 * Does not: connect anywhere, log, or decide actions.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "domains.h"
#include "export.h"
#include "strbuf.h"
#include "tlsid.h"

#define NAMES_MAX 32

/* ---- reading files ---- */

/* Read a file directly, bounded. */
void tlsid_read_file(const char *path, struct tlsid_file *out)
{
	tlsid_read_file_flags(path, 0, out);
}

/* tlsid_read_file with extra open(2) flags (the helper adds O_NOFOLLOW). */
void tlsid_read_file_flags(const char *path, int open_flags, struct tlsid_file *out)
{
	memset(out, 0, sizeof *out);
	/* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below. */
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | open_flags);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		out->err = errno;
		if (fd >= 0)
			close(fd);
		return;
	}
	out->mode = st.st_mode;
	out->mtime = st.st_mtime;
	out->size = st.st_size;
	out->ino = st.st_ino;
	if (S_ISDIR(st.st_mode)) {
		out->is_dir = true;
		out->err = EISDIR;
		close(fd);
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		out->not_regular = true;
		out->err = EINVAL;
		close(fd);
		return;
	}
	if (st.st_size > TLSID_FILE_MAX) {
		out->err = EFBIG;
		close(fd);
		return;
	}
	out->data = malloc((size_t)st.st_size + 1);
	ssize_t n = out->data != NULL ? read(fd, out->data, (size_t)st.st_size) : -1;
	if (n < 0) {
		out->err = out->data != NULL ? errno : ENOMEM;
		free(out->data);
		out->data = NULL;
	} else {
		out->len = (size_t)n;
		out->data[n] = '\0';
	}
	close(fd);
}

/* Errors of this process or its helper, not of the files. */
bool tlsid_errno_is_internal(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOMEM || err == ECONNRESET;
}

/* Adapter for struct tlsid_reader. */
static void direct_read(void *ctx, const char *path, struct tlsid_file *out)
{
	(void)ctx;
	tlsid_read_file(path, out);
}

const struct tlsid_reader tlsid_direct_reader = { direct_read, NULL };

/* Free the data of a file. */
void tlsid_file_free(struct tlsid_file *f)
{
	free(f->data);
	f->data = NULL;
}

/* Passphrase callback that refuses: an encrypted key is reported, never prompted for. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf; (void)size; (void)rwflag; (void)u;
	return -1;
}

/* Append every certificate in PEM data to certs; returns false on a broken block. */
static bool pem_certificates(const char *data, size_t len, STACK_OF(X509) *certs)
{
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	if (bio == NULL)
		return false;
	X509 *x;
	while ((x = PEM_read_bio_X509(bio, NULL, no_passphrase, NULL)) != NULL)
		sk_X509_push(certs, x);
	unsigned long e = ERR_peek_last_error();
	bool clean_end = e == 0 || (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE);
	BIO_free(bio);
	return clean_end;
}

/* The private key (or, from the helper, public key) in PEM data, or NULL. */
static EVP_PKEY *pem_key(const char *data, size_t len, bool *encrypted)
{
	/* data need not be NUL-terminated: search within len only */
	*encrypted = memmem(data, len, "ENCRYPTED", 9) != NULL && memmem(data, len, "PRIVATE KEY", 11) != NULL;
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	if (bio == NULL)
		return NULL;
	/* Each PEM reader sets up OpenSSL 3's decoders, which costs far more than
	 * the search for the block label every key PEM block carries. */
	EVP_PKEY *k = NULL;
	if (memmem(data, len, "PRIVATE KEY-----", 16) != NULL)
		k = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	if (k == NULL && memmem(data, len, "PUBLIC KEY-----", 15) != NULL) {
		(void)BIO_reset(bio);
		k = PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
	}
	BIO_free(bio);
	ERR_clear_error();
	return k;
}

/* Public parts of a PEM file, for the privileged helper. */
char *tlsid_public_parts(const char *data, size_t len, size_t *outlen)
{
	STACK_OF(X509) *certs = sk_X509_new_null();
	BIO *out = BIO_new(BIO_s_mem());
	char *result = NULL;
	bool encrypted;
	if (certs == NULL || out == NULL)
		goto done;
	pem_certificates(data, len, certs);
	ERR_clear_error();
	for (int i = 0; i < sk_X509_num(certs); i++)
		PEM_write_bio_X509(out, sk_X509_value(certs, i));
	EVP_PKEY *k = pem_key(data, len, &encrypted);
	if (k != NULL) {
		PEM_write_bio_PUBKEY(out, k);
		EVP_PKEY_free(k);
	} else if (encrypted) {
		BIO_puts(out, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n-----END ENCRYPTED PRIVATE KEY-----\n");
	}
	char *mem;
	long n = BIO_get_mem_data(out, &mem);
	if (n == 0 && len > 0) {
		/* Nothing usable: keep the file's shape so the daemon says what check says. */
		const unsigned char *d = (const unsigned char *)data;
		X509 *der = d[0] == 0x30 ? d2i_X509(NULL, &d, (long)len) : NULL;
		if (der != NULL)
			i2d_X509_bio(out, der);   /* a DER certificate is public */
		else if (memmem(data, len, "-----BEGIN CERTIFICATE-----", 27) != NULL)
			BIO_puts(out, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
		else
			BIO_puts(out, "(no PEM data)\n");
		X509_free(der);
		ERR_clear_error();
		n = BIO_get_mem_data(out, &mem);
	}
	result = malloc((size_t)n + 1);
	if (result != NULL) {
		if (n > 0)
			memcpy(result, mem, (size_t)n);
		result[n] = '\0';
		*outlen = (size_t)n;
	}
done:
	sk_X509_pop_free(certs, X509_free);
	BIO_free(out);
	return result;
}

/* ---- small OpenSSL helpers ---- */

/* "CN=..., O=..." of a name, escaped, into out. */
static void name_text(const X509_NAME *name, char *out, size_t outlen)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *mem = NULL;
	long n = 0;
	if (b != NULL && X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		n = BIO_get_mem_data(b, &mem);
	strbuf_escape_into(out, outlen, mem, (size_t)n);
	BIO_free(b);
}

/* The date of an ASN1_TIME as YYYY-MM-DD. */
static void date_text(const ASN1_TIME *t, char *out, size_t outlen)
{
	struct tm tm;
	if (ASN1_TIME_to_tm(t, &tm) == 1)
		strftime(out, outlen, "%Y-%m-%d", &tm);
	else
		snprintf(out, outlen, "(bad date)");
}

/* Whole days from now until t (negative when past). */
static int days_until(const ASN1_TIME *t, time_t now)
{
	int days = 0, secs = 0;
	ASN1_TIME *n = ASN1_TIME_set(NULL, now);
	if (n == NULL || ASN1_TIME_diff(&days, &secs, n, t) != 1)
		days = 0;
	ASN1_TIME_free(n);
	return days;
}

/* True when c is self-issued (its own issuer). */
static bool self_issued(X509 *c)
{
	return X509_check_issued(c, c) == X509_V_OK;
}

/* The DNS names that count for matching: DNS SANs, or the CN when there are none. */
static size_t cert_names(X509 *c, char names[][DOMAIN_MAX + 3], size_t max)
{
	size_t n = 0;
	GENERAL_NAMES *gens = X509_get_ext_d2i(c, NID_subject_alt_name, NULL, NULL);
	for (int i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens) && n < max; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		if (g->type != GEN_DNS)
			continue;
		int l = ASN1_STRING_length(g->d.dNSName);
		const unsigned char *d = ASN1_STRING_get0_data(g->d.dNSName);
		if (l <= 0 || l > DOMAIN_MAX + 2 || memchr(d, '\0', (size_t)l) != NULL)
			continue;
		memcpy(names[n], d, (size_t)l);
		names[n++][l] = '\0';
	}
	GENERAL_NAMES_free(gens);
	if (n > 0)
		return n;
	int idx = X509_NAME_get_index_by_NID(X509_get_subject_name(c), NID_commonName, -1);
	if (idx >= 0 && max > 0) {
		ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(X509_get_subject_name(c), idx));
		unsigned char *u = NULL;
		int l = ASN1_STRING_to_UTF8(&u, s);
		if (l > 0 && l <= DOMAIN_MAX + 2 && memchr(u, '\0', (size_t)l) == NULL) {
			memcpy(names[0], u, (size_t)l);
			names[0][l] = '\0';
			n = 1;
		}
		OPENSSL_free(u);
	}
	return n;
}

/* "a, b, c" of a name list, escaped. */
static void names_text(char names[][DOMAIN_MAX + 3], size_t n, char *out, size_t outlen)
{
	struct strbuf sb;
	strbuf_init(&sb, outlen - 1);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			strbuf_puts(&sb, ", ");
		strbuf_puts_text(&sb, names[i]);
	}
	if (n == 0)
		strbuf_puts(&sb, "(none)");
	snprintf(out, outlen, "%s", sb.data);
	strbuf_free(&sb);
}

/* The AIA caIssuers URL of c, escaped, or "". */
static void ca_issuers_url(X509 *c, char *out, size_t outlen)
{
	out[0] = '\0';
	AUTHORITY_INFO_ACCESS *aia = X509_get_ext_d2i(c, NID_info_access, NULL, NULL);
	for (int i = 0; aia != NULL && i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
		ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		if (OBJ_obj2nid(ad->method) == NID_ad_ca_issuers && ad->location->type == GEN_URI) {
			const ASN1_IA5STRING *u = ad->location->d.uniformResourceIdentifier;
			strbuf_escape_into(out, outlen, (const char *)ASN1_STRING_get0_data(u),
					   (size_t)ASN1_STRING_length(u));
			break;
		}
	}
	AUTHORITY_INFO_ACCESS_free(aia);
}

/* ---- the checks ---- */

struct idctx {
	const struct conf *conf;
	time_t now;
	const struct tlsid_reader *reader;
	enum attribution_mode mode;
	struct finding_list *out;
	struct check_report *report;   /* may be NULL */
	STACK_OF(X509) *certs;         /* leaf first, as sent */
	EVP_PKEY *key;
	bool key_encrypted;
	struct tlsid_result *result;   /* never NULL inside: tlsid_check supplies its own */
};

/* A report line only. */
static void id_line(struct idctx *c, enum check_status st, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void id_line(struct idctx *c, enum check_status st, const char *name, const char *fmt, ...)
{
	if (c->report == NULL || c->report->count >= CHECK_LINES_MAX)
		return;
	char detail[CHECK_DETAIL_MAX + 1];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	check_add(c->report, st, name, "%s", detail);
}

/* The identity could not be verified (a file not read): the reason, once, and its report line. */
static void id_unverified(struct idctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void id_unverified(struct idctx *c, const char *fmt, ...)
{
	char detail[CHECK_DETAIL_MAX + 1];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	if (!c->result->unverified) {
		c->result->unverified = true;
		snprintf(c->result->unverified_reason, sizeof c->result->unverified_reason, "%s", detail);
	}
	id_line(c, CHECK_WARN, "identity-unverified", "%s", detail);
}

/* Remember the first internal error that stopped the judgement. */
static void id_internal_error(struct idctx *c, int err)
{
	if (c->result->internal_errno == 0)
		c->result->internal_errno = err;
}

/* A finding with its hint, and its report line. Parts of fmt's arguments must be escaped. */
static void id_finding(struct idctx *c, enum finding_id id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void id_finding(struct idctx *c, enum finding_id id, const char *fmt, ...)
{
	char hint[FINDING_HINT_MAX + 1];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(hint, sizeof hint, fmt, ap);
	va_end(ap);
	if (finding_list_get(c->out, id) != NULL)
		return;
	finding_list_add(c->out, id, c->mode, hint);
	enum finding_severity sev = finding_severity_in(id, c->mode);
	id_line(c, sev == SEVERITY_FAIL ? CHECK_FAIL : CHECK_WARN, finding_info(id)->name, "%s", hint);
}

/* Escaped copy of a path for messages. */
static const char *safe_path(const char *path, char *buf, size_t len)
{
	strbuf_escape_into(buf, len, path, strlen(path));
	return buf;
}

/*
 * Read one of the identity files. Returns true with data; otherwise reports
 * (as finding missing_id/unreadable_id, or as an access warning) and false.
 */
static bool id_read(struct idctx *c, const char *option, const char *path, struct tlsid_file *f,
		    enum finding_id missing_id)
{
	char p[300];
	safe_path(path, p, sizeof p);
	c->reader->read(c->reader->ctx, path, f);
	if (f->err == 0)
		return true;
	if (tlsid_errno_is_internal(f->err)) {
		id_internal_error(c, f->err);
		id_unverified(c, "%s %s: not read because of an internal error (%s); nothing is concluded about "
			      "the file", option, p, strerror(f->err));
		return false;
	}
	if (f->err == EACCES || f->err == EPERM) {
		id_unverified(c,
			"%s %s: eopguard may not read it (%s); the MTA, running as root, may. Run the check as "
			"root, or give eopguard's user read access; until then eopguard cannot judge the identity",
			option, p, strerror(f->err));
		return false;
	}
	if (f->err == ENOENT)
		id_finding(c, missing_id, "%s %s does not exist; point it at the file the MTA sends "
			   "(Postfix smtp_tls_cert_file / smtp_tls_chain_files)", option, p);
	else if (f->is_dir)
		id_finding(c, FINDING_CERT_UNREADABLE, "%s %s is a directory; name the PEM file itself", option, p);
	else if (f->not_regular)
		id_finding(c, FINDING_CERT_UNREADABLE, "%s %s is not a regular file (a FIFO or device); name the "
			   "PEM file itself", option, p);
	else
		id_finding(c, FINDING_CERT_UNREADABLE, "%s %s cannot be read: %s", option, p, strerror(f->err));
	return false;
}

/* Why a file holds no usable certificate, for the hint. */
static const char *no_cert_reason(const struct tlsid_file *f)
{
	if (f->len == 0)
		return "the file is empty";
	const unsigned char *d = (const unsigned char *)f->data;
	X509 *x = d[0] == 0x30 ? d2i_X509(NULL, &d, (long)f->len) : NULL;
	if (x != NULL) {
		X509_free(x);
		return "it is DER; the MTA needs PEM (openssl x509 -inform der -in FILE -out FILE.pem)";
	}
	return strstr(f->data, "-----BEGIN CERTIFICATE-----") != NULL ? "a CERTIFICATE block is corrupt"
									: "it holds no PEM certificate";
}

/* Load the certificate file and the extra chain file into c->certs. */
static bool load_certificates(struct idctx *c)
{
	const struct conf_identity *id = &c->conf->identity;
	struct tlsid_file f;
	char p[300];
	if (!id_read(c, "identity.client_cert", id->client_cert, &f, FINDING_CERT_MISSING))
		return false;
	bool ok = pem_certificates(f.data, f.len, c->certs) && sk_X509_num(c->certs) > 0;
	if (!ok)
		id_finding(c, FINDING_CERT_UNREADABLE, "identity.client_cert %s: %s",
			   safe_path(id->client_cert, p, sizeof p), no_cert_reason(&f));
	else if (id->client_key[0] == '\0' || strcmp(id->client_key, id->client_cert) == 0)
		c->key = pem_key(f.data, f.len, &c->key_encrypted);
	tlsid_file_free(&f);
	ERR_clear_error();
	if (!ok)
		return false;
	if (id->client_chain[0] != '\0' &&
	    id_read(c, "identity.client_chain", id->client_chain, &f, FINDING_CERT_MISSING)) {
		int before = sk_X509_num(c->certs);
		if (!pem_certificates(f.data, f.len, c->certs) || sk_X509_num(c->certs) == before)
			id_finding(c, FINDING_CERT_UNREADABLE, "identity.client_chain %s: %s",
				   safe_path(id->client_chain, p, sizeof p), no_cert_reason(&f));
		tlsid_file_free(&f);
		ERR_clear_error();
	}
	X509 *leaf = sk_X509_value(c->certs, 0);
	char subject[256], until[16];
	name_text(X509_get_subject_name(leaf), subject, sizeof subject);
	date_text(X509_get0_notAfter(leaf), until, sizeof until);
	struct tm expiry;
	if (ASN1_TIME_to_tm(X509_get0_notAfter(leaf), &expiry) == 1)
		c->result->leaf_not_after = timegm(&expiry);
	id_line(c, CHECK_PASS, "certificate", "%s: %s, %d certificate%s sent, valid until %s",
		safe_path(id->client_cert, p, sizeof p), subject, sk_X509_num(c->certs),
		sk_X509_num(c->certs) == 1 ? "" : "s", until);
	return true;
}

/* The key: present, unencrypted, matching the leaf; and its permissions. */
static void check_key(struct idctx *c)
{
	const struct conf_identity *id = &c->conf->identity;
	const char *path = id->client_key[0] != '\0' ? id->client_key : id->client_cert;
	char p[300];
	safe_path(path, p, sizeof p);
	struct tlsid_file f;
	bool separate = id->client_key[0] != '\0' && strcmp(id->client_key, id->client_cert) != 0;
	if (!id_read(c, "identity.client_key", path, &f, FINDING_CERT_MISSING))
		return;
	if (separate)
		c->key = pem_key(f.data, f.len, &c->key_encrypted);
	if ((f.mode & 0004) != 0 && c->key != NULL)
		id_finding(c, FINDING_KEY_PERMISSIONS, "the private key %s is readable by everyone (mode %04o); "
			   "chmod 0600 (or 0640 with the MTA's group)", p, (unsigned)(f.mode & 07777));
	tlsid_file_free(&f);
	if (c->key == NULL) {
		id_finding(c, FINDING_KEY_MISMATCH, c->key_encrypted
			   ? "the private key in %s is encrypted; the MTA needs it unencrypted (openssl pkey -in KEY -out KEY)"
			   : "no private key in %s; set identity.client_key to the key of the certificate", p);
		return;
	}
	if (EVP_PKEY_eq(X509_get0_pubkey(sk_X509_value(c->certs, 0)), c->key) != 1) {
		id_finding(c, FINDING_KEY_MISMATCH, "the key in %s does not belong to the certificate in "
			   "identity.client_cert; install the key issued with this certificate", p);
		return;
	}
	id_line(c, CHECK_PASS, "key", "%s matches the certificate", p);
}

/* Validity of every certificate sent. */
static void check_validity(struct idctx *c)
{
	bool all_ok = true;
	for (int i = 0; i < sk_X509_num(c->certs); i++) {
		X509 *x = sk_X509_value(c->certs, i);
		char subject[256], date[16];
		const char *what = i == 0 ? "the relay certificate" : "the chain certificate";
		name_text(X509_get_subject_name(x), subject, sizeof subject);
		if (X509_cmp_time(X509_get0_notAfter(x), &c->now) < 0) {
			date_text(X509_get0_notAfter(x), date, sizeof date);
			id_finding(c, FINDING_CERT_EXPIRED, "%s %s expired on %s; install the renewed one with its chain "
				   "and reload the MTA", what, subject, date);
			all_ok = false;
		} else if (X509_cmp_time(X509_get0_notBefore(x), &c->now) > 0) {
			date_text(X509_get0_notBefore(x), date, sizeof date);
			id_finding(c, FINDING_CERT_NOT_YET_VALID, "%s %s is valid only from %s; check the clock or "
				   "install the current certificate", what, subject, date);
			all_ok = false;
		} else {
			int days = days_until(X509_get0_notAfter(x), c->now);
			if (days < c->conf->identity.expiry_warning_days) {
				date_text(X509_get0_notAfter(x), date, sizeof date);
				id_finding(c, FINDING_CERT_EXPIRING, "%s %s expires on %s (in %d day%s); renew it "
					   "before then", what, subject, date, days, days == 1 ? "" : "s");
				all_ok = false;
			}
		}
	}
	if (all_ok)
		id_line(c, CHECK_PASS, "validity", "every certificate sent is valid for more than %ld days",
			c->conf->identity.expiry_warning_days);
}

/* Build a trust store from ca_file/ca_path or OpenSSL's defaults. */
static X509_STORE *trust_store(struct idctx *c)
{
	const struct conf_identity *id = &c->conf->identity;
	X509_STORE *store = X509_STORE_new();
	if (store == NULL)
		return NULL;
	bool ok = true;
	errno = 0;
	if (id->ca_file[0] != '\0')
		ok = X509_STORE_load_file(store, id->ca_file) == 1;
	if (ok && id->ca_path[0] != '\0')
		ok = X509_STORE_load_path(store, id->ca_path) == 1;
	if (id->ca_file[0] == '\0' && id->ca_path[0] == '\0')
		ok = X509_STORE_set_default_paths(store) == 1;
	if (!ok && tlsid_errno_is_internal(errno)) {
		/* EMFILE or ENOMEM: an empty store would make every chain look incomplete */
		id_internal_error(c, errno);
		ERR_clear_error();
		return store;
	}
	if (!ok) {
		char p[300];
		id_line(c, CHECK_WARN, "trust-store", "cannot load the trust store %s: %s",
			safe_path(id->ca_file[0] ? id->ca_file : id->ca_path, p, sizeof p),
			ERR_reason_error_string(ERR_peek_last_error()) ? ERR_reason_error_string(ERR_peek_last_error()) : "unknown error");
		ERR_clear_error();
	}
	return store;
}

/* Report a chain that stops at a certificate whose issuer was not sent. */
static void report_missing_issuer(struct idctx *c, X509 *child)
{
	char issuer[256], subject[256], url[200], download[220] = "";
	name_text(X509_get_issuer_name(child), issuer, sizeof issuer);
	name_text(X509_get_subject_name(child), subject, sizeof subject);
	ca_issuers_url(child, url, sizeof url);
	if (url[0] != '\0')
		snprintf(download, sizeof download, " (its URL: %s)", url);
	id_finding(c, FINDING_CHAIN_INCOMPLETE, "the issuer %s of %s is neither sent nor a trusted root; append "
		   "it after the leaf in identity.client_cert%s", issuer, subject, download);
}

/* Warn about the order of what is sent. */
static void check_chain_order(struct idctx *c)
{
	for (int i = 1; i < sk_X509_num(c->certs); i++) {
		X509 *x = sk_X509_value(c->certs, i);
		char subject[256];
		name_text(X509_get_subject_name(x), subject, sizeof subject);
		if (self_issued(x)) {
			id_line(c, CHECK_WARN, "chain-root-sent", "the file also sends the root %s; harmless, but "
				"EOP uses its own roots: it can be left out", subject);
		} else if (X509_check_issued(x, sk_X509_value(c->certs, i - 1)) != X509_V_OK) {
			id_line(c, CHECK_WARN, "chain-order", "certificate %d (%s) does not issue the one before it; "
				"order the file leaf first, then each issuer", i + 1, subject);
		}
	}
}

/* Build and verify the chain from what is sent plus the trust store. */
static void check_chain(struct idctx *c)
{
	X509 *leaf = sk_X509_value(c->certs, 0);
	X509_STORE *store = trust_store(c);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *untrusted = sk_X509_dup(c->certs);
	if (store == NULL || ctx == NULL || untrusted == NULL ||
	    X509_STORE_CTX_init(ctx, store, leaf, untrusted) != 1) {
		id_line(c, CHECK_WARN, "chain", "out of memory while verifying the chain");
		id_internal_error(c, ENOMEM);
		goto done;
	}
	if (c->result->internal_errno != 0) {   /* the trust store could not be loaded: no verdict on the chain */
		id_unverified(c, "the trust store was not loaded because of an internal error (%s); the chain is "
			      "not judged", strerror(c->result->internal_errno));
		goto done;
	}
	(void)sk_X509_shift(untrusted);
	X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx), X509_V_FLAG_NO_CHECK_TIME);
	int ok = X509_verify_cert(ctx);
	int err = X509_STORE_CTX_get_error(ctx);
	X509 *at = X509_STORE_CTX_get_current_cert(ctx);
	ERR_clear_error();
	char subject[256];
	if (ok == 1) {
		STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
		name_text(X509_get_subject_name(sk_X509_value(chain, sk_X509_num(chain) - 1)), subject, sizeof subject);
		id_line(c, CHECK_PASS, "chain", "builds from what is sent to the trusted root %s", subject);
		check_chain_order(c);
	} else if (self_issued(leaf) || err == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) {
		name_text(X509_get_subject_name(leaf), subject, sizeof subject);
		id_finding(c, FINDING_SELF_SIGNED, "the relay certificate %s is self-signed; EOP needs one from a "
			   "public CA", subject);
	} else if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY || err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
		   err == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE) {
		report_missing_issuer(c, at != NULL ? at : leaf);
	} else if (err == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN) {
		name_text(X509_get_subject_name(at != NULL ? at : leaf), subject, sizeof subject);
		id_finding(c, FINDING_CHAIN_UNTRUSTED, "the chain ends in %s, a root the trust store does not trust; "
			   "use a certificate from a public CA", subject);
	} else {
		name_text(X509_get_subject_name(at != NULL ? at : leaf), subject, sizeof subject);
		id_finding(c, FINDING_CHAIN_UNTRUSTED, "the chain does not verify at %s: %s", subject,
			   X509_verify_cert_error_string(err));
	}
done:
	sk_X509_free(untrusted);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
}

/* Does a certificate name satisfy the connector's TlsSenderCertificateName? */
static bool connector_accepts(const char *connector, const char *cert_name)
{
	if (strncmp(cert_name, "*.", 2) == 0)   /* a wildcard certificate covers one label */
		return strncmp(connector, "*.", 2) != 0 ? domain_cert_name_matches(cert_name, connector)
							 : domain_connector_name_matches(connector, cert_name + 2);
	return domain_connector_name_matches(connector, cert_name);
}

/* The certificate's names against tenant.certificate_domain. */
static void check_names(struct idctx *c)
{
	const char *want = c->conf->tenant.certificate_domain;
	if (want[0] == '\0')
		return;
	char names[NAMES_MAX][DOMAIN_MAX + 3], list[600], w[300], first[300];
	size_t n = cert_names(sk_X509_value(c->certs, 0), names, NAMES_MAX);
	for (size_t i = 0; i < n; i++) {
		if (connector_accepts(want, names[i])) {
			id_line(c, CHECK_PASS, "names", "certificate name %s matches tenant.certificate_domain %s",
				safe_path(names[i], list, sizeof list), safe_path(want, w, sizeof w));
			return;
		}
	}
	names_text(names, n, list, sizeof list);
	id_finding(c, FINDING_NAME_MISMATCH, "tenant.certificate_domain %s (the connector's TlsSenderCertificateName) "
		   "matches none of the certificate's names: %s; install the certificate for it, or point the "
		   "connector at this one: Set-InboundConnector -Identity <connector> -TlsSenderCertificateName %s",
		   safe_path(want, w, sizeof w), list, n > 0 ? safe_path(names[0], first, sizeof first) : "<name>");
}

/*
 * With a tenant export: an enabled OnPremises connector must name the
 * certificate (its TlsSenderCertificateName matches one of the names). A
 * disabled or Partner connector that would match, or none at all, is a
 * finding whose hint is the PowerShell that fixes it.
 */
static void check_connectors(struct idctx *c)
{
	const struct tenant_export *e = c->conf->tenant.export;
	if (e == NULL)
		return;
	char names[NAMES_MAX][DOMAIN_MAX + 3], list[600], a[300], b[300];
	size_t n = cert_names(sk_X509_value(c->certs, 0), names, NAMES_MAX);
	const struct export_connector *off = NULL;
	const char *off_name = NULL;
	for (size_t i = 0; i < n; i++) {
		const struct export_connector *dis = NULL;
		const struct export_connector *on = export_connector_for(e, names[i], &dis);
		if (on != NULL) {
			id_line(c, CHECK_PASS, "connector", "the inbound connector '%s' (TlsSenderCertificateName %s) "
				"attributes the certificate name %s", on->name, safe_path(on->cert_name, a, sizeof a),
				safe_path(names[i], b, sizeof b));
			return;
		}
		if (off == NULL && dis != NULL) {
			off = dis;
			off_name = names[i];
		}
	}
	if (off != NULL && !off->enabled)
		id_finding(c, FINDING_CONNECTOR_DISABLED, "the inbound connector '%s' names the certificate (%s) but is "
			   "disabled; enable it: Set-InboundConnector -Identity '%s' -Enabled $true", off->name,
			   safe_path(off_name, a, sizeof a), off->name);
	else if (off != NULL)
		id_finding(c, FINDING_CONNECTOR_DISABLED, "the inbound connector '%s' names the certificate (%s) but is "
			   "a Partner connector; relaying needs OnPremises: Set-InboundConnector -Identity '%s' "
			   "-ConnectorType OnPremises", off->name, safe_path(off_name, a, sizeof a), off->name);
	else {
		names_text(names, n, list, sizeof list);
		id_finding(c, FINDING_CONNECTOR_MISSING, "no enabled OnPremises inbound connector in the tenant export "
			   "names the certificate (%s); set it: Set-InboundConnector -Identity <connector> "
			   "-TlsSenderCertificateName %s, or create one: New-InboundConnector -Name relay -ConnectorType "
			   "OnPremises -SenderDomains * -RequireTls $true -TlsSenderCertificateName %s", list,
			   n > 0 ? safe_path(names[0], a, sizeof a) : "<name>", n > 0 ? a : "<name>");
	}
	if (e->reject_direct_send == 1)
		id_finding(c, FINDING_DIRECT_SEND_REJECTED, "RejectDirectSend is on and no enabled inbound connector "
			   "matches the relay: its mail from the tenant's domains to the tenant's own mailboxes is refused "
			   "with 5.7.68 (relayed mail with 5.7.64); fix the connector, or Set-OrganizationConfig "
			   "-RejectDirectSend $false if anonymous sending is meant");
}

/* Key size, signature hashes, extended key usage. */
static void check_strength(struct idctx *c)
{
	X509 *leaf = sk_X509_value(c->certs, 0);
	EVP_PKEY *pk = X509_get0_pubkey(leaf);
	int bits = pk != NULL ? EVP_PKEY_get_bits(pk) : 0;
	int type = pk != NULL ? EVP_PKEY_get_base_id(pk) : 0;
	if ((type == EVP_PKEY_EC && bits < 256) || (type != EVP_PKEY_EC && type != EVP_PKEY_ED25519 && bits < 2048))
		id_finding(c, FINDING_WEAK_KEY, "the relay certificate's key has %d bits; reissue it with RSA 2048+ "
			   "or EC P-256+", bits);
	for (int i = 0; i < sk_X509_num(c->certs); i++) {
		X509 *x = sk_X509_value(c->certs, i);
		int md = NID_undef, pkn = NID_undef;
		if (self_issued(x) || !OBJ_find_sigid_algs(X509_get_signature_nid(x), &md, &pkn))
			continue;
		if (md == NID_sha1 || md == NID_md5 || md == NID_md5_sha1) {
			char subject[256];
			name_text(X509_get_subject_name(x), subject, sizeof subject);
			id_finding(c, FINDING_WEAK_SIGNATURE, "%s is signed with %s; reissue it with SHA-256 or stronger",
				   subject, OBJ_nid2sn(md));
		}
	}
	if ((X509_get_extension_flags(leaf) & EXFLAG_XKUSAGE) != 0 &&
	    (X509_get_extended_key_usage(leaf) & XKU_SSL_CLIENT) == 0)
		id_finding(c, FINDING_EKU_NO_CLIENTAUTH, "the relay certificate allows serverAuth but not clientAuth, "
			   "as public CAs issue them since 2026 (Let's Encrypt from February); no source says EOP "
			   "requires clientAuth, so this stays a warning: watch for 5.7.64 after the next renewal");
}

/* tenant.certificate_domain must be an accepted domain (or its parent, for a host name). */
static void check_certificate_domain(struct idctx *c)
{
	const char *name = c->conf->tenant.certificate_domain;
	if (name[0] == '\0')
		return;
	const char *base = strncmp(name, "*.", 2) == 0 ? name + 2 : name;
	const char *parent = domain_parent(base);
	const struct domain_set *acc = c->conf->tenant.accepted;
	char b[300];
	if (domain_is_accepted(acc, base) || (parent != NULL && domain_is_accepted(acc, parent))) {
		id_line(c, CHECK_PASS, "certificate-domain", "%s is covered by the accepted domains",
			safe_path(name, b, sizeof b));
		return;
	}
	const char *add = parent != NULL ? parent : base;
	id_finding(c, FINDING_CERT_DOMAIN_NOT_ACCEPTED, "neither %s nor its parent %s is an accepted domain; add "
		   "%s to the tenant (New-AcceptedDomain -Name %s -DomainName %s -DomainType Authoritative) and to "
		   "tenant.accepted_domains", safe_path(base, b, sizeof b), parent != NULL ? parent : "(none)", add, add,
		   add);
}

/* The hybrid receive side: server_cert against server_name. */
static void check_server(struct idctx *c)
{
	const struct conf_identity *id = &c->conf->identity;
	if (id->server_cert[0] == '\0')
		return;
	struct tlsid_file f;
	char p[300], list[600], want[300];
	safe_path(id->server_cert, p, sizeof p);
	c->reader->read(c->reader->ctx, id->server_cert, &f);
	STACK_OF(X509) *certs = sk_X509_new_null();
	if (f.err != 0 || certs == NULL || !pem_certificates(f.data, f.len, certs) || sk_X509_num(certs) == 0) {
		id_line(c, CHECK_WARN, "server-cert", "identity.server_cert %s cannot be used: %s", p,
			f.err != 0 ? strerror(f.err) : no_cert_reason(&f));
		goto done;
	}
	X509 *x = sk_X509_value(certs, 0);
	char date[16];
	date_text(X509_get0_notAfter(x), date, sizeof date);
	if (X509_cmp_time(X509_get0_notAfter(x), &c->now) < 0)
		id_finding(c, FINDING_SERVER_CERT_EXPIRED, "identity.server_cert %s expired on %s; EOP's deliveries "
			   "to this server fail with 450 4.7.320", p, date);
	if (id->server_name[0] != '\0') {
		char names[NAMES_MAX][DOMAIN_MAX + 3];
		size_t n = cert_names(x, names, NAMES_MAX);
		bool match = false;
		for (size_t i = 0; i < n && !match; i++)
			match = domain_cert_name_matches(names[i], id->server_name);
		names_text(names, n, list, sizeof list);
		if (!match)
			id_finding(c, FINDING_SERVER_NAME_MISMATCH, "identity.server_cert %s does not name %s (it names %s); "
				   "bind a certificate for %s to the receiving side", p,
				   safe_path(id->server_name, want, sizeof want), list, want);
		else
			id_line(c, CHECK_PASS, "server-name", "identity.server_cert names %s",
				safe_path(id->server_name, want, sizeof want));
	}
done:
	sk_X509_pop_free(certs, X509_free);
	tlsid_file_free(&f);
	ERR_clear_error();
}

/* Run every identity check a configuration calls for. */
void tlsid_check(const struct conf *conf, time_t now, const struct tlsid_reader *reader,
		 struct finding_list *out, struct check_report *report, struct tlsid_result *result)
{
	struct tlsid_result local;
	memset(&local, 0, sizeof local);
	if (result == NULL)
		result = &local;
	memset(result, 0, sizeof *result);
	struct idctx c = { conf, now, reader, conf->tenant.attribution, out, report, NULL, NULL, false, result };
	if (c.mode == ATTRIBUTION_CERTIFICATE)
		check_certificate_domain(&c);
	if (conf->identity.client_cert[0] == '\0') {
		if (c.mode == ATTRIBUTION_CERTIFICATE)
			id_finding(&c, FINDING_CERT_MISSING, "identity.client_cert is empty; with attribution = "
				   "certificate set it to the file the MTA sends (smtp_tls_cert_file)");
		else
			id_line(&c, CHECK_PASS, "certificate", "attribution = ip: no client certificate needed");
	} else if ((c.certs = sk_X509_new_null()) != NULL && load_certificates(&c)) {
		check_key(&c);
		check_validity(&c);
		check_chain(&c);
		if (c.mode == ATTRIBUTION_CERTIFICATE) {
			check_names(&c);
			check_connectors(&c);
		}
		check_strength(&c);
	}
	check_server(&c);
	sk_X509_pop_free(c.certs, X509_free);
	EVP_PKEY_free(c.key);
	ERR_clear_error();
}
