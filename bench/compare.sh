#!/bin/sh
# Times the same workloads natively, under jbinfmt (each engine: --engine notify, ptrace and kernel), proot,
# proot -q, strace (execs only), minimal C seccomp-notify supervisors (the mechanism's floors: one that passes every
# exec through, one that rewrites the foreign ones with the notify engine's three stops) and the kernel's own
# binfmt_misc (a private user namespace), alternating runners round by round, and prints medians and ratios (wall
# and CPU, children included) to native and to the kernel, then the issue's target ratios per engine; also written
# to bench/results/compare.md.
#   bench/compare.sh              # 7 rounds
#   ROUNDS=15 bench/compare.sh
#   WORKLOADS=upstream,hello ROUNDS=3 bench/compare.sh   # only those (keys in compare.py; start-up always runs)
#   WORKLOADS=fork-exec,rewrite RUNNERS="jbinfmt (notify),notify floor" ROUNDS=3 bench/compare.sh   # a quick look
# The upstream suite (bench/upstream-suite.sh: GMP's make check, cross-built once, ~6 min on 2 cores) runs its
# tests at GMP_CHECK_REPFACTOR=$UPSTREAM_REPS (default 0.001, the tests' fewest repetitions, so that execs rather
# than arithmetic fill the run), in $UPSTREAM_DIRS (default all).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out="$here/results"
mkdir -p "$out/bin"

for tool in proot strace unshare python3 aarch64-linux-gnu-gcc qemu-aarch64 gcc; do
    command -v "$tool" >/dev/null || { echo "compare.sh: needs $tool (apt-get install proot strace qemu-user gcc-aarch64-linux-gnu)" >&2; exit 1; }
done
[ -x "$root/cli/target/jbinfmt-image/bin/jbinfmt" ] || (cd "$root" && mvn -B -q package -Dmaven.test.skip=true)

gcc -O1 -o "$out/bin/stat-loop" "$here/src/c/stat-loop.c"
gcc -O2 -o "$out/bin/notify-floor" "$here/src/c/notify-floor.c"
aarch64-linux-gnu-gcc -static -O1 -o "$out/bin/hello-aarch64" "$root/examples/demo/src/hello.c"

case ",${WORKLOADS:-upstream}," in
    *,upstream,*)
        "$here/upstream-suite.sh" build
        export UPSTREAM_REPS="${UPSTREAM_REPS:-0.001}"
        UPSTREAM_TESTS=$("$here/upstream-suite.sh" count)
        export UPSTREAM_TESTS ;;
esac

exec python3 "$here/compare.py" "$root" "$out" "${ROUNDS:-7}"
