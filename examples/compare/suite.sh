#!/bin/sh
# A tiny test suite, as a make check would run one: each test is a foreign program; PASS when it exits 0.
# Usage: suite.sh DIR (DIR holds hello-aarch64 and lse-aarch64, built from examples/demo/src).
dir=${1:-.}
failed=0
run() {
    if "$@" > /dev/null 2>&1; then echo "PASS: $*"; else echo "FAIL: $* ($?)"; failed=$((failed + 1)); fi
}
run "$dir/hello-aarch64" greeting
run "$dir/hello-aarch64" exit=1
run "$dir/lse-aarch64"
run "$dir/hello-aarch64" repeat
run "$dir/hello-aarch64" repeat
echo "$failed failed"
[ "$failed" -eq 0 ]
