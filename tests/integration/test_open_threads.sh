#!/usr/bin/env bash
# The open model gives the same result whatever the thread count: a due arrival
# starts on a free VU in any worker, and one that finds none waits in one queue for
# the whole run (first due, first served, dropped after --max-lateness). Here one
# request of the run stalls its VU for 2 s while the other VUs could serve the
# whole rate many times over: no arrival waits or is dropped, with 1, 2 or 3
# threads. (When arrivals were dealt round-robin to workers, the stalled VU's
# worker kept its share waiting, and dropped it, while the other workers idled.)
# Queued arrivals still start within max lateness after the duration ends.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_pollserver --pending-polls 3

# stall_scenario FILE STALLS: one request to /slow per iteration, whose wait comes
# from a sequential feed (taken in the order iterations start): the first STALLS
# values given, then 10 ms each
stall_scenario() {
    local file=$1 csv="${1%.yaml}.csv"
    shift
    { echo ms; printf '%s\n' "$@"; for _ in $(seq 60); do echo 10; done; } >"$csv"
    cat >"$file" <<EOF
scenario: stall
data:
  d: {file: $(basename "$csv"), mode: sequential}
steps:
  - name: slow
    request: {method: GET, url: "/slow?ms={{data.d.ms}}"}
    expect: {status: 200}
EOF
}

# The second iteration to start waits 2 s at the server; 3 VUs, 10 arrivals a
# second of 10 ms iterations.
stall="$TEST_TMP/stall.yaml"
stall_scenario "$stall" 10 2000

for threads in 1 2 3; do
    log "(a) 10/s for 3s, --max-vus 3, one 2 s stall, --threads $threads"
    before=$(poll_count)
    run_lg "$TEST_TMP/out-a-$threads" "$stall" --base-url "$POLL_URL" --rate 10/s -d 3s \
        --max-vus 3 --max-lateness 500ms --threads "$threads" --threshold 'dropped == 0'
    assert_status 0 "--threads $threads"
    assert_json "$RESULT" '.verdict == "pass"'
    assert_json "$RESULT" '.schedule.scheduled == 30'
    assert_json "$RESULT" '.schedule.dropped == 0 and .totals.dropped_iterations == 0' \
        "nothing dropped (--threads $threads)"
    assert_json "$RESULT" '.schedule.started == 30'
    # A 10 ms request would have to take over 100 ms while another VU is busy for
    # an arrival to wait: a few at most on a loaded machine.
    assert_json "$RESULT" '.schedule.waited <= 3' "at most 3 waited (--threads $threads)"
    assert_json "$RESULT" '.totals.requests == 30 and .totals.errors == 0'
    assert_json "$RESULT" '.totals.iterations == 30'
    assert_eq "$(($(poll_count) - before))" 30 "requests pollserver received (--threads $threads)"
done

# The first three iterations hold every VU for 1 s; the next seven (due 350 ms
# to 950 ms) wait in the queue, and start one after another from 1.05 s on, after
# the 1 s duration is over: within --max-lateness 2s, none is dropped.
queued="$TEST_TMP/queued.yaml"
stall_scenario "$queued" 1000 1000 1000
for threads in 1 3; do
    log "(b) 10/s for 1s, --max-vus 3, queued arrivals start after the end, --threads $threads"
    before=$(poll_count)
    run_lg "$TEST_TMP/out-b-$threads" "$queued" --base-url "$POLL_URL" --rate 10/s -d 1s \
        --max-vus 3 --max-lateness 2s --threads "$threads"
    assert_status 0 "--threads $threads"
    assert_json "$RESULT" '.schedule.scheduled == 10 and .schedule.started == 10'
    assert_json "$RESULT" '.schedule.dropped == 0'
    assert_json "$RESULT" '.schedule.waited == 7' "7 waited (--threads $threads)"
    assert_json "$RESULT" '.totals.requests == 10 and .totals.iterations == 10'
    assert_eq "$(($(poll_count) - before))" 10 "requests pollserver received (--threads $threads)"
done
