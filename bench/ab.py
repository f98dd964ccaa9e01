"""A/B of jbinfmt images (a copy built before a change, and the current one), interleaved, medians.

    python3 bench/ab.py [--engine E] [--pin CPU] ROUNDS N label=image [label=image ...] [-w rw,pt,su,st]

rw: N execs of an aarch64 file that an M rule rewrites to /bin/true, against the kernel's binfmt_misc (a private user
namespace) and the C rewrite floor (bench/src/c/notify-floor.c --rewrite: the same three stops, nothing else); pt: N
fork+exec of /bin/true, against native, the C notify floor and the C deciding floor (notify-floor --decide: the
looks an exact pass-through needs, nothing else); su: start-up (/bin/true), which gives the "net of
start-up" figures; st: the rewrite loop with --stats (tracer CPU per exec). Every runner of every
workload runs once per round, in a shuffled order. Needs bench/results/bin/{hello-aarch64,notify-floor}, which
bench/compare.sh builds. An image's AOT cache is used only where the image was built (see bench/startup.sh).
--pin CPU runs every runner on that one CPU (taskset): on a machine with few CPUs the wake-ups of a notification
(tracee to supervisor and back) then stay on one CPU instead of crossing to another at the scheduler's whim, which
moves the loops by 5-10% from run to run and hides per-exec differences of a few percent.
"""
import os
import random
import re
import statistics
import subprocess
import sys
import time

args = sys.argv[1:]
engine = "notify"
if "--engine" in args:
    i = args.index("--engine"); engine = args[i + 1]; del args[i:i + 2]
pin = []
if "--pin" in args:
    i = args.index("--pin"); pin = ["taskset", "-c", args[i + 1]]; del args[i:i + 2]
which = "rw,pt,su,st"
if "-w" in args:
    i = args.index("-w"); which = args[i + 1]; del args[i:i + 2]
which = which.split(",")
if len(args) < 3:
    sys.exit(__doc__)
rounds, n = int(args[0]), int(args[1])
imgs = dict(a.split("=", 1) for a in args[2:])
bins = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "bin")
hello, floor = os.path.join(bins, "hello-aarch64"), os.path.join(bins, "notify-floor")
for f in (hello, floor):
    if not os.access(f, os.X_OK):
        sys.exit(f"ab.py: {f} missing: run bench/compare.sh once (it builds it)")
AARCH64 = (r"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\xb7\x00:"
           r"\xff\xff\xff\xff\xff\xff\xff\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff")
RULE = f":aarch64:M::{AARCH64}:/bin/true:"


def loop(cmd):
    return f"i=0; while [ $i -lt {n} ]; do {cmd}; i=$((i+1)); done"


def kernel(cmd, rule):
    return ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
            "mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && "
            f"printf '%s' '{rule}' > /proc/sys/fs/binfmt_misc/register && exec {cmd}"]


def jbinfmt(image, rule, argv, extra=()):
    return ([f"{image}/bin/jbinfmt", *extra, "--engine", engine, "--no-defaults"]
            + (["--rule", rule] if rule else []) + ["--"] + argv)


W = {}
if "rw" in which:
    W["rewrite"] = {"kernel": kernel(f"sh -c '{loop(hello)}'", RULE),
                    "floor": [floor, "--rewrite", "/bin/true", "sh", "-c", loop(hello)],
                    **{l: jbinfmt(p, RULE, ["sh", "-c", loop(hello)]) for l, p in imgs.items()}}
if "st" in which:
    W["rewrite --stats"] = {l: jbinfmt(p, RULE, ["sh", "-c", loop(hello)], ["--stats"]) for l, p in imgs.items()}
if "pt" in which:
    W["passthrough"] = {"native": ["sh", "-c", loop("/bin/true")], "floor": [floor, "sh", "-c", loop("/bin/true")],
                        "decide": [floor, "--decide", "sh", "-c", loop("/bin/true")],
                        **{l: jbinfmt(p, None, ["sh", "-c", loop("/bin/true")]) for l, p in imgs.items()}}
if "su" in which:
    W["startup"] = {"native": ["/bin/true"], **{l: jbinfmt(p, None, ["/bin/true"]) for l, p in imgs.items()}}

res = {w: {r: ([], [], []) for r in rs} for w, rs in W.items()}
runs = [(w, r, a) for w, rs in W.items() for r, a in rs.items()]
rng = random.Random(7)
for i in range(rounds):
    rng.shuffle(runs)
    for w, r, a in runs:
        t = time.perf_counter()
        p = subprocess.Popen(pin + a, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
        if status != 0:
            sys.exit(f"ab.py: {a} failed ({status}): {err}")
        res[w][r][0].append(time.perf_counter() - t)
        res[w][r][1].append(usage.ru_utime + usage.ru_stime)  # the whole tree: every child was waited for
        m = re.search(r"tracer CPU ([0-9.]+) ms", err)
        if m:
            res[w][r][2].append(float(m.group(1)) / 1000)
    print(f"round {i + 1}/{rounds}", file=sys.stderr)

med = {w: {r: tuple(statistics.median(x) if x else 0 for x in v) for r, v in rs.items()} for w, rs in res.items()}
su = med.get("startup")
print(f"engine {engine}{'; every runner on CPU ' + pin[2] if pin else ''}; load average at the end: {' '.join(open('/proc/loadavg').read().split()[:3])}")
for w, rs in med.items():
    print(f"## {w} (n={n}, {rounds} rounds, medians)")
    ref = "kernel" if "kernel" in rs else "native" if "native" in rs else None
    for r, (wall, cpu, tracer) in rs.items():
        s = f"{r:8s} wall {wall * 1000:7.0f} ms CPU {cpu * 1000:7.0f} ms"
        if ref:
            s += f"  {wall / rs[ref][0]:.3f}x / {cpu / rs[ref][1]:.3f}x"
        if tracer:
            s += f"  tracer CPU {tracer * 1000:.0f} ms = {tracer / n * 1e6:.0f} us/exec"
        if su and r in su and r != "native" and w != "startup" and ref:
            nw, nc = wall - (su[r][0] - su["native"][0]), cpu - (su[r][1] - su["native"][1])
            s += (f" | net of start-up: {nw / rs[ref][0]:.3f}x / {nc / rs[ref][1]:.3f}x; per exec over {ref}: "
                  f"{(nw - rs[ref][0]) / n * 1e6:.0f} us wall, {(nc - rs[ref][1]) / n * 1e6:.0f} us CPU")
            for fl, called in (("floor", "floor"), ("decide", "deciding floor")):
                if fl in rs:
                    s += f"; {nw / rs[fl][0]:.3f}x / {nc / rs[fl][1]:.3f}x the {called}"
        print(s)
