#!/bin/sh
# eopguardctl review on a real Postfix log: the relay (with eopguard) hands
# mail to a second private Postfix standing in for EOP, whose access map
# answers "550 5.7.64 TenantAttribution; Relay Access Denied" and
# "451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35"; eopguard
# itself refuses one sender. review must put each under the right cause.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/postfix.sh"
t_setup

sink_start sink
eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"bounce.test", "defer.test", "ok.test"}
  attribution = "ip"
}
policy { sender_not_accepted = "defer" }
EOT
eopguard_start "$T_DIR/eopguard.conf"
EOP_PORT=
RELAY_PORT=
# The EOP stand-in: no milter; refuses by sender domain, delivers the rest to the sink.
postfix_start eop EOP_PORT "$SINK_PORT" <<EOT
smtpd_milters =
smtpd_sender_restrictions = check_sender_access inline:{{bounce.test = 550 5.7.64 TenantAttribution; Relay Access Denied}, {defer.test = 451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35}}
EOT
postfix_start relay RELAY_PORT "$EOP_PORT" </dev/null

send_mail "$RELAY_PORT" "$T_DIR/s1" --from app@bounce.test --to a@fabrikam.example,b@fabrikam.example --header "Subject: bounce"
send_mail "$RELAY_PORT" "$T_DIR/s2" --from erp@defer.test --to c@fabrikam.example --header "Subject: defer"
send_mail "$RELAY_PORT" "$T_DIR/s3" --from ok@ok.test --to d@fabrikam.example --header "Subject: ok"
send_mail "$RELAY_PORT" "$T_DIR/s4" --from scan@scan.local --to e@fabrikam.example --header "Subject: refused"
t_grep "eopguard refused the unaccepted sender" "<** 451 4.7.64 eopguard: sender-not-accepted" "$T_DIR/s4"
wait_for 20 sink_has sink 2 || t_fail "the accepted message and the bounce did not reach the sink"
# A second attempt for the deferred message, forced instead of waited for.
wait_for 20 grep -q 'status=deferred' "$T_DIR/relay/maillog" || t_fail "the message to the EOP stand-in was not deferred"
postqueue -c "$T_DIR/relay/etc" -f
wait_for 30 sh -c "grep -c 'status=deferred' '$T_DIR/relay/maillog' | grep -q '^[2-9]'" || t_fail "no retry of the deferred message after postqueue -f"

R="$top_builddir/eopguardctl"
"$R" review "$T_DIR/relay/maillog" "$T_DIR/eopguard.log" > "$T_DIR/review.txt" 2>&1
t_check "review exits 0" test $? -eq 0
# the reply as the log holds it, and the table's wording after it
t_grep "bounce grouped under 5.7.64 TenantAttribution" "bounced 5.7.64: 550 5.7.64 <app@bounce.test>: Sender address rejected: TenantAttribution; Relay Access Denied" "$T_DIR/review.txt"
t_grep "bounce known as EOP's reply" "known as: 550 5.7.64 TenantAttribution; Relay Access Denied" "$T_DIR/review.txt"
t_grep "both recipients of the bounce counted" "1 message, 2 recipients" "$T_DIR/review.txt"
t_grep "deferral grouped under 4.4.62 ATTR35" "deferred 4.4.62: 451 4.4.62 <erp@defer.test>: Sender address rejected: Mail sent to the wrong Office 365 region. ATTR35" "$T_DIR/review.txt"
t_grep "eopguard's refusal grouped with its finding" "milter-rejected 5.7.64: 550 5.7.64 Relay Access Denied ATTR36  [eopguard: sender-not-accepted]" "$T_DIR/review.txt"
t_grep "sender domain of the refusal" "sender domains: scan.local (1)" "$T_DIR/review.txt"
t_grep "explanation included" "who acts: relay admin" "$T_DIR/review.txt"
t_grep "eopguard verdicts counted" "eopguard verdicts: pass 3, warn 0, fail 1" "$T_DIR/review.txt"

"$R" review --json "$T_DIR/relay/maillog" > "$T_DIR/review.json"
t_grep "json: totals" '"sent":2,"bounced":1,"deferred":1' "$T_DIR/review.json"
t_grep "json: bounce cause" '"code":"5.7.64","reply":"550 5.7.64 <app@bounce.test>: Sender address rejected: TenantAttribution; Relay Access Denied","finding":null,"status":"bounced","messages":1,"recipients":2' "$T_DIR/review.json"
gzip -c "$T_DIR/relay/maillog" > "$T_DIR/maillog.1.gz"
"$R" review --json "$T_DIR/maillog.1.gz" > "$T_DIR/review-gz.json"
t_check "a .gz log gives the same causes" sh -c "sed 's/\"name\":\"[^\"]*\"//' '$T_DIR/review.json' > '$T_DIR/a'; sed 's/\"name\":\"[^\"]*\"//' '$T_DIR/review-gz.json' > '$T_DIR/b'; cmp -s '$T_DIR/a' '$T_DIR/b'"
"$R" review --json - < "$T_DIR/relay/maillog" > "$T_DIR/review-stdin.json"
t_grep "stdin works" '"name":"(stdin)"' "$T_DIR/review-stdin.json"
"$R" review --messages "$T_DIR/relay/maillog" > "$T_DIR/messages.txt"
t_grep "--messages lists the bounce" "bounced to=<a@fabrikam.example> code=5.7.64" "$T_DIR/messages.txt"
"$R" review --since 2099-01-01 "$T_DIR/relay/maillog" > "$T_DIR/since.txt"
t_grep "--since in the future: nothing" "no deferred, bounced, expired, refused or held mail found" "$T_DIR/since.txt"
"$R" review "$T_DIR/none.log" > "$T_DIR/missing.txt" 2>&1
t_check "a missing file: exit 66" test $? -eq 66
t_grep "a missing file is named" "$T_DIR/none.log: No such file or directory" "$T_DIR/missing.txt"
t_done
