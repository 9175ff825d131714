#!/usr/bin/env bash
# shellcheck disable=SC2119 # target_responses takes optional arguments
# The suite's `regression:` block on real runs against loadgate-target, /v1/leaderboard
# slowed by 30% and the board step allowed 50%: board reads ok or inconclusive while
# health is judged on the suite's 10%, by `compare` (NEW's recorded settings) and by
# `run --baseline`; --max-regression 0% overrides both levels and board regresses;
# `metrics: []` leaves a step out of regressions[]; the settings that applied are in
# result.json ("regression") and the texts. Bad values are refused, located, exit 2,
# nothing sent.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

cp "$LG_DATA/regcfg_suite.yaml" "$LG_DATA/regcfg_cmp.yaml" "$TEST_TMP/"
SUITE=$TEST_TMP/regcfg_suite.yaml
LOAD=(-u 40 -d 3s)
# row STEP: the comparison's row of STEP
row() { printf '(.steps[] | select(.step == "%s"))' "$1"; }

# Latencies far above the machine's own jitter (test_baseline.sh): the gated runs of
# (3) come after their baseline.
start_target --latency '*=180ms..220ms'
same_url=$TARGET_URL
start_target --latency '*=180ms..220ms' --latency '/v1/leaderboard=234ms..286ms'
slow_url=$TARGET_URL

log "(1) BASE and NEW (board +30%) at the same time (test_compare.sh says why)"
pids=()
for side in base:"$same_url" slow:"$slow_url"; do
    timeout -k 5 "$LG_RUN_TIMEOUT" "$LOADGATE" run "$SUITE" --base-url "${side#*:}" "${LOAD[@]}" \
        --out "$TEST_TMP/${side%%:*}" --no-progress </dev/null >"$TEST_TMP/${side%%:*}.out" 2>&1 &
    pids+=($!)
done
rc=0
for pid in "${pids[@]}"; do wait "$pid" || rc=$?; done
assert_eq "$rc" 0 "both runs pass"
BASE=$TEST_TMP/base/result.json
SLOW=$TEST_TMP/slow/result.json
# A run without --baseline records the suite's settings all the same.
assert_json "$SLOW" '.regression == {"budget": 0.1, "metrics": ["p95", "p99", "error_rate"], "confidence": 0.99, "from": {"budget": "suite", "metrics": "suite", "confidence": "suite"}, "steps": [{"scenario": "cmp", "step": "board", "budget": 0.5, "metrics": ["p95", "p99", "error_rate"]}]}'
assert_json "$SLOW" '.baseline == null and .regressions == null'

log "(2) compare BASE NEW judges with NEW's recorded settings"
lg compare "$BASE" "$SLOW" --json "$TEST_TMP/c.json" --markdown "$TEST_TMP/c.md"
assert_status 0 "board within its 50%"
J=$TEST_TMP/c.json
assert_json "$J" "$(row board) | .metrics.p95.rel_change > 0.2" "board is slower"
assert_json "$J" "$(row board) | [.metrics.p95, .metrics.p99, .metrics.error_rate] | all(.judged and .budget == 0.5 and (.status == \"ok\" or .status == \"inconclusive\"))"
assert_json "$J" "$(row health) | [.metrics.p95, .metrics.p99, .metrics.error_rate] | all(.judged and .budget == 0.1 and .status != \"regression\")"
assert_json "$J" "$(row health) | .metrics.p50.judged == false and .metrics.p50.budget == null"
assert_json "$J" '.overall.status == "not_judged" and ([.overall.metrics[] | .judged] | any) == false'
assert_json "$J" '.counts.regression == 0 and .failed == false'
assert_contains "$LG_OUT" "settings: budget 10% (suite), metrics p95,p99,error_rate (suite), confidence 99% (suite); per step (NEW's suite): cmp/board 50%; overall not judged"
assert_contains "$TEST_TMP/c.md" "- **Settings:** budget 10% (suite), metrics p95,p99,error\_rate (suite), confidence 99% (suite); per step (NEW's suite): cmp/board 50%; overall not judged"

