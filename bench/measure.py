"""Timing helpers: wall time and peak memory of a command, medians, and what machine ran them."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass(frozen=True)
class Sample:
    seconds: float
    max_rss_mb: float


PEAKS: dict[str, float] = {}  # command (first two words) -> largest peak RSS seen, MB


def run(
    cmd: Sequence[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    ok: int = 0,
    code: Path = ROOT,
) -> Sample:
    """Run a command to the end; its wall time and its peak resident memory (from wait4).
    code: the checkout whose kolab_dns runs (this one, or a baseline's for A/B pairs)."""
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"kolab-bench-{os.getpid()}.log"
    full_env = {**os.environ, "PYTHONPATH": str(code), **(env or {})}
    with open(log, "wb") as out:
        start = time.perf_counter()
        # cwd: `python -m` puts it first on sys.path, so it must be this checkout, whatever the caller's
        proc = subprocess.Popen(
            list(cmd), cwd=cwd or code, env=full_env, stdout=out, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != ok:
        tail = log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{tail}")
    log.unlink()
    return Sample(seconds, usage.ru_maxrss / 1024)


def kolab_dns(repo: Path, *args: str, ok: int = 0, code: Path = ROOT) -> Sample:
    sample = run([PYTHON, "-m", "kolab_dns.cli", "-C", str(repo), *args], ok=ok, code=code)
    if code == ROOT:
        what = " ".join(a for a in args[:2] if not a.startswith("-"))
        PEAKS[what] = max(PEAKS.get(what, 0.0), sample.max_rss_mb)
    return sample


def repeat(runs: int, measure: Callable[[], float]) -> list[float]:
    return [measure() for _ in range(runs)]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def machine() -> dict[str, object]:
    """What ran the benchmarks, and how busy it was (other processes share the cores)."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "octodns": version("octodns"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
