#!/usr/bin/env bash
# A broken service never passes a latency-only gate. Time metrics describe
# responses: a refused, reset or redirect-looping request is counted but is no
# latency sample; a timeout is one, at its elapsed time. When no critical threshold
# on error_rate or checks covers the whole run, the failures rule fails the gate on any failed
# request or check (a checks threshold takes over the failed checks only: no check
# runs on a request that got no response); a run in which no request got a response
# fails whatever the thresholds say. The summary and result.json name the rule that
# decided.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /health { return 200 '{"status":"ok"}'; }
location = /drop { return 444; }
location = /loop { return 302 /loop; }
location = /boom { return 500 '{"status":"broken"}'; }
NGX
)"
start_pollserver --pending-polls 3

# one_step NAME URL [EXTRA_YAML]: a one-step scenario in $TEST_TMP/NAME.yaml
one_step() {
    cat >"$TEST_TMP/$1.yaml" <<EOF
scenario: $1
steps:
  - name: $1
    request: {method: GET, url: "$2"}
${3:-}
EOF
}

LATENCY_ONLY=(--threshold 'p95(latency) < 200ms')

# failed_by_rules: the failures rule and the no-response rule both failed
failed_by_rules() {
    assert_status 1 "$1"
    assert_json "$RESULT" '.verdict == "fail" and .default_gate == false' "$1"
    assert_json "$RESULT" '[.rules[] | select(.ok | not) | .name] == ["failures", "no_response"]' "$1"
    assert_json "$RESULT" '.thresholds[0].no_samples == true and .thresholds[0].ok == false' \
        "$1: no response is no latency sample"
    assert_json "$RESULT" '[.steps[].latency_ms.p95] == [0] and ([.series[].p95_ms] | max) == 0' \
        "$1: no percentile from requests without a response"
    assert_json "$RESULT" '.totals.requests > 0 and .totals.errors == .totals.requests' "$1"
    assert_contains "$LG_OUT" "✗ failures rule: no critical threshold on error_rate or checks covers the whole run, so any failed request fails the gate: " "$1"
    assert_contains "$LG_OUT" "✗ no-response rule: no request got a response: " "$1"
    assert_contains "$LG_OUT" "verdict: FAIL" "$1"
}

log "a dead port (nothing listens) under a latency-only gate"
dead_port=$(free_port)
one_step refused /health
run_lg "$TEST_TMP/refused" "$TEST_TMP/refused.yaml" --base-url "http://127.0.0.1:$dead_port" \
    -u 2 -d 1s "${LATENCY_ONLY[@]}"
failed_by_rules "dead port"
assert_json "$RESULT" "$(nonzero .totals.error_classes) | keys == [\"connect\"]"
assert_json "$RESULT" '.rules[0].text | test("^no critical threshold on error_rate or checks covers the whole run, so any failed request fails the gate: [0-9,]+ of [0-9,]+ requests failed \\(connect [0-9,]+\\)$")'
assert_json "$RESULT" '.rules[1].text | test("^no request got a response: [0-9,]+ sent, none answered \\(connect [0-9,]+\\)$")'
assert_matches "$LG_OUT" '^  refused/refused +[0-9]+ +[0-9.]+ +- +- +- +- +- ' "no latency in the table"
assert_file "$TEST_TMP/refused/summary.txt"
assert_contains "$TEST_TMP/refused/summary.txt" "✗ failures rule: "

log "the same dead port with a threshold a dead service meets: the no-response rule decides"
run_lg "$TEST_TMP/refused2" "$TEST_TMP/refused.yaml" --base-url "http://127.0.0.1:$dead_port" \
    -i 3 --threshold 'error_rate <= 100%'
assert_status 1
assert_json "$RESULT" '.thresholds[0].ok == true and .thresholds[0].observed == 1'
assert_json "$RESULT" '[.rules[] | {name, ok}] == [{"name": "failures", "ok": true}, {"name": "no_response", "ok": false}]' \
    "a threshold on error_rate takes the failed requests over; no response still fails"
assert_json "$RESULT" '.rules[1].text == "no request got a response: 3 sent, none answered (connect 3)"'

log "a server that resets the connection (nginx return 444)"
before=$(nginx_requests '^GET /drop ')
one_step drop /drop
run_lg "$TEST_TMP/drop" "$TEST_TMP/drop.yaml" --base-url "$NGINX_URL" -i 6 -u 2 "${LATENCY_ONLY[@]}"
failed_by_rules "reset"
assert_json "$RESULT" '.totals.requests == 6 and .totals.error_classes.reset == 6'
assert_eq "$(($(nginx_requests '^GET /drop ') - before))" 6 "requests nginx received"

log "a redirect loop (nginx return 302 to itself)"
before=$(nginx_requests '^GET /loop ')
one_step loop /loop
run_lg "$TEST_TMP/loop" "$TEST_TMP/loop.yaml" --base-url "$NGINX_URL" -i 2 "${LATENCY_ONLY[@]}"
failed_by_rules "redirect loop"
assert_json "$RESULT" '.totals.requests == 2 and .totals.error_classes.redirect == 2'
assert_eq "$(($(nginx_requests '^GET /loop ') - before))" 22 "each request and its 10 redirects"

