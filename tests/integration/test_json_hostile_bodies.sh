#!/usr/bin/env bash
# Hostile JSON bodies read through a whole run as they were before simdjson and
# the per-thread arena: bodies simdjson and jansson might read apart (numbers at
# the edges of int64 and double, surrogates, raw control characters, \f, \v, a
# BOM, \u0000, duplicate keys, 1,024 levels, 256 KiB and one byte more) give each
# check exactly the verdict and reason jansson alone gave (pinned from the build
# before the change), with two worker threads, valid and invalid bodies in turn.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

www="$TEST_TMP/www"
mkdir -p "$www"
/usr/bin/python3 - "$www" <<'EOF2'
import sys
B = {
    'negzero': '{"a":-0}', 'e2': '{"a":1E2}', 'under': '{"a":1e-400}',
    'denorm': '{"a":4.9e-324}', 'p53': '{"a":9007199254740993}',
    'imin': '{"a":-9223372036854775808}', 'imin1': '{"a":-9223372036854775809}',
    'big': '{"a":18446744073709551616}', 'over': '{"a":1e400}',
    'sur': '{"a":"\\ud83d\\ude00"}', 'lone': '{"a":"\\ud800"}',
    'badsur': '{"a":"\\ud800\\u0041"}', 'overlong': b'{"a":"\xc0\xaf"}',
    'tab': b'{"a":"\t"}', 'ff': b'\x0c{"a":1}', 'vt': b'{"a":1}\x0b',
    'bom': b'\xef\xbb\xbf{"a":1}', 'dup': '{"a":{"b":1,"b":2},"a":1}',
    'nul': '{"a":"x\\u0000y"}', 'nulkey': '{"a\\u0000":1}', 'trunc': '{"a":[1,2',
    'trail': '{"a":1} x', 'one': '{"a":1}',
    'd1024': '{"a":1,"z":' + '[' * 1022 + ']' * 1022 + '}',
    'd1025': '{"a":1,"z":' + '[' * 1023 + ']' * 1023 + '}',
}
n = 256 * 1024
pre = '{"a":1,"s":"'
B['k256'] = pre + 'x' * (n - len(pre) - 2) + '"}'
B['k256p1'] = pre + 'x' * (n + 1 - len(pre) - 2) + '"}'
B['k256bad'] = pre + 'x' * (n - len(pre) - 2) + '"]'
for k, v in B.items():
    with open(sys.argv[1] + '/' + k, 'wb') as f:
        f.write(v if isinstance(v, bytes) else v.encode())
EOF2
start_nginx "location / { root $www; }"

names=(negzero e2 under denorm p53 imin imin1 big over sur lone one badsur overlong tab ff
    vt bom dup nul one nulkey trunc trail d1024 d1025 k256 k256p1 k256bad)
scen="$TEST_TMP/hostile.yaml"
{
    echo "scenario: hostile"
    echo "steps:"
    i=0
    for f in "${names[@]}"; do
        i=$((i + 1))
        cat <<EOS
  - name: $i-$f
    on_failure: continue
    request: {method: GET, url: /$f}
    expect:
      json:
        \$.a: {exists: true, equals: 1}
        \$: {type: object}
EOS
    done
} >"$scen"

