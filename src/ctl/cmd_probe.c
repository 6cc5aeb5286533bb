/*
 * eopguardctl probe: talk to the smart host the way the MTA does and report
 * what it answers (eopguardctl(8)).
 *
 * Does: connect (tenant.smarthost or --host), read the banner, EHLO,
 * STARTTLS with identity.client_cert/client_key (TLS 1.2 or later, SNI),
 * report the TLS version and cipher, the chain the server presented and
 * whether it verifies, EHLO again; with --from and --to, send one small,
 * clearly marked test message and report the answer at the end of DATA with
 * the NDR table's explanation (EOP decides attribution only there).
 * Does not: send anything else, retry, or follow MX records.
 *
 * Everything the server says is untrusted: shown escaped and bounded.
 * Exit: 0 accepted (or, without a test message, nothing refused), 1 refused,
 * 2 no connection, 64 usage, 78 configuration.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "addr.h"
#include "breaker.h"
#include "conf.h"
#include "ctl.h"
#include "ndr.h"
#include "strbuf.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define REPLY_MAX 8192        /* a multi-line reply kept at most */
#define SHOW_MAX 600          /* escaped text shown per reply */
#define IO_TIMEOUT 30         /* seconds per read or write */

static const char probe_usage[] =
	"usage: eopguardctl probe [-c FILE] [--json] [--host HOST[:PORT]] [--from ADDR --to ADDR]\n"
	"  --host HOST[:PORT]   the smart host (default: tenant.smarthost; port 25; with several\n"
	"                       tenants, those of the --from domain's tenant, else the first)\n"
	"  --from, --to         send one small test message (an external recipient you choose) and\n"
	"                       report EOP's answer at the end of DATA; without them probe stops after EHLO\n"
	"  --json               the report as one JSON object\n"
	"Exit 0 accepted, 1 refused, 2 could not connect.\n";

struct probe_opts {
	const char *path, *host, *from, *to;
	bool json;
};

/* One step of the conversation, for the report. */
struct step {
	char name[24];
	char text[SHOW_MAX + 1];   /* escaped */
	bool ok;
};

struct probe {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	char host[DOMAIN_MAX + 1];
	char port[8];
	char address[64];
	char rbuf[REPLY_MAX];
	size_t rlen;
	struct step steps[16];
	size_t n_steps;
	char tls_version[32], cipher[128];
	char chain[1500];          /* the server's chain, escaped */
	char verify[300];
	char presented[400];
	bool connected, starttls, tls, ehlo_ok, sent, accepted, refused;
	int code;                  /* the last reply's code */
	char last[REPLY_MAX];      /* the last reply (raw) */
	char refusal[REPLY_MAX];   /* the last 4xx/5xx reply (raw, for the NDR lookup), "" when none */
};

static void add_step(struct probe *p, const char *name, const char *text, size_t len, bool ok)
{
	if (p->n_steps >= sizeof p->steps / sizeof p->steps[0])
		return;
	struct step *s = &p->steps[p->n_steps++];
	snprintf(s->name, sizeof s->name, "%s", name);
	breaker_escape(text, len, s->text, sizeof s->text);
	s->ok = ok;
}

/* Parse the options; -1 to go on, else an exit status. */
static int parse_opts(int argc, char **argv, struct probe_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' }, { "json", no_argument, NULL, 'j' },
		{ "host", required_argument, NULL, 'H' },   { "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },     { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	o->path = SYSCONFDIR "/eopguard/eopguard.conf";
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->path = optarg; break;
		case 'j': o->json = true; break;
		case 'H': o->host = optarg; break;
		case 'F': o->from = optarg; break;
		case 'T': o->to = optarg; break;
		case 'h': fputs(probe_usage, stdout); return EX_OK;
		default: fputs(probe_usage, stderr); return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "eopguardctl probe: unexpected argument '%s'\n", argv[optind]);
		return EX_USAGE;
	}
	if ((o->from == NULL) != (o->to == NULL)) {
		fprintf(stderr, "eopguardctl probe: --from and --to go together (the test message needs both)\n");
		return EX_USAGE;
	}
	const char *addrs[2] = { o->from, o->to };
	for (int i = 0; i < 2; i++) {
		struct addr_path ap;
		char bracketed[ADDR_PATH_MAX + 3];
		const char *why = NULL;
		if (addrs[i] == NULL)
			continue;
		snprintf(bracketed, sizeof bracketed, "<%s>", addrs[i]);
		if (strlen(addrs[i]) > ADDR_PATH_MAX - 2 || !addr_parse_path(bracketed, &ap, &why) || ap.null_sender) {
			fprintf(stderr, "eopguardctl probe: --%s '%s' is not a mail address (local@domain)%s%s\n",
				i == 0 ? "from" : "to", addrs[i], why ? ": " : "", why ? why : "");
			return EX_USAGE;
		}
	}
	return -1;
}

