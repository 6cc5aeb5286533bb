#!/bin/sh
# Memory errors and leaks: the daemon (with its privileged helper, a reload
# and messages through miltertest) and eopguardctl under valgrind. Definite
# and indirect leaks and every memory error fail; libmilter's own worker
# threads, which it never joins, are "possibly lost" and ignored.
. "$top_srcdir/tests/lib/common.sh"
command -v valgrind >/dev/null 2>&1 || die "valgrind is not installed (apt-get install valgrind)"
command -v miltertest >/dev/null 2>&1 || die "miltertest is not installed"
[ "$(id -u)" -eq 0 ] || die "must run as root (the daemon drops to nobody)"
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/eopguard-vg.XXXXXX") || die "mktemp"
chmod 755 "$T_DIR"
VG_PID= SINK_PID=
cleanup() { [ -n "$VG_PID" ] && kill -TERM "$VG_PID" 2>/dev/null; [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null; rm -rf "$T_DIR"; }
trap cleanup EXIT
VG="valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"
C="$T_DIR/certs"
sh "$top_srcdir/tests/certs/mkcerts.sh" "$C" >/dev/null || die "mkcerts.sh"
mkdir -p "$T_DIR/run" && chown nobody "$T_DIR/run"
cp "$C/noint.pem" "$T_DIR/chain.pem"
conf() {
	cat > "$T_DIR/eopguard.conf" <<EOT
socket = "unix:$T_DIR/run/eopguard.sock"
user = "nobody"
pidfile = "$T_DIR/run/eopguard.pid"
log = "$T_DIR/run/eopguard.log"
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "$1"
  certificate_domain = "mail.contoso.test"
  smarthost = "contoso-test.mail.protection.outlook.com"
}
identity {
  client_cert = "$T_DIR/chain.pem"
  client_key = "$C/good.key"
  ca_file = "$C/root.pem"
}
rewrite { sender = "relay@contoso.test" }
feedback {
  log = "$T_DIR/run/mail.log"
  smarthost_match = {"*.mail.protection.outlook.com"}
}
EOT
}
vg_tool() {   # NAME WANT_STATUS command...: the tool's own status, not valgrind's 99 nor a crash
	name=$1 want=$2; shift 2
	$VG "$@" >/dev/null 2>"$T_DIR/$name.vg"
	rc=$?
	if [ $rc -eq "$want" ]; then t_ok "$name: no memory errors or leaks (exit $rc)"; else
		t_fail "$name: exit $rc, want $want"; cat "$T_DIR/$name.vg"; fi
}
conf certificate
vg_tool "eopguardctl check" 1 "$top_builddir/eopguardctl" check -c "$T_DIR/eopguard.conf"
vg_tool "eopguardctl check --json" 1 "$top_builddir/eopguardctl" check --json -c "$T_DIR/eopguard.conf"
vg_tool "eopguardctl explain" 0 "$top_builddir/eopguardctl" explain 'host x said: 550 5.7.64 Relay Access Denied ATTR36 [x]'
vg_tool "eopguardctl explain unknown" 1 "$top_builddir/eopguardctl" explain --json 5.9.9
vg_tool "eopguard -t" 1 "$top_builddir/eopguard" -t -c "$T_DIR/eopguard.conf"
vg_tool "eopguardctl release --dry-run without a Postfix" 69 env MAIL_CONFIG="$T_DIR/nopostfix" \
	"$top_builddir/eopguardctl" release --dry-run -c "$T_DIR/eopguard.conf"
vg_tool "eopguardctl probe, connection refused" 2 "$top_builddir/eopguardctl" probe -c "$T_DIR/eopguard.conf" \
	--host "127.0.0.1:$(free_port)"
SINK_PORT=$(free_port)
smtp-sink -u nobody "127.0.0.1:$SINK_PORT" 10 2>/dev/null &
SINK_PID=$!
wait_for 5 port_listening "$SINK_PORT" || die "smtp-sink did not start"
vg_tool "eopguardctl probe, a server without STARTTLS" 1 "$top_builddir/eopguardctl" probe -c "$T_DIR/eopguard.conf" \
	--host "127.0.0.1:$SINK_PORT" --json
kill "$SINK_PID"; wait "$SINK_PID" 2>/dev/null; SINK_PID=
touch "$T_DIR/run/mail.log"
chmod 644 "$T_DIR/run/mail.log"

