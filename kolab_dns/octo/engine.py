"""Plan and apply through octoDNS, handing it only the zones in play.

octoDNS's Manager reads a config file and compares every configured zone with every other; we
write a config holding only the providers in use, then give the Manager exactly the zones this run
plans, our already-loaded source and processor, and a linear-time sub-zone lookup.
"""

from __future__ import annotations

import itertools
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml
from octodns.idna import IdnaDict
from octodns.manager import Manager, ManagerException
from octodns.provider.plan import Plan, RootNsChange, TooMuchChange, UnsafePlan
from octodns.zone import Zone

from ..errors import KolabDnsError
from ..gc_batches import fewer_collections
from ..model import Declaration
from ..progress import Progress
from . import staged
from .faults import Written, wrap
from .prefilter import Prefilter
from .processors import KolabOwnership
from .providers import Provider, Providers
from .report import PlanCapture, PlanReport
from .source import KolabSource
from .survey import KEEP_RECORDS, Planned, Survey

SOURCE_ID = "kolab"
PROCESSOR_ID = "kolab-ownership"
CAPTURE_ID = "kolab-capture"
FAST_PATH_ENV = "KOLAB_DNS_FAST_PATH"  # "0": every zone through octoDNS (tests and benchmarks compare)


def _fast_path_default() -> bool:
    return os.environ.get(FAST_PATH_ENV, "1") != "0"


class _Manager(Manager):
    """Manager with a sub-zone lookup that costs per label, not per pair of zones, and that lets
    go of each zone once it is planned."""

    planned: Callable[[], None] | None = None  # told as each zone's plan is done (worker threads)
    take: Callable[[list[Any]], list[Any]] | None = None  # given each zone's plans (the survey)

    def _populate_and_plan(self, zone_name: str, *args: Any, **kwargs: Any) -> tuple[list[Any], Zone]:
        # Manager.sync keeps every desired zone to the end of the run, for alias zones (which
        # kolab-dns never configures): at 10,000 zones that is every record in memory at once.
        # A plan with changes keeps the zones it needs itself.
        plans, zone = super()._populate_and_plan(zone_name, *args, **kwargs)
        if self.take is not None:
            plans = self.take(plans)
        if self.planned is not None:
            self.planned()
        return plans, Zone(zone.name, set())

    def configured_sub_zones(self, zone_name: str) -> set[str]:
        if self._configured_sub_zones is None:
            subs: dict[str, set[str]] = {}
            zones = set(self.config["zones"].keys())
            for zone in zones:
                labels = zone.split(".")
                for i in range(1, len(labels)):
                    parent = ".".join(labels[i:])
                    if parent in zones:
                        subs.setdefault(parent, set()).add(".".join(labels[:i]))
            self._configured_sub_zones = IdnaDict(subs)
        return self._configured_sub_zones.get(zone_name, set())


