#!/usr/bin/env bash
# Reports and output: --out is proved writable before anything is sent (a file,
# a path under a file, a folder nothing can be written in, /dev/null: exit 2
# naming --out, nginx untouched); an earlier run's result.json and summary.txt
# are removed before a run starts, so a run that is refused or dies leaves none
# that could pass for its own; and a summary that cannot be written to stdout
# is an internal error (exit 4), never a silent pass.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /health { return 200 '{"status":"ok"}'; }
location / { return 404 '{"error":"not found"}'; }
NGX
)"
scen="$TEST_TMP/health.yaml"
health_scenario "$scen"

# bad_out DIR: `loadgate run --out DIR` exits 2, names --out, and sends nothing.
bad_out() {
    local before
    before=$(nginx_requests .)
    log "loadgate run --out $1"
    lg run "$scen" --base-url "$NGINX_URL" -u 2 -i 20 --no-progress --out "$1"
    assert_status 2 "--out $1"
    assert_contains "$LG_ERR" "--out" "stderr names --out ($1)"
    assert_not_contains "$LG_ERR" "AddressSanitizer"
    assert_eq "$(nginx_requests .)" "$before" "requests nginx received with --out $1"
}

echo "not a folder" >"$TEST_TMP/a-file"
bad_out "$TEST_TMP/a-file"
bad_out "$TEST_TMP/a-file/under"
bad_out /dev/null
# Tests run as root, for whom permissions are no obstacle: /proc refuses new files
# to everyone.
bad_out /proc
bad_out /proc/loadgate-out
assert_eq "$(cat "$TEST_TMP/a-file")" "not a folder" "the file named by --out is untouched"

log "a passing run, then a refused one in the same folder: no result.json stays"
out="$TEST_TMP/out"
run_lg "$out" "$scen" --base-url "$NGINX_URL" -u 1 -i 2
assert_status 0
assert_json "$RESULT" '.verdict == "pass"'
assert_file "$out/summary.txt"
run_lg "$out" "$scen" --base-url "$NGINX_URL" -u 1 -i 2 --threshold 'p95(latency) <'
assert_status 2
_lg_asserts=$((_lg_asserts + 1))
if [[ -e "$out/result.json" || -e "$out/summary.txt" || -e "$out/summary.md" ]]; then
    fail "an earlier run's reports stayed behind after a refused run: $(ls "$out")"
fi

log "a passing run, then one killed mid-run: no result.json stays"
run_lg "$out" "$scen" --base-url "$NGINX_URL" -u 1 -i 2
assert_json "$RESULT" '.verdict == "pass"'
set +e
timeout -s KILL 2 "$LOADGATE" run "$scen" --base-url "$NGINX_URL" -u 1 -d 30s --no-progress \
    --out "$out" </dev/null >/dev/null 2>&1
killed=$?
set -e
assert_eq "$killed" 137 "loadgate was killed"
_lg_asserts=$((_lg_asserts + 1))
if [[ -e "$out/result.json" || -e "$out/summary.txt" || -e "$out/summary.md" ]]; then
    fail "an earlier run's reports stayed behind after a killed run: $(ls "$out")"
fi
_lg_asserts=$((_lg_asserts + 1))
if compgen -G "$out/.loadgate-probe-*" >/dev/null; then
    fail "the writability probe stayed behind"
fi

log "stdout on a full device: exit 4, said on stderr"
for args in "" "--quiet"; do
    set +e
    # shellcheck disable=SC2086 # args is empty or one flag
    timeout -k 5 "$LG_RUN_TIMEOUT" "$LOADGATE" run "$scen" --base-url "$NGINX_URL" -u 1 -i 1 \
        --no-progress $args </dev/null >/dev/full 2>"$LG_ERR"
    LG_STATUS=$?
    set -e
    assert_status 4 "run $args > /dev/full"
    assert_contains "$LG_ERR" "cannot write to standard output: No space left on device"
done
set +e
"$LOADGATE" check "$scen" >/dev/full 2>"$LG_ERR"
LG_STATUS=$?
set -e
assert_status 4 "check > /dev/full"
assert_contains "$LG_ERR" "cannot write to standard output"
