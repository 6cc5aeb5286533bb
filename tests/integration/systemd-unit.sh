#!/bin/sh
# The shipped systemd unit and the sample configuration work together: the
# runtime directory is made exactly as the unit's RuntimeDirectory= and
# RuntimeDirectoryMode= make it (root:root, since the service starts as
# root), eopguard runs with the sample's socket, socket_mode and
# socket_group inside it, and a private Postfix whose smtpd and cleanup run
# as the postfix user passes mail through it.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/postfix.sh"
t_setup
UNIT="$top_srcdir/contrib/systemd/eopguard.service"
SAMPLE="$top_srcdir/conf/eopguard.conf"
unit_value() { sed -n "s/^$1=//p" "$UNIT" | tail -1; }
sample_value() { sed -n "s/^$1 *= *\"\\([^\"]*\\)\".*/\\1/p" "$SAMPLE" | head -1; }

rundir_name=$(unit_value RuntimeDirectory)
rundir_mode=$(unit_value RuntimeDirectoryMode)
t_check "unit: RuntimeDirectory is eopguard" test "$rundir_name" = eopguard
t_check "unit: starts as root (no User=), so the directory is root:root" sh -c "! grep -q '^User=' '$UNIT'"
sock=$(sample_value socket)
t_check "sample: the socket is in the unit's runtime directory" test "${sock#local:/run/$rundir_name/}" != "$sock"
t_check "sample: the pidfile is the unit's PIDFile" test "$(sample_value pidfile)" = "$(unit_value PIDFile)"
group=$(sample_value socket_group)
mode=$(sample_value socket_mode)
t_check "sample: socket_group is postfix" test "$group" = postfix

# The runtime directory as systemd would make it, under the test's directory.
R="$T_DIR/run-as-unit"
mkdir -m "${rundir_mode:-0755}" "$R"
chown root:root "$R"
chmod "${rundir_mode:-0755}" "$R"
sink_start sink
cat > "$T_DIR/eopguard.conf" <<EOT
socket = "local:$R/$(basename "${sock#local:}")"
socket_mode = "$mode"
socket_group = "$group"
user = "nobody"
pidfile = "$R/eopguard.pid"
log = "$T_DIR/eopguard.log"
authserv_id = "relay.test"
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "ip"
}
EOT
touch "$T_DIR/eopguard.log" && chown nobody "$T_DIR/eopguard.log"
"$top_builddir/eopguard" -c "$T_DIR/eopguard.conf" >"$T_DIR/start.out" 2>&1 || die "eopguard did not start: $(cat "$T_DIR/start.out")"
wait_for 5 test -s "$R/eopguard.pid" || die "no pidfile in $R"
EG_PID=$(cat "$R/eopguard.pid")
T_PIDS="$T_PIDS $EG_PID"
wait_for 5 test -S "$R/eopguard.sock" || die "no socket in $R"
t_check "socket: group $group, mode $mode" test "$(stat -c '%G %a' "$R/eopguard.sock")" = "$group ${mode#0}"
RELAY_PORT=
postfix_start relay RELAY_PORT "$SINK_PORT" <<EOT
smtpd_milters = unix:$R/eopguard.sock
EOT
send_mail "$RELAY_PORT" "$T_DIR/send" --from app@contoso.test --to user@example.net --header "Subject: through-the-unit-dir"
t_grep "Postfix reached the socket: 250" "<-  250 2.0.0 Ok: queued" "$T_DIR/send"
wait_for 20 sink_has sink 1 || t_fail "the message did not reach the next hop"
t_grep "the message carries X-EOPGuard" "X-EOPGuard: relay.test; verdict=pass" "$(sink_message sink through-the-unit-dir)"
t_check "Postfix's smtpd ran as the postfix user" sh -c "ps -eo user=,args= | grep -v grep | grep 'smtpd -n 127.0.0.1:$RELAY_PORT' | grep -q '^postfix '"
t_check "Postfix's cleanup ran as the postfix user" sh -c "ps -eo user=,args= | grep -v grep | grep 'cleanup' | grep -q '^postfix '"
t_nogrep "Postfix logged no permission problem" "Permission denied" "$T_DIR/relay/maillog"
t_done
