#!/usr/bin/env bash
# shellcheck disable=SC2119 # target_responses takes optional arguments
# loadgate compare on real runs against loadgate-target: the same target twice is no
# regression (exit 0); one route slowed by 30% is a regression on that step alone
# (exit 1); 10 requests a step against a 2x slower target is what the statistics say
# at 99% (inconclusive, exit 0; 1 with --fail-on-inconclusive); errors 0.1% -> 2%
# over 5,000 requests regress, 0 -> 1 of 50 does not. The reports are read by real
# consumers (cmark-gfm, junitparser, jq). Then hostile input: missing, garbage,
# truncated and foreign files, different suites, the same file twice, no requests,
# steps on one side only, bad flags and output paths (exit 2).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

# Latencies well above the machine's own jitter (a loaded 2-core box, under the
# sanitizers, delays some requests by 10ms or more), drawn from a range so that the
# VUs do not fire in lockstep waves (the last of a wave queues behind the others).
cp "$LG_DATA/cmp_two.yaml" "$TEST_TMP/two.yaml"
# row FILE STEP: a jq filter for the comparison's row of STEP ("overall" for it)
row() { if [[ $1 == overall ]]; then printf '.overall'; else printf '(.steps[] | select(.step == "%s"))' "$1"; fi; }
cmp_json() { printf '%s/cmp.json' "$TEST_TMP"; }

# pair OUT1 URL1 OUT2 URL2: two runs of two.yaml at the same time, one against each
# URL. A loaded machine's state drifts (another job's burst adds tens of ms to the
# tail for a few seconds), which no statistics on the samples can tell from a change
# of the target; at the same time both runs see the same machine, so only the target
# differs, as in a real comparison of two releases on one quiet staging host.
pair() {
    local pids=() rc=0
    log "loadgate run two.yaml against $2 and $4 at the same time"
    for k in 1 3; do
        local out=${*:k:1} url=${*:k+1:1}
        timeout -k 5 "$LG_RUN_TIMEOUT" "$LOADGATE" run "$TEST_TMP/two.yaml" --base-url "$url" \
            -u 40 -d 3s --out "$out" --no-progress </dev/null >"$out.out" 2>"$out.err" &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || rc=$?; done
    assert_eq "$rc" 0 "both runs pass"
}

log "(1) the same target twice: no regression (exit 0)"
start_target --latency '*=90ms..110ms'
pair "$TEST_TMP/base" "$TARGET_URL" "$TEST_TMP/same" "$TARGET_URL"
BASE=$TEST_TMP/base/result.json
lg compare "$BASE" "$TEST_TMP/same/result.json" --json "$TEST_TMP/same.json" \
    --markdown "$TEST_TMP/same.md" --junit "$TEST_TMP/same.xml"
assert_status 0 "unchanged target"
cp "$LG_OUT" "$TEST_TMP/same.txt"
assert_json "$TEST_TMP/same.json" '.schema == "loadgate.comparison/1" and .failed == false and .counts.regression == 0'
assert_json "$TEST_TMP/same.json" '[.overall, .steps[] | .metrics[] | select(.status == "regression")] == []'
assert_json "$TEST_TMP/same.json" '[.steps[].step] == ["health", "board"] and .options.metrics == ["p95", "p99", "error_rate"]'
assert_json "$TEST_TMP/same.json" '.options.confidence == 0.99 and .options.budget.p95 == 0.1'
assert_json "$TEST_TMP/same.json" '.steps[0].base_requests > 400 and .steps[0].base_samples == .steps[0].base_requests'
assert_matches "$TEST_TMP/same.txt" '^verdict: no regression'
assert_contains "$TEST_TMP/same.txt" "BASE  $BASE: suite cmp, pass,"

log "(2) /v1/leaderboard 90..110ms -> 117..143ms (+30%): a regression of the board step alone (exit 1)"
base_url=$TARGET_URL
start_target --latency '*=90ms..110ms' --latency '/v1/leaderboard=117ms..143ms'
pair "$TEST_TMP/base2" "$base_url" "$TEST_TMP/slow" "$TARGET_URL"
lg compare "$TEST_TMP/base2/result.json" "$TEST_TMP/slow/result.json" --json "$TEST_TMP/slow.json" \
    --markdown "$TEST_TMP/slow.md" --junit "$TEST_TMP/slow.xml"
