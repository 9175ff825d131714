#!/usr/bin/env bash
# shellcheck disable=SC2119 # start_target and target_responses take optional arguments
# tools/k8s with no cluster (docs/distributed.md). launch's manifests, rendered
# with a fixed N and time, deserialise into the Kubernetes API types with no
# unknown field and hold the semantics of a distributed run
# (check_k8s_manifests.py); planted mistakes fail that check. The image's
# Containerfile installs with tools/setup, whose runtime set holds every library
# the binary links, and runs as the manifests' non-root user. The pods'
# entrypoint (tools/k8s/segment) runs segment index + 1 of N at the start time,
# never a late one, passes SIGTERM on and ends its log with the result block,
# whatever loadgate said before it; collect reads the blocks back through
# `kubectl logs` (a fake kubectl here) byte for byte, says which segments have
# none, and refuses a cut block or a segment run twice. With a loadgate that has
# --segment and merge: two real segments against loadgate-target, collected and
# merged.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
"$PY" -c 'import yaml, kubernetes' 2>/dev/null ||
    skip "Debian's python3-yaml and python3-kubernetes are not installed (tools/setup)"
K8S="$LG_SOURCE_DIR/tools/k8s"
CHECK="$LG_SOURCE_DIR/tests/integration/check_k8s_manifests.py"
SUITE="$LG_SOURCE_DIR/scenarios/trivia/suite.yaml"

log "launch: 3 segments, the default margin, a fixed clock"
assert_exit 0 "$PY" "$K8S/launch" --segments 3 --image registry.example/loadgate:1 \
    --now 2026-12-06T13:58:00Z --loadgate "$LOADGATE" --secret trivia-staging \
    "$SUITE" -- --env staging --profile load
cp "$LG_OUT" "$TEST_TMP/job3.yaml"
assert_eq "$(cat "$LG_ERR")" "launch: job loadgate-20261206-140000 in default: 3 segments of \`loadgate run /suite/suite.yaml --env staging --profile load --threads 2\`, starting at 2026-12-06T14:00:00Z (120 s from now)" \
    "launch's summary"
assert_exit 0 "$PY" "$CHECK" "$K8S/Containerfile" 3 2026-12-06T14:00:00Z \
    "$LG_SOURCE_DIR/scenarios/trivia" "$TEST_TMP/job3.yaml"
[[ "$LG_STATUS" == 0 ]] || cat "$LG_OUT" >&2
for line in "  completionMode: Indexed" "  completions: 3" "  parallelism: 3" "  backoffLimit: 3" \
    "  name: \"loadgate-20261206-140000\"" "  name: \"loadgate-20261206-140000-suite\"" \
    "          args: [\"/suite/suite.yaml\", \"--env\", \"staging\", \"--profile\", \"load\", \"--threads\", \"2\"]" \
    "            - {name: LG_START_AT, value: \"2026-12-06T14:00:00Z\"}" \
    "          envFrom: [{\"secretRef\": {\"name\": \"trivia-staging\"}}]" \
    "            limits: {cpu: \"2\", memory: \"1Gi\"}" "  activeDeadlineSeconds: null"; do
    assert_contains "$TEST_TMP/job3.yaml" "$line" "the rendered Job"
done
# shellcheck disable=SC2016 # a literal ${
assert_not_contains "$TEST_TMP/job3.yaml" '${' "a placeholder left"

log "launch: an explicit start, 1000 segments, a deadline, a folder with a subfolder and bytes"
mkdir -p "$TEST_TMP/suite/data" "$TEST_TMP/suite/.git"
printf 'scenario: health\nsteps:\n  - name: health\n    request: {method: GET, url: /health}\n' \
    >"$TEST_TMP/suite/health.yaml"
printf 'suite: k8s\nenvironments:\n  local: {base_url: "http://127.0.0.1:1"}\nscenarios:\n  - {file: health.yaml}\n' \
    >"$TEST_TMP/suite/suite.yaml"
