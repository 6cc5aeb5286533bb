#!/bin/sh
# Root never acts on a path the daemon user controls: with symbolic links to
# a root-only file planted at the pidfile, socket and log paths (in
# directories the daemon user, nobody, may write), start, reload and stop
# leave that file untouched: content, owner and mode. And the key-reading
# helper gives a compromised daemon nothing: only the configured identity
# files, only their public parts, as nobody with CAP_DAC_READ_SEARCH alone.
. "$top_srcdir/tests/lib/common.sh"
[ "$(id -u)" -eq 0 ] || die "must run as root (the daemon starts as root and drops to nobody)"
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/eopguard-priv.XXXXXX") || die "mktemp"
chmod 755 "$T_DIR"
EG_PID=
cleanup() {
	[ -n "$EG_PID" ] && kill "$EG_PID" 2>/dev/null && wait_for 10 sh -c "! kill -0 $EG_PID"
	rm -rf "$T_DIR"
}
trap cleanup EXIT
mkdir -p "$T_DIR/run" "$T_DIR/log" "$T_DIR/root-only"
chown nobody "$T_DIR/run" "$T_DIR/log"
chmod 700 "$T_DIR/root-only"
SECRET="$T_DIR/root-only/secret"
printf 'root only\n' > "$SECRET"
chmod 600 "$SECRET"
state() { stat -c '%u:%g %a %s' "$SECRET"; md5sum < "$SECRET"; }
before=$(state)
untouched() { [ "$(state)" = "$before" ]; }

cat > "$T_DIR/eg.conf" <<EOT
socket = "unix:$T_DIR/run/eg.sock"
user = "nobody"
pidfile = "$T_DIR/run/eg.pid"
log = "$T_DIR/log/eg.log"
authserv_id = "relay.test"
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "ip"
}
EOT

# 1. the log path is a symlink: start refuses, the target is untouched
ln -s "$SECRET" "$T_DIR/log/eg.log"
"$top_builddir/eopguard" -c "$T_DIR/eg.conf" >"$T_DIR/start1" 2>&1; rc=$?
t_check "symlinked log: start refused with exit 78 (got $rc)" test "$rc" -eq 78
t_grep "symlinked log: the reason is given" "is a symbolic link; eopguard does not follow one" "$T_DIR/start1"
"$top_builddir/eopguard" -t -c "$T_DIR/eg.conf" >"$T_DIR/t1" 2>&1; rc=$?
t_check "symlinked log: -t agrees with the start (exit 78, got $rc)" test "$rc" -eq 78
t_check "symlinked log: the root-only file is untouched" untouched
rm -f "$T_DIR/log/eg.log"

# 1b. the log path is a hard link to the root-only file (possible where
# fs.protected_hardlinks is off; made here by root): refused, untouched
if ln "$SECRET" "$T_DIR/log/eg.log" 2>/dev/null; then
	"$top_builddir/eopguard" -c "$T_DIR/eg.conf" >"$T_DIR/start-hard" 2>&1; rc=$?
	t_check "hard-linked log: start refused with exit 78 (got $rc)" test "$rc" -eq 78
	t_grep "hard-linked log: the reason is given" "has 2 hard links" "$T_DIR/start-hard"
	t_check "hard-linked log: the root-only file is untouched" untouched
	rm -f "$T_DIR/log/eg.log"
else
	t_skip "hard-linked log: this file system refuses the hard link"
fi

# 2. the socket path is a symlink: start refuses (exit 71), the target is untouched
ln -s "$SECRET" "$T_DIR/run/eg.sock"
"$top_builddir/eopguard" -c "$T_DIR/eg.conf" >"$T_DIR/start-sock" 2>&1; rc=$?
t_check "symlinked socket path: start refused with exit 71 (got $rc)" test "$rc" -eq 71
t_grep "symlinked socket path: the reason is given" "eg.sock: a symbolic link is in its place; remove it" "$T_DIR/start-sock"
t_check "symlinked socket path: the root-only file is untouched" untouched
rm -f "$T_DIR/run/eg.sock"

# 3. the pidfile is a symlink: start replaces it, never opens it
ln -s "$SECRET" "$T_DIR/run/eg.pid"
"$top_builddir/eopguard" -c "$T_DIR/eg.conf" >"$T_DIR/start2" 2>&1 || { cat "$T_DIR/start2"; die "eopguard did not start"; }
wait_for 5 sh -c "[ ! -L '$T_DIR/run/eg.pid' ] && [ -s '$T_DIR/run/eg.pid' ]" || die "no pidfile (or still the symlink)"
EG_PID=$(cat "$T_DIR/run/eg.pid")
t_check "symlinked pidfile: replaced by a regular file" sh -c "[ -f '$T_DIR/run/eg.pid' ] && [ ! -L '$T_DIR/run/eg.pid' ]"
t_check "the socket was created" test -S "$T_DIR/run/eg.sock"
t_check "start: the root-only file is untouched" untouched
t_check "the log file belongs to the daemon user (it can reopen it)" test "$(stat -c %U "$T_DIR/log/eg.log")" = nobody

