#!/bin/sh
# Command lines: eopguard -t / -h / -V and eopguardctl check, with their exit
# codes (sysexits) and messages for good and bad configurations.
. "$top_srcdir/tests/lib/common.sh"
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/eopguard-cli.XXXXXX") || die "mktemp"
trap 'rm -rf "$T_DIR"' EXIT
EG="$top_builddir/eopguard"
CTL="$top_builddir/eopguardctl"

# run NAME WANT_STATUS command...: runs, keeps stdout+stderr in $T_DIR/NAME.
run() {
	name=$1 want=$2; shift 2
	"$@" >"$T_DIR/$name" 2>&1
	got=$?
	if [ "$got" -eq "$want" ]; then t_ok "$name: exit $want"; else t_fail "$name: exit $got, want $want"; sed 's/^/    | /' "$T_DIR/$name"; fi
}

# The sample names /etc/postfix/relay-chain.pem, which this machine lacks:
# the check must say so and fail.
# The shipped sample names user eopguard; where that user is missing, -t,
# check and a real start all refuse it with the option's file:line (exit 78).
if ! id eopguard >/dev/null 2>&1; then
	run sample-no-user-t 78 "$EG" -t -c "$top_srcdir/conf/eopguard.conf"
	t_grep "sample without user eopguard: -t names file:line" "$top_srcdir/conf/eopguard.conf:11: user 'eopguard' does not exist" "$T_DIR/sample-no-user-t"
	run sample-no-user-ctl 78 "$CTL" check -c "$top_srcdir/conf/eopguard.conf"
	t_grep "sample without user eopguard: check names file:line" "FAIL config $top_srcdir/conf/eopguard.conf:11: user 'eopguard' does not exist" "$T_DIR/sample-no-user-ctl"
	if [ "$(id -u)" -eq 0 ]; then
		run sample-no-user-start 78 "$EG" -f -c "$top_srcdir/conf/eopguard.conf"
		t_grep "sample without user eopguard: a real start says the same" "$top_srcdir/conf/eopguard.conf:11: user 'eopguard' does not exist" "$T_DIR/sample-no-user-start"
	else
		t_skip "sample without user eopguard: a real start (needs root)"
	fi
else
	t_skip "sample without user eopguard: this machine has that user"
fi
# The rest reads the sample with a user every machine has.
sed 's/^user *= *"eopguard"/user = "nobody"/' "$top_srcdir/conf/eopguard.conf" > "$T_DIR/sample.conf"
run sample-conf-t 1 "$EG" -t -c "$T_DIR/sample.conf"
t_grep "sample: missing certificate named" "FAIL cert-missing identity.client_cert /etc/postfix/relay-chain.pem does not exist" "$T_DIR/sample-conf-t"
t_grep "sample: -t prints the summary" "EOP would refuse mail from this relay" "$T_DIR/sample-conf-t"
run sample-ctl-check 1 "$CTL" check -c "$T_DIR/sample.conf"
t_check "eopguard -t and eopguardctl check print the same report" cmp -s "$T_DIR/sample-conf-t" "$T_DIR/sample-ctl-check"
run ctl-check-json 1 "$CTL" check --json -c "$T_DIR/sample.conf"
# --nagios: one line in the monitoring-plugins format, exit 0/1/2/3
nagios_line() { head -1 "$1" | grep -Eq '^EOPGUARD (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+ \| failed=[0-9]+ warnings=[0-9]+( days_left=-?[0-9]+)?$' && [ "$(wc -l < "$1")" -eq 1 ]; }
run nagios-critical 2 "$CTL" check --nagios -c "$T_DIR/sample.conf"
t_check "--nagios CRITICAL: one plugin-format line" nagios_line "$T_DIR/nagios-critical"
t_grep "--nagios CRITICAL names the failing check with its detail" "EOPGUARD CRITICAL - cert-missing: identity.client_cert /etc/postfix/relay-chain.pem does not exist" "$T_DIR/nagios-critical"
run nagios-unknown 3 "$CTL" check --nagios -c "$T_DIR/nope.conf"
t_check "--nagios UNKNOWN: one plugin-format line" nagios_line "$T_DIR/nagios-unknown"
t_grep "--nagios UNKNOWN for a configuration that cannot be used" "EOPGUARD UNKNOWN - config: $T_DIR/nope.conf: cannot open" "$T_DIR/nagios-unknown"
run nagios-both 64 "$CTL" check --nagios --json -c "$T_DIR/sample.conf"
t_grep "--json has the summary" '"summary":{"pass":' "$T_DIR/ctl-check-json"
t_grep "--json has the failing check" '{"status":"FAIL","name":"cert-missing"' "$T_DIR/ctl-check-json"

