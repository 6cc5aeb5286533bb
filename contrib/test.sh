#!/bin/sh
# sh contrib/test.sh: install what is missing, build with warnings as errors,
# and run the whole test suite (cmocka unit tests, miltertest scripts, private
# Postfix integration tests, valgrind), a short libFuzzer run of every parser,
# then all of it but valgrind again under AddressSanitizer +
# UndefinedBehaviorSanitizer. Ends with "N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
. contrib/lib/deps.sh
deps_install

. contrib/lib/build.sh
jobs=$(nproc 2>/dev/null || echo 2)

# count_results DIR: add the checks in DIR's test logs to the totals.
passed=0
failed=0
count_results() {
	set -- $(awk '
		/^\[  PASSED  \] [0-9]+ test/ { p += $4 }
		/^\[  FAILED  \] [0-9]+ test/ { f += $4 }
		/^ok - / { p++ }
		/^not ok - / { f++ }
		END { print p + 0, f + 0 }' /dev/null $(find "$1/tests" -name '*.log' ! -name test-suite.log))
	passed=$((passed + $1))
	failed=$((failed + $2))
}

status=0
echo "==> build (warnings are errors)"
eopguard_build _build/main --enable-werror || exit 1
echo "==> make check: unit, milter and Postfix integration tests"
(cd _build/main && make -s -j"$jobs" check) || status=1
count_results _build/main

echo "==> fuzzing: every parser of outside input, ${FUZZ_SECONDS:-8} s each (make fuzz runs longer)"
FUZZ_BUILD="$(pwd)/_build/main" FUZZ_OUT="$(pwd)/_build/fuzz" sh tests/fuzz/run.sh "${FUZZ_SECONDS:-8}" \
	> _build/fuzz.out 2>&1 || status=1
cat _build/fuzz.out
passed=$((passed + $(grep -c '^ok - ' _build/fuzz.out || true)))
failed=$((failed + $(grep -c '^not ok - ' _build/fuzz.out || true)))

echo "==> ASan+UBSan build: unit, milter and integration tests again"
eopguard_build _build/asan --enable-werror --enable-sanitizers || exit 1
# The daemon forks away and closes stderr, so every sanitized process writes
# its report to a file here instead; any file is a failure. The directory
# is world-writable because the daemon runs as nobody after start-up.
reports=$(mktemp -d "${TMPDIR:-/tmp}/eopguard-sanitizer.XXXXXX")
chmod 1777 "$reports"
(cd _build/asan &&
	ASAN_OPTIONS="detect_leaks=1:log_path=$reports/asan" \
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan" \
	make -s -j"$jobs" check-sanitizers) || status=1
count_results _build/asan
for f in "$reports"/*; do
	[ -f "$f" ] || continue
	echo "not ok - sanitizer report $(basename "$f"):"
	sed 's/^/    /' "$f" | head -40
	failed=$((failed + 1))
	status=1
done
n_reports=$(find "$reports" -type f | wc -l)
[ "$n_reports" -gt 0 ] || echo "ok - no sanitizer reports from any process of the ASan+UBSan run"
[ "$n_reports" -gt 0 ] || passed=$((passed + 1))
rm -rf "$reports"

[ $status -eq 0 ] || {
	echo "==> failures; logs:"
	find _build -name '*.log' ! -name test-suite.log ! -name config.log | while read -r f; do
		grep -qE '^(not ok|FAIL|\[  FAILED|\[  ERROR)' "$f" && { echo "--- $f"; tail -40 "$f"; }
	done
}
echo "$passed passed, $failed failed"
exit $status