printf 'id,name\n1,caf\xc3\xa9 </script> & "quote"\n' >"$TEST_TMP/suite/data/users.csv"
head -c 3000 /dev/urandom >"$TEST_TMP/suite/data/blob.bin"
echo ignored >"$TEST_TMP/suite/.git/config"
assert_exit 0 "$PY" "$K8S/launch" --segments 1000 --image img --name run-7 --namespace load \
    --start-at 1796565600.5 --now 1796565500 --deadline 10m --cpu 1500m --memory 700Mi --loadgate "$LOADGATE" \
    "$TEST_TMP/suite/suite.yaml" -- --threads 3 --vus 1000 -d 5m
cp "$LG_OUT" "$TEST_TMP/job1000.yaml"
assert_exit 0 "$PY" "$CHECK" "$K8S/Containerfile" 1000 1796565600.5 "$TEST_TMP/suite" "$TEST_TMP/job1000.yaml"
[[ "$LG_STATUS" == 0 ]] || cat "$LG_OUT" >&2
for line in "  activeDeadlineSeconds: 701" "  namespace: \"load\"" \
    "          args: [\"/suite/suite.yaml\", \"--threads\", \"3\", \"--vus\", \"1000\", \"-d\", \"5m\"]" \
    "            requests: {cpu: \"1500m\", memory: \"700Mi\"}" '{"key": "data.users.csv", "path": "data/users.csv"}' \
    '{"key": "data.blob.bin", "path": "data/blob.bin"}' "          envFrom: []"; do
    assert_contains "$TEST_TMP/job1000.yaml" "$line" "the rendered Job"
done
assert_not_contains "$TEST_TMP/job1000.yaml" ".git" "a hidden folder in the ConfigMap"
assert_not_contains "$TEST_TMP/job1000.yaml" "</script>" "non-ASCII text goes as bytes"

log "launch refuses, printing nothing"
refused() {
    local expected=$1
    shift
    assert_exit 2 "$PY" "$K8S/launch" --loadgate "$LOADGATE" "$@"
    assert_eq "$(wc -c <"$LG_OUT")" 0 "standard output of a refused launch ($*)"
    assert_contains "$LG_ERR" "$expected" "launch $*"
}
refused "--segment is set by each pod" --segments 2 --image i --now 1000 "$SUITE" -- --segment 1/2
refused "--out is set by each pod" --segments 2 --image i --now 1000 "$SUITE" -- --out=x
refused "--segments '1001' is not a count" --segments 1001 --image i --now 1000 "$SUITE"
refused "--segments '0' is not a count" --segments 0 --image i --now 1000 "$SUITE"
refused "is not in the future" --segments 2 --image i --now 2026-12-06T14:00:00Z \
    --start-at 2026-12-06T14:00:00Z "$SUITE"
refused "is more than 24 h ahead" --segments 2 --image i --now 2026-12-06T14:00:00Z --margin 25h "$SUITE"
refused "'tomorrow' is not RFC 3339" --segments 2 --image i --start-at tomorrow "$SUITE"
refused "'Run_1' is not a DNS label" --segments 2 --image i --now 1000 --name Run_1 "$SUITE"
refused "unknown option --env (loadgate run flags go after --)" --segments 2 --image i "$SUITE" --env x
cp -r "$TEST_TMP/suite" "$TEST_TMP/big"
head -c 1100000 /dev/zero | tr '\0' 'x' >"$TEST_TMP/big/data.csv"
refused "more than a ConfigMap holds" --segments 2 --image i --now 1000 "$TEST_TMP/big/suite.yaml"
printf 'suite: broken\nscenarios: 3\n' >"$TEST_TMP/suite/broken.yaml"
refused "\`loadgate check" --segments 2 --image i --now 1000 --loadgate "$LOADGATE" "$TEST_TMP/suite/broken.yaml"
rm "$TEST_TMP/suite/broken.yaml"
# the check runs on what the ConfigMap holds: a scenario outside the suite's folder,
# or a hidden file, is not mounted in the pods, whatever the local check says
mkdir -p "$TEST_TMP/outside/suite" "$TEST_TMP/outside/shared"
cp "$TEST_TMP/suite/health.yaml" "$TEST_TMP/outside/shared/health.yaml"
cp "$TEST_TMP/suite/health.yaml" "$TEST_TMP/outside/suite/.health.yaml"
sed 's|file: health.yaml|file: ../shared/health.yaml|' "$TEST_TMP/suite/suite.yaml" >"$TEST_TMP/outside/suite/up.yaml"
sed 's|file: health.yaml|file: .health.yaml|' "$TEST_TMP/suite/suite.yaml" >"$TEST_TMP/outside/suite/hidden.yaml"
assert_exit 0 "$LOADGATE" check "$TEST_TMP/outside/suite/up.yaml" "$TEST_TMP/outside/suite/hidden.yaml"
refused "/suite/up.yaml" --segments 2 --image i --now 1000 "$TEST_TMP/outside/suite/up.yaml"
assert_contains "$LG_ERR" "on the files the ConfigMap holds" "launch of a suite reading ../shared"
refused "/suite/hidden.yaml" --segments 2 --image i --now 1000 "$TEST_TMP/outside/suite/hidden.yaml"
assert_not_contains "$LG_ERR" "$TEST_TMP" "launch's message names the pods' paths"

