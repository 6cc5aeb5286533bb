#!/bin/sh
# The test harness itself: contrib/test.sh's result counting survives set -eu
# when the last log has no failure (its totals line once vanished that way),
# skips are counted apart, and free_port picks below the kernel's ephemeral
# range.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/contrib/lib/results.sh"
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/eopguard-harness.XXXXXX") || die "mktemp"
trap 'rm -rf "$T_DIR"' EXIT
mkdir -p "$T_DIR/logs/a" "$T_DIR/logs/b"
printf 'ok - one\nnot ok - two\n' > "$T_DIR/logs/a/first.log"
printf '[  PASSED  ] 3 test(s).\nSKIP - needs something\n' > "$T_DIR/logs/b/last.log"
printf 'ok - three\n' > "$T_DIR/logs/b/zz-last.log"
out=$(set -eu; results_count "$T_DIR/logs"; echo "reached the end")
t_check "results_count under set -eu reaches the end" sh -c "echo '$out' | grep -q 'reached the end'"
t_check "results_count: 5 passed, 1 failed, 1 skipped" test "$(echo "$out" | head -1)" = "5 1 1"
shown=$(set -eu; results_show_failures "$T_DIR/logs"; echo "reached the end")
t_check "results_show_failures under set -eu reaches the end when the last log passed" \
	sh -c "echo \"\$1\" | grep -q 'reached the end'" - "$shown"
t_check "results_show_failures shows the failing log" sh -c "echo \"\$1\" | grep -q 'first.log'" - "$shown"
t_check "results_show_failures leaves out logs without a failure" sh -c "! echo \"\$1\" | grep -q 'zz-last.log'" - "$shown"
range=$(cat /proc/sys/net/ipv4/ip_local_port_range)
range_lo=${range%%[!0-9]*} range_hi=${range##*[!0-9]}
i=0 below=0
while [ $i -lt 50 ]; do
	p=$(free_port)
	if [ "$p" -lt "$range_lo" ] || [ "$p" -gt "$range_hi" ]; then below=$((below + 1)); fi
	i=$((i + 1))
done
t_check "free_port: 50 picks, all outside the ephemeral range $range_lo-$range_hi" test "$below" -eq 50
t_done
