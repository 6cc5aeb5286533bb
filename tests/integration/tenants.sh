#!/bin/sh
# Several tenants on one relay, with real Postfix: the relay picks each
# tenant's certificate by sender domain (sender_dependent_default_transport_maps,
# one smtp transport per tenant) and hands mail over STARTTLS to a second
# private Postfix standing in for EOP, which refuses an unverified client
# certificate (the IP-attributed tenant's senders excepted) and stamps the
# one it verified on the message.
#
#  - contoso's identity is healthy, fabrikam's certificate file lacks its
#    intermediate: contoso's mail passes (its certificate reaches the stand-in),
#    fabrikam's is deferred by eopguard with chain-incomplete, both named in
#    the headers and log lines; after fabrikam's file is fixed its mail passes
#    with fabrikam's certificate.
#  - a sender domain no tenant accepts: tenant-unknown, deferred.
#  - recipients of two tenants in one message: recipients-multi-tenant,
#    predicted 451 4.4.5 ... ATTR46, accepted (EOP defers only some recipients).
#  - eopguardctl check reports per tenant; a reload that adds a third tenant
#    is picked up.
#  - feedback: the stand-in refuses fabrikam's mail with a relay-wide cause;
#    the breaker opens for tenant fabrikam only (its next message is deferred
#    with observed-refusal, contoso's still goes), the refused message waits
#    (status filter) and is delivered once the stand-in is fixed.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/postfix.sh"
t_setup
C="$T_DIR/certs"
sh "$top_srcdir/tests/certs/mkcerts.sh" "$C" >/dev/null || die "mkcerts.sh failed"
chmod 755 "$C"
cp "$C/fabrikam-noint.pem" "$T_DIR/fabrikam-cert.pem"   # the file fabrikam's transport sends
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256 | sed 's/.*=//'; }

# --- the stand-in for EOP: verified client certificates only, and which one it was ---
sink_start sink
mkdir -p "$T_DIR/eop"
{
	echo "$(fp "$C/good.pem") PREPEND X-Stand-In-Certificate: mail.contoso.test"
	echo "$(fp "$C/fabrikam.pem") PREPEND X-Stand-In-Certificate: mail.fabrikam.test"
} > "$T_DIR/eop/ccerts"
printf '0.0.0.0/0 550 5.7.64 TenantAttribution; Relay Access Denied [stand-in]\n' > "$T_DIR/eop/refuse.cidr"
: > "$T_DIR/eop/senders"
EOP_PORT=
postfix_start eop EOP_PORT "$SINK_PORT" <<EOT
smtpd_milters =
smtpd_tls_security_level = may
smtpd_tls_cert_file = $C/good.pem
smtpd_tls_key_file = $C/good.key
smtpd_tls_ask_ccert = yes
smtpd_tls_CAfile = $C/root.pem
smtpd_tls_fingerprint_digest = sha256
smtpd_tls_session_cache_timeout = 0
tls_session_ticket_cipher =
smtpd_data_restrictions = check_ccert_access texthash:$T_DIR/eop/ccerts
smtpd_end_of_data_restrictions = check_sender_access texthash:$T_DIR/eop/senders, permit_tls_all_clientcerts, check_sender_access inline:{northwind.test=OK}, check_client_access cidr:$T_DIR/eop/refuse.cidr
EOT

