#!/bin/sh
# eopguard with the real sendmail binary (Debian's sendmail-bin, fetched with
# apt-get download and unpacked privately: it conflicts with postfix), built
# from contrib/sendmail/eopguard.mc, driven with SMTP on stdin (-bs, queue
# only). Proves from the replies and the queue files: headers added and
# forged ones removed, defer gives 451 with eopguard's text, quarantine puts
# the message in Sendmail's quarantine, rewrite changes the envelope sender,
# a dead milter tempfails.
. "$top_srcdir/tests/lib/common.sh"
[ "$(id -u)" -eq 0 ] || die "must run as root (sendmail and unshare)"
for c in m4 unshare apt-get dpkg; do command -v $c >/dev/null 2>&1 || die "$c is missing"; done
. "$top_srcdir/tests/lib/sendmail-pkgs.sh"
# contrib/test.sh fetches the packages once for both builds, before the tests.
PKG=${EOPGUARD_SENDMAIL_DIR:-$top_builddir/sendmail-pkgs}
if [ ! -x "$PKG/root/usr/libexec/sendmail/sendmail" ]; then
	echo "# fetching Debian's sendmail and what it needs"
	sendmail_fetch "$PKG" || die "cannot fetch sendmail (see the lines above)"
fi
missing=$(sendmail_missing_libs "$PKG")
[ -z "$missing" ] || die "the unpacked sendmail cannot find: $missing (not installed here, and no package Depends on them)"
t_ok "sendmail's libraries all resolve (ldd)"
R="$PKG/root"
# Sendmail refuses paths under world-writable directories such as /tmp.
T_DIR=$(mktemp -d /run/eopguard-sm.XXXXXX) || die "mktemp in /run"
chmod 755 "$T_DIR"
EG_PID=
LOGSINK_PID=
cleanup() {
	stuck=0
	for p in $EG_PID $LOGSINK_PID; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null   # reaps the log listener, our child
		wait_for 20 sh -c "! kill -0 $p" ||
			{ echo "not ok - cleanup: pid $p did not stop on SIGTERM"; kill -KILL "$p"; stuck=1; }
	done
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$T_DIR"
	[ $stuck -eq 0 ] || exit 1
}
trap cleanup EXIT
cp "$R/usr/libexec/sendmail/sendmail" "$T_DIR/sendmail"
chmod 755 "$T_DIR/sendmail"     # no setgid: LD_LIBRARY_PATH must apply
mkdir -p "$T_DIR/q" && chmod 700 "$T_DIR/q"
{
	echo "divert(0)dnl"
	echo "include(\`$R/usr/share/sendmail/cf/m4/cf.m4')dnl"
	echo "OSTYPE(\`linux')dnl"
	echo "define(\`QUEUE_DIR', \`$T_DIR/q')dnl"
	echo "define(\`confPID_FILE', \`$T_DIR/sendmail.pid')dnl"
	echo "define(\`STATUS_FILE', \`$T_DIR/statistics')dnl"
	echo "define(\`ALIAS_FILE', \`')dnl"
	echo "define(\`confDONT_PROBE_INTERFACES', \`True')dnl"
	echo "FEATURE(\`accept_unresolvable_domains')dnl"
	echo "FEATURE(\`no_default_msa')dnl"
	sed "s|local:/run/eopguard/eopguard.sock|local:$T_DIR/eg.sock|" "$top_srcdir/contrib/sendmail/eopguard.mc"
	echo "MAILER(\`smtp')dnl"
} > "$T_DIR/test.mc"
m4 -D_CF_DIR_="$R/usr/share/sendmail/cf/" "$T_DIR/test.mc" > "$T_DIR/test.cf" 2>"$T_DIR/m4.err" || die "m4: $(cat "$T_DIR/m4.err")"

