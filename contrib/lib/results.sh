# Counting and showing test results for contrib/test.sh. POSIX sh; source it.
# Each function returns 0 whatever it finds, so that a caller under set -e
# always reaches its totals line.

# results_count DIR: print "PASSED FAILED SKIPPED", the checks counted in the
# test logs under DIR (cmocka's summary lines, "ok - " / "not ok - " lines,
# and "SKIP - " lines of checks a machine could not make).
results_count() {
	find "$1" -name '*.log' ! -name test-suite.log ! -name config.log -print |
	while IFS= read -r f; do cat "$f"; done |
	awk '
		/^\[  PASSED  \] [0-9]+ test/ { p += $4 }
		/^\[  FAILED  \] [0-9]+ test/ { f += $4 }
		/^ok - / { p++ }
		/^not ok - / { f++ }
		/^SKIP - / { s++ }
		END { print p + 0, f + 0, s + 0 }'
	return 0
}

# results_log_failed FILE: true when FILE records a failed check.
results_log_failed() {
	grep -qE '^(not ok|FAIL|\[  FAILED|\[  ERROR)' "$1"
}

# results_show_failures DIR: the last 40 lines of every test log under DIR
# that records a failure.
results_show_failures() {
	find "$1" -name '*.log' ! -name test-suite.log ! -name config.log -print | sort |
	while IFS= read -r f; do
		if results_log_failed "$f"; then
			echo "--- $f"
			tail -40 "$f"
		fi
	done
	return 0
}
