#!/usr/bin/env bash
# Captures flow from one response into later requests: JSON -> URL, header -> URL,
# captures -> request headers. nginx echoes the parts back as JSON, the scenario
# checks them with `equals`, and nginx's own log shows the URLs that were sent.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

start_nginx "$(cat <<'NGX'
location = /v1/login {
    add_header X-Request-Id $request_id always;
    return 200 '{"token":"tok-$request_id","user":{"name":"ada"}}';
}
location ~ ^/v1/items/([A-Za-z0-9._-]+)$ { return 200 '{"id":"$1"}'; }
location = /v1/whoami { return 200 '{"token":"$http_x_token","auth":"$http_authorization"}'; }
location ~ ^/v1/users/([^/]+)/orders/([^/]+)$ { return 200 '{"user":"$1","order":"$2"}'; }
NGX
)"

scen="$TEST_TMP/captures.yaml"
cat >"$scen" <<'EOF'
scenario: captures
steps:
  - name: login
    request:
      method: POST
      url: /v1/login
      json: {user: ada, password: secret}
    expect:
      status: 200
      headers:
        x-request-id: {matches: "^[0-9a-f]{32}$"}
    capture:
      token: {json: $.token}
      request_id: {header: X-Request-Id}
      user: {json: $.user.name}

  - name: item-by-token
    request: {method: GET, url: "/v1/items/{{token}}"}
    expect:
      status: 200
      json:
        $.id: {equals: "{{token}}"}

  - name: item-by-request-id
    request: {method: GET, url: "/v1/items/{{request_id}}"}
    expect:
      json:
        $.id: {equals: "{{request_id}}"}

  - name: whoami
    request:
      method: GET
      url: /v1/whoami
      headers:
        X-Token: "{{request_id}}"
        Authorization: "Bearer {{token}}"
    expect:
      json:
        $.token: {equals: "{{request_id}}"}
        $.auth: {equals: "Bearer {{token}}"}

  - name: orders
    request: {method: GET, url: "/v1/users/{{user}}/orders/{{request_id}}"}
    expect:
      json:
        $.user: {equals: ada}
        $.order: {equals: "{{request_id}}"}
EOF

lg check "$scen"
assert_status 0 "check"

log "captures flow into URLs and headers (-i 3 -u 2)"
run_lg "$TEST_TMP/out1" "$scen" --base-url "$NGINX_URL" -i 3 -u 2
assert_status 0
assert_json "$RESULT" '.verdict == "pass"'
assert_json "$RESULT" '.totals.requests == 15 and .totals.errors == 0 and .totals.iterations == 3'
assert_json "$RESULT" '.totals.checks_failed == 0 and .totals.checks_passed == 27' \
    "per iteration: login 2, item-by-token 2, item-by-request-id 1, whoami 2, orders 2"
for s in login item-by-token item-by-request-id whoami orders; do
    assert_json "$RESULT" "$(step "$s") | .requests == 3 and .errors == 0 and .checks.failed == 0"
done
# what nginx received: the token (JSON capture) and the request id (header capture)
# in the URL, a different one each iteration
assert_eq "$(nginx_requests '^GET /v1/items/tok-[0-9a-f]{32} 200 ')" 3 "JSON capture -> URL"
assert_eq "$(nginx_requests '^GET /v1/items/[0-9a-f]{32} 200 ')" 3 "header capture -> URL"
assert_eq "$(nginx_requests '^GET /v1/users/ada/orders/[0-9a-f]{32} 200 ')" 3 "two captures -> URL"
assert_eq "$(grep -oE '^GET /v1/items/tok-[0-9a-f]{32}' "$NGINX_ACCESS_LOG" | sort -u | wc -l)" 3 \
    "each iteration used its own token"

log "a wrong expectation on a captured value fails as a check"
cat >"$TEST_TMP/wrong.yaml" <<'EOF'
scenario: wrong
steps:
  - name: login
    request: {method: POST, url: /v1/login, json: {user: ada}}
    capture:
      token: {json: $.token}
  - name: item
    request: {method: GET, url: "/v1/items/{{token}}"}
    expect:
      json:
        $.id: {equals: "{{token}}-not"}
EOF
run_lg "$TEST_TMP/out2" "$TEST_TMP/wrong.yaml" --base-url "$NGINX_URL" -i 2
assert_status 1
assert_json "$RESULT" '.verdict == "fail" and .default_gate == true'
assert_json "$RESULT" '.totals.requests == 4 and .totals.errors == 2'
assert_json "$RESULT" '.totals.error_classes.check == 2 and ([.totals.error_classes[]] | add) == 2'
assert_json "$RESULT" '.totals.checks_failed == 2 and .totals.checks_passed == 0'
assert_json "$RESULT" "$(step item) | .checks.passed == 0 and .checks.failed == 2 and .status == {\"200\": 2}"
