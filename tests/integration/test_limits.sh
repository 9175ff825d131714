#!/usr/bin/env bash
# File descriptors: each virtual user keeps a connection, so loadgate raises the
# soft RLIMIT_NOFILE to what the VUs need where the hard limit allows, and when it
# does not, refuses before sending anything (exit 2) with a message naming the
# limit.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /health { return 200 '{"status":"ok"}'; }
location / { return 404 '{"error":"not found"}'; }
NGX
)"

scen="$TEST_TMP/health.yaml"
health_scenario "$scen"

hard=$(ulimit -Hn)
if [[ "$hard" != unlimited ]] && ((hard < 1000)); then
    skip "the hard RLIMIT_NOFILE is $hard here, below the 1000 this test sets"
fi

# lg_nofile SOFT HARD ARGS...: `loadgate ARGS` in a subshell whose RLIMIT_NOFILE is
# SOFT (soft) and HARD (hard).
lg_nofile() {
    local soft=$1 hard=$2
    shift 2
    log "ulimit -Sn $soft -Hn $hard; loadgate $*"
    set +e
    (
        ulimit -Sn "$soft" && ulimit -Hn "$hard" || exit 99
        exec timeout -k 5 "$LG_RUN_TIMEOUT" "$LOADGATE" "$@"
    ) </dev/null >"$LG_OUT" 2>"$LG_ERR"
    LG_STATUS=$?
    _lg_shown=0
    set -e
    if ((LG_STATUS == 99)); then
        fail "cannot set RLIMIT_NOFILE to $soft/$hard in a subshell"
    fi
}

before=$(nginx_requests .)
lg_nofile 1000 1000 run "$scen" --base-url "$NGINX_URL" --vus 5000 -d 1s --no-progress
assert_status 2 "5000 VUs with RLIMIT_NOFILE 1000"
assert_contains "$LG_ERR" "RLIMIT_NOFILE" "the error names the limit"
assert_not_contains "$LG_ERR" "AddressSanitizer"
assert_eq "$(nginx_requests .)" "$before" "requests nginx received after the refusal"

lg_nofile 1000 1000 run "$scen" --base-url "$NGINX_URL" --rate 10/s -d 1s --max-vus 5000 --no-progress
assert_status 2 "open model, max 5000 VUs with RLIMIT_NOFILE 1000"
assert_contains "$LG_ERR" "RLIMIT_NOFILE" "the error names the limit (open model)"
assert_eq "$(nginx_requests .)" "$before" "requests nginx received after the refusal (open model)"

# The soft limit is raised up to the hard one when that is enough.
out="$TEST_TMP/out"
lg_nofile 256 1000 run "$scen" --base-url "$NGINX_URL" --vus 500 -i 500 --out "$out" --no-progress
RESULT="$out/result.json"
assert_status 0 "500 VUs with a soft limit of 256 under a hard limit of 1000"
assert_json "$RESULT" '.verdict == "pass" and .totals.requests == 500 and .totals.errors == 0'
assert_eq "$(nginx_requests '^GET /health ')" 500 "requests nginx received (500 VUs)"
