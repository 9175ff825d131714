#!/usr/bin/env bash
# Signals: SIGHUP (a dropped ssh session) stops a run as SIGTERM does, exit 3 with
# result.json marked aborted; once the run is over and its reports are being
# written, a first SIGINT or SIGTERM lets them finish and the exit says aborted (3),
# a second exits at once (3) keeping the reports already written and leaving no
# temporary file behind. The report phase is held open by a stdout pipe that is
# not read (the summary is larger than the pipe).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_pollserver --pending-polls 3

log "SIGHUP during a 30 s run"
cat >"$TEST_TMP/slow.yaml" <<'EOT'
scenario: slow
steps:
  - name: slow
    request: {method: GET, url: "/slow?ms=100"}
    expect: {status: 200}
EOT
env --default-signal "$LOADGATE" run "$TEST_TMP/slow.yaml" --base-url "$POLL_URL" -u 2 -d 30s \
    --out "$TEST_TMP/hup" --no-progress </dev/null >"$LG_OUT" 2>"$LG_ERR" &
pid=$!
_lg_pids+=("$pid")
sleep 1.5
kill -HUP "$pid" 2>/dev/null || fail "loadgate exited before SIGHUP"
for _ in $(seq 200); do # a hang detector, not a timing assertion
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "loadgate still runs 20 s after SIGHUP" && kill -KILL "$pid"
set +e
wait "$pid"
LG_STATUS=$?
_lg_shown=0
set -e
RESULT="$TEST_TMP/hup/result.json"
assert_status 3 "aborted by SIGHUP"
assert_file "$TEST_TMP/hup/summary.txt"
assert_json "$RESULT" '.verdict == "aborted" and (.abort_reason | test("SIGHUP"))'

# 150 steps: a summary of about 15 KB, more than a 4 KiB pipe and stdio's buffer.
many="$TEST_TMP/many.yaml"
{
    echo "scenario: many"
    echo "steps:"
    for i in $(seq 150); do
        echo "  - name: a-step-with-a-long-name-to-make-the-summary-wide-$i"
        echo "    request: {method: GET, url: /health}"
    done
} >"$many"

# report_phase OUT SIGNALS DRAIN: runs loadgate with its stdout on a 4 KiB pipe
# that is not read; once summary.txt exists (the files come before stdout), sends
# each signal of SIGNALS (comma-separated) half a second apart, then reads the
# pipe if DRAIN is 1. Prints "exit N" (or "hung") and the stdout read.
report_phase() {
    python3 - "$1" "$2" "$3" "$LOADGATE" run "$many" --base-url "$POLL_URL" -u 1 -i 1 \
        --out "$1" --no-progress 2>"$LG_ERR" <<'PY'
import fcntl, os, signal, subprocess, sys, time
out, sigs, drain, argv = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4:]
r, w = os.pipe()
fcntl.fcntl(w, 1031, 4096)  # F_SETPIPE_SZ
p = subprocess.Popen(["env", "--default-signal"] + argv, stdin=subprocess.DEVNULL, stdout=w)
os.close(w)
deadline = time.time() + 60
while not os.path.exists(os.path.join(out, "summary.txt")) and p.poll() is None:
    if time.time() > deadline:
        break
    time.sleep(0.05)
time.sleep(0.5)
print("blocked before signals" if p.poll() is None else "exited before signals")
for s in sigs.split(","):
    p.send_signal(getattr(signal, s))
    time.sleep(0.5)
text = b""
if drain:
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        text += chunk
try:
    print("exit", p.wait(timeout=20))  # a hang detector, not a timing assertion
except subprocess.TimeoutExpired:
    p.kill()
    p.wait()
    print("hung")
print(text.decode(errors="replace"))
PY
}

log "report phase: two SIGINTs exit at once with what was written"
report_phase "$TEST_TMP/twice" SIGINT,SIGINT 0 >"$TEST_TMP/twice.log"
sed -n 1,2p "$TEST_TMP/twice.log"
assert_eq "$(sed -n 1p "$TEST_TMP/twice.log")" "blocked before signals" "loadgate waited on its stdout"
assert_eq "$(sed -n 2p "$TEST_TMP/twice.log")" "exit 3" "the second SIGINT exits 3"
assert_json "$TEST_TMP/twice/result.json" '.verdict == "pass"' "the reports already written stay"
assert_file "$TEST_TMP/twice/summary.txt"
assert_eq "$(find "$TEST_TMP/twice" -name '*.tmp*' | wc -l)" 0 "no temporary file left"

log "report phase: one SIGTERM lets loadgate finish, then exit 3"
report_phase "$TEST_TMP/once" SIGTERM 1 >"$TEST_TMP/once.log"
sed -n 1,2p "$TEST_TMP/once.log"
assert_eq "$(sed -n 1p "$TEST_TMP/once.log")" "blocked before signals" "loadgate waited on its stdout"
assert_eq "$(sed -n 2p "$TEST_TMP/once.log")" "exit 3" "exit 3 after a signal"
assert_contains "$TEST_TMP/once.log" "verdict: PASS" "the summary was written out whole"