log "hostile bodies, one step each (--threads 2, -u 4, -i 8)"
run_lg "$TEST_TMP/out" "$scen" --base-url "$NGINX_URL" --threads 2 -u 4 -i 8
assert_status 1
got=$(jq -r '.steps[] | .name as $n | .checks.list[] |
    "\($n) \(.label) \(.passed)/\(.failed)\([.reasons[] | " \(.text) x\(.count)"] | join(";"))"' "$RESULT")
expected=$(cat <<'EOS'
1-negzero $.a exists 8/0
1-negzero $.a == 1 0/8 $.a was 0, expected 1 x8
1-negzero $ type == object 8/0
2-e2 $.a exists 8/0
2-e2 $.a == 1 0/8 $.a was 100.0, expected 1 x8
2-e2 $ type == object 8/0
3-under $.a exists 8/0
3-under $.a == 1 0/8 $.a was 0.0, expected 1 x8
3-under $ type == object 8/0
4-denorm $.a exists 8/0
4-denorm $.a == 1 0/8 $.a was 4.94065645841247e-324, expected 1 x8
4-denorm $ type == object 8/0
5-p53 $.a exists 8/0
5-p53 $.a == 1 0/8 $.a was 9007199254740993, expected 1 x8
5-p53 $ type == object 8/0
6-imin $.a exists 8/0
6-imin $.a == 1 0/8 $.a was -9223372036854775808, expected 1 x8
6-imin $ type == object 8/0
7-imin1 $.a exists 8/0
7-imin1 $.a == 1 0/8 $.a was -9223372036854775809, expected 1 x8
7-imin1 $ type == object 8/0
8-big $.a exists 8/0
8-big $.a == 1 0/8 $.a was 18446744073709551616, expected 1 x8
8-big $ type == object 8/0
9-over $.a exists 8/0
9-over $.a == 1 0/8 $.a was 1e400, expected 1 x8
9-over $ type == object 8/0
10-sur $.a exists 8/0
10-sur $.a == 1 0/8 $.a was "😀", expected 1 x8
10-sur $ type == object 8/0
11-lone $.a exists 0/8 body is not JSON: invalid Unicode '\uD800' near "\"\\ud800\"}" at byte 6 x8
11-lone $.a == 1 0/8 body is not JSON: invalid Unicode '\uD800' near "\"\\ud800\"}" at byte 6 x8
11-lone $ type == object 0/8 body is not JSON: invalid Unicode '\uD800' near "\"\\ud800\"}" at byte 6 x8
12-one $.a exists 8/0
12-one $.a == 1 8/0
12-one $ type == object 8/0
13-badsur $.a exists 0/8 body is not JSON: invalid Unicode '\uD800\u0041' near "\"\\ud800\\u0041\"}" at byte 6 x8
13-badsur $.a == 1 0/8 body is not JSON: invalid Unicode '\uD800\u0041' near "\"\\ud800\\u0041\"}" at byte 6 x8
13-badsur $ type == object 0/8 body is not JSON: invalid Unicode '\uD800\u0041' near "\"\\ud800\\u0041\"}" at byte 6 x8
14-overlong $.a exists 0/8 body is not JSON: unable to decode byte 0xc0 near "\"��\"}" at byte 6 x8
14-overlong $.a == 1 0/8 body is not JSON: unable to decode byte 0xc0 near "\"��\"}" at byte 6 x8
14-overlong $ type == object 0/8 body is not JSON: unable to decode byte 0xc0 near "\"��\"}" at byte 6 x8
15-tab $.a exists 0/8 body is not JSON: control character 0x9 near "\"\t\"}" at byte 6 x8
15-tab $.a == 1 0/8 body is not JSON: control character 0x9 near "\"\t\"}" at byte 6 x8
15-tab $ type == object 0/8 body is not JSON: control character 0x9 near "\"\t\"}" at byte 6 x8
16-ff $.a exists 0/8 body is not JSON: invalid token near "\x0c{\"a\":1}" at byte 1 x8
16-ff $.a == 1 0/8 body is not JSON: invalid token near "\x0c{\"a\":1}" at byte 1 x8
16-ff $ type == object 0/8 body is not JSON: invalid token near "\x0c{\"a\":1}" at byte 1 x8
17-vt $.a exists 0/8 body is not JSON: end of file expected near "\x0b" at byte 8 x8
17-vt $.a == 1 0/8 body is not JSON: end of file expected near "\x0b" at byte 8 x8
17-vt $ type == object 0/8 body is not JSON: end of file expected near "\x0b" at byte 8 x8
18-bom $.a exists 0/8 body is not JSON: invalid token near "﻿{\"a\":1}" at byte 1 x8
18-bom $.a == 1 0/8 body is not JSON: invalid token near "﻿{\"a\":1}" at byte 1 x8
18-bom $ type == object 0/8 body is not JSON: invalid token near "﻿{\"a\":1}" at byte 1 x8
19-dup $.a exists 8/0
19-dup $.a == 1 8/0
19-dup $ type == object 8/0
20-nul $.a exists 0/8 body is not JSON: \u0000 is not allowed without JSON_ALLOW_NUL near "\"x\\u0000y\"}" at byte 6 x8
20-nul $.a == 1 0/8 body is not JSON: \u0000 is not allowed without JSON_ALLOW_NUL near "\"x\\u0000y\"}" at byte 6 x8
20-nul $ type == object 0/8 body is not JSON: \u0000 is not allowed without JSON_ALLOW_NUL near "\"x\\u0000y\"}" at byte 6 x8
21-one $.a exists 8/0
21-one $.a == 1 8/0
21-one $ type == object 8/0
22-nulkey $.a exists 0/8 body is not JSON: NUL byte in object key not supported near "\"a\\u0000\":1}" at byte 2 x8
22-nulkey $.a == 1 0/8 body is not JSON: NUL byte in object key not supported near "\"a\\u0000\":1}" at byte 2 x8
22-nulkey $ type == object 0/8 body is not JSON: NUL byte in object key not supported near "\"a\\u0000\":1}" at byte 2 x8
23-trunc $.a exists 0/8 body is not JSON: ']' expected near end of file at byte 9 x8
23-trunc $.a == 1 0/8 body is not JSON: ']' expected near end of file at byte 9 x8
23-trunc $ type == object 0/8 body is not JSON: ']' expected near end of file at byte 9 x8
24-trail $.a exists 0/8 body is not JSON: end of file expected near "x" at byte 9 x8
24-trail $.a == 1 0/8 body is not JSON: end of file expected near "x" at byte 9 x8
24-trail $ type == object 0/8 body is not JSON: end of file expected near "x" at byte 9 x8
25-d1024 $.a exists 8/0
25-d1024 $.a == 1 8/0
25-d1024 $ type == object 8/0
26-d1025 $.a exists 8/0
26-d1025 $.a == 1 8/0
26-d1025 $ type == object 8/0
27-k256 $.a exists 8/0
27-k256 $.a == 1 8/0
27-k256 $ type == object 8/0
28-k256p1 $.a exists 8/0
28-k256p1 $.a == 1 8/0
28-k256p1 $ type == object 8/0
29-k256bad $.a exists 0/8 body is not JSON: '}' expected near "]" at byte 262144 x8
29-k256bad $.a == 1 0/8 body is not JSON: '}' expected near "]" at byte 262144 x8
29-k256bad $ type == object 0/8 body is not JSON: '}' expected near "]" at byte 262144 x8
EOS
)
assert_eq "$got" "$expected" "each check's verdict and reason, as jansson alone gave them"
