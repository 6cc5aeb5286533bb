# Shared shell helpers for eopguard's integration tests and scripts.
# POSIX sh. Source it; it defines t_ok/t_fail counters and a summary.
#
# Every test prints "ok - what" or "not ok - what (detail)" and ends with
# "N passed, N failed" so CI can count; t_done exits non-zero on a failure.

T_PASSED=0
T_FAILED=0

t_ok() { T_PASSED=$((T_PASSED + 1)); echo "ok - $*"; }
t_fail() { T_FAILED=$((T_FAILED + 1)); echo "not ok - $*"; }

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
	echo "$T_PASSED passed, $T_FAILED failed"
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

# free_port: print a TCP port on 127.0.0.1 nobody listens on.
free_port() {
	while :; do
		p=$(( (($$ * 7919) + $(od -An -N2 -tu2 /dev/urandom)) % 30000 + 20000 ))
		if ! port_listening "$p"; then echo "$p"; return 0; fi
	done
}
