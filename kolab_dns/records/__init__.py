"""The pure expansion, a module per record family; each family's constants and formats live here.

`check` reads them from here too, so a record is written and judged by the same definition.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import Declaration
from ..recordset import RecordSet
from .expand import DOMAIN_FAMILIES, deployment_records, domain_records, expand
from .zoning import ScopedZoning, Zoning

__all__ = [
    "DOMAIN_FAMILIES",
    "ScopedZoning",
    "Zoning",
    "by_zone",
    "deployment_records",
    "domain_records",
    "expand",
]


def by_zone(
    decl: Declaration, recordsets: Iterable[RecordSet], unmanaged_too: bool = False
) -> dict[str, list[RecordSet]]:
    """Record sets grouped by the longest managed zone holding each owner name.

    Record sets of unmanaged domains (DNS run by the customer elsewhere) are left out unless
    asked for; each such domain is then a zone of its own, as the customer would hold it.
    """
    return Zoning(decl, unmanaged_too).group(recordsets)
