#!/usr/bin/env bash
# JSON numbers jansson cannot hold (integers beyond int64, reals beyond a double,
# like token amounts in wei) do not make a valid document "not JSON": its checks
# compare them exactly, a capture keeps the digits, and a template sends them back
# unquoted. nginx serves the numbers (its log shows the URL loadgate rendered), and
# pollserver's /echo returns the JSON body loadgate rendered, for checks on it.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /balance {
    return 200 '{"wei": 1000000000000000000000, "id": 18446744073709551616,
                 "debt": -9223372036854775809, "huge": 1e309, "n": 7, "ratio": 0.25}';
}
location = /seen { return 200 '{}'; }
NGX
)"
start_pollserver --pending-polls 0

scen="$TEST_TMP/numbers.yaml"
cat >"$scen" <<'EOF'
scenario: numbers
steps:
  - name: balance
    request: {url: /balance}
    expect:
      status: 200
      json:
        $.wei: {equals: 1000000000000000000000, type: integer, gt: 999999999999999999999,
                lt: 1000000000000000000001}
        $.id: {equals: 18446744073709551616, gte: 1.8446744073709551616e19}
        $.debt: {lt: -9223372036854775808, type: number}
        $.huge: {type: number, gt: 1e308, equals: 10e308}
        $.n: 7
        $.ratio: {lt: 0.5}
    capture:
      wei: {json: $.wei}
      huge: {json: $.huge}
  - name: seen
    request: {url: "/seen?wei={{wei}}&huge={{huge}}"}
    expect: {status: 200}
  - name: echo
    request:
      method: POST
      url: "{{echo_url}}"
      headers: {Content-Type: application/json}
      body: '{"amount": {{wei}}, "huge": {{huge}}, "as_text": "{{wei}}"}'
    expect:
      json:
        $.amount: {equals: 1000000000000000000000, type: integer}
        $.huge: {equals: 1e309}
        $.as_text: {equals: "1000000000000000000000", type: string}
EOF

lg check --var echo_url=x "$scen"
assert_status 0 "check"

log "big numbers parse, compare exactly, and travel through captures"
run_lg "$TEST_TMP/out1" "$scen" --base-url "$NGINX_URL" --var "echo_url=$POLL_URL/echo" -i 1
assert_status 0
assert_json "$RESULT" '.verdict == "pass"'
assert_json "$RESULT" '.totals.requests == 3 and .totals.errors == 0'
assert_json "$RESULT" '.totals.checks_failed == 0 and .totals.checks_passed == 20'
assert_eq "$(nginx_requests '^GET /seen\?wei=1000000000000000000000&huge=1e309 200 ')" 1 \
    "nginx saw the captured numbers as their digits"
assert_eq "$(poll_count)" 1 "pollserver got the echo request"

log "exact: one wei more is a different number"
sed 's/\$\.wei: {equals: 1000000000000000000000,/$.wei: {equals: 1000000000000000000001,/' \
    "$scen" >"$TEST_TMP/off-by-one.yaml"
run_lg "$TEST_TMP/out2" "$TEST_TMP/off-by-one.yaml" --base-url "$NGINX_URL" \
    --var "echo_url=$POLL_URL/echo" -i 1
assert_status 1
assert_json "$RESULT" '.verdict == "fail"'
assert_json "$RESULT" '.totals.checks_failed == 1' "only the off-by-one equals fails"
assert_json "$RESULT" "$(step balance)"'.checks.list[] | select(.failed == 1) |
    .label == "$.wei == 1000000000000000000001"'
