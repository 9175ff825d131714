#!/usr/bin/env bash
# Files loadgate reads never make it hang: a scenario or a CSV feed that is a FIFO
# with no writer is refused at once (exit 2, nothing sent) by `check` and `run`,
# while a pipe with a writer (bash's <(...)) is still read; and an open-model run
# with stdin closed (its descriptors start at 0) runs and exits normally.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_pollserver --pending-polls 3
# A hang detector: the old behaviour waited in open() until killed.
LG_RUN_TIMEOUT=20

fifo="$TEST_TMP/scenario.yaml"
mkfifo "$fifo"
log "check of a FIFO with no writer"
lg check "$fifo"
assert_status 2 "refused, not hung"
assert_eq "$(cat "$LG_ERR")" "$fifo: error: cannot read: empty pipe (no writer)" "stderr"

log "run of a FIFO with no writer"
run_lg "$TEST_TMP/out-fifo" "$fifo" --base-url "$POLL_URL"
assert_status 2 "refused, not hung"
assert_contains "$LG_ERR" "empty pipe (no writer)"
assert_eq "$(poll_count)" 0 "nothing was sent"

log "a pipe with a writer is read: check <(cat good.yaml)"
set +e
timeout -k 5 20 "$LOADGATE" check <(cat "$LG_DATA/good.yaml") </dev/null >"$LG_OUT" 2>"$LG_ERR"
LG_STATUS=$?
set -e
assert_status 0 "a pipe with a writer"
assert_contains "$LG_OUT" ": ok ("

log "a CSV feed that is a FIFO with no writer"
mkfifo "$TEST_TMP/users.csv"
cat >"$TEST_TMP/feed.yaml" <<'EOT'
scenario: feed
data:
  users: {file: users.csv, mode: sequential}
steps:
  - name: health
    request: {method: GET, url: "/health?u={{data.users.name}}"}
EOT
lg check "$TEST_TMP/feed.yaml"
assert_status 2 "refused, not hung"
assert_contains "$LG_ERR" "feed.yaml:"
run_lg "$TEST_TMP/out-feed" "$TEST_TMP/feed.yaml" --base-url "$POLL_URL"
assert_status 2 "refused, not hung"
assert_eq "$(poll_count)" 0 "nothing was sent"

cat >"$TEST_TMP/health.yaml" <<'EOT'
scenario: health
steps:
  - name: health
    request: {method: GET, url: /health}
    expect: {status: 200}
EOT
for model in "-r 20/s -d 1s" "-u 2 -d 1s"; do
    log "a run with stdin closed ($model)"
    set +e
    # shellcheck disable=SC2086 # the model's flags are separate words
    timeout -k 5 20 "$LOADGATE" run "$TEST_TMP/health.yaml" --base-url "$POLL_URL" $model \
        --threads 1 --out "$TEST_TMP/out-closed" --no-progress 0<&- >"$LG_OUT" 2>"$LG_ERR"
    LG_STATUS=$?
    set -e
    RESULT="$TEST_TMP/out-closed/result.json"
    assert_status 0 "stdin closed"
    assert_json "$RESULT" '.verdict == "pass" and .totals.requests >= 1 and .totals.errors == 0'
done
