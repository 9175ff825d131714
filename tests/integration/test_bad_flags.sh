#!/usr/bin/env bash
# Invalid command lines exit 2, name what is wrong on stderr, and send nothing
# (pollserver's /count stays 0).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_pollserver --pending-polls 3
scen="$LG_DATA/good.yaml"

# bad "NEEDLE" ARGS...: `loadgate ARGS` exits 2 and stderr names NEEDLE (an
# extended regex, case-insensitive)
bad() {
    local needle=$1
    shift
    log "loadgate $*"
    lg "$@"
    assert_status 2 "$*"
    _lg_asserts=$((_lg_asserts + 1))
    if ! grep -qiE -- "$needle" "$LG_ERR"; then
        fail "loadgate $*: stderr does not name /$needle/"
        sed 's/^/    | /' "$LG_ERR" >&2
    fi
    assert_not_contains "$LG_ERR" "AddressSanitizer" "$*"
}

bad 'vus' run "$scen" --base-url "$POLL_URL" --vus -5
bad 'vus|-u' run "$scen" --base-url "$POLL_URL" -u abc
bad 'duration' run "$scen" --base-url "$POLL_URL" --duration soon
bad 'duration|-d' run "$scen" --base-url "$POLL_URL" -d 10parsecs
bad 'iterations|-i' run "$scen" --base-url "$POLL_URL" --iterations -1
bad 'vus' run "$scen" --base-url "$POLL_URL" --vus 0
bad 'iterations' run "$scen" --base-url "$POLL_URL" -i 0
bad 'seed' run "$scen" --base-url "$POLL_URL" --seed x
bad "cacert: cannot use '[^']*/no-such-ca\.pem': No such file" run "$scen" --base-url "$POLL_URL" --cacert "$TEST_TMP/no-such-ca.pem"
bad "cacert: cannot use '[^']*': not a regular file" run "$scen" --base-url "$POLL_URL" --cacert "$TEST_TMP"
bad "cacert: cannot use '[^']*/good\.yaml': no usable PEM certificate in it \(no certificate or crl found\)" run "$scen" --base-url "$POLL_URL" --cacert "$scen"
bad 'base-url' run "$scen" --base-url ftp://127.0.0.1/
bad 'frobnicate' run "$scen" --base-url "$POLL_URL" --frobnicate
bad 'vus' run "$scen" --base-url "$POLL_URL" --vus
bad 'threshold' run "$scen" --base-url "$POLL_URL" --threshold 'p95(latency) <'
bad 'bogus' run "$scen" --base-url "$POLL_URL" --threshold 'p95(bogus) < 1s'
bad 'nope' run "$scen" --base-url "$POLL_URL" --threshold 'p95(latency{step=nope}) < 1s'
bad 'var' run "$scen" --base-url "$POLL_URL" --var novalue
bad 'profile|smoke' run "$scen" --base-url "$POLL_URL" --profile smoke
bad 'env|staging' run "$scen" --base-url "$POLL_URL" --env staging
bad 'missing\.yaml' run "$TEST_TMP/missing.yaml" --base-url "$POLL_URL"
bad 'usage|file' run
bad 'usage|frob' frob

assert_eq "$(poll_count)" 0 "requests pollserver received"

log "the same scenario with good flags runs"
# pollserver answers /v1/items/7 with 404: with a threshold on error_rate beside the
# latency one, the thresholds decide alone (no failures rule)
run_lg "$TEST_TMP/out" "$scen" --base-url "$POLL_URL" --var id=7 --threshold 'count(latency) >= 1' \
    --threshold 'error_rate <= 100%' -u 1 -i 1
assert_status 0
assert_json "$RESULT" '.totals.requests == 1'
assert_eq "$(poll_count)" 1 "requests pollserver received"
