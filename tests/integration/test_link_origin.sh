#!/usr/bin/env bash
# A URL that a response chose (a captured link, url: "{{next}}") is where a hostile
# or compromised server sends the next request, as a redirect would: the headers
# that carry secrets and the cookies go along only when it names the base URL's
# origin. Two nginx servers on 127.0.0.1, A (the base URL) and B (another port):
# A's links to A get every header and the cookie, its link to B only the plain
# header, and a redirect from B back to A does not restore them (the request began
# at an origin that a server chose). A literal URL is the author's choice and is
# not filtered.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

# shellcheck disable=SC2016 # nginx variables, not the shell's
NGINX_LOG_EXTRA='key=[$http_x_api_key] tok=[$http_x_auth_token] trace=[$http_x_trace] cookie=[$http_cookie]'
start_nginx "$(cat <<'NGX'
location = /page { return 200 '{}'; }
location = /literal { return 200 '{}'; }
location = /back { return 302 $arg_to; }
NGX
)"
B_URL=$NGINX_URL
B_LOG=$NGINX_ACCESS_LOG
start_nginx "$(cat <<NGX
location = /login { add_header Set-Cookie "sid=c00kie; Path=/"; return 200 '{}'; }
location = /links {
    return 200 '{"a":"\$scheme://\$http_host/page","b":"$B_URL/page","ba":"$B_URL/back?to=\$scheme://\$http_host/page2"}';
}
location = /page { return 200 '{}'; }
location = /page2 { return 200 '{}'; }
NGX
)"
A_URL=$NGINX_URL
A_LOG=$NGINX_ACCESS_LOG

secret="k3y-$RANDOM$RANDOM"
dir="$TEST_TMP/suite"
mkdir -p "$dir"
cat >"$dir/suite.yaml" <<YAML
suite: links
environments:
  staging:
    base_url: "$A_URL"
    headers: {x-api-key: "{{env.LG_TEST_API_KEY}}", x-trace: t-1}
scenarios:
  - {file: links.yaml}
YAML
cat >"$dir/links.yaml" <<YAML
scenario: links
steps:
  - name: login
    request: {url: /login}
  - name: links
    request: {url: /links}
    capture:
      a: {json: \$.a}
      b: {json: \$.b}
      ba: {json: \$.ba}
  - name: to-a
    request: {url: "{{a}}", headers: {x-auth-token: tok-1}}
  - name: to-b
    request: {url: "{{b}}", headers: {x-auth-token: tok-1}}
  - name: via-b
    request: {url: "{{ba}}", headers: {x-auth-token: tok-1}}
  - name: literal
    request: {url: "$B_URL/literal", headers: {x-auth-token: tok-1}}
YAML

LG_TEST_API_KEY="$secret" run_lg "$TEST_TMP/out" "$dir/suite.yaml" --env staging -u 1 -i 1
assert_status 0 "every request succeeds"
assert_json "$RESULT" '.totals.requests == 6 and .totals.errors == 0'

# lines FILE URI TEXT: requests of URI in nginx log FILE whose logged headers end
# with TEXT (after nginx_requests has let the log settle).
lines() {
    awk -v uri="$2" -v text="$3" '$2 == uri && index($0, " " text) == length($0) - length(text) { n++ }
        END { print n + 0 }' "$1"
}
nginx_requests . >/dev/null # let the log settle
assert_eq "$(lines "$A_LOG" /page "key=[$secret] tok=[tok-1] trace=[t-1] cookie=[sid=c00kie]")" 1 \
    "a link to the base URL's origin gets every header and the cookie"
none="key=[-] tok=[-] trace=[t-1] cookie=[-]"
assert_eq "$(lines "$B_LOG" /page "$none")" 1 "a link to another port: only the plain header"
assert_eq "$(lines "$A_LOG" /page2 "$none")" 1 \
    "a redirect back to the base origin does not restore them"
assert_eq "$(lines "$B_LOG" "/back?to=$A_URL/page2" "$none")" 1 "nor the hop through the other origin"
# (a cookie jar ignores ports: a request the file sends to B gets A's cookie)
assert_eq "$(lines "$B_LOG" /literal "key=[$secret] tok=[tok-1] trace=[t-1] cookie=[sid=c00kie]")" 1 \
    "a URL written in the file is the author's choice"