assert_status 1 "one route 30% slower"
cp "$LG_OUT" "$TEST_TMP/slow.txt"
J=$TEST_TMP/slow.json
assert_json "$J" '.failed == true and .status == "regression"'
assert_json "$J" "$(row board) | .status == \"regression\" and .metrics.p95.status == \"regression\""
assert_json "$J" "$(row board) | .metrics.p95.rel_change > 0.2 and .metrics.p95.new_bounds.lo > .metrics.p95.base_bounds.hi * 1.1"
assert_json "$J" "$(row health) | [.metrics[] | .status] | index(\"regression\") == null" "health did not regress"
assert_json "$J" "$(row board) | .metrics.error_rate.status != \"regression\""
assert_matches "$TEST_TMP/slow.txt" '^verdict: regression: [0-9]+ \(.*cmp/board p95'
regressed=$(sed -n 's/^verdict: regression: [0-9]* (\([^)]*\)).*/\1/p' "$TEST_TMP/slow.txt")
[[ "$regressed" == *"cmp/board p95"* && "$regressed" != *cmp/health* ]] ||
    fail "the verdict names the regressions of board alone: '$regressed'"
grep -A5 '^cmp/board:' "$TEST_TMP/slow.txt" | grep -qE '^ +p95 .* REGRESSION$' || fail "the board table does not mark p95 REGRESSION"

log "(2b) the slowed comparison as a real consumer reads it"
if command -v cmark-gfm >/dev/null; then
    cmark-gfm -e table "$TEST_TMP/slow.md" >"$TEST_TMP/slow.html"
    assert_eq "$(grep -c '<table>' "$TEST_TMP/slow.html")" 1 "tables in the Markdown comparison"
    assert_contains "$TEST_TMP/slow.html" "<h2>✗ loadgate compare: regression: "
    assert_contains "$TEST_TMP/slow.html" "<td>cmp/board</td>"
    # 8 metrics for overall and each of the 2 steps, plus the header
    assert_eq "$(grep -c '<tr>' "$TEST_TMP/slow.html")" 25 "table rows"
    "$PY" - "$TEST_TMP/slow.html" <<'PY' || fail "a row has more or fewer cells than its header"
import re, sys
html = open(sys.argv[1]).read()
for table in re.findall(r"<table>(.*?)</table>", html, re.S):
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    assert len({len(re.findall(r"<t[hd][ >]", r)) for r in rows}) == 1
PY
else
    log "cmark-gfm is not installed: the Markdown is not rendered (tools/setup installs it)"
fi
# junit FILE: one line per case: CLASS / NAME | RESULT | MESSAGE
junit() {
    "$PY" - "$1" <<'PY'
import sys
from junitparser import JUnitXml, Failure, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
print(f"root tests={xml.tests} failures={xml.failures} skipped={xml.skipped}")
for suite in xml:
    for case in suite:
        kind, msg = "pass", ""
        for r in case.result:
            kind = "failure" if isinstance(r, Failure) else "skipped" if isinstance(r, Skipped) else type(r).__name__
            msg = r.message or ""
        print(f"case {case.classname} / {case.name} | {kind} | {msg}")
PY
}
if "$PY" -c 'import junitparser' 2>/dev/null; then
    junit "$TEST_TMP/slow.xml" >"$TEST_TMP/slow.junit" || fail "junitparser could not read the comparison"
    assert_matches "$TEST_TMP/slow.junit" '^root tests=9 failures=[1-9]'
    assert_matches "$TEST_TMP/slow.junit" '^case cmp/board / p95 \| failure \| p95 regressed beyond the budget: base 1[0-9.]+ms, new 1[3-9][0-9.]*ms'
    assert_not_contains "$TEST_TMP/slow.junit" "case cmp/health / p95 | failure"
    junit "$TEST_TMP/same.xml" >"$TEST_TMP/same.junit" || fail "junitparser could not read the comparison"
    assert_matches "$TEST_TMP/same.junit" '^root tests=9 failures=0 '
else
    log "python3-junitparser is not installed: JUnit not read (tools/setup installs it)"
fi

log "(3) 10 requests a step, the target 2x slower: inconclusive at 99% (exit 0), 1 with --fail-on-inconclusive"
# Hostile step names ride along: they must stay in their cell and in their attribute.
cat >"$TEST_TMP/tiny.yaml" <<'YAML'
scenario: tiny
steps:
  - name: "a|b <i>&amp; \"q\""
    request: {method: GET, url: /health}
    expect: {status: 200}
  - name: board
    request: {method: GET, url: /v1/leaderboard, query: {season: "2025-s1"}}
    expect: {status: 200}
