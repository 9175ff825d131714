#!/usr/bin/env bash
# Per-step phases in result.json (ttfb_ms, dns_ms, connect_ms, tls_ms) against
# nginx over HTTPS and plain HTTP. Each iteration GETs /kept on a new connection,
# then /close on the same one, after which nginx closes it: so the first step opens
# every connection (one DNS, connect and TLS sample each, as many as nginx saw and
# totals.connections counts) and the second none (null phases, never 0ms). A
# step's ttfb never exceeds its latency, percentile by percentile; plain HTTP has
# no handshake (tls_ms null); over HTTP/2 the counts are the connections too. The
# threshold grammar names the phases per step.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx
command -v openssl >/dev/null || { echo "openssl is required (tools/setup installs it)" >&2; exit 1; }

locations='location = /kept { return 200 "{\"ok\":true}"; }
location = /close { keepalive_requests 1; return 200 "{\"ok\":true}"; }'

scen="$TEST_TMP/phases.yaml"
cat >"$scen" <<'EOF2'
scenario: phases
steps:
  - name: first
    request: {method: GET, url: /kept}
    expect: {status: 200}
  - name: second
    request: {method: GET, url: /close}
    expect: {status: 200}
EOF2

# ttfb <= latency for every figure of a step with samples
# shellcheck disable=SC2016 # $s and $k are jq's
ttfb_le_latency='all(.steps[]; . as $s | ["min","p50","p90","p95","p99","p999","max","mean"]
    | all(. as $k | $s.ttfb_ms[$k] <= $s.latency_ms[$k]))'

make_ca_and_cert "$TEST_TMP/pki"
start_nginx --tls "$TEST_TMP/pki" "$locations"

log "HTTPS: 2 VUs, 12 iterations, a new connection for each"
run_lg "$TEST_TMP/https" "$scen" --base-url "$NGINX_URL" --cacert "$TEST_TMP/pki/ca.pem" \
    -u 2 -i 12 --threshold 'count(tls{step=first}) == 12' \
    --threshold 'count(connect{step=second}) == 0' --threshold 'p99(dns) < 1s' \
    --threshold 'max(tls{step=first}) < 10s' --threshold 'p95(ttfb{step=second}) < 10s'
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .totals.requests == 24 and .totals.errors == 0'
assert_json "$RESULT" '[.thresholds[] | .ok] == [true, true, true, true, true]' "phase thresholds"
assert_eq "$(nginx_requests '^GET /(kept|close) 200 ')" 24 "requests nginx received"
conns=$(nginx_connections '^GET /')
assert_eq "$conns" 12 "connections nginx saw"
assert_json "$RESULT" ".totals.connections == $conns" "totals.connections = nginx's"
for phase in dns connect tls; do
    assert_json "$RESULT" "$(step first).${phase}_ms.count == $conns" "first: $phase samples"
    assert_json "$RESULT" "$(step second).${phase}_ms == null" "second (reused): no $phase"
    assert_json "$RESULT" "([.steps[].${phase}_ms.count // 0] | add) == .totals.connections" \
        "$phase samples = connections"
done
assert_json "$RESULT" '[.steps[].ttfb_ms.count] == [12, 12]' "ttfb: one sample per response"
assert_json "$RESULT" "$ttfb_le_latency" "ttfb <= latency"
assert_json "$RESULT" "$(step first) | .tls_ms.min > 0 and .tls_ms.min <= .tls_ms.max" "tls figures"
assert_json "$RESULT" "$(step first) | (.tls_ms | keys_unsorted) ==
    [\"count\",\"min\",\"p50\",\"p90\",\"p95\",\"p99\",\"p999\",\"max\",\"mean\"]" "phase keys"
# The handshake happens inside the first step's time to first byte.
assert_json "$RESULT" "$(step first) | .tls_ms.min <= .ttfb_ms.max" "tls within ttfb"

log "HTTP/2 (one connection per VU, nginx ends each after /close): the same counts"
start_nginx --tls "$TEST_TMP/pki" "$locations"
run_lg "$TEST_TMP/h2" "$scen" --base-url "$NGINX_URL" --cacert "$TEST_TMP/pki/ca.pem" \
    --http 2 -u 2 -i 12
assert_status 0
assert_eq "$(nginx_requests '^GET /(kept|close) 200 HTTP/2.0')" 24 "HTTP/2 requests nginx received"
conns=$(nginx_connections '^GET /')
assert_json "$RESULT" ".totals.connections == $conns" "totals.connections = nginx's"
for phase in dns connect tls; do
    assert_json "$RESULT" "([.steps[].${phase}_ms.count // 0] | add) == $conns" \
        "HTTP/2: $phase samples = connections nginx saw"
done
assert_json "$RESULT" "$(step first).tls_ms.count == $conns" "HTTP/2: first step opens them"
assert_json "$RESULT" "$ttfb_le_latency" "HTTP/2: ttfb <= latency"

log "plain HTTP: the same, no handshake"
start_nginx "$locations"
run_lg "$TEST_TMP/http" "$scen" --base-url "$NGINX_URL" -u 2 -i 12
assert_status 0
assert_eq "$(nginx_requests '^GET /(kept|close) 200 ')" 24 "requests nginx received"
conns=$(nginx_connections '^GET /')
assert_eq "$conns" 12 "connections nginx saw"
assert_json "$RESULT" ".totals.connections == $conns" "totals.connections = nginx's"
assert_json "$RESULT" '[.steps[].tls_ms] == [null, null]' "plain HTTP: tls null"
assert_json "$RESULT" "$(step first) | .dns_ms.count == $conns and .connect_ms.count == $conns"
assert_json "$RESULT" "$(step second) | .dns_ms == null and .connect_ms == null"
assert_json "$RESULT" "$ttfb_le_latency" "ttfb <= latency"

# A phase is a time: without an aggregate the threshold is invalid input.
lg run "$scen" --base-url "$NGINX_URL" --threshold 'dns < 5ms'
assert_status 2
assert_contains "$LG_ERR" "dns needs an aggregate, e.g. p95(dns)"

