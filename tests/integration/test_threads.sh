#!/usr/bin/env bash
# Worker threads: the result of a run is the same whatever the thread count. With
# -i N exactly N requests are sent, counted once in totals, steps and the
# per-second series, and logged by nginx; a duration run's merged counts equal
# what nginx received. --threads 0 is invalid input.
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

# counts_agree RESULT: totals, steps and series hold the same request count
counts_agree() {
    assert_json "$RESULT" '.totals.requests == ([.steps[].requests] | add)' "totals vs steps"
    assert_json "$RESULT" '.totals.requests == ([.series[].requests] | add)' "totals vs series"
    assert_json "$RESULT" '.totals.errors == 0 and ([.series[].errors] | add) == 0'
}

for threads in 2 1; do
    log "-u 4 -i 200 --threads $threads: exactly 200 requests"
    before=$(nginx_requests '^GET /health ')
    run_lg "$TEST_TMP/out-i-$threads" "$scen" --base-url "$NGINX_URL" -u 4 -i 200 --threads "$threads"
    assert_status 0 "--threads $threads"
    assert_json "$RESULT" '.verdict == "pass"'
    assert_json "$RESULT" '.totals.requests == 200'
    assert_json "$RESULT" '.totals.iterations == 200'
    assert_json "$RESULT" '.scenarios[0].iterations == 200'
    assert_json "$RESULT" '.steps | length == 1'
    assert_json "$RESULT" '.steps[0].requests == 200 and .steps[0].status == {"200": 200}'
    counts_agree
    after=$(nginx_requests '^GET /health ')
    assert_eq "$((after - before))" 200 "requests nginx received (--threads $threads)"
done

log "-u 8 -d 2s --threads 2: merged counts equal nginx's"
before=$(nginx_requests '^GET /health ')
run_lg "$TEST_TMP/out-d" "$scen" --base-url "$NGINX_URL" -u 8 -d 2s --threads 2
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .totals.requests > 0'
counts_agree
# one-step journey: a request in flight at the end completes in the graceful stop
assert_json "$RESULT" '.totals.iterations == .totals.requests'
after=$(nginx_requests '^GET /health ')
assert_eq "$(jq '.totals.requests' "$RESULT")" "$((after - before))" \
    "requests counted by loadgate vs received by nginx (--threads 2, -d 2s)"

log "--threads 0 is invalid"
before=$(nginx_requests .)
lg run "$scen" --base-url "$NGINX_URL" -u 2 -i 2 --threads 0
assert_status 2 "--threads 0"
assert_contains "$LG_ERR" "--threads" "stderr names the flag"
assert_eq "$(nginx_requests .)" "$before" "nothing sent with --threads 0"