YAML
start_target --latency '*=40ms'
before=$(target_responses)
run_lg "$TEST_TMP/tiny1" "$TEST_TMP/tiny.yaml" --base-url "$TARGET_URL" -u 2 -i 10
assert_status 0
assert_eq "$(($(target_responses) - before - 1))" 20 "requests the target served (10 a step)"
start_target --latency '*=80ms'
run_lg "$TEST_TMP/tiny2" "$TEST_TMP/tiny.yaml" --base-url "$TARGET_URL" -u 2 -i 10
assert_status 0
lg compare "$TEST_TMP/tiny1/result.json" "$TEST_TMP/tiny2/result.json" --json "$TEST_TMP/tiny.json" \
    --markdown "$TEST_TMP/tiny.md" --junit "$TEST_TMP/tiny.xml"
assert_status 0 "too few samples: inconclusive passes by default"
cp "$LG_OUT" "$TEST_TMP/tiny.txt"
J=$TEST_TMP/tiny.json
assert_json "$J" '.status == "inconclusive" and .failed == false and .counts.regression == 0 and .counts.inconclusive == 9'
# BASE's p95 and p99 have no upper bound with 10 samples; 0 of 10 errors bound nothing useful
assert_json "$J" '[.steps[] | .metrics.p95.base_bounds.hi, .metrics.p99.base_bounds.hi] == [null, null, null, null]'
assert_json "$J" '[.steps[] | .metrics.p50.rel_change > 0.9] == [true, true]' "the medians did double"
assert_matches "$TEST_TMP/tiny.txt" '^verdict: no regression shown, but not vouched for; 9 INCONCLUSIVE, too few samples to tell \(overall p95, '
assert_matches "$TEST_TMP/tiny.txt" '^ +p95 .*\.\.\? +INCONCLUSIVE$'
lg compare "$TEST_TMP/tiny1/result.json" "$TEST_TMP/tiny2/result.json" --fail-on-inconclusive
assert_status 1 "--fail-on-inconclusive"
assert_matches "$LG_OUT" '^verdict: inconclusive, counted as a failure; 9 INCONCLUSIVE'
# The median is bounded by the smallest and largest of 10 samples: with fixed delays
# (40ms and 80ms) those do not overlap, and the data does show the doubling.
lg compare "$TEST_TMP/tiny1/result.json" "$TEST_TMP/tiny2/result.json" --metrics p50 --json "$TEST_TMP/p50.json"
assert_status 1 "p50 of 10 samples, 40ms vs 80ms"
assert_json "$TEST_TMP/p50.json" '[.steps[] | .metrics.p50.status] == ["regression", "regression"]'
if command -v cmark-gfm >/dev/null; then
    cmark-gfm -e table "$TEST_TMP/tiny.md" >"$TEST_TMP/tiny.html"
    assert_contains "$TEST_TMP/tiny.html" '<td>tiny/a|b &lt;i&gt;&amp;amp; &quot;q&quot;</td>'
    assert_contains "$TEST_TMP/tiny.html" '<h2>⚠ loadgate compare: no regression shown'
    assert_not_contains "$TEST_TMP/tiny.html" '<i>'
fi
if "$PY" -c 'import junitparser' 2>/dev/null; then
    junit "$TEST_TMP/tiny.xml" >"$TEST_TMP/tiny.junit" || fail "junitparser could not read the comparison"
    assert_matches "$TEST_TMP/tiny.junit" '^root tests=9 failures=0 skipped=9$'
    assert_contains "$TEST_TMP/tiny.junit" 'case tiny/a|b <i>&amp; "q" / p95 | skipped | p95 inconclusive: too few samples to tell'
fi

log "(3b) names YAML can hold that the reports must still keep in place: a newline, backticks"
# shellcheck disable=SC2016 # the backticks and dollars of this section are the name's own
# the same two runs, the board step renamed in both (as a hand-edited result could be)
name='x
`y` | <z> & "w" $m$ *e*'
for k in 1 2; do
    jq --arg n "$name" '(.steps[] | select(.name == "board") | .name) = $n' \
        "$TEST_TMP/tiny$k/result.json" >"$TEST_TMP/named$k.json"
