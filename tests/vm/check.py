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

import datetime
import json
import os
import re
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

    def one_record(self, dax, before_us=None, **fields):
        """Exactly one journal record for dax over the whole boot (or before
        before_us), with these fields (keyword f=v checks TDXMEMD_F, errno=v
        checks ERRNO)."""
        recs = [r for r in self.run.records_for(dax) if before_us is None or rec_us(r) < before_us]
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


def kernel_at_least(run, major, minor):
    m = re.match(r"(\d+)\.(\d+)", run.fact("kernel_release", ""))
    return bool(m) and (int(m.group(1)), int(m.group(2))) >= (major, minor)


def refused_errno(run):
    """ERRNO of an online the kernel refused: EIO on every leg. kmem's
    probe onlines the blocks (auto_online_blocks set around the bind) and
    succeeds whatever the TDX notifier refuses: the count of online blocks
    finds the refusal."""
    return "5"


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
    # held: nothing binds kmem, nothing is added, before the decision
    c.fact("before_driver", "none")
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
    c.rc("explain", 0)
    text = run.text("explain.stdout")
    uncovered = rng(WIN0[0], 512 * MiB)
    c.check("(not-convertible)" in text and "Policy row " in text,
            "explain names the policy row and the reason")
    c.check(f"a CMR covering {uncovered}" in text, f"explain: a CMR covering {uncovered} would change it")
    c.check("bios-enabled (from kernel-log)" in text, "explain: the TDX state and its evidence")
    c.check("Last record:  devdax (not-convertible) applied" in text, "explain: the last record")
    c.rc("explain-json", 0)
    try:
        j = json.loads(run.text("explain-json.stdout"))
        c.eq((j.get("decision"), j.get("reason"), j.get("uncovered")),
             ("devdax", "not-convertible", uncovered.split("-")),
             "explain --json: decision, reason, uncovered range")
    except ValueError as e:
        c.check(False, f"explain --json is one JSON document ({e})")
    c.eq(len(run.records_for(dax)), 1, "explain wrote no record")


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
                 outcome="rolled-back", errno=refused_errno(run), tdx_state="initialized",
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
    refused = "hotremove failed" in run.text("dmesg.txt")
    if kernel_at_least(run, 7, 3) and refused:
        # Seen on 7.3: the kernel allocates from the ZONE_NORMAL memory it
        # onlined at once and refuses to remove it ("kmem daxX.Y: hotremove
        # failed, device left online: -16"). Memory in use is not taken:
        # it stays whole and online, and the record says in-use.
        print("  info 7.3 kept the auto-onlined memory in use: whole, not taken")
        c.rc("once", 2)
        c.one_record(dax, decision="devdax", reason="in-use", outcome="failed",
                     errno="16", blocks="4", blocks_online="4")
        c.fact("after_driver", "kmem")
        c.fact("after_online", "4")
        # the state of this boot gives the record's reason, not the policy's
        line = [l for l in run.text("status.stdout").splitlines() if l.startswith(dax + " ")]
        c.check(bool(line) and "devdax (in-use) failed" in line[0],
                f"status: {line[0] if line else 'no line'}")
        return
    c.rc("once", 0)
    c.one_record(dax, decision="devdax", reason="not-convertible",
                 outcome="applied", tdx_state="bios-enabled")
    device_devdax(c, run, dax)


@scenario
def big_region(c, run):
    dax = run.fact("region0_dax")
    c.fact("region0_size", hex(4 << 30))
    c.fact("before_blocks", "0")  # nothing added before the decision
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
def wrapped_log(c, run):
    dax = run.fact("region0_dax")
    oldest = fact_int(run, "kmsg_oldest")
    # Otherwise nothing here is tested: the BIOS line must be gone from the ring.
    c.check(oldest is not None and oldest > 0, f"the ring wrapped (oldest record {oldest})")
    c.fact("ring_has_bios_line", "0")
    c.fact("cache_mode", "600")
    cached = fact_int(run, "cache_kmsg")
    c.check(cached is not None and oldest is not None and cached >= oldest,
            f"the cache keeps the ring's oldest record ({cached}, ring's was {oldest})")
    want = {
        "first": ("bios-enabled", "not-convertible", "TDX lines from the journal."),
        "second": ("bios-enabled", "not-convertible", "from it and the ring, not the journal."),
        "third": ("initialized", "tdx-initialized",
                  "TDX lines from the journal, after the cursor of the cache."),
    }
    for name, (state, reason, how) in want.items():
        c.rc(name, 0)
        try:
            doc = json.loads(run.text(name + ".stdout"))
        except ValueError as e:
            c.check(False, f"'{name}' stdout is one JSON document ({e})")
            continue
        c.eq(doc.get("tdx_state"), state, f"'{name}': TDX state")
        c.eq(doc.get("cmr_source"), "journal", f"'{name}': CMRs from the log, via the journal")
        d = [x for x in doc.get("decisions", []) if x.get("chardev") == dax]
        c.eq([(x.get("decision"), x.get("reason")) for x in d], [("devdax", reason)],
             f"'{name}': {dax} decided on what the lost lines said")
        c.check(how in run.text(name + ".stderr"), f"'{name}': {how!r} in its verbose log")


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
    # Each region's memdev and its serial (QEMU's sn=, run-guest.sh), read
    # from the region's targets and the memdev's serial attribute.
    for dax, serial in ((d0, "0x1234"), (d1, "0x1235")):
        c.one_record(dax, cxl_memdevs=lambda v, s=serial: bool(
            v and re.fullmatch(r"mem\d+:" + s, v)))


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
    c.rc("once", 0)
    # kmem's probe onlines every block inside the one write to kmem's
    # bind, which a SIGKILL does not cut short: the device is whole when
    # the process dies, unrecorded, and the next run finds it so.
    c.eq(killed, 4, "killed during the one write: every block online when it died")
    c.one_record(dax, decision="online", reason="cmr-covered", outcome="already",
                 tdx_state="bios-enabled", blocks="4", blocks_online="4", zone=is_movable)
    c.fact("after_online", "4")
    c.fact("after_zones", "Movable")
    # killed inside the bind: auto_online_blocks left at the bind's type,
    # which the next run puts back (its memo in /run/tdxmemd)
    c.fact("killed_auto_online", "online_movable")
    c.fact("after_auto_online", "offline")
    c.check("Put auto_online_blocks back to \"offline\"" in run.text("once.stderr"),
            "the next run says it put auto_online_blocks back")


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


# -------------------------------------------------------------------------
# The resident service (tdxmemd.service) on its own.

def rec_us(r):
    """When journald received a record (the guest's realtime clock, us)."""
    return int(r.get("__REALTIME_TIMESTAMP", "0"))


def fact_int(run, key):
    try:
        return int(run.fact(key))
    except (TypeError, ValueError):
        return None


def daxctl_devices(run):
    """Every dax device of the final `daxctl list`."""
    try:
        return sorted(d["chardev"] for d in json.loads(run.text("final-daxctl.json")))
    except (ValueError, KeyError, TypeError):
        return []


def same_pid(c, run, a, b, what):
    c.check(run.fact(a) not in (None, "", "0") and run.fact(a) == run.fact(b),
            f"{what} ({a}={run.fact(a)}, {b}={run.fact(b)})")


