#!/usr/bin/env bash
# A unique CSV feed gives each row once per run. When it runs out, VUs stop early:
# the summary and result.json say so (totals.feed_exhausted, totals.feed_note) and
# the strict default gate and the failures rule fail. A run that asked for exactly
# as many iterations as the feed has rows never asks for a row past the last: the
# feed is not spent and the run passes.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_pollserver --pending-polls 3

printf 'id\nu1\nu2\nu3\n' >"$TEST_TMP/users.csv"
scen="$TEST_TMP/feed.yaml"
cat >"$scen" <<'EOF'
scenario: feed
data:
  users: {file: users.csv, mode: unique}
steps:
  - name: health
    request: {method: GET, url: "/health?user={{data.users.id}}"}
    expect: {status: 200}
EOF
suite="$TEST_TMP/suite.yaml"
cat >"$suite" <<EOF
suite: feed
environments:
  local: {base_url: "$POLL_URL"}
scenarios:
  - {file: feed.yaml}
profiles:
  exact: {vus: 2, iterations: 3}
  more: {vus: 2, iterations: 4}
  timed: {vus: 2, duration: 20s}
EOF
lg check "$suite"
assert_status 0 "check"

NOTE="the unique feed 'users' (3 rows) ran out: 2 VUs could not start another iteration and stopped before the end of the run; give it more rows, or ask for at most that many iterations"

log "a duration of 20s: the 3 rows are used at once, both VUs stop, the run ends early"
run_lg "$TEST_TMP/timed" "$suite" --env local --profile timed
assert_status 1
assert_eq "$(poll_count)" 3 "requests pollserver received"
assert_json "$RESULT" '.verdict == "fail" and .default_gate == true'
assert_json "$RESULT" '.totals.requests == 3 and .totals.errors == 0 and .totals.iterations == 3'
assert_json "$RESULT" '.totals.feed_exhausted == 2'
assert_json "$RESULT" ".totals.feed_note == \"$NOTE\""
assert_json "$RESULT" '[.rules[] | {name, ok}] == [{"name": "default", "ok": false}, {"name": "no_response", "ok": true}]'
assert_json "$RESULT" '.rules[0].text == "no thresholds given, so any failure fails the gate: a unique feed ran out (2 VUs stopped early)"'
assert_contains "$LG_OUT" "  ! $NOTE"
assert_contains "$LG_OUT" "✗ strict default gate: no thresholds given, so any failure fails the gate: a unique feed ran out (2 VUs stopped early)"
assert_contains "$TEST_TMP/timed/summary.txt" "  ! $NOTE"

log "the same with a latency-only threshold: the failures rule fails it"
run_lg "$TEST_TMP/latency" "$suite" --env local --profile timed --threshold 'p95(latency) < 5s'
assert_status 1
assert_json "$RESULT" '.thresholds[0].ok == true and .totals.feed_exhausted == 2'
assert_json "$RESULT" '.rules[0].name == "failures" and .rules[0].ok == false'
assert_json "$RESULT" '.rules[0].text | endswith("gate: a unique feed ran out (2 VUs stopped early)")'

log "a profile asking for exactly 3 iterations: the feed is not spent"
before=$(poll_count)
run_lg "$TEST_TMP/exact" "$suite" --env local --profile exact
assert_status 0
assert_eq "$(($(poll_count) - before))" 3 "requests pollserver received"
assert_json "$RESULT" '.verdict == "pass" and .totals.iterations == 3'
assert_json "$RESULT" '.totals.feed_exhausted == 0 and .totals.feed_note == null'
assert_not_contains "$LG_OUT" "ran out"

log "a profile asking for 4: one VU finds no row for the fourth"
before=$(poll_count)
run_lg "$TEST_TMP/more" "$suite" --env local --profile more
assert_status 1
assert_eq "$(($(poll_count) - before))" 3 "requests pollserver received"
assert_json "$RESULT" '.totals.iterations == 3 and .totals.feed_exhausted == 1'
assert_json "$RESULT" '.totals.feed_note | startswith("the unique feed '"'"'users'"'"' (3 rows) ran out: 1 VU could not start")'

log "the open model: arrivals whose VU finds no row left never start; they count as dropped"
before=$(poll_count)
run_lg "$TEST_TMP/open" "$suite" --env local --rate 10/s -d 2s --max-vus 5
assert_status 1
assert_eq "$(($(poll_count) - before))" 3 "requests pollserver received"
assert_json "$RESULT" '.schedule.scheduled == 20 and .totals.iterations == 3'
assert_json "$RESULT" '.schedule.started == .totals.iterations + .totals.iterations_interrupted' \
    "every started iteration is counted"
assert_json "$RESULT" '.schedule.dropped == 17 and .totals.feed_exhausted == 5'
assert_json "$RESULT" '.schedule.note | endswith("dropped: a unique feed ran out and its VUs stopped")'
