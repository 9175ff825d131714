#!/usr/bin/env bash
# shellcheck disable=SC2119 # target_responses takes optional arguments
# `loadgate merge` on real segment runs against loadgate-target: 2 and 3 segments,
# run as separate processes started together (--start-at), merged, beside the same
# load run whole. The merged result has the whole run's requests and iterations
# (loadgate-target counts them too), its percentiles are those of the union of the
# segments' histograms (decoded here, independently of loadgate), and a threshold
# that every segment keeps alone but the whole run breaks fails the merge as it
# fails the whole run. Refused with exit 2 and a reason: another configuration
# (--vus), a missing or duplicate segment, a whole run's result, another schema, a
# truncated file, OUT naming an input; --allow-partial records what is missing and
# fails. `loadgate report` renders the merged result. In the open model, the merged
# schedule is the whole run's (iterations due, peak rate, pool).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3

cp "$LG_DATA/cmp_two.yaml" "$TEST_TMP/two.yaml"
# 60 iterations of two steps over 6 VUs; every segment keeps the count threshold
# alone (30 or 20 health requests), the whole run does not (60).
LOAD=(-u 6 -i 60 --threshold 'count(latency{step=health}) < 50' --threshold 'p99(latency) < 5s')

start_target --latency '*=2ms..9ms'

log "(0) the whole load on one machine"
before=$(target_responses)
run_lg "$TEST_TMP/whole" "$TEST_TMP/two.yaml" --base-url "$TARGET_URL" "${LOAD[@]}"
assert_status 1 "the whole run breaks the count threshold"
WHOLE=$RESULT
assert_json "$WHOLE" '.totals.requests == 120 and .totals.iterations == 60'
assert_json "$WHOLE" '.thresholds[0].ok == false and .thresholds[0].observed == 60'
assert_eq "$(($(target_responses) - before - 1))" 120 "requests the target saw (whole)"

# run_segments N PREFIX [ARGS...]: the N segments of LOAD as N processes started
# together; PREFIX.K/ holds segment K's reports, PREFIX.K.status its exit code.
run_segments() {
    local n=$1 prefix=$2 k at pids=()
    shift 2
    at=$(($(date +%s) + 2))
    log "$n segments, --start-at $at: $*"
    for ((k = 1; k <= n; k++)); do
        (
            set +e
            timeout -k 5 "$LG_RUN_TIMEOUT" "$LOADGATE" run "$TEST_TMP/two.yaml" --no-progress \
                --base-url "$TARGET_URL" --out "$prefix.$k" --segment "$k/$n" --start-at "$at" "$@" \
                </dev/null >"$prefix.$k.out" 2>"$prefix.$k.err"
            echo $? >"$prefix.$k.status"
        ) &
        pids+=($!)
    done
    for k in "${pids[@]}"; do wait "$k"; done
}

# union_check MERGED SEG...: every step's merged histogram holds exactly the sum of
# the segments' counts, and its p50/p95/p99/max in result.json are the union's, as
# HdrHistogram defines them (decoded and computed here, not by loadgate).
union_check() {
    _lg_asserts=$((_lg_asserts + 1))
    "$PY" - "$@" <<'PY' || fail "merged histograms are not the union of the segments' ($*)"
import base64, json, math, struct, sys, zlib

def decode(b64):
    raw = base64.b64decode(b64)
    body = zlib.decompress(raw[8:])
    payload_len, = struct.unpack(">i", body[4:8])
    data, counts, i, pos = body[40:40 + payload_len], {}, 0, 0
    while pos < len(data):
        v, shift = 0, 0
        while True:
            b = data[pos]; pos += 1
            v |= (b & 0x7F) << shift; shift += 7
            if b < 0x80 or shift == 56:
                if shift == 56 and b >= 0x80:
                    v |= data[pos] << 56; pos += 1
                break
        v = (v >> 1) ^ -(v & 1)
        if v < 0:
            i += -v
        else:
            if v:
                counts[i] = counts.get(i, 0) + v
            i += 1
    return counts

def highest(i):  # 1 us .. 1 h at 3 significant digits: 1024 sub-buckets per half
    b, s = (i >> 10) - 1, (i & 1023) + 1024
    if b < 0:
        b, s = 0, s - 1024
    return (s << b) + (1 << b) - 1

def pct(counts, p):
    total = sum(counts.values())
    fp = math.nextafter(p, -math.inf) * total / 100
    want = max(1, total if fp >= total else math.ceil(fp))
    seen = 0
    for i in sorted(counts):
        seen += counts[i]
        if seen >= want:
            return highest(i)

merged = json.load(open(sys.argv[1]))
segs = [json.load(open(f)) for f in sys.argv[2:]]
bad = 0
for n, step in enumerate(merged["steps"]):
    union = {}
    for s in segs:
        for i, c in decode(s["steps"][n]["histogram"]).items():
            union[i] = union.get(i, 0) + c
    got = decode(step["histogram"])
    if got != union:
        print("step", step["name"], "histogram is not the union", file=sys.stderr); bad = 1
    for key, p in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100)):
        want = round(pct(union, p) / 1000, 3)
        if step["latency_ms"][key] != want:
            print(step["name"], key, step["latency_ms"][key], "!=", want, file=sys.stderr); bad = 1
    print(step["name"], "p95", step["latency_ms"]["p95"], "p99", step["latency_ms"]["p99"],
          "n", sum(union.values()))
