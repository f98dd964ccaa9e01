"""Whole-process timings for bench/compare.sh: runs every (workload, runner) pair once per round, in a new random
order each round (so that no runner always follows the one that filled or flushed the caches), and reports
medians of wall time and of CPU time (user+system of the whole process tree, from wait4)."""
import os, platform, random, statistics, subprocess, sys, time

root, out, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
jb = f"{root}/cli/target/jbinfmt-image/bin/jbinfmt"
hello = f"{out}/bin/hello-aarch64"
AARCH64 = (r"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:"
           r"\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff")
TO_TRUE = f":aarch64:M::{AARCH64}:/bin/true:"
TO_QEMU = f":aarch64:M::{AARCH64}:/usr/bin/qemu-aarch64:"

def loop(cmd, n):
    return f"i=0; while [ $i -lt {n} ]; do {cmd}; i=$((i+1)); done"

def kernel(cmd, rule=None):
    reg = f"printf '%s' '{rule}' > /proc/sys/fs/binfmt_misc/register && " if rule else ""
    script = f"mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && {reg}exec {cmd}"
    return ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script]

def sh(script):
    return ["sh", "-c", script]

def runners(cmd, rule=None, qemu="/bin/true", native=True):
    """cmd: a shell command line. rule: what jbinfmt and the kernel register. qemu: proot -q's emulator."""
    r = {}
    if native:
        r["native"] = sh(cmd)
    r["jbinfmt"] = [jb, "--no-defaults"] + (["--rule", rule] if rule else []) + ["--"] + sh(cmd)
    if native:
        r["proot"] = ["proot"] + sh(cmd)
    r["proot -q"] = ["proot", "-q", qemu] + sh(cmd)
    if native:
        r["strace"] = ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=execve,execveat", "-o", "/dev/null"] + sh(cmd)
    r["kernel"] = kernel(f"sh -c '{cmd}'", rule)
    return r

workloads = [
    ("`find /usr -type f` (syscall-heavy)", runners("find /usr -type f > /dev/null 2>&1; true")),
    ("200k stat() calls", runners(f"{out}/bin/stat-loop 200000")),
    ("2000 fork+exec of /bin/true", runners(loop("/bin/true", 2000))),
    ("2000 execs of a foreign file, rewritten to /bin/true", runners(loop(hello, 2000), TO_TRUE, native=False)),
    ("200 runs of aarch64 hello through qemu-aarch64",
     runners(loop(f"{hello} > /dev/null", 200), TO_QEMU, qemu="/usr/bin/qemu-aarch64", native=False)),
    ("start-up: `/bin/true`", {"native": ["/bin/true"], "jbinfmt": [jb, "--no-defaults", "--", "/bin/true"],
                               "proot": ["proot", "/bin/true"],
                               "strace": ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=execve", "-o",
                                          "/dev/null", "/bin/true"],
                               "kernel": kernel("/bin/true")}),
]

def run_once(argv):
    start = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"compare: {' '.join(argv)[:120]} failed with {status}")
    return wall, usage.ru_utime + usage.ru_stime

results = {name: {r: ([], []) for r in rs} for name, rs in workloads}
pairs = [(name, runner, argv) for name, rs in workloads for runner, argv in rs.items()]
rng = random.Random(42)
for rnd in range(rounds):
    rng.shuffle(pairs)
    for name, runner, argv in pairs:
        wall, cpu = run_once(argv)
        results[name][runner][0].append(wall)
        results[name][runner][1].append(cpu)
    print(f"round {rnd + 1}/{rounds} done", file=sys.stderr)

cpu_model = open("/proc/cpuinfo").read().split("model name")[1].split("\n")[0].strip(": \t")
order = ["native", "jbinfmt", "jbinfmt, net of start-up", "proot", "proot -q", "strace", "kernel"]
startup = workloads[-1][0]
lines = [f"Machine: {cpu_model}, {os.cpu_count()} cores, Linux {platform.release()}; "
         f"{rounds} alternating rounds, medians. CPU = user+system of the whole process tree.", ""]
for name, rs in workloads:
    lines.append(f"**{name}**")
    lines.append("")
    lines.append("| runner | wall | CPU | wall / native | CPU / native | wall / kernel |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    med = {r: (statistics.median(w), statistics.median(c)) for r, (w, c) in results[name].items()}
    if "jbinfmt" in med and not name.startswith("start-up"):
        # what tracing costs the workload itself: jbinfmt's own start-up (JVM, FFM) taken out
        su = {r: (statistics.median(w), statistics.median(c)) for r, (w, c) in results[startup].items()}
        extra_w = su["jbinfmt"][0] - su["native"][0]
        extra_c = su["jbinfmt"][1] - su["native"][1]
        med["jbinfmt, net of start-up"] = (med["jbinfmt"][0] - extra_w, med["jbinfmt"][1] - extra_c)
    for r in order:
        if r not in med:
            continue
        w, c = med[r]
        nat = med.get("native")
        ker = med.get("kernel")
        f = lambda a, b: f"{a / b:.2f}x" if b and b > 0 else "-"
        lines.append(f"| {r} | {w * 1000:.1f} ms | {c * 1000:.1f} ms | {f(w, nat[0]) if nat else '-'} "
                     f"| {f(c, nat[1]) if nat else '-'} | {f(w, ker[0]) if ker else '-'} |")
    lines.append("")
text = "\n".join(lines)
print(text)
open(f"{out}/compare.md", "w").write(text + "\n")
