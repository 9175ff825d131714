#!/usr/bin/env bash
# for_each runs a step once per element of a captured JSON array: nginx returns
# three ids, so the next step sends exactly three requests per iteration, one per
# id; an empty array runs it zero times and the journey goes on.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /v1/list { return 200 '{"ids":["a1","b2","c3"]}'; }
location = /v1/empty { return 200 '{"ids":[]}'; }
location ~ ^/v1/items/([A-Za-z0-9._-]+)$ { return 200 '{"id":"$1"}'; }
location = /v1/done { return 200 '{"done":true}'; }
NGX
)"

journey() { # journey FILE LIST_URL
    cat >"$1" <<EOF
scenario: each
steps:
  - name: list
    request: {method: GET, url: $2}
    capture:
      ids: {json: "\$.ids[*]"}
  - name: item
    for_each: {in: ids, as: item_id}
    request: {method: GET, url: "/v1/items/{{item_id}}"}
    expect:
      json:
        \$.id: {equals: "{{item_id}}"}
  - name: finish
    request: {method: GET, url: /v1/done}
EOF
}
journey "$TEST_TMP/each.yaml" /v1/list
journey "$TEST_TMP/empty.yaml" /v1/empty

lg check "$TEST_TMP/each.yaml"
assert_status 0 "check"

log "three ids: three requests per iteration"
run_lg "$TEST_TMP/out1" "$TEST_TMP/each.yaml" --base-url "$NGINX_URL" -i 2
assert_status 0
assert_json "$RESULT" '.verdict == "pass"'
assert_json "$RESULT" "$(step list) | .requests == 2"
assert_json "$RESULT" "$(step item) | .requests == 6 and .errors == 0 and .checks.passed == 6 and .checks.failed == 0"
assert_json "$RESULT" "$(step finish) | .requests == 2"
assert_json "$RESULT" '.totals.requests == 10 and .totals.iterations == 2'
for id in a1 b2 c3; do
    assert_eq "$(nginx_requests "^GET /v1/items/$id 200 ")" 2 "requests for item $id"
done
assert_eq "$(nginx_requests '^GET /v1/items/')" 6 "item requests nginx received"

log "an empty array: the step runs zero times"
run_lg "$TEST_TMP/out2" "$TEST_TMP/empty.yaml" --base-url "$NGINX_URL" -i 2
assert_status 0
assert_json "$RESULT" '.verdict == "pass"'
assert_json "$RESULT" "([$(step item) | .requests] | add // 0) == 0"
assert_json "$RESULT" "$(step finish) | .requests == 2"
assert_json "$RESULT" '.totals.requests == 4'
assert_eq "$(nginx_requests '^GET /v1/items/')" 6 "no item requests for an empty list"