sys.exit(bad)
PY
}

for n in 2 3; do
    log "($n) $n segments"
    before=$(target_responses)
    run_segments "$n" "$TEST_TMP/s$n" "${LOAD[@]}"
    files=()
    for ((k = 1; k <= n; k++)); do
        assert_eq "$(cat "$TEST_TMP/s$n.$k.status")" 0 "segment $k/$n passes alone"
        files+=("$TEST_TMP/s$n.$k/result.json")
        assert_json "${files[-1]}" ".segment == {\"index\": $k, \"count\": $n}"
        assert_json "${files[-1]}" ".thresholds[0].ok == true and .thresholds[0].observed == $((60 / n))"
        assert_json "${files[-1]}" '[.steps[].cells[].requests] | add == (60 / '"$n"' * 2)'
        assert_json "${files[-1]}" '[.series[] | .histogram | startswith("HISTF")] | all'
    done
    assert_eq "$(($(target_responses) - before - 1))" 120 "requests the target saw ($n segments)"
    lg merge -o "$TEST_TMP/m$n.json" "${files[@]}"
    assert_status 1 "the merged run breaks the count threshold, as the whole run does"
    M=$TEST_TMP/m$n.json
    assert_json "$M" '.totals.requests == 120 and .totals.iterations == 60'
    assert_json "$M" '.totals.requests == '"$(jq .totals.requests "$WHOLE")"
    assert_json "$M" '[.steps[].requests] == '"$(jq -c '[.steps[].requests]' "$WHOLE")"
    assert_json "$M" '.verdict == "fail" and .thresholds[0].ok == false and .thresholds[0].observed == 60'
    assert_json "$M" '.thresholds[1].ok == true and .segment == null and .merged.count == '"$n"
    assert_json "$M" '[.merged.segments[].index] == [range(1; '"$n"' + 1)] and .merged.missing == []'
    assert_json "$M" '.config_hash == "'"$(jq -r .config_hash "${files[0]}")"'"'
    assert_json "$M" '.config.vus == 6 and ([.series[].requests] | add) == 120'
    assert_json "$M" '.steps[0].cells == null and (.series[0].histogram == null)'
    union_check "$M" "${files[@]}"
    assert_contains "$LG_OUT" "verdict: FAIL"
done

log "(4) the merged result renders like any result"
lg report "$TEST_TMP/m3.json" --text --markdown "$TEST_TMP/m3.md" --junit "$TEST_TMP/m3.xml" --html "$TEST_TMP/m3.html"
assert_status 0
assert_contains "$LG_OUT" "verdict: FAIL"
assert_contains "$LG_OUT" "merged from segments 1, 2, 3 of 3"
assert_contains "$TEST_TMP/m3.md" "- **Merged from:** segments 1, 2, 3 of 3"
assert_contains "$TEST_TMP/m3.md" "count(latency{step=health}) &lt; 50 | 60 |"

log "(5) refusals: exit 2, nothing written"
S2=("$TEST_TMP/s2.1/result.json" "$TEST_TMP/s2.2/result.json")
S3=("$TEST_TMP/s3.1/result.json" "$TEST_TMP/s3.2/result.json" "$TEST_TMP/s3.3/result.json")
run_segments 2 "$TEST_TMP/vus" -u 4 -i 60 --threshold 'count(latency{step=health}) < 50' \
    --threshold 'p99(latency) < 5s'
