#!/usr/bin/env bash
# An abort threshold stops a run only when it is certainly broken (the rule is in
# engine/gate.h): one slow first request does not abort a p95 threshold; an rps
# threshold is taken over the span of the run the aggregate covers, so a run that
# keeps the rate does not abort; a service that fails every request (a dead port)
# still aborts; and `severity: warning` with `abort: true` is invalid input, found
# by `check`, with nothing sent.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_pollserver --pending-polls 3

# suite FILE BASE_URL SCENARIO THRESHOLD...: a suite with one scenario and these
# thresholds (flow-style YAML items)
suite() {
    local file=$1 base=$2 scen=$3 t
    shift 3
    {
        printf 'suite: abort\nenvironments:\n  local: {base_url: "%s"}\n' "$base"
        printf 'scenarios:\n  - {file: %s}\nthresholds:\n' "$scen"
        for t in "$@"; do printf '  - %s\n' "$t"; done
    } >"$file"
}

cat >"$TEST_TMP/slow-first.yaml" <<'EOF'
scenario: slow-first
steps:
  - name: first
    request: {method: GET, url: "/slow-first?ms=600"}
    expect: {status: 200}
EOF
health_scenario "$TEST_TMP/health.yaml"

log "(1) the first request takes 600 ms, the rest answer at once: p95 < 300ms must not abort"
# In the first second the p95 of ~10 samples is the slow one; over the whole run
# (50 samples) it is fast. Not enough samples for p95 (see gate.h): no abort. The
# margins are wide (3 samples over 300ms needed at the end) since the open model
# measures from the due instant and a loaded machine adds to that.
suite "$TEST_TMP/slow.yaml" "$POLL_URL" slow-first.yaml \
    '{expr: "p95(latency) < 300ms", abort: true}'
run_lg "$TEST_TMP/out-slow" "$TEST_TMP/slow.yaml" --env local --rate 10/s --max-vus 4 -d 5s
assert_status 0 "one slow sample does not abort"
assert_json "$RESULT" '.verdict == "pass" and .abort_reason == null'
assert_json "$RESULT" '.thresholds[0].abort == true and .thresholds[0].ok == true'
assert_json "$RESULT" '.steps[0].latency_ms.max >= 600' "the slow first request was measured"
assert_json "$RESULT" ".totals.requests == $(poll_count)" "loadgate counted what pollserver served"

log "(2) rps > 70/s at 100/s: the rate over the span the aggregate covers never breaks"
# The aggregate the coordinator sees is one tick old: divided by the clock's time
# it read 0/s at the first tick and 50/s at the second.
served_before=$(poll_count)
suite "$TEST_TMP/rps.yaml" "$POLL_URL" health.yaml '{expr: "rps > 70/s", abort: true}'
run_lg "$TEST_TMP/out-rps" "$TEST_TMP/rps.yaml" --env local --rate 100/s -d 4s \
    --threshold 'p95(latency) < 10s'
assert_status 0 "an rps the run keeps does not abort"
assert_json "$RESULT" '.verdict == "pass" and .abort_reason == null'
assert_json "$RESULT" '.thresholds[0].expr == "rps > 70/s" and .thresholds[0].ok == true'
assert_json "$RESULT" '.thresholds[1].severity == "critical" and .thresholds[1].abort == false' \
    "--threshold is critical and never aborts"
assert_json "$RESULT" ".totals.requests == $(($(poll_count) - served_before))"

log "(3) a dead port: every request fails, the error_rate abort still stops the run"
dead=$(free_port)
suite "$TEST_TMP/dead.yaml" "http://127.0.0.1:$dead" health.yaml \
    '{expr: "error_rate < 5%", abort: true}'
run_lg "$TEST_TMP/out-dead" "$TEST_TMP/dead.yaml" --env local -u 2 -d 30s
assert_status 3 "aborted"
assert_json "$RESULT" '.verdict == "aborted"'
assert_json "$RESULT" '.abort_reason | test("^abort threshold broken: error_rate < 5% \\(observed 100.00% over [0-9,]+ requests\\)$")'
assert_json "$RESULT" '.totals.error_classes.connect >= 200' "enough requests to be certain"
assert_json "$RESULT" '.thresholds[0].ok == false and .thresholds[0].observed == 1'
assert_contains "$LG_OUT" "verdict: ABORTED"

log "(4) severity: warning with abort: true is invalid input, located at 'abort'"
served_before=$(poll_count)
cat >"$TEST_TMP/warn.yaml" <<EOF
suite: warn
environments:
  local: {base_url: "$POLL_URL"}
scenarios:
  - {file: health.yaml}
thresholds:
  - error_rate < 1%
  - {expr: "p95(latency) < 1s", severity: warning, abort: true}
  - expr: error_rate < 10%
    severity: warning
    abort: true
    abort_after: 5s
EOF
want="$TEST_TMP/warn.yaml:8:52: error: a warning cannot abort the run (it never fails the gate): drop 'abort' or make the threshold critical
$TEST_TMP/warn.yaml:11:5: error: a warning cannot abort the run (it never fails the gate): drop 'abort' or make the threshold critical"
lg check "$TEST_TMP/warn.yaml"
assert_status 2 "check refuses warning + abort"
assert_eq "$(grep ': error: ' "$LG_ERR")" "$want" "check: FILE:LINE:COL at the abort key"
run_lg "$TEST_TMP/out-warn" "$TEST_TMP/warn.yaml" --env local -u 1 -d 2s
assert_status 2 "run refuses warning + abort"
assert_eq "$(grep ': error: ' "$LG_ERR")" "$want" "run: the same errors"
assert_eq "$(poll_count)" "$served_before" "nothing was sent"
[[ ! -e "$TEST_TMP/out-warn/result.json" ]] || fail "no result.json for invalid input"
