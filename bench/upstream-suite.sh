#!/bin/sh
# A real upstream test suite as a foreign workload: GMP's `make check`, cross-built for aarch64. Every test is a
# small aarch64 program exec'd by automake's test harness (a host shell), so whoever runs the check has to route
# some two hundred foreign execs to qemu-aarch64: the kernel's binfmt_misc, jbinfmt, proot -q.
#
#   bench/upstream-suite.sh build   # fetch (pinned, cached) and cross-build GMP and its test programs, once
#   bench/upstream-suite.sh run     # the workload: re-run every test program, with nothing to rebuild
#   bench/upstream-suite.sh count   # how many test programs run prints
#   bench/upstream-suite.sh dir     # the build tree
#
# The source is Debian's (bookworm's gmp), pinned by pool path and sha256 from its .dsc, downloaded once into
# $JBINFMT_BENCH_CACHE (default ~/.cache/jbinfmt-bench), which also keeps the build: a second build downloads and
# compiles nothing. The tests are linked statically (as compare.sh's hello-aarch64 is), so the same qemu-aarch64
# rule, with no -L sysroot, runs them under every runner.
#
# run: `make check` in the build tree with every tool that could rebuild something set to `false`, so a rebuild
# fails the run instead of being timed; then every test must have passed (automake's .trs files). Exit 1 on any
# failure, with make's output. Its size:
#   UPSTREAM_DIRS    the test directories to check (default: all of them, tests tests/mpn ... tests/misc)
#   UPSTREAM_REPS    GMP_CHECK_REPFACTOR, the tests' own repetition factor (default 1, as upstream)
# Needs gcc-aarch64-linux-gnu, m4, make, curl, xz (.ci/packages); run needs some way to exec aarch64 programs.
set -eu
version=6.2.1+dfsg1
pool=pool/main/g/gmp/gmp_$version.orig.tar.xz
sha256=471b9e463e04362a0124f215afc5f0a4b99caedeeb62634c61bbc12988efa64c
mirror=${JBINFMT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${JBINFMT_BENCH_CACHE:-$HOME/.cache/jbinfmt-bench}
host=aarch64-linux-gnu
# what the build tree was made with: a different line rebuilds it from scratch
config="gmp $version $sha256 --host=$host --disable-shared; tests -all-static"
build="$cache/gmp-$version-$host"
tarball="$cache/$(basename "$pool")"

die() { echo "upstream-suite: $*" >&2; exit 1; }

fetch() {
    if [ -f "$tarball" ] && echo "$sha256  $tarball" | sha256sum -c --quiet - 2>/dev/null; then
        echo "upstream-suite: $(basename "$tarball") cached, sha256 $sha256" >&2
        return
    fi
    mkdir -p "$cache"
    echo "upstream-suite: downloading $mirror/$pool" >&2
    curl -sSfL -o "$tarball.part" "$mirror/$pool" || die "cannot download $mirror/$pool"
    echo "$sha256  $tarball.part" | sha256sum -c --quiet - || { rm -f "$tarball.part"; die "$pool: sha256 differs from the pin"; }
    mv "$tarball.part" "$tarball"
}

build() {
    for tool in $host-gcc m4 make curl xz sha256sum; do
        command -v "$tool" >/dev/null || die "needs $tool (.ci/install-deps installs the packages in .ci/packages)"
    done
    if [ -f "$build/.built" ] && [ "$(cat "$build/.built")" = "$config" ]; then
        echo "upstream-suite: $build is built ($config)" >&2
        return
    fi
    fetch
    rm -rf "$build"
    mkdir -p "$build"
    # owned by whoever builds (as root, tar would keep the tarball's uid, which a user namespace does not map)
    tar -xJf "$tarball" -C "$build" --strip-components=1 --no-same-owner
    cd "$build"
    # Debian's tarball drops the GFDL manual, doc/: leave doc out of SUBDIRS and of configure's outputs, as Debian's
    # Exclude-doc-Makefile patch does, here on the generated files, so that no autotools are needed
    sed -i 's|^SUBDIRS = \(.*\) doc$|SUBDIRS = \1|' Makefile.in
    sed -i 's| doc/Makefile | |; /"doc\/Makefile")/d' configure
    # --build as well as --host: a cross build, so configure never tries to run what it compiles
    ./configure --build="$(./config.guess)" --host=$host --disable-shared >configure.out 2>&1 \
        || die "configure failed: $build/configure.out"
    jobs=$(nproc)
    make -j"$jobs" >make.out 2>&1 || die "make failed: $build/make.out"
    # the test programs, built and not run (TESTS= empty); -all-static is libtool's fully static link
    make -j"$jobs" check TESTS= LDFLAGS=-all-static >>make.out 2>&1 || die "building the tests failed: $build/make.out"
    list_tests >.tests
    [ -s .tests ] || die "no tests found in $build"
    echo "$config" >.built
    echo "upstream-suite: built $(wc -l <.tests) test programs in $build" >&2
}

# The test programs, one per line as DIR/PROGRAM (automake's TESTS of every directory), listed once at build time;
# those under UPSTREAM_DIRS when it is set.
tests() {
    if [ -z "${UPSTREAM_DIRS:-}" ]; then
        cat "$build/.tests"
        return
    fi
    for d in $UPSTREAM_DIRS; do
        grep -x "$d/[^/]*" "$build/.tests" || die "$d: no tests there"
    done
}

list_tests() {
    find tests -name Makefile | sort | while read -r mf; do
        make -s -C "$(dirname "$mf")" -f Makefile -f - print-tests <<'EOF'
print-tests:
	@for t in $(TESTS); do echo "$(subdir)/$$t"; done
EOF
    done
}

# The first line of run.out that says what failed: a test's FAIL or ERROR, or the harness's own complaint.
first_failure() {
    grep -m 1 -E '^(FAIL|ERROR|XPASS|fatal):|\*\*\*' run.out || echo "see $build/run.out"
}

run() {
    [ -f "$build/.built" ] || die "not built: run $0 build first"
    cd "$build"
    # automake's harness re-runs every test (it deletes the old logs first); a tool that could rebuild something
    # is `false`, so make fails rather than rebuild within a timed run
    set -- CC=false CXX=false CCLD=false CXXLD=false AR=false RANLIB=false M4=false
    status=0
    if [ -z "${UPSTREAM_DIRS:-}" ]; then
        GMP_CHECK_REPFACTOR=${UPSTREAM_REPS:-1} make check "$@" >run.out 2>&1 || status=$?
    else
        : >run.out
        for d in $UPSTREAM_DIRS; do # only those directories: SUBDIRS= stops tests/ recursing into the rest
            GMP_CHECK_REPFACTOR=${UPSTREAM_REPS:-1} make -C "$d" check SUBDIRS= "$@" >>run.out 2>&1 \
                || { status=$?; break; }
        done
    fi
    [ "$status" -eq 0 ] || { cat run.out >&2; die "make check failed ($status): $(first_failure)"; }
    want=$(tests | wc -l)
    passed=$(tests | sed 's/$/.trs/' | xargs grep -l '^:test-result: PASS' | wc -l)
    [ "$passed" -eq "$want" ] || { cat run.out >&2; die "$passed of $want tests passed"; }
    echo "upstream-suite: $passed of $want tests passed" >&2
}

case "${1:-}" in
    build) build ;;
    run) run ;;
    count) [ -f "$build/.built" ] || die "not built: run $0 build first"; tests | wc -l ;;
    dir) echo "$build" ;;
    *) echo "usage: $0 build|run|count|dir" >&2; exit 2 ;;
esac