$VG "$top_builddir/eopguard" -f -c "$T_DIR/eopguard.conf" 2>"$T_DIR/daemon.vg" &
VG_PID=$!
wait_for 30 test -S "$T_DIR/run/eopguard.sock" || die "eopguard under valgrind did not start: $(cat "$T_DIR/daemon.vg")"
# the follower and the breaker run too: EOP refuses, the next messages get observed-refusal
wait_for 30 grep -q "feedback: following" "$T_DIR/run/eopguard.log"
sleep 1
for q in VGA11 VGA12 VGA13; do
	printf 'Dec  2 10:00:01 relay postfix/smtp[1]: %s: to=<a@b.example>, relay=x.mail.protection.outlook.com[52.101.1.1]:25, dsn=4.7.64, status=deferred (host x said: 550 5.7.64 TenantAttribution; Relay Access Denied)\n' "$q"
done >> "$T_DIR/run/mail.log"
wait_for 30 grep -q "breaker: state=open" "$T_DIR/run/eopguard.log" || t_fail "the follower under valgrind did not trip the breaker"
cat > "$T_DIR/load.lua" <<'EOT'
dofile(os.getenv("EOPGUARD_LIB"))
for i = 1, 10 do
	local conn = eg.connect()
	eg.send(conn, { qid = "VG" .. i, from_env = "<app@other.example>",
		headers = { { "From", "app@contoso.test" }, { "X-EOPGuard", "forged" } } })
	eg.send(conn, { qid = "VH" .. i, from_env = "<>", headers = { { "Subject", "no from" } } })
	mt.disconnect(conn)
end
EOT
run_load() {
	EOPGUARD_SOCKET="unix:$T_DIR/run/eopguard.sock" EOPGUARD_LOG="$T_DIR/run/eopguard.log" \
	EOPGUARD_LIB="$top_srcdir/tests/milter/lib.lua" miltertest -s "$T_DIR/load.lua"
}
t_check "messages through the daemon under valgrind (chain-incomplete)" run_load
cp "$C/good.pem" "$T_DIR/chain.pem"
conf ip
kill -USR1 "$VG_PID"
wait_for 30 grep -q 'configuration reloaded' "$T_DIR/run/eopguard.log" || t_fail "reload under valgrind"
t_check "messages after a reload and a certificate change" run_load
# two tenants: views, per-tenant judgements, the RCPT step
printf 'tenant fabrikam {\n  accepted_domains = {"fabrikam.test"}\n  attribution = "ip"\n  identity { client_cert = "" }\n}\n' \
	>> "$T_DIR/eopguard.conf"
vg_tool "eopguardctl check, two tenants" 0 "$top_builddir/eopguardctl" check -c "$T_DIR/eopguard.conf"
kill -USR1 "$VG_PID"
wait_for 30 sh -c "[ \$(grep -c 'configuration reloaded' '$T_DIR/run/eopguard.log') -ge 2 ]" || t_fail "second reload under valgrind"
wait_for 30 grep -q 'identity: tenant=fabrikam' "$T_DIR/run/eopguard.log" || t_fail "no judgement of the second tenant"
t_check "messages with two tenants" run_load
t_check "... the From's tenant (the unnamed one) named" grep -q 'VG10: .* tenant=""' "$T_DIR/run/eopguard.log"
t_check "... a message of no tenant: tenant-unknown" grep -q 'VH10: .*tenant-unknown.* tenant=-' "$T_DIR/run/eopguard.log"
kill -TERM "$VG_PID"
wait "$VG_PID"
rc=$?
VG_PID=
if [ $rc -eq 0 ]; then t_ok "daemon: no memory errors or leaks after load, reload and stop"; else
	t_fail "daemon exited $rc under valgrind"; grep -v '^[A-Z][a-z][a-z] ' "$T_DIR/daemon.vg" | head -60; fi
t_grep "daemon handled the messages" "VH10: verdict=" "$T_DIR/run/eopguard.log"
t_grep "... with the breaker open: observed-refusal" "VG1: verdict=fail action=defer findings=" "$T_DIR/run/eopguard.log"
t_check "... observed-refusal among the findings" grep -q "VG1: .*observed-refusal" "$T_DIR/run/eopguard.log"
t_done
