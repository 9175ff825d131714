#!/usr/bin/env bash
# A signal before the run starts, while the files are read, is not the default
# action's silent death (exit 130, no report): it stops the run before anything
# is sent. A feed whose pipe writer stalls is read no longer (exit 3, nothing sent);
# a large feed being loaded ends, whatever the phase the signal lands in, in
# exit 3 and a result.json marked aborted.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_pollserver --pending-polls 0

# stopped SIGNAL DELAY OUT SCENARIO: runs loadgate, sends SIGNAL DELAY seconds
# after it handles signals, waits for it (a hang detector, not a timing assertion); sets LG_STATUS.
stopped() {
    env --default-signal "$LOADGATE" run "$4" --base-url "$POLL_URL" -u 1 -i 1 \
        --out "$3" --no-progress </dev/null >"$LG_OUT" 2>"$LG_ERR" &
    local pid=$!
    _lg_pids+=("$pid")
    # A signal before main() has run is the default action's: wait until
    # loadgate (not the shell or env before their exec) catches SIGTERM (bit 15
    # of SigCgt), then for DELAY.
    for _ in $(seq 200); do
        local cgt comm
        comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
        cgt=$(awk '/^SigCgt:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
        [[ "$comm" == loadgate && -n "$cgt" ]] && (((16#$cgt >> 14) & 1)) && break
        sleep 0.01
    done
    sleep "$2"
    kill "-$1" "$pid" 2>/dev/null || fail "loadgate exited before SIG$1"
    for _ in $(seq 200); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && fail "loadgate still runs 20 s after SIG$1" && kill -KILL "$pid"
    set +e
    wait "$pid"
    LG_STATUS=$?
    _lg_shown=0
    set -e
}

log "SIGINT while a feed's pipe writer stalls"
mkfifo "$TEST_TMP/feed.csv"
cat >"$TEST_TMP/fifo.yaml" <<'YAML'
scenario: fifo
data:
  users: {file: feed.csv, mode: sequential}
steps:
  - {name: a, request: {url: "/health?u={{data.users.id}}"}}
YAML
(
    printf 'id\n1\n'
    sleep 30
) >"$TEST_TMP/feed.csv" &
writer=$!
_lg_pids+=("$writer")
stopped INT 1 "$TEST_TMP/fifo" "$TEST_TMP/fifo.yaml"
assert_status 3 "a signal while reading is an abort, not exit 130"
assert_contains "$LG_ERR" "stopped by a signal while the files were read: nothing was sent"
kill "$writer" 2>/dev/null || true

log "SIGTERM while a large feed loads"
awk 'BEGIN { print "id,name"; for (i = 0; i < 999000; i++) printf "%d,user-%d-padding-padding-padding\n", i, i }' \
    >"$TEST_TMP/big.csv"
sed 's/feed.csv/big.csv/' "$TEST_TMP/fifo.yaml" >"$TEST_TMP/big.yaml"
stopped TERM 0 "$TEST_TMP/big" "$TEST_TMP/big.yaml"
RESULT="$TEST_TMP/big/result.json"
assert_status 3 "aborted, whatever phase the signal landed in"
assert_json "$RESULT" '.verdict == "aborted" and (.abort_reason | test("SIGTERM"))'
assert_file "$TEST_TMP/big/summary.txt"
if jq -e '.abort_reason | test("before the run started")' "$RESULT" >/dev/null; then
    assert_eq "$(poll_count)" 0 "nothing was sent"
fi
