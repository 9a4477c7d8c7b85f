"""Plans as kolab-dns shows them: captured from octoDNS, summarised, rendered for people and CI."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from hashlib import sha256
from typing import Any

from octodns.provider.plan import Plan, _PlanOutput

from .convert import unescape_txt


@dataclass(frozen=True, slots=True)
class ChangeRow:
    action: str  # create, update, delete
    zone: str
    name: str  # owner FQDN without the trailing dot
    type: str
    ttl: int | None
    old: list[str]
    new: list[str]


@dataclass
class PlanReport:
    zones_planned: int
    changes: list[ChangeRow] = field(default_factory=list)
    checksum: str | None = None
    applied: bool = False

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def zones_changed(self) -> list[str]:
        return sorted({c.zone for c in self.changes})

    def summary(self) -> dict[str, Any]:
        return {
            "zones": self.zones_planned,
            "zones_changed": len(self.zones_changed),
            "creates": self.count("create"),
            "updates": self.count("update"),
            "deletes": self.count("delete"),
        }

    def summary_line(self) -> str:
        s = self.summary()
        verb = "Applied" if self.applied else "Plan"
        return (
            f"{verb}: {s['zones']} zones, {s['zones_changed']} with changes: "
            f"{s['creates']} to create, {s['updates']} to update, {s['deletes']} to delete"
        )


class PlanCapture(_PlanOutput):
    """An octoDNS plan output that keeps the plans instead of logging them."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.plans: list[tuple[Any, Plan]] = []

    def run(self, plans: list[tuple[Any, Plan]], *args: Any, **kwargs: Any) -> None:
        self.plans = list(plans)


def plan_text(plan: Plan) -> str:
    """One plan's part of the checksum: its data as octoDNS dumps it."""
    return "".join(plan_text_pieces(plan))


def plan_text_pieces(plan: Plan) -> Iterator[str]:
    """`json.dumps(plan.data)` a change at a time (Plan.data is {"changes": [...], "meta": ...}),
    so an 85,000-change plan's data is never built whole."""
    yield '{"changes": ['
    for i, change in enumerate(plan.changes):
        yield json.dumps(change.data) if i == 0 else ", " + json.dumps(change.data)
    yield '], "meta": ' + json.dumps(plan.meta) + "}"


def checksum_of(texts: Iterable[str]) -> str | None:
    """octoDNS's own plan checksum (Manager.sync), so `sync --checksum` compares like with like:
    sha256 of `json.dumps([data, ...])` fed a plan at a time: a
    list dumps as its items' dumps joined by ", ", so no fleet-wide text is ever built."""
    digest, first = sha256(b"["), True
    for text in texts:
        digest.update(text.encode("utf-8") if first else b", " + text.encode("utf-8"))
        first = False
    if first:
        return None
    digest.update(b"]")
    return digest.hexdigest()


def _values(record: Any) -> list[str]:
    if record is None:
        return []
    values = getattr(record, "values", None)
    if values is None:
        values = [record.value]
    if record._type == "TXT":
        return [unescape_txt(str(v)) for v in values]
    return [v.to_rdata_text() if hasattr(v, "to_rdata_text") else str(v) for v in values]


Row = tuple[str, str, str, str, "int | None", list[str], list[str]]  # a ChangeRow's fields


def plan_rows(plan: Plan) -> Iterator[Row]:
    """One plan's rows (ChangeRow's fields), in its changes' order."""
    zone = plan.desired.decoded_name[:-1]
    for change in plan.changes:
        record = change.record
        yield (
            type(change).__name__.lower(),
            zone,
            record.decoded_fqdn[:-1],
            record._type,
            (change.new or change.existing).ttl,
            _values(change.existing),
            _values(change.new),
        )


def sort_rows(out: list[ChangeRow]) -> list[ChangeRow]:
    out.sort(key=lambda c: (c.zone, c.name, c.type, c.action))
    return out


def render_text(report: PlanReport) -> str:
    lines = [report.summary_line()]
    if report.checksum and not report.applied:
        lines.append(f"checksum: {report.checksum}")
    zone = None
    for c in report.changes:
        if c.zone != zone:
            zone = c.zone
            lines.append(f"\n{zone}")
        sign = {"create": "+", "update": "~", "delete": "-"}[c.action]
        if c.action == "update":
            lines.append(f"  {sign} {c.name} {c.type}")
            lines += [f"      - {v}" for v in c.old] + [f"      + {v}" for v in c.new]
        else:
            values = c.new if c.action == "create" else c.old
            lines.append(f"  {sign} {c.name} {c.ttl} {c.type} {' '.join(values)}")
    if not report.changes:
        lines.append("No changes.")
    lines.append("")  # the final newline, without a second copy of a fleet's plan
    return "\n".join(lines)


def render_markdown(report: PlanReport) -> str:
    s = report.summary()
    lines = [
        "## kolab-dns plan",
        "",
        "| zones | with changes | creates | updates | deletes |",
        "|---:|---:|---:|---:|---:|",
        f"| {s['zones']} | {s['zones_changed']} | {s['creates']} | {s['updates']} | {s['deletes']} |",
        "",
    ]
    if report.checksum:
        lines += [
            f"Checksum: `{report.checksum}` (apply exactly this plan with "
            f"`kolab-dns sync --checksum {report.checksum}`)",
            "",
        ]
    if not report.changes:
        lines.append("No changes.")
    by_zone: dict[str, list[ChangeRow]] = {}
    for c in report.changes:
        by_zone.setdefault(c.zone, []).append(c)
    for zone in sorted(by_zone):
        lines += [f"### {zone}", "", "| | name | type | TTL | values |", "|---|---|---|---:|---|"]
        for c in by_zone[zone]:
            if c.action == "update":
                values = "<br>".join([f"−&nbsp;`{v}`" for v in c.old] + [f"+&nbsp;`{v}`" for v in c.new])
            else:
                values = "<br>".join(f"`{v}`" for v in (c.new or c.old))
            values = values.replace("|", "\\|")
            lines.append(f"| {c.action} | `{c.name}` | {c.type} | {c.ttl} | {values} |")
        lines.append("")
    lines.append("")  # the final newline, without a second copy of a fleet's plan
    return "\n".join(lines)


def render_json(report: PlanReport) -> str:
    data = {
        "summary": report.summary(),
        "checksum": report.checksum,
        "applied": report.applied,
        "changes": [asdict(c) for c in report.changes],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