done
lg compare "$TEST_TMP/named1.json" "$TEST_TMP/named2.json" --markdown "$TEST_TMP/named.md" \
    --junit "$TEST_TMP/named.xml" --json "$TEST_TMP/named.json"
assert_status 0 "inconclusive, as before the renaming"
# shellcheck disable=SC2016 # the name's own backticks and dollars
assert_json "$TEST_TMP/named.json" '.steps[1].step == "x\n`y` | <z> & \"w\" $m$ *e*"'
# shellcheck disable=SC2016 # the name's own backticks and dollars
assert_contains "$LG_OUT" 'tiny/x?`y` | <z> & "w" $m$ *e*: 10 → 10 requests'
if command -v cmark-gfm >/dev/null; then
    cmark-gfm -e table "$TEST_TMP/named.md" >"$TEST_TMP/named.html"
    assert_eq "$(grep -c '<table>' "$TEST_TMP/named.html")" 1 "tables in the Markdown comparison"
    # the renamed step stays in its cell, as text: no code span, no emphasis, no maths
    # shellcheck disable=SC2016 # the name's own backticks and dollars
    assert_contains "$TEST_TMP/named.html" '<td>tiny/x `y` | &lt;z&gt; &amp; &quot;w&quot; $m$ *e*</td>'
    assert_not_contains "$TEST_TMP/named.html" '<code>y</code>'
    assert_not_contains "$TEST_TMP/named.html" '<em>'
    "$PY" - "$TEST_TMP/named.html" <<'PY' || fail "a row has more or fewer cells than its header"
import re, sys
html = open(sys.argv[1]).read()
for table in re.findall(r"<table>(.*?)</table>", html, re.S):
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    assert len(rows) == 25 and len({len(re.findall(r"<t[hd][ >]", r)) for r in rows}) == 1
PY
fi
if "$PY" -c 'import junitparser' 2>/dev/null; then
    junit "$TEST_TMP/named.xml" >"$TEST_TMP/named.junit" || fail "junitparser could not read the comparison"
    assert_matches "$TEST_TMP/named.junit" '^root tests=9 failures=0 skipped=9$'
    # the newline survives as a character reference in the attribute
    "$PY" - "$TEST_TMP/named.xml" "$name" <<'PY' || fail "junitparser did not read the renamed step back"
import sys
from junitparser import JUnitXml
want = "tiny/" + sys.argv[2]
names = [suite.name for suite in JUnitXml.fromfile(sys.argv[1])]
assert want in names, names
cases = [case.classname for suite in JUnitXml.fromfile(sys.argv[1]) for case in suite]
assert cases.count(want) == 3, cases
PY
fi

# A one-step scenario for the error rates, fast: thousands of requests in a second.
cat >"$TEST_TMP/one.yaml" <<'YAML'
scenario: errs
steps:
  - name: health
    request: {method: GET, url: /health}
    expect: {status: 200}
YAML
log "(4) errors 0.1% -> 2% over 5,000 requests: a regression"
start_target --error-share 0.001
before=$(target_responses)
run_lg "$TEST_TMP/e1" "$TEST_TMP/one.yaml" --base-url "$TARGET_URL" -u 10 -i 5000 \
    --threshold 'error_rate < 50%'
assert_status 0
assert_eq "$(($(target_responses) - before - 1))" 5000 "requests the target served"
start_target --error-share 0.02
run_lg "$TEST_TMP/e2" "$TEST_TMP/one.yaml" --base-url "$TARGET_URL" -u 10 -i 5000 \
    --threshold 'error_rate < 50%'
assert_status 0
assert_json "$TEST_TMP/e1/result.json" '.totals.requests == 5000 and .totals.errors <= 20'
assert_json "$TEST_TMP/e2/result.json" '.totals.requests == 5000 and .totals.errors >= 50'
# Only the error rate: sub-millisecond latencies on a loaded machine differ from one
# run to the next by far more than 10% (not independent samples of one distribution).
lg compare "$TEST_TMP/e1/result.json" "$TEST_TMP/e2/result.json" --json "$(cmp_json)" \
    --metrics error_rate
assert_status 1 "0.1% -> 2% errors"
assert_json "$(cmp_json)" "$(row health) | .metrics.error_rate.status == \"regression\" and .metrics.error_rate.p_value < 1e-6"
assert_matches "$LG_OUT" '^verdict: regression: 2 \(overall error_rate, errs/health error_rate\)$'