# --- eopguard with two tenants, and the relay ---
write_conf() {   # EXTRA-TENANT-TEXT
	eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant contoso {
  accepted_domains = {"contoso.test"}
  certificate_domain = "mail.contoso.test"
  smarthost = "[contoso-test.mail.protection.outlook.com]:25"
  identity {
    client_cert = "$C/good.pem"
    client_key = "$C/good.key"
  }
}
tenant fabrikam {
  accepted_domains = {"fabrikam.test", "*.fabrikam.test"}
  certificate_domain = "mail.fabrikam.test"
  smarthost = "[fabrikam-test.mail.protection.outlook.com]:25"
  identity {
    client_cert = "$T_DIR/fabrikam-cert.pem"
    client_key = "$C/fabrikam.key"
  }
}
$1
identity {
  ca_file = "$C/root.pem"
}
policy { sender_not_accepted = "defer" }
EOT
}
write_conf ""
reloaded() { [ "$(grep -c 'configuration reloaded' "$T_DIR/eopguard.log")" -ge "$1" ]; }
eopguard_start "$T_DIR/eopguard.conf"
t_check "start: fabrikam's identity fails on its own" wait_for 5 grep -q 'identity: tenant=fabrikam state=fail findings=chain-incomplete' "$T_DIR/eopguard.log"
t_check "start: contoso's identity passes" wait_for 5 grep -q 'identity: tenant=contoso state=pass' "$T_DIR/eopguard.log"
RELAY_PORT=
mkdir -p "$T_DIR/relay"
touch "$T_DIR/relay/maillog"
chmod 644 "$T_DIR/relay/maillog"   # eopguard (as nobody) follows it for feedback
postfix_start relay RELAY_PORT "$EOP_PORT" <<EOT
smtp_delivery_status_filter = pcre:$top_srcdir/contrib/postfix/eop-status-filter.pcre
sender_dependent_default_transport_maps = inline:{{@contoso.test = contoso:}, {@mailer.example = contoso:}, {@fabrikam.test = fabrikam:}, {@eu.fabrikam.test = fabrikam:}}
smtp_tls_security_level = encrypt
EOT
cat >> "$T_DIR/relay/etc/master.cf" <<EOT
contoso   unix  -       -       n       -       -       smtp -o smtp_tls_cert_file=$C/good.pem -o smtp_tls_key_file=$C/good.key
fabrikam  unix  -       -       n       -       -       smtp -o smtp_tls_cert_file=$T_DIR/fabrikam-cert.pem -o smtp_tls_key_file=$C/fabrikam.key
EOT
postfix -c "$T_DIR/relay/etc" reload >/dev/null 2>&1 || die "relay reload"

send_mail "$RELAY_PORT" "$T_DIR/c1" --from app@contoso.test --to u@example.net --header "From: app@contoso.test" --header "Subject: c1"
t_grep "contoso: accepted by the relay" "<-  250 2.0.0 Ok: queued" "$T_DIR/c1"
wait_for 20 sink_has sink 1 || t_fail "contoso's message did not reach the final hop"
m=$(sink_message sink c1)
t_grep "contoso: the stand-in verified contoso's certificate" "X-Stand-In-Certificate: mail.contoso.test" "$m"
t_grep "contoso: the header names the tenant" "tenant=contoso" "$m"
t_grep "contoso: identity pass in the header" "identity=pass" "$m"
t_check "contoso: the log line names the tenant" grep -q 'verdict=pass action=accept findings=- sender=<app@contoso.test> from=contoso.test predicted=- tenant=contoso' "$T_DIR/eopguard.log"

send_mail "$RELAY_PORT" "$T_DIR/f1" --from app@eu.fabrikam.test --to u@example.net --header "From: app@fabrikam.test" --header "Subject: f1"
t_grep "fabrikam: deferred by eopguard for its own certificate" '<** 451 4.7.64 eopguard: chain-incomplete: EOP would answer "550 5.7.64 TenantAttribution; Relay Access Denied"' "$T_DIR/f1"
t_check "fabrikam: the log line names the tenant" grep -q 'action=defer findings=chain-incomplete sender=<app@eu.fabrikam.test> from=fabrikam.test .* tenant=fabrikam' "$T_DIR/eopguard.log"

# fabrikam's certificate file gets its intermediate: its mail passes with its own certificate
cp "$C/fabrikam.pem" "$T_DIR/fabrikam-cert.pem.new" && mv "$T_DIR/fabrikam-cert.pem.new" "$T_DIR/fabrikam-cert.pem"
wait_for 15 grep -q 'identity: tenant=fabrikam state=pass' "$T_DIR/eopguard.log" || t_fail "fabrikam's fixed file was not noticed"
postfix -c "$T_DIR/relay/etc" reload >/dev/null 2>&1   # the smtp processes read the file at start
send_mail "$RELAY_PORT" "$T_DIR/f2" --from app@fabrikam.test --to u@example.net --header "From: app@fabrikam.test" --header "Subject: f2"
t_grep "fabrikam fixed: accepted by the relay" "<-  250 2.0.0 Ok: queued" "$T_DIR/f2"
wait_for 20 sink_has sink 2 || t_fail "fabrikam's message did not reach the final hop"
m=$(sink_message sink f2)
t_grep "fabrikam fixed: the stand-in verified fabrikam's certificate" "X-Stand-In-Certificate: mail.fabrikam.test" "$m"
t_grep "fabrikam fixed: the header names the tenant" "tenant=fabrikam" "$m"
t_check "contoso's judgement did not move meanwhile" test "$(grep -c 'identity: tenant=contoso' "$T_DIR/eopguard.log")" -eq 1

