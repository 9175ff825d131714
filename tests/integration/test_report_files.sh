#!/usr/bin/env bash
# Reports are written through a temporary file that loadgate creates itself
# (mkstemp: an unpredictable name, O_EXCL, in the --out folder) and renames: a
# symlink planted at the old predictable name (NAME.tmp.PID) is never followed;
# the files get mode 0666 less the umask; a failed write leaves no temporary file.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_pollserver --pending-polls 3
health="$TEST_TMP/health.yaml"
cat >"$health" <<'EOT'
scenario: health
steps:
  - name: health
    request: {method: GET, url: /health}
    expect: {status: 200}
EOT

out="$TEST_TMP/out"
mkdir -p "$out"
victim="$TEST_TMP/victim"
echo "precious" >"$victim"
log "symlinks planted at NAME.tmp.PID before loadgate starts"
# exec keeps the shell's pid: the name the old code would have used is known.
set +e
(
    umask 022
    bash -c 'sleep 0.5; exec "$@"' _ "$LOADGATE" run "$health" --base-url "$POLL_URL" -u 1 -i 1 \
        --out "$out" --no-progress </dev/null >"$LG_OUT" 2>"$LG_ERR" &
    pid=$!
    ln -s "$victim" "$out/result.json.tmp.$pid"
    ln -s "$victim" "$out/summary.txt.tmp.$pid"
    wait "$pid"
)
LG_STATUS=$?
set -e
RESULT="$out/result.json"
assert_status 0
assert_eq "$(cat "$victim")" "precious" "the symlinks' target is untouched"
assert_eq "$(stat -c %F "$RESULT")" "regular file" "result.json"
assert_eq "$(stat -c %F "$out/summary.txt")" "regular file" "summary.txt"
assert_json "$RESULT" '.verdict == "pass"'
assert_eq "$(stat -c %a "$RESULT") $(stat -c %a "$out/summary.txt")" "644 644" "mode with umask 022"
assert_eq "$(find "$out" -name '*.tmp.*' -type f | wc -l)" 0 "no temporary file left"

log "umask 077: the reports are 0600"
(
    umask 077
    lg run "$health" --base-url "$POLL_URL" -u 1 -i 1 --out "$TEST_TMP/private" --no-progress
    exit "$LG_STATUS"
) || true
assert_eq "$(stat -c %a "$TEST_TMP/private/result.json")" "600" "mode with umask 077"

log "a write that fails (file size limit of 100 bytes): exit 4, no temporary file left"
set +e
env --ignore-signal=XFSZ prlimit --fsize=100 "$LOADGATE" run "$health" --base-url "$POLL_URL" -u 1 \
    -i 1 --out "$TEST_TMP/full" --no-progress </dev/null >"$LG_OUT" 2>"$LG_ERR"
LG_STATUS=$?
set -e
assert_status 4 "the report could not be written"
assert_contains "$LG_ERR" "cannot write"
assert_eq "$(find "$TEST_TMP/full" -mindepth 1 | wc -l)" 0 "nothing left in --out"
