#!/usr/bin/env python3
"""Turns the results of bench/run.sh into docs/BENCHMARKS.md (on stdout), or, with --check, checks
that every load tool produced a sane result (the smoke run) and prints 'N passed, M failed'.

    bench/report.py RESULTS_DIR --nofile N --threads N --versions TEXT [--repeat N] [--check]

Each comparison ran N times, ours and the peer's alternating; a row gives the median of each
figure, the median of the N pairwise ratios (ours of run i over the peer's of run i) and their
spread (lowest–highest), and the machine's 1-minute load average while the pair ran.
"""
import statistics
import argparse
import datetime
import glob
import json
import os
import platform
import re
import subprocess
import sys


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:  # a missing tool only leaves a blank in the machine section
        return ""


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def wrk(out, name, c, r=1):
    try:
        text = open(f"{out}/wrk-{name}-{c}-r{r}.txt").read()
    except OSError:
        return None
    m = re.search(r"WRK_JSON (\{.*\})", text)
    return json.loads(m.group(1)) if m else None


def pgbench(out, name, c, r=1):
    try:
        text = open(f"{out}/pgbench-{name}-{c}-r{r}.txt").read()
    except OSError:
        return None
    m = re.search(r"tps = ([0-9.]+)", text)
    lat = []
    for path in glob.glob(f"{out}/pgbench-{name}-{c}-r{r}.*"):
        if path.endswith(".txt"):
            continue
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    lat.append(int(parts[2]) / 1000.0)
    lat.sort()

    def pct(q):
        return lat[min(len(lat) - 1, int(q * len(lat)))] if lat else 0.0

    failed = re.search(r"number of failed transactions: (\d+)", text)
    return {"tps": float(m.group(1)) if m else 0.0, "p50_ms": pct(0.5), "p99_ms": pct(0.99),
            "transactions": len(lat), "failed": int(failed.group(1)) if failed else 0}


def commands(out, scenario):
    try:
        return open(f"{out}/commands-{scenario}.txt").read().rstrip()
    except OSError:
        return "(not run)"


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "–"


REPEAT = 1


def runs():
    return range(1, REPEAT + 1)


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else 0.0


def paired(ours, peers, key_us, key_peer):
    """The median of the pairwise ratios and their spread, over the runs where both ran."""
    rs = [key_us(u) / key_peer(p) for u, p in zip(ours, peers) if u and p and key_peer(p)]
    if not rs:
        return None
    return {"median": statistics.median(rs), "lo": min(rs), "hi": max(rs), "n": len(rs)}


def spread(pr):
    return f"{pr['lo']:.2f}–{pr['hi']:.2f} ({pr['n']})" if pr else "–"


def load_avg(out, key):
    """The 1-minute load averages sampled around the comparison's runs, as 'low–high'."""
    try:
        vals = [float(line.split()[0]) for line in open(f"{out}/load-{key}.txt") if line.strip()]
    except (OSError, ValueError, IndexError):
        return "–"
    return f"{min(vals):.1f}–{max(vals):.1f}" if vals else "–"


def ms(x):
    return f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def machine(args):
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    mem = sh("free -g | awk '/Mem:/ {print $2}'")
    pg = sh("/usr/lib/postgresql/15/bin/postgres --version")
    pgb = sh("pgbench --version")
    redis = sh("redis-server --version | cut -d' ' -f1-3")
    wrk_v = sh("wrk -v 2>&1 | head -n1 | cut -d' ' -f1-2")
    gxx = sh("g++ --version | head -n1")
    return [
        f"- Cores: {os.cpu_count()} ({cpu or 'unknown CPU'}); memory: {mem} GiB; "
        f"{platform.system()} {platform.release()}; open-file limit (hard = soft): {args.nofile}",
        f"- {args.versions}",
        f"- {pg}; {pgb}; {redis}; {wrk_v}; {gxx}",
        f"- Server threads (COLLABDEV_THREADS) {args.threads}; Centrifugo GOMAXPROCS default ({os.cpu_count()}); "
        "the load tools run on the same cores as the servers, so every figure includes their cost.",
    ]


