#!/usr/bin/env bash
# report.html in a real browser (Debian's chromium, chromium-driver and
# python3-selenium), headless, with the network blocked (no DNS, a dead proxy):
# an open-model run of two steps against nginx, one named <img onerror> in the
# suite, its check failing with a hostile reason from the server (</script><script>). The page
# loads with no console error (a CSP violation is one) and no request but the file
# itself; no script from the reason ran; every chart is in the DOM with the number
# of points result.json's series length and the downsampling rule give; the hover
# script (allowed by its hash) runs; and with JavaScript off the charts are all
# there. A full-page screenshot goes to BUILD/out/report.png for a person to look
# at. Then a run judged against the first with --baseline: every distribution chart
# of a step both runs have, and the overall one, overlays the baseline's curve with
# the points its histogram in result.json gives, labelled in the legend, with no
# console error under the same CSP. Then a run stopped by SIGINT: the page says
# ABORTED in its banner.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_nginx
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
"$PY" -c 'import selenium' 2>/dev/null || skip "python3-selenium is not installed (tools/setup)"
command -v chromium >/dev/null || skip "chromium is not installed (tools/setup)"
command -v chromedriver >/dev/null || skip "chromium-driver is not installed (tools/setup)"

start_nginx "$(cat <<'NGX'
location = /ok { return 200 '{"status":"ok"}'; }
location = /evil { return 200 '{"status":"</script><script>alert(1)</script>"}'; }
NGX
)"

dir="$TEST_TMP/suite"
mkdir -p "$dir"
cat >"$dir/html.yaml" <<'YAML'
scenario: html
steps:
  - name: ok
    request: {method: GET, url: /ok}
    expect: {status: 200}
  - name: <img src=x onerror=alert(2)>
    request: {method: GET, url: /evil}
    on_failure: continue
    expect:
      json: {$.status: {equals: ok}}
YAML

shots="$(dirname "$LOADGATE")/out"
mkdir -p "$shots"

# browser HTML RESULT TMP SHOT VERDICT JS_OFF_TOO: loads the page in headless
# chromium with JavaScript on (and off too when JS_OFF_TOO is 1) and checks it (see
# the header); SHOT: where to write the screenshot, or "". Prints one line per
# finding; exits non-zero when a check failed.
browser() {
    "$PY" - "$@" <<'PY'
import base64, json, math, re, struct, sys, time, zlib
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.common.exceptions import NoAlertPresentException

html, result, tmp, shot, verdict, js_off_too = sys.argv[1:7]
res = json.load(open(result))
url = "file://" + html
failures = []

def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)

def driver(js, profile):
    o = Options()
    o.binary_location = "/usr/bin/chromium"
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,900", "--hide-scrollbars", "--no-first-run",
              "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
              "--user-data-dir=" + tmp + "/" + profile]:
        o.add_argument(a)
    if not js:
        o.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    o.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)

# What the page must draw, from result.json alone (docs/reports.md, report.html).
series = res["series"]
n = len(series)
w = 1 if n <= 600 else math.ceil(n / 600)
buckets = [series[i:i + w] for i in range(0, n, w)]
expect_points = len(buckets)
expect_latency = sum(1 for b in buckets if any(p["requests"] > 0 and p["p99_ms"] > 0 for p in b))
steps = res["steps"]

def pairs(d):
    return len(re.findall(r"[0-9.]+,[0-9.]+", d or ""))

def hist_total(b64):
    """The samples in an HdrHistogram V2 compressed base64 string (None: no string)."""
    if b64 is None:
        return None
    raw = base64.b64decode(b64)
    n = struct.unpack(">i", raw[4:8])[0]
    body = zlib.decompress(raw[8:8 + n])
    counts_len = struct.unpack(">i", body[4:8])[0]
    data, i, total = body[40:40 + counts_len], 0, 0
    while i < len(data):  # ZigZag LEB128: a negative value is a run of empty buckets
        v = shift = 0
        while True:
            b = data[i]
            i += 1
            v |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80 or shift >= 63:
                break
        v = (v >> 1) ^ -(v & 1)
        total += max(v, 0)
    return total

# The baseline's curve each distribution chart must draw: 101 points where the run's
# chart has samples and the baseline's histogram for it has some; none otherwise.
base = res.get("baseline") or {}
def base_points(step):
    if step is None:
        h = base.get("histogram")
        run = sum(hist_total(s["histogram"]) for s in steps)
    else:
        s = steps[int(step)]
        h = next((b["histogram"] for b in base.get("steps", [])
                  if b["scenario"] == s["scenario"] and b["step"] == s["name"]), None)
        run = hist_total(s["histogram"])
    total = hist_total(h)
    return 101 if run and total else -1

