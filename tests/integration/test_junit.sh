#!/usr/bin/env bash
# junit.xml as a real consumer reads it (Debian's python3-junitparser): against
# nginx, a passing and a failing threshold, a broken warning (which must not fail),
# a passing and a failing check, the rules; exact counts of tests, failures and
# names, the failure messages (observed vs limit, the check's sampled reasons with
# counts). Then an aborted run: the case "run" fails with the abort reason.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx
# Debian's interpreter, where the package installs (a python3 earlier on PATH may not see it)
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
"$PY" -c 'import junitparser' 2>/dev/null || skip "python3-junitparser is not installed (tools/setup)"

start_nginx "$(cat <<'NGX'
location = /order { return 200 '{"id":7,"status":"pending"}'; }
location = /down { return 503 '{"error":"unavailable"}'; }
NGX
)"

dir="$TEST_TMP/suite"
mkdir -p "$dir"
cat >"$dir/suite.yaml" <<YAML
suite: junit <&>
environments:
  local: {base_url: "$NGINX_URL"}
scenarios:
  - {file: orders.yaml}
thresholds:
  - p95(latency) < 10s
  - max(latency) < 1us
  - {expr: p50(latency) < 1us, severity: warning}
YAML
cat >"$dir/orders.yaml" <<'YAML'
scenario: orders
steps:
  - name: order
    request: {method: GET, url: /order}
    expect:
      status: 200
      json: {$.status: {equals: confirmed}}
YAML

log "3 iterations: the latency threshold and the JSON check fail"
run_lg "$TEST_TMP/out" "$dir/suite.yaml" --env local -u 1 -i 3
assert_status 1 "the gate fails"
assert_eq "$(nginx_requests '^GET /order ')" 3 "requests nginx served"
assert_file "$TEST_TMP/out/junit.xml"

# junit FILE: the document as junitparser reads it, one line per suite and case:
#   suite NAME tests=N failures=N skipped=N time=T
#   case NAME | RESULT | MESSAGE | TEXT   (RESULT: pass, failure, skipped)
junit() {
    "$PY" - "$1" <<'PY'
import sys
from junitparser import JUnitXml, Failure, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
print(f"root {xml.name} tests={xml.tests} failures={xml.failures} errors={xml.errors} skipped={xml.skipped} time={xml.time}")
for suite in xml:
    print(f"suite {suite.name} tests={suite.tests} failures={suite.failures} skipped={suite.skipped} time={suite.time}")
    for case in suite:
        kind, msg, text = "pass", "", ""
        for r in case.result:
            kind = "failure" if isinstance(r, Failure) else "skipped" if isinstance(r, Skipped) else type(r).__name__
            msg, text = r.message or "", (r.text or "").replace("\n", "\\n")
        out = (case.system_out or "").replace("\n", "\\n")
        print(f"case {case.classname} / {case.name} | {kind} | {msg} | {text} | {out}")
PY
}
junit "$TEST_TMP/out/junit.xml" >"$TEST_TMP/junit.txt" || fail "junitparser could not read junit.xml"
cat "$TEST_TMP/junit.txt"
# junit.xml's times are the duration in seconds to the millisecond, as Python prints them
duration=$("$PY" -c 'import json, sys; print(round(json.load(open(sys.argv[1]))["totals"]["duration_s"], 3))' "$RESULT")
max_text=$(jq -r '.thresholds[1].observed_text' "$RESULT")
p50_text=$(jq -r '.thresholds[2].observed_text' "$RESULT")
p95_text=$(jq -r '.thresholds[0].observed_text' "$RESULT")

log "exact counts: run and 2 rules, 3 thresholds, 2 checks; 3 failures; time in seconds"
assert_eq "$(grep -c '^case ' "$TEST_TMP/junit.txt")" 8 "test cases"
assert_contains "$TEST_TMP/junit.txt" "root loadgate: junit <&> tests=8 failures=3 errors=0 skipped=0 time=$duration"
assert_contains "$TEST_TMP/junit.txt" "suite rules tests=3 failures=1 skipped=0 time=$duration"
assert_contains "$TEST_TMP/junit.txt" "suite thresholds tests=3 failures=1 skipped=0 time=$duration"
assert_contains "$TEST_TMP/junit.txt" "suite checks: orders tests=2 failures=1 skipped=0 time=$duration"
assert_eq "$(sed -n 's/^case \([^|]*\) | \([a-z]*\) .*/\1|\2/p' "$TEST_TMP/junit.txt" | tr '\n' ';')" \
    "rules / run|pass;rules / failures|failure;rules / no_response|pass;thresholds / p95(latency) < 10s|pass;thresholds / max(latency) < 1us|failure;thresholds / p50(latency) < 1us|pass;checks: orders / order: status in 200|pass;checks: orders / order: \$.status == \"confirmed\"|failure;" \
    "case names and results, in order"

log "failure messages: observed vs limit; the check's reasons with counts"
assert_contains "$TEST_TMP/junit.txt" "case thresholds / max(latency) < 1us | failure | observed $max_text, limit max(latency) < 1us |"
assert_contains "$TEST_TMP/junit.txt" "case thresholds / p95(latency) < 10s | pass |  |  | observed $p95_text, limit p95(latency) < 10s"
assert_contains "$TEST_TMP/junit.txt" "| pass |  |  | warning (does not fail the gate): observed $p50_text, limit p50(latency) < 1us"
assert_contains "$TEST_TMP/junit.txt" '| failure | 3 of 3 failed (limit: none may fail) | 3× $.status was "pending", expected "confirmed"\n |'
assert_contains "$TEST_TMP/junit.txt" "case rules / failures | failure | $(jq -r '.rules[] | select(.name == "failures") | .text' "$RESULT") |"

log "an aborted run: the case 'run' fails with the abort reason"
cat >"$dir/down.yaml" <<'YAML'
scenario: down
steps:
  - name: down
    request: {method: GET, url: /down}
YAML
cat >"$dir/abort.yaml" <<YAML
suite: abort
environments:
  local: {base_url: "$NGINX_URL"}
scenarios:
  - {file: down.yaml}
thresholds:
  - {expr: "error_rate < 5%", abort: true, abort_after: 1s}
YAML
run_lg "$TEST_TMP/out2" "$dir/abort.yaml" --env local --rate 20/s -d 30s
assert_status 3 "aborted by the threshold"
junit "$TEST_TMP/out2/junit.xml" >"$TEST_TMP/junit2.txt" || fail "junitparser could not read junit.xml"
cat "$TEST_TMP/junit2.txt"
assert_contains "$TEST_TMP/junit2.txt" "case rules / run | failure | aborted after $(jq -r '.totals.duration_s' "$TEST_TMP/out2/result.json" | xargs printf '%.3f')s: $(jq -r '.abort_reason' "$TEST_TMP/out2/result.json") |"
assert_contains "$TEST_TMP/junit2.txt" "case thresholds / error_rate < 5% | failure | observed"
