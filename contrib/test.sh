#!/bin/sh
# sh contrib/test.sh: install what is missing, build with warnings as errors,
# and run the whole test suite (cmocka unit tests, miltertest scripts, private
# Postfix integration tests, valgrind), a short libFuzzer run of every parser,
# then all of it but valgrind again under AddressSanitizer +
# UndefinedBehaviorSanitizer. Ends with "N passed, N failed", also when
# something failed (then with the failing tests' logs above it, and exit 1).
set -eu
cd "$(dirname "$0")/.."
. contrib/lib/deps.sh
. contrib/lib/build.sh
. contrib/lib/results.sh
jobs=$(nproc 2>/dev/null || echo 2)

passed=0
failed=0
skipped=0
status=0
# add_results DIR: add the checks counted in DIR's test logs to the totals.
add_results() {
	set -- $(results_count "$1")
	passed=$((passed + $1))
	failed=$((failed + $2))
	skipped=$((skipped + $3))
}
# finish: the failing logs, the totals line, the exit status.
finish() {
	if [ $status -ne 0 ]; then
		echo "==> failures; logs:"
		[ -d _build ] && results_show_failures _build
	fi
	if [ $skipped -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
	exit $status
}
# fail_step WHAT: a step that is not a test (install, build) failed; it counts as one failure.
fail_step() {
	echo "not ok - $*"
	failed=$((failed + 1))
	status=1
}
step_fail() { fail_step "$@"; }

# step_check WHAT COMMAND...: one check outside make check, counted in the totals.
step_check() {
	what=$1; shift
	if "$@" >/dev/null 2>&1; then
		echo "ok - $what"
		passed=$((passed + 1))
	else
		echo "not ok - $what: $* failed"
		failed=$((failed + 1))
		status=1
	fi
}

deps_install || { fail_step "install the Debian packages the build and the tests need"; finish; }

echo "==> build (warnings are errors)"
eopguard_build _build/main --enable-werror || { fail_step "build in _build/main"; finish; }
echo "==> fetching Debian's sendmail for the Sendmail test (apt-get download, not installed)"
. tests/lib/sendmail-pkgs.sh
EOPGUARD_SENDMAIL_DIR="$(pwd)/_build/sendmail"
export EOPGUARD_SENDMAIL_DIR
[ -x "$EOPGUARD_SENDMAIL_DIR/root/usr/libexec/sendmail/sendmail" ] || sendmail_fetch "$EOPGUARD_SENDMAIL_DIR" ||
	echo "    (fetch failed; tests/integration/sendmail.sh will try again and fail loudly)"
echo "==> make check: unit, milter and Postfix integration tests"
(cd _build/main && make -s -j"$jobs" check) || status=1
add_results _build/main/tests

echo "==> make install into a staging directory, then what quickstart suggests after it"
stage="$(pwd)/_build/stage"
rm -rf "$stage"
if (cd _build/main && make -s install DESTDIR="$stage" >/dev/null); then
	step_check "installed: eopguard -V" "$stage/usr/local/sbin/eopguard" -V
	step_check "installed: eopguardctl --help" "$stage/usr/local/bin/eopguardctl" --help
	step_check "installed: man eopguard.conf" env MANPATH="$stage/usr/local/share/man" man -P cat eopguard.conf
	step_check "installed: man eopguard" env MANPATH="$stage/usr/local/share/man" man -P cat 8 eopguard
	step_check "installed: man eopguardctl" env MANPATH="$stage/usr/local/share/man" man -P cat eopguardctl
	step_check "installed: sample configuration" test -s "$stage/usr/local/etc/eopguard/eopguard.conf"
	step_check "not installed yet: quickstart's eopguard -V in the build tree" _build/main/eopguard -V
	step_check "not installed yet: man -l on the built page" man -P cat -l _build/main/man/eopguard.conf.5
else
	fail_step "make install DESTDIR=$stage"
fi

echo "==> Debian package: dpkg-buildpackage, lintian, install, the installed daemon through Postfix, purge"
. contrib/lib/package.sh
package_test "$(pwd)/_build/deb"

echo "==> fuzzing: every parser of outside input, ${FUZZ_SECONDS:-5} s each (make fuzz runs longer)"
rm -f _build/fuzz.rc
{ rc=0; FUZZ_BUILD="$(pwd)/_build/main" FUZZ_OUT="$(pwd)/_build/fuzz" \
	sh tests/fuzz/run.sh "${FUZZ_SECONDS:-5}" 2>&1 || rc=$?
  echo $rc > _build/fuzz.rc; } | tee _build/fuzz.out
[ "$(cat _build/fuzz.rc 2>/dev/null)" = 0 ] || status=1
passed=$((passed + $(grep -c '^ok - ' _build/fuzz.out || true)))
failed=$((failed + $(grep -c '^not ok - ' _build/fuzz.out || true)))

echo "==> ASan+UBSan build: unit, milter and integration tests again"
if eopguard_build _build/asan --enable-werror --enable-sanitizers; then
	# The daemon forks away and closes stderr, so every sanitized process
	# writes its report to a file here instead; any file is a failure. The
	# directory is world-writable because the daemon runs as nobody after
	# start-up.
	reports=$(mktemp -d "${TMPDIR:-/tmp}/eopguard-sanitizer.XXXXXX")
	chmod 1777 "$reports"
	(cd _build/asan &&
		ASAN_OPTIONS="detect_leaks=1:log_path=$reports/asan" \
		UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan" \
		make -s -j"$jobs" check-sanitizers) || status=1
	add_results _build/asan/tests
	for f in "$reports"/*; do
		[ -f "$f" ] || continue
		echo "not ok - sanitizer report $(basename "$f"):"
		sed 's/^/    /' "$f" | head -40
		failed=$((failed + 1))
		status=1
	done
	if [ -z "$(find "$reports" -type f)" ]; then
		echo "ok - no sanitizer reports from any process of the ASan+UBSan run"
		passed=$((passed + 1))
	fi
	rm -rf "$reports"
else
	fail_step "build in _build/asan with the sanitizers"
fi
finish
