#!/bin/sh
# bench/rss.sh [FIRST] [TOTAL]: does eopguard's memory stay flat under load?
# A private Postfix relay (smtp-source -> relay with eopguard on a unix
# socket -> smtp-sink), 20 sessions, one 2 KiB message per connection. Prints
# eopguard's resident size after FIRST messages (default 20000) and after
# TOTAL (default 200000), their ratio, and the peak. Half the messages are
# sent from a domain that is not accepted, so the rewrite path runs too.
# Needs root. Nothing is asserted.
set -eu
cd "$(dirname "$0")/.."
FIRST=${1:-20000}
TOTAL=${2:-200000}
[ "$TOTAL" -gt "$FIRST" ] || { echo "usage: bench/rss.sh [FIRST] [TOTAL], TOTAL > FIRST"; exit 64; }
top_srcdir=$(pwd)
top_builddir=${EOPGUARD_BUILD:-$(pwd)/_build/main}
export top_srcdir top_builddir
[ -x "$top_builddir/eopguard" ] || { echo "build first (sh contrib/test.sh)"; exit 1; }
set +e
. tests/lib/common.sh
. tests/lib/postfix.sh
t_setup

eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "ip"
}
rewrite { sender = "relay@contoso.test" }
policy { sender_not_accepted = "rewrite" }
EOT
eopguard_start "$T_DIR/eopguard.conf"
sink_start sink
RELAY_PORT=
postfix_start relay RELAY_PORT "$SINK_PORT" <<EOT
default_process_limit = 200
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
EOT

rss() { awk -v k="$1" '$1 == k ":" { print $2 }' /proc/"$EG_PID"/status; }
# send N: N messages, half from an accepted domain and half from another.
send() {
	send_half=$(($1 / 2))
	send_pids=
	for send_from in app@contoso.test app@vendor.example; do
		smtp-source -A -s 10 -m "$send_half" -l 2048 -f "$send_from" -t user@example.net \
			"127.0.0.1:$RELAY_PORT" >/dev/null 2>&1 &
		send_pids="$send_pids $!"
	done
	for send_pid in $send_pids; do wait "$send_pid"; done   # not a bare wait: smtp-sink is our child too
	wait_queue_empty relay 600 || echo "warning: the relay's queue did not drain"
	find "$T_DIR/sink" -type f -delete
}
# send_in_steps N: send N messages in steps of FIRST, with progress.
# (sh has no local variables: these names are used nowhere else.)
send_in_steps() {
	steps_left=$1
	while [ "$steps_left" -gt 0 ]; do
		step=$((steps_left < FIRST ? steps_left : FIRST))
		send "$step"
		steps_left=$((steps_left - step))
		echo "  $((TOTAL - steps_left)) of $TOTAL messages sent; eopguard RSS $(rss VmRSS) kB" >&2
	done
}

echo "eopguard RSS at start: $(rss VmRSS) kB"
send "$FIRST"
after_first=$(rss VmRSS)
echo "eopguard RSS after $FIRST messages: $after_first kB"
send_in_steps $((TOTAL - FIRST))
after_total=$(rss VmRSS)
echo "eopguard RSS after $TOTAL messages: $after_total kB"
echo "ratio: $(awk -v a="$after_total" -v b="$after_first" 'BEGIN { printf "%.3f", a / b }') (flat means within 1.10)"
echo "eopguard peak RSS: $(rss VmHWM) kB"
echo "messages eopguard logged: $(grep -c 'verdict=' "$T_DIR/eopguard.log"), rewritten: $(grep -c 'action=rewrite' "$T_DIR/eopguard.log")"
t_ok "benchmark finished"
