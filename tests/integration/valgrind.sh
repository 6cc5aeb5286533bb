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
VG_PID=
cleanup() { [ -n "$VG_PID" ] && kill -TERM "$VG_PID" 2>/dev/null; rm -rf "$T_DIR"; }
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

$VG "$top_builddir/eopguard" -f -c "$T_DIR/eopguard.conf" 2>"$T_DIR/daemon.vg" &
VG_PID=$!
wait_for 30 test -S "$T_DIR/run/eopguard.sock" || die "eopguard under valgrind did not start: $(cat "$T_DIR/daemon.vg")"
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
kill -TERM "$VG_PID"
wait "$VG_PID"
rc=$?
VG_PID=
if [ $rc -eq 0 ]; then t_ok "daemon: no memory errors or leaks after load, reload and stop"; else
	t_fail "daemon exited $rc under valgrind"; grep -v '^[A-Z][a-z][a-z] ' "$T_DIR/daemon.vg" | head -60; fi
t_grep "daemon handled the messages" "VH10: verdict=" "$T_DIR/run/eopguard.log"
t_done
