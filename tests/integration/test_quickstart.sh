#!/usr/bin/env bash
# The README's quickstart journey against the routes tools/demo-quickstart serves
# (scenarios/examples/quickstart.nginx.conf): valid, passes, exact counts.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx

scen="$LG_SOURCE_DIR/scenarios/examples/quickstart.yaml"
start_nginx "$(cat "$LG_SOURCE_DIR/scenarios/examples/quickstart.nginx.conf")"

lg check "$scen"
assert_status 0 "check quickstart.yaml"

run_lg "$TEST_TMP/out" "$scen" --base-url "$NGINX_URL" -u 2 -i 4 --threshold 'p95(latency) < 5s'
assert_status 0
assert_json "$RESULT" '.verdict == "pass"'
assert_json "$RESULT" '.totals.requests == 12 and .totals.errors == 0 and .totals.iterations == 4'
assert_json "$RESULT" '.totals.checks_failed == 0 and .totals.checks_passed == 32' \
    "per iteration: health 3, login 2, item 3"
assert_json "$RESULT" '[.steps[].name] == ["health", "login", "item"]'
assert_json "$RESULT" '.steps | all(.requests == 4 and .errors == 0)'
assert_eq "$(nginx_requests '^GET /v1/items/tok-[0-9a-f]{32} 200 ')" 4 "items fetched with the captured token"