def http_section(out, lines):
    lines += ["## 1. HTTP against PostgreSQL's own ceiling", "",
              "`wrk` (2 threads) against the server; `pgbench -M prepared` running the statements the server "
              "runs for the same request (session lookup, role check, the request's own SQL; the task insert "
              "in its transaction) at the same concurrency, against the same database. Aim: at least 0.5 of "
              "the ceiling.", "",
              "| request | connections | CollabDev+ req/s | p50 ms | p99 ms | pgbench tx/s | p50 ms | p99 ms "
              "| ratio (median) | spread (runs) | load | aim (≥ 0.5) |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    verdicts = []
    for name, label in (("board", "GET …/board (50 tasks)"), ("create_task", "POST …/tasks"), ("me", "GET /me")):
        for c in (16, 64):
            ws = [wrk(out, name, c, r) for r in runs()]
            ps = [pgbench(out, name, c, r) for r in runs()]
            pr = paired(ws, ps, lambda w: w["rps"], lambda p: p["tps"])
            if not pr:
                lines.append(f"| {label} | {c} | not run | | | | | | | | | |")
                continue
            w = {k: med([x[k] for x in ws if x]) for k in ("rps", "p50_ms", "p99_ms", "non_2xx")}
            p = {k: med([x[k] for x in ps if x]) for k in ("tps", "p50_ms", "p99_ms")}
            r = pr["median"]
            ok = "met" if r >= 0.5 else "**missed**"
            errs = f" ({w['non_2xx']:.0f} non-2xx)" if w["non_2xx"] else ""
            lines.append(f"| {label} | {c} | {w['rps']:.0f}{errs} | {ms(w['p50_ms'])} | {ms(w['p99_ms'])} | "
                         f"{p['tps']:.0f} | {ms(p['p50_ms'])} | {ms(p['p99_ms'])} | {r:.2f} | {spread(pr)} | "
                         f"{load_avg(out, f'{name}-{c}')} | {ok} |")
            if r < 0.5:
                verdicts.append(f"{label} at {c}: {r:.2f} of the ceiling")
    lines += [""]
    if not any(wrk(out, n, c, r) for n in ("board", "create_task", "me") for c in (16, 64) for r in runs()):
        lines += ["Not run this time (`BENCH_ONLY`).", ""]
    else:
        lines += [f"We miss the aim for: {'; '.join(verdicts)}." if verdicts else "The aim is met in every row.", ""]
    lines += ["Commands:", "", "```sh", commands(out, "http"), "```", ""]


def fan_row(r):
    if not r or "error" in r:
        return None
    a = r["at_half"]["latency"]
    frames = r.get("frames", 0)
    return {"sat": r["saturation_deliveries_per_s"], "p50": a["p50_ms"], "p99": a["p99_ms"],
            "half": r["at_half"]["deliveries_per_s"], "saturated": r["saturated"],
            "limited": any(s["publisher_limited"] for s in r["steps"]),
            "closed": sum(s["closed"] for s in r["steps"]),
            "batched": r.get("batched_frames", 0) / frames if frames else 0.0}


def fan_median(rows):
    """The median figures of the runs of one side of a fan-out comparison."""
    rows = [x for x in rows if x]
    if not rows:
        return None
    m = {k: med([x[k] for x in rows]) for k in ("sat", "p50", "p99", "half", "batched")}
    m["sat"] = int(m["sat"])
    m["limited"] = sum(x["limited"] for x in rows) * 2 > len(rows)
    m["saturated"] = sum(x["saturated"] for x in rows) * 2 >= len(rows)
    m["closed"] = sum(x["closed"] for x in rows)
    return m


def fanout_section(out, lines):
    lines += ["## 2. Fan-out", "",
              "Subscribed WebSocket clients (bench/loadgen, one process, C++ on Boost.Beast); 100-byte "
              "messages published at rising rates (×1.5 per 2-second step) until deliveries stop keeping "
              "up (less than 90% of what was published arrives within the step, a client is dropped, p99 "
              "over 1 s, or the publisher itself falls behind). *Saturation* is the highest delivery rate "
              "measured in a step; latency is publish-to-receive (the sender's timestamp travels in the "
              "message), measured in a separate run at half the saturation rate. Aim: more deliveries per "
              "second than Centrifugo at a lower p99.", "",
              "How each figure was published: CollabDev+ through `POST /api/v1/projects/{id}/messages` (the "
              "message is stored in PostgreSQL, then published: the real chat path), Centrifugo through its "
              "HTTP publish API (`POST /api/publish`, nothing stored). The *Redis direct* rows publish the "
              "message envelope straight to the channel `ws:project:<id>:chat`, leaving out HTTP and "
              "PostgreSQL: the gateway's fan-out alone. One instance: CollabDev+ with its in-process bus, "
              "Centrifugo with its memory engine. Two instances: both behind the same Redis, clients "
              "alternating between the instances, publishes sent to the first.", "",
              "| setup | rooms × clients | CollabDev+ deliveries/s | p50 / p99 ms at half | Centrifugo "
              "deliveries/s | p50 / p99 ms at half | ratio (median) | spread (runs) | load | aim |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    fan_table = len(lines)
    verdicts = []
    for shape in ("one", "ten"):
        for inst, label in (("1", "one instance"), ("1redis", "one instance, Redis direct publish"),
                            ("2", "two instances, Redis"), ("2redis", "two instances, Redis direct publish")):
            raw = [load(f"{out}/fanout-collabdev-{inst}-{shape}-r{r}.json") for r in runs()]
            peer_inst = inst[0]
            raw_peer = [load(f"{out}/fanout-centrifugo-{peer_inst}-{shape}-r{r}.json") for r in runs()]
            us_runs, peer_runs = [fan_row(x) for x in raw], [fan_row(x) for x in raw_peer]
            us, peer = fan_median(us_runs), fan_median(peer_runs)
            r0 = next((x for x in raw if x), {})
            rooms = f"{r0.get('rooms', '?')} × {r0.get('per_room', '?')}"
            if not us:
                if any(raw):
                    lines.append(f"| {label} | {rooms} | failed | | | | | | | |")
                continue
            note = []
            if us["limited"]:
                note.append("publisher-bound")
            if us["closed"]:
                note.append(f"{us['closed']} slow consumers closed")
            if not us["saturated"]:
                note.append("not saturated within the ramp")
            extra = f" ({', '.join(note)})" if note else ""
            pr = paired(us_runs, peer_runs, lambda x: x["sat"], lambda x: x["sat"])
            if peer and pr:
                win = pr["median"] > 1 and us["p99"] < peer["p99"]
                aim = "met" if win else "**missed**"
                if not win:
                    verdicts.append(f"{label}, {rooms}: {us['sat']:,} vs {peer['sat']:,} deliveries/s, p99 "
                                    f"{ms(us['p99'])} vs {ms(peer['p99'])} ms")
                peer_cells = (f"{peer['sat']:,}{' (publisher-bound)' if peer['limited'] else ''} | "
                              f"{ms(peer['p50'])} / {ms(peer['p99'])}")
                r = f"{pr['median']:.2f}"
            else:
                aim, peer_cells, r = "–", "failed | ", "–"
            peer_label = " (Centrifugo via HTTP API)" if inst.endswith("redis") else ""
            lines.append(f"| {label}{peer_label} | {rooms} | {us['sat']:,}{extra} | {ms(us['p50'])} / "
                         f"{ms(us['p99'])} | {peer_cells} | {r} | {spread(pr)} | "
                         f"{load_avg(out, f'fanout-{inst}-{shape}')} | {aim} |")
    ran = len(lines) > fan_table  # a row: some fan-out ran
    lines += [""]
    if not ran:
        lines += ["Not run this time (`BENCH_ONLY`).", ""]
    else:
        lines += [("Where we lose: " + "; ".join(verdicts) + ".") if verdicts else "The aim is met in every row.", ""]
    lines += ["Each step of each ramp (target and measured rates, CPU of the load tool and of the servers, "
              "latency) is in `.var/bench/results/fanout-*.json` after a run.", ""]
    lines += ["Commands:", "", "```sh", commands(out, "fanout"), "```", ""]


def idle_section(out, lines):
    lines += ["## 3. Memory per idle connection", "",
              "Authenticated WebSockets subscribed to one project room (one Centrifugo channel), idle; the "
              "server's resident memory (VmRSS) 5 s after the last one subscribed, divided by the number of "
              "connections. *Added* leaves out what the server held before the first connection. Aim: at "
              "most 6 KiB per connection.", ""]
    lines += ["| connections | CollabDev+ RSS MiB | KiB / conn | added KiB / conn | Centrifugo RSS MiB | "
              "KiB / conn | added KiB / conn | ratio (KiB / conn) | aim (≤ 6 KiB) |",
              "|---|---|---|---|---|---|---|---|---|"]
    verdicts = []
    counts = sorted({int(m.group(1)) for p in glob.glob(f"{out}/idle-*.json")
                     for m in [re.search(r"-(\d+)\.json$", p)] if m})
    for n in counts:
        us, peer = load(f"{out}/idle-collabdev-{n}.json"), load(f"{out}/idle-centrifugo-{n}.json")
        if not us or "error" in us:
            lines.append(f"| {n:,} | failed | | | | | | | |")
            continue
        aim = "met" if us["rss_per_conn_kib"] <= 6 else "**missed**"
        if us["rss_per_conn_kib"] > 6:
            verdicts.append(f"{n:,} connections: {us['rss_per_conn_kib']:.1f} KiB each")
        pc = (f"{peer['rss_held_kib'] / 1024:.0f} | {peer['rss_per_conn_kib']:.1f} | {peer['rss_delta_per_conn_kib']:.1f}"
              if peer and "error" not in peer else "failed | | ")
        lines.append(f"| {us['still_connected']:,} | {us['rss_held_kib'] / 1024:.0f} | {us['rss_per_conn_kib']:.1f} | "
                     f"{us['rss_delta_per_conn_kib']:.1f} | {pc} | "
                     f"{ratio(us['rss_per_conn_kib'], peer['rss_per_conn_kib'] if peer and 'error' not in peer else 0)} | {aim} |")
    lines += [""]
    if not counts:
        lines += ["Not run this time (`BENCH_ONLY`).", ""]
    else:
        lines += [("We miss the aim at " + "; ".join(verdicts) + ".") if verdicts else "The aim is met in every row.", ""]
    lines += ["Commands:", "", "```sh", commands(out, "idle"), "```", ""]


def big_section(out, lines, setup):
    n = (setup or {}).get("big_tasks", 5000)
    lines += ["## 4. A big board", "",
              f"`GET /api/v1/projects/{{id}}/board` of a project with {n:,} tasks in 5 columns (inserted with one "
              "SQL statement, the rows the API writes), beside pgbench running the same three statements. "
              "Aim: p99 under 50 ms at 16 clients.", "",
              "| clients | CollabDev+ req/s | p50 ms | p99 ms | pgbench tx/s | p50 ms | p99 ms | ratio (req/s, median) "
              "| spread (runs) | load | aim |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    verdict = ""
    for c in (1, 16):
        ws = [wrk(out, "big_board", c, r) for r in runs()]
        ps = [pgbench(out, "big_board", c, r) for r in runs()]
        pr = paired(ws, ps, lambda w: w["rps"], lambda p: p["tps"])
        if not pr:
            lines.append(f"| {c} | not run | | | | | | | | | |")
            continue
        w = {k: med([x[k] for x in ws if x]) for k in ("rps", "p50_ms", "p99_ms")}
        worst = max(x["p99_ms"] for x in ws if x)
        p = {k: med([x[k] for x in ps if x]) for k in ("tps", "p50_ms", "p99_ms")}
        aim = "–"
        if c == 16:
            aim = "met" if worst < 50 else "**missed**"
            if worst >= 50:
                verdict = f"We miss the aim: p99 up to {ms(worst)} ms at 16 clients (median {ms(w['p99_ms'])} ms)."
        lines.append(f"| {c} | {w['rps']:.0f} | {ms(w['p50_ms'])} | {ms(w['p99_ms'])} (worst {ms(worst)}) | "
                     f"{p['tps']:.0f} | {ms(p['p50_ms'])} | {ms(p['p99_ms'])} | {pr['median']:.2f} | {spread(pr)} | "
                     f"{load_avg(out, f'big_board-{c}')} | {aim} |")
    ran = any(wrk(out, "big_board", c, r) for c in (1, 16) for r in runs())
    lines += ["", (verdict or "The aim is met.") if ran else "Not run this time (`BENCH_ONLY`).", ""]
    lines += ["Commands:", "", "```sh", commands(out, "big"), "```", ""]


def check(out):
    passed, failed = 0, 0

    def verdict(ok, what):
        nonlocal passed, failed
        print(("ok   " if ok else "FAIL ") + what)
        if ok:
            passed += 1
        else:
            failed += 1

    for path in sorted(glob.glob(f"{out}/wrk-*.txt")):
        name = os.path.basename(path)[4:-4]
        n, c, r = name.rsplit("-", 2)
        w = wrk(out, n, c, r[1:])
        verdict(bool(w) and w["requests"] > 0 and w["non_2xx"] == 0, f"wrk {name}")
    for path in sorted(glob.glob(f"{out}/pgbench-*.txt")):
        name = os.path.basename(path)[8:-4]
        n, c, r = name.rsplit("-", 2)
        p = pgbench(out, n, c, r[1:])
        verdict(bool(p) and p["tps"] > 0 and p["failed"] == 0, f"pgbench {name}")
    for path in sorted(glob.glob(f"{out}/fanout-*.json")):
        r = load(path)
        verdict(bool(r) and "error" not in r and r["saturation_deliveries_per_s"] > 0
                and r["at_half"]["latency"]["samples"] > 0, f"loadgen {os.path.basename(path)}")
        # Several envelopes in one frame: CollabDev+ sends a client's `ack` and `ready` together,
        # so every run of its clients sees batched frames, and the load tool reads them.
        if r and "error" not in r and r.get("protocol") == "collabdev":
            verdict(r.get("batched_frames", 0) > 0, f"loadgen {os.path.basename(path)} read batched frames")
    for path in sorted(glob.glob(f"{out}/load-*.txt")):
        verdict(load_avg(out, os.path.basename(path)[5:-4]) != "–", f"load recorded {os.path.basename(path)}")
    for path in sorted(glob.glob(f"{out}/idle-*.json")):
        r = load(path)
        verdict(bool(r) and "error" not in r and r["still_connected"] == r["clients"] and r["rss_held_kib"] > 0,
                f"loadgen {os.path.basename(path)}")
    print(f"bench smoke: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--nofile", default="?")
    ap.add_argument("--threads", default="?")
    ap.add_argument("--versions", default="")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    global REPEAT
    REPEAT = args.repeat
    if args.check:
        sys.exit(check(args.out))
    setup = load(f"{args.out}/setup.json")
    commit = sh("git rev-parse --short HEAD")
    dirty = " with uncommitted changes" if sh("git status --porcelain -- server CMakeLists.txt") else ""
    only = os.environ.get("BENCH_ONLY", "")
    only_prefix = f"BENCH_ONLY={only} " if only else ""
    lines = ["# Benchmarks", "",
             f"Written by `{only_prefix}make bench` (`bench/run.sh`) on {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, at "
             f"commit {commit}{dirty}. Every figure is what that run measured; each scenario sets us beside a "
             "peer measured in the same run on the same machine, and the ratio is the figure to compare "
             "between runs. Absolute figures are noisy: the load tools share the 2 cores with the servers.", "",
             "## Machine", ""] + machine(args) + [""]
    lines += [f"Each comparison ran {REPEAT} time{'s' if REPEAT != 1 else ''}, ours and the peer's alternating "
              "(ours, peer, ours, peer, ...). A row gives the median of each figure, the median of the pairwise "
              "ratios (our run *i* over the peer's run *i*) with their spread (lowest–highest, and how many pairs), "
              "and *load*: the machine's 1-minute load average sampled before and after each run of the pair "
              "(lowest–highest). A load above the 2 cores means other work shared the machine during the run; "
              "compare ratios, not absolute figures. Idle memory does not move with the load and ran once.", ""]
    http_section(args.out, lines)
    fanout_section(args.out, lines)
    idle_section(args.out, lines)
    big_section(args.out, lines, setup)
    extra = os.path.join(os.path.dirname(os.path.abspath(__file__)), "NOTES.md")
    if os.path.exists(extra):
        lines += [open(extra).read().rstrip(), ""]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