log "(5) errors 0 -> 1 of 50: not a regression"
for _ in $(seq 50); do echo /health; done >"$TEST_TMP/ok.csv"
{ for _ in $(seq 49); do echo /health; done; echo /missing; } >"$TEST_TMP/one-bad.csv"
sed -i '1i path' "$TEST_TMP/ok.csv" "$TEST_TMP/one-bad.csv"
for f in ok one-bad; do
    cat >"$TEST_TMP/$f.yaml" <<YAML
scenario: feed
data:
  paths: {file: $f.csv, mode: sequential}
steps:
  - name: get
    request: {method: GET, url: "{{data.paths.path}}"}
YAML
done
start_target
run_lg "$TEST_TMP/f0" "$TEST_TMP/ok.yaml" --base-url "$TARGET_URL" -u 1 -i 50
assert_status 0
run_lg "$TEST_TMP/f1" "$TEST_TMP/one-bad.yaml" --base-url "$TARGET_URL" -u 1 -i 50
assert_status 1 "the run itself fails on its failed request"
assert_json "$TEST_TMP/f1/result.json" '.totals.requests == 50 and .totals.errors == 1'
lg compare "$TEST_TMP/f0/result.json" "$TEST_TMP/f1/result.json" --json "$(cmp_json)"
assert_status 0 "0 -> 1 of 50 errors"
assert_json "$(cmp_json)" "$(row get) | .metrics.error_rate.status == \"inconclusive\" and .metrics.error_rate.p_value == 0.5"
assert_contains "$LG_OUT" "note: NEW's own verdict is fail; compare judges only the change from BASE"

log "(6) hostile input: exit 2, nothing written"
refused() { # EXPECTED_STDERR ARGS...
    local want=$1
    shift
    lg compare "$@"
    assert_status 2 "$*"
    assert_contains "$LG_ERR" "$want"
}
refused "$TEST_TMP/nope.json: No such file or directory" "$TEST_TMP/nope.json" "$BASE"
refused "is a folder, not a result.json" "$TEST_TMP" "$BASE"
printf 'not json at all\n' >"$TEST_TMP/garbage.json"
refused "garbage.json:1:" "$BASE" "$TEST_TMP/garbage.json"
head -c 700 "$BASE" >"$TEST_TMP/truncated.json"
refused "truncated.json:" "$BASE" "$TEST_TMP/truncated.json"
jq '.schema = "loadgate.result/2"' "$BASE" >"$TEST_TMP/schema2.json"
refused "schema2.json" "$BASE" "$TEST_TMP/schema2.json"
refused 'different suites ("cmp" and "errs")' "$BASE" "$TEST_TMP/e1/result.json"
refused "compare: expected BASE.json and NEW.json" "$BASE"
refused "compare: expected two results, got" "$BASE" "$BASE" "$BASE"
refused "--max-regression: expected a percentage from 0% (e.g. 10%), got '-5%'" "$BASE" "$BASE" --max-regression -5%
refused "--max-regression: expected a percentage" "$BASE" "$BASE" --max-regression 10
refused "--confidence: expected a percentage above 0% and below 100% (e.g. 99%), got '100%'" "$BASE" "$BASE" --confidence 100%
refused "--confidence: expected a percentage" "$BASE" "$BASE" --confidence 0%
refused "--metrics: unknown metric 'p97'" "$BASE" "$BASE" --metrics p95,p97
refused "max cannot be judged" "$BASE" "$BASE" --metrics max
refused "rps cannot be judged" "$BASE" "$BASE" --metrics p95,rps
refused "--metrics: expected metric names" "$BASE" "$BASE" --metrics ,
refused "--json: '$BASE' is the result being read" "$BASE" "$TEST_TMP/same/result.json" --json "$BASE"
refused "--markdown: cannot write '$TEST_TMP/no/such/c.md': folder" "$BASE" "$BASE" --junit "$TEST_TMP/j.xml" --markdown "$TEST_TMP/no/such/c.md"
[[ ! -e "$TEST_TMP/j.xml" ]] || fail "a refused compare wrote another report"
refused "--json: '$TEST_TMP/x' is also --junit's file ('$TEST_TMP/x')" "$BASE" "$BASE" --junit "$TEST_TMP/x" --json "$TEST_TMP/x"
refused "--json: '$TEST_TMP/y' is also --markdown's file ('$TEST_TMP/./y')" "$BASE" "$BASE" --markdown "$TEST_TMP/./y" --json "$TEST_TMP/y"
refused "compare: unknown option '--max-regresion'" "$BASE" "$BASE" --max-regresion 5%

