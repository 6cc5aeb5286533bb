#!/bin/sh
# The closed loop with real Postfix: a relay with eopguard as its milter and
# the shipped eop-status-filter.pcre, handing mail over STARTTLS with a client
# certificate to a second private Postfix that stands in for EOP: it asks for
# the client certificate, and at the end of DATA refuses an unverified one
# or a sender domain it does not accept, with EOP's texts.
#
#  A. The stand-in stops accepting apps.contoso.test (the tenant's accepted
#     list changed); eopguard still judges it healthy. The first message is
#     accepted, EOP refuses it, "prediction-miss" is logged, the message stays
#     deferred (status filter), not bounced; the next one from that domain is
#     deferred by eopguard with EOP's own words; other domains still pass.
#     After the stand-in is fixed, eopguardctl release delivers what waits.
#  B. The stand-in stops trusting the relay's certificate (the connector
#     changed): the relay-wide breaker opens, half-opens after open_for, is
#     opened again by a refused trial, and closed by an accepted one.
#  C. probe against the stand-in: healthy, missing intermediate, untrusted
#     certificate, no STARTTLS, connection refused, refused at end of DATA.
# Counted from the logs at the end: 0 bounced, 0 lost.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/postfix.sh"
t_setup
C="$T_DIR/certs"
sh "$top_srcdir/tests/certs/mkcerts.sh" "$C" >/dev/null || die "mkcerts.sh failed"
chmod 755 "$C"
CTL="$top_builddir/eopguardctl"
FILTER="$top_srcdir/contrib/postfix/eop-status-filter.pcre"
mkdir -p "$T_DIR/pm" && touch "$T_DIR/pm/main.cf"
postconf -c "$T_DIR/pm" -m | grep -qx pcre || die "Postfix has no pcre table support: install postfix-pcre (sh contrib/test.sh does)"

# --- the status filter itself: every 5xx breaker record deferred, every other 5xx left alone ---
awk '/^%%/ { if (code != "" && reply ~ /^5/) print (breaker != "" ? "defer" : "keep") "\t" code "\t" reply; code = ""; reply = ""; breaker = ""; next }
     /^code:/ { code = $2 } /^reply:/ { sub(/^reply: /, ""); reply = $0 } /^breaker:/ { breaker = $2 }' \
	"$top_srcdir/data/ndr.txt" > "$T_DIR/records"
bad=0 deferred=0 kept=0
while IFS="$(printf '\t')" read -r want code reply; do
	case $code in *-*) continue ;; esac
	got=$(postmap -c "$T_DIR/pm" -q "$code host x.mail.protection.outlook.com[52.101.1.1] said: $reply (in reply to end of DATA command)" "pcre:$FILTER")
	if [ "$want" = defer ]; then
		case $got in 4.*" said: $reply"*) deferred=$((deferred + 1)) ;; *) bad=1; echo "    | not deferred: $reply -> '$got'" ;; esac
	else
		[ -z "$got" ] && kept=$((kept + 1)) || { bad=1; echo "    | touched: $reply -> '$got'"; }
	fi
done < "$T_DIR/records"
t_check "status filter: $deferred attribution refusals become 4xx, $kept other 5xx records untouched" test $bad -eq 0 -a $deferred -ge 10 -a $kept -ge 40
got=$(postmap -c "$T_DIR/pm" -q "5.1.10 host x said: 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup" "pcre:$FILTER")
t_check "status filter: a real recipient error (5.1.10) still bounces" test -z "$got"

# --- the stand-in for EOP ---
sink_start sink
mkdir -p "$T_DIR/eop"
cp "$C/root.pem" "$T_DIR/eop/ca.pem"
printf 'apps.contoso.test 550 5.7.64 Relay Access Denied ATTR36 "quoted" \\ 100%% [stand-in]\n' > "$T_DIR/eop/senders"
printf '0.0.0.0/0 550 5.7.64 TenantAttribution; Relay Access Denied [stand-in]\n' > "$T_DIR/eop/refuse.cidr"
EOP_PORT=
postfix_start eop EOP_PORT "$SINK_PORT" <<EOT
smtpd_milters =
smtpd_tls_security_level = may
smtpd_tls_cert_file = $C/good.pem
smtpd_tls_key_file = $C/good.key
smtpd_tls_ask_ccert = yes
smtpd_tls_CAfile = $T_DIR/eop/ca.pem
smtpd_tls_session_cache_timeout = 0
tls_session_ticket_cipher =
smtpd_end_of_data_restrictions = check_sender_access texthash:$T_DIR/eop/senders, permit_tls_all_clientcerts, check_client_access cidr:$T_DIR/eop/refuse.cidr
EOT
eop_reload() { postfix -c "$T_DIR/eop/etc" reload >/dev/null 2>&1; sleep 1; }