refuse() {
    local want=$1
    shift
    rm -f "$TEST_TMP/r.json"
    lg merge -o "$TEST_TMP/r.json" "$@"
    assert_status 2 "$want"
    assert_contains "$LG_ERR" "$want"
    [[ ! -e "$TEST_TMP/r.json" ]] || fail "a refused merge wrote its output ($want)"
}
refuse "their config_hash differ" "${S2[0]}" "$TEST_TMP/vus.2/result.json"
refuse "is segment 1/2 but" "${S2[0]}" "${S3[1]}" "${S3[2]}"
refuse "segment 2 of 3 missing" "${S3[0]}" "${S3[2]}"
cp "${S3[1]}" "$TEST_TMP/copy.json"
refuse "are both segment 2/3" "${S3[@]}" "$TEST_TMP/copy.json"
refuse "not a segment's result" "$WHOLE" "${S2[1]}"
jq '.schema = "loadgate.result/2"' "${S2[1]}" >"$TEST_TMP/schema.json"
refuse 'unsupported schema "loadgate.result/2"' "${S2[0]}" "$TEST_TMP/schema.json"
head -c 300 "${S2[1]}" >"$TEST_TMP/cut.json"
refuse "invalid JSON" "${S2[0]}" "$TEST_TMP/cut.json"
refuse "no-such.json: No such file or directory" "${S2[0]}" "$TEST_TMP/no-such.json"
refuse "a merged result, not a segment's" "$TEST_TMP/m2.json"
cp "${S2[0]}" "$TEST_TMP/keep.json"
lg merge -o "${S2[0]}" "${S2[@]}"
assert_status 2 "OUT is an input"
assert_contains "$LG_ERR" "is the result being read"
cmp -s "${S2[0]}" "$TEST_TMP/keep.json" || fail "merge -o INPUT changed the input"
lg merge -o "$TEST_TMP/no-dir/m.json" "${S2[@]}"
assert_status 2 "OUT in a missing folder"
lg merge "${S2[@]}"
assert_status 2 "no -o"

log "(6) --allow-partial: merged, the missing segment named, the gate fails"
lg merge --allow-partial -o "$TEST_TMP/part.json" "${S3[0]}" "${S3[2]}"
assert_status 1
assert_json "$TEST_TMP/part.json" '.merged.missing == [2] and [.merged.segments[].index] == [1, 3]'
assert_json "$TEST_TMP/part.json" '.verdict == "fail" and (.rules[] | select(.name == "partial") | .ok) == false'
assert_json "$TEST_TMP/part.json" '.totals.iterations == 40'
assert_contains "$LG_ERR" "a partial merge: 2 of 3 segments"
assert_contains "$LG_OUT" "only 2 of 3 segments merged (missing: 2)"
assert_contains "$LG_OUT" "merged from segments 1, 3 of 3 · MISSING 2"

log "(7) --baseline: the merged run judged against the whole one"
lg merge -o "$TEST_TMP/mb.json" --baseline "$WHOLE" --baseline-severity warning \
    --max-regression 20% "${S2[@]}"
assert_status 1 "still the count threshold"
assert_json "$TEST_TMP/mb.json" '.baseline.file == "'"$WHOLE"'" and (.regressions | length) > 0'
assert_json "$TEST_TMP/mb.json" '.baseline.budget == 0.2 and .regression.budget == 0.2'
# --confidence and --metrics over the segments' settings, as on run --baseline
lg merge -o "$TEST_TMP/mc.json" --baseline "$WHOLE" --baseline-severity warning \
    --confidence 95% --metrics p95 "${S2[@]}"
assert_status 1 "still the count threshold"
assert_json "$TEST_TMP/mc.json" '.regression.confidence == 0.95 and .regression.metrics == ["p95"]'
assert_json "$TEST_TMP/mc.json" '.regression.from == {"budget": "default", "metrics": "flag", "confidence": "flag"}'
assert_json "$TEST_TMP/mc.json" '.baseline.confidence == 0.95 and ([.regressions[].metric] | unique) == ["p95"]'
for f in --confidence --metrics; do
    v=95%; [[ $f == --metrics ]] && v=p95
    lg merge -o "$TEST_TMP/mx.json" "$f" "$v" "${S2[@]}"
    assert_status 2 "$f without --baseline"
    assert_contains "$LG_ERR" "$f: only with --baseline"
done
lg merge -o "$TEST_TMP/mx.json" --baseline "$WHOLE" --metrics max "${S2[@]}"
assert_status 2 "--metrics max"
[[ ! -e $TEST_TMP/mx.json ]] || fail "a refused merge wrote its output"

log "(8) the open model: the merged schedule is the whole one's"
OPEN=(-r 30/s -d 2s --max-vus 12 --threshold 'p99(latency) < 5s')
run_lg "$TEST_TMP/owhole" "$TEST_TMP/two.yaml" --base-url "$TARGET_URL" "${OPEN[@]}"
assert_status 0 "the whole open run"
OW=$RESULT
run_segments 3 "$TEST_TMP/o3" "${OPEN[@]}"
lg merge -o "$TEST_TMP/om.json" "$TEST_TMP"/o3.{1,2,3}/result.json
assert_status 0 "the merged open run"
OM=$TEST_TMP/om.json
assert_json "$OM" '.schedule.model == "open" and .schedule.scheduled == '"$(jq .schedule.scheduled "$OW")"
assert_json "$OM" '.schedule.peak_rate_per_s == '"$(jq .schedule.peak_rate_per_s "$OW")"
assert_json "$OM" '.schedule.max_vus == 12 and .totals.iterations + .totals.dropped_iterations == .schedule.scheduled'
assert_json "$OM" '.steps[0].histogram_uncorrected != null and .steps[0].latency_uncorrected_ms != null'
union_check "$OM" "$TEST_TMP"/o3.{1,2,3}/result.json
