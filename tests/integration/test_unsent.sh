#!/usr/bin/env bash
# A request that could not be sent (its template reads a value that was never
# captured) fails its step and iteration and is counted apart as `unsent`: never as
# a request, an error of a request, in rps, error_rate or a time metric. What
# loadgate counts as requests is what the server received (pollserver's /count).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_pollserver --pending-polls 3

# Per iteration: health (ok), login (its capture finds nothing: a capture error;
# on_failure continue), item (reads the token never captured: unsent; continue),
# after (ok, then 50ms of think time so the run lasts). 3 requests sent, 1 failed,
# 1 unsent.
scen="$TEST_TMP/unsent.yaml"
cat >"$scen" <<'EOF'
scenario: unsent
steps:
  - name: health
    request: {method: GET, url: /health}
    expect: {status: 200}
  - name: login
    request: {method: GET, url: /health}
    capture:
      token: {json: $.token}
    on_failure: continue
  - name: item
    request: {method: GET, url: "/v1/items/{{token}}"}
    on_failure: continue
  - name: after
    request: {method: GET, url: /health}
    think: 50ms
EOF
lg check "$scen"
assert_status 0 "check"

log "the strict default gate: unsent requests are counted apart and fail it"
run_lg "$TEST_TMP/default" "$scen" --base-url "$POLL_URL" -i 4 -u 2
assert_status 1
assert_eq "$(poll_count)" 12 "requests pollserver received"
assert_json "$RESULT" '.totals.requests == 12 and .totals.errors == 4 and .totals.unsent == 4'
assert_json "$RESULT" "$(nonzero .totals.error_classes) == {\"capture\": 4}" "unsent is no error class"
assert_json "$RESULT" '.totals.iterations == 4 and .totals.iterations_failed == 4'
assert_json "$RESULT" "$(step item) | .requests == 0 and .errors == 0 and .unsent == 4 and .status == {}"
assert_json "$RESULT" "$(step item) | .latency_ms.max == 0"
assert_json "$RESULT" "$(step login) | .requests == 4 and .unsent == 0"
assert_json "$RESULT" '([.series[].requests] | add) == 12 and ([.series[].errors] | add) == 4'
assert_json "$RESULT" '(.totals.rps * .totals.duration_s - 12 | fabs) <= .totals.rps * 0.0005 + 0.001' \
    "rps counts sent requests (rps is rounded to a thousandth)"
assert_json "$RESULT" '.rules[0].name == "default" and .rules[0].ok == false'
assert_json "$RESULT" '.rules[0].text == "no thresholds given, so any failure fails the gate: 4 of 12 requests failed (capture 4); 4 requests could not be sent"'
assert_matches "$LG_OUT" '· 12 requests \([0-9.,]+/s\) · 4 unsent · 4 iterations \(4 failed\)' "header"
assert_matches "$LG_OUT" '^  unsent/item +0 +0\.0 +- +- +- +- +- +0 +4 +- *$' "the step's row"
assert_contains "$LG_OUT" "  unsent: 4 requests could not be sent (never reached the server; not counted as requests): unset_value 4"
assert_json "$RESULT" "$(step item) | .unsent_reasons == {\"unset_value\": 4}"
assert_contains "$LG_OUT" "✗ strict default gate: no thresholds given, so any failure fails the gate: 4 of 12 requests failed (capture 4); 4 requests could not be sent"

log "error_rate is failed requests over requests sent: 4 of 12, not 8 of 16"
run_lg "$TEST_TMP/rate" "$scen" --base-url "$POLL_URL" -i 4 -u 2 --threshold 'error_rate < 40%'
assert_status 1 "error_rate cannot count unsent requests: the failures rule still does"
assert_eq "$(poll_count)" 24 "requests pollserver received (both runs)"
assert_json "$RESULT" '.thresholds[0].ok == true and (.thresholds[0].observed * 1000 | round) == 333'
assert_json "$RESULT" '[.rules[] | {name, ok}] == [{"name": "failures", "ok": false}, {"name": "no_response", "ok": true}]' \
    "a threshold on error_rate takes the failed requests over, not the unsent ones"
assert_json "$RESULT" '.rules[0].text == "error_rate judges the failed requests; what it cannot count still fails the gate (unsent requests, dropped iterations, a spent feed): 4 requests could not be sent"'

log "the failures rule (latency-only threshold) counts them"
run_lg "$TEST_TMP/latency" "$scen" --base-url "$POLL_URL" -i 2 --threshold 'p95(latency) < 5s'
assert_status 1
assert_json "$RESULT" '.totals.requests == 6 and .totals.unsent == 2'
assert_json "$RESULT" '.rules[0].name == "failures" and (.rules[0].text | endswith("; 2 requests could not be sent"))'
