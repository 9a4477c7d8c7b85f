"""A plan's first pass: every zone planned by octoDNS, each plan reduced as it is made to what the
report, the checksum and the safety verdict need, and let go.

octoDNS's Manager.sync holds every plan until the last is made: into an empty target that is the
whole fleet as octoDNS Records and changes at once. The survey takes each plan from the worker
that made it and keeps its rows and its checksum text (compressed), octoDNS's own verdict on it
(`Plan.raise_if_unsafe`) and its place in octoDNS's order. A few small plans are kept whole, so a
sync of few records applies them as planned; the others are planned again, zone by zone, when
they are applied (`octo/staged.py`), and must come out the same.
"""

from __future__ import annotations

import itertools
import pickle
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from octodns.idna import idna_encode
from octodns.manager import Manager
from octodns.provider.plan import Plan, UnsafePlan
from octodns.zone import Zone

from .report import ChangeRow, checksum_of, plan_rows, plan_text_pieces, sort_rows

KEEP_RECORDS = 20_000  # record sets (wanted + held) of the plans a sync keeps whole from its survey


ROWS_PER_PACK = 2_000


def _pack_rows(plan: Plan) -> list[bytes]:
    """The plan's rows, pickled and compressed a few thousand at a time."""
    rows = plan_rows(plan)
    out = []
    while chunk := list(itertools.islice(rows, ROWS_PER_PACK)):
        out.append(zlib.compress(pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL), 1))
    return out


def _pack_text(plan: Plan) -> bytes:
    packer = zlib.compressobj(1)
    out = [packer.compress(piece.encode("utf-8")) for piece in plan_text_pieces(plan)]
    out.append(packer.flush())
    return b"".join(out)


def _size(plan: Plan) -> int:
    return len(plan.desired.records) + len(plan.existing.records)


def release(plan: Plan) -> None:
    """Break the plan's Zone <-> Record cycles, so its records go as soon as it does instead of
    at a full collection (which the engine's raised thresholds make rare)."""
    zones: dict[int, Zone] = {}
    for zone in (plan.desired, plan.existing):
        zones[id(zone)] = zone
        if zone._origin is not None:
            zones.setdefault(id(zone._origin), zone._origin)
        for record in zone.records:
            zones.setdefault(id(record.zone), record.zone)
    for change in plan.changes:
        for record in (change.new, change.existing):
            if record is not None:
                zones.setdefault(id(record.zone), record.zone)
    for zone in zones.values():
        zone._records.clear()
        zone._origin = zone._root_ns = None


@dataclass
class Planned:
    """One octoDNS plan as the survey keeps it."""

    zone: str  # decoded, without the trailing dot
    name: str  # as octoDNS names it (IDNA, trailing dot)
    order: int  # the zone's place among the zones handed to octoDNS (its order before sorting)
    key: int  # Manager._plan_keyer: octoDNS applies plans in this order, largest first
    target: Any
    records: int  # record sets the plan holds (wanted and held by the target)
    text: bytes  # compressed json of plan.data: the checksum's part, and what a re-plan must equal
    packed_rows: list[bytes]  # compressed rows, in the plan's order
    unsafe: UnsafePlan | None  # octoDNS's verdict (Plan.raise_if_unsafe)
    plan: Plan | None  # kept whole, or None: planned again before it is applied

    def data(self) -> str:
        return zlib.decompress(self.text).decode("utf-8")

    def rows(self) -> list[ChangeRow]:
        return [ChangeRow(*row) for pack in self.packed_rows for row in pickle.loads(zlib.decompress(pack))]

    def same(self, plan: Plan) -> bool:
        """A re-plan is this plan: octoDNS's data for it (what the checksum covers) is equal."""
        return _pack_text(plan) == self.text


class Survey:
    """The first pass of a plan or sync. `take` runs in octoDNS's worker threads."""

    def __init__(self, zones: list[str], keep_records: int = 0) -> None:
        self.order = {idna_encode(f"{zone}."): i for i, zone in enumerate(zones)}
        self.keep_records = keep_records
        self.held = 0  # record sets of the plans kept whole
        self.planned: list[Planned] = []
        self._lock = threading.Lock()

    def take(self, plans: list[tuple[Any, Plan]]) -> list[tuple[Any, Plan]]:
        """Reduce a zone's plans; octoDNS's Manager is handed none of them."""
        for target, plan in plans:
            try:
                plan.raise_if_unsafe()
                unsafe = None
            except UnsafePlan as e:
                unsafe = e
            size = _size(plan)
            with self._lock:
                keep = self.held == 0 or self.held + size <= self.keep_records
                keep = keep and self.keep_records > 0
                if keep:
                    self.held += size
            self.planned.append(
                Planned(
                    plan.desired.decoded_name[:-1],
                    plan.desired.name,
                    self.order.get(plan.desired.name, len(self.order)),
                    Manager._plan_keyer((target, plan)),
                    target,
                    size,
                    _pack_text(plan),
                    _pack_rows(plan),
                    unsafe,
                    plan if keep else None,
                )
            )
            if not keep:
                release(plan)
        return []

    def ordered(self) -> list[Planned]:
        """The plans in the order octoDNS's Manager.sync would hold them: zone order, then
        sorted by its key (stable), largest first."""
        out = sorted(self.planned, key=lambda p: p.order)
        out.sort(key=lambda p: p.key, reverse=True)
        return out

    def checksum(self) -> str | None:
        return checksum_of(p.data() for p in self.ordered())

    def rows(self) -> list[ChangeRow]:
        return sort_rows([row for p in self.ordered() for row in p.rows()])

    def unsafe(self) -> Iterator[UnsafePlan]:
        """octoDNS's refusals, in the order Manager.sync would meet them."""
        return (p.unsafe for p in self.ordered() if p.unsafe is not None)
