#!/bin/sh
# A private Postfix relay with eopguard: an accepted sender reaches the next
# hop with X-EOPGuard (forged copies removed, folded with CRLF TAB); a sender
# outside the accepted domains is rewritten to rewrite.sender; local
# submission goes through the same checks; and so does mail over a TCP socket.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/postfix.sh"
t_setup

sink_start sink
eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"contoso.test", "*.contoso.test"}
  attribution = "ip"
}
rewrite { sender = "relay@contoso.test" }
policy { sender_not_accepted = "rewrite" }
EOT
eopguard_start "$T_DIR/eopguard.conf"
RELAY_PORT=
postfix_start relay RELAY_PORT "$SINK_PORT" <<EOT
non_smtpd_milters = unix:$T_DIR/run/eopguard.sock
EOT

# The daemon gave up root after start-up.
uid=$(ps -o uid= -p "$EG_PID" | tr -d ' ')
t_check "eopguard runs unprivileged (uid $uid)" test "$uid" = "$(id -u nobody)"
mode=$(stat -c '%a %G' "$T_DIR/run/eopguard.sock")
t_check "socket has socket_mode and socket_group ($mode)" test "$mode" = "660 postfix"

# 1. accepted sender, forged header in the message
send_mail "$RELAY_PORT" "$T_DIR/send1" --from app@eu.contoso.test --to user@example.net \
	--header "From: App <app@contoso.test>" --header "X-EOPGuard: relay.test; verdict=pass; forged-first" \
	--header "x-eopguard: forged-second" --header "X-EOPGuard-Hint: forged-hint" --header "Subject: accepted"
t_grep "accepted sender: relay answers 250 to the message" "<-  250 2.0.0 Ok: queued" "$T_DIR/send1"
wait_for 20 sink_has sink 1 || t_fail "message 1 did not reach the next hop"
m1=$(sink_message sink accepted)
t_grep "next hop got X-EOPGuard with verdict=pass" "X-EOPGuard: relay.test; verdict=pass; action=accept;" "$m1"
# smtp-sink stores lines with LF; Postfix sends them with CRLF. What we
# control: the value is folded with a line break and a TAB, and no stray CR.
t_check "X-EOPGuard folded: next line starts with TAB" \
	sh -c "grep -A1 '^X-EOPGuard: ' '$m1' | tail -1 | grep -q \"^$(printf '\t')identity=pass;\$\""
t_check "no bare CR in the delivered message" sh -c "! grep -q \"$(printf '\r')\" '$m1'"
t_grep "sender key" "sender=pass (eu.contoso.test);" "$m1"
t_nogrep "forged X-EOPGuard removed: the first copy" "forged-first" "$m1"
t_nogrep "forged X-EOPGuard removed: the second copy (other case)" "forged-second" "$m1"
t_nogrep "forged X-EOPGuard-Hint removed" "forged-hint" "$m1"
t_check "exactly one X-EOPGuard field reached the next hop" test "$(grep -ci '^X-EOPGuard:' "$m1")" -eq 1
t_grep "envelope sender unchanged" "X-Mail-Args: <app@eu.contoso.test>" "$m1"
t_grep "eopguard logged the message with Postfix's queue id" "verdict=pass action=accept findings=- sender=<app@eu.contoso.test>" "$T_DIR/eopguard.log"
qid=$(sed -n 's/.*: \([0-9A-F]\{6,\}\): verdict=pass action=accept.*/\1/p' "$T_DIR/eopguard.log" | head -1)
t_check "log queue id '$qid' is the one Postfix logged" grep -q "postfix/cleanup.*$qid: message-id" "$T_DIR/relay/maillog"

# 2. sender outside the accepted domains: rewritten
send_mail "$RELAY_PORT" "$T_DIR/send2" --from erp@erp.internal --to user@example.net \
	--header "From: ERP <erp@contoso.test>" --header "Subject: rewritten"
t_grep "non-accepted sender: accepted by the relay" "<-  250 2.0.0 Ok: queued" "$T_DIR/send2"
wait_for 20 sink_has sink 2 || t_fail "message 2 did not reach the next hop"
m2=$(sink_message sink rewritten)
t_grep "envelope sender rewritten at the next hop" "X-Mail-Args: <relay@contoso.test>" "$m2"
t_grep "header says rewrite" "verdict=fail; action=rewrite;" "$m2"
t_grep "header shows the new domain" "sender=rewritten (contoso.test);" "$m2"
t_grep "hint names the original domain" "X-EOPGuard-Hint: sender-not-accepted: envelope sender domain erp.internal" "$m2"

