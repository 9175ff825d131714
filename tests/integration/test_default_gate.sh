#!/usr/bin/env bash
# With no thresholds the gate is strict: one failed request fails the run. A status
# >= 400 without expect.status is an error (http_5xx / http_4xx); with an
# expect.status that allows it, it is not. on_failure: stop (the default) ends the
# iteration; continue goes on with the next step.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /health { return 200 '{"status":"ok"}'; }
location = /boom { return 500 '{"error":"boom"}'; }
location = /missing { return 404 '{"error":"missing"}'; }
NGX
)"

journey() { # journey FILE BOOM_EXTRA: health, boom (+ BOOM_EXTRA lines), after
    cat >"$1" <<EOF
scenario: boom
steps:
  - name: health
    request: {method: GET, url: /health}
  - name: boom
    request: {method: GET, url: /boom}
$2
  - name: after
    request: {method: GET, url: /health}
EOF
}

log "a 500 fails the strict default gate; the iteration stops there"
journey "$TEST_TMP/stop.yaml" ""
run_lg "$TEST_TMP/out1" "$TEST_TMP/stop.yaml" --base-url "$NGINX_URL" -i 2
assert_status 1
assert_json "$RESULT" '.verdict == "fail"'
assert_json "$RESULT" '.default_gate == true'
assert_json "$RESULT" '.thresholds == []'
assert_json "$RESULT" '.totals.requests == 4 and .totals.errors == 2'
assert_json "$RESULT" '.totals.iterations == 2 and .totals.iterations_failed == 2'
assert_json "$RESULT" '.totals.error_classes.http_5xx == 2 and ([.totals.error_classes[]] | add) == 2'
assert_json "$RESULT" "$(step health) | .requests == 2 and .errors == 0 and .status == {\"200\": 2}"
assert_json "$RESULT" "$(step boom) | .requests == 2 and .errors == 2 and .status == {\"500\": 2}"
assert_json "$RESULT" "$(step boom) | .error_classes == {\"http_5xx\": 2}"
assert_json "$RESULT" "([$(step after) | .requests] | add // 0) == 0" "on_failure stop skips the rest"
assert_contains "$TEST_TMP/out1/summary.txt" "default"
assert_eq "$(nginx_requests '^GET /boom ')" 2 "/boom requests nginx received"
assert_eq "$(nginx_requests '^GET /health ')" 2 "/health requests nginx received"

log "on_failure: continue runs the next step"
journey "$TEST_TMP/continue.yaml" "    on_failure: continue"
run_lg "$TEST_TMP/out2" "$TEST_TMP/continue.yaml" --base-url "$NGINX_URL" -i 2
assert_status 1
assert_json "$RESULT" '.verdict == "fail"'
assert_json "$RESULT" '.totals.requests == 6 and .totals.errors == 2 and .totals.iterations_failed == 2'
assert_json "$RESULT" "$(step after) | .requests == 2 and .errors == 0"

log "expect.status: 500 makes the 500 a success"
journey "$TEST_TMP/expected.yaml" "    expect: {status: 500}"
run_lg "$TEST_TMP/out3" "$TEST_TMP/expected.yaml" --base-url "$NGINX_URL" -i 2
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .default_gate == true'
assert_json "$RESULT" '.totals.requests == 6 and .totals.errors == 0 and .totals.checks_failed == 0'
assert_json "$RESULT" "$(step boom) | .status == {\"500\": 2} and .checks.passed == 2"

log "a status range that allows it: 400..599"
journey "$TEST_TMP/range.yaml" "    expect: {status: 400..599}"
run_lg "$TEST_TMP/out4" "$TEST_TMP/range.yaml" --base-url "$NGINX_URL"
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .totals.requests == 3 and .totals.errors == 0'

log "a 404 without expect.status is http_4xx"
cat >"$TEST_TMP/missing.yaml" <<'EOF'
scenario: missing
steps:
  - name: missing
    request: {method: GET, url: /missing}
EOF
run_lg "$TEST_TMP/out5" "$TEST_TMP/missing.yaml" --base-url "$NGINX_URL"
assert_status 1
assert_json "$RESULT" '.verdict == "fail" and .totals.requests == 1 and .totals.errors == 1'
assert_json "$RESULT" '.totals.error_classes.http_4xx == 1 and ([.totals.error_classes[]] | add) == 1'
assert_json "$RESULT" "$(step missing) | .status == {\"404\": 1}"

log "an explicit threshold replaces the default gate: a 500 within error_rate < 60% passes"
run_lg "$TEST_TMP/out6" "$TEST_TMP/stop.yaml" --base-url "$NGINX_URL" -i 2 --threshold 'error_rate < 60%'
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .default_gate == false'
assert_json "$RESULT" '.thresholds[0].ok == true and .thresholds[0].observed == 0.5'
