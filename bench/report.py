#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""report.py - medians, ranges and ratios of one bench run, and its plot.

Usage: report.py OUT_DIR [PNG]
OUT_DIR is the guest's out/ directory (samples.txt, facts); the plot of
time against blocks for the three tools goes to PNG (default
OUT_DIR/bench.png), drawn by gnuplot when it is installed.

Ratios pair samples of the same repetition (the guest runs the tools of
one repetition back to back), then take the median of the per-pair ratios:
the machines are shared and noisy, and a pair sees the same noise.

Samples of the size benchmark (bench/sizes.sh, group "size": one device
of N blocks per boot, collected by `bench/run.sh -s` into one OUT_DIR)
get their own table: per size and direction the median time per block of
each tool, and tdxmemd/floor and tdxmemd/daxctl as the geometric mean of
the per-repetition pair ratios with a 95% t-interval on their logs,
judged against the targets by the interval's bounds; then the same
turns under strace ("split"), each tool's wall time over its kernel time,
which bounds tdxmemd/floor without the kernel's turn-to-turn noise. A run
of guest.sh alone prints what it always did.
"""
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict


def load(out):
    samples = defaultdict(list)  # (group, case, tool, n) -> [ms], in run order
    bad = 0
    with open(os.path.join(out, "samples.txt")) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 6:
                continue
            group, case, tool, n, value, ok = parts
            if ok != "ok":
                bad += 1
                print(f"  NOT REACHED: {line.strip()}")
                continue
            # microseconds, except the service's own pass time (ms) and the
            # rest figures (counts)
            v = float(value)
            if group not in ("pass", "rest"):  # pass-ref is microseconds
                v /= 1000.0
            samples[(group, case, tool, int(n))].append(v)
    facts = {}
    path = os.path.join(out, "facts")
    if os.path.exists(path):
        for line in open(path):
            k, _, v = line.rstrip("\n").partition("=")
            facts[k] = v
    return samples, facts, bad


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def span(xs):
    return f"{min(xs):.0f}-{max(xs):.0f}" if xs else "-"


def pair_ratio(a, b):
    pairs = [x / y for x, y in zip(a, b) if y > 0]
    return med(pairs), pairs


def verdict(ok):
    return "meets" if ok else "MISSES"


def main():
    out = sys.argv[1]
    png = sys.argv[2] if len(sys.argv) > 2 else os.path.join(out, "bench.png")
    s, facts, bad = load(out)
    groups = sample_groups(out)
    if "size" in groups:
        size_report(out, facts)
        split_report(out)
    if groups == {"size"}:
        if bad:
            print(f"\n{bad} measurement(s) did not reach the state they promised")
        return 1 if bad else 0
    print(f"kernel {facts.get('kernel_release', '?')}; "
          f"{facts.get('procs_total', '?')} processes at most; "
          f"journal kernel lines {facts.get('journal_kernel_lines', '?')}")

    print("\nblocks: ms, median (min-max); ratios are medians of per-repetition pairs,"
          " tdxmemd/daxctl with the pairs' range")
    print(f"{'case':7} {'blocks':>6} {'floor':>14} {'daxctl':>14} {'tdxmemd':>14}"
          f" {'tdxmemd/daxctl':>22} {'tdxmemd/floor':>14}")
    plot = defaultdict(dict)
    worst = 0.0
    for case in ("online", "devdax"):
        for n in (4, 16, 32):
            f, d, t = (s[("blocks", case, tool, n)] for tool in ("floor", "daxctl", "tdxmemd"))
            if not t:
                continue
            rd, pairs = pair_ratio(t, d)
            rf, _ = pair_ratio(t, f)
            rd_cell = f"{rd:.2f} ({min(pairs):.2f}-{max(pairs):.2f})" if pairs else "-"
            worst = max(worst, rd)
            cells = [f"{med(x):6.0f} ({span(x)})" for x in (f, d, t)]
            print(f"{case:7} {n:6} {cells[0]:>14} {cells[1]:>14} {cells[2]:>14}"
                  f" {rd_cell:>22} {rf:14.2f}")
            for tool, x in (("floor", f), ("daxctl", d), ("tdxmemd", t)):
                plot[(case, tool)][n] = med(x)
    print(f"  target tdxmemd/daxctl <= 1.0 everywhere: worst {worst:.2f}, {verdict(worst <= 1.0)}")

    print("\nidle pass (nothing to do): ms, median (min-max)")
    conditions(s, ("idle", "tdxmemd-once", "tdxmemd --once"), ("idle", "daxctl-list"),
               ("base", "procs500", "procs2000", "wrapped"), base_target=1.5)
    print("\nthe service's pass (its own timing, ms), for a device with nothing to do;"
          " daxctl list right after it as the reference")
    conditions(s, ("pass", "service", "pass"), ("pass-ref", "daxctl-list"),
               ("base", "procs2000", "wrapped"))

    print("\nleaving devdax, 32 blocks: who holds the device")
    for group, what in (("scan", "no dax file open (device_dax's count says so), online"),
                        ("scan-held", "the device held (/proc walked to its end), left devdax")):
        s0, s2 = s[(group, "procs0", "tdxmemd", 32)], s[(group, "procs2000", "tdxmemd", 32)]
        if s0 and s2:
            print(f"  {what}: {med(s0):.0f} ms with the boot's processes,"
                  f" {med(s2):.0f} ms with 2,000 more: {med(s2) / med(s0):.2f}x,"
                  f" {(med(s2) - med(s0)) / 2000 * 1000:.1f} us per process")

    print("\nservice: region commit to its record, ms")
    for case in ("single", "burst8"):
        l = s[("latency", case, "service", 0)]
        if l:
            extra = f", target median <= 250: {verdict(med(l) <= 250)}" if case == "single" else ""
            print(f"  {case:7} median {med(l):.0f} ({span(l)}), {len(l)} regions{extra}")
    latency_split(out)
    for case in ("single", "burst"):
        p, r = facts.get(f"passes_{case}"), facts.get(f"records_{case}_new")
        if p is not None:
            print(f"  {case:7} passes {p} for {r} records"
                  f" (target one per decision: {verdict(int(p) <= int(r))})")

    w, rss = s[("rest", "wakeups60s", "service", 0)], s[("rest", "rss_kib", "service", 0)]
    if w and rss:
        print(f"\nat rest: {w[0]:.0f} context switches in 60 s, RSS {rss[0] / 1024:.1f} MiB"
              f" (targets 0 and <= 5 MiB: {verdict(w[0] == 0 and rss[0] <= 5 * 1024)})")
        rss_by_file(out)
    if bad:
        print(f"\n{bad} measurement(s) did not reach the state they promised")

    write_plot(plot, out, png)
    return 1 if bad else 0


# Two-sided 95% quantiles of Student's t, t(0.975, df); a df between two
# rows takes the smaller df's (wider) value.
T975 = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365,
        8: 2.306, 9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145,
        15: 2.131, 16: 2.120, 17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086,
        21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064, 25: 2.060, 26: 2.056,
        27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000,
        120: 1.980}


def t975(df):
    return T975[max(k for k in T975 if k <= df)] if df <= 120 else 1.960


# The size benchmark's targets: (direction, ratio) -> the most it may be.
SIZE_TARGETS = {("online", "daxctl"): 1.0,
                ("online", "floor"): 1.05,
                ("devdax", "floor"): 1.05}


def sample_groups(out):
    """Every group in samples.txt, whether its samples reached their state
    or not."""
    with open(os.path.join(out, "samples.txt")) as f:
        return {line.split()[0] for line in f if len(line.split()) == 6}


def size_runs(out):
    """The size group by (case, tool, blocks): one entry per repetition, in
    run order, ms or None where the turn did not reach its state, so that
    the k-th entries of two tools are the same repetition's pair."""
    runs = defaultdict(list)
    with open(os.path.join(out, "samples.txt")) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 6 or parts[0] != "size":
                continue
            _, case, tool, n, value, ok = parts
            runs[(case, tool, int(n))].append(float(value) / 1000.0 if ok == "ok" else None)
    return runs