# 3. A 20 KB From field (longer than eopguard keeps) is reported, not fatal.
long=$(head -c 20000 /dev/zero | tr '\0' 'x')
send_mail "$RELAY_PORT" "$T_DIR/send3" --from a@contoso.test --to user@example.net \
	--header "From: \"$long\" <a@contoso.test>" --header "Subject: long-from"
t_grep "20 KB From: accepted" "<-  250 2.0.0 Ok: queued" "$T_DIR/send3"
wait_for 20 sink_has sink 3 || t_fail "message 3 did not reach the next hop"
t_grep "20 KB From reported invalid" "from=invalid" "$(sink_message sink long-from)"

# 4. Local submission (sendmail(1) -> pickup -> cleanup) goes through
# non_smtpd_milters; the same checks apply.
printf 'From: cron <cron@contoso.test>\nSubject: local-submission\n\nnightly report\n' |
	sendmail -C "$T_DIR/relay/etc" -f batch@erp.internal user@example.net
wait_for 20 sink_has sink 4 || t_fail "locally submitted message did not reach the next hop"
m4=$(sink_message sink local-submission)
t_grep "local submission: annotated through non_smtpd_milters" "X-EOPGuard: relay.test; verdict=fail; action=rewrite;" "$m4"
t_grep "local submission: envelope sender rewritten" "X-Mail-Args: <relay@contoso.test>" "$m4"

# 5. The same through a second eopguard on a TCP socket (where it takes the
# DATA step and answers every step; see milter.c).
sed -e "s|pidfile = .*|pidfile = \"$T_DIR/run/eopguard-tcp.pid\"|" \
	-e "s|^log = .*|log = \"$T_DIR/eopguard-tcp.log\"|" "$T_DIR/eopguard.conf" > "$T_DIR/eopguard-tcp.conf"
touch "$T_DIR/eopguard-tcp.log" && chown nobody "$T_DIR/eopguard-tcp.log"
# A port taken between the pick and the bind is retried with another.
for try in 1 2 3 4 5; do
	TCP_PORT=$(free_port)
	"$top_builddir/eopguard" -c "$T_DIR/eopguard-tcp.conf" -p "inet:$TCP_PORT@127.0.0.1" 2>"$T_DIR/tcp.err" && break
	grep -q 'in use' "$T_DIR/tcp.err" && [ $try -lt 5 ] || die "eopguard on TCP did not start: $(cat "$T_DIR/tcp.err")"
	echo "# eopguard: port $TCP_PORT was taken; picking another"
done
wait_for 5 test -s "$T_DIR/run/eopguard-tcp.pid" || die "eopguard on TCP wrote no pidfile"
T_PIDS="$T_PIDS $(cat "$T_DIR/run/eopguard-tcp.pid")"
postconf -c "$T_DIR/relay/etc" -e "smtpd_milters = inet:127.0.0.1:$TCP_PORT" >/dev/null
postfix -c "$T_DIR/relay/etc" reload >/dev/null 2>&1
send_mail "$RELAY_PORT" "$T_DIR/send5" --from app@tcp.contoso.test --to user@example.net \
	--header "From: App <app@contoso.test>" --header "X-EOPGuard: forged-over-tcp" --header "Subject: over-tcp"
t_grep "over TCP: relay answers 250" "<-  250 2.0.0 Ok: queued" "$T_DIR/send5"
wait_for 20 sink_has sink 5 || t_fail "message over TCP did not reach the next hop"
m5=$(sink_message sink over-tcp)
t_grep "over TCP: X-EOPGuard added" "X-EOPGuard: relay.test; verdict=pass; action=accept;" "$m5"
t_nogrep "over TCP: forged X-EOPGuard removed" "forged-over-tcp" "$m5"
t_grep "over TCP: logged by the TCP instance" "verdict=pass action=accept findings=- sender=<app@tcp.contoso.test>" \
	"$T_DIR/eopguard-tcp.log"
t_nogrep "over TCP: Postfix logged no milter trouble" "warning: milter" "$T_DIR/relay/maillog"

wait_queue_empty relay 10 || t_fail "relay queue not empty"
t_nogrep "nothing bounced" "status=bounced" "$T_DIR/relay/maillog"
t_done
