#!/bin/sh
# Times workloads natively and under jbinfmt in one run (hyperfine, alternating), and prints the medians and
# the jbinfmt/native ratios as a markdown table (also written to bench/results/compare.md).
#   bench/compare.sh            # default: 10 runs per workload
#   RUNS=20 bench/compare.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
jb="$root/bin/jbinfmt"
runs=${RUNS:-10}
out="$here/results"
mkdir -p "$out"
command -v hyperfine >/dev/null || { echo "compare.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }

"$jb" -- true >/dev/null 2>&1 || { echo "compare.sh: bin/jbinfmt does not run" >&2; exit 1; }

exec_loop='i=0; while [ $i -lt 2000 ]; do /bin/true; i=$((i+1)); done'

bench() { # name, command
    hyperfine -N --style none --warmup 1 --runs "$runs" --export-json "$out/$1.json" \
        -n native "$2" -n jbinfmt "$jb -- $2" >/dev/null
}
bench find "find /usr -type f"
bench exec-loop "sh -c '$exec_loop'"
bench startup "true"

python3 - "$out" "$runs" <<'PY'
import json, os, platform, statistics, sys
out, runs = sys.argv[1], sys.argv[2]
names = {"find": "`find /usr -type f` (syscall-heavy)",
         "exec-loop": "2000 fork+exec of /bin/true",
         "startup": "`true` (start-up)"}
cpu = open("/proc/cpuinfo").read().split("model name")[1].split("\n")[0].strip(": \t")
res = {k: {x["command"]: x for x in json.load(open(f"{out}/{k}.json"))["results"]} for k in names}
med = lambda r: statistics.median(r["times"])
cpu_s = lambda r: r["user"] + r["system"]
# The JVM's start-up is paid once per jbinfmt run; "net" subtracts it (measured by the start-up row) to show
# what tracing itself costs the workload.
su_wall = med(res["startup"]["jbinfmt"]) - med(res["startup"]["native"])
su_cpu = cpu_s(res["startup"]["jbinfmt"]) - cpu_s(res["startup"]["native"])
lines = [f"Machine: {cpu}, {os.cpu_count()} cores, Linux {platform.release()}; {runs} runs each, medians.", "",
         "| workload | native | jbinfmt | ratio (wall) | ratio net of start-up (wall) | ratio net of start-up (CPU) |",
         "|---|---:|---:|---:|---:|---:|"]
for key, title in names.items():
    n, j = res[key]["native"], res[key]["jbinfmt"]
    nw, jw = med(n), med(j)
    if key == "startup":
        lines.append(f"| {title} | {nw*1000:.1f} ms | {jw*1000:.1f} ms | {jw/nw:.0f}x | - | - |")
    else:
        lines.append(f"| {title} | {nw*1000:.1f} ms | {jw*1000:.1f} ms | {jw/nw:.2f}x "
                     f"| {(jw-su_wall)/nw:.2f}x | {(cpu_s(j)-su_cpu)/cpu_s(n):.2f}x |")
text = "\n".join(lines)
print(text)
open(f"{out}/compare.md", "w").write(text + "\n")
PY