printf 'tenant {\n  accepted_domains = {"contoso.test"}\n  atribution = "ip"\n}\n' > "$T_DIR/typo.conf"
run typo-t 78 "$EG" -t -c "$T_DIR/typo.conf"
t_grep "typo: file:line and the option" "$T_DIR/typo.conf:3: no such option 'atribution'" "$T_DIR/typo-t"
run typo-ctl 78 "$CTL" check -c "$T_DIR/typo.conf"
t_grep "typo via ctl: FAIL line" "FAIL config $T_DIR/typo.conf:3: no such option 'atribution'" "$T_DIR/typo-ctl"
run typo-daemon 78 "$EG" -f -c "$T_DIR/typo.conf"
t_grep "typo, real start: file:line" "$T_DIR/typo.conf:3: no such option 'atribution'" "$T_DIR/typo-daemon"

run missing-conf 78 "$EG" -t -c "$T_DIR/nope.conf"
t_grep "missing file named" "$T_DIR/nope.conf: cannot open configuration file: No such file or directory" "$T_DIR/missing-conf"
run missing-conf-ctl 78 "$CTL" check -c "$T_DIR/nope.conf"
t_grep "check, missing file: FAIL line" "FAIL config $T_DIR/nope.conf: cannot open configuration file" "$T_DIR/missing-conf-ctl"
t_grep "check, missing file: says nothing else was checked" "1 check: 0 passed, 0 warnings, 1 failed: the configuration could not be used, so nothing else was checked" "$T_DIR/missing-conf-ctl"
t_nogrep "check, missing file: predicts nothing about EOP" "EOP would refuse" "$T_DIR/missing-conf-ctl"

printf 'user = "no-such-user-xyz"\nsocket = "unix:%s/s.sock"\npidfile = ""\nlog = "stderr"\ntenant {\n  accepted_domains = {"c.test"}\n  attribution = "ip"\n}\n' "$T_DIR" > "$T_DIR/user.conf"
run unknown-user-t 78 "$EG" -t -c "$T_DIR/user.conf"
t_grep "unknown user, -t: file:line" "$T_DIR/user.conf:1: user 'no-such-user-xyz' does not exist" "$T_DIR/unknown-user-t"
if [ "$(id -u)" -eq 0 ]; then
	run unknown-user 78 "$EG" -f -c "$T_DIR/user.conf"
	t_grep "unknown user, start: file:line" "$T_DIR/user.conf:1: user 'no-such-user-xyz' does not exist" "$T_DIR/unknown-user"
else
	t_skip "unknown user at a real start (needs root)"
