"""kolab-dns at fleet scale (issue 6): every figure of docs/benchmarks.md, side by side, in one run.

    make bench                       # full: N = 100, 1,000, 10,000; medians of 5 runs
    .venv/bin/python bench/run.py --quick   # smoke test: N = 100, 1,000; 1 run; PowerDNS 100 zones

(a) expansion alone; (b) `kolab-dns plan` on the local target against `octodns-sync` (dry run) on
the same records as static YAML; (c) `plan --since` after adding one domain, and the smallest
against the largest fleet in alternating runs; (d) a real PowerDNS holding 100 and 1,000 zones:
full plan against bare API reads, and the writes of a sync with nothing to change; (e) peak
memory of a full plan, of the first sync and of every command; (f) `render --format json|zone`.
With --baseline REF, the same commands of that commit run in alternation with this checkout's
(A/B pairs). Figures go to stdout as a Markdown table and to --json; bench/plot.py draws them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import generate, static_octodns
from bench.measure import PEAKS, PYTHON, ROOT, Sample, kolab_dns, machine, median, run

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


def baseline_checkout(ref: str, root: Path) -> Path:
    """The kolab_dns of a commit, unpacked beside the fleets (no worktree, nothing installed)."""
    out = root / f"baseline-{ref}"
    out.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "kolab_dns"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive.stdout, check=True)
    return out


def pairs(runs: int, a: Callable[[], Sample], b: Callable[[], Sample] | None) -> dict[str, float]:
    """A and B alternately, `runs` times each: medians of the seconds, largest peak memory."""
    first: list[Sample] = []
    second: list[Sample] = []
    for _ in range(runs):
        first.append(a())
        if b is not None:
            second.append(b())
    out = {"s": median([x.seconds for x in first]), "rss_mb": max(x.max_rss_mb for x in first)}
    if second:
        out["baseline_s"] = median([x.seconds for x in second])
        out["baseline_rss_mb"] = max(x.max_rss_mb for x in second)
    return out


def since(repo: Path, n: int, extra: str, runs: int, report_authorization: str = "per-domain") -> float:
    """`plan --since HEAD` after one more domain, the declaration restored afterwards."""
    path = repo / "zones" / "kolab.yaml"
    original = path.read_text()
    path.write_text(generate.declaration(n, extra=(extra,), report_authorization=report_authorization))
    try:
        return median([kolab_dns(repo, "plan", "--since", "HEAD").seconds for _ in range(runs)])
    finally:
        path.write_text(original)


def local_figures(root: Path, n: int, runs: int, baseline: Path | None) -> dict[str, Any]:
    """(a), (b), (c), (e) and (f) at one N, for a fleet with a wildcard DMARC report authorization
    (as fleets are advised to); (c) also with one authorization per domain, the default. The
    wildcard fleet's repository is kept for the alternating (c) runs at the end."""
    repo = make_repo(root, n, report_authorization="wildcard")
    out: dict[str, Any] = {"n": n}
    log(f"N={n}: first sync to the local target (setup, timed once)")
    first = kolab_dns(repo, "sync")
    out["first_sync_s"], out["first_sync_rss_mb"] = first.seconds, first.max_rss_mb
    if baseline is not None:
        other = make_repo(root / "baseline", n, report_authorization="wildcard")
        sample = kolab_dns(other, "sync", code=baseline)
        out["baseline_first_sync_s"], out["baseline_first_sync_rss_mb"] = sample.seconds, sample.max_rss_mb
        shutil.rmtree(other)
    log(f"N={n}: (f) render --format json and zone" + (", A/B with the baseline" if baseline else ""))
    for fmt in ("json", "zone"):
        out[f"render_{fmt}"] = pairs(
            runs,
            lambda fmt=fmt: kolab_dns(repo, "render", "--format", fmt),
            None
            if baseline is None
            else lambda fmt=fmt: kolab_dns(repo, "render", "--format", fmt, code=baseline),
        )
    if baseline is not None:
        log(f"N={n}: full plan, A/B with the baseline")
        out["plan_ab"] = pairs(
            runs, lambda: kolab_dns(repo, "plan"), lambda: kolab_dns(repo, "plan", code=baseline)
        )
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
    log(f"N={n}: (c) again with report_authorization: per-domain (synced first)")
    repo = make_repo(root, n, report_authorization="per-domain")
    kolab_dns(repo, "sync")
    out["c"]["own_zone_per_domain_s"] = since(repo, n, OWN_ZONE_ADDITION, runs)
    shutil.rmtree(repo)
    return out


def since_alternating(small: Path, large: Path, runs: int) -> dict[str, Any]:
    """(c) as the target reads: `plan --since HEAD` after adding a zone of its own, the smallest
    and the largest fleet alternately, so both see the same minutes of a shared machine."""
    samples: dict[Path, list[float]] = {small: [], large: []}
    texts = {repo: (repo / "zones" / "kolab.yaml").read_text() for repo in samples}
    try:
        for repo in samples:
            path = repo / "zones" / "kolab.yaml"
            path.write_text(texts[repo] + f"  - {OWN_ZONE_ADDITION}\n")
        for _ in range(runs):
            for repo in (small, large):
                samples[repo].append(kolab_dns(repo, "plan", "--since", "HEAD").seconds)
    finally:
        for repo, text in texts.items():
            (repo / "zones" / "kolab.yaml").write_text(text)
    return {
        "small_s": samples[small],
        "large_s": samples[large],
        "ratio": median(samples[large]) / median(samples[small]),
        "ratios": [b / a for a, b in zip(samples[small], samples[large], strict=True)],
    }


