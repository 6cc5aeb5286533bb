#!/bin/sh
# Run one miltertest script against a private eopguard.
# The script's "-- conf: " lines are appended to milter.conf.in; the daemon
# listens on a unix socket in a temporary directory and is stopped by PID.
set -u
script=$1
: "${top_srcdir:?run through make check}" "${top_builddir:?run through make check}"
command -v miltertest >/dev/null 2>&1 || { echo "FAIL: miltertest not installed (apt-get install miltertest)"; exit 1; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/eopguard-mt.XXXXXX")
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		wait "$pid" 2>/dev/null
	fi
	rm -rf "$dir"
}

# stop_daemon: SIGTERM, and fail when eopguard does not exit cleanly (under
# the sanitizers a leak or an error makes its exit status non-zero).
stop_daemon() {
	kill -TERM "$pid"
	wait "$pid"
	drc=$?
	pid=
	if [ $drc -ne 0 ]; then
		echo "not ok - eopguard exited $drc on SIGTERM:"; cat "$dir/stderr"
		return 1
	fi
	echo "ok - eopguard stopped cleanly"
}
trap cleanup EXIT INT TERM

sed "s|@DIR@|$dir|g" "$top_srcdir/tests/milter/milter.conf.in" > "$dir/eopguard.conf"
# Scripts marked "-- tcp" talk to eopguard over TCP on a free loopback port.
sockspec="unix:$dir/eopguard.sock"
tcp=false
grep -q '^-- tcp$' "$script" && tcp=true && . "$top_srcdir/tests/lib/common.sh"
sed -n 's/^-- conf: //p' "$script" | sed "s|@CERTS@|$dir/certs|g" >> "$dir/eopguard.conf"
# Scripts that name @CERTS@ get the certificate fixtures, made now.
if grep -q '@CERTS@' "$script"; then
	sh "$top_srcdir/tests/certs/mkcerts.sh" "$dir/certs" >/dev/null || { echo "FAIL: mkcerts.sh"; exit 1; }
fi

listening() {
	case $sockspec in
	unix:*) [ -S "$dir/eopguard.sock" ] ;;
	*) port_listening "$(echo "$sockspec" | sed 's/^inet:\([0-9]*\)@.*/\1/')" ;;
	esac
}
# start_daemon: true once eopguard listens; a TCP port that another process
# took between the pick and the bind makes it pick another (up to 5 times).
start_daemon() {
	try=1
	while :; do
		$tcp && sockspec="inet:$(free_port)@127.0.0.1"
		"$top_builddir/eopguard" -f -c "$dir/eopguard.conf" $($tcp && echo "-p $sockspec") 2>"$dir/stderr" &
		pid=$!
		i=0
		while ! listening; do
			i=$((i + 1))
			if [ $i -gt 50 ] || ! kill -0 "$pid" 2>/dev/null; then
				wait "$pid" 2>/dev/null
				pid=
				if $tcp && [ $try -lt 5 ] && grep -q 'in use' "$dir/stderr"; then
					echo "# port of $sockspec was taken; picking another"
					try=$((try + 1))
					continue 2
				fi
				echo "FAIL: eopguard did not start:"; cat "$dir/stderr"; return 1
			fi
			sleep 0.1
		done
		return 0
	done
}
start_daemon || exit 1

EOPGUARD_SOCKET="$sockspec" EOPGUARD_LOG="$dir/eopguard.log" \
EOPGUARD_LIB="$top_srcdir/tests/milter/lib.lua" \
	miltertest ${MILTERTEST_FLAGS:-} -s "$script"
rc=$?
stop_daemon || rc=1
if [ $rc -ne 0 ]; then
	echo "--- miltertest exit $rc; configuration:"; cat "$dir/eopguard.conf"
	echo "--- eopguard log:"; cat "$dir/eopguard.log" "$dir/stderr" 2>/dev/null
fi
exit $rc
