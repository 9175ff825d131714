# shellcheck shell=bash disable=SC2034
# Helpers for the integration tests (sourced by each tests/integration/test_*.sh).
#
# Environment (set by CTest, see CMakeLists.txt beside this file):
#   LOADGATE    the loadgate binary under test
#   FREEPORT    prints a free TCP port on 127.0.0.1
#   POLLSERVER  the small libmicrohttpd server (jobs to poll, slow responses, /count)
#   LG_TARGET   loadgate-target, the reference trivia API (tools/target/API.md)
#   LG_SOURCE_DIR  the source tree
#   LG_BARECURL    the benchmark's bare libcurl loop (tools/bench/barecurl.c), if built
#
# Servers started here listen on 127.0.0.1 only, die with the test (EXIT trap),
# and cannot outlive LG_SERVER_LIFETIME seconds even if the test is killed hard.
# Failed assertions are counted and reported; the test then continues, and exits
# non-zero at the end (from the EXIT trap) if any failed.

set -euo pipefail

: "${LOADGATE:?LOADGATE must name the loadgate binary}"
: "${FREEPORT:?FREEPORT must name the freeport helper}"
: "${LG_SOURCE_DIR:?LG_SOURCE_DIR must name the source tree}"
LG_DATA="$LG_SOURCE_DIR/tests/integration/data"
LG_SERVER_LIFETIME=${LG_SERVER_LIFETIME:-300}
# Bound on one loadgate invocation; the CTest TIMEOUT (120 s) bounds the whole test.
LG_RUN_TIMEOUT=${LG_RUN_TIMEOUT:-90}

# A test that runs inside a GitHub Actions step must not append its runs' summaries
# to that step's job summary (test_step_summary.sh sets the variable itself).
unset GITHUB_STEP_SUMMARY

TEST_NAME=$(basename "$0" .sh)
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lg-${TEST_NAME}.XXXXXX")
_lg_pids=()
_lg_failures=0
_lg_asserts=0
_lg_servers=0

_lg_on_exit() {
    local rc=$1 pid
    trap - EXIT
    for pid in "${_lg_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${_lg_pids[@]}"; do
        # up to 5 s for a clean stop, then kill
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n "${LG_KEEP_TMP:-}" ]]; then
        echo "kept $TEST_TMP"
    else
        rm -rf "$TEST_TMP"
    fi
    if ((rc == 0 && _lg_failures > 0)); then
        rc=1
    fi
    if ((rc == 0)); then
        echo "$TEST_NAME: ok ($_lg_asserts assertions)"
    elif ((rc != 77)); then
        echo "$TEST_NAME: FAILED ($_lg_failures of $_lg_asserts assertions failed, exit $rc)"
    fi
    exit "$rc"
}
trap '_lg_on_exit $?' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "--- $*"; }

fail() {
    _lg_failures=$((_lg_failures + 1))
    echo "FAIL: $*" >&2
}

skip() {
    echo "SKIP: $*"
    exit 77
}

# free_port: prints a TCP port on 127.0.0.1 where nothing listened a moment ago.
free_port() { "$FREEPORT"; }

# _wait_port PORT PID: waits (at most 10 s) until PORT accepts connections while
# PID lives. Returns 1 if PID died or the port never opened.
_wait_port() {
    local port=$1 pid=$2
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || return 1
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# nginx_bin: the nginx binary, or nothing.
nginx_bin() {
    command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; } || true
}

# require_nginx: skips the test (exit 77) when nginx is not installed at all.
require_nginx() {
    [[ -n "$(nginx_bin)" ]] || skip "nginx is not installed (tools/setup installs it)"
}

