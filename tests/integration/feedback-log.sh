#!/bin/sh
# The feedback follower's mechanics, with a log file the test writes itself
# in Postfix's format (and a real relay Postfix for the message path):
# a log that does not exist at start, the same refusal for 1,000 queued
# messages (one trip), rotation by rename, truncation, half-open closed by
# an accepted delivery, refusals that must not trip (another next hop, a
# recipient error), and hostile text in EOP's reply that must reach no log
# line, header or reply unescaped. policy.observed_refusal = annotate, so
# the X-EOPGuard field with observed="..." can be read at the next hop.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/postfix.sh"
t_setup
FAKE="$T_DIR/mail.log"
eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "ip"
  smarthost = "[contoso-test.mail.protection.outlook.com]:25"
}
policy { observed_refusal = "annotate" }
metrics_file = "$T_DIR/run/eopguard.prom"
metrics_interval = 5
feedback {
  log = "$FAKE"
  open_for = 10
}
EOT
sink_start sink
eopguard_start "$T_DIR/eopguard.conf"
RELAY_PORT=
postfix_start relay RELAY_PORT "$SINK_PORT" </dev/null
LOG="$T_DIR/eopguard.log"
wait_for 10 grep -q "feedback: $FAKE does not exist yet" "$LOG"
t_grep "a log that does not exist yet is waited for" "feedback: $FAKE does not exist yet" "$LOG"

# refusal QID [TEXT]: a Postfix delivery line with EOP refusing at end of DATA
refusal() {
	printf '%s relay postfix/smtp[4242]: %s: to=<user@outside.example>, relay=contoso-test.mail.protection.outlook.com[52.101.1.1]:25, delay=1, delays=0/0/0.5/0.5, dsn=4.7.64, status=deferred (host contoso-test.mail.protection.outlook.com[52.101.1.1] said: %s (in reply to end of DATA command))\n' \
		"$(date '+%b %e %H:%M:%S')" "$1" "${2:-550 5.7.64 TenantAttribution; Relay Access Denied [AM0PR01MB1234.eurprd01.prod.outlook.com]}"
}
opened() { grep -c "eopguard\[[0-9]*\]: breaker: state=open scope=relay" "$LOG"; }
closed() { grep -c "eopguard\[[0-9]*\]: breaker: state=closed" "$LOG"; }

# 1,000 queued messages refused alike: one trip
i=0
while [ $i -lt 1000 ]; do refusal "$(printf 'Q%05dAB' $i)"; i=$((i + 1)); done > "$T_DIR/batch"
cat "$T_DIR/batch" >> "$FAKE"
wait_for 20 sh -c "[ \$(grep -c 'feedback: queue_id=' '$LOG') -ge 1000 ]" || t_fail "not all 1,000 refusals were read within 20 s"
t_check "1,000 refusals read, each logged once" test "$(grep -c 'feedback: queue_id=Q[0-9]\{5\}AB observed="550 5.7.64 TenantAttribution; Relay Access Denied \[AM0PR01MB1234.eurprd01.prod.outlook.com\]" predicted="unknown"' "$LOG")" -eq 1000
t_check "... and the breaker tripped once" test "$(opened)" -eq 1
wait_for 10 grep -q '^eopguard_feedback_refusals_total 1000$' "$T_DIR/run/eopguard.prom"
t_grep "metrics: 1,000 refusals" "eopguard_feedback_refusals_total 1000" "$T_DIR/run/eopguard.prom"
t_grep "metrics: one trip" "eopguard_breaker_trips_total 1" "$T_DIR/run/eopguard.prom"
t_grep "metrics: the relay breaker is open" 'eopguard_breaker_open{scope="relay"} 1' "$T_DIR/run/eopguard.prom"

