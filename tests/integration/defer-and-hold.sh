#!/bin/sh
# Policy actions seen through a real Postfix: defer (451, nothing reaches the
# next hop), quarantine (hold queue), reject (550). The policy is switched
# with SIGUSR1 while the daemon runs; a broken configuration keeps the old one.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/postfix.sh"
t_setup

sink_start sink
write_policy() {
	eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "ip"
}
policy { sender_not_accepted = "$1" }
EOT
}
reload() {
	before=$(grep -c 'configuration reloaded\|reload failed' "$T_DIR/eopguard.log")
	kill -USR1 "$EG_PID"
	wait_for 5 sh -c "[ \$(grep -c 'configuration reloaded\|reload failed' '$T_DIR/eopguard.log') -gt $before ]" ||
		t_fail "eopguard did not log the reload"
}

write_policy defer
eopguard_start "$T_DIR/eopguard.conf"
RELAY_PORT=
postfix_start relay RELAY_PORT "$SINK_PORT" </dev/null

# defer
send_mail "$RELAY_PORT" "$T_DIR/defer" --from app@other.example --to user@example.net \
	--header "From: app@contoso.test" --header "Subject: defer"
t_grep "defer: client sees 451 4.7.64 with eopguard's text" \
	"<** 451 4.7.64 eopguard: sender-not-accepted: EOP would answer \"550 5.7.64 Relay Access Denied ATTR36\"; envelope sender domain other.example" "$T_DIR/defer"
t_check "defer: nothing queued on the relay" test -z "$(queue_json relay)"
t_grep "defer: Postfix logged the milter's tempfail" "milter-reject: END-OF-MESSAGE" "$T_DIR/relay/maillog"
t_grep "defer: eopguard logged it" "verdict=fail action=defer findings=sender-not-accepted sender=<app@other.example>" "$T_DIR/eopguard.log"

# A broken configuration is refused; the running one stays.
echo 'policy { sender_not_accepted = "drop" }' >> "$T_DIR/eopguard.conf"
reload
t_grep "broken reload: logged with file:line" "reload failed, keeping the running configuration: $T_DIR/eopguard.conf:" "$T_DIR/eopguard.log"
send_mail "$RELAY_PORT" "$T_DIR/defer2" --from app@other.example --to user@example.net \
	--header "From: app@contoso.test" --header "Subject: defer2"
t_grep "broken reload: still deferring" "<** 451 4.7.64" "$T_DIR/defer2"

# quarantine
write_policy quarantine
reload
t_grep "reload logged" "configuration reloaded from $T_DIR/eopguard.conf" "$T_DIR/eopguard.log"
send_mail "$RELAY_PORT" "$T_DIR/hold" --from app@other.example --to user@example.net \
	--header "From: app@contoso.test" --header "Subject: hold"
t_grep "quarantine: client sees 250" "<-  250 2.0.0 Ok: queued" "$T_DIR/hold"
held relay || t_fail "quarantine: no message in the hold queue within 10 s"
queue_json relay > "$T_DIR/queue.json"
t_grep "quarantine: message is in Postfix's hold queue" '"queue_name": "hold"' "$T_DIR/queue.json"
t_grep "quarantine: Postfix logged the hold" "milter-hold: END-OF-MESSAGE" "$T_DIR/relay/maillog"
# A message in the hold queue is never scheduled: no need to wait and see.
t_check "quarantine: nothing reached the next hop" test "$(sink_count sink)" -eq 0
t_nogrep "quarantine: no delivery attempt logged" "status=sent" "$T_DIR/relay/maillog"

# reject
write_policy reject
reload
send_mail "$RELAY_PORT" "$T_DIR/reject" --from app@other.example --to user@example.net \
	--header "From: app@contoso.test" --header "Subject: reject"
t_grep "reject: client sees 550 5.7.64" "<** 550 5.7.64 eopguard: sender-not-accepted:" "$T_DIR/reject"

# An accepted sender still passes after all the reloads.
send_mail "$RELAY_PORT" "$T_DIR/ok" --from app@contoso.test --to user@example.net \
	--header "From: app@contoso.test" --header "Subject: ok"
wait_for 20 sink_has sink 1 || t_fail "accepted message did not reach the next hop"
t_grep "accepted sender delivered with verdict=pass" "verdict=pass" "$(sink_message sink ok)"
t_done