# --- eopguard and the relay ---
mkdir -p "$T_DIR/relay"
touch "$T_DIR/relay/maillog"
chmod 644 "$T_DIR/relay/maillog"   # eopguard runs as nobody and reads it
eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"contoso.test", "apps.contoso.test"}
  certificate_domain = "mail.contoso.test"
  smarthost = "[contoso-test.mail.protection.outlook.com]:25"
}
identity {
  client_cert = "$C/good.pem"
  client_key = "$C/good.key"
  ca_file = "$C/root.pem"
}
rewrite { sender = "relay@contoso.test" }
feedback {
  log = "$T_DIR/relay/maillog"
  smarthost_match = {"127.0.0.1"}
  open_for = 5
}
EOT
eopguard_start "$T_DIR/eopguard.conf"
RELAY_PORT=
postfix_start relay RELAY_PORT "$EOP_PORT" <<EOT
smtp_tls_security_level = encrypt
smtp_tls_cert_file = $C/good.pem
smtp_tls_key_file = $C/good.key
smtp_connection_cache_on_demand = no
smtp_delivery_status_filter = pcre:$FILTER
queue_run_delay = 300s
minimal_backoff_time = 300s
maximal_backoff_time = 600s
EOT
LOG="$T_DIR/eopguard.log"
ML="$T_DIR/relay/maillog"
wait_for 10 grep -q "feedback: following $ML" "$LOG" || t_fail "the follower did not say it follows the relay's log"
check_out=$(MAIL_CONFIG="$T_DIR/relay/etc" "$CTL" check -c "$T_DIR/eopguard.conf" --postfix-config "$T_DIR/relay/etc" 2>&1)
case $check_out in
*"PASS postfix-status-filter"*) t_ok "check --postfix sees the status filter in effect" ;;
*) t_fail "check --postfix: no PASS postfix-status-filter"; echo "$check_out" | sed 's/^/    | /' ;;
esac

queued=0
send() {   # FILE FROM SUBJECT
	send_mail "$RELAY_PORT" "$T_DIR/$1" --from "$2" --to "user@outside.example" --header "From: $2" --header "Subject: $3"
	grep -q "<-  250 2.0.0 Ok: queued" "$T_DIR/$1" && queued=$((queued + 1))
	return 0
}

# ---- A: the sender domain the tenant no longer accepts ----
send a1 app@apps.contoso.test A1
t_grep "A: eopguard judged the first message healthy and the relay queued it" "<-  250 2.0.0 Ok: queued" "$T_DIR/a1"
wait_for 20 grep -q "breaker: state=open scope=domain" "$LOG" || t_fail "A: no breaker opened within 20 s"
t_check "A: EOP's refusal logged with prediction-miss" grep -Eq 'feedback: queue_id=[0-9A-Za-z]+ observed="550 5\.7\.64 <app@apps\.contoso\.test>: Sender address rejected: Relay Access Denied ATTR36 \\"quoted\\" \\\\ 100% \[stand-in\]" predicted="pass" prediction-miss$' "$LOG"
t_grep "A: the breaker opened for the domain, with the cause" 'breaker: state=open scope=domain cause=5.7.64 domain=apps.contoso.test' "$LOG"
t_check "A: the refused message stays deferred (4.7.64 from the status filter), not bounced" \
	grep -Eq 'dsn=4\.7\.64, status=deferred \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: 550 5\.7\.64' "$ML"
t_nogrep "A: nothing bounced" "status=bounced" "$ML"
send a2 app@apps.contoso.test A2
t_grep "A: the next message from the domain is deferred by eopguard with EOP's words" \
	'<** 451 4.7.64 eopguard: observed-refusal: EOP answered "550 5.7.64 <app@apps.contoso.test>: Sender address rejected: Relay Access Denied ATTR36 \"quoted\" \\ 100% [stand-in]"; EOP refused recent mail from apps.contoso.test' "$T_DIR/a2"
t_grep "A: its log line carries observed=" 'findings=observed-refusal sender=<app@apps.contoso.test> from=apps.contoso.test predicted=- observed="550 5.7.64' "$LOG"
send a3 user@contoso.test A3
t_grep "A: another domain still passes" "<-  250 2.0.0 Ok: queued" "$T_DIR/a3"
wait_for 20 sink_has sink 1 || t_fail "A: the message from contoso.test did not arrive"

