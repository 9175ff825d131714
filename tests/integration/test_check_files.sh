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

# Each data/bad_*.yaml has its exact diagnostics in data/bad_*.err; the files are
# checked from data/ so that the messages name them as data/*.err does.
cd "$LG_DATA"
for yaml in bad_*.yaml; do
    expected="${yaml%.yaml}.err"
    lg check "$yaml"
    assert_status 2 "check $yaml"
    _lg_asserts=$((_lg_asserts + 1))
    if ! diff -u "$expected" "$LG_ERR" >"$TEST_TMP/diff" 2>&1; then
        fail "check $yaml: stderr differs from data/$expected"
        sed 's/^/    /' "$TEST_TMP/diff" >&2
    fi
done
assert_eq "$(find . -maxdepth 1 -name 'bad_*.err' | wc -l)" "$(find . -maxdepth 1 -name 'bad_*.yaml' | wc -l)" \
    "every bad_*.yaml has its .err"

log "a file's mistakes are all reported together, in order"
assert_eq "$(wc -l <bad_two_errors.err)" 2 "bad_two_errors.err has two diagnostics"

log "several files: only the broken one is named, exit 2"
lg check good.yaml bad_status.yaml
assert_status 2
if ! diff -u bad_status.err "$LG_ERR" >"$TEST_TMP/diff" 2>&1; then
    fail "check good.yaml bad_status.yaml: stderr differs from data/bad_status.err"
    sed 's/^/    /' "$TEST_TMP/diff" >&2
fi

log "a file that does not exist"
lg check nope.yaml
assert_status 2
assert_eq "$(cat "$LG_ERR")" "nope.yaml: error: cannot read: No such file or directory" "stderr"

log "run refuses broken files before sending anything"
for file in bad_status.yaml bad_undefined_var.yaml bad_yaml_syntax.yaml bad_two_errors.yaml; do
    run_lg "$TEST_TMP/out-$file" "$file" --base-url "$POLL_URL"
    assert_status 2 "run $file"
    assert_contains "$LG_ERR" "$(head -n1 "${file%.yaml}.err")" "run $file"
done
assert_eq "$(poll_count)" 0 "requests pollserver received"
