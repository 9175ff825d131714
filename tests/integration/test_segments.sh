#!/usr/bin/env bash
# run --segment K/N and --start-at TIME, as separate processes on loopback, counted
# at nginx: the closed model's segments run exactly the unsegmented run's iterations
# between them, each VU id (X-VU: {{vu.id}}) and each unique feed row (?row=) from
# one segment only; the open model's segments make due exactly the whole schedule's
# arrivals; every segment of a run records the same config_hash, which another
# --vus, --env or an edited data file changes; bad specs and a segment with nothing
# to do are refused at once (exit 2), before a --start-at wait; two processes given
# one --start-at record one started_unix_ms; SIGINT during the wait sends nothing.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

# shellcheck disable=SC2016 # nginx variables, not the shell's
NGINX_LOG_EXTRA='[$http_x_vu]'
start_nginx "$(cat <<'NGX'
location = /seg { return 200 '{"ok":true}'; }
location = /health { return 200 '{"status":"ok"}'; }
location / { return 404 '{"error":"not found"}'; }
NGX
)"

rows="$TEST_TMP/rows.csv"
{
    echo id
    for i in $(seq 0 29); do echo "r$i"; done
} >"$rows"
cat >"$TEST_TMP/seg.yaml" <<'EOF'
scenario: seg
data:
  rows: {file: rows.csv, mode: unique}
steps:
  - name: seg
    request: {method: GET, url: "/seg?row={{data.rows.id}}", headers: {X-VU: "{{vu.id}}"}}
    expect: {status: 200}
EOF
health_scenario "$TEST_TMP/health.yaml"
suite="$TEST_TMP/suite.yaml"
cat >"$suite" <<EOF
suite: segments
environments:
  local: {base_url: "$NGINX_URL"}
  other: {base_url: "$NGINX_URL/"}
scenarios:
  - {file: seg.yaml}
EOF
open_suite="$TEST_TMP/open.yaml"
cat >"$open_suite" <<EOF
suite: segments-open
environments:
  local: {base_url: "$NGINX_URL"}
scenarios:
  - {file: health.yaml}
profiles:
  ramp: {rate: {stages: [{ramp: 1300ms, to: 37/s}, {ramp: 700ms, to: 11/s}]}, max_vus: 10}
EOF

# The log lines nginx wrote since line $1 (1-based count of lines already seen).
new_lines() { nginx_requests . >/dev/null; tail -n "+$(($1 + 1))" "$NGINX_ACCESS_LOG"; }
# VU ids / rows of log lines on stdin, one per line, sorted.
ids_of() { sed -E 's/.*\[([0-9]+)\]$/\1/' | sort -n; }
rows_of() { sed -E 's/^GET \/seg\?row=r([0-9]+) .*/\1/' | sort -n; }

load=(--env local --vus 5 --iterations 23)

log "the whole run: 5 VUs, 23 iterations"
seen=$(nginx_requests .)
run_lg "$TEST_TMP/whole" "$suite" "${load[@]}"
assert_status 0
assert_json "$RESULT" '.segment == null and .totals.iterations == 23 and .config.vus == 5'
assert_json "$RESULT" '.config_hash | test("^sha256:[0-9a-f]{64}$")'
assert_json "$RESULT" '.started_unix_ms > 1700000000000'
whole_hash=$(jq -r .config_hash "$RESULT")
lines=$(new_lines "$seen")
assert_eq "$(wc -l <<<"$lines")" 23 "requests nginx saw (whole run)"
# which VUs took the shared budget's iterations depends on timing: ids are 1..5
assert_eq "$(ids_of <<<"$lines" | awk '$1 < 1 || $1 > 5' | wc -l)" 0 "VU ids of the whole run in 1..5"

