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

# /kept: keep-alive, 8 VUs keep 8 connections; /once: nginx closes every connection
# after one request, so each of the 400 requests comes over a new one.
for path_conns in "kept 8" "once 400"; do
    read -r path conns <<<"$path_conns"
    for threads in 1 2; do
        log "/$path, --threads $threads: 8 VUs send 400 requests over $conns connections"
        : >"$NGINX_ACCESS_LOG"
        run_lg "$TEST_TMP/out-$path-$threads" "$(scen "$path")" --base-url "$NGINX_URL" \
            -u 8 -i 400 --threads "$threads"
        assert_status 0
        assert_json "$RESULT" '.verdict == "pass"'
        assert_json "$RESULT" '.totals.requests == 400 and .totals.errors == 0'
        assert_eq "$(nginx_requests "^GET /$path 200 ")" 400 "requests nginx received"
        assert_eq "$(nginx_connections "^GET /$path ")" "$conns" "connections the requests came over"
    done
done
