#!/usr/bin/env bash
# A password in a base URL's userinfo (https://user:PASS@host), from an
# environment's base_url or --base-url, authenticates the requests (nginx logs the
# user) yet appears in no output: stdout, stderr, summary.txt and result.json show
# user:***@, and so do the production interlock's refusal and a bad --base-url's
# error; a failure reason that would quote it hides it as a secret.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

pw="pw$RANDOM$RANDOM"
pw2="p$RANDOM@w$RANDOM" # written %40 in the URL: the server gets the '@'
# shellcheck disable=SC2016 # nginx variables, not the shell's
NGINX_LOG_EXTRA='user=[$remote_user]'
start_nginx "$(cat <<NGX
location = /health { return 200 '{"status":"ok"}'; }
location = /echo { return 200 '{"seen":"$pw"}'; }
location = /echo2 { return 200 '{"seen":"$pw2","auth":"\$http_authorization"}'; }
NGX
)"
authed="${NGINX_URL/http:\/\//http://lguser:$pw@}"
shown="${NGINX_URL/http:\/\//http://lguser:***@}"

dir="$TEST_TMP/suite"
mkdir -p "$dir"
cat >"$dir/suite.yaml" <<YAML
suite: userinfo
environments:
  staging:
    base_url: "$authed"
  prod:
    base_url: "$authed"
    protected: true
scenarios:
  - {file: s.yaml}
YAML
cat >"$dir/s.yaml" <<'YAML'
scenario: s
steps:
  - name: health
    request: {url: /health}
    expect: {status: 200}
  - name: echo
    request: {url: /echo}
    expect:
      json:
        $.seen: {equals: "something else"}
YAML

no_password() {
    local f
    for f in "$LG_OUT" "$LG_ERR" "$@"; do
        assert_not_contains "$f" "$pw" "no output shows the password"
    done
}

log "an environment's base_url"
run_lg "$TEST_TMP/env" "$dir/suite.yaml" --env staging -u 1 -i 2
assert_status 1 "the echo check fails"
assert_eq "$(nginx_requests '^GET /health 200 .* user=\[lguser\]$')" 2 "the requests authenticated"
assert_json "$RESULT" ".base_url == \"$shown\""
assert_contains "$LG_OUT" "$shown" "the summary shows the base URL redacted"
assert_contains "$TEST_TMP/env/summary.txt" "$shown"
assert_json "$RESULT" "$(step echo) | .checks.failed == 2"
assert_contains "$RESULT" "[secret]" "the failure reason hides the password it quotes"
no_password "$RESULT" "$TEST_TMP/env/summary.txt"

log "--base-url"
run_lg "$TEST_TMP/flag" "$dir/s.yaml" --base-url "$authed/" -u 1 -i 1
assert_status 1
assert_eq "$(nginx_requests '^GET /health 200 .* user=\[lguser\]$')" 3 "the request authenticated"
assert_json "$RESULT" ".base_url == \"$shown\""
no_password "$RESULT" "$TEST_TMP/flag/summary.txt"

log "the production interlock's refusal"
run_lg "$TEST_TMP/prod" "$dir/suite.yaml" --env prod -u 1 -i 1
assert_status 3
assert_contains "$LG_ERR" "is protected ($shown)"
no_password

log "a bad --base-url"
run_lg "$TEST_TMP/bad" "$dir/s.yaml" --base-url "ftp://lguser:$pw@127.0.0.1/" -u 1 -i 1
assert_status 2
assert_contains "$LG_ERR" "--base-url: expected an http:// or https:// URL, got 'ftp://lguser:***@127.0.0.1/'"
no_password

log "a --base-url that libcurl cannot use, or whose query would swallow the paths"
run_lg "$TEST_TMP/bad2" "$dir/s.yaml" --base-url "${authed/@/@2@}" -u 1 -i 1
assert_status 2
assert_contains "$LG_ERR" "is not a usable URL: Bad hostname"
no_password
run_lg "$TEST_TMP/bad3" "$dir/s.yaml" --base-url "$NGINX_URL/?tenant=a" -u 1 -i 1
assert_status 2
assert_contains "$LG_ERR" "a base URL cannot have a query"
assert_eq "$(nginx_requests)" 6 "nothing more was sent (4 + 2 requests of the runs before)"

log "a percent-encoded password, and the Basic credentials a server echoes"
cat >"$dir/s2.yaml" <<'YAML'
scenario: s2
steps:
  - name: echo2
    request: {url: /echo2}
    expect:
      json:
        $.seen: {equals: "something else"}
        $.auth: {equals: "something else"}
YAML
basic="Basic $(printf '%s' "lguser:$pw2" | base64 -w0)"
run_lg "$TEST_TMP/enc" "$dir/s2.yaml" --base-url "${NGINX_URL/http:\/\//http://lguser:${pw2/@/%40}@}" \
    -u 1 -i 1
assert_status 1 "the echo checks fail"
assert_eq "$(nginx_requests '^GET /echo2 200 .* user=\[lguser\]$')" 1 "the request authenticated"
assert_json "$RESULT" "$(step echo2) | .checks.failed == 2"
for f in "$LG_OUT" "$LG_ERR" "$RESULT" "$TEST_TMP/enc/summary.txt"; do
    assert_not_contains "$f" "$pw2" "no output shows the decoded password"
    assert_not_contains "$f" "${pw2/@/%40}" "no output shows the password as written"
    assert_not_contains "$f" "${basic#Basic }" "no output shows the Basic credentials"
done
assert_contains "$RESULT" "[secret]"
