/*
 * milter: libmilter callbacks for eopguard.
 *
 * Does: collect the envelope sender (and, with several tenants, the
 * recipients' tenants) and the From/Sender/X-EOPGuard* fields, then at end
 * of message ask msgcheck and verdict what to do, and carry it out with
 * smfi_* calls; one log line per message.
 * Does not: decide anything itself, read files, or parse certificates. Every
 * internal error ends in a temporary failure, never in lost mail.
 *
 * libmilter gives callbacks no user pointer except per-connection data, so
 * the daemon state is reached through one pointer set before smfi_main()
 * and never changed afterwards.
 */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <libmilter/mfapi.h>

#include "identity.h"
#include "milter.h"
#include "msgcheck.h"
#include "report.h"
#include "strbuf.h"
#include "verdict.h"

#define FROM_VALUE_MAX 16384   /* longer From fields are reported as invalid */
#define HEADER_MAX 4096

static struct daemon_state *daemon_state;   /* set once in milter_setup */

struct message {
	char *envelope_sender;
	size_t from_count;
	struct strbuf from_value;
	bool has_sender_field;
	int eopguard_fields;     /* X-EOPGuard already present */
	int hint_fields;         /* X-EOPGuard-Hint already present */
	struct rcpt_tenants rcpts;   /* several tenants: whose recipients the message has */
};

struct connection {
	struct snapshot *snap;   /* the configuration this connection started with */
	bool noreply_headers;    /* SMFIP_NR_HDR negotiated */
	bool noreply_mail;       /* SMFIP_NR_MAIL negotiated */
	bool noreply_rcpt;       /* SMFIP_NR_RCPT negotiated (several tenants only) */
	struct message msg;
};

/* Forget everything about the current message. */
static void message_reset(struct message *m)
{
	free(m->envelope_sender);
	m->envelope_sender = NULL;
	m->from_count = 0;
	strbuf_free(&m->from_value);
	strbuf_init(&m->from_value, FROM_VALUE_MAX);
	m->has_sender_field = false;
	m->eopguard_fields = 0;
	m->hint_fields = 0;
	memset(&m->rcpts, 0, sizeof m->rcpts);
}

