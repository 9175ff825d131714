#!/usr/bin/env bash
# A healthy service passes: exact request and check counts with -i N, the strict
# default gate, explicit thresholds that hold, defaults (1 VU, 1 iteration), --var,
# and a duration run whose request count matches what nginx saw.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /health { return 200 '{"status":"ok"}'; }
location / { return 404 '{"error":"not found"}'; }
NGX
)"

scen="$TEST_TMP/health.yaml"
cat >"$scen" <<'EOF'
scenario: health
vars:
  route: /not-here
steps:
  - name: health
    request: {method: GET, url: "{{route}}"}
    expect:
      status: 200
      headers:
        content-type: {contains: json}
      json:
        $.status: {equals: ok}
EOF

log "check"
lg check "$scen"
assert_status 0 "check of a valid scenario"

log "-i 7 -u 2: exactly 7 requests, strict default gate"
run_lg "$TEST_TMP/out1" "$scen" --base-url "$NGINX_URL" --var route=/health -u 2 -i 7
assert_status 0
assert_file "$TEST_TMP/out1/result.json"
assert_file "$TEST_TMP/out1/summary.txt"
assert_json "$RESULT" '.schema == "loadgate.result/1"'
assert_json "$RESULT" '.verdict == "pass"'
assert_json "$RESULT" '.default_gate == true'
assert_json "$RESULT" '.thresholds == []'
assert_json "$RESULT" '.totals.requests == 7'
assert_json "$RESULT" '.totals.errors == 0'
assert_json "$RESULT" '.totals.iterations == 7'
assert_json "$RESULT" '.totals.iterations_failed == 0'
assert_json "$RESULT" '.totals.dropped_iterations == 0'
assert_json "$RESULT" '.totals.checks_passed == 21' "3 checks x 7 requests"
assert_json "$RESULT" '.totals.checks_failed == 0'
assert_json "$RESULT" '([.totals.error_classes[]?] | add // 0) == 0'
assert_json "$RESULT" '.totals.duration_s > 0 and .totals.rps > 0'
assert_json "$RESULT" '.steps | length == 1'
assert_json "$RESULT" "$(step health) | .scenario == \"health\" and .requests == 7 and .errors == 0"
assert_json "$RESULT" "$(step health) | .status == {\"200\": 7}"
assert_json "$RESULT" "$(step health) | .checks.passed == 21 and .checks.failed == 0"
assert_json "$RESULT" "$(step health) | .checks.list | length == 3 and all(.passed == 7 and .failed == 0)"
assert_json "$RESULT" "$(step health) | .latency_ms | .min > 0 and .min <= .p50 and .p50 <= .p90 and .p90 <= .p95 and .p95 <= .p99 and .p99 <= .p999 and .p999 <= .max"
assert_json "$RESULT" "$(step health) | .histogram | type == \"string\" and startswith(\"HISTF\")"
assert_json "$RESULT" '.scenarios | length == 1'
assert_json "$RESULT" '.scenarios[0].name == "health" and .scenarios[0].iterations == 7 and .scenarios[0].iterations_failed == 0'
assert_eq "$(nginx_requests '^GET /health ')" 7 "requests nginx received"
assert_eq "$(nginx_requests '^GET /not-here ')" 0 "--var overrides the scenario's var"

log "no flags: 1 VU, 1 iteration"
run_lg "$TEST_TMP/out2" "$scen" --base-url "$NGINX_URL" --var route=/health
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .totals.requests == 1 and .totals.iterations == 1'
assert_eq "$(nginx_requests '^GET /health ')" 8 "requests nginx received"

log "thresholds that hold"
run_lg "$TEST_TMP/out3" "$scen" --base-url "$NGINX_URL" --var route=/health -i 5 \
    --threshold 'p95(latency) < 10s' --threshold 'error_rate < 1%' --threshold 'checks > 99%'
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .default_gate == false'
assert_json "$RESULT" '.thresholds | length == 3'
assert_json "$RESULT" '.thresholds | all(.ok == true and .no_samples == false and .severity == "critical")'
assert_json "$RESULT" '.thresholds[0].expr == "p95(latency) < 10s" and .thresholds[0].unit == "ms" and .thresholds[0].observed > 0'
assert_json "$RESULT" '.thresholds[1].expr == "error_rate < 1%" and .thresholds[1].unit == "ratio" and .thresholds[1].observed == 0'
assert_json "$RESULT" '.thresholds[2].expr == "checks > 99%" and .thresholds[2].unit == "ratio" and .thresholds[2].observed == 1'
assert_json "$RESULT" '.totals.requests == 5'

log "-u 3 -d 2s: loadgate's count equals nginx's"
before=$(nginx_requests '^GET /health ')
run_lg "$TEST_TMP/out4" "$scen" --base-url "$NGINX_URL" --var route=/health -u 3 -d 2s
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .totals.requests > 0 and .totals.errors == 0'
# a one-step journey: a request still in flight when the time is up completes
# within the graceful stop, and so does its iteration
assert_json "$RESULT" '.totals.iterations == .totals.requests'
after=$(nginx_requests '^GET /health ')
assert_eq "$(jq '.totals.requests' "$RESULT")" "$((after - before))" "requests counted by loadgate vs received by nginx"
