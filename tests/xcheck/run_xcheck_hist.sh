#!/bin/sh
# Cross-checks lg_hist against HdrHistogram's Java implementation in both directions.
# Usage: run_xcheck_hist.sh XCHECK_HIST_BINARY XCHECKHIST_JAVA WORK_DIR
# Exits 77 (ctest: skipped) only when java or the HdrHistogram jar is missing; set
# HDRHISTOGRAM_JAR to use a jar other than Debian's.
set -eu
bin=$1
src=$2
work=$3
jar=${HDRHISTOGRAM_JAR:-/usr/share/java/hdrhistogram.jar}

if ! command -v java >/dev/null 2>&1; then
    echo "SKIP: java not found (apt-get install default-jdk-headless)"
    exit 77
fi
if [ ! -r "$jar" ]; then
    echo "SKIP: $jar not found (apt-get install libhdrhistogram-java)"
    exit 77
fi

mkdir -p "$work"
# C encodes; Java decodes and checks, then encodes the same data sets; C decodes and checks.
"$bin" gen >"$work/from_c.txt"
java -cp "$jar" "$src" "$work/from_c.txt" >"$work/from_java.txt"
"$bin" check "$work/from_java.txt"
