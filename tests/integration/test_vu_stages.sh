#!/usr/bin/env bash
# Load shapes from a suite's profiles: VU stages for the closed model (ramp up,
# hold, ramp down: never more VUs than the highest target, every request counted;
# an iteration budget ends the run when it is spent, not when the stages end) and
# rate stages for the open model (the arrivals due are exactly those where the
# integral of the rate reaches i + 0.5 before the end).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /health { return 200 '{"status":"ok"}'; }
location / { return 404 '{"error":"not found"}'; }
NGX
)"

health_scenario "$TEST_TMP/health.yaml"

suite="$TEST_TMP/suite.yaml"
cat >"$suite" <<EOF
suite: stages
environments:
  local: {base_url: "$NGINX_URL"}
scenarios:
  - {file: health.yaml}
profiles:
  ramp: {vus: {stages: [{ramp: 1s, to: 4}, {hold: 1s}, {ramp: 1s, to: 0}]}}
  plateau: {vus: {start: 1, stages: [{ramp: 500ms, to: 4}, {hold: 2500ms}]}}
  spike: {rate: {stages: [{ramp: 1s, to: 40/s}, {ramp: 1s, to: 0/s}]}, max_vus: 10}
  budget: {vus: {stages: [{ramp: 200ms, to: 3}, {hold: 30s}]}, iterations: 20}
  budget-idle: {vus: {start: 1, stages: [{hold: 20s}, {ramp: 100ms, to: 2}, {hold: 20s}]},
                iterations: 20}
EOF

log "check accepts VU and rate stages"
lg check "$suite"
assert_status 0 "check of a suite with stages"

log "--profile ramp: VUs 0 -> 4 over 1s, hold 1s, 4 -> 0 over 1s"
before=$(nginx_requests '^GET /health ')
run_lg "$TEST_TMP/out-ramp" "$suite" --env local --profile ramp
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .profile == "ramp"'
assert_json "$RESULT" '.schedule.model == "closed"'
assert_json "$RESULT" '.totals.iterations > 0 and .totals.errors == 0'
assert_json "$RESULT" '.series | length > 0'
assert_json "$RESULT" '([.series[].vus] | max) <= 4' "never more VUs than the highest stage target"
assert_json "$RESULT" '([.series[].vus] | max) >= 1' "some VU ran"
assert_json "$RESULT" '.totals.requests == ([.series[].requests] | add)' "totals vs series"
assert_json "$RESULT" '.totals.iterations == .totals.requests' "one-step journey"
after=$(nginx_requests '^GET /health ')
assert_eq "$(jq '.totals.requests' "$RESULT")" "$((after - before))" \
    "requests counted by loadgate vs received by nginx (VU stages)"

# Starting at 1 VU with 2 threads, one worker's share is 0 at first: it must still
# take its VUs when the target rises. The ticks at 1 s and 2 s fall inside the hold
# at 4 VUs (from 0.5 s to 3 s), so the series sees all 4.
log "--profile plateau --threads 2: 1 -> 4 VUs, hold 4 over both workers"
before=$(nginx_requests '^GET /health ')
run_lg "$TEST_TMP/out-plateau" "$suite" --env local --profile plateau --threads 2
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .totals.iterations > 0'
assert_json "$RESULT" '([.series[].vus] | max) == 4' "both workers run their VUs during the hold"
assert_json "$RESULT" '.totals.requests == ([.series[].requests] | add)' "totals vs series"
after=$(nginx_requests '^GET /health ')
assert_eq "$(jq '.totals.requests' "$RESULT")" "$((after - before))" \
    "requests counted by loadgate vs received by nginx (VU stages, 2 threads)"

# Rate 0 -> 40/s over 1 s, then 40/s -> 0 over 1 s: the integral is 20 + 20 = 40.
# Arrival i is due when the integral reaches i + 0.5, strictly before the end:
# i = 0 .. 39 (39.5 < 40, 40.5 is never reached), so exactly 40 arrivals.
log "--profile spike: rate 0 -> 40/s -> 0 over 2 s: exactly 40 arrivals"
before=$(nginx_requests '^GET /health ')
run_lg "$TEST_TMP/out-spike" "$suite" --env local --profile spike
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .profile == "spike"'
assert_json "$RESULT" '.schedule.model == "open"'
assert_json "$RESULT" '.schedule.scheduled == 40'
assert_json "$RESULT" '.schedule.peak_rate_per_s == 40'
assert_json "$RESULT" '.schedule.max_vus == 10'
assert_json "$RESULT" '.schedule.started + .schedule.dropped == 40'
assert_json "$RESULT" '.schedule.dropped == .totals.dropped_iterations'
assert_json "$RESULT" '.totals.iterations <= .schedule.started'
assert_json "$RESULT" '.totals.requests == ([.series[].requests] | add)' "totals vs series"
after=$(nginx_requests '^GET /health ')
assert_eq "$(jq '.totals.requests' "$RESULT")" "$((after - before))" \
    "requests counted by loadgate vs received by nginx (rate stages)"

# An iteration budget ends the run once spent, whatever the stages still hold: 20
# iterations of a fast request take well under a second, against stages of 30 s
# (and of 40 s, where the second worker's VUs stay parked for the first 20 s:
# it must end too, not wait for its target to rise).
for profile in budget budget-idle; do
    log "--profile $profile --threads 2: 20 iterations, then the run ends"
    before=$(nginx_requests '^GET /health ')
    run_lg "$TEST_TMP/out-$profile" "$suite" --env local --profile "$profile" --threads 2
    assert_status 0
    assert_json "$RESULT" '.verdict == "pass" and .totals.iterations == 20 and .totals.requests == 20'
    assert_json "$RESULT" '.totals.duration_s < 15' "the run ended when the budget was spent, not with the stages"
    assert_json "$RESULT" '(.series | length) < 15' "no idle seconds in the series"
    after=$(nginx_requests '^GET /health ')
    assert_eq "$((after - before))" 20 "requests received by nginx ($profile)"
done
