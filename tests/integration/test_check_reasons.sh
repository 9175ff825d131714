#!/usr/bin/env bash
# A failed check says why, in result.json and in the summary: what was observed and
# what was expected, a few distinct reasons per check with how many failures gave
# each. Against nginx: a JSON value that differs, a body that is not JSON, a 500
# under a JSON check (class http_5xx, not check, with the status named in the
# reason), an `until` that times out, and a secret from env.* that the server echoes
# back and a check expects, which no file under --out and no log may show, not even
# its beginning where a long value is cut.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /order { return 200 '{"id":7,"status":"pending"}'; }
location = /vary { return 200 '{"status":"$arg_s"}'; }
location = /html { return 200 '<html>maintenance</html>'; }
location = /broken { return 200 '{"id": 7, "status": pending}'; }
location = /boom { default_type text/html; return 500 '<html>Internal Server Error</html>'; }
location = /gone { return 404 '{"error":"gone"}'; }
location = /echo {
    return 200 '{"key":"$http_x_api_key","long":"0123456789012345678901234567890123456789012345678901-$http_x_api_key-tail"}';
}
NGX
)"

secret="s3cr3t-$RANDOM$RANDOM-value"
dir="$TEST_TMP/suite"
mkdir -p "$dir"
cat >"$dir/suite.yaml" <<YAML
suite: reasons
environments:
  local:
    base_url: "$NGINX_URL"
    headers: {x-api-key: "{{env.LG_TEST_API_KEY}}"}
scenarios:
  - {file: reasons.yaml}
YAML
cat >"$dir/reasons.yaml" <<'YAML'
scenario: reasons
steps:
  - name: differs
    request: {method: GET, url: /order}
    on_failure: continue
    expect:
      status: 200
      json:
        $.status: {equals: confirmed}
        $.id: {lt: 5}
  - name: vary
    request: {method: GET, url: "/vary?s=s{{iteration}}"}
    on_failure: continue
    expect:
      json: {$.status: {equals: confirmed}}
  - name: not_json
    request: {method: GET, url: /html}
    on_failure: continue
    expect:
      json: {$.status: {equals: confirmed}}
  - name: broken_json
    request: {method: GET, url: /broken}
    on_failure: continue
    expect:
      json: {$.status: {exists: true}}
  - name: boom
    request: {method: GET, url: /boom}
    on_failure: continue
    expect:
      json: {$.status: {equals: confirmed}}
  - name: boom_status
    request: {method: GET, url: /boom}
    on_failure: continue
    expect:
      status: 200
      json: {$.status: {equals: confirmed}}
  - name: gone
    request: {method: GET, url: /gone}
    on_failure: continue
    expect:
      json: {$.status: {equals: confirmed}}
  - name: poll
    request: {method: GET, url: /order}
    on_failure: continue
    until:
      json: {$.status: {equals: done}}
      every: 50ms
      timeout: 200ms
  - name: secret
    request: {method: GET, url: /echo}
    on_failure: continue
    expect:
      json:
        $.key: {equals: "not-{{env.LG_TEST_API_KEY}}"}
        $.long: {equals: "x"}
        $.missing: {equals: "{{env.LG_TEST_API_KEY}}"}
YAML

log "every check fails; 5 iterations of 1 VU"
LG_TEST_API_KEY="$secret" run_lg "$TEST_TMP/out" "$dir/suite.yaml" --env local -u 1 -i 5
assert_status 1 "the strict default gate fails"

# reasons CHECK_INDEX STEP: the check's reasons as one JSON array of [text, count]
reasons() {
    printf '(%s | .checks.list[%s] | [.reasons[] | [.text, .count]])' "$(step "$2")" "$1"
}

log "the server got every request loadgate counted"
assert_json "$RESULT" '.totals.requests == ([.steps[].requests] | add)'
assert_eq "$(nginx_requests '^GET ')" "$(jq '.totals.requests' "$RESULT")" "requests nginx logged"
assert_eq "$(nginx_requests '^GET /boom ')" 10 "500s served"

log "a value that differs: observed vs expected, per check, with a count"
assert_json "$RESULT" "$(reasons 1 differs) == [[\"\$.status was \\\"pending\\\", expected \\\"confirmed\\\"\", 5]]"
assert_json "$RESULT" "$(reasons 2 differs) == [[\"\$.id was 7, expected < 5\", 5]]"
assert_json "$RESULT" "$(reasons 0 differs) == [] and $(step differs).checks.list[0].failed == 0" \
    "a check that never failed has no reasons"
