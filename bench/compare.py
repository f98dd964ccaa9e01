"""Whole-process timings for bench/compare.sh: runs every (workload, runner) pair once per round, in a new random
order each round (so that no runner always follows the one that filled or flushed the caches), and reports
medians of wall time and of CPU time (user+system of the whole process tree, from wait4). jbinfmt runs under each
of its engines, each named with --engine (so a host that cannot run notify fails the run instead of timing ptrace
twice), in the same rounds as every other runner. `jbinfmt (kernel)` is jbinfmt setting up the private binfmt_misc
itself; `kernel` is the same done by hand with unshare(1), the reference. WORKLOADS (comma-separated keys, below) picks workloads; the
start-up one always runs, as the others are also given net of it."""
import os, platform, random, statistics, subprocess, sys, tempfile, time

root, out, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
jb = f"{root}/cli/target/jbinfmt-image/bin/jbinfmt"
hello = f"{out}/bin/hello-aarch64"
AARCH64 = (r"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:"
           r"\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff")
TO_TRUE = f":aarch64:M::{AARCH64}:/bin/true:"
TO_QEMU = f":aarch64:M::{AARCH64}:/usr/bin/qemu-aarch64:"
ENGINES = ["notify", "ptrace", "kernel"]

def loop(cmd, n):
    return f"i=0; while [ $i -lt {n} ]; do {cmd}; i=$((i+1)); done"

def kernel(cmd, rule=None):
    reg = f"printf '%s' '{rule}' > /proc/sys/fs/binfmt_misc/register && " if rule else ""
    script = f"mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && {reg}exec {cmd}"
    return ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", script]

def sh(script):
    return ["sh", "-c", script]

def jbinfmt(engine, rule, argv):
    return [jb, "--engine", engine, "--no-defaults"] + (["--rule", rule] if rule else []) + ["--"] + argv

def runners(cmd, rule=None, qemu="/bin/true", native=True):
    """cmd: a shell command line. rule: what jbinfmt and the kernel register (every rule here takes aarch64 ELF
    files, as the rewrite floor does; its interpreter is qemu's). qemu: proot -q's emulator, and the rewrite
    floor's interpreter."""
    r = {}
    if native:
        r["native"] = sh(cmd)
    for e in ENGINES:
        r[f"jbinfmt ({e})"] = jbinfmt(e, rule, sh(cmd))
    if native:
        r["notify floor"] = [f"{out}/bin/notify-floor"] + sh(cmd)
        r["deciding floor"] = [f"{out}/bin/notify-floor", "--decide"] + sh(cmd)
        r["proot"] = ["proot"] + sh(cmd)
    if rule:
        r["rewrite floor"] = [f"{out}/bin/notify-floor", "--rewrite", qemu] + sh(cmd)
    r["proot -q"] = ["proot", "-q", qemu] + sh(cmd)
    if native:
        r["strace"] = ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=execve,execveat", "-o", "/dev/null"] + sh(cmd)
    r["kernel"] = kernel(f"sh -c '{cmd}'", rule)
    return r

FORK_EXEC = "2000 fork+exec of /bin/true"
REWRITE = "2000 execs of a foreign file, rewritten to /bin/true"
UPSTREAM = (f"a real upstream suite: GMP 6.2.1's `make check`, cross-built for aarch64 (bench/upstream-suite.sh), "
            f"{os.environ.get('UPSTREAM_TESTS', '?')} test programs (UPSTREAM_DIRS={os.environ.get('UPSTREAM_DIRS') or 'all'}, "
            f"GMP_CHECK_REPFACTOR={os.environ.get('UPSTREAM_REPS', '1')}), all already built, through qemu-aarch64")
PIPELINE = ("foreign shell pipeline: `for i in $(seq 100); do hello-aarch64 | md5sum; done`, "
            "hello-aarch64 (static, no busybox) through qemu-aarch64")