def charts(d, label):
    for cid, names, want in [("latency", ["p50", "p95", "p99"], expect_latency),
                             ("rps", ["requests/s"], expect_points),
                             ("errors", ["errors"], expect_points),
                             ("vus", ["active VUs"], expect_points)]:
        svg = d.find_elements(By.CSS_SELECTOR, f'svg[data-chart="{cid}"]')
        check(len(svg) == 1, f"{label}: one {cid} chart")
        if not svg:
            continue
        check(svg[0].get_attribute("data-points") == str(expect_points),
              f"{label}: {cid} data-points {svg[0].get_attribute('data-points')} == {expect_points}")
        for name in names:
            p = svg[0].find_elements(By.CSS_SELECTOR, f'path[data-series="{name}"]')
            got = pairs(p[0].get_attribute("d")) if p else -1
            check(got == want, f"{label}: {cid} series {name} has {got} points, want {want}")
    dist = d.find_elements(By.CSS_SELECTOR, 'svg[data-chart="distribution"]')
    check(len(dist) == 1, f"{label}: one overall distribution chart")
    per = d.find_elements(By.CSS_SELECTOR, 'svg[data-chart="step-distribution"]')
    check(len(per) == len(steps), f"{label}: {len(per)} step distributions for {len(steps)} steps")
    overlays = 0
    for svg in dist + per:
        step = svg.get_attribute("data-step")
        paths = [p for p in svg.find_elements(By.CSS_SELECTOR, "path[data-series]")
                 if p.get_attribute("data-series") != "baseline"]
        check(1 <= len(paths) <= 2 and all(pairs(p.get_attribute("d")) == 101 for p in paths),
              f"{label}: distribution {step or 'all'}: "
              f"{[pairs(p.get_attribute('d')) for p in paths]} points, want 101 each")
        b = svg.find_elements(By.CSS_SELECTOR, 'path[data-series="baseline"]')
        got = pairs(b[0].get_attribute("d")) if b else -1
        want = base_points(step)
        check(len(b) <= 1 and got == want,
              f"{label}: distribution {step or 'all'}: baseline curve {got} points, want {want}")
        if b:
            overlays += 1
            cap = svg.find_element(By.XPATH, "..").find_element(By.TAG_NAME, "figcaption").text
            key = "baseline of " + base["started_at"] + " (wide band)"
            check(key in cap, f"{label}: legend {cap!r} names {key!r}")
            # beneath the run's curve: drawn first
            first = svg.find_elements(By.CSS_SELECTOR, "path[data-series]")[0]
            check(first.get_attribute("data-series") == "baseline", f"{label}: baseline drawn first")
    if base:
        check(overlays >= 1, f"{label}: {overlays} baseline curves drawn")

# The requests the page made (the browser's own start page, chrome://, is not it),
# and any request at all to the network.
def requests_made(d):
    urls = []
    for e in d.get_log("performance"):
        m = json.loads(e["message"])["message"]
        if m.get("method") == "Network.requestWillBeSent":
            u = m["params"]["request"]["url"]
            if m["params"].get("documentURL") == url or not u.startswith(("chrome:", "data:")):
                urls.append(u)
    return urls

def common(d, label):
    d.get("about:blank")
    d.get_log("performance")
    d.get(url)
    time.sleep(0.5)
    try:
        text = d.switch_to.alert.text
        check(False, f"{label}: an alert opened: {text}")
    except NoAlertPresentException:
        check(True, f"{label}: no alert")
    check(d.title.startswith("loadgate: "), f"{label}: title {d.title!r}")
    severe = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    check(not severe, f"{label}: no console error {severe}")
    other = [u for u in requests_made(d) if u != url]
    check(not other, f"{label}: no request besides the file {other}")
    check(d.execute_script("return document.images.length") == 0, f"{label}: no <img>")
    check(d.execute_script("return document.querySelectorAll('script').length") == 1,
          f"{label}: one <script>, the page's own")
    csp = d.execute_script("var m=document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]');"
                           "return m?m.content:null")
    check(csp is not None and csp.startswith("default-src 'none'; style-src 'sha256-")
          and "unsafe" not in csp, f"{label}: the CSP {csp!r}")
    banner = d.find_element(By.ID, "verdict")
    check(banner.get_attribute("data-verdict") == verdict,
          f"{label}: banner says {banner.get_attribute('data-verdict')}, want {verdict}")
    check(banner.text.split()[1] == verdict, f"{label}: banner text {banner.text.splitlines()[0]!r}")
    charts(d, label)
    return banner

# JavaScript on: everything above, the hostile reason shown as text, hover works.
d = driver(True, "js")
try:
    common(d, "js on")
    for s in steps:
        for c in s["checks"]["list"]:
            for r in c["reasons"]:
                cells = [e.text for e in d.find_elements(By.CSS_SELECTOR, "td.reason")]
                check(r["text"] in cells, f"reason shown as text: {r['text'][:60]!r}")
    lat = d.find_elements(By.CSS_SELECTOR, 'svg[data-chart="latency"]')
    if lat and expect_latency:
        ActionChains(d).move_to_element(lat[0]).perform()
        time.sleep(0.2)
        ro = lat[0].find_elements(By.CSS_SELECTOR, "text.readout")
        check(ro and "p95" in ro[0].get_attribute("textContent"),
              f"hover read-out: {ro[0].get_attribute('textContent') if ro else None!r}")
    severe = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    check(not severe, f"no console error after hovering {severe}")
    if shot:
        height = d.execute_script("return document.documentElement.scrollHeight")
        d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                          {"width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": False})
        d.save_screenshot(shot)
        print("screenshot " + shot)
