#!/bin/sh
# Faults under load (smtp-source into a private Postfix relay with eopguard,
# smtp-sink behind it): (a) kill -9 of eopguard and a restart, (b) a reload
# every half second, (c) the client certificate replaced by a broken file and
# then a good one. After each: every message the relay accepted reached the
# sink, nothing bounced, every refusal was a 4xx, and eopguard still serves.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/postfix.sh"
t_setup
C="$T_DIR/certs"
sh "$top_srcdir/tests/certs/mkcerts.sh" "$C" >/dev/null || die "mkcerts.sh"
chmod 755 "$C"
mkdir -p "$T_DIR/tls"
cp "$C/good.pem" "$T_DIR/tls/chain.pem"
eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "certificate"
  certificate_domain = "mail.contoso.test"
}
identity {
  client_cert = "$T_DIR/tls/chain.pem"
  client_key = "$C/good.key"
  ca_file = "$C/root.pem"
}
EOT
sink_start sink
eopguard_start "$T_DIR/eopguard.conf"
RELAY_PORT=
postfix_start relay RELAY_PORT "$SINK_PORT" </dev/null
LOG="$T_DIR/relay/maillog"

# load MESSAGES: smtp-source in the background (5 sessions); sets LOAD_PID.
load() {
	smtp-source -A -s 5 -m "$1" -l 1024 -f app@contoso.test -t user@example.net -S fault \
		"127.0.0.1:$RELAY_PORT" >"$T_DIR/load.out" 2>&1 &
	LOAD_PID=$!
}
# accepted: distinct queue ids that entered the relay's active queue.
accepted() { grep -c 'postfix/qmgr.*: from=<app@contoso.test>' "$LOG"; }
# check_invariants PHASE
check_invariants() {
	wait "$LOAD_PID" 2>/dev/null
	wait_queue_empty relay 30 || t_fail "$1: the relay queue did not drain"
	wait_for 20 sh -c "[ \$(find '$T_DIR/sink' -type f | wc -l) -ge \$(grep -c 'postfix/qmgr.*: from=<app@contoso.test>' '$LOG') ]" || true
	a=$(accepted)
	s=$(sink_count sink)
	t_check "$1: every accepted message reached the next hop ($a accepted, $s delivered)" test "$a" -eq "$s"
	t_nogrep "$1: nothing bounced" "status=bounced" "$LOG"
	t_check "$1: no 5xx refusal" sh -c "! grep -E 'milter-reject: .*: 5[0-9][0-9] |: 5\.[0-9]+\.[0-9]+ eopguard|reject: .*: 5[0-9][0-9] ' '$LOG'"
	r=$(grep -c 'milter-reject\|Service unavailable' "$LOG" || true)
	echo "    ($1: $r refusals so far, all temporary)"
}
alive() {
	send_mail "$RELAY_PORT" "$T_DIR/alive-$1" --from app@contoso.test --to user@example.net --header "Subject: alive-$1"
	t_grep "$1: eopguard still serves (250 with its header)" "<-  250 2.0.0 Ok: queued" "$T_DIR/alive-$1"
	wait_for 20 test "$(sink_message sink "alive-$1")" != /dev/null || true
	t_grep "$1: the message carries X-EOPGuard" "X-EOPGuard: relay.test; verdict=pass" "$(sink_message sink "alive-$1")"
}

# (a) kill -9 and restart under load
load 2000
sleep 0.5
kill -KILL "$EG_PID"
sleep 1   # mail meets the dead milter meanwhile
eopguard_start "$T_DIR/eopguard.conf"
check_invariants "kill -9"
t_check "kill -9: mail was refused (4xx) while eopguard was down" grep -q 'milter .*: can.t\|451 4.7.1\|Service unavailable' "$LOG"
alive kill

# (b) a reload every half second under load
load 2000
# reloaded_at_least N: the log has N "configuration reloaded" lines.
reloaded_at_least() { [ "$(grep -c 'configuration reloaded' "$T_DIR/eopguard.log")" -ge "$1" ]; }
i=0
missed=0
while [ $i -lt 10 ]; do
	i=$((i + 1))
	kill -USR1 "$EG_PID"
	# Signals sent faster than a reload runs are coalesced: wait for each one.
	wait_for 10 reloaded_at_least "$i" || missed=$((missed + 1))
	sleep 0.3
done
check_invariants "reloads"
t_check "reloads: eopguard reloaded each of the 10 times" test "$missed" -eq 0
alive reload

# (c) the certificate file broken, then good again, under load
load 3000
sleep 0.3
printf 'not a certificate\n' > "$T_DIR/tls/chain.pem.new" && mv "$T_DIR/tls/chain.pem.new" "$T_DIR/tls/chain.pem"
wait_for 15 grep -q 'identity: state=fail findings=cert-unreadable' "$T_DIR/eopguard.log" || t_fail "broken file not noticed"
sleep 2
cp "$C/good.pem" "$T_DIR/tls/chain.pem.new" && mv "$T_DIR/tls/chain.pem.new" "$T_DIR/tls/chain.pem"
wait_for 15 sh -c "grep 'identity: state=' '$T_DIR/eopguard.log' | tail -1 | grep -q state=pass" || t_fail "good file not noticed"
check_invariants "certificate swap"
t_check "certificate swap: the broken file deferred mail (451 4.7.64)" grep -q 'milter-reject: END-OF-MESSAGE.*4.7.64 eopguard: cert-unreadable' "$LOG"
t_grep "certificate swap: the same diagnosis as eopguardctl check" 'findings=cert-unreadable hint="identity.client_cert '"$T_DIR"'/tls/chain.pem: it holds no PEM certificate"' "$T_DIR/eopguard.log"
alive cert

# (d) the configuration path turned into a directory, then SIGUSR1: the
# reload fails with the reason, the running configuration stays, mail passes.
mv "$T_DIR/eopguard.conf" "$T_DIR/eopguard.conf.saved"
mkdir "$T_DIR/eopguard.conf"
kill -USR1 "$EG_PID"
wait_for 10 grep -q "reload failed, keeping the running configuration: $T_DIR/eopguard.conf: is a directory" "$T_DIR/eopguard.log" ||
	t_fail "directory as configuration: no 'reload failed ... is a directory' line"
t_check "directory as configuration: eopguard survives the reload" kill -0 "$EG_PID"
alive confdir
rmdir "$T_DIR/eopguard.conf"
mv "$T_DIR/eopguard.conf.saved" "$T_DIR/eopguard.conf"
run_t_dir=$("$top_builddir/eopguard" -t -c "$T_DIR" 2>&1); rc=$?
t_check "directory as configuration: -t exits 78 (not 2)" test "$rc" -eq 78
case $run_t_dir in *"$T_DIR: is a directory"*) t_ok "directory as configuration: -t names the path" ;;
*) t_fail "directory as configuration: -t said: $run_t_dir" ;; esac

t_check "eopguard is the same process after (b), (c) and (d)" kill -0 "$EG_PID"
t_done
