#!/usr/bin/env bash
# The open model (--rate): iteration i of a constant rate R is due at (i + 0.5)/R,
# so R for D seconds schedules exactly round-half-down(R*D) iterations. A healthy
# server gets every one of them; against a slow server with too few VUs the late
# starts are corrected for (coordinated omission: corrected latency >= uncorrected)
# and what cannot start within --max-lateness is dropped, said plainly in the
# summary, and fails a `dropped == 0` threshold. Invalid flag combinations exit 2.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /health { return 200 '{"status":"ok"}'; }
location / { return 404 '{"error":"not found"}'; }
NGX
)"
start_pollserver --pending-polls 3

health="$TEST_TMP/health.yaml"
health_scenario "$health"

# slow MS: a one-step scenario whose request takes MS milliseconds at pollserver
slow() {
    cat >"$TEST_TMP/slow$1.yaml" <<EOF
scenario: slow$1
steps:
  - name: slow
    request: {method: GET, url: "/slow?ms=$1"}
    expect: {status: 200}
EOF
    echo "$TEST_TMP/slow$1.yaml"
}

# Every key of latency_ms (corrected) is at least the uncorrected one.
correction_adds() {
    assert_json "$RESULT" \
        '.steps[0] | (.latency_uncorrected_ms | keys) == (.latency_ms | keys) and (.latency_ms | keys | length == 8)' \
        "latency_uncorrected_ms has latency_ms's keys"
    # shellcheck disable=SC2016 # $s is jq's
    assert_json "$RESULT" \
        '.steps[0] as $s | [$s.latency_ms | keys[] | $s.latency_ms[.] >= $s.latency_uncorrected_ms[.]] | all' \
        "correction only ever adds"
}

log "(a) 50/s for 2s against nginx: exactly 100 iterations, none dropped"
before=$(nginx_requests '^GET /health ')
run_lg "$TEST_TMP/out-a" "$health" --base-url "$NGINX_URL" --rate 50/s -d 2s --max-vus 5 \
    --threshold 'dropped == 0'
assert_status 0
assert_json "$RESULT" '.verdict == "pass"'
assert_json "$RESULT" '.schedule.model == "open"'
assert_json "$RESULT" '.schedule.peak_rate_per_s == 50 and .schedule.max_vus == 5'
assert_json "$RESULT" '.schedule.max_lateness_s == 10' "default max lateness"
assert_json "$RESULT" '.schedule.scheduled == 100'
assert_json "$RESULT" '.schedule.started == 100'
assert_json "$RESULT" '.schedule.dropped == 0 and .totals.dropped_iterations == 0'
assert_json "$RESULT" '.totals.iterations == 100 and .scenarios[0].iterations == 100'
assert_json "$RESULT" '.totals.requests == 100 and .steps[0].requests == 100 and .totals.errors == 0'
assert_json "$RESULT" '.totals.requests == ([.series[].requests] | add)' "totals vs series"
assert_json "$RESULT" '.steps[0].latency_uncorrected_ms | type == "object"'
assert_json "$RESULT" '.steps[0].histogram_uncorrected | type == "string" and startswith("HISTF")'
assert_json "$RESULT" '.scenarios[0].iteration_uncorrected_ms | type == "object"'
assert_json "$RESULT" '.scenarios[0].iteration_ms.max >= .scenarios[0].iteration_uncorrected_ms.max'
correction_adds
assert_json "$RESULT" '.thresholds | length == 1'
assert_json "$RESULT" '.thresholds[0].expr == "dropped == 0" and .thresholds[0].ok == true and .thresholds[0].observed == 0'
after=$(nginx_requests '^GET /health ')
assert_eq "$((after - before))" 100 "requests nginx received"

log "(b) coordinated omission: 20/s of 300 ms requests served by 2 VUs"
run_lg "$TEST_TMP/out-b" "$(slow 300)" --base-url "$POLL_URL" --rate 20/s -d 3s --max-vus 2
assert_json "$RESULT" '.schedule.model == "open" and .schedule.max_vus == 2'
assert_json "$RESULT" '.schedule.scheduled == 60'
assert_json "$RESULT" '.schedule.started + .schedule.dropped == 60'
assert_json "$RESULT" '.schedule.dropped == .totals.dropped_iterations'
assert_json "$RESULT" '.schedule.waited > 0' "iterations waited for a free VU"
assert_json "$RESULT" '.schedule.waited <= .schedule.started'
assert_json "$RESULT" '.totals.iterations <= .schedule.started'
assert_json "$RESULT" '.steps[0].latency_ms.max > .steps[0].latency_uncorrected_ms.max' \
    "the wait for a free VU is counted in the corrected latency"
