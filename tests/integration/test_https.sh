#!/usr/bin/env bash
# HTTPS (and HTTP/2 where negotiated) against nginx with a CA and certificate made
# here: --cacert with that CA passes; without it the certificate is not trusted and
# the request fails with class tls; --insecure skips verification; an environment's
# ca_file trusts the same way, and a bundle with no certificate is refused (exit 2).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx
command -v openssl >/dev/null || { echo "openssl is required (tools/setup installs it)" >&2; exit 1; }

make_ca_and_cert "$TEST_TMP/pki"
start_nginx --tls "$TEST_TMP/pki" "$(cat <<'NGX'
location = /health { return 200 '{"status":"ok","scheme":"$scheme","protocol":"$server_protocol"}'; }
NGX
)"

# the server itself is right: curl trusts it with the CA
curl -sS --max-time 5 --cacert "$TEST_TMP/pki/ca.pem" "$NGINX_URL/health" >"$TEST_TMP/curl.json"
assert_json "$TEST_TMP/curl.json" '.status == "ok" and .scheme == "https"' "curl with the CA"

scen="$TEST_TMP/tls.yaml"
cat >"$scen" <<'EOF'
scenario: tls
steps:
  - name: health
    request: {method: GET, url: /health}
    expect:
      status: 200
      json:
        $.scheme: {equals: https}
EOF

log "--cacert: trusted"
run_lg "$TEST_TMP/out1" "$scen" --base-url "$NGINX_URL" --cacert "$TEST_TMP/pki/ca.pem" -i 3 -u 2
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .totals.requests == 3 and .totals.errors == 0'
assert_json "$RESULT" "$(step health) | .status == {\"200\": 3} and .checks.failed == 0"
assert_eq "$(nginx_requests '^GET /health 200 ')" 4 "requests nginx received (3 and curl's)"
log "protocols nginx saw: $(awk '{print $4}' "$NGINX_ACCESS_LOG" | sort | uniq -c | tr '\n' ' ')"

log "no --cacert: the certificate is not trusted (tls)"
run_lg "$TEST_TMP/out2" "$scen" --base-url "$NGINX_URL"
assert_status 1
assert_json "$RESULT" '.verdict == "fail" and .totals.requests == 1 and .totals.errors == 1'
assert_json "$RESULT" "$(nonzero .totals.error_classes) == {\"tls\": 1}"
assert_json "$RESULT" "$(step health) | .status == {\"0\": 1}"
assert_eq "$(nginx_requests '^GET /health ')" 4 "no request got through the failed handshake"

log "--insecure: not verified"
run_lg "$TEST_TMP/out3" "$scen" --base-url "$NGINX_URL" --insecure
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .totals.requests == 1 and .totals.errors == 0'

log "a CA that did not sign the server certificate: tls"
make_ca_and_cert "$TEST_TMP/other"
run_lg "$TEST_TMP/out4" "$scen" --base-url "$NGINX_URL" --cacert "$TEST_TMP/other/ca.pem"
assert_status 1
assert_json "$RESULT" "$(nonzero .totals.error_classes) == {\"tls\": 1}"

log "an environment's ca_file, relative to the suite: trusted"
suite="$TEST_TMP/suite.yaml"
cat >"$suite" <<EOF2
suite: tls
environments:
  local: {ca_file: pki/ca.pem, base_url: "$NGINX_URL"}
  nocert: {ca_file: tls.yaml, base_url: "$NGINX_URL"}
scenarios:
  - {file: tls.yaml}
EOF2
run_lg "$TEST_TMP/out5" "$suite" --env local -i 2
assert_status 0
assert_json "$RESULT" '.verdict == "pass" and .totals.requests == 2 and .totals.errors == 0'
assert_eq "$(nginx_requests '^GET /health 200 ')" 7 "requests nginx answered with 200 (4, 1 insecure, 2 here)"

log "a ca_file with no certificate in it: refused before anything is sent (exit 2)"
run_lg "$TEST_TMP/out6" "$suite" --env nocert -i 1
assert_status 2
assert_contains "$LG_ERR" \
    "$suite:4:21: error: cannot use ca_file '$TEST_TMP/tls.yaml': no usable PEM certificate in it (no certificate or crl found)"

log "--cacert naming a directory: refused (exit 2)"
run_lg "$TEST_TMP/out7" "$scen" --base-url "$NGINX_URL" --cacert "$TEST_TMP/pki"
assert_status 2
assert_contains "$LG_ERR" "loadgate: --cacert: cannot use '$TEST_TMP/pki': not a regular file"

log "--cacert with a damaged certificate (cut short): refused with OpenSSL's reason (exit 2)"
head -c 200 "$TEST_TMP/pki/ca.pem" >"$TEST_TMP/cut.pem"
run_lg "$TEST_TMP/out8" "$scen" --base-url "$NGINX_URL" --cacert "$TEST_TMP/cut.pem"
assert_status 2
assert_matches "$LG_ERR" "^loadgate: --cacert: cannot use '.*/cut\.pem': no usable PEM certificate in it \(bad [a-z0-9 ]+\)$"
assert_eq "$(nginx_requests '^GET /health ')" 7 "requests nginx received (none from the refused runs)"
