#!/usr/bin/env bash
# summary.md renders with a real GFM renderer (Debian's cmark-gfm, table extension)
# into the expected tables: the gate with a failing threshold row, the per-step
# table, the failed checks with their reasons; a reason holding `<html>`, `|` and a
# backtick from the server stays text inside its cell (no raw tag, no extra cell);
# the base URL's password appears nowhere in it, its redacted form does.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx
command -v cmark-gfm >/dev/null || skip "cmark-gfm is not installed (tools/setup)"

start_nginx "$(cat <<'NGX'
location = /ok { return 200 '{"status":"ok"}'; }
location = /html { default_type text/html; return 200 '<html>a|b `c` </td><script>x</script>'; }
NGX
)"

dir="$TEST_TMP/suite"
mkdir -p "$dir"
cat >"$dir/md.yaml" <<'YAML'
scenario: md
steps:
  - name: ok
    request: {method: GET, url: /ok}
    expect: {status: 200}
  - name: html
    request: {method: GET, url: /html}
    on_failure: continue
    expect:
      json: {$.status: {equals: ok}}
YAML

pw="pw$RANDOM$RANDOM"
log "a failing threshold and a failing check; 3 iterations of 1 VU"
run_lg "$TEST_TMP/out" "$dir/md.yaml" --base-url "${NGINX_URL/http:\/\//http://lguser:$pw@}" -u 1 -i 3 \
    --threshold 'p95(latency) < 1us' --threshold 'error_rate < 100%'
assert_status 1 "the threshold fails the gate"
md="$TEST_TMP/out/summary.md"
assert_file "$md"
assert_eq "$(nginx_requests '^GET ')" 6 "requests nginx logged"
reason=$(jq -r "$(step html).checks.list[0].reasons[0].text" "$RESULT")
# shellcheck disable=SC2016 # a literal backtick, not an expansion
[[ "$reason" == *'<html>a|b `c` </td>'* ]] || fail "the reason does not hold the body: $reason"

log "the password is redacted, as in result.json"
assert_not_contains "$md" "$pw"
assert_json "$RESULT" '.base_url | startswith("http://lguser:***@")'
assert_contains "$md" "- **Base URL:** http://lguser:\\*\\*\\*@127.0.0.1:"

log "the verdict comes first"
assert_eq "$(head -n 1 "$md")" "## ✗ loadgate: FAIL · md" "first line"

html="$TEST_TMP/summary.html"
# has_block FILE TEXT: FILE holds TEXT, lines and all (assert_contains greps line by line)
has_block() {
    _lg_asserts=$((_lg_asserts + 1))
    [[ "$(cat "$1")" == *"$2"* ]] || {
        fail "$(basename "$1") does not hold the lines: $2"
        sed 's/^/    | /' "$1" >&2
    }
}
cmark-gfm -e table "$md" >"$html"
if [[ -n "${LG_MD_KEEP:-}" ]]; then cp "$md" "$html" "$LG_MD_KEEP/"; fi

log "three tables: gate, steps, failed checks (errors: a fourth)"
assert_eq "$(grep -c '<table>' "$html")" 4 "tables"
has_block "$html" '<th align="center"></th>
<th>threshold or rule</th>
<th>observed</th>'
has_block "$html" '<th>step</th>
<th align="right">count</th>
<th align="right">rps</th>
<th align="right">p50</th>
<th align="right">p90</th>
<th align="right">p95</th>
<th align="right">p99</th>
<th align="right">max</th>
<th align="right">errors</th>
<th align="right">checks</th>'
has_block "$html" '<th>step</th>
<th>check</th>
<th align="right">failed</th>
<th>reason</th>
<th align="right">count</th>'
assert_contains "$html" '<th>error class</th>'

log "the failing threshold's row: its mark, the expression and what was observed"
observed=$(jq -r '.thresholds[0].observed_text' "$RESULT")
has_block "$html" "<td align=\"center\">✗</td>
<td>p95(latency) &lt; 1us</td>
<td>$observed</td>"
has_block "$html" '<td align="center">✓</td>
<td>error_rate &lt; 100%</td>'
has_block "$html" '<td>md/ok</td>
<td align="right">3</td>'
assert_contains "$html" '<td align="right">3/3</td>'

log "the reason stays text in its one cell: no tag from the body, no extra cell"
assert_not_contains "$html" '<html>'
assert_not_contains "$html" '<script>'
assert_not_contains "$html" '<code>'
assert_not_contains "$html" 'raw HTML omitted'
assert_not_contains "$html" "$pw"
assert_contains "$html" "<li><strong>Base URL:</strong> http://lguser:***@127.0.0.1:"
# cmark-gfm writes a quote as &quot;
esc=$(printf '%s' "$reason" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g')
has_block "$html" "<td>$esc</td>
<td align=\"right\">3</td>
</tr>"
# every row of every table has as many cells as its header
python3 - "$html" <<'PY' || fail "a row has more or fewer cells than its header"
import re, sys
html = open(sys.argv[1]).read()
for table in re.findall(r"<table>(.*?)</table>", html, re.S):
    rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
    widths = {len(re.findall(r"<t[hd][ >]", r)) for r in rows}
    assert len(widths) == 1, widths
PY
