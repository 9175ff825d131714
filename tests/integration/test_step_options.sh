#!/usr/bin/env bash
# shellcheck disable=SC2119 # start_pollserver takes optional arguments
# A VU's easy handle is given only the options that differ from its last request
# (vu.c set_options): nothing one step sets leaks into the next on the same handle,
# and a step repeated (the next iteration) keeps what it needs. A POST's body, a
# method, a header and a redirect rule are not inherited by the GET after them; a
# step's short timeout is not inherited by the default-timeout step after it, and
# still fires when that step comes round again.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

# shellcheck disable=SC2016 # nginx variables, not the shell's
NGINX_LOG_EXTRA='[$content_length] [$http_x_step] [$http_content_type]'
start_nginx "$(cat <<'NGX'
location = /echo { return 200 '{"status":"ok"}'; }
location = /moved { return 302 /echo?step=moved-target; }
NGX
)"

log "body, method, header and redirect rule do not leak into the next step"
scen="$TEST_TMP/options.yaml"
cat >"$scen" <<'EOF'
scenario: options
steps:
  - name: post
    request: {method: POST, url: /echo?step=post, json: {a: 1}, headers: {X-Step: post}}
    expect: {status: 200}
  - name: get-after-post
    request: {url: /echo?step=get-after-post}
    expect: {status: 200, body: {contains: '"ok"'}}
  - name: no-follow
    request: {url: /moved, follow: false}
    expect: {status: 302}
  - name: follow
    request: {url: /moved}
    expect: {status: 200}
  - name: delete
    request: {method: DELETE, url: /echo?step=delete}
    expect: {status: 200}
  - name: get-after-delete
    request: {url: /echo?step=get-after-delete}
    expect: {status: 200}
EOF
run_lg "$TEST_TMP/out" "$scen" --base-url "$NGINX_URL" -u 1 -i 3
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .totals.requests == 18 and .totals.errors == 0'
assert_eq "$(nginx_requests .)" 21 "requests nginx received (3 followed redirects)"
for line in "POST /echo\?step=post 200 .* \[7\] \[post\] \[application/json\]" \
    "GET /echo\?step=get-after-post 200 .* \[-\] \[-\] \[-\]" \
    "GET /echo\?step=moved-target 200 .* \[-\] \[-\] \[-\]" \
    "DELETE /echo\?step=delete 200 .* \[-\] \[-\] \[-\]" \
    "GET /echo\?step=get-after-delete 200 .* \[-\] \[-\] \[-\]"; do
    assert_eq "$(grep -cE "^$line\$" "$NGINX_ACCESS_LOG")" 3 "nginx log lines '$line'"
done
assert_eq "$(grep -cE '^GET /moved 302 .* \[-\] \[-\] \[-\]$' "$NGINX_ACCESS_LOG")" 6 \
    "/moved: each step's request, the followed one's first hop too"

log "a step's timeout does not leak into the next, and fires when it comes round"
start_pollserver
cat >"$TEST_TMP/timeouts.yaml" <<'EOF'
scenario: timeouts
steps:
  - name: short-fast
    request: {url: "/slow?ms=0", timeout: 300ms}
    expect: {status: 200}
  - name: default-slow
    request: {url: "/slow?ms=900"}
    expect: {status: 200}
  - name: short-slow
    request: {url: "/slow?ms=2000", timeout: 300ms}
EOF
run_lg "$TEST_TMP/timeouts" "$TEST_TMP/timeouts.yaml" --base-url "$POLL_URL" -u 1 -i 2
assert_status 1
assert_json "$RESULT" '.totals.requests == 6 and .totals.errors == 2'
assert_json "$RESULT" "$(nonzero .totals.error_classes) == {\"timeout\": 2}"
assert_json "$RESULT" "$(step short-fast) | .requests == 2 and .errors == 0"
assert_json "$RESULT" "$(step default-slow) | .requests == 2 and .errors == 0"
assert_json "$RESULT" "$(step short-slow) | .requests == 2 and .errors == 2"
assert_json "$RESULT" "$(step short-slow) | $(nonzero .error_classes) == {\"timeout\": 2}"
assert_eq "$(poll_count)" 6 "requests pollserver received"
