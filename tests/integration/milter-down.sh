#!/bin/sh
# Nothing is lost when eopguard dies: with milter_default_action = tempfail
# Postfix answers 4xx, and after a restart mail flows again. Also: a clean
# SIGTERM stop removes the pidfile and socket.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/postfix.sh"
t_setup

sink_start sink
eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "ip"
}
EOT
eopguard_start "$T_DIR/eopguard.conf"
RELAY_PORT=
postfix_start relay RELAY_PORT "$SINK_PORT" </dev/null

send_mail "$RELAY_PORT" "$T_DIR/before" --from a@contoso.test --to u@example.net --header "Subject: before"
t_grep "before the crash: accepted" "<-  250 2.0.0 Ok: queued" "$T_DIR/before"

kill -KILL "$EG_PID"
wait_for 5 sh -c "! kill -0 $EG_PID" || t_fail "eopguard survived SIGKILL"
send_mail "$RELAY_PORT" "$T_DIR/down" --from a@contoso.test --to u@example.net --header "Subject: down"
t_grep "milter down: client sees a temporary failure" "<** 451 4.7.1" "$T_DIR/down"
t_nogrep "milter down: message not accepted" "Ok: queued" "$T_DIR/down"

t_check "after SIGKILL the pidfile is stale" test "$(cat "$T_DIR/run/eopguard.pid" 2>/dev/null)" = "$EG_PID"
t_check "after SIGKILL the socket is stale" test -S "$T_DIR/run/eopguard.sock"
old_pid=$EG_PID
eopguard_start "$T_DIR/eopguard.conf"
t_check "restart over the stale pidfile and socket: a new process" test "$EG_PID" != "$old_pid"
t_check "restart: the new process is alive and listening" sh -c "kill -0 $EG_PID && test -S '$T_DIR/run/eopguard.sock'"
send_mail "$RELAY_PORT" "$T_DIR/after" --from a@contoso.test --to u@example.net --header "Subject: after"
t_grep "after the restart: accepted" "<-  250 2.0.0 Ok: queued" "$T_DIR/after"
wait_for 20 sink_has sink 2 || t_fail "messages did not reach the next hop"
t_grep "after the restart: annotated" "verdict=pass" "$(sink_message sink after)"
t_check "exactly the two accepted messages arrived" test "$(sink_count sink)" -eq 2

# A second daemon refuses to start while the first runs.
if "$top_builddir/eopguard" -c "$T_DIR/eopguard.conf" 2>"$T_DIR/second.err"; then
	t_fail "a second eopguard started"
else
	t_grep "second instance refused with a reason" "already running as pid $EG_PID" "$T_DIR/second.err"
fi

eopguard_stop
t_check "clean stop removes the pidfile" test ! -e "$T_DIR/run/eopguard.pid"
t_check "clean stop removes the socket" test ! -e "$T_DIR/run/eopguard.sock"
t_grep "clean stop logged" "eopguard stopping" "$T_DIR/eopguard.log"
t_done