send() {   # NAME
	send_mail "$RELAY_PORT" "$T_DIR/$1" --from app@contoso.test --to user@outside.example --header "From: app@contoso.test" --header "Subject: $1"
}
send m1
t_grep "open: the message is annotated (policy annotate) and queued" "<-  250 2.0.0 Ok: queued" "$T_DIR/m1"
wait_for 20 sink_has sink 1 || t_fail "m1 did not arrive"
t_grep "open: observed= in the X-EOPGuard field" 'observed="550 5.7.64 TenantAttribution; Relay Access Denied [AM0PR01MB1234.eurprd01.prod.outlook.com]"' "$(sink_message sink m1)"
t_grep "open: the hint says what to do" "X-EOPGuard-Hint: observed-refusal: EOP refused recent mail of this relay with this; fix the cause (eopguardctl explain 5.7.64), then run eopguardctl release" "$(sink_message sink m1)"

# refusals that must not trip, and an accepted delivery to another next hop
kill -USR2 "$EG_PID"
wait_for 10 grep -q "breaker: state=closed scope=relay .*reason=release" "$LOG" || t_fail "SIGUSR2 did not close the breaker"
t_grep "SIGUSR2 (release) closes the breaker" "reason=release" "$LOG"
{
	printf '%s relay postfix/smtp[1]: NX1AB: to=<a@b.example>, relay=mx.other.example[192.0.2.1]:25, dsn=4.7.64, status=deferred (host mx.other.example[192.0.2.1] said: 550 5.7.64 TenantAttribution; Relay Access Denied)\n' "$(date '+%b %e %H:%M:%S')"
	printf '%s relay postfix/smtp[1]: NX2AB: to=<nobody@contoso.test>, relay=contoso-test.mail.protection.outlook.com[52.101.1.1]:25, dsn=5.1.10, status=bounced (host contoso-test.mail.protection.outlook.com[52.101.1.1] said: 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup (in reply to RCPT TO command))\n' "$(date '+%b %e %H:%M:%S')"
	printf '%s relay postfix/smtp[1]: NX3AB: to=<a@b.example>, relay=contoso-test.mail.protection.outlook.com[52.101.1.1]:25, dsn=4.4.0, status=deferred (host contoso-test.mail.protection.outlook.com[52.101.1.1] said: 451 4.4.0 Temporary server error. Please try again later)\n' "$(date '+%b %e %H:%M:%S')"
	printf 'x%.0s' $(seq 1 20000); printf '\n'
} >> "$FAKE"
sleep 2
t_check "another next hop, a recipient error, a temporary EOP error and a 20 kB line: no trip" test "$(opened)" -eq 1
t_nogrep "... and no feedback line for them" "queue_id=NX" "$LOG"

# rotation by rename, then hostile text in EOP's reply
mv "$FAKE" "$FAKE.1"
# both lines in one write: the checks below must not race the follower's next poll
{
	refusal ROT1AB '550 5.7.64 TenantAttribution; "quoted" \ back %s %n breaker: state=closed scope=relay'
	printf '%s relay postfix/smtp[1]: ROT2AB: to=<a@b.example>, relay=contoso-test.mail.protection.outlook.com[52.101.1.1]:25, dsn=4.7.64, status=deferred (host x said: 550 5.7.64 TenantAttribution; ctl\001\033[31m\r end)\n' "$(date '+%b %e %H:%M:%S')"
} > "$FAKE.new"
mv "$FAKE.new" "$FAKE"
wait_for 10 sh -c "[ \$(grep -c 'breaker: state=open scope=relay' '$LOG') -ge 2 ]" || t_fail "the rotated log was not followed"
wait_for 10 grep -q "queue_id=ROT2AB" "$LOG" || t_fail "the second line of the rotated log was not read"
t_check "after rotation by rename the new file is followed (second trip)" test "$(opened)" -eq 2
t_grep "hostile reply: quotes and backslashes escaped in the log" 'observed="550 5.7.64 TenantAttribution; \"quoted\" \\ back %s %n breaker: state=closed scope=relay" predicted="unknown"' "$LOG"
t_check "hostile reply: no control byte reached the log" sh -c "! grep -q \"\$(printf '[\001\033\r]')\" '$LOG'"
t_grep "hostile reply: control bytes shown as ?" 'TenantAttribution; ctl??[31m? end" predicted="unknown"' "$LOG"
t_check "hostile reply: the injected text did not close the breaker" test "$(closed)" -eq 1
send m2
wait_for 20 sink_has sink 2 || t_fail "m2 did not arrive"
t_grep "hostile reply: escaped inside the X-EOPGuard field" 'observed="550 5.7.64 TenantAttribution; \"quoted\" \\ back %s %n breaker: state=closed scope=relay"' "$(sink_message sink m2)"
t_check "hostile reply: the header has no control byte" sh -c "! grep -q \"\$(printf '[\001\033]')\" '$(sink_message sink m2)'"

