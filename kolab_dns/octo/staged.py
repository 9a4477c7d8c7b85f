"""A sync's second pass: the survey's plans applied in octoDNS's order, zone by zone.

A plan the survey kept whole is applied as it is. Every other zone is planned again by octoDNS,
a few zones at a time, just before it is written, and must come out as the plan the survey saw,
judged and checksummed (equal octoDNS data), or the sync stops and says which zones it wrote.
So at most a batch of zones is held as octoDNS Records at once, and what is applied is what was
shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from octodns.provider.plan import Plan, UnsafePlan

from ..errors import KolabDnsError
from .faults import Written
from .survey import Planned, release

BATCH_RECORDS = 20_000  # record sets planned again at once (a larger zone is planned alone)

Replan = Callable[[list[Planned]], dict[str, Plan]]  # zones -> their new plans, by octoDNS zone name


class PlanChanged(KolabDnsError):
    """A zone's plan differs between the survey and the moment it is applied."""


def _batches(order: list[Planned]) -> list[list[Planned]]:
    """Runs of zones in order: one kept plan, or zones to plan again up to BATCH_RECORDS."""
    out: list[list[Planned]] = []
    size = 0
    for p in order:
        joins = out and p.plan is None and out[-1][-1].plan is None and size + p.records <= BATCH_RECORDS
        if joins:
            out[-1].append(p)
            size += p.records
        else:
            out.append([p])
            size = p.records
    return out


def _changed(p: Planned, why: str, written: Written, order: list[Planned]) -> PlanChanged:
    done = ", ".join(written.applied) or "none"
    rest = ", ".join(q.zone for q in order if q.zone not in written.applied) or "none"
    return PlanChanged(
        f"the plan of {p.zone} changed between planning and applying it ({why}); zones written "
        f"before: {done}; not written: {rest}. Run `kolab-dns plan` again and review the new plan"
    )


def _checked(p: Planned, plan: Plan | None, force: bool, written: Written, order: list[Planned]) -> Plan:
    if plan is None:
        raise _changed(p, "it now has no changes", written, order)
    if not p.same(plan):
        raise _changed(p, "its changes differ", written, order)
    if not force:
        try:
            plan.raise_if_unsafe()
        except UnsafePlan as e:
            raise _changed(p, f"it is now unsafe: {str(e).splitlines()[0]}", written, order) from None
    return plan


def apply(order: list[Planned], replan: Replan, force: bool, written: Written) -> None:
    """Write every plan of the survey, in order; `replan` plans a batch again through octoDNS."""
    for batch in _batches(order):
        fresh: dict[str, Plan] = {} if batch[0].plan is not None else replan(batch)
        for p in batch:
            plan: Any = p.plan
            if plan is None:
                plan = _checked(p, fresh.pop(p.name, None), force, written, order)
            p.plan = None
            p.target.apply(plan)
            release(plan)
        for left in fresh.values():
            release(left)
