"""The check report: text grouped by domain (colour only on a terminal), or JSON for machines.

Text shows every problem with what was expected, what was found and what to change; the passing
checks of a domain fold into one line, so a thousand healthy domains stay a thousand lines.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

import click

from .results import Result, Status, exit_code

COLOURS = {
    Status.OK: "green",
    Status.WARN: "yellow",
    Status.MISSING: "red",
    Status.DIFFERENT: "red",
    Status.FAIL: "red",
    Status.ERROR: "magenta",
}
MAX_VALUE = 100


def grouped(results: Iterable[Result]) -> dict[str, list[Result]]:
    out: dict[str, list[Result]] = {}
    for r in results:
        out.setdefault(r.domain, []).append(r)
    return out


def summary(results: list[Result]) -> dict[str, int]:
    counts = Counter(str(r.status) for r in results)
    return {
        "domains": len(grouped(results)),
        "checks": len(results),
        **{str(s): counts.get(str(s), 0) for s in Status},
    }


def _short(value: str) -> str:
    return value if len(value) <= MAX_VALUE else f"{value[:64]}…{value[-24:]}"


def _values(values: tuple[str, ...]) -> str:
    return " | ".join(_short(v) for v in values) if values else "(nothing)"


def _tally(results: list[Result]) -> str:
    counts = Counter(r.check for r in results)
    return ", ".join(f"{check} ×{n}" if n > 1 else check for check, n in counts.items())


def _verdict(results: list[Result]) -> str:
    """A domain's status: error over fail over warn over ok."""
    statuses = {r.status for r in results}
    if Status.ERROR in statuses:
        return "error"
    return "fail" if statuses - {Status.OK, Status.WARN} else ("warn" if Status.WARN in statuses else "ok")


def text(results: list[Result]) -> str:
    lines: list[str] = []
    for domain, rs in grouped(results).items():
        bad = [r for r in rs if not r.ok]
        if not bad:
            head = click.style("PASS", fg="green", bold=True)
            lines.append(f"{head} {click.style(domain, bold=True)}: all {len(rs)} checks pass ({_tally(rs)})")
            continue
        verdict = _verdict(bad)
        head = click.style(verdict.upper(), fg=COLOURS[Status(verdict)], bold=True)
        what = "warn" if verdict == "warn" else "do not pass"
        lines.append(f"{head} {click.style(domain, bold=True)}: {len(bad)} of {len(rs)} checks {what}")
        for r in bad:
            status = click.style(f"{r.status:<9}", fg=COLOURS[r.status], bold=True)
            lines.append(f"  {status} {r.check:<12} {r.subject}")
            if r.status is Status.ERROR:
                lines.append(f"      error:    {_values(r.found)}")
            else:
                lines.append(f"      expected: {_values(r.expected)}")
                lines.append(f"      found:    {_values(r.found)}")
            if r.hint:
                lines.append(f"      fix:      {r.hint}")
        good = [r for r in rs if r.ok]
        if good:
            lines.append(f"  {click.style('ok', fg='green')}        {len(good)} more pass ({_tally(good)})")
    s = summary(results)
    parts = ", ".join(f"{s[str(st)]} {st}" for st in Status if s[str(st)])
    lines.append("")
    plural = "s" * (s["domains"] != 1)
    lines.append(f"{s['domains']} domain{plural}, {s['checks']} check{'s' * (s['checks'] != 1)}: {parts}")
    return "\n".join(lines) + "\n"


def as_json(results: list[Result]) -> str:
    doc = {
        "exit_code": exit_code(results),
        "summary": summary(results),
        "domains": [
            {
                "domain": domain,
                "status": _verdict(rs),
                "results": [r.to_json() for r in rs],
            }
            for domain, rs in grouped(results).items()
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": text, "json": as_json}
