#!/usr/bin/env bash
# User-Agent: every request says loadgate/VERSION unless the environment or the
# step sets its own, and then only that one reaches the server (an empty one: none
# at all). The default goes in the request's header list, not through libcurl's
# CURLOPT_USERAGENT. With a proxy variable set, loadgate sets CURLOPT_USERAGENT as
# well (for a proxy's CONNECT): what the server sees must not change.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /ua { return 200 "[$http_user_agent]"; }
NGX
)"

version=$("$LOADGATE" version | awk '{ print $2; exit }')
[[ -n "$version" ]] || fail "loadgate version printed no version"

scen="$TEST_TMP/ua.yaml"
cat >"$scen" <<EOF
scenario: user-agent
steps:
  - name: default
    request: {url: /ua?step=default}
    expect: {status: 200, body: {matches: '^\[loadgate/${version//./\\.}\]\$'}}
  - name: own
    request: {url: /ua?step=own, headers: {user-agent: probe/1}}
    expect: {status: 200, body: {matches: '^\[probe/1\]\$'}}
  - name: none
    request: {url: /ua?step=none, headers: {User-Agent: ""}}
    expect: {status: 200, body: {matches: '^\[\]\$'}}
EOF

run_lg "$TEST_TMP/out" "$scen" --base-url "$NGINX_URL" -u 1 -i 2
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .totals.requests == 6 and .totals.checks_failed == 0'
assert_json "$RESULT" '.totals.checks_passed == 12' "status and body checks of the three steps, both iterations"
assert_eq "$(nginx_requests .)" 6 "requests nginx received"

# A proxy variable set, loopback exempt (no_proxy): nginx is reached directly, with
# the same User-Agent lines. Nothing listens on the proxy's port.
http_proxy=http://127.0.0.1:9 no_proxy=127.0.0.1 run_lg "$TEST_TMP/out-proxy" "$scen" \
    --base-url "$NGINX_URL" -u 1 -i 2
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .totals.checks_passed == 12 and .totals.checks_failed == 0' \
    "with a proxy variable set"
assert_eq "$(nginx_requests .)" 12 "requests nginx received in all"
