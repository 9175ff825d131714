#!/usr/bin/env bash
# HTTP versions against nginx with HTTP/2 (TLS with ALPN, and h2c): HTTP/1.1 by
# default even where TLS offers h2; --http 2 (or an environment's http: "2") sends
# every request over HTTP/2 with one connection per VU; multiplex: true shares
# connections; nginx's GOAWAY after keepalive_requests costs no request (it is sent
# again and counted as a retry, and nginx counts exactly loadgate's requests); a TLS
# server without h2 answers --http 2 in HTTP/1.1 and the summary says so. Counted
# at nginx: requests, their protocol ($server_protocol) and the connections that
# carried them ($connection).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx
command -v openssl >/dev/null || { echo "openssl is required (tools/setup installs it)" >&2; exit 1; }

make_ca_and_cert "$TEST_TMP/pki"
CA="$TEST_TMP/pki/ca.pem"

cat >"$TEST_TMP/hit.yaml" <<'EOF2'
scenario: hit
steps:
  - name: hit
    request: {method: GET, url: /hit, timeout: 5s}
    expect: {status: 200}
EOF2
# suite BASE_URL: the scenario with environments h2 (http 2) and mux (multiplexed)
suite() {
    cat >"$TEST_TMP/suite.yaml" <<EOF2
suite: versions
environments:
  h2: {base_url: "$1", http: "2"}
  mux: {base_url: "$1", http: 2, multiplex: true}
scenarios:
  - {file: hit.yaml}
EOF2
    echo "$TEST_TMP/suite.yaml"
}
protocols() { awk '{print $4}' "$NGINX_ACCESS_LOG" | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}'; }

# ---- an HTTPS server that offers h2 (ALPN) ----
start_nginx --tls "$TEST_TMP/pki" "location = /hit { return 200 '{\"ok\":true}'; }"
s=$(suite "$NGINX_URL")

log "default: HTTP/1.1, one connection per VU, although the server offers h2"
run_lg "$TEST_TMP/o1" "$TEST_TMP/hit.yaml" --base-url "$NGINX_URL" --cacert "$CA" -u 8 -i 400 --threads 2
assert_status 0
assert_eq "$(nginx_requests '^GET /hit 200 HTTP/1.1 ')" 400 "HTTP/1.1 requests nginx received"
assert_eq "$(nginx_connections .)" 8 "connections nginx saw"
assert_json "$RESULT" '.config.http == "1.1" and .config.multiplex == false and .config.proxy == null'
assert_json "$RESULT" '.totals.connections == 8 and .totals.errors == 0'
assert_json "$RESULT" "$(step hit) | .protocols == {\"HTTP/1.1\": 400}"
assert_contains "$LG_OUT" "HTTP/1.1, one connection per VU · 8 connections opened"

log "--http 2: every request HTTP/2, still one connection per VU"
: >"$NGINX_ACCESS_LOG"
run_lg "$TEST_TMP/o2" "$TEST_TMP/hit.yaml" --base-url "$NGINX_URL" --cacert "$CA" -u 8 -i 400 --threads 2 \
    --http 2
assert_status 0
assert_eq "$(nginx_requests '^GET /hit 200 HTTP/2.0 ')" 400 "HTTP/2 requests nginx received"
assert_eq "$(protocols)" "HTTP/2.0:400 " "protocols nginx saw"
assert_eq "$(nginx_connections .)" 8 "connections nginx saw"
assert_json "$RESULT" '.config.http == "2" and .totals.connections == 8'
assert_json "$RESULT" "$(step hit) | .protocols == {\"HTTP/2\": 400}"
assert_contains "$LG_OUT" "HTTP/2, one connection per VU · 8 connections opened"

log "the environment's http: \"2\"; --http 1.1 wins over it"
: >"$NGINX_ACCESS_LOG"
run_lg "$TEST_TMP/o3" "$s" --env h2 --cacert "$CA" -u 4 -i 40
assert_status 0
assert_eq "$(protocols)" "HTTP/2.0:40 " "protocols nginx saw (env)"
: >"$NGINX_ACCESS_LOG"
run_lg "$TEST_TMP/o4" "$s" --env mux --cacert "$CA" -u 4 -i 40 --http 1.1
assert_status 0
assert_eq "$(protocols)" "HTTP/1.1:40 " "protocols nginx saw (--http 1.1 over the env)"
assert_json "$RESULT" '.config.http == "1.1" and .config.multiplex == false'

log "multiplex: true: 8 VUs share fewer connections"
: >"$NGINX_ACCESS_LOG"
run_lg "$TEST_TMP/o5" "$s" --env mux --cacert "$CA" -u 8 -i 400 --threads 1
assert_status 0
assert_eq "$(nginx_requests '^GET /hit 200 HTTP/2.0 ')" 400 "HTTP/2 requests nginx received"
conns=$(nginx_connections .)
((conns < 8)) || fail "multiplexed: $conns connections for 8 VUs"
assert_json "$RESULT" ".config.multiplex == true and .totals.connections == $conns"
assert_contains "$LG_OUT" "HTTP/2, multiplexed · $conns connection"

