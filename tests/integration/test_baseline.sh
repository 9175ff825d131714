#!/usr/bin/env bash
# shellcheck disable=SC2119 # target_responses takes optional arguments
# `loadgate run --baseline BASE.json` on real runs against loadgate-target: the same
# target again passes; one route 30% slower fails the gate (exit 1) naming that step
# and metric, in summary.txt, result.json, summary.md and junit.xml (read by
# junitparser); with --baseline-severity warning it passes with the regression shown.
# A missing, garbage or foreign baseline, a result of another suite or a bad flag is
# refused with exit 2 before anything is sent: the target counts zero requests.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

# Latencies far above the machine's own jitter: the gated run comes after its
# baseline (it needs the file), so a loaded machine's drift between the two must
# stay well inside the 10% budget (20ms on 200ms).
cp "$LG_DATA/cmp_two.yaml" "$TEST_TMP/two.yaml"
LOAD=(-u 40 -d 3s)

start_target --latency '*=180ms..220ms'
same_url=$TARGET_URL
start_target --latency '*=180ms..220ms' --latency '/v1/leaderboard=234ms..286ms'
slow_url=$TARGET_URL

log "(0) the baseline"
run_lg "$TEST_TMP/base" "$TEST_TMP/two.yaml" --base-url "$same_url" "${LOAD[@]}"
assert_status 0
BASE=$TEST_TMP/base/result.json
assert_json "$BASE" '.baseline == null and .regressions == null'

log "(1) the same target again: pass"
run_lg "$TEST_TMP/same" "$TEST_TMP/two.yaml" --base-url "$same_url" "${LOAD[@]}" --baseline "$BASE"
assert_status 0 "unchanged target"
assert_json "$RESULT" '.verdict == "pass" and .baseline.file == "'"$BASE"'" and .baseline.severity == "critical"'
assert_json "$RESULT" '.baseline.budget == 0.1 and .baseline.confidence == 0.99'
assert_json "$RESULT" "(.baseline.started_at == \"$(jq -r .started_at "$BASE")\")"
assert_json "$RESULT" '[.regressions[] | select(.status == "regression")] == []'
assert_json "$RESULT" '[.regressions[] | select(.metric == "p95") | .status] == ["ok", "ok", "ok"]'
assert_json "$RESULT" '[.regressions[] | [.step, .metric]] == [[null, "p95"], [null, "p99"], [null, "error_rate"], ["health", "p95"], ["health", "p99"], ["health", "error_rate"], ["board", "p95"], ["board", "p99"], ["board", "error_rate"]]'
assert_json "$RESULT" '(.rules[] | select(.name == "baseline") | .ok) == true'
assert_matches "$LG_OUT" '^    ✓ baseline: judged against .*: no regression; [3-5] inconclusive'
assert_matches "$LG_OUT" '^  regressions: judged against .*, budget 10% at 99% confidence, severity critical$'
assert_matches "$LG_OUT" '^    ✓ cmp/board p95 +2[0-9.]+ms -> 2[0-9.]+ms .* ok$'
assert_matches "$LG_OUT" '^    \? overall error_rate .* INCONCLUSIVE$'
assert_matches "$LG_OUT" '^  verdict: PASS$'
# the baseline's histograms, for report.html's curves: every step merged, and each
# step both runs have, the very histograms of BASE's steps
assert_json "$RESULT" '.baseline.histogram | startswith("HISTF")'
assert_json "$RESULT" '[.baseline.steps[] | [.scenario, .step]] == [["cmp", "health"], ["cmp", "board"]]'
[[ "$(jq -c '[.baseline.steps[].histogram]' "$RESULT")" == "$(jq -c '[.steps[].histogram]' "$BASE")" ]] ||
    fail "baseline.steps[].histogram are not BASE's steps' histograms"
assert_eq "$(grep -o 'data-series="baseline"' "$TEST_TMP/same/report.html" | wc -l)" 3 \
    "baseline curves on report.html (overall and 2 steps)"

