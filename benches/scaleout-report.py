"""The table of benches/run-scaleout.sh, from the files it leaves per cell.

Usage: python3 benches/scaleout-report.py CELLS_DIR HAPROXY_MODE PRIORITY

Per cell (era, sessions, setup) the directory holds `*.cell.json` (settings) and, for each round
N, `*.rN.load.json` (http-load's row), `*.rN.cmdstats` / `*.rN.stats` (Redis INFO after it;
the counters are reset before it), `*.rN.cpu` (CPU ns of each server-side process before and
after: the instances, HAProxy if any, Redis last) and for HAProxy `*.rN.lb0` / `*.rN.lb1` (its
`show stat` before and after); `*.probe.*` are the Redis INFO after the probe (k sessions, one
call each). `calibration.stats` is Redis INFO stats after the script's own redis-cli calls alone,
taken off every count of socket reads.
"""

import csv
import io
import json
import pathlib
import sys

SETUPS = {
    "memory": "(a) memory",
    "redis": "(b) Redis",
    "haproxy": "(c) 3 x Redis + HAProxy",
    "memory-lb": "(a+) memory + HAProxy",
}
# The setups with HAProxy in front, and those on Redis.
BALANCED = {"haproxy", "memory-lb"}
ON_REDIS = {"redis", "haproxy"}
# What the script itself sends to Redis around each measurement.
OWN_COMMANDS = {"config|resetstat", "info"}


def cmdstats(path):
    """Calls per command from `INFO commandstats`, without the script's own commands."""
    out = {}
    for line in path.read_text().splitlines():
        if not line.startswith("cmdstat_"):
            continue
        name, fields = line[len("cmdstat_"):].split(":", 1)
        calls = int(dict(f.split("=") for f in fields.split(","))["calls"])
        if name not in OWN_COMMANDS:
            out[name] = calls
    return out


def info_field(path, field):
    for line in path.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split(":", 1)[1])
    raise SystemExit(f"no {field} in {path}")


def balancer_requests(path):
    """Requests each HAProxy server got so far, from `show stat`."""
    rows = list(csv.DictReader(io.StringIO(path.read_text().lstrip("# "))))
    return [
        int(r.get("req_tot") or r["stot"] or 0)
        for r in rows
        if r["pxname"] == "instances" and r["svname"] not in ("FRONTEND", "BACKEND")
    ]


def add(totals, more):
    for name, n in more.items():
        totals[name] = totals.get(name, 0) + n


def cell(base, own_reads):
    def at(suffix):
        return base.with_name(base.name + suffix)

    c = json.loads(at(".cell.json").read_text())
    runs, k, calls, warmup = c["runs"], c["sessions"], c["calls"], c["warmup"]
    balancer = c["setup"] in BALANCED
    phases, main, reads_main, used_ns, spread = [], {}, 0, None, None
    for r in range(1, runs + 1):
        phases.append(json.loads(at(f".r{r}.load.json").read_text())["phases"][0])
        add(main, cmdstats(at(f".r{r}.cmdstats")))
        reads_main += info_field(at(f".r{r}.stats"), "total_reads_processed") - own_reads
        used = [
            int(b) - int(a)
            for a, b in (line.split() for line in at(f".r{r}.cpu").read_text().splitlines() if line.strip())
        ]
        used_ns = used if used_ns is None else [t + u for t, u in zip(used_ns, used)]
        if balancer:
            got = [b - a for a, b in zip(balancer_requests(at(f".r{r}.lb0")), balancer_requests(at(f".r{r}.lb1")))]
            spread = got if spread is None else [s + g for s, g in zip(spread, got)]
    probe = cmdstats(at(".probe.cmdstats"))
    reads_probe = info_field(at(".probe.stats"), "total_reads_processed") - own_reads
    # main = runs * (k * per_session + (warmup + calls) * per_call); probe = k * (per_session +
    # per_call): two equations per command, so that the session set-up drops out.
    made = runs * (warmup + calls)

    def split(m, p):
        per_call = (m - runs * p) / (runs * (warmup + calls - k))
        return per_call, p / k - per_call

    per_command = {n: split(main.get(n, 0), probe.get(n, 0)) for n in sorted(set(main) | set(probe))}
    cmds_call, cmds_session = split(sum(main.values()), sum(probe.values()))
    reads_call, reads_session = split(max(reads_main, 0), max(reads_probe, 0))
    used = [t / 1e3 / made for t in used_ns]  # µs of CPU per call made
    return {
        **c,
        "calls_per_s": max(p["calls_per_s"] for p in phases),
        "rounds": [p["calls_per_s"] for p in phases],
        "p50_us": min(p["p50_us"] for p in phases),
        "driver_busy": max(p["driver_busy"] for p in phases),
        "cmds_call": cmds_call,
        "cmds_session": cmds_session,
        "reads_call": reads_call,
        "reads_session": reads_session,
        "raw_cmds_call": sum(main.values()) / made,
        "per_command": per_command,
        "cpu_instances": sum(used[: -2 if balancer else -1]),
        "cpu_haproxy": used[-2] if balancer else None,
        "cpu_redis": used[-1],
        "cpu_total": sum(used),
        "spread": spread,
    }


def fmt(v, prec):
    return "-" if v is None else f"{v:.{prec}f}"