@scenario
def service_runtime(c, run):
    d0, d1 = run.fact("region0_dax"), run.fact("region1_dax")
    c.fact("service_active_before", "active")
    c.fact("start_nrestarts", "0")
    destroyed = fact_int(run, "destroyed_at") or 0
    device_online(c, run, d0, "cmr-covered", "bios-enabled", prefix="after0")
    c.one_record(d1, before_us=destroyed, decision="devdax", reason="not-convertible",
                 outcome="applied", uncovered=rng(WIN1[0], 512 * MiB))
    device_devdax(c, run, d1, prefix="after1")
    # The second region's events and the quiet period after: no duplicate.
    c.fact("records_after_region0", "1")
    c.fact("records_two", "2")
    c.check(re.search(r"; 1 online, 1 devdax$", run.fact("status_two") or "") is not None,
            f"status with both: 1 online, 1 devdax ({run.fact('status_two')})")
    # The second region destroyed, one made in its place: the kernel may
    # give it the freed id, and so the device the same name (a new device,
    # recorded anew).
    c.fact("destroyed_rc", "0")
    c.fact("records_final", "3")
    c.eq(len(run.records), 3, "records in all")
    replaced = run.fact("replaced_dax")
    recs = [r for r in run.records_for(replaced) if rec_us(r) > destroyed]
    c.eq(len(recs), 1, f"records for the replacement {replaced}")
    if recs:
        c.eq((recs[-1].get("TDXMEMD_DECISION"), recs[-1].get("TDXMEMD_OUTCOME")),
             ("devdax", "applied"), f"{replaced}: the replacement's record")
    c.fact("replaced_driver", "device_dax")
    c.check(re.search(r"; 1 online, 1 devdax$", run.fact("status_end") or "") is not None,
            f"status after the replacement: nothing gone counted ({run.fact('status_end')})")
    for i, dax in ((0, d0), (1, d1)):
        recs = run.records_for(dax)[:1]
        commit = fact_int(run, f"region{i}_t_commit")
        if not recs or commit is None:
            c.check(False, f"region{i}: commit time and record both seen "
                           f"(commit {run.fact(f'region{i}_t_commit')}, {len(recs)} records)")
            continue
        t = rec_us(recs[0])
        lat = (t - commit) / 1e6
        c.check(0 < lat < 5.0, f"region{i} ({dax}): record {lat:.2f} s after the commit (< 5 s)")
        c.eq(recs[0].get("_PID"), run.fact("start_pid"),
             f"region{i} ({dax}): recorded by the service running since boot")
        dax_at = fact_int(run, f"region{i}_t_dax")
        start = fact_int(run, f"region{i}_t_start")
        if dax_at and start:
            print(f"  info region{i} ({dax}, {recs[0].get('TDXMEMD_DECISION')}): "
                  f"commit {(commit - start) / 1e6:.2f} s after cxl-region started, "
                  f"dax device seen {(dax_at - commit) / 1e6:.2f} s after the commit, "
                  f"record {lat:.2f} s after the commit")
    same_pid(c, run, "start_pid", "end_pid", "the same service process throughout")
    c.fact("end_nrestarts", "0")
    # From the first region on, one pass per region: the uevents after a
    # region's pass (its binds and blocks, the region's binds) are echoes.
    first = fact_int(run, "region0_t_start") or 0
    passes = [e for e in run.journal if e.get("_PID") == run.fact("start_pid")
              and str(e.get("MESSAGE", "")).startswith("Pass for ")
              and int(e.get("__REALTIME_TIMESTAMP", 0)) >= first]
    def counts(e):
        m = re.search(r"(\d+) device\(s\), (\d+) read \(the blocks of (\d+)\) in [0-9.]+ ms, "
                      r"(\d+) recorded", str(e.get("MESSAGE")))
        return m.groups() if m else None

    def listed(es):
        return "; ".join(str(e.get("MESSAGE")) for e in es)

    two = [e for e in passes if rec_us(e) < destroyed]
    c.check(len(two) == 2, f"{len(two)} passes for the 2 regions (want 2): {listed(two)}")
    # The second region's pass reads its own device only: the first one, in
    # another dax region, is as the last pass left it (no uevent says
    # otherwise), blocks and all.
    if len(two) == 2:
        c.eq(counts(two[1]), ("2", "1", "1", "1"), "second pass: 2 devices, 1 read, the blocks "
             "of 1, 1 recorded")
    # The destroy is someone else's unbind (a pass may come for it), then
    # the device goes: no pass knows it any more. The replacement's pass
    # reads it alone.
    after = [e for e in passes if rec_us(e) > destroyed]
    deciding = [e for e in after if counts(e) and counts(e)[3] != "0"]
    c.check(len(deciding) == 1 and counts(deciding[0]) == ("2", "1", "1", "1"),
            f"one pass for the replacement, 2 devices, 1 read, the blocks of 1: {listed(after)}")
    c.check(all(counts(e) and counts(e)[0] == "1" for e in after if e not in deciding),
            f"the other passes after the destroy know 1 device: {listed(after)}")


@scenario
def service_restart(c, run):
    d0, d1 = run.fact("region0_dax"), run.fact("region1_dax")
    c.fact("records_before_restart", "2")
    c.fact("restart_rc", "0")
    c.fact("restarted_active", "active")
    c.check(run.fact("before_pid") not in (None, "", "0") and
            run.fact("restarted_pid") not in (None, "", "0", run.fact("before_pid")),
            f"restart started a new process ({run.fact('before_pid')} -> {run.fact('restarted_pid')})")
    device_online(c, run, d0, "cmr-covered", "bios-enabled", prefix="after0")
    c.one_record(d1, decision="devdax", reason="not-convertible", outcome="applied")
    device_devdax(c, run, d1, prefix="after1")
    restart = fact_int(run, "restart_us") or 0
    for dax in (d0, d1):
        after = [r for r in run.records_for(dax) if rec_us(r) > restart]
        c.eq(len(after), 0, f"records for {dax} after the restart")
    c.eq(len([r for r in run.records if r.get("_PID") == run.fact("restarted_pid")]), 0,
         "records written by the restarted instance")
    c.fact("records_final", "2")
    same_pid(c, run, "restarted_pid", "end_pid", "no restart after the restart")
    c.check(run.text("state-before-restart.txt") != "" and
            run.text("state-after-restart.txt") == run.text("state-before-restart.txt"),
            "/run/tdxmemd/state unchanged by the restart and the events after it")
    # tdxmemd status --json: every dax device, each with its last decision
    c.rc("status", 0)
    try:
        status = json.loads(run.text("status.stdout"))
        c.check(True, "tdxmemd status --json is one JSON document")
    except ValueError as e:
        c.check(False, f"tdxmemd status --json is one JSON document ({e})")
        return
    devices = {d.get("chardev"): d for d in status.get("devices", [])}
    c.eq(sorted(devices), daxctl_devices(run), "status lists every dax device (daxctl list)")
    for dax in (d0, d1):
        last = devices.get(dax, {}).get("last", {})
        recs = run.records_for(dax)
        r = recs[-1] if recs else {}
        for k in ("decision", "reason", "outcome"):
            c.eq(last.get(k), r.get("TDXMEMD_" + k.upper()), f"status {dax} last.{k} (its record's)")
        # Written after the journal record, at one-second resolution.
        try:
            t = datetime.datetime.strptime(last.get("time", ""), "%Y-%m-%dT%H:%M:%SZ")
            t = t.replace(tzinfo=datetime.timezone.utc).timestamp()
            c.check(0 <= t - rec_us(r) // 1000000 <= 2,
                    f"status {dax} last.time {last.get('time')} is its record's time")
        except (TypeError, ValueError):
            c.check(False, f"status {dax} last.time {last.get('time')!r} is a UTC time")
    c.check(d0 in run.text("status-table.stdout") and d1 in run.text("status-table.stdout"),
            "tdxmemd status (table) lists both devices")


# 256 MiB regions on 1 GiB devices, laid out from the start of each window.
BURST_REGION = 256 * MiB
BURST_COVERED = [(0x390000000, 0x3b0000000), (0x490000000, 0x4a0000000)]


@scenario
def service_burst(c, run):
    for i in (0, 1):
        print(f"  info device {i} ({run.fact(f'dev{i}_memdev')}): "
              f"{run.fact(f'dev{i}_ep_decoders')} endpoint decoders, "
              f"{run.fact(f'dev{i}_hb_decoders')} host bridge decoders "
              f"({run.fact(f'dev{i}_hb_port')}), RAM {int(run.fact(f'dev{i}_ram_size', '0')) >> 20} MiB: "
              f"{run.fact(f'dev{i}_regions_planned')} regions")
    planned = sum(int(run.fact(f"dev{i}_regions_planned", "0")) for i in (0, 1))
    # The target; the machine allows it (vm-hb-decoders).
    c.eq(planned, 8, "regions the emulated hardware allows")
    c.fact("burst_rcs", "0 0")
    c.eq(run.fact("regions_created"), str(planned), "regions created")
    start, end = fact_int(run, "burst_t_start"), fact_int(run, "burst_t_end")
    if start and end:
        print(f"  info {planned} regions created in {(end - start) / 1e6:.1f} s")
    daxes = (run.fact("daxes") or "").split()
    c.eq(sorted(daxes), daxctl_devices(run), "one dax device per region (daxctl list)")
    c.eq(len(daxes), planned, "dax devices")
    regions = {}
    for line in run.text("burst-regions.txt").splitlines():
        kv = dict(x.split("=", 1) for x in line.split() if "=" in x)
        regions[kv.get("dax")] = int(kv.get("start", "0"), 16)
    online = 0
    for dax in daxes:
        start = regions.get(dax, 0)
        covered = any(a <= start and start + BURST_REGION <= b for a, b in BURST_COVERED)
        if covered:
            online += 1
            c.one_record(dax, decision="online", reason="cmr-covered", outcome="applied",
                         blocks="2", blocks_online="2")
            c.fact(f"dev_{dax}_online", "2")
        else:
            c.one_record(dax, decision="devdax", reason="not-convertible", outcome="applied")
            c.fact(f"dev_{dax}_driver", "device_dax")
    devices = [r.get("TDXMEMD_DEVICE") for r in run.records]
    c.eq(sorted(devices), sorted(daxes), "records: one per dax device, none duplicated, none missing")
    c.fact("records_final", str(planned))
    print(f"  info {online} online, {len(daxes) - online} devdax")
    c.fact("end_nrestarts", "0")