fi
printf 'user = ""\nsocket = "unix:%s/g.sock"\npidfile = ""\nlog = "stderr"\n\nsocket_group = "no-such-group-xyz"\ntenant {\n  accepted_domains = {"c.test"}\n  attribution = "ip"\n}\n' "$T_DIR" > "$T_DIR/group.conf"
run unknown-group-t 78 "$EG" -t -c "$T_DIR/group.conf"
t_grep "unknown group, -t: file:line" "$T_DIR/group.conf:6: socket_group 'no-such-group-xyz' does not exist" "$T_DIR/unknown-group-t"
run unknown-group 78 "$EG" -f -c "$T_DIR/group.conf"
t_grep "unknown group, start: file:line" "$T_DIR/group.conf:6: socket_group 'no-such-group-xyz' does not exist" "$T_DIR/unknown-group"
printf 'user = ""\nsocket = "unix:%s/l.sock"\npidfile = ""\nlog = "%s/no/such/dir/eopguard.log"\ntenant {\n  accepted_domains = {"c.test"}\n  attribution = "ip"\n}\n' "$T_DIR" "$T_DIR" > "$T_DIR/log.conf"
run bad-log-t 78 "$EG" -t -c "$T_DIR/log.conf"
t_grep "unusable log, -t: file:line" "$T_DIR/log.conf:4: log: the directory of $T_DIR/no/such/dir/eopguard.log does not exist" "$T_DIR/bad-log-t"
run bad-log 78 "$EG" -f -c "$T_DIR/log.conf"
t_grep "unusable log, start: file:line" "$T_DIR/log.conf:4: log:" "$T_DIR/bad-log"
# -p is checked like the socket option, before anything is created
(cd "$T_DIR" && "$EG" -f -c "$T_DIR/ipmode.conf" -p garbage >"$T_DIR/p-garbage" 2>&1); rc=$?
t_check "-p garbage: exit 64" test "$rc" -eq 64
t_check "-p garbage: no socket named garbage" test ! -e "$T_DIR/garbage"
t_grep "-p garbage: explained" "-p 'garbage' is not a milter socket" "$T_DIR/p-garbage"
run p-port-range 64 "$EG" -f -c "$T_DIR/ipmode.conf" -p "inet:99999@127.0.0.1"
t_grep "-p port out of range explained" "the port must be a number from 1 to 65535" "$T_DIR/p-port-range"
printf 'socket = "inet:0@127.0.0.1"\ntenant {\n  accepted_domains = {"c.test"}\n  attribution = "ip"\n}\n' > "$T_DIR/port0.conf"
run socket-port-zero 78 "$EG" -t -c "$T_DIR/port0.conf"
t_grep "socket port 0: file:line" "$T_DIR/port0.conf:1: socket: 'inet:0@127.0.0.1': the port must be" "$T_DIR/socket-port-zero"
printf 'socket = "unix:relative.sock"\ntenant {\n  accepted_domains = {"c.test"}\n  attribution = "ip"\n}\n' > "$T_DIR/relsock.conf"
run socket-relative 78 "$EG" -t -c "$T_DIR/relsock.conf"
t_grep "relative socket path refused" "the socket path must be absolute" "$T_DIR/socket-relative"
long_id=$(head -c 4000 /dev/zero | tr '\0' 'a')
printf 'authserv_id = "%s"\ntenant {\n  accepted_domains = {"c.test"}\n  attribution = "ip"\n}\n' "$long_id" > "$T_DIR/longid.conf"
run authserv-id-4000 78 "$EG" -t -c "$T_DIR/longid.conf"
t_grep "4000-character authserv_id refused at load" "$T_DIR/longid.conf:1: authserv_id: 4000 characters; at most 255" "$T_DIR/authserv-id-4000"
printf 'pidfile = "relative.pid"\ntenant {\n  accepted_domains = {"c.test"}\n  attribution = "ip"\n}\n' > "$T_DIR/relpid.conf"
run pidfile-relative 78 "$EG" -t -c "$T_DIR/relpid.conf"
t_grep "relative pidfile: file:line and what to do" "$T_DIR/relpid.conf:1: pidfile: 'relative.pid' must be an absolute path" "$T_DIR/pidfile-relative"
# pidfiles: a number beyond pid_t is stale; a live process means "already running" (exit 71)
printf 'user = ""\nsocket = "unix:%s/p.sock"\npidfile = "%s/p.pid"\nlog = "stderr"\ntenant {\n  accepted_domains = {"c.test"}\n  attribution = "ip"\n}\n' "$T_DIR" "$T_DIR" > "$T_DIR/pid.conf"
sleep 30 &
other=$!
echo "$other" > "$T_DIR/p.pid"
"$EG" -c "$T_DIR/pid.conf" >"$T_DIR/pid-other" 2>&1; rc=$?
t_check "pidfile naming a live process that is not eopguard is stale: eopguard starts (exit $rc)" test "$rc" -eq 0
wait_for 5 sh -c "[ \"\$(cat '$T_DIR/p.pid')\" != '$other' ]" || t_fail "no new pidfile over the stale one"
started=$(cat "$T_DIR/p.pid")
kill "$started" 2>/dev/null
wait_for 10 sh -c "! kill -0 $started"
kill "$other" 2>/dev/null
wait "$other" 2>/dev/null
echo 99999999999999999999 > "$T_DIR/p.pid"
"$EG" -c "$T_DIR/pid.conf" >"$T_DIR/pid-huge" 2>&1; rc=$?
t_check "pidfile with 99999999999999999999 is stale: eopguard starts (exit $rc)" test "$rc" -eq 0
wait_for 5 sh -c "grep -q '^[0-9]*\$' '$T_DIR/p.pid' && [ \$(cat '$T_DIR/p.pid') -ne 99999999999999999999 ] 2>/dev/null" || true
pid_running=$(cat "$T_DIR/p.pid" 2>/dev/null)
run already-running 71 "$EG" -f -c "$T_DIR/pid.conf"
t_grep "already running explained" "already running as pid $pid_running" "$T_DIR/already-running"
[ -n "$pid_running" ] && kill "$pid_running" 2>/dev/null && wait_for 10 sh -c "! kill -0 $pid_running"
printf 'user = ""\nsocket = "unix:%s/no/such/dir/s.sock"\npidfile = ""\nlog = "stderr"\ntenant {\n  accepted_domains = {"c.test"}\n  attribution = "ip"\n}\n' "$T_DIR" > "$T_DIR/sock.conf"
run bad-socket-dir 71 "$EG" -f -c "$T_DIR/sock.conf"
t_grep "socket problem explained" "cannot listen" "$T_DIR/bad-socket-dir"

