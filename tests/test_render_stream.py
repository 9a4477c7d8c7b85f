"""`render` writes a zone (and a few names) at a time, byte for byte what one dump of every zone
wrote before it was streamed: the old renderer is kept here as the reference."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from bench import generate
from kolab_dns import names, records, zonefile
from kolab_dns.cli import cli
from kolab_dns.declaration import load
from kolab_dns.recordset import MX, SRV, RecordSet

from .conftest import ROOT


def _old_sorted(recordsets: list[RecordSet]) -> list[RecordSet]:
    return sorted(recordsets, key=lambda r: (tuple(reversed(r.name.split("."))), r.type))


def _old_plain(value: Any) -> Any:
    if isinstance(value, MX):
        return {"preference": value.preference, "exchange": value.exchange}
    if isinstance(value, SRV):
        return value._asdict()
    return value


def _old_as_data(zones: dict[str, list[RecordSet]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for zone, recordsets in zones.items():
        body: dict[str, list[dict[str, Any]]] = {}
        for rs in _old_sorted(recordsets):
            body.setdefault(names.relative(rs.name, zone), []).append(
                {"type": rs.type, "ttl": rs.ttl, "values": [_old_plain(v) for v in rs.values]}
            )
        out[zone] = body
    return out


def old_render(zones: dict[str, list[RecordSet]], fmt: str, soa_ns: tuple[str, ...] = ()) -> str:
    """kolab_dns/zonefile.py's render before streaming (commit 317e776)."""
    if fmt == "zone":
        return "\n".join(zonefile.master_file(z, rs, soa_ns) for z, rs in zones.items())
    if fmt == "json":
        return json.dumps(_old_as_data(zones), indent=2, ensure_ascii=False) + "\n"
    return yaml.safe_dump(_old_as_data(zones), sort_keys=False, allow_unicode=True, width=1000)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("render")
    generate.write_repo(root, 40)
    return root


@pytest.mark.parametrize("fmt", ["zone", "json", "yaml"])
@pytest.mark.parametrize("declaration", ["fleet", "shipped"])
def test_render_prints_what_one_dump_printed(
    fleet: Path, fmt: str, declaration: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zonefile, "BATCH", 3)  # several batches per zone
    root = fleet if declaration == "fleet" else ROOT
    decl = load(str(root / "zones" / "kolab.yaml"))
    grouped = records.by_zone(decl, records.expand(decl), unmanaged_too=True)
    expected = old_render({z: rs for z, rs in grouped.items() if rs}, fmt)
    result = CliRunner().invoke(cli, ["-C", str(root), "render", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert result.stdout == expected


@pytest.mark.parametrize("fmt", ["zone", "json", "yaml"])
def test_streamed_output_matches_for_edge_cases(fmt: str) -> None:
    decl = load(str(ROOT / "zones" / "kolab.yaml"))
    grouped = records.by_zone(decl, records.expand(decl))
    for zones in ({}, {"empty.example": []}, grouped, {**grouped, "empty.example": []}):
        assert zonefile.render(zones, fmt, ("ns1.example",)) == old_render(zones, fmt, ("ns1.example",))