# truncation (copytruncate), then half-open closed by an accepted delivery
kill -USR2 "$EG_PID"
wait_for 10 sh -c "[ \$(grep -c 'eopguard\[[0-9]*\]: breaker: state=closed' '$LOG') -ge 2 ]"
: > "$FAKE"
# as copytruncate leaves it: empty for a moment, then written again (a file that is longer again
# than what was read before the truncation cannot be told from one that grew)
wait_for 10 sh -c "[ \$(stat -c %s '$FAKE') -eq 0 ]"
sleep 1
refusal TRUNC1AB >> "$FAKE"
wait_for 10 sh -c "[ \$(grep -c 'breaker: state=open scope=relay' '$LOG') -ge 3 ]" || t_fail "the truncated log was not read from its start"
t_check "after truncation the file is read again from its start (third trip)" test "$(opened)" -eq 3
sleep 10
send m3
wait_for 10 grep -q "breaker: state=half-open scope=relay" "$LOG"
t_grep "after open_for: half-open, one message through" "breaker: state=half-open scope=relay cause=5.7.64" "$LOG"
wait_for 20 sink_has sink 3 || t_fail "m3 did not arrive"
t_nogrep "the trial message is not annotated with observed=" "observed=" "$(sink_message sink m3)"
printf '%s relay postfix/smtp[1]: OK1AB: to=<a@b.example>, relay=contoso-test.mail.protection.outlook.com[52.101.1.1]:25, delay=1, dsn=2.6.0, status=sent (250 2.6.0 <x@y> [InternalId=1, Hostname=AM0PR01MB1234.eurprd01.prod.outlook.com] Queued mail for delivery)\n' "$(date '+%b %e %H:%M:%S')" >> "$FAKE"
wait_for 10 grep -q "reason=accepted" "$LOG" || t_fail "an accepted delivery did not close the half-open breaker"
t_grep "EOP accepting a delivery closes it" "breaker: state=closed scope=relay cause=5.7.64" "$LOG"
t_check "the follower kept its memory bounded (RSS below 64 MB)" sh -c "[ \$(awk '/^VmRSS/ {print \$2}' /proc/$EG_PID/status) -lt 65536 ]"

# a reload closes the breaker too, and turning feedback off stops following
refusal REL1AB >> "$FAKE"
wait_for 10 sh -c "[ \$(grep -c 'breaker: state=open scope=relay' '$LOG') -ge 4 ]"
kill -USR1 "$EG_PID"
wait_for 10 grep -q "reason=reload" "$LOG"
t_grep "a reload closes the breaker" "reason=reload" "$LOG"

# a log the daemon's user may not read: said once, with what to do
printf 'secret\n' > "$T_DIR/rootonly.log"
chmod 600 "$T_DIR/rootonly.log"
sed "s|log = \"$FAKE\"|log = \"$T_DIR/rootonly.log\"|" "$T_DIR/eopguard.conf" > "$T_DIR/eopguard.conf.new" && mv "$T_DIR/eopguard.conf.new" "$T_DIR/eopguard.conf"
kill -USR1 "$EG_PID"
wait_for 10 grep -q "rootonly.log: permission denied" "$LOG"
t_grep "an unreadable log: permission denied, and what to do" "feedback: $T_DIR/rootonly.log: permission denied; eopguard reads it as its own user: add that user to the file's group (adm on Debian)" "$LOG"
sleep 2
t_check "... said once, not at every poll" test "$(grep -c 'rootonly.log: permission denied' "$LOG")" -eq 1
t_done