assert_json "$RESULT" '.scenarios[0].iteration_ms.max > .scenarios[0].iteration_uncorrected_ms.max'
assert_json "$RESULT" '.schedule.wait_ms.max > 0'
correction_adds

log "(c) drops: 20/s of 1 s requests, 1 VU, --max-lateness 200ms"
slow1000=$(slow 1000)
run_lg "$TEST_TMP/out-c" "$slow1000" --base-url "$POLL_URL" --rate 20/s -d 2s --max-vus 1 \
    --max-lateness 200ms
assert_json "$RESULT" '.schedule.max_lateness_s == 0.2'
assert_json "$RESULT" '.schedule.scheduled == 40'
assert_json "$RESULT" '.schedule.dropped > 0'
assert_json "$RESULT" '.schedule.started + .schedule.dropped == 40'
assert_json "$RESULT" '.totals.dropped_iterations == .schedule.dropped'
assert_json "$RESULT" '.totals.iterations <= .schedule.started'
assert_json "$RESULT" '.schedule.sustained == false'
assert_json "$RESULT" '.schedule.note | type == "string" and test("dropped")'
note=$(jq -r '.schedule.note // ""' "$RESULT")
if [[ -n "$note" ]]; then
    assert_contains "$LG_OUT" "$note" "the summary says the rate was not sustained"
    assert_contains "$TEST_TMP/out-c/summary.txt" "$note" "summary.txt says it too"
fi

log "(c) the same with --threshold 'dropped == 0': the gate fails"
run_lg "$TEST_TMP/out-c2" "$slow1000" --base-url "$POLL_URL" --rate 20/s -d 2s --max-vus 1 \
    --max-lateness 200ms --threshold 'dropped == 0'
assert_status 1
assert_json "$RESULT" '.verdict == "fail"'
assert_json "$RESULT" '.schedule.dropped > 0'
assert_json "$RESULT" '.thresholds[0].expr == "dropped == 0" and .thresholds[0].ok == false'
assert_json "$RESULT" '.thresholds[0].observed == .schedule.dropped and .thresholds[0].observed == .totals.dropped_iterations'

log "(d) invalid open-model flags exit 2 and send nothing"
nginx_before=$(nginx_requests .)
poll_before=$(poll_count)
lg run "$health" --base-url "$NGINX_URL" --rate soon -d 1s
assert_status 2 "--rate soon"
assert_contains "$LG_ERR" "rate" "--rate soon: stderr names the flag"
lg run "$health" --base-url "$NGINX_URL" --rate 20000000/s -d 1s
assert_status 2 "--rate above the limit"
assert_contains "$LG_ERR" "--rate: at most 10000000/s, got '20000000/s'" "--rate above the limit: the limit named"
lg run "$health" --base-url "$NGINX_URL" --rate 0/s -d 1s
assert_status 2 "--rate 0/s"
assert_contains "$LG_ERR" "--rate: expected iterations per second" "--rate 0/s"
lg run "$health" --base-url "$NGINX_URL" --rate 10/s
assert_status 2 "--rate without --duration"
assert_contains "$LG_ERR" "--duration" "--rate without --duration"
lg run "$health" --base-url "$NGINX_URL" --max-vus 5 -d 1s
assert_status 2 "--max-vus without --rate"
assert_contains "$LG_ERR" "max-vus" "--max-vus without --rate"
lg run "$health" --base-url "$NGINX_URL" --rate 10/s -d 1s -i 5
assert_status 2 "--rate with --iterations"
assert_matches "$LG_ERR" 'iterations|-i' "--rate with --iterations"
assert_eq "$(nginx_requests .)" "$nginx_before" "requests nginx received from invalid runs"
assert_eq "$(poll_count)" "$poll_before" "requests pollserver received from invalid runs"
