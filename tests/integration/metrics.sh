#!/bin/sh
# Outputs for monitoring and log shippers. metrics_file: eopguard writes
# Prometheus text for node_exporter's textfile collector. Two messages (one
# passes, one is deferred) through miltertest, a reload, and the file read
# back with a real Prometheus text parser (python3-prometheus-client): the
# counts, the identity state and the types. log_format = "json": the same
# messages logged as JSON objects, read back with Python's json module.
. "$top_srcdir/tests/lib/common.sh"
command -v miltertest >/dev/null 2>&1 || die "miltertest is missing; run sh contrib/test.sh"
# Debian's python3, where python3-prometheus-client lives (not another python3 on PATH)
PY=/usr/bin/python3
"$PY" -c 'import prometheus_client.parser' 2>/dev/null || die "python3-prometheus-client is missing; run sh contrib/test.sh"
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/eopguard-metrics.XXXXXX") || die "mktemp"
EG_PID=
cleanup() { [ -n "$EG_PID" ] && kill "$EG_PID" 2>/dev/null && wait "$EG_PID" 2>/dev/null; rm -rf "$T_DIR"; }
trap cleanup EXIT
mkdir -p "$T_DIR/textfile"
# take_checks OUT N SHOWN: count the "ok - " / "not ok - " lines a Python check
# printed in OUT (N of them expected), showing SHOWN when one failed.
take_checks() {
	while IFS= read -r line; do
		case $line in
		"ok - "*) t_ok "${line#ok - }" ;;
		"not ok - "*) t_fail "${line#not ok - }"; sed 's/^/    | /' "$3" | head -40 ;;
		esac
	done < "$1"
	t_check "all $2 checks of $(basename "$1") ran" test "$(grep -c '^ok - \|^not ok - ' "$1")" -eq "$2"
}
cat > "$T_DIR/eg.conf" <<EOT
user = ""
pidfile = ""
log = "$T_DIR/eg.log"
authserv_id = "relay.test"
metrics_file = "$T_DIR/textfile/eopguard.prom"
metrics_interval = 5
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "ip"
}
policy { sender_not_accepted = "defer" }
EOT
"$top_builddir/eopguard" -f -c "$T_DIR/eg.conf" -p "unix:$T_DIR/eg.sock" 2>"$T_DIR/eg.err" &
EG_PID=$!
wait_for 5 test -S "$T_DIR/eg.sock" || die "eopguard did not start: $(cat "$T_DIR/eg.err")"
cat > "$T_DIR/two.lua" <<'EOT'
dofile(os.getenv("EOPGUARD_LIB"))
local conn = eg.connect()
eg.expect(eg.accepted(eg.send(conn, { qid = "M1", from_env = "<a@contoso.test>", headers = { { "From", "a@contoso.test" } } })), "M1 accepted")
mt.disconnect(conn)
conn = eg.connect()
eg.expect(eg.send(conn, { qid = "M2", from_env = "<a@other.example>", headers = { { "From", "a@contoso.test" } } }) == SMFIR_REPLYCODE, "M2 deferred")
mt.disconnect(conn)
EOT
EOPGUARD_SOCKET="unix:$T_DIR/eg.sock" EOPGUARD_LOG="$T_DIR/eg.log" EOPGUARD_LIB="$top_srcdir/tests/milter/lib.lua" \
	miltertest -s "$T_DIR/two.lua" > "$T_DIR/mt.out" 2>&1 || t_fail "miltertest: $(cat "$T_DIR/mt.out")"
kill -USR1 "$EG_PID"
wait_for 10 grep -q "configuration reloaded" "$T_DIR/eg.log" || t_fail "no reload"
# the next rewrite (every 5 s) carries both messages and the reload
wait_for 15 grep -q 'eopguard_reloads_total{result="ok"} 1' "$T_DIR/textfile/eopguard.prom" ||
	t_fail "metrics file not rewritten with the reload"
t_check "no temporary file is left beside it" sh -c "[ \$(ls '$T_DIR/textfile' | wc -l) -eq 1 ]"
cat > "$T_DIR/parse.py" <<'EOT'
import sys
from prometheus_client.parser import text_string_to_metric_families
samples, types = {}, {}
for fam in text_string_to_metric_families(open(sys.argv[1]).read()):
    types[fam.name] = fam.type
    for s in fam.samples:
        samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