for n in 2 3; do
    log "$n segments, one process each: iterations, VU ids and feed rows at nginx"
    total=0
    all_ids="" all_rows=""
    for k in $(seq 1 "$n"); do
        seen=$(nginx_requests .)
        run_lg "$TEST_TMP/seg$k-of-$n" "$suite" "${load[@]}" --segment "$k/$n"
        assert_status 0 "segment $k/$n"
        assert_json "$RESULT" ".segment == {\"index\": $k, \"count\": $n}"
        assert_json "$RESULT" ".config_hash == \"$whole_hash\"" "segment $k/$n has the whole run's hash"
        # stripes: VUs j (0-based) and iterations i with j, i mod n == k - 1
        vus=$(((5 - k) / n + 1))
        its=$(((23 - k) / n + 1))
        assert_json "$RESULT" ".config.vus == $vus and .totals.iterations == $its and .totals.errors == 0"
        ids="ids $k, $((k + n))"
        if ((vus == 1)); then ids="id $k"; elif ((vus > 2)); then ids="ids $k, ..., $((k + (vus - 1) * n))"; fi
        assert_contains "$LG_ERR" "loadgate: segment $k/$n: $vus of 5 VUs ($ids), $its of 23 iterations"
        lines=$(new_lines "$seen")
        assert_eq "$(wc -l <<<"$lines")" "$its" "requests nginx saw from segment $k/$n"
        total=$((total + $(wc -l <<<"$lines")))
        assert_eq "$(ids_of <<<"$lines" | awk -v k="$k" -v n="$n" '$1 > 5 || ($1 - k) % n' | wc -l)" 0 \
            "VU ids of segment $k/$n are in its stripe (k, k + n, ... <= 5)"
        want_rows=$(seq "$((k - 1))" "$n" 29 | head -n "$its" | tr '\n' ' ')
        assert_eq "$(rows_of <<<"$lines" | tr '\n' ' ')" "$want_rows" "feed rows of segment $k/$n"
        all_ids+=$(ids_of <<<"$lines" | uniq)$'\n'
        all_rows+=$(rows_of <<<"$lines")$'\n'
    done
    assert_eq "$total" 23 "requests of the $n segments (the whole run's 23)"
    assert_eq "$(grep . <<<"$all_ids" | sort | uniq -d | wc -l)" 0 "no VU id from two of the $n segments"
    assert_eq "$(grep . <<<"$all_rows" | sort | uniq -d | wc -l)" 0 "no feed row used by two of the $n segments"
done

log "the open model: the segments' arrivals are the whole schedule's"
seen=$(nginx_requests .)
run_lg "$TEST_TMP/open-whole" "$open_suite" --env local --profile ramp
assert_status 0
whole_scheduled=$(jq .schedule.scheduled "$RESULT")
assert_json "$RESULT" '.schedule.scheduled == 41 and .schedule.started == 41' "24.05 + 16.8 = 40.85 arrivals due"
for n in 2 3; do
    sum=0 started=0
    seen=$(nginx_requests .)
    for k in $(seq 1 "$n"); do
        run_lg "$TEST_TMP/open$k-of-$n" "$open_suite" --env local --profile ramp --segment "$k/$n"
        assert_status 0 "open segment $k/$n"
        assert_json "$RESULT" ".schedule.scheduled == $(((41 - k) / n + 1))" "stripe of segment $k/$n"
        assert_json "$RESULT" ".config.vus == $(((10 - k) / n + 1))" "max_vus stripe of $k/$n"
        assert_contains "$LG_ERR" "loadgate: segment $k/$n: $(((41 - k) / n + 1)) of the schedule's 41 arrivals, a pool of $(((10 - k) / n + 1)) of 10 VUs"
        sum=$((sum + $(jq .schedule.scheduled "$RESULT")))
        started=$((started + $(jq .schedule.started "$RESULT")))
    done
    assert_eq "$sum" "$whole_scheduled" "scheduled arrivals of the $n open segments"
    assert_eq "$(new_lines "$seen" | wc -l)" "$started" "requests nginx saw from the $n open segments"
done

log "config_hash: another --vus, --env or data file is another configuration"
run_lg "$TEST_TMP/h-vus" "$suite" --env local --vus 6 --iterations 23 --segment 1/3
assert_status 0
assert_json "$RESULT" ".config_hash != \"$whole_hash\"" "--vus 6"
run_lg "$TEST_TMP/h-env" "$suite" --env other --vus 5 --iterations 23 --segment 1/3
assert_status 0
assert_json "$RESULT" ".config_hash != \"$whole_hash\"" "--env other"
run_lg "$TEST_TMP/h-same" "$suite" --env local --iterations 23 --vus 5 --segment 2/3 --threads 1
assert_status 0
assert_json "$RESULT" ".config_hash == \"$whole_hash\"" "flags in another order, --threads"
sed -i 's/^r29$/x29/' "$rows"
run_lg "$TEST_TMP/h-data" "$suite" "${load[@]}" --segment 1/3
assert_status 0
assert_json "$RESULT" ".config_hash != \"$whole_hash\"" "an edited rows.csv"