# start_nginx [--tls CERTDIR | --tls-h1 CERTDIR | --h2c] BODY
#   Writes a complete nginx.conf into a new temporary directory with BODY (server
#   level directives: locations, return, ...) as the only server, listening on a
#   free port of 127.0.0.1 (with --tls: HTTPS and HTTP/2 with CERTDIR/server.pem
#   and server.key, see make_ca_and_cert; --tls-h1: the same without HTTP/2; with
#   --h2c: plain HTTP/2 only, by prior knowledge), starts it in the background and waits until it accepts connections.
#   Sets NGINX_PORT, NGINX_URL, NGINX_DIR and NGINX_ACCESS_LOG (one line per
#   request: "METHOD URI STATUS PROTOCOL CONNECTION", CONNECTION being nginx's
#   serial number of the TCP connection that carried it, then NGINX_LOG_EXTRA
#   when set: more log_format variables, e.g. '[\$http_x_api_key]').
start_nginx() {
    local tls="" h2c="" h2=" http2" body nginx dir port pid attempt listen tls_conf=""
    if [[ "${1:-}" == --tls || "${1:-}" == --tls-h1 ]]; then
        [[ "$1" == --tls ]] || h2=""
        tls=$2
        shift 2
    elif [[ "${1:-}" == --h2c ]]; then
        h2c=" http2"
        shift
    fi
    body=$1
    nginx=$(nginx_bin)
    [[ -n "$nginx" ]] || skip "nginx is not installed"
    _lg_servers=$((_lg_servers + 1))
    dir="$TEST_TMP/nginx.$_lg_servers"
    mkdir -p "$dir"
    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        if [[ -n "$tls" ]]; then
            listen="listen 127.0.0.1:$port ssl$h2;"
            tls_conf="ssl_certificate $tls/server.pem; ssl_certificate_key $tls/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;"
        else
            listen="listen 127.0.0.1:$port$h2c;"
        fi
        cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
    log_format lg '\$request_method \$request_uri \$status \$server_protocol \$connection${NGINX_LOG_EXTRA:+ $NGINX_LOG_EXTRA}';
    access_log $dir/access.log lg;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    default_type application/json;
    server_tokens off;
    server {
        $listen
        server_name localhost;
        $tls_conf
$body
    }
}
EOF
        : >"$dir/access.log"
        timeout -k 5 "$LG_SERVER_LIFETIME" "$nginx" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" \
            </dev/null >"$dir/stdout.log" 2>&1 &
        pid=$!
        _lg_pids+=("$pid")
        if _wait_port "$port" "$pid"; then
            NGINX_PORT=$port
            NGINX_DIR=$dir
            NGINX_ACCESS_LOG="$dir/access.log"
            if [[ -n "$tls" ]]; then
                NGINX_URL="https://127.0.0.1:$port"
            else
                NGINX_URL="http://127.0.0.1:$port"
            fi
            log "nginx on $NGINX_URL (pid $pid, dir $dir)"
            return 0
        fi
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        echo "nginx did not start on port $port (attempt $attempt):" >&2
        cat "$dir/error.log" "$dir/stdout.log" >&2 2>/dev/null || true
        grep -q 'Address already in use' "$dir/error.log" "$dir/stdout.log" 2>/dev/null || break
    done
    echo "cannot start nginx" >&2
    exit 1
}

# nginx_connections [PATTERN]: over how many TCP connections the requests nginx
# logged (those whose line matches PATTERN) arrived. Call nginx_requests first: it
# waits for the log to settle.
nginx_connections() {
    grep -E -- "${1:-.}" "$NGINX_ACCESS_LOG" | awk '{ print $5 }' | sort -u | wc -l
}

# nginx_busiest [PATTERN]: the busiest connection's share of the requests nginx
# logged (matching PATTERN), to two decimals: near 1 when clients that each opened a
# connection pile their requests onto one of them (HTTP/2 multiplexing).
nginx_busiest() {
    grep -E -- "${1:-.}" "$NGINX_ACCESS_LOG" | awk '{ n[$5]++; total++ }
        END { for (c in n) if (n[c] > max) max = n[c]
              printf "%.2f\n", total ? max / total : 0 }'
}

# nginx_requests [PATTERN]: how many requests nginx logged (whose log line matches
# the extended regex PATTERN, e.g. '^GET /health '). nginx writes the log line just
# after the response, so this waits up to 2 s for the count to stop changing.
nginx_requests() {
    local pattern=${1:-.} n prev=-1
    for _ in $(seq 20); do
        n=$(grep -cE -- "$pattern" "$NGINX_ACCESS_LOG" || true)
        [[ "$n" == "$prev" ]] && break
        prev=$n
        sleep 0.1
    done
    echo "$n"
}

# start_pollserver [ARGS...]: starts pollserver on a free port of 127.0.0.1.
# Sets POLL_PORT and POLL_URL.
start_pollserver() {
    : "${POLLSERVER:?POLLSERVER must name the pollserver binary}"
    local portfile pid
    _lg_servers=$((_lg_servers + 1))
    portfile="$TEST_TMP/pollserver.$_lg_servers.port"
    : >"$portfile"
    "$POLLSERVER" --port 0 --lifetime "$LG_SERVER_LIFETIME" "$@" >"$portfile" \
        2>"$TEST_TMP/pollserver.$_lg_servers.err" </dev/null &
    pid=$!
    _lg_pids+=("$pid")
    for _ in $(seq 100); do
        [[ -s "$portfile" ]] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    POLL_PORT=$(head -n1 "$portfile")
    if [[ -z "$POLL_PORT" ]] || ! _wait_port "$POLL_PORT" "$pid"; then
        echo "pollserver did not start:" >&2
        cat "$TEST_TMP/pollserver.$_lg_servers.err" >&2 || true
        exit 1
    fi
    POLL_URL="http://127.0.0.1:$POLL_PORT"
    log "pollserver on $POLL_URL (pid $pid)"
}

