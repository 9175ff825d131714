#!/usr/bin/env bash
# The progress line on stderr: on a terminal (a pseudo-terminal from script(1)) it
# is redrawn in place each second, starting from nothing; without one (CI logs) a
# plain line every 10 s whose time is that of its figures (the tick they were
# collected at, not the clock's, a second later); a last line at the end
# with the run's totals. --no-progress draws none, --quiet prints only the verdict.
# Counts are pinned through the open model (a fixed number of iterations is due),
# never through how many lines a second brings.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx
command -v script >/dev/null || skip "script(1) (util-linux) is not installed"

start_nginx "$(cat <<'NGX'
location = /health { return 200 '{"status":"ok"}'; }
NGX
)"

scen="$TEST_TMP/health.yaml"
health_scenario "$scen"

# on_tty OUTFILE ARGS...: `loadgate ARGS` on a pseudo-terminal; what the terminal
# showed goes to OUTFILE (stdout and stderr together, as a user sees them).
on_tty() {
    local out=$1
    shift
    local cmd
    printf -v cmd '%q ' "$LOADGATE" "$@"
    set +e
    timeout -k 5 "$LG_RUN_TIMEOUT" script -qec "$cmd" /dev/null </dev/null >"$out" 2>&1
    LG_STATUS=$?
    set -e
}
redraw=$'\r\033[K'

log "a terminal: redrawn in place, from nothing to the run's 40 iterations"
on_tty "$TEST_TMP/tty.txt" run "$scen" --base-url "$NGINX_URL" --rate 20/s -d 2s
assert_status 0
# The first draw comes before any figure was collected (the VUs are read live),
# and the next one follows it on the same line: redrawn in place.
assert_matches "$TEST_TMP/tty.txt" \
    $'^\r\033\\[K    0s/2s  [0-9]+ VUs  0 req/s  p95 0us  0 requests  0 errors  0 iterations  0 dropped\r\033\\[K'
# The last draw holds the totals and ends the line.
assert_matches "$TEST_TMP/tty.txt" \
    $'\033\\[K +[23]s/2s  [0-9]+ VUs  [0-9]+ req/s  p95 [0-9.]+(us|ms)  40 requests  0 errors  40 iterations  0 dropped\r$'
assert_contains "$TEST_TMP/tty.txt" $'verdict: \033[1m\033[32mPASS\033[0m' "the verdict, in colour on a terminal"

log "no terminal: one line at 10 s, then the last one"
lg run "$scen" --base-url "$NGINX_URL" --rate 10/s -d 12s --out "$TEST_TMP/plain"
assert_status 0
assert_eq "$(grep -c . "$LG_ERR")" 2 "progress lines on stderr"
# Its figures are those of the tick it names: about 10 s of 10 iterations a second.
assert_matches "$LG_ERR" \
    '^ +10s/12s  [0-9]+ VUs  [0-9]+ req/s  p95 [0-9.]+(us|ms)  [0-9]+ requests  0 errors  [0-9]+ iterations  0 dropped$'
assert_matches "$LG_ERR" \
    '^ +1[23]s/12s  [0-9]+ VUs  [0-9]+ req/s  p95 [0-9.]+(us|ms)  120 requests  0 errors  120 iterations  0 dropped$'
assert_not_contains "$LG_ERR" $'\r' "a plain line is never redrawn"
assert_contains "$LG_OUT" "verdict: PASS"
assert_json "$TEST_TMP/plain/result.json" '.totals.requests == 120'

log "--no-progress on a terminal: no progress line, the summary stays"
on_tty "$TEST_TMP/none.txt" run "$scen" --base-url "$NGINX_URL" --rate 20/s -d 1s --no-progress
assert_status 0
assert_not_contains "$TEST_TMP/none.txt" "$redraw"
assert_not_contains "$TEST_TMP/none.txt" " requests  0 errors "
assert_matches "$TEST_TMP/none.txt" ' 20 requests \([0-9.]+/s\) '  # the summary's header
assert_contains "$TEST_TMP/none.txt" $'verdict: \033[1m\033[32mPASS\033[0m'

log "--quiet on a terminal: the verdict alone"
on_tty "$TEST_TMP/quiet.txt" run "$scen" --base-url "$NGINX_URL" --rate 20/s -d 1s --quiet
assert_status 0
assert_eq "$(cat "$TEST_TMP/quiet.txt")" $'verdict: pass\r' "all the terminal showed"

assert_eq "$(nginx_requests '^GET /health 200 ')" 200 "requests nginx answered (40 + 120 + 20 + 20)"