/* Split HOST[:PORT] or [HOST]:PORT into p->host and p->port; false when malformed. */
static bool split_host(const char *spec, struct probe *p)
{
	const char *h = spec, *port = "25";
	size_t hl;
	if (*h == '[') {
		h++;
		hl = strcspn(h, "]");
		if (h[hl] != ']')
			return false;
		if (h[hl + 1] == ':')
			port = h + hl + 2;
		else if (h[hl + 1] != '\0')
			return false;
	} else {
		hl = strcspn(h, ":");
		if (h[hl] == ':')
			port = h + hl + 1;
	}
	if (hl == 0 || hl > DOMAIN_MAX || strlen(port) == 0 || strlen(port) > 5 ||
	    strspn(port, "0123456789") != strlen(port) || atoi(port) < 1 || atoi(port) > 65535)
		return false;
	for (size_t i = 0; i < hl; i++) {
		char c = h[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
		      c == ':'))
			return false;
	}
	memcpy(p->host, h, hl);
	p->host[hl] = '\0';
	snprintf(p->port, sizeof p->port, "%s", port);
	return true;
}

/* Connect with a timeout; false with the reason as a step. */
static bool probe_connect(struct probe *p)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	int r = getaddrinfo(p->host, p->port, &hints, &res);
	if (r != 0) {
		char msg[300];
		snprintf(msg, sizeof msg, "cannot resolve %s: %s", p->host, gai_strerror(r));
		add_step(p, "connect", msg, strlen(msg), false);
		return false;
	}
	char last_err[200] = "no address";
	for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		struct timeval tv = { IO_TIMEOUT, 0 };
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			getnameinfo(ai->ai_addr, ai->ai_addrlen, p->address, sizeof p->address, NULL, 0, NI_NUMERICHOST);
			p->fd = fd;
			freeaddrinfo(res);
			p->connected = true;
			return true;
		}
		snprintf(last_err, sizeof last_err, "%s", strerror(errno));
		close(fd);
	}
	freeaddrinfo(res);
	char msg[400];
	snprintf(msg, sizeof msg, "cannot connect to %s port %s: %s", p->host, p->port, last_err);
	add_step(p, "connect", msg, strlen(msg), false);
	return false;
}

/* Read some bytes (TLS or not); <= 0 at end or error. */
static ssize_t probe_read(struct probe *p, char *buf, size_t n)
{
	if (p->ssl != NULL) {
		int r = SSL_read(p->ssl, buf, (int)n);
		return r;
	}
	ssize_t r;
	do
		r = recv(p->fd, buf, n, 0);
	while (r < 0 && errno == EINTR);
	return r;
}

static bool probe_write(struct probe *p, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = p->ssl != NULL ? SSL_write(p->ssl, s, (int)n) : send(p->fd, s, n, MSG_NOSIGNAL);
		if (w <= 0) {
			if (p->ssl == NULL && w < 0 && errno == EINTR)
				continue;
			return false;
		}
		s += w;
		n -= (size_t)w;
	}
	return true;
}

/*
 * Read one (multi-line) reply into p->last, lines joined by " / "; returns
 * its code, 0 on a broken or missing reply.
 */
