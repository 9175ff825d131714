#!/usr/bin/env bash
# When a server closes a reused keep-alive connection without answering, libcurl
# sends the request again on a new connection. For idempotent methods loadgate lets
# it and counts the extra sends (`retries`); for the others (POST, PATCH, custom) it
# refuses the second send, so that no body reaches the server twice, and the
# request fails as `reset` (counted in `retries_refused`). pollserver's
# /first-only answers the first request of a connection and closes the connection
# on the next one, unanswered; its /count is the truth.
#
# libcurl before 8.17 gives up after 5 re-sends counted over an easy handle's life
# (CONN_MAX_RETRIES; the counter is reset only then): loadgate then sends the
# request again itself (to where any redirect led), counted as a retry like
# libcurl's own, so no idempotent request fails.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_pollserver --pending-polls 3

# one_step NAME METHOD URL [BODY]: a scenario of one step that expects 200
one_step() {
    local body=""
    [[ -n "${4:-}" ]] && body=", json: $4"
    cat >"$TEST_TMP/$1.yaml" <<EOF
scenario: $1
steps:
  - name: $1
    request: {method: $2, url: "$3"$body}
    expect: {status: 200}
EOF
    echo "$TEST_TMP/$1.yaml"
}

# run_counted NAME ARGS...: runs loadgate on scenario NAME (1 VU, 10 iterations)
# and sets SERVED to the number of requests pollserver received meanwhile.
run_counted() {
    local name=$1 before after
    shift
    before=$(poll_count)
    run_lg "$TEST_TMP/out-$name" "$TEST_TMP/$name.yaml" --base-url "$POLL_URL" -u 1 -i 10 "$@"
    after=$(poll_count)
    SERVED=$((after - before))
}

# Idempotent: every extra send is a retry; the server saw requests + retries.
for m in GET DELETE; do
    name=$(tr '[:upper:]' '[:lower:]' <<<"$m")
    one_step "$name" "$m" /first-only >/dev/null
    log "$m /first-only x10: libcurl sends again, loadgate counts it"
    run_counted "$name"
    assert_json "$RESULT" '.totals.requests == 10 and .steps[0].requests == 10'
    assert_eq "$SERVED" "$(jq '.totals.requests + .totals.retries' "$RESULT")" \
        "$m: pollserver received loadgate's requests plus its retries"
    assert_json "$RESULT" '.totals.retries >= 5' "$m: the re-sends are counted"
    assert_json "$RESULT" '.steps[0].retries == .totals.retries and .totals.retries_refused == 0'
    assert_json "$RESULT" '.totals.errors == 0' "$m: no request failed"
    assert_matches "$LG_OUT" "retries: [0-9]+ sent again after a reused connection closed unanswered"
done

# A redirect is a send of its own but not a retry: attempts - 1 - redirects.
one_step redirect GET "/redirect?to=/first-only" >/dev/null
log "GET /redirect -> /first-only x10: redirects are not counted as retries"
run_counted redirect
assert_eq "$SERVED" "$(jq '2 * .totals.requests + .totals.retries' "$RESULT")" \
    "pollserver received the redirects, the requests and the retries"
assert_json "$RESULT" '.totals.requests == 10 and .totals.retries >= 5 and .totals.retries_refused == 0'
assert_json "$RESULT" '.totals.errors == 0' "redirect: no request failed"

# Not idempotent: never sent twice. Every other request finds the connection the
# previous one opened, is closed unanswered, and fails.
for m in POST PATCH; do
    name=$(tr '[:upper:]' '[:lower:]' <<<"$m")
    one_step "$name" "$m" /first-only "{n: 1}" >/dev/null
    log "$m /first-only x10: the replay is refused and the request fails as reset"
    run_counted "$name"
    assert_status 1 "$m: failed requests fail the strict gate"
    assert_eq "$SERVED" 10 "$m: pollserver received each request once"
    assert_json "$RESULT" '.totals.requests == 10 and .totals.retries == 0'
    assert_json "$RESULT" '.totals.retries_refused == 5 and .steps[0].retries_refused == 5'
    assert_json "$RESULT" '.totals.errors == 5 and .totals.error_classes == {"reset": 5}'
    assert_json "$RESULT" '.steps[0].status["0"] == 5 and .steps[0].status["200"] == 5'
    assert_contains "$LG_OUT" "retries: 5 refused (not idempotent: failed as reset, never sent twice)"
done
