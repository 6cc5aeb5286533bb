#!/bin/sh
# tests/fuzz/run.sh [SECONDS] [TARGET...]: build the libFuzzer targets with
# clang (ASan + UBSan) and run each for SECONDS (default 10) from its seed
# corpus in tests/fuzz/corpus/TARGET. A crash or sanitizer report fails.
# "make fuzz" runs it; contrib/test.sh runs it briefly; longer runs:
#   sh tests/fuzz/run.sh 3600 maillog
# or by number of executions instead of time (SECONDS is then ignored):
#   FUZZ_RUNS=10000000 FUZZ_OUT=_build/fuzz-long sh tests/fuzz/run.sh 0 cert
# Run from the top of the source tree with a configured build in _build/main
# (for config.h and the generated NDR table).
set -eu
secs=${1:-10}
[ $# -gt 0 ] && shift
targets=${*:-from path maillog ndr conf cert export feedback pqueue}
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${FUZZ_BUILD:-$top/_build/main}
out=${FUZZ_OUT:-$top/_build/fuzz}
command -v clang >/dev/null 2>&1 || { echo "not ok - fuzz: clang is not installed (apt-get install clang libclang-rt-14-dev)"; exit 1; }
[ -f "$build/config.h" ] && [ -f "$build/src/core/ndr_table.c" ] || { echo "not ok - fuzz: configure and build in $build first"; exit 1; }
mkdir -p "$out"
src="$top/src/core"
core="$src/strbuf.c $src/domains.c $src/addr.c $src/finding.c $src/ndr.c $build/src/core/ndr_table.c $src/conf.c
      $src/msgcheck.c $src/verdict.c $src/report.c $src/checkreport.c $src/check.c $src/tlsid.c $src/route.c $src/postconf.c
      $src/maillog.c $src/review.c $src/review_html.c $src/export.c $src/breaker.c $src/feedback.c $src/pqueue.c"
libs="$(pkg-config --libs libconfuse libssl libcrypto zlib json-c)"
status=0
# The core is compiled once (in parallel, for every target), each target then only compiles its entry point.
cflags="-std=c11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -I$build -I$src"
echo "# fuzz: compiling the core once with clang (ASan+UBSan)"
mkdir -p "$out/core"
objs=""
for f in $core; do
	o="$out/core/$(basename "$f" .c).o"
	objs="$objs $o"
	# shellcheck disable=SC2086
	clang $cflags -c "$f" -o "$o" 2>"$o.build" &
done
wait
for o in $objs; do
	[ -s "$o" ] || { echo "not ok - fuzz: compiling $(basename "$o" .o).c failed"; cat "$o.build"; exit 1; }
done
for t in $targets; do
	upper=$(echo "$t" | tr a-z A-Z)
	bin="$out/fuzz_$t"
	echo "# fuzz $t: building"
	# shellcheck disable=SC2086
	clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-DFUZZ_"$upper" -I"$build" -I"$src" "$top/tests/fuzz/fuzz_targets.c" $objs $libs -o "$bin" 2>"$out/$t.build" ||
		{ echo "not ok - fuzz $t: build failed"; cat "$out/$t.build"; status=1; continue; }
	corpus="$out/corpus-$t"
	mkdir -p "$corpus"
	cp "$top/tests/fuzz/corpus/$t"/* "$corpus/" 2>/dev/null || true
	if [ -n "${FUZZ_RUNS:-}" ]; then
		limit="-runs=$FUZZ_RUNS"
	else
		limit="-max_total_time=$secs"
	fi
	echo "# fuzz $t: running ${FUZZ_RUNS:+$FUZZ_RUNS executions}${FUZZ_RUNS:-$secs s} from $(ls "$corpus" | wc -l) corpus inputs"
	started=$(date +%s)
	if "$bin" "$limit" -max_len=65536 -timeout="${FUZZ_TIMEOUT:-10}" -print_final_stats=1 \
		-artifact_prefix="$out/$t-" "$corpus" >"$out/$t.log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log")
		echo "ok - fuzz $t: $(($(date +%s) - started))s, ${execs:-?} executions, no crash"
	else
		echo "not ok - fuzz $t: crash or sanitizer report; see $out/$t.log (the input: $out/$t-crash-*)"
		grep -E 'ERROR|SUMMARY|runtime error' "$out/$t.log" | head -5
		status=1
	fi
done
exit $status