# planted SED_EXPR EXPECTED: a copy of job3.yaml with SED_EXPR applied, which
# must fail the check saying EXPECTED (checked below, all copies in one run)
plants=()
expects=()
planted() {
    local f="$TEST_TMP/planted.${#plants[@]}.yaml"
    sed -e "$1" "$TEST_TMP/job3.yaml" >"$f"
    _lg_asserts=$((_lg_asserts + 1))
    cmp -s "$f" "$TEST_TMP/job3.yaml" && fail "planting '$1' changed nothing"
    plants+=("$f")
    expects+=("$2")
}
log "planted mistakes fail the check"
# shellcheck disable=SC2016 # backticks in the expected messages are literal
{
planted 's/^  completionMode: Indexed/  completionMode: NonIndexed/' "not Indexed"
planted 's/^  parallelism: 3/  parallelism: 1/' "completions 3, parallelism 1, not both 3"
planted 's/^  completions: 3/  completions: "3"/' ".spec.completions: '3' reads as 3"
planted 's/^  backoffLimit: 3/  backoffLimit: 0\n  podFailurePolicy: {rules: []}/' \
    ".spec.podFailurePolicy: unknown field"
planted 's/^  backoffLimit: 3/  backoffLimit: 0/' "backoffLimit 0, not 3"
planted 's/^  completionMode:/  completionMod:/' ".spec.completionMod: unknown field"
planted 's/restartPolicy: Never/restartPolicy: OnFailure/' "restartPolicy 'OnFailure'"
planted 's/runAsUser: 10001/runAsUser: 0/' "runAsUser 0 (root)"
planted 's/runAsNonRoot: true/runAsNonRoot: false/' "not runAsNonRoot"
planted 's/{name: LG_SEGMENT_COUNT, value: "3"}/{name: LG_SEGMENT_COUNT, value: "4"}/' \
    "LG_SEGMENT_COUNT '4', not '3'"
planted 's/{name: LG_START_AT, value: "2026-12-06T14:00:00Z"}/{name: LG_START_AT, value: "2026-12-06T14:00:01Z"}/' \
    "LG_START_AT '2026-12-06T14:00:01Z', not '2026-12-06T14:00:00Z'"
planted 's/mountPath: \/suite,/mountPath: \/config,/' "is under no volume mount"
planted 's/limits: {cpu: "2"/limits: {cpu: "4"/' "requests = limits"
planted 's/readOnlyRootFilesystem: true/readOnlyRootFilesystem: false/' "root filesystem is writable"
planted 's/"key": "smoke.yaml", "path": "smoke.yaml"/"key": "smoke.yaml", "path": "smok.yaml"/' \
    "the suite's folder has"
planted 's/command: \[loadgate-segment\]/command: [loadgate]/' "not the image's loadgate-segment"
planted 's/^  template:/  templates:/' 'Invalid value for `template`, must not be `None`'
planted 's/^kind: ConfigMap/kind: Secret/' "not a kind the run uses"
planted 's/, app.kubernetes.io\/instance: "loadgate-20261206-140000"}$/}/' "topologySpreadConstraints select"
planted 's/^spec:/spec: [/' "not YAML"
}
assert_exit 1 "$PY" "$CHECK" "$K8S/Containerfile" 3 2026-12-06T14:00:00Z "$LG_SOURCE_DIR/scenarios/trivia" \
    "${plants[@]}"
