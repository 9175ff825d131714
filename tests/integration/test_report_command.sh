#!/usr/bin/env bash
# `loadgate report RESULT.json` renders each report from result.json alone, byte
# for byte as the run wrote it in --out: a closed-model run with hostile names, an
# open-model run, a failing check with sampled reasons, a run aborted by SIGINT
# and a run under an environment's limits. It exits 0 whatever the verdict, and
# refuses hostile input (a missing, empty, truncated or foreign file, a folder, an
# output path it cannot write, an unknown flag) with exit 2 and a message naming
# the file or flag, writing no output at all.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /ok { return 200 '{"status":"ok"}'; }
location = /order { return 200 '{"status":"<pend|ing> & </script> \\"q\\""}'; }
NGX
)"

dir="$TEST_TMP/suite"
mkdir -p "$dir"
cat >"$dir/suite.yaml" <<YAML
suite: report <&> "q"
environments:
  local: {base_url: "$NGINX_URL"}
  capped:
    base_url: "$NGINX_URL"
    limits: {max_rate: 40/s, max_vus: 2}
scenarios:
  - {file: shop.yaml}
thresholds:
  - p95(latency) < 10s
  - {expr: p50(latency) < 1us, severity: warning}
YAML
cat >"$dir/shop.yaml" <<'YAML'
scenario: shop </script>
steps:
  - name: browse <a href="x">&amp;
    request: {method: GET, url: /ok}
    expect: {status: 200}
YAML
cat >"$dir/orders.yaml" <<'YAML'
scenario: orders
steps:
  - name: order | *bold* `code`
    request: {method: GET, url: /order}
    expect:
      status: 200
      json: {$.status: {equals: confirmed}}
YAML

# rerender OUT: `loadgate report OUT/result.json` writes the same bytes as the run
# wrote in OUT, with the explicit flags and with the implied --text; exit 0.
rerender() {
    local out=$1 f
    log "report $out/result.json"
    lg report "$out/result.json" --junit "$out/re.xml" --markdown "$out/re.md" --html "$out/re.html" --text
    assert_status 0 "report of a '$(jq -r .verdict "$out/result.json")' result"
    cp "$LG_OUT" "$out/re.txt"
    for f in "junit.xml re.xml" "summary.md re.md" "summary.txt re.txt" "report.html re.html"; do
        read -r want got <<<"$f"
        _lg_asserts=$((_lg_asserts + 1))
        if ! cmp "$out/$want" "$out/$got"; then
            fail "$out: report's $got differs from the run's $want"
            diff "$out/$want" "$out/$got" | head -n 20 >&2 || true
        fi
    done
    lg report "$out/result.json"
    assert_status 0 "report with no flag"
    _lg_asserts=$((_lg_asserts + 1))
    cmp -s "$out/summary.txt" "$LG_OUT" || fail "$out: report with no flag is not summary.txt"
    [[ ! -s "$LG_ERR" ]] || fail "$out: report wrote to stderr: $(head -c 200 "$LG_ERR")"
}

log "closed model, hostile names, a broken warning"
run_lg "$TEST_TMP/closed" "$dir/suite.yaml" --env local -u 2 -i 20
assert_status 0
rerender "$TEST_TMP/closed"

log "judged against a baseline (the closed run), hostile names in the regressions"
# warning: sub-millisecond loopback latencies are the machine's noise, not nginx's
run_lg "$TEST_TMP/baseline" "$dir/suite.yaml" --env local -u 2 -i 20 \
    --baseline "$TEST_TMP/closed/result.json" --baseline-severity warning
assert_status 0
assert_json "$RESULT" '.baseline.severity == "warning" and .baseline.file == "'"$TEST_TMP/closed/result.json"'"'
assert_json "$RESULT" '[.regressions[] | [.step, .metric]] == [[null, "p95"], [null, "p99"], [null, "error_rate"], ["browse <a href=\"x\">&amp;", "p95"], ["browse <a href=\"x\">&amp;", "p99"], ["browse <a href=\"x\">&amp;", "error_rate"]]'
rerender "$TEST_TMP/baseline"

log "open model"
run_lg "$TEST_TMP/open" "$dir/suite.yaml" --env local -r 20/s -d 1s --max-vus 4
assert_status 0
assert_json "$RESULT" '.schedule.model == "open"'
rerender "$TEST_TMP/open"

log "a failing check with hostile reasons"
run_lg "$TEST_TMP/check" "$dir/orders.yaml" --base-url "$NGINX_URL" -u 1 -i 3
assert_status 1
assert_json "$RESULT" '.steps[0].checks.list[1].reasons[0].count == 3'
rerender "$TEST_TMP/check"

log "under the environment's limits"
run_lg "$TEST_TMP/limits" "$dir/suite.yaml" --env capped -u 4 -d 1s
assert_status 0
assert_json "$RESULT" '.limits.vus_capped == true and .limits.max_vus == 2'
rerender "$TEST_TMP/limits"

log "aborted by SIGINT"
env --default-signal=INT "$LOADGATE" run "$dir/suite.yaml" --env local -u 1 -d 30s \
    --out "$TEST_TMP/aborted" --no-progress </dev/null >"$LG_OUT" 2>"$LG_ERR" &
pid=$!
_lg_pids+=("$pid")
sleep 1
kill -INT "$pid" 2>/dev/null || fail "loadgate exited before SIGINT"
set +e
wait "$pid"
LG_STATUS=$?
set -e
assert_status 3 "aborted by SIGINT"
assert_json "$TEST_TMP/aborted/result.json" '.verdict == "aborted"'
rerender "$TEST_TMP/aborted"

