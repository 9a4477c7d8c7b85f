"""(d) alone, A/B: one PowerDNS with a synced fleet, then `kolab-dns plan` of this checkout and of
other checkouts in alternation, each round followed by the bare GETs (bench/powerdns.py).

    .venv/bin/python bench/pdns_ab.py --zones 1000 --runs 7 /work/main
    .venv/bin/python bench/pdns_ab.py --zones 100 --runs 7 --ref f3e42d9

A checkout with its own .venv runs with it; --ref unpacks a commit's kolab_dns beside the fleet
and runs it with this checkout's interpreter, as bench/run.py --baseline does.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import powerdns
from bench.measure import PYTHON, ROOT, median, run
from bench.run import WORKERS, baseline_checkout, make_repo


def plan(repo: Path, code: Path) -> float:
    own = code / ".venv" / "bin" / "python"
    python = str(own) if own.exists() else PYTHON
    return run([python, "-m", "kolab_dns.cli", "-C", str(repo), "plan"], code=code).seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="*", type=Path, help="other checkouts to run in alternation")
    parser.add_argument("--zones", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--ref", action="append", default=[], help="a commit to run in alternation")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kolab-pdns-ab-") as tmp:
        codes = [ROOT, *args.checkouts, *(baseline_checkout(ref, Path(tmp)) for ref in args.ref)]
        with powerdns.BenchPowerDNS(http_timeout=120) as server:
            repo = make_repo(Path(tmp), 2 * (args.zones - 2), "pdns")
            powerdns.provider_file(repo, server)
            os.environ["PDNS_API_KEY"] = server.api_key
            run([PYTHON, "-m", "kolab_dns.cli", "-C", str(repo), "sync"])
            names = [name.rstrip(".") for name in server.list_zones()]
            plans: dict[Path, list[float]] = {code: [] for code in codes}
            gets: list[float] = []
            for _ in range(args.runs):
                for code in codes:
                    plans[code].append(plan(repo, code))
                gets.append(powerdns.bare_gets(server, names, WORKERS))
    floor = median(gets)
    print(f"{len(names)} zones, {args.runs} runs, load {os.getloadavg()[0]:.2f}: bare GETs {floor:.3f} s")
    for code, samples in plans.items():
        seconds = median(samples)
        rounded = [round(s, 2) for s in samples]
        print(f"  {code}: plan {seconds:.3f} s, ratio {seconds / floor:.2f}  {rounded}")


if __name__ == "__main__":
    main()