for i in "${!plants[@]}"; do
    _lg_asserts=$((_lg_asserts + 1))
    grep -F -- "${plants[$i]}:" "$LG_OUT" | grep -qF -- "${expects[$i]}" ||
        fail "${plants[$i]}: no problem saying '${expects[$i]}'"
done
assert_eq "$(cut -d: -f1 "$LG_OUT" | sort -u | wc -l)" "${#plants[@]}" "planted copies found wrong"

log "the image: Debian 12, tools/setup's sets, the manifests' user"
CF="$K8S/Containerfile"
assert_eq "$(grep -c '^FROM debian:12\b' "$CF")" 2 "FROM debian:12 stages"
assert_eq "$(grep -c '^FROM' "$CF")" 2 "stages"
assert_contains "$CF" "RUN /src/tools/setup --build " "the build stage installs with tools/setup"
assert_contains "$CF" "RUN /usr/local/share/loadgate/setup --runtime " "the image installs with tools/setup"
assert_not_contains "$CF" "apt-get install" "a second package list"
assert_contains "$CF" "COPY tools/k8s/segment /usr/local/bin/loadgate-segment" "the Job's command"
assert_eq "$(grep '^USER' "$CF")" "USER 10001:10001" "the image's user"
assert_contains "$CF" "useradd --uid 10001 --user-group" "the user exists"
assert_eq "$("$LG_SOURCE_DIR/tools/setup" --runtime --list | tr '\n' ' ')" \
    "ca-certificates libcurl4 libev4 libjansson4 libyaml-0-2 libcsv3 libsimdjson14 " "tools/setup --runtime"
# every library the binary links comes from a runtime package or what it depends on
"$PY" - "$LOADGATE" "$LG_SOURCE_DIR/tools/setup" >"$TEST_TMP/closure.txt" 2>&1 <<'EOF' || true
import os, re, subprocess, sys
loadgate, setup = sys.argv[1], sys.argv[2]
run = lambda *a: subprocess.run(a, capture_output=True, text=True).stdout
runtime = run(setup, "--runtime", "--list").split()
deps = {}
for line in run("dpkg-query", "-W", "-f=${Package}\t${Depends}, ${Pre-Depends}\n").splitlines():
    pkg, _, d = line.partition("\t")
    deps[pkg] = [a.strip().split(" ")[0].split(":")[0] for x in d.split(",") for a in x.split("|") if a.strip()]
closure, todo = set(), list(runtime)
while todo:
    p = todo.pop()
    if p not in closure:
        closure.add(p)
        todo += deps.get(p, [])
# the libraries the binary names (a package brings what its libraries need), but
# not the sanitizer build's runtimes
needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[(\S+)\]", run("readelf", "-d", loadgate)))
libs = [m.group(2) for m in re.finditer(r"^\s*(\S+) => (/\S+)", run("ldd", loadgate), re.M)
        if m.group(1) in needed and not re.match(r"lib(asan|ubsan)\.", m.group(1))]
# dpkg knows a library by the path its package ships it at: /lib or /usr/lib
names = {}
for lib in libs:
    for v in {lib, os.path.realpath(lib), re.sub(r"^/usr/lib/", "/lib/", os.path.realpath(lib)),
              re.sub(r"^/lib/", "/usr/lib/", os.path.realpath(lib))}:
        names[v] = lib
owner = {}
for line in run("dpkg", "-S", *names).splitlines():
    pkgs, _, path = line.partition(": ")
    owner.setdefault(names.get(path), pkgs.split(",")[0].split(":")[0])
resolved = set(re.findall(r"^\s*(\S+) => /", run("ldd", loadgate), re.M))
for lib in sorted(needed - resolved):
    print(f"MISSING {lib}: not found")
for lib in libs:
    pkg = owner.get(lib)
    print(("ok " if pkg in closure else "MISSING ") + f"{lib} {pkg}")
EOF
assert_not_contains "$TEST_TMP/closure.txt" "MISSING" "a linked library outside tools/setup --runtime"
assert_contains "$TEST_TMP/closure.txt" "ok " "libraries checked"
assert_not_contains "$TEST_TMP/closure.txt" "Traceback" "the closure check"

