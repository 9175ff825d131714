#!/usr/bin/env bash
# Ctrl-C during a 30 s run: loadgate stops soon, exits 3 and still writes
# result.json (verdict aborted) and summary.txt.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_pollserver --pending-polls 3
scen="$TEST_TMP/slow.yaml"
cat >"$scen" <<'EOF'
scenario: slow
steps:
  - name: slow
    request: {method: GET, url: "/slow?ms=100"}
    expect: {status: 200}
EOF

out="$TEST_TMP/out"
log "loadgate run -u 2 -d 30s, SIGINT after 1.5 s"
# A background job of a non-interactive shell starts with SIGINT ignored; give
# loadgate the default disposition, as a terminal's Ctrl-C would find it.
env --default-signal=INT "$LOADGATE" run "$scen" --base-url "$POLL_URL" -u 2 -d 30s --out "$out" \
    --no-progress </dev/null >"$LG_OUT" 2>"$LG_ERR" &
pid=$!
_lg_pids+=("$pid")
sleep 1.5
kill -INT "$pid" 2>/dev/null || fail "loadgate exited before SIGINT"
start=$SECONDS
for _ in $(seq 150); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$pid" 2>/dev/null; then
    fail "loadgate still runs 15 s after SIGINT"
    kill -KILL "$pid" 2>/dev/null || true
fi
set +e
wait "$pid"
LG_STATUS=$?
_lg_shown=0
set -e
log "stopped $((SECONDS - start)) s after SIGINT"
RESULT="$out/result.json"
assert_status 3 "aborted by SIGINT"
assert_file "$out/summary.txt"
assert_json "$RESULT" '.verdict == "aborted"'
assert_json "$RESULT" '(.abort_reason | type) == "string" and (.abort_reason | test("SIGINT|interrupt"; "i"))'
assert_json "$RESULT" '.totals.requests >= 1 and .totals.duration_s < 29'
assert_json "$RESULT" "$(step slow) | .requests >= 1"
served=$(poll_count)
assert_json "$RESULT" ".totals.requests <= $served" "loadgate counted no more requests than pollserver received"