log "a 500 under a JSON check: a response (timed), but a failed request"
before=$(nginx_requests '^GET /boom ')
one_step boom /boom "$(printf '    expect:\n      json:\n        $.status: {equals: ok}')"
run_lg "$TEST_TMP/boom" "$TEST_TMP/boom.yaml" --base-url "$NGINX_URL" -i 4 -u 2 "${LATENCY_ONLY[@]}"
assert_status 1
assert_json "$RESULT" '.verdict == "fail" and .thresholds[0].ok == true' "the 500s were fast"
assert_json "$RESULT" '.totals.requests == 4 and .totals.errors == 4 and .totals.checks_failed == 4'
assert_json "$RESULT" '[.rules[] | {name, ok}] == [{"name": "failures", "ok": false}, {"name": "no_response", "ok": true}]'
assert_json "$RESULT" '.rules[0].text | test("gate: 4 of 4 requests failed \\([a-z_0-9]+ 4\\); 4 of 4 checks failed$")'
assert_json "$RESULT" '.rules[1].text == "4 of 4 requests got a response"'
assert_json "$RESULT" "$(step boom) | .status == {\"500\": 4} and .latency_ms.max > 0"
assert_eq "$(($(nginx_requests '^GET /boom ') - before))" 4 "requests nginx received"

log "a threshold on checks leaves failed requests to the rule: no check runs on a reset"
cat >"$TEST_TMP/partial.yaml" <<'EOF'
scenario: partial
steps:
  - name: health
    request: {method: GET, url: /health}
    expect: {status: 200}
    on_failure: continue
  - name: drop
    request: {method: GET, url: /drop}
    expect: {status: 200}
EOF
run_lg "$TEST_TMP/partial" "$TEST_TMP/partial.yaml" --base-url "$NGINX_URL" -i 3 \
    "${LATENCY_ONLY[@]}" --threshold 'checks > 99%'
assert_status 1
assert_json "$RESULT" '[.thresholds[].ok] == [true, true]' "every check that ran passed"
assert_json "$RESULT" '.totals.requests == 6 and .totals.error_classes.reset == 3'
assert_json "$RESULT" '.rules[0] == {"name": "failures", "ok": false, "text": "no critical threshold on error_rate covers the whole run, so any failed request fails the gate (failed checks are left to the checks threshold): 3 of 6 requests failed (reset 3)"}'

log "a healthy service under the same gate passes, and the summary says why"
one_step health /health "    expect: {status: 200}"
run_lg "$TEST_TMP/health" "$TEST_TMP/health.yaml" --base-url "$NGINX_URL" -i 3 "${LATENCY_ONLY[@]}"
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and ([.rules[].ok] | all) and (.rules | length) == 2'
assert_contains "$LG_OUT" "✓ failures rule: no critical threshold on error_rate or checks covers the whole run, so any failed request fails the gate: no request, check or iteration failed"
assert_contains "$LG_OUT" "✓ no-response rule: 3 of 3 requests got a response"

log "a timeout is a latency sample at its elapsed time: a slow server does not look fast"
cat >"$TEST_TMP/slow.yaml" <<'EOF'
scenario: slow
steps:
  - name: slow
    request: {method: GET, url: "/slow?ms=3000", timeout: 300ms}
EOF
run_lg "$TEST_TMP/slow" "$TEST_TMP/slow.yaml" --base-url "$POLL_URL" -i 2 "${LATENCY_ONLY[@]}" \
    --threshold 'error_rate <= 100%'
assert_status 1
assert_json "$RESULT" '.totals.requests == 2 and .totals.error_classes.timeout == 2'
assert_json "$RESULT" '.thresholds[0].ok == false and .thresholds[0].no_samples == false' \
    "the timed-out requests are samples"
assert_json "$RESULT" '.thresholds[0].observed >= 299' "at no less than the 300 ms timeout"
assert_json "$RESULT" "$(step slow) | .latency_ms.min >= 299"
assert_json "$RESULT" '[.rules[] | {name, ok}] == [{"name": "failures", "ok": true}, {"name": "no_response", "ok": false}]'
assert_eq "$(poll_count)" 2 "requests pollserver received"

log "a threshold on error_rate of one step takes nothing over: the other steps' failures fail the gate"
cat >"$TEST_TMP/filtered.yaml" <<'EOF2'
scenario: filtered
steps:
  - name: health
    request: {method: GET, url: /health}
    expect: {status: 200}
  - name: boom
    request: {method: GET, url: /boom}
    on_failure: continue
EOF2
before=$(nginx_requests '^GET /boom ')
run_lg "$TEST_TMP/filtered" "$TEST_TMP/filtered.yaml" --base-url "$NGINX_URL" -i 4 \
    "${LATENCY_ONLY[@]}" --threshold 'error_rate{step=health} < 1%'
assert_status 1
assert_json "$RESULT" '[.thresholds[].ok] == [true, true]' "both thresholds hold"
assert_json "$RESULT" '.totals.requests == 8 and .totals.error_classes == {"http_5xx": 4}'
assert_json "$RESULT" '.rules[0] | .name == "failures" and .ok == false'
assert_eq "$(($(nginx_requests '^GET /boom ') - before))" 4 "requests nginx received"

log "a threshold on error_rate over the whole run cannot count unsent requests: they still fail"
# `token` is captured only when the weighted step runs; with --seed the same
# iterations skip it every run, and their next step cannot be sent.
cat >"$TEST_TMP/unsent.yaml" <<'EOF2'
scenario: unsent
steps:
  - name: login
    weight: 0.5
    request: {method: GET, url: /health}
    capture:
      token: {json: $.status}
  - name: item
    request: {method: GET, url: "/health?t={{token}}"}
EOF2
run_lg "$TEST_TMP/unsent" "$TEST_TMP/unsent.yaml" --base-url "$NGINX_URL" -i 20 --seed 7 \
    --threshold 'error_rate < 1%'
assert_status 1
assert_json "$RESULT" '.thresholds[0].ok == true and .totals.errors == 0 and .totals.unsent > 0'
assert_json "$RESULT" '.rules[0] | .name == "failures" and .ok == false and (.text | test("could not be sent"))'
