#!/usr/bin/env bash
# Connections: each VU keeps its keep-alive connection for the whole run (the
# transport lets libev keep a reused socket registered), and when the server closes
# every connection after one request, the sockets libcurl opens anew, mostly under
# the descriptor numbers just closed, are registered and watched again. Both are
# counted exactly, requests and the connections nginx saw them on.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /kept { return 200 '{"status":"ok"}'; }
location = /once { keepalive_requests 1; return 200 '{"status":"ok"}'; }
NGX
)"

# scen NAME: a one-step scenario that GETs /NAME; prints its path
scen() {
    cat >"$TEST_TMP/$1.yaml" <<EOF
scenario: $1
steps:
  - name: $1
    request: {method: GET, url: /$1, timeout: 5s}
    expect: {status: 200}
EOF
    echo "$TEST_TMP/$1.yaml"
}

for threads in 1 2; do
    log "keep-alive, --threads $threads: 8 VUs send 400 requests over 8 connections"
    : >"$NGINX_ACCESS_LOG"
    run_lg "$TEST_TMP/out-kept-$threads" "$(scen kept)" --base-url "$NGINX_URL" -u 8 -i 400 \
        --threads "$threads"
    assert_status 0
    assert_json "$RESULT" '.verdict == "pass"'
    assert_json "$RESULT" '.totals.requests == 400 and .totals.errors == 0'
    assert_eq "$(nginx_requests '^GET /kept 200 ')" 400 "requests nginx received"
    assert_eq "$(nginx_connections '^GET /kept ')" 8 "connections the requests came over"
done

for threads in 1 2; do
    log "a new connection per request, --threads $threads: 400 requests over 400 connections"
    : >"$NGINX_ACCESS_LOG"
    run_lg "$TEST_TMP/out-once-$threads" "$(scen once)" --base-url "$NGINX_URL" -u 8 -i 400 \
        --threads "$threads"
    assert_status 0
    assert_json "$RESULT" '.verdict == "pass"'
    assert_json "$RESULT" '.totals.requests == 400 and .totals.errors == 0'
    assert_eq "$(nginx_requests '^GET /once 200 ')" 400 "requests nginx received"
    assert_eq "$(nginx_connections '^GET /once ')" 400 "connections the requests came over"
done
