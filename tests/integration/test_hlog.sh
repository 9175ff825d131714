#!/usr/bin/env bash
# latency.hlog as HdrHistogram's own Java tools read it (Debian's
# libhdrhistogram-java): HistogramLogReader sums the untagged intervals and each
# step's tagged ones, and the sums equal result.json's histograms exactly (count,
# max, p99, every bucket), the counts equal what the server saw, there is one
# untagged interval per second without gaps. Hostile step and scenario names become
# percent-encoded tags (computed here independently with jq's @uri). Then a run
# stopped by SIGINT at 1.5 s of 10 s keeps a readable file that matches its aborted
# result.json, and a run whose requests are refused (no time sample) or time out
# (time samples at their elapsed time) matches too. HistogramLogProcessor, as
# docs/reports.md shows it, reads one step's distribution.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx
jar=${HDRHISTOGRAM_JAR:-/usr/share/java/hdrhistogram.jar}
command -v javac >/dev/null || skip "javac is not installed (tools/setup: default-jdk-headless)"
[[ -r "$jar" ]] || skip "$jar is not installed (tools/setup: libhdrhistogram-java)"

start_nginx "$(cat <<'NGX'
location = /a { return 200 '{"a":1}'; }
location = /b { return 200 '{"b":2}'; }
NGX
)"
start_pollserver --pending-polls 3

dir="$TEST_TMP/suite"
mkdir -p "$dir"
cat >"$dir/suite.yaml" <<YAML
suite: hlog
environments:
  local: {base_url: "$NGINX_URL"}
scenarios:
  - {file: orders.yaml}
YAML
# Commas, spaces, '=', quotes, '%', '/', '<', '&' and UTF-8 in the names.
cat >"$dir/orders.yaml" <<'YAML'
scenario: "orders, & co"
steps:
  - name: 'list, all = "ok"'
    request: {method: GET, url: /a}
    expect: {status: 200}
  - name: "50% off/über <x>"
    request: {method: GET, url: /b}
    expect: {status: 200}
YAML

# expected OUT_DIR: result.json's steps as "TAG HISTOGRAM" lines (the tag mapping
# of docs/reports.md: each name percent-encoded, A-Z a-z 0-9 - . _ ~ kept).
expected() {
    jq -r '.steps[] | "\(.scenario | @uri)/\(.name | @uri) \(.histogram)"' "$1/result.json" \
        >"$1/expected.txt"
}

# seconds OUT_DIR: bounds on the untagged interval lines: the run's duration in
# whole seconds, rounded down, to that rounded up plus one (the last interval is
# the partial second, which may hold the one before it).
interval_bounds() {
    jq -r '.totals.duration_s | "\(floor) \(ceil + 1)"' "$1/result.json"
}

log "open model, 40/s for 3 s, two steps"
run_lg "$TEST_TMP/run" "$dir/suite.yaml" --env local -r 40/s -d 3s
assert_status 0 "the run passes"
run_a=$(nginx_requests '^GET /a ')
run_b=$(nginx_requests '^GET /b ')
assert_eq "$run_a" 120 "requests of /a nginx served"
assert_eq "$run_b" 120 "requests of /b nginx served"
hlog="$TEST_TMP/run/latency.hlog"
assert_file "$hlog"
expected "$TEST_TMP/run"
assert_eq "$(head -n 1 "$hlog")" "#[Histogram log format version 1.3]" "first line"
assert_eq "$(tail -n 1 "$hlog")" "#[loadgate: end of run]" "last line"
assert_contains "$hlog" '"StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"'
assert_contains "$hlog" "Tag=orders%2C%20%26%20co/list%2C%20all%20%3D%20%22ok%22,"
assert_contains "$hlog" "Tag=orders%2C%20%26%20co/50%25%20off%2F%C3%BCber%20%3Cx%3E,"
# Each line a comment, the legend, or [Tag=T,]START,LENGTH,MAX,HISTF... with no
# space anywhere (a space ends a field for HdrHistogram's reader).
if grep -vE '^(#\[[^]]*\]|"StartTimestamp".*|(Tag=[A-Za-z0-9._~%/-]+,)?[0-9]+\.[0-9]{3},[0-9]+\.[0-9]{3},[0-9]+\.[0-9]{3},HISTF[A-Za-z0-9+/=]+)$' "$hlog"; then
    fail "latency.hlog holds a line of another form (above)"
