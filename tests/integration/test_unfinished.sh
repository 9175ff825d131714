#!/usr/bin/env bash
# Requests still in flight when the run ends are counted: against a server that
# never answers every N-th request, the hung requests are failures of class
# `unfinished` timed at their elapsed time (so they break a latency threshold as
# well as an error-rate one), and the iterations they belong to are counted as
# interrupted. The server's count of requests equals loadgate's, in the closed
# model (hard stop after the graceful stop), the open model, and on Ctrl-C.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_pollserver --pending-polls 3

# hang_scenario EVERY: one GET of /hang?every=EVERY per iteration
hang_scenario() {
    cat >"$TEST_TMP/hang$1.yaml" <<EOF
scenario: hang
steps:
  - name: hang
    request: {method: GET, url: "/hang?every=$1"}
    expect: {status: 200}
EOF
    echo "$TEST_TMP/hang$1.yaml"
}

# counted_as_sent BEFORE: the server got exactly the requests loadgate counts, and
# every total agrees with the steps, the series, and the iterations (one request
# per iteration: each finished or was cut short by its unfinished request).
counted_as_sent() {
    local before=$1 after
    after=$(poll_count)
    assert_eq "$(jq '.totals.requests' "$RESULT")" "$((after - before))" \
        "requests counted by loadgate vs received by pollserver"
    assert_json "$RESULT" '.totals.error_classes.unfinished >= 1' "some request never got an answer"
    assert_json "$RESULT" '.totals.errors == .totals.error_classes.unfinished' \
        "every error is an unfinished request"
    assert_json "$RESULT" '.steps[0].requests == .totals.requests and .steps[0].errors == .totals.errors'
    assert_json "$RESULT" '.steps[0].error_classes.unfinished == .totals.error_classes.unfinished'
    assert_json "$RESULT" '.totals.requests == ([.series[].requests] | add)' "totals vs series (requests)"
    assert_json "$RESULT" '.totals.errors == ([.series[].errors] | add)' "totals vs series (errors)"
    assert_json "$RESULT" '.totals.iterations_interrupted == .totals.error_classes.unfinished' \
        "each unfinished request interrupted its iteration"
    assert_json "$RESULT" '.totals.requests == .totals.iterations + .totals.iterations_interrupted' \
        "no started iteration vanished"
    assert_json "$RESULT" '.totals.iterations_failed == .totals.iterations_interrupted' \
        "an iteration cut short by an unfinished request failed"
    assert_json "$RESULT" '.scenarios[0].iterations_interrupted == .totals.iterations_interrupted'
    # A time sample at its elapsed time: the graceful stop (10 s) went by before the
    # hard stop, so the slowest request is slower than any answered one can be.
    assert_json "$RESULT" '.steps[0].latency_ms.max >= 5000' "unfinished requests are latency samples"
    assert_contains "$LG_OUT" "unfinished"
}

log "closed model: 10 VUs for 1s, 1 request in 20 never answered"
scen=$(hang_scenario 20)
before=$(poll_count)
run_lg "$TEST_TMP/out-closed" "$scen" --base-url "$POLL_URL" --vus 10 --duration 1s \
    --threshold 'p99(latency) < 500ms' --threshold 'error_rate < 1%'
assert_status 1 "hung requests fail the gate"
assert_json "$RESULT" '.verdict == "fail"'
assert_json "$RESULT" '[.thresholds[].ok] == [false, false]' "both the latency and the error-rate threshold break"
counted_as_sent "$before"

log "open model: 40/s for 1s with at most 10 VUs, 1 request in 5 never answered (strict default gate)"
scen=$(hang_scenario 5)
before=$(poll_count)
run_lg "$TEST_TMP/out-open" "$scen" --base-url "$POLL_URL" --rate 40/s --duration 1s --max-vus 10
assert_status 1 "hung requests fail the strict default gate"
assert_json "$RESULT" '.verdict == "fail" and .default_gate == true'
assert_json "$RESULT" '.schedule.model == "open"'
assert_json "$RESULT" '.schedule.started == .totals.iterations + .totals.iterations_interrupted' \
    "every started iteration finished or was interrupted"
assert_json "$RESULT" '.schedule.scheduled == .schedule.started + .schedule.dropped'
counted_as_sent "$before"

log "SIGINT: 10 VUs for 30s, interrupted after 1.5s"
scen=$(hang_scenario 20)
out="$TEST_TMP/out-sigint"
before=$(poll_count)
# A background job of a non-interactive shell starts with SIGINT ignored; give
# loadgate the default disposition, as a terminal's Ctrl-C would find it.
env --default-signal=INT "$LOADGATE" run "$scen" --base-url "$POLL_URL" --vus 10 -d 30s \
    --out "$out" --no-progress </dev/null >"$LG_OUT" 2>"$LG_ERR" &
pid=$!
_lg_pids+=("$pid")
sleep 1.5
kill -INT "$pid" 2>/dev/null || fail "loadgate exited before SIGINT"
set +e
wait "$pid"
LG_STATUS=$?
_lg_shown=0
set -e
RESULT="$out/result.json"
assert_status 3 "aborted by SIGINT"
assert_json "$RESULT" '.verdict == "aborted"'
# As above, but a signal stops the run without the graceful stop: a request sent
# just before it may not have been read by pollserver yet, so the count is bounded
# (it is exact once every VU hangs, which takes a fraction of the 1.5 s).
after=$(poll_count)
served=$((after - before))
assert_json "$RESULT" ".totals.requests >= $served" "every request pollserver received is counted (SIGINT)"
assert_json "$RESULT" ".totals.requests - .totals.error_classes.unfinished <= $served" \
    "no finished request counted that pollserver did not receive (SIGINT)"
assert_json "$RESULT" '.totals.error_classes.unfinished >= 1'
assert_json "$RESULT" '.totals.requests == ([.series[].requests] | add)' "totals vs series (SIGINT)"
assert_json "$RESULT" '.totals.requests == .totals.iterations + .totals.iterations_interrupted' \
    "no started iteration vanished (SIGINT)"
assert_json "$RESULT" '.totals.iterations_interrupted == .totals.error_classes.unfinished'
