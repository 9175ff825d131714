#!/usr/bin/env bash
# shellcheck disable=SC2119 # start_target and target_responses take optional arguments
# The benchmark's peers (tools/bench/run --sections peers): tools/setup installs them
# only with --peers (CI's default set has neither Locust nor Artillery), and the
# status-only journey loadgate runs beside the leaderboard journey sends the same
# requests (the same steps, the same counts at the target). The peers' own journey
# check (URLs per route, checks failing on a wrong leaderboard) is in the section.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

SETUP="$LG_SOURCE_DIR/tools/setup"
PEERS="$LG_SOURCE_DIR/tools/bench/peers"

log "tools/setup --list: no peers"
"$SETUP" --list >"$TEST_TMP/default.txt"
assert_contains "$TEST_TMP/default.txt" "nginx-light"
assert_not_contains "$TEST_TMP/default.txt" "locust"
assert_not_contains "$TEST_TMP/default.txt" "artillery"

log "tools/setup --peers --list: Locust from Debian, Artillery pinned, node and npm"
"$SETUP" --peers --list >"$TEST_TMP/peers.txt"
assert_contains "$TEST_TMP/peers.txt" "nginx-light"
for p in python3-locust nodejs npm; do
    assert_matches "$TEST_TMP/peers.txt" "^$p\$"
done
assert_matches "$TEST_TMP/peers.txt" '^artillery@[0-9]+\.[0-9]+\.[0-9]+ \(npm, in /opt/loadgate-peers\)$'

log "the status-only journey: the same requests as scenarios/trivia/leaderboard.yaml"
start_target
for f in "$LG_SOURCE_DIR/scenarios/trivia/leaderboard.yaml" "$PEERS/leaderboard-status.yaml"; do
    name=$(basename "$f" .yaml)
    before=$(target_responses)
    run_lg "$TEST_TMP/$name" "$f" --base-url "$TARGET_URL" -u 2 -i 3
    after=$(target_responses)
    assert_status 0
    assert_eq "$((after - before - 1))" 9 "$name: requests at the target"
    for s in global category next-page; do
        assert_json "$RESULT" "$(step "$s") | .requests == 3 and .errors == 0 and .checks.failed == 0" \
            "$name: $s"
    done
done
assert_json "$TEST_TMP/leaderboard-status/result.json" '[.steps[].checks.list | length] == [1, 1, 1]' \
    "status checks only"
