#!/usr/bin/env bash
# Compressed responses: by default loadgate asks for every encoding its libcurl
# decodes (Accept-Encoding, as browsers and k6 do) and checks read the decoded
# body, also when a step sends its own Accept-Encoding. An environment's
# `compression: false` turns both off: nothing is asked, and a step that asks
# for gzip itself gets the raw bytes. nginx gzips a JSON file and echoes the
# Accept-Encoding it received in a response header; pollserver's /bad-gzip sends
# a body that is not what its Content-Encoding says.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

www="$TEST_TMP/www"
mkdir -p "$www"
{
    printf '{"count": 50, "items": ['
    for i in $(seq 0 49); do
        printf '%s{"id": %d, "name":"item-%d", "note": "the same words again and again"}' \
            "$([[ $i == 0 ]] || echo ,)" "$i" "$i"
    done
    printf ']}\n'
} >"$www/data.json"

start_nginx "$(cat <<NGX
gzip on;
gzip_types application/json;
gzip_min_length 0;
location = /data.json {
    root $www;
    add_header X-Accept-Encoding "\$http_accept_encoding" always;
}
NGX
)"

cat >"$TEST_TMP/compressed.yaml" <<'EOF'
scenario: compressed
steps:
  - name: data
    request: {url: /data.json}
    expect:
      status: 200
      headers:
        content-encoding: gzip
        x-accept-encoding: {contains: gzip}
      json:
        $.count: 50
        $.items[49].name: item-49
      body: {contains: '"name":"item-2"'}
    capture:
      name: {json: "$.items[3].name"}
      id: {regex: '"id": (7)'}
  - name: own-header
    request:
      url: "/data.json?name={{name}}&id={{id}}"
      headers: {Accept-Encoding: gzip}
    expect:
      headers: {content-encoding: gzip, x-accept-encoding: gzip}
      json:
        $.items[0].id: 0
EOF

log "default: asked for, decoded, checked (-i 3)"
run_lg "$TEST_TMP/out1" "$TEST_TMP/compressed.yaml" --base-url "$NGINX_URL" -i 3
assert_status 0
assert_json "$RESULT" '.verdict == "pass"'
assert_json "$RESULT" '.totals.requests == 6 and .totals.errors == 0'
assert_json "$RESULT" '.totals.checks_failed == 0 and .totals.checks_passed == 27'
assert_eq "$(nginx_requests '^GET /data.json 200 ')" 3 "nginx served the plain request"
assert_eq "$(nginx_requests '^GET /data.json\?name=item-3&id=7 200 ')" 3 \
    "captures from the decoded body"

# The same scenario through a suite: an environment without the key keeps the
# default; `compression: false` turns it off.
cat >"$TEST_TMP/suite.yaml" <<'EOF'
suite: gz
environments:
  default: {}
  raw: {compression: false}
scenarios: [raw.yaml]
EOF
cat >"$TEST_TMP/raw.yaml" <<'EOF'
scenario: raw
steps:
  - name: asks-nothing
    request: {url: /data.json}
    expect:
      headers:
        content-encoding: {exists: false}
        x-accept-encoding: {exists: false}
      json: {$.count: 50}
    on_failure: continue
  - name: own-header
    request: {url: /data.json, headers: {Accept-Encoding: gzip}}
    expect:
      headers: {content-encoding: gzip}
      json: {$.count: 50}
EOF

log "compression: false: nothing asked; a step's own Accept-Encoding gets raw gzip"
run_lg "$TEST_TMP/out2" "$TEST_TMP/suite.yaml" --env raw --base-url "$NGINX_URL" -i 1
assert_status 1
assert_json "$RESULT" '.verdict == "fail"'
assert_json "$RESULT" "$(step asks-nothing)"'.checks.failed == 0 and
    '"$(step asks-nothing)"'.checks.passed == 3'
assert_json "$RESULT" "$(step own-header)"'.checks.list | map({label: .label, passed: .passed, failed: .failed}) ==
    [{"label": "header content-encoding == gzip", "passed": 1, "failed": 0},
     {"label": "$.count == 50", "passed": 0, "failed": 1}]' "the raw body is not JSON"
assert_json "$RESULT" "$(step own-header)"'.checks.list[1].reasons[0].text |
    startswith("body is not JSON: ")' "the reason says the raw body is not JSON"

log "the environment without the key: compression on"
run_lg "$TEST_TMP/out3" "$TEST_TMP/suite.yaml" --env default --base-url "$NGINX_URL" -i 1
assert_status 1 "asks-nothing expects no compression"
assert_json "$RESULT" "$(step asks-nothing)"'.checks.failed == 2' "asked and got gzip"
assert_json "$RESULT" "$(step own-header)"'.checks.failed == 0' "decoded"

log "a compression that is not a boolean is invalid input"
sed 's/compression: false/compression: gzip/' "$TEST_TMP/suite.yaml" >"$TEST_TMP/bad.yaml"
lg check "$TEST_TMP/bad.yaml"
assert_status 2
assert_contains "$LG_ERR" "bad.yaml:4:22: error: 'compression' must be true or false"
run_lg "$TEST_TMP/out4" "$TEST_TMP/bad.yaml" --env raw --base-url "$NGINX_URL" -i 1
assert_status 2
assert_contains "$LG_ERR" "bad.yaml:4:22: error: 'compression' must be true or false"
assert_eq "$(nginx_requests '^GET /data.json 200 ')" 7 "nothing sent for the bad file"

log "a body that cannot be decoded is a failed request (class other), never a pass"
start_pollserver --pending-polls 0
cat >"$TEST_TMP/bad-gzip.yaml" <<'EOF'
scenario: bad-gzip
steps:
  - name: bad
    request: {url: /bad-gzip}
    expect: {status: 200}
EOF
run_lg "$TEST_TMP/out5" "$TEST_TMP/bad-gzip.yaml" --base-url "$POLL_URL" -i 2
assert_status 1
assert_json "$RESULT" '.totals.requests == 2 and .totals.errors == 2'
assert_json "$RESULT" "$(nonzero .totals.error_classes)"' == {"other": 2}'
assert_eq "$(poll_count)" 2 "pollserver answered both"
