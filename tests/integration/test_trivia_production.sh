#!/usr/bin/env bash
# shellcheck disable=SC2119 # start_target and target_responses take optional arguments
# The production interlock and limits: a `protected: true` environment is refused
# (exit 3, before anything is sent) unless --yes-production is given; its
# `limits` cap the rate and the VUs whatever the flags ask, and say so on stderr.
# The trivia suite's own production environment is refused; a copy of the suite
# whose production environment is the local loadgate-target shows that the cap
# holds and that nothing reaches the target when refused.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

TRIVIA="$LG_SOURCE_DIR/scenarios/trivia"
start_target

log "the trivia suite's production environment without --yes-production: refused"
run_lg "$TEST_TMP/refused" "$TRIVIA/suite.yaml" --env production --profile smoke
assert_status 3
assert_contains "$LG_ERR" "production" "stderr names the environment"
assert_contains "$LG_ERR" "--yes-production" "stderr says how to go on"
_lg_asserts=$((_lg_asserts + 1))
if [[ -e "$TEST_TMP/refused/result.json" ]]; then
    fail "a refused run wrote result.json"
fi

# A copy of the suite (its journeys beside it) whose production is the target.
suite_dir="$TEST_TMP/suite"
mkdir -p "$suite_dir"
cp "$TRIVIA"/*.yaml "$TRIVIA"/*.csv "$suite_dir/"
cat >"$suite_dir/suite.yaml" <<EOF
suite: trivia-production-test
environments:
  production:
    base_url: "$TARGET_URL"
    protected: true
    limits: {max_rate: 10/s, max_vus: 2}
scenarios:
  - {file: leaderboard.yaml}
profiles:
  burst:
    rate: {start: 50/s, stages: [{hold: 2s}]}
    max_vus: 20
  crowd: {vus: 8, iterations: 4}
thresholds:
  - error_rate < 1%
EOF
suite="$suite_dir/suite.yaml"

log "the local production without --yes-production: refused, nothing sent"
before=$(target_responses)
run_lg "$TEST_TMP/refused-local" "$suite" --env production --rate 5/s -d 1s
assert_status 3
assert_contains "$LG_ERR" "'production' is protected" "stderr names the environment"
assert_contains "$LG_ERR" "--yes-production"
assert_not_contains "$LG_OUT" "verdict" "no run, no verdict"
_lg_asserts=$((_lg_asserts + 1))
if [[ -e "$TEST_TMP/refused-local/result.json" ]]; then
    fail "a refused run wrote result.json"
fi
after=$(target_responses)
assert_eq "$((after - before - 1))" 0 "requests the target received from the refused run"

log "--yes-production --rate 100/s -d 2s: capped at 10/s and 2 VUs"
before=$(target_responses)
run_lg "$TEST_TMP/rate" "$suite" --env production --yes-production --rate 100/s -d 2s
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .env == "production"'
assert_json "$RESULT" '.schedule.model == "open" and .schedule.peak_rate_per_s == 10'
assert_json "$RESULT" '.schedule.scheduled == 20 and .schedule.max_vus == 2'
assert_json "$RESULT" '.schedule.started + .schedule.dropped == 20'
assert_json "$RESULT" '.config.vus == 2'
assert_json "$RESULT" '.totals.iterations == .schedule.started and .totals.requests == 3 * .totals.iterations'
assert_contains "$LG_ERR" "arrival rate capped at 10/s" "stderr says the rate was capped"
assert_contains "$LG_ERR" "VUs capped at 2" "stderr says the VUs were capped"
after=$(target_responses)
assert_eq "$((after - before - 1))" "$(jq .totals.requests "$RESULT")" "requests the target received"

log "--yes-production -u 5 -d 1s: capped at 2 VUs"
run_lg "$TEST_TMP/vus" "$suite" --env production --yes-production -u 5 -d 1s
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .config.vus == 2 and .schedule.model == "closed"'
assert_json "$RESULT" '.totals.iterations > 0'
assert_contains "$LG_ERR" "VUs capped at 2 (asked 5)"

log "--yes-production -u 5 -i 6: capped at 2 VUs, all 6 iterations done"
run_lg "$TEST_TMP/iters" "$suite" --env production --yes-production -u 5 -i 6
assert_status 0
assert_json "$RESULT" '.config.vus == 2 and .totals.iterations == 6 and .totals.requests == 18'

log "--yes-production --profile burst (50/s, 20 VUs): capped at 10/s and 2 VUs"
run_lg "$TEST_TMP/burst" "$suite" --env production --yes-production --profile burst
assert_status 0
assert_json "$RESULT" '.profile == "burst" and .schedule.peak_rate_per_s == 10 and .schedule.max_vus == 2'
assert_json "$RESULT" '.schedule.scheduled == 20'
assert_contains "$LG_ERR" "arrival rate capped at 10/s"

log "--yes-production --profile crowd (8 VUs, 4 iterations): capped at 2 VUs"
run_lg "$TEST_TMP/crowd" "$suite" --env production --yes-production --profile crowd
assert_status 0
assert_json "$RESULT" '.config.vus == 2 and .totals.iterations == 4'
assert_contains "$LG_ERR" "VUs capped at 2 (asked 8)"

log "limits within the asked figures change nothing: -u 1 --rate 4/s -d 1s"
run_lg "$TEST_TMP/below" "$suite" --env production --yes-production --rate 4/s -d 1s --max-vus 1
assert_status 0
assert_json "$RESULT" '.schedule.peak_rate_per_s == 4 and .schedule.scheduled == 4 and .config.vus == 1'
assert_not_contains "$LG_ERR" "arrival rate capped"
assert_not_contains "$LG_ERR" "VUs capped"
