"""(a) Expansion alone: a declaration file to the record sets of every zone, markers included.

Run as a script (a fresh interpreter per run): prints JSON with the seconds of each step.
"""

from __future__ import annotations

import json
import sys
import time

from kolab_dns import declaration, ownership, records


def measure(path: str) -> dict[str, float]:
    start = time.perf_counter()
    decl = declaration.load(path)
    loaded = time.perf_counter()
    recordsets = records.expand(decl)
    expanded = time.perf_counter()
    grouped = records.by_zone(decl, recordsets)
    ttl = decl.deployment.ttl
    total = sum(len(rs) + len(ownership.markers(zone, rs, ttl)) for zone, rs in grouped.items())
    zoned = time.perf_counter()
    return {
        "load": loaded - start,
        "expand": expanded - loaded,
        "zones_and_markers": zoned - expanded,
        "total": zoned - start,
        "recordsets": total,
    }


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
