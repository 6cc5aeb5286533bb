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

run sample-conf-t 0 "$EG" -t -c "$top_srcdir/conf/eopguard.conf"
t_grep "sample: -t prints the summary" "no failure predicted" "$T_DIR/sample-conf-t"
run sample-ctl-check 0 "$CTL" check -c "$top_srcdir/conf/eopguard.conf"
t_check "eopguard -t and eopguardctl check print the same report" cmp -s "$T_DIR/sample-conf-t" "$T_DIR/sample-ctl-check"
run ctl-check-json 0 "$CTL" check --json -c "$top_srcdir/conf/eopguard.conf"
t_grep "--json has the summary" '"summary":{"pass":' "$T_DIR/ctl-check-json"

printf 'tenant {\n  accepted_domains = {"contoso.test"}\n  atribution = "ip"\n}\n' > "$T_DIR/typo.conf"
run typo-t 78 "$EG" -t -c "$T_DIR/typo.conf"
t_grep "typo: file:line and the option" "$T_DIR/typo.conf:3: no such option 'atribution'" "$T_DIR/typo-t"
run typo-ctl 78 "$CTL" check -c "$T_DIR/typo.conf"
t_grep "typo via ctl: FAIL line" "FAIL config $T_DIR/typo.conf:3: no such option 'atribution'" "$T_DIR/typo-ctl"
run typo-daemon 78 "$EG" -f -c "$T_DIR/typo.conf"

run missing-conf 78 "$EG" -t -c "$T_DIR/nope.conf"
t_grep "missing file named" "$T_DIR/nope.conf: cannot open configuration file: No such file or directory" "$T_DIR/missing-conf"

printf 'user = "no-such-user-xyz"\nsocket = "unix:%s/s.sock"\npidfile = ""\nlog = "stderr"\ntenant {\n  accepted_domains = {"c.test"}\n  attribution = "ip"\n}\n' "$T_DIR" > "$T_DIR/user.conf"
if [ "$(id -u)" -eq 0 ]; then
	run unknown-user 78 "$EG" -f -c "$T_DIR/user.conf"
	t_grep "unknown user explained" "user 'no-such-user-xyz' does not exist" "$T_DIR/unknown-user"
fi
printf 'user = ""\nsocket = "unix:%s/no/such/dir/s.sock"\npidfile = ""\nlog = "stderr"\ntenant {\n  accepted_domains = {"c.test"}\n  attribution = "ip"\n}\n' "$T_DIR" > "$T_DIR/sock.conf"
run bad-socket-dir 71 "$EG" -f -c "$T_DIR/sock.conf"
t_grep "socket problem explained" "cannot listen" "$T_DIR/bad-socket-dir"

run usage-unknown-flag 64 "$EG" -Z
t_grep "usage printed" "usage: eopguard [-c FILE]" "$T_DIR/usage-unknown-flag"
run usage-extra-arg 64 "$EG" extra
run help 0 "$EG" -h
run version 0 "$EG" -V
t_grep "version printed" "eopguard $(sed -n 's/^AC_INIT(\[eopguard\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")" "$T_DIR/version"
run ctl-no-command 64 "$CTL"
run ctl-unknown 64 "$CTL" frobnicate
t_grep "unknown command named" "unknown command 'frobnicate'" "$T_DIR/ctl-unknown"
run ctl-check-bad-flag 64 "$CTL" check --nope
run ctl-help 0 "$CTL" --help
t_done
