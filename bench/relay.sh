#!/bin/sh
# bench/relay.sh [MESSAGES] [RUNS]: relay throughput of a private Postfix
# (smtp-source -> relay -> smtp-sink) with no milter, with eopguard and with
# OpenDKIM in verify mode, over a unix socket and over TCP, at 10, 20 and 40
# sessions; one message per connection, 2 KiB each. Prints the median
# messages/s of RUNS runs and the ratio to no milter, then eopguard's peak RSS
# (also at 100 sessions). Defaults: 5000 messages, 3 runs. Needs root; installs
# opendkim if missing. Nothing is asserted. A "null milter" row
# (bench/nullmilter.c) shows what the milter protocol alone costs.
# SESSIONS="10 20 40" and ROWS="null eopguard opendkim" pick a subset.
set -eu
cd "$(dirname "$0")/.."
MESSAGES=${1:-5000}
RUNS=${2:-3}
top_srcdir=$(pwd)
top_builddir=${EOPGUARD_BUILD:-$(pwd)/_build/main}
export top_srcdir top_builddir
[ -x "$top_builddir/eopguard" ] || { echo "build first (sh contrib/test.sh)"; exit 1; }
command -v opendkim >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq opendkim >/dev/null
set +e
. tests/lib/common.sh
. tests/lib/postfix.sh
t_setup

C="$T_DIR/certs"
sh tests/certs/mkcerts.sh "$C" >/dev/null
chmod 755 "$C"
TCP_EG=$(free_port)
TCP_DKIM=$(free_port)
eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "certificate"
  certificate_domain = "mail.contoso.test"
  smarthost = "contoso-test.mail.protection.outlook.com"
}
identity {
  client_cert = "$C/good.pem"
  client_key = "$C/good.key"
  ca_file = "$C/root.pem"
}
EOT
eopguard_start "$T_DIR/eopguard.conf"
sed -i "s|pidfile = .*|pidfile = \"$T_DIR/run/eopguard-tcp.pid\"|" "$T_DIR/eopguard.conf"
"$top_builddir/eopguard" -c "$T_DIR/eopguard.conf" -p "inet:$TCP_EG@127.0.0.1"
wait_for 5 test -s "$T_DIR/run/eopguard-tcp.pid"
EG_TCP_PID=$(cat "$T_DIR/run/eopguard-tcp.pid")
T_PIDS="$T_PIDS $EG_TCP_PID"

mkdir -p "$T_DIR/dkim"
chown opendkim "$T_DIR/dkim" 2>/dev/null || chown nobody "$T_DIR/dkim"
dkim_start() {   # SOCKET PIDFILE
	cat > "$T_DIR/dkim/$2.conf" <<EOT
Mode v
Socket $1
UMask 000
PidFile $T_DIR/dkim/$2.pid
Syslog no
UserID $(id -u opendkim >/dev/null 2>&1 && echo opendkim || echo nobody)
EOT
	opendkim -x "$T_DIR/dkim/$2.conf"
	wait_for 5 test -s "$T_DIR/dkim/$2.pid" || { echo "opendkim did not start"; exit 1; }
	T_PIDS="$T_PIDS $(cat "$T_DIR/dkim/$2.pid")"
}
dkim_start "local:$T_DIR/dkim/dkim.sock" unix
dkim_start "inet:$TCP_DKIM@127.0.0.1" tcp

# The floor: a milter that does nothing (bench/nullmilter.c).
TCP_NULL=$(free_port)
mkdir -p "$T_DIR/null" && chmod 755 "$T_DIR/null"
cc -O2 -o "$T_DIR/null/nullmilter" bench/nullmilter.c -lmilter -pthread || { echo "cannot build bench/nullmilter.c"; exit 1; }
(umask 000; exec "$T_DIR/null/nullmilter" "unix:$T_DIR/null/null.sock") &
T_PIDS="$T_PIDS $!"
"$T_DIR/null/nullmilter" "inet:$TCP_NULL@127.0.0.1" &
T_PIDS="$T_PIDS $!"
wait_for 5 test -S "$T_DIR/null/null.sock" || { echo "nullmilter did not start"; exit 1; }

sink_start sink
RELAY_PORT=
postfix_start relay RELAY_PORT "$SINK_PORT" <<EOT
default_process_limit = 200
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
EOT
PF="$T_DIR/relay/etc"
postconf -c "$PF" -X smtpd_milters >/dev/null

use_milter() {   # MILTER-SPEC or ""
	postconf -c "$PF" -e "smtpd_milters = $1" >/dev/null
	postfix -c "$PF" reload >/dev/null 2>&1
	sleep 1
}
# one_run SESSIONS: messages/s of one smtp-source run.
one_run() {
	start=$(date +%s.%N)
	smtp-source -A -s "$1" -m "$MESSAGES" -l 2048 -f app@contoso.test -t user@example.net "127.0.0.1:$RELAY_PORT" >/dev/null 2>&1
	end=$(date +%s.%N)
	awk -v n="$MESSAGES" -v a="$start" -v b="$end" 'BEGIN { printf "%.0f\n", n / (b - a) }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
measure() {   # SESSIONS -> median msgs/s
	i=0
	while [ $i -lt "$RUNS" ]; do one_run "$1"; i=$((i + 1)); done | median
	wait_queue_empty relay 120 || true
	find "$T_DIR/sink" -type f -delete
}

printf '%-22s %8s %10s %12s\n' "milter" "sessions" "msgs/s" "vs none"
for s in ${SESSIONS:-10 20 40}; do
	use_milter ""
	base=$(measure "$s")
	printf '%-22s %8s %10s %12s\n' "none" "$s" "$base" "1.00"
	for m in "null milter unix:unix:$T_DIR/null/null.sock" "null milter tcp:inet:127.0.0.1:$TCP_NULL" \
		 "eopguard unix:unix:$T_DIR/run/eopguard.sock" "eopguard tcp:inet:127.0.0.1:$TCP_EG" \
		 "opendkim unix:unix:$T_DIR/dkim/dkim.sock" "opendkim tcp:inet:127.0.0.1:$TCP_DKIM"; do
		name=${m%%:*}
		case " ${ROWS:-null eopguard opendkim} " in *" ${name%% *} "*) ;; *) continue ;; esac
		use_milter "${m#*:}"
		v=$(measure "$s")
		printf '%-22s %8s %10s %12s\n' "$name" "$s" "$v" "$(awk -v a="$v" -v b="$base" 'BEGIN { printf "%.2f", a / b }')"
	done
done
use_milter "unix:$T_DIR/run/eopguard.sock"
one_run 100 >/dev/null
echo
echo "eopguard peak RSS (unix socket, after all runs incl. 100 sessions): $(awk '/VmHWM/ { print $2, $3 }' /proc/"$EG_PID"/status)"
echo "eopguard RSS now: $(awk '/VmRSS/ { print $2, $3 }' /proc/"$EG_PID"/status)"
echo "eopguard messages logged: $(grep -c 'verdict=' "$T_DIR/eopguard.log")"
t_ok "benchmark finished"