finally:
    d.quit()

if js_off_too != "1":
    sys.exit(1 if failures else 0)

# JavaScript off: the same page, the same charts; the hover script never ran.
d = driver(False, "nojs")
try:
    common(d, "js off")
    check(not d.find_elements(By.CSS_SELECTOR, "text.readout"), "js off: no read-out (no script ran)")
finally:
    d.quit()
sys.exit(1 if failures else 0)
PY
}

log "open model, 2 steps, 20 iterations/s for 3 s; the evil step's check fails"
run_lg "$TEST_TMP/out" "$dir/html.yaml" --base-url "$NGINX_URL" -r 20/s -d 3s --max-vus 10
assert_status 1 "the failed check fails the gate"
html="$TEST_TMP/out/report.html"
assert_file "$html"
assert_json "$RESULT" '.series | length >= 2'
evil=$(step '<img src=x onerror=alert(2)>')
assert_json "$RESULT" "$evil | .checks.failed >= 1"
reason=$(jq -r "$evil.checks.list[0].reasons[0].text" "$RESULT")
[[ "$reason" == *'</script><script>alert(1)</script>'* ]] ||
    fail "the reason does not hold the hostile body: $reason"
assert_not_contains "$html" '<img'
assert_eq "$(grep -o '<script' "$html" | wc -l)" 1 "<script in the file"

log "headless chromium, network blocked, JavaScript on and off"
if browser "$html" "$RESULT" "$TEST_TMP" "$shots/report.png" FAIL 1 >"$TEST_TMP/browser.out" 2>&1; then
    _lg_asserts=$((_lg_asserts + $(grep -c '^ok ' "$TEST_TMP/browser.out")))
else
    fail "the browser checks failed"
fi
sed 's/^/    | /' "$TEST_TMP/browser.out"
assert_file "$shots/report.png"

log "judged against the first run (--baseline): the baseline's curves overlay the distributions"
# warning: sub-millisecond loopback latencies are the machine's noise, not nginx's
run_lg "$TEST_TMP/judged" "$dir/html.yaml" --base-url "$NGINX_URL" -r 20/s -d 3s --max-vus 10 \
    --baseline "$TEST_TMP/out/result.json" --baseline-severity warning
assert_status 1 "the failed check still fails the gate"
assert_json "$RESULT" '.baseline.histogram | startswith("HISTF")'
assert_json "$RESULT" '[.baseline.steps[] | .step] == ["ok", "<img src=x onerror=alert(2)>"]'
assert_eq "$(grep -o 'data-series="baseline"' "$TEST_TMP/judged/report.html" | wc -l)" 3 \
    "baseline curves (overall and 2 steps)"
if browser "$TEST_TMP/judged/report.html" "$RESULT" "$TEST_TMP" "$shots/report-baseline.png" FAIL 0 \
    >"$TEST_TMP/browser.out" 2>&1; then
    _lg_asserts=$((_lg_asserts + $(grep -c '^ok ' "$TEST_TMP/browser.out")))
else
    fail "the browser checks of the run with a baseline failed"
fi
sed 's/^/    | /' "$TEST_TMP/browser.out"
grep -q '^ok   js on: distribution all: baseline curve 101 points, want 101$' "$TEST_TMP/browser.out" ||
    fail "the overall baseline curve was not checked"

log "a run stopped by SIGINT: the page says ABORTED"
out="$TEST_TMP/aborted"
env --default-signal=INT "$LOADGATE" run "$dir/html.yaml" --base-url "$NGINX_URL" -r 20/s -d 30s \
    --max-vus 10 --out "$out" --no-progress </dev/null >"$LG_OUT" 2>"$LG_ERR" &
pid=$!
_lg_pids+=("$pid")
sleep 2
kill -INT "$pid" 2>/dev/null || fail "loadgate exited before SIGINT"
set +e
wait "$pid"
LG_STATUS=$?
set -e
RESULT="$out/result.json"
assert_status 3 "aborted by SIGINT"
assert_json "$RESULT" '.verdict == "aborted"'
if browser "$out/report.html" "$RESULT" "$TEST_TMP" "" ABORTED 0 >"$TEST_TMP/browser.out" 2>&1; then
    _lg_asserts=$((_lg_asserts + $(grep -c '^ok ' "$TEST_TMP/browser.out")))
else
    fail "the browser checks of the aborted run failed"
fi
sed 's/^/    | /' "$TEST_TMP/browser.out"