# rewrite without rewrite.sender: a warning in ip mode, irrelevant with a certificate.
printf 'user = ""\nsocket = "unix:/x"\ntenant {\n  accepted_domains = {"c.test"}\n  attribution = "ip"\n}\n' > "$T_DIR/ipmode.conf"
run ip-rewrite-warning 0 "$CTL" check -c "$T_DIR/ipmode.conf"
run nagios-warning 1 "$CTL" check --nagios -c "$T_DIR/ipmode.conf"
t_check "--nagios WARNING: one plugin-format line" nagios_line "$T_DIR/nagios-warning"
t_grep "--nagios WARNING names the warnings" "EOPGUARD WARNING - rewrite-sender: policy.sender_not_accepted = rewrite but rewrite.sender is empty" "$T_DIR/nagios-warning"
t_grep "ip mode: empty rewrite.sender is a warning" "WARN rewrite-sender policy.sender_not_accepted = rewrite but rewrite.sender is empty" "$T_DIR/ip-rewrite-warning"
t_nogrep "certificate mode: no rewrite warning" "rewrite-sender" "$T_DIR/sample-conf-t"

run usage-unknown-flag 64 "$EG" -Z
t_grep "usage printed" "usage: eopguard [-c FILE]" "$T_DIR/usage-unknown-flag"
run usage-extra-arg 64 "$EG" extra
t_grep "extra argument named" "unexpected argument 'extra'" "$T_DIR/usage-extra-arg"
run help 0 "$EG" -h
t_grep "-h: usage on stdout" "usage: eopguard [-c FILE] [-f] [-t] [-p SOCKET] [-V] [-h]" "$T_DIR/help"
t_grep "-h: names SIGUSR1" "SIGUSR1 reloads" "$T_DIR/help"
run version 0 "$EG" -V
t_grep "version printed" "eopguard $(sed -n 's/^AC_INIT(\[eopguard\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")" "$T_DIR/version"
run ctl-no-command 64 "$CTL"
t_grep "no command: usage" "usage: eopguardctl COMMAND [OPTIONS]" "$T_DIR/ctl-no-command"
run ctl-unknown 64 "$CTL" frobnicate
t_grep "unknown command named" "unknown command 'frobnicate'" "$T_DIR/ctl-unknown"
run ctl-check-bad-flag 64 "$CTL" check --nope
t_grep "check --nope: the option named" "unrecognized option '--nope'" "$T_DIR/ctl-check-bad-flag"
run ctl-help 0 "$CTL" --help
t_grep "help: check --postfix and --nagios" "check   [-c FILE] [--json | --nagios] [--postfix] [--postfix-config DIR]" "$T_DIR/ctl-help"
t_grep "help: review -c" "review  [-c FILE] [--json] [--html PAGE] [--since T] [--messages]" "$T_DIR/ctl-help"
t_grep "help: release and probe" "probe   [-c FILE] [--json] [--host HOST[:PORT]] [--from ADDR --to ADDR]" "$T_DIR/ctl-help"