lg compare "$BASE" "$SLOW" --max-regression 0% --confidence 95% --json "$TEST_TMP/c0.json"
assert_status 1 "--max-regression 0% overrides the step's 50%"
J=$TEST_TMP/c0.json
assert_json "$J" "$(row board) | .metrics.p95.status == \"regression\" and .metrics.p95.budget == 0"
assert_json "$J" '.overall.metrics.p95.judged and .options.confidence == 0.95'
assert_contains "$LG_OUT" "settings: budget 0% (flag), metrics p95,p99,error_rate (suite), confidence 95% (flag)"
assert_not_contains "$LG_OUT" "per step"
assert_matches "$LG_OUT" '^verdict: regression: [0-9]+ \(.*cmp/board p95'

lg compare "$BASE" "$SLOW" --metrics p50 --json "$TEST_TMP/c50.json"
J=$TEST_TMP/c50.json
assert_json "$J" "$(row board) | .metrics.p50.judged and .metrics.p50.budget == 0.5 and .metrics.p95.judged == false"
assert_contains "$LG_OUT" "metrics p50 (flag)"
# A result written before the settings were recorded: the defaults, said so.
jq 'del(.regression)' "$SLOW" >"$TEST_TMP/old.json"
lg compare "$BASE" "$TEST_TMP/old.json" --json "$TEST_TMP/cold.json"
assert_contains "$LG_OUT" "settings: budget 10% (default), metrics p95,p99,error_rate (default), confidence 99% (default)"
assert_json "$TEST_TMP/cold.json" "$(row board) | .metrics.p95.budget == 0.1"

log "(3) run --baseline: the suite's settings, then --max-regression 0% over them"
run_lg "$TEST_TMP/gated" "$SUITE" --base-url "$slow_url" "${LOAD[@]}" --baseline "$BASE"
assert_status 0 "board within its 50%, health unchanged"
assert_json "$RESULT" '.regression.steps == [{"scenario": "cmp", "step": "board", "budget": 0.5, "metrics": ["p95", "p99", "error_rate"]}]'
assert_json "$RESULT" '.baseline.budget == 0.1 and .baseline.confidence == 0.99'
assert_json "$RESULT" '[.regressions[] | [.step, .metric]] == [["health", "p95"], ["health", "p99"], ["health", "error_rate"], ["board", "p95"], ["board", "p99"], ["board", "error_rate"]]'
assert_json "$RESULT" '[.regressions[] | select(.step == "board") | .status] | all(. == "ok" or . == "inconclusive")'
assert_json "$RESULT" '(.rules[] | select(.name == "baseline") | .text) | test(", budget 10% \\(per-step overrides: cmp/board 50%; overall not judged\\) at 99% confidence: no regression")'
assert_matches "$LG_OUT" '^  regressions: judged against .*, budget 10% \(per-step overrides: cmp/board 50%; overall not judged\) at 99% confidence, severity critical$'
# `loadgate report` re-renders the same heading from result.json alone.
lg report "$RESULT"
assert_matches "$LG_OUT" '^  regressions: judged against .*, budget 10% \(per-step overrides: cmp/board 50%; overall not judged\) at 99% confidence'

run_lg "$TEST_TMP/zero" "$SUITE" --base-url "$slow_url" "${LOAD[@]}" --baseline "$BASE" --max-regression 0%
assert_status 1 "--max-regression 0%: board regresses"
assert_json "$RESULT" '.regression == {"budget": 0, "metrics": ["p95", "p99", "error_rate"], "confidence": 0.99, "from": {"budget": "flag", "metrics": "suite", "confidence": "suite"}, "steps": []}'
assert_json "$RESULT" '[.regressions[] | select(.step == "board" and .metric == "p95") | .status] == ["regression"]'
assert_json "$RESULT" '[.regressions[] | select(.step == null)] | length == 3' "overall judged again"
assert_matches "$LG_OUT" '^    ✗ baseline: judged against .*, budget 0% at 99% confidence: [0-9]+ regressions? \(.*cmp/board p95'