log "refusals: exit 2 naming the flag, at once, nothing sent"
seen=$(nginx_requests .)
later=$(($(date +%s) + 3600))
for spec in 0/3 4/3 1/0 a/b 1/3x -1/3 1/1001 3 ''; do
    lg run "$suite" "${load[@]}" --segment "$spec"
    assert_status 2 "--segment '$spec'"
    assert_contains "$LG_ERR" "--segment"
done
lg run "$suite" --env local --vus 2 --segment 3/3 --start-at "$later"
assert_status 2 "a segment with no VU, before the wait"
assert_contains "$LG_ERR" "loadgate: --segment 3/3: this segment gets no VU (2 VUs over 3 segments): use at most 2 segments"
lg run "$suite" --env local --vus 3 --iterations 2 --segment 3/3 --start-at "$later"
assert_status 2 "a segment with no iteration"
assert_contains "$LG_ERR" "--segment 3/3: this segment gets no iteration (2 iterations over 3 segments)"
lg run "$open_suite" --env local --rate 1/s --duration 2s --segment 3/3
assert_status 2 "a segment with no arrival"
assert_contains "$LG_ERR" "--segment 3/3: this segment gets no arrival (the schedule has 2 in all)"
lg run "$suite" "${load[@]}" --segment 1/3 --start-at "$later" --baseline "$TEST_TMP/none.json"
assert_status 2 "a bad --baseline, before the wait"
for t in tomorrow 1796565600000 2026-12-06T14:00:00 "$(($(date +%s) - 3600))" \
    "$(($(date +%s) + 3 * 86400))"; do
    lg run "$suite" "${load[@]}" --segment 1/3 --start-at "$t"
    assert_status 2 "--start-at '$t'"
    assert_contains "$LG_ERR" "--start-at"
done
assert_eq "$(nginx_requests .)" "$seen" "requests nginx saw from refused runs"

log "--start-at in 2 s: two processes start at the same instant"
at=$(($(date +%s) + 2))
pids=()
for k in 1 2; do
    "$LOADGATE" run "$suite" "${load[@]}" --segment "$k/2" --start-at "$at" --out "$TEST_TMP/at$k" \
        --no-progress </dev/null >"$TEST_TMP/at$k.out" 2>"$TEST_TMP/at$k.err" &
    pids+=($!)
    _lg_pids+=("$!")
done
for k in 1 2; do
    set +e
    wait "${pids[$((k - 1))]}"
    LG_STATUS=$?
    set -e
    assert_status 0 "--start-at segment $k/2"
    assert_contains "$TEST_TMP/at$k.err" "loadgate: segment $k/2: waiting until "
    assert_json "$TEST_TMP/at$k/result.json" ".started_unix_ms == ${at}000" "segment $k/2 started at TIME"
done
assert_eq "$(jq -s '.[0].totals.iterations + .[1].totals.iterations' "$TEST_TMP"/at{1,2}/result.json)" 23 \
    "iterations of the two synchronised segments"

log "SIGINT during the wait: nothing sent, aborted, exit 3"
seen=$(nginx_requests .)
env --default-signal=INT "$LOADGATE" run "$suite" "${load[@]}" --segment 2/3 --start-at "$later" \
    --out "$TEST_TMP/int" --no-progress </dev/null >"$LG_OUT" 2>"$LG_ERR" &
pid=$!
_lg_pids+=("$pid")
for _ in $(seq 100); do
    grep -q "waiting until" "$LG_ERR" && break
    sleep 0.1
done
assert_contains "$LG_ERR" "loadgate: segment 2/3: waiting until "
kill -INT "$pid"
set +e
wait "$pid"
LG_STATUS=$?
set -e
RESULT="$TEST_TMP/int/result.json"
assert_status 3 "SIGINT during the wait"
assert_json "$RESULT" '.verdict == "aborted" and .totals.requests == 0'
assert_json "$RESULT" '.abort_reason == "interrupted (SIGINT) before the run started (--start-at)"'
assert_json "$RESULT" '.segment == {"index": 2, "count": 3} and (.config_hash | startswith("sha256:"))'
assert_file "$TEST_TMP/int/latency.hlog"
assert_eq "$(nginx_requests .)" "$seen" "requests nginx saw after SIGINT during the wait"

