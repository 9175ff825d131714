#!/usr/bin/env bash
# $GITHUB_STEP_SUMMARY: `loadgate run` appends exactly summary.md's bytes to the
# file it names (what was there stays), once per run, for a passing, a failing and
# an aborted (SIGINT) run; --no-step-summary, an unset or an empty variable write
# nothing; a file that cannot be opened or written gives a warning naming the
# variable and the path, and the exit code is the one the run gives without it.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /health { return 200 '{"status":"ok"}'; }
location = /broken { return 500 '{"status":"down"}'; }
NGX
)"
ok="$TEST_TMP/ok.yaml"
health_scenario "$ok"
bad="$TEST_TMP/bad.yaml"
cat >"$bad" <<'EOF'
scenario: broken
steps:
  - name: broken
    request: {method: GET, url: /broken}
    expect: {status: 200}
EOF

summary="$TEST_TMP/gh/step_summary"
mkdir -p "$TEST_TMP/gh"
printf '### an earlier step\n\nits summary, kept\n' >"$summary"
cp "$summary" "$TEST_TMP/expected"

# same_bytes FILE EXPECTED MSG: FILE holds exactly EXPECTED's bytes.
same_bytes() {
    _lg_asserts=$((_lg_asserts + 1))
    if ! cmp -s "$1" "$2"; then
        fail "$3: $(basename "$1") differs from what was expected"
        diff <(od -c "$2") <(od -c "$1") | head -n 20 >&2 || true
    fi
    return 0
}

log "a passing run appends summary.md after the earlier content"
export GITHUB_STEP_SUMMARY="$summary"
run_lg "$TEST_TMP/pass1" "$ok" --base-url "$NGINX_URL" -u 1 -i 3
assert_status 0
assert_eq "$(nginx_requests '^GET /health ')" 3 "requests nginx logged"
assert_file "$TEST_TMP/pass1/summary.md"
cat "$TEST_TMP/pass1/summary.md" >>"$TEST_TMP/expected"
same_bytes "$summary" "$TEST_TMP/expected" "after one run"
assert_eq "$(head -n 3 "$summary" | tail -n 1)" "its summary, kept" "the earlier content"
assert_contains "$summary" "## ✓ loadgate: PASS · health"

log "a second run appends again, after the first"
run_lg "$TEST_TMP/pass2" "$ok" --base-url "$NGINX_URL" -u 1 -i 2
assert_status 0
assert_eq "$(nginx_requests '^GET /health ')" 5 "requests nginx logged"
cat "$TEST_TMP/pass2/summary.md" >>"$TEST_TMP/expected"
same_bytes "$summary" "$TEST_TMP/expected" "after two runs"
assert_eq "$(grep -c '^## ✓ loadgate: PASS' "$summary")" 2 "verdict headings"

log "--quiet, without --out: the same summary is appended"
lg run "$ok" --base-url "$NGINX_URL" -u 1 -i 1 --quiet
assert_status 0
assert_eq "$(nginx_requests '^GET /health ')" 6 "requests nginx logged"
assert_eq "$(grep -c '^## ✓ loadgate: PASS' "$summary")" 3 "verdict headings"
# the run's own figures differ; its length is at least the heading's
[[ $(stat -c %s "$summary") -gt $(stat -c %s "$TEST_TMP/expected") ]] ||
    fail "nothing appended by the run without --out"
cp "$summary" "$TEST_TMP/expected"

log "--no-step-summary: the file is left as it was"
run_lg "$TEST_TMP/off" "$ok" --base-url "$NGINX_URL" -u 1 -i 1 --no-step-summary
assert_status 0
assert_eq "$(nginx_requests '^GET /health ')" 7 "requests nginx logged"
assert_file "$TEST_TMP/off/summary.md" "--out still writes summary.md"
same_bytes "$summary" "$TEST_TMP/expected" "with --no-step-summary"

log "a failing run appends a FAIL summary"
run_lg "$TEST_TMP/fail" "$bad" --base-url "$NGINX_URL" -u 1 -i 2
assert_status 1
assert_eq "$(nginx_requests '^GET /broken ')" 2 "requests nginx logged"
cat "$TEST_TMP/fail/summary.md" >>"$TEST_TMP/expected"
same_bytes "$summary" "$TEST_TMP/expected" "after the failing run"
assert_eq "$(grep -c '^## ✗ loadgate: FAIL · broken' "$summary")" 1 "FAIL heading"

log "an aborted run (SIGINT) appends an ABORTED summary"
out="$TEST_TMP/aborted"
# A background job of a non-interactive shell starts with SIGINT ignored; give
# loadgate the default disposition, as a terminal's Ctrl-C would find it.
env --default-signal=INT "$LOADGATE" run "$ok" --base-url "$NGINX_URL" -r 20/s -d 30s \
    --out "$out" --no-progress </dev/null >"$LG_OUT" 2>"$LG_ERR" &
pid=$!
_lg_pids+=("$pid")
for _ in $(seq 100); do # until it has sent something (at most 10 s)
    (($(nginx_requests '^GET /health ') > 7)) && break
    sleep 0.1
