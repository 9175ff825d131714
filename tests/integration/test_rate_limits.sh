#!/usr/bin/env bash
# A protected environment's limits hold in every load model: max_rate caps the
# requests per second (counted at nginx, over the run's own duration), whatever
# the profile or the flags ask, and max_vus caps the virtual users; the run says
# so on stderr before it starts, in result.json ("limits") and in the summary.
# Every request nginx receives takes a turn, the hops of redirects libcurl
# follows included: a step that redirects twice cannot triple the cap.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /hop/1 { return 302 /hop/2; }
location = /hop/2 { return 302 /hop/3; }
location / { return 200 '{"ok":true}'; }
NGX
)"

cat >"$TEST_TMP/health.yaml" <<'EOF2'
scenario: health
steps:
  - name: health
    request: {method: GET, url: /health}
    expect: {status: 200}
EOF2
cat >"$TEST_TMP/five.yaml" <<'EOF2'
scenario: five
steps:
  - {name: s1, request: {method: GET, url: /five/1}, expect: {status: 200}}
  - {name: s2, request: {method: GET, url: /five/2}, expect: {status: 200}}
  - {name: s3, request: {method: GET, url: /five/3}, expect: {status: 200}}
  - {name: s4, request: {method: GET, url: /five/4}, expect: {status: 200}}
  - {name: s5, request: {method: GET, url: /five/5}, expect: {status: 200}}
EOF2
# suite NAME SCENARIO: a suite whose production is nginx, limited to 50/s and 10 VUs.
suite() {
    cat >"$TEST_TMP/suite-$1.yaml" <<EOF2
suite: $1
environments:
  production:
    base_url: "$NGINX_URL"
    protected: true
    limits: {max_rate: 50/s, max_vus: 10}
scenarios:
  - {file: $2}
profiles:
  crowd: {vus: 20, duration: 3s}
  ramp:
    vus: {start: 5, stages: [{ramp: 1s, to: 30}, {hold: 2s}]}
  flood:
    rate: {start: 100/s, stages: [{hold: 1s}, {ramp: 1s, to: 300/s}]}
    max_vus: 40
EOF2
}
cat >"$TEST_TMP/hops.yaml" <<'EOF2'
scenario: hops
steps:
  - {name: hop, request: {method: GET, url: /hop/1}, expect: {status: 200}}
EOF2
suite one health.yaml
suite five five.yaml
suite hops hops.yaml

# at_most_rate COUNT: COUNT requests fit the cap over the run's duration (the
# evenly spaced instants of 50/s in D seconds number at most 50 D + 1; a little
# slack for requests in flight as the clock is read).
at_most_rate() {
    local n=$1 limit
    limit=$(jq '(.totals.duration_s * 50 | floor) + 3' "$RESULT")
    _lg_asserts=$((_lg_asserts + 1))
    if ((n > limit)); then
        fail "nginx received $n requests in $(jq .totals.duration_s "$RESULT") s: more than 50/s ($limit)"
        show_output
    fi
}
# at_most_rate_hops COUNT TRANSFERS HOPS: as at_most_rate, plus the hops of the
# last TRANSFERS transfers, which may still be owed their turns when the run ends
# (a hop cannot wait: libcurl sends it at once, and the next turns pay for it).
at_most_rate_hops() {
    local n=$1 limit
    limit=$(jq "(.totals.duration_s * 50 | floor) + 3 + $2 * $3" "$RESULT")
    _lg_asserts=$((_lg_asserts + 1))
    if ((n > limit)); then
        fail "nginx received $n requests in $(jq .totals.duration_s "$RESULT") s: more than 50/s ($limit)"
        show_output
    fi
}
# at_least COUNT MIN: the run did run.
at_least() {
    _lg_asserts=$((_lg_asserts + 1))
    if (($1 < $2)); then
        fail "nginx received $1 requests, expected at least $2"
        show_output
    fi
}

log "closed model: profile {vus: 20, duration: 3s} under {max_rate: 50/s, max_vus: 10}"
before=$(nginx_requests '^GET /health ')
run_lg "$TEST_TMP/crowd" "$TEST_TMP/suite-one.yaml" --env production --profile crowd --yes-production
n=$(($(nginx_requests '^GET /health ') - before))
assert_status 0
at_most_rate "$n"
at_least "$n" 75
assert_json "$RESULT" ".totals.requests == $n" "loadgate counts what nginx received"
assert_json "$RESULT" '.config.vus == 10 and .schedule.model == "closed"'
assert_json "$RESULT" '.limits == {"max_rate_per_s": 50, "max_vus": 10, "vus_asked": 20,
    "vus_capped": true, "rate_asked_per_s": null, "rate_capped": false,
    "requests_paced": .limits.requests_paced}'