log "(2) /v1/leaderboard 30% slower: the gate fails on the board step (exit 1)"
run_lg "$TEST_TMP/slow" "$TEST_TMP/two.yaml" --base-url "$slow_url" "${LOAD[@]}" --baseline "$BASE"
assert_status 1 "one route 30% slower"
J=$RESULT
assert_json "$J" '.verdict == "fail" and (.rules[] | select(.name == "baseline") | .ok) == false'
assert_json "$J" '[.regressions[] | select(.step == "board" and .metric == "p95") | .status] == ["regression"]'
assert_json "$J" '.regressions[] | select(.step == "board" and .metric == "p95") | .new_bounds.lo > .base_bounds.hi * 1.1'
assert_json "$J" '[.regressions[] | select(.step == "health" and .status == "regression")] == []'
assert_json "$J" '[.regressions[] | select(.status == "regression") | .metric] | index("error_rate") == null'
assert_matches "$LG_OUT" '^    ✗ baseline: judged against .*: [0-9]+ regressions? \(.*cmp/board p95'
assert_not_contains "$LG_OUT" "cmp/health p95 is a regression"
assert_matches "$LG_OUT" '^    ✗ cmp/board p95 +2[0-9.]+ms -> 2[4-9][0-9.]*ms +\+[0-9.]+ms \+[0-9.]+% +bounds .* REGRESSION$'
if grep -E '^    . cmp/health p9[59] ' "$LG_OUT" | grep -q REGRESSION; then fail "health regressed"; fi
assert_matches "$LG_OUT" '^  verdict: FAIL$'
# the reports, re-rendered from result.json alone, are the run's
lg report "$J" --markdown "$TEST_TMP/re.md" --junit "$TEST_TMP/re.xml" --html "$TEST_TMP/re.html"
assert_status 0
for f in "summary.md re.md" "junit.xml re.xml" "report.html re.html"; do
    read -r want got <<<"$f"
    cmp -s "$TEST_TMP/slow/$want" "$TEST_TMP/$got" || fail "report's $got differs from the run's $want"
done
assert_matches "$TEST_TMP/slow/summary.md" '^\| ✗ \| cmp/board \| p95 \| 2[0-9.]+ms \| 2[4-9][0-9.]*ms \| .* \| REGRESSION \|$'
assert_contains "$TEST_TMP/slow/report.html" '<section id="regressions"><h2>Regressions</h2>'
if command -v cmark-gfm >/dev/null; then
    cmark-gfm -e table "$TEST_TMP/slow/summary.md" >"$TEST_TMP/slow.html"
    assert_contains "$TEST_TMP/slow.html" '<h3>Regressions</h3>'
    assert_contains "$TEST_TMP/slow.html" '<td>cmp/board</td>'
fi
if "$PY" -c 'import junitparser' 2>/dev/null; then
    "$PY" - "$TEST_TMP/slow/junit.xml" >"$TEST_TMP/slow.junit" <<'PY' || fail "junitparser could not read junit.xml"
import sys
from junitparser import JUnitXml, Failure, Skipped
for suite in JUnitXml.fromfile(sys.argv[1]):
    if suite.name != "regressions":
        continue
    print(f"suite tests={suite.tests} skipped={suite.skipped}")
    for case in suite:
        kind = "pass"
        for r in case.result:
            kind = "failure" if isinstance(r, Failure) else "skipped" if isinstance(r, Skipped) else kind
        print(f"case {case.name} | {kind}")
PY
    assert_matches "$TEST_TMP/slow.junit" '^suite tests=9 skipped=[3-5]$'
    assert_contains "$TEST_TMP/slow.junit" "case cmp/board: p95 | failure"
    assert_contains "$TEST_TMP/slow.junit" "case cmp/health: p95 | pass"
    assert_contains "$TEST_TMP/slow.junit" "case overall: error_rate | skipped"
else
    log "python3-junitparser is not installed: JUnit not read (tools/setup installs it)"
fi

log "(3) the same with --baseline-severity warning: pass, the regression shown"
run_lg "$TEST_TMP/warn" "$TEST_TMP/two.yaml" --base-url "$slow_url" "${LOAD[@]}" --baseline "$BASE" \
    --baseline-severity warning --max-regression 15%
