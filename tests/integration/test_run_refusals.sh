#!/usr/bin/env bash
# Input that would mislead a gate is refused before anything is sent (exit 2,
# nginx untouched): a bare ratio of 1 or more for error_rate or checks (`< 1` is
# one percent to some and all to others: write 1% or 100%), --max-lateness in the
# closed model (it applies to the open one), and more VUs than the one cap that
# --vus, --max-vus and a profile's vus share.
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
cat >"$TEST_TMP/suite.yaml" <<EOF2
suite: refusals
environments:
  local: {base_url: "$NGINX_URL"}
scenarios:
  - {file: health.yaml}
profiles:
  many: {vus: 1000001, duration: 1s}
  most: {vus: 1000000, duration: 1s}
thresholds:
  - error_rate < 1
EOF2

# bad "NEEDLE" ARGS...: `loadgate ARGS` exits 2, stderr contains NEEDLE, and
# nginx received nothing.
bad() {
    local needle=$1 before
    shift
    before=$(nginx_requests .)
    log "loadgate $*"
    lg "$@"
    assert_status 2 "$*"
    assert_contains "$LG_ERR" "$needle" "$*"
    assert_not_contains "$LG_ERR" "AddressSanitizer" "$*"
    assert_eq "$(nginx_requests .)" "$before" "requests nginx received ($*)"
}

bad "'1' is ambiguous: error_rate is a ratio below 1 or a percentage; write 1% (or 100% for all)" \
    run "$scen" --base-url "$NGINX_URL" --threshold 'error_rate < 1'
bad "'1' is ambiguous: checks is a ratio below 1" \
    run "$scen" --base-url "$NGINX_URL" --threshold 'checks >= 1'
bad "suite.yaml:10:18: error: '1' is ambiguous: error_rate" check "$TEST_TMP/suite.yaml"
bad "suite.yaml:10:18: error: '1' is ambiguous" run "$TEST_TMP/suite.yaml" --env local
bad "--max-lateness applies to the open model" \
    run "$scen" --base-url "$NGINX_URL" -u 2 -d 1s --max-lateness 1s
bad "--max-lateness applies to the open model" \
    run "$scen" --base-url "$NGINX_URL" -i 3 --max-lateness 1s
bad "--vus: expected a positive integer (at most 1000000)" \
    run "$scen" --base-url "$NGINX_URL" --vus 1000001
bad "--max-vus: expected a positive integer (at most 1000000)" \
    run "$scen" --base-url "$NGINX_URL" --rate 1/s -d 1s --max-vus 1000001
bad "suite.yaml:7:15: error: 'vus' must be at most 1000000" check "$TEST_TMP/suite.yaml"

log "percentages and ratios below 1 run"
before=$(nginx_requests '^GET /health ')
run_lg "$TEST_TMP/ok" "$scen" --base-url "$NGINX_URL" -u 1 -i 2 --threshold 'error_rate < 100%' \
    --threshold 'error_rate < 1%' --threshold 'checks > 0.99' --threshold 'checks == 100%'
assert_status 0
assert_json "$RESULT" '[.thresholds[].ok] == [true, true, true, true]'
assert_eq "$(($(nginx_requests '^GET /health ') - before))" 2 "requests nginx received"

log "--max-lateness with the open model runs"
run_lg "$TEST_TMP/open" "$scen" --base-url "$NGINX_URL" --rate 4/s -d 1s --max-lateness 1s
assert_status 0
assert_json "$RESULT" '.schedule.max_lateness_s == 1'