MAIL_CONFIG="$T_DIR/relay/etc" "$CTL" release -c "$T_DIR/eopguard.conf" --dry-run > "$T_DIR/dry" 2>&1
rc=$?
t_check "A: release --dry-run exits 0" test $rc -eq 0
t_check "A: release --dry-run lists the deferred message with its cause and changes nothing" \
	grep -Eq '^[0-9A-Za-z]+ +deferred +<app@apps\.contoso\.test> +5\.7\.64 +would re-queue' "$T_DIR/dry"
t_grep "A: release --dry-run summary" "1 message waits because of EOP (0 held, 1 deferred); 0 released" "$T_DIR/dry"
# release refuses while check fails
sed "s|$C/good.pem|$C/noint.pem|" "$T_DIR/eopguard.conf" > "$T_DIR/broken.conf"
MAIL_CONFIG="$T_DIR/relay/etc" "$CTL" release -c "$T_DIR/broken.conf" > "$T_DIR/refused" 2>&1
rc=$?
t_check "A: release refuses (exit 1) while check fails" test $rc -eq 1
t_grep "A: ... and says why" "FAIL chain-incomplete" "$T_DIR/refused"
MAIL_CONFIG="$T_DIR/relay/etc" "$CTL" release -c "$T_DIR/eopguard.conf" --json --dry-run > "$T_DIR/dry.json" 2>&1
t_check "A: release --json parses and lists one message" /usr/bin/python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); assert d['waiting']==1 and d['messages'][0]['cause']=='5.7.64', d" "$T_DIR/dry.json"
# the tenant is fixed
: > "$T_DIR/eop/senders"
eop_reload
MAIL_CONFIG="$T_DIR/relay/etc" "$CTL" release -c "$T_DIR/eopguard.conf" > "$T_DIR/release" 2>&1
rc=$?
t_check "A: release exits 0" test $rc -eq 0
t_check "A: release re-queued the waiting message" grep -Eq '^[0-9A-Za-z]+ +deferred +<app@apps\.contoso\.test> +5\.7\.64 +re-queued for delivery now' "$T_DIR/release"
t_grep "A: release closed the breaker" "breaker: closed (SIGUSR2 sent to eopguard pid $EG_PID)" "$T_DIR/release"
wait_for 10 grep -q "breaker: state=closed scope=domain cause=5.7.64 domain=apps.contoso.test .*reason=release" "$LOG"
t_check "A: eopguard logged the close" grep -q "breaker: state=closed scope=domain cause=5.7.64 domain=apps.contoso.test .*reason=release" "$LOG"
wait_for 20 sink_has sink 2 || t_fail "A: the released message did not arrive"
send a4 app@apps.contoso.test A4
t_grep "A: after release the domain passes again" "<-  250 2.0.0 Ok: queued" "$T_DIR/a4"
wait_for 20 sink_has sink 3 || t_fail "A: the message after release did not arrive"

# ---- B: the connector stops matching the relay's certificate ----
cp "$C/other-root.pem" "$T_DIR/eop/ca.pem"
eop_reload
send b1 user@contoso.test B1
wait_for 20 grep -q "breaker: state=open scope=relay" "$LOG" || t_fail "B: no relay breaker within 20 s"
t_grep "B: refused for the certificate: relay-wide breaker" 'breaker: state=open scope=relay cause=5.7.64 observed="550 5.7.64 <localhost[127.0.0.1]>: Client host rejected: TenantAttribution; Relay Access Denied [stand-in]"' "$LOG"
send b2 other@apps.contoso.test B2
t_grep "B: any domain is now deferred by eopguard" '<** 451 4.7.64 eopguard: observed-refusal: EOP answered "550 5.7.64 <localhost[127.0.0.1]>: Client host rejected: TenantAttribution' "$T_DIR/b2"
sleep 5
send b3 user@contoso.test B3
t_grep "B: after open_for one trial message goes through" "<-  250 2.0.0 Ok: queued" "$T_DIR/b3"
t_grep "B: half-open logged" "breaker: state=half-open scope=relay cause=5.7.64" "$LOG"
wait_for 20 sh -c "[ \$(grep -c 'breaker: state=open scope=relay' '$LOG') -ge 2 ]" ||
	t_fail "B: the refused trial did not open the breaker again"
t_check "B: the refused trial opened it again" test "$(grep -c 'breaker: state=open scope=relay' "$LOG")" -eq 2
send b4 user@contoso.test B4
t_grep "B: open again: deferred" "451 4.7.64 eopguard: observed-refusal" "$T_DIR/b4"
cp "$C/root.pem" "$T_DIR/eop/ca.pem"
eop_reload
sleep 5
send b5 user@contoso.test B5
t_grep "B: the next trial goes through" "<-  250 2.0.0 Ok: queued" "$T_DIR/b5"
wait_for 20 grep -q "breaker: state=closed scope=relay .*reason=accepted" "$LOG" || t_fail "B: an accepted delivery did not close the breaker"
t_grep "B: EOP accepting closes the breaker" "breaker: state=closed scope=relay cause=5.7.64" "$LOG"
send b6 user@contoso.test B6
t_grep "B: closed: mail passes" "<-  250 2.0.0 Ok: queued" "$T_DIR/b6"
MAIL_CONFIG="$T_DIR/relay/etc" "$CTL" release -c "$T_DIR/eopguard.conf" > "$T_DIR/release2" 2>&1
t_grep "B: release delivers the two refused messages" "2 messages wait because of EOP (0 held, 2 deferred); 2 released" "$T_DIR/release2"