conf() {   # POLICY-LINES: start eopguard with this policy
	[ -n "$EG_PID" ] && { kill "$EG_PID"; wait_for 10 sh -c "! kill -0 $EG_PID"; }
	cat > "$T_DIR/eg.conf" <<EOT
socket = "local:$T_DIR/eg.sock"
user = ""
pidfile = "$T_DIR/eg.pid"
log = "$T_DIR/eg.log"
authserv_id = "relay.test"
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "ip"
}
rewrite { sender = "relay@contoso.test" }
$1
EOT
	rm -f "$T_DIR/eg.pid"
	"$top_builddir/eopguard" -c "$T_DIR/eg.conf" || die "eopguard did not start"
	wait_for 5 test -s "$T_DIR/eg.pid" || die "no eopguard pidfile"
	EG_PID=$(cat "$T_DIR/eg.pid")
}
# smtp NAME FROM [HEADER...]: one transaction through sendmail -bs. Each
# command is sent only after sendmail's reply to the one before it has
# arrived (it rejects input sent before its greeting), read from its output;
# no fixed delays.
smtp() {
	name=$1 from=$2; shift 2
	out="$T_DIR/$name.out" fifo="$T_DIR/$name.in"
	rm -f "$fifo" "$out"
	mkfifo "$fifo"
	: > "$out"
	trap '' PIPE   # a sendmail that closed early must not end the test
	LD_LIBRARY_PATH="$(sendmail_libpath "$PKG")" unshare --uts --mount sh -c \
		"$PRIVATE_DEVLOG; hostname relay.test; '$T_DIR/sendmail' -C '$T_DIR/test.cf' -bs -odq" \
		< "$fifo" > "$out" 2>&1 &
	sm_pid=$!
	exec 3> "$fifo"
	replies=0
	smtp_send "HELO client.test"
	smtp_send "MAIL FROM:<$from>"
	smtp_send "RCPT TO:<user@example.net>"
	smtp_send "DATA"
	# the message after the 354, and the end of data
	replies=$((replies + 1))
	smtp_replies_reach "$replies" || echo "# $name: no 354 after DATA within 30 s"
	{
		for h in "$@"; do printf '%s\r\n' "$h"; done
		printf 'Subject: %s\r\n\r\nbody\r\n.\r\n' "$name"
	} >&3
	smtp_send "QUIT"
	smtp_replies_reach $((replies + 1)) || echo "# $name: no reply to QUIT"
	exec 3>&-
	wait "$sm_pid"
}
# smtp_replies_reach N: sendmail's output has N final reply lines ("NNN text").
smtp_replies_reach() {
	wait_for 30 sh -c "[ \$(grep -c '^[0-9][0-9][0-9] ' '$out') -ge $1 ]"
}
# smtp_send LINE: wait for the reply to what was sent before (the greeting
# first), then send LINE.
smtp_send() {
	replies=$((replies + 1))
	smtp_replies_reach "$replies" || echo "# $name: reply $replies did not come within 30 s"
	printf '%s\r\n' "$1" >&3
}

# What sendmail logs goes to syslog(3), i.e. /dev/log. In sendmail's private
# mount namespace /dev is a tmpfs with the real null/zero/random nodes bound
# back and /dev/log pointing at logsink, which writes the lines to sm.log.
"$top_builddir/tests/tools/logsink" "$T_DIR/devlog" "$T_DIR/sm.log" relay >/dev/null 2>&1 &
LOGSINK_PID=$!
wait_for 5 test -S "$T_DIR/devlog" || die "logsink did not start"
mkdir -p "$T_DIR/realdev"
PRIVATE_DEVLOG="mount --bind /dev '$T_DIR/realdev' && mount -t tmpfs none /dev && \
for n in null zero urandom random; do touch /dev/\$n && mount --bind '$T_DIR/realdev/'\$n /dev/\$n; done && \
ln -s '$T_DIR/devlog' /dev/log"
# queued NAME: the queue file (qf, or hf when quarantined) of the message with that Subject.
queued() {
	f=$(grep -l "^H??Subject: $1\$" "$T_DIR"/q/qf* "$T_DIR"/q/hf* 2>/dev/null | head -1)
	echo "${f:-/dev/null}"
}

echo "# stage: start eopguard (defer policy) and send through sendmail -bs"
conf 'policy { sender_not_accepted = "defer" }'
smtp annotated app@contoso.test "From: app@contoso.test" "X-EOPGuard: forged by the client"
t_grep "annotated: accepted" "Message accepted for delivery" "$T_DIR/annotated.out"
qf=$(queued annotated)
t_grep "annotated: X-EOPGuard added" "H??X-EOPGuard: relay.test; verdict=pass; action=accept;" "$qf"
t_grep "annotated: folded with a TAB" "$(printf '\tidentity=pass;')" "$qf"
t_nogrep "annotated: forged field removed" "forged by the client" "$qf"
t_grep "annotated: logged with Sendmail's queue id" "$(basename "$qf" | cut -c3-): verdict=pass action=accept" "$T_DIR/eg.log"

smtp deferred app@other.example "From: app@contoso.test"
t_grep "deferred: 451 4.7.64 with eopguard's text" '451 4.7.64 eopguard: sender-not-accepted: EOP would answer "550 5.7.64 Relay Access Denied ATTR36"' "$T_DIR/deferred.out"
t_check "deferred: nothing queued" test "$(queued deferred)" = /dev/null