# ---- keepalive_requests 100: nginx retires each connection with a GOAWAY ----
start_nginx --tls "$TEST_TMP/pki" "keepalive_requests 100;
location = /hit { return 200 '{\"ok\":true}'; }"
s=$(suite "$NGINX_URL")
for env in mux h2; do
    log "keepalive_requests 100, env $env: 20 VUs, 3,000 requests, no error"
    : >"$NGINX_ACCESS_LOG"
    run_lg "$TEST_TMP/ka-$env" "$s" --env "$env" --cacert "$CA" -u 20 -i 3000 --threads 2
    assert_status 0
    assert_json "$RESULT" '.verdict == "pass" and .totals.requests == 3000 and .totals.errors == 0'
    assert_eq "$(nginx_requests '^GET /hit 200 HTTP/2.0 ')" 3000 "requests nginx received ($env)"
    assert_json "$RESULT" ".totals.connections == $(nginx_connections .)"
    log "retries: $(jq .totals.retries "$RESULT"), connections: $(jq .totals.connections "$RESULT")"
done

# ---- h2c: plain HTTP/2 by prior knowledge ----
# libcurl before 8.0.0 breaks reused h2c connections (curl issue #10634): there the
# run is refused before anything is sent.
start_nginx --h2c "location = /hit { return 200 '{\"ok\":true}'; }"
log "h2c: --http 2 over http://"
run_lg "$TEST_TMP/h2c" "$TEST_TMP/hit.yaml" --base-url "$NGINX_URL" -u 4 -i 100 --http 2
curl_num=$("$LOADGATE" version | sed -nE 's|.*libcurl/([0-9]+)\.([0-9]+).*|\1 \2|p')
read -r curl_major _ <<<"$curl_num"
H2C_URL=$NGINX_URL
if ((${curl_major:-7} < 8)); then
    assert_status 2
    assert_contains "$LG_ERR" "HTTP/2 over plain http:// (h2c) needs libcurl 8.0.0 or later"
    assert_eq "$(nginx_requests)" 0 "h2c requests sent by the refused run"
    log "h2c in capitals (HTTP://), or in a step's absolute URL beside an https base: refused"
    run_lg "$TEST_TMP/h2c-caps" "$TEST_TMP/hit.yaml" --base-url "HTTP://${H2C_URL#http://}" -u 2 \
        -i 20 --http 2
    assert_status 2
    assert_contains "$LG_ERR" "HTTP/2 over plain http:// (h2c) needs libcurl 8.0.0 or later"
    cat >"$TEST_TMP/mixed.yaml" <<EOF2
scenario: mixed
steps:
  - {name: tls, request: {method: GET, url: /hit}}
  - {name: plain, request: {method: GET, url: "$H2C_URL/hit"}}
EOF2
    run_lg "$TEST_TMP/h2c-step" "$TEST_TMP/mixed.yaml" --base-url "https://127.0.0.1:1" -u 2 \
        -i 20 --http 2
    assert_status 2
    assert_contains "$LG_ERR" "(step 'plain' at $TEST_TMP/mixed.yaml:4:"
    assert_eq "$(nginx_requests)" 0 "h2c requests sent by the refused runs"
else
    assert_status 0
    assert_eq "$(nginx_requests '^GET /hit 200 HTTP/2.0 ')" 100 "h2c requests nginx received"
    assert_eq "$(nginx_connections .)" 4 "h2c connections"
    assert_json "$RESULT" "$(step hit) | .protocols == {\"HTTP/2\": 100}"
fi

# ---- a TLS server without h2: --http 2 falls back to HTTP/1.1, and says so ----
start_nginx --tls-h1 "$TEST_TMP/pki" "location = /hit { return 200 '{\"ok\":true}'; }"
log "--http 2 against a server that offers only http/1.1"
run_lg "$TEST_TMP/h1" "$TEST_TMP/hit.yaml" --base-url "$NGINX_URL" --cacert "$CA" -u 2 -i 20 --http 2
assert_status 0
assert_eq "$(nginx_requests '^GET /hit 200 HTTP/1.1 ')" 20 "HTTP/1.1 requests nginx received"
assert_json "$RESULT" "$(step hit) | .protocols == {\"HTTP/1.1\": 20}"
assert_contains "$LG_OUT" "protocols (asked HTTP/2):"
assert_contains "$LG_OUT" "hit/hit  HTTP/1.1 20"

# ---- bad input: exit 2, nothing sent ----
: >"$NGINX_ACCESS_LOG"
run_lg "$TEST_TMP/bad1" "$TEST_TMP/hit.yaml" --base-url "$NGINX_URL" --http 3
assert_status 2
assert_contains "$LG_ERR" "loadgate: --http: expected 1.1 or 2, got '3'"
cat >"$TEST_TMP/bad.yaml" <<EOF2
suite: bad
environments:
  x:
    base_url: "$NGINX_URL"
    http: "h2"
    multiplex: true
scenarios:
  - {file: hit.yaml}
EOF2
run_lg "$TEST_TMP/bad2" "$TEST_TMP/bad.yaml" --env x
assert_status 2
assert_contains "$LG_ERR" "bad.yaml:5:11: error: 'http' must be \"1.1\" or \"2\""
assert_contains "$LG_ERR" "bad.yaml:6:16: error: 'multiplex: true' needs 'http: \"2\"'"
assert_eq "$(nginx_requests)" 0 "requests sent by the refused runs"
