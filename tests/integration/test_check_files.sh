#!/usr/bin/env bash
# `loadgate check` validates files and sends nothing: valid files exit 0 quietly;
# each broken file in data/ exits 2 with "FILE:LINE:COL: error: MESSAGE" at the line
# of the mistake; several mistakes are all reported; `run` refuses the same files
# with exit 2 before sending a single request.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

start_pollserver --pending-polls 3

log "valid files"
lg check "$LG_DATA/good.yaml" "$LG_SOURCE_DIR/scenarios/examples/quickstart.yaml"
assert_status 0 "check of valid files"
assert_not_contains "$LG_ERR" "error:" "no diagnostics for valid files"

# file | the line (an extended regex) the first diagnostic must name
cases=(
    "bad_yaml_syntax.yaml|[0-9]+"
    "bad_unknown_key.yaml|4"
    "bad_status.yaml|6"
    "bad_undefined_var.yaml|6"
    "bad_think.yaml|5"
    "bad_for_each.yaml|4"
    "bad_until.yaml|5"
    "bad_jsonpath.yaml|7"
    "bad_regex.yaml|6"
    "bad_top_list.yaml|1"
    "bad_no_kind.yaml|1"
    "bad_alias.yaml|[36]"
    "bad_no_url.yaml|4"
)
for c in "${cases[@]}"; do
    file=${c%%|*}
    line=${c#*|}
    re="^(.*/)?${file//./\\.}:${line}:[0-9]+: error: .+"
    lg check "$LG_DATA/$file"
    assert_status 2 "check $file"
    assert_matches "$LG_ERR" "$re" "check $file"
    # every error line has the FILE:LINE:COL form
    assert_eq "$(grep -E 'error' "$LG_ERR" | grep -cvE '^(.*/)?[A-Za-z0-9_.-]+\.yaml:[0-9]+:[0-9]+: error: .+' || true)" 0 \
        "check $file: error lines of stderr not of the form FILE:LINE:COL: error: MSG"
    assert_not_contains "$LG_ERR" "AddressSanitizer" "check $file"
done

log "an empty file"
lg check "$LG_DATA/bad_empty.yaml"
assert_status 2 "check of an empty file"
assert_matches "$LG_ERR" '^(.*/)?bad_empty\.yaml(:[0-9]+:[0-9]+)?: error: .+'

log "all the mistakes of a file are reported together"
lg check "$LG_DATA/bad_two_errors.yaml"
assert_status 2
assert_matches "$LG_ERR" '^(.*/)?bad_two_errors\.yaml:5:[0-9]+: error: .+' "think: soon"
assert_matches "$LG_ERR" '^(.*/)?bad_two_errors\.yaml:9:[0-9]+: error: .+' "status: abc"

log "a suite: a missing scenario file and bad thresholds"
lg check "$LG_DATA/bad_suite.yaml"
assert_status 2
assert_matches "$LG_ERR" '^(.*/)?bad_suite\.yaml:4:[0-9]+: error: .*does-not-exist\.yaml' "missing scenario file"
assert_matches "$LG_ERR" '^(.*/)?bad_suite\.yaml:6:[0-9]+: error: .+' "threshold syntax"
assert_matches "$LG_ERR" '^(.*/)?bad_suite\.yaml:7:[0-9]+: error: .*nope' "unknown step"
assert_matches "$LG_ERR" '^(.*/)?bad_suite\.yaml:8:[0-9]+: error: .*bogus' "unknown metric"

log "several files: only the broken one is named, exit 2"
lg check "$LG_DATA/good.yaml" "$LG_DATA/bad_status.yaml"
assert_status 2
assert_matches "$LG_ERR" '^(.*/)?bad_status\.yaml:6:[0-9]+: error: '
assert_not_contains "$LG_ERR" "good.yaml"

log "a file that does not exist"
lg check "$TEST_TMP/nope.yaml"
assert_status 2
assert_contains "$LG_ERR" "nope.yaml"

log "run refuses broken files before sending anything"
for file in bad_status.yaml bad_undefined_var.yaml bad_yaml_syntax.yaml bad_two_errors.yaml; do
    run_lg "$TEST_TMP/out-$file" "$LG_DATA/$file" --base-url "$POLL_URL"
    assert_status 2 "run $file"
    assert_matches "$LG_ERR" "^(.*/)?${file//./\\.}:[0-9]+:[0-9]+: error: " "run $file"
done
assert_eq "$(poll_count)" 0 "requests pollserver received"