@scenario
def service_sigkill(c, run):
    dax = run.fact("region0_dax")
    c.fact("start_active", "active")
    killed = int(run.fact("killed_online_before", "-1"))
    c.check(0 < killed < 4, f"killed between two blocks ({killed} of 4 online)")
    c.fact("killed_records_before", "0")
    print(f"  info blocks online just after the kill: {run.fact('killed_online_after')}")
    # Restart=on-failure: a death by signal is a failure.
    c.fact("after_nrestarts", "1")
    c.fact("after_active", "active")
    c.check(run.fact("after_pid") not in (None, "", "0", run.fact("killed_pid")),
            f"a new instance runs ({run.fact('killed_pid')} -> {run.fact('after_pid')})")
    c.check(any("code=killed, status=9/KILL" in (e.get("MESSAGE") or "")
                for e in run.journal if e.get("UNIT") == "tdxmemd.service"),
            "systemd saw the service killed by SIGKILL")
    # The range ends whole: every block online (the decision), or none.
    blocks, on = run.fact("after_blocks"), run.fact("after_online")
    c.check((run.fact("after_driver") == "kmem" and blocks == on == "4") or
            (run.fact("after_driver") == "device_dax" and on == "0"),
            f"the range is whole ({run.fact('after_driver')}, {on}/{blocks} online)")
    # kmem's probe onlines inside one write to its bind, which the SIGKILL
    # does not cut short: the new instance finds the device whole
    # ("already"), and puts back auto_online_blocks the bind had set.
    r = c.one_record(dax, decision="online", reason="cmr-covered", outcome="already",
                     blocks="4", blocks_online="4", zone=is_movable)
    c.fact("after_auto_online", "offline")
    c.check(any("Put auto_online_blocks back" in (e.get("MESSAGE") or "")
                for e in run.journal if e.get("SYSLOG_IDENTIFIER") == "tdxmemd"),
            "the new instance says it put auto_online_blocks back")
    c.eq([x.get("_PID") for x in run.records if x.get("_PID") == run.fact("killed_pid")], [],
         "records written by the killed instance")
    if r:
        c.eq(r.get("_PID"), run.fact("after_pid"), "the record is the new instance's")
    c.fact("after_online", "4")
    c.fact("after_zones", "Movable")
    c.fact("records_final", "1")


@scenario
def service_sighup(c, run):
    a, b = run.fact("region0_dax"), run.fact("region1_dax")
    c.fact("records_before_reload", "2")
    c.fact("before_a_online", "4")
    c.fact("before_b_driver", "device_dax")
    c.fact("reload_rc", "0")
    reload = fact_int(run, "reload_us") or 0
    # A: one record (before the reload), online from the CMR file.
    c.one_record(a, decision="online", reason="cmr-covered", outcome="applied",
                 cmr_source="file")
    c.eq(len([r for r in run.records_for(a) if rec_us(r) > reload]), 0,
         f"records for A ({a}) after the reload")
    # B: devdax, then online after the reload, one new record.
    recs = run.records_for(b)
    c.eq([(r.get("TDXMEMD_DECISION"), r.get("TDXMEMD_REASON"), r.get("TDXMEMD_OUTCOME"))
          for r in recs],
         [("devdax", "not-convertible", "applied"), ("online", "cmr-covered", "applied")],
         f"records for B ({b})")
    c.eq(len([r for r in recs if rec_us(r) > reload]), 1, f"records for B ({b}) after the reload")
    if recs:
        c.eq(recs[0].get("TDXMEMD_UNCOVERED"), rng(WIN1[0], 512 * MiB), "B uncovered before")
        c.eq(recs[-1].get("TDXMEMD_CMR_SOURCE"), "file", "B's new record: CMRs from the file")
    c.fact("records_final", "3")
    c.eq(len(run.records), 3, "records in all")
    c.fact("after_a_online", "4")
    c.fact("after_b_driver", "kmem")
    c.fact("after_b_online", "4")
    c.fact("after_b_zones", "Movable")
    c.check(any(e.get("MESSAGE") == "Reloaded configuration and CMRs."
                for e in run.journal if e.get("SYSLOG_IDENTIFIER") == "tdxmemd"),
            "the service logged the reload")
    same_pid(c, run, "before_pid", "after_pid", "reloaded in place (same process)")
    c.fact("after_nrestarts", "0")


# What `journalctl -x` must show for each kind: the catalog's subject, with
# the record's fields filled in, and a sentence of its explanation.
CATALOG = {
    "online": ("{d0} is online as system RAM (cmr-covered)",
               "may be used as system RAM, and onlined every one of its memory blocks at once"),
    "devdax": ("{d1} is kept as /dev/{d1} (not-convertible)",
               "applications can map /dev/{d1}"),
    "unchanged": ("{d1} left as it is (excluded)",
                  "Remove it from the list to let tdxmemd decide"),
    "rolled-back": ("Onlining {d1} failed and was rolled back",
                    "no memory is stranded, /dev/{d1} can be mapped"),
    "auto-online": ("tdxmemd took over onlining of new memory",
                    'auto_online_blocks was "online"'),
}


def catalog_lines(text):
    """The catalog lines of `journalctl -x` output, without their prefix."""
    return [m.group(1).strip() for m in re.finditer(r"^(?:░░|--) ?(.*)$", text, re.M)]


@scenario
def service_catalog(c, run):
    d0, d1 = run.fact("region0_dax"), run.fact("region1_dax")
    # Takeover: at the start from boot, once; the restart finds "offline".
    c.fact("cmdline_memhp", "memhp_default_state=online")
    c.fact("service_active_start", "active")
    c.fact("auto_online_after_start", "offline")
    c.fact("auto_online_after_restart", "offline")
    takeovers = [e for e in run.journal
                 if e.get("MESSAGE_ID") == "8e2d41a7c35b4f6e9d0a1c2b3e4f5a66"]
    c.eq(len(takeovers), 1, "takeover records")
    if takeovers:
        c.eq(takeovers[0].get("TDXMEMD_AUTO_ONLINE_WAS"), "online", "TDXMEMD_AUTO_ONLINE_WAS")
        c.eq(takeovers[0].get("SYSLOG_IDENTIFIER"), "tdxmemd", "takeover record identifier")
    # Each kind of record, produced by the service.
    c.fact("records_online_devdax", "2")
    c.fact("records_unchanged", "1")
    c.fact("records_rolled_back", "1")
    c.fact("tdxsim_state", "initialized")
    kinds = [(r.get("TDXMEMD_DEVICE"), r.get("TDXMEMD_DECISION"), r.get("TDXMEMD_REASON"),
              r.get("TDXMEMD_OUTCOME")) for r in run.records]
    for want in ((d0, "online", "cmr-covered", "applied"),
                 (d1, "devdax", "not-convertible", "applied"),
                 (d1, "unchanged", "excluded", "already"),
                 (d1, "online", "tdx-initialized", "rolled-back")):
        c.check(want in kinds, f"record {' '.join(want)}")
    device_devdax(c, run, d1, prefix="after1")
    c.fact("after0_online", "4")
    # journalctl -x: the catalog text of each kind, on the lines it prefixes
    # with "░░ " ("-- " outside a UTF-8 locale).
    for kind, (subject, body) in CATALOG.items():
        lines = catalog_lines(run.text(f"catalog-{kind}.txt"))
        subject = subject.format(d0=d0, d1=d1)
        body = body.format(d0=d0, d1=d1)
        c.check(f"Subject: {subject}" in lines, f"journalctl -x, {kind}: subject \"{subject}\"")
        # the explanation is wrapped as in the catalog: compare unwrapped
        c.check(body in " ".join(lines), f"journalctl -x, {kind}: text \"{body}\"")
    subjects = [l for l in catalog_lines(run.text("catalog-all.txt")) if l.startswith("Subject: ")]
    c.eq(len(subjects), len(run.records) + len(takeovers),
         "journalctl -x -t tdxmemd: every record explained")
    sec = [l for l in run.text("security.txt").splitlines() if "Overall exposure" in l]
    print(f"  info systemd-analyze security: {sec[0].strip() if sec else 'n/a'}")


# --- presence: nothing non-convertible is ever added before its decision

def tdx_init_result(run):
    lines = [m for m in run.kernel_lines() if "virt/tdx" in m]
    if any("initialization failed" in m for m in lines):
        return "failed"
    if any("module initialized" in m for m in lines):
        return "initialized"
    return "none"


def race(c, run, index, records):
    dax = run.fact(f"region{index}_dax")
    win = WIN1 if index else WIN0
    c.fact("tdxsim_state", "initialized")
    c.check(run.fact("race_init_delay_us", "none") != "none",
            f"TDX initialized right after the commit (write took {run.fact('race_init_delay_us')} us)")
    c.eq(tdx_init_result(run), "initialized", "TDX initialization result in the kernel log")
    kmem = run.fact("race_kmem_at_dax", "none")
    inside = [r for r in kmem.split()
              if kmem != "none" and win[0] <= int(r.split("-")[0], 16) < win[1]]
    c.check(kmem != "none" and not inside,
            f"no kmem range of the new region in /proc/iomem when its dax device appeared ({kmem!r})")
    ever = run.fact("race_kmem_ever", "none")
    added = [r for r in ever.split()
             if ever != "none" and win[0] <= int(r.split("-")[0], 16) < win[1]]
    c.check(ever != "none" and not added,
            f"no kmem range of the new region in /proc/iomem until its record ({ever!r})")
    c.one_record(dax, decision="devdax", outcome="applied", blocks_online="0")
    c.fact("records_final", str(records))
    device_devdax(c, run, dax)
    c.fact("after_refusals", "0")
    c.fact("daxrw_rc", "0")


