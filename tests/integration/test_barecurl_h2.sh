#!/usr/bin/env bash
# The benchmark's bare libcurl loop (tools/bench/barecurl.c) in its HTTP/2 modes,
# against nginx over TLS: --http2 speaks HTTP/2 with a connection per transfer (no
# multiplexing), --multiplex CONNS spreads the transfers over CONNS connections, and
# the counts it prints (connections opened, protocols) are the ones nginx saw, so
# that tools/bench/run can trust them. Bad options exit 2.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx
command -v openssl >/dev/null || { echo "openssl is required (tools/setup installs it)" >&2; exit 1; }
[[ -x "${LG_BARECURL:-}" ]] || skip "loadgate-barecurl is not built"

make_ca_and_cert "$TEST_TMP/pki"
CA="$TEST_TMP/pki/ca.pem"
# no retirement of connections (nginx's default: after 1,000 requests)
start_nginx --tls "$TEST_TMP/pki" "keepalive_requests 1000000000;
        location = /data { return 200 '{\"ok\":true}'; }"

# bare ARGS...: runs the loop; sets OUT to its last line
bare() {
    local rc=0
    timeout 60 "$LG_BARECURL" "$@" >"$TEST_TMP/bare.out" 2>"$TEST_TMP/bare.err" || rc=$?
    OUT=$(tail -1 "$TEST_TMP/bare.out")
    BARE_RC=$rc
}
# field NAME: the number after NAME in OUT
field() { awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' <<<"$OUT"; }
# settle: waits for nginx's log, then empties it for the next case
settle() { nginx_requests >/dev/null; }

log "--http2: HTTP/2, one connection per transfer"
bare --http2 "$NGINX_URL/data" 16 1 "$CA"
assert_eq "$BARE_RC" 0 "exit code"
settle
reqs=$(field requests)
((reqs > 16)) || fail "only $reqs requests"
assert_eq "$(field errors)" 0 "errors"
assert_eq "$(field connections)" 16 "connections it reports"
assert_eq "$(field h1)" 0 "HTTP/1 responses"
assert_eq "$(field h2)" "$reqs" "HTTP/2 responses"
assert_eq "$(nginx_connections .)" 16 "connections nginx saw"
# each transfer on a connection to itself: multiplexed, the streams would pile onto
# one connection although all were opened at the start
busiest=$(nginx_busiest .)
awk -v b="$busiest" 'BEGIN { exit !(b <= 0.5) }' || fail "one connection carried $busiest of the requests"
assert_eq "$(nginx_requests ' HTTP/2.0 ')" "$(nginx_requests .)" "every request HTTP/2 at nginx"
(($(nginx_requests .) >= reqs)) || fail "nginx saw fewer requests than counted"
: >"$NGINX_ACCESS_LOG"

log "--multiplex 2: 10 transfers as streams over 2 connections"
bare --multiplex 2 "$NGINX_URL/data" 10 1 "$CA"
assert_eq "$BARE_RC" 0 "exit code"
settle
reqs=$(field requests)
((reqs > 10)) || fail "only $reqs requests"
assert_eq "$(field connections)" 2 "connections it reports"
assert_eq "$(field h2)" "$reqs" "HTTP/2 responses"
assert_eq "$(nginx_connections .)" 2 "connections nginx saw"
assert_eq "$(nginx_requests ' HTTP/2.0 ')" "$(nginx_requests .)" "every request HTTP/2 at nginx"
: >"$NGINX_ACCESS_LOG"

log "without an option: the command line it always had"
bare "$NGINX_URL/data" 3 1 "$CA"
assert_eq "$BARE_RC" 0 "exit code"
assert_matches "$TEST_TMP/bare.out" '^requests [0-9]+ errors 0 seconds [0-9.]+ connections 3 ' "its line"

log "bad options"
for args in "--multiplex" "--multiplex 0 $NGINX_URL/data 4 1" "--multiplex 5 $NGINX_URL/data 4 1" \
    "--http2 $NGINX_URL/data 4"; do
    # shellcheck disable=SC2086 # the words are the arguments
    bare $args
    assert_eq "$BARE_RC" 2 "exit code of: $args"
done