# 4. the daemon user swaps the log for a symlink, then SIGUSR1 (the reopen)
mv "$T_DIR/log/eg.log" "$T_DIR/log/eg.log.1"
ln -s "$SECRET" "$T_DIR/log/eg.log"
kill -USR1 "$EG_PID"
wait_for 10 grep -q "still logging to the old destination" "$T_DIR/log/eg.log.1" ||
	t_fail "reload with a symlinked log: no 'still logging to the old destination' line"
t_check "reload: the root-only file is untouched" untouched
rm -f "$T_DIR/log/eg.log"
kill -USR1 "$EG_PID"
wait_for 10 test -s "$T_DIR/log/eg.log" || t_fail "reload after rotation: the new log file was not created"
t_grep "reload after rotation: logging goes to the new file" "configuration reloaded" "$T_DIR/log/eg.log"

# 5. the pidfile swapped for a symlink before the stop
rm -f "$T_DIR/run/eg.pid"
ln -s "$SECRET" "$T_DIR/run/eg.pid"
kill "$EG_PID"
wait_for 10 sh -c "! kill -0 $EG_PID" || t_fail "eopguard did not stop"
EG_PID=
t_check "stop: the root-only file is untouched" untouched

# 6. the key-reading helper against a compromised daemon (helper_probe starts
# the real helper, drops to nobody as eopguard does, and asks for files)
C="$T_DIR/certs"
sh "$top_srcdir/tests/certs/mkcerts.sh" "$C" >/dev/null || die "mkcerts.sh"
chmod 755 "$C"
chmod 600 "$C/good.key"
mkfifo "$T_DIR/root-only/fifo.pem"
ln -s "$C/good.pem" "$T_DIR/run/planted.pem"     # in a directory nobody may write
cat > "$T_DIR/helper.conf" <<EOT
user = "nobody"
tenant {
  accepted_domains = {"contoso.test"}
  certificate_domain = "mail.contoso.test"
}
identity {
  client_cert = "$C/good.pem"
  client_key = "$C/good.key"
  client_chain = "$T_DIR/root-only/fifo.pem"
  server_cert = "$T_DIR/run/planted.pem"
}
EOT
timeout 60 "$top_builddir/tests/tools/helper_probe" "$T_DIR/helper.conf" nobody \
	"$C/good.pem" "$C/good.key" /etc/shadow "$SECRET" "$T_DIR/root-only/fifo.pem" "$T_DIR/run/planted.pem" \
	"$C/wrongname.pem" > "$T_DIR/probe.out" 2>&1 || t_fail "helper_probe failed: $(cat "$T_DIR/probe.out")"
t_grep "helper: runs as the daemon user" "helper Uid:	65534	65534	65534	65534" "$T_DIR/probe.out"
t_grep "helper: keeps CAP_DAC_READ_SEARCH and nothing else" "helper CapEff:	0000000000000004" "$T_DIR/probe.out"
t_grep "helper: serves the configured certificate" "R $C/good.pem: err=0" "$T_DIR/probe.out"
t_grep "helper: reads the root-only key, returns no private part" "R $C/good.key: err=0 len=" "$T_DIR/probe.out"
t_nogrep "helper: no private key material leaves it" "private=yes" "$T_DIR/probe.out"
t_grep "helper: refuses /etc/shadow (read)" "R /etc/shadow: err=Operation not permitted len=0" "$T_DIR/probe.out"
t_grep "helper: refuses /etc/shadow (metadata)" "S /etc/shadow: err=Operation not permitted size=0 ino=0" "$T_DIR/probe.out"
t_grep "helper: refuses a file in a 0700 root directory" "R $SECRET: err=Operation not permitted" "$T_DIR/probe.out"
t_grep "helper: a configured FIFO is refused at once" "R $T_DIR/root-only/fifo.pem: err=Invalid argument len=0 private=no seconds=0" "$T_DIR/probe.out"
t_grep "helper: a symlink in a directory the daemon user writes is not followed" "R $T_DIR/run/planted.pem: err=Too many levels of symbolic links" "$T_DIR/probe.out"
t_grep "helper: a certificate not in the configuration is refused" "R $C/wrongname.pem: err=Operation not permitted" "$T_DIR/probe.out"
# a reload: the new configuration's files are served, the previous ones still once, others not
sed "s|client_cert = \"$C/good.pem\"|client_cert = \"$C/wrongname.pem\"|" "$T_DIR/helper.conf" > "$T_DIR/helper2.conf"
chown nobody "$T_DIR/helper.conf"   # so that the probe, as nobody, can install the new one
timeout 60 "$top_builddir/tests/tools/helper_probe" "$T_DIR/helper.conf" nobody "$C/wrongname.pem" \
	--install "$T_DIR/helper2.conf" --reload "$C/wrongname.pem" "$C/good.pem" "$C/noint.pem" > "$T_DIR/probe2.out" 2>&1
t_grep "helper before the reload: the new certificate is not served yet" "R $C/wrongname.pem: err=Operation not permitted" "$T_DIR/probe2.out"
t_grep "helper reload: done" "reload ok" "$T_DIR/probe2.out"
t_grep "helper reload: the new certificate is served" "R $C/wrongname.pem: err=0" "$T_DIR/probe2.out"
t_grep "helper reload: the previous one still once" "R $C/good.pem: err=0" "$T_DIR/probe2.out"
t_grep "helper reload: others are not" "R $C/noint.pem: err=Operation not permitted" "$T_DIR/probe2.out"
t_done
