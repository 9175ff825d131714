#!/usr/bin/env bash
# Methods: each step sends the method it names, with a body where it has one, and a
# method set for one request does not leak into the next on the same handle (HEAD
# then GET still reads the body; a PUT then a GET is a GET).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /echo { return 200 '{"status":"ok"}'; }
NGX
)"

scen="$TEST_TMP/methods.yaml"
cat >"$scen" <<'EOF'
scenario: methods
steps:
  - name: head
    request: {method: HEAD, url: /echo?step=head}
    expect: {status: 200}
  - name: get-after-head
    request: {url: /echo?step=get-after-head}
    expect: {status: 200, body: {contains: '"ok"'}}
  - name: post
    request: {method: POST, url: /echo?step=post, json: {a: 1}}
    expect: {status: 200}
  - name: put
    request: {method: PUT, url: /echo?step=put, body: "x=1"}
    expect: {status: 200}
  - name: get-after-put
    request: {method: GET, url: /echo?step=get-after-put}
    expect: {status: 200, body: {contains: '"ok"'}}
  - name: delete
    request: {method: DELETE, url: /echo?step=delete}
    expect: {status: 200}
  - name: empty-post
    request: {method: POST, url: /echo?step=empty-post}
    expect: {status: 200}
EOF

run_lg "$TEST_TMP/out" "$scen" --base-url "$NGINX_URL" -u 1 -i 2
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .totals.requests == 14 and .totals.errors == 0'
assert_json "$RESULT" '.totals.checks_passed == 18 and .totals.checks_failed == 0' "every check passed"
assert_eq "$(nginx_requests .)" 14 "requests nginx received"
for line in "HEAD /echo?step=head 200" "GET /echo?step=get-after-head 200" "POST /echo?step=post 200" \
    "PUT /echo?step=put 200" "GET /echo?step=get-after-put 200" "DELETE /echo?step=delete 200" \
    "POST /echo?step=empty-post 200"; do
    assert_eq "$(grep -c "^$line " "$NGINX_ACCESS_LOG")" 2 "nginx log lines '$line'"
done
