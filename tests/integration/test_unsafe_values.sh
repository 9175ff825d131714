#!/usr/bin/env bash
# A value rendered into a request at run time (here: captures) cannot make it go
# anywhere or carry anything the scenario did not say. A header value with CR or LF
# (header injection; NUL too, see test_request), a URL with a control character,
# and a URL naming another scheme than http or https (file:, ftp:) are refused:
# the request is not sent, and it is counted as unsent (which fails the gate
# whatever the thresholds say). nginx sees only the other requests, and never an
# injected header.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

# shellcheck disable=SC2016 # nginx variables, not the shell's
NGINX_LOG_EXTRA='inj=[$http_x_injected]'
start_nginx "$(cat <<'NGX'
location = /values {
    return 200 '{"crlf":"a\\r\\nX-Injected: yes","file":"file:///etc/hostname","ftp":"ftp://127.0.0.1/x"}';
}
location / { return 200 '{}'; }
NGX
)"

scen="$TEST_TMP/unsafe.yaml"
cat >"$scen" <<'EOF2'
scenario: unsafe
steps:
  - name: values
    request: {url: /values}
    capture:
      crlf: {json: $.crlf}
      file: {json: $.file}
      ftp: {json: $.ftp}
  - name: header-crlf
    request: {url: /h1, headers: {x-next: "{{crlf}}"}}
    on_failure: continue
  - name: path-crlf
    request: {url: "/p/{{crlf}}"}
    on_failure: continue
  - name: url-file
    request: {url: "{{file}}"}
    on_failure: continue
  - name: url-ftp
    request: {url: "{{ftp}}"}
    on_failure: continue
  - name: after
    request: {url: /after}
EOF2
lg check "$scen"
assert_status 0 "check: what the captures hold is known only at run time"

run_lg "$TEST_TMP/out" "$scen" --base-url "$NGINX_URL" -u 1 -i 3
assert_status 1 "unsent requests fail the gate"
assert_eq "$(nginx_requests)" 6 "nginx received /values and /after only"
assert_eq "$(nginx_requests '^GET /(values|after) ')" 6 "nginx received /values and /after only"
assert_not_contains "$NGINX_ACCESS_LOG" "inj=[yes]" "no injected header reached the server"
assert_json "$RESULT" '.totals.requests == 6 and .totals.errors == 0 and .totals.unsent == 12'
for s in header-crlf path-crlf url-file url-ftp; do
    assert_json "$RESULT" "$(step "$s") | .requests == 0 and .unsent == 3" "$s is unsent"
done
assert_json "$RESULT" "$(step header-crlf) | .unsent_reasons == {\"unsafe_header\": 3}"
for s in path-crlf url-file url-ftp; do
    assert_json "$RESULT" "$(step "$s") | .unsent_reasons == {\"unsafe_url\": 3}" "$s: why"
done
assert_json "$RESULT" '.totals.unsent_reasons == {"unsafe_url": 9, "unsafe_header": 3}'
assert_contains "$LG_OUT" "unsent: 12 requests could not be sent (never reached the server; not counted as requests): unsafe_url 9, unsafe_header 3"
assert_contains "$LG_OUT" "    unsafe_header: a rendered header value held CR, LF or NUL (it would inject a line)"
assert_json "$RESULT" "$(step after) | .requests == 3 and .errors == 0"
