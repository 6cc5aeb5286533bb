#!/bin/sh
# Replays every fuzz corpus (seeds and regress-* inputs, each once a crash)
# through its target with the replay programs built by make check.
. "$top_srcdir/tests/lib/common.sh"
for t in from path maillog ndr conf cert export feedback pqueue; do
	out=$("$top_builddir/tests/fuzz/replay_$t" "$t" "$top_srcdir/tests/fuzz/corpus/$t" 2>&1)
	rc=$?
	echo "$out" | grep -E '^(not )?ok - ' | while IFS= read -r line; do echo "# $line"; done
	if [ $rc -eq 0 ]; then
		t_ok "replay $t: $(echo "$out" | grep -c '^ok - ') inputs, no crash"
	else
		t_fail "replay $t: exit $rc"
		echo "$out" | tail -20 | sed 's/^/    | /'
	fi
done
t_done
