#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Host-side assertions for one VM scenario.

Usage: check.py NAME OUT_DIR

OUT_DIR is the share's out/ directory of the run: journal.json (journalctl
-b -o json of the whole boot), facts (KEY=VALUE lines the guest recorded),
NAME.{stdout,stderr,rc} of each tdxmemd run, before/after snapshots and the
final daxctl/lsmem/memory dumps.  Every check is listed with its result;
on a failure the evidence follows: tdxmemd's journal records, the facts,
tdxmemd's output and the end of the scenario log.  Exit 0 when all pass.
"""

import json
import os
import sys

# run-guest.sh puts one 4 GiB window per CXL device, in QEMU device order.
WIN0 = (0x390000000, 0x490000000)
WIN1 = (0x490000000, 0x590000000)
MiB = 1 << 20


class Run:
    def __init__(self, out):
        self.out = out
        self.facts = {}
        for line in self.text("facts").splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                self.facts[k] = v
        self.journal = []
        for line in self.text("journal.json").splitlines():
            try:
                self.journal.append(json.loads(line))
            except ValueError:
                pass
        self.records = [
            e for e in self.journal
            if e.get("SYSLOG_IDENTIFIER") == "tdxmemd" and "TDXMEMD_DEVICE" in e
        ]

    def path(self, name):
        return os.path.join(self.out, name)

    def text(self, name):
        try:
            with open(self.path(name), encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def exists(self, name):
        return os.path.exists(self.path(name))

    def rc(self, name):
        t = self.text(name + ".rc").strip()
        return int(t) if t else None

    def fact(self, key, default=None):
        return self.facts.get(key, default)

    def kernel_lines(self):
        for e in self.journal:
            if e.get("_TRANSPORT") == "kernel":
                m = e.get("MESSAGE")
                if isinstance(m, list):  # journald's form for non-UTF-8
                    m = bytes(m).decode("utf-8", "replace")
                yield m or ""

    def records_for(self, dax):
        return [r for r in self.records if r.get("TDXMEMD_DEVICE") == dax]


class Checker:
    def __init__(self, run):
        self.run = run
        self.failed = 0
        self.total = 0

    def check(self, ok, what):
        self.total += 1
        print(("  ok   " if ok else "  FAIL ") + what)
        if not ok:
            self.failed += 1
        return ok

    def eq(self, got, want, what):
        return self.check(got == want, f"{what}: {got!r} (want {want!r})")

    def rc(self, name, want):
        self.eq(self.run.rc(name), want, f"tdxmemd run '{name}' exit status")

    def one_record(self, dax, **fields):
        """Exactly one journal record for dax over the whole boot, with
        these fields (keyword f=v checks TDXMEMD_F, errno=v checks ERRNO)."""
        recs = self.run.records_for(dax)
        self.eq(len(recs), 1, f"journal records for {dax}")
        if not recs:
            return None
        r = recs[-1]
        for k, want in fields.items():
            key = "ERRNO" if k == "errno" else "TDXMEMD_" + k.upper()
            got = r.get(key)
            if callable(want):
                self.check(want(got), f"{dax} {key}={got!r}")
            else:
                self.eq(got, want, f"{dax} {key}")
        return r

    def fact(self, key, want):
        self.eq(self.run.fact(key), want, f"fact {key}")

    def evidence(self):
        run = self.run
        print("---- tdxmemd journal records ----")
        for r in run.records:
            fields = {k: v for k, v in r.items()
                      if k.startswith("TDXMEMD_") or k in ("MESSAGE", "ERRNO", "PRIORITY", "MESSAGE_ID")}
            print("  " + json.dumps(fields, sort_keys=True))
        other = [e.get("MESSAGE") for e in run.journal
                 if e.get("SYSLOG_IDENTIFIER") == "tdxmemd" and "TDXMEMD_DEVICE" not in e]
        if other:
            print("---- other tdxmemd journal lines ----")
            for m in other[-20:]:
                print(f"  {m}")
        print("---- facts ----")
        for k, v in run.facts.items():
            print(f"  {k}={v}")
        for f in sorted(os.listdir(run.out)):
            if f.endswith((".stdout", ".stderr", ".rc")):
                t = run.text(f).strip()
                if t:
                    print(f"---- {f} ----")
                    print("\n".join("  " + x for x in t.splitlines()[-15:]))
        print("---- scenario.log (tail) ----")
        print("\n".join("  " + x for x in run.text("scenario.log").splitlines()[-25:]))
        tdx = [m for m in run.kernel_lines() if "virt/tdx" in m]
        if tdx:
            print("---- virt/tdx kernel lines ----")
            print("\n".join("  " + x for x in tdx))


def rng(start, size):
    return f"{start:#x}-{start + size:#x}"


def is_movable(zone):
    return (zone or "").lower() == "movable"


SCENARIOS = {}


def scenario(fn):
    SCENARIOS[fn.__name__.replace("_", "-")] = fn
    return fn


# --------------------------------------------------------------------------

@scenario
def bed_selftest(c, run):
    c.fact("auto_online_blocks", "offline")
    c.fact("block_size_bytes", "8000000")
    c.fact("region0_start", hex(WIN0[0]))
    c.fact("region0_root", "decoder0.0")
    c.fact("dax_driver_after_create", "kmem")
    c.fact("blocks", "4")
    c.fact("blocks_online_after_create", "0")
    c.fact("write_online_movable", "EPERM")
    c.fact("refusals_after_write", "1")
    c.check(int(run.fact("delayed_write_ms", "0")) >= 300,
            f"delay_ms=300 delays MEM_GOING_ONLINE ({run.fact('delayed_write_ms')} ms)")
    c.fact("refusals_after_delay", "2")
    c.check(run.fact("daxctl_online_rc") not in (None, "0"),
            f"daxctl online-memory fails ({run.fact('daxctl_online_rc')})")
    c.check("Operation not permitted" in run.text("daxctl-online.log"),
            "daxctl reports EPERM")
    c.fact("refusals_after_daxctl", "3")
    c.fact("blocks_online_after_daxctl", "0")
    c.fact("daxctl_devdax_rc", "0")
    c.fact("dax_driver_after_devdax", "device_dax")
    c.fact("daxrw_rc", "0")
    tdx = [m for m in run.kernel_lines() if m.startswith("virt/tdx: ")]
    c.eq(tdx, ["virt/tdx: BIOS enabled: private KeyID range [16, 64)",
               "virt/tdx: CMR: [0x100000, 0x80000000)",
               "virt/tdx: CMR: [0x390000000, 0x490000000)",
               "virt/tdx: module initialized"], "virt/tdx kernel lines")


def device_online(c, run, dax, reason, tdx_state, prefix="after", **more):
    c.one_record(dax, decision="online", reason=reason, outcome="applied",
                 tdx_state=tdx_state, blocks="4", blocks_online="4",
                 zone=is_movable, **more)
    c.fact(f"{prefix}_driver", "kmem")
    c.fact(f"{prefix}_online", "4")
    c.fact(f"{prefix}_zones", "Movable")


def device_devdax(c, run, dax, prefix="after"):
    c.fact(f"{prefix}_driver", "device_dax")
    c.fact(f"{prefix}_online", "0")


@scenario
def no_tdx(c, run):
    dax = run.fact("region0_dax")
    c.rc("once", 0)
    c.fact("before_driver", "kmem")
    c.fact("before_online", "0")
    device_online(c, run, dax, "tdx-disabled", "disabled",
                  cxl_region=run.fact("region0_region"),
                  range_start=hex(WIN0[0]), range_end=hex(WIN0[0] + 512 * MiB),
                  size=str(512 * MiB))


@scenario
def bios_covered(c, run):
    dax = run.fact("region0_dax")
    c.rc("once", 0)
    device_online(c, run, dax, "cmr-covered", "bios-enabled",
                  cmr_source=lambda v: v in ("kmsg", "journal"))
    c.fact("after_refusals", "0")


@scenario
def bios_uncovered(c, run):
    dax = run.fact("region0_dax")
    c.rc("once", 0)
    c.one_record(dax, decision="devdax", reason="not-convertible",
                 outcome="applied", tdx_state="bios-enabled",
                 cmr_source=lambda v: v in ("kmsg", "journal"),
                 uncovered=rng(WIN0[0], 512 * MiB), blocks_online="0")
    device_devdax(c, run, dax)
    c.fact("daxrw_rc", "0")


@scenario
def initialized(c, run):
    dax = run.fact("region0_dax")
    c.rc("once", 0)
    c.one_record(dax, decision="devdax", reason="tdx-initialized",
                 outcome="applied", tdx_state="initialized", blocks_online="0")
    device_devdax(c, run, dax)
    c.fact("after_refusals", "0")
    c.fact("daxrw_rc", "0")


@scenario
def initialized_try(c, run):
    dax = run.fact("region0_dax")
    c.rc("once", 2)
    c.one_record(dax, decision="online", reason="tdx-initialized",
                 outcome="rolled-back", errno="1", tdx_state="initialized",
                 cmr_source="file", blocks_online="0")
    device_devdax(c, run, dax)
    c.check(int(run.fact("after_refusals", "0")) >= 1,
            f"the kernel refused at least one block ({run.fact('after_refusals')})")
    c.fact("daxrw_rc", "0")


@scenario
def auto_online(c, run):
    dax = run.fact("region0_dax")
    c.fact("auto_online_blocks", "online")
    c.fact("before_driver", "kmem")
    c.fact("before_online", "4")
    c.rc("once", 0)
    c.one_record(dax, decision="devdax", reason="not-convertible",
                 outcome="applied", tdx_state="bios-enabled")
    device_devdax(c, run, dax)


@scenario
def big_region(c, run):
    dax = run.fact("region0_dax")
    c.fact("region0_size", hex(4 << 30))
    c.fact("before_blocks", "32")
    c.rc("once", 0)
    c.one_record(dax, decision="devdax", reason="tdx-initialized",
                 outcome="applied", blocks="32", blocks_online="0")
    device_devdax(c, run, dax)
    c.fact("after_refusals", "0")
    # The contrast: onlining block by block is refused once per block and
    # leaves the memory stranded (kmem bound, nothing online).
    c.fact("contrast_daxctl_rc", "0")
    c.fact("contrast_eperm", "32")
    c.fact("contrast_refusals", "32")
    c.fact("contrast_driver", "kmem")
    c.fact("contrast_online", "0")


@scenario
def once_json(c, run):
    dax = run.fact("region0_dax")
    c.rc("dry", 0)
    docs = {}
    for name in ("dry", "json", "again"):
        try:
            docs[name] = json.loads(run.text(name + ".stdout"))
            c.check(True, f"'{name}' stdout is one JSON document")
        except ValueError as e:
            c.check(False, f"'{name}' stdout is one JSON document ({e})")
    def decision(name):
        d = docs.get(name, {}).get("decisions", [])
        return d[0] if len(d) == 1 else {}
    c.eq(decision("dry").get("outcome"), "planned", "dry-run outcome")
    c.eq(decision("dry").get("chardev"), dax, "dry-run chardev")
    c.eq(run.text("after-dry.daxctl.json"), run.text("before.daxctl.json"),
         "daxctl list unchanged by --dry-run")
    c.eq(run.text("after-dry.memory.txt"), run.text("before.memory.txt"),
         "memory blocks unchanged by --dry-run")
    c.rc("json", 0)
    c.eq(decision("json").get("outcome"), "applied", "--json outcome")
    c.eq(decision("json").get("decision"), "devdax", "--json decision")
    c.eq(decision("json").get("size"), 512 * MiB, "--json size is a number")
    c.eq(decision("json").get("range_start"), hex(WIN0[0]), "--json range_start")
    c.rc("again", 0)
    c.eq(decision("again").get("outcome"), "already", "second run outcome")
    # Records: none from the dry run, one from each real run.
    recs = run.records_for(dax)
    c.eq([r.get("TDXMEMD_OUTCOME") for r in recs], ["applied", "already"],
         "journal records (dry run writes none)")
    for name in ("json-without-once", "bad-option", "bad-device", "bad-cmr-file"):
        c.rc(name, 1)
    c.eq(run.text("after-errors.daxctl.json"), run.text("after-json.daxctl.json"),
         "error runs touch nothing")


@scenario
def two_devices(c, run):
    d0, d1 = run.fact("region0_dax"), run.fact("region1_dax")
    c.fact("region0_start", hex(WIN0[0]))
    c.fact("region1_start", hex(WIN1[0]))
    c.fact("region0_root", "decoder0.0")
    c.fact("region1_root", "decoder0.1")
    c.rc("once", 0)
    device_online(c, run, d0, "cmr-covered", "bios-enabled", prefix="after0")
    c.one_record(d1, decision="devdax", reason="not-convertible",
                 outcome="applied", uncovered=rng(WIN1[0], 512 * MiB))
    device_devdax(c, run, d1, prefix="after1")
    c.eq(len(run.records), 2, "records in all")


@scenario
def late_init(c, run):
    dax = run.fact("region0_dax")
    c.fact("tdxsim_state", "initialized")
    c.fact("before_online", "4")
    c.rc("once", 0)
    c.one_record(dax, decision="unchanged", reason="online-before-init",
                 tdx_state="initialized")
    c.fact("after_online", "4")
    c.fact("after_driver", "kmem")


@scenario
def late_init_failed(c, run):
    dax = run.fact("region0_dax")
    c.fact("tdxsim_state", "failed")
    c.check(any(m == "virt/tdx: module initialization failed (-5)"
                for m in run.kernel_lines()), "kernel log: initialization failed (-5)")
    c.fact("before_online", "4")
    c.rc("once", 0)
    c.one_record(dax, decision="devdax", reason="not-convertible",
                 outcome="applied", tdx_state="init-failed")
    device_devdax(c, run, dax)


@scenario
def interrupted(c, run):
    dax = run.fact("region0_dax")
    killed = int(run.fact("killed_online", "-1"))
    c.check(0 < killed < 4, f"killed between two blocks ({killed} of 4 online)")
    c.rc("once", 0)
    device_online(c, run, dax, "cmr-covered", "bios-enabled")


@scenario
def service_udev(c, run):
    d0, d1 = run.fact("region0_dax"), run.fact("region1_dax")
    c.check(run.fact("service_active_before") != "active",
            f"tdxmemd.service not running before any dax device ({run.fact('service_active_before')})")
    c.fact("records_seen", "2")
    device_online(c, run, d0, "cmr-covered", "bios-enabled", prefix="after0")
    c.one_record(d1, decision="devdax", reason="not-convertible",
                 outcome="applied", uncovered=rng(WIN1[0], 512 * MiB))
    device_devdax(c, run, d1, prefix="after1")
    c.fact("service_active", "active")
    c.check("NRestarts=0" in run.text("service-show.txt"), "service never restarted")
    c.rc("status", 0)
    try:
        status = json.loads(run.text("status.stdout"))
        c.check(True, "tdxmemd status --json is one JSON document")
        c.check(d0 in run.text("status.stdout") and d1 in run.text("status.stdout"),
                "status lists both devices")
    except ValueError as e:
        c.check(False, f"tdxmemd status --json is one JSON document ({e})")
    sec = [l for l in run.text("security.txt").splitlines() if "Overall exposure" in l]
    print(f"  info systemd-analyze security: {sec[0].strip() if sec else 'n/a'}")


@scenario
def service_once_unit(c, run):
    d0, d1 = run.fact("region0_dax"), run.fact("region1_dax")
    c.fact("unit0_start_rc", "0")
    c.fact("unit1_start_rc", "0")
    for i in (0, 1):
        c.check("Result=success" in run.text(f"unit{i}-show.txt"),
                f"tdxmemd-once@ unit {i} result success")
    device_online(c, run, d0, "cmr-covered", "bios-enabled", prefix="after0")
    c.one_record(d1, decision="devdax", reason="not-convertible", outcome="applied")
    device_devdax(c, run, d1, prefix="after1")


@scenario
def service_late_init(c, run):
    dax = run.fact("region0_dax")
    c.fact("service_active_at_start", "active")
    c.fact("tdxsim_state_at_start", "bios")
    c.fact("tdxsim_state", "initialized")
    c.fact("records_seen", "1")
    c.one_record(dax, decision="devdax", reason="tdx-initialized",
                 outcome="applied", tdx_state="initialized")
    device_devdax(c, run, dax)
    c.fact("after_refusals", "0")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    name, out = sys.argv[1], sys.argv[2]
    fn = SCENARIOS.get(name)
    if fn is None:
        print(f"check.py: no checks for scenario {name}", file=sys.stderr)
        return 2
    run = Run(out)
    c = Checker(run)
    print(f"check {name}:")
    if not run.exists("status"):
        c.check(False, "guest wrote a status")
    else:
        c.eq(run.text("status").strip(), "0", "guest scenario script exit status")
    try:
        fn(c, run)
    except Exception as e:  # a check that crashes is a failed check
        c.check(False, f"checker raised {type(e).__name__}: {e}")
    print(f"{name}: {c.total - c.failed}/{c.total} checks passed")
    if c.failed:
        c.evidence()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
