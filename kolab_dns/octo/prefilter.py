"""Zones proven unchanged before octoDNS sees them: read each target zone cheaply, compare it with
what the declaration wants, and hand octoDNS only the zones that may differ.

Network reads (PowerDNS) run in a thread pool, a bounded window ahead, while this thread compares
the zones already read, as they arrive; file reads run here. A target that fails (refused key,
unreachable) is left to octoDNS from then on, so the failure is reported as it always was.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from queue import SimpleQueue
from typing import Any

from ..recordset import RecordSet
from .readers import Reader, Unreadable, reader_for
from .source import FEW_ZONES, KolabSource
from .unchanged import Held, Key, unchanged, wanted

# Reads done or in flight but not yet compared: enough that the readers go on while this thread
# compares a large zone (the primary's: 0.3 s at 1,000 domains), bounded by the domains they hold
# (about 17 record sets each) so a fleet of large zones is not all held at once.
AHEAD = 64  # zones per worker
AHEAD_DOMAINS = 4_000


def _plain_for(provider: Any, recordsets: list[RecordSet]) -> bool:
    """The provider plans our records as they are: it supports every type and would not rewrite
    any before comparing (BaseProvider._process_desired_zone)."""
    supports = getattr(provider, "SUPPORTS", ())
    multi_ptr = getattr(provider, "SUPPORTS_MULTIVALUE_PTR", False)
    for rs in recordsets:
        if rs.type not in supports:
            return False
        if rs.type == "PTR" and not multi_ptr and len(rs.values) > 1:
            return False
    return True


class Prefilter:
    """One run's fast path over the zones of a plan."""

    def __init__(self, providers: dict[str, Any], source: KolabSource, workers: int) -> None:
        self.providers = providers
        self.source = source
        self.workers = max(1, workers)
        self.readers: dict[str, Reader | None] = {}
        self.failed: set[str] = set()  # providers left to octoDNS after a failed read
        self.settled: list[str] = []

    def _reader(self, provider: str) -> Reader | None:
        if provider not in self.readers:
            instance = self.providers.get(provider)
            self.readers[provider] = None if instance is None else reader_for(instance)
        return None if provider in self.failed else self.readers[provider]

    def run(self, zones: dict[str, str], tick: Callable[[], None] | None = None) -> list[str]:
        """The zones octoDNS must plan, in order; the others are settled (and ticked)."""
        remaining: list[str] = []
        done: SimpleQueue[tuple[str, Future[dict[Key, Held | None] | None]]] = SimpleQueue()
        in_flight: dict[str, int] = {}  # zone -> its weight (1 + its domains)
        weight_in_flight = 0

        def settle(zone: str, future: Future[dict[Key, Held | None] | None] | None) -> None:
            nonlocal weight_in_flight
            weight_in_flight -= in_flight.pop(zone, 0)
            if self._settle(zone, zones[zone], future):
                self.settled.append(zone)
                if tick is not None:
                    tick()
            else:
                remaining.append(zone)

        with ThreadPoolExecutor(self.workers, thread_name_prefix="kolab-read") as pool:
            for zone, weight in self._order(zones):
                reader = self._reader(zones[zone])
                if reader is None or not reader.concurrent:
                    settle(zone, None)
                    continue
                while in_flight and (
                    len(in_flight) >= self.workers * AHEAD or weight_in_flight + weight > AHEAD_DOMAINS
                ):
                    settle(*done.get())
                future = pool.submit(reader.read, zone)
                in_flight[zone] = weight
                weight_in_flight += weight
                future.add_done_callback(lambda f, zone=zone: done.put((zone, f)))
            while in_flight:
                settle(*done.get())
        self.settled.sort()
        return sorted(remaining)

    def _order(self, zones: dict[str, str]) -> list[tuple[str, int]]:
        """(zone, weight: 1 + its domains), network reads of the heaviest first: their reads and
        comparisons, the longest, then overlap the many small ones instead of trailing after them."""
        network = {z for z, p in zones.items() if (r := self._reader(p)) is not None and r.concurrent}
        if len(network) <= FEW_ZONES:  # nothing to overlap; and a scoped plan finds domains per zone
            return [(zone, 1) for zone in sorted(zones)]
        domains = self.source.zoning.domains
        weights = {zone: 1 + len(domains[zone]) if zone in network else 0 for zone in zones}
        return sorted(weights.items(), key=lambda item: (-item[1], item[0]))

    def _settle(self, zone: str, provider: str, future: Future[dict[Key, Held | None] | None] | None) -> bool:
        reader = self._reader(provider)
        if reader is None:
            if future is not None:
                future.cancel()
            return False
        try:
            target = future.result() if future is not None else reader.read(zone)
        except Unreadable:
            self.failed.add(provider)
            return False
        if target is None:
            return False
        recordsets = self.source.records(zone)
        if recordsets is None:
            return False
        ours = wanted(zone, recordsets)
        if (
            ours is not None
            and _plain_for(self.providers[provider], recordsets)
            and unchanged(zone, ours, target)
        ):
            reader.settled(zone)
            return True
        self.source.keep(zone, recordsets)  # octoDNS asks for it next: not expanded twice
        return False
