"""kolab-dns at fleet scale (issue 6): every figure of docs/benchmarks.md, side by side, in one run.

    make bench                       # full: N = 100, 1,000, 10,000; medians of 5 runs
    .venv/bin/python bench/run.py --quick   # smoke test: N = 100, 1,000; 1 run; PowerDNS 100 zones

(a) expansion alone; (b) `kolab-dns plan` on the local target against `octodns-sync` (dry run) on
the same records as static YAML; (c) `plan --since` after adding one domain; (d) a real PowerDNS
holding 1,000 zones: full plan against bare API reads, and the writes of a sync with nothing to
change; (e) peak memory of a full plan. Figures go to stdout as a Markdown table and to --json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import generate, static_octodns
from bench.measure import PYTHON, ROOT, kolab_dns, machine, median, run

WORKERS = min(8, (os.cpu_count() or 1) * 2)  # what kolab-dns gives octoDNS (octo/engine.py)
OWN_ZONE_ADDITION = "newcustomer.example"
IN_ZONE_ADDITION = f"cnew.{generate.PRIMARY_ZONE}"


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def make_repo(root: Path, n: int, provider: str = "local", report_authorization: str = "per-domain") -> Path:
    """A committed repository with n secondaries; the local provider is the shipped one."""
    repo = root / f"{provider}-{n}-{report_authorization}"
    generate.write_repo(repo, n, provider, report_authorization=report_authorization)
    shutil.copy(ROOT / "providers" / "local.yaml", repo / "providers" / "local.yaml")
    git(repo, "init", "-q")
    git(repo, "add", "zones", "providers")
    git(repo, "-c", "user.name=bench", "-c", "user.email=bench@invalid", "commit", "-qm", f"{n} domains")
    return repo


def expansion(repo: Path, runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        proc = subprocess.run(
            [PYTHON, str(ROOT / "bench" / "expansion.py"), str(repo / "zones" / "kolab.yaml")],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        samples.append(json.loads(proc.stdout))
    return {key: median([s[key] for s in samples]) for key in samples[0]}


def since(repo: Path, n: int, extra: str, runs: int, report_authorization: str = "per-domain") -> float:
    """`plan --since HEAD` after one more domain, the declaration restored afterwards."""
    path = repo / "zones" / "kolab.yaml"
    original = path.read_text()
    path.write_text(generate.declaration(n, extra=(extra,), report_authorization=report_authorization))
    try:
        return median([kolab_dns(repo, "plan", "--since", "HEAD").seconds for _ in range(runs)])
    finally:
        path.write_text(original)


def local_figures(root: Path, n: int, runs: int) -> dict[str, Any]:
    """(a), (b), (c) and (e) at one N, for a fleet with a wildcard DMARC report authorization (as
    fleets are advised to); (c) also with one authorization per domain, the default."""
    repo = make_repo(root, n, report_authorization="wildcard")
    out: dict[str, Any] = {"n": n}
    log(f"N={n}: first sync to the local target (setup, timed once)")
    out["first_sync_s"] = kolab_dns(repo, "sync").seconds
    log(f"N={n}: (a) expansion")
    out["a"] = expansion(repo, runs)
    log(f"N={n}: (b) kolab-dns plan and octodns-sync, alternating")
    config = static_octodns.write_config(repo, WORKERS)
    plans, octo, rss = [], [], []
    for _ in range(runs):
        sample = kolab_dns(repo, "plan")
        plans.append(sample.seconds)
        rss.append(sample.max_rss_mb)
        octo.append(run([str(Path(PYTHON).parent / "octodns-sync"), "--config-file", str(config)]).seconds)
    out["b"] = {"kolab_plan_s": median(plans), "octodns_sync_s": median(octo)}
    out["b"]["ratio"] = out["b"]["kolab_plan_s"] / out["b"]["octodns_sync_s"]
    out["e"] = {"plan_max_rss_mb": max(rss)}
    log(f"N={n}: (c) plan --since after adding one domain")
    out["c"] = {
        "own_zone_s": since(repo, n, OWN_ZONE_ADDITION, runs, "wildcard"),
        "in_primary_zone_s": since(repo, n, IN_ZONE_ADDITION, runs, "wildcard"),
    }
    shutil.rmtree(repo)
    log(f"N={n}: (c) again with report_authorization: per-domain (synced first)")
    repo = make_repo(root, n, report_authorization="per-domain")
    kolab_dns(repo, "sync")
    out["c"]["own_zone_per_domain_s"] = since(repo, n, OWN_ZONE_ADDITION, runs)
    shutil.rmtree(repo)
    return out


def powerdns_figures(root: Path, zones: int, runs: int) -> dict[str, Any]:
    """(d) against a real PowerDNS holding `zones` zones (the primary's, a reverse zone, the rest
    zones of their own)."""
    from bench import powerdns

    n = 2 * (zones - 2)  # half of the secondaries are zones of their own
    with powerdns.BenchPowerDNS(http_timeout=120) as server:
        repo = make_repo(root, n, "pdns")
        powerdns.provider_file(repo, server)
        os.environ["PDNS_API_KEY"] = server.api_key
        log(f"PowerDNS: first sync of {zones} zones (setup, timed once)")
        first = kolab_dns(repo, "sync").seconds
        names = [name.rstrip(".") for name in server.list_zones()]
        log(f"PowerDNS: (d) full plan and {len(names)} bare GETs, alternating")
        plans, floors = [], []
        for _ in range(runs):
            plans.append(kolab_dns(repo, "plan").seconds)
            floors.append(powerdns.bare_gets(server, names, WORKERS))
        with powerdns.counting_proxy(server) as (port, counts):
            powerdns.provider_file(repo, server, port)
            kolab_dns(repo, "sync")
        writes = sum(counts[m] for m in powerdns.WRITES)
        return {
            "zones": len(names),
            "first_sync_s": first,
            "plan_s": median(plans),
            "bare_gets_s": median(floors),
            "ratio": median(plans) / median(floors),
            "no_change_sync_requests": dict(counts),
            "no_change_sync_writes": writes,
        }


def table(results: dict[str, Any]) -> str:
    rows = [
        "| N | (a) expansion s | (b) plan s | (b) octodns-sync s | (b) ratio | (c) --since own zone s "
        "| (c) own zone, per-domain authorization s | (c) --since in primary zone s | (e) peak MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["local"]:
        rows.append(
            f"| {r['n']:,} | {r['a']['total']:.2f} | {r['b']['kolab_plan_s']:.2f} "
            f"| {r['b']['octodns_sync_s']:.2f} "
            f"| {r['b']['ratio']:.2f} | {r['c']['own_zone_s']:.2f} | {r['c']['own_zone_per_domain_s']:.2f} "
            f"| {r['c']['in_primary_zone_s']:.2f} "
            f"| {r['e']['plan_max_rss_mb']:.0f} |"
        )
    d = results.get("powerdns")
    if d:
        rows += [
            "",
            f"(d) PowerDNS, {d['zones']} zones: plan {d['plan_s']:.2f} s, {d['zones']} bare GETs "
            f"{d['bare_gets_s']:.2f} s, ratio {d['ratio']:.2f}; no-change sync requests "
            f"{d['no_change_sync_requests']}, writes {d['no_change_sync_writes']}",
        ]
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: N=100,1000, 1 run, 100 PowerDNS zones"
    )
    parser.add_argument("--sizes", help="comma-separated N (default 100,1000,10000)")
    parser.add_argument("--runs", type=int, help="runs per figure; the median is reported (default 5)")
    parser.add_argument("--pdns-zones", type=int, help="zones on PowerDNS for (d) (default 1000; 0 skips)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ("100,1000" if args.quick else "100,1000,10000")).split(",")]
    runs = args.runs or (1 if args.quick else 5)
    pdns_zones = args.pdns_zones if args.pdns_zones is not None else (100 if args.quick else 1000)

    results: dict[str, Any] = {"machine_before": machine(), "runs": runs, "local": []}

    def save() -> None:  # after every figure: a long run that fails late keeps what it measured
        by_n = {r["n"]: r for r in results["local"]}
        if len(by_n) > 1:
            small, large = by_n[min(by_n)], by_n[max(by_n)]
            for key, what in (
                ("c_ratio_own_zone", "own_zone_s"),
                ("c_ratio_own_zone_per_domain", "own_zone_per_domain_s"),
                ("c_ratio_in_primary_zone", "in_primary_zone_s"),
            ):
                results[key] = large["c"][what] / small["c"][what]
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))

    with tempfile.TemporaryDirectory(prefix="kolab-bench-") as tmp:
        if pdns_zones:
            results["powerdns"] = powerdns_figures(Path(tmp), pdns_zones, runs)
            save()
        for n in sizes:
            results["local"].append(local_figures(Path(tmp), n, runs))
            save()
    results["machine_after"] = machine()
    save()
    sys.stdout.write(table(results))
    for key in ("c_ratio_own_zone", "c_ratio_own_zone_per_domain", "c_ratio_in_primary_zone"):
        if key in results:
            sys.stdout.write(f"{key}: {results[key]:.2f}\n")
    sys.stdout.write(
        f"machine before: {results['machine_before']}\nmachine after: {results['machine_after']}\n"
    )


if __name__ == "__main__":
    main()