assert_status 0 "a warning only reports"
assert_json "$RESULT" '.verdict == "pass" and .baseline.severity == "warning" and .baseline.budget == 0.15'
assert_json "$RESULT" '[.regressions[] | select(.step == "board" and .metric == "p95") | .status] == ["regression"]'
assert_matches "$LG_OUT" '^    ✓ baseline: judged against .*regressions? \(.*cmp/board p95.*\), reported only \(severity warning\)'
assert_matches "$LG_OUT" '^    ! cmp/board p95 .* REGRESSION$'
assert_matches "$LG_OUT" 'budget 15% at 99% confidence, severity warning$'
assert_matches "$LG_OUT" '^  verdict: PASS$'

log "(4) refused before anything is sent (exit 2, zero requests at the target)"
cat >"$TEST_TMP/other.yaml" <<'YAML'
scenario: other
steps:
  - name: health
    request: {method: GET, url: /health}
YAML
run_lg "$TEST_TMP/other" "$TEST_TMP/other.yaml" --base-url "$same_url" -i 1
assert_status 0
echo 'not json' >"$TEST_TMP/garbage.json"
: >"$TEST_TMP/empty.json"
echo '{"schema": "loadgate.comparison/1"}' >"$TEST_TMP/foreign.json"
head -c 300 "$BASE" >"$TEST_TMP/truncated.json"
mkdir -p "$TEST_TMP/folder.json"
TARGET_URL=$same_url
before=$(target_responses)
refuse() {
    local why=$1 msg=$2
    shift 2
    lg run "$TEST_TMP/two.yaml" --base-url "$same_url" -u 2 -i 4 --out "$TEST_TMP/refused" --no-progress "$@"
    assert_status 2 "$why"
    assert_contains "$LG_ERR" "$msg" "$why"
    [[ ! -e "$TEST_TMP/refused/result.json" ]] || fail "$why: a result.json was written"
}
refuse "missing" "loadgate: --baseline: $TEST_TMP/nothere.json: No such file or directory" --baseline "$TEST_TMP/nothere.json"
refuse "garbage" "loadgate: --baseline: $TEST_TMP/garbage.json:1:3: invalid JSON" --baseline "$TEST_TMP/garbage.json"
refuse "empty" "loadgate: --baseline: $TEST_TMP/empty.json" --baseline "$TEST_TMP/empty.json"
refuse "truncated" "loadgate: --baseline: $TEST_TMP/truncated.json" --baseline "$TEST_TMP/truncated.json"
refuse "another schema" 'unsupported schema "loadgate.comparison/1" (expected "loadgate.result/1")' --baseline "$TEST_TMP/foreign.json"
refuse "a folder" "loadgate: --baseline: $TEST_TMP/folder.json: is a folder, not a result.json" --baseline "$TEST_TMP/folder.json"
refuse "another suite" "loadgate: --baseline: $TEST_TMP/other/result.json is a run of the suite \"other\", not of \"cmp\"" --baseline "$TEST_TMP/other/result.json"
refuse "a budget without a baseline" "loadgate: --max-regression: only with --baseline FILE" --max-regression 5%
refuse "a severity without a baseline" "loadgate: --baseline-severity: only with --baseline FILE" --baseline-severity warning
refuse "a bad budget" "loadgate: --max-regression: expected a percentage from 0% (e.g. 10%), got '-5%'" --baseline "$BASE" --max-regression -5%
refuse "a budget without %" "got '10'" --baseline "$BASE" --max-regression 10
refuse "a bad severity" "loadgate: --baseline-severity: expected critical or warning, got 'fatal'" --baseline "$BASE" --baseline-severity fatal
assert_eq "$(($(target_responses) - before - 1))" 0 "requests the target served for the refused runs"

log "(5) --baseline may be the result.json that --out replaces: it is read first"
cp -r "$TEST_TMP/base" "$TEST_TMP/again"
run_lg "$TEST_TMP/again" "$TEST_TMP/two.yaml" --base-url "$same_url" -u 2 -i 4 --baseline "$TEST_TMP/again/result.json" \
    --baseline-severity warning
assert_status 0
assert_json "$RESULT" '.baseline.file == "'"$TEST_TMP/again/result.json"'" and (.regressions | length) == 9'
