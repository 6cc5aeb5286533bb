#!/bin/sh
# Idle MTA connections cannot use up eopguard unnoticed: with a limit of 64
# open files (prlimit), 50 silent TCP connections make it warn, once, that
# descriptors run out; connections that stall inside a packet are closed by
# the timeout option (smfi_settimeout). And a full disk under
# the log file: the lines it keeps out are counted and reported once there
# is room again.
. "$top_srcdir/tests/lib/common.sh"
[ "$(id -u)" -eq 0 ] || die "must run as root"
for c in prlimit bash ss; do command -v $c >/dev/null 2>&1 || die "$c is missing"; done
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/eopguard-limits.XXXXXX") || die "mktemp"
EG_PID= HOLD_PID=
cleanup() {
	[ -n "$HOLD_PID" ] && kill "$HOLD_PID" 2>/dev/null
	[ -n "$EG_PID" ] && kill "$EG_PID" 2>/dev/null && wait "$EG_PID" 2>/dev/null
	grep -q " $T_DIR/small " /proc/mounts && umount "$T_DIR/small"
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
# 50 connections that say nothing, held open by one bash for 30 s at most:
# they fill the descriptors (libmilter keeps a connection that waits).
bash -c 'for i in $(seq 1 50); do exec {fd}<>"/dev/tcp/127.0.0.1/$1" || exit 1; done; sleep 30' - "$PORT" &
HOLD_PID=$!
wait_for 15 grep -q "of 64 open files in use" "$T_DIR/eg.log" ||
	t_fail "no warning near the descriptor limit"
t_grep "the warning says what happens and what helps" "past the limit MTA connections are refused and the MTA applies milter_default_action; connections stalled inside a command close after timeout = 10 s" "$T_DIR/eg.log"
established() { ss -Htn state established "( sport = :$PORT )" | wc -l; }
t_check "the silent connections were open" test "$(established)" -ge 40
kill "$HOLD_PID" 2>/dev/null; wait "$HOLD_PID" 2>/dev/null; HOLD_PID=
wait_for 10 sh -c "[ \$(ss -Htn state established '( sport = :$PORT )' | wc -l) -eq 0 ]" || t_fail "the silent connections did not go"
# 2 connections that stall inside their first packet (a length, then 2 of
# its 13 bytes): timeout = 10 closes them (libmilter's workers take them in
# turn, so allow a few timeouts).
bash -c 'for i in 1 2; do exec {fd}<>"/dev/tcp/127.0.0.1/$1" || exit 1; printf "\000\000\000\015O\000" >&$fd; done; sleep 45' - "$PORT" &
HOLD_PID=$!
wait_for 5 sh -c "[ \$(ss -Htn state established '( sport = :$PORT )' | wc -l) -ge 2 ]" || t_fail "the stalled connections did not open"
wait_for 40 sh -c "[ \$(ss -Htn state established '( sport = :$PORT )' | wc -l) -eq 0 ]" ||
	t_fail "stalled connections still open after the timeout: $(established)"
t_check "after the timeout no stalled connection is left" test "$(established)" -eq 0
t_check "eopguard still runs" kill -0 "$EG_PID"
t_check "warned once (a minute at most), not at every poll" test "$(grep -c 'open files in use' "$T_DIR/eg.log")" -eq 1
kill "$HOLD_PID" 2>/dev/null; wait "$HOLD_PID" 2>/dev/null; HOLD_PID=
kill "$EG_PID"; wait "$EG_PID" 2>/dev/null; EG_PID=

# A full disk: the log on a 64 KiB tmpfs, filled up, then reloads (each logs a line).
mkdir -p "$T_DIR/small"
mount -t tmpfs -o size=64k tmpfs "$T_DIR/small" || die "cannot mount a small tmpfs"
sed "s|^log = .*|log = \"$T_DIR/small/eg.log\"|" "$T_DIR/eg.conf" > "$T_DIR/eg-small.conf"
"$top_builddir/eopguard" -f -c "$T_DIR/eg-small.conf" -p "unix:$T_DIR/eg.sock" >"$T_DIR/eg-small.out" 2>&1 &
EG_PID=$!
wait_for 5 test -S "$T_DIR/eg.sock" || die "eopguard did not start: $(cat "$T_DIR/eg-small.out")"
dd if=/dev/zero of="$T_DIR/small/filler" bs=1k count=128 2>/dev/null   # stops when the disk is full
lines_before=$(wc -l < "$T_DIR/small/eg.log")
# The log's last page still has room: 40 reloads of about 150 bytes each overflow it.
for i in $(seq 1 40); do kill -USR1 "$EG_PID"; sleep 0.05; done
sleep 1
written=$(($(wc -l < "$T_DIR/small/eg.log") - lines_before))
t_check "while the disk is full lines are lost ($written of 40 written)" test "$written" -lt 40
rm -f "$T_DIR/small/filler"
kill -USR1 "$EG_PID"
wait_for 10 grep -q "lines\{0,1\} could not be written since" "$T_DIR/small/eg.log" || t_fail "no line about the lost lines"
lost=$(sed -n 's/.*eopguard\[[0-9]*\]: log: \([0-9]*\) lines\{0,1\} could not be written since.*/\1/p' "$T_DIR/small/eg.log" | tail -1)
t_check "the lost lines are counted (${lost:-none}), no more than were sent" sh -c "[ '${lost:-0}' -ge 1 ] && [ \$(( ${lost:-0} + $written )) -le 40 ]"
t_grep "the reason is given" "(No space left on device)" "$T_DIR/small/eg.log"
t_check "logging goes on after it" sh -c "tail -1 '$T_DIR/small/eg.log' | grep -q 'configuration reloaded'"
t_done