# ---- hostile input: exit 2, a message naming the file or flag, no output file ----

good="$TEST_TMP/closed/result.json"
bad="$TEST_TMP/bad"
mkdir -p "$bad"
: >"$bad/empty.json"
echo 'not json' >"$bad/text.json"
echo '{"metrics": {"http_reqs": {"count": 10}}}' >"$bad/k6.json"
head -c 400 "$good" >"$bad/truncated.json"

# refused EXPECTED_STDERR ARGS...: `loadgate ARGS` exits 2 with exactly one line on
# stderr, EXPECTED_STDERR, nothing on stdout, and writes no file in $bad/w.
refused() {
    local want=$1
    shift
    rm -rf "$bad/w"
    mkdir -p "$bad/w"
    lg "$@"
    assert_status 2 "$*"
    _lg_asserts=$((_lg_asserts + 1))
    [[ "$(cat "$LG_ERR")" == "$want" ]] || fail "loadgate $*: stderr '$(cat "$LG_ERR")', expected '$want'"
    _lg_asserts=$((_lg_asserts + 1))
    [[ ! -s "$LG_OUT" ]] || fail "loadgate $*: wrote to stdout"
    _lg_asserts=$((_lg_asserts + 1))
    [[ -z "$(ls -A "$bad/w")" ]] || fail "loadgate $*: left $(ls -A "$bad/w")"
}
w="$bad/w"
refused "loadgate: report: missing RESULT.json (see loadgate report --help)" report
refused "loadgate: report: missing RESULT.json (see loadgate report --help)" report --junit "$w/a.xml"
refused "loadgate: $bad/none.json: No such file or directory" report "$bad/none.json" --junit "$w/a.xml"
refused "loadgate: $bad: is a folder, not a result.json" report "$bad" --junit "$w/a.xml"
refused "loadgate: $bad/empty.json:1:0: invalid JSON: '[' or '{' expected near end of file" \
    report "$bad/empty.json" --junit "$w/a.xml"
refused "loadgate: $bad/text.json:1:3: invalid JSON: '[' or '{' expected near 'not'" \
    report "$bad/text.json" --markdown "$w/a.md"
refused "loadgate: $bad/k6.json: not a loadgate result: no \"schema\" key (expected \"loadgate.result/1\")" \
    report "$bad/k6.json" --junit "$w/a.xml"
lg report "$bad/truncated.json" --junit "$w/a.xml"
assert_status 2 "truncated result.json"
assert_matches "$LG_ERR" "^loadgate: $bad/truncated\\.json:[0-9]+:[0-9]+: invalid JSON: "
refused "loadgate: report: unknown option '--pdf' (see loadgate report --help)" \
    report "$good" --pdf "$w/a.pdf"
refused "loadgate: --junit: missing value" report "$good" --junit
refused "loadgate: report: expected one RESULT.json, got '$good' too" report "$good" "$good"
# an unusable output path: nothing is written, not even the other, good one
refused "loadgate: --markdown: cannot write '$w/no/a.md': folder '$w/no': No such file or directory" \
    report "$good" --junit "$w/a.xml" --markdown "$w/no/a.md"
refused "loadgate: --junit: '$w' is a folder" report "$good" --junit "$w"
refused "loadgate: --junit: '$good' is the result being read" report "$good" --junit "$good"
# two outputs naming one file, however spelt: the second would replace the first
refused "loadgate: --markdown: '$w/a.xml' is also --junit's file ('$w/a.xml')" \
    report "$good" --junit "$w/a.xml" --markdown "$w/a.xml"
refused "loadgate: --markdown: '$w/./a.xml' is also --junit's file ('$w/a.xml')" \
    report "$good" --junit "$w/a.xml" --markdown "$w/./a.xml"
ln -s "$w" "$bad/w-link"
refused "loadgate: --html: '$bad/w-link/a.xml' is also --junit's file ('$w/a.xml')" \
    report "$good" --junit "$w/a.xml" --html "$bad/w-link/a.xml"
(cd "$w" && "$LOADGATE" report "$good" --junit a.xml --markdown ./a.xml >"$LG_OUT" 2>"$LG_ERR") &&
    LG_STATUS=0 || LG_STATUS=$?
assert_status 2 "a.xml and ./a.xml from the working folder"
assert_contains "$LG_ERR" "loadgate: --markdown: './a.xml' is also --junit's file ('a.xml')"
[[ -z "$(ls -A "$w")" ]] || fail "a.xml and ./a.xml: left $(ls -A "$w")"
refused "loadgate: --markdown: '/dev/null' is not a regular file (reports replace the file they are written to; --text prints the summary)" \
    report "$good" --markdown /dev/null
assert_json "$good" '.schema == "loadgate.result/1"' "the result is untouched"
# unwritable for root too
lg report "$good" --junit /proc/loadgate-report.xml
assert_status 2 "an output path in /proc"
assert_contains "$LG_ERR" "loadgate: --junit: cannot write '/proc/loadgate-report.xml': "
if [[ "$(id -u)" != 0 ]]; then
    mkdir -p "$bad/ro"
    chmod 555 "$bad/ro"
    refused "loadgate: --junit: cannot write '$bad/ro/a.xml': folder '$bad/ro': Permission denied" \
        report "$good" --junit "$bad/ro/a.xml"
fi

lg report --help
assert_status 0
assert_contains "$LG_OUT" "usage: loadgate report RESULT.json"
assert_contains "$LG_OUT" "--junit     FILE  write junit.xml (as in --out) to FILE"
lg --help
assert_contains "$LG_OUT" "  report RESULT.json   render a run's reports again from its result.json"