# poll_count: the number of requests pollserver received (its /count excluded).
poll_count() {
    curl -sS --max-time 5 "$POLL_URL/count"
}

# health_scenario FILE: writes the one-step scenario many tests run, a GET of
# /health that expects 200 (give start_nginx a /health location).
health_scenario() {
    cat >"$1" <<'EOF'
scenario: health
steps:
  - name: health
    request: {method: GET, url: /health}
    expect: {status: 200}
EOF
}

# make_ca_and_cert DIR [DAYS]: a CA (DIR/ca.pem, ca.key) and a server certificate
# for 127.0.0.1 and localhost signed by it (DIR/server.pem, server.key), valid for
# DAYS days (default 2; the CA for 2 days or DAYS, whichever is longer).
make_ca_and_cert() {
    local dir=$1 days=${2:-2} ca_days
    ca_days=$((days > 2 ? days : 2))
    mkdir -p "$dir"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" -days "$ca_days" -subj "/CN=loadgate test CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>"$dir/openssl.log"
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout "$dir/server.key" -out "$dir/server.csr" -subj "/CN=localhost" 2>>"$dir/openssl.log"
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
        "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
        >"$dir/server.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -CAcreateserial -days "$days" -extfile "$dir/server.ext" -out "$dir/server.pem" 2>>"$dir/openssl.log"
}

# start_target [--tls CERTDIR] [FLAGS...]: starts loadgate-target (LG_TARGET) with
#   --port 0 and FLAGS (fault injection, --mint-delay, ...; with --tls: HTTPS with
#   CERTDIR/server.pem and server.key, see make_ca_and_cert), waits for its
#   "listening on URL" line and stops it with the test. Sets TARGET_URL and
#   TARGET_PID. Can be called again for more targets (each sets TARGET_URL anew).
start_target() {
    : "${LG_TARGET:?LG_TARGET must name the loadgate-target binary}"
    local tls=() out err pid url=""
    if [[ "${1:-}" == --tls ]]; then
        tls=(--cert "$2/server.pem" --key "$2/server.key")
        shift 2
    fi
    _lg_servers=$((_lg_servers + 1))
    out="$TEST_TMP/target.$_lg_servers.out"
    err="$TEST_TMP/target.$_lg_servers.err"
    : >"$out"
    "$LG_TARGET" --port 0 --lifetime "$LG_SERVER_LIFETIME" "${tls[@]}" "$@" \
        >"$out" 2>"$err" </dev/null &
    pid=$!
    _lg_pids+=("$pid")
    for _ in $(seq 100); do
        url=$(sed -n 's/^listening on //p' "$out")
        [[ -n "$url" ]] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    if [[ -z "$url" ]]; then
        echo "loadgate-target did not start ($*):" >&2
        cat "$err" >&2 || true
        exit 1
    fi
    TARGET_URL=$url
    TARGET_PID=$pid
    log "loadgate-target on $TARGET_URL (pid $pid${*:+, $*})"
}

# target_responses [CURL_ARGS...]: how many responses loadgate-target (TARGET_URL)
# has sent so far, its own answer to this question excluded: the number in the
# X-Request-Id (r-N) of a GET /health, minus one. CURL_ARGS, e.g. --cacert FILE.
target_responses() {
    local id
    id=$(curl -sS --max-time 5 -o /dev/null -D - "$@" "$TARGET_URL/health" |
        tr -d '\r' | sed -n 's/^[Xx]-[Rr]equest-[Ii]d: r-//p')
    [[ -n "$id" ]] || { echo "no X-Request-Id from $TARGET_URL/health" >&2; exit 1; }
    echo $((id - 1))
}

# lg ARGS...: runs loadgate (bounded in time) with stdin closed. Its stdout and
# stderr are kept in LG_OUT and LG_ERR, its exit code in LG_STATUS.
LG_OUT="$TEST_TMP/loadgate.out"
LG_ERR="$TEST_TMP/loadgate.err"
LG_STATUS=0
lg() {
    set +e
    timeout -k 5 "$LG_RUN_TIMEOUT" "$LOADGATE" "$@" </dev/null >"$LG_OUT" 2>"$LG_ERR"
    LG_STATUS=$?
    _lg_shown=0
    set -e
    return 0
}

# run_lg OUTDIR FILE [ARGS...]: `loadgate run FILE --out OUTDIR --no-progress ARGS`.
# Sets RESULT to OUTDIR/result.json.
run_lg() {
    local out=$1 file=$2
    shift 2
    log "loadgate run $(basename "$file") $*"
    lg run "$file" --out "$out" --no-progress "$@"
    RESULT="$out/result.json"
}