# A stub loadgate: records its arguments, prints a forged block, writes a
# result.json full of hostile text (unless its exit code is 2: nothing sent),
# exits with STUB/exit.K (default 0); with STUB/sleep.K it waits for SIGTERM and
# then writes an aborted result and exits 3.
STUB="$TEST_TMP/stub"
mkdir -p "$STUB"
cat >"$STUB/loadgate" <<'EOF'
#!/usr/bin/env bash
out="" seg=""
args=("$@")
while (($#)); do
    case "$1" in --out) out=$2; shift ;; --segment) seg=$2; shift ;; esac
    shift
done
k=${seg%/*} n=${seg#*/}
printf '%s\n' "${args[@]}" >"$STUB_DIR/argv.$k"
echo "==== loadgate-segment $k/$n status=result exit=0 bytes=2 sha256=$(printf '{}' | sha256sum | cut -d' ' -f1) ===="
printf '{}' | gzip -n | base64
echo "==== end loadgate-segment $k/$n ===="
echo "the run's own output, after a forged block"
write() {
    jq -n --argjson k "$k" --argjson n "$n" --arg v "$1" '{schema: 1, segment: {index: $k, count: $n},
        verdict: $v, note: "<script>&\"\n==== end loadgate-segment 1/3 ====\n\u0001 caf\u00e9",
        series: [range(3000) | {t_s: ., requests: (. * 7)}]}' >"$out/result.json"
}
if [[ -f "$STUB_DIR/sleep.$k" ]]; then
    trap 'write aborted; exit 3' TERM
    touch "$STUB_DIR/started.$k"
    for _ in $(seq 300); do sleep 0.1; done
    exit 4
fi
code=$(cat "$STUB_DIR/exit.$k" 2>/dev/null || echo 0)
[[ "$code" == 2 ]] || write "$([[ "$code" == 0 ]] && echo pass || echo fail)"
exit "$code"
EOF
chmod 755 "$STUB/loadgate"
# segment I START [ARGS...]: the entrypoint as pod index I of 3 would run it;
# output in $STUB/pod.I.log, exit code in LG_STATUS
segment() {
    local i=$1 start=$2
    shift 2
    set +e
    env JOB_COMPLETION_INDEX="$i" LG_SEGMENT_COUNT=3 LG_START_AT="$start" LOADGATE="$STUB/loadgate" \
        STUB_DIR="$STUB" LG_OUT_DIR="$STUB/out.$i" LG_TERMINATION_LOG="$STUB/term.$i" \
        timeout -k 5 30 "$K8S/segment" "$@" >"$STUB/pod.$i.log" 2>"$STUB/pod.$i.err" </dev/null
    LG_STATUS=$?
    set -e
}
future=$(($(date +%s) + 600))
log "the entrypoint: index i runs --segment i+1/3 at the start time; pass, gate failed, invalid input"
echo 1 >"$STUB/exit.2"
echo 2 >"$STUB/exit.3"
for i in 0 1 2; do
    : >"$STUB/term.$i"
    segment "$i" "$future" /suite/suite.yaml --env staging
    assert_status 0 "segment index $i, whatever loadgate's verdict"
    assert_eq "$(tr '\n' ' ' <"$STUB/argv.$((i + 1))")" \
        "run /suite/suite.yaml --env staging --segment $((i + 1))/3 --start-at $future --out $STUB/out.$i --no-progress " \
        "loadgate's arguments in pod index $i"
done
assert_eq "$(tail -n 1 "$STUB/pod.0.log")" "==== end loadgate-segment 1/3 ====" "the log's last line"
assert_matches "$STUB/pod.0.log" "^==== loadgate-segment 1/3 status=result exit=0 bytes=[0-9]+ sha256=[0-9a-f]{64} ====$"
assert_matches "$STUB/pod.1.log" "^==== loadgate-segment 2/3 status=result exit=1 bytes=[0-9]+ sha256=[0-9a-f]{64} ====$"
assert_eq "$(tail -n 2 "$STUB/pod.2.log" | tr '\n' '|')" \
    "==== loadgate-segment 3/3 status=no-result exit=2 ====|==== end loadgate-segment 3/3 ====|" "no result"
assert_eq "$(cat "$STUB/term.1")" "segment 2/3: loadgate exit 1 (gate failed); result.json follows ($(stat -c %s "$STUB/out.1/result.json") bytes)" \
    "the termination message"