static int read_reply(struct probe *p)
{
	size_t out = 0;
	p->last[0] = '\0';
	for (;;) {
		char *nl = memchr(p->rbuf, '\n', p->rlen);
		if (nl == NULL) {
			if (p->rlen == sizeof p->rbuf)
				return 0;   /* a line longer than anything SMTP allows */
			ssize_t r = probe_read(p, p->rbuf + p->rlen, sizeof p->rbuf - p->rlen);
			if (r <= 0)
				return 0;
			p->rlen += (size_t)r;
			continue;
		}
		size_t len = (size_t)(nl - p->rbuf);
		size_t take = len > 0 && p->rbuf[len - 1] == '\r' ? len - 1 : len;
		bool more = take >= 4 && p->rbuf[3] == '-';
		int code = take >= 3 ? atoi(p->rbuf) : 0;
		if (out + take + 4 < sizeof p->last) {
			if (out > 0) {
				memcpy(p->last + out, " / ", 3);
				out += 3;
			}
			memcpy(p->last + out, p->rbuf, take);
			out += take;
			p->last[out] = '\0';
		}
		memmove(p->rbuf, nl + 1, p->rlen - len - 1);
		p->rlen -= len + 1;
		if (!more) {
			p->code = code;
			return code;
		}
	}
}

/* Send a command and read its reply, recording both as a step. */
static int command(struct probe *p, const char *name, const char *line)
{
	if (!probe_write(p, line, strlen(line)) || !probe_write(p, "\r\n", 2)) {
		add_step(p, name, "the connection closed while sending", 35, false);
		return 0;
	}
	int code = read_reply(p);
	if (code >= 400)
		memcpy(p->refusal, p->last, sizeof p->refusal);
	add_step(p, name, code ? p->last : "no answer (connection closed or timed out)",
		 code ? strlen(p->last) : 42, code >= 200 && code < 400);
	return code;
}

/* Does an EHLO reply offer STARTTLS? */
static bool offers_starttls(const char *reply)
{
	for (const char *s = reply; (s = strcasestr(s, "STARTTLS")) != NULL; s += 8) {
		if (s >= reply + 4 && (s[-1] == '-' || s[-1] == ' ') && (s[8] == '\0' || s[8] == ' '))
			return true;
	}
	return false;
}

