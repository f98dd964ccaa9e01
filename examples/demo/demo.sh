#!/bin/sh
# jbinfmt's main job in one command: build small programs for aarch64, riscv64 and wasm32-wasi, then run them
# from ordinary shell command lines, in one pipeline with a native program, as if they were native.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$here/build"

# install-deps --check checks each of its steps (packages, unpacked files), not just a few tools on PATH
if ! "$root/.ci/install-deps" --check 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "demo: installing what is missing with .ci/install-deps" >&2
        "$root/.ci/install-deps" >&2
    else
        "$root/.ci/install-deps" --check || true
        echo "demo: as root, run .ci/install-deps (apt-get install of .ci/packages)" >&2
        exit 1
    fi
fi

mkdir -p "$build"
cd "$build"
aarch64-linux-gnu-gcc -static -O1 -o hello-aarch64 "$here/src/hello.c"
aarch64-linux-gnu-gcc -static -O1 -o spawn-aarch64 "$here/src/spawn.c"
riscv64-linux-gnu-gcc -static -O1 -o upper-riscv64 "$here/src/upper.c"
riscv64-linux-gnu-gcc -static -O1 -o hello-riscv64 "$here/src/hello.c"
clang --target=wasm32-wasi -O1 -o tag.wasm "$here/src/tag.c"
chmod +x tag.wasm
sed "s|@RUNNERS@|$root/examples/runners|" "$root/examples/rules/foreign.conf" > foreign.conf
echo "built in $build: hello-aarch64, spawn-aarch64 (aarch64 ELF), upper-riscv64, hello-riscv64 (riscv64 ELF), tag.wasm (wasm32-wasi)"

run() {
    echo
    echo "== jbinfmt --rules foreign.conf -- sh -c: $1"
    "$root/bin/jbinfmt" --rules foreign.conf -- sh -c "$1"
}
run "./hello-aarch64 from a pipeline | ./upper-riscv64 | ./tag.wasm wasm | nl"
run "./spawn-aarch64 './hello-riscv64 started by an aarch64 program' 'echo and a native one'"
run "./hello-riscv64 exit=3; echo \"exit status \$?\""
