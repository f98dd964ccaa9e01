#!/bin/sh
# Start-up against the issue's yardstick: `jbinfmt --engine E -- /bin/true` for each engine, against
# `java -version` of the same image's runtime, in interleaved rounds (shuffled each round), medians of wall and
# CPU (user+system of the whole process tree). Given several images (a copy of one built before a change, say),
# times them all in the same rounds, each against its own runtime's java -version.
#   bench/startup.sh                          # cli/target/jbinfmt-image, 30 rounds
#   ROUNDS=50 bench/startup.sh /tmp/image-before cli/target/jbinfmt-image
#   TIMELINE=1 bench/startup.sh               # then as many rounds again, each run with -Djbinfmt.debug.timing:
#                                             # when main, the rules, the command's start and end, and the exit came
# An image's AOT cache is only used where the image was built: copy one elsewhere, and it starts without it.
# Beside each image runs its start-up floor (bench/src/java-floor/StartFloor.java, compiled here with the JDK 25
# javac and given an AOT cache of its own, trained first): a JVM program on the image's runtime, with jbinfmt's JVM
# flags, that links one native call as jbinfmt does, starts /bin/true with posix_spawn and waits for it: what any
# JVM tool that runs a command through FFM pays, before it looks at a single exec.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
[ $# -gt 0 ] || set -- "$root/cli/target/jbinfmt-image"
for image in "$@"; do
    [ -x "$image/bin/jbinfmt" ] || { echo "startup.sh: $image/bin/jbinfmt missing (mvn package builds it)" >&2; exit 1; }
done
javac=""
for c in "${JAVA_HOME:-/nonexistent}/bin/javac" /usr/lib/jvm/*/bin/javac; do
    if [ -x "$c" ] && "$c" -version 2>&1 | grep -q '^javac 25'; then javac=$c; break; fi
done
[ -n "$javac" ] || { echo "startup.sh: needs a JDK 25 javac (JAVA_HOME, or one under /usr/lib/jvm, where the build finds its JDK too)" >&2; exit 1; }
floor="$here/results/start-floor"
mkdir -p "$floor"
"$javac" --release 25 -d "$floor/classes" "$here/src/java-floor/StartFloor.java"
"${javac%/javac}/jar" --create --file "$floor/start-floor.jar" -C "$floor/classes" . # an AOT cache takes jars only
exec python3 - "${ROUNDS:-30}" "${ENGINES:-notify ptrace kernel}" "${TIMELINE:-0}" "$floor" "$@" <<'EOF'
import hashlib, os, random, statistics, subprocess, sys, time

rounds, engines, timeline, floor = int(sys.argv[1]), sys.argv[2].split(), sys.argv[3] == "1", sys.argv[4]
images = [os.path.abspath(i) for i in sys.argv[5:]]
# the launcher's JVM flags that bear on start-up (bin/jbinfmt): the same collector, heap and compiler
FLAGS = ["--enable-native-access=ALL-UNNAMED", "-XX:-MaxFDLimit", "-XX:+UseSerialGC", "-Xmn8m",
         "-XX:TieredStopAtLevel=1"]
runs = []  # (image, runner, argv)
for image in images:
    runs.append((image, "java -version", [f"{image}/runtime/bin/java", "-version"]))
    aot = f"{floor}/{hashlib.sha1(image.encode()).hexdigest()[:12]}.aot"
    java = [f"{image}/runtime/bin/java", *FLAGS, "-cp", f"{floor}/start-floor.jar"]
    subprocess.run(java + [f"-XX:AOTCacheOutput={aot}", "StartFloor", "/bin/true"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # its training run
    runs.append((image, "start-up floor (JVM + FFM: link, posix_spawn /bin/true, wait)",
                 java[:1] + [f"-XX:AOTCache={aot}"] + java[1:] + ["StartFloor", "/bin/true"]))
    for e in engines:
        runs.append((image, f"jbinfmt --engine {e} -- /bin/true",
                     [f"{image}/bin/jbinfmt", "--engine", e, "--", "/bin/true"]))

def once(argv):
    start = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"startup.sh: {' '.join(argv)} failed ({status})")
    return (time.perf_counter() - start) * 1e3, (usage.ru_utime + usage.ru_stime) * 1e3

order = [(i, r) for i, r, _ in runs]
times = {key: ([], []) for key in order}
for _, _, argv in runs:
    once(argv)  # caches warm, and every engine can run here
for _ in range(rounds):
    random.shuffle(runs)
    for image, runner, argv in runs:
        w, c = once(argv)
        times[(image, runner)][0].append(w)
        times[(image, runner)][1].append(c)

print(f"{rounds} interleaved rounds, medians; load average {os.getloadavg()[0]:.1f} at the end")
print()
print("| image | runner | wall | CPU | wall / java -version | CPU / java -version |")
print("|---|---|---:|---:|---:|---:|")
for image in images:
    jw, jc = (statistics.median(v) for v in times[(image, "java -version")])
    for runner in (r for i, r in order if i == image):
        w, c = (statistics.median(v) for v in times[(image, runner)])
        print(f"| {image} | {runner} | {w:.1f} ms | {c:.1f} ms | {w / jw:.2f}x | {c / jc:.2f}x |")

if timeline:
    # jbinfmt prints each step's time on CLOCK_MONOTONIC, the clock time.monotonic() reads: placed against the spawn
    steps = ["main", "arguments parsed", "rules loaded", "command started", "command ended"]
    jbinfmt_runs = [run for run in runs if run[1].startswith("jbinfmt")]
    marks = {(i, r): {s: [] for s in steps + ["exit"]} for i, r, _ in jbinfmt_runs}
    env = dict(os.environ, JBINFMT_JAVA_OPTS=(os.environ.get("JBINFMT_JAVA_OPTS", "") + " -Djbinfmt.debug.timing=true"))
    timed = jbinfmt_runs
    for _ in range(rounds):
        random.shuffle(timed)
        for image, runner, argv in timed:
            start = time.monotonic()
            p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
            err = p.stderr.read().decode(errors="replace")
            p.wait()
            end = time.monotonic()
            for line in err.splitlines():
                if line.startswith("jbinfmt: timing: "):
                    at, step = line[len("jbinfmt: timing: "):].split(" ms: ", 1)
                    marks[(image, runner)][step].append(float(at) - start * 1e3)
            marks[(image, runner)]["exit"].append((end - start) * 1e3)
    print()
    print(f"Timeline ({rounds} more rounds, each with -Djbinfmt.debug.timing): medians, ms from the spawn")
    print()
    print("| image | runner | " + " | ".join(steps + ["exit"]) + " |")
    print("|---|---|" + "---:|" * (len(steps) + 1))
    for (image, runner), m in marks.items():
        cells = [f"{statistics.median(m[s]):.0f}" if m[s] else "-" for s in steps + ["exit"]]
        print(f"| {image} | {runner} | " + " | ".join(cells) + " |")
EOF