assert_json "$RESULT" "$(step differs) | .error_classes == {\"check\": 5}"

log "five distinct values: the first three are kept, with the other two counted apart"
assert_json "$RESULT" "$(step vary) | .checks.list[0].failed == 5"
assert_json "$RESULT" "$(reasons 0 vary) == [[\"\$.status was \\\"s0\\\", expected \\\"confirmed\\\"\", 1], [\"\$.status was \\\"s1\\\", expected \\\"confirmed\\\"\", 1], [\"\$.status was \\\"s2\\\", expected \\\"confirmed\\\"\", 1]]"
assert_contains "$TEST_TMP/out/summary.txt" '2× other reasons (not kept)'

log "a body that is not JSON: jansson's message, the body where it stops, the byte"
assert_json "$RESULT" "$(reasons 0 not_json) == [[\"body is not JSON: invalid token near \\\"<html>maintenance</html>\\\" at byte 1\", 5]]"
assert_json "$RESULT" "$(reasons 0 broken_json) == [[\"body is not JSON: invalid token near \\\"pending}\\\" at byte 21\", 5]]"

log "a 500 under a JSON check is http_5xx, not check, and the reason names the status"
assert_json "$RESULT" "$(step boom) | .error_classes == {\"http_5xx\": 5} and .status == {\"500\": 5}"
assert_json "$RESULT" "$(reasons 0 boom) == [[\"HTTP 500: body is not JSON: invalid token near \\\"<html>Internal Server Er...\\\" at byte 1\", 5]]"
assert_json "$RESULT" "$(step boom_status) | .error_classes == {\"http_5xx\": 5}"
assert_json "$RESULT" "$(reasons 0 boom_status) == [[\"HTTP 500, expected 200\", 5]]"
assert_json "$RESULT" "$(reasons 1 boom_status) | .[0][0] | startswith(\"HTTP 500: body is not JSON\")"
assert_json "$RESULT" "$(step gone) | .error_classes == {\"http_4xx\": 5}"
assert_json "$RESULT" "$(reasons 0 gone) == [[\"HTTP 404: \$.status is missing\", 5]]"
assert_json "$RESULT" '.totals.error_classes == {"http_4xx": 5, "http_5xx": 10, "check": 30}'

log "an until that timed out says what the last response showed"
assert_json "$RESULT" "$(reasons 0 poll) == [[\"timed out: \$.status was \\\"pending\\\", expected \\\"done\\\"\", 5]]"

log "secrets are hidden in observed and expected values, whole even where a value is cut"
assert_json "$RESULT" "$(reasons 0 secret) == [[\"\$.key was \\\"[secret]\\\", expected \\\"not-[secret]\\\"\", 5]]"
assert_json "$RESULT" "$(reasons 1 secret) == [[\"\$.long was \\\"0123456789012345678901234567890123456789012345678901-[secret]...\\\", expected \\\"x\\\"\", 5]]"
assert_json "$RESULT" "$(reasons 2 secret) == [[\"\$.missing is missing\", 5]]"

log "the summary lists each failed check's reasons"
summary="$TEST_TMP/out/summary.txt"
assert_contains "$summary" '        5× $.status was "pending", expected "confirmed"'
assert_contains "$summary" '        5× HTTP 500: body is not JSON: invalid token near "<html>Internal Server Er..." at byte 1'
assert_contains "$summary" '        5× timed out: $.status was "pending", expected "done"'
assert_contains "$LG_OUT" '        5× HTTP 500, expected 200'
assert_contains "$LG_OUT" '        5× $.key was "[secret]", expected "not-[secret]"'

log "no file under --out and no log holds the secret, nor its first 10 bytes"
assert_eq "$(nginx_requests '^GET /echo ')" 5 "requests that carried the secret and echoed it"
for f in "$TEST_TMP"/out/* "$LG_OUT" "$LG_ERR"; do
    assert_not_contains "$f" "$secret" "$(basename "$f") shows the secret"
    assert_not_contains "$f" "${secret:0:10}" "$(basename "$f") shows the secret's beginning"
done
