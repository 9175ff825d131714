#!/usr/bin/env bash
# Headers that carry secrets, and cookies, never follow a redirect to another
# origin (scheme, host or port). Two nginx servers on 127.0.0.1, A and B (the same
# host, another port: a cookie jar alone would send A's cookies to B), log the
# headers each request brought. A redirect within A keeps every header and the
# cookie; one from A to B drops the env.* header, the credential-named header and
# the cookie but keeps the plain one; the hop back from B to A has them all again.
# Every request still succeeds.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

# shellcheck disable=SC2016 # nginx variables, not the shell's
NGINX_LOG_EXTRA='key=[$http_x_api_key] tok=[$http_x_auth_token] trace=[$http_x_trace] cookie=[$http_cookie]'
start_nginx "$(cat <<'NGX'
location = /landing { add_header Set-Cookie "b=from-b; Path=/"; return 200 '{}'; }
location = /back { return 302 $arg_to; }
NGX
)"
B_URL=$NGINX_URL
B_LOG=$NGINX_ACCESS_LOG
start_nginx "$(cat <<NGX
location = /login { add_header Set-Cookie "sid=c00kie; Path=/"; return 200 '{}'; }
location = /same { return 301 /landing; }
location = /away { return 301 $B_URL/landing; }
location = /bounce { return 302 "$B_URL/back?to=\$scheme://\$http_host/landing2"; }
location = /landing { return 200 '{}'; }
location = /landing2 { return 200 '{}'; }
NGX
)"
A_URL=$NGINX_URL
A_LOG=$NGINX_ACCESS_LOG

secret="k3y-$RANDOM$RANDOM"
dir="$TEST_TMP/suite"
mkdir -p "$dir"
cat >"$dir/suite.yaml" <<YAML
suite: origins
environments:
  staging:
    base_url: "$A_URL"
    headers: {x-api-key: "{{env.LG_TEST_API_KEY}}", x-trace: t-1}
scenarios:
  - {file: hops.yaml}
YAML
cat >"$dir/hops.yaml" <<'YAML'
scenario: hops
steps:
  - name: login
    request: {url: /login, headers: {x-auth-token: tok-1}}
    expect: {status: 200}
  - name: same
    request: {url: /same, headers: {x-auth-token: tok-1}}
    expect: {status: 200}
  - name: away
    request: {url: /away, headers: {x-auth-token: tok-1}}
    expect: {status: 200}
  - name: bounce
    request: {url: /bounce, headers: {x-auth-token: tok-1}}
    expect: {status: 200}
YAML

LG_TEST_API_KEY="$secret" run_lg "$TEST_TMP/out" "$dir/suite.yaml" --env staging -u 1 -i 2
assert_status 0 "every hop succeeds"
assert_json "$RESULT" '.totals.requests == 8 and .totals.errors == 0'

# hops FILE URI TEXT: requests of URI (path and query) in nginx log FILE whose
# logged headers read TEXT exactly (after nginx_requests has let the log settle).
hops() {
    awk -v uri="$2" -v text="$3" '$2 == uri && index($0, " " text) == length($0) - length(text) { n++ }
        END { print n + 0 }' "$1"
}
all="key=[$secret] tok=[tok-1] trace=[t-1] cookie=[sid=c00kie]"
none="key=[-] tok=[-] trace=[t-1] cookie=[-]"
nginx_requests . >/dev/null # let the log settle
assert_eq "$(hops "$A_LOG" /landing "$all")" 2 "a redirect within the origin keeps every header and the cookie"
assert_eq "$(hops "$A_LOG" /landing2 "$all")" 2 "back at the first origin, every header and the cookie again"
assert_eq "$(hops "$B_LOG" /landing "$none")" 2 \
    "to another port: no secret header, no cookie, the plain header kept"
assert_eq "$(hops "$B_LOG" "/back?to=$A_URL/landing2" "$none")" 2 \
    "the hop through the other origin carries none either"
assert_not_contains "$B_LOG" "$secret" "the secret never reached the other origin"
assert_not_contains "$B_LOG" "c00kie" "the cookie never reached the other origin"
assert_not_contains "$A_LOG" "from-b" "a cookie the other origin set in a hop is not kept"