fi

log "SIGINT at 1.5 s of a 10 s run"
env --default-signal=INT "$LOADGATE" run "$dir/suite.yaml" --env local -r 40/s -d 10s \
    --out "$TEST_TMP/abort" --no-progress </dev/null >"$LG_OUT" 2>"$LG_ERR" &
pid=$!
_lg_pids+=("$pid")
sleep 1.5
kill -INT "$pid" 2>/dev/null || fail "loadgate exited before SIGINT"
set +e
timeout 20 tail --pid="$pid" -f /dev/null
wait "$pid"
LG_STATUS=$?
_lg_shown=0
set -e
RESULT="$TEST_TMP/abort/result.json"
assert_status 3 "aborted by SIGINT"
assert_json "$RESULT" '.verdict == "aborted" and .totals.duration_s < 9'
abort_a=$(($(nginx_requests '^GET /a ') - run_a))
abort_b=$(($(nginx_requests '^GET /b ') - run_b))
assert_file "$TEST_TMP/abort/latency.hlog"
expected "$TEST_TMP/abort"
assert_eq "$(tail -n 1 "$TEST_TMP/abort/latency.hlog")" "#[loadgate: end of run]" "aborted run's last line"

log "refused requests (no time sample) and timeouts (time samples)"
dead_port=$(free_port)
cat >"$dir/dead.yaml" <<YAML
scenario: dead
steps:
  - name: refused
    request: {method: GET, url: "http://127.0.0.1:$dead_port/x"}
    on_failure: continue
  - name: slow
    request: {method: GET, url: "$POLL_URL/slow?ms=3000", timeout: 300ms}
YAML
run_lg "$TEST_TMP/dead" "$dir/dead.yaml" -u 1 -i 2
assert_status 1 "the gate fails"
assert_json "$RESULT" "$(step refused) | .requests == 2 and .error_classes.connect == 2"
assert_json "$RESULT" "$(step slow) | .requests == 2 and .error_classes.timeout == 2"
assert_eq "$(poll_count)" 2 "requests pollserver received"
expected "$TEST_TMP/dead"

log "HistogramLogReader: one JVM for the three files"
javac -d "$TEST_TMP/java" -cp "$jar" "$LG_DATA/HlogTotals.java"
java -cp "$jar:$TEST_TMP/java" HlogTotals \
    run "$hlog" "$TEST_TMP/run/expected.txt" \
    abort "$TEST_TMP/abort/latency.hlog" "$TEST_TMP/abort/expected.txt" \
    dead "$TEST_TMP/dead/latency.hlog" "$TEST_TMP/dead/expected.txt" >"$TEST_TMP/java.txt" ||
    fail "HlogTotals could not read the files"
cat "$TEST_TMP/java.txt"
java_total() { sed -n "s|^$1 total $2 count=\([0-9]*\) .*|\1|p" "$TEST_TMP/java.txt"; }
java_max() { sed -n "s|^$1 total $2 .* max=\([0-9]*\) .*|\1|p" "$TEST_TMP/java.txt"; }
java_lines() { sed -n "s|^$1 lines $2 \([0-9]*\)$|\1|p" "$TEST_TMP/java.txt"; }
tag_a="orders%2C%20%26%20co/list%2C%20all%20%3D%20%22ok%22"
tag_b="orders%2C%20%26%20co/50%25%20off%2F%C3%BCber%20%3Cx%3E"