assert_json "$RESULT" '.limits.requests_paced > 0'
assert_contains "$LG_ERR" "environment 'production' limits requests to 50/s"
assert_contains "$LG_ERR" "VUs capped at 10 (asked 20)"
_lg_asserts=$((_lg_asserts + 1))
if (($(grep -c "limits requests" "$LG_ERR") != 1)); then
    fail "stderr should state the limits once"
fi
assert_contains "$TEST_TMP/crowd/summary.txt" "limits: 50.0 requests/s, 10 VUs"
assert_contains "$LG_OUT" "VUs capped (asked 20)"

log "closed model, VU stages up to 30: capped at 10 VUs, 50 requests/s"
before=$(nginx_requests '^GET /health ')
run_lg "$TEST_TMP/ramp" "$TEST_TMP/suite-one.yaml" --env production --profile ramp --yes-production
n=$(($(nginx_requests '^GET /health ') - before))
assert_status 0
at_most_rate "$n"
at_least "$n" 50
assert_json "$RESULT" '.config.vus == 10 and .limits.vus_asked == 30 and .limits.vus_capped'

log "closed model, flags: -u 3 -i 40 (an iteration budget)"
before=$(nginx_requests '^GET /health ')
run_lg "$TEST_TMP/iters" "$TEST_TMP/suite-one.yaml" --env production -u 3 -i 40 --yes-production
n=$(($(nginx_requests '^GET /health ') - before))
assert_status 0
assert_eq "$n" 40 "requests nginx received for 40 iterations"
at_most_rate "$n"
assert_json "$RESULT" '.limits.vus_capped == false and .limits.requests_paced > 0'

log "a 5-step scenario at 20 iterations/s (100 requests/s asked): halved to 50/s"
before=$(nginx_requests '^GET /five/')
run_lg "$TEST_TMP/five" "$TEST_TMP/suite-five.yaml" --env production --rate 20/s -d 3s \
    --max-vus 10 --max-lateness 1s --yes-production
n=$(($(nginx_requests '^GET /five/') - before))
at_most_rate "$n"
at_least "$n" 75
assert_json "$RESULT" ".totals.requests == $n"
assert_json "$RESULT" '.limits.rate_asked_per_s == 20 and .limits.rate_capped == false'
assert_json "$RESULT" '.limits.requests_paced > 0 and .schedule.peak_rate_per_s == 20'

log "the open model above the cap: --rate 200/s -d 3s, arrivals capped at 50/s"
before=$(nginx_requests '^GET /health ')
run_lg "$TEST_TMP/open" "$TEST_TMP/suite-one.yaml" --env production --rate 200/s -d 3s --max-vus 40 \
    --yes-production
n=$(($(nginx_requests '^GET /health ') - before))
at_most_rate "$n"
at_least "$n" 75
assert_json "$RESULT" '.schedule.peak_rate_per_s == 50 and .config.vus == 10'
assert_json "$RESULT" '.limits.rate_asked_per_s == 200 and .limits.rate_capped and .limits.vus_asked == 40'
assert_contains "$LG_ERR" "arrival rate capped at 50/s (asked 200/s)"
assert_contains "$LG_ERR" "VUs capped at 10 (asked 40)"

log "the open model's rate stages (100/s rising to 300/s) with the 5-step scenario"
before=$(nginx_requests '^GET /five/')
run_lg "$TEST_TMP/flood" "$TEST_TMP/suite-five.yaml" --env production --profile flood --yes-production \
    --max-lateness 1s
n=$(($(nginx_requests '^GET /five/') - before))
at_most_rate "$n"
at_least "$n" 40
assert_json "$RESULT" '.schedule.peak_rate_per_s == 50 and .limits.rate_asked_per_s == 300'

log "a step that redirects twice (3 requests per transfer): still 50 requests/s"
before=$(nginx_requests '^GET /hop/')
run_lg "$TEST_TMP/hops" "$TEST_TMP/suite-hops.yaml" --env production -u 10 -d 3s --threads 2 \
    --yes-production
n=$(($(nginx_requests '^GET /hop/') - before))
log "nginx received $n requests in $(jq .totals.duration_s "$RESULT") s"
assert_status 0
at_most_rate_hops "$n" 2 2
at_least "$n" 75
assert_json "$RESULT" ".totals.requests * 3 == $n" "nginx received three hops per transfer"

log "no limits: no 'limits' in result.json, no line on stderr"
run_lg "$TEST_TMP/free" "$TEST_TMP/health.yaml" --base-url "$NGINX_URL" -u 2 -i 4
assert_status 0
assert_json "$RESULT" '.limits == null'
assert_not_contains "$LG_ERR" "limits"
assert_not_contains "$LG_OUT" "limits:"
