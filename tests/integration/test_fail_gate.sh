#!/usr/bin/env bash
# Thresholds decide the verdict: an impossible latency threshold fails the gate
# (exit 1) and reports what it observed; a warning never fails; a threshold whose
# metric got no samples fails and says so; thresholds keep their order.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /health { return 200 '{"status":"ok"}'; }
NGX
)"

mkdir -p "$TEST_TMP/suite"
scen="$TEST_TMP/suite/health.yaml"
health_scenario "$scen"

log "p95(latency) < 1us fails the gate"
run_lg "$TEST_TMP/out1" "$scen" --base-url "$NGINX_URL" -i 5 --threshold 'p95(latency) < 1us'
assert_status 1
assert_file "$TEST_TMP/out1/summary.txt"
assert_json "$RESULT" '.verdict == "fail"'
assert_json "$RESULT" '.default_gate == false'
assert_json "$RESULT" '.totals.requests == 5 and .totals.errors == 0 and .totals.checks_failed == 0'
assert_json "$RESULT" '.thresholds | length == 1'
assert_json "$RESULT" '.thresholds[0].expr == "p95(latency) < 1us"'
assert_json "$RESULT" '.thresholds[0].ok == false'
assert_json "$RESULT" '.thresholds[0].severity == "critical"'
assert_json "$RESULT" '.thresholds[0].no_samples == false'
assert_json "$RESULT" '.thresholds[0].abort == false'
assert_json "$RESULT" '.thresholds[0].unit == "ms"'
assert_json "$RESULT" '(.thresholds[0].observed | type) == "number" and .thresholds[0].observed > 0.001'
assert_json "$RESULT" '(.thresholds[0].observed_text | type) == "string" and (.thresholds[0].observed_text | length) > 0'
assert_contains "$TEST_TMP/out1/summary.txt" 'p95(latency) < 1us'

log "the order of thresholds is kept; one broken one fails the run"
run_lg "$TEST_TMP/out2" "$scen" --base-url "$NGINX_URL" -i 3 \
    --threshold 'p95(latency) < 10s' --threshold 'max(latency) < 1us' --threshold 'error_rate < 1%'
assert_status 1
assert_json "$RESULT" '.verdict == "fail"'
assert_json "$RESULT" '[.thresholds[].expr] == ["p95(latency) < 10s", "max(latency) < 1us", "error_rate < 1%"]'
assert_json "$RESULT" '[.thresholds[].ok] == [true, false, true]'

log "a threshold without samples fails and says so"
run_lg "$TEST_TMP/out3" "$scen" --base-url "$NGINX_URL" -i 2 --threshold 'p95(latency{status=404}) < 1s'
assert_status 1
assert_json "$RESULT" '.verdict == "fail"'
assert_json "$RESULT" '.thresholds[0].ok == false and .thresholds[0].no_samples == true'

log "a warning threshold is reported but never fails the gate"
cat >"$TEST_TMP/suite/suite.yaml" <<'EOF'
suite: warn
scenarios:
  - {file: health.yaml}
thresholds:
  - {expr: p95(latency) < 1us, severity: warning}
  - p95(latency) < 10s
EOF
lg check "$TEST_TMP/suite/suite.yaml"
assert_status 0 "check of the suite"
run_lg "$TEST_TMP/out4" "$TEST_TMP/suite/suite.yaml" --base-url "$NGINX_URL" -i 3
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .default_gate == false'
assert_json "$RESULT" '.thresholds | length == 2'
assert_json "$RESULT" '.thresholds[0] | .severity == "warning" and .ok == false and .observed > 0'
assert_json "$RESULT" '.thresholds[1] | .severity == "critical" and .ok == true'
assert_json "$RESULT" '.totals.requests == 3'

log "command-line thresholds add to the suite's"
run_lg "$TEST_TMP/out5" "$TEST_TMP/suite/suite.yaml" --base-url "$NGINX_URL" -i 3 --threshold 'count(latency) == 4'
assert_status 1
assert_json "$RESULT" '.verdict == "fail" and (.thresholds | length) == 3'
assert_json "$RESULT" '.thresholds[2] | .expr == "count(latency) == 4" and .ok == false and .observed == 3 and .unit == "count"'
assert_eq "$(nginx_requests '^GET /health ')" 16 "requests nginx received"