done
kill -INT "$pid" 2>/dev/null || fail "loadgate exited before SIGINT"
for _ in $(seq 150); do # a hang detector, not a timing assertion
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
kill -KILL "$pid" 2>/dev/null && fail "loadgate still runs 15 s after SIGINT"
set +e
wait "$pid"
LG_STATUS=$?
set -e
_lg_shown=0
RESULT="$out/result.json"
assert_status 3 "aborted by SIGINT"
assert_json "$RESULT" '.verdict == "aborted" and .totals.requests > 0'
sent=$(($(nginx_requests '^GET /health ') - 7))
assert_json "$RESULT" ".totals.requests >= $sent" "requests nginx logged: $sent"
cat "$out/summary.md" >>"$TEST_TMP/expected"
same_bytes "$summary" "$TEST_TMP/expected" "after the aborted run"
assert_eq "$(grep -c '^## ✗ loadgate: ABORTED · health' "$summary")" 1 "ABORTED heading"
assert_contains "$summary" "**Aborted:** interrupted (SIGINT)"
base=$(nginx_requests '^GET ')

log "unset or empty: nothing is written anywhere (the working folder stays empty)"
for how in unset empty; do
    if [[ $how == unset ]]; then unset GITHUB_STEP_SUMMARY; else export GITHUB_STEP_SUMMARY=; fi
    mkdir "$TEST_TMP/cwd-$how"
    pushd "$TEST_TMP/cwd-$how" >/dev/null
    lg run "$ok" --base-url "$NGINX_URL" -u 1 -i 1
    popd >/dev/null
    assert_status 0 "$how"
    assert_eq "$(find "$TEST_TMP/cwd-$how" -mindepth 1 | wc -l)" 0 "$how: files written in the working folder"
    assert_not_contains "$LG_ERR" "GITHUB_STEP_SUMMARY" "$how"
done
same_bytes "$summary" "$TEST_TMP/expected" "the earlier file, with the variable unset or empty"
assert_eq "$(nginx_requests '^GET ')" $((base + 2)) "requests nginx logged"

log "a path in a missing folder: a warning, and the exit code of a run without it"
missing="$TEST_TMP/no-such-dir/summary.md"
for scen in ok bad; do
    unset GITHUB_STEP_SUMMARY
    lg run "$TEST_TMP/$scen.yaml" --base-url "$NGINX_URL" -u 1 -i 1 --no-progress
    without=$LG_STATUS
    GITHUB_STEP_SUMMARY="$missing" lg run "$TEST_TMP/$scen.yaml" --base-url "$NGINX_URL" -u 1 -i 1 \
        --no-progress
    assert_status "$without" "$scen: the same code as without the variable"
    assert_contains "$LG_ERR" "loadgate: warning: cannot append the Markdown summary to \$GITHUB_STEP_SUMMARY ($missing): No such file or directory" "$scen"
    if [[ $scen == ok ]]; then
        assert_eq "$without" 0 "a passing run's code"
    else
        assert_eq "$without" 1 "a failing run's code"
    fi
done
assert_eq "$(nginx_requests '^GET ')" $((base + 6)) "requests nginx logged"
[[ ! -e "$TEST_TMP/no-such-dir" ]] || fail "the missing folder was created"

log "a folder as the path: a warning, the exit code stands"
GITHUB_STEP_SUMMARY="$TEST_TMP/gh" lg run "$ok" --base-url "$NGINX_URL" -u 1 -i 1 --no-progress
assert_status 0 "a folder as the summary file"
assert_contains "$LG_ERR" "(${TEST_TMP}/gh): Is a directory"

if [[ -w /dev/full ]]; then
    log "a write that fails (/dev/full): a warning, the failing run still exits 1"
    GITHUB_STEP_SUMMARY=/dev/full lg run "$bad" --base-url "$NGINX_URL" -u 1 -i 1 --no-progress
    assert_status 1 "a full disk under the job summary"
    assert_contains "$LG_ERR" "(/dev/full): No space left on device; the verdict and exit code stand"
fi

log "a FIFO nobody reads: refused at once, not a hang"
mkfifo "$TEST_TMP/fifo"
GITHUB_STEP_SUMMARY="$TEST_TMP/fifo" lg run "$ok" --base-url "$NGINX_URL" -u 1 -i 1 --no-progress
assert_status 0 "a FIFO as the summary file"
assert_contains "$LG_ERR" "($TEST_TMP/fifo): No such device or address; the verdict and exit code stand"

log "check sends nothing and appends nothing"
GITHUB_STEP_SUMMARY="$summary" lg check "$ok"
assert_status 0
same_bytes "$summary" "$TEST_TMP/expected" "after check"

log "two summaries one after the other render as two documents with GFM"
if command -v cmark-gfm >/dev/null; then
    cmark-gfm -e table "$summary" >"$TEST_TMP/summary.html"
    assert_eq "$(grep -c '^<h2>.*loadgate: ' "$TEST_TMP/summary.html")" 5 "h2 verdict headings"
    assert_contains "$TEST_TMP/summary.html" "<p>its summary, kept</p>"
fi