def geo_ratio(a, b):
    """Geometric mean of the pair ratios a[k]/b[k] (pairs with a bad or
    zero side left out), its 95% interval (None below two pairs) and the
    number of pairs."""
    logs = [math.log(x / y) for x, y in zip(a, b) if x and y]
    n = len(logs)
    if not n:
        return None, None, 0
    mean = statistics.fmean(logs)
    if n < 2:
        return math.exp(mean), None, n
    half = t975(n - 1) * statistics.stdev(logs) / math.sqrt(n)
    return math.exp(mean), (math.exp(mean - half), math.exp(mean + half)), n


def judge(interval, target):
    """met: the interval's upper bound is within the target; not met: its
    lower bound is above it; undecided: it straddles, or there is none."""
    if interval is None:
        return "undecided"
    if interval[1] <= target:
        return "met"
    if interval[0] > target:
        return "not met"
    return "undecided"


def size_report(out, facts):
    runs = size_runs(out)
    kernels = sorted({v for k, v in facts.items() if k.endswith("kernel_release")})
    ifaces = sorted({v for k, v in facts.items() if k.endswith("size_interface")})
    print(f"size: one region of a whole device per boot; kernel {', '.join(kernels) or '?'};"
          f" kmem interface {', '.join(ifaces) or '?'}")
    print("ms per block, median of the repetitions; ratios are geometric means of the"
          " per-repetition pair ratios [95% interval], n pairs")
    print(f"{'case':7} {'blocks':>6} {'floor':>8} {'daxctl':>8} {'tdxmemd':>8}"
          f"  {'tdxmemd/floor':30}  {'tdxmemd/daxctl':30}  floor/daxctl")
    verdicts = []
    for case in ("online", "devdax"):
        for n in sorted({k[2] for k in runs if k[0] == case}):
            x = {tool: runs[(case, tool, n)] for tool in ("floor", "daxctl", "tdxmemd")}
            per_block = [med([v / n for v in x[tool] if v is not None])
                         for tool in ("floor", "daxctl", "tdxmemd")]
            cells = []
            # floor/daxctl: what any tool that takes the kernel's one step
            # can reach against daxctl's two (bind, then block by block)
            for tool, ref in (("tdxmemd", "floor"), ("tdxmemd", "daxctl"), ("floor", "daxctl")):
                g, ci, pairs = geo_ratio(x[tool], x[ref])
                if g is None:
                    cells.append("-")
                    continue
                span_ = f"[{ci[0]:.3f}-{ci[1]:.3f}]" if ci else "[-]"
                cells.append(f"{g:.3f} {span_} n={pairs}")
                target = SIZE_TARGETS.get((case, ref)) if tool == "tdxmemd" else None
                if target is not None:
                    verdicts.append(f"  {case:7} {n:6} tdxmemd/{ref} <= {target}:"
                                    f" {judge(ci, target)} ({g:.3f} {span_}, n={pairs})")
            print(f"{case:7} {n:6} {per_block[0]:8.3f} {per_block[1]:8.3f} {per_block[2]:8.3f}"
                  f"  {cells[0]:30}  {cells[1]:30}  {cells[2]}")
    print("targets, by the 95% interval (met: its upper bound within; not met: its lower"
          " bound beyond; undecided: it straddles, or fewer than 2 pairs)")
    for line in verdicts:
        print(line)


