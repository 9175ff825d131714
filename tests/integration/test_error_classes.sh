#!/usr/bin/env bash
# Each way a request can fail lands in its own error class, counted exactly:
# connect (nothing listens), timeout (a slow pollserver response past the
# request's timeout), http_5xx, http_4xx, check, capture, reset (nginx closes the
# connection without a response: `return 444`), redirect (a redirect loop).
# Working redirects are followed, and not followed with `follow: false`.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /health { return 200 '{"status":"ok"}'; }
location = /unavailable { return 503 '{"error":"unavailable"}'; }
location = /missing { return 404 '{"error":"missing"}'; }
location = /drop { return 444; }
location = /loop { return 302 /loop; }
location = /moved { return 301 /health; }
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

# expect_class NAME CLASS: the run failed with exactly one error, of CLASS
expect_class() {
    local name=$1 class=$2
    assert_status 1 "$name"
    assert_json "$RESULT" '.verdict == "fail" and .default_gate == true' "$name"
    assert_json "$RESULT" '.totals.requests == 1 and .totals.errors == 1' "$name"
    assert_json "$RESULT" "$(nonzero .totals.error_classes) == {\"$class\": 1}" "$name"
    assert_json "$RESULT" "$(step "$name") | .requests == 1 and .errors == 1" "$name"
    assert_json "$RESULT" "$(step "$name") | $(nonzero .error_classes) == {\"$class\": 1}" "$name"
}

log "connect: nothing listens on the port"
closed_port=$(free_port)
one_step refused /health
run_lg "$TEST_TMP/refused" "$TEST_TMP/refused.yaml" --base-url "http://127.0.0.1:$closed_port"
expect_class refused connect
assert_json "$RESULT" "$(step refused) | .status == {\"0\": 1}" "no response is status 0"

log "timeout: the response takes 3 s, the request allows 200 ms"
cat >"$TEST_TMP/slow.yaml" <<'EOF'
scenario: slow
steps:
  - name: slow
    request: {method: GET, url: "/slow?ms=3000", timeout: 200ms}
EOF
run_lg "$TEST_TMP/slow" "$TEST_TMP/slow.yaml" --base-url "$POLL_URL"
expect_class slow timeout
assert_json "$RESULT" "$(step slow) | .status == {\"0\": 1}"
assert_eq "$(poll_count)" 1 "requests pollserver received"

log "http_5xx: 503"
one_step unavailable /unavailable
run_lg "$TEST_TMP/unavailable" "$TEST_TMP/unavailable.yaml" --base-url "$NGINX_URL"
expect_class unavailable http_5xx
assert_json "$RESULT" "$(step unavailable) | .status == {\"503\": 1}"

log "http_4xx: 404"
one_step missing /missing
run_lg "$TEST_TMP/missing" "$TEST_TMP/missing.yaml" --base-url "$NGINX_URL"
expect_class missing http_4xx
assert_json "$RESULT" "$(step missing) | .status == {\"404\": 1}"

log "check: a 200 where 201 was expected"
one_step wrongstatus /health "    expect: {status: 201}"
run_lg "$TEST_TMP/wrongstatus" "$TEST_TMP/wrongstatus.yaml" --base-url "$NGINX_URL"
expect_class wrongstatus check
assert_json "$RESULT" "$(step wrongstatus) | .status == {\"200\": 1} and .checks.failed == 1 and .checks.passed == 0"
assert_json "$RESULT" '.totals.checks_failed == 1'

log "check: a JSON expectation that does not hold"
one_step wrongjson /health "$(printf '    expect:\n      json:\n        $.status: {equals: degraded}')"
run_lg "$TEST_TMP/wrongjson" "$TEST_TMP/wrongjson.yaml" --base-url "$NGINX_URL"
expect_class wrongjson check
assert_json "$RESULT" "$(step wrongjson) | .checks.failed == 1 and (.checks.list | length) == 1 and .checks.list[0].failed == 1"

log "capture: the captured path is not in the response"
one_step nocapture /health "$(printf '    capture:\n      nothing: {json: $.nope}')"
run_lg "$TEST_TMP/nocapture" "$TEST_TMP/nocapture.yaml" --base-url "$NGINX_URL"
expect_class nocapture capture

log "reset: nginx closes the connection without answering (return 444)"
one_step drop /drop
run_lg "$TEST_TMP/drop" "$TEST_TMP/drop.yaml" --base-url "$NGINX_URL"
expect_class drop reset
assert_json "$RESULT" "$(step drop) | .status == {\"0\": 1}"

log "redirect: a redirect loop"
one_step loop /loop
run_lg "$TEST_TMP/loop" "$TEST_TMP/loop.yaml" --base-url "$NGINX_URL"
expect_class loop redirect
assert_eq "$(nginx_requests '^GET /loop 302 ')" 11 "the first request and 10 redirects, then loadgate gives up"

log "a working redirect is followed; follow: false stops at the 301"
health_before=$(nginx_requests '^GET /health ')
one_step moved /moved "    expect: {status: 200, json: {\$.status: {equals: ok}}}"
run_lg "$TEST_TMP/moved" "$TEST_TMP/moved.yaml" --base-url "$NGINX_URL"
assert_status 0 "redirect followed"
assert_json "$RESULT" '.verdict == "pass" and .totals.requests == 1 and .totals.errors == 0'
assert_json "$RESULT" "$(step moved) | .status == {\"200\": 1}"
cat >"$TEST_TMP/nofollow.yaml" <<'EOF'
scenario: nofollow
steps:
  - name: nofollow
    request: {method: GET, url: /moved, follow: false}
    expect: {status: 301}
EOF
run_lg "$TEST_TMP/nofollow" "$TEST_TMP/nofollow.yaml" --base-url "$NGINX_URL"
assert_status 0 "follow: false"
assert_json "$RESULT" '.verdict == "pass" and .totals.requests == 1'
assert_json "$RESULT" "$(step nofollow) | .status == {\"301\": 1}"
assert_eq "$(nginx_requests '^GET /health ')" "$((health_before + 1))" "only the followed redirect reached /health"

log "classes add up over steps with on_failure: continue"
cat >"$TEST_TMP/mixed.yaml" <<'EOF'
scenario: mixed
steps:
  - name: a
    request: {method: GET, url: /unavailable}
    on_failure: continue
  - name: b
    request: {method: GET, url: /missing}
    on_failure: continue
  - name: c
    request: {method: GET, url: /health}
    expect: {status: 204}
    on_failure: continue
  - name: d
    request: {method: GET, url: /health}
EOF
run_lg "$TEST_TMP/mixed" "$TEST_TMP/mixed.yaml" --base-url "$NGINX_URL" -i 2
assert_status 1
assert_json "$RESULT" '.totals.requests == 8 and .totals.errors == 6 and .totals.iterations_failed == 2'
assert_json "$RESULT" "$(nonzero .totals.error_classes) == {\"check\": 2, \"http_4xx\": 2, \"http_5xx\": 2}"
assert_json "$RESULT" "$(step d) | .requests == 2 and .errors == 0"
