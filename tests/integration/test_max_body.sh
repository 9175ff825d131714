#!/usr/bin/env bash
# max_body bounds every response body (decoded bytes, kept for a check or only
# counted): past it the transfer stops and the request fails as body_too_large, in
# the summary and result.json, and the gate fails. An endless chunked body, a large
# body and a gzip bomb keep memory bounded; a body under the limit passes; a step's
# max_body overrides its environment's, which overrides the 8 MiB default; Ctrl-C
# while large bodies are read and parsed still stops the run.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_pollserver --pending-polls 3
dir="$TEST_TMP/suite"
mkdir -p "$dir"

# A JSON check makes loadgate keep the body; a status check alone only counts it.
scenario() { # NAME URL [REQUEST_EXTRA] [json]
    local json=""
    [[ -z "${4:-}" ]] || json=$'\n      json: {"$": {exists: true}}'
    cat >"$dir/$1.yaml" <<EOT
scenario: $1
steps:
  - name: $1
    request: {method: GET, url: "$2", timeout: 20s${3:+, $3}}
    expect:
      status: 200$json
EOT
}
suite() { # NAME SCENARIO [ENV_EXTRA]
    cat >"$dir/$1.yaml" <<EOT
suite: $1
environments:
  local: {base_url: "$POLL_URL"${3:+, $3}}
scenarios:
  - {file: $2.yaml}
EOT
}

log "an endless chunked body under a JSON check: body_too_large at the default 8 MiB"
scenario endless /endless "" json
run_lg "$TEST_TMP/endless" "$dir/endless.yaml" --base-url "$POLL_URL" -u 1 -i 1
assert_status 1 "the gate fails"
assert_json "$RESULT" '.verdict == "fail"'
assert_json "$RESULT" '.totals.error_classes == {"body_too_large": 1}'
assert_json "$RESULT" "$(step endless) | .errors == 1 and .error_classes == {\"body_too_large\": 1}"
assert_contains "$LG_OUT" "errors: body_too_large 1" "the summary names the class"
assert_contains "$LG_OUT" "body_too_large: a response body was larger than max_body" \
    "the summary says what the class means"
assert_contains "$TEST_TMP/endless/summary.txt" "body_too_large"
assert_eq "$(poll_count)" 1 "one request reached pollserver"

log "a 4,096-byte body under the default limit passes"
scenario small "/bytes?n=4096" "" json
run_lg "$TEST_TMP/small" "$dir/small.yaml" --base-url "$POLL_URL" -u 1 -i 1
assert_status 0
assert_json "$RESULT" "$(step small) | .errors == 0 and .checks.passed == 2"

log "a step's max_body: 1KiB fails the same body, 8KiB passes it"
scenario step_low "/bytes?n=4096" "max_body: 1KiB" json
run_lg "$TEST_TMP/step_low" "$dir/step_low.yaml" --base-url "$POLL_URL" -u 1 -i 1
assert_status 1
assert_json "$RESULT" '.totals.error_classes == {"body_too_large": 1}'
scenario step_high "/bytes?n=4096" "max_body: 8KiB" json
run_lg "$TEST_TMP/step_high" "$dir/step_high.yaml" --base-url "$POLL_URL" -u 1 -i 1
assert_status 0

log "an environment's max_body: 1000 fails it; a step's 10kB overrides the environment's"
scenario env_plain "/bytes?n=4096" "" json
suite env_low env_plain "max_body: 1000"
run_lg "$TEST_TMP/env_low" "$dir/env_low.yaml" --env local -u 1 -i 1
assert_status 1
assert_json "$RESULT" '.totals.error_classes == {"body_too_large": 1}'
scenario env_step "/bytes?n=4096" "max_body: 10kB" json
suite env_step_wins env_step "max_body: 1000"
run_lg "$TEST_TMP/env_step" "$dir/env_step_wins.yaml" --env local -u 1 -i 1
assert_status 0
log "an environment's max_body raises the limit: 20 MB counted with 32MiB, refused by default"
scenario counted "/bytes?n=20000000"
suite env_high counted "max_body: 32MiB"
run_lg "$TEST_TMP/env_high" "$dir/env_high.yaml" --env local -u 1 -i 1
assert_status 0
assert_json "$RESULT" "$(step counted) | .errors == 0"
log "a body that is only counted is bounded too"
run_lg "$TEST_TMP/counted" "$dir/counted.yaml" --base-url "$POLL_URL" -u 1 -i 1
assert_status 1
assert_json "$RESULT" '.totals.error_classes == {"body_too_large": 1}'

log "a gzip bomb (130 KiB inflating to 128 MiB): the limit applies to decoded bytes"
scenario bomb /gzip-bomb "" json
run_lg "$TEST_TMP/bomb" "$dir/bomb.yaml" --base-url "$POLL_URL" -u 1 -i 1
assert_status 1
assert_json "$RESULT" '.totals.error_classes == {"body_too_large": 1}'

# Peak memory of 4 VUs reading endless bodies for 3 s: bounded by VUs x max_body
# plus the process itself (without the limit: hundreds of MB per VU per second).
if [[ -x /usr/bin/time ]]; then
    log "peak RSS of 4 VUs x 3 s of endless bodies"
    set +e
    timeout -k 5 60 /usr/bin/time -o "$TEST_TMP/rss" -f '%M' "$LOADGATE" run "$dir/endless.yaml" \
        --base-url "$POLL_URL" -u 4 -d 3s --no-progress --quiet </dev/null >"$LG_OUT" 2>"$LG_ERR"
    LG_STATUS=$?
    set -e
    assert_status 1
    rss_kb=$(tail -n1 "$TEST_TMP/rss")
    log "peak RSS ${rss_kb} KB"
    if ((rss_kb > 400000)); then fail "peak RSS ${rss_kb} KB exceeds 400 MB"; fi
    _lg_asserts=$((_lg_asserts + 1))
else
    log "no /usr/bin/time (package time): peak RSS not measured"
fi

log "SIGINT while 2 VUs read and parse 60 MB bodies: exit 3, result.json aborted"
scenario large "/bytes?n=60000000" "max_body: 64MiB" json
env --default-signal=INT "$LOADGATE" run "$dir/large.yaml" --base-url "$POLL_URL" -u 2 -d 60s \
    --out "$TEST_TMP/large" --no-progress </dev/null >"$LG_OUT" 2>"$LG_ERR" &
pid=$!
_lg_pids+=("$pid")
sleep 2
kill -INT "$pid" 2>/dev/null || fail "loadgate exited before SIGINT"
# A hang detector, not a timing assertion.
for _ in $(seq 200); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
    fail "loadgate still runs 20 s after SIGINT"
    kill -KILL "$pid" 2>/dev/null || true
fi
set +e
wait "$pid"
LG_STATUS=$?
_lg_shown=0
set -e
RESULT="$TEST_TMP/large/result.json"
assert_status 3 "aborted by SIGINT"
assert_json "$RESULT" '.verdict == "aborted"'