def shown(g, ci, n):
    """A geometric mean as the reports print it: value [interval] n=count."""
    if g is None:
        return "-"
    return f"{g:.3f} [{ci[0]:.3f}-{ci[1]:.3f}] n={n}" if ci else f"{g:.3f} [-] n={n}"


def split_report(out):
    """sizes.sh's traced turns ("split CASE TOOL N WALL_US KERNEL_US ok"):
    per turn, its wall time over the time its writes to /sys spent in the
    kernel. The floor makes the same kernel steps as tdxmemd in no less
    time than they take, so tdxmemd's ratio bounds tdxmemd/floor from
    above, without the kernel's turn-to-turn noise."""
    turns = defaultdict(list)
    with open(os.path.join(out, "samples.txt")) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 7 and parts[0] == "split":
                _, case, tool, n, wall, kernel, ok = parts
                if ok == "ok" and int(kernel) > 0:
                    turns[(case, tool, int(n))].append((float(wall), float(kernel)))
    if not turns:
        return
    print("split: the same turns under strace (stops at write(2) only): wall time over"
          " the kernel's time in the writes to /sys, geometric mean [95% interval], n turns;"
          " then tdxmemd's ratio over the floor's, turn by turn, and tdxmemd's kernel time"
          " over the floor's")
    tools = ("floor", "tdxmemd")
    verdicts = []
    for case, n in sorted({k[::2] for k in turns}, key=lambda k: (k[0] != "online", k[1])):
        walls = {t: [w for w, _ in turns[(case, t, n)]] for t in tools}
        kernels = {t: [k for _, k in turns[(case, t, n)]] for t in tools}
        own = {t: geo_ratio(walls[t], kernels[t]) for t in tools}
        g, ci, count = own["tdxmemd"]
        if g:
            # a bound: above 1.05 it shows nothing
            bound = "met" if ci and ci[1] <= 1.05 else "not shown by this bound"
            verdicts.append(f"  {case:7} {n:6} tdxmemd/floor <= 1.05 with the same kernel"
                            f" steps, by tdxmemd's wall/kernel: {bound} ({shown(g, ci, count)})")
        # strace's stops and each tool's own work are in both walls, so they
        # shrink the quotient's distance from 1 by as much as the floor's
        # own ratio: its logs are stretched back by that much.
        g, ci, count = geo_ratio(*([w / k for w, k in zip(walls[t], kernels[t])] for t in
                                   ("tdxmemd", "floor")))
        stretch = own["floor"][0]
        if g and stretch:
            g, ci = g ** stretch, ci and (ci[0] ** stretch, ci[1] ** stretch)
        if g:
            verdicts.append(f"  {case:7} {n:6} tdxmemd/floor <= 1.05 with the same kernel"
                            f" steps, each over its kernel time: {judge(ci, 1.05)}"
                            f" ({shown(g, ci, count)})")
        # The estimate holds if both make the same kernel steps (the same
        # writes in the same order): their kernel times, side by side.
        same_steps = geo_ratio(kernels["tdxmemd"], kernels["floor"])
        print(f"{case:7} {n:6}  {'floor ' + shown(*own['floor']):34}"
              f"  {'tdxmemd ' + shown(*own['tdxmemd']):34}  {shown(g, ci, count):26}"
              f"  {shown(*same_steps)}")
    for line in verdicts:
        print(line)


