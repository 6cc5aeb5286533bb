#!/bin/sh
# Stalled MTA connections cannot use up eopguard unnoticed: with a limit of
# 64 open files (prlimit), 50 TCP connections that each send the start of a
# milter packet and then stall make it warn, once, that descriptors run out,
# and the timeout option (smfi_settimeout) closes them.
. "$top_srcdir/tests/lib/common.sh"
[ "$(id -u)" -eq 0 ] || die "must run as root"
for c in prlimit bash ss; do command -v $c >/dev/null 2>&1 || die "$c is missing"; done
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/eopguard-limits.XXXXXX") || die "mktemp"
EG_PID= HOLD_PID=
cleanup() {
	[ -n "$HOLD_PID" ] && kill "$HOLD_PID" 2>/dev/null
	[ -n "$EG_PID" ] && kill "$EG_PID" 2>/dev/null && wait "$EG_PID" 2>/dev/null
	rm -rf "$T_DIR"
}
trap cleanup EXIT
cat > "$T_DIR/eg.conf" <<EOT
user = ""
pidfile = ""
log = "$T_DIR/eg.log"
timeout = 10
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "ip"
}
EOT
for try in 1 2 3 4 5; do
	PORT=$(free_port)
	prlimit --nofile=64:64 "$top_builddir/eopguard" -f -c "$T_DIR/eg.conf" -p "inet:$PORT@127.0.0.1" \
		>"$T_DIR/eg.out" 2>&1 &
	EG_PID=$!
	wait_for 5 port_listening_pid "$PORT" "$EG_PID" && break
	kill "$EG_PID" 2>/dev/null; wait "$EG_PID" 2>/dev/null; EG_PID=
done
[ -n "$EG_PID" ] || die "eopguard did not listen: $(cat "$T_DIR/eg.out")"
# 50 connections that stall inside their first packet (a length, then 2 of
# its 13 bytes), held open by one bash for 30 s at most.
bash -c 'for i in $(seq 1 50); do exec {fd}<>"/dev/tcp/127.0.0.1/$1" || exit 1; printf "\000\000\000\015O\000" >&$fd; done; sleep 30' - "$PORT" &
HOLD_PID=$!
wait_for 15 grep -q "of 64 open files in use" "$T_DIR/eg.log" ||
	t_fail "no warning near the descriptor limit"
t_grep "the warning says what happens and what helps" "past the limit MTA connections are refused and the MTA applies milter_default_action; connections stalled inside a command close after timeout = 10 s" "$T_DIR/eg.log"
established() { ss -Htn state established "( sport = :$PORT )" | wc -l; }
t_check "the stalled connections were open" test "$(established)" -ge 40
# timeout = 10: libmilter closes a connection stalled that long inside a packet
wait_for 25 sh -c "[ \$(ss -Htn state established '( sport = :$PORT )' | wc -l) -eq 0 ]" ||
	t_fail "stalled connections still open after the timeout: $(established)"
t_check "after the timeout no stalled connection is left" test "$(established)" -eq 0
t_check "eopguard still runs" kill -0 "$EG_PID"
t_check "warned once (a minute at most), not at every poll" test "$(grep -c 'open files in use' "$T_DIR/eg.log")" -eq 1
kill "$HOLD_PID" 2>/dev/null; wait "$HOLD_PID" 2>/dev/null; HOLD_PID=
t_done
