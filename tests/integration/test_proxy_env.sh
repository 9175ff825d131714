#!/usr/bin/env bash
# A proxy from the environment: libcurl routes the requests through it, and the
# run says so (stderr before anything is sent, the summary's header, result.json
# config.proxy) with the proxy's host only, never its credentials; no_proxy
# exempts as libcurl does (then nothing is said); HTTP_PROXY in capitals is ignored
# for http:// as libcurl ignores it. Counted at both servers: the proxy (an nginx
# that forwards to the Host) and the target.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "location = /hit { return 200 '{\"ok\":true}'; }"
TARGET_URL=$NGINX_URL
TARGET_LOG=$NGINX_ACCESS_LOG
start_nginx "location / { proxy_pass http://\$http_host; }"
PROXY_PORT=$NGINX_PORT
PROXY_LOG=$NGINX_ACCESS_LOG

cat >"$TEST_TMP/hit.yaml" <<'EOF2'
scenario: hit
steps:
  - name: hit
    request: {method: GET, url: /hit, timeout: 5s}
    expect: {status: 200}
EOF2
count() { NGINX_ACCESS_LOG=$1 nginx_requests "$2"; }

log "http_proxy with credentials: routed through the proxy, its host shown"
http_proxy="http://user:s3cret@127.0.0.1:$PROXY_PORT/" \
    run_lg "$TEST_TMP/o1" "$TEST_TMP/hit.yaml" --base-url "$TARGET_URL" -u 2 -i 20
assert_status 0
assert_eq "$(count "$PROXY_LOG" "^GET /hit 200 ")" 20 "requests the proxy forwarded"
assert_eq "$(count "$TARGET_LOG" '^GET /hit 200 ')" 20 "requests the target received"
assert_json "$RESULT" ".config.proxy == {\"host\": \"127.0.0.1:$PROXY_PORT\", \"variable\": \"http_proxy\"}"
assert_contains "$LG_ERR" "loadgate: requests go through the proxy 127.0.0.1:$PROXY_PORT (from http_proxy)"
assert_contains "$LG_OUT" "via proxy 127.0.0.1:$PROXY_PORT (http_proxy)"
assert_contains "$TEST_TMP/o1/summary.txt" "via proxy 127.0.0.1:$PROXY_PORT (http_proxy)"
for f in "$LG_OUT" "$LG_ERR" "$RESULT" "$TEST_TMP/o1/summary.txt"; do
    assert_not_contains "$f" "s3cret" "the proxy's password"
    assert_not_contains "$f" "user:" "the proxy's user name"
done

log "no_proxy exempts the target: direct, nothing said"
http_proxy="http://127.0.0.1:$PROXY_PORT" no_proxy="localhost,127.0.0.1" \
    run_lg "$TEST_TMP/o2" "$TEST_TMP/hit.yaml" --base-url "$TARGET_URL" -u 2 -i 20
assert_status 0
assert_eq "$(count "$TARGET_LOG" '^GET /hit 200 ')" 40 "requests the target received"
assert_eq "$(count "$PROXY_LOG" '^GET ')" 20 "requests the proxy forwarded (none more)"
assert_json "$RESULT" '.config.proxy == null'
assert_not_contains "$LG_OUT" "via proxy"
assert_not_contains "$LG_ERR" "proxy"

log "HTTP_PROXY (capitals) is not read for http:// (libcurl's rule): direct"
HTTP_PROXY="http://127.0.0.1:$PROXY_PORT" \
    run_lg "$TEST_TMP/o3" "$TEST_TMP/hit.yaml" --base-url "$TARGET_URL" -u 1 -i 5
assert_status 0
assert_eq "$(count "$TARGET_LOG" '^GET /hit 200 ')" 45 "requests the target received"
assert_eq "$(count "$PROXY_LOG" '^GET ')" 20 "requests the proxy forwarded (none more)"
assert_json "$RESULT" '.config.proxy == null'

log "an empty http_proxy is unset to libcurl: all_proxy applies, and the run says so"
http_proxy="" all_proxy="http://127.0.0.1:$PROXY_PORT" \
    run_lg "$TEST_TMP/o4" "$TEST_TMP/hit.yaml" --base-url "$TARGET_URL" -u 1 -i 5
assert_status 0
assert_eq "$(count "$PROXY_LOG" '^GET ')" 25 "requests the proxy forwarded"
assert_json "$RESULT" ".config.proxy == {\"host\": \"127.0.0.1:$PROXY_PORT\", \"variable\": \"all_proxy\"}"
assert_contains "$LG_ERR" "loadgate: requests go through the proxy 127.0.0.1:$PROXY_PORT (from all_proxy)"

log "an empty no_proxy is unset to libcurl: NO_PROXY exempts the target, nothing said"
http_proxy="http://127.0.0.1:$PROXY_PORT" no_proxy="" NO_PROXY="127.0.0.1" \
    run_lg "$TEST_TMP/o5" "$TEST_TMP/hit.yaml" --base-url "$TARGET_URL" -u 1 -i 5
assert_status 0
assert_eq "$(count "$PROXY_LOG" '^GET ')" 25 "requests the proxy forwarded (none more)"
assert_json "$RESULT" '.config.proxy == null'
assert_not_contains "$LG_ERR" "proxy"

log "a password with a '/' (libcurl cannot parse the value): none of it is shown"
http_proxy="http://user:pa/ss@127.0.0.1:$PROXY_PORT" \
    run_lg "$TEST_TMP/o6" "$TEST_TMP/hit.yaml" --base-url "$TARGET_URL" -u 1 -i 2
assert_status 1
assert_eq "$(count "$PROXY_LOG" '^GET ')" 25 "requests the proxy forwarded (none more)"
assert_json "$RESULT" '.config.proxy == {"host": "(unparsable value)", "variable": "http_proxy"}'
for f in "$LG_OUT" "$LG_ERR" "$RESULT"; do
    assert_not_contains "$f" "user" "the proxy's user name"
    assert_not_contains "$f" "pa/ss" "the proxy's password"
done