log "(7) different suites, allowed"
lg compare "$BASE" "$TEST_TMP/e1/result.json" --allow-different-suite --json "$(cmp_json)"
assert_contains "$LG_OUT" "note: the runs are of different suites"
assert_json "$(cmp_json)" '.different_suite == true and .steps == [] and (.only_base.steps | length) == 2 and .only_new.steps == [{"scenario": "errs", "name": "health"}]'
assert_contains "$LG_OUT" "2 steps of BASE not in NEW (not compared); 1 step new in NEW (not compared)"

log "(8) the same file twice: no regression, every judged metric ok or inconclusive"
lg compare "$BASE" "$BASE" --json "$(cmp_json)"
assert_status 0 "the same file twice"
assert_json "$(cmp_json)" '[.overall, .steps[] | .metrics[] | select(.judged) | .status] | all(. == "ok" or . == "inconclusive")'
assert_json "$(cmp_json)" '[.overall, .steps[] | .metrics[] | .abs_change | select(. != null)] | all(. == 0)'

log "(9) a BASE with a step NEW lacks: listed, not compared"
cat >"$TEST_TMP/two-only.yaml" <<'YAML'
scenario: cmp
steps:
  - name: health
    request: {method: GET, url: /health}
    expect: {status: 200}
YAML
start_target --latency '*=40ms'
run_lg "$TEST_TMP/fewer" "$TEST_TMP/two-only.yaml" --base-url "$TARGET_URL" -u 10 -i 100
assert_status 0
lg compare "$BASE" "$TEST_TMP/fewer/result.json" --json "$(cmp_json)" --junit "$TEST_TMP/fewer.xml"
assert_json "$(cmp_json)" '.only_base.steps == [{"scenario": "cmp", "name": "board"}] and ([.steps[].step] == ["health"])'
assert_contains "$LG_OUT" "only in BASE (not compared):"
assert_contains "$LG_OUT" "  steps: cmp/board"
assert_matches "$LG_OUT" '; 1 step of BASE not in NEW \(not compared\)$'
if "$PY" -c 'import junitparser' 2>/dev/null; then
    junit "$TEST_TMP/fewer.xml" >"$TEST_TMP/fewer.junit" || fail "junitparser could not read the comparison"
    assert_contains "$TEST_TMP/fewer.junit" "case one side only / cmp/board | skipped | in BASE only: not compared"
fi

log "(10) no requests at all, and no response at all"
# A target that is gone: every request is refused (requests, no latency sample).
start_target
dead=$TARGET_URL
kill "$TARGET_PID"
wait "$TARGET_PID" 2>/dev/null || true
run_lg "$TEST_TMP/dead" "$TEST_TMP/two.yaml" --base-url "$dead" -u 1 -i 5
assert_status 1
lg compare "$BASE" "$TEST_TMP/dead/result.json" --json "$(cmp_json)"
assert_status 1 "every request failed: the error rate regressed"
assert_json "$(cmp_json)" "$(row health) | .new_samples == 0 and .metrics.p95.new == null and .metrics.p95.status == \"inconclusive\" and .metrics.error_rate.status == \"regression\""
assert_contains "$LG_OUT" "   p95 "
# The same result with its requests taken away: nothing to judge, said loudly.
jq '.totals.requests = 0 | .totals.errors = 0 | .steps[] |= (.requests = 0 | .errors = 0)' \
    "$TEST_TMP/dead/result.json" >"$TEST_TMP/zero.json"
lg compare "$BASE" "$TEST_TMP/zero.json" --json "$(cmp_json)"
assert_status 0 "nothing to judge: inconclusive"
assert_json "$(cmp_json)" '.counts.inconclusive == 9 and .counts.ok == 0 and .status == "inconclusive"'
assert_matches "$LG_OUT" '^verdict: no regression shown, but not vouched for; 9 INCONCLUSIVE'
lg compare "$BASE" "$TEST_TMP/zero.json" --fail-on-inconclusive
assert_status 1
lg compare "$TEST_TMP/zero.json" "$TEST_TMP/zero.json"
assert_status 0

