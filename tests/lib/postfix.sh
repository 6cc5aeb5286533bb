# Private Postfix instances, eopguard and smtp-sink for integration tests.
# POSIX sh; source common.sh first. Everything lives under $T_DIR, listens on
# 127.0.0.1 only, and is stopped by PID (or "postfix -c DIR stop") at exit.
#
# Needs root (Postfix's master must start as root).

: "${top_builddir:?}" "${top_srcdir:?}"
T_PIDS=""
T_POSTFIX_DIRS=""

t_setup() {
	[ "$(id -u)" -eq 0 ] || die "integration tests must run as root (Postfix's master needs it)"
	for cmd in postfix postconf postqueue smtp-sink swaks ss; do
		command -v "$cmd" >/dev/null 2>&1 || die "$cmd is not installed; run sh contrib/test.sh, which installs it"
	done
	T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/eopguard-it.XXXXXX") || die "mktemp"
	chmod 755 "$T_DIR"
	trap t_cleanup EXIT
	trap 'exit 1' INT TERM
}

t_cleanup() {
	for d in $T_POSTFIX_DIRS; do
		postfix -c "$d/etc" stop >/dev/null 2>&1
	done
	for p in $T_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	# The daemon is not our child (it forks away): wait until each PID is
	# gone, so that it has finished its own exit (and, under the
	# sanitizers, written its report) before the test counts as over.
	stuck=0
	for p in $T_PIDS; do
		wait "$p" 2>/dev/null
		if ! wait_for 20 sh -c "! kill -0 $p"; then
			echo "not ok - cleanup: pid $p ($(ps -o comm= -p "$p")) did not stop on SIGTERM; killed"
			kill -KILL "$p" 2>/dev/null
			stuck=1
		fi
	done
	if [ "$T_FAILED" -gt 0 ] || [ -n "${KEEP_TMP:-}" ]; then
		for f in "$T_DIR"/*/maillog "$T_DIR"/eopguard.log; do
			[ -f "$f" ] && { echo "--- $f"; tail -30 "$f"; }
		done
	fi
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$T_DIR"
	[ $stuck -eq 0 ] || exit 1
}

# sink_start NAME: smtp-sink on a free port, dumping messages into $T_DIR/NAME/.
# Sets SINK_PORT. A port taken between the pick and the bind is retried.
sink_start() {
	mkdir -p "$T_DIR/$1"
	chown nobody "$T_DIR/$1"
	for try in 1 2 3 4 5; do
		SINK_PORT=$(free_port)
		smtp-sink -u nobody -d "$T_DIR/$1/%H%M%S." "127.0.0.1:$SINK_PORT" 100 2>"$T_DIR/$1.err" &
		sink_pid=$!
		if wait_for 5 port_listening_pid "$SINK_PORT" "$sink_pid"; then
			T_PIDS="$T_PIDS $sink_pid"
			return 0
		fi
		kill "$sink_pid" 2>/dev/null
		wait "$sink_pid" 2>/dev/null
		grep -q 'in use' "$T_DIR/$1.err" || break
		echo "# smtp-sink: port $SINK_PORT was taken; try $try of 5, picking another"
	done
	die "smtp-sink did not start: $(cat "$T_DIR/$1.err")"
}

# sink_count NAME: number of messages the sink received.
sink_count() {
	find "$T_DIR/$1" -type f | wc -l
}

# sink_has NAME N: the sink received at least N messages.
sink_has() {
	[ "$(sink_count "$1")" -ge "$2" ]
}

# sink_message NAME SUBJECT: path of the dumped message with that Subject.
sink_message() {
	m=$(grep -l "^Subject: $2\$" "$T_DIR/$1"/* 2>/dev/null | head -1)
	echo "${m:-/dev/null}"
}

# eopguard_conf FILE: write a configuration with the given extra text on stdin.
eopguard_conf() {
	{
		echo "socket = \"unix:$T_DIR/run/eopguard.sock\""
		echo "socket_mode = \"0660\""
		echo "socket_group = \"postfix\""
		echo "user = \"nobody\""
		echo "pidfile = \"$T_DIR/run/eopguard.pid\""
		echo "log = \"$T_DIR/eopguard.log\""
		echo "authserv_id = \"relay.test\""
		cat
	} > "$1"
}

# eopguard_start CONF: start the daemon (it forks into the background).
# Sets EG_PID.
eopguard_start() {
	mkdir -p "$T_DIR/run"
	chown nobody "$T_DIR/run"
	touch "$T_DIR/eopguard.log"
	chown nobody "$T_DIR/eopguard.log"
	# A stale pidfile (after a kill -9) stays: eopguard must start over it.
	stale=$(cat "$T_DIR/run/eopguard.pid" 2>/dev/null)
	"$top_builddir/eopguard" -c "$1" || die "eopguard -c $1 exited $?"
	wait_for 5 sh -c "p=\$(cat '$T_DIR/run/eopguard.pid' 2>/dev/null); [ -n \"\$p\" ] && [ \"\$p\" != '$stale' ]" ||
		die "eopguard wrote no (new) pidfile"
	EG_PID=$(cat "$T_DIR/run/eopguard.pid")
	T_PIDS="$T_PIDS $EG_PID"
	wait_for 5 test -S "$T_DIR/run/eopguard.sock" || die "eopguard socket did not appear"
}

# eopguard_stop: SIGTERM and wait until the process is gone.
eopguard_stop() {
	kill -TERM "$EG_PID" 2>/dev/null
	wait_for 15 sh -c "! kill -0 $EG_PID" || die "eopguard $EG_PID did not stop"
}

# postfix_start NAME PORTVAR NEXTHOP_PORT [main.cf lines on stdin]: a private
# relay listening on 127.0.0.1:$PORTVAR, relaying everything to
# 127.0.0.1:NEXTHOP_PORT. PORTVAR names a shell variable: when it is empty a
# free port is picked; when the bind fails because another process took the
# port meanwhile, another is picked (up to 5 tries). The port in use is left
# in the variable. A parameter given on stdin replaces the default one of the
# same name (each is set once, so Postfix warns about no overriding entry).
postfix_start() {
	name=$1 port_var=$2 next=$3
	eval "port=\${$port_var:-}"
	d="$T_DIR/$name"
	mkdir -p "$d/etc" "$d/queue" "$d/data"
	chown postfix "$d/data"
	cat > "$d/etc/main.cf.extra"
	cat > "$d/etc/main.cf.default" <<EOT
compatibility_level = 3.6
queue_directory = $d/queue
data_directory = $d/data
maillog_file = $d/maillog
maillog_file_prefixes = $T_DIR
myhostname = $name.relay.test
mydomain = relay.test
myorigin = relay.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
relayhost = [127.0.0.1]:$next
smtp_dns_support_level = disabled
smtpd_relay_restrictions = permit_mynetworks, reject
local_header_rewrite_clients =
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtp_tls_security_level = none
smtpd_tls_security_level = none
smtpd_milters = unix:$T_DIR/run/eopguard.sock
milter_default_action = tempfail
milter_protocol = 6
smtpd_banner = \$myhostname ESMTP
EOT
	# The defaults less the names given on stdin, then what stdin gave.
	awk 'FILENAME == ARGV[1] { if (match($0, /^[A-Za-z0-9_]+[ \t]*=/)) { n = $0; sub(/[ \t]*=.*/, "", n); given[n] = 1 } next }
	     /^[A-Za-z0-9_]+[ \t]*=/ { n = $0; sub(/[ \t]*=.*/, "", n); if (n in given) next }
	     { print }' "$d/etc/main.cf.extra" "$d/etc/main.cf.default" > "$d/etc/main.cf"
	cat "$d/etc/main.cf.extra" >> "$d/etc/main.cf"
	rm -f "$d/etc/main.cf.extra" "$d/etc/main.cf.default"
	# Never the system instance: the queue must be the private one.
	grep -q "^queue_directory = $d/queue\$" "$d/etc/main.cf" || die "postfix $name: main.cf lost its private queue_directory"
	# Postfix reports fatal start-up errors only to syslog or a terminal;
	# script(1) gives it a terminal so the reason reaches the test output.
	try=1
	while :; do
		[ -n "$port" ] || port=$(free_port)
		postfix_master_cf "$port" > "$d/etc/master.cf"
		out=$(script -qec "postfix -c $d/etc check" /dev/null 2>&1) || die "postfix check ($d): $out"
		out=$(script -qec "postfix -c $d/etc start" /dev/null 2>&1) && break
		case $out in
		*"in use"*) [ $try -lt 5 ] || die "postfix start ($d): port taken 5 times: $out"
			echo "# postfix $name: port $port was taken; try $try of 5, picking another"
			try=$((try + 1)) port= ;;
		*) die "postfix start ($d): $out" ;;
		esac
	done
	T_POSTFIX_DIRS="$T_POSTFIX_DIRS $d"
	eval "$port_var=$port"
	wait_for 10 port_listening "$port" || die "postfix $name is not listening on $port"
}

# postfix_master_cf PORT: a master.cf with smtpd on 127.0.0.1:PORT.
postfix_master_cf() {
	port=$1
	cat <<EOT
127.0.0.1:$port inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
EOT
}

# send_mail PORT OUTFILE swaks-args...: one SMTP transaction; output kept for greps.
send_mail() {
	port=$1 out=$2; shift 2
	swaks --server "127.0.0.1:$port" --helo client.test --timeout 30 "$@" > "$out" 2>&1
	return 0
}

# queue_json NAME: postqueue -j of a private instance.
queue_json() {
	postqueue -c "$T_DIR/$1/etc" -j 2>/dev/null
}

# held NAME: true when the instance's hold queue has a message (waits up to 10 s).
held() {
	wait_for 10 sh -c "postqueue -c '$T_DIR/$1/etc' -j | grep -q '\"queue_name\": \"hold\"'"
}

# wait_queue_empty NAME SECONDS
wait_queue_empty() {
	wait_for "$2" sh -c "[ -z \"\$(postqueue -c '$T_DIR/$1/etc' -j 2>/dev/null)\" ]"
}