assert_eq "$(cat "$STUB/term.2")" "segment 3/3: loadgate exit 2 (invalid input); no result.json" "the termination message"

log "the entrypoint: a late pod sends nothing"
rm -f "$STUB/argv.1"
segment 0 "$(date -u -d @$(($(date +%s) - 5)) +%Y-%m-%dT%H:%M:%SZ)" /suite/suite.yaml
assert_status 0 "a late pod"
assert_eq "$(tr '\n' '|' <"$STUB/pod.0.log")" \
    "==== loadgate-segment 1/3 status=late exit=- ====|==== end loadgate-segment 1/3 ====|" "a late pod's log"
_lg_asserts=$((_lg_asserts + 1))
[[ ! -e "$STUB/argv.1" ]] || fail "a late pod ran loadgate"
assert_contains "$STUB/pod.0.err" "not run: started " "why"

log "the entrypoint refuses a misconfigured pod (exit 2)"
for bad in "JOB_COMPLETION_INDEX=" "JOB_COMPLETION_INDEX=3" "LG_SEGMENT_COUNT=0" "LG_START_AT=soon" \
    "LG_START_AT="; do
    set +e
    env JOB_COMPLETION_INDEX=0 LG_SEGMENT_COUNT=3 LG_START_AT="$future" LOADGATE="$STUB/loadgate" \
        "$bad" "$K8S/segment" /suite/suite.yaml >"$LG_OUT" 2>"$LG_ERR" </dev/null
    LG_STATUS=$?
    set -e
    assert_status 2 "$bad"
done
assert_contains "$LG_ERR" "LG_START_AT is not set"
segment 0 "$future" /suite/suite.yaml --start-at=1
assert_status 2 "--start-at in the arguments"
assert_contains "$STUB/pod.0.err" "--start-at=1 is set by loadgate-segment"

# sigterm_pod START: pod index 1 (a stub loadgate waiting for SIGTERM), stopped
# with SIGTERM once its loadgate runs and START has passed (or at once if START
# is ahead); exit code in LG_STATUS
sigterm_pod() {
    local start=$1 pod
    rm -f "$STUB/started.2"
    : >"$STUB/term.1"
    JOB_COMPLETION_INDEX=1 LG_SEGMENT_COUNT=3 LG_START_AT="$start" LOADGATE="$STUB/loadgate" \
        STUB_DIR="$STUB" LG_OUT_DIR="$STUB/out.1" LG_TERMINATION_LOG="$STUB/term.1" \
        "$K8S/segment" /suite/suite.yaml >"$STUB/pod.1.log" 2>"$STUB/pod.1.err" </dev/null &
    pod=$!
    for _ in $(seq 100); do [[ -e "$STUB/started.2" ]] && break; sleep 0.1; done
    while (($(date +%s) <= start && start - $(date +%s) < 60)); do sleep 0.2; done
    kill -TERM "$pod"
    set +e
    wait "$pod"
    LG_STATUS=$?
    set -e
}
touch "$STUB/sleep.2"
log "the entrypoint passes SIGTERM on: mid-run, loadgate's aborted result still goes out"
sigterm_pod $(($(date +%s) + 1))
assert_status 0 "the entrypoint after SIGTERM mid-run"
assert_matches "$STUB/pod.1.log" "^==== loadgate-segment 2/3 status=result exit=3 bytes="
assert_contains "$STUB/term.1" "loadgate exit 3 (aborted)"
log "SIGTERM before the start: nothing sent, the pod fails so that the Job replaces it"
sigterm_pod "$future"
assert_status 143 "the entrypoint after SIGTERM before the start"
assert_eq "$(tail -n 2 "$STUB/pod.1.log" | tr '\n' '|')" \
    "==== loadgate-segment 2/3 status=stopped exit=3 ====|==== end loadgate-segment 2/3 ====|" \
    "a pod stopped before the start"
assert_eq "$(cat "$STUB/term.1")" "segment 2/3: stopped before the start (loadgate exit 3): nothing sent" \
    "the termination message"
cp "$STUB/pod.1.log" "$TEST_TMP/stopped.log"
rm "$STUB/sleep.2"