# ---- counted from the logs: nothing bounced, nothing lost ----
wait_for 30 sink_has sink "$queued" || true
t_check "every message the relay queued ($queued) reached the final hop ($(sink_count sink))" test "$(sink_count sink)" -eq "$queued"
t_nogrep "the relay bounced nothing" "status=bounced" "$ML"
t_nogrep "the relay expired nothing" "status=expired" "$ML"
t_check "the client kept the three messages eopguard deferred (451, never accepted)" test "$(grep -l '<\*\* 451 4.7.64 eopguard: observed-refusal' "$T_DIR"/a2 "$T_DIR"/b2 "$T_DIR"/b4 | wc -l)" -eq 3
t_check "the queue is empty" sh -c "[ -z \"\$(postqueue -c '$T_DIR/relay/etc' -j)\" ]"

# ---- C: probe ----
probe() {   # NAME CERT WANT_RC [args]
	name=$1 cert=$2 want=$3; shift 3
	sed "s|$C/good.pem|$C/$cert|" "$T_DIR/eopguard.conf" > "$T_DIR/probe.conf"
	"$CTL" probe -c "$T_DIR/probe.conf" "$@" > "$T_DIR/probe-$name" 2>&1
	rc=$?
	if [ $rc -eq "$want" ]; then t_ok "probe $name: exit $rc"; else t_fail "probe $name: exit $rc, want $want"; sed 's/^/    | /' "$T_DIR/probe-$name"; fi
}
probe healthy good.pem 0 --host "127.0.0.1:$EOP_PORT"
t_check "probe healthy: TLS 1.2+ with the relay's certificate presented" grep -Eq '^tls +TLSv1\.[23], ' "$T_DIR/probe-healthy"
t_grep "probe healthy: what was presented" "presented    CN = mail.contoso.test ($C/good.pem) and 1 intermediate" "$T_DIR/probe-healthy"
t_grep "probe healthy: the server chain verifies" "server cert  the chain verifies" "$T_DIR/probe-healthy"
t_grep "probe healthy: without a test message it says the verdict needs one" "run again with --from ADDR --to ADDR" "$T_DIR/probe-healthy"
probe message good.pem 0 --host "127.0.0.1:$EOP_PORT" --from probe@contoso.test --to someone@outside.example
t_grep "probe with a test message: accepted" "result: accepted" "$T_DIR/probe-message"
probe noint noint.pem 1 --host "127.0.0.1:$EOP_PORT" --from probe@contoso.test --to someone@outside.example
t_grep "probe missing intermediate: presented without it" "and 0 intermediates" "$T_DIR/probe-noint"
t_grep "probe missing intermediate: refused at the end of DATA with EOP's text" "end-of-data  FAIL 550 5.7.64 <localhost[127.0.0.1]>: Client host rejected: TenantAttribution" "$T_DIR/probe-noint"
t_grep "probe missing intermediate: explained from the NDR table" "explain      EOP could not tie the connection to your tenant" "$T_DIR/probe-noint"
probe untrusted untrusted.pem 1 --host "127.0.0.1:$EOP_PORT" --from probe@contoso.test --to someone@outside.example --json
t_check "probe wrong certificate (--json): refused" /usr/bin/python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); assert d['result']=='refused' and d['tls']['version'].startswith('TLSv1.'), d" "$T_DIR/probe-untrusted"
probe nostarttls good.pem 1 --host "127.0.0.1:$RELAY_PORT"
t_grep "probe no STARTTLS: said so" "starttls     FAIL not offered" "$T_DIR/probe-nostarttls"
dead=$(free_port)
probe refused good.pem 2 --host "127.0.0.1:$dead"
t_grep "probe connection refused: said so" "Connection refused" "$T_DIR/probe-refused"
t_grep "probe connection refused: result line" "result: could not connect" "$T_DIR/probe-refused"
t_check "probe: the accepted test message arrived, marked as a probe" \
	sh -c "[ \$(grep -l '^X-EOPGuard-Probe: yes' '$T_DIR'/sink/* | wc -l) -eq 1 ]"
t_done
