"""docs/benchmarks.png from a bench/run.py --json file: time and peak memory against N.

    .venv/bin/python bench/plot.py docs/benchmarks.json docs/benchmarks.png

matplotlib is a bench-only extra (`pip install -e '.[bench]'`, which `make bench` does).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # after choosing the file-only backend

Series = list[tuple[float, float]]


def _series(rows: list[dict[str, Any]], *path: str) -> Series:
    out: Series = []
    for row in rows:
        value: Any = row
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, (int, float)):
            out.append((row["n"], float(value)))
    return out


def lines(results: dict[str, Any]) -> tuple[dict[str, Series], dict[str, Series]]:
    """(seconds, megabytes): label -> points, this checkout's solid, others' dashed."""
    local, pdns = results.get("local", []), results.get("powerdns", [])
    times = {
        "kolab-dns plan, local target": _series(local, "b", "kolab_plan_s"),
        "octodns-sync alone, same records (dashed)": _series(local, "b", "octodns_sync_s"),
        "plan --since, one new zone": _series(local, "c", "own_zone_s"),
        "render --format json": _series(local, "render_json", "s"),
        "render --format zone": _series(local, "render_zone", "s"),
        "kolab-dns plan, PowerDNS": _series(pdns, "plan_s"),
        "bare API GETs, PowerDNS (dashed)": _series(pdns, "bare_gets_s"),
        "before: plan, local target (dashed)": _series(local, "plan_ab", "baseline_s"),
        "before: render --format json (dashed)": _series(local, "render_json", "baseline_s"),
    }
    memory = {
        "kolab-dns plan, local target": _series(local, "e", "plan_max_rss_mb"),
        "first sync, local target": _series(local, "first_sync_rss_mb"),
        "render --format json": _series(local, "render_json", "rss_mb"),
        "render --format zone": _series(local, "render_zone", "rss_mb"),
        "kolab-dns plan, PowerDNS": _series(pdns, "plan_rss_mb"),
        "before: first sync (dashed)": _series(local, "baseline_first_sync_rss_mb"),
        "before: render --format json (dashed)": _series(local, "render_json", "baseline_rss_mb"),
    }
    return times, memory


def plot(results: dict[str, Any], out: Path) -> None:
    times, memory = lines(results)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5))
    for ax, data, unit in ((left, times, "seconds (median)"), (right, memory, "peak RSS, MB")):
        for label, points in data.items():
            if not points:
                continue
            xs, ys = zip(*sorted(points), strict=True)
            style = "--" if "dashed" in label else "-"
            ax.plot(xs, ys, style, marker="o", label=label.replace(" (dashed)", ""))
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
        ax.set_xlabel("N secondary domains")
        ax.set_ylabel(unit)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    right.axhline(300, color="grey", linewidth=0.8)
    right.text(110, 310, "300 MB target", fontsize=7, color="grey")
    load = results.get("machine_after", {}).get("load_average")
    fig.suptitle(f"kolab-dns at fleet scale (bench/run.py, {results.get('runs')} runs; load after {load})")
    fig.tight_layout()
    fig.savefig(out, dpi=110)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json", type=Path)
    parser.add_argument("png", type=Path)
    args = parser.parse_args(argv)
    plot(json.loads(args.json.read_text()), args.png)


if __name__ == "__main__":
    main()
