#!/usr/bin/env bash
# shellcheck disable=SC2016 # backticks in the expected messages are literal text
# The CI recipes (docs/ci/*.yml, docs/ci.md) hold: each loads as YAML and has the
# shape its CI reads, every loadgate command in them is a real subcommand with real
# flags, its files pass `loadgate check`, reports go where --out writes them, and
# the exit codes they branch on are loadgate's (check_ci_recipes.py). Planted
# mistakes (a bad flag, a command not built, a missing file, a wrong junit path, a
# wrong rollback code, a third-party action, a profile the suite lacks, broken
# YAML) each make the checker fail. The canary recipe's own command line, run
# against loadgate-target, passes on a healthy canary and stops with exit 3 on one
# answering 20% of its requests with 500.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
"$PY" -c 'import yaml' 2>/dev/null || skip "Debian's python3-yaml is not installed (tools/setup)"
CHECK="$LG_SOURCE_DIR/tests/integration/check_ci_recipes.py"
CI="$LG_SOURCE_DIR/docs/ci"
command -v openssl >/dev/null || { echo "openssl is required (tools/setup installs it)" >&2; exit 1; }

log "the recipes as committed"
recipes=("$CI"/*.yml)
assert_eq "${#recipes[@]}" 4 "recipes in docs/ci"
assert_exit 0 "$PY" "$CHECK" "$LOADGATE" "$LG_SOURCE_DIR" "${recipes[@]}"
show_output_if_failed() { [[ "$LG_STATUS" == 0 ]] || cat "$LG_OUT" >&2; }
show_output_if_failed
for f in github-actions gitlab-ci canary-watch github-matrix; do
    assert_file "$CI/$f.yml"
done
n=$("$PY" "$CHECK" --commands "$CI/github-actions.yml" | wc -l)
assert_eq "$n" 5 "loadgate commands in the GitHub workflow"
n=$("$PY" "$CHECK" --commands "$CI/gitlab-ci.yml" | wc -l)
assert_eq "$n" 4 "loadgate commands in the GitLab pipeline"

log "the load runs gate on the accepted run the promotion stores"
# with an accepted run, --baseline names the file fetched; without one, no --baseline
for f in github-actions gitlab-ci; do
    "$PY" "$CHECK" --commands "$CI/$f.yml" | grep -- '--profile load' >"$TEST_TMP/$f.load"
    assert_eq "$(grep -c -- '--baseline accepted/result.json$' "$TEST_TMP/$f.load")" 1 "$f: load runs with --baseline"
    assert_eq "$(grep -vc -- '--baseline' "$TEST_TMP/$f.load")" 1 "$f: load runs without (no accepted run yet)"
done
gh=$CI/github-actions.yml
assert_contains "$gh" 'contents/accepted/result.json?ref=loadgate-accepted'
assert_contains "$gh" 'cp out/load/result.json accepted/result.json'
assert_contains "$gh" 'git push origin HEAD:refs/heads/loadgate-accepted'
gl=$CI/gitlab-ci.yml
assert_contains "$gl" 'packages/generic/loadgate-accepted/accepted/result.json'
assert_contains "$gl" '--upload-file out/result.json'
# the promotion stores the run it deploys: after the deploy, in the job that deploys
"$PY" - "$gh" "$gl" <<'PY' || fail "the promotion does not store the accepted run after deploying"
import sys, yaml
gh = yaml.safe_load(open(sys.argv[1]))["jobs"]["promote"]
runs = [s.get("run", "") for s in gh["steps"]]
deploy = next(i for i, r in enumerate(runs) if "deploy.sh production" in r)
store = next(i for i, r in enumerate(runs) if "git push origin HEAD:refs/heads/loadgate-accepted" in r)
assert deploy < store and gh["permissions"]["contents"] == "write"
gl = yaml.safe_load(open(sys.argv[2]))["promote"]
script = " ".join(gl["script"])
assert script.index("deploy.sh production") < script.index("--upload-file out/result.json")
assert gl["dependencies"] == ["load"] and gl["when"] == "manual"
PY

log "a missing accepted run fails the load job unless LOADGATE_ALLOW_NO_BASELINE=yes"
# the fetch scripts as the recipes hold them, with a curl that answers 404 and a
# loadgate that records how it was called
mkdir -p "$TEST_TMP/fake"
printf '#!/bin/sh\nprintf 404\n' >"$TEST_TMP/fake/curl"
printf '#!/bin/sh\necho "loadgate $*" >>"$CALLS"\n' >"$TEST_TMP/fake/loadgate"
chmod 755 "$TEST_TMP/fake/curl" "$TEST_TMP/fake/loadgate"
"$PY" - "$gh" "$gl" "$TEST_TMP" <<'PY'
import sys, yaml
gh = yaml.safe_load(open(sys.argv[1]))["jobs"]["load"]["steps"]
fetch = next(s["run"] for s in gh if s.get("name") == "Fetch the last accepted run")
open(sys.argv[3] + "/gh-fetch.sh", "w").write(fetch)
gl = yaml.safe_load(open(sys.argv[2]))["load"]["script"]
open(sys.argv[3] + "/gl-load.sh", "w").write(next(s for s in gl if "ACCEPTED_URL" in s))
PY
for f in gh-fetch gl-load; do
    for allow in "" no yes; do
        rm -rf "$TEST_TMP/ws" && mkdir "$TEST_TMP/ws"
        export CALLS=$TEST_TMP/ws/calls
        code=0
        (cd "$TEST_TMP/ws" && PATH="$TEST_TMP/fake:$PATH" ALLOW_NO_BASELINE=$allow \
            LOADGATE_ALLOW_NO_BASELINE=$allow sh -e "$TEST_TMP/$f.sh") >"$TEST_TMP/ws/out" 2>&1 || code=$?
        if [[ $allow == yes ]]; then
            assert_eq "$code" 0 "$f: 404 with LOADGATE_ALLOW_NO_BASELINE=yes"
            assert_contains "$TEST_TMP/ws/out" "no accepted run yet"
            [[ ! -e $TEST_TMP/ws/accepted/result.json ]] || fail "$f: the 404 body kept as a baseline"
        else
            assert_eq "$code" 1 "$f: 404 without LOADGATE_ALLOW_NO_BASELINE=yes ('$allow')"
            assert_contains "$TEST_TMP/ws/out" "LOADGATE_ALLOW_NO_BASELINE=yes"
            [[ ! -e $CALLS ]] || fail "$f: ran loadgate without the accepted run"
        fi
    done
done
unset CALLS

# shellcheck disable=SC2016 # the workflow's text, not expansions
assert_eq "$("$PY" "$CHECK" --commands "$CI/github-matrix.yml" | sed 's/ \{2,\}/ /g')" \
    'loadgate run scenarios/trivia/suite.yaml --env staging --profile load --segment "${{ matrix.k }}/${{ strategy.job-total }}" --start-at "$START_AT" --no-step-summary --out out/segment || code=$?
loadgate merge -o out/merged/result.json segments/*/result.json || code=$?
loadgate report out/merged/result.json --text --markdown out/merged/summary.md --junit out/merged/junit.xml --html out/merged/report.html' \
    "loadgate commands in the distributed workflow"

log "docs/ci.md: the exit-code table is loadgate's"
md="$LG_SOURCE_DIR/docs/ci.md"
assert_contains "$LG_SOURCE_DIR/docs/running.md" "(ci.md)" "docs link to docs/ci.md"
"$LOADGATE" --help >"$TEST_TMP/help.txt"
assert_contains "$TEST_TMP/help.txt" "exit codes: 0 pass, 1 gate failed, 2 invalid input, 3 aborted, 4 internal error"
for row in "| \`0\` | pass |" "| \`1\` | gate failed |" "| \`2\` | invalid input |" \
    "| \`3\` | aborted |" "| \`4\` | internal error |"; do
    assert_contains "$md" "$row" "docs/ci.md exit-code table"
done

# planted FILE SED_EXPR EXPECTED: a copy of the recipe FILE with SED_EXPR applied,
# which must fail the check with a message holding EXPECTED (checked below, all
# copies in one run of the checker).
plants=()
expects=()
planted() {
    local file=$1 expr=$2 expected=$3 dir
    dir=$(mktemp -d "$TEST_TMP/planted.XXXXXX")
    cp "$CI/$file" "$dir/"
    sed -i -e "$expr" "$dir/$file"
    _lg_asserts=$((_lg_asserts + 1))
    if cmp -s "$dir/$file" "$CI/$file"; then
        fail "planting '$expr' in $file changed nothing"
    fi
    plants+=("$dir/$file")
    expects+=("$expected")
}
log "planted mistakes fail the check"
planted github-actions.yml 's|--profile load \\|--profile load --out-dir x \\|' \
    'lists no flag --out-dir'
# shellcheck disable=SC2016 # backticks in the expected messages are literal
planted gitlab-ci.yml 's|--profile smoke --out out|--profile smoke --no-such-flag --out out|' \
    'lists no flag --no-such-flag'
planted canary-watch.yml 's|--max-vus 20|--max-vus|' '--max-vus needs a value'
planted canary-watch.yml 's|--yes-production --out|--yes-production=yes --out|' \
    '--yes-production takes no value'
planted github-actions.yml 's|loadgate check scenarios|loadgate verify scenarios|' \
    '`verify` is not a command'
# shellcheck disable=SC2016 # backticks in the expected messages are literal
planted gitlab-ci.yml 's|--out out$|--out out --compare-to base.json|' 'lists no flag --compare-to'
planted github-actions.yml 's|--baseline accepted|--base-line accepted|' 'lists no flag --base-line'
planted gitlab-ci.yml 's|--baseline accepted/result.json|--baseline|' '--baseline needs a value'
planted canary-watch.yml 's|trivia/canary.yaml|trivia/canary-typo.yaml|' \
    'scenarios/trivia/canary-typo.yaml is not a file in the repository'
planted github-actions.yml 's|--profile smoke --out out/smoke|--profile smoky --out out/smoke|' \
    "has no profile 'smoky'"
planted gitlab-ci.yml '0,/junit: out\/junit.xml/s||junit: junit.xml|' \
    "reports junit 'junit.xml', not the junit.xml --out writes"
planted gitlab-ci.yml '0,/^    when: always/s||    when: on_success|' 'without `when: always`'
planted canary-watch.yml "0,/code == '3'/s|code == '3'|code == '2'|" \
    "rolls back on [1, 2], not on exit 1"
planted canary-watch.yml "s|code == '0'|code == '5'|" 'branches on exit code 5'
planted canary-watch.yml 's#^            1|3)#            1|3|7)#' \
    'the shell branches on exit code 7'
planted github-actions.yml '0,/uses: actions\/upload-artifact@v4/s||uses: dorny/test-reporter@v1|' \
    'uses dorny/test-reporter@v1'
planted github-actions.yml '0,/if: always()/s|if: always()|if: success()|' 'without `if: always()`'
# shellcheck disable=SC2016 # backticks in the expected messages are literal
planted gitlab-ci.yml 's|^  script:$|  scripts:|' 'no `script`'
planted github-actions.yml 's|^    runs-on: ubuntu-latest$|    run-on: ubuntu-latest|' 'no `runs-on`'
# shellcheck disable=SC2016 # backticks in the expected messages are literal
planted gitlab-ci.yml 's|^stages: \[build|stages: [build, {|' 'not YAML'
planted canary-watch.yml 's|4 internal error|4 internal failure|' 'does not give the exit codes'
planted github-matrix.yml 's|fail-fast: false|fail-fast: true|' 'without `fail-fast: false`'
planted github-matrix.yml 's|k: \[1, 2, 3, 4\]|k: [1, 2, 4]|' 'holding 1 to N'
planted github-matrix.yml 's|/${{ strategy.job-total }}"|/3"|' 'N is 3, the matrix has 4 jobs'
planted github-matrix.yml 's|START_AT: ${{ needs.start.outputs.start_at }}|START_AT: now|' \
    'not one instant for all segments'
planted github-matrix.yml 's|needs: \[loadgate, start\]|needs: [loadgate]|' 'is not an output of a job this one needs'
planted github-matrix.yml 's|name: loadgate-segment-${{ matrix.k }}|name: loadgate-segment|' \
    'no artifact named by ${{ matrix.k }}'
planted github-matrix.yml 's|if: ${{ !cancelled() }}|if: success()|' 'merges without `if: ${{ !cancelled() }}`'
planted github-matrix.yml 's|pattern: loadgate-segment-\*|pattern: loadgate-bin|' "not the segments' artifacts"
planted github-matrix.yml 's|segments/\*/result.json|segments/loadgate-segment-1/result.json|' \
    'not every downloaded segment'
planted github-matrix.yml 's|needs: \[loadgate, segment\]|needs: [loadgate]|' 'no job that needs it runs `loadgate merge`'
planted github-matrix.yml 's|--segment "|--segments "|' 'lists no flag --segments'
planted github-matrix.yml 's|--profile load \\$|--profile loud \\|' "has no profile 'loud'"

assert_exit 1 "$PY" "$CHECK" "$LOADGATE" "$LG_SOURCE_DIR" "${plants[@]}"
for i in "${!plants[@]}"; do
    _lg_asserts=$((_lg_asserts + 1))
    grep -F -- "${plants[$i]}" "$LG_OUT" | grep -qF -- "${expects[$i]}" ||
        fail "${plants[$i]}: no problem saying '${expects[$i]}'"
done
# each copy has its own folder, so the lines name which copy they are about
assert_eq "$(cut -d: -f1 "$LG_OUT" | sort -u | wc -l)" "${#plants[@]}" "planted copies found wrong"

log "the canary recipe's command line against loadgate-target"
make_ca_and_cert "$TEST_TMP/pki" 30
CA="$TEST_TMP/pki/ca.pem"
cmdline=$("$PY" "$CHECK" --commands "$CI/canary-watch.yml")
[[ "$cmdline" == "loadgate run scenarios/trivia/canary.yaml "* ]] || fail "canary command: $cmdline"
# loadgate as the recipe calls it (on PATH), trusting the test CA, no progress line
mkdir -p "$TEST_TMP/bin"
printf '#!/bin/sh\nexec "%s" "$@" --cacert "%s" --no-progress\n' "$LOADGATE" "$CA" >"$TEST_TMP/bin/loadgate"
chmod 755 "$TEST_TMP/bin/loadgate"
# canary RUN_DIR: runs the recipe's command in RUN_DIR (its --out is relative)
canary() {
    mkdir -p "$1"
    pushd "$1" >/dev/null
    cp -r "$LG_SOURCE_DIR/scenarios" .
    set +e
    PATH="$TEST_TMP/bin:$PATH" eval "timeout -k 5 $LG_RUN_TIMEOUT $cmdline" </dev/null >"$LG_OUT" 2>"$LG_ERR"
    LG_STATUS=$?
    set -e
    _lg_shown=0
    popd >/dev/null
    RESULT="$1/out/canary/result.json"
}

start_target --tls "$TEST_TMP/pki"
export CANARY_URL=$TARGET_URL CANARY_DURATION=5s
log "a healthy canary for 5 s at 2/s: exit 0, promote"
canary "$TEST_TMP/healthy"
assert_status 0 "healthy canary"
assert_json "$RESULT" '.verdict == "pass" and .env == "canary" and .totals.requests > 0'
assert_json "$RESULT" '.schedule.model == "open"'
assert_json "$RESULT" '[.thresholds[] | select(.severity == "critical")] | length == 3'
assert_json "$RESULT" "[.steps[].scenario] | unique == [\"guest-session\", \"leaderboard\", \"smoke\"]"
sent=$(target_responses --cacert "$CA")
assert_json "$RESULT" ".totals.requests == $sent" "requests the target answered: $sent"

start_target --tls "$TEST_TMP/pki" --error-share 0.2
export CANARY_URL=$TARGET_URL CANARY_DURATION=2m
log "a canary answering 20% with 500 (watched for 2 min): stops at once, exit 3, roll back"
canary "$TEST_TMP/broken"
assert_status 3 "broken canary"
assert_json "$RESULT" '.verdict == "aborted" and (.abort_reason | startswith("abort threshold broken: error_rate <"))'
assert_json "$RESULT" '.totals.duration_s < 60' "stopped well before the 2 minutes"
sent=$(target_responses --cacert "$CA")
assert_json "$RESULT" ".totals.requests >= $sent - 20 and .totals.requests <= $sent" \
    "requests the target answered: $sent"