def main():
    cells_dir, lb_mode, priority = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    own_reads = info_field(cells_dir / "calibration.stats", "total_reads_processed")
    cells = [
        cell(p.with_name(p.name[: -len(".cell.json")]), own_reads)
        for p in sorted(cells_dir.glob("*.cell.json"))
    ]
    order = {s: i for i, s in enumerate(SETUPS)}
    cells.sort(key=lambda c: (c["era"], c["sessions"], order[c["setup"]]))
    base = {(c["era"], c["sessions"]): c["calls_per_s"] for c in cells if c["setup"] == "memory"}
    base_cpu = {(c["era"], c["sessions"]): c["cpu_total"] for c in cells if c["setup"] == "memory"}
    for c in cells:
        c["ratio"] = c["calls_per_s"] / base[(c["era"], c["sessions"])]
        # The throughput ratio a server side held back by its CPU alone would show.
        c["cpu_ratio"] = base_cpu[(c["era"], c["sessions"])] / c["cpu_total"]

    first = cells[0]
    print(
        f"{first['runs']} rounds; per cell and round {first['warmup']} warm-up calls, then"
        f" {first['calls']} at 1 session / {cells[-1]['calls']} at 32; HAProxy {lb_mode};"
        f" niceness {priority}"
    )
    head = (
        f"{'era':<11} {'sess':>4}  {'setup':<24} {'calls/s':>8} {'vs (a)':>6} {'p50 µs':>7}"
        f" {'cmds/call':>9} {'reads/call':>10} {'cmds/sess':>9}"
        f" {'CPU µs/call':>11} {'(a)/x':>5} {'inst':>6} {'haproxy':>7} {'redis':>6}"
    )
    print(head)
    print("-" * len(head))
    for c in cells:
        on_redis = c["setup"] in ON_REDIS
        print(
            f"{c['era']:<11} {c['sessions']:>4}  {SETUPS[c['setup']]:<24} {c['calls_per_s']:>8.0f}"
            f" {c['ratio']:>6.2f} {c['p50_us']:>7.1f}"
            f" {fmt(c['cmds_call'] if on_redis else None, 3):>9}"
            f" {fmt(c['reads_call'] if on_redis else None, 3):>10}"
            f" {fmt(c['cmds_session'] if on_redis else None, 1):>9}"
            f" {c['cpu_total']:>11.1f} {c['cpu_ratio']:>5.2f}"
            f" {c['cpu_instances']:>6.1f} {fmt(c['cpu_haproxy'], 1):>7} {c['cpu_redis']:>6.1f}"
        )

    print("\nRedis commands per call by command (session set-up excluded; per session in brackets):")
    for c in cells:
        if c["setup"] not in ON_REDIS:
            continue
        parts = [
            f"{name} {call:.3f} [{session:.1f}]"
            for name, (call, session) in c["per_command"].items()
            if abs(call) >= 0.0005 or abs(session) >= 0.05
        ]
        print(f"  {c['era']} {c['sessions']:>2} {SETUPS[c['setup']]:<24} {', '.join(parts) or 'none'}")

    print("\ncalls/s of each round (the table keeps the best; driver CPU busy at most):")
    for c in cells:
        rounds = " ".join(f"{x:>7.0f}" for x in c["rounds"])
        print(f"  {c['era']} {c['sessions']:>2} {SETUPS[c['setup']]:<24} {rounds}   driver {c['driver_busy']:.0%}")

    spread = [c for c in cells if c["spread"]]
    if spread:
        print(f"\nHAProxy ({lb_mode}): requests per instance in each cell (all rounds, warm-up and set-up included):")
        for c in spread:
            print(f"  {c['era']} {c['sessions']:>2} {SETUPS[c['setup']]:<24} {' / '.join(map(str, c['spread']))}")

    control = {(c["era"], c["sessions"]): c for c in cells if c["setup"] == "memory-lb"}
    print("\nTargets (throughput as measured; in brackets the ratio of server CPU per call, which is")
    print("what the throughput ratio becomes when the server side's core is the limit):")
    for c in cells:
        if c["setup"] not in ON_REDIS:
            continue
        where = f"{c['era']} {c['sessions']:>2} sessions {SETUPS[c['setup']]:<24}"
        cpu = f" [CPU {c['cpu_ratio']:.2f}]"
        if c["era"] == "2026-07-28":
            checks = [
                (round(c["cmds_call"], 3) == 0 and round(c["cmds_session"], 3) == 0,
                 f"Redis commands/call {c['cmds_call']:.3f} (target 0)"),
                (c["ratio"] >= 0.95, f"throughput {c['ratio']:.2f}x in-memory{cpu} (target >= 0.95)"),
            ]
        else:
            checks = [
                (c["ratio"] >= 0.80, f"throughput {c['ratio']:.2f}x in-memory{cpu} (target >= 0.80)"),
                (c["cmds_call"] <= 1.0005,
                 f"Redis commands/call {c['cmds_call']:.3f} (round trips at most that; target <= 1)"),
            ]
        print(f"  {where} " + "; ".join(("ok   " if ok else "MISS ") + what for ok, what in checks))
        lb = control.get((c["era"], c["sessions"]))
        if c["setup"] == "haproxy" and lb:
            print(
                f"  {'':<{len(where)}} without the balancer's share, against (a+): throughput"
                f" {c['calls_per_s'] / lb['calls_per_s']:.2f}x [CPU {lb['cpu_total'] / c['cpu_total']:.2f}]"
            )


if __name__ == "__main__":
    main()