# A fake kubectl: answers `get job`, `get pods` and `logs` from FAKE/, records its calls
FAKE="$TEST_TMP/fake"
mkdir -p "$FAKE/logs" "$TEST_TMP/bin"
cat >"$TEST_TMP/bin/kubectl" <<'EOF'
#!/usr/bin/env bash
echo "$*" >>"$FAKE/calls"
[[ "$1" == --namespace ]] && shift 2
case "$1 $2" in
"get job") cat "$FAKE/job.json" ;;
"get pods") cat "$FAKE/pods.json" ;;
"logs "*) cat "$FAKE/logs/$2.log" 2>/dev/null || { echo "Error from server (NotFound): pods \"$2\" not found" >&2; exit 1; } ;;
*) echo "fake kubectl: $*" >&2; exit 1 ;;
esac
EOF
chmod 755 "$TEST_TMP/bin/kubectl"
export FAKE
# fake_job N ACTIVE POD:INDEX:PHASE...: the Job and its pods as kubectl shows them
fake_job() {
    local n=$1 active=$2 p
    shift 2
    jq -n --argjson n "$n" --argjson a "$active" \
        '{kind: "Job", spec: {completionMode: "Indexed", completions: $n}, status: {active: $a}}' >"$FAKE/job.json"
    for p in "$@"; do echo "$p"; done | jq -R -s 'split("\n") | map(select(. != "") | split(":") |
        {metadata: {name: .[0], annotations: {"batch.kubernetes.io/job-completion-index": .[1]}},
         status: {phase: .[2]}}) | {items: .}' >"$FAKE/pods.json"
}
collect() {
    assert_exit "$1" env PATH="$TEST_TMP/bin:$PATH" "$PY" "$K8S/collect" --namespace load run-7 "$TEST_TMP/results"
}

log "collect: results byte for byte, the missing segment named"
# the pods as the entrypoint left them: index 0 and 1 with results (index 1 after
# an evicted pod whose log was cut), index 2 without
segment 0 "$future" /suite/suite.yaml
cp "$STUB/pod.0.log" "$FAKE/logs/run-7-0-aaaaa.log"
head -n 5 "$STUB/pod.1.log" >"$FAKE/logs/run-7-1-bbbbb.log"
segment 1 "$future" /suite/suite.yaml
cp "$STUB/pod.1.log" "$FAKE/logs/run-7-1-ccccc.log"
segment 2 "$future" /suite/suite.yaml
cp "$STUB/pod.2.log" "$FAKE/logs/run-7-2-ddddd.log"
sed "s|loadgate-segment 2/3|loadgate-segment 3/3|" "$TEST_TMP/stopped.log" >"$FAKE/logs/run-7-2-stopd.log"
fake_job 3 0 run-7-0-aaaaa:0:Succeeded run-7-1-bbbbb:1:Failed run-7-1-ccccc:1:Succeeded \
    run-7-2-stopd:2:Failed run-7-2-ddddd:2:Succeeded
mkdir -p "$TEST_TMP/results"
echo stale >"$TEST_TMP/results/segment-3.json"
collect 1
assert_eq "$(cat "$LG_OUT")" "segment 1/3: $TEST_TMP/results/segment-1.json (pod run-7-0-aaaaa, loadgate exit 0, pass)
segment 2/3: $TEST_TMP/results/segment-2.json (pod run-7-1-ccccc, loadgate exit 1, gate failed)
segment 3/3: MISSING: pod run-7-2-ddddd: loadgate exit 2 (invalid input), no result.json; pod run-7-2-stopd: stopped before the start time, nothing sent" "collect's report"
for k in 1 2; do
    _lg_asserts=$((_lg_asserts + 1))
    cmp -s "$TEST_TMP/results/segment-$k.json" "$STUB/out.$((k - 1))/result.json" ||
        fail "segment-$k.json is not the pod's result.json"
done
_lg_asserts=$((_lg_asserts + 1))
[[ ! -e "$TEST_TMP/results/segment-3.json" ]] || fail "an earlier collect's segment-3.json was left"
assert_file "$TEST_TMP/results/logs/segment-2.run-7-1-bbbbb.log" "the evicted pod's log"
assert_eq "$(head -n 1 "$FAKE/calls")" "--namespace load get job run-7 -o json" "kubectl's first call"

