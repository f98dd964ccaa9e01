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

# Train the AOT cache on real runs, in one JVM (a cache is made from one run): every engine, the built-in
# defaults, execs a rule rewrites (200 in a row under the default engine, so that the rewrite path's call sites and
# profiles are in the cache: the build fails if they were not rewritten) and a JSON log (AotTraining); what it
# printed is in target/aot-training.log.
"$image/runtime/bin/java" -XX:AOTCacheOutput="$image/share/jbinfmt.aot" --enable-native-access=ALL-UNNAMED \
    -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djbinfmt.runners="$image/runners" -cp "$image/lib/*" \
    io.jbinfmt.cli.AotTraining >"$target/aot-training.log" 2>&1 \
    || { echo "build-image: the AOT training run failed:" >&2; cat "$target/aot-training.log" >&2; exit 1; }
mkdir -p "$image/share/man/man1"
"$image/runtime/bin/java" -cp "$image/lib/*" io.jbinfmt.cli.ManPage > "$image/share/man/man1/jbinfmt.1"
echo "$image" > "$image/share/aot-home"