@dataclass
class Run:
    """One plan or sync: which zones, on which providers, with which safety switches."""

    declaration: Declaration
    zones: dict[str, str]  # zone -> provider name, the zones handed to octoDNS
    providers: dict[str, Provider]
    adopt: bool = False
    max_workers: int | None = None
    progress: Progress | None = None  # per zone planned
    fast: bool = field(default_factory=_fast_path_default)  # settle unchanged zones before octoDNS
    settled: list[str] = field(default_factory=list)  # zones the fast path proved unchanged
    keep_records: int = KEEP_RECORDS  # a sync applies plans this small as surveyed, not planned again

    @property
    def workers(self) -> int:
        return self.max_workers or min(8, (os.cpu_count() or 1) * 2)

    def _manager(self, tmpdir: str, enable_checksum: bool) -> _Manager:
        config = {
            "manager": {
                "enable_checksum": enable_checksum,
                "max_workers": self.workers,
                "plan_outputs": {CAPTURE_ID: {"class": f"{PlanCapture.__module__}.PlanCapture"}},
            },
            "providers": {name: dict(p.config) for name, p in self.providers.items()},
            "zones": {},
        }
        path = os.path.join(tmpdir, "octodns.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            yaml.safe_dump(config, fh)
        manager = _Manager(path)
        manager.providers[SOURCE_ID] = KolabSource(SOURCE_ID, declaration=self.declaration, zones=self.zones)
        manager.processors[PROCESSOR_ID] = KolabOwnership(PROCESSOR_ID, adopt=self.adopt)
        manager.config["zones"] = manager._config_zones(
            {
                f"{zone}.": {"sources": [SOURCE_ID], "processors": [PROCESSOR_ID], "targets": [provider]}
                for zone, provider in sorted(self.zones.items())
            }
        )
        return manager

    def execute(
        self, apply: bool = False, force: bool = False, expected_checksum: str | None = None
    ) -> PlanReport:
        """Survey every zone (octoDNS plans each; only what the report, the checksum and the
        safety verdict need is kept), refuse before anything is written exactly as octoDNS's
        Manager.sync would, then apply zone by zone (octo/staged.py)."""
        if not self.zones:
            return PlanReport(0)
        with tempfile.TemporaryDirectory(prefix="kolab-dns-") as tmpdir, fewer_collections():
            manager = self._manager(tmpdir, False)  # the checksum is the survey's
            tick = None if self.progress is None else _count(self.progress, len(self.zones))
            manager.planned = tick
            capture = manager.plan_outputs[CAPTURE_ID]
            written = Written()
            order: list[Planned] = []
            for name, provider in self.providers.items():
                wrap(manager.providers[name], name, provider.file, written, lambda: [p.zone for p in order])
            remaining = sorted(self.zones)
            if self.fast:
                source = manager.providers[SOURCE_ID]
                prefilter = Prefilter(manager.providers, source, self.workers)
                remaining = prefilter.run(self.zones, tick)
                self.settled = prefilter.settled
            survey = Survey(remaining, self.keep_records if apply else 0)
            if remaining:
                manager.take = survey.take
                _sync(manager, remaining)
                manager.take = manager.planned = None
            order += survey.ordered()
            computed = survey.checksum()
            if expected_checksum is not None and computed:
                _log_checksum(computed)
            if not force:
                for e in survey.unsafe():
                    raise KolabDnsError(_unsafe_message(e, PlanReport(len(self.zones), survey.rows())))
            if expected_checksum is not None and computed not in (None, expected_checksum):
                raise KolabDnsError(
                    f"the plan changed since it was reviewed (checksum={expected_checksum} does not "
                    f"match computed={computed}); nothing was applied. "
                    "Run `kolab-dns plan` again and review the new plan"
                )
            if apply:
                staged.apply(order, lambda batch: _replan(manager, capture, batch), force, written)
        # the rows last: a fleet's rows are held while nothing else is
        return PlanReport(len(self.zones), survey.rows(), computed, applied=apply)


def _sync(manager: _Manager, zones: list[str]) -> None:
    """A dry run of octoDNS's Manager.sync over these zones (plans go to the survey or capture)."""
    try:
        manager.sync(eligible_zones=[f"{z}." for z in zones], dry_run=True, force=True)
    except ManagerException as e:
        raise KolabDnsError(f"octoDNS: {e}") from None


def _replan(manager: _Manager, capture: PlanCapture, batch: list[Planned]) -> dict[str, Plan]:
    """A batch of zones planned again by octoDNS, by octoDNS zone name."""
    _sync(manager, [p.name[:-1] for p in batch])
    plans, capture.plans = capture.plans, []
    return {plan.desired.name: plan for _, plan in plans}


def _log_checksum(value: str) -> None:
    """What Manager.sync logs when it checks a checksum (shown with -v)."""
    log = logging.getLogger("Checksum")
    log.setLevel(logging.INFO)
    log.info("checksum=%s", value)


def _count(progress: Progress, total: int) -> Callable[[], None]:
    done = itertools.count(1)
    return lambda: progress(next(done), total)  # next() on a count is atomic under the GIL


def _unsafe_message(e: UnsafePlan, report: PlanReport) -> str:
    if isinstance(e, RootNsChange):
        what = "it changes a zone's root NS records"
    elif isinstance(e, TooMuchChange):
        what = str(e).split("\n")[0].strip()
    else:
        what = str(e)
    return (
        f"refusing an unsafe plan: {what}. {report.summary_line()}; nothing was applied. Review "
        "it with `kolab-dns plan`, then rerun with --force to apply it anyway"
    )


def scoped_zones(decl: Declaration, only: Iterable[str] | None = None) -> dict[str, str]:
    """zone -> provider for every managed zone, or for just the ones named."""
    zones = decl.zone_providers()
    if only is None:
        return zones
    wanted = set(only)
    unknown = wanted - set(zones)
    if unknown:
        raise KolabDnsError(f"not a zone of this declaration: {', '.join(sorted(unknown))}")
    return {z: p for z, p in zones.items() if z in wanted}


def plan_run(providers: Providers, decl: Declaration, zones: dict[str, str], **kwargs: Any) -> Run:
    """A Run whose providers are all checked, so nothing is contacted before every input is."""
    return Run(decl, zones, providers.for_zones(decl, zones), **kwargs)