/* A certificate's subject (or issuer) as one line. */
static void name_line(X509_NAME *n, char *out, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	out[0] = '\0';
	if (b == NULL)
		return;
	X509_NAME_print_ex(b, n, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
	char tmp[512];
	int r = BIO_read(b, tmp, sizeof tmp - 1);
	tmp[r > 0 ? r : 0] = '\0';
	breaker_escape(tmp, strlen(tmp), out, len);
	BIO_free(b);
}

/* The TLS context: client certificate and key as the MTA presents them, TLS 1.2+. */
static bool make_ctx(struct probe *p, const struct conf *conf)
{
	p->ctx = SSL_CTX_new(TLS_client_method());
	if (p->ctx == NULL)
		return false;
	SSL_CTX_set_min_proto_version(p->ctx, TLS1_2_VERSION);
	SSL_CTX_set_default_verify_paths(p->ctx);
	const struct conf_identity *id = &conf->identity;
	if (id->ca_file[0] != '\0' || id->ca_path[0] != '\0')
		SSL_CTX_load_verify_locations(p->ctx, id->ca_file[0] ? id->ca_file : NULL, id->ca_path[0] ? id->ca_path : NULL);
	SSL_CTX_set_verify(p->ctx, SSL_VERIFY_NONE, NULL);   /* reported, not enforced: the MTA does not either */
	if (id->client_cert[0] == '\0') {
		snprintf(p->presented, sizeof p->presented, "no client certificate (identity.client_cert is not set)");
		return true;
	}
	const char *key = id->client_key[0] != '\0' ? id->client_key : id->client_cert;
	if (SSL_CTX_use_certificate_chain_file(p->ctx, id->client_cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(p->ctx, key, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(p->ctx) != 1) {
		snprintf(p->presented, sizeof p->presented, "cannot load %s with %s (eopguardctl check says why); "
			 "probing without a client certificate", id->client_cert, key);
		ERR_clear_error();
		SSL_CTX_free(p->ctx);
		p->ctx = SSL_CTX_new(TLS_client_method());
		if (p->ctx == NULL)
			return false;
		SSL_CTX_set_min_proto_version(p->ctx, TLS1_2_VERSION);
		SSL_CTX_set_default_verify_paths(p->ctx);
		return true;
	}
	if (id->client_chain[0] != '\0') {
		FILE *fp = fopen(id->client_chain, "re");
		X509 *x;
		while (fp != NULL && (x = PEM_read_X509(fp, NULL, NULL, NULL)) != NULL) {
			if (SSL_CTX_add0_chain_cert(p->ctx, x) != 1)
				X509_free(x);
		}
		if (fp != NULL)
			fclose(fp);
		ERR_clear_error();
	}
	X509 *leaf = SSL_CTX_get0_certificate(p->ctx);
	STACK_OF(X509) *extra = NULL;
	SSL_CTX_get0_chain_certs(p->ctx, &extra);
	char subject[300] = "";
	if (leaf != NULL)
		name_line(X509_get_subject_name(leaf), subject, sizeof subject);
	snprintf(p->presented, sizeof p->presented, "%s (%s) and %d intermediate%s", subject, id->client_cert,
		 extra != NULL ? sk_X509_num(extra) : 0, extra != NULL && sk_X509_num(extra) == 1 ? "" : "s");
	return true;
}

/* Is the host an address rather than a name (no SNI then)? */
static bool host_is_address(const char *h)
{
	return strspn(h, "0123456789.") == strlen(h) || strchr(h, ':') != NULL;
}

/* STARTTLS done: the handshake and what it showed. */
static bool start_tls(struct probe *p, const struct conf *conf)
{
	if (!make_ctx(p, conf) || (p->ssl = SSL_new(p->ctx)) == NULL) {
		add_step(p, "tls", "cannot set up TLS (out of memory)", 33, false);
		return false;
	}
	SSL_set_fd(p->ssl, p->fd);
	if (!host_is_address(p->host))
		SSL_set_tlsext_host_name(p->ssl, p->host);
	if (p->rlen > 0) {
		add_step(p, "tls", "the server sent data after its STARTTLS answer (refusing to go on)", 67, false);
		return false;
	}
	if (SSL_connect(p->ssl) != 1) {
		char msg[400], e[256];
		ERR_error_string_n(ERR_get_error(), e, sizeof e);
		snprintf(msg, sizeof msg, "TLS handshake failed: %s", e);
		add_step(p, "tls", msg, strlen(msg), false);
		SSL_free(p->ssl);
		p->ssl = NULL;
		return false;
	}
	p->tls = true;
	snprintf(p->tls_version, sizeof p->tls_version, "%s", SSL_get_version(p->ssl));
	snprintf(p->cipher, sizeof p->cipher, "%s", SSL_get_cipher_name(p->ssl));
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(p->ssl);
	size_t o = 0;
	for (int i = 0; chain != NULL && i < sk_X509_num(chain) && o < sizeof p->chain - 1; i++) {
		char s[300], is[300];
		X509 *x = sk_X509_value(chain, i);
		name_line(X509_get_subject_name(x), s, sizeof s);
		name_line(X509_get_issuer_name(x), is, sizeof is);
		int w = snprintf(p->chain + o, sizeof p->chain - o, "%s%d: %s (issuer %s)", i ? "; " : "", i, s, is);
		if (w < 0)
			break;
		o += (size_t)w;
	}
	long vr = SSL_get_verify_result(p->ssl);
	X509 *peer = SSL_get1_peer_certificate(p->ssl);
	bool name_ok = peer != NULL && !host_is_address(p->host) && X509_check_host(peer, p->host, 0, 0, NULL) == 1;
	snprintf(p->verify, sizeof p->verify, "%s; %s", vr == X509_V_OK ? "the chain verifies" : X509_verify_cert_error_string(vr),
		 host_is_address(p->host) ? "connected by address, name not checked"
		 : name_ok ? "its names cover the host name" : "its names do not cover the host name");
	X509_free(peer);
	return true;
}

/* The test message (after DATA's 354); true when sent. */
static bool send_message(struct probe *p, const struct probe_opts *o, const char *helo)
{
	char date[64], body[2048];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(body, sizeof body,
		 "From: <%s>\r\nTo: <%s>\r\nSubject: eopguard probe: test message, please ignore\r\nDate: %s\r\n"
		 "Message-ID: <eopguard-probe.%ld.%ld@%s>\r\nAuto-Submitted: auto-generated\r\nX-EOPGuard-Probe: yes\r\n"
		 "\r\nThis test message was sent by \"eopguardctl probe\" on %s to check that Exchange\r\n"
		 "Online accepts mail from this relay through the tenant's inbound connector.\r\n"
		 "It can be deleted.\r\n.",
		 o->from, o->to, date, (long)now, (long)getpid(), helo, helo);
	return command(p, "end-of-data", body) != 0;
}

/* The NDR table's word on the last refusal, into out. */
static void explain_last(const struct probe *p, char *out, size_t len)
{
	struct ndr_query q;
	const struct ndr_record *recs[4];
	ndr_parse_input(p->refusal, strlen(p->refusal), &q);
	size_t n = ndr_lookup(&q, recs, 4);
	if (n == 0)
		snprintf(out, len, "not in eopguard's NDR table; run eopguardctl explain with the reply");
	else
		snprintf(out, len, "%s Who acts: %s. Fix: %s", recs[0]->meaning, recs[0]->owner, recs[0]->fix);
}

/* The conversation. */
static void run_probe(struct probe *p, const struct probe_opts *o, const struct conf *conf)
{
	if (!probe_connect(p))
		return;
	int code = read_reply(p);
	add_step(p, "banner", code ? p->last : "no banner", code ? strlen(p->last) : 9, code == 220);
	if (code != 220) {
		p->refused = true;
		return;
	}
	char line[600];
	const char *helo = conf->authserv_id;
	snprintf(line, sizeof line, "EHLO %s", helo);
	p->ehlo_ok = command(p, "ehlo", line) == 250;
	if (!p->ehlo_ok) {
		p->refused = true;
		return;
	}
	p->starttls = offers_starttls(p->last);
	if (!p->starttls) {
		add_step(p, "starttls", "not offered: the relay cannot present its certificate, and EOP always offers it "
			 "(is this the tenant's MX endpoint?)", 106, false);
		p->refused = true;
		return;
	}
	if (command(p, "starttls", "STARTTLS") != 220 || !start_tls(p, conf)) {
		p->refused = true;
		return;
	}
	if (command(p, "ehlo-tls", line) != 250) {
		p->refused = true;
		return;
	}
	if (o->from == NULL)
		return;
	snprintf(line, sizeof line, "MAIL FROM:<%s>", o->from);
	if (command(p, "mail", line) != 250) {
		p->refused = true;
		return;
	}
	snprintf(line, sizeof line, "RCPT TO:<%s>", o->to);
	code = command(p, "rcpt", line);
	if (code != 250 && code != 251) {
		p->refused = true;
		return;
	}
	if (command(p, "data", "DATA") != 354) {
		p->refused = true;
		return;
	}
	p->sent = send_message(p, o, helo);
	p->accepted = p->sent && p->code == 250;
	p->refused = !p->accepted;
	command(p, "quit", "QUIT");
}

static int exit_status(const struct probe *p)
{
	if (!p->connected)
		return 2;
	return p->refused ? 1 : 0;
}

static void print_text(const struct probe *p, const struct probe_opts *o)
{
	printf("probe: %s port %s%s%s%s\n", p->host, p->port, p->address[0] ? " (" : "", p->address,
	       p->address[0] ? ")" : "");
	for (size_t i = 0; i < p->n_steps; i++)
		printf("%-12s %s %s\n", p->steps[i].name, p->steps[i].ok ? "ok  " : "FAIL", p->steps[i].text);
	if (p->tls) {
		printf("tls          %s, %s\n", p->tls_version, p->cipher);
		printf("presented    %s\n", p->presented);
		printf("server chain %s\n", p->chain);
		printf("server cert  %s\n", p->verify);
	}
	if (p->refused && p->refusal[0] != '\0') {
		char why[2048];
		explain_last(p, why, sizeof why);
		printf("explain      %s\n", why);
	}
	if (!p->connected)
		printf("result: could not connect\n");
	else if (p->refused)
		printf("result: refused\n");
	else if (p->accepted)
		printf("result: accepted (the test message to %s was taken at the end of DATA)\n", o->to);
	else
		printf("result: nothing refused so far; EOP decides attribution only at the end of DATA: run again with "
		       "--from ADDR --to ADDR (an external recipient) for the verdict\n");
}

static void print_json(const struct probe *p)
{
	struct strbuf out;
	strbuf_init(&out, 1 << 20);
	strbuf_printf(&out, "{\"host\":\"%s\",\"port\":%s,\"address\":\"%s\",\"steps\":[", p->host, p->port, p->address);
	for (size_t i = 0; i < p->n_steps; i++) {
		strbuf_printf(&out, "%s{\"step\":\"%s\",\"ok\":%s,\"reply\":\"", i ? "," : "", p->steps[i].name,
			      p->steps[i].ok ? "true" : "false");
		strbuf_puts_json(&out, p->steps[i].text);
		strbuf_puts(&out, "\"}");
	}
	strbuf_printf(&out, "],\"starttls\":%s,\"tls\":", p->starttls ? "true" : "false");
	if (p->tls) {
		strbuf_printf(&out, "{\"version\":\"%s\",\"cipher\":\"%s\",\"presented\":\"", p->tls_version, p->cipher);
		strbuf_puts_json(&out, p->presented);
		strbuf_puts(&out, "\",\"server_chain\":\"");
		strbuf_puts_json(&out, p->chain);
		strbuf_puts(&out, "\",\"server_verify\":\"");
		strbuf_puts_json(&out, p->verify);
		strbuf_puts(&out, "\"}");
	} else {
		strbuf_puts(&out, "null");
	}
	const char *result = !p->connected ? "no-connection" : p->refused ? "refused" : p->accepted ? "accepted" : "no-test-message";
	strbuf_printf(&out, ",\"test_message\":%s,\"result\":\"%s\"", p->sent ? "true" : "false", result);
	if (p->refused && p->refusal[0] != '\0') {
		char why[2048];
		explain_last(p, why, sizeof why);
		strbuf_puts(&out, ",\"explain\":\"");
		strbuf_puts_json(&out, why);
		strbuf_putc(&out, '"');
	}
	strbuf_puts(&out, "}\n");
	fputs(out.data, stdout);
	strbuf_free(&out);
}

int cmd_probe(int argc, char **argv)
{
	struct probe_opts o = { 0 };
	int rc = parse_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	char err[CONF_ERR_MAX];
	struct conf *conf = NULL;
	if (!conf_load(o.path, &conf, err, sizeof err)) {
		fprintf(stderr, "eopguardctl probe: %s\n", err);
		return EX_CONFIG;
	}
	/* the conversation's state (its reply buffers make it large): on the heap, not in static storage */
	struct probe *p = calloc(1, sizeof *p);
	if (p == NULL) {
		fprintf(stderr, "eopguardctl probe: out of memory\n");
		conf_free(conf);
		return EX_OSERR;
	}
	p->fd = -1;
	/* several tenants: probe as the --from domain's tenant (its smart host and certificate), else the first */
	const struct conf *tc = conf;
	if (conf->n_tenants > 1) {
		const char *at = o.from != NULL ? strrchr(o.from, '@') : NULL;
		char domain[DOMAIN_MAX + 1] = "";
		if (at != NULL)
			snprintf(domain, sizeof domain, "%.*s", (int)strcspn(at + 1, ">"), at + 1);
		int t = at != NULL ? conf_tenant_of_domain(conf, domain) : 0;
		if (t < 0) {
			fprintf(stderr, "eopguardctl probe: --from %s: its domain is an accepted domain of no tenant in %s\n",
				o.from, o.path);
			free(p);
			conf_free(conf);
			return EX_USAGE;
		}
		tc = conf_tenant_view(conf, (size_t)t);
		const char *name = conf_tenant_name(conf, (size_t)t);
		fprintf(stderr, "eopguardctl probe: as tenant %s (%s)\n", name[0] ? name : "(unnamed)",
			at != NULL ? "the --from domain's" : "the first section; --from picks another");
	}
	const char *spec = o.host != NULL ? o.host : tc->tenant.smarthost;
	if (spec[0] == '\0' || !split_host(spec, p)) {
		if (spec[0] == '\0')
			fprintf(stderr, "eopguardctl probe: no smart host: set tenant.smarthost in %s or give --host\n", o.path);
		else
			fprintf(stderr, "eopguardctl probe: '%s' is not HOST, HOST:PORT or [HOST]:PORT\n", spec);
		rc = spec[0] == '\0' || o.host != NULL ? EX_USAGE : EX_CONFIG;
		free(p);
		conf_free(conf);
		return rc;
	}
	run_probe(p, &o, tc);
	if (o.json)
		print_json(p);
	else
		print_text(p, &o);
	rc = exit_status(p);
	if (p->ssl != NULL) {
		SSL_shutdown(p->ssl);
		SSL_free(p->ssl);
	}
	SSL_CTX_free(p->ctx);
	if (p->fd >= 0)
		close(p->fd);
	free(p);
	conf_free(conf);
	return rc;
}