def rss_by_file(out):
    """The largest resident parts of the service, by mapped file, and how
    much of each only this process holds (private dirty; runs before the
    bench recorded it have only the first column)."""
    try:
        with open(os.path.join(out, "rss.txt")) as f:
            rows = [line.split(None, 2) for line in f if line.strip()]
    except OSError:
        return
    rows = [r if len(r) == 3 else [r[0], "", " ".join(r[1:])] for r in rows]
    if all(r[1] for r in rows):
        dirty = sum(int(r[1]) for r in rows)
        print(f"  of which private dirty (this process's alone): {dirty / 1024:.1f} MiB;"
              " the rest is clean page cache of mapped files")
    print("     rss  private dirty (KiB)")
    for kib, own, name in rows[:8]:
        print(f"  {int(kib):6d} {own:>6}  {name.strip()}")


def conditions(s, measured, reference, cases, base_target=None):
    """One line per condition (more processes, a wrapped log). A condition
    slows the whole machine too: its cost is the growth of the ratio to the
    reference measured in the same condition, over that ratio without it."""
    group, tool, label = measured
    base = None
    for case in cases:
        t, d = s[(group, case, tool, 0)], s[(reference[0], case, reference[1], 0)]
        if not t:
            continue
        r, _ = pair_ratio(t, d)
        line = (f"  {case:10} {label} {med(t):7.1f} ({span(t)})  daxctl list {med(d):6.1f}"
                f" ({span(d)})  ratio {r:.2f}")
        if case == "base":
            base = r
            if base_target:
                line += f", target <= {base_target}: {verdict(r <= base_target)}"
        elif base:
            line += f"; growth {r / base:.2f}, target <= 1.2: {verdict(r / base <= 1.2)}"
        print(line)


