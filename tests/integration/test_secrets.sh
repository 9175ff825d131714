#!/usr/bin/env bash
# Secrets never appear in a report or a log: a value read from env.* travels in a
# header and a query parameter, nginx echoes it back in the body, and checks on it
# both pass and fail. The secret reaches the server (so it was really sent), yet
# neither result.json, summary.txt, stdout nor stderr contains it, whatever the
# verdict.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /v1/echo { return 200 '{"key":"$http_x_api_key","q":"$arg_token"}'; }
NGX
)"

secret="s3cr3t-$RANDOM$RANDOM-value"
dir="$TEST_TMP/suite"
mkdir -p "$dir"
cat >"$dir/suite.yaml" <<YAML
suite: secrets
environments:
  staging:
    base_url: "$NGINX_URL"
    headers: {x-api-key: "{{env.LG_TEST_API_KEY}}"}
scenarios:
  - {file: echo.yaml}
YAML
cat >"$dir/echo.yaml" <<'YAML'
scenario: echo
steps:
  - name: echo
    request:
      method: GET
      url: /v1/echo
      query: {token: "{{env.LG_TEST_API_KEY}}"}
    on_failure: continue
    expect:
      status: 200
      json:
        $.key: {equals: "{{env.LG_TEST_API_KEY}}"}
  - name: mismatch
    request:
      method: GET
      url: /v1/echo
      query: {token: "{{env.LG_TEST_API_KEY}}"}
    expect:
      json:
        $.key: {equals: "not-the-key"}
        $.q: {matches: "^nothing$"}
YAML

log "the secret is sent, checked, and echoed back; one step fails"
LG_TEST_API_KEY="$secret" run_lg "$TEST_TMP/out" "$dir/suite.yaml" --env staging -u 1 -i 2
assert_status 1 "the mismatch step fails the strict gate"
assert_json "$RESULT" "$(step echo) | .checks.failed == 0 and .checks.passed == 4" \
    "the server saw the secret: the check comparing it passed"
assert_json "$RESULT" "$(step mismatch) | .checks.failed == 4"
assert_file "$TEST_TMP/out/junit.xml"
assert_file "$TEST_TMP/out/summary.md"
assert_file "$TEST_TMP/out/report.html"
for f in "$TEST_TMP"/out/* "$LG_OUT" "$LG_ERR"; do
    assert_not_contains "$f" "$secret" "no report or log shows the secret"
done

log "a missing secret is an error before anything is sent"
before=$(nginx_requests '^GET /v1/echo')
run_lg "$TEST_TMP/out2" "$dir/suite.yaml" --env staging -u 1 -i 1
assert_status 2
assert_contains "$LG_ERR" "environment variable LG_TEST_API_KEY is not set"
assert_eq "$(nginx_requests '^GET /v1/echo')" "$before" "nothing was sent"
