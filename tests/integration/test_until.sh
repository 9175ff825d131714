#!/usr/bin/env bash
# `until` polls a step until its conditions hold: against pollserver, whose jobs
# stay "pending" for K polls, the poll step sends exactly K+1 requests. A job that
# never finishes makes the step time out: the run fails with a check error.
# Counts are checked against pollserver's own /count.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

K=3
start_pollserver --pending-polls "$K"

scen="$TEST_TMP/job.yaml"
cat >"$scen" <<'EOF'
scenario: job
steps:
  - name: create
    request: {method: POST, url: /jobs, json: {kind: mint}}
    expect: {status: 201}
    capture:
      job_id: {json: $.id}
      job_url: {header: Location}
  - name: poll
    request: {method: GET, url: "{{job_url}}"}
    until: {json: {$.status: {equals: done}}, every: 50ms, timeout: 10s}
  - name: final
    request: {method: GET, url: "/jobs/{{job_id}}"}
    expect:
      status: 200
      json:
        $.id: {equals: "{{job_id}}"}
        $.status: {equals: done}
EOF

lg check "$scen"
assert_status 0 "check"

log "one job: the poll step sends K+1 requests"
run_lg "$TEST_TMP/out1" "$scen" --base-url "$POLL_URL"
assert_status 0
assert_json "$RESULT" '.verdict == "pass"'
assert_json "$RESULT" "$(step create) | .requests == 1 and .status == {\"201\": 1}"
assert_json "$RESULT" "$(step poll) | .requests == $((K + 1)) and .errors == 0 and .status == {\"200\": $((K + 1))}"
assert_json "$RESULT" "$(step poll) | .checks.failed == 0"
assert_json "$RESULT" "$(step final) | .requests == 1 and .checks.passed == 3 and .checks.failed == 0"
assert_json "$RESULT" ".totals.requests == $((K + 3)) and .totals.errors == 0 and .totals.iterations == 1"
assert_eq "$(poll_count)" "$((K + 3))" "requests pollserver received"

log "two VUs, four jobs: every job is polled K+1 times"
run_lg "$TEST_TMP/out2" "$scen" --base-url "$POLL_URL" -u 2 -i 4
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .totals.iterations == 4'
assert_json "$RESULT" "$(step poll) | .requests == $((4 * (K + 1))) and .errors == 0"
assert_json "$RESULT" ".totals.requests == $((4 * (K + 3)))"
assert_eq "$(poll_count)" "$((K + 3 + 4 * (K + 3)))" "requests pollserver received"

log "a job that never finishes: until times out, the run fails with a check error"
start_pollserver --pending-polls 1000000
cat >"$TEST_TMP/never.yaml" <<'EOF'
scenario: never
steps:
  - name: create
    request: {method: POST, url: /jobs}
    expect: {status: 201}
    capture:
      job_url: {header: Location}
  - name: poll
    request: {method: GET, url: "{{job_url}}"}
    until: {json: {$.status: {equals: done}}, every: 100ms, timeout: 1s}
  - name: after
    request: {method: GET, url: /health}
EOF
run_lg "$TEST_TMP/out3" "$TEST_TMP/never.yaml" --base-url "$POLL_URL"
assert_status 1
assert_json "$RESULT" '.verdict == "fail"'
assert_json "$RESULT" '.totals.iterations == 1 and .totals.iterations_failed == 1'
assert_json "$RESULT" '.totals.errors == 1 and .totals.error_classes.check == 1 and ([.totals.error_classes[]] | add) == 1'
assert_json "$RESULT" "$(step poll) | .requests >= 3 and .requests <= 15 and .errors == 1 and .checks.failed == 1"
assert_json "$RESULT" "([$(step after) | .requests] | add // 0) == 0" "the iteration stops after the timed-out poll"
polls=$(jq "$(step poll) | .requests" "$RESULT" 2>/dev/null || echo "?")
assert_eq "$(poll_count)" "$((polls + 1))" "requests pollserver received"

log "a job that never finishes within a shorter run: no iteration finishes, the completion rule fails it"
# The until's timeout (60s) outlasts the 2 s run: every iteration is still polling
# at the end and is interrupted; no request and no check failed, yet nothing was
# verified end to end.
sed 's/timeout: 1s/timeout: 60s/' "$TEST_TMP/never.yaml" >"$TEST_TMP/never-long.yaml"
before=$(poll_count)
run_lg "$TEST_TMP/out4" "$TEST_TMP/never-long.yaml" --base-url "$POLL_URL" -u 2 -d 2s \
    --threshold 'p95(latency) < 5s'
assert_status 1
assert_json "$RESULT" '.verdict == "fail" and .totals.errors == 0 and .totals.checks_failed == 0'
assert_json "$RESULT" '.totals.iterations == 0 and .totals.iterations_interrupted == 2'
assert_json "$RESULT" '.thresholds[0].ok == true'
assert_json "$RESULT" '.rules[] | select(.name == "completion") | .ok == false'
assert_contains "$LG_OUT" "✗ completion rule: no iteration finished: 2 interrupted by the end of the run"
polls=$(jq "$(step poll) | .requests" "$RESULT" 2>/dev/null || echo "?")
assert_eq "$(($(poll_count) - before))" "$((polls + 2))" "requests pollserver received (2 creates)"