log "collect: every segment, a late replacement, a pod without a log"
echo 0 >"$STUB/exit.3"
segment 2 "$future" /suite/suite.yaml
cp "$STUB/pod.2.log" "$FAKE/logs/run-7-2-eeeee.log"
segment 2 "$(date -u -d @$(($(date +%s) - 5)) +%Y-%m-%dT%H:%M:%SZ)" /suite/suite.yaml
cp "$STUB/pod.2.log" "$FAKE/logs/run-7-2-fffff.log"
fake_job 3 0 run-7-0-aaaaa:0:Succeeded run-7-1-ccccc:1:Succeeded run-7-2-eeeee:2:Failed \
    run-7-2-fffff:2:Succeeded run-7-2-gone:2:Failed
collect 0
assert_contains "$LG_OUT" "segment 3/3: $TEST_TMP/results/segment-3.json (pod run-7-2-eeeee, loadgate exit 0, pass)"

log "collect refuses: a segment run twice, a cut block, a forged block, a running Job"
cp "$FAKE/logs/run-7-1-ccccc.log" "$FAKE/logs/run-7-1-twice.log"
fake_job 3 0 run-7-0-aaaaa:0:Succeeded run-7-1-ccccc:1:Succeeded run-7-1-twice:1:Failed run-7-2-eeeee:2:Succeeded
collect 2
assert_contains "$LG_ERR" "segment 2 has results from two pods (run-7-1-ccccc, run-7-1-twice): its slice was sent twice"
# a line of the payload lost (the sum no longer matches)
sed '/^==== loadgate-segment 2\/3 status=result exit=1 /{n;d}' "$FAKE/logs/run-7-1-ccccc.log" >"$FAKE/logs/run-7-1-cut.log"
fake_job 3 0 run-7-0-aaaaa:0:Succeeded run-7-1-cut:1:Succeeded run-7-2-eeeee:2:Succeeded
collect 2
assert_contains "$LG_ERR" "pod run-7-1-cut: the result block"
# loadgate's own output held a block, the pod's real block was lost: nothing is taken
sed -n '1,/^==== end loadgate-segment 2\/3 ====$/p' "$FAKE/logs/run-7-1-ccccc.log" >"$FAKE/logs/run-7-1-forged.log"
fake_job 3 0 run-7-0-aaaaa:0:Succeeded run-7-1-forged:1:Succeeded run-7-2-eeeee:2:Succeeded
collect 2
assert_contains "$LG_ERR" "result.json says segment None, the block 2/3"
fake_job 3 2 run-7-0-aaaaa:0:Succeeded
collect 2
assert_contains "$LG_ERR" "job run-7 still has 2 pods running"

log "two real segments against loadgate-target, collected and merged"
start_target
printf 'suite: k8s\nenvironments:\n  local: {base_url: "%s"}\nscenarios:\n  - {file: health.yaml}\nprofiles:\n  two: {vus: 4, iterations: 20}\n' \
    "$TARGET_URL" >"$TEST_TMP/suite/suite.yaml"
printf 'scenario: health\nsteps:\n  - name: health\n    request: {method: GET, url: /health}\n    expect: {status: 200}\n' \
    >"$TEST_TMP/suite/health.yaml"
start=$(($(date +%s) + 3))
for i in 0 1; do
    env JOB_COMPLETION_INDEX=$i LG_SEGMENT_COUNT=2 LG_START_AT="$start" LOADGATE="$LOADGATE" \
        LG_OUT_DIR="$TEST_TMP/real.$i" LG_TERMINATION_LOG=/nonexistent \
        timeout -k 5 60 "$K8S/segment" "$TEST_TMP/suite/suite.yaml" --profile two --env local \
        >"$FAKE/logs/real-$i.log" 2>"$TEST_TMP/real-$i.err" </dev/null &
    _lg_pids+=("$!")
done
wait "${_lg_pids[@]: -2}" || true
fake_job 2 0 real-0:0:Succeeded real-1:1:Succeeded
rm -rf "$TEST_TMP/results"
collect 0
assert_exit 0 "$LOADGATE" merge -o "$TEST_TMP/merged.json" "$TEST_TMP/results/segment-1.json" \
    "$TEST_TMP/results/segment-2.json"
assert_json "$TEST_TMP/merged.json" '.verdict == "pass" and .totals.iterations == 20'
assert_eq "$(target_responses)" 20 "requests loadgate-target answered"