# a sender domain of no tenant
send_mail "$RELAY_PORT" "$T_DIR/u1" --from app@other.example --to u@example.net --header "From: app@other.example" --header "Subject: u1"
t_grep "no tenant: deferred with tenant-unknown" "<** 451 4.7.64 eopguard: tenant-unknown: EOP would answer \"550 5.7.64 Relay Access Denied ATTR36\"; envelope sender domain other.example and From domain other.example are accepted domains of no tenant section" "$T_DIR/u1"
t_check "no tenant: the log line says tenant=-" grep -q 'findings=tenant-unknown sender=<app@other.example> from=other.example .* tenant=-' "$T_DIR/eopguard.log"
# ... but a From of a tenant decides when the envelope sender's domain is none of theirs
send_mail "$RELAY_PORT" "$T_DIR/u2" --from bounce@mailer.example --to u@example.net --header "From: news@contoso.test" --header "Subject: u2"
t_check "the From domain picks the tenant when the sender's domain does not" grep -q 'sender=<bounce@mailer.example> from=contoso.test predicted=- tenant=contoso' "$T_DIR/eopguard.log"

# recipients of two tenants in one message: EOP would defer one tenant's (ATTR46)
send_mail "$RELAY_PORT" "$T_DIR/r1" --from app@contoso.test --to a@contoso.test,b@fabrikam.test --header "From: app@contoso.test" --header "Subject: r1"
t_grep "two tenants' recipients: accepted" "<-  250 2.0.0 Ok: queued" "$T_DIR/r1"
wait_for 20 sink_has sink 4 || t_fail "the two-tenant message did not reach the final hop"
m=$(sink_message sink r1)
t_grep "two tenants' recipients: ATTR46 predicted in the header" 'predicted="451 4.4.5 Address domain different from previous accepted address. All recipients must be on the same domain ATTR46"' "$m"
t_grep "two tenants' recipients: the hint names both tenants" "X-EOPGuard-Hint: recipients-multi-tenant: recipients in tenant contoso (contoso.test) and tenant fabrikam (fabrikam.test)" "$m"
t_check "two tenants' recipients: the message is accepted, not refused" grep -q 'verdict=fail action=accept findings=recipients-multi-tenant sender=<app@contoso.test>' "$T_DIR/eopguard.log"

# check, per tenant
"$top_builddir/eopguardctl" check -c "$T_DIR/eopguard.conf" --postfix-config "$T_DIR/relay/etc" > "$T_DIR/check1" 2>&1
t_grep "check: the tenants are listed" "PASS tenants 2 tenants, each checked on its own below: contoso, fabrikam" "$T_DIR/check1"
t_grep "check: contoso's certificate checked as contoso's" "PASS certificate-domain tenant contoso: mail.contoso.test" "$T_DIR/check1"
t_grep "check: fabrikam's smart host checked as fabrikam's" "PASS smarthost tenant fabrikam: fabrikam-test.mail.protection.outlook.com" "$T_DIR/check1"
t_grep "check --postfix: routing by sender seen" "PASS postfix-tenants 2 tenants routed by sender (sender_dependent_default_transport_maps)" "$T_DIR/check1"

# probe as a tenant: the --from domain's certificate is presented
"$top_builddir/eopguardctl" probe -c "$T_DIR/eopguard.conf" --host "127.0.0.1:$EOP_PORT" --from app@fabrikam.test \
	--to u@example.net > "$T_DIR/probe1" 2>&1
t_grep "probe: as fabrikam, the --from domain's tenant" "eopguardctl probe: as tenant fabrikam (the --from domain's)" "$T_DIR/probe1"
t_grep "probe: fabrikam's certificate presented" "presented    CN = mail.fabrikam.test ($T_DIR/fabrikam-cert.pem)" "$T_DIR/probe1"
probe_rc=0
"$top_builddir/eopguardctl" probe -c "$T_DIR/eopguard.conf" --host "127.0.0.1:$EOP_PORT" --from app@nowhere.example \
	--to u@example.net > "$T_DIR/probe2" 2>&1 || probe_rc=$?
t_check "probe: a --from domain of no tenant is a usage error (64)" test "$probe_rc" -eq 64
t_grep "probe: ... saying so" "--from app@nowhere.example: its domain is an accepted domain of no tenant" "$T_DIR/probe2"

