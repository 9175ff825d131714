#!/usr/bin/env bash
# The trivia journeys (scenarios/trivia/*.yaml) pass against a healthy
# loadgate-target, over HTTP and over HTTPS (a CA made here, --cacert), with the
# request counts each journey implies; with --seed the wallet keys are the same
# run after run; and the suite's smoke profile passes over HTTPS (every scenario
# once, smoke rule on).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "openssl is required (tools/setup installs it)" >&2; exit 1; }

TRIVIA="$LG_SOURCE_DIR/scenarios/trivia"
# smoke.yaml asks for a certificate valid for at least 14 more days
make_ca_and_cert "$TEST_TMP/pki" 30
CA="$TEST_TMP/pki/ca.pem"

start_target --mint-delay 300ms
HTTP_URL=$TARGET_URL
start_target --tls "$TEST_TMP/pki" --mint-delay 300ms
HTTPS_URL=$TARGET_URL

# counts STEP=N...: each named step sent exactly N requests, all answered as expected
counts() {
    local kv name n
    for kv in "$@"; do
        name=${kv%%=*}
        n=${kv#*=}
        assert_json "$RESULT" "$(step "$name") | .requests == $n and .errors == 0 and .checks.failed == 0" \
            "$name: $n requests"
    done
}

# passes ITERATIONS: the last run passed with that many iterations, nothing failed
passes() {
    assert_status 0
    assert_json "$RESULT" ".verdict == \"pass\" and .totals.iterations == $1 and .totals.iterations_failed == 0"
    assert_json "$RESULT" '.totals.errors == 0 and .totals.checks_failed == 0 and .totals.checks_passed > 0'
    assert_json "$RESULT" "$(nonzero .totals.error_classes) == {}"
}

for scheme in http https; do
    if [[ $scheme == http ]]; then
        url=$HTTP_URL
        tls=()
    else
        url=$HTTPS_URL
        tls=(--cacert "$CA")
    fi

    log "$scheme: guest-session, one iteration"
    run_lg "$TEST_TMP/$scheme-guest1" "$TRIVIA/guest-session.yaml" --base-url "$url" "${tls[@]}" -i 1
    passes 1
    counts start=1 questions=1 answer=10 complete=1 profile=1 history=1
    assert_json "$RESULT" '.totals.requests == 15'
    assert_json "$RESULT" "$(step answer) | .status == {\"200\": 10} and .checks.passed == 20"
    assert_json "$RESULT" "$(step start) | .status == {\"201\": 1}"

    log "$scheme: leaderboard, 2 VUs, 4 iterations"
    run_lg "$TEST_TMP/$scheme-board" "$TRIVIA/leaderboard.yaml" --base-url "$url" "${tls[@]}" -u 2 -i 4
    passes 4
    counts global=4 category=4 next-page=4
    assert_json "$RESULT" '.totals.requests == 12 and .config.vus == 2'

    log "$scheme: wallet, 2 VUs, 4 iterations"
    run_lg "$TEST_TMP/$scheme-wallet" "$TRIVIA/wallet.yaml" --base-url "$url" "${tls[@]}" -u 2 -i 4
    passes 4
    counts challenge=4 verify=4 profile=4
    assert_json "$RESULT" "$(step verify) | .status == {\"200\": 4}"

    log "$scheme: mint (--mint-delay 300ms), 2 VUs, 2 iterations"
    run_lg "$TEST_TMP/$scheme-mint" "$TRIVIA/mint.yaml" --base-url "$url" "${tls[@]}" -u 2 -i 2
    passes 2
    counts challenge=2 verify=2 start=2 answer=20 complete=2 mint=2
    assert_json "$RESULT" "$(step mint) | .status == {\"202\": 2}"
    # polled every 500 ms until confirmed (300 ms after the mint): 1 or 2 polls each
    assert_json "$RESULT" "$(step mint-status) | .requests >= 2 and .requests <= 4 and .errors == 0"
    assert_json "$RESULT" \
        "$(step mint-status) | .checks.list[] | select(.label | startswith(\"until\")) | .passed == 2 and .failed == 0" \
        "the until condition held for both mints"
done

log "https: guest-session, 2 VUs, 2 iterations"
run_lg "$TEST_TMP/https-guest2" "$TRIVIA/guest-session.yaml" --base-url "$HTTPS_URL" --cacert "$CA" -u 2 -i 2
passes 2
counts start=2 questions=2 answer=20 complete=2 profile=2 history=2

# --seed: VU 1's wallet is the same key in every run with that seed. Play a perfect
# session as that wallet (mint.yaml), then log in again: the profile behind the
# token counts that session only if it is the same stake address.
seen="$TEST_TMP/wallet-seen.yaml"
cat >"$seen" <<'EOF'
scenario: wallet-seen
steps:
  - name: challenge
    request: {method: POST, url: /v1/auth/challenge, json: {stakeAddress: "{{wallet.address}}"}}
    expect: {status: 200}
    capture:
      nonce: {json: $.nonce}
  - name: verify
    request:
      method: POST
      url: /v1/auth/verify
      json:
        stakeAddress: "{{wallet.address}}"
        publicKey: "{{wallet.public_key}}"
        signature: "{{wallet.sign nonce}}"
    expect: {status: 200}
    capture:
      token: {json: $.token}
  - name: profile
    request: {method: GET, url: /v1/profile, headers: {Authorization: "Bearer {{token}}"}}
    expect:
      status: 200
      json:
        $.stakeAddress: {equals: "{{wallet.address}}"}
        $.sessions: {equals: 1}
        $.perfectSessions: {equals: 1}
EOF
log "--seed 4242: a perfect session as VU 1's wallet"
run_lg "$TEST_TMP/seed-mint" "$TRIVIA/mint.yaml" --base-url "$HTTP_URL" -i 1 --seed 4242
passes 1
log "--seed 4242 again: the same wallet, whose profile has that session"
run_lg "$TEST_TMP/seed-same" "$seen" --base-url "$HTTP_URL" -i 1 --seed 4242
passes 1
counts challenge=1 verify=1 profile=1
log "--seed 4243: another wallet, no session"
run_lg "$TEST_TMP/seed-other" "$seen" --base-url "$HTTP_URL" -i 1 --seed 4243
assert_status 1
assert_json "$RESULT" "$(step profile) | .status == {\"200\": 1} and .checks.failed == 2" \
    "a new wallet: sessions and perfectSessions are 0"
assert_json "$RESULT" \
    "$(step profile) | [.checks.list[] | select(.failed > 0) | .label] == [\"\$.sessions == 1\", \"\$.perfectSessions == 1\"]"

log "the suite's smoke profile over HTTPS"
TARGET_URL=$HTTPS_URL
before=$(target_responses --cacert "$CA")
run_lg "$TEST_TMP/smoke" "$TRIVIA/suite.yaml" --env local --base-url "$HTTPS_URL" --cacert "$CA" --profile smoke
passes 5
assert_json "$RESULT" '.smoke_rule == true and .env == "local" and .profile == "smoke" and .suite == "trivia"'
assert_json "$RESULT" ".base_url == \"$HTTPS_URL\""
assert_json "$RESULT" '.config.vus == 1'
assert_json "$RESULT" '[.scenarios[].name] | sort == ["guest-session", "leaderboard", "mint", "smoke", "wallet"]'
assert_json "$RESULT" '[.scenarios[] | .iterations == 1 and .iterations_failed == 0] | all' \
    "every scenario ran once"
assert_json "$RESULT" '[.thresholds[] | .ok] | all and length == 4'
assert_json "$RESULT" '[.steps[] | .checks.failed] | add == 0'
assert_json "$RESULT" "$(step health) | .checks.list | map(select(.label == \"tls >= 1.2\" or .label == \"certificate valid for >= 14d\")) | length == 2 and all(.passed == 1 and .failed == 0)" \
    "TLS version and certificate validity checked"
assert_json "$RESULT" "$(step cors-preflight) | .status == {\"204\": 1} and .checks.failed == 0"
# smoke 2 + guest 15 + leaderboard 3 + wallet 3 + mint 15 and its 1 or 2 polls
assert_json "$RESULT" '.totals.requests >= 39 and .totals.requests <= 40'
assert_json "$RESULT" '.totals.requests == ([.steps[].requests] | add)'
after=$(target_responses --cacert "$CA")
assert_eq "$((after - before - 1))" "$(jq .totals.requests "$RESULT")" "responses the target sent for the smoke run"
assert_contains "$LG_OUT" "✓ smoke profile: every check and every request must pass: none failed" \
    "the summary states the smoke rule"
assert_contains "$LG_OUT" "verdict: PASS"
assert_file "$TEST_TMP/smoke/summary.txt"
