#!/usr/bin/env bash
# shellcheck disable=SC2119 # start_target and target_responses take optional arguments
# JSON captures outlive the response they came from: each response's JSON tree
# lives in its worker thread's arena, reset once the step's checks and captures
# ran, and a captured value is copied out first. Here a leaderboard's player ids
# (a list, for for_each) and its top player (a string) are used in the following
# steps, with two worker threads and four users at once, against loadgate-target;
# every check must pass and every request is counted by the target.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_target

scen="$TEST_TMP/json-captures.yaml"
cat >"$scen" <<'EOF2'
scenario: json-captures
steps:
  - name: board
    request:
      method: GET
      url: /v1/leaderboard
      query: {season: "2025-s1", limit: 10}
    expect:
      status: 200
      json:
        $.entries: {length: 10}
    capture:
      top: {json: "$.entries[0].playerId"}
      ids: {json: "$.entries[*].playerId"}
      board: {json: $.entries}
  - name: profile
    for_each: {in: ids, as: pid}
    request: {method: GET, url: "/v1/players/{{pid}}/profile"}
    expect:
      status: 200
      json:
        $.playerId: {equals: "{{pid}}"}
  - name: top
    request: {method: GET, url: "/v1/players/{{top}}/profile"}
    expect:
      status: 200
      json:
        $.playerId: {equals: "{{top}}"}
EOF2

before=$(target_responses)
log "captures used after their response's arena was reset (--threads 2, -u 4, -i 20)"
run_lg "$TEST_TMP/out" "$scen" --base-url "$TARGET_URL" --threads 2 -u 4 -i 20
assert_status 0
assert_json "$RESULT" '.verdict == "pass"'
assert_json "$RESULT" '.totals.requests == 240 and .totals.errors == 0 and .totals.iterations == 20' \
    "per iteration: board 1, profile 10 (one per id), top 1"
assert_json "$RESULT" '.totals.checks_failed == 0 and .totals.checks_passed == 480' \
    "per iteration: board 2, profile 2 x 10, top 2"
after=$(target_responses)
assert_eq "$((after - before))" 241 "the target answered every request (and one /health)"