# explain: codes, replies, log lines and NDR blocks
run explain-code 0 "$CTL" explain 5.7.64
t_grep "bare 5.7.64 lists both variants" "5.7.64 has 2 variants" "$T_DIR/explain-code"
t_grep "TenantAttribution variant shown" "550 5.7.64 TenantAttribution; Relay Access Denied" "$T_DIR/explain-code"
t_grep "ATTR36 variant shown" "550 5.7.64 Relay Access Denied ATTR36" "$T_DIR/explain-code"
t_grep "owner shown" "who acts: relay admin" "$T_DIR/explain-code"
run explain-attr35 0 "$CTL" explain 451 4.4.62
t_grep "4.4.62: wrong region" "451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35" "$T_DIR/explain-attr35"
t_grep "4.4.62: eopguard's findings named" "smarthost-ip (policy.identity_failure)" "$T_DIR/explain-attr35"
run explain-postfix-line 0 "$CTL" explain 'Nov 23 10:00:01 relay postfix/smtp[4242]: 4XkT1a2b3c: to=<user@fabrikam.example>, relay=contoso-com.mail.protection.outlook.com[52.101.68.1]:25, delay=1.1, delays=0.1/0/0.5/0.5, dsn=5.7.64, status=bounced (host contoso-com.mail.protection.outlook.com[52.101.68.1] said: 550 5.7.64 Relay Access Denied ATTR36 [DB5PEPF00000001.eurprd04.prod.outlook.com 2026-11-23T10:00:01.000Z 08DC] (in reply to RCPT TO command))'
t_grep "postfix line: ATTR36 picked by its text" "550 5.7.64 Relay Access Denied ATTR36" "$T_DIR/explain-postfix-line"
t_nogrep "postfix line: only that variant" "has 2 variants" "$T_DIR/explain-postfix-line"
run explain-sendmail-line 0 "$CTL" explain 'Nov 23 10:00:01 relay sm-mta[811]: 2ANA0100001: to=<user@fabrikam.example>, delay=00:00:01, xdelay=00:00:01, mailer=relay, pri=120, relay=contoso-com.mail.protection.outlook.com. [52.101.68.1], dsn=4.0.0, stat=Deferred: 454 4.7.0 Failed to establish appropriate TLS channel ATTR41: CertificateExpired: Access Denied'
t_grep "sendmail line: expired certificate" "CertificateExpired" "$T_DIR/explain-sendmail-line"
t_grep "sendmail line: eopguard predicts it" "cert-not-yet-valid (policy.identity_failure)" "$T_DIR/explain-sendmail-line"
printf 'Delivery has failed to these recipients or groups:\n\nuser@fabrikam.example\n\nDiagnostic information for administrators:\n\nGenerating server: DB5PR04MB0001.eurprd04.prod.outlook.com\nuser@fabrikam.example\nRemote server returned '"'"'550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant'"'"'\n' > "$T_DIR/ndr.txt"
run explain-ndr-stdin 0 sh -c "'$CTL' explain - < '$T_DIR/ndr.txt'"
t_grep "NDR block on stdin: 5.7.512" "550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant" "$T_DIR/explain-ndr-stdin"
t_grep "NDR block: who acts" "who acts: sender" "$T_DIR/explain-ndr-stdin"
run explain-own-reply 0 "$CTL" explain '451 4.7.64 eopguard: chain-incomplete: EOP would answer "550 5.7.64 TenantAttribution; Relay Access Denied"; append the intermediate'
t_grep "own reply recognised" "eopguard's own deferral" "$T_DIR/explain-own-reply"
run explain-range 0 "$CTL" explain 550 5.7.633 Access denied, banned sending IP [192.0.2.9]
t_grep "range 5.7.606-649" "Access denied, banned sending IP" "$T_DIR/explain-range"
run explain-unknown 1 "$CTL" explain 5.3.99
t_grep "unknown code: RFC 3463 class" "permanent failure" "$T_DIR/explain-unknown"
t_grep "unknown code: subject" "subject 3:   mail system" "$T_DIR/explain-unknown"
run explain-rfc-detail 1 "$CTL" explain 4.2.2
t_grep "RFC 3463 detail" "the mailbox is full" "$T_DIR/explain-rfc-detail"
run explain-nothing 1 "$CTL" explain hello world
t_grep "no code found said" "No status code" "$T_DIR/explain-nothing"
run explain-json 0 "$CTL" explain --json 5.7.64
t_grep "json: known" '"known":true' "$T_DIR/explain-json"
t_grep "json: policy option" '"policy_option":"policy.identity_failure"' "$T_DIR/explain-json"
run explain-json-unknown 1 "$CTL" explain --json 5.3.99
t_grep "json unknown: known false" '"known":false' "$T_DIR/explain-json-unknown"
run explain-empty-stdin 64 sh -c "'$CTL' explain - </dev/null"
t_grep "explain -: empty input said" "empty input" "$T_DIR/explain-empty-stdin"
run explain-bad-flag 64 "$CTL" explain --frob 5.7.64
t_grep "explain --frob: the option named" "unrecognized option '--frob'" "$T_DIR/explain-bad-flag"
run explain-full-disk 74 sh -c "'$CTL' explain 5.7.64 >/dev/full"
t_grep "write error reported" "eopguardctl: cannot write the output" "$T_DIR/explain-full-disk"
run check-full-disk 74 sh -c "'$CTL' check -c '$T_DIR/sample.conf' >/dev/full"
t_grep "check >/dev/full: write error said" "eopguardctl: cannot write the output" "$T_DIR/check-full-disk"
run review-full-disk 74 sh -c "'$CTL' review '$top_srcdir/tests/fixtures/sendmail-real.maillog' >/dev/full"
t_grep "review >/dev/full: write error said" "eopguardctl: cannot write the output" "$T_DIR/review-full-disk"
# review: an overlong line is skipped whole, however long, and counted once;
# a bounce line placed inside it exactly where the reader's second 1 MiB
# read starts is not a record.
bounce='Nov 23 10:00:01 relay postfix/smtp[1]: BBBBB1: to=<a@f.example>, relay=x, dsn=5.7.64, status=bounced (host x said: 550 5.7.64 TenantAttribution; Relay Access Denied [X] (in reply to RCPT TO command))'
first="Nov 23 10:00:00 relay postfix/qmgr[2]: BBBBB1: from=<a@c.example>, size=1, nrcpt=1 (queue active)"
{
	echo "$first"
	head -c $((2097152 - ${#first} - 1)) /dev/zero | tr '\0' 'x'; printf '%s' "$bounce"; head -c 3145728 /dev/zero | tr '\0' 'y'; echo
	echo "Nov 23 10:00:02 relay postfix/qmgr[2]: BBBBB1: removed"
} > "$T_DIR/overlong.log"
run review-overlong 0 "$CTL" review --json "$T_DIR/overlong.log"
t_grep "review: the overlong line is one malformed line" '"lines":3,"skipped":0,"malformed":1}' "$T_DIR/review-overlong"
t_grep "review: a record inside an overlong line is not read as one" '"bounced":0,' "$T_DIR/review-overlong"
{
	echo "Nov 23 10:00:00 relay postfix/qmgr[2]: BBBBB1: from=<a@c.example>, size=1, nrcpt=1 (queue active)"
	head -c 5242880 /dev/zero | tr '\0' 'x'; printf 'Nov 23 10:00:01 relay postfix/smtp[1]: BBBBB1: to=<a@f.example>, relay=x, dsn=5.7.64, status=bounced (host x said: 550 5.7.64 Relay Access Denied ATTR36 (in reply to RCPT TO command))\n'
} > "$T_DIR/overlong2.log"
run review-overlong-tail 0 "$CTL" review --json "$T_DIR/overlong2.log"
t_grep "review: the tail of a 5 MiB line is not a record" '"bounced":0,' "$T_DIR/review-overlong-tail"
t_grep "review: 5 MiB line counted once" '"lines":2,"skipped":0,"malformed":1}' "$T_DIR/review-overlong-tail"
# a truncated .gz is reported, with what came before it
for i in $(seq 1 2000); do echo "$bounce"; done | gzip -c > "$T_DIR/full.gz"
head -c $(($(wc -c < "$T_DIR/full.gz") / 2)) "$T_DIR/full.gz" > "$T_DIR/truncated.log.gz"
run review-truncated-gz 65 "$CTL" review "$T_DIR/truncated.log.gz"
t_grep "review: truncated .gz named and explained" "$T_DIR/truncated.log.gz: truncated" "$T_DIR/review-truncated-gz"
run review-since-overflow 64 "$CTL" review --since 99999999999999999999d "$T_DIR/overlong.log"
t_grep "--since overflow: said how to write it" "--since '99999999999999999999d': use" "$T_DIR/review-since-overflow"
run review-since-before-1970 64 "$CTL" review --since 99999999999d "$T_DIR/overlong.log"
run review-since-negative 64 "$CTL" review --since -5d "$T_DIR/overlong.log"
run review-since-ok 0 "$CTL" review --since 7d "$T_DIR/overlong.log"
# progress: on a terminal once reading takes more than 2 s (script(1) gives a pty), never on a pipe
slow="(head -1 '$T_DIR/overlong.log' | cut -c1-100; sleep 3; echo x)"
script -qec "sh -c \"$slow | '$CTL' review - >/dev/null\"" /dev/null > "$T_DIR/progress-tty" 2>&1
t_grep "review on a terminal: progress after 2 s" "review: (stdin): 0 MB, " "$T_DIR/progress-tty"
sh -c "$slow | '$CTL' review - >/dev/null" 2> "$T_DIR/progress-pipe"
t_check "review with stderr not a terminal: no progress" test ! -s "$T_DIR/progress-pipe"
t_grep "--since 7d: a report" "1 file, 3 lines (1 malformed)" "$T_DIR/review-since-ok"
head -c 2000000 /dev/zero | tr '\0' 'a' > "$T_DIR/huge"
run explain-huge-stdin 65 sh -c "'$CTL' explain - < '$T_DIR/huge'"
t_grep "huge input refused with a reason" "input longer than" "$T_DIR/explain-huge-stdin"
t_done