/* Connection data, or NULL. */
static struct connection *conn_of(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

/* Negotiate: require our actions, switch off the steps we do not use. */
static sfsistat eg_negotiate(SMFICTX *ctx, unsigned long actions, unsigned long steps,
			     unsigned long f2, unsigned long f3, unsigned long *want_actions,
			     unsigned long *want_steps, unsigned long *p2, unsigned long *p3)
{
	(void)f2;   /* libmilter's reserved flag words: unused */
	(void)f3;
	const unsigned long required = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGFROM | SMFIF_QUARANTINE;
	if ((actions & required) != required) {
		log_msg(&daemon_state->log, LOG_ERR,
			"MTA does not offer the milter actions eopguard needs (add/change headers, change "
			"sender, quarantine; offered 0x%lx); use Postfix >= 2.6 or Sendmail >= 8.14", actions);
		return SMFIS_REJECT;
	}
	struct connection *c = calloc(1, sizeof *c);
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	strbuf_init(&c->msg.from_value, FROM_VALUE_MAX);
	c->snap = state_acquire(daemon_state);
	*want_actions = required;
	unsigned long off = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NORCPT | SMFIP_NOBODY | SMFIP_NOEOH |
			    SMFIP_NOUNKNOWN | SMFIP_NODATA;
	/* No reply to MAIL and to each header: fewer round trips per message. */
	unsigned long noreply = SMFIP_NR_HDR | SMFIP_NR_MAIL;
	/* The recipients matter only when several tenants share the relay (ATTR46); one tenant keeps this fast path. */
	if (c->snap->conf->n_tenants > 1) {
		off &= ~(unsigned long)SMFIP_NORCPT;
		noreply |= SMFIP_NR_RCPT;
	}
	/*
	 * Over TCP, a packet the MTA sends without awaiting a reply stays
	 * unacknowledged until our delayed ACK (40 ms on Linux), and the MTA's
	 * next small write waits for that ACK (Nagle). Postfix's smtpd sends the
	 * macros of the skipped steps and then hands the milter connection to
	 * its cleanup server, whose first write (the headers) stalled so in
	 * every message: seen with tcpdump, 40 ms per message (bench/relay.sh).
	 * So over TCP take the DATA step, whose reply acknowledges all that
	 * smtpd sent, and reply to every step, so that an MTA that writes each
	 * packet as it comes (not buffered as Postfix does) cannot stall either.
	 * A unix socket has no Nagle and does without these round trips.
	 */
	if (daemon_state->tcp_socket) {
		off &= ~(unsigned long)SMFIP_NODATA;
		noreply = 0;
	}
	*want_steps = (steps & off) | (steps & noreply);
	/* What we asked for, not what the MTA offered, decides whether we reply. */
	c->noreply_headers = (*want_steps & SMFIP_NR_HDR) != 0;
	c->noreply_mail = (*want_steps & SMFIP_NR_MAIL) != 0;
	c->noreply_rcpt = (*want_steps & SMFIP_NR_RCPT) != 0;
	*p2 = 0;
	*p3 = 0;
	smfi_setpriv(ctx, c);
	return SMFIS_CONTINUE;
}

/* MAIL FROM: a new message starts. */
static sfsistat eg_envfrom(SMFICTX *ctx, char **argv)
{
	struct connection *c = conn_of(ctx);
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	message_reset(&c->msg);
	c->msg.envelope_sender = strdup(argv != NULL && argv[0] != NULL ? argv[0] : "");
	if (c->msg.envelope_sender == NULL)
		return SMFIS_TEMPFAIL;
	return c->noreply_mail ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* RCPT TO (several tenants only): note the recipient's tenant. */
static sfsistat eg_envrcpt(SMFICTX *ctx, char **argv)
{
	struct connection *c = conn_of(ctx);
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	msgcheck_note_recipient(c->snap->conf, argv != NULL ? argv[0] : NULL, &c->msg.rcpts);
	return c->noreply_rcpt ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* DATA: negotiated over TCP only, where its reply keeps the ACKs flowing. */
static sfsistat eg_data(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

/* One header field: keep what the checks need, count forged ones. */
static sfsistat eg_header(SMFICTX *ctx, char *name, char *value)
{
	struct connection *c = conn_of(ctx);
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	struct message *m = &c->msg;
	if (strcasecmp(name, "From") == 0) {
		if (m->from_count++ == 0)
			strbuf_puts(&m->from_value, value);
	} else if (strcasecmp(name, "Sender") == 0) {
		m->has_sender_field = true;
	} else if (strcasecmp(name, "X-EOPGuard") == 0) {
		m->eopguard_fields++;
	} else if (strcasecmp(name, "X-EOPGuard-Hint") == 0) {
		m->hint_fields++;
	}
	return c->noreply_headers ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

/* Remove every X-EOPGuard and X-EOPGuard-Hint field the message came with. */
static bool remove_forged_fields(SMFICTX *ctx, const struct message *m)
{
	for (int i = m->eopguard_fields; i >= 1; i--) {
		if (smfi_chgheader(ctx, "X-EOPGuard", i, NULL) != MI_SUCCESS)
			return false;
	}
	for (int i = m->hint_fields; i >= 1; i--) {
		if (smfi_chgheader(ctx, "X-EOPGuard-Hint", i, NULL) != MI_SUCCESS)
			return false;
	}
	return true;
}

/* Add X-EOPGuard and one X-EOPGuard-Hint per finding. */
static bool add_fields(SMFICTX *ctx, const struct report_input *ri)
{
	struct strbuf sb;
	strbuf_init(&sb, HEADER_MAX);
	report_header(ri, "\n\t", &sb);
	bool ok = strbuf_ok(&sb) && smfi_addheader(ctx, "X-EOPGuard", sb.data) == MI_SUCCESS;
	const struct finding_list *lists[] = { ri->identity, ri->message };
	for (size_t l = 0; ok && l < 2; l++) {
		for (size_t i = 0; ok && lists[l] != NULL && i < lists[l]->count; i++) {
			strbuf_reset(&sb);
			report_hint(&lists[l]->items[i], &sb);
			ok = smfi_addheader(ctx, "X-EOPGuard-Hint", sb.data) == MI_SUCCESS;
		}
	}
	strbuf_free(&sb);
	return ok;
}

/* Refuse the message with the reply the contract describes. */
static sfsistat refuse(SMFICTX *ctx, const struct report_input *ri)
{
	struct report_reply reply;
	struct strbuf text;
	strbuf_init(&text, 900);
	bool specific = report_reply_text(ri, &reply, &text);
	int rc = smfi_setreply(ctx, reply.code, reply.enhanced,
			       specific ? text.data : "eopguard: message refused by policy");
	strbuf_free(&text);
	if (rc != MI_SUCCESS)
		log_msg(&daemon_state->log, LOG_ERR, "smfi_setreply failed; the MTA uses its default reply");
	return ri->verdict->intended == ACTION_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

/* Apply an accepting verdict: fields, rewrite, quarantine. */
static bool deliver(SMFICTX *ctx, const struct conf *conf, const struct report_input *ri)
{
	const struct verdict_result *v = ri->verdict;
	if (!remove_forged_fields(ctx, &conn_of(ctx)->msg) || !add_fields(ctx, ri))
		return false;
	if (v->rewrite_sender) {
		char path[ADDR_PATH_MAX + 3];
		snprintf(path, sizeof path, "<%s>", conf->rewrite_sender);
		if (smfi_chgfrom(ctx, path, NULL) != MI_SUCCESS)
			return false;
	}
	if (v->action == ACTION_QUARANTINE) {
		char reason[128];
		snprintf(reason, sizeof reason, "eopguard: %s",
			 v->decisive != NULL ? finding_info(v->decisive->id)->name : "policy");
		if (smfi_quarantine(ctx, reason) != MI_SUCCESS)
			return false;
	}
	return true;
}

/* Count a judged message for metrics_file: its verdict and action, and each finding. */
static void count_message(const struct verdict_result *v, const struct finding_list *identity,
			  const struct finding_list *message)
{
	atomic_fetch_add(&daemon_state->messages[v->verdict][v->action], 1);
	const struct finding_list *lists[] = { identity, message };
	for (size_t l = 0; l < 2; l++) {
		for (size_t i = 0; lists[l] != NULL && i < lists[l]->count; i++)
			atomic_fetch_add(&daemon_state->findings[lists[l]->items[i].id], 1);
	}
}

/* End of message: decide and act. */
static sfsistat eg_eom(SMFICTX *ctx)
{
	struct connection *c = conn_of(ctx);
	if (c == NULL)
		return SMFIS_TEMPFAIL;
	const struct conf *conf = c->snap->conf;
	struct message *m = &c->msg;
	struct msg_input in = {
		.envelope_sender = m->envelope_sender,
		.from_count = m->from_count,
		.from_value = m->from_count > 0 ? m->from_value.data : NULL,
		.from_len = m->from_value.len,
		.from_truncated = !strbuf_ok(&m->from_value),
		.has_sender_field = m->has_sender_field,
	};
	struct finding_list findings;
	struct msg_result res;
	struct verdict_policy policy;
	struct verdict_result verdict;
	finding_list_clear(&findings);
	/* several tenants: judged against the sender's tenant, as if it were alone */
	bool several = conf->n_tenants > 1;
	int tenant = msgcheck_tenant(conf, &in);
	const struct conf *view = conf_tenant_view(conf, tenant >= 0 ? (size_t)tenant : 0);
	if (tenant >= 0)
		msgcheck_run(view, &in, &findings, &res);
	else
		msgcheck_run_no_tenant(conf, &in, &findings, &res);
	if (several)
		msgcheck_recipients(conf, &m->rcpts, &findings);
	/* what EOP really answered recently, for this relay or this sender's domain
	 * (with feedback.log off no breaker can open: a reload that turns it off closes them) */
	bool feedback_on = conf->feedback.log[0] != '\0';
	struct breaker_verdict observed = { .refuse = false };
	if (feedback_on)
		feedbackd_admit(daemon_state, conf, tenant, res.sender_domain, &observed);
	if (observed.refuse) {
		char hint[FINDING_HINT_MAX + 1];
		snprintf(hint, sizeof hint, "EOP refused recent mail %s%s with this; fix the cause (eopguardctl explain %s), "
			 "then run eopguardctl release", observed.scope == BREAKER_SCOPE_RELAY ? "of this relay" : "from ",
			 observed.scope == BREAKER_SCOPE_RELAY ? "" : res.sender_domain, observed.cause);
		finding_list_add(&findings, FINDING_OBSERVED_REFUSAL, view->tenant.attribution, hint);
	}
	verdict_policy_from_conf(conf, &policy);
	struct identity_snap *id = identity_acquire(daemon_state);
	/*
	 * Severities under this connection's configuration: the snapshot's as
	 * they are when it was judged under the same attribution (the usual
	 * case), judged again into a copy only right after a reload changed it.
	 */
	struct finding_list identity_findings;
	const struct identity_judgement *judged = tenant >= 0 ? identity_of(id, conf, (size_t)tenant) : NULL;
	const struct finding_list *idf = judged != NULL ? &judged->findings : NULL;
	if (judged != NULL && judged->mode != view->tenant.attribution) {
		finding_list_rejudge(&judged->findings, view->tenant.attribution, &identity_findings);
		idf = &identity_findings;
	}
	verdict_decide(idf, &findings, &policy, &verdict);
	count_message(&verdict, idf, &findings);
	struct report_input ri = {
		.authserv_id = conf->authserv_id, .identity = idf,
		.identity_unverified = judged != NULL && judged->unverified, .message = &findings, .msg = &res,
		.verdict = &verdict, .envelope_sender = m->envelope_sender,
		.rewrite_domain = conf->rewrite_domain, .queue_id = smfi_getsymval(ctx, "i"),
		.observed = observed.refuse ? observed.reply : NULL,
		.tenant = !several ? NULL : tenant >= 0 ? conf_tenant_name(conf, (size_t)tenant) : "-",
	};
	/* Mail that goes on to EOP (dry-run included): remember what was predicted, for the feedback line about it. */
	if (feedback_on && verdict.action != ACTION_DEFER && verdict.action != ACTION_REJECT)
		feedbackd_note(daemon_state, ri.queue_id, res.sender_domain,
			       verdict.verdict == VERDICT_FAIL && verdict.predicted_ndr != NULL ? verdict.predicted_ndr->reply
											      : NULL);
	sfsistat rc = SMFIS_CONTINUE;
	if (verdict.action == ACTION_DEFER || verdict.action == ACTION_REJECT) {
		rc = refuse(ctx, &ri);
	} else if (!deliver(ctx, conf, &ri)) {
		log_msg(&daemon_state->log, LOG_ERR, "%s: the MTA refused a milter change; deferring the message",
			ri.queue_id != NULL ? ri.queue_id : "NOQUEUE");
		rc = SMFIS_TEMPFAIL;
	}
	struct strbuf line;
	strbuf_init(&line, 2048);
	if (conf->log_json)
		report_log_json(&ri, &line);
	else
		report_log_line(&ri, &line);
	log_msg(&daemon_state->log, LOG_INFO, "%s", line.data);
	strbuf_free(&line);
	identity_release(id);
	message_reset(m);
	return rc;
}

/* The MTA abandoned the message. */
static sfsistat eg_abort(SMFICTX *ctx)
{
	struct connection *c = conn_of(ctx);
	if (c != NULL)
		message_reset(&c->msg);
	return SMFIS_CONTINUE;
}

/* The connection ends: unpin the configuration. */
static sfsistat eg_close(SMFICTX *ctx)
{
	struct connection *c = conn_of(ctx);
	if (c == NULL)
		return SMFIS_CONTINUE;
	message_reset(&c->msg);
	strbuf_free(&c->msg.from_value);
	state_release(c->snap);
	free(c);
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static struct smfiDesc filter = {
	.xxfi_name = "eopguard",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_CHGFROM | SMFIF_QUARANTINE,
	.xxfi_envfrom = eg_envfrom,
	.xxfi_envrcpt = eg_envrcpt,
	.xxfi_data = eg_data,
	.xxfi_header = eg_header,
	.xxfi_eom = eg_eom,
	.xxfi_abort = eg_abort,
	.xxfi_close = eg_close,
	.xxfi_negotiate = eg_negotiate,
};

/*
 * Disable Nagle's algorithm on libmilter's TCP listening socket (accepted
 * connections inherit it on Linux). At end of message eopguard sends several
 * small packets (header changes, then the reply) that the MTA does not
 * answer; with Nagle each one after the first waited for the MTA's delayed
 * ACK, 40 ms a message. libmilter does not expose its socket, so it is found
 * as the only listening socket of the process at this point.
 */
static void listener_nodelay(void)
{
	for (int fd = 0; fd < 1024; fd++) {
		int acc = 0, dom = 0, one = 1;
		socklen_t l1 = sizeof acc, l2 = sizeof dom;
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &l1) == 0 && acc &&
		    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &l2) == 0 && (dom == AF_INET || dom == AF_INET6))
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
}

/* Register and open the socket. */
bool milter_setup(struct daemon_state *st, const char *socket, long timeout, char *err, size_t errlen)
{
	daemon_state = st;
	if (smfi_register(filter) != MI_SUCCESS) {
		snprintf(err, errlen, "smfi_register failed");
		return false;
	}
	if (smfi_setconn((char *)socket) != MI_SUCCESS) {
		snprintf(err, errlen, "socket %s: not a valid milter socket specification", socket);
		return false;
	}
	smfi_setbacklog(128);
	smfi_settimeout((int)timeout);
	if (smfi_opensocket(true) != MI_SUCCESS) {
		snprintf(err, errlen, "socket %s: cannot listen (in use, directory missing or no permission); "
			 "check that no other eopguard runs and that the directory exists", socket);
		return false;
	}
	listener_nodelay();
	return true;
}

/* Hand control to libmilter. */
int milter_run(void)
{
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