workloads = [
    ("find", "`find /usr -type f` (syscall-heavy)", lambda: runners("find /usr -type f > /dev/null 2>&1; true")),
    ("stat", "200k stat() calls", lambda: runners(f"{out}/bin/stat-loop 200000")),
    ("fork-exec", FORK_EXEC, lambda: runners(loop("/bin/true", 2000))),
    ("rewrite", REWRITE, lambda: runners(loop(hello, 2000), TO_TRUE, native=False)),
    ("hello", "200 runs of aarch64 hello through qemu-aarch64",
     lambda: runners(loop(f"{hello} > /dev/null", 200), TO_QEMU, qemu="/usr/bin/qemu-aarch64", native=False)),
    # the "foreign busybox shell running `echo x | md5sum` 100 times": no arm64 busybox is installed here, so
    # the host's sh runs the loop and the foreign side of each pipe is the static aarch64 hello, run by the same
    # rule and qemu-aarch64 as the kernel's binfmt_misc uses
    ("pipeline", PIPELINE,
     lambda: runners(f"for i in $(seq 100); do {hello} | md5sum > /dev/null; done", TO_QEMU,
                     qemu="/usr/bin/qemu-aarch64", native=False)),
    # no native run of an aarch64 suite: its ratios are to the kernel's binfmt_misc, with the same rule
    ("upstream", UPSTREAM,
     lambda: runners(f"{root}/bench/upstream-suite.sh run", TO_QEMU, qemu="/usr/bin/qemu-aarch64", native=False)),
    ("start-up", "start-up: `/bin/true`", lambda: {"native": ["/bin/true"],
                               **{f"jbinfmt ({e})": jbinfmt(e, None, ["/bin/true"]) for e in ENGINES},
                               "proot": ["proot", "/bin/true"],
                               "strace": ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=execve", "-o",
                                          "/dev/null", "/bin/true"],
                               "kernel": kernel("/bin/true")}),
]
chosen = os.environ.get("WORKLOADS", "").split(",") if os.environ.get("WORKLOADS") else [k for k, _, _ in workloads]
unknown = set(chosen) - {k for k, _, _ in workloads}
if unknown:
    raise SystemExit(f"compare: unknown WORKLOADS {', '.join(sorted(unknown))}; "
                     f"known: {', '.join(k for k, _, _ in workloads)}")
workloads = [(name, make()) for k, name, make in workloads if k in chosen or k == "start-up"]

# RUNNERS=a,b: just these runners (and native and kernel, the references). For quick looks; the README's tables
# come from full runs.
keep = [r for r in os.environ.get("RUNNERS", "").split(",") if r]
if keep:
    workloads = [(n, {r: a for r, a in rs.items() if r in keep or r in ("native", "kernel")}) for n, rs in workloads]
ENGINES = [e for e in ENGINES if not keep or f"jbinfmt ({e})" in keep]