# a reload adds a third tenant; its domain is accepted from then on
write_conf 'tenant northwind { accepted_domains = {"northwind.test"} attribution = "ip" }'
kill -USR1 "$EG_PID"
wait_for 10 reloaded 1 || t_fail "reload not logged"
wait_for 10 grep -q 'identity: tenant=northwind state=' "$T_DIR/eopguard.log" || t_fail "no judgement for the new tenant"
send_mail "$RELAY_PORT" "$T_DIR/n1" --from app@northwind.test --to u@example.net --header "From: app@northwind.test" --header "Subject: n1"
t_grep "reload: the new tenant's sender is accepted" "<-  250 2.0.0 Ok: queued" "$T_DIR/n1"
t_check "reload: judged as northwind" grep -q 'sender=<app@northwind.test> from=northwind.test predicted=- tenant=northwind' "$T_DIR/eopguard.log"

# feedback: EOP refuses fabrikam's mail relay-wide; only fabrikam's breaker opens
write_conf "tenant northwind { accepted_domains = {\"northwind.test\"} attribution = \"ip\" }
feedback { log = \"$T_DIR/relay/maillog\" smarthost_match = {\"127.0.0.1\"} open_for = 600 }"
kill -USR1 "$EG_PID"
wait_for 10 reloaded 2 || t_fail "second reload not logged"
wait_for 10 grep -q "feedback: following $T_DIR/relay/maillog" "$T_DIR/eopguard.log" || t_fail "the follower did not start"
printf 'fabrikam.test 550 5.7.64 TenantAttribution; Relay Access Denied [stand-in]\n' > "$T_DIR/eop/senders"
postfix -c "$T_DIR/eop/etc" reload >/dev/null 2>&1
sleep 1
send_mail "$RELAY_PORT" "$T_DIR/f3" --from app@fabrikam.test --to u@example.net --header "From: app@fabrikam.test" --header "Subject: f3"
t_grep "feedback: fabrikam's message accepted by the relay" "<-  250 2.0.0 Ok: queued" "$T_DIR/f3"
wait_for 20 grep -q 'breaker: state=open scope=relay cause=5.7.64 tenant=fabrikam' "$T_DIR/eopguard.log" ||
	t_fail "no 'breaker: state=open scope=relay cause=5.7.64 tenant=fabrikam' line"
t_check "feedback: the refusal was a prediction miss" grep -q 'feedback: queue_id=.* observed="550 5.7.64 .*TenantAttribution; Relay Access Denied \[stand-in\]" predicted="pass" prediction-miss' "$T_DIR/eopguard.log"
t_check "feedback: the refused message waits (status filter), not bounced" grep -q 'dsn=4.7.64, status=deferred' "$T_DIR/relay/maillog"
send_mail "$RELAY_PORT" "$T_DIR/f4" --from app@fabrikam.test --to u@example.net --header "From: app@fabrikam.test" --header "Subject: f4"
t_grep "feedback: fabrikam's next message deferred with EOP's words" '<** 451 4.7.64 eopguard: observed-refusal: EOP answered "550 5.7.64' "$T_DIR/f4"
send_mail "$RELAY_PORT" "$T_DIR/c2" --from app@contoso.test --to u@example.net --header "From: app@contoso.test" --header "Subject: c2"
t_grep "feedback: contoso's mail still goes" "<-  250 2.0.0 Ok: queued" "$T_DIR/c2"
t_check "feedback: contoso's message judged pass" grep -q 'verdict=pass action=accept findings=- sender=<app@contoso.test> .* tenant=contoso' "$T_DIR/eopguard.log"
# the stand-in is fixed; release closes the breaker, the waiting message is delivered
: > "$T_DIR/eop/senders"
postfix -c "$T_DIR/eop/etc" reload >/dev/null 2>&1
kill -USR2 "$EG_PID"
wait_for 10 grep -q 'breaker: state=closed scope=relay cause=5.7.64 tenant=fabrikam' "$T_DIR/eopguard.log" || t_fail "the breaker was not closed"
wait_queue_empty relay 30 || t_fail "the relay's queue did not empty: $(postqueue -c "$T_DIR/relay/etc" -p)"
t_check "the refused message was delivered after the fix" test -n "$(sink_message sink f3 | grep -v /dev/null)"
t_check "nothing bounced" sh -c "! grep -q 'status=bounced' '$T_DIR/relay/maillog'"
t_done
