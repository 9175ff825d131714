#!/usr/bin/env bash
# An `abort: true` threshold stops a run once it is certainly broken (here: 100%
# errors over enough requests), or once it has been broken for `abort_after` (here:
# at 5 requests a second, too few to be certain): exit 3, verdict aborted, the
# reason names the threshold and why, and result.json and summary.txt are still
# written. test_abort_certainty.sh covers what must not abort.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /down { return 503 '{"error":"unavailable"}'; }
location = /health { return 200 '{"status":"ok"}'; }
location / { return 404 '{"error":"not found"}'; }
NGX
)"

cat >"$TEST_TMP/down.yaml" <<'EOF'
scenario: down
steps:
  - name: down
    request: {method: GET, url: /down}
EOF

# suite FILE THRESHOLD: a suite running down.yaml against nginx with one threshold
suite() {
    cat >"$1" <<EOF
suite: abort
environments:
  local: {base_url: "$NGINX_URL"}
scenarios:
  - {file: down.yaml}
thresholds:
  - $2
EOF
}

# aborted_run OUT: the checks common to both runs
aborted_run() {
    local out=$1
    RESULT="$out/result.json"
    assert_status 3 "aborted by a threshold"
    assert_file "$out/result.json"
    assert_file "$out/summary.txt"
    assert_json "$RESULT" '.verdict == "aborted"'
    assert_json "$RESULT" '(.abort_reason | type) == "string" and (.abort_reason | contains("error_rate < 5%"))'
    assert_json "$RESULT" '.totals.duration_s < 25' "stopped long before the 30 s"
    assert_json "$RESULT" '.totals.requests >= 1 and .totals.errors >= 1'
    assert_json "$RESULT" '.totals.error_classes.http_5xx >= 1'
    assert_json "$RESULT" '.thresholds | length == 1'
    assert_json "$RESULT" '.thresholds[0].expr == "error_rate < 5%" and .thresholds[0].abort == true'
    assert_json "$RESULT" '.thresholds[0].ok == false and .thresholds[0].observed > 0.05'
    assert_contains "$out/summary.txt" "error_rate < 5%" "summary.txt lists the threshold"
    # Every request nginx answered is counted; so are those in flight at the abort
    # (class unfinished), which nginx may or may not have read before the close.
    local served
    served=$(nginx_requests '^GET /down ')
    assert_json "$RESULT" ".totals.requests >= $served - ${2:-0}" "counted every request nginx served"
    assert_json "$RESULT" ".totals.requests - (.totals.error_classes.unfinished // 0) <= $served - ${2:-0}" \
        "counted no more than nginx served, besides the unfinished ones"
}

suite "$TEST_TMP/abort.yaml" '{expr: "error_rate < 5%", abort: true}'
lg check "$TEST_TMP/abort.yaml"
assert_status 0 "check of the abort suite"

log "abort: true"
run_lg "$TEST_TMP/out1" "$TEST_TMP/abort.yaml" --env local -u 2 -d 30s
aborted_run "$TEST_TMP/out1" 0
assert_json "$RESULT" '.abort_reason | test("^abort threshold broken: error_rate < 5% \\(observed 100.00% over [0-9]+ requests\\)$")'

log "abort: true, abort_after: 2s"
served_before=$(nginx_requests '^GET /down ')
suite "$TEST_TMP/abort-after.yaml" '{expr: "error_rate < 5%", abort: true, abort_after: 2s}'
run_lg "$TEST_TMP/out2" "$TEST_TMP/abort-after.yaml" --env local --rate 5/s -d 30s
aborted_run "$TEST_TMP/out2" "$served_before"
assert_json "$RESULT" '.abort_reason == "abort threshold broken: error_rate < 5% (observed 100.00%, broken for 2s)"'
assert_json "$RESULT" '.totals.requests < 200' "too few requests to be certain"