echo "# stage: rewrite policy"
conf 'policy { sender_not_accepted = "rewrite" }'
smtp rewritten erp@erp.internal "From: erp@contoso.test"
t_grep "rewritten: accepted" "Message accepted for delivery" "$T_DIR/rewritten.out"
t_grep "rewritten: envelope sender replaced in the queue file" "S<relay@contoso.test>" "$(queued rewritten)"
t_grep "rewritten: header says so" "sender=rewritten (contoso.test)" "$(queued rewritten)"

echo "# stage: quarantine policy"
conf 'policy { sender_not_accepted = "quarantine" }'
smtp held app@other.example "From: app@contoso.test"
t_grep "quarantine: accepted" "Message accepted for delivery" "$T_DIR/held.out"
hq=$(queued held)
t_check "quarantine: in Sendmail's quarantine (hf file)" sh -c "basename '$hq' | grep -q '^hf'"
t_grep "quarantine: reason recorded" "qeopguard: sender-not-accepted" "$hq"

echo "# stage: eopguardctl release on Sendmail's quarantine"
# mailq and sendmail as root would run them: this private sendmail with its configuration.
mkdir -p "$T_DIR/bin"
for tool in sendmail mailq; do
	extra=""; [ $tool = mailq ] && extra="-bp"
	cat > "$T_DIR/bin/$tool" <<EOT
#!/bin/sh
LD_LIBRARY_PATH='$(sendmail_libpath "$PKG")' exec unshare --uts sh -c 'hostname relay.test; exec "\$@"' sh '$T_DIR/sendmail' -C '$T_DIR/test.cf' $extra "\$@"
EOT
	chmod 755 "$T_DIR/bin/$tool"
done
held_id=$(basename "$hq" | cut -c3-)
# no MAIL_CONFIG and no postconf in PATH: release must take this for a Sendmail host
env -u MAIL_CONFIG PATH="$T_DIR/bin:/usr/bin:/bin" "$top_builddir/eopguardctl" release --dry-run -c "$T_DIR/eg.conf" > "$T_DIR/release-dry" 2>&1
t_check "release --dry-run lists the quarantined message" grep -Eq "^$held_id +hold +<app@other.example> +held +would release from quarantine" "$T_DIR/release-dry"
t_grep "... with eopguard's quarantine reason" "held by eopguard: eopguard: sender-not-accepted" "$T_DIR/release-dry"
t_check "--dry-run left it quarantined" test -f "$T_DIR/q/hf$held_id"
env -u MAIL_CONFIG PATH="$T_DIR/bin:/usr/bin:/bin" "$top_builddir/eopguardctl" release -c "$T_DIR/eg.conf" > "$T_DIR/release" 2>&1
rc=$?
t_check "release exits 0 (got $rc)" test $rc -eq 0
t_grep "release: released from quarantine" "released from quarantine (sendmail -qQ -qI -Q)" "$T_DIR/release"
t_check "release: the message is back in the normal queue (qf, no hf)" sh -c "[ -f '$T_DIR/q/qf$held_id' ] && [ ! -f '$T_DIR/q/hf$held_id' ]"
t_grep "release: the breaker closed (SIGUSR2 to eopguard)" "breaker: closed (SIGUSR2 sent to eopguard pid $EG_PID)" "$T_DIR/release"

echo "# stage: eopguard stopped (dead milter)"
kill "$EG_PID"; wait_for 10 sh -c "! kill -0 $EG_PID"; EG_PID=
smtp dead app@contoso.test "From: app@contoso.test"
t_grep "dead milter: temporary failure (F=T)" "451 4.3.2" "$T_DIR/dead.out"
t_check "dead milter: nothing queued" test "$(queued dead)" = /dev/null
echo "# stage: review of what sendmail logged"
"$top_builddir/eopguardctl" review --json "$T_DIR/sm.log" > "$T_DIR/review.json"
t_grep "sendmail log captured" "sendmail[" "$T_DIR/sm.log"
t_grep "review: the deferral as a milter refusal with its finding" '"finding":"sender-not-accepted","status":"milter-rejected","messages":1' "$T_DIR/review.json"
t_grep "review: the quarantine as a hold" '"status":"held","messages":1' "$T_DIR/review.json"
t_grep "review: no line of real sendmail is malformed" '"malformed":0}' "$T_DIR/review.json"
t_done