log "(4) metrics: [] on a step: left out of regressions[]"
awk '{print} /url: \/health}/ {print "    regression: {metrics: []}"}' "$LG_DATA/regcfg_cmp.yaml" >"$TEST_TMP/regcfg_cmp.yaml"
run_lg "$TEST_TMP/noisy" "$SUITE" --base-url "$slow_url" "${LOAD[@]}" --baseline "$BASE"
assert_json "$RESULT" '[.regressions[] | .step] == ["board", "board", "board"]'
assert_json "$RESULT" '.regression.steps == [{"scenario": "cmp", "step": "health", "budget": 0.1, "metrics": []}, {"scenario": "cmp", "step": "board", "budget": 0.5, "metrics": ["p95", "p99", "error_rate"]}]'
assert_json "$RESULT" '(.rules[] | select(.name == "baseline") | .text) | test("per-step overrides: cmp/health not judged; cmp/board 50%; overall not judged")'
assert_status 0 "nothing judged regressed"
lg compare "$BASE" "$RESULT" --json "$TEST_TMP/cn.json"
assert_json "$TEST_TMP/cn.json" "$(row health) | .status == \"not_judged\" and ([.metrics[] | .judged] | any) == false"
# The flag judges every step, the noisy one too.
run_lg "$TEST_TMP/noisy_flag" "$SUITE" --base-url "$slow_url" "${LOAD[@]}" --baseline "$BASE" --metrics p95 --confidence 95%
assert_json "$RESULT" '[.regressions[] | [.step, .metric]] == [["health", "p95"], ["board", "p95"]]'
assert_json "$RESULT" '.regression.from == {"budget": "suite", "metrics": "flag", "confidence": "flag"} and .regression.confidence == 0.95'
assert_json "$RESULT" '.regression.steps == [{"scenario": "cmp", "step": "board", "budget": 0.5, "metrics": ["p95"]}]' "board keeps its 50%, its metrics from the flag"
cp "$LG_DATA/regcfg_cmp.yaml" "$TEST_TMP/"

log "(5) bad values: located, exit 2, nothing sent"
before=$(target_responses)
cat >"$TEST_TMP/bad.yaml" <<'YAML'
suite: regcfg
scenarios: [regcfg_cmp.yaml]
regression:
  budget: 10
  metrics: [p95, max]
  confidence: 100%
YAML
lg check "$TEST_TMP/bad.yaml"
assert_status 2 "check"
assert_eq "$(cat "$LG_ERR")" "$TEST_TMP/bad.yaml:4:11: error: 'budget' must be a percentage from 0% (e.g. 10%), got '10'
$TEST_TMP/bad.yaml:5:18: error: max cannot be judged: a single sample has no confidence bounds (judge p99 instead)
$TEST_TMP/bad.yaml:6:15: error: 'confidence' must be a percentage above 0% and below 100% (e.g. 99%), got '100%'" "check's diagnostics"
run_lg "$TEST_TMP/bad" "$TEST_TMP/bad.yaml" --base-url "$slow_url" "${LOAD[@]}"
assert_status 2 "run of a bad suite"
assert_contains "$LG_ERR" "bad.yaml:4:11: error: 'budget' must be a percentage from 0% (e.g. 10%), got '10'"
run_lg "$TEST_TMP/bad" "$SUITE" --base-url "$slow_url" "${LOAD[@]}" --metrics p95
assert_status 2 "--metrics without --baseline"
assert_contains "$LG_ERR" "loadgate: --metrics: only with --baseline FILE"
run_lg "$TEST_TMP/bad" "$SUITE" --base-url "$slow_url" "${LOAD[@]}" --confidence 99%
assert_contains "$LG_ERR" "loadgate: --confidence: only with --baseline FILE"
run_lg "$TEST_TMP/bad" "$SUITE" --base-url "$slow_url" "${LOAD[@]}" --baseline "$BASE" --metrics p95,rps
assert_status 2 "--metrics rps"
assert_contains "$LG_ERR" "loadgate: --metrics: rps cannot be judged"
run_lg "$TEST_TMP/bad" "$SUITE" --base-url "$slow_url" "${LOAD[@]}" --baseline "$BASE" --confidence 100%
assert_status 2 "--confidence 100%"
assert_contains "$LG_ERR" "loadgate: --confidence: expected a percentage above 0% and below 100% (e.g. 99%), got '100%'"
assert_eq "$(($(target_responses) - before - 1))" 0 "requests the target served for the refused runs"