@scenario
def race_service(c, run):
    c.fact("service_active_before", "active")
    # kmem is loaded by the first device's online: only the hold protects the second
    c.fact("first_driver", "kmem")
    c.fact("first_online", "4")
    # three records: the first device online, the second devdax, and the
    # first again as TDX initializes (online -> unchanged, online-before-init)
    race(c, run, 1, 3)


@scenario
def race_udev(c, run):
    c.check(run.fact("service_active_before") != "active",
            f"tdxmemd.service not running before the region ({run.fact('service_active_before')})")
    race(c, run, 0, 1)


def status_json(c, run, name):
    try:
        return json.loads(run.text(name + ".stdout"))
    except ValueError as e:
        c.check(False, f"{name}: status --json is JSON ({e})")
        return {}


@scenario
def status_init(c, run):
    dax = run.fact("region0_dax")
    win = [hex(WIN0[0]), hex(WIN0[0] + 512 * MiB)]
    c.fact("new_driver", "none")
    c.eq(status_json(c, run, "status0").get("tdx_init"),
         {"outlook": "would-succeed", "would_succeed": True}, "status before anything is added")
    c.fact("added_driver", "kmem")
    c.fact("added_online", "0")
    c.eq(status_json(c, run, "status1").get("tdx_init"),
         {"outlook": "would-fail", "would_succeed": False, "blocking_range": win},
         "status with the range added, offline")
    c.check(f"would FAIL: {win[0]}-{win[1]}" in run.text("status1text.stdout"),
            "status text names the range")
    c.rc("once", 0)
    c.one_record(dax, decision="devdax", reason="not-convertible", outcome="applied")
    device_devdax(c, run, dax)
    c.eq(status_json(c, run, "status2").get("tdx_init"),
         {"outlook": "would-succeed", "would_succeed": True}, "status after tdxmemd returned it")


@scenario
def service_init_event(c, run):
    d0, d1 = run.fact("region0_dax"), run.fact("region1_dax")
    c.fact("records_before_init", "2")
    c.fact("records_2s", "3")
    c.fact("records_final", "3")
    recs0 = run.records_for(d0)
    c.eq([r.get("TDXMEMD_DECISION") for r in recs0], ["online", "unchanged"], f"{d0} decisions")
    if len(recs0) == 2:
        c.eq(recs0[1].get("TDXMEMD_REASON"), "online-before-init", f"{d0} second reason")
        c.eq(recs0[1].get("TDXMEMD_TDX_STATE"), "initialized", f"{d0} second TDX state")
        t = int(recs0[1]["__REALTIME_TIMESTAMP"]) - int(run.fact("init_t", "0"))
        c.check(0 < t < 2_000_000, f"{d0} record {t / 1e6:.2f} s after TDX init (< 2 s)")
    c.eq(len(run.records_for(d1)), 1, f"journal records for {d1}")
    c.fact("after0_online", "4")
    device_devdax(c, run, d1, prefix="after1")


# -------------------------------------------------------------------------
# Dax devices of several mappings (daxctl create-device in a fragmented
# region) and persistent memory.  The guest records each device's mappings
# (map_facts: "START-END ...", END exclusive) and the states of the blocks
# kmem adds for them; the checks derive those blocks again from the
# mappings, as drivers/dax/kmem.c dax_kmem_range() does: each mapping
# aligned inward to the block size on its own.

BLOCK = 128 * MiB


def ranges(text):
    out = []
    for r in (text or "").split():
        a, b = r.split("-")
        out.append((int(a, 16), int(b, 16)))
    return out