def get(name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))
checks = [
    ("messages pass/accept = 1", get("eopguard_messages_total", verdict="pass", action="accept") == 1),
    ("messages fail/defer = 1", get("eopguard_messages_total", verdict="fail", action="defer") == 1),
    ("sender-not-accepted counted once", get("eopguard_findings_total", finding="sender-not-accepted") == 1),
    ("reloads ok = 1, failed = 0", get("eopguard_reloads_total", result="ok") == 1 and get("eopguard_reloads_total", result="failed") == 0),
    ("identity state pass", get("eopguard_identity_state", state="pass") == 1 and get("eopguard_identity_state", state="fail") == 0),
    ("counter types", types.get("eopguard_messages") == "counter" and types.get("eopguard_findings") == "counter"),
    ("gauge types", types.get("eopguard_identity_state") == "gauge" and types.get("eopguard_start_time_seconds") == "gauge"),
    ("feedback off: no refusals, misses or trips; no breaker open",
        get("eopguard_feedback_refusals_total") == 0 and get("eopguard_prediction_misses_total") == 0
        and get("eopguard_breaker_trips_total") == 0 and get("eopguard_breaker_open", scope="relay") == 0
        and get("eopguard_breaker_open", scope="domain") == 0 and types.get("eopguard_breaker_open") == "gauge"),
]
for what, ok in checks:
    print(("ok - " if ok else "not ok - ") + "metrics parsed by prometheus_client: " + what)
EOT
"$PY" "$T_DIR/parse.py" "$T_DIR/textfile/eopguard.prom" > "$T_DIR/parse.out" 2>&1 || t_fail "the Prometheus parser refused the file: $(cat "$T_DIR/parse.out")"
take_checks "$T_DIR/parse.out" 8 "$T_DIR/textfile/eopguard.prom"
kill "$EG_PID"; wait "$EG_PID" 2>/dev/null; EG_PID=
t_check "the stop writes the final counts" grep -q 'eopguard_messages_total{verdict="fail",action="defer"} 1' "$T_DIR/textfile/eopguard.prom"

# log_format = "json": the identity and per-message lines are JSON objects.
sed -e 's|^log = .*|log = "'"$T_DIR"'/eg-json.log"\nlog_format = "json"|' "$T_DIR/eg.conf" > "$T_DIR/eg-json.conf"
"$top_builddir/eopguard" -f -c "$T_DIR/eg-json.conf" -p "unix:$T_DIR/eg.sock" 2>"$T_DIR/eg.err" &
EG_PID=$!
wait_for 5 test -S "$T_DIR/eg.sock" || die "eopguard (json) did not start: $(cat "$T_DIR/eg.err")"
EOPGUARD_SOCKET="unix:$T_DIR/eg.sock" EOPGUARD_LOG="$T_DIR/eg-json.log" EOPGUARD_LIB="$top_srcdir/tests/milter/lib.lua" \
	miltertest -s "$T_DIR/two.lua" > "$T_DIR/mt.out" 2>&1 || t_fail "miltertest (json): $(cat "$T_DIR/mt.out")"
kill "$EG_PID"; wait "$EG_PID" 2>/dev/null; EG_PID=
cat > "$T_DIR/read_json_log.py" <<'EOT'
import json, sys
events = []
for line in open(sys.argv[1]):
    if "]: {" in line:
        events.append(json.loads(line.split("]: ", 1)[1]))
ident = [e for e in events if e.get("event") == "identity"]
msgs = {e["queue_id"]: e for e in events if e.get("event") == "message"}
checks = [
    ("identity event", len(ident) == 1 and ident[0]["state"] == "pass" and ident[0]["findings"] == [] and ident[0]["hint"] is None),
    ("M1: pass/accept, sender, from, no prediction", msgs.get("M1", {}).get("verdict") == "pass" and msgs["M1"]["action"] == "accept"
        and msgs["M1"]["sender"] == "a@contoso.test" and msgs["M1"]["from"] == "contoso.test" and msgs["M1"]["predicted"] is None),
    ("M2: fail/defer with its finding and prediction", msgs.get("M2", {}).get("action") == "defer"
        and msgs["M2"]["findings"] == ["sender-not-accepted"] and msgs["M2"]["predicted"] == "550 5.7.64 Relay Access Denied ATTR36"),
]
for what, ok in checks:
    print(("ok - " if ok else "not ok - ") + "log_format json: " + what)
EOT
"$PY" "$T_DIR/read_json_log.py" "$T_DIR/eg-json.log" > "$T_DIR/json.out" 2>&1 || t_fail "a JSON log line does not parse: $(cat "$T_DIR/json.out")"
take_checks "$T_DIR/json.out" 3 "$T_DIR/eg-json.log"
t_done