def powerdns_figures(root: Path, zones: int, runs: int, baseline: Path | None = None) -> dict[str, Any]:
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
        plans, floors, rss, before = [], [], [], []
        for _ in range(runs):
            sample = kolab_dns(repo, "plan")
            plans.append(sample.seconds)
            rss.append(sample.max_rss_mb)
            floors.append(powerdns.bare_gets(server, names, WORKERS))
            if baseline is not None:
                before.append(kolab_dns(repo, "plan", code=baseline).seconds)
        with powerdns.counting_proxy(server) as (port, counts):
            powerdns.provider_file(repo, server, port)
            kolab_dns(repo, "sync")
        writes = sum(counts[m] for m in powerdns.WRITES)
        shutil.rmtree(repo)
        return {
            "n": n,
            "zones": len(names),
            "first_sync_s": first,
            "plan_s": median(plans),
            "plan_rss_mb": max(rss),
            **({"baseline_plan_s": median(before)} if before else {}),
            "bare_gets_s": median(floors),
            "ratio": median(plans) / median(floors),
            "no_change_sync_requests": dict(counts),
            "no_change_sync_writes": writes,
        }


def table(results: dict[str, Any]) -> str:
    rows = [
        "| N | (a) expansion s | (b) plan s | (b) octodns-sync s | (b) ratio | (c) --since own zone s "
        "| (c) own zone, per-domain authorization s | (c) --since in primary zone s | (e) plan peak MB "
        "| (e) first sync peak MB | (f) render json s, MB | (f) render zone s, MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["local"]:
        rj, rz = r["render_json"], r["render_zone"]
        rows.append(
            f"| {r['n']:,} | {r['a']['total']:.2f} | {r['b']['kolab_plan_s']:.2f} "
            f"| {r['b']['octodns_sync_s']:.2f} "
            f"| {r['b']['ratio']:.3f} | {r['c']['own_zone_s']:.2f} | {r['c']['own_zone_per_domain_s']:.2f} "
            f"| {r['c']['in_primary_zone_s']:.2f} | {r['e']['plan_max_rss_mb']:.0f} "
            f"| {r['first_sync_rss_mb']:.0f} | {rj['s']:.2f}, {rj['rss_mb']:.0f} "
            f"| {rz['s']:.2f}, {rz['rss_mb']:.0f} |"
        )
    for d in results.get("powerdns", []):
        rows += [
            "",
            f"(d) PowerDNS, {d['zones']} zones: plan {d['plan_s']:.2f} s, {d['zones']} bare GETs "
            f"{d['bare_gets_s']:.2f} s, ratio {d['ratio']:.2f}; no-change sync requests "
            f"{d['no_change_sync_requests']}, writes {d['no_change_sync_writes']}",
        ]
    if "c_alternating" in results:
        c = results["c_alternating"]
        rows.append(
            f"\n(c) alternating --since, largest / smallest fleet: {c['ratio']:.2f} (per pair {c['ratios']})"
        )
    rows.append(f"\npeak memory by command (MB): {results.get('peaks')}")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: N=100,1000, 1 run, 100 PowerDNS zones"
    )
    parser.add_argument("--sizes", help="comma-separated N (default 100,1000,10000)")
    parser.add_argument("--runs", type=int, help="runs per figure; the median is reported (default 5)")
    parser.add_argument(
        "--pdns-zones", help="comma-separated zone counts on PowerDNS for (d) (default 100,1000; 0 skips)"
    )
    parser.add_argument("--baseline", help="a commit whose commands run in alternation with this checkout's")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ("100,1000" if args.quick else "100,1000,10000")).split(",")]
    runs = args.runs or (1 if args.quick else 5)
    pdns = [int(z) for z in (args.pdns_zones or ("100" if args.quick else "100,1000")).split(",") if int(z)]

    results: dict[str, Any] = {"machine_before": machine(), "runs": runs, "local": [], "powerdns": []}
    if args.baseline:
        results["baseline"] = args.baseline

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
        results["peaks"] = dict(PEAKS)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))

    with tempfile.TemporaryDirectory(prefix="kolab-bench-") as tmp:
        baseline = baseline_checkout(args.baseline, Path(tmp)) if args.baseline else None
        for zones in pdns:
            results["powerdns"].append(powerdns_figures(Path(tmp), zones, runs, baseline))
            save()
        for n in sizes:
            results["local"].append(local_figures(Path(tmp), n, runs, baseline))
            save()
        if len(sizes) > 1:
            log(f"(c) --since at N={min(sizes)} and N={max(sizes)}, alternating")
            small, large = (Path(tmp) / f"local-{n}-wildcard" for n in (min(sizes), max(sizes)))
            results["c_alternating"] = since_alternating(small, large, runs)
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