def engine_line(e):
    """What -v says about the engine a run gets: proof that --engine e really ran e here."""
    p = subprocess.run([jb, "-v"] + jbinfmt(e, None, ["/bin/true"])[1:],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise SystemExit(f"compare: jbinfmt --engine {e} cannot run here: {p.stderr.strip()}")
    return next((l for l in p.stderr.splitlines() if l.startswith("jbinfmt: engine ")), f"jbinfmt: engine {e}: ?")

engines = [engine_line(e) for e in ENGINES]

def run_once(argv):
    """(wall, CPU, None), or (None, None, the last line of its stderr) when the run failed."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace").splitlines()[-20:]
            print("\n".join(tail + [f"compare: {' '.join(argv)[:200]} failed with {status}"]), file=sys.stderr)
            return None, None, (tail[-1] if tail else f"exit status {status}")
    return wall, usage.ru_utime + usage.ru_stime, None

# a failed run is never timed: its runner leaves that workload's rounds and its row says why
results = {name: {r: ([], []) for r in rs} for name, rs in workloads}
failed = {}
pairs = [(name, runner, argv) for name, rs in workloads for runner, argv in rs.items()]
rng = random.Random(42)
for rnd in range(rounds):
    rng.shuffle(pairs)
    for name, runner, argv in pairs:
        if (name, runner) in failed:
            continue
        wall, cpu, why = run_once(argv)
        if why is not None:
            failed[(name, runner)] = why
            del results[name][runner]
            continue
        results[name][runner][0].append(wall)
        results[name][runner][1].append(cpu)
    print(f"round {rnd + 1}/{rounds} done", file=sys.stderr)

def medians_of(name):
    med = {r: (statistics.median(w), statistics.median(c)) for r, (w, c) in results[name].items()}
    if name != startup and startup in results:
        # what tracing costs the workload itself: jbinfmt's own start-up (JVM, FFM; per engine) taken out
        su = {r: (statistics.median(w), statistics.median(c)) for r, (w, c) in results[startup].items()}
        for e in ENGINES:
            j = f"jbinfmt ({e})"
            if j in med and j in su and "native" in su:
                extra_w = su[j][0] - su["native"][0]
                extra_c = su[j][1] - su["native"][1]
                med[f"{j}, net of start-up"] = (med[j][0] - extra_w, med[j][1] - extra_c)
    return med

startup = workloads[-1][0]
medians = {name: medians_of(name) for name, _ in workloads}
cpu_model = open("/proc/cpuinfo").read().split("model name")[1].split("\n")[0].strip(": \t")
order = (["native"] + [r for e in ENGINES for r in (f"jbinfmt ({e})", f"jbinfmt ({e}), net of start-up")]
         + ["notify floor", "deciding floor", "rewrite floor", "proot", "proot -q", "strace", "kernel"])
lines = [f"Machine: {cpu_model}, {os.cpu_count()} cores, Linux {platform.release()}; "
         f"{rounds} alternating rounds, medians. CPU = user+system of the whole process tree.", ""]
lines += ["Engines (`jbinfmt -v --engine E`, once before the rounds):", ""] + [f"- {l}" for l in engines] + [""]
for name, rs in workloads:
    lines.append(f"**{name}**")
    lines.append("")
    lines.append("| runner | wall | CPU | wall / native | CPU / native | wall / kernel | CPU / kernel |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    med = medians[name]
    for r in order:
        if (name, r) in failed:
            lines.append(f"| {r} | failed: {failed[(name, r)].replace('|', '/')} | | | | | |")
        if r not in med:
            continue
        w, c = med[r]
        nat = med.get("native")
        ker = med.get("kernel")
        f = lambda a, b: f"{a / b:.2f}x" if b and b > 0 else "-"
        lines.append(f"| {r} | {w * 1000:.1f} ms | {c * 1000:.1f} ms | {f(w, nat[0]) if nat else '-'} "
                     f"| {f(c, nat[1]) if nat else '-'} | {f(w, ker[0]) if ker else '-'} | {f(c, ker[1]) if ker else '-'} |")
    lines.append("")

# the three ratios, read off the tables above: passthrough fork+exec against native CPU, the rewritten exec
# loop and the foreign pipeline against the kernel's binfmt_misc (wall and CPU), as measured and net of start-up
lines.append("**Targets: the ratios the issue asks about, per engine (from the tables above)**")
lines.append("")
lines.append("| ratio | " + " | ".join(f"{e} | {e}, net of start-up" for e in ENGINES) + " |")
lines.append("|---|" + "---:|" * (2 * len(ENGINES)))
def ratio_row(label, name, base, index):
    if name not in medians or base not in medians[name]:
        return
    med = medians[name]
    cells = []
    for e in ENGINES:
        for r in (f"jbinfmt ({e})", f"jbinfmt ({e}), net of start-up"):
            cells.append(f"{med[r][index] / med[base][index]:.2f}x" if r in med and med[base][index] > 0 else "-")
    lines.append(f"| {label} | " + " | ".join(cells) + " |")
ratio_row("passthrough fork+exec loop, CPU / native", FORK_EXEC, "native", 1)
ratio_row("passthrough fork+exec loop, wall / native", FORK_EXEC, "native", 0)
ratio_row("rewritten exec loop, wall / kernel", REWRITE, "kernel", 0)
ratio_row("rewritten exec loop, CPU / kernel", REWRITE, "kernel", 1)
ratio_row("foreign pipeline, wall / kernel", PIPELINE, "kernel", 0)
ratio_row("foreign pipeline, CPU / kernel", PIPELINE, "kernel", 1)
ratio_row("upstream suite, wall / kernel", UPSTREAM, "kernel", 0)
ratio_row("upstream suite, CPU / kernel", UPSTREAM, "kernel", 1)
lines.append("")
# the same ratios for the C floors, where each was run: how far below the kernel's own figures the mechanism can go
fl = [(label, name, base, floor_runner, i) for label, name, base, floor_runner in
      (("passthrough fork+exec loop", FORK_EXEC, "native", "notify floor"),
       ("passthrough fork+exec loop", FORK_EXEC, "native", "deciding floor"),
       ("rewritten exec loop", REWRITE, "kernel", "rewrite floor"),
       ("foreign pipeline", PIPELINE, "kernel", "rewrite floor"),
       ("upstream suite", UPSTREAM, "kernel", "rewrite floor"))
      for i in (0, 1) if name in medians and floor_runner in medians[name] and base in medians[name]]
if fl:
    lines.append("The mechanism's floors on the same workloads (`notify floor`: passes every exec through; `deciding "
                 "floor`: the same after the looks an exact pass-through needs (path, root, program statx); `rewrite "
                 "floor`: rewrites the foreign ones with the notify engine's three stops and nothing else):")
    lines.append("")
    lines.append("| ratio | floor | notify, net of start-up | notify / floor |")
    lines.append("|---|---:|---:|---:|")
    for label, name, base, floor_runner, i in fl:
        med = medians[name]
        j = med.get("jbinfmt (notify), net of start-up")
        f = med[floor_runner][i] / med[base][i]
        lines.append(f"| {label}, {'wall' if i == 0 else 'CPU'} / {base} ({floor_runner}) | {f:.2f}x | "
                     + (f"{j[i] / med[base][i]:.2f}x | {j[i] / med[floor_runner][i]:.2f}x |" if j else "- | - |"))
    lines.append("")
floor = medians.get(FORK_EXEC, {}).get("notify floor")
if floor and "native" in medians[FORK_EXEC]:
    nat = medians[FORK_EXEC]["native"]
    lines.append(f"The notify mechanism's floor (`notify floor`: bench/src/c/notify-floor.c, a C supervisor that answers "
                 f"every exec CONTINUE and does nothing else) on the passthrough fork+exec loop: "
                 f"{floor[1] / nat[1]:.2f}x native CPU, {floor[0] / nat[0]:.2f}x native wall.")
    lines.append("")
text = "\n".join(lines)
print(text)
open(f"{out}/compare.md", "w").write(text + "\n")
if failed:
    raise SystemExit(f"compare: {len(failed)} runner(s) failed a workload (rows marked failed)")
