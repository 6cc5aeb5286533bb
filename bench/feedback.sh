#!/bin/sh
# bench/feedback.sh [LINES] [MESSAGES] [RUNS]: what following the mail log
# (feedback.log) costs.
#  1. Follower speed: LINES lines of a busy relay's log (smtpd, cleanup, qmgr,
#     smtp to EOP, 1 in 50 a refusal) appended at once to the followed file;
#     lines/s until the last one is read, and the daemon's CPU seconds for it,
#     against "grep -c" and "wc -l" over the same file (baselines).
#  2. Relay throughput: smtp-source -> relay (eopguard as milter) -> smtp-sink,
#     MESSAGES messages at 20 sessions, with feedback off and with eopguard
#     following the relay's own maillog, RUNS runs each, alternating; medians
#     and the ratio. Defaults: 1,000,000 lines, 3000 messages, 3 runs.
# Needs root and a build in _build/main. Nothing is asserted.
set -eu
cd "$(dirname "$0")/.."
LINES=${1:-1000000}
MESSAGES=${2:-3000}
RUNS=${3:-3}
top_srcdir=$(pwd)
top_builddir=${EOPGUARD_BUILD:-$(pwd)/_build/main}
export top_srcdir top_builddir
[ -x "$top_builddir/eopguard" ] || { echo "build first (sh contrib/test.sh)"; exit 1; }
set +e
. tests/lib/common.sh
. tests/lib/postfix.sh
t_setup
mkdir -p "$T_DIR/relay"
touch "$T_DIR/relay/maillog" "$T_DIR/follow.log"
chmod 644 "$T_DIR/relay/maillog" "$T_DIR/follow.log"
conf() {   # FEEDBACK_LOG
	eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "ip"
}
feedback {
  log = "$1"
  smarthost_match = {"*.mail.protection.outlook.com", "127.0.0.1"}
}
EOT
}
conf "$T_DIR/follow.log"
eopguard_start "$T_DIR/eopguard.conf"

# ---- 1. follower speed ----
echo "# generating $LINES log lines"
awk -v n="$LINES" 'BEGIN {
	for (i = 0; i < n; i += 5) {
		q = sprintf("%05X%06X", i % 65536, i)
		printf "Dec  2 10:00:01 relay postfix/smtpd[1234]: %s: client=app1.contoso.test[192.0.2.10]\n", q
		printf "Dec  2 10:00:01 relay postfix/cleanup[1235]: %s: message-id=<%d@app1.contoso.test>\n", q, i
		printf "Dec  2 10:00:01 relay postfix/qmgr[1236]: %s: from=<app@contoso.test>, size=2048, nrcpt=1 (queue active)\n", q
		if (i % 250 == 0)
			printf "Dec  2 10:00:02 relay postfix/smtp[1237]: %s: to=<u%d@example.net>, relay=contoso-test.mail.protection.outlook.com[52.101.1.1]:25, delay=0.4, delays=0.1/0/0.1/0.2, dsn=4.7.64, status=deferred (host contoso-test.mail.protection.outlook.com[52.101.1.1] said: 550 5.7.64 TenantAttribution; Relay Access Denied [AM0PR01MB1234.eurprd01.prod.outlook.com] (in reply to end of DATA command))\n", q, i
		else
			printf "Dec  2 10:00:02 relay postfix/smtp[1237]: %s: to=<u%d@example.net>, relay=contoso-test.mail.protection.outlook.com[52.101.1.1]:25, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.6.0, status=sent (250 2.6.0 <%d@app1.contoso.test> [InternalId=1, Hostname=AM0PR01MB1234.eurprd01.prod.outlook.com] Queued mail for delivery)\n", q, i, i
		printf "Dec  2 10:00:02 relay postfix/qmgr[1236]: %s: removed\n", q
	}
	printf "Dec  2 10:00:03 relay postfix/smtp[1237]: LASTLINE1: to=<x@example.net>, relay=contoso-test.mail.protection.outlook.com[52.101.1.1]:25, dsn=4.7.64, status=deferred (host x said: 550 5.7.64 TenantAttribution; Relay Access Denied [the last line])\n"
}' > "$T_DIR/batch"
lines=$(wc -l < "$T_DIR/batch")
bytes=$(wc -c < "$T_DIR/batch")
cpu() { awk '{ print $14 + $15 }' "/proc/$EG_PID/stat"; }
tick=$(getconf CLK_TCK)
c0=$(cpu)
start=$(date +%s.%N)
cat "$T_DIR/batch" >> "$T_DIR/follow.log"
while ! grep -q 'queue_id=LASTLINE1' "$T_DIR/eopguard.log"; do sleep 0.05; done
end=$(date +%s.%N)
c1=$(cpu)
# (output to a file: GNU grep stops at the first match when its output is /dev/null)
timed() { s=$(date +%s.%N); "$@" > "$T_DIR/baseline.out"; e=$(date +%s.%N); awk -v a="$s" -v b="$e" 'BEGIN { print b - a }'; }
t_grep_c=$(timed grep -c TenantAttribution "$T_DIR/batch")
t_wc=$(timed wc -l "$T_DIR/batch")
awk -v n="$lines" -v b="$bytes" -v a="$start" -v e="$end" -v c0="$c0" -v c1="$c1" -v hz="$tick" -v g="$t_grep_c" -v w="$t_wc" 'BEGIN {
	t = e - a; cpu = (c1 - c0) / hz
	printf "follower: %d lines (%.0f MB) in %.2f s: %.0f lines/s, %.2f CPU s (%.0f%% of one core while it ran)\n", n, b / 1e6, t, n / t, cpu, 100 * cpu / t
	printf "baselines on the same file: grep -c %.2f s (%.0f lines/s), wc -l %.2f s; follower/grep time ratio %.1f\n", g, n / g, w, t / g
}'
echo "# a busy relay logs about 6 lines per message: at 1,000 messages/minute that is 100 lines/s"

# ---- 2. relay throughput, feedback off and on ----
sink_start sink
RELAY_PORT=
postfix_start relay RELAY_PORT "$SINK_PORT" </dev/null
one_run() {
	start=$(date +%s.%N)
	smtp-source -A -s 20 -m "$MESSAGES" -l 2048 -f app@contoso.test -t user@example.net "127.0.0.1:$RELAY_PORT" >/dev/null 2>&1
	end=$(date +%s.%N)
	wait_for 120 sh -c "[ -z \"\$(postqueue -c '$T_DIR/relay/etc' -j)\" ]" || true
	find "$T_DIR/sink" -type f -delete
	awk -v n="$MESSAGES" -v a="$start" -v b="$end" 'BEGIN { printf "%.0f\n", n / (b - a) }'
}
set_feedback() {   # LOG
	conf "$1"
	kill -USR1 "$EG_PID"
	sleep 1
}
: > "$T_DIR/off" ; : > "$T_DIR/on"
i=0
while [ $i -lt "$RUNS" ]; do
	set_feedback ""
	one_run >> "$T_DIR/off"
	set_feedback "$T_DIR/relay/maillog"
	one_run >> "$T_DIR/on"
	i=$((i + 1))
done
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
off=$(median < "$T_DIR/off")
on=$(median < "$T_DIR/on")
printf '%-34s %8s\n' "relay, 20 sessions" "msgs/s"
printf '%-34s %8s\n' "eopguard, feedback off" "$off"
printf '%-34s %8s   ratio %s\n' "eopguard, following the maillog" "$on" "$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.2f", a / b }')"
echo "(runs off: $(tr '\n' ' ' < "$T_DIR/off")on: $(tr '\n' ' ' < "$T_DIR/on"))"