for run in run abort dead; do
    steps=$(wc -l <"$TEST_TMP/$run/expected.txt")
    assert_eq "$(grep -c "^$run match " "$TEST_TMP/java.txt")" $((steps + 1)) \
        "$run: the untagged sum and every step's equal result.json's histograms"
    assert_eq "$(grep -cE "^$run (MISMATCH|unexpected) " "$TEST_TMP/java.txt")" 0 "$run: no other"
    assert_eq "$(sed -n "s/^$run gaps //p" "$TEST_TMP/java.txt")" 0 "$run: intervals follow each other"
    start=$(sed -n "s/^$run start //p" "$TEST_TMP/java.txt")
    assert_eq "${start%.*}" "$(jq -r '.started_at | fromdateiso8601' "$TEST_TMP/$run/result.json")" \
        "$run: StartTime is result.json's started_at (whole seconds there)"
    read -r lo hi <<<"$(interval_bounds "$TEST_TMP/$run")"
    n=$(java_lines "$run" '\*')
    _lg_asserts=$((_lg_asserts + 1))
    ((n >= lo && n <= hi)) || fail "$run: $n untagged intervals for $(jq .totals.duration_s "$TEST_TMP/$run/result.json") s"
done

log "the server's counts"
assert_eq "$(java_total run "$tag_a")" "$run_a" "run: /a samples in latency.hlog"
assert_eq "$(java_total run "$tag_b")" "$run_b" "run: /b samples in latency.hlog"
assert_eq "$(java_total run '\*')" $((run_a + run_b)) "run: all samples"
assert_eq "$(java_lines run "$tag_a")" "$(java_lines run '\*')" "run: a tagged line every second"
assert_eq "$(java_max run "$tag_a")" \
    "$(jq -r "$(step 'list, all = \"ok\"') | .latency_ms.max * 1000 | round" "$TEST_TMP/run/result.json")" \
    "run: the step's max, in microseconds"
RESULT="$TEST_TMP/abort/result.json"
if jq -e '.totals.errors == 0' "$RESULT" >/dev/null; then
    assert_eq "$(java_total abort "$tag_a")" "$abort_a" "abort: /a samples = requests nginx served"
    assert_eq "$(java_total abort "$tag_b")" "$abort_b" "abort: /b samples = requests nginx served"
fi
assert_json "$RESULT" ".totals.requests == $(java_total abort '\*')" "abort: every request is a sample"
assert_eq "$(java_total dead "dead/slow")" 2 "dead: the 2 timeouts are samples"
assert_eq "$(java_total dead '\*')" 2 "dead: refused requests are none"
assert_eq "$(java_lines dead "dead/refused")" "" "dead: no line for the refused step"
assert_json "$TEST_TMP/dead/result.json" \
    "$(step slow) | .latency_ms.max * 1000 | round == $(java_max dead "dead/slow")" \
    "dead: the timeouts' max"

log "HistogramLogProcessor, as docs/reports.md shows it: one step, in milliseconds"
java -cp "$jar" org.HdrHistogram.HistogramLogProcessor -i "$hlog" -tag "$tag_a" \
    -outputValueUnitRatio 1000 -csv >"$TEST_TMP/processor.txt" 2>&1 ||
    fail "HistogramLogProcessor failed: $(cat "$TEST_TMP/processor.txt")"
assert_eq "$(tail -n 1 "$TEST_TMP/processor.txt" | cut -d, -f3)" "$run_a" \
    "the processor's total count of the step"
assert_eq "$(tail -n 1 "$TEST_TMP/processor.txt" | cut -d, -f1)" \
    "$(jq -r "$(step 'list, all = \"ok\"') | .latency_ms.max | . * 1000 | round | . / 1000 | tostring" \
        "$TEST_TMP/run/result.json" | awk '{printf "%.3f", $1}')" \
    "the processor's max of the step (ms)"