def kmem_blocks(mappings, bs=BLOCK):
    names = []
    for a, b in mappings:
        names += [f"memory{n}" for n in range((a + bs - 1) // bs, b // bs)]
    return names


def words(run, key):
    return (run.fact(key) or "").split()


def by_number(blocks):
    """memoryN names in block order."""
    return sorted(blocks, key=lambda b: int(b[len("memory"):]))


def watch(run, name):
    """Samples of watch_blocks NAME: a list of {block: state}, one per
    change seen (the first sample always)."""
    out = []
    for line in run.text(name + ".watch").splitlines():
        parts = line.split()
        out.append(dict(p.split("=", 1) for p in parts[1:]))
    return out


def decisions(run, dax):
    return [(r.get("TDXMEMD_DECISION"), r.get("TDXMEMD_REASON"), r.get("TDXMEMD_OUTCOME"))
            for r in run.records_for(dax)]


def straddle_layout_ok(c, run):
    """straddle_layout: A of two non-adjacent mappings, B between them.
    Returns (A, B, A's mappings, B's mappings)."""
    a, b = run.fact("A"), run.fact("B")
    am, bm = ranges(run.fact("layout_A_mappings")), ranges(run.fact("layout_B_mappings"))
    print(f"  info layout: A={a} mappings {run.fact('layout_A_mappings')}, "
          f"B={b} mappings {run.fact('layout_B_mappings')}")
    c.eq(len(am), 2, f"A ({a}) mappings")
    c.eq(len(bm), 1, f"B ({b}) mappings")
    if len(am) == 2 and len(bm) == 1:
        lo, hi = sorted(am)
        c.check(lo[1] < hi[0], "A's mappings are not adjacent")
        c.check(lo[1] <= bm[0][0] and bm[0][1] <= hi[0], "B lies between A's mappings")
    c.eq(words(run, "layout_A_mapblocks"), kmem_blocks(am), "A's blocks (per mapping, guest helper)")
    c.eq(len(kmem_blocks(am)), 4, "A's blocks")
    c.eq(len(kmem_blocks(bm)), 2, "B's blocks")
    return a, b, am, bm


def all_online(c, run, prefix, n, what):
    states = words(run, f"{prefix}_states")
    c.eq(states, ["online"] * n, f"{what}: every block of its mappings online")
    c.fact(f"{prefix}_zones", "Movable")


def kmem_added_exactly(c, run, prefix, what):
    c.eq(words(run, f"{prefix}_present"), by_number(words(run, f"{prefix}_mapblocks")),
         f"{what}: the blocks that exist over its mappings are its per-mapping blocks")


def never_changed(c, run, name, blocks, what):
    samples = watch(run, name)
    c.check(len(samples) >= 1, f"{what}: sampled ({name}.watch)")
    c.eq(len(samples), 1, f"{what}: distinct samples of its block states (1: never changed)")
    if samples:
        c.eq(sorted(samples[0]), sorted(blocks), f"{what}: blocks sampled")
        bad = [s for s in samples if any(v != "online" for v in s.values())]
        c.eq(bad[:3], [], f"{what}: samples with a block not online")


def status_device(run, dax):
    try:
        return {d.get("chardev"): d for d in json.loads(run.text("status.stdout")).get("devices", [])}.get(dax, {})
    except (ValueError, AttributeError):
        return {}


@scenario
def multi_mapping_covered(c, run):
    a, b, am, bm = straddle_layout_ok(c, run)
    ab, bb = kmem_blocks(am), kmem_blocks(bm)
    # B first, on its own
    c.rc("b", 0)
    c.fact("b_B_driver", "kmem")
    all_online(c, run, "b_B", 2, f"B ({b}) after --device B")
    c.fact("b_A_driver", "device_dax")
    c.fact("b_A_present", "")
    # A: online whole, 4 blocks of its two mappings
    c.rc("a", 0)
    c.fact("a_A_driver", "kmem")
    all_online(c, run, "a_A", 4, f"A ({a}) after --device A")
    kmem_added_exactly(c, run, "a_A", f"A ({a})")
    # A: back to devdax (its second mapping outside the CMR file)
    c.rc("devdax", 0)
    c.fact("devdax_A_driver", "device_dax")
    c.fact("devdax_A_present", "")
    recs = run.records_for(a)
    c.eq(decisions(run, a), [("online", "cmr-covered", "applied"),
                             ("devdax", "not-convertible", "applied")], f"records for A ({a})")
    if len(recs) == 2:
        for k, want in (("BLOCKS", "4"), ("BLOCKS_ONLINE", "4")):
            c.eq(recs[0].get("TDXMEMD_" + k), want, f"A's online record TDXMEMD_{k}")
        c.eq(recs[1].get("TDXMEMD_UNCOVERED"), rng(am[1][0], am[1][1] - am[1][0]),
             "A's devdax record TDXMEMD_UNCOVERED (its second mapping)")
        c.eq(recs[1].get("TDXMEMD_BLOCKS_ONLINE"), "0", "A's devdax record TDXMEMD_BLOCKS_ONLINE")
    # B: never touched by A's actions
    c.one_record(b, decision="online", reason="cmr-covered", outcome="applied",
                 blocks="2", blocks_online="2")
    for step in ("a", "devdax"):
        c.eq(words(run, f"{step}_B_states"), words(run, "b_B_states"),
             f"B's block states after step '{step}' (as after its own onlining)")
    c.fact("devdax_B_driver", "kmem")
    never_changed(c, run, "b", bb, f"B ({b})")
    c.eq(len(run.records), 3, "records in all")
    c.rc("status", 0)
    st = status_device(run, b)
    c.eq((st.get("mode"), st.get("blocks"), st.get("blocks_online"), st.get("last", {}).get("decision")),
         ("system-ram", 2, 2, "online"), f"status --json: B ({b}) mode, blocks, online, last decision")


@scenario
def multi_mapping_half_covered(c, run):
    a, b, am, bm = straddle_layout_ok(c, run)
    c.fact("before_A_driver", "kmem")
    c.fact("before_A_online", "0")
    kmem_added_exactly(c, run, "before_A", f"A ({a}) bound to kmem by hand")
    c.fact("before_B_driver", "device_dax")
    c.rc("once", 0)
    c.one_record(a, decision="devdax", reason="not-convertible", outcome="applied",
                 tdx_state="bios-enabled", cmr_source="file",
                 uncovered=rng(am[1][0], am[1][1] - am[1][0]),
                 blocks="4", blocks_online="0")
    samples = watch(run, "a")
    c.check(len(samples) >= 1, f"A ({a}): sampled (a.watch, {len(samples)} distinct)")
    online = [s for s in samples if "online" in s.values()]
    c.eq(online[:3], [], f"A ({a}): samples with a block online")
    c.fact("after_A_driver", "device_dax")
    c.fact("after_A_online", "0")
    c.fact("after_A_present", "")
    c.fact("daxrw_rc", "0")
    c.one_record(b, decision="devdax", reason="not-convertible", outcome=lambda v: v in ("applied", "already"),
                 uncovered=rng(bm[0][0], bm[0][1] - bm[0][0]))
    c.fact("after_B_driver", "device_dax")
    other = [(r.get("TDXMEMD_DEVICE"), r.get("TDXMEMD_DECISION"), r.get("TDXMEMD_SIZE"))
             for r in run.records if r.get("TDXMEMD_DEVICE") not in (a, b)]
    print(f"  info other records: {other}")


@scenario
def straddle_devdax(c, run):
    a, b, am, bm = straddle_layout_ok(c, run)
    bb = kmem_blocks(bm)
    c.fact("manual_B_driver", "kmem")
    all_online(c, run, "manual_B", 2, f"B ({b}) online by hand")
    c.fact("records_a_online", "1")
    c.fact("online_A_driver", "kmem")
    all_online(c, run, "online_A", 4, f"A ({a}) online by the service")
    kmem_added_exactly(c, run, "online_A", f"A ({a})")
    c.fact("reload_rc", "0")
    c.fact("records_a_devdax", "2")
    recs = run.records_for(a)
    c.eq(decisions(run, a), [("online", "cmr-covered", "applied"),
                             ("devdax", "not-convertible", "applied")], f"records for A ({a})")
    if len(recs) == 2:
        c.eq((recs[0].get("TDXMEMD_BLOCKS"), recs[0].get("TDXMEMD_BLOCKS_ONLINE")), ("4", "4"),
             "A's online record TDXMEMD_BLOCKS, TDXMEMD_BLOCKS_ONLINE")
        c.eq(recs[1].get("TDXMEMD_UNCOVERED"), rng(am[1][0], am[1][1] - am[1][0]),
             "A's devdax record TDXMEMD_UNCOVERED (its second mapping)")
    c.fact("devdax_A_driver", "device_dax")
    c.fact("devdax_A_present", "")
    c.fact("daxrw_rc", "0")
    # B: exactly as it was, throughout
    for step in ("online", "devdax"):
        c.eq(words(run, f"{step}_B_states"), words(run, "manual_B_states"),
             f"B's block states after step '{step}' (as onlined by hand)")
    c.fact("devdax_B_driver", "kmem")
    all_online(c, run, "devdax_B", 2, f"B ({b}) at the end")
    never_changed(c, run, "b", bb, f"B ({b})")
    reload = fact_int(run, "reload_us") or 0
    brecs = run.records_for(b)
    c.eq([(r.get("TDXMEMD_DECISION"), r.get("TDXMEMD_OUTCOME"), r.get("TDXMEMD_BLOCKS_ONLINE"))
          for r in brecs if rec_us(r) > reload], [], f"records for B ({b}) after the reload")
    c.check(all(r.get("TDXMEMD_DECISION") == "online" for r in brecs),
            f"B's records all online ({decisions(run, b)})")
    same_pid(c, run, "before_pid", "after_pid", "reloaded in place (same process)")
    c.fact("after_nrestarts", "0")
    st = status_device(run, b)
    c.eq((st.get("mode"), st.get("blocks"), st.get("blocks_online")), ("system-ram", 2, 2),
         f"status --json: B ({b}) mode, blocks, online")


@scenario
def unaligned_joins(c, run):
    a = run.fact("A")
    am = ranges(run.fact("before_A_mappings"))
    print(f"  info A={a} mappings {run.fact('before_A_mappings')}")
    c.eq(len(am), 2, f"A ({a}) mappings")
    if len(am) == 2:
        lo, hi = sorted(am)
        c.check(lo[1] == hi[0], "A's mappings touch")
        c.check(lo[1] % BLOCK != 0, f"the join {lo[1]:#x} is not block aligned")
        joined = kmem_blocks([(lo[0], hi[1])])
        c.check(len(kmem_blocks(am)) < len(joined),
                f"per-mapping blocks ({len(kmem_blocks(am))}) are fewer than the joined range's ({len(joined)})")
    want = kmem_blocks(am)
    c.eq(words(run, "before_A_mapblocks"), want, "A's blocks (per mapping, guest helper)")
    c.rc("once", 0)
    c.fact("after_A_driver", "kmem")
    c.eq(words(run, "window_blocks"), by_number(want), "blocks kmem added (every block of the window)")
    kmem_added_exactly(c, run, "after_A", f"A ({a})")
    n = str(len(want))
    c.one_record(a, decision="online", reason="cmr-covered", outcome="applied",
                 blocks=n, blocks_online=n, zone=is_movable)
    all_online(c, run, "after_A", len(want), f"A ({a})")


PMEM = (0x40000000, 0x60000000)  # memmap=512M!1G


@scenario
def pmem_devdax(c, run):
    p = run.fact("pmem_dax")
    print(f"  info pmem: {run.fact('pmem_namespace')} -> {p} ({run.fact('pmem_path')})")
    c.check(bool(p), "a devdax namespace was created")
    c.check("/ndbus" in (run.fact("pmem_path") or ""), "its dax device sits on the nvdimm bus")
    c.fact("created_driver", "device_dax")
    c.fact("created_pattern_rc", "0")
    c.rc("once", 0)
    c.rc("once_pmem", 1)
    c.check(f"{p} is not volatile memory" in run.text("once_pmem.stderr"),
            f"--device {p} says why it is not decided: {run.text('once_pmem.stderr')!r}")
    c.eq(run.text("once_pmem.stdout"), "", "--device of the pmem device prints no record")
    for step in ("once_pmem", "once", "service", "reprobe"):
        c.fact(f"{step}_dev", p)
        c.fact(f"{step}_driver", "device_dax")
        c.fact(f"{step}_present", "")
        c.fact(f"{step}_pattern_rc", "0")
    c.eq(run.records_for(p), [], f"records for the pmem device {p}")
    samples = watch(run, "pmem")
    c.eq(len(samples), 1, "pmem range: distinct samples of its block states")
    c.check(bool(samples) and set(samples[0].values()) == {"absent"},
            "pmem range: no memory block of it ever exists")
    iomem = run.text("iomem.txt")
    c.check(f"{PMEM[0]:08x}-{PMEM[1] - 1:08x} : Persistent Memory (legacy)" in iomem,
            "the range is still Persistent Memory (legacy) in /proc/iomem")
    # The CXL device beside it: tdxmemd did act.
    cxl = run.fact("region0_dax")
    c.one_record(cxl, decision="online", reason="cmr-covered", outcome="applied",
                 blocks="4", blocks_online="4")
    c.fact("once_cxl_driver", "kmem")
    c.fact("once_cxl_online", "4")
    c.fact("service_active", "active")
    c.fact("reprobe_active", "active")
    same_pid(c, run, "service_pid", "reprobe_pid", "the service ran throughout")


@scenario
def broken_config(c, run):
    c.check(run.fact("service_active_before") != "active",
            f"tdxmemd.service not running before the region ({run.fact('service_active_before')})")
    c.fact("service_result", "exit-code")
    c.check("/etc/tdxmemd.conf:3" in run.text("service.log"),
            "the service's log names /etc/tdxmemd.conf:3")
    c.fact("after_driver", "device_dax")
    c.fact("after_online", "0")
    c.fact("daxrw_rc", "0")
    c.rc("once", 1)
    c.check("/etc/tdxmemd.conf:3" in run.text("once.stderr"), "--once names /etc/tdxmemd.conf:3")
    c.fact("once_driver", "device_dax")
    c.fact("records_final", "0")


@scenario
def unpluggable(c, run):
    small = run.fact("small")
    c.fact("before_driver", "none")
    c.rc("once", 0)
    c.one_record(small, decision="unchanged", reason="unpluggable", outcome="applied",
                 blocks="0", mode="devdax")
    c.fact("after_driver", "device_dax")
    c.fact("daxrw_rc", "0")


@scenario
def race_boot(c, run):
    dax = run.fact("region0_dax")
    c.fact("tdxsim_state", "initialized")
    c.eq(tdx_init_result(run), "initialized", "TDX initialization result in the kernel log")
    ever = run.fact("race_kmem_ever", "none")
    added = [r for r in ever.split() if WIN0[0] <= int(r.split("-")[0], 16) < WIN0[1]]
    c.check(not added, f"no kmem range of the region in /proc/iomem from before systemd on ({ever!r})")
    c.fact("service_active", "active")
    c.one_record(dax, decision="devdax", outcome="applied", blocks_online="0")
    c.fact("records_final", "1")
    device_devdax(c, run, dax)
    c.fact("daxrw_rc", "0")


@scenario
def race_boot_udev(c, run):
    race_boot(c, run)


# Scenarios that make TDX initialization fail on purpose, and those that
# change a device by hand after tdxmemd's last record (big-region's
# contrast puts its devdax device back into system-ram).
INIT_FAILS_ON_PURPOSE = {"late-init-failed"}
CHANGED_AFTER_RECORD = {"big-region"}


# -------------------------------------------------------------------------
# Kernel interfaces: kmem's whole-device state (7.3+), boot-time TDX init.



def state_writes(run, name):
    """(path kind, value) of every write(2) strace saw to a dax device's
    or a memory block's state file."""
    writes = []
    for line in run.text(name).splitlines():
        m = re.search(r'write\(\d+<([^>]*)>, "([^"]*)"', line)
        if not m:
            continue
        path, value = m.group(1), m.group(2).replace("\\n", "")
        if re.search(r"/dax\d+\.\d+/state$", path):
            writes.append(("device", value))
        elif re.search(r"/memory\d+/state$", path):
            writes.append(("block", value))
        elif path.endswith("/memory/auto_online_blocks"):
            writes.append(("auto", value))
        elif re.search(r"/drivers/kmem/bind$", path):
            writes.append(("bind", "kmem"))
    return writes


@scenario
def held_devdax(c, run):
    d0, d1 = run.fact("region0_dax"), run.fact("region1_dax")
    for name in ("devdax", "mapped", "opened", "released"):
        c.rc(name, 0)
    device_devdax(c, run, d0, prefix="devdax0")
    device_devdax(c, run, d1, prefix="devdax1")
    # No dax file open: the module's count alone rules holders out.
    c.fact("free_refcnt", "0")
    c.fact("free_linked", "")
    c.fact("pattern_write_rc", "0")
    # A mapping whose descriptor is closed still counts (vm_file keeps the
    # file, whose __fput() would give the module back); so does a descriptor.
    c.fact("mapper_fds", "0")
    c.fact("mapper_maps", "1")
    for phase in ("mapped", "opened"):
        refs = run.fact(f"{phase}_refcnt", "none")
        c.check(refs.isdigit() and int(refs) >= 2, f"{phase}: device_dax counted ({refs})")
    c.fact("mapper_alive", "yes")
    c.fact("released_refcnt", "0")
    # dax0, free while dax1 is held: /proc walked, nothing found, online;
    # dax1 kept devdax while held, its data intact, online once released.
    for prefix in ("mapped0", "released0", "released1"):
        for key, want in (("driver", "kmem"), ("online", "4"), ("zones", "Movable")):
            c.fact(f"{prefix}_{key}", want)
    device_devdax(c, run, d1, prefix="mapped1")
    device_devdax(c, run, d1, prefix="opened1")
    c.fact("pattern_verify_rc", "0")
    want = {
        d0: [("devdax", "not-convertible", "applied"), ("online", "cmr-covered", "applied"),
             ("online", "cmr-covered", "already"), ("online", "cmr-covered", "already")],
        d1: [("devdax", "not-convertible", "applied"), ("unchanged", "in-use", "already"),
             ("unchanged", "in-use", "already"), ("online", "cmr-covered", "applied")],
    }
    for dax, decisions in want.items():
        got = [(r.get("TDXMEMD_DECISION"), r.get("TDXMEMD_REASON"), r.get("TDXMEMD_OUTCOME"))
               for r in run.records_for(dax)]
        c.eq(got, decisions, f"{dax} records, run by run")


@scenario
def whole_device(c, run):
    dax = run.fact("region0_dax")
    whole = kernel_at_least(run, 7, 3)
    c.check(run.fact("kernel_release") is not None, f"kernel {run.fact('kernel_release')}")
    c.rc("once", 0)
    c.rc("devdax", 0)
    recs = run.records_for(dax)
    c.eq(len(recs), 2, f"records for {dax} (online, then devdax)")
    ifaces = ("probe", "device-state" if whole else "memory-blocks")
    if len(recs) == 2:
        for r, decision, iface in zip(recs, ("online", "devdax"), ifaces):
            c.eq(r.get("TDXMEMD_DECISION"), decision, f"{dax} decision")
            c.eq(r.get("TDXMEMD_OUTCOME"), "applied", f"{dax} {decision} outcome")
            c.eq(r.get("TDXMEMD_KMEM_INTERFACE"), iface, f"{dax} {decision} kmem interface")
    c.fact("after_driver", "kmem")
    c.fact("after_online", "4")
    c.fact("after_zones", "Movable")
    online = state_writes(run, "strace-online.txt")
    devdax = state_writes(run, "strace-devdax.txt")
    # One kernel step: kmem's probe adds and onlines every block while
    # auto_online_blocks holds the decided type; no state is written, and
    # on 7.3 no "unplugged" comes first.
    c.eq(online, [("auto", "online_movable"), ("bind", "kmem"), ("auto", "offline")],
         "online: kmem bound with auto_online_blocks set around it, no state write")
    c.fact("auto_online_after", "offline")
    if whole:
        c.fact("device_state_after", "online_movable")
        c.eq(devdax, [("device", "unplugged")],
             "devdax: one unplugged write to daxX.Y/state, no memoryN/state write")
    else:
        c.eq(devdax, [("block", "offline")] * 4, "devdax: four memoryN/state writes")
    device_devdax(c, run, dax, prefix="devdax")
    c.fact("daxrw_rc", "0")


@scenario
def refusal_rollback(c, run):
    dax = run.fact("region0_dax")
    whole = kernel_at_least(run, 7, 3)
    c.rc("once", 2)
    # EPERM from the refused memoryN/state write; EIO from the count that
    # finds a block offline after a whole-device write that succeeded.
    c.one_record(dax, decision="online", reason="cmr-covered", outcome="rolled-back",
                 errno=refused_errno(run), blocks_online="0",
                 kmem_interface="device-state" if whole else "memory-blocks")
    c.fact("after_refusals", "1")
    c.fact("refuse_nth_left", "0")
    device_devdax(c, run, dax)
    c.fact("kmem_after", "")
    writes = state_writes(run, "strace-online.txt")
    bind = [("auto", "online_movable"), ("bind", "kmem"), ("auto", "offline")]
    if whole:
        c.eq(writes, bind + [("device", "unplugged")],
             "the probe's online, not tried again, undone by unplugged")
    else:
        # The probe onlines in order and stops at the refused third block
        # (mm/memory_hotplug.c: walk_memory_blocks() ends at the first
        # online_memory_block() that fails): two blocks to offline.
        c.eq(writes, bind + [("block", "offline")] * 2,
             "the probe's online, not tried again, the two blocks before the refusal offlined")
    c.fact("daxrw_rc", "0")


@scenario
def boot_init(c, run):
    faux = kernel_at_least(run, 6, 14)
    lines = run.text("tdx-lines.txt")
    c.check("TDX-Module initialized" in lines, "boot-time init line in the kernel log")
    c.check((run.fact("tdx_host_version", "none") != "none") == faux,
            f"tdx_host version {run.fact('tdx_host_version')} (faux bus: {faux})")
    c.fact("records_seen", "2")
    for i in (0, 1):
        dax = run.fact(f"region{i}_dax")
        c.one_record(dax, decision="devdax", reason="tdx-initialized", outcome="applied",
                     tdx_state="initialized",
                     tdx_evidence="tdx_host-version" if faux else "kernel-log")
        device_devdax(c, run, dax, prefix=f"after{i}")
        c.fact(f"after{i}_refusals", "0")
        c.fact(f"daxrw_{dax}_rc", "0")


# -------------------------------------------------------------------------
# Fleet metrics.

def prom_samples(text):
    """{(name, frozenset(labels)): value} of a Prometheus text file."""
    samples = {}
    for line in text.splitlines():
        m = re.match(r'^([a-z_]+)(?:\{(.*)\})? (\S+)$', line)
        if not m:
            continue
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        samples[(m.group(1), labels)] = m.group(3)
    return samples


def promtool_check(c, run, name):
    promtool = os.environ.get("PROMTOOL", "/var/cache/tdxmemd-tools/usr/bin/promtool")
    if not os.access(promtool, os.X_OK):
        print(f"  info no promtool: {name} format not checked")
        return
    import subprocess
    p = subprocess.run([promtool, "check", "metrics"], input=run.text(name),
                       capture_output=True, text=True)
    c.check(p.returncode == 0, f"promtool check metrics {name}: {p.stdout}{p.stderr}".strip())


@scenario
def service_metrics(c, run):
    d0, d1 = run.fact("region0_dax"), run.fact("region1_dax")
    c.fact("service_active_at_start", "active")
    c.check("tdxmemd_decisions_total 0" in run.text("metrics-start.prom"),
            "the file exists from the service's start, with no decision yet")
    c.fact("records_seen", "2")
    c.fact("prom_mode", "644")
    c.fact("prom_leftovers", "0")
    promtool_check(c, run, "metrics.prom")
    promtool_check(c, run, "status.stdout")
    got = prom_samples(run.text("metrics.prom"))
    want = {
        ("tdxmemd_device_info", frozenset({("device", d0), ("region", "region0"),
                                           ("decision", "online"), ("reason", "cmr-covered"),
                                           ("outcome", "applied"), ("mode", "system-ram")})): "1",
        ("tdxmemd_device_info", frozenset({("device", d1), ("region", "region1"),
                                           ("decision", "devdax"), ("reason", "not-convertible"),
                                           ("outcome", "applied"), ("mode", "devdax")})): "1",
        ("tdxmemd_device_blocks", frozenset({("device", d0), ("state", "online")})): "4",
        ("tdxmemd_device_blocks", frozenset({("device", d1), ("state", "absent")})): "4",
        ("tdxmemd_device_bytes", frozenset({("device", d0)})): str(512 * MiB),
        ("tdxmemd_tdx_state", frozenset({("state", "bios-enabled")})): "1",
        ("tdxmemd_tdx_init_would_succeed", frozenset()): "1",
        ("tdxmemd_decisions_total", frozenset()): "2",
        ("tdxmemd_rollbacks_total", frozenset()): "0",
    }
    for key, value in want.items():
        c.eq(got.get(key), value, f"{key[0]}{{{','.join(f'{k}={v}' for k, v in sorted(key[1]))}}}")
    c.check(("tdxmemd_last_pass_timestamp_seconds", frozenset()) in got, "last pass timestamp")
    c.rc("status", 0)
    status = prom_samples(run.text("status.stdout"))
    info = {k: v for k, v in got.items() if k[0] == "tdxmemd_device_info"}
    c.eq({k: v for k, v in status.items() if k[0] == "tdxmemd_device_info"}, info,
         "status --prometheus: the same devices and decisions")
    device_devdax(c, run, d1, prefix="after1")


RULES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "monitoring",
                     "tdxmemd.rules.yml")


def promtool_alerts(c, run, samples, boot_time, want, what):
    """promtool test rules: the shipped rules over samples (each held for
    30 minutes, labelled as node_exporter's textfile collector exports
    them) and node_boot_time_seconds = boot_time fire exactly the alerts
    in want, {(alertname, device or None)}, within 20 minutes."""
    promtool = os.environ.get("PROMTOOL", "/var/cache/tdxmemd-tools/usr/bin/promtool")
    if not os.access(promtool, os.X_OK):
        print(f"  info no promtool: {what} not checked")
        return
    import subprocess

    def series(name, labels):
        pairs = [("job", "node"), ("instance", "guest:9100")] + sorted(labels)
        return name + "{" + ",".join(f'{k}="{v}"' for k, v in pairs) + "}"

    inputs = [{"series": series(n, l), "values": f"{v}x30"} for (n, l), v in samples.items()]
    inputs.append({"series": series("node_boot_time_seconds", ()), "values": f"{boot_time}x30"})
    expect = [{"labels": "{" + f'alertname="{a}"' + (f',device="{d}"' if d else "") + "}",
               "value": 1} for a, d in sorted(want, key=str)]
    test = {"rule_files": [os.path.abspath(RULES)], "evaluation_interval": "1m",
            "tests": [{"interval": "1m", "input_series": inputs,
                       "promql_expr_test": [{
                           "expr": 'count by (alertname, device) (ALERTS{alertstate="firing"})',
                           "eval_time": "20m", "exp_samples": expect}]}]}
    # JSON is YAML: no quoting of label values to get wrong
    path = run.path(f"alerts-{what.replace(' ', '-')}.test.yml")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(test, f, indent=1)
    p = subprocess.run([promtool, "test", "rules", path], capture_output=True, text=True)
    c.check(p.returncode == 0,
            f"{what}: firing {sorted(want, key=str)} ({os.path.basename(path)})"
            + ("" if p.returncode == 0 else f"\n{p.stdout}{p.stderr}"))


@scenario
def service_alerts(c, run):
    d0, d1, d2 = (run.fact(f"region{i}_dax") for i in range(3))
    c.fact("records_online", "1")
    c.fact("records_seen", "3")
    c.one_record(d0, decision="online", reason="cmr-covered", outcome="applied")
    c.one_record(d1, decision="devdax", reason="not-convertible", outcome="applied")
    c.one_record(d2, decision="online", reason="cmr-covered", outcome="rolled-back")
    c.fact("refuse_nth_left", "0")
    c.fact("after0_online", "4")
    device_devdax(c, run, d1, prefix="after1")
    device_devdax(c, run, d2, prefix="after2")
    # the service's own record of the outlook, which the alert's description names
    risk = [e for e in run.journal if e.get("MESSAGE_ID") == "5c0e9b7d2a4f4d1e8b6a3f9c7d2e1b40"]
    c.check(len(risk) == 1 and risk[0].get("TDXMEMD_UNCOVERED", "").startswith("0x70000000-"),
            f"one TDX-init-at-risk record naming the boot RAM outside the CMRs "
            f"({[e.get('TDXMEMD_UNCOVERED') for e in risk]})")

    promtool_check(c, run, "metrics.prom")
    got = prom_samples(run.text("metrics.prom"))
    c.eq(got.get(("tdxmemd_tdx_init_would_succeed", frozenset())), "0", "would_succeed")
    c.eq(got.get(("tdxmemd_rollbacks_total", frozenset())), "1", "rollbacks_total")
    for d in (d0, d1, d2):
        c.eq(got.get(("tdxmemd_device_left_decided_state", frozenset({("device", d)}))), "0",
             f"{d} left its decided state")
    # A metric the rules use and the file lacks (renamed on one side) is
    # an alert that can never fire.
    with open(RULES, encoding="utf-8") as f:
        exprs = " ".join(line for line in f if line.strip().startswith("expr:"))
    used = set(re.findall(r"\btdxmemd_[a-z_]+", exprs))
    names = {n for n, _ in got}
    c.check(len(used) >= 4 and used <= names,
            f"every metric the rules use is in the textfile: {sorted(used)}, "
            f"missing {sorted(used - names)}")

    boot = int(run.fact("boot_time", "0"))
    c.check(boot > 0, f"boot time {boot}")
    firing = {("TdxmemdTdxInitWouldFail", None), ("TdxmemdDeviceActionFailed", d2)}
    promtool_alerts(c, run, got, boot, firing, "this boot")
    # The same file read after the next boot, before any pass: stale too.
    last = float(got.get(("tdxmemd_last_pass_timestamp_seconds", frozenset()), "0"))
    promtool_alerts(c, run, got, int(last) + 60, firing | {("TdxmemdTextfileStale", None)},
                    "next boot")


def suite_invariants(c, run, name):
    """What every scenario must keep, whatever it is about."""
    # What the package installs is what ran.
    if run.text("installed").startswith("package"):
        exes = {r.get("_EXE") for r in run.records}
        c.check(exes <= {"/usr/sbin/tdxmemd"},
                f"records come from the packaged /usr/sbin/tdxmemd ({sorted(map(str, exes))})")
    if name not in INIT_FAILS_ON_PURPOSE:
        c.check(tdx_init_result(run) != "failed", "no TDX initialization failed")
    # At the end, no kmem range lies in a device tdxmemd last decided
    # devdax (and reached): nothing non-convertible stays present.
    if name in CHANGED_AFTER_RECORD:
        return
    kmem = []
    for line in run.text("iomem.txt").splitlines():
        m = re.match(r"\s*([0-9a-f]+)-([0-9a-f]+) : System RAM \(kmem\)$", line)
        if m:
            kmem.append((int(m.group(1), 16), int(m.group(2), 16) + 1))
    last = {}
    for r in run.records:
        last[r["TDXMEMD_DEVICE"]] = r

    def span(r):
        return int(r["TDXMEMD_RANGE_START"], 16), int(r["TDXMEMD_RANGE_END"], 16)

    # A kmem range inside a device kept online is that device's, even when
    # it lies between a devdax device's mappings (the records give spans).
    online = [span(r) for r in last.values()
              if r.get("TDXMEMD_DECISION") != "devdax" and "TDXMEMD_RANGE_START" in r]
    kmem = [(a, b) for a, b in kmem if not any(lo <= a and b <= hi for lo, hi in online)]
    for dax, r in sorted(last.items()):
        if r.get("TDXMEMD_DECISION") != "devdax" or r.get("TDXMEMD_OUTCOME") not in ("applied", "already"):
            continue
        try:
            lo, hi = int(r["TDXMEMD_RANGE_START"], 16), int(r["TDXMEMD_RANGE_END"], 16)
        except (KeyError, ValueError):
            continue
        inside = [f"{a:#x}-{b:#x}" for a, b in kmem if a < hi and b > lo]
        c.check(not inside, f"{dax} (devdax) has no kmem range in /proc/iomem at the end {inside}")


# --------------------------------------------------------------------------
# Other agents that online memory

def device_whole_online(c, run, prefix):
    """map_facts PREFIX: kmem, every block online, movable, nothing else present."""
    blocks = (run.fact(f"{prefix}_mapblocks") or "").split()
    c.check(len(blocks) > 0, f"{prefix}: the device has blocks ({len(blocks)})")
    c.fact(f"{prefix}_driver", "kmem")
    c.fact(f"{prefix}_online", str(len(blocks)))
    c.fact(f"{prefix}_zones", "Movable")


def device_devdax_empty(c, run, prefix):
    """map_facts PREFIX: device_dax, no block of it present."""
    c.fact(f"{prefix}_driver", "device_dax")
    c.fact(f"{prefix}_online", "0")
    c.fact(f"{prefix}_present", "")


def rule_flips(c, run):
    a, b = run.fact("A"), run.fact("B")
    c.fact("records_start", "2")
    device_whole_online(c, run, "start_a")
    device_devdax_empty(c, run, "start_b")
    device_devdax_empty(c, run, "end_b")
    c.eq([(r.get("TDXMEMD_DECISION"), r.get("TDXMEMD_OUTCOME"))
          for r in run.records_for(b)], [("devdax", "applied")], f"{b}: one record")
    want = [("online", "cmr-covered", "applied")]
    for i in range(1, 11):
        c.fact(f"records_flip{i}", str(2 + i))
        if i % 2:
            device_devdax_empty(c, run, f"flip{i}")
            want.append(("devdax", "not-convertible", "applied"))
        else:
            device_whole_online(c, run, f"flip{i}")
            want.append(("online", "cmr-covered", "applied"))
    recs = run.records_for(a)
    c.eq([(r.get("TDXMEMD_DECISION"), r.get("TDXMEMD_REASON"), r.get("TDXMEMD_OUTCOME"))
          for r in recs], want, f"{a}: one record per flip, each applied")
    c.eq([r.get("TDXMEMD_KMEM_INTERFACE") for r in recs if r.get("TDXMEMD_DECISION") == "online"],
         ["probe"] * 6, f"{a}: every online by kmem's probe, in one step")
    c.eq([r for r in recs if "TDXMEMD_PUT_BACK" in r], [],
         f"{a}: tdxmemd's own changes are not put-backs")
    c.fact("records_final", "12")
    c.fact("end_active", "active")
    c.fact("end_nrestarts", "0")


@scenario
def rule_online_movable(c, run):
    c.fact("distro_rule", "online_movable")
    rule_flips(c, run)


@scenario
def rule_online(c, run):
    c.fact("distro_rule", "online")
    rule_flips(c, run)


@scenario
def daxctl_by_hand(c, run):
    a, b = run.fact("A"), run.fact("B")
    device_whole_online(c, run, "start_a")
    device_devdax_empty(c, run, "start_b")
    # daxctl did what it was asked before tdxmemd put it back
    c.fact("b_rc", "0")
    c.fact("b_by_hand_driver", "kmem")
    c.fact("a_rc", "0")
    c.fact("a_by_hand_driver", "device_dax")
    device_devdax_empty(c, run, "b")
    device_whole_online(c, run, "a")
    for dev, name, decision, found in ((b, "b", "devdax", "system-ram"),
                                       (a, "a", "online", "devdax")):
        recs = run.records_for(dev)
        c.eq(len(recs), 2, f"{dev}: the first record and one that puts it back")
        if len(recs) != 2:
            continue
        first, back = recs
        c.check("TDXMEMD_PUT_BACK" not in first, f"{dev}: the first record is no put-back")
        c.eq((back.get("TDXMEMD_DECISION"), back.get("TDXMEMD_OUTCOME"),
              back.get("TDXMEMD_PUT_BACK")), (decision, "applied", found),
             f"{dev}: put back, saying what it found")
        c.check("put back: found " + found in back.get("MESSAGE", ""),
                f"{dev}: the message says so: {back.get('MESSAGE')!r}")
        delay = (rec_us(back) - int(run.fact(f"{name}_done_us", "0"))) / 1e6
        c.check(delay <= 2.0, f"{dev}: put back {delay:.2f} s after daxctl ended (at most 2 s)")
    c.fact("records_final", "4")
    c.fact("end_active", "active")


@scenario
def eight_devices(c, run):
    devices = (run.fact("devices") or "").split()
    c.eq(len(devices), 8, "eight dax devices made")
    c.rc("once", 0)
    lines = [l for l in run.text("once.stdout").splitlines() if l.strip()]
    c.eq(len(lines), 8, "one line per device from the one pass")
    for i, dax in enumerate(devices):
        if i < 4:
            c.one_record(dax, decision="online", reason="cmr-covered", outcome="applied",
                         kmem_interface="probe", blocks="2", blocks_online="2")
            device_whole_online(c, run, dax)
        else:
            c.one_record(dax, decision="devdax", reason="not-convertible", outcome="applied")
            device_devdax_empty(c, run, dax)


@scenario
def large_device(c, run):
    dax = run.fact("region0_dax")
    c.fact("block_size_bytes", "8000000")
    c.fact("online_mapblocks", " ".join(f"memory{n}" for n in range(
        int(run.fact("region0_start", "0"), 16) >> 27,
        (int(run.fact("region0_start", "0"), 16) + (64 << 30)) >> 27)))
    for name in ("online", "devdax", "refused", "initialized"):
        print(f"  info {name}: {run.fact(name + '_ms')} ms")
    recs = run.records_for(dax)
    c.eq([(r.get("TDXMEMD_DECISION"), r.get("TDXMEMD_REASON"), r.get("TDXMEMD_OUTCOME"))
          for r in recs],
         [("online", "cmr-covered", "applied"), ("devdax", "not-convertible", "applied"),
          ("online", "cmr-covered", "rolled-back"), ("devdax", "tdx-initialized", "already")],
         f"{dax}: one record per run")
    c.rc("online", 0)
    device_whole_online(c, run, "online")
    c.fact("online_refusals", "0")
    c.rc("devdax", 0)
    device_devdax_empty(c, run, "devdax")
    c.rc("refused", 2)
    device_devdax_empty(c, run, "refused")
    c.fact("refused_refusals", "1")
    c.fact("refuse_nth_left", "0")
    c.rc("initialized", 0)
    device_devdax_empty(c, run, "initialized")
    c.fact("initialized_refusals", "1")
    if recs:
        c.eq(recs[0].get("TDXMEMD_BLOCKS_ONLINE"), "512", "512 blocks online in the first record")


@scenario
def big_blocks(c, run):
    dax = run.fact("region0_dax")
    start = int(run.fact("region0_start", "0"), 16)
    size = int(run.fact("region0_size", "0"), 16)
    # 6.12: 2 GiB on bare metal from 64 GiB of boot RAM on; 7.3 follows the
    # CXL window's alignment (256 MiB here), as advised by the ACPI tables
    want = (256 << 20) if kernel_at_least(run, 7, 3) else (2 << 30)
    c.eq(int(run.fact("block_size_bytes", "0"), 16), want, "the kernel's memory block size")
    first, end = -(-start // want), (start + size) // want
    blocks = [f"memory{n}" for n in range(first, end)]
    print(f"  info {len(blocks)} whole blocks of {want >> 20} MiB in "
          f"[{start:#x}, {start + size:#x})")
    c.fact("online_mapblocks", " ".join(blocks))
    c.rc("online", 0)
    c.rc("devdax", 0)
    device_whole_online(c, run, "online")
    device_devdax_empty(c, run, "devdax")
    recs = run.records_for(dax)
    c.eq([(r.get("TDXMEMD_DECISION"), r.get("TDXMEMD_OUTCOME"), r.get("TDXMEMD_BLOCKS"))
          for r in recs],
         [("online", "applied", str(len(blocks))), ("devdax", "applied", str(len(blocks)))],
         f"{dax}: one record per run, every whole block counted")


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
        if run.exists("iomem.txt"):
            suite_invariants(c, run, name)
    except Exception as e:  # a check that crashes is a failed check
        c.check(False, f"checker raised {type(e).__name__}: {e}")
    print(f"{name}: {c.total - c.failed}/{c.total} checks passed")
    if c.failed:
        c.evidence()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
