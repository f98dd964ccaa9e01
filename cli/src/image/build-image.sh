#!/bin/sh
# Builds cli/target/jbinfmt-image (run by `mvn package`): a jlink'ed runtime with just the modules jbinfmt
# uses, the jars, the launcher, the WASI runners, the man page, and an AOT cache trained by running jbinfmt once.
set -eu
target=$1          # cli/target
repo=$2            # the repository root
image="$target/jbinfmt-image"

jdk=""
for home in "${JAVA_HOME:-}" /usr/lib/jvm/*; do
    [ -n "$home" ] && [ -f "$home/release" ] || continue
    major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
    if [ -n "$major" ] && [ "$major" -ge 25 ] && [ -x "$home/bin/jlink" ]; then jdk=$home; break; fi
done
[ -n "$jdk" ] || { echo "build-image: needs a JDK 25 or newer with jlink" >&2; exit 1; }

rm -rf "$image"
mkdir -p "$image/bin" "$image/lib" "$image/share" "$image/runners"
"$jdk/bin/jlink" --add-modules java.base,jdk.unsupported --strip-debug --no-header-files --no-man-pages \
    --output "$image/runtime"
cp "$target/jbinfmt-cli.jar" "$target"/lib/*.jar "$image/lib/"
cp "$repo/cli/src/image/jbinfmt" "$image/bin/jbinfmt"
cp "$repo/examples/runners/"* "$image/runners/"
chmod +x "$image/bin/jbinfmt" "$image/runners/"*

# Train the AOT cache on a real run (spawn, trace, rules), in which execs really are rewritten and passed through,
# many times over: the classes, call sites and lambda forms of both paths are then in the cache, so that a session's
# first rewrites do not pay for loading and linking them. A file the rule matches must exist for that (checked:
# --stats must count the rewrites, or the build fails).
train=$(mktemp -d)
trap 'rm -rf "$train"' EXIT
: > "$train/t.jbinfmt-train"
chmod +x "$train/t.jbinfmt-train"
"$image/runtime/bin/java" -XX:AOTCacheOutput="$image/share/jbinfmt.aot" --enable-native-access=ALL-UNNAMED \
    -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djbinfmt.runners="$image/runners" -cp "$image/lib/*" \
    io.jbinfmt.cli.Main --stats --rule ':jbinfmt-train:E::jbinfmt-train::/bin/true:' -- \
    sh -c 'i=0; while [ $i -lt 200 ]; do "$1"; /bin/true; i=$((i+1)); done' sh "$train/t.jbinfmt-train" \
    >/dev/null 2>"$train/stats"
grep -q ' 200 rewritten' "$train/stats" || { echo "build-image: the AOT training run rewrote no exec:" >&2; cat "$train/stats" >&2; exit 1; }
mkdir -p "$image/share/man/man1"
"$image/runtime/bin/java" -cp "$image/lib/*" io.jbinfmt.cli.ManPage > "$image/share/man/man1/jbinfmt.1"
echo "$image" > "$image/share/aot-home"
