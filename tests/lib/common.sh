# Shared shell helpers for eopguard's integration tests and scripts.
# POSIX sh. Source it; it defines t_ok/t_fail counters and a summary.
#
# Every test prints "ok - what" or "not ok - what (detail)" and ends with
# "N passed, N failed" so CI can count; t_done exits non-zero on a failure.

T_PASSED=0
T_FAILED=0
T_SKIPPED=0

t_ok() { T_PASSED=$((T_PASSED + 1)); echo "ok - $*"; }
t_fail() { T_FAILED=$((T_FAILED + 1)); echo "not ok - $*"; }
# t_skip "what (why)": a check this machine cannot make; printed and counted, never a pass.
t_skip() { T_SKIPPED=$((T_SKIPPED + 1)); echo "SKIP - $*"; }

# t_check "what" command...: ok when the command succeeds.
t_check() {
	what=$1; shift
	if "$@"; then t_ok "$what"; else t_fail "$what"; fi
}

# t_grep "what" PATTERN FILE: ok when FILE contains the fixed string PATTERN.
t_grep() {
	if grep -qF -- "$2" "$3" 2>/dev/null; then t_ok "$1"; else t_fail "$1 (no '$2' in $3)"; [ -f "$3" ] && sed 's/^/    | /' "$3" | tail -20; fi
}

# t_nogrep "what" PATTERN FILE: ok when FILE does not contain PATTERN.
t_nogrep() {
	if grep -qF -- "$2" "$3" 2>/dev/null; then t_fail "$1 ('$2' found in $3)"; else t_ok "$1"; fi
}

t_done() {
	if [ "$T_SKIPPED" -gt 0 ]; then
		echo "$T_PASSED passed, $T_FAILED failed, $T_SKIPPED skipped"
	else
		echo "$T_PASSED passed, $T_FAILED failed"
	fi
	[ "$T_FAILED" -eq 0 ]
}

# die "message": a setup step failed; the test cannot go on and fails loudly.
die() {
	echo "not ok - setup: $*"
	T_FAILED=$((T_FAILED + 1))
	echo "$T_PASSED passed, $T_FAILED failed"
	exit 1
}

# wait_for SECONDS command...: poll every 0.1 s until the command succeeds.
wait_for() {
	limit=$(($1 * 10)); shift
	n=0
	while ! "$@" >/dev/null 2>&1; do
		n=$((n + 1))
		[ $n -ge $limit ] && return 1
		sleep 0.1
	done
	return 0
}

# port_listening PORT: true when something listens on TCP PORT.
port_listening() {
	ss -Hltn "sport = :$1" | grep -q .
}

# port_listening_pid PORT PID: true when process PID itself listens on TCP PORT.
port_listening_pid() {
	ss -Hltnp "sport = :$1" | grep -q "pid=$2,"
}

# port_in_use PORT: true when any TCP socket on this machine uses PORT
# locally (a listener, or a connection of any state).
port_in_use() {
	ss -Htan "( sport = :$1 )" | grep -q .
}

# free_port: print a TCP port nobody uses, below the kernel's ephemeral range
# (/proc/sys/net/ipv4/ip_local_port_range) so that an outgoing connection of
# another process cannot take it between our pick and our bind. A start that
# fails to bind all the same is retried by the caller (see postfix.sh).
free_port() {
	lo=10000 hi=32767
	# cat, not read: dash reads a /proc file a byte at a time and gets one byte.
	eph=$(cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null)
	eph_lo=${eph%%[!0-9]*} eph_hi=${eph##*[!0-9]}
	if [ -n "$eph_lo" ] && [ -n "$eph_hi" ]; then
		if [ "$eph_lo" -gt $((lo + 1000)) ]; then
			hi=$((eph_lo - 1))
		elif [ "$eph_hi" -lt 64535 ]; then
			lo=$((eph_hi + 1)) hi=65535
		fi
	fi
	while :; do
		p=$(( $(od -An -N2 -tu2 /dev/urandom) % (hi - lo + 1) + lo ))
		if ! port_in_use "$p"; then echo "$p"; return 0; fi
	done
}