def latency_split(out):
    """Where a region's latency goes, from the service's --verbose journal
    lines: commit to its dax device's first uevent seen by tdxmemd (the
    kernel's uevent, read from the netlink socket), to the start of the pass that decided it (the quiet period),
    to the record (the pass, the action included)."""
    lat, jpath = os.path.join(out, "latency.txt"), os.path.join(out, "service.json")
    if not (os.path.exists(lat) and os.path.exists(jpath)):
        return
    seen, passes = {}, []
    for line in open(jpath):
        try:
            e = json.loads(line)
        except ValueError:
            continue
        msg, t = e.get("MESSAGE"), int(e.get("__REALTIME_TIMESTAMP", 0))
        if not isinstance(msg, str) or e.get("_COMM") != "tdxmemd":
            continue
        if msg.startswith("uevent: add dax "):
            seen.setdefault(msg.split()[-1], t)
        elif msg.startswith("Pass for "):
            # "... read in R ms, N recorded, TOTAL ms."
            words = msg.split()
            read = float(words[words.index("in") + 1]) if "in" in words else float("nan")
            passes.append((t - int(float(words[-2]) * 1000), t, read))
    split = defaultdict(lambda: ([], [], [], []))
    for line in open(lat):
        case, dax, commit, record = line.split()
        commit, record = int(commit), int(record)
        start = [(s, r) for s, e, r in passes if s <= record <= e + 1000]
        if dax not in seen or not start:
            continue
        parts = split[case]
        parts[0].append((seen[dax] - commit) / 1000)
        parts[1].append((start[0][0] - seen[dax]) / 1000)
        parts[2].append((record - start[0][0]) / 1000)
        parts[3].append(start[0][1])
    for case, (uevent, wait, work, read) in split.items():
        print(f"  {case:7} of which: commit to uevent {med(uevent):.0f}, quiet period {med(wait):.0f},"
              f" the pass to the record {med(work):.0f} (its reading {med(read):.0f}) (medians)")


def write_plot(plot, out, png):
    data = os.path.join(out, "bench-plot.dat")
    with open(data, "w") as f:
        f.write("# blocks " + " ".join(f"{c}-{t}" for c in ("online", "devdax")
                                       for t in ("floor", "daxctl", "tdxmemd")) + "\n")
        for n in (4, 16, 32):
            f.write(str(n) + " " + " ".join(
                f"{plot[(c, t)].get(n, float('nan')):.1f}" for c in ("online", "devdax")
                for t in ("floor", "daxctl", "tdxmemd")) + "\n")
    if not plot:
        print("\nno block figures: no plot")
        return
    if not shutil.which("gnuplot"):
        print(f"\nno gnuplot: plot data in {data} only")
        return
    columns = [(c, t) for c in ("online", "devdax") for t in ("floor", "daxctl", "tdxmemd")]
    plots = ", ".join(
        f"'{data}' using 1:{i + 2} with linespoints title '{t} {c}'"
        for i, (c, t) in enumerate(columns))
    script = (f"set terminal pngcairo size 800,500; set output '{png}';"
              "set xlabel 'memory blocks (128 MiB)'; set ylabel 'ms (median)';"
              "set key top left; set grid; set xtics (4, 16, 32);"
              f"plot {plots}")
    subprocess.run(["gnuplot", "-e", script], check=True)
    print(f"\nplot: {png}")


if __name__ == "__main__":
    sys.exit(main())