# show_output: prints the last loadgate invocation's output and result (for a failure).
_lg_shown=0
show_output() {
    # once per loadgate invocation: the first failed assertion shows it
    ((_lg_shown == 0)) || return 0
    _lg_shown=1
    echo "    exit code: $LG_STATUS" >&2
    sed 's/^/    stdout: /' "$LG_OUT" | head -n 60 >&2 || true
    sed 's/^/    stderr: /' "$LG_ERR" | head -n 60 >&2 || true
    if [[ -n "${RESULT:-}" && -s "$RESULT" ]]; then
        echo "    result.json (without histograms and series):" >&2
        jq 'del(.steps[]?.histogram, .scenarios[]?.histogram, .series)' "$RESULT" 2>&1 |
            head -n 150 | sed 's/^/    /' >&2 || true
    fi
}

# assert_status EXPECTED [MSG]: the last loadgate invocation exited with EXPECTED.
assert_status() {
    local expected=$1 msg=${2:-}
    _lg_asserts=$((_lg_asserts + 1))
    if [[ "$LG_STATUS" != "$expected" ]]; then
        fail "exit code $LG_STATUS, expected $expected${msg:+ ($msg)}"
        show_output
        return 0
    fi
}

# assert_exit EXPECTED CMD...: runs CMD (output to LG_OUT/LG_ERR) and checks its
# exit code.
assert_exit() {
    local expected=$1
    shift
    set +e
    timeout -k 5 "$LG_RUN_TIMEOUT" "$@" </dev/null >"$LG_OUT" 2>"$LG_ERR"
    LG_STATUS=$?
    _lg_shown=0
    set -e
    assert_status "$expected" "$*"
}

# assert_json FILE JQ_EXPR [MSG]: jq -e JQ_EXPR holds (is neither false nor null)
# on FILE.
assert_json() {
    local file=$1 expr=$2 msg=${3:-}
    _lg_asserts=$((_lg_asserts + 1))
    if [[ ! -s "$file" ]]; then
        fail "$file is missing or empty${msg:+ ($msg)}; cannot check: $expr"
        show_output
        return 0
    fi
    if ! jq -e "$expr" "$file" >/dev/null 2>"$TEST_TMP/jq.err"; then
        fail "${msg:+$msg: }jq -e '$expr' does not hold on $(basename "$file")"
        if [[ -s "$TEST_TMP/jq.err" ]]; then sed 's/^/    jq: /' "$TEST_TMP/jq.err" >&2; fi
        show_output
    fi
    return 0
}

# assert_eq ACTUAL EXPECTED MSG
assert_eq() {
    _lg_asserts=$((_lg_asserts + 1))
    if [[ "$1" != "$2" ]]; then
        fail "$3: got '$1', expected '$2'"
    fi
    return 0
}

# assert_contains FILE TEXT [MSG]: FILE contains TEXT (a fixed string).
assert_contains() {
    local file=$1 text=$2 msg=${3:-}
    _lg_asserts=$((_lg_asserts + 1))
    if ! grep -qF -- "$text" "$file" 2>/dev/null; then
        fail "${msg:+$msg: }$(basename "$file") does not contain '$text'"
        sed 's/^/    | /' "$file" 2>/dev/null | head -n 40 >&2 || true
    fi
    return 0
}

# assert_not_contains FILE TEXT [MSG]
assert_not_contains() {
    local file=$1 text=$2 msg=${3:-}
    _lg_asserts=$((_lg_asserts + 1))
    if grep -qF -- "$text" "$file" 2>/dev/null; then
        fail "${msg:+$msg: }$(basename "$file") contains '$text'"
        sed 's/^/    | /' "$file" 2>/dev/null | head -n 40 >&2 || true
    fi
    return 0
}

# assert_matches FILE REGEX [MSG]: some line of FILE matches the extended REGEX.
assert_matches() {
    local file=$1 re=$2 msg=${3:-}
    _lg_asserts=$((_lg_asserts + 1))
    if ! grep -qE -- "$re" "$file" 2>/dev/null; then
        fail "${msg:+$msg: }no line of $(basename "$file") matches /$re/"
        sed 's/^/    | /' "$file" 2>/dev/null | head -n 40 >&2 || true
    fi
    return 0
}

# assert_file FILE [MSG]: FILE exists and is not empty.
assert_file() {
    _lg_asserts=$((_lg_asserts + 1))
    if [[ ! -s "$1" ]]; then
        fail "${2:+$2: }$1 is missing or empty"
    fi
    return 0
}

# step NAME: a jq filter selecting the result's step called NAME.
step() { printf '(.steps[] | select(.name == "%s"))' "$1"; }

# Tools the tests themselves need.
command -v jq >/dev/null || { echo "jq is required (tools/setup installs it)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is required (tools/setup installs it)" >&2; exit 1; }

# nonzero PATH: a jq filter for the object at PATH (e.g. .totals.error_classes)
# without its zero counts, so {"connect":1} matches however zeros are written.
nonzero() { printf '((%s // {}) | with_entries(select(.value != 0)))' "$1"; }
